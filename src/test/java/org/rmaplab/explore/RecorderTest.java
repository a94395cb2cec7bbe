package org.rmaplab.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.mm.RmapStructure;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;

/**
 * The recording of examples/fork-cow.vms, hand-derived. t1 maps 16 anonymous pages at A
 * (0x7ffff7fef000, the first mmap below MMAP_BASE) and writes them; fork; t2 writes A+4p (the COW).
 * The page t1 keeps at A+4p is named {@code 1@7ffff7ff3000}, t2's new copy {@code 2@7ffff7ff3000}.
 */
class RecorderTest {
    static final String T1_PAGE = "1@7ffff7ff3000";
    static final String T2_PAGE = "2@7ffff7ff3000";

    static List<Recorder.DesignRun> record() throws Exception {
        Scenario sc = ScenarioParser.parseFile(Path.of("examples/fork-cow.vms"));
        return new Recorder(CheckPolicy.parse("end")).record(sc,
                List.of("anon_vma_chain", "anon_vma", "pte_chains", "anonmm", "lokier"));
    }

    static Recorder.Walk walkOf(Recorder.Step st, String key) {
        for (Recorder.Walk w : st.walks().values()) {
            if (w.key.equals(key)) {
                return w;
            }
        }
        return null;
    }

    static long vmaEvents(Recorder.Walk w) {
        return w.events.stream().filter(e -> e.what().equals("vma")).count();
    }

    @Test
    void theWalksAfterTheForkAndTheCow() throws Exception {
        List<Recorder.DesignRun> runs = record();
        // After the fork (step 2) every page is mapped by t1 and t2: every design's walk finds two
        // ptes, visiting two vmas (avc: both vmas' chains in anon_vma#1's tree; anon_vma: the
        // list's two vmas; pte_chains: one vma lookup per chained pte; anonmm: the group's two mms;
        // lokier: the reservation's two vmas).
        // After the COW (step 3) t1's page has mapcount 1. anon_vma_chain walks anon_vma#1's tree in
        // pgoff order, t1's chain first (linked first), finds the pte and stops: 1 vma. 2.6.7's
        // anon_vma list has t2's vma first (anon_vma_link puts the child's vma at the head), so it
        // visits t2's vma (no pte: a miss), then t1's: 2. pte_chains: the one chained pte: 1.
        // anonmm: t1's mm first: 1. lokier: the reservation's vmas in order, t1's first: 1.
        // t2's new page: under avc in anon_vma#2 (t2's own), 1 vma; anon_vma, as t1's: mm2 first, 1;
        // lokier visits t1's vma first (miss), then t2's: 2.
        Map<String, long[]> want = Map.of(
                "anon_vma_chain", new long[] {2, 1, 1},
                "anon_vma", new long[] {2, 2, 1},
                "pte_chains", new long[] {2, 1, 1},
                "anonmm", new long[] {2, 1, 1},
                "lokier", new long[] {2, 1, 2});
        for (Recorder.DesignRun r : runs) {
            assertEquals(12, r.steps.size(), r.design);
            long[] w = want.get(r.design);
            Recorder.Walk fork = walkOf(r.steps.get(2), T1_PAGE);
            Recorder.Walk cowKept = walkOf(r.steps.get(3), T1_PAGE);
            Recorder.Walk cowNew = walkOf(r.steps.get(3), T2_PAGE);
            assertNotNull(fork, r.design);
            assertNotNull(cowKept, r.design);
            assertNotNull(cowNew, r.design);
            assertEquals(w[0], fork.vmasVisited, r.design + " fork");
            assertEquals(w[1], cowKept.vmasVisited, r.design + " cow, t1's page");
            assertEquals(w[2], cowNew.vmasVisited, r.design + " cow, t2's page");
            for (Recorder.Walk x : List.of(fork, cowKept, cowNew)) {
                assertEquals(x.vmasVisited, vmaEvents(x), r.design + ": one event per vma counted");
                assertEquals(x.mapcount, x.found, r.design);
                assertTrue(x.stop.startsWith("stopped"), x.stop);
            }
            assertEquals(2, fork.mapcount, r.design);
            assertEquals(1, cowKept.mapcount, r.design);
            // The fork made t2's maps appear; the COW changed no maps and two frames' counts.
            assertEquals(List.of(2), List.copyOf(r.steps.get(2).maps.keySet()), r.design);
            assertTrue(r.steps.get(3).maps.isEmpty(), r.design);
            // Recording replays walks with the counters paused: no step moved 'walks'.
            for (Recorder.Step st : r.steps) {
                assertFalse(st.counters.containsKey("walks"), r.design + " line " + st.line);
            }
            assertTrue(r.result.failures().isEmpty(), r.design + ": " + r.result.failures());
        }
    }

