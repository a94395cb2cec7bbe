package org.rmaplab.rmap.avc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

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
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;

/**
 * anon_vma_chain:matena — Jakub Matěna's "mm: adjust page offset in mremap" and "mm: enable
 * merging of VMAs with different anon_vmas" (RFC v3 PATCH 4/6 and 5/6, May 2022, never merged),
 * rule by rule, with the oracle after every operation; and the merge-failure counters of the
 * anon_vma_chain family, hand-derived, under today's rules and under his.
 */
class MatenaTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;
    static final int MOVE = Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED;

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
    private static long[] layout(CheckedSyscalls s, Task t) {
        long c = s.mmap(t, 0, 40 * P, Mman.PROT_NONE, ANON, -1, 0);
        long p = s.mmap(t, c + P, 5 * P, RW, ANON | Mman.MAP_FIXED, -1, 0);
        long q = s.mmap(t, c + 30 * P, 5 * P, RW, ANON | Mman.MAP_FIXED, -1, 0);
        s.write(t, p, 5 * P, 0xA1);
        s.write(t, q, 5 * P, 0xB2);
        return new long[] {c, p, q};
    }

    /** Today's rules and Matěna's, in that order. */
    private static AnonVmaChainDesign[] todayAndMatena() {
        return new AnonVmaChainDesign[] {new AnonVmaChainDesign(), AnonVmaChainDesign.matena()};
    }

    /** 5 pages mapped at ADDR (MAP_FIXED, private anonymous, rw) by T, written with VALUE. */
    private static long written(CheckedSyscalls s, Task t, long addr, long value) {
        long a = s.mmap(t, addr, 5 * P, RW, ANON | Mman.MAP_FIXED, -1, 0);
        s.write(t, a, 5 * P, value);
        return a;
    }

    private static long n(CheckedSyscalls s, String counter) {
        Map<String, Long> m = s.machine().counters();
        assertTrue(m.containsKey(counter), counter);
        return m.get(counter);
    }

    @Test
    void anExclusiveRegionMovedNextToItsNeighbourTakesItsPgoffAndMerges() {
        AnonVmaChainDesign d = AnonVmaChainDesign.matena();
        CheckedSyscalls s = checked(d);
        Task t = s.initTask();
        long[] l = layout(s, t);
        long p = l[1];
        long q = l[2];
        Object pAnon = t.mm().vmaLookup(p).anonVma;
        assertEquals(p + 5 * P, s.mremap(t, q, 5 * P, 5 * P, MOVE, p + 5 * P));
        Vma v = t.mm().vmaLookup(p);
        assertEquals(p + 10 * P, v.end(), "the moved vma merged with P");
        // update_pgoff_page(): each of Q's five pages names P's anon_vma at its new address.
        for (long a = p + 5 * P; a < p + 10 * P; a += P) {
            int pfn = pfnAt(s, t, a);
            assertSame(pAnon, s.machine().frames().mapping[pfn]);
            assertEquals(a >>> Machine.PAGE_SHIFT, s.machine().frames().index[pfn]);
        }
        // can_update_faulted_pgoff(): Q's anon_vma is its own root, only Q's vma in its tree, no
        // page mapped twice: 1 update. move_ptes() re-homed Q's 5 present pages one by one (no
        // page table moved whole). The copy merged into P at a new pgoff with another anon_vma:
        // 1 merge of Matěna's. No merge test failed: P's and Q's other neighbours are the
        // PROT_NONE carve-out (other flags), and the merge with P succeeded.
        assertEquals(1, n(s, "matena_pgoff_updates"));
        assertEquals(0, n(s, "matena_pgoff_refused_shared"));
        assertEquals(0, n(s, "matena_pgoff_refused_pages"));
        assertEquals(5, n(s, "matena_pages_updated"));
        assertEquals(0, n(s, "matena_pages_reconnected"));
        assertEquals(1, n(s, "vma_merges_matena"));
        assertEquals(0, n(s, "vma_merge_fail_pgoff") + n(s, "vma_merge_fail_anon_vma") + n(s, "vma_merge_fail_shared"));
        assertEquals(5, n(s, "mremap_ptes_moved"));
        assertEquals(0, n(s, "mremap_pmd_moves"));
        // Q's anon_vma and chain went with its old vma.
        assertEquals(1, d.stats().alive("anon_vma"));
        assertEquals(1, d.stats().alive("anon_vma_chain"));
        s.reclaim(Long.MAX_VALUE);
        s.finish();
    }

    @Test
    void todaysRuleRefusesTheSameMergeForADifferentAnonVma() {
        CheckedSyscalls s = checked(new AnonVmaChainDesign());
        Task t = s.initTask();
        long[] l = layout(s, t);
        long p = l[1];
        assertEquals(p + 5 * P, s.mremap(t, l[2], 5 * P, 5 * P, MOVE, p + 5 * P));
        assertEquals(p + 5 * P, t.mm().vmaLookup(p).end(), "two vmas");
        // copy_vma()'s merge with P: same flags, adjacent; both rules refuse — two anon_vmas
        // (Q's not shared: its own root, no children) and Q's old pgoff c+30 after P's end c+6 —
        // and Matěna's tracing tests the pgoff first: 1 "pgoff" failure, no "anon_vma" one.
        // No Matěna counters under today's rule.
        assertEquals(1, n(s, "vma_merge_fail_pgoff"));
        assertEquals(0, n(s, "vma_merge_fail_anon_vma"));
        assertEquals(0, n(s, "vma_merge_fail_shared"));
        assertEquals(0, n(s, "vma_merges_matena"));
        assertTrue(!s.machine().counters().containsKey("matena_pgoff_updates"));
        s.finish();
    }

    @Test
    void aForkedRegionKeepsItsPgoffInParentAndChild() {
        AnonVmaChainDesign d = AnonVmaChainDesign.matena();
        CheckedSyscalls s = checked(d);
        Task t = s.initTask();
        long[] l = layout(s, t);
        long p = l[1];
        long q = l[2];
        long qPgoff = t.mm().vmaLookup(q).pgoff();
        Task c = s.fork(t);
        // Parent: Q's anon_vma is the root, but the child's vma chains to it with an anon_vma of
        // its own (rbt_no_children() false): refused, pgoff kept (c+30), and the merge with P
        // (ending at pgoff c+6) refused by both rules, counted pgoff first as Matěna's tracing
        // does: a "pgoff" failure, though the anon_vma is shared too.
        assertEquals(p + 5 * P, s.mremap(t, q, 5 * P, 5 * P, MOVE, p + 5 * P));
        assertEquals(qPgoff, t.mm().vmaLookup(p + 5 * P).pgoff());
        assertEquals(p + 5 * P, t.mm().vmaLookup(p).end());
        // Child: its Q's anon_vma is not its own root: refused again, "pgoff" again.
        assertEquals(p + 5 * P, s.mremap(c, q, 5 * P, 5 * P, MOVE, p + 5 * P));
        assertEquals(p + 5 * P, c.mm().vmaLookup(p).end());
        assertEquals(2, n(s, "matena_pgoff_refused_shared"));
        assertEquals(0, n(s, "matena_pgoff_updates"));
        assertEquals(0, n(s, "matena_pages_updated"));
        assertEquals(2, n(s, "vma_merge_fail_pgoff"));
        assertEquals(0, n(s, "vma_merge_fail_shared"));
        assertEquals(0, n(s, "vma_merge_fail_anon_vma"));
        assertEquals(0, n(s, "vma_merges_matena"));
        s.reclaim(Long.MAX_VALUE);
        s.finish();
    }

    /**
     * The pgoffs fit and the anon_vmas differ, neither shared: an "anon_vma" failure (Matěna's
     * tracing: can_vma_merge_after() passes the pgoff test and is_mergeable_anon_vma() refuses).
     * Q (5 pages at carve-out +6p, pgoff c+6) is written (anon_vma A_Q) and moved away to +20p,
     * keeping pgoff c+6; P (5 pages at +1p, pgoff c+1) is then written (anon_vma A_P: its
     * neighbours are the carve-out and a hole, nothing to reuse). Moving Q back to +6p: copy_vma()
     * tests P, same flags, adjacent, P's end pgoff c+6 = Q's pgoff, A_Q != A_P, A_Q its own root
     * with no children. Under today's rule: refused, 1 "anon_vma", nothing else (every other
     * neighbour met is PROT_NONE or a hole). Under Matěna's: merged (1 of his merges), no failure.
     */
    @Test
    void pgoffsThatFitWithAnotherUnsharedAnonVmaCountAnonVma() {
        for (AnonVmaChainDesign d : todayAndMatena()) {
            CheckedSyscalls s = checked(d);
            Task t = s.initTask();
            long c = s.mmap(t, 0, 40 * P, Mman.PROT_NONE, ANON, -1, 0);
            long q = written(s, t, c + 6 * P, 0xB2);
            assertEquals(c + 20 * P, s.mremap(t, q, 5 * P, 5 * P, MOVE, c + 20 * P));
            long p = written(s, t, c + P, 0xA1);
            assertEquals(q, s.mremap(t, c + 20 * P, 5 * P, 5 * P, MOVE, q));
            boolean matena = d.adjustsFaultedPgoff();
            assertEquals(matena ? p + 10 * P : p + 5 * P, t.mm().vmaLookup(p).end());
            assertEquals(matena ? 0 : 1, n(s, "vma_merge_fail_anon_vma"));
            assertEquals(0, n(s, "vma_merge_fail_pgoff") + n(s, "vma_merge_fail_shared"));
            assertEquals(matena ? 1 : 0, n(s, "vma_merges_matena"));
            s.reclaim(Long.MAX_VALUE);
            s.finish();
        }
    }

    /**
     * The pgoffs fit and the anon_vma is shared: a "shared" failure (AV_MERGE_FAILED in Matěna's
     * tracing). P (5 pages at carve-out +1p, pgoff c+1) is written, then the task forks; the
     * child maps 5 fresh pages at +6p (MAP_FIXED, pgoff c+6 = P's end pgoff, no anon_vma).
     * vma_merge_new_range() tests the child's P: same flags, adjacent, pgoffs fit; the range has
     * no anon_vma and P is a fork child's (Linux 6.18 is_mergeable_anon_vma() case 2,
     * !vma_had_uncowed_parents(tgt); in Matěna's is_mergeable_anon_vma() P's anon_vma_chain is not
     * singular and the range has none): refused, 1 "shared", and of it 1 "shared_new" (the
     * absorbed range has no anon_vma). The new range's next is the carve-out (PROT_NONE). The same
     * under both rules.
     */
    @Test
    void pgoffsThatFitWithASharedAnonVmaCountShared() {
        for (AnonVmaChainDesign d : todayAndMatena()) {
            CheckedSyscalls s = checked(d);
            Task t = s.initTask();
            long c = s.mmap(t, 0, 40 * P, Mman.PROT_NONE, ANON, -1, 0);
            long p = written(s, t, c + P, 0xA1);
            Task child = s.fork(t);
            assertEquals(c + 6 * P, s.mmap(child, c + 6 * P, 5 * P, RW, ANON | Mman.MAP_FIXED, -1, 0));
            assertEquals(p + 5 * P, child.mm().vmaLookup(p).end(), "not merged");
            assertEquals(1, n(s, "vma_merge_fail_shared"));
            assertEquals(1, n(s, "vma_merge_fail_shared_new"));
            assertEquals(0, n(s, "vma_merge_fail_pgoff") + n(s, "vma_merge_fail_anon_vma"));
            s.reclaim(Long.MAX_VALUE);
            s.finish();
        }
    }

    /**
     * A "shared" failure that is not "shared_new": the absorbed range has an anon_vma, shared
     * with a child. Q (5 pages at carve-out +6p, pgoff c+6) is written (anon_vma A_Q) and moved
     * to +20p, keeping pgoff c+6 under today's rule; P (5 pages at +1p, pgoff c+1) is written
     * (A_P); the task forks, so A_Q and A_P each have a child anon_vma. Moving the parent's Q
     * back to +6p: copy_vma() tests P, same flags, adjacent, P's end pgoff c+6 = Q's pgoff,
     * A_Q != A_P and A_Q not unshared (it has children): refused, 1 "shared", 0 "shared_new"; the
     * new place's next is the carve-out (PROT_NONE), not counted. Under Matěna's rules the first
     * move, A_Q then unshared, took pgoff c+20 (can_update_faulted_pgoff(): 1 update), and the
     * move back may not take c+6 (A_Q shared now: 1 refusal), so the test of P fails its pgoffs
     * first: 1 "pgoff", no "shared".
     */
    @Test
    void anAbsorbedAnonVmaSharedWithAChildIsSharedButNotNew() {
        for (AnonVmaChainDesign d : todayAndMatena()) {
            CheckedSyscalls s = checked(d);
            Task t = s.initTask();
            long c = s.mmap(t, 0, 40 * P, Mman.PROT_NONE, ANON, -1, 0);
            long q = written(s, t, c + 6 * P, 0xB2);
            assertEquals(c + 20 * P, s.mremap(t, q, 5 * P, 5 * P, MOVE, c + 20 * P));
            long p = written(s, t, c + P, 0xA1);
            s.fork(t);
            assertEquals(q, s.mremap(t, c + 20 * P, 5 * P, 5 * P, MOVE, q));
            boolean matena = d.adjustsFaultedPgoff();
            assertEquals(p + 5 * P, t.mm().vmaLookup(p).end(), "not merged");
            assertEquals(matena ? 0 : 1, n(s, "vma_merge_fail_shared"));
            assertEquals(matena ? 1 : 0, n(s, "vma_merge_fail_pgoff"));
            assertEquals(0, n(s, "vma_merge_fail_shared_new") + n(s, "vma_merge_fail_anon_vma"));
            assertEquals(0, n(s, "vma_merges_matena"));
            if (matena) {
                assertEquals(1, n(s, "matena_pgoff_updates"));
                assertEquals(1, n(s, "matena_pgoff_refused_shared"));
            }
            s.reclaim(Long.MAX_VALUE);
            s.finish();
        }
    }

    /**
     * __vma_adjust()'s reconnect_pages_range() (PATCH 5/6): Q, read-only, moved next to P takes
     * its new pgoff but cannot merge (other flags); mprotect() then merges it into P, whose
     * anon_vma its four pages join.
     */
    @Test
    void mprotectMergesADifferentAnonVmaAndReconnectsItsPages() {
        AnonVmaChainDesign d = AnonVmaChainDesign.matena();
        CheckedSyscalls s = checked(d);
        Task t = s.initTask();
        long[] l = layout(s, t);
        long p = l[1];
        long q = l[2];
        assertEquals(0, s.mprotect(t, q + P, 4 * P, Mman.PROT_READ));
        assertEquals(p + 5 * P, s.mremap(t, q + P, 4 * P, 4 * P, MOVE, p + 5 * P));
        assertEquals(p + 5 * P, t.mm().vmaLookup(p).end(), "other flags: not merged");
        assertEquals(0, s.mprotect(t, p + 5 * P, 4 * P, RW));
        assertEquals(p + 9 * P, t.mm().vmaLookup(p).end(), "merged by mprotect");
        Object pAnon = t.mm().vmaLookup(p).anonVma;
        for (long a = p + 5 * P; a < p + 9 * P; a += P) {
            int pfn = pfnAt(s, t, a);
            assertSame(pAnon, s.machine().frames().mapping[pfn]);
            assertEquals(a >>> Machine.PAGE_SHIFT, s.machine().frames().index[pfn]);
        }
        // The move: Q's piece [q+1p, q+5p) is a vma of its own after the mprotect split, sharing
        // Q's anon_vma (its own root, the tree holding the two pieces of Q, both its): 1 update,
        // its 4 pages re-indexed. mprotect: 4 pages reconnected to P's anon_vma, 1 merge of
        // Matěna's. Failed tests: the split of Q by mprotect has Q's first page as prev with the
        // other flags; the move's copy sees P (rw, the piece read-only) and the carve-out.
        assertEquals(1, n(s, "matena_pgoff_updates"));
        assertEquals(4, n(s, "matena_pages_updated"));
        assertEquals(4, n(s, "matena_pages_reconnected"));
        assertEquals(1, n(s, "vma_merges_matena"));
        s.reclaim(Long.MAX_VALUE);
        s.finish();
    }

    @Test
    void theRelocationFlagsAreEinvalUnderMatena() {
        CheckedSyscalls s = checked(AnonVmaChainDesign.matena());
        Task t = s.initTask();
        long[] l = layout(s, t);
        assertEquals(-Errno.EINVAL, s.mremap(t, l[2], 5 * P, 5 * P, MOVE | Mman.MREMAP_RELOCATE_ANON, l[1] + 5 * P));
        assertEquals(-Errno.EINVAL, s.mremap(t, l[2], 5 * P, 5 * P, MOVE | Mman.MREMAP_MUST_RELOCATE_ANON, l[1] + 5 * P));
        s.finish();
    }
}
