package org.rmaplab.mm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;


/**
 * The machine: physical memory, tasks, address spaces and the memory system calls with Linux 6.x
 * semantics (mm/mmap.c, mm/mremap.c, mm/mprotect.c, mm/madvise.c, mm/mlock.c, kernel/fork.c,
 * fs/exec.c, kernel/exit.c). It knows no reverse-mapping design: it tells the {@link RmapDesign}
 * of every event and asks it to decide the anon part of merges.
 *
 * <p>Invariants kept after every system call (the oracle, {@code org.rmaplab.check}, proves them):
 * every frame is free or accounted for (page tables, page cache, anonymous pages mapped by ptes);
 * mapcount and refcount match the ptes; every pte lies in a vma of its mm and respects its
 * protection; the design's reverse walk finds exactly the ptes that map each page.
 *
 * <p>Addresses follow x86-64 with 4-level paging and no randomization: TASK_SIZE
 * 0x7ffffffff000, mmap_base 128 MiB below it (mmap_base() with the minimum gap), mappings placed
 * top-down below it (arch_get_unmapped_area_topdown), and the program break starting at
 * {@link #START_BRK} (there is no executable image: see README, "Model").
 */
public final class Machine implements Syscalls, RmapHost {
    public static final int PAGE_SHIFT = PageTable.PAGE_SHIFT;
    public static final long PAGE_SIZE = PageTable.PAGE_SIZE;
    public static final long PAGE_MASK = PageTable.PAGE_MASK;
    /** TASK_SIZE_MAX for 4-level paging: (1 &lt;&lt; 47) - PAGE_SIZE. */
    public static final long TASK_SIZE = (1L << 47) - PAGE_SIZE;
    /** mmap_base(): TASK_SIZE minus the minimum gap of 128 MiB, no randomization. */
    public static final long MMAP_BASE = TASK_SIZE - (128L << 20);
    /** Where brk starts in a fresh address space (no ELF image in the model). */
    public static final long START_BRK = 0x555555559000L;
    /** /proc/sys/vm/mmap_min_addr on the reference machine. */
    public static final long MMAP_MIN_ADDR = 4096;
    public static final long FIRST_USER_ADDRESS = 0;
    /** 0 means the top of the address space, as USER_PGTABLES_CEILING on x86. */
    public static final long USER_PGTABLES_CEILING = 0;
    public static final int DEFAULT_MAX_MAP_COUNT = 65530;

    final MachineConfig config;
    final RmapDesign design;
    final Frames frames;
    final Lru lru;
    final Swapfile swap;
    final Memory memory;
    final VmaOps vmas;
    final Vmscan reclaim;
    int maxMapCount = DEFAULT_MAX_MAP_COUNT;

    private final List<Task> tasks = new ArrayList<>();
    private final List<Mm> mms = new ArrayList<>();
    private int nextPid = 1;
    private int nextMmId = 1;
    private int nextIno = 1;
    /** Files made by {@link #open}, by number: tmpfs inodes their directory entries keep alive. */
    private final List<AddressSpace> files = new ArrayList<>();
    private Task init;
    /** What a new program image maps before the scenario's first line (null: nothing). */
    private java.util.function.Consumer<Task> image;

    // Counters.
    long forks;
    long execs;
    long exits;
    long oomEvents;
    long oomKills;

    /** The mm the running system call works in: the OOM killer must not tear it down under it. */
    private Mm current;
    /** An mm whose tasks the OOM killer ended during a call in it; torn down after the call. */
    private Mm pendingTeardown;
    private boolean inReclaim;

    public Machine(MachineConfig cfg, RmapDesign design) {
        this.config = cfg;
        this.design = design;
        this.frames = new Frames(cfg.ramBytes(), design.swapEntryInIndex());
        this.lru = new Lru(frames);
        this.swap = new Swapfile(cfg.swapBytes());
        this.memory = new Memory(this);
        this.vmas = new VmaOps(this);
        this.reclaim = new Vmscan(this);
        frames.pressure = this::relieve;
        design.attach(this);
    }

    // ------------------------------------------------------------------ accessors for designs and the oracle

    @Override
    public Frames frames() {
        return frames;
    }

    @Override
    public Swapfile swap() {
        return swap;
    }

    public Lru lru() {
        return lru;
    }

    public RmapDesign design() {
        return design;
    }

    @Override
    public MachineConfig config() {
        return config;
    }

    /** Live address spaces, in creation order. */
    @Override
    public List<Mm> mms() {
        return Collections.unmodifiableList(mms);
    }

    /** Live tasks, in creation order. */
    public List<Task> tasks() {
        return Collections.unmodifiableList(tasks);
    }

    public int maxMapCount() {
        return maxMapCount;
    }

    public void setMaxMapCount(int n) {
        maxMapCount = n;
    }

    /**
     * Injects page-table lock contention into reclaim: every n-th trylock of try_to_unmap fails
     * and the page is retried later (0, the default: never).
     */
    public void setPtlBusyEvery(int n) {
        reclaim.ptlBusyEvery = n;
    }

    /**
     * Sets what every new program image maps before the scenario's first line: called with the
     * first task (by {@link #initTask()}) and with every task after its {@link #exec}. Null (the
     * default) is the contract's empty address space; {@code rmaplab diff} sets the kernel
     * harness's own layout (org.rmaplab.harness.HarnessLayout).
     */
    public void setImage(java.util.function.Consumer<Task> image) {
        this.image = image;
    }

    /**
     * For a design's walk: the slot of the pte that maps pfn at address in vma's mm, or -1
     * (page_vma_mapped_walk on one address). Counts as one pte checked for the design.
     */
    @Override
    public long pageMappedAt(int pfn, Vma vma, long address) {
        return pageMappedInMm(pfn, vma.mm, address);
    }

    /**
     * For a design that walks address spaces rather than vmas (anonmm): the slot of the pte that
     * maps pfn at address in mm, or -1. Counts as one pte checked for the design.
     */
    @Override
    public long pageMappedInMm(int pfn, Mm mm, long address) {
        design.stats().walkPtesChecked++;
        if (mm.pgd < 0) {
            return -1;
        }
        long slot = PageTable.lookup(frames, mm.pgd, address);
        if (slot < 0) {
            return -1;
        }
        long pte = PageTable.get(frames, slot);
        if (!PageTable.present(pte) || (pte & PageTable.SPECIAL) != 0 || PageTable.ptePfn(pte) != pfn) {
            return -1;
        }
        return slot;
    }

    /**
     * For a design that keeps mlocked pages off the LRU (pte_chains with wli's step (b)):
     * isolate_lru_page() — the page leaves its LRU list, if it is on one (a new anonymous page is
     * not yet: {@code Memory.newAnonPage} then leaves a PG_MLOCKED page off, as 2.6.28's
     * lru_cache_add_active_or_unevictable() did). The model has no unevictable list: the page is on
     * no list, so reclaim never meets it.
     */
    @Override
    public void isolateLruPage(int pfn) {
        if ((frames.flags[pfn] & Frames.PG_LRU) != 0) {
            lru.remove(pfn);
        }
    }

    /**
     * putback_lru_page() of a page that is evictable again (munlock_vma_page): the head of the
     * active list, as a page still mapped and just in use (the model does not remember the list it
     * came from).
     */
    @Override
    public void putbackLruPage(int pfn) {
        if ((frames.flags[pfn] & Frames.PG_LRU) == 0) {
            lru.add(pfn, true);
        }
    }

    /** The machine's counters, in a fixed order. */
    public java.util.Map<String, Long> counters() {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("minor_faults", memory.minorFaults);
        m.put("zero_page_maps", memory.zeroPageMaps);
        m.put("anon_pages_allocated", memory.anonPagesAllocated);
        m.put("cow_copies", memory.cowCopies);
        m.put("cow_reuses", memory.cowReuses);
        m.put("fork_ptes_copied", memory.forkPtesCopied);
        m.put("ptes_zapped", memory.ptesZapped);
        m.put("mremap_pmd_moves", memory.pmdMoves);
        m.put("mremap_ptes_moved", memory.ptesMoved);
        m.put("vma_splits", vmas.splits);
        m.put("vma_merges", vmas.merges);
        m.put("forks", forks);
        m.put("execs", execs);
        m.put("exits", exits);
        m.put("major_faults", memory.majorFaults);
        m.put("swap_ins", memory.swapIns);
        m.put("swapin_copies", memory.swapinCopies);
        m.put("pages_scanned", reclaim.pagesScanned);
        m.put("referenced_checks", reclaim.referencedChecks);
        m.put("referenced_young", reclaim.referencedYoung);
        m.put("unmaps_tried", reclaim.unmapsTried);
        m.put("unmaps_succeeded", reclaim.unmapsSucceeded);
        m.put("unmaps_failed_locked", reclaim.unmapsFailedLocked);
        m.put("unmaps_failed_young", reclaim.unmapsFailedYoung);
        m.put("unmaps_again", reclaim.unmapsAgain);
        m.put("unmaps_failed_busy", reclaim.unmapsFailedBusy);
        m.put("no_swap_slot", reclaim.noSwapSlot);
        m.put("swap_outs", reclaim.swapOuts);
        m.put("shmem_swap_outs", reclaim.shmemSwapOuts);
        m.put("pages_reclaimed", reclaim.pagesReclaimed);
        m.put("pages_activated", reclaim.activated);
        m.put("pages_deactivated", reclaim.deactivated);
        m.put("uffd_pages_moved", uffdPagesMoved);
        m.put("uffd_ptes_rewritten", uffdPtesRewritten);
        m.put("uffd_rmap_updates", uffdRmapUpdates);
        m.put("uffd_pages_copied", uffdPagesCopied);
        m.put("uffd_copies_avoided", uffdCopiesAvoided);
        m.put("oom_events", oomEvents);
        m.put("oom_kills", oomKills);
        m.put("swap_used", (long) swap.used());
        m.put("swap_peak", (long) swap.peak());
        m.put("frames_used", (long) frames.used());
        m.put("frames_peak", (long) frames.peakUsed());
        m.put("pagetable_frames", (long) frames.tables());
        return m;
    }

    // ------------------------------------------------------------------ tasks and mms

    /** mm_alloc() + pgd_alloc(); null when no frame can be had for the page directory. */
    private Mm mmAlloc() {
        Mm mm = new Mm(nextMmId++);
        int pgd = frames.allocTable(mm, 0);
        if (pgd < 0) {
            return null;
        }
        mm.pgd = pgd;
        mm.pgtables = 1;
        mm.mmapBase = MMAP_BASE;
        mm.startBrk = START_BRK;
        mm.brk = START_BRK;
        mm.users = 1;
        mms.add(mm);
        return mm;
    }

