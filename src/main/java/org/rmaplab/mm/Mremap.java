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
    private final RmapDesign design;

    /** move_page_tables() and what it moves, with its counters. */
    final MremapPageTables pageTables;
    /** MREMAP_RELOCATE_ANON's walk (Stoakes 2025), or null for a design that does not relocate. */
    private final MremapRelocate relocator;
    /** The flags check_mremap_params() accepts: 6.18's, and the relocation flags where honoured. */
    private final int knownFlags;

    Mremap(Machine k) {
        this.k = k;
        this.design = k.design;
        this.pageTables = new MremapPageTables(k);
        boolean relocates = design.relocatesAnon();
        this.relocator = relocates ? new MremapRelocate(k) : null;
        this.knownFlags = Mman.MREMAP_FIXED | Mman.MREMAP_MAYMOVE | Mman.MREMAP_DONTUNMAP
                | (relocates ? Mman.MREMAP_RELOCATE_ANON | Mman.MREMAP_MUST_RELOCATE_ANON : 0);
        design.stats().countsRelocation = relocates;
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
        // Linux 6.18 knows FIXED, MAYMOVE and DONTUNMAP; a design that relocates (Stoakes'
        // PATCH 01/11 and 02/11) also the relocation flags. Everything else is EINVAL.
        if ((flags & ~knownFlags) != 0) {
            return -Errno.EINVAL;
        }
        if (PageTable.offsetInPage(addr)) {
            return -Errno.EINVAL;
        }
        // A zero old_len is the "duplicate shm area" special case; a zero new_len is nonsense.
        if (newLen == 0) {
            return -Errno.EINVAL;
        }
        // PATCH 01/11/02/11: "We can't relocate without allowing a move."
        if ((flags & (Mman.MREMAP_RELOCATE_ANON | Mman.MREMAP_MUST_RELOCATE_ANON)) != 0
                && (flags & Mman.MREMAP_MAYMOVE) == 0) {
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
        if (len > VmaGroups.groupLast(vma.mm, vma).vmEnd - addr) {
            return FaultInject.on(FaultInject.Bug.MREMAP_PAST_VMA_EINVAL) ? -Errno.EINVAL : -Errno.EFAULT;
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
        Vma last = VmaGroups.groupLast(mm, vma); // vma itself but under lokier
        if (last.vmEnd - addr == oldLen && vmaExpandable(mm, last, delta)) {
            long oldEnd = last.vmEnd;
            Vma v;
            if (last.file != null || design.canExpandAnon(last, delta)) {
                // expand_vma_in_place() → vma_merge_extend(): the grown range merges with vma and
                // possibly the next vma.
                v = k.vmaOps.mergeNewRange(VmaOps.Vmg.newRange(mm, oldEnd, oldEnd + delta, last.vmFlags,
                        last.vmFile, last.linearPageIndex(oldEnd)).withAnon(last.anonVma));
            } else {
                v = growAnonPiece(last, VmaGroups.groupStart(mm, vma), oldEnd, oldEnd + delta);
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
        // should_relocate_anon(), first thing in copy_vma_and_data() (Stoakes' PATCH 01/11,
        // 02/11): MUST's EFAULT comes before anything moved (a FIXED destination is already
        // unmapped by then, as in the patch).
        int relocate = relocator == null ? 0 : relocator.shouldRelocateAnon(vma, vrm.flags());
        if (relocate < 0) {
            return relocate;
        }
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
            newVma = k.vmaOps.copyVma(piece, dest, split ? l : destLen, piece.linearPageIndex(a), relocate > 0);
            boolean relocating = relocate > 0 && k.vmaOps.copyRelocates;
            boolean updatePgoff = k.vmaOps.copyUpdatesPgoff;
            if (newVma == null) {
                if (a > oldAddr) {
                    moveBack(mm, oldAddr, a, newAddr);
                    k.vmaOps.munmapRange(mm, newAddr, newAddr + newLen);
                }
                return -Errno.ENOMEM;
            }
            if (relocate > 0) {
                relocateBeforeMove(piece, a, newVma, dest, l, relocating);
            }
            pageTables.updatePgoffTo = updatePgoff ? newVma : null;
            long moved = pageTables.movePageTables(new PageTableMove(piece, a, newVma, dest, l));
            pageTables.updatePgoffTo = null;
            if (moved < l || (split && growAnonPiece(newVma, newAddr, dest + l, dest + destLen) == null)) {
                // Put back what moved (move_page_tables in reverse), then undo the new vmas.
                if (moved < l) {
                    // Matěna's v3 passes update_pgoff to the reverse move too, which sets
                    // index = old_addr >> PAGE_SHIFT; the model gives the pages back the old
                    // vma's anon_vma and linear index, which is what they had.
                    pageTables.updatePgoffTo = updatePgoff ? piece : null;
                    pageTables.movePageTables(new PageTableMove(newVma, dest, piece, a, moved));
                    pageTables.updatePgoffTo = null;
                    moveBack(mm, oldAddr, a, newAddr);
                } else {
                    moveBack(mm, oldAddr, pEnd, newAddr);
                }
                if (relocating) {
                    // The patch undoes the relocation before pmc_revert moves the ptes back, over
                    // the old range only, where the ptes already moved are not: the model undoes
                    // it once every pte is back, so that no folio keeps the new vma's anon_vma.
                    relocator.relocateAnonFolios(piece, a, newVma, dest, l, true);
                }
                k.vmaOps.munmapRange(mm, newAddr, newAddr + newLen);
                return -Errno.ENOMEM;
            }
            if (relocating && k.vmaOps.mergeExisting(newVma) != null) {
                // "Let's try merge again...": the moved vma joins its neighbours.
                design.stats().relocateMerged++;
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
        long gs = VmaGroups.groupStart(mm, old);
        long ge = VmaGroups.groupLast(mm, old).vmEnd;
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

    /**
     * copy_vma_and_data() between copy_vma() and move_page_tables() when should_relocate_anon()
     * said yes: if copy_vma() merged the range (at the old pgoff) nothing is relocated ("If merge
     * succeeds, no need to relocate"), else relocate_anon_folios() re-homes the folios to the new
     * vma while their ptes are still at the old place.
     */
    private void relocateBeforeMove(Vma old, long oldAddr, Vma nv, long newAddr, long len, boolean relocating) {
        RmapStats stats = design.stats();
        if (!relocating) {
            stats.relocateNotNeeded++;
            return;
        }
        relocator.relocateAnonFolios(old, oldAddr, nv, newAddr, len, false);
        stats.relocateDone++;
    }

    /** A failed group move: the ptes of [oldAddr, done), already moved to newAddr, go back. */
    void moveBack(Mm mm, long oldAddr, long done, long newAddr) {
        long x = oldAddr;
        while (x < done) {
            Vma src = mm.vmaLookup(x);
            long d = newAddr + (x - oldAddr);
            Vma dst = mm.vmaLookup(d);
            long step = Math.min(Math.min(src.vmEnd, done), x + (dst.vmEnd - d)) - x;
            pageTables.movePageTables(new PageTableMove(dst, d, src, x, step));
            x += step;
        }
    }
}
