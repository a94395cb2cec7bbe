package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.rmap.RmapDesigns;

/**
 * What reclaim's two walks do with each pte, and where they stop, per design's era
 * ({@link ReclaimEra}), driven through {@link Rmap} directly on one page so that every count can
 * be worked out by hand.
 *
 * <p>The page: one page of a MAP_SHARED|MAP_ANONYMOUS mapping (shmem: no swap slot is needed to
 * unmap it) written by t1, which then forks t2, t3 and t4; each child reads the page, so four ptes
 * map it in every design (the 2004 designs copied the pte at fork, today's maps it at the read).
 * The order each walk meets the four ptes:
 * <ul>
 *   <li>i_mmap (every design but pte_chains; {@link FileRmap}): dup_mmap links each child's vma
 *       just after its parent's, so the list is [t1, t4, t3, t2]; every vma of it covers the page.
 *   <li>pte_chains' chain (2.6.0 page_add_rmap): t1's pte direct, t2's converts it to a chain with
 *       t1's in slot NRPTE-1 and t2's in NRPTE-2, then t3's in NRPTE-3 and t4's in NRPTE-4; the walk
 *       runs from the head's first used slot: [t4, t3, t2, t1]. (NRPTE is 7 on x86_64.)
 * </ul>
 */
class ReclaimWalkTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final String[] DESIGNS = {"anon_vma_chain", "anon_vma", "pte_chains", "anonmm", "lokier"};

    /** The machine, the four tasks and the page (see the class comment). */
    record Shared(CheckedSyscalls s, Task[] t, long a, int pfn) {
        Machine k() {
            return s.machine();
        }

        RmapStats st() {
            return s.machine().design().stats();
        }
    }

    static Shared shared(String design) {
        Machine k = new Machine(new MachineConfig(16L << 20, 16L << 20, "x86_64"), RmapDesigns.create(design));
        CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
        Task[] t = new Task[4];
        t[0] = s.initTask();
        long a = s.mmap(t[0], 0, P, RW, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS);
        assertEquals(0, s.write(t[0], a, P, 0x5A));
        for (int i = 1; i < 4; i++) {
            t[i] = s.fork(t[0]);
        }
        for (int i = 1; i < 4; i++) {
            assertEquals(Syscalls.ACCESS_OK, s.read(t[i], a, P, new Syscalls.ReadResult()));
        }
        long slot = PageTable.lookup(k.frames(), t[0].mm().pgd(), a);
        int pfn = PageTable.ptePfn(PageTable.get(k.frames(), slot));
        assertEquals(4, k.frames().mapcount[pfn], design);
        return new Shared(s, t, a, pfn);
    }

    /**
     * try_to_unmap stops at the first SWAP_FAIL, inside the walk: t3 mlocks its mapping and the
     * page is unmapped with the references ignored (MADV_PAGEOUT's way), so VM_LOCKED is the only
     * failure. i_mmap [t1, t4, t3, t2]: t1 and t4 unmapped, t3 fails (2.6.11 try_to_unmap_file:
     * {@code if (ret == SWAP_FAIL || !page_mapped(page)) goto out}; today's walk_abort), t2 never
     * visited — 3 vmas visited, 3 ptes checked, mapcount 4 - 2 = 2. pte_chains [t4, t3, t2, t1]:
     * t4 unmapped, t3 fails (2.6.0 try_to_unmap: {@code case SWAP_FAIL: goto out}) — 2 vmas
     * (one find_vma per chain entry), 2 ptes, mapcount 3. Before, the walk ran to its end and the
     * ptes were acted on after: 4 vmas and 4 ptes in every design.
     */
    @Test
    void tryToUnmapStopsAtTheFirstMlockedPte() {
        for (String d : DESIGNS) {
            Shared sh = shared(d);
            assertEquals(0, sh.s().mlock(sh.t()[2], sh.a(), P));
            RmapStats st = sh.st();
            long w = st.walks;
            long v = st.walkVmasVisited;
            long p = st.walkPtesChecked;
            long failed = sh.k().rmap.unmapsFailedLocked;
            assertEquals(Rmap.SWAP_FAIL, sh.k().rmap.tryToUnmap(sh.pfn(), true), d);
            boolean chains = d.equals("pte_chains");
            assertEquals(1, st.walks - w, d);
            assertEquals(chains ? 2 : 3, st.walkVmasVisited - v, d + ": vmas visited");
            assertEquals(chains ? 2 : 3, st.walkPtesChecked - p, d + ": ptes checked");
            assertEquals(chains ? 3 : 2, sh.k().frames().mapcount[sh.pfn()], d + ": ptes left");
            assertEquals(1, sh.k().rmap.unmapsFailedLocked - failed, d);
            sh.s().finish();
        }
    }

    /**
     * pte_chains releases each unmapped pte's slot in place (2.6.0 try_to_unmap: the head's first
     * pte moves into the visited slot, no search): unmapping all four ptes scans no slot at all,
     * where a page_remove_rmap from the head per pte would have scanned 1 + 1 + 1 + 1 (each removed
     * pte is the head's first: 4) — and on a page whose walk order differs from the chain's a whole
     * chain per pte. The chain's one block is freed with its last pte.
     */
    @Test
    void pteChainsReleasesSlotsInPlace() {
        Shared sh = shared("pte_chains");
        org.rmaplab.rmap.ptechains.PteChainsDesign d = (org.rmaplab.rmap.ptechains.PteChainsDesign) sh.k().design();
        long scanned = d.stats().removeSlotsScanned;
        long freed = d.stats().chainFrees;
        assertEquals(Rmap.SWAP_SUCCESS, sh.k().rmap.tryToUnmap(sh.pfn(), true));
        assertEquals(0, sh.k().frames().mapcount[sh.pfn()]);
        assertEquals(0, d.stats().removeSlotsScanned - scanned, "no chain search");
        assertEquals(1, d.stats().chainFrees - freed, "the head block freed with its last pte");
        assertEquals(0, d.blocksOf(sh.pfn()));
        sh.s().finish();
    }

    /**
     * page_referenced on the page with t3's mapping mlocked, twice: the first call clears the young
     * bits, the second counts only what the era counts without them.
     * <ul>
     *   <li>2.6.0 (pte_chains): page_referenced tests every pte of the chain, no VM_LOCKED test: 4
     *       vmas, 4 ptes each time; 0 references the second time.
     *   <li>2004 object-based (anon_vma 2.6.7, anonmm 2.6.6-mm, lokier): page_referenced_file
     *       meets t1 (pte checked), t4 (pte checked), then t3 whose vma is VM_LOCKED|VM_MAYSHARE:
     *       {@code referenced++; break} before its pte — 3 vmas, 2 ptes each time; 1 reference
     *       the second time.
     *   <li>today (anon_vma_chain): folio_referenced_one() meets t1's pte, t4's, then t3's in its
     *       VM_LOCKED vma: counted off mapcount, not tested, and the walk ends ({@code return
     *       false; /* To break the loop *&#47;}) — 3 vmas, 3 ptes each time, t2 never visited; 0
     *       references the second time (reclaim never meets the page: it is off the LRU).
     * </ul>
     */
    @Test
    void pageReferencedStopsAtALockedSharedVmaIn2004() {
        for (String d : DESIGNS) {
            Shared sh = shared(d);
            assertEquals(0, sh.s().mlock(sh.t()[2], sh.a(), P));
            boolean objrmap = sh.k().traits().reclaim() == ReclaimEra.OBJRMAP;
            RmapStats st = sh.st();
            sh.k().rmap.pageReferenced(sh.pfn());
            long v = st.walkVmasVisited;
            long p = st.walkPtesChecked;
            int referenced = sh.k().rmap.pageReferenced(sh.pfn());
            boolean today = sh.k().traits().reclaim() == ReclaimEra.TODAY;
            assertEquals(objrmap ? 1 : 0, referenced, d);
            assertEquals(objrmap || today ? 3 : 4, st.walkVmasVisited - v, d + ": vmas visited");
            assertEquals(objrmap ? 2 : today ? 3 : 4, st.walkPtesChecked - p, d + ": ptes checked");
            long t2pte = PageTable.get(sh.k().frames(), PageTable.lookup(sh.k().frames(), sh.t()[1].mm().pgd(), sh.a()));
            // t2's young bit (its read) survives both calls where the walk ends before it.
            assertEquals(objrmap || today, (t2pte & PageTable.ACCESSED) != 0, d + ": t2's pte still young");
            sh.s().finish();
        }
    }

    /**
     * try_to_unmap_one's young-pte test is the object-based rmap's (2.6.6-mm's and 2.6.11's
     * {@code (vma->vm_flags & VM_LOCKED) || ptep_clear_flush_young(...)}: SWAP_FAIL); 2.6.0's
     * has none, nor today's (013339df116c). All four ptes are young (just touched): under
     * OBJRMAP the walk fails at its first pte, t1's (1 vma, 1 pte, its bit cleared, nothing
     * unmapped); under 2.6.0 and today every pte is unmapped (4 vmas, 4 ptes).
     */
    @Test
    void aYoungPteFailsTheUnmapOnlyInTheObjectBasedEra() {
        for (String d : DESIGNS) {
            Shared sh = shared(d);
            boolean objrmap = sh.k().traits().reclaim() == ReclaimEra.OBJRMAP;
            RmapStats st = sh.st();
            long v = st.walkVmasVisited;
            long p = st.walkPtesChecked;
            long young = sh.k().rmap.unmapsFailedYoung;
            int r = sh.k().rmap.tryToUnmap(sh.pfn(), false);
            assertEquals(objrmap ? Rmap.SWAP_FAIL : Rmap.SWAP_SUCCESS, r, d);
            assertEquals(objrmap ? 1 : 0, sh.k().rmap.unmapsFailedYoung - young, d);
            assertEquals(objrmap ? 1 : 4, st.walkVmasVisited - v, d + ": vmas visited");
            assertEquals(objrmap ? 1 : 4, st.walkPtesChecked - p, d + ": ptes checked");
            assertEquals(objrmap ? 4 : 0, sh.k().frames().mapcount[sh.pfn()], d);
            sh.s().finish();
        }
    }

    /**
     * anonmm walks once: a page written by t1, which forks t2 and t3 and exits, names t1's
     * extinct anonmm. page_referenced_anon (2.6.6-mm) re-homes it in the same pass: the indicated
     * mm is extinct (new_anonmm = NULL), then down the list t2 (pte found: new_anonmm = t2's
     * anonmm), t3 (found: mapcount 0) — one walk, 2 mms visited, 2 ptes checked, and the page
     * names t2's anonmm. Before, a second walk re-homed it: 2 walks.
     */
    @Test
    void anonmmRehomesInTheSameWalk() {
        Machine k = new Machine(new MachineConfig(16L << 20, 16L << 20, "x86_64"), RmapDesigns.create("anonmm"));
        CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
        Task t1 = s.initTask();
        long a = s.mmap(t1, 0, P, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        assertEquals(0, s.write(t1, a, P, 7));
        Task t2 = s.fork(t1);
        Task t3 = s.fork(t1);
        long slot = PageTable.lookup(k.frames(), t2.mm().pgd(), a);
        int pfn = PageTable.ptePfn(PageTable.get(k.frames(), slot));
        Object extinct = k.frames().mapping[pfn];
        assertEquals(0, s.exit(t1));
        RmapStats st = k.design().stats();
        long w = st.walks;
        long v = st.walkVmasVisited;
        long p = st.walkPtesChecked;
        k.rmap.pageReferenced(pfn);
        assertEquals(1, st.walks - w, "one walk");
        assertEquals(2, st.walkVmasVisited - v, "mms visited");
        assertEquals(2, st.walkPtesChecked - p);
        assertNotSame(extinct, k.frames().mapping[pfn], "re-homed");
        assertSame(t2.mm().rmapPriv, k.frames().mapping[pfn], "to the first live mm mapping it");
        assertEquals(Syscalls.ACCESS_OK, s.read(t3, a, P, new Syscalls.ReadResult()));
        s.finish();
    }

    /**
     * Shared pages mlocked by every mapper: 64 pages of a MAP_SHARED|MAP_ANONYMOUS mapping, mapped
     * and mlocked by t1..t4, then {@code reclaim all}. Nothing can be freed; what each era spends
     * finding that out:
     * <ul>
     *   <li>today (anon_vma_chain): mlock took every page off the LRU (mlock_folio); reclaim never
     *       meets one: 0 walks (before the unevictable list: 504 walks of 4 ptes each).
     *   <li>2004 object-based (anon_vma, anonmm, lokier): every walk is a page_referenced (a
     *       referenced page is kept active, so try_to_unmap is never reached), and
     *       page_referenced_file stops at the first vma, t1's, VM_LOCKED|VM_MAYSHARE, before its
     *       pte: 1 vma and 0 ptes per walk.
     *   <li>2.6.0 (pte_chains): page_referenced has no VM_LOCKED test and tests the whole chain,
     *       4 ptes; try_to_unmap stops at the chain's first entry, t4's, VM_LOCKED: 1 pte. So
     *       every walk checks 4 or 1 ptes, and ptes checked = 4 x page_referenced calls + 1 x
     *       try_to_unmap calls.
     * </ul>
     */
    @Test
    void sharedPagesMlockedByEveryMapper() {
        for (String d : DESIGNS) {
            Machine k = new Machine(new MachineConfig(16L << 20, 16L << 20, "x86_64"), RmapDesigns.create(d));
            CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.END);
            Task[] t = new Task[4];
            t[0] = s.initTask();
            long a = s.mmap(t[0], 0, 64 * P, RW, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS);
            assertEquals(0, s.write(t[0], a, 64 * P, 3));
            for (int i = 1; i < 4; i++) {
                t[i] = s.fork(t[0]);
            }
            for (int i = 0; i < 4; i++) {
                assertEquals(0, s.mlock(t[i], a, 64 * P), d);
            }
            RmapStats st = k.design().stats();
            long w = st.walks;
            long v = st.walkVmasVisited;
            long p = st.walkPtesChecked;
            long refs = k.rmap.referencedChecks;
            long unmaps = k.rmap.unmapsTried;
            assertEquals(0, s.reclaim(Long.MAX_VALUE), d);
            long walks = st.walks - w;
            switch (k.traits().reclaim()) {
                case TODAY -> assertEquals(0, walks, d + ": never walked");
                case OBJRMAP -> {
                    assertEquals(k.rmap.referencedChecks - refs, walks, d + ": page_referenced only");
                    assertEquals(0, k.rmap.unmapsTried - unmaps, d);
                    assertEquals(walks, st.walkVmasVisited - v, d + ": one vma per walk");
                    assertEquals(0, st.walkPtesChecked - p, d + ": no pte");
                }
                case V2_6_0 -> {
                    long r = k.rmap.referencedChecks - refs;
                    long u = k.rmap.unmapsTried - unmaps;
                    assertEquals(r + u, walks, d);
                    assertEquals(4 * r + u, st.walkPtesChecked - p, d + ": 4 per page_referenced, 1 per try_to_unmap");
                    assertEquals(4, st.walkPtes().getMaxValue(), d);
                }
            }
            s.finish();
        }
    }
}
