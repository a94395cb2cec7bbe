package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** rmaplab trace record: what it asks perf for, its errors, and (where perf may run) a real recording. */
class TraceRecordCommandTest extends CliTest {

    @Test
    void theEventsAreTheFaultsAndEveryConvertedCallsEnterAndExit() {
        String e = String.join(" ", TraceRecordCommand.events());
        assertTrue(e.startsWith("-e exceptions:page_fault_user -e syscalls:sys_enter_mmap -e syscalls:sys_exit_mmap "), e);
        for (String c : new String[] {"munmap", "mremap", "mprotect", "brk", "madvise", "mlock", "munlock", "clone3",
            "vfork", "execve", "exit_group"}) {
            assertTrue(e.contains("-e syscalls:sys_enter_" + c + " -e syscalls:sys_exit_" + c), c);
        }
    }

    @Test
    void paranoidForbidsTracepointsToNonRootAboveMinusOne() {
        assertNull(TraceRecordCommand.forbidden(0, 2), "root may");
        assertNull(TraceRecordCommand.forbidden(1000, -1), "anyone may at -1");
        assertEquals("rmaplab: perf_event_paranoid is 2, which forbids tracepoints to non-root users: run as root, "
                + "or `sudo sysctl kernel.perf_event_paranoid=-1`", TraceRecordCommand.forbidden(1000, 2));
        assertTrue(TraceRecordCommand.forbidden(1000, 0) != null);
    }

