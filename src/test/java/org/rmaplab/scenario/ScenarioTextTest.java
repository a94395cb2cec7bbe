package org.rmaplab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.rmaplab.mm.Mman;

/** The one printer reads back through the parser as the value it printed, for every value it can print. */
class ScenarioTextTest {

    private static Statement line(String text) {
        return ScenarioParser.parse("t.vms", "t1 mmap 0 1p rw private|anonymous as A\n" + text + "\n").statements().get(1);
    }

    @Test
    void everyProtectionRoundTrips() {
        for (int prot = 0; prot < 8; prot++) {
            Arg.Prot p = (Arg.Prot) line("t1 mprotect A 1p " + ScenarioText.prot(prot)).arg(2);
            assertEquals(prot, p.value(), ScenarioText.prot(prot));
        }
    }

    @Test
    void everyMmapFlagCombinationRoundTrips() {
        int[] others = {Mman.MAP_ANONYMOUS, Mman.MAP_FIXED, Mman.MAP_FIXED_NOREPLACE, Mman.MAP_POPULATE, Mman.MAP_LOCKED,
            Mman.MAP_GROWSDOWN, Mman.MAP_DENYWRITE, Mman.MAP_EXECUTABLE, Mman.MAP_NORESERVE, Mman.MAP_NONBLOCK,
            Mman.MAP_STACK, Mman.MAP_HUGETLB, Mman.MAP_SYNC};
        int[] types = {Mman.MAP_SHARED, Mman.MAP_PRIVATE, Mman.MAP_SHARED_VALIDATE};
        for (int type : types) {
            for (int set = 0; set < 1 << others.length; set += 7) { // a spread of the 8192 subsets
                int flags = type;
                for (int i = 0; i < others.length; i++) {
                    if ((set & 1 << i) != 0) {
                        flags |= others[i];
                    }
                }
                String text = ScenarioText.mmapFlags(flags);
                Arg.Flags f = (Arg.Flags) line("t1 mmap 0 1p rw " + text).arg(3);
                assertEquals(flags, f.value(), text);
            }
        }
        assertEquals("private|anonymous|fixed", ScenarioText.mmapFlags(Mman.MAP_PRIVATE | Mman.MAP_FIXED | Mman.MAP_ANONYMOUS));
    }

    @Test
    void mremapFlagsAndAdviceRoundTrip() {
        for (int flags = 0; flags < 8; flags++) {
            String text = ScenarioText.mremapFlags(flags);
            Arg.Flags f = (Arg.Flags) line("t1 mremap A 1p 2p " + text + " 0x10000000").arg(3);
            assertEquals(flags, f.value(), text);
        }
        for (int advice : ScenarioText.ADVICE.values()) {
            Arg.Advice a = (Arg.Advice) line("t1 madvise A 1p " + ScenarioText.advice(advice)).arg(2);
            assertEquals(advice, a.value());
        }
    }

    @Test
    void addressTermsAndLengths() {
        assertEquals("", ScenarioText.offset(0));
        assertEquals("+4p", ScenarioText.offset(4 * 4096));
        assertEquals("-16p", ScenarioText.offset(-16 * 4096));
        assertEquals("+1p+5", ScenarioText.offset(4096 + 5));
        assertEquals("-1p-5", ScenarioText.offset(-4096 - 5));
        assertEquals("A+3p", ScenarioText.at("A", 3));
        assertEquals("A", ScenarioText.at("A", 0));
        assertEquals("5p", ScenarioText.length(5 * 4096));
        assertEquals("4097", ScenarioText.length(4097));
        assertEquals("0", ScenarioText.length(0));
        assertEquals("0x7f00", ScenarioText.hex(0x7f00));
    }
}
