package org.rmaplab.scenario;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.check.InvariantViolation;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;

/**
 * Runs a parsed {@link Scenario} under one design on a fresh {@link Syscalls} from a
 * {@link SyscallsFactory}.
 *
 * <ul>
 *   <li>{@code t1} is {@link Syscalls#initTask()}; {@code fork}/{@code clone} bind new tasks.
 *   <li>A call that fails (an errno, SEGV, BUS, MIXED for read) leaves its {@code as} NAME unbound;
 *       using it later, or using a task after its {@code exit}, throws a {@link ScenarioError}.
 *   <li>Each line's expectation (its scoped one for this design, else the unscoped one) is compared
 *       with the actual result; a mismatch is a {@link RunResult.Failure} and the run goes on.
 *   <li>An {@link InvariantViolation} is a failure and ends the run. {@code check} calls
 *       {@link Syscalls#checkNow()}, which a wrapper (compare's Meter) passes on to the oracle, and
 *       the end of the run {@link CheckedSyscalls#finish()} (a no-op on another Syscalls: whoever
 *       wraps the oracle finishes it).
 *   <li>Any other exception from the model is wrapped in a {@link ModelError} (a bug in the model).
 * </ul>
 */
public final class ScenarioRunner {
    private final SyscallsFactory factory;

    public ScenarioRunner(SyscallsFactory factory) {
        this.factory = factory;
    }

    /**
     * Told after each line of a run (the explorer records the machine's state there): the
     * statement, its canonical result, and the failed expectation's message or null.
     */
    @FunctionalInterface
    public interface LineListener {
        void afterLine(Statement s, String result, String failure);
    }

    /** Runs SCENARIO under DESIGN; see the class comment for what it throws. */
    public RunResult run(Scenario scenario, String design) {
        return run(scenario, design, null);
    }

    /** {@link #run(Scenario, String)}, telling LISTENER (unless null) after each line. */
    public RunResult run(Scenario scenario, String design, LineListener listener) {
        Syscalls sys;
        try {
            sys = factory.create(design, scenario.machine());
        } catch (ScenarioError | InvariantViolation e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelError(scenario.file(), 0, design, e);
        }
        Run r = new Run(scenario, design, sys);
        r.listener = listener;
        return r.run();
    }

    /**
     * A {@link Session} on a fresh machine of SCENARIO's configuration from this runner's factory,
     * for a caller that steps SCENARIO's lines itself and looks at the machine between them
     * ({@code fuzz} compares two designs' vma layouts line by line). Throws as {@link #run} does.
     */
    public Session session(Scenario scenario, String design) {
        Syscalls sys;
        try {
            sys = factory.create(design, scenario.machine());
        } catch (ScenarioError | InvariantViolation e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelError(scenario.file(), 0, design, e);
        }
        return new Session(scenario, design, sys);
    }

    /**
     * A run fed one statement at a time, for a generator that reads the model's state after each
     * line before it writes the next (the lines it fed are still a scenario that {@link #run} replays).
     * {@code t1} is bound at creation; nothing is recorded but the last result.
     */
    public static final class Session {
        private final Run run;
        private Actual last;

        /** A session on SYS (fresh, t1 not yet made) under DESIGN; FILE names it in messages. */
        public Session(String file, String design, Syscalls sys) {
            this(new Scenario(file, MachineConfig.defaults(), List.of()), design, sys);
        }

        private Session(Scenario sc, String design, Syscalls sys) {
            run = new Run(sc, design, sys);
            run.keepOutcomes = false;
            run.bound.bind("t1", sys.initTask());
        }

        /** The model's /proc/PID/maps of T ({@link Syscalls#maps}). */
        public List<String> maps(Task t) {
            return run.sys.maps(t);
        }

        /**
         * Runs S: an {@link InvariantViolation} or {@link ScenarioError} is thrown as it is, any other
         * exception of the model as a {@link ModelError}. Returns the canonical result.
         */
        public String step(Statement s) {
            run.cur = s;
            try {
                last = run.step(s);
            } catch (InvariantViolation | ScenarioError e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ModelError(run.sc.file(), s.line(), run.design, e);
            }
            return canonical(s.op().result(), last);
        }

