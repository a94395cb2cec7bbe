package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rmaplab.mm.NonlinearVmaTest.P;
import static org.rmaplab.mm.NonlinearVmaTest.W;
import static org.rmaplab.mm.NonlinearVmaTest.pte;

import org.junit.jupiter.api.Test;
import org.rmaplab.mm.NonlinearVmaTest.Setup;
import org.rmaplab.rmap.ptechains.PteChainsDesign;
import org.rmaplab.rmap.ptechains.PteChainsStats;

/**
 * The -mm tree's objrmap hybrid (pte_chains:objrmap, page_convert_anon) and wli's step (c) on it
 * (pte_chains:objrmap_nlchains), on {@link NonlinearVmaTest}'s setup: a 64-page tmpfs file mapped
 * shared at W, every page written (64 linear ptes, young), then remap_file_pages(W, 1p, pgoff 63),
 * so page 63 is mapped at W (nonlinear: W's linear index is 0) and at W+63p (linear). x86_64: NRPTE
 * 7. Every count below is worked out by hand; the oracle checks every step (CheckPolicy.EVERY).
 */
class ObjRmapTest {
    static final String CONVERT = "pte_chains:objrmap";
    static final String NLCHAINS = "pte_chains:objrmap_nlchains";

    static PteChainsDesign design(Setup su) {
        return (PteChainsDesign) su.k().design();
    }

    /**
     * The 64 writes only count their pages (page_add_rmap's object-based path): no chain. Then
     * install_page of page 63 at W: under objrmap, page_convert_anon walks i_mmap (no private vma,
     * one shared vma: 1 vma visited, its pte at W+63p found: chained as the page's direct pte), then
     * W's pte converts it into a chain of 2 — one block. Under step (c), only W's pte is chained:
     * one block holding the mapcount in its last slot and W's pte before it. 2.6.0 chained all 64
     * ptes: 62 direct pages (page 0 lost its only pte to the zap, page 63 has a chain of 2) and one
     * block.
     */
    @Test
    void remapChainsWhatTheLinearProbeCannotFind() {
        Setup su = NonlinearVmaTest.setup(CONVERT);
        PteChainsDesign d = design(su);
        PteChainsStats st = d.stats();
        assertEquals(1, st.convertAnon);
        assertEquals(1, st.convertPtesChained);
        assertEquals(1, d.blocksAlive());
        assertEquals(2, d.ptesOf(su.pfn63()));
        assertEquals(1, st.directToChain);
        assertEquals(0, st.alive("pg_direct"), "page 63 is chained, every other page only counted");

        su = NonlinearVmaTest.setup(NLCHAINS);
        d = design(su);
        assertEquals(0, d.stats().convertAnon);
        assertEquals(1, d.stats().nonlinearChained);
        assertEquals(1, d.blocksAlive());
        assertEquals(1, d.ptesOf(su.pfn63()));
        assertFalse(d.isDirect(su.pfn63()), "the union holds the chain, the chain the mapcount");
        long w = PageTable.lookup(su.k().frames(), su.t().mm().pgd(), W);
        assertArrayEquals(new long[] {w}, d.slotsOf(su.pfn63()));

        su = NonlinearVmaTest.setup("pte_chains");
        d = design(su);
        assertEquals(1, d.blocksAlive());
        assertEquals(62, d.stats().alive("pg_direct"));
    }

    /**
     * page_convert_anon's {@code if (page->pte.mapcount == 0) goto out_unlock}: page 0 lost its
     * only pte to the setup's remap (W now shows page 63), so remapping W+1p to pgoff 0 converts a
     * page mapped nowhere else: the page is marked, no list is walked (walks and ptes chained by a
     * conversion unchanged), and its one pte is its direct pointer.
     */
    @Test
    void convertingAnUnmappedPageWalksNothing() {
        Setup su = NonlinearVmaTest.setup(CONVERT);
        PteChainsDesign d = design(su);
        PteChainsStats st = d.stats();
        long walks = st.walks;
        assertEquals(0, su.s().remapFilePages(su.t(), W + P, P, 0, 0, 0));
        assertEquals(2, st.convertAnon);
        assertEquals(1, st.convertPtesChained, "only the first conversion found a pte to chain");
        assertEquals(walks, st.walks);
        int pfn0 = NonlinearVmaTest.pfnAt(su.k(), su.t(), W + P);
        assertTrue(d.isDirect(pfn0));
    }

    /**
     * 2.6.0's page_referenced collapses a one-pte chain into a direct pointer; a step (c) chain
     * holding one pte and the mapcount keeps its block (the union cannot hold both).
     */
    @Test
    void pageReferencedKeepsAStepCChain() {
        Setup su = NonlinearVmaTest.setup(NLCHAINS);
        PteChainsDesign d = design(su);
        assertEquals(1, d.pageReferenced(su.pfn63()), "the chained pte at W, young");
        assertFalse(d.isDirect(su.pfn63()));
        assertEquals(1, d.ptesOf(su.pfn63()));
        assertEquals(1, d.blocksAlive());
        su.s().checkNow();
    }

