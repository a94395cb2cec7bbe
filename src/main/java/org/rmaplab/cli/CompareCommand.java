package org.rmaplab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.check.InvariantViolation;
import org.rmaplab.cost.ArchProfile;
import org.rmaplab.cost.Calibration;
import org.rmaplab.report.CompareReport;
import org.rmaplab.report.Parallel;
import org.rmaplab.cost.CostModel;
import org.rmaplab.cost.CostTable;
import org.rmaplab.cost.Meter;
import org.rmaplab.workloads.Workload;
import org.rmaplab.workloads.Workloads;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.ModelError;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rmaplab compare [--design NAME|LIST|all] [--arch A] [--format table|csv|json] [--html FILE] [--sweep K=V,...] SCENARIO|WORKLOAD} */
@Command(name = "compare",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Run one scenario or workload under each design and print their costs side by side.",
            "A scenario is a .vms file, a workload a name from 'rmaplab workloads'. The costs of each",
            "design: rmap metadata bytes (now, peak, by structure) on an architecture profile,",
            "lowmem, walks, rmap ops, mremap COWs, swap-outs. The table (at most 100 columns) has a",
            "column per design and a line per metric (--columns); CSV and JSON a row per design with",
            "every metric. Output is deterministic byte for byte."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  every run passed its expectations",
            "  1  an expectation failed or an invariant was violated (the rows are still printed)",
            "  2  bad input: bad scenario, workload, parameter, design or option (one line on stderr)",
            "  3  internal error (a bug in the model; a stack trace is printed)"})
