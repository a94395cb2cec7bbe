package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.cost.CostModel;
import org.rmaplab.rmap.RmapDesigns;

/**
 * rmaplab compare shows the userfaultfd counters as columns. scenarios/uffd/copy_vs_move.vms
 * copies 5 pages (UFFDIO_COPY) and moves 4 present pages plus one zero-page pte (UFFDIO_MOVE; one
 * more move is EBUSY and counts nothing): 4 pages moved, 5 ptes rewritten, 4 rmap updates, 5
 * copies avoided — the same under every design, since no design refuses a move.
 */
class CompareUffdColumnsTest {

    @Test
    void copyVsMoveCountsUnderEveryDesign() {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.commandLine(Backend.model(), new PrintWriter(o, true), new PrintWriter(e, true))
                .execute("compare", "--format", "csv", "scenarios/uffd/copy_vs_move.vms");
        assertEquals(0, code, e.toString());
        String[] lines = o.toString().split("\n");
        List<String> header = List.of(lines[0].split(","));
        List<String> designs = new ArrayList<>();
        Map<String, Long> want = Map.of("uffd_pages_moved", 4L, "uffd_ptes_rewritten", 5L,
                "uffd_rmap_updates", 4L, "uffd_copies_avoided", 5L, "uffd_pages_copied", 5L);
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].split(",");
            designs.add(cells[0]);
            Map<String, Long> got = new HashMap<>();
            for (String c : CostModel.UFFD_COLUMNS) {
                got.put(c, Long.parseLong(cells[header.indexOf(c)]));
            }
            assertEquals(want, got, cells[0]);
        }
        assertEquals(RmapDesigns.names(), designs);
    }

    @Test
    void columnsFollowCowCopies() {
        List<String> cols = CostModel.columns();
        int at = cols.indexOf("cow_copies");
        assertEquals(CostModel.UFFD_COLUMNS, cols.subList(at + 1, at + 1 + CostModel.UFFD_COLUMNS.size()));
    }
}
