package org.rmaplab.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rmaplab.cost.CostModelTest.n;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mm;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.workloads.Workloads;

/**
 * Page tables per architecture profile, each count derived by hand from the era's geometry:
 * <ul>
 *   <li>i386 (2.6.0 pgtable-2level-defs.h, arch/i386/mm/pgtable.c pgd_alloc): one 4 KiB pgd, one
 *       pte page per 4 MiB-aligned range holding ptes (PGDIR_SHIFT 22); all in lowmem.
 *   <li>i386 PAE (2.6.0 pgtable-3level-defs.h, pgd_alloc): a 32-byte pgd, USER_PTRS_PER_PGD = 3
 *       pmd pages preallocated (the kernel pmd shared), one pte page per 2 MiB-aligned range
 *       (PMD_SHIFT 21); the pte pages in highmem with HIGHPTE.
 *   <li>x86_64 (today, 4-level): pgd, then a pud per 512 GiB, a pmd per 1 GiB, a pte page per 2 MiB.
 *   <li>x86_64-la57: one p4d page more once any pud exists.
 * </ul>
 * A single task maps 4 MiB of anonymous memory at a fixed address and writes every page, so every
 * pte of the segment exists and nothing else is mapped (t1 starts with an empty address space).
 */
class PageTablesTest {
    static final long K4 = 4096;

    /** pagetable_bytes_peak and lowmem page-table bytes of one task writing 4 MiB at addr. */
    static Map<String, Long> segment(String arch, long addr) {
        String text = "machine ram=64M swap=0 arch=" + arch + "\n"
                + "t1 mmap 0x" + Long.toHexString(addr) + " 4M rw private|anonymous|fixed as A\n"
                + "t1 write A 4M 0x7\n"
                + "check\n";
        Map<String, String> row = CostModelTest.run("anon_vma_chain", arch, text);
        Map<String, Long> r = new LinkedHashMap<>();
        r.put("pt", n(row, "pagetable_bytes_peak"));
        // lowmem_bytes_peak - struct_page - rmap: one anon_vma, one chain, one vma's growth, all
        // alive with the tables at the last sample, so the rest is the page tables in lowmem.
        r.put("lowpt", n(row, "lowmem_bytes_peak") - n(row, "struct_page_bytes") - n(row, "rmap_bytes"));
        return r;
    }

    /**
     * 4 MiB at 0x40000000 (1 GiB-aligned, so 4 MiB- and 2 MiB-aligned): i386 pgd + 1 pte page =
     * 2 frames; PAE 32 + 3 pmds + 2 pte pages; x86_64 pgd + pud + pmd + 2 pte = 5 frames; LA57 6.
     */
    @Test
    void alignedSegment() {
        long a = 0x40000000L;
        assertEquals(2 * K4, segment("i386", a).get("pt"));
        assertEquals(2 * K4, segment("i386", a).get("lowpt"));
        assertEquals(32 + 3 * K4 + 2 * K4, segment("i386-pae", a).get("pt"));
        assertEquals(32 + 3 * K4, segment("i386-pae", a).get("lowpt"), "HIGHPTE: pte pages in highmem");
        assertEquals(32 + 5 * K4, segment("i386-pae-nohighpte", a).get("lowpt"));
        assertEquals(32 + 5 * K4, segment("i386-numaq", a).get("lowpt"));
        assertEquals(5 * K4, segment("x86_64", a).get("pt"));
        assertEquals(6 * K4, segment("x86_64-la57", a).get("pt"));
    }

    /**
     * Paging.segmentBytes (the same geometry counted by hand for a 1 GiB-aligned segment, which
     * the findings use for Bligh's 2 GB) agrees with what the model's mappings give, per profile.
     */
    @Test
    void segmentFormulaAgreesWithTheModel() {
        for (String arch : ArchProfile.NAMES) {
            ArchProfile a = ArchProfile.of(arch);
            Map<String, Long> m = segment(arch, 0x40000000L);
            assertEquals(a.paging().segmentBytes(4L << 20, false, a.highpte()), m.get("pt"), arch);
            assertEquals(a.paging().segmentBytes(4L << 20, true, a.highpte()), m.get("lowpt"), arch);
        }
    }

    /**
     * 4 MiB at 0x40200000: 2 MiB-aligned, straddling the 4 MiB boundary 0x40400000. i386: pte
     * pages for [0x40000000, 0x40400000) and [0x40400000, 0x40800000): pgd + 2 = 3 frames. PAE and
     * x86_64 still see two 2 MiB ranges: as aligned.
     */
    @Test
    void straddlingFourMiB() {
        long a = 0x40200000L;
        assertEquals(3 * K4, segment("i386", a).get("pt"));
        assertEquals(32 + 5 * K4, segment("i386-pae", a).get("pt"));
        assertEquals(5 * K4, segment("x86_64", a).get("pt"));
        assertEquals(6 * K4, segment("x86_64-la57", a).get("pt"));
    }

