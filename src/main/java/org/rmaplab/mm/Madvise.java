package org.rmaplab.mm;

/**
 * mm/madvise.c: madvise(2) (do_madvise, madvise_walk_vmas, madvise_vma_behavior) for the advice the
 * model knows: DONTNEED, PAGEOUT (through mm/vmscan.c's reclaim_pages), REMOVE (through
 * mm/shmem.c), DONTFORK / DOFORK (a vma flag), and the hints without an effect the model can show.
 * Linux 6.18 unless a method says otherwise.
 *
 * <p>Invariants kept: a locked or VM_IO vma is never zapped or paged out (EINVAL); a page mapped
 * by other processes is not paged out; REMOVE keeps private COW copies.
 *
 * <p>Lock order (for the reader): mmap_lock (read for DONTNEED, PAGEOUT and REMOVE; write for the
 * flag changes), then i_mmap_rwsem (REMOVE's unmap_mapping_range), then the pte lock.
 */
final class Madvise {
    private final Machine k;
    private final Frames frames;

    Madvise(Machine k) {
        this.k = k;
        this.frames = k.frames;
    }

    /** do_madvise() for the advice the model knows. */
    long madvise(Task t, long start, long lenIn, int advice) {
        k.requireAlive(t);
        long r = doMadvise(t, start, lenIn, advice);
        k.vmaOps.regroup(t.mm);
        return r;
    }

    /** do_madvise() after the entry: madvise_behavior_valid(), the range, madvise_walk_vmas(). */
    long doMadvise(Task t, long start, long lenIn, int advice) {
        Mm mm = t.mm;
        if (FaultInject.on(FaultInject.Bug.MADVISE_DONTNEED_EINVAL) && advice == Mman.MADV_DONTNEED && lenIn >= 8 * Machine.PAGE_SIZE) {
            return -Errno.EINVAL;
        }
        switch (advice) {
            case Mman.MADV_DONTNEED:
            case Mman.MADV_DONTFORK:
            case Mman.MADV_DOFORK:
            case Mman.MADV_PAGEOUT:
            case Mman.MADV_REMOVE:
            case Mman.MADV_NORMAL:
            case Mman.MADV_RANDOM:
            case Mman.MADV_SEQUENTIAL:
            case Mman.MADV_WILLNEED:
            case Mman.MADV_COLD:
                break;
            default:
                return -Errno.EINVAL;
        }
        if (PageTable.offsetInPage(start)) {
            return -Errno.EINVAL;
        }
        long len = PageTable.pageAlign(lenIn);
        if (lenIn != 0 && len == 0) {
            return -Errno.EINVAL;
        }
        long end = start + len;
        if (end < start) {
            return -Errno.EINVAL;
        }
        if (end == start) {
            return 0;
        }
        // madvise_walk_vmas()
        Vma vma = mm.findVma(start);
        long unmappedError = 0;
        for (;;) {
            if (vma == null) {
                return -Errno.ENOMEM;
            }
            if (start < vma.vmStart) {
                unmappedError = -Errno.ENOMEM;
                start = vma.vmStart;
                if (start >= end) {
                    break;
                }
            }
            long tmp = Math.min(vma.vmEnd, end);
            long next = madviseVma(vma, start, tmp, advice);
            if (next < 0) {
                return next;
            }
            start = next;
            if (start >= end) {
                break;
            }
            vma = mm.findVma(start);
        }
        return unmappedError;
    }

