package org.rmaplab.report;

import static org.rmaplab.report.Findings.params;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.cost.ArchProfile;
import org.rmaplab.cost.CostModel;
import org.rmaplab.cost.Meter;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.workloads.Workload;
import org.rmaplab.workloads.Workloads;

/**
 * The debate today: Jakub Matěna's mergeable mremap (RFC v2 cover letter, linux-mm, 11 March
 * 2022) and Lorenzo Stoakes's MREMAP_RELOCATE_ANON (RFC v3, 3 May 2025; v1, 9 June 2025) beside
 * Jamie Lokier's VM_GROUP (2004) and the 2004 designs that merge anonymous vmas freely, on the
 * zgc-remap and realloc-growth workloads: vmas, anon_vmas, anon_vma_chains and rmap bytes after N
 * collector cycles; the share of failed merges that shared folios block (Matěna's 1-3%); what
 * relocation walks against what it saves. Every number and every comparison in the text is
 * computed from the runs.
 */
final class MergeableMremapFinding implements Finding {
    /** zgc-remap's size: OBJECTS one-page objects a round, ROUNDS cycles, half dying, 75% faulted. */
    static final long OBJECTS = 64;
    static final long ROUNDS = 8;
    /** The snapshot child: forked in the last round but one, living two rounds (to the end). */
    static final long SNAPSHOT = ROUNDS - 1;
    /** realloc-growth's children in its shared case. */
    static final long CHILDREN = 2;

    /** A row of the first table: its label, the registered design or variant, zgc-remap's relocate. */
    record Config(String label, String design, long relocate) {}

    static final List<Config> CONFIGS = List.of(
            new Config("anon_vma_chain (today)", "anon_vma_chain", 0),
            new Config("anon_vma_chain:matena", "anon_vma_chain:matena", 0),
            new Config("anon_vma_chain:relocate, flag on every move", "anon_vma_chain:relocate", 1),
            new Config("anon_vma_chain:relocate, flag on none", "anon_vma_chain:relocate", 0),
            new Config("lokier (VM_GROUP)", "lokier", 0),
            new Config("pte_chains", "pte_chains", 0),
            new Config("anonmm", "anonmm", 0));

    /** One checked run: {@link Findings.Run} and the vmas of every mm at the end. */
    record Measured(Findings.Run run, long vmasFinal) {
        long cost(String c) {
            return run.cost(c);
        }

        long stat(String s) {
            return run.stat(s);
        }

        long machine(String m) {
            return run.machine(m);
        }

        /** Failed merge tests, all reasons. */
        long fails() {
            return machine("vma_merge_fail_pgoff") + machine("vma_merge_fail_anon_vma") + machine("vma_merge_fail_shared");
        }
    }

    /** zgc-remap's parameters, with the snapshot child when CHILD, and RELOCATE. */
    static Map<String, Long> zgc(boolean child, long relocate) {
        Map<String, Long> p = params("objects", OBJECTS, "rounds", ROUNDS, "die", 50, "faulted", 75,
                "relocate", relocate);
        if (child) {
            p.put("snapshot", SNAPSHOT);
            p.put("snapshot_rounds", 2L);
        }
        return p;
    }

    /** realloc-growth's parameters (defaults) with CHILDREN sharing and RELOCATE. */
    static Map<String, Long> realloc(long children, long relocate) {
        return params("children", children, "relocate", relocate);
    }

