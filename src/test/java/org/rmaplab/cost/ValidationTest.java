package org.rmaplab.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The validation's arithmetic (rmaplab bench validate), worked out by hand. */
class ValidationTest {

    /**
     * Three timed lines of 5000, 12000 and 1500 ns with an empty call of 1000: (5000 - 1000) +
     * (12000 - 1000) + (1500 - 1000) = 15500. The phase of lines 3 and 9 alone: 4000 + 500 = 4500; a
     * line that was not timed (7) adds nothing.
     */
    @Test
    void runTotalLessOneEmptyCallPerLine() {
        Validation.Run r = new Validation.Run(1000, Map.of(3, 5000L, 5, 12000L, 9, 1500L));
        assertEquals(15500, r.totalNs());
        assertEquals(4500, r.sum(Set.of(3, 9, 7)));
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(30, Validation.median(List.of(50L, 10L, 30L)));
        assertEquals(25, Validation.median(List.of(40L, 10L, 20L, 30L))); // (20 + 30) / 2
        assertThrows(IllegalArgumentException.class, () -> Validation.median(List.of()));
    }

    /**
     * error = (predicted - measured) / measured: 125 against 100 is +25% (on the target, inclusive),
     * 74 against 100 is -26% (a miss), 80 against 100 -20%.
     */
    @Test
    void errorAndTarget() {
        assertEquals(0.25, Validation.error(125, 100), 1e-12);
        assertTrue(Validation.withinTarget(Validation.error(125, 100)));
        assertEquals(-0.26, Validation.error(74, 100), 1e-12);
        assertFalse(Validation.withinTarget(Validation.error(74, 100)));
        assertEquals("-20.0%", Validation.percent(Validation.error(80, 100)));
        assertEquals("+135.8%", Validation.percent(Validation.error(721.07, 305.84)));
        assertThrows(IllegalArgumentException.class, () -> Validation.error(1, 0));
    }

    /**
     * The control before a row took 10000 ns a one-page MADV_DONTNEED and 20000 ns a fault; after
     * it, 11500 and 17500: the loops moved 11500 / 10000 - 1 = +15% and 17500 / 20000 - 1 = -12.5%;
     * the larger, +15%, is over the 10% flag. After 10500 and 19200 instead: +5% and -4%, so +5%, not
     * flagged; after 10200 and 17600: +2% and -12%, the fault's -12%, flagged.
     */
    @Test
    void speedChangeIsTheLoopThatMovedMost() {
        Validation.Control before = new Validation.Control(10000, 20000);
        double a = Validation.speedChange(before, new Validation.Control(11500, 17500));
        assertEquals(0.15, a, 1e-12);
        assertTrue(Validation.speedMoved(a));
        double b = Validation.speedChange(before, new Validation.Control(10500, 19200));
        assertEquals(0.05, b, 1e-12);
        assertFalse(Validation.speedMoved(b));
        double c = Validation.speedChange(before, new Validation.Control(10200, 17600));
        assertEquals(-0.12, c, 1e-12);
        assertTrue(Validation.speedMoved(c));
        assertEquals("-12.0%", Validation.percent(c));
        assertThrows(IllegalArgumentException.class, () -> new Validation.Control(0, 20000));
    }
}
