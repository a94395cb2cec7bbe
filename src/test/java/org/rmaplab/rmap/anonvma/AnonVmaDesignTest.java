package org.rmaplab.rmap.anonvma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapWalkControl;
import org.rmaplab.rmap.avc.AnonVmaChainDesign;

/**
 * What makes 2.6.7's anon_vma itself and not another design: one anon_vma per fork family (no
 * chains), list order made by list_add() at the head, a walk that visits vmas in that order until
 * mapcount ptes are found (O(children) for a COWed page), the anon_vma freed the moment its list
 * empties, 2.6.7's find_mergeable_anon_vma() and merge rule. Every run has the oracle after every
 * operation, so the walks are also proved to find exactly the ptes that map each page.
 */
class AnonVmaDesignTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;

    private final AnonVmaDesign d = new AnonVmaDesign();
    private final CheckedSyscalls s = checked(d);

    private static CheckedSyscalls checked(RmapDesign design) {
        return new CheckedSyscalls(new Machine(MachineConfig.defaults().withRam(16L << 20), design), CheckPolicy.EVERY);
    }

    private static Vma vma(Task t, long addr) {
        Vma v = t.mm().vmaLookup(addr);
        assertNotNull(v, "no vma at " + Long.toHexString(addr));
        return v;
    }

    /** The page that task t maps at addr. */
    private static int pfnAt(CheckedSyscalls s, Task t, long addr) {
        Frames f = s.machine().frames();
        long slot = PageTable.lookup(f, t.mm().pgd(), addr);
        assertTrue(slot >= 0, "no page table at " + Long.toHexString(addr));
        long pte = PageTable.get(f, slot);
        assertTrue(PageTable.present(pte), "no page at " + Long.toHexString(addr));
        return PageTable.ptePfn(pte);
    }

    /** One reverse walk of pfn, stopping at mapcount; returns {vmas visited, ptes checked}. */
    private static long[] walk(CheckedSyscalls s, RmapDesign design, int pfn) {
        int want = s.machine().frames().mapcount[pfn];
        long v0 = design.stats().walkVmasVisited;
        long p0 = design.stats().walkPtesChecked;
        int[] found = new int[1];
        design.rmapWalk(pfn, new RmapWalkControl() {
            @Override
            public boolean visit(Vma vma, long address, long ptep) {
                found[0]++;
                return false;
            }

            @Override
            public boolean done() {
                return found[0] >= want;
            }
        });
        assertEquals(want, found[0], "the walk found every pte");
        return new long[] {design.stats().walkVmasVisited - v0, design.stats().walkPtesChecked - p0};
    }

    /** The mms of the vmas on the list of anonVma, head first. */
    private static List<Mm> mmOrder(Object anonVma) {
        List<Mm> l = new ArrayList<>();
        for (Vma v : AnonVmaDesign.listOrder(anonVma)) {
            l.add(v.mm);
        }
        return l;
    }

    // ------------------------------------------------------------------ one anon_vma per family

    @Test
    void aForkFamilySharesOneAnonVmaListedNewestFirst() {
        Task p = s.initTask();
        long a = s.mmap(p, 0, 4 * P, RW, ANON);
        s.write(p, a, 4 * P, 1);
        Task c1 = s.fork(p);
        Task c2 = s.fork(p);
        Task g = s.fork(c1);
        Object av = vma(p, a).anonVma;
        assertInstanceOf(AnonVma.class, av);
        for (Task t : new Task[] {c1, c2, g}) {
            assertSame(av, vma(t, a).anonVma, "every vma of the family shares the parent's anon_vma");
            assertInstanceOf(AnonVmaNode.class, vma(t, a).rmapPriv, "a list node, never a chain");
        }
        assertEquals(1, d.stats().alive("anon_vma"));
        assertEquals(1, d.stats().peak("anon_vma"));
        // anon_vma_prepare and anon_vma_link both list_add() at the head.
        assertEquals(List.of(g.mm(), c2.mm(), c1.mm(), p.mm()), mmOrder(av));
        s.finish();

        // Today's Linux gives each of the three children its own anon_vma (chained to the root).
        AnonVmaChainDesign avc = new AnonVmaChainDesign();
        CheckedSyscalls s2 = checked(avc);
        Task p2 = s2.initTask();
        long a2 = s2.mmap(p2, 0, 4 * P, RW, ANON);
        s2.write(p2, a2, 4 * P, 1);
        Task c21 = s2.fork(p2);
        s2.fork(p2);
        s2.fork(c21);
        assertEquals(4, avc.stats().alive("anon_vma"));
        s2.finish();
    }

    // ------------------------------------------------------------------ the walk

    @Test
    void theWalkOfAnUnCowedPageVisitsEveryVmaOfTheFamily() {
        int n = 8;
        Task p = s.initTask();
        long a = s.mmap(p, 0, P, RW, ANON);
        s.write(p, a, P, 7);
        for (int i = 0; i < n; i++) {
            s.fork(p);
        }
        int pfn = pfnAt(s, p, a);
        assertEquals(n + 1, s.machine().frames().mapcount[pfn]);
        long[] cost = walk(s, d, pfn);
        assertEquals(n + 1, cost[0], "vmas visited");
        assertEquals(n + 1, cost[1], "ptes checked");
        s.finish();
    }

    /**
     * N children each COW the page. The list is [child N, ..., child 1, parent] (anon_vma_link
     * adds each child at the head), and a child's page has mapcount 1, so the walk for child i's
     * page stops at child i's vma after visiting N - i + 1 vmas; the parent's page, now mapped
     * only by the parent at the tail, costs N + 1. Under anon_vma_chain every one costs 1.
     */
    @Test
    void theWalkOfACowedChildsPageStopsAtThatChildsVmaAfterEveryYoungerSibling() {
        int n = 9;
        Task p = s.initTask();
        long a = s.mmap(p, 0, P, RW, ANON);
        s.write(p, a, P, 7);
        Task[] child = new Task[n + 1];
        for (int i = 1; i <= n; i++) {
            child[i] = s.fork(p);
        }
        for (int i = 1; i <= n; i++) {
            s.write(child[i], a, P, 100 + i); // COW: the child's own page, still in the family's anon_vma
        }
        Object av = vma(p, a).anonVma;
        for (int i = 1; i <= n; i++) {
            int pfn = pfnAt(s, child[i], a);
            assertSame(av, s.machine().frames().mapping[pfn], "a COWed page points to the shared anon_vma");
            assertEquals(1, s.machine().frames().mapcount[pfn]);
        }
        long[] first = walk(s, d, pfnAt(s, child[1], a));
        long[] middle = walk(s, d, pfnAt(s, child[5], a));
        long[] last = walk(s, d, pfnAt(s, child[n], a));
        assertEquals(9, first[0], "first child: behind all 8 younger siblings");
        assertEquals(9, first[1]);
        assertEquals(5, middle[0], "fifth child: behind 4 younger siblings");
        assertEquals(5, middle[1]);
        assertEquals(1, last[0], "last child: at the head");
        assertEquals(1, last[1]);
        long[] parent = walk(s, d, pfnAt(s, p, a));
        assertEquals(n + 1, parent[0], "the parent sits at the tail");
        assertEquals(n + 1, parent[1]);
        s.finish();

        // The same family under anon_vma_chain: the first child's page lives in its own anon_vma.
        AnonVmaChainDesign avc = new AnonVmaChainDesign();
        CheckedSyscalls s2 = checked(avc);
        Task p2 = s2.initTask();
        long a2 = s2.mmap(p2, 0, P, RW, ANON);
        s2.write(p2, a2, P, 7);
        Task c1 = s2.fork(p2);
        for (int i = 2; i <= n; i++) {
            s2.write(s2.fork(p2), a2, P, 100 + i);
        }
        s2.write(c1, a2, P, 101);
        assertEquals(1, walk(s2, avc, pfnAt(s2, c1, a2))[0]);
        s2.finish();
    }

    @Test
    void aVmaWhereThePagesPgoffFallsOutsideIsVisitedButItsPteNotChecked() {
        Task p = s.initTask();
        long a = s.mmap(p, 0, 4 * P, RW, ANON);
        s.write(p, a, 4 * P, 1);
        Task c = s.fork(p);
        s.write(c, a, P, 2); // the child's own page at pgoff a>>12
        // Punch a hole in the parent's vma: the upper remainder goes to the head (2.6.7's
        // do_munmap: see munmapKeepsTheSurvivingPartInItsPlace), ahead of the child.
        s.munmap(p, a + P, P);
        Object av = vma(p, a).anonVma;
        assertEquals(List.of(p.mm(), c.mm(), p.mm()), mmOrder(av));
        assertEquals(a + 2 * P, AnonVmaDesign.listOrder(av).get(0).start());
        long[] cost = walk(s, d, pfnAt(s, c, a));
        assertEquals(2, cost[0], "the parent's upper piece, then the child");
        assertEquals(1, cost[1], "vma_address() is -EFAULT in the upper piece: no pte looked at");
        s.finish();
    }

    // ------------------------------------------------------------------ list order

    @Test
    void splitPiecesGoToTheHeadAsSplitVmaLinksThem() {
        Task p = s.initTask();
        long a = s.mmap(p, 0, 4 * P, RW, ANON);
        s.write(p, a, 4 * P, 1);
        Vma orig = vma(p, a);
        // mprotect_fixup: split_vma(vma, start, 1) then split_vma(vma, end, 0); each new vma
        // (lower, then upper) is __anon_vma_link'ed at the head, vma keeps the middle.
        s.mprotect(p, a + P, P, Mman.PROT_READ);
        Vma lower = vma(p, a);
        Vma middle = vma(p, a + P);
        Vma upper = vma(p, a + 2 * P);
        assertSame(orig, middle);
        assertEquals(List.of(upper, lower, middle), AnonVmaDesign.listOrder(orig.anonVma));
        assertEquals(1, d.stats().alive("anon_vma"));
        s.finish();
    }

    @Test
    void munmapKeepsTheSurvivingPartInItsPlace() {
        Task p = s.initTask();
        long a = s.mmap(p, 0, 4 * P, RW, ANON);
        s.write(p, a, 4 * P, 1);
        Task c = s.fork(p);
        Object av = vma(p, a).anonVma;
        assertEquals(List.of(c.mm(), p.mm()), mmOrder(av));
        // do_munmap's split_vma(mpnt, start, 0) makes the unmapped upper page the new vma: the
        // parent's remainder keeps its place behind the child.
        s.munmap(p, a + 3 * P, P);
        assertEquals(List.of(c.mm(), p.mm()), mmOrder(av));
        s.write(c, a, P, 2);
        assertEquals(1, walk(s, d, pfnAt(s, c, a))[0], "the child is still at the head");
        // And split_vma(last, end, 1) makes the lower, unmapped part new: the child's remainder
        // keeps the head.
        s.munmap(c, a, P);
        assertEquals(List.of(c.mm(), p.mm()), mmOrder(av));
        assertEquals(a + P, AnonVmaDesign.listOrder(av).get(0).start());
        s.finish();
    }

    /**
     * 2.6.7's vma_adjust() always keeps the lower vma and removes the higher one; when mprotect
     * merges a vma into the one after it, the core keeps the higher one instead, so the design
     * moves it to the list place the lower one had.
     */
    @Test
    void aMergeKeepsTheListPlaceOfTheLowerVma() {
        Task p = s.initTask();
        long a = s.mmap(p, 0, 4 * P, RW, ANON);
        s.write(p, a, 4 * P, 1);
        Task c = s.fork(p);
        s.mprotect(p, a + 2 * P, 2 * P, Mman.PROT_READ); // the new lower half goes to the head
        Object av = vma(p, a).anonVma;
        assertEquals(List.of(p.mm(), c.mm(), p.mm()), mmOrder(av));
        assertEquals(a, AnonVmaDesign.listOrder(av).get(0).start());
        s.mprotect(p, a, 2 * P, Mman.PROT_READ); // case 8: the lower half grows over the upper
        assertEquals(1, s.vmasIn(p, a, 4 * P));
        assertEquals(List.of(p.mm(), c.mm()), mmOrder(av));
        s.finish();
    }

    // ------------------------------------------------------------------ lifetime

    @Test
    void theAnonVmaIsFreedExactlyWhenTheLastVmaLeavesItsList() {
        Task p = s.initTask();
        long a = s.mmap(p, 0, 4 * P, RW, ANON);
        assertEquals(0, d.stats().alive("anon_vma"), "no anon_vma before the first write fault");
        s.write(p, a, P, 1);
        Task c1 = s.fork(p);
        Task c2 = s.fork(p);
        Object av = vma(p, a).anonVma;
        s.mprotect(c2, a + P, P, Mman.PROT_READ); // three vmas of c2 on the list
        assertEquals(5, AnonVmaDesign.listOrder(av).size());
        s.exit(c1);
        assertEquals(1, d.stats().alive("anon_vma"));
        s.munmap(p, a, 4 * P);
        assertEquals(1, d.stats().alive("anon_vma"));
        s.munmap(c2, a, 2 * P);
        assertEquals(1, d.stats().alive("anon_vma"));
        assertEquals(1, AnonVmaDesign.listOrder(av).size());
        assertTrue(!((AnonVma) av).freed);
        s.exit(c2);
        assertEquals(0, d.stats().alive("anon_vma"));
        assertTrue(((AnonVma) av).freed);
        assertEquals(1, d.stats().peak("anon_vma"));
        s.finish();
    }

    // ------------------------------------------------------------------ find_mergeable_anon_vma

    /**
     * 2.6.7's find_mergeable_anon_vma() takes a touching neighbour's anon_vma whatever else
     * shares it: a forked child's new neighbour joins the family's anon_vma (today's
     * reusable_anon_vma() refuses, the child's vma having two chains).
     */
    @Test
    void aNewNeighbourOfAForkedVmaJoinsTheFamilysAnonVma() {
        Task p = s.initTask();
        long carve = s.mmap(p, 0, 30 * P, Mman.PROT_NONE, ANON);
        long a = s.mmap(p, carve + P, 5 * P, RW, ANON | Mman.MAP_FIXED);
        s.write(p, a, P, 1);
        Task c = s.fork(p);
        long b = s.mmap(c, a + 5 * P, 2 * P, RW | Mman.PROT_EXEC, ANON | Mman.MAP_FIXED);
        assertEquals(a + 5 * P, b);
        assertEquals(2, s.vmasIn(c, a, 7 * P), "flags differ in VM_EXEC: no merge at mmap");
        s.write(c, b, P, 2); // anon_vma_prepare → find_mergeable_anon_vma: prev is the forked vma
        Object av = vma(p, a).anonVma;
        assertSame(av, vma(c, b).anonVma);
        assertEquals(1, d.stats().alive("anon_vma"));
        assertEquals(List.of(c.mm(), c.mm(), p.mm()), mmOrder(av));
        assertSame(vma(c, b), AnonVmaDesign.listOrder(av).get(0));
        s.mprotect(c, b, 2 * P, RW); // now they merge (same anon_vma)
        assertEquals(1, s.vmasIn(c, a, 7 * P));
        s.finish();

        AnonVmaChainDesign avc = new AnonVmaChainDesign();
        CheckedSyscalls s2 = checked(avc);
        Task p2 = s2.initTask();
        long carve2 = s2.mmap(p2, 0, 30 * P, Mman.PROT_NONE, ANON);
        long a2 = s2.mmap(p2, carve2 + P, 5 * P, RW, ANON | Mman.MAP_FIXED);
        s2.write(p2, a2, P, 1);
        Task c2 = s2.fork(p2);
        long b2 = s2.mmap(c2, a2 + 5 * P, 2 * P, RW | Mman.PROT_EXEC, ANON | Mman.MAP_FIXED);
        s2.write(c2, b2, P, 2);
        assertNotSame(vma(c2, a2).anonVma, vma(c2, b2).anonVma);
        s2.finish();
    }

    @Test
    void aNeighbourWithOtherFlagsOrPgoffIsNotReused() {
        Task p = s.initTask();
        long carve = s.mmap(p, 0, 30 * P, Mman.PROT_NONE, ANON);
        long a = s.mmap(p, carve + P, 5 * P, RW, ANON | Mman.MAP_FIXED);
        s.write(p, a, P, 1);
        // A locked neighbour: flags differ beyond rwx (mlock does not try to remerge in 2.6.7).
        long b = s.mmap(p, a + 5 * P, 2 * P, RW, ANON | Mman.MAP_FIXED | Mman.MAP_LOCKED);
        s.write(p, b, P, 2);
        assertNotSame(vma(p, a).anonVma, vma(p, b).anonVma);
        assertEquals(2, d.stats().alive("anon_vma"));
        // A faulted vma moved next to an unfaulted one keeps its pgoff: not contiguous, and the
        // unfaulted one, faulting later, does not take its anon_vma.
        long m = s.mmap(p, carve + 20 * P, 2 * P, RW, ANON | Mman.MAP_FIXED);
        s.write(p, m, P, 3);
        long moved = s.mremap(p, m, 2 * P, 2 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, carve + 12 * P);
        long u = s.mmap(p, carve + 10 * P, 2 * P, RW | Mman.PROT_EXEC, ANON | Mman.MAP_FIXED);
        s.write(p, u, P, 4);
        assertNotSame(vma(p, moved).anonVma, vma(p, u).anonVma);
        assertEquals(4, d.stats().alive("anon_vma"));
        s.finish();
    }

    // ------------------------------------------------------------------ pages

    @Test
    void mremapKeepsPgoffAndCowReuseKeepsTheMapping() {
        Task p = s.initTask();
        long a = s.mmap(p, 0, 4 * P, RW, ANON);
        s.write(p, a, 4 * P, 1);
        int pfn = pfnAt(s, p, a + P);
        Object av = vma(p, a).anonVma;
        long index = s.machine().frames().index[pfn];
        assertEquals((a >>> Machine.PAGE_SHIFT) + 1, index, "page->index is the linear pgoff");
        Task c = s.fork(p);
        s.exit(c);
        s.write(p, a + P, P, 9); // do_wp_page reuses the page (count 1): mapping untouched
        assertEquals(pfn, pfnAt(s, p, a + P));
        assertSame(av, s.machine().frames().mapping[pfn]);
        long b = s.mremap(p, a, 4 * P, 8 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, a - 0x100000);
        assertEquals(a - 0x100000, b);
        assertEquals(pfn, pfnAt(s, p, b + P), "the page moved with its pte");
        assertEquals(index, s.machine().frames().index[pfn], "no per-page work at mremap");
        assertEquals(a >>> Machine.PAGE_SHIFT, vma(p, b).pgoff(), "the moved vma keeps vm_pgoff");
        assertSame(av, vma(p, b).anonVma);
        assertEquals(1, walk(s, d, pfn)[0]);
        s.munmap(p, b, 8 * P);
        assertEquals(0, d.stats().alive("anon_vma"));
        s.finish();
    }
}
