package org.rmaplab.workloads;

import java.util.List;
import java.util.Map;

import org.rmaplab.mm.NonlinearTruncate;

/**
 * The workload of William Lee Irwin III's mail ("Re: What to expect with the 2.6 VM",
 * linux-kernel, 2 July 2003, docs/reference.md#wli-three-steps): a database keeps its buffer cache
 * in a shared segment far larger than a 32-bit process can map, and each process maps a window
 * area of it and moves the windows about with remap_file_pages(2), so the segment is mapped at
 * scattered, ever-changing offsets by many processes — whose ptes 2.6.0's pte_chains had to chain
 * in lowmem, and whose nonlinear vmas truncate and reclaim could not find by offset.
 *
 * <p>The scenario: t1 opens the segment, a tmpfs file of S pages ({@code open}; the model has no
 * SysV shm, and shm segments are tmpfs files in Linux too), and forks T-1 processes before
 * anything is mapped, so that nothing is inherited: each process maps its own window area, as
 * each database process attaches the segment itself. Process t (0 for t1, then d2..dT) maps W x P
 * pages (at most S) of the segment {@code MAP_SHARED} at offset 0, with mlock=1 mlocks it at once
 * (as a database locks its segment when it attaches it), and remaps window w (P pages) to segment
 * slot {@code (t*W*7 + w*13) mod (S/P)}, offset slot x P: a fixed, scattered pattern, windows
 * of different processes landing on the same slot now and then. It then writes every window
 * (value {@code (t+1) << 16 | (w+1)}, the last writer of a slot wins). Every window is read back
 * (the value its slot last got), then {@code reclaim all}, and read again (faulting the pages
 * back); then the segment is truncated to its first half of slots ((S/P)/2 x P pages), followed by
 * a {@code check} (no truncated page may stay mapped) — windows on the cut slots fault SIGBUS, the
 * others read on — and grown back to S pages, where the cut slots read 0. Each process's
 * {@code vmas} over its window area is stated: one vma under {@code remap=1} (2.6's VM_NONLINEAR),
 * under the emulation one per run of windows whose slots follow each other (each remap is a
 * MAP_FIXED mmap, merged with a neighbour only when the file offsets are contiguous).
 *
 * <p>remap=1 puts {@code remap=nonlinear} on the machine line, truncate=N
 * {@code truncate=exhaustive|linear|cleanup|unmap} (wli's step (a): fix (i), 2.6.0's bug, fix
 * (ii), fix (iii)). Fix (ii)'s first step is 2.6.0's zap by linear offset, which in a nonlinear
 * vma clears every window whose linear place lies past the cut, whatever it showed: such a window
 * shows its linear (truncated) pages from then on, and the generator expects that. Two
 * combinations are refused, because the oracle rightly stops them under every design: 2.6.0's bug
 * with nonlinear windows (truncate=1 remap=1) leaves a remapped truncated page mapped past the
 * end of the segment, and so do fixes (ii) and (iii) with the windows mlocked (try_to_unmap fails
 * on a VM_LOCKED vma); NonlinearTruncateTest shows both. Fixes (ii) and (iii) without mlock pass
 * under pte_chains, whose try_to_unmap finds every pte through the chains, and the oracle stops
 * them under the object designs, whose 2.6.11 nonlinear try_to_unmap unmaps ptes of whatever
 * pages its clusters meet (the findings' section on this workload). Under the emulation the
 * truncate modes are all the same (no nonlinear vma).
 */
final class DbSegment {
    private DbSegment() {}

    static Workload workload() {
        return new Workload("db-segment",
                "wli's database (2003): T processes each map W windows of P pages of a tmpfs segment of S pages and "
                        + "move them to scattered offsets with remap_file_pages (remap=0: today's emulation, a vma "
                        + "per window; 1: 2.6's nonlinear vma), write and read them, mlock them (mlock=1), then "
                        + "reclaim, truncate the segment to half and back (truncate=0..3: fix (i), 2.6.0's bug, "
                        + "fix (ii), fix (iii))",
                List.of(new Workload.Param("tasks", 8, 1, 1024, "processes mapping windows of the segment"),
                        new Workload.Param("windows", 8, 1, 4096, "windows per process"),
                        new Workload.Param("window_pages", 4, 1, 512, "pages per window (windows x window_pages <= segment_pages)"),
                        new Workload.Param("segment_pages", 256, 1, 1 << 18, "pages of the segment"),
                        new Workload.Param("mlock", 0, 0, 1, "1: each process mlocks its window area"),
                        new Workload.Param("remap", 0, 0, 1, "0: remap_file_pages emulated (Linux 4.0+); "
                                + "1: 2.6's nonlinear vmas (machine remap=nonlinear)"),
                        new Workload.Param("truncate", 0, 0, 3, "how truncation finds nonlinear ptes: 0 exhaustive "
                                + "(fix (i)), 1 linear (2.6.0's bug; only with remap=0), 2 cleanup (fix (ii)), "
                                + "3 unmap (fix (iii)); 2 and 3 not with mlock=1 remap=1")),
                DbSegment::generate);
    }

    /** The segment slot (in windows) that process t's window w shows. */
    static long slot(long t, long w, long windows, long slots) {
        return (t * windows * 7 + w * 13) % slots;
    }

    /**
     * The vmas a process's window area ends as under the emulation: one per maximal run of
     * windows each of whose slot follows the previous one's (vma_merge_new_range merges a new
     * vma with its predecessor only when the file offsets are contiguous).
     */
    static long emulatedVmas(long t, long windows, long slots) {
        long vmas = 1;
        for (long w = 1; w < windows; w++) {
            if (slot(t, w, windows, slots) != slot(t, w - 1, windows, slots) + 1) {
                vmas++;
            }
        }
        return vmas;
    }

