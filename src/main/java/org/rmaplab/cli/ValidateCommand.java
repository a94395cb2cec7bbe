package org.rmaplab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.cost.ArchProfile;
import org.rmaplab.cost.Calibration;
import org.rmaplab.cost.CostModel;
import org.rmaplab.cost.Meter;
import org.rmaplab.cost.Validation;
import org.rmaplab.harness.Harness;
import org.rmaplab.harness.HarnessError;
import org.rmaplab.harness.KernelRunner;
import org.rmaplab.harness.KernelVersion;
import org.rmaplab.mm.Machine;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.mm.Mman;
import org.rmaplab.scenario.Arg;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.scenario.Statement;
import org.rmaplab.workloads.Workload;
import org.rmaplab.workloads.Workloads;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code rmaplab bench validate}: issue 18's validation on today's kernel. For each named workload
 * the harness can run, at three sizes, anon_vma_chain's est_time_ns (the model's counts priced by a
 * calibration) against the time the real kernel took for the same scenario ({@code vmsh -t}: each
 * line's call timed as the CPU time of the thread that makes it, less the empty call; the median of
 * --rounds runs), with the error of each row. Prints a Markdown table (docs/benchmarks.md holds one),
 * the calibration, the load average before and after, and what was not measured and why. With
 * --recalibrate ({@link Recalibration}) each row is also priced by a calibration measured right
 * before its workload, and bracketed by a control of the machine's speed.
 */
@Command(name = "validate",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Predicted (anon_vma_chain's est_time_ns) against measured time on this machine's kernel.",
            "",
            "Each named workload the harness can run, at three sizes: the model's estimate priced by the "
                + "calibration, and the kernel's time for the same scenario (vmsh -t: each call's CPU time in "
                + "the task that makes it, less an empty call; the median of --rounds runs), with the error of "
                + "each row (target: within 25%%). Needs a C compiler; as root with no swap active, a temporary "
                + "swap file is made for the reclaims and removed.",
            "",
            "With --recalibrate, each workload is also priced by a calibration measured right before its rows "
                + "(calibrate.c's series, as 'rmaplab calibrate' measures them, and the harness's fork; about 5 s "
                + "each), and each row is bracketed by a control of the machine's speed, so that the error of a row "
                + "is told apart from the machine's drift."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  the table was printed (rows that could not run say why)",
            "  1  the harness cannot run here (no C compiler, Linux too old)",
            "  2  bad option"})
final class ValidateCommand implements Callable<Integer> {

    /** A workload at one size. */
    record Case(String workload, Map<String, Long> params) {
        String label() {
            StringBuilder b = new StringBuilder();
            params.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
            return b.toString();
        }
    }

    /** The workloads issue 18 names, three sizes each (the other parameters at their defaults). */
    static final List<Case> CASES = List.of(
            c("fork-fanout", "children", 16, "pages", 64), c("fork-fanout", "children", 16, "pages", 256),
            c("fork-fanout", "children", 16, "pages", 1024),
            c("prefork-server", "workers", 4, "heap", 128, "cow", 32), c("prefork-server", "workers", 8, "heap", 512, "cow", 128),
            c("prefork-server", "workers", 16, "heap", 2048, "cow", 512),
            c("shared-segment", "tasks", 16, "pages", 64), c("shared-segment", "tasks", 16, "pages", 256),
            c("shared-segment", "tasks", 16, "pages", 1024),
            c("mremap-after-fork", "children", 4, "pages", 256), c("mremap-after-fork", "children", 4, "pages", 1024),
            c("mremap-after-fork", "children", 4, "pages", 4096),
            c("gc-compact", "objects", 32), c("gc-compact", "objects", 128), c("gc-compact", "objects", 512),
            c("rmap-test", "tasks", 4, "vmas", 8, "pages", 16), c("rmap-test", "tasks", 4, "vmas", 8, "pages", 64),
            c("rmap-test", "tasks", 4, "vmas", 8, "pages", 256));

