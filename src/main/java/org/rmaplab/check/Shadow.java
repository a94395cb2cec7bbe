package org.rmaplab.check;

import org.rmaplab.mm.PageTable;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

import org.rmaplab.mm.AddressSpace;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.Vma;

/**
 * What every page should hold: the last value the program wrote there, kept apart from the
 * model's frames. Private memory is remembered per address space and page address; shared memory
 * per shmem object or file and page offset; a private file mapping reads its file's value until
 * the page is written (copied). {@link CheckedSyscalls} tells it of every successful call
 * with the rules of Linux's user-visible semantics: fork copies the private values (not of
 * MADV_DONTFORK vmas), mremap moves them, unmapping or MADV_DONTNEED forgets them (the page reads
 * 0 again), exec starts empty.
 */
public final class Shadow {
    private final IdentityHashMap<Mm, HashMap<Long, Long>> priv = new IdentityHashMap<>();
    private final IdentityHashMap<AddressSpace, HashMap<Long, Long>> shared = new IdentityHashMap<>();

    /**
     * The pages remap_file_pages() rearranged in nonlinear vmas ({@code machine remap=nonlinear}):
     * per mm, a page's address to the file page it shows. Kept by the calls, never read from the
     * machine: fork copies it, mremap moves it, unmapping forgets it.
     */
    private final IdentityHashMap<Mm, HashMap<Long, Long>> nonlinear = new IdentityHashMap<>();

    /**
     * The file page the page at addr of the shared vma shows: what remap_file_pages() put there
     * in a nonlinear vma, else linear_page_index().
     */
    public long pgoffAt(Mm mm, Vma vma, long addr) {
        long page = addr & Machine.PAGE_MASK;
        if (vma.isNonlinear()) {
            HashMap<Long, Long> m = nonlinear.get(mm);
            Long p = m == null ? null : m.get(page);
            if (p != null) {
                return p;
            }
        }
        return vma.linearPageIndex(page);
    }

    /** remap_file_pages() in a nonlinear vma succeeded: [start, start+size) shows pgoff on. */
    void remapped(Mm mm, long start, long size, long pgoff) {
        HashMap<Long, Long> m = nonlinear.computeIfAbsent(mm, x -> new HashMap<>());
        for (long off = 0; off < size; off += Machine.PAGE_SIZE) {
            m.put(start + off, pgoff + (off >>> Machine.PAGE_SHIFT));
        }
    }

    private HashMap<Long, Long> privOf(Mm mm) {
        return priv.computeIfAbsent(mm, x -> new HashMap<>());
    }

    private static boolean isShared(Vma vma) {
        return (vma.flags() & Vma.VM_SHARED) != 0;
    }

    /** The value expected at the page of addr, mapped by vma in mm. */
    public long expected(Mm mm, Vma vma, long addr) {
        long page = addr & Machine.PAGE_MASK;
        if (isShared(vma)) {
            HashMap<Long, Long> m = shared.get(vma.file());
            Long v = m == null ? null : m.get(pgoffAt(mm, vma, page));
            return v == null ? 0 : v;
        }
        HashMap<Long, Long> m = priv.get(mm);
        Long v = m == null ? null : m.get(page);
        if (v == null && vma.file() != null) {
            // A private file mapping reads the file until the page is copied.
            return expectedShared(vma.file(), vma.linearPageIndex(page));
        }
        return v == null ? 0 : v;
    }

    /** The value expected in page pgoff of a shared object. */
    public long expectedShared(AddressSpace as, long pgoff) {
        HashMap<Long, Long> m = shared.get(as);
        Long v = m == null ? null : m.get(pgoff);
        return v == null ? 0 : v;
    }

    /**
     * The page of a private file mapping was copied without a store (a populating call breaking
     * COW: GUP with FOLL_WRITE): the copy holds what the file holds now. Does nothing where a
     * private value is remembered already.
     */
    void copiedFromFile(Mm mm, Vma vma, long page) {
        privOf(mm).putIfAbsent(page, expectedShared(vma.file(), vma.linearPageIndex(page)));
    }

