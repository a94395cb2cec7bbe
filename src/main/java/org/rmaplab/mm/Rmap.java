package org.rmaplab.mm;

/**
 * mm/rmap.c: what reclaim asks of the reverse map — page_referenced() and try_to_unmap(), each a
 * walk of the design's ({@link RmapDesign#pageReferencedWalk}, {@link RmapDesign#rmapWalk}) that
 * acts on each pte as the walk visits it and stops where the kernel stopped: try_to_unmap_one()
 * runs inside the walk and a SWAP_FAIL ends it (2.6.0's {@code case SWAP_FAIL: goto out}, 2.6.11's
 * {@code if (ret == SWAP_FAIL || !page_mapped(page)) break}, today's {@code walk_abort}), and
 * page_referenced stops once mapcount ptes were found ({@code if (!mapcount) break}). What each
 * pte is tested for is the design's era's ({@link ReclaimEra}). The file walk of i_mmap
 * (rmap_walk_file) every design but pte_chains shares is {@link FileRmap}.
 *
 * <p>Invariants kept: a page is unmapped only through the design's walk, and only from ptes the
 * walk found; every pte of an anonymous page becomes a swap entry holding one count of the page's
 * slot, and the design hears of every pte removed (pageRemoveRmap) before the pte's reference on
 * the page goes; a VM_LOCKED vma is never unmapped from.
 *
 * <p>Lock order (mm/rmap.c's opening comment; for the reader: the model is single-threaded):
 * mm-&gt;mmap_lock, then the folio lock, then mapping-&gt;i_mmap_rwsem (file pages) or
 * anon_vma-&gt;rwsem of the root (anonymous pages), then the pte lock (which the model's
 * {@code ptlBusyEvery} makes a trylock that fails now and then, as 2.6.0's and 2.6.6-mm's
 * try_to_unmap_one did with spin_trylock(&amp;mm-&gt;page_table_lock)).
 */
final class Rmap {
    /** try_to_unmap results. */
    static final int SWAP_SUCCESS = 0;
    static final int SWAP_AGAIN = 1;
    static final int SWAP_FAIL = 2;

    private final Machine k;
    private final Frames f;
    private final Swapfile swap;
    private final RmapDesign design;
    private final ReclaimEra era;

    // Counters.
    long referencedChecks;
    long referencedYoung;
    long unmapsTried;
    long unmapsSucceeded;
    long unmapsFailedLocked;
    long unmapsFailedYoung;
    long unmapsAgain;
    long unmapsFailedBusy;

    /**
     * Page-table lock contention: every ptlBusyEvery-th trylock in try_to_unmap_one fails, as
     * spin_trylock(&amp;mm-&gt;page_table_lock) did under load in 2.6.0 and 2.6.6-mm (0: never). The
     * model is single-threaded, so contention is injected; the pte is skipped, the walk goes on
     * ("Skip this pte, remembering status") and the page stays on the list to be retried later.
     */
    int ptlBusyEvery;
    private long ptlTries;

    /** page_referenced_one() for each pte of a walk, reused. */
    private final Referencer referencer = new Referencer();
    /** try_to_unmap_one() for each pte of a walk, reused. */
    private final Unmapper unmapper = new Unmapper();
    /** try_to_unmap_file()'s nonlinear pass (2.6.11), reused. */
    private final RmapNonlinear nonlinear;

    Rmap(Machine k) {
        this.k = k;
        this.f = k.frames;
        this.swap = k.swap;
        this.design = k.design;
        this.era = k.traits().reclaim();
        this.nonlinear = new RmapNonlinear(k);
    }

    /**
     * page_referenced(): PG_referenced, then the design's walk, clearing and counting young ptes
     * as it goes and stopping once mapcount ptes were found; the design then gets its chance to
     * tidy up (pte_chains collapses a one-entry chain here).
     */
    int pageReferenced(int pfn) {
        referencedChecks++;
        int referenced = 0;
        if ((f.flags[pfn] & Frames.PG_REFERENCED) != 0) {
            f.flags[pfn] &= ~Frames.PG_REFERENCED;
            referenced++;
        }
        if (f.mapcount[pfn] > 0) {
            referencer.reset(pfn);
            design.pageReferencedWalk(pfn, referencer);
            referenced += referencer.referenced;
        }
        design.afterPageReferenced(pfn);
        referencedYoung += referenced;
        return referenced;
    }

