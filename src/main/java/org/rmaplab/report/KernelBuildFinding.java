package org.rmaplab.report;

import java.util.List;

/**
 * Martin J. Bligh's 2004 kernel-build profile on linux-kernel: pte_chains to anon_vma cut
 * page_add_rmap by 57% and page_remove_rmap by 35% and removed pte_chain allocation. Here: the
 * gcc build recorded with perf (traces/perf/make-gcc, its real page faults), its vfork children
 * empty or forked, under both ({@link RealFaults}).
 */
final class KernelBuildFinding implements Finding {
    private final RealFaults rf;

    KernelBuildFinding(RealFaults rf) {
        this.rf = rf;
    }

    /** What the table gives the closing paragraph. */
    private static final class Totals {
        final String[] addChange = new String[2];
        final String[] removeChange = new String[2];
        long forkCopies;
        final long[] chainBlocks = new long[2];
        long anonVmas;
    }

    @Override
    public void write(Markdown md, List<String> designs) {
        md.heading("rmap operations on a build: pte_chains to anon_vma (Bligh, 2004: page_add_rmap -57%, "
                + "page_remove_rmap -35%, pte_chain alloc/free gone)");
        intro(md);
        md.header(2, List.of("--vfork", "design", "rmap_adds", "rmap_dups", "rmap_removes", "rmap_allocs",
                "page_add_rmap calls", "page_remove_rmap calls"));
        Totals t = new Totals();
        for (int f = 0; f < 2; f++) {
            rows(md, f, t);
        }
        notReproduced(md, t);
    }

    /**
     * page_add_rmap calls in the kernel DESIGN stands for: pte_chains (2.6.0) calls it for a new
     * page and, in copy_page_range, for every pte fork copies; 2.6.7 (anon_vma) calls
     * page_add_anon_rmap or page_add_file_rmap for a new page only (both counted in rmap_adds),
     * fork's copies being page_dup_rmap (a mapcount increment).
     */
    static long pageAddRmapCalls(Findings.Run r, String design) {
        return r.cost("rmap_adds") + (design.equals("pte_chains") ? r.cost("rmap_dups") : 0);
    }

    private static void intro(Markdown md) {
        md.paragraph("The perf `make-gcc` trace (make -j2 driving gcc 12 over five C files: the cc driver, cc1, as, "
                + "collect2, ld; traces/README.md) with its real page faults, converted by `rmaplab trace convert` "
                + "with `" + RealFaults.describe(false) + "` (make and gcc start their children with vfork "
                + "or posix_spawn: each child an empty mm until its exec) and with `--vfork fork` (each child forked "
                + "from its parent and exec'ing at once, as a 2003 make that forked would), run under pte_chains "
                + "(modelled on 2.6.0) and anon_vma (2.6.7), x86_64, `" + RealFaults.MACHINE + "`. The columns "
                + "are `rmap_adds`, `rmap_dups`, `rmap_removes` and `rmap_allocs` of `rmaplab compare` (the design's "
                + "objects allocated: pte_chain blocks, anon_vmas). Every fault the build took is replayed as its "
                + "task's read or write of that page, file pages included: each file the trace maps (the C library, "
                + "cc1 and its libraries) is a model file whose page-cache pages are shared by every task mapping "
                + "them. page_add_rmap calls: the pte_chains kernels call "
                + "page_add_rmap for a new page, anonymous or file, and for each pte fork copies (copy_page_range, which "
                + "2.6.0 and 2.6.7 ran on every vma: lazy page-table copies came in 2.6.14), so adds + dups under "
                + "pte_chains; 2.6.7 calls page_add_anon_rmap for a new "
                + "anonymous page, page_add_file_rmap for a page-cache page a fault maps (both in `rmap_adds`), and "
                + "page_dup_rmap (a mapcount increment) for fork's copies, so adds only. page_remove_rmap is called "
                + "once per pte zapped in both.");
    }

    /** The rows of --vfork empty (F 0) or fork (F 1): one per design and their change; totals into T. */
    private void rows(Markdown md, int f, Totals t) {
        String mode = f == 0 ? "empty" : "fork";
        Findings.Run pc = rf.run("make-gcc", f == 1, "pte_chains");
        Findings.Run av = rf.run("make-gcc", f == 1, "anon_vma");
        for (Findings.Run r : List.of(pc, av)) {
            String d = r == pc ? "pte_chains" : "anon_vma";
            md.row(mode, d, r.cost("rmap_adds"), r.cost("rmap_dups"), r.cost("rmap_removes"), r.cost("rmap_allocs"),
                    pageAddRmapCalls(r, d), r.cost("rmap_removes"));
        }
        t.addChange[f] = Markdown.change(pageAddRmapCalls(pc, "pte_chains"), pageAddRmapCalls(av, "anon_vma"));
        t.removeChange[f] = Markdown.change(pc.cost("rmap_removes"), av.cost("rmap_removes"));
        md.text("| " + mode + " | change | | | | | " + t.addChange[f] + " | " + t.removeChange[f] + " |\n");
        // Fork's copies, anonymous and file: page_add_rmap in 2.6.0, page_dup_rmap in 2.6.7.
        t.forkCopies = pc.cost("rmap_dups");
        t.chainBlocks[f] = pc.cost("rmap_allocs");
        t.anonVmas = av.cost("rmap_allocs");
    }

    private static void notReproduced(Markdown md, Totals t) {
        md.format("%nNot reproduced, and why. The model counts calls; [reference](reference.md#fig-bligh-profile) "
                + "gives Bligh's figures as a profile, time spent in the functions, and a call's cost differs between "
                + "the kernels (the pte_chains kernels' page_add_rmap may take a new pte_chain block, its page_remove_rmap searches the "
                + "page's chain; 2.6.7's are mapcount updates and, for a new page, setting page->mapping). In calls, "
                + "anon_vma still makes one page_add_anon_rmap or page_add_file_rmap per page a fault maps, so "
                + "page_add_rmap drops only where fork's copies stop being adds: %s with vfork'd children (vfork and exec "
                + "copy no ptes), %s when each vfork is a fork that execs at once (the %d ptes, anonymous and file, that "
                + "fork copies in both kernels: page_add_rmap under pte_chains, page_dup_rmap under 2.6.7). "
                + "page_remove_rmap does not change (%s with forks, %s with vfork'd children): one call per pte zapped "
                + "in both, at exec and exit as at munmap. The accesses are the build's real faults (replayed one page "
                + "a fault: no fault-around), but the children of `--vfork fork` are an assumption: their faults "
                + "between fork and exec are the real vfork children's, made in a copy of the parent. What reproduces is the last part: pte_chain blocks go (%d allocated under pte_chains with "
                + "`--vfork fork`, %d with vfork'd children, which share no anonymous page but do share file pages: "
                + "make, the cc driver, cc1 and as map the C library, and two compilations run at once), and anon_vma "
                + "allocates %d anon_vmas instead, one per family of anonymous vmas, however many ptes map their pages, "
                + "and nothing per file page, which it finds through the file's i_mmap.%n%n", t.addChange[0],
                t.addChange[1], t.forkCopies, t.removeChange[1], t.removeChange[0], t.chainBlocks[1], t.chainBlocks[0],
                t.anonVmas);
    }
}
