package org.rmaplab.rmap.lokier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rmaplab.rmap.lokier.LokierRig.P;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.Mman;

/**
 * Jamie Lokier's claim (12 March 2004, "Re: anon_vma RFC2": docs/reference.md#lokier-offset-space,
 * docs/reference.md#fig-lokier-splits): "it bounds the number of splits to O(log (n/m)) where n
 * is the total mremap() region size, and m is the original size. The constant in that expression
 * is determined by the proportion that is used for reserving extra space."
 *
 * <p>The bound, for a reserve of K times the region (K = reserveNum/reserveDen, no minimum):
 * after the first split the region is larger than m. A split at region size S (after the growth)
 * reserves K·S offsets above the new vma, so the next split needs more than K·S further pages:
 * the region size after each split exceeds (1+K) times the size after the split before. With s
 * splits, n &ge; S_s &gt; m·(1+K)^(s-1), so <b>s &lt; 1 + log_{1+K}(n/m)</b>. Moves (mremap
 * MAYMOVE when something is in the way) keep every vma's offsets and reservation, so they do not
 * change the count. The tests grow by one page at a time (the worst case: every split as early as
 * possible) and by random steps, in place and with forced moves, and print the user-visible vma
 * count against the kernel's internal one.
 */
class LokierSplitBoundTest {
    static final long X = 0x100000000L;

    /**
     * Grows an m-page region to n pages by repeated mremap (steps of 1 to maxStep pages); every
     * moveEvery-th step a shared mapping is put right after the region so that it must move (a
     * shared one, so that it takes none of the region's offsets). Writes a page now and then, so
     * the region's vmas have pages. Returns {splits, internal vmas, user-visible vmas}.
     */
    static long[] grow(LokierDesign d, long m, long n, long maxStep, int moveEvery, long seed) {
        LokierRig r = new LokierRig(d, CheckPolicy.END);
        SplittableRandom rnd = new SplittableRandom(seed);
        long a = r.map(X, m);
        r.write(a, 1, 0x1);
        long size = m;
        int step = 0;
        long writeEvery = Math.max(1, (n - m) / 32);
        while (size < n) {
            long next = Math.min(n, size + 1 + (maxStep > 1 ? rnd.nextLong(maxStep) : 0));
            long obstacle = -1;
            step++;
            if (moveEvery > 0 && step % moveEvery == 0) {
                obstacle = r.sys.mmap(r.t, a + size * P, P, LokierRig.RW,
                        Mman.MAP_SHARED | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED);
                assertEquals(a + size * P, obstacle);
            }
            long na = r.sys.mremap(r.t, a, size * P, next * P, Mman.MREMAP_MAYMOVE, 0);
            assertFalse(Errno.isError(na), "mremap failed: " + na);
            if (obstacle >= 0) {
                assertTrue(na != a, "moved");
                r.sys.munmap(r.t, obstacle, P);
            }
            a = na;
            if (next / writeEvery != size / writeEvery) {
                r.write(a + (next - 1) * P, 1, next);
            }
            size = next;
            if (step % 256 == 0) {
                r.sys.checkNow();
            }
        }
        r.write(a + (n - 1) * P, 1, n);
        r.sys.finish();
        assertEquals(0x1, r.read(r.t, a));
        assertEquals(n, r.read(r.t, a + (n - 1) * P));
        return new long[] {d.stats().growthSplits, r.internal(a, size * P), r.visible(a, size * P)};
    }

    static double log(double base, double x) {
        return Math.log(x) / Math.log(base);
    }

    @ParameterizedTest(name = "K={0}/{1} m={2} n/m={3} step<={4} move every {5}")
    @CsvSource({
        // K = 1: the region may double between splits
        "1, 1, 16, 4, 1, 0",
        "1, 1, 16, 64, 1, 0",
        "1, 1, 16, 1024, 1, 0",
        "1, 1, 100, 100, 1, 0",
        "1, 1, 16, 1024, 1, 7",
        "1, 1, 16, 1024, 64, 0",
        "1, 1, 16, 1024, 64, 3",
        // K = 1/2: a larger constant, the same shape
        "1, 2, 16, 1024, 1, 0",
        "1, 2, 16, 1024, 32, 5",
        // K = 4
        "4, 1, 16, 1024, 1, 0",
    })
    void splitsAreLogarithmicInTheGrowth(long num, long den, long m, long ratio, long maxStep, int moveEvery) {
        long n = m * ratio;
        double k = (double) num / den;
        long[] res = grow(new LokierDesign(1L << 32, 0, num, den), m, n, maxStep, moveEvery, 42);
        long splits = res[0];
        double bound = 1 + log(1 + k, (double) n / m);
        System.out.printf("lokier K=%d/%d m=%d n=%d step<=%d moveEvery=%d: splits=%d (bound %.2f), "
                + "internal vmas=%d, user-visible vmas=%d%n", num, den, m, n, maxStep, moveEvery, splits, bound,
                res[1], res[2]);
        assertTrue(splits < bound, "splits " + splits + " < 1 + log_{1+K}(n/m) = " + bound);
        assertEquals(1, res[2], "one user-visible vma");
        assertEquals(1 + splits, res[1], "one internal vma per split, plus the original");
        if (maxStep == 1) {
            // One page at a time splits as early as possible: then S_1 = m + ceil(K·m/2) + 1 and
            // S_{j+1} = (1+K)·S_j + 1, so s = log_{1+K}(n/m) + 1 - log_{1+K}(1 + K/2) or so, within
            // 2.6 of the bound for K in [1/2, 4]: the count really grows like log(n/m).
            assertTrue(splits >= bound - 2.6, "splits " + splits + " near the bound " + bound);
        }
    }

    @Test
    void withoutReserveEveryGrowthSplits() {
        long[] res = grow(new LokierDesign(1L << 32, 0, 0, 1), 16, 64, 1, 0, 1);
        System.out.printf("lokier without reserve, 16 -> 64 pages one by one: splits=%d internal=%d visible=%d%n",
                res[0], res[1], res[2]);
        assertEquals(48, res[0]);
        assertEquals(49, res[1]);
        assertEquals(1, res[2]);
    }

    @Test
    void theProposalsMinimumReserveAbsorbsModestGrowth() {
        // 2^22 pages of extra, half above an mmap'ed vma: 16 -> 16384 pages without a split.
        long[] res = grow(new LokierDesign(), 16, 16 * 1024, 64, 5, 3);
        assertEquals(0, res[0]);
        assertEquals(1, res[1]);
    }

    @Test
    void brkGrowthIsLogarithmicToo() {
        LokierRig r = new LokierRig(new LokierDesign(1L << 32, 0, 1, 1), CheckPolicy.END);
        long base = r.sys.brk(r.t, 0);
        for (long pages = 1; pages <= 4096; pages++) {
            assertEquals(base + pages * P, r.sys.brk(r.t, base + pages * P));
            r.write(base + (pages - 1) * P, 1, pages);
        }
        r.sys.finish();
        long splits = r.d.stats().growthSplits;
        System.out.printf("lokier brk 1 -> 4096 pages: splits=%d internal=%d visible=%d%n", splits,
                r.internal(base, 4096 * P), r.visible(base, 4096 * P));
        assertTrue(splits < 1 + log(2, 4096), "splits " + splits);
        assertTrue(splits >= 10);
        assertEquals(1, r.visible(base, 4096 * P));
    }
}
