package org.rmaplab.traces;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * How much model memory a converted trace needs, gathered as it is converted, for the
 * {@code machine} line written before the scenario ({@link #machineLine}): without one, a big
 * trace ran out of the default machine and the OOM killer ended its tasks.
 *
 * <p>The bound: at every moment, the pages the live mms have faulted in (each replayed fault of
 * an mm counts one page, whether it mapped the zero page or a file page or allocated one; a fork
 * copies its parent's count, since the child keeps the pages it shares after the parent is gone;
 * an mm's pages leave with its last task, at exit or exec; munmap is not subtracted), plus every
 * page of every model file (the page cache outlives the mappings), plus the page tables the model
 * allocates from the same frames — sized as {@code Workloads.machine} sizes a workload's: per
 * live task a PGD, a PUD and a PMD, per vma two PTE tables, one per 512 ptes, with the peaks of
 * live tasks, of regions in one mm and of live faulted pages. RAM is that (never less than the
 * default machine's), swap as much. An upper bound: a read fault on the zero page allocates
 * nothing, and pages a task unmapped are counted until its mm goes.
 */
final class Footprint {
    /** The pages each live mm has faulted in, and how many live tasks use it. */
    private final Map<Layout, long[]> live = new IdentityHashMap<>();
    private long livePages;
    private long peakPages;
    private int liveTasks;
    private int peakTasks;
    private int peakVmas;

    /** A task begins to use MM (made, or exec'd into a new one). */
    void enter(Layout mm) {
        live.computeIfAbsent(mm, k -> new long[2])[1]++;
        peakTasks = Math.max(peakTasks, ++liveTasks);
    }

    /** A task stops using MM (exit, or exec); the mm's pages go with its last task. */
    void leave(Layout mm) {
        long[] s = live.get(mm);
        liveTasks--;
        if (s != null && --s[1] == 0) {
            livePages -= s[0];
            live.remove(mm);
        }
    }

    /** A fork made CHILD, a copy of PARENT: the pages it shares count for the child too. */
    void forked(Layout parent, Layout child) {
        enter(child);
        long[] p = live.get(parent);
        if (p != null) {
            live.get(child)[0] = p[0];
            add(p[0]);
        }
    }

    /** A fault replayed in MM. */
    void fault(Layout mm) {
        long[] s = live.get(mm);
        if (s != null) {
            s[0]++;
            add(1);
        }
        peakVmas = Math.max(peakVmas, mm.regions.size());
    }

    private void add(long n) {
        livePages += n;
        peakPages = Math.max(peakPages, livePages);
    }

    long peakPages() {
        return peakPages;
    }

    int peakTasks() {
        return peakTasks;
    }

    int peakVmas() {
        return peakVmas;
    }

    /**
     * The machine line, preceded by a comment saying how it was sized, for FILE_PAGES pages of model
     * files: frames for the peak of live faulted pages, the files and the page tables; never less
     * than DEFAULT_RAM bytes of RAM; swap as large as RAM.
     */
    String machineLine(long filePages, long defaultRam) {
        long tables = (long) peakTasks * (3 + 2L * peakVmas) + peakPages / 512 + 1;
        long frames = peakPages + filePages + tables;
        long mb = Math.max(defaultRam >> 20, (frames * 4096 + (1 << 20) - 1) >> 20);
        return "# machine sized to the trace: " + peakPages + " pages faulted in by live mms at the peak + "
                + filePages + " pages of model files + " + tables + " page-table pages (" + peakTasks
                + " live tasks at the peak, up to " + peakVmas + " vmas each) = " + frames
                + " frames; RAM at least the default " + (defaultRam >> 20) + "M; swap as large as RAM\n"
                + "machine ram=" + mb + "M swap=" + mb + "M\n";
    }
}
