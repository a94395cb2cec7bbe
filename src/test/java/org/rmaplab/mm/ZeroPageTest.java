package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * Read faults of private anonymous memory with and without the zero page (do_anonymous_page's
 * {@code !mm_forbids_zeropage()} test, {@link Machine#setForbidsZeroPage}), and the three
 * divergences that {@code rmaplab fuzz --seed 20260101} found on a kernel that forbids it
 * ({@link #SCENARIOS}): the last line of each gives stock Linux's result with the zero page and
 * this machine's kernel's (PVM guest, {@code pvm_no_zero_page=1}) without it.
 */
public class ZeroPageTest {
    static final long P = Machine.PAGE_SIZE;

    /**
     * The shrunk fuzz findings, and the result of their last line with the zero page (stock Linux)
     * and without it (Linux 6.18.44 booted with {@code pvm_no_zero_page=1}): a read gives the vma
     * an anon_vma, the fork makes it a fork child, and is_mergeable_anon_vma() refuses the merge
     * that the unfaulted vma would have had (case 2) — one vma more, and in B a DONTUNMAP move
     * whose range now spans two vmas (EFAULT).
     */
    public record Finding(String name, String text, String withZeroPage, String withoutZeroPage) {}

    public static final List<Finding> SCENARIOS = List.of(
            new Finding("A", """
                    t1 fork as t2
                    t2 mmap 0 16p rw private|anonymous as M2
                    t2 clone as t3
                    t3 clone as t4
                    t4 read M2+10p 2p
                    t4 fork as t7
                    t7 mmap M2 4p rw private|anonymous|fixed
                    t7 vmas M2 16p
                    """, "1", "2"),
            new Finding("B", """
                    t1 clone as t2
                    t2 mmap 0 22p none private|anonymous as R6
                    t2 mmap R6 22p rw private|anonymous|fixed
                    t2 read R6+18p 2p
                    t2 fork as t4
                    t4 mmap R6+7p 6p rw private|anonymous|fixed
                    t4 mremap R6+9p 5p 5p maymove|dontunmap
                    """, "an address", "EFAULT"),
            new Finding("C", """
                    t1 mmap 0 80p none private|anonymous as R3
                    t1 mmap R3 80p rw private|anonymous|fixed
                    t1 read R3+77p 2p
                    t1 mremap R3+26p 35p 8p maymove|fixed R3+15p
                    t1 vmas R3 80p
                    """, "2", "4"));

    static String lastResult(Finding f, boolean forbidZeroPage) {
        ScenarioRunner runner = new ScenarioRunner((design, machine) -> {
            Machine k = new Machine(machine, RmapDesigns.create(design));
            k.setForbidsZeroPage(forbidZeroPage);
            return new CheckedSyscalls(k, CheckPolicy.EVERY);
        });
        RunResult r = runner.run(ScenarioParser.parse(f.name() + ".vms", f.text()), RmapDesigns.DEFAULT);
        assertTrue(r.passed(), () -> String.join("\n", r.report()));
        List<RunResult.LineOutcome> o = r.outcomes();
        return o.get(o.size() - 1).actual();
    }

    @Test
    void theFuzzFindingsDependOnTheZeroPageExactly() {
        for (Finding f : SCENARIOS) {
            String with = lastResult(f, false);
            String without = lastResult(f, true);
            if (f.withZeroPage().equals("an address")) {
                assertTrue(with.startsWith("0x"), f.name() + ": " + with);
            } else {
                assertEquals(f.withZeroPage(), with, f.name());
            }
            assertEquals(f.withoutZeroPage(), without, f.name());
        }
    }

    Machine k;
    CheckedSyscalls s;
    Task t;

    void boot(boolean forbid) {
        k = new Machine(MachineConfig.defaults().withRam(16L << 20), RmapDesigns.create(RmapDesigns.DEFAULT));
        k.setForbidsZeroPage(forbid);
        s = new CheckedSyscalls(k, CheckPolicy.EVERY);
        t = s.initTask();
    }

    long pte(long addr) {
        long slot = PageTable.lookup(k.frames, t.mm().pgd, addr);
        assertTrue(slot >= 0, "no page table");
        return PageTable.get(k.frames, slot);
    }

    @Test
    void aReadMapsTheZeroPageAndLeavesTheVmaUnfaulted() {
        boot(false);
        long a = s.mmap(t, 0, 4 * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        assertEquals(Syscalls.ACCESS_OK, s.read(t, a, P, r));
        assertEquals(0, r.value);
        assertEquals(Frames.ZERO_PFN, PageTable.ptePfn(pte(a)));
        assertNull(t.mm().vmaLookup(a).anonVma);
        assertEquals(0, k.counters().get("anon_pages_allocated"));
    }

    @Test
    void whereTheZeroPageIsForbiddenAReadAllocatesAsAWriteWould() {
        boot(true);
        long a = s.mmap(t, 0, 4 * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        assertEquals(Syscalls.ACCESS_OK, s.read(t, a, P, r));
        assertEquals(0, r.value);
        long pte = pte(a);
        int pfn = PageTable.ptePfn(pte);
        assertNotEquals(Frames.ZERO_PFN, pfn);
        assertTrue(PageTable.writable(pte), "a writable vma's page is mapped writable at once");
        assertNotNull(t.mm().vmaLookup(a).anonVma, "anon_vma_prepare() ran");
        assertEquals(1, k.counters().get("anon_pages_allocated"));
        assertEquals(0, k.counters().get("zero_page_maps"));
        // The write that follows needs no COW: the page is the vma's own already.
        assertEquals(Syscalls.ACCESS_OK, s.write(t, a, P, 9));
        assertEquals(pfn, PageTable.ptePfn(pte(a)));
        assertEquals(1, k.counters().get("anon_pages_allocated"));
        // A read-only vma gets its own page too, mapped read-only.
        long b = s.mmap(t, 0, P, Mman.PROT_READ, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        assertEquals(Syscalls.ACCESS_OK, s.read(t, b, P, r));
        assertNotEquals(Frames.ZERO_PFN, PageTable.ptePfn(pte(b)));
        assertTrue(!PageTable.writable(pte(b)));
    }
}
