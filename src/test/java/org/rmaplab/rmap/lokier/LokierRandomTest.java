package org.rmaplab.rmap.lokier;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.LongStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.fuzz.ModelProfile;

/**
 * Seeded random sequences under the oracle with lokier's numbers shrunk so that everything the
 * default numbers make rare happens all the time: address_spaces of 64 pages (wraps every few
 * mappings, vmas larger than an address_space), no minimum reserve and half-size reserves (growth
 * splits, VM_GROUP groups that are then moved, shrunk, split by munmap and mprotect, forked).
 */
class LokierRandomTest {
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 12).map(s -> s * 104729);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void tinyReservationsKeepEveryInvariant(long seed) {
        LokierDesign d = new LokierDesign(64, 0, 1, 2);
        ModelProfile r = new ModelProfile(seed, d, 16L << 20, CheckPolicy.EVERY);
        r.run(10_000);
        assertTrue(r.syscalls().checks() >= 10_000);
        LokierStats s = d.stats();
        assertTrue(s.growthSplits > 0, "growth splits happened: " + s.asMap());
        assertTrue(s.wraps > 0, "address_spaces wrapped: " + s.asMap());
        assertTrue(s.claims > 0, "reservations were lent: " + s.asMap());
    }
}
