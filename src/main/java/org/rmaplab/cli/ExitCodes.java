package org.rmaplab.cli;

/** Exit codes of every rmaplab command. */
public final class ExitCodes {
    private ExitCodes() {}

    /** Everything passed. */
    public static final int OK = 0;
    /** An expectation failed or an invariant was violated. */
    public static final int FAILED = 1;
    /** Bad input: a bad scenario, unknown design, missing file, bad option. */
    public static final int USAGE = 2;
    /** An internal error: a bug in the model (a stack trace is printed). */
    public static final int INTERNAL = 3;
}
