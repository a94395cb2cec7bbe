package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.rmaplab.traces.TraceConverter;
import org.rmaplab.traces.Traces;

/**
 * trace convert streams (the trace read line by line, the lines to a temporary file, the header
 * before them): the same scenario, byte for byte, as the conversion of the whole text, to a file
 * or to stdout, and nothing left beside the output (the temporary files are gone) on success or
 * bad input.
 */
class TraceStreamingTest extends CliTest {

    @Test
    void streamingGivesTheWholeTextsScenario() throws IOException {
        Path gz = Path.of(Traces.perfPath("make-gcc"));
        Path vms = dir.resolve("make-gcc.vms");
        assertEquals(0, run("trace", "convert", gz.toString(), "--out", vms.toString()), err);
        String whole = TraceConverter.convert(gz.toString(), Traces.perfText("make-gcc"),
                TraceConverter.Options.DEFAULT).scenario();
        assertEquals(whole, Files.readString(vms));
        assertEquals(0, run("trace", "convert", gz.toString()), err);
        assertEquals(whole, out);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only the output is left");
        }
    }

    @Test
    void badInputFoundLateLeavesNoFile() throws IOException {
        // A valid start, then a line that is not perf's, far into the trace.
        String text = Traces.perfText("sh-pipeline");
        int cut = text.indexOf('\n', text.length() / 2) + 1;
        Path t = write("bad.perf", text.substring(0, cut) + "not a perf line\n" + text.substring(cut));
        int line = (int) text.substring(0, cut).chars().filter(c -> c == '\n').count() + 1;
        Path vms = dir.resolve("bad.vms");
        assertEquals(2, run("trace", "convert", t.toString(), "--out", vms.toString()));
        assertEquals(t + ":" + line + ": not a perf script event line: not a perf line\n", err);
        assertFalse(Files.exists(vms));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left");
        }
    }
}
