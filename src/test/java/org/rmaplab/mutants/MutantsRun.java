package org.rmaplab.mutants;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.ClassNameFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.rmaplab.mm.FaultInject;
import org.rmaplab.mm.FaultInject.Bug;

/**
 * The mutants run ({@code mvn -B -ntp verify -Pmutants}): the fast, self-judging part of the suite
 * — short random sequences judged by the reference of the calls' results (ReferenceRulesTest),
 * the core's and the designs' unit tests, the scenario runner's, the oracle's random sequences
 * and the scenario corpus under every design — once per planted bug of {@link FaultInject}, in
 * that order, stopping at the first failing test. It prints {@code mutants: N/N caught} and, per
 * bug, the first test that caught it and the time it took; writes the same to
 * target/mutants.txt; and fails unless every bug is caught. Golden-file and kernel-judged tests
 * are not in the set: a golden number is a regression pin, not a judgement, and the kernel is not
 * everywhere. {@code -Drmaplab.mutants=ID,ID} plants only those bugs; each bug's line goes to
 * stderr as soon as it is judged.
 */
@Tag("mutants")
class MutantsRun {
    /** The groups of the fast set, cheapest first; a bug caught by a group skips the rest. */
    static List<List<DiscoverySelector>> groups() {
        return List.of(
                // a few seconds: the reference's rules and short judged random sequences under every design
                List.of(selectClass("org.rmaplab.check.ReferenceRulesTest")),
                List.of(selectPackage("org.rmaplab.mm"), selectPackage("org.rmaplab.rmap"),
                        selectPackage("org.rmaplab.scenario")),
                List.of(selectClass("org.rmaplab.check.OracleDetectsTest"),
                        selectClass("org.rmaplab.check.RandomMlockedPteChainsSequenceTest"),
                        selectClass("org.rmaplab.check.RandomStackSequenceTest")),
                List.of(selectClass("org.rmaplab.check.RandomSwapSequenceTest"),
                        selectClass("org.rmaplab.check.RandomUffdSequenceTest"),
                        selectClass("org.rmaplab.check.RandomFileSequenceTest")),
                List.of(selectPackage("org.rmaplab.conformance")),
                List.of(selectClass("org.rmaplab.check.RandomSequenceTest")));
    }

    record Outcome(Bug bug, String test, String why, long millis) {}

    @Test
    void everyPlantedBugIsCaught() throws IOException {
        Launcher launcher = LauncherFactory.create();
        List<Outcome> outcomes = new ArrayList<>();
        long start = System.nanoTime();
        String only = System.getProperty("rmaplab.mutants", "");
        for (Bug bug : Bug.values()) {
            if (!only.isEmpty() && !java.util.Arrays.asList(only.split(",")).contains(bug.id())) {
                continue;
            }
            Outcome o = runOne(launcher, bug);
            outcomes.add(o);
            System.err.println("mutants: " + bug.id() + (o.test() == null ? " NOT CAUGHT" : " caught by " + o.test())
                    + " (" + o.millis() + " ms)");
        }
        long caught = outcomes.stream().filter(o -> o.test() != null).count();
        StringBuilder sb = new StringBuilder();
        sb.append("mutants: ").append(caught).append('/').append(outcomes.size()).append(" caught in ")
                .append((System.nanoTime() - start) / 1_000_000_000).append(" s\n");
        for (Outcome o : outcomes) {
            sb.append(String.format("  %-34s %s%n", o.bug().id(), o.test() == null
                    ? "NOT CAUGHT (" + o.millis() + " ms)"
                    : "caught in " + o.millis() + " ms by " + o.test() + ": " + o.why()));
        }
        System.out.print(sb);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/mutants.txt"), sb.toString());
        assertEquals(outcomes.size(), caught, sb.toString());
    }

    /** Plants one bug, runs the groups until a test fails, and unplants it. */
    private static Outcome runOne(Launcher launcher, Bug bug) {
        FirstFailure ff = new FirstFailure();
        StopAfterFirstFailure.caught = false;
        FaultInject.planted = bug;
        long t0 = System.nanoTime();
        try {
            for (List<DiscoverySelector> g : groups()) {
                LauncherDiscoveryRequest req = LauncherDiscoveryRequestBuilder.request()
                        .selectors(g)
                        .filters(ClassNameFilter.includeClassNamePatterns(".*Test"))
                        .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                        .build();
                launcher.execute(req, ff);
                if (ff.test != null) {
                    break;
                }
            }
        } finally {
            FaultInject.planted = null;
            StopAfterFirstFailure.caught = false;
        }
        return new Outcome(bug, ff.test, ff.why, ff.test != null ? ff.millis : (System.nanoTime() - t0) / 1_000_000);
    }

    /** Records the first failed test, its message's first line and when it failed. */
    private static final class FirstFailure implements TestExecutionListener {
        final long t0 = System.nanoTime();
        String test;
        String why;
        long millis;

        @Override
        public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (test != null || !id.isTest() || result.getStatus() != TestExecutionResult.Status.FAILED) {
                return;
            }
            StopAfterFirstFailure.caught = true;
            millis = (System.nanoTime() - t0) / 1_000_000;
            test = id.getUniqueIdObject().getSegments().stream()
                    .filter(s -> s.getType().equals("class") || s.getType().equals("method")
                            || s.getType().equals("test-factory") || s.getType().endsWith("-invocation")
                            || s.getType().equals("dynamic-test"))
                    .map(s -> s.getType().equals("class") ? s.getValue().replace("org.rmaplab.", "")
                            : s.getType().equals("method") || s.getType().equals("test-factory")
                            ? s.getValue().replaceAll("\\(.*", "") : "[" + id.getDisplayName() + "]")
                    .reduce((a, b) -> a + "." + b).orElse(id.getDisplayName());
            Throwable th = result.getThrowable().orElse(null);
            String msg = th == null ? "" : th.getClass().getSimpleName() + ": " + String.valueOf(th.getMessage());
            int nl = msg.indexOf('\n');
            if (nl >= 0 && nl < 3) {
                msg = msg.substring(0, nl) + msg.substring(nl + 1).replaceFirst("\n[\\s\\S]*", "");
            } else if (nl >= 0) {
                msg = msg.substring(0, nl);
            }
            why = msg.length() > 160 ? msg.substring(0, 160) + "..." : msg;
        }
    }
}
