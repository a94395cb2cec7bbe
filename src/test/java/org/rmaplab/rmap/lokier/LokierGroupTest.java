package org.rmaplab.rmap.lokier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rmaplab.rmap.lokier.LokierRig.P;

import org.junit.jupiter.api.Test;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;

/** VM_GROUP: vmas split by growth are one user-visible vma, for maps and for mremap. */
class LokierGroupTest {
    static final long X = 0x100000000L;
    static final long Y = 0x200000000L;
    static final int MAYMOVE = Mman.MREMAP_MAYMOVE;
    static final int FIXED = Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED;

    /** No minimum reserve, reserve = size: small regions split after growing by half. */
    static LokierRig rig() {
        return new LokierRig(new LokierDesign(1L << 32, 0, 1, 1));
    }

    /** An 8-page region at X grown to 16 pages in place: two vmas, one group. Pages 0xA, 0xB. */
    static void twoPieces(LokierRig r) {
        r.map(X, 8);
        r.write(X, 8, 0xA);
        assertEquals(X, r.sys.mremap(r.t, X, 8 * P, 16 * P, 0, 0));
        r.write(X + 8 * P, 8, 0xB);
    }

    @Test
    void aGrowthSplitShowsAsOneVma() {
        LokierRig r = rig();
        twoPieces(r);
        assertEquals(1, r.d.stats().growthSplits);
        assertEquals(2, r.internal(X, 16 * P));
        assertEquals(1, r.visible(X, 16 * P));
        assertEquals(new Syscalls.VmaInfo(X, X + 16 * P, "rw-p"), r.sys.vmaAt(r.t, X + 12 * P));
        Vma piece = r.vma(X + 8 * P);
        assertTrue((piece.flags() & Vma.VM_GROUP) != 0);
        assertNotEquals(r.vma(X).pgoff() + 8, piece.pgoff(), "offsets not contiguous");
        // Growing again fits in the piece's reservation (extra = 16, the whole region): no split.
        assertEquals(X, r.sys.mremap(r.t, X, 16 * P, 30 * P, 0, 0));
        assertEquals(1, r.d.stats().growthSplits);
        assertEquals(2, r.internal(X, 30 * P));
        // One anon state per group: the grown part had it before it was written.
        assertNotNull(r.vma(X + 20 * P).anonVma);
    }

    @Test
    void theWholeGroupMovesAndGrows() {
        LokierRig r = rig();
        twoPieces(r);
        long y = r.sys.mremap(r.t, X, 16 * P, 16 * P, FIXED, Y);
        assertEquals(Y, y);
        assertEquals(0, r.internal(X, 16 * P));
        assertEquals(2, r.internal(Y, 16 * P));
        assertEquals(1, r.visible(Y, 16 * P));
        assertEquals(0xA, r.read(r.t, Y + 7 * P));
        assertEquals(0xB, r.read(r.t, Y + 8 * P));
        // Something right after the group: growing must move it, all its vmas, and grow the last.
        r.map(Y + 16 * P, 1);
        long z = r.sys.mremap(r.t, Y, 16 * P, 40 * P, MAYMOVE, 0);
        assertTrue(!Errno.isError(z) && z != Y);
        assertEquals(1, r.visible(z, 40 * P));
        assertEquals(new Syscalls.VmaInfo(z, z + 40 * P, "rw-p"), r.sys.vmaAt(r.t, z));
        assertEquals(0xA, r.read(r.t, z));
        assertEquals(0xB, r.read(r.t, z + 15 * P));
        assertEquals(0, r.read(r.t, z + 39 * P));
        assertEquals(1, r.internal(Y, 17 * P), "only the obstacle is left");
        // Without MAYMOVE it is ENOMEM, as for one vma.
        r.map(z + 40 * P, 1);
        assertEquals(-Errno.ENOMEM, r.sys.mremap(r.t, z, 40 * P, 41 * P, 0, 0));
    }

    @Test
    void aRangeAcrossPiecesMovesLikeARangeOfOneVma() {
        LokierRig r = rig();
        twoPieces(r);
        // [X+4p, X+12p) spans both vmas; it is moved (and grown by 2 pages) as one vma's part.
        long n = r.sys.mremap(r.t, X + 4 * P, 8 * P, 10 * P, MAYMOVE, 0);
        assertTrue(!Errno.isError(n));
        assertEquals(1, r.visible(n, 10 * P));
        assertEquals(0xA, r.read(r.t, n + 3 * P));
        assertEquals(0xB, r.read(r.t, n + 4 * P));
        assertEquals(0, r.read(r.t, n + 9 * P));
        assertEquals(Syscalls.ACCESS_SEGV, r.sys.touch(r.t, X + 6 * P, P));
        assertEquals(new Syscalls.VmaInfo(X, X + 4 * P, "rw-p"), r.sys.vmaAt(r.t, X));
        assertEquals(new Syscalls.VmaInfo(X + 12 * P, X + 16 * P, "rw-p"), r.sys.vmaAt(r.t, X + 12 * P));
    }

