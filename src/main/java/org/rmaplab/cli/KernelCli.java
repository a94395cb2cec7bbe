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
     * The designs --design names: a comma-separated list of registered designs, variants
     * ({@code DESIGN:VARIANT}) and {@code all} (the designs, not their variants, in registry
     * order), each taken once in the order first named: {@code all,anon_vma_chain:matena} is the
     * five designs and the variant. Exit 2 (a ParameterException) on a name nobody registered.
     */
    static List<String> designs(CommandSpec spec, Backend backend, String design) {
        return designs(spec, backend.designs(), design);
    }

    /** {@link #designs(CommandSpec, Backend, String)} over the designs KNOWN. */
    static List<String> designs(CommandSpec spec, List<String> known, String design) {
        java.util.LinkedHashSet<String> chosen = new java.util.LinkedHashSet<>();
        for (String d : design.split(",", -1)) {
            if (d.equals("all")) {
                chosen.addAll(known);
            } else if (known.contains(d) || RmapDesigns.variants().contains(d)) {
                chosen.add(d);
            } else {
                String available = "available: " + String.join(", ", known) + ", or all; variants: "
                        + String.join(", ", RmapDesigns.variants());
                throw new ParameterException(spec.commandLine(), "unknown design '" + d + "' (" + available + ")");
            }
        }
        return List.copyOf(chosen);
    }

    /**
     * The swap for a kernel run of SCENARIOS: with {@code --swapfile SIZE} a swap file made for it
     * (exit 2 with the reason if it cannot be: a bad size, not root, a failed mkswap/swapon);
     * without, null, and a warning on ERR, once, if a scenario pages out on a kernel without swap.
     */
    static SwapFile swap(String size, List<Scenario> scenarios, PrintWriter err) {
        if (size == null) {
            String w = SwapFile.warning(scenarios, java.nio.file.Path.of("/proc/swaps"));
            if (w != null) {
                err.println(w);
                err.flush();
            }
            return null;
        }
        long bytes = parseSize(size);
        if (bytes <= 0) {
            throw userError(err, "rmaplab: --swapfile: '" + size + "' is not a size (like 512M or 1G)");
        }
        try {
            return SwapFile.create(bytes, isRoot());
        } catch (java.io.IOException e) {
            throw userError(err, "rmaplab: --swapfile: " + e.getMessage());
        }
    }

    /** N, NK, NM or NG (binary units) in bytes; -1 if malformed. */
    static long parseSize(String s) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,7})([KkMmGg]?)").matcher(s);
        if (!m.matches()) {
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toUpperCase(java.util.Locale.ROOT)) {
            case "K" -> n << 10;
            case "M" -> n << 20;
            case "G" -> n << 30;
            default -> n;
        };
    }

    /** uid 0, by /proc/self/status. */
    static boolean isRoot() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (java.io.IOException e) {
            // not Linux: not root for our purposes
        }
        return false;
    }

    /** "1 run" / "2 runs". */
    static String plural(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
