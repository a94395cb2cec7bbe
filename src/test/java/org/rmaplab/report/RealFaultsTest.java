package org.rmaplab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.traces.TraceConverter;

/**
 * The quantities the findings compute on the perf traces ({@link RealFaults}, {@link
 * PgDirectFinding}, {@link RealFaultsDesignsFinding}, {@link KernelBuildFinding}), each worked by
 * hand on a perf trace small enough to follow page by page.
 */
class RealFaultsTest {

    /**
     * Written by hand in the format {@code rmaplab trace record} writes (perf script of tiny.perf's
     * events): task 100 execs /bin/a (text page at 0x400000, a private writable data page at
     * 0x401000), maps 4 anonymous pages, reads its text (T), writes its data page (a file COW: the
     * anonymous copy D) and anonymous pages 0, 1, 2 (P0, P1, P2); forks 101; the parent writes P1
     * (a COW: new1), the child writes P0 (a COW: new0) and reads T, then exits; the parent writes
     * P2 (alone again: reused) and page 3 (P3, new), and exits.
     */
    static final String FORK_COW = String.join("\n",
            "a 100 [000] 1.000001: PERF_RECORD_COMM exec: a:100/100",
            "a 100 [000] 1.000002: PERF_RECORD_MMAP2 100/100: [0x400000(0x1000) @ 0 fe:00 7 0]: r-xp /bin/a",
            "a 100 [000] 1.000003: PERF_RECORD_MMAP2 100/100: [0x401000(0x1000) @ 0x1000 fe:00 7 0]: rw-p /bin/a",
            "a 100 [000] 1.000004: syscalls:sys_exit_execve: 0x0",
            "a 100 [000] 1.000005: syscalls:sys_enter_mmap: addr: 0x00000000, len: 0x00004000, prot: 0x00000003, "
                    + "flags: 0x00000022, fd: 0xffffffff, off: 0x00000000",
            "a 100 [000] 1.000006: PERF_RECORD_MMAP2 100/100: [0x7f0000000000(0x4000) @ 0x7f0000000000 00:00 0 0]: "
                    + "rw-p //anon",
            "a 100 [000] 1.000007: syscalls:sys_exit_mmap: 0x7f0000000000",
            "a 100 [000] 1.000008: exceptions:page_fault_user: address=0x400010 ip=0x400010 error_code=0x14",
            "a 100 [000] 1.000009: exceptions:page_fault_user: address=0x401008 ip=0x400020 error_code=0x6",
            "a 100 [000] 1.000010: exceptions:page_fault_user: address=0x7f0000000000 ip=0x400030 error_code=0x6",
            "a 100 [000] 1.000011: exceptions:page_fault_user: address=0x7f0000001000 ip=0x400030 error_code=0x6",
            "a 100 [000] 1.000012: exceptions:page_fault_user: address=0x7f0000002000 ip=0x400030 error_code=0x6",
            "a 100 [000] 1.000013: syscalls:sys_enter_clone: clone_flags: 0x01200011, newsp: 0x0",
            "a 100 [000] 1.000014: PERF_RECORD_FORK(101:101):(100:100)",
            "a 100 [000] 1.000015: syscalls:sys_exit_clone: 0x65",
            "a 100 [000] 1.000016: exceptions:page_fault_user: address=0x7f0000001000 ip=0x400040 error_code=0x7",
            "a 101 [001] 1.000017: syscalls:sys_exit_clone: 0x0",
            "a 101 [001] 1.000018: exceptions:page_fault_user: address=0x7f0000000000 ip=0x400050 error_code=0x7",
            "a 101 [001] 1.000019: exceptions:page_fault_user: address=0x400010 ip=0x400010 error_code=0x14",
            "a 101 [001] 1.000020: syscalls:sys_enter_exit_group: error_code: 0x00000000",
            "a 101 [001] 1.000021: PERF_RECORD_EXIT(101:101):(100:100)",
            "a 100 [000] 1.000022: exceptions:page_fault_user: address=0x7f0000002000 ip=0x400060 error_code=0x7",
            "a 100 [000] 1.000023: exceptions:page_fault_user: address=0x7f0000003000 ip=0x400060 error_code=0x6",
            "a 100 [000] 1.000024: syscalls:sys_enter_exit_group: error_code: 0x00000000",
            "a 100 [000] 1.000025: PERF_RECORD_EXIT(100:100):(99:99)") + "\n";

