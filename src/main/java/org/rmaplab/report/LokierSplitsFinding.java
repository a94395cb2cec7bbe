package org.rmaplab.report;

import static org.rmaplab.report.Findings.measure;
import static org.rmaplab.report.Findings.params;

import java.util.List;
import java.util.Map;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Task;
import org.rmaplab.rmap.lokier.LokierDesign;

/**
 * Jamie Lokier, "Re: anon_vma RFC2" (linux-kernel, 12 March 2004): O(log(n/m)) splits for a
 * region grown from m to n pages; and what lending reserve to neighbours does to a threaded server.
 */
final class LokierSplitsFinding implements Finding {
    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("lokier: O(log(n/m)) splits ([Jamie Lokier, 12 March 2004](reference.md#fig-lokier-splits))");
        md.paragraph("`split-growth pages=16 step=1`, x86_64: a 16-page region grown one page at a time by mremap to "
                + "16 x factor pages (the worst case: every split as early as it can be). Splits and internal vmas "
                + "under lokier with a reserve of K = 1 times the region and no minimum (the claim's constant made "
                + "visible), the same with a mapping in the way every 7th step (forced moves), and lokier as "
                + "proposed (minimum reserve 2^22 pages). Every design shows one user-visible vma at the end (the "
                + "scenario expects it).");
        md.header("n/m", List.of("K=1 splits", "1 + log2(n/m)", "internal vmas", "K=1, moves: splits",
                "proposed: splits"));
        long[] factors = {4, 16, 64, 256};
        long[] splits = new long[factors.length];
        boolean movesChangeNothing = true;
        for (int i = 0; i < factors.length; i++) {
            long f = factors[i];
            Map<String, Long> pr = params("pages", 16, "factor", f);
            Findings.Run k1 = k1("split-growth", pr);
            Findings.Run mv = k1("split-growth", params("pages", 16, "factor", f, "move_every", 7));
            Findings.Run proposed = measure("split-growth", pr, "lokier");
            splits[i] = k1.stat("growth_splits");
            movesChangeNothing &= mv.stat("growth_splits") == splits[i];
            md.row(f, splits[i], Markdown.fmt("%.0f", 1 + Math.log(f) / Math.log(2)),
                    k1.cost("vmas_peak"), mv.stat("growth_splits"), proposed.stat("growth_splits"));
        }
        claim(md, factors, splits, movesChangeNothing, splitSizes(16, 16 * factors[factors.length - 1]));
        threadedServer(md);
    }

    /**
     * The sizes (pages) at which lokier with K = 1 splits a region of M pages grown one page at a
     * time by mremap MAYMOVE to N pages: the size after each mremap that made a split, from the
     * design's own counter, in one run of the machine (split-growth's steps without its checks).
     */
    static List<Long> splitSizes(long m, long n) {
        LokierDesign d = new LokierDesign(1L << 32, 0, 1, 1);
        Machine k = new Machine(new MachineConfig(64L << 20, 64L << 20, "x86_64"), d);
        Task t = k.initTask();
        long r = k.mmap(t, 0, m << 12, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        k.write(t, r, 1 << 12, 1);
        List<Long> sizes = new java.util.ArrayList<>();
        long before = 0;
        for (long size = m; size < n; size++) {
            r = k.mremap(t, r, size << 12, (size + 1) << 12, Mman.MREMAP_MAYMOVE, 0);
            long now = d.stats().asMap().getOrDefault("growth_splits", 0L);
            if (now != before) {
                sizes.add(size + 1);
                before = now;
            }
        }
        return sizes;
    }

    /**
     * The claim's paragraph, every number measured: SPLITS at each of FACTORS (fourfold steps), whether
     * forced moves changed them (MOVES_CHANGE_NOTHING), the sizes the splits happened at (SIZES) and
     * the doubling law they follow, if they do.
     */
    private static void claim(Markdown md, long[] factors, long[] splits, boolean movesChangeNothing,
                              List<Long> sizes) {
        java.util.Set<Long> perFour = new java.util.TreeSet<>();
        for (int i = 1; i < splits.length; i++) {
            perFour.add(splits[i] - splits[i - 1]);
        }
        String per = perFour.size() == 1 ? Markdown.count(perFour.iterator().next()) + " splits per fourfold growth"
                : "splits per fourfold growth " + perFour;
        boolean doubling = sizes.size() >= 2;
        for (int k = 1; k < sizes.size(); k++) {
            doubling &= sizes.get(k) + 1 == 2 * (sizes.get(k - 1) + 1);
        }
        String list = String.join(", ", sizes.stream().limit(4).map(String::valueOf).toList());
        String law = doubling ? ": S_k = " + (sizes.get(0) + 1) + " x 2^(k-1) - 1" : "";
        boolean below = true;
        for (int i = 0; i < splits.length; i++) {
            below &= splits[i] <= 1 + Math.log(factors[i]) / Math.log(2);
        }
        md.format("%n%s: %s with K = 1 (splits at %s, ... pages%s), %s 1 + log2(n/m), moves %s; ",
                below ? "The claim holds" : "The claim does not hold", per, list, law, below ? "below" : "not always below",
                movesChangeNothing ? "changing nothing" : "changing the count");
    }

    /** WORKLOAD with PR under lokier with K = 1 and no minimum reserve. */
    private static Findings.Run k1(String workload, Map<String, Long> pr) {
        return Findings.measure(workload, pr, () -> new LokierDesign(1L << 32, 0, 1, 1), "x86_64", CheckPolicy.END);
    }

    private static void threadedServer(Markdown md) {
        Findings.Run ts = measure("threaded-server", params(), "lokier");
        Findings.Run tsAvc = measure("threaded-server", params(), "anon_vma_chain");
        md.format("the proposal's 2^22-page minimum absorbs all of these. Not in the claim: "
                        + "`threaded-server` (defaults, arenas grown by mremap among neighbours that lend their reserve, "
                        + "step 5) makes %d growth splits under lokier as proposed, %d vmas at peak against %d under "
                        + "anon_vma_chain: lending reserve to neighbours leaves a grown vma no room of its own.%n%n",
                ts.stat("growth_splits"), ts.cost("vmas_peak"), tsAvc.cost("vmas_peak"));
    }
}
