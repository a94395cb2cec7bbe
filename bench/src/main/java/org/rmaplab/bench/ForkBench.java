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
import org.rmaplab.mm.Task;

/**
 * fork of an mm with {@link Rig#PAGES} written anonymous pages in one vma (dup_mmap,
 * copy_page_range and the design's fork work: anon_vma_fork, pte_chain adds, anonmm or lokier
 * group links), and of an mm without vmas, the fixed cost to subtract: fork per page is
 * (fork - forkEmpty) / PAGES, as fault.c computes it on the kernel. The score of {@code fork} is
 * already divided by PAGES (@OperationsPerInvocation).
 *
 * <p>Method: the untimed {@code @Setup(Level.Invocation)} exits the child of the previous
 * invocation; the invocation times the fork alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ForkBench {
    @Param({"anon_vma_chain", "anon_vma", "pte_chains", "anonmm", "lokier"})
    public String design;

    private Rig rig;
    private Task parent;
    private Task empty;
    private Task child;

    @Setup(Level.Trial)
    public void build() {
        rig = new Rig(design);
        parent = rig.init;
        long a = rig.mmapFixed(parent, Rig.BASE, Rig.PAGES);
        rig.write(parent, a, Rig.PAGES, 1);
        empty = rig.fork(parent);
        Rig.check(rig.k.exec(empty), "exec"); // a fresh mm without vmas
    }

    @Setup(Level.Invocation)
    public void reapChild() {
        if (child != null) {
            rig.k.exit(child);
            child = null;
        }
    }

    @Benchmark
    @OperationsPerInvocation(Rig.PAGES)
    public Task fork() {
        return child = rig.fork(parent);
    }

    @Benchmark
    public Task forkEmpty() {
        return child = rig.fork(empty);
    }
}
