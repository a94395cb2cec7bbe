package org.rmaplab.report;

import java.util.ArrayList;
import java.util.List;

import org.rmaplab.rmap.ptechains.PteChainGeometry;
import org.rmaplab.traces.Traces;

/**
 * The perf traces, real page faults, under every design: rmap memory at its peak, the COW faults
 * after fork (the machine's cow counters), and reclaim's walks when memory runs short at the census
 * peak ({@link RealFaults}).
 */
final class RealFaultsDesignsFinding implements Finding {
    private static final PteChainGeometry GEOMETRY = PteChainGeometry.of("x86_64", 0);
    private final RealFaults rf;

    RealFaultsDesignsFinding(RealFaults rf) {
        this.rf = rf;
    }

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("Real page faults under every design: rmap memory, COW after fork, reclaim's walks");
        md.paragraph("The perf traces of the previous section, converted the same way (`"
                + RealFaults.describe(false) + "`), run under each design on x86_64, `" + RealFaults.MACHINE
                + "`, the oracle at the end. Each trace runs whole, no prefix taken: the largest converted scenario, "
                + largest() + ", is small enough to run under every design within the findings' time.");
        memory(md, designs);
        cow(md, designs);
        reclaim(md, designs);
    }

    /** The design with the least rmap_bytes_peak on trace T (the first of DESIGNS if several tie). */
    private String leastOf(String t, List<String> designs) {
        String who = "";
        long min = Long.MAX_VALUE;
        for (String d : designs) {
            long b = rf.run(t, false, d).cost("rmap_bytes_peak");
            if (b < min) {
                min = b;
                who = d;
            }
        }
        return who;
    }

    /** The trace whose converted scenario has the most lines, and how many. */
    private String largest() {
        String who = "";
        long most = -1;
        for (String t : Traces.PERF_NAMES) {
            long n = rf.conversion(t, false).scenario().lines().count();
            if (n > most) {
                most = n;
                who = t;
            }
        }
        return who + "'s, " + most + " lines";
    }

    private void memory(Markdown md, List<String> designs) {
        md.text("**rmap memory** (`rmap_bytes_peak` of `rmaplab compare`: the design's objects and what it adds to "
                + "vmas and mms, bytes, at the moment it peaks; pte_chains' blocks are " + GEOMETRY.blockBytes()
                + " bytes of " + GEOMETRY.nrpte() + " ptes on x86_64):\n\n");
        md.header(1, Markdown.cons("trace", designs));
        StringBuilder most = new StringBuilder();
        StringBuilder least = new StringBuilder();
        for (String t : Traces.PERF_NAMES) {
            List<Object> cells = new ArrayList<>(List.of(t));
            long max = -1;
            String who = "";
            for (String d : designs) {
                long b = rf.run(t, false, d).cost("rmap_bytes_peak");
                cells.add(b);
                if (b > max) {
                    max = b;
                    who = d;
                }
            }
            md.row(cells.toArray());
            most.append(most.length() == 0 ? "" : ", ").append(t).append(": ").append(who);
            least.append(least.length() == 0 ? "" : ", ").append(t).append(": ").append(leastOf(t, designs));
        }
        long pcJvm = rf.run("jvm", false, "pte_chains").cost("rmap_bytes_peak");
        md.format("%nThe most per trace: %s; the least: %s. pte_chains pays per shared pte (a block per page mapped twice "
                + "or more: the C library's pages under make -j2, what a forked child shares with its parent), the "
                + "object designs per vma or per fork family (anon_vma_chain's chains grow with vmas times "
                + "generations); on a trace of threads in one mm (jvm) pte_chains holds %d bytes%s.%n%n",
                most, least, pcJvm, pcJvm == 0 ? ": every page has one pte, a direct pointer in struct page" : "");
    }

    private void cow(Markdown md, List<String> designs) {
        md.text("**COW after fork** (the machine's counters: `cow_copies_anon`, wp_page_copy of an anonymous page "
                + "another task maps too, which only fork shares here; `cow_reuses_nonexclusive`, a write fault that "
                + "finds such a page alone again, its sharers gone, and reuses it; `file COWs`, the first write to a "
                + "private file page, which no fork is needed for; anonmm's `mremap_cows`). Copies / reuses per "
                + "design:\n\n");
        List<String> cols = new ArrayList<>(List.of("forks"));
        cols.addAll(designs);
        cols.add("file COWs");
        cols.add("anonmm mremap_cows");
        md.header(1, Markdown.cons("trace", cols));
        List<String> differ = new ArrayList<>();
        for (String t : Traces.PERF_NAMES) {
            List<Object> cells = new ArrayList<>(List.of(t, rf.conversion(t, false).count("forks")));
            String first = null;
            List<String> files = new ArrayList<>();
            for (String d : designs) {
                Findings.Run r = rf.run(t, false, d);
                String v = r.machine("cow_copies_anon") + " / " + r.machine("cow_reuses_nonexclusive");
                cells.add(v);
                if (first != null && !first.equals(v)) {
                    differ.add(t + " under " + d);
                }
                first = first == null ? v : first;
                String fc = Long.toString(r.machine("cow_copies") - r.machine("cow_copies_anon"));
                if (!files.contains(fc)) {
                    files.add(fc);
                }
            }
            cells.add(String.join(" or ", files));
            cells.add(designs.contains("anonmm") ? rf.run(t, false, "anonmm").cost("mremap_cows") : "-");
            md.row(cells.toArray());
        }
        md.format("%n%s A COW is decided by the faulting page alone: the model's fault path is today's for "
                + "every design (do_wp_page: a page that is PG_anon_exclusive or whose only reference is the "
                + "faulting pte is reused, any other copied; 2.6.0's and 2.6.7's do_wp_page reused a page when "
                + "can_share_swap_page() found no reference but the faulting pte's, the same outcome here), and "
                + "which pages are shared is decided by fork, which copies the same anonymous ptes under every "
                + "design. Where a design could differ: anonmm COWs early when a task mremaps a page its fork group "
                + "shares (%s), and anon_vma_chain's fork copies no pte of a vma without an anon_vma, so "
                + "a child's first write to such a private file page is do_cow_fault instead of wp_page_copy: one "
                + "file COW either way. %s fork nothing (with `--vfork empty`, a vfork'd child shares no page).%n%n",
                differ.isEmpty() ? "Copies and reuses are the same under every design on every trace."
                        : "Copies or reuses differ on " + String.join(", ", differ) + ".",
                mremapCows() == 0 ? "none here: the traces' mremaps move memory no relative shares"
                        : mremapCows() + " here, anonmm's mremap_cows column", noForks());
    }

    /** Whether the whole traces, without the reclaim, make no reverse walk under any design. */
    private boolean noWalksBefore() {
        for (String t : Traces.PERF_NAMES) {
            for (String d : org.rmaplab.rmap.RmapDesigns.names()) {
                if (rf.run(t, false, d).cost("walks") != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The traces whose conversion has no fork, as prose. */
    private String noForks() {
        List<String> l = new ArrayList<>();
        for (String t : Traces.PERF_NAMES) {
            if (rf.conversion(t, false).count("forks") == 0) {
                l.add(t);
            }
        }
        return l.isEmpty() ? "No trace" : String.join(" and ", l);
    }

    private long mremapCows() {
        long n = 0;
        for (String t : Traces.PERF_NAMES) {
            n += rf.run(t, false, "anonmm").cost("mremap_cows");
        }
        return n;
    }

    private void reclaim(Markdown md, List<String> designs) {
        md.text("**Reclaim's walks** at the census peak: the trace cut after the peak line of the previous section "
                + "and `reclaim all` put there (memory pressure when the most pages are mapped; the machine has "
                + "swap, so anonymous and tmpfs pages can go); the lines after it are not run. `pages unmapped`: "
                + "try_to_unmap calls that left their page mapped by no pte (`unmaps_succeeded`); `walks` are every "
                + "reverse walk (page_referenced, several times a page as it ages through the LRU lists, and "
                + "try_to_unmap), `vmas` and `ptes` what they visited and checked, per walk on average and at most. "
                + (noWalksBefore() ? "The whole traces without the reclaim make no walk under any design, so every walk "
                + "counted here is reclaim's." : "The whole traces make walks without the reclaim too: the counts "
                + "include those made before the peak.") + "\n\n");
        md.header(2, List.of("trace", "design", "pages unmapped", "walks", "vmas per walk",
                "ptes per walk", "vmas max", "ptes max"));
        StringBuilder worst = new StringBuilder();
        for (String t : Traces.PERF_NAMES) {
            double most = -1;
            String who = "";
            for (String d : designs) {
                Findings.Run r = rf.reclaimAtPeak(t, false, d);
                long walks = r.cost("walks");
                double vmas = Markdown.per(r.cost("walk_vmas_visited"), walks);
                md.row(t, d, r.machine("unmaps_succeeded"), walks,
                        Markdown.f2(vmas), Markdown.f2(Markdown.per(r.cost("walk_ptes_checked"), walks)),
                        r.cost("walk_vmas_max"), r.cost("walk_ptes_max"));
                if (vmas > most) {
                    most = vmas;
                    who = d;
                }
            }
            worst.append(worst.length() == 0 ? "" : ", ").append(t).append(' ').append(who).append(" (")
                    .append(Markdown.f2(most)).append(')');
        }
        md.format("%nMost vmas visited per walk: %s. The object designs find a page through its object and visit "
                + "every vma linked there that could map it: anon_vma one list per fork family, anon_vma_chain the "
                + "page's own anon_vma's tree, anonmm every mm of the group, lokier the address_space of the region, "
                + "file pages the file's i_mmap (every task's mapping of the C library); pte_chains visits exactly "
                + "the ptes it chained, one vma looked up per pte.%n%n", worst);
    }
}
