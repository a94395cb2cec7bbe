package org.rmaplab.workloads;

import static org.rmaplab.scenario.ScenarioText.at;
import static org.rmaplab.scenario.ScenarioText.pages;
import static org.rmaplab.workloads.ForkWorkloads.param;

import java.util.List;
import java.util.Map;

/**
 * A ZGC-like collector relocating objects with mremap: the prototype Lorenzo Stoakes cites as the
 * motive of MREMAP_RELOCATE_ANON (cover letter of "mm/mremap: introduce more mergeable mremap via
 * MREMAP_RELOCATE_ANON", 2025) and the case Jakub Matěna's 2022 series would have merged (docs/
 * reference.md#matena, #relocate-anon). The cycle is {@link GcCycles}'s (shared with gc-compact):
 * the mutator writes FAULTED percent of its new objects (the others stay unfaulted, read as 0);
 * dead objects are left alone (their pages go with their region); the collector reserves a
 * to-space {@code Tr} of exactly the live objects (PROT_NONE) and moves each live object there
 * with its own {@code mremap(MAYMOVE|FIXED)} of one page, in allocation order — many small moves,
 * each splitting its source vma.
 *
 * <p>RELOCATE: 1 passes MREMAP_RELOCATE_ANON ({@code relocate_anon}) on every move, 0 on none —
 * Stoakes's "flag on every move" and "flag on none". Only anon_vma_chain:relocate honours the
 * flag; under every other design and on Linux 6.18 the first move answers EINVAL
 * (check_mremap_params()) and the run stops at that line's expectation. The generator does not
 * know the design it will run under, so it does not guess: relocate=1 is for
 * anon_vma_chain:relocate only (the findings run it there alone), relocate=0 for every design.
 *
 * <p>Under today's rules a moved faulted page keeps its pgoff, so the to-space holds a vma per run of
 * objects that were adjacent when faulted (fewer for unfaulted pages, whose pgoff follows them);
 * under anon_vma_chain:matena unshared pages take the pgoff of their place and runs merge, and so
 * they do under anon_vma_chain:relocate with relocate=1 (the folios rewritten to their new index).
 * The compare columns vmas_peak, vma_merges, the vma_merge_fail_* counters and the relocate_*
 * counters show the difference.
 */
final class ZgcRemap {
    private ZgcRemap() {}

    static Workload workload() {
        return new Workload("zgc-remap",
                "a ZGC-like collector moves each live object (page) into a to-space with its own mremap; some "
                        + "objects never faulted, a snapshot child now and then; relocate=1 passes "
                        + "MREMAP_RELOCATE_ANON (anon_vma_chain:relocate only) (docs/reference.md#matena)",
                GcCycles.params(param("faulted", 75, 0, 100, "percent of new objects written (the others stay unfaulted)"),
                        param("relocate", 0, 0, 1, "1: every move passes relocate_anon (anon_vma_chain:relocate only; "
                                + "EINVAL elsewhere); 0: none does")),
                p -> new Collector(p).generate());
    }

    /** One run of the workload, writing the scenario. */
    private static final class Collector extends GcCycles {
        private final int faulted;
        private final String flags;

        Collector(Map<String, Long> p) {
            super(p);
            faulted = (int) (long) p.get("faulted");
            flags = p.get("relocate") == 1 ? "maymove|fixed|relocate_anon" : "maymove|fixed";
            t.line("# zgc-remap objects=" + objects, "rounds=" + rounds, "die=" + die, "faulted=" + faulted,
                    "relocate=" + p.get("relocate"), "snapshot=" + snapshot, "snapshot_rounds=" + snapRounds,
                    "seed=" + p.get("seed"));
            long pages = (long) objects * rounds * 3;
            t.raw(Workloads.machine(pages, 2, 2L * objects + 8, pages));
        }

        /** FAULTED percent of new objects are written. */
        @Override
        boolean faultNew() {
            return rnd.nextInt(100) < faulted;
        }

        /** A dead object's page stays until its region is unmapped. */
        @Override
        void died(Obj o) {
        }

        /** A PROT_NONE to-space TO, then one one-page mremap per live object, in order. */
        @Override
        void compact(List<Obj> live, String to) {
            if (live.isEmpty()) {
                return;
            }
            t.line("t1 mmap 0", pages(live.size()), "none private|anonymous as", to);
            for (int i = 0; i < live.size(); i++) {
                Obj o = live.get(i);
                t.line("t1 mremap", at(o.space, o.idx), "1p 1p", flags, at(to, i), "expect", at(to, i));
            }
        }
    }
}
