package org.rmaplab.rmap.ptechains;

import java.util.HashSet;

import org.rmaplab.mm.Frames;
import org.rmaplab.mm.PageTable;

/**
 * pte_chains' own invariants (the package comment states them), checked by the oracle after
 * every operation through {@link PteChainsDesign#checkInvariants}: every mapped page's
 * {@code page->pte} is a direct pte or a chain holding exactly its chained ptes, chains are well
 * formed, the pool's blocks are all in chains or free and zeroed, and the stats count what the
 * frames hold.
 */
final class PteChainsSelfCheck {
    private final PteChainsDesign d;

    PteChainsSelfCheck(PteChainsDesign d) {
        this.d = d;
    }

    String check() {
        boolean[] free = new boolean[d.pool.capacity() + 1];
        for (int i = 0; i < d.pool.freeCount(); i++) {
            free[d.pool.freeAt(i)] = true;
        }
        ChainTally tally = new ChainTally();
        HashSet<Long> seen = new HashSet<>();
        for (int pfn = 0; pfn < d.frames.nrFrames(); pfn++) {
            String e = checkPageRmap(pfn, free, seen, tally);
            if (e != null) {
                return e;
            }
        }
        String e = checkTally(tally);
        return e != null ? e : checkFreeBlocks();
    }

    /** What the frames hold, counted while checking them, for the pool's and the stats' counts. */
    private static final class ChainTally {
        int blocks;
        int directs;
        int chained;
        int mlocked;
    }

    /**
     * One page's {@code page->pte}: the unchained count agrees with PG_mlocked (off the LRU), a
     * PG_direct page holds one pte, a chain holds the rest of mapcount, a page with none is unmapped.
     */
    private String checkPageRmap(int pfn, boolean[] free, HashSet<Long> seen, ChainTally tally) {
        long v = d.pte[pfn];
        // Step (b): the ptes counted apart from the chain; the chain holds the rest.
        int unchained = d.unchainedPtes(pfn);
        boolean pgMlocked = (d.frames.flags[pfn] & Frames.PG_MLOCKED) != 0;
        if (unchained < 0 || pgMlocked != (unchained > 0)) {
            return "pfn " + pfn + " counts " + unchained + " unchained mlocked ptes but is "
                    + (pgMlocked ? "" : "not ") + "PG_mlocked";
        }
        if (pgMlocked) {
            tally.mlocked++;
            if ((d.frames.flags[pfn] & Frames.PG_LRU) != 0) {
                return "PG_mlocked pfn " + pfn + " is on the LRU";
            }
        }
        ObjRmap o = d.objrmapSide();
        boolean converted = (d.frames.flags[pfn] & ObjRmap.PG_CONVERTED) != 0;
        if (converted && (o == null || o.mode != ObjRmap.Mode.CONVERT || !o.isFile(pfn))) {
            return "pfn " + pfn + " is marked converted by page_convert_anon but is no page-cache page of objrmap";
        }
        if (o != null && o.isFile(pfn) && !converted) {
            return checkObjectBased(pfn, v, o, free, seen, tally);
        }
        int chainedWant = d.frames.mapcount[pfn] - unchained;
        if (d.isDirect(pfn)) {
            tally.directs++;
            if (v == 0) {
                return "pfn " + pfn + " is PG_direct with no pte";
            }
            if (chainedWant != 1) {
                return "pfn " + pfn + " is PG_direct but has mapcount " + d.frames.mapcount[pfn]
                        + (unchained > 0 ? " with " + unchained + " unchained" : "");
            }
            return checkSlot(pfn, v);
        }
        if (v == 0) {
            if (chainedWant != 0) {
                return "pfn " + pfn + " has mapcount " + d.frames.mapcount[pfn] + " but no reverse mapping"
                        + (unchained > 0 ? " for its " + chainedWant + " ptes of unlocked vmas" : "");
            }
            return null;
        }
        tally.chained++;
        return checkChain(pfn, (int) v, chainedWant, unchained, free, seen, tally);
    }

    /**
     * A page-cache page the objrmap hybrid counts: no chain at all (page_convert_anon's -mm code,
     * before conversion), or under wli's step (c) a chain of the ptes that map it at nonlinear
     * addresses — at least one, at most mapcount — whose first block's last slot holds the
     * mapcount. That every such pte is on it, the oracle's comparison of the walk with a scan of
     * every page table checks.
     */
    private String checkObjectBased(int pfn, long v, ObjRmap o, boolean[] free, HashSet<Long> seen,
                                    ChainTally tally) {
        if (d.isDirect(pfn)) {
            return "object-based pfn " + pfn + " is PG_direct";
        }
        if (v == 0) {
            return null;
        }
        if (o.mode == ObjRmap.Mode.CONVERT) {
            return "object-based pfn " + pfn + " has a pte_chain before page_convert_anon";
        }
        tally.chained++;
        return checkChain(pfn, (int) v, -1, 0, free, seen, tally);
    }

