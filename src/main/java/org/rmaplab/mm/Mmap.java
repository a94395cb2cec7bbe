package org.rmaplab.mm;

/**
 * mm/mmap.c: mmap(2) (do_mmap, mmap_region / __mmap_region), munmap(2) (__vm_munmap), brk(2)
 * (do_brk_flags), get_unmapped_area() with arch_get_unmapped_area_topdown() (arch/x86), the
 * remap_file_pages(2) emulation (mm/mmap.c since Linux 4.0) and exit_mmap(). Linux 6.18 unless a
 * method says otherwise.
 *
 * <p>Invariants kept: a new mapping lies page-aligned inside [mmap_min_addr, TASK_SIZE), below
 * mmap_base unless placed; whatever it covered is unmapped first (MAP_FIXED) through
 * {@link VmaOps#munmapRange}; it merges with a compatible neighbour or becomes a vma linked in its
 * mm and its file's i_mmap; locked_vm counts the pages of VM_LOCKED vmas. mm->brk never leaves
 * [start_brk, ...) and the brk vma grows only into free space.
 *
 * <p>Lock order (for the reader: the model is single-threaded): mmap_lock (write), then, inside
 * mm/vma.c, the file's i_mmap_rwsem, then the anon_vma root's rwsem, then the pte lock
 * (zapping and populating).
 */
final class Mmap {
    private final Machine k;
    private final Frames frames;
    private final RmapDesign design;

    // Counters.
    /** expand_downwards() calls that grew a stack, and the pages they added. */
    long stackExpansions;
    long stackPagesGrown;

    Mmap(Machine k) {
        this.k = k;
        this.frames = k.frames;
        this.design = k.design;
    }

    /**
     * sys_mmap (arch/x86/kernel/sys_x86_64.c) → ksys_mmap_pgoff → do_mmap, checks in the kernel's
     * order. {@code file} is a number {@link Shmem#open} returned, or -1; with MAP_ANONYMOUS it is
     * ignored, as the kernel ignores the descriptor. {@code off} is the byte offset.
     */
    long mmap(Task t, long addr, long len, int prot, int flags, long file, long off) {
        k.requireAlive(t);
        if ((off & ~Machine.PAGE_MASK) != 0) {
            return -Errno.EINVAL; // sys_mmap: off & ~PAGE_MASK, for anonymous mappings too
        }
        AddressSpace as = null;
        if ((flags & Mman.MAP_ANONYMOUS) == 0) {
            // ksys_mmap_pgoff: fget(fd)
            if (file < 0 || file >= k.files.size()) {
                return -Errno.EBADF;
            }
            as = k.files.get((int) file);
        }
        // fget(fd): the harness opens the file for every mmap, so each mmap has its own struct file.
        long r = doMmap(t.mm, new MmapRequest(addr, len, prot, flags, as, as == null ? null : new Object(),
                off >>> Machine.PAGE_SHIFT));
        k.vmaOps.regroup(t.mm);
        return r;
    }

    /**
     * What do_mmap() is asked, after the system call's entry: the hint or fixed address, the
     * length, prot and flags as given, the file ({@code file}: its tmpfs inode or null; {@code vmFile}:
     * the open file, see {@link Vma#vmFile}) and the offset in pages.
     */
    record MmapRequest(long addr, long len, int prot, int flags, AddressSpace file, Object vmFile, long pgoff) {}

    /**
     * struct mmap_state (Linux 6.13+): the mapping __mmap_region() is to make, checked and placed:
     * [addr, addr+len) with vm_flags, pgoff, sharing and file.
     */
    record MmapState(Mm mm, long addr, long len, long vmFlags, long pgoff, boolean shared, AddressSpace file,
                     Object vmFile) {
        MmapState with(long vmFlags, boolean shared, long pgoff) {
            return new MmapState(mm, addr, len, vmFlags, pgoff, shared, file, vmFile);
        }
    }

