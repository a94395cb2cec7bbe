package org.rmaplab.traces;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rmaplab.mm.Errno;
import org.rmaplab.traces.StraceParser.Call;

/**
 * Reads the text {@code perf script --show-task-events --show-mmap-events} writes for a
 * {@code rmaplab trace record} (see docs/traces.md, "perf traces: the real page faults") into the same completed
 * {@link Call}s the strace reader makes, plus the user page faults, in the trace's order:
 *
 * <ul>
 *   <li>{@code PERF_RECORD_COMM exec: NAME:PID/TID} is a successful {@code execve} of TID (the
 *       execve tracepoints only bracket it); {@code PERF_RECORD_EXIT(PID:TID)} ends TID (a
 *       {@code +++} call); {@code PERF_RECORD_FORK(PID:TID):(PPID:PTID)} makes TID, written as
 *       the parent's fork call when that call returns (else at the FORK line): a thread (the
 *       child's PID is the parent's) is a clone with CLONE_VM|CLONE_THREAD|CLONE_FILES; a child
 *       of {@code clone} has the flags its sys_enter_clone shows; of {@code vfork}, a vfork;
 *       of {@code clone3}, whose flags perf's tracepoint does not show (a pointer), a vfork if
 *       the child entered execve or exited before its parent's clone3 returned (CLONE_VFORK's
 *       wait_for_vfork_done() keeps the parent until the child's exec releases the mm or it
 *       exits; glibc's posix_spawn), else a fork (a heuristic: a fork's child can be that quick).
 *   <li>{@code syscalls:sys_enter_NAME} / {@code sys_exit_NAME} pairs of one TID are one call
 *       with its real result (a negative one its errno); perf prints every argument as a number,
 *       so the call's arguments are rewritten in strace's spelling (PROT_*, MAP_*, MADV_*,
 *       MREMAP_*) for {@link StraceArgs}. An exit without its enter (the traced program's first
 *       execve, a child's return from clone) is skipped and counted.
 *   <li>{@code PERF_RECORD_MMAP2 PID/TID: [0xSTART(0xLEN) @ OFF ...]: PERMS PATH}: inside an
 *       mmap call, it names the mapped file's PATH (written as strace -y would, {@code FD</PATH>});
 *       inside munmap, mprotect, mremap, brk, madvise, mlock, munlock it is that call's own
 *       effect (the converter replays the call); anywhere else (execve's binary, ld.so, the stack,
 *       the bss) it is a mapping the trace shows without its call, made an {@code mmap} with
 *       MAP_FIXED at its address ({@code [stack]} MAP_GROWSDOWN), except the special mappings
 *       ({@code [vdso]}, {@code [vvar]}...), which the model does not have ({@code special}).
 *   <li>{@code exceptions:page_fault_user: address=A ip=I error_code=E} is a {@code page_fault}
 *       call of TID: result A, arguments E (x86's error code: bit 1 a write).
 *   <li>Any other event (other tracepoints, other perf records) is skipped and counted by name.
 * </ul>
 *
 * A line that is not a perf script event line, or a trace cut in the middle of a line, is bad
 * input ({@link TraceError}).
 */
public final class PerfParser {

    /** What the parser read: the calls, and the events it skipped (by name, in name order). */
    public record Parsed(List<Call> calls, Map<String, Integer> skipped) {}

    /** {@code COMM [PID/]TID [CPU] TIME: REST}; COMM may hold spaces. */
    private static final Pattern LINE = Pattern.compile(
            "^\\s*(.*?)\\s+(?:(-?\\d+)/)?(-?\\d+)\\s+(?:\\[(\\d+)\\]\\s+)?(\\d+\\.\\d+):\\s+(.*)$");
    private static final Pattern COMM_EXEC = Pattern.compile("^PERF_RECORD_COMM exec: .*:(\\d+)/(\\d+)$");
    private static final Pattern FORK_EXIT = Pattern.compile(
            "^PERF_RECORD_(FORK|EXIT)\\((-?\\d+):(-?\\d+)\\):\\((-?\\d+):(-?\\d+)\\)$");
    private static final Pattern MMAP2 = Pattern.compile("^PERF_RECORD_MMAP2 (-?\\d+)/(-?\\d+): \\[0x([0-9a-f]+)"
            + "\\(0x([0-9a-f]+)\\) @ (0x[0-9a-f]+|\\d+)[^\\]]*\\]: ([r-])([w-])([x-])([ps]) (.*)$");
    private static final Pattern EVENT = Pattern.compile("^([A-Za-z0-9_]+:[A-Za-z0-9_]+):(?:\\s+(.*))?$");
    private static final Pattern FAULT = Pattern.compile(
            "^address=0x([0-9a-f]+)\\s+ip=0x([0-9a-f]+)\\s+error_code=0x([0-9a-f]+)$");

