package org.rmaplab.report;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.RmapStats;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.scenario.Statement;
import org.rmaplab.traces.TraceConverter;
import org.rmaplab.traces.Traces;

/**
 * The perf traces of {@code traces/perf/} (real programs, their real page faults: traces/README.md)
 * as the findings run them, each run once per document and shared by the sections that need it
 * (a section asking for a run another section is computing waits for it; none waits on another
 * wait, so there is no cycle): the conversion, the census of mapped pages under pte_chains
 * ({@link Census}), the checked run under each design, and the run cut at the census's peak with
 * {@code reclaim all} there ({@link #reclaimText}).
 */
final class RealFaults {
    /**
     * The machine the runs get: RAM for the largest trace several times over (jvm peaks at about 7700
     * frames in use under every design, page tables and page cache included), so that nothing but the
     * reclaim the findings put in presses on memory ({@link #census} refuses a run that comes within
     * half of it), and as much swap, for that reclaim.
     */
    static final String MACHINE = "machine ram=256M swap=256M";

    private final ConcurrentHashMap<String, FutureTask<Object>> memo = new ConcurrentHashMap<>();

    /** Converter options: the defaults, vfork children empty or forked from their parent. */
    static TraceConverter.Options options(boolean vforkAsFork) {
        TraceConverter.Options def = TraceConverter.Options.DEFAULT;
        return new TraceConverter.Options(def.touch(), def.touchCap(), def.files(), vforkAsFork);
    }

    /** The converter options of {@link #options} as the converter's header gives them for a perf trace. */
    static String describe(boolean vforkAsFork) {
        return "--files " + TraceConverter.Options.DEFAULT.files().name().toLowerCase(java.util.Locale.ROOT)
                + " --vfork " + (vforkAsFork ? "fork" : "empty");
    }

    /** Perf trace T converted (vfork children forked when FORK). */
    TraceConverter.Result conversion(String t, boolean fork) {
        return get("conv " + t + " " + fork, () -> Traces.convertPerf(t, options(fork)));
    }

    /** The census of trace T under pte_chains. */
    Census census(String t, boolean fork) {
        return get("census " + t + " " + fork, () -> census(Traces.perfPath(t), conversion(t, fork).scenario()));
    }

    /**
     * The census of strace trace T (traces/T.strace), converted with the converter's defaults: its
     * accesses synthesized ({@code --touch write-new}), not recorded.
     */
    Census straceCensus(String t) {
        return get("strace census " + t, () -> census(Traces.path(t),
                Traces.convert(t, TraceConverter.Options.DEFAULT).scenario()));
    }

    /** Trace T run under DESIGN on x86_64, the oracle at the end. */
    Findings.Run run(String t, boolean fork, String design) {
        return get("run " + t + " " + fork + " " + design, () -> run(Traces.perfPath(t),
                conversion(t, fork).scenario(), design));
    }

    /** Trace T cut at its census peak, {@code reclaim all} there, run under DESIGN. */
    Findings.Run reclaimAtPeak(String t, boolean fork, String design) {
        return get("reclaim " + t + " " + fork + " " + design, () -> run(Traces.perfPath(t),
                reclaimText(conversion(t, fork).scenario(), census(t, fork).peakLine), design));
    }

