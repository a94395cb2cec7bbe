package org.rmaplab.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.rmaplab.cost.Validation;

/**
 * Runs a scenario file on the real kernel through the harness in canonical mode
 * ({@code vmsh -c FILE}) and collects each line's actual result as the harness printed it.
 */
public final class KernelRunner {
    private static final long TIMEOUT_S = 600;

    private final Harness harness;
    /** What runs the harness binary, as a prefix of its command line (empty: nothing). */
    private final List<String> launcher;

    public KernelRunner(Harness harness) {
        this(harness, List.of());
    }

    /**
     * A runner that starts the harness through LAUNCHER, a command prefix such as {@code setpriv
     * --reuid=65534 --regid=65534 --clear-groups} (run as an unprivileged user).
     */
    public KernelRunner(Harness harness, List<String> launcher) {
        this.harness = harness;
        this.launcher = List.copyOf(launcher);
    }

    /** The command line that runs the harness with ARGS. */
    private List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(harness.binary().toString());
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    public Harness harness() {
        return harness;
    }

    private Boolean zeroPage;

    /**
     * Whether a read fault on fresh private anonymous memory maps the shared zero page on this
     * kernel ({@code vmsh -z}; probed once per runner): true on stock Linux, false where
     * mm_forbids_zeropage() holds, as on a PVM guest booted with {@code pvm_no_zero_page=1}, whose
     * reads then allocate a page and the vma's anon_vma (docs/kernel-notes.md). The model's side
     * of a diff must do the same ({@link HarnessLayout#runner(KernelRunner,
     * org.rmaplab.scenario.SyscallsFactory)}).
     */
    public synchronized boolean readFaultMapsZeroPage() {
        if (zeroPage == null) {
            zeroPage = probeZeroPage();
        }
        return zeroPage;
    }

    private boolean probeZeroPage() {
        Process p;
        try {
            p = new ProcessBuilder(command("-z")).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new HarnessError("cannot start " + harness.binary() + " -z: " + e.getMessage());
        }
        String out = drainAndWait(p, "-z timed out").strip();
        return switch (p.exitValue() == 0 ? out : "") {
            case "zero_page 1" -> true;
            case "zero_page 0" -> false;
            default -> throw new HarnessError("the zero-page probe (-z) failed: exit " + p.exitValue()
                    + (out.isEmpty() ? "" : ": " + out.replaceAll("\\s*\\R\\s*", " ")));
        };
    }

    /**
     * What the harness printed for one scenario.
     *
     * @param results   the canonical result of every line that ran, by line number, in order
     *                  ({@code skipped: REASON} for what only the model can do)
     * @param errorLine the line of the scenario error that stopped the harness, or 0
     * @param error     that error's message, or null
     * @param text      what a line printed besides its result, by line number ({@code maps}: the
     *                  lines of the task's /proc/TID/maps that are the scenario's, from the
     *                  harness's {@code LINE TAB |TEXT} lines)
     */
    public record Output(Map<Integer, String> results, int errorLine, String error, Map<Integer, List<String>> text) {
        public Output {
            results = Collections.unmodifiableMap(new LinkedHashMap<>(results));
            text = Collections.unmodifiableMap(new LinkedHashMap<>(text));
        }

        public Output(Map<Integer, String> results, int errorLine, String error) {
            this(results, errorLine, error, Map.of());
        }
    }

