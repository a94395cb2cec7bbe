package org.rmaplab.mm;

/**
 * mm/swapfile.c: the swap map. A swap device (struct swap_info_struct) with its swap cache: {@code machine swap=} bytes of
 * 4 KiB slots. Slot 0 is the header, never handed out, as in Linux.
 *
 * <p>Invariants (checked by the oracle): {@code count[slot]} is the number of swap entries that
 * name the slot — swap ptes and shmem objects' entries (swap_map without SWAP_HAS_CACHE);
 * {@code cache[slot]} is the pfn of the page in the swap cache for the slot, or -1 (the
 * SWAP_HAS_CACHE bit); a slot is free exactly when its count is 0 and it has no cache page;
 * a page in the swap cache has {@link Frames#PG_SWAPCACHE} and {@code Frames.swapSlot(pfn)} naming
 * its slot, and the cache holds one reference on it; {@code data[slot]} is what was written out.
 * The functions that change the swap cache are in {@link SwapState}.
 *
 * <p>Lock order (for the reader: the model is single-threaded): the swap cache's lock, then the
 * device's si-&gt;lock for the map.
 */
public final class Swapfile {
    final int nr;
    final int[] count;
    final int[] cache;
    final long[] data;
    private final int[] freeStack;
    private int freeTop;
    private int used;
    private int peak;

    Swapfile(long bytes) {
        long n = bytes >>> Machine.PAGE_SHIFT;
        if (n > (1 << 26)) {
            throw new IllegalArgumentException("swap is limited to 256G in the model");
        }
        nr = (int) n;
        count = new int[nr];
        cache = new int[nr];
        data = new long[nr];
        freeStack = new int[Math.max(nr, 1)];
        java.util.Arrays.fill(cache, -1);
        for (int s = nr - 1; s >= 1; s--) {
            freeStack[freeTop++] = s;
        }
    }

    /** Slots on the device (including the header slot). */
    public int nrSlots() {
        return nr;
    }

    public int used() {
        return used;
    }

    public int peak() {
        return peak;
    }

    public int free() {
        return freeTop;
    }

    /** total_swap_pages. */
    public int total() {
        return Math.max(nr - 1, 0);
    }

    public int count(int slot) {
        return count[slot];
    }

    /** The pfn in the swap cache for slot, or -1. */
    public int cachePfn(int slot) {
        return cache[slot];
    }

    public long data(int slot) {
        return data[slot];
    }

    /** vm_swap_full(): more than half the swap is in use. */
    boolean full() {
        return used * 2 > total();
    }

    /** get_swap_page() / folio_alloc_swap(): a free slot, or -1. */
    int alloc() {
        if (freeTop == 0) {
            return -1;
        }
        int s = freeStack[--freeTop];
        used++;
        if (used > peak) {
            peak = used;
        }
        return s;
    }

    /** Frees the slot when nothing refers to it any more (swap_entry_free). */
    void maybeFree(int slot) {
        if (count[slot] == 0 && cache[slot] < 0) {
            data[slot] = 0;
            freeStack[freeTop++] = slot;
            used--;
        }
    }

    public boolean isFree(int slot) {
        return slot > 0 && count[slot] == 0 && cache[slot] < 0;
    }
}