    /**
     * do_mmap(), checks in the kernel's order: the length and hint, get_unmapped_area(), the
     * vm_flags of prot and flags; then the MAP_TYPE switch of a file ({@link #doMmapFile}) or of
     * anonymous memory ({@link #doMmapAnon}).
     */
    long doMmap(Mm mm, MmapRequest req) {
        long addr = req.addr();
        long len = req.len();
        int flags = req.flags();
        AddressSpace file = req.file();
        long pgoff = req.pgoff();
        if (len == 0) {
            return -Errno.EINVAL;
        }
        // Force arch-specific MAP_FIXED handling in get_unmapped_area.
        if ((flags & Mman.MAP_FIXED_NOREPLACE) != 0) {
            flags |= Mman.MAP_FIXED;
        }
        if ((flags & Mman.MAP_FIXED) == 0) {
            // round_hint_to_min()
            addr &= Machine.PAGE_MASK;
            if (addr != 0 && addr < Machine.MMAP_MIN_ADDR) {
                addr = PageTable.pageAlign(Machine.MMAP_MIN_ADDR);
            }
        }
        len = PageTable.pageAlign(len);
        if (len == 0 || len < 0) {
            return -Errno.ENOMEM;
        }
        // offset overflow?
        if (file != null && pgoff + (len >>> Machine.PAGE_SHIFT) < pgoff) {
            return -Errno.EOVERFLOW;
        }
        if (mm.mapCount > k.maxMapCount) {
            return -Errno.ENOMEM;
        }
        // __get_unmapped_area: a file (shmem_get_unmapped_area; tmpfs mounted huge=never) and
        // shared anonymous memory are placed plainly; only private anonymous memory is THP-aligned.
        long a = getUnmappedArea(mm, addr, len, flags);
        if (Errno.isError(a)) {
            return a;
        }
        addr = a;
        if ((flags & Mman.MAP_FIXED_NOREPLACE) != 0 && mm.findVmaIntersection(addr, addr + len) != null) {
            return -Errno.EEXIST;
        }
        long vmFlags = protBits(req.prot()) | Vma.VM_MAYREAD | Vma.VM_MAYWRITE | Vma.VM_MAYEXEC;
        if ((flags & Mman.MAP_GROWSDOWN) != 0) {
            vmFlags |= Vma.VM_GROWSDOWN;
        }
        if ((flags & Mman.MAP_LOCKED) != 0) {
            vmFlags |= Vma.VM_LOCKED;
        }
        MmapState map = new MmapState(mm, addr, len, vmFlags, pgoff, false, file, req.vmFile());
        return file != null ? doMmapFile(map, flags) : doMmapAnon(map, flags);
    }

    /** do_mmap()'s MAP_TYPE switch for a file, with file_mmap_ok(); then {@link #doMmapRegion}. */
    long doMmapFile(MmapState map, int flags) {
        long vmFlags = map.vmFlags();
        boolean shared;
        // file_mmap_ok(): MAX_LFS_FILESIZE for a tmpfs file.
        long maxsize = Long.MAX_VALUE - map.len();
        if (Long.compareUnsigned(map.pgoff(), maxsize >>> Machine.PAGE_SHIFT) > 0) {
            return -Errno.EOVERFLOW;
        }
        switch (flags & Mman.MAP_TYPE) {
            case Mman.MAP_SHARED:
            case Mman.MAP_SHARED_VALIDATE:
                // MAP_SHARED drops unknown flags (LEGACY_MAP_MASK); MAP_SHARED_VALIDATE refuses
                // them. The file is open O_RDWR (the harness's), so PROT_WRITE is allowed.
                if ((flags & Mman.MAP_TYPE) == Mman.MAP_SHARED_VALIDATE
                        && (flags & ~Mman.LEGACY_MAP_MASK) != 0) {
                    return -Errno.EOPNOTSUPP;
                }
                vmFlags |= Vma.VM_SHARED | Vma.VM_MAYSHARE;
                shared = true;
                break;
            case Mman.MAP_PRIVATE:
                shared = false;
                break;
            default:
                return -Errno.EINVAL;
        }
        if ((vmFlags & Vma.VM_GROWSDOWN) != 0) {
            return -Errno.EINVAL;
        }
        return doMmapRegion(map.with(vmFlags, shared, map.pgoff()), flags);
    }

