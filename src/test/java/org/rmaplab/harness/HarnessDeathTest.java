package org.rmaplab.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A task of the harness that dies before answering is reported with its cause, so that a harness
 * fault seen once in CI can be told apart from a kernel divergence.
 */
class HarnessDeathTest {

    @Test
    void aTaskKilledBySigsegvIsReportedWithTheSignal() {
        KernelRunner k = KernelAvailable.kernel();
        // vmsh is linked statically at 0x400000 (non-PIE): unmapping its text kills the task at
        // its next instruction, outside any guarded access.
        KernelRunner.Output out = k.runText(String.join("\n",
                "t1 mmap 0 1p rw private|anonymous as A",
                "t1 munmap 0x400000 0x100000",
                "t1 read A",
                ""));
        assertEquals(2, out.errorLine(), () -> "error: " + out.error() + " results: " + out.results());
        assertTrue(out.error().startsWith("task died or did not answer: tid "), out.error());
        assertTrue(out.error().contains("killed by signal 11"), out.error());
    }
}
