package org.rmaplab.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import org.rmaplab.harness.Harness;
import org.rmaplab.harness.KernelRunner;
import org.rmaplab.harness.KernelVersion;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioParser;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What the kernel, diff and fuzz commands share. */
final class KernelCli {
    private KernelCli() {}

    /** Ends a command with an exit code, its message already printed. */
    static final class Exit extends RuntimeException {
        final int code;

        Exit(int code) {
            super(null, null, false, false);
            this.code = code;
        }
    }

    /** Prints LINE on ERR and returns the exception that ends the command with exit 2. */
    static Exit userError(PrintWriter err, String line) {
        err.println(line);
        err.flush();
        return new Exit(ExitCodes.USAGE);
    }

    /** Reads and parses every file before anything runs (exit 2 on the first bad one). */
    static List<Scenario> parseAll(List<String> files, PrintWriter err) {
        List<Scenario> out = new ArrayList<>();
        for (String f : files) {
            try {
                out.add(ScenarioParser.parse(f, RunCommand.read(f)));
            } catch (ScenarioError e) {
                throw userError(err, e.getMessage());
            } catch (RunCommand.UserError e) {
                throw userError(err, "rmaplab: " + e.getMessage());
            }
        }
        return out;
    }

    /**
     * The kernel harness, compiled on first use: exit 2 with one line if it cannot be had here (no C
     * compiler, not Linux); a warning on ERR if it is not statically linked or the kernel is older
     * than the harness needs.
     */
    static KernelRunner kernel(Backend backend, PrintWriter err) {
        String reason = KernelVersion.unsupportedReason();
        if (reason != null && !System.getProperty("os.name", "").equals("Linux")) {
            throw userError(err, "rmaplab: " + reason);
        }
        KernelRunner k;
        try {
            k = backend.kernel();
        } catch (Harness.Unavailable e) {
            throw userError(err, "rmaplab: " + e.getMessage());
        }
        if (reason != null) {
            err.println("rmaplab: warning: " + reason + "; results may differ from the corpus's");
        }
        if (k.harness().warning() != null) {
            err.println("rmaplab: " + k.harness().warning());
        }
        err.flush();
        return k;
    }

    /**
     * The designs --design names: one registered design or variant ({@code DESIGN:VARIANT}), or
     * {@code all} (the designs, not their variants).
     */
    static List<String> designs(CommandSpec spec, Backend backend, String design) {
        List<String> known = backend.designs();
        if (design.equals("all")) {
            return known;
        }
        if (known.contains(design) || RmapDesigns.variants().contains(design)) {
            return List.of(design);
        }
        String available = "available: " + String.join(", ", known) + ", or all; variants: "
                + String.join(", ", RmapDesigns.variants());
        throw new ParameterException(spec.commandLine(), "unknown design '" + design + "' (" + available + ")");
    }

    /** "1 run" / "2 runs". */
    static String plural(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
