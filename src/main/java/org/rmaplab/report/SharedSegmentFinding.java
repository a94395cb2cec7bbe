package org.rmaplab.report;

import static org.rmaplab.report.Findings.params;
import static org.rmaplab.report.Findings.run;

import java.util.ArrayList;
import java.util.List;

import org.rmaplab.rmap.ptechains.PteChainGeometry;

/**
 * Bligh, 2003: pte_chains grow with tasks x shared pages (5000 tasks x 2 GB of shm need about
 * 10 GB of chains in lowmem), while the object designs stay flat.
 */
final class SharedSegmentFinding implements Finding {
    private static final long[] TASKS = {2, 4, 8, 16, 32};

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("pte_chains grow with tasks x shared pages (Bligh, 2003)");
        md.paragraph("`shared-segment pages=256`, i386: rmap_bytes_peak by number of tasks mapping the segment.");
        md.header("tasks", designs);
        long perPtePc = 0;
        for (long t : TASKS) {
            List<Object> cells = new ArrayList<>(List.of(t));
            for (String d : designs) {
                long bytes = Long.parseLong(run("shared-segment", params("tasks", t, "pages", 256), d, "i386")
                        .get("rmap_bytes_peak"));
                cells.add(bytes);
                if (t == 32 && d.equals("pte_chains")) {
                    perPtePc = bytes;
                }
            }
            md.row(cells.toArray());
        }
        scaledToBligh(md, perPtePc);
    }

    /**
     * PTE_CHAIN_BYTES at 32 tasks x 256 pages as bytes per mapped pte; then 5000 tasks x 2 GB
     * (524288 pages) with the same block geometry: ceil(5000 / NRPTE) blocks per page.
     */
    private static void scaledToBligh(Markdown md, long pteChainBytes) {
        PteChainGeometry g = PteChainGeometry.of("i386", 0);
        double perPte = pteChainBytes / (32.0 * 256);
        long blocksPerPage = (5000 + g.nrpte() - 1) / g.nrpte();
        double scaled = (double) blocksPerPage * g.blockBytes() * 524288;
        md.format("%nAt 32 tasks pte_chains spend %.2f bytes per mapped pte (i386: %d-byte blocks of %d ptes). "
                        + "5000 tasks x 2 GB of shm (524288 pages) would need %d blocks per page, %.1f GiB of "
                        + "pte_chains, all of it in the 896 MB of lowmem: Bligh's estimate was about 10 GB. The other "
                        + "designs' rmap metadata grows with tasks (vmas, mms), not with pages.%n%n",
                perPte, g.blockBytes(), g.nrpte(), blocksPerPage, scaled / (1L << 30));
    }
}
