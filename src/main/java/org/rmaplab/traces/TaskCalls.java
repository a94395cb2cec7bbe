package org.rmaplab.traces;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rmaplab.traces.StraceParser.Call;

/**
 * The traced tasks, and the calls that make and end them: each call goes to the task of its pid
 * (a call of a pid no traced fork, vfork or clone has returned yet waits for it); fork, vfork,
 * clone and clone3 make a task, execve and execveat (only when they succeed) give it a new image,
 * exit, exit_group and the {@code +++} lines end it; the descriptor and stat calls go to
 * {@link DescriptorCalls}, the memory calls to {@link MemoryCalls}. Before each call of a task
 * but a MAP_FIXED mmap, the pages of the read-only file mappings made since its last call are
 * read ({@link Accesses#flushReads}).
 */
final class TaskCalls {
    private static final Pattern CLONE_FLAGS = Pattern.compile("flags=([A-Z0-9_|]+)");

    /** What a fork, vfork, clone or clone3 makes: CLONE_VM, CLONE_VFORK, CLONE_THREAD, CLONE_FILES. */
    private record CloneFlags(boolean vm, boolean vfork, boolean thread, boolean files) {
        static CloneFlags of(Call c) {
            if (!c.name().startsWith("clone")) {
                boolean vfork = c.name().equals("vfork");
                return new CloneFlags(vfork, vfork, false, false);
            }
            Matcher m = CLONE_FLAGS.matcher(c.args());
            String f = m.find() ? "|" + m.group(1) + "|" : "||";
            return new CloneFlags(f.contains("|CLONE_VM|"), f.contains("|CLONE_VFORK|"), f.contains("|CLONE_THREAD|"),
                    f.contains("|CLONE_FILES|"));
        }
    }

    private final Conversion cx;
    private final ScenarioWriter out;
    private final DescriptorCalls descriptors;
    private final MemoryCalls memory;
    private final Faults faults;
    private final Map<Integer, Task> procs = new HashMap<>();
    private final Map<Integer, Integer> pidUses = new HashMap<>();
    private final Map<Integer, List<Call>> waiting = new LinkedHashMap<>();
    private boolean started;

    TaskCalls(Conversion cx) {
        this.cx = cx;
        this.out = cx.out();
        this.descriptors = new DescriptorCalls(cx);
        this.memory = new MemoryCalls(cx);
        this.faults = new Faults(cx);
    }

    /** Converts C; the first call makes the traced program's task, {@code t1 fork as pN}. */
    void dispatch(Call c) {
        if (!started) {
            started = true;
            Task root = newTask(c.pid(), c.pid(), new Layout());
            out.emit("t1 fork as " + root.name + "   # the traced program (trace:" + c.line() + ")");
            out.count("tasks");
        }
        Task p = procs.get(c.pid());
        if (p != null && !p.alive && c.name().equals("+++")) {
            return; // already ended (exit_group, or exec's de_thread)
        }
        if (p == null || !p.alive) {
            waiting.computeIfAbsent(c.pid(), k -> new ArrayList<>()).add(c);
            return;
        }
        handle(p, c);
    }

    /** At the end of the trace: the pending reads of every live task; an error if a call still waits for its task. */
    void finish() {
        faults.finish();
        for (Task p : new ArrayList<>(procs.values())) {
            if (p.alive) {
                cx.accesses().flushReads(p.mm);
            }
        }
        if (!waiting.isEmpty()) {
            Map.Entry<Integer, List<Call>> w = waiting.entrySet().iterator().next();
            throw new TraceError(cx.file(), w.getValue().get(0).line(), "pid " + w.getKey()
                    + " appears, but no traced fork, vfork or clone returned it");
        }
    }

    private Task newTask(int pid, int tgid, Layout mm) {
        int use = pidUses.merge(pid, 1, Integer::sum);
        Task p = new Task(pid, "p" + pid + (use > 1 ? "_" + use : ""), tgid, mm);
        procs.put(pid, p);
        if (mm != null) {
            cx.footprint().enter(mm);
        }
        return p;
    }