    /**
     * try_to_unmap(): the design's walk, with try_to_unmap_one() on each pte it visits — an
     * anonymous page's pte becomes a swap entry of its swap-cache slot, a page-cache page's is
     * cleared — until one fails (SWAP_FAIL ends the walk) or the page is mapped no more.
     */
    int tryToUnmap(int pfn, boolean ignoreReferences) {
        unmapsTried++;
        unmapper.reset(pfn, ignoreReferences);
        design.rmapWalk(pfn, unmapper);
        int ret = unmapper.ret;
        if (ret != SWAP_FAIL && f.mapcount[pfn] > 0 && (f.flags[pfn] & Frames.PG_ANON) == 0
                && !k.traits().chainsNonlinearPtes()) {
            ret = nonlinear.tryToUnmapNonlinear(pfn, ret);
        }
        if (ret != SWAP_FAIL) {
            // try_to_unmap's "if (!page_mapped(page)) ret = SWAP_SUCCESS": else a pte was skipped.
            ret = f.mapcount[pfn] == 0 ? SWAP_SUCCESS : SWAP_AGAIN;
        }
        if (ret == SWAP_SUCCESS) {
            unmapsSucceeded++;
            // An unmapped anonymous page is exclusive to no one; its swap ptes keep the bit.
            f.flags[pfn] &= ~Frames.PG_ANON_EXCLUSIVE;
        } else if (ret == SWAP_AGAIN) {
            unmapsAgain++;
        }
        return ret;
    }

    /**
     * try_to_unmap_one() on the pte at slot in vma: the page-table trylock (2.6.0, 2.6.6-mm:
     * busy is SWAP_AGAIN), VM_LOCKED (SWAP_FAIL in every era), a young pte where the era tests it
     * (2.6.6-mm to 5.10, {@link ReclaimEra#youngFailsUnmap}: SWAP_FAIL, the bit cleared), then the
     * pte is cleared or made a swap entry and the design hears of it (page_remove_rmap).
     */
    private int tryToUnmapOne(int pfn, Vma vma, long address, long slot, boolean ignoreReferences) {
        if (ptlBusyEvery > 0 && ++ptlTries % ptlBusyEvery == 0) {
            unmapsFailedBusy++;
            return SWAP_AGAIN; // the page table was busy: skip this pte, try the page again later
        }
        long pte = PageTable.get(f, slot);
        if (lockedFails(vma)) {
            unmapsFailedLocked++;
            return SWAP_FAIL;
        }
        if (!ignoreReferences && era.youngFailsUnmap() && (pte & PageTable.ACCESSED) != 0) {
            PageTable.set(f, slot, pte & ~PageTable.ACCESSED);
            unmapsFailedYoung++;
            return SWAP_FAIL;
        }
        Mm mm = vma.mm;
        if ((f.flags[pfn] & Frames.PG_ANON) != 0) {
            int s = f.swapSlot(pfn);
            swap.count[s]++; // swap_duplicate()
            PageTable.set(f, slot, PageTable.mkswp(s, (f.flags[pfn] & Frames.PG_ANON_EXCLUSIVE) != 0));
            mm.rssAnon--;
            mm.swapents++;
        } else {
            // 2.6.0's try_to_unmap_one: "If a nonlinear mapping then store the file page offset
            // in the pte" (pgoff_to_pte), when the page is not at its linear index.
            PageTable.set(f, slot, f.index[pfn] != vma.linearPageIndex(address) && !FaultInject.on(FaultInject.Bug.LOSE_FILE_PTE)
                    ? PageTable.pgoffToPte(f.index[pfn]) : 0);
            mm.rssShmem--;
        }
        if ((pte & PageTable.DIRTY) != 0) {
            f.flags[pfn] |= Frames.PG_DIRTY;
        }
        f.mapcount[pfn]--;
        design.stats().rmapRemoves++;
        design.pageRemoveRmap(pfn, vma, address, slot);
        k.memory.putPage(pfn); // the pte's reference; the cache keeps the page
        return SWAP_SUCCESS;
    }

