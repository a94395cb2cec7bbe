package org.rmaplab.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The numbers earlier versions of docs/findings.md gave and what they became, with the reason: a
 * record kept as text (corrections.md beside this class), since the old values cannot be computed
 * any more. The sections above it are computed on every run.
 */
final class CorrectionsFinding implements Finding {
    @Override
    public void write(Markdown md, List<String> designs) {
        md.text("\n");
        md.text(text());
    }

    static String text() {
        try (InputStream in = CorrectionsFinding.class.getResourceAsStream("corrections.md")) {
            if (in == null) {
                throw new IllegalStateException("corrections.md is missing from the build");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