        /** Whether the last statement failed (an errno or a fault). */
        public boolean failed() {
            return last.failed();
        }

        /** The last statement's number (an address, status, count or value read); 0 for the others. */
        public long value() {
            return last.kind == Kind.NUMBER ? last.value : 0;
        }

        /** The task bound to NAME, or null (never bound, its fork failed, it exited or it is gone). */
        public Task task(String name) {
            return run.bound.get(name) instanceof Task t && t.isAlive() && !run.exitedAt.containsKey(t) ? t : null;
        }

        /** The number {@link Syscalls#open} returned for the file bound to NAME, or -1. */
        public long file(String name) {
            return run.bound.get(name) instanceof FileRef f ? f.number() : -1;
        }

        /** The failed expectations so far (the statements a generator feeds usually have none). */
        public List<RunResult.Failure> failures() {
            return List.copyOf(run.failures);
        }
    }

    /** The actual result of a line. */
    private enum Kind { NUMBER, ERRNO, FAULT, MIXED, VMA, NO_VMA, TASK, FILE, DONE }

    /** What a FILE name is bound to: the number {@link Syscalls#open} returned. */
    private record FileRef(long number) {}

    private record Actual(Kind kind, long value, Syscalls.VmaInfo vma, Task task) {
        Actual(Kind kind, long value) {
            this(kind, value, null, null);
        }

        static Actual of(long ret) {
            return Errno.isError(ret) ? new Actual(Kind.ERRNO, -ret) : new Actual(Kind.NUMBER, ret);
        }

        boolean failed() {
            return kind == Kind.ERRNO || kind == Kind.FAULT;
        }
    }

    private static final class Run {
        final Scenario sc;
        final String design;
        final Syscalls sys;
        final Bindings bound = new Bindings(this::error);
        final Map<Task, Integer> exitedAt = new IdentityHashMap<>();
        final List<RunResult.Failure> failures = new ArrayList<>();
        final List<RunResult.LineOutcome> outcomes = new ArrayList<>();
        final Syscalls.ReadResult rr = new Syscalls.ReadResult();
        boolean keepOutcomes = true;
        LineListener listener;
        Statement cur;
        /** The text the current line printed besides its result ({@code maps}'s lines), else empty. */
        List<String> text = List.of();

        Run(Scenario sc, String design, Syscalls sys) {
            this.sc = sc;
            this.design = design;
            this.sys = sys;
        }

        RunResult run() {
            int line = 0;
            try {
                bound.bind("t1", sys.initTask());
                for (Statement s : sc.statements()) {
                    cur = s;
                    line = s.line();
                    step(s);
                }
                line = sc.lastLine();
                if (sys instanceof CheckedSyscalls c) {
                    c.finish();
                }
            } catch (InvariantViolation v) {
                failures.add(new RunResult.Failure(Math.max(line, 1), "invariant violated: " + v.getMessage(), true));
            } catch (ScenarioError e) {
                throw e;
            } catch (RuntimeException e) {
                throw new ModelError(sc.file(), line, design, e);
            }
            return new RunResult(sc.file(), design, sc.statements().size(), failures, outcomes);
        }

        ScenarioError error(String what) {
            return new ScenarioError(sc.file(), cur.line(), what);
        }

        Actual step(Statement s) {
            Task t = s.task() == null ? null : task(s.task());
            text = List.of();
            Actual a = execute(s, t);
            if (t != null && !t.isAlive() && s.op() != Op.EXIT) {
                // The OOM killer ended the task during the call (or exec ended this thread).
                a = new Actual(Kind.FAULT, Syscalls.ACCESS_KILLED);
                exitedAt.put(t, s.line());
            }
            if (keepOutcomes) {
                outcomes.add(new RunResult.LineOutcome(s.line(), canonical(s.op().result(), a), text));
            }
            Expectation e = s.expectationFor(design);
            String failure = null;
            if (e != null && !matches(e, a)) {
                failure = "expected " + describe(s.op().result(), e) + ", got " + canonical(s.op().result(), a);
                failures.add(new RunResult.Failure(s.line(), failure, false));
            }
            if (s.op() == Op.EXIT && !a.failed()) {
                exitedAt.put(t, s.line());
            }
            if (s.as() != null) {
                if (a.failed() || a.kind == Kind.MIXED) {
                    bound.unbind(s.as(), "the call at line " + s.line() + " that binds it failed");
                } else {
                    bound.bind(s.as(), boundValue(s, a));
                }
            }
            if (listener != null) {
                listener.afterLine(s, canonical(s.op().result(), a), failure);
            }
            return a;
        }

