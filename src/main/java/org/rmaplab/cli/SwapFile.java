package org.rmaplab.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.rmaplab.mm.Mman;
import org.rmaplab.scenario.Arg;
import org.rmaplab.scenario.Op;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.Statement;

/**
 * Swap for the real kernel's runs. Without swap (an empty /proc/swaps) MADV_PAGEOUT, which the
 * harness's {@code reclaim} and {@code madvise ... pageout} lines use, pages no anonymous memory
 * out, so whatever they should change stays as it was and the line passes anyway: {@link #warning}
 * says so once per run. {@code --swapfile SIZE} (root only) makes a swap file for the run, as
 * harness/bench/kernel-costs.sh does: dd, mkswap, swapon, and at the end swapoff and rm (also on
 * an interrupt, from a shutdown hook).
 */
final class SwapFile implements AutoCloseable {
    private final Path file;
    private final Thread hook;
    private boolean on;

    private SwapFile(Path file) {
        this.file = file;
        this.hook = new Thread(this::remove, "rmaplab-swapoff");
    }

    /** Does some scenario page anonymous memory out (reclaim, madvise pageout)? */
    static boolean pagesOut(List<Scenario> scenarios) {
        for (Scenario sc : scenarios) {
            for (Statement s : sc.statements()) {
                if (s.op() == Op.RECLAIM || s.op() == Op.MADVISE && s.arg(2) instanceof Arg.Advice a
                        && a.value() == Mman.MADV_PAGEOUT) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Is swap active, by /proc/swaps (a header line, then one line per swap area)? */
    static boolean swapActive(Path procSwaps) {
        try {
            return Files.readAllLines(procSwaps, StandardCharsets.UTF_8).stream().skip(1).anyMatch(l -> !l.isBlank());
        } catch (IOException e) {
            return true; // cannot tell: say nothing
        }
    }

    /** The warning for a run of SCENARIOS on a kernel whose swap areas PROC_SWAPS lists, or null. */
    static String warning(List<Scenario> scenarios, Path procSwaps) {
        if (!pagesOut(scenarios) || swapActive(procSwaps)) {
            return null;
        }
        return "rmaplab: warning: this kernel has no swap (" + procSwaps + " lists none): its reclaim and"
                + " 'madvise ... pageout' lines page no anonymous memory out, and lines that depend on it pass"
                + " unchanged; --swapfile SIZE makes a swap file for the run (as root)";
    }

    /**
     * Makes and enables a swap file of SIZE bytes in $TMPDIR (or /tmp). IOException with the
     * reason: not root, or a command failed.
     */
    static SwapFile create(long size, boolean root) throws IOException {
        if (!root) {
            throw new IOException("--swapfile needs root (swapon)");
        }
        Path dir = Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"));
        Path f = Files.createTempFile(dir, "rmaplab-swap-", ".img");
        SwapFile s = new SwapFile(f);
        try {
            long mib = Math.max(1, (size + (1 << 20) - 1) >> 20);
            run("dd", "if=/dev/zero", "of=" + f, "bs=1M", "count=" + mib, "status=none");
            run("mkswap", "-q", f.toString());
            Runtime.getRuntime().addShutdownHook(s.hook);
            run("swapon", f.toString());
            s.on = true;
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** swapoff and rm; idempotent. */
    private synchronized void remove() {
        if (on) {
            on = false;
            try {
                run("swapoff", file.toString());
            } catch (IOException e) {
                System.err.println("rmaplab: warning: " + e.getMessage());
            }
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            System.err.println("rmaplab: warning: cannot remove " + file + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        remove();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already, or the hook was never added
        }
    }

    private static void run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(cmd[0] + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(cmd[0] + " interrupted");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed" + (output.isEmpty() ? "" : ": " + output));
        }
    }
}
