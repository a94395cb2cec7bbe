package org.rmaplab.kernel;

/**
 * A task (struct task_struct): a thread of execution with a pid and an address space.
 * Threads made by {@code clone} share their {@link Mm}.
 */
public final class Task {
    final int pid;
    Mm mm;
    boolean exited;

    Task(int pid, Mm mm) {
        this.pid = pid;
        this.mm = mm;
    }

    public int pid() {
        return pid;
    }

    public Mm mm() {
        return mm;
    }

    public boolean isAlive() {
        return !exited;
    }

    @Override
    public String toString() {
        return "task " + pid;
    }
}
