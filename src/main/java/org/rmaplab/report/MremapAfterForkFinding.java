package org.rmaplab.report;

import static org.rmaplab.report.Findings.measure;
import static org.rmaplab.report.Findings.params;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * mremap after fork: anonmm's early COWs (Linus Torvalds, "Re: anon_vma RFC2", linux-kernel,
 * 13 March 2004: "let's just add a few lines to copy_one_pte()") on the workloads that trigger them.
 */
final class MremapAfterForkFinding implements Finding {
    private static final long[] CHILDREN = {1, 2, 4, 8, 16};

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("mremap after fork: anonmm's early COWs ([Linus, 13 March 2004](reference.md#linus-anon-memory-group))");
        md.paragraph("`mremap-after-fork pages=16 rounds=1`, x86_64: the parent and its N children each move the 16 "
                + "pages they share (mremap MAYMOVE|FIXED), the parent first. mremap_cows under anonmm; COW copies "
                + "(every cause) under anonmm and under the other designs (all equal); rmap_ops per design.");
        List<String> cols = new ArrayList<>(List.of("anonmm mremap_cows", "N x P", "anonmm cow_copies",
                "others' cow_copies"));
        designs.forEach(d -> cols.add(d + " rmap_ops"));
        md.header("children", cols);
        for (long c : CHILDREN) {
            row(md, c, designs);
        }
        forkWithoutExec(md);
        md.paragraph("Linus: \"The extra COW in mremap() seems benign. Again, it should usually not even trigger.\" "
                + "The model agrees that it never triggers without sharing (realloc-growth with no child: 0, above) "
                + "and shows what it costs when it does: when every task of a fork group moves the region it still "
                + "shares, every mover but the last copies every shared page, N x P in all, where the other designs "
                + "copy nothing (pte_chains pays a remove and an add per pte instead). How often fork-sharing tasks "
                + "mremap shared memory is a property of the applications, which the model cannot settle.");
    }

    /** The row of C children: anonmm's counts, the other designs' COW copies (equal), rmap_ops per design. */
    private static void row(Markdown md, long c, List<String> designs) {
        Map<String, Long> pr = params("children", c, "pages", 16, "rounds", 1);
        List<Object> ops = new ArrayList<>();
        long others = -1;
        Findings.Run mm = null;
        for (String d : designs) {
            Findings.Run r = measure("mremap-after-fork", pr, d);
            ops.add(r.cost("rmap_ops"));
            if (d.equals("anonmm")) {
                mm = r;
            } else {
                if (others >= 0 && others != r.machine("cow_copies")) {
                    throw new IllegalStateException("cow_copies differ between the designs other than anonmm");
                }
                others = r.machine("cow_copies");
            }
        }
        List<Object> cells = new ArrayList<>(List.of(c, mm.cost("mremap_cows"), c * 16, mm.machine("cow_copies"),
                others));
        cells.addAll(ops);
        md.row(cells.toArray());
    }

    private static void forkWithoutExec(Markdown md) {
        Findings.Run mm = measure("fork-without-exec", params(), "anonmm");
        Findings.Run avc = measure("fork-without-exec", params(), "anon_vma_chain");
        md.format("%n`fork-without-exec` (defaults: 4 children that never exec, "
                        + "32 pages, 24 rounds, %d of which move a child's heap): anonmm makes %d mremap COWs and %d COW "
                        + "copies in all, anon_vma_chain %d copies (the other designs the same), so %d of anonmm's "
                        + "early copies were made anyway by later writes and %d are extra.%n%n",
                mm.lines("mremap"), mm.cost("mremap_cows"), mm.machine("cow_copies"), avc.machine("cow_copies"),
                mm.cost("mremap_cows") - (mm.machine("cow_copies") - avc.machine("cow_copies")),
                mm.machine("cow_copies") - avc.machine("cow_copies"));
    }
}