    /**
     * FORK_COW converted; its header (6 lines) ends with the converter's machine line, which the
     * findings replace by theirs (RealFaults.onMachine); the numbers below were written when the
     * header took 4 lines: add 2 to each for the line in the text
     * (trace lines in brackets): 5 t1 fork as p100, 6 exec,
     * 7 open a, 8 mmap text M1, 9 ftruncate, 10 mmap data M2, 11 mmap M3 (4 anonymous pages), 12 touch
     * M1 [8], 13 write M2 [9], 14 write M3 3p [10-12], 15 fork as p101, 16 p100 write M3+1p [16], 17
     * p101 write M3 [18], 18 p101 touch M1 [19], 19 p101 exit, 20 p100 write M3+2p 2p [22-23], 21 p100
     * exit.
     */
    static String converted() {
        String s = TraceConverter.convert("fork-cow.perf", FORK_COW, RealFaults.options(false)).scenario();
        String[] l = s.split("\n");
        assertEquals("p101 write M3 1p 0x4 expect ok   # trace:18", l[18], s);
        assertEquals("p100 write M3+2p 2p 0x5 expect ok   # trace:22-23", l[21], s);
        return s;
    }

    /**
     * The census after each line under pte_chains (2.6.0: fork copies every pte). Pages mapped (once)
     * after lines 5 to 11: 0; 12: T, 1 (1); 13: T, D, 2 (2); 14: and P0-P2, 5 (5); 15 fork: every
     * pte copied, 5 (0); 16: P1 left to the child, new1, 6 (2); 17: P0 left to the parent, new0, 7
     * (4: P0, new0, P1, new1); 18: T already mapped in the child, 7 (4); 19: the child's ptes gone,
     * new0 and P1 freed, 5 (5); 20: P2 reused, P3 new, 6 (6); 21: 0. Peak: line 17, the first with
     * 7: anonymous D, P0, new0, P1, new1, P2 (6, 4 once), file T (1, 0 once). PG_direct there: new0
     * and new1 only; P0 and P1 kept the one-pte chains their COWs left (2.6.0 collapses a chain in
     * page_referenced only), D, P2 and T have two ptes. Over the run: 44 pages mapped, 29 once, in
     * the 17 censuses.
     */
    @Test
    void theCensusPeaksAfterTheChildsCow() {
        RealFaults.Census c = RealFaults.census("fork-cow.perf", converted());
        assertEquals(19, c.peakLine); // line 19 of the converted text, whose header is 6 lines
        assertEquals(7, c.mapped);
        assertEquals(4, c.once);
        assertEquals(6, c.anon);
        assertEquals(4, c.anonOnce);
        assertEquals(1, c.file);
        assertEquals(0, c.fileOnce);
        assertEquals(2, c.direct);
        assertEquals(17, c.censuses);
        assertEquals(44, c.mappedSum);
        assertEquals(29, c.onceSum);
        assertEquals(4.0 / 7, c.onceShare(), 1e-12);
        assertEquals(2.0 / 7, c.directShare(), 1e-12);
        assertEquals(29.0 / 44, c.onceShareOverRun(), 1e-12);
    }

    /**
     * COW under every design: copies D (file: the private data page's first write, do_cow_fault), new1
     * and new0 (anonymous: P1 and P0, shared since the fork), so cow_copies 3 and cow_copies_anon 2;
     * the parent's write to P2 after the child exited finds it alone but not PG_anon_exclusive (fork
     * cleared it): cow_reuses 1, cow_reuses_nonexclusive 1. anon_vma_chain's fork copies no pte of
     * the text vma (no anon_vma), so its child faults T in again at line 18: a read, no COW.
     */
    @Test
    void cowAfterForkIsTheSameUnderEveryDesign() {
        String text = converted();
        for (String d : RmapDesigns.names()) {
            Findings.Run r = RealFaults.run("fork-cow.perf", text, d);
            assertEquals(3, r.machine("cow_copies"), d);
            assertEquals(2, r.machine("cow_copies_anon"), d);
            assertEquals(1, r.machine("cow_reuses"), d);
            assertEquals(1, r.machine("cow_reuses_nonexclusive"), d);
            assertEquals(0, r.cost("mremap_cows"), d);
            assertEquals(0, r.cost("walks"), d + ": no reclaim, no walk");
        }
    }

