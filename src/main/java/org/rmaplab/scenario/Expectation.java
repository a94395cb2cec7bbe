package org.rmaplab.scenario;

/** What an {@code expect} clause asks for. */
public sealed interface Expectation {

    /** {@code ok}: the call succeeded, whatever it returned. */
    record Ok() implements Expectation {
        @Override
        public String toString() {
            return "ok";
        }
    }

    /** An errno name: the call returned {@code -errno}. */
    record Err(String name, int errno) implements Expectation {
        @Override
        public String toString() {
            return name;
        }
    }

    /** {@code SEGV} or {@code BUS}: the access raised that signal. */
    record Fault(String name, int access) implements Expectation {
        @Override
        public String toString() {
            return name;
        }
    }

    /** {@code MIXED}: read found pages with different values. */
    record Mixed() implements Expectation {
        @Override
        public String toString() {
            return "MIXED";
        }
    }

    /** {@code none}: vma found no vma at the address. */
    record NoVma() implements Expectation {
        @Override
        public String toString() {
            return "none";
        }
    }

    /** A value or address expression, compared numerically. */
    record Value(Expr expr) implements Expectation {
        @Override
        public String toString() {
            return expr.text();
        }
    }

    /** {@code START..END PERMS} for vma. */
    record Vma(Expr start, Expr end, String perms) implements Expectation {
        @Override
        public String toString() {
            return start.text() + ".." + end.text() + " " + perms;
        }
    }
}