    private static String generate(Map<String, Long> p) {
        long tasks = p.get("tasks");
        long windows = p.get("windows");
        long wp = p.get("window_pages");
        long seg = p.get("segment_pages");
        boolean mlock = p.get("mlock") == 1;
        boolean nonlinear = p.get("remap") == 1;
        NonlinearTruncate mode = NonlinearTruncate.values()[(int) (long) p.get("truncate")];
        if (windows * wp > seg) {
            throw new IllegalArgumentException("--param windows x window_pages = " + windows * wp
                    + " is more than segment_pages=" + seg + ": the window area is a view of the segment");
        }
        if (nonlinear && mode == NonlinearTruncate.LINEAR) {
            throw new IllegalArgumentException("--param truncate=1 (2.6.0's bug) with remap=1 leaves remapped "
                    + "truncated pages mapped past the end of the segment, which the oracle refuses");
        }
        if (nonlinear && mlock && (mode == NonlinearTruncate.CLEANUP || mode == NonlinearTruncate.UNMAP)) {
            throw new IllegalArgumentException("--param truncate=" + p.get("truncate") + " with mlock=1 remap=1: "
                    + "try_to_unmap fails on the mlocked windows, so truncated pages stay mapped past the end of "
                    + "the segment, which the oracle refuses");
        }
        long slots = seg / wp;
        long area = windows * wp;
        Text b = new Text();
        b.raw("# db-segment tasks=" + tasks + " windows=" + windows + " window_pages=" + wp + " segment_pages=" + seg
                + " mlock=" + p.get("mlock") + " remap=" + p.get("remap") + " truncate=" + p.get("truncate") + "\n");
        String machine = Workloads.machine(seg, tasks, windows + 1, tasks * area);
        b.raw(machine.substring(0, machine.length() - 1) + (nonlinear ? " remap=nonlinear" : "")
                + (mode != NonlinearTruncate.EXHAUSTIVE ? " truncate=" + mode.word() : "") + "\n");
        b.line("t1 open segment", seg + "p", "as F");
        for (long t = 1; t < tasks; t++) {
            b.line("t1 fork as", task(t));
        }
        long[] value = new long[(int) slots];
        for (long t = 0; t < tasks; t++) {
            String a = "A" + (t + 1);
            b.line(task(t), "mmap 0", area + "p", "rw shared F 0 as", a);
            if (mlock) {
                // Locked before the windows move, as a database locks its segment when it
                // attaches it: under step (b) no pte of the area is ever chained.
                b.line(task(t), "mlock", a, area + "p", "expect 0");
            }
            for (long w = 0; w < windows; w++) {
                b.line(task(t), "remap_file_pages", window(a, w, wp), wp + "p", slot(t, w, windows, slots) * wp,
                        "expect 0");
            }
            for (long w = 0; w < windows; w++) {
                long v = (t + 1) << 16 | (w + 1);
                b.line(task(t), "write", window(a, w, wp), wp + "p", "0x" + Long.toHexString(v));
                value[(int) slot(t, w, windows, slots)] = v;
            }
            b.line(task(t), "vmas", a, area + "p", "expect", nonlinear ? 1 : emulatedVmas(t, windows, slots));
        }
        Shape g = new Shape(tasks, windows, wp, slots);
        readAll(b, g, value, slots, Long.MAX_VALUE, seg);
        b.line("reclaim all");
        readAll(b, g, value, slots, Long.MAX_VALUE, seg);
        long cut = slots / 2;
        b.line("t1 ftruncate F", cut * wp + "p", "expect 0");
        b.line("check"); // the oracle's full check: no truncated page may stay mapped
        // Fix (ii) zaps nonlinear vmas by linear offset first, which clears (present and file
        // ptes alike) every window whose linear place is past the cut: it shows its linear pages
        // from then on, as 2.6.0's vmtruncate left it.
        long lost = nonlinear && mode == NonlinearTruncate.CLEANUP ? cut : Long.MAX_VALUE;
        readAll(b, g, value, cut, lost, cut * wp);
        b.line("t1 ftruncate F", seg + "p", "expect 0");
        for (long s = cut; s < slots; s++) {
            value[(int) s] = 0;
        }
        readAll(b, g, value, slots, lost, seg);
        b.line("check");
        return b.toString();
    }

    /** The processes and their windows: T, W, P, and the slots (of P pages) of the segment. */
    private record Shape(long tasks, long windows, long wp, long slots) {}

    /**
     * Every window of every process read back: its slot's value, or BUS for a slot at or past
     * CUT; a window from LOST on shows its linear pages, all zero (truncated) within the file's
     * SIZE pages, else BUS.
     */
    private static void readAll(Text b, Shape g, long[] value, long cut, long lost, long size) {
        for (long t = 0; t < g.tasks(); t++) {
            for (long w = 0; w < g.windows(); w++) {
                long s = slot(t, w, g.windows(), g.slots());
                String expect;
                if (w >= lost) {
                    expect = (w + 1) * g.wp() <= size ? "0x0" : "BUS";
                } else {
                    expect = s >= cut ? "BUS" : "0x" + Long.toHexString(value[(int) s]);
                }
                b.line(task(t), "read", window("A" + (t + 1), w, g.wp()), g.wp() + "p", "expect", expect);
            }
        }
    }

    private static String task(long t) {
        return t == 0 ? "t1" : "d" + (t + 1);
    }

    private static String window(String area, long w, long wp) {
        return w == 0 ? area : area + "+" + w * wp + "p";
    }
}
