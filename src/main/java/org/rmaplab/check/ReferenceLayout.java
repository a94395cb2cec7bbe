package org.rmaplab.check;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.Vma;

/**
 * The reference's picture of one address space: a sorted map of ranges, each with its protection,
 * flags and backing (anonymous, or a file object and the file page at its start). It is
 * {@link ReferenceRules}' state, built from the model's vmas before a call (the call's
 * precondition: the model's own vma boundaries, which the kernel's walks follow too) and changed
 * by the rules alone — nothing here calls the model's code. After the call the model's layout is
 * read again and compared as <em>coverage</em> ({@link #coverage}): which pages are mapped, with
 * which permissions and backing, adjacent equal ranges joined — never vma boundaries, since the
 * designs merge differently (anon_vma's is_mergeable_anon_vma() against pte_chains', ...). Under
 * lokier a user-visible vma may be several vmas of one VM_GROUP (docs/reference.md#lokier-offset-space):
 * the reference sees the user-visible vma, as a program there would.
 */
final class ReferenceLayout {
    static final long P = Machine.PAGE_SIZE;

    /** The vm_flags the coverage compares: access, sharing, stack growth, locking, fork. */
    static final long COMPARED = Vma.VM_READ | Vma.VM_WRITE | Vma.VM_EXEC | Vma.VM_SHARED | Vma.VM_GROWSDOWN
            | Vma.VM_LOCKED | Vma.VM_LOCKONFAULT | Vma.VM_DONTCOPY;

    /** The backing object of a shared anonymous mapping a call creates (its shmem file is new). */
    static final Object NEW_SHMEM = new Object() {
        @Override
        public String toString() {
            return "new-shmem";
        }
    };

    /** One range [start, end): vm_flags, the file object (null: private anonymous) and its pgoff at start. */
    record Region(long start, long end, long flags, Object file, long pgoff) {
        long pages() {
            return (end - start) / P;
        }

        /** The piece [s, e) of this region, its file offset moved with it. */
        Region piece(long s, long e) {
            return new Region(s, e, flags, file, file == null ? 0 : pgoff + (s - start) / P);
        }

        Region withFlags(long f) {
            return new Region(start, end, f, file, pgoff);
        }

        /** The same backing placed at [s, s + (end - start) + extra): mremap's copy_vma(). */
        Region movedTo(long s, long extra) {
            return new Region(s, s + (end - start) + extra, flags, file, pgoff);
        }

        boolean has(long f) {
            return (flags & f) != 0;
        }

        /** Does O continue this region exactly (same compared flags and backing, file pages in sequence)? */
        boolean continuedBy(Region o) {
            return end == o.start && (flags & COMPARED) == (o.flags & COMPARED) && file == o.file
                    && (file == null || pgoff + pages() == o.pgoff);
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append(Long.toHexString(start)).append('-').append(Long.toHexString(end)).append(' ');
            b.append(has(Vma.VM_READ) ? 'r' : '-').append(has(Vma.VM_WRITE) ? 'w' : '-')
                    .append(has(Vma.VM_EXEC) ? 'x' : '-').append(has(Vma.VM_SHARED) ? 's' : 'p');
            if (has(Vma.VM_LOCKED)) {
                b.append(" locked");
            }
            if (has(Vma.VM_LOCKONFAULT)) {
                b.append(" onfault");
            }
            if (has(Vma.VM_DONTCOPY)) {
                b.append(" dontfork");
            }
            if (has(Vma.VM_GROWSDOWN)) {
                b.append(" growsdown");
            }
            if (has(Vma.VM_UFFD_MISSING)) {
                b.append(" uffd");
            }
            if (has(Vma.VM_NONLINEAR)) {
                b.append(" nonlinear");
            }
            if (file != null) {
                b.append(' ').append(file == NEW_SHMEM ? "new-shmem" : "file@" + System.identityHashCode(file))
                        .append(" pgoff ").append(pgoff);
            }
            return b.toString();
        }
    }

    private final TreeMap<Long, Region> map = new TreeMap<>();

    /** The layout of MM as its vmas show it (vm_start, vm_end, vm_flags, vm_file's object, vm_pgoff). */
    static ReferenceLayout of(Mm mm) {
        ReferenceLayout l = new ReferenceLayout();
        Region last = null;
        for (int i = 0; i < mm.mapCount(); i++) {
            Vma v = mm.vma(i);
            Region r = new Region(v.start(), v.end(), v.flags() & ~Vma.VM_GROUP, v.file(), v.file() == null ? 0 : v.pgoff());
            if (last != null && (v.flags() & Vma.VM_GROUP) != 0 && last.continuedBy(r) && last.flags() == r.flags()) {
                // Lokier's VM_GROUP: this vma continues the user-visible vma before it (VmaGroups.groupLast)
                r = new Region(last.start(), r.end(), last.flags(), last.file(), last.pgoff());
            }
            l.map.put(r.start(), r);
            last = r;
        }
        return l;
    }

