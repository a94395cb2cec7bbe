package org.rmaplab.rmap.ptechains;

import org.rmaplab.mm.DesignTraits;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.FileRmap;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapHost;
import org.rmaplab.mm.RmapSelfCheck;
import org.rmaplab.mm.RmapStructure;
import org.rmaplab.mm.RmapWalkControl;
import org.rmaplab.mm.ReclaimEra;

/**
 * pte_chains — Rik van Riel's reverse mapping as in Linux 2.6.0 (mm/rmap.c): every pte that maps a
 * page is recorded in the page itself, as a direct pointer while there is one ({@code PG_direct})
 * or in a chain of cache-line sized {@code struct pte_chain} blocks. See {@code package-info.java}
 * for the design, the kernel functions mirrored and every simplification.
 *
 * <p>State: {@link #pte} is the {@code page->pte} union per frame (a pte slot when the page is
 * PG_direct, else the handle of the chain's head block, 0 for none); {@link #PG_DIRECT} is a design
 * flag in {@code Frames.flags}; the blocks live in a {@link PteChainPool}. Per vma there is only
 * the marker {@link #FAULTED} in {@code vma.anonVma} (see package-info); nothing per mm.
 *
 * <p>Invariants (checked by {@link #checkInvariants}): a PG_direct page holds exactly one pte slot
 * and has mapcount 1; a chain holds exactly mapcount slots, all distinct and all mapping the page;
 * only the head block has free slots, packed at its start, and the head holds at least one pte;
 * every block in use belongs to exactly one chain; free blocks are zeroed; pages with no mapping
 * hold nothing.
 *
 * <p>Variants: wli's step (b) ({@code mlockedUnchained}, {@link MlockedPtes}: the direct pointer or
 * chain holds exactly mapcount minus {@link #unchainedPtes} ptes, a page with unchained ptes is
 * PG_mlocked and off the LRU); the -mm tree's objrmap hybrid and wli's step (c) on it
 * ({@link ObjRmap}: file pages counted and found through i_mmap, only what a linear probe cannot
 * find chained). docs/reference.md#wli-three-steps.
 */
public final class PteChainsDesign implements RmapDesign, RmapSelfCheck, RmapStructure {
    /** PG_direct: page->pte.direct holds the page's only pte (include/linux/page-flags.h). */
    public static final int PG_DIRECT = 1 << Frames.PG_DESIGN_SHIFT;

    /**
     * What {@code vma.anonVma} holds once an anonymous page was added to the vma. 2.6.0 has no
     * anon_vma; the core reads "vma has an anon_vma" for today's rules that do not depend on the
     * rmap design (VM_ACCOUNT on mprotect, DONTUNMAP), so the design keeps that one bit of truth.
     * It is the same object for every vma: it never stops a merge.
     */
    static final Object FAULTED = new Object() {
        @Override
        public String toString() {
            return "anon-faulted";
        }
    };

    private final int l1CacheBytesParam;
    /**
     * wli's step (b) (docs/reference.md#wli-three-steps): ptes of VM_LOCKED vmas are not chained; see the
     * class comment.
     * Off in the registered {@code pte_chains} (2.6.0 chained every pte).
     */
    private final boolean mlockedUnchained;
    private final DesignTraits traits;
    final PteChainsStats stats = new PteChainsStats();
    private RmapHost host;
    Frames frames;
    private PteChainGeometry geometry;
    PteChainPool pool;
    int nrpte;
    /** page->pte: the union { pte_addr_t direct; struct pte_chain *chain; } per frame. */
    long[] pte;
    /** Step (b)'s counter of unchained mlocked ptes ({@link MlockedPtes}); null unless {@link #mlockedUnchained}. */
    private MlockedPtes locked;
    /**
     * The -mm tree's objrmap hybrid (file pages through i_mmap; {@link ObjRmap}), or null for 2.6.0,
     * which chained every pte.
     */
    private final ObjRmap objrmap;

