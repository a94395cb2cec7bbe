package org.rmaplab.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioRunner;

/** The comparison against the model, with the kernel's output given. */
class DiffTest {
    static final String D = RmapDesigns.DEFAULT;

    final ScenarioRunner model = HarnessLayout.runner((design, machine) ->
            new CheckedSyscalls(new Machine(machine, RmapDesigns.create(design)), CheckPolicy.EVERY));

    Diff.Result diff(Scenario s, String... kernel) {
        return Diff.compare(s, KernelReplay.judgePartial(s, KernelReplayTest.out(kernel)), model, D);
    }

    static final Scenario TWO = KernelReplayTest.sc(
            "t1 mmap 0 4p rw private|anonymous as A",
            "t1 mmap 0 4p rw private|anonymous as B",
            "t1 write B 8p 0x5",
            "t1 vma A");

    @Test
    void sameResultsAtOtherAddressesAreTheSame() {
        Diff.Result r = diff(TWO, "1\t0x7f0000010000", "2\t0x7f000000c000", "3\t0",
                "4\t0x7f000000c000..0x7f0000014000 rw-p");
        assertEquals(Diff.Verdict.SAME, r.verdict());
        assertEquals("SAME k.vms [" + D + "] (4 lines)", r.report());
    }

    @Test
    void theFirstDivergenceIsReportedWithBothResults() {
        Diff.Result r = diff(TWO, "1\t0x7f0000010000", "2\t0x7f0000014000", "3\tSEGV",
                "4\t0x7f0000010000..0x7f0000018000 rw-p");
        assertEquals(Diff.Verdict.DIVERGED, r.verdict());
        assertEquals("k.vms:2: [" + D + "] linux A+4p [0x7f0000014000], model A-4p [0x7ffff7ff6000]: "
                + "t1 mmap 0 4p rw private|anonymous as B", r.report());
    }

    @Test
    void aCallThatFailsOnOneSideIsADivergenceNotABadScenario() {
        Scenario s = KernelReplayTest.sc("t1 mmap 0 4p rw private|anonymous as A", "t1 read A");
        Diff.Result r = diff(s, "1\tENOMEM");
        assertEquals("k.vms:1: [" + D + "] linux ENOMEM, model new [0x7ffff7ffa000]: "
                + "t1 mmap 0 4p rw private|anonymous as A", r.report());
    }

    @Test
    void aScenarioBadOnBothSidesIsAScenarioError() {
        Scenario s = KernelReplayTest.sc("t1 mmap 0 4p rw private as A", "t1 read A");
        ScenarioError e = assertThrows(ScenarioError.class, () -> diff(s, "1\tEBADF"));
        assertEquals("k.vms:2: 'A' is unbound: the call at line 1 that binds it failed", e.getMessage());
    }

    @Test
    void fileOperationsAreCompared() {
        Scenario s = KernelReplayTest.sc("t1 mmap 0 4p rw private|anonymous as A", "t1 remap_file_pages A 4p 0");
        Diff.Result r = diff(s, "1\t0x7f0000010000", "2\tEINVAL");
        assertEquals("SAME k.vms [" + D + "] (2 lines)", r.report());
    }

    @Test
    void theModelRunsWithTheHarnessGuardPageAboveItsFirstMapping() {
        // On the kernel the first mapping has the harness's guard page above it: it cannot grow
        // in place, and neither can the model's under diff.
        Scenario s = KernelReplayTest.sc("t1 mmap 0 4p rw private|anonymous as A", "t1 mremap A 4p 8p 0");
        Diff.Result r = diff(s, "1\t0x7f0000010000", "2\tENOMEM");
        assertEquals(Diff.Verdict.SAME, r.verdict(), r.report());
    }
}
