package org.rmaplab.report;

import static org.rmaplab.report.Findings.params;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.mm.Machine;
import org.rmaplab.rmap.RmapDesigns;

/**
 * William Lee Irwin III, "Re: What to expect with the 2.6 VM" (linux-kernel, 2 July 2003,
 * docs/reference.md#wli-three-steps): a database maps windows of a huge shared segment into many
 * processes and moves them with remap_file_pages. The {@code db-segment} workload at a few
 * (tasks, windows) points, under today's emulation (a vma per window) and 2.6's nonlinear vmas,
 * under every design and registered variant ({@link RmapDesigns#everyName()}): vmas per process,
 * rmap memory and i386 lowmem (with and without mlock, wli's step (b)), ptes reclaim checks per
 * page it frees, and the ptes truncation looks at under each of step (a)'s fixes.
 */
final class DbSegmentFinding implements Finding {
    /** Pages of the segment. */
    static final long SEGMENT = 128;
    /** Pages per window. */
    static final long WINDOW = 4;
    /** (tasks, windows per task). */
    static final long[][] POINTS = {{4, 8}, {16, 16}, {32, 16}, {8, 32}};
    static final String ARCH = "i386";

    /** One run's result, or the oracle's reason it stopped (a truncated page left mapped). */
    record Outcome(Findings.Run run, String failure) {
        long truncateScanned() {
            return run.machine("truncate_nonlinear_ptes_scanned");
        }

        String cell() {
            return run == null ? "left mapped" : Long.toString(truncateScanned());
        }
    }

    /** The runs of one design at one point. */
    record Point(long tasks, long windows, String design, Findings.Run emulated, Findings.Run nonlinear,
                 Findings.Run nonlinearMlocked, Outcome cleanup, Outcome unmap) {}

    /** {@code db-segment} with these parameters under DESIGN on i386, the oracle at the end. */
    static Findings.Run run(long tasks, long windows, long remap, long mlock, long truncate, String design) {
        return Findings.measure("db-segment", params("tasks", tasks, "windows", windows, "window_pages", WINDOW,
                "segment_pages", SEGMENT, "mlock", mlock, "remap", remap, "truncate", truncate),
                () -> RmapDesigns.create(design), ARCH, CheckPolicy.END);
    }

    /**
     * {@link #run}, or the oracle's report when it stops the run because a truncated page stays
     * mapped past the end of the segment (what fixes (ii) and (iii) can leave); any other failure
     * is thrown on.
     */
    static Outcome outcome(long tasks, long windows, long truncate, String design) {
        try {
            return new Outcome(run(tasks, windows, 1, 0, truncate, design), null);
        } catch (IllegalStateException e) {
            if (!e.getMessage().contains("past the end of the file")) {
                throw e;
            }
            return new Outcome(null, e.getMessage());
        }
    }

    static Point point(long tasks, long windows, String design) {
        return new Point(tasks, windows, design, run(tasks, windows, 0, 0, 0, design),
                run(tasks, windows, 1, 0, 0, design), run(tasks, windows, 1, 1, 0, design),
                outcome(tasks, windows, 2, design), outcome(tasks, windows, 3, design));
    }

    @Override
    public void write(Markdown md, List<String> registered) {
        List<String> designs = RmapDesigns.everyName();
        Map<String, Point> points = new LinkedHashMap<>();
        for (long[] tw : POINTS) {
            for (String d : designs) {
                points.put(key(tw[0], tw[1], d), point(tw[0], tw[1], d));
            }
        }
        md.heading("remap_file_pages and a database segment (wli, 2003)");
        md.paragraph("`db-segment segment_pages=" + SEGMENT + " window_pages=" + WINDOW + "`, " + ARCH + ": T processes "
                + "each map a window area of W windows of " + WINDOW + " pages of one tmpfs segment of " + SEGMENT
                + " pages and move every window to a scattered slot of the segment with remap_file_pages, write and "
                + "read them, `reclaim all`, read them again, truncate the segment to half and grow it back "
                + "(docs/reference.md#wli-three-steps). `emulated` is today's remap_file_pages (Linux 4.0 on: an "
                + "mmap per window), `nonlinear` 2.6.11's (`machine remap=nonlinear`: one VM_NONLINEAR vma, "
                + "rearranged ptes, try_to_unmap_cluster). Every design and registered variant.");
        vmaTable(md, points, designs);
        memoryTable(md, points, designs);
        reclaimTable(md, points, designs);
        truncateTable(md, points, designs);
    }

