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
 * munmap of {@link Rig#PAGES} written anonymous pages, per page (unmap_region: zap_pte_range with
 * the design's page_remove_rmap per pte, freeing every page, then free_pgtables).
 *
 * <p>Method: the untimed {@code @Setup(Level.Invocation)} maps and writes the range again.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ZapBench {
    @Param({"anon_vma_chain", "anon_vma", "pte_chains", "anonmm", "lokier"})
    public String design;

    static final long SRC = Rig.BASE + Rig.PAGE;

    private Rig rig;
    private Task t;

    @Setup(Level.Trial)
    public void build() {
        rig = new Rig(design);
        t = rig.init;
        rig.mmapFixed(t, SRC, Rig.PAGES);
        rig.write(t, SRC, Rig.PAGES, 3);
    }

    @Setup(Level.Invocation)
    public void map() {
        if (rig.k.vmasIn(t, SRC, Rig.PAGES * Rig.PAGE) == 0) {
            rig.mmapFixed(t, SRC, Rig.PAGES);
            rig.write(t, SRC, Rig.PAGES, 3);
        }
    }

    @Benchmark
    @OperationsPerInvocation(Rig.PAGES)
    public long munmap() {
        return rig.k.munmap(t, SRC, Rig.PAGES * Rig.PAGE);
    }
}
