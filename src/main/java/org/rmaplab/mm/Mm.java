package org.rmaplab.mm;

import java.util.Arrays;

/**
 * An address space (struct mm_struct): the vmas, sorted by address, and the page tables.
 *
 * <p>Invariants (checked by the oracle): vmas[0..mapCount) are sorted, non-overlapping and
 * page-aligned; mapCount &le; max_map_count after every successful system call; {@link #vmaCache}
 * is null or one of the mm's vmas; {@link #pgtables} counts the page-table frames owned by the mm.
 *
 * <p>Lock order (as the kernel's, mm/rmap.c's opening comment; for the reader: the model is
 * single-threaded): mmap_lock, then mapping-&gt;i_mmap_rwsem, then the design's anon lock
 * (anon_vma-&gt;rwsem of the root / anonmm's lock), then the page-table lock.
 *
 * <p>The vma "tree" is a sorted array searched by bisection, with a one-entry lookup cache like
 * 2.6's mm-&gt;mmap_cache (the maple tree of today gives the same answers). Lookups allocate nothing.
 */
public final class Mm {
    final int id;
    /** The PGD frame, -1 once torn down. */
    int pgd;
    private Vma[] vmas = new Vma[16];
    /** map_count. */
    int mapCount;
    /** mmap_cache: the vma found last. */
    private Vma vmaCache;
    /** Tasks using this mm (mm_users). */
    int users;
    long mmapBase;
    /**
     * Model only: [start, end) pairs of what the machine's program image mapped before the
     * scenario's first line (the kernel harness's guard page under a diff), which /proc/PID/maps
     * leaves out as the harness leaves out its own mappings (ProcMaps.maps); kept by fork.
     */
    long[] imageRanges = new long[0];
    long startBrk;
    long brk;
    /** Page-table frames owned (mm_pgtables_bytes / 4096). */
    long pgtables;
    /**
     * PTE tables among them (each maps PMD_SIZE, 2 MiB) and the 4 MiB-aligned ranges holding at
     * least one: the pte pages an i386 two-level kernel would hold for the same ptes (2.6.0
     * include/asm-i386/pgtable-2level-defs.h: PGDIR_SHIFT 22, one pte page of 1024 ptes per pgd
     * entry). Kept by {@link PageTable} where a PMD entry is set or cleared, for the cost model's
     * per-architecture page-table counts; checked by the oracle.
     */
    long pteTables;
    long pteTables4M;
    /** RSS counters: MM_ANONPAGES, MM_FILEPAGES / MM_SHMEMPAGES. */
    long rssAnon;
    long rssShmem;
    /** MM_SWAPENTS: swap entries in this mm's ptes. */
    long swapents;
    long lockedVm;
    /** Anything a design keeps per mm (anonmm's struct anonmm). */
    public Object rmapPriv;

    /** The machine's totals, told of every vma linked and unlinked. */
    private final Footprint footprint;

    Mm(int id, Footprint footprint) {
        this.id = id;
        this.footprint = footprint;
    }

    public int id() {
        return id;
    }

    public int mapCount() {
        return mapCount;
    }

    public int users() {
        return users;
    }

    public long rss() {
        return rssAnon + rssShmem;
    }

    public long rssAnon() {
        return rssAnon;
    }

    public long swapents() {
        return swapents;
    }

    public long pgtables() {
        return pgtables;
    }

    /** PTE tables (2 MiB each) this mm owns. */
    public long pteTables() {
        return pteTables;
    }

    /** 4 MiB-aligned ranges in which this mm owns at least one PTE table (i386's pte pages). */
    public long pteTables4M() {
        return pteTables4M;
    }

    public long brk() {
        return brk;
    }

    public long startBrk() {
        return startBrk;
    }

    /** The PGD frame (for the oracle's brute-force scan). */
    public int pgd() {
        return pgd;
    }

    public Vma vma(int i) {
        return vmas[i];
    }

