package org.rmaplab.mm;

/**
 * mm/mremap.c: mremap(2) of Linux 6.17+ (do_mremap, check_mremap_params, check_prep_vma,
 * remap_move, expand_vma, mremap_to, move_vma), what one call asks threaded through as
 * {@link Vrm} (struct vma_remap_struct), and lokier's growth of a user-visible vma by a vma of its
 * own (rmaplab's own design, never in Linux).
 *
 * <p>Invariants kept: the moved range's ptes all move (or, out of memory, all go back and the new
 * vmas are unmapped: the call fails with nothing changed); the source is unmapped after the move
 * unless MREMAP_DONTUNMAP, which leaves it mapped, empty, unlocked; locked_vm follows the lock.
 *
 * <p>Lock order (for the reader), as move_vma() → move_page_tables(): mmap_lock (write), then
 * (need_rmap_locks) the file's i_mmap_rwsem and the anon_vma root's rwsem, then the old pte lock,
 * then the new one (nested).
 */
public final class Mremap {
    private final Machine k;
    private final Frames frames;
    private final RmapDesign design;

    // Counters.
    /** move_normal_pmd(): PTE tables moved whole. */
    long pmdMoves;
    /** move_normal_pud(): PMD tables moved whole. */
    long pudMoves;
    /** ptes moved one by one (move_ptes, 2.6's move_one_page), swap entries included. */
    long ptesMoved;

    Mremap(Machine k) {
        this.k = k;
        this.frames = k.frames;
        this.design = k.design;
    }

    /** What mremap(2) was called with: old_addr, old_len, new_len, flags, new_addr. */
    public record Request(long addr, long oldLen, long newLen, int flags, long newAddr) {}

    /**
     * What one mremap did: {@code ret}, the system call's return value (the new address or
     * -errno), and {@code movedBeforeError}, how many bytes of the source range remap_move() had
     * moved, vma by vma, when a later vma failed (the call returns that vma's error; the earlier
     * ones stay moved, as in Linux), 0 otherwise.
     */
    public record Result(long ret, long movedBeforeError) {}

    /**
     * struct vma_remap_struct (vrm): what one mremap asks, its lengths page-aligned, threaded
     * through the helpers as Linux threads it. remap_move() makes one per vma it moves,
     * mremap_to() one with old_len cut to new_len after a shrink, vrm_set_new_addr() one with the
     * address chosen.
     */
    /**
     * struct pagetable_move_control (pmc, Linux 6.16+): one move_page_tables() call, the ptes of
     * [oldAddr, oldAddr+len) in vma to newAddr in newVma; made once per call, not per pte.
     */
    record PageTableMove(Vma vma, long oldAddr, Vma newVma, long newAddr, long len) {}

    record Vrm(Mm mm, long addr, long oldLen, long newLen, int flags, long newAddr) {
        /** vrm_implies_new_addr(): MREMAP_FIXED or MREMAP_DONTUNMAP. */
        boolean impliesNewAddr() {
            return (flags & (Mman.MREMAP_FIXED | Mman.MREMAP_DONTUNMAP)) != 0;
        }

        /** The same flags for [addr, addr+oldLen) to newLen at newAddr. */
        Vrm with(long addr, long oldLen, long newLen, long newAddr) {
            return new Vrm(mm, addr, oldLen, newLen, flags, newAddr);
        }

        Vrm withNewAddr(long newAddr) {
            return with(addr, oldLen, newLen, newAddr);
        }
    }

    /**
     * SYSCALL_DEFINE5(mremap) → do_mremap() of Linux 6.17+: check_mremap_params(), then either
     * remap_move() (MREMAP_FIXED without a size change: every vma of the range moves, gaps kept)
     * or check_prep_vma() and mremap_to() / mremap_at().
     */
    Result mremap(Task t, Request req) {
        k.requireAlive(t);
        Vrm vrm = new Vrm(t.mm, req.addr(), PageTable.pageAlign(req.oldLen()), PageTable.pageAlign(req.newLen()),
                req.flags(), req.newAddr());
        Result r = doMremap(vrm);
        k.vmaOps.regroup(t.mm);
        return r;
    }

    /** do_mremap() (Linux 6.17+), the lengths already page-aligned. */
    Result doMremap(Vrm vrm) {
        long r = checkMremapParams(vrm);
        if (r != 0) {
            return new Result(r, 0);
        }
        if ((vrm.flags() & Mman.MREMAP_FIXED) != 0 && vrm.oldLen() == vrm.newLen()) {
            return remapMove(vrm);
        }
        Vma vma = vrm.mm().vmaLookup(vrm.addr());
        r = checkPrepVma(vma, vrm);
        if (r != 0) {
            return new Result(r, 0);
        }
        return new Result(vrm.impliesNewAddr() ? mremapTo(vrm) : mremapAt(vma, vrm), 0);
    }

