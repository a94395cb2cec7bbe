package org.rmaplab.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Task;

/**
 * mremap moving {@link Rig#PAGES} written anonymous pages, per page: move_page_tables one pte at a
 * time with the design's move hooks (the source and destination differ in their 2 MiB alignment,
 * so no whole PTE table moves, as in fault.c), plus the vma work (copy_vma, the old vma's unmap).
 * {@link #mremapMoveAligned}: the same with both sides 2 MiB-aligned (fault.c's
 * mremap_move_aligned), where today's design moves the 8 PTE tables whole (move_normal_pmd) and
 * the 2004 designs still move every pte one by one (docs/reference.md#mremap-page-tables).
 *
 * <p>Method: no set-up per invocation: each invocation moves the range from one place to the
 * other and the next moves it back (both directions are the same work).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MremapBench {
    @Param({"anon_vma_chain", "anon_vma", "pte_chains", "anonmm", "lokier"})
    public String design;

    /** 4 KiB and 8 KiB past two 2 MiB boundaries. */
    static final long SRC = Rig.BASE + Rig.PAGE;
    static final long DST = Rig.BASE + (1L << 32) + 2 * Rig.PAGE;

    /** Both 2 MiB-aligned, away from SRC and DST. */
    static final long ALIGNED_SRC = Rig.BASE + (1L << 34);
    static final long ALIGNED_DST = Rig.BASE + (1L << 35);

    private Rig rig;
    private Task t;
    private long from = SRC;
    private long to = DST;
    private long alignedFrom = ALIGNED_SRC;
    private long alignedTo = ALIGNED_DST;

    @Setup(Level.Trial)
    public void build() {
        rig = new Rig(design);
        t = rig.init;
        rig.mmapFixed(t, SRC, Rig.PAGES);
        rig.write(t, SRC, Rig.PAGES, 3);
        rig.mmapFixed(t, ALIGNED_SRC, Rig.PAGES);
        rig.write(t, ALIGNED_SRC, Rig.PAGES, 4);
    }

    @Benchmark
    @OperationsPerInvocation(Rig.PAGES)
    public long mremapMove() {
        long r = rig.k.mremap(t, from, Rig.PAGES * Rig.PAGE, Rig.PAGES * Rig.PAGE,
                Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, to);
        if (r != to) {
            throw new IllegalStateException("mremap: " + r);
        }
        long x = from;
        from = to;
        to = x;
        return r;
    }

    @Benchmark
    @OperationsPerInvocation(Rig.PAGES)
    public long mremapMoveAligned() {
        long r = rig.k.mremap(t, alignedFrom, Rig.PAGES * Rig.PAGE, Rig.PAGES * Rig.PAGE,
                Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, alignedTo);
        if (r != alignedTo) {
            throw new IllegalStateException("mremap: " + r);
        }
        long x = alignedFrom;
        alignedFrom = alignedTo;
        alignedTo = x;
        return r;
    }
}