    /** Is a private value remembered at the page? */
    boolean hasPrivate(Mm mm, long page) {
        HashMap<Long, Long> m = priv.get(mm);
        return m != null && m.containsKey(page);
    }

    /** A store of value to the page of addr succeeded. */
    void wrote(Mm mm, Vma vma, long addr, long value) {
        long page = addr & Machine.PAGE_MASK;
        if (isShared(vma)) {
            shared.computeIfAbsent(vma.file(), x -> new HashMap<>()).put(pgoffAt(mm, vma, page), value);
        } else {
            privOf(mm).put(page, value);
        }
    }

    /**
     * The file shrank from {@code oldSize} to {@code size} bytes (shmem_setattr): its pages past the
     * end are gone, so are the private copies from there on in every private mapping
     * (unmap_mapping_range with even_cows, called only when the old size passed the new end's
     * page), and the tail of a partial last page reads zero (only the first 8 bytes are
     * modelled, so only a size ending within them changes a value). With {@code linearZap}
     * (machine truncate=linear or cleanup: vmtruncate's zap by linear offset in nonlinear vmas
     * too) a nonlinear vma's addresses whose linear offset lies past the new end lose what
     * remap_file_pages put there: the zap clears present and file ptes alike, and the next fault
     * there takes the linear offset.
     */
    void truncate(AddressSpace as, long oldSize, long size, java.util.List<Mm> mms, boolean linearZap) {
        long holebegin = PageTable.pagesUp(size);
        HashMap<Long, Long> m = shared.get(as);
        if (m != null) {
            m.keySet().removeIf(pgoff -> pgoff >= holebegin);
            long off = PageTable.offsetOf(size);
            Long v = m.get(size >>> Machine.PAGE_SHIFT);
            if (off != 0 && off < 8 && v != null) {
                m.put(size >>> Machine.PAGE_SHIFT, v & ((1L << (8 * off)) - 1));
            }
        }
        if (Long.compareUnsigned(oldSize, holebegin << Machine.PAGE_SHIFT) <= 0) {
            // shmem_setattr unmaps only when the old size passed the new end's page: a private
            // copy past the old end (UFFDIO_COPY does not look at i_size) stays then.
            return;
        }
        for (Mm mm : mms) {
            HashMap<Long, Long> nl = nonlinear.get(mm);
            if (linearZap && nl != null) {
                nl.keySet().removeIf(a -> {
                    Vma v = mm.vmaLookup(a);
                    return v != null && v.file() == as && v.isNonlinear() && v.linearPageIndex(a) >= holebegin;
                });
            }
            HashMap<Long, Long> p = priv.get(mm);
            if (p == null) {
                continue;
            }
            p.keySet().removeIf(a -> {
                Vma v = mm.vmaLookup(a);
                return v != null && v.file() == as && !isShared(v) && v.linearPageIndex(a) >= holebegin;
            });
        }
    }

    /** MADV_REMOVE punched a hole at [first, last) of the file: those pages read zero again. */
    void punchHole(AddressSpace as, long first, long last) {
        HashMap<Long, Long> m = shared.get(as);
        if (m != null) {
            m.keySet().removeIf(pgoff -> pgoff >= first && pgoff < last);
        }
    }

    /** The private pages of [start, end) read zero again (unmapped, replaced, or dropped). */
    void forget(Mm mm, long start, long end) {
        HashMap<Long, Long> m = priv.get(mm);
        if (m == null) {
            return;
        }
        m.keySet().removeIf(a -> a >= start && a < end);
    }

    void forgetPage(Mm mm, long page) {
        HashMap<Long, Long> m = priv.get(mm);
        if (m != null) {
            m.remove(page);
        }
    }

    /**
     * mremap moved the private pages of [oldAddr, oldAddr+len) to newAddr, and the nonlinear
     * vmas' rearrangement with them (move_page_tables moves file ptes and pages as they are).
     */
    void move(Mm mm, long oldAddr, long len, long newAddr) {
        moveIn(priv.get(mm), oldAddr, len, newAddr);
        moveIn(nonlinear.get(mm), oldAddr, len, newAddr);
    }

