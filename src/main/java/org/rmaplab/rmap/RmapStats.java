package org.rmaplab.rmap;

import java.util.Map;
import java.util.TreeMap;

/**
 * Counters every design keeps. Plain long fields, bumped on hot paths without allocation.
 * {@link #asMap()} gives them in a fixed order for reports.
 */
public class RmapStats {
    /** Reverse walks started. */
    public long walks;
    /** vmas (or mms, for anonmm) a walk looked at. */
    public long walkVmasVisited;
    /** Candidate ptes a walk checked. */
    public long walkPtesChecked;
    /** rmap operations: add / dup / remove of a pte, and structure links. */
    public long rmapAdds;
    public long rmapRemoves;
    public long rmapDups;
    /** mremap early COWs (anonmm). */
    public long mremapCows;
    /** Design-specific objects alive and their peaks, by kind ("anon_vma", "anon_vma_chain", ...). */
    private final TreeMap<String, long[]> objects = new TreeMap<>();

    /** Records that one object of {@code kind} was allocated (+1) or freed (-1). */
    public void object(String kind, int delta) {
        long[] c = objects.computeIfAbsent(kind, k -> new long[2]);
        c[0] += delta;
        if (c[0] > c[1]) {
            c[1] = c[0];
        }
    }

    public long alive(String kind) {
        long[] c = objects.get(kind);
        return c == null ? 0 : c[0];
    }

    public long peak(String kind) {
        long[] c = objects.get(kind);
        return c == null ? 0 : c[1];
    }

    public Map<String, Long> asMap() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("walks", walks);
        m.put("walk_vmas_visited", walkVmasVisited);
        m.put("walk_ptes_checked", walkPtesChecked);
        m.put("rmap_adds", rmapAdds);
        m.put("rmap_dups", rmapDups);
        m.put("rmap_removes", rmapRemoves);
        m.put("mremap_cows", mremapCows);
        for (Map.Entry<String, long[]> e : objects.entrySet()) {
            m.put(e.getKey() + "_alive", e.getValue()[0]);
            m.put(e.getKey() + "_peak", e.getValue()[1]);
        }
        return m;
    }
}
