package org.rmaplab.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
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
import org.rmaplab.mm.Syscalls;
import org.rmaplab.rmap.ptechains.PteChainsDesign;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * The whole corpus under pte_chains with wli's step (b) ({@code new PteChainsDesign(0, true)}, a
 * variant, not a registered name: it runs as {@code pte_chains}, so {@code expect:pte_chains} lines
 * apply), with the oracle after every operation — once as written and once with little RAM, swap
 * and {@code reclaim all} after every call, as {@link CorpusConformanceTest} runs the registered
 * designs. Nothing user-visible may change: only which ptes are chained.
 */
class PteChainsMlockedCorpusTest {

    private static Stream<DynamicTest> corpusUnder(String label, java.util.function.Function<MachineConfig, Syscalls> make)
            throws IOException {
        ScenarioRunner runner = new ScenarioRunner((design, machine) -> make.apply(machine));
        List<DynamicTest> tests = new ArrayList<>();
        for (Path file : CorpusConformanceTest.corpus()) {
            String rel = CorpusConformanceTest.ROOT.relativize(file).toString();
            tests.add(DynamicTest.dynamicTest(rel + " [" + label + "]", () -> {
                Scenario sc = ScenarioParser.parseFile(CorpusConformanceTest.ROOT.relativize(file));
                RunResult r = runner.run(sc, "pte_chains");
                assertTrue(r.passed(), () -> String.join("\n", r.report()));
            }));
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everyScenarioWithMlockedPtesUnchained() throws IOException {
        return corpusUnder("pte_chains step (b)", machine ->
                new CheckedSyscalls(new Machine(machine, PteChainsDesign.withMlockedUnchained()), CheckPolicy.EVERY));
    }

    @TestFactory
    Stream<DynamicTest> everyScenarioWithMlockedPtesUnchainedAndConstantReclaim() throws IOException {
        return corpusUnder("pte_chains step (b), swapping", machine -> new ReclaimingSyscalls(
                new CheckedSyscalls(new Machine(new MachineConfig(
                        Math.min(machine.ramBytes(), CorpusConformanceTest.SMALL_RAM),
                        Math.max(machine.swapBytes(), CorpusConformanceTest.SWAP), machine.arch()),
                        PteChainsDesign.withMlockedUnchained()), CheckPolicy.EVERY)));
    }
}