    private static Case c(String w, Object... kv) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], ((Integer) kv[i + 1]).longValue());
        }
        return new Case(w, m);
    }

    /**
     * The phase of a scenario line, as TimeEstimate splits the estimate: fork, reclaim (reclaim and
     * MADV_PAGEOUT, whose walks and swap-outs it prices there), exit (exit and exec, not timed) or run.
     */
    static String phase(Statement s) {
        return switch (s.op()) {
            case FORK -> "fork";
            case RECLAIM -> "reclaim";
            case EXIT, EXEC -> "exit";
            case MADVISE -> s.arg(2) instanceof Arg.Advice a && a.value() == Mman.MADV_PAGEOUT ? "reclaim" : "run";
            default -> "run";
        };
    }

    @Spec
    CommandSpec spec;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "5",
            description = "Kernel runs per row, the median kept (1 to 31; default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--calibration", paramLabel = "FILE|reference",
            description = "The calibration that prices the estimate (default: the one 'rmaplab calibrate' wrote "
                    + "in rmaplab's cache directory, else the reference).")
    String calibrationOption;

    @Option(names = "--only", paramLabel = "WORKLOAD",
            description = "Only the rows of this workload.")
    String only;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the table to FILE.")
    String out;

    @Option(names = "--swapfile", paramLabel = "MIB", defaultValue = "512",
            description = "As root with no swap active, the size of the temporary swap file (default ${DEFAULT-VALUE}; 0: none).")
    long swapMib;

    @Option(names = "--recalibrate",
            description = "Also price each workload with a calibration measured right before its rows (calibrate.c, "
                    + "the harness's fork with it), and time a control (a one-page MADV_DONTNEED loop and an anonymous "
                    + "fault loop, 0.1 s each) before and after each row: adds the fresh estimate, its error, the "
                    + "calibration's and the row's time and the control's after / before to each row, flagging a "
                    + "row during which the machine's speed moved by more than 10%%.")
    boolean recalibrate;

    @Option(names = "--recalibrate-rounds", paramLabel = "N", defaultValue = "1",
            description = "With --recalibrate: calibrate.c's rounds per point for each fresh calibration (1 to 32; "
                    + "default ${DEFAULT-VALUE}: about 5 s of wall time with swap, 20 s at 3 rounds).")
    int recalibrateRounds;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (rounds < 1 || rounds > 31) {
            throw new ParameterException(spec.commandLine(), "--rounds must be 1 to 31, not " + rounds);
        }
        if (recalibrateRounds < 1 || recalibrateRounds > 32) {
            throw new ParameterException(spec.commandLine(), "--recalibrate-rounds must be 1 to 32, not " + recalibrateRounds);
        }
        if (only != null && CASES.stream().noneMatch(k -> k.workload().equals(only))) {
            throw new ParameterException(spec.commandLine(), "--only: no validated workload '" + only + "'");
        }
        Calibration cal;
        try {
            cal = calibration();
        } catch (IllegalArgumentException e) {
            err.println("rmaplab: " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        if (out != null) {
            try {
                AtomicFile.checkWritable(out);
            } catch (IOException e) {
                err.println("rmaplab: cannot write " + out + ": " + e.getMessage());
                err.flush();
                return ExitCodes.USAGE;
            }
        }
        String unsupported = KernelVersion.unsupportedReason();
        KernelRunner kernel;
        try {
            if (unsupported != null) {
                throw new Harness.Unavailable(unsupported);
            }
            kernel = new KernelRunner(Harness.obtain());
        } catch (Harness.Unavailable e) {
            err.println("rmaplab: bench validate: the harness cannot run here: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILED;
        }
        StringBuilder t = new StringBuilder();
        String loadBefore = loadAverage();
        String swapNote;
        String forkNote;
        List<String> rows = new ArrayList<>();
        List<String> freshLines = new ArrayList<>();
        try (SwapFile swap = swapFor(err)) {
            swapNote = SwapFile.swapActive(Path.of("/proc/swaps")) ? "swap active" : "NO SWAP: reclaim pages no anonymous page out";
            double calibrated = cal.ns("fork_call");
            try {
                double harnessFork = harnessForkNs(kernel, rounds);
                cal = withPrice(cal, "fork_call", harnessFork, "the harness's own fork, measured by bench validate");
                forkNote = String.format(Locale.ROOT, "fork_call: the harness's own fork, %d forks of an empty task"
                        + " (median of %d runs): %.0f ns (the calibration's, calibrate.c's process: %.0f ns)",
                        EMPTY_FORKS, rounds, harnessFork, calibrated);
            } catch (HarnessError | IOException e) {
                forkNote = "fork_call: the calibration's (the harness's own fork could not be measured: " + e.getMessage() + ")";
            }
            if (recalibrate) {
                try {
                    recalibratedRows(cal, kernel, rows, freshLines, err);
                } catch (IOException e) {
                    err.println("rmaplab: bench validate: --recalibrate: calibrate.c cannot run here: " + e.getMessage());
                    err.flush();
                    return ExitCodes.FAILED;
                }
            } else {
                for (Case k : CASES) {
                    if (only == null || only.equals(k.workload())) {
                        err.println("rmaplab: bench validate: " + k.workload() + " " + k.label());
                        err.flush();
                        rows.add(row(k, cal, kernel, null, null));
                    }
                }
            }
        }
        t.append("calibration: ").append(cal.label()).append('\n');
        t.append("kernel: Linux ").append(CalibrateCommand.kernelRelease()).append(", ")
                .append(CalibrateCommand.machineName()).append("; ").append(swapNote).append('\n');
        t.append(forkNote).append('\n');
        t.append("load average (1, 5, 15 min): before ").append(loadBefore).append(", after ").append(loadAverage())
                .append('\n');
        t.append("measured: vmsh -t, each line's CPU time less the empty call, median of ").append(rounds)
                .append(" runs; error = (estimated - measured) / measured\n");
        if (recalibrate) {
            t.append(Recalibration.note(recalibrateRounds));
        }
        t.append('\n');
        t.append(recalibrate ? HEADER_RECALIBRATED : HEADER);
        rows.forEach(t::append);
        if (!freshLines.isEmpty()) {
            t.append('\n');
            freshLines.forEach(t::append);
        }
        o.print(t);
        o.flush();
        if (out != null) {
            try {
                AtomicFile.write(out, t.toString());
            } catch (IOException e) {
                err.println("rmaplab: cannot write " + out + ": " + e.getMessage());
                err.flush();
                return ExitCodes.USAGE;
            }
        }
        return ExitCodes.OK;
    }

    /**
     * --recalibrate's rows into ROWS: before each workload's first row a fresh calibration (its
     * summary into FRESH_LINES), GIVEN's price where calibrate.c skips a series; every row priced by
     * both and bracketed by the control.
     */
    private void recalibratedRows(Calibration given, KernelRunner kernel, List<String> rows, List<String> freshLines,
                                  PrintWriter err) throws IOException {
        try (Recalibration fresh = Recalibration.start(kernel, rounds, recalibrateRounds, err)) {
            String current = null;
            Recalibration.Fresh f = null;
            for (Case k : CASES) {
                if (only == null || only.equals(k.workload())) {
                    if (!k.workload().equals(current)) {
                        current = k.workload();
                        err.println("rmaplab: bench validate: a fresh calibration before " + current);
                        err.flush();
                        f = fresh.calibrate(given);
                        freshLines.add(Recalibration.summary(current, f));
                    }
                    err.println("rmaplab: bench validate: " + k.workload() + " " + k.label());
                    err.flush();
                    rows.add(row(k, given, kernel, f, fresh));
                }
            }
        }
    }

    static final String HEADER = "| workload | size | est ms | measured ms | error | est fork / run / reclaim ms"
            + " | measured fork / run / reclaim ms |\n|---|---|---:|---:|---:|---|---|\n";

    static final String HEADER_RECALIBRATED = "| workload | size | est ms | measured ms | error | fresh est ms"
            + " | fresh error | fresh calibration, row (UTC) | control after / before | est fork / run / reclaim ms"
            + " | measured fork / run / reclaim ms |\n|---|---|---:|---:|---:|---:|---:|---|---|---|---|\n";

    /**
     * One row of the table for K, or a row saying why it could not be measured. With F (a fresh
     * calibration, --recalibrate) the row also carries the estimate F prices and its error, the
     * times of F and of the row, and the control R times before and after the row's kernel runs.
     */
    private String row(Case k, Calibration cal, KernelRunner kernel, Recalibration.Fresh f, Recalibration rc) {
        Workload w = Workloads.find(k.workload()).orElseThrow();
        String text = w.generate(k.params());
        Scenario sc = ScenarioParser.parse(k.workload() + ".vms", text);
        Map<String, String> est = estimate(sc, cal);
        double estNs = Double.parseDouble(est.get("est_time_ns"));
        double freshNs = f == null ? 0 : Double.parseDouble(estimate(sc, f.cal()).get("est_time_ns"));
        String head = "| " + k.workload() + " | " + k.label() + " | " + ms(estNs) + " | ";
        String at = f == null ? null : f.at() + ", " + Recalibration.clock();
        String control = "";
        Map<String, List<Integer>> phases = new LinkedHashMap<>();
        for (Statement s : sc.statements()) {
            phases.computeIfAbsent(phase(s), p -> new ArrayList<>()).add(s.line());
        }
        List<Validation.Run> runs = new ArrayList<>();
        Path tmp = null;
        try {
            tmp = Files.createTempFile("rmaplab-validate-", ".vms");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Validation.Control before = rc == null ? null : rc.control();
            for (int i = 0; i < rounds; i++) {
                runs.add(kernel.time(tmp));
            }
            control = rc == null ? "" : Recalibration.controlCell(before, rc.control());
        } catch (IOException | HarnessError e) {
            return head + "not measured: " + e.getMessage().replace('|', '/') + (f == null ? "" : " | | | | |")
                    + " | | | |\n";
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // a leftover temporary file is harmless
                }
            }
        }
        double measured = Validation.median(runs.stream().map(Validation.Run::totalNs).toList());
        String[] ph = {"fork", "run", "reclaim"};
        StringBuilder m = new StringBuilder();
        for (String p : ph) {
            List<Integer> lines = phases.getOrDefault(p, List.of());
            double v = Validation.median(runs.stream().map(r -> r.sum(lines)).toList());
            m.append(m.length() == 0 ? "" : " / ").append(ms(v));
        }
        String estPh = ms(Double.parseDouble(est.get("est_fork_ns"))) + " / " + ms(Double.parseDouble(est.get("est_run_ns")))
                + " / " + ms(Double.parseDouble(est.get("est_reclaim_ns")));
        String fresh = f == null ? "" : ms(freshNs) + " | " + errorCell(freshNs, measured) + " | " + at + " | " + control
                + " | ";
        if (measured <= 0) {
            return head + ms(measured) + " | n/a | " + fresh + estPh + " | " + m + " |\n";
        }
        return head + ms(measured) + " | " + errorCell(estNs, measured) + " | " + fresh + estPh + " | " + m + " |\n";
    }

    /** The error of EST against MEASURED as the table prints it: "+12.3%", "-40.0% (miss)", "n/a". */
    static String errorCell(double estNs, double measuredNs) {
        if (measuredNs <= 0) {
            return "n/a";
        }
        double e = Validation.error(estNs, measuredNs);
        return Validation.percent(e) + (Validation.withinTarget(e) ? "" : " (miss)");
    }

    /** The forks of the empty-fork scenario. */
    static final int EMPTY_FORKS = 16;

    /**
     * The harness's own fork: t1 forks {@link #EMPTY_FORKS} children and touches nothing, the median
     * over --rounds runs of the mean fork. fork_call is a process's fixed cost of fork (dup_mm, the
     * task, the vmas and ptes it always has), and the harness's task is not calibrate.c's process:
     * here its fork cost 340 to 400 us against calibrate.c's 220 us.
     */
    static double harnessForkNs(KernelRunner kernel, int rounds) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= EMPTY_FORKS; i++) {
            b.append("t1 fork as c").append(i).append('\n');
        }
        Path tmp = Files.createTempFile("rmaplab-validate-forks-", ".vms");
        try {
            Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
            List<Long> perFork = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                perFork.add(kernel.time(tmp).totalNs() / EMPTY_FORKS);
            }
            return Validation.median(perFork);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** CAL with PRIMITIVE's price replaced by NS (SOURCE says where it is from). */
    static Calibration withPrice(Calibration cal, String primitive, double ns, String source) {
        Map<String, Calibration.Price> costs = new LinkedHashMap<>();
        for (String p : Calibration.PRIMITIVES.keySet()) {
            costs.put(p, p.equals(primitive) ? new Calibration.Price(ns, source) : cal.price(p));
        }
        return new Calibration(cal.machine(), cal.kernel(), cal.date(), cal.origin(), cal.fits(), cal.skipped(), costs);
    }

    /** anon_vma_chain's costs of SC on the model, priced by CAL. */
    static Map<String, String> estimate(Scenario sc, Calibration cal) {
        String d = "anon_vma_chain";
        Machine k = new Machine(sc.machine(), RmapDesigns.create(d));
        CheckedSyscalls checked = new CheckedSyscalls(k, CheckPolicy.END);
        Meter meter = new Meter(checked, k, ArchProfile.of(sc.machine().arch()));
        RunResult r = new ScenarioRunner((dd, mm) -> meter).run(sc, d);
        if (!r.passed()) {
            throw new IllegalStateException(sc.file() + ": the model failed: " + String.join("; ", r.report()));
        }
        checked.finish();
        return CostModel.costs(d, meter, cal);
    }

    private static String ms(double ns) {
        return String.format(Locale.ROOT, "%.2f", ns / 1e6);
    }

    private Calibration calibration() {
        try {
            return CompareCommand.calibration(calibrationOption);
        } catch (CompareCommand.BadInput e) {
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^rmaplab: ", ""));
        }
    }

    private SwapFile swapFor(PrintWriter err) {
        if (SwapFile.swapActive(Path.of("/proc/swaps")) || swapMib == 0) {
            return null;
        }
        try {
            SwapFile s = SwapFile.create(swapMib << 20, CalibrateCommand.isRoot());
            err.println("rmaplab: bench validate: a temporary " + swapMib + " MiB swap file is on for the run");
            err.flush();
            return s;
        } catch (IOException e) {
            err.println("rmaplab: bench validate: no swap, and none could be made: " + e.getMessage());
            err.flush();
            return null;
        }
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return "unknown";
        }
    }
}