    /** do_mmap()'s MAP_TYPE switch for anonymous memory; then {@link #doMmapRegion}. */
    long doMmapAnon(MmapState map, int flags) {
        long vmFlags = map.vmFlags();
        long pgoff;
        boolean shared;
        boolean sharedType = (flags & Mman.MAP_TYPE) == Mman.MAP_SHARED || (flags & Mman.MAP_TYPE) == Mman.MAP_SHARED_VALIDATE;
        switch (flags & Mman.MAP_TYPE) {
            case Mman.MAP_SHARED:
                if ((vmFlags & Vma.VM_GROWSDOWN) != 0) {
                    return -Errno.EINVAL;
                }
                shared = true;
                pgoff = 0; // ignore pgoff
                vmFlags |= Vma.VM_SHARED | Vma.VM_MAYSHARE;
                break;
            case Mman.MAP_PRIVATE:
                shared = false;
                pgoff = map.addr() >>> Machine.PAGE_SHIFT; // set pgoff according to addr for anon_vma
                break;
            default:
                return -Errno.EINVAL; // MAP_SHARED_VALIDATE and others are for files only
        }
        if (sharedType && !shared) {
            return -Errno.EINVAL;
        }
        return doMmapRegion(map.with(vmFlags, shared, pgoff), flags);
    }

    /**
     * The end of do_mmap(): VM_NORESERVE and VM_ACCOUNT, then mmap_region(); and vm_mmap_pgoff()'s
     * mm_populate() of a locked or MAP_POPULATE mapping. Returns the address or -errno.
     */
    long doMmapRegion(MmapState map, int flags) {
        long vmFlags = map.vmFlags();
        if ((flags & Mman.MAP_NORESERVE) != 0) {
            vmFlags |= Vma.VM_NORESERVE;
        }
        // accountable_mapping(): private writable memory is charged (VM_ACCOUNT).
        if ((vmFlags & (Vma.VM_NORESERVE | Vma.VM_SHARED | Vma.VM_WRITE)) == Vma.VM_WRITE) {
            vmFlags |= Vma.VM_ACCOUNT;
        }
        long r = mmapRegion(map.with(vmFlags, map.shared(), map.pgoff()));
        if (Errno.isError(r)) {
            return r;
        }
        long addr = map.addr();
        if ((vmFlags & Vma.VM_LOCKED) != 0
                || (flags & (Mman.MAP_POPULATE | Mman.MAP_NONBLOCK)) == Mman.MAP_POPULATE) {
            k.gup.populate(map.mm(), addr, addr + map.len());
        }
        return addr;
    }

    /**
     * __mmap_region(): unmaps what the range covers (MAP_FIXED), then merges with a neighbour or
     * makes a new vma; shared anonymous memory gets its shmem object (shmem_zero_setup), a file
     * mapping the file's (shmem_mmap).
     */
    long mmapRegion(MmapState map) {
        Mm mm = map.mm();
        long addr = map.addr();
        long len = map.len();
        long vmFlags = map.vmFlags();
        long pgoff = map.pgoff();
        boolean shared = map.shared();
        AddressSpace file = map.file();
        Object vmFile = map.vmFile();
        long end = addr + len;
        if (mm.findVmaIntersection(addr, end) != null) {
            int e = k.vmaOps.munmapRange(mm, addr, end);
            if (e != 0) {
                return e;
            }
        }
        if (file != null || !shared) {
            if (file == null) {
                // The pgoff of a private anonymous range (addr >> PAGE_SHIFT in Linux), chosen once
                // the range is free, so the design sees the neighbours it may merge with.
                pgoff = design.anonPgoff(mm, addr, end, vmFlags, RmapDesign.ANON_MMAP, addr);
            }
            Vma merged = k.vmaOps.mergeNewRange(VmaOps.Vmg.newRange(mm, addr, end, vmFlags, vmFile, pgoff));
            if (merged != null) {
                if ((vmFlags & Vma.VM_LOCKED) != 0) {
                    mm.lockedVm += len >>> Machine.PAGE_SHIFT;
                }
                return addr;
            }
        }
        Vma v = new Vma(mm, addr, end, vmFlags, pgoff, file);
        v.vmFile = vmFile;
        if (shared && file == null) {
            v.file = new AddressSpace(k.nextIno++, "/dev/zero (deleted)", len);
            v.vmFile = v.file; // shmem_zero_setup's own file
        }
        k.vmaOps.link(v);
        if ((vmFlags & Vma.VM_LOCKED) != 0) {
            mm.lockedVm += len >>> Machine.PAGE_SHIFT;
        }
        return addr;
    }

