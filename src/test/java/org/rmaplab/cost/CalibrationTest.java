package org.rmaplab.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The fit and the derivation of prices pinned on synthetic measurements: known costs in, the same out. */
class CalibrationTest {

    /** Points exactly on y = 300 + 53.5 x: the line comes back, every residual 0. */
    @Test
    void exactLine() {
        double[] x = {1024, 2048, 4096, 8192};
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 300 + 53.5 * x[i];
        }
        LineFit f = LineFit.of(x, y);
        assertEquals(53.5, f.slope(), 1e-9);
        assertEquals(300, f.intercept(), 1e-6);
        assertEquals(0, f.rms(), 1e-6);
    }

    /**
     * Noise of +e, -e, -e, +e on x = 1, 2, 3, 4 around y = 10 + 2x: x's mean is 2.5, the centred x
     * are -1.5, -0.5, 0.5, 1.5, and the noise's Sxy = -1.5e + 0.5e - 0.5e + 1.5e = 0, so the slope
     * stays 2 and the intercept 10 (the noise sums to 0); the residuals are the noise itself,
     * rms = e.
     */
    @Test
    void symmetricNoise() {
        double e = 3;
        LineFit f = LineFit.of(new double[] {1, 2, 3, 4}, new double[] {12 + e, 14 - e, 16 - e, 18 + e});
        assertEquals(2, f.slope(), 1e-9);
        assertEquals(10, f.intercept(), 1e-9);
        assertEquals(List.of(e, -e, -e, e), java.util.Arrays.stream(f.residuals()).boxed().toList());
        assertEquals(e, f.rms(), 1e-9);
        assertEquals(3.0 / 11, f.worstRelative(), 1e-12); // |r| / y at x = 2: 3 / (14 - 3)
    }

    @Test
    void tooFewPoints() {
        assertThrows(IllegalArgumentException.class, () -> LineFit.of(new double[] {1}, new double[] {1}));
        assertThrows(IllegalArgumentException.class, () -> LineFit.of(new double[] {2, 2}, new double[] {1, 3}));
    }

    /** A line of SLOPE and INTERCEPT sampled at XS, as calibrate.c would print it without noise. */
    static LineFit line(double intercept, double slope, double... xs) {
        double[] y = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            y[i] = intercept + slope * xs[i];
        }
        return LineFit.of(xs, y);
    }

    /**
     * The series a machine with these known prices would give, by the derivations of
     * Calibration.derive: fork_vma's slope is fork_vma + fork_pte + 3 rmap_alloc (anon_vma_fork's
     * anon_vma and two chains per vma), pageout_procs' slope walk_vma + walk_pte and its intercept
     * swap_out, pageout_vmas' slope walk_vma.
     */
    static Map<String, LineFit> synthetic() {
        Map<String, LineFit> f = new LinkedHashMap<>();
        f.put("fault_anon", line(5000, 2500, 1024, 2048, 4096));
        f.put("fault_file", line(100, 1800, 1024, 2048, 4096));
        f.put("fault_file_read", line(300, 600, 1024, 2048, 4096));
        f.put("cow", line(0, 4000, 1024, 2048, 4096));
        // fork_call is fork_pte's intercept (250 us), not fork_vma's (190 us, a poor extrapolation)
        f.put("fork_pte", line(250_000, 60, 1024, 2048, 4096));
        // fork_vma 700 + fork_pte 60 + 3 x rmap_alloc 40 = 880
        f.put("fork_vma", line(190_000, 880, 64, 128, 256));
        f.put("exit_pte", line(9000, 90, 1024, 2048, 4096));
        // mremap_pte 30 + (tlb_flush_all 40000 + 2 x tlb_flush_page 18000) / 512 = 30 + 76000 / 512
        f.put("mremap_pte", line(9000, 30 + 76_000.0 / 512, 1024, 2048, 4096));
        // uffd_move 140 + tlb_flush_all 40000 / 512
        f.put("uffd_move", line(20_000, 140 + 40_000.0 / 512, 1024, 2048, 4096));
        f.put("swapin", line(0, 3000, 256, 512));
        f.put("pageout", line(0, 5000 + 20 + 25, 256, 512));
        f.put("pageout_vmas", line(8000, 20, 1, 128, 256));
        // walk_vma 20 + walk_pte 25 = 45 per process; swap_out 5000
        f.put("pageout_procs", line(5000, 45, 1, 32, 64));
        f.put("dram_miss", line(1000, 95, 250_000, 500_000));
        // The per-call series: Y a call's mean ns at X pages (syscall: X calls, Y their total).
        f.put("syscall", line(0, 700, 256, 512, 1024, 2048));
        f.put("call_mmap", line(1500, 0, 1, 2, 4, 8, 16, 32));
        f.put("call_munmap", line(1700, 0, 1, 2, 4, 8, 16, 32));
        f.put("call_mremap", line(3500, 0, 1, 2, 4, 8, 16, 32));
        f.put("call_mprotect", line(1200, 0, 1, 2, 4, 8, 16, 32));
        // MADV_DONTNEED under the flush ceiling: call_madvise 2000 + X x (exit_pte 90 + tlb_flush_page 18000)
        f.put("madvise_dontneed", line(2000, 18_090, 1, 2, 4, 8, 16, 32));
        // over the ceiling: call_madvise 2000 + tlb_flush_all 40000 in the intercept; the slope (a zap and a free) unused
        f.put("madvise_dontneed_full", line(42_000, 400, 64, 128, 256, 512));
        // UFFDIO_MOVE: call_uffd 600 + X x (uffd_move 140 + tlb_flush_page 18000), only the intercept used
        f.put("uffd_move_call", line(600, 18_140, 1, 2, 4, 8, 16));
        return f;
    }

    @Test
    void knownCostsInSameOut() {
        Map<String, Calibration.Price> c = Calibration.derive(synthetic(), null);
        Map<String, Double> want = new LinkedHashMap<>();
        want.put("fault_anon", 2500.0);
        want.put("fault_file", 1800.0);
        want.put("fault_file_read", 600.0);
        want.put("cow", 4000.0);
        want.put("fork_call", 250_000.0);
        want.put("fork_vma", 700.0);
        want.put("fork_pte", 60.0);
        want.put("exit_pte", 90.0);
        want.put("mremap_pte", 30.0);
        want.put("uffd_move", 140.0);
        want.put("swap_out", 5000.0);
        want.put("swap_in", 3000.0);
        want.put("walk_vma", 20.0);
        want.put("walk_pte", 25.0);
        want.put("rmap_alloc", 40.0);
        want.put("pte_chain_line", 95.0);
        want.put("highpte_kmap", 60.0);
        want.put("syscall", 700.0);
        want.put("call_mmap", 1500.0);
        want.put("call_munmap", 1700.0);
        want.put("call_mremap", 3500.0);
        want.put("call_mprotect", 1200.0);
        want.put("call_madvise", 2000.0);
        want.put("call_uffd", 600.0);
        want.put("tlb_flush_page", 18_000.0);
        want.put("tlb_flush_all", 40_000.0);
        assertEquals(Calibration.PRIMITIVES.keySet(), want.keySet());
        for (Map.Entry<String, Double> e : want.entrySet()) {
            assertEquals(e.getValue(), c.get(e.getKey()).ns(), 1e-6, e.getKey());
        }
        assertEquals("fit fork_pte: intercept", c.get("fork_call").source());
        assertTrue(c.get("rmap_alloc").source().startsWith("assumption"));
        assertTrue(c.get("pte_chain_line").source().startsWith("assumption"));
        assertEquals("fit madvise_dontneed: slope - exit_pte", c.get("tlb_flush_page").source());
        assertEquals("fit madvise_dontneed_full: intercept - call_madvise", c.get("tlb_flush_all").source());
        assertTrue(c.get("mremap_pte").source().startsWith("fit mremap_pte: slope - (tlb_flush_all + 2 tlb_flush_page) / 512"));
        assertTrue(c.get("uffd_move").source().startsWith("fit uffd_move: slope - tlb_flush_all / 512"));
    }

    /** A slope smaller than the flushes it must hold is noise: taken as 0, and the source says so. */
    @Test
    void flushesOverTheSlopeAreNoted() {
        Map<String, LineFit> f = synthetic();
        f.put("uffd_move", line(20_000, 50, 1024, 2048, 4096)); // 50 - 40000 / 512 = -28.125
        Calibration.Price p = Calibration.derive(f, null).get("uffd_move");
        assertEquals(0, p.ns(), 1e-9);
        assertTrue(p.source().contains("= -28.1") && p.source().endsWith("< 0 (noise), taken as 0"), p.source());
    }

    /**
     * The per-call fit on measurements with noise: a call of fixed cost 2000 ns and 18090 ns a page
     * (a pte zapped and a page flushed), each point off by +-300 ns with a sum of 0 and no
     * correlation with x (x = 1, 2, 4, 8: centred -2.75, -1.75, 0.25, 4.25; residuals +300, -300,
     * -300, +300: Sxy adds 300 x (-2.75 + 1.75 - 0.25 + 4.25) = 900 to 18090 x Sxx, Sxx = 7.5625 +
     * 3.0625 + 0.0625 + 18.0625 = 28.75, so the slope is 18090 + 900 / 28.75 = 18121.3 and the
     * intercept 2000 - 31.3 x 3.75 = 1882.6): the intercept is the call's cost to within the noise, the worst residual at x = 1.
     */
    @Test
    void perCallFitWithNoise() {
        double[] x = {1, 2, 4, 8};
        double[] noise = {300, -300, -300, 300};
        double[] y = new double[4];
        for (int i = 0; i < 4; i++) {
            y[i] = 2000 + 18_090 * x[i] + noise[i];
        }
        LineFit f = LineFit.of(x, y);
        assertEquals(18_090 + 900 / 28.75, f.slope(), 1e-6);
        assertEquals(2000 - 900 / 28.75 * 3.75, f.intercept(), 1e-6);
        Map<String, LineFit> fits = synthetic();
        fits.put("madvise_dontneed", f);
        Map<String, Calibration.Price> c = Calibration.derive(fits, null);
        assertEquals(f.intercept(), c.get("call_madvise").ns(), 1e-6);
        assertEquals(f.slope() - 90, c.get("tlb_flush_page").ns(), 1e-6);
        // the whole flush is the full series' intercept less call_madvise from this fit
        assertEquals(42_000 - f.intercept(), c.get("tlb_flush_all").ns(), 1e-6);
    }

    /** Without swap: the swap series fall back to the reference's prices, and say so. */
    @Test
    void missingSeriesTakeTheFallback() {
        Map<String, LineFit> f = synthetic();
        f.remove("pageout");
        f.remove("pageout_procs");
        f.remove("swapin");
        Calibration ref = new Calibration("m", "k", "d", "reference", Map.of(), List.of(),
                Calibration.derive(synthetic(), null));
        Map<String, Calibration.Price> c = Calibration.derive(f, ref);
        assertEquals(5000, c.get("swap_out").ns(), 1e-6);
        assertEquals(25, c.get("walk_pte").ns(), 1e-6);
        assertTrue(c.get("swap_out").source().startsWith("reference calibration (pageout not measured here)"),
                c.get("swap_out").source());
        assertThrows(IllegalArgumentException.class, () -> Calibration.derive(f, null));
    }

    /**
     * With the reclaim series (another process's pages paged out, as reclaim does it), swap_out is its
     * slope less one walk_vma (20) and one walk_pte (25): 1645 - 45 = 1600, not pageout_procs'
     * intercept (5000, a process paging out its own pages).
     */
    @Test
    void reclaimSeriesPricesSwapOut() {
        Map<String, LineFit> f = synthetic();
        f.put("reclaim", line(900_000, 1645, 1024, 2048, 4096));
        Calibration.Price p = Calibration.derive(f, null).get("swap_out");
        assertEquals(1600, p.ns(), 1e-6);
        assertTrue(p.source().startsWith("fit reclaim: slope - walk_vma - walk_pte"), p.source());
    }

    /** A negative difference (noise) is 0, and the source says what it was. */
    @Test
    void negativeIsZero() {
        Map<String, LineFit> f = synthetic();
        f.put("pageout_procs", line(5000, 10, 1, 32, 64)); // 10 - walk_vma 20 = -10
        Calibration.Price p = Calibration.derive(f, null).get("walk_pte");
        assertEquals(0, p.ns());
        assertTrue(p.source().contains("-10.0 < 0"), p.source());
    }

    @Test
    void jsonRoundTrip() {
        Map<String, LineFit> f = synthetic();
        Calibration c = new Calibration("AMD EPYC (2 cpus)", "6.18.44", "2026-12-06 18:00 UTC", "x.json", f,
                List.of(new Calibration.Skipped("pageout", "no swap")), Calibration.derive(f, null));
        Calibration back = Calibration.parse("x.json", c.toJson());
        for (String p : Calibration.PRIMITIVES.keySet()) {
            assertEquals(c.ns(p), back.ns(p), 0.05, p);
        }
        assertEquals(c.toJson(), back.toJson());
        assertEquals("x.json; AMD EPYC (2 cpus); Linux 6.18.44; 2026-12-06 18:00 UTC", back.label());
        assertEquals(List.of(new Calibration.Skipped("pageout", "no swap")), back.skipped());
    }

    /** A file written before fault_file_read was measured takes the reference's price for it, and says so. */
    @Test
    void olderFileTakesTheReferencesNewPrimitive() {
        Map<String, LineFit> f = synthetic();
        Calibration c = new Calibration("m", "k", "d", "x.json", f, List.of(), Calibration.derive(f, null));
        String older = c.toJson().replaceFirst("(?s)\"fault_file_read\" : \\{[^}]*\\},\\s*", "");
        Calibration back = Calibration.parse("old.json", older);
        assertEquals(Calibration.reference().ns("fault_file_read"), back.ns("fault_file_read"));
        assertTrue(back.price("fault_file_read").source().startsWith("reference calibration (fault_file_read is not in old.json"),
                back.price("fault_file_read").source());
        assertEquals(1800, back.ns("fault_file"), 0.05);
    }

    @Test
    void badFiles() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Calibration.parse("c.json", "{\"format\": \"rmaplab-calibration-1\", \"costs_ns\": {}}"));
        assertEquals("c.json: costs_ns.fault_anon.ns is missing or not a number >= 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Calibration.parse("c.json", "{"));
        assertTrue(e.getMessage().startsWith("c.json:1: not JSON"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Calibration.parse("c.json", "[]"));
        assertTrue(e.getMessage().startsWith("c.json: not an rmaplab calibration"), e.getMessage());
    }

    /** The shipped reference has a price for every primitive and names its machine and kernel. */
    @Test
    void reference() {
        Calibration r = Calibration.reference();
        assertTrue(r.label().startsWith("reference; "), r.label());
        for (String p : Calibration.PRIMITIVES.keySet()) {
            assertTrue(r.ns(p) >= 0, p);
        }
        assertTrue(r.skipped().isEmpty(), "the reference measured everything: " + r.skipped());
    }
}
