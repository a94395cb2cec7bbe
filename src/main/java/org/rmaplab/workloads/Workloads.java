package org.rmaplab.workloads;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The named workloads of issue 7. */
public final class Workloads {
    private Workloads() {}

    public static final List<Workload> ALL = List.of(forkFanout(), reallocGrowth(), preforkServer(), sharedSegment(),
            mlockedSegment(),
            ForkWorkloads.forkWithoutExec(), ForkWorkloads.mremapAfterFork(), ThreadedServer.workload(),
            GcCompact.workload(), ForkWorkloads.anonVmaGrowth(), ForkWorkloads.splitGrowth(),
            RmapTest.workload(), ForkTree.workload(), DbSegment.workload(), ZgcRemap.workload());

    public static Optional<Workload> find(String name) {
        return ALL.stream().filter(w -> w.name().equals(name)).findFirst();
    }

    /** The most model RAM a machine may have: {@code Frames} holds at most 2^28 frames of 4 KiB. */
    static final long MAX_RAM = 1L << 40;

    /** The machine line for one task's PAGES pages: room for every page twice over, swap for all of them. */
    static String machine(long pages) {
        return machine(pages, 1, 1, pages);
    }

    /**
     * The machine line for PAGES pages of data and TASKS tasks (mms) with up to VMAS vmas each,
     * mapping PTES ptes in all: room for every data page twice over (as {@link #machine(long)}), or,
     * if more, for every data page once and their page tables, which the model allocates from the
     * same frames ({@code PageTable.alloc}, __pte_alloc) and which cannot be swapped: per task a PGD,
     * a PUD and a PMD (x86_64's four levels; the 32-bit profiles need fewer), per vma up to two PTE
     * tables more than its share (its ends), and one per 512 ptes. Swap as big as RAM. (Many tasks
     * over few pages need the second: shared-segment tasks=999 pages=64 needed about 4000 table
     * frames on a 16 MiB machine sized for its pages alone, and the OOM killer ended tasks.) A machine the model
     * cannot hold (more than {@link #MAX_RAM}) is refused: IllegalArgumentException naming what it
     * would need.
     */
    static String machine(long pages, long tasks, long vmas, long ptes) {
        long tables = tasks * (3 + 2 * vmas) + ptes / 512 + 1;
        long frames = Math.max(2 * pages, pages + tables);
        if (frames > MAX_RAM >> 12) {
            throw new IllegalArgumentException("needs " + frames + " frames (" + (frames >> 18)
                    + " GiB) of model RAM, more than the model holds (" + (MAX_RAM >> 30) + " GiB)");
        }
        long mb = Math.max(16, (frames * 4096 + (1 << 20) - 1) >> 20);
        return "machine ram=" + mb + "M swap=" + mb + "M\n";
    }

    /**
     * Fork fan-out with COW (commit 5beb49305251's example, scaled down): the parent writes P pages,
     * forks N children, each child writes (COWs) every page, the parent exits if asked, then
     * everything is reclaimed. With parent_cows the other direction: the parent, not the children,
     * writes every page after the forks, so each of the P old pages stays mapped by the N children
     * and the parent's P new ones sit in the parent's (the root) anon_vma, whose tree holds every
     * child's vma too.
     */
    static Workload forkFanout() {
        return new Workload("fork-fanout",
                "N children each COW all P pages of their parent (or, parent_cows=1, the parent COWs them all "
                        + "after the forks), then reclaim all (anon_vma walk O(N), AVC ~1; parent COWs: O(N) for all)",
                List.of(new Workload.Param("children", 8, 1, 4096, "forked children"),
                        new Workload.Param("pages", 16, 1, 1 << 16, "anonymous pages the parent writes"),
                        new Workload.Param("parent_exits", 0, 0, 1, "1: the parent exits before reclaim"),
                        new Workload.Param("parent_cows", 0, 0, 1,
                                "1: the parent, not the children, writes every page after the forks")),
                Workloads::forkFanoutScenario);
    }

