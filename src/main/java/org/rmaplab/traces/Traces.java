package org.rmaplab.traces;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The real traces committed under {@code traces/} (see traces/README.md for how each was
 * recorded), packaged into the jar as resources {@code /traces/NAME.strace}.
 */
public final class Traces {
    private Traces() {}

    /** In the order the findings list them. */
    public static final List<String> NAMES = List.of("make-gcc", "sh-pipeline", "python3", "prefork");

    /** The path the trace has in the repository (used in messages and headers). */
    public static String path(String name) {
        return "traces/" + name + ".strace";
    }

    /** The text of trace NAME, from the classpath. */
    public static String text(String name) {
        try (InputStream in = Traces.class.getResourceAsStream("/traces/" + name + ".strace")) {
            if (in == null) {
                throw new IllegalStateException("trace " + name + " is not on the classpath (traces/" + name + ".strace)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Trace NAME converted with OPT. */
    public static TraceConverter.Result convert(String name, TraceConverter.Options opt) {
        return TraceConverter.convert(path(name), text(name), opt);
    }
}