    /** The pages the file behind R holds (its i_size in pages, rounded up), or Long.MAX_VALUE if anonymous. */
    static long filePages(Region r) {
        return r.file() instanceof org.rmaplab.mm.AddressSpace as ? as.sizePages() : Long.MAX_VALUE;
    }

    ReferenceLayout copy() {
        ReferenceLayout l = new ReferenceLayout();
        l.map.putAll(map);
        return l;
    }

    /** vma_lookup(): the region containing A, or null. */
    Region at(long a) {
        Map.Entry<Long, Region> e = map.floorEntry(a);
        return e != null && e.getValue().end > a ? e.getValue() : null;
    }

    /** find_vma(): the first region ending above A, or null. */
    Region from(long a) {
        Region r = at(a);
        if (r != null) {
            return r;
        }
        Map.Entry<Long, Region> e = map.higherEntry(a);
        return e == null ? null : e.getValue();
    }

    /** The regions meeting [s, e), in address order. */
    List<Region> in(long s, long e) {
        List<Region> out = new ArrayList<>();
        for (Region r = from(s); r != null && r.start < e; r = next(r)) {
            out.add(r);
        }
        return out;
    }

    Region next(Region r) {
        Map.Entry<Long, Region> e = map.higherEntry(r.start);
        return e == null ? null : e.getValue();
    }

    /** Is [s, e) free of mappings? */
    boolean free(long s, long e) {
        return in(s, e).isEmpty();
    }

    /** Cuts the region containing A (if A lies strictly inside it) in two. */
    void split(long a) {
        Region r = at(a);
        if (r != null && r.start < a) {
            map.put(r.start, r.piece(r.start, a));
            map.put(a, r.piece(a, r.end));
        }
    }

    /** munmap's effect: [s, e) no longer mapped. */
    void remove(long s, long e) {
        split(s);
        split(e);
        map.subMap(s, true, e, false).clear();
    }

    /** Maps R, replacing whatever lay there (MAP_FIXED). */
    void put(Region r) {
        remove(r.start, r.end);
        map.put(r.start, r);
    }

    /** Sets the flags of [s, e): the bits in CLEAR cleared, then SET set. */
    void change(long s, long e, long clear, long set) {
        split(s);
        split(e);
        for (Region r : new ArrayList<>(map.subMap(s, true, e, false).values())) {
            map.put(r.start, r.withFlags((r.flags & ~clear) | set));
        }
    }

    /**
     * The coverage: maximal runs of pages with equal compared flags and backing. A NEW_SHMEM
     * backing stands for the one file object that the call created: any object not in PRE.
     */
    List<Region> coverage() {
        List<Region> out = new ArrayList<>();
        for (Region r : map.values()) {
            Region c = new Region(r.start, r.end, r.flags & COMPARED, r.file, r.pgoff);
            if (!out.isEmpty() && out.get(out.size() - 1).continuedBy(c)) {
                Region last = out.remove(out.size() - 1);
                c = new Region(last.start, c.end, last.flags, last.file, last.pgoff);
            }
            out.add(c);
        }
        return out;
    }

    /** Files backing some region. */
    boolean knows(Object file) {
        for (Region r : map.values()) {
            if (r.file == file) {
                return true;
            }
        }
        return false;
    }

    /**
     * Null if the model's layout ACTUAL has this coverage, else what differs. A NEW_SHMEM region
     * here matches a file object that PRE did not know (the same one throughout).
     */
    String differsFrom(ReferenceLayout actual, ReferenceLayout pre) {
        List<Region> want = coverage();
        List<Region> got = actual.coverage();
        Object fresh = null;
        boolean same = want.size() == got.size();
        for (int i = 0; same && i < want.size(); i++) {
            Region w = want.get(i);
            Region g = got.get(i);
            Object wf = w.file;
            if (wf == NEW_SHMEM && g.file != null && !pre.knows(g.file) && (fresh == null || fresh == g.file)) {
                fresh = g.file;
                wf = g.file;
            }
            same = w.start == g.start && w.end == g.end && w.flags == g.flags && wf == g.file
                    && (wf == null || w.pgoff == g.pgoff);
        }
        return same ? null : "expected layout " + want + "\n  model's layout " + got;
    }

    @Override
    public String toString() {
        return map.values().toString();
    }
}
