package org.rmaplab.check;

import static org.rmaplab.check.ReferenceLayout.P;

import java.util.List;

import org.rmaplab.check.ReferenceLayout.Region;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Vma;

/**
 * A second, simple model of the memory system calls' results, written from the man pages and
 * Linux 6.18's checks (mm/mmap.c, mm/vma.c, mm/mprotect.c, mm/mremap.c, mm/madvise.c,
 * mm/mlock.c, mm/gup.c), never by calling the model: for mmap, munmap, mprotect, mremap,
 * madvise, mlock, munlock and brk it predicts the return value (the errno, or success) and the
 * layout after the call ({@link ReferenceLayout}), from the layout before it. The random
 * sequences compare every such call with it ({@link CheckedSyscalls#judged}).
 *
 * <p>Where it cannot decide it says {@link Verdict#UNKNOWN} and does not judge: memory pressure
 * (populate's ENOMEM/EAGAIN, the OOM killer), userfaultfd's effect on a moved vma and on
 * mlock's populate of a registered range (the kernel waits for the handler), nonlinear
 * vmas (2.6 only), advice it does not know, mremap of zero old length on a shared mapping,
 * MREMAP_DONTUNMAP of part of a locked vma, and the flags of designs' own (MREMAP_RELOCATE_ANON).
 * Addresses the kernel chooses (mmap without MAP_FIXED, mremap moves) are not predicted: the
 * result must be page-aligned and free before the call, and the layout is then predicted there.
 * Not modelled because the random sequences cannot reach them: RLIMIT_MEMLOCK and RLIMIT_DATA
 * (root), vm.max_map_count, overcommit accounting (security_vm_enough_memory_mm), mseal, pkeys,
 * hugetlb, VM_PFNMAP.
 */
final class ReferenceRules {
    private ReferenceRules() {}

    static final long TASK_SIZE = Machine.TASK_SIZE;
    static final long ACCESS = Vma.VM_READ | Vma.VM_WRITE | Vma.VM_EXEC;
    static final long MAY = Vma.VM_MAYREAD | Vma.VM_MAYWRITE | Vma.VM_MAYEXEC;
    static final long LOCKED_MASK = Vma.VM_LOCKED | Vma.VM_LOCKONFAULT;

    /** What the reference expects of one call. */
    static final class Verdict {
        static final Verdict UNKNOWN = new Verdict(0, null, null, 0);

        /** The expected return value. */
        final long ret;
        /** The layout after the call, or null (with ret: do not judge the layout). */
        final ReferenceLayout after;
        /** Non-null: the call's result is already wrong (an address the kernel could not choose). */
        final String problem;
        /** Another return value allowed besides ret (0: none): populate's EAGAIN under memory pressure. */
        final long alsoAllowed;

        Verdict(long ret, ReferenceLayout after, String problem, long alsoAllowed) {
            this.ret = ret;
            this.after = after;
            this.problem = problem;
            this.alsoAllowed = alsoAllowed;
        }

        static Verdict of(long ret, ReferenceLayout after) {
            return new Verdict(ret, after, null, 0);
        }

        static Verdict wrong(String problem) {
            return new Verdict(0, null, problem, 0);
        }

        boolean unknown() {
            return this == UNKNOWN;
        }
    }

    private static Verdict err(int errno, ReferenceLayout l) {
        return Verdict.of(-errno, l);
    }

    static long pageAlign(long len) {
        return (len + P - 1) & Machine.PAGE_MASK;
    }

    static boolean unaligned(long a) {
        return (a & (P - 1)) != 0;
    }

    /** calc_vm_prot_bits(). */
    static long protBits(int prot) {
        return ((prot & Mman.PROT_READ) != 0 ? Vma.VM_READ : 0) | ((prot & Mman.PROT_WRITE) != 0 ? Vma.VM_WRITE : 0)
                | ((prot & Mman.PROT_EXEC) != 0 ? Vma.VM_EXEC : 0);
    }