    /**
     * What the last slot of a file page's first chain block holds under wli's step (c)
     * ({@link ObjRmap.Mode#NONLINEAR_CHAINS}): the page's mapcount, "shoehorned into the first
     * pte_chain block dangling off it". Never a pte slot (those are positive); walks skip it.
     */
    static final long MAPCOUNT_SLOT = -1L;

    /** L1 line size of the machine's arch profile (PteChainGeometry#defaultL1CacheBytes). */
    public PteChainsDesign() {
        this(0);
    }

    /**
     * @param l1CacheBytes L1_CACHE_BYTES (16, 32, 64, 128, 256), or 0 for the arch profile's
     *                     default; checked against the arch when the kernel boots
     */
    public PteChainsDesign(int l1CacheBytes) {
        this(l1CacheBytes, false);
    }

    /**
     * With {@code mlockedUnchained}, wli's step (b) ({@link MlockedPtes}). Variants keep the name
     * {@code pte_chains}, so scenarios' {@code expect:pte_chains} lines and the cost model's sizes
     * apply to them unchanged.
     */
    public PteChainsDesign(int l1CacheBytes, boolean mlockedUnchained) {
        this(l1CacheBytes, mlockedUnchained, null);
    }

    /**
     * With objrmap non-null, the -mm tree's hybrid ({@link ObjRmap}): file pages found through
     * objrmap's i_mmap lists, anonymous pages chained, a page at a nonlinear address converted
     * ({@link ObjRmap.Mode#CONVERT}) or only its nonlinear ptes chained (wli's step (c)).
     */
    private PteChainsDesign(int l1CacheBytes, boolean mlockedUnchained, ObjRmap.Mode objrmap) {
        this.l1CacheBytesParam = l1CacheBytes;
        this.mlockedUnchained = mlockedUnchained;
        this.objrmap = objrmap == null ? null : new ObjRmap(this, objrmap);
        this.traits = DesignTraits.ERA_2004.withAnonMergeNeedsPgoff(false).withSwapEntryInIndex(true)
                .withTellsMovedPtes(true).withChainsNonlinearPtes(true)
                .withIMmapKind(objrmap == null ? FileRmap.IMmap.LIST : FileRmap.IMmap.OBJRMAP_LIST)
                .withUnchainsLockedPtes(mlockedUnchained).withReclaim(ReclaimEra.V2_6_0);
    }

    /**
     * The -mm tree's objrmap hybrid of 2003 ({@code pte_chains:objrmap}): file pages through
     * i_mmap, anonymous pages chained, page_convert_anon() for a page remapped to a nonlinear
     * address.
     */
    public static PteChainsDesign objrmap() {
        return new PteChainsDesign(0, false, ObjRmap.Mode.CONVERT);
    }

    /**
     * wli's step (c) on that hybrid ({@code pte_chains:objrmap_nlchains}): only the ptes of file
     * pages at nonlinear addresses are chained, the page's mapcount in the chain's first block.
     */
    public static PteChainsDesign objrmapNonlinearChains() {
        return new PteChainsDesign(0, false, ObjRmap.Mode.NONLINEAR_CHAINS);
    }

    /** The step (b) variant with the arch's line size: {@code new PteChainsDesign(0, true)}. */
    public static PteChainsDesign withMlockedUnchained() {
        return new PteChainsDesign(0, true);
    }

    /** Is this the step (b) variant? */
    public boolean mlockedUnchained() {
        return mlockedUnchained;
    }

