package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.cost.CostModel;

/**
 * rmaplab compare shows MREMAP_RELOCATE_ANON's counters as columns: the variant's counts, 0 under
 * today's anon_vma_chain (which refuses the flags with EINVAL before anything is counted).
 */
class CompareRelocateColumnsTest {

    /** The relocation columns of FILE's rows under anon_vma_chain:relocate and anon_vma_chain, by design. */
    private static Map<String, Map<String, Long>> columns(String file) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.commandLine(Backend.model(), new PrintWriter(o, true), new PrintWriter(e, true))
                .execute("compare", "--format", "csv", "--design", "anon_vma_chain:relocate,anon_vma_chain", file);
        assertEquals(0, code, e.toString());
        String[] lines = o.toString().split("\n");
        List<String> header = List.of(lines[0].split(","));
        Map<String, Map<String, Long>> rows = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].split(",");
            Map<String, Long> got = new LinkedHashMap<>();
            for (String c : CostModel.RELOCATE_COLUMNS) {
                got.put(c, Long.parseLong(cells[header.indexOf(c)]));
            }
            rows.put(cells[0], got);
        }
        return rows;
    }

    private static Map<String, Long> want(long asked, long done, long merged, long walked, long rewritten,
                                          long fallbackShared, long mustEfault) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String c : CostModel.RELOCATE_COLUMNS) {
            m.put(c, 0L);
        }
        m.put("relocate_asked", asked);
        m.put("relocate_done", done);
        m.put("relocate_merged", merged);
        m.put("relocate_ptes_walked", walked);
        m.put("relocate_folios_rewritten", rewritten);
        m.put("relocate_fallback_shared", fallbackShared);
        m.put("relocate_must_efault", mustEfault);
        return m;
    }

    /**
     * faulted_after_faulted.vms: one MREMAP_MUST_RELOCATE_ANON move of Q (5 faulted exclusive
     * pages, pgoff of C+30p, moved to P+5p = C+6p, so copy_vma() cannot merge at the old pgoff):
     * asked 1, relocated 1, re-merged with P 1, 5 pte slots walked, 5 folios rewritten; the
     * ordinary move after it is EFAULT (Q is gone) and asks nothing.
     */
    @Test
    void faultedAfterFaulted() {
        Map<String, Map<String, Long>> rows = columns("scenarios/relocate/faulted_after_faulted.vms");
        assertEquals(want(1, 1, 1, 5, 5, 0, 0), rows.get("anon_vma_chain:relocate"));
        assertEquals(want(0, 0, 0, 0, 0, 0, 0), rows.get("anon_vma_chain"));
    }

    /**
     * forked_falls_back.vms: t1's MUST move of Q after the fork falls back (its anon_vma has a
     * child): fallback_shared 1, EFAULT 1; t2's relocate_anon move of its Q (two anon_vma_chains)
     * falls back to an ordinary move: fallback_shared 2; after t2's exit t1's relocate_anon move
     * of its 4 faulted pages (pgoff of C+30p, to P+4p) relocates and merges: asked 1, done 1,
     * merged 1, 4 walked, 4 rewritten.
     */
    @Test
    void forkedFallsBack() {
        Map<String, Map<String, Long>> rows = columns("scenarios/relocate/forked_falls_back.vms");
        assertEquals(want(1, 1, 1, 4, 4, 2, 1), rows.get("anon_vma_chain:relocate"));
        assertEquals(want(0, 0, 0, 0, 0, 0, 0), rows.get("anon_vma_chain"));
    }

    @Test
    void columnsFollowTheMergeColumns() {
        List<String> cols = CostModel.columns();
        int at = cols.indexOf("vma_merges_matena");
        assertEquals(CostModel.RELOCATE_COLUMNS,
                cols.subList(at + 1, at + 1 + CostModel.RELOCATE_COLUMNS.size()));
    }
}