    private static String key(long t, long w, String d) {
        return t + "/" + w + "/" + d;
    }

    private static Point at(Map<String, Point> points, long[] tw, String d) {
        return points.get(key(tw[0], tw[1], d));
    }

    /** Vmas per process (the run's vma peak over T), the same under every design, else a range. */
    private static void vmaTable(Markdown md, Map<String, Point> points, List<String> designs) {
        md.header(List.of("tasks", "windows", "vmas per process, emulated", "nonlinear"));
        for (long[] tw : POINTS) {
            md.row(tw[0], tw[1], perProcess(points, tw, designs, false), perProcess(points, tw, designs, true));
        }
        long[] last = POINTS[POINTS.length - 1];
        Point p = at(points, last, RmapDesigns.DEFAULT);
        long em = p.emulated().cost("vmas_peak") / last[0];
        long nl = p.nonlinear().cost("vmas_peak") / last[0];
        long windowBytes = WINDOW * Machine.PAGE_SIZE;
        md.format("%nUnder the emulation every window is a vma of its own (two merge only when their slots follow each "
                        + "other): %d vmas per process at %d windows, against %d for the nonlinear vma. That is the "
                        + "price Linux 4.0 chose when it replaced the call by an emulation (commit c8d78c1823f4) after "
                        + "deprecating it in 3.16: the vmas are cheap for the few users left, but a process may hold "
                        + "at most max_map_count (%d) of them, so a process of %d-KiB windows reaches %d MiB of its "
                        + "segment at once, where 2.6 let one vma show any number of windows. (The vm_area_structs "
                        + "themselves are not in the rmap bytes below, only what each design adds to them.)%n%n",
                em, last[1], nl, Machine.DEFAULT_MAX_MAP_COUNT, windowBytes >> 10,
                (Machine.DEFAULT_MAX_MAP_COUNT * windowBytes) >> 20);
    }