    private static String forkFanoutScenario(Map<String, Long> p) {
        long n = p.get("children");
        long pages = p.get("pages");
        boolean parentCows = p.get("parent_cows") == 1;
        StringBuilder b = new StringBuilder();
        b.append("# fork-fanout children=").append(n).append(" pages=").append(pages)
                .append(" parent_exits=").append(p.get("parent_exits"));
        b.append(parentCows ? " parent_cows=1\n" : "\n");
        long data = parentCows ? 2 * pages : (n + 1) * pages;
        b.append(machine(data, n + 1, 1, (n + 1) * pages));
        b.append("t1 mmap 0 ").append(pages).append("p rw private|anonymous as A\n");
        b.append("t1 write A ").append(pages).append("p 0x1\n");
        for (long i = 1; i <= n; i++) {
            b.append("t1 fork as c").append(i).append('\n');
        }
        if (parentCows) {
            b.append("t1 write A ").append(pages).append("p 0x2\n");
        } else {
            for (long i = 1; i <= n; i++) {
                b.append('c').append(i).append(" write A ").append(pages).append("p 0x")
                        .append(Long.toHexString(0x100 + i)).append('\n');
            }
        }
        if (p.get("parent_exits") == 1) {
            b.append("t1 exit\n");
        }
        b.append("reclaim all\n");
        for (long i = 1; i <= n; i++) {
            b.append('c').append(i).append(" read A+").append(pages - 1).append("p expect 0x")
                    .append(Long.toHexString(parentCows ? 1 : 0x100 + i)).append('\n');
        }
        if (parentCows && p.get("parent_exits") == 0) {
            b.append("t1 read A expect 0x2\n");
        }
        b.append("check\n");
        return b.toString();
    }

    /**
     * Repeated realloc growth by mremap (the case of Linus Torvalds's and Jamie Lokier's
     * "Re: anon_vma RFC2", linux-kernel, 13 and 12 March 2004): a buffer written in full,
     * grown by a factor each round with MREMAP_MAYMOVE while a blocker mapping after it forces a move.
     *
     * <p>The allocator's pattern it stands for: glibc's realloc() of a chunk it mmapped (at or above
     * the mmap threshold) calls mremap_chunk() (malloc/malloc.c), which is
     * {@code mremap(block, total_size, new_size, MREMAP_MAYMOVE)} — no MREMAP_FIXED, the kernel
     * picks the new place (get_unmapped_area) when the chunk cannot grow where it is. jemalloc 3.x
     * built with --enable-mremap did it differently: huge_ralloc() (src/huge.c) allocated the new
     * chunk first and moved into it with {@code MREMAP_MAYMOVE|MREMAP_FIXED}; the generator follows
     * glibc. RELOCATE: 1 adds MREMAP_RELOCATE_ANON to every growth (what an allocator would pass to
     * let the moved chunk merge under Lorenzo Stoakes's 2025 series); only anon_vma_chain:relocate
     * honours it, every other design and Linux 6.18 answer EINVAL and the run stops at the first
     * growth's expectation. With CHILDREN the buffer is shared and relocation falls back.
     */
    static Workload reallocGrowth() {
        return new Workload("realloc-growth",
                "one task grows a written buffer ROUNDS times by mremap maymove, a guard page forcing moves; "
                        + "children forked first share it (anonmm's mremap COWs)",
                List.of(new Workload.Param("pages", 4, 1, 1 << 16, "initial buffer pages"),
                        new Workload.Param("rounds", 6, 1, 16, "growth rounds (doubling)"),
                        new Workload.Param("children", 0, 0, 256, "children forked before growth, which keep sharing"),
                        new Workload.Param("reclaim", 1, 0, 1, "1: reclaim all at the end"),
                        new Workload.Param("relocate", 0, 0, 1, "1: every growth passes relocate_anon "
                                + "(anon_vma_chain:relocate only; EINVAL elsewhere)")),
                p -> {
                    long pages = p.get("pages");
                    long rounds = p.get("rounds");
                    long n = p.get("children");
                    long last = pages << rounds;
                    StringBuilder b = new StringBuilder();
                    b.append("# realloc-growth pages=").append(pages).append(" rounds=").append(rounds)
                            .append(" children=").append(n).append(" reclaim=").append(p.get("reclaim"));
                    if (p.get("relocate") == 1) {
                        b.append(" relocate=1");
                    }
                    b.append('\n');
                    b.append(machine(last * 2 + pages * (n + 1), n + 1, rounds + 2, last * 2 + pages * (n + 1)));
                    b.append("t1 mmap 0 ").append(pages).append("p rw private|anonymous as B\n");
                    b.append("t1 write B ").append(pages).append("p 0x5\n");
                    for (long i = 1; i <= n; i++) {
                        b.append("t1 fork as c").append(i).append('\n');
                    }
                    long size = pages;
                    for (long r = 1; r <= rounds; r++) {
                        // A guard mapping right after the buffer makes in-place growth impossible.
                        b.append("t1 mmap B+").append(size).append("p 1p r private|anonymous|fixed\n");
                        b.append("t1 mremap B ").append(size).append("p ").append(size * 2).append("p ")
                                .append(p.get("relocate") == 1 ? "maymove|relocate_anon" : "maymove").append(" as B\n");
                        b.append("t1 write B+").append(size).append("p ").append(size).append("p 0x5\n");
                        size *= 2;
                    }
                    b.append("t1 read B expect 0x5\n");
                    if (p.get("reclaim") == 1) {
                        b.append("reclaim all\n");
                        b.append("t1 read B+").append(size - 1).append("p expect 0x5\n");
                    }
                    b.append("check\n");
                    return b.toString();
                });
    }

