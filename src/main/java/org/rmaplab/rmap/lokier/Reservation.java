package org.rmaplab.rmap.lokier;

import java.util.ArrayList;

import org.rmaplab.mm.Vma;

/**
 * One allocation from an address_space's bump counter (Lokier's steps 1 and 3,
 * docs/reference.md#lokier-offset-space): the offsets
 * [{@link #lo}, {@link #hi}) — a vma's own pages plus the "extra page-&gt;offset space so that a vma
 * can grow into it". Every vma's offsets lie inside one reservation; a reservation holds, like a
 * file's i_mmap, every vma (of every mm of the fork group) whose offsets lie in it.
 *
 * <p>{@link #exclusive}: made by mremap/brk growth ("make allocations done by mremap() reserve the
 * extra space"): only the vmas in it may grow into its free offsets. A reservation made by mmap is
 * not exclusive: a new mapping near one of its vmas may "claim some of that reservation" (step 5).
 *
 * <p>{@link #vmas} is kept sorted by pgoff (ties in insertion order), as an interval tree would
 * return them; the walk visits only the vmas whose range covers the page.
 */
final class Reservation {
    final AnonAddressSpace as;
    /** Stored offsets (base included), [lo, hi). */
    final long lo;
    final long hi;
    final boolean exclusive;
    final ArrayList<Vma> vmas = new ArrayList<>(2);

    Reservation(AnonAddressSpace as, long lo, long hi, boolean exclusive) {
        this.as = as;
        this.lo = lo;
        this.hi = hi;
        this.exclusive = exclusive;
    }

    /** vma_interval_tree_insert(): after every vma with a pgoff &le; this one's. */
    void insert(Vma v) {
        long key = v.pgoff();
        int i = vmas.size();
        while (i > 0 && vmas.get(i - 1).pgoff() > key) {
            i--;
        }
        vmas.add(i, v);
    }

    void remove(Vma v) {
        for (int i = vmas.size() - 1; i >= 0; i--) {
            if (vmas.get(i) == v) {
                vmas.remove(i);
                return;
            }
        }
        throw new IllegalStateException("vma " + v + " not in " + this);
    }

    /**
     * Are the offsets [from, to) used by no vma of {@code mm} but {@code except}? The offsets of a
     * reservation are unique within one mm (fork gives the child the same offsets: they are shared
     * between mms as a file's are).
     */
    boolean free(org.rmaplab.mm.Mm mm, long from, long to, Vma except) {
        for (int i = 0, n = vmas.size(); i < n; i++) {
            Vma v = vmas.get(i);
            if (v.pgoff() >= to) {
                break;
            }
            if (v != except && v.mm == mm && v.pgoff() + v.pages() > from) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "reservation[" + as + " 0x" + Long.toHexString(lo - as.base) + "..0x"
                + Long.toHexString(hi - as.base) + (exclusive ? " exclusive" : "") + "]";
    }
}
