package org.rmaplab.kernel;

/**
 * Physical memory: one slot per 4 KiB frame, kept as parallel arrays (struct page split into
 * columns), never as an object per page.
 *
 * <p>Invariants kept here and checked by the oracle:
 * <ul>
 *   <li>A free frame has refcount 0, mapcount 0, no flags, mapping null, and sits on the free
 *       stack exactly once. An allocated frame has refcount &ge; 1.
 *   <li>{@link #ZERO_PFN} is the shared zero page: reserved, never freed, never counted in
 *       refcount or mapcount (vm_normal_page() returns NULL for it).
 *   <li>For a page-table frame ({@link #PG_TABLE}) {@code mapping} is the owning {@link Mm} and
 *       {@code index} the first user address the table covers — what 2.6.0's pgtable_add_rmap()
 *       stored, so a pte's slot number leads back to (mm, address) — and {@code table} holds its
 *       512 entries.
 *   <li>For an anonymous page ({@link #PG_ANON}) {@code mapping} and {@code index} belong to the
 *       reverse-mapping design; for a page-cache page {@code mapping} is the {@link AddressSpace}
 *       and {@code index} the page offset in the file.
 * </ul>
 * A frame's contents are the one 64-bit value the scenario language gives every page.
 */
public final class Frames {
    /** The shared zero page (ZERO_PAGE(0)). */
    public static final int ZERO_PFN = 0;

    // Page flags. Low bits: the core's. Bits 16 and up: the design's own (PG_direct, ...).
    public static final int PG_ANON = 1;
    public static final int PG_TABLE = 1 << 1;
    public static final int PG_RESERVED = 1 << 2;
    /** PageAnonExclusive: the anonymous page is mapped by exactly one process and may be reused. */
    public static final int PG_ANON_EXCLUSIVE = 1 << 3;
    public static final int PG_MLOCKED = 1 << 4;
    public static final int PG_DIRTY = 1 << 5;
    public static final int PG_SWAPBACKED = 1 << 6;
    /** The page is in the swap cache; {@link #swapSlot} names its slot (PG_swapcache). */
    public static final int PG_SWAPCACHE = 1 << 7;
    /** On an LRU list (PG_lru); {@link #PG_ACTIVE} tells which. */
    public static final int PG_LRU = 1 << 8;
    public static final int PG_ACTIVE = 1 << 9;
    /** PG_referenced: seen referenced once on the inactive list (mark_page_accessed). */
    public static final int PG_REFERENCED = 1 << 10;
    /** The first flag bit a design may use for itself. */
    public static final int PG_DESIGN_SHIFT = 16;

    final int nr;
    public final int[] refcount;
    public final int[] mapcount;
    public final int[] flags;
    public final Object[] mapping;
    public final long[] index;
    public final long[] content;
    /** Entries of page-table frames; null for every other frame. */
    final long[][] table;
    /** page_private for a page in the swap cache: its swap slot. */
    public final int[] swapSlot;
    /** LRU list links (page-&gt;lru), -1 at the ends. */
    final int[] lruNext;
    final int[] lruPrev;

    private final int[] freeStack;
    private int freeTop;
    private int used;
    private int peakUsed;
    private int tables;

    Frames(long ramBytes) {
        long n = ramBytes >>> Kernel.PAGE_SHIFT;
        if (n < 16 || n > (1 << 28)) {
            throw new IllegalArgumentException("ram must be between 64K and 1T, not " + ramBytes);
        }
        nr = (int) n;
        refcount = new int[nr];
        mapcount = new int[nr];
        flags = new int[nr];
        mapping = new Object[nr];
        index = new long[nr];
        content = new long[nr];
        table = new long[nr][];
        swapSlot = new int[nr];
        lruNext = new int[nr];
        lruPrev = new int[nr];
        freeStack = new int[nr];
        // Lowest pfns are handed out first: push in descending order.
        for (int pfn = nr - 1; pfn > ZERO_PFN; pfn--) {
            freeStack[freeTop++] = pfn;
        }
        flags[ZERO_PFN] = PG_RESERVED;
        used = 1;
        peakUsed = 1;
    }

