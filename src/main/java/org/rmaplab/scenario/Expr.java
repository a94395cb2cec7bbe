package org.rmaplab.scenario;

/**
 * A value or address expression: an optional bound NAME, plus a constant (the number, or the sum
 * of the {@code +SIZE}/{@code -SIZE} terms). {@code A+4p-1} is {@code name = "A", constant = 16383};
 * {@code 0x1000} is {@code name = null, constant = 4096}. Evaluated at run time, 64-bit wrapping.
 *
 * @param text     the expression as written
 * @param name     the bound name it starts with, or null
 * @param constant the number, or the sum of the terms after NAME
 */
public record Expr(String text, String name, long constant) implements Arg {

    public boolean hasName() {
        return name != null;
    }

    /** The value, given the value of {@link #name} (ignored when there is no name). */
    public long eval(long nameValue) {
        return name == null ? constant : nameValue + constant;
    }

    @Override
    public String toString() {
        return text;
    }
}
