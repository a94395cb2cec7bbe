package org.rmaplab.report;

import static org.rmaplab.report.Findings.params;
import static org.rmaplab.report.Findings.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongToDoubleFunction;

/**
 * Commit 5beb49305251 (anon_vma_chain): the anon_vma walk is O(children) under fork fan-out, the
 * anon_vma_chain walk about constant; and the other direction (the parent COWs after the forks),
 * where anon_vma_chain and anonmm walk the whole family for the pages the children still share.
 * Every number in the prose is taken from the runs: a law is stated only where every row obeys it.
 */
final class ForkFanoutFinding implements Finding {
    private static final long[] CHILDREN = {1, 4, 16, 64};

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("Reverse-walk cost under fork fan-out (commit 5beb49305251)");
        md.paragraph("`fork-fanout pages=4 parent_exits=1`, x86_64: vmas visited per walk (walk_vmas_visited / walks).");
        double[][] children = table(md, designs, params("pages", 4, "parent_exits", 1));
        md.paragraph("\nanon_vma: " + law(children, designs, "anon_vma", n -> (n + 1) / 2.0, "(N+1)/2")
                + " on average (children at the head of one list, the walk stops at the page's vma); "
                + "anon_vma_chain: " + law(children, designs, "anon_vma_chain", n -> 1, "1") + ".");
        md.paragraph("`fork-fanout pages=4 parent_cows=1`, x86_64: the other direction. The parent writes (COWs) "
                + "every page after the forks and the children only keep theirs: each old page is mapped by the N "
                + "children (3 walks: their ptes are old since fork), each of the parent's new pages by the "
                + "parent alone (4 walks: a young pte). Vmas visited per walk:");
        double[][] parent = table(md, designs, params("pages", 4, "parent_cows", 1));
        md.paragraph("\nPer page (walks in the ratio 3 : 4), the old page costs anon_vma N (the children head its "
                + "list) and anon_vma_chain, anonmm and lokier N + 1 (the parent's vma or mm comes first and no "
                + "longer maps it); the parent's page costs anon_vma N + 1 (its vma is last) and the others 1. "
                + "Per walk: anon_vma " + law(parent, designs, "anon_vma", n -> (7 * n + 4) / 7.0, "(7N+4)/7")
                + ", anon_vma_chain " + law(parent, designs, "anon_vma_chain", n -> (3 * n + 7) / 7.0, "(3N+7)/7")
                + ", anonmm " + law(parent, designs, "anonmm", n -> (3 * n + 7) / 7.0, "(3N+7)/7")
                + ", pte_chains " + law(parent, designs, "pte_chains", n -> (3 * n + 4) / 7.0, "(3N+4)/7")
                + ": anon_vma_chain's O(1) is for the children's COWs; pages the parent writes after the forks "
                + "are walked over the whole family, as anon_vma walks every page.");
        forkTree(md, designs);
    }

    /** fork-tree by depth: vmas per walk per design, and the tasks of each tree. */
    private static void forkTree(Markdown md, List<String> designs) {
        md.paragraph("`fork-tree fanout=2 pages=4 cow=1`, x86_64: a tree DEPTH generations deep, every task forking two "
                + "children and each new task writing one page of its own (generation g page g - 1), so a page "
                + "written by an ancestor stays shared by its subtree. Vmas visited per walk:");
        List<String> cols = new ArrayList<>(List.of("tasks"));
        cols.addAll(designs);
        md.header("depth", cols);
        for (long depth = 1; depth <= 4; depth++) {
            List<Object> cells = new ArrayList<>(List.of(depth, (1L << (depth + 1)) - 1));
            for (String d : designs) {
                Map<String, String> row = run("fork-tree", params("depth", depth, "fanout", 2, "pages", 4, "cow", 1), d,
                        "x86_64");
                cells.add(Markdown.f2(Markdown.per(Long.parseLong(row.get("walk_vmas_visited")),
                        Long.parseLong(row.get("walks")))));
            }
            md.row(cells.toArray());
        }
        md.text("\n");
    }

    /** The rows of fork-fanout with PR and each of CHILDREN, vmas per walk per design; the values returned. */
    private static double[][] table(Markdown md, List<String> designs, Map<String, Long> pr) {
        md.header("children", designs);
        double[][] v = new double[CHILDREN.length][designs.size()];
        for (int i = 0; i < CHILDREN.length; i++) {
            List<Object> cells = new ArrayList<>(List.of(CHILDREN[i]));
            Map<String, Long> p = new java.util.LinkedHashMap<>(pr);
            p.put("children", CHILDREN[i]);
            for (int d = 0; d < designs.size(); d++) {
                Map<String, String> row = run("fork-fanout", p, designs.get(d), "x86_64");
                v[i][d] = Markdown.per(Long.parseLong(row.get("walk_vmas_visited")), Long.parseLong(row.get("walks")));
                cells.add(Markdown.f2(v[i][d]));
            }
            md.row(cells.toArray());
        }
        return v;
    }

    /**
     * NAME if DESIGN's value in every row of V equals LAW(children) (to the table's two decimals),
     * else the values themselves.
     */
    private static String law(double[][] v, List<String> designs, String design, LongToDoubleFunction law,
                              String name) {
        int d = designs.indexOf(design);
        if (d < 0) {
            return "-";
        }
        boolean holds = true;
        List<String> got = new ArrayList<>();
        for (int i = 0; i < CHILDREN.length; i++) {
            holds &= Markdown.f2(v[i][d]).equals(Markdown.f2(law.applyAsDouble(CHILDREN[i])));
            got.add(Markdown.f2(v[i][d]));
        }
        return holds ? name : String.join(", ", got) + " (not " + name + ")";
    }
}
