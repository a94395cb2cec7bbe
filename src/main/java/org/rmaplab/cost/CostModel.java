package org.rmaplab.cost;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.HdrHistogram.Histogram;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.RmapStats;

/**
 * Turns a finished run's counters and object peaks into the columns {@code rmaplab compare}
 * prints, in a fixed order.
 *
 * <ul>
 *   <li>{@code rmap_bytes}: rmap metadata alive at the end of the run: the designs' objects
 *       ({@link #KINDS}, sized by {@link ArchProfile#objectBytes}) plus what each design adds to
 *       every vma and mm. The fixed per-page cost ({@code struct page} growth over all of RAM,
 *       {@code struct_page_bytes}) is reported apart: it does not depend on the workload.
 *   <li>{@code rmap_bytes_peak}: the largest such total at any moment, inside a system call too
 *       ({@link Meter}, told of every growth by the machine's Footprint).
 *   <li>{@code KIND_bytes_peak}: each structure's own peak count (exact, from the design's
 *       RmapStats) times its size; vma and mm growth peaks are sampled like the total.
 *   <li>{@code pagetable_bytes_peak}: the sampled peak of page tables of every level as the
 *       profile's kernel would hold them for the model's ptes ({@link Paging}: i386 two-level,
 *       PAE three-level with preallocated pmds, x86_64 four-level, LA57 five-level).
 *   <li>{@code lowmem_bytes_peak}: on i386 profiles what must sit in the 896 MB lowmem zone:
 *       struct_page_bytes + the sampled peak of rmap metadata plus the page tables in lowmem (the
 *       pgd and PAE's pmds always, the pte pages only without HIGHPTE). On x86_64 (no highmem) the
 *       same sum, against all of RAM.
 *   <li>{@code walks}, {@code walk_vmas_visited}, {@code walk_ptes_checked}, {@code mremap_cows}:
 *       the design's counters (the oracle's own walks are not counted).
 *   <li>{@code walk_vmas_p50} ... {@code walk_vmas_max}, the same for {@code walk_ptes} and
 *       {@code walk_mms}: the distributions of vmas visited, ptes checked and mms visited per walk
 *       (one value per walk, RmapStats); the mms ones only for the designs whose walk visits mms
 *       (anonmm), empty for the others. {@code rmap_ops} = adds + dups + removes of ptes, the
 *       same events under every design (page_add_*_rmap, page_dup_rmap, page_remove_rmap), then
 *       each by kind ({@code rmap_adds}, {@code rmap_dups}, {@code rmap_removes}). Apart, so that
 *       designs compare like for like: {@code rmap_vma_ops}, the design's per-vma bookkeeping
 *       (anon_vma list links and unlinks, anon_vma_chain interval-tree inserts and removes,
 *       lokier's index); {@code rmap_mm_ops}, per-mm bookkeeping (anonmm's exec_rmap, dup_rmap,
 *       exit_rmap); {@code rmap_moves}, per-page rmap updates of a moved pte (mremap under
 *       pte_chains and anonmm, UFFDIO_MOVE under every design). See RmapStats.
 *   <li>{@code rmap_allocs}: the design's objects ({@link #KINDS}) allocated over the run.
 *   <li>{@code fork_ptes}, {@code fork_rmap_ops}, {@code fork_bookkeeping}: what fork calls did
 *       (copy_page_range's ptes copied, per-pte rmap operations, the design's per-vma and per-mm
 *       bookkeeping: anon_vma_fork's chains, anon_vma_link, dup_rmap); {@code exit_ptes}, {@code exit_rmap_ops}: what exit and exec did
 *       (exit_mmap's ptes zapped, rmap operations). Measured by {@link Meter} around each call.
 *       {@code zap_ptes}: the ptes zapped everywhere else (the kernel's {@code ptes_zapped} less
 *       {@code exit_ptes}: munmap, madvise(DONTNEED), truncation and hole punching, brk,
 *       remap_file_pages, mremap's shrink).
 *   <li>{@code mremap_tables_moved}: page tables mremap moved whole, each one entry re-pointed
 *       (move_normal_pmd: a PTE table; move_normal_pud: a PMD table with the PTE tables under
 *       it), which only today's design does ({@code DesignTraits.movesPageTables});
 *       {@code mremap_ptes_moved}: ptes mremap moved one by one (today's move_ptes, 2.6's
 *       move_one_page), swap entries included. The machine's counters of the same names
 *       ({@code mremap_pmd_moves} + {@code mremap_pud_moves}, {@code mremap_ptes_moved}).
 *   <li>{@code vma_splits}, {@code vma_merges}: the core's vma splits and merges;
 *       {@link #MERGE_COLUMNS}: under the anon_vma_chain family (empty of counts, 0, under the
 *       others), the merge tests an anonymous range failed with an adjacent neighbour of the same
 *       flags, pgoff first as Jakub Matěna's tracing counted them (RFC v2 PATCH 4/4, v3 PATCH
 *       6/6 "mm: add tracing for VMA merges": the anon_vmas are looked at only when the pgoffs
 *       fit) — {@code vma_merge_fail_pgoff} (pgoffs not contiguous, whatever the anon_vmas),
 *       {@code vma_merge_fail_anon_vma} (pgoffs fit; two anon_vmas, the absorbed one unshared),
 *       {@code vma_merge_fail_shared} (pgoffs fit; the absorbed anon_vma shared with a child, or
 *       a fork child's) — his breakdown (RFC v2 cover letter, 11 March 2022), and
 *       {@code vma_merges_matena}, merges made by his rules (anon_vma_chain:matena: a vma
 *       absorbed into another anon_vma, a moved faulted range merged at its adjusted pgoff);
 *       {@link #RELOCATE_COLUMNS}: under anon_vma_chain:relocate (0 under the others), Lorenzo
 *       Stoakes' MREMAP_RELOCATE_ANON (v1, June 2025) step by step — {@code relocate_asked}
 *       (moves of a vma with an anon_vma that passed should_relocate_anon()), of those
 *       {@code relocate_not_needed} (copy_vma() merged at the old pgoff), {@code relocate_done}
 *       (relocate_anon_folios() ran) and {@code relocate_merged} (the re-merge after the move
 *       joined a neighbour); the walk's work, {@code relocate_ptes_walked} (pte slots
 *       relocate_anon_ptes() looked at, none and swap entries included),
 *       {@code relocate_folios_rewritten} (folio mapping and index rewritten) and
 *       {@code relocate_swap_skipped}; and the fallbacks, {@code relocate_fallback_shared}
 *       (vma_maybe_has_shared_anon_folios()), {@code relocate_fallback_not_anon} (not private
 *       anonymous, or VM_SPECIAL) and {@code relocate_must_efault} (MREMAP_MUST_RELOCATE_ANON
 *       answered EFAULT);
 *       {@code unmaps_failed}: try_to_unmap calls that did not unmap every pte (mlocked, young,
 *       busy page table, or the walk missed a mapping).
 *       {@code pages_swapped_out}: the kernel's {@code swap_outs}.
 *   <li>{@code pg_direct_share}: under pte_chains, PG_direct pages over the pages it tracks
 *       (PG_direct or with a chain), summed over the samples {@link Meter} takes after every system
 *       call (so a share weighted by calls), three decimals; empty under the other designs and
 *       when no page was ever tracked. {@code pg_chained_peak}: pages with a chain, at peak.
 *   <li>{@code faults_anon} (anonymous pages faulted in: anon_pages_allocated -
 *       uffd_anon_pages_copied - cow_copies - swapin_copies), {@code faults_file_read} (read
 *       faults of a file or shmem page the page cache held: do_read_fault), {@code faults_other}
 *       (the other minor faults: minor_faults - (anon_pages_allocated - uffd_anon_pages_copied -
 *       swapin_copies) - swap_ins - faults_file_read; every fault counts once in minor_faults),
 *       {@code swap_ins}, {@code forks}, {@code fork_vmas} (vmas fork calls copied),
 *       {@code fork_rmap_allocs} (rmap objects allocated inside fork calls), {@code walk_chain_blocks}
 *       (pte_chains: the chain blocks its walks read; 0 under the others), {@link #CALL_COLUMNS}
 *       (system calls by kind) and {@code tlb_flush_pages}, {@code tlb_flushes_full} (the TLB
 *       flushes those calls end with: pages flushed one by one, whole flushes; {@link Meter}): what
 *       {@link TimeEstimate} prices besides the columns above; then its {@code est_fork_ns},
 *       {@code est_run_ns}, {@code est_reclaim_ns}, {@code est_exit_ns} and {@code est_time_ns}, and
 *       {@code calibration}, the label of the {@link Calibration} that priced them.
 *   <li>{@link #UFFD_COLUMNS}: the kernel's userfaultfd counters of the same names (UFFDIO_MOVE
 *       and remap_anon_pages: pages moved, ptes rewritten, rmap updates, copies avoided;
 *       UFFDIO_COPY: pages copied).
 * </ul>
 */
