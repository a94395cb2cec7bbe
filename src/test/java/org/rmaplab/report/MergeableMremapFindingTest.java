package org.rmaplab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.rmaplab.rmap.RmapDesigns;

/** The key relations of "The debate today: mergeable mremap", on the section's own runs. */
class MergeableMremapFindingTest {
    static Map<String, MergeableMremapFinding.Measured> m;

    @BeforeAll
    static void measure() {
        m = MergeableMremapFinding.measureAll();
    }

    static MergeableMremapFinding.Measured get(String w, long sharing, long relocate, String design) {
        return m.get(MergeableMremapFinding.key(w, sharing, relocate, design));
    }

    /** Matěna's rules never leave more vmas than today's, with or without the snapshot child. */
    @Test
    void matenaEndsWithNoMoreVmasThanToday() {
        for (long s : new long[] {0, 1}) {
            long today = get("zgc", s, 0, "anon_vma_chain").vmasFinal();
            long matena = get("zgc", s, 0, "anon_vma_chain:matena").vmasFinal();
            assertTrue(matena <= today, s + ": " + matena + " > " + today);
        }
    }

    /**
     * Without a child every folio is exclusive: the flag on every move relocates and re-merges,
     * ending with fewer vmas and fewer rmap bytes than today; the flag on none is today's run
     * exactly (the variant changes nothing unasked).
     */
    @Test
    void relocateOnEveryMoveMergesWithoutAChild() {
        MergeableMremapFinding.Measured today = get("zgc", 0, 0, "anon_vma_chain");
        MergeableMremapFinding.Measured every = get("zgc", 0, 1, "anon_vma_chain:relocate");
        MergeableMremapFinding.Measured none = get("zgc", 0, 0, "anon_vma_chain:relocate");
        assertTrue(every.stat("relocate_merged") > 0);
        assertEquals(0, every.stat("relocate_fallback_shared"));
        assertTrue(every.vmasFinal() < today.vmasFinal(), every.vmasFinal() + " vs " + today.vmasFinal());
        assertTrue(every.cost("rmap_bytes") < today.cost("rmap_bytes"));
        assertEquals(today.vmasFinal(), none.vmasFinal());
        assertEquals(today.cost("rmap_bytes"), none.cost("rmap_bytes"));
        assertEquals(today.machine("vma_merges"), none.machine("vma_merges"));
        assertEquals(0, none.stat("relocate_asked"));
    }

    /** With the snapshot child some moves fall back (shared), and realloc-growth's shared buffer never relocates. */
    @Test
    void sharedFoliosFallBack() {
        assertTrue(get("zgc", 1, 1, "anon_vma_chain:relocate").stat("relocate_fallback_shared") > 0);
        MergeableMremapFinding.Measured g = get("realloc", MergeableMremapFinding.CHILDREN, 1, "anon_vma_chain:relocate");
        assertEquals(0, g.stat("relocate_done"));
        assertTrue(g.stat("relocate_fallback_shared") > 0);
        // Unshared, every growth relocates (realloc-growth's defaults: 6 rounds).
        assertEquals(6, get("realloc", 0, 1, "anon_vma_chain:relocate").stat("relocate_done"));
    }

    /** pte_chains and anonmm merge moved anonymous vmas freely: no design ends zgc-remap with fewer vmas. */
    @Test
    void theTwoThousandFourDesignsMergeFreely() {
        long pc = get("zgc", 0, 0, "pte_chains").vmasFinal();
        long mm = get("zgc", 0, 0, "anonmm").vmasFinal();
        for (MergeableMremapFinding.Config c : MergeableMremapFinding.CONFIGS) {
            long v = get("zgc", 0, c.relocate(), c.design()).vmasFinal();
            assertTrue(pc <= v && mm <= v, c + ": " + v + " < " + pc + " or " + mm);
        }
        assertEquals(0, get("zgc", 0, 0, "pte_chains").fails());
    }

    @Test
    void theSectionIsWrittenFromTheRuns() throws Exception {
        StringBuilder b = new StringBuilder();
        new MergeableMremapFinding().write(new Markdown(b), RmapDesigns.names());
        String s = b.toString();
        if (System.getProperty("rmaplab.finding.dump") != null) {
            java.nio.file.Files.writeString(java.nio.file.Path.of(System.getProperty("rmaplab.finding.dump")), s);
        }
        assertTrue(s.startsWith("## The debate today: mergeable mremap"), s);
        long today = get("zgc", 0, 0, "anon_vma_chain").vmasFinal();
        assertTrue(s.contains("today's kernel ends with " + today + " vmas"), s);
        assertTrue(s.contains("| anon_vma_chain:relocate, flag on every move |"), s);
    }
}
