package org.rmaplab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Parallel.run: results in task order whatever the finishing order; the first failure in task order wins. */
class ParallelTest {

    @Test
    void resultsInTaskOrder() {
        List<Callable<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            int k = i;
            // Later tasks finish first.
            tasks.add(() -> {
                Thread.sleep(2L * (12 - k));
                return k * k;
            });
        }
        AtomicInteger done = new AtomicInteger();
        for (int jobs : new int[] {1, 3, 12, 40}) {
            done.set(0);
            List<Integer> got = Parallel.run(jobs, tasks, k -> done.incrementAndGet());
            for (int i = 0; i < 12; i++) {
                assertEquals(i * i, got.get(i), "jobs " + jobs);
            }
            assertEquals(12, done.get(), "every task reported done");
        }
    }

    @Test
    void theFirstFailureInTaskOrderIsRethrown() {
        List<Callable<Integer>> tasks = List.of(() -> 1, () -> {
            Thread.sleep(30);
            throw new IllegalStateException("second");
        }, () -> {
            throw new IllegalArgumentException("third");
        });
        for (int jobs : new int[] {1, 3}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Parallel.run(jobs, tasks, k -> { }));
            assertEquals("second", e.getMessage());
        }
    }

    @Test
    void defaultJobsFitTheHeap() {
        int cpus = Runtime.getRuntime().availableProcessors();
        assertEquals(Math.max(1, Math.min(cpus, Runtime.getRuntime().maxMemory() / Parallel.heapPerRun(1L << 30))),
                Parallel.defaultJobs(1L << 30));
        assertEquals(1, Parallel.defaultJobs(1L << 40), "a 1 TiB machine runs alone");
        assertTrue(Parallel.heapFloor(1L << 30, 0) == (1L << 18) * 48);
    }
}