    /**
     * __get_unmapped_area() → arch_get_unmapped_area_topdown() (arch/x86/kernel/sys_x86_64.c),
     * with the THP alignment of large private anonymous mappings (thp_get_unmapped_area_vmflags:
     * no file, that is MAP_ANONYMOUS, and not MAP_SHARED).
     */
    long getUnmappedArea(Mm mm, long addr, long len, int flags) {
        boolean anonPrivate = (flags & (Mman.MAP_ANONYMOUS | Mman.MAP_SHARED)) == Mman.MAP_ANONYMOUS;
        if (len > Machine.TASK_SIZE) {
            return -Errno.ENOMEM;
        }
        long a;
        if ((flags & Mman.MAP_FIXED) != 0) {
            a = addr;
        } else if (addr == 0 && (len & (PageTable.PMD_SIZE - 1)) == 0 && anonPrivate) {
            a = thpGetUnmappedArea(mm, len);
            if (a == 0) {
                a = topdown(mm, addr, len);
            }
        } else {
            a = topdown(mm, addr, len);
        }
        if (Errno.isError(a)) {
            return a;
        }
        if (a > Machine.TASK_SIZE - len) {
            return -Errno.ENOMEM;
        }
        if (PageTable.offsetInPage(a)) {
            return -Errno.EINVAL;
        }
        return a;
    }

    /** __thp_get_unmapped_area() for an anonymous mapping (off 0, size PMD_SIZE). */
    long thpGetUnmappedArea(Mm mm, long len) {
        long size = PageTable.PMD_SIZE;
        long lenPad = len + size;
        if (lenPad < len) {
            return 0;
        }
        long ret = topdown(mm, 0, lenPad);
        if (Errno.isError(ret)) {
            return 0;
        }
        long offSub = (0 - ret) & (size - 1);
        if (offSub == 0) {
            return ret + size; // MMF_TOPDOWN
        }
        return ret + offSub;
    }

    /** arch_get_unmapped_area_topdown() without MAP_FIXED. */
    long topdown(Mm mm, long addr, long len) {
        if (addr != 0) {
            addr &= Machine.PAGE_MASK;
            // mmap_address_hint_valid()
            if (Machine.TASK_SIZE - len >= addr) {
                Vma vma = mm.findVma(addr);
                if (vma == null || addr + len <= vmStartGap(vma)) {
                    return addr;
                }
            }
        }
        return unmappedAreaTopdown(mm, len, Math.max(Machine.PAGE_SIZE, Machine.MMAP_MIN_ADDR), mm.mmapBase);
    }

    /**
     * unmapped_area_topdown() (mm/mmap.c, Linux 6.18): the highest gap of at least len
     * below highLimit, a stack's guard gap lowering the limit (vm_start_gap, VM_STARTGAP_FLAGS).
     */
    static long unmappedAreaTopdown(Mm mm, long len, long lowLimit, long highLimit) {
        retry:
        while (true) {
            for (int i = mm.mapCount; i >= 0; i--) {
                long gapStart = i == 0 ? 0 : mm.vma(i - 1).vmEnd;
                long gapEnd = i == mm.mapCount ? Machine.TASK_SIZE : mm.vma(i).vmStart;
                if (gapStart >= highLimit) {
                    continue;
                }
                gapEnd = Math.min(gapEnd, highLimit);
                gapStart = Math.max(gapStart, lowLimit);
                if (gapEnd > gapStart && gapEnd - gapStart >= len) {
                    // The highest free area that fits; if the vma above it is a stack whose guard
                    // gap reaches into it, the search starts again below vm_start_gap() — the
                    // whole search, not just this area ("high_limit = vm_start_gap(tmp); goto
                    // retry"), so nothing above the gap's start is taken either.
                    Vma next = i == mm.mapCount ? null : mm.vma(i);
                    if (next != null && (next.vmFlags & Vma.VM_GROWSDOWN) != 0 && vmStartGap(next) < gapEnd) {
                        highLimit = vmStartGap(next);
                        continue retry;
                    }
                    return (gapEnd - len) & Machine.PAGE_MASK;
                }
            }
            return -Errno.ENOMEM;
        }
    }

