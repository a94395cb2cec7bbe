package org.rmaplab.check;

/** The oracle found the model in a state the kernel never is in: a bug in the model or a design. */
public final class InvariantViolation extends RuntimeException {
    public InvariantViolation(String message) {
        super(message);
    }
}
