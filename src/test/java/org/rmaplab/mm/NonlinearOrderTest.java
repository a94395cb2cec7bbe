package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.rmap.RmapDesigns;

/**
 * i_mmap_nonlinear's order and the cluster pass of try_to_unmap_file() that follows it, per era,
 * hand-derived. t1 maps an 8-page tmpfs file F MAP_SHARED at A (2 pages, pgoff 0) and then at B (2
 * pages, pgoff 2; below A: mmap goes top-down); remap_file_pages(B, 1p, pgoff 5), then
 * remap_file_pages(A, 1p, pgoff 6): B becomes nonlinear first, then A, each with one pte (B+0 maps
 * page 5, A+0 page 6; nothing else is touched). t1 forks t2: dup_mmap copies t1's vmas in address
 * order, B then A, and their ptes (fork copies a nonlinear vma's ptes in every era).
 * <ul>
 *   <li>2.6.7 to 3.6 (anon_vma, prio_tree): vma_nonlinear_insert is a list_add_tail, so [B1, A1];
 *       dup_mmap's vma_prio_tree_add(tmp, mpnt) puts each copy right after its parent (its
 *       vm_set.parent is NULL on i_mmap_nonlinear: list_add): [B1, B2, A1, A2].
 *   <li>3.7 to 3.19 (anon_vma_chain, lokier, interval tree): dup_mmap's vma_nonlinear_insert for a
 *       VM_NONLINEAR copy: at the tail, [B1, A1, B2, A2].
 *   <li>2.6.6-mm (anonmm): the nonlinear vmas stay on i_mmap_shared in link order, A1 and B1 as
 *       mmapped, each copy right after its parent (list_add): [A1, A2, B1, B2].
 * </ul>
 * Then try_to_unmap of page 6 (mapped at A1+0 and A2+0), every pte made old first. No linear vma
 * covers pgoff 6, so the nonlinear pass runs (2.6.11 try_to_unmap_file): mapcount 2,
 * max_nl_cursor 0 becomes CLUSTER_SIZE, and each vma's one cluster (the whole vma) is scanned in
 * the list's order; every pte unmapped, whatever page it maps, counts mapcount down, and the pass
 * returns at 0. prio_tree: B1 (page 5's pte: 1), B2 (0): page 6 untouched, 2 vmas. Interval tree:
 * B1 (1), A1 (page 6's pte: 0): page 6 mapped once more. anonmm: its i_mmap_shared loop first
 * reaches all four nonlinear vmas and only takes notes ("Defer unmapping nonlinear to the next
 * loop", 2.6.6 try_to_unmap_file()), A1 A2 B1 B2; then the pass A1, A2: page 6 unmapped
 * (SWAP_SUCCESS).
 */
class NonlinearOrderTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    @Test
    void theClusterPassFollowsIMmapNonlinear() {
        Map<String, String> want = new LinkedHashMap<>();
        // design -> i_mmap_nonlinear's order | the vmas the pass visited | page 6's mapcount after
        want.put("anon_vma", "B1 B2 A1 A2 | B1 B2 | 2");
        want.put("anon_vma_chain", "B1 A1 B2 A2 | B1 A1 | 1");
        want.put("lokier", "B1 A1 B2 A2 | B1 A1 | 1");
        want.put("anonmm", "A1 A2 B1 B2 | A1 A2 B1 B2 A1 A2 | 0");
        Map<String, String> got = new LinkedHashMap<>();
        for (String d : want.keySet()) {
            Machine k = new Machine(new MachineConfig(16L << 20, 16L << 20, "x86_64", true), RmapDesigns.create(d));
            CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
            Task t1 = s.initTask();
            long file = s.open(t1, "data", 8 * P);
            long a = s.mmap(t1, 0, 2 * P, RW, Mman.MAP_SHARED, file, 0);
            long b = s.mmap(t1, 0, 2 * P, RW, Mman.MAP_SHARED, file, 2 * P);
            assertTrue(b < a, d);
            assertEquals(0, s.remapFilePages(t1, b, P, 0, 5, 0));
            assertEquals(0, s.remapFilePages(t1, a, P, 0, 6, 0));
            Task t2 = s.fork(t1);
            Map<Vma, String> names = new LinkedHashMap<>();
            names.put(t1.mm().vmaLookup(a), "A1");
            names.put(t1.mm().vmaLookup(b), "B1");
            names.put(t2.mm().vmaLookup(a), "A2");
            names.put(t2.mm().vmaLookup(b), "B2");
            AddressSpace as = t1.mm().vmaLookup(a).file;
            List<String> order = new ArrayList<>();
            for (Vma v : as.nonlinearOrder(k.traits().iMmapKind())) {
                if (v.isNonlinear()) {
                    order.add(names.get(v));
                }
            }
            int pfn = NonlinearVmaTest.pfnAt(k, t1, a);
            assertEquals(pfn, NonlinearVmaTest.pfnAt(k, t2, a), d);
            assertEquals(2, k.frames().mapcount[pfn], d);
            for (Task t : new Task[] {t1, t2}) {
                for (long addr : new long[] {a, b}) {
                    long slot = PageTable.lookup(k.frames(), t.mm().pgd(), addr);
                    PageTable.set(k.frames(), slot, PageTable.get(k.frames(), slot) & ~PageTable.ACCESSED);
                }
            }
            List<String> visited = new ArrayList<>();
            RmapStats st = k.design().stats();
            st.walkObserver = new RmapStats.WalkObserver() {
                @Override
                public void vmaVisited(Mm mm, Vma vma) {
                    visited.add(names.get(vma));
                }

                @Override
                public void pteChecked(Mm mm, long address, long slot) {
                }
            };
            k.rmap.tryToUnmap(pfn, true);
            st.walkObserver = null;
            got.put(d, String.join(" ", order) + " | " + String.join(" ", visited) + " | " + k.frames().mapcount[pfn]);
            s.finish();
        }
        assertEquals(want, got);
    }
}
