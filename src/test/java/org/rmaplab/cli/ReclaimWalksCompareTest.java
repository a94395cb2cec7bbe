package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * {@code rmaplab compare} on scenarios/reclaim/exited_parent.vms: t1 writes 8 pages, forks t2 and
 * t3, and exits, so each page is mapped by two ptes (t2's and t3's); {@code reclaim all} swaps all
 * 8 out. Every page is walked three times, whatever the design: a page_referenced in
 * refill_inactive_zone finds both ptes young (the page stays active, the bits are cleared), the
 * next finds neither (deactivated), and shrink_list's page_referenced finds neither again before
 * try_to_unmap unmaps both ptes: 3 x 8 = 24 walks, each of 2 ptes (mapcount 2; the walk ends when
 * both were found), 48 ptes checked, 8 pages swapped out. Under anonmm every page still names t1's
 * extinct anonmm at its first page_referenced, and page_referenced_anon re-homes it in that same
 * walk (2.6.6-mm): no extra walk. Before, a second walk re-homed each page, 32 walks for anonmm.
 */
class ReclaimWalksCompareTest extends CliTest {

    @Test
    void anExitedParentCostsAnonmmNoExtraWalk() {
        assertEquals(0, run("compare", "--format", "csv", "scenarios/reclaim/exited_parent.vms"), err);
        List<String> lines = out.lines().toList();
        List<String> header = Arrays.asList(lines.get(0).split(",", -1));
        int walks = header.indexOf("walks");
        int ptes = header.indexOf("walk_ptes_checked");
        int swapped = header.indexOf("pages_swapped_out");
        assertEquals(1 + org.rmaplab.rmap.RmapDesigns.names().size(), lines.size(), out);
        for (String line : lines.subList(1, lines.size())) {
            String[] c = line.split(",", -1);
            assertEquals("24", c[walks], c[0] + ": walks");
            assertEquals("48", c[ptes], c[0] + ": ptes checked");
            assertEquals("8", c[swapped], c[0] + ": pages swapped out");
        }
    }
}
