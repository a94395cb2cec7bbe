package org.rmaplab.check;

import org.rmaplab.fuzz.ModelProfile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;
import org.rmaplab.rmap.RmapDesigns;

/** Same seed, same everything: the model keeps no hidden state between machines. */
class DeterminismTest {
    private static String run(String design, long seed) {
        ModelProfile r = new ModelProfile(seed, design, 384L << 10, 16L << 20, CheckPolicy.END);
        r.run(3000);
        return r.syscalls().machine().counters() + " " + r.syscalls().machine().design().stats().asMap() + "\n"
                + r.scenario();
    }

    @Test
    void everyDesignGivesTheSameCountersAndScenarioForTheSameSeed() {
        for (String d : RmapDesigns.everyName()) {
            assertEquals(run(d, 42), run(d, 42), d);
        }
        assertNotEquals(run(RmapDesigns.DEFAULT, 42), run(RmapDesigns.DEFAULT, 43), "seeds matter");
    }
}
