package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.Statement;

/** bench validate's phases of a line (as TimeEstimate splits the estimate) and its refusals. */
class ValidateCommandTest extends CliTest {

    @Test
    void phasesOfLines() {
        Scenario sc = ScenarioParser.parse("t.vms", String.join("\n",
                "t1 mmap 0 4p rw private|anonymous as A",
                "t1 fork as t2",
                "t2 madvise A 4p pageout",
                "t2 madvise A 4p dontneed",
                "reclaim all",
                "t2 exit",
                ""));
        List<String> got = sc.statements().stream().map(ValidateCommand::phase).toList();
        assertEquals(List.of("run", "fork", "reclaim", "run", "reclaim", "exit"), got);
    }

    /** Every case is a workload that exists, at parameters it accepts; three sizes each of six workloads. */
    @Test
    void casesGenerate() {
        assertEquals(18, ValidateCommand.CASES.size());
        for (ValidateCommand.Case k : ValidateCommand.CASES) {
            org.rmaplab.workloads.Workloads.find(k.workload()).orElseThrow().generate(k.params());
        }
        assertEquals(6, ValidateCommand.CASES.stream().map(ValidateCommand.Case::workload).distinct().count());
    }

    @Test
    void badOptionsExitTwo() {
        assertEquals(2, run("bench", "validate", "--rounds", "0"));
        assertEquals("rmaplab: --rounds must be 1 to 31, not 0 (see 'rmaplab bench validate --help')\n", err);
        assertEquals(2, run("bench", "validate", "--only", "realloc-growth"));
        assertEquals("rmaplab: --only: no validated workload 'realloc-growth' (see 'rmaplab bench validate --help')\n", err);
    }

    /** REF with every price 0 but fault_anon and call_mmap. */
    private static org.rmaplab.cost.Calibration priced(double faultAnon, double callMmap) {
        org.rmaplab.cost.Calibration c = org.rmaplab.cost.Calibration.reference();
        for (String p : org.rmaplab.cost.Calibration.PRIMITIVES.keySet()) {
            double ns = p.equals("fault_anon") ? faultAnon : p.equals("call_mmap") ? callMmap : 0;
            c = ValidateCommand.withPrice(c, p, ns, "test");
        }
        return c;
    }

    /**
     * A row priced by two calibrations: one mmap and 4 pages written (4 anonymous faults; the rmap
     * allocations and page tables on the way are priced 0 here) cost 4 x fault_anon + call_mmap.
     * Given: 4 x 1000 + 500 = 4500 ns; fresh: 4 x 2000 + 100 = 8100 ns. Against a measured 5000 ns:
     * (4500 - 5000) / 5000 = -10.0%, within the target; (8100 - 5000) / 5000 = +62.0%, a miss.
     */
    @Test
    void freshCalibrationPricesTheSameCounts() {
        Scenario sc = ScenarioParser.parse("t.vms", String.join("\n",
                "t1 mmap 0 4p rw private|anonymous as A",
                "t1 write A 4p 0xA1",
                ""));
        double given = Double.parseDouble(ValidateCommand.estimate(sc, priced(1000, 500)).get("est_time_ns"));
        double fresh = Double.parseDouble(ValidateCommand.estimate(sc, priced(2000, 100)).get("est_time_ns"));
        assertEquals(4500, given, 1e-9);
        assertEquals(8100, fresh, 1e-9);
        assertEquals("-10.0%", ValidateCommand.errorCell(given, 5000));
        assertEquals("+62.0% (miss)", ValidateCommand.errorCell(fresh, 5000));
        assertEquals("n/a", ValidateCommand.errorCell(fresh, 0));
    }

    /**
     * calibrate.c's control read back, and the row's cell: before 10000 and 20000 ns, after 13000
     * and 19000: 13000 / 10000 = 1.30, 19000 / 20000 = 0.95; the larger change +30%, flagged. After
     * 10400 and 20600: 1.04 and 1.03, not flagged.
     */
    @Test
    void controlCell() throws Exception {
        org.rmaplab.cost.Validation.Control before = Recalibration.parseControl(
                "control madvise_dontneed_1 10000.0\ncontrol fault_anon 20000.0\n");
        assertEquals(new org.rmaplab.cost.Validation.Control(10000, 20000), before);
        assertEquals("dontneed 1.30 (10.0 to 13.0 us), fault 0.95 (20.0 to 19.0 us); speed moved +30.0% during the row",
                Recalibration.controlCell(before, new org.rmaplab.cost.Validation.Control(13000, 19000)));
        assertEquals("dontneed 1.04 (10.0 to 10.4 us), fault 1.03 (20.0 to 20.6 us)",
                Recalibration.controlCell(before, new org.rmaplab.cost.Validation.Control(10400, 20600)));
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> Recalibration.parseControl("control fault_anon 20000.0\n"));
    }

    @Test
    void badRecalibrateRoundsExitTwo() {
        assertEquals(2, run("bench", "validate", "--recalibrate", "--recalibrate-rounds", "33"));
        assertEquals("rmaplab: --recalibrate-rounds must be 1 to 32, not 33 (see 'rmaplab bench validate --help')\n", err);
    }
}
