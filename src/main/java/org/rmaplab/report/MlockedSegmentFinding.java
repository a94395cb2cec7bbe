package org.rmaplab.report;

import java.util.List;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.cost.ArchProfile;
import org.rmaplab.mm.PageTable;
import org.rmaplab.rmap.ptechains.PteChainGeometry;
import org.rmaplab.rmap.ptechains.PteChainsDesign;

/**
 * wli's step (b) (William Lee Irwin III, "Re: What to expect with the 2.6 VM", linux-kernel,
 * 2 July 2003: "implement the bits omitting pte_chains for mlock()'d mappings"): an mlocked
 * segment shared by T tasks without pte_chains, against 2.6.0's pte_chains, on i386; then what
 * munlock has to rebuild.
 */
final class MlockedSegmentFinding implements Finding {
    /** Pages of the segment. */
    static final long PAGES = 1024;

    /**
     * {@code mlocked-segment} on i386 under pte_chains as 2.6.0 built it ({@code stepB} false) or
     * with wli's step (b).
     */
    static Findings.Run run(long tasks, long munlock, boolean stepB) {
        return Findings.measure("mlocked-segment", Findings.params("tasks", tasks, "pages", PAGES, "munlock", munlock),
                () -> new PteChainsDesign(0, stepB), "i386", CheckPolicy.END);
    }

    @Override
    public void write(Markdown md, List<String> designs) {
        PteChainGeometry g = PteChainGeometry.of("i386", 0);
        md.heading("mlocked pages without pte_chains (wli, 2003: step (b))");
        md.paragraph("`mlocked-segment pages=" + PAGES + "`, i386 (" + g.blockBytes() + "-byte pte_chain blocks of "
                + g.nrpte() + " ptes, page tables in lowmem): T tasks "
                + "each map a tmpfs segment MAP_SHARED and mlock it, as each process of an Oracle-like server "
                + "attaches and locks its SGA; then `reclaim all`. pte_chains as 2.6.0 built it against the "
                + "variant `new PteChainsDesign(0, true)` (ptes of VM_LOCKED vmas unchained, the page PG_mlocked "
                + "and off the LRU; see the ptechains package-info).");
        lockedTable(md);
        savings(md, g);
        munlockTable(md);
    }

    /** 2.6.0 against step (b), by tasks locking the segment. */
    private static void lockedTable(Markdown md) {
        md.header(List.of("tasks", "pte_chain_bytes_peak 2.6.0", "step (b)", "lowmem_bytes_peak 2.6.0", "step (b)",
                "saved", "reclaim: pages scanned 2.6.0", "step (b)", "ptes walked 2.6.0", "step (b)"));
        for (long t : new long[] {2, 4, 8, 16, 32}) {
            Findings.Run plain = run(t, 0, false);
            Findings.Run stepB = run(t, 0, true);
            long lp = plain.cost("lowmem_bytes_peak");
            long ls = stepB.cost("lowmem_bytes_peak");
            md.row(t, plain.cost("pte_chain_bytes_peak"), stepB.cost("pte_chain_bytes_peak"), lp, ls,
                    Markdown.fmt("%.1f%%", 100.0 * (lp - ls) / lp), plain.machine("pages_scanned"),
                    stepB.machine("pages_scanned"), plain.cost("walk_ptes_checked"), stepB.cost("walk_ptes_checked"));
        }
    }

    private static void savings(Markdown md, PteChainGeometry g) {
        Findings.Run p16 = run(16, 0, false);
        Findings.Run b16 = run(16, 0, true);
        ArchProfile a = ArchProfile.of("i386");
        long chains = p16.cost("pte_chain_bytes_peak");
        long pt = p16.cost("pagetable_bytes_peak");
        long lp = p16.cost("lowmem_bytes_peak");
        long ls = b16.cost("lowmem_bytes_peak");
        md.format("%nWhat it saves: all of the chains — %d bytes at 16 tasks, pages x ceil(T / %d) blocks of %d bytes "
                        + "under 2.6.0, none with step (b) — and reclaim's time on locked pages: 2.6.0 keeps them on the "
                        + "LRU, so reclaim scans them and try_to_unmap walks their chains to fail on the first VM_LOCKED "
                        + "pte (%d failed unmaps at 16 tasks), where step (b) never sees them. What it does not "
                        + "save: the page tables, one %d-byte pte per task per page in lowmem (%s on i386): %d bytes at "
                        + "16 tasks (the pgd and the pte pages covering the segment, %d frames a task), %.1f times the "
                        + "chains, so lowmem falls by %.1f%% (from %d to %d bytes), not to nothing; Bligh's 10 GB of "
                        + "chains for 5000 tasks x 2 GB go, the page tables for them stay. The saving needs each process "
                        + "to lock the segment itself: a fork child does not inherit VM_LOCKED, and 2.6.0's fork copies "
                        + "every pte, so a segment inherited by fork is chained in full in the child until the child "
                        + "mlocks it.%n%n",
                chains, g.nrpte(), g.blockBytes(), p16.cost("unmaps_failed"), a.paging().pteBytes(),
                a.highpte() ? "HIGHPTE moves the pte pages out" : "no HIGHPTE", pt, pt / (16 * PageTable.PAGE_SIZE),
                (double) pt / chains, 100.0 * (lp - ls) / lp, lp, ls);
    }

    /** 16 tasks lock the segment and M of them munlock it: what is rebuilt and what reclaim then evicts. */
    private static void munlockTable(Markdown md) {
        md.paragraph("What munlock costs at 16 tasks: the vma's own page tables are walked (one lookup per page of the "
                + "range) and every present pte is chained again; ptes of the tasks still locked stay unchained, since "
                + "nothing in pte_chains can find them, and the page stays off the LRU until the last of them goes.");
        md.header(List.of("tasks munlocking", "chain entries rebuilt", "pte_chain_bytes_peak", "pages still PG_mlocked",
                "reclaim: pages scanned", "pages evicted"));
        for (long m : new long[] {1, 4, 16}) {
            Findings.Run r = run(16, m, true);
            md.row(m, r.stat("pte_chain_munlock_rechained"), r.cost("pte_chain_bytes_peak"), r.stat("pg_mlocked_alive"),
                    r.machine("pages_scanned"), r.machine("shmem_swap_outs"));
        }
        md.format("%nEach munlocking task rebuilds one entry per page (%d); once all 16 have munlocked, the chains are "
                        + "2.6.0's again (the same peak as without step (b)) and reclaim evicts through them. The rebuild "
                        + "is the price of keeping no object: it is paid per munlock, in full, and a task that locks and "
                        + "unlocks a shared segment repeatedly pays it every time.%n%n", PAGES);
    }
}
