package org.rmaplab.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioParser;

/** The judging of kernel results, without a kernel: the harness's output is given. */
class KernelReplayTest {

    static Scenario sc(String... lines) {
        return ScenarioParser.parse("k.vms", String.join("\n", lines));
    }

    static KernelRunner.Output out(String... results) {
        Map<Integer, String> m = new LinkedHashMap<>();
        for (String r : results) {
            int tab = r.indexOf('\t');
            m.put(Integer.parseInt(r.substring(0, tab)), r.substring(tab + 1));
        }
        return new KernelRunner.Output(m, 0, null);
    }

    @Test
    void expectationsForLinuxAreCheckedWithTheRunnersMessages() {
        Scenario s = sc(
                "t1 mmap 0 4p rw private|anonymous as A",
                "t1 read A+4p expect 0",
                "t1 vmas A 4p expect 2 expect:linux 1",
                "t1 mremap A 4p 8p maymove as B expect A",
                "t1 vma B expect B..B+8p rw-p",
                "t1 munmap A 1p expect:anon_vma_chain EINVAL",
                "check");
        KernelReplay.LinuxResult r = KernelReplay.judge(s, out(
                "1\t0x7f0000010000", "2\tSEGV", "3\t1", "4\t0x7f0000008000",
                "5\t0x7f0000008000..0x7f0000010000 rw-p", "6\t0", "7\tok"));
        assertFalse(r.passed());
        assertEquals(List.of(
                "k.vms:2: [linux] expected 0x0, got SEGV",
                "k.vms:4: [linux] expected A = 0x7f0000010000, got 0x7f0000008000"), r.report());
        assertEquals(7, r.run().outcomes().size());
        assertNull(r.error());
    }

    @Test
    void modelOnlyLinesAreSkippedNeverPassed() {
        Scenario s = sc(
                "machine ram=64M",
                "t1 mmap 0 4p rw private|anonymous as A",
                "t1 mmap 0 4p rw private|anonymous as D",
                "t1 remap_anon_pages D A 4p as N expect 4p");
        KernelReplay.LinuxResult r = KernelReplay.judge(s, out(
                "1\tskipped: machine sizes are the host's", "2\t0x7f0000010000", "3\t0x7f000000c000",
                "4\tskipped: remap_anon_pages: model only, never merged"));
        assertTrue(r.passed());
        assertEquals(List.of(
                "k.vms:1: [linux] skipped: machine sizes are the host's",
                "k.vms:4: [linux] skipped: remap_anon_pages: model only, never merged",
                "PASS k.vms [linux] (3 lines, 2 skipped)"), r.report());
    }

    @Test
    void aNameWhoseCallFailedOnTheKernelIsUnbound() {
        Scenario s = sc(
                "t1 mmap 0 4p rw private as A",
                "t1 read A");
        ScenarioError e = assertThrows(ScenarioError.class, () -> KernelReplay.judge(s, out("1\tEINVAL")));
        assertEquals("k.vms:2: 'A' is unbound: the call at line 1 that binds it failed", e.getMessage());
        KernelReplay.LinuxResult partial = KernelReplay.judgePartial(s, out("1\tEINVAL"));
        assertEquals(1, partial.run().outcomes().size());
        assertEquals(2, partial.error().line());
    }

    @Test
    void tasksEndAsOnTheModel() {
        Scenario s = sc(
                "t1 fork as t2",
                "t1 clone as t3",
                "t1 exec",
                "t2 exit",
                "t3 brk 0");
        ScenarioError e = assertThrows(ScenarioError.class,
                () -> KernelReplay.judge(s, out("1\tok", "2\tok", "3\t0", "4\t0")));
        assertEquals("k.vms:5: task 't3' is gone", e.getMessage());
        Scenario s2 = sc("t1 fork as t2", "t2 exit", "t2 brk 0");
        e = assertThrows(ScenarioError.class, () -> KernelReplay.judge(s2, out("1\tok", "2\t0")));
        assertEquals("k.vms:3: task 't2' has exited (line 2)", e.getMessage());
    }

    @Test
    void aHarnessThatStopsEarlyIsAHarnessError() {
        Scenario s = sc("t1 brk 0", "t1 brk 0");
        HarnessError e = assertThrows(HarnessError.class, () -> KernelReplay.judge(s,
                new KernelRunner.Output(Map.of(1, "0x1000"), 2, "task died or did not answer")));
        assertEquals("line 2: task died or did not answer", e.getMessage());
    }
}
