package org.rmaplab.traces;

/** Bad trace input: one line, {@code FILE:LINE: what is wrong} (the CLI prints it and exits 2). */
public final class TraceError extends RuntimeException {
    public TraceError(String file, int line, String what) {
        super(file + ":" + line + ": " + what);
    }
}
