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
import org.rmaplab.scenario.RunResult;
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
                    out.add(new Finding(index, d, text, r, null, historical && todayAgrees && mergeOnly(sc, d)));
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
     * kernel) only in lines that show the vma layout ({@code vma}, {@code vmas}, {@code maps})? Then what the
     * kernel disagrees with is the historical design's own vma merge rules (2.6.0's merge of any
     * two anonymous vmas, anon_vma's and anonmm's rules, lokier's groups), which the design keeps
     * on purpose; any other line that differs (an address, an errno, a value) is a divergence.
     */
    private boolean mergeOnly(Scenario sc, String design) {
        java.util.Map<Integer, String> today = new java.util.HashMap<>();
        for (RunResult.LineOutcome o : runner.run(sc, RmapDesigns.DEFAULT).outcomes()) {
            today.put(o.line(), o.actual());
        }
        java.util.Map<Integer, Op> ops = new java.util.HashMap<>();
        for (Statement s : sc.statements()) {
            ops.put(s.line(), s.op());
        }
        List<RunResult.LineOutcome> mine = runner.run(sc, design).outcomes();
        if (mine.size() != today.size()) {
            return false;
        }
        boolean any = false;
        for (RunResult.LineOutcome o : mine) {
            if (!o.actual().equals(today.get(o.line()))) {
                Op op = ops.get(o.line());
                if (op != Op.VMA && op != Op.VMAS && op != Op.MAPS) {
                    return false;
                }
                any = true;
            }
        }
        return any;
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
