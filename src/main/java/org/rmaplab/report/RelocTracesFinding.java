package org.rmaplab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.cost.ArchProfile;
import org.rmaplab.cost.CostModel;
import org.rmaplab.cost.Meter;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.RmapStats;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.Op;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.scenario.Statement;
import org.rmaplab.traces.TraceConverter;
import org.rmaplab.traces.Traces;

/**
 * The relocation debate on the perf traces that call mremap ({@link Traces#MREMAP_NAMES}, issue
 * #20): the merges that fail under anon_vma_chain by Jakub Matěna's breakdown (pgoff, anon_vma,
 * shared, counted pgoff first as his tracing patch did: his RFC v2 cover letter, 11 March 2022,
 * docs/reference.md#matena) and the share of failed tests whose pgoffs fit but whose anon_vma
 * was shared, beside his 1–3%; vmas, anon_vmas and anon_vma_chains at their peak and at the
 * end under today's kernel, his series, Lorenzo Stoakes' MREMAP_RELOCATE_ANON with the flag on
 * every move ({@code trace convert --relocate-anon}, docs/reference.md#relocate-anon) and Lokier's
 * offset space; what relocation walked against what it saved.
 */
final class RelocTracesFinding implements Finding {
    /** Today's kernel, Matěna's series, Stoakes' flag on every move, Lokier (2004). */
    static final List<String> DESIGNS = List.of("anon_vma_chain", "anon_vma_chain:matena", "anon_vma_chain:relocate",
            "lokier");
    /** The design that gets the trace converted with {@code --relocate-anon}. */
    static final String RELOCATE = "anon_vma_chain:relocate";

    /**
     * One trace under one design. Peaks and end values are sampled after every call (vmas: every
     * mm's map_count summed; anon_vmas, anon_vma_chains and the design's rmap objects of every
     * {@link CostModel#KINDS} alive); the end is just before the traced program's own exit, since at
     * the trace's last line every task has exited and nothing is left.
     */
    record Measure(long failPgoff, long failAnonVma, long failShared, long failSharedNew, long mergesMatena, long vmasPeak, long vmasEnd,
            long anonVmasPeak, long anonVmasEnd, long avcsPeak, long avcsEnd, long objectsPeak, long objectsEnd,
            long rmapBytesPeak, long flagged, long relocAsked, long relocDone, long relocMerged, long relocFallbackShared,
            long ptesWalked, long foliosRewritten) {
        long failTotal() {
            return failPgoff + failAnonVma + failShared;
        }

        /** Failed tests whose pgoffs fit but whose anon_vma was shared, over all failed tests. */
        double sharedShare() {
            return Markdown.per(failShared, failTotal());
        }
    }

    /** Perf trace T converted as the findings convert it ({@link RealFaults#options}), flagged for the relocate variant. */
    static TraceConverter.Result conversion(String t, String design) {
        TraceConverter.Options o = RealFaults.options(false);
        return Traces.convertPerf(t, design.equals(RELOCATE) ? o.relocatingAnon() : o);
    }

