package org.rmaplab.rmap;

import org.rmaplab.mm.RmapStats;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Task;

/**
 * The model's side of the shape harness/bench/pageout_shape.c measures on the kernel (issue 7,
 * docs/benchmarks.md): a parent writes P pages, forks N children, every child COWs every page, and
 * MADV_PAGEOUT then evicts the mapping of the first child, of the last child and of the parent, in
 * that order. Every page is mapped once, so each try_to_unmap walk stops at its one pte; what it
 * visits before that is the design's. The kernel's cost per page is flat in N for parent and child
 * alike, and so is anon_vma_chain's count (1 vma per walk: a child's COWed page lives in the
 * child's own anon_vma, the parent's in the root whose interval tree has the parent's vma first),
 * while anon_vma's single list [child N, ..., child 1, parent] (anon_vma_link adds at the head)
 * makes the first child's walk visit N vmas, the last child's 1 and the parent's N + 1.
 */
class PageoutWalkShapeTest {
    static final int P = 4;
    static final long PAGE = Machine.PAGE_SIZE;

    /** vmas visited per walk for {first child, last child, parent}; walks are checked to be P each. */
    static double[] shape(String design, int n) {
        Machine k = new Machine(new MachineConfig(64L << 20, 64L << 20, "x86_64"), RmapDesigns.create(design));
        CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.END);
        Task parent = s.initTask();
        long a = s.mmap(parent, 0, P * PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        assertEquals(0, s.write(parent, a, P * PAGE, 1));
        Task[] child = new Task[n];
        for (int i = 0; i < n; i++) {
            child[i] = s.fork(parent);
        }
        for (int i = 0; i < n; i++) {
            assertEquals(0, s.write(child[i], a, P * PAGE, 2 + i));
        }
        Task[] order = n == 0 ? new Task[] {null, null, parent} : new Task[] {child[0], child[n - 1], parent};
        double[] out = new double[3];
        RmapStats st = k.design().stats();
        for (int j = 0; j < 3; j++) {
            if (order[j] == null || (j == 1 && n == 1)) {
                out[j] = Double.NaN;
                continue;
            }
            long w0 = st.walks;
            long v0 = st.walkVmasVisited;
            long swapped = order[j].mm().swapents();
            assertEquals(0, s.madvise(order[j], a, P * PAGE, Mman.MADV_PAGEOUT));
            assertEquals(swapped + P, order[j].mm().swapents(), design + ": every page went to swap");
            assertEquals(P, st.walks - w0, design + ": one walk per page");
            out[j] = (double) (st.walkVmasVisited - v0) / P;
        }
        for (int i = 0; i < n; i++) {
            s.read(child[i], a, P * PAGE, new org.rmaplab.mm.Syscalls.ReadResult());
        }
        s.finish();
        return out;
    }

    static final int[] NS = {0, 1, 2, 4, 8, 16, 32, 64, 128};

    @Test
    void anonVmaChainVisitsOneVmaPerWalkWhateverTheFanOut() {
        for (int n : NS) {
            double[] v = shape("anon_vma_chain", n);
            if (n > 0) {
                assertEquals(1.0, v[0], "first child, N=" + n);
                if (n > 1) {
                    assertEquals(1.0, v[1], "last child, N=" + n);
                }
            }
            assertEquals(1.0, v[2], "parent, N=" + n);
        }
    }

    @Test
    void anonVmaWalksGrowWithTheFanOutExceptForTheYoungestChild() {
        for (int n : NS) {
            double[] v = shape("anon_vma", n);
            if (n > 0) {
                assertEquals(n, v[0], "first child: behind its N - 1 younger siblings, N=" + n);
                if (n > 1) {
                    assertEquals(1.0, v[1], "last child: at the head, N=" + n);
                }
            }
            assertEquals(n + 1, v[2], "parent: at the tail, N=" + n);
        }
    }

    /**
     * The other three designs in the same shape. pte_chains: a page mapped once is PG_direct, its
     * one pte is the walk (1). anonmm: a COWed page belongs to the anonmm of the mm that made it and
     * the walk tries that mm first (1). lokier: the whole family shares one address_space whose
     * vmas sit in link order [parent, child 1, ..., child N] and each covers every page's offset, so
     * the first child's walk visits 2, the last child's N + 1 and the parent's 1: lokier's cost
     * grows with the fan-out too, for the youngest children.
     */
    @Test
    void theOtherDesigns() {
        for (int n : NS) {
            double[] pc = shape("pte_chains", n);
            double[] mm = shape("anonmm", n);
            double[] lk = shape("lokier", n);
            assertEquals(1.0, pc[2], "pte_chains parent, N=" + n);
            assertEquals(1.0, mm[2], "anonmm parent, N=" + n);
            assertEquals(1.0, lk[2], "lokier parent, N=" + n);
            if (n > 0) {
                assertEquals(1.0, pc[0], "pte_chains first child, N=" + n);
                assertEquals(1.0, mm[0], "anonmm first child, N=" + n);
                assertEquals(2.0, lk[0], "lokier first child, N=" + n);
            }
            if (n > 1) {
                assertEquals(1.0, pc[1], "pte_chains last child, N=" + n);
                assertEquals(1.0, mm[1], "anonmm last child, N=" + n);
                assertEquals(n + 1, lk[1], "lokier last child, N=" + n);
            }
        }
    }
}
