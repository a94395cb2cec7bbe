package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.harness.Harness;
import org.rmaplab.harness.KernelAvailable;
import org.rmaplab.harness.KernelRunner;
import org.rmaplab.scenario.FakeSyscalls;

/** rmaplab kernel, diff and fuzz. The tests that need the real kernel skip without it. */
class KernelCommandsTest {

    @TempDir
    Path dir;

    String out;
    String err;

    /** The model, with the kernel harness of this machine (or none). */
    final Backend real = Backend.model();

    /** A machine without a C compiler. */
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

    /** A "model" that is not Linux at all (a fake that places mappings bottom-up). */
    final Backend fakeModel = new Backend() {
        @Override
        public List<String> designs() {
            return List.of("anon_vma_chain");
        }

        @Override
        public Syscalls create(String design, MachineConfig machine, CheckPolicy policy) {
            return new FakeSyscalls();
        }
    };

    int run(Backend backend, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.commandLine(backend, new PrintWriter(o, true), new PrintWriter(e, true)).execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    String file(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p.toString();
    }

    static List<String> lines(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split("\\R"));
    }

    void assertUserError(int code, String expectedErr) {
        assertEquals(2, code, err);
        assertEquals(List.of(expectedErr), lines(err));
        assertFalse(err.contains("\tat "), "no stack trace");
    }

    // ------------------------------------------------------------------ without a kernel

    @Test
    void badScenarioIsExit2BeforeTheHarnessIsNeeded() throws IOException {
        String bad = file("bad.vms", "t1 mmap 0 1p rw private|anon");
        for (String cmd : new String[] {"kernel", "diff"}) {
            assertUserError(run(noCompiler, cmd, bad), bad + ":1: unknown mmap flag 'anon' (known: shared, private, "
                    + "shared_validate, fixed, anonymous, growsdown, denywrite, executable, locked, noreserve, "
                    + "populate, nonblock, stack, hugetlb, sync, fixed_noreplace, or 0)");
            assertEquals("", out);
        }
        String missing = dir.resolve("nope.vms").toString();
        assertUserError(run(noCompiler, "kernel", missing), "rmaplab: " + missing + ": no such file");
    }

    @Test
    void noCompilerIsExit2WithOneLine() throws IOException {
        String f = file("ok.vms", "t1 brk 0");
        String msg = "rmaplab: no C compiler found ('cc' on PATH): the kernel harness needs one"
                + " (install gcc, or set CC)";
        assertUserError(run(noCompiler, "kernel", f), msg);
        assertUserError(run(noCompiler, "diff", f), msg);
        assertUserError(run(noCompiler, "fuzz", "--seed", "1", "--count", "1"), msg);
    }

    @Test
    void badOptionsAreExit2WithOneLine() throws IOException {
        String f = file("ok.vms", "t1 brk 0");
        assertUserError(run(noCompiler, "diff", "--design", "foo", f), "rmaplab: unknown design 'foo' (available: "
                + String.join(", ", Backend.model().designs()) + ", or all; variants: "
                + String.join(", ", org.rmaplab.rmap.RmapDesigns.variants()) + ") (see 'rmaplab diff --help')");
        assertUserError(run(noCompiler, "fuzz", "--seed", "1", "--count", "-1"),
                "rmaplab: --count must not be negative, not -1 (see 'rmaplab fuzz --help')");
        assertUserError(run(noCompiler, "fuzz", "--count", "1"),
                "rmaplab: Missing required option: '--seed=S' (see 'rmaplab fuzz --help')");
        assertUserError(run(noCompiler, "fuzz", "--seed", "x", "--count", "1"),
                "rmaplab: Invalid value for option '--seed': 'x' is not a long (see 'rmaplab fuzz --help')");
        assertUserError(run(noCompiler, "kernel"),
                "rmaplab: Missing required parameter: 'FILE' (see 'rmaplab kernel --help')");
    }

    @Test
    void badProfileOptionsAreExit2WithOneLine() {
        assertUserError(run(noCompiler, "fuzz", "--seed", "1", "--count", "1", "--profile", "linux"),
                "rmaplab: --profile must be kernel or model, not 'linux' (see 'rmaplab fuzz --help')");
        assertUserError(run(noCompiler, "fuzz", "--seed", "1", "--count", "1", "--profile", "model", "--steps", "-1"),
                "rmaplab: --steps must not be negative, not -1 (see 'rmaplab fuzz --help')");
    }

