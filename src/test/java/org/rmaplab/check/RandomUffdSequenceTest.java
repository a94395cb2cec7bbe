package org.rmaplab.check;

import org.rmaplab.fuzz.ModelProfile;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.rmaplab.rmap.RmapDesigns;

/**
 * Random sequences mixing uffd_register, uffd_move, uffd_copy and remap_anon_pages with fork,
 * mremap, reclaim (little RAM, a swap device) and exit; the oracle checks after every operation,
 * every design, and the shadow follows the moved and copied contents.
 */
class RandomUffdSequenceTest {
    static final int SEEDS = 6;
    static final int OPS = Integer.getInteger("rmaplab.random.ops", 4_000);

    static Stream<Arguments> cases() {
        return RmapDesigns.everyName().stream().flatMap(d ->
                java.util.stream.LongStream.rangeClosed(1, SEEDS).mapToObj(s -> Arguments.of(d, s * 7919)));
    }

    @ParameterizedTest(name = "{0} seed {1}")
    @MethodSource("cases")
    void movesKeepEveryInvariantAndEveryPage(String design, long seed) {
        ModelProfile r = new ModelProfile(seed, design, 384L << 10, 16L << 20, CheckPolicy.EVERY).withUffd();
        r.run(OPS);
        var c = r.syscalls().machine().counters();
        assertTrue(c.get("uffd_pages_moved") > 0, "pages were moved: " + c);
        assertTrue(c.get("uffd_pages_copied") > 0, "pages were copied: " + c);
        assertTrue(c.get("uffd_copies_avoided") >= c.get("uffd_pages_moved"), "every page moved avoided a copy: " + c);
    }
}
