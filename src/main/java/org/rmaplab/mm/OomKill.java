package org.rmaplab.mm;

/**
 * mm/oom_kill.c: out_of_memory() → select_bad_process() / oom_badness() → oom_kill_process(); and
 * the allocator's slow path that leads there (__alloc_pages_slowpath() of mm/page_alloc.c: direct
 * reclaim, then __alloc_pages_may_oom()), which the model has nowhere else to keep. Linux 6.18
 * unless a method says otherwise.
 *
 * <p>Invariants kept: a victim's tasks all end at once (the whole mm goes); the mm of the running
 * system call is never torn down under it: its teardown waits until the call returns
 * ({@link Machine#quiesce}); reclaim never re-enters itself from an allocation it makes.
 *
 * <p>Lock order (for the reader): oom_lock, then the RCU walk of the tasks and each task's lock;
 * the victim's mm is torn down afterwards, under its own mmap_lock.
 */
final class OomKill {
    private final Machine k;
    private final Frames frames;

    // Counters.
    long oomEvents;
    long oomKills;

    /** Direct reclaim is running: an allocation it makes does not reclaim again. */
    private boolean inReclaim;

    OomKill(Machine k) {
        this.k = k;
        this.frames = k.frames;
    }

    /**
     * The allocator's slow path (__alloc_pages_slowpath() of mm/page_alloc.c, reduced to
     * __alloc_pages_direct_reclaim() and __alloc_pages_may_oom()): direct reclaim of
     * SWAP_CLUSTER_MAX pages, then the OOM killer. Returns true if a frame may now be free.
     */
    boolean allocSlowpath() {
        if (inReclaim) {
            return false;
        }
        inReclaim = true;
        try {
            k.vmscan.tryToFreePages(Vmscan.SWAP_CLUSTER_MAX);
            if (frames.free() > 0) {
                return true;
            }
            return outOfMemory();
        } finally {
            inReclaim = false;
        }
    }

    /**
     * out_of_memory() → select_bad_process() / oom_badness() (rss + swap entries + page tables)
     * → oom_kill_process(), which ends every task using the victim's mm. A victim in another mm is
     * torn down at once; if the victim is the mm of the running call, its tasks end now and the
     * teardown follows the call (the allocation fails).
     */
    boolean outOfMemory() {
        oomEvents++;
        Task victim = null;
        long best = -1;
        for (Task t : k.tasks) {
            Mm mm = t.mm;
            long points = mm.rss() + mm.swapents + mm.pgtables;
            if (points >= best) {
                best = points;
                victim = t;
            }
        }
        if (victim == null) {
            return false;
        }
        oomKills++;
        Mm vm = victim.mm;
        k.exit.endTasksOf(vm, null, true);
        if (vm == k.current || vm.users > 0) {
            k.pendingTeardown = vm;
            return false;
        }
        k.mmap.exitMmap(vm);
        return true;
    }

    /**
     * The end of a system call during which the OOM killer ended the tasks of its own mm: that mm
     * is torn down now (exit_mmap), as the victim's exit would once the call unwinds. Clears the
     * current mm.
     */
    void finishPendingTeardown() {
        k.current = null;
        Mm mm = k.pendingTeardown;
        if (mm != null) {
            k.pendingTeardown = null;
            if (k.mms.contains(mm) && mm.users <= 0) {
                k.mmap.exitMmap(mm);
            }
        }
    }
}