    /** mremap_at(): the range stays where it is, or shrinks (shrink_vma), or grows (expand_vma). */
    long mremapAt(Vma vma, Vrm vrm) {
        Mm mm = vrm.mm();
        long addr = vrm.addr();
        long oldLen = vrm.oldLen();
        long newLen = vrm.newLen();
        long r;
        if (oldLen == newLen) {
            return addr;
        }
        if (oldLen > newLen) {
            // shrink_vma(): just unmap the tail (it may span several vmas and gaps).
            r = k.vmaOps.munmapRange(mm, addr + newLen, addr + oldLen);
            return r != 0 ? r : addr;
        }
        return expandVma(vma, vrm);
    }

    /** check_mremap_params(). */
    long checkMremapParams(Vrm vrm) {
        long addr = vrm.addr();
        long oldLen = vrm.oldLen();
        long newLen = vrm.newLen();
        int flags = vrm.flags();
        long newAddr = vrm.newAddr();
        if ((flags & ~(Mman.MREMAP_FIXED | Mman.MREMAP_MAYMOVE | Mman.MREMAP_DONTUNMAP)) != 0) {
            return -Errno.EINVAL;
        }
        if (PageTable.offsetInPage(addr)) {
            return -Errno.EINVAL;
        }
        // A zero old_len is the "duplicate shm area" special case; a zero new_len is nonsense.
        if (newLen == 0) {
            return -Errno.EINVAL;
        }
        if (newLen > Machine.TASK_SIZE || Long.compareUnsigned(newAddr, Machine.TASK_SIZE - newLen) > 0) {
            return -Errno.EINVAL;
        }
        if ((flags & (Mman.MREMAP_FIXED | Mman.MREMAP_DONTUNMAP)) == 0) {
            return 0;
        }
        if (PageTable.offsetInPage(newAddr)) {
            return -Errno.EINVAL;
        }
        if ((flags & Mman.MREMAP_MAYMOVE) == 0) {
            return -Errno.EINVAL; // a fixed address implies a move
        }
        if ((flags & Mman.MREMAP_DONTUNMAP) != 0 && oldLen != newLen) {
            return -Errno.EINVAL;
        }
        // vrm_overlaps()
        if (newAddr + newLen > addr && addr + oldLen > newAddr) {
            return -Errno.EINVAL;
        }
        if (vrm.mm().mapCount + 2 >= k.maxMapCount - 3) {
            return -Errno.ENOMEM;
        }
        return 0;
    }

    /** check_prep_vma() (with what 6.17 inlined from remap_is_valid()). */
    long checkPrepVma(Vma vma, Vrm vrm) {
        if (vma == null) {
            return -Errno.EFAULT;
        }
        long addr = vrm.addr();
        long oldLen = vrm.oldLen();
        long newLen = vrm.newLen();
        int flags = vrm.flags();
        boolean impliesNewAddr = vrm.impliesNewAddr();
        boolean shrink = oldLen > newLen;
        boolean expand = newLen > oldLen;
        if (!expand && !impliesNewAddr) {
            return 0; // vrm_will_map_new() is false
        }
        if (oldLen == 0 && (vma.vmFlags & (Vma.VM_SHARED | Vma.VM_MAYSHARE)) == 0) {
            return -Errno.EINVAL; // duplicating a private mapping is not supported
        }
        if ((flags & Mman.MREMAP_DONTUNMAP) != 0 && (vma.vmFlags & (Vma.VM_DONTEXPAND | Vma.VM_IO)) != 0) {
            return -Errno.EINVAL;
        }
        // Crossing vma boundaries is permitted for the range a shrink unmaps. Under lokier the
        // vma is the user-visible one: a VM_GROUP group.
        long len = shrink ? newLen : oldLen;
        if (len > VmaOps.groupLast(vma.mm, vma).vmEnd - addr) {
            return -Errno.EFAULT;
        }
        if (newLen == len) {
            return 0;
        }
        long pgoff = vma.linearPageIndex(addr);
        if (pgoff + (newLen >>> Machine.PAGE_SHIFT) < pgoff) {
            return -Errno.EINVAL;
        }
        if ((vma.vmFlags & (Vma.VM_DONTEXPAND | Vma.VM_IO)) != 0) {
            return -Errno.EFAULT;
        }
        return 0;
    }