    /** The calls whose MMAP2 records are their own effect, which the converter replays from the call. */
    private static final Set<String> OWN_MMAP_EVENTS = Set.of("munmap", "mprotect", "mremap", "brk", "madvise",
            "mlock", "mlock2", "munlock", "mlockall", "munlockall");
    private static final Set<String> FORKS = Set.of("clone", "clone3", "fork", "vfork");
    /** The special mappings (install_special_mapping): the model has none. */
    private static final Set<String> SPECIAL = Set.of("[vdso]", "[vvar]", "[vvar_vclock]", "[vsyscall]", "[uprobes]");

    /** A system call entered and not yet returned: its name, arguments, line, and the file an MMAP2 named. */
    private static final class Entered {
        final String name;
        final long[] args;
        final int line;
        String path;
        /** A FORK record seen inside this call: the child's tid, and whether it is a thread. */
        int child;
        boolean thread;
        int forkLine;

        Entered(String name, long[] args, int line) {
            this.name = name;
            this.args = args;
            this.line = line;
        }
    }

    private final String file;
    /** Where each call goes, in the trace's order, as soon as it is complete. */
    private final Consumer<Call> sink;
    private final Map<String, Integer> skipped = new TreeMap<>();
    private final Map<Integer, Entered> entered = new HashMap<>();
    /** Tasks that entered execve or exited (for clone3's vfork test), and those that exited. */
    private final Set<Integer> execdOrExited = new HashSet<>();
    private final Set<Integer> exited = new HashSet<>();
    private int root;
    private int lastLine;

    private PerfParser(String file, Consumer<Call> sink) {
        this.file = file;
        this.sink = sink;
    }

    /** Whether TEXT is perf script output: its first non-blank line is a perf event line. */
    public static boolean looksLikePerf(String text) {
        return isEventLine(TraceLines.of(text).firstNonBlank());
    }

    /** Whether LINE (a trace's first non-blank line; null: none) is a perf script event line. */
    static boolean isEventLine(String line) {
        if (line == null) {
            return false;
        }
        Matcher m = LINE.matcher(line);
        return m.matches() && (m.group(6).startsWith("PERF_RECORD_") || EVENT.matcher(m.group(6)).matches());
    }

    /** Parses TEXT (FILE names it in messages) into a list of calls. */
    public static Parsed parse(String file, String text) {
        List<Call> calls = new ArrayList<>();
        Map<String, Integer> skipped = parse(file, text, calls::add);
        return new Parsed(calls, skipped);
    }

    /**
     * Parses TEXT (FILE names it in messages), handing each call to SINK as soon as it is
     * complete (nothing is kept but the calls under way); returns the events skipped, by name.
     */
    public static Map<String, Integer> parse(String file, String text, Consumer<Call> sink) {
        return parse(file, TraceLines.of(text), sink);
    }

    /**
     * Parses the lines of IN (FILE names it in messages) as they are read, handing each call to
     * SINK as soon as it is complete: nothing is kept but the calls under way and the tasks'
     * states, so a trace of millions of events is read in bounded memory. Returns the events
     * skipped, by name.
     */
    static Map<String, Integer> parse(String file, TraceLines in, Consumer<Call> sink) {
        PerfParser p = new PerfParser(file, sink);
        String l;
        while ((l = in.next()) != null) {
            if (!in.lastTerminated()) {
                throw p.error(in.number(), "truncated: the trace ends in the middle of a line");
            }
            p.line(in.number(), l);
        }
        p.finish();
        return p.skipped;
    }

    private TraceError error(int line, String what) {
        return new TraceError(file, line, what);
    }

    private void skip(String what) {
        skipped.merge(what, 1, Integer::sum);
    }

    private void line(int no, String raw) {
        if (raw.isBlank()) {
            return;
        }
        lastLine = no;
        Matcher m = LINE.matcher(raw);
        if (!m.matches()) {
            throw error(no, "not a perf script event line: " + StraceParser.abbreviate(raw.strip()));
        }
        int tid = Integer.parseInt(m.group(3));
        String rest = m.group(6).strip();
        if (rest.startsWith("PERF_RECORD_")) {
            record(no, rest);
            return;
        }
        Matcher e = EVENT.matcher(rest);
        if (!e.matches()) {
            throw error(no, "not a perf script event: " + StraceParser.abbreviate(rest));
        }
        String ev = e.group(1);
        String args = e.group(2) == null ? "" : e.group(2).strip();
        if (ev.equals("exceptions:page_fault_user")) {
            fault(no, tid, args);
        } else if (ev.startsWith("syscalls:sys_enter_")) {
            enter(no, tid, ev.substring("syscalls:sys_enter_".length()), args);
        } else if (ev.startsWith("syscalls:sys_exit_")) {
            exit(no, tid, ev.substring("syscalls:sys_exit_".length()), args);
        } else {
            skip(ev);
        }
    }

