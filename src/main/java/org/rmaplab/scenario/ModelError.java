package org.rmaplab.scenario;

/**
 * An unexpected exception thrown by the model while running a scenario line: a bug in the model,
 * not in the scenario. Carries where it happened; the cause holds the original exception.
 */
public final class ModelError extends RuntimeException {
    private final String file;
    private final int line;
    private final String design;

    public ModelError(String file, int line, String design, Throwable cause) {
        super(file + ":" + line + ": [" + design + "] internal error: " + cause, cause);
        this.file = file;
        this.line = line;
        this.design = design;
    }

    public String file() {
        return file;
    }

    /** The scenario line being run, or 0 if the failure happened before the first line. */
    public int line() {
        return line;
    }

    public String design() {
        return design;
    }
}
