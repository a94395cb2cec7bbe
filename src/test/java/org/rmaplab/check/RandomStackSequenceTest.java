package org.rmaplab.check;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rmaplab.fuzz.ModelProfile;
import org.rmaplab.rmap.RmapDesigns;

/**
 * Seeded random sequences with stacks that grow ({@link ModelProfile#withStacks}) among every
 * other operation, with reclaim (little RAM, a swap device) and files, the oracle after every
 * operation, under every design and variant: grown pages must be found by every design's walk
 * (anon_vma's pgoff moved down with vm_start, lokier's offsets taken below or split), forked,
 * COWed and swapped like any other. A failure prints the seed and the scenario.
 * {@code -Drmaplab.random.seed=S} runs one seed.
 */
class RandomStackSequenceTest {
    static final int SEEDS = 3;
    static final int OPS = Integer.getInteger("rmaplab.random.ops", 3_000);

    static Stream<Arguments> cases() {
        String only = System.getProperty("rmaplab.random.seed");
        return RmapDesigns.everyName().stream().flatMap(d -> {
            if (only != null) {
                return Stream.of(Arguments.of(d, Long.parseLong(only)));
            }
            return java.util.stream.LongStream.rangeClosed(1, SEEDS).mapToObj(s -> Arguments.of(d, s * 104729));
        });
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void randomSequencesWithGrowingStacksKeepEveryInvariant(String design, long seed) {
        ModelProfile r = new ModelProfile(seed, design, 384L << 10, 16L << 20, CheckPolicy.EVERY).withFiles().withStacks();
        r.run(OPS);
        assertTrue(r.syscalls().checks() >= OPS, "the oracle ran after every operation");
        assertTrue(r.scenario().contains("growsdown"), "the sequence maps stacks");
        assertTrue(r.syscalls().machine().counters().get("stack_expansions") > 0, "and some of them grow");
    }
}
