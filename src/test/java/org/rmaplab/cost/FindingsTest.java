package org.rmaplab.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** docs/findings.md is what {@code rmaplab findings} generates today. */
class FindingsTest {

    @Test
    void findingsAreUpToDate() throws IOException {
        assertEquals(Findings.markdown(), Files.readString(Path.of("docs/findings.md")),
                "docs/findings.md is stale: run ./rmaplab findings");
    }
}
