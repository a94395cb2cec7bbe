package org.rmaplab.fuzz;

import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Task;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.scenario.Statement;

/**
 * The model profile's executor: every line the generator writes is appended to the scenario,
 * parsed as scenario text ({@link ScenarioParser#incremental}) and run by the scenario runner
 * ({@link ScenarioRunner.Session}) on a {@link CheckedSyscalls}, so what ran is exactly the
 * scenario that {@code ./rmaplab run --check every} replays. Each line's result follows it as a
 * comment. The generator reads what it needs before its next line: the last result, the tasks and
 * files bound so far, and the model's state through the tasks.
 */
final class OnlineScenario {
    private final String file;
    private final StringBuilder text = new StringBuilder();
    private final ScenarioParser parser;
    private ScenarioRunner.Session session;

    OnlineScenario(String file) {
        this.file = file;
        this.parser = ScenarioParser.incremental(file);
    }

    /** The name the scenario has in messages (and as a saved file). */
    String file() {
        return file;
    }

    /** A comment line. */
    void comment(String what) {
        text.append("# ").append(what).append('\n');
        parser.next("");
    }

    /** The {@code machine} line LINE, parsed: the machine to build. */
    MachineConfig machine(String line) {
        text.append(line).append('\n');
        parser.next(line);
        return parser.machine();
    }

    /** Starts running on SYS (fresh: t1 is made here) under DESIGN. */
    void start(String design, CheckedSyscalls sys) {
        session = new ScenarioRunner.Session(file, design, sys);
    }

    /** Writes, parses and runs {@code TASK LINE} (TASK null: a global line); returns its result. */
    String run(String task, String line) {
        int mark = text.length();
        if (task != null) {
            text.append(task).append(' ');
        }
        text.append(line);
        Statement s = parser.next(text.substring(mark));
        String result = session.step(s);
        text.append("    # ").append(result).append('\n');
        return result;
    }

    /** Whether the last line failed (an errno or a fault). */
    boolean failed() {
        return session.failed();
    }

    /** The last line's number (address, status, count, value read). */
    long value() {
        return session.value();
    }

    /** The live task bound to NAME, or null. */
    Task task(String name) {
        return session.task(name);
    }

    /** The number of the file bound to NAME. */
    long fileNumber(String name) {
        return session.file(name);
    }

    /** The scenario so far; a line that did not finish running is its last line. */
    String text() {
        int n = text.length();
        return n == 0 || text.charAt(n - 1) == '\n' ? text.toString() : text + "\n";
    }
}
