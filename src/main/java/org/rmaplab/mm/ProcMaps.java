package org.rmaplab.mm;

/**
 * fs/proc/task_mmu.c: what /proc/PID/maps shows. The vmas that lokier's VM_GROUP joins (the model's
 * own flag: a vma that continues the previous one) show as one line. Linux 6.18 unless a method
 * says otherwise.
 *
 * <p>Lock order (for the reader): mmap_lock (read) for the walk.
 */
final class ProcMaps {
    private final Machine k;

    ProcMaps(Machine k) {
        this.k = k;
    }

    /**
     * The user-visible vma at addr. vmas joined by lokier's VM_GROUP flag show as one (the flag
     * marks a vma that continues the previous one).
     */
    Syscalls.VmaInfo vmaAt(Task t, long addr) {
        k.requireAlive(t);
        Mm mm = t.mm;
        Vma v = mm.vmaLookup(addr);
        if (v == null) {
            return null;
        }
        return new Syscalls.VmaInfo(VmaOps.groupStart(mm, v), VmaOps.groupLast(mm, v).vmEnd, v.perms());
    }

    /** How many lines of /proc/PID/maps show a vma intersecting [addr, addr+len). */
    int vmasIn(Task t, long addr, long len) {
        k.requireAlive(t);
        Mm mm = t.mm;
        long end = addr + len;
        int n = 0;
        // One line per user-visible vma: from each, on past the last vma of its VM_GROUP group.
        for (int i = mm.indexAfter(addr); i < mm.mapCount && mm.vma(i).vmStart < end;
                i = mm.indexAfter(VmaOps.groupLast(mm, mm.vma(i)).vmEnd)) {
            n++;
        }
        return n;
    }
}