    /**
     * 2.6.0: dup_mmap() called copy_page_range() for every vma, shared ones included;
     * can_vma_merge_after() and _before() return 1 for any anonymous mapping; mremap moved pte by pte
     * (move_page_tables → move_one_page), each chain entry rewritten; file pages are chained too, so
     * the walk never reads i_mmap (a pair of lists in 2.6.0) and checks only the ptes on the page's
     * chain. The swap entry lives in page-&gt;index: add_to_swap_cache() →
     * add_to_page_cache(page, &amp;swapper_space, entry.val) put a page of the swap cache at index
     * entry.val (mapping = &amp;swapper_space), which an anonymous page of 2.6.0 does not otherwise
     * use, and delete_from_swap_cache() read it back from there, so the frames need no swap-slot
     * column under this design (the model keeps 2.6.7's PG_SWAPCACHE flag for the core's tests
     * rather than comparing mapping with &amp;swapper_space, and leaves mapping null). With
     * {@link #mlockedUnchained}, wli's step (b): ptes of VM_LOCKED vmas are not chained.
     */
    @Override
    public DesignTraits traits() {
        return traits;
    }

    @Override
    public String name() {
        return "pte_chains";
    }

    /** pte_chain_init(): the block cache, sized by the machine's arch; the page->pte column. */
    @Override
    public void attach(RmapHost k) {
        this.host = k;
        this.frames = k.frames();
        this.geometry = PteChainGeometry.of(k.config().arch(), l1CacheBytesParam);
        this.nrpte = geometry.nrpte();
        this.pool = new PteChainPool(geometry);
        this.pte = new long[frames.nrFrames()];
        this.locked = mlockedUnchained ? new MlockedPtes(this, k) : null;
    }

    @Override
    public PteChainsStats stats() {
        return stats;
    }

    RmapHost host() {
        return host;
    }

    /** The objrmap hybrid's file side, or null (2.6.0: every pte chained). */
    ObjRmap objrmapSide() {
        return objrmap;
    }

    /** Does the hybrid count (not chain) this page's ptes, apart from those it chains? */
    private boolean objectBased(int pfn) {
        return objrmap != null && objrmap.isFile(pfn);
    }

    // ------------------------------------------------------------------ for reports and tests

    /** The block shape in use (NRPTE, bytes per block). */
    public PteChainGeometry geometry() {
        return geometry;
    }

    /** pte_chain blocks in use now. */
    public int blocksAlive() {
        return pool.alive();
    }

    /** Bytes of pte_chain blocks in use now. */
    public long chainBytes() {
        return (long) pool.alive() * geometry.blockBytes();
    }

    /** PageDirect(page). */
    public boolean isDirect(int pfn) {
        return (frames.flags[pfn] & PG_DIRECT) != 0;
    }

    /** Blocks in the page's chain (0 for a direct page or an unmapped one). */
    public int blocksOf(int pfn) {
        if (isDirect(pfn)) {
            return 0;
        }
        int n = 0;
        for (int h = (int) pte[pfn]; h != 0; h = pool.next(h)) {
            n++;
        }
        return n;
    }

    /** ptes recorded for the page (1 for a direct page). */
    public int ptesOf(int pfn) {
        if (isDirect(pfn)) {
            return 1;
        }
        int n = 0;
        for (int h = (int) pte[pfn]; h != 0; h = pool.next(h)) {
            n += nrpte - pool.idx(h);
            if (pool.next(h) == 0 && pool.pte(h, nrpte - 1) == MAPCOUNT_SLOT) {
                n--; // the mapcount's slot (step (c))
            }
        }
        return n;
    }

    /** Free slots in the head block of the page's chain (0 when direct or unmapped). */
    public int headFreeSlots(int pfn) {
        if (isDirect(pfn) || pte[pfn] == 0) {
            return 0;
        }
        return pool.idx((int) pte[pfn]);
    }

    /** The recorded pte slots in walk order (head block first, each from its first used slot). For tests. */
    public long[] slotsOf(int pfn) {
        long[] out = new long[isDirect(pfn) ? 1 : ptesOf(pfn)];
        if (isDirect(pfn)) {
            out[0] = pte[pfn];
            return out;
        }
        int n = 0;
        for (int h = (int) pte[pfn]; h != 0; h = pool.next(h)) {
            for (int i = pool.idx(h); i < nrpte; i++) {
                if (pool.pte(h, i) != MAPCOUNT_SLOT) {
                    out[n++] = pool.pte(h, i);
                }
            }
        }
        return out;
    }

