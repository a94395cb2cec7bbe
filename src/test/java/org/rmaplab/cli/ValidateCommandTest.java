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
}
