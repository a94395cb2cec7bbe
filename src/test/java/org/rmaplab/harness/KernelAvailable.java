package org.rmaplab.harness;

import org.junit.jupiter.api.Assumptions;

/**
 * For tests that need the real kernel: the harness, or the test is skipped with the reason (no C
 * compiler, not Linux, Linux older than 6.8) — an aborted assumption that Surefire counts as
 * skipped, and a line on stderr so that the skip is seen in the build's output too.
 */
public final class KernelAvailable {
    private KernelAvailable() {}

    private static KernelRunner runner;
    private static String reason;

    public static synchronized KernelRunner kernel() {
        if (runner == null && reason == null) {
            reason = KernelVersion.unsupportedReason();
            if (reason == null) {
                try {
                    runner = new KernelRunner(Harness.obtain());
                } catch (Harness.Unavailable e) {
                    reason = e.getMessage();
                }
            }
            if (reason != null) {
                System.err.println("rmaplab: SKIPPING the tests on the real kernel: " + reason);
            }
        }
        Assumptions.assumeTrue(reason == null, () -> "skipped (needs the kernel harness): " + reason);
        return runner;
    }
}
