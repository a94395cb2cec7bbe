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
 * The COW fault after fork, per page: the parent writes each of {@link Rig#PAGES} pages it shares
 * with a child (wp_page_copy: a new page, the old one left to the child).
 *
 * <p>Method: the untimed {@code @Setup(Level.Invocation)} ends the previous child (freeing the old
 * copies) and forks a new one, so every page of the parent is shared again; the invocation times
 * only the parent's writes. fault.c does the same on the kernel (the child waits on a pipe).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CowBench {
    @Param({"anon_vma_chain", "anon_vma", "pte_chains", "anonmm", "lokier"})
    public String design;

    private Rig rig;
    private Task parent;
    private Task child;
    private long a;

    @Setup(Level.Trial)
    public void build() {
        rig = new Rig(design);
        parent = rig.init;
        a = rig.mmapFixed(parent, Rig.BASE, Rig.PAGES);
        rig.write(parent, a, Rig.PAGES, 1);
    }

    @Setup(Level.Invocation)
    public void freshChild() {
        if (child != null) {
            rig.k.exit(child);
        }
        child = rig.fork(parent);
    }

    @Benchmark
    @OperationsPerInvocation(Rig.PAGES)
    public int cowFault() {
        return rig.k.write(parent, a, Rig.PAGES * Rig.PAGE, 2);
    }
}
