package org.rmaplab.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;

/**
 * The explorer's data in chunks, read back as the page reads it: a 2,000-line scale scenario
 * ({@link ScaleScenario}, 2,048 pages, three forks) under two designs gives more than one chunk;
 * the header's chunk starts cover every step once, in order; a chunk names only table entries
 * (strings, structures, walks) of its own or earlier chunks, so loading chunks in order suffices;
 * and every step's deltas, applied in order, give each design's frames and walks at the last step
 * as the Java side recorded them.
 */
class ExplorerDataTest {
    static final int LINES = 2000;
    static final List<String> DESIGNS = List.of("anon_vma_chain", "anon_vma");

    @Test
    @SuppressWarnings("unchecked")
    void chunksCoverEveryStepAndReplayToTheLastOne() {
        Scenario sc = ScenarioParser.parse("scale.vms", ScaleScenario.text(LINES, 2048));
        List<Recorder.DesignRun> runs = new Recorder(CheckPolicy.parse("end")).record(sc, DESIGNS);
        Map<String, String> files = ExplorerData.files(sc, runs);
        String header = files.get("data.js");
        assertTrue(header.startsWith("window.RMAPLAB_EXPLORE = {"), header.substring(0, 40));
        Map<String, Object> h = (Map<String, Object>) MiniJson.parse(header, header.indexOf('{'));
        assertEquals((long) LINES, h.get("steps"));
        assertEquals(LINES, ((List<?>) h.get("lines")).size());
        List<Long> starts = (List<Long>) h.get("chunks");
        assertTrue(starts.size() > 1, "chunks: " + starts.size());
        assertEquals(starts.size() + 1, files.size(), "data.js and one file a chunk: " + files.keySet());

        List<String> strings = new ArrayList<>();
        int structures = 0;
        List<List<Long>> walks = new ArrayList<>();
        List<Map<Long, List<Long>>> frames = List.of(new TreeMap<>(), new TreeMap<>());
        List<Map<Long, List<Long>>> pageWalks = List.of(new TreeMap<>(), new TreeMap<>());
        for (int k = 0; k < starts.size(); k++) {
            String name = String.format("data-%03d.js", k);
            String c = files.get(name);
            String call = "window.RMAPLAB_CHUNK(" + k + ", ";
            assertTrue(c.startsWith(call) && c.endsWith(");\n"), name);
            Map<String, Object> chunk = (Map<String, Object>) MiniJson.parse(c, call.length());
            strings.addAll((List<String>) chunk.get("strings"));
            structures += ((List<?>) chunk.get("structures")).size();
            for (Object w : (List<Object>) chunk.get("walks")) {
                List<Long> a = (List<Long>) w;
                assertTrue(a.get(0) < strings.size() && a.get(5) < structures, name + ": a walk names a later entry");
                assertTrue(a.get(6) >= 0 && a.get(6) <= 3 && a.get(6) != 2, name + ": page_referenced's stop: " + a);
                int u = 8 + a.get(7).intValue(); // try_to_unmap's walk: vmas, ptes, found, stop, events
                assertTrue(u + 4 <= a.size() && a.get(u + 3) >= 0 && a.get(u + 3) <= 2, name + ": " + a);
                for (int e = 8; e < a.size(); e++) {
                    if (e < u || e >= u + 4) {
                        assertTrue(a.get(e) / 4 < strings.size(), name + ": an event names a later string");
                    }
                }
                walks.add(a);
            }
            long end = k + 1 < starts.size() ? starts.get(k + 1) : LINES;
            assertTrue(starts.get(k) < end, "chunk " + k + " holds a step");
            List<List<Object>> steps = (List<List<Object>>) chunk.get("steps");
            assertEquals(DESIGNS.size(), steps.size());
            for (int d = 0; d < DESIGNS.size(); d++) {
                assertEquals(end - starts.get(k), steps.get(d).size(), name + " " + DESIGNS.get(d));
                for (Object o : steps.get(d)) {
                    apply((List<Object>) o, frames.get(d), pageWalks.get(d), strings.size(), walks);
                }
            }
        }
        assertEquals(0L, starts.get(0));
        // The recorder interned every walk as it recorded it, by the same content the chunks tell
        // walks apart by: the chunks hold exactly its walks, each once.
        assertTrue(runs.get(0).table == runs.get(1).table, "one table for the runs of one recording");
        assertEquals(runs.get(0).table.size(), walks.size());
        for (int d = 0; d < DESIGNS.size(); d++) {
            // The Java side's state at the last step, folded from its deltas as the page folds them
            // (a page freed or unmapped forgets its walk).
            Map<Long, List<Long>> wantFrames = new TreeMap<>();
            Map<Long, String> wantWalks = new TreeMap<>();
            for (Recorder.Step st : runs.get(d).steps) {
                st.frames.forEach((pfn, f) -> {
                    if (f == null || f.mapcount() == 0) {
                        wantWalks.remove((long) pfn);
                    }
                    if (f == null) {
                        wantFrames.remove((long) pfn);
                    } else {
                        wantFrames.put((long) pfn, List.of((long) f.refcount(), (long) f.mapcount()));
                    }
                });
                st.walks().forEach((pfn, w) -> wantWalks.put((long) pfn, w.key + " " + w.vmasVisited + " " + w.events.size()));
            }
            Map<Long, String> gotWalks = new HashMap<>();
            pageWalks.get(d).forEach((pfn, w) -> gotWalks.put(pfn, strings.get(w.get(0).intValue()) + " " + w.get(1)
                    + " " + w.get(7)));
            assertEquals(wantFrames, frames.get(d), DESIGNS.get(d));
            assertEquals(wantWalks, new TreeMap<>(gotWalks), DESIGNS.get(d));
            assertTrue(wantWalks.size() > 2048, "the forks' copies are mapped: " + wantWalks.size());
        }
    }

    /** Applies step A (the chunk's array form) to FRAMES (pfn → refcount, mapcount) and WALKS, as explorer.js does. */
    @SuppressWarnings("unchecked")
    private static void apply(List<Object> a, Map<Long, List<Long>> frames, Map<Long, List<Long>> walks, int strings,
                              List<List<Long>> table) {
        assertEquals(6, a.size());
        List<Long> f = (List<Long>) a.get(3);
        assertEquals(0, f.size() % 7);
        for (int i = 0; i < f.size(); i += 7) {
            if (f.get(i + 1) < 0 || f.get(i + 2) == 0) {
                walks.remove(f.get(i));
            }
            if (f.get(i + 1) < 0) {
                frames.remove(f.get(i));
            } else {
                assertTrue(f.get(i + 4) < strings, "flags name a string loaded");
                frames.put(f.get(i), List.of(f.get(i + 1), f.get(i + 2)));
            }
        }
        List<Long> c = (List<Long>) a.get(4);
        for (int i = 0; i < c.size(); i += 2) {
            assertTrue(c.get(i) < strings, "a counter names a string loaded");
        }
        List<Long> w = (List<Long>) a.get(5);
        for (int i = 0; i < w.size(); i += 2) {
            assertTrue(w.get(i + 1) < table.size(), "a walk loaded");
            walks.put(w.get(i), table.get(w.get(i + 1).intValue()));
        }
    }
}