    /**
     * 4 MiB at 0x40100000: not 2 MiB-aligned, so three 2 MiB ranges (0x40000000, 0x40200000,
     * 0x40400000) and two 4 MiB ranges. i386 pgd + 2 = 3 frames; PAE 32 + 3 pmds + 3 pte pages;
     * x86_64 pgd + pud + pmd + 3 = 6 frames; LA57 7.
     */
    @Test
    void unalignedSegment() {
        long a = 0x40100000L;
        assertEquals(3 * K4, segment("i386", a).get("pt"));
        assertEquals(32 + 6 * K4, segment("i386-pae", a).get("pt"));
        assertEquals(32 + 3 * K4, segment("i386-pae", a).get("lowpt"));
        assertEquals(6 * K4, segment("x86_64", a).get("pt"));
        assertEquals(7 * K4, segment("x86_64-la57", a).get("pt"));
    }

    /**
     * 4 MiB at 0x3fe00000, [0x3fe00000, 0x40200000), across the 1 GiB boundary: x86_64 needs two
     * pmd pages, one each side (pgd + pud + 2 pmd + pte pages for 0x3fe00000 and 0x40000000 = 6
     * frames; LA57 7); i386 sees the 4 MiB ranges 0x3fc00000 and 0x40000000 (pgd + 2 = 3 frames);
     * PAE's pmds are preallocated whatever the address: 32 + 3 pmds + 2 pte pages.
     */
    @Test
    void acrossOneGiB() {
        long a = 0x3fe00000L;
        assertEquals(3 * K4, segment("i386", a).get("pt"));
        assertEquals(32 + 5 * K4, segment("i386-pae", a).get("pt"));
        assertEquals(6 * K4, segment("x86_64", a).get("pt"));
        assertEquals(7 * K4, segment("x86_64-la57", a).get("pt"));
    }

    /**
     * The mlocked-segment workload's shape: each task maps 1024 pages with {@code mmap 0}, top-down
     * below mmap_base = TASK_SIZE - 128 MiB = 0x7ffff7fff000, so at 0x7ffff7bff000: 2 MiB ranges
     * 0x7ffff7a00000, 0x7ffff7c00000, 0x7ffff7e00000 (3), 4 MiB ranges 0x7ffff7800000 and
     * 0x7ffff7c00000 (2). Per task: i386 pgd + 2 = 3 frames (x86_64's tables gave 6: pgd + pud +
     * pmd + 3); PAE 32 + 3 pmds + 3 pte pages. 4 tasks, all alive at the peak.
     */
    @Test
    void mlockedSegmentAtMostThreeFramesPerTaskOnI386() {
        Map<String, Long> p = new LinkedHashMap<>();
        p.put("tasks", 4L);
        p.put("pages", 1024L);
        p.put("munlock", 0L);
        String s = Workloads.find("mlocked-segment").orElseThrow().generate(p);
        assertEquals(4 * 3 * K4, n(CostModelTest.run("pte_chains", "i386", s), "pagetable_bytes_peak"));
        assertEquals(4 * (32 + 6 * K4), n(CostModelTest.run("pte_chains", "i386-pae", s), "pagetable_bytes_peak"));
        assertEquals(4 * 6 * K4, n(CostModelTest.run("pte_chains", "x86_64", s), "pagetable_bytes_peak"));
        assertEquals(4 * 7 * K4, n(CostModelTest.run("pte_chains", "x86_64-la57", s), "pagetable_bytes_peak"));
    }

    /**
     * The core's counts through munmap and a whole-PMD mremap (move_normal_pmd), checked after every
     * call by the oracle's scan and here at the end. t1 writes 8 MiB at 0x40000000 (four 2 MiB
     * tables, two 4 MiB ranges); munmap of [0x40000000, 0x40200000) frees the first table (today's
     * free_pgd_range, floor 0, ceiling the next vma at 0x40200000): 3 tables, still 2 ranges; mremap of
     * [0x40200000, 0x40400000) to 0x80000000 moves its table by re-pointing the PMD entry: still 3
     * tables, in 2 ranges (0x40400000's, holding two, and 0x80000000's; 0x40000000's range is
     * empty now).
     */
    @Test
    void countsFollowMunmapAndPmdMoves() {
        String text = "machine ram=64M swap=0\n"
                + "t1 mmap 0x40000000 8M rw private|anonymous|fixed as A\n"
                + "t1 write A 8M 0x7\n"
                + "t1 munmap A 2M\n"
                + "t1 mremap A+2M 2M 2M maymove|fixed 0x80000000\n"
                + "check\n";
        Scenario sc = ScenarioParser.parse("t.vms", text);
        Machine k = new Machine(sc.machine(), RmapDesigns.create("anon_vma_chain"));
        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.EVERY);
        RunResult r = new ScenarioRunner((d, m) -> c).run(sc, "anon_vma_chain");
        assertTrue(r.passed(), () -> String.join("\n", r.report()));
        Mm mm = k.mms().get(0);
        assertEquals(3, mm.pteTables());
        assertEquals(2, mm.pteTables4M());
    }
}
