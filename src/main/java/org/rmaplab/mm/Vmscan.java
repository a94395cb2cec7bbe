package org.rmaplab.mm;


/**
 * Page reclaim through the reverse map, as 2.6 did it (mm/vmscan.c of 2.6.11: shrink_zone,
 * refill_inactive_zone, shrink_list; mm/rmap.c: page_referenced, try_to_unmap; mm/swap_state.c:
 * add_to_swap, delete_from_swap_cache), plus today's MADV_PAGEOUT (reclaim_pages with the
 * references ignored) and the OOM killer (mm/oom_kill.c: select_bad_process, oom_kill_process).
 * It calls nothing of the design but the walk and the rmap hooks every other path calls.
 *
 * <p>Invariants kept: a page is unmapped only through the design's walk; every pte of an
 * anonymous page becomes a swap entry holding one count of the page's slot; a page leaves the swap
 * cache only once written and unmapped; mlocked (VM_LOCKED) pages are never evicted.
 */
final class Vmscan {
    static final int SWAP_CLUSTER_MAX = 32;
    static final int DEF_PRIORITY = 12;
    /** vm_swappiness. */
    static final int SWAPPINESS = 60;

    /** try_to_unmap results. */
    static final int SWAP_SUCCESS = 0;
    static final int SWAP_AGAIN = 1;
    static final int SWAP_FAIL = 2;

    private final Machine k;
    private final Frames f;
    private final Lru lru;
    private final Swapfile swap;
    private final RmapDesign design;

    // Counters.
    long pagesScanned;
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
     * page_check_address's spin_trylock did under load in 2.6 (0: never). The model is
     * single-threaded, so contention is injected; the page stays on the list and is retried later.
     */
    int ptlBusyEvery;
    private long ptlTries;
    long noSwapSlot;
    long swapOuts;
    long shmemSwapOuts;
    long pagesReclaimed;
    long activated;
    long deactivated;

    /** Collects the ptes of one walk (vma, address, slot), reused. */
    private final Collector collector = new Collector();

    Vmscan(Machine k) {
        this.k = k;
        this.f = k.frames;
        this.lru = k.lru;
        this.swap = k.swap;
        this.design = k.design;
    }

    // ------------------------------------------------------------------ page_referenced

    /**
     * page_referenced(): walks the page's mappings, clearing and counting young ptes (plus a
     * PG_referenced from the page itself). The design then gets its chance to tidy up
     * (pte_chains collapses a one-entry chain here, anonmm re-homes a page of a dead mm).
     */
    int pageReferenced(int pfn) {
        referencedChecks++;
        int referenced = 0;
        if ((f.flags[pfn] & Frames.PG_REFERENCED) != 0) {
            f.flags[pfn] &= ~Frames.PG_REFERENCED;
            referenced++;
        }
        if (f.mapcount[pfn] > 0) {
            collector.reset(f.mapcount[pfn]);
            design.rmapWalk(pfn, collector);
            for (int i = 0; i < collector.n; i++) {
                long slot = collector.slots[i];
                long pte = PageTable.get(f, slot);
                if ((pte & PageTable.ACCESSED) != 0) {
                    PageTable.set(f, slot, pte & ~PageTable.ACCESSED);
                    referenced++;
                }
            }
            collector.clear();
        }
        design.afterPageReferenced(pfn);
        referencedYoung += referenced;
        return referenced;
    }

    // ------------------------------------------------------------------ try_to_unmap

