package org.rmaplab.report;

import java.util.List;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.rmap.RmapDesigns;

/**
 * One mm (Linus Torvalds, "Re: anon_vma RFC2", linux-kernel, 13 March 2004: "A high-performance
 * server would use threads, anyway."): reclaim's walks, vmas and anon_vmas per design.
 */
final class ThreadedServerFinding implements Finding {
    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("One mm: a threaded server ([Linus, 13 March 2004](reference.md#linus-anon-memory-group))");
        md.paragraph("`threaded-server` (defaults: 8 threads, 64 requests), x86_64, run with the oracle's full check "
                + "off (contents still checked on every read) so that the walks are reclaim's own: vmas (mms for "
                + "anonmm) visited per walk, vmas and anon_vmas at peak.");
        md.header("design", List.of("walks", "visited per walk", "vmas_peak", "anon_vmas at peak",
                "vmas per anon_vma", "rmap_bytes_peak"));
        String avcPerWalk = "-";
        for (String d : designs) {
            Findings.Run r = Findings.measure("threaded-server", Findings.params(), () -> RmapDesigns.create(d),
                    "x86_64", CheckPolicy.OFF);
            if (d.equals("anon_vma_chain")) {
                avcPerWalk = Markdown.f2(Markdown.per(r.cost("walk_vmas_visited"), r.cost("walks")));
            }
            long av = r.stat("anon_vma_peak");
            md.row(d, r.cost("walks"), Markdown.f2(Markdown.per(r.cost("walk_vmas_visited"), r.cost("walks"))),
                    r.cost("vmas_peak"), av == 0 ? "-" : Long.toString(av),
                    av == 0 ? "-" : Markdown.f2((double) r.cost("vmas_peak") / av), r.cost("rmap_bytes_peak"));
        }
        md.paragraph("\nWith one mm every design's walk finds the page's one pte: anonmm and pte_chains look at one mm "
                + "or pte, lokier at the vmas of the page's reservation covering its offset; anon_vma_chain's "
                + "interval tree returns every vma of the page's anon_vma whose pgoff range covers the page's pgoff "
                + "(mremap'ed vmas keep their pgoff while new mappings take addr >> PAGE_SHIFT, so ranges can "
                + "overlap), " + avcPerWalk + " per walk here; anon_vma (2.6.7) visits every vma on the page's anon_vma list, which "
                + "anon_vma_prepare shares between mergeable neighbours (vmas per anon_vma: both peaks, not taken at "
                + "the same moment). The vma counts differ because merging does: the anon_vma designs merge two "
                + "vmas only with compatible anon_vmas, pte_chains and anonmm (no per-vma anonymous state) whenever "
                + "the core allows, lokier only offset-contiguous ones. No page is shared, so pte_chains keep every "
                + "page PG_direct and allocate no chain at all.");
    }
}
