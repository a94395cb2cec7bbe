package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;
import org.rmaplab.rmap.RmapDesigns;

/**
 * What the oracle learns from a system call besides its return value comes back in its result
 * record: how far remap_move() got before a later vma failed, uffdio_move.move and
 * uffdio_copy.copy of a short move or copy.
 */
class ResultRecordsTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;

    static Machine boot() {
        return new Machine(MachineConfig.defaults().withRam(64L << 20), RmapDesigns.create(RmapDesigns.DEFAULT));
    }

    @Test
    void remapMoveReportsWhatMovedBeforeTheFailingVma() {
        Machine k = boot();
        Task t = k.initTask();
        long a = k.mmap(t, 0, 8 * P, Mman.PROT_NONE, ANON); // a free window
        assertFalse(Errno.isError(a));
        assertEquals(0, k.munmap(t, a, 8 * P));
        assertEquals(a, k.mmap(t, a, 2 * P, RW, ANON | Mman.MAP_FIXED));
        assertEquals(a + 3 * P, k.mmap(t, a + 3 * P, 2 * P, RW, ANON | Mman.MAP_FIXED));
        assertEquals(0, k.uffdRegister(t, a + 3 * P, 2 * P)); // a uffd-armed vma moves only alone
        long dst = k.mmap(t, 0, 8 * P, Mman.PROT_NONE, ANON);
        assertEquals(0, k.munmap(t, dst, 8 * P));
        Mremap.Result r = k.mremapFull(t, new Mremap.Request(a, 5 * P, 5 * P,
                Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, dst));
        assertEquals(-Errno.EFAULT, r.ret());
        assertEquals(2 * P, r.movedBeforeError(), "the first vma moved");
        Mremap.Result ok = k.mremapFull(t, new Mremap.Request(a + 3 * P, 2 * P, 2 * P,
                Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, dst + 3 * P));
        assertEquals(dst + 3 * P, ok.ret());
        assertEquals(0, ok.movedBeforeError());
    }

    @Test
    void shortUffdMoveAndCopyReportHowFarTheyGot() {
        Machine k = boot();
        Task t = k.initTask();
        long src = k.mmap(t, 0, 2 * P, RW, ANON);
        long dst = k.mmap(t, 0, 2 * P, RW, ANON);
        assertEquals(Syscalls.ACCESS_OK, k.write(t, src, P, 0x5A)); // the second source page is a hole
        assertEquals(0, k.uffdRegister(t, dst, 2 * P));
        Userfaultfd.MoveResult m = k.uffdMoveFull(t, new Userfaultfd.UffdioMove(dst, src, 2 * P, 0));
        assertEquals(-Errno.EAGAIN, m.ret());
        assertEquals(P, m.moved());

        long csrc = k.mmap(t, 0, P, RW, ANON); // one readable page, nothing mapped after it
        long cdst = k.mmap(t, 0, 4 * P, RW, ANON);
        assertEquals(Syscalls.ACCESS_OK, k.write(t, csrc, P, 0x77));
        assertEquals(0, k.munmap(t, csrc + P, P));
        assertEquals(0, k.uffdRegister(t, cdst, 4 * P));
        Userfaultfd.CopyResult c = k.uffdCopyFull(t, new Userfaultfd.UffdioCopy(cdst, csrc, 2 * P, 0));
        assertEquals(-Errno.EAGAIN, c.ret());
        assertEquals(P, c.copied());
        Userfaultfd.CopyResult bad = k.uffdCopyFull(t, new Userfaultfd.UffdioCopy(cdst + 1, csrc, P, 0));
        assertEquals(-Errno.EINVAL, bad.ret());
        assertEquals(-Errno.EINVAL, bad.copied());
    }
}
