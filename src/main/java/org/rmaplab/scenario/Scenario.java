package org.rmaplab.scenario;

import java.util.List;

import org.rmaplab.mm.MachineConfig;

/**
 * A parsed scenario file.
 *
 * @param file       the file name as given (used in every message)
 * @param machine    the machine of its {@code machine} line, or {@link MachineConfig#defaults()}
 * @param statements its operation lines, in order
 */
public record Scenario(String file, MachineConfig machine, List<Statement> statements) {
    public Scenario {
        statements = List.copyOf(statements);
    }

    /** The line number of the last statement, or 1 for a scenario without any. */
    public int lastLine() {
        return statements.isEmpty() ? 1 : statements.get(statements.size() - 1).line();
    }
}
