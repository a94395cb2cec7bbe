package org.rmaplab.cost;

import org.rmaplab.mm.Footprint;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.RmapStats;

/**
 * A {@link Syscalls} that passes every call on and follows the rmap metadata, page tables, vmas
 * and mms the run holds, so that the peaks of totals (which no design counter gives) are known.
 * The peaks are exact: the machine's {@link Footprint} tells the meter of every growth inside a
 * call (a vma linked, a page-table frame or a design object allocated), so a peak reached inside
 * fork, mremap or exec and gone by its return is seen. Per-structure peaks come from the designs'
 * own {@link RmapStats} and are exact too. pte_chains' PG_direct share alone is sampled once per
 * call (a share weighted by calls).
 */
public final class Meter implements Syscalls {
    private final Syscalls inner;
    private final Machine k;
    private final ArchProfile arch;
    private final String design;

    long rmapBytesPeak;
    long lowmemDynamicPeak;
    /** Page tables as the profile's kernel holds them ({@link ArchProfile#paging}), bytes. */
    long pagetableBytesPeak;
    long vmasPeak;
    long mmsPeak;
    long vmaGrowthPeak;
    long mmGrowthPeak;
    /**
     * Work done inside fork calls: ptes copied, per-pte rmap operations, and the design's per-vma
     * and per-mm bookkeeping (anon_vma_fork's chains, anon_vma_link, dup_rmap, ...).
     */
    long forkPtes;
    long forkRmapOps;
    long forkBookkeeping;
    /** vmas fork calls gave the children (dup_mmap's copies) and rmap objects they allocated. */
    long forkVmas;
    long forkRmapAllocs;
    /** Work done inside exit and exec calls (the mm torn down): ptes zapped, rmap operations. */
    long exitPtes;
    long exitRmapOps;
    /**
     * pte_chains' PG_direct share, sampled like the totals (after every system call): the sums of
     * PG_direct pages and of pages the design tracks (PG_direct + with a chain) over the samples.
     * 0 under designs that keep neither object.
     */
    long pgDirectSum;
    long pgTrackedSum;
    /**
     * System calls by kind (each call counts, failed ones too: the entry, the mmap_lock and the
     * vma lookup are paid before the errno): mmap, munmap, mremap, mprotect, madvise (but
     * MADV_PAGEOUT, {@link #callsPageout}, priced with the reclaim it does), the userfaultfd ioctls
     * (UFFDIO_REGISTER, UFFDIO_MOVE, UFFDIO_COPY) and remap_anon_pages, and the others (open,
     * ftruncate, remap_file_pages, mlock, munlock, brk). fork, exit and exec are priced apart.
     */
    long callsMmap;
    long callsMunmap;
    long callsMremap;
    long callsMprotect;
    long callsMadvise;
    long callsPageout;
    long callsUffd;
    long callsOther;
    /**
     * TLB flushes the calls above end with (6.18 arch/x86/mm/tlb.c flush_tlb_mm_range()): a range of
     * at most {@link #TLB_SINGLE_PAGE_FLUSH_CEILING} pages is flushed page by page
     * (flush_tlb_one_user each: {@link #tlbFlushPages}), a longer one whole ({@link #tlbFlushesFull}).
     * Moves are counted by the machine where the kernel flushes ({@code org.rmaplab.mm.Tlb}) and
     * read here: mremap once per extent that moved a present pte, over the extent's span
     * (move_ptes, "flush_tlb_range(vma, old_end - len, old_end)"; get_extent() stops at the first
     * PMD boundary of either side), a page table moved whole once over its 2 MiB
     * (move_normal_pmd); UFFDIO_MOVE once per batch of present pages, over its span
     * (move_present_ptes, "flush_tlb_range(src_vma, src_start, src_addr)"), a zero-page pte one
     * page (move_zeropage_pte's ptep_clear_flush). A zap flushes once at the end of its gather
     * (zap_page_range_single and unmap_region: tlb_finish_mmu) over the present ptes it cleared
     * (zap_present_ptes → tlb_remove_tlb_entry; swap entries do not widen the range); a munmap
     * that clears no present pte but frees PTE tables still flushes (pte_free_tlb →
     * tlb_flush_pmd_range(tlb, address, PAGE_SIZE), tlb-&gt;freed_tables): one page per table
     * freed (PMD-stride, one flush_tlb_one_user each). Simplified: a zap's range is the number of
     * present ptes cleared, not the span from the first to the last (the same for the contiguous
     * ranges of the workloads); the forced flushes inside a zap are not counted (a dirty
     * file or shmem pte: zap_present_folio_ptes sets force_flush under tlb_delay_rmap and
     * zap_pte_range flushes per page table, tlb_flush_mmu_tlbonly; a full gather batch), nor the
     * PMD and PUD tables free_pgtables frees; the ptes mprotect rewrites (change_protection) and
     * MADV_FREE clears are not counted (the model has no counter of them), nor the flushes of
     * fork (in fork_call), exit, COW (in cow) and reclaim (in swap_out).
     */
    long tlbFlushPages;
    long tlbFlushesFull;

