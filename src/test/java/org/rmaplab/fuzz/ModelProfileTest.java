package org.rmaplab.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.Op;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.scenario.Statement;

/** The model profile writes a scenario that {@code rmaplab run} replays line for line. */
class ModelProfileTest {

    private static ModelProfile profile(long seed, String design) {
        return new ModelProfile(seed, design, 384L << 10, 16L << 20, CheckPolicy.END).withFiles().withUffd()
                .withMlockChurn();
    }

    @Test
    void theScenarioReplaysWithTheSameResultOnEveryLine() {
        ScenarioRunner runner = new ScenarioRunner((design, machine) ->
                new CheckedSyscalls(new Machine(machine, RmapDesigns.create(design)), CheckPolicy.END));
        Set<Op> seen = EnumSet.noneOf(Op.class);
        for (String design : RmapDesigns.names()) {
            ModelProfile p = profile(5, design);
            p.run(1500);
            String text = p.scenario();
            Scenario sc = ScenarioParser.parse(design + ".vms", text);
            RunResult r = runner.run(sc, design);
            assertTrue(r.passed(), () -> String.join("\n", r.report()));
            String[] lines = text.split("\n");
            for (RunResult.LineOutcome o : r.outcomes()) {
                String line = lines[o.line() - 1];
                assertEquals(line.substring(line.indexOf("    # ") + 6), o.actual(), design + " line " + o.line());
            }
            assertEquals(sc.statements().size(), r.outcomes().size());
            sc.statements().stream().map(Statement::op).forEach(seen::add);
        }
        // Everything but vma, vmas and maps (the generator reads the model's vmas directly) and check.
        assertEquals(EnumSet.complementOf(EnumSet.of(Op.VMA, Op.VMAS, Op.MAPS, Op.CHECK)), seen);
    }

    @Test
    void sameSeedSameScenarioByteForByte() {
        ModelProfile a = profile(11, RmapDesigns.DEFAULT);
        ModelProfile b = profile(11, RmapDesigns.DEFAULT);
        a.run(800);
        b.run(800);
        assertEquals(a.scenario(), b.scenario());
        assertTrue(a.scenario().startsWith("# rmaplab model profile (org.rmaplab.fuzz.ModelProfile), seed 11, design "
                + RmapDesigns.DEFAULT + "\n"), a.scenario());
    }
}
