package org.rmaplab.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ShrinkerTest {

    @Test
    void keepsOnlyWhatTheFailureNeeds() {
        List<String> lines = new ArrayList<>(List.of("# header"));
        for (int i = 0; i < 50; i++) {
            lines.add("line " + i);
            if (i % 7 == 0) {
                lines.add("# comment " + i);
            }
        }
        int[] calls = {0};
        List<String> small = Shrinker.shrink(lines, c -> {
            calls[0]++;
            return c.contains("line 3") && c.contains("line 41") && c.indexOf("line 3") < c.indexOf("line 41");
        });
        assertEquals(List.of("# header", "line 3", "line 41"), small);
    }

    @Test
    void aFailureThatNeedsEverythingKeepsEverything() {
        List<String> lines = List.of("# h", "a", "b", "c");
        assertEquals(lines, Shrinker.shrink(lines, c -> c.size() == 4));
    }
}
