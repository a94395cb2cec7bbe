package org.rmaplab.report;

import org.rmaplab.cost.ArchProfile;
import org.rmaplab.cost.CostModel;
import org.rmaplab.cost.Meter;
import org.rmaplab.workloads.Workload;
import org.rmaplab.workloads.Workloads;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.rmap.avc.AnonVmaChainDesign;
import org.rmaplab.rmap.lokier.LokierDesign;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * docs/findings.md: the published figures of designs.md reproduced in shape by the named workloads,
 * generated (deterministically) by {@code rmaplab findings}.
 */
public final class Findings {
    private Findings() {}

    /** The costs of WORKLOAD with PARAMS under DESIGN on ARCH; IllegalStateException if it fails. */
    public static Map<String, String> run(String workload, Map<String, Long> params, String design, String arch) {
        return measure(workload, params, () -> RmapDesigns.create(design), arch, CheckPolicy.END).costs();
    }

    /**
     * One checked run of a workload: the cost row, the kernel's counters, the design's own counters
     * ({@link org.rmaplab.mm.RmapStats#asMap()}, with the objects alive and their peaks) and the
     * scenario text it ran.
     */
    public record Run(Map<String, String> costs, Map<String, Long> machine, Map<String, Long> stats, String text) {
        public long cost(String col) {
            return Long.parseLong(costs.get(col));
        }

        public long machine(String name) {
            return machine.getOrDefault(name, 0L);
        }

        public long stat(String name) {
            return stats.getOrDefault(name, 0L);
        }

        /** How many lines of the scenario contain S. */
        public long lines(String s) {
            return text.lines().filter(l -> l.contains(s)).count();
        }
    }

    /**
     * Runs WORKLOAD with PARAMS under a fresh DESIGN (any instance, e.g. a variant with other
     * parameters than the registered one) on ARCH with the oracle at POLICY; IllegalStateException
     * if an expectation fails or an invariant is violated.
     */
    public static Run measure(String workload, Map<String, Long> params, Supplier<RmapDesign> design, String arch,
                              CheckPolicy policy) {
        Workload w = Workloads.find(workload).orElseThrow();
        return measureScenario(w.label(params), w.generate(params), design, arch, policy);
    }

    /** {@link #measure} for a scenario's TEXT (named NAME in messages) rather than a named workload. */
    static Run measureScenario(String name, String text, Supplier<RmapDesign> design, String arch, CheckPolicy policy) {
        Scenario sc = ScenarioParser.parse(name, text);
        MachineConfig mc = sc.machine();
        RmapDesign d = design.get();
        Machine k = new Machine(new MachineConfig(mc.ramBytes(), mc.swapBytes(), arch), d);
        CheckedSyscalls c = new CheckedSyscalls(k, policy);
        Meter meter = new Meter(c, k, ArchProfile.of(arch));
        RunResult r = new ScenarioRunner((dn, m) -> meter).run(sc, d.name());
        if (!r.passed()) {
            throw new IllegalStateException(String.join("\n", r.report()));
        }
        c.finish();
        return new Run(CostModel.costs(d.name(), meter), k.counters(), d.stats().asMap(), text);
    }