public final class CostModel {
    private CostModel() {}

    /** The object kinds the designs count that cost memory, in column order. */
    public static final List<String> KINDS = List.of(
            "pte_chain", "anonmm", "anon_vma", "anon_vma_chain", "address_space", "reservation");

    /**
     * The core's merge counters of the anon_vma_chain family (VmaOps, 0 under the other designs):
     * failed merge tests by the first refusing rule, and merges made by Matěna's rules.
     */
    public static final List<String> MERGE_COLUMNS = List.of(
            "vma_merge_fail_pgoff", "vma_merge_fail_anon_vma", "vma_merge_fail_shared", "vma_merges_matena");

    /**
     * The relocation counters of Lorenzo Stoakes' MREMAP_RELOCATE_ANON (mm/mremap.c of his v1,
     * June 2025; {@link RmapStats}, bumped by the core's MremapRelocate), 0 under every design
     * that does not honour the flags (all but anon_vma_chain:relocate), as {@link #MERGE_COLUMNS}
     * are outside the anon_vma_chain family.
     */
    public static final List<String> RELOCATE_COLUMNS = List.of(
            "relocate_asked", "relocate_not_needed", "relocate_done", "relocate_merged", "relocate_ptes_walked",
            "relocate_folios_rewritten", "relocate_swap_skipped", "relocate_fallback_shared",
            "relocate_fallback_not_anon", "relocate_must_efault");

