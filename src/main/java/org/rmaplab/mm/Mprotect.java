package org.rmaplab.mm;

/**
 * mm/mprotect.c: mprotect(2) (do_mprotect_pkey, mprotect_fixup), and the pte side,
 * change_protection(). Linux 6.18 unless a method says otherwise.
 *
 * <p>Invariants kept: every vma of the range gets the new VM_READ/WRITE/EXEC only where its
 * VM_MAY* bits allow (else EACCES and the vmas before it keep their change, as in Linux);
 * VM_ACCOUNT follows the commit rules; no pte stays writable in a vma without VM_WRITE.
 *
 * <p>Lock order (for the reader): mmap_lock (write), then in mm/vma.c i_mmap_rwsem and the anon_vma
 * root's rwsem, then the pte lock (change_pte_range).
 */
final class Mprotect {
    private final Machine k;
    private final Frames frames;

    Mprotect(Machine k) {
        this.k = k;
        this.frames = k.frames;
    }

    /** do_mprotect_pkey() (pkey -1). */
    long mprotect(Task t, long start, long len, int prot) {
        k.requireAlive(t);
        long r = doMprotect(t, start, len, prot);
        k.vmaOps.regroup(t.mm);
        return r;
    }

    /** do_mprotect_pkey() after the entry: the checks, then mprotect_fixup() vma by vma. */
    long doMprotect(Task t, long start, long len, int prot) {
        Mm mm = t.mm;
        if (PageTable.offsetInPage(start)) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        len = PageTable.pageAlign(len);
        long end = start + len;
        if (end <= start) {
            return -Errno.ENOMEM;
        }
        // arch_validate_prot(): only PROT_READ|WRITE|EXEC|SEM here (GROWSDOWN/UP not modelled).
        if ((prot & ~(Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC | 0x8)) != 0) {
            return -Errno.EINVAL;
        }
        Vma vma = mm.findVma(start);
        if (vma == null || vma.vmStart >= end) {
            return -Errno.ENOMEM;
        }
        if (vma.vmStart > start) {
            return -Errno.ENOMEM;
        }
        long tmp = start;
        long error = 0;
        while (tmp < end) {
            vma = mm.findVma(tmp);
            if (vma == null || vma.vmStart >= end) {
                break;
            }
            if (vma.vmStart != tmp && vma.vmStart > tmp) {
                error = FaultInject.on(FaultInject.Bug.MPROTECT_HOLE_EINVAL) ? -Errno.EINVAL : -Errno.ENOMEM;
                break;
            }
            long newFlags = Mmap.protBits(prot) | (vma.vmFlags & ~Vma.VM_ACCESS_FLAGS);
            // newflags >> 4 shifts VM_MAY% in place of VM_%.
            if ((newFlags & ~(newFlags >> 4) & Vma.VM_ACCESS_FLAGS) != 0) {
                error = -Errno.EACCES;
                break;
            }
            long pieceEnd = Math.min(vma.vmEnd, end);
            error = mprotectFixup(vma, tmp, pieceEnd, newFlags);
            if (error != 0) {
                break;
            }
            tmp = pieceEnd;
        }
        if (error == 0 && tmp < end) {
            error = -Errno.ENOMEM;
        }
        return error;
    }

    /** mprotect_fixup(). */
    long mprotectFixup(Vma vma, long start, long end, long newFlags) {
        long oldFlags = vma.vmFlags;
        if (newFlags == oldFlags) {
            return 0;
        }
        if ((newFlags & Vma.VM_WRITE) != 0
                && (oldFlags & (Vma.VM_ACCOUNT | Vma.VM_WRITE | Vma.VM_SHARED | Vma.VM_NORESERVE)) == 0) {
            newFlags |= Vma.VM_ACCOUNT; // the area turns into data: charge it
        } else if ((newFlags & Vma.VM_WRITE) == 0 && (oldFlags & Vma.VM_ACCOUNT) != 0
                && vma.file == null && vma.anonVma == null) {
            // The commit can be given back only while no anon_vma has been assigned.
            newFlags &= ~Vma.VM_ACCOUNT;
        }
        Vma v = k.vmaOps.modify(vma, start, end, newFlags);
        if (v == null) {
            return k.vmaOps.err;
        }
        VmaOps.setFlags(v, newFlags);
        changeProtection(v, v.vmStart, v.vmEnd);
        // Private locked memory becoming writable is faulted in for writing now
        // (populate_vma_page_range), so that later writes do not fault: it breaks COW, and an
        // unfaulted vma gets its anon_vma (and keeps VM_ACCOUNT when made read-only again).
        if ((oldFlags & (Vma.VM_WRITE | Vma.VM_SHARED | Vma.VM_LOCKED)) == Vma.VM_LOCKED
                && (newFlags & Vma.VM_WRITE) != 0) {
            k.gup.populate(v.mm, start, end, true);
        }
        return 0;
    }

    /**
     * change_protection(): rewrites the write bit of the ptes of [start, end) in vma after its
     * flags changed. Removing write clears RW; adding it sets RW where the kernel may do so at once
     * (can_change_pte_writable: shared mappings, and exclusive anonymous pages of private ones); the
     * rest take a write fault later.
     */
    void changeProtection(Vma vma, long start, long end) {
        Mm mm = vma.mm;
        boolean write = (vma.vmFlags & Vma.VM_WRITE) != 0;
        boolean shared = (vma.vmFlags & Vma.VM_SHARED) != 0;
        long addr = start;
        while (addr < end) {
            long tableEnd = (addr | (PageTable.PMD_SIZE - 1)) + 1;
            long stop = Math.min(tableEnd, end);
            long slot = PageTable.lookup(frames, mm.pgd, addr);
            if (slot < 0) {
                addr = stop;
                continue;
            }
            long[] tab = frames.tab(PageTable.slotTable(slot));
            int i = PageTable.slotIndex(slot);
            for (; addr < stop; addr += Machine.PAGE_SIZE, i++) {
                long pte = tab[i];
                if (!PageTable.present(pte)) {
                    continue;
                }
                if (!write) {
                    tab[i] = FaultInject.on(FaultInject.Bug.MPROTECT_KEEPS_WRITE) ? pte : pte & ~PageTable.RW;
                } else if ((pte & PageTable.SPECIAL) == 0) {
                    int pfn = PageTable.ptePfn(pte);
                    boolean can = shared
                            || ((frames.flags[pfn] & Frames.PG_ANON) != 0 && (frames.flags[pfn] & Frames.PG_ANON_EXCLUSIVE) != 0);
                    if (can && (pte & PageTable.DIRTY) != 0) {
                        tab[i] = pte | PageTable.RW;
                    }
                }
            }
        }
    }
}
