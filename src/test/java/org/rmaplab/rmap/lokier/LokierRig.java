package org.rmaplab.rmap.lokier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;

/** A machine running lokier behind the oracle, with shorthands for the tests. */
final class LokierRig {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;
    static final int FIXED = ANON | Mman.MAP_FIXED;

    final LokierDesign d;
    final Machine k;
    final CheckedSyscalls sys;
    final Task t;

    LokierRig(LokierDesign d, CheckPolicy policy) {
        this(d, policy, 64L << 20);
    }

    LokierRig(LokierDesign d, CheckPolicy policy, long ram) {
        this.d = d;
        this.k = new Machine(MachineConfig.defaults().withRam(ram), d);
        this.sys = new CheckedSyscalls(k, policy);
        this.t = sys.initTask();
    }

    LokierRig(LokierDesign d) {
        this(d, CheckPolicy.EVERY);
    }

    /** mmap fixed, read-write, private anonymous; asserts success. */
    long map(Task task, long addr, long pages) {
        long r = sys.mmap(task, addr, pages * P, RW, FIXED);
        assertFalse(Errno.isError(r), "mmap " + Long.toHexString(addr) + ": " + r);
        return r;
    }

    long map(long addr, long pages) {
        return map(t, addr, pages * 1);
    }

    void write(Task task, long addr, long pages, long value) {
        assertEquals(Syscalls.ACCESS_OK, sys.write(task, addr, pages * P, value));
    }

    void write(long addr, long pages, long value) {
        write(t, addr, pages, value);
    }

    long read(Task task, long addr) {
        Syscalls.ReadResult rr = new Syscalls.ReadResult();
        assertEquals(Syscalls.ACCESS_OK, sys.read(task, addr, P, rr));
        return rr.value;
    }

    Vma vma(Task task, long addr) {
        return task.mm().vmaLookup(addr);
    }

    Vma vma(long addr) {
        return vma(t, addr);
    }

    /** The vmas of task's mm that intersect [addr, addr + len): the kernel's own count. */
    static int internal(Task task, long addr, long len) {
        Mm mm = task.mm();
        int n = 0;
        for (int i = 0; i < mm.mapCount(); i++) {
            Vma v = mm.vma(i);
            if (v.start() < addr + len && v.end() > addr) {
                n++;
            }
        }
        return n;
    }

    int internal(long addr, long len) {
        return internal(t, addr, len);
    }

    /** What /proc/PID/maps would show: groups count once. */
    int visible(Task task, long addr, long len) {
        return sys.vmasIn(task, addr, len);
    }

    int visible(long addr, long len) {
        return visible(t, addr, len);
    }

    /** The frame mapped at addr in task's mm (it must be present). */
    int pfn(Task task, long addr) {
        long slot = PageTable.lookup(k.frames(), task.mm().pgd(), addr);
        return PageTable.ptePfn(PageTable.get(k.frames(), slot));
    }
}