    @SuppressWarnings("unchecked")
    private <T> T get(String key, Callable<T> compute) {
        FutureTask<Object> mine = new FutureTask<>(() -> compute.call());
        FutureTask<Object> f = memo.putIfAbsent(key, mine);
        if (f == null) {
            f = mine;
            f.run();
        }
        try {
            return (T) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * TEXT on {@link #MACHINE}: the converter's own machine line (a perf trace's, sized to the trace,
     * the last line of its header) replaced by the findings' one, so that TEXT's lines keep their
     * numbers; a text without one (strace's) gets it first, one line before.
     */
    static String onMachine(String text) {
        return hasMachineLine(text) ? text.replaceFirst("(?m)^machine .*$", MACHINE) : MACHINE + "\n" + text;
    }

    /** A converted perf trace has one (sized to the trace); a converted strace trace none. */
    private static boolean hasMachineLine(String text) {
        return java.util.regex.Pattern.compile("(?m)^machine ").matcher(text).find();
    }

    /** TEXT (a converted trace, NAME in messages) under DESIGN on {@link #MACHINE}, x86_64. */
    static Findings.Run run(String name, String text, String design) {
        return Findings.measureScenario(name + ".vms", onMachine(text), () -> RmapDesigns.create(design),
                "x86_64", CheckPolicy.END);
    }

    /**
     * TEXT's lines up to and including line LINE, then {@code reclaim all}: memory pressure at that
     * moment, every page then mapped offered to reclaim. The lines after it are left out (what the
     * pages swapped out would cost later is not what is measured).
     */
    static String reclaimText(String text, int line) {
        StringBuilder b = new StringBuilder();
        int n = 0;
        for (String l : text.split("\n", -1)) {
            if (++n > line) {
                break;
            }
            b.append(l).append('\n');
        }
        return b.append("reclaim all   # rmaplab findings: memory pressure at the census peak\n").toString();
    }

    /**
     * The census of the pages mapped (mapcount above 0: anonymous pages and page-cache pages; the
     * zero page is not counted, as 2.6.0's page_add_rmap skipped PageReserved pages), taken after
     * every line of TEXT run under pte_chains (2.6.0) on {@link #MACHINE}, the oracle at the end:
     * the census with the most pages mapped (the first if several tie) and the sums over all of
     * them.
     */
    static Census census(String name, String text) {
        Scenario sc = ScenarioParser.parse(name + ".vms", onMachine(text));
        int shift = hasMachineLine(text) ? 0 : 1;
        Machine k = new Machine(sc.machine(), RmapDesigns.create("pte_chains"));
        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.END);
        ScenarioRunner.Session s = new ScenarioRunner.Session(name + ".vms", "pte_chains", c);
        Census census = new Census();
        for (Statement st : sc.statements()) {
            s.step(st);
            census.sample(k, st.line() - shift); // TEXT's own line numbers
        }
        List<RunResult.Failure> failed = s.failures();
        if (!failed.isEmpty()) {
            throw new IllegalStateException(name + ":" + failed.get(0).format(name, "pte_chains"));
        }
        c.finish();
        if (k.frames().peakUsed() > k.frames().nrFrames() / 2) {
            throw new IllegalStateException(name + ": " + k.frames().peakUsed() + " frames in use at the peak, "
                    + "more than half of the findings' machine (" + MACHINE + "): give it more RAM");
        }
        return census;
    }

    /**
     * Pages mapped, counted after each line. At the peak (the census with the most pages mapped):
     * pages mapped and mapped once (mapcount 1), anonymous and file apart, and pte_chains' PG_direct
     * pages (a direct pte pointer, not a chain); over the run, the sums over every census.
     */
    static final class Census {
        int peakLine;
        long mapped;
        long once;
        long anon;
        long anonOnce;
        long file;
        long fileOnce;
        long direct;
        long mappedSum;
        long onceSum;
        long censuses;

        /** Counts K's mapped frames now, after line LINE. */
        void sample(Machine k, int line) {
            Frames f = k.frames();
            long a = 0;
            long a1 = 0;
            long fl = 0;
            long f1 = 0;
            // Frames hands out the lowest free pfn first and takes freed ones back LIFO, so no pfn at or
            // above the peak of frames in use has ever been allocated.
            for (int pfn = 0, n = Math.min(f.nrFrames(), f.peakUsed() + 1); pfn < n; pfn++) {
                int mc = f.mapcount[pfn];
                if (mc <= 0) {
                    continue;
                }
                if ((f.flags[pfn] & Frames.PG_ANON) != 0) {
                    a++;
                    a1 += mc == 1 ? 1 : 0;
                } else {
                    fl++;
                    f1 += mc == 1 ? 1 : 0;
                }
            }
            mappedSum += a + fl;
            onceSum += a1 + f1;
            censuses++;
            if (a + fl > mapped) {
                RmapStats st = k.design().stats();
                peakLine = line;
                mapped = a + fl;
                once = a1 + f1;
                anon = a;
                anonOnce = a1;
                file = fl;
                fileOnce = f1;
                direct = st.alive("pg_direct");
            }
        }

        /** Pages mapped once over pages mapped, at the peak. */
        double onceShare() {
            return Markdown.per(once, mapped);
        }

        double anonOnceShare() {
            return Markdown.per(anonOnce, anon);
        }

        double fileOnceShare() {
            return Markdown.per(fileOnce, file);
        }

        /** PG_direct pages over pages mapped, at the peak. */
        double directShare() {
            return Markdown.per(direct, mapped);
        }

        /** Pages mapped once over pages mapped, summed over every census (weighted by lines). */
        double onceShareOverRun() {
            return Markdown.per(onceSum, mappedSum);
        }
    }
}