        static Object boundValue(Statement s, Actual a) {
            if (a.kind == Kind.FILE) {
                return new FileRef(a.value);
            }
            return a.kind == Kind.TASK ? a.task : (Object) a.value;
        }

        Actual execute(Statement s, Task t) {
            return switch (s.op()) {
                case MMAP, MUNMAP, MPROTECT, MREMAP, MADVISE, MLOCK, MUNLOCK, BRK -> memoryCall(s, t);
                case OPEN, FTRUNCATE, REMAP_FILE_PAGES -> fileCall(s, t);
                case WRITE, ADD, TOUCH, READ -> accessCall(s, t);
                case FORK, CLONE, EXEC, EXIT -> taskCall(s, t);
                case VMA, VMAS, MAPS -> procMapsCall(s, t);
                case UFFD_REGISTER, UFFD_MOVE, UFFD_COPY, REMAP_ANON_PAGES -> userfaultfdCall(s, t);
                case CHECK, RECLAIM -> globalOp(s);
                // Every operation of the language is wired above.
                default -> throw notWired(s);
            };
        }

        static IllegalStateException notWired(Statement s) {
            return new IllegalStateException(s.op().word() + " is not wired into the runner");
        }

        /** The memory system calls: mmap (anonymous or of a file), munmap, mprotect, mremap, madvise, mlock, munlock, brk. */
        Actual memoryCall(Statement s, Task t) {
            return switch (s.op()) {
                case MMAP -> s.args().size() > 4
                        ? Actual.of(sys.mmap(t, addr(s, 0), addr(s, 1), prot(s, 2), flags(s, 3), file(s, 4), addr(s, 5)))
                        : Actual.of(sys.mmap(t, addr(s, 0), addr(s, 1), prot(s, 2), flags(s, 3)));
                case MUNMAP -> Actual.of(sys.munmap(t, addr(s, 0), addr(s, 1)));
                case MPROTECT -> Actual.of(sys.mprotect(t, addr(s, 0), addr(s, 1), prot(s, 2)));
                case MREMAP -> {
                    long newAddr = s.args().size() > 4 ? addr(s, 4) : 0;
                    yield Actual.of(sys.mremap(t, addr(s, 0), addr(s, 1), addr(s, 2), flags(s, 3), newAddr));
                }
                case MADVISE -> Actual.of(sys.madvise(t, addr(s, 0), addr(s, 1), ((Arg.Advice) s.arg(2)).value()));
                case MLOCK -> Actual.of(sys.mlock(t, addr(s, 0), addr(s, 1)));
                case MUNLOCK -> Actual.of(sys.munlock(t, addr(s, 0), addr(s, 1)));
                case BRK -> Actual.of(sys.brk(t, addr(s, 0)));
                default -> throw notWired(s);
            };
        }

        /** The tmpfs file calls: open, ftruncate, remap_file_pages. */
        Actual fileCall(Statement s, Task t) {
            return switch (s.op()) {
                case OPEN -> {
                    long r = sys.open(t, ((Arg.Name) s.arg(0)).text(), addr(s, 1));
                    yield Errno.isError(r) ? new Actual(Kind.ERRNO, -r) : new Actual(Kind.FILE, r);
                }
                case FTRUNCATE -> Actual.of(sys.ftruncate(t, file(s, 0), addr(s, 1)));
                // The harness passes prot 0 and flags 0, as the emulation demands.
                case REMAP_FILE_PAGES -> Actual.of(sys.remapFilePages(t, addr(s, 0), addr(s, 1), 0, addr(s, 2), 0));
                default -> throw notWired(s);
            };
        }

