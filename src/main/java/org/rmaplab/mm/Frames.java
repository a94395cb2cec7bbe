package org.rmaplab.mm;

/**
 * Physical memory: one slot per 4 KiB frame, kept as parallel arrays (struct page split into
 * columns), never as an object per page. The per-frame columns are refcount, mapcount, flags,
 * lruNext, lruPrev (4 B each), mapping (a reference: 4 B with compressed oops), index and content
 * (8 B each) and, unless the design keeps a swap-cache page's slot in index, swapSlot (4 B):
 * 44 B per frame, 40 B under pte_chains (FramesColumnsTest pins this). Nothing else is per frame.
 *
 * <p>Invariants kept here and checked by the oracle:
 * <ul>
 *   <li>A free frame has refcount 0, mapcount 0, no flags, mapping null, and is on the free list
 *       exactly once. The free list is singly linked through {@code lruNext} (a free frame is on
 *       no LRU list, so the link is unused), ends in -1 and holds exactly {@link #free()} frames;
 *       it is LIFO: the frame freed last is allocated first, and at boot the lowest pfns come
 *       first, so every run allocates the same pfns; push and pop are O(1). An allocated frame
 *       has refcount &ge; 1 and lruNext -1 until the LRU links it.
 *   <li>{@link #ZERO_PFN} is the shared zero page: reserved, never freed, never counted in
 *       refcount or mapcount (vm_normal_page() returns NULL for it).
 *   <li>For a page-table frame ({@link #PG_TABLE}) {@code mapping} is the owning {@link Mm} and
 *       {@code index} the first user address the table covers — what 2.6.0's pgtable_add_rmap()
 *       stored, so a pte's slot number leads back to (mm, address) — and {@code content}, which a
 *       table frame does not otherwise use, holds its table id: the slot in the table store whose
 *       array holds its 512 entries. Table ids of live tables are distinct, and the store's
 *       owner of an id is that table's pfn ({@link #tableIdOwner}); a frame that is not a table
 *       owns no id.
 *   <li>For an anonymous page ({@link #PG_ANON}) {@code mapping} and {@code index} belong to the
 *       reverse-mapping design; for a page-cache page {@code mapping} is the {@link AddressSpace}
 *       and {@code index} the page offset in the file.
 *   <li>A page in the swap cache ({@link #PG_SWAPCACHE}) names its slot by {@link #swapSlot(int)}:
 *       the swapSlot column (page_private, today's folio-&gt;swap) or, when the design says so
 *       ({@link org.rmaplab.mm.DesignTraits#swapEntryInIndex}), {@code index}, as 2.6.0's
 *       add_to_swap_cache() stored entry.val in page-&gt;index. A page not in the swap cache has
 *       slot 0.
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
    /**
     * PG_mlocked: the page is mapped by a pte of a VM_LOCKED vma and kept off the LRU. Set only by
     * pte_chains with wli's step (b) (docs/reference.md#wli-three-steps: "set a bitflag"), the bit 2.6.28 later named
     * PG_mlocked; no other design sets it (the model keeps 2.6's mlocked pages on the LRU).
     */
    public static final int PG_MLOCKED = 1 << 4;
    public static final int PG_DIRTY = 1 << 5;
    public static final int PG_SWAPBACKED = 1 << 6;
    /** The page is in the swap cache; {@link #swapSlot(int)} names its slot (PG_swapcache). */
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
    /**
     * page_private for a page in the swap cache: its swap slot; null when the design keeps the
     * slot in {@code index} (2.6.0). Read and written through {@link #swapSlot(int)}.
     */
    private final int[] swapSlot;
    /** LRU list links (page-&gt;lru), -1 at the ends; lruNext also links the free list. */
    final int[] lruNext;
    final int[] lruPrev;

    /** Head of the free list (linked through lruNext), -1 when empty; its length. */
    private int freeHead;
    private int freeCount;

    /**
     * The table store, by table id: the 512 entries of each live page-table frame (null for an
     * unused id), and the pfn that owns each id (-1 for none). Sized by the tables in use at once,
     * not by the frames; unused ids are reused last-freed first.
     */
    private long[][] tableArrays = new long[64][];
    private int[] tableOwner = minusOnes(64);
    private int[] freeIds = new int[64];
    private int freeIdTop;
    private int nextId;
    private int used;
    private int peakUsed;
    private int tables;
    /** Told of every page-table frame allocated (set by the machine). */
    Footprint footprint;

    /**
     * @param swapEntryInIndex keep a swap-cache page's slot in {@code index} and have no swapSlot
     *     column (the design's {@link org.rmaplab.mm.DesignTraits#swapEntryInIndex})
     */
    Frames(long ramBytes, boolean swapEntryInIndex) {
        long n = ramBytes >>> Machine.PAGE_SHIFT;
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
        swapSlot = swapEntryInIndex ? null : new int[nr];
        lruNext = new int[nr];
        lruPrev = new int[nr];
        // Lowest pfns are handed out first: 1 -> 2 -> ... -> nr-1.
        for (int pfn = ZERO_PFN + 1; pfn < nr; pfn++) {
            lruNext[pfn] = pfn + 1 < nr ? pfn + 1 : -1;
        }
        freeHead = nr > ZERO_PFN + 1 ? ZERO_PFN + 1 : -1;
        freeCount = nr - 1;
        lruNext[ZERO_PFN] = -1;
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
        return freeCount;
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
        while (freeCount == 0) {
            if (pressure == null || !pressure.relieve()) {
                return -1;
            }
        }
        int pfn = freeHead;
        freeHead = lruNext[pfn];
        freeCount--;
        lruNext[pfn] = -1;
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
        int id = freeIdTop > 0 ? freeIds[--freeIdTop] : newTableId();
        tableArrays[id] = tablePoolTop > 0 ? zeroed(tablePool[--tablePoolTop]) : new long[PageTable.PTRS_PER_TABLE];
        tableOwner[id] = pfn;
        content[pfn] = id;
        tables++;
        if (footprint != null) {
            footprint.grew();
        }
        return pfn;
    }

    /** A never-used table id, growing the store (doubling) when it is full. */
    private int newTableId() {
        if (nextId == tableArrays.length) {
            int cap = nextId * 2;
            tableArrays = java.util.Arrays.copyOf(tableArrays, cap);
            tableOwner = java.util.Arrays.copyOf(tableOwner, cap);
            java.util.Arrays.fill(tableOwner, nextId, cap, -1);
            freeIds = java.util.Arrays.copyOf(freeIds, cap);
        }
        return nextId++;
    }

    private static int[] minusOnes(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, -1);
        return a;
    }

    /** The 512 entries of the page-table frame pfn (its table id is in content). */
    long[] tab(int pfn) {
        return tableArrays[(int) content[pfn]];
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
            int id = (int) content[pfn];
            if (tablePoolTop < tablePool.length) {
                tablePool[tablePoolTop++] = tableArrays[id];
            }
            tableArrays[id] = null;
            tableOwner[id] = -1;
            freeIds[freeIdTop++] = id;
            tables--;
        }
        mapcount[pfn] = 0;
        flags[pfn] = 0;
        mapping[pfn] = null;
        index[pfn] = 0;
        content[pfn] = 0;
        if (swapSlot != null) {
            swapSlot[pfn] = 0;
        }
        lruNext[pfn] = freeHead;
        freeHead = pfn;
        freeCount++;
        used--;
    }

    /** Entry i of the page-table frame tablePfn (for the oracle's brute-force scan). */
    public long entry(int tablePfn, int i) {
        return tab(tablePfn)[i];
    }

    /** Is pfn a page-table frame whose content names a live table id that it owns? */
    public boolean isTable(int pfn) {
        if ((flags[pfn] & PG_TABLE) == 0) {
            return false;
        }
        long id = content[pfn];
        return id >= 0 && id < nextId && tableOwner[(int) id] == pfn && tableArrays[(int) id] != null;
    }

    /** The pfn that owns table id (-1 for none), for the oracle. */
    public int tableIdOwner(int id) {
        return id >= 0 && id < nextId ? tableOwner[id] : -1;
    }

    /** Table ids handed out so far (ids are below this). */
    public int tableIds() {
        return nextId;
    }

    /** The swap slot of a page in the swap cache (page_private, or page-&gt;index under 2.6.0); 0 otherwise. */
    public int swapSlot(int pfn) {
        return swapSlot != null ? swapSlot[pfn] : (int) index[pfn];
    }

    /** add_to_swap_cache() / __delete_from_swap_cache(): sets (or clears, with 0) a page's slot. */
    void setSwapSlot(int pfn, int s) {
        if (swapSlot != null) {
            swapSlot[pfn] = s;
        } else {
            index[pfn] = s;
        }
    }

    /** Does the design keep a swap-cache page's slot in index (no swapSlot column)? */
    public boolean swapEntryInIndex() {
        return swapSlot == null;
    }

    /** The first frame of the free list, -1 when it is empty (for the oracle). */
    public int freeListHead() {
        return freeHead;
    }

    /** The free frame after pfn on the free list, -1 at the end (for the oracle). */
    public int freeListNext(int pfn) {
        return lruNext[pfn];
    }
}