    /**
     * remap_move() (Linux 6.17+): MREMAP_FIXED with old_len == new_len moves every vma of
     * [addr, addr+len), split at the ends as needed, keeping the gaps between them; each one goes
     * through check_prep_vma() and mremap_to() on its own (so only the destination of each vma is
     * unmapped first). A gap at the start is EFAULT.
     */
    Result remapMove(Vrm vrm) {
        Mm mm = vrm.mm();
        long start = vrm.addr();
        long end = start + vrm.oldLen();
        long target = vrm.newAddr();
        long res = -Errno.EFAULT;
        boolean seen = false;
        long lastEnd = 0;
        long cursor = start;
        while (cursor < end) {
            Vma vma = mm.findVma(cursor);
            if (vma == null || vma.vmStart >= end) {
                break;
            }
            if (!seen && start < vma.vmStart) {
                return new Result(-Errno.EFAULT, 0); // no gap permitted at the start of the range
            }
            long a = Math.max(vma.vmStart, start);
            long l = Math.min(end, vma.vmEnd) - a;
            long offset = seen ? vma.vmStart - lastEnd : 0;
            lastEnd = vma.vmEnd;
            long dest = target + offset;
            // vma_multi_allowed(): a uffd-armed vma moves only on its own (the notification
            // would need the mmap lock dropped).
            if (vma.uffdArmed() && (seen || vma.vmEnd < end)) {
                return new Result(-Errno.EFAULT, cursor - start);
            }
            Vrm piece = vrm.with(a, l, l, dest);
            long r = checkPrepVma(vma, piece);
            if (r == 0) {
                r = mremapTo(piece);
            }
            if (Errno.isError(r)) {
                return new Result(r, cursor - start);
            }
            if (!seen) {
                res = r;
            }
            seen = true;
            target = r + l;
            cursor = a + l;
        }
        return new Result(res, 0);
    }

    /**
     * expand_vma(): in place when the pages after the vma are free, else move (MAYMOVE). Under
     * lokier the vma is the user-visible one, a group: the range must end where the group ends, and
     * its last vma grows — in its offset space if the design allows it ({@link
     * RmapDesign#canExpandAnon}), else by a new vma for the grown part (docs/reference.md#lokier-offset-space: "When a vma is
     * grown and the page-&gt;offset space it would like to occupy is already taken, it can be split
     * into two vmas").
     */
    long expandVma(Vma vma, Vrm vrm) {
        Mm mm = vrm.mm();
        long addr = vrm.addr();
        long oldLen = vrm.oldLen();
        long newLen = vrm.newLen();
        long delta = newLen - oldLen;
        Vma last = VmaOps.groupLast(mm, vma); // vma itself but under lokier
        if (last.vmEnd - addr == oldLen && vmaExpandable(mm, last, delta)) {
            long oldEnd = last.vmEnd;
            Vma v;
            if (last.file != null || design.canExpandAnon(last, delta)) {
                // expand_vma_in_place() → vma_merge_extend(): the grown range merges with vma and
                // possibly the next vma.
                v = k.vmaOps.mergeNewRange(VmaOps.Vmg.newRange(mm, oldEnd, oldEnd + delta, last.vmFlags,
                        last.vmFile, last.linearPageIndex(oldEnd)).withAnon(last.anonVma));
            } else {
                v = growAnonPiece(last, VmaOps.groupStart(mm, vma), oldEnd, oldEnd + delta);
            }
            if (v == null) {
                return -Errno.ENOMEM;
            }
            if ((v.vmFlags & Vma.VM_LOCKED) != 0) {
                mm.lockedVm += delta >>> Machine.PAGE_SHIFT;
                k.gup.populate(mm, oldEnd, oldEnd + delta);
            }
            return addr;
        }
        if ((vrm.flags() & Mman.MREMAP_MAYMOVE) == 0) {
            return -Errno.ENOMEM;
        }
        long na = vrmNewAddr(vma, vrm, 0);
        if (Errno.isError(na)) {
            return na;
        }
        return moveVma(vma, vrm.withNewAddr(na));
    }

    /**
     * lokier: [start, end) grows the user-visible vma whose last vma is {@code prev} (it began at
     * {@code regionStart}) but may not take the offsets after prev's. It becomes a vma of its own,
     * its pgoff from the design ({@link RmapDesign#ANON_GROW}), sharing prev's anon state; the end
     * of the system call groups it with prev (a merge was tried across start). Returns the vma
     * that now covers the range, or null (ENOMEM).
     */
    Vma growAnonPiece(Vma prev, long regionStart, long start, long end) {
        Mm mm = prev.mm;
        long flags = prev.vmFlags & ~Vma.VM_GROUP;
        long pgoff = design.anonPgoff(mm, start, end, flags, RmapDesign.ANON_GROW, regionStart);
        Vma v = k.vmaOps.mergeNewRange(VmaOps.Vmg.newRange(mm, start, end, flags, null, pgoff).withAnon(prev.anonVma));
        if (v != null) {
            return v;
        }
        Vma nv = new Vma(mm, start, end, flags, pgoff, null);
        if (design.vmaCopy(prev, nv) != 0) {
            return null;
        }
        k.vmaOps.link(nv);
        return nv;
    }