    /**
     * Bligh's calls. New pages mapped (rmap_adds): T, D, P0, P1, P2, new1, new0, P3 = 8 (anon_vma_chain
     * 9: T again in the child). Fork copies 5 ptes (T, D, P0, P1, P2; anon_vma_chain 4, not T).
     * page_remove_rmap: the two COWs' old pages, the child's 5 ptes at exit (T, D, new0, P1, P2), the
     * parent's 6 (T, D, P0, new1, P2, P3) = 13. page_add_rmap calls: pte_chains 8 + 5 = 13, anon_vma
     * 8, -38.5%. pte_chain blocks: one (7 slots on x86_64) for each page fork gives a second pte, 5,
     * all alive from the fork to the child's exit: rmap_bytes_peak 5 x 64 = 320 (pte_chains adds
     * nothing to vmas or mms). anon_vmas: the data vma's (D) and M3's, 2; the child's vmas link to
     * them (2.6.7's anon_vma_link).
     */
    @Test
    void blighsCallsOnTheForkCowTrace() {
        String text = converted();
        Findings.Run pc = RealFaults.run("fork-cow.perf", text, "pte_chains");
        Findings.Run av = RealFaults.run("fork-cow.perf", text, "anon_vma");
        Findings.Run avc = RealFaults.run("fork-cow.perf", text, "anon_vma_chain");
        assertEquals(13, Findings.pageAddRmapCalls(pc, "pte_chains"));
        assertEquals(8, Findings.pageAddRmapCalls(av, "anon_vma"));
        assertEquals("-38.5%", Markdown.change(13, 8));
        assertEquals(13, pc.cost("rmap_removes"));
        assertEquals(13, av.cost("rmap_removes"));
        assertEquals(9, avc.cost("rmap_adds"));
        assertEquals(4, avc.cost("rmap_dups"));
        assertEquals(5, pc.cost("rmap_allocs"), "pte_chain blocks");
        assertEquals(320, pc.cost("rmap_bytes_peak"));
        assertEquals(2, av.cost("rmap_allocs"), "anon_vmas");
    }

    /**
     * Reclaim at the census peak: the scenario's lines up to 19, then {@code reclaim all}; the 7 pages
     * mapped then are unmapped under every design (anon_vma_chain's child has not faulted T in yet
     * at line 17, so its 7 pages are the same pages), each through one successful try_to_unmap.
     */
    @Test
    void reclaimAtThePeakUnmapsEveryPageMappedThen() {
        String text = converted();
        String cut = RealFaults.reclaimText(text, 19);
        List<String> lines = List.of(cut.split("\n"));
        assertEquals(20, lines.size());
        assertEquals("p101 write M3 1p 0x4 expect ok   # trace:18", lines.get(18));
        assertTrue(lines.get(19).startsWith("reclaim all"), cut);
        for (String d : RmapDesigns.names()) {
            Findings.Run r = RealFaults.run("fork-cow.perf", cut, d);
            assertEquals(7, r.machine("unmaps_succeeded"), d);
            assertTrue(r.cost("walks") >= 7, d);
        }
    }

    /**
     * The section's text on the committed make-gcc trace under both kernels (its table cells are
     * regression pins), and beside it what can be derived of the same counts: every pte is made
     * once, by a fault (rmap_adds) or by fork's copy (rmap_dups), and zapped once (rmap_removes),
     * since every traced task exits: removes = adds + dups; vfork'd children and exec copy no pte:
     * no dups with --vfork empty; and both kernels replay the same accesses: the same adds and dups.
     */
    @Test
    void blighSectionOnThePerfMakeGccTrace() {
        RealFaults rf = new RealFaults();
        for (boolean fork : new boolean[] {false, true}) {
            Findings.Run pc = rf.run("make-gcc", fork, "pte_chains");
            Findings.Run av = rf.run("make-gcc", fork, "anon_vma");
            for (Findings.Run r : List.of(pc, av)) {
                assertEquals(r.cost("rmap_adds") + r.cost("rmap_dups"), r.cost("rmap_removes"), "fork=" + fork);
            }
            if (!fork) {
                assertEquals(0, pc.cost("rmap_dups"));
            }
            assertEquals(pc.cost("rmap_adds"), av.cost("rmap_adds"), "fork=" + fork);
            assertEquals(pc.cost("rmap_dups"), av.cost("rmap_dups"), "fork=" + fork);
        }
        StringBuilder b = new StringBuilder();
        new KernelBuildFinding(rf).write(new Markdown(b), RmapDesigns.names());
        String s = b.toString();
        assertTrue(s.startsWith("## rmap operations on a build: pte_chains to anon_vma (Bligh, 2004"), s);
        // vfork'd children copy no pte: both kernels make the same calls.
        assertTrue(s.contains("| empty | change | | | | | 0.0% | 0.0% |\n"), s);
        assertTrue(s.contains("--files file --vfork empty"), s);
        assertTrue(s.contains("Not reproduced, and why."), s);
    }
}