    /** The page's pte chain as the explorer draws it ({@link PteChainsStructure}). */
    @Override
    public RmapStructure.Node pageStructure(int pfn) {
        return new PteChainsStructure(this).structure(pfn);
    }

    /** The block pool, for tests that corrupt it on purpose. */
    PteChainPool pool() {
        return pool;
    }

    /** The head block's handle (or the direct slot), for tests. */
    long pteField(int pfn) {
        return pte[pfn];
    }

    // ------------------------------------------------------------------ blocks

    int chainAlloc() {
        stats.chainAllocs++;
        stats.object("pte_chain", 1);
        return pool.alloc();
    }

    /** __pte_chain_free(). */
    void chainFree(int h) {
        stats.chainFrees++;
        stats.object("pte_chain", -1);
        pool.free(h);
    }

    private void setDirect(int pfn, long slot) {
        pte[pfn] = slot;
        frames.flags[pfn] |= PG_DIRECT;
        stats.object("pg_direct", 1);
    }

    private void clearDirect(int pfn) {
        frames.flags[pfn] &= ~PG_DIRECT;
        stats.object("pg_direct", -1);
    }

    // ------------------------------------------------------------------ page_add_rmap / page_remove_rmap

    /**
     * page_add_rmap(): the first pte becomes the direct pointer; a second one converts the page to
     * a chain (the old direct pte in the last slot, the new one before it); later ones fill the
     * head's last free slot, or go into a new head block when the head is full.
     */
    void pageAddRmap(int pfn, long ptep) {
        if (pte[pfn] == 0) {
            setDirect(pfn, ptep);
            return;
        }
        if (isDirect(pfn)) {
            // Convert a direct pointer into a pte_chain.
            clearDirect(pfn);
            int pc = chainAlloc();
            pool.setPte(pc, nrpte - 1, pte[pfn]);
            pool.setPte(pc, nrpte - 2, ptep);
            pool.setNextAndIdx(pc, pool.encode(0, nrpte - 2));
            pte[pfn] = pc;
            stats.directToChain++;
            stats.object("pg_chained", 1);
            return;
        }
        int cur = (int) pte[pfn];
        if (pool.pte(cur, 0) != 0) {
            // It's full: a new head block in front of it.
            int pc = chainAlloc();
            pool.setNextAndIdx(pc, pool.encode(cur, nrpte - 1));
            pool.setPte(pc, nrpte - 1, ptep);
            pte[pfn] = pc;
            return;
        }
        pool.setPte(cur, pool.idx(cur) - 1, ptep);
        pool.addIdx(cur, -1);
    }

    /**
     * page_remove_rmap(): a direct page just forgets its pte; otherwise a linear search of the
     * chain, the head's first pte moves into the victim's slot, and an emptied head block is freed.
     * A chain left with one pte stays a chain (see {@link #pageReferenced}).
     */
    void pageRemoveRmapInternal(int pfn, long ptep) {
        if (isDirect(pfn)) {
            stats.removeSlotsScanned++;
            if (pte[pfn] == ptep) {
                pte[pfn] = 0;
                clearDirect(pfn);
                return;
            }
            throw new IllegalStateException("page_remove_rmap: pfn " + pfn + " is direct to another pte");
        }
        int start = (int) pte[pfn];
        if (start == 0) {
            throw new IllegalStateException("page_remove_rmap: pfn " + pfn + " has no reverse mapping");
        }
        int victimI = pool.idx(start);
        for (int pc = start, next; pc != 0; pc = next) {
            next = pool.next(pc);
            for (int i = pool.idx(pc); i < nrpte; i++) {
                stats.removeSlotsScanned++;
                if (pool.pte(pc, i) != ptep) {
                    continue;
                }
                pool.setPte(pc, i, pool.pte(start, victimI));
                pool.setPte(start, victimI, 0);
                if (victimI == nrpte - 1) {
                    // Emptied a pte_chain.
                    pte[pfn] = pool.next(start);
                    chainFree(start);
                    if (pte[pfn] == 0) {
                        stats.object("pg_chained", -1); // the page's last pte went with its last block
                    }
                } else {
                    pool.addIdx(start, 1);
                }
                return;
            }
        }
        throw new IllegalStateException("page_remove_rmap: pte not in the chain of pfn " + pfn);
    }

