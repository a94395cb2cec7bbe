package org.rmaplab.workloads;

import static org.rmaplab.workloads.ForkWorkloads.param;
import static org.rmaplab.scenario.ScenarioText.at;
import static org.rmaplab.scenario.ScenarioText.hex;
import static org.rmaplab.scenario.ScenarioText.pages;

import org.rmaplab.scenario.ScenarioText;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Linus Torvalds, "Re: anon_vma RFC2" (linux-kernel, 13 March 2004): "A high-performance server
 * would use threads, anyway." A threaded server:
 * T threads (clone) in one mm, each with an arena it grows by mremap MAYMOVE (doubling to 32
 * pages, then trimmed by MADV_DONTNEED of its upper half, as malloc_trim does), serving requests
 * with per-request buffers: mmap, write, sometimes realloc by mremap (doubling), read, and munmap
 * when the slot is reused (2T slots). At the end everything is reclaimed: with a single mm, every
 * design's walk finds a page's one mapping, so the object designs' walks cost one vma (anon_vma:
 * the vmas on the page's anon_vma list, several when neighbours shared one at anon_vma_prepare).
 */
final class ThreadedServer {
    private ThreadedServer() {}

    static final int ARENA_START = 2;
    static final int ARENA_MAX = 32;

    static Workload workload() {
        return new Workload("threaded-server",
                "T threads in one mm serve requests with mmap'ed per-request buffers (realloc by mremap, munmap), "
                        + "grow their arenas by mremap and trim them; then reclaim (one mm: walks of one vma)",
                List.of(param("threads", 8, 1, 256, "threads (clone) serving requests"),
                        param("requests", 64, 0, 1 << 14, "requests served"),
                        param("pages", 4, 1, 256, "largest request buffer, in pages"),
                        param("seed", 1, 0, Integer.MAX_VALUE, "random seed"),
                        param("reclaim", 1, 0, 1, "1: reclaim all at the end")),
                p -> new Server(p).scenario());
    }

    /** The scenario being written and what it last wrote: each thread's arena, each request slot's buffer. */
    private static final class Server {
        final Map<String, Long> p;
        final int threads;
        final long requests;
        final int maxPages;
        final Random rnd;
        final int slots;
        final Text t = new Text();
        long counter = 0x100;
        final long[][] arena;
        final int[] arenaSize;
        final long[][] buf;

        Server(Map<String, Long> p) {
            this.p = p;
            threads = (int) (long) p.get("threads");
            requests = p.get("requests");
            maxPages = (int) (long) p.get("pages");
            rnd = new Random(p.get("seed"));
            slots = 2 * threads;
            arena = new long[threads][ARENA_MAX];
            arenaSize = new int[threads];
            buf = new long[slots][];
        }

        String scenario() {
            t.line("# threaded-server threads=" + threads, "requests=" + requests, "pages=" + maxPages,
                    "seed=" + p.get("seed"), "reclaim=" + p.get("reclaim"));
            t.raw(Workloads.machine((long) threads * ARENA_MAX + (long) slots * maxPages * 2));
            startThreads();
            for (long q = 0; q < requests; q++) {
                serveRequest();
            }
            if (p.get("reclaim") == 1) {
                t.line("reclaim all");
            }
            readBack();
            t.line("check");
            return t.toString();
        }

        /** t1 clones the threads; each maps and writes its arena. */
        void startThreads() {
            for (int i = 0; i < threads; i++) {
                String w = "w" + (i + 1);
                t.line("t1 clone as", w);
                t.line(w, "mmap 0", pages(ARENA_START), "rw private|anonymous as", "A" + (i + 1));
                t.line(w, "write", "A" + (i + 1), pages(ARENA_START), hex(counter));
                java.util.Arrays.fill(arena[i], 0, ARENA_START, counter++);
                arenaSize[i] = ARENA_START;
            }
        }

        /**
         * A random thread serves a request in a random slot: the slot's previous buffer is checked
         * and unmapped, a new one mapped and written; then a realloc, an arena change or a read.
         */
        void serveRequest() {
            int i = rnd.nextInt(threads);
            String w = "w" + (i + 1);
            int s = rnd.nextInt(slots);
            String b = "B" + s;
            if (buf[s] != null) {
                // The slot's previous request is done: check its reply, free its buffer.
                t.line(w, "read", at(b, buf[s].length - 1), "expect", hex(buf[s][buf[s].length - 1]));
                t.line(w, "munmap", b, pages(buf[s].length));
            }
            int n = 1 + rnd.nextInt(maxPages);
            long v = counter++;
            t.line(w, "mmap 0", pages(n), "rw private|anonymous as", b);
            t.line(w, "write", b, pages(n), hex(v));
            buf[s] = new long[n];
            java.util.Arrays.fill(buf[s], v);
            switch (rnd.nextInt(4)) {
                case 0 -> reallocBuffer(w, s, n);
                case 1 -> growOrTrimArena(w, i);
                case 2 -> t.line(w, "read", b, "expect", hex(v));
                default -> { }
            }
        }

        /** realloc of slot S's buffer of N pages: mremap MAYMOVE to 2N, the new half written. */
        void reallocBuffer(String w, int s, int n) {
            String b = "B" + s;
            long v2 = counter++;
            t.line(w, "mremap", b, pages(n), pages(2L * n), "maymove as", b);
            t.line(w, "write", at(b, n), pages(n), hex(v2));
            buf[s] = java.util.Arrays.copyOf(buf[s], 2 * n);
            java.util.Arrays.fill(buf[s], n, 2 * n, v2);
        }

        /** Thread I's arena doubles by mremap MAYMOVE, or at ARENA_MAX is trimmed as malloc_trim does. */
        void growOrTrimArena(String w, int i) {
            String a = "A" + (i + 1);
            int size = arenaSize[i];
            long v2 = counter++;
            if (size < ARENA_MAX) {
                // the arena grows
                t.line(w, "mremap", a, pages(size), pages(2L * size), "maymove as", a);
                t.line(w, "write", at(a, size), pages(size), hex(v2));
                java.util.Arrays.fill(arena[i], size, 2 * size, v2);
                arenaSize[i] = 2 * size;
            } else {
                // malloc_trim: the upper half goes back, then one page of it is used again
                t.line(w, "madvise", at(a, size / 2), pages(size / 2), "dontneed");
                java.util.Arrays.fill(arena[i], size / 2, size, 0);
                t.line(w, "write", at(a, size / 2), "1p", hex(v2));
                arena[i][size / 2] = v2;
            }
        }

        /** The first and last page of every arena and of every live buffer hold what was last written. */
        void readBack() {
            for (int i = 0; i < threads; i++) {
                String w = "w" + (i + 1);
                String a = "A" + (i + 1);
                t.line(w, "read", a, "expect", hex(arena[i][0]));
                t.line(w, "read", at(a, arenaSize[i] - 1), "expect", hex(arena[i][arenaSize[i] - 1]));
            }
            for (int s = 0; s < slots; s++) {
                if (buf[s] != null) {
                    t.line("t1 read", "B" + s, "expect", hex(buf[s][0]));
                    t.line("t1 read", at("B" + s, buf[s].length - 1), "expect", hex(buf[s][buf[s].length - 1]));
                }
            }
        }
    }
}