        /** The user accesses: write, touch, read (a value, or MIXED). */
        Actual accessCall(Statement s, Task t) {
            return switch (s.op()) {
                case WRITE -> access(sys.write(t, addr(s, 0), addr(s, 1), addr(s, 2)));
                case ADD -> access(sys.add(t, addr(s, 0), addr(s, 1), addr(s, 2)));
                case TOUCH -> access(sys.touch(t, addr(s, 0), addr(s, 1)));
                case READ -> {
                    long len = s.args().size() > 1 ? addr(s, 1) : 0;
                    rr.value = 0;
                    rr.mixed = false;
                    int r = sys.read(t, addr(s, 0), len, rr);
                    if (r != Syscalls.ACCESS_OK) {
                        yield access(r);
                    }
                    yield rr.mixed ? new Actual(Kind.MIXED, 0) : new Actual(Kind.NUMBER, rr.value);
                }
                default -> throw notWired(s);
            };
        }

        /** The task calls: fork, clone, exec, exit. */
        Actual taskCall(Statement s, Task t) {
            return switch (s.op()) {
                case FORK, CLONE -> {
                    Task child = s.op() == Op.FORK ? sys.fork(t) : sys.clone(t);
                    // The Syscalls interface has no errno for fork/clone: null means it failed.
                    yield child == null ? new Actual(Kind.ERRNO, Errno.ENOMEM) : new Actual(Kind.TASK, 0, null, child);
                }
                case EXEC -> Actual.of(sys.exec(t));
                case EXIT -> Actual.of(sys.exit(t));
                default -> throw notWired(s);
            };
        }

        /**
         * What /proc/PID/maps shows: vma (the one at an address), vmas (the count in a range), maps
         * (the whole file: its number of lines, the lines kept in {@link #text} for the outcome).
         */
        Actual procMapsCall(Statement s, Task t) {
            if (s.op() == Op.MAPS) {
                text = sys.maps(t);
                return new Actual(Kind.NUMBER, text.size());
            }
            if (s.op() == Op.VMAS) {
                return Actual.of(sys.vmasIn(t, addr(s, 0), addr(s, 1)));
            }
            Syscalls.VmaInfo v = sys.vmaAt(t, addr(s, 0));
            return v == null ? new Actual(Kind.NO_VMA, 0) : new Actual(Kind.VMA, 0, v, null);
        }

        /** The userfaultfd calls: UFFDIO_REGISTER, UFFDIO_MOVE, UFFDIO_COPY, and remap_anon_pages. */
        Actual userfaultfdCall(Statement s, Task t) {
            if (s.op() == Op.UFFD_REGISTER) {
                return Actual.of(sys.uffdRegister(t, addr(s, 0), addr(s, 1)));
            }
            long dst = addr(s, 0);
            long src = addr(s, 1);
            long len = addr(s, 2);
            int flags = s.args().size() > 3 ? flags(s, 3) : 0;
            return switch (s.op()) {
                case UFFD_MOVE -> Actual.of(sys.uffdMove(t, dst, src, len, flags));
                case UFFD_COPY -> Actual.of(sys.uffdCopy(t, dst, src, len, flags));
                case REMAP_ANON_PAGES -> Actual.of(sys.remapAnonPages(t, dst, src, len, flags));
                default -> throw notWired(s);
            };
        }

        /** The global operations: check (the oracle's full check now), reclaim. */
        Actual globalOp(Statement s) {
            if (s.op() == Op.CHECK) {
                sys.checkNow(); // through any wrapper (compare's Meter) to the oracle
                return new Actual(Kind.DONE, 0);
            }
            // The count freed is the model's business (the kernel harness cannot tell it),
            // so the result is ok.
            long count = s.arg(0) instanceof Arg.All ? Long.MAX_VALUE : addr(s, 0);
            sys.reclaim(count);
            return new Actual(Kind.DONE, 0);
        }

