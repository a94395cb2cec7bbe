package org.rmaplab.workloads;

import static org.rmaplab.scenario.ScenarioText.at;
import static org.rmaplab.scenario.ScenarioText.hex;
import static org.rmaplab.scenario.ScenarioText.pages;
import static org.rmaplab.workloads.ForkWorkloads.param;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A ZGC-like collector relocating objects with mremap: the prototype Lorenzo Stoakes cites as the
 * motive of MREMAP_RELOCATE_ANON (cover letter of "mm/mremap: introduce more mergeable mremap via
 * MREMAP_RELOCATE_ANON", 2025) and the case Jakub Matěna's 2022 series would have merged (docs/
 * reference.md#matena, #relocate-anon). One object is one page. Each round (a GC cycle):
 * <ol>
 *   <li>the mutator allocates OBJECTS objects in a fresh region {@code Nr} (mmap), writing FAULTED
 *       percent of them (the others stay unfaulted, read as 0);
 *   <li>it writes a quarter of the survivors of the last cycle;
 *   <li>in round SNAPSHOT the process forks a child holding a snapshot (it reads four objects,
 *       lives SNAPSHOT_ROUNDS rounds, reads them again, exits);
 *   <li>DIE percent of the objects die (nothing is done: their pages go with their region);
 *   <li>the collector reserves a to-space {@code Tr} of exactly the live objects (PROT_NONE) and
 *       moves each live object there with its own {@code mremap(MAYMOVE|FIXED)} of one page, in
 *       allocation order — many small moves, each splitting its source vma;
 *   <li>it unmaps the from-spaces (the last to-space and {@code Nr}) and reads every object back.
 * </ol>
 * Under today's rules a moved faulted page keeps its pgoff, so the to-space holds a vma per run of
 * objects that were adjacent when faulted (fewer for unfaulted pages, whose pgoff follows them);
 * under anon_vma_chain:matena unshared pages take the pgoff of their place and runs merge. The
 * compare columns vmas_peak, vma_merges and the vma_merge_fail_* counters show the difference.
 */
final class ZgcRemap {
    private ZgcRemap() {}

    /** An object: the region it is in, its page there, its value (0: never written). */
    private static final class Obj {
        String space;
        int idx;
        long val;

        Obj(String space, int idx, long val) {
            this.space = space;
            this.idx = idx;
            this.val = val;
        }
    }

    static Workload workload() {
        return new Workload("zgc-remap",
                "a ZGC-like collector moves each live object (page) into a to-space with its own mremap; some "
                        + "objects never faulted, a snapshot child now and then (docs/reference.md#matena)",
                List.of(param("objects", 32, 1, 1 << 12, "objects (pages) allocated per round"),
                        param("rounds", 4, 1, 64, "GC cycles"),
                        param("die", 50, 0, 100, "percent of objects that die each round"),
                        param("faulted", 75, 0, 100, "percent of new objects written (the others stay unfaulted)"),
                        param("snapshot", 0, 0, 64, "round in which a child forks holding a snapshot (0: none)"),
                        param("snapshot_rounds", 1, 1, 64, "rounds the snapshot child lives"),
                        param("seed", 1, 0, Integer.MAX_VALUE, "random seed")),
                p -> new Collector(p).generate());
    }

    /** One run of the workload, writing the scenario. */
    private static final class Collector {
        private final int objects;
        private final int rounds;
        private final int die;
        private final int faulted;
        private final int snapshot;
        private final int snapRounds;
        private final Random rnd;
        private final Text t = new Text();
        private long counter = 0x100;
        private List<Obj> old = new ArrayList<>();
        private String oldSpace;
        private int oldSize;
        private final List<Obj> snap = new ArrayList<>();
        private boolean childAlive;

        Collector(java.util.Map<String, Long> p) {
            objects = (int) (long) p.get("objects");
            rounds = (int) (long) p.get("rounds");
            die = (int) (long) p.get("die");
            faulted = (int) (long) p.get("faulted");
            snapshot = (int) (long) p.get("snapshot");
            snapRounds = (int) (long) p.get("snapshot_rounds");
            if (snapshot > rounds) {
                throw new IllegalArgumentException("--param snapshot=" + snapshot + " is after the last round ("
                        + rounds + ")");
            }
            rnd = new Random(p.get("seed"));
            t.line("# zgc-remap objects=" + objects, "rounds=" + rounds, "die=" + die, "faulted=" + faulted,
                    "snapshot=" + snapshot, "snapshot_rounds=" + snapRounds, "seed=" + p.get("seed"));
            long pages = (long) objects * rounds * 3;
            t.raw(Workloads.machine(pages, 2, 2L * objects + 8, pages));
        }

        String generate() {
            for (int r = 1; r <= rounds; r++) {
                cycle(r);
            }
            t.line("check");
            return t.toString();
        }

        private void cycle(int r) {
            String nursery = "N" + r;
            List<Obj> all = new ArrayList<>(old);
            t.line("t1 mmap 0", pages(objects), "rw private|anonymous as", nursery);
            for (int j = 0; j < objects; j++) {
                Obj o = new Obj(nursery, j, 0);
                if (rnd.nextInt(100) < faulted) {
                    o.val = counter++;
                    t.line("t1 write", at(nursery, j), "1p", hex(o.val));
                }
                all.add(o);
            }
            for (int k = 0, m = old.size() / 4; k < m; k++) {
                Obj o = old.get(rnd.nextInt(old.size()));
                o.val = counter++;
                t.line("t1 write", at(o.space, o.idx), "1p", hex(o.val));
            }
            if (r == snapshot) {
                t.line("t1 fork as S");
                childAlive = true;
                for (int k = 0; k < 4 && k < all.size(); k++) {
                    Obj o = all.get(rnd.nextInt(all.size()));
                    Obj s = new Obj(o.space, o.idx, o.val);
                    snap.add(s);
                    t.line("S read", at(s.space, s.idx), "expect", hex(s.val));
                }
            }
            List<Obj> live = new ArrayList<>();
            for (Obj o : all) {
                if (rnd.nextInt(100) >= die) {
                    live.add(o);
                }
            }
            String to = "T" + r;
            if (!live.isEmpty()) {
                t.line("t1 mmap 0", pages(live.size()), "none private|anonymous as", to);
                for (int i = 0; i < live.size(); i++) {
                    Obj o = live.get(i);
                    t.line("t1 mremap", at(o.space, o.idx), "1p 1p maymove|fixed", at(to, i), "expect", at(to, i));
                }
            }
            if (oldSpace != null) {
                t.line("t1 munmap", oldSpace, pages(oldSize));
            }
            t.line("t1 munmap", nursery, pages(objects));
            for (int i = 0; i < live.size(); i++) {
                Obj o = live.get(i);
                o.space = to;
                o.idx = i;
                t.line("t1 read", at(to, i), "expect", hex(o.val));
            }
            old = live;
            oldSpace = live.isEmpty() ? null : to;
            oldSize = live.size();
            if (childAlive && r == snapshot + snapRounds - 1) {
                for (Obj s : snap) {
                    t.line("S read", at(s.space, s.idx), "expect", hex(s.val));
                }
                t.line("S exit");
                childAlive = false;
            }
        }
    }
}
