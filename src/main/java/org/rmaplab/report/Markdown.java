package org.rmaplab.report;

import java.util.List;
import java.util.Locale;

/**
 * The markdown of docs/findings.md as a section writes it: headings, paragraphs, table headers and
 * rows, and the number formats the findings use (always {@link Locale#ROOT}, so the document is the
 * same on every JVM).
 */
final class Markdown {
    private final StringBuilder b;

    Markdown() {
        this(new StringBuilder());
    }

    /** A writer appending to B. */
    Markdown(StringBuilder b) {
        this.b = b;
    }

    /** {@code ## TITLE} and a blank line. */
    Markdown heading(String title) {
        b.append("## ").append(title).append("\n\n");
        return this;
    }

    /** TEXT as it is. */
    Markdown text(String text) {
        b.append(text);
        return this;
    }

    /** TEXT and a blank line. */
    Markdown paragraph(String text) {
        b.append(text).append("\n\n");
        return this;
    }

    /** {@link #fmt} of FORMAT and ARGS. */
    Markdown format(String format, Object... args) {
        b.append(fmt(format, args));
        return this;
    }

    /** A table header whose columns are all right-aligned ({@code ---:}). */
    Markdown header(List<String> columns) {
        return header(0, columns);
    }

    /** A table header whose first LEFT columns are left-aligned ({@code ---}), the others right-aligned. */
    Markdown header(int left, List<String> columns) {
        row(columns.toArray());
        b.append('|');
        for (int i = 0; i < columns.size(); i++) {
            b.append(i < left ? "---|" : "---:|");
        }
        b.append('\n');
        return this;
    }

    /** A table header: FIRST, then COLUMNS, all right-aligned. */
    Markdown header(String first, List<String> columns) {
        return header(0, cons(first, columns));
    }

    /** One table row: {@code | c1 | c2 | ... |}. */
    Markdown row(Object... cells) {
        b.append('|');
        for (Object c : cells) {
            b.append(' ').append(c).append(" |");
        }
        b.append('\n');
        return this;
    }

    @Override
    public String toString() {
        return b.toString();
    }

    /** FIRST followed by REST. */
    static List<String> cons(String first, List<String> rest) {
        List<String> l = new java.util.ArrayList<>();
        l.add(first);
        l.addAll(rest);
        return l;
    }

    /** String.format in {@link Locale#ROOT}. */
    static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** V with two decimals. */
    static String f2(double v) {
        return fmt("%.2f", v);
    }

    /** N / D, with D taken as at least 1 (a count per walk of a run with no walks is 0). */
    static double per(long n, long d) {
        return (double) n / Math.max(1, d);
    }

    /** The change from FROM to TO in percent with a sign and one decimal; {@code 0.0%} when equal. */
    static String change(long from, long to) {
        return from == to ? "0.0%" : fmt("%+.1f%%", 100.0 * (to - from) / from);
    }

    private static final String[] WORDS = {"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"};

    /** N as prose: a word up to nine, else digits. */
    static String count(long n) {
        return n >= 0 && n < WORDS.length ? WORDS[(int) n] : Long.toString(n);
    }
}
