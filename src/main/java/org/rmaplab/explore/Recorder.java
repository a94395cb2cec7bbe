package org.rmaplab.explore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapStats;
import org.rmaplab.mm.RmapStructure;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.scenario.Statement;

/**
 * Records a scenario for the explorer: runs it under each design on the same path as
 * {@code rmaplab run} (a {@link Machine} behind the oracle, driven by {@link ScenarioRunner}) and,
 * after each line, records what changed — the line's result, each task's /proc/PID/maps lines
 * when they changed, the frames whose refcount, mapcount, flags, mapping or index changed, the
 * design's counters that moved — and, for every page the line touched (every mapped page when a
 * line changed some task's vmas: a split or a move changes which vmas a walk visits), the design's
 * reverse walk of that page replayed and its structures ({@link RmapStructure}), kept only when it
 * differs from the page's last recorded walk.
 *
 * <p>Steps are deltas: the page rebuilds the state of step N by applying steps 0..N.
 *
 * <p>The replayed walk is the oracle's: the design's {@link RmapDesign#rmapWalk}, with the walk
 * counters paused ({@link RmapStats#pauseWalkCounting}), so recording changes no number that
 * {@code run} or {@code compare} prints; it stops once mapcount ptes were found, as
 * page_referenced()'s walk does. Unlike the oracle's, it finds no pte of a nonlinear vma
 * ({@code machine remap=nonlinear}) but through the design's own walk (pte_chains' chain):
 * page_referenced_file() of 2.6.7 to 3.19 walks the prio_tree / interval tree only, never
 * i_mmap_nonlinear, so such ptes are neither visited nor found, and the walk goes over every vma
 * of the tree; the cluster scan's ptes only name the page. Beside it, try_to_unmap()'s walk of
 * the page, which reclaim runs next, replayed unmapping nothing ({@link Machine#tryToUnmapDryRun}):
 * it stops at the first pte of a VM_LOCKED vma (SWAP_FAIL) or once every pte would be unmapped.
 */
public final class Recorder {
    private final CheckPolicy policy;
    private final UnaryOperator<Syscalls> layout;

    public Recorder(CheckPolicy policy) {
        this(policy, UnaryOperator.identity());
    }

    /**
     * A recorder whose every machine goes through LAYOUT before its first line (explore --kernel:
     * the harness's layout, so that the model runs as {@code rmaplab diff} runs it).
     */
    public Recorder(CheckPolicy policy, UnaryOperator<Syscalls> layout) {
        this.policy = policy;
        this.layout = layout;
    }

    /** One design's run: a list of steps, one per statement run, and the run's verdict. */
    public static final class DesignRun {
        public final String design;
        public final List<Step> steps = new ArrayList<>();
        public RunResult result;
        /** The walks its steps name (shared by the runs of one {@link #record(Scenario, List)}). */
        public final WalkTable table;

        DesignRun(String design, WalkTable table) {
            this.design = design;
            this.table = table;
        }
    }

    /** What one line did under one design (deltas against the step before). */
    public static final class Step {
        public int line;
        public String result;
        public String failure;
        /** pid → the task's /proc/PID/maps lines, for tasks whose lines changed (null: the task is gone). */
        public final Map<Integer, List<String>> maps = new TreeMap<>();
        /** pfn → the frame's state, for frames that changed (null: freed). */
        public final Map<Integer, FrameState> frames = new TreeMap<>();
        /** Counter → what this line added to it (only those that moved). */
        public final Map<String, Long> counters = new LinkedHashMap<>();
        /**
         * The replayed walks of the pages this line touched that are mapped, as pairs (pfn, walk id
         * in {@link #table}), by pfn; {@link #walkCount} pairs.
         */
        int[] walks = NO_WALKS;
        private int walkCount;
        private final WalkTable table;

        Step(WalkTable table) {
            this.table = table;
        }

        void addWalk(int pfn, int id) {
            if (2 * walkCount == walks.length) {
                walks = java.util.Arrays.copyOf(walks, Math.max(8, 2 * walks.length));
            }
            walks[2 * walkCount] = pfn;
            walks[2 * walkCount + 1] = id;
            walkCount++;
        }

        /** How many walks this line recorded. */
        public int walkCount() {
            return walkCount;
        }

        /** pfn → the replayed walk (decoded from the table), for the pages this line touched that are mapped. */
        public Map<Integer, Walk> walks() {
            Map<Integer, Walk> m = new TreeMap<>();
            for (int i = 0; i < walkCount; i++) {
                m.put(walks[2 * i], table.walk(walks[2 * i + 1]));
            }
            return m;
        }

        /** The ids of the walks, in pfn order. */
        int walkId(int i) {
            return walks[2 * i + 1];
        }

        int walkPfn(int i) {
            return walks[2 * i];
        }
    }

