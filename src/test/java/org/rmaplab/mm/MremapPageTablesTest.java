package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.rmap.RmapDesigns;

/**
 * What mremap's move_page_tables() moves, whole page tables or ptes one by one, per era
 * (docs/reference.md#mremap-page-tables), pinned by counts derived by hand from the code:
 *
 * <ul>
 *   <li>Today's Linux (anon_vma_chain and its variant; Linux 6.18 mm/mremap.c
 *       move_page_tables): try_realign_addr() first lowers both starts to the PMD boundary when
 *       both are equally misaligned, the range reaches the next boundary and nothing is mapped
 *       below either start (can_realign_addr / can_align_down); then per extent (get_extent: up
 *       to the nearer PUD, then PMD, boundary of either side): a PUD-sized extent moves the PMD
 *       table whole (move_normal_pud), a PMD-sized one the PTE table (move_normal_pmd), unless the
 *       destination entry is present or the vma is registered with userfaultfd without
 *       UFFD_FEATURE_EVENT_REMAP (vma_has_uffd_without_event_remap); anything else goes through
 *       move_ptes, one pte at a time (every pte that is not none).
 *   <li>The 2003-2004 kernels (pte_chains, anonmm, anon_vma, lokier and their variants):
 *       2.6.0's and 2.6.7's move_page_tables() call move_one_page() for every page, whatever the
 *       alignment: every pte that is not none moves one by one, no table moves.
 * </ul>
 *
 * Every test runs every design and variant with the oracle checking after every call.
 */
public class MremapPageTablesTest {
    static final long P = Machine.PAGE_SIZE;
    static final long PMD = PageTable.PMD_SIZE;
    static final long PUD = PageTable.PUD_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED;
    static final int MOVE = Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED;
    /** 2 MiB- and 1 GiB-aligned. */
    static final long A = 0x100000000L;
    static final long B = 0x200000000L;

    /** What one mremap moved: PTE tables whole, PMD tables whole, ptes one by one. */
    record Moved(long pmds, long puds, long ptes) {}

    /** A machine of DESIGN with the oracle after every call. */
    static CheckedSyscalls machine(String design) {
        return new CheckedSyscalls(new Machine(new MachineConfig(64L << 20, 0, "x86_64"), RmapDesigns.create(design)),
                CheckPolicy.EVERY);
    }

    static Moved mremap(CheckedSyscalls c, Task t, long from, long len, long to) {
        Map<String, Long> before = c.machine().counters();
        assertEquals(to, c.mremap(t, from, len, len, MOVE, to));
        Map<String, Long> after = c.machine().counters();
        return new Moved(after.get("mremap_pmd_moves") - before.get("mremap_pmd_moves"),
                after.get("mremap_pud_moves") - before.get("mremap_pud_moves"),
                after.get("mremap_ptes_moved") - before.get("mremap_ptes_moved"));
    }

    /**
     * Does this machine move page tables whole for the faulted, unshared regions these tests move?
     * Today's design does; 2.6's did not; nor does anon_vma_chain:matena, whose move with
     * update_pgoff (Matěna's RFC v3 PATCH 4/6) goes pte by pte (move_pgt_entry() refuses), so its
     * counts are 2.6's: every pte that is not none, moved one by one.
     */
    static boolean movesTables(CheckedSyscalls c) {
        return c.machine().traits().movesPageTables() && !c.machine().design().adjustsFaultedPgoff();
    }

    static void readBack(CheckedSyscalls c, Task t, long addr, long pages, long value) {
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        for (long i = 0; i < pages; i += 97) {
            assertEquals(0, c.read(t, addr + i * P, P, r));
            assertEquals(value, r.value);
        }
    }

    /**
     * 4 MiB (1024 pages, all written), 2 MiB-aligned, moved MREMAP_FIXED to a 2 MiB-aligned place.
     * Today: old_align 0, no realign; the PUD extent is 4 MiB (A and B are 1 GiB-aligned, the
     * range ends first), not PUD_SIZE; the PMD extents are [A, A+2M) and [A+2M, A+4M), each
     * PMD_SIZE with the destination pmd none (MREMAP_FIXED unmapped nothing there) →
     * move_normal_pmd twice: 2 tables, 0 ptes. 2.6: move_one_page 1024 times, each pte written:
     * 0 tables, 1024 ptes.
     */
    @Test
    void alignedRegionMovesTwoTablesTodayAndEveryPteIn2004() {
        for (String d : RmapDesigns.everyName()) {
            CheckedSyscalls c = machine(d);
            Task t = c.initTask();
            assertEquals(A, c.mmap(t, A, 2 * PMD, RW, ANON, -1, 0));
            assertEquals(0, c.write(t, A, 2 * PMD, 0x51));
            Moved m = mremap(c, t, A, 2 * PMD, B);
            boolean today = movesTables(c);
            assertEquals(today ? new Moved(2, 0, 0) : new Moved(0, 0, 1024), m, d);
            readBack(c, t, B, 1024, 0x51);
            c.finish();
        }
    }

