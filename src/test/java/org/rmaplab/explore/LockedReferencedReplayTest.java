package org.rmaplab.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.scenario.ScenarioParser;

/**
 * page_referenced's replay applies its era's VM_LOCKED break, hand-derived. t1 maps a one-page
 * tmpfs file MAP_SHARED at S and writes it; fork; t2 mlocks its S (VM_LOCKED|VM_MAYSHARE); t1
 * reads S. The page is mapped twice (the 2004 kernels copied the pte at fork, today's mlock
 * populates t2's), i_mmap holds S1 then S2 (fork's copy after its parent).
 * <ul>
 *   <li>anon_vma (2.6.7), anonmm (2.6.6-mm), lokier: page_referenced_file() finds S1's pte, then
 *       meets S2, VM_LOCKED|VM_MAYSHARE: {@code referenced++; break;} before its pte (2.6.11
 *       mm/rmap.c) — 2 vmas, 1 pte, 1 found, stopped at the locked vma.
 *   <li>anon_vma_chain (today): folio_referenced_one() finds S1's pte, then S2's, in a VM_LOCKED
 *       vma: counted, and the loop is broken — 2 vmas, 2 ptes, 2 found, stopped at the locked vma.
 *   <li>pte_chains (2.6.0): page_referenced() has no VM_LOCKED test: the chain's two ptes
 *       (t2's first), 2 vmas, 2 ptes, 2 found, mapcount reached.
 * </ul>
 */
class LockedReferencedReplayTest {
    static final String SCENARIO = """
            t1 open data 1p as F
            t1 mmap 0 1p rw shared F 0 as S
            t1 write S 1p 0x5
            t1 fork as t2
            t2 mlock S 1p expect 0
            t1 read S expect 0x5
            """;

    @Test
    void theReplayStopsWhereTheEraStops() {
        Map<String, String> want = new LinkedHashMap<>();
        String locked = "stopped: VM_LOCKED vma (page_referenced's early break)";
        want.put("anon_vma", "2 1 1 " + locked);
        want.put("anonmm", "2 1 1 " + locked);
        want.put("lokier", "2 1 1 " + locked);
        want.put("anon_vma_chain", "2 2 2 " + locked);
        want.put("pte_chains", "2 2 2 stopped: mapcount reached (2 ptes found)");
        Map<String, String> got = new LinkedHashMap<>();
        for (Recorder.DesignRun r : new Recorder(CheckPolicy.parse("end"))
                .record(ScenarioParser.parse("locked.vms", SCENARIO), List.copyOf(want.keySet()))) {
            assertEquals(List.of(), r.result.failures(), r.design);
            Recorder.Walk last = null;
            for (Recorder.Step st : r.steps) {
                for (Recorder.Walk w : st.walks().values()) {
                    last = w;
                }
            }
            assertNotNull(last, r.design);
            assertEquals(2, last.mapcount, r.design);
            NonlinearReplayTest.checkEvents(last, r.design);
            got.put(r.design, last.vmasVisited + " " + last.ptesChecked + " " + last.found + " " + last.stop);
        }
        assertEquals(want, got);
    }
}