    /**
     * WORKLOAD with PARAMS under the registered DESIGN on x86_64, the oracle at the end, as
     * {@link Findings#measure} runs it, and the vmas of every mm left at the end (mapCount: the
     * kernel's vm_area_structs, lokier's internal ones included).
     */
    static Measured run(String workload, Map<String, Long> params, String design) {
        Workload w = Workloads.find(workload).orElseThrow();
        String text = w.generate(params);
        Scenario sc = ScenarioParser.parse(w.label(params), text);
        RmapDesign d = RmapDesigns.create(design);
        Machine k = new Machine(sc.machine().withArch("x86_64"), d);
        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.END);
        Meter meter = new Meter(c, k, ArchProfile.of("x86_64"));
        RunResult r = new ScenarioRunner((dn, m) -> meter).run(sc, d.name());
        if (!r.passed()) {
            throw new IllegalStateException(String.join("\n", r.report()));
        }
        c.finish();
        long vmas = 0;
        for (Mm mm : k.mms()) {
            vmas += mm.mapCount();
        }
        return new Measured(new Findings.Run(CostModel.costs(d.name(), meter), k.counters(), d.stats().asMap(), text),
                vmas);
    }

    /** Every run the section reads, by key (workload, child or children, relocate, design). */
    static Map<String, Measured> measureAll() {
        Map<String, Measured> m = new LinkedHashMap<>();
        for (boolean child : new boolean[] {false, true}) {
            for (Config c : CONFIGS) {
                m.put(key("zgc", child ? 1 : 0, c.relocate(), c.design()), run("zgc-remap", zgc(child, c.relocate()), c.design()));
            }
        }
        for (long children : new long[] {0, CHILDREN}) {
            m.put(key("realloc", children, 0, "anon_vma_chain"), run("realloc-growth", realloc(children, 0), "anon_vma_chain"));
            for (long rel : new long[] {1, 0}) {
                m.put(key("realloc", children, rel, "anon_vma_chain:relocate"),
                        run("realloc-growth", realloc(children, rel), "anon_vma_chain:relocate"));
            }
        }
        return m;
    }

    static String key(String w, long sharing, long relocate, String design) {
        return w + "/" + sharing + "/" + relocate + "/" + design;
    }

    @Override
    public void write(Markdown md, List<String> designs) {
        Map<String, Measured> m = measureAll();
        md.heading("The debate today: mergeable mremap ([Matěna 2022](reference.md#matena), "
                + "[Stoakes 2025](reference.md#relocate-anon), [Lokier 2004](reference.md#lokier-offset-space))");
        md.paragraph("`zgc-remap objects=" + OBJECTS + " rounds=" + ROUNDS + " die=50 faulted=75`, x86_64: a ZGC-like "
                + "collector moving each live one-page object into a fresh to-space with its own mremap, "
                + ROUNDS + " cycles; with a snapshot child forked in round " + SNAPSHOT + " and living to the end "
                + "(`snapshot=" + SNAPSHOT + " snapshot_rounds=2`), or without. Stoakes's flag on every move is "
                + "`relocate=1`, under anon_vma_chain:relocate only: every other design answers EINVAL to it, as "
                + "Linux 6.18 does, so no other row can pass it. vmas are the kernel's vm_area_structs (lokier's "
                + "VM_GROUP members count one each, though /proc/PID/maps shows a group as one); \"end\" is after the "
                + "last cycle; rmap bytes as `compare`'s rmap_bytes columns; failed merges are the merge tests "
                + "with an adjacent neighbour of the same flags that a rule refused (`vma_merge_fail_*`, the "
                + "anon_vma_chain family only; under the relocate variant they include copy_vma()'s first try at "
                + "the old pgoff, which fails before every relocation). The proposals: Matěna's RFC v2 cover "
                + "letter (linux-mm, 11 March 2022) and RFC v3 (16 May 2022); Stoakes's RFC v3 (3 May 2025) and "
                + "v1 (9 June 2025), neither merged.");
        for (boolean child : new boolean[] {false, true}) {
            md.text(child ? "\nWith the snapshot child:\n\n" : "Without a snapshot child:\n\n");
            md.header("design", List.of("vmas peak", "vmas end", "anon_vmas peak", "anon_vmas end", "AVCs peak",
                    "AVCs end", "rmap bytes peak", "rmap bytes end", "merges", "failed merges"));
            for (Config c : CONFIGS) {
                Measured r = m.get(key("zgc", child ? 1 : 0, c.relocate(), c.design()));
                md.row(c.label(), r.cost("vmas_peak"), r.vmasFinal(), r.stat("anon_vma_peak"), r.stat("anon_vma_alive"),
                        r.stat("anon_vma_chain_peak"), r.stat("anon_vma_chain_alive"), r.cost("rmap_bytes_peak"),
                        r.cost("rmap_bytes"), r.machine("vma_merges"), r.fails());
            }
        }
        md.text("\n");
        vmaClaims(md, m);
        sharedShare(md, m);
        relocationCost(md, m);
    }

    /** The first table's comparisons, as prose. */
    private static void vmaClaims(Markdown md, Map<String, Measured> m) {
        for (boolean child : new boolean[] {false, true}) {
            int s = child ? 1 : 0;
            Measured today = m.get(key("zgc", s, 0, "anon_vma_chain"));
            Measured matena = m.get(key("zgc", s, 0, "anon_vma_chain:matena"));
            Measured every = m.get(key("zgc", s, 1, "anon_vma_chain:relocate"));
            Measured none = m.get(key("zgc", s, 0, "anon_vma_chain:relocate"));
            md.format("%s, today's kernel ends with %d vmas (%d at peak). Matěna's rules end with %d (%s), "
                            + "Stoakes's flag on every move with %d (%s), in rmap bytes %s and %s; the flag on none "
                            + "%s. ",
                    child ? "With the snapshot child" : "Without a snapshot child", today.vmasFinal(),
                    today.cost("vmas_peak"), matena.vmasFinal(), Markdown.change(today.vmasFinal(), matena.vmasFinal()),
                    every.vmasFinal(), Markdown.change(today.vmasFinal(), every.vmasFinal()),
                    Markdown.change(today.cost("rmap_bytes"), matena.cost("rmap_bytes")),
                    Markdown.change(today.cost("rmap_bytes"), every.cost("rmap_bytes")),
                    sameRun(none, today) ? "changes nothing (the same vmas, merges and rmap bytes as today's)"
                            : "differs from today's (" + none.vmasFinal() + " vmas)");
        }
        long least = Long.MAX_VALUE;
        for (Config c : CONFIGS) {
            if (!c.design().equals("pte_chains") && !c.design().equals("anonmm")) {
                least = Math.min(least, m.get(key("zgc", 0, c.relocate(), c.design())).vmasFinal());
            }
        }
        Measured pc = m.get(key("zgc", 0, 0, "pte_chains"));
        Measured mm = m.get(key("zgc", 0, 0, "anonmm"));
        Measured lk = m.get(key("zgc", 0, 0, "lokier"));
        md.format("pte_chains and anonmm end with %d and %d vmas without the child, %s: 2.6.0's and 2.6.6's "
                        + "can_vma_merge_after()/before() (mm/mmap.c) answered 1 for any anonymous mapping, with no "
                        + "pgoff and no anon test, and the model applies that rule at today's merge points "
                        + "(`DesignTraits.anonMergeNeedsPgoff` false). lokier ends with %d vm_area_structs, which "
                        + "VM_GROUP hides from /proc/PID/maps but not from memory.%n%n",
                pc.vmasFinal(), mm.vmasFinal(),
                Math.max(pc.vmasFinal(), mm.vmasFinal()) <= least ? "no more than any design of today (" + least + ")"
                        : "more than the fewest of today's (" + least + ")",
                lk.vmasFinal());
    }

    /** Do A and B show the same vmas, merges and rmap bytes? */
    private static boolean sameRun(Measured a, Measured b) {
        return a.vmasFinal() == b.vmasFinal() && a.cost("vmas_peak") == b.cost("vmas_peak")
                && a.machine("vma_merges") == b.machine("vma_merges") && a.cost("rmap_bytes") == b.cost("rmap_bytes");
    }

    /** Matěna's breakdown of failed merges under today's rules, and the share shared folios block. */
    private static void sharedShare(Markdown md, Map<String, Measured> m) {
        md.paragraph("Failed merges under today's rules (anon_vma_chain), by the first rule that refused: the breakdown "
                + "of Matěna's RFC v2 cover letter (11 March 2022), which found shared anon_vmas in the way of only "
                + "1–3% of the merges that fail (jemalloc 0%, redis 2.7%, kcbench 1.2%).");
        md.header("workload", List.of("failed merges", "pgoff", "anon_vma", "shared", "shared share"));
        String[][] rows = {
                {"zgc-remap, no child", key("zgc", 0, 0, "anon_vma_chain")},
                {"zgc-remap, snapshot child", key("zgc", 1, 0, "anon_vma_chain")},
                {"realloc-growth, no child", key("realloc", 0, 0, "anon_vma_chain")},
                {"realloc-growth, " + CHILDREN + " children", key("realloc", CHILDREN, 0, "anon_vma_chain")}};
        StringBuilder shares = new StringBuilder();
        for (String[] row : rows) {
            Measured r = m.get(row[1]);
            long f = r.fails();
            String share = f == 0 ? "-" : Markdown.fmt("%.1f%%", 100.0 * r.machine("vma_merge_fail_shared") / f);
            md.row(row[0], f, r.machine("vma_merge_fail_pgoff"), r.machine("vma_merge_fail_anon_vma"),
                    r.machine("vma_merge_fail_shared"), share);
            shares.append(shares.length() == 0 ? "" : ", ").append(row[0]).append(' ').append(share);
        }
        Measured zc = m.get(key("zgc", 1, 0, "anon_vma_chain"));
        double childShare = zc.fails() == 0 ? 0 : 100.0 * zc.machine("vma_merge_fail_shared") / zc.fails();
        md.format("%nShared anon_vmas block %s of the failed merges (%s). %s%n%n",
                childShare == 0 ? "none" : "some", shares,
                Markdown.fmt("With a snapshot child alive over the last two cycles zgc-remap's share is %.1f%%, %s "
                        + "Matěna's 1–3%%; pgoff and anon_vma refuse the rest, the two rules both series lift for "
                        + "unshared vmas.", childShare, childShare > 3 ? "above" : childShare >= 1 ? "within" : "below"));
    }

    /** What relocation walks and rewrites against the vmas, anon_vmas, AVCs and bytes it saves. */
    private static void relocationCost(Markdown md, Map<String, Measured> m) {
        md.paragraph("Relocation's cost against what it saves: anon_vma_chain:relocate with the flag on every move "
                + "against the flag on none (the same workload, the same variant), at the end of the run.");
        md.header("workload", List.of("moves relocated", "fell back (shared)", "ptes walked", "folios rewritten",
                "vmas saved", "anon_vmas saved", "AVCs saved", "rmap bytes saved", "ptes walked per vma saved"));
        String[][] rows = {
                {"zgc-remap, no child", "zgc", "0"},
                {"zgc-remap, snapshot child", "zgc", "1"},
                {"realloc-growth, no child", "realloc", "0"},
                {"realloc-growth, " + CHILDREN + " children", "realloc", Long.toString(CHILDREN)}};
        for (String[] row : rows) {
            long s = Long.parseLong(row[2]);
            Measured on = m.get(key(row[1], s, 1, "anon_vma_chain:relocate"));
            Measured off = m.get(key(row[1], s, 0, "anon_vma_chain:relocate"));
            long vmas = off.vmasFinal() - on.vmasFinal();
            md.row(row[0], on.stat("relocate_done"), on.stat("relocate_fallback_shared"), on.stat("relocate_ptes_walked"),
                    on.stat("relocate_folios_rewritten"), vmas, off.stat("anon_vma_alive") - on.stat("anon_vma_alive"),
                    off.stat("anon_vma_chain_alive") - on.stat("anon_vma_chain_alive"),
                    off.cost("rmap_bytes") - on.cost("rmap_bytes"),
                    vmas > 0 ? Markdown.f2(Markdown.per(on.stat("relocate_ptes_walked"), vmas)) : "-");
        }
        Measured z = m.get(key("zgc", 0, 1, "anon_vma_chain:relocate"));
        Measured zOff = m.get(key("zgc", 0, 0, "anon_vma_chain:relocate"));
        Measured g = m.get(key("realloc", 0, 1, "anon_vma_chain:relocate"));
        Measured gOff = m.get(key("realloc", 0, 0, "anon_vma_chain:relocate"));
        md.format("%nOn zgc-remap every relocated move is of one page: %s ptes walked per move (%d for %d "
                        + "moves), and it %s. realloc-growth's moves are of the whole buffer: %d ptes "
                        + "walked and %d folios rewritten for %d moves, and the moved buffer %s, since the kernel "
                        + "places it in a hole with no anonymous neighbour of its flags (glibc's mremap_chunk() "
                        + "passes no MREMAP_FIXED). The published series measured no such costs: these are the "
                        + "model's counts, not timings.%n%n",
                Markdown.f2(Markdown.per(z.stat("relocate_ptes_walked"), z.stat("relocate_done"))),
                z.stat("relocate_ptes_walked"), z.stat("relocate_done"),
                z.vmasFinal() < zOff.vmasFinal() ? "saves " + (zOff.vmasFinal() - z.vmasFinal()) + " of " + zOff.vmasFinal() + " vmas at the end"
                        : "saves no vma at the end",
                g.stat("relocate_ptes_walked"), g.stat("relocate_folios_rewritten"), g.stat("relocate_done"),
                g.vmasFinal() < gOff.vmasFinal() ? "ends with fewer vmas" : "ends with as many vmas as without the flag");
    }
}
