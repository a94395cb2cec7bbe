package org.rmaplab.report;

import static org.rmaplab.report.Findings.measure;
import static org.rmaplab.report.Findings.params;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * UFFDIO_MOVE (the remap_anon_pages of Andrea Arcangeli, "Re: [PATCH 12/17] mm: sys_remap_anon_pages",
 * linux-kernel, 6 October 2014; merged in 6.8 by commit adef440691ba): compaction by moves, and the
 * copies a snapshot child forces.
 */
final class GcCompactionFinding implements Finding {
    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("GC compaction with UFFDIO_MOVE: moves vs copies ([reference](reference.md#fig-uffd-move))");
        md.paragraph("`gc-compact objects=64 rounds=4 die=50`, x86_64: 64 one-page objects allocated a round, half "
                + "of the live ones dying, the survivors moved into a fresh registered to-space. A snapshot child "
                + "(forked in round 2 or 4, living one round) makes the pages it shares EBUSY; the collector falls back, as "
                + "ART's compactor does, to UFFDIO_COPY of those into the to-space (`uffd_copy`: a new page and a copy; "
                + "the shared page stays until the from-space is unmapped). The same under every design.");
        md.header("variant", List.of("uffd_move calls", "pages moved", "EBUSY", "pages copied (UFFDIO_COPY)",
                "COW copies", "pages allocated"));
        variant(md, "runs", params(), designs);
        variant(md, "page by page", params("run", 0), designs);
        variant(md, "snapshot child in round 2", params("snapshot", 2, "snapshot_rounds", 1), designs);
        variant(md, "snapshot child in round 4", params("snapshot", 4, "snapshot_rounds", 1), designs);
        md.paragraph("\nWithout sharing, compaction allocates and copies nothing: each live page is moved (a pte and "
                + "its page's mapping and index rewritten); allocations are the mutator's own objects. A child that "
                + "shares the heap turns each shared live page into an EBUSY, then an allocation and a copy by "
                + "UFFDIO_COPY, as mm/userfaultfd.c's move_pages() has it (\"EBUSY (page not exclusive — shared by fork or KSM)\", [reference](reference.md#uffd-move)); a page stays "
                + "unmovable after the child exits until the parent writes it (6.18 keys it on PageAnonExclusive: "
                + "scenarios/uffd/move_ebusy_fork.vms). "
                + "The published timings (MOVE 40% faster for a compaction thread; COPY 20% faster when pages must "
                + "be allocated anyway) are not reproduced: the model counts, it does not time. What it shows is "
                + "the mechanism behind both: MOVE saves the allocation and the copy only for exclusive pages.");
    }

    /** The row of variant NAME (GIVEN over the defaults), the same under every design. */
    private static void variant(Markdown md, String name, Map<String, Long> given, List<String> designs) {
        Map<String, Long> pr = new LinkedHashMap<>(given);
        pr.putIfAbsent("objects", 64L);
        pr.putIfAbsent("rounds", 4L);
        pr.putIfAbsent("die", 50L);
        String row = null;
        for (String d : designs) {
            Findings.Run r = measure("gc-compact", pr, d);
            String x = " | " + r.lines("uffd_move") + " | " + r.machine("uffd_pages_moved") + " | "
                    + r.lines("expect EBUSY") + " | " + r.machine("uffd_pages_copied") + " | " + r.machine("cow_copies")
                    + " | " + r.machine("anon_pages_allocated") + " |";
            if (row != null && !row.equals(x)) {
                throw new IllegalStateException("gc-compact differs between designs: " + row + " vs " + x);
            }
            row = x;
        }
        md.text("| " + name + row + "\n");
    }
}
