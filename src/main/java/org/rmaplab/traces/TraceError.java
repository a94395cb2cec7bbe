package org.rmaplab.traces;

/** Bad trace input: one line, {@code FILE:LINE: what is wrong} (the CLI prints it and exits 2). */
public final class TraceError extends RuntimeException {
    private final String file;
    private final int line;
    private final String what;

    public TraceError(String file, int line, String what) {
        super(file + ":" + line + ": " + what);
        this.file = file;
        this.line = line;
        this.what = what;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    /** The message without its {@code FILE:LINE: }. */
    public String what() {
        return what;
    }
}
