package org.rmaplab.traces;

/**
 * The names a conversion binds, numbered across all its tasks: {@code M1}, {@code M2}... for
 * each mapping the model places ({@code as M3}: an mmap without MAP_FIXED, or outside one
 * anchor's extent; an mremap with MREMAP_MAYMOVE), {@code H1}... for the heap of each image (its
 * first {@code brk(NULL)}), and an id for each mapping of a model file (its pages are read from
 * what is left of it, see {@link Accesses#flushReads}).
 */
final class Anchors {
    private int mappings;
    private int heaps;
    private int fileMaps;

    /** A new anchor for a mapping the model places. */
    String mapping() {
        return "M" + (++mappings);
    }

    /** A new anchor for an image's heap. */
    String heap() {
        return "H" + (++heaps);
    }

    /** A new id for a mapping of a model file (0 is no file). */
    int fileMap() {
        return ++fileMaps;
    }
}
