package org.rmaplab.check;

import org.rmaplab.fuzz.ModelProfile;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.LongStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rmaplab.rmap.ptechains.PteChainsDesign;
import org.rmaplab.rmap.ptechains.PteChainsStats;

/**
 * Seeded random sequences (files, userfaultfd, fork, COW, mremap, mlock and munlock — also of
 * pieces of existing vmas, {@link ModelProfile#withMlockChurn} — truncate, reclaim with swap, exit)
 * under pte_chains with wli's step (b), the oracle after every operation: its walk check accepts
 * exactly the ptes of unlocked vmas, PG_mlocked pages must be off the LRU. The seed is printed and
 * in the test's name. (With userfaultfd, this test's first version found that the model took a
 * UFFDIO_COPY into a private file mapping past the end of the file, where Linux refuses with
 * EFAULT: scenarios/file/truncate_copy_past_eof.vms.)
 */
class RandomMlockedPteChainsSequenceTest {
    static final int OPS = Integer.getInteger("rmaplab.random.ops", 4_000);

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 12).map(s -> s * 7919);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void mlockedPtesStayUnchainedAndEveryInvariantHolds(long seed) {
        PteChainsDesign d = PteChainsDesign.withMlockedUnchained();
        ModelProfile r = new ModelProfile(seed, d, 384L << 10, 16L << 20, CheckPolicy.EVERY).withFiles().withUffd().withMlockChurn();
        System.out.println("RandomMlockedPteChainsSequenceTest seed " + seed);
        r.run(OPS);
        PteChainsStats st = d.stats();
        System.out.println("  ops " + r.ops() + " pg_mlocked peak " + st.peak("pg_mlocked") + " unchained by mlock "
                + st.mlockUnchained + " rechained by munlock " + st.munlockRechained + " swap_outs "
                + r.syscalls().machine().counters().get("swap_outs"));
        assertTrue(st.peak("pg_mlocked") > 0, "seed " + seed + ": some page was PG_mlocked");
        assertTrue(st.munlockRechained > 0, "seed " + seed + ": munlock rebuilt chain entries");
    }
}
