package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.check.InvariantViolation;
import org.rmaplab.rmap.RmapDesigns;

/**
 * Truncation of a nonlinear vma: 2.6.0's bug and wli's three fixes ({@link NonlinearTruncate},
 * docs/reference.md#wli-three-steps), the oracle after every call, the ptes each looks at
 * derived by hand.
 *
 * <p>The setup: an 8-page tmpfs file, every page written through a linear shared mapping A
 * (8 pages at 2 GiB, page i holding 0x10 + i); a second shared mapping W of the file's first 4
 * pages at 1 GiB (so its 32-page cluster is [W, W+32p), reaching all of W), where
 * remap_file_pages puts page 7 at W and page 6 at W+2p (W+1p and W+3p stay pages 1 and 3). Then
 * ftruncate to 4 pages: pages 4 to 7 go. A's ptes for them are zapped by offset in every mode;
 * what differs is W, whose linear range (pages 0 to 3) holds none of the truncated offsets.
 */
class NonlinearTruncateTest {
    static final long P = Machine.PAGE_SIZE;
    static final long W = 1L << 30;
    static final long A = 1L << 31;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;

    record Run(CheckedSyscalls s, Machine k, Task t, long file) {}

    static Run setup(String design, NonlinearTruncate mode, boolean lockW) {
        Machine k = new Machine(new MachineConfig(16L << 20, 16L << 20, "x86_64", true, mode),
                RmapDesigns.create(design));
        CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
        Task t = s.initTask();
        long file = s.open(t, "data", 8 * P);
        assertEquals(A, s.mmap(t, A, 8 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, file, 0));
        for (int i = 0; i < 8; i++) {
            assertEquals(Syscalls.ACCESS_OK, s.write(t, A + i * P, P, 0x10 + i));
        }
        assertEquals(W, s.mmap(t, W, 4 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, file, 0));
        assertEquals(0, s.remapFilePages(t, W, P, 0, 7, 0));
        assertEquals(0, s.remapFilePages(t, W + 2 * P, P, 0, 6, 0));
        if (lockW) {
            assertEquals(0, s.mlock(t, W, 4 * P));
        }
        assertEquals(0x17, read(s, t, W));
        assertEquals(0x16, read(s, t, W + 2 * P));
        return new Run(s, k, t, file);
    }

    static long read(CheckedSyscalls s, Task t, long addr) {
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        int rc = s.read(t, addr, P, r);
        return rc == Syscalls.ACCESS_OK ? r.value : -rc;
    }

    static long scanned(Machine k) {
        return k.counters().get("truncate_nonlinear_ptes_scanned");
    }

    /** What every correct mode leaves: the truncated windows fault SIGBUS, the others read on. */
    static void truncatedWindowsAreGone(Run r) {
        assertEquals(-Syscalls.ACCESS_BUS, read(r.s(), r.t(), W));
        assertEquals(-Syscalls.ACCESS_BUS, read(r.s(), r.t(), W + 2 * P));
        assertEquals(0x11, read(r.s(), r.t(), W + P));
        assertEquals(0x13, read(r.s(), r.t(), W + 3 * P));
        r.s().finish();
    }

    /**
     * Fix (i), 2.6's: unmap_mapping_range looks at every pte of the nonlinear vma W, 4, and
     * clears those of pages 7 and 6 (leaving file ptes); under every design and variant.
     */
    @Test
    void exhaustiveSearchLooksAtEveryPteOfTheNonlinearVma() {
        for (String d : RmapDesigns.everyName()) {
            Run r = setup(d, NonlinearTruncate.EXHAUSTIVE, false);
            assertEquals(0, r.s().ftruncate(r.t(), r.file(), 4 * P), d);
            assertEquals(4, scanned(r.k()), d);
            truncatedWindowsAreGone(r);
        }
    }

    /**
     * 2.6.0's vmtruncate: zap_page_range over W's linear offsets in [4, 8): none, 0 ptes looked
     * at; pages 7 and 6 stay mapped at W and W+2p, out of the page cache, past the end: the oracle
     * says so at the ftruncate.
     */
    @Test
    void theBugLeavesTruncatedPagesMapped() {
        for (String d : RmapDesigns.everyName()) {
            Run r = setup(d, NonlinearTruncate.LINEAR, false);
            InvariantViolation e = assertThrows(InvariantViolation.class,
                    () -> r.s().ftruncate(r.t(), r.file(), 4 * P), d);
            assertTrue(e.getMessage().contains("past the end of the file"), e.getMessage());
            assertEquals(0, scanned(r.k()), d);
        }
    }

