package org.rmaplab.mm;

/**
 * kernel/exit.c, the mm part of exit(2): do_exit() → exit_mm() → mmput(); and the ending of
 * every task of an mm but one, which exec's de_thread() (zap_other_threads, kernel/signal.c) and
 * oom_kill_process() (mm/oom_kill.c) share in the model. Linux 6.18 unless a method says otherwise.
 *
 * <p>Invariants kept: an exited task is on no list and marked exited; mm_users counts the live
 * tasks using an mm.
 *
 * <p>Lock order (for the reader): the task lock, then (in exit_mmap, through mmput) the mm's
 * mmap_lock.
 */
final class Exit {
    private final Machine k;

    /** Counter: exits. */
    long exits;

    Exit(Machine k) {
        this.k = k;
    }

    /** do_exit() → exit_mm() → mmput(): the task goes; its mm with its last user. */
    long exit(Task t) {
        k.requireAlive(t);
        t.exited = true;
        k.tasks.remove(t);
        Mm mm = t.mm;
        k.fork.mmput(mm);
        exits++;
        return 0;
    }

    /**
     * Ends every task using mm but {@code except}, without tearing the mm down: exec's
     * de_thread() and oom_kill_process() (which also marks them OOM-killed).
     */
    void endTasksOf(Mm mm, Task except, boolean oom) {
        for (int i = k.tasks.size() - 1; i >= 0; i--) {
            Task o = k.tasks.get(i);
            if (o != except && o.mm == mm) {
                o.exited = true;
                o.oomKilled = oom;
                k.tasks.remove(i);
                mm.users--;
            }
        }
    }
}
