package org.rmaplab.workloads;

import java.util.List;

/**
 * Andrew Morton's rmap-test (linux-kernel, April 2003: "Create lots of VMA's mapped by lots of
 * tasks. To tickle objrmap and the virtual scan"), scaled down. The program, as it was later
 * kept in autotest (rmaptest/src/rmap-test.c):
 * <ol>
 *   <li>open a file {@code O_RDWR|O_TRUNC|O_CREAT} and ftruncate it to (nvmas × vmasize +
 *       nvmas − 1) pages;
 *   <li>mmap it nvmas times, {@code PROT_READ|PROT_WRITE, MAP_SHARED}, vmasize pages each, at file
 *       offsets i × (vmasize + 1) pages: a page of the file between windows, so no two vmas merge;
 *   <li>touch every page ({@code p[page * pagesize]++}) and msync(MS_ASYNC);
 *   <li>fork ntasks children, each of which (after a second's sleep) touches every page of every
 *       vma niters times ({@code -l}, the linear pattern), while the parent waits for them.
 * </ol>
 * The file's i_mmap thus holds (ntasks + 1) × nvmas vmas, each page is mapped by every task, and
 * with the file larger than memory (-n 100 -s 600: 100 × 600 pages of 4 KiB, the 240 MB of the
 * published figure) every touch runs reclaim, whose walk of a page goes through i_mmap.
 *
 * <p>The model differs: TASKS counts every task that maps the file, the parent included (rmap-test's
 * -t counts children only); the children run one after the other, not at once; a touch is a write of
 * the value the {@code ++} would leave (each write adds one to what the page held), so every page's
 * value is known and checked; msync is left out (tmpfs has no writeback); and memory pressure comes
 * as {@code reclaim all} after the touches (and, with {@code pressure=1}, after every pass of every
 * child), on a machine with room for every page, rather than from a file larger than memory.
 */
final class RmapTest {
    private RmapTest() {}

    static Workload workload() {
        return new Workload("rmap-test",
                "Morton's rmap-test scaled down: TASKS tasks share one file mapped in VMAS windows of PAGES pages "
                        + "(i_mmap holds TASKS x VMAS vmas), every task writes every page, then reclaim: anonmm's "
                        + "i_mmap list walk visits O(TASKS x VMAS) vmas per page, the trees TASKS",
                List.of(new Workload.Param("tasks", 4, 1, 1024, "tasks mapping the file, the parent included"),
                        new Workload.Param("vmas", 4, 1, 1024, "mmaps of the file per task, each its own window"),
                        new Workload.Param("pages", 2, 1, 1024, "pages per vma (rmap-test's -s)"),
                        new Workload.Param("iters", 1, 1, 64, "passes each child makes over every page (-i)"),
                        new Workload.Param("pressure", 0, 0, 1, "1: reclaim all after every child's pass too")),
                p -> generate(p.get("tasks"), p.get("vmas"), p.get("pages"), p.get("iters"), p.get("pressure") == 1));
    }

    private static String generate(long tasks, long vmas, long pages, long iters, boolean pressure) {
        StringBuilder b = new StringBuilder();
        b.append("# rmap-test tasks=").append(tasks).append(" vmas=").append(vmas).append(" pages=").append(pages)
                .append(" iters=").append(iters).append(" pressure=").append(pressure ? 1 : 0).append('\n');
        b.append(Workloads.machine(vmas * pages, tasks, vmas, tasks * vmas * pages));
        long filePages = vmas * pages + vmas - 1;
        b.append("t1 open rmaptest ").append(filePages).append("p as F\n");
        for (long i = 0; i < vmas; i++) {
            b.append("t1 mmap 0 ").append(pages).append("p rw shared F ").append(i * (pages + 1)).append("p as V")
                    .append(i).append('\n');
        }
        // The value every page holds: each write is one ++ of rmap-test's touch_pages().
        long value = 1;
        writeAll(b, "t1", vmas, pages, value);
        for (long c = 2; c <= tasks; c++) {
            b.append("t1 fork as c").append(c).append('\n');
        }
        boolean reclaimed = false;
        for (long c = 2; c <= tasks; c++) {
            for (long it = 0; it < iters; it++) {
                writeAll(b, "c" + c, vmas, pages, ++value);
                if (pressure) {
                    b.append("reclaim all\n");
                }
                reclaimed = pressure;
            }
        }
        if (!reclaimed) {
            b.append("reclaim all\n");
        }
        String last = tasks >= 2 ? "c" + tasks : "t1";
        for (long i = 0; i < vmas; i++) {
            b.append("t1 read V").append(i).append(' ').append(pages).append("p expect 0x")
                    .append(Long.toHexString(value)).append('\n');
            if (tasks >= 2) {
                b.append(last).append(" read V").append(i).append("+").append(pages - 1).append("p expect 0x")
                        .append(Long.toHexString(value)).append('\n');
            }
        }
        b.append("check\n");
        return b.toString();
    }

    private static void writeAll(StringBuilder b, String task, long vmas, long pages, long value) {
        for (long i = 0; i < vmas; i++) {
            b.append(task).append(" write V").append(i).append(' ').append(pages).append("p 0x")
                    .append(Long.toHexString(value)).append('\n');
        }
    }
}