    /**
     * vrm_set_new_addr(): get_unmapped_area() for the moved vma, with its file, pgoff and sharing,
     * at the hint {@code newAddr}; the caller records the address in a new vrm.
     */
    long vrmNewAddr(Vma vma, Vrm vrm, long newAddr) {
        Mm mm = vrm.mm();
        long newLen = vrm.newLen();
        int mapFlags = 0;
        if ((vrm.flags() & Mman.MREMAP_FIXED) != 0) {
            mapFlags |= Mman.MAP_FIXED;
        }
        if ((vma.vmFlags & Vma.VM_MAYSHARE) != 0) {
            mapFlags |= Mman.MAP_SHARED;
        }
        if (vma.file == null) {
            mapFlags |= Mman.MAP_ANONYMOUS;
        }
        return k.mmap.getUnmappedArea(mm, newAddr, newLen, mapFlags);
    }

    /** vma_expandable(): nothing mapped in [vm_end, vm_end + delta) and within TASK_SIZE. */
    boolean vmaExpandable(Mm mm, Vma vma, long delta) {
        long end = vma.vmEnd + delta;
        if (end < vma.vmEnd || end > Machine.TASK_SIZE) {
            return false;
        }
        if (mm.findVmaIntersection(vma.vmEnd, end) != null) {
            return false;
        }
        return !Errno.isError(k.mmap.getUnmappedArea(mm, vma.vmStart, end - vma.vmStart, Mman.MAP_FIXED));
    }

    /** mremap_to(): MREMAP_FIXED / MREMAP_DONTUNMAP. */
    long mremapTo(Vrm vrm) {
        Mm mm = vrm.mm();
        long addr = vrm.addr();
        long oldLen = vrm.oldLen();
        long newLen = vrm.newLen();
        int flags = vrm.flags();
        long newAddr = vrm.newAddr();
        Vma vma;
        if ((flags & Mman.MREMAP_FIXED) != 0) {
            // The destination is unmapped first.
            long e = k.vmaOps.munmapRange(mm, newAddr, newAddr + newLen);
            if (e != 0) {
                return e;
            }
        }
        vma = mm.vmaLookup(addr);
        if (vma == null) {
            return -Errno.EFAULT;
        }
        if (oldLen > newLen) {
            long e = k.vmaOps.munmapRange(mm, addr + newLen, addr + oldLen);
            if (e != 0) {
                return e;
            }
            oldLen = newLen;
            vma = mm.vmaLookup(addr);
            if (vma == null) {
                return -Errno.EFAULT;
            }
        }
        long na = vrmNewAddr(vma, vrm, newAddr);
        if (Errno.isError(na)) {
            return na;
        }
        return moveVma(vma, vrm.with(addr, oldLen, newLen, na));
    }

    /**
     * move_vma(): copy_vma() makes (or merges into) the vma at the new place, move_page_tables()
     * moves the ptes ({@link #copyVmaAndData}), then the old range is unmapped — or, with
     * MREMAP_DONTUNMAP, left mapped and empty, its mlock and anon state dropped
     * ({@link #dontunmapComplete}).
     *
     * <p>Under lokier [oldAddr, oldAddr+oldLen) may cover several vmas of one group: each moves in
     * turn with its own pgoff (the remap_move() way), to consecutive places, and the last one takes
     * the growth — in its offset space if {@link RmapDesign#canGrowMovedAnon} allows, else as a
     * new vma ({@link #growAnonPiece}). Under the other designs the range lies in one vma and the
     * loop runs once.
     */
    long moveVma(Vma vma, Vrm vrm) {
        Mm mm = vrm.mm();
        if (mm.mapCount >= k.maxMapCount - 3) {
            return -Errno.ENOMEM;
        }
        long vmFlags = vma.vmFlags;
        long e = copyVmaAndData(vma, vrm);
        if (e != 0) {
            return e;
        }
        long oldAddr = vrm.addr();
        long oldLen = vrm.oldLen();
        long newLen = vrm.newLen();
        long newAddr = vrm.newAddr();
        if ((vrm.flags() & Mman.MREMAP_DONTUNMAP) != 0) {
            dontunmapComplete(vrm);
        } else if (oldLen > 0) {
            // unmap_source_vma(): do_vmi_munmap() of a zero old_len (duplicating a shared
            // mapping) fails with EINVAL before it splits anything, and the error is ignored.
            e = k.vmaOps.munmapRange(mm, oldAddr, oldAddr + oldLen);
            if (e != 0) {
                return e;
            }
        }
        if ((vmFlags & Vma.VM_LOCKED) != 0) {
            mm.lockedVm += newLen >>> Machine.PAGE_SHIFT;
            if (newLen > oldLen) {
                k.gup.populate(mm, newAddr + oldLen, newAddr + newLen);
            }
        }
        return newAddr;
    }

