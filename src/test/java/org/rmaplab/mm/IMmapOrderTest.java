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
