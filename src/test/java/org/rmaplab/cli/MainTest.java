package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;
import org.rmaplab.scenario.FakeSyscalls;

class MainTest {

    @TempDir
    Path dir;

    /** Designs and policies the fake backend was asked for. */
    final List<String> created = new ArrayList<>();
    boolean brkThrows;

    final Backend fake = new Backend() {
        @Override
        public List<String> designs() {
            return List.of("anon_vma_chain", "anon_vma");
        }

        @Override
        public Syscalls create(String design, MachineConfig machine, CheckPolicy policy) {
            created.add(design + "/" + policy);
            return new FakeSyscalls() {
                @Override
                public long brk(Task t, long addr) {
                    if (brkThrows) {
                        throw new IllegalStateException("model bug");
                    }
                    return super.brk(t, addr);
                }
            };
        }
    };

    String out;
    String err;

    int run(Backend backend, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.commandLine(backend, new PrintWriter(o, true), new PrintWriter(e, true)).execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    int run(String... args) {
        return run(fake, args);
    }

    String file(String name, String... lines) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, String.join("\n", lines) + "\n");
        return p.toString();
    }

    static List<String> lines(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split("\\R"));
    }

    /** A user error: exit 2 and exactly one line on stderr, no stack trace. */
    void assertUserError(int code, String expectedErr) {
        assertEquals(2, code, err);
        assertEquals(List.of(expectedErr), lines(err));
        assertFalse(err.contains("\tat "), "no stack trace");
    }

    @Test
    void passingScenarioExits0() throws IOException {
        String f = file("ok.vms", "t1 mmap 0 1p rw private|anonymous as A", "t1 read A expect 0");
        assertEquals(0, run("run", f), err);
        assertEquals(List.of("PASS " + f + " [anon_vma_chain] (2 lines)", "1 run: 1 passed, 0 failed"), lines(out));
        assertEquals("", err);
        assertEquals(List.of("anon_vma_chain/END"), created, "default design and check policy");
    }

    @Test
    void designAllRunsEveryDesignInOrder() throws IOException {
        String a = file("a.vms", "t1 brk 0");
        String b = file("b.vms", "t1 vmas 0 1p expect 0 expect:anon_vma 1");
        assertEquals(1, run("run", "--design", "all", "--check", "every", a, b));
        assertEquals(List.of(
                "PASS " + a + " [anon_vma_chain] (1 lines)",
                "PASS " + a + " [anon_vma] (1 lines)",
                "PASS " + b + " [anon_vma_chain] (1 lines)",
                b + ":1: [anon_vma] expected 1, got 0",
                "4 runs: 3 passed, 1 failed"), lines(out));
        assertEquals("", err);
        assertEquals(List.of("anon_vma_chain/EVERY", "anon_vma/EVERY", "anon_vma_chain/EVERY", "anon_vma/EVERY"),
                created);
    }

    @Test
    void failedExpectationExits1() throws IOException {
        String f = file("bad.vms", "t1 mmap 0 1p rw private|anonymous as A", "t1 read A+1p expect 0");
        assertEquals(1, run("run", "--design=anon_vma", f));
        assertEquals(List.of(f + ":2: [anon_vma] expected 0x0, got SEGV", "1 run: 0 passed, 1 failed"), lines(out));
        assertEquals("", err);
    }

    @Test
    void invariantViolationExits1() throws IOException {
        String f = file("inv.vms", "t1 mmap 0 1p rw private|anonymous as A", "t1 write A 1p 0xDEAD");
        assertEquals(1, run("run", "--check", "off", f));
        assertEquals(f + ":2: [anon_vma_chain] invariant violated: poisoned value written at 0x7efffffff000",
                lines(out).get(0));
    }

    @Test
    void badScenarioExits2BeforeAnythingRuns() throws IOException {
        String good = file("good.vms", "t1 brk 0");
        String bad = file("bad.vms", "# c", "t1 mmap 0 1p rw private|anon");
        assertUserError(run("run", good, bad), bad + ":2: unknown mmap flag 'anon' (known: shared, private, "
                + "shared_validate, fixed, anonymous, growsdown, denywrite, executable, locked, noreserve, "
                + "populate, nonblock, stack, hugetlb, sync, fixed_noreplace, or 0)");
        assertEquals("", out);
        assertTrue(created.isEmpty());
    }

    @Test
    void aFileNameUsedAsAValueExits2() throws IOException {
        String f = file("r.vms", "t1 open data 1p as F", "t1 munmap F 1p");
        assertUserError(run("run", f), f + ":2: 'F' is a file, not a value");
        assertTrue(created.isEmpty());
    }

    @Test
    void runTimeScenarioErrorExits2() throws IOException {
        String f = file("x.vms", "t1 fork as t2", "t2 exit", "t2 brk 0");
        assertUserError(run("run", f), f + ":3: task 't2' has exited (line 2)");
    }

    @Test
    void missingFileExits2() {
        String f = dir.resolve("nope.vms").toString();
        assertUserError(run("run", f), "rmaplab: " + f + ": no such file");
    }

    @Test
    void directoryExits2() {
        assertUserError(run("run", dir.toString()), "rmaplab: " + dir + ": is a directory");
    }

    @Test
    void unknownDesignExits2() throws IOException {
        String f = file("ok.vms", "t1 brk 0");
        assertUserError(run("run", "--design", "foo", f),
                "rmaplab: unknown design 'foo' (available: anon_vma_chain, anon_vma, or all; variants: "
                        + String.join(", ", org.rmaplab.rmap.RmapDesigns.variants()) + ") (see 'rmaplab run --help')");
    }

    @Test
    void badCheckPolicyExits2() throws IOException {
        String f = file("ok.vms", "t1 brk 0");
        assertUserError(run("run", "--check", "sometimes", f),
                "rmaplab: --check takes every, end or off, not 'sometimes' (see 'rmaplab run --help')");
    }

    @Test
    void badOptionsExit2WithOneLine() {
        assertUserError(run("run", "--frobnicate", "x.vms"),
                "rmaplab: Unknown option: '--frobnicate' (see 'rmaplab run --help')");
        assertUserError(run("run"), "rmaplab: Missing required parameter: 'FILE' (see 'rmaplab run --help')");
        assertUserError(run("frob"), "rmaplab: Unmatched argument at index 0: 'frob' (see 'rmaplab --help')");
        assertUserError(run(), "rmaplab: missing command (run, kernel, diff, fuzz, compare, workloads, findings, report) (see 'rmaplab --help')");
        assertUserError(run("run", "--design"),
                "rmaplab: Missing required parameter for option '--design' (NAME|LIST|all) (see 'rmaplab run --help')");
    }

    @Test
    void modelBugExits3WithAStackTrace() throws IOException {
        brkThrows = true;
        String f = file("b.vms", "t1 brk 0");
        assertEquals(3, run("run", f));
        List<String> e = lines(err);
        assertEquals(f + ":1: [anon_vma_chain] internal error (a bug in the model, not in the scenario):", e.get(0));
        assertTrue(err.contains("java.lang.IllegalStateException: model bug"), err);
        assertTrue(err.contains("\tat "), "stack trace");
    }

    @Test
    void helpAndVersion() {
        assertEquals(0, run("--help"));
        assertTrue(out.contains("Usage: rmaplab"), out);
        assertTrue(out.contains("run"), out);
        assertTrue(out.contains("Exit codes:"), out);
        assertEquals(0, run("run", "--help"));
        assertTrue(out.contains("--design=NAME|LIST|all"), out);
        assertTrue(out.contains("--check=every|end|off"), out);
        assertEquals(0, run("--version"));
        assertTrue(out.matches("rmaplab \\d+\\.\\d+\\.\\d+.*\\R"), out);
        assertFalse(out.contains("unknown"), "version comes from the filtered rmaplab.properties: " + out);
    }

    /** explore's help names its every input and option, and its exit codes. */
    @Test
    void exploreHelp() {
        assertEquals(0, run("explore", "--help"));
        String help = out.replaceAll("\\s+", " ");
        for (String o : new String[] {"[FILE]", "--workload=NAME", "--param=K=V", "--design=LIST|all", "--out=DIR",
                "--port=N", "'rmaplab workloads' lists them", "data-000.js", "Exit codes:", "2 bad input"}) {
            assertTrue(help.contains(o), "explore --help lacks " + o + ": " + out);
        }
    }

    /**
     * {@code run --verbose}: one line per scenario line, the call as written (without its {@code as}
     * and {@code expect} parts), {@code =} its actual result and the name it bound; then the verdict.
     * Pinned whole on the example of the README's quick start; a failed expectation shows {@code !=}.
     */
    @Test
    void runVerbosePrintsEveryLineWithItsResult() throws IOException {
        assertEquals(0, run(Backend.model(), "run", "--verbose", "examples/fork-cow.vms"));
        assertEquals(String.join("\n",
                "# examples/fork-cow.vms [anon_vma_chain]",
                " 4  t1 mmap 0 16p rw private|anonymous = 0x7ffff7fef000 (A)",
                " 5  t1 write A 16p 0xA1 = 0",
                " 6  t1 fork = ok (t2)",
                " 7  t2 write A+4p 1p 0xB2 = 0",
                " 8  t1 mremap A 16p 32p maymove = 0x7ffff7fef000 (B)",
                " 9  t1 read B+4p = 0xa1",
                "10  t2 read A+4p = 0xb2",
                "11  t1 read B+20p = 0x0",
                "12  t1 munmap B+2p 1p = 0",
                "13  t1 read B+2p = SEGV",
                "14  t1 vmas B 32p = 2",
                "15  check = ok",
                "PASS examples/fork-cow.vms [anon_vma_chain] (12 lines)",
                "1 run: 1 passed, 0 failed", ""), out.replace("\r\n", "\n"));
        String f = file("bad.vms", "t1 mmap 0 1p rw private|anonymous as A expect EINVAL");
        assertEquals(1, run(Backend.model(), "run", "-v", f));
        assertTrue(out.contains("1  t1 mmap 0 1p rw private|anonymous != 0x"), out);
    }

    /** --design takes a comma-separated list (duplicates run once); an unknown member is bad input. */
    @Test
    void designTakesAList() {
        assertEquals(0, run(Backend.model(), "run", "--design", "pte_chains,pte_chains:objrmap,pte_chains",
                "examples/fork-cow.vms"));
        assertTrue(out.contains("[pte_chains]") && out.contains("[pte_chains:objrmap]"), out);
        assertTrue(out.endsWith("2 runs: 2 passed, 0 failed\n"), out);
        assertEquals(2, run(Backend.model(), "run", "--design", "pte_chains,nope", "examples/fork-cow.vms"));
        assertTrue(err.contains("unknown design 'nope'"), err);
    }

    /**
     * 'all' may be one item of the list: the five designs where it stands, each design once, in
     * the order first named (so all,anon_vma,X is the five designs in registry order, then X).
     */
    @Test
    void allIsOneItemOfTheList() {
        assertEquals(0, run(Backend.model(), "run", "--design", "anon_vma_chain:matena,all,anon_vma",
                "examples/fork-cow.vms"));
        List<String> runs = lines(out).stream().filter(l -> l.startsWith("PASS ")).map(l -> l.replaceAll(".*\\[|\\].*", ""))
                .toList();
        assertEquals(List.of("anon_vma_chain:matena", "anon_vma_chain", "anon_vma", "pte_chains", "anonmm", "lokier"),
                runs);
        assertEquals(2, run(Backend.model(), "run", "--design", "all,al", "examples/fork-cow.vms"));
        assertTrue(err.contains("unknown design 'al'"), err);
    }

    /** run, diff and fuzz name every registered variant in their --design help (a list kept by hand). */
    @Test
    void designHelpNamesEveryVariant() {
        for (String command : new String[] {"run", "diff", "fuzz"}) {
            assertEquals(0, run(command, "--help"));
            String help = out.replaceAll("\\s+", ""); // picocli may wrap after a colon
            for (String variant : org.rmaplab.rmap.RmapDesigns.variants()) {
                assertTrue(help.contains(variant), command + " --help does not name " + variant + ": " + help);
            }
        }
    }

    /**
     * The top-level help lists every command, bench included, each with a whole sentence; every
     * command's --help prints its usage and exits 0 (bench's too: the launcher hands it here).
     */
    @Test
    void helpListsEveryCommandAndEveryCommandHasHelp() {
        List<String> commands = List.of("run", "kernel", "diff", "fuzz", "compare", "workloads", "findings",
                "report", "trace", "bench", "calibrate");
        assertEquals(0, run("--help"));
        String top = out;
        for (String c : commands) {
            assertTrue(top.matches("(?s).*\\n  " + c + " +\\S.*"), "top-level help lists " + c + ": " + top);
            assertEquals(0, run(c, "--help"), c);
            assertTrue(out.startsWith("Usage: rmaplab " + c), c + ": " + out);
        }
        // Each summary, with its wrapped continuation lines, is a whole sentence.
        String list = top.substring(top.indexOf("Commands:"), top.indexOf("Exit codes:"));
        for (String entry : list.split("\\R(?=  [a-z])")) {
            if (!entry.startsWith("Commands:")) {
                assertTrue(entry.strip().endsWith("."), "a summary cut short: " + entry);
            }
        }
        assertTrue(top.replaceAll("\\s+", " ").contains("Run one scenario or workload under each design and print their costs side by side."), top);
        // The trace subcommands' summaries too.
        assertEquals(0, run("trace", "--help"));
        String trace = out.substring(out.indexOf("Commands:"));
        for (String entry : trace.split("\\R(?=  [a-z])")) {
            if (!entry.startsWith("Commands:") && !entry.isBlank()) {
                assertTrue(entry.strip().endsWith("."), "a summary cut short: " + entry);
            }
        }
        assertEquals(2, run("bench"));
        assertTrue(err.contains("bench is run by the ./rmaplab launcher"), err);
    }

    /**
     * An output file that cannot be written is refused with the reason, before any work: findings
     * and report into a missing directory say "no such directory", into a file's place where a
     * directory stands "is a directory"; nothing is written.
     */
    @Test
    void unwritableOutputSaysWhyBeforeWorking() throws IOException {
        Path missing = dir.resolve("nope").resolve("f.md");
        for (String command : new String[] {"findings", "report"}) {
            assertEquals(2, run(Backend.model(), command, "--out", missing.toString()), command);
            assertEquals("rmaplab: cannot write " + missing + ": no such directory: " + missing.getParent() + "\n",
                    err, command);
            assertEquals("", out, command);
        }
        // compare: nothing written when one of its outputs cannot be, the html file named
        Path csv = dir.resolve("rows.csv");
        assertEquals(2, run(Backend.model(), "compare", "--design", "anon_vma", "--out", csv.toString(),
                "--html", missing.toString(), "examples/fork-cow.vms"));
        assertEquals("rmaplab: cannot write " + missing + ": no such directory: " + missing.getParent() + "\n", err);
        assertFalse(Files.exists(csv));
        assertEquals(2, run(Backend.model(), "findings", "--out", dir.toString()));
        assertTrue(err.endsWith(": is a directory\n"), err);
        assertFalse(Files.exists(missing.getParent()));
    }

    /**
     * findings without --out writes docs/findings.md in a checkout (./docs exists) and stdout
     * anywhere else, where a relative docs/findings.md would be refused as "no such directory";
     * its help says so.
     */
    @Test
    void findingsWritesToStdoutOutsideACheckout() throws IOException {
        assertEquals("-", FindingsCommand.defaultOut(dir));
        Files.createDirectory(dir.resolve("docs"));
        assertEquals("docs/findings.md", FindingsCommand.defaultOut(dir));
        assertEquals("docs/findings.md", FindingsCommand.defaultOut(Path.of("")), "the tests run in the checkout");
        assertEquals(0, run("findings", "--help"));
        assertTrue(out.replaceAll("\\s+", " ")
                .contains("--out=FILE|- Where to write (default: docs/findings.md when ./docs exists, else stdout)."), out);
    }

    @Test
    void modelBackendListsRegisteredDesigns() {
        assertEquals(org.rmaplab.rmap.RmapDesigns.names(), Backend.model().designs());
    }

    @Test
    void exampleFilePassesOnEveryDesignOfTheModel() {
        int code = run(Backend.model(), "run", "--design", "all", "--check", "every", "examples/fork-cow.vms");
        assertEquals("", err);
        assertEquals(0, code, out);
        int designs = org.rmaplab.rmap.RmapDesigns.names().size();
        List<String> l = lines(out);
        assertEquals(designs + 1, l.size(), out);
        for (String d : org.rmaplab.rmap.RmapDesigns.names()) {
            assertTrue(l.contains("PASS examples/fork-cow.vms [" + d + "] (12 lines)"), out);
        }
        assertEquals(designs + " run" + (designs == 1 ? "" : "s") + ": " + designs + " passed, 0 failed",
                l.get(l.size() - 1));
    }
}
