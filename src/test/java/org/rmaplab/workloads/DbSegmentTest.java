package org.rmaplab.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.report.Findings;
import org.rmaplab.rmap.RmapDesigns;

/**
 * {@code db-segment} (wli's database, {@link DbSegment}) on a tiny case worked by hand, under every
 * design and registered variant with the oracle after every call.
 *
 * <p>tasks=2 windows=2 window_pages=1 segment_pages=8: 8 slots of one page. Slot of task t, window
 * w = (t x 2 x 7 + w x 13) mod 8: t1 (t=0) windows 0 and 1 show pages 0 and 5; d2 (t=1) pages
 * 14 mod 8 = 6 and 27 mod 8 = 3. Every process maps its own 2-page area at offset 0.
 * <ul>
 *   <li>Emulated: each remap is an mmap of its page. t1's window 0 at pgoff 0 merges back with
 *       the rest of the area (pgoff 1 follows), window 1 at pgoff 5 is a vma of its own: 2. d2:
 *       pgoff 6 then 3, neither follows the other: 2. The vma peak over the run is 4: t1's split
 *       area (2) with d2's area at most 2 (a split for window 0, unmapped before the new vma comes).
 *   <li>Nonlinear: one vma per process, 2 in all; t1's is nonlinear (page 5 is not at linear
 *       index 1), d2's too (page 6 at index 0).
 *   <li>Truncation to 4 pages (half the slots): pages 5 and 6 go. Fix (i) zaps both nonlinear
 *       vmas whole: 2 + 2 = 4 ptes looked at, under every design. Under the emulation no vma is
 *       nonlinear: 0.
 *   <li>Fixes (ii) and (iii) under pte_chains: the linear zap finds no linear offset past the cut
 *       in either 2-page vma (ii), or is not done (iii); then try_to_unmap on pages 5 and 6, each
 *       mapped by one pte (read back after reclaim), one pte checked each: 2.
 * </ul>
 */
class DbSegmentTest {
    static final Map<String, Long> TINY = WorkloadsTest.p("tasks", 2, "windows", 2, "window_pages", 1,
            "segment_pages", 8);

    static Findings.Run run(Map<String, Long> base, long remap, long truncate, String design) {
        Map<String, Long> p = new java.util.LinkedHashMap<>(base);
        p.put("remap", remap);
        p.put("truncate", truncate);
        return Findings.measure("db-segment", p, () -> RmapDesigns.create(design), "x86_64", CheckPolicy.EVERY);
    }

    @Test
    void vmasPerProcessAndTheExhaustiveTruncate() {
        for (String d : RmapDesigns.everyName()) {
            Findings.Run em = run(TINY, 0, 0, d);
            assertEquals(1, em.lines("t1 vmas A1 2p expect 2"), d);
            assertEquals(1, em.lines("d2 vmas A2 2p expect 2"), d);
            assertEquals(4, em.cost("vmas_peak"), d);
            assertEquals(0, em.machine("truncate_nonlinear_ptes_scanned"), d);
            Findings.Run nl = run(TINY, 1, 0, d);
            assertEquals(1, nl.lines("t1 vmas A1 2p expect 1"), d);
            assertEquals(1, nl.lines("d2 vmas A2 2p expect 1"), d);
            assertEquals(2, nl.cost("vmas_peak"), d);
            assertEquals(4, nl.machine("truncate_nonlinear_ptes_scanned"), d);
        }
    }

    @Test
    void cleanupAndUnmapUnderPteChains() {
        for (String d : new String[] {"pte_chains", "pte_chains:mlocked_unchained"}) {
            assertEquals(2, run(TINY, 1, 2, d).machine("truncate_nonlinear_ptes_scanned"), d);
            assertEquals(2, run(TINY, 1, 3, d).machine("truncate_nonlinear_ptes_scanned"), d);
        }
    }

    /**
     * The generator's windows, read back: t1's window 1 (page 5) and d2's window 0 (page 6) fault
     * SIGBUS after the cut and read 0 after the segment grows back; the others keep their values.
     */
    @Test
    void readsAfterTheTruncate() {
        String text = Workloads.find("db-segment").orElseThrow().generate(TINY);
        assertTrue(text.contains("t1 ftruncate F 4p expect 0\ncheck\n"
                + "t1 read A1 1p expect 0x10001\nt1 read A1+1p 1p expect BUS\n"
                + "d2 read A2 1p expect BUS\nd2 read A2+1p 1p expect 0x20002\n"
                + "t1 ftruncate F 8p expect 0\n"
                + "t1 read A1 1p expect 0x10001\nt1 read A1+1p 1p expect 0x0\n"
                + "d2 read A2 1p expect 0x0\nd2 read A2+1p 1p expect 0x20002\ncheck\n"), text);
    }

    /**
     * 12 slots: 13 = 1 (mod 12), so each window's slot follows the last one's. t1: slots 0, 1, 2
     * (the linear layout); d2: (1 x 3 x 7 = 21) mod 12 = 9, then 10, 11: remapped, but contiguous, so
     * the emulation's three mmaps merge into one vma, as the nonlinear vma is one. With 8 slots d2's
     * windows land on 5, 2, 7: three vmas.
     */
    @Test
    void contiguousWindowsMergeUnderTheEmulation() {
        assertEquals(1, DbSegment.emulatedVmas(1, 3, 12));
        assertEquals(3, DbSegment.emulatedVmas(1, 3, 8));
        Map<String, Long> p = WorkloadsTest.p("tasks", 2, "windows", 3, "window_pages", 1, "segment_pages", 12);
        for (String d : RmapDesigns.everyName()) {
            Findings.Run em = run(p, 0, 0, d);
            assertEquals(1, em.lines("d2 remap_file_pages A2+1p 1p 10 expect 0"), d);
            assertEquals(1, em.lines("d2 vmas A2 3p expect 1"), d);
        }
    }

    @Test
    void combinationsTheOracleStopsAreRefused() {
        Workload w = Workloads.find("db-segment").orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> w.generate(WorkloadsTest.p("remap", 1, "truncate", 1)));
        assertTrue(e.getMessage().startsWith("--param truncate=1 (2.6.0's bug) with remap=1"), e.getMessage());
        for (long t : new long[] {2, 3}) {
            e = assertThrows(IllegalArgumentException.class,
                    () -> w.generate(WorkloadsTest.p("remap", 1, "mlock", 1, "truncate", t)));
            assertTrue(e.getMessage().contains("try_to_unmap fails on the mlocked windows"), e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class,
                () -> w.generate(WorkloadsTest.p("windows", 8, "window_pages", 4, "segment_pages", 16)));
        assertTrue(e.getMessage().startsWith("--param windows x window_pages = 32 is more than segment_pages=16"),
                e.getMessage());
        // Without nonlinear vmas every truncate mode is the same: the bug's value is allowed there.
        assertTrue(w.generate(WorkloadsTest.p("truncate", 1, "mlock", 1)).contains(" truncate=linear\n"));
    }
}
