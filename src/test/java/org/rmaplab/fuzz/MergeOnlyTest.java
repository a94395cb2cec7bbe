package org.rmaplab.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.harness.HarnessLayout;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * fuzz's classification of a historical design's divergence (issue 16), without the kernel: explained
 * by the design's vma merges when its run and today's differ only in vma lines until the first
 * layout difference, and that difference is a merge (the same pages, cut differently).
 */
class MergeOnlyTest {
    /**
     * Shrunk from {@code rmaplab fuzz --seed 404 --design all}, scenario 524. In the child, the
     * fresh 7-page vma does not merge with its faulted neighbour under today's rules (the
     * neighbour's anon_vma_chain holds the parent's anon_vma too: 6.18 mm/vma.c
     * is_mergeable_anon_vma() wants a singular list), so the mremap over both is EFAULT; 2.6.0
     * (pte_chains) merges any two anonymous vmas, so the same mremap moves three pages. The
     * mremap's result differs, but only after the layouts parted by a merge. (The read faults
     * allocate pages, as on a kernel without the zero page: the machine that found it.)
     */
    static final String CASCADE = """
            t1 mmap 0 78p none private|anonymous as R0
            t1 mmap R0 78p rw private|anonymous|fixed
            t1 read R0+20p 14p
            t1 fork as t2
            t2 mmap R0+51p 7p rw private|anonymous|fixed
            t2 mremap R0+57p 3p 3p maymove|dontunmap
            """;

    private static ScenarioRunner runner(String brokenDesign, String brokenCall, int nth) {
        return new ScenarioRunner((d, m) -> {
            // As on this machine (pvm_no_zero_page=1, which the fuzz seed met): read faults allocate.
            Syscalls real = HarnessLayout.apply(
                    new CheckedSyscalls(new Machine(m, RmapDesigns.create(d)), CheckPolicy.END), false);
            if (!d.equals(brokenDesign)) {
                return real;
            }
            int[] calls = {0};
            return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals(brokenCall) && ++calls[0] == nth) {
                            return -Errno.EINVAL;
                        }
                        try {
                            return method.invoke(real, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        });
    }

    private static Scenario parse(String text) {
        return ScenarioParser.parse("cascade.vms", text);
    }

    @Test
    void aDifferenceThatFollowsAMergeIsTheMergesDoing() {
        assertTrue(Fuzzer.mergeOnly(runner(null, null, 0), parse(CASCADE), "pte_chains"));
    }

    @Test
    void identicalRunsAreNotMergeOnly() {
        assertFalse(Fuzzer.mergeOnly(runner(null, null, 0), parse(CASCADE), RmapDesigns.DEFAULT));
    }

    @Test
    void aDifferentResultWhileTheLayoutsAgreeIsADivergence() {
        // pte_chains' second mmap (the rw one over R0) answers EINVAL: the layouts still agree there.
        assertFalse(Fuzzer.mergeOnly(runner("pte_chains", "mmap", 2), parse(CASCADE), "pte_chains"));
    }

    @Test
    void aLayoutThatMapsOtherPagesIsADivergence() {
        // pte_chains' child mmap fails: the layouts differ in what is mapped, not in where vmas end.
        assertFalse(Fuzzer.mergeOnly(runner("pte_chains", "mmap", 3), parse(CASCADE), "pte_chains"));
    }

    @Test
    void mapsRunsJoinAdjacentLinesOfTheSameKind() {
        List<String> two = List.of("7f0000000000-7f0000002000 rw-p 7f0000000 00:00 0",
                "7f0000002000-7f0000004000 rw-p 7f0000010 00:00 0");
        List<String> one = List.of("7f0000000000-7f0000004000 rw-p 7f0000000 00:00 0");
        assertTrue(Fuzzer.sameMappings(two, one));
        assertFalse(Fuzzer.sameMappings(List.of("7f0000000000-7f0000002000 rw-p 7f0000000 00:00 0",
                "7f0000002000-7f0000004000 r--p 7f0000010 00:00 0"), one), "perms differ");
        assertFalse(Fuzzer.sameMappings(List.of("7f0000000000-7f0000003000 rw-p 7f0000000 00:00 0"), one),
                "fewer pages mapped");
        List<String> fileTwo = List.of("7f0000000000-7f0000002000 rw-s 00000000 00:05 12 /f",
                "7f0000002000-7f0000004000 rw-s 00005000 00:05 12 /f");
        List<String> fileOne = List.of("7f0000000000-7f0000004000 rw-s 00000000 00:05 12 /f");
        assertFalse(Fuzzer.sameMappings(fileTwo, fileOne), "file offsets not contiguous");
        assertTrue(Fuzzer.sameMappings(List.of("7f0000000000-7f0000002000 rw-s 00000000 00:05 12 /f",
                "7f0000002000-7f0000004000 rw-s 00002000 00:05 12 /f"), fileOne));
    }
}
