package org.rmaplab.traces;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.rmaplab.traces.StraceParser.Call;

/**
 * Turns an strace trace ({@link StraceParser}) into a scenario (docs/scenario-language.md) that the
 * model runs under every design. What the model cannot see or do, and how it is treated (each
 * point is in the README, "Traces of real programs"):
 *
 * <ul>
 *   <li><b>Tasks.</b> pid N becomes task {@code pN} ({@code pN_2} if the pid is reused). The first
 *       traced task is forked from {@code t1}, which stays an empty address space; its pre-exec
 *       image (strace's own child) is unknown. fork, and clone/clone3 without CLONE_VM, become
 *       {@code fork}; CLONE_VM without CLONE_VFORK becomes {@code clone} (a thread: the model's
 *       clone joins the thread group). <b>vfork</b> (vfork, or CLONE_VM|CLONE_VFORK as glibc's
 *       posix_spawn does) becomes {@code t1 fork as pN}: the child starts from the empty address
 *       space, as it will be after its execve, so nothing of the parent is copied (the real vfork
 *       copies nothing either); memory calls the child makes before its execve act on the parent's
 *       mm and are written as the parent's. A vfork child that exits without exec just exits.
 *       {@code --vfork fork} instead forks the child from its parent (what a fork+exec program,
 *       or a kernel without vfork's sharing, would cost).
 *   <li><b>execve</b> (and execveat): only a successful one ({@code = 0}) becomes {@code exec};
 *       the task's layout starts empty. exit and exit_group end the task (exit_group: every task
 *       of its thread group), as do {@code +++ exited} / {@code +++ killed} lines.
 *   <li><b>Addresses.</b> The model chooses its own addresses: every mapping the kernel placed
 *       binds a name ({@code as M3}), the first {@code brk(NULL)} of an image binds {@code H1}, and
 *       every later address is written relative to the mapping that contains it ({@code M3+5p}).
 *       A region keeps its anchor while the trace works inside it (ld.so's MAP_FIXED segments
 *       inside its reservation, malloc's arenas). A MAP_FIXED mapping that is not inside one
 *       anchor's extent is placed by the model (a new anchor), after unmapping what it replaced.
 *   <li><b>Unknown memory.</b> What the kernel mapped at execve (the program's image, ld.so, the
 *       stack, vdso) never appears in the trace: calls on it are skipped (a comment says which
 *       line and why), and the parts of a range outside the traced mappings are dropped.
 *   <li><b>Files.</b> {@code --files file} (the default): a file mmap maps a model file, one per
 *       path, opened ({@code open NAME SIZE as Fn}) at its first mapping; the mmap's descriptor
 *       names the path through the task's descriptor table ({@code descriptors}: what the trace
 *       shows of open, openat, creat, memfd_create, close, close_range, dup*, fcntl; fork copies
 *       the table, CLONE_FILES shares it, execve unshares it and closes what is close-on-exec).
 *       The size is a stat's st_size, else the extent mapped, grown by a later mapping past it
 *       ({@code modelFile}). A descriptor the trace never showed opened names no file: its
 *       mapping is anonymous (a comment says so). {@code --files anon}: a file mmap becomes a
 *       private (or shared) anonymous mapping of the same size and protection; {@code --files
 *       skip}: it is skipped with everything the trace does inside it.
 *   <li><b>Accesses.</b> strace shows none. {@code --touch write-new} (default) writes every page
 *       that becomes writable (a writable mmap, brk growth, mremap growth, mprotect of PROT_NONE
 *       memory to writable) up to {@code --touch-cap} pages per call (0: no cap; the top pages of
 *       MAP_STACK/MAP_GROWSDOWN mappings), and reads up to as many pages of every read-only file
 *       mapping ({@code flushReads}); file pages only inside the file. {@code --touch none}
 *       writes and reads nothing. Accesses after fork are not modelled, so inherited pages stay
 *       shared until exec, exit or munmap.
 *   <li><b>Results.</b> A failed call the model can judge (its addresses all resolve, not a file
 *       mmap) is written with {@code expect ERRNO}; successful status calls with {@code expect ok},
 *       fixed mmaps, in-place mremaps and brk with the address the trace shows (relative), writes
 *       with {@code expect ok}. A failed fork/clone is skipped.
 *   <li>Not converted (a comment says so): madvise advice other than dontneed, dontfork, dofork,
 *       pageout (MADV_FREE, hugepage hints...), the flags MAP_HUGETLB, MAP_32BIT,
 *       MAP_UNINITIALIZED, MAP_HUGE_*, PROT_GROWSDOWN/GROWSUP (dropped), every other system call.
 * </ul>
 */
public final class TraceConverter {
    public enum Touch { NONE, WRITE_NEW }

    public enum Files { ANON, SKIP, FILE }

    /**
     * @param vforkAsFork {@code --vfork fork}: a vfork child is forked from its parent (a copy of
     *                    its mm, as fork would make) instead of from the empty t1 ({@code --vfork empty})
     */
    public record Options(Touch touch, int touchCap, Files files, boolean vforkAsFork) {
        public static final Options DEFAULT = new Options(Touch.WRITE_NEW, 64, Files.FILE, false);

