package org.rmaplab.check;

import org.rmaplab.fuzz.ModelProfile;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rmaplab.rmap.RmapDesigns;

/**
 * Seeded random operation sequences under every registered design, the oracle after every
 * operation. Per CI run: SEEDS x OPS operations per design (at least 100k in all). A failure
 * prints the seed and the scenario that reproduces it. {@code -Drmaplab.random.seed=S} runs one
 * seed; {@code -Drmaplab.random.ops=N} changes the length.
 */
class RandomSequenceTest {
    static final int SEEDS = 12;
    static final int OPS = Integer.getInteger("rmaplab.random.ops", 10_000);

    static Stream<Arguments> cases() {
        String only = System.getProperty("rmaplab.random.seed");
        return RmapDesigns.everyName().stream().flatMap(d -> {
            if (only != null) {
                return Stream.of(Arguments.of(d, Long.parseLong(only)));
            }
            return java.util.stream.LongStream.rangeClosed(1, SEEDS).mapToObj(s -> Arguments.of(d, s * 7919));
        });
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void randomSequenceKeepsEveryInvariant(String design, long seed) {
        ModelProfile r = new ModelProfile(seed, design, 8L << 20, CheckPolicy.EVERY);
        r.run(OPS);
        assertTrue(r.syscalls().checks() >= OPS, "the oracle ran after every operation");
    }
}
