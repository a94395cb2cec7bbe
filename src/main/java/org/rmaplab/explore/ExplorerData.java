package org.rmaplab.explore;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rmaplab.mm.RmapStructure;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.Statement;

/**
 * The explorer's data, written by hand (no JSON library in the jar), deterministic: keys in a fixed
 * order, maps sorted by pfn or pid. The page loads it with script elements, so that the site works
 * from file:// (no fetch): data.js holds the header ({@code window.RMAPLAB_EXPLORE}: the file, its
 * lines, the designs, which steps failed, where each chunk starts), and data-000.js, data-001.js,
 * ... the steps in chunks of about {@link #CHUNK_CHARS} characters, each a call
 * {@code window.RMAPLAB_CHUNK(K, {...})} that the page makes load on demand, in order: a chunk
 * holds every design's steps of its range and the table entries (strings, structures, walks) that
 * its steps name first. So the first step shows once data.js and data-000.js are in, whatever the
 * scenario's length.
 *
 * <p>A step is an array {@code [result, failure, maps, frames, counters, walks]}: maps an object
 * pid → lines (null: the task is gone); frames flat, seven numbers a frame (pfn, refcount (-1:
 * freed), mapcount, kind (0 table, 1 anon, 2 file, 3 other), flags (a string's index), swap slot,
 * LRU (0 none, 1 active, 2 inactive)); counters flat (name's string index, delta); walks flat (pfn,
 * walk index). A walk is stored once however many steps and pages share it (a page whose walk
 * returns to an earlier one, after a split vma merges again): {@code [key, vmas, ptes, found,
 * mapcount, structure (-1: none), stop, N, N events..., then try_to_unmap's walk of the page: vmas,
 * ptes, found, stop, events...]}, an event being its label's string index × 4 + what (0 vma, 1 pte,
 * 2 miss, 3 found), stop 0 (walked all), 1 (mapcount reached), 2 (VM_LOCKED vma: SWAP_FAIL) or 3
 * (VM_LOCKED vma: page_referenced's early break).
 */
public final class ExplorerData {
    private ExplorerData() {}

    /** About how many characters a chunk holds before the next one starts (at a step's end). */
    public static final int CHUNK_CHARS = 1 << 20;

    /** The data files of SCENARIO's recording under RUNS: data.js then the chunks, name → content. */
    public static Map<String, String> files(Scenario scenario, List<Recorder.DesignRun> runs) {
        return files(scenario, runs, null);
    }

    /**
     * The same, with KERNEL (a JSON object, {@link KernelView}) as data.js's "kernel" member when
     * not null: the kernel's result of every line and where each design parted from it.
     */
    public static Map<String, String> files(Scenario scenario, List<Recorder.DesignRun> runs, String kernel) {
        return files(scenario, runs, kernel, CHUNK_CHARS);
    }

