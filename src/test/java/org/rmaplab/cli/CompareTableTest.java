package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.cost.CostModel;
import org.rmaplab.report.CompareReport;

/**
 * compare's terminal view (issue 16): metrics as rows, designs as columns, within 100 columns;
 * --columns chooses the metrics; JSON records the workload's parameters.
 */
class CompareTableTest extends CliTest {

    /**
     * fork-fanout with 2 children of 2 pages each, the five designs. The layout is pinned; of the
     * numbers, the walks' shape is derived by hand: the children COW every page and reclaim walks every
     * page, so anon_vma_chain's walk of a COWed page visits the one child vma whose anon_vma holds it
     * (walk_vmas_max 1), while anon_vma and lokier walk the one list of the parent and both children
     * (3 vmas at most, 2 at the median); pte_chains' walk follows the page's chain and anonmm tries the
     * page's own mm first (1 each); only anonmm counts mms (walk_mms_max, "-" elsewhere).
     */
    @Test
    void theDefaultTableOfASmallWorkload() {
        assertEquals(0, run("compare", "fork-fanout", "--param", "children=2", "--param", "pages=2"), err);
        assertEquals("""
                metric             anon_vma_chain  anon_vma  pte_chains  anonmm  lokier
                arch                       x86_64    x86_64      x86_64  x86_64  x86_64
                rmap_bytes_peak               680        96         128     144     336
                rmap_bytes                    680        96           0     144     336
                lowmem_bytes_peak           66216     65632       82048   65680   65872
                walks                          24        24          24      24      24
                walk_vmas_max                   1         3           1       1       3
                walk_vmas_p50                   1         2           1       1       2
                walk_ptes_max                   1         3           1       1       3
                walk_ptes_p50                   1         2           1       1       2
                walk_mms_max                    -         -           -       1       -
                walk_vmas_visited              24        48          24      24      48
                walk_ptes_checked              24        48          24      24      48
                rmap_ops                       22        22          22      22      22
                fork_rmap_ops                   4         4           4       4       4
                exit_rmap_ops                   0         0           0       0       0
                unmaps_failed                   0         0           0       0       0
                mremap_cows                     0         0           0       0       0
                est_time_ns                644862    649677      645347  644662  649717
                est_fork_ns                511150    510910      510990  510990  510910
                est_run_ns                 115590    115550      115510  115550  115590
                est_reclaim_ns              18122     23217       18847   18122   23217
                est_exit_ns                     0         0           0       0       0
                (22 of 99 metrics: --columns all or --columns A,B,... for others; --format csv or json)
                (est_*_ns priced by: %s)
                (the reference calibration shipped with rmaplab; 'rmaplab calibrate' measures this machine's)
                """.formatted(org.rmaplab.cost.Calibration.reference().label()), out);
        // The estimates priced by the reference: anon_vma's and lokier's reclaim walks visit and check
        // 48 - 24 = 24 vmas and ptes more than anon_vma_chain's, and their reclaim costs that much more.
        org.rmaplab.cost.Calibration ref = org.rmaplab.cost.Calibration.reference();
        assertEquals(18122 + Math.round(24 * ref.ns("walk_vma") + 24 * ref.ns("walk_pte")), 23217, 1);
        // pte_chains' walks visit what anon_vma_chain's do, and read 2 chain blocks more: the parent's
        // 2 pages, which each child COWed, are left with a chain of one pte until page_referenced
        // collapses it (2.6.0), so reclaim's first walk of each reads one block.
        assertEquals(18122 + Math.round(2 * ref.ns("pte_chain_line")), 18847, 1);
    }

    /** Every metric of the largest default workload run fits 100 columns under the five designs. */
    @Test
    void everyMetricFitsOneHundredColumns() {
        assertEquals(0, run("compare", "--columns", "all", "fork-fanout"), err);
        List<String> lines = out.lines().toList();
        // a header, a line per metric (not design nor calibration), two naming the calibration
        assertEquals(1 + CostModel.columns().size() - 2 + 2, lines.size(), out);
        for (String l : lines) {
            assertTrue(l.length() <= 100, l.length() + ": " + l);
        }
        assertTrue(lines.get(0).matches("metric +anon_vma_chain +anon_vma +pte_chains +anonmm +lokier"), lines.get(0));
    }