    /**
     * A prefork server: a master with a heap forks W workers; each worker grows its own buffer by
     * mremap a few times and writes some of the shared heap.
     */
    static Workload preforkServer() {
        return new Workload("prefork-server",
                "a master writes a heap and forks W workers; each worker COWs part of the heap and grows a "
                        + "private buffer by mremap R times; then reclaim",
                List.of(new Workload.Param("workers", 8, 1, 1024, "forked workers"),
                        new Workload.Param("heap", 32, 1, 1 << 16, "master heap pages"),
                        new Workload.Param("cow", 8, 0, 1 << 16, "heap pages each worker writes (<= heap)"),
                        new Workload.Param("rounds", 3, 0, 12, "mremap growth rounds per worker")),
                p -> {
                    long w = p.get("workers");
                    long heap = p.get("heap");
                    long cow = Math.min(p.get("cow"), heap);
                    long rounds = p.get("rounds");
                    StringBuilder b = new StringBuilder();
                    b.append("# prefork-server workers=").append(w).append(" heap=").append(heap)
                            .append(" cow=").append(cow).append(" rounds=").append(rounds).append('\n');
                    b.append(machine(heap * (w + 1) + w * (4L << rounds), w + 1, 2 * rounds + 3,
                            heap * (w + 1) + w * (4L << rounds)));
                    b.append("t1 mmap 0 ").append(heap).append("p rw private|anonymous as H\n");
                    b.append("t1 write H ").append(heap).append("p 0x7\n");
                    for (long i = 1; i <= w; i++) {
                        b.append("t1 fork as w").append(i).append('\n');
                    }
                    for (long i = 1; i <= w; i++) {
                        String t = "w" + i;
                        if (cow > 0) {
                            b.append(t).append(" write H ").append(cow).append("p 0x")
                                    .append(Long.toHexString(0x200 + i)).append('\n');
                        }
                        b.append(t).append(" mmap 0 2p rw private|anonymous as X").append(i).append('\n');
                        b.append(t).append(" write X").append(i).append(" 2p 0x9\n");
                        long size = 2;
                        for (long r = 1; r <= rounds; r++) {
                            b.append(t).append(" mmap X").append(i).append('+').append(size)
                                    .append("p 1p r private|anonymous|fixed\n");
                            b.append(t).append(" mremap X").append(i).append(' ').append(size).append("p ")
                                    .append(size * 2).append("p maymove as X").append(i).append('\n');
                            b.append(t).append(" write X").append(i).append('+').append(size).append("p ")
                                    .append(size).append("p 0x9\n");
                            size *= 2;
                        }
                    }
                    b.append("reclaim all\n");
                    b.append("t1 read H expect 0x7\n");
                    b.append("check\n");
                    return b.toString();
                });
    }