    /** Perf trace T under DESIGN on the findings' machine, x86_64, the oracle at the end. */
    static Measure measure(String t, String design) {
        TraceConverter.Result conv = conversion(t, design);
        String name = Traces.perfPath(t) + ".vms";
        Scenario sc = ScenarioParser.parse(name, RealFaults.onMachine(conv.scenario()));
        Machine k = new Machine(sc.machine().withArch("x86_64"), RmapDesigns.create(design));
        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.END);
        Meter meter = new Meter(c, k, ArchProfile.of("x86_64"));
        ScenarioRunner.Session s = new ScenarioRunner.Session(name, design, meter);
        RmapStats st = k.design().stats();
        String main = null;
        long[] peak = new long[4];
        long[] now = new long[4];
        long[] end = null;
        for (Statement stmt : sc.statements()) {
            if (main == null && stmt.op() == Op.FORK && stmt.task().equals("t1")) {
                main = stmt.as(); // the traced program (TraceConverter: t1 fork as pN)
            }
            if (end == null && stmt.op() == Op.EXIT && stmt.task().equals(main)) {
                end = now.clone();
            }
            s.step(stmt);
            sample(k, st, now);
            for (int i = 0; i < now.length; i++) {
                peak[i] = Math.max(peak[i], now[i]);
            }
        }
        List<RunResult.Failure> failed = s.failures();
        if (!failed.isEmpty()) {
            throw new IllegalStateException(failed.get(0).format(name, design));
        }
        c.finish();
        end = end == null ? now : end;
        Map<String, Long> kc = k.counters();
        return new Measure(kc.getOrDefault("vma_merge_fail_pgoff", 0L), kc.getOrDefault("vma_merge_fail_anon_vma", 0L),
                kc.getOrDefault("vma_merge_fail_shared", 0L), kc.getOrDefault("vma_merge_fail_shared_new", 0L),
                kc.getOrDefault("vma_merges_matena", 0L), peak[0],
                end[0], peak[1], end[1], peak[2], end[2], peak[3], end[3],
                Long.parseLong(CostModel.costs(design, meter).get("rmap_bytes_peak")), conv.count("relocate_anon"),
                st.relocateAsked, st.relocateDone, st.relocateMerged, st.relocateFallbackShared, st.relocatePtesWalked,
                st.relocateFoliosRewritten);
    }

    /** NOW := vmas, anon_vmas, anon_vma_chains and rmap objects alive in K. */
    private static void sample(Machine k, RmapStats st, long[] now) {
        long vmas = 0;
        for (Mm mm : k.mms()) {
            vmas += mm.mapCount();
        }
        long objects = 0;
        for (String kind : CostModel.KINDS) {
            objects += st.alive(kind);
        }
        now[0] = vmas;
        now[1] = st.alive("anon_vma");
        now[2] = st.alive("anon_vma_chain");
        now[3] = objects;
    }

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("The relocation debate on real traces: Matěna's failed merges, Stoakes' flag on every move");
        md.paragraph("Jakub Matěna's RFC v2 cover letter (\"mm: adjust page offset in mremap\", 11 March 2022, "
                + "[reference](reference.md#matena)) measured that shared folios stand in the way of only 1–3% of the "
                + "vma merges that fail (jemalloc 0%, redis 2.7%, kcbench 1.2%); Lorenzo Stoakes' MREMAP_RELOCATE_ANON "
                + "(2025, [reference](reference.md#relocate-anon)) makes a moved exclusive range mergeable on request. "
                + "Here, the perf traces that call mremap (traces/README.md: `" + String.join("`, `", Traces.MREMAP_NAMES)
                + "`; Debian's redis uses jemalloc, which never calls mremap, so glibc realloc programs stand in for it), "
                + "converted as the previous sections convert them (`" + RealFaults.describe(false) + "`), and for `"
                + RELOCATE + "` with `--relocate-anon` too (Stoakes' flag on every move the trace shows; no real program "
                + "passes it), on x86_64, `" + RealFaults.MACHINE + "`, the oracle at the end.");
        List<List<Measure>> all = new ArrayList<>();
        for (String t : Traces.MREMAP_NAMES) {
            List<Measure> row = new ArrayList<>();
            for (String d : DESIGNS) {
                row.add(measure(t, d));
            }
            all.add(row);
        }
        failures(md, all);
        metadata(md, all);
        relocation(md, all);
    }

    private static void failures(Markdown md, List<List<Measure>> all) {
        md.text("**Failed merges under anon_vma_chain** (compare's `vma_merge_fail_pgoff`, `_anon_vma`, `_shared`: "
                + "an anonymous range's merge test with an adjacent neighbour of the same flags that failed, counted as "
                + "Matěna's tracing counted them — RFC v2 PATCH 4/4, v3 PATCH 6/6 \"mm: add tracing for VMA merges\": "
                + "pgoff first, whatever the anon_vmas; anon_vma or shared (his AV_MERGE_FAILED) only where the pgoffs "
                + "fit), and under `anon_vma_chain:matena` the merges his rules made (`vma_merges_matena`). \"shared "
                + "share\" is the shared count over all failed merge tests: the share of failed tests whose pgoffs fit "
                + "but whose anon_vma was shared, as his tracing counted.\n\n");
        md.header(1, List.of("trace", "pgoff", "anon_vma", "shared", "failed", "shared share", "matena: failed",
                "matena: merges made"));
        long shared = 0;
        long total = 0;
        List<String> per = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Measure m = all.get(i).get(0);
            Measure mt = all.get(i).get(1);
            md.row(Traces.MREMAP_NAMES.get(i), m.failPgoff(), m.failAnonVma(), m.failShared(), m.failTotal(),
                    pct(m.sharedShare()), mt.failTotal(), mt.mergesMatena());
            shared += m.failShared();
            total += m.failTotal();
            per.add(Traces.MREMAP_NAMES.get(i) + " " + pct(m.sharedShare()));
        }
        double share = Markdown.per(shared, total);
        long pgoff = 0;
        for (List<Measure> row : all) {
            pgoff += row.get(0).failPgoff();
        }
        md.format("%nTests whose pgoffs fit but whose anon_vma was shared: %d of the %d failed merge tests over the %s "
                + "traces, %s (%s), against Matěna's 1–3%%: %s. The denominators differ: his tracepoint could not "
                + "tell a pgoff failure from vma_merge()'s other failures (a neighbour absent, not adjacent, or of "
                + "other flags or file are MERGE_FAILED too); ours counts only tests with an adjacent anonymous "
                + "neighbour of the same flags. The pgoff test refused %d (%s): a range mremap moved keeps the page "
                + "offsets of its old address, which both series set out to change; as in his patch, a test the pgoff "
                + "refuses counts as pgoff whether or not a child shares its folios. prefork's mremaps run in its "
                + "forked workers, realloc-snap's and py-bgsave's in the parent while a snapshot child may live.%n%n",
                shared, total, Markdown.count(all.size()), pct(share), String.join(", ", per),
                share < 0.01 ? "below his range, as his jemalloc figure (0%) was"
                        : share <= 0.03 ? "within his range" : "above his range", pgoff, pct(Markdown.per(pgoff, total)));
        sharedNew(md, all, shared);
    }

    /**
     * Of the shared failures (today's), those whose absorbed range had no anon_vma
     * ({@code vma_merge_fail_shared_new}): a new or unfaulted range beside a fork child's faulted
     * vma, refused by 6.18 is_mergeable_anon_vma() case 2 though no folio of it is shared.
     */
    private static void sharedNew(Markdown md, List<List<Measure>> all, long shared) {
        if (shared == 0) {
            return;
        }
        long fresh = 0;
        List<String> per = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Measure m = all.get(i).get(0);
            fresh += m.failSharedNew();
            if (m.failShared() > 0) {
                per.add(Traces.MREMAP_NAMES.get(i) + " " + m.failSharedNew() + " of " + m.failShared());
            }
        }
        md.format("Of the %d shared, %s are a new or unfaulted range — no anon_vma, so no folio of its own to share — "
                + "tested beside a faulted vma of a forked task (machine counter `vma_merge_fail_shared_new`; %s). "
                + "Today's is_mergeable_anon_vma() (6.18 mm/vma.c, case 2: `if (tgt_anon && !src_anon) return "
                + "!vma_is_fork_child(tgt);`) refuses such a range beside any vma with more than one anon_vma_chain, "
                + "that is any vma a fork copied, as 5.17's `is_mergeable_anon_vma(NULL, anon_vma2, vma)` did with "
                + "`list_is_singular(&vma->anon_vma_chain)`: the neighbour's anon_vma could take the new pages, but "
                + "it was forked. %s%n%n", shared, fresh == shared ? "all " + fresh : String.valueOf(fresh),
                String.join(", ", per), fresh == shared ? "None is a range whose own folios a child shares."
                        : "The other " + (shared - fresh) + " have an anon_vma of their own, shared or forked.");
    }

    private static void metadata(Markdown md, List<List<Measure>> all) {
        md.text("**vmas, anon_vmas, anon_vma_chains** (and the design's rmap objects of every kind, which for lokier "
                + "are its offset-space objects), at their peak after any call / just before the traced program "
                + "exits:\n\n");
        md.header(2, List.of("trace", "design", "vmas", "anon_vmas", "anon_vma_chains", "rmap objects",
                "rmap_bytes_peak"));
        for (int i = 0; i < all.size(); i++) {
            for (int j = 0; j < DESIGNS.size(); j++) {
                Measure m = all.get(i).get(j);
                md.row(Traces.MREMAP_NAMES.get(i), DESIGNS.get(j) + (DESIGNS.get(j).equals(RELOCATE) ? " (flag on every move)" : ""),
                        m.vmasPeak() + " / " + m.vmasEnd(), m.anonVmasPeak() + " / " + m.anonVmasEnd(),
                        m.avcsPeak() + " / " + m.avcsEnd(), m.objectsPeak() + " / " + m.objectsEnd(), m.rmapBytesPeak());
            }
        }
        List<String> fewer = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Measure today = all.get(i).get(0);
            for (int j = 1; j < DESIGNS.size(); j++) {
                Measure m = all.get(i).get(j);
                fewer.add(Traces.MREMAP_NAMES.get(i) + " " + DESIGNS.get(j) + " " + signed(m.vmasEnd() - today.vmasEnd()));
            }
        }
        md.format("%nvmas at the end against today's: %s.%n%n", String.join(", ", fewer));
    }

    private static void relocation(Markdown md, List<List<Measure>> all) {
        int r = DESIGNS.indexOf(RELOCATE);
        md.text("**What relocation walked against what it saved** (`" + RELOCATE + "`, flag on every move: the mremap "
                + "calls flagged; should_relocate_anon() per vma moved, so the next four columns count vmas: asked, "
                + "relocated, re-merged, or fallen back because the vma may share folios; `relocate_ptes_walked`, "
                + "`relocate_folios_rewritten`; vmas and anon_vma_chains saved at the end against today's):\n\n");
        md.header(1, List.of("trace", "mremap calls flagged", "vmas asked", "vmas relocated", "vmas re-merged",
                "vmas that fell back: shared",
                "ptes walked", "folios rewritten", "vmas saved (peak / end)", "AVCs saved (peak / end)"));
        long flagged = 0;
        long fellBack = 0;
        long walked = 0;
        long rewritten = 0;
        long vmasPeak = 0;
        long vmasEnd = 0;
        long avcsPeak = 0;
        int sameAsMatena = 0;
        for (int i = 0; i < all.size(); i++) {
            Measure today = all.get(i).get(0);
            Measure m = all.get(i).get(r);
            md.row(Traces.MREMAP_NAMES.get(i), m.flagged(), m.relocAsked(), m.relocDone(), m.relocMerged(),
                    m.relocFallbackShared(), m.ptesWalked(), m.foliosRewritten(),
                    (today.vmasPeak() - m.vmasPeak()) + " / " + (today.vmasEnd() - m.vmasEnd()),
                    (today.avcsPeak() - m.avcsPeak()) + " / " + (today.avcsEnd() - m.avcsEnd()));
            flagged += m.flagged();
            fellBack += m.relocFallbackShared();
            walked += m.ptesWalked();
            rewritten += m.foliosRewritten();
            vmasPeak += today.vmasPeak() - m.vmasPeak();
            vmasEnd += today.vmasEnd() - m.vmasEnd();
            avcsPeak += today.avcsPeak() - m.avcsPeak();
            Measure mt = all.get(i).get(1);
            sameAsMatena += mt.vmasPeak() == m.vmasPeak() && mt.vmasEnd() == m.vmasEnd() && mt.avcsPeak() == m.avcsPeak()
                    ? 1 : 0;
        }
        md.format("%nOver the %s traces the flag on every move walked %d ptes and rewrote %d folios (relocate_anon_ptes(), "
                + "relocate_anon_pte(): the cost is what the moved ranges hold), and saved %d vmas and %d anon_vma_chains "
                + "at their peaks, %d vmas just before the programs exit (%s ptes walked per vma saved at the peak); "
                + "%d vmas moved by the %d flagged mremap calls fell back because their folios may be shared "
                + "(vma_maybe_has_shared_anon_folios(): a vma forked, or whose anon_vma has a child's). Stoakes' "
                + "relocation and Matěna's always-on rules give the same vmas and chains on %d of the %s traces.%n%n",
                Markdown.count(all.size()), walked, rewritten, vmasPeak, avcsPeak, vmasEnd,
                vmasPeak > 0 ? Markdown.f2(Markdown.per(walked, vmasPeak)) : "no vma saved: -", fellBack, flagged,
                sameAsMatena, Markdown.count(all.size()));
    }

    private static String pct(double share) {
        return Markdown.fmt("%.1f%%", 100 * share);
    }

    private static String signed(long n) {
        return n > 0 ? "+" + n : Long.toString(n);
    }
}
