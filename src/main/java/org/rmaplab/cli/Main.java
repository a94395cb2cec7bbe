package org.rmaplab.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code rmaplab} command. Subcommands: {@code run}, {@code kernel}, {@code diff},
 * {@code fuzz}, {@code compare}, {@code workloads}, {@code findings}, {@code report}, {@code trace}, {@code bench}, {@code explore} (a new one: add a class and list it in
 * {@code subcommands}).
 */
@Command(name = "rmaplab",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "An executable model of Linux virtual memory in which several reverse-mapping "
                + "designs run the same workloads.",
        subcommands = {RunCommand.class, KernelCommand.class, DiffCommand.class, FuzzCommand.class,
            CompareCommand.class, WorkloadsCommand.class, FindingsCommand.class, ReportCommand.class, TraceCommand.class,
            BenchCommand.class, CalibrateCommand.class, ExploreCommand.class, CommandLine.HelpCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  everything passed",
            "  1  an expectation failed or an invariant was violated",
            "  2  bad input: bad scenario, unknown design, missing file, bad option",
            "  3  internal error (a bug in the model; a stack trace is printed)"})
public final class Main implements Callable<Integer> {

    final Backend backend;

    @Spec
    CommandSpec spec;

    public Main(Backend backend) {
        this.backend = backend;
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command (run, kernel, diff, fuzz, compare, workloads, findings, report)");
    }

    public static void main(String[] args) {
        System.exit(commandLine(Backend.model(),
                new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args));
    }

    /** The command line on BACKEND, printing to OUT and ERR; {@code execute(args)} returns the exit code. */
    public static CommandLine commandLine(Backend backend, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main(backend));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            String msg = ex.getMessage() == null ? ex.toString() : ex.getMessage();
            c.getErr().println("rmaplab: " + oneLine(msg) + " (see '"
                    + c.getCommandSpec().qualifiedName() + " --help')");
            c.getErr().flush();
            return ExitCodes.USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            c.getErr().println("rmaplab: internal error (a bug in rmaplab):");
            ex.printStackTrace(c.getErr());
            c.getErr().flush();
            return ExitCodes.INTERNAL;
        });
        return cl;
    }

    static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** {@code rmaplab VERSION}, the version coming from the pom through rmaplab.properties. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"rmaplab " + version()};
        }
    }

    /** The project version, from the filtered resource {@code rmaplab.properties}. */
    public static String version() {
        try (InputStream in = Main.class.getResourceAsStream("/rmaplab.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank() && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }
}
