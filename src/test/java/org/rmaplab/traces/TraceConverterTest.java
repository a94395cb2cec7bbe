package org.rmaplab.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

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

/** The strace reader and the converter on small hand-written traces, line by line. */
class TraceConverterTest {

    static String body(TraceConverter.Result r) {
        StringBuilder b = new StringBuilder();
        for (String l : r.scenario().split("\n")) {
            if (!l.startsWith("# ") && !l.startsWith("machine ")) { // the header's comments and machine line
                b.append(l.replaceAll("\\s+#.*$", "")).append('\n');
            }
        }
        return b.toString();
    }

    static TraceConverter.Result convert(String trace) {
        return TraceConverter.convert("t.strace", trace, TraceConverter.Options.DEFAULT);
    }

    static void runsEverywhere(TraceConverter.Result r) {
        Scenario sc = ScenarioParser.parse("t.vms", r.scenario());
        for (String d : RmapDesigns.names()) {
            RunResult res = new ScenarioRunner((dd, m) -> new CheckedSyscalls(new Machine(m, RmapDesigns.create(dd)),
                    CheckPolicy.EVERY)).run(sc, d);
            assertTrue(res.passed(), () -> d + ": " + String.join("\n", res.report()));
        }
    }

    @Test
    void theThreeLineFormsParse() {
        // -o FILE (pid first), stderr ([pid N]), no pid; timestamps -t, -tt, -ttt; -T durations.
        List<Call> c = StraceParser.parse("x", String.join("\n",
                "100   02:14:41 brk(NULL) = 0x55a4eca0a000",
                "[pid   101] 02:14:41.452719 munmap(0x7f0000000000, 8192) = 0 <0.000012>",
                "1700000000.123456 mprotect(0x7f0000000000, 4096, PROT_READ) = -1 ENOMEM (Cannot allocate memory)",
                "--- SIGCHLD {si_signo=SIGCHLD} ---",
                "strace: Process 102 attached",
                "100 wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 101",
                "100 exit_group(0)                     = ?",
                "100 +++ exited with 0 +++"));
        assertEquals(5, c.size());
        assertEquals(100, c.get(0).pid());
        assertEquals(0x55a4eca0a000L, c.get(0).result());
        assertEquals(101, c.get(1).pid());
        assertEquals("munmap", c.get(1).name());
        assertEquals(100, c.get(2).pid(), "an unprefixed line is the only live task's");
        assertEquals("ENOMEM", c.get(2).errno());
        assertTrue(c.get(3).noReturn());
        assertEquals("+++", c.get(4).name());
    }

    @Test
    void unfinishedCallsCompleteAtTheirResumedLine() {
        List<Call> c = StraceParser.parse("x", String.join("\n",
                "7 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>",
                "8 brk(NULL) = 0x1000",
                "7 <... mmap resumed>) = 0x7f0000000000"));
        assertEquals(List.of("brk", "mmap"), c.stream().map(Call::name).toList());
        assertEquals(3, c.get(1).line());
        assertEquals("NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0", c.get(1).args());
    }

    @Test
    void badLinesAreFileLineErrors() {
        TraceError e = assertThrows(TraceError.class, () -> StraceParser.parse("x.strace", "1 brk(NULL) = 0x1000\nhello world\n"));
        assertEquals("x.strace:2: not an strace line: hello world", e.getMessage());
        e = assertThrows(TraceError.class, () -> StraceParser.parse("x.strace", "5 <... mmap resumed>) = 0x1000\n"));
        assertEquals("x.strace:1: 'mmap resumed' without an unfinished mmap call of pid 5", e.getMessage());
        e = assertThrows(TraceError.class, () -> convert("1 execve(\"/bin/x\", [], 0x0) = 0\n1 mmap(NULL, 4096, PROT_BOGUS, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n"));
        assertEquals("t.strace:2: mmap: unknown protection PROT_BOGUS", e.getMessage());
        e = assertThrows(TraceError.class, () -> convert("1 execve(\"/bin/x\", [], 0x0) = 0\n2 brk(NULL) = 0x1000\n"));
        assertEquals("t.strace:2: pid 2 appears, but no traced fork, vfork or clone returned it", e.getMessage());
    }

