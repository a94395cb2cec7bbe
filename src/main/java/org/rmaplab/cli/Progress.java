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
    private final PrintStream out;
    private int shown;

    private Progress(PrintStream out) {
        this.out = out;
    }

    /** Progress on stderr if it is a terminal, else a sink that writes nothing. */
    static Progress stderr() {
        return new Progress(stderrIsTerminal() ? System.err : null);
    }

    /** Progress on OUT (for tests). */
    static Progress to(PrintStream out) {
        return new Progress(out);
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
        if (out == null) {
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
