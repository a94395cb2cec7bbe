package org.rmaplab.check;

import static org.rmaplab.check.ReferenceRules.pageAlign;
import static org.rmaplab.check.ReferenceRules.unaligned;

import org.rmaplab.check.ReferenceLayout.Region;
import org.rmaplab.check.ReferenceRules.Verdict;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Vma;

/**
 * The reference's mremap(2), from Linux 6.18 mm/mremap.c as Lorenzo Stoakes restructured it
 * (6.16-6.17: struct vma_remap_struct, and remap_move() moving several vmas at once):
 * check_mremap_params(), then remap_move() for a MREMAP_FIXED move without a size change, else
 * vma_lookup() and check_prep_vma(), then mremap_to() or mremap_at(). See {@link ReferenceRules}
 * for what it does not decide.
 */
final class ReferenceMremap {
    private ReferenceMremap() {}

    private static final int KNOWN = Mman.MREMAP_FIXED | Mman.MREMAP_MAYMOVE | Mman.MREMAP_DONTUNMAP;
    private static final int UNDECIDED = -1;

    /** mremap(2) → do_mremap(); R is the model's result (for an address the kernel chooses). */
    static Verdict mremap(ReferenceLayout pre, long addr, long oldLen, long newLen, int flags, long newAddr, long r) {
        // check_mremap_params()
        if ((flags & ~KNOWN) != 0) {
            // MREMAP_RELOCATE_ANON and MREMAP_MUST_RELOCATE_ANON: a design's own (never merged)
            int relocate = Mman.MREMAP_RELOCATE_ANON | Mman.MREMAP_MUST_RELOCATE_ANON;
            return (flags & ~(KNOWN | relocate)) == 0 ? Verdict.UNKNOWN : Verdict.of(-Errno.EINVAL, pre);
        }
        long ol = pageAlign(oldLen);
        long nl = pageAlign(newLen);
        if (unaligned(addr) || nl == 0 || Long.compareUnsigned(nl, ReferenceRules.TASK_SIZE) > 0) {
            return Verdict.of(-Errno.EINVAL, pre);
        }
        boolean impliesNew = (flags & (Mman.MREMAP_FIXED | Mman.MREMAP_DONTUNMAP)) != 0;
        if (impliesNew && (Long.compareUnsigned(newAddr, ReferenceRules.TASK_SIZE - nl) > 0 || unaligned(newAddr)
                || (flags & Mman.MREMAP_MAYMOVE) == 0
                || ((flags & Mman.MREMAP_DONTUNMAP) != 0 && ol != nl)
                || (addr + ol > newAddr && newAddr + nl > addr))) { // vrm_overlaps()
            return Verdict.of(-Errno.EINVAL, pre);
        }
        for (Region v : pre.in(addr, addr + Math.max(Math.max(ol, nl), 1))) {
            if (v.has(Vma.VM_NONLINEAR)) {
                return Verdict.UNKNOWN;
            }
        }
        ReferenceLayout l = pre.copy();
        if ((flags & Mman.MREMAP_FIXED) != 0 && ol == nl) {
            return remapMove(l, pre, addr, ol, newAddr, flags);
        }
        Region v = pre.at(addr);
        int e = checkPrep(v, addr, ol, nl, flags);
        if (e == UNDECIDED) {
            return Verdict.UNKNOWN;
        }
        if (e != 0) {
            return Verdict.of(-e, pre);
        }
        return impliesNew ? mremapTo(l, addr, ol, nl, flags, newAddr, r) : mremapAt(l, v, addr, ol, nl, flags, r);
    }

    /** check_prep_vma(): 0, an errno, or UNDECIDED. */
    private static int checkPrep(Region v, long addr, long ol, long nl, int flags) {
        if (v == null) {
            return Errno.EFAULT;
        }
        boolean impliesNew = (flags & (Mman.MREMAP_FIXED | Mman.MREMAP_DONTUNMAP)) != 0;
        if (nl <= ol && !impliesNew) {
            return 0; // !vrm_will_map_new(): shrink or no resize in place
        }
        if (ol == 0) {
            // "duplicate" a shared mapping (the DOS-emu case): not decided here; private: EINVAL
            return v.has(Vma.VM_SHARED | Vma.VM_MAYSHARE) ? UNDECIDED : Errno.EINVAL;
        }
        if ((flags & Mman.MREMAP_DONTUNMAP) != 0 && v.has(Vma.VM_DONTEXPAND)) {
            return Errno.EINVAL;
        }
        long o = nl < ol ? nl : ol; // a shrink may cross the end of the vma
        if (Long.compareUnsigned(o, v.end() - addr) > 0) {
            return Errno.EFAULT;
        }
        if (nl == o) {
            return 0;
        }
        return v.has(Vma.VM_DONTEXPAND) ? Errno.EFAULT : 0;
    }

