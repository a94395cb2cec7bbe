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
        return new Syscalls.VmaInfo(VmaGroups.groupStart(mm, v), VmaGroups.groupLast(mm, v).vmEnd, v.perms());
    }

    /**
     * The whole of /proc/PID/maps, one string per line without its newline, as 6.18's show_map_vma()
     * and show_vma_header_prefix() print it: {@code %08lx-%08lx}, the perms, the offset (vm_pgoff in
     * bytes for a vma with a file, 0 for anonymous memory) as {@code %08llx}, the device as
     * {@code %02x:%02x}, the inode in decimal and a space; then, where the vma has a name, spaces up
     * to column 73 (seq_setwidth(25 + sizeof(void *) * 6 - 1), then seq_pad(m, ' ')) and the name.
     * Names, as get_vma_name() gives them: the file's path; {@code [heap]} for an anonymous vma that
     * vma_is_initial_heap() would name (it overlaps [start_brk, brk)); none for other anonymous
     * memory. The model's simplifications (there is no device, no exec'd image, no stack): its tmpfs
     * files show as {@code /dev/shm/NAME} and its shared anonymous memory as {@code /dev/zero
     * (deleted)}, both on device {@code 00:01} (the kernel's internal shm_mnt, which shared anonymous
     * memory is on), with the model's inode numbers (counted from 1, one per file and per shared
     * anonymous mapping, in the order they were made); the program's text, data, [stack], [vdso] and
     * [vvar] do not exist in the model and do not show; what the machine's program image mapped
     * (under a diff, the kernel harness's guard page: HarnessLayout) is left out, as the harness
     * leaves out its own mappings. A VM_GROUP group (lokier) is one line.
     */
    java.util.List<String> maps(Task t) {
        k.requireAlive(t);
        Mm mm = t.mm;
        java.util.List<String> lines = new java.util.ArrayList<>();
        for (int i = 0; i < mm.mapCount; i = mm.indexAfter(VmaGroups.groupLast(mm, mm.vma(i)).vmEnd)) {
            Vma v = mm.vma(i);
            long end = VmaGroups.groupLast(mm, v).vmEnd;
            if (image(mm, v.vmStart, end)) {
                continue;
            }
            AddressSpace f = v.file;
            StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT, "%08x-%08x %s %08x %s %d ",
                    v.vmStart, end, v.perms(), f == null ? 0 : v.vmPgoff << Machine.PAGE_SHIFT,
                    f == null ? "00:00" : "00:01", f == null ? 0 : f.ino));
            String name = f != null ? f.name() : v.vmStart < mm.brk && end > mm.startBrk ? "[heap]" : null;
            if (name != null) {
                while (b.length() < 72) {
                    b.append(' ');
                }
                b.append(' ').append(name);
            }
            lines.add(b.toString());
        }
        return lines;
    }

    /** Whether [start, end) overlaps what the machine's program image mapped (Mm.imageRanges). */
    private static boolean image(Mm mm, long start, long end) {
        for (int i = 0; i < mm.imageRanges.length; i += 2) {
            if (start < mm.imageRanges[i + 1] && end > mm.imageRanges[i]) {
                return true;
            }
        }
        return false;
    }

    /** How many lines of /proc/PID/maps show a vma intersecting [addr, addr+len). */
    int vmasIn(Task t, long addr, long len) {
        k.requireAlive(t);
        Mm mm = t.mm;
        long end = addr + len;
        int n = 0;
        // One line per user-visible vma: from each, on past the last vma of its VM_GROUP group.
        for (int i = mm.indexAfter(addr); i < mm.mapCount && mm.vma(i).vmStart < end;
                i = mm.indexAfter(VmaGroups.groupLast(mm, mm.vma(i)).vmEnd)) {
            n++;
        }
        return n;
    }
}
