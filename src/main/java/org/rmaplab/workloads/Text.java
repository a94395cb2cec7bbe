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

    /** {@code NAME} or {@code NAME+Np}. */
    static String at(String name, long page) {
        return page == 0 ? name : name + "+" + page + "p";
    }

    /** {@code Np}. */
    static String pages(long n) {
        return n + "p";
    }

    /** {@code 0xHEX}. */
    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }
}
