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
        return s(inner.mmap(t, addr, len, prot, flags, file, off));
    }

    @Override
    public long open(Task t, String name, long size) {
        return s(inner.open(t, name, size));
    }

    @Override
    public long ftruncate(Task t, long file, long size) {
        return s(inner.ftruncate(t, file, size));
    }

    @Override
    public long remapFilePages(Task t, long start, long size, int prot, long pgoff, int flags) {
        return s(inner.remapFilePages(t, start, size, prot, pgoff, flags));
    }

    @Override
    public long munmap(Task t, long addr, long len) {
        return s(inner.munmap(t, addr, len));
    }

    @Override
    public long mprotect(Task t, long addr, long len, int prot) {
        return s(inner.mprotect(t, addr, len, prot));
    }

    @Override
    public long mremap(Task t, long oldAddr, long oldLen, long newLen, int flags, long newAddr) {
        return s(inner.mremap(t, oldAddr, oldLen, newLen, flags, newAddr));
    }

    @Override
    public long madvise(Task t, long addr, long len, int advice) {
        return s(inner.madvise(t, addr, len, advice));
    }

    @Override
    public long mlock(Task t, long addr, long len) {
        return s(inner.mlock(t, addr, len));
    }

    @Override
    public long munlock(Task t, long addr, long len) {
        return s(inner.munlock(t, addr, len));
    }

    @Override
    public long brk(Task t, long addr) {
        return s(inner.brk(t, addr));
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
        return s(inner.uffdRegister(t, addr, len));
    }

    @Override
    public long uffdMove(Task t, long dst, long src, long len, int mode) {
        return s(inner.uffdMove(t, dst, src, len, mode));
    }

    @Override
    public long uffdCopy(Task t, long dst, long src, long len, int mode) {
        return s(inner.uffdCopy(t, dst, src, len, mode));
    }

    @Override
    public long remapAnonPages(Task t, long dst, long src, long len, int flags) {
        return s(inner.remapAnonPages(t, dst, src, len, flags));
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