    /**
     * try_to_unmap_one()'s VM_LOCKED test, SWAP_FAIL in every era: 2.6.0's VM_LOCKED test before
     * the pte is cleared, 2.6.7's {@code if ((vma->vm_flags & (VM_LOCKED|VM_RESERVED)) ||
     * ptep_test_and_clear_young(pte)) { ret = SWAP_FAIL; goto out_unmap; }} (the young half is
     * {@link ReclaimEra#youngFailsUnmap}), 6.18's VM_LOCKED test without TTU_IGNORE_MLOCK, which
     * goes to walk_abort: try_to_unmap_one() returns false and rmap_walk stops.
     */
    private static boolean lockedFails(Vma vma) {
        return (vma.vmFlags & Vma.VM_LOCKED) != 0 && !FaultInject.on(FaultInject.Bug.EVICT_LOCKED);
    }

    /**
     * try_to_unmap()'s walk of pfn replayed as reclaim would run it now, unmapping nothing: the
     * design's {@link RmapDesign#rmapWalk} with the {@link Unmapper} in a dry-run mode that hands
     * SEE each pte found (SEE's answer is ignored), fails at the first pte of a VM_LOCKED vma
     * (SWAP_FAIL ends the walk, as it does in {@link #tryToUnmap}) and counts every other pte as
     * unmapped, done once mapcount ptes were (the real walk's {@code !page_mapped(page)}). Returns
     * SWAP_FAIL or SWAP_SUCCESS (walked all: done or not). Changes nothing: no pte, frame, counter
     * or design structure is touched (the caller pauses the walk counters). Simplifications: the
     * page-table trylock never fails (no contention is injected), the young-pte SWAP_FAIL of
     * 2.6.6-mm to 5.10 is not tested (reclaim reaches try_to_unmap only when page_referenced found
     * no young pte), and 2.6.11's nonlinear cluster pass (try_to_unmap_cluster) is not replayed.
     */
    int tryToUnmapDryRun(int pfn, RmapWalkControl see) {
        Unmapper u = new Unmapper(); // not the reused one, so that a dry run leaves its state alone
        u.reset(pfn, false);
        u.dryRun = see;
        u.dryRunLeft = f.mapcount[pfn];
        design.rmapWalk(pfn, u);
        return u.ret == SWAP_FAIL ? SWAP_FAIL : SWAP_SUCCESS;
    }

    /**
     * page_referenced_one() for each pte the walk hands it: clears and counts a young bit and
     * counts the pte down from mapcount ({@code (*mapcount)--}); the walk ends at 0
     * ({@code if (!mapcount) break}). For the object-based eras the file walk asks
     * {@link #stopAtVma} first: page_referenced_file's locked shared vma. Today's walk ends at a
     * pte of a VM_LOCKED vma ({@link ReclaimEra#lockedPteEndsReferenced}).
     */
    private final class Referencer implements RmapWalkControl {
        int mapcount;
        int referenced;

        void reset(int pfn) {
            mapcount = f.mapcount[pfn];
            referenced = 0;
        }

        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            if (era.lockedPteEndsReferenced() && (vma.vmFlags & Vma.VM_LOCKED) != 0) {
                // 6.18 mm/rmap.c folio_referenced_one(): "if (vma->vm_flags & VM_LOCKED) {
                // ptes++; pra->mapcount--; ... pra->vm_flags |= VM_LOCKED; return false; /* To
                // break the loop */ }", before ptep_clear_flush_young. Simplification: the
                // caller's use of VM_LOCKED (folio_check_references' FOLIOREF_ACTIVATE) and
                // mlock_vma_folio ("Restore the mlock which got missed") are not modelled: here a
                // page mapped by a VM_LOCKED vma is already PG_mlocked and off the LRU (the oracle
                // checks it), so reclaim never asks; only a direct call or the explorer does.
                mapcount--;
                return true;
            }
            long pte = PageTable.get(f, ptep);
            if ((pte & PageTable.ACCESSED) != 0) {
                PageTable.set(f, ptep, pte & ~PageTable.ACCESSED);
                referenced++;
            }
            mapcount--;
            return false;
        }

