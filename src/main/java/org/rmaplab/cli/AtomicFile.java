package org.rmaplab.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Output files written whole or not at all: the text goes to a temporary file beside the target,
 * which is then renamed over it, so a reader (or a failed run) never sees part of a file.
 */
final class AtomicFile {
    private AtomicFile() {}

    /** Replaces file F by TEXT (UTF-8), atomically; IOException (and F untouched) if it cannot. */
    static void write(String f, String text) throws IOException {
        Path p = Path.of(f).toAbsolutePath();
        Path tmp = Files.createTempFile(p.getParent(), ".rmaplab-", ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            try {
                // createTempFile makes it private (0600); an output file is as readable as any other.
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep what it gave
            }
            Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
