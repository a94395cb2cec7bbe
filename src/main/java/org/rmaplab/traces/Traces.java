package org.rmaplab.traces;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The real traces committed under {@code traces/} (see traces/README.md for how each was
 * recorded), packaged into the jar as resources {@code /traces/NAME.strace}, and the perf traces
 * ({@link #PERF_NAMES}).
 */
public final class Traces {
    private Traces() {}

    /** In the order the findings list them. */
    public static final List<String> NAMES = List.of("make-gcc", "sh-pipeline", "python3", "prefork", "realloc-snap",
            "py-bgsave");

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

    /**
     * The perf traces committed under {@code traces/perf/} as {@code NAME.perf.gz} (perf script
     * text of {@code rmaplab trace record}, gzip'd; traces/README.md says how each was recorded),
     * packaged as resources {@code /traces/perf/NAME.perf.gz}.
     */
    public static final List<String> PERF_NAMES = List.of("make-gcc", "sh-pipeline", "python3-fork", "jvm", "prefork",
            "prefork-server", "realloc-snap", "py-bgsave");

    /**
     * The traces recorded for their mremap calls (glibc realloc's mremap_chunk() under a forked
     * snapshot: the relocation debate's pattern, traces/README.md), in {@link #NAMES} and
     * {@link #PERF_NAMES} both; with prefork, the only others that call mremap.
     */
    public static final List<String> MREMAP_NAMES = List.of("prefork", "realloc-snap", "py-bgsave");

    /** The path perf trace NAME has in the repository. */
    public static String perfPath(String name) {
        return "traces/perf/" + name + ".perf.gz";
    }

    /** The text of perf trace NAME, from the classpath, uncompressed. */
    public static String perfText(String name) {
        try (InputStream in = Traces.class.getResourceAsStream("/traces/perf/" + name + ".perf.gz")) {
            if (in == null) {
                throw new IllegalStateException("trace " + perfPath(name) + " is not on the classpath");
            }
            return new String(new GZIPInputStream(in).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Perf trace NAME converted with OPT. */
    public static TraceConverter.Result convertPerf(String name, TraceConverter.Options opt) {
        return TraceConverter.convert(perfPath(name), perfText(name), opt);
    }

    /** Trace NAME converted with OPT. */
    public static TraceConverter.Result convert(String name, TraceConverter.Options opt) {
        return TraceConverter.convert(path(name), text(name), opt);
    }
}
