package org.rmaplab.mm;

/**
 * mm/mlock.c: mlock(2) and munlock(2) (do_mlock, apply_vma_lock_flags, mlock_fixup), the locked
 * range then populated through mm/gup.c. Linux 6.18 unless a method says otherwise.
 *
 * <p>Invariants kept: locked_vm counts the pages of the mm's VM_LOCKED vmas; the design hears of
 * every range whose lock changed (mlock_vma_pages_range) before the call returns.
 *
 * <p>Lock order (for the reader): mmap_lock (write), then in mm/vma.c i_mmap_rwsem and the anon_vma
 * root's rwsem, then (populating) the pte lock.
 */
final class Mlock {
    private final Machine k;
    private final RmapDesign design;

    Mlock(Machine k) {
        this.k = k;
        this.design = k.design;
    }

    /** SYSCALL_DEFINE2(mlock) → do_mlock(start, len, VM_LOCKED). */
    long mlock(Task t, long start, long len) {
        k.requireAlive(t);
        long r = doMlock(t.mm, start, len, Vma.VM_LOCKED);
        k.vmaOps.regroup(t.mm);
        return r;
    }

    /** SYSCALL_DEFINE2(munlock) → apply_vma_lock_flags(start, len, 0). */
    long munlock(Task t, long start, long len) {
        k.requireAlive(t);
        long r = doMlock(t.mm, start, len, 0);
        k.vmaOps.regroup(t.mm);
        return r;
    }

    /** do_mlock() / munlock: apply_vma_lock_flags(), then __mm_populate for mlock. */
    long doMlock(Mm mm, long start, long len, long lockFlags) {
        len = PageTable.pageAlign(len + PageTable.offsetOf(start));
        start &= Machine.PAGE_MASK;
        long end = start + len;
        if (end < start) {
            return -Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        Vma vma = mm.vmaLookup(start);
        if (vma == null) {
            return -Errno.ENOMEM;
        }
        long tmp = start;
        while (tmp < end) {
            vma = mm.findVma(tmp);
            if (vma == null || vma.vmStart >= end) {
                break;
            }
            if (vma.vmStart > tmp) {
                return FaultInject.on(FaultInject.Bug.MLOCK_HOLE_EINVAL) ? -Errno.EINVAL : -Errno.ENOMEM; // a hole
            }
            long newFlags = (vma.vmFlags & ~Vma.VM_LOCKED_MASK) | lockFlags;
            long pieceEnd = Math.min(vma.vmEnd, end);
            long e = mlockFixup(vma, tmp, pieceEnd, newFlags);
            if (e != 0) {
                return e;
            }
            tmp = pieceEnd;
        }
        if (tmp < end) {
            return -Errno.ENOMEM;
        }
        if (lockFlags != 0 && !FaultInject.on(FaultInject.Bug.MLOCK_NO_POPULATE)) {
            // __mm_populate(start, len, 0), then __mlock_posix_error_return().
            long e = k.gup.populate(mm, start, end, false);
            if (e == -Errno.EFAULT) {
                return -Errno.ENOMEM;
            }
            if (e == -Errno.ENOMEM) {
                return -Errno.EAGAIN;
            }
            return e;
        }
        return 0;
    }

    /** mlock_fixup(). */
    long mlockFixup(Vma vma, long start, long end, long newFlags) {
        long oldFlags = vma.vmFlags;
        if (newFlags == oldFlags) {
            return 0;
        }
        Vma v = k.vmaOps.modify(vma, start, end, newFlags);
        if (v == null) {
            return k.vmaOps.err;
        }
        long pages = (end - start) >>> Machine.PAGE_SHIFT;
        if ((newFlags & Vma.VM_LOCKED) != 0) {
            v.mm.lockedVm += pages;
        } else {
            v.mm.lockedVm -= pages;
        }
        VmaOps.setFlags(v, newFlags);
        // mlock_vma_pages_range(): the design hears which range changed (wli's step (b), docs/reference.md#wli-three-steps).
        design.vmaLockChanged(v, start, end);
        return 0;
    }
}
