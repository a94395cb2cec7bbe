package org.rmaplab.traces;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the text strace writes into a list of completed {@link Call}s, in the order in which they
 * completed (the line of their result). Supported output (see docs/traces.md, "Traces of real programs"):
 *
 * <ul>
 *   <li>{@code strace -f -o FILE} (every line starts with the pid) or {@code strace -f} on stderr
 *       ({@code [pid N]} while more than one task is traced: an unprefixed line is the only live
 *       task's; "Process N attached" messages that cut a line are taken out and the halves joined);
 *       without {@code -f} there is no pid and every line belongs to one task;
 *   <li>optional timestamps {@code -t}, {@code -tt}, {@code -ttt}, and {@code -T} (the
 *       {@code <0.000012>} suffix), {@code -y} fd decorations;
 *   <li>{@code NAME(ARGS) = RESULT}, {@code NAME(ARGS <unfinished ...>} joined with its
 *       {@code <... NAME resumed>ARGS) = RESULT}, {@code = ?} (exit, exit_group), errors
 *       {@code = -1 ENOMEM (Cannot allocate memory)};
 *   <li>{@code +++ exited with N +++} and {@code +++ killed by SIG... +++} (the task ends);
 *       {@code --- SIG... ---} signal lines and {@code strace: ...} messages are ignored.
 * </ul>
 *
 * Any {@code -e trace=} set may be used; calls the converter does not know are ignored. A line that
 * is none of these is bad input ({@link TraceError}).
 *
 * <p>A call the converter reads that never returns in the trace ({@code <unfinished ...>} with no
 * {@code <... resumed>}: strace was stopped, or the task ended, while the call was in the kernel)
 * is not dropped in silence: it is an {@link Unfinished}, which the converter writes as a named,
 * counted comment. Its result is unknown, so it cannot be replayed; an error would refuse the whole
 * trace of a program strace was detached from (Ctrl-C), which is the usual way a long run's trace
 * ends. An unfinished exit or exit_group is what the task's {@code +++ exited} line says already.
 */
public final class StraceParser {

    /** A completed system call, or a task's end ({@code name} "+++"). */
    public record Call(int line, int pid, String name, String args, long result, String errno, boolean noReturn) {
        public boolean failed() {
            return errno != null;
        }
    }

    private static final Pattern PID = Pattern.compile("^(?:\\[pid\\s+(\\d+)\\]|(\\d+))\\s+");
    private static final Pattern TIME = Pattern.compile("^(?:\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?|\\d+\\.\\d+)\\s+");
    private static final Pattern CALL = Pattern.compile("^([a-z_][a-z0-9_]*)\\((.*)$");
    private static final Pattern RESUMED = Pattern.compile("^<\\.\\.\\. ([a-z_][a-z0-9_]*) resumed>(.*)$");
    private static final Pattern RESULT = Pattern.compile(
            "\\)\\s*=\\s*(\\?|0x[0-9a-fA-F]+|-?\\d+)(?:\\s+([A-Z][A-Z0-9_]*))?[^=]*$");
    private static final Pattern UNFINISHED = Pattern.compile("\\s*<unfinished \\.\\.\\.>$");
    /** A call that began ({@code <unfinished ...>}) and never returned in the trace: WHY says how it ended. */
    public record Unfinished(int line, int pid, String name, String args, String why) {}

    /** The completed calls and the unfinished ones (in line order). */
    public record Parsed(List<Call> calls, List<Unfinished> unfinished) {}

    private static final Pattern DURATION = Pattern.compile("\\s+<\\d+\\.\\d+>$");

    private final String file;
    private final Map<Integer, String[]> pending = new HashMap<>(); // pid -> {name, args so far, line}
    private final List<Call> calls = new ArrayList<>();
    private final List<Unfinished> unfinished = new ArrayList<>();
    /**
     * strace -f on stderr prefixes {@code [pid N]} only while more than one task is traced
     * (strace's printleader), so an unprefixed line is the only live task's, and the first task's
     * pid is learnt from its first prefixed line. 0 until then (its calls carry pid 0 and are
     * renumbered when it is learnt).
     */
    private int rootPid;
    private final java.util.Set<Integer> live = new java.util.HashSet<>();
    private final java.util.Set<Integer> children = new java.util.HashSet<>();
    private static final java.util.Set<String> FORKS = java.util.Set.of("clone", "clone3", "fork", "vfork");

    private StraceParser(String file) {
        this.file = file;
    }

    /** The completed calls of TEXT (FILE names it in messages). */
    public static List<Call> parse(String file, String text) {
        return read(file, text).calls();
    }

    /** Parses TEXT (FILE names it in messages): the completed calls and the unfinished ones. */
    public static Parsed read(String file, String text) {
        StraceParser p = new StraceParser(file);
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            // On stderr, strace's "Process N attached" can cut a line in two: join the halves.
            int cut = l.indexOf("strace: Process ");
            if (cut > 0 && i + 1 < lines.length) {
                lines[i + 1] = l.substring(0, cut) + lines[i + 1];
                continue;
            }
            p.line(i + 1, l);
        }
        for (Map.Entry<Integer, String[]> e : p.pending.entrySet()) {
            p.unfinished(e.getKey(), e.getValue(), "the trace ends before it returned");
        }
        p.unfinished.sort(java.util.Comparator.comparingInt(Unfinished::line));
        return new Parsed(p.calls, p.unfinished);
    }

    /** Records PENDING (of task PID) as unfinished if it is a call the converter reads but exit and exit_group. */
    private void unfinished(int pid, String[] pending, String why) {
        String name = pending[0];
        if (TraceConverter.KNOWN.contains(name) && !name.equals("exit") && !name.equals("exit_group")) {
            unfinished.add(new Unfinished(Integer.parseInt(pending[2]), pid, name, pending[1], why));
        }
    }

    private TraceError error(int line, String what) {
        return new TraceError(file, line, what);
    }

    /** A line's text after its pid prefix, and the pid it belongs to (0: the first task's, not yet known). */
    private record Prefixed(int pid, String rest) {}

    private void line(int no, String raw) {
        String s = raw.strip();
        if (s.isEmpty() || s.startsWith("strace: ") || s.startsWith("[ Process PID")) {
            return;
        }
        Prefixed l = pid(no, s);
        int pid = l.pid();
        s = l.rest();
        Matcher m = TIME.matcher(s);
        if (m.find()) {
            s = s.substring(m.end());
        }
        s = DURATION.matcher(s).replaceFirst("");
        if (s.startsWith("---")) {
            return; // signal delivery
        }
        if (s.startsWith("+++")) {
            taskEnd(no, pid, s);
            return;
        }
        call(no, pid, s);
    }

    /** The pid line NO belongs to: its {@code N} or {@code [pid N]} prefix, else the only live task's. */
    private Prefixed pid(int no, String s) {
        int pid = 0;
        Matcher m = PID.matcher(s);
        // A bare number is a pid only when more follows (a -ttt timestamp has a dot).
        if (m.find() && !(m.group(2) != null && s.length() > m.end(2) && s.charAt(m.end(2)) == '.')) {
            pid = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
            s = s.substring(m.end());
            if (rootPid == 0 && !children.contains(pid)) {
                learnRoot(pid, s);
            }
        } else if (rootPid != 0) {
            if (live.size() != 1) {
                throw error(no, "a line without [pid N] while " + live.size() + " tasks are traced");
            }
            pid = live.iterator().next();
        }
        return new Prefixed(pid, s);
    }

    /** {@code +++ exited with N +++} or {@code +++ killed by SIG... +++}: task PID ends. */
    private void taskEnd(int no, int pid, String s) {
        if (s.startsWith("+++ exited with ") || s.startsWith("+++ killed by ")) {
            String[] p = pending.remove(pid);
            if (p != null) {
                unfinished(pid, p, "pid " + pid + " ended (trace:" + no + ") before it returned");
            }
            calls.add(new Call(no, pid, "+++", s, 0, null, true));
            live.remove(pid);
            return;
        }
        if (s.startsWith("+++ superseded by execve")) {
            throw error(no, "execve from a thread other than the group leader is not supported");
        }
        throw error(no, "unknown strace line: " + s);
    }

    /** {@code NAME(ARGS) = RESULT}, or its {@code <unfinished ...>} start, or its {@code <... NAME resumed>} end. */
    private void call(int no, int pid, String s) {
        Matcher r = RESUMED.matcher(s);
        if (r.matches()) {
            String[] p = pending.remove(pid);
            if (p == null || !p[0].equals(r.group(1))) {
                throw error(no, "'" + r.group(1) + " resumed' without an unfinished " + r.group(1)
                        + " call of pid " + pid);
            }
            finish(no, pid, p[0], p[1] + r.group(2));
            return;
        }
        Matcher c = CALL.matcher(s);
        if (!c.matches()) {
            throw error(no, "not an strace line: " + abbreviate(s));
        }
        String rest = c.group(2);
        Matcher u = UNFINISHED.matcher(rest);
        if (u.find()) {
            if (pending.containsKey(pid)) {
                throw error(no, "pid " + pid + " starts " + c.group(1) + " while " + pending.get(pid)[0]
                        + " is unfinished");
            }
            pending.put(pid, new String[] {c.group(1), rest.substring(0, u.start()), Integer.toString(no)});
            return;
        }
        finish(no, pid, c.group(1), rest);
    }

    /**
     * A prefixed line of a pid no fork returned yet, before the first task's pid is known: it is
     * the first task's if it resumes the call the unprefixed task left unfinished, or if no fork
     * of any task is under way (else it is a child appearing before its parent's fork returns).
     */
    private void learnRoot(int pid, String rest) {
        Matcher r = RESUMED.matcher(rest);
        String[] p0 = pending.get(0);
        boolean resumesRoot = r.matches() && p0 != null && p0[0].equals(r.group(1));
        boolean forkUnderWay = pending.values().stream().anyMatch(v -> FORKS.contains(v[0]));
        if (!resumesRoot && forkUnderWay) {
            return;
        }
        rootPid = pid;
        live.add(pid);
        if (p0 != null) {
            pending.put(pid, pending.remove(0));
        }
        for (int i = 0; i < calls.size(); i++) {
            Call c = calls.get(i);
            if (c.pid() == 0) {
                calls.set(i, new Call(c.line(), pid, c.name(), c.args(), c.result(), c.errno(), c.noReturn()));
            }
        }
    }

    /** NAME(ARGS) = RESULT [ERRNO (text)]; REST is what follows the opening parenthesis. */
    private void finish(int no, int pid, String name, String rest) {
        Matcher r = RESULT.matcher(rest);
        int close = -1;
        String res = null;
        String errno = null;
        // The last ") = " of the line: arguments may contain ") = " inside strings only in
        // calls the converter ignores, and a lazy scan from the end is enough for the others.
        while (r.find()) {
            close = r.start();
            res = r.group(1);
            errno = r.group(2);
        }
        if (close < 0) {
            if (!TraceConverter.KNOWN.contains(name)) {
                return; // a call the converter ignores: its shape does not matter
            }
            throw error(no, name + ": no result (expected '... ) = RESULT')");
        }
        String args = rest.substring(0, close);
        if (res.equals("?")) {
            calls.add(new Call(no, pid, name, args, 0, null, true));
            return;
        }
        if (!TraceConverter.KNOWN.contains(name)) {
            return;
        }
        long v;
        try {
            v = res.startsWith("0x") ? Long.parseUnsignedLong(res.substring(2), 16) : Long.parseLong(res);
        } catch (NumberFormatException e) {
            throw error(no, name + ": bad result '" + res + "'");
        }
        if (FORKS.contains(name) && v > 0) {
            children.add((int) v);
            live.add((int) v);
        }
        if (v < 0 && v > -4096) {
            if (errno == null) {
                throw error(no, name + ": result " + v + " without an errno name");
            }
            calls.add(new Call(no, pid, name, args, v, errno, false));
        } else {
            calls.add(new Call(no, pid, name, args, v, null, false));
        }
    }

    static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }
}
