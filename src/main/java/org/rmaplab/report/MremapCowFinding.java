package org.rmaplab.report;

import static org.rmaplab.report.Findings.params;
import static org.rmaplab.report.Findings.run;

import java.util.List;

/**
 * Linus Torvalds, "Re: anon_vma RFC2" (linux-kernel, 13 March 2004): anonmm's early COW in mremap
 * "should usually not even trigger". Counted on realloc growth, with and without children sharing.
 */
final class MremapCowFinding implements Finding {
    private static final long PAGES = 4;
    private static final int ROUNDS = 6;

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("anonmm's mremap COW \"should usually not even trigger\" ([Linus, 13 March 2004](reference.md#fig-mremap-cow))");
        md.paragraph("`realloc-growth pages=" + PAGES + " rounds=" + ROUNDS + "`, x86_64: mremap_cows under anonmm, by children sharing "
                + "the buffer when it starts to grow (" + PAGES + " pages shared, " + (PAGES << ROUNDS) + " at the end).");
        md.header("children", List.of("mremap_cows"));
        for (long c : new long[] {0, 1, 4}) {
            md.row(c, run("realloc-growth", params("pages", PAGES, "rounds", ROUNDS, "children", c, "reclaim", 0), "anonmm",
                    "x86_64").get("mremap_cows"));
        }
        md.paragraph("\nOnly pages still shared with a child when first moved are COWed early: with no fork, none.");
    }
}