    /** The kernel's addresses become names and offsets from the mapping that holds them. */
    @Test
    void addressesAreRelativeToTheirMapping() {
        TraceConverter.Result r = convert(String.join("\n",
                "1 execve(\"/bin/x\", [\"x\"], 0x7ffd /* 3 vars */) = 0",
                "1 brk(NULL) = 0x555555600000",
                "1 brk(0x555555621000) = 0x555555621000",
                "1 mmap(NULL, 1974096, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3, 0) = 0x7f6907d4b000",
                "1 mmap(0x7f6907d71000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7f6907d71000",
                "1 mmap(0x7f6907f20000, 53072, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x7f6907f20000",
                "1 mprotect(0x55a4e8bf2000, 8192, PROT_READ) = 0",
                "1 munmap(0x7f6907d4b000, 8192) = 0",
                "1 mprotect(0x7f6907d4b000, 16384, PROT_READ) = -1 ENOMEM (Cannot allocate memory)",
                "1 mmap(NULL, 12288, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
                "1 mprotect(0x7f0000001000, 4096, PROT_READ|PROT_WRITE) = 0",
                "1 mremap(0x7f0000001000, 4096, 8192, MREMAP_MAYMOVE) = 0x7e0000000000",
                "1 munmap(0x7e0000000000, 8192) = 0",
                "1 exit_group(0) = ?",
                "1 +++ exited with 0 +++", ""));
        assertEquals(String.join("\n",
                "t1 fork as p1",
                "p1 exec",
                "p1 brk 0 as H1",
                "p1 brk H1+33p expect H1+33p",
                "p1 write H1 33p 0x1 expect ok",
                "p1 mmap 0 1974096 r private|denywrite|anonymous as M1",
                "p1 mmap M1+38p 342p rx private|fixed|denywrite|anonymous expect M1+38p",
                "p1 mmap M1+469p 53072 rw private|fixed|anonymous expect M1+469p",
                "p1 write M1+469p 13p 0x2 expect ok",
                "p1 munmap M1 2p expect ok",
                "p1 mprotect M1 4p r expect ENOMEM",
                "p1 mmap 0 3p none private|anonymous as M2",
                "p1 mprotect M2+1p 1p rw expect ok",
                "p1 write M2+1p 1p 0x3 expect ok",
                "p1 mremap M2+1p 1p 2p maymove as M3",
                "p1 write M3+1p 1p 0x4 expect ok",
                "p1 munmap M3 2p expect ok",
                "p1 exit", ""), body(r));
        assertTrue(r.scenario().contains("# trace:7 mprotect: mprotect outside the traced mappings: skipped"));
        assertEquals(1, r.count("skipped"));
        // fd 3 was never opened in this trace: its mappings are anonymous (--files file, the default).
        assertEquals(2, r.count("files_unknown_as_anon"));
        assertTrue(r.scenario().contains("# fd 3 not opened in the trace: anonymous"));
        runsEverywhere(r);
    }

