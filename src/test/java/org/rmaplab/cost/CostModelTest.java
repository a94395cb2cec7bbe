package org.rmaplab.cost;

import org.rmaplab.workloads.Workloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** Costs pinned on small scenarios, each number worked out by hand in the comments. */
class CostModelTest {

    static Map<String, String> run(String design, String arch, String text) {
        Scenario sc = ScenarioParser.parse("t.vms", text);
        MachineConfig mc = sc.machine();
        MachineConfig m2 = new MachineConfig(mc.ramBytes(), mc.swapBytes(), arch);
        Machine k = new Machine(m2, RmapDesigns.create(design));
        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.END);
        Meter meter = new Meter(c, k, ArchProfile.of(arch));
        RunResult r = new ScenarioRunner((d, m) -> meter).run(sc, design);
        assertTrue(r.passed(), () -> String.join("\n", r.report()));
        c.finish();
        return CostModel.costs(design, meter);
    }

    static long n(Map<String, String> row, String col) {
        return Long.parseLong(row.get(col));
    }

    static String fanout(long children, long pages, long parentExits) {
        Map<String, Long> p = new LinkedHashMap<>();
        p.put("children", children);
        p.put("pages", pages);
        p.put("parent_exits", parentExits);
        return Workloads.find("fork-fanout").orElseThrow().generate(p);
    }

    /**
     * Fork fan-out, 8 children, 16 pages, x86_64. Before the children COW, each of the 16 pages has
     * 9 ptes. pte_chains: NRPTE 7, so 2 blocks of 64 bytes per page: 32 x 64 = 2048 at peak.
     * anon_vma_chain: the parent's anon_vma plus one per child (9 x 96 = 864); chains: 1 for the
     * parent's vma, 2 per child (17 x 64 = 1088); 9 vmas x 24 = 216. anon_vma: one anon_vma (24) and
     * the same 216 of vma growth. anonmm: 9 anonmms (x 40 = 360) and 9 mm pointers (72). lokier: one
     * address_space (240), one reservation (48), 9 vmas x 16 = 144.
     */
    @Test
    void forkFanoutMemoryX86_64() {
        String s = fanout(8, 16, 0);
        Map<String, String> avc = run("anon_vma_chain", "x86_64", s);
        assertEquals(864, n(avc, "anon_vma_bytes_peak"));
        assertEquals(1088, n(avc, "anon_vma_chain_bytes_peak"));
        assertEquals(216, n(avc, "vma_growth_bytes_peak"));
        assertEquals(864 + 1088 + 216, n(avc, "rmap_bytes_peak"));

        Map<String, String> av = run("anon_vma", "x86_64", s);
        assertEquals(24, n(av, "anon_vma_bytes_peak"));
        assertEquals(24 + 216, n(av, "rmap_bytes_peak"));

        Map<String, String> pc = run("pte_chains", "x86_64", s);
        assertEquals(2048, n(pc, "pte_chain_bytes_peak"));
        assertEquals(2048, n(pc, "rmap_bytes_peak"));
        // Reclaim swapped every page out, so no chains are left.
        assertEquals(0, n(pc, "rmap_bytes"));
        assertEquals(9 * 16, n(pc, "pages_swapped_out"));

        Map<String, String> mm = run("anonmm", "x86_64", s);
        assertEquals(360, n(mm, "anonmm_bytes_peak"));
        assertEquals(72, n(mm, "mm_growth_bytes_peak"));

        Map<String, String> lk = run("lokier", "x86_64", s);
        assertEquals(240 + 48 + 144, n(lk, "rmap_bytes_peak"));
    }

    /**
     * The same on i386: pte_chain blocks are still 64 bytes but hold 15 ptes, so one per page
     * (16 x 64 = 1024); anon_vma_chain is 32 bytes (17 x 32 = 544), anon_vma 52 (9 x 52 = 468).
     * Page tables count in lowmem (no HIGHPTE) and the limit is 896 MB.
     */
    @Test
    void forkFanoutMemoryI386() {
        String s = fanout(8, 16, 0);
        Map<String, String> pc = run("pte_chains", "i386", s);
        assertEquals(1024, n(pc, "pte_chain_bytes_peak"));
        assertEquals(896L << 20, n(pc, "lowmem_limit"));
        Map<String, String> avc = run("anon_vma_chain", "i386", s);
        assertEquals(544, n(avc, "anon_vma_chain_bytes_peak"));
        assertEquals(468, n(avc, "anon_vma_bytes_peak"));
        assertTrue(n(avc, "lowmem_bytes_peak") >= n(avc, "struct_page_bytes") + n(avc, "pagetable_bytes_peak"));
        // i386-pae is a HIGHPTE kernel: 128-byte blocks of 15 ptes, pte pages out of lowmem; each
        // mm's 32-byte pgd and 3 preallocated pmd pages stay there (2.6.0 pgd_alloc). The chains
        // peak after the 8th fork, with all 9 mms alive: 2048 + 9 x (32 + 3 x 4096).
        Map<String, String> pae = run("pte_chains", "i386-pae", s);
        assertEquals(16 * 128, n(pae, "pte_chain_bytes_peak"));
        assertEquals(n(pae, "struct_page_bytes") + 2048 + 9 * (32 + 3 * 4096), n(pae, "lowmem_bytes_peak"));
    }

    /**
     * Fork fan-out with the parent gone before reclaim: N x 1 pages left, each mapped once, all in one
     * anon_vma under design 3. anon_vma_link puts each new child at the head of the list and the walk
     * stops once the page's mapcount is accounted for, so the walks for child i's page visit its
     * position in the list: 1..N, (N+1)/2 on average. Under anon_vma_chain each child's page is in the
     * child's own anon_vma, whose tree holds only that child's vma: one vma per walk. Reclaim makes the
     * same number of walks under both (4 per page here; the oracle's walks at the final {@code check}
     * are not counted).
     */
    @Test
    void forkFanoutWalkCost() {
        for (long kids : new long[] {1, 2, 4, 8, 15}) {
            String s = fanout(kids, 1, 1);
            Map<String, String> av = run("anon_vma", "x86_64", s);
            Map<String, String> avc = run("anon_vma_chain", "x86_64", s);
            long walks = n(avc, "walks");
            assertEquals(4 * kids, walks, "walks, " + kids + " children");
            assertEquals(walks, n(av, "walks"));
            assertEquals(walks, n(avc, "walk_vmas_visited"));
            assertEquals(walks * (kids + 1) / 2, n(av, "walk_vmas_visited"), kids + " children");
            assertEquals(kids, n(av, "pages_swapped_out"));
            assertEquals(kids, n(avc, "pages_swapped_out"));
        }
    }

    /**
     * The same fan-out, per walk: under anon_vma the walks of child i's page (4 of them) each visit
     * N - i + 1 vmas, so the values 1..N appear 4 times each. A vma whose mm has no rss left (its
     * page already swapped out) is skipped without a pte check, so ptes per walk are at most vmas
     * per walk; the first walk of c1's page (last on the list) comes before any swap-out and checks N. Percentiles of 4N values spread
     * evenly over 1..N (HdrHistogram: the value at rank ceil(p% x 4N), values exact): p50 is the
     * value at rank 2N, i.e. ceil(N/2); p90 the value at rank ceil(3.6N), i.e. 1, 2, 4, 9 for
     * N = 1, 2, 4, 10; p99 (rank ceil(3.96N) > 4(N-1)) and max N. anon_vma_chain: every walk visits 1 vma and checks 1 pte.
     * pte_chains: 1 pte (the direct one), and its vma lookup, per walk. anonmm: the indicated mm
     * (the child's own) holds the pte: 1 mm per walk. Only anonmm has the mm columns.
     */
    @Test
    void forkFanoutWalkDistributions() {
        long[][] cases = {{1, 1}, {2, 2}, {4, 4}, {10, 9}}; // N, p90
        for (long[] c : cases) {
            long kids = c[0];
            String s = fanout(kids, 1, 1);
            Map<String, String> av = run("anon_vma", "x86_64", s);
            assertEquals(List.of((kids + 1) / 2, c[1], kids, kids), dist(av, "walk_vmas"), kids + " children");
            List<Long> ptes = dist(av, "walk_ptes");
            for (int i = 0; i < 4; i++) {
                assertTrue(ptes.get(i) <= dist(av, "walk_vmas").get(i), "ptes " + ptes);
            }
            assertEquals(kids, ptes.get(3));
            assertEquals("", av.get("walk_mms_p50"));
            for (String d : List.of("anon_vma_chain", "pte_chains", "anonmm")) {
                Map<String, String> r = run(d, "x86_64", s);
                assertEquals(List.of(1L, 1L, 1L, 1L), dist(r, "walk_vmas"), d);
                assertEquals(List.of(1L, 1L, 1L, 1L), dist(r, "walk_ptes"), d);
                if (d.equals("anonmm")) {
                    assertEquals(List.of(1L, 1L, 1L, 1L), dist(r, "walk_mms"), d);
                } else {
                    assertEquals("", r.get("walk_mms_max"), d);
                }
            }
        }
    }

    /** The same run's anon_vma walks, value by value: 1..N, four walks each. */
    @Test
    void forkFanoutAnonVmaWalksOneToN() {
        int kids = 6;
        Scenario sc = ScenarioParser.parse("t.vms", fanout(kids, 1, 1));
        Machine k = new Machine(sc.machine(), RmapDesigns.create("anon_vma"));
        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.EVERY);
        assertTrue(new ScenarioRunner((d, m) -> c).run(sc, "anon_vma").passed());
        var h = k.design().stats().walkVmas();
        assertEquals(4L * kids, h.getTotalCount());
        for (int v = 1; v <= kids; v++) {
            assertEquals(4, h.getCountAtValue(v), "walks visiting " + v + " vmas");
        }
        assertEquals(kids, h.getMaxValue());
        assertEquals(1, h.getMinValue());
    }

    static List<Long> dist(Map<String, String> row, String name) {
        return CostModel.PERCENTILES.stream().map(p -> n(row, name + "_" + p)).toList();
    }

    /**
     * realloc growth with a child sharing the buffer: anonmm must make each shared page exclusive
     * before moving it (Linus's rule). 4 pages shared with the child are moved in round 1: 4 mremap
     * COWs; after that the parent's pages are its own. The other designs never COW on mremap.
     */
    @Test
    void reallocGrowthMremapCows() {
        Map<String, Long> p = new LinkedHashMap<>();
        p.put("pages", 4L);
        p.put("rounds", 3L);
        p.put("children", 1L);
        p.put("reclaim", 0L);
        String s = Workloads.find("realloc-growth").orElseThrow().generate(p);
        assertEquals(4, n(run("anonmm", "x86_64", s), "mremap_cows"));
        for (String d : new String[] {"anon_vma", "anon_vma_chain", "pte_chains", "lokier"}) {
            assertEquals(0, n(run(d, "x86_64", s), "mremap_cows"), d);
        }
    }

    /**
     * mremap_tables_moved / mremap_ptes_moved of a 4 MiB, 2 MiB-aligned, written region moved
     * MREMAP_FIXED to a 2 MiB-aligned place (MremapPageTablesTest derives them from the code): today's
     * move_page_tables moves its two PTE tables whole (move_normal_pmd) and no pte; the 2004
     * kernels' move_one_page moves the 1024 ptes one by one.
     */
    @Test
    void mremapTablesAndPtesMoved() {
        String s = """
                machine ram=64M
                t1 mmap 0x100000000 4M rw private|anonymous|fixed as A
                t1 write A 4M 0x5
                t1 mremap A 4M 4M maymove|fixed 0x200000000 as B
                t1 read B+1000p expect 0x5
                """;
        for (String d : RmapDesigns.names()) {
            Map<String, String> row = run(d, "x86_64", s);
            boolean today = d.equals("anon_vma_chain");
            assertEquals(today ? 2 : 0, n(row, "mremap_tables_moved"), d);
            assertEquals(today ? 0 : 1024, n(row, "mremap_ptes_moved"), d);
        }
    }

    @Test
    void columnsStartWithDesign() {
        assertEquals("design", CostModel.columns().get(0));
        assertTrue(CostModel.columns().containsAll(java.util.List.of("rmap_bytes", "rmap_bytes_peak",
                "lowmem_bytes_peak", "walks", "walk_vmas_visited", "walk_ptes_checked", "rmap_ops",
                "mremap_cows", "mremap_tables_moved", "mremap_ptes_moved", "pages_swapped_out")));
    }

    /**
     * pg_direct_share: PG_direct pages over pages pte_chains tracks, summed over the Meter's samples
     * (its constructor, then after every call: initTask, mmap, write, fork, exit). Tracked/direct:
     * 0/0, 0/0, 0/0, 4/4 (four new pages, direct), 4/0 (fork: four two-pte chains), 4/0 (the child
     * left: one-pte chains, not collapsed without reclaim). 4 / 12 = 0.333; pg_chained_peak 4. The
     * other designs keep no PG_direct: empty (CSV), null (JSON), "-" (table).
     */
    @Test
    void pgDirectShareIsSampledAfterEveryCall() {
        String s = "t1 mmap 0 4p rw private|anonymous as A\nt1 write A 4p 1\nt1 fork as t2\nt2 exit\n";
        Map<String, String> pc = run("pte_chains", "x86_64", s);
        assertEquals("0.333", pc.get("pg_direct_share"));
        assertEquals(4, n(pc, "pg_chained_peak"));
        assertEquals(4, n(pc, "pg_direct_peak"));
        Map<String, String> avc = run("anon_vma_chain", "x86_64", s);
        assertEquals("", avc.get("pg_direct_share"));
        assertEquals(0, n(avc, "pg_chained_peak"));
    }

    @Test
    void anUndefinedShareIsEmptyInCsvNullInJsonDashInTheTable() {
        String s = "t1 mmap 0 1p rw private|anonymous as A\n";
        java.util.List<Map<String, String>> rows = java.util.List.of(run("anon_vma_chain", "x86_64", s));
        assertTrue(CostTable.json("t.vms", rows).contains("\"pg_direct_share\": null"));
        java.util.List<String> header = java.util.List.of(CostTable.csv(rows).split("\n")[0].split(","));
        String[] values = CostTable.csv(rows).split("\n")[1].split(",", -1);
        assertEquals("", values[header.indexOf("pg_direct_share")]);
    }

    /**
     * Fork and exit cost, by hand: the parent writes 4 pages, forks, the child writes one page (a
     * COW), exits, then the parent munmaps 1 page. fork copies 4 ptes (4 rmap dups); the child's exit
     * zaps its 4 ptes: 3 shared pages and its own COW copy (4 removes); the parent's munmap is
     * neither. rmap ops by kind: adds = 4 first writes + 1 COW page = 5; dups = 4 (fork); removes =
     * 1 (the child's COW unmaps its shared pte) + 4 (exit) + 1 (munmap) = 6. Allocations under
     * anon_vma_chain: the parent's anon_vma and chain (2), the child's anon_vma and two chains (3),
     * the split's chain (1): 6; under anon_vma one anon_vma; under pte_chains one block for each of the 4 pages fork
     * shared. No reclaim, so no unmaps; mmap, fork and munmap of a whole vma split nothing.
     *
     * <p>The per-pte operations are the same events under every design (like for like); each
     * design's bookkeeping is counted apart:
     * <ul>
     *   <li>anon_vma_chain (today): the first fault's anon_vma_prepare inserts 1 chain; fork's
     *       anon_vma_fork clones the parent's chain and links the child's own anon_vma (2,
     *       fork_bookkeeping); the child's exit unlinks its 2 chains; munmap's __split_vma clones
     *       1 chain (anon_vma_clone) and re-keys the original's chain (vma_prepare →
     *       anon_vma_interval_tree_pre_update_vma removes it, vma_complete → post_update inserts
     *       it: 2); the unmapped part's chain is removed (1): 1 + 2 + 2 + 1 + 2 + 1 = 9.
     *   <li>anon_vma (2.6.7): anon_vma_prepare's list_add (1), anon_vma_link at fork (1), the
     *       child's anon_vma_unlink (1), split_vma's anon_vma_link of the new vma (1), the
     *       unmapped part's anon_vma_unlink (1): 5; fork_bookkeeping 1.
     *   <li>lokier: the mmap indexes the vma (1), fork indexes the child's (1), its exit removes
     *       it (1); the split indexes the piece (1) and re-keys the original, now the unmapped
     *       upper part whose pgoff moved (remove + insert, 2), then removes it (1): 7;
     *       fork_bookkeeping 1.
     *   <li>anonmm: exec_rmap for t1, dup_rmap at fork (fork_bookkeeping 1), exit_rmap: 3
     *       per-mm operations, no per-vma ones. pte_chains: none of either.
     * </ul>
     */
    @Test
    void forkAndExitCostsAndOpsByKind() {
        String s = String.join("\n",
                "t1 mmap 0 4p rw private|anonymous as A",
                "t1 write A 4p 1",
                "t1 fork as t2",
                "t2 write A 1p 2",
                "t2 exit",
                "t1 munmap A+3p 1p",
                "");
        for (String d : RmapDesigns.names()) {
            Map<String, String> row = run(d, "x86_64", s);
            assertEquals(4, n(row, "fork_ptes"), d);
            assertEquals(4, n(row, "fork_rmap_ops"), d);
            assertEquals(4, n(row, "exit_ptes"), d);
            assertEquals(4, n(row, "exit_rmap_ops"), d);
            assertEquals(5, n(row, "rmap_adds"), d);
            assertEquals(4, n(row, "rmap_dups"), d);
            assertEquals(6, n(row, "rmap_removes"), d);
            assertEquals(15, n(row, "rmap_ops"), d);
            assertEquals(0, n(row, "rmap_moves"), d);
            assertEquals(0, n(row, "unmaps_failed"), d);
            assertEquals(1, n(row, "vma_splits"), d);
        }
        Map<String, int[]> book = Map.of( // rmap_vma_ops, rmap_mm_ops, fork_bookkeeping
                "anon_vma_chain", new int[] {9, 0, 2}, "anon_vma", new int[] {5, 0, 1},
                "lokier", new int[] {7, 0, 1}, "anonmm", new int[] {0, 3, 1}, "pte_chains", new int[] {0, 0, 0});
        for (Map.Entry<String, int[]> e : book.entrySet()) {
            Map<String, String> row = run(e.getKey(), "x86_64", s);
            assertEquals(e.getValue()[0], n(row, "rmap_vma_ops"), e.getKey());
            assertEquals(e.getValue()[1], n(row, "rmap_mm_ops"), e.getKey());
            assertEquals(e.getValue()[2], n(row, "fork_bookkeeping"), e.getKey());
        }
        // + 1 chain: the munmap's split clones the parent vma's chain (__split_vma → anon_vma_clone)
        assertEquals(6, n(run("anon_vma_chain", "x86_64", s), "rmap_allocs"));
        assertEquals(1, n(run("anon_vma", "x86_64", s), "rmap_allocs"));
        assertEquals(4, n(run("pte_chains", "x86_64", s), "rmap_allocs"));
    }

    /**
     * A peak inside a system call is seen, not only the totals after it. mremap moves a faulted
     * 4-page vma (move_vma): copy_vma links the new vma and, under anon_vma_chain, anon_vma_clone
     * gives it a chain, before do_munmap removes the old vma and its chain. Before the move and
     * after it the run holds one vma, one anon_vma and one chain: 96 + 64 + 24 (the vma's anon_vma
     * pointer and chain list head) = 184 bytes on x86_64. Inside mremap it held two vmas and two
     * chains: 184 + 64 + 24 = 272. Under 2.6.7's anon_vma: 24 (anon_vma) + 24 per vma = 48 before
     * and after, 72 inside. Sampling after each call alone would report 184, 48 and 1 vma.
     */
    @Test
    void aPeakInsideMremapIsSeen() {
        String s = String.join("\n",
                "t1 mmap 0 4p rw private|anonymous as A",
                "t1 write A 4p 1",
                "t1 mremap A 4p 4p maymove|fixed A+64p expect A+64p",
                "");
        Map<String, String> avc = run("anon_vma_chain", "x86_64", s);
        assertEquals(184, n(avc, "rmap_bytes"));
        assertEquals(272, n(avc, "rmap_bytes_peak"));
        assertEquals(128, n(avc, "anon_vma_chain_bytes_peak"));
        assertEquals(2, n(avc, "vmas_peak"));
        Map<String, String> av = run("anon_vma", "x86_64", s);
        assertEquals(48, n(av, "rmap_bytes"));
        assertEquals(72, n(av, "rmap_bytes_peak"));
        assertEquals(48, n(av, "vma_growth_bytes_peak"));
    }

    /**
     * A page in an mlocked vma cannot be unmapped: in the 2004 designs every try_to_unmap of it
     * fails; today's (anon_vma_chain) keeps it off the LRU (mlock_folio), so reclaim never tries.
     */
    @Test
    void mlockedPagesAreFailedUnmaps() {
        String s = String.join("\n",
                "machine ram=64M swap=64M",
                "t1 mmap 0 4p rw private|anonymous as A",
                "t1 write A 4p 1",
                "t1 mlock A 4p",
                "reclaim all",
                "t1 read A 4p expect 1",
                "");
        for (String d : RmapDesigns.names()) {
            Map<String, String> row = run(d, "x86_64", s);
            if (d.equals("anon_vma_chain")) {
                assertEquals(0, n(row, "unmaps_failed"), d);
                assertEquals(0, n(row, "walks"), d);
            } else {
                assertTrue(n(row, "unmaps_failed") >= 4, () -> d + ": " + row.get("unmaps_failed"));
            }
            assertEquals(0, n(row, "pages_swapped_out"), d);
        }
    }
}