    /** More designs than fit: further blocks of columns, each with its header, every line within 100. */
    @Test
    void manyDesignsWrapIntoBlocks() {
        assertEquals(0, run("compare", "--design", "anon_vma_chain,anon_vma,pte_chains,anonmm,lokier,"
                + "pte_chains:objrmap,pte_chains:objrmap_nlchains,anon_vma_chain:noreuse",
                "--columns", "rmap_bytes_peak,walks", "fork-fanout", "--param", "children=2", "--param", "pages=2"), err);
        assertEquals("""
                metric           anon_vma_chain  anon_vma  pte_chains  anonmm  lokier  pte_chains:objrmap
                rmap_bytes_peak             680        96         128     144     336                 128
                walks                        24        24          24      24      24                  24

                metric           pte_chains:objrmap_nlchains  anon_vma_chain:noreuse
                rmap_bytes_peak                          128                     680
                walks                                     24                      24
                """, out);
    }

    /** A sweep: one line per metric and swept value, the metric named on each. */
    @Test
    void aSweepHasALinePerValue() {
        assertEquals(0, run("compare", "fork-fanout", "--sweep", "children=1,3", "--param", "pages=2",
                "--design", "anon_vma,anon_vma_chain", "--columns", "walk_vmas_max"), err);
        // anon_vma's list holds the parent and every child: N + 1 vmas at most; anon_vma_chain 1.
        assertEquals("""
                metric         children  anon_vma  anon_vma_chain
                walk_vmas_max         1         2               1
                walk_vmas_max         3         4               1
                """, out);
    }

    @Test
    void columnsChoosesTheMetricsAndRefusesUnknownOnes() {
        assertEquals(0, run("compare", "--design", "anonmm", "--columns", "mms_peak,arch", "fork-fanout",
                "--param", "children=2", "--param", "pages=2"), err);
        // three mms at peak: the parent and its two children.
        assertEquals("metric    anonmm\nmms_peak       3\narch      x86_64\n", out);
        assertEquals(2, run("compare", "--columns", "rmap_bytes,nope", "fork-fanout"));
        assertEquals("", out);
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith("rmaplab: unknown column 'nope' (known: arch, rmap_bytes, rmap_bytes_peak, "), err);
        assertTrue(err.contains(", est_time_ns, or all)"), err);
        assertEquals(2, run("compare", "--columns", "walks,walks", "fork-fanout"));
        assertTrue(err.startsWith("rmaplab: column 'walks' given twice"), err);
        assertEquals(2, run("compare", "--columns", "walks", "--format", "csv", "fork-fanout"));
        assertTrue(err.startsWith("rmaplab: --columns chooses the table's metrics; --format csv has every column"), err);
    }

    /** The default rows are the HTML page's headline charts, in their order, with the totals beside them. */
    @Test
    void theDefaultRowsFollowTheCharts() {
        List<String> headline = new ArrayList<>();
        for (String c : CompareReport.TABLE_METRICS) {
            if (!List.of("arch", "rmap_bytes", "walks").contains(c)) {
                headline.add(c);
            }
        }
        assertEquals(CompareReport.headline(), headline);
    }

    /** The JSON's line naming the calibration (the tests price with the reference: pom.xml). */
    static final String CAL = "  \"calibration\": \"" + org.rmaplab.cost.Calibration.reference().label() + "\",\n";

    /** JSON names the workload and every parameter, defaults filled in; with a sweep, the swept values. */
    @Test
    void jsonRecordsTheWorkloadsParameters() throws java.io.IOException {
        assertEquals(0, run("compare", "--format", "json", "--design", "anon_vma", "fork-fanout", "--param", "pages=2"), err);
        assertTrue(out.startsWith("{\n  \"scenario\": \"fork-fanout[pages=2]\",\n  \"workload\": \"fork-fanout\",\n"
                + "  \"params\": {\"children\": 8, \"pages\": 2, \"parent_exits\": 0, \"parent_cows\": 0},\n"
                + CAL + "  \"rows\": [\n    {\"design\": \"anon_vma\", "), out);
        assertEquals(0, run("compare", "--format", "json", "--design", "anon_vma", "fork-fanout", "--param", "pages=2",
                "--sweep", "children=3,1"), err);
        assertTrue(out.startsWith("{\n  \"scenario\": \"fork-fanout[pages=2]\",\n  \"workload\": \"fork-fanout\",\n"
                + "  \"params\": {\"pages\": 2, \"parent_exits\": 0, \"parent_cows\": 0},\n"
                + "  \"sweep\": {\"param\": \"children\", \"values\": [3, 1]},\n"
                + CAL + "  \"rows\": [\n    {\"design\": \"anon_vma\", \"children\": 3, "), out);
        // A scenario file: no workload, as before.
        java.nio.file.Path f = write("a.vms", "t1 mmap 0 4p rw private|anonymous as A\n");
        assertEquals(0, run("compare", "--format", "json", "--design", "anon_vma", f.toString()), err);
        assertTrue(out.startsWith("{\n  \"scenario\": \"" + f + "\",\n" + CAL + "  \"rows\": [\n"), out);
    }
}