    /**
     * Bligh's case, scaled down: one big shared anonymous segment, touched by T tasks.
     * (The model has no shm files yet, so the segment is MAP_SHARED|MAP_ANONYMOUS inherited by fork.)
     */
    static Workload sharedSegment() {
        return new Workload("shared-segment",
                "a MAP_SHARED anonymous segment of S pages mapped (by fork) and touched by T tasks; pte_chains "
                        + "grow with T x S, the object designs stay flat (Bligh, 2003)",
                List.of(new Workload.Param("tasks", 16, 1, 4096, "tasks mapping the segment"),
                        new Workload.Param("pages", 64, 1, 1 << 18, "segment pages")),
                p -> {
                    long n = p.get("tasks");
                    long pages = p.get("pages");
                    StringBuilder b = new StringBuilder();
                    b.append("# shared-segment tasks=").append(n).append(" pages=").append(pages).append('\n');
                    b.append(machine(pages * 2, n, 1, n * pages));
                    b.append("t1 mmap 0 ").append(pages).append("p rw shared|anonymous as S\n");
                    b.append("t1 write S ").append(pages).append("p 0x3\n");
                    for (long i = 2; i <= n; i++) {
                        b.append("t1 fork as s").append(i).append('\n');
                        b.append('s').append(i).append(" touch S ").append(pages).append("p\n");
                    }
                    // Every task sees the one segment.
                    b.append(n >= 2 ? "s" + n : "t1").append(" read S ").append(pages).append("p expect 0x3\n");
                    b.append("check\n");
                    return b.toString();
                });
    }

    /**
     * An Oracle-SGA-like shape for wli's step (b) (William Lee Irwin III, "Re: What to
     * expect with the 2.6 VM", linux-kernel, 2 July 2003: "the big apps can get their magical
     * lowmem savings by just mlock()'ing _anything_ they do massive sharing with"): t1 opens a tmpfs
     * file of S pages and forks T-1 processes before the segment exists; each then maps the whole
     * file MAP_SHARED and mlocks it (mlock populates), as each Oracle process attaches and locks
     * the SGA itself; t1 writes it, the last task reads it. Then the first M tasks munlock their
     * mapping (what step (b) must rebuild), and reclaim runs over the still-locked segment.
     */
    static Workload mlockedSegment() {
        return new Workload("mlocked-segment",
                "a tmpfs segment of S pages mapped MAP_SHARED and mlocked by T tasks, then munlocked by M of "
                        + "them, then reclaim (wli's step (b), 2003: mlocked pages without pte_chains)",
                List.of(new Workload.Param("tasks", 16, 1, 4096, "tasks mapping and mlocking the segment"),
                        new Workload.Param("pages", 64, 1, 1 << 18, "segment pages"),
                        new Workload.Param("munlock", 0, 0, 4096, "tasks that munlock the segment at the end (<= tasks)")),
                p -> {
                    long n = p.get("tasks");
                    long pages = p.get("pages");
                    long m = Math.min(p.get("munlock"), n);
                    StringBuilder b = new StringBuilder();
                    b.append("# mlocked-segment tasks=").append(n).append(" pages=").append(pages)
                            .append(" munlock=").append(m).append('\n');
                    b.append(machine(pages * 2, n, 1, n * pages));
                    b.append("t1 open sga ").append(pages).append("p as F\n");
                    for (long i = 2; i <= n; i++) {
                        b.append("t1 fork as s").append(i).append('\n');
                    }
                    for (long i = 1; i <= n; i++) {
                        String t = i == 1 ? "t1" : "s" + i;
                        b.append(t).append(" mmap 0 ").append(pages).append("p rw shared F 0 as S").append(i).append('\n');
                        b.append(t).append(" mlock S").append(i).append(' ').append(pages).append("p\n");
                    }
                    b.append("t1 write S1 ").append(pages).append("p 0x5\n");
                    b.append(n >= 2 ? "s" + n : "t1").append(" read S").append(n).append(' ').append(pages)
                            .append("p expect 0x5\n");
                    for (long i = 1; i <= m; i++) {
                        b.append(i == 1 ? "t1" : "s" + i).append(" munlock S").append(i).append(' ').append(pages)
                                .append("p\n");
                    }
                    b.append("reclaim all\n");
                    b.append("t1 read S1 ").append(pages).append("p expect 0x5\n");
                    b.append("check\n");
                    return b.toString();
                });
    }

    /** The parameter map of {@code --param k=v} strings; IllegalArgumentException on a bad one. */
    public static Map<String, Long> parseParams(List<String> kvs) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (String kv : kvs) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--param takes NAME=VALUE, not '" + kv + "'");
            }
            String k = kv.substring(0, eq);
            long v;
            try {
                v = Long.parseLong(kv.substring(eq + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--param " + k + ": '" + kv.substring(eq + 1) + "' is not an integer");
            }
            if (m.put(k, v) != null) {
                throw new IllegalArgumentException("--param " + k + " given twice");
            }
        }
        return m;
    }
}