    /**
     * As above but never faulted: no page table exists at A. Today: get_old_pud() finds no PMD
     * table (none was ever allocated that far up) → every extent skipped. 2.6: every pte is none.
     * 0, 0, 0 under every design.
     */
    @Test
    void anUnfaultedRegionMovesNothing() {
        for (String d : RmapDesigns.everyName()) {
            CheckedSyscalls c = machine(d);
            Task t = c.initTask();
            assertEquals(A, c.mmap(t, A, 2 * PMD, RW, ANON, -1, 0));
            assertEquals(new Moved(0, 0, 0), mremap(c, t, A, 2 * PMD, B), d);
            c.finish();
        }
    }

    /**
     * 1028 pages from A-2p to A+4M+2p, all written, to B-2p; a one-page guard vma at A-2M (in the
     * PMD below A, never merged: a gap of more than a page) keeps today's kernel from realigning
     * (can_align_down(): find_vma_intersection(A-2M, A-2p) finds it). Today's extents: [A-2p, A)
     * 2 pages (the PMD boundary) → move_ptes 2; [A, A+2M) and [A+2M, A+4M) → move_normal_pmd;
     * [A+4M, A+4M+2p) 2 pages → move_ptes 2: 2 tables, 4 ptes. 2.6: 1028 ptes.
     */
    @Test
    void unalignedEdgesMovePteByPteToday() {
        for (String d : RmapDesigns.everyName()) {
            CheckedSyscalls c = machine(d);
            Task t = c.initTask();
            assertEquals(A - PMD, c.mmap(t, A - PMD, P, RW, ANON, -1, 0));
            assertEquals(0, c.write(t, A - PMD, P, 0x9));
            long len = 2 * PMD + 4 * P;
            assertEquals(A - 2 * P, c.mmap(t, A - 2 * P, len, RW, ANON, -1, 0));
            assertEquals(0, c.write(t, A - 2 * P, len, 0x52));
            Moved m = mremap(c, t, A - 2 * P, len, B - 2 * P);
            boolean today = movesTables(c);
            assertEquals(today ? new Moved(2, 0, 4) : new Moved(0, 0, 1028), m, d);
            readBack(c, t, B - 2 * P, 1028, 0x52);
            c.finish();
        }
    }

    /**
     * The same range without the guard: today's try_realign_addr() applies — old_align = new_align
     * = 2M-2p, len (1028 pages) reaches the boundary 2 pages on, both starts begin their vmas and
     * nothing is mapped in [A-2M, A-2p) nor [B-2M, B-2p) — so the moves start at A-2M and B-2M:
     * [A-2M, A), [A, A+2M), [A+2M, A+4M) each move_normal_pmd (the first table holds the 2 pages
     * below A), then [A+4M, A+4M+2p) → move_ptes 2: 3 tables, 2 ptes. 2.6: 1028 ptes.
     */
    @Test
    void equallyMisalignedStartsRealignToday() {
        for (String d : RmapDesigns.everyName()) {
            CheckedSyscalls c = machine(d);
            Task t = c.initTask();
            long len = 2 * PMD + 4 * P;
            assertEquals(A - 2 * P, c.mmap(t, A - 2 * P, len, RW, ANON, -1, 0));
            assertEquals(0, c.write(t, A - 2 * P, len, 0x53));
            Moved m = mremap(c, t, A - 2 * P, len, B - 2 * P);
            boolean today = movesTables(c);
            assertEquals(today ? new Moved(3, 0, 2) : new Moved(0, 0, 1028), m, d);
            readBack(c, t, B - 2 * P, 1028, 0x53);
            c.finish();
        }
    }

    /**
     * 1024 written pages from A+1p to B+2p (the benchmarks' case, harness/bench/fault.c): the two
     * sides' PMD boundaries never coincide, so no extent is PMD_SIZE and can_realign_addr() fails
     * (old_align != new_align): 1024 ptes one by one under every design, no table.
     */
    @Test
    void mutuallyMisalignedMovesEveryPteUnderEveryDesign() {
        for (String d : RmapDesigns.everyName()) {
            CheckedSyscalls c = machine(d);
            Task t = c.initTask();
            assertEquals(A + P, c.mmap(t, A + P, 1024 * P, RW, ANON, -1, 0));
            assertEquals(0, c.write(t, A + P, 1024 * P, 0x54));
            assertEquals(new Moved(0, 0, 1024), mremap(c, t, A + P, 1024 * P, B + 2 * P), d);
            readBack(c, t, B + 2 * P, 1024, 0x54);
            c.finish();
        }
    }

