package org.rmaplab.report;

import static org.rmaplab.report.Findings.measure;
import static org.rmaplab.report.Findings.params;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.cost.ArchProfile;
import org.rmaplab.rmap.avc.AnonVmaChainDesign;

/**
 * Commit 7a3ef208e662: anon_vma growth in a fork chain, with and without reuse, what it costs
 * every design, and the chains when every generation stays alive.
 */
final class AnonVmaGrowthFinding implements Finding {
    private static final long[] DEPTHS = {4, 16, 64, 256};
    private final int av;
    private final int avc;

    AnonVmaGrowthFinding() {
        ArchProfile a = ArchProfile.of("x86_64");
        av = a.objectBytes("anon_vma_chain", "anon_vma");
        avc = a.objectBytes("anon_vma_chain", "anon_vma_chain");
    }

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("anon_vma growth without reuse (commit 7a3ef208e662)");
        long[][] left = objectsLeft(md);
        bytesPerDesign(md, designs);
        allAlive(md);
        md.paragraph("\nThe commit: \"Constantly forking task causes unlimited grow of anon_vma chain\"; with the "
                + "reuse rule \"count of anon_vmas is no more than two times bigger than count of vmas\". The model "
                + conclusion(left[0], left[1]));
    }

    /**
     * The conclusion's words from the runs: REUSE and NO_REUSE are the anon_vmas left at each of
     * DEPTHS with and without the reuse rule.
     */
    private static String conclusion(long[] reuse, long[] noReuse) {
        boolean linear = true;
        java.util.Set<Long> bounded = new java.util.TreeSet<>();
        for (int i = 0; i < DEPTHS.length; i++) {
            linear &= noReuse[i] == DEPTHS[i] + 1;
            bounded.add(reuse[i]);
        }
        if (!linear || bounded.size() != 1) {
            return "gives, without reuse, " + java.util.Arrays.toString(noReuse) + " anon_vmas and, with it, "
                    + java.util.Arrays.toString(reuse) + " at depths " + java.util.Arrays.toString(DEPTHS) + ".";
        }
        long b = bounded.iterator().next();
        String n = Markdown.count(b);
        return "agrees: without reuse one anon_vma and one chain per generation stay (D + 1), with it " + n
                + " whatever the depth (generation g + 2 takes generation g's anon_vma once g has exited). Bounded, "
                + "as claimed; the \"two times\" holds while parent and child are both alive (" + b + " <= 2 x 2 vmas"
                + (b <= 4 ? "" : ": not so") + "), and with one vma left at the end " + n + " is " + (b - 2 == 1
                ? "one more than that" : (b - 2) + " more than that") + ": the anon_vmas of exited "
                + "generations stay as ancestors of the live one.";
    }

    private static Map<String, Long> chain(long depth) {
        return params("depth", depth, "pages", 4, "cow", 1);
    }

    private static Findings.Run avcRun(Map<String, Long> pr, boolean reuse) {
        return Findings.measure("anon-vma-growth", pr, () -> new AnonVmaChainDesign(reuse), "x86_64", CheckPolicy.END);
    }

    /** Bytes of the anon_vmas and anon_vma_chains alive at the end of R. */
    private long objectBytes(Findings.Run r) {
        return r.stat("anon_vma_alive") * av + r.stat("anon_vma_chain_alive") * avc;
    }

    /**
     * The objects left at the end of each depth's chain, per design and reuse rule; returns
     * anon_vma_chain's anon_vmas left per depth, with reuse and without.
     */
    private long[][] objectsLeft(Markdown md) {
        long[][] left = new long[2][DEPTHS.length];
        md.paragraph("`anon-vma-growth pages=4 cow=1 parent_exits=1`, x86_64: a fork chain of depth D, each generation "
                + "writing one page, each parent exiting after its fork (a daemon re-forking itself). What is left "
                + "at the end (one task, one vma): anon_vmas and anon_vma_chains under anon_vma_chain with the reuse "
                + "rule (today) and without it (before the commit), their bytes (" + av + " and " + avc
                + " each); anon_vma (2.6.7) keeps one anon_vma per family; anonmm an anonmm per exited mm whose "
                + "pages are still mapped.");
        md.header("depth", List.of("reuse: anon_vmas", "chains", "bytes", "no reuse: anon_vmas", "chains", "bytes",
                "anon_vma: anon_vmas", "anonmm: anonmms"));
        for (int i = 0; i < DEPTHS.length; i++) {
            long d = DEPTHS[i];
            Map<String, Long> pr = chain(d);
            List<Object> cells = new ArrayList<>(List.of(d));
            Findings.Run[] runs = {avcRun(pr, true), avcRun(pr, false)};
            for (int j = 0; j < 2; j++) {
                Findings.Run r = runs[j];
                left[j][i] = r.stat("anon_vma_alive");
                cells.addAll(List.of(r.stat("anon_vma_alive"), r.stat("anon_vma_chain_alive"), objectBytes(r)));
            }
            cells.add(measure("anon-vma-growth", pr, "anon_vma").stat("anon_vma_alive"));
            cells.add(measure("anon-vma-growth", pr, "anonmm").stat("anonmm_alive"));
            md.row(cells.toArray());
        }
        return left;
    }

    /** rmap_bytes at the end, every design and anon_vma_chain without reuse. */
    private void bytesPerDesign(Markdown md, List<String> designs) {
        md.paragraph("\nrmap_bytes at the end (one task left), every design; anon_vma_chain without reuse is its "
                + "objects plus the same vma growth as with reuse. pte_chains' bytes are chain blocks left "
                + "holding one pte each: 2.6.0 turns a chain back into a direct pointer only in page_referenced, "
                + "and nothing is reclaimed here.");
        List<String> cols = new ArrayList<>(designs);
        cols.add("anon_vma_chain without reuse");
        md.header("depth", cols);
        for (long d : DEPTHS) {
            Map<String, Long> pr = chain(d);
            List<Object> cells = new ArrayList<>(List.of(d));
            long growth = 0;
            for (String design : designs) {
                Findings.Run r = measure("anon-vma-growth", pr, design);
                cells.add(r.cost("rmap_bytes"));
                if (design.equals("anon_vma_chain")) {
                    growth = r.cost("rmap_bytes") - objectBytes(r);
                }
            }
            cells.add(growth + objectBytes(avcRun(pr, false)));
            md.row(cells.toArray());
        }
    }

    /** With every generation alive (parent_exits=0): anon_vma_chain's objects and both designs' peaks. */
    private static void allAlive(Markdown md) {
        long[] depths = {4, 16, 64};
        List<Object[]> rows = new ArrayList<>();
        boolean laws = true;
        for (long d : depths) {
            Map<String, Long> pr = params("depth", d, "pages", 4, "cow", 1, "parent_exits", 0);
            Findings.Run r = measure("anon-vma-growth", pr, "anon_vma_chain");
            laws &= r.stat("anon_vma_alive") == d + 1 && r.stat("anon_vma_chain_alive") == (d + 1) * (d + 2) / 2;
            rows.add(new Object[] {d, r.stat("anon_vma_alive"), r.stat("anon_vma_chain_alive"), r.cost("rmap_bytes_peak"),
                    measure("anon-vma-growth", pr, "anon_vma").cost("rmap_bytes_peak")});
        }
        md.paragraph("\nWith every generation alive (`parent_exits=0`), reuse cannot apply (every anon_vma has a vma): "
                + (laws ? "the youngest vma links to all D + 1 anon_vmas, (D+1)(D+2)/2 chains in all."
                        : "anon_vmas and chains as the table shows (not D + 1 and (D+1)(D+2)/2)."));
        md.header("depth", List.of("anon_vmas", "chains", "anon_vma_chain rmap_bytes_peak", "anon_vma rmap_bytes_peak"));
        for (Object[] row : rows) {
            md.row(row);
        }
    }
}
