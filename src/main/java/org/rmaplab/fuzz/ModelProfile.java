package org.rmaplab.fuzz;

import static org.rmaplab.scenario.ScenarioText.hex;
import static org.rmaplab.scenario.ScenarioText.prot;

import org.rmaplab.scenario.ScenarioText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;
import org.rmaplab.rmap.RmapDesigns;

/**
 * The generator's model profile: seeded random scenario lines that only the model runs, each run
 * as soon as it is written ({@link OnlineScenario}: parsed and run by the scenario runner on a
 * {@link CheckedSyscalls}, the oracle checking after every call) so that the next line can aim at
 * what the model now holds: live vmas, registered ranges, tasks the OOM killer left. Addresses are
 * literal, in a window of 128 pages, so that operations keep colliding: splits, merges, moves onto
 * mappings, COW after fork, threads and exits. With swap it also reclaims ({@code reclaim},
 * MADV_PAGEOUT) in little RAM with a busy page-table lock now and then; userfaultfd, tmpfs files and
 * mlock churn are options. The kernel profile, {@link ScenarioGenerator}, writes what the real kernel
 * can run too (docs/kernel.md): addresses relative to names it bound, no
 * reclaim (the kernel does not say what it freed), no userfaultfd (a missing page of a registered
 * range would block a real task) and no remap_anon_pages (never merged into Linux). Both draw from
 * the same {@link Vocabulary}.
 *
 * <p>A failure ({@link Failure}) carries the seed and the scenario so far, saved under
 * {@code target/fuzz}; {@code ./rmaplab run --check every --design DESIGN FILE} replays it.
 * Deterministic: the same seed and design give the same scenario, byte for byte.
 */
public final class ModelProfile {
    static final long P = Vocabulary.P;
    /** The window most operations aim at: 128 pages at 256 MiB. */
    static final long WINDOW = 0x10000000L;
    static final int WINDOW_PAGES = 128;
    static final int MAX_TASKS = 6;
    /** Every 7th page-table trylock finds the lock busy when swapping (Machine.setPtlBusyEvery). */
    static final int PTL_BUSY_EVERY = 7;

    private final long seed;
    private final String design;
    private final SplittableRandom rnd;
    private final CheckedSyscalls sys;
    private final OnlineScenario out;
    private final List<Task> tasks = new ArrayList<>();
    private int maxTasks = MAX_TASKS;
    private final List<String> names = new ArrayList<>();
    private final boolean swapping;
    private int nextName = 2;
    private long ops;
    private Path failureDir = Path.of("target", "fuzz");

    private boolean uffd;
    private boolean files;
    private boolean mlockChurn;
    private boolean stacks;
    /** Files opened so far, named F1, F2, ... */
    private int fileCount;
    private long fileMaps;
    private long fileShrinks;
    private long fileRemaps;

    public ModelProfile(long seed, String design, long ramBytes, CheckPolicy policy) {
        this(seed, RmapDesigns.create(design), ramBytes, 0, policy);
    }

    /** The same with a design instance (a design built with non-default parameters). */
    public ModelProfile(long seed, RmapDesign designInstance, long ramBytes, CheckPolicy policy) {
        this(seed, designInstance, ramBytes, 0, policy);
    }

    /**
     * With swap, the scenario also reclaims ({@code reclaim N|all}, {@code madvise pageout}), and
     * small RAM makes every allocation a candidate for direct reclaim.
     */
    public ModelProfile(long seed, String design, long ramBytes, long swapBytes, CheckPolicy policy) {
        this(seed, RmapDesigns.create(design), ramBytes, swapBytes, policy);
    }

    public ModelProfile(long seed, RmapDesign designInstance, long ramBytes, long swapBytes, CheckPolicy policy) {
        this(seed, designInstance, ramBytes, swapBytes, policy, false);
    }

