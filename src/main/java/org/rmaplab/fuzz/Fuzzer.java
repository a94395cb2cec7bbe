package org.rmaplab.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.rmaplab.harness.Diff;
import org.rmaplab.harness.HarnessError;
import org.rmaplab.harness.KernelReplay;
import org.rmaplab.harness.KernelRunner;
import org.rmaplab.scenario.ModelError;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.Op;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.scenario.Statement;

/**
 * Diffs generated scenarios against the kernel and shrinks the ones that diverge: the engine of
 * {@code rmaplab fuzz} (and of the test that runs a thousand of them).
 */
public final class Fuzzer {
    private final KernelRunner kernel;
    private final ScenarioRunner runner;
    private final List<String> designs;

    public Fuzzer(KernelRunner kernel, ScenarioRunner runner, List<String> designs) {
        this.kernel = kernel;
        this.runner = runner;
        this.designs = List.copyOf(designs);
    }

    /**
     * A scenario that diverged under DESIGN (or crashed the model: {@code modelError}). mergeOnly:
     * a historical design's vma merge rules explain it ({@link #mergeOnly}).
     */
    public record Finding(int index, String design, String text, Diff.Result result, ModelError modelError,
                          boolean mergeOnly) {
        Finding(int index, String design, String text, Diff.Result result, ModelError modelError) {
            this(index, design, text, result, modelError, false);
        }

        /** The statement text the finding is about. */
        String lineText(Scenario sc) {
            if (result != null) {
                return result.first().text();
            }
            for (Statement s : sc.statements()) {
                if (s.line() == modelError.line()) {
                    return s.text();
                }
            }
            return "";
        }
    }

