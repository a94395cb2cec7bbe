package org.rmaplab.mm;

/**
 * A task (struct task_struct): a thread of execution with a pid and an address space.
 * Threads made by {@code clone} share their {@link Mm}.
 */
public final class Task {
    final int pid;
    Mm mm;
    boolean exited;
    /** Ended by the OOM killer. */
    boolean oomKilled;

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

    /** True if the OOM killer ended this task. */
    public boolean oomKilled() {
        return oomKilled;
    }

    @Override
    public String toString() {
        return "task " + pid;
    }
}
