package org.rmaplab.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.traces.StraceParser.Call;

/**
 * perf script traces recorded on the reference machine (Linux 6.18, perf 6.1) with the events of
 * {@code rmaplab trace record} (src/test/resources/perf: {@code tiny.perf} of tiny.c built with
 * gcc -O1, which maps 4 pages and writes two (the unused read of a third is compiled away), forks
 * a child that writes one, mprotects and munmaps;
 * {@code sh-ls-wc.perf} of {@code sh -c 'ls | wc'}): the reader, the conversion of the real faults,
 * and bad input.
 */
class PerfTraceTest {

    static String resource(String name) throws IOException {
        try (InputStream in = PerfTraceTest.class.getResourceAsStream("/perf/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static TraceConverter.Result convert(String name) throws IOException {
        return TraceConverter.convert(name, resource(name), TraceConverter.Options.DEFAULT);
    }

    @Test
    void perfTextIsRecognisedByContentAndStraceTextIsNot() throws IOException {
        assertTrue(PerfParser.looksLikePerf(resource("tiny.perf")));
        assertTrue(!PerfParser.looksLikePerf("100 brk(NULL) = 0x55a4eca0a000\n"));
        assertTrue(!PerfParser.looksLikePerf("execve(\"/bin/true\", [\"true\"], 0x0 /* 0 vars */) = 0\n"));
    }

    @Test
    void theReaderMakesTheStraceReadersCallsPlusFaults() throws IOException {
        List<Call> calls = PerfParser.parse("tiny.perf", resource("tiny.perf")).calls();
        // Line 3, PERF_RECORD_COMM exec of 22999: its execve.
        assertEquals(new Call(3, 22999, "execve", "", 0, null, false), calls.get(0));
        // Line 4, the stack execve made: an mmap with MAP_FIXED at its address, MAP_GROWSDOWN.
        Call stack = calls.get(1);
        assertEquals("mmap", stack.name());
        assertTrue(stack.args().contains("PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS|MAP_GROWSDOWN, -1, 0"),
                stack.args());
        // Lines 103-105: sys_enter_clone (clone_flags 0x01200011: CHILD_CLEARTID|CHILD_SETTID|SIGCHLD,
        // no CLONE_VM), the FORK record, sys_exit_clone 0x59d9 = 23001: a fork, at the exit's line.
        Call fork = calls.stream().filter(c -> c.name().equals("clone")).findFirst().orElseThrow();
        assertEquals(new Call(105, 22999, "clone", "flags=0", 23001, null, false), fork);
        // tiny.c's own mmap: mmap(NULL, 4 pages, rw, MAP_PRIVATE|MAP_ANONYMOUS) in strace's spelling.
        assertTrue(calls.stream().anyMatch(c -> c.name().equals("mmap")
                && c.args().equals("NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0")));
        // A file mmap names its file through the MMAP2 record inside it, as strace -y would.
        assertTrue(calls.stream().anyMatch(c -> c.name().equals("mmap")
                && c.args().contains(", 3</usr/lib/x86_64-linux-gnu/libc.so.6>, ")), "libc's fd");
        // grep -c page_fault_user tiny.perf: 74 faults; two EXIT records.
        assertEquals(74, calls.stream().filter(c -> c.name().equals("page_fault")).count());
        assertEquals(2, calls.stream().filter(c -> c.name().equals("+++")).count());
    }

    /**
     * tiny.perf's 74 faults by error code (grep page_fault_user | sort | uniq -c): 0x14 (instruction
     * fetch) 20, 0x4 (read) 16, 0x6 (write) 14, 0x7 (write, protection: COW) 24 — 38 writes, 36
     * reads. One of the reads is in [vdso] (line 30: address 0x7fcd4353d... of the [vdso] at
     * line 13), which the model does not have: 73 replayed, 38 writes and 35 reads.
     * sh-ls-wc.perf's 277: 0x14 82, 0x4 87, 0x6 62, 0x7 46 — 108 writes, 169 reads; 3 reads in
     * the [vdso] of sh, ls and wc: 274 replayed, 108 writes and 166 reads.
     */
    @Test
    void everyFaultIsReplayedOrNamedAndTheWriteReadSplitHolds() throws IOException {
        check(convert("tiny.perf"), 74, 38, 1);
        check(convert("sh-ls-wc.perf"), 277, 108, 3);
    }

    private static void check(TraceConverter.Result r, int faults, int writes, int vdso) {
        assertEquals(faults, r.count("faults"));
        assertEquals(writes, r.count("faults_writing"));
        assertEquals(vdso, r.count("faults_unplaced"));
        assertEquals(writes, r.count("replayed_writes"), "every write fault is replayed as a write");
        assertEquals(faults - writes - vdso, r.count("replayed_reads"), "every other read fault as a read");
        assertTrue(r.count("replayed_writes") + r.count("replayed_reads") >= 0.9 * faults, "at least 90% replayed");
        assertTrue(r.scenario().contains("\n# faults not replayed: " + vdso
                + " in [vdso] (the model has no special mappings) (first at trace:"), r.scenario());
        // Each replayed fault is one page of a write or touch line of its kind (a run of faults on
        // consecutive pages, one line: trace:FIRST-LAST).
        long w = 0;
        long t = 0;
        Pattern line = Pattern.compile("p\\d+ (write|touch) \\S+ (\\d+)p (?:0x[0-9a-f]+ )?expect ok   # trace:(\\d+)(?:-(\\d+))?");
        for (String l : r.scenario().split("\n")) {
            Matcher m = line.matcher(l);
            if (m.matches()) {
                int pages = Integer.parseInt(m.group(2));
                assertTrue(pages == 1 ? m.group(4) == null
                        : Integer.parseInt(m.group(4)) - Integer.parseInt(m.group(3)) >= pages - 1, l);
                if (m.group(1).equals("write")) {
                    w += pages;
                } else {
                    t += pages;
                }
            }
        }
        assertEquals(r.count("replayed_writes"), w);
        assertEquals(r.count("replayed_reads"), t);
        assertTrue(r.count("fault_write_lines") <= w && r.count("fault_touch_lines") <= t);
    }

    @Test
    void theConvertedTracesRunUnderEveryDesignWithTheOracle() throws IOException {
        for (String name : List.of("tiny.perf", "sh-ls-wc.perf")) {
            TraceConverter.Result conv = convert(name);
            // sh forks ls and wc (clone without CLONE_VM), each execs; tiny forks a child.
            assertEquals(name.equals("tiny.perf") ? 1 : 2, conv.count("forks"));
            assertEquals(name.equals("tiny.perf") ? 1 : 3, conv.count("execs"));
            Scenario sc = ScenarioParser.parse(name + ".vms", conv.scenario());
            for (String d : RmapDesigns.names()) {
                Machine k = new Machine(sc.machine(), RmapDesigns.create(d));
                CheckedSyscalls c = new CheckedSyscalls(k, CheckPolicy.EVERY);
                RunResult res = new ScenarioRunner((dd, m) -> c).run(sc, d);
                assertTrue(res.passed(), () -> name + " [" + d + "]: " + String.join("\n", res.report()));
                c.finish();
                assertEquals(1, k.mms().size(), "every traced task exited: only t1's mm is left");
            }
        }
    }

    @Test
    void theChildsWriteAfterForkIsACowOfTheParentsPage() throws IOException {
        String s = convert("tiny.perf").scenario();
        // tiny.c: p = mmap(4 pages) at line 99 is M8 (the 8th mapping the model places: the stack,
        // tiny, ld.so, ld.so.cache, libc and three anonymous ones of ld.so); the parent writes p[0] and
        // p[1 page]; the child, after the fork at line 105, writes p[0] again (line 117: error
        // code 0x7, a write on a present read-only page, the COW).
        assertTrue(s.contains("\np22999 mmap 0 4p rw private|anonymous as M8   # trace:99\n"), s);
        assertTrue(s.contains("\np22999 fork as p23001   # trace:105\n"), s);
        assertTrue(s.contains("\np23001 write M8 1p 0x18 expect ok   # trace:117\n"), s);
        // The parent's two writes (lines 100 and 101, pages 0 and 1 of p) are one line.
        assertTrue(s.contains("\np22999 write M8 2p 0x10 expect ok   # trace:100-101\n"), s);
        assertTrue(resource("tiny.perf").split("\n")[116].endsWith("error_code=0x7"));
    }

    @Test
    void badPerfInputIsFileLineWhatIsWrong() throws IOException {
        String tiny = resource("tiny.perf");
        String[] lines = tiny.split("\n");
        // Cut in the middle of a line.
        TraceError cut = assertThrows(TraceError.class, () -> TraceConverter.convert("t.perf",
                tiny.substring(0, tiny.length() - 10), TraceConverter.Options.DEFAULT));
        assertEquals("t.perf:" + lines.length + ": truncated: the trace ends in the middle of a line", cut.getMessage());
        // Cut at a line's end, before the traced program's EXIT (line 143, the last).
        String head = String.join("\n", List.of(lines).subList(0, 120)) + "\n";
        TraceError early = assertThrows(TraceError.class, () -> TraceConverter.convert("t.perf", head,
                TraceConverter.Options.DEFAULT));
        assertEquals("t.perf:120: truncated: the trace ends before the traced program (tid 22999) exits "
                + "(no PERF_RECORD_EXIT)", early.getMessage());
        // A line that is not an event, a malformed fault, a malformed FORK record.
        assertEquals("t.perf:5: not a perf script event line: hello",
                bad(lines, 5, "hello"));
        assertEquals("t.perf:17: malformed page_fault_user: address=0x7fcd zz",
                bad(lines, 17, "tiny 22999 [000] 17602.460198:    exceptions:page_fault_user: address=0x7fcd zz"));
        assertEquals("t.perf:104: malformed PERF_RECORD_FORK record: PERF_RECORD_FORK(23001):(22999:22999)",
                bad(lines, 104, "tiny 22999 [000] 17602.465808: PERF_RECORD_FORK(23001):(22999:22999)"));
        assertEquals("t.perf:104: tid 22999 enters mmap while clone (line 103) has not returned",
                bad(lines, 104, "tiny 22999 [000] 17602.465808: syscalls:sys_enter_mmap: addr: 0x0, len: 0x1000, "
                        + "prot: 0x3, flags: 0x22, fd: 0xffffffff, off: 0x0"));
    }

    private static String bad(String[] lines, int no, String replacement) {
        String[] l = lines.clone();
        l[no - 1] = replacement;
        String text = String.join("\n", l) + "\n";
        return assertThrows(TraceError.class, () -> TraceConverter.convert("t.perf", text,
                TraceConverter.Options.DEFAULT)).getMessage();
    }

    /** A tid that exited inside exit_group (which never returns) may be reused by a later fork. */
    @Test
    void aReusedTidIsANewTask() {
        String t = String.join("\n",
                "a 100 [000] 1.000001: PERF_RECORD_COMM exec: a:100/100",
                "a 100 [000] 1.000002:      syscalls:sys_enter_clone: clone_flags: 0x01200011, newsp: 0x0",
                "a 100 [000] 1.000003: PERF_RECORD_FORK(101:101):(100:100)",
                "a 100 [000] 1.000004:      syscalls:sys_exit_clone: 0x65",
                "a 101 [001] 1.000005:      syscalls:sys_exit_clone: 0x0",
                "a 101 [001] 1.000006: syscalls:sys_enter_exit_group: error_code: 0x00000000",
                "a 101 [001] 1.000007: PERF_RECORD_EXIT(101:101):(100:100)",
                "a 100 [000] 1.000008:      syscalls:sys_enter_clone: clone_flags: 0x01200011, newsp: 0x0",
                "a 100 [000] 1.000009: PERF_RECORD_FORK(101:101):(100:100)",
                "a 100 [000] 1.000010:      syscalls:sys_exit_clone: 0x65",
                "a 101 [001] 1.000011:      syscalls:sys_exit_clone: 0x0",
                "a 101 [001] 1.000012: PERF_RECORD_EXIT(101:101):(100:100)",
                "a 100 [000] 1.000013: PERF_RECORD_EXIT(100:100):(99:99)") + "\n";
        TraceConverter.Result r = TraceConverter.convert("t.perf", t, TraceConverter.Options.DEFAULT);
        assertEquals("t1 fork as p100\np100 exec\np100 fork as p101\np101 exit\np100 fork as p101_2\np101_2 exit\n"
                + "p100 exit\n", TraceConverterTest.body(r));
        runsEverywhere(r);
    }

    private static void runsEverywhere(TraceConverter.Result r) {
        TraceConverterTest.runsEverywhere(r);
    }

    @Test
    void anUnknownEventIsSkippedAndCountedNeverFatal() throws IOException {
        String tiny = resource("tiny.perf");
        int at = tiny.indexOf('\n', tiny.indexOf("PERF_RECORD_COMM exec")) + 1;
        String text = tiny.substring(0, at)
                + "            tiny 22999 [000] 17602.459700: sched:sched_switch: prev_comm=tiny prev_pid=22999\n"
                + "            tiny 22999 [000] 17602.459701: PERF_RECORD_LOST lost 3\n"
                + tiny.substring(at);
        TraceConverter.Result r = TraceConverter.convert("t.perf", text, TraceConverter.Options.DEFAULT);
        assertTrue(r.scenario().contains("# perf events skipped: {PERF_RECORD_COMM=1, PERF_RECORD_LOST=1, "
                + "PERF_RECORD_MMAP=1, sched:sched_switch=1, sys_exit without its sys_enter=2}\n"), r.scenario());
        assertEquals(74, r.count("faults"));
    }
}
