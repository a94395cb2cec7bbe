package org.rmaplab.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.cost.ArchProfile;
import org.rmaplab.cost.CostModel;
import org.rmaplab.cost.Meter;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mm;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * Every committed real trace (traces/*.strace) converts to the same scenario as always (exact
 * counts: a regression pin; those that can be counted in the trace's text are, beside it) and runs under every design with the oracle: after every call for python3 and prefork
 * (threads, vfork, fork, COW, mremap), at the end for make-gcc and sh-pipeline (to stay fast). At the end every traced task has exited: only t1's empty mm is left.
 */
class TraceCorpusTest {

    /**
     * vmasPeak and mmsPeak are peaks inside calls too (the Meter hears of every growth): an exec
     * holds the new mm beside the old one until exec_mmap drops it (one mm more than after any
     * call), an mremap move holds the old and the new vma.
     */
    record Expected(String name, CheckPolicy check, String counts, int vmasPeak, int mmsPeak) {}

    static final List<Expected> TRACES = List.of(
            new Expected("make-gcc", CheckPolicy.END, "{brk=187, execs=19, exits=19, file_mmaps=414, files=28, mmaps=560, "
                    + "mprotect=82, munmap=28, pages_read=10065, pages_written=6749, reads=332, skipped=38, tasks=19, "
                    + "vforks=18, writes=363}", 154, 7),
            new Expected("sh-pipeline", CheckPolicy.END, "{brk=15, execs=5, exits=5, file_mmaps=85, files=17, forks=4, "
                    + "mmaps=102, mprotect=7, munmap=6, pages_read=1354, pages_written=355, reads=78, skipped=10, tasks=5, "
                    + "writes=29}", 109, 7),
            new Expected("python3", CheckPolicy.EVERY, "{brk=15, execs=2, exits=3, file_mmaps=24, files=7, madvise=1, "
                    + "mmaps=40, mprotect=7, munmap=7, pages_read=634, pages_written=814, reads=19, skipped=4, tasks=3, "
                    + "threads=1, vforks=1, writes=29}", 39, 4),
            new Expected("prefork", CheckPolicy.EVERY, "{brk=7, execs=1, exits=5, file_mmaps=5, files=2, forks=4, mmaps=45, "
                    + "mprotect=1, mremap=32, munmap=37, pages_read=175, pages_written=4669, reads=4, skipped=2, tasks=5, "
                    + "writes=78}", 54, 6),
            // realloc-snap: 65 mremap lines, 5 of them the arena's in-place attempt failing ENOMEM
            // (converted with expect ENOMEM, counted in errors, not in mremap); forks=3 snapshots.
            new Expected("realloc-snap", CheckPolicy.EVERY, "{brk=3, errors=5, execs=1, exits=4, file_mmaps=5, files=2, "
                    + "forks=3, mmaps=25, mprotect=1, mremap=60, munmap=8, pages_read=175, pages_written=1389, reads=4, "
                    + "skipped=2, tasks=4, writes=82}", 33, 3),
            new Expected("py-bgsave", CheckPolicy.EVERY, "{brk=13, execs=1, exits=3, file_mmaps=19, files=7, forks=2, "
                    + "mmaps=30, mprotect=4, mremap=17, munmap=6, pages_read=459, pages_written=1104, reads=15, "
                    + "skipped=2, tasks=3, writes=39}", 61, 3));

    @Test
    void theListIsWhatIsCommitted() throws IOException {
        List<String> onDisk = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("traces"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".strace")).sorted()
                    .forEach(n -> onDisk.add(n.substring(0, n.length() - ".strace".length())));
        }
        assertEquals(onDisk, Traces.NAMES.stream().sorted().toList());
        assertEquals(TRACES.stream().map(Expected::name).toList(), Traces.NAMES);
        for (String n : Traces.NAMES) {
            assertEquals(Files.readString(Path.of(Traces.path(n))), Traces.text(n), n + ": the jar's copy differs");
            // make-gcc is about 380 kB: cc1's stat and openat calls on headers, traced for the file sizes.
            assertTrue(Files.size(Path.of(Traces.path(n))) < 400_000, n + " is too big for the repository");
        }
    }

    @TestFactory
    Stream<DynamicTest> everyTraceUnderEveryDesign() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Expected e : TRACES) {
            TraceConverter.Result conv = Traces.convert(e.name(), TraceConverter.Options.DEFAULT);
            tests.add(DynamicTest.dynamicTest(e.name() + " converts", () -> {
                assertEquals(e.counts(), new java.util.TreeMap<>(conv.counts()).toString(),
                        "regression pin: the conversion's counts moved (the derived check below says which are right)");
                assertTrue(conv.scenario().contains("# " + e.counts() + "\n"));
                // Derived: every brk, munmap, mremap, madvise and mmap the trace shows is converted, once:
                // each count is the number of the trace's lines that start the call (strace's
                // "<... NAME resumed>" lines finish one and are not counted).
                for (String[] c : new String[][] {{"brk", "brk"}, {"munmap", "munmap"}, {"mremap", "mremap"},
                    {"madvise", "madvise"}, {"mmaps", "mmap"}}) {
                    // A failed call is counted in errors instead (realloc-snap's mremaps: ENOMEM), its
                    // result on the line that starts it or on its "<... NAME resumed>" line.
                    long lines = Traces.text(e.name()).lines().filter(l -> l.contains(" " + c[1] + "(")).count();
                    long failed = Traces.text(e.name()).lines().filter(l -> (l.contains(" " + c[1] + "(")
                            || l.contains("<... " + c[1] + " resumed>")) && l.contains(" = -1 ")).count();
                    assertEquals(lines - failed, conv.count(c[0]), e.name() + " " + c[0]);
                }
            }));
            for (String d : RmapDesigns.names()) {
                tests.add(DynamicTest.dynamicTest(e.name() + " [" + d + "]", () -> {
                    Scenario sc = ScenarioParser.parse(Traces.path(e.name()) + ".vms", conv.scenario());
                    Machine k = new Machine(sc.machine(), RmapDesigns.create(d));
                    CheckedSyscalls c = new CheckedSyscalls(k, e.check());
                    Meter meter = new Meter(c, k, ArchProfile.of(sc.machine().arch()));
                    RunResult r = new ScenarioRunner((dd, m) -> meter).run(sc, d);
                    assertTrue(r.passed(), () -> String.join("\n", r.report()));
                    c.finish();
                    // Every traced task exited: t1's empty mm is all that is left, and no page is mapped.
                    assertEquals(1, k.mms().size());
                    for (Mm mm : k.mms()) {
                        assertEquals(0, mm.mapCount());
                    }
                    int mapped = 0;
                    for (int pfn = 0; pfn < k.frames().nrFrames(); pfn++) {
                        mapped += k.frames().mapcount[pfn];
                    }
                    assertEquals(0, mapped);
                    Map<String, String> row = CostModel.costs(d, meter);
                    assertEquals(e.mmsPeak(), Integer.parseInt(row.get("mms_peak")));
                    if (d.equals("anon_vma_chain")) {
                        assertEquals(e.vmasPeak(), Integer.parseInt(row.get("vmas_peak")));
                    }
                }));
            }
        }
        return tests.stream();
    }

    /**
     * The other choices (files skipped, files as anonymous memory, vfork as fork, no accesses)
     * convert and run too, checked at the end.
     */
    @TestFactory
    Stream<DynamicTest> everyTraceWithTheOtherOptions() {
        List<TraceConverter.Options> variants = List.of(
                new TraceConverter.Options(TraceConverter.Touch.WRITE_NEW, 64, TraceConverter.Files.SKIP, false),
                new TraceConverter.Options(TraceConverter.Touch.WRITE_NEW, 64, TraceConverter.Files.ANON, false),
                new TraceConverter.Options(TraceConverter.Touch.NONE, 64, TraceConverter.Files.FILE, true));
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : Traces.NAMES) {
            for (TraceConverter.Options opt : variants) {
                TraceConverter.Result conv = Traces.convert(name, opt);
                for (String d : RmapDesigns.names()) {
                    tests.add(DynamicTest.dynamicTest(name + " " + opt.describe() + " [" + d + "]", () -> {
                        Scenario sc = ScenarioParser.parse(Traces.path(name) + ".vms", conv.scenario());
                        Machine k = new Machine(sc.machine(), RmapDesigns.create(d));
                        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.END);
                        RunResult r = new ScenarioRunner((dd, m) -> c).run(sc, d);
                        assertTrue(r.passed(), () -> String.join("\n", r.report()));
                        c.finish();
                        assertEquals(1, k.mms().size());
                        if (opt.files() != TraceConverter.Files.ANON) {
                            assertEquals(0, conv.count("files_as_anon"));
                        } else {
                            assertEquals(0, conv.count("file_mmaps"));
                            assertTrue(conv.count("files_as_anon") > 0);
                        }
                        if (opt.touch() == TraceConverter.Touch.NONE) {
                            assertEquals(0, conv.count("writes") + conv.count("reads"));
                            // --vfork fork: only the first task comes from t1.
                            assertEquals(1, conv.scenario().split("\nt1 fork as ", -1).length - 1);
                        }
                    }));
                }
            }
        }
        return tests.stream();
    }
}
