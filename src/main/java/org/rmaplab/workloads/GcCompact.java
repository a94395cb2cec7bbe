package org.rmaplab.workloads;

import static org.rmaplab.workloads.ForkWorkloads.param;
import static org.rmaplab.scenario.ScenarioText.at;
import static org.rmaplab.scenario.ScenarioText.hex;
import static org.rmaplab.scenario.ScenarioText.pages;

import org.rmaplab.scenario.ScenarioText;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A garbage collector compacting its heap with UFFDIO_MOVE (the remap_anon_pages of Andrea Arcangeli's
 * 2014 patch set, "Re: [PATCH 12/17] mm: sys_remap_anon_pages", linux-kernel, 6 October 2014, merged as
 * UFFDIO_MOVE in 6.8 by commit adef440691ba "userfaultfd: UFFDIO_MOVE uABI": "over 40% reduction
 * (on a Google pixel 6 device) in the compacting thread's completion time").
 * One object is one page. Each round (a GC cycle):
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

    /** An object: the name of the region it is in, its page there, its value, whether its page is exclusive. */
    private static final class Obj {
        String space;
        int idx;
        long val;
        boolean exclusive = true;

        Obj(String space, int idx, long val) {
            this.space = space;
            this.idx = idx;
            this.val = val;
        }
    }

    static Workload workload() {
        return new Workload("gc-compact",
                "a GC allocates OBJECTS pages a round, some die (dontneed), it moves the live ones into a registered "
                        + "to-space with UFFDIO_MOVE; a snapshot child makes moves EBUSY and the GC falls back to "
                        + "UFFDIO_COPY (docs/reference.md#uffd-move)",
                List.of(param("objects", 32, 1, 1 << 12, "objects (pages) allocated per round"),
                        param("rounds", 4, 1, 64, "GC cycles"),
                        param("die", 50, 0, 100, "percent of live objects that die each round"),
                        param("run", 1, 0, 1, "1: move runs of adjacent live pages in one call; 0: page by page"),
                        param("snapshot", 0, 0, 64, "round in which a child forks holding a snapshot (0: none)"),
                        param("snapshot_rounds", 1, 1, 64, "rounds the snapshot child lives"),
                        param("seed", 1, 0, Integer.MAX_VALUE, "random seed")),
                p -> new Collector(p).generate());
    }

    /** One run of the workload: the mutator, the collector and the snapshot child, writing the scenario. */
    private static final class Collector {
        private final int objects;
        private final int rounds;
        private final int die;
        private final boolean run;
        private final int snapshot;
        private final int snapRounds;
        private final Random rnd;
        private final Text t = new Text();
        private long counter = 0x100;
        /** The objects that survived the last cycle, in their to-space, and that to-space (null: none). */
        private List<Obj> old = new ArrayList<>();
        private String oldSpace;
        private int oldSize;
        /** The snapshot child's view: objects as they were at the fork, where they were. */
        private final List<Obj> snap = new ArrayList<>();
        private boolean childAlive;

        Collector(java.util.Map<String, Long> p) {
            objects = (int) (long) p.get("objects");
            rounds = (int) (long) p.get("rounds");
            die = (int) (long) p.get("die");
            run = p.get("run") == 1;
            snapshot = (int) (long) p.get("snapshot");
            snapRounds = (int) (long) p.get("snapshot_rounds");
            if (snapshot > rounds) {
                throw new IllegalArgumentException("--param snapshot=" + snapshot + " is after the last round ("
                        + rounds + ")");
            }
            rnd = new Random(p.get("seed"));
            t.line("# gc-compact objects=" + objects, "rounds=" + rounds, "die=" + die, "run=" + p.get("run"),
                    "snapshot=" + snapshot, "snapshot_rounds=" + snapRounds, "seed=" + p.get("seed"));
            t.raw(Workloads.machine((long) objects * rounds * 3));
        }

        String generate() {
            for (int r = 1; r <= rounds; r++) {
                cycle(r);
            }
            t.line("check");
            return t.toString();
        }

        /** GC cycle R: allocate, mutate, maybe fork the snapshot child, let objects die, compact. */
        private void cycle(int r) {
            String nursery = "N" + r;
            List<Obj> all = new ArrayList<>(old);
            all.addAll(allocate(nursery));
            mutate();
            if (r == snapshot) {
                forkSnapshot(all);
            }
            List<Obj> live = dieOff(all);
            String to = "T" + r;
            compact(live, to);
            if (oldSpace != null) {
                t.line("t1 munmap", oldSpace, pages(oldSize));
            }
            t.line("t1 munmap", nursery, pages(objects));
            readBack(live, to);
            old = live;
            oldSpace = live.isEmpty() ? null : to;
            oldSize = live.size();
            if (childAlive) {
                snapshotReads(r);
            }
        }

        /** OBJECTS new objects in a fresh allocation region NURSERY, each written. */
        private List<Obj> allocate(String nursery) {
            t.line("t1 mmap 0", pages(objects), "rw private|anonymous as", nursery);
            List<Obj> young = new ArrayList<>();
            for (int j = 0; j < objects; j++) {
                Obj o = new Obj(nursery, j, counter++);
                t.line("t1 write", at(nursery, j), "1p", hex(o.val));
                young.add(o);
            }
            return young;
        }

        /** The mutator writes a quarter of the survivors (which makes their pages exclusive again). */
        private void mutate() {
            List<Obj> pick = new ArrayList<>(old);
            for (int k = 0, m = old.size() / 4; k < m; k++) {
                Obj o = pick.remove(rnd.nextInt(pick.size()));
                o.val = counter++;
                o.exclusive = true;
                t.line("t1 write", at(o.space, o.idx), "1p", hex(o.val));
            }
        }

        /** The snapshot child forks and reads up to four of ALL, which it remembers. */
        private void forkSnapshot(List<Obj> all) {
            t.line("t1 fork as S");
            childAlive = true;
            for (Obj o : all) {
                o.exclusive = false; // fork clears PageAnonExclusive on the parent's ptes
            }
            List<Obj> pool = new ArrayList<>(all);
            for (int k = 0; k < 4 && !pool.isEmpty(); k++) {
                Obj o = pool.remove(rnd.nextInt(pool.size()));
                Obj s = new Obj(o.space, o.idx, o.val);
                snap.add(s);
                t.line("S read", at(s.space, s.idx), "expect", hex(s.val));
            }
        }

        /** DIE percent of ALL die (MADV_DONTNEED of their page); the live ones, in order. */
        private List<Obj> dieOff(List<Obj> all) {
            List<Obj> live = new ArrayList<>();
            for (Obj o : all) {
                if (rnd.nextInt(100) < die) {
                    t.line("t1 madvise", at(o.space, o.idx), "1p dontneed");
                } else {
                    live.add(o);
                }
            }
            return live;
        }

        /**
         * Compaction of LIVE into a fresh to-space TO, registered: runs of exclusive adjacent pages
         * moved (one call per run, or per page without RUN), pages not exclusive copied after EBUSY.
         */
        private void compact(List<Obj> live, String to) {
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

        /** LIVE now sit at their places in TO: each is read back there. */
        private void readBack(List<Obj> live, String to) {
            for (int i = 0; i < live.size(); i++) {
                Obj o = live.get(i);
                o.space = to;
                o.idx = i;
                t.line("t1 read", at(to, i), "expect", hex(o.val));
            }
        }

        /** The snapshot child reads what it saw at the fork, and exits after its last round R. */
        private void snapshotReads(int r) {
            for (Obj s : snap) {
                t.line("S read", at(s.space, s.idx), "expect", hex(s.val));
            }
            if (r == snapshot + snapRounds - 1) {
                t.line("S exit");
                childAlive = false;
            }
        }
    }
}
