package org.rmaplab.explore;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rmaplab.mm.RmapStructure;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.Statement;

/**
 * The explorer's data as JSON, written by hand (no JSON library in the jar), deterministic: keys in
 * a fixed order, maps sorted by pfn or pid. The page reads it as {@code window.RMAPLAB_EXPLORE}
 * from data.js, so that the site works from file:// (no fetch).
 */
public final class ExplorerData {
    private ExplorerData() {}

    /** The recording of SCENARIO under RUNS as a JSON object. */
    public static String json(Scenario scenario, List<Recorder.DesignRun> runs) {
        return json(scenario, runs, null);
    }

    /** The same, with KERNEL (a JSON object, {@link KernelView}) as its "kernel" member when not null. */
    public static String json(Scenario scenario, List<Recorder.DesignRun> runs, String kernel) {
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
        Tables t = new Tables();
        for (int i = 0; i < runs.size(); i++) {
            b.append(i > 0 ? ",\n" : "\n");
            run(b, runs.get(i), t);
        }
        // Each distinct structure once (the pages of one anon_vma share it); walks name its index.
        b.append("],\n\"structures\":[");
        int i = 0;
        for (String node : t.structures.keySet()) {
            b.append(i++ > 0 ? ",\n" : "\n").append(node);
        }
        // Each distinct walk event label once (a vma's line recurs in every walk that visits it).
        b.append("],\n\"labels\":[");
        i = 0;
        for (String l : t.labels.keySet()) {
            b.append(i++ > 0 ? "," : "");
            str(b, l);
        }
        b.append(']');
        if (kernel != null) {
            b.append(",\n\"kernel\":").append(kernel);
        }
        return b.append("}\n").toString();
    }

    /** What the data holds once and walks name by index: structures (as JSON) and event labels. */
    private static final class Tables {
        final Map<String, Integer> structures = new LinkedHashMap<>();
        final Map<String, Integer> labels = new LinkedHashMap<>();
    }

    private static void run(StringBuilder b, Recorder.DesignRun r, Tables t) {
        b.append("{\"name\":");
        str(b, r.design);
        b.append(",\"failures\":[");
        for (int i = 0; i < r.result.failures().size(); i++) {
            var f = r.result.failures().get(i);
            b.append(i > 0 ? "," : "");
            str(b, f.line() + ": " + f.message());
        }
        b.append("],\"steps\":[");
        for (int i = 0; i < r.steps.size(); i++) {
            b.append(i > 0 ? ",\n" : "\n");
            step(b, r.steps.get(i), t);
        }
        b.append("]}");
    }

    private static void step(StringBuilder b, Recorder.Step s, Tables t) {
        b.append("{\"line\":").append(s.line).append(",\"result\":");
        str(b, s.result);
        b.append(",\"failure\":");
        str(b, s.failure);
        b.append(",\"maps\":{");
        int i = 0;
        for (Map.Entry<Integer, List<String>> e : s.maps.entrySet()) {
            b.append(i++ > 0 ? "," : "").append('"').append(e.getKey()).append("\":");
            strings(b, e.getValue());
        }
        b.append("},\"frames\":{");
        i = 0;
        for (Map.Entry<Integer, Recorder.FrameState> e : s.frames.entrySet()) {
            b.append(i++ > 0 ? "," : "").append('"').append(e.getKey()).append("\":");
            Recorder.FrameState f = e.getValue();
            if (f == null) {
                b.append("null");
                continue;
            }
            b.append("{\"refcount\":").append(f.refcount()).append(",\"mapcount\":").append(f.mapcount())
                    .append(",\"kind\":");
            str(b, f.kind());
            b.append(",\"flags\":");
            str(b, f.flags());
            b.append(",\"swap\":").append(f.swapSlot()).append(",\"lru\":");
            str(b, f.lru());
            b.append('}');
        }
        b.append("},\"counters\":{");
        i = 0;
        for (Map.Entry<String, Long> e : s.counters.entrySet()) {
            b.append(i++ > 0 ? "," : "");
            str(b, e.getKey());
            b.append(':').append(e.getValue());
        }
        b.append("},\"walks\":{");
        i = 0;
        for (Map.Entry<Integer, Recorder.Walk> e : s.walks.entrySet()) {
            b.append(i++ > 0 ? ",\n" : "\n").append('"').append(e.getKey()).append("\":");
            walk(b, e.getValue(), t);
        }
        b.append("}}");
    }

    /** The walk's JSON text, as data.js holds it. */
    static String walkJson(Recorder.Walk w) {
        StringBuilder b = new StringBuilder(256);
        walk(b, w, null);
        return b.toString();
    }

    /** A walk; its structure and labels inline when T is null, else as their indexes there. */
    private static void walk(StringBuilder b, Recorder.Walk w, Tables t) {
        b.append("{\"key\":");
        str(b, w.key);
        b.append(",\"vmas\":").append(w.vmasVisited).append(",\"ptes\":").append(w.ptesChecked)
                .append(",\"found\":").append(w.found).append(",\"mapcount\":").append(w.mapcount).append(",\"stop\":");
        str(b, w.stop);
        b.append(",\"events\":[");
        for (int i = 0; i < w.events.size(); i++) {
            b.append(i > 0 ? "," : "").append('[');
            str(b, w.events.get(i).what());
            b.append(',');
            if (t == null) {
                str(b, w.events.get(i).label());
            } else {
                b.append(t.labels.computeIfAbsent(w.events.get(i).label(), k -> t.labels.size()));
            }
            b.append(']');
        }
        b.append("],\"structure\":");
        if (t == null || w.structure == null) {
            node(b, w.structure);
        } else {
            StringBuilder n = new StringBuilder();
            node(n, w.structure);
            b.append(t.structures.computeIfAbsent(n.toString(), k -> t.structures.size()));
        }
        b.append('}');
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

    private static void strings(StringBuilder b, List<String> l) {
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
