package org.rmaplab.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * Every committed perf trace (traces/perf/*.perf.gz) converts to the same scenario as always
 * (exact counts), replays at least 90% of its user page faults with the trace's write/read split,
 * and runs under every design with the oracle (after every call for sh-pipeline, at the end for
 * the others, to stay fast); at the end every traced task has exited.
 */
class PerfCorpusTest {

    record Expected(String name, CheckPolicy check, String counts) {}

    static final List<Expected> TRACES = List.of(
            new Expected("make-gcc", CheckPolicy.END, "{brk=188, execs=19, exits=19, "
                    + "fault_touch_lines=3016, fault_write_lines=2762, faults=11173, faults_unplaced=45, "
                    + "faults_writing=8083, file_growths=15, file_mmaps=566, files=35, mmaps=749, mprotect=120, munmap=28, "
                    + "replayed_reads=3045, replayed_writes=8083, tasks=19, vforks=18}"),
            new Expected("sh-pipeline", CheckPolicy.EVERY, "{brk=15, execs=5, exits=5, "
                    + "fault_touch_lines=281, fault_write_lines=168, faults=483, faults_unplaced=5, "
                    + "faults_writing=197, file_growths=1, file_mmaps=125, files=23, forks=4, mmaps=149, mprotect=17, "
                    + "munmap=6, replayed_reads=281, replayed_writes=197, tasks=5}"),
            new Expected("python3-fork", CheckPolicy.END, "{brk=18, execs=1, exits=6, "
                    + "fault_touch_lines=311, fault_write_lines=3874, faults=4542, faults_unplaced=5, "
                    + "faults_writing=4223, file_growths=5, file_mmaps=59, files=21, forks=2, madvise=3, mmaps=81, "
                    + "mprotect=18, munmap=17, replayed_reads=314, replayed_writes=4223, tasks=6, threads=3}"),
            new Expected("jvm", CheckPolicy.END, "{brk=4, execs=1, exits=18, "
                    + "fault_touch_lines=409, fault_write_lines=868, faults=4711, faults_unplaced=4, "
                    + "faults_writing=4296, file_growths=5, file_mmaps=70, files=29, madvise=7, mmaps=179, mprotect=258, "
                    + "munmap=15, replayed_reads=411, replayed_writes=4296, tasks=18, threads=17}"),
            new Expected("prefork", CheckPolicy.END, "{brk=7, execs=1, exits=5, "
                    + "fault_touch_lines=82, fault_write_lines=1336, faults=4946, faults_unplaced=1, "
                    + "faults_writing=4863, file_mmaps=13, files=4, forks=4, mmaps=54, mprotect=3, mremap=32, munmap=37, "
                    + "replayed_reads=82, replayed_writes=4863, tasks=5}"),
            // From the trace's text (zcat | grep page_fault_user): 300 faults, 191 with bit 1 of
            // error_code set (137 at 0x6, 54 at 0x7); the one not replayed is in [vdso]. 5 forks
            // (4 workers, the client), 6 exits (the 4 workers killed by SIGTERM among them);
            // mmaps 18 = 9 made by execve (stack, the binary's 4, ld.so's 4) + 9 sys_enter_mmap,
            // 5 of them of fd 3 (ld.so.cache, libc's 4), with the execve's 8: file_mmaps=13; the
            // 0x61000-byte anonymous mmap is the 384 KiB response cache.
            new Expected("prefork-server", CheckPolicy.END, "{brk=3, execs=1, exits=6, "
                    + "fault_touch_lines=107, fault_write_lines=79, faults=300, faults_unplaced=1, "
                    + "faults_writing=191, file_mmaps=13, files=4, forks=5, mmaps=18, mprotect=3, munmap=2, "
                    + "replayed_reads=108, replayed_writes=191, tasks=6}"),
            // realloc-snap: 60 mremaps that succeeded and 5 that failed ENOMEM (errors=5), 3 snapshot forks.
            new Expected("realloc-snap", CheckPolicy.EVERY, "{brk=3, errors=5, execs=1, exits=4, fault_touch_lines=63, "
                    + "fault_write_lines=146, faults=1384, faults_unplaced=1, faults_writing=1320, file_mmaps=13, "
                    + "files=4, forks=3, mmaps=34, mprotect=3, mremap=60, munmap=8, replayed_reads=63, "
                    + "replayed_writes=1320, tasks=4}"),
            new Expected("py-bgsave", CheckPolicy.END, "{brk=13, execs=1, exits=3, fault_touch_lines=209, "
                    + "fault_write_lines=1311, faults=2407, faults_unplaced=5, faults_writing=2193, file_growths=4, "
                    + "file_mmaps=27, files=9, forks=2, mmaps=40, mprotect=6, mremap=17, munmap=6, replayed_reads=209, "
                    + "replayed_writes=2193, tasks=3}"));

    private static final Pattern FAULT = Pattern.compile("exceptions:page_fault_user: .* error_code=0x([0-9a-f]+)\n");

    @Test
    void theListIsWhatIsCommitted() throws IOException {
        List<String> onDisk = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("traces/perf"))) {
            // Sorted by name, not by file name: "prefork-server.perf.gz" sorts before "prefork.perf.gz".
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".perf.gz"))
                    .map(n -> n.substring(0, n.length() - ".perf.gz".length())).sorted().forEach(onDisk::add);
        }
        assertEquals(onDisk, Traces.PERF_NAMES.stream().sorted().toList());
        assertEquals(TRACES.stream().map(Expected::name).toList(), Traces.PERF_NAMES);
        long total = 0;
        for (String n : Traces.PERF_NAMES) {
            Path p = Path.of(Traces.perfPath(n));
            try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
                assertEquals(new String(in.readAllBytes(), StandardCharsets.UTF_8), Traces.perfText(n),
                        n + ": the jar's copy differs");
            }
            total += Files.size(p);
        }
        assertTrue(total < 3_000_000, "the perf corpus is a few MB at most: " + total);
    }

    @TestFactory
    Stream<DynamicTest> everyTraceUnderEveryDesign() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Expected e : TRACES) {
            String text = Traces.perfText(e.name());
            TraceConverter.Result conv = TraceConverter.convert(Traces.perfPath(e.name()), text,
                    TraceConverter.Options.DEFAULT);
            tests.add(DynamicTest.dynamicTest(e.name() + " converts, its faults replayed", () -> {
                assertEquals(e.counts(), new TreeMap<>(conv.counts()).toString());
                // The trace's own faults, counted from its text: all, and those with bit 1 (write).
                int faults = 0;
                int writes = 0;
                Matcher m = FAULT.matcher(text);
                while (m.find()) {
                    faults++;
                    writes += (Integer.parseInt(m.group(1), 16) & 2) != 0 ? 1 : 0;
                }
                assertEquals(faults, conv.count("faults"));
                assertEquals(writes, conv.count("faults_writing"));
                int replayed = conv.count("replayed_writes") + conv.count("replayed_reads");
                assertEquals(faults, replayed + conv.count("faults_unplaced"), "each fault replayed or counted");
                assertTrue(replayed >= 0.9 * faults, replayed + " of " + faults + " replayed");
                // The faults not replayed are all reads (in [vdso]/[vvar], read-only), so the
                // replayed writes are the trace's writes, and the reads its other reads.
                assertEquals(writes, conv.count("replayed_writes"));
                assertEquals(faults - writes - conv.count("faults_unplaced"), conv.count("replayed_reads"));
            }));
            for (String d : RmapDesigns.names()) {
                tests.add(DynamicTest.dynamicTest(e.name() + " [" + d + "]", () -> {
                    Scenario sc = ScenarioParser.parse(Traces.perfPath(e.name()) + ".vms", conv.scenario());
                    Machine k = new Machine(sc.machine(), RmapDesigns.create(d));
                    CheckedSyscalls c = new CheckedSyscalls(k, e.check());
                    RunResult r = new ScenarioRunner((dd, mm) -> c).run(sc, d);
                    assertTrue(r.passed(), () -> String.join("\n", r.report()));
                    c.finish();
                    assertEquals(1, k.mms().size(), "every traced task exited: only t1's mm is left");
                }));
            }
        }
        return tests.stream();
    }

    /**
     * The other choices (file mappings skipped or anonymous, vfork as fork) convert and run too,
     * checked at the end. With --files skip the faults in file mappings are not replayed, and are
     * counted: every fault is still replayed or counted.
     */
    @TestFactory
    Stream<DynamicTest> theOtherOptions() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : List.of("sh-pipeline", "prefork")) {
            for (TraceConverter.Options opt : List.of(
                    new TraceConverter.Options(TraceConverter.Touch.NONE, 64, TraceConverter.Files.SKIP, false),
                    new TraceConverter.Options(TraceConverter.Touch.NONE, 64, TraceConverter.Files.ANON, false),
                    new TraceConverter.Options(TraceConverter.Touch.NONE, 64, TraceConverter.Files.FILE, true))) {
                TraceConverter.Result conv = Traces.convertPerf(name, opt);
                for (String d : RmapDesigns.names()) {
                    tests.add(DynamicTest.dynamicTest(name + " " + opt.describe() + " [" + d + "]", () -> {
                        assertEquals(conv.count("faults"), conv.count("replayed_writes") + conv.count("replayed_reads")
                                + conv.count("faults_unplaced"));
                        if (opt.files() == TraceConverter.Files.SKIP) {
                            assertTrue(conv.scenario().contains(" in a file mapping --files skip skipped (first at"));
                        }
                        Scenario sc = ScenarioParser.parse(Traces.perfPath(name) + ".vms", conv.scenario());
                        Machine k = new Machine(sc.machine(), RmapDesigns.create(d));
                        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.END);
                        RunResult r = new ScenarioRunner((dd, mm) -> c).run(sc, d);
                        assertTrue(r.passed(), () -> String.join("\n", r.report()));
                        c.finish();
                        assertEquals(1, k.mms().size());
                    }));
                }
            }
        }
        return tests.stream();
    }
}