        Actual access(int r) {
            return switch (r) {
                case Syscalls.ACCESS_OK -> new Actual(Kind.NUMBER, 0);
                case Syscalls.ACCESS_SEGV, Syscalls.ACCESS_BUS, Syscalls.ACCESS_KILLED -> new Actual(Kind.FAULT, r);
                default -> throw new IllegalStateException("access returned " + r
                        + " (not ACCESS_OK, ACCESS_SEGV or ACCESS_BUS)");
            };
        }

        // ------------------------------------------------------------ values

        Task task(String name) {
            Object v = lookup(name);
            if (!(v instanceof Task t)) {
                throw error("'" + name + "' is not a task");
            }
            Integer exited = exitedAt.get(t);
            if (exited != null) {
                throw error("task '" + name + "' has exited (line " + exited + ")");
            }
            if (!t.isAlive()) {
                throw error("task '" + name + "' is gone");
            }
            return t;
        }

        Object lookup(String name) {
            return bound.lookup(name);
        }

        long eval(Expr e) {
            return bound.eval(e);
        }

        long addr(Statement s, int i) {
            return eval((Expr) s.arg(i));
        }

        long file(Statement s, int i) {
            String name = ((Arg.Name) s.arg(i)).text();
            if (!(lookup(name) instanceof FileRef f)) {
                throw error("'" + name + "' is not a file");
            }
            return f.number();
        }

        static int prot(Statement s, int i) {
            return ((Arg.Prot) s.arg(i)).value();
        }

        static int flags(Statement s, int i) {
            return ((Arg.Flags) s.arg(i)).value();
        }

        // ------------------------------------------------------------ results

        boolean matches(Expectation e, Actual a) {
            if (e instanceof Expectation.Ok) {
                return !a.failed();
            } else if (e instanceof Expectation.Err err) {
                return a.kind == Kind.ERRNO && a.value == err.errno();
            } else if (e instanceof Expectation.Fault f) {
                return a.kind == Kind.FAULT && a.value == f.access();
            } else if (e instanceof Expectation.Mixed) {
                return a.kind == Kind.MIXED;
            } else if (e instanceof Expectation.NoVma) {
                return a.kind == Kind.NO_VMA;
            } else if (e instanceof Expectation.Value v) {
                return a.kind == Kind.NUMBER && a.value == eval(v.expr());
            } else if (e instanceof Expectation.Vma v) {
                return a.kind == Kind.VMA && a.vma.start() == eval(v.start())
                        && a.vma.end() == eval(v.end()) && a.vma.perms().equals(v.perms());
            }
            throw new AssertionError(e);
        }

        String describe(Op.Result r, Expectation e) {
            if (e instanceof Expectation.Value v) {
                return withValue(v.expr(), number(r, eval(v.expr())));
            } else if (e instanceof Expectation.Vma v) {
                return vma(eval(v.start()), eval(v.end()), v.perms());
            }
            return e.toString();
        }

        static String withValue(Expr e, String value) {
            return e.hasName() ? e.text() + " = " + value : value;
        }
    }

    /** The canonical text of a result (see {@link RunResult.LineOutcome}). */
    private static String canonical(Op.Result r, Actual a) {
        return switch (a.kind) {
            case NUMBER -> number(r, a.value);
            case ERRNO -> Errno.name((int) a.value);
            case FAULT -> a.value == Syscalls.ACCESS_SEGV ? "SEGV" : a.value == Syscalls.ACCESS_BUS ? "BUS" : "KILLED";
            case MIXED -> "MIXED";
            case VMA -> vma(a.vma.start(), a.vma.end(), a.vma.perms());
            case NO_VMA -> "none";
            case TASK, FILE, DONE -> "ok";
        };
    }

    /** Addresses and values in hex, statuses and counts in decimal. */
    static String number(Op.Result r, long v) {
        return switch (r) {
            case ADDRESS, VALUE -> "0x" + Long.toHexString(v);
            default -> Long.toUnsignedString(v);
        };
    }

    static String vma(long start, long end, String perms) {
        return "0x" + Long.toHexString(start) + "..0x" + Long.toHexString(end) + " " + perms;
    }
}
