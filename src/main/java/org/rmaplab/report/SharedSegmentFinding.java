package org.rmaplab.report;

import static org.rmaplab.report.Findings.params;
import static org.rmaplab.report.Findings.run;

import java.util.ArrayList;
import java.util.List;

import org.rmaplab.cost.ArchProfile;
import org.rmaplab.mm.PageTable;
import org.rmaplab.rmap.ptechains.PteChainGeometry;

/**
 * Bligh, 2003: pte_chains grow with tasks x shared pages (5000 tasks x 2 GB of shm need about
 * 10 GB of chains in lowmem), while the object designs stay flat. The estimate is scaled to every
 * architecture profile with its own pte_chain geometry and page tables.
 */
final class SharedSegmentFinding implements Finding {
    private static final long[] TASKS = {2, 4, 8, 16, 32};
    /** Bligh's case: 5000 tasks, each mapping a 2 GB shm segment (docs/reference.md#fig-bligh-shm). */
    static final long BLIGH_TASKS = 5000;
    static final long BLIGH_SEGMENT = 2L << 30;
    private static final double GIB = 1L << 30;

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("pte_chains grow with tasks x shared pages (Bligh, 2003)");
        md.paragraph("`shared-segment pages=256`, i386: rmap_bytes_peak by number of tasks mapping the segment.");
        md.header("tasks", designs);
        for (long t : TASKS) {
            List<Object> cells = new ArrayList<>(List.of(t));
            for (String d : designs) {
                cells.add(Long.parseLong(run("shared-segment", params("tasks", t, "pages", 256), d, "i386")
                        .get("rmap_bytes_peak")));
            }
            md.row(cells.toArray());
        }
        scaledToBligh(md);
    }

    /** One profile's estimate for Bligh's case, and what the model measured at 32 tasks. */
    record Estimate(ArchProfile arch, PteChainGeometry g, double perPte, long blocksPerPage, long chains,
                    long pageTables, long pageTablesLowmem) {
        /** Bytes that must sit in lowmem: the chains (slab) and the page tables there. */
        long lowmem() {
            return chains + pageTablesLowmem;
        }
    }

    /**
     * ARCH's estimate: pte_chain bytes per mapped pte measured at 32 tasks x 256 pages; then 5000
     * tasks x 2 GB (524288 pages) with the profile's block geometry, ceil(5000 / NRPTE) blocks per
     * page, and 5000 times the page tables one task holds for the segment (cost.Paging).
     */
    static Estimate estimate(String name) {
        ArchProfile a = ArchProfile.of(name);
        PteChainGeometry g = PteChainGeometry.of(name, 0);
        long measured = Long.parseLong(run("shared-segment", params("tasks", 32, "pages", 256), "pte_chains", name)
                .get("pte_chain_bytes_peak"));
        long pages = BLIGH_SEGMENT / PageTable.PAGE_SIZE;
        long blocksPerPage = (BLIGH_TASKS + g.nrpte() - 1) / g.nrpte();
        long chains = blocksPerPage * g.blockBytes() * pages;
        long pt = BLIGH_TASKS * a.paging().segmentBytes(BLIGH_SEGMENT, false, a.highpte());
        long ptLow = BLIGH_TASKS * a.paging().segmentBytes(BLIGH_SEGMENT, true, a.highpte());
        return new Estimate(a, g, measured / (32.0 * 256), blocksPerPage, chains, pt, ptLow);
    }

    private static void scaledToBligh(Markdown md) {
        List<Estimate> es = new ArrayList<>();
        for (String name : ArchProfile.NAMES) {
            es.add(estimate(name));
        }
        Estimate i386 = es.get(ArchProfile.NAMES.indexOf("i386"));
        md.format("%nAt 32 tasks pte_chains spend %.2f bytes per mapped pte on i386 (%d-byte blocks of %d ptes). "
                        + "Scaled to Bligh's case, %d tasks x %d GB of shm (%d pages), under every profile: "
                        + "ceil(%d / NRPTE) blocks per page, and each task's page tables for the segment "
                        + "(pte pages and the levels above them, as the profile's kernel allocates them). "
                        + "Lowmem is %d MB on the 32-bit profiles; x86_64 has none, and everything counts against RAM.%n%n",
                i386.perPte(), i386.g().blockBytes(), i386.g().nrpte(), BLIGH_TASKS, BLIGH_SEGMENT >> 30,
                BLIGH_SEGMENT / PageTable.PAGE_SIZE, BLIGH_TASKS, ArchProfile.LOWMEM_896M >> 20);
        md.header(1, List.of("arch", "L1 line", "pte_addr_t", "NRPTE", "bytes per pte at 32 tasks", "blocks per page",
                "pte_chains GiB", "page tables GiB", "of them in lowmem GiB", "lowmem needed / lowmem"));
        for (Estimate e : es) {
            long limit = e.arch().lowmemLimit();
            md.row(e.arch().name(), e.g().blockBytes(), e.g().pteAddrBytes(), e.g().nrpte(), Markdown.f2(e.perPte()),
                    e.blocksPerPage(), gib(e.chains()), gib(e.pageTables()), gib(e.pageTablesLowmem()),
                    limit == 0 ? "no highmem" : Markdown.fmt("%.1fx", (double) e.lowmem() / limit));
        }
        Estimate numaq = es.get(ArchProfile.NAMES.indexOf("i386-numaq"));
        Estimate pae = es.get(ArchProfile.NAMES.indexOf("i386-pae"));
        Estimate paeLow = es.get(ArchProfile.NAMES.indexOf("i386-pae-nohighpte"));
        md.format("%nBligh's estimate was about 10 GB: i386 gives %s GiB of chains, %.1f times its lowmem before a "
                        + "single page table. The page tables add %s GiB more on i386 (one %d-byte pte per task per "
                        + "page, all in lowmem without HIGHPTE) and %s GiB with PAE's %d-byte ptes. HIGHPTE "
                        + "(i386-pae) moves the pte pages to highmem and leaves each task's pgd and three pmds in "
                        + "lowmem (%s GiB), but its %d-byte pte_addr_t gives %d ptes a %d-byte block where PAE "
                        + "without HIGHPTE has %d, so its chains are %s GiB against %s. On the NUMA-Q's %d-byte lines "
                        + "a block holds %d ptes: %s GiB of chains. No 32-bit profile comes near fitting; the other "
                        + "designs' rmap metadata grows with tasks (vmas, mms), not with pages.%n%n",
                gib(i386.chains()), (double) i386.chains() / i386.arch().lowmemLimit(), gib(i386.pageTables()),
                i386.arch().paging().pteBytes(), gib(pae.pageTables()), pae.arch().paging().pteBytes(),
                gib(pae.pageTablesLowmem()), pae.g().pteAddrBytes(), pae.g().nrpte(), pae.g().blockBytes(),
                paeLow.g().nrpte(), gib(pae.chains()), gib(paeLow.chains()), numaq.g().blockBytes(),
                numaq.g().nrpte(), gib(numaq.chains()));
    }

    private static String gib(long bytes) {
        return Markdown.fmt("%.2f", bytes / GIB);
    }
}