    private static String perProcess(Map<String, Point> points, long[] tw, List<String> designs, boolean nonlinear) {
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (String d : designs) {
            Point p = at(points, tw, d);
            long v = (nonlinear ? p.nonlinear() : p.emulated()).cost("vmas_peak") / tw[0];
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return min == max ? Long.toString(min) : min + "-" + max;
    }

    /** rmap_bytes_peak and lowmem_bytes_peak on i386: emulated, nonlinear, nonlinear and mlocked. */
    private static void memoryTable(Markdown md, Map<String, Point> points, List<String> designs) {
        md.paragraph("rmap memory (`rmap_bytes_peak`: the designs' objects and what they add to vmas and mms) and "
                + "what must sit in i386's lowmem (`lowmem_bytes_peak`: struct page, the rmap objects, page tables "
                + "without HIGHPTE), in bytes; `+mlock`: nonlinear with each process mlocking its window area "
                + "(wli's step (b) is the variant pte_chains:mlocked_unchained).");
        md.header(3, List.of("tasks", "windows", "design", "rmap emulated", "nonlinear", "nonlinear +mlock",
                "lowmem emulated", "nonlinear", "nonlinear +mlock"));
        for (long[] tw : POINTS) {
            for (String d : designs) {
                Point p = at(points, tw, d);
                md.row(tw[0], tw[1], d, p.emulated().cost("rmap_bytes_peak"), p.nonlinear().cost("rmap_bytes_peak"),
                        p.nonlinearMlocked().cost("rmap_bytes_peak"), p.emulated().cost("lowmem_bytes_peak"),
                        p.nonlinear().cost("lowmem_bytes_peak"), p.nonlinearMlocked().cost("lowmem_bytes_peak"));
            }
        }
        long[] last = POINTS[POINTS.length - 1];
        Point pc = at(points, last, "pte_chains");
        Point avc = at(points, last, RmapDesigns.DEFAULT);
        Point stepB = at(points, last, "pte_chains:mlocked_unchained");
        long ptes = last[0] * last[1] * WINDOW;
        md.format("%nAt %d processes x %d windows (%d ptes over %d pages): pte_chains' chains are the same whether the "
                        + "windows are vmas or ptes of one vma (%d bytes of rmap emulated, %d nonlinear: a chain "
                        + "entry per pte either way), while the object designs pay per vma under the emulation "
                        + "(anon_vma_chain: %d bytes emulated, %d nonlinear). Lowmem on i386: pte_chains %d bytes "
                        + "against anon_vma_chain's %d (nonlinear). mlock alone saves 2.6.0 nothing (%d bytes of "
                        + "rmap); with step (b) the locked windows carry no chain (%d bytes of rmap, lowmem %d, "
                        + "%s less than 2.6.0's), wli's \"magical lowmem savings by just mlock()'ing\".%n%n",
                last[0], last[1], ptes, SEGMENT, pc.emulated().cost("rmap_bytes_peak"),
                pc.nonlinear().cost("rmap_bytes_peak"), avc.emulated().cost("rmap_bytes_peak"),
                avc.nonlinear().cost("rmap_bytes_peak"), pc.nonlinear().cost("lowmem_bytes_peak"),
                avc.nonlinear().cost("lowmem_bytes_peak"), pc.nonlinearMlocked().cost("rmap_bytes_peak"),
                stepB.nonlinearMlocked().cost("rmap_bytes_peak"), stepB.nonlinearMlocked().cost("lowmem_bytes_peak"),
                percent(pc.nonlinearMlocked().cost("lowmem_bytes_peak"),
                        stepB.nonlinearMlocked().cost("lowmem_bytes_peak")));
        for (long[] tw : POINTS) {
            Point p = at(points, tw, "pte_chains");
            if (p.nonlinearMlocked().cost("rmap_bytes_peak") > p.nonlinear().cost("rmap_bytes_peak")) {
                md.format("At %d x %d mlock costs 2.6.0 more (%d bytes against %d): mlock faults in the area's "
                                + "linear pages before the windows move (2.6's make_pages_present), pages that other "
                                + "processes map too, so they are chained for a while.%n%n", tw[0], tw[1],
                        p.nonlinearMlocked().cost("rmap_bytes_peak"), p.nonlinear().cost("rmap_bytes_peak"));
                break;
            }
        }
    }

    private static String percent(long from, long to) {
        return Markdown.fmt("%.1f%%", 100.0 * (from - to) / Math.max(1, from));
    }

    /** Ptes reclaim's walks checked per page it freed, and the pages freed, emulated against nonlinear. */
    private static void reclaimTable(Markdown md, Map<String, Point> points, List<String> designs) {
        md.paragraph("`reclaim all`: ptes the reverse walks checked (`walk_ptes_checked`, page_referenced and "
                + "try_to_unmap together) per page reclaim freed (`pages_reclaimed`), and the pages freed. Under "
                + "`nonlinear` the object designs find a page's ptes in nonlinear vmas only by try_to_unmap_cluster's "
                + "scan of 32-pte clusters, unmapping whatever pages they meet; pte_chains follows the page's chain.");
        md.header(3, List.of("tasks", "windows", "design", "ptes per page freed, emulated", "nonlinear",
                "pages freed, emulated", "nonlinear"));
        for (long[] tw : POINTS) {
            for (String d : designs) {
                Point p = at(points, tw, d);
                md.row(tw[0], tw[1], d, perFreed(p.emulated()), perFreed(p.nonlinear()),
                        p.emulated().machine("pages_reclaimed"), p.nonlinear().machine("pages_reclaimed"));
            }
        }
        long[] last = POINTS[POINTS.length - 1];
        Point avc = at(points, last, RmapDesigns.DEFAULT);
        Point pc = at(points, last, "pte_chains");
        md.format("%nAt %d x %d anon_vma_chain checks %s ptes per page freed through nonlinear vmas against %s through "
                        + "the emulation's vmas (%.0f times as many), where pte_chains checks %s either way, and it "
                        + "frees %d pages where the emulation frees %d (`reclaim all` stops after three passes in a "
                        + "row free nothing: the clusters spare young ptes and unmap other pages than the one asked "
                        + "for). The cluster scan is what the object designs paid for keeping nothing per pte.%n%n",
                last[0], last[1], perFreed(avc.nonlinear()), perFreed(avc.emulated()),
                ratio(avc.nonlinear()) / Math.max(1e-9, ratio(avc.emulated())), perFreed(pc.nonlinear()),
                avc.nonlinear().machine("pages_reclaimed"), avc.emulated().machine("pages_reclaimed"));
        Point c = at(points, last, "pte_chains:objrmap_nlchains");
        if (c != null) {
            md.format("wli's step (c) does without the cluster scan: on the -mm tree's objrmap with chains only for "
                            + "ptes at nonlinear addresses (pte_chains:objrmap_nlchains) reclaim checks %s ptes per page "
                            + "freed through the nonlinear vmas (a probe of every vma of i_mmap at the page's linear "
                            + "address, then the chain; 2.6.0 checks %s) and frees %d pages, for %d bytes of rmap at "
                            + "the peak against 2.6.0's %d (every pte chained) and anon_vma_chain's %d.%n%n",
                    perFreed(c.nonlinear()), perFreed(pc.nonlinear()), c.nonlinear().machine("pages_reclaimed"),
                    c.nonlinear().cost("rmap_bytes_peak"), pc.nonlinear().cost("rmap_bytes_peak"),
                    avc.nonlinear().cost("rmap_bytes_peak"));
        }
    }

    private static double ratio(Findings.Run r) {
        return Markdown.per(r.cost("walk_ptes_checked"), r.machine("pages_reclaimed"));
    }

    /** The designs under which fix (ii) (CLEANUP) or (iii) held at every point (HELD), or failed at one. */
    private static String held(Map<String, Point> points, List<String> designs, boolean cleanup, boolean held) {
        List<String> out = new ArrayList<>();
        for (String d : designs) {
            boolean all = true;
            for (long[] tw : POINTS) {
                Point p = at(points, tw, d);
                all &= (cleanup ? p.cleanup() : p.unmap()).run() != null;
            }
            if (all == held) {
                out.add(d);
            }
        }
        return out.isEmpty() ? "no design" : String.join(", ", out);
    }

    private static String perFreed(Findings.Run r) {
        return r.machine("pages_reclaimed") == 0 ? "-" : Markdown.f2(ratio(r));
    }

    /** truncate_nonlinear_ptes_scanned per fix of step (a), nonlinear, no mlock. */
    private static void truncateTable(Markdown md, Map<String, Point> points, List<String> designs) {
        md.paragraph("Truncation to half the segment under `nonlinear`: the ptes each of wli's fixes looks at "
                + "(`truncate_nonlinear_ptes_scanned`): (i) `exhaustive`, every pte of every nonlinear vma (2.6's); "
                + "(ii) `cleanup`, the linear zap, then try_to_unmap on every truncated page still mapped; (iii) "
                + "`unmap`, try_to_unmap on every truncated page. `left mapped`: the oracle stopped the run, a "
                + "truncated page still mapped past the end of the segment. Under the emulation there is no "
                + "nonlinear vma, and every mode looks at none.");
        md.header(3, List.of("tasks", "windows", "design", "(i) exhaustive", "(ii) cleanup", "(iii) unmap"));
        for (long[] tw : POINTS) {
            for (String d : designs) {
                Point p = at(points, tw, d);
                md.row(tw[0], tw[1], d, p.nonlinear().machine("truncate_nonlinear_ptes_scanned"), p.cleanup().cell(),
                        p.unmap().cell());
            }
        }
        long[] last = POINTS[POINTS.length - 1];
        Point pc = at(points, last, "pte_chains");
        md.format("%nFix (i) looks at every pte of every nonlinear vma, %d at %d x %d (T x W x %d), however few pages "
                        + "are truncated, under every design. Fixes (ii) and (iii) look only where try_to_unmap "
                        + "leads: %s and %s ptes for pte_chains at %d x %d, the chains of the truncated pages (and, "
                        + "for (ii), the linear zap's ptes first). (ii) held at every point under %s, and left a "
                        + "truncated page mapped somewhere under %s; (iii) held under %s, and left one under %s. "
                        + "pte_chains' try_to_unmap finds every pte of a page through its chain; 2.6.11's nonlinear "
                        + "try_to_unmap does not look for the page: it unmaps about mapcount ptes of whatever pages "
                        + "its clusters meet, spares young ones, and never reaches ptes past the last cluster of an "
                        + "unaligned vma. (ii) fares better only where its linear zap already cleared the windows "
                        + "(a window whose linear place is past the cut loses what it showed, as under 2.6.0, and "
                        + "shows its truncated linear pages). (ii) and (iii) were proposed on pte_chains; on the "
                        + "object designs only (i) is a fix, and it is what 2.6 kept. With the windows mlocked, (ii) "
                        + "and (iii) fail under every design (try_to_unmap refuses VM_LOCKED; the workload refuses "
                        + "the combination).%n%n",
                pc.nonlinear().machine("truncate_nonlinear_ptes_scanned"), last[0], last[1], WINDOW,
                pc.cleanup().cell(), pc.unmap().cell(), last[0], last[1], held(points, designs, true, true),
                held(points, designs, true, false), held(points, designs, false, true),
                held(points, designs, false, false));
    }
}
