package org.rmaplab.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * remap_anon_pages (Andrea Arcangeli's 2014 syscall, never merged: docs/reference.md#uffd-move and
 * docs/reference.md#arcangeli-remap-anon-pages) has no kernel to judge it, so its scenario lives out of
 * the corpus: src/test/resources/model-only/remap_anon_pages.vms, under every design with the
 * oracle after every operation.
 */
class RemapAnonPagesTest {
    static final Path FILE = Path.of("src/test/resources/model-only/remap_anon_pages.vms");

    @TestFactory
    Stream<DynamicTest> underEveryDesign() {
        ScenarioRunner runner = new ScenarioRunner((design, machine) ->
                new CheckedSyscalls(new Machine(machine, RmapDesigns.create(design)), CheckPolicy.EVERY));
        return RmapDesigns.everyName().stream().map(design -> DynamicTest.dynamicTest(design, () -> {
            Scenario sc = ScenarioParser.parseFile(FILE);
            RunResult r = runner.run(sc, design);
            assertTrue(r.passed(), () -> String.join("\n", r.report()));
        }));
    }
}
