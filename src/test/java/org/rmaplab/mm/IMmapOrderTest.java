package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.rmap.RmapDesigns;

/**
 * The order in which a file page's reverse walk meets the vmas of i_mmap, per era
 * ({@link VmaOps#link(Vma, Vma)}, {@link FileRmap}), seen where it decides a count: try_to_unmap
 * stops once the page is mapped nowhere (2.6.0-mm try_to_unmap_obj: {@code !page->pte.mapcount};
 * 2.6.6 try_to_unmap_file: {@code !page_mapped(page)}; today's rmap_walk_file on done()), so the
 * vmas visited before the last pte is found are the walk_vmas_visited it counts. Every page here
 * is one page of a shared tmpfs file F, unmapped with try_to_unmap(pfn, ignoring references).
 */
class IMmapOrderTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    static CheckedSyscalls machine(String design) {
        Machine k = new Machine(new MachineConfig(16L << 20, 16L << 20, "x86_64"), RmapDesigns.create(design));
        return new CheckedSyscalls(k, CheckPolicy.EVERY);
    }

    static int pfnAt(CheckedSyscalls s, Task t, long addr) {
        long slot = PageTable.lookup(s.machine().frames(), t.mm().pgd(), addr);
        return PageTable.ptePfn(PageTable.get(s.machine().frames(), slot));
    }

    /** walk_vmas_visited of try_to_unmap(pfn), which must unmap the page's last pte. */
    static long unmapVisits(CheckedSyscalls s, int pfn, String design) {
        RmapStats st = s.machine().design().stats();
        long v = st.walkVmasVisited;
        assertEquals(Rmap.SWAP_SUCCESS, s.machine().rmap.tryToUnmap(pfn, true), design);
        assertEquals(0, s.machine().frames().mapcount[pfn], design);
        return st.walkVmasVisited - v;
    }

    /**
     * Today's interval tree is keyed on vm_pgoff: t1 maps F at offset 4 (A, 1 page, pgoff 4), then
     * at offset 0 (B, 8 pages, pgoff 0-7), and writes F's page 4 through B only. The tree's
     * in-order is B (pgoff 0), A (pgoff 4), whatever the mmap order, so rmap_walk_file meets B
     * first, unmaps its pte, mapcount 0: done() — 1 vma visited (A never). In mmap order (the
     * model's list before) it was A (covers pgoff 4, no pte), then B: 2. anon_vma_chain and lokier
     * keep the interval tree. The 2.6.6 lists (anonmm) walk in list order: A, then B: 2.
     */
    @Test
    void theIntervalTreeVisitsTheLowerPgoffFirst() {
        for (String d : List.of("anon_vma_chain", "lokier", "anonmm")) {
            CheckedSyscalls s = machine(d);
            Task t = s.initTask();
            long f = s.open(t, "data", 8 * P);
            long a = s.mmap(t, 0, P, RW, Mman.MAP_SHARED, f, 4 * P);
            long b = s.mmap(t, 0, 8 * P, RW, Mman.MAP_SHARED, f, 0);
            assertEquals(0, s.write(t, b + 4 * P, P, 0x44));
            int pfn = pfnAt(s, t, b + 4 * P);
            assertEquals(1, s.machine().frames().mapcount[pfn], d);
            List<Vma> iMmap = s.machine().file(f).iMmap();
            boolean tree = s.machine().traits().iMmapKind() == FileRmap.IMmap.INTERVAL_TREE;
            assertEquals(tree ? List.of(t.mm().vmaLookup(b), t.mm().vmaLookup(a)) : List.of(t.mm().vmaLookup(a), t.mm().vmaLookup(b)), iMmap, d);
            assertEquals(tree ? 1 : 2, unmapVisits(s, pfn, d), d + ": vmas visited");
            s.finish();
        }
    }

    /**
     * vma_prepare() takes a file vma out of the interval tree before its range changes and
     * vma_complete() puts it back, behind the vmas of equal pgoff, even when only its end moved.
     * t1 maps F's pages 0-2 shared (P, pgoff 0) and writes page 0; t2 = fork:
     * vma_interval_tree_insert_after puts t2's copy C right after P, [P, C] (today's fork copies
     * no pte of a vma without anon_vma: only P maps the page). t1 makes page 0 read-only: mprotect's
     * vma_modify() splits P at its end (split_vma(vma, end, new_below = 0): the new vma U takes
     * pages 1-2, pgoff 1, and vma_prepare() inserts it behind every vma of pgoff at most 1, [P, C,
     * U]); P, which keeps pgoff 0 and only loses its end, is taken out and put back behind C:
     * [C, P, U]. try_to_unmap of page 0 (its pte read-only, still present): C (covers pgoff 0, no
     * pte), then P (found, mapcount 0): 2 vmas visited. Left where it was, P would come first: 1.
     */
    @Test
    void aSplitPutsTheVmaBackBehindItsEquals() {
        CheckedSyscalls s = machine("anon_vma_chain");
        Task t1 = s.initTask();
        long f = s.open(t1, "data", 3 * P);
        long a = s.mmap(t1, 0, 3 * P, RW, Mman.MAP_SHARED, f, 0);
        assertEquals(0, s.write(t1, a, P, 0x11));
        Task t2 = s.fork(t1);
        List<Vma> iMmap = s.machine().file(f).iMmap();
        Vma p = t1.mm().vmaLookup(a);
        Vma c = t2.mm().vmaLookup(a);
        assertEquals(List.of(p, c), iMmap, "fork: insert_after");
        assertEquals(0, s.mprotect(t1, a, P, Mman.PROT_READ));
        assertEquals(p, t1.mm().vmaLookup(a), "P keeps page 0");
        assertEquals(List.of(c, p, t1.mm().vmaLookup(a + P)), iMmap, "split: P re-inserted behind C");
        int pfn = pfnAt(s, t1, a);
        assertEquals(1, s.machine().frames().mapcount[pfn]);
        assertEquals(2, unmapVisits(s, pfn, "anon_vma_chain"), "vmas visited");
        s.finish();
    }

    /**
     * Fork's copy on the i_mmap list: 2.6.0's dup_mmap did list_add_tail(&amp;tmp-&gt;shared,
     * &amp;mpnt-&gt;shared) — before mpnt's node, so before the parent — and the -mm objrmap
     * patches left kernel/fork.c alone; from Hugh Dickins' "fork vma order" (March 2004) it was
     * list_add, after the parent (2.6.6, anonmm). t1 maps F's page 0 shared (P) and writes it; t2
     * = fork (the 2004 kernels copy the pte: mapcount 2); t2 drops its pte (MADV_DONTNEED), so only
     * P maps the page. try_to_unmap: objrmap's list [C, P]: C probed by find_pte() (a miss), then P
     * (found, mapcount 0): 2 vmas visited; anonmm's [P, C]: P found, stop: 1.
     */
    @Test
    void forkLinksTheChildBeforeItsParentIn260() {
        for (String d : List.of("pte_chains:objrmap", "pte_chains:objrmap_nlchains", "anonmm")) {
            CheckedSyscalls s = machine(d);
            Task t1 = s.initTask();
            long f = s.open(t1, "data", P);
            long a = s.mmap(t1, 0, P, RW, Mman.MAP_SHARED, f, 0);
            assertEquals(0, s.write(t1, a, P, 0x22));
            Task t2 = s.fork(t1);
            int pfn = pfnAt(s, t1, a);
            assertEquals(2, s.machine().frames().mapcount[pfn], d);
            assertEquals(0, s.madvise(t2, a, P, Mman.MADV_DONTNEED));
            assertEquals(1, s.machine().frames().mapcount[pfn], d);
            boolean v260 = !d.equals("anonmm");
            Vma p = t1.mm().vmaLookup(a);
            Vma c = t2.mm().vmaLookup(a);
            assertEquals(v260 ? List.of(c, p) : List.of(p, c), s.machine().file(f).iMmap(), d);
            assertEquals(v260 ? 2 : 1, unmapVisits(s, pfn, d), d + ": vmas visited");
            s.finish();
        }
    }
}