    /** The same on a machine with {@code remap=nonlinear} (the 2.6 kernels' remap_file_pages) if nonlinear. */
    public ModelProfile(long seed, RmapDesign designInstance, long ramBytes, long swapBytes, CheckPolicy policy,
                        boolean nonlinear) {
        this.seed = seed;
        this.design = designInstance.name();
        this.rnd = new SplittableRandom(seed);
        this.swapping = swapBytes > 0;
        this.out = new OnlineScenario("model-" + seed + "-" + design.replace(':', '-') + ".vms");
        out.comment("rmaplab model profile (org.rmaplab.fuzz.ModelProfile), seed " + seed + ", design " + design);
        out.comment("replay: ./rmaplab run --check every --design " + design + " FILE");
        if (swapping) {
            out.comment("the page-table lock is busy at every " + PTL_BUSY_EVERY
                    + "th trylock here, which no line can say: a replay runs without it");
        }
        MachineConfig mc = out.machine("machine ram=" + (ramBytes >> 10) + "K swap=" + (swapBytes >> 10) + "K"
                + (nonlinear ? " remap=nonlinear" : ""));
        Machine k = new Machine(mc, designInstance);
        if (swapping) {
            k.setPtlBusyEvery(PTL_BUSY_EVERY); // some unmaps find the page table busy and are retried
        }
        this.sys = new CheckedSyscalls(k, policy).judged(); // every memory call's result judged too
        out.start(design, sys);
        tasks.add(out.task("t1"));
        names.add("t1");
    }

    /**
     * Also mixes tmpfs files into the scenario, about one step in six: open (up to three files),
     * mmap of a file (shared or private, fixed or not, at an offset that may lie past the end),
     * ftruncate (growing, shrinking, sometimes to a size inside a page) and remap_file_pages; and
     * madvise may be MADV_REMOVE (a hole punched). Off by default, so that a seed keeps its scenario.
     */
    public ModelProfile withFiles() {
        files = true;
        out.comment("with files");
        return this;
    }

    /**
     * Also mixes userfaultfd into the scenario: uffd_register, uffd_move (with or without
     * allow_src_holes), uffd_copy (sometimes from an unaligned source) and remap_anon_pages, about
     * one step in six. Off by default, so that a seed keeps its scenario.
     */
    public ModelProfile withUffd() {
        uffd = true;
        out.comment("with userfaultfd");
        return this;
    }

    /**
     * Also mlocks and munlocks ranges inside a vma the task has (a random piece of it, so the call
     * succeeds and meets populated pages), about one step in eight — for designs that treat mlocked
     * ptes apart (pte_chains with wli's step (b)). The plain mlock/munlock steps take random ranges,
     * which mostly fail on a hole. Off by default, so that a seed keeps its scenario.
     */
    public ModelProfile withMlockChurn() {
        mlockChurn = true;
        out.comment("with mlock churn");
        return this;
    }

    /**
     * Also maps stacks that grow (MAP_GROWSDOWN, fixed in the window) and touches the memory just
     * below a task's stacks, about one step in eight: growth when nothing accessible lies within
     * the guard gap below, SIGSEGV when something does, splits of lokier's offset space, grown
     * pages forked, COWed and reclaimed. Off by default, so that a seed keeps its scenario.
     */
    public ModelProfile withStacks() {
        stacks = true;
        out.comment("with growing stacks");
        return this;
    }