    // ------------------------------------------------------------------ step (b): mlocked ptes unchained

    /** Does a pte of this vma go unchained? Only under step (b), for a VM_LOCKED vma. */
    private boolean unchained(Vma vma) {
        return locked != null && (vma.flags() & Vma.VM_LOCKED) != 0;
    }

    /** page_add_rmap() under step (b): a pte of a VM_LOCKED vma is counted, not chained. */
    void addPte(int pfn, Vma vma, long ptep) {
        if (unchained(vma)) {
            locked.add(pfn);
        } else {
            pageAddRmap(pfn, ptep);
        }
    }

    /**
     * page_remove_rmap() under step (b): a pte of a VM_LOCKED vma only drops the counter — there is
     * no chain entry to search for, whether the page has a chain for other ptes or not.
     */
    void removePte(int pfn, Vma vma, long ptep) {
        if (unchained(vma)) {
            locked.remove(pfn);
        } else {
            pageRemoveRmapInternal(pfn, ptep);
        }
    }

    /** Ptes of VM_LOCKED vmas mapping the page and not on its chain (step (b)'s counter). */
    public int unchainedPtes(int pfn) {
        return locked == null ? 0 : locked.count(pfn);
    }

    /** mlock_fixup() changed VM_LOCKED on [start, end) of vma: step (b) moves its ptes ({@link MlockedPtes}). */
    @Override
    public void vmaLockChanged(Vma vma, long start, long end) {
        if (locked != null) {
            locked.lockChanged(vma, start, end);
        }
    }

    // ------------------------------------------------------------------ page_referenced

    /**
     * page_referenced(): tests and clears the accessed bit of every pte mapping the page and
     * returns how many were set; a chain found to hold a single pte is turned back into a direct
     * pointer here, and only here ("This way, it's only done under memory pressure"). The reclaim
     * issue calls it; PG_referenced and page_test_and_clear_young (s390's storage key) are not
     * modelled.
     */
    public int pageReferenced(int pfn) {
        stats.pageReferencedCalls++;
        stats.beginWalk();
        int referenced = 0;
        if (isDirect(pfn)) {
            stats.walkPtesChecked++;
            if (PageTable.testAndClearYoung(frames, pte[pfn])) {
                referenced++;
            }
        } else {
            int nrChains = 0;
            for (int pc = (int) pte[pfn]; pc != 0; pc = pool.next(pc)) {
                for (int i = pool.idx(pc); i < nrpte; i++) {
                    if (pool.pte(pc, i) == MAPCOUNT_SLOT) {
                        continue;
                    }
                    stats.walkPtesChecked++;
                    if (PageTable.testAndClearYoung(frames, pool.pte(pc, i))) {
                        referenced++;
                    }
                    nrChains++;
                }
            }
            if (nrChains == 1 && (objrmap == null || !objrmap.hasMapcountSlot(pfn))) {
                collapse(pfn); // a step (c) chain keeps its block: the union holds no mapcount
            }
        }
        stats.pageReferencedYoung += referenced;
        return referenced;
    }

    /** A chain holding one pte becomes a direct pointer again (page_referenced's tail). */
    private void collapse(int pfn) {
        int pc = (int) pte[pfn];
        long direct = pool.pte(pc, nrpte - 1);
        pool.setPte(pc, nrpte - 1, 0);
        chainFree(pc);
        stats.object("pg_chained", -1);
        setDirect(pfn, direct);
        stats.collapses++;
    }

