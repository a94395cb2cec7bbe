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
 * collector cycles; the failed merges counted pgoff first as Matěna's tracing counted them, and
 * the share of failed tests whose pgoffs fit but whose anon_vma was shared (his 1-3%); what
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
                + "the old pgoff, counted only where the new place has a neighbour of the same flags: "
                + firstTries(m) + "). The proposals: Matěna's RFC v2 cover "
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

    /** The relocate variant's failed merge tests against its relocations, flag on every move, by child. */
    private static String firstTries(Map<String, Measured> m) {
        Measured a = m.get(key("zgc", 0, 1, "anon_vma_chain:relocate"));
        Measured b = m.get(key("zgc", 1, 1, "anon_vma_chain:relocate"));
        return Markdown.fmt("%d failed merge tests in all for %d relocations with the flag on every move "
                + "without the child, %d for %d with it (where moves fell back)", a.fails(), a.stat("relocate_done"), b.fails(), b.stat("relocate_done"));
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
        md.format("pte_chains and anonmm end with %d and %d vmas without the child, %s: neither era's merge rule "
                        + "looked at an anonymous vma's pgoff or anon state. 2.6.0's mremap merged a moved anonymous "
                        + "vma through move_vma()'s own code (mm/mremap.c: can_vma_merge() — the same flags, no file "
                        + "— and not VM_SHARED; with prev, next, or both, \"if (vma == next) vma = prev\"), not "
                        + "through can_vma_merge_after()/before(); copy_vma() → vma_merge() came with Hugh Dickins's "
                        + "\"[PATCH 3/6] mremap move_vma\" (30 March 2004), in 2.6.6, whose can_vma_merge_after()/"
                        + "before() (mm/mmap.c) answered 1 for any anonymous mapping. The model applies the rule at "
                        + "today's merge points (`DesignTraits.anonMergeNeedsPgoff` false). lokier ends with %d "
                        + "vm_area_structs, which VM_GROUP hides from /proc/PID/maps but not from memory.%n%n",
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

    /**
     * Matěna's breakdown of failed merges under today's rules, counted his way (pgoff first), and
     * the share of failed tests whose pgoffs fit but whose anon_vma was shared.
     */
    private static void sharedShare(Markdown md, Map<String, Measured> m) {
        md.paragraph("Failed merges under today's rules (anon_vma_chain), counted as Matěna's tracing counted them "
                + "(RFC v2 PATCH 4/4, v3 PATCH 6/6 \"mm: add tracing for VMA merges\"): his can_vma_merge_before/after() "
                + "test the pgoff first, so a test whose pgoffs do not fit is a pgoff failure whatever the anon_vmas, "
                + "and only where they fit is it an anon_vma failure (two anon_vmas, the absorbed one unshared) or a "
                + "shared one (his AV_MERGE_FAILED). \"own source\" is the part of the pgoff failures that are "
                + "copy_vma()'s test of a moved range against its own source vma. His RFC v2 cover letter (11 March "
                + "2022) found shared anon_vmas in the way of only 1–3% of the merges that fail (jemalloc 0%, redis "
                + "2.7%, kcbench 1.2%). \"shared share\" is the shared count over all failed merge tests: the share "
                + "of failed tests whose pgoffs fit but whose anon_vma was shared, as his tracing counted. The "
                + "denominators differ: his tracepoint could not tell a pgoff failure from vma_merge()'s other "
                + "failures (a neighbour absent, not adjacent, or of other flags or file are MERGE_FAILED too); ours "
                + "counts only merge tests with an adjacent anonymous neighbour of the same flags.");
        md.header("workload", List.of("failed merges", "pgoff", "of which own source", "anon_vma", "shared",
                "shared share"));
        String[][] rows = {
                {"zgc-remap, no child", key("zgc", 0, 0, "anon_vma_chain")},
                {"zgc-remap, snapshot child", key("zgc", 1, 0, "anon_vma_chain")},
                {"realloc-growth, no child", key("realloc", 0, 0, "anon_vma_chain")},
                {"realloc-growth, " + CHILDREN + " children", key("realloc", CHILDREN, 0, "anon_vma_chain")}};
        StringBuilder shares = new StringBuilder();
        long shared = 0;
        long anon = 0;
        long source = 0;
        long pgoff = 0;
        for (String[] row : rows) {
            Measured r = m.get(row[1]);
            long f = r.fails();
            String share = f == 0 ? "-" : Markdown.fmt("%.1f%%", 100.0 * r.machine("vma_merge_fail_shared") / f);
            md.row(row[0], f, r.machine("vma_merge_fail_pgoff"), r.machine("vma_merge_fail_pgoff_source"),
                    r.machine("vma_merge_fail_anon_vma"), r.machine("vma_merge_fail_shared"), share);
            shares.append(shares.length() == 0 ? "" : ", ").append(row[0]).append(' ').append(share);
            shared += r.machine("vma_merge_fail_shared");
            anon += r.machine("vma_merge_fail_anon_vma");
            source += r.machine("vma_merge_fail_pgoff_source");
            pgoff += r.machine("vma_merge_fail_pgoff");
        }
        Measured zc = m.get(key("zgc", 1, 0, "anon_vma_chain"));
        double childShare = zc.fails() == 0 ? 0 : 100.0 * zc.machine("vma_merge_fail_shared") / zc.fails();
        Measured rg = m.get(key("realloc", 0, 0, "anon_vma_chain"));
        md.format("%nShared anon_vmas block %s of the failed merges counted this way (%s). %s %s%n%n",
                shared == 0 ? "none" : "some", shares,
                Markdown.fmt("With a snapshot child alive over the last two cycles zgc-remap's share is %.1f%%, %s "
                        + "Matěna's 1–3%%; %s.", childShare, childShare > 3 ? "above" : childShare >= 1 ? "within" : "below",
                        anon == 0 && shared == 0 ? "the pgoff test refuses every one of them, and where it does the "
                                + "anon_vma is not looked at"
                                : "pgoff and anon_vma refuse the rest, the two rules both series lift for unshared vmas"),
                source == 0 ? "No pgoff failure here is copy_vma()'s test against the moved range's own source."
                        : Markdown.fmt("%d of the %d pgoff failures (realloc-growth's %d of %d without a child) are "
                                + "copy_vma()'s test of a moved range against its own source vma, the new place being "
                                + "next to the old: they save nothing, since move_vma() unmaps the source range "
                                + "right after.", source, pgoff, rg.machine("vma_merge_fail_pgoff_source"),
                                rg.machine("vma_merge_fail_pgoff")));
    }

    /**
     * Where realloc-growth's relocated buffer lands, from the counters: glibc's mremap_chunk()
     * passes no MREMAP_FIXED, so the kernel picks the place; copy_vma()'s tests against the
     * buffer's own old vma (vma_merge_fail_pgoff_source), the re-merges after relocation
     * (relocate_merged) and the splits (vma_splits) say what happened there.
     */
    private static String reallocPlace(Measured g) {
        long moves = g.stat("relocate_done");
        long source = g.machine("vma_merge_fail_pgoff_source");
        long merged = g.stat("relocate_merged");
        long splits = g.cost("vma_splits");
        if (moves == 0 || source != moves) {
            return Markdown.fmt(" (%d of its %d relocations re-merged with a neighbour, %d vma splits)", merged, moves, splits);
        }
        return Markdown.fmt(": glibc's mremap_chunk() passes no MREMAP_FIXED, and mremap places the grown buffer "
                + "next to its own old vma (copy_vma()'s first try, at the old pgoff, fails against it in %d of %d "
                + "moves); relocated to the pgoff of its address, the new vma joins that old vma in %d of them "
                + "(relocate_merged), and move_vma()'s unmap of the old range splits it off again (%d vma splits in "
                + "the run)", source, moves, merged, splits);
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
                        + "walked and %d folios rewritten for %d moves, and the moved buffer %s%s. The published "
                        + "series measured no such costs: these are the model's counts, not timings.%n%n",
                Markdown.f2(Markdown.per(z.stat("relocate_ptes_walked"), z.stat("relocate_done"))),
                z.stat("relocate_ptes_walked"), z.stat("relocate_done"),
                z.vmasFinal() < zOff.vmasFinal() ? "saves " + (zOff.vmasFinal() - z.vmasFinal()) + " of " + zOff.vmasFinal() + " vmas at the end"
                        : "saves no vma at the end",
                g.stat("relocate_ptes_walked"), g.stat("relocate_folios_rewritten"), g.stat("relocate_done"),
                g.vmasFinal() < gOff.vmasFinal() ? "ends with fewer vmas" : "ends with as many vmas as without the flag",
                reallocPlace(g));
    }
}
