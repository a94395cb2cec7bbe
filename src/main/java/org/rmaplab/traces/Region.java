package org.rmaplab.traces;

/**
 * A piece of a traced address space: [start, end) at model address anchor + (addr - base). A
 * piece of a model file's mapping ({@code --files file}) names the file ({@code fvar}, else
 * null), the byte offset in it at {@code start}, and the mapping it came from ({@code map}, an
 * id: the pages of a read-only file mapping are read at the task's next call, from what is left
 * of that mapping, see {@link Accesses#flushReads}). A {@code skipped} piece is memory the
 * scenario does not have ({@code --files skip}): calls inside it are dropped.
 */
record Region(long start, long end, String anchor, long base, int prot, boolean skipped, String fvar, long foff,
        int map) {
    Region(long start, long end, String anchor, long base, int prot, boolean skipped) {
        this(start, end, anchor, base, prot, skipped, null, 0, 0);
    }

    /** The part [s, e) of this piece (its file offset moved along). */
    Region cut(long s, long e) {
        return new Region(s, e, anchor, base, prot, skipped, fvar, fvar == null ? 0 : foff + (s - start), map);
    }

    Region withProt(int p) {
        return new Region(start, end, anchor, base, p, skipped, fvar, foff, map);
    }

    /** Whether R continues this piece: adjacent, and written relative to the same anchor. */
    boolean joins(Region r) {
        return end == r.start && anchor.equals(r.anchor) && base == r.base;
    }
}