    /** The kernel's userfaultfd counters shown as columns, in order. */
    public static final List<String> UFFD_COLUMNS = List.of(
            "uffd_pages_moved", "uffd_ptes_rewritten", "uffd_rmap_updates", "uffd_copies_avoided",
            "uffd_pages_copied");

    /**
     * System calls by kind ({@link Meter}), each priced at its call's fixed cost by {@link TimeEstimate}:
     * mmap, munmap, mremap, mprotect, madvise (MADV_PAGEOUT apart, calls_pageout), the userfaultfd
     * ioctls and remap_anon_pages (calls_uffd), and the others (open, ftruncate, remap_file_pages,
     * mlock, munlock, brk).
     */
    public static final List<String> CALL_COLUMNS = List.of(
            "calls_mmap", "calls_munmap", "calls_mremap", "calls_mprotect", "calls_madvise", "calls_pageout",
            "calls_uffd", "calls_other");

    /** The column names, in order ({@code design} first). */
    public static List<String> columns() {
        return List.copyOf(compute("x", new Meter0(), null).keySet());
    }

    /**
     * The costs of the run METER watched, as named columns in a fixed order, its time estimated with
     * the reference calibration.
     */
    public static Map<String, String> costs(String label, Meter meter) {
        return costs(label, meter, Calibration.reference());
    }

    /** The costs of the run METER watched, its time ({@link TimeEstimate}) priced by CAL. */
    public static Map<String, String> costs(String label, Meter meter, Calibration cal) {
        return compute(label, new Meter0(meter), cal);
    }

    /** A meter or, for {@link #columns()}, nothing (every value 0). */
    private static final class Meter0 {
        final Meter m;

        Meter0() {
            this(null);
        }

        Meter0(Meter m) {
            this.m = m;
        }
    }

