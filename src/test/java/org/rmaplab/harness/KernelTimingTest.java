package org.rmaplab.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rmaplab.cost.Validation;

/** The harness's timing mode (vmsh -t) as rmaplab bench validate reads it. */
class KernelTimingTest {

    @Test
    void parsesEmptyAndLines() {
        Validation.Run r = KernelRunner.parseTiming("empty 1200\ntime 3 9000\ntime 4 200\n");
        assertEquals(1200, r.emptyNs());
        assertEquals(9000 - 1200 + 200 - 1200, r.totalNs());
        assertThrows(HarnessError.class, () -> KernelRunner.parseTiming("time 3 9000\n"));
        assertThrows(HarnessError.class, () -> KernelRunner.parseTiming("empty 1\n3: 0x0\n"));
    }

    @TempDir
    Path dir;

    /**
     * A tiny scenario on the kernel: the timed lines are the task calls (1, 2, 4, 7: mmap, write,
     * fork, read) and the reclaim (6); `vma` (3) is answered by the harness from /proc and `exit` (5)
     * is not timed (its exit_mmap runs after the answer). Writing 64 fresh pages is 64 page faults, each
     * allocating and zeroing a page: more than 64 x 100 ns whatever the machine; the mmap that
     * faults nothing costs less than the write.
     */
    @Test
    void timesEachCallOnTheKernel() throws Exception {
        KernelRunner k = KernelAvailable.kernel();
        Path f = dir.resolve("t.vms");
        Files.writeString(f, String.join("\n",
                "t1 mmap 0 64p rw private|anonymous as A",
                "t1 write A 64p 0x1",
                "t1 vma A expect A..A+64p rw-p",
                "t1 fork as t2",
                "t2 exit",
                "reclaim all",
                "t1 read A+63p expect 0x1",
                ""));
        Validation.Run r = k.time(f);
        assertEquals(Set.of(1, 2, 4, 6, 7), r.lineNs().keySet());
        assertTrue(r.emptyNs() >= 0);
        assertTrue(r.lineNs().get(2) > 64 * 100L, () -> "write: " + r.lineNs());
        assertTrue(r.lineNs().get(1) < r.lineNs().get(2), () -> "mmap vs write: " + r.lineNs());
        // an expectation that fails is no timing
        Files.writeString(f, "t1 mmap 0 1p rw private|anonymous as A\nt1 read A expect 0x5\n");
        assertThrows(HarnessError.class, () -> k.time(f));
    }
}
