package org.rmaplab.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.report.Findings;

/**
 * Walk counts of fork-fanout with the parent COWing and of fork-tree, worked by hand from the walk
 * rules of each era (docs/reference.md#pte_chains, #anonmm, #anon_vma, #anon_vma_chain, #lokier)
 * and from the model's reclaim (mm/vmscan.c of 2.6.11, {@code Vmscan}):
 *
 * <p><b>Walks per page.</b> {@code reclaim all} meets every page first in refill_inactive_zone once
 * reclaim_mapped holds: page_referenced (walk 1). A page with a young pte is referenced (the young
 * bit is cleared) and stays active; the next scan's page_referenced (walk 2) finds nothing and
 * deactivates it; shrink_list's page_referenced (walk 3) finds nothing; try_to_unmap (walk 4)
 * unmaps it: 4 walks. A page whose ptes are all old skips the first: 3 walks. fork makes the
 * child's pte old (copy_one_pte of 2.6: {@code pte = pte_mkold(pte)}); a pte set by a write fault
 * (do_anonymous_page, do_wp_page) is young; the parent's ptes keep their young bits.
 *
 * <p><b>Early stop.</b> page_referenced_anon and try_to_unmap_anon (2.6.7, and rmap_walk_anon
 * today through page_referenced_one's mapcount and folio_not_mapped) stop once mapcount ptes were
 * found; anonmm's walk (2.6.6-mm) the same; pte_chains visit the page's chain, which holds exactly
 * the ptes that map it. Every vma (anonmm: mm) looked at counts as visited.
 *
 * <p>These counts move if reclaim's policy or the walks' early stop change; the per-page rules
 * above are what to re-derive.
 */
class ForkDirectionsTest {

    private static Findings.Run run(String workload, Map<String, Long> params, String design) {
        return WorkloadsTest.run(workload, params, design);
    }

    private static void assertWalks(String workload, Map<String, Long> params, String design, long walks,
                                    long visited) {
        Findings.Run r = run(workload, params, design);
        assertEquals(walks, r.cost("walks"), design + " walks");
        assertEquals(visited, r.cost("walk_vmas_visited"), design + " walk_vmas_visited");
    }

    /**
     * fork-fanout parent_cows=1, N children, P pages: t1 writes P pages, forks N children, then
     * writes every page again (COW). Per page index two pages: the OLD one, mapped by the N children
     * only (their ptes old from fork: 3 walks), and the parent's NEW copy, mapped by t1 alone
     * (young from the write fault: 4 walks). Walks: 7P. Vmas visited per walk:
     * <ul>
     *   <li>pte_chains (2.6.0 page_referenced / try_to_unmap walk page->pte.chain): OLD N, NEW 1:
     *       P (3N + 4).
     *   <li>anon_vma (2.6.7): one anon_vma; anon_vma_prepare put t1's vma on the list first and
     *       anon_vma_link adds each child's at the head (list_add), so the list reads cN .. c1, t1.
     *       OLD: the first N entries map it, mapcount reached: N. NEW: t1's vma is last: N + 1.
     *       P (3N + 4(N + 1)) = P (7N + 4).
     *   <li>anon_vma_chain (today): both pages are in t1's anon_vma (do_wp_page's copy goes to
     *       vma->anon_vma, t1's own), whose interval tree holds t1's vma and, through
     *       anon_vma_clone, every child's, equal keys in insertion order: t1 first. OLD: t1 (no
     *       longer maps it) then the N children: N + 1. NEW: t1 at once: 1. P (3(N + 1) + 4) =
     *       P (3N + 7).
     *   <li>anonmm (2.6.6-mm): page->mapping is t1's anonmm (t1 faulted both), walked first, then
     *       the other mms of the group: OLD N + 1, NEW 1: P (3N + 7).
     *   <li>lokier: one address_space for the fork group, its interval tree in insertion order (t1
     *       first), as anon_vma_chain: P (3N + 7).
     * </ul>
     * So with the parent COWing, anonmm and anon_vma_chain visit N + 1 for every old page as
     * anon_vma does N; anon_vma is cheaper by one there, and dearer by N for the parent's pages.
     */
    @Test
    void forkFanoutParentCows() {
        for (long[] np : new long[][] {{3, 4}, {5, 2}}) {
            long n = np[0];
            long pg = np[1];
            Map<String, Long> pr = WorkloadsTest.p("children", n, "pages", pg, "parent_cows", 1);
            assertWalks("fork-fanout", pr, "pte_chains", 7 * pg, pg * (3 * n + 4));
            assertWalks("fork-fanout", pr, "anon_vma", 7 * pg, pg * (7 * n + 4));
            assertWalks("fork-fanout", pr, "anon_vma_chain", 7 * pg, pg * (3 * n + 7));
            assertWalks("fork-fanout", pr, "anonmm", 7 * pg, pg * (3 * n + 7));
            assertWalks("fork-fanout", pr, "lokier", 7 * pg, pg * (3 * n + 7));
        }
    }