    private static Map<String, String> compute(String label, Meter0 z, Calibration cal) {
        Meter m = z.m;
        Map<String, String> row = new LinkedHashMap<>();
        row.put("design", label);
        row.put("arch", m == null ? "" : m.arch().name());
        Machine k = m == null ? null : m.machine();
        RmapStats s = k == null ? new RmapStats() : k.design().stats();
        String design = k == null ? "" : k.design().name();
        ArchProfile a = m == null ? ArchProfile.of("x86_64") : m.arch();
        Map<String, Long> kc = k == null ? Map.of() : k.counters();
        long ramPages = k == null ? 0 : k.config().ramBytes() / Machine.PAGE_SIZE;
        long structPage = ramPages * a.pageGrowth(design);

        put(row, "rmap_bytes", m == null ? 0 : m.rmapBytesNow());
        put(row, "rmap_bytes_peak", m == null ? 0 : m.rmapBytesPeak);
        for (String kind : KINDS) {
            put(row, kind + "_bytes_peak", s.peak(kind) * a.objectBytes(design, kind));
        }
        put(row, "vma_growth_bytes_peak", m == null ? 0 : m.vmaGrowthPeak);
        put(row, "mm_growth_bytes_peak", m == null ? 0 : m.mmGrowthPeak);
        put(row, "struct_page_bytes", structPage);
        put(row, "pagetable_bytes_peak", m == null ? 0 : m.pagetableBytesPeak);
        put(row, "lowmem_bytes_peak", m == null ? 0 : structPage + m.lowmemDynamicPeak);
        put(row, "lowmem_limit", a.lowmemLimit() != 0 || k == null ? a.lowmemLimit() : k.config().ramBytes());
        put(row, "walks", s.walks);
        put(row, "walk_vmas_visited", s.walkVmasVisited);
        put(row, "walk_ptes_checked", s.walkPtesChecked);
        distribution(row, "walk_vmas", s.walkVmas(), true);
        distribution(row, "walk_ptes", s.walkPtes(), true);
        distribution(row, "walk_mms", s.walkMms(), s.countsMms);
        put(row, "rmap_ops", s.rmapAdds + s.rmapDups + s.rmapRemoves);
        put(row, "rmap_adds", s.rmapAdds);
        put(row, "rmap_dups", s.rmapDups);
        put(row, "rmap_removes", s.rmapRemoves);
        put(row, "rmap_vma_ops", s.rmapVmaOps);
        put(row, "rmap_mm_ops", s.rmapMmOps);
        put(row, "rmap_moves", s.rmapMoves);
        long allocs = 0;
        for (String kind : KINDS) {
            allocs += s.allocated(kind);
        }
        put(row, "rmap_allocs", allocs);
        put(row, "fork_ptes", m == null ? 0 : m.forkPtes);
        put(row, "fork_rmap_ops", m == null ? 0 : m.forkRmapOps);
        put(row, "fork_bookkeeping", m == null ? 0 : m.forkBookkeeping);
        put(row, "exit_ptes", m == null ? 0 : m.exitPtes);
        put(row, "exit_rmap_ops", m == null ? 0 : m.exitRmapOps);
        // Every pte zap_pte_range cleared outside exit and exec: munmap, madvise(DONTNEED),
        // truncation and hole punching (unmap_mapping_range), remap_file_pages, brk, mremap.
        put(row, "zap_ptes", m == null ? 0 : kc.getOrDefault("ptes_zapped", 0L) - m.exitPtes);
        put(row, "vma_splits", kc.getOrDefault("vma_splits", 0L));
        put(row, "vma_merges", kc.getOrDefault("vma_merges", 0L));
        for (String c : MERGE_COLUMNS) {
            put(row, c, kc.getOrDefault(c, 0L));
        }
        Map<String, Long> sm = s.asMap();
        for (String c : RELOCATE_COLUMNS) {
            put(row, c, sm.getOrDefault(c, 0L));
        }
        put(row, "unmaps_failed", kc.getOrDefault("unmaps_tried", 0L) - kc.getOrDefault("unmaps_succeeded", 0L));
        put(row, "mremap_cows", s.mremapCows);
        put(row, "mremap_tables_moved",
                kc.getOrDefault("mremap_pmd_moves", 0L) + kc.getOrDefault("mremap_pud_moves", 0L));
        put(row, "mremap_ptes_moved", kc.getOrDefault("mremap_ptes_moved", 0L));
        put(row, "pages_swapped_out", kc.getOrDefault("swap_outs", 0L));
        put(row, "cow_copies", kc.getOrDefault("cow_copies", 0L));
        for (String c : UFFD_COLUMNS) {
            put(row, c, kc.getOrDefault(c, 0L));
        }
        put(row, "pg_direct_peak", s.peak("pg_direct"));
        put(row, "pg_chained_peak", s.peak("pg_chained"));
        row.put("pg_direct_share", m == null || m.pgTrackedSum == 0 ? ""
                : String.format(java.util.Locale.ROOT, "%.3f", (double) m.pgDirectSum / m.pgTrackedSum));
        put(row, "vmas_peak", m == null ? 0 : m.vmasPeak);
        put(row, "mms_peak", m == null ? 0 : m.mmsPeak);
        // What TimeEstimate prices, then its estimate.
        // Every fault counts once in minor_faults: a new anonymous page, a COW copy, a swap-in (a
        // swap-cache hit or a read; anonmm's swap-in copy is one), or another fault. Anonymous
        // pages no fault made (UFFDIO_COPY into a private vma) and swap-in copies, which are
        // priced as swap-ins, are taken out of the anonymous faults; swap-ins out of the others.
        long faulted = kc.getOrDefault("anon_pages_allocated", 0L) - kc.getOrDefault("uffd_anon_pages_copied", 0L);
        long anonFaults = faulted - kc.getOrDefault("cow_copies", 0L) - kc.getOrDefault("swapin_copies", 0L);
        put(row, "faults_anon", Math.max(0, anonFaults));
        long fileReads = kc.getOrDefault("file_read_faults", 0L);
        put(row, "faults_file_read", fileReads);
        put(row, "faults_other", Math.max(0, kc.getOrDefault("minor_faults", 0L)
                - (faulted - kc.getOrDefault("swapin_copies", 0L)) - kc.getOrDefault("swap_ins", 0L) - fileReads));
        put(row, "swap_ins", kc.getOrDefault("swap_ins", 0L));
        put(row, "forks", kc.getOrDefault("forks", 0L));
        put(row, "fork_vmas", m == null ? 0 : m.forkVmas);
        put(row, "fork_rmap_allocs", m == null ? 0 : m.forkRmapAllocs);
        put(row, "walk_chain_blocks", s.walkChainBlocks);
        for (String c : CALL_COLUMNS) {
            put(row, c, m == null ? 0 : m.calls(c));
        }
        put(row, "tlb_flush_pages", m == null ? 0 : m.tlbFlushPages);
        put(row, "tlb_flushes_full", m == null ? 0 : m.tlbFlushesFull);
        if (cal == null) {
            for (String c : TimeEstimate.COLUMNS) {
                put(row, c, 0);
            }
            row.put("calibration", "");
        } else {
            row.putAll(TimeEstimate.columns(row, design, a, cal));
            row.put("calibration", cal.label());
        }
        return row;
    }

    /** The percentiles of a per-walk distribution in the columns of every row. */
    public static final List<String> PERCENTILES = List.of("p50", "p90", "p99", "max");

    /**
     * NAME_p50, _p90, _p99, _max of a per-walk distribution (HdrHistogram: exact below 2048, three
     * significant digits above); empty when the design does not count that quantity.
     */
    private static void distribution(Map<String, String> row, String name, Histogram h, boolean counted) {
        for (String p : PERCENTILES) {
            String v = "";
            if (counted) {
                v = Long.toString(p.equals("max") ? h.getMaxValue()
                        : h.getValueAtPercentile(Double.parseDouble(p.substring(1))));
            }
            row.put(name + "_" + p, v);
        }
    }

    private static void put(Map<String, String> row, String key, long v) {
        row.put(key, Long.toString(v));
    }
}