    /** The model profile needs no kernel: it runs under the oracle only. */
    @Test
    void fuzzModelProfileRunsWithoutTheKernel() {
        Path saved = dir.resolve("model");
        assertEquals(0, run(noCompiler, "fuzz", "--profile", "model", "--seed", "5", "--count", "2", "--steps", "400",
                "--design", "all", "--out", saved.toString()), err);
        assertEquals(List.of("2 scenarios: 0 failed"), lines(out));
        assertFalse(Files.exists(saved));
    }

    // ------------------------------------------------------------------ on the kernel

    @Test
    void kernelReportsLikeRun() throws IOException {
        KernelAvailable.kernel();
        assertEquals(0, run(real, "kernel", "examples/fork-cow.vms"), err);
        assertEquals(List.of("PASS examples/fork-cow.vms [linux] (12 lines)", "1 run: 1 passed, 0 failed"), lines(out));
        String f = file("f.vms",
                "machine ram=64M",
                "t1 mmap 0 4p rw private|anonymous as A",
                "t1 read A+4p expect 0 expect:linux SEGV",
                "t1 read A expect 1",
                "t1 remap_anon_pages A A 1p expect 4096");
        assertEquals(1, run(real, "kernel", f), err);
        assertEquals(List.of(
                f + ":1: [linux] skipped: machine sizes are the host's",
                f + ":4: [linux] expected 0x1, got 0x0",
                f + ":5: [linux] skipped: remap_anon_pages: model only, never merged",
                "1 run: 0 passed, 1 failed (2 lines skipped)"), lines(out));
        String bad = file("u.vms", "t1 mmap 0 4p rw private as A", "t1 read A");
        assertUserError(run(real, "kernel", bad), bad + ":2: 'A' is unbound: the call at line 1 that binds it failed");
    }

    @Test
    void diffComparesEveryLine() throws IOException {
        KernelAvailable.kernel();
        assertEquals(0, run(real, "diff", "--design", "all", "examples/fork-cow.vms"), err);
        int n = Backend.model().designs().size();
        assertEquals(n + 1, lines(out).size(), out);
        assertTrue(out.startsWith("SAME examples/fork-cow.vms ["), out);
        String f = file("r.vms", "t1 open data 4p as F", "t1 mmap 0 4p rw shared F 0 as A",
                "t1 remap_file_pages A 1p 3", "t1 vmas A 4p");
        assertEquals(0, run(real, "diff", f), err);
        assertEquals(List.of("SAME " + f + " [anon_vma_chain] (4 lines)", "1 run: 1 same, 0 diverged"), lines(out));
        // The fake model is no Linux.
        assertEquals(1, run(fakeModel, "diff", "examples/fork-cow.vms"), err);
        assertTrue(lines(out).get(0).startsWith("examples/fork-cow.vms:"), out);
        assertEquals("1 run: 0 same, 1 diverged", lines(out).get(1));
    }

    @Test
    void fuzzSavesShrunkDivergences() throws IOException {
        KernelAvailable.kernel();
        Path saved = dir.resolve("found");
        assertEquals(0, run(real, "fuzz", "--seed", "11", "--count", "5", "--out", saved.toString()), err);
        assertEquals(List.of("5 scenarios: 0 diverged"), lines(out));
        assertFalse(Files.exists(saved));

        assertEquals(1, run(fakeModel, "fuzz", "--seed", "11", "--count", "2", "--out", saved.toString()), err);
        List<String> l = lines(out);
        assertEquals("2 scenarios: 2 diverged (saved under " + saved + ")", l.get(l.size() - 1));
        try (Stream<Path> s = Files.list(saved)) {
            assertEquals(List.of("fuzz-11-0-anon_vma_chain.vms", "fuzz-11-1-anon_vma_chain.vms"),
                    s.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary files left");
        }
        Path one = saved.resolve("fuzz-11-0-anon_vma_chain.vms");
        assertTrue(l.get(0).startsWith(one + ":"), l.get(0));
        List<String> text = Files.readAllLines(one);
        assertEquals("# rmaplab fuzz --seed 11: scenario 0 (generated by org.rmaplab.fuzz.ScenarioGenerator)",
                text.get(0));
        assertTrue(text.get(1).startsWith("# shrunk from "), text.get(1));
        assertTrue(text.size() <= 10, "shrunk: " + text);
    }
}
