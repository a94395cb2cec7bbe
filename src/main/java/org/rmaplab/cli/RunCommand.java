package org.rmaplab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.Designs;
import org.rmaplab.scenario.ModelError;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.scenario.Statement;
import org.rmaplab.traces.TraceConverter;
import org.rmaplab.traces.TraceError;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code rmaplab run [--design NAME|LIST|all] [--check every|end|off] FILE...} */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Run scenario files (.vms) on the model and check their expectations.",
            "Prints 'PASS FILE [design] (N lines)' per file and design, or one",
            "'FILE:LINE: [design] expected X, got Y' line per failed expectation,",
            "then a summary line."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  every expectation held",
            "  1  an expectation failed or an invariant was violated",
            "  2  bad input: bad scenario, unknown design, missing file, bad option",
            "  3  internal error (a bug in the model; a stack trace is printed)"})
final class RunCommand implements Callable<Integer> {

    @ParentCommand
    Main parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--design", paramLabel = "NAME|LIST|all", defaultValue = RmapDesigns.DEFAULT,
            description = "The design to run (default: ${DEFAULT-VALUE}), a comma-separated LIST, or 'all' for every design ('all' may be one item of a LIST); a variant by name (DESIGN:VARIANT: pte_chains:mlocked_unchained, pte_chains:objrmap, pte_chains:objrmap_nlchains, anon_vma_chain:noreuse, anon_vma_chain:relocate, anon_vma_chain:matena, lokier:noreserve).")
    String design;

    @Option(names = "--check", paramLabel = "every|end|off", defaultValue = "end",
            description = "When the oracle checks every invariant: after every operation, "
                    + "at the end of the run and at each 'check' line (default), or never. "
                    + "Contents are verified on every read regardless.")
    String check;

    @Option(names = {"-v", "--verbose"},
            description = "Print every line with its actual result before the verdict, strace-like: "
                    + "'LINE  CALL = RESULT (NAME)' (NAME: what 'as NAME' bound; '!=' marks a failed expectation).")
    boolean verbose;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scenario files, or traces (perf script text, or strace output named *.strace), converted on the fly.")
    List<String> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CheckPolicy policy = policy();
        List<String> designs = designs();

        // Read, parse and pre-check every file before running anything.
        List<Scenario> scenarios = new ArrayList<>();
        for (String f : files) {
            try {
                Source src = source(f);
                Scenario sc = ScenarioParser.parse(src.name(), src.text());
                scenarios.add(sc);
            } catch (ScenarioError e) {
                return userError(err, e.getMessage());
            } catch (UserError e) {
                return userError(err, "rmaplab: " + e.getMessage());
            }
        }

        ScenarioRunner runner = new ScenarioRunner((d, m) -> parent.backend.create(d, m, policy));
        int runs = 0;
        int failed = 0;
        Progress progress = Progress.stderr();
        for (Scenario sc : scenarios) {
            for (String d : designs) {
                progress.accept("run: " + sc.file() + " [" + d + "] (" + (runs + 1) + " of "
                        + scenarios.size() * designs.size() + ")");
                RunResult r;
                try {
                    r = runner.run(sc, d);
                } catch (ScenarioError e) {
                    out.flush();
                    return userError(err, e.getMessage());
                } catch (ModelError e) {
                    out.flush();
                    String where = e.line() > 0 ? e.file() + ":" + e.line() + ":" : e.file() + ":";
                    err.println(where + " [" + e.design()
                            + "] internal error (a bug in the model, not in the scenario):");
                    e.getCause().printStackTrace(err);
                    err.flush();
                    return ExitCodes.INTERNAL;
                }
                runs++;
                if (!r.passed()) {
                    failed++;
                }
                progress.done();
                if (verbose) {
                    for (String line : verboseLines(sc, r)) {
                        out.println(line);
                    }
                }
                for (String line : r.report()) {
                    out.println(line);
                }
            }
        }
        out.println(runs + " run" + (runs == 1 ? "" : "s") + ": " + (runs - failed) + " passed, "
                + failed + " failed");
        out.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** What comes before each line a call printed besides its result (maps), as vmsh -m indents them. */
    static final String TEXT_INDENT = "    ";

    /**
     * {@code --verbose}: a header, then every line that ran as {@code LINE  CALL = RESULT (NAME)}, the
     * call as written without its {@code as} and {@code expect} parts, {@code !=} where the line's
     * expectation failed; under a {@code maps} line, the lines of /proc/PID/maps, each after
     * {@link #TEXT_INDENT}.
     */
    static List<String> verboseLines(Scenario sc, RunResult r) {
        java.util.Map<Integer, Statement> byLine = new java.util.HashMap<>();
        for (Statement st : sc.statements()) {
            byLine.put(st.line(), st);
        }
        java.util.Set<Integer> failedLines = new java.util.HashSet<>();
        for (RunResult.Failure f : r.failures()) {
            failedLines.add(f.line());
        }
        int width = String.valueOf(sc.lastLine()).length();
        List<String> lines = new ArrayList<>();
        lines.add("# " + sc.file() + " [" + r.design() + "]");
        for (RunResult.LineOutcome o : r.outcomes()) {
            Statement st = byLine.get(o.line());
            String mark = failedLines.contains(o.line()) ? " != " : " = ";
            lines.add(String.format(java.util.Locale.ROOT, "%" + width + "d  %s%s%s%s", o.line(), call(st), mark,
                    o.actual(), st.as() == null ? "" : " (" + st.as() + ")"));
            for (String t : o.text()) {
                lines.add(TEXT_INDENT + t);
            }
        }
        return lines;
    }

    /** The statement as written, up to its {@code as NAME} or first {@code expect}. */
    private static String call(Statement st) {
        StringBuilder b = new StringBuilder();
        for (String tok : st.text().trim().split("\\s+")) {
            if (tok.equals("as") && st.as() != null || tok.equals("expect") || tok.startsWith("expect:")) {
                break;
            }
            b.append(b.length() == 0 ? "" : " ").append(tok);
        }
        return b.toString();
    }

    private static int userError(PrintWriter err, String line) {
        err.println(line);
        err.flush();
        return ExitCodes.USAGE;
    }

    private CheckPolicy policy() {
        try {
            return CheckPolicy.parse(check);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private List<String> designs() {
        return KernelCli.designs(spec, parent.backend, design);
    }

    /** The text of scenario file F (UTF-8); a UserError says what is wrong with it. */
    /** A file's scenario: its name in reports and its text. */
    record Source(String name, String text) {}

    /**
     * The scenario of file F: a scenario file as it is, or a trace converted on the fly with
     * {@code trace convert}'s defaults — perf script text (recognised by content, gzip'd or not),
     * or strace output (a name ending {@code .strace} or {@code .strace.gz}) — named
     * {@code F.vms} in reports. Bad trace input is a ScenarioError at the trace's FILE:LINE.
     */
    static Source source(String f) {
        boolean perf;
        try (java.io.InputStream in = open(f)) {
            perf = TraceConverter.looksLikePerf(in);
        } catch (CharacterCodingException e) {
            perf = false; // read() says what is wrong with it
        } catch (IOException e) {
            throw new UserError(f + ": cannot read: " + e.getMessage());
        }
        if (!perf && !f.endsWith(".strace") && !f.endsWith(".strace.gz")) {
            return new Source(f, read(f));
        }
        // The trace is read line by line, never whole (a perf trace of a million events is some
        // 130 MB of text); only the scenario, a fraction of it, is held, to be parsed.
        StringBuilder body = new StringBuilder();
        Progress progress = Progress.stderr();
        try (java.io.InputStream in = open(f)) {
            TraceConverter.Head h = TraceConverter.convert(f, in, TraceConverter.Options.DEFAULT, body,
                    n -> progress.accept(f + ": " + n + " lines converted"));
            return new Source(f + ".vms", h.header() + body);
        } catch (TraceError e) {
            throw new ScenarioError(e.file(), e.line(), e.what());
        } catch (CharacterCodingException e) {
            throw new UserError(f + ": not a UTF-8 text file");
        } catch (IOException e) {
            throw new UserError(f + ": cannot read: " + e.getMessage());
        } finally {
            progress.done();
        }
    }

    /** File F opened for reading; a UserError says why it cannot be. */
    static java.io.InputStream open(String f) {
        Path p;
        try {
            p = Path.of(f);
        } catch (java.nio.file.InvalidPathException e) {
            throw new UserError(f + ": bad file name");
        }
        if (Files.isDirectory(p)) {
            throw new UserError(f + ": is a directory");
        }
        try {
            return Files.newInputStream(p);
        } catch (NoSuchFileException e) {
            throw new UserError(f + ": no such file");
        } catch (IOException e) {
            throw new UserError(f + ": cannot read: " + e.getMessage());
        }
    }

    static String read(String f) {
        Path p;
        try {
            p = Path.of(f);
        } catch (java.nio.file.InvalidPathException e) {
            throw new UserError(f + ": bad file name");
        }
        try {
            if (Files.isDirectory(p)) {
                throw new UserError(f + ": is a directory");
            }
            byte[] bytes = Files.readAllBytes(p);
            if (bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
                // gzip (the committed perf traces, traces/perf/*.perf.gz): read uncompressed.
                try (java.io.InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(bytes))) {
                    bytes = in.readAllBytes();
                }
            }
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new UserError(f + ": no such file");
        } catch (CharacterCodingException e) {
            throw new UserError(f + ": not a UTF-8 text file");
        } catch (IOException e) {
            throw new UserError(f + ": cannot read: " + e.getMessage());
        }
    }

    /** A user error found by the CLI itself (not in a scenario's text). */
    static final class UserError extends RuntimeException {
        UserError(String message) {
            super(message);
        }
    }
}
