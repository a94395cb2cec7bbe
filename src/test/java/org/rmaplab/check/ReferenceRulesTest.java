package org.rmaplab.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rmaplab.check.ReferenceLayout.Region;
import org.rmaplab.check.ReferenceRules.Verdict;
import org.rmaplab.fuzz.ModelProfile;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.FaultInject;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Vma;
import org.rmaplab.rmap.RmapDesigns;

/**
 * The reference of the memory calls' results ({@link ReferenceRules}, {@link ReferenceMremap}):
 * its rules on hand-made layouts (each expectation derived in a comment from 6.18's code), short
 * judged random sequences under every design (the cheapest random test: the mutants run starts
 * with it), and the planted wrong errnos — the two the mutants run showed the suite was slow to
 * catch, and mprotect's and mremap's — caught in a thousand or so operations (mlock-hole-einval
 * at step 741 of seed 7919, madvise-dontneed-einval at 63).
 */
class ReferenceRulesTest {
    static final long P = ReferenceLayout.P;
    static final long A = 0x10000000L;
    static final long RW = Vma.VM_READ | Vma.VM_WRITE | ReferenceRules.MAY;

    /** Anonymous rw regions [A + s*P, A + e*P) for each pair. */
    static ReferenceLayout layout(long... pages) {
        ReferenceLayout l = new ReferenceLayout();
        for (int i = 0; i < pages.length; i += 2) {
            l.put(new Region(A + pages[i] * P, A + pages[i + 1] * P, RW, null, 0));
        }
        return l;
    }

    @Test
    void mlockOverAHoleIsEnomemAfterLockingWhatCameBefore() {
        // apply_vma_lock_flags(): [0,2) locked, then vma_start (3) != tmp (2): -ENOMEM
        Verdict v = ReferenceRules.mlock(layout(0, 2, 3, 5), A, 5 * P, true);
        assertEquals(-Errno.ENOMEM, v.ret);
        assertTrue(v.after.in(A, A + P).get(0).has(Vma.VM_LOCKED), "the vma before the hole is locked");
        assertTrue(!v.after.at(A + 3 * P).has(Vma.VM_LOCKED), "the one after it is not");
        // no vma contains the start (vma_iter_load): -ENOMEM, nothing changed
        assertEquals(-Errno.ENOMEM, ReferenceRules.mlock(layout(1, 2), A, 2 * P, true).ret);
        // an unaligned start rounds down, the length grows by its offset: [0, 2) — success
        assertEquals(0, ReferenceRules.mlock(layout(0, 2), A + 5, 2 * P - 5, true).ret);
    }

    @Test
    void mprotectChecksItsArgumentsBeforeTheVmas() {
        assertEquals(-Errno.EINVAL, ReferenceRules.mprotect(layout(0, 2), A + 1, P, Mman.PROT_READ).ret);
        assertEquals(0, ReferenceRules.mprotect(layout(), A, 0, Mman.PROT_READ).ret, "no length: success first");
        assertEquals(-Errno.ENOMEM, ReferenceRules.mprotect(layout(1, 2), A, 2 * P, Mman.PROT_READ).ret,
                "the first vma starts above the range");
        Verdict v = ReferenceRules.mprotect(layout(0, 1, 2, 3), A, 3 * P, Mman.PROT_READ);
        assertEquals(-Errno.ENOMEM, v.ret, "a hole after the first vma");
        assertTrue(!v.after.at(A).has(Vma.VM_WRITE), "which was changed already");
        // a shared mapping without VM_MAYWRITE refuses PROT_WRITE: (newflags & ~(newflags >> 4)) has VM_WRITE
        ReferenceLayout ro = new ReferenceLayout();
        ro.put(new Region(A, A + P, Vma.VM_READ | Vma.VM_SHARED | Vma.VM_MAYREAD, new Object(), 0));
        assertEquals(-Errno.EACCES, ReferenceRules.mprotect(ro, A, P, Mman.PROT_READ | Mman.PROT_WRITE).ret);
    }

    @Test
    void madviseWalksEveryVmaAndReportsTheHoleLast() {
        // madvise_walk_vmas(): DONTFORK set on both vmas, the hole between them: -ENOMEM at the end
        Verdict v = ReferenceRules.madvise(layout(0, 1, 2, 3), A, 3 * P, Mman.MADV_DONTFORK);
        assertEquals(-Errno.ENOMEM, v.ret);
        assertTrue(v.after.at(A + 2 * P).has(Vma.VM_DONTCOPY), "the vma after the hole was advised too");
        ReferenceLayout locked = layout(0, 1, 2, 3);
        locked.change(A + 2 * P, A + 3 * P, 0, Vma.VM_LOCKED);
        assertEquals(-Errno.EINVAL, ReferenceRules.madvise(locked, A, 3 * P, Mman.MADV_DONTNEED).ret,
                "a locked vma refuses DONTNEED even after a hole");
        assertEquals(0, ReferenceRules.madvise(layout(0, 8), A, 8 * P, Mman.MADV_DONTNEED).ret);
        assertEquals(-Errno.EINVAL, ReferenceRules.madvise(layout(0, 1), A, P, Mman.MADV_REMOVE).ret,
                "private anonymous memory has no file to punch");
    }

