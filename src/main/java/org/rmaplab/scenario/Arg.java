package org.rmaplab.scenario;

/** One argument of an operation, as parsed. */
public sealed interface Arg permits Expr, Arg.Prot, Arg.Flags, Arg.Advice, Arg.Name, Arg.All {

    /** A protection: {@code none} or letters from {@code rwx}; value is PROT_* bits. */
    record Prot(String text, int value) implements Arg {}

    /** Flags joined by {@code |} (or {@code 0}); value is the op's Linux flag bits. */
    record Flags(String text, int value) implements Arg {}

    /** madvise advice by name; value is MADV_*. */
    record Advice(String text, int value) implements Arg {}

    /** A name that is not an expression: a FILE bound by {@code open}, or the NAME of {@code open}. */
    record Name(String text) implements Arg {}

    /** {@code all} (the argument of {@code reclaim all}). */
    record All() implements Arg {}
}
