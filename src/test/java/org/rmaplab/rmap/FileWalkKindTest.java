package org.rmaplab.rmap;

import org.rmaplab.mm.FileRmap;
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
 * The era of a design's i_mmap, worked by hand. One task maps one file K times, one page each, at
 * file offsets 0, 2, 4, ... (a page of the file between windows, as rmap-test.c leaves, so no two
 * vmas merge), writes every page, then evicts the windows one by one with MADV_PAGEOUT, in link
 * order. Each page is mapped once, so each try_to_unmap walk stops at its one pte:
 * <ul>
 *   <li>anonmm (2.6.6's i_mmap_shared list): the walk runs down the list from its head and
 *       reaches window j's vma after the j vmas linked before it: j + 1 visits, K for the last,
 *       K(K+1)/2 for all K walks;
 *   <li>anon_vma (2.6.7's prio_tree), anon_vma_chain and lokier (the interval tree): only the
 *       covering vma: 1 per walk;
 *   <li>pte_chains: the page's one chained pte: 1 vma (looked up from the pte), 1 pte per walk.
 * </ul>
 */
class FileWalkKindTest {
    static final int K = 8;
    static final long PAGE = Machine.PAGE_SIZE;

    /** vmas visited by the walk of each window's page, in link order; one walk per window checked. */
    static long[] visits(String design) {
        Machine k = new Machine(new MachineConfig(64L << 20, 64L << 20, "x86_64"), RmapDesigns.create(design));
        CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
        Task t = s.initTask();
        long fd = s.open(t, "f", 2 * K * PAGE);
        long[] addr = new long[K];
        for (int j = 0; j < K; j++) {
            addr[j] = s.mmap(t, 0, PAGE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED, fd, 2L * j * PAGE);
            assertEquals(0, s.write(t, addr[j], PAGE, 0x10 + j));
        }
        assertEquals(K, k.files().get((int) fd).iMmap().size(), "one vma per window");
        RmapStats st = k.design().stats();
        long[] out = new long[K];
        for (int j = 0; j < K; j++) {
            long w0 = st.walks;
            long v0 = st.walkVmasVisited;
            long p0 = st.walkPtesChecked;
            assertEquals(0, s.madvise(t, addr[j], PAGE, Mman.MADV_PAGEOUT));
            assertEquals(1, st.walks - w0, design + ": one walk for window " + j);
            assertEquals(1, st.walkPtesChecked - p0, design + ": one pte checked for window " + j);
            out[j] = st.walkVmasVisited - v0;
        }
        for (int j = 0; j < K; j++) {
            s.read(t, addr[j], PAGE, new org.rmaplab.mm.Syscalls.ReadResult());
        }
        s.finish();
        return out;
    }

    @Test
    void designKinds() {
        assertEquals(FileRmap.IMmap.LIST, RmapDesigns.create("anonmm").traits().iMmapKind());
        assertEquals(FileRmap.IMmap.LIST, RmapDesigns.create("pte_chains").traits().iMmapKind());
        assertEquals(FileRmap.IMmap.PRIO_TREE, RmapDesigns.create("anon_vma").traits().iMmapKind());
        assertEquals(FileRmap.IMmap.INTERVAL_TREE, RmapDesigns.create("anon_vma_chain").traits().iMmapKind());
        assertEquals(FileRmap.IMmap.INTERVAL_TREE, RmapDesigns.create("lokier").traits().iMmapKind());
    }

    @Test
    void anonmmWalksTheListFromItsHead() {
        long[] v = visits("anonmm");
        for (int j = 0; j < K; j++) {
            assertEquals(j + 1, v[j], "window " + j);
        }
    }

    @Test
    void theTreesAndTheChainsVisitOneVma() {
        for (String d : new String[] {"anon_vma", "anon_vma_chain", "lokier", "pte_chains"}) {
            long[] v = visits(d);
            for (int j = 0; j < K; j++) {
                assertEquals(1, v[j], d + " window " + j);
            }
        }
    }
}
