package org.rmaplab.harness;

/**
 * The kernel harness failed in a way that says nothing about the scenario: it could not be started,
 * a task died or hung, it disagreed with rmaplab's parser. The message is one line, without the
 * file name ({@code line 5: task died or did not answer}).
 */
public final class HarnessError extends RuntimeException {
    public HarnessError(String message) {
        super(message);
    }
}
