package org.rmaplab.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rmaplab.cost.CostModelTest.fanout;
import static org.rmaplab.cost.CostModelTest.n;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/** The time estimate's arithmetic, worked out by hand, and the fan-out ranking it must give. */
class TimeEstimateTest {

    /** Round, distinct prices, so that each term of a sum can be told apart. */
    static Calibration prices() {
        Map<String, Calibration.Price> c = new LinkedHashMap<>();
        double[] ns = {1000, 7, 3, 2000, 100_000, 500, 50, 30, 9, 11, 4000, 3000, 20, 10, 40, 100, 60,
                1, 13, 17, 19, 23, 200, 300, 5000, 70_000};
        int i = 0;
        for (String p : Calibration.PRIMITIVES.keySet()) {
            c.put(p, new Calibration.Price(ns[i++], "test"));
        }
        return new Calibration("test machine", "0.0", "today", "test", Map.of(), List.of(), c);
    }

    static Map<String, String> run(String design, String arch, String text, Calibration cal) {
        Scenario sc = ScenarioParser.parse("t.vms", text);
        MachineConfig mc = sc.machine();
        Machine k = new Machine(new MachineConfig(mc.ramBytes(), mc.swapBytes(), arch), RmapDesigns.create(design));
        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.END);
        Meter meter = new Meter(c, k, ArchProfile.of(arch));
        RunResult r = new ScenarioRunner((d, m) -> meter).run(sc, design);
        assertTrue(r.passed(), () -> String.join("\n", r.report()));
        c.finish();
        return CostModel.costs(design, meter, cal);
    }

    static final String SMALL = String.join("\n",
            "machine ram=4M swap=16M",
            "t1 mmap 0 4p rw private|anonymous as A",
            "t1 write A 4p 0x1",
            "t1 fork as t2",
            "t2 write A 2p 0x2",
            "t2 madvise A 2p pageout expect 0",
            "t2 exit",
            "");

    /**
     * SMALL under anon_vma_chain, x86_64, with {@link #prices()}. Counts: t1's 4 writes are 4
     * anonymous faults (do_anonymous_page), the first allocating t1's anon_vma and its chain (2 rmap
     * objects). The fork copies 1 vma and its 4 ptes; anon_vma_fork allocates a chain to t1's anon_vma,
     * t2's anon_vma and its own chain (3). t2's 2 writes are 2 COWs (no further object: t2's vma has
     * its anon_vma). MADV_PAGEOUT of t2's 2 copies, each mapped once in t2's anon_vma (whose tree
     * holds t2's vma alone): 2 swap-outs, 2 walks of 1 vma and 1 pte each. t2's exit zaps its 2
     * present ptes and its 2 swap entries: 4.
     * System calls: t1's mmap (call_mmap 13) and t2's madvise(PAGEOUT) (calls_pageout, priced
     * call_madvise 200 in the reclaim phase); nothing zapped or moved by a call, so no TLB flush.
     * fork = 1 x 100000 + 1 x 500 + 4 x 50 + 3 x 40 = 100820;
     * run = 4 x 1000 + 2 x 2000 + (5 - 3) x 40 + 1 x 13 = 8093;
     * reclaim = 200 + 2 x 4000 + 2 x 20 + 2 x 10 = 8260; exit = 4 x 30 = 120; total 117293.
     */
    @Test
    void smallScenarioByHand() {
        Map<String, String> r = run("anon_vma_chain", "x86_64", SMALL, prices());
        assertEquals(4, n(r, "faults_anon"));
        assertEquals(0, n(r, "faults_other"));
        assertEquals(2, n(r, "cow_copies"));
        assertEquals(1, n(r, "forks"));
        assertEquals(1, n(r, "fork_vmas"));
        assertEquals(4, n(r, "fork_ptes"));
        assertEquals(3, n(r, "fork_rmap_allocs"));
        assertEquals(5, n(r, "rmap_allocs"));
        assertEquals(2, n(r, "pages_swapped_out"));
        assertEquals(2, n(r, "walk_vmas_visited"));
        assertEquals(2, n(r, "walk_ptes_checked"));
        assertEquals(4, n(r, "exit_ptes"));
        assertEquals(1, n(r, "calls_mmap"));
        assertEquals(1, n(r, "calls_pageout"));
        assertEquals(0, n(r, "calls_madvise"));
        assertEquals(0, n(r, "tlb_flush_pages"));
        assertEquals(0, n(r, "tlb_flushes_full"));
        assertEquals(100_820, n(r, "est_fork_ns"));
        assertEquals(8093, n(r, "est_run_ns"));
        assertEquals(8260, n(r, "est_reclaim_ns"));
        assertEquals(120, n(r, "est_exit_ns"));
        assertEquals(117_293, n(r, "est_time_ns"));
        assertEquals("test; test machine; Linux 0.0; today", r.get("calibration"));
    }

    /**
     * Zaps outside exit and UFFDIO_MOVE are priced (a reviewer found them counted and unpriced).
     * t1 writes 8 pages of A (8 anonymous faults; A's anon_vma and chain: 2 rmap objects) and moves
     * 4 of them with UFFDIO_MOVE into D, a registered vma of its own (1 MiB away, so no merge):
     * uffd_pages_moved 4 (move_pages_pte per page; move_pages' anon_vma_prepare of D: 2 objects).
     * madvise(DONTNEED) zaps 2 present ptes of A and munmap 2 more (zap_pte_range): zap_ptes 4,
     * none at exit (no exit line: exit_ptes 0); munmap splits A (__split_vma: anon_vma_clone
     * gives the piece unmapped its chain, 1 object): rmap_allocs 5.
     * The calls: 2 mmaps (call_mmap 13), UFFDIO_REGISTER and UFFDIO_MOVE (call_uffd 300), one
     * madvise (call_madvise 200), one munmap (call_munmap 17); each of the last three clears or
     * moves 4, 2 and 2 ptes, under the ceiling of 33: 8 pages flushed one by one (tlb_flush_page 5000).
     * run = 8 x fault_anon 1000 + 4 x exit_pte 30 + 4 x uffd_move 11 + 5 x rmap_alloc 40 = 8364,
     * + 2 x 13 + 2 x 300 + 200 + 17 = 843 of calls + 8 x 5000 of flushes = 49207.
     */
    @Test
    void zapsAndUffdMovesArePriced() {
        Map<String, String> r = run("anon_vma_chain", "x86_64", String.join("\n",
                "machine ram=4M swap=16M",
                "t1 mmap 0x100000 8p rw private|anonymous|fixed as A",
                "t1 mmap 0x200000 4p rw private|anonymous|fixed as D",
                "t1 write A 8p 0x1",
                "t1 uffd_register D 4p expect 0",
                "t1 uffd_move D A 4p expect 16384",
                "t1 madvise A+4p 2p dontneed expect 0",
                "t1 munmap A+6p 2p expect 0",
                "t1 read D 4p expect 0x1",
                ""), prices());
        assertEquals(8, n(r, "faults_anon"));
        assertEquals(4, n(r, "uffd_pages_moved"));
        assertEquals(4, n(r, "zap_ptes"));
        assertEquals(0, n(r, "exit_ptes"));
        assertEquals(0, n(r, "faults_other"));
        assertEquals(5, n(r, "rmap_allocs"));
        assertEquals(2, n(r, "calls_mmap"));
        assertEquals(2, n(r, "calls_uffd"));
        assertEquals(1, n(r, "calls_madvise"));
        assertEquals(1, n(r, "calls_munmap"));
        assertEquals(8, n(r, "tlb_flush_pages"));
        assertEquals(0, n(r, "tlb_flushes_full"));
        assertEquals(49_207, n(r, "est_run_ns"));
    }

    /**
     * The TLB flush a zap ends with (6.18 arch/x86/mm/tlb.c flush_tlb_mm_range: up to
     * tlb_single_page_flush_ceiling = 33 pages one by one, else whole). t1 writes A's 40 pages and
     * B's 34 (74 anonymous faults; A and B, 16 MiB apart, get an anon_vma and a chain each: 4
     * objects). MADV_DONTNEED of A's first 33 present pages: 33 page flushes; of the 7 others: 7;
     * of the first 33 again, none present: nothing cleared, no flush. munmap of B's 34 present pages:
     * over the ceiling, one whole flush. zap_ptes = 33 + 7 + 34 = 74.
     * run = 74 x 1000 + 74 x 30 + 4 x 40 (faults, zaps, objects) + 2 x 13 + 3 x 200 + 17 (calls)
     * + 40 x 5000 + 1 x 70000 (flushes) = 347023.
     */
    @Test
    void flushCeiling() {
        Map<String, String> r = run("anon_vma_chain", "x86_64", String.join("\n",
                "machine ram=16M swap=16M",
                "t1 mmap 0x1000000 40p rw private|anonymous|fixed as A",
                "t1 write A 40p 0x1",
                "t1 madvise A 33p dontneed expect 0",
                "t1 madvise A+33p 7p dontneed expect 0",
                "t1 madvise A 33p dontneed expect 0",
                "t1 mmap 0x2000000 34p rw private|anonymous|fixed as B",
                "t1 write B 34p 0x1",
                "t1 munmap B 34p expect 0",
                ""), prices());
        assertEquals(74, n(r, "faults_anon"));
        assertEquals(74, n(r, "zap_ptes"));
        assertEquals(4, n(r, "rmap_allocs"));
        assertEquals(3, n(r, "calls_madvise"));
        assertEquals(2, n(r, "calls_mmap"));
        assertEquals(1, n(r, "calls_munmap"));
        assertEquals(40, n(r, "tlb_flush_pages"));
        assertEquals(1, n(r, "tlb_flushes_full"));
        assertEquals(347_023, n(r, "est_run_ns"));
    }

    /**
     * A gather's flush at tlb_finish_mmu (one per zapping call): N pages up to the ceiling of 33
     * one by one, else one whole flush; nothing for nothing cleared.
     */
    @Test
    void zapFlushRule() {
        Machine k = new Machine(new MachineConfig(4 << 20, 0, "x86_64"), RmapDesigns.create("anon_vma_chain"));
        Meter m = new Meter(new CheckedSyscalls(k, CheckPolicy.END), k, ArchProfile.of("x86_64"));
        m.zapFlush(0);
        m.zapFlush(33);
        assertEquals(33, m.tlbFlushPages);
        assertEquals(0, m.tlbFlushesFull);
        m.zapFlush(600); // one gather, however many page tables: 1
        m.zapFlush(34); // 1
        assertEquals(33, m.tlbFlushPages);
        assertEquals(2, m.tlbFlushesFull);
    }

    /**
     * A page table mremap moves whole is priced as one mremap_pte (move_normal_pmd re-points one
     * entry). 512 written pages filling one 2 MiB-aligned PTE table (512 anonymous faults, anon_vma
     * and chain: 2 objects) moved to another 2 MiB-aligned address (copy_vma's anon_vma_clone gives
     * the new vma a chain: 1 object): mremap_tables_moved 1, mremap_ptes_moved 0.
     * The mmap (13) and the mremap (call_mremap 19) calls; move_normal_pmd flushes the table's 2 MiB,
     * over the ceiling: one whole flush (tlb_flush_all 70000).
     * run = 512 x 1000 + 1 x mremap_pte 9 + 3 x 40 + 13 + 19 + 70000 = 582161.
     */
    @Test
    void aPageTableMovedWholeIsPriced() {
        Map<String, String> r = run("anon_vma_chain", "x86_64", String.join("\n",
                "machine ram=8M swap=16M",
                "t1 mmap 0x200000 512p rw private|anonymous|fixed as A",
                "t1 write A 512p 0x1",
                "t1 mremap A 512p 512p maymove|fixed 0x600000 as B expect 0x600000",
                "t1 read B 512p expect 0x1",
                ""), prices());
        assertEquals(512, n(r, "faults_anon"));
        assertEquals(1, n(r, "mremap_tables_moved"));
        assertEquals(0, n(r, "mremap_ptes_moved"));
        assertEquals(0, n(r, "zap_ptes"));
        assertEquals(3, n(r, "rmap_allocs"));
        assertEquals(1, n(r, "tlb_flushes_full"));
        assertEquals(0, n(r, "tlb_flush_pages"));
        assertEquals(582_161, n(r, "est_run_ns"));
    }

    /**
     * Each fault is priced once (a reviewer found a swap-cache hit priced as a file fault and a
     * swap-in). Two pages written by t1 (2 anonymous faults), shared with t2 by fork, both swapped
     * out by reclaim (each mapped twice: both ptes become swap entries). t1's reads bring them back
     * from swap (2 swap-ins, major faults, the pages staying in the swap cache for t2's entries);
     * t2's reads find them there (2 swap-ins, minor faults only). minor_faults = 2 + 4 = 6 =
     * faults_anon 2 + swap_ins 4, so faults_other is 0; run = 2 x 1000 + 4 x 3000 + 2 x 40 + the
     * mmap 13.
     */
    @Test
    void aSwapCacheHitIsPricedOnceAsASwapIn() {
        Map<String, String> r = run("anon_vma_chain", "x86_64", String.join("\n",
                "machine ram=4M swap=16M",
                "t1 mmap 0 2p rw private|anonymous as A",
                "t1 write A 2p 0x1",
                "t1 fork as t2",
                "reclaim all",
                "t1 read A 2p expect 0x1",
                "t2 read A 2p expect 0x1",
                ""), prices());
        assertEquals(2, n(r, "faults_anon"));
        assertEquals(4, n(r, "swap_ins"));
        assertEquals(0, n(r, "faults_other"));
        assertEquals(0, n(r, "cow_copies"));
        assertEquals(2 * 1000 + 4 * 3000 + 2 * 40 + 13, n(r, "est_run_ns"));
    }

    /**
     * A shared segment: t1's 4 writes to a MAP_SHARED anonymous (shmem) mapping allocate 4 shmem
     * pages (shmem_get_folio: faults_other, priced fault_file 7); after the fork, t2's 4 reads find
     * each page in the cache (do_read_fault: faults_file_read, priced fault_file_read 3). fork copies
     * no pte of a shared vma (copy_page_range skips it: no anon_vma) and allocates nothing:
     * fork = 100000 + 500; run = 4 x 7 + 4 x 3 + the mmap 13 = 53.
     */
    @Test
    void fileReadFaultsPricedApart() {
        Map<String, String> r = run("anon_vma_chain", "x86_64", String.join("\n",
                "machine ram=4M swap=16M",
                "t1 mmap 0 4p rw shared|anonymous as S",
                "t1 write S 4p 0x1",
                "t1 fork as t2",
                "t2 read S 4p expect 0x1",
                ""), prices());
        assertEquals(4, n(r, "faults_file_read"));
        assertEquals(4, n(r, "faults_other"));
        assertEquals(0, n(r, "faults_anon"));
        assertEquals(0, n(r, "fork_ptes"));
        assertEquals(53, n(r, "est_run_ns"));
        assertEquals(100_500, n(r, "est_fork_ns"));
    }

    /**
     * The era terms: pte_chains pays a pte_chain_line per chain block its walks read and, on a
     * HIGHPTE profile (i386-pae), a kmap per pte checked. In SMALL the two pages paged out are t2's
     * COW copies, mapped once: PG_direct, no block read (2.6.0 page_referenced's PageDirect
     * branch): 200 (the madvise call) + 2 x 4000 + vmas x 20 + 2 x 10, plus 2 x 60 of kmaps on
     * i386-pae. In CHAINED (reclaim, no call) one page
     * is mapped by t1 and 8 children, 9 ptes: a chain of two blocks on x86_64 (NRPTE 7), one on
     * i386-pae (NRPTE 15); every walk of it reads them all, as no pte of it stops the walk early.
     */
    @Test
    void eraTerms() {
        Map<String, String> r = run("pte_chains", "i386-pae", SMALL, prices());
        assertEquals(2, n(r, "walk_ptes_checked"));
        assertEquals(0, n(r, "walk_chain_blocks"));
        assertEquals(200 + 2 * 4000 + n(r, "walk_vmas_visited") * 20 + 2 * 10 + 2 * 60, n(r, "est_reclaim_ns"));
        Map<String, String> x = run("pte_chains", "x86_64", SMALL, prices());
        assertEquals(200 + 2 * 4000 + n(x, "walk_vmas_visited") * 20 + 2 * 10, n(x, "est_reclaim_ns"));

        StringBuilder chained = new StringBuilder("machine ram=4M swap=16M\nt1 mmap 0 1p rw private|anonymous as A\n"
                + "t1 write A 1p 0x1\n");
        for (int c = 2; c <= 9; c++) {
            chained.append("t1 fork as t").append(c).append('\n');
        }
        chained.append("reclaim all\n");
        Map<String, String> c64 = run("pte_chains", "x86_64", chained.toString(), prices());
        assertEquals(1, n(c64, "pages_swapped_out"));
        assertEquals(9 * n(c64, "walks"), n(c64, "walk_ptes_checked"), "every walk checks the 9 ptes");
        assertEquals(2 * n(c64, "walks"), n(c64, "walk_chain_blocks"), "two blocks per walk");
        assertEquals(4000 + n(c64, "walk_vmas_visited") * 20 + n(c64, "walk_ptes_checked") * 10
                + n(c64, "walk_chain_blocks") * 100, n(c64, "est_reclaim_ns"));
        Map<String, String> c32 = run("pte_chains", "i386-pae", chained.toString(), prices());
        assertEquals(n(c32, "walks"), n(c32, "walk_chain_blocks"), "one block per walk");
    }

    /**
     * Fork fan-out, 16 children each COW all P = 8 pages, then reclaim (the parent stays), priced by
     * the reference calibration. The parent keeps the 8 originals, each child its own 8 copies: 136
     * pages, all swapped out by both designs, each in 4 walks (CostModelTest.forkFanoutWalkCost).
     * anon_vma: one anon_vma for all 17 vmas; anon_vma_link puts each child at the list's head, so the
     * list is c16 .. c1, parent, and a walk stops once the page's mapcount is accounted for: child i's
     * pages cost 17 - i vmas a walk, the parent's 17: per page round 1 + ... + 16 + 17 = 153, so
     * 4 x 8 x 153 = 4896 vmas visited. anon_vma_chain: a child's page is in its own anon_vma (1 vma);
     * the parent's in the root anon_vma, whose tree has the parent's vma first: 1 vma each, 4 x 136
     * = 544. Everything else but the rmap objects is the same under both, so the estimates differ by
     * (4896 - 544) x walk_vma + (ptes_av - ptes_avc) x walk_pte - (allocs_avc - allocs_av) x
     * rmap_alloc, and anon_vma's is the higher.
     */
    @Test
    void fanoutRanksAnonVmaWalksAboveChains() {
        Calibration ref = Calibration.reference();
        String s = fanout(16, 8, 0);
        Map<String, String> av = run("anon_vma", "x86_64", s, ref);
        Map<String, String> avc = run("anon_vma_chain", "x86_64", s, ref);
        assertEquals(136, n(av, "pages_swapped_out"));
        assertEquals(136, n(avc, "pages_swapped_out"));
        assertEquals(4 * 136, n(av, "walks"));
        assertEquals(4 * 8 * 153, n(av, "walk_vmas_visited"));
        assertEquals(4 * 136, n(avc, "walk_vmas_visited"));
        for (String same : List.of("faults_anon", "cow_copies", "forks", "fork_vmas", "fork_ptes", "exit_ptes",
                "faults_other", "swap_ins")) {
            assertEquals(n(av, same), n(avc, same), same);
        }
        double implied = (4 * 8 * 153 - 4 * 136) * ref.ns("walk_vma")
                + (n(av, "walk_ptes_checked") - n(avc, "walk_ptes_checked")) * ref.ns("walk_pte")
                - (n(avc, "rmap_allocs") - n(av, "rmap_allocs")) * ref.ns("rmap_alloc");
        long diff = n(av, "est_time_ns") - n(avc, "est_time_ns");
        assertEquals(implied, diff, 3, "rounding of 5 phases"); // each phase rounded to a whole ns
        assertTrue(diff > 0, "anon_vma's O(N) walks must cost more: " + diff);
        assertTrue(n(av, "est_reclaim_ns") > n(avc, "est_reclaim_ns"));
    }
}
