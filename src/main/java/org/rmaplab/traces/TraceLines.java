package org.rmaplab.traces;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.IntConsumer;
import java.util.zip.GZIPInputStream;

/**
 * A trace read line by line, so that a trace of millions of events is never held whole: from a
 * String, or from a stream (gzip'd or not, recognised by its magic bytes 1f 8b; UTF-8, a malformed
 * byte an IOException). Knows whether the last line ended with its newline (a trace cut in the
 * middle of a line is bad input), lets the first lines be looked at before they are read (to
 * recognise perf script text, {@link #firstNonBlank}), and reports every {@link #EVERY} lines read
 * to a progress callback.
 */
final class TraceLines implements AutoCloseable {
    /** How often the progress callback hears the number of lines read. */
    static final int EVERY = 100_000;

    private final Reader in;
    private final char[] buf = new char[1 << 16];
    private int pos;
    private int lim;
    private final StringBuilder line = new StringBuilder();
    private final ArrayDeque<String> peeked = new ArrayDeque<>();
    private boolean peekedLastTerminated = true;
    private boolean lastTerminated = true;
    private int number;
    private IntConsumer progress = n -> { };

    TraceLines(Reader in) {
        this.in = in;
    }

    static TraceLines of(String text) {
        return new TraceLines(new StringReader(text));
    }

    /**
     * The lines of stream IN: gunzipped if it starts with gzip's magic bytes, decoded as UTF-8
     * (a malformed byte is a {@link java.nio.charset.MalformedInputException} when read).
     */
    static TraceLines of(InputStream raw) throws IOException {
        BufferedInputStream b = new BufferedInputStream(raw, 1 << 16);
        b.mark(2);
        int b0 = b.read();
        int b1 = b.read();
        b.reset();
        InputStream s = b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(b, 1 << 16), 1 << 16) : b;
        return new TraceLines(new InputStreamReader(s, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)));
    }

    /** PROGRESS hears the number of lines read every {@link #EVERY} lines. */
    TraceLines progress(IntConsumer p) {
        this.progress = p;
        return this;
    }

    /** The next line without its newline, or null at the end; IOExceptions are unchecked. */
    String next() {
        String l;
        if (!peeked.isEmpty()) {
            l = peeked.poll();
            lastTerminated = !peeked.isEmpty() || peekedLastTerminated;
        } else {
            l = read();
        }
        if (l != null && ++number % EVERY == 0) {
            progress.accept(number);
        }
        return l;
    }

    /** The number of the line {@link #next} returned last (1-based). */
    int number() {
        return number;
    }

    /** Whether the line {@link #next} returned last ended with a newline (false: the text was cut inside it). */
    boolean lastTerminated() {
        return lastTerminated;
    }

    /** The first line that is not blank, still to be read by {@link #next}; null if there is none. */
    String firstNonBlank() {
        for (String l : peeked) {
            if (!l.isBlank()) {
                return l;
            }
        }
        while (true) {
            String l = read();
            if (l == null) {
                return null;
            }
            peeked.add(l);
            peekedLastTerminated = lastTerminated;
            if (!l.isBlank()) {
                return l;
            }
        }
    }

    /** The rest of the text, lines joined by newlines (the last one's as it was). */
    String rest() {
        StringBuilder b = new StringBuilder();
        String l;
        while ((l = next()) != null) {
            b.append(l);
            if (lastTerminated) {
                b.append('\n');
            }
        }
        return b.toString();
    }

    private String read() {
        line.setLength(0);
        try {
            while (true) {
                if (pos == lim) {
                    lim = in.read(buf, 0, buf.length);
                    pos = 0;
                    if (lim <= 0) {
                        lim = 0;
                        if (line.length() == 0) {
                            return null;
                        }
                        lastTerminated = false;
                        return line.toString();
                    }
                }
                int s = pos;
                while (pos < lim && buf[pos] != '\n') {
                    pos++;
                }
                line.append(buf, s, pos - s);
                if (pos < lim) {
                    pos++;
                    lastTerminated = true;
                    return line.toString();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
