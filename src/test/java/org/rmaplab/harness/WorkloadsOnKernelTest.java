package org.rmaplab.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.workloads.Workload;
import org.rmaplab.workloads.Workloads;
import org.rmaplab.mm.Machine;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * The named workloads' scenarios on the real kernel: each (at its default parameters, and
 * gc-compact also with a snapshot child) passes its own expectations there, and every line's
 * result agrees with the model's under today's design. The workloads' expectations are the
 * generators' bookkeeping of what each page holds and what each call returns (UFFDIO_MOVE's
 * byte counts and EBUSY, and the UFFDIO_COPY that falls back from it, included), so this checks
 * the generators against Linux, not only against the model. Skipped, with the reason, where the harness cannot run.
 */
class WorkloadsOnKernelTest {

    @TempDir
    static Path dir;

    static List<Map.Entry<Workload, Map<String, Long>>> cases() {
        List<Map.Entry<Workload, Map<String, Long>>> c = new ArrayList<>();
        for (Workload w : Workloads.ALL) {
            c.add(Map.entry(w, Map.of()));
        }
        Map<String, Long> snap = new LinkedHashMap<>();
        snap.put("snapshot", 2L);
        snap.put("snapshot_rounds", 2L);
        c.add(Map.entry(Workloads.find("gc-compact").orElseThrow(), snap));
        return c;
    }

    @TestFactory
    Stream<DynamicTest> everyWorkloadPassesOnTheKernelAndDiffsClean() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<Workload, Map<String, Long>> e : cases()) {
            String label = e.getKey().label(e.getValue());
            tests.add(DynamicTest.dynamicTest(label, () -> {
                KernelRunner k = KernelAvailable.kernel();
                ScenarioRunner model = HarnessLayout.runner(k, (design, machine) ->
                        new CheckedSyscalls(new Machine(machine, RmapDesigns.create(design)), CheckPolicy.END));
                Path file = write(label.replaceAll("[^A-Za-z0-9_.-]", "_") + ".vms",
                        e.getKey().generate(e.getValue()));
                Scenario sc = ScenarioParser.parseFile(file);
                KernelReplay.LinuxResult r = KernelCorpusTest.retried(file, () -> KernelReplay.judge(sc, k.run(file)));
                assertTrue(r.passed(), () -> String.join("\n", r.report()));
                KernelReplay.LinuxResult kr = KernelCorpusTest.retried(file,
                        () -> KernelReplay.judgePartial(sc, k.run(file)));
                Diff.Result d = Diff.compare(sc, kr, model, RmapDesigns.DEFAULT);
                assertEquals(Diff.Verdict.SAME, d.verdict(), d::report);
            }));
        }
        return tests.stream();
    }

    private static Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
