package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.rmap.RmapDesigns;

/**
 * page_referenced() of a page mapped both linearly and through nonlinear vmas, per era, driven
 * through {@link Rmap} on one page so that every count can be worked out by hand. The setup is
 * examples/file-fork.vms's: a 4-page tmpfs file F, mapped MAP_SHARED at SH (pgoff 0-3, written
 * by t1), at W (2 pages, pgoff 0) whose first page remap_file_pages makes show F's page 1 (W
 * becomes VM_NONLINEAR) and which t1 reads, and at T (pgoff 3); t1 forks t2 and t2 reads SH+1p.
 * F's page 1 is mapped four times: SH1, W1, and t2's SH2 and W2 (fork copies a nonlinear vma's
 * ptes in every era, 3.x's copy_page_range included). Young ptes: SH1 (t1's write), W1 (t1's
 * read), SH2 (fork's copy is old, pte_mkold, and t2's read makes it young, or faults it in young
 * where fork copied nothing); W2 is old (fork's copy, never touched).
 *
 * <p>i_mmap's order is {@link org.rmaplab.explore} FileStructureTest's: SH1 SH2 W1 W2 T1 T2
 * (2.6.0's objrmap: SH2 SH1 W2 W1 T2 T1).
 * <ul>
 *   <li>2.6.7 to 3.19 (anon_vma's prio_tree; anon_vma_chain's and lokier's interval tree):
 *       page_referenced_file() queries the tree at pgoff 1, which returns SH1 and SH2; it never
 *       reads i_mmap_nonlinear (2.6.11 mm/rmap.c). 2 vmas, 2 ptes checked, 2 referenced (SH1,
 *       SH2); mapcount 4 - 2 never reaches 0, so the whole answer is walked. W1's young bit is not
 *       seen, nor cleared.
 *   <li>2.6.6-mm (anonmm): i_mmap_shared, SH1 SH2 W1 W2 T1 T2, every one visited: its loop reaches
 *       W1 and W2 and skips them on VM_NONLINEAR ("failed++; continue;" before vma_address(),
 *       2.6.6-mm mm/rmap.c page_referenced_file()): 6 vmas, 2 ptes (W1, W2 skipped; T1, T2
 *       -EFAULT), 2 referenced.
 *   <li>2.6.0 (pte_chains): the chain holds all four ptes, one find_vma each: 4 vmas, 4 ptes, 3
 *       referenced (W2 old), W1's bit cleared. pte_chains:objrmap: page_convert_anon chained the
 *       page at remap_file_pages, so its chain is walked: the same 4, 4, 3.
 *   <li>pte_chains:objrmap_nlchains (wli's step (c)): page_referenced_obj probes every vma of
 *       objrmap's lists at the page's linear address (6 vmas; SH2 and SH1 map it, W2 and W1 miss
 *       at W+1p, T2 and T1 do not cover it: 4 ptes), then the chain of the nonlinear ptes (W2,
 *       W1: 2 vmas, 2 ptes): 8 vmas, 6 ptes, 3 referenced.
 * </ul>
 */
class NonlinearReferencedTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    @Test
    void pageReferencedSeesNonlinearPtesOnlyWhereTheyAreChained() {
        Map<String, String> want = new LinkedHashMap<>();
        // design -> vmas visited, ptes checked, referenced, W1 still young
        want.put("anon_vma_chain", "2 2 2 true");
        want.put("anon_vma", "2 2 2 true");
        want.put("lokier", "2 2 2 true");
        want.put("anonmm", "6 2 2 true");
        want.put("pte_chains", "4 4 3 false");
        want.put("pte_chains:objrmap", "4 4 3 false");
        want.put("pte_chains:objrmap_nlchains", "8 6 3 false");
        Map<String, String> got = new LinkedHashMap<>();
        for (String d : want.keySet()) {
            Machine k = new Machine(new MachineConfig(16L << 20, 16L << 20, "x86_64", true), RmapDesigns.create(d));
            CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
            Task t1 = s.initTask();
            long file = s.open(t1, "data", 4 * P);
            long sh = s.mmap(t1, 0, 4 * P, RW, Mman.MAP_SHARED, file, 0);
            assertEquals(0, s.write(t1, sh, 4 * P, 0x51));
            long w = s.mmap(t1, 0, 2 * P, RW, Mman.MAP_SHARED, file, 0);
            assertEquals(0, s.remapFilePages(t1, w, P, 0, 1, 0));
            assertEquals(Syscalls.ACCESS_OK, s.read(t1, w, P, new Syscalls.ReadResult()));
            s.mmap(t1, 0, P, RW, Mman.MAP_SHARED, file, 3 * P);
            Task t2 = s.fork(t1);
            assertEquals(Syscalls.ACCESS_OK, s.read(t2, sh + P, P, new Syscalls.ReadResult()));
            int pfn = NonlinearVmaTest.pfnAt(k, t1, w);
            assertEquals(pfn, NonlinearVmaTest.pfnAt(k, t1, sh + P), d);
            assertEquals(4, k.frames().mapcount[pfn], d);
            assertTrue(k.traits().chainsNonlinearPtes() || t1.mm().vma(1).isNonlinear(), d);
            k.frames().flags[pfn] &= ~Frames.PG_REFERENCED;
            RmapStats st = k.design().stats();
            long vmas = st.walkVmasVisited, ptes = st.walkPtesChecked;
            int referenced = k.rmap.pageReferenced(pfn);
            boolean w1Young = (NonlinearVmaTest.pte(k, t1, w) & PageTable.ACCESSED) != 0;
            got.put(d, (st.walkVmasVisited - vmas) + " " + (st.walkPtesChecked - ptes) + " " + referenced + " " + w1Young);
        }
        assertEquals(want, got);
    }
}
