package org.rmaplab.harness;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.scenario.Statement;

/**
 * Compares the actual result of every line of a scenario's kernel run with a model run under one
 * design, after {@link Normalizer normalizing} the addresses of each run, and finds the first line
 * where they differ. Expectations play no part.
 */
public final class Diff {
    private Diff() {}

    /** How one design compared with the kernel on one scenario. */
    public enum Verdict {
        /** Every line the kernel ran had the same normalized result in the model. */
        SAME,
        /** A line differs (or one side stopped there: an invariant violation, a scenario error). */
        DIVERGED
    }

    /**
     * The comparison of one scenario under one design.
     *
     * @param verdict  what happened
     * @param compared how many lines were compared
     * @param first    the first divergence (DIVERGED), else null
     */
    public record Result(String file, String design, Verdict verdict, int compared, Divergence first,
                         List<Text> texts) {
        public Result(String file, String design, Verdict verdict, int compared, Divergence first) {
            this(file, design, verdict, compared, first, List.of());
        }

        /**
         * The texts to show under the report: with VERBOSE every compared line's (maps), else those
         * of the line that diverged; each side's lines after a {@code   LINE linux:} or
         * {@code   LINE DESIGN:} heading, indented by four spaces.
         */
        public List<String> textLines(boolean verbose) {
            List<String> out = new java.util.ArrayList<>();
            for (Text t : texts) {
                if (verbose || (first != null && first.line() == t.line())) {
                    out.add("  " + t.line() + " linux:");
                    t.linux().forEach(l -> out.add("    " + l));
                    out.add("  " + t.line() + " " + design + ":");
                    t.model().forEach(l -> out.add("    " + l));
                }
            }
            return out;
        }

        /**
         * {@code SAME FILE [design] (N lines)}, or the divergence:
         * {@code FILE:LINE: [design] linux X, model Y: TEXT}.
         */
        public String report() {
            return switch (verdict) {
                case SAME -> "SAME " + file + " [" + design + "] (" + compared + " lines)";
                case DIVERGED -> first.format(file, design);
            };
        }
    }

    /** What a line printed besides its result (maps), on each side. */
    public record Text(int line, List<String> linux, List<String> model) {}

    /**
     * The first line where the runs differ: each side's normalized result (or why it stopped), and
     * its raw result where that differs.
     */
    public record Divergence(int line, String text, String linux, String linuxRaw, String model, String modelRaw) {
        public String format(String file, String design) {
            return file + ":" + line + ": [" + design + "] linux " + show(linux, linuxRaw) + ", model "
                    + show(model, modelRaw) + ": " + text;
        }

        private static String show(String norm, String raw) {
            return raw == null || norm.equals(raw) ? norm : norm + " [" + raw + "]";
        }
    }

    /**
     * Compares KERNEL (a judged kernel run of SCENARIO, possibly stopped by a scenario error) with
     * the model under DESIGN run by RUNNER. Throws the ScenarioError when both runs stop at the same
     * line with it (a bad scenario, not a divergence); a ModelError goes to the caller.
     */
    public static Result compare(Scenario scenario, KernelReplay.LinuxResult kernel, ScenarioRunner runner,
                                 String design) {
        // The model's side: its outcomes, and where and why it stopped early (if it did).
        List<RunResult.LineOutcome> modelOut;
        int modelStop = 0;
        String modelWhy = null;
        ScenarioError modelError = null;
        try {
            RunResult r = runner.run(scenario, design);
            modelOut = r.outcomes();
            for (RunResult.Failure f : r.failures()) {
                if (f.invariant()) {
                    modelStop = f.line();
                    modelWhy = f.message();
                }
            }
        } catch (ScenarioError e) {
            modelError = e;
            modelStop = e.line();
            modelWhy = "scenario error: " + stripFile(e);
            modelOut = runner.run(truncate(scenario, e.line()), design).outcomes();
        }
        int kernelStop = kernel.error() == null ? 0 : kernel.error().line();
        String kernelWhy = kernel.error() == null ? null : "scenario error: " + stripFile(kernel.error());

        Map<Integer, String> kRaw = raw(kernel.run().outcomes());
        Map<Integer, String> mRaw = raw(modelOut);
        List<Text> texts = texts(scenario, kernel.run().outcomes(), modelOut);
        Map<Integer, String> kNorm = Normalizer.normalize(scenario, kernel.run().outcomes());
        Map<Integer, String> mNorm = Normalizer.normalize(scenario, modelOut);
        int compared = 0;
        for (Statement s : scenario.statements()) {
            int line = s.line();
            if (kernel.skipped(line)) {
                continue;
            }
            String k = kNorm.get(line);
            String m = mNorm.get(line);
            if (k == null && m == null) {
                if (kernelStop == line && modelStop == line && modelError != null) {
                    throw kernel.error(); // both stop here: the scenario is bad
                }
                String kw = kernelStop == line ? kernelWhy : "(not run)";
                String mw = modelStop == line ? modelWhy : "(not run)";
                return diverged(scenario, design, compared, s, kw, null, mw, null, texts);
            }
            if (k == null || m == null || !k.equals(m)) {
                String kw = k != null ? k : kernelStop == line ? kernelWhy : "(not run)";
                String mw = m != null ? m : modelStop == line ? modelWhy : "(not run)";
                return diverged(scenario, design, compared, s, kw, kRaw.get(line), mw, mRaw.get(line), texts);
            }
            compared++;
        }
        return new Result(scenario.file(), design, Verdict.SAME, compared, null, texts);
    }

    private static Result diverged(Scenario sc, String design, int compared, Statement s, String k, String kRaw,
                                   String m, String mRaw, List<Text> texts) {
        int line = s.line();
        return new Result(sc.file(), design, Verdict.DIVERGED, compared,
                new Divergence(line, s.text(), k, kRaw, m, mRaw),
                texts.stream().filter(t -> t.line() <= line).toList());
    }

    /** The lines of SC that printed text on either side, in order, with both sides' text. */
    private static List<Text> texts(Scenario sc, List<RunResult.LineOutcome> kernel, List<RunResult.LineOutcome> model) {
        Map<Integer, List<String>> k = new HashMap<>();
        Map<Integer, List<String>> m = new HashMap<>();
        kernel.forEach(o -> k.put(o.line(), o.text()));
        model.forEach(o -> m.put(o.line(), o.text()));
        List<Text> out = new java.util.ArrayList<>();
        for (Statement s : sc.statements()) {
            List<String> kt = k.getOrDefault(s.line(), List.of());
            List<String> mt = m.getOrDefault(s.line(), List.of());
            if (s.op() == org.rmaplab.scenario.Op.MAPS && (k.containsKey(s.line()) || m.containsKey(s.line()))) {
                out.add(new Text(s.line(), kt, mt));
            }
        }
        return out;
    }

    private static Map<Integer, String> raw(List<RunResult.LineOutcome> outcomes) {
        Map<Integer, String> m = new HashMap<>();
        for (RunResult.LineOutcome o : outcomes) {
            m.put(o.line(), o.actual());
        }
        return m;
    }

    /** SCENARIO's statements before LINE. */
    private static Scenario truncate(Scenario sc, int line) {
        return new Scenario(sc.file(), sc.machine(),
                sc.statements().stream().filter(s -> s.line() < line).toList());
    }

    /** The message of E without its {@code FILE:LINE: } prefix. */
    static String stripFile(ScenarioError e) {
        String prefix = e.file() + ":" + e.line() + ": ";
        String m = e.getMessage();
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }
}