    /**
     * The core's page_referenced() walked the chain and cleared the young bits; what 2.6.0's
     * page_referenced() did besides is the lazy collapse of a one-pte chain.
     */
    @Override
    public void afterPageReferenced(int pfn) {
        stats.pageReferencedCalls++;
        if (isDirect(pfn) || pte[pfn] == 0) {
            return;
        }
        int pc = (int) pte[pfn];
        if (pool.next(pc) == 0 && pool.idx(pc) == nrpte - 1) {
            collapse(pfn);
        }
    }

    // ------------------------------------------------------------------ mm lifecycle (nothing)

    // ------------------------------------------------------------------ vma lifecycle (the marker only)

    /** No anon_vma_prepare in 2.6.0: only the {@link #FAULTED} marker. */
    @Override
    public int anonVmaPrepare(Vma vma) {
        if (vma.anonVma == null) {
            vma.anonVma = FAULTED;
        }
        return 0;
    }

    @Override
    public int vmaFork(Vma src, Vma dst) {
        dst.anonVma = src.anonVma;
        return 0;
    }

    @Override
    public int vmaSplit(Vma orig, Vma piece) {
        piece.anonVma = orig.anonVma;
        return 0;
    }

    @Override
    public int vmaCopy(Vma src, Vma dst) {
        if (dst.anonVma == null) {
            dst.anonVma = src.anonVma;
        }
        return 0;
    }

    /** Nothing per vma stops a merge: 2.6.0's vma_merge() knew no anon_vma. */
    @Override
    public boolean isMergeableAnonVma(Vma tgt, Object srcAnon, Vma src) {
        return true;
    }

    @Override
    public boolean anonVmasCompatible(Vma prev, Vma next) {
        return true;
    }

    @Override
    public int vmaMerged(Vma survivor, Vma removed) {
        if (survivor.anonVma == null) {
            survivor.anonVma = removed.anonVma;
        }
        return 0;
    }

    @Override
    public void vmaAdjusted(Vma vma, long oldStart, long oldEnd, long oldPgoff) {
    }

    @Override
    public void vmaUnlinked(Vma vma) {
        vma.anonVma = null;
    }

    // ------------------------------------------------------------------ pages and ptes

    /**
     * do_anonymous_page() / do_wp_page()'s new page: page_add_rmap() makes it direct. An anonymous
     * page of 2.6.0 has no mapping (page->mapping NULL) and no meaningful index.
     */
    @Override
    public void pageAddNewAnon(int pfn, Vma vma, long address, long ptep) {
        frames.mapping[pfn] = null;
        frames.index[pfn] = 0;
        addPte(pfn, vma, ptep);
    }

    /**
     * do_swap_page() of 2.6.0: page_add_rmap() only. The page stays in swapper_space, its swap
     * entry in index, until it leaves the swap cache; nothing else of the page changes.
     */
    @Override
    public void pageAddSwapinAnon(int pfn, Vma vma, long address, long ptep, boolean exclusive) {
        addPte(pfn, vma, ptep);
    }

    /**
     * do_no_page() / copy_page_range() / install_page(): 2.6.0 chains file and shmem pages like any
     * other; the objrmap hybrid counts them, chaining only as {@link ObjRmap#add} says.
     */
    @Override
    public void pageAddFileRmap(int pfn, Vma vma, long address, long ptep) {
        if (objectBased(pfn)) {
            objrmap.add(pfn, vma, address, ptep);
        } else {
            addPte(pfn, vma, ptep);
        }
    }

    /** copy_page_range() → copy_one_pte: page_add_rmap() for the child's pte. */
    @Override
    public void pageDupRmap(int pfn, Vma dstVma, long address, long dstPtep) {
        if (org.rmaplab.mm.FaultInject.on(org.rmaplab.mm.FaultInject.Bug.PTECHAINS_DUP_FORGETS_PTE)) {
            return;
        }
        addPte(pfn, dstVma, dstPtep);
    }

