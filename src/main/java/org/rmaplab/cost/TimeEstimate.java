package org.rmaplab.cost;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/**
 * What a run would cost in time, under its design, on the calibrated machine: each counted
 * primitive (a {@link CostModel} column) times its price in ns ({@link Calibration}), summed by
 * phase. A pte visit is a pte visit: the era designs are priced with the same per-primitive costs
 * as today's, measured on today's kernel; what no kernel of today can measure (a pte_chain block's
 * cache line, i386's kmap of a HIGHPTE pte page) is an assumption the calibration states.
 *
 * <p>The phases are the kinds of kernel work, not stretches of the scenario (workloads do not mark
 * phases): <b>fork</b> is what fork calls did ({@link Meter} around each call), <b>exit</b> what exit
 * and exec did, <b>reclaim</b> the reverse walks and swap-outs (reclaim, MADV_PAGEOUT), <b>run</b>
 * everything else (faults, COWs, swap-ins, mremap's moves, the rmap objects allocated outside fork).
 * <ul>
 *   <li>fork = forks x fork_call + fork_vmas x fork_vma + fork_ptes x fork_pte
 *       + fork_rmap_allocs x rmap_alloc
 *   <li>run = faults_anon x fault_anon + cow_copies x cow + faults_file_read x fault_file_read
 *       + faults_other x fault_file
 *       + swap_ins x swap_in + mremap_ptes_moved x mremap_pte
 *       + zap_ptes x exit_pte (ptes zapped outside exit and exec: munmap, madvise(DONTNEED),
 *       truncation; the same zap_pte_range per pte as exit_mmap's)
 *       + mremap_tables_moved x mremap_pte (move_normal_pmd / move_normal_pud re-point one entry:
 *       assumed to cost what move_ptes pays for one pte)
 *       + uffd_pages_moved x uffd_move (UFFDIO_MOVE and remap_anon_pages: move_pages_pte per page)
 *       + (rmap_allocs - fork_rmap_allocs) x rmap_alloc
 *       + calls_mmap x call_mmap + calls_munmap x call_munmap + calls_mremap x call_mremap
 *       + calls_mprotect x call_mprotect + calls_madvise x call_madvise + calls_uffd x call_uffd
 *       + calls_other x syscall (each call's fixed cost: entry, mmap_lock, vma lookup; {@link Meter})
 *       + tlb_flush_pages x tlb_flush_page + tlb_flushes_full x tlb_flush_all (the flushes those
 *       calls end with: 6.18 arch/x86/mm/tlb.c flush_tlb_mm_range(), page by page up to
 *       tlb_single_page_flush_ceiling, else whole)
 *   <li>reclaim = calls_pageout x call_madvise + pages_swapped_out x swap_out + walk_vmas_visited x walk_vma
 *       + walk_ptes_checked x walk_pte + walk_chain_blocks x pte_chain_line (pte_chains: each
 *       block of a chain its walk read, a cache line from memory; 2.6.0 mm/rmap.c page_referenced,
 *       try_to_unmap — a PG_direct page and objrmap's i_mmap walks read none), and on a HIGHPTE profile walk_ptes_checked x highpte_kmap (each pte the walk
 *       checks is mapped with kmap_atomic: 2.6.0 rmap_ptep_map, 2.6.7 pte_offset_map)
 *   <li>exit = exit_ptes x exit_pte
 * </ul>
 * Simplifications, stated: rmap adds, dups and removes are priced inside the fault, COW, fork and
 * zap prices (today's, so pte_chains' page_remove_rmap scan of a chain is not priced); HIGHPTE's
 * kmaps at fork and exit are not priced. Every reverse walk is in the reclaim phase, the ones
 * truncation makes under wli's cleanup and unmap modes (Memory.truncateUnmapPass) too: they are
 * priced as walks, only their phase is not truncate's.
 */
public final class TimeEstimate {
    private TimeEstimate() {}

    /** The columns {@link #columns} adds, in order. */
    public static final List<String> COLUMNS = List.of(
            "est_fork_ns", "est_run_ns", "est_reclaim_ns", "est_exit_ns", "est_time_ns");

