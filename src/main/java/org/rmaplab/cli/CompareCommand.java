package org.rmaplab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.check.InvariantViolation;
import org.rmaplab.cost.ArchProfile;
import org.rmaplab.report.CompareReport;
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

/** {@code rmaplab compare [--designs all|LIST] [--arch A] [--format table|csv|json] [--html FILE] [--sweep K=V,...] SCENARIO|WORKLOAD} */
@Command(name = "compare",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Run one scenario (a .vms file, or a named workload: see 'rmaplab workloads') under each",
            "design and print one row of costs per design: rmap metadata bytes (now, peak, by",
            "structure) on an architecture profile, lowmem, walks, rmap ops, mremap COWs, swap-outs.",
            "Output is deterministic byte for byte."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  every run passed its expectations",
            "  1  an expectation failed or an invariant was violated (the rows are still printed)",
            "  2  bad input: bad scenario, workload, parameter, design or option (one line on stderr)",
            "  3  internal error (a bug in the model; a stack trace is printed)"})
final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--designs", paramLabel = "all|LIST", defaultValue = "all",
            description = "Designs to run, comma-separated, or 'all' (default).")
    String designs;

    @Option(names = "--arch", paramLabel = "A",
            description = "Architecture profile (x86_64, i386, i386-pae); default: the scenario's machine line.")
    String arch;

    @Option(names = "--format", paramLabel = "table|csv|json", defaultValue = "table",
            description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

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

    /** The swept parameter's name, when --sweep is given. */
    private String sweepColumn;

    @Parameters(index = "0", paramLabel = "SCENARIO|WORKLOAD", description = "A .vms file or a workload name.")
    String source;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!List.of("table", "csv", "json").contains(format)) {
            throw new ParameterException(spec.commandLine(), "--format must be table, csv or json, not '" + format + "'");
        }
        if (arch != null && !ArchProfile.NAMES.contains(arch)) {
            throw new ParameterException(spec.commandLine(),
                    "unknown arch '" + arch + "' (known: " + String.join(", ", ArchProfile.NAMES) + ")");
        }
        CheckPolicy policy;
        try {
            policy = CheckPolicy.parse(check);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        List<String> names = designList();

        // Every case (one scenario, or one per --sweep value) is generated, parsed and checked
        // before anything runs.
        List<Scenario> cases = new ArrayList<>();
        List<Long> sweepValues = new ArrayList<>();
        String text = null;
        String file;
        try {
            Optional<Workload> w = Workloads.find(source);
            if (w.isPresent() && !Files.exists(Path.of(source))) {
                Map<String, Long> given;
                try {
                    given = Workloads.parseParams(params);
                    String sweepName = null;
                    if (sweep != null) {
                        if (emit != null) {
                            return userError(err, "rmaplab: --emit and --sweep do not go together");
                        }
                        int eq = sweep.indexOf('=');
                        if (eq <= 0) {
                            return userError(err, "rmaplab: --sweep takes NAME=V1,V2,..., not '" + sweep + "'");
                        }
                        sweepName = sweep.substring(0, eq);
                        if (given.containsKey(sweepName)) {
                            return userError(err, "rmaplab: " + sweepName + " is both swept and given by --param");
                        }
                        for (String v : sweep.substring(eq + 1).split(",", -1)) {
                            try {
                                sweepValues.add(Workloads.parseParams(List.of(sweepName + "=" + v)).get(sweepName));
                            } catch (IllegalArgumentException e) {
                                throw new IllegalArgumentException(e.getMessage().replaceFirst("^--param", "--sweep"));
                            }
                        }
                    }
                    if (sweepName == null) {
                        text = w.get().generate(given);
                        file = w.get().label(given);
                        cases.add(ScenarioParser.parse(file, text));
                    } else {
                        file = w.get().label(given);
                        for (long v : sweepValues) {
                            Map<String, Long> g = new java.util.LinkedHashMap<>(given);
                            g.put(sweepName, v);
                            cases.add(ScenarioParser.parse(w.get().label(g), w.get().generate(g)));
                        }
                        sweepColumn = sweepName;
                    }
                } catch (IllegalArgumentException e) {
                    return userError(err, "rmaplab: " + e.getMessage());
                }
            } else {
                if (!params.isEmpty() || sweep != null) {
                    return userError(err, "rmaplab: --param and --sweep are for workloads; " + source
                            + " is a file (workloads: " + workloadNames() + ")");
                }
                if (emit != null) {
                    return userError(err, "rmaplab: --emit is for workloads; " + source + " is a file");
                }
                if (!source.endsWith(".vms") && !Files.exists(Path.of(source))) {
                    return userError(err, "rmaplab: " + source + ": no such file or workload (workloads: "
                            + workloadNames() + ")");
                }
                file = source;
                text = RunCommand.read(source);
                cases.add(ScenarioParser.parse(file, text));
            }
        } catch (ScenarioError e) {
            return userError(err, e.getMessage());
        } catch (RunCommand.UserError e) {
            return userError(err, "rmaplab: " + e.getMessage());
        } catch (java.nio.file.InvalidPathException e) {
            return userError(err, "rmaplab: " + source + ": bad file name");
        }

        List<Map<String, String>> rows = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Progress progress = Progress.stderr();
        for (int ci = 0; ci < cases.size(); ci++) {
            Scenario sc = cases.get(ci);
            for (int di = 0; di < names.size(); di++) {
                String d = names.get(di);
                progress.accept("compare: " + sc.file() + (cases.size() > 1 ? " (" + (ci + 1) + "/" + cases.size() + ")" : "")
                        + " design " + (di + 1) + "/" + names.size());
                Map<String, String> row;
                try {
                    row = runOne(sc, d, policy, failures, err);
                } catch (ScenarioError e) {
                    progress.done();
                    return userError(err, e.getMessage());
                }
                if (row == null) {
                    progress.done();
                    return ExitCodes.INTERNAL;
                }
                if (sweepColumn != null) {
                    Map<String, String> r2 = new java.util.LinkedHashMap<>();
                    r2.put("design", row.remove("design"));
                    r2.put(sweepColumn, Long.toString(sweepValues.get(ci)));
                    r2.putAll(row);
                    row = r2;
                }
                rows.add(row);
            }
        }

        progress.done();
        String rendered = switch (format) {
            case "csv" -> CostTable.csv(rows);
            case "json" -> CostTable.json(file, rows);
            default -> CostTable.table(rows);
        };
        try {
            if (emit != null) {
                writeAtomically(emit, text);
            }
            if (htmlFile != null) {
                writeAtomically(htmlFile, CompareReport.html(file, sweepColumn, rows));
            }
            if (outFile != null) {
                writeAtomically(outFile, rendered);
            } else {
                out.print(rendered);
                out.flush();
            }
        } catch (IOException | java.nio.file.InvalidPathException e) {
            return userError(err, "rmaplab: cannot write: " + e.getMessage());
        }
        for (String f : failures) {
            err.println(f);
        }
        err.flush();
        return failures.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** One run of SC under DESIGN: its row, or null after a model bug was reported on ERR. */
    private Map<String, String> runOne(Scenario sc, String d, CheckPolicy policy, List<String> failures,
                                       PrintWriter err) {
        MachineConfig mc = sc.machine();
        if (arch != null) {
            mc = new MachineConfig(mc.ramBytes(), mc.swapBytes(), arch);
        }
        Meter meter;
        try {
            Machine k = new Machine(mc, RmapDesigns.create(d));
            CheckedSyscalls checked = new CheckedSyscalls(k, policy);
            meter = new Meter(checked, k, ArchProfile.of(mc.arch()));
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
        } catch (ModelError e) {
            String where = e.line() > 0 ? e.file() + ":" + e.line() + ":" : e.file() + ":";
            err.println(where + " [" + e.design() + "] internal error (a bug in the model, not in the scenario):");
            e.getCause().printStackTrace(err);
            err.flush();
            return null;
        }
        return CostModel.costs(d, meter);
    }

    private static String workloadNames() {
        return String.join(", ", Workloads.ALL.stream().map(Workload::name).toList());
    }

    static void writeAtomically(String f, String text) throws IOException {
        Path p = Path.of(f).toAbsolutePath();
        Path tmp = Files.createTempFile(p.getParent(), ".rmaplab-", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                // createTempFile makes it private (0600); an output file is as readable as any other.
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep what it gave
            }
            Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private List<String> designList() {
        List<String> known = RmapDesigns.names();
        if (designs.equals("all")) {
            return known;
        }
        List<String> out = new ArrayList<>();
        for (String d : designs.split(",", -1)) {
            if (!known.contains(d)) {
                throw new ParameterException(spec.commandLine(), "unknown design '" + d + "' (available: "
                        + String.join(", ", known) + ", or all)");
            }
            if (out.contains(d)) {
                throw new ParameterException(spec.commandLine(), "design '" + d + "' given twice");
            }
            out.add(d);
        }
        return out;
    }

    private static int userError(PrintWriter err, String line) {
        err.println(line);
        err.flush();
        return ExitCodes.USAGE;
    }
}
