package org.rmaplab.mm;

/**
 * What the model holds that a meter follows through a system call, not only after it: the vmas
 * of every mm (map_count summed), kept as vmas are linked and unlinked, and a listener told of
 * every growth — a vma linked ({@code Mm.insert}), a page-table frame allocated
 * ({@code Frames.allocTable}), a design object allocated ({@link RmapStats#object}). A peak
 * reached inside a call and gone before it returns (fork copying the vmas of an mm that a
 * failing fork then tears down, mremap holding the old and the new vma, exec building nothing
 * before the old mm goes) is then seen, as the kernel's slab and page-table counters would have
 * seen it. Only growth is reported: a peak can only be reached by growing.
 *
 * <p>Not Linux's: the kernel keeps these totals per cache (slabinfo) and per mm
 * (mm_pgtables_bytes); this is the model's instrument. It allocates nothing.
 */
public final class Footprint {
    /** vmas in every mm (the sum of map_count). */
    long vmas;
    /** The sums over every mm of {@link Mm#pteTables} and {@link Mm#pteTables4M}. */
    long pteTables;
    long pteTables4M;
    /** mms holding a page table below the pgd ({@link Mm#pgtables} &gt; 1). */
    long mmsWithTables;
    private Runnable listener;

    /** vmas in every mm now. */
    public long vmas() {
        return vmas;
    }

    /** PTE tables (2 MiB each) of every mm now: the sum of {@link Mm#pteTables}. */
    public long pteTables() {
        return pteTables;
    }

    /** 4 MiB ranges holding a PTE table, over every mm: the sum of {@link Mm#pteTables4M}. */
    public long pteTables4M() {
        return pteTables4M;
    }

    /** mms that hold some page table below their pgd. */
    public long mmsWithTables() {
        return mmsWithTables;
    }

    /** Tells {@code l} (null: no one) of every growth from now on; one listener at a time. */
    public void setListener(Runnable l) {
        listener = l;
    }

    /** Something grew: tell the listener. */
    void grew() {
        Runnable l = listener;
        if (l != null) {
            l.run();
        }
    }
}