    @Override
    public Task initTask() {
        if (init != null) {
            return init;
        }
        Mm mm = mmAlloc();
        if (mm == null) {
            throw new ModelOutOfMemory("no frame for the first task's page directory: raise `machine ram=`");
        }
        design.mmInit(mm);
        init = new Task(nextPid++, mm);
        tasks.add(init);
        if (image != null) {
            image.accept(init);
        }
        return init;
    }

    /**
     * dup_mm() / dup_mmap(): copies every vma but DONTCOPY ones and shares the pages COW. Out of
     * memory, the half-built child is torn down and fork fails (null: ENOMEM).
     */
    @Override
    public Task fork(Task parent) {
        requireAlive(parent);
        Mm old = parent.mm;
        Mm mm = mmAlloc();
        if (mm == null) {
            return null;
        }
        mm.brk = old.brk;
        mm.startBrk = old.startBrk;
        mm.mmapBase = old.mmapBase;
        design.mmFork(old, mm);
        boolean failed = false;
        for (int i = 0; i < old.mapCount && !failed; i++) {
            Vma mpnt = old.vma(i);
            if ((mpnt.vmFlags & Vma.VM_DONTCOPY) != 0) {
                continue;
            }
            Vma tmp = mpnt.dup(mm);
            tmp.anonVma = null;
            if (design.vmaFork(mpnt, tmp) != 0) {
                failed = true;
                break;
            }
            // The child does not inherit mlock (vm_flags_clear(tmp, VM_LOCKED_MASK)).
            tmp.vmFlags &= ~Vma.VM_LOCKED_MASK;
            // dup_userfaultfd(): without UFFD_FEATURE_EVENT_FORK the child's vma is not
            // registered (userfaultfd_reset_ctx).
            tmp.vmFlags &= ~Vma.VM_UFFD_MISSING;
            vmas.link(tmp, mpnt);
            if (!memory.copyPageRange(tmp, mpnt)) {
                failed = true;
            }
        }
        if (failed || parent.exited) {
            exitMmap(mm);
            return null;
        }
        Task child = new Task(nextPid++, mm);
        tasks.add(child);
        forks++;
        return child;
    }

    @Override
    public Task clone(Task parent) {
        requireAlive(parent);
        parent.mm.users++;
        Task t = new Task(nextPid++, parent.mm);
        tasks.add(t);
        return t;
    }

    /**
     * execve(): de_thread() ends every other thread of the task's thread group (the tasks made by
     * clone that share its mm), then exec_mmap() gives it a fresh address space.
     */
    @Override
    public long exec(Task t) {
        requireAlive(t);
        Mm old = t.mm;
        endTasksOf(old, t, false);
        Mm mm = mmAlloc();
        if (mm == null) {
            return -Errno.ENOMEM;
        }
        design.mmInit(mm);
        t.mm = mm;
        mmput(old);
        if (image != null) {
            image.accept(t);
        }
        execs++;
        return 0;
    }

    @Override
    public long exit(Task t) {
        requireAlive(t);
        t.exited = true;
        tasks.remove(t);
        Mm mm = t.mm;
        mmput(mm);
        exits++;
        return 0;
    }

    /**
     * Ends every task using mm but {@code except}, without tearing the mm down: exec's
     * de_thread() and oom_kill_process() (which also marks them OOM-killed).
     */
    private void endTasksOf(Mm mm, Task except, boolean oom) {
        for (int i = tasks.size() - 1; i >= 0; i--) {
            Task o = tasks.get(i);
            if (o != except && o.mm == mm) {
                o.exited = true;
                o.oomKilled = oom;
                tasks.remove(i);
                mm.users--;
            }
        }
    }

    /** mmput(): the last user's exit_mmap tears the address space down. */
    private void mmput(Mm mm) {
        if (--mm.users > 0) {
            return;
        }
        exitMmap(mm);
    }

    /** exit_mmap(): unmap_vmas, free_pgtables (unlinking anon and file rmap), remove_vma. */
    private void exitMmap(Mm mm) {
        for (int i = 0; i < mm.mapCount; i++) {
            Vma v = mm.vma(i);
            memory.zapRange(v, v.vmStart, v.vmEnd);
        }
        while (mm.mapCount > 0) {
            Vma v = mm.vma(mm.mapCount - 1);
            vmas.remove(v);
        }
        mm.lockedVm = 0;
        PageTable.freeAll(frames, mm);
        design.mmExit(mm);
        mms.remove(mm);
    }

    /** Entry of every system call: finishes an OOM kill left pending, notes the current mm. */
    private void requireAlive(Task t) {
        quiesce();
        if (t.exited) {
            throw new IllegalStateException(t + " has exited");
        }
        current = t.mm;
    }

    /**
     * Completes what the last call left pending: the teardown of an mm whose tasks the OOM
     * killer ended while the call was running in it. The oracle calls this before a check.
     */
    public void quiesce() {
        current = null;
        Mm mm = pendingTeardown;
        if (mm != null) {
            pendingTeardown = null;
            if (mms.contains(mm) && mm.users <= 0) {
                exitMmap(mm);
            }
        }
    }

    // ------------------------------------------------------------------ memory pressure

    /**
     * The allocator's slow path: direct reclaim of SWAP_CLUSTER_MAX pages, then the OOM killer.
     * Returns true if a frame may now be free.
     */
    private boolean relieve() {
        if (inReclaim) {
            return false;
        }
        inReclaim = true;
        try {
            reclaim.tryToFreePages(Vmscan.SWAP_CLUSTER_MAX);
            if (frames.free() > 0) {
                return true;
            }
            return outOfMemory();
        } finally {
            inReclaim = false;
        }
    }

    /**
     * out_of_memory() → select_bad_process() / oom_badness() (rss + swap entries + page tables)
     * → oom_kill_process(), which ends every task using the victim's mm. A victim in another mm is
     * torn down at once; if the victim is the mm of the running call, its tasks end now and the
     * teardown follows the call (the allocation fails).
     */
    private boolean outOfMemory() {
        oomEvents++;
        Task victim = null;
        long best = -1;
        for (Task t : tasks) {
            Mm mm = t.mm;
            long points = mm.rss() + mm.swapents + mm.pgtables;
            if (points >= best) {
                best = points;
                victim = t;
            }
        }
        if (victim == null) {
            return false;
        }
        oomKills++;
        Mm vm = victim.mm;
        endTasksOf(vm, null, true);
        if (vm == current || vm.users > 0) {
            pendingTeardown = vm;
            return false;
        }
        exitMmap(vm);
        return true;
    }

    /** Global: memory pressure, up to count pages through the reclaim path (Long.MAX_VALUE: all). */
    @Override
    public long reclaim(long count) {
        quiesce();
        long r = reclaim.reclaim(count);
        return r;
    }

    // ------------------------------------------------------------------ mmap

    private static long pageAlign(long len) {
        return (len + PAGE_SIZE - 1) & PAGE_MASK;
    }

    private static boolean offsetInPage(long addr) {
        return (addr & (PAGE_SIZE - 1)) != 0;
    }