    // ------------------------------------------------------------------ stacks that grow

    /**
     * vm_start_gap(): where the address space below {@code vma} starts being free for a new
     * mapping — stack_guard_gap below a VM_GROWSDOWN vma's start (0 if that would wrap).
     */
    static long vmStartGap(Vma vma) {
        long start = vma.vmStart;
        if ((vma.vmFlags & Vma.VM_GROWSDOWN) != 0) {
            start -= Machine.STACK_GUARD_GAP;
            if (start > vma.vmStart) {
                start = 0;
            }
        }
        return start;
    }

    /**
     * lock_mm_and_find_vma() (mm/memory.c, Linux 6.5 on): a user access at {@code addr}, which no
     * vma contains, may still succeed if the vma above it is VM_GROWSDOWN and can be extended
     * down to it (expand_stack_locked → expand_downwards). Returns the vma now containing addr, or
     * null (the access is a SIGSEGV). Only a user access grows a stack: get_user_pages does not
     * since 6.5 ("gup: avoid stack expansion warning for known-good case"), so populate never
     * calls this.
     */
    Vma expandStack(Mm mm, long addr) {
        Vma vma = mm.findVma(addr);
        if (vma == null || (vma.vmFlags & Vma.VM_GROWSDOWN) == 0) {
            return null;
        }
        if (expandDownwards(vma, addr) != 0) {
            return null;
        }
        k.vmaOps.regroup(mm);
        return mm.vmaLookup(addr);
    }

    /**
     * expand_downwards() (Linux 6.18): the guard-gap rule first — an accessible vma below that is
     * not itself a growing stack must end at least stack_guard_gap below the new start — then
     * anon_vma_prepare(), then, if grow &le; vm_pgoff and acct_stack_growth() allows it, vm_start
     * and vm_pgoff move down together under the anon_vma lock
     * (anon_vma_interval_tree_pre/post_update_vma: the design's {@link RmapDesign#vmaAdjusted}).
     * A design whose offsets below the vma are not its own ({@link RmapDesign#canExpandAnonDown}:
     * lokier, whose "VM_GROWSDOWN vmas might want to record a reservation down rather than up")
     * gets the grown part as a vma of its own instead, grouped with the stack. Returns 0 or
     * -errno (-EPERM below mmap_min_addr, -ENOMEM otherwise).
     */
    int expandDownwards(Vma vma, long address) {
        Mm mm = vma.mm;
        address &= Machine.PAGE_MASK;
        if (address < Machine.MMAP_MIN_ADDR || address < Machine.FIRST_USER_ADDRESS) {
            return -Errno.EPERM;
        }
        // Enforce stack_guard_gap.
        Vma prev = mm.prevOf(vma);
        if (prev != null && (prev.vmFlags & Vma.VM_GROWSDOWN) == 0 && (prev.vmFlags & Vma.VM_ACCESS_FLAGS) != 0
                && address - prev.vmEnd < Machine.STACK_GUARD_GAP) {
            return -Errno.ENOMEM;
        }
        if (design.anonVmaPrepare(vma) != 0) {
            return -Errno.ENOMEM;
        }
        if (address >= vma.vmStart) {
            return 0; // "Somebody else might have raced and expanded it already"
        }
        // The stack's size is the user-visible vma's: under lokier the group of its pieces.
        long size = VmaGroups.groupLast(mm, vma).vmEnd - address;
        long grow = (vma.vmStart - address) >>> Machine.PAGE_SHIFT;
        if (grow > vma.vmPgoff || acctStackGrowth(vma, size) != 0) {
            return -Errno.ENOMEM;
        }
        if (!design.canExpandAnonDown(vma, grow)) {
            if (growAnonPieceDown(vma, address) == null) {
                return -Errno.ENOMEM;
            }
        } else {
            long oldStart = vma.vmStart;
            long oldPgoff = vma.vmPgoff;
            vma.vmStart = address;
            vma.vmPgoff -= grow;
            mm.invalidateCache();
            design.vmaAdjusted(vma, oldStart, vma.vmEnd, oldPgoff);
        }
        if ((vma.vmFlags & Vma.VM_LOCKED) != 0) {
            mm.lockedVm += grow;
        }
        stackExpansions++;
        stackPagesGrown += grow;
        return 0;
    }