    /** The PERF_RECORD_* lines: COMM exec, FORK, EXIT, MMAP2; others are skipped. */
    private void record(int no, String rest) {
        Matcher m;
        if ((m = COMM_EXEC.matcher(rest)).matches()) {
            int tid = Integer.parseInt(m.group(2));
            if (root == 0) {
                root = tid;
            }
            execdOrExited.add(tid);
            sink.accept(new Call(no, tid, "execve", "", 0, null, false));
        } else if ((m = FORK_EXIT.matcher(rest)).matches()) {
            int pid = Integer.parseInt(m.group(2));
            int tid = Integer.parseInt(m.group(3));
            int ppid = Integer.parseInt(m.group(4));
            int ptid = Integer.parseInt(m.group(5));
            if (m.group(1).equals("EXIT")) {
                execdOrExited.add(tid);
                exited.add(tid);
                entered.remove(tid); // exit or exit_group never returns; the tid may be reused
                sink.accept(new Call(no, tid, "+++", "exited", 0, null, true));
            } else {
                fork(no, pid, tid, ppid, ptid);
            }
        } else if (rest.startsWith("PERF_RECORD_MMAP2 ")) {
            mmap2(no, rest);
        } else if (rest.startsWith("PERF_RECORD_COMM") || rest.startsWith("PERF_RECORD_FORK")
                || rest.startsWith("PERF_RECORD_EXIT")) {
            if (!rest.startsWith("PERF_RECORD_COMM: ")) {
                throw error(no, "malformed " + rest.split("[ (:]", 2)[0] + " record: " + StraceParser.abbreviate(rest));
            }
            skip("PERF_RECORD_COMM"); // a name change (prctl PR_SET_NAME, or perf's own)
        } else {
            skip(rest.split("[ (:]", 2)[0]);
        }
    }

    /** A FORK record: the child is written with its parent's fork call when that returns. */
    private void fork(int no, int pid, int tid, int ppid, int ptid) {
        boolean thread = pid == ppid;
        Entered e = entered.get(ptid);
        if (e != null && FORKS.contains(e.name) && e.child == 0) {
            e.child = tid;
            e.thread = thread;
            e.forkLine = no;
            return;
        }
        sink.accept(new Call(no, ptid, "clone", thread ? "flags=CLONE_VM|CLONE_FILES|CLONE_THREAD" : "flags=0", tid,
                null, false));
    }

    private void mmap2(int no, String rest) {
        Matcher m = MMAP2.matcher(rest);
        if (!m.matches()) {
            throw error(no, "malformed PERF_RECORD_MMAP2: " + StraceParser.abbreviate(rest));
        }
        int tid = Integer.parseInt(m.group(2));
        long start = Long.parseUnsignedLong(m.group(3), 16);
        long len = Long.parseUnsignedLong(m.group(4), 16);
        String offs = m.group(5);
        long off = offs.startsWith("0x") ? Long.parseUnsignedLong(offs.substring(2), 16) : Long.parseLong(offs);
        String path = m.group(10).strip();
        boolean anon = path.equals("//anon") || path.equals("[stack]") || path.equals("[heap]")
                || path.startsWith("/dev/zero") || path.startsWith("[anon:");
        Entered e = entered.get(tid);
        if (e != null && (e.name.equals("mmap") || e.name.equals("mmap2"))) {
            if (!anon) {
                e.path = path;
            }
            return;
        }
        if (e != null && OWN_MMAP_EVENTS.contains(e.name)) {
            return;
        }
        if (SPECIAL.contains(path)) {
            sink.accept(new Call(no, tid, "special", hex(start) + ", " + len + ", " + path, 0, null, false));
            return;
        }
        // A mapping shown without its call (execve's): an mmap with MAP_FIXED at its address.
        int prot = (m.group(6).equals("r") ? 1 : 0) | (m.group(7).equals("w") ? 2 : 0) | (m.group(8).equals("x") ? 4 : 0);
        String flags = (m.group(9).equals("s") ? "MAP_SHARED" : "MAP_PRIVATE") + "|MAP_FIXED"
                + (anon ? "|MAP_ANONYMOUS" : "") + (path.equals("[stack]") ? "|MAP_GROWSDOWN" : "");
        String args = hex(start) + ", " + len + ", " + prot(prot) + ", " + flags + ", "
                + (anon ? "-1" : "-1<" + path + ">") + ", " + (anon ? 0 : off);
        sink.accept(new Call(no, tid, "mmap", args, start, null, false));
    }

