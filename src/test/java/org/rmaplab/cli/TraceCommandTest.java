package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** rmaplab trace convert. */
class TraceCommandTest extends CliTest {

    static final String TRACE = "1 execve(\"/bin/x\", [\"x\"], 0x7ffd /* 3 vars */) = 0\n"
            + "1 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n"
            + "1 exit_group(0) = ?\n";

    @Test
    void convertsToStdoutOrAtomicallyToAFile() throws IOException {
        Path t = dir.resolve("x.strace");
        Files.writeString(t, TRACE);
        assertEquals(0, run("trace", "convert", t.toString()), err);
        assertTrue(out.contains("\nt1 fork as p1   # the traced program (trace:1)\np1 exec   # trace:1\n"
                + "p1 mmap 0 2p rw private|anonymous as M1   # trace:2\np1 write M1 2p 0x1 expect ok\np1 exit\n"), out);
        String first = out;
        Path vms = dir.resolve("x.vms");
        assertEquals(0, run("trace", "convert", t.toString(), "--out", vms.toString()), err);
        assertEquals(first, Files.readString(vms), "the same text, deterministic");
        assertEquals(0, run("run", "--design", "all", vms.toString()), out + err);
        assertEquals(0, run("trace", "convert", t.toString(), "--touch", "none"), err);
        assertFalse(out.contains(" write "), out);
    }

    @Test
    void badInputIsOneLineExit2AndNoFile() throws IOException {
        Path t = dir.resolve("bad.strace");
        Files.writeString(t, TRACE + "1 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1 <unfinished ...>\n"
                + "1 <... munmap resumed>) = 0\n");
        Path vms = dir.resolve("bad.vms");
        assertEquals(2, run("trace", "convert", t.toString(), "--out", vms.toString()));
        assertEquals(t + ":5: 'munmap resumed' without an unfinished munmap call of pid 1\n", err);
        assertFalse(Files.exists(vms));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
        assertEquals(2, run("trace", "convert", dir.resolve("missing.strace").toString()));
        assertTrue(err.startsWith("rmaplab: ") && err.endsWith("\n") && err.split("\n").length == 1, err);
        assertEquals(2, run("trace", "convert", t.toString(), "--touch", "all"));
        assertEquals("rmaplab: --touch must be none or write-new, not 'all'\n", err);
        assertEquals(2, run("trace", "convert", t.toString(), "--vfork", "share"));
        assertEquals("rmaplab: --vfork must be empty or fork, not 'share'\n", err);
        assertEquals(2, run("trace", "convert", t.toString(), "--files", "real"));
        assertEquals("rmaplab: --files must be file, anon or skip, not 'real'\n", err);
        Path fd = dir.resolve("fd.strace");
        Files.writeString(fd, "1 execve(\"/bin/x\", [], 0x0) = 0\n1 dup2(x, 4) = 4\n");
        assertEquals(2, run("trace", "convert", fd.toString(), "--out", vms.toString()));
        assertEquals(fd + ":2: dup2: 'x' is not a number\n", err);
        assertFalse(Files.exists(vms));
    }

    @Test
    void aCallWithTooFewArgumentsIsBadInputNotACrash() throws IOException {
        String head = "execve(\"/bin/true\", [\"true\"], 0x0 /* 0 vars */) = 0\n";
        Path dup = write("dup.strace", head + "dup() = 3\n");
        assertEquals(2, run("trace", "convert", dup.toString()));
        assertEquals(dup + ":2: dup needs 1 arguments, the trace shows 0\n", err);
        Path mremap = write("mremap.strace", head
                + "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n"
                + "mremap(0x7f0000000000, 8192, 16384, MREMAP_MAYMOVE|MREMAP_FIXED) = 0x7f1000000000\n");
        assertEquals(2, run("trace", "convert", mremap.toString()));
        assertEquals(mremap + ":3: mremap needs 5 arguments, the trace shows 4\n", err);
    }

    /** An empty (or blank) trace is bad input on line 1, for convert and for run: exit 2, nothing written. */
    @Test
    void anEmptyTraceIsAnError() throws IOException {
        Path vms = dir.resolve("e.vms");
        for (String text : new String[] {"", "\n  \n"}) {
            Path t = dir.resolve("e.strace");
            Files.writeString(t, text);
            assertEquals(2, run("trace", "convert", t.toString(), "--out", vms.toString()));
            assertEquals(t + ":1: empty trace\n", err);
            assertEquals("", out);
            assertFalse(Files.exists(vms));
            assertEquals(2, run("run", t.toString()));
            assertEquals(t + ":1: empty trace\n", err);
        }
    }

    /**
     * A call the converter reads that never returns in the trace (strace stopped while it was in the
     * kernel) is a named comment, counted in the header as unfinished (and skipped); one it ignores
     * (read) is ignored as when it returns; a task that ends during a call ends it the same way.
     */
    @Test
    void anUnfinishedCallIsANamedCountedComment() throws IOException {
        Path t = dir.resolve("u.strace");
        Files.writeString(t, "1 execve(\"/bin/x\", [\"x\"], 0x7ffd /* 3 vars */) = 0\n"
                + "1 clone(child_stack=NULL, flags=SIGCHLD) = 2\n"
                + "2 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
                + "2 +++ killed by SIGKILL +++\n"
                + "1 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n"
                + "1 munmap(0x7f0000000000, 8192 <unfinished ...>\n");
        assertEquals(0, run("trace", "convert", "--touch", "none", t.toString()), err);
        assertTrue(out.contains("# {execs=1, exits=1, forks=1, mmaps=1, skipped=2, tasks=2, unfinished=2}\n"), out);
        assertTrue(out.endsWith("p1 mmap 0 2p rw private|anonymous as M1   # trace:5\n"
                + "# trace:3 mmap: unfinished: pid 2 ended (trace:4) before it returned; not converted\n"
                + "# trace:6 munmap: unfinished: the trace ends before it returned; not converted\n"), out);
        Files.writeString(t, TRACE.replace("1 exit_group(0) = ?\n", "1 read(0, <unfinished ...>\n"));
        assertEquals(0, run("trace", "convert", t.toString()), err);
        assertFalse(out.contains("unfinished"), out);
    }
}
