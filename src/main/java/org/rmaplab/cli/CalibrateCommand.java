package org.rmaplab.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.rmaplab.cost.Calibration;
import org.rmaplab.cost.LineFit;
import org.rmaplab.harness.Harness;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code rmaplab calibrate [--out FILE] [--rounds N]}: measures what each primitive the model counts
 * costs on this machine's kernel (harness/bench/calibrate.c, compiled with $CC or cc), fits a
 * least-squares line through each series, and writes the {@link Calibration} that
 * {@code rmaplab compare} reads back to price its est_*_ns columns. What cannot be measured here
 * (no swap and not root, MADV_PAGEOUT refused, ...) is recorded with the reason, and its price taken
 * from the reference calibration; the run never fails for it.
 */
@Command(name = "calibrate",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Measure the ns of each primitive the model counts on this machine's kernel.",
            "",
            "A fault, a COW, a pte or vma copied at fork, a pte zapped, a reverse walk's vma and pte, a "
                + "swap-out ...: each a least-squares fit over several sizes, with its residuals. Writes "
                + "the calibration 'compare' prices est_time_ns with. Needs a C compiler; the swap series "
                + "need swap (as root a temporary swap file is made and removed), and are taken from the "
                + "reference otherwise. About 90 s of CPU time, more in wall time on a busy machine (4 min at "
                + "a load of 20 on 2 CPUs)."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  the calibration was written (what could not be measured is listed in it)",
            "  1  nothing could be measured (no C compiler, or the benchmark failed);",
            "     nothing written",
            "  2  bad option"})