    /**
     * copy_vma_and_data(): copy_vma() then move_page_tables() for each vma of the source range in
     * turn (one but under lokier); out of memory, what moved goes back and the new vmas are
     * unmapped (-ENOMEM).
     */
    long copyVmaAndData(Vma vma, Vrm vrm) {
        Mm mm = vrm.mm();
        long oldAddr = vrm.addr();
        long oldEnd = oldAddr + vrm.oldLen();
        long newLen = vrm.newLen();
        long newAddr = vrm.newAddr();
        Vma piece = vma;
        Vma newVma;
        long a = oldAddr;
        for (;;) {
            long pEnd = Math.min(piece.vmEnd, oldEnd);
            long l = pEnd - a;
            long dest = newAddr + (a - oldAddr);
            boolean lastPiece = pEnd == oldEnd;
            long destLen = lastPiece ? newAddr + newLen - dest : l;
            long grow = destLen - l;
            boolean split = grow > 0 && piece.file == null && piece.anonVma != null
                    && !design.canGrowMovedAnon(piece, a, l, grow);
            // copy_vma() sizes the new vma for new_len; only old_len of ptes move into it.
            newVma = k.vmaOps.copyVma(piece, dest, split ? l : destLen, piece.linearPageIndex(a));
            if (newVma == null) {
                if (a > oldAddr) {
                    moveBack(mm, oldAddr, a, newAddr);
                    k.vmaOps.munmapRange(mm, newAddr, newAddr + newLen);
                }
                return -Errno.ENOMEM;
            }
            long moved = movePageTables(new PageTableMove(piece, a, newVma, dest, l));
            if (moved < l || (split && growAnonPiece(newVma, newAddr, dest + l, dest + destLen) == null)) {
                // Put back what moved (move_page_tables in reverse), then undo the new vmas.
                if (moved < l) {
                    movePageTables(new PageTableMove(newVma, dest, piece, a, moved));
                    moveBack(mm, oldAddr, a, newAddr);
                } else {
                    moveBack(mm, oldAddr, pEnd, newAddr);
                }
                k.vmaOps.munmapRange(mm, newAddr, newAddr + newLen);
                return -Errno.ENOMEM;
            }
            if (lastPiece) {
                return 0;
            }
            a = pEnd;
            piece = mm.vmaLookup(a);
        }
    }

    /**
     * dontunmap_complete(): the source stays mapped and empty; the old vma always loses
     * VM_LOCKED[ONFAULT] (6.18 keeps VM_ACCOUNT) — also when copy_vma() merged the new
     * range into it (vrm->vma is then new_vma, the whole merged vma) — and if it was exactly
     * the moved range its anon state goes (unlink_anon_vmas), so it is like a never-faulted
     * vma again. Under lokier "the old vma" is the user-visible one: every vma of its group.
     */
    void dontunmapComplete(Vrm vrm) {
        Mm mm = vrm.mm();
        long oldAddr = vrm.addr();
        long oldEnd = oldAddr + vrm.oldLen();
        long newAddr = vrm.newAddr();
        long newLen = vrm.newLen();
        Vma old = mm.vmaLookup(oldAddr);
        if (old == null) {
            return;
        }
        long gs = VmaOps.groupStart(mm, old);
        long ge = VmaOps.groupLast(mm, old).vmEnd;
        boolean whole = gs == oldAddr && ge == oldEnd;
        for (Vma p = mm.vmaLookup(gs); p != null && p.vmStart < ge; p = mm.vmaLookup(p.vmEnd)) {
            boolean wasLocked = (p.vmFlags & Vma.VM_LOCKED) != 0;
            if (wasLocked) {
                mm.lockedVm -= p.pages();
            }
            p.vmFlags &= ~Vma.VM_LOCKED_MASK;
            if (wasLocked) {
                // A merged vma may hold moved pages: they are no longer mapped locked.
                design.vmaLockChanged(p, p.vmStart, p.vmEnd);
            }
            boolean mergedWithDestination = p.vmStart < newAddr + newLen && newAddr < p.vmEnd;
            if (whole && !mergedWithDestination && p.anonVma != null) {
                design.vmaAnonReset(p);
            }
        }
    }

