package org.rmaplab.mm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The machine: physical memory, tasks, address spaces, and the memory system calls with Linux 6.x
 * semantics, each delegated in one line to the class that mirrors its Linux source file
 * ({@link Mmap} mm/mmap.c, {@link Mremap} mm/mremap.c, {@link Mprotect} mm/mprotect.c,
 * {@link Madvise} mm/madvise.c, {@link Mlock} mm/mlock.c, {@link Fork} kernel/fork.c,
 * {@link Exec} fs/exec.c, {@link Exit} kernel/exit.c, {@link Shmem} mm/shmem.c,
 * {@link Userfaultfd} userfaultfd.c, {@link Gup} mm/gup.c, {@link ProcMaps} fs/proc/task_mmu.c;
 * shared by them: {@link Memory} mm/memory.c, {@link VmaOps} mm/vma.c, {@link Rmap} and
 * {@link FileRmap} mm/rmap.c, {@link Vmscan} mm/vmscan.c, {@link SwapState} mm/swap_state.c,
 * {@link Swapfile} mm/swapfile.c, {@link OomKill} mm/oom_kill.c). The machine keeps the state they
 * work on (frames, LRU, swap, tasks, mms, files, configuration, the design; the counters live in
 * the class that counts them, {@link #counters} gathers them) and no system-call logic. It knows no reverse-mapping design: the core tells the {@link RmapDesign} of
 * every event and asks it to decide the anon part of merges; the design sees the machine only as
 * an {@link RmapHost}.
 *
 * <p>Invariants kept after every system call (the oracle, {@code org.rmaplab.check}, proves them):
 * every frame is free or accounted for (page tables, page cache, anonymous pages mapped by ptes);
 * mapcount and refcount match the ptes; every pte lies in a vma of its mm and respects its
 * protection; the design's reverse walk finds exactly the ptes that map each page.
 *
 * <p>Addresses follow x86-64 with 4-level paging and no randomization: TASK_SIZE
 * 0x7ffffffff000, mmap_base 128 MiB below it (mmap_base() with the minimum gap), mappings placed
 * top-down below it (arch_get_unmapped_area_topdown), and the program break starting at
 * {@link #START_BRK} (there is no executable image: see docs/model.md, "Simplifications and what is not modelled yet").
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
    /** stack_guard_gap: 256 pages (mm/mmap.c, "stack_guard_gap=" on the command line; 4.12's fix of Stack Clash). */
    public static final long STACK_GUARD_GAP = 256L << PAGE_SHIFT;
    /** RLIMIT_STACK's soft limit: 8 MiB, _STK_LIM, what a shell and the harness start with ({@code ulimit -s} 8192). */
    public static final long RLIMIT_STACK = 8L << 20;

    final MachineConfig config;
    final RmapDesign design;
    /** The design's capabilities, read once ({@link RmapDesign#traits()}). */
    final DesignTraits traits;
    final Frames frames;
    final Lru lru;
    final Swapfile swap;
    int maxMapCount = DEFAULT_MAX_MAP_COUNT;

    final List<Task> tasks = new ArrayList<>();
    final List<Mm> mms = new ArrayList<>();
    int nextPid = 1;
    int nextMmId = 1;
    int nextIno = 1;
    /** Files made by {@link #open}, by number: tmpfs inodes their directory entries keep alive. */
    final List<AddressSpace> files = new ArrayList<>();
    Task init;
    /** What a new program image maps before the scenario's first line (null: nothing). */
    java.util.function.Consumer<Task> image;

    /** The mm the running system call works in: the OOM killer must not tear it down under it. */
    Mm current;
    /** An mm whose tasks the OOM killer ended during a call in it; torn down after the call. */
    Mm pendingTeardown;

    // The code, one object per Linux source file (see the class comment).
    final Memory memory;
    final VmaOps vmaOps;
    final Vmscan vmscan;
    final Rmap rmap;
    final SwapState swapState;
    final OomKill oomKill;
    final Fork fork;
    final Exec exec;
    final Exit exit;
    final Mmap mmap;
    /** remap_file_pages with nonlinear vmas ({@code machine remap=nonlinear}). */
    final Fremap fremap;
    final Shmem shmem;
    final Gup gup;
    final Mprotect mprotect;
    final Madvise madvise;
    final Mlock mlock;
    final Mremap mremap;
    final Userfaultfd userfaultfd;
    final ProcMaps procMaps;
    final FileRmap fileRmap;
    final Footprint footprint = new Footprint();
    /** The TLB flushes the calls end with (arch/x86/mm/tlb.c's rule, counted). */
    final Tlb tlb = new Tlb();

    public Machine(MachineConfig cfg, RmapDesign design) {
        this.config = cfg;
        this.design = design;
        this.traits = design.traits();
        this.frames = new Frames(cfg.ramBytes(), traits.swapEntryInIndex());
        this.lru = new Lru(frames);
        this.swap = new Swapfile(cfg.swapBytes());
        this.memory = new Memory(this);
        this.vmaOps = new VmaOps(this);
        this.vmscan = new Vmscan(this);
        this.rmap = new Rmap(this);
        this.swapState = new SwapState(this);
        this.oomKill = new OomKill(this);
        this.fork = new Fork(this);
        this.exec = new Exec(this);
        this.exit = new Exit(this);
        this.mmap = new Mmap(this);
        this.fremap = new Fremap(this);
        this.shmem = new Shmem(this);
        this.gup = new Gup(this);
        this.mprotect = new Mprotect(this);
        this.madvise = new Madvise(this);
        this.mlock = new Mlock(this);
        this.mremap = new Mremap(this);
        this.userfaultfd = new Userfaultfd(this);
        this.procMaps = new ProcMaps(this);
        this.fileRmap = new FileRmap(this);
        frames.pressure = oomKill::allocSlowpath;
        frames.footprint = footprint;
        design.attach(this);
        design.stats().footprint = footprint;
    }

    /** The totals a meter follows through a call (vmas of every mm) and its growth listener. */
    public Footprint footprint() {
        return footprint;
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

    /** The design's capabilities, as read when the machine was built. */
    public DesignTraits traits() {
        return traits;
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

    /** How many mms there are, without the list view {@link #mms()} makes (the Meter asks at every growth). */
    public int mmCount() {
        return mms.size();
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
        rmap.ptlBusyEvery = n;
    }

    /**
     * mm_forbids_zeropage() for every mm: when true, a read fault on a missing page of private
     * anonymous memory allocates a page of its own (and the vma's anon state, anon_vma_prepare)
     * instead of mapping the shared zero page — do_anonymous_page() in mm/memory.c (6.18) takes
     * the zero page only {@code if (!(vmf->flags & FAULT_FLAG_WRITE) &&
     * !mm_forbids_zeropage(vma->vm_mm))}. Stock x86_64 Linux never forbids it (false, the
     * default); s390 does for a process hosting KVM guests, and a PVM guest kernel booted with
     * {@code pvm_no_zero_page=1}, as this machine's is, behaves so for every process (observed:
     * docs/kernel-notes.md, "Read faults and the zero page"). {@code rmaplab
     * diff} sets what the host's kernel does (org.rmaplab.harness.HarnessLayout).
     */
    public void setForbidsZeroPage(boolean forbid) {
        forbidsZeroPage = forbid;
    }

    /** Whether read faults of private anonymous memory allocate ({@link #setForbidsZeroPage}). */
    public boolean forbidsZeroPage() {
        return forbidsZeroPage;
    }

    boolean forbidsZeroPage;

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
     * maps pfn at address in mm, or -1 ({@link Rmap}: page_vma_mapped_walk on one address).
     */
    @Override
    public long pageMappedInMm(int pfn, Mm mm, long address) {
        return rmap.pageMappedInMm(pfn, mm, address);
    }

    /**
     * For a design that keeps mlocked pages off the LRU (anon_vma_chain's unevictable list,
     * pte_chains with wli's step (b)): PG_mlocked and isolate_lru_page() ({@link Vmscan}).
     */
    @Override
    public void mlockPage(int pfn) {
        frames.flags[pfn] |= Frames.PG_MLOCKED;
        vmscan.isolateLruPage(pfn);
        design.stats().object("pg_mlocked", 1);
    }

    /** munlock_vma_page(): PG_mlocked cleared, putback_lru_page() ({@link Vmscan}). */
    @Override
    public void munlockPage(int pfn) {
        frames.flags[pfn] &= ~Frames.PG_MLOCKED;
        vmscan.putbackLruPage(pfn);
        design.stats().object("pg_mlocked", -1);
    }

    @Override
    public void rmapWalkFile(int pfn, RmapWalkControl ctl, RmapStats stats, FileRmap.IMmap kind) {
        fileRmap.walk(pfn, ctl, stats, kind);
    }

    @Override
    public RmapStructure.Node fileStructure(int pfn, FileRmap.IMmap kind) {
        return fileRmap.structure(pfn, kind);
    }

    /**
     * For the oracle: the ptes mapping the page-cache page pfn that try_to_unmap_file()'s cluster
     * scan of the file's nonlinear vmas can reach ({@link FileRmap#scanNonlinear}); none for a
     * design that chains file pages (2.6.0 had no such scan).
     */
    public void scanNonlinear(int pfn, RmapWalkControl ctl) {
        if (!traits.chainsNonlinearPtes() && frames.mapping[pfn] instanceof AddressSpace) {
            fileRmap.scanNonlinear(pfn, ctl);
        }
    }

    /**
     * For the explorer: try_to_unmap()'s walk of pfn as reclaim would run it now, changing nothing
     * ({@link Rmap#tryToUnmapDryRun}); SEE is told of each pte found. True if the walk stopped at a
     * VM_LOCKED vma (SWAP_FAIL). The caller pauses the walk counters.
     */
    public boolean tryToUnmapDryRun(int pfn, RmapWalkControl see) {
        return rmap.tryToUnmapDryRun(pfn, see) == Rmap.SWAP_FAIL;
    }

    /**
     * Counters read without {@link #counters()}'s map (which would allocate per call): ptes
     * zap_pte_range cleared, ptes mremap moved one by one, page tables it moved whole
     * (move_normal_pmd and move_normal_pud), pages UFFDIO_MOVE and remap_anon_pages moved. The
     * meter counts TLB flushes from {@link #tlbFlushPages} and the ones below it.
     */
    public long ptesZapped() {
        return memory.ptesZapped;
    }

    public long mremapPtesMoved() {
        return mremap.pageTables.ptesMoved;
    }

    public long mremapTablesMoved() {
        return mremap.pageTables.pmdMoves + mremap.pageTables.pudMoves;
    }

    public long uffdPagesMoved() {
        return userfaultfd.uffdPagesMoved;
    }

    /**
     * Pages flushed one by one so far by the flushes the model counts where the kernel makes them
     * ({@link Tlb}): mremap's per extent (move_ptes, move_normal_pmd/pud), UFFDIO_MOVE's per
     * batch (move_present_ptes, move_zeropage_pte). Zaps are counted by the meter (one flush per
     * call, over {@link #presentPtesZapped}).
     */
    public long tlbFlushPages() {
        return tlb.flushPages;
    }

    /** Whole TLB flushes so far, counted as {@link #tlbFlushPages}. */
    public long tlbFlushesFull() {
        return tlb.flushesFull;
    }

    /** PTE tables munmap's free_pgtables freed so far (pte_free_tlb: each widens the gather's range). */
    public long pteTablesFreed() {
        return tlb.pteTablesFreed;
    }

    /** Present ptes zap_pte_range cleared (the ones a zap adds to its flush range). */
    public long presentPtesZapped() {
        return memory.presentPtesZapped;
    }

    /** The machine's counters, in a fixed order. */
    public java.util.Map<String, Long> counters() {
        java.util.Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("minor_faults", memory.minorFaults);
        m.put("file_read_faults", memory.fileReadFaults);
        m.put("zero_page_maps", memory.zeroPageMaps);
        m.put("anon_pages_allocated", memory.anonPagesAllocated);
        m.put("cow_copies", memory.cowCopies);
        m.put("cow_copies_anon", memory.cowCopiesAnon);
        m.put("cow_reuses", memory.cowReuses);
        m.put("cow_reuses_nonexclusive", memory.cowReusesNonexclusive);
        m.put("fork_ptes_copied", memory.forkPtesCopied);
        m.put("ptes_zapped", memory.ptesZapped);
        m.put("truncate_nonlinear_ptes_scanned", memory.truncateNonlinearPtesScanned);
        m.put("mremap_pmd_moves", mremap.pageTables.pmdMoves);
        m.put("mremap_pud_moves", mremap.pageTables.pudMoves);
        m.put("mremap_ptes_moved", mremap.pageTables.ptesMoved);
        m.put("vma_splits", vmaOps.splits);
        m.put("vma_merges", vmaOps.merges);
        if (design.countsMergeFailures()) {
            m.put("vma_merge_fail_pgoff", vmaOps.mergeFailures.pgoff);
            m.put("vma_merge_fail_pgoff_source", vmaOps.mergeFailures.pgoffSource);
            m.put("vma_merge_fail_anon_vma", vmaOps.mergeFailures.anonVma);
            m.put("vma_merge_fail_shared", vmaOps.mergeFailures.shared);
            m.put("vma_merge_fail_shared_new", vmaOps.mergeFailures.sharedNew);
            m.put("vma_merges_matena", vmaOps.mergesMatena);
        }
        if (vmaOps.pgoffUpdate != null) {
            m.put("matena_pgoff_updates", vmaOps.pgoffUpdate.pgoffUpdates);
            m.put("matena_pgoff_refused_shared", vmaOps.pgoffUpdate.pgoffRefusedShared);
            m.put("matena_pgoff_refused_pages", vmaOps.pgoffUpdate.pgoffRefusedPages);
            m.put("matena_pages_updated", vmaOps.pgoffUpdate.pagesUpdated);
            m.put("matena_pages_reconnected", vmaOps.pgoffUpdate.pagesReconnected);
        }
        m.put("forks", fork.forks);
        m.put("execs", exec.execs);
        m.put("exits", exit.exits);
        m.put("major_faults", memory.majorFaults);
        m.put("swap_ins", memory.swapIns);
        m.put("swapin_copies", memory.swapinCopies);
        m.put("pages_scanned", vmscan.pagesScanned);
        m.put("referenced_checks", rmap.referencedChecks);
        m.put("referenced_young", rmap.referencedYoung);
        m.put("unmaps_tried", rmap.unmapsTried);
        m.put("unmaps_succeeded", rmap.unmapsSucceeded);
        m.put("unmaps_failed_locked", rmap.unmapsFailedLocked);
        m.put("unmaps_failed_young", rmap.unmapsFailedYoung);
        m.put("unmaps_again", rmap.unmapsAgain);
        m.put("unmaps_failed_busy", rmap.unmapsFailedBusy);
        m.put("no_swap_slot", vmscan.noSwapSlot);
        m.put("swap_outs", vmscan.swapOuts);
        m.put("shmem_swap_outs", vmscan.shmemSwapOuts);
        m.put("pages_reclaimed", vmscan.pagesReclaimed);
        m.put("pages_activated", vmscan.activated);
        m.put("pages_deactivated", vmscan.deactivated);
        m.put("uffd_pages_moved", userfaultfd.uffdPagesMoved);
        m.put("uffd_ptes_rewritten", userfaultfd.uffdPtesRewritten);
        m.put("uffd_rmap_updates", userfaultfd.uffdRmapUpdates);
        m.put("uffd_pages_copied", userfaultfd.uffdPagesCopied);
        m.put("uffd_anon_pages_copied", userfaultfd.uffdAnonPagesCopied);
        m.put("uffd_copies_avoided", userfaultfd.uffdCopiesAvoided);
        m.put("stack_expansions", mmap.stackExpansions);
        m.put("stack_pages_grown", mmap.stackPagesGrown);
        m.put("oom_events", oomKill.oomEvents);
        m.put("oom_kills", oomKill.oomKills);
        m.put("swap_used", (long) swap.used());
        m.put("swap_peak", (long) swap.peak());
        m.put("frames_used", (long) frames.used());
        m.put("frames_peak", (long) frames.peakUsed());
        m.put("pagetable_frames", (long) frames.tables());
        return m;
    }

    /** Entry of every system call: finishes an OOM kill left pending, notes the current mm. */
    void requireAlive(Task t) {
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
        oomKill.finishPendingTeardown();
    }

    /** The files {@link #open} made (Shmem.open), by number. */
    public List<AddressSpace> files() {
        return Collections.unmodifiableList(files);
    }

    /** The file {@link #open} returned as number {@code file}, or null. */
    public AddressSpace file(long file) {
        return file < 0 || file >= files.size() ? null : files.get((int) file);
    }

    // ------------------------------------------------------------------ system calls (Syscalls), by file

    @Override
    public Task initTask() {
        return exec.initTask();
    }

    @Override
    public Task fork(Task parent) {
        return fork.fork(parent);
    }

    @Override
    public Task clone(Task parent) {
        return fork.clone(parent);
    }

    @Override
    public long exec(Task t) {
        return exec.exec(t);
    }

    @Override
    public long exit(Task t) {
        return exit.exit(t);
    }

    /** Global: memory pressure, up to count pages through the reclaim path (Long.MAX_VALUE: all). */
    @Override
    public long reclaim(long count) {
        return vmscan.reclaimSyscall(count);
    }

    @Override
    public long mmap(Task t, long addr, long len, int prot, int flags, long file, long off) {
        return mmap.mmap(t, addr, len, prot, flags, file, off);
    }

    @Override
    public long open(Task t, String name, long size) {
        return shmem.open(t, name, size);
    }

    @Override
    public long ftruncate(Task t, long file, long size) {
        return shmem.ftruncate(t, file, size);
    }

    @Override
    public long remapFilePages(Task t, long start, long size, int prot, long pgoff, int flags) {
        return mmap.remapFilePages(t, start, size, prot, pgoff, flags);
    }

    @Override
    public long munmap(Task t, long start, long len) {
        return mmap.munmap(t, start, len);
    }

    @Override
    public long mprotect(Task t, long start, long len, int prot) {
        return mprotect.mprotect(t, start, len, prot);
    }

    @Override
    public long madvise(Task t, long start, long len, int advice) {
        return madvise.madvise(t, start, len, advice);
    }

    @Override
    public long mlock(Task t, long start, long len) {
        return mlock.mlock(t, start, len);
    }

    @Override
    public long munlock(Task t, long start, long len) {
        return mlock.munlock(t, start, len);
    }

    @Override
    public long brk(Task t, long brk) {
        return mmap.brk(t, brk);
    }

    @Override
    public long mremap(Task t, long addr, long oldLen, long newLen, int flags, long newAddr) {
        return mremapFull(t, new Mremap.Request(addr, oldLen, newLen, flags, newAddr)).ret();
    }

    /**
     * mremap(2) with what the oracle must learn besides the return value: how far remap_move()
     * got before a later vma failed ({@link Mremap.Result#movedBeforeError}).
     */
    public Mremap.Result mremapFull(Task t, Mremap.Request req) {
        return mremap.mremap(t, req);
    }

    @Override
    public int write(Task t, long addr, long len, long value) {
        return gup.write(t, addr, len, value);
    }

    @Override
    public int add(Task t, long addr, long len, long value) {
        return gup.add(t, addr, len, value);
    }

    @Override
    public int touch(Task t, long addr, long len) {
        return gup.touch(t, addr, len);
    }

    @Override
    public int read(Task t, long addr, long len, ReadResult out) {
        return gup.read(t, addr, len, out);
    }

    @Override
    public long uffdRegister(Task t, long start, long len) {
        return userfaultfd.uffdRegister(t, start, len);
    }

    @Override
    public long uffdMove(Task t, long dst, long src, long len, int mode) {
        return uffdMoveFull(t, new Userfaultfd.UffdioMove(dst, src, len, mode)).ret();
    }

    /** UFFDIO_MOVE with what the kernel wrote to uffdio_move.move ({@link Userfaultfd.MoveResult#moved}). */
    public Userfaultfd.MoveResult uffdMoveFull(Task t, Userfaultfd.UffdioMove req) {
        return userfaultfd.uffdMove(t, req);
    }

    @Override
    public long uffdCopy(Task t, long dst, long src, long len, int mode) {
        return uffdCopyFull(t, new Userfaultfd.UffdioCopy(dst, src, len, mode)).ret();
    }

    /** UFFDIO_COPY with what the kernel wrote to uffdio_copy.copy ({@link Userfaultfd.CopyResult#copied}). */
    public Userfaultfd.CopyResult uffdCopyFull(Task t, Userfaultfd.UffdioCopy req) {
        return userfaultfd.uffdCopy(t, req);
    }

    @Override
    public long remapAnonPages(Task t, long dst, long src, long len, int flags) {
        return userfaultfd.remapAnonPages(t, dst, src, len, flags);
    }

    @Override
    public VmaInfo vmaAt(Task t, long addr) {
        return procMaps.vmaAt(t, addr);
    }

    @Override
    public int vmasIn(Task t, long addr, long len) {
        return procMaps.vmasIn(t, addr, len);
    }

    @Override
    public java.util.List<String> maps(Task t) {
        return procMaps.maps(t);
    }

    /** The machine ran out of frames where the model has no reclaim yet. */
    public static final class ModelOutOfMemory extends RuntimeException {
        public ModelOutOfMemory(String msg) {
            super(msg);
        }
    }
}
