package org.rmaplab.workloads;

import static org.rmaplab.scenario.ScenarioText.at;
import static org.rmaplab.scenario.ScenarioText.hex;
import static org.rmaplab.scenario.ScenarioText.pages;
import static org.rmaplab.workloads.ForkWorkloads.param;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The collector skeleton the two moving-GC workloads share ({@link GcCompact}: UFFDIO_MOVE;
 * {@link ZgcRemap}: one mremap per object). One object is one page. Each round (a GC cycle):
 * <ol>
 *   <li>the mutator allocates OBJECTS objects in a fresh allocation region {@code Nr} (mmap),
 *       writing those {@link #faultNew} says (the others stay unfaulted and read 0);
 *   <li>it writes (mutates) a quarter of the objects that survived the last cycle, picked
 *       without repetition (which makes their pages exclusive again);
 *   <li>in round SNAPSHOT the process forks a child holding a snapshot of the heap (a heap dump
 *       or a BGSAVE-like child), which reads up to four objects and then reads them again at the
 *       end of every round it lives (SNAPSHOT_ROUNDS), exiting after the last;
 *   <li>DIE percent of the objects die ({@link #died}: what the collector does with a dead
 *       object's page);
 *   <li>the collector moves every live object, in allocation order, into a fresh to-space
 *       {@code Tr} of exactly the live objects ({@link #compact});
 *   <li>it unmaps the from-spaces (the last to-space and {@code Nr}) and reads every object back.
 * </ol>
 * A subclass writes its header comment and {@code machine} line in its constructor and chooses
 * the three steps above; the random draws are made in the order above, so a subclass that draws
 * nothing in {@link #faultNew} and {@link #died} (gc-compact) gets the same scenario for a seed.
 */
abstract class GcCycles {
    /** An object: the name of the region it is in, its page there, its value (0: never written), whether its page is exclusive. */
    static final class Obj {
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

    final int objects;
    final int rounds;
    final int die;
    final int snapshot;
    final int snapRounds;
    final Random rnd;
    final Text t = new Text();
    private long counter = 0x100;
    /** The objects that survived the last cycle, in their to-space, and that to-space (null: none). */
    private List<Obj> old = new ArrayList<>();
    private String oldSpace;
    private int oldSize;
    /** The snapshot child's view: objects as they were at the fork, where they were. */
    private final List<Obj> snap = new ArrayList<>();
    private boolean childAlive;

    /**
     * The shared parameters, in order: objects, rounds, die, then EXTRA (the subclass's own),
     * then snapshot, snapshot_rounds, seed.
     */
    static List<Workload.Param> params(Workload.Param... extra) {
        List<Workload.Param> l = new ArrayList<>();
        l.add(param("objects", 32, 1, 1 << 12, "objects (pages) allocated per round"));
        l.add(param("rounds", 4, 1, 64, "GC cycles"));
        l.add(param("die", 50, 0, 100, "percent of live objects that die each round"));
        l.addAll(List.of(extra));
        l.add(param("snapshot", 0, 0, 64, "round in which a child forks holding a snapshot (0: none)"));
        l.add(param("snapshot_rounds", 1, 1, 64, "rounds the snapshot child lives"));
        l.add(param("seed", 1, 0, Integer.MAX_VALUE, "random seed"));
        return l;
    }

    GcCycles(Map<String, Long> p) {
        objects = (int) (long) p.get("objects");
        rounds = (int) (long) p.get("rounds");
        die = (int) (long) p.get("die");
        snapshot = (int) (long) p.get("snapshot");
        snapRounds = (int) (long) p.get("snapshot_rounds");
        if (snapshot > rounds) {
            throw new IllegalArgumentException("--param snapshot=" + snapshot + " is after the last round ("
                    + rounds + ")");
        }
        rnd = new Random(p.get("seed"));
    }

    /** Is a new object written when allocated (faulted in)? */
    abstract boolean faultNew();

    /** Object O died this round: what the collector does with its page, if anything. */
    abstract void died(Obj o);

    /** Moves LIVE (in allocation order) into a fresh to-space named TO, of exactly LIVE's size. */
    abstract void compact(List<Obj> live, String to);

    final String generate() {
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

    /** OBJECTS new objects in a fresh allocation region NURSERY, those {@link #faultNew} picks written. */
    private List<Obj> allocate(String nursery) {
        t.line("t1 mmap 0", pages(objects), "rw private|anonymous as", nursery);
        List<Obj> young = new ArrayList<>();
        for (int j = 0; j < objects; j++) {
            Obj o = new Obj(nursery, j, 0);
            if (faultNew()) {
                o.val = counter++;
                t.line("t1 write", at(nursery, j), "1p", hex(o.val));
            }
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

    /** DIE percent of ALL die ({@link #died}); the live ones, in order. */
    private List<Obj> dieOff(List<Obj> all) {
        List<Obj> live = new ArrayList<>();
        for (Obj o : all) {
            if (rnd.nextInt(100) < die) {
                died(o);
            } else {
                live.add(o);
            }
        }
        return live;
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