    /** A failed group move: the ptes of [oldAddr, done), already moved to newAddr, go back. */
    void moveBack(Mm mm, long oldAddr, long done, long newAddr) {
        long x = oldAddr;
        while (x < done) {
            Vma src = mm.vmaLookup(x);
            long d = newAddr + (x - oldAddr);
            Vma dst = mm.vmaLookup(d);
            long step = Math.min(Math.min(src.vmEnd, done), x + (dst.vmEnd - d)) - x;
            movePageTables(new PageTableMove(dst, d, src, x, step));
            x += step;
        }
    }

    // ------------------------------------------------------------------ move_page_tables

    /**
     * move_page_tables(): moves the ptes of [oldAddr, oldAddr+len) in {@code vma} to
     * {@code newAddr} in {@code newVma} (the fields of {@code pmc}), the way the design's era did
     * ({@link DesignTraits#movesPageTables}, docs/reference.md#mremap-page-tables): today's by
     * extents, moving whole page tables where it can ({@link #moveByExtents}); 2.6's one page at a
     * time ({@link #moveOneByOne}). Returns the bytes of the range moved (less than len only on
     * OOM).
     */
    long movePageTables(PageTableMove pmc) {
        return k.traits.movesPageTables() ? moveByExtents(pmc) : moveOneByOne(pmc);
    }

    /**
     * move_page_tables() of Linux 6.18: try_realign_addr() to the PMD boundary below, then per
     * extent: a whole PMD table when the extent covers a PUD on both sides (move_pgt_entry →
     * move_normal_pud, CONFIG_HAVE_MOVE_PUD), else a whole PTE table when it covers a PMD
     * (move_normal_pmd, CONFIG_HAVE_MOVE_PMD), else pte by pte (move_ptes). The destination's
     * tables are allocated as Linux does, before it knows whether any pte is there to move:
     * alloc_new_pud() once the source has a PMD table there, alloc_new_pmd() once it has a PTE
     * table, pte_alloc() before move_ptes(). Returns pmc_progress().
     */
    long moveByExtents(PageTableMove pmc) {
        long len = pmc.len();
        if (len == 0) {
            return 0;
        }
        Mm mm = pmc.vma().mm;
        Mm newMm = pmc.newVma().mm;
        long oldAddr = pmc.oldAddr();
        long newAddr = pmc.newAddr();
        long oldEnd = oldAddr + len;
        if (canRealignAddr(pmc)) {
            // try_realign_addr(): start at the PMD boundary below; old_end stays.
            oldAddr &= ~(PageTable.PMD_SIZE - 1);
            newAddr &= ~(PageTable.PMD_SIZE - 1);
        }
        long extent;
        for (; oldAddr < oldEnd; oldAddr += extent, newAddr += extent) {
            extent = getExtent(PageTable.PUD_SIZE, oldAddr, oldEnd, newAddr);
            long oldPud = PageTable.pudSlot(frames, mm.pgd, oldAddr);
            if (oldPud < 0 || PageTable.get(frames, oldPud) == 0) {
                continue; // get_old_pud(): none
            }
            long newPud = PageTable.pudSlotAlloc(frames, newMm, newAddr);
            if (newPud < 0) {
                break;
            }
            if (extent == PageTable.PUD_SIZE && moveNormalPud(pmc, oldPud, newPud, newAddr)) {
                continue;
            }
            extent = getExtent(PageTable.PMD_SIZE, oldAddr, oldEnd, newAddr);
            long oldPmd = PageTable.pmdSlot(frames, mm.pgd, oldAddr);
            if (PageTable.get(frames, oldPmd) == 0) {
                continue; // get_old_pmd(): none
            }
            long newPmd = PageTable.pmdSlotAlloc(frames, newMm, newAddr);
            if (newPmd < 0) {
                break;
            }
            if (extent == PageTable.PMD_SIZE && moveNormalPmd(pmc, oldPmd, newPmd, newAddr)) {
                continue;
            }
            int newTable = PageTable.pteAlloc(frames, newMm, newPmd, newAddr);
            if (newTable < 0) {
                break;
            }
            movePtes(PageTable.ptePfn(PageTable.get(frames, oldPmd)), newTable, oldAddr, newAddr, extent);
        }
        // pmc_progress(): nothing when the loop broke in a realigned first extent.
        long orig = pmc.oldAddr();
        return oldAddr < orig ? 0 : oldAddr - orig;
    }

    /**
     * get_extent(): from oldAddr up to the next boundary of {@code size} on either side, at most
     * to oldEnd.
     */
    static long getExtent(long size, long oldAddr, long oldEnd, long newAddr) {
        long extent = ((oldAddr + size) & -size) - oldAddr;
        extent = Math.min(extent, oldEnd - oldAddr);
        return Math.min(extent, ((newAddr + size) & -size) - newAddr);
    }

