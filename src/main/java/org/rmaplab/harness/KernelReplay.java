package org.rmaplab.harness;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rmaplab.scenario.Arg;
import org.rmaplab.scenario.Designs;
import org.rmaplab.scenario.Bindings;
import org.rmaplab.scenario.Expectation;
import org.rmaplab.scenario.Expr;
import org.rmaplab.scenario.Op;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.Statement;

/**
 * Judges a scenario's kernel run: walks its statements with the results the harness printed
 * ({@link KernelRunner.Output}), binding names and checking each line's expectation for
 * {@code linux} (its {@code expect:linux} one, else the unscoped one) exactly as
 * {@link org.rmaplab.scenario.ScenarioRunner} does on the model, with the same messages
 * ({@code expected X, got Y}, and the same {@link ScenarioError}s for a name whose binding call
 * failed or a task used after its exit).
 *
 * <p>Lines only the model can run ({@code remap_anon_pages}, the {@code machine} line's sizes) are
 * {@link Skipped}: never checked, never counted as passed. A name bound by a skipped line is unbound.
 */
public final class KernelReplay {
    private KernelReplay() {}

    /** The design name of the real kernel in reports and in {@code expect:} scopes. */
    public static final String LINUX = Designs.LINUX;

    /** A line the kernel did not run. */
    public record Skipped(int line, String reason) {}

    /**
     * A kernel run: its {@link RunResult} (design {@code linux}), the lines it skipped, and the
     * scenario error that stopped it (null if it ran to the end; {@link #judge} throws it).
     */
    public record LinuxResult(RunResult run, List<Skipped> skipped, ScenarioError error) {
        public LinuxResult {
            skipped = List.copyOf(skipped);
        }

        /** Whether the kernel skipped LINE. */
        public boolean skipped(int line) {
            return skipped.stream().anyMatch(s -> s.line() == line);
        }

        public boolean passed() {
            return run.passed();
        }

        /**
         * Failures and skipped lines ({@code FILE:LINE: [linux] skipped: REASON}) in line order,
         * then {@code PASS FILE [linux] (N lines[, K skipped])} if nothing failed.
         */
        public List<String> report() {
            List<String> out = new ArrayList<>();
            List<RunResult.Failure> fs = run.failures();
            int i = 0;
            int j = 0;
            while (i < fs.size() || j < skipped.size()) {
                if (j >= skipped.size() || (i < fs.size() && fs.get(i).line() <= skipped.get(j).line())) {
                    out.add(fs.get(i++).format(run.file(), LINUX));
                } else {
                    Skipped s = skipped.get(j++);
                    out.add(run.file() + ":" + s.line() + ": [" + LINUX + "] skipped: " + s.reason());
                }
            }
            if (passed()) {
                out.add("PASS " + run.file() + " [" + LINUX + "] (" + run.statements() + " lines"
                        + (skipped.isEmpty() ? "" : ", " + skipped.size() + " skipped") + ")");
            }
            return out;
        }
    }

    /** Judges SCENARIO's kernel run OUT; throws ScenarioError or HarnessError as described above. */
    public static LinuxResult judge(Scenario scenario, KernelRunner.Output out) {
        LinuxResult r = judgePartial(scenario, out);
        if (r.error() != null) {
            throw r.error();
        }
        return r;
    }

    /** As {@link #judge}, but a ScenarioError ends the walk and is returned with the lines before it. */
    public static LinuxResult judgePartial(Scenario scenario, KernelRunner.Output out) {
        return new Replay(scenario, out).run();
    }

    // ------------------------------------------------------------------ canonical results

    private static final Pattern ERRNO = Pattern.compile("E[A-Z0-9]+");
    private static final Pattern VMA = Pattern.compile("0x([0-9a-f]+)\\.\\.0x([0-9a-f]+) (\\S+)");
    static final String SKIPPED = "skipped: ";

