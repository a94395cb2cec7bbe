package org.rmaplab.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.ZeroPageTest;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * The host's zero-page policy (vmsh -z) and why the diff needs it: the fuzz findings of
 * {@link ZeroPageTest#SCENARIOS} diff clean when the model faults as the host does, and diverge
 * when it does the opposite. Skipped where the harness cannot run.
 */
class ZeroPageOnKernelTest {
    /** A PVM guest kernel says in this parameter whether it forbids the zero page. */
    static final Path PVM_PARAM = Path.of("/sys/module/kernel/parameters/pvm_no_zero_page");

    @Test
    void theProbeAgreesWithTheKernelsOwnParameterWhereThereIsOne() throws IOException {
        KernelRunner k = KernelAvailable.kernel();
        boolean zeroPage = k.readFaultMapsZeroPage();
        if (Files.isReadable(PVM_PARAM)) {
            String v = Files.readString(PVM_PARAM).strip();
            assertEquals(!v.equals("Y") && !v.equals("1"), zeroPage, PVM_PARAM + " = " + v);
        }
    }

    @Test
    void theFuzzFindingsDiffCleanOnlyWhenTheModelFaultsAsTheHostDoes() {
        KernelRunner k = KernelAvailable.kernel();
        boolean zeroPage = k.readFaultMapsZeroPage();
        ScenarioRunner host = HarnessLayout.runner(k, ZeroPageOnKernelTest::model);
        ScenarioRunner opposite = new ScenarioRunner((d, m) -> HarnessLayout.apply(model(d, m), !zeroPage));
        for (ZeroPageTest.Finding f : ZeroPageTest.SCENARIOS) {
            Scenario sc = ScenarioParser.parse(f.name() + ".vms", f.text());
            KernelReplay.LinuxResult kr = KernelReplay.judgePartial(sc, k.runText(f.text()));
            Diff.Result same = Diff.compare(sc, kr, host, RmapDesigns.DEFAULT);
            assertEquals(Diff.Verdict.SAME, same.verdict(), same::report);
            Diff.Result other = Diff.compare(sc, kr, opposite, RmapDesigns.DEFAULT);
            assertEquals(Diff.Verdict.DIVERGED, other.verdict(), other::report);
            assertEquals(sc.statements().get(sc.statements().size() - 1).line(), other.first().line(),
                    other::report);
        }
    }

    private static CheckedSyscalls model(String design, org.rmaplab.mm.MachineConfig machine) {
        return new CheckedSyscalls(new Machine(machine, RmapDesigns.create(design)), CheckPolicy.END);
    }
}
