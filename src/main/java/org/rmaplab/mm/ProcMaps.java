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
        int i = mm.indexOf(v);
        int lo = i;
        while (lo > 0 && (mm.vma(lo).vmFlags & Vma.VM_GROUP) != 0 && mm.vma(lo - 1).vmEnd == mm.vma(lo).vmStart) {
            lo--;
        }
        int hi = i;
        while (hi + 1 < mm.mapCount && (mm.vma(hi + 1).vmFlags & Vma.VM_GROUP) != 0
                && mm.vma(hi).vmEnd == mm.vma(hi + 1).vmStart) {
            hi++;
        }
        return new Syscalls.VmaInfo(mm.vma(lo).vmStart, mm.vma(hi).vmEnd, v.perms());
    }

    /** How many lines of /proc/PID/maps show a vma intersecting [addr, addr+len). */
    int vmasIn(Task t, long addr, long len) {
        k.requireAlive(t);
        Mm mm = t.mm;
        long end = addr + len;
        int n = 0;
        Vma prevSeen = null;
        for (int i = mm.indexAfter(addr); i < mm.mapCount && mm.vma(i).vmStart < end; i++) {
            Vma v = mm.vma(i);
            boolean continues = prevSeen != null && (v.vmFlags & Vma.VM_GROUP) != 0 && prevSeen.vmEnd == v.vmStart;
            if (!continues) {
                n++;
            }
            prevSeen = v;
        }
        return n;
    }
}
