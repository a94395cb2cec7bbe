package org.rmaplab.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * Recording replays walks with the counters paused and reads the machine between lines: over the
 * corpus (every scenario under scenarios/, the five designs), a recorded run has the same verdict
 * and ends with the same design counters as a plain run, and the recorded counter deltas add up
 * to those counters.
 */
class RecordingChangesNothingTest {
    static final List<String> DESIGNS = List.of("anon_vma_chain", "anon_vma", "pte_chains", "anonmm", "lokier");

    @Test
    void theCorpusRecordedRunsAsItRuns() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(Path.of("scenarios"))) {
            files = s.filter(p -> p.toString().endsWith(".vms")).sorted().toList();
        }
        int runs = 0;
        for (Path f : files) {
            Scenario sc;
            try {
                sc = ScenarioParser.parseFile(f);
            } catch (ScenarioError e) {
                continue; // the corpus's own bad-input cases
            }
            for (String d : DESIGNS) {
                Machine[] plain = new Machine[1];
                RunResult want;
                try {
                    want = new ScenarioRunner((x, m) -> new CheckedSyscalls(plain[0] = new Machine(m, RmapDesigns.create(x)),
                            CheckPolicy.parse("end"))).run(sc, d);
                } catch (ScenarioError e) {
                    continue;
                }
                Recorder.DesignRun got = new Recorder(CheckPolicy.parse("end")).record(sc, d);
                String where = f + " [" + d + "]";
                assertEquals(want.failures(), got.result.failures(), where);
                Map<String, Long> end = plain[0].design().stats().asMap();
                Map<String, Long> sum = new java.util.HashMap<>();
                for (Recorder.Step st : got.steps) {
                    st.counters.forEach((k, v) -> sum.merge(k, v, Long::sum));
                }
                List<String> diff = new ArrayList<>();
                end.forEach((k, v) -> {
                    if (v.longValue() != sum.getOrDefault(k, 0L).longValue()) {
                        diff.add(k + " " + v + " != " + sum.getOrDefault(k, 0L));
                    }
                });
                assertEquals(List.of(), diff, where + ": the recorded deltas add up to a plain run's counters");
                runs++;
            }
        }
        System.err.println("RecordingChangesNothingTest: " + runs + " runs");
    }
}
