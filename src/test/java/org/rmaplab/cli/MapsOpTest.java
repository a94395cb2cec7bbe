package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.harness.KernelAvailable;

/**
 * The {@code maps} operation (issue 16): its result is the number of lines of the task's
 * /proc/PID/maps, and {@code run -v}, {@code kernel -v} and {@code diff} print the lines.
 */
class MapsOpTest extends CliTest {

    static final String SCENARIO = String.join("\n",
            "t1 mmap 0 4p rw private|anonymous as A",
            "t1 open f 8p as F",
            "t1 mmap 0 2p r shared F 1p as B",
            "t1 brk 0 as H",
            "t1 brk H+1p",
            "t1 maps expect 3") + "\n";

    /**
     * A /proc/PID/maps line as 6.18's show_map_vma() prints it: PREFIX (which ends in a space), then,
     * for a named vma, spaces up to column 72 (seq_setwidth(25 + sizeof(void *) * 6 - 1)), seq_pad's
     * own space, and the name at column 73.
     */
    static String named(String prefix, String name) {
        return prefix + " ".repeat(72 - prefix.length()) + " " + name;
    }

    /**
     * The model's lines: mmap 0 places A at the top of the mmap area (0x7ffff7fff000 - 4p), B right
     * below; the heap is [start_brk, start_brk + 1p) at 0x555555559000 (Machine.START_BRK). The file
     * is the model's first inode (1) on device 00:01, mapped from its page 1 (offset 00001000);
     * anonymous memory has offset 0, device 00:00, inode 0 and no name ([heap] for the brk area).
     */
    @Test
    void runVerbosePrintsTheModelsMaps() throws IOException {
        Path f = write("m.vms", SCENARIO);
        assertEquals(0, run("run", "-v", f.toString()), err);
        assertEquals(String.join("\n",
                "# " + f + " [anon_vma_chain]",
                "1  t1 mmap 0 4p rw private|anonymous = 0x7ffff7ffb000 (A)",
                "2  t1 open f 8p = ok (F)",
                "3  t1 mmap 0 2p r shared F 1p = 0x7ffff7ff9000 (B)",
                "4  t1 brk 0 = 0x555555559000 (H)",
                "5  t1 brk H+1p = 0x55555555a000",
                "6  t1 maps = 3",
                "    " + named("555555559000-55555555a000 rw-p 00000000 00:00 0 ", "[heap]"),
                "    " + named("7ffff7ff9000-7ffff7ffb000 r--s 00001000 00:01 1 ", "/dev/shm/f"),
                "    7ffff7ffb000-7ffff7fff000 rw-p 00000000 00:00 0 ",
                "PASS " + f + " [anon_vma_chain] (6 lines)",
                "1 run: 1 passed, 0 failed") + "\n", out);
    }

    /**
     * maps counts user-visible vmas as vmas does (lokier's VM_GROUP vmas are one line), under every
     * design: a region moved and grown twice by mremap maymove is one line.
     */
    @Test
    void aGrownRegionIsOneLineUnderEveryDesign() throws IOException {
        Path f = write("g.vms", String.join("\n",
                "t1 mmap 0 4p rw private|anonymous as A", "t1 write A 4p 1",
                "t1 mremap A 4p 8p maymove as B", "t1 mremap B 8p 16p maymove as C",
                "t1 vmas C 16p expect 1", "t1 maps expect 1") + "\n");
        for (String d : org.rmaplab.rmap.RmapDesigns.names()) {
            assertEquals(0, run("run", "--design", d, f.toString()), d + ": " + out + err);
        }
    }

    /** On this machine's kernel: the harness prints the real lines, its own mappings left out. */
    @Test
    void kernelVerbosePrintsTheRealMaps() throws IOException {
        KernelAvailable.kernel();
        Path f = write("m.vms", SCENARIO);
        assertEquals(0, run("kernel", "-v", f.toString()), err);
        List<String> lines = out.lines().toList();
        assertEquals("6  t1 maps = 3", lines.get(6), out);
        assertTrue(lines.get(7).matches("    [0-9a-f]{8,}-[0-9a-f]{8,} rw-p 00000000 00:00 0 +\\[heap\\]"), lines.get(7));
        assertTrue(lines.get(8).matches("    [0-9a-f]{12}-[0-9a-f]{12} r--s 00001000 [0-9a-f]{2}:[0-9a-f]{2} \\d+ +"
                + "/dev/shm/vmsh\\.\\d+/0-f"), lines.get(8));
        assertEquals(4 + 73, lines.get(8).indexOf("/dev/shm"), lines.get(8));
        assertTrue(lines.get(9).matches("    [0-9a-f]{12}-[0-9a-f]{12} rw-p 00000000 00:00 0 "), lines.get(9));
        assertEquals("PASS " + f + " [linux] (6 lines)", lines.get(10));
    }

    /**
     * diff compares the count and each line's normalized range, perms, offset and kind of name;
     * -v shows both sides' lines under every maps line, and a divergence at a maps line shows them
     * without -v. With remap=nonlinear the model keeps one nonlinear vma where the kernel's
     * emulation has two (the remapped first page, pgoff 3, and the rest, pgoff 1).
     */
    @Test
    void diffShowsBothSidesMaps() throws IOException {
        KernelAvailable.kernel();
        Path f = write("m.vms", SCENARIO);
        assertEquals(0, run("diff", f.toString()), err);
        assertEquals("SAME " + f + " [anon_vma_chain] (6 lines)\n1 run: 1 same, 0 diverged\n", out);
        assertEquals(0, run("diff", "-v", f.toString()), err);
        List<String> lines = out.lines().toList();
        assertEquals(List.of("SAME " + f + " [anon_vma_chain] (6 lines)", "  6 linux:"), lines.subList(0, 2));
        assertTrue(lines.get(3).endsWith("/dev/shm/vmsh." + lines.get(3).replaceAll(".*vmsh\\.(\\d+)/.*", "$1") + "/0-f"),
                lines.get(3));
        assertEquals("  6 anon_vma_chain:", lines.get(5));
        // The model has the harness's guard page on top (HarnessLayout: 1p of shared anonymous memory,
        // inode 1), left out of its maps as the harness leaves out its own: A and B sit a page lower
        // than under run, and the file is inode 2.
        assertEquals("    " + named("7ffff7ff8000-7ffff7ffa000 r--s 00001000 00:01 2 ", "/dev/shm/f"), lines.get(7));
        assertEquals(10, lines.size(), out);

        Path n = write("n.vms", String.join("\n", "machine remap=nonlinear", "t1 open data 4p as F",
                "t1 mmap 0 4p rw shared F 0 as A", "t1 remap_file_pages A 1p 3", "t1 maps") + "\n");
        assertEquals(1, run("diff", n.toString()), err);
        lines = out.lines().toList();
        assertEquals(n + ":5: [anon_vma_chain] linux 2 [A..A+1p rw-s 0x3000 file, A+1p..A+4p rw-s 0x1000 file] [2], "
                + "model 1 [A..A+4p rw-s 0x0 file] [1]: t1 maps", lines.get(0));
        assertEquals("  5 linux:", lines.get(1));
        assertEquals("  5 anon_vma_chain:", lines.get(4));
        assertEquals("    " + named("7ffff7ffa000-7ffff7ffe000 rw-s 00000000 00:01 2 ", "/dev/shm/data"), lines.get(5));
        assertEquals("1 run: 0 same, 1 diverged", lines.get(6));
    }
}