    /**
     * can_realign_addr() (Linux 6.7+, pagetable_mask PMD_MASK): the range reaches the next PMD
     * boundary, its start is not aligned but is aligned as the destination is, and aligning both
     * down lands on no mapping (can_align_down(): each address starts its vma and no vma lies
     * between the boundary and it). The model has no for_stack case (its exec moves no stack).
     */
    static boolean canRealignAddr(PageTableMove pmc) {
        long mask = PageTable.PMD_SIZE - 1;
        long oldAlign = pmc.oldAddr() & mask;
        long newAlign = pmc.newAddr() & mask;
        if (pmc.len() < PageTable.PMD_SIZE - oldAlign || oldAlign == 0 || oldAlign != newAlign) {
            return false;
        }
        return canAlignDown(pmc.vma(), pmc.oldAddr()) && canAlignDown(pmc.newVma(), pmc.newAddr());
    }

    /** can_align_down() without for_stack. */
    static boolean canAlignDown(Vma vma, long addr) {
        if (vma.vmStart != addr) {
            return false;
        }
        return vma.mm.findVmaIntersection(addr & ~(PageTable.PMD_SIZE - 1), vma.vmStart) == null;
    }

    /**
     * move_normal_pmd() (Linux 6.18, under move_pgt_entry(), which takes the rmap locks): the PTE
     * table changes its place in the tree, not its contents. Refused when the destination pmd is
     * not none (the WARN_ON_ONCE case: a table free_pgtables() kept) or the vma is registered with
     * userfaultfd without UFFD_FEATURE_EVENT_REMAP (vma_has_uffd_without_event_remap(): the harness
     * registers without it, so every registered vma); then move_ptes() does the extent.
     */
    boolean moveNormalPmd(PageTableMove pmc, long oldPmd, long newPmd, long newAddr) {
        if (PageTable.get(frames, newPmd) != 0 || pmc.vma().uffdArmed()) {
            return false;
        }
        long entry = PageTable.get(frames, oldPmd);
        PageTable.set(frames, oldPmd, 0);
        PageTable.set(frames, newPmd, entry);
        // The model's back-pointer for ptep_to_address(): the table now maps newAddr's span.
        frames.index[PageTable.ptePfn(entry)] = newAddr & ~(PageTable.PMD_SIZE - 1);
        pmdMoves++;
        return true;
    }

    /**
     * move_normal_pud() (Linux 6.18, CONFIG_HAVE_MOVE_PUD): the PMD table, with every PTE table
     * under it, changes its place; refused as {@link #moveNormalPmd} is. The model also moves the
     * back-pointers of the PTE tables below (its bookkeeping for ptep_to_address(); the kernel
     * keeps none).
     */
    boolean moveNormalPud(PageTableMove pmc, long oldPud, long newPud, long newAddr) {
        if (PageTable.get(frames, newPud) != 0 || pmc.vma().uffdArmed()) {
            return false;
        }
        long entry = PageTable.get(frames, oldPud);
        PageTable.set(frames, oldPud, 0);
        PageTable.set(frames, newPud, entry);
        int pmdTable = PageTable.ptePfn(entry);
        long base = newAddr & ~(PageTable.PUD_SIZE - 1);
        frames.index[pmdTable] = base;
        long[] pmds = frames.tab(pmdTable);
        for (int i = 0; i < PageTable.PTRS_PER_TABLE; i++) {
            if (pmds[i] != 0) {
                frames.index[PageTable.ptePfn(pmds[i])] = base + ((long) i << PageTable.PMD_SHIFT);
            }
        }
        pudMoves++;
        return true;
    }

    /**
     * move_ptes() of Linux 6.18: the ptes of one extent, inside one source and one destination PTE
     * table (both present), move over; rmap hears nothing (the anon_vma and the pgoff went with
     * the vma). Not modelled: the soft-dirty bit (move_soft_dirty_pte) and the batching of large
     * folios (the model has none).
     */
    void movePtes(int oldTable, int newTable, long oldAddr, long newAddr, long extent) {
        long[] otab = frames.tab(oldTable);
        long[] ntab = frames.tab(newTable);
        int oi = PageTable.idx(oldAddr, PageTable.PAGE_SHIFT);
        int ni = PageTable.idx(newAddr, PageTable.PAGE_SHIFT);
        int n = (int) (extent >>> PageTable.PAGE_SHIFT);
        long moved = 0;
        for (int i = 0; i < n; i++) {
            long pte = otab[oi + i];
            if (pte == 0) {
                continue; // pte_none
            }
            otab[oi + i] = 0;
            ntab[ni + i] = pte;
            moved++;
        }
        ptesMoved += moved;
    }

