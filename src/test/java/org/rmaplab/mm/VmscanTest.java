package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.rmap.RmapDesigns;

/** mm/vmscan.c (Vmscan) with mm/rmap.c and mm/swap_state.c: reclaim and swap through the reverse map, with counters worked out by hand. */
class VmscanTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;

    static CheckedSyscalls boot(long ram, long swap) {
        return new CheckedSyscalls(new Machine(new MachineConfig(ram, swap, "x86_64"),
                RmapDesigns.create(RmapDesigns.DEFAULT)), CheckPolicy.EVERY);
    }

    static long c(CheckedSyscalls s, String name) {
        return s.machine().counters().get(name);
    }

    static long read(Syscalls s, Task t, long a) {
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        assertEquals(Syscalls.ACCESS_OK, s.read(t, a, P, r));
        return r.value;
    }

    @Test
    void everyPageGoesOutAndComesBackOnAMajorFault() {
        CheckedSyscalls s = boot(4L << 20, 16L << 20);
        Task t = s.initTask();
        long a = s.mmap(t, 0, 8 * P, RW, ANON);
        for (int i = 0; i < 8; i++) {
            s.write(t, a + i * P, P, 100 + i);
        }
        s.reclaim(Long.MAX_VALUE);
        assertEquals(8, c(s, "swap_outs"));
        assertEquals(8, s.machine().swap().used());
        assertEquals(0, t.mm().rssAnon());
        assertEquals(8, t.mm().swapents());
        for (int i = 0; i < 8; i++) {
            assertEquals(100 + i, read(s, t, a + i * P));
        }
        assertEquals(8, c(s, "major_faults"));
        assertEquals(8, c(s, "swap_ins"));
        s.finish();
    }

    @Test
    void aSwapSlotIsSharedByForkAndFreedWithTheLastEntry() {
        CheckedSyscalls s = boot(4L << 20, 16L << 20);
        Task t1 = s.initTask();
        long a = s.mmap(t1, 0, P, RW, ANON);
        s.write(t1, a, P, 7);
        Task t2 = s.fork(t1);
        s.reclaim(Long.MAX_VALUE);
        Swapfile sw = s.machine().swap();
        assertEquals(1, sw.used());
        int slot = -1;
        for (int i = 1; i < sw.nrSlots(); i++) {
            if (!sw.isFree(i)) {
                slot = i;
            }
        }
        assertEquals(2, sw.count(slot), "one swap entry per pte (swap_duplicate)");
        assertEquals(0, s.munmap(t2, a, P));
        assertEquals(1, sw.count(slot));
        s.exit(t1);
        assertEquals(0, sw.used(), "the last entry frees the slot");
        s.exit(t2);
        s.finish();
    }

    /**
     * Two of four pages mlocked. Today (the default design, ReclaimEra.TODAY) mlock takes them off
     * the LRU (mlock_folio), so reclaim never meets them: no unmap fails on VM_LOCKED, and the two
     * others go to swap. In the 2004 eras they stay on the LRU and every try_to_unmap of them
     * fails on VM_LOCKED, at least once each.
     */
    @Test
    void mlockedPagesAreNotEvicted() {
        for (String design : new String[] {"anon_vma_chain", "anon_vma"}) {
            CheckedSyscalls s = new CheckedSyscalls(new Machine(new MachineConfig(4L << 20, 16L << 20, "x86_64"),
                    RmapDesigns.create(design)), CheckPolicy.EVERY);
            Task t = s.initTask();
            long a = s.mmap(t, 0, 4 * P, RW, ANON);
            s.write(t, a, 4 * P, 1);
            assertEquals(0, s.mlock(t, a, 2 * P));
            s.reclaim(Long.MAX_VALUE);
            assertEquals(2, c(s, "swap_outs"), design);
            if (design.equals("anon_vma_chain")) {
                assertEquals(0, c(s, "unmaps_failed_locked"), design + ": never tried");
            } else {
                assertTrue(c(s, "unmaps_failed_locked") >= 2, design);
            }
            assertEquals(2, t.mm().rssAnon(), design);
            s.finish();
        }
    }

    @Test
    void withoutSwapNoAnonymousPageIsEvicted() {
        CheckedSyscalls s = boot(4L << 20, 0);
        Task t = s.initTask();
        long a = s.mmap(t, 0, 4 * P, RW, ANON);
        s.write(t, a, 4 * P, 1);
        assertEquals(0, s.reclaim(Long.MAX_VALUE));
        assertEquals(0, c(s, "swap_outs"));
        assertEquals(4, t.mm().rssAnon());
        s.finish();
    }

    @Test
    void outOfMemoryKillsTheLargestTaskAndTheRunGoesOn() {
        // 64 frames, no swap: the big task is killed; the small one survives.
        CheckedSyscalls s = boot(256L << 10, 0);
        Task small = s.initTask();
        long a = s.mmap(small, 0, 4 * P, RW, ANON);
        s.write(small, a, 4 * P, 3);
        Task big = s.fork(small);
        s.exec(big);
        long b = s.mmap(big, 0, 100 * P, RW, ANON);
        int r = s.write(big, b, 100 * P, 9);
        assertEquals(Syscalls.ACCESS_KILLED, r);
        assertFalse(big.isAlive());
        assertTrue(big.oomKilled());
        assertEquals(1, c(s, "oom_kills"));
        assertEquals(3, read(s, small, a));
        s.finish();
    }

    @Test
    void aBusyPageTableLeavesThePageForLater() {
        CheckedSyscalls s = boot(4L << 20, 16L << 20);
        s.machine().setPtlBusyEvery(2);
        Task t = s.initTask();
        long a = s.mmap(t, 0, 4 * P, RW, ANON);
        s.write(t, a, 4 * P, 5);
        s.reclaim(Long.MAX_VALUE);
        assertTrue(c(s, "unmaps_failed_busy") > 0);
        assertEquals(4, c(s, "swap_outs"), "every page went in the end");
        assertEquals(5, read(s, t, a + 3 * P));
        s.finish();
    }
}
