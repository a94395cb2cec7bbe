package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.harness.Harness;
import org.rmaplab.harness.KernelAvailable;
import org.rmaplab.harness.KernelRunner;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Syscalls;

/**
 * {@code rmaplab explore FILE --kernel}: the kernel view in data.js, on a scenario where the
 * historical designs part from the kernel (examples/merge-parts.vms) and one where every design
 * agrees (examples/fork-cow.vms); and where the harness cannot run, one line on stderr and the
 * explorer written without the view. The tests on the kernel skip without it.
 */
class ExploreKernelTest extends CliTest {

    /** A machine without a C compiler: the harness cannot be built. */
    final Backend noCompiler = new Backend() {
        @Override
        public List<String> designs() {
            return Backend.model().designs();
        }

        @Override
        public Syscalls create(String design, MachineConfig machine, CheckPolicy policy) {
            return Backend.model().create(design, machine, policy);
        }

        @Override
        public KernelRunner kernel() throws Harness.Unavailable {
            return new KernelRunner(Harness.obtain(java.util.Map.of("PATH", ""), dir.resolve("cache")));
        }
    };

    /** The data.js of explore ARGS --kernel --out DIR/site, run on BACKEND (exit 0 asserted). */
    String explore(Backend backend, String... args) throws Exception {
        Path site = dir.resolve("site");
        List<String> a = new java.util.ArrayList<>(List.of("explore", "--kernel", "--out", site.toString()));
        a.addAll(List.of(args));
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.commandLine(backend, new PrintWriter(o, true), new PrintWriter(e, true)).execute(a.toArray(String[]::new));
        out = o.toString();
        err = e.toString();
        assertEquals(0, code, err);
        return Files.readString(site.resolve("data.js"));
    }

    /** The diff entry of DESIGN in DATA's kernel view. */
    static String diffOf(String data, String design) {
        Matcher m = Pattern.compile("\\{\"design\":\"" + Pattern.quote(design) + "\",[^\\n]*").matcher(data);
        assertTrue(m.find(), design + " has a diff entry");
        return m.group();
    }

    @Test
    void withoutTheHarnessOneLineAndTheExplorerWithoutTheView() throws Exception {
        String data = explore(noCompiler, "examples/fork-cow.vms");
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("rmaplab: explore --kernel: skipped, the explorer has no kernel view: no C compiler"), err);
        assertFalse(data.contains("\"kernel\":"), "no kernel view");
        assertTrue(out.startsWith("explorer written to "), out);
    }

    /**
     * examples/merge-parts.vms (lines 7-13): the first six lines agree everywhere; at line 12,
     * {@code t2 maps}, the kernel has three vmas (its is_mergeable_anon_vma() refuses the merges),
     * the historical designs one: 5 lines compared (7-11), then the maps line parts them, with
     * both sides' maps (normalized as diff names them: @11 is the address line 11's fixed mmap
     * gave, A+4p). anon_vma_chain agrees on all 7.
     */
    @Test
    void theHistoricalDesignsPartFromTheKernelAtTheMapsLine() throws Exception {
        KernelAvailable.kernel();
        String data = explore(Backend.model(), "examples/merge-parts.vms");
        assertTrue(data.contains("\"kernel\":{\"about\":\"Linux "), data);
        assertTrue(diffOf(data, "anon_vma_chain").endsWith("\"compared\":7,\"line\":null},"), diffOf(data, "anon_vma_chain"));
        for (String d : List.of("anon_vma", "pte_chains", "anonmm", "lokier")) {
            String e = diffOf(data, d);
            assertTrue(e.contains("\"compared\":5,\"line\":12,\"linux\":\"3 [A..@11 rw-p 0x0, @11..@11+4p rw-p 0x0, "
                    + "@11+4p..@11+8p rw-p 0x0]\",\"linuxRaw\":\"3\",\"model\":\"1 [A..@11+8p rw-p 0x0]\",\"modelRaw\":\"1\""), e);
            // The kernel's three maps lines, the model's one.
            Matcher m = Pattern.compile("\"linuxMaps\":\\[([^\\]]*)\\],\"modelMaps\":\\[([^\\]]*)\\]").matcher(e);
            assertTrue(m.find(), e);
            assertEquals(3, m.group(1).split("\",\"").length, e);
            assertEquals(1, m.group(2).split("\",\"").length, e);
        }
        // The kernel's results: every line run (7), the maps line's text kept.
        Matcher r = Pattern.compile("\"results\":\\{([^}]*)\\}").matcher(data);
        assertTrue(r.find());
        assertEquals(7, r.group(1).split(",").length, r.group(1));
        assertTrue(r.group(1).contains("\"12\":\"3\""), r.group(1));
        assertTrue(err.isEmpty(), err);
    }

    @Test
    void everyDesignAgreesOnForkCow() throws Exception {
        KernelAvailable.kernel();
        String data = explore(Backend.model(), "examples/fork-cow.vms");
        for (String d : Backend.model().designs()) {
            assertTrue(diffOf(data, d).contains("\"compared\":12,\"line\":null}"), diffOf(data, d));
        }
    }
}