    /** Position of the first vma with vmEnd &gt; addr (mapCount if none). */
    int indexAfter(long addr) {
        int lo = 0;
        int hi = mapCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (vmas[mid].vmEnd > addr) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /** find_vma(): the first vma with vmEnd &gt; addr, or null. */
    public Vma findVma(long addr) {
        Vma c = vmaCache;
        if (c != null && c.vmStart <= addr && c.vmEnd > addr) {
            return c;
        }
        int i = indexAfter(addr);
        if (i == mapCount) {
            return null;
        }
        Vma v = vmas[i];
        if (v.vmStart <= addr) {
            vmaCache = v;
        }
        return v;
    }

    /** vma_lookup(): the vma containing addr, or null. */
    public Vma vmaLookup(long addr) {
        Vma v = findVma(addr);
        return v != null && v.vmStart <= addr ? v : null;
    }

    /** find_vma_intersection(): the first vma intersecting [start, end), or null. */
    public Vma findVmaIntersection(long start, long end) {
        Vma v = findVma(start);
        return v != null && v.vmStart < end ? v : null;
    }

    /** The vma ending at or below addr with the highest end (find_vma_prev's prev). */
    public Vma prevOf(Vma v) {
        int i = indexOf(v);
        return i > 0 ? vmas[i - 1] : null;
    }

    public Vma nextOf(Vma v) {
        int i = indexOf(v);
        return i + 1 < mapCount ? vmas[i + 1] : null;
    }

    /** The last vma that starts below addr, or null (vma_prev at addr). */
    public Vma vmaBefore(long addr) {
        int i = indexAfter(addr);
        // vmas[i] is the first with end > addr; if it starts below addr it contains addr.
        if (i < mapCount && vmas[i].vmStart < addr) {
            return vmas[i];
        }
        return i > 0 ? vmas[i - 1] : null;
    }

    int indexOf(Vma v) {
        int i = indexAfter(v.vmStart);
        if (i < mapCount && vmas[i] == v) {
            return i;
        }
        throw new IllegalStateException("vma " + v + " not in mm " + id);
    }

    /** A page table below the pgd was allocated for this mm (mm_inc_nr_ptes and the like). */
    void pgtableAdded() {
        if (++pgtables == 2) {
            footprint.mmsWithTables++;
        }
    }

    /** A page table of this mm was freed (the pgd last). */
    void pgtableFreed() {
        if (--pgtables == 1) {
            footprint.mmsWithTables--;
        }
    }

    /** A PTE table was put in a PMD entry; {@code new4M}: the first of its 4 MiB pair. */
    void pteTableAdded(boolean new4M) {
        pteTables++;
        footprint.pteTables++;
        if (new4M) {
            pteTables4M++;
            footprint.pteTables4M++;
        }
    }

    /** A PTE table left its PMD entry; {@code last4M}: the last of its 4 MiB pair. */
    void pteTableRemoved(boolean last4M) {
        pteTables--;
        footprint.pteTables--;
        if (last4M) {
            pteTables4M--;
            footprint.pteTables4M--;
        }
    }

    /** Every table is gone (exit_mmap's free_pgtables). */
    void pteTablesCleared() {
        footprint.pteTables -= pteTables;
        footprint.pteTables4M -= pteTables4M;
        pteTables = 0;
        pteTables4M = 0;
    }

    void insert(Vma v) {
        int i = indexAfter(v.vmStart);
        if (i < mapCount && vmas[i].vmStart < v.vmEnd) {
            throw new IllegalStateException("inserting " + v + " over " + vmas[i]);
        }
        if (mapCount == vmas.length) {
            vmas = Arrays.copyOf(vmas, mapCount * 2);
        }
        System.arraycopy(vmas, i, vmas, i + 1, mapCount - i);
        vmas[i] = v;
        mapCount++;
        footprint.vmas++;
        footprint.grew();
    }

    void remove(Vma v) {
        int i = indexOf(v);
        System.arraycopy(vmas, i + 1, vmas, i, mapCount - i - 1);
        vmas[--mapCount] = null;
        footprint.vmas--;
        if (vmaCache == v) {
            vmaCache = null;
        }
    }

    /** Forget the lookup cache (after a vma's range changed). */
    void invalidateCache() {
        vmaCache = null;
    }

    @Override
    public String toString() {
        return "mm" + id;
    }
}