    private static final int[] NO_WALKS = new int[0];

    /** A frame as the frame table shows it. */
    public record FrameState(int refcount, int mapcount, String kind, String flags, int swapSlot, String lru) {}

    /** One event of a replayed walk, in order: a vma (or mm) visited, a pte checked, a pte found. */
    public record WalkEvent(String what, String label) {}

    /**
     * A replayed walk: its events, what it cost, where it stopped, and the design's structures;
     * for page_referenced's walk, {@link #unmap} is try_to_unmap's walk of the same page.
     */
    public static final class Walk {
        public final List<WalkEvent> events = new ArrayList<>();
        public long vmasVisited;
        public long ptesChecked;
        public int found;
        public int mapcount;
        /** Where the walk stopped, {@link #WALKED_ALL}, {@link #MAPCOUNT_REACHED} or {@link #SWAP_FAIL}. */
        public int stopCode;
        public String stop;
        /** The page's pte of the lowest pid at the lowest address (pid@address, hex): its name across designs; "" when none found. */
        public String key = "";
        public RmapStructure.Node structure;
        /** try_to_unmap()'s walk of the page, replayed unmapping nothing (its key and structure unset). */
        public Walk unmap;
    }

    /** The walk went through everything the design keeps for the page and found fewer than mapcount ptes. */
    public static final int WALKED_ALL = 0;
    /** The walk stopped once mapcount ptes were found (page_referenced's {@code if (!mapcount) break}). */
    public static final int MAPCOUNT_REACHED = 1;
    /** try_to_unmap's walk stopped at a VM_LOCKED vma's pte: try_to_unmap_one's SWAP_FAIL. */
    public static final int SWAP_FAIL = 2;
    /**
     * page_referenced's walk ended at a VM_LOCKED vma: the object-based era's locked shared vma of
     * a file page (page_referenced_file: one reference, before its pte), today's pte of a
     * VM_LOCKED vma (folio_referenced_one hands VM_LOCKED back and breaks the loop).
     */
    public static final int LOCKED_VMA = 3;

    /** What the page says of STOPCODE for a walk that found FOUND of MAPCOUNT ptes (explorer.js says the same). */
    static String stopText(int stopCode, int found, int mapcount) {
        return switch (stopCode) {
            case MAPCOUNT_REACHED -> "stopped: mapcount reached (" + mapcount + " ptes found)";
            case SWAP_FAIL -> "stopped: VM_LOCKED vma (SWAP_FAIL)";
            case LOCKED_VMA -> "stopped: VM_LOCKED vma (page_referenced's early break)";
            default -> "walked all: found " + found + " of " + mapcount + " ptes";
        };
    }

    /** Runs SCENARIO under each of DESIGNS, recording every line (the walks in one table). */
    public List<DesignRun> record(Scenario scenario, List<String> designs) {
        List<DesignRun> runs = new ArrayList<>();
        WalkTable table = new WalkTable();
        for (String d : designs) {
            runs.add(record(scenario, d, table));
        }
        return runs;
    }

    /** Runs SCENARIO under DESIGN, recording every line. */
    public DesignRun record(Scenario scenario, String design) {
        return record(scenario, design, new WalkTable());
    }

    private DesignRun record(Scenario scenario, String design, WalkTable table) {
        DesignRun run = new DesignRun(design, table);
        Machine[] k = new Machine[1];
        Snapshot[] snap = new Snapshot[1];
        ScenarioRunner runner = new ScenarioRunner((d, m) -> {
            k[0] = new Machine(m, RmapDesigns.create(d));
            snap[0] = new Snapshot(k[0], table);
            return layout.apply(new CheckedSyscalls(k[0], policy));
        });
        run.result = runner.run(scenario, design, (s, result, failure) ->
                run.steps.add(snap[0].step(s, result, failure)));
        return run;
    }

    /** The state recorded so far, against which the next line's deltas are taken. */
    private static final class Snapshot {
        final Machine k;
        final Frames f;
        final RmapDesign design;
        int[] refcount;
        int[] mapcount;
        int[] flags;
        Object[] mapping;
        long[] index;
        final Map<Integer, List<String>> maps = new HashMap<>();
        /**
         * pid → a hash of its vmas' flags: mlock sets VM_LOCKED with no maps line changing (the
         * perms column does not show it) and changes where try_to_unmap's walk stops.
         */
        final Map<Integer, Long> vmFlags = new HashMap<>();
        final Map<String, Long> counters = new HashMap<>();
        final WalkTable table;
        /** pfn → the id of the page's last recorded walk, -1 for a page not mapped. */
        final int[] lastWalk;
        /** The machine's count of ptes and pages moved (mremap, UFFDIO_MOVE) when last recorded. */
        long moves;