    /**
     * move_page_tables() of 2.6.0 and 2.6.7: move_one_page() for every page of the range — get the
     * source pte (get_one_pte_map_nested(): nothing to do when none), allocate the destination's
     * tables (alloc_one_pte_map()), move the pte (copy_one_pte() in 2.6.0, telling the design) —
     * whatever the alignment. The model visits the pages one PTE table at a time and skips a
     * range without one, where every page of 2.6's loop found nothing; 2.6.0 went from the end
     * backwards and moved everything back itself on failure, which leaves the same state as the
     * caller's move back. Returns the bytes moved before a failure (2.6.7's offset).
     */
    long moveOneByOne(PageTableMove pmc) {
        Mm mm = pmc.vma().mm;
        long oldAddr = pmc.oldAddr();
        long newAddr = pmc.newAddr();
        long oldEnd = oldAddr + pmc.len();
        while (oldAddr < oldEnd) {
            long extent = getExtent(PageTable.PMD_SIZE, oldAddr, oldEnd, newAddr);
            long oldPmd = PageTable.pmdSlot(frames, mm.pgd, oldAddr);
            if (oldPmd >= 0 && PageTable.get(frames, oldPmd) != 0) {
                long done = moveOnePages(pmc, PageTable.ptePfn(PageTable.get(frames, oldPmd)), oldAddr, newAddr, extent);
                if (done < extent) {
                    return oldAddr + done - pmc.oldAddr();
                }
            }
            oldAddr += extent;
            newAddr += extent;
        }
        return pmc.len();
    }

    /**
     * move_one_page() for each page of one extent, [oldAddr, oldAddr+extent) of the source PTE table
     * {@code oldTable} to newAddr: allocation-free but for the destination's tables, allocated
     * (alloc_one_pte_map) at the first pte to move. Returns the bytes done, less than extent when
     * an allocation failed.
     */
    long moveOnePages(PageTableMove pmc, int oldTable, long oldAddr, long newAddr, long extent) {
        Vma vma = pmc.vma();
        Vma newVma = pmc.newVma();
        boolean tell = k.traits.tellsMovedPtes();
        long[] otab = frames.tab(oldTable);
        long[] ntab = null;
        int newTable = -1;
        int oi = PageTable.idx(oldAddr, PageTable.PAGE_SHIFT);
        int ni = PageTable.idx(newAddr, PageTable.PAGE_SHIFT);
        int n = (int) (extent >>> PageTable.PAGE_SHIFT);
        for (int i = 0; i < n; i++) {
            long pte = otab[oi + i];
            if (pte == 0) {
                continue;
            }
            long off = (long) i << PageTable.PAGE_SHIFT;
            long oslot = PageTable.slot(oldTable, oi + i);
            if (!makeExclusive(vma, oldAddr + off, oslot, pte)) {
                return off;
            }
            if (ntab == null) {
                long nslot = PageTable.alloc(frames, newVma.mm, newAddr + off);
                if (nslot < 0) {
                    return off;
                }
                newTable = PageTable.slotTable(nslot);
                ntab = frames.tab(newTable);
            }
            pte = otab[oi + i]; // reclaim may have run during the allocations
            if (pte == 0) {
                continue;
            }
            otab[oi + i] = 0;
            ntab[ni + i] = pte;
            ptesMoved++;
            if (tell && PageTable.present(pte) && (pte & PageTable.SPECIAL) == 0) {
                design.ptemoved(PageTable.ptePfn(pte), vma, oldAddr + off, oslot, newVma, newAddr + off,
                        PageTable.slot(newTable, ni + i));
            }
        }
        return extent;
    }

    /**
     * Linus's rule (Linus Torvalds, 13 March 2004, docs/reference.md#linus-anon-memory-group;
     * anonmm's "rmap 11"): make an anonymous page exclusive before moving its pte — an early COW
     * at the old address, when the design asks ({@link RmapDesign#mremapMustCow}). wp_page_copy
     * gives up without copying when reclaim changed the pte while it allocated (a young bit
     * cleared, the page swapped out): look again, as a retried fault would. False when the copy
     * failed (out of memory).
     */
    boolean makeExclusive(Vma vma, long addr, long oslot, long pte) {
        for (int tries = 0; PageTable.present(pte) && (pte & PageTable.SPECIAL) == 0; tries++) {
            int pfn = PageTable.ptePfn(pte);
            if ((frames.flags[pfn] & Frames.PG_ANON) == 0 || !design.mremapMustCow(pfn)) {
                return true;
            }
            if (tries == 64 || k.memory.wpPageCopy(vma, addr, oslot, pte) != Memory.FAULT_OK) {
                return false;
            }
            long now = PageTable.get(frames, oslot);
            if (PageTable.present(now) && PageTable.ptePfn(now) != pfn) {
                design.stats().mremapCows++;
            }
            pte = now;
        }
        return true;
    }
}
