package org.rmaplab.traces;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.IntConsumer;

import org.rmaplab.mm.MachineConfig;
import org.rmaplab.traces.StraceParser.Call;

/**
 * Turns an strace trace ({@link StraceParser}) into a scenario (docs/scenario-language.md) that the
 * model runs under every design. What the model cannot see or do, and how it is treated (each
 * point is in docs/traces.md, "Traces of real programs"):
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
 *       names the path through the task's descriptor table ({@link DescriptorTable}, kept by
 *       {@link DescriptorCalls}: what the trace shows of open, openat, creat, memfd_create,
 *       close, close_range, dup*, fcntl; fork copies the table, CLONE_FILES shares it, execve
 *       unshares it and closes what is close-on-exec).
 *       The size is a stat's st_size, else the extent mapped, grown by a later mapping past it
 *       ({@link ModelFiles}). A descriptor the trace never showed opened names no file: its
 *       mapping is anonymous (a comment says so). {@code --files anon}: a file mmap becomes a
 *       private (or shared) anonymous mapping of the same size and protection; {@code --files
 *       skip}: it is skipped with everything the trace does inside it.
 *   <li><b>Accesses.</b> strace shows none. {@code --touch write-new} (default) writes every page
 *       that becomes writable (a writable mmap, brk growth, mremap growth, mprotect of PROT_NONE
 *       memory to writable) up to {@code --touch-cap} pages per call (0: no cap; the top pages of
 *       MAP_STACK/MAP_GROWSDOWN mappings), and reads up to as many pages of every read-only file
 *       mapping ({@link Accesses#flushReads}); file pages only inside the file. {@code --touch none}
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
 *
 * <p><b>perf traces</b> ({@code rmaplab trace record}: perf script text, recognised by content)
 * are read by {@link PerfParser} into the same calls, converted by the same parts, plus the
 * program's real user page faults, each replayed by {@link Faults} as a write or a read of its
 * page; {@code --touch} does not apply to them. See docs/traces.md, "perf traces: the real page faults".
 *
 * <p>This class is the entry point ({@link #convert}, {@link Options}, {@link Result}); the parts
 * are: {@link TaskCalls} (the tasks, each call to its task; fork, vfork, clone, execve, exit),
 * {@link DescriptorCalls} and {@link DescriptorTable} (the descriptors), {@link MemoryCalls}
 * (munmap, mprotect, madvise, mlock, munlock, brk), {@link MmapCall}, {@link MremapCall},
 * {@link Layout} and {@link Region} (each traced mm), {@link Anchors} (the names bound),
 * {@link ModelFiles} ({@code --files file}), {@link Accesses} ({@code --touch}),
 * {@link StraceArgs} (reading a call's arguments) and {@link ScenarioWriter} (the text written),
 * tied together by a {@link Conversion}.
 */
public final class TraceConverter {
    /** {@code --touch}: which accesses the converter adds ({@link Accesses}). */
    public enum Touch { NONE, WRITE_NEW }

    /** {@code --files}: what a file mapping becomes (a model file's mapping, an anonymous one, nothing). */
    public enum Files { ANON, SKIP, FILE }

    /**
     * The options of {@code rmaplab trace convert}, each written in the scenario's header
     * ({@link #describe}).
     *
     * @param touch       {@code --touch none|write-new}
     * @param touchCap    {@code --touch-cap}: at most this many pages written or read per call (0: no cap)
     * @param files       {@code --files file|anon|skip}
     * @param vforkAsFork {@code --vfork fork}: a vfork child is forked from its parent (a copy of
     *                    its mm, as fork would make) instead of from the empty t1 ({@code --vfork empty})
     * @param relocateAnon {@code --relocate-anon}: every mremap that moved anonymous memory gets
     *                    {@code relocate_anon} (MREMAP_RELOCATE_ANON, Lorenzo Stoakes' series of
     *                    2025), which no real program passes ({@link MremapCall}); for
     *                    {@code anon_vma_chain:relocate} only: every other design answers EINVAL
     */
    public record Options(Touch touch, int touchCap, Files files, boolean vforkAsFork, boolean relocateAnon) {
        public static final Options DEFAULT = new Options(Touch.WRITE_NEW, 64, Files.FILE, false);

        /** Without {@code --relocate-anon}. */
        public Options(Touch touch, int touchCap, Files files, boolean vforkAsFork) {
            this(touch, touchCap, files, vforkAsFork, false);
        }

        /** These options with {@code --relocate-anon}. */
        public Options relocatingAnon() {
            return new Options(touch, touchCap, files, vforkAsFork, true);
        }

