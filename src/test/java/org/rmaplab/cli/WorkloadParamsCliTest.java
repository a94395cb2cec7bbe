package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The new workloads on the command line: listed, emitted, and bad parameters as bad input. */
class WorkloadParamsCliTest extends CliTest {

    @Test
    void listed() {
        assertEquals(0, run("workloads"));
        for (String w : new String[] {"fork-without-exec", "mremap-after-fork", "threaded-server", "gc-compact",
                "anon-vma-growth", "split-growth"}) {
            assertTrue(out.contains("\n" + w + ": "), w);
        }
        assertTrue(out.contains("  snapshot=0  (0..64) "), out);
    }

    /** Each bad parameter: exit 2, one line on stderr, nothing on stdout, no --out or --emit file. */
    @Test
    void badParametersAreBadInput() {
        Path o = dir.resolve("o.csv");
        Path e = dir.resolve("e.vms");
        String[][] bad = {
            {"gc-compact", "--param", "snapshot=5", "--param", "rounds=2"},
            {"gc-compact", "--param", "die=101"},
            {"mremap-after-fork", "--param", "pages=4", "--param", "cow=5"},
            {"anon-vma-growth", "--param", "depth=0"},
            {"split-growth", "--param", "pages=4096", "--param", "factor=4096"},
            {"threaded-server", "--param", "threads=x"},
            {"fork-without-exec", "--param", "colour=3"},
            {"gc-compact", "--sweep", "snapshot=1,9", "--param", "rounds=4"},
            {"fork-fanout", "--param", "children=4096", "--param", "pages=65536"},
            {"fork-tree", "--param", "depth=12", "--param", "fanout=3"},
            {"fork-tree", "--param", "pages=2", "--param", "cow=3"},
        };
        for (String[] args : bad) {
            String[] full = new String[args.length + 6];
            full[0] = "compare";
            System.arraycopy(args, 0, full, 1, args.length);
            full[args.length + 1] = "--out";
            full[args.length + 2] = o.toString();
            full[args.length + 3] = "--format";
            full[args.length + 4] = "csv";
            full[args.length + 5] = "--check=end";
            assertEquals(2, run(full), String.join(" ", args) + ": " + err);
            assertEquals("", out);
            assertEquals(1, err.strip().lines().count(), err);
            assertTrue(err.startsWith("rmaplab: "), err);
            assertFalse(Files.exists(o));
        }
        assertEquals(2, run("compare", "gc-compact", "--param", "snapshot=3", "--param", "rounds=1", "--emit", e.toString()));
        assertEquals("rmaplab: --param snapshot=3 is after the last round (1)\n", err);
        assertFalse(Files.exists(e));
    }

    /**
     * A machine the model holds but this JVM's heap cannot: fork-fanout children=4096 pages=16384
     * has 4097 x 16384 = 67125248 data pages, room for them twice over (134250496 frames) being more
     * than for them once and their page tables (4097 x 5 + 67125248 / 512 + 1 = 151590 tables):
     * ram=524416M, swap the same; the frame arrays take 48 bytes a frame and the swap's 20 a slot,
     * 134250496 x 68 bytes = 8706 MiB: one line, exit 2, before anything is built.
     */
    @Test
    void aMachineBeyondTheHeapIsRefused() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().maxMemory() < (8L << 30),
                "a heap of 8 GiB or more could hold it");
        assertEquals(2, run("compare", "fork-fanout", "--param", "children=4096", "--param", "pages=16384"));
        assertEquals("", out);
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith("rmaplab: fork-fanout[children=4096,pages=16384]: its machine (ram=524416M "
                + "swap=524416M) needs at least 8706 MiB of Java heap, more than this JVM's "), err);
    }

    @Test
    void emittedScenarioGivesTheSameRows() throws IOException {
        Path e = dir.resolve("gc.vms");
        assertEquals(0, run("compare", "gc-compact", "--param", "objects=6", "--param", "snapshot=2",
                "--emit", e.toString(), "--format", "csv"), err);
        String rows = out;
        String text = Files.readString(e);
        assertTrue(text.contains("expect EBUSY"), text);
        assertEquals(0, run("compare", "--format", "csv", e.toString()), err);
        assertEquals(rows, out);
    }
}