    /**
     * acct_stack_growth() (mm/vma.c, Linux 6.18): the whole stack after growth, {@code vm_end -
     * address}, may not exceed RLIMIT_STACK ("Stack limit test": {@code size > rlimit}; the
     * 4.12-era "actual_size" that left out the guard page is gone). The model's simplifications,
     * stated: RLIMIT_AS is unlimited (may_expand_vm always agrees), the task is root
     * (CAP_IPC_LOCK: mlock_future_ok never refuses a VM_LOCKED stack), there are no hugetlb-only
     * ranges, and overcommit never refuses (security_vm_enough_memory_mm), as on the harness's
     * machine.
     */
    private static int acctStackGrowth(Vma vma, long size) {
        return size > Machine.RLIMIT_STACK ? -Errno.ENOMEM : 0;
    }

    /**
     * lokier: the stack's offsets below its pgoff are not its to take, so the grown part
     * [address, vma.vmStart) becomes a vma of its own ({@link RmapDesign#ANON_GROW_DOWN}), with the
     * stack's flags and anon state, grouped with it at the end of the call — as upward growth does
     * ({@link Mremap#growAnonPiece}). Returns the new vma, or null.
     */
    private Vma growAnonPieceDown(Vma vma, long address) {
        Mm mm = vma.mm;
        long flags = vma.vmFlags & ~Vma.VM_GROUP;
        long pgoff = design.anonPgoff(mm, address, vma.vmStart, flags, RmapDesign.ANON_GROW_DOWN, address);
        Vma v = k.vmaOps.mergeNewRange(VmaOps.Vmg.newRange(mm, address, vma.vmStart, flags, null, pgoff)
                .withAnon(vma.anonVma));
        if (v != null) {
            return v;
        }
        Vma nv = new Vma(mm, address, vma.vmStart, flags, pgoff, null);
        if (design.vmaCopy(vma, nv) != 0) {
            return null;
        }
        k.vmaOps.link(nv);
        return nv;
    }

    /** __vm_munmap() → do_vmi_munmap(). */
    long munmap(Task t, long start, long len) {
        k.requireAlive(t);
        long r = doMunmap(t.mm, start, len);
        k.vmaOps.regroup(t.mm);
        return r;
    }

    /** __vm_munmap()'s checks, then do_vmi_munmap() (mm/vma.c) of the page-aligned range. */
    long doMunmap(Mm mm, long start, long len) {
        if (PageTable.offsetInPage(start) || start > Machine.TASK_SIZE || len > Machine.TASK_SIZE - start) {
            return -Errno.EINVAL;
        }
        long end = start + PageTable.pageAlign(len);
        if (end == start) {
            return -Errno.EINVAL;
        }
        return k.vmaOps.munmapRange(mm, start, end);
    }

    /** SYSCALL_DEFINE1(brk) and do_brk_flags(). */
    long brk(Task t, long brk) {
        k.requireAlive(t);
        long r = doBrk(t, brk);
        k.vmaOps.regroup(t.mm);
        return r;
    }

