package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.rmap.RmapDesigns;

/** The contract's example, and basic fault / COW / fork behaviour, with the oracle after every call. */
class MachineBasicsTest {
    static final long P = Machine.PAGE_SIZE;

    static CheckedSyscalls boot() {
        Machine k = new Machine(MachineConfig.defaults().withRam(64L << 20), RmapDesigns.create(RmapDesigns.DEFAULT));
        return new CheckedSyscalls(k, CheckPolicy.EVERY);
    }

    static long read(Syscalls s, Task t, long addr) {
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        int rc = s.read(t, addr, P, r);
        assertEquals(Syscalls.ACCESS_OK, rc, "read at 0x" + Long.toHexString(addr));
        return r.value;
    }

    @Test
    void contractExample() {
        CheckedSyscalls s = boot();
        Task t1 = s.initTask();
        long a = s.mmap(t1, 0, 16 * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        assertFalse(Errno.isError(a));
        assertEquals(Syscalls.ACCESS_OK, s.write(t1, a, 16 * P, 0xA1));
        Task t2 = s.fork(t1);
        assertEquals(Syscalls.ACCESS_OK, s.write(t2, a + 4 * P, P, 0xB2));
        long b = s.mremap(t1, a, 16 * P, 32 * P, Mman.MREMAP_MAYMOVE, 0);
        assertFalse(Errno.isError(b), "mremap: " + b);
        assertEquals(0xA1, read(s, t1, b + 4 * P));
        assertEquals(0xB2, read(s, t2, a + 4 * P));
        assertEquals(0, read(s, t1, b + 20 * P));
        assertEquals(0, s.munmap(t1, b + 2 * P, P));
        assertEquals(Syscalls.ACCESS_SEGV, s.read(t1, b + 2 * P, P, new Syscalls.ReadResult()));
        assertEquals(2, s.vmasIn(t1, b, 32 * P));
        assertEquals(0xA1, read(s, t1, b));
        s.finish();
    }

    @Test
    void zeroPageThenCowAndExitReuse() {
        CheckedSyscalls s = boot();
        Task t1 = s.initTask();
        long a = s.mmap(t1, 0, 4 * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        assertEquals(0, read(s, t1, a));
        assertEquals(Syscalls.ACCESS_OK, s.write(t1, a, 4 * P, 7));
        Task t2 = s.fork(t1);
        assertEquals(7, read(s, t2, a + P));
        s.exit(t2);
        long before = s.machine().counters().get("cow_copies");
        assertEquals(Syscalls.ACCESS_OK, s.write(t1, a, P, 8));
        assertEquals(before, s.machine().counters().get("cow_copies"), "sole mapper reuses the page");
        s.finish();
    }

    @Test
    void sharedAnonymousIsSharedAcrossFork() {
        CheckedSyscalls s = boot();
        Task t1 = s.initTask();
        long a = s.mmap(t1, 0, 2 * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS);
        Task t2 = s.fork(t1);
        s.write(t2, a, P, 5);
        assertEquals(5, read(s, t1, a));
        s.exit(t1);
        assertEquals(5, read(s, t2, a));
        s.finish();
    }

    @Test
    void mprotectSplitsAndRemerges() {
        CheckedSyscalls s = boot();
        Task t1 = s.initTask();
        long a = s.mmap(t1, 0, 8 * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        s.write(t1, a, 8 * P, 3);
        assertEquals(0, s.mprotect(t1, a + 2 * P, 2 * P, Mman.PROT_READ));
        assertEquals(3, s.vmasIn(t1, a, 8 * P));
        assertEquals(Syscalls.ACCESS_SEGV, s.write(t1, a + 2 * P, P, 1));
        assertEquals(0, s.mprotect(t1, a + 2 * P, 2 * P, Mman.PROT_READ | Mman.PROT_WRITE));
        assertEquals(1, s.vmasIn(t1, a, 8 * P));
        s.finish();
    }

    @Test
    void mremapExpandMerge() {
        // selftests/mm/mremap_test.c mremap_expand_merge: map 3 pages, unmap the middle, grow the first.
        CheckedSyscalls s = boot();
        Task t1 = s.initTask();
        long a = s.mmap(t1, 0, 3 * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        assertEquals(0, s.munmap(t1, a + P, P));
        assertEquals(a, s.mremap(t1, a, P, 2 * P, 0, 0));
        assertEquals(1, s.vmasIn(t1, a, 3 * P));
        assertTrue(s.vmaAt(t1, a).end() == a + 3 * P);
        s.finish();
    }

    @Test
    void brkGrowsAndShrinks() {
        CheckedSyscalls s = boot();
        Task t1 = s.initTask();
        long b = s.brk(t1, 0);
        assertEquals(b + 4 * P, s.brk(t1, b + 4 * P));
        s.write(t1, b, 4 * P, 9);
        assertEquals(b + P, s.brk(t1, b + P));
        assertEquals(Syscalls.ACCESS_SEGV, s.read(t1, b + 2 * P, P, new Syscalls.ReadResult()));
        assertEquals(9, read(s, t1, b));
        s.finish();
    }
}
