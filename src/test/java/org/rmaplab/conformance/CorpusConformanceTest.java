package org.rmaplab.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * The conformance suite (JCTools-style: one suite, every implementation): every scenario of the
 * corpus ({@code scenarios/} and {@code examples/}) under every registered design, with the
 * oracle's full check after every operation.
 */
class CorpusConformanceTest {
    static final Path ROOT = Path.of(System.getProperty("user.dir"));

    static List<Path> corpus() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : new String[] {"scenarios", "examples"}) {
            Path d = ROOT.resolve(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(d)) {
                s.filter(p -> p.toString().endsWith(".vms")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    @TestFactory
    Stream<DynamicTest> everyScenarioUnderEveryDesign() throws IOException {
        ScenarioRunner runner = new ScenarioRunner((design, machine) ->
                new CheckedSyscalls(new Machine(machine, RmapDesigns.create(design)), CheckPolicy.EVERY));
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : corpus()) {
            String rel = ROOT.relativize(file).toString();
            for (String design : RmapDesigns.everyName()) {
                tests.add(DynamicTest.dynamicTest(rel + " [" + design + "]", () -> {
                    Scenario sc = ScenarioParser.parseFile(ROOT.relativize(file));
                    RunResult r = runner.run(sc, design);
                    assertTrue(r.passed(), () -> String.join("\n", r.report()));
                }));
            }
        }
        return tests.stream();
    }

    /**
     * The corpus again with little RAM, a swap device and {@code reclaim all} after every call:
     * contents and every expectation must survive constant eviction.
     */
    @TestFactory
    Stream<DynamicTest> everyScenarioUnderEveryDesignWithConstantReclaim() throws IOException {
        ScenarioRunner runner = new ScenarioRunner((design, machine) -> new ReclaimingSyscalls(
                new CheckedSyscalls(new Machine(machine.withRamAndSwap(Math.min(machine.ramBytes(), SMALL_RAM),
                        Math.max(machine.swapBytes(), SWAP)), RmapDesigns.create(design)),
                        CheckPolicy.EVERY)));
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : corpus()) {
            String rel = ROOT.relativize(file).toString();
            for (String design : RmapDesigns.everyName()) {
                tests.add(DynamicTest.dynamicTest(rel + " [" + design + ", swapping]", () -> {
                    Scenario sc = ScenarioParser.parseFile(ROOT.relativize(file));
                    RunResult r = runner.run(sc, design);
                    assertTrue(r.passed(), () -> String.join("\n", r.report()));
                }));
            }
        }
        return tests.stream();
    }

    static final long SMALL_RAM = 2L << 20;
    static final long SWAP = 64L << 20;

    @Test
    void theCorpusHasAtLeastFortyScenarios() throws IOException {
        int parsed = 0;
        for (Path file : corpus()) {
            ScenarioParser.parseFile(ROOT.relativize(file));
            parsed++;
        }
        assertTrue(parsed >= 40, "scenarios: " + parsed);
    }
}
