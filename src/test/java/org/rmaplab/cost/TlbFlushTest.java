package org.rmaplab.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * TLB flushes counted where 6.18 makes them (issue 18): mremap per extent (mm/mremap.c
 * move_ptes, get_extent), UFFDIO_MOVE per batch (mm/userfaultfd.c move_present_ptes), a zap over
 * its present ptes only, a munmap that frees a PTE table and clears nothing (pte_free_tlb). Each
 * count is derived by hand in the test's comment; the oracle checks every run.
 */
class TlbFlushTest {
    /** The meter and its machine after the scenario ran under anon_vma_chain on x86_64, oracle on. */
    record Run(Meter meter, Machine k) {}

    static Run run(String... lines) {
        Scenario sc = ScenarioParser.parse("t.vms", String.join("\n", lines) + "\n");
        MachineConfig mc = sc.machine();
        Machine k = new Machine(new MachineConfig(mc.ramBytes(), mc.swapBytes(), "x86_64"),
                RmapDesigns.create("anon_vma_chain"));
        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.EVERY);
        Meter meter = new Meter(c, k, ArchProfile.of("x86_64"));
        RunResult r = new ScenarioRunner((d, m) -> meter).run(sc, "anon_vma_chain");
        assertTrue(r.passed(), () -> String.join("\n", r.report()));
        c.finish();
        return new Run(meter, k);
    }

    /**
     * 40 written pages straddling a source PMD boundary, 20 on each side (A = 0x1000000 - 20p),
     * moved to 0x4000000 + 10p (a different offset in its table: try_realign_addr does not apply).
     * get_extent: min(20p to the source boundary, 40p left, 502p to the destination's) = 20p,
     * then 20p: two extents, each moving present ptes, each flushing its 20 pages one by one:
     * 40 page flushes, none whole (the old rule, 40 ptes over the ceiling, said one whole).
     * The old range's unmap then clears no present pte but frees the two source PTE tables
     * (no neighbour vma: free_pgtables frees both; pte_free_tlb each): 2 page flushes more.
     */
    @Test
    void mremapStraddlingAPmdBoundaryFlushesPerExtent() {
        Run r = run("machine ram=16M swap=0",
                "t1 mmap 0xfec000 40p rw private|anonymous|fixed as A",
                "t1 write A 40p 0x5",
                "t1 mremap A 40p 40p maymove|fixed 0x400a000 as B expect 0x400a000",
                "t1 read B 40p expect 0x5");
        assertEquals(40, r.k().tlbFlushPages());
        assertEquals(0, r.k().tlbFlushesFull());
        assertEquals(2, r.k().pteTablesFreed());
        assertEquals(42, r.meter().tlbFlushPages);
        assertEquals(0, r.meter().tlbFlushesFull);
    }

    /**
     * 256 pages whose source starts one page below a PMD boundary (A = 0x1000000 - 1p) moved to a
     * 2 MiB-aligned 0x4000000 (offsets differ: no realign): extents of 1p (to the source
     * boundary) and 255p: 1 page flush + 1 whole (255 &gt; 33). The old rule (256 ptes, one per
     * table: ceil(256/512)) said 1 whole. The unmap of the old range frees its 2 PTE tables with
     * no present pte left: 2 page flushes, 3 in all.
     */
    @Test
    void mremapOfOnePageAndTheRestOfATable() {
        Run r = run("machine ram=16M swap=0",
                "t1 mmap 0xfff000 256p rw private|anonymous|fixed as A",
                "t1 write A 256p 0x7",
                "t1 mremap A 256p 256p maymove|fixed 0x4000000 as B expect 0x4000000",
                "t1 read B 256p expect 0x7");
        assertEquals(1, r.k().tlbFlushPages());
        assertEquals(1, r.k().tlbFlushesFull());
        assertEquals(3, r.meter().tlbFlushPages);
        assertEquals(1, r.meter().tlbFlushesFull);
    }

    /**
     * UFFDIO_MOVE of n present, exclusive pages inside one source and one destination table: one
     * batch (move_present_ptes), one flush over its span: 33 pages one by one (the ceiling); then
     * 40 pages (another call): one whole flush.
     */
    @Test
    void uffdMoveFlushesPerBatch() {
        Run r = run("machine ram=16M swap=0",
                "t1 mmap 0x1000000 80p rw private|anonymous|fixed as A",
                "t1 mmap 0x2000000 80p rw private|anonymous|fixed as D",
                "t1 write A 73p 0x3",
                "t1 uffd_register D 80p expect 0",
                "t1 uffd_move D A 33p expect 33p",
                "t1 uffd_move D+33p A+33p 40p expect 40p",
                "t1 read D 73p expect 0x3");
        assertEquals(33, r.meter().tlbFlushPages);
        assertEquals(1, r.meter().tlbFlushesFull);
    }

    /**
     * UFFDIO_MOVE of 40 pages straddling a source PMD boundary (20 + 20) into a 2 MiB-aligned
     * destination: a batch stops at src_end = pmd_addr_end(src_addr, ...), so two batches of 20:
     * 40 page flushes. A hole in the middle of a batch (allow_src_holes) ends it too: 10 pages,
     * a hole, 9 pages: batches of 10 and 9, 19 page flushes more.
     */
    @Test
    void uffdMoveBatchStopsAtABoundaryAndAtAHole() {
        Run r = run("machine ram=16M swap=0",
                "t1 mmap 0xfec000 40p rw private|anonymous|fixed as A",
                "t1 mmap 0x2000000 80p rw private|anonymous|fixed as D",
                "t1 write A 40p 0x3",
                "t1 uffd_register D 80p expect 0",
                "t1 uffd_move D A 40p expect 40p",
                "t1 mmap 0x3000000 20p rw private|anonymous|fixed as H",
                "t1 write H 10p 0x4",
                "t1 write H+11p 9p 0x4",
                "t1 uffd_move D+40p H 20p allow_src_holes expect 20p",
                "t1 read D 40p expect 0x3");
        assertEquals(59, r.meter().tlbFlushPages);
        assertEquals(0, r.meter().tlbFlushesFull);
    }

    /**
     * A zap's flush range grows by its present ptes only. 4 written pages, 2 paged out (one
     * mapping each: swap entries), then munmap of all 4: 2 present ptes cleared, 2 swap entries
     * freed: 2 page flushes (the old rule counted 4). MADV_PAGEOUT's own flushes (reclaim's) are
     * not counted. Then a range emptied by MADV_DONTNEED (4 page flushes) and unmapped: nothing
     * present cleared, its PTE table freed (pte_free_tlb): 1 page flush. 2 + 4 + 1 = 7.
     */
    @Test
    void zapFlushCountsPresentPtesAndFreedTables() {
        Run r = run("machine ram=16M swap=16M",
                "t1 mmap 0x1000000 4p rw private|anonymous|fixed as A",
                "t1 write A 4p 0x1",
                "t1 madvise A 2p pageout expect 0",
                "t1 munmap A 4p expect 0",
                "t1 mmap 0x3000000 4p rw private|anonymous|fixed as B",
                "t1 write B 4p 0x1",
                "t1 madvise B 4p dontneed expect 0",
                "t1 munmap B 4p expect 0");
        assertEquals(7, r.meter().tlbFlushPages);
        assertEquals(0, r.meter().tlbFlushesFull);
    }

    /**
     * calibrate.c's mremap_pte layout at X = 1024 (k = 2), whose flushes Calibration.derive
     * subtracts from the slope: 1024 written pages from 1 page past a 2 MiB boundary (inside a
     * wider vma) to 2 pages past one. get_extent cuts 510, 1, 511, 1, 1: k = 2 extents over the
     * ceiling (2 whole flushes) and k + 1 = 3 of one page. The old range's unmap clears nothing
     * present and frees the k - 1 = 1 PTE table inside it: 1 page flush. Per 512 pages: 1 whole
     * flush and 2 page flushes, as derive says.
     */
    @Test
    void calibrateMremapSeriesFlushes() {
        Run r = run("machine ram=16M swap=0",
                "t1 mmap 0x1000000 1026p rw private|anonymous|fixed as S",
                "t1 write S+1p 1024p 0x9",
                "t1 mmap 0x4000000 1030p rw private|anonymous|fixed as D",
                "t1 mremap S+1p 1024p 1024p maymove|fixed D+2p expect D+2p",
                "t1 read D+2p 1024p expect 0x9");
        assertEquals(3, r.k().tlbFlushPages());
        assertEquals(2, r.k().tlbFlushesFull());
        assertEquals(1, r.k().pteTablesFreed());
        assertEquals(4, r.meter().tlbFlushPages);
        assertEquals(2, r.meter().tlbFlushesFull);
    }

    /**
     * calibrate.c's uffd_move layout at X = 1024: both ranges 2 MiB aligned, a batch of 512 a
     * table: 2 whole flushes, no page flush (derive subtracts tlb_flush_all / 512 a page).
     */
    @Test
    void calibrateUffdMoveSeriesFlushes() {
        Run r = run("machine ram=16M swap=0",
                "t1 mmap 0x1000000 1024p rw private|anonymous|fixed as S",
                "t1 write S 1024p 0x9",
                "t1 mmap 0x4000000 1024p rw private|anonymous|fixed as D",
                "t1 uffd_register D 1024p expect 0",
                "t1 uffd_move D S 1024p expect 1024p",
                "t1 read D 1024p expect 0x9");
        assertEquals(0, r.meter().tlbFlushPages);
        assertEquals(2, r.meter().tlbFlushesFull);
    }
}