    /** Number of frames of RAM. */
    public int nrFrames() {
        return nr;
    }

    /** Frames in use (including the zero page and page tables). */
    public int used() {
        return used;
    }

    public int peakUsed() {
        return peakUsed;
    }

    /** Page-table frames in use. */
    public int tables() {
        return tables;
    }

    public int free() {
        return freeTop;
    }

    public boolean isFree(int pfn) {
        return pfn != ZERO_PFN && refcount[pfn] == 0;
    }

    /**
     * What an allocation that finds no free frame does before giving up: direct reclaim and, if
     * that frees nothing, the OOM killer (__alloc_pages_slowpath). Returns false when no frame
     * could be freed.
     */
    interface Pressure {
        boolean relieve();
    }

    Pressure pressure;

    /** alloc_page(): a zeroed frame with refcount 1, or -1 when memory is exhausted. */
    int alloc() {
        while (freeTop == 0) {
            if (pressure == null || !pressure.relieve()) {
                return -1;
            }
        }
        int pfn = freeStack[--freeTop];
        refcount[pfn] = 1;
        used++;
        if (used > peakUsed) {
            peakUsed = used;
        }
        return pfn;
    }

    /** A zeroed page-table frame owned by mm, covering user addresses from base. */
    int allocTable(Mm mm, long base) {
        int pfn = alloc();
        if (pfn < 0) {
            return -1;
        }
        flags[pfn] = PG_TABLE;
        mapping[pfn] = mm;
        index[pfn] = base;
        table[pfn] = tablePoolTop > 0 ? zeroed(tablePool[--tablePoolTop]) : new long[PageTable.PTRS_PER_TABLE];
        tables++;
        return pfn;
    }

    /**
     * Arrays of freed page-table frames, kept for the next table (a bounded pool, at most
     * TABLE_POOL x 4 KiB of host memory), so that fork, exit and mremap do not allocate and collect
     * a Java array per table; a reused array is zeroed, as pte_alloc_one's page is (__GFP_ZERO).
     */
    private static final int TABLE_POOL = 64;
    private final long[][] tablePool = new long[TABLE_POOL][];
    private int tablePoolTop;

    private static long[] zeroed(long[] a) {
        java.util.Arrays.fill(a, 0L);
        return a;
    }

    /** Returns a frame whose last reference is gone to the free pool (free_unref_page). */
    void free(int pfn) {
        if (refcount[pfn] != 0 || pfn == ZERO_PFN) {
            throw new IllegalStateException("freeing pfn " + pfn + " with refcount " + refcount[pfn]);
        }
        if ((flags[pfn] & (PG_LRU | PG_SWAPCACHE)) != 0) {
            throw new IllegalStateException("freeing pfn " + pfn + " still on the LRU or in the swap cache");
        }
        if ((flags[pfn] & PG_TABLE) != 0) {
            if (tablePoolTop < tablePool.length) {
                tablePool[tablePoolTop++] = table[pfn];
            }
            table[pfn] = null;
            tables--;
        }
        mapcount[pfn] = 0;
        flags[pfn] = 0;
        mapping[pfn] = null;
        index[pfn] = 0;
        content[pfn] = 0;
        swapSlot[pfn] = 0;
        freeStack[freeTop++] = pfn;
        used--;
    }

    /** Entry i of the page-table frame tablePfn (for the oracle's brute-force scan). */
    public long entry(int tablePfn, int i) {
        return table[tablePfn][i];
    }

    public boolean isTable(int pfn) {
        return (flags[pfn] & PG_TABLE) != 0 && table[pfn] != null;
    }

    /** Iterates the free stack (for the oracle). */
    public int freeStackSize() {
        return freeTop;
    }

    public int freeStackAt(int i) {
        return freeStack[i];
    }
}
