package org.rmaplab.check;

import org.rmaplab.fuzz.ModelProfile;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rmaplab.rmap.RmapDesigns;

/**
 * Random sequences with little RAM and a swap device, so that direct reclaim, swap-out, swap-in,
 * swap entries shared by fork and the OOM killer happen all the time; the oracle checks after
 * every operation, every design.
 */
class RandomSwapSequenceTest {
    static final int SEEDS = 8;
    static final int OPS = Integer.getInteger("rmaplab.random.ops", 6_000);

    static Stream<Arguments> cases() {
        String only = System.getProperty("rmaplab.random.seed");
        return RmapDesigns.everyName().stream().flatMap(d -> only != null
                ? Stream.of(Arguments.of(d, Long.parseLong(only)))
                : java.util.stream.LongStream.rangeClosed(1, SEEDS).mapToObj(s -> Arguments.of(d, s * 104729)));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void swapKeepsEveryInvariantAndEveryPage(String design, long seed) {
        ModelProfile r = new ModelProfile(seed, design, 384L << 10, 16L << 20, CheckPolicy.EVERY);
        r.run(OPS);
        var c = r.syscalls().machine().counters();
        assertTrue(c.get("swap_outs") > 0 && c.get("swap_ins") > 0,
                "swap was used: " + c.get("swap_outs") + " out, " + c.get("swap_ins") + " in");
    }
}
