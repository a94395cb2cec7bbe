package org.rmaplab.check;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rmaplab.mm.FaultInject;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapWalkControl;
import org.rmaplab.rmap.avc.AnonVmaChainDesign;

/** The oracle is only worth something if it fails: break the model in known ways and watch it. */
class OracleDetectsTest {
    static final long P = Machine.PAGE_SIZE;

    private static CheckedSyscalls boot(RmapDesign d) {
        return new CheckedSyscalls(new Machine(MachineConfig.defaults().withRam(8L << 20), d), CheckPolicy.EVERY);
    }

    /** Maps 4 pages, writes them, forks: every page has two mappings. */
    private static long setup(CheckedSyscalls s, Task t1) {
        long a = s.mmap(t1, 0, 4 * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        s.write(t1, a, 4 * P, 0x11);
        return a;
    }

    @Test
    void aWalkThatMissesAPteIsCaught() {
        RmapDesign broken = new ForwardingDesign(new AnonVmaChainDesign()) {
            @Override
            public void rmapWalk(int pfn, RmapWalkControl ctl) {
                d.rmapWalk(pfn, new RmapWalkControl() {
                    int n;

                    @Override
                    public boolean visit(Vma vma, long address, long ptep) {
                        return ++n > 1 || ctl.visit(vma, address, ptep); // drops the second pte
                    }

                    @Override
                    public boolean done() {
                        return ctl.done();
                    }
                });
            }
        };
        CheckedSyscalls s = boot(broken);
        Task t1 = s.initTask();
        setup(s, t1);
        InvariantViolation e = assertThrows(InvariantViolation.class, () -> s.fork(t1));
        assertTrue(e.getMessage().contains("walk of pfn"), e.getMessage());
    }

    @Test
    void aDesignThatForgetsTheChildAfterForkIsCaught() {
        RmapDesign broken = new ForwardingDesign(new AnonVmaChainDesign()) {
            @Override
            public int vmaFork(Vma src, Vma dst) {
                return 0; // the child's vma is on no anon_vma: its ptes cannot be found
            }
        };
        CheckedSyscalls s = boot(broken);
        Task t1 = s.initTask();
        setup(s, t1);
        assertThrows(InvariantViolation.class, () -> s.fork(t1));
    }

    @Test
    void aCorruptedPageIsCaught() {
        CheckedSyscalls s = boot(new AnonVmaChainDesign());
        Task t1 = s.initTask();
        long a = setup(s, t1);
        Frames f = s.machine().frames();
        for (int pfn = 1; pfn < f.nrFrames(); pfn++) {
            if ((f.flags[pfn] & Frames.PG_ANON) != 0) {
                f.content[pfn] ^= 1;
                break;
            }
        }
        InvariantViolation e = assertThrows(InvariantViolation.class, s::checkNow);
        assertTrue(e.getMessage().contains("last written"), e.getMessage());
        assertThrows(InvariantViolation.class, () -> s.read(t1, a, 4 * P, new org.rmaplab.mm.Syscalls.ReadResult()));
    }

    /**
     * A private writable pte of a page with mapcount 1 that lost PG_anon_exclusive (a fork or a
     * GUP path that forgot to set it back): today's do_wp_page (6.18 mm/memory.c) would copy such a
     * page on a write it should reuse, and a writable pte must never map one. The oracle's mapcount
     * test alone cannot see it (the mapcount is 1), only its PG_anon_exclusive test can.
     */
    @Test
    void aWritablePteOfANonExclusivePageIsCaught() {
        CheckedSyscalls s = boot(new AnonVmaChainDesign());
        Task t1 = s.initTask();
        setup(s, t1);
        s.checkNow(); // a correct state first: four exclusive pages behind writable ptes
        Frames f = s.machine().frames();
        int pfn = 1;
        while ((f.flags[pfn] & Frames.PG_ANON) == 0) {
            pfn++;
        }
        assertTrue(f.mapcount[pfn] == 1 && (f.flags[pfn] & Frames.PG_ANON_EXCLUSIVE) != 0);
        f.flags[pfn] &= ~Frames.PG_ANON_EXCLUSIVE;
        InvariantViolation e = assertThrows(InvariantViolation.class, s::checkNow);
        assertTrue(e.getMessage().contains("not an exclusive anonymous page"), e.getMessage());
    }

    @Test
    void aWrongMapcountAndALeakAreCaught() {
        CheckedSyscalls s = boot(new AnonVmaChainDesign());
        Task t1 = s.initTask();
        setup(s, t1);
        s.fork(t1); // read-only shared pages, so only the counters are wrong
        Frames f = s.machine().frames();
        int anon = -1;
        for (int pfn = 1; pfn < f.nrFrames(); pfn++) {
            if ((f.flags[pfn] & Frames.PG_ANON) != 0 && f.mapcount[pfn] == 2) {
                anon = pfn;
                break;
            }
        }
        f.mapcount[anon]++;
        InvariantViolation e = assertThrows(InvariantViolation.class, s::checkNow);
        assertTrue(e.getMessage().contains("mapcount"), e.getMessage());
        f.mapcount[anon]--;
        f.refcount[anon]++;
        e = assertThrows(InvariantViolation.class, s::checkNow);
        assertTrue(e.getMessage().contains("refcount"), e.getMessage());
    }

    /**
     * The planted bug cow-no-copy (wp_page_copy leaves the new page zero), through the real COW
     * path: a {@code write} of the whole value hides it, since the store overwrites the missing
     * copy at once; an {@code add} (old value + 1) shows it.
     */
    @Test
    void aCowThatDoesNotCopyIsCaught() {
        FaultInject.Bug saved = FaultInject.planted;
        FaultInject.planted = FaultInject.Bug.COW_NO_COPY;
        try {
            CheckedSyscalls s = boot(new AnonVmaChainDesign());
            Task t1 = s.initTask();
            long a = setup(s, t1);
            Task t2 = s.fork(t1);
            long copies = s.machine().counters().get("cow_copies");
            s.write(t2, a, P, 0x22); // a COW that copied nothing, unseen: the store replaced it all
            org.junit.jupiter.api.Assertions.assertEquals(copies + 1, s.machine().counters().get("cow_copies"));
            InvariantViolation e = assertThrows(InvariantViolation.class, () -> s.add(t2, a + P, P, 1));
            assertTrue(e.getMessage().contains("holds 0x1 but 0x12 was last written"), e.getMessage());
        } finally {
            FaultInject.planted = saved;
        }
    }

    /** The planted bug evict-locked: reclaim takes a page of a VM_LOCKED vma to swap; Residency sees it. */
    @Test
    void reclaimThatEvictsALockedPageIsCaught() {
        FaultInject.Bug saved = FaultInject.planted;
        FaultInject.planted = FaultInject.Bug.EVICT_LOCKED;
        try {
            CheckedSyscalls s = new CheckedSyscalls(new Machine(MachineConfig.defaults()
                    .withRamAndSwap(8L << 20, 8L << 20), new org.rmaplab.rmap.anonvma.AnonVmaDesign()), CheckPolicy.EVERY);
            // anon_vma (2.6.7): no unevictable list, so reclaim meets the locked pages on the LRU and
            // only try_to_unmap_one's VM_LOCKED test keeps them (anon_vma_chain takes them off the LRU).
            Task t1 = s.initTask();
            long a = setup(s, t1);
            s.mlock(t1, a, 4 * P);
            InvariantViolation e = assertThrows(InvariantViolation.class, () -> {
                for (int i = 0; i < 3; i++) {
                    s.reclaim(Long.MAX_VALUE); // the first pass may only clear young bits
                }
            });
            assertTrue(e.getMessage().contains("was present before reclaim and is now a swap entry"), e.getMessage());
        } finally {
            FaultInject.planted = saved;
        }
    }

    /** A design that says it leaves mlocked ptes unchained (step (b)) but chains them is caught. */
    @Test
    void aDesignThatClaimsStepBButChainsLockedPtesIsCaught() {
        RmapDesign broken = new ForwardingDesign(new org.rmaplab.rmap.ptechains.PteChainsDesign()) {
            @Override
            public org.rmaplab.mm.DesignTraits traits() {
                return d.traits().withUnchainsLockedPtes(true);
            }
        };
        CheckedSyscalls s = boot(broken);
        Task t1 = s.initTask();
        long a = setup(s, t1);
        InvariantViolation e = assertThrows(InvariantViolation.class, () -> s.mlock(t1, a, 4 * P));
        assertTrue(e.getMessage().contains("PG_mlocked"), e.getMessage());
    }

    /** Step (b) whose munlock does not rebuild the vma's chain entries: the walk misses them. */
    @Test
    void aStepBMunlockThatRebuildsNothingIsCaught() {
        RmapDesign broken = new ForwardingDesign(org.rmaplab.rmap.ptechains.PteChainsDesign.withMlockedUnchained()) {
            @Override
            public void vmaLockChanged(Vma vma, long start, long end) {
                if ((vma.flags() & Vma.VM_LOCKED) != 0) {
                    d.vmaLockChanged(vma, start, end);
                }
            }
        };
        CheckedSyscalls s = boot(broken);
        Task t1 = s.initTask();
        long a = setup(s, t1);
        s.mlock(t1, a, 4 * P);
        InvariantViolation e = assertThrows(InvariantViolation.class, () -> s.munlock(t1, a, 4 * P));
        assertTrue(e.getMessage().contains("PG_mlocked") || e.getMessage().contains("missed"), e.getMessage());
    }
}
