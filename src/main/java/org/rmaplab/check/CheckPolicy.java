package org.rmaplab.check;

/** When the oracle runs its full invariant check: {@code --check every|end|off}. */
public enum CheckPolicy {
    /** After every operation. */
    EVERY,
    /** Once, at the end of the run (and at every {@code check} line). */
    END,
    /** Never (contents are still compared on every read). */
    OFF;

    public static CheckPolicy parse(String s) {
        switch (s) {
            case "every": return EVERY;
            case "end": return END;
            case "off": return OFF;
            default: throw new IllegalArgumentException("--check takes every, end or off, not '" + s + "'");
        }
    }
}
