package org.rmaplab.rmap.lokier;

import java.util.ArrayList;

/**
 * The address_space of anonymous memory (Lokier's offset space, docs/reference.md#lokier-offset-space:
 * anonymous memory treated like a file): a
 * page-&gt;offset space of {@code wrapLimit} pages handed out by bumping {@link #next}, cut into
 * {@link Reservation}s. Pages point to it ({@code page->mapping}) with their offset
 * ({@code page->index}); vmas point to it through their reservation.
 *
 * <p>The model stores an offset of address_space #id as {@code id << OFFSET_BITS} plus the offset
 * inside it, so that offsets of two address_spaces never look contiguous to the core's merge test;
 * the offset proper (what Jamie's 32-bit page-&gt;index would hold) is {@code pgoff - base}.
 */
final class AnonAddressSpace {
    /** 2^36 pages: more than any vma (TASK_SIZE is 2^35 pages) plus a reservation (&le; 2^32). */
    static final int OFFSET_BITS = 36;

    final int id;
    /** id &lt;&lt; OFFSET_BITS: the stored offset of this address_space's page 0. */
    final long base;
    /** The bump counter: the next free offset, relative to {@link #base}. */
    long next;
    /** The reservations still used, by offset (bump order is offset order). */
    final ArrayList<Reservation> reservations = new ArrayList<>(4);
    /** The address_space the mms move on to once this one is full (null until it is). */
    AnonAddressSpace successor;
    /** mms that allocate here ({@code mm->rmapPriv} points here). */
    int mmUsers;
    /**
     * The address_space of the private copies of a private file vma (lokier package-info: private file mappings):
     * base 0, offsets are the file's, one reservation over all of them; no mm allocates here.
     */
    boolean fileShadow;

    AnonAddressSpace(int id) {
        this.id = id;
        this.base = (long) id << OFFSET_BITS;
    }

    /** The reservation holding stored offset {@code pgoff}, or null (a binary search). */
    Reservation find(long pgoff) {
        int lo = 0;
        int hi = reservations.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Reservation r = reservations.get(mid);
            if (pgoff < r.lo) {
                hi = mid - 1;
            } else if (pgoff >= r.hi) {
                lo = mid + 1;
            } else {
                return r;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return fileShadow ? "file-copies address_space@" + Integer.toHexString(System.identityHashCode(this))
                : "address_space#" + id;
    }
}