    /**
     * Fixes (ii) and (iii): the linear zap finds nothing in W (ii) or W is not zapped at all
     * (iii); then try_to_unmap on pages 7 and 6, which W alone still maps.
     * <ul>
     *   <li>pte_chains (2.6.0): each page's chain holds W's one pte: 1 + 1 = 2.
     *   <li>anon_vma_chain (2.6.11's try_to_unmap_file): page 7 — the interval tree gives A
     *       (its pte at A+7p already zapped: 1 checked), then the nonlinear pass reads W's cluster
     *       from cursor 0 (4 ptes); W+0 and W+2p were read in the setup, so both ptes are young and
     *       try_to_unmap_cluster spares them, clearing the bits (it has no "ignore references");
     *       the cursor (32 pages) is past W's size, max_nl_cursor passes max_nl_size, the cursors
     *       are reset: SWAP_AGAIN, 5. Tried again: A (1), W's cluster (4), where both ptes are old
     *       now and both go — the cluster unmaps every page it meets, page 6 too: 5. Page 6 is then
     *       mapped no more: nothing. In all 10.
     * </ul>
     */
    @Test
    void cleanupAndPerPageUnmapFindThePagesThroughRmap() {
        for (NonlinearTruncate mode : new NonlinearTruncate[] {NonlinearTruncate.CLEANUP, NonlinearTruncate.UNMAP}) {
            for (String d : RmapDesigns.names()) {
                Run r = setup(d, mode, false);
                assertEquals(0, r.s().ftruncate(r.t(), r.file(), 4 * P), d + " " + mode);
                if (d.equals("pte_chains")) {
                    assertEquals(2, scanned(r.k()), mode.word());
                } else if (d.equals("anon_vma_chain")) {
                    assertEquals(10, scanned(r.k()), mode.word());
                }
                truncatedWindowsAreGone(r);
            }
        }
    }

    /**
     * try_to_unmap fails on a VM_LOCKED vma (SWAP_FAIL in 2.6.0 and 2.6.11 alike), so with W
     * mlocked fixes (ii) and (iii) leave the truncated pages mapped past the end — the oracle
     * reports it — where the exhaustive zap, which does not ask about VM_LOCKED, clears them.
     */
    @Test
    void anMlockedWindowDefeatsTheUnmapFixes() {
        for (NonlinearTruncate mode : new NonlinearTruncate[] {NonlinearTruncate.CLEANUP, NonlinearTruncate.UNMAP}) {
            Run r = setup("anon_vma_chain", mode, true);
            InvariantViolation e = assertThrows(InvariantViolation.class,
                    () -> r.s().ftruncate(r.t(), r.file(), 4 * P), mode.word());
            assertTrue(e.getMessage().contains("past the end of the file"), e.getMessage());
        }
        Run r = setup("anon_vma_chain", NonlinearTruncate.EXHAUSTIVE, true);
        assertEquals(0, r.s().ftruncate(r.t(), r.file(), 4 * P));
        truncatedWindowsAreGone(r);
    }
    /**
     * The linear zap of 2.6.0 and of fix (ii) in a nonlinear vma whose linear range lies past the
     * new end: W maps the file's pages 4 to 7 and shows page 1 at W (remapped). Truncation to 4
     * pages zaps W by linear offset: all of W, page 1's pte at W too, so W faults by its linear
     * offset (4, past the end): SIGBUS, though page 1 is still in the file. Fix (i) zaps only
     * truncated pages: W still shows page 1. Grown back, W under (ii) shows page 4, zero now. The
     * oracle's shadow follows both (after every call, and on every read).
     */
    @Test
    void theLinearZapClearsAWindowWhoseLinearPlaceIsPastTheEnd() {
        for (NonlinearTruncate mode : new NonlinearTruncate[] {NonlinearTruncate.CLEANUP, NonlinearTruncate.EXHAUSTIVE}) {
            Machine k = new Machine(new MachineConfig(16L << 20, 16L << 20, "x86_64", true, mode),
                    RmapDesigns.create("anon_vma_chain"));
            CheckedSyscalls s = new CheckedSyscalls(k, CheckPolicy.EVERY);
            Task t = s.initTask();
            long file = s.open(t, "data", 8 * P);
            assertEquals(A, s.mmap(t, A, 8 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, file, 0));
            assertEquals(Syscalls.ACCESS_OK, s.write(t, A + P, P, 0x11));
            assertEquals(W, s.mmap(t, W, 4 * P, RW, Mman.MAP_SHARED | Mman.MAP_FIXED, file, 4 * P));
            assertEquals(0, s.remapFilePages(t, W, P, 0, 1, 0));
            assertEquals(0x11, read(s, t, W));
            assertEquals(0, s.ftruncate(t, file, 4 * P), mode.word());
            assertEquals(mode == NonlinearTruncate.CLEANUP ? -Syscalls.ACCESS_BUS : 0x11, read(s, t, W), mode.word());
            assertEquals(0x11, read(s, t, A + P), mode.word());
            // Grown back: under (ii) W shows page 4 again, truncated, so zero; the oracle checks
            // the value read against what its shadow says W shows.
            assertEquals(0, s.ftruncate(t, file, 8 * P), mode.word());
            assertEquals(mode == NonlinearTruncate.CLEANUP ? 0 : 0x11, read(s, t, W), mode.word());
            s.finish();
        }
    }
}