    @Test
    void missingPerfIsOneLineExit2AndNoFile() throws IOException {
        Path out = dir.resolve("x.perf");
        assertEquals(2, run("trace", "record", "--perf", dir.resolve("no-perf").toString(), "-o", out.toString(), "--",
                "/bin/true"));
        assertTrue(err.startsWith("rmaplab: cannot run " + dir.resolve("no-perf") + " (") && err.endsWith(
                "): install perf (Debian: linux-perf; Fedora: perf) or set PERF to its path\n"), err);
        assertEquals(1, err.split("\n").length);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(0, s.count(), "nothing written, no temporary file left");
        }
    }

    /** Only where perf runs and may record tracepoints (root here): /bin/true, recorded and converted. */
    @Test
    void recordsARealProgramThatConvertsAndRuns() throws IOException {
        assumeTrue(perfMayRecord(), "perf is missing or may not record tracepoints here");
        Path out = dir.resolve("true.perf");
        assertEquals(0, run("trace", "record", "-o", out.toString(), "--", "/bin/true"), err);
        assertTrue(err.contains("rmaplab: recorded /bin/true (exit status 0) into " + out), err);
        String text = Files.readString(out);
        assertTrue(text.contains("PERF_RECORD_COMM exec: true:"), "the exec");
        assertTrue(text.contains("exceptions:page_fault_user: address="), "the faults");
        assertTrue(text.contains("PERF_RECORD_MMAP2 ") && text.contains("[stack]"), "the mappings execve made (-d)");
        Path vms = dir.resolve("true.vms");
        assertEquals(0, run("trace", "convert", out.toString(), "--out", vms.toString()), err);
        assertEquals(0, run("run", "--design", "all", "--check", "every", vms.toString()), out + err);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(2, s.count(), "the trace and the scenario, no temporary file left");
        }
    }

    /** A perf trace cut short, plain or gzip'd: one line FILE:LINE, exit 2, nothing written. */
    @Test
    void aTruncatedPerfTraceIsOneLineExit2AndNoFile() throws IOException {
        String tiny;
        try (java.io.InputStream in = getClass().getResourceAsStream("/perf/tiny.perf")) {
            tiny = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Path t = write("cut.perf", tiny.substring(0, tiny.length() - 10));
        Path vms = dir.resolve("cut.vms");
        assertEquals(2, run("trace", "convert", t.toString(), "--out", vms.toString()));
        assertEquals(t + ":143: truncated: the trace ends in the middle of a line\n", err);
        assertFalse(Files.exists(vms));
        Path gz = dir.resolve("tiny.perf.gz");
        try (java.io.OutputStream o = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(tiny.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        assertEquals(0, run("trace", "convert", gz.toString(), "--out", vms.toString()), err);
        assertTrue(Files.readString(vms).contains("\n# {brk=1, execs=1, exits=2, fault_touch_lines=35, "
                + "fault_write_lines=33, faults=74, "), "gzip is read");
        Files.delete(vms);
        byte[] b = Files.readAllBytes(gz);
        Files.write(gz, java.util.Arrays.copyOf(b, b.length / 2));
        assertEquals(2, run("trace", "convert", gz.toString(), "--out", vms.toString()));
        assertTrue(err.startsWith("rmaplab: " + gz + ": cannot read: ") && err.split("\n").length == 1, err);
        assertFalse(Files.exists(vms));
    }

    /** run and compare take a trace and convert it on the fly, named FILE.vms in reports. */
    @Test
    void runAndCompareTakeATraceDirectly() throws IOException {
        String tiny;
        try (java.io.InputStream in = getClass().getResourceAsStream("/perf/tiny.perf")) {
            tiny = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Path t = write("tiny.perf", tiny);
        assertEquals(0, run("run", "--design", "all", t.toString()), out + err);
        assertTrue(out.startsWith("PASS " + t + ".vms [anon_vma_chain] ("), out);
        assertTrue(out.endsWith("5 runs: 5 passed, 0 failed\n"), out);
        assertEquals(0, run("compare", t.toString()), err);
        assertTrue(out.startsWith("metric ") && out.contains(" anon_vma_chain ") && out.contains(" lokier\n"), out);
        Path s = write("x.strace", TraceCommandTest.TRACE);
        assertEquals(0, run("run", s.toString()), out + err);
        assertEquals("PASS " + s + ".vms [anon_vma_chain] (5 lines)\n1 run: 1 passed, 0 failed\n", out);
        Path cut = write("cut.perf", tiny.substring(0, tiny.length() - 10));
        assertEquals(2, run("run", cut.toString()));
        assertEquals(cut + ":143: truncated: the trace ends in the middle of a line\n", err);
        assertEquals(2, run("compare", cut.toString()));
        assertEquals(cut + ":143: truncated: the trace ends in the middle of a line\n", err);
    }

    /**
     * Every converted perf trace agrees with the kernel, line by line, under every design; python3-fork,
     * make-gcc and jvm make anonymous mappings of a multiple of 2 MiB, which the kernel THP-aligns, and
     * agree only because the harness's guard ends where the model's does modulo 2 MiB (vmsh.c,
     * task_setup_memory()): with ASLR they diverged at random. Run three times, as ASLR differs each time.
     */
    @Test
    void diffOfConvertedPerfTracesAgreesWithTheKernel() throws IOException {
        org.rmaplab.harness.KernelAvailable.kernel();
        for (String name : org.rmaplab.traces.Traces.PERF_NAMES) {
            Path vms = dir.resolve(name + ".vms");
            assertEquals(0, run("trace", "convert", org.rmaplab.traces.Traces.perfPath(name), "--out", vms.toString()),
                    err);
            int times = name.equals("python3-fork") || name.equals("make-gcc") ? 3 : 1;
            for (int i = 0; i < times; i++) {
                assertEquals(0, run("diff", "--design", "all", vms.toString()), name + ": " + out + err);
                assertTrue(out.endsWith("5 runs: 5 same, 0 diverged\n"), out);
            }
        }
    }

    static boolean perfMayRecord() {
        try {
            Process p = new ProcessBuilder("perf", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                return false;
            }
            String status = Files.readString(Path.of("/proc/self/status"));
            boolean root = status.lines().anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[2].equals("0"));
            int paranoid = Integer.parseInt(Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).strip());
            return TraceRecordCommand.forbidden(root ? 0 : 1, paranoid) == null;
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return false;
        }
    }
}