        Snapshot(Machine k, WalkTable table) {
            this.k = k;
            this.table = table;
            this.f = k.frames();
            this.design = k.design();
            int n = f.nrFrames();
            refcount = new int[n];
            mapcount = new int[n];
            flags = new int[n];
            mapping = new Object[n];
            index = new long[n];
            lastWalk = new int[n];
            java.util.Arrays.fill(lastWalk, -1);
            for (int pfn = 0; pfn < n; pfn++) {
                remember(pfn);
            }
            counters.putAll(design.stats().asMap());
            moves = moves();
        }

        /**
         * Ptes and pages moved so far: a move can change a page's walk with neither its frame nor
         * any maps line changing (UFFDIO_MOVE under pte_chains rewrites a chain entry only), so a
         * line that moved something records the walks again.
         */
        long moves() {
            Map<String, Long> c = k.counters();
            return c.get("mremap_ptes_moved") + c.get("mremap_pmd_moves") + c.get("mremap_pud_moves")
                    + c.get("uffd_pages_moved") + c.get("uffd_ptes_rewritten");
        }

        void remember(int pfn) {
            refcount[pfn] = f.refcount[pfn];
            mapcount[pfn] = f.mapcount[pfn];
            flags[pfn] = f.flags[pfn];
            mapping[pfn] = f.mapping[pfn];
            index[pfn] = f.index[pfn];
        }

        boolean changed(int pfn) {
            return refcount[pfn] != f.refcount[pfn] || mapcount[pfn] != f.mapcount[pfn] || flags[pfn] != f.flags[pfn]
                    || mapping[pfn] != f.mapping[pfn] || index[pfn] != f.index[pfn];
        }

        Step step(Statement s, String result, String failure) {
            Step st = new Step(table);
            st.line = s.line();
            st.result = result;
            st.failure = failure;
            boolean layoutChanged = recordMaps(st);
            long movedNow = moves();
            layoutChanged |= movedNow != moves;
            moves = movedNow;
            for (int pfn = 1; pfn < f.nrFrames(); pfn++) {
                boolean ch = changed(pfn);
                if (ch) {
                    st.frames.put(pfn, f.isFree(pfn) ? null : frameState(pfn));
                    remember(pfn);
                }
                if (f.mapcount[pfn] == 0 || f.isTable(pfn)) {
                    lastWalk[pfn] = -1; // the page forgets its walk (as the page does)
                } else if (ch || layoutChanged) {
                    int id = table.intern(walk(pfn)); // the same id for the same walk
                    if (id != lastWalk[pfn]) {
                        st.addWalk(pfn, id); // recorded only when it differs from the page's last one
                        lastWalk[pfn] = id;
                    }
                }
            }
            for (Map.Entry<String, Long> e : design.stats().asMap().entrySet()) {
                long before = counters.getOrDefault(e.getKey(), 0L);
                if (e.getValue() != before) {
                    st.counters.put(e.getKey(), e.getValue() - before);
                    counters.put(e.getKey(), e.getValue());
                }
            }
            return st;
        }

        /** Records the maps of tasks whose lines changed; true if any did. */
        boolean recordMaps(Step st) {
            Map<Integer, List<String>> now = new HashMap<>();
            for (Task t : k.tasks()) {
                if (t.isAlive() && t.mm() != null) {
                    now.put(t.pid(), mapsLines(t.mm()));
                }
            }
            boolean changed = false;
            for (Task t : k.tasks()) {
                if (t.isAlive() && t.mm() != null) {
                    long h = flagsHash(t.mm());
                    Long before = vmFlags.put(t.pid(), h);
                    changed |= before == null || before != h;
                }
            }
            for (Map.Entry<Integer, List<String>> e : now.entrySet()) {
                if (!e.getValue().equals(maps.get(e.getKey()))) {
                    st.maps.put(e.getKey(), e.getValue());
                    changed = true;
                }
            }
            for (Integer pid : maps.keySet()) {
                if (!now.containsKey(pid)) {
                    st.maps.put(pid, null);
                    changed = true;
                }
            }
            maps.clear();
            maps.putAll(now);
            vmFlags.keySet().retainAll(now.keySet());
            return changed;
        }