    private static Map<String, Long> p(Object... kv) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], ((Number) kv[i + 1]).longValue());
        }
        return m;
    }

    private static long n(Map<String, String> row, String col) {
        return Long.parseLong(row.get(col));
    }

    private static void header(StringBuilder b, String first, List<String> cols) {
        b.append("| ").append(first).append(" |");
        cols.forEach(c -> b.append(' ').append(c).append(" |"));
        b.append("\n|---:|");
        cols.forEach(c -> b.append("---:|"));
        b.append('\n');
    }

    private static Run measure(String workload, Map<String, Long> params, String design) {
        return measure(workload, params, () -> RmapDesigns.create(design), "x86_64", CheckPolicy.END);
    }

    /** mremap after fork: anonmm's early COWs (Linus, seed 001) on the workloads that trigger them. */
    private static void mremapAfterFork(StringBuilder b, List<String> designs) {
        b.append("## mremap after fork: anonmm's early COWs (Linus, seed 001)\n\n");
        b.append("`mremap-after-fork pages=16 rounds=1`, x86_64: the parent and its N children each move the 16 "
                + "pages they share (mremap MAYMOVE|FIXED), the parent first. mremap_cows under anonmm; COW copies "
                + "(every cause) under anonmm and under the other designs (all equal); rmap_ops per design.\n\n");
        List<String> cols = new java.util.ArrayList<>(List.of("anonmm mremap_cows", "N x P", "anonmm cow_copies",
                "others' cow_copies"));
        designs.forEach(d -> cols.add(d + " rmap_ops"));
        header(b, "children", cols);
        for (long c : new long[] {1, 2, 4, 8, 16}) {
            Map<String, Long> pr = p("children", c, "pages", 16, "rounds", 1);
            StringBuilder ops = new StringBuilder();
            long others = -1;
            Run mm = null;
            for (String d : designs) {
                Run r = measure("mremap-after-fork", pr, d);
                ops.append(' ').append(r.cost("rmap_ops")).append(" |");
                if (d.equals("anonmm")) {
                    mm = r;
                } else {
                    if (others >= 0 && others != r.machine("cow_copies")) {
                        throw new IllegalStateException("cow_copies differ between the designs other than anonmm");
                    }
                    others = r.machine("cow_copies");
                }
            }
            b.append("| ").append(c).append(" | ").append(mm.cost("mremap_cows")).append(" | ").append(c * 16)
                    .append(" | ").append(mm.machine("cow_copies")).append(" | ").append(others).append(" |")
                    .append(ops).append('\n');
        }
        Run mm = measure("fork-without-exec", p(), "anonmm");
        Run avc = measure("fork-without-exec", p(), "anon_vma_chain");
        b.append(String.format(java.util.Locale.ROOT, "%n`fork-without-exec` (defaults: 4 children that never exec, "
                        + "32 pages, 24 rounds, %d of which move a child's heap): anonmm makes %d mremap COWs and %d COW "
                        + "copies in all, anon_vma_chain %d copies (the other designs the same), so %d of anonmm's "
                        + "early copies were made anyway by later writes and %d are extra.%n%n",
                mm.lines("mremap"), mm.cost("mremap_cows"), mm.machine("cow_copies"), avc.machine("cow_copies"),
                mm.cost("mremap_cows") - (mm.machine("cow_copies") - avc.machine("cow_copies")),
                mm.machine("cow_copies") - avc.machine("cow_copies")));
        b.append("Linus: \"The extra COW in mremap() seems benign. Again, it should usually not even trigger.\" "
                + "The model agrees that it never triggers without sharing (realloc-growth with no child: 0, above) "
                + "and shows what it costs when it does: when every task of a fork group moves the region it still "
                + "shares, every mover but the last copies every shared page, N x P in all, where the other designs "
                + "copy nothing (pte_chains pays a remove and an add per pte instead). How often fork-sharing tasks "
                + "mremap shared memory is a property of the applications, which the model cannot settle.\n\n");
    }

    /** Commit 7a3ef208e662: anon_vma growth in a fork chain, with and without reuse. */
    private static void anonVmaGrowth(StringBuilder b, List<String> designs) {
        ArchProfile a = ArchProfile.of("x86_64");
        int av = a.objectBytes("anon_vma_chain", "anon_vma");
        int avc = a.objectBytes("anon_vma_chain", "anon_vma_chain");
        b.append("## anon_vma growth without reuse (commit 7a3ef208e662)\n\n");
        b.append("`anon-vma-growth pages=4 cow=1 parent_exits=1`, x86_64: a fork chain of depth D, each generation "
                + "writing one page, each parent exiting after its fork (a daemon re-forking itself). What is left "
                + "at the end (one task, one vma): anon_vmas and anon_vma_chains under anon_vma_chain with the reuse "
                + "rule (today) and without it (before the commit), their bytes (" + av + " and " + avc
                + " each); anon_vma (2.6.7) keeps one anon_vma per family; anonmm an anonmm per exited mm whose "
                + "pages are still mapped.\n\n");
        header(b, "depth", List.of("reuse: anon_vmas", "chains", "bytes", "no reuse: anon_vmas", "chains", "bytes",
                "anon_vma: anon_vmas", "anonmm: anonmms"));
        for (long d : new long[] {4, 16, 64, 256}) {
            Map<String, Long> pr = p("depth", d, "pages", 4, "cow", 1);
            Run with = measure("anon-vma-growth", pr, () -> new AnonVmaChainDesign(true), "x86_64", CheckPolicy.END);
            Run without = measure("anon-vma-growth", pr, () -> new AnonVmaChainDesign(false), "x86_64",
                    CheckPolicy.END);
            b.append("| ").append(d);
            for (Run r : new Run[] {with, without}) {
                long n = r.stat("anon_vma_alive");
                long c = r.stat("anon_vma_chain_alive");
                b.append(" | ").append(n).append(" | ").append(c).append(" | ").append(n * av + c * avc);
            }
            b.append(" | ").append(measure("anon-vma-growth", pr, "anon_vma").stat("anon_vma_alive"))
                    .append(" | ").append(measure("anon-vma-growth", pr, "anonmm").stat("anonmm_alive")).append(" |\n");
        }
        b.append("\nrmap_bytes at the end (one task left), every design; anon_vma_chain without reuse is its "
                + "objects plus the same vma growth as with reuse. pte_chains' bytes are chain blocks left "
                + "holding one pte each: 2.6.0 turns a chain back into a direct pointer only in page_referenced, "
                + "and nothing is reclaimed here.\n\n");
        List<String> cols = new java.util.ArrayList<>(designs);
        cols.add("anon_vma_chain without reuse");
        header(b, "depth", cols);
        for (long d : new long[] {4, 16, 64, 256}) {
            Map<String, Long> pr = p("depth", d, "pages", 4, "cow", 1);
            b.append("| ").append(d).append(" |");
            long growth = 0;
            for (String design : designs) {
                Run r = measure("anon-vma-growth", pr, design);
                b.append(' ').append(r.cost("rmap_bytes")).append(" |");
                if (design.equals("anon_vma_chain")) {
                    growth = r.cost("rmap_bytes") - r.stat("anon_vma_alive") * av - r.stat("anon_vma_chain_alive") * avc;
                }
            }
            Run without = measure("anon-vma-growth", pr, () -> new AnonVmaChainDesign(false), "x86_64",
                    CheckPolicy.END);
            b.append(' ').append(growth + without.stat("anon_vma_alive") * av + without.stat("anon_vma_chain_alive") * avc)
                    .append(" |\n");
        }
        b.append("\nWith every generation alive (`parent_exits=0`), reuse cannot apply (every anon_vma has a vma): "
                + "the youngest vma links to all D + 1 anon_vmas, (D+1)(D+2)/2 chains in all.\n\n");
        header(b, "depth", List.of("anon_vmas", "chains", "anon_vma_chain rmap_bytes_peak", "anon_vma rmap_bytes_peak"));
        for (long d : new long[] {4, 16, 64}) {
            Map<String, Long> pr = p("depth", d, "pages", 4, "cow", 1, "parent_exits", 0);
            Run r = measure("anon-vma-growth", pr, "anon_vma_chain");
            b.append("| ").append(d).append(" | ").append(r.stat("anon_vma_alive")).append(" | ")
                    .append(r.stat("anon_vma_chain_alive")).append(" | ").append(r.cost("rmap_bytes_peak"))
                    .append(" | ").append(measure("anon-vma-growth", pr, "anon_vma").cost("rmap_bytes_peak"))
                    .append(" |\n");
        }
        b.append("\nThe commit: \"Constantly forking task causes unlimited grow of anon_vma chain\"; with the "
                + "reuse rule \"count of anon_vmas is no more than two times bigger than count of vmas\". The model "
                + "agrees: without reuse one anon_vma and one chain per generation stay (D + 1), with it three "
                + "whatever the depth (generation g + 2 takes generation g's anon_vma once g has exited). Bounded, "
                + "as claimed; the \"two times\" holds while parent and child are both alive (3 <= 2 x 2 vmas), "
                + "and with one vma left at the end three is one more than that: the anon_vmas of exited "
                + "generations stay as ancestors of the live one.\n\n");
    }

    /** Seed 002: O(log(n/m)) splits for a region grown from m to n pages. */
    private static void lokierSplits(StringBuilder b) {
        b.append("## lokier: O(log(n/m)) splits (Lokier, seed 002)\n\n");
        b.append("`split-growth pages=16 step=1`, x86_64: a 16-page region grown one page at a time by mremap to "
                + "16 x factor pages (the worst case: every split as early as it can be). Splits and internal vmas "
                + "under lokier with a reserve of K = 1 times the region and no minimum (the claim's constant made "
                + "visible), the same with a mapping in the way every 7th step (forced moves), and lokier as "
                + "proposed (minimum reserve 2^22 pages). Every design shows one user-visible vma at the end (the "
                + "scenario expects it).\n\n");
        header(b, "n/m", List.of("K=1 splits", "1 + log2(n/m)", "internal vmas", "K=1, moves: splits",
                "proposed: splits"));
        for (long f : new long[] {4, 16, 64, 256}) {
            Map<String, Long> pr = p("pages", 16, "factor", f);
            Map<String, Long> moving = p("pages", 16, "factor", f, "move_every", 7);
            Run k1 = measure("split-growth", pr, () -> new LokierDesign(1L << 32, 0, 1, 1), "x86_64", CheckPolicy.END);
            Run mv = measure("split-growth", moving, () -> new LokierDesign(1L << 32, 0, 1, 1), "x86_64",
                    CheckPolicy.END);
            Run proposed = measure("split-growth", pr, "lokier");
            b.append("| ").append(f).append(" | ").append(k1.stat("growth_splits"))
                    .append(String.format(java.util.Locale.ROOT, " | %.0f | ", 1 + Math.log(f) / Math.log(2)))
                    .append(k1.cost("vmas_peak")).append(" | ").append(mv.stat("growth_splits")).append(" | ")
                    .append(proposed.stat("growth_splits")).append(" |\n");
        }
        Run ts = measure("threaded-server", p(), "lokier");
        Run tsAvc = measure("threaded-server", p(), "anon_vma_chain");
        b.append(String.format(java.util.Locale.ROOT, "%nThe claim holds: two splits per fourfold growth with K = 1 "
                        + "(splits at 25, 51, 103, 207, ... pages: S_k = 26 x 2^(k-1) - 1), below 1 + log2(n/m), moves "
                        + "changing nothing; the proposal's 2^22-page minimum absorbs all of these. Not in the claim: "
                        + "`threaded-server` (defaults, arenas grown by mremap among neighbours that lend their reserve, "
                        + "step 5) makes %d growth splits under lokier as proposed, %d vmas at peak against %d under "
                        + "anon_vma_chain: lending reserve to neighbours leaves a grown vma no room of its own.%n%n",
                ts.stat("growth_splits"), ts.cost("vmas_peak"), tsAvc.cost("vmas_peak")));
    }

    /** Seed 004 / UFFDIO_MOVE: compaction by moves, and the copies a snapshot child forces. */
    private static void gcCompaction(StringBuilder b, List<String> designs) {
        b.append("## GC compaction with UFFDIO_MOVE: moves vs copies (seed 004)\n\n");
        b.append("`gc-compact objects=64 rounds=4 die=50`, x86_64: 64 one-page objects allocated a round, half "
                + "of the live ones dying, the survivors moved into a fresh registered to-space. A snapshot child "
                + "(forked in round 2 or 4, living one round) makes the pages it shares EBUSY; the collector falls back, as "
                + "ART's compactor does, to UFFDIO_COPY of those into the to-space (`uffd_copy`: a new page and a copy; "
                + "the shared page stays until the from-space is unmapped). The same under every design.\n\n");
        header(b, "variant", List.of("uffd_move calls", "pages moved", "EBUSY", "pages copied (UFFDIO_COPY)",
                "COW copies", "pages allocated"));
        Object[][] variants = {
            {"runs", p()},
            {"page by page", p("run", 0)},
            {"snapshot child in round 2", p("snapshot", 2, "snapshot_rounds", 1)},
            {"snapshot child in round 4", p("snapshot", 4, "snapshot_rounds", 1)},
        };
        for (Object[] v : variants) {
            @SuppressWarnings("unchecked")
            Map<String, Long> pr = new LinkedHashMap<>((Map<String, Long>) v[1]);
            pr.putIfAbsent("objects", 64L);
            pr.putIfAbsent("rounds", 4L);
            pr.putIfAbsent("die", 50L);
            String row = null;
            for (String d : designs) {
                Run r = measure("gc-compact", pr, d);
                String x = " | " + r.lines("uffd_move") + " | " + r.machine("uffd_pages_moved") + " | "
                        + r.lines("expect EBUSY") + " | " + r.machine("uffd_pages_copied") + " | " + r.machine("cow_copies") + " | "
                        + r.machine("anon_pages_allocated") + " |";
                if (row != null && !row.equals(x)) {
                    throw new IllegalStateException("gc-compact differs between designs: " + row + " vs " + x);
                }
                row = x;
            }
            b.append("| ").append(v[0]).append(row).append('\n');
        }
        b.append("\nWithout sharing, compaction allocates and copies nothing: each live page is moved (a pte and "
                + "its page's mapping and index rewritten); allocations are the mutator's own objects. A child that "
                + "shares the heap turns each shared live page into an EBUSY, then an allocation and a copy by "
                + "UFFDIO_COPY, as designs.md says (\"EBUSY (page not exclusive — shared by fork or KSM)\"); a page stays "
                + "unmovable after the child exits until the parent writes it (6.18 keys it on PageAnonExclusive: "
                + "scenarios/uffd/move_ebusy_fork.vms). "
                + "The published timings (MOVE 40% faster for a compaction thread; COPY 20% faster when pages must "
                + "be allocated anyway) are not reproduced: the model counts, it does not time. What it shows is "
                + "the mechanism behind both: MOVE saves the allocation and the copy only for exclusive pages.\n\n");
    }

    /** Linus, seed 001: "A high-performance server would use threads, anyway." */
    private static void threadedServer(StringBuilder b, List<String> designs) {
        b.append("## One mm: a threaded server (Linus, seed 001)\n\n");
        b.append("`threaded-server` (defaults: 8 threads, 64 requests), x86_64, run with the oracle's full check "
                + "off (contents still checked on every read) so that the walks are reclaim's own: vmas (mms for "
                + "anonmm) visited per walk, vmas and anon_vmas at peak.\n\n");
        header(b, "design", List.of("walks", "visited per walk", "vmas_peak", "anon_vmas at peak",
                "vmas per anon_vma", "rmap_bytes_peak"));
        for (String d : designs) {
            Run r = measure("threaded-server", p(), () -> RmapDesigns.create(d), "x86_64", CheckPolicy.OFF);
            long av = r.stat("anon_vma_peak");
            b.append("| ").append(d).append(" | ").append(r.cost("walks"))
                    .append(String.format(java.util.Locale.ROOT, " | %.2f | ",
                            (double) r.cost("walk_vmas_visited") / Math.max(1, r.cost("walks"))))
                    .append(r.cost("vmas_peak")).append(" | ").append(av == 0 ? "-" : Long.toString(av))
                    .append(av == 0 ? " | - | " : String.format(java.util.Locale.ROOT, " | %.2f | ",
                            (double) r.cost("vmas_peak") / av))
                    .append(r.cost("rmap_bytes_peak")).append(" |\n");
        }
        b.append("\nWith one mm every design's walk finds the page's one pte: anonmm and pte_chains look at one mm "
                + "or pte, lokier at the vmas of the page's reservation covering its offset; anon_vma_chain's "
                + "interval tree returns every vma of the page's anon_vma whose pgoff range covers the page's pgoff "
                + "(mremap'ed vmas keep their pgoff while new mappings take addr >> PAGE_SHIFT, so ranges can "
                + "overlap), about two here; anon_vma (2.6.7) visits every vma on the page's anon_vma list, which "
                + "anon_vma_prepare shares between mergeable neighbours (vmas per anon_vma: both peaks, not taken at "
                + "the same moment). The vma counts differ because merging does: the anon_vma designs merge two "
                + "vmas only with compatible anon_vmas, pte_chains and anonmm (no per-vma anonymous state) whenever "
                + "the core allows, lokier only offset-contiguous ones. No page is shared, so pte_chains keep every "
                + "page PG_direct and allocate no chain at all.\n\n");
    }

    /** The whole document. */
    public static String markdown() {
        List<String> designs = RmapDesigns.names();
        StringBuilder b = new StringBuilder();
        b.append("# Findings\n\n");
        b.append("Generated by `rmaplab findings` from the named workloads (`rmaplab workloads`); do not edit.\n");
        b.append("Each section takes one published figure of docs (designs.md, \"Published figures worth\n");
        b.append("reproducing in shape\", and section 6's rmap-test) and shows what the model gives for it.\n");
        b.append("Sizes are those of `org.rmaplab.cost.ArchProfile`.\n\n");

        // 1. Bligh: pte_chains grow with tasks x shared pages; the object designs stay flat.
        b.append("## pte_chains grow with tasks x shared pages (Bligh, 2003)\n\n");
        b.append("`shared-segment pages=256`, i386: rmap_bytes_peak by number of tasks mapping the segment.\n\n");
        b.append("| tasks |");
        designs.forEach(d -> b.append(' ').append(d).append(" |"));
        b.append("\n|---:|");
        designs.forEach(d -> b.append("---:|"));
        b.append('\n');
        long perPtePc = 0;
        for (long t : new long[] {2, 4, 8, 16, 32}) {
            b.append("| ").append(t).append(" |");
            for (String d : designs) {
                Map<String, String> row = run("shared-segment", p("tasks", t, "pages", 256), d, "i386");
                b.append(' ').append(row.get("rmap_bytes_peak")).append(" |");
                if (t == 32 && d.equals("pte_chains")) {
                    perPtePc = n(row, "rmap_bytes_peak");
                }
            }
            b.append('\n');
        }
        // 32 tasks x 256 pages: bytes per mapped pte; then 5000 tasks x 2 GB (524288 pages) with the
        // same block geometry: ceil(5000 / NRPTE) blocks per page.
        org.rmaplab.rmap.ptechains.PteChainGeometry g = org.rmaplab.rmap.ptechains.PteChainGeometry.of("i386", 0);
        double perPte = perPtePc / (32.0 * 256);
        long blocksPerPage = (5000 + g.nrpte() - 1) / g.nrpte();
        double scaled = (double) blocksPerPage * g.blockBytes() * 524288;
        b.append(String.format(java.util.Locale.ROOT,
                "%nAt 32 tasks pte_chains spend %.2f bytes per mapped pte (i386: %d-byte blocks of %d ptes). "
                        + "5000 tasks x 2 GB of shm (524288 pages) would need %d blocks per page, %.1f GiB of "
                        + "pte_chains, all of it in the 896 MB of lowmem: Bligh's estimate was about 10 GB. The other "
                        + "designs' rmap metadata grows with tasks (vmas, mms), not with pages.%n%n",
                perPte, g.blockBytes(), g.nrpte(), blocksPerPage, scaled / (1L << 30)));

        // 2. anon_vma walk O(children), AVC about 1.
        b.append("## Reverse-walk cost under fork fan-out (commit 5beb49305251)\n\n");
        b.append("`fork-fanout pages=4 parent_exits=1`, x86_64: vmas visited per walk (walk_vmas_visited / walks).\n\n");
        b.append("| children |");
        designs.forEach(d -> b.append(' ').append(d).append(" |"));
        b.append("\n|---:|");
        designs.forEach(d -> b.append("---:|"));
        b.append('\n');
        for (long c : new long[] {1, 4, 16, 64}) {
            b.append("| ").append(c).append(" |");
            for (String d : designs) {
                Map<String, String> row = run("fork-fanout", p("children", c, "pages", 4, "parent_exits", 1), d, "x86_64");
                b.append(String.format(java.util.Locale.ROOT, " %.2f |", (double) n(row, "walk_vmas_visited")
                        / Math.max(1, n(row, "walks"))));
            }
            b.append('\n');
        }
        b.append("\nanon_vma: (N+1)/2 on average (children at the head of one list, the walk stops at the page's "
                + "vma); anon_vma_chain: 1.\n\n");

        // 3. anonmm's mremap COWs.
        b.append("## anonmm's mremap COW \"should usually not even trigger\" (Linus, seed 001)\n\n");
        b.append("`realloc-growth pages=4 rounds=6`, x86_64: mremap_cows under anonmm, by children sharing "
                + "the buffer when it starts to grow (4 pages shared, 256 at the end).\n\n| children | mremap_cows |\n"
                + "|---:|---:|\n");
        for (long c : new long[] {0, 1, 4}) {
            Map<String, String> row = run("realloc-growth", p("pages", 4, "rounds", 6, "children", c, "reclaim", 0),
                    "anonmm", "x86_64");
            b.append("| ").append(c).append(" | ").append(row.get("mremap_cows")).append(" |\n");
        }
        b.append("\nOnly pages still shared with a child when first moved are COWed early: with no fork, none.\n\n");

        // 4. op counts per design.
        b.append("## rmap operations per design on a preforking server\n\n");
        b.append("`prefork-server` (defaults), x86_64. Bligh's 2004 profile is compared on a build in the next "
                + "section.\n\n| design | rmap_ops | rmap_bytes_peak | walks | "
                + "walk_vmas_visited |\n|---|---:|---:|---:|---:|\n");
        for (String d : designs) {
            Map<String, String> row = run("prefork-server", p(), d, "x86_64");
            b.append("| ").append(d).append(" | ").append(row.get("rmap_ops")).append(" | ")
                    .append(row.get("rmap_bytes_peak")).append(" | ").append(row.get("walks")).append(" | ")
                    .append(row.get("walk_vmas_visited")).append(" |\n");
        }
        b.append('\n');
        blighKernelBuild(b);
        mremapAfterFork(b, designs);
        anonVmaGrowth(b, designs);
        lokierSplits(b);
        gcCompaction(b, designs);
        threadedServer(b, designs);
        rmapTest(b, designs);
        pgDirectOnTraces(b);
        mlockedSegment(b);

        b.append("\n## Not reproduced yet\n\n");
        b.append("- Timings (Morton's 10% off kernel compiles with pte_chain arrays; UFFDIO_MOVE's 40% off a "
                + "compaction thread, UFFDIO_COPY's 20% lead when pages are allocated anyway): the model counts "
                + "work, it does not time it.\n");
        b.append("- Bligh's 2004 profile (page_add_rmap -57%, page_remove_rmap -35%): compared above in call "
                + "counts on a traced build (make-gcc), of which only the disappearance of pte_chain allocation reproduces: "
                + "the percentages are of profile time, which the model does not measure, and the trace is a small "
                + "gcc build whose page accesses are synthesized (the first 64 pages of each new mapping).\n");
        return b.toString();
    }

    /** Pages of the segment in {@link #mlockedSegment}. */
    static final long MLOCKED_SEGMENT_PAGES = 1024;

    /** {@code mlocked-segment} on i386 under pte_chains as 2.6.0 built it ({@code stepB} false) or with wli's step (b). */
    static Run mlockedSegmentRun(long tasks, long munlock, boolean stepB) {
        return measure("mlocked-segment", p("tasks", tasks, "pages", MLOCKED_SEGMENT_PAGES, "munlock", munlock),
                () -> new org.rmaplab.rmap.ptechains.PteChainsDesign(0, stepB), "i386", CheckPolicy.END);
    }

    /**
     * wli's step (b) (seed 003): an mlocked segment shared by T tasks without pte_chains, against
     * 2.6.0's pte_chains, on i386; then what munlock has to rebuild. A separate section so that
     * other findings merge apart from it.
     */
    static void mlockedSegment(StringBuilder b) {
        long pages = MLOCKED_SEGMENT_PAGES;
        org.rmaplab.rmap.ptechains.PteChainGeometry g = org.rmaplab.rmap.ptechains.PteChainGeometry.of("i386", 0);
        b.append("## mlocked pages without pte_chains (wli, 2003: step (b))\n\n");
        b.append("`mlocked-segment pages=").append(pages).append("`, i386 (").append(g.blockBytes())
                .append("-byte pte_chain blocks of ").append(g.nrpte()).append(" ptes, page tables in lowmem): T tasks "
                        + "each map a tmpfs segment MAP_SHARED and mlock it, as each process of an Oracle-like server "
                        + "attaches and locks its SGA; then `reclaim all`. pte_chains as 2.6.0 built it against the "
                        + "variant `new PteChainsDesign(0, true)` (ptes of VM_LOCKED vmas unchained, the page PG_mlocked "
                        + "and off the LRU; see the ptechains package-info).\n\n");
        b.append("| tasks | pte_chain_bytes_peak 2.6.0 | step (b) | lowmem_bytes_peak 2.6.0 | step (b) | saved | "
                + "reclaim: pages scanned 2.6.0 | step (b) | ptes walked 2.6.0 | step (b) |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (long t : new long[] {2, 4, 8, 16, 32}) {
            Run plain = mlockedSegmentRun(t, 0, false);
            Run stepB = mlockedSegmentRun(t, 0, true);
            long lp = plain.cost("lowmem_bytes_peak");
            long ls = stepB.cost("lowmem_bytes_peak");
            b.append("| ").append(t).append(" | ").append(plain.cost("pte_chain_bytes_peak")).append(" | ")
                    .append(stepB.cost("pte_chain_bytes_peak")).append(" | ").append(lp).append(" | ").append(ls)
                    .append(String.format(java.util.Locale.ROOT, " | %.1f%%", 100.0 * (lp - ls) / lp)).append(" | ")
                    .append(plain.machine("pages_scanned")).append(" | ").append(stepB.machine("pages_scanned")).append(" | ")
                    .append(plain.cost("walk_ptes_checked")).append(" | ").append(stepB.cost("walk_ptes_checked"))
                    .append(" |\n");
        }
        Run p16 = mlockedSegmentRun(16, 0, false);
        b.append(String.format(java.util.Locale.ROOT,
                "%nWhat it saves: all of the chains — %d bytes at 16 tasks, pages x ceil(T / %d) blocks of %d bytes "
                        + "under 2.6.0, none with step (b) — and reclaim's time on locked pages: 2.6.0 keeps them on the "
                        + "LRU, so reclaim scans them and try_to_unmap walks their chains to fail on the first VM_LOCKED "
                        + "pte (%d failed unmaps at 16 tasks), where step (b) never sees them. What it does not "
                        + "save: the page tables, one 4-byte pte per task per page in lowmem (no HIGHPTE on i386), which "
                        + "cost about as much as the chains did (%d of %d lowmem bytes at 16 tasks), so lowmem falls by "
                        + "about a quarter here, not to nothing; Bligh's 10 GB of chains for 5000 tasks x 2 GB go, the "
                        + "page tables for them stay. The saving needs each process to lock the segment itself: a fork "
                        + "child does not inherit VM_LOCKED, and 2.6.0's fork copies every pte, so a segment inherited by "
                        + "fork is chained in full in the child until the child mlocks it.%n%n",
                p16.cost("pte_chain_bytes_peak"), g.nrpte(), g.blockBytes(), p16.cost("unmaps_failed"),
                p16.cost("pagetable_bytes_peak"), p16.cost("lowmem_bytes_peak")));
        b.append("What munlock costs at 16 tasks: the vma's own page tables are walked (one lookup per page of the "
                + "range) and every present pte is chained again; ptes of the tasks still locked stay unchained, since "
                + "nothing in pte_chains can find them, and the page stays off the LRU until the last of them goes.\n\n");
        b.append("| tasks munlocking | chain entries rebuilt | pte_chain_bytes_peak | pages still PG_mlocked | "
                + "reclaim: pages scanned | pages evicted |\n|---:|---:|---:|---:|---:|---:|\n");
        for (long m : new long[] {1, 4, 16}) {
            Run r = mlockedSegmentRun(16, m, true);
            b.append("| ").append(m).append(" | ").append(r.stat("pte_chain_munlock_rechained")).append(" | ")
                    .append(r.cost("pte_chain_bytes_peak")).append(" | ").append(r.stat("pg_mlocked_alive")).append(" | ")
                    .append(r.machine("pages_scanned")).append(" | ").append(r.machine("shmem_swap_outs")).append(" |\n");
        }
        b.append(String.format(java.util.Locale.ROOT,
                "%nEach munlocking task rebuilds one entry per page (%d); once all 16 have munlocked, the chains are "
                        + "2.6.0's again (the same peak as without step (b)) and reclaim evicts through them. The rebuild "
                        + "is the price of keeping no object: it is paid per munlock, in full, and a task that locks and "
                        + "unlocks a shared segment repeatedly pays it every time.%n%n", pages));
    }

    /** Walk vmas visited and ptes checked per walk of {@code rmap-test} with TASKS and VMAS, per design. */
    static double[][] rmapTestPerWalk(long tasks, long vmas, List<String> designs) {
        double[][] out = new double[designs.size()][2];
        for (int i = 0; i < designs.size(); i++) {
            Map<String, String> row = run("rmap-test", p("tasks", tasks, "vmas", vmas, "pages", 1), designs.get(i),
                    "x86_64");
            double walks = Math.max(1, n(row, "walks"));
            out[i][0] = n(row, "walk_vmas_visited") / walks;
            out[i][1] = n(row, "walk_ptes_checked") / walks;
        }
        return out;
    }

    private static String f2(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /**
     * Morton's rmap-test (designs.md section 6: 100 tasks x 100 vmas, 22 min with a linear i_mmap
     * search against 5 with pte_chains): vmas visited and ptes checked per walk, by tasks and by
     * vmas per task, with a chart of anonmm's list walk against the trees.
     */
    static void rmapTest(StringBuilder b, List<String> designs) {
        b.append("## The linear i_mmap list: Morton's rmap-test (designs.md section 6)\n\n");
        b.append("`rmap-test pages=1 iters=1`, x86_64: TASKS tasks (the parent and its children) each map one "
                + "file in VMAS one-page windows (i_mmap holds TASKS x VMAS vmas), each writes every page, then "
                + "reclaim all. Vmas visited per walk (walk_vmas_visited / walks) per design; ptes checked per "
                + "walk (walk_ptes_checked / walks) is TASKS under every design unless a column says otherwise. "
                + "anonmm walks 2.6.6's i_mmap_shared list from its head (every vma counted, covering or not), "
                + "anon_vma 2.6.7's prio_tree and anon_vma_chain and lokier the interval tree (covering vmas "
                + "only); pte_chains follows each page's chain, one vma lookup per pte.\n\n");
        long[] tasksSweep = {1, 2, 4, 8, 16};
        long[] vmasSweep = {1, 2, 4, 8, 16, 32};
        long fixedVmas = 8;
        long fixedTasks = 8;
        double[][][] byTasks = new double[tasksSweep.length][][];
        double[][][] byVmas = new double[vmasSweep.length][][];
        for (int i = 0; i < tasksSweep.length; i++) {
            byTasks[i] = rmapTestPerWalk(tasksSweep[i], fixedVmas, designs);
        }
        for (int i = 0; i < vmasSweep.length; i++) {
            byVmas[i] = rmapTestPerWalk(fixedTasks, vmasSweep[i], designs);
        }
        rmapTestTable(b, "tasks", tasksSweep, "vmas=" + fixedVmas, byTasks, designs);
        rmapTestTable(b, "vmas", vmasSweep, "tasks=" + fixedTasks, byVmas, designs);

        // A chart: anonmm's list walk against the prio_tree (anon_vma) and pte_chains, by vmas per task.
        int mm = designs.indexOf("anonmm");
        double max = byVmas[vmasSweep.length - 1][mm][0];
        b.append("vmas visited per walk, tasks=").append(fixedTasks).append(", by vmas per task (each # is ")
                .append(f2(max / 60)).append(" vmas):\n\n```\n");
        for (int i = 0; i < vmasSweep.length; i++) {
            for (String d : new String[] {"anonmm", "anon_vma", "pte_chains"}) {
                double v = byVmas[i][designs.indexOf(d)][0];
                b.append(String.format(java.util.Locale.ROOT, "%-9s %-10s %-60s %s%n",
                        d.equals("anonmm") ? "vmas=" + vmasSweep[i] : "", d, "#".repeat((int) Math.round(v * 60 / max)),
                        f2(v)));
            }
        }
        b.append("```\n\n");
        double last = byVmas[vmasSweep.length - 1][mm][0];
        b.append("The model shows the linear-list worst case in shape: anonmm's walk of a page visits every vma "
                + "linked before the page's window, TASKS x (VMAS + 1) / 2 on average (")
                .append(f2(last)).append(" at ").append(fixedTasks).append(" x ").append(vmasSweep[vmasSweep.length - 1])
                .append("), growing with TASKS x VMAS, while pte_chains look at the page's TASKS ptes and no more, "
                        + "and the prio_tree of 2.6.7 (anon_vma) and today's interval tree bring the file walk down "
                        + "to the same TASKS vmas. At Morton's 100 tasks x 100 vmas (101 tasks with the parent) the "
                        + "list walk visits about 5100 vmas per page against 101 ptes: about 50 times the work per "
                        + "walk, where the published run took 22 minutes against 5 (designs.md); Rajesh "
                        + "Venkatasubramanian's prio_tree posting (linux-kernel, March 2004) has `rmap-test -l -i 10 "
                        + "-n 100 -s 600 -t 100` at 13 minutes on 2.6.5-rc2 (pte_chains), 13.5 with prio_tree and "
                        + "objrmap, and killed after 7.5 hours with objrmap's lists. The model counts vmas visited "
                        + "and ptes checked, not time: a list step (vma_address on a vma that does not cover the page) "
                        + "is much cheaper than a pte lookup, and the touching, faulting and I/O that the published "
                        + "minutes include are not compared, so the ratio of the counts is not the ratio of the "
                        + "times. The ptes checked are TASKS per walk under every design: the list walk's extra "
                        + "work is all in vmas that do not map the page.\n\n");
    }

    private static void rmapTestTable(StringBuilder b, String swept, long[] values, String fixed, double[][][] rows,
            List<String> designs) {
        b.append("By ").append(swept).append(" (").append(fixed).append("): vmas visited per walk.\n\n");
        List<String> cols = new java.util.ArrayList<>(designs);
        cols.add("ptes per walk");
        header(b, swept, cols);
        for (int i = 0; i < values.length; i++) {
            b.append("| ").append(values[i]).append(" |");
            for (int d = 0; d < designs.size(); d++) {
                b.append(' ').append(f2(rows[i][d][0])).append(" |");
            }
            java.util.TreeSet<String> ptes = new java.util.TreeSet<>();
            for (int d = 0; d < designs.size(); d++) {
                ptes.add(f2(rows[i][d][1]));
            }
            if (ptes.size() == 1) {
                b.append(' ').append(ptes.first()).append(" |\n");
            } else {
                b.append(' ');
                for (int d = 0; d < designs.size(); d++) {
                    b.append(d == 0 ? "" : ", ").append(designs.get(d)).append(' ').append(f2(rows[i][d][1]));
                }
                b.append(" |\n");
            }
        }
        b.append('\n');
    }

    /**
     * Sums, over the samples taken after every system call, of anonymous pages mapped and mapped
     * once, and the same of file (page-cache) pages.
     */
    static final class MappedOnce {
        long mappedSum;
        long onceSum;
        long mappedPeak;
        long fileSum;
        long fileOnceSum;
        long filePeak;
        long calls;

        void sample(Machine k) {
            org.rmaplab.mm.Frames f = k.frames();
            long mapped = 0;
            long once = 0;
            long file = 0;
            long fileOnce = 0;
            for (int pfn = 0, n = f.nrFrames(); pfn < n; pfn++) {
                if (f.mapcount[pfn] <= 0) {
                    continue;
                }
                if ((f.flags[pfn] & org.rmaplab.mm.Frames.PG_ANON) != 0) {
                    mapped++;
                    once += f.mapcount[pfn] == 1 ? 1 : 0;
                } else {
                    file++;
                    fileOnce += f.mapcount[pfn] == 1 ? 1 : 0;
                }
            }
            mappedSum += mapped;
            onceSum += once;
            mappedPeak = Math.max(mappedPeak, mapped);
            fileSum += file;
            fileOnceSum += fileOnce;
            filePeak = Math.max(filePeak, file);
            calls++;
        }
    }

    /**
     * The PG_direct share on the committed real traces (designs.md: "About 90% of anonymous pages
     * have one mapping (hence PG_direct)", Bligh), under pte_chains with the converter's default
     * options. A separate section so that other findings merge apart from it.
     */
    static void pgDirectOnTraces(StringBuilder b) {
        b.append("## The PG_direct share on real traces (Bligh: about 90% of anonymous pages have one mapping)\n\n");
        b.append("The traces under `traces/` (strace of real programs on Linux 6.18, see traces/README.md), converted by "
                + "`rmaplab trace convert` with its defaults (`" + org.rmaplab.traces.TraceConverter.Options.DEFAULT.describe()
                + "`), run under pte_chains, x86_64. Sampled after every system call of the converted scenario: "
                + "`PG_direct` is pte_chains' own state (PG_direct pages / pages it tracks, direct or chained; the "
                + "`pg_direct_share` column of `rmaplab compare`): anonymous and file pages, as 2.6.0's PG_direct covered "
                + "every page with a reverse mapping; `mapped once` the anonymous pages with mapcount 1 / anonymous pages "
                + "mapped (Bligh's claim; what PG_direct would give on them without 2.6.0's lazy collapse); `file mapped "
                + "once` the same of the page-cache pages of the files the programs map (their text, data and read-only "
                + "files: the converter maps each file the trace opened, `--files file`).\n\n");
        b.append("| trace | tasks | forks | vforks | calls | anon pages (peak) | PG_direct | mapped once | file pages (peak) "
                + "| file mapped once | pages with a chain (peak) | pte_chain blocks (peak) |\n"
                + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        org.rmaplab.traces.TraceConverter.Options def = org.rmaplab.traces.TraceConverter.Options.DEFAULT;
        org.rmaplab.traces.TraceConverter.Options asFork = convertOptions(true);
        Map<String, double[]> shares = new LinkedHashMap<>();
        for (String t : org.rmaplab.traces.Traces.NAMES) {
            shares.put(t, traceRow(b, t, t, def));
        }
        double[] makeFork = traceRow(b, "make-gcc", "make-gcc, `--vfork fork`", asFork);
        traceRow(b, "python3", "python3, `--vfork fork`", asFork);
        double lo = 1;
        double hi = 0;
        for (double[] v : shares.values()) {
            lo = Math.min(lo, v[1]);
            hi = Math.max(hi, v[1]);
        }
        double[] sh = shares.get("sh-pipeline");
        double[] pf = shares.get("prefork");
        b.append(String.format(java.util.Locale.ROOT, "%nPages mapped once are %.1f%% to %.1f%% of the mapped anonymous "
                + "pages on these traces, so Bligh's \"about 90%%\" holds in shape: exec-heavy work (make, gcc, a shell "
                + "pipeline, python starting a child) seldom maps an anonymous page twice, because a child is either "
                + "vfork'd (nothing is shared) or execs soon after its fork; the preforking server, whose workers keep the "
                + "parent's heap and cache, is the low end (%.1f%%).%n%n", 100 * lo, 100 * hi, 100 * pf[1]));
        double[] make = shares.get("make-gcc");
        b.append(String.format(java.util.Locale.ROOT, "PG_direct itself is lower, for two reasons. It counts file pages, "
                + "and those are the shared ones: the C library and the programs' text are mapped by every task that "
                + "runs them at the same time (make, the cc driver, cc1 and as under make -j2: %.1f%% of make-gcc's "
                + "mapped file pages are mapped once, against %.1f%% of its anonymous pages, and its PG_direct is "
                + "%.1f%%). And wherever a forked child execs or exits, page_remove_rmap leaves the parent's page in a "
                + "one-pte chain and only page_referenced (reclaim) turns it back into a direct pointer, so without "
                + "memory pressure the flag undercounts single mappers (sh-pipeline %.1f%% PG_direct against %.1f%% "
                + "of anonymous and %.1f%% of file pages mapped once; make-gcc with `--vfork fork` %.1f%%). No trace "
                + "here reclaims.%n%n", 100 * make[2], 100 * make[1], 100 * make[0], 100 * sh[0], 100 * sh[1],
                100 * sh[2], 100 * makeFork[0]));
        b.append("Why these numbers are soft: strace shows no memory accesses, so they are synthesized (`--touch "
                + "write-new`: up to 64 pages of each region that becomes writable, and of each read-only file mapping "
                + "inside its file, read; nothing after fork, so children never COW what they inherit, which lowers the "
                + "prefork trace's share: its workers really do COW); a file is one per path the trace opened, its "
                + "size what a stat showed (else what was mapped), and a program's own image and ld.so, which execve "
                + "maps, are not in the trace, so their pages are missing; the shares are weighted by system calls, not "
                + "by time; and the programs are today's (glibc's posix_spawn vforks, as 2003's make and gcc did, "
                + "while shells fork), so how much is shared after fork depends on the mix of fork and vfork, which the "
                + "`--vfork fork` rows bound.\n");
    }

    /** The converter's default options, with vfork children forked from their parent or not. */
    static org.rmaplab.traces.TraceConverter.Options convertOptions(boolean vforkAsFork) {
        org.rmaplab.traces.TraceConverter.Options def = org.rmaplab.traces.TraceConverter.Options.DEFAULT;
        return new org.rmaplab.traces.TraceConverter.Options(def.touch(), def.touchCap(), def.files(), vforkAsFork);
    }

    /** Trace T converted with OPT, run under DESIGN on x86_64 with the oracle at the end. */
    static Run traceRun(String t, org.rmaplab.traces.TraceConverter.Options opt, String design) {
        String text = org.rmaplab.traces.Traces.convert(t, opt).scenario();
        return measureScenario(org.rmaplab.traces.Traces.path(t) + ".vms", text, () -> RmapDesigns.create(design),
                "x86_64", CheckPolicy.END);
    }

    /**
     * page_add_rmap calls in the kernel DESIGN stands for: pte_chains (2.6.0) calls it for a new
     * page and, in copy_page_range, for every pte fork copies; 2.6.7 (anon_vma) calls
     * page_add_anon_rmap or page_add_file_rmap for a new page only (both counted in rmap_adds),
     * fork's copies being page_dup_rmap (a mapcount increment).
     */
    static long pageAddRmapCalls(Run r, String design) {
        return r.cost("rmap_adds") + (design.equals("pte_chains") ? r.cost("rmap_dups") : 0);
    }

    private static String change(long from, long to) {
        return from == to ? "0.0%" : String.format(java.util.Locale.ROOT, "%+.1f%%", 100.0 * (to - from) / from);
    }

    /**
     * Bligh, 2004 (designs.md, "Published figures"): pte_chains to anon_vma cut page_add_rmap by
     * 57% and page_remove_rmap by 35% and removed pte_chain allocation, on a kernel build. Here:
     * the traced gcc build (traces/make-gcc), its vfork children empty or forked, under both.
     */
    static void blighKernelBuild(StringBuilder b) {
        b.append("## rmap operations on a build: pte_chains to anon_vma (Bligh, 2004: page_add_rmap -57%, "
                + "page_remove_rmap -35%, pte_chain alloc/free gone)\n\n");
        b.append("The `make-gcc` trace (make -j2 driving gcc 12 over five C files: the cc driver, cc1, as, collect2, "
                + "ld; see traces/README.md) converted by `rmaplab trace convert` with `" + convertOptions(false).describe()
                + "` and with `--vfork fork`, run under pte_chains (modelled on 2.6.0) and anon_vma (2.6.7), x86_64. The columns "
                + "are `rmap_adds`, `rmap_dups`, `rmap_removes` and `rmap_allocs` of `rmaplab compare` (the design's "
                + "objects allocated: pte_chain blocks, anon_vmas). File pages are in: the converter maps each file the "
                + "trace opened as a model file (one per path: the C library, cc1's and as's libraries and data files), "
                + "reads up to 64 pages of each read-only file mapping and writes up to 64 of each writable one (a "
                + "private page written becomes an anonymous copy). page_add_rmap calls: the pte_chains kernels call "
                + "page_add_rmap for a new page, anonymous or file, and for each pte fork copies (copy_page_range, which "
                + "2.6.0 and 2.6.7 ran on every vma: lazy page-table copies came in 2.6.14), so adds + dups under "
                + "pte_chains; 2.6.7 calls page_add_anon_rmap for a new "
                + "anonymous page, page_add_file_rmap for a page-cache page a fault maps (both in `rmap_adds`), and "
                + "page_dup_rmap (a mapcount increment) for fork's copies, so adds only. page_remove_rmap is called "
                + "once per pte zapped in both.\n\n");
        b.append("| --vfork | design | rmap_adds | rmap_dups | rmap_removes | rmap_allocs | page_add_rmap calls | "
                + "page_remove_rmap calls |\n|---|---|---:|---:|---:|---:|---:|---:|\n");
        String[] addChange = new String[2];
        String[] removeChange = new String[2];
        long forkCopies = 0;
        long[] chainBlocks = new long[2];
        long anonVmas = 0;
        for (int f = 0; f < 2; f++) {
            String mode = f == 0 ? "empty" : "fork";
            Run pc = traceRun("make-gcc", convertOptions(f == 1), "pte_chains");
            Run av = traceRun("make-gcc", convertOptions(f == 1), "anon_vma");
            for (Run r : List.of(pc, av)) {
                String d = r == pc ? "pte_chains" : "anon_vma";
                b.append("| ").append(mode).append(" | ").append(d).append(" | ").append(r.cost("rmap_adds"))
                        .append(" | ").append(r.cost("rmap_dups")).append(" | ").append(r.cost("rmap_removes"))
                        .append(" | ").append(r.cost("rmap_allocs")).append(" | ").append(pageAddRmapCalls(r, d))
                        .append(" | ").append(r.cost("rmap_removes")).append(" |\n");
            }
            addChange[f] = change(pageAddRmapCalls(pc, "pte_chains"), pageAddRmapCalls(av, "anon_vma"));
            removeChange[f] = change(pc.cost("rmap_removes"), av.cost("rmap_removes"));
            b.append("| ").append(mode).append(" | change | | | | | ").append(addChange[f]).append(" | ")
                    .append(removeChange[f]).append(" |\n");
            // Fork's copies, anonymous and file: page_add_rmap in 2.6.0, page_dup_rmap in 2.6.7.
            forkCopies = pc.cost("rmap_dups");
            chainBlocks[f] = pc.cost("rmap_allocs");
            anonVmas = av.cost("rmap_allocs");
        }
        b.append(String.format(java.util.Locale.ROOT, "%nNot reproduced, and why. The model counts calls; designs.md "
                + "gives Bligh's figures as a profile, time spent in the functions, and a call's cost differs between "
                + "the kernels (the pte_chains kernels' page_add_rmap may take a new pte_chain block, its page_remove_rmap searches the "
                + "page's chain; 2.6.7's are mapcount updates and, for a new page, setting page->mapping). In calls, "
                + "anon_vma still makes one page_add_anon_rmap or page_add_file_rmap per page a fault maps, so "
                + "page_add_rmap drops only where fork's copies stop being adds: %s with vfork'd children (vfork and exec "
                + "copy no ptes), %s when each vfork is a fork that execs at once (the %d ptes, anonymous and file, that "
                + "fork copies in both kernels: page_add_rmap under pte_chains, page_dup_rmap under 2.6.7). "
                + "page_remove_rmap does not change (%s with forks, %s with vfork'd children): one call per pte zapped "
                + "in both, at exec and exit as at munmap. These counts rest on synthesized accesses (see the PG_direct "
                + "section: children never COW what they inherit, the first 64 pages of a mapping are the ones "
                + "touched). What reproduces is the last part: pte_chain blocks go (%d allocated under pte_chains with "
                + "`--vfork fork`, %d with vfork'd children, which share no anonymous page but do share file pages: "
                + "make, the cc driver, cc1 and as map the C library, and two compilations run at once), and anon_vma "
                + "allocates %d anon_vmas instead, one per family of anonymous vmas, however many ptes map their pages, "
                + "and nothing per file page, which it finds through the file's i_mmap.%n%n", addChange[0], addChange[1],
                forkCopies, removeChange[1], removeChange[0], chainBlocks[1], chainBlocks[0], anonVmas));
    }

    /** One row of the PG_direct table: trace NAME converted with OPT, run under pte_chains. */
    private static double[] traceRow(StringBuilder b, String t, String label, org.rmaplab.traces.TraceConverter.Options opt) {
        org.rmaplab.traces.TraceConverter.Result conv =
                org.rmaplab.traces.Traces.convert(t, opt);
        Scenario sc = ScenarioParser.parse(org.rmaplab.traces.Traces.path(t) + ".vms", conv.scenario());
        MachineConfig mc = sc.machine();
        Machine k = new Machine(new MachineConfig(mc.ramBytes(), mc.swapBytes(), "x86_64"),
                RmapDesigns.create("pte_chains"));
        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.END);
        Meter meter = new Meter(c, k, ArchProfile.of("x86_64"));
        MappedOnce once = new MappedOnce();
        org.rmaplab.mm.Syscalls sampled = (org.rmaplab.mm.Syscalls) java.lang.reflect.Proxy.newProxyInstance(
                Findings.class.getClassLoader(), new Class<?>[] {org.rmaplab.mm.Syscalls.class}, (proxy, m, args) -> {
                    Object r;
                    try {
                        r = m.invoke(meter, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (!m.getName().startsWith("vma")) {
                        once.sample(k);
                    }
                    return r;
                });
        RunResult r = new ScenarioRunner((d, m) -> sampled).run(sc, "pte_chains");
        if (!r.passed()) {
            throw new IllegalStateException(String.join("\n", r.report()));
        }
        c.finish();
        Map<String, String> row = CostModel.costs("pte_chains", meter);
        b.append("| ").append(label).append(" | ").append(conv.count("tasks")).append(" | ").append(conv.count("forks"))
                .append(" | ").append(conv.count("vforks")).append(" | ").append(once.calls).append(" | ")
                .append(once.mappedPeak).append(" | ").append(row.get("pg_direct_share")).append(" | ")
                .append(String.format(java.util.Locale.ROOT, "%.3f", (double) once.onceSum / Math.max(1, once.mappedSum)))
                .append(" | ").append(once.filePeak).append(" | ")
                .append(String.format(java.util.Locale.ROOT, "%.3f", (double) once.fileOnceSum / Math.max(1, once.fileSum)))
                .append(" | ").append(row.get("pg_chained_peak")).append(" | ")
                .append(n(row, "pte_chain_bytes_peak") / org.rmaplab.rmap.ptechains.PteChainGeometry.of("x86_64", 0).blockBytes())
                .append(" |\n");
        String pd = row.get("pg_direct_share");
        return new double[] {pd.isEmpty() ? 0 : Double.parseDouble(pd), (double) once.onceSum / Math.max(1, once.mappedSum),
            (double) once.fileOnceSum / Math.max(1, once.fileSum)};
    }
}
