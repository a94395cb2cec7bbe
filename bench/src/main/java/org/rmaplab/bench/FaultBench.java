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

/**
 * Anonymous faults with warm page tables, per page: a write fault (do_anonymous_page allocating a
 * page) and a read fault (mapping the shared zero page).
 *
 * <p>Method: one invocation accesses {@link Rig#PAGES} consecutive pages of one vma through
 * {@code Machine.write} / {@code Machine.touch} (Gup) (each page one fault); the
 * {@code @Setup(Level.Invocation)} before it MADV_DONTNEEDs the range, which frees the pages but
 * keeps the page tables (the model frees tables only by free_pgd_range's rule), as
 * harness/bench/fault.c does on the kernel. The set-up is not timed; at about a millisecond per
 * invocation, JMH's per-invocation timestamps are noise.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FaultBench {
    @Param({"anon_vma_chain", "anon_vma", "pte_chains", "anonmm", "lokier"})
    public String design;

    private Rig rig;
    private org.rmaplab.mm.Task t;
    private long a;

    @Setup(Level.Trial)
    public void build() {
        rig = new Rig(design);
        t = rig.init;
        a = rig.mmapFixed(t, Rig.BASE, Rig.PAGES);
        rig.write(t, a, Rig.PAGES, 1); // page tables now exist
    }

    @Setup(Level.Invocation)
    public void dropPages() {
        Rig.check(rig.k.madvise(t, a, Rig.PAGES * Rig.PAGE, Mman.MADV_DONTNEED), "madvise");
    }

    @Benchmark
    @OperationsPerInvocation(Rig.PAGES)
    public int writeFault() {
        return rig.k.write(t, a, Rig.PAGES * Rig.PAGE, 0x5a);
    }

    @Benchmark
    @OperationsPerInvocation(Rig.PAGES)
    public int readFaultZeroPage() {
        return rig.k.touch(t, a, Rig.PAGES * Rig.PAGE);
    }
}