        public String describe() {
            return "--touch " + touch.name().toLowerCase(Locale.ROOT).replace('_', '-') + " --touch-cap " + touchCap
                    + " --files " + files.name().toLowerCase(Locale.ROOT) + " --vfork " + (vforkAsFork ? "fork" : "empty");
        }
    }

    /** The scenario and what went into it. */
    public record Result(String scenario, Map<String, Integer> counts) {
        public int count(String k) {
            return counts.getOrDefault(k, 0);
        }
    }

    /** The calls the converter reads; the parser ignores the shape of every other call. */
    static final Set<String> KNOWN = Set.of("mmap", "mmap2", "munmap", "mremap", "mprotect", "brk", "madvise",
            "mlock", "mlock2", "munlock", "clone", "clone3", "fork", "vfork", "execve", "execveat", "exit",
            "exit_group", "open", "openat", "creat", "close", "close_range", "dup", "dup2", "dup3", "fcntl",
            "fcntl64", "memfd_create", "fstat", "fstat64", "newfstatat", "fstatat64", "stat", "stat64", "lstat",
            "lstat64", "statx");

    private final String file;
    private final Options opt;
    private final StringBuilder out = new StringBuilder();
    private final Map<Integer, Task> procs = new HashMap<>();
    private final Map<Integer, Integer> pidUses = new HashMap<>();
    private final Map<Integer, List<Call>> waiting = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new TreeMap<>();
    private int anchors;
    private int heaps;
    private int maps;
    private int memfds;
    /** --files file: the model file of each path (its FILE name), its size, and the labels used. */
    private final Map<String, String> fileOf = new HashMap<>();
    private final Map<String, Long> fileSize = new HashMap<>();
    private final Set<String> labels = new java.util.HashSet<>();
    /** st_size of regular files, by path, from the latest stat call that printed it. */
    private final Map<String, Long> statSize = new HashMap<>();
    private long writeValue;
    private boolean started;

    private TraceConverter(String file, Options opt) {
        this.file = file;
        this.opt = opt;
    }

    /** Converts the strace text TEXT (FILE names it in messages and in the header). */
    public static Result convert(String file, String text, Options opt) {
        List<Call> calls = StraceParser.parse(file, text);
        TraceConverter c = new TraceConverter(file, opt);
        for (Call call : calls) {
            c.dispatch(call);
        }
        for (Task p : new ArrayList<>(c.procs.values())) {
            if (p.alive) {
                c.flushReads(p.mm);
            }
        }
        if (!c.waiting.isEmpty()) {
            Map.Entry<Integer, List<Call>> w = c.waiting.entrySet().iterator().next();
            throw new TraceError(file, w.getValue().get(0).line(), "pid " + w.getKey()
                    + " appears, but no traced fork, vfork or clone returned it");
        }
        String header = "# Converted by `rmaplab trace convert` from " + file.replace('\\', '/') + " (strace); do not edit.\n"
                + "# Options: " + opt.describe() + ". See README, \"Traces of real programs\".\n"
                + "# " + c.counts + "\n";
        return new Result(header + c.out, Map.copyOf(c.counts));
    }

    private void count(String k) {
        counts.merge(k, 1, Integer::sum);
    }

    private TraceError error(Call c, String what) {
        return new TraceError(file, c.line(), what);
    }

    // ---------------------------------------------------------------- tasks

