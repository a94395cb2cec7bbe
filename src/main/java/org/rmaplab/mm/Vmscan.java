package org.rmaplab.mm;

/**
 * mm/vmscan.c: page reclaim through the reverse map, as 2.6 did it (mm/vmscan.c of 2.6.11:
 * shrink_zone, refill_inactive_zone, shrink_list), plus today's MADV_PAGEOUT (reclaim_pages with
 * the references ignored). The reverse-map half, page_referenced and try_to_unmap, is in
 * {@link Rmap} (mm/rmap.c); the swap cache's add_to_swap and delete_from_swap_cache in
 * {@link SwapState} (mm/swap_state.c); the OOM killer in {@link OomKill} (mm/oom_kill.c).
 * It calls nothing of the design but the walk and the rmap hooks every other path calls.
 *
 * <p>Invariants kept: a page is unmapped only through the design's walk; every pte of an
 * anonymous page becomes a swap entry holding one count of the page's slot; a page leaves the swap
 * cache only once written and unmapped; mlocked (VM_LOCKED) pages are never evicted.
 *
 * <p>Lock order (for the reader: the model is single-threaded): the LRU lock to isolate pages,
 * dropped; then per page the folio lock, then the rmap walk's locks (i_mmap_rwsem or the anon_vma
 * root's rwsem, then the pte lock: see {@link Rmap}), then the swap cache's lock.
 */
final class Vmscan {
    static final int SWAP_CLUSTER_MAX = 32;
    static final int DEF_PRIORITY = 12;
    /** vm_swappiness. */
    static final int SWAPPINESS = 60;

    private final Machine k;
    private final Frames f;
    private final Lru lru;
    private final Swapfile swap;
    private final RmapDesign design;

    // Counters.
    long pagesScanned;
    long noSwapSlot;
    long swapOuts;
    long shmemSwapOuts;
    long pagesReclaimed;
    long activated;
    long deactivated;

    Vmscan(Machine k) {
        this.k = k;
        this.f = k.frames;
        this.lru = k.lru;
        this.swap = k.swap;
        this.design = k.design;
    }

    // ------------------------------------------------------------------ shrink_list

    /**
     * shrink_list() for one page from the inactive list: referenced pages are activated; an
     * anonymous page gets a swap slot (add_to_swap) and a shmem page moves to one
     * (shmem_writepage); then the page is unmapped, written and freed. Returns true if freed.
     */
    private boolean shrinkPage(int pfn, boolean ignoreReferences) {
        pagesScanned++;
        int expected = f.mapcount[pfn] + (((f.flags[pfn] & Frames.PG_ANON) == 0) || (f.flags[pfn] & Frames.PG_SWAPCACHE) != 0 ? 1 : 0);
        if (f.refcount[pfn] > expected) {
            return false; // someone holds an extra reference (a fault in progress): keep it
        }
        boolean anon = (f.flags[pfn] & Frames.PG_ANON) != 0;
        if (!ignoreReferences) {
            int referenced = k.rmap.pageReferenced(pfn);
            if (referenced > 0 && f.mapcount[pfn] > 0) {
                activate(pfn);
                return false;
            }
        }
        if (anon && (f.flags[pfn] & Frames.PG_SWAPCACHE) == 0) {
            if (!k.swapState.addToSwap(pfn)) {
                noSwapSlot++;
                activate(pfn);
                return false;
            }
        }
        if (!anon && swap.free() == 0) {
            noSwapSlot++;
            activate(pfn);
            return false; // shmem_writepage needs a slot too
        }
        if (f.mapcount[pfn] > 0) {
            int r = k.rmap.tryToUnmap(pfn, ignoreReferences);
            if (r == Rmap.SWAP_FAIL) {
                activate(pfn);
                return false;
            }
            if (r == Rmap.SWAP_AGAIN) {
                return false;
            }
        }
        if (anon) {
            // pageout() → swap_writepage(), then __delete_from_swap_cache() and the page is freed.
            int s = f.swapSlot(pfn);
            swap.data[s] = f.content[pfn];
            swapOuts++;
            k.swapState.deleteFromSwapCache(pfn);
        } else {
            // shmem_writepage(): the page's place in the shmem object becomes a swap entry.
            AddressSpace as = (AddressSpace) f.mapping[pfn];
            int s = swap.alloc();
            swap.data[s] = FaultInject.on(FaultInject.Bug.WRITEOUT_DROPS_DIRTY) ? 0 : f.content[pfn];
            swap.count[s] = 1;
            as.setSwap(f.index[pfn], s);
            shmemSwapOuts++;
            k.memory.putPage(pfn); // the page cache's reference
        }
        pagesReclaimed++;
        return true;
    }

    /** activate_page(): the page goes to the head of the active list. */
    private void activate(int pfn) {
        activated++;
        lru.move(pfn, true);
    }

    // ------------------------------------------------------------------ refill_inactive_zone

