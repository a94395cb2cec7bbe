package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.check.InvariantViolation;
import org.rmaplab.rmap.RmapDesigns;

/**
 * Nonlinear vmas ({@code machine remap=nonlinear}, 2.6.11's mm/fremap.c and mm/rmap.c), driven
 * through {@link Rmap} on one page so that every count can be worked out by hand.
 *
 * <p>The setup: a 64-page tmpfs file, mapped MAP_SHARED at W = 1 GiB (2 MiB-aligned, so the
 * 32-page clusters of try_to_unmap_cluster are [W, W+32p) and [W+32p, W+64p)); every page is
 * written through W (64 ptes, each young and dirty), then remap_file_pages(W, 1p, pgoff 63):
 * install_page zaps W's pte (page 0 loses its only mapping) and maps page 63 there, young. Page
 * 63 is then mapped twice: at W (nonlinear) and at W+63p (its linear place); the vma is one,
 * VM_NONLINEAR; the mm maps 64 pages.
 */
class NonlinearVmaTest {
    static final long P = Machine.PAGE_SIZE;
    static final long W = 1L << 30;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final String[] OBJECT_BASED = {"anon_vma_chain", "anon_vma", "anonmm", "lokier"};

    record Setup(CheckedSyscalls s, Machine k, Task t, int pfn63, long file) {}

    static Setup setup(String design) {
        Machine k = new Machine(new MachineConfig(16L << 20, 16L << 20, "x86_64", true), RmapDesigns.create(design));
        CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
        Task t = s.initTask();
        long file = s.open(t, "data", 64 * P);
        assertEquals(W, s.mmap(t, W, 64 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, file, 0));
        for (int i = 0; i < 64; i++) {
            assertEquals(Syscalls.ACCESS_OK, s.write(t, W + i * P, P, 0x100 + i));
        }
        assertEquals(0, s.remapFilePages(t, W, P, 0, 63, 0));
        int pfn = pfnAt(k, t, W);
        assertEquals(pfn, pfnAt(k, t, W + 63 * P), design);
        assertEquals(2, k.frames().mapcount[pfn], design);
        assertEquals(1, t.mm().mapCount(), design);
        assertTrue(t.mm().vma(0).isNonlinear(), design);
        assertEquals(64, t.mm().rss(), design);
        k.frames().flags[pfn] &= ~Frames.PG_REFERENCED;
        return new Setup(s, k, t, pfn, file);
    }

    static long pte(Machine k, Task t, long addr) {
        long slot = PageTable.lookup(k.frames(), t.mm().pgd(), addr);
        return slot < 0 ? 0 : PageTable.get(k.frames(), slot);
    }

    static int pfnAt(Machine k, Task t, long addr) {
        long pte = pte(k, t, addr);
        return PageTable.present(pte) ? PageTable.ptePfn(pte) : -1;
    }

    /**
     * page_referenced_file (2.6.11) walks the prio_tree only, where the nonlinear vma no longer
     * is: 0 young ptes found, the page's PG_referenced being clear. 2.6.0's page_referenced
     * (pte_chains) follows the chain: both ptes young (the write's fault, install_page's mk_pte
     * with the accessed bit of vm_page_prot), 2.
     */
    @Test
    void pageReferencedSkipsNonlinearVmas() {
        for (String d : OBJECT_BASED) {
            Setup su = setup(d);
            assertEquals(0, su.k().rmap.pageReferenced(su.pfn63()), d);
        }
        Setup su = setup("pte_chains");
        assertEquals(2, su.k().rmap.pageReferenced(su.pfn63()));
    }