    /** An errno, SEGV or BUS: the call failed (a MIXED read did not). */
    static boolean failed(String actual) {
        return ERRNO.matcher(actual).matches() || actual.equals("SEGV") || actual.equals("BUS");
    }

    /** The number of a canonical numeric result ({@code 0x...} or decimal), or null. */
    static Long number(String actual) {
        try {
            if (actual.startsWith("0x") && actual.length() > 2 && actual.indexOf('.') < 0) {
                return Long.parseUnsignedLong(actual.substring(2), 16);
            }
            if (!actual.isEmpty() && actual.chars().allMatch(Character::isDigit)) {
                return Long.parseUnsignedLong(actual);
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }

    /** start, end and perms of a canonical vma result, or null. */
    static Object[] vma(String actual) {
        Matcher m = VMA.matcher(actual);
        if (!m.matches()) {
            return null;
        }
        return new Object[] {Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16),
            m.group(3)};
    }

    /** As the runner prints numbers: addresses and values in hex, statuses and counts in decimal. */
    static String formatNumber(Op.Result r, long v) {
        return switch (r) {
            case ADDRESS, VALUE -> "0x" + Long.toHexString(v);
            default -> Long.toUnsignedString(v);
        };
    }

    // ------------------------------------------------------------------ the walk

    /** A task of the kernel run; threads made by clone share their group. */
    private static final class TaskRef {
        final int group;
        boolean gone;

        TaskRef(int group) {
            this.group = group;
        }
    }

    /** A file bound by open. */
    private static final class FileRef {}

    private static final class Replay {
        final Scenario sc;
        final KernelRunner.Output out;
        final Bindings bound = new Bindings(this::error);
        final Map<TaskRef, Integer> exitedAt = new IdentityHashMap<>();
        final List<TaskRef> tasks = new ArrayList<>();
        final List<RunResult.Failure> failures = new ArrayList<>();
        final List<RunResult.LineOutcome> outcomes = new ArrayList<>();
        final List<Skipped> skipped = new ArrayList<>();
        int groups;
        Statement cur;

        Replay(Scenario sc, KernelRunner.Output out) {
            this.sc = sc;
            this.out = out;
        }

        LinuxResult run() {
            TaskRef t1 = new TaskRef(groups++);
            tasks.add(t1);
            bound.bind("t1", t1);
            // Lines the harness ran that are not statements: the machine line.
            Set<Integer> lines = new HashSet<>();
            for (Statement s : sc.statements()) {
                lines.add(s.line());
            }
            for (Map.Entry<Integer, String> e : out.results().entrySet()) {
                if (!lines.contains(e.getKey()) && e.getValue().startsWith(SKIPPED)) {
                    skipped.add(new Skipped(e.getKey(), e.getValue().substring(SKIPPED.length())));
                }
            }
            ScenarioError error = null;
            try {
                for (Statement s : sc.statements()) {
                    cur = s;
                    step(s);
                }
            } catch (ScenarioError e) {
                error = e;
            }
            skipped.sort(Comparator.comparingInt(Skipped::line));
            return new LinuxResult(new RunResult(sc.file(), LINUX, sc.statements().size(), failures, outcomes),
                    skipped, error);
        }

        ScenarioError error(String what) {
            return new ScenarioError(sc.file(), cur.line(), what);
        }

        void step(Statement s) {
            TaskRef t = s.task() == null ? null : task(s.task());
            for (Arg a : s.args()) {
                if (a instanceof Expr e && e.hasName()) {
                    eval(e);
                }
            }
            String actual = out.results().get(s.line());
            if (actual == null) {
                if (out.errorLine() == s.line()) {
                    throw new HarnessError("line " + s.line() + ": " + out.error());
                }
                throw new HarnessError("line " + s.line() + ": stopped before this line");
            }
            if (actual.startsWith(SKIPPED)) {
                skipped.add(new Skipped(s.line(), actual.substring(SKIPPED.length())));
                if (s.as() != null) {
                    bound.unbind(s.as(), "the call at line " + s.line() + " that binds it was skipped on " + LINUX);
                }
                return;
            }
            outcomes.add(new RunResult.LineOutcome(s.line(), actual, out.text().getOrDefault(s.line(), List.of())));
            Expectation e = s.expectationFor(LINUX);
            if (e != null && !matches(s.op().result(), e, actual)) {
                failures.add(new RunResult.Failure(s.line(),
                        "expected " + describe(s.op().result(), e) + ", got " + actual, false));
            }
            boolean ok = !failed(actual);
            if (s.op() == Op.EXIT && ok) {
                exitedAt.put(t, s.line());
            } else if (s.op() == Op.EXEC && ok) {
                // de_thread(): exec ends every other thread of the group.
                for (TaskRef o : tasks) {
                    if (o != t && o.group == t.group) {
                        o.gone = true;
                    }
                }
            }
            if (s.as() != null) {
                if (!ok || actual.equals("MIXED")) {
                    bound.unbind(s.as(), "the call at line " + s.line() + " that binds it failed");
                } else {
                    bound.bind(s.as(), boundValue(s, t, actual));
                }
            }
        }

        Object boundValue(Statement s, TaskRef parent, String actual) {
            switch (s.op()) {
                case FORK: {
                    TaskRef c = new TaskRef(groups++);
                    tasks.add(c);
                    return c;
                }
                case CLONE: {
                    TaskRef c = new TaskRef(parent.group);
                    tasks.add(c);
                    return c;
                }
                case OPEN:
                    return new FileRef();
                default: {
                    Long v = number(actual);
                    if (v == null) {
                        throw new HarnessError("line " + s.line() + ": cannot bind '" + actual + "' to " + s.as());
                    }
                    return v;
                }
            }
        }

        TaskRef task(String name) {
            Object v = lookup(name);
            if (!(v instanceof TaskRef t)) {
                throw error("'" + name + "' is not a task");
            }
            Integer exited = exitedAt.get(t);
            if (exited != null) {
                throw error("task '" + name + "' has exited (line " + exited + ")");
            }
            if (t.gone) {
                throw error("task '" + name + "' is gone");
            }
            return t;
        }

        Object lookup(String name) {
            return bound.lookup(name);
        }

        long eval(Expr e) {
            return bound.eval(e);
        }

        boolean matches(Op.Result r, Expectation e, String actual) {
            if (e instanceof Expectation.Ok) {
                return !failed(actual);
            } else if (e instanceof Expectation.Err err) {
                return actual.equals(err.name());
            } else if (e instanceof Expectation.Fault f) {
                return actual.equals(f.name());
            } else if (e instanceof Expectation.Mixed) {
                return actual.equals("MIXED");
            } else if (e instanceof Expectation.NoVma) {
                return actual.equals("none");
            } else if (e instanceof Expectation.Value v) {
                long want = eval(v.expr());
                Long got = number(actual);
                return got != null && got == want && r != Op.Result.TASK && r != Op.Result.FILE;
            } else if (e instanceof Expectation.Vma v) {
                long start = eval(v.start());
                long end = eval(v.end());
                Object[] got = vma(actual);
                return got != null && (long) got[0] == start && (long) got[1] == end && got[2].equals(v.perms());
            }
            throw new AssertionError(e);
        }

        String describe(Op.Result r, Expectation e) {
            if (e instanceof Expectation.Value v) {
                String value = formatNumber(r, eval(v.expr()));
                return v.expr().hasName() ? v.expr().text() + " = " + value : value;
            } else if (e instanceof Expectation.Vma v) {
                return "0x" + Long.toHexString(eval(v.start())) + "..0x" + Long.toHexString(eval(v.end())) + " "
                        + v.perms();
            }
            return e.toString();
        }
    }
}