    private void dispatch(Call c) {
        if (!started) {
            started = true;
            Task root = newTask(c.pid(), c.pid(), new Layout());
            emit("t1 fork as " + root.name + "   # the traced program (trace:" + c.line() + ")");
            count("tasks");
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

    private Task newTask(int pid, int tgid, Layout mm) {
        int use = pidUses.merge(pid, 1, Integer::sum);
        Task p = new Task(pid, "p" + pid + (use > 1 ? "_" + use : ""), tgid, mm);
        procs.put(pid, p);
        return p;
    }

    private void handle(Task p, Call c) {
        if (!p.mm.pendingReads.isEmpty() && !fixedMmap(c)) {
            flushReads(p.mm);
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
            case "execve", "execveat" -> {
                if (c.failed() || c.noReturn()) {
                    return;
                }
                emit(p.name + " exec   # trace:" + c.line());
                count("execs");
                for (Task o : procs.values()) {
                    if (o != p && o.alive && !o.vforked && o.mm == p.mm && p.opsAs.equals(p.name)) {
                        o.alive = false; // de_thread(): the model's exec ends them too
                    }
                }
                p.mm = new Layout();
                p.opsAs = p.name;
                p.vforked = false;
                p.fds = p.fds.afterExec();
            }
            case "fork", "vfork", "clone", "clone3" -> fork(p, c);
            case "open", "openat", "creat", "close", "close_range", "dup", "dup2", "dup3", "fcntl", "fcntl64",
                    "memfd_create", "fstat", "fstat64", "newfstatat", "fstatat64", "stat", "stat64", "lstat",
                    "lstat64", "statx" -> descriptors(p, c);
            default -> memory(p, c);
        }
    }

    private void exit(Task p) {
        p.alive = false;
        emit(p.name + " exit");
        count("exits");
    }

    private static final Pattern CLONE_FLAGS = Pattern.compile("flags=([A-Z0-9_|]+)");

    private void fork(Task p, Call c) {
        if (c.failed() || c.noReturn()) {
            comment(c, c.name() + " failed (" + c.errno() + "): skipped");
            return;
        }
        boolean vm = c.name().equals("vfork");
        boolean vfork = vm;
        boolean thread = false;
        boolean files = false;
        if (c.name().startsWith("clone")) {
            Matcher m = CLONE_FLAGS.matcher(c.args());
            String f = m.find() ? "|" + m.group(1) + "|" : "||";
            vm = f.contains("|CLONE_VM|");
            vfork = f.contains("|CLONE_VFORK|");
            thread = f.contains("|CLONE_THREAD|");
            files = f.contains("|CLONE_FILES|");
        }
        int child = (int) c.result();
        Task old = procs.get(child);
        if (old != null && old.alive) {
            throw error(c, c.name() + " returned pid " + child + ", which is still alive");
        }
        count("tasks");
        Task k;
        if (vm && vfork && !opt.vforkAsFork()) {
            k = newTask(child, child, p.mm);
            k.opsAs = p.opsAs;
            k.vforked = true;
            emit("t1 fork as " + k.name + "   # trace:" + c.line() + " " + p.name + " " + c.name()
                    + " (vfork: the child starts empty, as after its execve)");
            count("vforks");
        } else if (vm && !vfork) {
            k = newTask(child, thread ? p.tgid : child, p.mm);
            emit(p.opsAs + " clone as " + k.name + "   # trace:" + c.line());
            count("threads");
        } else {
            k = newTask(child, child, p.mm.copy());
            emit(p.opsAs + " fork as " + k.name + "   # trace:" + c.line() + (vfork ? " (vfork, as fork: --vfork fork)" : ""));
            count(vfork ? "vforks" : "forks");
        }
        k.fds = p.fds.forChild(files);
        List<Call> w = waiting.remove(child);
        if (w != null) {
            for (Call wc : w) {
                dispatch(wc);
            }
        }
    }

    // ---------------------------------------------------------------- memory calls

    private void memory(Task p, Call c) {
        String[] a = args(c.args());
        String who = p.opsAs;
        Layout mm = p.mm;
        switch (c.name()) {
            case "mmap", "mmap2" -> mmap(p, who, mm, c, a);
            case "munmap" -> ranged(who, mm, c, a, "munmap", "");
            case "mprotect" -> {
                need(c, a, 3);
                int prot = prot(c, a[2]);
                ranged(who, mm, c, a, "mprotect", " " + protText(prot));
            }
            case "madvise" -> {
                need(c, a, 3);
                String adv = switch (a[2]) {
                    case "MADV_DONTNEED" -> "dontneed";
                    case "MADV_DONTFORK" -> "dontfork";
                    case "MADV_DOFORK" -> "dofork";
                    case "MADV_PAGEOUT" -> "pageout";
                    default -> null;
                };
                if (adv == null) {
                    comment(c, "madvise " + a[2] + " is not modelled: skipped");
                    return;
                }
                ranged(who, mm, c, a, "madvise", " " + adv);
            }
            case "mlock", "mlock2" -> ranged(who, mm, c, a, "mlock", "");
            case "munlock" -> ranged(who, mm, c, a, "munlock", "");
            case "mremap" -> mremap(who, mm, c, a);
            case "brk" -> brk(who, mm, c, a);
            default -> throw new IllegalStateException(c.name());
        }
    }

    private void mmap(Task p, String who, Layout mm, Call c, String[] a) {
        need(c, a, 6);
        long addr = num(c, a[0]);
        long len = num(c, a[1]);
        int prot = prot(c, a[2]);
        List<String> flags = new ArrayList<>();
        boolean file = true;
        boolean fixed = false;
        boolean stack = false;
        boolean shared = false;
        List<String> dropped = new ArrayList<>();
        for (String f : a[3].split("\\|")) {
            String g = switch (f) {
                case "MAP_PRIVATE" -> "private";
                case "MAP_SHARED" -> "shared";
                case "MAP_SHARED_VALIDATE" -> "shared_validate";
                case "MAP_FIXED" -> "fixed";
                case "MAP_FIXED_NOREPLACE" -> "fixed_noreplace";
                case "MAP_ANONYMOUS" -> "anonymous";
                case "MAP_GROWSDOWN" -> "growsdown";
                case "MAP_DENYWRITE" -> "denywrite";
                case "MAP_EXECUTABLE" -> "executable";
                case "MAP_LOCKED" -> "locked";
                case "MAP_NORESERVE" -> "noreserve";
                case "MAP_POPULATE" -> "populate";
                case "MAP_NONBLOCK" -> "nonblock";
                case "MAP_STACK" -> "stack";
                case "MAP_SYNC" -> "sync";
                default -> null;
            };
            if (g == null) {
                dropped.add(f);
                continue;
            }
            file &= !g.equals("anonymous");
            fixed |= g.startsWith("fixed");
            stack |= g.equals("stack") || g.equals("growsdown");
            shared |= g.startsWith("shared");
            flags.add(g);
        }
        if (file) {
            flags.remove("sync");
        }
        String drop = dropped.isEmpty() ? "" : "   # dropped " + String.join("|", dropped);
        if (c.failed()) {
            if (file) {
                comment(c, "mmap of a file failed (" + c.errno() + "): skipped");
                return;
            }
            if (!dropped.isEmpty()) {
                comment(c, "failed mmap with flags the model does not take (" + String.join("|", dropped) + "): skipped");
                return;
            }
            if (!fixed && c.errno().equals("ENOMEM")) {
                comment(c, "mmap failed with ENOMEM (limits or overcommit, which the model does not have): skipped");
                return;
            }
            if (!fixed) {
                emit(who + " mmap 0 " + len(len) + " " + protText(prot) + " " + String.join("|", flags) + " expect "
                        + c.errno() + "   # trace:" + c.line());
                count("errors");
                return;
            }
            Layout.Hull h = mm.hullOf(addr, addr + Layout.pageUp(len));
            if (h == null) {
                comment(c, "failed fixed mmap outside the traced mappings: skipped");
                return;
            }
            emit(who + " mmap " + rel(h.anchor(), h.base(), addr) + " " + len(len) + " " + protText(prot) + " "
                    + String.join("|", flags) + " expect " + c.errno() + "   # trace:" + c.line());
            count("errors");
            return;
        }
        long r = c.result();
        long end = r + Layout.pageUp(len);
        if (file && opt.files() == Files.SKIP) {
            mm.add(new Region(r, end, null, 0, prot, true));
            comment(c, "file mapping: skipped (--files skip)");
            return;
        }
        String fvar = null;
        long foff = 0;
        if (file && opt.files() == Files.FILE) {
            String path = p.fds.pathOf(a[4]);
            if (path == null) {
                // A descriptor the trace never showed opened (inherited from strace's parent,
                // or made by a call not traced): its file is unknown, so the mapping is anonymous.
                flags.add("anonymous");
                drop += "   # fd " + a[4] + " not opened in the trace: anonymous";
                count("files_unknown_as_anon");
            } else {
                foff = num(c, a[5]);
                fvar = modelFile(who, path, foff, len, c);
                count("file_mmaps");
            }
        } else if (file) {
            flags.add("anonymous");
            count("files_as_anon");
        }
        String fileArgs = fvar == null ? "" : " " + fvar + " " + len(foff);
        String f = String.join("|", flags);
        String target = null;
        String anchor;
        long base;
        if (fixed) {
            Layout.Hull h = mm.hullOf(r, end);
            if (h != null) {
                target = rel(h.anchor(), h.base(), r);
                anchor = h.anchor();
                base = h.base();
            } else {
                // Not inside one anchor's extent: unmap what it replaced, let the model place it.
                unmapPieces(who, mm, r, end, c);
                f = String.join("|", flags.stream().filter(x -> !x.startsWith("fixed")).toList());
                anchor = null;
                base = r;
            }
        } else {
            anchor = null;
            base = r;
        }
        if (target != null) {
            emit(who + " mmap " + target + " " + len(len) + " " + protText(prot) + " " + f + fileArgs + " expect "
                    + target + "   # trace:" + c.line() + drop);
        } else {
            anchor = "M" + (++anchors);
            emit(who + " mmap 0 " + len(len) + " " + protText(prot) + " " + f + fileArgs + " as " + anchor
                    + "   # trace:" + c.line() + drop);
        }
        count("mmaps");
        Region reg = new Region(r, end, anchor, base, prot, false, fvar, foff, fvar == null ? 0 : ++maps);
        mm.add(reg);
        if ((prot & 2) != 0) {
            touch(who, anchor, base, r, eofEnd(reg), stack);
        } else if (fvar != null && prot != 0 && opt.touch() != Touch.NONE) {
            mm.pendingReads.add(new Layout.PendingRead(reg.map(), who));
        }
    }

    // ---------------------------------------------------------------- files (--files file)

    /**
     * The model file of PATH (its FILE name), opened (an {@code open} line) at its first mapping.
     * Its size is the st_size a stat call printed for the path or a descriptor of it, else the
     * extent mapped (OFF + LEN, since a program maps what it saw); a later mapping past that end,
     * or a later stat showing more, grows it ({@code ftruncate}). It never shrinks: the converter
     * cannot tell a truncation from a new file under the same path, whose old pages the kernel
     * would keep for the mappings of the old inode.
     */
    private String modelFile(String who, String path, long off, long len, Call c) {
        Long st = statSize.get(path);
        long want = st != null ? st : off + len;
        String v = fileOf.get(path);
        if (v == null) {
            v = "F" + (fileOf.size() + 1);
            fileOf.put(path, v);
            fileSize.put(v, want);
            emit(who + " open " + label(path) + " " + len(want) + " as " + v + "   # trace:" + c.line() + " "
                    + path.replace('\n', ' '));
            count("files");
        } else if (want > fileSize.get(v)) {
            fileSize.put(v, want);
            emit(who + " ftruncate " + v + " " + len(want) + " expect ok   # trace:" + c.line() + " "
                    + (st != null ? "a stat showed " + path + " larger" : "mapped past the end of " + path));
            count("file_growths");
        }
        return v;
    }

    /** The open's NAME for PATH: its last component, sanitized to the language's NAME rules, unique. */
    private String label(String path) {
        String b = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        b = b.substring(b.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9_]", "_");
        if (b.length() > 40) {
            b = b.substring(0, 40);
        }
        if (b.isEmpty() || !Character.isLetter(b.charAt(0))) {
            b = "f_" + b;
        }
        String l = b;
        for (int i = 2; !labels.add(l); i++) {
            l = b + "_" + i;
        }
        return l;
    }

    /** The end of R's pages that lie in its file (a page past the file's end would raise SIGBUS). */
    private long eofEnd(Region r) {
        if (r.fvar() == null) {
            return r.end();
        }
        long in = Layout.pageUp(fileSize.get(r.fvar())) - r.foff();
        return in <= 0 ? r.start() : Math.min(r.end(), r.start() + in);
    }

    private static boolean fixedMmap(Call c) {
        return c.name().startsWith("mmap") && c.args().contains("MAP_FIXED");
    }

    /**
     * Reads the pages of the read-only file mappings made since the task's last other call: up to
     * --touch-cap pages from the bottom of what is left of each, inside the file (a program runs
     * its text and reads its data: the page-cache pages get mapped, page_add_file_rmap). Deferred
     * to the next call that is not a MAP_FIXED mmap so that ld.so's reservation is read only where
     * its segments did not replace it.
     */
    private void flushReads(Layout mm) {
        for (Layout.PendingRead pr : mm.pendingReads) {
            int id = pr.map();
            String who = pr.who();
            long left = opt.touchCap() == 0 ? Long.MAX_VALUE : opt.touchCap();
            Region run = null;
            for (Region r : mm.regions.values()) {
                if (r.map() != id || r.prot() == 0 || left == 0) {
                    continue;
                }
                long e = Math.min(eofEnd(r), r.start() + Math.min(left, (r.end() - r.start()) / Layout.PAGE) * Layout.PAGE);
                if (e <= r.start()) {
                    continue;
                }
                left -= (e - r.start()) / Layout.PAGE;
                if (run != null && run.joins(r)) {
                    run = run.cut(run.start(), e);
                } else {
                    read(who, run);
                    run = r.cut(r.start(), e);
                }
            }
            read(who, run);
        }
        mm.pendingReads.clear();
    }

    private void read(String who, Region r) {
        if (r == null) {
            return;
        }
        long n = (r.end() - r.start()) / Layout.PAGE;
        emit(who + " touch " + rel(r.anchor(), r.base(), r.start()) + " " + n + "p expect ok");
        count("reads");
        counts.merge("pages_read", (int) n, Integer::sum);
    }

    private static final Pattern ST_SIZE = Pattern.compile("\\bstx?_size=(\\d+)");
    private static final Pattern ST_REG = Pattern.compile("\\bstx?_mode=S_IFREG\\b");

    /**
     * The descriptor table: open, openat, creat, memfd_create, close, close_range, dup, dup2, dup3,
     * fcntl F_DUPFD / F_DUPFD_CLOEXEC / F_SETFD, and the st_size of regular files that the stat
     * calls print. A path is the string the trace shows (a relative one is not resolved against
     * the working directory, which strace does not show; one relative to a traced directory
     * descriptor is joined to its path); {@code -y} decorations, where present, win. A descriptor
     * the trace never showed opened (0, 1, 2, or one made by a call not traced) names no file.
     * Close-on-exec is what the trace shows (O_CLOEXEC, FD_CLOEXEC, MFD_CLOEXEC, F_DUPFD_CLOEXEC,
     * CLOSE_RANGE_CLOEXEC); a descriptor whose flags it never shows is kept across execve.
     */
    private void descriptors(Task p, Call c) {
        if (c.failed() || c.noReturn()) {
            return;
        }
        String[] a = args(c.args());
        int r = (int) c.result();
        switch (c.name()) {
            case "open", "creat" -> {
                need(c, a, 1);
                p.fds.opened(r, p.fds.path("AT_FDCWD", a[0]),
                        c.name().equals("creat") || a.length > 1 && hasFlag(a[1], "O_CLOEXEC"));
            }
            case "openat" -> {
                need(c, a, 3);
                p.fds.opened(r, p.fds.path(a[0], a[1]), hasFlag(a[2], "O_CLOEXEC"));
            }
            case "memfd_create" -> {
                need(c, a, 2);
                // Every memfd is a new file, whatever its name.
                p.fds.opened(r, "memfd:" + unquote(a[0]) + "#" + (++memfds), hasFlag(a[1], "MFD_CLOEXEC"));
            }
            case "close" -> {
                need(c, a, 1);
                p.fds.close((int) num(c, a[0]));
            }
            case "close_range" -> {
                need(c, a, 3);
                long lo = num(c, a[0]);
                long hi = num(c, a[1]);
                if (hasFlag(a[2], "CLOSE_RANGE_UNSHARE")) {
                    p.fds = p.fds.copy();
                }
                p.fds.closeRange(lo, hi, hasFlag(a[2], "CLOSE_RANGE_CLOEXEC"));
            }
            case "dup" -> p.fds.dup(a[0], r, false);
            case "dup2" -> {
                need(c, a, 2);
                if (num(c, a[0]) != r) {
                    p.fds.dup(a[0], r, false);
                }
            }
            case "dup3" -> {
                need(c, a, 3);
                p.fds.dup(a[0], r, hasFlag(a[2], "O_CLOEXEC"));
            }
            case "fcntl", "fcntl64" -> {
                need(c, a, 2);
                int fd = (int) num(c, a[0]);
                switch (a[1]) {
                    case "F_DUPFD" -> p.fds.dup(a[0], r, false);
                    case "F_DUPFD_CLOEXEC" -> p.fds.dup(a[0], r, true);
                    case "F_SETFD" -> p.fds.setCloexec(fd, a.length > 2 && hasFlag(a[2], "FD_CLOEXEC"));
                    default -> { }
                }
            }
            default -> stat(p, c, a);
        }
    }

    /** fstat, newfstatat, statx, stat, lstat: the st_size of a regular file, by its path. */
    private void stat(Task p, Call c, String[] a) {
        Matcher size = ST_SIZE.matcher(c.args());
        if (!size.find() || !ST_REG.matcher(c.args()).find()) {
            return;
        }
        String path;
        switch (c.name()) {
            case "fstat", "fstat64" -> path = p.fds.pathOf(a[0]);
            case "stat", "stat64", "lstat", "lstat64" -> path = p.fds.path("AT_FDCWD", a[0]);
            default -> { // newfstatat, fstatat64, statx: DIRFD, PATH, ... (AT_EMPTY_PATH: "" names DIRFD)
                need(c, a, 2);
                path = a[1].equals("\"\"") ? p.fds.pathOf(a[0]) : p.fds.path(a[0], a[1]);
            }
        }
        if (path != null) {
            statSize.put(path, Long.parseLong(size.group(1)));
        }
    }

    /** The text of an strace string ("..." with \" and \\ escaped; a truncated one keeps its "..."). */
    static String unquote(String s) {
        String t = s.strip();
        if (!t.startsWith("\"")) {
            return null;
        }
        boolean truncated = t.endsWith("\"...");
        int end = truncated ? t.length() - 4 : t.length() - 1;
        if (end < 1) {
            return null;
        }
        String body = t.substring(1, end).replace("\\\"", "\"").replace("\\\\", "\\");
        return truncated ? body + "..." : body;
    }

    private static boolean hasFlag(String flags, String f) {
        return ("|" + flags.strip() + "|").contains("|" + f + "|");
    }

    /** munmap, mprotect, madvise, mlock, munlock: one call per run of regions of one anchor. */
    private void ranged(String who, Layout mm, Call c, String[] a, String op, String extra) {
        need(c, a, 2);
        long addr = num(c, a[0]);
        long len = num(c, a[1]);
        long end = addr + Layout.pageUp(len);
        if (c.failed()) {
            Layout.Hull h = mm.hullOf(addr, end);
            if (h == null) {
                comment(c, op + " failed (" + c.errno() + ") outside the traced mappings: skipped");
                return;
            }
            emit(who + " " + op + " " + rel(h.anchor(), h.base(), addr) + " " + len(len) + extra + " expect " + c.errno()
                    + "   # trace:" + c.line());
            count("errors");
            return;
        }
        List<Region> ps = mm.pieces(addr, end);
        List<Region> runs = Layout.runs(ps);
        long covered = 0;
        for (Region r : ps) {
            covered += r.end() - r.start();
        }
        if (runs.isEmpty()) {
            comment(c, op + " outside the traced mappings: skipped");
        } else if (covered < end - addr && !op.equals("munmap")) {
            comment(c, op + " partly outside the traced mappings: only the traced part");
        }
        for (Region r : runs) {
            long l = r.start() == addr && r.end() == end ? len : r.end() - r.start();
            emit(who + " " + op + " " + rel(r.anchor(), r.base(), r.start()) + " " + len(l) + extra + " expect ok   # trace:"
                    + c.line());
            count(op);
        }
        switch (op) {
            case "munmap" -> mm.remove(addr, end);
            case "mprotect" -> {
                int prot = prot(c, args(c.args())[2]);
                for (Region r : ps) {
                    mm.add(r.withProt(prot));
                    if (!r.skipped() && r.prot() == 0 && (prot & 2) != 0) {
                        touch(who, r.anchor(), r.base(), r.start(), eofEnd(r), false);
                    }
                }
            }
            default -> { }
        }
    }

    private void unmapPieces(String who, Layout mm, long s, long e, Call c) {
        for (Region r : Layout.runs(mm.pieces(s, e))) {
            emit(who + " munmap " + rel(r.anchor(), r.base(), r.start()) + " " + len(r.end() - r.start())
                    + " expect ok   # trace:" + c.line() + " (replaced by a fixed mmap)");
            count("munmap");
        }
        mm.remove(s, e);
    }

    private void mremap(String who, Layout mm, Call c, String[] a) {
        need(c, a, 4);
        long old = num(c, a[0]);
        long oldLen = num(c, a[1]);
        long newLen = num(c, a[2]);
        List<String> flags = new ArrayList<>();
        boolean fixed = false;
        boolean dontunmap = false;
        for (String f : a[3].split("\\|")) {
            switch (f) {
                case "MREMAP_MAYMOVE" -> flags.add("maymove");
                case "MREMAP_FIXED" -> {
                    flags.add("fixed");
                    fixed = true;
                }
                case "MREMAP_DONTUNMAP" -> {
                    flags.add("dontunmap");
                    dontunmap = true;
                }
                case "0" -> { }
                default -> throw error(c, "mremap: unknown flag " + f);
            }
        }
        String f = flags.isEmpty() ? "0" : String.join("|", flags);
        long oldEnd = old + Layout.pageUp(oldLen);
        List<Region> ps = mm.pieces(old, Math.max(oldEnd, old + 1));
        List<Region> runs = Layout.runs(ps);
        Region src = runs.size() == 1 && runs.get(0).start() == old ? runs.get(0) : null;
        String newAddr = "";
        if (fixed) {
            long na = num(c, a[4]);
            Layout.Hull h = mm.hullOf(na, na + Layout.pageUp(newLen));
            if (h == null) {
                src = null;
            } else {
                newAddr = " " + rel(h.anchor(), h.base(), na);
            }
        }
        if (src == null) {
            comment(c, "mremap of memory the trace did not map (or to an unknown place): skipped");
            if (!c.failed()) {
                mm.remove(old, oldEnd);
                mm.remove(c.result(), c.result() + Layout.pageUp(newLen));
            }
            return;
        }
        String from = rel(src.anchor(), src.base(), old);
        if (c.failed()) {
            emit(who + " mremap " + from + " " + len(oldLen) + " " + len(newLen) + " " + f + newAddr + " expect "
                    + c.errno() + "   # trace:" + c.line());
            count("errors");
            return;
        }
        long r = c.result();
        long newEnd = r + Layout.pageUp(newLen);
        String anchor;
        long base;
        if (!flags.contains("maymove")) {
            // In place: the address cannot change, so the model must agree on it.
            emit(who + " mremap " + from + " " + len(oldLen) + " " + len(newLen) + " " + f + " expect " + from
                    + "   # trace:" + c.line());
            anchor = src.anchor();
            base = src.base();
        } else {
            anchor = "M" + (++anchors);
            base = r;
            emit(who + " mremap " + from + " " + len(oldLen) + " " + len(newLen) + " " + f + newAddr + " as " + anchor
                    + "   # trace:" + c.line());
        }
        count("mremap");
        if (!dontunmap) {
            mm.remove(old, oldEnd);
        }
        // The moved vmas keep their protections; a grown tail takes the last one's (vma_expand).
        int lastProt = src.prot();
        Region last = null;
        for (Region q : ps) {
            if (!q.skipped() && q.start() - old < newEnd - r) {
                mm.add(new Region(r + (q.start() - old), Math.min(newEnd, r + (q.end() - old)), anchor, base, q.prot(), false,
                        q.fvar(), q.foff(), q.map()));
                lastProt = q.prot();
                last = q;
            }
        }
        long tail = r + Layout.pageUp(oldLen);
        if (newEnd > tail) {
            Region t = last == null || last.fvar() == null ? new Region(tail, newEnd, anchor, base, lastProt, false)
                    : new Region(tail, newEnd, anchor, base, lastProt, false, last.fvar(),
                            last.foff() + (tail - r) - (last.start() - old), last.map());
            mm.add(t);
            if ((lastProt & 2) != 0) {
                touch(who, anchor, base, tail, eofEnd(t), false);
            }
        }
    }

    private void brk(String who, Layout mm, Call c, String[] a) {
        need(c, a, 1);
        long addr = num(c, a[0]);
        long r = c.result();
        if (mm.heap == null) {
            if (addr != 0) {
                comment(c, "brk before the first brk(NULL) of the image: skipped");
                return;
            }
            mm.heap = "H" + (++heaps);
            mm.heapBase = r;
            mm.brk = r;
            emit(who + " brk 0 as " + mm.heap + "   # trace:" + c.line());
            count("brk");
            return;
        }
        String h = mm.heap;
        emit(who + " brk " + (addr == 0 ? "0" : rel(h, mm.heapBase, addr)) + " expect " + rel(h, mm.heapBase, r)
                + "   # trace:" + c.line());
        count("brk");
        long oldEnd = Layout.pageUp(mm.brk);
        long newEnd = Layout.pageUp(r);
        mm.brk = r;
        if (newEnd > oldEnd) {
            mm.add(new Region(oldEnd, newEnd, h, mm.heapBase, 3, false));
            touch(who, h, mm.heapBase, oldEnd, newEnd, false);
        } else if (newEnd < oldEnd) {
            mm.remove(newEnd, oldEnd);
        }
    }

    private void touch(String who, String anchor, long base, long s, long e, boolean top) {
        if (opt.touch() == Touch.NONE || e <= s) {
            return;
        }
        long pages = (e - s) / Layout.PAGE;
        long n = opt.touchCap() == 0 ? pages : Math.min(pages, opt.touchCap());
        long from = top ? e - n * Layout.PAGE : s;
        emit(who + " write " + rel(anchor, base, from) + " " + n + "p 0x" + Long.toHexString(++writeValue)
                + " expect ok");
        count("writes");
        counts.merge("pages_written", (int) n, Integer::sum);
    }

    // ---------------------------------------------------------------- text

    private void emit(String line) {
        out.append(line).append('\n');
    }

    private void comment(Call c, String what) {
        out.append("# trace:").append(c.line()).append(' ').append(c.name()).append(": ").append(what).append('\n');
        count("skipped");
    }

    static String rel(String anchor, long base, long addr) {
        long off = addr - base;
        if (off == 0) {
            return anchor;
        }
        String sign = off < 0 ? "-" : "+";
        long m = Math.abs(off);
        StringBuilder b = new StringBuilder(anchor);
        if (m / Layout.PAGE != 0) {
            b.append(sign).append(m / Layout.PAGE).append('p');
        }
        if (m % Layout.PAGE != 0) {
            b.append(sign).append(m % Layout.PAGE);
        }
        return b.toString();
    }

    static String len(long l) {
        return l != 0 && l % Layout.PAGE == 0 ? (l / Layout.PAGE) + "p" : Long.toString(l);
    }

    private static String protText(int p) {
        if (p == 0) {
            return "none";
        }
        return ((p & 1) != 0 ? "r" : "") + ((p & 2) != 0 ? "w" : "") + ((p & 4) != 0 ? "x" : "");
    }

    private int prot(Call c, String s) {
        int p = 0;
        for (String f : s.split("\\|")) {
            switch (f) {
                case "PROT_NONE", "0" -> { }
                case "PROT_READ" -> p |= 1;
                case "PROT_WRITE" -> p |= 2;
                case "PROT_EXEC" -> p |= 4;
                case "PROT_SEM", "PROT_GROWSDOWN", "PROT_GROWSUP" -> { }
                default -> throw error(c, c.name() + ": unknown protection " + f);
            }
        }
        return p;
    }

    private long num(Call c, String s) {
        String t = s.strip();
        int lt = t.indexOf('<'); // -y: 3</path>
        if (lt > 0) {
            t = t.substring(0, lt);
        }
        try {
            if (t.equals("NULL")) {
                return 0;
            }
            if (t.startsWith("0x")) {
                return Long.parseUnsignedLong(t.substring(2), 16);
            }
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw error(c, c.name() + ": '" + StraceParser.abbreviate(s) + "' is not a number");
        }
    }

    private void need(Call c, String[] a, int n) {
        if (a.length < n) {
            throw error(c, c.name() + " needs " + n + " arguments, the trace shows " + a.length);
        }
    }

    /** Top-level comma-separated arguments (brackets, braces and strings kept whole). */
    static String[] args(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean str = false;
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (str) {
                cur.append(ch);
                if (ch == '\\' && i + 1 < s.length()) {
                    cur.append(s.charAt(++i));
                } else if (ch == '"') {
                    str = false;
                }
                continue;
            }
            switch (ch) {
                case '"' -> {
                    str = true;
                    cur.append(ch);
                }
                case '[', '{', '(' -> {
                    depth++;
                    cur.append(ch);
                }
                case ']', '}', ')' -> {
                    depth--;
                    cur.append(ch);
                }
                case ',' -> {
                    if (depth == 0) {
                        out.add(cur.toString().strip());
                        cur.setLength(0);
                    } else {
                        cur.append(ch);
                    }
                }
                default -> cur.append(ch);
            }
        }
        if (!cur.toString().isBlank() || !out.isEmpty()) {
            out.add(cur.toString().strip());
        }
        return out.toArray(new String[0]);
    }
}