    /**
     * zap_pte_range(), do_wp_page() (the old page): page_remove_rmap(). The pte that
     * {@link #rmapWalk} is visiting, unmapped by try_to_unmap_one, is released by the walk itself
     * (2.6.0's try_to_unmap), not searched for here.
     */
    @Override
    public void pageRemoveRmap(int pfn, Vma vma, long address, long ptep) {
        if (pfn == walkPfn && ptep == walkSlot && !walkReleased && !unchained(vma)) {
            walkReleased = true;
            return;
        }
        if (objectBased(pfn)) {
            objrmap.remove(pfn, vma, address, ptep);
        } else if (!org.rmaplab.mm.FaultInject.on(org.rmaplab.mm.FaultInject.Bug.PTECHAINS_REMOVE_KEEPS_PTE)) {
            removePte(pfn, vma, ptep);
        }
    }

    /** do_wp_page() reusing a page (can_share_swap_page): the pte stays, the chain is unchanged. */
    @Override
    public void pageReuseAnon(int pfn, Vma vma, long address) {
    }

    /** free_pages_check(): a page must leave with no rmap left (page->pte.direct == 0). */
    @Override
    public void pageFreed(int pfn) {
        if (pte[pfn] != 0 || isDirect(pfn) || unchainedPtes(pfn) != 0) {
            throw new IllegalStateException("pfn " + pfn + " freed with a reverse mapping");
        }
        frames.flags[pfn] &= ~ObjRmap.PG_CONVERTED; // free_pages_check(): ClearPageAnon (objrmap)
    }

    /** mremap.c copy_one_pte(): page_remove_rmap(page, src), then page_add_rmap(page, dst). */
    @Override
    public void ptemoved(int pfn, Vma oldVma, long oldAddress, long oldPtep, Vma newVma, long newAddress, long newPtep) {
        if (objectBased(pfn)) {
            objrmap.remove(pfn, oldVma, oldAddress, oldPtep);
            objrmap.add(pfn, newVma, newAddress, newPtep);
            return;
        }
        removePte(pfn, oldVma, oldPtep);
        addPte(pfn, newVma, newPtep);
    }

    /**
     * UFFDIO_MOVE under pte_chains: the page's chain names ptes, so the source pte's entry is
     * removed and the destination's added (as mremap's move_one_page does). A page in the swap
     * cache behind a moved swap entry has no chain: nothing to do.
     */
    @Override
    public int pageMoveAnon(Frames f, int pfn, Vma srcVma, long srcAddr, long srcPtep, Vma dstVma,
            long dstAddr, long dstPtep) {
        if (srcPtep >= 0) {
            ptemoved(pfn, srcVma, srcAddr, srcPtep, dstVma, dstAddr, dstPtep);
        }
        return 0;
    }

    // ------------------------------------------------------------------ the walk

    /** The page whose chain {@link #rmapWalk} is walking, or -1; the slot it is visiting. */
    private int walkPfn = -1;
    private long walkSlot;
    /** Set by {@link #pageRemoveRmap} when the visitor unmapped the pte being visited. */
    private boolean walkReleased;

    /**
     * try_to_unmap()'s walk: every pte of the chain, or the direct one, each led back to its mm and
     * address through the page-table page (ptep_to_mm, ptep_to_address) and to its vma (find_vma
     * in try_to_unmap_one). It does not stop at mapcount — 2.6.0 kept no mapcount for these pages —
     * but the chain holds exactly the mapping ptes, so {@code ctl.done()} ends it at the last one.
     *
     * <p>When the visitor unmaps the pte it is handed (try_to_unmap_one's SWAP_SUCCESS), the core's
     * page_remove_rmap for it ({@link #pageRemoveRmap}) is left to this loop, which releases the
     * slot in place as 2.6.0's try_to_unmap() did: the head's first pte moves into the visited
     * slot ("If we're releasing the first pte in the first pte_chain then pc-&gt;ptes[i] and
     * start-&gt;ptes[victim_i] both refer to the same thing. It works out."), and the head is freed
     * when it empties. O(1) per pte, where a page_remove_rmap from the head would search the chain.
     */
    @Override
    public void rmapWalk(int pfn, RmapWalkControl ctl) {
        if (objectBased(pfn)) {
            objrmap.walk(pfn, ctl, false); // try_to_unmap_obj(), or the chain of a converted page
            return;
        }
        stats.beginWalk();
        walkChainOf(pfn, ctl);
    }