        private static long flagsHash(Mm mm) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < mm.mapCount(); i++) {
                h = (h ^ mm.vma(i).flags()) * 0x100000001b3L;
            }
            return h;
        }

        FrameState frameState(int pfn) {
            int fl = f.flags[pfn];
            String kind = f.isTable(pfn) ? "table" : (fl & Frames.PG_ANON) != 0 ? "anon"
                    : f.mapping[pfn] != null ? "file" : "other";
            StringBuilder b = new StringBuilder();
            flag(b, fl, Frames.PG_ANON_EXCLUSIVE, "exclusive");
            flag(b, fl, Frames.PG_MLOCKED, "mlocked");
            flag(b, fl, Frames.PG_DIRTY, "dirty");
            flag(b, fl, Frames.PG_SWAPBACKED, "swapbacked");
            flag(b, fl, Frames.PG_SWAPCACHE, "swapcache");
            flag(b, fl, Frames.PG_REFERENCED, "referenced");
            if ((fl >>> Frames.PG_DESIGN_SHIFT) != 0) {
                b.append(b.length() > 0 ? " " : "").append("design:").append(Integer.toHexString(fl >>> Frames.PG_DESIGN_SHIFT));
            }
            String lru = (fl & Frames.PG_LRU) == 0 ? "-" : (fl & Frames.PG_ACTIVE) != 0 ? "active" : "inactive";
            int slot = (fl & Frames.PG_SWAPCACHE) != 0 ? f.swapSlot(pfn) : 0;
            return new FrameState(f.refcount[pfn], f.mapcount[pfn], kind, b.toString(), slot, lru);
        }

        private static void flag(StringBuilder b, int fl, int bit, String name) {
            if ((fl & bit) != 0) {
                b.append(b.length() > 0 ? " " : "").append(name);
            }
        }

        /**
         * The page's walks replayed with the walk counters paused (the oracle's way): the design's
         * {@link RmapDesign#rmapWalk} stopping at mapcount, as page_referenced() does, or at a
         * VM_LOCKED vma where the design's era's page_referenced stops ({@link #LOCKED_VMA}), then
         * try_to_unmap()'s walk as reclaim would run it next ({@link Machine#tryToUnmapDryRun}:
         * the same walk, stopping at the first pte of a VM_LOCKED vma, unmapping nothing).
         */
        Walk walk(int pfn) {
            WalkRecorder rec = new WalkRecorder(k, pfn, k.traits().reclaim());
            WalkRecorder unmap = new WalkRecorder(k, pfn, null);
            RmapStats stats = design.stats();
            boolean swapFail;
            stats.pauseWalkCounting();
            try {
                long vmas = stats.walkVmasVisited;
                long ptes = stats.walkPtesChecked;
                stats.walkObserver = rec;
                design.rmapWalk(pfn, rec);
                if (!rec.done() && !rec.locked) {
                    // The ptes of nonlinear vmas only name the page: page_referenced() does not
                    // see them (2.6.11 page_referenced_file walks the prio_tree, not
                    // i_mmap_nonlinear), as the model's Rmap.pageReferenced does not.
                    k.scanNonlinear(pfn, rec.namer());
                }
                rec.walk.vmasVisited = stats.walkVmasVisited - vmas;
                rec.walk.ptesChecked = stats.walkPtesChecked - ptes;
                vmas = stats.walkVmasVisited;
                ptes = stats.walkPtesChecked;
                stats.walkObserver = unmap;
                swapFail = k.tryToUnmapDryRun(pfn, unmap);
                unmap.walk.vmasVisited = stats.walkVmasVisited - vmas;
                unmap.walk.ptesChecked = stats.walkPtesChecked - ptes;
            } finally {
                stats.walkObserver = null;
                stats.resumeWalkCounting();
            }
            Walk w = finish(rec, rec.locked ? LOCKED_VMA : rec.done() ? MAPCOUNT_REACHED : WALKED_ALL, pfn);
            w.unmap = finish(unmap, swapFail ? SWAP_FAIL : unmap.done() ? MAPCOUNT_REACHED : WALKED_ALL, pfn);
            w.unmap.key = "";
            if (design instanceof RmapStructure rs) {
                w.structure = rs.pageStructure(pfn);
            }
            return w;
        }

        private Walk finish(WalkRecorder rec, int stopCode, int pfn) {
            Walk w = rec.walk;
            w.found = rec.found;
            w.mapcount = f.mapcount[pfn];
            w.stopCode = stopCode;
            w.stop = stopText(stopCode, w.found, w.mapcount);
            return w;
        }
    }

    /** The /proc/PID/maps lines of MM (fs/proc/task_mmu.c show_map_vma; one line per vma). */
    static List<String> mapsLines(Mm mm) {
        List<String> l = new ArrayList<>(mm.mapCount());
        for (int i = 0; i < mm.mapCount(); i++) {
            Vma v = mm.vma(i);
            long off = v.file() != null ? v.pgoff() << Machine.PAGE_SHIFT : 0;
            String name = v.file() != null ? " " + v.file() : "";
            if ((v.flags() & Vma.VM_GROUP) != 0) {
                name += " (VM_GROUP: continues the line above)";
            }
            l.add(String.format("%08x-%08x %s %08x 00:00 0%s", v.start(), v.end(), v.perms(), off, name));
        }
        return l;
    }
}
