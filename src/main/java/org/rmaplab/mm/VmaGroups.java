package org.rmaplab.mm;

/**
 * mm/vma.c as Jamie Lokier's proposal would have extended it (linux-kernel, March 2004; never in
 * Linux): the mremap-group flag VM_GROUP, which makes adjacent anonymous vmas that may not merge
 * (their offsets or address_spaces differ) appear as one user-visible vma. {@link VmaOps}' merge
 * code notes every boundary it tried to merge across ({@link #noteMergeAttempt}); at the end of
 * the system call {@link #regroup} sets VM_GROUP where the merge was refused and clears it where a
 * vma may no longer continue its predecessor. Does nothing unless the design groups vmas
 * ({@link DesignTraits#groupsVmas}: lokier). Kept apart from VmaOps so that mm/vma.c's own file
 * stays the size of one idea.
 */
final class VmaGroups {
    private final Machine k;
    private final RmapDesign design;

    VmaGroups(Machine k, RmapDesign design) {
        this.k = k;
        this.design = design;
    }


    /** Boundaries (mm, address) where this system call tried to merge two vmas (lokier only). */
    private Mm[] attemptMm = new Mm[8];
    private long[] attemptAddr = new long[8];
    private int attempts;

    /** A merge was tried across {@code addr}: a boundary lokier may hide if the merge is refused. */
    void noteMergeAttempt(Mm mm, long addr) {
        if (!k.traits.groupsVmas()) {
            return;
        }
        if (attempts == attemptAddr.length) {
            attemptMm = java.util.Arrays.copyOf(attemptMm, attempts * 2);
            attemptAddr = java.util.Arrays.copyOf(attemptAddr, attempts * 2);
        }
        attemptMm[attempts] = mm;
        attemptAddr[attempts++] = addr;
    }

    private boolean attempted(Mm mm, long addr) {
        for (int i = 0; i < attempts; i++) {
            if (attemptMm[i] == mm && attemptAddr[i] == addr) {
                return true;
            }
        }
        return false;
    }

    /**
     * May {@code v} continue {@code prev} in one user-visible vma? Adjacent private anonymous vmas
     * whose flags are equal but for VM_GROUP and VM_IGNORE_MERGE: what would merge but for the anon
     * rule and pgoff ("Groups always have the same flags etc.; only the vm_offset varies").
     */
    static boolean groupable(Vma prev, Vma v) {
        return prev.vmEnd == v.vmStart && prev.file == null && v.file == null
                && ((prev.vmFlags ^ v.vmFlags) & ~(Vma.VM_GROUP | Vma.VM_IGNORE_MERGE)) == 0;
    }

    /**
     * The end of a system call that may have changed the vmas of mm, for a design that groups
     * ({@link DesignTraits#groupsVmas}, lokier, docs/reference.md#lokier-offset-space step 4: "When trying to merge adjacent anon vmas
     * during ordinary mmap/munmap/mprotect/mremap operations, if they are not vm_offset-compatible
     * (or their address_spaces aren't equal) just use the mremap-group flag to make them appear
     * merged"). A vma gets VM_GROUP where this call tried a merge across its start and the merge
     * was refused although the two could be grouped; a vma loses VM_GROUP where it may no longer
     * continue its predecessor (unmapped, moved away, flags changed). Then a group has one anon
     * state, as a merged vma would (dup_anon_vma): if one piece has it, every piece is prepared.
     * Does nothing under the other designs.
     */
    void regroup(Mm mm) {
        if (!k.traits.groupsVmas()) {
            return;
        }
        for (int i = 0; i < mm.mapCount; i++) {
            Vma v = mm.vma(i);
            boolean ok = i > 0 && groupable(mm.vma(i - 1), v);
            if ((v.vmFlags & Vma.VM_GROUP) != 0) {
                if (!ok) {
                    v.vmFlags &= ~Vma.VM_GROUP;
                }
            } else if (ok && attempted(mm, v.vmStart)) {
                v.vmFlags |= Vma.VM_GROUP;
            }
        }
        java.util.Arrays.fill(attemptMm, 0, attempts, null);
        attempts = 0;
        int head = 0;
        for (int i = 1; i <= mm.mapCount; i++) {
            if (i < mm.mapCount && (mm.vma(i).vmFlags & Vma.VM_GROUP) != 0) {
                continue;
            }
            // [head, i) is one group.
            boolean any = false;
            boolean all = true;
            for (int j = head; j < i; j++) {
                boolean has = mm.vma(j).anonVma != null;
                any |= has;
                all &= has;
            }
            if (any && !all) {
                for (int j = head; j < i; j++) {
                    if (mm.vma(j).anonVma == null) {
                        design.anonVmaPrepare(mm.vma(j));
                    }
                }
            }
            head = i;
        }
    }

    /** The last vma of the user-visible vma containing v: v itself but under lokier. */
    static Vma groupLast(Mm mm, Vma v) {
        int n = mm.mapCount;
        int i = mm.indexOf(v);
        while (i + 1 < n && (mm.vma(i + 1).vmFlags & Vma.VM_GROUP) != 0 && mm.vma(i).vmEnd == mm.vma(i + 1).vmStart) {
            i++;
        }
        return mm.vma(i);
    }

    /**
     * Where the user-visible vma containing {@code v} starts: v's own start unless v continues its
     * predecessor with lokier's VM_GROUP flag (never set under the other designs).
     */
    static long groupStart(Mm mm, Vma v) {
        if ((v.vmFlags & Vma.VM_GROUP) == 0) {
            return v.vmStart;
        }
        int i = mm.indexOf(v);
        while (i > 0 && (mm.vma(i).vmFlags & Vma.VM_GROUP) != 0 && mm.vma(i - 1).vmEnd == mm.vma(i).vmStart) {
            i--;
        }
        return mm.vma(i).vmStart;
    }
}