    /**
     * SYSCALL_DEFINE1(brk) after the entry: shrinking always allowed (do_vmi_align_munmap),
     * growing checked by check_brk_limits() and the stack guard gap, then do_brk_flags(). Returns
     * the new break, or the old one when the change is refused.
     */
    long doBrk(Task t, long brk) {
        Mm mm = t.mm;
        long origbrk = mm.brk;
        if (brk < mm.startBrk) {
            return origbrk;
        }
        long newbrk = PageTable.pageAlign(brk);
        long oldbrk = PageTable.pageAlign(mm.brk);
        if (oldbrk == newbrk) {
            mm.brk = brk;
            return brk;
        }
        if (brk <= mm.brk) {
            // Always allow shrinking brk.
            Vma brkvma = mm.findVmaIntersection(newbrk, oldbrk);
            if (brkvma == null || brkvma.vmStart >= oldbrk) {
                return origbrk;
            }
            mm.brk = brk;
            if (k.vmaOps.munmapRange(mm, newbrk, oldbrk) != 0) {
                mm.brk = origbrk;
                return origbrk;
            }
            return brk;
        }
        // check_brk_limits(): the range must be mappable at a fixed address.
        if (Errno.isError(getUnmappedArea(mm, oldbrk, newbrk - oldbrk, Mman.MAP_FIXED))) {
            return origbrk;
        }
        // Only check if the next vma is within the stack_guard_gap of the expansion area.
        Vma next = mm.findVma(oldbrk);
        if (next != null && newbrk + Machine.PAGE_SIZE > vmStartGap(next)) {
            return origbrk;
        }
        Vma brkvma = mm.vmaBefore(oldbrk);
        if (brkvma != null && brkvma.vmEnd <= mm.startBrk) {
            brkvma = null; // vma_prev_limit(&vmi, mm->start_brk)
        }
        if (doBrkFlags(mm, brkvma, oldbrk, newbrk - oldbrk) < 0) {
            return origbrk;
        }
        mm.brk = brk;
        return brk;
    }

    /** do_brk_flags(): expand the brk vma if it ends at addr and may merge, else a new vma. */
    long doBrkFlags(Mm mm, Vma vma, long addr, long len) {
        long flags = Vma.VM_READ | Vma.VM_WRITE | Vma.VM_MAYREAD | Vma.VM_MAYWRITE | Vma.VM_MAYEXEC
                | Vma.VM_ACCOUNT;
        if (mm.mapCount > k.maxMapCount) {
            return -Errno.ENOMEM;
        }
        boolean extend = vma != null && vma.vmEnd == addr;
        long pgoff = design.anonPgoff(mm, addr, addr + len, flags, RmapDesign.ANON_BRK,
                extend ? VmaGroups.groupStart(mm, vma) : addr);
        if (extend) {
            Vma merged = k.vmaOps.mergeNewRange(VmaOps.Vmg.newRange(mm, addr, addr + len, flags, null, pgoff).justExpanding());
            if (merged != null) {
                return 0;
            }
        }
        Vma v = new Vma(mm, addr, addr + len, flags, pgoff, null);
        k.vmaOps.link(v);
        return 0;
    }

    /**
     * remap_file_pages(2) as Linux emulates it since 4.0 (mm/mmap.c): prot must be 0; the range
     * must start in a VM_SHARED vma and may run on through vmas of the same file and flags without
     * holes; then do_mmap(MAP_SHARED | MAP_FIXED | MAP_POPULATE [| MAP_LOCKED]) of the file at
     * pgoff over the range, with the vma's protection: a new vma (merged where the offsets line up).
     * Returns 0 or -errno. With {@code machine remap=nonlinear} the 2.6 kernels' nonlinear vmas
     * instead ({@link Fremap}).
     */
    long remapFilePages(Task t, long start, long size, int prot, long pgoff, int flags) {
        k.requireAlive(t);
        long r = k.config.nonlinear() ? k.fremap.remapFilePages(t.mm, start, size, prot, pgoff, flags)
                : doRemapFilePages(t.mm, new FilePagesRemap(start, size, prot, pgoff, flags));
        k.vmaOps.regroup(t.mm);
        return r;
    }