    /**
     * UFFDIO_MOVE moves a page's pte with no maps line changing, and under pte_chains with no frame
     * changing either (a chain entry is rewritten; page->index means nothing there): the walk is
     * recorded again at that line all the same, now naming the page at its destination.
     */
    @Test
    void aMovedPteIsWalkedAgain() throws Exception {
        Scenario sc = ScenarioParser.parse("move.vms", String.join("\n",
                "t1 mmap 0 1p rw private|anonymous as SRC",
                "t1 mmap 0 1p rw private|anonymous as DST",
                "t1 write SRC 1p 0x51",
                "t1 uffd_register DST 1p expect 0",
                "t1 uffd_move DST SRC 1p expect 4096", ""));
        for (Recorder.DesignRun r : new Recorder(CheckPolicy.parse("end")).record(sc,
                List.of("pte_chains", "anon_vma_chain"))) {
            Recorder.Step write = r.steps.get(2);
            Recorder.Step move = r.steps.get(4);
            assertEquals(1, write.walkCount(), r.design);
            assertEquals(1, move.walkCount(), r.design + ": the moved page's walk");
            String before = write.walks().values().iterator().next().key;
            String after = move.walks().values().iterator().next().key;
            assertFalse(before.equals(after), r.design + ": " + before + " then " + after);
        }
    }

    @Test
    void structures() throws Exception {
        List<Recorder.DesignRun> runs = record();
        Recorder.Step cow = runs.get(2).steps.get(3); // pte_chains
        // t2's new page has one pte: PG_direct; t1's page keeps its one-entry chain block until
        // page_referenced collapses it (2.6.0 collapses only there).
        assertEquals("page " + pfnOf(cow, T2_PAGE) + " PG_direct", walkOf(cow, T2_PAGE).structure.label);
        assertEquals("pte_chain", walkOf(cow, T1_PAGE).structure.children.get(0).kind);
        // anon_vma_chain: t2's page sits in anon_vma#2, whose parent is anon_vma#1, one avc in its tree.
        Recorder.Walk avc = walkOf(runs.get(0).steps.get(3), T2_PAGE);
        assertTrue(avc.structure.label.startsWith("page->mapping: anon_vma#2 (root anon_vma#1"), avc.structure.label);
        assertEquals(1, avc.structure.children.stream().filter(n -> n.kind.equals("avc")).count());
        // anonmm: after the fork both mms are in the group's ring, the head (t1's) first.
        Recorder.Walk anonmm = walkOf(runs.get(3).steps.get(3), T1_PAGE);
        assertEquals(2, anonmm.structure.children.get(0).children.size(), anonmm.structure.children.get(0).label);
        assertTrue(anonmm.structure.children.get(0).children.get(0).label.contains("(head) of mm"), "head first");
        // lokier: the page's reservation holds t1's vma and t2's copy (fork shares the offsets).
        Recorder.Walk lokier = walkOf(runs.get(4).steps.get(3), T1_PAGE);
        RmapStructure.Node mine = lokier.structure.children.stream()
                .filter(n -> n.label.endsWith("← the page's")).findFirst().orElseThrow();
        assertEquals(2, mine.children.size(), mine.label);
    }

    @Test
    void theJsonIsTheSameTwice() throws Exception {
        Scenario sc = ScenarioParser.parseFile(Path.of("examples/fork-cow.vms"));
        assertEquals(ExplorerData.files(sc, record()), ExplorerData.files(sc, record()));
    }

    static int pfnOf(Recorder.Step st, String key) {
        for (Map.Entry<Integer, Recorder.Walk> e : st.walks().entrySet()) {
            if (e.getValue().key.equals(key)) {
                return e.getKey();
            }
        }
        return -1;
    }
}
