package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.rmap.RmapDesigns;

/**
 * Stacks that grow (expand_downwards, Linux 6.18) under every design and variant, with the oracle
 * after every call; the counts derived by hand. The user-visible rules are also judged by the
 * kernel (scenarios/stack/); these are the model's own: pgoffs, counters, lokier's offsets and the
 * placement of new mappings around a stack's guard gap.
 */
class StackGrowthTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;

    static java.util.List<String> everyName() {
        return RmapDesigns.everyName();
    }

    static Machine machine(String design) {
        return new Machine(MachineConfig.defaults().withRam(64L << 20), RmapDesigns.create(design));
    }

    /**
     * A 2-page stack written 8 pages below its start grows by 8 pages in one expand_downwards
     * (stack_expansions 1, stack_pages_grown 8); a write 2 pages further grows it by 2 more (2,
     * 10). vm_pgoff moves down with vm_start: under every design but lokier it is addr &gt;&gt;
     * PAGE_SHIFT of the new start (mmap's "set pgoff according to addr for anon_vma"); lokier's
     * stack sits at the top of a reservation of its own, so its pgoff moves down by 10 too. A
     * fork copies the grown stack, the child's write to a grown page COWs it.
     */
    @ParameterizedTest
    @MethodSource("everyName")
    void growsDownPgoffFollowsAndForkCopies(String design) {
        Machine k = machine(design);
        CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
        Task t1 = s.initTask();
        long st = s.mmap(t1, 0, 2 * P, RW, ANON | Mman.MAP_GROWSDOWN);
        assertFalse(Errno.isError(st));
        long pgoff0 = t1.mm().vmaLookup(st).pgoff();
        assertEquals(Syscalls.ACCESS_OK, s.write(t1, st - 8 * P, P, 0x33));
        assertEquals(1L, k.counters().get("stack_expansions"), design);
        assertEquals(8L, k.counters().get("stack_pages_grown"), design);
        assertEquals(Syscalls.ACCESS_OK, s.write(t1, st - 10 * P, P, 0x44));
        assertEquals(2L, k.counters().get("stack_expansions"), design);
        assertEquals(10L, k.counters().get("stack_pages_grown"), design);
        assertEquals(1, s.vmasIn(t1, st - 10 * P, 12 * P), design);
        Vma v = t1.mm().vmaLookup(st - 10 * P);
        if (!design.equals("lokier:noreserve")) {
            assertEquals(st - 10 * P, v.start(), design);
            assertEquals(pgoff0 - 10, v.pgoff(), design);
        }
        if (!design.startsWith("lokier")) {
            assertEquals((st - 10 * P) >>> Machine.PAGE_SHIFT, v.pgoff(), design);
        }
        Task t2 = s.fork(t1);
        assertEquals(Syscalls.ACCESS_OK, s.write(t2, st - 8 * P, P, 0x55));
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        assertEquals(Syscalls.ACCESS_OK, s.read(t1, st - 8 * P, P, r));
        assertEquals(0x33, r.value, design);
        s.finish();
    }

    /**
     * lokier:noreserve reserves no room, below or above: the stack's offsets below its own are not
     * its to take, so each growth is a new vma of its own offsets (growth_splits 1, then 2), and
     * the pieces are one user-visible vma (VM_GROUP). Under lokier as proposed the stack's
     * reservation has room below (the mail: "VM_GROWSDOWN vmas might want to record a
     * reservation down rather than up"): no split, one vma.
     */
    @Test
    void lokierSplitsOnlyWithoutAReservationBelow() {
        for (String design : new String[] {"lokier", "lokier:noreserve"}) {
            Machine k = machine(design);
            CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
            Task t1 = s.initTask();
            long st = s.mmap(t1, 0, 2 * P, RW, ANON | Mman.MAP_GROWSDOWN);
            assertEquals(Syscalls.ACCESS_OK, s.write(t1, st - 8 * P, P, 1));
            assertEquals(Syscalls.ACCESS_OK, s.write(t1, st - 10 * P, P, 2));
            boolean split = design.equals("lokier:noreserve");
            assertEquals(split ? 2L : 0L, k.design().stats().asMap().get("growth_splits"), design);
            assertEquals(split ? 3 : 1, t1.mm().mapCount(), design);
            assertEquals(1, s.vmasIn(t1, st - 10 * P, 12 * P), design);
            s.finish();
        }
    }

    /**
     * vm_start_gap(): a stack's guard gap (256 pages) is no place for a new mapping. The stack is
     * the first mapping, at the top (MMAP_BASE - 4 pages); the next `mmap 0` of 4 pages goes below
     * the gap (unmapped_area_topdown: the gap above ends at vm_start_gap), at S - 260 pages; a hint
     * inside the gap is refused (arch_get_unmapped_area_topdown: addr + len &lt;= vm_start_gap) and
     * the page goes to the next free place below, N - 1 page. MAP_FIXED may map there.
     */
    @Test
    void noMappingInTheGuardGap() {
        Machine k = machine(RmapDesigns.DEFAULT);
        CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
        Task t1 = s.initTask();
        long st = s.mmap(t1, 0, 4 * P, RW, ANON | Mman.MAP_GROWSDOWN);
        assertEquals(Machine.MMAP_BASE - 4 * P, st);
        long n = s.mmap(t1, 0, 4 * P, RW, ANON);
        assertEquals(st - 260 * P, n);
        long h = s.mmap(t1, st - 10 * P, P, RW, ANON);
        assertNotEquals(st - 10 * P, h);
        assertEquals(n - P, h);
        long f = s.mmap(t1, st - 10 * P, P, RW, ANON | Mman.MAP_FIXED);
        assertEquals(st - 10 * P, f);
        // Now an accessible vma lies 6 pages below the stack: it cannot grow at all.
        assertEquals(Syscalls.ACCESS_SEGV, s.write(t1, st - P, P, 1));
        s.finish();
    }

    /** A VM_LOCKED stack's growth is locked memory (expand_downwards: mm->locked_vm += grow). */
    @Test
    void lockedStackGrowthCountsAsLocked() {
        Machine k = machine(RmapDesigns.DEFAULT);
        CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
        Task t1 = s.initTask();
        long st = s.mmap(t1, 0, 2 * P, RW, ANON | Mman.MAP_GROWSDOWN | Mman.MAP_LOCKED);
        assertEquals(2, t1.mm().lockedVm);
        assertEquals(Syscalls.ACCESS_OK, s.write(t1, st - 3 * P, P, 1));
        assertEquals(5, t1.mm().lockedVm);
        s.finish();
    }
}