        public String describe() {
            return "--touch " + touch.name().toLowerCase(Locale.ROOT).replace('_', '-') + " --touch-cap " + touchCap
                    + " --files " + files.name().toLowerCase(Locale.ROOT) + " --vfork " + (vforkAsFork ? "fork" : "empty")
                    + (relocateAnon ? " --relocate-anon" : "");
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

    private TraceConverter() {}

    /**
     * The header of a scenario converted by {@link #convert(String, InputStream, Options, Appendable,
     * IntConsumer)} (comments, and for a perf trace the machine line), to be written before the
     * lines, and the counts of what went into it.
     */
    public record Head(String header, Map<String, Integer> counts) {}

    /** Converts the strace or perf script text TEXT (FILE names it in messages and in the header). */
    public static Result convert(String file, String text, Options opt) {
        StringBuilder body = new StringBuilder();
        Head h = convert(file, TraceLines.of(text), opt, body);
        return new Result(h.header() + body, h.counts());
    }

    /**
     * Converts the trace read from IN (gzip'd or not; FILE names it in messages and in the header),
     * writing the scenario's lines to BODY as they are made, and reporting every
     * {@link TraceLines#EVERY} lines read to PROGRESS: a perf trace is read line by line, and only
     * the tasks, their mappings and the calls under way are kept, so memory does not grow with the
     * trace (strace traces, small, are read whole). Returns the header to be written before BODY.
     * Bad input is a {@link TraceError}; text that is not UTF-8 a
     * {@link java.nio.charset.CharacterCodingException} inside an {@link UncheckedIOException}.
     */
    public static Head convert(String file, InputStream in, Options opt, Appendable body, IntConsumer progress)
            throws IOException {
        try {
            return convert(file, TraceLines.of(in).progress(progress), opt, body);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Whether the first non-blank line of the text IN reads is a perf script event line (peeked: nothing is consumed). */
    public static boolean looksLikePerf(InputStream in) throws IOException {
        try {
            return PerfParser.isEventLine(TraceLines.of(in).firstNonBlank());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Head convert(String file, TraceLines lines, Options opt, Appendable body) {
        if (PerfParser.isEventLine(lines.firstNonBlank())) {
            return convertPerf(file, lines, opt, body);
        }
        String text = lines.rest();
        if (text.isBlank()) {
            throw new TraceError(file, 1, "empty trace");
        }
        StraceParser.Parsed parsed = StraceParser.read(file, text);
        Conversion cx = Conversion.start(file, opt, body);
        TaskCalls tasks = new TaskCalls(cx);
        for (Call call : parsed.calls()) {
            tasks.dispatch(call);
        }
        tasks.finish();
        for (StraceParser.Unfinished u : parsed.unfinished()) {
            // Its result is unknown: named and counted, never replayed (StraceParser's class comment).
            cx.out().comment(new Call(u.line(), u.pid(), u.name(), u.args(), 0, null, false),
                    "unfinished: " + u.why() + "; not converted");
            cx.out().count("unfinished");
        }
        String header = "# Converted by `rmaplab trace convert` from " + file.replace('\\', '/') + " (strace); do not edit.\n"
                + "# Options: " + opt.describe() + ". See docs/traces.md.\n"
                + "# " + cx.out().counts() + "\n";
        return new Head(header, Map.copyOf(cx.out().counts()));
    }

    /**
     * Converts the perf script lines of IN ({@link PerfParser}) as they are read: the same tasks and
     * calls, with the real page faults ({@link Faults}) in place of {@code --touch}'s accesses,
     * which are off, and a machine line sized to the trace ({@link Footprint}).
     */
    private static Head convertPerf(String file, TraceLines lines, Options given, Appendable body) {
        Options opt = new Options(Touch.NONE, given.touchCap(), given.files(), given.vforkAsFork(), given.relocateAnon());
        Conversion cx = Conversion.start(file, opt, body);
        TaskCalls tasks = new TaskCalls(cx);
        Map<String, Integer> skipped = PerfParser.parse(file, lines, tasks::dispatch);
        tasks.finish();
        String header = "# Converted by `rmaplab trace convert` from " + file.replace('\\', '/') + " (perf script); do not edit.\n"
                + "# Options: --files " + opt.files().name().toLowerCase(Locale.ROOT) + " --vfork "
                + (opt.vforkAsFork() ? "fork" : "empty") + (opt.relocateAnon() ? " --relocate-anon" : "")
                + " (the trace's page faults are the accesses: --touch does not apply)."
                + " See docs/traces.md.\n"
                + "# " + cx.out().counts() + "\n"
                + (skipped.isEmpty() ? "" : "# perf events skipped: " + skipped + "\n")
                + cx.footprint().machineLine(cx.files().pages(), MachineConfig.DEFAULT_RAM);
        return new Head(header, Map.copyOf(cx.out().counts()));
    }
}