        @Override
        public boolean done() {
            return mapcount <= 0;
        }

        /**
         * 2.6.6-mm's and 2.6.11's page_referenced_file(): {@code if ((vma->vm_flags &
         * (VM_LOCKED|VM_MAYSHARE)) == (VM_LOCKED|VM_MAYSHARE)) { referenced++; break; }}, before
         * page_referenced_one looks at the pte.
         */
        @Override
        public boolean stopAtVma(Vma vma) {
            if (era.lockedSharedVmaReferenced()
                    && (vma.vmFlags & (Vma.VM_LOCKED | Vma.VM_MAYSHARE)) == (Vma.VM_LOCKED | Vma.VM_MAYSHARE)) {
                referenced++;
                return true;
            }
            return false;
        }
    }

    /**
     * try_to_unmap_one() for each pte the walk hands it. A SWAP_FAIL ends the walk at once; a
     * SWAP_AGAIN (busy page table) is remembered and the walk goes on; the walk is done when the
     * page is mapped no more (2.6.11's {@code !page_mapped(page)}, today's folio_not_mapped).
     */
    private final class Unmapper implements RmapWalkControl {
        int pfn;
        boolean ignoreReferences;
        int ret;
        /** Not null: a dry run ({@link #tryToUnmapDryRun}), told of each pte; nothing is unmapped. */
        RmapWalkControl dryRun;
        /** A dry run's mapcount, counted down as each pte would have been unmapped. */
        int dryRunLeft;

        void reset(int pfn, boolean ignoreReferences) {
            this.pfn = pfn;
            this.ignoreReferences = ignoreReferences;
            ret = SWAP_SUCCESS;
        }

        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            int r;
            if (dryRun != null) {
                dryRun.visit(vma, address, ptep);
                r = lockedFails(vma) ? SWAP_FAIL : SWAP_SUCCESS;
                dryRunLeft -= r == SWAP_SUCCESS ? 1 : 0;
            } else {
                r = tryToUnmapOne(pfn, vma, address, ptep, ignoreReferences);
            }
            if (r == SWAP_FAIL) {
                ret = SWAP_FAIL;
                return true;
            }
            if (r == SWAP_AGAIN) {
                ret = SWAP_AGAIN;
            }
            return false;
        }

        @Override
        public boolean done() {
            return dryRun != null ? dryRunLeft <= 0 : f.mapcount[pfn] == 0;
        }
    }

    /**
     * page_vma_mapped_walk() on one address (mm/page_vma_mapped.c), for a design's walk: the slot
     * of the pte that maps pfn at address in mm, or -1. Counts as one pte checked for the design.
     * Allocation-free.
     */
    long pageMappedInMm(int pfn, Mm mm, long address) {
        RmapStats stats = design.stats();
        stats.walkPtesChecked++;
        long slot = lookupMapped(pfn, mm, address);
        if (stats.walkObserver != null) {
            stats.walkObserver.pteChecked(mm, address, slot);
        }
        return slot;
    }

    /** page_vma_mapped_walk()'s test: the slot of the present pte mapping pfn at address, or -1. */
    private long lookupMapped(int pfn, Mm mm, long address) {
        if (mm.pgd < 0) {
            return -1;
        }
        long slot = PageTable.lookup(f, mm.pgd, address);
        if (slot < 0) {
            return -1;
        }
        long pte = PageTable.get(f, slot);
        if (!PageTable.present(pte) || (pte & PageTable.SPECIAL) != 0 || PageTable.ptePfn(pte) != pfn) {
            return -1;
        }
        return slot;
    }
}