    /**
     * try_to_unmap(): unmaps the page from every pte the walk finds — an anonymous page's ptes
     * become swap entries of its swap-cache slot, a page-cache page's are cleared.
     * try_to_unmap_one fails on a VM_LOCKED vma and, unless references are ignored, on a young pte.
     */
    int tryToUnmap(int pfn, boolean ignoreReferences) {
        unmapsTried++;
        boolean anon = (f.flags[pfn] & Frames.PG_ANON) != 0;
        collector.reset(f.mapcount[pfn]);
        design.rmapWalk(pfn, collector);
        int n = collector.n;
        int ret = SWAP_SUCCESS;
        for (int i = 0; i < n; i++) {
            Vma vma = collector.vmas[i];
            long address = collector.addresses[i];
            long slot = collector.slots[i];
            long pte = PageTable.get(f, slot);
            if ((vma.vmFlags & Vma.VM_LOCKED) != 0) {
                unmapsFailedLocked++;
                ret = SWAP_FAIL;
                break;
            }
            if (!ignoreReferences && (pte & PageTable.ACCESSED) != 0) {
                PageTable.set(f, slot, pte & ~PageTable.ACCESSED);
                unmapsFailedYoung++;
                ret = SWAP_FAIL;
                break;
            }
            if (ptlBusyEvery > 0 && ++ptlTries % ptlBusyEvery == 0) {
                unmapsFailedBusy++;
                ret = SWAP_AGAIN; // the page table was busy: try this page again later
                break;
            }
            Mm mm = vma.mm;
            if (anon) {
                int s = f.swapSlot(pfn);
                swap.count[s]++; // swap_duplicate()
                PageTable.set(f, slot, PageTable.mkswp(s, (f.flags[pfn] & Frames.PG_ANON_EXCLUSIVE) != 0));
                mm.rssAnon--;
                mm.swapents++;
            } else {
                PageTable.set(f, slot, 0);
                mm.rssShmem--;
            }
            if ((pte & PageTable.DIRTY) != 0) {
                f.flags[pfn] |= Frames.PG_DIRTY;
            }
            f.mapcount[pfn]--;
            design.stats().rmapRemoves++;
            design.pageRemoveRmap(pfn, vma, address, slot);
            k.memory.putPage(pfn); // the pte's reference; the cache keeps the page
        }
        collector.clear();
        if (ret == SWAP_SUCCESS && f.mapcount[pfn] > 0) {
            ret = SWAP_AGAIN; // the walk did not find every mapping
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
            int referenced = pageReferenced(pfn);
            if (referenced > 0 && f.mapcount[pfn] > 0) {
                activate(pfn);
                return false;
            }
        }
        if (anon && (f.flags[pfn] & Frames.PG_SWAPCACHE) == 0) {
            if (!addToSwap(pfn)) {
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
            int r = tryToUnmap(pfn, ignoreReferences);
            if (r == SWAP_FAIL) {
                activate(pfn);
                return false;
            }
            if (r == SWAP_AGAIN) {
                return false;
            }
        }
        if (anon) {
            // pageout() → swap_writepage(), then __delete_from_swap_cache() and the page is freed.
            int s = f.swapSlot(pfn);
            swap.data[s] = f.content[pfn];
            swapOuts++;
            deleteFromSwapCache(pfn);
        } else {
            // shmem_writepage(): the page's place in the shmem object becomes a swap entry.
            AddressSpace as = (AddressSpace) f.mapping[pfn];
            int s = swap.alloc();
            swap.data[s] = f.content[pfn];
            swap.count[s] = 1;
            as.setSwap(f.index[pfn], s);
            shmemSwapOuts++;
            k.memory.putPage(pfn); // the page cache's reference
        }
        pagesReclaimed++;
        return true;
    }

    /** add_to_swap(): a slot for the page, and the page into the swap cache. */
    boolean addToSwap(int pfn) {
        int s = swap.alloc();
        if (s < 0) {
            return false;
        }
        swap.cache[s] = pfn;
        f.setSwapSlot(pfn, s);
        f.flags[pfn] |= Frames.PG_SWAPCACHE;
        f.refcount[pfn]++; // the swap cache's reference
        return true;
    }

    /**
     * __delete_from_swap_cache() and the release of the cache's reference; the slot is freed when
     * no swap entry names it any more.
     */
    void deleteFromSwapCache(int pfn) {
        int s = f.swapSlot(pfn);
        swap.cache[s] = -1;
        f.flags[pfn] &= ~Frames.PG_SWAPCACHE;
        f.setSwapSlot(pfn, 0);
        swap.maybeFree(s);
        k.memory.putPage(pfn);
    }

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
                if (!reclaimMapped || (swap.total() == 0 && anon) || pageReferenced(pfn) > 0) {
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

    /** Collects the ptes a walk finds, so that they can be changed after the walk. */
    private static final class Collector implements RmapWalkControl {
        Vma[] vmas = new Vma[8];
        long[] addresses = new long[8];
        long[] slots = new long[8];
        int n;
        int want;

        void reset(int mapcount) {
            n = 0;
            want = mapcount;
        }

        void clear() {
            java.util.Arrays.fill(vmas, 0, n, null);
            n = 0;
        }

        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            if (n == slots.length) {
                vmas = java.util.Arrays.copyOf(vmas, n * 2);
                addresses = java.util.Arrays.copyOf(addresses, n * 2);
                slots = java.util.Arrays.copyOf(slots, n * 2);
            }
            vmas[n] = vma;
            addresses[n] = address;
            slots[n] = ptep;
            n++;
            return false;
        }

        @Override
        public boolean done() {
            return n >= want;
        }
    }
}