    /**
     * page_referenced(): the chain as {@link #rmapWalk} walks it (it holds exactly the mapping
     * ptes); the objrmap hybrid's file pages walk every vma of i_mmap (page_referenced_obj).
     */
    @Override
    public void pageReferencedWalk(int pfn, RmapWalkControl ctl) {
        if (objectBased(pfn)) {
            objrmap.walk(pfn, ctl, true);
        } else {
            rmapWalk(pfn, ctl);
        }
    }

    /** The direct pte or the chain of pfn, as try_to_unmap() walks them (the walk already begun). */
    void walkChainOf(int pfn, RmapWalkControl ctl) {
        if (isDirect(pfn)) {
            visit(pfn, pte[pfn], ctl); // a SWAP_SUCCESS cleared pte.direct and PG_direct (page_remove_rmap)
            return;
        }
        int saved = walkPfn;
        walkPfn = pfn;
        try {
            walkChain(pfn, ctl);
        } finally {
            walkPfn = saved;
        }
        if (objrmap != null) {
            objrmap.dropMapcountOnlyChain(pfn); // step (c): every nonlinear pte was unmapped
        }
    }

    /** 2.6.0's try_to_unmap() loop over the chain, releasing each unmapped pte's slot in place. */
    private void walkChain(int pfn, RmapWalkControl ctl) {
        int start = (int) pte[pfn];
        int victimI = start == 0 ? 0 : pool.idx(start);
        for (int pc = start, next; pc != 0; pc = next) {
            next = pool.next(pc);
            stats.walkChainBlocks++; // a cache line read: what the time estimate prices
            for (int i = pool.idx(pc); i < nrpte; i++) {
                long p = pool.pte(pc, i);
                if (p == MAPCOUNT_SLOT) {
                    continue; // step (c): the mapcount, in the first block's last slot
                }
                walkSlot = p;
                walkReleased = false;
                boolean stop = visit(pfn, p, ctl);
                if (walkReleased) {
                    // Release a slot.
                    pool.setPte(pc, i, pool.pte(start, victimI));
                    pool.setPte(start, victimI, 0);
                    victimI++;
                    if (victimI == nrpte) {
                        pte[pfn] = pool.next(start);
                        chainFree(start);
                        if (pte[pfn] == 0) {
                            stats.object("pg_chained", -1); // the page's last pte went with its last block
                        }
                        start = (int) pte[pfn];
                        victimI = 0;
                    } else {
                        pool.addIdx(start, 1);
                    }
                }
                if (stop) {
                    return;
                }
            }
        }
    }

    /** try_to_unmap_one() up to the pte: returns true when the walk must stop. */
    private boolean visit(int pfn, long ptep, RmapWalkControl ctl) {
        Mm mm = PageTable.slotMm(frames, ptep);
        long address = PageTable.slotAddress(frames, ptep);
        Vma vma = mm.vmaLookup(address);
        stats.walkVisit(mm, vma);
        if (vma == null) {
            return false; // "During mremap, it's possible pages are not in a VMA": SWAP_FAIL
        }
        long slot = host.pageMappedInMm(pfn, mm, address);
        if (slot < 0) {
            return false;
        }
        return ctl.visit(vma, address, slot) || ctl.done();
    }

    // ------------------------------------------------------------------ invariants

    @Override
    public String checkInvariants() {
        return new PteChainsSelfCheck(this).check();
    }
}
