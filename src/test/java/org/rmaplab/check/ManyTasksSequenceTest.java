package org.rmaplab.check;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.rmaplab.fuzz.ModelProfile;
import org.rmaplab.mm.Vma;
import org.rmaplab.rmap.ptechains.PteChainsDesign;

/**
 * Random sequences with more tasks than a pte_chain block has slots. The model profile's default
 * of six tasks never shares a page among more than six ptes, so under pte_chains no chain ever
 * needed a second block (NRPTE = 7 on x86_64, 2.6.0 mm/rmap.c), and a chain walk that stopped after
 * its first block went unseen (the PIT survivor {@code PteChainPool.next}, docs/benchmarks.md).
 * Here up to twelve tasks fork from one another; the oracle checks every walk and page; the test
 * asserts the sequence really chained a second block, so it cannot pass vacuously.
 */
class ManyTasksSequenceTest {

    @ParameterizedTest(name = "pte_chains seed {0}")
    @ValueSource(longs = {1, 3, 5})
    void chainsOfSeveralBlocksAreWalkedWhole(long seed) {
        PteChainsDesign pc = new PteChainsDesign();
        int[] maxBlocks = {0};
        ForwardingDesign watched = new ForwardingDesign(pc) {
            @Override
            public void pageDupRmap(int pfn, Vma dstVma, long address, long dstPtep) {
                d.pageDupRmap(pfn, dstVma, address, dstPtep);
                maxBlocks[0] = Math.max(maxBlocks[0], pc.blocksOf(pfn));
            }
        };
        ModelProfile r = new ModelProfile(seed, watched, 8L << 20, 0, CheckPolicy.EVERY).withManyTasks(12);
        r.run(1500);
        assertTrue(maxBlocks[0] >= 2, "seed " + seed + ": no page needed a second pte_chain block (max "
                + maxBlocks[0] + ")");
    }
}