    /**
     * refill_inactive_zone(): moves up to nr pages from the tail of the active list to the
     * inactive list; mapped pages stay active when mapped pages are not to be reclaimed yet
     * (swap_tendency), when there is no swap for an anonymous page, or when referenced.
     */
    private void refillInactive(int nr, int priority) {
        int total = f.nrFrames();
        int mapped = 0;
        for (Mm mm : k.mms()) {
            mapped += (int) Math.min(Integer.MAX_VALUE, mm.rss());
        }
        int mappedRatio = (int) Math.min(100, (long) mapped * 100 / Math.max(1, total));
        int distress = 100 >> priority;
        boolean reclaimMapped = mappedRatio / 2 + distress + SWAPPINESS >= 100;
        for (int i = 0; i < nr; i++) {
            int pfn = lru.tail(true);
            if (pfn < 0) {
                return;
            }
            pagesScanned++;
            if (f.mapcount[pfn] > 0) {
                boolean anon = (f.flags[pfn] & Frames.PG_ANON) != 0;
                if (!reclaimMapped || (swap.total() == 0 && anon) || k.rmap.pageReferenced(pfn) > 0) {
                    lru.move(pfn, true);
                    continue;
                }
            }
            deactivated++;
            lru.move(pfn, false);
        }
    }

    /** shrink_cache(): up to nr pages from the inactive tail; returns how many were freed. */
    private int shrinkInactive(int nr) {
        int freed = 0;
        for (int i = 0; i < nr; i++) {
            int pfn = lru.tail(false);
            if (pfn < 0) {
                break;
            }
            // Rotate it to the head first: if it is kept, the next one comes up next.
            lru.move(pfn, false);
            if (shrinkPage(pfn, false)) {
                freed++;
            }
        }
        return freed;
    }

    /**
     * try_to_free_pages() / shrink_zone(): scans with rising pressure (priority DEF_PRIORITY down
     * to 0) until target pages were freed. Returns the pages freed.
     */
    int tryToFreePages(int target) {
        int freed = 0;
        for (int priority = DEF_PRIORITY; priority >= 0 && freed < target; priority--) {
            int nrActive = (lru.active() >> priority) + 1;
            int nrInactive = (lru.inactive() >> priority) + 1;
            while ((nrActive > 0 || nrInactive > 0) && freed < target) {
                int a = Math.min(nrActive, SWAP_CLUSTER_MAX);
                nrActive -= a;
                refillInactive(a, priority);
                int in = Math.min(nrInactive, SWAP_CLUSTER_MAX);
                nrInactive -= in;
                freed += shrinkInactive(in);
            }
        }
        return freed;
    }

    /**
     * The scenario's {@code reclaim COUNT|all}: frees up to count pages. A sweep that frees
     * nothing may still have aged pages (cleared young bits, deactivated them), so the pressure
     * goes on until three sweeps in a row free nothing — as kswapd keeps trying while below its
     * watermark.
     */
    /**
     * The model's reclaim system call (global memory pressure, kswapd's work done at once):
     * completes an OOM teardown left pending, then {@link #reclaim}.
     */
    long reclaimSyscall(long count) {
        k.quiesce();
        return reclaim(count);
    }

    /** try_to_free_pages() until count pages are freed or three passes free nothing. */
    int reclaim(long count) {
        int total = 0;
        int idle = 0;
        while (total < count && idle < 3) {
            int want = (int) Math.min(Integer.MAX_VALUE - 1, count - total);
            int got = tryToFreePages(want);
            idle = got == 0 ? idle + 1 : 0;
            total += got;
        }
        return total;
    }

    /**
     * MADV_PAGEOUT's reclaim_pages(): a page the caller alone maps (not folio_maybe_mapped_shared)
     * is reclaimed at once, references ignored.
     */
    boolean pageout(int pfn) {
        if ((f.flags[pfn] & Frames.PG_LRU) == 0) {
            return false;
        }
        return shrinkPage(pfn, true);
    }

    /**
     * For a design that keeps mlocked pages off the LRU (pte_chains with wli's step (b)):
     * isolate_lru_page() — the page leaves its LRU list, if it is on one (a new anonymous page is
     * not yet: {@code Memory.newAnonPage} then leaves a PG_MLOCKED page off, as 2.6.28's
     * lru_cache_add_active_or_unevictable() did). The model has no unevictable list: the page is on
     * no list, so reclaim never meets it.
     */
    void isolateLruPage(int pfn) {
        if ((f.flags[pfn] & Frames.PG_LRU) != 0) {
            k.lru.remove(pfn);
        }
    }

    /**
     * putback_lru_page() of a page that is evictable again (munlock_vma_page): the head of the
     * active list, as a page still mapped and just in use (the model does not remember the list it
     * came from).
     */
    void putbackLruPage(int pfn) {
        if ((f.flags[pfn] & Frames.PG_LRU) == 0) {
            k.lru.add(pfn, true);
        }
    }
}
