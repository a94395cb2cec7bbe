package org.rmaplab.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;

class NormalizerTest {

    static final String[] LINES = {
        "t1 mmap 0 16p rw private|anonymous as A",          // 1
        "t1 mmap 0 16p rw private|anonymous",               // 2
        "t1 mremap A 16p 32p maymove as B",                 // 3
        "t1 brk 0 as H",                                    // 4
        "t1 brk H+4p+5",                                    // 5
        "t1 vma A+1p",                                      // 6
        "t1 mmap 0x10000000 4p rw private|anonymous|fixed", // 7
        "t1 fork as t2",                                    // 8
        "t2 mmap 0 4p rw private|anonymous as C",           // 9
        "t2 exec",                                          // 10
        "t2 mmap 0 4p rw private|anonymous as D",           // 11
        "t1 read A",                                        // 12
        "t1 vmas A 16p",                                    // 13
    };

    static Scenario scenario() {
        return ScenarioParser.parse("n.vms", String.join("\n", LINES));
    }

    /** The outcomes of a run whose mmap area is at M, whose heap at H, whose exec'd image at X. */
    static List<RunResult.LineOutcome> run(long m, long h, long x) {
        long a = m - 16 * 4096;
        String[] r = {
            hex(a), hex(a - 16 * 4096), hex(a - 48 * 4096), hex(h), hex(h + 4 * 4096 + 5),
            hex(a - 16 * 4096) + ".." + hex(a + 16 * 4096) + " rw-p", "0x10000000", "ok",
            hex(a - 52 * 4096), "0", hex(x), "0xa1", "1",
        };
        List<RunResult.LineOutcome> out = new ArrayList<>();
        for (int i = 0; i < r.length; i++) {
            out.add(new RunResult.LineOutcome(i + 1, r[i]));
        }
        return out;
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    @Test
    void addressesAreWrittenRelativeToTheNearestEarlierResult() {
        Map<Integer, String> n = Normalizer.normalize(scenario(),
                run(0x7ffff7fff000L, 0x555555559000L, 0x7ffff7ffb000L));
        assertEquals("new", n.get(1));                        // the first mapping
        assertEquals("A-16p", n.get(2));
        assertEquals("@2-32p", n.get(3));                    // nearest: line 2's result
        assertEquals("new", n.get(4));                        // the heap is a region of its own
        assertEquals("H+4p+5", n.get(5));
        assertEquals("@2..A+16p rw-p", n.get(6));             // both ends of a vma
        assertEquals("0x10000000", n.get(7));                 // a literal address stays literal
        assertEquals("B-4p", n.get(9));                       // a child shares its parent's layout
        assertEquals("new", n.get(11));                       // an exec'd image is a new layout
        assertEquals("0xa1", n.get(12));                      // values and counts as printed
        assertEquals("1", n.get(13));
    }

    @Test
    void runsThatDifferOnlyByTheirRandomizedBasesNormalizeAlike() {
        Map<Integer, String> model = Normalizer.normalize(scenario(),
                run(0x7ffff7fff000L, 0x555555559000L, 0x7ffff7ffb000L));
        Map<Integer, String> kernel = Normalizer.normalize(scenario(),
                run(0x7f3a12345000L, 0x02a4b000L, 0x7fa1c0de0000L));
        assertEquals(model, kernel);
    }

    @Test
    void aDisplacedAddressIsADivergence() {
        List<RunResult.LineOutcome> model = run(0x7ffff7fff000L, 0x555555559000L, 0x7ffff7ffb000L);
        List<RunResult.LineOutcome> kernel = new ArrayList<>(run(0x7f3a12345000L, 0x02a4b000L, 0x7fa1c0de0000L));
        // The kernel puts the mremap'd B at A+4M where the model has it at @2-32p.
        long a = 0x7f3a12345000L - 16 * 4096;
        kernel.set(2, new RunResult.LineOutcome(3, hex(a + (4 << 20))));
        Map<Integer, String> m = Normalizer.normalize(scenario(), model);
        Map<Integer, String> k = Normalizer.normalize(scenario(), kernel);
        assertEquals("A+1024p", k.get(3));
        assertNotEquals(m.get(3), k.get(3));
        // ... and it moves the anchor B, so the child's C, placed the same in both, differs too.
        assertNotEquals(m.get(9), k.get(9));
    }

    @Test
    void anAddressOnlyOneRunCanRelateIsADivergence() {
        List<RunResult.LineOutcome> model = run(0x7ffff7fff000L, 0x555555559000L, 0x7ffff7ffb000L);
        List<RunResult.LineOutcome> kernel = new ArrayList<>(run(0x7f3a12345000L, 0x02a4b000L, 0x7fa1c0de0000L));
        // The second mapping lands 2 TiB away on the kernel: "new" there, A-16p on the model.
        kernel.set(1, new RunResult.LineOutcome(2, hex(0x7f3a12345000L - (2L << 40))));
        assertEquals("new", Normalizer.normalize(scenario(), kernel).get(2));
        assertEquals("A-16p", Normalizer.normalize(scenario(), model).get(2));
    }

    @Test
    void offsets() {
        assertEquals("", Normalizer.offset(0));
        assertEquals("+4p", Normalizer.offset(4 * 4096));
        assertEquals("-16p", Normalizer.offset(-16 * 4096));
        assertEquals("+1p+5", Normalizer.offset(4096 + 5));
        assertEquals("-1p-5", Normalizer.offset(-4096 - 5));
        assertEquals("+5", Normalizer.offset(5));
    }

    /**
     * A maps result: the count, then each line's ends relative to the anchors, perms, offset and the
     * kind of its name; device, inode and path are left out (the harness's files are elsewhere).
     */
    @Test
    void mapsLinesAreNormalizedLikeAddresses() {
        Scenario sc = ScenarioParser.parse("m.vms", "t1 mmap 0 4p rw private|anonymous as A\nt1 brk 0 as H\nt1 maps");
        Map<Integer, String> kernel = Normalizer.normalize(sc, List.of(
                new RunResult.LineOutcome(1, "0x7f0000004000"), new RunResult.LineOutcome(2, "0x2000000"),
                new RunResult.LineOutcome(3, "2", List.of(
                        "7f0000002000-7f0000004000 r--s 00001000 00:1a 133086" + " ".repeat(19) + " /dev/shm/vmsh.9/0-f",
                        "7f0000004000-7f0000008000 rw-p 00000000 00:00 0 "))));
        Map<Integer, String> model = Normalizer.normalize(sc, List.of(
                new RunResult.LineOutcome(1, "0x7ffff7ffb000"), new RunResult.LineOutcome(2, "0x555555559000"),
                new RunResult.LineOutcome(3, "2", List.of(
                        "7ffff7ff9000-7ffff7ffb000 r--s 00001000 00:01 1" + " ".repeat(26) + " /dev/shm/f",
                        "7ffff7ffb000-7ffff7fff000 rw-p 00000000 00:00 0 "))));
        assertEquals("2 [A-2p..A r--s 0x1000 file, A..A+4p rw-p 0x0]", kernel.get(3));
        assertEquals(kernel, model);
        Map<Integer, String> moved = Normalizer.normalize(sc, List.of(
                new RunResult.LineOutcome(1, "0x7ffff7ffb000"), new RunResult.LineOutcome(2, "0x555555559000"),
                new RunResult.LineOutcome(3, "2", List.of(
                        "7ffff7ff8000-7ffff7ffa000 r--s 00001000 00:01 1" + " ".repeat(26) + " /dev/shm/f",
                        "7ffff7ffb000-7ffff7fff000 rw-p 00000000 00:00 0 "))));
        assertNotEquals(kernel.get(3), moved.get(3));
    }

    /** The harness's canonical output: LINE TAB |TEXT lines are the text of that line's result. */
    @Test
    void theHarnessesTextLinesGoWithTheirLine() {
        KernelRunner.Output o = KernelRunner.parseOutput("1\t0x1000\n2\t2\n2\t|a b \n2\t|c\n3\t0\n");
        assertEquals(Map.of(1, "0x1000", 2, "2", 3, "0"), o.results());
        assertEquals(Map.of(2, List.of("a b ", "c")), o.text());
    }
}
