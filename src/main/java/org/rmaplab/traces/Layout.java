package org.rmaplab.traces;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.rmaplab.mm.PageTable;

/**
 * One traced mm, as the converter knows it: the {@link Region}s the trace mapped, keyed by start
 * address, and the extent each anchor has covered ({@link Hull}: addresses inside it are written
 * relative to the anchor, so ld.so's MAP_FIXED segments inside its reservation and malloc's
 * arenas stay relative to one anchor), the heap (the anchor the first {@code brk(NULL)} of the
 * image bound, and the break), and the read-only file mappings whose pages are still to be read.
 * Memory the trace never shows (what execve mapped) has no region.
 */
final class Layout {
    static final long PAGE = PageTable.PAGE_SIZE;

    /** The extent an anchor has covered: addresses inside it are written relative to it. */
    record Hull(String anchor, long base, long lo, long hi) {}

    /** A read-only file mapping (its map id) whose pages task WHO reads at its next call on this mm. */
    record PendingRead(int map, String who) {}

    final TreeMap<Long, Region> regions = new TreeMap<>();
    final LinkedHashMap<String, Hull> hulls = new LinkedHashMap<>();
    String heap;
    long heapBase;
    long brk;
    /** Read-only file mappings whose pages are read at the next call of a task on this mm. */
    final List<PendingRead> pendingReads = new ArrayList<>();
    /**
     * perf traces: the special mappings execve made ({@code [vdso]}, {@code [vvar]}...), which the
     * model does not have, by start: [start, end) and name, so that a fault in one is named.
     */
    final TreeMap<Long, Special> specials = new TreeMap<>();
    /** The anchors of MAP_GROWSDOWN mappings (a stack: a fault just below it grows it). */
    final java.util.Set<String> growsDown = new java.util.HashSet<>();

    /** A special mapping: [start, end), NAME. */
    record Special(long start, long end, String name) {}

    /** A copy, for a child forked from this mm. */
    Layout copy() {
        Layout l = new Layout();
        l.regions.putAll(regions);
        l.hulls.putAll(hulls);
        l.heap = heap;
        l.heapBase = heapBase;
        l.brk = brk;
        l.specials.putAll(specials);
        l.growsDown.addAll(growsDown);
        return l;
    }

    /** Removes [s, e) from the regions, splitting those it cuts. */
    void remove(long s, long e) {
        Map.Entry<Long, Region> f = regions.lowerEntry(s);
        if (f != null && f.getValue().end() > s) {
            Region r = f.getValue();
            regions.put(r.start(), r.cut(r.start(), s));
            if (r.end() > e) {
                regions.put(e, r.cut(e, r.end()));
            }
        }
        for (Map.Entry<Long, Region> en : new ArrayList<>(regions.subMap(s, true, e, false).entrySet())) {
            Region r = en.getValue();
            regions.remove(r.start());
            if (r.end() > e) {
                regions.put(e, r.cut(e, r.end()));
            }
        }
    }

    /** Adds R in place of what was at its addresses; a traced region widens its anchor's extent. */
    void add(Region r) {
        remove(r.start(), r.end());
        regions.put(r.start(), r);
        if (!r.skipped()) {
            Hull h = hulls.remove(r.anchor());
            hulls.put(r.anchor(), h == null ? new Hull(r.anchor(), r.base(), r.start(), r.end())
                    : new Hull(r.anchor(), r.base(), Math.min(h.lo(), r.start()), Math.max(h.hi(), r.end())));
        }
    }

    /** The regions meeting [s, e), in address order. */
    List<Region> pieces(long s, long e) {
        List<Region> out = new ArrayList<>();
        Map.Entry<Long, Region> f = regions.lowerEntry(s);
        if (f != null && f.getValue().end() > s) {
            Region r = f.getValue();
            out.add(r.cut(s, Math.min(e, r.end())));
        }
        for (Region r : regions.subMap(s, true, e, false).values()) {
            out.add(r.cut(r.start(), Math.min(e, r.end())));
        }
        return out;
    }

    /** The anchor whose extent holds [s, e): the region at s first, else the latest hull. */
    Hull hullOf(long s, long e) {
        Map.Entry<Long, Region> f = regions.floorEntry(s);
        if (f != null && f.getValue().end() > s && !f.getValue().skipped()) {
            Hull h = hulls.get(f.getValue().anchor());
            if (h != null && h.lo() <= s && e <= h.hi()) {
                return h;
            }
        }
        Hull found = null;
        for (Hull h : hulls.values()) {
            if (h.lo() <= s && e <= h.hi()) {
                found = h;
            }
        }
        return found;
    }

    /** Maximal runs of adjacent non-skipped pieces with the same anchor. */
    static List<Region> runs(List<Region> ps) {
        List<Region> out = new ArrayList<>();
        for (Region r : ps) {
            if (r.skipped()) {
                continue;
            }
            Region last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.joins(r)) {
                out.set(out.size() - 1, last.cut(last.start(), r.end()));
            } else {
                out.add(r);
            }
        }
        return out;
    }
}
