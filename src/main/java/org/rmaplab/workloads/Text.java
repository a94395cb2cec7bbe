package org.rmaplab.workloads;

/** Scenario text for the workload generators: one line per call, addresses as NAME+Np. */
final class Text {
    private final StringBuilder b = new StringBuilder();

    /** Appends one line (the words joined by spaces). */
    Text line(Object... words) {
        for (int i = 0; i < words.length; i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append(words[i]);
        }
        b.append('\n');
        return this;
    }

    Text raw(String s) {
        b.append(s);
        return this;
    }

    @Override
    public String toString() {
        return b.toString();
    }
}