    /**
     * try_to_unmap_file's nonlinear pass (2.6.11), three calls on page 63, the references heeded.
     * <ol>
     *   <li>No linear vma. max_nl_cursor 0 becomes CLUSTER_SIZE (32p), max_nl_size 64p, mapcount
     *       2. Round 1 scans [W, W+32p) from cursor 0: all 32 ptes young, each spared with its bit
     *       cleared (ptep_clear_flush_young); cursor 32p. Round 2 (max_nl_cursor 64p): [W+32p,
     *       W+64p), all young, spared; cursor 64p. max_nl_cursor 96p &gt; 64p ends the loop and the
     *       cursor is reset to 0. Nothing unmapped: SWAP_AGAIN, rss 64, mapcount 2.
     *   <li>Cursor 0, max_nl_cursor 32p: [W, W+32p), none young now: all 32 unmapped; W's page
     *       (63) is not at its linear index 0, so W keeps a file pte naming 63; W+1p..W+31p are
     *       cleared. *mapcount 2 - 32 &lt;= 0 stops the pass; cursor 32p. Page 63 is still mapped
     *       at W+63p: SWAP_AGAIN, mapcount 1, rss 32.
     *   <li>max_nl_cursor 32p: cursor 32p is not below it; max_nl_cursor 64p: [W+32p, W+64p), 32
     *       ptes unmapped (all linear: cleared), among them W+63p: mapcount 0, SWAP_SUCCESS, rss 0,
     *       cursor 64p.
     * </ol>
     * Then a read of W faults on the file pte (do_file_page) and sees page 63's value, 0x13f.
     * Counted (RmapNonlinear): the linear walk of the tree eras visits no vma (the nonlinear one
     * is not in the tree); 2.6.6-mm's i_mmap_shared loop (anonmm) reaches it and only takes notes
     * ("Defer unmapping nonlinear to the next loop", 2.6.6 try_to_unmap_file()): one vma visited
     * per call. Each round's vma is one vma visited, each cluster read 32 ptes checked: call 1,
     * 2 vmas and 64 ptes; call 2, 1 and 32; call 3, 2 (rounds with max_nl_cursor 32p and 64p)
     * and 32 -- plus anonmm's one per call: 3, 2 and 3.
     */
    @Test
    void tryToUnmapScansClustersFromTheCursor() {
        for (String d : OBJECT_BASED) {
            Setup su = setup(d);
            Machine k = su.k();
            Task t = su.t();
            Vma vma = t.mm().vma(0);
            RmapStats st = k.design().stats();
            long v0 = st.walkVmasVisited;
            long p0 = st.walkPtesChecked;
            int list = d.equals("anonmm") ? 1 : 0; // the list loop's visit, once a call
            assertEquals(Rmap.SWAP_AGAIN, k.rmap.tryToUnmap(su.pfn63(), false), d);
            assertEquals(2 + list, st.walkVmasVisited - v0, d);
            assertEquals(64, st.walkPtesChecked - p0, d);
            assertEquals(64, t.mm().rss(), d);
            assertEquals(2, k.frames().mapcount[su.pfn63()], d);
            assertEquals(0, vma.nonlinearCursor, d);
            assertEquals(0, pte(k, t, W + 5 * P) & PageTable.ACCESSED, d);

            assertEquals(Rmap.SWAP_AGAIN, k.rmap.tryToUnmap(su.pfn63(), false), d);
            assertEquals(32, t.mm().rss(), d);
            assertEquals(1, k.frames().mapcount[su.pfn63()], d);
            assertEquals(PageTable.pgoffToPte(63), pte(k, t, W), d);
            assertEquals(0, pte(k, t, W + P), d);
            assertEquals(32 * P, vma.nonlinearCursor, d);
            assertEquals(3 + 2 * list, st.walkVmasVisited - v0, d);
            assertEquals(96, st.walkPtesChecked - p0, d);

            assertEquals(Rmap.SWAP_SUCCESS, k.rmap.tryToUnmap(su.pfn63(), false), d);
            assertEquals(5 + 3 * list, st.walkVmasVisited - v0, d);
            assertEquals(128, st.walkPtesChecked - p0, d);
            assertEquals(0, t.mm().rss(), d);
            assertEquals(0, k.frames().mapcount[su.pfn63()], d);
            assertEquals(64 * P, vma.nonlinearCursor, d);

            Syscalls.ReadResult r = new Syscalls.ReadResult();
            assertEquals(Syscalls.ACCESS_OK, su.s().read(t, W, P, r), d);
            assertEquals(0x13f, r.value, d);
            assertEquals(su.pfn63(), pfnAt(k, t, W), d);
        }
    }

    /**
     * 2.6.0's try_to_unmap (pte_chains) finds both ptes of page 63 through its chain and unmaps
     * them in one call: SWAP_SUCCESS, rss 62; W, where the page is not at its linear index, keeps
     * a file pte naming 63 (try_to_unmap_one's pgoff_to_pte), W+63p is cleared; no other pte moves.
     */
    @Test
    void pteChainsUnmapsThroughTheChain() {
        Setup su = setup("pte_chains");
        Machine k = su.k();
        Task t = su.t();
        assertEquals(Rmap.SWAP_SUCCESS, k.rmap.tryToUnmap(su.pfn63(), false));
        assertEquals(62, t.mm().rss());
        assertEquals(PageTable.pgoffToPte(63), pte(k, t, W));
        assertEquals(0, pte(k, t, W + 63 * P));
        assertTrue(PageTable.present(pte(k, t, W + P)));
    }

