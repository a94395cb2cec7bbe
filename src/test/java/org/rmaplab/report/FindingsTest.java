package org.rmaplab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * docs/findings.md is what {@code rmaplab findings} generates today ({@link #findingsAreUpToDate}:
 * a regression pin, not a judgement — it says the numbers did not move, not that they are right),
 * and beside it the checks of the same quantities worked out by hand where that can be done: the
 * first two sections' tables ({@link #derivedChecksOfTheFirstTwoSections}), Morton's rmap-test, wli's
 * step (b), Bligh's 5000 tasks.
 */
class FindingsTest {

    /** Regression pin: the committed docs/findings.md, byte for byte. */
    @Test
    void findingsAreUpToDate() throws IOException {
        assertEquals(Findings.markdown(2), Files.readString(Path.of("docs/findings.md")),
                "regression pin: docs/findings.md is stale (run ./rmaplab findings); the derived checks beside it "
                        + "say whether the new numbers are right");
    }

    /**
     * The derived checks of the first two sections' tables, by hand.
     *
     * <p>"pte_chains grow with tasks x shared pages": {@code shared-segment pages=256} on i386, T tasks
     * mapping every page. 2.6.0 keeps a page mapped once in page->pte.direct (no block) and chains
     * two or more ptes in 64-byte blocks of NRPTE = (64 - 4) / 4 = 15: pages x ceil(T / 15) x 64 bytes
     * at the peak, when all T map every page: 256 x 1 x 64 = 16384 for T = 2..15, 256 x 2 x 64 =
     * 32768 for 16, 256 x 3 x 64 = 49152 for 32.
     *
     * <p>"Reverse-walk cost under fork fan-out": {@code fork-fanout pages=4 parent_exits=1}: N children
     * each COW their pages, the parent exits, reclaim walks every page. Under anon_vma (2.6.7) the
     * children's vmas are on the parent's one anon_vma list, newest first (anon_vma_link adds at the
     * head), and a page's walk stops at the vma that maps it: child i's pages are found after
     * visiting i vmas, (1 + 2 + ... + N) / N = (N + 1) / 2 per walk. Under anon_vma_chain each child's
     * COWed pages are on its own anon_vma: 1.
     */
    @Test
    void derivedChecksOfTheFirstTwoSections() {
        for (long t : new long[] {2, 8, 16, 32}) {
            Findings.Run r = Findings.measure("shared-segment", Findings.params("tasks", t, "pages", 256),
                    () -> org.rmaplab.rmap.RmapDesigns.create("pte_chains"), "i386", org.rmaplab.check.CheckPolicy.END);
            assertEquals(256 * ((t + 14) / 15) * 64, r.cost("rmap_bytes_peak"), "tasks=" + t);
        }
        for (long n : new long[] {1, 4, 16, 64}) {
            Findings.Run av = Findings.measure("fork-fanout", Findings.params("children", n, "pages", 4, "parent_exits", 1),
                    "anon_vma");
            assertEquals((n + 1) / 2.0, (double) av.cost("walk_vmas_visited") / av.cost("walks"), 1e-9, "children=" + n);
            Findings.Run avc = Findings.measure("fork-fanout", Findings.params("children", n, "pages", 4, "parent_exits", 1),
                    "anon_vma_chain");
            assertEquals(1.0, (double) avc.cost("walk_vmas_visited") / avc.cost("walks"), 1e-9, "children=" + n);
        }
    }

    /**
     * Andrew Morton's rmap-test (docs/reference.md#fig-rmap-test; workloads/RmapTest) in shape, worked
     * by hand. T tasks map one file in V one-page windows; fork links each child's vma just after its parent's, so i_mmap reads
     * [window 0 of every task, window 1 of every task, ...]. Every page is mapped by all T tasks and
     * every walk stops once it has found the T ptes. anonmm's list walk of window i's page visits
     * the T (i + 1) vmas linked up to the last of window i: T (V + 1) / 2 per walk on average,
     * growing with T x V. The prio_tree (anon_vma) and the interval tree (anon_vma_chain, lokier)
     * visit the T covering vmas; pte_chains looks up one vma per chained pte: T. Every design checks T
     * ptes per walk.
     */
    @Test
    void rmapTestShape() {
        java.util.List<String> designs = org.rmaplab.rmap.RmapDesigns.names();
        long[][] cases = {{1, 8}, {4, 4}, {8, 2}, {8, 16}, {16, 8}};
        for (long[] c : cases) {
            long t = c[0];
            long v = c[1];
            double[][] r = Findings.rmapTestPerWalk(t, v, designs);
            for (int d = 0; d < designs.size(); d++) {
                String what = designs.get(d) + " tasks=" + t + " vmas=" + v;
                double expected = designs.get(d).equals("anonmm") ? t * (v + 1) / 2.0 : t;
                assertEquals(expected, r[d][0], 1e-9, what + ": vmas per walk");
                assertEquals(t, r[d][1], 1e-9, what + ": ptes per walk");
            }
        }
        StringBuilder b = new StringBuilder();
        Findings.rmapTest(b, designs);
        String s = b.toString();
        assertTrue(s.startsWith("## The linear i_mmap list: Morton's rmap-test"), s);
        assertTrue(s.contains("| 32 | 8.00 | 8.00 | 8.00 | 132.00 | 8.00 | 8.00 |\n"), s);
    }

    /**
     * wli's step (b) on {@code mlocked-segment pages=1024}, i386 (NRPTE 15, 64-byte blocks), worked by
     * hand. 2.6.0 chains all T ptes of every page: ceil(T / 15) blocks a page, 1024 x 2 x 64 = 131072
     * bytes at 16 tasks; step (b) chains none, and lowmem falls by exactly those bytes (the page
     * tables are the same). 2.6.0's reclaim scans the locked pages and walks their chains; step (b)'s
     * never meets them. Each munlocking task rebuilds one entry per page: 1 task, 1024 PG_direct
     * pointers and no block; 4 tasks, 4-pte chains, one block a page (65536); all 16, 2.6.0's chains
     * again (131072), no page PG_mlocked, and reclaim evicts every page through them.
     */
    @Test
    void mlockedSegmentStepB() {
        for (long t : new long[] {2, 16, 32}) {
            Findings.Run plain = Findings.mlockedSegmentRun(t, 0, false);
            Findings.Run stepB = Findings.mlockedSegmentRun(t, 0, true);
            long chains = 1024 * ((t + 14) / 15) * 64;
            assertEquals(chains, plain.cost("pte_chain_bytes_peak"), "tasks=" + t);
            assertEquals(0, stepB.cost("pte_chain_bytes_peak"), "tasks=" + t);
            assertEquals(chains, plain.cost("lowmem_bytes_peak") - stepB.cost("lowmem_bytes_peak"), "tasks=" + t);
            assertEquals(plain.cost("pagetable_bytes_peak"), stepB.cost("pagetable_bytes_peak"), "tasks=" + t);
            assertTrue(plain.machine("pages_scanned") > 0 && plain.cost("walk_ptes_checked") > 0, "tasks=" + t);
            assertEquals(0, stepB.machine("pages_scanned"), "tasks=" + t);
            assertEquals(0, stepB.cost("walk_ptes_checked"), "tasks=" + t);
            assertEquals(1024, stepB.stat("pg_mlocked_alive"), "tasks=" + t);
        }
        long[][] munlock = {{1, 1024, 0, 1024, 0}, {4, 4096, 65536, 1024, 0}, {16, 16384, 131072, 0, 1024}};
        for (long[] c : munlock) {
            Findings.Run r = Findings.mlockedSegmentRun(16, c[0], true);
            assertEquals(c[1], r.stat("pte_chain_munlock_rechained"), "munlock=" + c[0]);
            assertEquals(c[2], r.cost("pte_chain_bytes_peak"), "munlock=" + c[0]);
            assertEquals(c[3], r.stat("pg_mlocked_alive"), "munlock=" + c[0]);
            assertEquals(c[4], r.machine("shmem_swap_outs"), "munlock=" + c[0]);
        }
        StringBuilder b = new StringBuilder();
        Findings.mlockedSegment(b);
        String s = b.toString();
        assertTrue(s.startsWith("## mlocked pages without pte_chains (wli, 2003: step (b))"), s);
        // i386's page tables (2.6.0 two-level): each task's pgd and the 2 pte pages of its segment,
        // which lies at 0x7ffff7bff000 and straddles the 4 MiB boundary 0x7ffff7c00000: 3 frames, 16 x
        // 3 x 4096 = 196608 at 16 tasks. struct page: 4096 frames x 4 bytes = 16384. Lowmem under
        // 2.6.0: 16384 + 131072 + 196608 = 344064; step (b): 16384 + 196608 = 212992; saved 38.1%.
        assertEquals(16 * 3 * 4096, Findings.mlockedSegmentRun(16, 0, false).cost("pagetable_bytes_peak"));
        assertTrue(s.contains("| 16 | 131072 | 0 | 344064 | 212992 | 38.1% |"), s);
        assertTrue(s.contains("lowmem falls by 38.1% (from 344064 to 212992 bytes)"), s);
    }

    /**
     * Bligh's 5000 tasks x 2 GB (524288 pages) per profile, by hand. i386: NRPTE (64 - 4) / 4 = 15,
     * ceil(5000 / 15) = 334 blocks of 64 bytes per page; page tables per task: the 4 KiB pgd and
     * 2 GiB / 4 MiB = 512 pte pages, all in lowmem. i386-pae (HIGHPTE, 8-byte pte_addr_t): NRPTE
     * (128 - 4) / 8 = 15, 334 blocks of 128 bytes; per task a 32-byte pgd, 3 pmds and 2 GiB / 2 MiB
     * = 1024 pte pages, of which only pgd and pmds are in lowmem. i386-pae-nohighpte: NRPTE
     * (128 - 4) / 4 = 31, 162 blocks. i386-numaq: (32 - 4) / 4 = 7, 715 blocks of 32 bytes.
     * x86_64: (64 - 8) / 8 = 7, 715 blocks of 64; pgd, pud, 2 pmds and 1024 pte pages per task;
     * LA57 one p4d more.
     */
    @Test
    void blighPerProfile() {
        long pages = 524288;
        long k4 = 4096;
        SharedSegmentFinding.Estimate i386 = SharedSegmentFinding.estimate("i386");
        assertEquals(334, i386.blocksPerPage());
        assertEquals(334L * 64 * pages, i386.chains());
        assertEquals(5000 * (k4 + 512 * k4), i386.pageTables());
        assertEquals(i386.pageTables(), i386.pageTablesLowmem());
        assertEquals(6.0, i386.perPte(), 1e-9, "32 tasks: ceil(32/15) = 3 blocks of 64 per page, /32");
        SharedSegmentFinding.Estimate pae = SharedSegmentFinding.estimate("i386-pae");
        assertEquals(334L * 128 * pages, pae.chains());
        assertEquals(5000 * (32 + 3 * k4 + 1024 * k4), pae.pageTables());
        assertEquals(5000 * (32 + 3 * k4), pae.pageTablesLowmem());
        SharedSegmentFinding.Estimate paeLow = SharedSegmentFinding.estimate("i386-pae-nohighpte");
        assertEquals(162L * 128 * pages, paeLow.chains());
        assertEquals(paeLow.pageTables(), paeLow.pageTablesLowmem());
        SharedSegmentFinding.Estimate numaq = SharedSegmentFinding.estimate("i386-numaq");
        assertEquals(715L * 32 * pages, numaq.chains());
        SharedSegmentFinding.Estimate x = SharedSegmentFinding.estimate("x86_64");
        assertEquals(715L * 64 * pages, x.chains());
        assertEquals(5000 * (4 + 1024) * k4, x.pageTables());
        assertEquals(5000 * (5 + 1024) * k4, SharedSegmentFinding.estimate("x86_64-la57").pageTables());
    }
}
