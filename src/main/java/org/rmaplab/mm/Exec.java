package org.rmaplab.mm;

/**
 * fs/exec.c, the mm part of execve(2): de_thread() ends the other threads of the task's thread
 * group, exec_mmap() gives the task a fresh address space (mm_alloc()) and drops the old one
 * (mmput()); then the machine's program image, if any, is mapped. The first task of a machine
 * gets its address space the same way. Linux 6.18 unless a method says otherwise.
 *
 * <p>Invariants kept: after exec the task is the only user of a new, empty mm (but for the image);
 * the old mm is torn down when its last user is gone.
 *
 * <p>Lock order (for the reader): exec_mmap() takes the new mm's mmap_lock, then the task lock;
 * the old mm's teardown (exit_mmap) takes its own locks after they are dropped.
 */
final class Exec {
    private final Machine k;
    private final RmapDesign design;

    /** Counter: successful execs. */
    long execs;

    Exec(Machine k) {
        this.k = k;
        this.design = k.design;
    }

    /**
     * The first task of a machine, as if it had just exec'd: a fresh mm (mm_alloc) and the
     * program image, if any. Out of frames for its page directory, the machine cannot start.
     */
    Task initTask() {
        if (k.init != null) {
            return k.init;
        }
        Mm mm = k.fork.mmAlloc();
        if (mm == null) {
            throw new Machine.ModelOutOfMemory("no frame for the first task's page directory: raise `machine ram=`");
        }
        design.mmInit(mm);
        k.init = new Task(k.nextPid++, mm);
        k.tasks.add(k.init);
        if (k.image != null) {
            k.image.accept(k.init);
            imageMapped(mm);
        }
        return k.init;
    }

    /**
     * execve(): de_thread() ends every other thread of the task's thread group (the tasks made by
     * clone that share its mm), then exec_mmap() gives it a fresh address space.
     */
    long exec(Task t) {
        k.requireAlive(t);
        Mm old = t.mm;
        k.exit.endTasksOf(old, t, false);
        Mm mm = k.fork.mmAlloc();
        if (mm == null) {
            return -Errno.ENOMEM;
        }
        design.mmInit(mm);
        t.mm = mm;
        k.fork.mmput(old);
        if (k.image != null) {
            k.image.accept(t);
            imageMapped(mm);
        }
        execs++;
        return 0;
    }

    /** Records what the image mapped in MM, for ProcMaps.maps to leave out. */
    private static void imageMapped(Mm mm) {
        mm.imageRanges = new long[2 * mm.mapCount];
        for (int i = 0; i < mm.mapCount; i++) {
            mm.imageRanges[2 * i] = mm.vma(i).vmStart;
            mm.imageRanges[2 * i + 1] = mm.vma(i).vmEnd;
        }
    }
}
