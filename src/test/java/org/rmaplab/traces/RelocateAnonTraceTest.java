package org.rmaplab.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.RmapStats;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;

/**
 * {@code rmaplab trace convert --relocate-anon} (Stoakes' flag on every move), and the traces
 * recorded for their mremap calls ({@link Traces#MREMAP_NAMES}) under the anon_vma_chain variants
 * with the oracle after every call.
 */
class RelocateAnonTraceTest {
    private static final TraceConverter.Options RELOC = TraceConverter.Options.DEFAULT.relocatingAnon();

    @Test
    void onlyMovesOfAnonymousMemoryGetTheFlag() {
        String trace = String.join("\n",
                "1 mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
                // moved: the flag
                "1 mremap(0x7f0000000000, 65536, 131072, MREMAP_MAYMOVE) = 0x7f0000100000",
                // MAYMOVE, but grown in place: no move, no flag
                "1 mremap(0x7f0000100000, 131072, 196608, MREMAP_MAYMOVE) = 0x7f0000100000",
                // in place without MAYMOVE: the flag would be EINVAL (it needs MAYMOVE)
                "1 mremap(0x7f0000100000, 196608, 262144, 0) = 0x7f0000100000",
                // a failed move: not replayed as a move, no flag
                "1 mremap(0x7f0000100000, 262144, 327680, MREMAP_MAYMOVE) = -1 EFAULT (Bad address)",
                // a private file mapping moved: not anonymous, no flag
                "1 openat(AT_FDCWD, \"/tmp/f\", O_RDONLY) = 3",
                "1 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f0000300000",
                "1 mremap(0x7f0000300000, 8192, 16384, MREMAP_MAYMOVE) = 0x7f0000400000",
                "1 exit_group(0) = ?", "1 +++ exited with 0 +++", "");
        TraceConverter.Result r = TraceConverter.convert("t.strace", trace,
                new TraceConverter.Options(TraceConverter.Touch.NONE, 64, TraceConverter.Files.FILE, false, true));
        String s = r.scenario();
        assertTrue(s.contains("p1 mremap M1 16p 32p maymove|relocate_anon as M2"), s);
        assertTrue(s.contains("p1 mremap M2 32p 48p maymove as M3"), s);
        assertTrue(s.contains("p1 mremap M3 48p 64p 0 expect M3"), s);
        assertTrue(s.contains("p1 mremap M3 64p 80p maymove expect EFAULT"), s);
        assertTrue(s.contains("p1 mremap M4 2p 4p maymove as M5"), s);
        assertEquals(1, s.split("\\|relocate_anon", -1).length - 1, s);
        assertEquals(1, r.count("relocate_anon"));
        assertTrue(s.contains("# Options: --touch none --touch-cap 64 --files file --vfork empty --relocate-anon."), s);
        // Without the option, the same lines without the flag.
        TraceConverter.Result plain = TraceConverter.convert("t.strace", trace,
                new TraceConverter.Options(TraceConverter.Touch.NONE, 64, TraceConverter.Files.FILE, false));
        assertEquals(s.replace("|relocate_anon", "").replace(" --relocate-anon", "")
                .replace(", relocate_anon=1", ""), plain.scenario());
    }

    /**
     * The successful mremap(OLD, OLDLEN, NEWLEN, MREMAP_MAYMOVE) calls of strace trace T that
     * returned another address than OLD (the parsed calls: prefork's workers interleave, so strace
     * splits calls into unfinished and resumed lines).
     */
    private static int movesOfAnon(String t) {
        int n = 0;
        for (StraceParser.Call c : StraceParser.read(Traces.path(t), Traces.text(t)).calls()) {
            if (c.name().equals("mremap") && !c.failed()) {
                StraceArgs a = new StraceArgs(Traces.path(t), c);
                n += a.get(3).equals("MREMAP_MAYMOVE") && c.result() != a.num(0) ? 1 : 0;
            }
        }
        return n;
    }

    @TestFactory
    Stream<DynamicTest> mremapTracesUnderTheVariants() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String t : Traces.MREMAP_NAMES) {
            TraceConverter.Result plain = Traces.convert(t, TraceConverter.Options.DEFAULT);
            TraceConverter.Result reloc = Traces.convert(t, RELOC);
            TraceConverter.Result perfReloc = Traces.convertPerf(t, RELOC);
            tests.add(DynamicTest.dynamicTest(t + ": every move of anonymous memory flagged", () -> {
                // Every mremap these programs make is of anonymous memory (malloc'd chunks, their own
                // mmaps), so every one the trace shows moved is flagged.
                int moves = movesOfAnon(t);
                assertTrue(moves > 0, t);
                assertEquals(moves, reloc.count("relocate_anon"));
                assertEquals(0, plain.count("relocate_anon"));
                assertTrue(perfReloc.count("relocate_anon") > 0);
            }));
            for (String d : List.of("anon_vma_chain:matena", "anon_vma_chain:relocate", "anon_vma_chain", "lokier")) {
                tests.add(DynamicTest.dynamicTest(t + " [" + d + "]", () -> run(t, plain.scenario(), d, true)));
            }
            tests.add(DynamicTest.dynamicTest(t + " --relocate-anon [anon_vma_chain:relocate]", () -> {
                // should_relocate_anon() is asked once per vma moved by a flagged call: relocates
                // (asked), falls back, or finds no anon_vma yet; without the flag it is never asked.
                for (TraceConverter.Result r : List.of(reloc, perfReloc)) {
                    RmapStats st = run(t, r.scenario(), "anon_vma_chain:relocate", true);
                    assertTrue(st.relocateAsked > 0, t);
                    assertTrue(st.relocateAsked + st.relocateFallbackShared + st.relocateFallbackNotAnon
                            <= 2L * r.count("relocate_anon"), t);
                    assertTrue(st.relocateDone + st.relocateNotNeeded <= st.relocateAsked, t);
                    assertTrue(st.relocatePtesWalked >= st.relocateFoliosRewritten, t);
                }
                RmapStats none = run(t, plain.scenario(), "anon_vma_chain:relocate", true);
                assertEquals(0, none.relocateAsked + none.relocateFallbackShared + none.relocateFallbackNotAnon);
            }));
            // For the relocate variant only: anywhere else the flag is EINVAL, and the expectations fail.
            tests.add(DynamicTest.dynamicTest(t + " --relocate-anon [anon_vma_chain]",
                    () -> run(t, reloc.scenario(), "anon_vma_chain", false)));
        }
        return tests.stream();
    }

    /** TEXT (of trace T) under DESIGN, the oracle after every call: passes iff PASS; the design's stats. */
    private static RmapStats run(String t, String text, String design, boolean pass) {
        Scenario sc = ScenarioParser.parse(Traces.path(t) + ".vms", text);
        Machine k = new Machine(sc.machine(), RmapDesigns.create(design));
        CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.EVERY);
        if (!pass) {
            // The first flagged move is EINVAL ("expect" an address: a failed expectation), and the
            // next line that uses the name it would have bound ends the run.
            RuntimeException e = assertThrows(RuntimeException.class, () -> new ScenarioRunner((dd, mm) -> c).run(sc, design));
            assertTrue(e.getMessage().contains("that binds it failed"), e.getMessage());
            return k.design().stats();
        }
        RunResult r = new ScenarioRunner((dd, mm) -> c).run(sc, design);
        assertTrue(r.passed(), () -> String.join("\n", r.report()));
        c.finish();
        assertEquals(1, k.mms().size(), "every traced task exited");
        return k.design().stats();
    }
}
