package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;

/**
 * The kernel's runs and swap: a warning, once, when a scenario pages out (reclaim, madvise
 * pageout) on a kernel whose /proc/swaps lists no area; {@code --swapfile SIZE} makes one for the
 * run and removes it after.
 */
class SwapFileTest {
    static final String HEADER = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";

    @TempDir
    Path dir;

    static Scenario parse(String text) {
        return ScenarioParser.parse("s.vms", text);
    }

    @Test
    void warnsOnlyWhenSomethingPagesOutWithoutSwap() throws IOException {
        Path none = Files.writeString(dir.resolve("none"), HEADER);
        Path some = Files.writeString(dir.resolve("some"), HEADER + "/swap\tfile\t8188\t0\t-2\n");
        Scenario reclaim = parse("t1 mmap 0 1p rw private|anonymous as A\nreclaim all\n");
        Scenario pageout = parse("t1 mmap 0 1p rw private|anonymous as A\nt1 madvise A 1p pageout\n");
        Scenario dontneed = parse("t1 mmap 0 1p rw private|anonymous as A\nt1 madvise A 1p dontneed\n");
        assertNotNull(SwapFile.warning(List.of(dontneed, reclaim), none));
        assertNotNull(SwapFile.warning(List.of(pageout), none));
        assertTrue(SwapFile.warning(List.of(pageout), none).contains("--swapfile SIZE"));
        assertNull(SwapFile.warning(List.of(dontneed), none));
        assertNull(SwapFile.warning(List.of(reclaim, pageout), some));
    }

    @Test
    void sizes() {
        assertEquals(512L << 20, KernelCli.parseSize("512M"));
        assertEquals(1L << 30, KernelCli.parseSize("1g"));
        assertEquals(4096, KernelCli.parseSize("4096"));
        assertEquals(-1, KernelCli.parseSize("12Q"));
        assertEquals(-1, KernelCli.parseSize("-1M"));
    }

    @Test
    void notRootIsRefusedWithTheReason() {
        IOException e = assertThrows(IOException.class, () -> SwapFile.create(8 << 20, false));
        assertEquals("--swapfile needs root (swapon)", e.getMessage());
    }

    /** As root where swapon works (not in every container): the area is listed while open, gone after. */
    @Test
    void aSwapFileForTheRun() throws IOException {
        assumeTrue(KernelCli.isRoot(), "skipped: swapon needs root");
        SwapFile s;
        try {
            s = SwapFile.create(8 << 20, true);
        } catch (IOException e) {
            assumeTrue(false, "skipped: this machine refuses a swap file: " + e.getMessage());
            return;
        }
        try (s) {
            assertTrue(SwapFile.swapActive(Path.of("/proc/swaps")));
            assertTrue(Files.readString(Path.of("/proc/swaps")).contains("rmaplab-swap-"));
        }
        assertFalse(Files.readString(Path.of("/proc/swaps")).contains("rmaplab-swap-"));
    }
}