    /**
     * Children appear before their parent's clone returns (buffered until it does); vfork children
     * start from the empty t1; a thread is a clone; exit_group ends the whole thread group.
     */
    @Test
    void tasksForksVforksThreads() {
        String trace = String.join("\n",
                "10 execve(\"/bin/sh\", [\"sh\"], 0x7ffd /* 3 vars */) = 0",
                "10 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000",
                "10 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD <unfinished ...>",
                "11 munmap(0x7f0000000000, 4096) = 0",
                "10 <... clone resumed>, child_tidptr=0x7f0) = 11",
                "11 execve(\"/bin/ls\", [\"ls\"], 0x55 /* 3 vars */) = -1 ENOENT (No such file or directory)",
                "11 execve(\"/usr/bin/ls\", [\"ls\"], 0x55 /* 3 vars */) = 0",
                "11 exit_group(0) = ?",
                "11 +++ exited with 0 +++",
                "10 clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f4, stack_size=0x9000}, 88 <unfinished ...>",
                "12 execve(\"/usr/bin/cc\", [\"cc\"], 0x56 /* 38 vars */ <unfinished ...>",
                "10 <... clone3 resumed>) = 12",
                "12 <... execve resumed>) = 0",
                "12 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f1000000000",
                "12 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, child_tid=0x7f, parent_tid=0x7f, exit_signal=0, stack=0x7f, stack_size=0x7fff80, tls=0x7f} => {parent_tid=[13]}, 88) = 13",
                "13 munmap(0x7f1000000000, 4096) = 0",
                "12 exit_group(0) = ?",
                "13 +++ exited with 0 +++",
                "12 +++ exited with 0 +++",
                "10 vfork() = -1 EAGAIN (Resource temporarily unavailable)",
                "10 exit_group(0) = ?",
                "10 +++ exited with 0 +++", "");
        TraceConverter.Result r = convert(trace);
        assertEquals(String.join("\n",
                "t1 fork as p10",
                "p10 exec",
                "p10 mmap 0 2p rw private|anonymous as M1",
                "p10 write M1 2p 0x1 expect ok",
                "p10 fork as p11",
                "p11 munmap M1 1p expect ok",
                "p11 exec",
                "p11 exit",
                "t1 fork as p12",
                "p12 exec",
                "p12 mmap 0 1p rw private|anonymous as M2",
                "p12 write M2 1p 0x2 expect ok",
                "p12 clone as p13",
                "p13 munmap M2 1p expect ok",
                "p13 exit",
                "p12 exit",
                "p10 exit", ""), body(r));
        assertEquals(4, r.count("tasks"));
        assertEquals(1, r.count("forks"));
        assertEquals(1, r.count("vforks"));
        assertEquals(1, r.count("threads"));
        runsEverywhere(r);

        // --vfork fork: the vfork child is a copy of its parent.
        TraceConverter.Result f = TraceConverter.convert("t.strace", trace,
                new TraceConverter.Options(TraceConverter.Touch.WRITE_NEW, 64, TraceConverter.Files.ANON, true));
        assertTrue(body(f).contains("p10 fork as p12\n"), body(f));
        runsEverywhere(f);
    }

    @Test
    void filesCanBeSkippedAndAccessesOmitted() {
        String trace = String.join("\n",
                "1 execve(\"/bin/x\", [\"x\"], 0x7ffd /* 3 vars */) = 0",
                "1 mmap(NULL, 40960, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 3</usr/lib/libc.so.6>, 0) = 0x7f0000000000",
                "1 mmap(0x7f0000002000, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x1000) = 0x7f0000002000",
                "1 mmap(0x7f0000004000, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0) = 0x7f0000004000",
                "1 mprotect(0x7f0000002000, 4096, PROT_READ) = 0",
                "1 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_HUGETLB, -1, 0) = -1 ENOMEM (Cannot allocate memory)",
                "1 madvise(0x7f0000004000, 8192, MADV_HUGEPAGE) = 0",
                "1 madvise(0x7f0000004000, 8192, MADV_DONTNEED) = 0", "");
        TraceConverter.Result r = TraceConverter.convert("t.strace", trace,
                new TraceConverter.Options(TraceConverter.Touch.NONE, 64, TraceConverter.Files.SKIP, false));
        assertEquals(String.join("\n",
                "t1 fork as p1",
                "p1 exec",
                "p1 mmap 0 2p rw private|anonymous as M1",
                "p1 madvise M1 2p dontneed expect ok", ""), body(r));
        assertEquals(5, r.count("skipped"));
        assertFalse(r.scenario().contains(" write "));
    }