    @Test
    void theRangeIsCheckedAgainstTheGroupsEnd() {
        LokierRig r = rig();
        twoPieces(r);
        // Linux's check_prep_vma: growing a range that runs past the vma is EFAULT.
        assertEquals(-Errno.EFAULT, r.sys.mremap(r.t, X + 4 * P, 13 * P, 20 * P, MAYMOVE, 0));
        // Within the group it is fine, although it crosses a vma boundary.
        assertEquals(X + 4 * P, r.sys.mremap(r.t, X + 4 * P, 12 * P, 14 * P, 0, 0));
        assertEquals(1, r.visible(X, 18 * P));
    }

    @Test
    void shrinkingAcrossPiecesUnmapsTheTail() {
        LokierRig r = rig();
        twoPieces(r);
        assertEquals(X, r.sys.mremap(r.t, X, 16 * P, 6 * P, 0, 0));
        assertEquals(1, r.internal(X, 16 * P));
        assertEquals(new Syscalls.VmaInfo(X, X + 6 * P, "rw-p"), r.sys.vmaAt(r.t, X));
    }

    @Test
    void munmapOfAMiddlePieceLeavesTwoVmas() {
        LokierRig r = rig();
        twoPieces(r);
        r.sys.mremap(r.t, X, 16 * P, 48 * P, 0, 0); // a third piece
        assertEquals(3, r.internal(X, 48 * P));
        assertEquals(1, r.visible(X, 48 * P));
        assertEquals(0, r.sys.munmap(r.t, X + 8 * P, 8 * P));
        assertEquals(2, r.visible(X, 48 * P));
        assertEquals(0, r.vma(X + 16 * P).flags() & Vma.VM_GROUP);
        assertEquals(new Syscalls.VmaInfo(X + 16 * P, X + 48 * P, "rw-p"), r.sys.vmaAt(r.t, X + 16 * P));
    }

    @Test
    void mprotectOfPartOfAGroupSplitsItWhereItWouldSplitOneVma() {
        LokierRig r = rig();
        twoPieces(r);
        assertEquals(0, r.sys.mprotect(r.t, X, 12 * P, Mman.PROT_READ));
        assertEquals(2, r.visible(X, 16 * P));
        assertEquals(new Syscalls.VmaInfo(X, X + 12 * P, "r--p"), r.sys.vmaAt(r.t, X + 9 * P));
        assertEquals(new Syscalls.VmaInfo(X + 12 * P, X + 16 * P, "rw-p"), r.sys.vmaAt(r.t, X + 12 * P));
        // Undone: Linux would merge again; here the merge is tried, refused (offsets) and grouped.
        assertEquals(0, r.sys.mprotect(r.t, X, 12 * P, LokierRig.RW));
        assertEquals(1, r.visible(X, 16 * P));
        assertEquals(2, r.internal(X, 16 * P), "X+8p..X+12p merged back into its piece");
        // A whole group made read-only keeps VM_ACCOUNT in every piece (it has pages): one vma.
        assertEquals(0, r.sys.mprotect(r.t, X, 16 * P, Mman.PROT_READ));
        assertEquals(1, r.visible(X, 16 * P));
        assertEquals(r.vma(X).flags() & ~Vma.VM_GROUP, r.vma(X + 8 * P).flags() & ~Vma.VM_GROUP);
    }

    @Test
    void aGroupWithoutPagesGivesVmAccountBackInEveryPiece() {
        LokierRig r = rig();
        r.map(X, 8);
        r.sys.mremap(r.t, X, 8 * P, 16 * P, 0, 0);
        assertEquals(2, r.internal(X, 16 * P));
        assertNull(r.vma(X).anonVma);
        assertNull(r.vma(X + 8 * P).anonVma);
        assertEquals(0, r.sys.mprotect(r.t, X, 16 * P, Mman.PROT_READ));
        assertEquals(0, r.vma(X).flags() & Vma.VM_ACCOUNT);
        assertEquals(0, r.vma(X + 8 * P).flags() & Vma.VM_ACCOUNT);
        assertEquals(1, r.visible(X, 16 * P));
        // The first fault in one piece prepares the whole group.
        r.sys.mprotect(r.t, X, 16 * P, LokierRig.RW);
        r.write(X + 9 * P, 1, 0x9);
        assertNotNull(r.vma(X).anonVma);
    }

    @Test
    void forkKeepsGroupsAndDontunmapEmptiesEveryPiece() {
        LokierRig r = rig();
        twoPieces(r);
        Task c = r.sys.fork(r.t);
        assertEquals(2, LokierRig.internal(c, X, 16 * P));
        assertEquals(1, r.visible(c, X, 16 * P));
        assertEquals(r.vma(X + 8 * P).pgoff(), r.vma(c, X + 8 * P).pgoff());
        assertEquals(0xB, r.read(c, X + 8 * P));
        long d = r.sys.mremap(c, X, 16 * P, 16 * P, MAYMOVE | Mman.MREMAP_DONTUNMAP, 0);
        assertTrue(!Errno.isError(d));
        assertNull(r.vma(c, X).anonVma);
        assertNull(r.vma(c, X + 8 * P).anonVma);
        assertEquals(0, r.read(c, X + 8 * P));
        assertEquals(0xB, r.read(c, d + 8 * P));
        assertEquals(0xB, r.read(r.t, X + 8 * P));
    }
}