    /**
     * Lets up to {@code max} tasks live at once instead of {@value #MAX_TASKS}: enough tasks sharing
     * a page that pte_chains needs a second chain block (a 2.6.0 {@code struct pte_chain} holds
     * NRPTE = 7 ptes on x86_64: {@code (L1_CACHE_BYTES - sizeof(unsigned long)) / sizeof(pte_addr_t)}, with 64-byte lines). Off by
     * default, so that a seed keeps its scenario.
     */
    public ModelProfile withManyTasks(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max tasks " + max);
        }
        maxTasks = max;
        out.comment("up to " + max + " tasks at once");
        return this;
    }

    /** Where a failure's scenario is saved (default {@code target/fuzz}). */
    public ModelProfile failuresTo(Path dir) {
        failureDir = dir;
        return this;
    }

    public CheckedSyscalls syscalls() {
        return sys;
    }

    public long ops() {
        return ops;
    }

    /** The scenario so far. */
    public String scenario() {
        return out.text();
    }

    /** Successful file mmaps, shrinking ftruncates and remap_file_pages calls so far. */
    public long[] fileOps() {
        return new long[] {fileMaps, fileShrinks, fileRemaps};
    }

    /** Runs n steps, then the end-of-run check. Throws {@link Failure} on a violation or a model bug. */
    public void run(int n) {
        try {
            for (int i = 0; i < n; i++) {
                step();
                pruneDead();
            }
            sys.finish();
        } catch (RuntimeException e) {
            throw failure(e);
        }
    }

    /** The failure, its scenario saved (through a temporary file and a rename) under the failure directory. */
    private Failure failure(RuntimeException cause) {
        String text = out.text();
        Path saved = failureDir.resolve(out.file());
        try {
            Files.createDirectories(failureDir);
            Path tmp = Files.createTempFile(failureDir, ".model-", ".tmp");
            try {
                Files.writeString(tmp, text);
                Files.move(tmp, saved, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            saved = null;
        }
        return new Failure(seed, design, ops, cause, text, saved);
    }

    // ------------------------------------------------------------------ values

    private long addr() {
        if (rnd.nextInt(8) == 0) {
            return WINDOW + rnd.nextInt(WINDOW_PAGES) * P + (rnd.nextInt(16) == 0 ? 1 : 0);
        }
        return WINDOW + rnd.nextInt(WINDOW_PAGES) * P;
    }

    private long len() {
        int r = rnd.nextInt(10);
        if (r == 0) {
            return 0;
        }
        if (r < 7) {
            return (1 + rnd.nextInt(8)) * P;
        }
        return (1 + rnd.nextInt(40)) * P;
    }

    private int drawProt() {
        return Vocabulary.draw(rnd, Vocabulary.MODEL_PROTS);
    }

    /** Writes and runs task TI's LINE. */
    private void line(int ti, String line) {
        out.run(names.get(ti), line);
    }

    // ------------------------------------------------------------------ steps

    private void step() {
        ops++;
        int ti = rnd.nextInt(tasks.size());
        Task t = tasks.get(ti);
        if (swapping && rnd.nextInt(12) == 0) {
            doReclaim(ti);
            pruneDead();
            return;
        }
        if (uffd && rnd.nextInt(6) == 0) {
            ModelUffd.step(this, ti, t);
            return;
        }
        if (files && rnd.nextInt(6) == 0) {
            doFile(ti, t);
            return;
        }
        if (stacks && rnd.nextInt(8) == 0) {
            doStack(ti, t);
            return;
        }
        if (mlockChurn && rnd.nextInt(8) == 0 && t.mm().mapCount() > 0) {
            Vma v = t.mm().vma(rnd.nextInt(t.mm().mapCount()));
            long a = v.start() + rnd.nextInt((int) v.pages()) * P;
            long l = (1 + rnd.nextInt((int) ((v.end() - a) / P))) * P;
            doMlockOrMunlock(ti, a, l);
            return;
        }
        int op = rnd.nextInt(100);
        if (op < 54) {
            doVmaOp(ti, op);
        } else if (op < 88) {
            doAccess(ti, op);
        } else {
            doTaskOp(ti, t, op);
        }
    }

    /** Operations on vmas: mmap, munmap, mprotect, mremap, madvise, mlock/munlock, brk (op below 54). */
    private void doVmaOp(int ti, int op) {
        if (op < 14) {
            doMmap(ti);
        } else if (op < 22) {
            long a = addr();
            long l = len();
            line(ti, "munmap " + hex(a) + " " + l);
        } else if (op < 30) {
            long a = addr();
            long l = len();
            line(ti, "mprotect " + hex(a) + " " + l + " " + prot(drawProt()));
        } else if (op < 40) {
            doMremap(ti);
        } else if (op < 46) {
            long a = addr();
            long l = len();
            int advice = Vocabulary.draw(rnd, Vocabulary.ADVICE, files ? Vocabulary.ADVICE.length : Vocabulary.ANON_ADVICE);
            line(ti, "madvise " + hex(a) + " " + l + " " + ScenarioText.advice(advice));
        } else if (op < 50) {
            long a = addr();
            long l = len();
            doMlockOrMunlock(ti, a, l);
        } else {
            line(ti, "brk 0");
            long target = out.value() + (rnd.nextInt(9) - 3) * P;
            line(ti, "brk " + hex(target));
        }
    }

    private void doMlockOrMunlock(int ti, long a, long l) {
        line(ti, (rnd.nextBoolean() ? "mlock " : "munlock ") + hex(a) + " " + l);
    }

    /**
     * Memory accesses: write, add, read, touch (op from 54 to 87). A third of the stores are
     * {@code add}s, whose result depends on what the page held, so that a COW copy that lost the
     * old contents shows (a {@code write} replaces the whole value and hides it).
     */
    private void doAccess(int ti, int op) {
        long a = addr();
        if (op < 72) {
            long l = 1 + rnd.nextInt(6) * P;
            line(ti, (op < 66 ? "write " : "add ") + hex(a) + " " + l + " " + hex(rnd.nextLong(1, 1L << 32)));
        } else {
            line(ti, (op < 84 ? "read " : "touch ") + hex(a) + " " + rnd.nextInt(6) * P);
        }
    }

    /** Tasks: fork, clone, exec, exit (op 88 and above). */
    private void doTaskOp(int ti, Task t, int op) {
        if (op < 95) {
            if (tasks.size() < maxTasks) {
                String name = "t" + nextName++;
                line(ti, (op < 93 ? "fork as " : "clone as ") + name);
                Task c = out.task(name);
                if (c != null) {
                    tasks.add(c);
                    names.add(name);
                }
            }
        } else if (op < 96) {
            line(ti, "exec");
            // de_thread(): the task's other threads are gone.
            for (int i = tasks.size() - 1; i >= 0; i--) {
                if (!tasks.get(i).isAlive()) {
                    tasks.remove(i);
                    names.remove(i);
                }
            }
        } else if (tasks.size() > 1) {
            line(ti, "exit");
            tasks.remove(ti);
            names.remove(ti);
        }
    }

    private void doReclaim(int ti) {
        switch (rnd.nextInt(3)) {
            case 0 -> out.run(null, "reclaim all");
            case 1 -> out.run(null, "reclaim " + (1 + rnd.nextInt(64)));
            default -> {
                long a = addr();
                long l = len();
                line(ti, "madvise " + hex(a) + " " + l + " " + ScenarioText.advice(Mman.MADV_PAGEOUT));
            }
        }
    }

    /** Tasks the OOM killer ended (or exec's de_thread) are gone from the scenario. */
    private void pruneDead() {
        for (int i = tasks.size() - 1; i >= 0; i--) {
            if (!tasks.get(i).isAlive()) {
                out.comment(names.get(i) + " is gone");
                tasks.remove(i);
                names.remove(i);
            }
        }
        if (tasks.isEmpty()) {
            throw new IllegalStateException("every task was OOM-killed");
        }
    }

    private void doMmap(int ti) {
        int kind = rnd.nextInt(10);
        long a = 0;
        int flags = Mman.MAP_ANONYMOUS | (rnd.nextInt(5) == 0 ? Mman.MAP_SHARED : Mman.MAP_PRIVATE);
        if (kind < 8) {
            a = addr() & Machine.PAGE_MASK;
            flags |= kind < 6 ? Mman.MAP_FIXED : Mman.MAP_FIXED_NOREPLACE;
        }
        if (rnd.nextInt(8) == 0) {
            flags |= Mman.MAP_POPULATE;
        }
        if (rnd.nextInt(16) == 0) {
            flags |= Mman.MAP_LOCKED;
        }
        long l = len();
        line(ti, "mmap " + hex(a) + " " + l + " " + prot(drawProt()) + " " + ScenarioText.mmapFlags(flags));
    }

    /**
     * A stack: half the time a new growsdown mapping (private anonymous, fixed in the window,
     * sometimes read-only or locked), else an access 1 to 24 pages below the start of one of the
     * task's growsdown vmas, if it has one (lock_mm_and_find_vma → expand_downwards).
     */
    private void doStack(int ti, Task t) {
        Vma stack = null;
        int n = t.mm().mapCount();
        for (int i = 0, start = n == 0 ? 0 : rnd.nextInt(n); i < n; i++) {
            Vma v = t.mm().vma((start + i) % n);
            if ((v.flags() & Vma.VM_GROWSDOWN) != 0) {
                stack = v;
                break;
            }
        }
        if (stack == null || rnd.nextInt(3) == 0) {
            long a = addr() & Machine.PAGE_MASK;
            int flags = Mman.MAP_ANONYMOUS | Mman.MAP_PRIVATE | Mman.MAP_GROWSDOWN | Mman.MAP_FIXED
                    | (rnd.nextInt(10) == 0 ? Mman.MAP_LOCKED : 0);
            int prot = rnd.nextInt(6) == 0 ? Mman.PROT_READ : Mman.PROT_READ | Mman.PROT_WRITE;
            line(ti, "mmap " + hex(a) + " " + (1 + rnd.nextInt(8)) * P + " " + prot(prot) + " "
                    + ScenarioText.mmapFlags(flags));
            return;
        }
        long below = stack.start() - (1 + rnd.nextInt(24)) * P;
        if (rnd.nextBoolean()) {
            line(ti, "write " + hex(below) + " " + (1 + rnd.nextInt(3)) * P + " " + hex(rnd.nextLong(1, 1L << 32)));
        } else {
            line(ti, "read " + hex(below) + " " + P);
        }
    }

    private void doFile(int ti, Task t) {
        int kind = rnd.nextInt(10);
        if (fileCount == 0 || (kind == 0 && fileCount < 3)) {
            long size = (1 + rnd.nextInt(24)) * P;
            String name = "F" + (fileCount + 1);
            line(ti, "open " + name.toLowerCase() + " " + size + " as " + name);
            if (!out.failed()) {
                fileCount++;
            }
            return;
        }
        String fname = "F" + (1 + rnd.nextInt(fileCount));
        if (kind < 6) {
            doFileMmap(ti, fname);
        } else if (kind < 8) {
            long old = sys.machine().file(out.fileNumber(fname)).size();
            long size = rnd.nextInt(8) == 0 ? rnd.nextInt(3) * P + 1 + rnd.nextInt(9) : rnd.nextInt(24) * P;
            line(ti, "ftruncate " + fname + " " + size);
            if (!out.failed() && size < old) {
                fileShrinks++;
            }
        } else {
            List<Vma> sh = new ArrayList<>();
            for (int i = 0; i < t.mm().mapCount(); i++) {
                if ((t.mm().vma(i).flags() & Vma.VM_SHARED) != 0) {
                    sh.add(t.mm().vma(i));
                }
            }
            Vma v = sh.isEmpty() || rnd.nextInt(5) == 0 ? null : sh.get(rnd.nextInt(sh.size()));
            long a = v == null ? addr() : v.start() + rnd.nextInt((int) v.pages()) * P;
            long l = (1 + rnd.nextInt(4)) * P;
            line(ti, "remap_file_pages " + hex(a) + " " + l + " " + rnd.nextInt(24));
            if (!out.failed()) {
                fileRemaps++;
            }
        }
    }

    private void doFileMmap(int ti, String fname) {
        int flags = rnd.nextBoolean() ? Mman.MAP_SHARED : Mman.MAP_PRIVATE;
        long a = 0;
        if (rnd.nextInt(3) != 0) {
            a = addr() & Machine.PAGE_MASK;
            flags |= Mman.MAP_FIXED;
        }
        if (rnd.nextInt(8) == 0) {
            flags |= Mman.MAP_POPULATE;
        }
        long off = rnd.nextInt(20) * P;
        long l = len();
        line(ti, "mmap " + hex(a) + " " + l + " " + prot(drawProt()) + " " + ScenarioText.mmapFlags(flags) + " " + fname
                + " " + off);
        if (!out.failed()) {
            fileMaps++;
        }
    }

    private void doMremap(int ti) {
        long a = addr() & Machine.PAGE_MASK;
        long ol = len();
        long nl = len();
        int kind = rnd.nextInt(6);
        int flags = 0;
        long na = 0;
        if (kind == 1 || kind == 2) {
            flags = Mman.MREMAP_MAYMOVE;
        } else if (kind == 3 || kind == 4) {
            flags = Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED;
            na = addr() & Machine.PAGE_MASK;
        } else if (kind == 5) {
            flags = Mman.MREMAP_MAYMOVE | Mman.MREMAP_DONTUNMAP;
            nl = ol;
            na = rnd.nextBoolean() ? addr() & Machine.PAGE_MASK : 0;
        }
        line(ti, "mremap " + hex(a) + " " + ol + " " + nl + " " + ScenarioText.mremapFlags(flags)
                + (na != 0 ? " " + hex(na) : ""));
    }

    // ------------------------------------------------------------------ for ModelUffd

    SplittableRandom rnd() {
        return rnd;
    }

    long randomAddr() {
        return addr();
    }

    long randomLen() {
        return len();
    }

    void run(int ti, String line) {
        line(ti, line);
    }

    /** A violation or a model bug found by the model profile, with what is needed to replay it. */
    public static final class Failure extends RuntimeException {
        public final long seed;
        public final String scenario;
        /** Where the scenario was saved, or null if it could not be. */
        public final Path saved;

        Failure(long seed, String design, long step, Throwable cause, String scenario, Path saved) {
            super("model profile seed " + seed + " design " + design + " failed at step " + step + ": " + cause
                    + (saved == null ? "" : "\nreplay: ./rmaplab run --check every --design " + design + " " + saved)
                    + "\nscenario so far:\n" + tail(scenario, 60), cause);
            this.seed = seed;
            this.scenario = scenario;
            this.saved = saved;
        }

        private static String tail(String s, int lines) {
            String[] l = s.split("\n");
            if (l.length <= lines) {
                return s;
            }
            StringBuilder b = new StringBuilder("... (" + (l.length - lines) + " earlier lines)\n");
            for (int i = l.length - lines; i < l.length; i++) {
                b.append(l[i]).append('\n');
            }
            return b.toString();
        }
    }
}
