package org.rmaplab.bench;

import java.lang.management.ManagementFactory;

import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Task;
import org.rmaplab.rmap.RmapDesigns;

/**
 * Two measurements JMH's timings do not give, printed as a table for docs/benchmarks.md:
 *
 * <ul>
 * <li><b>Host bytes per page</b>: the Java heap a machine of 1 GiB holds once (almost) every frame
 * is a written anonymous page, divided by the pages: the heap in use after {@code System.gc()}
 * with the machine alive minus the same without it. It includes the frame arrays, the page-table
 * frames' pte arrays, vmas, mms and the design's objects.
 * <li><b>Bytes allocated per operation</b> on the hot paths, per design: the thread's allocation
 * counter ({@code com.sun.management.ThreadMXBean.getThreadAllocatedBytes}) read around the timed
 * calls of each benchmark only, after a warm-up, so set-up allocations do not count (JMH's
 * {@code -prof gc} counts what an invocation-level set-up allocates too).
 * </ul>
 *
 * Run: {@code java -cp bench/target/benchmarks.jar org.rmaplab.bench.Footprint}
 */
public final class Footprint {
    private static final com.sun.management.ThreadMXBean MX =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final long TID = Thread.currentThread().getId();
    static final int P = Rig.PAGES;
    static final long LEN = P * Rig.PAGE;

    private static long allocated() {
        return MX.getThreadAllocatedBytes(TID);
    }

    private static long heapUsed() {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    public static void main(String[] args) {
        boolean serial = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .anyMatch(g -> g.getName().equals("Copy") || g.getName().equals("MarkSweepCompact"));
        if (!serial) {
            System.out.println("(not run with -XX:+UseSerialGC: G1 counts the free tails of humongous regions, "
                    + "so the heap figures below overstate the model's bytes)");
        }
        System.out.println("host bytes per page (1 GiB machine, every frame a written anonymous page or a page table):");
        System.out.println("| design | pages | heap bytes | bytes per page |");
        System.out.println("|---|---:|---:|---:|");
        for (String d : RmapDesigns.names()) {
            long before = heapUsed();
            Rig rig = new Rig(d, MachineConfig.DEFAULT_RAM, 0);
            long pages = (MachineConfig.DEFAULT_RAM / Rig.PAGE) / 512 * 511 - 1024;
            pages -= pages % 512;
            long a = rig.mmapFixed(rig.init, Rig.BASE, pages);
            rig.write(rig.init, a, pages, 7);
            long after = heapUsed();
            System.out.printf("| %s | %d | %d | %.1f |%n", d, pages, after - before, (double) (after - before) / pages);
            if (rig.k.frames() == null) {
                System.out.println(); // keeps rig reachable until after the measurement
            }
        }

        System.out.println();
        System.out.println("bytes allocated per page (per fork for fork, per walk for the walk), timed calls only, after warm-up:");
        System.out.println("| design | write fault | zero-page read fault | COW fault | fork (B per fork of 4096 pages) | munmap | mremap move | walk (16 children, shared) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (String d : RmapDesigns.names()) {
            double[] r = new double[7];
            for (int round = 0; round < 3; round++) { // the last round counts
                r = measure(d);
            }
            System.out.printf("| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f |%n", d, r[0], r[1], r[2], r[3], r[4],
                    r[5], r[6]);
        }
    }

    /** One pass over every operation; returns bytes allocated per page (per fork, per walk) for each. */
    static double[] measure(String d) {
        double[] out = new double[7];
        int reps = 20;
        Rig rig = new Rig(d);
        Machine k = rig.k;
        Task t = rig.init;
        long a = rig.mmapFixed(t, Rig.BASE, P);
        rig.write(t, a, P, 1);
        long sum = 0;
        for (int i = 0; i < reps; i++) {
            k.madvise(t, a, LEN, Mman.MADV_DONTNEED);
            long b0 = allocated();
            k.write(t, a, LEN, 2);
            sum += allocated() - b0;
        }
        out[0] = (double) sum / reps / P;
        sum = 0;
        for (int i = 0; i < reps; i++) {
            k.madvise(t, a, LEN, Mman.MADV_DONTNEED);
            long b0 = allocated();
            k.touch(t, a, LEN);
            sum += allocated() - b0;
        }
        out[1] = (double) sum / reps / P;
        rig.write(t, a, P, 1);
        long forkSum = 0;
        for (int pass = 0; pass < 2; pass++) { // the first pass lets pools reach their size
            sum = 0;
            forkSum = 0;
            for (int i = 0; i < reps; i++) {
                long b0 = allocated();
                Task c = k.fork(t);
                forkSum += allocated() - b0;
                b0 = allocated();
                k.write(t, a, LEN, 3 + i);
                sum += allocated() - b0;
                k.exit(c);
            }
        }
        out[2] = (double) sum / reps / P;
        out[3] = (double) forkSum / reps; // per fork: a fixed cost, not per page
        sum = 0;
        for (int i = 0; i < reps; i++) {
            long b0 = allocated();
            k.munmap(t, a, LEN);
            sum += allocated() - b0;
            rig.mmapFixed(t, a, P);
            rig.write(t, a, P, 4);
        }
        out[4] = (double) sum / reps / P;
        k.munmap(t, a, LEN);
        long from = MremapBench.SRC;
        long to = MremapBench.DST;
        rig.mmapFixed(t, from, P);
        rig.write(t, from, P, 5);
        sum = 0;
        for (int i = 0; i < reps; i++) {
            long b0 = allocated();
            long r = k.mremap(t, from, LEN, LEN, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, to);
            sum += allocated() - b0;
            if (r != to) {
                throw new IllegalStateException("mremap " + r);
            }
            long x = from;
            from = to;
            to = x;
        }
        out[5] = (double) sum / reps / P;
        // The walk: WalkBench's shared case with 16 children.
        WalkBench w = new WalkBench();
        w.design = d;
        w.children = 16;
        w.target = "shared";
        w.build();
        for (int i = 0; i < 10_000; i++) {
            w.walk();
        }
        long b0 = allocated();
        int walks = 10_000;
        for (int i = 0; i < walks; i++) {
            w.walk();
        }
        out[6] = (double) (allocated() - b0) / walks;
        return out;
    }
}
