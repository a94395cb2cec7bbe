package org.rmaplab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.traces.Traces;

/**
 * {@link RelocTracesFinding}'s numbers on realloc-snap (traces/src/realloc-snap), relation by
 * relation: the merge failures are compare's columns of the same run, the share is their
 * quotient, the variants keep what their rules promise, and the section's prose says what the
 * numbers say.
 */
class RelocTracesFindingTest {
    private static final String T = "realloc-snap";

    @Test
    void theNumbersOnReallocSnapHoldTogether() {
        Map<String, RelocTracesFinding.Measure> m = new HashMap<>();
        for (String d : RelocTracesFinding.DESIGNS) {
            m.put(d, RelocTracesFinding.measure(T, d));
        }
        RelocTracesFinding.Measure today = m.get("anon_vma_chain");
        RelocTracesFinding.Measure matena = m.get("anon_vma_chain:matena");
        RelocTracesFinding.Measure reloc = m.get("anon_vma_chain:relocate");
        RelocTracesFinding.Measure lokier = m.get("lokier");

        // The failed merges are compare's columns of the same conversion run the same way.
        Findings.Run run = RealFaults.run(Traces.perfPath(T),
                RelocTracesFinding.conversion(T, "anon_vma_chain").scenario(), "anon_vma_chain");
        assertEquals(run.cost("vma_merge_fail_pgoff"), today.failPgoff());
        assertEquals(run.cost("vma_merge_fail_anon_vma"), today.failAnonVma());
        assertEquals(run.cost("vma_merge_fail_shared"), today.failShared());
        assertEquals(run.machine("vma_merge_fail_shared_new"), today.failSharedNew());
        assertTrue(today.failSharedNew() <= today.failShared());
        assertEquals(run.cost("rmap_bytes_peak"), today.rmapBytesPeak());
        assertTrue(today.failTotal() > 0, "the moved values fail to merge today");
        assertEquals((double) today.failShared() / today.failTotal(), today.sharedShare());
        // Matěna's rules only add merges: fewer failures, vmas never more than today's.
        assertTrue(matena.mergesMatena() > 0);
        assertEquals(0, today.mergesMatena());
        assertTrue(matena.failTotal() < today.failTotal());
        assertTrue(matena.vmasEnd() <= today.vmasEnd() && matena.vmasPeak() <= today.vmasPeak());
        // Lokier's 2004 design has no anon_vma, no chain, and counts no anon_vma_chain merge failure.
        assertEquals(0, lokier.failTotal() + lokier.anonVmasPeak() + lokier.avcsPeak() + lokier.mergesMatena());
        // Stoakes' flag on every move: asked per vma moved; relocations are walks of ptes, each
        // present folio rewritten once; the relocated ranges merge, so vmas never exceed today's.
        // Without the flag (the other designs' conversions) nothing is flagged.
        assertTrue(reloc.flagged() > 0);
        assertEquals(0, today.flagged() + matena.flagged() + lokier.flagged());
        assertTrue(reloc.relocAsked() > 0 && reloc.relocDone() <= reloc.relocAsked());
        assertTrue(reloc.foliosRewritten() <= reloc.ptesWalked() && reloc.foliosRewritten() > 0);
        assertTrue(reloc.vmasEnd() <= today.vmasEnd());
        // At the peak and the end, under every design: the end is a moment of the run.
        for (RelocTracesFinding.Measure x : m.values()) {
            assertTrue(x.vmasEnd() <= x.vmasPeak() && x.avcsEnd() <= x.avcsPeak() && x.anonVmasEnd() <= x.anonVmasPeak());
            assertTrue(x.vmasEnd() > 0, "the end is before the program's exit");
        }
        // The prose is the numbers'.
        StringBuilder b = new StringBuilder();
        new RelocTracesFinding().write(new Markdown(b), RmapDesigns.names());
        String s = b.toString();
        assertTrue(s.contains("| " + T + " | " + today.failPgoff() + " | " + today.failAnonVma() + " | "
                + today.failShared() + " | " + today.failTotal() + " | "
                + Markdown.fmt("%.1f%%", 100.0 * today.failShared() / today.failTotal()) + " |"), s);
        assertTrue(s.contains(T + " anon_vma_chain:matena " + signedDiff(matena.vmasEnd(), today.vmasEnd())), s);
        assertTrue(s.contains("| " + T + " | " + reloc.flagged() + " | " + reloc.relocAsked() + " | " + reloc.relocDone()
                + " | " + reloc.relocMerged() + " | " + reloc.relocFallbackShared() + " | " + reloc.ptesWalked() + " | "
                + reloc.foliosRewritten() + " | " + (today.vmasPeak() - reloc.vmasPeak()) + " / "
                + (today.vmasEnd() - reloc.vmasEnd()) + " |"), s);
        // The shared share is defined as Matěna's tracing counted (pgoffs fit, anon_vma shared),
        // and computed; the relocation columns say they count vmas, the flagged column calls.
        assertTrue(s.contains("whose pgoffs fit but whose anon_vma was shared"), s);
        assertTrue(s.contains(T + " " + Markdown.fmt("%.1f%%", 100.0 * today.sharedShare())), s);
        assertTrue(s.contains("could not tell a pgoff failure from"), s);
        assertTrue(s.contains("| mremap calls flagged | vmas asked | vmas relocated | vmas re-merged | "
                + "vmas that fell back: shared |"), s);
        assertTrue(!s.contains("by the first rule that refused"), s);
        // prefork's shared failures (its workers are forked): the split is the machine counter of
        // the same run, and the prose gives it.
        RelocTracesFinding.Measure prefork = RelocTracesFinding.measure("prefork", "anon_vma_chain");
        Findings.Run pr = RealFaults.run(Traces.perfPath("prefork"),
                RelocTracesFinding.conversion("prefork", "anon_vma_chain").scenario(), "anon_vma_chain");
        assertEquals(pr.machine("vma_merge_fail_shared_new"), prefork.failSharedNew());
        assertTrue(prefork.failShared() > 0 && prefork.failSharedNew() <= prefork.failShared());
        assertTrue(s.contains("`vma_merge_fail_shared_new`; prefork " + prefork.failSharedNew() + " of "
                + prefork.failShared()), s);
        assertTrue(s.contains("!vma_is_fork_child(tgt);"), s);
        assertEquals(List.of("prefork", "realloc-snap", "py-bgsave"), Traces.MREMAP_NAMES);
    }

    private static String signedDiff(long a, long b) {
        return a - b > 0 ? "+" + (a - b) : Long.toString(a - b);
    }
}