    /** remap_file_pages(2)'s arguments: start, size, prot, pgoff, flags. */
    record FilePagesRemap(long start, long size, int prot, long pgoff, int flags) {}

    /** SYSCALL_DEFINE5(remap_file_pages) (mm/mmap.c since 4.0) after the entry. */
    long doRemapFilePages(Mm mm, FilePagesRemap req) {
        long start = req.start();
        long size = req.size();
        int prot = req.prot();
        long pgoff = req.pgoff();
        int flags = req.flags();
        if (prot != 0) {
            return -Errno.EINVAL;
        }
        start &= Machine.PAGE_MASK;
        size &= Machine.PAGE_MASK;
        if (Long.compareUnsigned(start + size, start) <= 0) {
            return -Errno.EINVAL;
        }
        // Does pgoff wrap?
        if (Long.compareUnsigned(pgoff + (size >>> Machine.PAGE_SHIFT), pgoff) < 0) {
            return -Errno.EINVAL;
        }
        Vma vma = mm.vmaLookup(start);
        if (vma == null || (vma.vmFlags & Vma.VM_SHARED) == 0) {
            return -Errno.EINVAL;
        }
        prot |= (vma.vmFlags & Vma.VM_READ) != 0 ? Mman.PROT_READ : 0;
        prot |= (vma.vmFlags & Vma.VM_WRITE) != 0 ? Mman.PROT_WRITE : 0;
        prot |= (vma.vmFlags & Vma.VM_EXEC) != 0 ? Mman.PROT_EXEC : 0;
        flags &= Mman.MAP_NONBLOCK;
        flags |= Mman.MAP_SHARED | Mman.MAP_FIXED | Mman.MAP_POPULATE;
        if ((vma.vmFlags & Vma.VM_LOCKED) != 0) {
            flags |= Mman.MAP_LOCKED;
        }
        if (start + size > vma.vmEnd) {
            Vma prev = vma;
            Vma next = mm.nextOf(vma);
            boolean covered = false;
            for (; next != null && next.vmStart < start + size; next = mm.nextOf(next)) {
                // hole between vmas?
                if (next.vmStart != prev.vmEnd || next.vmFile != vma.vmFile || next.vmFlags != vma.vmFlags) {
                    return -Errno.EINVAL;
                }
                if (start + size <= next.vmEnd) {
                    covered = true;
                    break;
                }
                prev = next;
            }
            if (!covered) {
                return -Errno.EINVAL;
            }
        }
        // get_file(vma->vm_file): the file outlives the unmap of the old vma inside do_mmap, even
        // when that vma held its last reference (a shared anonymous object no one else maps).
        AddressSpace file = vma.file;
        file.refs++;
        long r = doMmap(mm, new MmapRequest(start, size, prot, flags, file, vma.vmFile, pgoff));
        k.vmaOps.fput(file);
        return Errno.isError(r) ? r : 0;
    }

    /** exit_mmap(): unmap_vmas, free_pgtables (unlinking anon and file rmap), remove_vma. */
    void exitMmap(Mm mm) {
        for (int i = 0; i < mm.mapCount; i++) {
            Vma v = mm.vma(i);
            k.memory.zapRange(v, v.vmStart, v.vmEnd);
        }
        while (mm.mapCount > 0) {
            Vma v = mm.vma(mm.mapCount - 1);
            k.vmaOps.remove(v);
        }
        mm.lockedVm = 0;
        PageTable.freeAll(frames, mm);
        design.mmExit(mm);
        k.mms.remove(mm);
    }

    /** calc_vm_prot_bits(). */
    static long protBits(int prot) {
        long f = 0;
        if ((prot & Mman.PROT_READ) != 0) {
            f |= Vma.VM_READ;
        }
        if ((prot & Mman.PROT_WRITE) != 0) {
            f |= Vma.VM_WRITE;
        }
        if ((prot & Mman.PROT_EXEC) != 0) {
            f |= Vma.VM_EXEC;
        }
        return f;
    }
}
