package org.rmaplab.report;

import static org.rmaplab.report.Findings.params;
import static org.rmaplab.report.Findings.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Commit 5beb49305251 (anon_vma_chain): the anon_vma walk is O(children) under fork fan-out, the
 * anon_vma_chain walk about constant.
 */
final class ForkFanoutFinding implements Finding {
    private static final long[] CHILDREN = {1, 4, 16, 64};

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("Reverse-walk cost under fork fan-out (commit 5beb49305251)");
        md.paragraph("`fork-fanout pages=4 parent_exits=1`, x86_64: vmas visited per walk (walk_vmas_visited / walks).");
        md.header("children", designs);
        for (long c : CHILDREN) {
            List<Object> cells = new ArrayList<>(List.of(c));
            for (String d : designs) {
                Map<String, String> row = run("fork-fanout", params("children", c, "pages", 4, "parent_exits", 1), d,
                        "x86_64");
                cells.add(Markdown.f2(Markdown.per(Long.parseLong(row.get("walk_vmas_visited")),
                        Long.parseLong(row.get("walks")))));
            }
            md.row(cells.toArray());
        }
        md.paragraph("\nanon_vma: (N+1)/2 on average (children at the head of one list, the walk stops at the page's "
                + "vma); anon_vma_chain: 1.");
    }
}