    /**
     * The aligned 4 MiB of the first test registered with userfaultfd (missing mode, as the
     * harness: no UFFD_FEATURE_EVENT_REMAP): today's move_normal_pmd() refuses
     * (vma_has_uffd_without_event_remap) and move_ptes() moves both extents: 0 tables, 1024
     * ptes — as 2.6 did.
     */
    @Test
    void aUserfaultfdRegisteredVmaMovesPteByPte() {
        for (String d : RmapDesigns.everyName()) {
            CheckedSyscalls c = machine(d);
            Task t = c.initTask();
            assertEquals(A, c.mmap(t, A, 2 * PMD, RW, ANON, -1, 0));
            assertEquals(0, c.write(t, A, 2 * PMD, 0x55));
            assertEquals(0, c.uffdRegister(t, A, 2 * PMD));
            assertEquals(new Moved(0, 0, 1024), mremap(c, t, A, 2 * PMD, B), d);
            readBack(c, t, B, 1024, 0x55);
            c.finish();
        }
    }

    /**
     * 1 GiB at A (1 GiB-aligned) with two pages written, at A and A+512M+4p, moved to B (1 GiB-
     * aligned). Today: the PUD extent is PUD_SIZE on both sides and the destination pud is none →
     * move_normal_pud once: the PMD table moves with both PTE tables under it: 0 PTE tables on
     * their own, 1 PMD table, 0 ptes. 2.6: the two ptes one by one.
     */
    @Test
    void aGigabyteAlignedRegionMovesItsPmdTableToday() {
        for (String d : RmapDesigns.everyName()) {
            CheckedSyscalls c = machine(d);
            Task t = c.initTask();
            assertEquals(A, c.mmap(t, A, PUD, RW, ANON | Mman.MAP_NORESERVE, -1, 0));
            long second = A + PUD / 2 + 4 * P;
            assertEquals(0, c.write(t, A, P, 0x56));
            assertEquals(0, c.write(t, second, P, 0x57));
            Moved m = mremap(c, t, A, PUD, B);
            boolean today = movesTables(c);
            assertEquals(today ? new Moved(0, 1, 0) : new Moved(0, 0, 2), m, d);
            readBack(c, t, B, 1, 0x56);
            readBack(c, t, second - A + B, 1, 0x57);
            c.finish();
        }
    }

    /**
     * Page tables without ptes: 1024 pages at A+1p written then dropped (MADV_DONTNEED zaps the
     * ptes, the three PTE tables [A, A+2M), [A+2M, A+4M), [A+4M, A+6M) stay), moved to B+2p.
     * Today: every extent finds its source PTE table, so alloc_new_pmd() allocates the PMD table
     * for B's 1 GiB (the PUD table, for the first 512 GiB, is shared with A's) and pte_alloc() the
     * three destination PTE tables before move_ptes() finds nothing to move ("it allocates a dst
     * table wherever there was a src table", Hugh Dickins, "mm: move_page_tables by extents",
     * 2.6.14); then the source's unmap frees its three PTE tables and its PMD table
     * (free_pgd_range: nothing else in A's 1 GiB): +4 - 4 = 0 tables. 2.6: move_one_page() finds
     * every pte none and allocates nothing ("never allocated a page table unless absolutely
     * necessary"): -4. No pte moves either way.
     */
    @Test
    void emptyTablesAreCopiedTodayNotIn2004() {
        for (String d : RmapDesigns.everyName()) {
            CheckedSyscalls c = machine(d);
            Task t = c.initTask();
            assertEquals(A + P, c.mmap(t, A + P, 1024 * P, RW, ANON, -1, 0));
            assertEquals(0, c.write(t, A + P, 1024 * P, 0x58));
            assertEquals(0, c.madvise(t, A + P, 1024 * P, Mman.MADV_DONTNEED));
            long tables = t.mm().pgtables();
            assertEquals(new Moved(0, 0, 0), mremap(c, t, A + P, 1024 * P, B + 2 * P), d);
            boolean today = c.machine().traits().movesPageTables();
            assertEquals(today ? 0 : -4, t.mm().pgtables() - tables, d);
            c.finish();
        }
    }

    /** Only today's design moves page tables; only pte_chains and anonmm hear of each moved pte. */
    @Test
    void traitsPerEra() {
        for (String d : RmapDesigns.everyName()) {
            DesignTraits tr = RmapDesigns.create(d).traits();
            String base = RmapDesigns.designOf(d);
            assertEquals(base.equals("anon_vma_chain"), tr.movesPageTables(), d);
            assertEquals(base.equals("pte_chains") || base.equals("anonmm"), tr.tellsMovedPtes(), d);
            assertFalse(tr.movesPageTables() && tr.tellsMovedPtes(), d);
        }
        assertTrue(DesignTraits.TODAY.movesPageTables());
    }
}
