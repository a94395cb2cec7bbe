package org.rmaplab.explore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.mm.RmapStructure;
import org.rmaplab.scenario.ScenarioParser;

/**
 * The recorded structure of a file page, hand-derived, for examples/file-fork.vms: t1 maps file F
 * shared at SH (4 pages, pgoff 0-3, 7ffff7ffb000), then W (2 pages, 7ffff7ff9000) whose first page
 * remap_file_pages makes show file page 1 (W is one VM_NONLINEAR vma, machine remap=nonlinear),
 * then T (1 page, pgoff 3, 7ffff7ff8000); t1 forks t2, and t2 reads SH+1p. The page is F's page 1,
 * named by t1's pte in W: {@code 1@7ffff7ff9000}. Every design ends with it mapped four times
 * (SH and W in both mms: fork copies a nonlinear vma's ptes, and t2's read faults SH+1p).
 *
 * <p>i_mmap in the model's link order: SH1, W1, T1 as mmapped; fork copies t1's vmas in address
 * order, each copy just after its parent's vma (dup_mmap's list_add from 2.6.6, and
 * vma_interval_tree_insert_after today): T2 after T1, W2 after W1, SH2 after SH1, so SH1 SH2 W1 W2
 * T1 T2 — but in 2.6.0, whose dup_mmap list_add_tail'ed the copy onto its parent's list node,
 * each copy lands just before its parent: T2 T1, W2 W1, SH2 SH1, so SH2 SH1 W2 W1 T2 T1 for the
 * objrmap variants. The interval tree's order is by vm_pgoff, here the same as the link order:
 * SH (pgoff 0) before T (pgoff 3).
 * <ul>
 *   <li>Trees (anon_vma's prio_tree, anon_vma_chain's and lokier's interval tree): the query at
 *       pgoff 1 returns SH1, SH2 (T covers pgoff 3 only; W is on i_mmap_nonlinear); T1, T2 are in
 *       the tree but not returned; W1, W2 on i_mmap_nonlinear. The walk visits SH1, SH2 (2 vmas)
 *       and finds their 2 ptes; page_referenced_file() does not read i_mmap_nonlinear, so W's
 *       two ptes are not found (they only name the page: {@link NonlinearReplayTest}).
 *   <li>anonmm (2.6.6's lists): i_mmap (private) empty; i_mmap_shared SH1 SH2 T1 T2 (W skipped,
 *       nonlinear), all visited: 4 vmas, T1 and T2 -EFAULT.
 *   <li>pte_chains (2.6.0): the page's chain, four ptes; no i_mmap walked.
 *   <li>pte_chains:objrmap_nlchains: objrmap's lists: i_mmap_shared SH2 SH1 W2 W1 T2 T1, all
 *       visited (W probed at its linear address, a miss), then the chain of W's two nonlinear ptes
 *       and the mapcount slot.
 * </ul>
 */
class FileStructureTest {
    static final String PAGE = "1@7ffff7ff9000";
    static final String SH1 = "mm1 7ffff7ffb000-7ffff7fff000", SH2 = "mm2 7ffff7ffb000-7ffff7fff000";
    static final String W1 = "mm1 7ffff7ff9000-7ffff7ffb000", W2 = "mm2 7ffff7ff9000-7ffff7ffb000";
    static final String T1 = "mm1 7ffff7ff8000-7ffff7ff9000", T2 = "mm2 7ffff7ff8000-7ffff7ff9000";

    /** The page's last recorded walk under each design. */
    static Map<String, Recorder.Walk> lastWalks(List<String> designs) throws Exception {
        Map<String, Recorder.Walk> m = new java.util.LinkedHashMap<>();
        for (Recorder.DesignRun r : new Recorder(CheckPolicy.parse("end"))
                .record(ScenarioParser.parseFile(Path.of("examples/file-fork.vms")), designs)) {
            assertEquals(List.of(), r.result.failures(), r.design);
            for (Recorder.Step st : r.steps) {
                for (Recorder.Walk w : st.walks().values()) {
                    if (w.key.equals(PAGE)) {
                        m.put(r.design, w);
                    }
                }
            }
        }
        return m;
    }