    /**
     * A page's chain from its head: no loop, no free block, free slots only in the head and packed
     * at its start, each used slot a distinct pte mapping the page, {@code chainedWant} in all. With
     * chainedWant -1, a step (c) chain: the mapcount's slot last in the first block, and between 1
     * and mapcount ptes, each at a nonlinear address of its vma.
     */
    private String checkChain(int pfn, int head, int chainedWant, int unchained, boolean[] free,
                              HashSet<Long> seen, ChainTally tally) {
        seen.clear();
        int count = 0;
        int blocks = 0;
        boolean mapcountSlot = false;
        for (int pc = head; pc != 0; pc = d.pool.next(pc)) {
            if (++blocks > d.pool.alive()) {
                return "the chain of pfn " + pfn + " loops";
            }
            if (pc > d.pool.capacity() || free[pc]) {
                return "the chain of pfn " + pfn + " uses free block " + pc;
            }
            int idx = d.pool.idx(pc);
            if (pc == head ? idx > d.nrpte - 1 : idx != 0) {
                return "block " + pc + " of pfn " + pfn + " has first used slot " + idx
                        + (pc == head ? " (an empty head)" : " but only the head may have free slots");
            }
            for (int i = 0; i < d.nrpte; i++) {
                long s = d.pool.pte(pc, i);
                if (i < idx) {
                    if (s != 0) {
                        return "free slot " + i + " of the head of pfn " + pfn + " is not empty";
                    }
                    continue;
                }
                if (s == 0) {
                    return "used slot " + i + " of block " + pc + " of pfn " + pfn + " is empty";
                }
                if (s == PteChainsDesign.MAPCOUNT_SLOT) {
                    if (chainedWant >= 0 || d.pool.next(pc) != 0 || i != d.nrpte - 1) {
                        return "pfn " + pfn + " has a mapcount slot at slot " + i + " of block " + pc
                                + (chainedWant >= 0 ? " of a chain of every pte" : ", not last in its first block");
                    }
                    mapcountSlot = true;
                    continue;
                }
                if (!seen.add(s)) {
                    return "the chain of pfn " + pfn + " holds a pte twice";
                }
                String e = checkSlot(pfn, s);
                if (e != null) {
                    return e;
                }
                if (chainedWant < 0 && !nonlinear(pfn, s)) {
                    return "pfn " + pfn + " chains pte " + PageTable.slotMm(d.frames, s) + "@0x"
                            + Long.toHexString(PageTable.slotAddress(d.frames, s)) + ", at its linear address";
                }
                count++;
            }
        }
        tally.blocks += blocks;
        if (chainedWant < 0) {
            if (!mapcountSlot || count < 1 || count > d.frames.mapcount[pfn]) {
                return "the step (c) chain of pfn " + pfn + " holds " + count + " ptes for mapcount "
                        + d.frames.mapcount[pfn] + (mapcountSlot ? "" : " and no mapcount slot");
            }
            return null;
        }
        if (count != chainedWant) {
            return "the chain of pfn " + pfn + " holds " + count + " ptes for mapcount " + d.frames.mapcount[pfn]
                    + (unchained > 0 ? " less " + unchained + " unchained" : "");
        }
        return null;
    }

    /** Every block in use belongs to a chain; the stats count what the frames hold. */
    private String checkTally(ChainTally tally) {
        if (tally.blocks != d.pool.alive()) {
            return d.pool.alive() + " pte_chain blocks in use but chains hold " + tally.blocks;
        }
        if (d.stats.alive("pte_chain") != d.pool.alive()) {
            return "stats count " + d.stats.alive("pte_chain") + " pte_chains, the pool " + d.pool.alive();
        }
        if (d.stats.alive("pg_direct") != tally.directs) {
            return "stats count " + d.stats.alive("pg_direct") + " PG_direct pages, the frames " + tally.directs;
        }
        if (d.stats.alive("pg_mlocked") != tally.mlocked) {
            return "stats count " + d.stats.alive("pg_mlocked") + " PG_mlocked pages, the frames " + tally.mlocked;
        }
        if (d.stats.alive("pg_chained") != tally.chained) {
            return "stats count " + d.stats.alive("pg_chained") + " pages with a pte_chain, the frames " + tally.chained;
        }
        return null;
    }

    /** Free blocks are zeroed: no next_and_idx, no pte. */
    private String checkFreeBlocks() {
        for (int i = 0; i < d.pool.freeCount(); i++) {
            int h = d.pool.freeAt(i);
            if (d.pool.nextAndIdx(h) != 0) {
                return "free block " + h + " keeps next_and_idx";
            }
            for (int j = 0; j < d.nrpte; j++) {
                if (d.pool.pte(h, j) != 0) {
                    return "free block " + h + " keeps a pte";
                }
            }
        }
        return null;
    }

    /** The pte at slot maps pfn away from the page's linear address in its vma. */
    private boolean nonlinear(int pfn, long slot) {
        long address = PageTable.slotAddress(d.frames, slot);
        org.rmaplab.mm.Vma vma = PageTable.slotMm(d.frames, slot).vmaLookup(address);
        return vma != null && vma.linearPageIndex(address) != d.frames.index[pfn];
    }

    /** The slot is a present pte of a page table that maps pfn. */
    private String checkSlot(int pfn, long slot) {
        int t = PageTable.slotTable(slot);
        if (t <= 0 || t >= d.frames.nrFrames() || !d.frames.isTable(t)) {
            return "pfn " + pfn + " records a pte in frame " + t + ", which is not a page table";
        }
        long e = PageTable.get(d.frames, slot);
        if (!PageTable.present(e) || PageTable.ptePfn(e) != pfn) {
            return "pfn " + pfn + " records pte " + PageTable.slotMm(d.frames, slot) + "@0x"
                    + Long.toHexString(PageTable.slotAddress(d.frames, slot)) + ", which does not map it";
        }
        return null;
    }
}