    /**
     * sys_remap_file_pages (2.6.11): EINVAL for prot other than 0, a private vma, a range past the
     * vma's end; shmem_populate: EINVAL past the end of the file. None changes the vma.
     */
    @Test
    void einvalCases() {
        Setup su = setup("anon_vma_chain");
        CheckedSyscalls s = su.s();
        Task t = su.t();
        assertEquals(-Errno.EINVAL, s.remapFilePages(t, W, P, Mman.PROT_READ, 1, 0));
        assertEquals(-Errno.EINVAL, s.remapFilePages(t, W + 63 * P, 2 * P, 0, 1, 0));
        assertEquals(-Errno.EINVAL, s.remapFilePages(t, W, 2 * P, 0, 63, 0));
        long file = s.open(t, "other", 4 * P);
        long priv = s.mmap(t, 0, 4 * P, RW, Mman.MAP_PRIVATE, file, 0);
        assertEquals(-Errno.EINVAL, s.remapFilePages(t, priv, P, 0, 1, 0));
        assertEquals(2, t.mm().mapCount());
    }

    /**
     * The oracle knows file ptes: after 2.6.0's unmap (pte_chains) W holds a file pte naming page
     * 63, which the check accepts; a file pte naming another page (62) than remap_file_pages put
     * there, or one in a linear vma, is a violation.
     */
    @Test
    void theOracleChecksFilePtes() {
        Setup su = setup("pte_chains");
        Machine k = su.k();
        Task t = su.t();
        assertEquals(Rmap.SWAP_SUCCESS, k.rmap.tryToUnmap(su.pfn63(), false));
        su.s().checkNow();
        long slot = PageTable.lookup(k.frames(), t.mm().pgd(), W);
        PageTable.set(k.frames(), slot, PageTable.pgoffToPte(62));
        assertThrows(InvariantViolation.class, () -> su.s().checkNow());
        PageTable.set(k.frames(), slot, PageTable.pgoffToPte(63));
        su.s().checkNow();
        t.mm().vma(0).vmFlags &= ~Vma.VM_NONLINEAR;
        assertThrows(InvariantViolation.class, () -> su.s().checkNow());
    }

    /**
     * 2.6.11's cursor cannot reach the tail of a nonlinear vma whose start is not cluster-aligned.
     * A 5-page shared mapping V at 1 GiB + 31 pages (the last page of a 32-page cluster) of an
     * 8-page file, every page read (5 young ptes), then remap_file_pages(V+2p, 1p, pgoff 7): page
     * 7 is mapped once, at V+2p, in cluster 1 of the vma (its pages 1..4). try_to_unmap(page 7):
     * no linear vma maps it; max_nl_size rounds 5p up to 32p, max_nl_cursor 0 becomes 32p.
     * <ol>
     *   <li>cursor 0: cluster 0 is [V, V+1p), page 0's young pte spared; cursor 32p is not below
     *       the size 5p, so cluster 1 is never scanned; max_nl_cursor 64p &gt; 32p ends the pass,
     *       cursors reset: SWAP_AGAIN.
     *   <li>cursor 0 again: page 0's pte, old now, is unmapped (page 0 at its linear index: the
     *       pte is cleared); *mapcount 1 - 1 = 0 ends the pass: SWAP_AGAIN, cursor 32p.
     *   <li>cursor 32p is not below max_nl_cursor 32p; then 64p ends the pass: SWAP_AGAIN.
     * </ol>
     * Page 7 stays mapped at V+2p through every call: mapcount 1.
     */
    @Test
    void theTailOfAMisalignedNonlinearVmaIsNeverScanned() {
        long v = W + 31 * P;
        for (String d : OBJECT_BASED) {
            Machine k = new Machine(new MachineConfig(16L << 20, 16L << 20, "x86_64", true), RmapDesigns.create(d));
            CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
            Task t = s.initTask();
            long file = s.open(t, "data", 8 * P);
            assertEquals(v, s.mmap(t, v, 5 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, file, 0));
            assertEquals(Syscalls.ACCESS_OK, s.read(t, v, 5 * P, new Syscalls.ReadResult()));
            assertEquals(0, s.remapFilePages(t, v + 2 * P, P, 0, 7, 0));
            int pfn7 = pfnAt(k, t, v + 2 * P);
            int pfn0 = pfnAt(k, t, v);
            assertEquals(1, k.frames().mapcount[pfn7], d);
            assertTrue(!FileRmap.clusterReachable(t.mm().vma(0), v + 2 * P), d);
            assertEquals(Rmap.SWAP_AGAIN, k.rmap.tryToUnmap(pfn7, false), d);
            assertEquals(1, k.frames().mapcount[pfn0], d);
            assertEquals(Rmap.SWAP_AGAIN, k.rmap.tryToUnmap(pfn7, false), d);
            assertEquals(0, k.frames().mapcount[pfn0], d);
            assertEquals(0, pte(k, t, v), d);
            assertEquals(Rmap.SWAP_AGAIN, k.rmap.tryToUnmap(pfn7, false), d);
            assertEquals(1, k.frames().mapcount[pfn7], d);
            s.checkNow();
        }
    }
}
