package org.rmaplab.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;

/** A trace read line by line: numbers, the cut last line, peeking, gzip, UTF-8 and progress. */
class TraceLinesTest {

    @Test
    void linesAreNumberedAndACutLastLineIsKnown() {
        TraceLines in = TraceLines.of("a\n\nb");
        assertEquals("a", in.next());
        assertTrue(in.lastTerminated());
        assertEquals("", in.next());
        assertEquals(2, in.number());
        assertEquals("b", in.next());
        assertFalse(in.lastTerminated(), "b has no newline");
        assertNull(in.next());
        TraceLines whole = TraceLines.of("a\nb\n");
        whole.next();
        whole.next();
        assertTrue(whole.lastTerminated());
        assertNull(whole.next());
    }

    @Test
    void theFirstNonBlankLineIsPeekedNotConsumed() {
        TraceLines in = TraceLines.of("\n  \nX\nY");
        assertEquals("X", in.firstNonBlank());
        assertEquals("X", in.firstNonBlank());
        assertEquals("", in.next());
        assertEquals("  ", in.next());
        assertEquals("X", in.next());
        assertTrue(in.lastTerminated());
        assertEquals("Y", in.next());
        assertEquals(4, in.number());
        assertFalse(in.lastTerminated());
        assertNull(TraceLines.of("\n\n").firstNonBlank());
        assertEquals("A\n\nB", TraceLines.of("A\n\nB").rest(), "rest() gives the text back as it was");
    }

    @Test
    void gzipIsRecognisedByItsMagicAndMalformedUtf8IsAnError() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(b)) {
            z.write("one\ntwo\n".getBytes(StandardCharsets.UTF_8));
        }
        TraceLines gz = TraceLines.of(new ByteArrayInputStream(b.toByteArray()));
        assertEquals("one", gz.next());
        assertEquals("two", gz.next());
        assertNull(gz.next());
        TraceLines plain = TraceLines.of(new ByteArrayInputStream("x\u00e9\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("x\u00e9", plain.next());
        TraceLines bad = TraceLines.of(new ByteArrayInputStream(new byte[] {'a', (byte) 0xff, '\n'}));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, bad::next);
        assertTrue(e.getCause() instanceof MalformedInputException, e.toString());
    }

    @Test
    void progressHearsEveryHundredThousandLines() {
        List<Integer> heard = new ArrayList<>();
        TraceLines in = TraceLines.of("x\n".repeat(250_000)).progress(heard::add);
        while (in.next() != null) {
            // read
        }
        assertEquals(List.of(100_000, 200_000), heard);
    }
}
