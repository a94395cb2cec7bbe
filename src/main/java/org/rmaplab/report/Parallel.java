package org.rmaplab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Independent runs (one machine each: the model keeps no state outside a {@code Machine} and its
 * design) on up to JOBS threads, their results returned in the order of the tasks, so that what is
 * printed from them is the same byte for byte whatever JOBS is. One job runs everything on the
 * calling thread, in order.
 */
public final class Parallel {
    private Parallel() {}

    /**
     * Bytes of host heap one run on a machine of RAM_BYTES of model RAM takes at most, by estimate:
     * 256 bytes a frame and 64 MiB for the rest. Measured: {@code fork-fanout children=1024
     * pages=1024} (8 GiB of model RAM, 2.1 million frames) peaks at 350 to 500 MB of heap per design
     * (the per-frame arrays of {@code Frames} and the LRU, the page tables, the oracle's shadow, the
     * designs' objects).
     */
    public static long heapPerRun(long ramBytes) {
        return (ramBytes >>> 12) * 256 + (64L << 20);
    }

    /**
     * Bytes of heap a machine of RAM_BYTES and SWAP_BYTES takes before anything runs: the per-frame
     * arrays of {@code Frames} (refcount, mapcount, flags, mapping, index, content, swap slot, the
     * LRU's two links: 48 bytes a frame with compressed references) and of {@code Swapfile} (count,
     * cache, data, free stack: 20 bytes a slot). A machine whose floor exceeds the heap cannot run.
     */
    public static long heapFloor(long ramBytes, long swapBytes) {
        return (ramBytes >>> 12) * 48 + (swapBytes >>> 12) * 20;
    }

    /**
     * The default number of jobs: the available processors, but no more runs at once than the heap
     * holds ({@code Runtime.maxMemory()} over {@link #heapPerRun} of the biggest machine), and at
     * least one.
     */
    public static int defaultJobs(long maxRamBytes) {
        int cpus = Runtime.getRuntime().availableProcessors();
        long fit = Runtime.getRuntime().maxMemory() / heapPerRun(maxRamBytes);
        return (int) Math.max(1, Math.min(cpus, fit));
    }

    /**
     * The results of TASKS, in order, run on up to JOBS threads; DONE is told how many have finished
     * after each one does (from the finishing thread, in the order they finish). A task's exception
     * is rethrown (its cause, if unchecked) once every task has finished, the first in task order.
     */
    public static <T> List<T> run(int jobs, List<Callable<T>> tasks, IntConsumer done) {
        List<T> out = new ArrayList<>(tasks.size());
        AtomicInteger finished = new AtomicInteger();
        if (jobs <= 1 || tasks.size() <= 1) {
            for (Callable<T> t : tasks) {
                out.add(call(t));
                done.accept(finished.incrementAndGet());
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(jobs, tasks.size()), r -> {
            Thread th = new Thread(r, "rmaplab-run");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> t : tasks) {
                futures.add(pool.submit(() -> {
                    try {
                        return t.call();
                    } finally {
                        done.accept(finished.incrementAndGet());
                    }
                }));
            }
            RuntimeException first = null;
            for (Future<T> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    out.add(null);
                    if (first == null) {
                        first = unchecked(e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            if (first != null) {
                throw first;
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T call(Callable<T> t) {
        try {
            return t.call();
        } catch (Exception e) {
            throw unchecked(e);
        }
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
