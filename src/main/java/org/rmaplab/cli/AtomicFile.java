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

    /**
     * Fails now, with the reason, if file F could not be written later: its directory is missing,
     * not a directory, or not writable. For commands that compute for minutes before they write.
     */
    static void checkWritable(String f) throws IOException {
        Path dir = Path.of(f).toAbsolutePath().getParent();
        if (!Files.exists(dir)) {
            throw new IOException("no such directory: " + dir);
        }
        if (!Files.isDirectory(dir)) {
            throw new IOException("not a directory: " + dir);
        }
        if (!Files.isWritable(dir)) {
            throw new IOException("permission denied: " + dir);
        }
        if (Files.isDirectory(Path.of(f))) {
            throw new IOException("is a directory");
        }
    }

    /**
     * Whether F can be written ({@link #checkWritable}); if not, says why on ERR as
     * {@code rmaplab: cannot write F: REASON} and returns false.
     */
    static boolean writableOrSay(String f, java.io.PrintWriter err) {
        try {
            checkWritable(f);
            return true;
        } catch (IOException | java.nio.file.InvalidPathException e) {
            err.println("rmaplab: cannot write " + f + ": " + e.getMessage());
            err.flush();
            return false;
        }
    }

    /**
     * Replaces file F by TEXT (UTF-8), atomically; IOException (and F untouched) if it cannot, its
     * message the reason ({@code no such directory: DIR}, {@code permission denied: DIR}, ...), not
     * the name of the temporary file.
     */
    static void write(String f, String text) throws IOException {
        write(f, w -> w.write(text));
    }

    /** What writes a file's contents. */
    interface Content {
        void writeTo(java.io.Writer w) throws IOException;
    }

    /**
     * Replaces file F by what CONTENT writes (UTF-8, buffered), atomically, as {@link #write(String,
     * String)}: if CONTENT throws (an IOException, or bad input found while it writes), the temporary
     * file is removed, F untouched, and the exception passes on.
     */
    static void write(String f, Content content) throws IOException {
        checkWritable(f);
        Path p = Path.of(f).toAbsolutePath();
        Path tmp = temp(p);
        try {
            try (java.io.Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                content.writeTo(w);
            }
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

    /** A new temporary file beside P; IOException with the reason if it cannot be made. */
    static Path temp(Path p) throws IOException {
        try {
            return Files.createTempFile(p.getParent(), ".rmaplab-", ".tmp");
        } catch (java.nio.file.FileSystemException e) {
            throw new IOException(e.getReason() != null ? e.getReason().toLowerCase(java.util.Locale.ROOT)
                    + ": " + p.getParent() : "cannot create a file in " + p.getParent());
        }
    }
}