    /** mremap_at(): no resize, shrink in place, or expand_vma() (in place, else a move if allowed). */
    private static Verdict mremapAt(ReferenceLayout l, Region v, long addr, long ol, long nl, int flags, long r) {
        if (nl == ol) {
            return Verdict.of(addr, l);
        }
        if (nl < ol) {
            l.remove(addr + nl, addr + ol); // shrink_vma()
            return Verdict.of(addr, l);
        }
        long delta = nl - ol;
        long end = v.end() + delta;
        // vrm_can_expand_in_place(): the range reaches the vma's end, and vma_expandable()
        if (v.end() - addr == ol && Long.compareUnsigned(end, v.end()) > 0
                && Long.compareUnsigned(end, ReferenceRules.TASK_SIZE) <= 0 && l.free(v.end(), end)) {
            l.put(new Region(v.end(), end, v.flags(), v.file(), v.file() == null ? 0 : v.pgoff() + v.pages()));
            return Verdict.of(addr, l);
        }
        if ((flags & Mman.MREMAP_MAYMOVE) == 0) {
            return Verdict.of(-Errno.ENOMEM, l);
        }
        String bad = chosen(l, r, nl);
        return bad != null ? Verdict.wrong(bad) : move(l, l.at(addr), addr, ol, nl, r, flags);
    }

    /** mremap_to(): MREMAP_FIXED unmaps the destination first; a shrink happens before the move. */
    private static Verdict mremapTo(ReferenceLayout l, long addr, long ol, long nl, int flags, long newAddr, long r) {
        if ((flags & Mman.MREMAP_FIXED) != 0) {
            l.remove(newAddr, newAddr + nl);
            if (l.at(addr) == null) {
                return Verdict.of(-Errno.EFAULT, l);
            }
        }
        if (nl < ol) {
            l.remove(addr + nl, addr + ol);
            ol = nl;
            if (l.at(addr) == null) {
                return Verdict.of(-Errno.EFAULT, l);
            }
        }
        long to = newAddr;
        if ((flags & Mman.MREMAP_FIXED) == 0) {
            // MREMAP_DONTUNMAP without MREMAP_FIXED: new_addr is a hint to get_unmapped_area()
            String bad = chosen(l, r, nl);
            if (bad != null) {
                return Verdict.wrong(bad);
            }
            to = r;
        }
        return move(l, l.at(addr), addr, ol, nl, to, flags);
    }

    /**
     * remap_move(): each vma meeting [addr, addr + len) moved on its own, the gaps between them
     * kept; a gap at the start EFAULT; a vma that cannot join a multi-vma move (userfaultfd armed,
     * vma_multi_allowed()) EFAULT if it is not the only one; an error leaves the earlier vmas moved.
     */
    private static Verdict remapMove(ReferenceLayout l, ReferenceLayout pre, long addr, long len, long newAddr, int flags) {
        long end = addr + len;
        long target = newAddr;
        long res = -Errno.EFAULT;
        boolean seen = false;
        long lastEnd = 0;
        for (Region v : pre.in(addr, end)) {
            long a = Math.max(v.start(), addr);
            long n = Math.min(end, v.end()) - a;
            if (!seen && addr < v.start()) {
                return Verdict.of(-Errno.EFAULT, l);
            }
            long offset = seen ? v.start() - lastEnd : 0;
            lastEnd = v.end();
            long to = target + offset;
            if (v.has(Vma.VM_UFFD_MISSING) && (seen || v.end() < end)) {
                return Verdict.of(-Errno.EFAULT, l);
            }
            if ((flags & Mman.MREMAP_DONTUNMAP) != 0 && v.has(Vma.VM_DONTEXPAND)) {
                return Verdict.of(-Errno.EINVAL, l);
            }
            l.remove(to, to + n);
            Verdict m = move(l, l.at(a), a, n, n, to, flags);
            if (m.unknown()) {
                return m;
            }
            if (!seen) {
                res = to;
            }
            seen = true;
            target = to + n;
        }
        return Verdict.of(res, l);
    }

    /**
     * move_vma(): the new vma at TO carries the source's flags and backing for NL bytes (an
     * expansion continues the file offset); the source is unmapped, or with MREMAP_DONTUNMAP
     * stays mapped without VM_LOCKED / VM_LOCKONFAULT (dontunmap_complete(); undecided for part
     * of a locked vma, whose split the reference does not follow).
     */
    private static Verdict move(ReferenceLayout l, Region v, long addr, long ol, long nl, long to, int flags) {
        if (v == null) {
            return Verdict.of(-Errno.EFAULT, l);
        }
        Region src = v.piece(addr, addr + ol);
        if ((flags & Mman.MREMAP_DONTUNMAP) != 0) {
            if (v.has(ReferenceRules.LOCKED_MASK) && (v.start() != addr || v.end() != addr + ol)) {
                return Verdict.UNKNOWN;
            }
            l.change(addr, addr + ol, ReferenceRules.LOCKED_MASK, 0);
        } else {
            l.remove(addr, addr + ol);
        }
        l.put(src.movedTo(to, nl - ol));
        return Verdict.of(to, l);
    }

    /** Null if R is an address get_unmapped_area() could have chosen for LEN bytes in L, else why not. */
    private static String chosen(ReferenceLayout l, long r, long len) {
        if (Errno.isError(r)) {
            return "mremap failed with " + Errno.name((int) -r) + " where the reference expects a move";
        }
        if (unaligned(r) || !l.free(r, r + len)) {
            return "mremap moved to " + Long.toHexString(r) + " (+" + len + "), not a free aligned range of " + l;
        }
        return null;
    }
}
