package org.rmaplab.mm;

/**
 * kernel/fork.c, the mm part: mm_alloc() and mmput(), copy_process() → copy_mm() → dup_mm() →
 * dup_mmap() for fork(2), and CLONE_VM for clone(2). Linux 6.18 unless a method says otherwise.
 *
 * <p>Invariants kept: a child's mm holds a copy of every vma of its parent but VM_DONTCOPY ones,
 * without VM_LOCKED and without the userfaultfd registration, each linked just after its parent's
 * vma in the file's i_mmap; every pte copied shares its page COW (both ptes read-only, mapcount
 * and refcount raised) and the design hears of it (vmaFork, pageDupRmap). A fork that runs out of
 * memory leaves nothing behind: the half-built child is torn down by exit_mmap(). mm_users counts
 * the tasks using an mm; the last mmput() tears it down.
 *
 * <p>Lock order (for the reader: the model is single-threaded), as dup_mmap(): the parent's
 * mmap_lock, then the child's (nested), then the file's i_mmap_rwsem (linking the copy), the
 * anon_vma root's rwsem (anon_vma_fork), then copy_pte_range()'s pte locks, the child's before the
 * parent's (nested).
 */
final class Fork {
    private final Machine k;
    private final Frames frames;
    private final RmapDesign design;

    /** Counter: successful forks. */
    long forks;

    Fork(Machine k) {
        this.k = k;
        this.frames = k.frames;
        this.design = k.design;
    }

    /** mm_alloc() + pgd_alloc(); null when no frame can be had for the page directory. */
    Mm mmAlloc() {
        Mm mm = new Mm(k.nextMmId++, k.footprint);
        int pgd = frames.allocTable(mm, 0);
        if (pgd < 0) {
            return null;
        }
        mm.pgd = pgd;
        mm.pgtables = 1;
        mm.mmapBase = Machine.MMAP_BASE;
        mm.startBrk = Machine.START_BRK;
        mm.brk = Machine.START_BRK;
        mm.users = 1;
        k.mms.add(mm);
        k.footprint.grew();
        return mm;
    }

    /**
     * fork(2): copy_process() → copy_mm() → dup_mm(): a new mm with the parent's brk and
     * mmap_base, then dup_mmap(). Out of memory, the half-built child is torn down and fork fails
     * (null: ENOMEM).
     */
    Task fork(Task parent) {
        k.requireAlive(parent);
        Mm old = parent.mm;
        Mm mm = mmAlloc();
        if (mm == null) {
            return null;
        }
        mm.brk = old.brk;
        mm.startBrk = old.startBrk;
        mm.mmapBase = old.mmapBase;
        mm.imageRanges = old.imageRanges;
        design.mmFork(old, mm);
        boolean failed = !dupMmap(mm, old);
        if (failed || parent.exited) {
            k.mmap.exitMmap(mm);
            return null;
        }
        Task child = new Task(k.nextPid++, mm);
        k.tasks.add(child);
        forks++;
        return child;
    }

    /**
     * dup_mmap(): copies every vma of oldmm but DONTCOPY ones into mm and shares the pages COW
     * (copy_page_range). False when out of memory (the caller tears mm down).
     */
    boolean dupMmap(Mm mm, Mm oldmm) {
        for (int i = 0; i < oldmm.mapCount; i++) {
            Vma mpnt = oldmm.vma(i);
            if ((mpnt.vmFlags & Vma.VM_DONTCOPY) != 0) {
                continue;
            }
            Vma tmp = mpnt.dup(mm);
            tmp.anonVma = null;
            if (design.vmaFork(mpnt, tmp) != 0) {
                return false;
            }
            // The child does not inherit mlock (vm_flags_clear(tmp, VM_LOCKED_MASK)).
            tmp.vmFlags &= ~Vma.VM_LOCKED_MASK;
            // dup_userfaultfd(): without UFFD_FEATURE_EVENT_FORK the child's vma is not
            // registered (userfaultfd_reset_ctx).
            tmp.vmFlags &= ~Vma.VM_UFFD_MISSING;
            k.vmaOps.link(tmp, mpnt);
            if (!k.memory.copyPageRange(tmp, mpnt)) {
                return false;
            }
        }
        return true;
    }

    /** clone(2) with CLONE_VM: copy_mm() shares the parent's mm (mmget, mm_users + 1). */
    Task clone(Task parent) {
        k.requireAlive(parent);
        parent.mm.users++;
        Task t = new Task(k.nextPid++, parent.mm);
        k.tasks.add(t);
        return t;
    }

    /** mmput(): the last user's exit_mmap tears the address space down. */
    void mmput(Mm mm) {
        if (--mm.users > 0) {
            return;
        }
        k.mmap.exitMmap(mm);
    }
}
