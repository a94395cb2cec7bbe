package org.rmaplab.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Progress of a long run on stderr, one line overwritten in place with {@code \r}, shown only when
 * stderr is a terminal: piped or redirected, nothing is written, so every output stays the same
 * byte for byte.
 */
final class Progress implements Consumer<String> {
    /** A command that ends within this long shows no progress at all. */
    static final long QUIET_NANOS = 1_000_000_000L;

    private final PrintStream out;
    private final long showFrom;
    private int shown;

    private Progress(PrintStream out, long quietNanos) {
        this.out = out;
        this.showFrom = System.nanoTime() + quietNanos;
    }

    /**
     * Progress on stderr if it is a terminal, else a sink that writes nothing; nothing either in
     * the first second ({@link #QUIET_NANOS}), so a quick command prints no progress.
     */
    static Progress stderr() {
        return new Progress(stderrIsTerminal() ? System.err : null, QUIET_NANOS);
    }

    /** Progress on OUT (for tests), from the first line on. */
    static Progress to(PrintStream out) {
        return to(out, 0);
    }

    /** Progress on OUT (for tests), quiet for QUIET_NANOS first. */
    static Progress to(PrintStream out, long quietNanos) {
        return new Progress(out, quietNanos);
    }

    /**
     * Is file descriptor 2 a terminal? On Linux, /proc/self/fd/2 names a tty or pts device; elsewhere
     * System.console() (which asks for stdin and stdout too) is the best Java can say.
     */
    static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.exists(Path.of("/proc/self/fd"))) {
            try {
                return isTerminalDevice(Files.readSymbolicLink(fd).toString());
            } catch (Exception e) {
                return false;
            }
        }
        return System.console() != null;
    }

    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }

    @Override
    public synchronized void accept(String line) {
        if (out == null || System.nanoTime() - showFrom < 0) {
            return;
        }
        out.print("\r" + line + " ".repeat(Math.max(0, shown - line.length())));
        out.flush();
        shown = line.length();
    }

    /** Clears the line, if anything was shown. */
    synchronized void done() {
        if (out != null && shown > 0) {
            out.print("\r" + " ".repeat(shown) + "\r");
            out.flush();
            shown = 0;
        }
    }
}