    /** As {@link #files(Scenario, List)} with chunks of about CHUNK characters. */
    static Map<String, String> files(Scenario scenario, List<Recorder.DesignRun> runs, String kernel, int chunk) {
        int n = runs.isEmpty() ? 0 : runs.get(0).steps.size();
        Tables t = new Tables();
        Map<String, String> chunks = new LinkedHashMap<>();
        List<Integer> starts = new ArrayList<>();
        StringBuilder[] steps = new StringBuilder[runs.size()];
        int mark = 0;
        for (int i = 0; i < n; i++) {
            if (starts.size() == chunks.size()) {
                starts.add(i);
                for (int d = 0; d < runs.size(); d++) {
                    steps[d] = new StringBuilder();
                }
            }
            long size = 0;
            for (int d = 0; d < runs.size(); d++) {
                steps[d].append(steps[d].length() > 0 ? ",\n" : "\n");
                step(steps[d], runs.get(d).steps.get(i), runs.get(d).table, t);
                size += steps[d].length();
            }
            if (size + t.size - mark >= chunk || i == n - 1) {
                chunks.put(String.format("data-%03d.js", chunks.size()), chunk(chunks.size(), steps, t));
                mark = t.size;
            }
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data.js", "window.RMAPLAB_EXPLORE = " + header(scenario, runs, starts, kernel) + ";\n");
        m.putAll(chunks);
        return m;
    }

    private static String header(Scenario scenario, List<Recorder.DesignRun> runs, List<Integer> starts,
                                 String kernel) {
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("{\"file\":");
        str(b, scenario.file());
        b.append(",\n\"lines\":[");
        List<Statement> st = scenario.statements();
        for (int i = 0; i < st.size(); i++) {
            b.append(i > 0 ? ",\n" : "\n").append("{\"line\":").append(st.get(i).line()).append(",\"text\":");
            str(b, st.get(i).text());
            b.append('}');
        }
        b.append("],\n\"designs\":[");
        for (int i = 0; i < runs.size(); i++) {
            b.append(i > 0 ? ",\n" : "\n").append("{\"name\":");
            str(b, runs.get(i).design);
            b.append(",\"failures\":[");
            for (int j = 0; j < runs.get(i).result.failures().size(); j++) {
                var f = runs.get(i).result.failures().get(j);
                b.append(j > 0 ? "," : "");
                str(b, f.line() + ": " + f.message());
            }
            b.append("]}");
        }
        // The steps some design failed at, for the timeline before their chunks are in.
        b.append("],\n\"failed\":[");
        int n = runs.isEmpty() ? 0 : runs.get(0).steps.size(), k = 0;
        for (int i = 0; i < n; i++) {
            final int step = i;
            if (runs.stream().anyMatch(r -> r.steps.get(step).failure != null)) {
                b.append(k++ > 0 ? "," : "").append(i);
            }
        }
        b.append("],\n\"steps\":").append(n).append(",\n\"chunks\":[");
        for (int i = 0; i < starts.size(); i++) {
            b.append(i > 0 ? "," : "").append(starts.get(i));
        }
        b.append(']');
        if (kernel != null) {
            b.append(",\n\"kernel\":").append(kernel);
        }
        return b.append('}').toString();
    }

    /** Chunk K: the table entries first named since the last chunk, then each design's steps. */
    private static String chunk(int k, StringBuilder[] steps, Tables t) {
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("window.RMAPLAB_CHUNK(").append(k).append(", {\"strings\":[");
        for (int i = t.stringsOut; i < t.strings.size(); i++) {
            b.append(i > t.stringsOut ? "," : "");
            str(b, t.strings.get(i));
        }
        b.append("],\n\"structures\":[");
        for (int i = t.structuresOut; i < t.structures.size(); i++) {
            b.append(i > t.structuresOut ? ",\n" : "\n").append(t.structures.get(i));
        }
        b.append("],\n\"walks\":[");
        for (int i = t.walksOut; i < t.walks.size(); i++) {
            b.append(i > t.walksOut ? ",\n" : "\n").append(t.walks.get(i));
        }
        b.append("],\n\"steps\":[");
        for (int d = 0; d < steps.length; d++) {
            b.append(d > 0 ? "],\n[" : "[").append(steps[d]);
        }
        t.stringsOut = t.strings.size();
        t.structuresOut = t.structures.size();
        t.walksOut = t.walks.size();
        return b.append(steps.length > 0 ? "]" : "").append("]});\n").toString();
    }

    /**
     * What the data holds once and steps name by index: strings (walk event labels, page keys,
     * frame flags, counter names), structures (as JSON) and walks; each table's entries past its
     * "Out" index are not yet written to a chunk, SIZE the characters of all entries so far.
     */
    private static final class Tables {
        final Index strings = new Index();
        final Index structures = new Index();
        final Index walks = new Index();
        int stringsOut;
        int structuresOut;
        int walksOut;
        int size;

        int string(String s) {
            return add(strings, s, s.length() + 3);
        }

        int add(Index x, String s, int chars) {
            int before = x.size();
            int id = x.id(s);
            size += x.size() > before ? chars : 0;
            return id;
        }
    }

    /** Strings numbered in the order first seen. */
    private static final class Index {
        private final Map<String, Integer> ids = new HashMap<>();
        private final List<String> list = new ArrayList<>();

        int id(String s) {
            Integer id = ids.get(s);
            if (id == null) {
                id = list.size();
                ids.put(s, id);
                list.add(s);
            }
            return id;
        }

        int size() {
            return list.size();
        }

        String get(int i) {
            return list.get(i);
        }
    }

    private static final List<String> KINDS = List.of("table", "anon", "file", "other");
    private static final List<String> LRUS = List.of("-", "active", "inactive");

    private static void step(StringBuilder b, Recorder.Step s, WalkTable wt, Tables t) {
        b.append('[');
        str(b, s.result);
        b.append(',');
        str(b, s.failure);
        b.append(",{");
        int i = 0;
        for (Map.Entry<Integer, List<String>> e : s.maps.entrySet()) {
            b.append(i++ > 0 ? "," : "").append('"').append(e.getKey()).append("\":");
            strings(b, e.getValue());
        }
        b.append("},[");
        i = 0;
        for (Map.Entry<Integer, Recorder.FrameState> e : s.frames.entrySet()) {
            b.append(i++ > 0 ? "," : "").append(e.getKey());
            Recorder.FrameState f = e.getValue();
            if (f == null) {
                b.append(",-1,0,0,0,0,0");
                continue;
            }
            b.append(',').append(f.refcount()).append(',').append(f.mapcount()).append(',')
                    .append(KINDS.indexOf(f.kind())).append(',').append(t.string(f.flags())).append(',')
                    .append(f.swapSlot()).append(',').append(LRUS.indexOf(f.lru()));
        }
        b.append("],[");
        i = 0;
        for (Map.Entry<String, Long> e : s.counters.entrySet()) {
            b.append(i++ > 0 ? "," : "").append(t.string(e.getKey())).append(',').append(e.getValue());
        }
        b.append("],[");
        i = 0;
        for (int k = 0; k < s.walkCount(); k++) {
            String w = walk(wt.raw(s.walkId(k)), wt, t);
            b.append(k > 0 ? "," : "").append(s.walkPfn(k)).append(',').append(t.add(t.walks, w, w.length() + 2));
        }
        b.append("]]");
    }

    /**
     * A walk as the chunks store it: its key, labels and structure as indexes into the chunks'
     * tables; {@code [key, vmas, ptes, found, mapcount, structure, stop (0 walked all, 1 mapcount
     * reached, 3 VM_LOCKED vma), events (count), events..., then
     * try_to_unmap's walk: vmas, ptes, found, stop (0 walked all, 1 mapcount reached, 2 SWAP_FAIL),
     * events...]}. A is the walk's array in WT ({@link WalkTable}), whose string ids are the
     * recording's, not the chunks'.
     */
    private static String walk(int[] a, WalkTable wt, Tables t) {
        StringBuilder b = new StringBuilder(64);
        b.append('[').append(t.string(wt.string(a[0])));
        for (int i = 1; i <= 4; i++) {
            b.append(',').append(a[i]);
        }
        b.append(',');
        if (a[5] < 0) {
            b.append(-1);
        } else {
            String n = wt.string(a[5]);
            b.append(t.add(t.structures, n, n.length() + 2));
        }
        int n = a[7];
        b.append(',').append(a[6]).append(',').append(n);
        events(b, a, 8, 8 + n, wt, t);
        for (int i = 8 + n; i < 12 + n; i++) {
            b.append(',').append(a[i]);
        }
        events(b, a, 12 + n, a.length, wt, t);
        return b.append(']').toString();
    }

    private static void events(StringBuilder b, int[] a, int from, int to, WalkTable wt, Tables t) {
        for (int i = from; i < to; i++) {
            b.append(',').append(t.string(wt.string(a[i] >> 2)) * 4 + (a[i] & 3));
        }
    }

    /** A structure as JSON, as the chunks store it (and {@link WalkTable} keeps it). */
    static String nodeJson(RmapStructure.Node n) {
        StringBuilder b = new StringBuilder(256);
        node(b, n);
        return b.toString();
    }

    private static void node(StringBuilder b, RmapStructure.Node n) {
        if (n == null) {
            b.append("null");
            return;
        }
        b.append("{\"kind\":");
        str(b, n.kind);
        b.append(",\"label\":");
        str(b, n.label);
        b.append(",\"children\":[");
        for (int i = 0; i < n.children.size(); i++) {
            b.append(i > 0 ? "," : "");
            node(b, n.children.get(i));
        }
        b.append("]}");
    }

    static void strings(StringBuilder b, List<String> l) {
        if (l == null) {
            b.append("null");
            return;
        }
        b.append('[');
        for (int i = 0; i < l.size(); i++) {
            b.append(i > 0 ? "," : "");
            str(b, l.get(i));
        }
        b.append(']');
    }

    /** A JSON string (or null); '<' escaped too, so the text is safe inside a script element. */
    static void str(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
