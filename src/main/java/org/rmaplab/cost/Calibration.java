package org.rmaplab.cost;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The price in ns of each primitive the model counts ({@link #PRIMITIVES}), measured on one
 * machine's kernel by {@code rmaplab calibrate} (harness/bench/calibrate.c, one least-squares line
 * per series, {@link LineFit}) or, for what no kernel of today can measure, a stated assumption.
 * Names the machine (/proc/cpuinfo's model name), the kernel (uname -r) and the date, keeps each
 * series' points, fit and residuals, and what could not be measured and why. A JSON file; the
 * reference calibration ({@link #reference()}) ships in the jar.
 */
public final class Calibration {

    /** What one primitive costs and where the figure comes from (a fit, an assumption, the reference). */
    public record Price(double ns, String source) {
    }

    /** A series calibrate.c could not measure, and why. */
    public record Skipped(String series, String reason) {
    }

    /**
     * The primitives, in order, and what each is: the unit {@link TimeEstimate} multiplies by it.
     */
    public static final Map<String, String> PRIMITIVES = primitives();

    private static Map<String, String> primitives() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("fault_anon", "an anonymous page faulted in (do_anonymous_page: allocate, zero, map, rmap add)");
        m.put("fault_file", "any other minor fault (a file page mapped: do_shared_fault)");
        m.put("fault_file_read", "a read fault of a page the page cache holds (do_read_fault, fault-around"
                + " included, per page read in order)");
        m.put("cow", "a COW copy (wp_page_copy: allocate, copy, rmap add and remove)");
        m.put("fork_call", "a fork's fixed cost (dup_mm, the task, the vmas the process always has)");
        m.put("fork_vma", "a vma dup_mmap copies, without its ptes and rmap allocations");
        m.put("fork_pte", "a pte copy_page_range copies (with its rmap dup)");
        m.put("exit_pte", "a pte zapped (zap_pte_range, rmap remove): at exit and exec, and by munmap,"
                + " madvise(DONTNEED) and truncation (zap_ptes); measured on pages another process still"
                + " maps, so the last unmap's page free is not in it");
        m.put("mremap_pte", "a pte mremap moves one by one (move_ptes); also a page table moved whole"
                + " (move_normal_pmd, one entry re-pointed)");
        m.put("uffd_move", "a page UFFDIO_MOVE moves (move_pages_pte: pte moved, folio_move_anon_rmap)");
        m.put("swap_out", "a page paged out, its reverse walk aside (add_to_swap, unmap, writeback start)");
        m.put("swap_in", "a page swapped back in (do_swap_page)");
        m.put("walk_vma", "a vma (or mm) a reverse walk visits (interval tree or list step, vma_address)");
        m.put("walk_pte", "a pte a reverse walk checks (page_vma_mapped_walk down to the pte, compare)");
        m.put("rmap_alloc", "an rmap object allocated and later freed (slab fast path)");
        m.put("pte_chain_line", "a pte_chain block (one cache line) a walk reads, a miss to memory");
        m.put("highpte_kmap", "a kmap_atomic of a HIGHPTE pte page (i386 CONFIG_HIGHPTE, which needs"
                + " HIGHMEM4G or HIGHMEM64G)");
        m.put("syscall", "a system call's entry and exit, nothing done (getppid): the calls priced by no call_ primitive");
        m.put("call_mmap", "an mmap call's fixed cost (a vma made, nothing faulted)");
        m.put("call_munmap", "a munmap call's fixed cost (a vma removed, no pte present)");
        m.put("call_mremap", "an mremap call's fixed cost (MAYMOVE|FIXED of a vma with no pte present onto a"
                + " reserved range)");
        m.put("call_mprotect", "an mprotect call's fixed cost (a whole vma, no pte present)");
        m.put("call_madvise", "an madvise call's fixed cost (MADV_DONTNEED: the mmap_lock, the vma walk,"
                + " zap_page_range_single's lru_add_drain and TLB gather); MADV_PAGEOUT calls too");
        m.put("call_uffd", "a userfaultfd ioctl's fixed cost (UFFDIO_MOVE: move_pages' locks and vma checks);"
                + " UFFDIO_REGISTER, UFFDIO_COPY and remap_anon_pages too");
        m.put("tlb_flush_page", "a page flushed from the TLB on its own (flush_tlb_mm_range under"
                + " tlb_single_page_flush_ceiling: flush_tlb_one_user)");
        m.put("tlb_flush_all", "a whole TLB flush (flush_tlb_mm_range of a range over the ceiling)");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The series calibrate.c prints, each with the unit of its x. */
    public static final Map<String, String> SERIES = Map.ofEntries(
            Map.entry("fault_anon", "page"), Map.entry("fault_file", "page"), Map.entry("cow", "page"),
            Map.entry("fork_pte", "page"), Map.entry("fork_vma", "vma"), Map.entry("exit_pte", "page"),
            Map.entry("mremap_pte", "page"), Map.entry("dram_miss", "load"), Map.entry("pageout", "page"),
            Map.entry("swapin", "page"), Map.entry("pageout_procs", "process"),
            Map.entry("pageout_vmas", "vma"), Map.entry("reclaim", "page"), Map.entry("fault_file_read", "page"),
            Map.entry("uffd_move", "page"), Map.entry("syscall", "call"), Map.entry("call_mmap", "page"),
            Map.entry("call_munmap", "page"), Map.entry("call_mremap", "page"), Map.entry("call_mprotect", "page"),
            Map.entry("madvise_dontneed", "page"), Map.entry("madvise_dontneed_full", "page"),
            Map.entry("uffd_move_call", "page"));

    /**
     * Primitives added after the calibration file's format: a file without one (written by an older
     * calibrate) takes the reference's price for it, and says so.
     */
    static final java.util.Set<String> ADDED_LATER = java.util.Set.of("fault_file_read", "uffd_move", "syscall",
            "call_mmap", "call_munmap", "call_mremap", "call_mprotect", "call_madvise", "call_uffd", "tlb_flush_page",
            "tlb_flush_all");

    /** rmap objects anon_vma_fork allocates per vma in calibrate.c's fork_vma: an anon_vma and two chains. */
    static final int FORK_VMA_ALLOCS = 3;

    /**
     * Assumed: an rmap object's allocation and free. No system call isolates a slab allocation; a
     * SLUB fast-path alloc plus free is some tens of ns on a current x86 core.
     */
    static final Price RMAP_ALLOC = new Price(40, "assumption: a SLUB fast-path kmem_cache_alloc + kmem_cache_free"
            + " pair; no system call isolates it, so it is not measured");
    /**
     * Assumed: i386 kmap_atomic of a HIGHPTE pte page (2.6.0 arch/i386/mm/highmem.c kmap_atomic():
     * set_pte of the fixmap slot and __flush_tlb_one, an invlpg; kunmap_atomic does nothing without
     * CONFIG_DEBUG_HIGHMEM), once per pte a walk maps (pte_offset_map, rmap_ptep_map).
     */
    static final Price HIGHPTE_KMAP = new Price(60, "assumption: 2.6.0 arch/i386/mm/highmem.c kmap_atomic()"
            + " = a pte write and an invlpg, ~60 ns; CONFIG_HIGHPTE is i386 only, so no kernel on this"
            + " machine can measure it");

    private final String machine;
    private final String kernel;
    private final String date;
    private final String origin;
    private final Map<String, LineFit> fits;
    private final List<Skipped> skipped;
    private final Map<String, Price> costs;

    public Calibration(String machine, String kernel, String date, String origin, Map<String, LineFit> fits,
                       List<Skipped> skipped, Map<String, Price> costs) {
        this.machine = machine;
        this.kernel = kernel;
        this.date = date;
        this.origin = origin;
        this.fits = Map.copyOf(fits);
        this.skipped = List.copyOf(skipped);
        this.costs = Map.copyOf(costs);
        for (String p : PRIMITIVES.keySet()) {
            if (!this.costs.containsKey(p)) {
                throw new IllegalArgumentException("no cost for primitive '" + p + "'");
            }
        }
    }

    public String machine() {
        return machine;
    }

    public String kernel() {
        return kernel;
    }

    public String date() {
        return date;
    }

    /** "reference" or the file it was read from. */
    public String origin() {
        return origin;
    }

    public Map<String, LineFit> fits() {
        return fits;
    }

    public List<Skipped> skipped() {
        return skipped;
    }

    public double ns(String primitive) {
        Price p = costs.get(primitive);
        if (p == null) {
            throw new IllegalArgumentException("unknown primitive '" + primitive + "'");
        }
        return p.ns();
    }

    public Price price(String primitive) {
        return costs.get(primitive);
    }

    /** One line naming the calibration, no commas (it is a CSV field): origin; machine; kernel; date. */
    public String label() {
        return (origin + "; " + machine + "; Linux " + kernel + "; " + date).replace(',', ' ');
    }

    /** The same calibration read from ORIGIN (for {@link #label()}). */
    public Calibration from(String newOrigin) {
        return new Calibration(machine, kernel, date, newOrigin, fits, skipped, costs);
    }

    // ------------------------------------------------------------------ deriving the prices

    /**
     * The prices FITS (series name to line) imply; a primitive whose series is missing takes
     * FALLBACK's price (the reference for calibrate, the calibration given for bench validate --recalibrate), its source saying so. Derivations:
     * the slope of fault_anon, fault_file, fault_file_read, cow, fork_pte, exit_pte, mremap_pte, uffd_move,
     * swapin; fork_call is fork_pte's intercept (a fork with one empty vma more than the process
     * has); fork_vma is fork_vma's slope less one fork_pte and {@link #FORK_VMA_ALLOCS}
     * rmap_allocs; walk_vma is pageout_vmas' slope (a vma with no page table under the address);
     * walk_pte is pageout_procs' slope (a vma with a present pte that maps another page) less
     * walk_vma; swap_out is reclaim's slope (another process's pages paged out, as reclaim and the
     * harness's reclaim do it) less one walk_vma and walk_pte, else pageout_procs' intercept (a page
     * out with no vma visited), else pageout's slope less one walk_vma and walk_pte; pte_chain_line is dram_miss's slope. Negative
     * differences become 0 (noise), the source says so.
     */
    public static Map<String, Price> derive(Map<String, LineFit> fits, Calibration fallback) {
        Map<String, Price> c = new LinkedHashMap<>();
        for (String s : List.of("fault_anon", "fault_file", "fault_file_read", "cow", "fork_pte", "exit_pte",
                "mremap_pte", "uffd_move")) {
            slope(c, s, s, fits, fallback);
        }
        slope(c, "swap_in", "swapin", fits, fallback);
        c.put("rmap_alloc", RMAP_ALLOC);
        // fork_call is fork_pte's intercept: a fork of calibrate.c's process with one more,
        // empty, vma (its fixed cost: dup_mm, the task, the vmas the process always has). Not
        // fork_vma's intercept: 64 to 512 vmas of a page each extrapolated back to none, a concave
        // series (the slab and interval-tree costs grow faster at first) whose intercept is poor.
        LineFit fp = fits.get("fork_pte");
        if (fp != null) {
            c.put("fork_call", nonNegative(fp.intercept(), "fit fork_pte: intercept"));
        } else {
            fallback(c, "fork_call", "fork_pte", fallback);
        }
        LineFit fv = fits.get("fork_vma");
        if (fv != null && c.get("fork_pte") != null) {
            c.put("fork_vma", nonNegative(fv.slope() - c.get("fork_pte").ns() - FORK_VMA_ALLOCS * RMAP_ALLOC.ns(),
                    "fit fork_vma: slope - fork_pte - " + FORK_VMA_ALLOCS + " rmap_alloc (anon_vma_fork's anon_vma and chains)"));
        } else {
            fallback(c, "fork_vma", "fork_vma", fallback);
        }
        slope(c, "walk_vma", "pageout_vmas", fits, fallback);
        LineFit pp = fits.get("pageout_procs");
        if (pp != null) {
            c.put("walk_pte", nonNegative(pp.slope() - c.get("walk_vma").ns(), "fit pageout_procs: slope - walk_vma"));
            c.put("swap_out", nonNegative(pp.intercept(), "fit pageout_procs: intercept"));
        } else {
            fallback(c, "walk_pte", "pageout_procs", fallback);
            LineFit po = fits.get("pageout");
            if (po != null) {
                c.put("swap_out", nonNegative(po.slope() - c.get("walk_vma").ns() - c.get("walk_pte").ns(),
                        "fit pageout: slope - walk_vma - walk_pte"));
            } else {
                fallback(c, "swap_out", "pageout", fallback);
            }
        }
        LineFit rc = fits.get("reclaim");
        if (rc != null) {
            c.put("swap_out", nonNegative(rc.slope() - c.get("walk_vma").ns() - c.get("walk_pte").ns(),
                    "fit reclaim: slope - walk_vma - walk_pte (another process's pages, as reclaim pages them out)"));
        }
        LineFit dm = fits.get("dram_miss");
        if (dm != null) {
            c.put("pte_chain_line", nonNegative(dm.slope(), "assumption: every pte_chain block a walk reads is a"
                    + " miss to memory (a block is one L1 line: 2.6.0 mm/rmap.c struct pte_chain); priced at fit"
                    + " dram_miss: slope"));
        } else {
            fallback(c, "pte_chain_line", "dram_miss", fallback);
        }
        c.put("highpte_kmap", HIGHPTE_KMAP);
        perCall(c, fits, fallback);
        withoutFlushes(c, fits);
        return c;
    }

    /**
     * TLB flushes mremap_pte's and uffd_move's series make, per page, that the time estimate prices
     * apart (tlb_flush_page, tlb_flush_all: {@link Meter}), so that their slopes must not hold them.
     * mremap_pte (calibrate.c: X = 512k written pages from 1 page past a 2 MiB boundary to 2
     * pages past one, the source's vma wider on both sides): get_extent() cuts 510 pages, then 1 and
     * 511 by turns, then 1 (6.18 mm/mremap.c): k extents over the ceiling (k whole flushes) and
     * k + 1 of one page (move_ptes' flush_tlb_range each); the old range's unmap clears no present
     * pte and frees the k - 1 PTE tables inside it (free_pgtables; pte_free_tlb: one page flush
     * each): per 512 pages 1 whole flush and 2 page flushes. uffd_move (both ranges 2 MiB aligned):
     * one batch of 512 a table (move_present_ptes), one whole flush per 512 pages. Subtracted from
     * the slope (the counts are linear in k, so this is the same as subtracting them from each
     * point before the fit); a negative result is noted in the source and taken as 0.
     */
    private static void withoutFlushes(Map<String, Price> c, Map<String, LineFit> fits) {
        double page = c.get("tlb_flush_page").ns();
        double all = c.get("tlb_flush_all").ns();
        LineFit mr = fits.get("mremap_pte");
        if (mr != null) {
            c.put("mremap_pte", nonNegative(mr.slope() - (all + 2 * page) / 512,
                    "fit mremap_pte: slope - (tlb_flush_all + 2 tlb_flush_page) / 512 (per table: the 510/511-page"
                            + " extent's whole flush, the 1-page extent's flush, the freed table's flush)"));
        }
        LineFit um = fits.get("uffd_move");
        if (um != null) {
            c.put("uffd_move", nonNegative(um.slope() - all / 512,
                    "fit uffd_move: slope - tlb_flush_all / 512 (a batch of 512 a table, one whole flush each)"));
        }
    }

    /**
     * The per-call primitives. Each call_ series times one call at several sizes with nothing to
     * zap or move (Y the mean ns of a call), so its intercept is the call's fixed cost; syscall is
     * the slope of a run of getppid calls. madvise_dontneed times MADV_DONTNEED of X present pages
     * (1 to 32, under the flush ceiling): intercept call_madvise, slope one pte zapped (exit_pte) and
     * one page flushed, so tlb_flush_page = slope - exit_pte; madvise_dontneed_full does the same
     * over the ceiling (64 to 512 pages), one whole flush a call: tlb_flush_all = its intercept -
     * call_madvise. madvise_dontneed's pages are shared with a forked child that holds them, so
     * that the zap frees none (as exit_pte's child frees none): the slope holds no page freeing.
     * uffd_move_call times UFFDIO_MOVE of X present pages (1 to 16, calibrate_calls.h
     * UFFD_CALL_PAGES: one batch of X a call, X page flushes): its intercept is call_uffd (its
     * slope, uffd_move + tlb_flush_page, is a cross-check, not used).
     */
    private static void perCall(Map<String, Price> c, Map<String, LineFit> fits, Calibration fallback) {
        slope(c, "syscall", "syscall", fits, fallback);
        for (String k : List.of("mmap", "munmap", "mremap", "mprotect")) {
            intercept(c, "call_" + k, "call_" + k, fits, fallback);
        }
        intercept(c, "call_madvise", "madvise_dontneed", fits, fallback);
        intercept(c, "call_uffd", "uffd_move_call", fits, fallback);
        LineFit md = fits.get("madvise_dontneed");
        if (md != null) {
            c.put("tlb_flush_page", nonNegative(md.slope() - c.get("exit_pte").ns(),
                    "fit madvise_dontneed: slope - exit_pte"));
        } else {
            fallback(c, "tlb_flush_page", "madvise_dontneed", fallback);
        }
        LineFit mf = fits.get("madvise_dontneed_full");
        if (mf != null) {
            c.put("tlb_flush_all", nonNegative(mf.intercept() - c.get("call_madvise").ns(),
                    "fit madvise_dontneed_full: intercept - call_madvise"));
        } else {
            fallback(c, "tlb_flush_all", "madvise_dontneed_full", fallback);
        }
    }

    private static void intercept(Map<String, Price> c, String primitive, String series, Map<String, LineFit> fits,
                                  Calibration fallback) {
        LineFit f = fits.get(series);
        if (f != null) {
            c.put(primitive, nonNegative(f.intercept(), "fit " + series + ": intercept"));
        } else {
            fallback(c, primitive, series, fallback);
        }
    }

    private static void slope(Map<String, Price> c, String primitive, String series, Map<String, LineFit> fits,
                              Calibration fallback) {
        LineFit f = fits.get(series);
        if (f != null) {
            c.put(primitive, nonNegative(f.slope(), "fit " + series + ": slope"));
        } else {
            fallback(c, primitive, series, fallback);
        }
    }

    private static void fallback(Map<String, Price> c, String primitive, String series, Calibration fallback) {
        if (fallback == null) {
            throw new IllegalArgumentException("series " + series + " was not measured and there is no fallback");
        }
        // the fallback is the reference for `calibrate`; for bench validate --recalibrate, the calibration given
        String which = fallback.origin().equals("reference") ? "reference calibration" : "calibration " + fallback.origin();
        c.put(primitive, new Price(fallback.ns(primitive), which + " (" + series
                + " not measured here); there: " + fallback.price(primitive).source()));
    }

    private static Price nonNegative(double ns, String source) {
        return ns >= 0 ? new Price(ns, source) : new Price(0, source + " = " + round(ns) + " < 0 (noise), taken as 0");
    }

    static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    // ------------------------------------------------------------------ JSON

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** This calibration as JSON (deterministic: fixed key order, ns to 0.1). */
    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", "rmaplab-calibration-1");
        o.put("machine", machine);
        o.put("kernel", kernel);
        o.put("date", date);
        ObjectNode cs = o.putObject("costs_ns");
        for (String p : PRIMITIVES.keySet()) {
            ObjectNode e = cs.putObject(p);
            e.put("ns", round(costs.get(p).ns()));
            e.put("source", costs.get(p).source());
            e.put("unit", PRIMITIVES.get(p));
        }
        ObjectNode fs = o.putObject("fits");
        for (String s : fits.keySet().stream().sorted().toList()) {
            LineFit f = fits.get(s);
            ObjectNode e = fs.putObject(s);
            e.put("x_unit", SERIES.getOrDefault(s, ""));
            e.put("intercept_ns", round(f.intercept()));
            e.put("slope_ns", round(f.slope()));
            e.put("rms_residual_ns", round(f.rms()));
            e.put("worst_relative_residual", Math.round(f.worstRelative() * 1000) / 1000.0);
            ArrayNode pts = e.putArray("points");
            double[] r = f.residuals();
            for (int i = 0; i < f.x().length; i++) {
                ObjectNode pt = pts.addObject();
                pt.put("x", f.x()[i]);
                pt.put("y_ns", round(f.y()[i]));
                pt.put("residual_ns", round(r[i]));
            }
        }
        ArrayNode sk = o.putArray("not_measured");
        for (Skipped s : skipped) {
            sk.addObject().put("series", s.series()).put("reason", s.reason());
        }
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The calibration in TEXT, read from ORIGIN; IllegalArgumentException naming what is wrong. */
    public static Calibration parse(String origin, String text) {
        JsonNode o;
        try {
            o = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(origin + ":" + e.getLocation().getLineNr() + ": not JSON: "
                    + e.getOriginalMessage());
        }
        if (o == null || !o.isObject() || !"rmaplab-calibration-1".equals(o.path("format").asText())) {
            throw new IllegalArgumentException(origin + ": not an rmaplab calibration (no \"format\": \"rmaplab-calibration-1\")");
        }
        Map<String, Price> costs = new LinkedHashMap<>();
        for (String p : PRIMITIVES.keySet()) {
            JsonNode e = o.path("costs_ns").path(p);
            if (e.isMissingNode() && ADDED_LATER.contains(p) && !origin.equals("reference")) {
                // a file calibrate wrote before the primitive was measured
                costs.put(p, new Price(reference().ns(p), "reference calibration (" + p + " is not in " + origin
                        + ", written before it was measured); there: " + reference().price(p).source()));
                continue;
            }
            if (!e.path("ns").isNumber() || e.path("ns").asDouble() < 0) {
                throw new IllegalArgumentException(origin + ": costs_ns." + p + ".ns is missing or not a number >= 0");
            }
            costs.put(p, new Price(e.path("ns").asDouble(), e.path("source").asText("")));
        }
        Map<String, LineFit> fits = new LinkedHashMap<>();
        o.path("fits").fields().forEachRemaining(e -> {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (JsonNode pt : e.getValue().path("points")) {
                xs.add(pt.path("x").asDouble());
                ys.add(pt.path("y_ns").asDouble());
            }
            try {
                fits.put(e.getKey(), LineFit.of(xs.stream().mapToDouble(d -> d).toArray(),
                        ys.stream().mapToDouble(d -> d).toArray()));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException(origin + ": fits." + e.getKey() + ": " + bad.getMessage());
            }
        });
        List<Skipped> skipped = new ArrayList<>();
        for (JsonNode s : o.path("not_measured")) {
            skipped.add(new Skipped(s.path("series").asText(), s.path("reason").asText()));
        }
        return new Calibration(o.path("machine").asText("?"), o.path("kernel").asText("?"), o.path("date").asText("?"),
                origin, fits, skipped, costs);
    }

    /** The calibration in FILE; IOException if unreadable, IllegalArgumentException if malformed. */
    public static Calibration load(Path file) throws IOException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }

    /** The path of the reference calibration in the jar. */
    public static final String REFERENCE = "/org/rmaplab/cost/reference-calibration.json";

    private static Calibration reference;

    /** The reference calibration shipped with rmaplab (docs/benchmarks.md names its machine). */
    public static synchronized Calibration reference() {
        if (reference == null) {
            try (InputStream in = Calibration.class.getResourceAsStream(REFERENCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing resource " + REFERENCE);
                }
                reference = parse("reference", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return reference;
    }
}
