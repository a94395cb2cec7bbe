package org.rmaplab.workloads;

import org.rmaplab.report.Findings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.rmap.avc.AnonVmaChainDesign;
import org.rmaplab.rmap.lokier.LokierDesign;

/**
 * Every named workload runs under every design with the oracle after every call, and the numbers
 * of the new workloads that can be worked out by hand are pinned.
 */
class WorkloadsTest {

    static Map<String, Long> p(Object... kv) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], ((Number) kv[i + 1]).longValue());
        }
        return m;
    }

    /** Small cases: every workload at least once (checked by {@link #everyWorkloadHasASmallCase}). */
    static final List<Map.Entry<String, Map<String, Long>>> SMALL = List.of(
            Map.entry("fork-fanout", p("children", 3, "pages", 4)),
            Map.entry("fork-fanout", p("children", 3, "pages", 2, "parent_exits", 1)),
            Map.entry("fork-fanout", p("children", 3, "pages", 2, "parent_cows", 1)),
            Map.entry("fork-fanout", p("children", 2, "pages", 3, "parent_cows", 1, "parent_exits", 1)),
            Map.entry("fork-tree", p("depth", 2, "fanout", 2, "pages", 3, "cow", 2)),
            Map.entry("fork-tree", p("depth", 3, "fanout", 1, "pages", 2, "cow", 0, "reclaim", 0)),
            Map.entry("realloc-growth", p("pages", 2, "rounds", 3, "children", 1)),
            Map.entry("prefork-server", p("workers", 3, "heap", 8, "cow", 4, "rounds", 2)),
            Map.entry("shared-segment", p("tasks", 4, "pages", 8)),
            Map.entry("mlocked-segment", p("tasks", 4, "pages", 8, "munlock", 2)),
            Map.entry("fork-without-exec", p("children", 3, "pages", 8, "rounds", 20)),
            Map.entry("fork-without-exec", p("children", 2, "pages", 4, "rounds", 20, "seed", 5, "reclaim", 0)),
            Map.entry("mremap-after-fork", p("children", 3, "pages", 4, "rounds", 2, "cow", 1)),
            Map.entry("threaded-server", p("threads", 3, "requests", 24, "pages", 3)),
            Map.entry("gc-compact", p("objects", 6, "rounds", 3)),
            Map.entry("gc-compact", p("objects", 6, "rounds", 3, "run", 0, "snapshot", 2, "snapshot_rounds", 1)),
            Map.entry("gc-compact", p("objects", 5, "rounds", 3, "die", 30, "snapshot", 1, "snapshot_rounds", 3)),
            Map.entry("zgc-remap", p("objects", 6, "rounds", 3)),
            Map.entry("zgc-remap", p("objects", 6, "rounds", 3, "faulted", 50, "snapshot", 2, "snapshot_rounds", 1)),
            Map.entry("anon-vma-growth", p("depth", 6, "pages", 3, "reclaim", 1)),
            Map.entry("anon-vma-growth", p("depth", 5, "pages", 3, "cow", 2, "parent_exits", 0)),
            Map.entry("split-growth", p("pages", 4, "factor", 8, "move_every", 3)),
            Map.entry("split-growth", p("pages", 2, "factor", 16, "step", 3)),
            Map.entry("rmap-test", p("tasks", 3, "vmas", 3, "pages", 2)),
            Map.entry("rmap-test", p("tasks", 2, "vmas", 2, "pages", 1, "iters", 2, "pressure", 1)),
            Map.entry("rmap-test", p("tasks", 1, "vmas", 3, "pages", 2)),
            Map.entry("db-segment", p("tasks", 3, "windows", 4, "window_pages", 2, "segment_pages", 16)),
            Map.entry("db-segment", p("tasks", 3, "windows", 4, "window_pages", 2, "segment_pages", 16, "remap", 1)),
            Map.entry("db-segment", p("tasks", 3, "windows", 4, "window_pages", 2, "segment_pages", 16, "remap", 1,
                    "mlock", 1)),
            Map.entry("db-segment", p("tasks", 2, "windows", 8, "window_pages", 1, "segment_pages", 8, "remap", 1,
                    "truncate", 2)),
            Map.entry("db-segment", p("tasks", 2, "windows", 4, "window_pages", 2, "segment_pages", 16, "mlock", 1,
                    "truncate", 1)));

    static Stream<Arguments> cases() {
        List<Arguments> a = new ArrayList<>();
        for (Map.Entry<String, Map<String, Long>> c : SMALL) {
            for (String d : RmapDesigns.names()) {
                a.add(Arguments.of(c.getKey(), c.getValue(), d));
            }
        }
        return a.stream();
    }

    @ParameterizedTest(name = "{0} {1} [{2}]")
    @MethodSource("cases")
    void runsCheckedAfterEveryCall(String workload, Map<String, Long> params, String design) {
        // measure() throws if an expectation fails or the oracle finds a violated invariant.
        Findings.Run r = Findings.measure(workload, params, () -> RmapDesigns.create(design), "x86_64",
                CheckPolicy.EVERY);
        assertTrue(r.text().lines().anyMatch(l -> l.contains(" expect ")), workload + " states expectations");
    }

    @Test
    void everyWorkloadHasASmallCase() {
        Set<String> covered = new TreeSet<>();
        SMALL.forEach(e -> covered.add(e.getKey()));
        Set<String> all = new TreeSet<>();
        Workloads.ALL.forEach(w -> all.add(w.name()));
        assertEquals(all, covered);
    }

    @Test
    void generationIsDeterministicAndSeeded() {
        for (Workload w : Workloads.ALL) {
            assertEquals(w.generate(Map.of()), w.generate(Map.of()), w.name());
            assertTrue(w.description().length() > 20, w.name());
            if (w.params().stream().anyMatch(q -> q.name().equals("seed"))) {
                assertNotEquals(w.generate(Map.of("seed", 1L)), w.generate(Map.of("seed", 2L)), w.name());
            }
        }
    }

    @Test
    void badParametersAreRefused() {
        Workload gc = Workloads.find("gc-compact").orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gc.generate(p("rounds", 2, "snapshot", 3)));
        assertEquals("--param snapshot=3 is after the last round (2)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> gc.generate(p("die", 101)));
        assertThrows(IllegalArgumentException.class, () -> gc.generate(p("colour", 1)));
        assertThrows(IllegalArgumentException.class,
                () -> Workloads.find("mremap-after-fork").orElseThrow().generate(p("pages", 4, "cow", 5)));
        assertThrows(IllegalArgumentException.class,
                () -> Workloads.find("anon-vma-growth").orElseThrow().generate(p("pages", 4, "cow", 5)));
        e = assertThrows(IllegalArgumentException.class,
                () -> Workloads.find("split-growth").orElseThrow().generate(p("pages", 4096, "factor", 4096)));
        assertTrue(e.getMessage().startsWith("split-growth would make 16773120 mremap calls"), e.getMessage());
    }

    static Findings.Run run(String workload, Map<String, Long> params, String design) {
        return Findings.measure(workload, params, () -> RmapDesigns.create(design), "x86_64", CheckPolicy.END);
    }

    /**
     * mremap after fork under anonmm (Linus's rule): the parent moves first and finds every page
     * not COWed by the children mapped N+1 times: P - COW early COWs; each child then finds the
     * same pages mapped by the children still to move, until the last, which owns them: N x (P - COW)
     * in all. A second round finds every page exclusive. The other designs move ptes and COW nothing;
     * every design copies the N x COW pages the children write.
     */
    @Test
    void mremapAfterForkCowsUnderAnonmm() {
        long[][] cases = {{1, 8, 1, 0}, {4, 16, 2, 0}, {3, 8, 1, 5}, {8, 4, 1, 4}};
        for (long[] c : cases) {
            Map<String, Long> pr = p("children", c[0], "pages", c[1], "rounds", c[2], "cow", c[3]);
            long cows = c[0] * (c[1] - c[3]);
            Findings.Run mm = run("mremap-after-fork", pr, "anonmm");
            assertEquals(cows, mm.cost("mremap_cows"), pr.toString());
            assertEquals(cows + c[0] * c[3], mm.machine("cow_copies"), pr.toString());
            for (String d : List.of("anon_vma_chain", "anon_vma", "pte_chains", "lokier")) {
                Findings.Run r = run("mremap-after-fork", pr, d);
                assertEquals(0, r.cost("mremap_cows"), d + " " + pr);
                assertEquals(c[0] * c[3], r.machine("cow_copies"), d + " " + pr);
            }
        }
    }

    /**
     * gc-compact without a snapshot child and with no deaths: OBJECTS new objects a round, all
     * surviving, so round r moves r x OBJECTS pages: 8 + 16 + 24 = 48 for 8 objects and 3 rounds,
     * with no copy and no EBUSY, under every design. In runs: one uffd_move in round 1 (the
     * nursery), two after (the last to-space, then the nursery): 5 calls; page by page, 48.
     */
    /**
     * zgc-remap, one round of 4 objects, all written, none dying: the to-space T1 (4 pages,
     * PROT_NONE) is mapped right below the nursery; object i moves alone to T1+i. Object 0's
     * copy has no neighbour of its flags; objects 1-3 each join the vma before them: 3 merges,
     * one vma at the end, under today's rule (same anon_vma, old pgoffs contiguous) and under
     * Matěna's (pgoffs of the new addresses, contiguous too), where each of the 4 moves adjusted
     * its pgoff (the nursery's anon_vma is its own root, its tree only the nursery's pieces) and
     * rewrote its one page, and the 3 merges were made at adjusted pgoffs. No merge test failed.
     * With deaths and a snapshot child, the variant never leaves more vmas than today's design.
     */
    @Test
    void zgcRemapMergesMovedObjects() {
        Map<String, Long> one = p("objects", 4, "rounds", 1, "die", 0, "faulted", 100);
        for (String d : List.of("anon_vma_chain", "anon_vma_chain:matena")) {
            Findings.Run r = run("zgc-remap", one, d);
            assertEquals(3, r.machine("vma_merges"), d);
            assertEquals(0, r.machine("vma_merge_fail_pgoff") + r.machine("vma_merge_fail_anon_vma")
                    + r.machine("vma_merge_fail_shared"), d);
            assertEquals(4, r.lines("t1 mremap"), d);
        }
        Findings.Run m = run("zgc-remap", one, "anon_vma_chain:matena");
        assertEquals(4, m.machine("matena_pgoff_updates"));
        assertEquals(4, m.machine("matena_pages_updated"));
        assertEquals(3, m.machine("vma_merges_matena"));
        Map<String, Long> busy = p("objects", 16, "rounds", 4, "die", 40, "faulted", 60, "snapshot", 2, "seed", 3);
        long today = run("zgc-remap", busy, "anon_vma_chain").cost("vmas_peak");
        long matena = run("zgc-remap", busy, "anon_vma_chain:matena").cost("vmas_peak");
        assertTrue(matena <= today, matena + " > " + today);
    }

    /**
     * zgc-remap with relocate=1 (MREMAP_RELOCATE_ANON on every move) under anon_vma_chain:relocate,
     * 4 objects a round, all written, none dying, no snapshot child. Round 1: each of the 4 moves
     * is of an exclusive faulted one-page piece of N1 (an anon_vma, no fork) to T1+i, where
     * copy_vma() cannot merge at the old pgoff (T1+0 has no anonymous neighbour; T1+i's neighbour
     * T1+i-1 was relocated to the pgoff of its address): asked 4, relocated 4, one pte slot walked
     * and one folio rewritten per move (4, 4), and each move but the first re-merged with the vma
     * before it (3). Round 2: the 4 survivors (one vma in T1) then the 4 new objects move to
     * T2+0..7 the same way: 8 more asked, relocated, walked and rewritten, 7 more re-merged. Total
     * 12, 12, 10, 12, 12, nothing merged at the old pgoff (relocate_not_needed 0); the to-space is
     * one vma at the end. Today's anon_vma_chain with relocate=0 leaves T2 in two vmas (the N2
     * objects' pgoffs do not follow T1's), so more rmap bytes at the end, with 2 pgoff failures
     * counted pgoff first (Matěna's tracing): N2's mmap lands in N1's old hole just above T1 (one
     * vma at pgoff N1, 4 pages) at the pgoff of its address, N1+0 not N1+4; and N2's first object,
     * moved to T2+4 after T2+0..3 (pgoffs N1..N1+3, anon_vma N1's), has pgoff N2+0 and N2's
     * anon_vma — both rules refuse, counted as pgoff. With relocate=1 any
     * other design answers EINVAL (Linux 6.18's check_mremap_params()) and the run stops.
     */
    @Test
    void zgcRemapRelocateCounts() {
        Map<String, Long> one = p("objects", 4, "rounds", 1, "die", 0, "faulted", 100, "relocate", 1);
        Findings.Run r1 = run("zgc-remap", one, "anon_vma_chain:relocate");
        assertEquals(List.of(4L, 4L, 3L, 4L, 4L, 0L), relocation(r1));
        Map<String, Long> two = p("objects", 4, "rounds", 2, "die", 0, "faulted", 100, "relocate", 1);
        Findings.Run r2 = run("zgc-remap", two, "anon_vma_chain:relocate");
        assertEquals(List.of(12L, 12L, 10L, 12L, 12L, 0L), relocation(r2));
        Map<String, Long> today = new LinkedHashMap<>(two);
        today.put("relocate", 0L);
        Findings.Run t = run("zgc-remap", today, "anon_vma_chain");
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L, 0L), relocation(t));
        assertEquals(2, t.machine("vma_merge_fail_pgoff"));
        assertEquals(0, t.machine("vma_merge_fail_anon_vma") + t.machine("vma_merge_fail_shared"));
        assertTrue(r2.cost("rmap_bytes") < t.cost("rmap_bytes"), r2.cost("rmap_bytes") + " vs " + t.cost("rmap_bytes"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run("zgc-remap", one, "anon_vma_chain"));
        assertTrue(e.getMessage().contains("EINVAL"), e.getMessage());
    }

    /**
     * realloc-growth with relocate=1 under anon_vma_chain:relocate, a 2-page buffer doubled twice
     * (no reclaim): each growth must move (the guard page), the buffer is exclusive, so each asks
     * and relocates; round 1 walks the 2 present ptes of the 2-page buffer, round 2 the 4 of the
     * 4-page one (its grown half written in round 1): 6 walked, 6 rewritten. With a child forked
     * first, the buffer's anon_vma has a child: both growths fall back to ordinary moves
     * (relocate_fallback_shared 2) and nothing is walked.
     */
    @Test
    void reallocGrowthRelocateCounts() {
        Findings.Run r = run("realloc-growth", p("pages", 2, "rounds", 2, "reclaim", 0, "relocate", 1),
                "anon_vma_chain:relocate");
        assertEquals(List.of(2L, 2L, 6L, 6L, 0L, 0L), List.of(r.stat("relocate_asked"), r.stat("relocate_done"),
                r.stat("relocate_ptes_walked"), r.stat("relocate_folios_rewritten"), r.stat("relocate_not_needed"),
                r.stat("relocate_fallback_shared")));
        Findings.Run shared = run("realloc-growth", p("pages", 2, "rounds", 2, "reclaim", 0, "relocate", 1,
                "children", 1), "anon_vma_chain:relocate");
        assertEquals(2, shared.stat("relocate_fallback_shared"));
        assertEquals(0, shared.stat("relocate_asked"));
        assertEquals(0, shared.stat("relocate_ptes_walked"));
        // relocate=0 writes what it always wrote: no relocation flag, the header unchanged.
        String plain = Workloads.find("realloc-growth").orElseThrow().generate(p());
        assertTrue(plain.startsWith("# realloc-growth pages=4 rounds=6 children=0 reclaim=1\n"), plain);
        assertTrue(plain.lines().noneMatch(l -> l.contains("relocate")), plain);
    }

    /** relocate=1 cases under anon_vma_chain:relocate with the oracle after every call (snapshot, children, reclaim). */
    @Test
    void relocateCasesRunCheckedAfterEveryCall() {
        List<Map.Entry<String, Map<String, Long>>> cases = List.of(
                Map.entry("zgc-remap", p("objects", 6, "rounds", 3, "relocate", 1)),
                Map.entry("zgc-remap", p("objects", 8, "rounds", 4, "faulted", 50, "snapshot", 2, "snapshot_rounds", 2,
                        "relocate", 1)),
                Map.entry("realloc-growth", p("pages", 2, "rounds", 3, "relocate", 1)),
                Map.entry("realloc-growth", p("pages", 2, "rounds", 3, "children", 1, "relocate", 1)));
        for (Map.Entry<String, Map<String, Long>> c : cases) {
            Findings.Run r = Findings.measure(c.getKey(), c.getValue(), () -> RmapDesigns.create("anon_vma_chain:relocate"),
                    "x86_64", CheckPolicy.EVERY);
            assertTrue(r.lines("relocate_anon") > 0, c.toString());
        }
    }

    /** asked, done, merged, ptes walked, folios rewritten, not needed: MREMAP_RELOCATE_ANON's counters of R. */
    private static List<Long> relocation(Findings.Run r) {
        return List.of(r.cost("relocate_asked"), r.cost("relocate_done"), r.cost("relocate_merged"),
                r.cost("relocate_ptes_walked"), r.cost("relocate_folios_rewritten"), r.cost("relocate_not_needed"));
    }

    @Test
    void gcCompactMovesEveryLiveObjectWithoutCopies() {
        for (String d : RmapDesigns.names()) {
            Findings.Run r = run("gc-compact", p("objects", 8, "rounds", 3, "die", 0), d);
            assertEquals(48, r.machine("uffd_pages_moved"), d);
            assertEquals(0, r.machine("cow_copies"), d);
            assertEquals(0, r.lines("EBUSY"), d);
            assertEquals(5, r.lines("uffd_move"), d);
        }
        Findings.Run pageByPage = run("gc-compact", p("objects", 8, "rounds", 3, "die", 0, "run", 0), "anon_vma_chain");
        assertEquals(48, pageByPage.lines("uffd_move"));
        assertEquals(48, pageByPage.machine("uffd_pages_moved"));
        // Everything dies: nothing to move.
        assertEquals(0, run("gc-compact", p("die", 100), "anon_vma_chain").machine("uffd_pages_moved"));
        // With deaths: moves = the objects alive at each collection, each read back once after it.
        Findings.Run random = run("gc-compact", p("objects", 16, "rounds", 5, "die", 40, "seed", 9), "anonmm");
        assertEquals(random.lines("t1 read T"), random.machine("uffd_pages_moved"));
        assertEquals(0, random.machine("cow_copies"));
    }

    /**
     * A snapshot child forked in round 1 shares the 8 objects: every move is EBUSY and the
     * collector copies each into the to-space with UFFDIO_COPY (8 pages copied, 8 allocated, no
     * COW fault: nothing is written). Round 2 finds the survivors exclusive (they are the copies)
     * and moves the 8 old and 8 new objects: 16 moves, 8 copies, 8 EBUSY; the child's view stays
     * the fork's. Allocations: 16 objects + 8 copies.
     */
    @Test
    void gcCompactCopiesWhatTheSnapshotShares() {
        for (String d : RmapDesigns.names()) {
            Findings.Run r = run("gc-compact",
                    p("objects", 8, "rounds", 2, "die", 0, "snapshot", 1, "snapshot_rounds", 2), d);
            assertEquals(16, r.machine("uffd_pages_moved"), d);
            assertEquals(8, r.lines("expect EBUSY"), d);
            assertEquals(8, r.lines("uffd_copy"), d);
            assertEquals(8, r.machine("uffd_pages_copied"), d);
            assertEquals(0, r.machine("cow_copies"), d);
            assertEquals(24, r.machine("anon_pages_allocated"), d);
        }
        // With deaths and a child living past the fork round: every live object is moved or copied.
        Findings.Run random = run("gc-compact",
                p("objects", 16, "rounds", 5, "die", 40, "seed", 9, "snapshot", 2, "snapshot_rounds", 2), "anon_vma");
        assertEquals(random.lines("t1 read T"), random.machine("uffd_pages_moved") + random.machine("uffd_pages_copied"));
        assertEquals(random.lines("expect EBUSY"), random.machine("uffd_pages_copied"));
        assertTrue(random.machine("uffd_pages_copied") > 0);
    }

    /**
     * A fork chain with exiting parents (commit 7a3ef208e662). Without reuse every generation adds
     * an anon_vma that its descendants keep (their vma links to every ancestor): D + 1 anon_vmas and
     * D + 1 chains at the end. With reuse, generation g+2 takes generation g's anon_vma (no vma left,
     * one child): three at most. anon_vma (2.6.7): one for the whole family. With every generation
     * alive, vma g links to g + 1 anon_vmas: (D+1)(D+2)/2 chains, D + 1 anon_vmas either way.
     */
    @Test
    void anonVmaGrowthWithAndWithoutReuse() {
        for (long depth : new long[] {1, 2, 5, 16, 40}) {
            Map<String, Long> pr = p("depth", depth, "pages", 4, "cow", 1);
            Findings.Run reuse = Findings.measure("anon-vma-growth", pr, () -> new AnonVmaChainDesign(true), "x86_64",
                    CheckPolicy.END);
            Findings.Run noReuse = Findings.measure("anon-vma-growth", pr, () -> new AnonVmaChainDesign(false),
                    "x86_64", CheckPolicy.END);
            assertEquals(Math.min(depth + 1, 3), reuse.stat("anon_vma_alive"), "depth " + depth);
            assertEquals(Math.min(depth + 1, 3), reuse.stat("anon_vma_chain_alive"), "depth " + depth);
            assertEquals(depth + 1, noReuse.stat("anon_vma_alive"), "depth " + depth);
            assertEquals(depth + 1, noReuse.stat("anon_vma_chain_alive"), "depth " + depth);
            assertEquals(1, run("anon-vma-growth", pr, "anon_vma").stat("anon_vma_peak"));

            Map<String, Long> alive = p("depth", depth, "pages", 4, "cow", 1, "parent_exits", 0);
            Findings.Run all = run("anon-vma-growth", alive, "anon_vma_chain");
            assertEquals(depth + 1, all.stat("anon_vma_alive"));
            assertEquals((depth + 1) * (depth + 2) / 2, all.stat("anon_vma_chain_alive"));
            assertEquals(depth + 1, all.cost("mms_peak"));
        }
    }

    /**
     * split-growth, 16 pages grown one page at a time, under lokier with K = 1 and no minimum
     * reserve: mmap reserves K x 16 = 16 extra offsets, half above, so the region grows in place to
     * 24 pages; growing to 25 splits (a 1-page vma whose reservation holds K x 25 more), the next
     * at 51, then 103, 207, 415, 831, 1663, 3327 (S_k = 26 x 2^(k-1) - 1): 2 splits for n = 64,
     * 4 for 256, 6 for 1024, below the bound 1 + log2(n/m). With the proposal's minimum reserve
     * (2^22 pages) none. One user-visible vma (the scenario expects it) over 1 + splits internal ones.
     */
    @Test
    void splitGrowthUnderLokier() {
        long[][] cases = {{4, 2}, {16, 4}, {64, 6}};
        for (long[] c : cases) {
            Map<String, Long> pr = p("pages", 16, "factor", c[0]);
            Findings.Run k1 = Findings.measure("split-growth", pr, () -> new LokierDesign(1L << 32, 0, 1, 1), "x86_64",
                    CheckPolicy.END);
            assertEquals(c[1], k1.stat("growth_splits"), "factor " + c[0]);
            assertTrue(c[1] < 1 + Math.log(c[0]) / Math.log(2));
            assertEquals(c[1] + 1, k1.cost("vmas_peak"), "factor " + c[0]);
            assertEquals(0, run("split-growth", pr, "lokier").stat("growth_splits"));
            assertEquals(1, run("split-growth", pr, "anon_vma_chain").cost("vmas_peak"));
        }
    }

    /**
     * threaded-server: one mm. anonmm has one anonmm and its walk looks at that mm only, pte_chains
     * at the page's one pte: one visit per walk. Nothing is shared, so no design COWs.
     */
    @Test
    void threadedServerWalksOneMm() {
        for (String d : List.of("anonmm", "pte_chains")) {
            Findings.Run r = run("threaded-server", p(), d);
            assertEquals(r.cost("walks"), r.cost("walk_vmas_visited"), d);
            assertEquals(1, r.cost("mms_peak"), d);
            assertEquals(0, r.machine("cow_copies"), d);
            assertTrue(r.cost("pages_swapped_out") > 0, d);
        }
        assertEquals(40, run("threaded-server", p(), "anonmm").cost("anonmm_bytes_peak"));
    }

    /**
     * fork-without-exec with no rounds: the parent and N children share P pages. anonmm: N + 1
     * anonmms (40 bytes each); anon_vma_chain: N + 1 anon_vmas (96) and 2N + 1 chains (64);
     * anon_vma: one (24); pte_chains: N + 1 ptes a page, ceil((N+1)/7) 64-byte blocks each.
     * With rounds, only anonmm COWs on mremap.
     */
    @Test
    void forkWithoutExecStructures() {
        long n = 5;
        long pages = 8;
        Map<String, Long> pr = p("children", n, "pages", pages, "rounds", 0, "reclaim", 0);
        assertEquals(40 * (n + 1), run("fork-without-exec", pr, "anonmm").cost("anonmm_bytes_peak"));
        Findings.Run avc = run("fork-without-exec", pr, "anon_vma_chain");
        assertEquals(96 * (n + 1), avc.cost("anon_vma_bytes_peak"));
        assertEquals(64 * (2 * n + 1), avc.cost("anon_vma_chain_bytes_peak"));
        assertEquals(24, run("fork-without-exec", pr, "anon_vma").cost("anon_vma_bytes_peak"));
        assertEquals(pages * ((n + 1 + 6) / 7) * 64, run("fork-without-exec", pr, "pte_chains").cost("pte_chain_bytes_peak"));

        Map<String, Long> busy = p("children", 4, "pages", 16, "rounds", 40, "seed", 3);
        Findings.Run mm = run("fork-without-exec", busy, "anonmm");
        assertTrue(mm.lines("mremap") > 0);
        assertTrue(mm.cost("mremap_cows") > 0);
        for (String d : List.of("anon_vma_chain", "anon_vma", "pte_chains", "lokier")) {
            assertEquals(0, run("fork-without-exec", busy, d).cost("mremap_cows"), d);
        }
    }
}
