package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.rmap.RmapDesigns;

/**
 * vma merge and split rules of mm/vma.c under today's anon rule, in the manner of
 * tools/testing/vma: each test draws the layout it builds. Pages are 4 KiB; A is the base of a
 * 16-page PROT_NONE carve-out everything is placed into with MAP_FIXED.
 */
class VmaMergeTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;
    static final int FIXED = ANON | Mman.MAP_FIXED;

    CheckedSyscalls s;
    Machine k;
    Task t;
    long a;

    @BeforeEach
    void boot() {
        k = new Machine(MachineConfig.defaults().withRam(16L << 20), RmapDesigns.create(RmapDesigns.DEFAULT));
        s = new CheckedSyscalls(k, CheckPolicy.EVERY);
        t = s.initTask();
        a = s.mmap(t, 0, 16 * P, Mman.PROT_NONE, ANON);
        s.munmap(t, a, 16 * P);
    }

    Vma vma(long addr) {
        Vma v = t.mm().vmaLookup(addr);
        assertNotNull(v, "no vma at page " + (addr - a) / P);
        return v;
    }

    @Test
    void newRangeBetweenTwoUnfaultedVmasMergesAllThree() {
        //  0123456789
        //  AAA   BBB      map A and B
        //  AAAnnnBBB      map the hole: one vma
        s.mmap(t, a, 3 * P, RW, FIXED);
        s.mmap(t, a + 6 * P, 3 * P, RW, FIXED);
        assertEquals(2, s.vmasIn(t, a, 9 * P));
        s.mmap(t, a + 3 * P, 3 * P, RW, FIXED);
        assertEquals(1, s.vmasIn(t, a, 9 * P));
        assertEquals(a + 9 * P, vma(a).end());
    }

    @Test
    void twoFaultedVmasWithDifferentAnonVmasDoNotBecomeOne() {
        //  0123456789
        //  AAA         map A, fault it (anon_vma 1)
        //      BBB     map B away from A, fault it (anon_vma 2: A is not adjacent)
        //  AAAnBBB     map the hole: it joins A only (prev and next are incompatible)
        s.mmap(t, a, 3 * P, RW, FIXED);
        s.write(t, a, P, 1);
        s.mmap(t, a + 4 * P, 3 * P, RW, FIXED);
        s.write(t, a + 4 * P, P, 2);
        assertNotSame(vma(a).anonVma, vma(a + 4 * P).anonVma);
        s.mmap(t, a + 3 * P, P, RW, FIXED);
        assertEquals(2, s.vmasIn(t, a, 7 * P));
        assertEquals(a + 4 * P, vma(a).end());
    }

    @Test
    void aVmaFaultedNextToAFaultedOneReusesItsAnonVma() {
        //  0123456789
        //  AAA         fault A
        //     BBB      map B adjacent: merged into A at once (same flags, pgoff contiguous)
        //  AAAbbb      mprotect B read-only: split again, but sharing A's anon_vma
        s.mmap(t, a, 3 * P, RW, FIXED);
        s.write(t, a, P, 1);
        s.mmap(t, a + 3 * P, 3 * P, RW, FIXED);
        assertEquals(1, s.vmasIn(t, a, 6 * P));
        s.mprotect(t, a + 3 * P, 3 * P, Mman.PROT_READ);
        assertEquals(2, s.vmasIn(t, a, 6 * P));
        assertSame(vma(a).anonVma, vma(a + 3 * P).anonVma);
        s.mprotect(t, a + 3 * P, 3 * P, RW);
        assertEquals(1, s.vmasIn(t, a, 6 * P));
    }

    @Test
    void aForkChildsFaultedVmaDoesNotMergeWithANewNeighbour() {
        //  0123456789
        //  AAA           parent: map A, fault it; fork
        //  AAAnnn        child: map right after A: no merge (A is a fork child: two chains)
        s.mmap(t, a, 3 * P, RW, FIXED);
        s.write(t, a, 3 * P, 1);
        Task c = s.fork(t);
        s.mmap(c, a + 3 * P, 3 * P, RW, FIXED);
        assertEquals(2, s.vmasIn(c, a, 6 * P));
        // In the parent, the same mapping merges.
        s.mmap(t, a + 3 * P, 3 * P, RW, FIXED);
        assertEquals(1, s.vmasIn(t, a, 6 * P));
    }

    @Test
    void aForkChildsFaultedVmaMovedNextToAnUnfaultedOneDoesNotMerge() {
        //  0123456789abcdef
        //      VVV            map V at page 4, fault it; park it at page 11 (it keeps pgoff 4)
        //  UUUU       VVV     map U at page 0, unfaulted: pgoff 0..3 continues into V's
        //  UUUUVVV            fork; the child moves V back to page 4: no merge, since
        //                     vma_merge_copied_range() hands is_mergeable_anon_vma() the
        //                     copied-from vma and it is a fork child (6.18.y, Jan 2026 backport)
        s.mmap(t, a + 4 * P, 3 * P, RW, FIXED);
        s.write(t, a + 4 * P, 3 * P, 1);
        int move = Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED;
        assertEquals(a + 11 * P, s.mremap(t, a + 4 * P, 3 * P, 3 * P, move, a + 11 * P));
        s.mmap(t, a, 4 * P, RW, FIXED);
        Task c = s.fork(t);
        assertEquals(a + 4 * P, s.mremap(c, a + 11 * P, 3 * P, 3 * P, move, a + 4 * P));
        assertEquals(2, s.vmasIn(c, a, 7 * P));
        assertEquals(null, vmaOf(c, a).anonVma, "U took no anon state from the child's V");
        // In the parent, whose V is no fork child, the same move merges (and U takes V's anon_vma).
        Object av = vma(a + 11 * P).anonVma;
        assertEquals(a + 4 * P, s.mremap(t, a + 11 * P, 3 * P, 3 * P, move, a + 4 * P));
        assertEquals(1, s.vmasIn(t, a, 7 * P));
        assertSame(av, vma(a).anonVma);
    }

    Vma vmaOf(Task task, long addr) {
        Vma v = task.mm().vmaLookup(addr);
        assertNotNull(v, "no vma at page " + (addr - a) / P);
        return v;
    }

    @Test
    void mprotectBackToTheSameProtectionRemergesButVmAccountCanKeepThemApart() {
        //  0123456789
        //  rrrrrr        map read-only (no VM_ACCOUNT)
        //  rrrWWW        mprotect the right half rw: VM_ACCOUNT is charged
        //  rrrRRR        back to r: a never-faulted vma gives VM_ACCOUNT back, so they merge
        //  rrrWWW then fault, then back to r: a faulted one keeps it, so they stay apart
        s.mmap(t, a, 6 * P, Mman.PROT_READ, FIXED);
        s.mprotect(t, a + 3 * P, 3 * P, RW);
        assertEquals(2, s.vmasIn(t, a, 6 * P));
        s.mprotect(t, a + 3 * P, 3 * P, Mman.PROT_READ);
        assertEquals(1, s.vmasIn(t, a, 6 * P));
        s.mprotect(t, a + 3 * P, 3 * P, RW);
        s.write(t, a + 3 * P, P, 5);
        s.mprotect(t, a + 3 * P, 3 * P, Mman.PROT_READ);
        assertEquals(2, s.vmasIn(t, a, 6 * P));
    }

    @Test
    void aMovedFaultedVmaKeepsItsPgoffAndDoesNotMergeWhereItLands() {
        //  0123456789abcdef
        //  AAA        NNN     A faulted; N unfaulted at page 11
        //          AAANNN     move A to page 8: A keeps pgoff of page 0, N's is 11: no merge
        s.mmap(t, a, 3 * P, RW, FIXED);
        s.write(t, a, 3 * P, 7);
        s.mmap(t, a + 11 * P, 3 * P, RW, FIXED);
        long r = s.mremap(t, a, 3 * P, 3 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, a + 8 * P);
        assertEquals(a + 8 * P, r);
        assertEquals(2, s.vmasIn(t, a + 8 * P, 6 * P));
        assertEquals(a >>> Machine.PAGE_SHIFT, vma(a + 8 * P).pgoff());
    }

    @Test
    void aSplitBeyondMaxMapCountIsEnomem() {
        //  0123456789
        //  AAAAAAAAA     one vma; with max_map_count = 1 a split in the middle must fail
        s.mmap(t, a, 9 * P, RW, FIXED);
        k.setMaxMapCount(1);
        assertEquals(-Errno.ENOMEM, s.munmap(t, a + 3 * P, P));
        assertEquals(-Errno.ENOMEM, s.mprotect(t, a + 3 * P, P, Mman.PROT_READ));
        assertEquals(0, s.munmap(t, a, P)); // at the edge: no new vma, allowed
        assertEquals(1, s.vmasIn(t, a, 9 * P));
    }

    @Test
    void aWholePteTableMovesWithoutTouchingItsPtes() {
        // Two 2 MiB-aligned MiB regions: the move re-points the PMD entry (move_normal_pmd).
        long len = 2 * PageTable.PMD_SIZE;
        long src = s.mmap(t, 0, len, RW, ANON);
        assertEquals(0, src & (PageTable.PMD_SIZE - 1), "THP alignment of a 4 MiB anonymous mmap");
        s.write(t, src, len, 3);
        long dst = s.mmap(t, 0, len, Mman.PROT_NONE, ANON);
        long before = k.counters().get("mremap_ptes_moved");
        assertEquals(dst, s.mremap(t, src, len, len, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, dst));
        assertEquals(2, k.counters().get("mremap_pmd_moves"));
        assertEquals(before, k.counters().get("mremap_ptes_moved"));
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        assertEquals(Syscalls.ACCESS_OK, s.read(t, dst, len, r));
        assertEquals(3, r.value);
    }
}