    /** 6.18 arch/x86/mm/tlb.c: "static unsigned long tlb_single_page_flush_ceiling __read_mostly = 33;" */
    static final long TLB_SINGLE_PAGE_FLUSH_CEILING = 33;

    /** The machine's counters at the start of the running call (see {@link #mark}). */
    private long presentZappedMark;
    private long tablesFreedMark;
    private long flushPagesMark;
    private long flushesFullMark;

    public Meter(Syscalls inner, Machine k, ArchProfile arch) {
        this.inner = inner;
        this.k = k;
        this.arch = arch;
        this.design = k.design().name();
        k.footprint().setListener(this::peakSample);
        sample();
    }

    public Machine machine() {
        return k;
    }

    public Syscalls inner() {
        return inner;
    }

    public ArchProfile arch() {
        return arch;
    }

    /** Bytes of rmap objects alive now (the designs' objects, vma and mm growth). */
    long rmapBytesNow() {
        return objectBytesNow() + vmas() * arch.vmaGrowth(design) + mms() * arch.mmGrowth(design);
    }

    long objectBytesNow() {
        RmapStats s = k.design().stats();
        long b = 0;
        for (String kind : CostModel.KINDS) {
            b += s.alive(kind) * arch.objectBytes(design, kind);
        }
        return b;
    }

    long vmas() {
        return k.footprint().vmas();
    }

    long mms() {
        return k.mmCount();
    }

    /** After each system call: the peaks, and pte_chains' PG_direct share. */
    void sample() {
        peakSample();
        RmapStats st = k.design().stats();
        long direct = st.alive("pg_direct");
        pgDirectSum += direct;
        pgTrackedSum += direct + st.alive("pg_chained");
    }

    /** At every growth the machine reports, and after each call: the peaks of the totals. */
    private void peakSample() {
        long v = vmas();
        long m = mms();
        long rmap = objectBytesNow() + v * arch.vmaGrowth(design) + m * arch.mmGrowth(design);
        long pt = arch.pageTableBytesTotal(k);
        long ptLowmem = arch.pageTableLowmemBytesTotal(k);
        rmapBytesPeak = Math.max(rmapBytesPeak, rmap);
        pagetableBytesPeak = Math.max(pagetableBytesPeak, pt);
        lowmemDynamicPeak = Math.max(lowmemDynamicPeak, rmap + ptLowmem);
        vmasPeak = Math.max(vmasPeak, v);
        mmsPeak = Math.max(mmsPeak, m);
        vmaGrowthPeak = Math.max(vmaGrowthPeak, v * arch.vmaGrowth(design));
        mmGrowthPeak = Math.max(mmGrowthPeak, m * arch.mmGrowth(design));
    }

    private long s(long r) {
        sample();
        return r;
    }

    private int s(int r) {
        sample();
        return r;
    }

    private Task s(Task r) {
        sample();
        return r;
    }

    @Override
    public Task initTask() {
        return s(inner.initTask());
    }

