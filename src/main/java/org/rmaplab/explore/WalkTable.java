package org.rmaplab.explore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.rmaplab.mm.RmapStructure;

/**
 * The recorded walks, interned as the recorder records them: each distinct string (event label,
 * page key, a structure as JSON) and each distinct walk kept once, a walk as an array of ints, so
 * that a step holds only (pfn, walk id) pairs. A long scenario records hundreds of thousands of
 * walks; as objects (events, labels, structure trees) they filled gigabytes of heap until
 * {@link ExplorerData} wrote them (docs/explorer.md gives the numbers).
 *
 * <p>A walk's array: {@code [key, vmas, ptes, found, mapcount, structure (-1: none), stop, N, N
 * events..., then try_to_unmap's walk: vmas, ptes, found, stop, events...]}, strings as their ids
 * here, an event as its label's id × 4 + what (0 vma, 1 pte, 2 miss, 3 found). Two walks have the
 * same id exactly when everything the page shows of them is the same.
 */
public final class WalkTable {
    static final List<String> EVENTS = List.of("vma", "pte", "miss", "found");

    private final Map<String, Integer> stringIds = new HashMap<>();
    private final List<String> strings = new ArrayList<>();
    private final Map<Key, Integer> walkIds = new HashMap<>();
    private final List<int[]> walks = new ArrayList<>();

    /** A walk's array as a hash key. */
    private record Key(int[] a) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(a, k.a);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(a);
        }
    }

    int string(String s) {
        Integer id = stringIds.get(s);
        if (id == null) {
            id = strings.size();
            stringIds.put(s, id);
            strings.add(s);
        }
        return id;
    }

    /** The string of id I. */
    String string(int i) {
        return strings.get(i);
    }

    /** W's id, W interned if it is new. */
    int intern(Recorder.Walk w) {
        Recorder.Walk u = w.unmap;
        int n = w.events.size();
        int[] a = new int[12 + n + u.events.size()];
        a[0] = string(w.key);
        a[1] = Math.toIntExact(w.vmasVisited);
        a[2] = Math.toIntExact(w.ptesChecked);
        a[3] = w.found;
        a[4] = w.mapcount;
        a[5] = w.structure == null ? -1 : string(ExplorerData.nodeJson(w.structure));
        a[6] = w.stopCode;
        a[7] = n;
        events(a, 8, w.events);
        a[8 + n] = Math.toIntExact(u.vmasVisited);
        a[9 + n] = Math.toIntExact(u.ptesChecked);
        a[10 + n] = u.found;
        a[11 + n] = u.stopCode;
        events(a, 12 + n, u.events);
        Integer id = walkIds.putIfAbsent(new Key(a), walks.size());
        if (id == null) {
            walks.add(a);
            return walks.size() - 1;
        }
        return id;
    }

    private void events(int[] a, int at, List<Recorder.WalkEvent> events) {
        for (Recorder.WalkEvent e : events) {
            a[at++] = string(e.label()) * 4 + EVENTS.indexOf(e.what());
        }
    }

    /** How many distinct walks were recorded. */
    public int size() {
        return walks.size();
    }

    /** Walk I's array (not to be changed). */
    int[] raw(int i) {
        return walks.get(i);
    }

    /** Walk I as an object again (for tests and readers; the page's data is written from {@link #raw}). */
    public Recorder.Walk walk(int i) {
        int[] a = walks.get(i);
        int n = a[7];
        Recorder.Walk w = decode(a, a[1], a[2], a[3], a[4], a[6], 8, 8 + n);
        w.key = strings.get(a[0]);
        w.structure = a[5] < 0 ? null : new NodeParser(strings.get(a[5])).node();
        w.unmap = decode(a, a[8 + n], a[9 + n], a[10 + n], a[4], a[11 + n], 12 + n, a.length);
        return w;
    }

    private Recorder.Walk decode(int[] a, int vmas, int ptes, int found, int mapcount, int stop, int from, int to) {
        Recorder.Walk w = new Recorder.Walk();
        w.vmasVisited = vmas;
        w.ptesChecked = ptes;
        w.found = found;
        w.mapcount = mapcount;
        w.stopCode = stop;
        w.stop = Recorder.stopText(stop, found, mapcount);
        for (int i = from; i < to; i++) {
            w.events.add(new Recorder.WalkEvent(EVENTS.get(a[i] & 3), strings.get(a[i] >> 2)));
        }
        return w;
    }

    /** Reads back what {@link ExplorerData#nodeJson} wrote: {"kind":..,"label":..,"children":[..]}. */
    private static final class NodeParser {
        private final String s;
        private int i;

        NodeParser(String s) {
            this.s = s;
        }

        RmapStructure.Node node() {
            i += "{\"kind\":".length();
            String kind = str();
            i += ",\"label\":".length();
            RmapStructure.Node n = new RmapStructure.Node(kind, str());
            i += ",\"children\":[".length();
            while (s.charAt(i) != ']') {
                n.add(node());
                if (s.charAt(i) == ',') {
                    i++;
                }
            }
            i += 2; // "]}"
            return n;
        }

        private String str() {
            if (s.startsWith("null", i)) {
                i += 4;
                return null;
            }
            StringBuilder b = new StringBuilder();
            i++; // the opening quote
            for (char c; (c = s.charAt(i++)) != '"';) {
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> b.append(e); // \" and \\
                }
            }
            return b.toString();
        }
    }
}
