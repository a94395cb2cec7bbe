package org.rmaplab.rmap.anonmm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.check.InvariantViolation;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.mm.RmapWalkControl;

/**
 * anonmm's own behaviour, the things that would show if it quietly behaved like another design:
 * page-&gt;mapping names the faulting mm's anonmm and page-&gt;index the user address; exec starts
 * a new group; an extinct mm's anonmm lives exactly as long as its pages; the walk starts at the
 * indicated mm and costs O(mms in the group); mremap COWs exactly the pages mapped more than once;
 * page_referenced_anon re-homes pages off extinct mms. Most tests run with the oracle after every
 * operation, so the walk is also proved against the page tables at every step.
 */
class AnonMmDesignTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;

    AnonMmDesign d;
    CheckedSyscalls s;
    Machine k;
    Frames f;

    private Task boot(AnonMmDesign design, CheckPolicy policy, long ram) {
        d = design;
        k = new Machine(MachineConfig.defaults().withRam(ram), d);
        s = new CheckedSyscalls(k, policy);
        f = k.frames();
        return s.initTask();
    }

    private Task boot() {
        return boot(new AnonMmDesign(), CheckPolicy.EVERY, 16L << 20);
    }

    /** The pfn t maps at addr, 0 for the zero page, -1 for none. */
    private int pfnAt(Task t, long addr) {
        long slot = PageTable.lookup(f, t.mm().pgd(), addr);
        if (slot < 0) {
            return -1;
        }
        long pte = PageTable.get(f, slot);
        return PageTable.present(pte) ? PageTable.ptePfn(pte) : -1;
    }

    private long counter(String name) {
        return k.counters().get(name);
    }

    private long read(Task t, long addr) {
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        assertEquals(Syscalls.ACCESS_OK, s.read(t, addr, P, r));
        return r.value;
    }

    /** A walk control that records the mms of the ptes found, in order, and stops at mapcount. */
    static final class Recorder implements RmapWalkControl {
        final List<Mm> mms = new ArrayList<>();
        final int want;
        final boolean stopAtFirst;

        Recorder(int want, boolean stopAtFirst) {
            this.want = want;
            this.stopAtFirst = stopAtFirst;
        }

        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            mms.add(vma.mm);
            return stopAtFirst;
        }

        @Override
        public boolean done() {
            return mms.size() >= want;
        }
    }

    @Test
    void isRegisteredAfterAnonVmaChain() {
        List<String> names = RmapDesigns.names();
        assertEquals("anon_vma_chain", names.get(0));
        assertTrue(names.indexOf("anonmm") > 0);
        assertTrue(RmapDesigns.create("anonmm") instanceof AnonMmDesign);
    }

    @Test
    void aNewPageNamesTheFaultingMmsAnonmmAndItsUserAddress() {
        Task t1 = boot();
        long a = s.mmap(t1, 0, 4 * P, RW, ANON);
        s.write(t1, a + 2 * P, P, 7);
        int pfn = pfnAt(t1, a + 2 * P);
        assertEquals(AnonMmDesign.anonmmId(t1.mm()), d.pageAnonmmId(pfn));
        // The address itself, page-aligned: not a pgoff (anon_vma), not address >> PAGE_SHIFT.
        assertEquals(a + 2 * P, f.index[pfn]);
        Task t2 = s.fork(t1);
        s.write(t2, a + 2 * P, P, 8); // COW in the child: a new page of the child's anonmm
        int copy = pfnAt(t2, a + 2 * P);
        assertNotEquals(pfn, copy);
        assertEquals(AnonMmDesign.anonmmId(t2.mm()), d.pageAnonmmId(copy));
        assertEquals(a + 2 * P, f.index[copy]);
        assertEquals(AnonMmDesign.anonmmId(t1.mm()), d.pageAnonmmId(pfn));
        // One anonmm per mm whatever the vmas: nothing per vma, nothing per fork of a vma.
        assertEquals(2, d.stats().alive("anonmm"));
        assertSame(AnonMmDesign.anonmmOf(t2.mm()), t2.mm().vma(0).anonVma);
    }

    @Test
    void anonmmsFollowMmsNotVmas() {
        Task t1 = boot();
        long base = s.mmap(t1, 0, 40 * P, Mman.PROT_NONE, ANON);
        for (int i = 0; i < 10; i++) {
            // Alternate protections so that the ten vmas never merge.
            s.mmap(t1, base + 4 * i * P, 2 * P, i % 2 == 0 ? RW : RW | Mman.PROT_EXEC, ANON | Mman.MAP_FIXED);
            s.write(t1, base + 4 * i * P, 2 * P, i);
        }
        Task t2 = s.fork(t1);
        s.fork(t1);
        s.fork(t2);
        assertEquals(4, d.stats().alive("anonmm"));
        assertEquals(4, AnonMmDesign.groupSize(t1.mm()));
        assertEquals(AnonMmDesign.groupId(t1.mm()), AnonMmDesign.groupId(t2.mm()));
    }

    @Test
    void mremapAfterForkCopiesExactlyTheSharedPages() {
        Task t1 = boot();
        long a = s.mmap(t1, 0, 10 * P, RW, ANON);
        s.write(t1, a, 8 * P, 0x10); // pages 0-7: anonymous
        s.touch(t1, a + 8 * P, P);   // page 8: the zero page; page 9: nothing
        Task t2 = s.fork(t1);
        s.write(t2, a, 3 * P, 0x20); // the child COWs pages 0-2: t1's are mapped once again
        int[] before = new int[8];
        for (int i = 0; i < 8; i++) {
            before[i] = pfnAt(t1, a + i * P);
            assertEquals(i < 3 ? 1 : 2, f.mapcount[before[i]]);
        }
        long cows = d.stats().mremapCows;
        long copies = counter("cow_copies");
        long dest = a - 100 * P;
        assertEquals(dest, s.mremap(t1, a, 10 * P, 10 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, dest));
        // Linus's rule: the five shared pages were copied, the three exclusive ones were not.
        assertEquals(5, d.stats().mremapCows - cows);
        assertEquals(5, counter("cow_copies") - copies);
        for (int i = 0; i < 8; i++) {
            int now = pfnAt(t1, dest + i * P);
            if (i < 3) {
                assertEquals(before[i], now, "exclusive page " + i + " moved without a copy");
            } else {
                assertNotEquals(before[i], now, "shared page " + i + " was copied");
                // The original stays with the child, at its old address, mapped once.
                assertEquals(before[i], pfnAt(t2, a + i * P));
                assertEquals(1, f.mapcount[before[i]]);
                assertEquals(a + i * P, f.index[before[i]]);
            }
            assertEquals(dest + i * P, f.index[now], "page->index follows the move");
            assertEquals(AnonMmDesign.anonmmId(t1.mm()), d.pageAnonmmId(now));
            assertEquals(0x10, read(t1, dest + i * P));
        }
        assertEquals(0, pfnAt(t1, dest + 8 * P)); // the zero page moved as it was
        assertEquals(0x20, read(t2, a));
        assertEquals(0x10, read(t2, a + 5 * P));
        // Every page of the child is now mapped once: its own move copies nothing.
        cows = d.stats().mremapCows;
        copies = counter("cow_copies");
        long dest2 = a - 200 * P;
        assertEquals(dest2, s.mremap(t2, a, 10 * P, 10 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, dest2));
        assertEquals(0, d.stats().mremapCows - cows);
        assertEquals(0, counter("cow_copies") - copies);
        assertEquals(0x10, read(t2, dest2 + 5 * P));
    }

    @Test
    void dontunmapAndMultiVmaMovesFollowTheSameRule() {
        Task t1 = boot();
        long a = s.mmap(t1, 0, 8 * P, RW, ANON);
        s.write(t1, a, 8 * P, 1);
        s.mprotect(t1, a + 4 * P, 4 * P, Mman.PROT_READ); // two vmas
        Task t2 = s.fork(t1);
        s.write(t2, a, P, 2); // page 0 is exclusive again in both
        long cows = d.stats().mremapCows;
        long dest = a - 50 * P;
        // 6.17's multi-vma move: both vmas at once; 7 shared pages, read-only ones included.
        assertEquals(dest, s.mremap(t1, a, 8 * P, 8 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, dest));
        assertEquals(7, d.stats().mremapCows - cows);
        // DONTUNMAP in the child: all its pages are mapped once now, nothing to copy.
        cows = d.stats().mremapCows;
        long r = s.mremap(t2, a, 4 * P, 4 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_DONTUNMAP, 0);
        assertTrue(r > 0);
        assertEquals(0, d.stats().mremapCows - cows);
        assertEquals(2, read(t2, r));
        // A new fork, then DONTUNMAP in the parent: its 3 writable pages are shared again.
        Task t3 = s.fork(t1);
        cows = d.stats().mremapCows;
        long r2 = s.mremap(t1, dest + P, 3 * P, 3 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_DONTUNMAP, 0);
        assertTrue(r2 > 0);
        assertEquals(3, d.stats().mremapCows - cows);
        assertEquals(1, read(t3, dest + P));
        assertEquals(1, read(t1, r2));
    }

    @Test
    void aPageMappedOnceUnderAnotherMmsAnonmmMovesWithoutACopy() {
        Task t1 = boot();
        long a = s.mmap(t1, 0, 2 * P, RW, ANON);
        s.write(t1, a, 2 * P, 5);
        Task t2 = s.fork(t1);
        s.munmap(t1, a, 2 * P); // the pages now live in t2 only, still naming t1's anonmm
        int pfn = pfnAt(t2, a);
        assertEquals(AnonMmDesign.anonmmId(t1.mm()), d.pageAnonmmId(pfn));
        long cows = d.stats().mremapCows;
        long dest = a - 20 * P;
        assertEquals(dest, s.mremap(t2, a, 2 * P, 2 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, dest));
        assertEquals(0, d.stats().mremapCows - cows);
        assertEquals(pfn, pfnAt(t2, dest));
        assertEquals(dest, f.index[pfn]);
        // A fork of the moved vma copies the ptes at the new address: still one group, one index.
        Task t3 = s.fork(t2);
        assertEquals(pfn, pfnAt(t3, dest));
        assertEquals(2, f.mapcount[pfn]);
        // COW reuse (2.6.6's do_wp_page: no rmap change) after t3 leaves: the page keeps t1's anonmm.
        s.exit(t3);
        long copies = counter("cow_copies");
        s.write(t2, dest, P, 6);
        assertEquals(copies, counter("cow_copies"));
        assertEquals(pfn, pfnAt(t2, dest));
        assertEquals(AnonMmDesign.anonmmId(t1.mm()), d.pageAnonmmId(pfn));
    }

    @Test
    void execPutsTheNewMmInANewGroup() {
        Task t1 = boot();
        long a = s.mmap(t1, 0, P, RW, ANON);
        s.write(t1, a, P, 1);
        Task t2 = s.fork(t1);
        s.write(t2, a, P, 2);          // t2's own page, naming t2's anonmm
        Task t3 = s.fork(t2);          // and shared with t3
        int group = AnonMmDesign.groupId(t1.mm());
        assertEquals(group, AnonMmDesign.groupId(t3.mm()));
        assertEquals(3, AnonMmDesign.groupSize(t1.mm()));
        s.exec(t2);
        assertNotEquals(group, AnonMmDesign.groupId(t2.mm()));
        assertEquals(1, AnonMmDesign.groupSize(t2.mm()));
        // t2's old anonmm is extinct but t3's copy of the page still names it: it stays listed.
        int pfn = pfnAt(t3, a);
        assertFalse(d.pageAnonmmLive(pfn));
        assertEquals(3, AnonMmDesign.groupSize(t1.mm()));
        assertEquals(4, d.stats().alive("anonmm"));
        assertEquals(2, read(t3, a));
        // The new group never sees the old one's pages.
        long b = s.mmap(t2, 0, P, RW, ANON);
        s.write(t2, b, P, 3);
        assertEquals(AnonMmDesign.anonmmId(t2.mm()), d.pageAnonmmId(pfnAt(t2, b)));
    }

    @Test
    void anExtinctMembersAnonmmLivesExactlyAsLongAsItsPages() {
        Task t1 = boot();
        long a = s.mmap(t1, 0, P, RW, ANON);
        Task t2 = s.fork(t1);
        s.write(t2, a, P, 9);          // faulted by t2 (a member of t1's group)
        int pfn = pfnAt(t2, a);
        Task t3 = s.fork(t2);
        assertEquals(3, d.stats().alive("anonmm"));
        int countBefore = d.pageAnonmmCount(pfn);
        s.exit(t2);                    // the faulting mm goes
        assertFalse(d.pageAnonmmLive(pfn));
        assertEquals(countBefore - 1, d.pageAnonmmCount(pfn)); // the mm's count went, the page's stays
        assertEquals(3, d.stats().alive("anonmm"));
        assertEquals(9, read(t3, a));  // and the oracle found it at every step since
        Recorder r = new Recorder(1, false);
        d.rmapWalk(pfn, r);
        assertEquals(List.of(t3.mm()), r.mms);
        s.munmap(t3, a, P);            // the page is freed: t2's anonmm with it
        assertEquals(2, d.stats().alive("anonmm"));
        assertEquals(2, AnonMmDesign.groupSize(t1.mm()));
        assertEquals(3, d.stats().peak("anonmm"));
    }

    @Test
    void anExtinctHeadLivesUntilTheLastMmOfItsGroupExits() {
        Task t1 = boot();
        long a = s.mmap(t1, 0, P, RW, ANON);
        s.write(t1, a, P, 4);
        int pfn = pfnAt(t1, a);
        Task t2 = s.fork(t1);
        s.exit(t1);
        assertFalse(d.pageAnonmmLive(pfn));
        assertEquals(4, read(t2, a));
        s.munmap(t2, a, P);            // the page is gone, but the head is kept by its member
        assertEquals(2, d.stats().alive("anonmm"));
        Task t3 = s.fork(t2);          // a new member still joins the extinct head's list
        assertEquals(3, AnonMmDesign.groupSize(t3.mm()));
        s.exit(t2);
        s.exit(t3);
        assertEquals(0, d.stats().alive("anonmm"));
        assertTrue(k.mms().isEmpty());
    }

    @Test
    void theWalkVisitsTheIndicatedMmFirst() {
        Task t1 = boot(new AnonMmDesign(), CheckPolicy.END, 16L << 20);
        long a = s.mmap(t1, 0, 4 * P, RW, ANON);
        s.write(t1, a, P, 1);          // page 0: t1's, to be shared by everyone
        List<Task> kids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Task c = s.fork(t1);
            s.write(c, a + P, P, 10 + i); // each child's own page 1 (rss > 0 for everyone)
            kids.add(c);
        }
        // The ring is t1 (head), c0, c1, c2, c3. c1's page 2 is shared with a grandchild g.
        Task c1 = kids.get(1);
        s.write(c1, a + 2 * P, P, 20);
        Task g = s.fork(c1);           // g joins at the tail: t1, c0, c1, c2, c3, g
        int shared = pfnAt(c1, a + 2 * P);
        long visited = d.stats().walkVmasVisited;
        long checked = d.stats().walkPtesChecked;
        Recorder r = new Recorder(2, false);
        d.rmapWalk(shared, r);
        assertEquals(List.of(c1.mm(), g.mm()), r.mms);
        // c1 (found), c2, c3 (not there), g (found, done): never t1 or c0.
        assertEquals(4, d.stats().walkVmasVisited - visited);
        assertEquals(4, d.stats().walkPtesChecked - checked);
        // A child's own COWed page: found in the indicated mm at the first lookup.
        Task c3 = kids.get(3);
        int own = pfnAt(c3, a + P);
        visited = d.stats().walkVmasVisited;
        r = new Recorder(1, false);
        d.rmapWalk(own, r);
        assertEquals(List.of(c3.mm()), r.mms);
        assertEquals(1, d.stats().walkVmasVisited - visited);
        // The page everyone maps: t1 first, then round the ring in fork order.
        int all = pfnAt(t1, a);
        r = new Recorder(f.mapcount[all], false);
        d.rmapWalk(all, r);
        List<Mm> order = new ArrayList<>(List.of(t1.mm()));
        for (Task c : kids) {
            order.add(c.mm());
        }
        order.add(g.mm());
        assertEquals(order, r.mms);
        s.finish();
    }

    @Test
    void theWalkSkipsMmsWithNoRss() {
        Task t1 = boot(new AnonMmDesign(), CheckPolicy.END, 16L << 20);
        long a = s.mmap(t1, 0, P, RW, ANON);
        Task c0 = s.fork(t1);          // c0 will map nothing: rss 0
        s.write(t1, a, P, 1);
        Task c1 = s.fork(t1);
        assertEquals(0, c0.mm().rss());
        int pfn = pfnAt(t1, a);
        s.write(t1, a, P, 2);          // t1 COWs: the old page is c1's alone, still naming t1
        long visited = d.stats().walkVmasVisited;
        d.rmapWalk(pfn, new Recorder(1, false));
        assertEquals(2, d.stats().walkVmasVisited - visited); // t1, then c1: c0 is skipped
        assertEquals(1, read(c1, a));
        s.finish();
    }

    @Test
    void theGroupWalkCostGrowsWithTheMmsInTheForkGroup() {
        long[] cost = new long[3];
        int[] sizes = {4, 16, 64};
        for (int n = 0; n < sizes.length; n++) {
            int children = sizes[n];
            Task t1 = boot(new AnonMmDesign(), CheckPolicy.END, 64L << 20);
            long a = s.mmap(t1, 0, P, RW, ANON);
            s.write(t1, a, P, 1);
            List<Task> kids = new ArrayList<>();
            for (int i = 0; i < children; i++) {
                kids.add(s.fork(t1));
            }
            s.write(t1, a, P, 2);      // the parent COWs
            for (int i = 0; i < children - 1; i++) {
                s.write(kids.get(i), a, P, 3); // and every child but the last
            }
            int pfn = pfnAt(kids.get(children - 1), a);
            assertEquals(1, f.mapcount[pfn]);
            long visited = d.stats().walkVmasVisited;
            long checked = d.stats().walkPtesChecked;
            Recorder r = new Recorder(1, false);
            d.rmapWalk(pfn, r);
            assertEquals(List.of(kids.get(children - 1).mm()), r.mms);
            cost[n] = d.stats().walkVmasVisited - visited;
            // One pte, found in the last mm of the ring: every mm of the group is looked at.
            assertEquals(children + 1, cost[n]);
            assertEquals(children + 1, d.stats().walkPtesChecked - checked);
            s.finish();
        }
        assertTrue(cost[2] > 10 * cost[0], "O(mms): " + java.util.Arrays.toString(cost));
    }

    @Test
    void pageReferencedReHomesAPageOffAnExtinctMm() {
        Task t1 = boot();
        long a = s.mmap(t1, 0, P, RW, ANON);
        Task t2 = s.fork(t1);
        s.write(t2, a, P, 6);          // faulted by t2
        int pfn = pfnAt(t2, a);
        Task t3 = s.fork(t2);
        Task t4 = s.fork(t2);
        s.exit(t2);
        assertEquals(4, d.stats().alive("anonmm"));
        // The walk the oracle and try_to_unmap use changes nothing.
        d.rmapWalk(pfn, new Recorder(2, false));
        assertFalse(d.pageAnonmmLive(pfn));
        // A walk that ends early (a visitor that stops at the first pte) does not migrate either.
        assertFalse(d.pageReferencedAnon(pfn, new Recorder(2, true)));
        assertFalse(d.pageAnonmmLive(pfn));
        // page_referenced_anon: the page moves to the first live mm mapping it round the ring
        // from t2's anonmm: t3 (t4 comes after it, t1 does not map the page).
        Recorder r = new Recorder(2, false);
        assertTrue(d.pageReferencedAnon(pfn, r));
        assertEquals(List.of(t3.mm(), t4.mm()), r.mms);
        assertEquals(AnonMmDesign.anonmmId(t3.mm()), d.pageAnonmmId(pfn));
        // t2's anonmm had only that page: it is freed.
        assertEquals(3, d.stats().alive("anonmm"));
        assertEquals(3, AnonMmDesign.groupSize(t1.mm()));
        assertFalse(d.pageReferencedAnon(pfn, new Recorder(2, false)));
        s.checkNow();                  // counts and lists still consistent
        // Now the indicated mm is found first.
        long visited = d.stats().walkVmasVisited;
        d.rmapWalk(pfn, new Recorder(2, false));
        assertEquals(2, d.stats().walkVmasVisited - visited);
        assertEquals(6, read(t4, a));
    }

    @Test
    void pageReferencedKeepsAPageWhoseMmLives() {
        Task t1 = boot();
        long a = s.mmap(t1, 0, P, RW, ANON);
        s.write(t1, a, P, 1);
        int pfn = pfnAt(t1, a);
        s.fork(t1);
        s.munmap(t1, a, P);            // t1 lives but no longer maps it
        Recorder r = new Recorder(1, false);
        assertFalse(d.pageReferencedAnon(pfn, r));
        assertEquals(1, r.mms.size());
        assertEquals(AnonMmDesign.anonmmId(t1.mm()), d.pageAnonmmId(pfn));
    }

    @Test
    void withoutLinussRuleTheOracleCatchesTheLostPte() {
        Task t1 = boot(new AnonMmDesign(false), CheckPolicy.EVERY, 16L << 20);
        long a = s.mmap(t1, 0, 2 * P, RW, ANON);
        s.write(t1, a, 2 * P, 1);
        s.fork(t1);
        // Moving a shared page and rewriting its index loses the child's pte at the old address.
        InvariantViolation e = assertThrows(InvariantViolation.class,
                () -> s.mremap(t1, a, 2 * P, 2 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, a - 10 * P));
        assertTrue(e.getMessage().contains("walk of pfn"), e.getMessage());
    }

    @Test
    void theSelfCheckCatchesAWrongCount() {
        Task t1 = boot();
        long a = s.mmap(t1, 0, P, RW, ANON);
        s.write(t1, a, P, 1);
        assertNull(d.checkInvariants());
        AnonMm anonmm = AnonMmDesign.anonmmOf(t1.mm());
        anonmm.count++;
        String err = d.checkInvariants();
        assertNotNull(err);
        assertTrue(err.contains("count"), err);
        assertThrows(InvariantViolation.class, s::checkNow);
        anonmm.count--;
        f.index[pfnAt(t1, a)] += 1;
        assertNotNull(d.checkInvariants());
    }

    @Test
    void movedAnonymousVmasMergeBackWhateverTheirPgoff() {
        Task t1 = boot();
        long c = s.mmap(t1, 0, 20 * P, Mman.PROT_NONE, ANON);
        long a = s.mmap(t1, c + P, 4 * P, RW, ANON | Mman.MAP_FIXED);
        long b = s.mmap(t1, c + 10 * P, 4 * P, RW, ANON | Mman.MAP_FIXED);
        s.write(t1, a, 4 * P, 0xa);
        s.write(t1, b, 4 * P, 0xb);
        assertEquals(a + 4 * P, s.mremap(t1, b, 4 * P, 4 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, a + 4 * P));
        // Under anon_vma / anon_vma_chain these stay two vmas (two anon_vmas, pgoff apart).
        assertEquals(1, s.vmasIn(t1, a, 8 * P));
        assertEquals(0xb, read(t1, a + 5 * P));
        assertEquals(a + 5 * P, f.index[pfnAt(t1, a + 5 * P)]);
    }
}
