package org.rmaplab.harness;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * The real kernel as judge of the corpus ({@code scenarios/} and {@code examples/}): every scenario
 * passes on it ({@code rmaplab kernel}), and every line's result agrees with the model's under the
 * design that is today's Linux ({@code rmaplab diff}; the historical designs keep their own vma merge
 * rules, which the kernel does not share). Skipped, with the reason, where the harness cannot run.
 */
class KernelCorpusTest {
    static final Path ROOT = Path.of(System.getProperty("user.dir"));

    /** Every .vms file under scenarios/ and examples/, sorted. */
    static List<Path> corpus() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : new String[] {"scenarios", "examples"}) {
            Path d = ROOT.resolve(dir);
            if (Files.isDirectory(d)) {
                try (Stream<Path> s = Files.walk(d)) {
                    s.filter(p -> p.toString().endsWith(".vms")).sorted().forEach(files::add);
                }
            }
        }
        return files;
    }

    @TestFactory
    Stream<DynamicTest> everyScenarioPassesOnTheKernel() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : corpus()) {
            Path rel = ROOT.relativize(file);
            tests.add(DynamicTest.dynamicTest(rel.toString(), () -> {
                KernelRunner k = KernelAvailable.kernel();
                Scenario sc = ScenarioParser.parseFile(rel);
                KernelReplay.LinuxResult r = retried(rel, () -> KernelReplay.judge(sc, k.run(rel)));
                assertTrue(r.passed(), () -> String.join("\n", r.report()));
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyScenarioDiffsClean() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : corpus()) {
            Path rel = ROOT.relativize(file);
            tests.add(DynamicTest.dynamicTest(rel.toString(), () -> {
                KernelRunner k = KernelAvailable.kernel();
                // The kernel can only emulate remap_file_pages (Linux 4.0 on): a scenario written for
                // machine remap=nonlinear is compared with the model's emulation, as it is judged
                // against its expect:linux results.
                ScenarioRunner model = HarnessLayout.runner(k, (design, machine) ->
                        new CheckedSyscalls(new Machine(new MachineConfig(machine.ramBytes(), machine.swapBytes(),
                                machine.arch()), RmapDesigns.create(design)), CheckPolicy.END));
                Scenario sc = ScenarioParser.parseFile(rel);
                KernelReplay.LinuxResult kr = retried(rel, () -> KernelReplay.judgePartial(sc, k.run(rel)));
                Diff.Result r = Diff.compare(sc, kr, model, RmapDesigns.DEFAULT);
                assertNotEquals(Diff.Verdict.DIVERGED, r.verdict(), r::report);
            }));
        }
        return tests.stream();
    }

    /**
     * A harness task that dies or stops answering is a fault of the harness or the machine, not a
     * result: the run is repeated (twice at most), each retry announced on stderr.
     */
    static KernelReplay.LinuxResult retried(Path file, java.util.function.Supplier<KernelReplay.LinuxResult> run) {
        for (int attempt = 1;; attempt++) {
            try {
                return run.get();
            } catch (HarnessError e) {
                if (attempt == 3) {
                    throw e;
                }
                System.err.println("rmaplab: " + file + ": the kernel harness failed (" + e.getMessage()
                        + "); running it again");
            }
        }
    }
}
