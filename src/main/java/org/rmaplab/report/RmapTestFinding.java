package org.rmaplab.report;

import static org.rmaplab.report.Findings.params;
import static org.rmaplab.report.Findings.run;
import static org.rmaplab.report.Markdown.f2;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Andrew Morton's rmap-test (100 tasks x 100 vmas, 240 MB: 22 minutes with a linear i_mmap
 * search against 5 with pte_chains): vmas visited and ptes checked per walk, by tasks and by vmas
 * per task, with a chart of anonmm's list walk against the trees.
 */
final class RmapTestFinding implements Finding {
    private static final long[] TASKS = {1, 2, 4, 8, 16};
    private static final long[] VMAS = {1, 2, 4, 8, 16, 32};
    private static final long FIXED_VMAS = 8;
    private static final long FIXED_TASKS = 8;

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("The linear i_mmap list: Morton's rmap-test ([reference](reference.md#fig-rmap-test))");
        md.paragraph("`rmap-test pages=1 iters=1`, x86_64: TASKS tasks (the parent and its children) each map one "
                + "file in VMAS one-page windows (i_mmap holds TASKS x VMAS vmas), each writes every page, then "
                + "reclaim all. Vmas visited per walk (walk_vmas_visited / walks) per design; ptes checked per "
                + "walk (walk_ptes_checked / walks) is TASKS under every design unless a column says otherwise. "
                + "anonmm walks 2.6.6's i_mmap_shared list from its head (every vma counted, covering or not), "
                + "anon_vma 2.6.7's prio_tree and anon_vma_chain and lokier the interval tree (covering vmas "
                + "only); pte_chains follows each page's chain, one vma lookup per pte.");
        double[][][] byTasks = new double[TASKS.length][][];
        double[][][] byVmas = new double[VMAS.length][][];
        for (int i = 0; i < TASKS.length; i++) {
            byTasks[i] = perWalk(TASKS[i], FIXED_VMAS, designs);
        }
        for (int i = 0; i < VMAS.length; i++) {
            byVmas[i] = perWalk(FIXED_TASKS, VMAS[i], designs);
        }
        table(md, "tasks", TASKS, "vmas=" + FIXED_VMAS, byTasks, designs);
        table(md, "vmas", VMAS, "tasks=" + FIXED_TASKS, byVmas, designs);
        chart(md, byVmas, designs);
        conclusion(md, byVmas[VMAS.length - 1][designs.indexOf("anonmm")][0]);
    }

    /** Walk vmas visited and ptes checked per walk of {@code rmap-test} with TASKS and VMAS, per design. */
    static double[][] perWalk(long tasks, long vmas, List<String> designs) {
        double[][] out = new double[designs.size()][2];
        for (int i = 0; i < designs.size(); i++) {
            Map<String, String> row = run("rmap-test", params("tasks", tasks, "vmas", vmas, "pages", 1),
                    designs.get(i), "x86_64");
            double walks = Math.max(1, Long.parseLong(row.get("walks")));
            out[i][0] = Long.parseLong(row.get("walk_vmas_visited")) / walks;
            out[i][1] = Long.parseLong(row.get("walk_ptes_checked")) / walks;
        }
        return out;
    }

    /** Vmas per walk by SWEPT (VALUES, the other parameter FIXED); ptes per walk in one column. */
    private static void table(Markdown md, String swept, long[] values, String fixed, double[][][] rows,
            List<String> designs) {
        md.paragraph("By " + swept + " (" + fixed + "): vmas visited per walk.");
        List<String> cols = new ArrayList<>(designs);
        cols.add("ptes per walk");
        md.header(swept, cols);
        for (int i = 0; i < values.length; i++) {
            List<Object> cells = new ArrayList<>(List.of(values[i]));
            for (int d = 0; d < designs.size(); d++) {
                cells.add(f2(rows[i][d][0]));
            }
            cells.add(ptesCell(rows[i], designs));
            md.row(cells.toArray());
        }
        md.text("\n");
    }

    /** The ptes per walk of one row: one number when every design agrees, else each design's. */
    private static String ptesCell(double[][] row, List<String> designs) {
        TreeSet<String> ptes = new TreeSet<>();
        for (double[] d : row) {
            ptes.add(f2(d[1]));
        }
        if (ptes.size() == 1) {
            return ptes.first();
        }
        StringBuilder s = new StringBuilder();
        for (int d = 0; d < designs.size(); d++) {
            s.append(d == 0 ? "" : ", ").append(designs.get(d)).append(' ').append(f2(row[d][1]));
        }
        return s.toString();
    }

    /** A chart: anonmm's list walk against the prio_tree (anon_vma) and pte_chains, by vmas per task. */
    private static void chart(Markdown md, double[][][] byVmas, List<String> designs) {
        double max = byVmas[VMAS.length - 1][designs.indexOf("anonmm")][0];
        md.text("vmas visited per walk, tasks=" + FIXED_TASKS + ", by vmas per task (each # is " + f2(max / 60)
                + " vmas):\n\n```\n");
        for (int i = 0; i < VMAS.length; i++) {
            for (String d : new String[] {"anonmm", "anon_vma", "pte_chains"}) {
                double v = byVmas[i][designs.indexOf(d)][0];
                md.format("%-9s %-10s %-60s %s%n", d.equals("anonmm") ? "vmas=" + VMAS[i] : "", d,
                        "#".repeat((int) Math.round(v * 60 / max)), f2(v));
            }
        }
        md.text("```\n\n");
    }

    /**
     * LAST: anonmm's vmas per walk at the largest sweep. Morton's own size is run too (rmap-test
     * tasks=101 vmas=100 pages=1): anonmm's vmas per walk and pte_chains' ptes per walk.
     */
    private static void conclusion(Markdown md, double last) {
        double[][] m = perWalk(101, 100, List.of("anonmm", "pte_chains"));
        double[] morton = {m[0][0], m[1][1]};
        md.paragraph("The model shows the linear-list worst case in shape: anonmm's walk of a page visits every vma "
                + "linked before the page's window, " + (f2(last).equals(f2(FIXED_TASKS * (VMAS[VMAS.length - 1] + 1) / 2.0))
                        ? "TASKS x (VMAS + 1) / 2" : "not TASKS x (VMAS + 1) / 2 but") + " on average (" + f2(last) + " at "
                + FIXED_TASKS + " x " + VMAS[VMAS.length - 1] + "), growing with TASKS x VMAS, while pte_chains look "
                + "at the page's TASKS ptes and no more, "
                + "and the prio_tree of 2.6.7 (anon_vma) and today's interval tree bring the file walk down "
                + "to the same TASKS vmas. At Morton's 100 tasks x 100 vmas (101 tasks with the parent) the "
                + "list walk visits " + f2(morton[0]) + " vmas per walk against " + f2(morton[1]) + " ptes under "
                + "pte_chains: about " + Math.round(morton[0] / morton[1]) + " times the work per "
                + "walk, where the published run took 22 minutes against 5 ([reference](reference.md#fig-rmap-test)); Rajesh "
                + "Venkatasubramanian's prio_tree posting (linux-kernel, March 2004) has `rmap-test -l -i 10 "
                + "-n 100 -s 600 -t 100` at 13 minutes on 2.6.5-rc2 (pte_chains), 13.5 with prio_tree and "
                + "objrmap, and killed after 7.5 hours with objrmap's lists. The model counts vmas visited "
                + "and ptes checked, not time: a list step (vma_address on a vma that does not cover the page) "
                + "is much cheaper than a pte lookup, and the touching, faulting and I/O that the published "
                + "minutes include are not compared, so the ratio of the counts is not the ratio of the "
                + "times. The ptes checked are TASKS per walk under every design: the list walk's extra "
                + "work is all in vmas that do not map the page.");
    }
}
