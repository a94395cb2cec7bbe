package org.rmaplab.report;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.cost.ArchProfile;
import org.rmaplab.cost.CostModel;
import org.rmaplab.cost.Meter;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.rmap.ptechains.PteChainGeometry;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.traces.TraceConverter;
import org.rmaplab.traces.Traces;

/**
 * The PG_direct share on the committed real traces (Martin J. Bligh, linux-kernel, 2003: about 90%
 * of anonymous pages have one mapping, hence 2.6.0's PG_direct), under pte_chains with the
 * converter's default options.
 */
final class PgDirectFinding implements Finding {

    /** A trace run under pte_chains: the conversion, the cost row and the samples after each call. */
    private record Sampled(TraceConverter.Result conv, Map<String, String> row, MappedOnce once) {
        /** PG_direct share, anonymous pages mapped once, file pages mapped once. */
        double[] shares() {
            String pd = row.get("pg_direct_share");
            return new double[] {pd.isEmpty() ? 0 : Double.parseDouble(pd), once.anonShare(), once.fileShare()};
        }
    }

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("The PG_direct share on real traces (Bligh: about 90% of anonymous pages have one mapping)");
        intro(md);
        md.header(1, List.of("trace", "tasks", "forks", "vforks", "calls", "anon pages (peak)", "PG_direct",
                "mapped once", "file pages (peak)", "file mapped once", "pages with a chain (peak)",
                "pte_chain blocks (peak)"));
        TraceConverter.Options def = TraceConverter.Options.DEFAULT;
        TraceConverter.Options asFork = KernelBuildFinding.convertOptions(true);
        Map<String, double[]> shares = new LinkedHashMap<>();
        for (String t : Traces.NAMES) {
            shares.put(t, traceRow(md, t, t, def));
        }
        double[] makeFork = traceRow(md, "make-gcc", "make-gcc, `--vfork fork`", asFork);
        traceRow(md, "python3", "python3, `--vfork fork`", asFork);
        conclusion(md, shares, makeFork);
    }

    private static void intro(Markdown md) {
        md.paragraph("The traces under `traces/` (strace of real programs on Linux 6.18, see traces/README.md), converted by "
                + "`rmaplab trace convert` with its defaults (`" + TraceConverter.Options.DEFAULT.describe()
                + "`), run under pte_chains, x86_64. Sampled after every system call of the converted scenario: "
                + "`PG_direct` is pte_chains' own state (PG_direct pages / pages it tracks, direct or chained; the "
                + "`pg_direct_share` column of `rmaplab compare`): anonymous and file pages, as 2.6.0's PG_direct covered "
                + "every page with a reverse mapping; `mapped once` the anonymous pages with mapcount 1 / anonymous pages "
                + "mapped (Bligh's claim; what PG_direct would give on them without 2.6.0's lazy collapse); `file mapped "
                + "once` the same of the page-cache pages of the files the programs map (their text, data and read-only "
                + "files: the converter maps each file the trace opened, `--files file`).");
    }

    /** One row of the table: trace T converted with OPT, run under pte_chains; its shares. */
    private static double[] traceRow(Markdown md, String t, String label, TraceConverter.Options opt) {
        Sampled s = sampledRun(t, opt);
        Map<String, String> row = s.row();
        MappedOnce once = s.once();
        md.row(label, s.conv().count("tasks"), s.conv().count("forks"), s.conv().count("vforks"), once.calls,
                once.mappedPeak, row.get("pg_direct_share"), Markdown.fmt("%.3f", once.anonShare()), once.filePeak,
                Markdown.fmt("%.3f", once.fileShare()), row.get("pg_chained_peak"),
                Long.parseLong(row.get("pte_chain_bytes_peak")) / PteChainGeometry.of("x86_64", 0).blockBytes());
        return s.shares();
    }

    /** Trace T converted with OPT, run under pte_chains on x86_64, sampled after every system call. */
    private static Sampled sampledRun(String t, TraceConverter.Options opt) {
        TraceConverter.Result conv = Traces.convert(t, opt);
        Scenario sc = ScenarioParser.parse(Traces.path(t) + ".vms", conv.scenario());
        MachineConfig mc = sc.machine();
        Machine k = new Machine(new MachineConfig(mc.ramBytes(), mc.swapBytes(), "x86_64"),
                RmapDesigns.create("pte_chains"));
        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.END);
        Meter meter = new Meter(c, k, ArchProfile.of("x86_64"));
        MappedOnce once = new MappedOnce();
        Syscalls sampled = (Syscalls) Proxy.newProxyInstance(PgDirectFinding.class.getClassLoader(),
                new Class<?>[] {Syscalls.class}, (proxy, m, args) -> {
                    Object r;
                    try {
                        r = m.invoke(meter, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (!m.getName().startsWith("vma")) {
                        once.sample(k);
                    }
                    return r;
                });
        RunResult r = new ScenarioRunner((d, m) -> sampled).run(sc, "pte_chains");
        if (!r.passed()) {
            throw new IllegalStateException(String.join("\n", r.report()));
        }
        c.finish();
        return new Sampled(conv, CostModel.costs("pte_chains", meter), once);
    }

    /** SHARES per trace ({@link Sampled#shares}); MAKE_FORK: make-gcc with --vfork fork. */
    private static void conclusion(Markdown md, Map<String, double[]> shares, double[] makeFork) {
        double lo = 1;
        double hi = 0;
        for (double[] v : shares.values()) {
            lo = Math.min(lo, v[1]);
            hi = Math.max(hi, v[1]);
        }
        double[] sh = shares.get("sh-pipeline");
        double[] pf = shares.get("prefork");
        md.format("%nPages mapped once are %.1f%% to %.1f%% of the mapped anonymous "
                + "pages on these traces, so Bligh's \"about 90%%\" holds in shape: exec-heavy work (make, gcc, a shell "
                + "pipeline, python starting a child) seldom maps an anonymous page twice, because a child is either "
                + "vfork'd (nothing is shared) or execs soon after its fork; the preforking server, whose workers keep the "
                + "parent's heap and cache, is the low end (%.1f%%).%n%n", 100 * lo, 100 * hi, 100 * pf[1]);
        double[] make = shares.get("make-gcc");
        md.format("PG_direct itself is lower, for two reasons. It counts file pages, "
                + "and those are the shared ones: the C library and the programs' text are mapped by every task that "
                + "runs them at the same time (make, the cc driver, cc1 and as under make -j2: %.1f%% of make-gcc's "
                + "mapped file pages are mapped once, against %.1f%% of its anonymous pages, and its PG_direct is "
                + "%.1f%%). And wherever a forked child execs or exits, page_remove_rmap leaves the parent's page in a "
                + "one-pte chain and only page_referenced (reclaim) turns it back into a direct pointer, so without "
                + "memory pressure the flag undercounts single mappers (sh-pipeline %.1f%% PG_direct against %.1f%% "
                + "of anonymous and %.1f%% of file pages mapped once; make-gcc with `--vfork fork` %.1f%%). No trace "
                + "here reclaims.%n%n", 100 * make[2], 100 * make[1], 100 * make[0], 100 * sh[0], 100 * sh[1],
                100 * sh[2], 100 * makeFork[0]);
        md.text("Why these numbers are soft: strace shows no memory accesses, so they are synthesized (`--touch "
                + "write-new`: up to 64 pages of each region that becomes writable, and of each read-only file mapping "
                + "inside its file, read; nothing after fork, so children never COW what they inherit, which lowers the "
                + "prefork trace's share: its workers really do COW); a file is one per path the trace opened, its "
                + "size what a stat showed (else what was mapped), and a program's own image and ld.so, which execve "
                + "maps, are not in the trace, so their pages are missing; the shares are weighted by system calls, not "
                + "by time; and the programs are today's (glibc's posix_spawn vforks, as 2003's make and gcc did, "
                + "while shells fork), so how much is shared after fork depends on the mix of fork and vfork, which the "
                + "`--vfork fork` rows bound.\n");
    }
}
