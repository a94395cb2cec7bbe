package org.rmaplab.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;

/**
 * try_to_unmap's walk replayed beside page_referenced's, on examples/mlock-fork.vms, hand-derived.
 * t1 maps 4 anonymous pages at A (0x7ffff7ffb000) and writes them; fork; t2 makes its copy of the
 * range read-only (so that mlock's populate reads and breaks no COW) and mlocks it. t1's first page
 * ({@code 1@7ffff7ffb000}) has mapcount 2, one pte in t1's vma, one in t2's VM_LOCKED vma.
 *
 * <p>page_referenced's walk finds both ptes and stops at mapcount under every design but
 * anon_vma_chain, whose folio_referenced_one (6.18) ends the walk at t2's pte, found in a VM_LOCKED
 * vma ("stopped: VM_LOCKED vma", page_referenced's early break); 2.6.7's page_referenced_anon has
 * no VM_LOCKED test, nor 2.6.0's page_referenced. try_to_unmap's
 * stops at the first pte of t2's vma (try_to_unmap_one's SWAP_FAIL), so how far it got depends on
 * the order the design walks in:
 * <ul>
 * <li>anon_vma_chain: anon_vma#1's tree, t1's avc first (linked first), then t2's: 2 vmas, fails at the second.
 * <li>anon_vma (2.6.7): anon_vma_link() puts the child's vma at the list's head: t2's first, 1 vma, fails there.
 * <li>pte_chains (2.6.0): page_add_rmap() turned the PG_direct pte into a chain, the direct pte in
 *     the block's last slot, the child's before it; the walk goes up from the first used slot: t2's
 *     pte first, 1 vma, fails there. pte_chains:objrmap walks the same chain (anonymous pages stay chained).
 * <li>anonmm (2.6.6-mm): the anonmm's list of mms, t1's first: 2 mms, fails at the second.
 * <li>lokier: the reservation's vmas in order, t1's first: 2 vmas, fails at the second.
 * <li>pte_chains:mlocked_unchained (wli's step (b)): t2's pte is not chained at all, so both walks
 *     read the one chained pte (t1's) and run out: "walked all", 1 of 2 found.
 * </ul>
 * Before the mlock (the mprotect line) try_to_unmap's walk is page_referenced's: mapcount reached.
 */
class TryToUnmapReplayTest {
    static final String PAGE = "1@7ffff7ffb000";
    /** "t2 mlock A 4p", the fifth line run. */
    static final int MLOCK_STEP = 4;

    @Test
    void tryToUnmapStopsAtTheLockedVma() throws Exception {
        Scenario sc = ScenarioParser.parseFile(Path.of("examples/mlock-fork.vms"));
        Map<String, String> want = new LinkedHashMap<>();
        // design → page_referenced's vmas | try_to_unmap's vmas (pid each) and where it stopped.
        want.put("anon_vma_chain", "1 2 | 1 2 SWAP_FAIL");
        want.put("anon_vma", "2 1 | 2 SWAP_FAIL");
        want.put("pte_chains", "2 1 | 2 SWAP_FAIL");
        want.put("pte_chains:objrmap", "2 1 | 2 SWAP_FAIL");
        want.put("anonmm", "1 2 | 1 2 SWAP_FAIL");
        want.put("lokier", "1 2 | 1 2 SWAP_FAIL");
        want.put("pte_chains:mlocked_unchained", "1 | 1 WALKED_ALL");
        Map<String, String> got = new LinkedHashMap<>();
        for (Recorder.DesignRun r : new Recorder(CheckPolicy.parse("end")).record(sc, List.copyOf(want.keySet()))) {
            assertEquals(List.of(), r.result.failures(), r.design);
            Recorder.Walk before = RecorderTest.walkOf(r.steps.get(MLOCK_STEP - 1), PAGE);
            if (!r.design.equals("anonmm")) { // anonmm's walk of the page does not change with t2's mprotect
                assertNotNull(before, r.design + ": the mprotect changed t2's maps line");
                assertEquals(Recorder.MAPCOUNT_REACHED, before.unmap.stopCode, r.design + " before the mlock");
            }
            Recorder.Walk w = RecorderTest.walkOf(r.steps.get(MLOCK_STEP), PAGE);
            assertNotNull(w, r.design + ": the mlock changed VM_LOCKED only, and the walk was recorded again");
            assertEquals(2, w.mapcount, r.design);
            boolean unchained = r.design.endsWith("mlocked_unchained");
            boolean today = r.design.equals("anon_vma_chain");
            assertEquals(unchained ? Recorder.WALKED_ALL : today ? Recorder.LOCKED_VMA : Recorder.MAPCOUNT_REACHED,
                    w.stopCode, r.design);
            assertEquals(unchained ? "walked all: found 1 of 2 ptes" : today ? "stopped: VM_LOCKED vma (page_referenced's early break)"
                    : "stopped: mapcount reached (2 ptes found)", w.stop);
            String stop = w.unmap.stopCode == Recorder.SWAP_FAIL ? "SWAP_FAIL" : w.unmap.stopCode == Recorder.WALKED_ALL
                    ? "WALKED_ALL" : "MAPCOUNT_REACHED";
            got.put(r.design, pids(w) + " | " + pids(w.unmap) + " " + stop);
            assertEquals(w.unmap.vmasVisited, pids(w.unmap).split(" ").length, r.design + ": one event per vma counted");
            if (w.unmap.stopCode == Recorder.SWAP_FAIL) {
                assertEquals("stopped: VM_LOCKED vma (SWAP_FAIL)", w.unmap.stop);
            }
        }
        assertEquals(want, got);
    }

    /** The pids of the vmas (anonmm: mms) the walk visited, in order. */
    static String pids(Recorder.Walk w) {
        List<String> l = new ArrayList<>();
        for (Recorder.WalkEvent e : w.events) {
            if (e.what().equals("vma")) {
                l.add(e.label().replaceAll("^(?:mm of )?pid (\\d+).*", "$1"));
            }
        }
        return String.join(" ", l);
    }
}