    @Override
    public long mmap(Task t, long addr, long len, int prot, int flags, long file, long off) {
        callsMmap++;
        mark(); // MAP_FIXED over a mapping unmaps it first
        return flushed(inner.mmap(t, addr, len, prot, flags, file, off));
    }

    @Override
    public long open(Task t, String name, long size) {
        callsOther++;
        return s(inner.open(t, name, size));
    }

    @Override
    public long ftruncate(Task t, long file, long size) {
        callsOther++;
        mark();
        return flushed(inner.ftruncate(t, file, size));
    }

    @Override
    public long remapFilePages(Task t, long start, long size, int prot, long pgoff, int flags) {
        callsOther++;
        mark();
        return flushed(inner.remapFilePages(t, start, size, prot, pgoff, flags));
    }

    @Override
    public long munmap(Task t, long addr, long len) {
        callsMunmap++;
        mark();
        return flushed(inner.munmap(t, addr, len));
    }

    @Override
    public long mprotect(Task t, long addr, long len, int prot) {
        callsMprotect++;
        return s(inner.mprotect(t, addr, len, prot));
    }

    @Override
    public long mremap(Task t, long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        callsMremap++;
        mark(); // move_ptes per extent, move_normal_pmd per table, then the old range's unmap
        return flushed(inner.mremap(t, oldAddr, oldLen, newLen, flags, newAddr));
    }

    @Override
    public long madvise(Task t, long addr, long len, int advice) {
        if (advice == org.rmaplab.mm.Mman.MADV_PAGEOUT) {
            callsPageout++;
        } else {
            callsMadvise++;
        }
        mark(); // MADV_DONTNEED: zap_page_range_single, one tlb_finish_mmu
        return flushed(inner.madvise(t, addr, len, advice));
    }

    @Override
    public long mlock(Task t, long addr, long len) {
        callsOther++;
        return s(inner.mlock(t, addr, len));
    }

    @Override
    public long munlock(Task t, long addr, long len) {
        callsOther++;
        return s(inner.munlock(t, addr, len));
    }

    @Override
    public long brk(Task t, long addr) {
        callsOther++;
        mark();
        return flushed(inner.brk(t, addr));
    }

    /** Notes the machine's flush counters at the start of a call that may flush. */
    private void mark() {
        presentZappedMark = k.presentPtesZapped();
        tablesFreedMark = k.pteTablesFreed();
        flushPagesMark = k.tlbFlushPages();
        flushesFullMark = k.tlbFlushesFull();
    }

    /**
     * The flushes of the call since {@link #mark}: those the machine counted where the kernel
     * makes them (moves), and the zap's one at tlb_finish_mmu.
     */
    private long flushed(long r) {
        tlbFlushPages += k.tlbFlushPages() - flushPagesMark;
        tlbFlushesFull += k.tlbFlushesFull() - flushesFullMark;
        long present = k.presentPtesZapped() - presentZappedMark;
        zapFlush(present > 0 ? present : k.pteTablesFreed() - tablesFreedMark);
        return s(r);
    }

    /**
     * A gather's flush at tlb_finish_mmu over N pages (present ptes cleared, or the PTE tables
     * freed when none was): N page flushes up to the ceiling, else one whole flush.
     */
    void zapFlush(long n) {
        if (n <= 0) {
            return;
        }
        if (n <= TLB_SINGLE_PAGE_FLUSH_CEILING) {
            tlbFlushPages += n;
        } else {
            tlbFlushesFull++;
        }
    }

    /** The count of a {@link CostModel#CALL_COLUMNS} column. */
    long calls(String column) {
        return switch (column) {
            case "calls_mmap" -> callsMmap;
            case "calls_munmap" -> callsMunmap;
            case "calls_mremap" -> callsMremap;
            case "calls_mprotect" -> callsMprotect;
            case "calls_madvise" -> callsMadvise;
            case "calls_pageout" -> callsPageout;
            case "calls_uffd" -> callsUffd;
            case "calls_other" -> callsOther;
            default -> throw new IllegalArgumentException("no call column " + column);
        };
    }

