package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.rmaplab.cost.Calibration;
import org.rmaplab.cost.LineFit;

/** calibrate.c's output read back: points fitted, skips kept with their reasons, never a failure. */
class CalibrateCommandTest {

    /**
     * A machine without swap: calibrate.c prints the series it measured and a skip line for each
     * swap series. fault_anon's points lie on 100 + 2500 x; a series of one size is not a line and
     * is recorded as not measured; the prices of the swap series come from the reference, saying so.
     */
    @Test
    void withoutSwap() {
        String out = String.join("\n",
                "point fault_anon 1024 2560100.0",
                "point fault_anon 2048 5120100.0",
                "point cow 1024 100.0",
                "skip pageout no active swap (/proc/swaps lists none): MADV_PAGEOUT of anonymous pages needs it",
                "skip pageout_procs no active swap",
                "");
        List<Calibration.Skipped> skipped = new ArrayList<>();
        Map<String, LineFit> fits = CalibrateCommand.parse(out, skipped);
        assertEquals(List.of("fault_anon"), List.copyOf(fits.keySet()));
        assertEquals(2500, fits.get("fault_anon").slope(), 1e-9);
        assertEquals(100, fits.get("fault_anon").intercept(), 1e-6);
        assertEquals("pageout", skipped.get(0).series());
        assertEquals("pageout_procs", skipped.get(1).series());
        assertEquals("cow", skipped.get(2).series());
        assertTrue(skipped.get(2).reason().startsWith("too few sizes measured"), skipped.get(2).reason());
        Map<String, Calibration.Price> prices = Calibration.derive(fits, Calibration.reference());
        assertEquals(2500, prices.get("fault_anon").ns(), 1e-9);
        assertEquals(Calibration.reference().ns("swap_out"), prices.get("swap_out").ns());
        assertTrue(prices.get("swap_out").source().startsWith("reference calibration (pageout not measured here)"));
        assertTrue(prices.get("cow").source().startsWith("reference calibration (cow not measured here)"));
    }

    @Test
    void badRounds() {
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = Main.commandLine(Backend.model(), new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(err, true));
        assertEquals(2, cl.execute("calibrate", "--rounds", "0"));
        assertTrue(err.toString().startsWith("rmaplab: --rounds must be 1 to 32, not 0"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    /** compare --calibration: a missing or malformed file is one line, exit 2, nothing printed. */
    @Test
    void compareRefusesABadCalibration(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path bad = dir.resolve("c.json");
        java.nio.file.Files.writeString(bad, "{\"format\": \"rmaplab-calibration-1\"}");
        for (String[] c : new String[][] {{bad.toString(), bad + ": costs_ns.fault_anon.ns is missing or not a number >= 0"},
                {dir.resolve("none.json").toString(), dir.resolve("none.json") + ": no such calibration file"}}) {
            java.io.StringWriter out = new java.io.StringWriter();
            java.io.StringWriter err = new java.io.StringWriter();
            int code = Main.commandLine(Backend.model(), new java.io.PrintWriter(out, true),
                    new java.io.PrintWriter(err, true)).execute("compare", "--calibration", c[0], "fork-fanout");
            assertEquals(2, code);
            assertEquals("", out.toString());
            assertEquals("rmaplab: " + c[1] + "\n", err.toString());
        }
    }
}
