package org.rmaplab.rmap.lokier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rmaplab.rmap.lokier.LokierRig.P;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.InvariantViolation;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.RmapWalkControl;

/** Where lokier's offsets come from, and what the walk does with them. */
class LokierOffsetsTest {
    static final long X = 0x100000000L; // 4 GiB: far from mmap_base and brk
    static final long GIB = 1L << 30;

    /** A walk control that records the vmas with a pte for the page and never stops early. */
    static final class Visits implements RmapWalkControl {
        final List<Vma> vmas = new ArrayList<>();

        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            vmas.add(vma);
            return false;
        }

        @Override
        public boolean done() {
            return false;
        }
    }

    @Test
    void offsetsAreBumpedFromACounterAndWrapIntoANewAddressSpace() {
        // 1024-page address_spaces, reserves of at least 64 pages: a 16-page mmap takes 16 + 64
        // offsets plus the unused one after them, and sits in the middle of its reservation.
        LokierRig r = new LokierRig(new LokierDesign(1024, 64, 1, 1));
        int fits = (int) ((1024 - 80) / 81) + 1; // reservations that fit below the wrap limit: 12
        for (int i = 0; i <= fits; i++) {
            long a = r.map(X + i * GIB, 16); // a gigabyte apart: no neighbour can lend
            r.write(a, 16, 0x100 + i);
            Vma v = r.vma(a);
            if (i < fits) {
                assertEquals(LokierDesign.addressSpaceId(r.vma(X)), LokierDesign.addressSpaceId(v));
                assertEquals(i * 81L + 32, LokierDesign.offsetInSpace(v), "bumped offset of mapping " + i);
            } else {
                // The counter would pass 1024: a new address_space, offsets from 0 again.
                assertEquals(LokierDesign.addressSpaceId(r.vma(X)) + 1, LokierDesign.addressSpaceId(v));
                assertEquals(32, LokierDesign.offsetInSpace(v));
            }
            assertEquals(32, LokierDesign.reserveAbove(v), "half the extra above");
            assertFalse(LokierDesign.exclusive(v), "mmap reserves non-exclusively");
        }
        assertEquals(1, r.d.stats().wraps);
        assertEquals(fits + 1, r.d.stats().reservationsAllocated);
        assertEquals(0, r.d.stats().claims);
        // The pages of the two address_spaces point to different address_space objects, at the
        // offsets of their vmas (the oracle has checked every walk after every call).
        int first = r.pfn(r.t, X);
        int last = r.pfn(r.t, X + fits * GIB);
        Frames f = r.k.frames();
        assertNotEquals(f.mapping[first], f.mapping[last]);
        assertEquals(r.vma(X).pgoff(), f.index[first]);
        assertEquals(r.vma(X + fits * GIB).pgoff(), f.index[last]);
        // pgoff is not the address (anon_vma's addr >> PAGE_SHIFT): the address_space's offset.
        assertNotEquals(X >>> 12, r.vma(X).pgoff());
        assertEquals(0x100L + fits, r.read(r.t, X + fits * GIB));
    }

    @Test
    void aMappingLargerThanAnAddressSpaceGetsOneOfItsOwn() {
        LokierRig r = new LokierRig(new LokierDesign(256, 16, 1, 1));
        long a = r.map(X, 8);
        long b = r.map(X + GIB, 300); // 300 pages > 256: no extra, a fresh address_space
        r.write(b + 299 * P, 1, 0x77);
        assertEquals(LokierDesign.addressSpaceId(r.vma(a)) + 1, LokierDesign.addressSpaceId(r.vma(b)));
        assertEquals(0, LokierDesign.offsetInSpace(r.vma(b)));
        assertEquals(0x77, r.read(r.t, b + 299 * P));
    }

    @Test
    void forkSharesTheAddressSpaceAndTheOffsets() {
        LokierRig r = new LokierRig(new LokierDesign());
        long a = r.map(X, 8);
        r.write(a, 8, 0xA);
        Task c = r.sys.fork(r.t);
        Vma pv = r.vma(a);
        Vma cv = r.vma(c, a);
        assertEquals(pv.pgoff(), cv.pgoff());
        assertSame(pv.anonVma, cv.anonVma, "one address_space");
        assertEquals(LokierDesign.reserveAbove(pv), LokierDesign.reserveAbove(cv));
        // A COW in the child: the copy goes into the same address_space at the same offset.
        r.write(c, a + 2 * P, 1, 0xC);
        int ppfn = r.pfn(r.t, a + 2 * P);
        int cpfn = r.pfn(c, a + 2 * P);
        assertNotEquals(ppfn, cpfn);
        Frames f = r.k.frames();
        assertSame(f.mapping[ppfn], f.mapping[cpfn]);
        assertEquals(f.index[ppfn], f.index[cpfn]);
        // The walk of a page still shared visits both vmas and finds both ptes; the walk of the
        // parent's un-shared page visits both vmas too (they cover its offset), finds one pte.
        Visits shared = new Visits();
        long before = r.d.stats().walkVmasVisited;
        r.d.rmapWalk(r.pfn(r.t, a), shared);
        assertEquals(2, shared.vmas.size(), shared.vmas + " pfn " + r.pfn(r.t, a) + " child " + r.pfn(c, a) + " mapcount " + r.k.frames().mapcount[r.pfn(r.t, a)]);
        assertEquals(2, r.d.stats().walkVmasVisited - before);
        Visits own = new Visits();
        before = r.d.stats().walkVmasVisited;
        r.d.rmapWalk(ppfn, own);
        assertEquals(List.of(pv), own.vmas);
        assertEquals(2, r.d.stats().walkVmasVisited - before);
        // The child allocates from the shared counter: its next reservation follows the parent's.
        // (64 GiB away: the parent's reservation, 2^22 pages centred on it, cannot lend.)
        long reservations = r.d.stats().reservationsAllocated;
        long b = r.map(c, X + 64 * GIB, 4);
        assertEquals(reservations + 1, r.d.stats().reservationsAllocated);
        assertEquals(LokierDesign.addressSpaceId(pv), LokierDesign.addressSpaceId(r.vma(c, b)));
        assertTrue(LokierDesign.offsetInSpace(r.vma(c, b)) > LokierDesign.offsetInSpace(pv) + LokierDesign.reserveAbove(pv));
        // exec gives a fresh address_space.
        r.sys.exec(c);
        long e = r.map(c, X, 4);
        assertNotEquals(LokierDesign.addressSpaceId(pv), LokierDesign.addressSpaceId(r.vma(c, e)));
        assertEquals(0xA, r.read(r.t, a + 2 * P));
    }

    @Test
    void aMovedVmaKeepsItsOffsetsAndItsPagesAreFoundWithoutPerPageWork() {
        LokierRig r = new LokierRig(new LokierDesign());
        long a = r.map(0x40000000L, 1024); // 4 MiB, 2 MiB-aligned: two whole page tables
        r.write(a, 1024, 0x5);
        long pgoff = r.vma(a).pgoff();
        long[] index = new long[1024];
        for (int i = 0; i < 1024; i++) {
            index[i] = r.k.frames().index[r.pfn(r.t, a + i * P)];
        }
        long adds = r.d.stats().rmapAdds;
        long removes = r.d.stats().rmapRemoves;
        long dups = r.d.stats().rmapDups;
        long pmdMoves = r.k.counters().get("mremap_pmd_moves");
        long ptesMoved = r.k.counters().get("mremap_ptes_moved");
        long b = r.sys.mremap(r.t, a, 1024 * P, 1024 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, 0x80000000L);
        assertEquals(0x80000000L, b);
        // No per-page rmap work (tellsMovedPtes false), but lokier's kernel (2.6-era
        // move_page_tables → move_one_page per page, no move_normal_pmd) moves the 1024 ptes
        // one by one, though both ends are 2 MiB-aligned: 0 tables moved, 1024 ptes moved.
        assertFalse(r.d.traits().tellsMovedPtes());
        assertFalse(r.d.traits().movesPageTables());
        assertEquals(0, r.k.counters().get("mremap_pmd_moves") - pmdMoves, "no whole page table moved");
        assertEquals(1024, r.k.counters().get("mremap_ptes_moved") - ptesMoved, "every pte moved one by one");
        assertEquals(adds, r.d.stats().rmapAdds);
        assertEquals(removes, r.d.stats().rmapRemoves);
        assertEquals(dups, r.d.stats().rmapDups);
        assertEquals(pgoff, r.vma(b).pgoff());
        for (int i = 0; i < 1024; i++) {
            int pfn = r.pfn(r.t, b + i * P);
            assertEquals(index[i], r.k.frames().index[pfn], "page->index untouched");
            Visits v = new Visits();
            r.d.rmapWalk(pfn, v);
            assertEquals(List.of(r.vma(b)), v.vmas);
        }
        assertEquals(0x5, r.read(r.t, b + 1000 * P));
    }

    @Test
    void neighboursLendTheirReserve() {
        LokierRig r = new LokierRig(new LokierDesign());
        long a = r.map(X, 16);
        r.write(a, 1, 0xA);
        long pgoff = r.vma(a).pgoff();
        assertEquals(1, r.d.stats().reservationsAllocated);
        // Not adjacent: B takes the offsets linear with A's, in A's reservation.
        long b = r.map(X + 64 * P, 16);
        r.write(b, 1, 0xB);
        assertEquals(pgoff + 64, r.vma(b).pgoff());
        assertEquals(1, r.d.stats().reservationsAllocated);
        assertEquals(1, r.d.stats().claims);
        assertEquals(2, r.internal(X, 80 * P));
        // Filling the hole merges all three into one vma ("mergeable when the holes are filled").
        r.map(X + 16 * P, 48);
        assertEquals(1, r.internal(X, 80 * P));
        assertEquals(1, r.visible(X, 80 * P));
        assertEquals(pgoff, r.vma(X).pgoff());
        assertEquals(X + 80 * P, r.vma(X).end());
        // Adjacent below (mmap's top-down case): the neighbour simply grows downwards.
        long c = r.map(X - 16 * P, 16);
        assertEquals(1, r.internal(c, 96 * P));
        assertEquals(pgoff - 16, r.vma(c).pgoff());
        assertEquals(1, r.d.stats().reservationsAllocated);
        assertEquals(3, r.d.stats().claims);
        // Every vma of one mm has offsets no other of its vmas uses.
        assertEquals(0xB, r.read(r.t, b));
        assertEquals(0xA, r.read(r.t, a));
    }

    @Test
    void mremapReservesExclusivelyAndLendsNothing() {
        LokierRig r = new LokierRig(new LokierDesign(1L << 32, 0, 1, 1));
        long a = r.map(X, 16); // extra 16: 8 below, 8 above
        r.write(a, 16, 0xA);
        assertEquals(8, LokierDesign.reserveAbove(r.vma(a)));
        assertEquals(a, r.sys.mremap(r.t, a, 16 * P, 32 * P, 0, 0)); // needs 16 > 8: split
        assertEquals(1, r.d.stats().growthSplits);
        Vma piece = r.vma(X + 16 * P);
        assertTrue(LokierDesign.exclusive(piece));
        assertEquals(32, LokierDesign.reserveAbove(piece), "extra = the whole region after growth");
        long reservations = r.d.stats().reservationsAllocated;
        long claims = r.d.stats().claims;
        r.map(X + 40 * P, 4); // near the piece, within its reservation's reach: not lent
        assertEquals(reservations + 1, r.d.stats().reservationsAllocated);
        assertEquals(claims, r.d.stats().claims);
        assertNotEquals(piece.pgoff() + 24, r.vma(X + 40 * P).pgoff());
    }

    @Test
    void brkGrowsInItsReservationThenSplits() {
        LokierRig r = new LokierRig(new LokierDesign(1L << 32, 0, 1, 1));
        long base = r.sys.brk(r.t, 0);
        assertEquals(base + 4 * P, r.sys.brk(r.t, base + 4 * P)); // a new heap vma: extra 4, 2 above
        r.write(base, 4, 0x4);
        assertEquals(2, LokierDesign.reserveAbove(r.vma(base)));
        r.sys.brk(r.t, base + 6 * P); // fits
        assertEquals(0, r.d.stats().growthSplits);
        assertEquals(1, r.internal(base, 6 * P));
        r.sys.brk(r.t, base + 7 * P); // does not: a new vma in the same user-visible heap
        assertEquals(1, r.d.stats().growthSplits);
        assertEquals(2, r.internal(base, 7 * P));
        assertEquals(1, r.visible(base, 7 * P));
        assertTrue(LokierDesign.exclusive(r.vma(base + 6 * P)));
        assertEquals(7, LokierDesign.reserveAbove(r.vma(base + 6 * P)), "extra = the whole heap");
        assertEquals(base + 3 * P, r.sys.brk(r.t, base + 3 * P)); // shrinking unmaps the piece
        assertEquals(1, r.internal(base, 7 * P));
    }

    @Test
    void aForkGroupMovesOnToTheSuccessorOfAFullAddressSpace() {
        LokierRig r = new LokierRig(new LokierDesign(256, 16, 1, 1));
        r.map(X, 16);
        Task c = r.sys.fork(r.t);
        int first = LokierDesign.addressSpaceId(r.vma(X));
        int i = 1;
        while (LokierDesign.addressSpaceId(r.vma(r.map(X + i * GIB, 16))) == first) {
            i++;
        }
        int second = LokierDesign.addressSpaceId(r.vma(X + i * GIB));
        assertEquals(first + 1, second);
        // The parent leaves before the child allocated again: the successor has no user and no
        // reservation left, and goes; the child, still on the full one, needs a new successor.
        r.sys.exec(r.t);
        int parentsNew = LokierDesign.addressSpaceId(r.vma(r.map(X, 1)));
        long e = r.map(c, X + 65 * GIB, 4);
        int childs = LokierDesign.addressSpaceId(r.vma(c, e));
        assertTrue(childs > second && childs != parentsNew, "a new successor: " + childs);
        long f = r.map(c, X + 66 * GIB, 4);
        assertEquals(childs, LokierDesign.addressSpaceId(r.vma(c, f)), "and it stays there");
        r.write(c, e, 4, 0xE);
        assertEquals(0xE, r.read(c, e));
    }

    @Test
    void aNeighboursClaimCanForceASplitLater() {
        // mmap's reservations are not exclusive: a mapping placed 4 pages after A takes the
        // offsets A would grow into. When A later has to move to grow past it, it must split;
        // under Linux it would simply move and grow.
        LokierRig r = new LokierRig(new LokierDesign(1L << 32, 0, 1, 1));
        long a = r.map(X, 16); // 8 offsets above it
        r.write(a, 16, 0xA);
        r.map(X + 20 * P, 1);
        assertEquals(1, r.d.stats().claims);
        assertEquals(a, r.sys.mremap(r.t, a, 16 * P, 20 * P, 0, 0)); // in place: offsets still free
        assertEquals(0, r.d.stats().growthSplits);
        long n = r.sys.mremap(r.t, a, 20 * P, 24 * P, Mman.MREMAP_MAYMOVE, 0);
        assertNotEquals(a, n);
        assertEquals(1, r.d.stats().growthSplits, "the claimed offsets are taken");
        assertEquals(2, r.internal(n, 24 * P));
        assertEquals(1, r.visible(n, 24 * P));
    }

    @Test
    void theOracleCatchesAWalkThatStopsAtTheFirstVma() {
        LokierDesign broken = new LokierDesign() {
            @Override
            public void rmapWalk(int pfn, RmapWalkControl ctl) {
                super.rmapWalk(pfn, new RmapWalkControl() {
                    @Override
                    public boolean visit(Vma vma, long address, long ptep) {
                        ctl.visit(vma, address, ptep);
                        return true; // as if one vma per offset were enough
                    }

                    @Override
                    public boolean done() {
                        return ctl.done();
                    }
                });
            }
        };
        LokierRig r = new LokierRig(broken);
        long a = r.map(X, 4);
        r.write(a, 4, 0x1);
        assertThrows(InvariantViolation.class, () -> r.sys.fork(r.t));
    }
}
