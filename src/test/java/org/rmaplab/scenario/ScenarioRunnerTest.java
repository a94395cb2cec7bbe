package org.rmaplab.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Syscalls;

class ScenarioRunnerTest {

    final List<FakeSyscalls> made = new ArrayList<>();
    final List<MachineConfig> machines = new ArrayList<>();
    final ScenarioRunner runner = new ScenarioRunner((design, machine) -> {
        machines.add(machine);
        FakeSyscalls f = new FakeSyscalls();
        made.add(f);
        return f;
    });

    static Scenario sc(String... lines) {
        return ScenarioParser.parse("r.vms", String.join("\n", lines));
    }

    RunResult run(String... lines) {
        return runner.run(sc(lines), "anon_vma_chain");
    }

    static List<String> actuals(RunResult r) {
        return r.outcomes().stream().map(RunResult.LineOutcome::actual).toList();
    }

    @Test
    void theExampleFilePassesOnTheFake() throws Exception {
        Scenario s = ScenarioParser.parseFile(Path.of("examples/fork-cow.vms"));
        RunResult r = runner.run(s, "anon_vma_chain");
        assertEquals(List.of(), r.failures());
        assertTrue(r.passed());
        assertEquals(List.of("PASS examples/fork-cow.vms [anon_vma_chain] (12 lines)"), r.report());
        assertEquals(12, r.outcomes().size());
    }

