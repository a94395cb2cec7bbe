package org.rmaplab.report;

import java.util.List;

import org.rmaplab.traces.TraceConverter;
import org.rmaplab.traces.Traces;

/**
 * The share of pages mapped once on the perf traces, real page faults (Martin J. Bligh,
 * linux-kernel: about 90% of pages have one mapping, hence 2.6.0's PG_direct), from a census of
 * the mapped pages under pte_chains ({@link RealFaults.Census}).
 */
final class PgDirectFinding implements Finding {
    private final RealFaults rf;

    PgDirectFinding(RealFaults rf) {
        this.rf = rf;
    }

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("Pages mapped once on real page faults (Bligh: about 90% of pages have one mapping, hence PG_direct)");
        md.paragraph("The perf traces under `traces/perf/` (real programs recorded on Linux 6.18 with `rmaplab trace "
                + "record`: every user page fault, with the memory and task system calls; traces/README.md), converted "
                + "by `rmaplab trace convert` (`" + RealFaults.describe(false) + "`: each fault replayed as "
                + "a read or a write of its page by its task), run under pte_chains (2.6.0) on x86_64, `"
                + RealFaults.MACHINE + "`. What is counted: a census of every page mapped (mapcount above 0: "
                + "anonymous pages and the page-cache pages of the files the programs map, their text and data "
                + "included; the zero page is not counted, as 2.6.0's page_add_rmap skipped reserved pages), taken "
                + "after every line of the converted scenario. When: Bligh's figure is a census of a running "
                + "system's pages, so the table gives the census at the **peak**, the line after which the most "
                + "pages are mapped (the first such line), where PG_direct's saving matters most; `over the run` is "
                + "the share summed over every census (weighted by lines), for comparison. `mapped once`: pages "
                + "with one pte; `PG_direct`: pages whose pte_chains entry is a direct pointer at the peak "
                + "(2.6.0's own state, which lags mapcount: below).");
        md.header(1, List.of("trace", "tasks", "forks", "vforks", "faults replayed", "peak: line", "pages mapped",
                "mapped once", "share", "anonymous (once)", "file (once)", "PG_direct", "PG_direct share",
                "once, over the run"));
        StringBuilder forking = new StringBuilder();
        StringBuilder other = new StringBuilder();
        StringBuilder lag = new StringBuilder();
        for (String t : Traces.PERF_NAMES) {
            TraceConverter.Result c = rf.conversion(t, false);
            RealFaults.Census s = rf.census(t, false);
            md.row(t, c.count("tasks"), c.count("forks"), c.count("vforks"),
                    c.count("replayed_writes") + c.count("replayed_reads"), s.peakLine, s.mapped, s.once,
                    pct(s.onceShare()), s.anon + " (" + pct(s.anonOnceShare()) + ")",
                    s.file + " (" + pct(s.fileOnceShare()) + ")", s.direct, pct(s.directShare()),
                    pct(s.onceShareOverRun()));
            StringBuilder b = c.count("forks") > 0 ? forking : other;
            b.append(b.length() == 0 ? "" : ", ").append(t).append(' ').append(pct(s.onceShare())).append(" (")
                    .append(pct(s.anonOnceShare())).append(" of anonymous pages)");
            if (s.direct < s.once) {
                lag.append(lag.length() == 0 ? "" : ", ").append(t).append(' ').append(s.once - s.direct);
            }
        }
        conclusion(md, forking.toString(), other.toString(), lag.toString());
    }

    /**
     * The same census on the strace traces, whose accesses the converter synthesizes: what this
     * section gave before the perf traces, beside the real faults of the same program where the
     * perf corpus has it (the same name).
     */
    private void strace(Markdown md) {
        md.text("The strace traces under `traces/` (the same kind of programs, this section's basis before the perf "
                + "traces) give, by the same census, the numbers below; strace shows no access, so the converter "
                + "synthesizes them (`" + TraceConverter.Options.DEFAULT.describe() + "`: the first pages of each "
                + "mapping that becomes writable written, of each read-only file mapping read, nothing written after "
                + "fork). Where the perf corpus has the same program, its numbers (real faults) are beside them.\n\n");
        md.header(1, List.of("strace trace", "pages mapped (peak)", "mapped once", "anonymous once",
                "file once", "perf: pages mapped", "perf: mapped once", "perf: anonymous once"));
        for (String t : Traces.NAMES) {
            RealFaults.Census s = rf.straceCensus(t);
            List<Object> cells = new java.util.ArrayList<>(List.of(t, s.mapped, pct(s.onceShare()),
                    pct(s.anonOnceShare()), pct(s.fileOnceShare())));
            if (Traces.PERF_NAMES.contains(t)) {
                RealFaults.Census p = rf.census(t, false);
                cells.addAll(List.of(p.mapped, pct(p.onceShare()), pct(p.anonOnceShare())));
            } else {
                cells.addAll(List.of("-", "-", "-"));
            }
            md.row(cells.toArray());
        }
        RealFaults.Census sm = rf.straceCensus("make-gcc");
        RealFaults.Census pm = rf.census("make-gcc", false);
        boolean fewer = sm.file > pm.file && sm.onceShare() < pm.onceShare();
        md.format("%nOn make-gcc the synthesized accesses map %d file pages at the peak against %d with the real "
                + "faults, and %d anonymous pages against %d%s%n%n", sm.file, pm.file, sm.anon, pm.anon,
                fewer ? ": reading up to " + TraceConverter.Options.DEFAULT.touchCap() + " pages of every read-only "
                        + "file mapping in every task maps more of the shared pages than the programs touch, so the "
                        + "share mapped once falls (" + pct(sm.onceShare()) + " against " + pct(pm.onceShare()) + ")."
                        : ".");
    }

    /** Whether no trace's whole replay under pte_chains makes a reverse walk. */
    private boolean noWalks() {
        for (String t : Traces.PERF_NAMES) {
            if (rf.run(t, false, "pte_chains").cost("walks") != 0) {
                return false;
            }
        }
        return true;
    }

    private static String pct(double v) {
        return Markdown.fmt("%.1f%%", 100 * v);
    }

    private void conclusion(Markdown md, String forking, String other, String lag) {
        RealFaults.Census make = rf.census("make-gcc", false);
        md.format("%nAt the peak, the traces whose programs do not fork (make-gcc, whose make and gcc vfork or "
                + "posix_spawn their children, and the JVM's threads) have %s of their mapped pages mapped once, "
                + "against Bligh's \"about 90%%\". The traces that fork "
                + "have %s: a forked child maps what its parent mapped until it execs, exits or COWs its copy; a "
                + "shell's children exec at once, the pool workers of python3-fork and the preforked workers keep "
                + "the parent's heap all their lives. The file pages are the shared ones: the C library and the "
                + "programs' text are mapped by every task running them at that moment (make-gcc at its peak: %s of "
                + "%d anonymous pages mapped once, %s of %d file pages).%n%n", other, forking,
                pct(make.anonOnceShare()), make.anon, pct(make.fileOnceShare()), make.file);
        md.format("PG_direct counts %s. 2.6.0's page_remove_rmap leaves a page whose chain falls to one pte in a "
                + "one-pte chain, and only page_referenced (reclaim) turns it back into a direct pointer, so PG_direct "
                + "undercounts the pages mapped once wherever another pte of the page has gone (a task that mapped "
                + "it too exited, exec'd, unmapped it or COWed its copy)%s. A page mapped once when first faulted "
                + "is direct at once.%n%n",
                lag.isEmpty() ? "every page mapped once on these traces at the peak" : "fewer pages than are mapped "
                        + "once (pages mapped once but chained at the peak: " + lag + ")",
                lag.isEmpty() || !noWalks() ? "" : "; no trace's replay makes a reverse walk (reclaim) at all");
        md.paragraph("What the numbers rest on: the faults are the real ones, but a page is counted once it is "
                + "faulted in, as Linux 6.18 faulted it: today's fork copies no pte of a vma without an anon_vma "
                + "(file text, read-only data), so a child faults those pages again where 2.6.0's fork copied them "
                + "(the replay copies them under pte_chains, as 2.6.0 did, and the child's fault finds them present); "
                + "fault-around (a read fault mapping up to 16 neighbouring page-cache pages) is not replayed, so "
                + "file pages are fewer than Linux mapped; and the programs are today's (glibc's posix_spawn vforks, "
                + "as 2003's make and gcc did, while shells fork).");
        strace(md);
    }
}