    /**
     * page_referenced of page 63, both ptes young: 2 under both variants (the 2.6.11 designs find
     * 0: NonlinearVmaTest). objrmap walks the converted page's chain: 2 vma lookups, 2 ptes. Step
     * (c) probes the one vma at W+63p (page_referenced_obj: 1 vma, 1 pte) and then walks the chain
     * (1 vma lookup, 1 pte): 2 and 2. A second call finds nothing young.
     */
    @Test
    void pageReferencedFindsBothPtes() {
        for (String name : new String[] {CONVERT, NLCHAINS}) {
            Setup su = NonlinearVmaTest.setup(name);
            RmapStats st = su.k().design().stats();
            long v0 = st.walkVmasVisited;
            long p0 = st.walkPtesChecked;
            assertEquals(2, su.k().rmap.pageReferenced(su.pfn63()), name);
            assertEquals(2, st.walkVmasVisited - v0, name);
            assertEquals(2, st.walkPtesChecked - p0, name);
            assertEquals(0, su.k().rmap.pageReferenced(su.pfn63()), name);
        }
    }

    /**
     * try_to_unmap of page 63 unmaps both ptes in one call (2.6.0-mm's rules: no young test):
     * SWAP_SUCCESS, rss 62, W left a file pte naming 63, W+63p cleared, the chain freed. A read of
     * W refaults it (do_file_page → install_page, nonlinear again): step (c) starts a new chain;
     * objrmap's page stays converted (PG_anon until freed), so the pte is its direct one.
     */
    @Test
    void tryToUnmapThenRefault() {
        for (String name : new String[] {CONVERT, NLCHAINS}) {
            Setup su = NonlinearVmaTest.setup(name);
            Machine k = su.k();
            Task t = su.t();
            PteChainsDesign d = design(su);
            assertEquals(Rmap.SWAP_SUCCESS, k.rmap.tryToUnmap(su.pfn63(), false), name);
            assertEquals(62, t.mm().rss(), name);
            assertEquals(PageTable.pgoffToPte(63), pte(k, t, W), name);
            assertEquals(0, pte(k, t, W + 63 * P), name);
            assertEquals(0, d.blocksAlive(), name);
            su.s().checkNow();

            Syscalls.ReadResult r = new Syscalls.ReadResult();
            assertEquals(Syscalls.ACCESS_OK, su.s().read(t, W, P, r), name);
            assertEquals(0x13f, r.value, name);
            assertEquals(1, d.ptesOf(su.pfn63()), name);
            assertEquals(name.equals(CONVERT), d.isDirect(su.pfn63()), name);
            assertEquals(name.equals(CONVERT) ? 0 : 1, d.blocksAlive(), name);
        }
    }

    /**
     * fork copies the nonlinear vma's ptes (2.6.14's copy_page_range for VM_NONLINEAR): after F
     * forks page 63 has F+1 nonlinear and F+1 linear ptes. Step (c) chains the nonlinear ones with
     * the mapcount's slot: ceil((F+2)/7) blocks — 1 for F=5 (7 slots), 2 for F=6 (8 slots). objrmap
     * chains all 2F+2: 2 blocks for both. 2.6.0 chains every pte of every page: pages 1..62 with
     * F+1 ptes each (1 block each for F &lt;= 6), page 63 2 blocks: 64.
     */
    @Test
    void forkChainsOnlyTheNonlinearPtes() {
        int[][] want = {{5, 1, 2, 64}, {6, 2, 2, 64}};
        for (int[] row : want) {
            int forks = row[0];
            int[] blocks = {row[1], row[2], row[3]};
            String[] names = {NLCHAINS, CONVERT, "pte_chains"};
            for (int i = 0; i < names.length; i++) {
                Setup su = NonlinearVmaTest.setup(names[i]);
                for (int f = 0; f < forks; f++) {
                    su.s().fork(su.t());
                }
                PteChainsDesign d = design(su);
                assertEquals(2 * forks + 2, su.k().frames().mapcount[su.pfn63()], names[i]);
                assertEquals(names[i].equals(NLCHAINS) ? forks + 1 : 2 * forks + 2, d.ptesOf(su.pfn63()), names[i]);
                assertEquals(blocks[i], d.blocksAlive(), names[i] + " after " + forks + " forks");
            }
        }
    }

    /**
     * Truncating the file to 32 pages (2.6's exhaustive zap of nonlinear vmas, the default) takes
     * page 63's ptes: the linear one by the linear zap, W's by the nonlinear zap, which leaves no
     * file pte past the end. Under step (c) the chain goes with W's pte; under objrmap, the
     * converted page's chain empties and the page is freed (PG_anon cleared). The oracle checked
     * every step.
     */
    @Test
    void truncateEmptiesTheChains() {
        for (String name : new String[] {CONVERT, NLCHAINS}) {
            Setup su = NonlinearVmaTest.setup(name);
            assertEquals(0, su.s().ftruncate(su.t(), su.file(), 32 * P), name);
            assertEquals(0, design(su).blocksAlive(), name);
            assertTrue(su.t().mm().rss() <= 32, name);
        }
    }
}
