package org.rmaplab.bench;

import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Task;
import org.rmaplab.rmap.RmapDesigns;

/**
 * What every benchmark builds on: a bare {@link Machine} (no oracle: the benchmarks measure the
 * model, not its checker) running one design, and helpers that fail loudly when a set-up call does
 * not do what the benchmark assumes.
 */
final class Rig {
    /** Pages per invocation of the per-page benchmarks (@OperationsPerInvocation). */
    static final int PAGES = 4096;
    static final long PAGE = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;
    /** A fixed 2 MiB-aligned home for benchmark regions, far from mmap_base. */
    static final long BASE = 0x100000000000L;

    final Machine k;
    final Task init;

    Rig(String design, long ramBytes, long swapBytes) {
        if (!RmapDesigns.exists(design)) {
            throw new IllegalArgumentException("unknown design " + design + " (known: " + RmapDesigns.names() + ")");
        }
        k = new Machine(new MachineConfig(ramBytes, swapBytes, "x86_64"), RmapDesigns.create(design));
        init = k.initTask();
    }

    Rig(String design) {
        this(design, MachineConfig.DEFAULT_RAM, 0);
    }

    long mmapFixed(Task t, long addr, long pages) {
        return check(k.mmap(t, addr, pages * PAGE, RW, ANON | Mman.MAP_FIXED), "mmap");
    }

    void write(Task t, long addr, long pages, long value) {
        int r = k.write(t, addr, pages * PAGE, value);
        if (r != Machine.ACCESS_OK) {
            throw new IllegalStateException("write: access result " + r);
        }
    }

    Task fork(Task t) {
        Task c = k.fork(t);
        if (c == null) {
            throw new IllegalStateException("fork: ENOMEM (raise the rig's RAM)");
        }
        return c;
    }

    /** The frame t maps at addr (the walk benchmarks' target page). */
    int pfnAt(Task t, long addr) {
        Frames f = k.frames();
        long slot = PageTable.lookup(f, t.mm().pgd(), addr);
        long pte = slot < 0 ? 0 : PageTable.get(f, slot);
        if (!PageTable.present(pte)) {
            throw new IllegalStateException("no page at 0x" + Long.toHexString(addr));
        }
        return PageTable.ptePfn(pte);
    }

    static long check(long r, String what) {
        if (r < 0 && r > -4096) {
            throw new IllegalStateException(what + ": errno " + (-r));
        }
        return r;
    }
}
