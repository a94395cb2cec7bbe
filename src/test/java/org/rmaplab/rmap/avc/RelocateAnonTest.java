package org.rmaplab.rmap.avc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapStats;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;

/**
 * anon_vma_chain:relocate — Lorenzo Stoakes' MREMAP_RELOCATE_ANON and MREMAP_MUST_RELOCATE_ANON
 * (v1, June 2025, never merged), rule by rule, with the oracle after every operation: the
 * relocated folios' mapping and index, the counters of the walk, the fallbacks of
 * should_relocate_anon() and MUST's EFAULT. Today's design refuses the flags (EINVAL).
 */
class RelocateAnonTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;
    static final int MOVE = Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED;
    static final int RELOCATE = MOVE | Mman.MREMAP_RELOCATE_ANON;
    static final int MUST = MOVE | Mman.MREMAP_MUST_RELOCATE_ANON;

    private final AnonVmaChainDesign d = AnonVmaChainDesign.relocating();
    private final CheckedSyscalls s = checked(d);
    private final RmapStats st = d.stats();

    private static CheckedSyscalls checked(RmapDesign design) {
        return new CheckedSyscalls(new Machine(MachineConfig.defaults().withRam(16L << 20), design), CheckPolicy.EVERY);
    }

    private static int pfnAt(CheckedSyscalls s, Task t, long addr) {
        Frames f = s.machine().frames();
        long pte = PageTable.get(f, PageTable.lookup(f, t.mm().pgd(), addr));
        assertTrue(PageTable.present(pte));
        return PageTable.ptePfn(pte);
    }

    /** A 40-page PROT_NONE carve-out with P at +1p (5 pages) and Q at +30p (5 pages), both written. */
    private long[] layout(Task t) {
        long c = s.mmap(t, 0, 40 * P, Mman.PROT_NONE, ANON);
        long p = s.mmap(t, c + P, 5 * P, RW, ANON | Mman.MAP_FIXED);
        long q = s.mmap(t, c + 30 * P, 5 * P, RW, ANON | Mman.MAP_FIXED);
        s.write(t, p, 5 * P, 0xA1);
        s.write(t, q, 5 * P, 0xB2);
        return new long[] {c, p, q};
    }

    @Test
    void anExclusiveRegionMovedNextToItsNeighbourIsRelocatedAndMerges() {
        Task t = s.initTask();
        long[] l = layout(t);
        long p = l[1];
        long q = l[2];
        Object pAnon = t.mm().vmaLookup(p).anonVma;
        assertEquals(p + 5 * P, s.mremap(t, q, 5 * P, 5 * P, MUST, p + 5 * P));
        Vma v = t.mm().vmaLookup(p);
        assertEquals(p, v.start());
        assertEquals(p + 10 * P, v.end(), "the moved vma merged with P");
        // __anon_vma_prepare() of the new vma reused P's anon_vma (find_mergeable_anon_vma: next is
        // the carve-out, prev is P: adjacent, same flags, pgoff contiguous, one chain), so every
        // folio of Q now names P's anon_vma at its new linear index.
        for (long a = p + 5 * P; a < p + 10 * P; a += P) {
            int pfn = pfnAt(s, t, a);
            assertSame(pAnon, s.machine().frames().mapping[pfn]);
            assertEquals(a >>> Machine.PAGE_SHIFT, s.machine().frames().index[pfn]);
        }
        // One relocating move: 5 ptes walked (Q's five pages, all present), 5 folios rewritten,
        // the re-merge joined P; Q's own anon_vma and chain went with its old vma.
        assertEquals(1, st.relocateAsked);
        assertEquals(1, st.relocateDone);
        assertEquals(1, st.relocateMerged);
        assertEquals(0, st.relocateNotNeeded);
        assertEquals(5, st.relocatePtesWalked);
        assertEquals(5, st.relocateFoliosRewritten);
        assertEquals(1, st.alive("anon_vma"));
        assertEquals(1, st.alive("anon_vma_chain"));
        s.reclaim(Long.MAX_VALUE);
        s.finish();
    }

    /**
     * do_swap_page()'s ksm_might_need_to_copy(): a swap-cache page may be mapped at an address only
     * if its index is that address's linear pgoff and its anon_vma has the vma's root. A relocated
     * page passes at its new place; the page as a swap entry of the old range would have kept its
     * old index (the patch steps over swap entries), which fails the test, so it is copied.
     */
    @Test
    void aSwapCachePageIsMappedOnlyWhereItsIndexAndRootFit() {
        Task t = s.initTask();
        long[] l = layout(t);
        long p = l[1];
        long q = l[2];
        int before = pfnAt(s, t, q + 2 * P);
        assertEquals(p + 5 * P, s.mremap(t, q, 5 * P, 5 * P, MUST, p + 5 * P));
        int pfn = pfnAt(s, t, p + 7 * P);
        assertEquals(before, pfn, "relocation moves the page, not a copy");
        Vma v = t.mm().vmaLookup(p + 7 * P);
        assertTrue(!d.swapinMustCopy(pfn, v, p + 7 * P), "index and root fit at the new place");
        assertTrue(d.swapinMustCopy(pfn, v, p + 8 * P), "another index: copied");
        // The old index, as a page left behind by a swap entry would keep it: copied.
        Frames f = s.machine().frames();
        long relocated = f.index[pfn];
        f.index[pfn] = q >>> Machine.PAGE_SHIFT;
        assertTrue(d.swapinMustCopy(pfn, v, p + 7 * P));
        f.index[pfn] = relocated;
        // Today's design never asks (its moves keep or rewrite the index).
        assertTrue(!new AnonVmaChainDesign().swapinMustCopy(pfn, v, p + 8 * P));
        s.finish();
    }

    @Test
    void todaysDesignRefusesTheFlagsWithEinval() {
        AnonVmaChainDesign today = new AnonVmaChainDesign();
        CheckedSyscalls s2 = checked(today);
        Task t = s2.initTask();
        long a = s2.mmap(t, 0, 4 * P, RW, ANON);
        s2.write(t, a, 4 * P, 1);
        long b = s2.mmap(t, 0, 4 * P, RW, ANON);
        assertEquals(-Errno.EINVAL, s2.mremap(t, a, 4 * P, 4 * P, RELOCATE, b));
        assertEquals(-Errno.EINVAL, s2.mremap(t, a, 4 * P, 4 * P, MUST, b));
        assertTrue(!today.stats().asMap().containsKey("relocate_asked"), "no relocation counters");
        s2.finish();
    }

    @Test
    void aForkedRegionFallsBackAndMustFailsWithNothingMoved() {
        Task t = s.initTask();
        long[] l = layout(t);
        long p = l[1];
        long q = l[2];
        Task c = s.fork(t);
        // The parent's anon_vma has a child (num_children 2 with the root's self-link): shared.
        assertEquals(-Errno.EFAULT, s.mremap(t, q, 5 * P, 5 * P, MUST, p + 5 * P));
        assertEquals(q, t.mm().vmaLookup(q).start(), "nothing moved");
        assertEquals(1, st.relocateFallbackShared);
        assertEquals(1, st.relocateMustEfault);
        // The child's vma has two chains (vma_had_uncowed_parents): an ordinary move, no merge.
        assertEquals(p + 5 * P, s.mremap(c, q, 5 * P, 5 * P, RELOCATE, p + 5 * P));
        assertEquals(2, st.relocateFallbackShared);
        assertEquals(p + 5 * P, c.mm().vmaLookup(p).end(), "not merged: the moved vma keeps its pgoff");
        assertEquals(0, st.relocateDone);
        // Once the child has exited, the parent's anon_vma has no child left: relocation again.
        s.exit(c);
        assertEquals(p + 5 * P, s.mremap(t, q, 5 * P, 5 * P, RELOCATE, p + 5 * P));
        assertEquals(p + 10 * P, t.mm().vmaLookup(p).end());
        assertEquals(1, st.relocateDone);
        s.finish();
    }

    @Test
    void mustRelocateOfAnUnfaultedOrMergeableRangeIsAnOrdinaryMove() {
        Task t = s.initTask();
        long c = s.mmap(t, 0, 40 * P, Mman.PROT_NONE, ANON);
        long p = s.mmap(t, c + P, 5 * P, RW, ANON | Mman.MAP_FIXED);
        long q = s.mmap(t, c + 30 * P, 5 * P, RW, ANON | Mman.MAP_FIXED);
        // Unfaulted: "If no folios are mapped, then no need to attempt this" — not an error.
        assertEquals(p + 5 * P, s.mremap(t, q, 5 * P, 5 * P, MUST, p + 5 * P));
        assertEquals(0, st.relocateAsked);
        // Faulted, moved away and back to where its pgoff fits: copy_vma() merges at the old
        // pgoff, "no need to relocate".
        s.write(t, p, 10 * P, 7);
        long away = s.mremap(t, p + 5 * P, 5 * P, 5 * P, MOVE, c + 30 * P);
        assertEquals(c + 30 * P, away);
        assertEquals(p + 5 * P, s.mremap(t, away, 5 * P, 5 * P, MUST, p + 5 * P));
        assertEquals(1, st.relocateAsked);
        assertEquals(1, st.relocateNotNeeded);
        assertEquals(0, st.relocateFoliosRewritten);
        assertEquals(p + 10 * P, t.mm().vmaLookup(p).end());
        s.finish();
    }

    @Test
    void aSharedMappingIsNotAnonymousForRelocation() {
        Task t = s.initTask();
        long a = s.mmap(t, 0, 4 * P, RW, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS);
        s.write(t, a, 4 * P, 3);
        long hole = s.mmap(t, 0, 4 * P, RW, ANON);
        s.munmap(t, hole, 4 * P);
        assertEquals(-Errno.EFAULT, s.mremap(t, a, 4 * P, 4 * P, MUST, hole));
        assertEquals(1, st.relocateFallbackNotAnon);
        assertEquals(hole, s.mremap(t, a, 4 * P, 4 * P, RELOCATE, hole));
        assertEquals(2, st.relocateFallbackNotAnon);
        assertEquals(1, st.relocateMustEfault, "RELOCATE alone falls back without an error");
        s.finish();
    }
}
