package org.rmaplab.workloads;

import static org.rmaplab.scenario.ScenarioText.at;
import static org.rmaplab.scenario.ScenarioText.pages;
import static org.rmaplab.workloads.ForkWorkloads.param;

import java.util.List;
import java.util.Map;

/**
 * A garbage collector compacting its heap with UFFDIO_MOVE (the remap_anon_pages of Andrea Arcangeli's
 * 2014 patch set, "Re: [PATCH 12/17] mm: sys_remap_anon_pages", linux-kernel, 6 October 2014, merged as
 * UFFDIO_MOVE in 6.8 by commit adef440691ba "userfaultfd: UFFDIO_MOVE uABI": "over 40% reduction
 * (on a Google pixel 6 device) in the compacting thread's completion time").
 * One object is one page; the cycle is {@link GcCycles}'s, every new object written. Each round (a GC cycle):
 * <ol>
 *   <li>the mutator allocates OBJECTS objects in a fresh allocation region {@code Nr} (mmap);
 *   <li>it writes (mutates) a quarter of the objects that survived the last cycle;
 *   <li>in round SNAPSHOT the process forks a child holding a snapshot of the heap (a heap dump
 *       or a BGSAVE-like child), which reads a few objects and lives SNAPSHOT_ROUNDS rounds;
 *   <li>DIE percent of the live objects die: MADV_DONTNEED of their page;
 *   <li>the collector maps a to-space {@code Tr} of exactly the live objects, registers it with
 *       its userfaultfd (UFFDIO_MOVE needs a registered destination whose ptes are empty) and moves
 *       every live object there in allocation order, compacting: runs of adjacent live pages in one
 *       {@code uffd_move} (RUN=1) or page by page (RUN=0);
 *   <li>it unmaps the from-spaces (the last to-space and {@code Nr}) and reads every object back.
 * </ol>
 * A page shared with the snapshot child (or that was, until its first write since the fork: 6.18
 * keys "exclusive" on PageAnonExclusive, which only the parent's write fault gives back) cannot be
 * moved: {@code uffd_move} returns EBUSY (mm/userfaultfd.c move_pages_pte) and the collector falls
 * back, as ART's concurrent compactor does, to UFFDIO_COPY of the object into its to-space slot
 * ({@code uffd_copy}: mfill_atomic_copy allocates a new exclusive page and copies into it; the
 * from-space page stays, still shared, until the from-space is unmapped). Every live object thus
 * ends up in the to-space; pages moved + pages copied = live objects, copies = the objects the
 * collector found not exclusive.
 */
final class GcCompact {
    private GcCompact() {}

    static Workload workload() {
        return new Workload("gc-compact",
                "a GC allocates OBJECTS pages a round, some die (dontneed), it moves the live ones into a registered "
                        + "to-space with UFFDIO_MOVE; a snapshot child makes moves EBUSY and the GC falls back to "
                        + "UFFDIO_COPY (docs/reference.md#uffd-move)",
                GcCycles.params(param("run", 1, 0, 1, "1: move runs of adjacent live pages in one call; 0: page by page")),
                p -> new Collector(p).generate());
    }

    /** One run of the workload: the mutator, the collector and the snapshot child, writing the scenario. */
    private static final class Collector extends GcCycles {
        private final boolean run;

        Collector(Map<String, Long> p) {
            super(p);
            run = p.get("run") == 1;
            t.line("# gc-compact objects=" + objects, "rounds=" + rounds, "die=" + die, "run=" + p.get("run"),
                    "snapshot=" + snapshot, "snapshot_rounds=" + snapRounds, "seed=" + p.get("seed"));
            t.raw(Workloads.machine((long) objects * rounds * 3));
        }

        /** The mutator writes every object it allocates. */
        @Override
        boolean faultNew() {
            return true;
        }

        /** A dead object's page is given back: MADV_DONTNEED. */
        @Override
        void died(Obj o) {
            t.line("t1 madvise", at(o.space, o.idx), "1p dontneed");
        }

        /**
         * Compaction of LIVE into a fresh to-space TO, registered: runs of exclusive adjacent pages
         * moved (one call per run, or per page without RUN), pages not exclusive copied after EBUSY.
         */
        @Override
        void compact(List<Obj> live, String to) {
            int n = live.size();
            if (n > 0) {
                t.line("t1 mmap 0", pages(n), "rw private|anonymous as", to);
                t.line("t1 uffd_register", to, pages(n), "expect 0");
            }
            int d = 0;
            for (int i = 0; i < n; ) {
                Obj o = live.get(i);
                if (!o.exclusive) {
                    // Not PageAnonExclusive: move_pages_pte refuses; copy it instead.
                    t.line("t1 uffd_move", at(to, d), at(o.space, o.idx), "1p expect EBUSY");
                    t.line("t1 uffd_copy", at(to, d), at(o.space, o.idx), "1p expect 4096");
                    o.exclusive = true; // the copy is a new exclusive page
                    d++;
                    i++;
                    continue;
                }
                int j = runEnd(live, i);
                t.line("t1 uffd_move", at(to, d), at(o.space, o.idx), pages(j - i), "expect", (j - i) * 4096L);
                d += j - i;
                i = j;
            }
        }

        /** The end (exclusive) of the run of LIVE starting at I: just I + 1 without RUN. */
        private int runEnd(List<Obj> live, int i) {
            Obj o = live.get(i);
            int j = i + 1;
            while (run && j < live.size() && live.get(j).exclusive && live.get(j).space.equals(o.space)
                    && live.get(j).idx == live.get(j - 1).idx + 1) {
                j++;
            }
            return j;
        }
    }
}