    /**
     * --files file: descriptors are followed through openat, dup, dup2, fcntl F_DUPFD_CLOEXEC,
     * close, a fork (a copy of the table), execve (close-on-exec) and a CLONE_FILES thread (the
     * same table); one model file per path, sized by newfstatat or by what is mapped, grown by a
     * later mapping past its end; read-only file pages are read inside the file only.
     */
    @Test
    void descriptorsNameTheFilesOfMappings() {
        String trace = String.join("\n",
                "1 execve(\"/bin/x\", [\"x\"], 0x7ffd /* 3 vars */) = 0",
                "1 openat(AT_FDCWD, \"/usr/lib/libfoo.so.1\", O_RDONLY|O_CLOEXEC) = 3",
                "1 newfstatat(3, \"\", {st_mode=S_IFREG|0755, st_size=20000, ...}, AT_EMPTY_PATH) = 0",
                "1 openat(AT_FDCWD, \"/data/shared.db\", O_RDWR) = 4",
                "1 dup(3) = 5",
                "1 close(3) = 0",
                "1 mmap(NULL, 32768, PROT_READ, MAP_PRIVATE|MAP_DENYWRITE, 5, 0) = 0x7f0000000000",
                "1 mmap(0x7f0000001000, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 5, 0x1000) = 0x7f0000001000",
                "1 dup2(4, 7) = 7",
                "1 fcntl(7, F_DUPFD_CLOEXEC, 10) = 10",
                "1 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0) = 2",
                "2 close(7) = 0",
                "1 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 7, 0) = 0x7f1000000000",
                "2 mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_SHARED, 4, 0) = 0x7f2000000000",
                "2 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 7, 0) = 0x7f3000000000",
                "2 execve(\"/bin/y\", [\"y\"], 0x55 /* 3 vars */) = 0",
                "2 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 10, 0) = 0x7f4000000000",
                "2 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 5, 0x4000) = 0x7f5000000000",
                "2 exit_group(0) = ?",
                "2 +++ exited with 0 +++",
                "1 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, child_tid=0x7f, "
                        + "parent_tid=0x7f, exit_signal=0, stack=0x7f, stack_size=0x7fff80, tls=0x7f} => {parent_tid=[3]}, 88) = 3",
                "3 openat(AT_FDCWD, \"tmp/1-t.dat\", O_RDONLY) = 6",
                "1 mmap(NULL, 4096, PROT_READ, MAP_SHARED, 6, 0) = 0x7f6000000000",
                "1 exit_group(0) = ?",
                "1 +++ exited with 0 +++", "");
        TraceConverter.Result r = convert(trace); // --files file, the default
        assertEquals(String.join("\n",
                "t1 fork as p1",
                "p1 exec",
                // 20000 bytes by newfstatat: 5 pages; the reservation maps 8.
                "p1 open libfoo_so_1 20000 as F1",
                "p1 mmap 0 8p r private|denywrite F1 0 as M1",
                "p1 mmap M1+1p 2p rw private|fixed|denywrite F1 1p expect M1+1p",
                "p1 write M1+1p 2p 0x1 expect ok",
                // The reservation's pages that its segment left, inside the file: pages 0, 3 and 4.
                "p1 touch M1 1p expect ok",
                "p1 touch M1+3p 2p expect ok",
                "p1 fork as p2",
                // fd 7 is fd 4's file (dup2); the child's close does not close the parent's.
                "p1 open shared_db 2p as F2",
                "p1 mmap 0 2p rw shared F2 0 as M2",
                "p1 write M2 2p 0x2 expect ok",
                // No stat for it: a mapping past its end grows the file.
                "p2 ftruncate F2 4p expect ok",
                "p2 mmap 0 4p rw shared F2 0 as M3",
                "p2 write M3 4p 0x3 expect ok",
                "p2 mmap 0 1p r private|anonymous as M4",
                "p2 exec",
                // fd 10 was close-on-exec; fd 5 (a dup: no close-on-exec) survives the execve.
                "p2 mmap 0 1p r private|anonymous as M5",
                "p2 mmap 0 1p r private F1 4p as M6",
                "p2 touch M6 1p expect ok",
                "p2 exit",
                "p1 clone as p3",
                // The thread's openat is in the table it shares with p1.
                "p1 open f_1_t_dat 1p as F3",
                "p1 mmap 0 1p r shared F3 0 as M7",
                "p1 touch M7 1p expect ok",
                "p3 exit",
                "p1 exit", ""), body(r));
        // files, file_growths, files_unknown_as_anon
        assertEquals(List.of(3, 1, 2), List.of(r.count("files"), r.count("file_growths"), r.count("files_unknown_as_anon")));
        assertTrue(r.scenario().contains("p1 open libfoo_so_1 20000 as F1   # trace:7 /usr/lib/libfoo.so.1\n"), r.scenario());
        runsEverywhere(r);

        // The same trace as anonymous memory: no file, no reads.
        TraceConverter.Result a = TraceConverter.convert("t.strace", trace,
                new TraceConverter.Options(TraceConverter.Touch.WRITE_NEW, 64, TraceConverter.Files.ANON, false));
        assertFalse(a.scenario().contains(" open "));
        assertEquals(0, a.count("reads"));
        assertEquals(8, a.count("files_as_anon"));
        runsEverywhere(a);

        TraceError e = assertThrows(TraceError.class, () -> convert("1 execve(\"/bin/x\", [], 0x0) = 0\n1 close(x) = 0\n"));
        // A trace without the descriptor calls: every file mapping's descriptor is unknown.
        TraceConverter.Result u = convert(trace.replaceAll("(?m)^\\d+ (openat|dup|close|fcntl|newfstatat).*\n", ""));
        assertEquals(0, u.count("files"));
        assertEquals(8, u.count("files_unknown_as_anon"));
        assertTrue(u.scenario().contains("# fd 5 not opened in the trace: anonymous"), u.scenario());
        runsEverywhere(u);
        assertEquals("t.strace:2: close: 'x' is not a number", e.getMessage());
    }

