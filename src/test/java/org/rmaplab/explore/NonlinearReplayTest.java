package org.rmaplab.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.ScenarioParser;

/**
 * page_referenced()'s walk of a page mapped through nonlinear vmas, replayed, hand-derived on
 * examples/file-fork.vms (set out in {@link FileStructureTest}): F's page 1 ends mapped four times,
 * SH1 and SH2 at its linear place and W1 and W2 at W's first page (nonlinear), named by t1's pte
 * in W, {@code 1@7ffff7ff9000}.
 *
 * <p>The object-based eras' page_referenced_file() walks the prio_tree (2.6.7 to 3.6) or interval
 * tree (3.7 to 3.19), never i_mmap_nonlinear (2.6.11 mm/rmap.c: {@code vma_prio_tree_foreach(vma,
 * &iter, &mapping->i_mmap, pgoff, pgoff)} and nothing after it); 2.6.6-mm's lists reached the
 * VM_NONLINEAR vma and skipped it. So W's ptes are not found, mapcount never reaches 0 and the walk goes over
 * everything it has: "walked all", 2 of 4 found. 2.6.0 (pte_chains) chains every pte.
 * <ul>
 *   <li>anon_vma_chain, anon_vma, lokier: the query at pgoff 1 returns SH1, SH2: 2 vmas, 2 ptes
 *       checked (both map the page), 2 found.
 *   <li>anonmm: i_mmap_shared SH1 SH2 W1 W2 T1 T2 all visited: 6 vmas; W1 and W2 are skipped on
 *       VM_NONLINEAR before vma_address(), T1 and T2 do not cover pgoff 1 (vma_address -EFAULT):
 *       no pte looked at in those four: 2 ptes checked, 2 found.
 *   <li>pte_chains: the chain's four ptes, one find_vma each: 4 vmas, 4 ptes, 4 found, mapcount
 *       reached. pte_chains:objrmap: remap_file_pages put page 1 at a nonlinear address, so
 *       page_convert_anon chained it whole: the same 4, 4, 4.
 *   <li>pte_chains:objrmap_nlchains: objrmap's lists SH2 SH1 W2 W1 T2 T1, each probed (6 vmas): SH2
 *       and SH1 found; W2 and W1 probed at W's linear address for pgoff 1, W+1p, which maps
 *       nothing (two ptes checked, misses); T2, T1 -EFAULT. Then the chain of the nonlinear ptes,
 *       W2's and W1's: 2 vmas, 2 ptes, found. 8 vmas, 6 ptes, 4 found, mapcount reached.
 * </ul>
 */
class NonlinearReplayTest {
    static final String PAGE = "1@7ffff7ff9000";

    @Test
    void pageReferencedDoesNotFindTheNonlinearPtes() throws Exception {
        Map<String, String> want = new LinkedHashMap<>();
        // design -> vmas visited, ptes checked, found, where it stopped
        want.put("anon_vma_chain", "2 2 2 walked all: found 2 of 4 ptes");
        want.put("anon_vma", "2 2 2 walked all: found 2 of 4 ptes");
        want.put("lokier", "2 2 2 walked all: found 2 of 4 ptes");
        want.put("anonmm", "6 2 2 walked all: found 2 of 4 ptes");
        want.put("pte_chains", "4 4 4 stopped: mapcount reached (4 ptes found)");
        want.put("pte_chains:objrmap", "4 4 4 stopped: mapcount reached (4 ptes found)");
        want.put("pte_chains:objrmap_nlchains", "8 6 4 stopped: mapcount reached (4 ptes found)");
        Map<String, Recorder.Walk> walks = FileStructureTest.lastWalks(List.copyOf(want.keySet()));
        Map<String, String> got = new LinkedHashMap<>();
        for (var e : walks.entrySet()) {
            Recorder.Walk w = e.getValue();
            assertEquals(4, w.mapcount, e.getKey());
            got.put(e.getKey(), w.vmasVisited + " " + w.ptesChecked + " " + w.found + " " + w.stop);
        }
        assertEquals(want, got);
    }

    /**
     * Every pte a replayed walk reports found was checked just before (its "pte" event, same pid
     * and address), and a vma (anonmm: an mm) was visited before that; the counts are the events':
     * under every design and variant, for page_referenced's walk and try_to_unmap's, at every step
     * of the examples with file pages, nonlinear vmas and a locked vma.
     */
    @Test
    void everyFoundPteWasVisitedAndCheckedFirst() throws Exception {
        for (String file : List.of("examples/file-fork.vms", "examples/mlock-fork.vms", "examples/fork-cow.vms")) {
            for (Recorder.DesignRun r : new Recorder(CheckPolicy.parse("end"))
                    .record(ScenarioParser.parseFile(Path.of(file)), RmapDesigns.everyName())) {
                assertEquals(List.of(), r.result.failures(), r.design);
                int walks = 0;
                for (Recorder.Step st : r.steps) {
                    for (Recorder.Walk w : st.walks().values()) {
                        String where = file + " " + r.design + " line " + st.line + " page " + w.key;
                        checkEvents(w, where);
                        assertNotNull(w.unmap, where);
                        checkEvents(w.unmap, where + " try_to_unmap");
                        walks++;
                    }
                }
                assertTrue(walks > 0, file + " " + r.design);
            }
        }
    }

    static void checkEvents(Recorder.Walk w, String where) {
        long vmas = 0, ptes = 0, found = 0;
        Recorder.WalkEvent last = null;
        boolean visited = false;
        for (Recorder.WalkEvent e : w.events) {
            switch (e.what()) {
                case "vma" -> {
                    vmas++;
                    visited = true;
                }
                case "pte", "miss" -> {
                    ptes++;
                    assertTrue(visited, where + ": pte checked before any vma visited: " + e);
                }
                case "found" -> {
                    found++;
                    assertNotNull(last, where + ": found first: " + e);
                    assertEquals("pte", last.what(), where + ": found without its check: " + e + " after " + last);
                    assertEquals(last.label(), e.label(), where + ": found another pte than the one checked");
                }
                default -> throw new AssertionError(where + ": event " + e);
            }
            last = e;
        }
        assertEquals(w.vmasVisited, vmas, where + ": vmas visited are the vma events");
        assertEquals(w.ptesChecked, ptes, where + ": ptes checked are the pte events");
        assertEquals(w.found, found, where + ": found are the found events");
    }
}