    /** The node of KIND whose label starts with PREFIX, depth first. */
    static RmapStructure.Node find(RmapStructure.Node n, String kind, String prefix) {
        if (n.kind.equals(kind) && n.label.startsWith(prefix)) {
            return n;
        }
        for (RmapStructure.Node c : n.children) {
            RmapStructure.Node f = find(c, kind, prefix);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    /** The "mmN start-end" of each vma child of N, in order. */
    static List<String> vmas(RmapStructure.Node n) {
        List<String> l = new ArrayList<>();
        for (RmapStructure.Node c : n.children) {
            if (c.kind.equals("vma")) {
                String s = c.label.substring(c.label.indexOf("vma mm") + 4);
                l.add(s.substring(0, s.indexOf(' ', s.indexOf(' ') + 1)));
            }
        }
        return l;
    }

    @Test
    void theTreesReturnTheCoveringVmasAndKeepTheNonlinearOnesApart() throws Exception {
        Map<String, Recorder.Walk> w = lastWalks(List.of("anon_vma_chain", "anon_vma", "lokier"));
        for (var e : w.entrySet()) {
            RmapStructure.Node s = e.getValue().structure;
            assertNotNull(s, e.getKey());
            assertEquals("page->mapping: file /dev/shm/data (inode 1), page->index 0x1", s.label, e.getKey());
            String tree = e.getKey().equals("anon_vma") ? "i_mmap: prio_tree" : "i_mmap: interval tree";
            assertEquals(List.of(SH1, SH2), vmas(find(s, "i_mmap", tree)), e.getKey());
            assertEquals(List.of(T1, T2), vmas(find(s, "i_mmap", "also in the tree")), e.getKey());
            assertEquals(List.of(W1, W2), vmas(find(s, "i_mmap_nonlinear", "i_mmap_nonlinear")), e.getKey());
            assertEquals(2, e.getValue().vmasVisited, e.getKey());
            assertEquals(2, e.getValue().found, e.getKey());
        }
    }

    @Test
    void theListsHoldEveryVmaAndTheWalkVisitsThemAll() throws Exception {
        Map<String, Recorder.Walk> w = lastWalks(List.of("anonmm", "pte_chains:objrmap_nlchains"));
        RmapStructure.Node mm = w.get("anonmm").structure;
        assertEquals(List.of(), vmas(find(mm, "i_mmap", "i_mmap (private vmas)")));
        assertEquals(List.of(SH1, SH2, W1, W2, T1, T2), vmas(find(mm, "i_mmap", "i_mmap_shared")));
        assertEquals(List.of(W1, W2), vmas(find(mm, "i_mmap_nonlinear", "VM_NONLINEAR")));
        // 2.6.6-mm's i_mmap_shared loop reaches all six, W1 and W2 skipped on VM_NONLINEAR
        assertEquals(6, w.get("anonmm").vmasVisited);

        RmapStructure.Node obj = w.get("pte_chains:objrmap_nlchains").structure;
        assertEquals(List.of(SH2, SH1, W2, W1, T2, T1), vmas(find(obj, "i_mmap", "i_mmap_shared")));
        RmapStructure.Node chain = find(obj, "pte_chain", "the chain of its nonlinear ptes");
        assertNotNull(chain);
        assertEquals(3, chain.children.get(0).children.size(), "W's two ptes and the mapcount slot");
        // 6 vmas on the lists, then the chain's 2 ptes (a vma lookup each): 8.
        assertEquals(8, w.get("pte_chains:objrmap_nlchains").vmasVisited);
    }

    @Test
    void pteChainsChainsTheFilePage() throws Exception {
        Recorder.Walk w = lastWalks(List.of("pte_chains")).get("pte_chains");
        RmapStructure.Node page = w.structure;
        assertEquals("page", page.kind);
        RmapStructure.Node block = find(page, "pte_chain", "pte_chain block 0");
        assertEquals(4, block.children.size(), "four ptes chained");
        assertNotNull(find(page, "address_space", "page->mapping: file /dev/shm/data: 2.6.0 chains file pages"));
        assertEquals(4, w.vmasVisited);
    }
}
