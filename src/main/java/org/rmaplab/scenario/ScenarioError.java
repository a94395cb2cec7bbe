package org.rmaplab.scenario;

/**
 * An error in a scenario file (bad syntax, a name used before it is bound, an operation not
 * supported yet, a task used after it exited...). The message is always exactly one line,
 * {@code FILE:LINE: what is wrong}; the CLI prints it as is and exits 2.
 */
public final class ScenarioError extends RuntimeException {
    private final String file;
    private final int line;

    public ScenarioError(String file, int line, String what) {
        super(file + ":" + line + ": " + what);
        this.file = file;
        this.line = line;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }
}