    private static boolean touchesNonlinear(ReferenceLayout l, long s, long e) {
        for (Region r : l.in(s, e)) {
            if (r.has(Vma.VM_NONLINEAR)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ munmap

    /** munmap(2) → do_vmi_munmap(): EINVAL for an unaligned start, a range past TASK_SIZE, or no length. */
    static Verdict munmap(ReferenceLayout pre, long start, long len) {
        if (unaligned(start) || Long.compareUnsigned(start, TASK_SIZE) > 0
                || Long.compareUnsigned(len, TASK_SIZE - start) > 0) {
            return err(Errno.EINVAL, pre);
        }
        long alen = pageAlign(len);
        if (alen == 0) {
            return err(Errno.EINVAL, pre);
        }
        ReferenceLayout l = pre.copy();
        l.remove(start, start + alen);
        return Verdict.of(0, l);
    }

    // ------------------------------------------------------------------ mmap

    /**
     * mmap(2): x86's sys_mmap (an unaligned offset: EINVAL), then do_mmap(): no length EINVAL,
     * a length that page-aligns to nothing ENOMEM, MAP_FIXED at an unaligned address EINVAL
     * (__get_unmapped_area's offset_in_page), past TASK_SIZE ENOMEM, MAP_FIXED_NOREPLACE over a
     * mapping EEXIST, then the MAP_TYPE switch (EINVAL for others; shared anonymous memory or a
     * file cannot grow down). FILE is the file's object (null: anonymous).
     */
    static Verdict mmap(ReferenceLayout pre, long addr, long len, int prot, int flags, Object file, long off, long r) {
        if (unaligned(off)) {
            return err(Errno.EINVAL, pre);
        }
        if (len == 0) {
            return err(Errno.EINVAL, pre);
        }
        boolean fixed = (flags & (Mman.MAP_FIXED | Mman.MAP_FIXED_NOREPLACE)) != 0;
        long alen = pageAlign(len);
        if (alen == 0 || Long.compareUnsigned(alen, TASK_SIZE) > 0) {
            return err(Errno.ENOMEM, pre);
        }
        if (fixed) {
            if (Long.compareUnsigned(addr, TASK_SIZE - alen) > 0) {
                return err(Errno.ENOMEM, pre);
            }
            if (unaligned(addr)) {
                return err(Errno.EINVAL, pre);
            }
            if ((flags & Mman.MAP_FIXED_NOREPLACE) != 0 && !pre.free(addr, addr + alen)) {
                return err(Errno.EEXIST, pre);
            }
        }
        int type = flags & Mman.MAP_TYPE;
        boolean grows = (flags & Mman.MAP_GROWSDOWN) != 0;
        long vmFlags = protBits(prot) | MAY | (grows ? Vma.VM_GROWSDOWN : 0)
                | ((flags & Mman.MAP_LOCKED) != 0 ? Vma.VM_LOCKED : 0);
        Object backing = file;
        if (file == null) {
            if (type == Mman.MAP_SHARED) {
                if (grows) {
                    return err(Errno.EINVAL, pre);
                }
                vmFlags |= Vma.VM_SHARED | Vma.VM_MAYSHARE;
                backing = ReferenceLayout.NEW_SHMEM;
                off = 0;
            } else if (type != Mman.MAP_PRIVATE) {
                return err(Errno.EINVAL, pre);
            }
        } else {
            if (type == Mman.MAP_SHARED || type == Mman.MAP_SHARED_VALIDATE) {
                if (type == Mman.MAP_SHARED_VALIDATE && (flags & ~Mman.LEGACY_MAP_MASK) != 0) {
                    return Verdict.UNKNOWN;
                }
                vmFlags |= Vma.VM_SHARED | Vma.VM_MAYSHARE;
            } else if (type != Mman.MAP_PRIVATE) {
                return err(Errno.EINVAL, pre);
            }
            if (grows) {
                return err(Errno.EINVAL, pre);
            }
        }
        long at = addr;
        if (!fixed) {
            // get_unmapped_area() chooses: the result must be a free, aligned range.
            if (Errno.isError(r)) {
                return Verdict.wrong("mmap without MAP_FIXED failed with " + Errno.name((int) -r)
                        + "; the reference expects a free range to be found");
            }
            if (unaligned(r) || !pre.free(r, r + alen)) {
                return Verdict.wrong("mmap chose " + Long.toHexString(r) + " (+" + alen + "), not a free aligned range of " + pre);
            }
            at = r;
        }
        ReferenceLayout l = pre.copy();
        l.put(new Region(at, at + alen, vmFlags, backing, backing == null ? 0 : off / P));
        return Verdict.of(at, l);
    }

    // ------------------------------------------------------------------ mprotect

    /**
     * mprotect(2) → do_mprotect_pkey(): unknown prot bits or both GROWS flags EINVAL, an unaligned
     * start EINVAL, no length success, a wrapping range ENOMEM; then ENOMEM if no vma meets the
     * range or the first starts above it; then vma by vma in order: a hole ENOMEM, a protection
     * its VM_MAY* bits refuse EACCES — each after the vmas before it were changed.
     */
    static Verdict mprotect(ReferenceLayout pre, long start, long len, int prot) {
        final int grows = 0x01000000 | 0x02000000; // PROT_GROWSDOWN | PROT_GROWSUP
        if ((prot & ~(Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC | 0x8 | grows)) != 0
                || (prot & grows) == grows) {
            return err(Errno.EINVAL, pre);
        }
        if ((prot & grows) != 0) {
            return Verdict.UNKNOWN;
        }
        if (unaligned(start)) {
            return err(Errno.EINVAL, pre);
        }
        if (len == 0) {
            return Verdict.of(0, pre);
        }
        long end = start + pageAlign(len);
        if (Long.compareUnsigned(end, start) <= 0) {
            return err(Errno.ENOMEM, pre);
        }
        if (touchesNonlinear(pre, start, end)) {
            return Verdict.UNKNOWN;
        }
        List<Region> rs = pre.in(start, end);
        if (rs.isEmpty() || rs.get(0).start() > start) {
            return err(Errno.ENOMEM, pre);
        }
        ReferenceLayout l = pre.copy();
        long tmp = rs.get(0).start();
        long bits = protBits(prot);
        for (Region r : rs) {
            if (r.start() != tmp) {
                return err(Errno.ENOMEM, l);
            }
            long newFlags = bits | (r.flags() & ~ACCESS);
            // newflags >> 4 shifts VM_MAY* in place of VM_*
            if ((newFlags & ~(newFlags >> 4) & ACCESS) != 0) {
                return err(Errno.EACCES, l);
            }
            tmp = Math.min(r.end(), end);
            l.change(Math.max(start, r.start()), tmp, ACCESS, bits);
        }
        return tmp < end ? err(Errno.ENOMEM, l) : Verdict.of(0, l);
    }

    // ------------------------------------------------------------------ mlock / munlock

    /**
     * mlock(2) / munlock(2): do_mlock() page-aligns (start down, length up by start's offset);
     * apply_vma_lock_flags(): a wrapping range EINVAL, an empty one success, no vma containing
     * the start ENOMEM; then vma by vma, a hole ENOMEM after the vmas before it changed. mlock
     * then populates (__mm_populate): a vma without access (PROT_NONE), or a page past the end of
     * its file (SIGBUS), fails get_user_pages with EFAULT, which __mlock_posix_error_return()
     * makes ENOMEM (this machine's 6.18 agrees for PROT_NONE, anonymous and shared); a
     * populate short of memory is EAGAIN, allowed and not judged further.
     */
    static Verdict mlock(ReferenceLayout pre, long startIn, long lenIn, boolean lock) {
        long len = pageAlign(lenIn + (startIn & (P - 1)));
        long start = startIn & Machine.PAGE_MASK;
        long end = start + len;
        if (Long.compareUnsigned(end, start) < 0) {
            return err(Errno.EINVAL, pre);
        }
        if (end == start) {
            return Verdict.of(0, pre);
        }
        Region first = pre.at(start);
        if (first == null) {
            return err(Errno.ENOMEM, pre);
        }
        ReferenceLayout l = pre.copy();
        long tmp = first.start();
        for (Region r : pre.in(start, end)) {
            if (r.start() != tmp) {
                return err(Errno.ENOMEM, l);
            }
            tmp = Math.min(r.end(), end);
            l.change(Math.max(start, r.start()), tmp, LOCKED_MASK, lock ? Vma.VM_LOCKED : 0);
        }
        if (tmp < end) {
            return err(Errno.ENOMEM, l);
        }
        if (!lock) {
            return Verdict.of(0, l);
        }
        for (Region r : pre.in(start, end)) {
            if (r.has(Vma.VM_IO) || r.has(Vma.VM_LOCKONFAULT)) {
                continue;
            }
            if (r.has(Vma.VM_NONLINEAR)) {
                return Verdict.UNKNOWN; // remap_file_pages placed its pages: vm_pgoff does not say which lie past EOF
            }
            if (r.has(Vma.VM_UFFD_MISSING)) {
                return Verdict.UNKNOWN; // a missing page is the userfaultfd handler's: the kernel would wait for it
            }
            // a page past the end of the file: the fault is VM_FAULT_SIGBUS, get_user_pages EFAULT
            long lastPage = r.file() == null ? 0 : r.pgoff() + (Math.min(end, r.end()) - r.start()) / P - 1;
            if ((r.flags() & ACCESS) == 0 || lastPage >= ReferenceLayout.filePages(r)) {
                return err(Errno.ENOMEM, l);
            }
        }
        return new Verdict(0, l, null, -Errno.EAGAIN);
    }

    // ------------------------------------------------------------------ madvise

    /**
     * madvise(2) → do_madvise(): advice it knows (DONTNEED, PAGEOUT, REMOVE, DONTFORK, DOFORK;
     * others unknown), an unaligned start EINVAL, a length that aligns to nothing or wraps EINVAL,
     * none success; madvise_walk_vmas(): vma by vma in order, a refusal ending the walk (DONTNEED
     * and PAGEOUT of a locked vma EINVAL; REMOVE of a locked vma EINVAL, of private anonymous
     * memory EINVAL, of a mapping not shared and writable EACCES; DOFORK of VM_IO EINVAL), and
     * ENOMEM at the end if some part of the range was a hole.
     */
    static Verdict madvise(ReferenceLayout pre, long start, long lenIn, int advice) {
        switch (advice) {
            case Mman.MADV_DONTNEED, Mman.MADV_PAGEOUT, Mman.MADV_REMOVE, Mman.MADV_DONTFORK, Mman.MADV_DOFORK -> {
            }
            default -> {
                return Verdict.UNKNOWN;
            }
        }
        if (unaligned(start)) {
            return err(Errno.EINVAL, pre);
        }
        long len = pageAlign(lenIn);
        if (lenIn != 0 && len == 0) {
            return err(Errno.EINVAL, pre);
        }
        long end = start + len;
        if (Long.compareUnsigned(end, start) < 0) {
            return err(Errno.EINVAL, pre);
        }
        if (end == start) {
            return Verdict.of(0, pre);
        }
        if (touchesNonlinear(pre, start, end)) {
            return Verdict.UNKNOWN;
        }
        ReferenceLayout l = pre.copy();
        int unmapped = 0;
        long at = start;
        for (Region r : pre.in(start, end)) {
            if (at < r.start()) {
                unmapped = Errno.ENOMEM;
            }
            long s = Math.max(start, r.start());
            long e = Math.min(end, r.end());
            int refused = refuses(r, advice);
            if (refused != 0) {
                return err(refused, l);
            }
            if (advice == Mman.MADV_DONTFORK) {
                l.change(s, e, 0, Vma.VM_DONTCOPY);
            } else if (advice == Mman.MADV_DOFORK) {
                l.change(s, e, Vma.VM_DONTCOPY, 0);
            }
            at = e;
        }
        if (at < end) {
            unmapped = Errno.ENOMEM;
        }
        return unmapped != 0 ? err(unmapped, l) : Verdict.of(0, l);
    }

    /** The errno with which one vma refuses ADVICE, or 0. */
    private static int refuses(Region r, int advice) {
        switch (advice) {
            case Mman.MADV_DONTNEED:
                // madvise_dontneed_free_valid_vma(): VM_LOCKED (and VM_PFNMAP) forbidden
                return r.has(Vma.VM_LOCKED) ? Errno.EINVAL : 0;
            case Mman.MADV_PAGEOUT:
                // can_madv_lru_vma(): not VM_LOCKED | VM_PFNMAP | VM_HUGETLB
                return r.has(Vma.VM_LOCKED) ? Errno.EINVAL : 0;
            case Mman.MADV_REMOVE:
                // madvise_remove()
                if (r.has(Vma.VM_LOCKED) || r.file() == null) {
                    return Errno.EINVAL;
                }
                return (r.flags() & (Vma.VM_SHARED | Vma.VM_MAYWRITE)) == (Vma.VM_SHARED | Vma.VM_MAYWRITE) ? 0 : Errno.EACCES;
            case Mman.MADV_DOFORK:
                return r.has(Vma.VM_IO) ? Errno.EINVAL : 0;
            default:
                return 0;
        }
    }

    // ------------------------------------------------------------------ brk

    /**
     * brk(2) (mm/mmap.c SYSCALL_DEFINE1(brk)): below start_brk the old break; the same page
     * count: the new break, nothing mapped; shrinking unmaps [PAGE_ALIGN(brk), PAGE_ALIGN(old))
     * unless no vma meets that range (then the old break); growing fails (the old break) if the
     * first vma meeting [oldbrk, newbrk + PAGE_SIZE + stack_guard_gap) begins, less its guard
     * gap if it grows down, below newbrk + PAGE_SIZE; else maps [oldbrk, newbrk) read-write.
     */
    static Verdict brk(ReferenceLayout pre, long brk, long origBrk, long startBrk) {
        if (Long.compareUnsigned(brk, startBrk) < 0) {
            return Verdict.of(origBrk, pre);
        }
        long newBrk = pageAlign(brk);
        long oldBrk = pageAlign(origBrk);
        if (oldBrk == newBrk) {
            return Verdict.of(brk, pre);
        }
        ReferenceLayout l = pre.copy();
        if (Long.compareUnsigned(brk, origBrk) <= 0) {
            if (pre.free(newBrk, oldBrk)) {
                return Verdict.of(origBrk, pre);
            }
            l.remove(newBrk, oldBrk);
            return Verdict.of(brk, l);
        }
        List<Region> next = pre.in(oldBrk, newBrk + P + Machine.STACK_GUARD_GAP);
        if (!next.isEmpty()) {
            Region n = next.get(0);
            long gapStart = n.start();
            if (n.has(Vma.VM_GROWSDOWN)) {
                gapStart = n.start() - Machine.STACK_GUARD_GAP;
                if (Long.compareUnsigned(gapStart, n.start()) > 0) {
                    gapStart = 0;
                }
            }
            if (Long.compareUnsigned(newBrk + P, gapStart) > 0) {
                return Verdict.of(origBrk, pre);
            }
        }
        l.put(new Region(oldBrk, newBrk, Vma.VM_READ | Vma.VM_WRITE | MAY, null, 0));
        return Verdict.of(brk, l);
    }
}
