package org.rmaplab.check;

import java.util.Arrays;
import java.util.List;

import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Vma;

/**
 * The residency invariant of VM_LOCKED vmas, which the {@link Oracle}'s scan of one state cannot
 * state on its own: a locked vma may hold holes and even swap entries — mlock of a PROT_NONE
 * vma (populate fails with EFAULT, mlock returns ENOMEM but the vma stays VM_LOCKED), mlock whose
 * populate ran out of memory (EAGAIN), mprotect of a locked PROT_NONE vma to readable (6.18
 * mprotect_fixup() populates only a private locked vma made writable), a shared file page
 * truncated and the file grown again, UFFDIO_MOVE between two locked vmas (validate_move_areas()
 * only asks both to agree on VM_LOCKED). What never happens is a page that a VM_LOCKED vma maps
 * leaving it by reclaim: try_to_unmap_one() refuses VM_LOCKED vmas in every era (2.6.0 returns
 * SWAP_FAIL; 6.18 mlocks the folio and stops the walk), madvise(MADV_DONTNEED, MADV_PAGEOUT,
 * MADV_REMOVE) refuses them with EINVAL. So the invariant is a transition:
 * <ul>
 *   <li>across a call that unmaps nothing by the program's request (read, write, add, touch,
 *       fork, clone, mlock, munlock, mprotect, madvise but MADV_REMOVE (a hole punched in a
 *       file through one mapping unmaps the pages from all, locked or not: shmem_fallocate()
 *       → unmap_mapping_range()), mmap outside its own range, reclaim,
 *       uffd_register, uffd_copy, open), every pte present in a VM_LOCKED vma before the call
 *       is present after it wherever its address still lies in a VM_LOCKED vma of the same live
 *       mm — not a swap entry, not a hole (a file page evicted from a shared vma leaves a hole);
 *   <li>after an mlock that returned 0, every page of the range is present: __mm_populate()
 *       succeeded over every vma, none of which is VM_LOCKONFAULT (the model's mlock sets
 *       VM_LOCKED only, no mlock2(MLOCK_ONFAULT)) or VM_IO.
 * </ul>
 * Calls that move or drop mappings on purpose (munmap, mremap, brk, ftruncate, MADV_REMOVE, remap_file_pages,
 * uffd_move, remap_anon_pages, exec, exit) are not judged by the first rule; the Oracle's
 * scan still judges what they leave.
 */
final class Residency {
    private final Machine k;
    private Mm[] mms = new Mm[64];
    private long[] addrs = new long[64];
    private int n;
    private boolean armed;
    private Mm exMm;
    private long exStart;
    private long exEnd;

    Residency(Machine k) {
        this.k = k;
    }

    /** Before a call that must keep locked pages resident: remembers every present locked pte. */
    void before() {
        before(null, 0, 0);
    }

    /** As {@link #before()}, but [start, end) of mm (an mmap's own range) is not judged. */
    void before(Mm excludedMm, long start, long end) {
        n = 0;
        armed = true;
        exMm = excludedMm;
        exStart = start;
        exEnd = end;
        for (Mm mm : k.mms()) {
            for (int i = 0; i < mm.mapCount(); i++) {
                Vma v = mm.vma(i);
                if ((v.flags() & Vma.VM_LOCKED) == 0) {
                    continue;
                }
                for (long a = v.start(); a < v.end(); a += Machine.PAGE_SIZE) {
                    if (present(mm, a)) {
                        add(mm, a);
                    }
                }
            }
        }
    }

    /** After the call: each remembered pte still present where its address is still locked. */
    void after(String call) {
        if (!armed) {
            return;
        }
        armed = false;
        List<Mm> live = k.mms();
        for (int i = 0; i < n; i++) {
            Mm mm = mms[i];
            long a = addrs[i];
            if (mm == exMm && a >= exStart && a < exEnd || !containsIdentity(live, mm)) {
                continue;
            }
            Vma v = mm.vmaLookup(a);
            if (v == null || (v.flags() & Vma.VM_LOCKED) == 0 || present(mm, a)) {
                continue;
            }
            throw new InvariantViolation(mm + " page at 0x" + Long.toHexString(a) + " of VM_LOCKED vma " + v
                    + " was present before " + call + " and is now " + (isSwap(mm, a) ? "a swap entry" : "a hole")
                    + ": a locked page left memory");
        }
    }

    /** After mlock returned 0: every page of [start, end) is present. */
    void afterMlock(Mm mm, long start, long end) {
        for (long a = start & Machine.PAGE_MASK; a < end; a += Machine.PAGE_SIZE) {
            if (!present(mm, a)) {
                throw new InvariantViolation(mm + " mlock returned 0 but the page at 0x" + Long.toHexString(a)
                        + " is " + (isSwap(mm, a) ? "a swap entry" : "not present") + " (__mm_populate must fault it in)");
            }
        }
    }

    private boolean present(Mm mm, long a) {
        long slot = PageTable.lookup(k.frames(), mm.pgd(), a);
        return slot >= 0 && PageTable.present(PageTable.get(k.frames(), slot));
    }

    private boolean isSwap(Mm mm, long a) {
        long slot = PageTable.lookup(k.frames(), mm.pgd(), a);
        return slot >= 0 && PageTable.isSwap(PageTable.get(k.frames(), slot));
    }

    private void add(Mm mm, long a) {
        if (n == addrs.length) {
            addrs = Arrays.copyOf(addrs, n * 2);
            mms = Arrays.copyOf(mms, n * 2);
        }
        mms[n] = mm;
        addrs[n++] = a;
    }

    private static boolean containsIdentity(List<Mm> l, Mm mm) {
        for (Mm x : l) {
            if (x == mm) {
                return true;
            }
        }
        return false;
    }
}