    private void fault(int no, int tid, String args) {
        Matcher m = FAULT.matcher(args);
        if (!m.matches()) {
            throw error(no, "malformed page_fault_user: " + StraceParser.abbreviate(args));
        }
        sink.accept(new Call(no, tid, "page_fault", "0x" + m.group(3), Long.parseUnsignedLong(m.group(1), 16), null,
                false));
    }

    /** {@code sys_enter_NAME: a: 0x1, b: 0x2}: remembered until its exit. */
    private void enter(int no, int tid, String name, String args) {
        if (name.equals("execve") || name.equals("execveat")) {
            execdOrExited.add(tid); // a vfork child's parent resumes only once it is inside execve (or exits)
        }
        Entered old = entered.get(tid);
        if (old != null && !old.name.equals("exit") && !old.name.equals("exit_group")) {
            throw error(no, "tid " + tid + " enters " + name + " while " + old.name + " (line " + old.line
                    + ") has not returned");
        }
        entered.put(tid, new Entered(name, numbers(no, args), no));
    }

    private long[] numbers(int no, String args) {
        if (args.isEmpty()) {
            return new long[0];
        }
        String[] parts = args.split(",\\s*");
        long[] v = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int c = parts[i].indexOf(": ");
            if (c < 0) {
                throw error(no, "malformed tracepoint argument '" + StraceParser.abbreviate(parts[i]) + "'");
            }
            v[i] = number(no, parts[i].substring(c + 2).strip());
        }
        return v;
    }

    private long number(int no, String s) {
        try {
            return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw error(no, "'" + StraceParser.abbreviate(s) + "' is not a number");
        }
    }

    /** {@code sys_exit_NAME: 0xRESULT}: the call, with its enter's arguments, completes. */
    private void exit(int no, int tid, String name, String args) {
        long r = number(no, args);
        Entered e = entered.get(tid);
        if (e == null || !e.name.equals(name)) {
            if (e != null) {
                throw error(no, "tid " + tid + " returns from " + name + " while in " + e.name + " (line " + e.line + ")");
            }
            skip("sys_exit without its sys_enter");
            return;
        }
        entered.remove(tid);
        String errno = null;
        if (r < 0 && r > -4096) {
            errno = Errno.name((int) -r);
            if (errno == null) {
                errno = "E" + (-r);
            }
        }
        if (FORKS.contains(name)) {
            forkReturned(no, tid, e, r, errno);
            return;
        }
        if (name.equals("execve") || name.equals("execveat")) {
            return; // PERF_RECORD_COMM exec is the successful execve; a failed one changes nothing
        }
        String a = StraceSpelling.args(name, e.args, e.path);
        if (a == null) {
            skip("syscalls:sys_exit_" + name);
            return;
        }
        sink.accept(new Call(no, tid, name, a, r, errno, false));
    }

    /** A fork call returned R to its parent TID: the child, with the flags the trace shows. */
    private void forkReturned(int no, int tid, Entered e, long r, String errno) {
        if (errno != null || r <= 0) {
            if (errno != null) {
                sink.accept(new Call(no, tid, e.name, "", r, errno, false));
            }
            return;
        }
        int child = (int) r;
        String flags;
        if (e.thread) {
            flags = "CLONE_VM|CLONE_FILES|CLONE_THREAD";
        } else if (e.name.equals("clone") && e.args.length > 0) {
            flags = StraceSpelling.cloneFlags(e.args[0]);
        } else if (e.name.equals("vfork") || e.name.equals("clone3") && execdOrExited.contains(child)) {
            flags = "CLONE_VM|CLONE_VFORK";
        } else {
            flags = "0";
        }
        sink.accept(new Call(no, tid, e.name, "flags=" + flags, child, null, false));
    }

    /** At the end: a trace whose traced program never exits was cut short. */
    private void finish() {
        if (root == 0) {
            throw error(Math.max(lastLine, 1), "no PERF_RECORD_COMM exec: not a trace of a program "
                    + "(record with rmaplab trace record, and perf script --show-task-events --show-mmap-events)");
        }
        if (!exited.contains(root)) {
            throw error(lastLine, "truncated: the trace ends before the traced program (tid " + root
                    + ") exits (no PERF_RECORD_EXIT)");
        }
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    static String prot(int p) {
        return StraceSpelling.prot(p);
    }
}