    /**
     * The est columns of ROW (a CostModel row of DESIGN, the base design's name, on ARCH) priced by
     * CAL, rounded to whole ns.
     */
    public static Map<String, String> columns(Map<String, String> row, String design, ArchProfile arch, Calibration cal) {
        double fork = n(row, "forks") * cal.ns("fork_call") + n(row, "fork_vmas") * cal.ns("fork_vma")
                + n(row, "fork_ptes") * cal.ns("fork_pte") + n(row, "fork_rmap_allocs") * cal.ns("rmap_alloc");
        double run = n(row, "faults_anon") * cal.ns("fault_anon") + n(row, "cow_copies") * cal.ns("cow")
                + n(row, "faults_file_read") * cal.ns("fault_file_read")
                + n(row, "faults_other") * cal.ns("fault_file") + n(row, "swap_ins") * cal.ns("swap_in")
                + n(row, "mremap_ptes_moved") * cal.ns("mremap_pte")
                + n(row, "zap_ptes") * cal.ns("exit_pte")
                + n(row, "mremap_tables_moved") * cal.ns("mremap_pte")
                + n(row, "uffd_pages_moved") * cal.ns("uffd_move")
                + (n(row, "rmap_allocs") - n(row, "fork_rmap_allocs")) * cal.ns("rmap_alloc");
        run += perCall(row, cal);
        double ptes = n(row, "walk_ptes_checked");
        // MADV_PAGEOUT's calls, with the reclaim they do
        double reclaim = n(row, "calls_pageout") * cal.ns("call_madvise")
                + n(row, "pages_swapped_out") * cal.ns("swap_out")
                + n(row, "walk_vmas_visited") * cal.ns("walk_vma") + ptes * cal.ns("walk_pte");
        // pte_chains: the blocks its walks read (PteChainsDesign.walkChain counts each); 0 elsewhere.
        reclaim += n(row, "walk_chain_blocks") * cal.ns("pte_chain_line");
        if (arch.highpte()) {
            reclaim += ptes * cal.ns("highpte_kmap");
        }
        double exit = n(row, "exit_ptes") * cal.ns("exit_pte");
        Map<String, String> m = new LinkedHashMap<>();
        m.put("est_fork_ns", ns(fork));
        m.put("est_run_ns", ns(run));
        m.put("est_reclaim_ns", ns(reclaim));
        m.put("est_exit_ns", ns(exit));
        m.put("est_time_ns", ns(fork + run + reclaim + exit));
        return m;
    }

    /**
     * The system calls' fixed costs and the TLB flushes they end with (run phase): each call of a
     * kind at its call_ price (the others at syscall, a bare entry and exit), each page flushed on
     * its own at tlb_flush_page, each whole flush at tlb_flush_all. On the reference machine a page
     * flushed costs more than a hundred ptes zapped: a one-page MADV_DONTNEED or UFFDIO_MOVE is
     * mostly its flush.
     */
    static double perCall(Map<String, String> row, Calibration cal) {
        return n(row, "calls_mmap") * cal.ns("call_mmap") + n(row, "calls_munmap") * cal.ns("call_munmap")
                + n(row, "calls_mremap") * cal.ns("call_mremap") + n(row, "calls_mprotect") * cal.ns("call_mprotect")
                + n(row, "calls_madvise") * cal.ns("call_madvise") + n(row, "calls_uffd") * cal.ns("call_uffd")
                + n(row, "calls_other") * cal.ns("syscall")
                + n(row, "tlb_flush_pages") * cal.ns("tlb_flush_page")
                + n(row, "tlb_flushes_full") * cal.ns("tlb_flush_all");
    }

    private static double n(Map<String, String> row, String col) {
        String v = row.get(col);
        if (v == null) {
            throw new IllegalArgumentException("no column " + col);
        }
        return v.isEmpty() ? 0 : Double.parseDouble(v);
    }

    private static String ns(double v) {
        return Long.toString(Math.round(v));
    }
}