    /** calc_vm_prot_bits(). */
    private static long protBits(int prot) {
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

    /**
     * sys_mmap (arch/x86/kernel/sys_x86_64.c) → ksys_mmap_pgoff → do_mmap, checks in the kernel's
     * order. {@code file} is a number {@link #open} returned, or -1; with MAP_ANONYMOUS it is
     * ignored, as the kernel ignores the descriptor. {@code off} is the byte offset.
     */
    @Override
    public long mmap(Task t, long addr, long len, int prot, int flags, long file, long off) {
        requireAlive(t);
        if ((off & ~PAGE_MASK) != 0) {
            return -Errno.EINVAL; // sys_mmap: off & ~PAGE_MASK, for anonymous mappings too
        }
        AddressSpace as = null;
        if ((flags & Mman.MAP_ANONYMOUS) == 0) {
            // ksys_mmap_pgoff: fget(fd)
            if (file < 0 || file >= files.size()) {
                return -Errno.EBADF;
            }
            as = files.get((int) file);
        }
        // fget(fd): the harness opens the file for every mmap, so each mmap has its own struct file.
        long r = doMmap(t, addr, len, prot, flags, as, as == null ? null : new Object(), off >>> PAGE_SHIFT);
        vmas.regroup(t.mm);
        return r;
    }

    private long doMmap(Task t, long addr, long len, int prot, int flags, AddressSpace file, Object vmFile,
                        long pgoff) {
        Mm mm = t.mm;
        if (len == 0) {
            return -Errno.EINVAL;
        }
        // Force arch-specific MAP_FIXED handling in get_unmapped_area.
        if ((flags & Mman.MAP_FIXED_NOREPLACE) != 0) {
            flags |= Mman.MAP_FIXED;
        }
        if ((flags & Mman.MAP_FIXED) == 0) {
            // round_hint_to_min()
            addr &= PAGE_MASK;
            if (addr != 0 && addr < MMAP_MIN_ADDR) {
                addr = pageAlign(MMAP_MIN_ADDR);
            }
        }
        len = pageAlign(len);
        if (len == 0 || len < 0) {
            return -Errno.ENOMEM;
        }
        // offset overflow?
        if (file != null && pgoff + (len >>> PAGE_SHIFT) < pgoff) {
            return -Errno.EOVERFLOW;
        }
        if (mm.mapCount > maxMapCount) {
            return -Errno.ENOMEM;
        }
        boolean sharedType = (flags & Mman.MAP_TYPE) == Mman.MAP_SHARED || (flags & Mman.MAP_TYPE) == Mman.MAP_SHARED_VALIDATE;
        // __get_unmapped_area: a file (shmem_get_unmapped_area; tmpfs mounted huge=never) and
        // shared anonymous memory are placed plainly; only private anonymous memory is THP-aligned.
        long a = getUnmappedArea(mm, addr, len, flags, file == null && (flags & Mman.MAP_SHARED) == 0);
        if (Errno.isError(a)) {
            return a;
        }
        addr = a;
        if ((flags & Mman.MAP_FIXED_NOREPLACE) != 0 && mm.findVmaIntersection(addr, addr + len) != null) {
            return -Errno.EEXIST;
        }
        long vmFlags = protBits(prot) | Vma.VM_MAYREAD | Vma.VM_MAYWRITE | Vma.VM_MAYEXEC;
        if ((flags & Mman.MAP_GROWSDOWN) != 0) {
            vmFlags |= Vma.VM_GROWSDOWN;
        }
        if ((flags & Mman.MAP_LOCKED) != 0) {
            vmFlags |= Vma.VM_LOCKED;
        }
        boolean shared;
        if (file != null) {
            // file_mmap_ok(): MAX_LFS_FILESIZE for a tmpfs file.
            long maxsize = Long.MAX_VALUE - len;
            if (Long.compareUnsigned(pgoff, maxsize >>> PAGE_SHIFT) > 0) {
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
        } else {
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
                    pgoff = addr >>> PAGE_SHIFT; // set pgoff according to addr for anon_vma
                    break;
                default:
                    return -Errno.EINVAL; // MAP_SHARED_VALIDATE and others are for files only
            }
            if (sharedType && !shared) {
                return -Errno.EINVAL;
            }
        }
        if ((flags & Mman.MAP_NORESERVE) != 0) {
            vmFlags |= Vma.VM_NORESERVE;
        }
        // accountable_mapping(): private writable memory is charged (VM_ACCOUNT).
        if ((vmFlags & (Vma.VM_NORESERVE | Vma.VM_SHARED | Vma.VM_WRITE)) == Vma.VM_WRITE) {
            vmFlags |= Vma.VM_ACCOUNT;
        }
        long r = mmapRegion(mm, addr, len, vmFlags, pgoff, shared, file, vmFile);
        if (Errno.isError(r)) {
            return r;
        }
        if ((vmFlags & Vma.VM_LOCKED) != 0
                || (flags & (Mman.MAP_POPULATE | Mman.MAP_NONBLOCK)) == Mman.MAP_POPULATE) {
            populate(mm, addr, addr + len);
        }
        return addr;
    }

    /**
     * __mmap_region(): unmaps what the range covers (MAP_FIXED), then merges with a neighbour or
     * makes a new vma; shared anonymous memory gets its shmem object (shmem_zero_setup), a file
     * mapping the file's (shmem_mmap).
     */
    private long mmapRegion(Mm mm, long addr, long len, long vmFlags, long pgoff, boolean shared,
                            AddressSpace file, Object vmFile) {
        long end = addr + len;
        if (mm.findVmaIntersection(addr, end) != null) {
            int e = vmas.munmapRange(mm, addr, end);
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
            Vma merged = vmas.mergeNewRange(mm, addr, end, vmFlags, vmFile, pgoff, null, null, false);
            if (merged != null) {
                if ((vmFlags & Vma.VM_LOCKED) != 0) {
                    mm.lockedVm += len >>> PAGE_SHIFT;
                }
                return addr;
            }
        }
        Vma v = new Vma(mm, addr, end, vmFlags, pgoff, file);
        v.vmFile = vmFile;
        if (shared && file == null) {
            v.file = new AddressSpace(nextIno++, "/dev/zero (deleted)", len);
            v.vmFile = v.file; // shmem_zero_setup's own file
        }
        vmas.link(v);
        if ((vmFlags & Vma.VM_LOCKED) != 0) {
            mm.lockedVm += len >>> PAGE_SHIFT;
        }
        return addr;
    }

    /**
     * __get_unmapped_area() → arch_get_unmapped_area_topdown() (arch/x86/kernel/sys_x86_64.c),
     * with the THP alignment of large anonymous mappings (thp_get_unmapped_area_vmflags).
     */
    long getUnmappedArea(Mm mm, long addr, long len, int flags, boolean anonPrivate) {
        if (len > TASK_SIZE) {
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
        if (a > TASK_SIZE - len) {
            return -Errno.ENOMEM;
        }
        if (offsetInPage(a)) {
            return -Errno.EINVAL;
        }
        return a;
    }

    /** __thp_get_unmapped_area() for an anonymous mapping (off 0, size PMD_SIZE). */
    private long thpGetUnmappedArea(Mm mm, long len) {
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
    private long topdown(Mm mm, long addr, long len) {
        if (addr != 0) {
            addr &= PAGE_MASK;
            // mmap_address_hint_valid()
            if (TASK_SIZE - len >= addr) {
                Vma vma = mm.findVma(addr);
                if (vma == null || addr + len <= vma.vmStart) {
                    return addr;
                }
            }
        }
        return unmappedAreaTopdown(mm, len, Math.max(PAGE_SIZE, MMAP_MIN_ADDR), mm.mmapBase);
    }

    /** unmapped_area_topdown(): the highest gap of at least len below highLimit. */
    private static long unmappedAreaTopdown(Mm mm, long len, long lowLimit, long highLimit) {
        for (int i = mm.mapCount; i >= 0; i--) {
            long gapStart = i == 0 ? 0 : mm.vma(i - 1).vmEnd;
            long gapEnd = i == mm.mapCount ? TASK_SIZE : mm.vma(i).vmStart;
            if (gapStart >= highLimit) {
                continue;
            }
            gapEnd = Math.min(gapEnd, highLimit);
            gapStart = Math.max(gapStart, lowLimit);
            if (gapEnd > gapStart && gapEnd - gapStart >= len) {
                return (gapEnd - len) & PAGE_MASK;
            }
        }
        return -Errno.ENOMEM;
    }

    // ------------------------------------------------------------------ files (tmpfs)

    /**
     * open(2) of a new file (O_RDWR | O_CREAT | O_TRUNC) in a tmpfs directory, then ftruncate to
     * {@code size}, as the kernel harness does (in /dev/shm): a shmem inode, kept alive by its
     * directory entry for the rest of the run (the harness unlinks its files only at the end).
     * Returns the file's number, to pass to {@link #mmap}, or -errno.
     */
    @Override
    public long open(Task t, String name, long size) {
        requireAlive(t);
        if (size < 0) {
            return -Errno.EINVAL; // do_sys_ftruncate: length < 0
        }
        AddressSpace as = new AddressSpace(nextIno++, "/dev/shm/" + name, size);
        as.refs++; // the dentry's reference
        files.add(as);
        return files.size() - 1;
    }

    /** The files {@link #open} made, by number. */
    public List<AddressSpace> files() {
        return Collections.unmodifiableList(files);
    }

    /** The file {@link #open} returned as number {@code file}, or null. */
    public AddressSpace file(long file) {
        return file < 0 || file >= files.size() ? null : files.get((int) file);
    }

    /**
     * truncate(2) / ftruncate(2) of a tmpfs file: do_sys_truncate (EINVAL for a negative length)
     * → notify_change → shmem_setattr(). Growing only moves i_size. Shrinking moves i_size, then
     * unmaps the pages from the first whole page past it from every mapping, private copies
     * included (unmap_mapping_range with even_cows), and drops them from the page cache and swap
     * (shmem_truncate_range), zeroing the tail of a partial last page. Returns 0 or -errno.
     */
    @Override
    public long ftruncate(Task t, long file, long size) {
        requireAlive(t);
        AddressSpace as = file(file);
        if (as == null) {
            return -Errno.EBADF;
        }
        if (size < 0) {
            return -Errno.EINVAL;
        }
        long oldsize = as.size;
        if (size == oldsize) {
            return 0;
        }
        as.size = size;
        if (size < oldsize) {
            long holebegin = pageAlign(size); // unsigned: a size near 2^63 rounds past it
            if (Long.compareUnsigned(oldsize, holebegin) > 0) {
                memory.unmapMappingRange(as, holebegin >>> PAGE_SHIFT, Long.MAX_VALUE, true);
            }
            memory.shmemUndoRange(as, holebegin >>> PAGE_SHIFT, Long.MAX_VALUE);
            if ((size & (PAGE_SIZE - 1)) != 0) {
                memory.shmemZeroPartial(as, size >>> PAGE_SHIFT, (int) (size & (PAGE_SIZE - 1)));
            }
        }
        return 0;
    }

    /**
     * remap_file_pages(2) as Linux emulates it since 4.0 (mm/mmap.c): prot must be 0; the range
     * must start in a VM_SHARED vma and may run on through vmas of the same file and flags without
     * holes; then do_mmap(MAP_SHARED | MAP_FIXED | MAP_POPULATE [| MAP_LOCKED]) of the file at
     * pgoff over the range, with the vma's protection: a new vma (merged where the offsets line up).
     * Returns 0 or -errno. The era's nonlinear vmas (VM_NONLINEAR) are not modelled.
     */
    @Override
    public long remapFilePages(Task t, long start, long size, int prot, long pgoff, int flags) {
        requireAlive(t);
        long r = doRemapFilePages(t, start, size, prot, pgoff, flags);
        vmas.regroup(t.mm);
        return r;
    }

    private long doRemapFilePages(Task t, long start, long size, int prot, long pgoff, int flags) {
        Mm mm = t.mm;
        if (prot != 0) {
            return -Errno.EINVAL;
        }
        start &= PAGE_MASK;
        size &= PAGE_MASK;
        if (Long.compareUnsigned(start + size, start) <= 0) {
            return -Errno.EINVAL;
        }
        // Does pgoff wrap?
        if (Long.compareUnsigned(pgoff + (size >>> PAGE_SHIFT), pgoff) < 0) {
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
        long r = doMmap(t, start, size, prot, flags, file, vma.vmFile, pgoff);
        vmas.fput(file);
        return Errno.isError(r) ? r : 0;
    }

    // ------------------------------------------------------------------ populate

    /**
     * __mm_populate() → populate_vma_page_range(): faults in [start, end) as get_user_pages
     * would — a write fault in private writable vmas (breaking COW), a read fault elsewhere;
     * VM_IO and VM_LOCKONFAULT vmas are skipped. A PROT_NONE vma cannot be faulted in (no
     * FOLL_FORCE for it): -EFAULT. With {@code ignoreErrors} (mm_populate after mmap) the walk
     * goes on at the next vma; without it (mlock) it stops and returns the error.
     */
    long populate(Mm mm, long start, long end, boolean ignoreErrors) {
        long addr = start;
        while (addr < end) {
            Vma vma = mm.findVma(addr);
            if (vma == null || vma.vmStart >= end) {
                return 0;
            }
            if (addr < vma.vmStart) {
                addr = vma.vmStart;
            }
            long stop = Math.min(end, vma.vmEnd);
            long err = 0;
            if ((vma.vmFlags & (Vma.VM_IO | Vma.VM_LOCKONFAULT)) != 0) {
                addr = stop;
                continue;
            }
            if ((vma.vmFlags & Vma.VM_ACCESS_FLAGS) == 0) {
                err = -Errno.EFAULT;
            } else {
                boolean write = (vma.vmFlags & (Vma.VM_WRITE | Vma.VM_SHARED)) == Vma.VM_WRITE;
                for (long a = addr; a < stop; a += PAGE_SIZE) {
                    // follow_page_pte: no fault needed if the pte already allows the access.
                    long slot = PageTable.lookup(frames, mm.pgd, a);
                    if (slot >= 0) {
                        long pte = PageTable.get(frames, slot);
                        if (PageTable.present(pte) && (!write || PageTable.writable(pte))) {
                            continue;
                        }
                    }
                    int r = memory.handleFault(mm, vma, a, write);
                    if (r != Memory.FAULT_OK) {
                        err = r == Memory.FAULT_OOM ? -Errno.ENOMEM : -Errno.EFAULT;
                        break;
                    }
                }
            }
            if (err != 0 && !ignoreErrors) {
                return err;
            }
            addr = stop;
        }
        return 0;
    }

    void populate(Mm mm, long start, long end) {
        populate(mm, start, end, true);
    }

    // ------------------------------------------------------------------ munmap

    /** __vm_munmap() → do_vmi_munmap(). */
    @Override
    public long munmap(Task t, long start, long len) {
        requireAlive(t);
        long r = doMunmap(t.mm, start, len);
        vmas.regroup(t.mm);
        return r;
    }

    long doMunmap(Mm mm, long start, long len) {
        if (offsetInPage(start) || start > TASK_SIZE || len > TASK_SIZE - start) {
            return -Errno.EINVAL;
        }
        long end = start + pageAlign(len);
        if (end == start) {
            return -Errno.EINVAL;
        }
        return vmas.munmapRange(mm, start, end);
    }

    // ------------------------------------------------------------------ mprotect

    /** do_mprotect_pkey() (pkey -1). */
    @Override
    public long mprotect(Task t, long start, long len, int prot) {
        requireAlive(t);
        long r = doMprotect(t, start, len, prot);
        vmas.regroup(t.mm);
        return r;
    }

    private long doMprotect(Task t, long start, long len, int prot) {
        Mm mm = t.mm;
        if (offsetInPage(start)) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        len = pageAlign(len);
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
                error = -Errno.ENOMEM;
                break;
            }
            long newFlags = protBits(prot) | (vma.vmFlags & ~Vma.VM_ACCESS_FLAGS);
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
    private long mprotectFixup(Vma vma, long start, long end, long newFlags) {
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
        Vma v = vmas.modify(vma, start, end, newFlags);
        if (v == null) {
            return vmas.err;
        }
        setFlags(v, newFlags);
        memory.changeProtection(v, v.vmStart, v.vmEnd);
        // Private locked memory becoming writable is faulted in for writing now
        // (populate_vma_page_range), so that later writes do not fault: it breaks COW, and an
        // unfaulted vma gets its anon_vma (and keeps VM_ACCOUNT when made read-only again).
        if ((oldFlags & (Vma.VM_WRITE | Vma.VM_SHARED | Vma.VM_LOCKED)) == Vma.VM_LOCKED
                && (newFlags & Vma.VM_WRITE) != 0) {
            populate(v.mm, start, end, true);
        }
        return 0;
    }

    // ------------------------------------------------------------------ madvise

    /** do_madvise() for the advice the model knows. */
    @Override
    public long madvise(Task t, long start, long lenIn, int advice) {
        requireAlive(t);
        long r = doMadvise(t, start, lenIn, advice);
        vmas.regroup(t.mm);
        return r;
    }

    private long doMadvise(Task t, long start, long lenIn, int advice) {
        Mm mm = t.mm;
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
        if (offsetInPage(start)) {
            return -Errno.EINVAL;
        }
        long len = pageAlign(lenIn);
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
            long[] next = {0};
            long error = madviseVma(vma, start, tmp, advice, next);
            if (error != 0) {
                return error;
            }
            start = next[0];
            if (start >= end) {
                break;
            }
            vma = mm.findVma(start);
        }
        return unmappedError;
    }

    /** madvise_vma_behavior() for one vma piece; sets next[0] to where the walk resumes. */
    private long madviseVma(Vma vma, long start, long end, int advice, long[] next) {
        next[0] = end;
        switch (advice) {
            case Mman.MADV_DONTNEED:
                // madvise_dontneed_free_valid_vma()
                if ((vma.vmFlags & (Vma.VM_LOCKED | Vma.VM_IO)) != 0) {
                    return -Errno.EINVAL;
                }
                memory.zapRange(vma, start, end);
                return 0;
            case Mman.MADV_PAGEOUT:
                // can_madv_lru_vma(), then madvise_cold_or_pageout_pte_range() and reclaim_pages().
                if ((vma.vmFlags & (Vma.VM_LOCKED | Vma.VM_IO)) != 0) {
                    return -Errno.EINVAL;
                }
                pageoutRange(vma, start, end);
                return 0;
            case Mman.MADV_REMOVE: {
                // madvise_remove(): the range's file pages become a hole, vfs_fallocate(PUNCH_HOLE |
                // KEEP_SIZE) → shmem_fallocate: unmapped from every mapping but for private copies
                // (unmap_mapping_range without even_cows), then dropped from the cache and swap
                // (shmem_truncate_range; the range is page-aligned, so no partial page).
                if ((vma.vmFlags & Vma.VM_LOCKED) != 0 || vma.file == null) {
                    return -Errno.EINVAL;
                }
                if ((vma.vmFlags & (Vma.VM_SHARED | Vma.VM_MAYWRITE)) != (Vma.VM_SHARED | Vma.VM_MAYWRITE)) {
                    return -Errno.EACCES; // !vma_is_shared_maywrite()
                }
                long first = vma.linearPageIndex(start);
                long last = vma.linearPageIndex(end);
                memory.unmapMappingRange(vma.file, first, last, false);
                memory.shmemUndoRange(vma.file, first, last);
                return 0;
            }
            case Mman.MADV_DONTFORK:
                return madviseUpdate(vma, start, end, vma.vmFlags | Vma.VM_DONTCOPY, next);
            case Mman.MADV_DOFORK:
                if ((vma.vmFlags & Vma.VM_IO) != 0) {
                    return -Errno.EINVAL;
                }
                return madviseUpdate(vma, start, end, vma.vmFlags & ~Vma.VM_DONTCOPY, next);
            default:
                return 0; // hints without an effect the model can show
        }
    }

    /**
     * MADV_PAGEOUT over [start, end) of vma: every present page this process alone maps (not
     * folio_maybe_mapped_shared) has its young bit cleared and is reclaimed at once.
     */
    private void pageoutRange(Vma vma, long start, long end) {
        Mm mm = vma.mm;
        for (long a = start; a < end; a += PAGE_SIZE) {
            long slot = PageTable.lookup(frames, mm.pgd, a);
            if (slot < 0) {
                a = (a | (PageTable.PMD_SIZE - 1)) + 1 - PAGE_SIZE;
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
            reclaim.pageout(pfn);
        }
    }

    /** madvise_update_vma(): vma_modify_flags then set the flags. */
    private long madviseUpdate(Vma vma, long start, long end, long newFlags, long[] next) {
        if (newFlags == vma.vmFlags) {
            return 0;
        }
        Vma v = vmas.modify(vma, start, end, newFlags);
        if (v == null) {
            // madvise() returns EAGAIN when kernel resources are temporarily unavailable.
            return vmas.err == -Errno.ENOMEM ? -Errno.EAGAIN : vmas.err;
        }
        setFlags(v, newFlags);
        next[0] = Math.max(end, Math.min(v.vmEnd, end));
        return 0;
    }

    // ------------------------------------------------------------------ mlock

    @Override
    public long mlock(Task t, long start, long len) {
        requireAlive(t);
        long r = doMlock(t.mm, start, len, Vma.VM_LOCKED);
        vmas.regroup(t.mm);
        return r;
    }

    @Override
    public long munlock(Task t, long start, long len) {
        requireAlive(t);
        long r = doMlock(t.mm, start, len, 0);
        vmas.regroup(t.mm);
        return r;
    }

    /** do_mlock() / munlock: apply_vma_lock_flags(), then __mm_populate for mlock. */
    private long doMlock(Mm mm, long start, long len, long lockFlags) {
        len = pageAlign(len + (start & (PAGE_SIZE - 1)));
        start &= PAGE_MASK;
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
                return -Errno.ENOMEM; // a hole
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
        if (lockFlags != 0) {
            // __mm_populate(start, len, 0), then __mlock_posix_error_return().
            long e = populate(mm, start, end, false);
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
    private long mlockFixup(Vma vma, long start, long end, long newFlags) {
        long oldFlags = vma.vmFlags;
        if (newFlags == oldFlags) {
            return 0;
        }
        Vma v = vmas.modify(vma, start, end, newFlags);
        if (v == null) {
            return vmas.err;
        }
        long pages = (end - start) >>> PAGE_SHIFT;
        if ((newFlags & Vma.VM_LOCKED) != 0) {
            v.mm.lockedVm += pages;
        } else {
            v.mm.lockedVm -= pages;
        }
        setFlags(v, newFlags);
        // mlock_vma_pages_range(): the design hears which range changed (step (b) of seed 003).
        design.vmaLockChanged(v, start, end);
        return 0;
    }

    // ------------------------------------------------------------------ brk

    /** SYSCALL_DEFINE1(brk) and do_brk_flags(). */
    @Override
    public long brk(Task t, long brk) {
        requireAlive(t);
        long r = doBrk(t, brk);
        vmas.regroup(t.mm);
        return r;
    }

    private long doBrk(Task t, long brk) {
        Mm mm = t.mm;
        long origbrk = mm.brk;
        if (brk < mm.startBrk) {
            return origbrk;
        }
        long newbrk = pageAlign(brk);
        long oldbrk = pageAlign(mm.brk);
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
            if (vmas.munmapRange(mm, newbrk, oldbrk) != 0) {
                mm.brk = origbrk;
                return origbrk;
            }
            return brk;
        }
        // check_brk_limits(): the range must be mappable at a fixed address.
        if (Errno.isError(getUnmappedArea(mm, oldbrk, newbrk - oldbrk, Mman.MAP_FIXED, true))) {
            return origbrk;
        }
        // Only check if the next vma is within the stack_guard_gap of the expansion area.
        Vma next = mm.findVma(oldbrk);
        if (next != null && newbrk + PAGE_SIZE > next.vmStart) {
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
    private long doBrkFlags(Mm mm, Vma vma, long addr, long len) {
        long flags = Vma.VM_READ | Vma.VM_WRITE | Vma.VM_MAYREAD | Vma.VM_MAYWRITE | Vma.VM_MAYEXEC
                | Vma.VM_ACCOUNT;
        if (mm.mapCount > maxMapCount) {
            return -Errno.ENOMEM;
        }
        boolean extend = vma != null && vma.vmEnd == addr;
        long pgoff = design.anonPgoff(mm, addr, addr + len, flags, RmapDesign.ANON_BRK,
                extend ? groupStart(mm, vma) : addr);
        if (extend) {
            Vma merged = vmas.mergeNewRange(mm, addr, addr + len, flags, null, pgoff, null, null, true);
            if (merged != null) {
                return 0;
            }
        }
        Vma v = new Vma(mm, addr, addr + len, flags, pgoff, null);
        vmas.link(v);
        return 0;
    }

    // ------------------------------------------------------------------ mremap

    /**
     * SYSCALL_DEFINE5(mremap) → do_mremap() of Linux 6.17+: check_mremap_params(), then either
     * remap_move() (MREMAP_FIXED without a size change: every vma of the range moves, gaps kept)
     * or check_prep_vma() and mremap_to() / mremap_at().
     */
    @Override
    public long mremap(Task t, long addr, long oldLen, long newLen, int flags, long newAddr) {
        requireAlive(t);
        remapMovedBeforeError = 0;
        long r = doMremap(t, addr, oldLen, newLen, flags, newAddr);
        vmas.regroup(t.mm);
        return r;
    }

    private long doMremap(Task t, long addr, long oldLen, long newLen, int flags, long newAddr) {
        Mm mm = t.mm;
        oldLen = pageAlign(oldLen);
        newLen = pageAlign(newLen);
        long r = checkMremapParams(mm, addr, oldLen, newLen, flags, newAddr);
        if (r != 0) {
            return r;
        }
        boolean impliesNewAddr = (flags & (Mman.MREMAP_FIXED | Mman.MREMAP_DONTUNMAP)) != 0;
        if ((flags & Mman.MREMAP_FIXED) != 0 && oldLen == newLen) {
            return remapMove(mm, addr, oldLen, flags, newAddr);
        }
        Vma vma = mm.vmaLookup(addr);
        r = checkPrepVma(vma, addr, oldLen, newLen, flags);
        if (r != 0) {
            return r;
        }
        if (impliesNewAddr) {
            return mremapTo(mm, addr, oldLen, newLen, flags, newAddr);
        }
        if (oldLen == newLen) {
            return addr;
        }
        if (oldLen > newLen) {
            // shrink_vma(): just unmap the tail (it may span several vmas and gaps).
            r = vmas.munmapRange(mm, addr + newLen, addr + oldLen);
            return r != 0 ? r : addr;
        }
        return expandVma(mm, vma, addr, oldLen, newLen, flags);
    }

    /** check_mremap_params(). */
    private long checkMremapParams(Mm mm, long addr, long oldLen, long newLen, int flags, long newAddr) {
        if ((flags & ~(Mman.MREMAP_FIXED | Mman.MREMAP_MAYMOVE | Mman.MREMAP_DONTUNMAP)) != 0) {
            return -Errno.EINVAL;
        }
        if (offsetInPage(addr)) {
            return -Errno.EINVAL;
        }
        // A zero old_len is the "duplicate shm area" special case; a zero new_len is nonsense.
        if (newLen == 0) {
            return -Errno.EINVAL;
        }
        if (newLen > TASK_SIZE || Long.compareUnsigned(newAddr, TASK_SIZE - newLen) > 0) {
            return -Errno.EINVAL;
        }
        if ((flags & (Mman.MREMAP_FIXED | Mman.MREMAP_DONTUNMAP)) == 0) {
            return 0;
        }
        if (offsetInPage(newAddr)) {
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
        if (mm.mapCount + 2 >= maxMapCount - 3) {
            return -Errno.ENOMEM;
        }
        return 0;
    }

    /** check_prep_vma() (with what 6.17 inlined from remap_is_valid()). */
    private long checkPrepVma(Vma vma, long addr, long oldLen, long newLen, int flags) {
        if (vma == null) {
            return -Errno.EFAULT;
        }
        boolean impliesNewAddr = (flags & (Mman.MREMAP_FIXED | Mman.MREMAP_DONTUNMAP)) != 0;
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
        if (len > groupLast(vma.mm, vma).vmEnd - addr) {
            return -Errno.EFAULT;
        }
        if (newLen == len) {
            return 0;
        }
        long pgoff = vma.linearPageIndex(addr);
        if (pgoff + (newLen >>> PAGE_SHIFT) < pgoff) {
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
    /**
     * How many bytes of the source range the last mremap's remap_move() had moved, vma by vma,
     * when a later vma failed (the call returns that vma's error; the earlier ones stay moved, as
     * in Linux); 0 otherwise.
     */
    public long lastRemapMovedBeforeError() {
        return remapMovedBeforeError;
    }

    private long remapMovedBeforeError;

    private long remapMove(Mm mm, long start, long len, int flags, long newAddr) {
        long end = start + len;
        long target = newAddr;
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
                return -Errno.EFAULT; // no gap permitted at the start of the range
            }
            long a = Math.max(vma.vmStart, start);
            long l = Math.min(end, vma.vmEnd) - a;
            long offset = seen ? vma.vmStart - lastEnd : 0;
            lastEnd = vma.vmEnd;
            long dest = target + offset;
            // vma_multi_allowed(): a uffd-armed vma moves only on its own (the notification
            // would need the mmap lock dropped).
            if (vma.uffdArmed() && (seen || vma.vmEnd < end)) {
                remapMovedBeforeError = cursor - start;
                return -Errno.EFAULT;
            }
            long r = checkPrepVma(vma, a, l, l, flags);
            if (r == 0) {
                r = mremapTo(mm, a, l, l, flags, dest);
            }
            if (Errno.isError(r)) {
                remapMovedBeforeError = cursor - start;
                return r;
            }
            if (!seen) {
                res = r;
            }
            seen = true;
            target = r + l;
            cursor = a + l;
        }
        return res;
    }

    /**
     * expand_vma(): in place when the pages after the vma are free, else move (MAYMOVE). Under
     * lokier the vma is the user-visible one, a group: the range must end where the group ends, and
     * its last vma grows — in its offset space if the design allows it ({@link
     * RmapDesign#canExpandAnon}), else by a new vma for the grown part (seed 002: "When a vma is
     * grown and the page-&gt;offset space it would like to occupy is already taken, it can be split
     * into two vmas").
     */
    private long expandVma(Mm mm, Vma vma, long addr, long oldLen, long newLen, int flags) {
        long delta = newLen - oldLen;
        Vma last = groupLast(mm, vma); // vma itself but under lokier
        if (last.vmEnd - addr == oldLen && vmaExpandable(mm, last, delta)) {
            long oldEnd = last.vmEnd;
            Vma v;
            if (last.file != null || design.canExpandAnon(last, delta)) {
                // expand_vma_in_place() → vma_merge_extend(): the grown range merges with vma and
                // possibly the next vma.
                v = vmas.mergeNewRange(mm, oldEnd, oldEnd + delta, last.vmFlags, last.vmFile,
                        last.linearPageIndex(oldEnd), last.anonVma, null, false);
            } else {
                v = growAnonPiece(mm, last, groupStart(mm, vma), oldEnd, oldEnd + delta);
            }
            if (v == null) {
                return -Errno.ENOMEM;
            }
            if ((v.vmFlags & Vma.VM_LOCKED) != 0) {
                mm.lockedVm += delta >>> PAGE_SHIFT;
                populate(mm, oldEnd, oldEnd + delta);
            }
            return addr;
        }
        if ((flags & Mman.MREMAP_MAYMOVE) == 0) {
            return -Errno.ENOMEM;
        }
        long na = vrmNewAddr(mm, vma, addr, 0, newLen, flags);
        if (Errno.isError(na)) {
            return na;
        }
        return moveVma(mm, vma, addr, oldLen, newLen, na, flags);
    }

    /**
     * lokier: [start, end) grows the user-visible vma whose last vma is {@code prev} (it began at
     * {@code regionStart}) but may not take the offsets after prev's. It becomes a vma of its own,
     * its pgoff from the design ({@link RmapDesign#ANON_GROW}), sharing prev's anon state; the end
     * of the system call groups it with prev (a merge was tried across start). Returns the vma
     * that now covers the range, or null (ENOMEM).
     */
    private Vma growAnonPiece(Mm mm, Vma prev, long regionStart, long start, long end) {
        long flags = prev.vmFlags & ~Vma.VM_GROUP;
        long pgoff = design.anonPgoff(mm, start, end, flags, RmapDesign.ANON_GROW, regionStart);
        Vma v = vmas.mergeNewRange(mm, start, end, flags, null, pgoff, prev.anonVma, null, false);
        if (v != null) {
            return v;
        }
        Vma nv = new Vma(mm, start, end, flags, pgoff, null);
        if (design.vmaCopy(prev, nv) != 0) {
            return null;
        }
        vmas.link(nv);
        return nv;
    }

    /** vrm_set_new_addr(): get_unmapped_area() for the moved vma, with its file, pgoff and sharing. */
    private long vrmNewAddr(Mm mm, Vma vma, long addr, long newAddr, long newLen, int flags) {
        int mapFlags = 0;
        if ((flags & Mman.MREMAP_FIXED) != 0) {
            mapFlags |= Mman.MAP_FIXED;
        }
        if ((vma.vmFlags & Vma.VM_MAYSHARE) != 0) {
            mapFlags |= Mman.MAP_SHARED;
        }
        return getUnmappedArea(mm, newAddr, newLen, mapFlags, vma.file == null && (mapFlags & Mman.MAP_SHARED) == 0);
    }

    /** vma_expandable(): nothing mapped in [vm_end, vm_end + delta) and within TASK_SIZE. */
    private boolean vmaExpandable(Mm mm, Vma vma, long delta) {
        long end = vma.vmEnd + delta;
        if (end < vma.vmEnd || end > TASK_SIZE) {
            return false;
        }
        if (mm.findVmaIntersection(vma.vmEnd, end) != null) {
            return false;
        }
        return !Errno.isError(getUnmappedArea(mm, vma.vmStart, end - vma.vmStart, Mman.MAP_FIXED, false));
    }

    /** mremap_to(): MREMAP_FIXED / MREMAP_DONTUNMAP. */
    private long mremapTo(Mm mm, long addr, long oldLen, long newLen, int flags, long newAddr) {
        Vma vma;
        if ((flags & Mman.MREMAP_FIXED) != 0) {
            // The destination is unmapped first.
            long e = vmas.munmapRange(mm, newAddr, newAddr + newLen);
            if (e != 0) {
                return e;
            }
        }
        vma = mm.vmaLookup(addr);
        if (vma == null) {
            return -Errno.EFAULT;
        }
        if (oldLen > newLen) {
            long e = vmas.munmapRange(mm, addr + newLen, addr + oldLen);
            if (e != 0) {
                return e;
            }
            oldLen = newLen;
            vma = mm.vmaLookup(addr);
            if (vma == null) {
                return -Errno.EFAULT;
            }
        }
        long na = vrmNewAddr(mm, vma, addr, newAddr, newLen, flags);
        if (Errno.isError(na)) {
            return na;
        }
        return moveVma(mm, vma, addr, oldLen, newLen, na, flags);
    }

    /**
     * move_vma(): copy_vma() makes (or merges into) the vma at the new place, move_page_tables()
     * moves the ptes, then the old range is unmapped — or, with MREMAP_DONTUNMAP, left mapped and
     * empty, its mlock and anon state dropped.
     *
     * <p>Under lokier [oldAddr, oldAddr+oldLen) may cover several vmas of one group: each moves in
     * turn with its own pgoff (the remap_move() way), to consecutive places, and the last one takes
     * the growth — in its offset space if {@link RmapDesign#canGrowMovedAnon} allows, else as a
     * new vma ({@link #growAnonPiece}). Under the other designs the range lies in one vma and the
     * loop runs once.
     */
    private long moveVma(Mm mm, Vma vma, long oldAddr, long oldLen, long newLen, long newAddr, int flags) {
        if (mm.mapCount >= maxMapCount - 3) {
            return -Errno.ENOMEM;
        }
        long oldEnd = oldAddr + oldLen;
        long vmFlags = vma.vmFlags;
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
            newVma = copyVma(piece, dest, split ? l : destLen, piece.linearPageIndex(a));
            if (newVma == null) {
                if (a > oldAddr) {
                    moveBack(mm, oldAddr, a, newAddr);
                    vmas.munmapRange(mm, newAddr, newAddr + newLen);
                }
                return -Errno.ENOMEM;
            }
            long moved = memory.movePageTables(piece, a, newVma, dest, l);
            if (moved < l || (split && growAnonPiece(mm, newVma, newAddr, dest + l, dest + destLen) == null)) {
                // Put back what moved (move_page_tables in reverse), then undo the new vmas.
                if (moved < l) {
                    memory.movePageTables(newVma, dest, piece, a, moved);
                    moveBack(mm, oldAddr, a, newAddr);
                } else {
                    moveBack(mm, oldAddr, pEnd, newAddr);
                }
                vmas.munmapRange(mm, newAddr, newAddr + newLen);
                return -Errno.ENOMEM;
            }
            if (lastPiece) {
                break;
            }
            a = pEnd;
            piece = mm.vmaLookup(a);
        }
        if ((flags & Mman.MREMAP_DONTUNMAP) != 0) {
            // dontunmap_complete(): the source stays mapped and empty; the old vma always loses
            // VM_LOCKED[ONFAULT] (6.18 keeps VM_ACCOUNT) — also when copy_vma() merged the new
            // range into it (vrm->vma is then new_vma, the whole merged vma) — and if it was exactly
            // the moved range its anon state goes (unlink_anon_vmas), so it is like a never-faulted
            // vma again. Under lokier "the old vma" is the user-visible one: every vma of its group.
            Vma old = mm.vmaLookup(oldAddr);
            if (old != null) {
                long gs = groupStart(mm, old);
                long ge = groupLast(mm, old).vmEnd;
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
        } else if (oldLen > 0) {
            // unmap_source_vma(): do_vmi_munmap() of a zero old_len (duplicating a shared
            // mapping) fails with EINVAL before it splits anything, and the error is ignored.
            long e = vmas.munmapRange(mm, oldAddr, oldEnd);
            if (e != 0) {
                return e;
            }
        }
        if ((vmFlags & Vma.VM_LOCKED) != 0) {
            mm.lockedVm += newLen >>> PAGE_SHIFT;
            if (newLen > oldLen) {
                populate(mm, newAddr + oldLen, newAddr + newLen);
            }
        }
        return newAddr;
    }

    /** A failed group move: the ptes of [oldAddr, done), already moved to newAddr, go back. */
    private void moveBack(Mm mm, long oldAddr, long done, long newAddr) {
        long x = oldAddr;
        while (x < done) {
            Vma src = mm.vmaLookup(x);
            long d = newAddr + (x - oldAddr);
            Vma dst = mm.vmaLookup(d);
            long step = Math.min(Math.min(src.vmEnd, done), x + (dst.vmEnd - d)) - x;
            memory.movePageTables(dst, d, src, x, step);
            x += step;
        }
    }

    /**
     * copy_vma(): a vma for [addr, addr+len) with vma's flags, file and anon state, merged with a
     * neighbour when possible. An anonymous vma that was never faulted takes the pgoff of its new
     * address, to merge better.
     */
    private Vma copyVma(Vma vma, long addr, long len, long pgoff) {
        Mm mm = vma.mm;
        if (vma.file == null && vma.anonVma == null) {
            pgoff = design.anonPgoff(mm, addr, addr + len, vma.vmFlags & ~Vma.VM_GROUP, RmapDesign.ANON_COPY, addr);
        }
        // copy_vma merges with the source's flags and vm_userfaultfd_ctx (VMG_VMA_STATE), so a
        // registered range merges with registered neighbours; then move_vma's
        // mremap_userfaultfd_prep(), without UFFD_FEATURE_EVENT_REMAP, drops the registration of
        // the whole new vma (userfaultfd_reset_ctx), neighbours merged into it included, with no
        // re-merge (uffd/mremap_into_registered_hole.vms).
        // A faulted vma never merges with its own copy under today's rules (pgoff linearity:
        // copy_vma's VM_BUG_ON_VMA(faulted_in_anon_vma)), so a registered DONTUNMAP source keeps
        // its registration. Designs whose anon merge ignores pgoff (pte_chains, anonmm) could
        // merge the two; the model keeps a registered faulted source apart from its copy, so that
        // registration, which is user-visible, is the same under every design.
        long flags = vma.vmFlags;
        Vma notWith = vma.uffdArmed() && vma.anonVma != null && !design.anonMergeNeedsPgoff() ? vma : null;
        Vma merged = vmas.mergeNewRange(mm, addr, addr + len, flags, vma.vmFile, pgoff, vma.anonVma,
                vma, false, notWith);
        if (merged != null) {
            merged.vmFlags &= ~Vma.VM_UFFD_MISSING;
            return merged;
        }
        Vma nv = new Vma(mm, addr, addr + len, flags & ~(Vma.VM_GROUP | Vma.VM_UFFD_MISSING), pgoff, vma.file);
        nv.vmFile = vma.vmFile;
        nv.anonVma = null;
        if (design.vmaCopy(vma, nv) != 0) {
            return null;
        }
        vmas.link(nv);
        return nv;
    }

    // ------------------------------------------------------------------ memory access

    /**
     * One user access at addr (the MMU then do_user_addr_fault / access_error on x86): SEGV when no
     * vma contains it or the vma forbids it — on x86 any of read, write or exec permission
     * allows a read — otherwise resolve the fault if the pte does not allow the access.
     * Returns the pfn accessed, or -1 - ACCESS_* on failure.
     */
    private int access(Mm mm, long addr, boolean write) {
        Vma vma = mm.vmaLookup(addr);
        if (vma == null) {
            return -1 - ACCESS_SEGV;
        }
        if (write ? (vma.vmFlags & Vma.VM_WRITE) == 0 : (vma.vmFlags & Vma.VM_ACCESS_FLAGS) == 0) {
            return -1 - ACCESS_SEGV;
        }
        // The MMU retries the access after each fault until the pte allows it.
        for (int tries = 0; tries < 16; tries++) {
            long slot = PageTable.lookup(frames, mm.pgd, addr);
            if (slot >= 0) {
                long pte = PageTable.get(frames, slot);
                if (PageTable.present(pte) && (!write || PageTable.writable(pte))) {
                    PageTable.set(frames, slot, pte | PageTable.ACCESSED | (write ? PageTable.DIRTY : 0));
                    return PageTable.ptePfn(pte);
                }
            }
            int r = memory.handleFault(mm, vma, addr, write);
            if (r == Memory.FAULT_SIGSEGV) {
                return -1 - ACCESS_SEGV;
            }
            if (r == Memory.FAULT_SIGBUS) {
                return -1 - ACCESS_BUS;
            }
            if (r == Memory.FAULT_OOM) {
                // The OOM killer ended this task (VM_FAULT_OOM → pagefault_out_of_memory).
                return -1 - ACCESS_KILLED;
            }
        }
        throw new IllegalStateException("a fault at 0x" + Long.toHexString(addr) + " keeps being retried");
    }

    @Override
    public int write(Task t, long addr, long len, long value) {
        requireAlive(t);
        long first = addr & PAGE_MASK;
        long end = len == 0 ? first + PAGE_SIZE : addr + len;
        for (long a = first; a < end; a += PAGE_SIZE) {
            int pfn = access(t.mm, a, true);
            if (pfn < 0) {
                return -1 - pfn;
            }
            frames.content[pfn] = value;
        }
        return ACCESS_OK;
    }

    @Override
    public int touch(Task t, long addr, long len) {
        requireAlive(t);
        long first = addr & PAGE_MASK;
        long end = len == 0 ? first + PAGE_SIZE : addr + len;
        for (long a = first; a < end; a += PAGE_SIZE) {
            int pfn = access(t.mm, a, false);
            if (pfn < 0) {
                return -1 - pfn;
            }
        }
        return ACCESS_OK;
    }

    @Override
    public int read(Task t, long addr, long len, ReadResult out) {
        requireAlive(t);
        long first = addr & PAGE_MASK;
        long end = len == 0 ? first + PAGE_SIZE : addr + len;
        boolean have = false;
        out.mixed = false;
        out.value = 0;
        for (long a = first; a < end; a += PAGE_SIZE) {
            int pfn = access(t.mm, a, false);
            if (pfn < 0) {
                return -1 - pfn;
            }
            long v = frames.content[pfn];
            if (!have) {
                out.value = v;
                have = true;
            } else if (v != out.value) {
                out.mixed = true;
            }
        }
        return ACCESS_OK;
    }

    // ------------------------------------------------------------------ userfaultfd

    /** Counters of UFFDIO_MOVE / remap_anon_pages (see {@link #counters}). */
    long uffdPagesMoved;
    long uffdPtesRewritten;
    long uffdRmapUpdates;
    /** Pages UFFDIO_COPY allocated and filled. */
    long uffdPagesCopied;
    /**
     * Copies a move avoided: every pte a move carried to dst (a present page, a zero-page pte or
     * a swap entry), each of which UFFDIO_COPY would have had to allocate and fill a page for.
     * Holes skipped with allow_src_holes are not counted.
     */
    long uffdCopiesAvoided;
    /** uffdio_copy.copy of the last {@link #uffdCopy}: bytes copied, or -errno when none. */
    private long lastCopied;
    /** uffdio_move.move of the last {@link #uffdMove}: bytes moved, or -errno when none moved. */
    private long lastMoved;

    /** UFFDIO_MOVE_MODE_DONTWAKE / UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES (include/uapi/linux/userfaultfd.h). */
    public static final int UFFDIO_MOVE_MODE_DONTWAKE = 1 << 0;
    public static final int UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES = 1 << 1;

    /**
     * What the kernel wrote to uffdio_move.move in the last {@link #uffdMove}: the bytes moved, or
     * -errno when nothing moved. A short move returns -EAGAIN from the ioctl; this tells how far it
     * got.
     */
    public long lastUffdMoved() {
        return lastMoved;
    }

    /**
     * validate_range() of fs/userfaultfd.c (6.18): page-aligned start, then
     * validate_unaligned_range(). There is no mmap_min_addr check: on this machine's 6.18,
     * {@code uffd_move 0 SRC 1p} is ENOENT (no vma), not EINVAL (uffd/copy_errors.vms).
     */
    private static long uffdValidateRange(long start, long len) {
        if (offsetInPage(start)) {
            return -Errno.EINVAL;
        }
        return uffdValidateUnalignedRange(start, len);
    }

    /**
     * validate_unaligned_range() of fs/userfaultfd.c: len a non-zero multiple of the page size,
     * [start, start+len) below TASK_SIZE. UFFDIO_COPY's src may be unaligned.
     */
    private static long uffdValidateUnalignedRange(long start, long len) {
        if (offsetInPage(len) || len == 0 || Long.compareUnsigned(start, TASK_SIZE) >= 0
                || Long.compareUnsigned(len, TASK_SIZE - start) > 0) {
            return -Errno.EINVAL;
        }
        return 0;
    }

    /**
     * userfaultfd_register() in UFFDIO_REGISTER_MODE_MISSING with the task's userfaultfd (one per
     * mm: the harness opens one per process). Holes in the range are allowed; no vma at all is
     * EINVAL. Every vma of the range is split at the range's ends and flagged VM_UFFD_MISSING
     * (userfaultfd_register_range → vma_modify_flags_uffd, which may merge it with registered
     * neighbours).
     */
    @Override
    public long uffdRegister(Task t, long start, long len) {
        requireAlive(t);
        long r = doUffdRegister(t.mm, start, len);
        vmas.regroup(t.mm);
        return r;
    }

    private long doUffdRegister(Mm mm, long start, long len) {
        long r = uffdValidateRange(start, len);
        if (r != 0) {
            return r;
        }
        long end = start + len;
        Vma first = mm.findVma(start);
        if (first == null || first.vmStart >= end) {
            return -Errno.EINVAL;
        }
        for (Vma cur = first; cur != null && cur.vmStart < end; cur = mm.findVma(cur.vmEnd)) {
            // vma_can_userfault(): anonymous and shmem vmas may register in missing mode (the
            // only kinds the model has); VM_MAYWRITE is always set on them.
            if ((cur.vmFlags & Vma.VM_MAYWRITE) == 0) {
                return -Errno.EPERM;
            }
        }
        long cursor = start;
        while (cursor < end) {
            Vma vma = mm.findVma(cursor);
            if (vma == null || vma.vmStart >= end) {
                break;
            }
            long s = Math.max(cursor, vma.vmStart);
            long e = Math.min(end, vma.vmEnd);
            if (!vma.uffdArmed()) {
                long newFlags = vma.vmFlags | Vma.VM_UFFD_MISSING;
                Vma v = vmas.modify(vma, s, e, newFlags);
                if (v == null) {
                    return vmas.err;
                }
                setFlags(v, newFlags);
                vma = v;
            }
            cursor = Math.max(e, Math.min(vma.vmEnd, end));
        }
        return 0;
    }

    /**
     * The UFFDIO_MOVE ioctl (userfaultfd_move → move_pages of mm/userfaultfd.c, Linux 6.18):
     * returns len when everything moved, -EAGAIN for a short move (uffdio_move.move, see
     * {@link #lastUffdMoved}, tells how far), else -errno.
     */
    @Override
    public long uffdMove(Task t, long dst, long src, long len, int mode) {
        requireAlive(t);
        lastMoved = -Errno.EINVAL;
        long r = uffdValidateRange(src, len);
        if (r == 0) {
            r = uffdValidateRange(dst, len);
        }
        if (r != 0) {
            return r;
        }
        if ((mode & ~(UFFDIO_MOVE_MODE_DONTWAKE | UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES)) != 0) {
            return -Errno.EINVAL;
        }
        long moved = movePages(t.mm, dst, src, len, (mode & UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES) != 0, false);
        vmas.regroup(t.mm); // the dst vma may have been given its anon state
        lastMoved = moved;
        if (moved < 0) {
            return moved;
        }
        return moved == len ? len : -Errno.EAGAIN;
    }

    /** UFFDIO_COPY_MODE_DONTWAKE / UFFDIO_COPY_MODE_WP (include/uapi/linux/userfaultfd.h). */
    public static final int UFFDIO_COPY_MODE_DONTWAKE = 1 << 0;
    public static final int UFFDIO_COPY_MODE_WP = 1 << 1;

    /**
     * What the kernel wrote to uffdio_copy.copy in the last {@link #uffdCopy}: the bytes copied,
     * or -errno when nothing was copied.
     */
    public long lastUffdCopied() {
        return lastCopied;
    }

    /**
     * The UFFDIO_COPY ioctl (userfaultfd_copy → mfill_atomic_copy → mfill_atomic of
     * mm/userfaultfd.c, Linux 6.18): src may be unaligned (validate_unaligned_range), dst must be
     * aligned; unknown mode bits are EINVAL. Returns len when everything was copied, -EAGAIN for a
     * short copy ({@link #lastUffdCopied} tells how far it got), else -errno.
     */
    @Override
    public long uffdCopy(Task t, long dst, long src, long len, int mode) {
        requireAlive(t);
        lastCopied = -Errno.EINVAL;
        long r = uffdValidateUnalignedRange(src, len);
        if (r == 0) {
            r = uffdValidateRange(dst, len);
        }
        if (r == 0 && (mode & ~(UFFDIO_COPY_MODE_DONTWAKE | UFFDIO_COPY_MODE_WP)) != 0) {
            r = -Errno.EINVAL;
        }
        if (r != 0) {
            return r;
        }
        long copied = mfillAtomicCopy(t, dst, src, len, (mode & UFFDIO_COPY_MODE_WP) != 0);
        if (t.isAlive()) {
            vmas.regroup(t.mm); // the dst vma may have been given its anon state
        }
        lastCopied = copied;
        if (copied < 0) {
            return copied;
        }
        return copied == len ? len : -Errno.EAGAIN;
    }

    /**
     * mfill_atomic() in MFILL_ATOMIC_COPY mode. uffd_mfill_lock → uffd_lock_vma →
     * find_vma_and_prepare_anon: no vma at dst is ENOENT, a private dst vma gets its anon state
     * first (ENOMEM) — even when the next check refuses it; validate_dst_vma: a range leaving the
     * vma or a vma not registered is ENOENT. A wp copy needs VM_UFFD_WP, which the model never
     * sets (missing mode only): EINVAL. Every vma of the model is anonymous or shmem, so the
     * !vma_is_anonymous && !vma_is_shmem EINVAL cannot happen. Then page by page:
     * mm_alloc_pmd/__pte_alloc (ENOMEM) and mfill_atomic_pte_copy / shmem_mfill_atomic_pte.
     * Returns the bytes copied, or the error when none were.
     */
    private long mfillAtomicCopy(Task t, long dst, long src, long len, boolean wp) {
        Mm mm = t.mm;
        Vma dstVma = mm.vmaLookup(dst);
        if (dstVma == null) {
            return -Errno.ENOENT;
        }
        boolean shared = (dstVma.vmFlags & Vma.VM_SHARED) != 0;
        if (!shared && design.anonVmaPrepare(dstVma) != 0) {
            return -Errno.ENOMEM;
        }
        if (dst + len > dstVma.vmEnd || !dstVma.uffdArmed()) {
            return -Errno.ENOENT;
        }
        if (wp) {
            return -Errno.EINVAL;
        }
        long copied = 0;
        long err = 0;
        for (long s = src, d = dst; copied < len; s += PAGE_SIZE, d += PAGE_SIZE) {
            if (PageTable.alloc(frames, mm, d) < 0) {
                err = -Errno.ENOMEM;
                break;
            }
            err = mfillAtomicPteCopy(t, dstVma, d, s);
            if (err != 0) {
                break;
            }
            copied += PAGE_SIZE;
        }
        return copied != 0 ? copied : err;
    }

    /**
     * mfill_atomic_pte_copy() (private dst) / shmem_mfill_atomic_pte() (shmem dst): a new page
     * (vma_alloc_folio / shmem_alloc_folio: ENOMEM), filled by copy_from_user() from src — first
     * with page faults disabled, then (the -ENOENT retry of mfill_atomic) with faults enabled, so
     * an unfaulted source page is faulted in (a read fault: the zero page) and an unreadable one
     * (no vma, PROT_NONE, a missing page of a registered range: SIGBUS mode) is EFAULT. The
     * source is read before the destination is looked at, so EFAULT wins over EEXIST. Then
     * shmem: EFAULT past i_size, EEXIST when the page cache holds a page or swap entry at the
     * offset; and mfill_atomic_install_pte(): EEXIST unless the dst pte is none.
     */
    private long mfillAtomicPteCopy(Task t, Vma dstVma, long dst, long src) {
        Mm mm = t.mm;
        int pfn = frames.alloc();
        if (pfn < 0) {
            return -Errno.ENOMEM;
        }
        if (!t.isAlive() || !copyFromUserPage(mm, src)) {
            frames.refcount[pfn] = 0;
            frames.free(pfn);
            return -Errno.EFAULT;
        }
        long value = copiedValue;
        // The kernel looks dst up again after the fallback copy (goto retry); in the model the
        // source fault cannot change the vmas, and the caller is alive.
        long dslot = PageTable.lookup(frames, mm.pgd, dst);
        int e = memory.mfillInstallPte(mm, dstVma, dst, dslot, pfn, value);
        if (e != 0) {
            frames.refcount[pfn] = 0;
            frames.free(pfn);
            return e;
        }
        uffdPagesCopied++;
        return 0;
    }

    /** The value {@link #copyFromUserPage} read. */
    private long copiedValue;

    /**
     * copy_from_user() of one page from the user address src of mm, faulting as a user read does
     * (the access() of read/touch): false when a page of the source cannot be read (EFAULT).
     * On success {@link #copiedValue} holds what the copy's first 8 bytes hold — the model's one
     * value per page being a page's first 8 bytes, the rest zero (the harness's convention). An
     * unaligned src at offset o reads bytes [o, o+8) of page P and, for o &gt; 4088, the first
     * bytes of page P+1; its copy spans both pages, which must both be readable.
     * Simplification: the copy keeps only its first 8 bytes, so the bytes of P+1 that land
     * further into it are lost (only an unaligned copy from the copy could see them).
     */
    private boolean copyFromUserPage(Mm mm, long src) {
        long off = src & ~PAGE_MASK;
        long page = src & PAGE_MASK;
        int pfn = access(mm, page, false);
        if (pfn < 0) {
            return false;
        }
        long v = frames.content[pfn];
        if (off == 0) {
            copiedValue = v;
            return true;
        }
        long value = off < 8 ? v >>> (8 * off) : 0;
        int next = access(mm, page + PAGE_SIZE, false);
        if (next < 0) {
            return false;
        }
        if (off > PAGE_SIZE - 8) {
            value |= frames.content[next] << (8 * (PAGE_SIZE - off));
        }
        copiedValue = value;
        return true;
    }

    /**
     * remap_anon_pages(2) of the 2014 patch set (seed 004): the same move, but no registration is
     * needed, a page must have mapcount 1 (not PageAnonExclusive, which did not exist), a swap
     * entry swap count 1, and a file pte source is EFAULT. Returns the bytes moved (a short move
     * returns what moved, as move_pages() does), or -errno when none moved.
     */
    @Override
    public long remapAnonPages(Task t, long dst, long src, long len, int flags) {
        requireAlive(t);
        if (offsetInPage(src) || offsetInPage(dst) || offsetInPage(len) || len == 0
                || src + len <= src || dst + len <= dst) {
            return -Errno.EINVAL;
        }
        if ((flags & ~1) != 0) {
            return -Errno.EINVAL;
        }
        long r = movePages(t.mm, dst, src, len, (flags & 1) != 0, true);
        vmas.regroup(t.mm);
        return r;
    }

    /**
     * move_pages(): find the vmas (uffd_move_lock → find_vma_and_prepare_anon: ENOENT, ENOMEM),
     * check them (EINVAL, validate_move_areas), then move_pages_pte() page by page. Returns the
     * bytes moved, or the error when none moved. {@code rap}: remap_anon_pages' rules.
     */
    private long movePages(Mm mm, long dst, long src, long len, boolean allowSrcHoles, boolean rap) {
        Vma dstVma = mm.vmaLookup(dst);
        if (dstVma == null) {
            return -Errno.ENOENT;
        }
        if ((dstVma.vmFlags & Vma.VM_SHARED) == 0 && design.anonVmaPrepare(dstVma) != 0) {
            return -Errno.ENOMEM;
        }
        Vma srcVma = src >= dstVma.vmStart && src < dstVma.vmEnd ? dstVma : mm.vmaLookup(src);
        if (srcVma == null) {
            return -Errno.ENOENT;
        }
        if ((srcVma.vmFlags & Vma.VM_SHARED) != 0 || src + len > srcVma.vmEnd) {
            return -Errno.EINVAL;
        }
        if ((dstVma.vmFlags & Vma.VM_SHARED) != 0 || dst + len > dstVma.vmEnd) {
            return -Errno.EINVAL;
        }
        // validate_move_areas()
        if ((srcVma.vmFlags & Vma.VM_ACCESS_FLAGS) != (dstVma.vmFlags & Vma.VM_ACCESS_FLAGS)
                || (srcVma.vmFlags & Vma.VM_LOCKED) != (dstVma.vmFlags & Vma.VM_LOCKED)
                || (srcVma.vmFlags & Vma.VM_WRITE) == 0
                || (srcVma.vmFlags & Vma.VM_IO) != 0 || (dstVma.vmFlags & Vma.VM_IO) != 0
                || (!rap && !dstVma.uffdArmed())
                || !srcVma.isAnonymous() || !dstVma.isAnonymous()) {
            return -Errno.EINVAL;
        }
        long moved = 0;
        long err = 0;
        for (long s = src, d = dst; s < src + len; s += PAGE_SIZE, d += PAGE_SIZE) {
            long sslot = PageTable.lookup(frames, mm.pgd, s);
            if (sslot < 0) {
                if (!allowSrcHoles) {
                    err = -Errno.ENOENT;
                    break;
                }
                // mm_alloc_pmd + __pte_alloc: the kernel gives the hole a page table.
                if (PageTable.alloc(frames, mm, s) < 0) {
                    err = -Errno.ENOMEM;
                    break;
                }
            }
            long dslot = PageTable.alloc(frames, mm, d);
            if (dslot < 0) {
                err = -Errno.ENOMEM;
                break;
            }
            sslot = PageTable.lookup(frames, mm.pgd, s); // an allocation may have let reclaim run
            err = movePagesPte(srcVma, s, sslot, dstVma, d, dslot, allowSrcHoles, rap);
            if (err != 0) {
                break;
            }
            moved += PAGE_SIZE;
        }
        return moved != 0 ? moved : err;
    }

    /** move_pages_pte(): one page: move_present_pte, move_zeropage_pte or move_swap_pte. */
    private long movePagesPte(Vma srcVma, long src, long sslot, Vma dstVma, long dst, long dslot,
            boolean allowSrcHoles, boolean rap) {
        Frames f = frames;
        long dpte = PageTable.get(f, dslot);
        if (dpte != 0) {
            return -Errno.EEXIST;
        }
        long spte = sslot < 0 ? 0 : PageTable.get(f, sslot);
        if (spte == 0) {
            return allowSrcHoles ? 0 : -Errno.ENOENT; // nothing to do to move a hole
        }
        if (PageTable.present(spte)) {
            int pfn = PageTable.ptePfn(spte);
            if (pfn == Frames.ZERO_PFN) {
                // move_zeropage_pte(): a zero-page pte for dst, read-only and special.
                PageTable.set(f, sslot, 0);
                PageTable.set(f, dslot, PageTable.mkpte(Frames.ZERO_PFN,
                        PageTable.PRESENT | PageTable.USER | PageTable.ACCESSED | PageTable.SPECIAL));
                uffdPtesRewritten++;
                uffdCopiesAvoided++;
                return 0;
            }
            // vm_normal_folio() && PageAnonExclusive (remap_anon_pages: page_mapcount == 1).
            if ((spte & PageTable.SPECIAL) != 0 || (f.flags[pfn] & Frames.PG_ANON) == 0) {
                return rap ? -Errno.EFAULT : -Errno.EBUSY;
            }
            if (rap ? f.mapcount[pfn] != 1 : (f.flags[pfn] & Frames.PG_ANON_EXCLUSIVE) == 0) {
                return -Errno.EBUSY;
            }
            if (rap) {
                // 2014 had no PageAnonExclusive: mapcount 1 was the rule. The model maps the page
                // writable at dst, so it must be exclusive: a page still in the swap cache may
                // have sharers behind swap entries, and is refused (model's choice).
                if ((f.flags[pfn] & Frames.PG_SWAPCACHE) != 0) {
                    return -Errno.EBUSY;
                }
                f.flags[pfn] |= Frames.PG_ANON_EXCLUSIVE;
            }
            // move_present_pte(): ptep_clear_flush, folio_move_anon_rmap + index, set_pte_at.
            PageTable.set(f, sslot, 0);
            int e = design.pageMoveAnon(f, pfn, srcVma, src, sslot, dstVma, dst, dslot);
            if (e != 0) {
                PageTable.set(f, sslot, spte); // the design refuses: put the pte back
                return e;
            }
            long bits = PageTable.PRESENT | PageTable.USER | PageTable.ACCESSED | PageTable.DIRTY | PageTable.RW;
            PageTable.set(f, dslot, PageTable.mkpte(pfn, bits));
            uffdPagesMoved++;
            uffdPtesRewritten++;
            uffdRmapUpdates++;
            uffdCopiesAvoided++;
            return 0;
        }
        if (!PageTable.isSwap(spte)) {
            return -Errno.EFAULT;
        }
        // move_swap_pte(): only an exclusive entry (remap_anon_pages: swap count 1).
        int slot = PageTable.swpSlot(spte);
        if (rap ? swap.count[slot] != 1 : (spte & PageTable.SWP_EXCLUSIVE) == 0) {
            return -Errno.EBUSY;
        }
        int cached = swap.cachePfn(slot);
        if (cached >= 0 && f.mapcount[cached] == 0) {
            // The swap-cache folio moves with its entry (folio_move_anon_rmap + index).
            int e = design.pageMoveAnon(f, cached, srcVma, src, -1, dstVma, dst, -1);
            if (e != 0) {
                return e;
            }
            uffdRmapUpdates++;
        }
        PageTable.set(f, sslot, 0);
        PageTable.set(f, dslot, spte);
        uffdPtesRewritten++;
        uffdCopiesAvoided++;
        return 0;
    }

    // ------------------------------------------------------------------ mremap groups (lokier)

    /** The last vma of the user-visible vma containing v: v itself but under lokier. */
    static Vma groupLast(Mm mm, Vma v) {
        int n = mm.mapCount;
        int i = mm.indexOf(v);
        while (i + 1 < n && (mm.vma(i + 1).vmFlags & Vma.VM_GROUP) != 0 && mm.vma(i).vmEnd == mm.vma(i + 1).vmStart) {
            i++;
        }
        return mm.vma(i);
    }

    /**
     * vm_flags_reset() after vma_modify(): v may be a neighbour the range merged into, so it keeps
     * its own VM_GROUP bit (its place in a user-visible vma), whatever the range's was.
     */
    private static void setFlags(Vma v, long newFlags) {
        v.vmFlags = (newFlags & ~Vma.VM_GROUP) | (v.vmFlags & Vma.VM_GROUP);
    }

    /**
     * Where the user-visible vma containing {@code v} starts: v's own start unless v continues its
     * predecessor with lokier's VM_GROUP flag (never set under the other designs).
     */
    static long groupStart(Mm mm, Vma v) {
        if ((v.vmFlags & Vma.VM_GROUP) == 0) {
            return v.vmStart;
        }
        int i = mm.indexOf(v);
        while (i > 0 && (mm.vma(i).vmFlags & Vma.VM_GROUP) != 0 && mm.vma(i - 1).vmEnd == mm.vma(i).vmStart) {
            i--;
        }
        return mm.vma(i).vmStart;
    }

    // ------------------------------------------------------------------ /proc/PID/maps

    /**
     * The user-visible vma at addr. vmas joined by lokier's VM_GROUP flag show as one (the flag
     * marks a vma that continues the previous one).
     */
    @Override
    public VmaInfo vmaAt(Task t, long addr) {
        requireAlive(t);
        Mm mm = t.mm;
        Vma v = mm.vmaLookup(addr);
        if (v == null) {
            return null;
        }
        int i = mm.indexOf(v);
        int lo = i;
        while (lo > 0 && (mm.vma(lo).vmFlags & Vma.VM_GROUP) != 0 && mm.vma(lo - 1).vmEnd == mm.vma(lo).vmStart) {
            lo--;
        }
        int hi = i;
        while (hi + 1 < mm.mapCount && (mm.vma(hi + 1).vmFlags & Vma.VM_GROUP) != 0
                && mm.vma(hi).vmEnd == mm.vma(hi + 1).vmStart) {
            hi++;
        }
        return new VmaInfo(mm.vma(lo).vmStart, mm.vma(hi).vmEnd, v.perms());
    }

    @Override
    public int vmasIn(Task t, long addr, long len) {
        requireAlive(t);
        Mm mm = t.mm;
        long end = addr + len;
        int n = 0;
        Vma prevSeen = null;
        for (int i = mm.indexAfter(addr); i < mm.mapCount && mm.vma(i).vmStart < end; i++) {
            Vma v = mm.vma(i);
            boolean continues = prevSeen != null && (v.vmFlags & Vma.VM_GROUP) != 0 && prevSeen.vmEnd == v.vmStart;
            if (!continues) {
                n++;
            }
            prevSeen = v;
        }
        return n;
    }

    /** The machine ran out of frames where the model has no reclaim yet. */
    public static final class ModelOutOfMemory extends RuntimeException {
        public ModelOutOfMemory(String msg) {
            super(msg);
        }
    }
}