    @Test
    void mremapCannotCrossTheEndOfAVmaButAFixedMoveCan() {
        // check_prep_vma(): old_len (2 pages) > vm_end - addr (1 page): -EFAULT
        assertEquals(-Errno.EFAULT, ReferenceMremap.mremap(layout(0, 1, 1, 3), A, 2 * P, 3 * P,
                Mman.MREMAP_MAYMOVE, 0, 0).ret);
        // remap_move(): [0,1) and [2,3) to 10: the gap kept, [10,11) and [12,13) mapped
        Verdict v = ReferenceMremap.mremap(layout(0, 1, 2, 3), A, 3 * P, 3 * P,
                Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, A + 10 * P, 0);
        assertEquals(A + 10 * P, v.ret);
        assertNull(v.after.differsFrom(layout(10, 11, 12, 13), new ReferenceLayout()));
        // a gap at the start of a move: -EFAULT
        assertEquals(-Errno.EFAULT, ReferenceMremap.mremap(layout(1, 3), A, 3 * P, 3 * P,
                Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, A + 10 * P, 0).ret);
        // expand in place when the pages after the vma are free; else -ENOMEM without MREMAP_MAYMOVE
        assertNull(ReferenceMremap.mremap(layout(0, 2), A, 2 * P, 4 * P, 0, 0, 0).after
                .differsFrom(layout(0, 4), new ReferenceLayout()));
        assertEquals(-Errno.ENOMEM, ReferenceMremap.mremap(layout(0, 2, 3, 4), A, 2 * P, 4 * P, 0, 0, 0).ret);
    }

    @Test
    void brkKeepsAPageAndTheGuardGapFromTheNextVma() {
        // grow to 4 pages: the next vma must not begin below newbrk + PAGE_SIZE (page 5)
        assertEquals(A + 4 * P, ReferenceRules.brk(layout(0, 2, 5, 6), A + 4 * P, A + 2 * P, A).ret);
        assertEquals(A + 2 * P, ReferenceRules.brk(layout(0, 2, 4, 6), A + 4 * P, A + 2 * P, A).ret,
                "page 4 is mapped: the old break");
        assertEquals(A + 2 * P, ReferenceRules.brk(layout(0, 2), 0, A + 2 * P, A).ret, "brk(0): the old break");
    }

    static Stream<Arguments> designs() {
        return RmapDesigns.everyName().stream().flatMap(d -> Stream.of(Arguments.of(d, 7919L), Arguments.of(d, 15838L)));
    }

    /**
     * Short judged random sequences: the model's result of every memory call equals the
     * reference's wherever it decides, and it decides most of them.
     */
    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("designs")
    void shortRandomSequencesAgreeWithTheReference(String design, long seed) {
        ModelProfile r = new ModelProfile(seed, design, 8L << 20, CheckPolicy.EVERY).withMlockChurn();
        r.run(800);
        // doVmaOp is 54 of every 100 ops; mlock churn adds about one in eight: at least 40% judged
        assertTrue(r.syscalls().judgedCalls() >= 320, "judged " + r.syscalls().judgedCalls() + " of 800 ops");
    }

    @Test
    void wrongErrnosAreCaughtWithinAThousandOrSoOps() {
        for (FaultInject.Bug bug : new FaultInject.Bug[] {FaultInject.Bug.MLOCK_HOLE_EINVAL,
            FaultInject.Bug.MADVISE_DONTNEED_EINVAL, FaultInject.Bug.MPROTECT_HOLE_EINVAL,
            FaultInject.Bug.MREMAP_PAST_VMA_EINVAL}) {
            FaultInject.Bug saved = FaultInject.planted;
            FaultInject.planted = bug;
            try {
                ModelProfile.Failure f = assertThrows(ModelProfile.Failure.class,
                        () -> new ModelProfile(7919, "anon_vma_chain", 8L << 20, CheckPolicy.EVERY)
                                .failuresTo(java.nio.file.Path.of("target", "fuzz-reference")).run(1500), bug.id());
                System.out.println(bug.id() + ": " + f.getMessage().lines().findFirst().orElse(""));
                assertTrue(f.getMessage().contains("the reference (ReferenceRules) expects"), f.getMessage());
            } finally {
                FaultInject.planted = saved;
            }
        }
    }
}
