package org.rmaplab.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

import org.rmaplab.rmap.RmapDesigns;

/**
 * A cross-check of the JMH scores in CPU time, the measure harness/bench/fault.c uses on the
 * kernel: on a shared machine JMH's wall-clock scores also count the time the benchmark thread
 * waited for a CPU. It drives the JMH benchmark classes themselves (the same state, the same
 * untimed set-up methods), times each invocation with the thread's CPU clock
 * ({@code ThreadMXBean.getCurrentThreadCpuTime}, CLOCK_THREAD_CPUTIME_ID on Linux) and prints the
 * median over ROUNDS invocations after WARMUP untimed ones, per page (per walk for the walk).
 * JMH stays the benchmark of record; this is a second opinion under load.
 *
 * Run: {@code java -cp bench/target/benchmarks.jar org.rmaplab.bench.CpuTime [WARMUP [ROUNDS]]}
 * (or {@code ./rmaplab bench cputime}).
 */
public final class CpuTime {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    interface Step {
        void run() throws Exception;
    }

    static int warmup = 300;
    static int rounds = 101;

    static double median(Step setup, Step op, int opsPerInvocation) throws Exception {
        double[] v = new double[rounds];
        for (int i = 0; i < warmup + rounds; i++) {
            setup.run();
            long t0 = MX.getCurrentThreadCpuTime();
            op.run();
            long t1 = MX.getCurrentThreadCpuTime();
            if (i >= warmup) {
                v[i - warmup] = (double) (t1 - t0) / opsPerInvocation;
            }
        }
        Arrays.sort(v);
        return v[rounds / 2];
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            warmup = Integer.parseInt(args[0]);
        }
        if (args.length > 1) {
            rounds = Integer.parseInt(args[1]);
        }
        Step none = () -> {};
        System.out.printf("CPU time, median of %d invocations after %d untimed ones, ns per page "
                + "(fork: (fork - forkEmpty / %d) per page; walk: ns per walk, 16 children)%n", rounds, warmup, Rig.PAGES);
        System.out.println("| design | write fault | zero-page read fault | COW fault | fork | munmap | mremap move "
                + "| mremap move aligned | walk shared | walk parent | walk child |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String d : RmapDesigns.names()) {
            FaultBench f = new FaultBench();
            f.design = d;
            f.build();
            double wf = median(f::dropPages, f::writeFault, Rig.PAGES);
            double rf = median(f::dropPages, f::readFaultZeroPage, Rig.PAGES);
            CowBench c = new CowBench();
            c.design = d;
            c.build();
            double cow = median(c::freshChild, c::cowFault, Rig.PAGES);
            ForkBench k = new ForkBench();
            k.design = d;
            k.build();
            double fork = median(k::reapChild, k::fork, Rig.PAGES);
            double forkEmpty = median(k::reapChild, k::forkEmpty, 1);
            ZapBench z = new ZapBench();
            z.design = d;
            z.build();
            double zap = median(z::map, z::munmap, Rig.PAGES);
            MremapBench m = new MremapBench();
            m.design = d;
            m.build();
            double mv = median(none, m::mremapMove, Rig.PAGES);
            double mva = median(none, m::mremapMoveAligned, Rig.PAGES);
            double[] walk = new double[3];
            String[] targets = {"shared", "parent", "child"};
            for (int i = 0; i < 3; i++) {
                WalkBench w = new WalkBench();
                w.design = d;
                w.children = 16;
                w.target = targets[i];
                w.build();
                // One walk is shorter than the CPU clock's resolution is fine: time 1000 at a time.
                walk[i] = median(none, () -> {
                    for (int j = 0; j < 1000; j++) {
                        w.walk();
                    }
                }, 1000);
            }
            System.out.printf("| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f | %.0f | %.0f | %.0f |%n", d, wf, rf,
                    cow, fork - forkEmpty / Rig.PAGES, zap, mv, mva, walk[0], walk[1], walk[2]);
        }
    }
}