final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"--design", "--designs"}, paramLabel = "NAME|LIST|all", defaultValue = "all",
            description = "Designs and variants to run, comma-separated; 'all' (default) is the five designs, "
                    + "and may be one item of the list (all,anon_vma_chain:matena). --designs is the old spelling.")
    String designs;

    @Option(names = "--arch", paramLabel = "A",
            description = "Architecture profile (x86_64, x86_64-la57, i386, i386-pae, i386-pae-nohighpte, i386-numaq); "
                    + "default: the scenario's machine line.")
    String arch;

    @Option(names = "--format", paramLabel = "table|csv|json", defaultValue = "table",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--columns", paramLabel = "LIST|all",
            description = "The metrics the table shows, comma-separated, or 'all' (default: rmap memory, walks, "
                    + "rmap operations, unmap failures, mremap COWs). CSV and JSON always have every column.")
    String columns;

    @Option(names = "--check", paramLabel = "every|end|off", defaultValue = "end",
            description = "When the oracle runs its full invariant check (default: ${DEFAULT-VALUE}).")
    String check;

    @Option(names = "--param", paramLabel = "K=V", description = "A workload parameter (repeatable).")
    List<String> params = new ArrayList<>();

    @Option(names = "--emit", paramLabel = "FILE",
            description = "Also write the workload's generated scenario to FILE.")
    String emit;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Write the rows to FILE (atomically, only when everything ran) instead of stdout.")
    String outFile;

    @Option(names = "--html", paramLabel = "FILE",
            description = "Also write a self-contained HTML page (SVG charts of each metric, the numbers in tables) to FILE.")
    String htmlFile;

    @Option(names = "--sweep", paramLabel = "K=V1,V2,...",
            description = "Run the workload once per value of parameter K; rows gain a K column after design.")
    String sweep;

    @Option(names = "--jobs", paramLabel = "N",
            description = "Runs at once (default: the available processors, fewer if the heap would not hold "
                    + "them); the output is the same for every N.")
    Integer jobs;

    @Option(names = "--calibration", paramLabel = "FILE|reference",
            description = "The calibration that prices the est_*_ns columns (default: the one 'rmaplab calibrate' "
                    + "wrote in rmaplab's cache directory, else the reference calibration shipped with rmaplab).")
    String calibrationOption;

    /** The calibration the runs are priced with (resolved in call()). */
    private Calibration cal;

    @Parameters(index = "0", paramLabel = "SCENARIO|WORKLOAD", description = "A .vms file or a workload name.")
    String source;

    /** Bad input found after option parsing: MESSAGE is the one line for stderr, the exit code 2. */
    static final class BadInput extends Exception {
        BadInput(String line) {
            super(line);
        }
    }

    /** A model bug, already reported on stderr: exit 3. */
    private static final class ModelBugReported extends Exception {
    }

    /**
     * What to run: FILE names the scenario or workload (in messages, in the JSON, in the HTML), TEXT
     * is the one scenario's text (for --emit; null with --sweep), SCENARIOS the cases, one per
     * value of SWEEP_VALUES when SWEEP_COLUMN (the swept parameter) is not null.
     */
    private record Cases(String file, String text, List<Scenario> scenarios, String sweepColumn,
                         List<Long> sweepValues, Workload workload, Map<String, Long> params) {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CheckPolicy policy = checkOptions();
        List<String> names = designList();
        List<String> failures = new ArrayList<>();
        try {
            cal = calibration();
            Cases cases = resolveCases();
            for (String f : new String[] {emit, htmlFile, outFile}) {
                checkWritable(f); // before the runs, and so that no output is written when one cannot be
            }
            List<Map<String, String>> rows = runAll(cases, names, policy, failures, err);
            writeOutputs(cases, rows, out);
        } catch (BadInput e) {
            return userError(err, e.getMessage());
        } catch (ModelBugReported e) {
            return ExitCodes.INTERNAL;
        }
        for (String f : failures) {
            err.println(f);
        }
        err.flush();
        return failures.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /**
     * --calibration's file, or "reference"; without it the system property rmaplab.calibration (the
     * tests set "reference"), else calibrate's file in the cache directory if there is one, else the
     * reference. BadInput (one line) when the file cannot be read or is not a calibration.
     */
    private Calibration calibration() throws BadInput {
        return calibration(calibrationOption);
    }

    /** The calibration OPTION names (see {@link #calibration()}); also {@code bench validate}'s. */
    static Calibration calibration(String option) throws BadInput {
        String c = option != null ? option : System.getProperty("rmaplab.calibration");
        Path file;
        if (c == null) {
            file = CalibrateCommand.defaultFile(System.getenv());
            if (!Files.isRegularFile(file)) {
                return Calibration.reference();
            }
        } else if (c.equals("reference")) {
            return Calibration.reference();
        } else {
            file = Path.of(c);
        }
        try {
            return Calibration.load(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new BadInput("rmaplab: " + file + ": no such calibration file");
        } catch (IOException e) {
            throw new BadInput("rmaplab: " + file + ": cannot read the calibration: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new BadInput("rmaplab: " + e.getMessage());
        }
    }

    /** Checks --format and --arch and parses --check; ParameterException (exit 2) if one is bad. */
    private CheckPolicy checkOptions() {
        if (jobs != null && jobs < 1) {
            throw new ParameterException(spec.commandLine(), "--jobs must be at least 1, not " + jobs);
        }
        if (!List.of("table", "csv", "json").contains(format)) {
            throw new ParameterException(spec.commandLine(), "--format must be table, csv or json, not '" + format + "'");
        }
        if (arch != null && !ArchProfile.NAMES.contains(arch)) {
            throw new ParameterException(spec.commandLine(),
                    "unknown arch '" + arch + "' (known: " + String.join(", ", ArchProfile.NAMES) + ")");
        }
        checkColumns();
        try {
            return CheckPolicy.parse(check);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Checks --columns: table format only, known names, none twice; ParameterException (exit 2) if not. */
    private void checkColumns() {
        if (columns == null) {
            return;
        }
        if (!format.equals("table")) {
            throw new ParameterException(spec.commandLine(), "--columns chooses the table's metrics; --format "
                    + format + " has every column");
        }
        if (columns.equals("all")) {
            return;
        }
        List<String> known = metricNames();
        List<String> seen = new ArrayList<>();
        for (String c : columns.split(",", -1)) {
            if (!known.contains(c)) {
                throw new ParameterException(spec.commandLine(), "unknown column '" + c + "' (known: "
                        + String.join(", ", known) + ", or all)");
            }
            if (seen.contains(c)) {
                throw new ParameterException(spec.commandLine(), "column '" + c + "' given twice");
            }
            seen.add(c);
        }
    }

    /**
     * The source as cases: a workload (unless a file of that name exists) or a .vms file. Every case
     * is generated, parsed and checked before anything runs.
     */
    private Cases resolveCases() throws BadInput {
        try {
            Optional<Workload> w = Workloads.find(source);
            Cases c = w.isPresent() && !Files.exists(Path.of(source)) ? workloadCases(w.get()) : fileCases();
            fitsTheHeap(c);
            return c;
        } catch (ScenarioError e) {
            throw new BadInput(e.getMessage());
        } catch (RunCommand.UserError e) {
            throw new BadInput("rmaplab: " + e.getMessage());
        } catch (java.nio.file.InvalidPathException e) {
            throw new BadInput("rmaplab: " + source + ": bad file name");
        }
    }

    /** BadInput if a case's machine could not even be built in this JVM's heap. */
    private static void fitsTheHeap(Cases c) throws BadInput {
        for (Scenario sc : c.scenarios()) {
            fitsTheHeap(sc);
        }
    }

    /** BadInput if SC's machine could not even be built in this JVM's heap. */
    static void fitsTheHeap(Scenario sc) throws BadInput {
        long heap = Runtime.getRuntime().maxMemory();
        MachineConfig m = sc.machine();
        long floor = Parallel.heapFloor(m.ramBytes(), m.swapBytes());
        if (floor > heap) {
            throw new BadInput("rmaplab: " + sc.file() + ": its machine (ram=" + (m.ramBytes() >> 20) + "M swap="
                    + (m.swapBytes() >> 20) + "M) needs at least " + (floor >> 20) + " MiB of Java heap, more than "
                    + "this JVM's " + (heap >> 20) + " MiB (raise it with JAVA_TOOL_OPTIONS=-Xmx..., or lower a parameter)");
        }
    }

    /** Workload W with the --param values: one case, or one per --sweep value. */
    private Cases workloadCases(Workload w) throws BadInput {
        try {
            if (sweep == null) {
                Generated g = generate(w, params);
                return new Cases(g.file(), g.text(), List.of(g.scenario()), null, List.of(), w,
                        w.withDefaults(g.given()));
            }
            Map<String, Long> given = Workloads.parseParams(params);
            String sweepName = sweepName(given);
            List<Long> values = sweepValues(sweepName);
            String file = w.label(given);
            List<Scenario> cases = new ArrayList<>();
            for (long v : values) {
                Map<String, Long> g = new java.util.LinkedHashMap<>(given);
                g.put(sweepName, v);
                cases.add(ScenarioParser.parse(w.label(g), w.generate(g)));
            }
            Map<String, Long> fixed = w.withDefaults(given);
            fixed.remove(sweepName);
            return new Cases(file, null, cases, sweepName, values, w, fixed);
        } catch (IllegalArgumentException e) {
            throw new BadInput("rmaplab: " + e.getMessage());
        }
    }

    /** A workload's scenario: its label (the file it is reported as), text, parse, and the parameters given. */
    record Generated(String file, String text, Scenario scenario, Map<String, Long> given) {}

    /**
     * Workload W's scenario for the {@code --param K=V} strings PARAMS, as compare runs it (explore
     * records it): IllegalArgumentException with the reason on a bad parameter.
     */
    static Generated generate(Workload w, List<String> params) {
        Map<String, Long> given = Workloads.parseParams(params);
        String text = w.generate(given);
        String file = w.label(given);
        return new Generated(file, text, ScenarioParser.parse(file, text), given);
    }

    /** The parameter --sweep names; BadInput if --emit is given too, or the parameter is also a --param. */
    private String sweepName(Map<String, Long> given) throws BadInput {
        if (emit != null) {
            throw new BadInput("rmaplab: --emit and --sweep do not go together");
        }
        int eq = sweep.indexOf('=');
        if (eq <= 0) {
            throw new BadInput("rmaplab: --sweep takes NAME=V1,V2,..., not '" + sweep + "'");
        }
        String name = sweep.substring(0, eq);
        if (given.containsKey(name)) {
            throw new BadInput("rmaplab: " + name + " is both swept and given by --param");
        }
        return name;
    }

    /** The values of --sweep NAME=V1,V2,...; IllegalArgumentException (as --param's, but naming --sweep). */
    private List<Long> sweepValues(String name) {
        List<Long> values = new ArrayList<>();
        for (String v : sweep.substring(sweep.indexOf('=') + 1).split(",", -1)) {
            try {
                values.add(Workloads.parseParams(List.of(name + "=" + v)).get(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replaceFirst("^--param", "--sweep"));
            }
        }
        return values;
    }

    /** The source as a .vms file: one case; BadInput if workload options are given or there is no such file. */
    private Cases fileCases() throws BadInput, RunCommand.UserError {
        if (!params.isEmpty() || sweep != null) {
            throw new BadInput("rmaplab: --param and --sweep are for workloads; " + source
                    + " is a file (workloads: " + workloadNames() + ")");
        }
        if (emit != null) {
            throw new BadInput("rmaplab: --emit is for workloads; " + source + " is a file");
        }
        if (!source.endsWith(".vms") && !Files.exists(Path.of(source))) {
            throw new BadInput("rmaplab: " + source + ": no such file or workload (workloads: "
                    + workloadNames() + ")");
        }
        RunCommand.Source src = RunCommand.source(source);
        return new Cases(src.name(), src.text(), List.of(ScenarioParser.parse(src.name(), src.text())), null, List.of(),
                null, Map.of());
    }

    /**
     * What one run gave: its row (null after a model bug), its failed expectations and violated
     * invariants, the model bug's report for stderr, or the scenario error it stopped at.
     */
    private record Outcome(Map<String, String> row, List<String> failures, String bug, ScenarioError error) {
    }

    /**
     * Every case under every design in NAMES, on --jobs threads, in order: one row each (with the
     * swept value after the design when sweeping); failed expectations and violated invariants go to
     * FAILURES. What is printed is taken from the runs in order, so it is the same for any --jobs:
     * the first run (in order) that stops on a scenario error or a model bug ends it, as it would
     * serially.
     */
    private List<Map<String, String>> runAll(Cases cases, List<String> names, CheckPolicy policy,
                                             List<String> failures, PrintWriter err)
            throws BadInput, ModelBugReported {
        List<Scenario> scs = cases.scenarios();
        List<java.util.concurrent.Callable<Outcome>> tasks = new ArrayList<>();
        long maxRam = 0;
        for (Scenario sc : scs) {
            maxRam = Math.max(maxRam, sc.machine().ramBytes());
            for (String d : names) {
                tasks.add(() -> runOne(sc, d, policy));
            }
        }
        int n = jobs != null ? jobs : Parallel.defaultJobs(maxRam);
        Progress progress = Progress.stderr();
        List<Outcome> outcomes;
        try {
            outcomes = Parallel.run(n, tasks, k -> progress.accept("compare: " + cases.file() + " run " + k + "/"
                    + tasks.size()));
        } finally {
            progress.done();
        }
        List<Map<String, String>> rows = new ArrayList<>();
        for (int i = 0; i < outcomes.size(); i++) {
            Outcome o = outcomes.get(i);
            failures.addAll(o.failures());
            if (o.error() != null) {
                throw new BadInput(o.error().getMessage());
            }
            if (o.bug() != null) {
                err.print(o.bug());
                err.flush();
                throw new ModelBugReported();
            }
            int ci = i / names.size();
            rows.add(cases.sweepColumn() == null ? o.row()
                    : withSweptValue(o.row(), cases.sweepColumn(), cases.sweepValues().get(ci)));
        }
        return rows;
    }

    /** ROW with COLUMN = VALUE right after its design. */
    private static Map<String, String> withSweptValue(Map<String, String> row, String column, long value) {
        Map<String, String> r2 = new java.util.LinkedHashMap<>();
        r2.put("design", row.remove("design"));
        r2.put(column, Long.toString(value));
        r2.putAll(row);
        return r2;
    }

    /**
     * The rows in --format to --out (or OUT), and the --emit and --html files: each file written
     * atomically, once everything has run; BadInput if one cannot be written.
     */
    private void writeOutputs(Cases cases, List<Map<String, String>> rows, PrintWriter out) throws BadInput {
        String rendered = switch (format) {
            case "csv" -> CostTable.csv(rows);
            case "json" -> CostTable.json(cases.file(), cases.workload() == null ? null : cases.workload().name(),
                    cases.params(), cases.sweepColumn(), cases.sweepValues(), cal.label(), rows);
            default -> tableView(rows, cases.sweepColumn());
        };
        if (emit != null) {
            write(emit, cases.text());
        }
        if (htmlFile != null) {
            write(htmlFile, CompareReport.html(cases.file(), cases.sweepColumn(), rows));
        }
        if (outFile != null) {
            write(outFile, rendered);
        } else {
            out.print(rendered);
            out.flush();
        }
    }

    /**
     * The terminal view: the --columns metrics (default {@link CompareReport#TABLE_METRICS}) as rows,
     * the designs as columns, within 100 columns; a last line says how to see the others.
     */
    private String tableView(List<Map<String, String>> rows, String sweepColumn) {
        List<String> known = metricNames();
        List<String> shown = columns == null ? CompareReport.TABLE_METRICS
                : columns.equals("all") ? known : List.of(columns.split(",", -1));
        String t = CostTable.table(rows, shown, sweepColumn);
        if (shown.size() < known.size() && columns == null) {
            t += "(" + shown.size() + " of " + known.size() + " metrics: --columns all or --columns A,B,... "
                    + "for others; --format csv or json)\n";
        }
        if (shown.stream().anyMatch(m -> m.startsWith("est_"))) {
            t += "(est_*_ns priced by: " + cal.label() + ")\n";
            if (cal.origin().equals("reference")) {
                t += "(the reference calibration shipped with rmaplab; 'rmaplab calibrate' measures this machine's)\n";
            }
        }
        return t;
    }

    /** What --columns may name: every cost column but the design and the calibration's label. */
    private static List<String> metricNames() {
        return CostModel.columns().stream().filter(c -> !c.equals("design") && !c.equals("calibration")).toList();
    }

    /** F (if given) can be written: BadInput with the reason if not. */
    private static void checkWritable(String f) throws BadInput {
        if (f == null) {
            return;
        }
        try {
            AtomicFile.checkWritable(f);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new BadInput("rmaplab: cannot write " + f + ": " + e.getMessage());
        }
    }

    private static void write(String f, String text) throws BadInput {
        try {
            AtomicFile.write(f, text);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new BadInput("rmaplab: cannot write " + f + ": " + e.getMessage());
        }
    }

    /** One run of SC under DESIGN: its row and failures, or the model bug or scenario error it stopped at. */
    private Outcome runOne(Scenario sc, String d, CheckPolicy policy) {
        MachineConfig mc = sc.machine();
        if (arch != null) {
            mc = mc.withArch(arch);
        }
        List<String> failures = new ArrayList<>();
        try {
            Machine k = new Machine(mc, RmapDesigns.create(d));
            CheckedSyscalls checked = new CheckedSyscalls(k, policy);
            Meter meter = new Meter(checked, k, ArchProfile.of(mc.arch()));
            RunResult r = new ScenarioRunner((dd, m) -> meter).run(sc, d);
            if (!r.invariantViolated()) {
                try {
                    checked.finish();
                } catch (InvariantViolation v) {
                    failures.add(sc.file() + ":" + sc.lastLine() + ": [" + d + "] invariant violated: " + v.getMessage());
                }
            }
            if (!r.passed()) {
                failures.addAll(r.report());
            }
            oomKills(sc, d, mc, k.counters().getOrDefault("oom_kills", 0L), failures);
            return new Outcome(CostModel.costs(d, meter, cal), failures, null, null);
        } catch (ScenarioError e) {
            return new Outcome(null, failures, null, e);
        } catch (ModelError e) {
            java.io.StringWriter w = new java.io.StringWriter();
            PrintWriter pw = new PrintWriter(w);
            String where = e.line() > 0 ? e.file() + ":" + e.line() + ":" : e.file() + ":";
            pw.println(where + " [" + e.design() + "] internal error (a bug in the model, not in the scenario):");
            e.getCause().printStackTrace(pw);
            pw.flush();
            return new Outcome(null, failures, w.toString(), null);
        }
    }

    /**
     * An OOM kill is named, never hidden: the counts of a run in which the OOM killer ended tasks are
     * not the scenario's. KILLS tasks killed under DESIGN add a failure, unless a line of SC expects
     * KILLED (the scenario is about the OOM killer).
     */
    private static void oomKills(Scenario sc, String d, MachineConfig mc, long kills, List<String> failures) {
        if (kills == 0 || sc.statements().stream().anyMatch(CompareCommand::expectsKilled)) {
            return;
        }
        failures.add(sc.file() + ": [" + d + "] the OOM killer killed " + kills + (kills == 1 ? " task" : " tasks")
                + ": the machine (ram=" + (mc.ramBytes() >> 20) + "M swap=" + (mc.swapBytes() >> 20)
                + "M) is too small for this run, so its counts are not the scenario's");
    }

    private static boolean expectsKilled(org.rmaplab.scenario.Statement s) {
        return s.text().contains("KILLED");
    }

    static String workloadNames() {
        return String.join(", ", Workloads.ALL.stream().map(Workload::name).toList());
    }

    private List<String> designList() {
        return KernelCli.designs(spec, RmapDesigns.names(), designs);
    }

    private static int userError(PrintWriter err, String line) {
        err.println(line);
        err.flush();
        return ExitCodes.USAGE;
    }
}
