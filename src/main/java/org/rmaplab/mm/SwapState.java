package org.rmaplab.mm;

/**
 * mm/swap_state.c: the swap cache — add_to_swap() and delete_from_swap_cache() — and the
 * swap-cache side of mm/swapfile.c that frees it (free_swap_and_cache(), folio_free_swap()). The
 * swap map itself (counts, slots, the cache's pfn per slot) is {@link Swapfile}. The functions
 * keep 2.6.11's shapes (add_to_swap, __delete_from_swap_cache) under their names of then or of
 * 6.18 (folio_free_swap).
 *
 * <p>Invariants kept: a page is in the swap cache exactly when it has PG_SWAPCACHE, a slot, and the
 * slot's cache entry names it; the cache holds one reference on it; a slot is freed once no swap
 * entry names it and no page caches it; a page leaves the cache only when no pte maps it or no
 * entry needs it.
 *
 * <p>Lock order (for the reader): the folio lock, then the swap cache's xarray lock, then the swap
 * device's lock (si-&gt;lock) for the swap map.
 */
final class SwapState {
    private final Machine k;
    private final Frames f;
    private final Swapfile swap;

    SwapState(Machine k) {
        this.k = k;
        this.f = k.frames;
        this.swap = k.swap;
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

    /** folio_free_swap(): leaves the swap cache once no swap entry needs the slot. */
    void freeSwapCacheIfUnused(int s) {
        Swapfile sw = k.swap;
        int pfn = sw.cachePfn(s);
        if (sw.count[s] == 0) {
            if (pfn >= 0) {
                f.flags[pfn] |= Frames.PG_DIRTY;
                deleteFromSwapCache(pfn);
            } else {
                sw.maybeFree(s);
            }
        }
    }

    /** free_swap_and_cache(): one swap entry fewer; the slot and its cache page go with the last. */
    void freeSwapAndCache(int s) {
        Swapfile sw = k.swap;
        sw.count[s]--;
        int pfn = sw.cachePfn(s);
        if (sw.count[s] == 0 && pfn >= 0 && f.mapcount[pfn] == 0) {
            deleteFromSwapCache(pfn);
        } else {
            sw.maybeFree(s);
        }
    }
}