    /** Runs TEXT (written to a temporary file first). */
    public Output runText(String text) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("rmaplab-", ".vms");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            return run(tmp);
        } catch (IOException e) {
            throw new HarnessError("cannot write a temporary scenario file: " + e.getMessage());
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }

    /** Runs FILE. */
    public Output run(Path file) {
        Process p;
        try {
            p = new ProcessBuilder(command("-c", file.toString())).start();
        } catch (IOException e) {
            throw new HarnessError("cannot start " + harness.binary() + ": " + e.getMessage());
        }
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String stdout = drainAndWait(p, "timed out");
        int code = p.exitValue();
        Output out = parseOutput(stdout);
        if (code != 0 && out.error() == null) {
            String why = stderr.join().strip();
            throw new HarnessError("exit " + code
                    + (why.isEmpty() ? "" : ": " + why.replaceAll("\\s*\\R\\s*", " ")));
        }
        if (out.error() != null) {
            // A task that died says why on stderr (vmsh's fault handler): keep it with the error.
            String why = stderr.join().strip();
            if (!why.isEmpty()) {
                return new Output(out.results(), out.errorLine(),
                        out.error() + " [stderr: " + why.replaceAll("\\s*\\R\\s*", " ") + "]", out.text());
            }
        }
        return out;
    }

    /**
     * Runs FILE with timing ({@code vmsh -t}): the CPU time of each line's call, with the empty
     * call's. HarnessError if the harness stops at an error or an expectation fails (a run whose
     * results are not the scenario's is not timed).
     */
    public Validation.Run time(Path file) {
        Process p;
        try {
            p = new ProcessBuilder(command("-t", file.toString())).start();
        } catch (IOException e) {
            throw new HarnessError("cannot start " + harness.binary() + ": " + e.getMessage());
        }
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
        String stdout = drainAndWait(p, "timed out");
        int code = p.exitValue();
        if (code != 0) {
            String why = (stdout + "\n" + stderr.join()).strip().replaceAll("\\s*\\R\\s*", " ");
            throw new HarnessError("exit " + code + (why.isEmpty() ? "" : ": " + why));
        }
        return parseTiming(stdout);
    }

    /** vmsh -t's output: "empty NS", then "time LINE NS" per timed line. */
    static Validation.Run parseTiming(String stdout) {
        long empty = -1;
        Map<Integer, Long> lines = new LinkedHashMap<>();
        for (String l : stdout.split("\n")) {
            String[] f = l.strip().split(" ");
            try {
                if (f.length == 2 && f[0].equals("empty")) {
                    empty = Long.parseLong(f[1]);
                    continue;
                }
                if (f.length == 3 && f[0].equals("time")) {
                    lines.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
                    continue;
                }
            } catch (NumberFormatException e) {
                // falls through to the error below
            }
            if (!l.isBlank()) {
                throw new HarnessError("unexpected timing output: " + l);
            }
        }
        if (empty < 0) {
            throw new HarnessError("the timing output has no empty call");
        }
        return new Validation.Run(empty, lines);
    }

    /** Closes P's stdin, reads its stdout to the end and waits for it to exit (TIMEOUT_S at most). */
    private static String drainAndWait(Process p, String timedOut) {
        try {
            p.getOutputStream().close();
            String stdout = drain(p.getInputStream());
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new HarnessError(timedOut);
            }
            return stdout;
        } catch (IOException e) {
            p.destroyForcibly();
            throw new HarnessError(e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new HarnessError("interrupted");
        }
    }

    /**
     * The harness's stdout: LINE TAB RESULT per line that ran, LINE TAB |TEXT for each line of text
     * it printed besides (maps), or LINE TAB error: MESSAGE for the one that stopped it.
     */
    static Output parseOutput(String stdout) {
        Map<Integer, String> results = new LinkedHashMap<>();
        Map<Integer, List<String>> text = new LinkedHashMap<>();
        int errorLine = 0;
        String error = null;
        for (String l : stdout.split("\n")) {
            if (l.isEmpty()) {
                continue;
            }
            int tab = l.indexOf('\t');
            if (l.startsWith("PARSE ")) {
                throw new HarnessError("it rejects a scenario rmaplab accepts: " + l.substring(6));
            }
            if (tab <= 0) {
                throw new HarnessError("unexpected output: " + l);
            }
            int line;
            try {
                line = Integer.parseInt(l.substring(0, tab));
            } catch (NumberFormatException e) {
                throw new HarnessError("unexpected output: " + l);
            }
            String r = l.substring(tab + 1);
            if (r.startsWith("|")) {
                text.computeIfAbsent(line, k -> new ArrayList<>()).add(r.substring(1));
            } else if (r.startsWith("error: ")) {
                errorLine = line;
                error = r.substring("error: ".length());
            } else {
                results.put(line, r);
            }
        }
        return new Output(results, errorLine, error, text);
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