    /**
     * madvise_vma_behavior() for one vma piece [start, end): -errno, or where the walk resumes
     * (end).
     */
    long madviseVma(Vma vma, long start, long end, int advice) {
        switch (advice) {
            case Mman.MADV_DONTNEED:
                // madvise_dontneed_free_valid_vma()
                if ((vma.vmFlags & (Vma.VM_LOCKED | Vma.VM_IO)) != 0) {
                    return -Errno.EINVAL;
                }
                if (vma.isNonlinear()) {
                    // madvise_dontneed (2.6.11): a VM_NONLINEAR vma is zapped with details'
                    // nonlinear_vma set, so it keeps its rearrangement as file ptes.
                    k.memory.zapNonlinear(vma, start, end, 0, Long.MAX_VALUE);
                    return end;
                }
                k.memory.zapRange(vma, start, end);
                return end;
            case Mman.MADV_PAGEOUT:
                // can_madv_lru_vma(), then madvise_cold_or_pageout_pte_range() and reclaim_pages().
                if ((vma.vmFlags & (Vma.VM_LOCKED | Vma.VM_IO)) != 0) {
                    return -Errno.EINVAL;
                }
                pageoutRange(vma, start, end);
                return end;
            case Mman.MADV_REMOVE: {
                // madvise_remove(): the range's file pages become a hole, vfs_fallocate(PUNCH_HOLE |
                // KEEP_SIZE) → shmem_fallocate: unmapped from every mapping but for private copies
                // (unmap_mapping_range without even_cows), then dropped from the cache and swap
                // (shmem_truncate_range; the range is page-aligned, so no partial page).
                if ((vma.vmFlags & Vma.VM_LOCKED) != 0 || vma.file == null) {
                    return -Errno.EINVAL;
                }
                if (vma.isNonlinear()) {
                    // madvise_remove() of 2.6.16 (mm/madvise.c, as MADV_REMOVE came in) to 3.19:
                    // "if (vma->vm_flags & (VM_LOCKED|VM_NONLINEAR|VM_HUGETLB)) return -EINVAL;" —
                    // the hole is given by linear offsets, which a nonlinear vma does not have.
                    // Only under machine remap=nonlinear; Linux 4.0 dropped VM_NONLINEAR from the
                    // test with the flag ("mm: remove rest usage of VM_NONLINEAR and pte_file()").
                    return -Errno.EINVAL;
                }
                if ((vma.vmFlags & (Vma.VM_SHARED | Vma.VM_MAYWRITE)) != (Vma.VM_SHARED | Vma.VM_MAYWRITE)) {
                    return -Errno.EACCES; // !vma_is_shared_maywrite()
                }
                long first = vma.linearPageIndex(start);
                long last = vma.linearPageIndex(end);
                k.memory.unmapMappingRange(vma.file, first, last, false);
                k.shmem.shmemUndoRange(vma.file, first, last);
                return end;
            }
            case Mman.MADV_DONTFORK:
                return madviseUpdate(vma, start, end, vma.vmFlags | Vma.VM_DONTCOPY);
            case Mman.MADV_DOFORK:
                if ((vma.vmFlags & Vma.VM_IO) != 0) {
                    return -Errno.EINVAL;
                }
                return madviseUpdate(vma, start, end, vma.vmFlags & ~Vma.VM_DONTCOPY);
            default:
                return end; // hints without an effect the model can show
        }
    }

    /**
     * MADV_PAGEOUT over [start, end) of vma: every present page this process alone maps (not
     * folio_maybe_mapped_shared) has its young bit cleared and is reclaimed at once.
     */
    void pageoutRange(Vma vma, long start, long end) {
        Mm mm = vma.mm;
        for (long a = start; a < end; a += Machine.PAGE_SIZE) {
            long slot = PageTable.lookup(frames, mm.pgd, a);
            if (slot < 0) {
                a = (a | (PageTable.PMD_SIZE - 1)) + 1 - Machine.PAGE_SIZE;
                continue;
            }
            long pte = PageTable.get(frames, slot);
            if (!PageTable.present(pte) || (pte & PageTable.SPECIAL) != 0) {
                continue;
            }
            int pfn = PageTable.ptePfn(pte);
            if (frames.mapcount[pfn] > 1) {
                continue;
            }
            PageTable.set(frames, slot, pte & ~PageTable.ACCESSED);
            k.vmscan.pageout(pfn);
        }
    }

    /** madvise_update_vma(): vma_modify_flags then set the flags; -errno or where the walk resumes. */
    long madviseUpdate(Vma vma, long start, long end, long newFlags) {
        if (newFlags == vma.vmFlags) {
            return end;
        }
        Vma v = k.vmaOps.modify(vma, start, end, newFlags);
        if (v == null) {
            // madvise() returns EAGAIN when kernel resources are temporarily unavailable.
            return k.vmaOps.err == -Errno.ENOMEM ? -Errno.EAGAIN : k.vmaOps.err;
        }
        VmaOps.setFlags(v, newFlags);
        return Math.max(end, Math.min(v.vmEnd, end));
    }
}