    @Test
    void canonicalResultsOfEveryKind() {
        RunResult r = run(
                "t1 mmap 0 4p rw private|anonymous as A",   // address, hex
                "t1 write A 2p 0xA1",                       // access ok: 0
                "t1 read A",                                // value, hex
                "t1 read A 4p",                             // MIXED
                "t1 read A+4p",                             // SEGV
                "t1 munmap A+1 1p",                         // errno
                "t1 munmap A+3p 1p",                        // status 0
                "t1 vmas A 16p",                            // count, decimal
                "t1 vma A",                                 // vma
                "t1 vma A+3p",                              // none
                "t1 fork as t2",                            // task: ok
                "t1 brk 0",                                 // address
                "check");                                   // ok
        assertEquals(List.of(
                "0x7effffffc000", "0", "0xa1", "MIXED", "SEGV", "EINVAL", "0", "1",
                "0x7effffffc000..0x7efffffff000 rw-p", "none", "ok", "0x555555559000", "ok"), actuals(r));
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13),
                r.outcomes().stream().map(RunResult.LineOutcome::line).toList());
        assertTrue(r.passed(), "no expectations, no failures: " + r.failures());
    }

    @Test
    void allExpectationsThatHold() {
        RunResult r = run(
                "t1 mmap 0 4p rw private|anonymous as A expect 0x7effffffc000",
                "t1 write A 4p 7 expect 0",
                "t1 write A 1p 9 expect ok",
                "t1 read A expect 9",
                "t1 read A+1p 3p expect 7",
                "t1 read A 2p expect MIXED",
                "t1 read A expect ok",
                "t1 read A+8p expect SEGV",
                "t1 touch A+8p 1p expect SEGV",
                "t1 mprotect A 1p r expect 0",
                "t1 write A 1p 1 expect SEGV",
                "t1 vmas A 4p expect 2",
                "t1 vma A+1p expect A+1p..A+4p rw-p",
                "t1 vma A expect A..A+1p r--p",
                "t1 vma 0 expect none",
                "t1 munmap A+1 1p expect EINVAL",
                "t1 mremap A 4p 8p 0 expect EFAULT",              // A..A+4p is two vmas now
                "t1 mmap A-2p 1p r private|anonymous|fixed_noreplace expect A-2p",
                "t1 mmap A 1p r private|anonymous|fixed_noreplace expect EEXIST",
                "t1 brk 0 expect 0x555555559000",
                "t1 fork as t2 expect ok",
                "check expect ok");
        assertEquals(List.of(), r.failures());
    }

    @Test
    void failedExpectationsAreReportedAndTheRunGoesOn() {
        RunResult r = run(
                "t1 mmap 0 4p rw private|anonymous as A",
                "t1 write A 4p 0xA1",
                "t1 read A expect 0xB2",
                "t1 read A expect A",
                "t1 read A+8p expect 0",
                "t1 munmap A 1p expect EINVAL",
                "t1 munmap A+1 1p expect ok",
                "t1 vmas A 4p expect 2",
                "t1 vma A+1p expect A..A+4p rw-p",
                "t1 vma A+1p expect none",
                "t1 vma A expect A..A+1p rw-p",
                "t1 read A+1p 2p expect MIXED",
                "t1 write A+1p 1p 5 expect SEGV",
                "t1 read A+2p 2p expect 0xA1",
                "t1 mremap A+1p 3p 6p maymove as B expect A");
        assertFalse(r.passed());
        assertEquals(List.of(
                "r.vms:3: [anon_vma_chain] expected 0xb2, got 0xa1",
                "r.vms:4: [anon_vma_chain] expected A = 0x7effffffc000, got 0xa1",
                "r.vms:5: [anon_vma_chain] expected 0x0, got SEGV",
                "r.vms:6: [anon_vma_chain] expected EINVAL, got 0",
                "r.vms:7: [anon_vma_chain] expected ok, got EINVAL",
                "r.vms:8: [anon_vma_chain] expected 2, got 1",
                "r.vms:9: [anon_vma_chain] expected 0x7effffffc000..0x7f0000000000 rw-p, got 0x7effffffd000..0x7f0000000000 rw-p",
                "r.vms:10: [anon_vma_chain] expected none, got 0x7effffffd000..0x7f0000000000 rw-p",
                "r.vms:11: [anon_vma_chain] expected 0x7effffffc000..0x7effffffd000 rw-p, got none",
                "r.vms:12: [anon_vma_chain] expected MIXED, got 0xa1",
                "r.vms:13: [anon_vma_chain] expected SEGV, got 0",
                "r.vms:15: [anon_vma_chain] expected A = 0x7effffffc000, got 0x7effffffd000"), r.report());
        assertEquals(15, r.outcomes().size(), "every line ran");
        assertFalse(r.invariantViolated());
    }

    @Test
    void scopedExpectationsApplyToTheirDesignsOnly() {
        Scenario s = sc(
                "t1 mmap 0 2p rw private|anonymous as A",
                "t1 vmas A 2p expect 1 expect:anon_vma,pte_chains 2",
                "t1 vmas A 2p expect:lokier 3");
        assertTrue(runner.run(s, "anon_vma_chain").passed());
        assertTrue(runner.run(s, "anonmm").passed());
        assertEquals(List.of("r.vms:2: [anon_vma] expected 2, got 1"), runner.run(s, "anon_vma").report());
        assertEquals(List.of("r.vms:2: [pte_chains] expected 2, got 1"), runner.run(s, "pte_chains").report());
        assertEquals(List.of("r.vms:3: [lokier] expected 3, got 1"), runner.run(s, "lokier").report());
        assertEquals(5, made.size(), "a fresh machine per run");
    }

    @Test
    void theMachineLineReachesTheFactory() {
        run("machine ram=64M", "t1 brk 0");
        run("t1 brk 0");
        assertEquals(List.of(new MachineConfig(64L << 20, 0, "x86_64"), MachineConfig.defaults()), machines);
    }

    @Test
    void forkAndCloneBindTasks() {
        RunResult r = run(
                "t1 mmap 0 1p rw private|anonymous as A",
                "t1 write A 1p 1",
                "t1 fork as child",
                "t1 clone as thread",
                "child write A 1p 2",
                "thread write A 1p 3",
                "t1 read A expect 3",
                "child read A expect 2",
                "child exec",
                "child read A expect SEGV",
                "thread read A expect 3");
        assertEquals(List.of(), r.failures());
    }

    @Test
    void bindingsFollowTheLatestCall() {
        RunResult r = run(
                "t1 mmap 0 1p rw private|anonymous as A",
                "t1 write A 1p 0x11",
                "t1 mremap A 1p 2p maymove as A",
                "t1 read A expect 0x11",
                "t1 read A 0 as V",
                "t1 write A+1p 1p V",
                "t1 read A+1p expect 0x11",
                "t1 vmas 0 0x7fffffffffff as N",
                "t1 read A expect N+0x10");
        assertEquals(List.of(), r.failures());
    }

    @Test
    void aFailedCallLeavesItsNameUnbound() {
        ScenarioError e = assertThrows(ScenarioError.class, () -> run(
                "t1 mmap 0 0 rw private|anonymous as A",
                "t1 read A"));
        assertEquals("r.vms:2: 'A' is unbound: the call at line 1 that binds it failed", e.getMessage());

        e = assertThrows(ScenarioError.class, () -> run(
                "t1 mmap 0 1p r private|anonymous as A",
                "t1 read A+1p as V",
                "t1 write A 1p V"));
        assertEquals("r.vms:3: 'V' is unbound: the call at line 2 that binds it failed", e.getMessage());

        e = assertThrows(ScenarioError.class, () -> run(
                "t1 mmap 0 2p rw private|anonymous as A",
                "t1 write A 1p 1",
                "t1 read A 2p as V expect MIXED",
                "t1 read A expect V"));
        assertEquals("r.vms:4: 'V' is unbound: the call at line 3 that binds it failed", e.getMessage());
    }

    @Test
    void aFailedCallWithAnExpectationAlsoLeavesItUnbound() {
        ScenarioError e = assertThrows(ScenarioError.class, () -> run(
                "t1 mmap 0 1p rw private|anonymous as A",
                "t1 mmap A 1p rw private|anonymous|fixed_noreplace as B expect EEXIST",
                "t1 munmap B 1p"));
        assertEquals("r.vms:3: 'B' is unbound: the call at line 2 that binds it failed", e.getMessage());
    }

    @Test
    void aLaterSuccessRebindsAFailedName() {
        RunResult r = run(
                "t1 mmap 0 0 rw private|anonymous as A",
                "t1 mmap 0 1p rw private|anonymous as A",
                "t1 read A expect 0");
        assertTrue(r.passed());
    }

    @Test
    void anExitedTaskCannotBeUsed() {
        ScenarioError e = assertThrows(ScenarioError.class, () -> run(
                "t1 fork as t2",
                "t2 exit expect 0",
                "t2 brk 0"));
        assertEquals("r.vms:3: task 't2' has exited (line 2)", e.getMessage());
        FakeSyscalls f = made.get(made.size() - 1);
        assertEquals(List.of("initTask", "fork", "exit"), f.calls, "the runner stopped before calling the model");

        RunResult r = run("t1 fork as t2", "t2 exit", "t1 fork as t2", "t2 brk 0 expect 0x555555559000");
        assertTrue(r.passed(), "a name can be bound again to a new task");
    }

    @Test
    void invariantViolationIsAFailureThatEndsTheRun() {
        RunResult r = run(
                "t1 mmap 0 1p rw private|anonymous as A",
                "t1 write A 1p 0xDEAD",
                "t1 read A expect 7");
        assertEquals(List.of("r.vms:2: [anon_vma_chain] invariant violated: poisoned value written at 0x7efffffff000"),
                r.report());
        assertTrue(r.invariantViolated());
        assertEquals(1, r.outcomes().size(), "line 3 did not run");
    }

    @Test
    void checkIsANoOpOnAnUncheckedSyscalls() {
        RunResult r = run("check", "check expect ok");
        assertTrue(r.passed());
        assertEquals(List.of("ok", "ok"), actuals(r));
    }

    @Test
    void fileOperationsReachTheSyscallsWithTheFileNumberAndByteOffset() {
        RunResult r = run("t1 open data 4p as F", "t1 ftruncate F 2p expect ENOSYS",
                "t1 mmap 0 4p rw shared F 1p expect ENOSYS", "t1 remap_file_pages 0 1p 3 expect ENOSYS");
        assertTrue(r.passed(), () -> String.join("\n", r.report()));
        assertEquals(List.of("ok", "ENOSYS", "ENOSYS", "ENOSYS"), actuals(r));
        assertEquals(List.of("open data 16384", "ftruncate 7 8192", "mmap file 7 off 4096",
                "remap_file_pages 0 4096 0 3 0"), made.get(0).calls.subList(made.get(0).calls.size() - 4,
                made.get(0).calls.size()));
    }

    @Test
    void madviseOtherThanPageoutRuns() {
        RunResult r = run(
                "t1 mmap 0 2p rw private|anonymous as A",
                "t1 write A 2p 5",
                "t1 madvise A 1p dontneed expect 0",
                "t1 read A expect 0",
                "t1 read A+1p expect 5");
        assertEquals(List.of(), r.failures());
    }

    @Test
    void aModelExceptionIsAModelErrorWithItsLocation() {
        IllegalStateException boom = new IllegalStateException("boom");
        ScenarioRunner bad = new ScenarioRunner((d, m) -> new FakeSyscalls() {
            @Override
            public long brk(org.rmaplab.mm.Task t, long addr) {
                throw boom;
            }
        });
        ModelError e = assertThrows(ModelError.class, () -> bad.run(sc("t1 fork as t2", "", "t2 brk 0"), "anonmm"));
        assertEquals("r.vms", e.file());
        assertEquals(3, e.line());
        assertEquals("anonmm", e.design());
        assertSame(boom, e.getCause());

        ScenarioRunner badFactory = new ScenarioRunner((d, m) -> {
            throw new UnsupportedOperationException("no kernel");
        });
        ModelError e2 = assertThrows(ModelError.class, () -> badFactory.run(sc("t1 brk 0"), "anonmm"));
        assertEquals(0, e2.line());
        assertInstanceOf(UnsupportedOperationException.class, e2.getCause());
    }

    @Test
    void aBadAccessCodeIsAModelError() {
        ScenarioRunner bad = new ScenarioRunner((d, m) -> new FakeSyscalls() {
            @Override
            public int touch(org.rmaplab.mm.Task t, long addr, long len) {
                return 7;
            }
        });
        ModelError e = assertThrows(ModelError.class, () -> bad.run(sc("t1 touch 0 1p"), "x"));
        assertTrue(e.getCause().getMessage().contains("access returned 7"), e.getCause().getMessage());
    }

    @Test
    void forkReturningNullIsAFailedFork() {
        ScenarioRunner noFork = new ScenarioRunner((d, m) -> new FakeSyscalls() {
            @Override
            public org.rmaplab.mm.Task fork(org.rmaplab.mm.Task t) {
                return null;
            }
        });
        RunResult r = noFork.run(sc("t1 fork as t2 expect ok"), "x");
        assertEquals(List.of("r.vms:1: [x] expected ok, got ENOMEM"), r.report());
        ScenarioError e = assertThrows(ScenarioError.class,
                () -> noFork.run(sc("t1 fork as t2", "t2 brk 0"), "x"));
        assertEquals("r.vms:2: 't2' is unbound: the call at line 1 that binds it failed", e.getMessage());
    }

    @Test
    void readWithoutLenAsksForOnePage() {
        List<Long> lens = new ArrayList<>();
        ScenarioRunner spy = new ScenarioRunner((d, m) -> new FakeSyscalls() {
            @Override
            public int read(org.rmaplab.mm.Task t, long addr, long len, Syscalls.ReadResult out) {
                lens.add(len);
                return super.read(t, addr, len, out);
            }
        });
        spy.run(sc("t1 mmap 0 2p r private|anonymous as A", "t1 read A", "t1 read A 2p"), "x");
        assertEquals(List.of(0L, 8192L), lens);
    }

    @Test
    void emptyScenarioPasses() {
        RunResult r = run("# nothing");
        assertEquals(List.of("PASS r.vms [anon_vma_chain] (0 lines)"), r.report());
    }

    /** A session runs the lines an incremental parser gives it, one at a time, as run runs a file. */
    @Test
    void aSessionRunsLineByLineAsRunDoes() {
        String[] lines = {"# a comment", "t1 mmap 0 4p rw private|anonymous as A", "t1 write A 2p 0xA1", "t1 read A",
            "t1 munmap A+1 1p", "t1 fork as t2", "t2 read A+1p", "t2 exit", "check"};
        ScenarioParser p = ScenarioParser.incremental("s.vms");
        FakeSyscalls f = new FakeSyscalls();
        ScenarioRunner.Session session = new ScenarioRunner.Session("s.vms", "anon_vma_chain", f);
        List<String> results = new ArrayList<>();
        for (String line : lines) {
            Statement st = p.next(line);
            if (st != null) {
                results.add(session.step(st));
                if (st.op() == Op.FORK) {
                    assertTrue(session.task("t2") != null, "t2 is bound");
                }
            }
        }
        assertEquals(actuals(run(lines)), results);
        assertFalse(session.failed());
        assertEquals(null, session.task("t2"), "t2 exited");
        assertEquals(null, p.next("# only a comment"));
        assertThrows(ScenarioError.class, () -> p.next("t3 read A"));
    }

    /** maps: the count of the task's lines is the result, the lines go with the outcome; no text elsewhere. */
    @Test
    void mapsGivesTheLineCountAndKeepsTheLines() {
        RunResult r = run("t1 maps expect 0", "t1 mmap 0x10000 2p rw private|anonymous|fixed as A",
                "t1 mmap 0x20000 1p r shared|anonymous|fixed", "t1 fork as t2", "t2 maps expect 2", "t1 maps expect 3");
        assertEquals(List.of("t1 maps expect 3: expected 3, got 2"), r.failures().stream()
                .map(f -> "t1 maps expect 3: " + f.message()).toList());
        assertEquals(List.of("0", "0x10000", "0x20000", "ok", "2", "2"), actuals(r));
        // FakeSyscalls prints START-END PERMS per vma.
        assertEquals(List.of("10000-12000 rw-p", "20000-21000 r--s"), r.outcomes().get(4).text());
        assertEquals(List.of(), r.outcomes().get(0).text());
        assertEquals(List.of(), r.outcomes().get(1).text());
        assertTrue(made.get(0).calls.contains("maps"));
    }
}
