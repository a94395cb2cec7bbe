package org.rmaplab.rmap.anonmm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;
import org.rmaplab.rmap.RmapDesigns;

/**
 * Linus's rule for pages on swap (rmap 11): a shared page moved by mremap while it is on swap is
 * not COWed at mremap (its pte is a swap entry) but copied at swap-in, where page-&gt;index no longer
 * matches the address; an unshared one is simply re-homed.
 */
class AnonMmSwapTest {
    static final long P = Machine.PAGE_SIZE;

    static CheckedSyscalls boot(String design) {
        return new CheckedSyscalls(new Machine(new MachineConfig(4L << 20, 16L << 20, "x86_64"),
                RmapDesigns.create(design)), CheckPolicy.EVERY);
    }

    static long run(String design, boolean fork) {
        CheckedSyscalls s = boot(design);
        Task t1 = s.initTask();
        long a = s.mmap(t1, 0, 4 * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        s.write(t1, a, 4 * P, 0x42);
        Task t2 = fork ? s.fork(t1) : null;
        s.reclaim(Long.MAX_VALUE);
        long b = s.mremap(t1, a, 4 * P, 4 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, a - 64 * P);
        assertEquals(a - 64 * P, b);
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        assertEquals(Syscalls.ACCESS_OK, s.read(t1, b, 4 * P, r));
        assertEquals(0x42, r.value);
        if (t2 != null) {
            assertEquals(Syscalls.ACCESS_OK, s.read(t2, a, 4 * P, r));
            assertEquals(0x42, r.value);
        }
        s.finish();
        assertEquals(0, s.machine().design().stats().mremapCows, "swap ptes are not COWed at mremap");
        return s.machine().counters().get("swapin_copies");
    }

    @Test
    void sharedPagesMovedOnSwapAreCopiedAtSwapIn() {
        assertEquals(4, run("anonmm", true));
    }

    @Test
    void unsharedPagesMovedOnSwapAreNotCopied() {
        assertEquals(0, run("anonmm", false));
    }

    @Test
    void objectDesignsNeverCopyAtSwapIn() {
        assertEquals(0, run("anon_vma", true));
        assertEquals(0, run("anon_vma_chain", true));
    }
}