final class CalibrateCommand implements Callable<Integer> {
    /** The calibration's file name in the cache directory ({@link Harness#cacheDir}). */
    static final String FILE = "calibration.json";

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Write the calibration to FILE (default: calibration.json in rmaplab's cache directory, "
                    + "$XDG_CACHE_HOME/rmaplab or ~/.cache/rmaplab, where compare looks for it).")
    String out;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "5",
            description = "Rounds per point, the median kept (1 to 32; default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--swapfile", paramLabel = "MIB", defaultValue = "512",
            description = "As root with no swap active, the size of the temporary swap file (default ${DEFAULT-VALUE}; 0: none).")
    long swapMib;

    /** The default calibration file: calibration.json in the cache directory of ENV. */
    static Path defaultFile(Map<String, String> env) {
        return Harness.cacheDir(env).resolve(FILE);
    }

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (rounds < 1 || rounds > 32) {
            throw new ParameterException(spec.commandLine(), "--rounds must be 1 to 32, not " + rounds);
        }
        if (swapMib < 0) {
            throw new ParameterException(spec.commandLine(), "--swapfile must be 0 or more MiB, not " + swapMib);
        }
        Path file = out != null ? Path.of(out) : defaultFile(System.getenv());
        try {
            if (out == null) {
                Files.createDirectories(file.getParent());
            }
            AtomicFile.checkWritable(file.toString());
        } catch (IOException | java.nio.file.InvalidPathException e) {
            err.println("rmaplab: cannot write " + file + ": " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        List<Calibration.Skipped> skipped = new ArrayList<>();
        String output;
        try (SwapFile swap = swapFor(skipped, err)) {
            output = measure(file.toAbsolutePath().getParent(), err);
        } catch (IOException e) {
            err.println("rmaplab: calibrate: nothing measured: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILED;
        }
        Calibration cal;
        try {
            cal = calibration(output, skipped, referenceOrNull(), file.toString());
        } catch (IllegalArgumentException e) {
            err.println("rmaplab: calibrate: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILED;
        }
        try {
            AtomicFile.write(file.toString(), cal.toJson());
        } catch (IOException e) {
            err.println("rmaplab: cannot write " + file + ": " + e.getMessage());
            err.flush();
            return ExitCodes.USAGE;
        }
        summary(o, cal);
        o.println("written: " + file);
        o.flush();
        return ExitCodes.OK;
    }

    /**
     * The calibration calibrate.c's OUTPUT implies, named ORIGIN, this machine, kernel and now;
     * SKIPPED (what was not measured before the run) gains what the output skips, and a primitive
     * whose series is missing takes FALLBACK's price (the reference for `calibrate`).
     */
    static Calibration calibration(String output, List<Calibration.Skipped> skipped, Calibration fallback,
                                   String origin) {
        Map<String, LineFit> fits = parse(output, skipped);
        return new Calibration(machineName(), kernelRelease(), now(), origin, fits, skipped,
                Calibration.derive(fits, fallback));
    }

    /** A temporary swap file when root, none is active and --swapfile is not 0; null otherwise (SKIPPED says why). */
    private SwapFile swapFor(List<Calibration.Skipped> skipped, PrintWriter err) {
        if (SwapFile.swapActive(Path.of("/proc/swaps")) || swapMib == 0) {
            return null;
        }
        try {
            SwapFile s = SwapFile.create(swapMib << 20, isRoot());
            err.println("rmaplab: calibrate: a temporary " + swapMib + " MiB swap file is on for the run");
            err.flush();
            return s;
        } catch (IOException e) {
            skipped.add(new Calibration.Skipped("swap", "no swap is active and none could be made: " + e.getMessage()));
            return null;
        }
    }

    static boolean isRoot() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor(10, TimeUnit.SECONDS);
            return uid.equals("0");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Compiles calibrate.c into a temporary directory and runs it with DIR for its file; its stdout. */
    private String measure(Path dir, PrintWriter err) throws IOException {
        try (Binary bin = Binary.compile()) {
            err.println("rmaplab: calibrate: measuring (about 90 s of CPU time; longer on a busy machine)...");
            err.flush();
            return bin.run(dir, rounds, List.of());
        }
    }

    /**
     * calibrate.c compiled (with $CC or cc) in a temporary directory, removed on close: `rmaplab
     * calibrate` runs it once, `bench validate --recalibrate` once per workload and around each row.
     */
    static final class Binary implements AutoCloseable {
        private final Path tmp;
        private final Path bin;

        private Binary(Path tmp, Path bin) {
            this.tmp = tmp;
            this.bin = bin;
        }

        static Binary compile() throws IOException {
            Path tmp = Files.createTempDirectory("rmaplab-calibrate");
            Binary b = new Binary(tmp, tmp.resolve("calibrate"));
            try {
                // calibrate.c includes calibrate_calls.h (its per-call series): both go to the same directory
                for (String f : List.of("calibrate.c", "calibrate_calls.h")) {
                    try (InputStream in = CalibrateCommand.class.getResourceAsStream("/harness/bench/" + f)) {
                        if (in == null) {
                            throw new IOException(f + " is missing from the jar");
                        }
                        Files.write(tmp.resolve(f), in.readAllBytes());
                    }
                }
                String cc = System.getenv().getOrDefault("CC", "").isBlank() ? "cc" : System.getenv("CC").strip();
                CalibrateCommand.run(List.of(cc, "-O2", "-o", b.bin.toString(), tmp.resolve("calibrate.c").toString()),
                        120, "compiling calibrate.c with " + cc);
                return b;
            } catch (IOException e) {
                b.close();
                throw e;
            }
        }

        /** calibrate.c's stdout with DIR for its file, ROUNDS rounds a point, only SERIES if any are named. */
        String run(Path dir, int rounds, List<String> series) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(bin.toString(), dir.toString(), Integer.toString(rounds)));
            cmd.addAll(series);
            return CalibrateCommand.run(cmd, 600, "calibrate.c");
        }

        @Override
        public void close() throws IOException {
            try (var s = Files.list(tmp)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(tmp);
        }
    }

    private static String run(List<String> cmd, long timeoutS, String what) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(what + ": " + e.getMessage());
        }
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(what + " interrupted");
        }
        if (p.exitValue() != 0) {
            throw new IOException(what + " failed (exit " + p.exitValue() + "): " + text.strip().replace('\n', ' '));
        }
        return text;
    }

    /**
     * The series in calibrate.c's OUTPUT ("point SERIES X Y", "skip SERIES REASON"), each fitted; a
     * series with fewer than two sizes goes to SKIPPED.
     */
    static Map<String, LineFit> parse(String output, List<Calibration.Skipped> skipped) {
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (String line : output.split("\n")) {
            String[] f = line.strip().split(" ", 3);
            if (f.length == 3 && f[0].equals("skip")) {
                skipped.add(new Calibration.Skipped(f[1], f[2]));
            } else if (f[0].equals("point")) {
                String[] g = line.strip().split(" ");
                if (g.length == 4) {
                    points.computeIfAbsent(g[1], k -> new ArrayList<>())
                            .add(new double[] {Double.parseDouble(g[2]), Double.parseDouble(g[3])});
                }
            }
        }
        Map<String, LineFit> fits = new LinkedHashMap<>();
        for (Map.Entry<String, List<double[]>> e : points.entrySet()) {
            List<double[]> ps = e.getValue();
            try {
                fits.put(e.getKey(), LineFit.of(ps.stream().mapToDouble(p -> p[0]).toArray(),
                        ps.stream().mapToDouble(p -> p[1]).toArray()));
            } catch (IllegalArgumentException bad) {
                skipped.add(new Calibration.Skipped(e.getKey(), "too few sizes measured: " + bad.getMessage()));
            }
        }
        return fits;
    }

    private static Calibration referenceOrNull() {
        try {
            return Calibration.reference();
        } catch (IllegalStateException | IllegalArgumentException e) {
            return null;
        }
    }

    private static void summary(PrintWriter o, Calibration cal) {
        o.println("calibration: " + cal.label());
        for (String p : Calibration.PRIMITIVES.keySet()) {
            o.printf(java.util.Locale.ROOT, "  %-15s %9.1f ns  %s%n", p, cal.ns(p), cal.price(p).source());
        }
        o.println("fits (y = intercept + slope x; rms of the residuals, worst residual relative to its point):");
        for (Map.Entry<String, LineFit> e : new java.util.TreeMap<>(cal.fits()).entrySet()) {
            LineFit f = e.getValue();
            o.printf(java.util.Locale.ROOT, "  %-14s intercept %12.1f  slope %10.1f ns/%s  rms %10.1f  worst %5.1f%%%n",
                    e.getKey(), f.intercept(), f.slope(), Calibration.SERIES.getOrDefault(e.getKey(), "unit"), f.rms(),
                    100 * f.worstRelative());
        }
        for (Calibration.Skipped s : cal.skipped()) {
            o.println("  not measured: " + s.series() + ": " + s.reason());
        }
    }

    static String machineName() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    return l.substring(l.indexOf(':') + 1).strip() + " (" + Runtime.getRuntime().availableProcessors()
                            + " cpus)";
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.arch") + " (model name unknown)";
    }

    static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version");
        }
    }

    private static String now() {
        return ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    }
}