    /** strace -f on stderr: [pid N] only while several tasks live; attach messages cut lines. */
    @Test
    void theStderrFormLearnsThePidsOfUnprefixedLines() {
        String trace = String.join("\n",
                "execve(\"/usr/bin/sh\", [\"sh\", \"-c\", \"echo hi | cat\"], 0x7ffdf4a816c8 /* 35 vars */) = 0",
                "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f7d0437d000",
                "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLDstrace: Process 26982 attached",
                ", child_tidptr=0x7f7d0418ea10) = 26982",
                "[pid 26981] clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLDstrace: Process 26983 attached",
                ", child_tidptr=0x7f7d0418ea10) = 26983",
                "[pid 26982] exit_group(0 <unfinished ...>",
                "[pid 26981] wait4(-1,  <unfinished ...>",
                "[pid 26982] <... exit_group resumed>)   = ?",
                "[pid 26982] +++ exited with 0 +++",
                "[pid 26981] <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 26982",
                "[pid 26981] wait4(-1,  <unfinished ...>",
                "[pid 26983] execve(\"/usr/bin/cat\", [\"cat\"], 0x560829002b68 /* 35 vars */) = 0",
                "[pid 26983] exit_group(0)               = ?",
                "[pid 26983] +++ exited with 0 +++",
                "<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 26983",
                "munmap(0x7f7d0437d000, 4096) = 0",
                "exit_group(0)                           = ?",
                "+++ exited with 0 +++", "");
        TraceConverter.Result r = convert(trace);
        assertEquals(String.join("\n",
                "t1 fork as p26981",
                "p26981 exec",
                "p26981 mmap 0 2p rw private|anonymous as M1",
                "p26981 write M1 2p 0x1 expect ok",
                "p26981 fork as p26982",
                "p26981 fork as p26983",
                "p26982 exit",
                "p26983 exec",
                "p26983 exit",
                "p26981 munmap M1 1p expect ok",
                "p26981 exit", ""), body(r));
        runsEverywhere(r);
        TraceError e = assertThrows(TraceError.class, () -> StraceParser.parse("s", "[pid 5] brk(NULL) = 0x1000\n"
                + "[pid 5] fork() = 6\nbrk(NULL) = 0x1000\n"));
        assertEquals("s:3: a line without [pid N] while 2 tasks are traced", e.getMessage());
    }
}