    private void handle(Task p, Call c) {
        if (!c.name().equals("page_fault")) {
            faults.flush(); // the faults gathered so far come before this call's lines
        }
        if (!p.mm.pendingReads.isEmpty() && !fixedMmap(c)) {
            cx.accesses().flushReads(p.mm);
        }
        switch (c.name()) {
            case "+++" -> {
                if (p.alive) {
                    exit(p);
                }
            }
            case "exit" -> exit(p);
            case "exit_group" -> {
                for (Task o : new ArrayList<>(procs.values())) {
                    if (o != p && o.alive && o.tgid == p.tgid) {
                        exit(o);
                    }
                }
                exit(p);
            }
            case "execve", "execveat" -> exec(p, c);
            case "page_fault" -> faults.convert(p, c);
            case "special" -> faults.special(p, c);
            case "fork", "vfork", "clone", "clone3" -> fork(p, c);
            case "open", "openat", "creat", "close", "close_range", "dup", "dup2", "dup3", "fcntl", "fcntl64",
                    "memfd_create", "fstat", "fstat64", "newfstatat", "fstatat64", "stat", "stat64", "lstat",
                    "lstat64", "statx" -> descriptors.convert(p, c);
            default -> memory.convert(p, c);
        }
    }

    private static boolean fixedMmap(Call c) {
        return c.name().startsWith("mmap") && c.args().contains("MAP_FIXED");
    }

    private void exit(Task p) {
        p.alive = false;
        cx.footprint().leave(p.mm);
        out.emit(p.name + " exit");
        out.count("exits");
    }

    /** A successful execve: {@code exec}, an empty layout, the other threads ended, close-on-exec applied. */
    private void exec(Task p, Call c) {
        if (c.failed() || c.noReturn()) {
            return;
        }
        out.emit(p.name + " exec   # trace:" + c.line());
        out.count("execs");
        for (Task o : procs.values()) {
            if (o != p && o.alive && !o.vforked && o.mm == p.mm && p.opsAs.equals(p.name)) {
                o.alive = false; // de_thread(): the model's exec ends them too
                cx.footprint().leave(o.mm);
            }
        }
        cx.footprint().leave(p.mm);
        p.mm = new Layout();
        cx.footprint().enter(p.mm);
        p.opsAs = p.name;
        p.vforked = false;
        p.fds = p.fds.afterExec();
    }

    /**
     * fork, vfork, clone, clone3 of task P: a vfork child ({@code --vfork empty}) starts from the
     * empty t1 and works on P's mm until its execve; a CLONE_VM clone is a thread; anything else
     * (and a vfork child with {@code --vfork fork}) is a fork of P. Then the calls that waited
     * for the child are converted.
     */
    private void fork(Task p, Call c) {
        if (c.failed() || c.noReturn()) {
            out.comment(c, c.name() + " failed (" + c.errno() + "): skipped");
            return;
        }
        CloneFlags f = CloneFlags.of(c);
        int child = (int) c.result();
        Task old = procs.get(child);
        if (old != null && old.alive) {
            throw cx.error(c, c.name() + " returned pid " + child + ", which is still alive");
        }
        out.count("tasks");
        Task k = child(p, c, f, child);
        k.fds = p.fds.forChild(f.files());
        List<Call> w = waiting.remove(child);
        if (w != null) {
            for (Call wc : w) {
                dispatch(wc);
            }
        }
    }

    /** Task CHILD, made by P's call C with flags F, and its line. */
    private Task child(Task p, Call c, CloneFlags f, int child) {
        Task k;
        if (f.vm() && f.vfork() && !cx.opt().vforkAsFork()) {
            k = newTask(child, child, p.mm);
            k.opsAs = p.opsAs;
            k.vforked = true;
            out.emit("t1 fork as " + k.name + "   # trace:" + c.line() + " " + p.name + " " + c.name()
                    + " (vfork: the child starts empty, as after its execve)");
            out.count("vforks");
        } else if (f.vm() && !f.vfork()) {
            k = newTask(child, f.thread() ? p.tgid : child, p.mm);
            out.emit(p.opsAs + " clone as " + k.name + "   # trace:" + c.line());
            out.count("threads");
        } else {
            k = newTask(child, child, null);
            k.mm = p.mm.copy();
            cx.footprint().forked(p.mm, k.mm);
            out.emit(p.opsAs + " fork as " + k.name + "   # trace:" + c.line()
                    + (f.vfork() ? " (vfork, as fork: --vfork fork)" : ""));
            out.count(f.vfork() ? "vforks" : "forks");
        }
        return k;
    }
}