    /** Per-pte rmap operations so far (adds + dups + removes). */
    private long rmapOps() {
        RmapStats st = k.design().stats();
        return st.rmapAdds + st.rmapDups + st.rmapRemoves;
    }

    /** The design's per-vma and per-mm bookkeeping so far. */
    /** The design's objects ({@link CostModel#KINDS}) allocated so far. */
    long rmapAllocs() {
        RmapStats st = k.design().stats();
        long n = 0;
        for (String kind : CostModel.KINDS) {
            n += st.allocated(kind);
        }
        return n;
    }

    private long bookkeeping() {
        RmapStats st = k.design().stats();
        return st.rmapVmaOps + st.rmapMmOps;
    }

    /** fork's cost: the ptes dup_mmap copied and the rmap operations it made (copy_page_range). */
    @Override
    public Task fork(Task t) {
        long ops = rmapOps();
        long book = bookkeeping();
        long ptes = k.counters().get("fork_ptes_copied");
        long vmas = vmas();
        long allocs = rmapAllocs();
        Task child = inner.fork(t);
        forkVmas += Math.max(0, vmas() - vmas);
        forkRmapAllocs += rmapAllocs() - allocs;
        forkRmapOps += rmapOps() - ops;
        forkBookkeeping += bookkeeping() - book;
        forkPtes += k.counters().get("fork_ptes_copied") - ptes;
        return s(child);
    }

    @Override
    public Task clone(Task t) {
        return s(inner.clone(t));
    }

    /** exec and exit tear an mm down (exit_mmap: unmap_vmas zaps every pte). */
    @Override
    public long exec(Task t) {
        return teardown(t, true);
    }

    @Override
    public long exit(Task t) {
        return teardown(t, false);
    }

    private long teardown(Task t, boolean exec) {
        long ops = rmapOps();
        long ptes = k.counters().get("ptes_zapped");
        long r = exec ? inner.exec(t) : inner.exit(t);
        exitRmapOps += rmapOps() - ops;
        exitPtes += k.counters().get("ptes_zapped") - ptes;
        return s(r);
    }

    @Override
    public int write(Task t, long addr, long len, long value) {
        return s(inner.write(t, addr, len, value));
    }

    @Override
    public int add(Task t, long addr, long len, long value) {
        return s(inner.add(t, addr, len, value));
    }

    @Override
    public int touch(Task t, long addr, long len) {
        return s(inner.touch(t, addr, len));
    }

    @Override
    public int read(Task t, long addr, long len, ReadResult out) {
        return s(inner.read(t, addr, len, out));
    }

    @Override
    public long reclaim(long count) {
        return s(inner.reclaim(count));
    }

    /** A {@code check} line reaches the oracle behind the meter (it changes nothing to measure). */
    @Override
    public void checkNow() {
        inner.checkNow();
    }

    @Override
    public long uffdRegister(Task t, long addr, long len) {
        callsUffd++;
        return s(inner.uffdRegister(t, addr, len));
    }

    @Override
    public long uffdMove(Task t, long dst, long src, long len, int mode) {
        callsUffd++;
        mark(); // move_present_ptes per batch, move_zeropage_pte per page
        return flushed(inner.uffdMove(t, dst, src, len, mode));
    }

    @Override
    public long uffdCopy(Task t, long dst, long src, long len, int mode) {
        callsUffd++;
        return s(inner.uffdCopy(t, dst, src, len, mode));
    }

    @Override
    public long remapAnonPages(Task t, long dst, long src, long len, int flags) {
        callsUffd++;
        mark(); // move_present_ptes per batch, move_zeropage_pte per page
        return flushed(inner.remapAnonPages(t, dst, src, len, flags));
    }

    @Override
    public VmaInfo vmaAt(Task t, long addr) {
        return inner.vmaAt(t, addr);
    }

    @Override
    public int vmasIn(Task t, long addr, long len) {
        return inner.vmasIn(t, addr, len);
    }

    @Override
    public java.util.List<String> maps(Task t) {
        return inner.maps(t);
    }
}