    /** A bug in the generator: it produced a scenario the language or the runner rejects. */
    public static final class GeneratorBug extends RuntimeException {
        public GeneratorBug(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Compares scenario INDEX of SEED under every design; the findings (empty if it diffs clean). */
    public List<Finding> check(long seed, int index) {
        String name = ScenarioGenerator.fileName(seed, index);
        String text = ScenarioGenerator.generate(seed, index);
        Scenario sc;
        try {
            sc = ScenarioParser.parse(name, text);
        } catch (ScenarioError e) {
            throw new GeneratorBug("generated scenario is not valid: " + e.getMessage() + "\n" + text, e);
        }
        KernelReplay.LinuxResult k = judgeOnKernel(sc, text, name);
        List<Finding> out = new ArrayList<>();
        Boolean todayAgrees = null;
        for (String d : designs) {
            try {
                Diff.Result r = Diff.compare(sc, k, runner, d);
                if (r.verdict() == Diff.Verdict.DIVERGED) {
                    boolean historical = !RmapDesigns.designOf(d).equals(RmapDesigns.DEFAULT);
                    if (historical && todayAgrees == null) {
                        todayAgrees = Diff.compare(sc, k, runner, RmapDesigns.DEFAULT).verdict() != Diff.Verdict.DIVERGED;
                    }
                    out.add(new Finding(index, d, text, r, null, historical && todayAgrees && mergeOnly(runner, sc, d)));
                }
            } catch (ModelError e) {
                out.add(new Finding(index, d, text, null, e));
            } catch (ScenarioError e) {
                throw new GeneratorBug("generated scenario fails on both sides: " + e.getMessage() + "\n" + text, e);
            }
        }
        return out;
    }

    /**
     * Does DESIGN's run of SC differ from today's Linux's (anon_vma_chain, which agreed with the
     * kernel) only because of the historical design's own vma merge rules (2.6.0's merge of any two
     * anonymous vmas, anon_vma's and anonmm's rules, lokier's groups), which the design keeps on
     * purpose? Both runs are stepped line by line: up to the line after which some task's
     * /proc/PID/maps first differ, every result must be the same except {@code vma}, {@code vmas}
     * and {@code maps} lines, and that first layout difference must be a merge — the same pages
     * mapped with the same perms, file and offsets, cut into vmas differently. From there on the
     * two address spaces are different inputs (an mremap over two vmas is EFAULT on one and moves
     * one vma on the other), so later differences follow from the merge. Any other difference (an
     * address, an errno, a value while the layouts agree, or layouts that differ in what is mapped)
     * is a divergence.
     */
    static boolean mergeOnly(ScenarioRunner runner, Scenario sc, String design) {
        ScenarioRunner.Session today;
        ScenarioRunner.Session mine;
        try {
            today = runner.session(sc, RmapDesigns.DEFAULT);
            mine = runner.session(sc, design);
        } catch (RuntimeException e) {
            return false;
        }
        java.util.Set<String> tasks = new java.util.LinkedHashSet<>(List.of("t1"));
        boolean parted = false;
        boolean any = false;
        for (Statement s : sc.statements()) {
            String a;
            String b;
            try {
                a = today.step(s);
                b = mine.step(s);
            } catch (RuntimeException e) {
                return false;
            }
            if (s.as() != null) {
                tasks.add(s.as());
            }
            if (!a.equals(b)) {
                if (!parted && s.op() != Op.VMA && s.op() != Op.VMAS && s.op() != Op.MAPS) {
                    return false;
                }
                any = true;
            }
            if (!parted) {
                for (String name : tasks) {
                    org.rmaplab.mm.Task ta = today.task(name);
                    org.rmaplab.mm.Task tb = mine.task(name);
                    if ((ta == null) != (tb == null)) {
                        return false;
                    }
                    if (ta != null) {
                        List<String> la = today.maps(ta);
                        List<String> lb = mine.maps(tb);
                        if (!la.equals(lb)) {
                            if (!sameMappings(la, lb)) {
                                return false;
                            }
                            parted = true;
                        }
                    }
                }
            }
        }
        return any;
    }

    /**
     * Whether two /proc/PID/maps listings map the same pages the same way and differ only in where
     * one vma ends and the next begins: each is reduced to maximal runs of adjacent lines with the
     * same perms, device, inode and name (and, for a file, contiguous offsets), which must agree.
     * The offset of an anonymous vma is not compared: it is the vma's pgoff, which a merge of
     * anonymous vmas in a historical design keeps from one side.
     */
    static boolean sameMappings(List<String> a, List<String> b) {
        return runs(a).equals(runs(b));
    }

    private static List<String> runs(List<String> maps) {
        List<String> out = new ArrayList<>();
        long start = -1;
        long end = -1;
        long nextOffset = 0;
        String kind = null;
        for (String line : maps) {
            String[] f = line.trim().split("\\s+", 6);
            int dash = f[0].indexOf('-');
            long s = Long.parseUnsignedLong(f[0].substring(0, dash), 16);
            long e = Long.parseUnsignedLong(f[0].substring(dash + 1), 16);
            boolean file = !f[4].equals("0");
            long offset = file ? Long.parseUnsignedLong(f[2], 16) : 0;
            String k = f[1] + " " + f[3] + " " + f[4] + " " + (f.length > 5 ? f[5] : "");
            if (s == end && k.equals(kind) && (!file || offset == nextOffset)) {
                end = e;
                nextOffset = offset + (e - s);
                continue;
            }
            if (kind != null) {
                out.add(Long.toHexString(start) + "-" + Long.toHexString(end) + " " + kind);
            }
            start = s;
            end = e;
            nextOffset = offset + (e - s);
            kind = k;
        }
        if (kind != null) {
            out.add(Long.toHexString(start) + "-" + Long.toHexString(end) + " " + kind);
        }
        return out;
    }

    /**
     * Runs the scenario on the kernel. A harness task that dies or stops answering is a fault of
     * the harness or the machine, not a result to compare: the run is repeated (twice at most),
     * each retry announced on stderr, and only a failure that repeats is reported.
     */
    private KernelReplay.LinuxResult judgeOnKernel(Scenario sc, String text, String name) {
        for (int attempt = 1;; attempt++) {
            try {
                return KernelReplay.judgePartial(sc, kernel.runText(text));
            } catch (org.rmaplab.harness.HarnessError e) {
                if (attempt == 3) {
                    throw e;
                }
                System.err.println("rmaplab: " + name + ": the kernel harness failed (" + e.getMessage()
                        + "); running it again");
            }
        }
    }

    /** F's scenario with every line deleted that the failure does not need. */
    public String shrink(Finding f) {
        Scenario orig = ScenarioParser.parse("x.vms", f.text());
        String want = f.lineText(orig);
        boolean crash = f.modelError() != null;
        List<String> lines = Arrays.asList(f.text().split("\n"));
        List<String> small = Shrinker.shrink(lines, cand -> reproduces(String.join("\n", cand) + "\n", f.design(),
                want, crash));
        return String.join("\n", small) + "\n";
    }

    /** Whether TEXT still fails under DESIGN at a line reading WANT, the same way (CRASH or divergence). */
    private boolean reproduces(String text, String design, String want, boolean crash) {
        Scenario sc;
        try {
            sc = ScenarioParser.parse("x.vms", text);
        } catch (ScenarioError e) {
            return false;
        }
        try {
            KernelReplay.LinuxResult k = judgeOnKernel(sc, text, "x.vms");
            Diff.Result r = Diff.compare(sc, k, runner, design);
            return !crash && r.verdict() == Diff.Verdict.DIVERGED && r.first().text().equals(want);
        } catch (ModelError e) {
            return crash && new Finding(0, design, text, null, e).lineText(sc).equals(want);
        } catch (ScenarioError | HarnessError e) {
            return false;
        }
    }

    /** The result of diffing TEXT (named FILE) under DESIGN, for the report of a saved finding. */
    public Diff.Result diff(String file, String text, String design) {
        Scenario sc = ScenarioParser.parse(file, text);
        return Diff.compare(sc, KernelReplay.judgePartial(sc, kernel.runText(text)), runner, design);
    }
}