    /**
     * fork-tree depth=2 fanout=2 pages=1 cow=1: t1 writes its page and forks n1, n2; each writes
     * (COWs) the page and forks two children (n1_1, n1_2; n2_1, n2_2), which write it too. Seven
     * pages, each mapped once by its writer with a young pte: 4 walks each, 28 in all. Per walk,
     * with mapcount 1:
     * <ul>
     *   <li>pte_chains: the one direct pte: 1; anonmm: the writer's mm is page->mapping's, walked
     *       first: 1. 28 each.
     *   <li>anon_vma_chain: each task's copy is in its own anon_vma (anon_vma_fork; no reuse, every
     *       anon_vma has an active vma), whose tree holds the task's vma first and then its
     *       descendants': 1. 28.
     *   <li>anon_vma (2.6.7): one anon_vma for the tree (anon_vma_link puts every child on its
     *       parent's list, the root's), list_add at the head: n2_2, n2_1, n1_2, n1_1, n2, n1, t1.
     *       The page of the task at position k is found after k vmas: 1 + ... + 7 = 28 per round of
     *       walks, 112.
     *   <li>lokier: one address_space for the group, its tree in insertion order (t1, n1, n2, n1_1,
     *       n1_2, n2_1, n2_2): again 28 per round, 112.
     * </ul>
     */
    @Test
    void forkTreeWalksTheFamily() {
        Map<String, Long> pr = WorkloadsTest.p("depth", 2, "fanout", 2, "pages", 1, "cow", 1);
        assertWalks("fork-tree", pr, "pte_chains", 28, 28);
        assertWalks("fork-tree", pr, "anonmm", 28, 28);
        assertWalks("fork-tree", pr, "anon_vma_chain", 28, 28);
        assertWalks("fork-tree", pr, "anon_vma", 28, 112);
        assertWalks("fork-tree", pr, "lokier", 28, 112);
        // The generated tree: 6 forks, t1's write and 6 COWs, every task reads its page back.
        Findings.Run r = run("fork-tree", pr, "anon_vma_chain");
        assertEquals(6, r.lines(" fork as "));
        assertEquals(7, r.lines(" write A 1p "));
        assertEquals(7, r.lines(" read A expect "));
        assertEquals(7, r.stat("anon_vma_alive"), "one anon_vma per task");
    }

    /** A tree of more than 4096 forked tasks, or cow above pages, is refused with one line. */
    @Test
    void forkTreeRefusesWhatItCannotHold() {
        Workload w = Workloads.find("fork-tree").orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> w.generate(WorkloadsTest.p("depth", 12, "fanout", 3)));
        assertEquals("fork-tree depth=12 fanout=3 forks more than 4096 tasks: lower depth or fanout", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.generate(WorkloadsTest.p("pages", 2, "cow", 3)));
        String big = w.generate(WorkloadsTest.p("depth", 11, "fanout", 2, "pages", 1));
        assertEquals(4094, big.lines().filter(l -> l.contains(" fork as ")).count(), "2 + 4 + ... + 2^11 forks");
        assertTrue(big.contains("\nn2_2_2_2_2_2_2_2_2_2 fork as n2_2_2_2_2_2_2_2_2_2_2\n"), "names follow the tree");
    }
}