    private static void moveIn(HashMap<Long, Long> m, long oldAddr, long len, long newAddr) {
        if (m == null) {
            return;
        }
        HashMap<Long, Long> moved = new HashMap<>();
        for (Iterator<Map.Entry<Long, Long>> it = m.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, Long> e = it.next();
            long a = e.getKey();
            if (a >= oldAddr && a < oldAddr + len) {
                moved.put(a - oldAddr + newAddr, e.getValue());
                it.remove();
            }
        }
        m.keySet().removeIf(a -> a >= newAddr && a < newAddr + len);
        m.putAll(moved);
    }

    /**
     * UFFDIO_COPY filled the page at dst (page-aligned) from the user address src: the copy's
     * first 8 bytes are bytes [o, o+8) of the source page at src's offset o, which for o &gt; 4088
     * run into the next page (every page is its value in its first 8 bytes, zeros after).
     */
    void copyPage(Mm mm, long src, long dst) {
        long page = src & Machine.PAGE_MASK;
        long off = src & ~Machine.PAGE_MASK;
        long v = valueAt(mm, page);
        long value = v;
        if (off != 0) {
            value = off < 8 ? v >>> (8 * off) : 0;
            if (off > Machine.PAGE_SIZE - 8) {
                value |= valueAt(mm, page + Machine.PAGE_SIZE) << (8 * (Machine.PAGE_SIZE - off));
            }
        }
        wrote(mm, mm.vmaLookup(dst), dst, value);
    }

    private long valueAt(Mm mm, long page) {
        Vma v = mm.vmaLookup(page);
        return v == null ? 0 : expected(mm, v, page);
    }

    /**
     * UFFDIO_MOVE / remap_anon_pages moved the first {@code bytes} of [src, ...) to dst: each
     * destination page now holds what its source held, and the source pages read zero (or fault).
     */
    void movePages(Mm mm, long src, long dst, long bytes) {
        HashMap<Long, Long> m = privOf(mm);
        for (long off = 0; off < bytes; off += Machine.PAGE_SIZE) {
            Long v = m.remove(src + off);
            if (v == null) {
                m.remove(dst + off);
            } else {
                m.put(dst + off, v);
            }
        }
    }

    /** fork: the child's private pages start as the parent's, but for the ranges not copied. */
    void fork(Mm parent, Mm child, long[] notCopied) {
        HashMap<Long, Long> nl = nonlinear.get(parent);
        if (nl != null) {
            // dup_mmap copies every vma (but MADV_DONTFORK's, which prune then drops), ptes included.
            nonlinear.put(child, new HashMap<>(nl));
            prune(child);
        }
        HashMap<Long, Long> m = priv.get(parent);
        HashMap<Long, Long> c = privOf(child);
        if (m == null) {
            return;
        }
        outer:
        for (Map.Entry<Long, Long> e : m.entrySet()) {
            long a = e.getKey();
            for (int i = 0; i < notCopied.length; i += 2) {
                if (a >= notCopied[i] && a < notCopied[i + 1]) {
                    continue outer;
                }
            }
            c.put(a, e.getValue());
        }
    }

    /** Drops what is remembered of private pages no private vma of mm covers any more. */
    void prune(Mm mm) {
        HashMap<Long, Long> nl = nonlinear.get(mm);
        if (nl != null) {
            nl.keySet().removeIf(a -> {
                Vma v = mm.vmaLookup(a);
                return v == null || !v.isNonlinear();
            });
        }
        HashMap<Long, Long> m = priv.get(mm);
        if (m == null) {
            return;
        }
        m.keySet().removeIf(a -> {
            Vma v = mm.vmaLookup(a);
            return v == null || isShared(v);
        });
    }

    /** Forgets address spaces that no longer exist. */
    void retain(java.util.List<Mm> live) {
        java.util.Set<Mm> alive = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        alive.addAll(live);
        priv.keySet().removeIf(mm -> !alive.contains(mm));
        nonlinear.keySet().removeIf(mm -> !alive.contains(mm));
    }
}
