package org.rmaplab.fuzz;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.check.InvariantViolation;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.rmaplab.mm.Errno;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Userfaultfd;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.rmap.RmapDesigns;

/**
 * Seeded random sequences of memory operations, run through {@link CheckedSyscalls} so the oracle
 * checks the model after every one. Addresses are drawn from a small window so that operations
 * keep colliding: splits, merges, moves onto mappings, COW after fork, threads and exits.
 *
 * <p>Every operation is also logged as a scenario line with literal addresses; on a violation the
 * exception carries the seed and the scenario that reproduces it
 * ({@code ./rmaplab run --check every} on the model gives the same addresses).
 */
public final class RandomOps {
    static final long P = Machine.PAGE_SIZE;
    /** The window most operations aim at: 128 pages at 256 MiB. */
    static final long WINDOW = 0x10000000L;
    static final int WINDOW_PAGES = 128;
    static final int MAX_TASKS = 6;

    private final long seed;
    private final String design;
    private final SplittableRandom rnd;
    private final CheckedSyscalls sys;
    private final List<Task> tasks = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private final StringBuilder log = new StringBuilder();
    private final Syscalls.ReadResult rr = new Syscalls.ReadResult();
    private int nextName = 2;
    private long ops;

    private final boolean swapping;

    public RandomOps(long seed, String design, long ramBytes, CheckPolicy policy) {
        this(seed, RmapDesigns.create(design), ramBytes, 0, policy);
    }

    /** The same with a design instance (a design built with non-default parameters). */
    public RandomOps(long seed, RmapDesign designInstance, long ramBytes, CheckPolicy policy) {
        this(seed, designInstance, ramBytes, 0, policy);
    }

    /**
     * With swap, the sequence also reclaims ({@code reclaim N|all}, {@code madvise pageout}), and
     * small RAM makes every allocation a candidate for direct reclaim.
     */
    public RandomOps(long seed, String design, long ramBytes, long swapBytes, CheckPolicy policy) {
        this(seed, RmapDesigns.create(design), ramBytes, swapBytes, policy);
    }

    public RandomOps(long seed, RmapDesign designInstance, long ramBytes, long swapBytes, CheckPolicy policy) {
        this.seed = seed;
        this.design = designInstance.name();
        this.rnd = new SplittableRandom(seed);
        this.swapping = swapBytes > 0;
        Machine k = new Machine(new MachineConfig(ramBytes, swapBytes, "x86_64"), designInstance);
        if (swapping) {
            k.setPtlBusyEvery(7); // some unmaps find the page table busy and are retried
        }
        this.sys = new CheckedSyscalls(k, policy);
        tasks.add(sys.initTask());
        names.add("t1");
        log.append("# random sequence, seed ").append(seed).append(", design ").append(design).append('\n');
        log.append("machine ram=").append(ramBytes >> 10).append("K swap=").append(swapBytes >> 10).append("K\n");
    }

    private boolean uffd;
    private boolean files;
    /** The files opened so far (numbers {@link Syscalls#open} returned), named F1, F2, ... */
    private final List<Long> fileNumbers = new ArrayList<>();
    private long fileMaps;
    private long fileShrinks;
    private long fileRemaps;

    /**
     * Also mixes tmpfs files into the sequence, about one step in six: open (up to three files),
     * mmap of a file (shared or private, fixed or not, at an offset that may lie past the end),
     * ftruncate (growing, shrinking, sometimes to a size inside a page) and remap_file_pages; and
     * madvise may be MADV_REMOVE (a hole punched). Off
     * by default, so that the sequences of a seed stay what they were.
     */
    public RandomOps withFiles() {
        files = true;
        log.append("# with files\n");
        return this;
    }

    /** Successful file mmaps, shrinking ftruncates and remap_file_pages calls so far. */
    public long[] fileOps() {
        return new long[] {fileMaps, fileShrinks, fileRemaps};
    }

    /**
     * Also mixes userfaultfd into the sequence: uffd_register, uffd_move (with or without
     * allow_src_holes), uffd_copy (sometimes from an unaligned source) and remap_anon_pages, about
     * one step in six. Off by default, so that the
     * sequences of a seed stay what they were.
     */
    public RandomOps withUffd() {
        uffd = true;
        log.append("# with userfaultfd\n");
        return this;
    }

    private boolean mlockChurn;

    /**
     * Also mlocks and munlocks ranges inside a vma the task has (a random piece of it, so the
     * call succeeds and meets populated pages), about one step in eight — for designs that treat
     * mlocked ptes apart (pte_chains with wli's step (b)). The plain mlock/munlock steps take random
     * ranges, which mostly fail on a hole. Off by default, so that the sequences of a seed stay
     * what they were.
     */
    public RandomOps withMlockChurn() {
        mlockChurn = true;
        log.append("# with mlock churn\n");
        return this;
    }

    public CheckedSyscalls syscalls() {
        return sys;
    }

    public long ops() {
        return ops;
    }

    /** Runs n operations, then the end-of-run check. Throws {@link RandomFailure} on a violation. */
    public void run(int n) {
        for (int i = 0; i < n; i++) {
            try {
                step();
                pruneDead();
            } catch (InvariantViolation | IllegalStateException | ArrayIndexOutOfBoundsException
                     | NullPointerException | ClassCastException e) {
                throw new RandomFailure(seed, design, ops, e, log.toString());
            }
        }
        try {
            sys.finish();
        } catch (InvariantViolation e) {
            throw new RandomFailure(seed, design, ops, e, log.toString());
        }
    }

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

    private int prot() {
        int[] p = {Mman.PROT_READ | Mman.PROT_WRITE, Mman.PROT_READ | Mman.PROT_WRITE, Mman.PROT_READ,
            Mman.PROT_NONE, Mman.PROT_WRITE, Mman.PROT_READ | Mman.PROT_EXEC};
        return p[rnd.nextInt(p.length)];
    }

    private static String protName(int prot) {
        if (prot == 0) {
            return "none";
        }
        return ((prot & Mman.PROT_READ) != 0 ? "r" : "") + ((prot & Mman.PROT_WRITE) != 0 ? "w" : "")
                + ((prot & Mman.PROT_EXEC) != 0 ? "x" : "");
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private void line(int ti, String text, Object result) {
        log.append(names.get(ti)).append(' ').append(text).append("    # ").append(result).append('\n');
    }

    private void step() {
        ops++;
        int ti = rnd.nextInt(tasks.size());
        Task t = tasks.get(ti);
        if (swapping && rnd.nextInt(12) == 0) {
            doReclaim(ti, t);
            pruneDead();
            return;
        }
        if (uffd && rnd.nextInt(6) == 0) {
            doUffd(ti, t);
            return;
        }
        if (files && rnd.nextInt(6) == 0) {
            doFile(ti, t);
            return;
        }
        if (mlockChurn && rnd.nextInt(8) == 0 && t.mm().mapCount() > 0) {
            Vma v = t.mm().vma(rnd.nextInt(t.mm().mapCount()));
            long a = v.start() + rnd.nextInt((int) v.pages()) * P;
            long l = (1 + rnd.nextInt((int) ((v.end() - a) / P))) * P;
            if (rnd.nextBoolean()) {
                line(ti, "mlock " + hex(a) + " " + l, sys.mlock(t, a, l));
            } else {
                line(ti, "munlock " + hex(a) + " " + l, sys.munlock(t, a, l));
            }
            return;
        }
        int op = rnd.nextInt(100);
        if (op < 14) {
            doMmap(ti, t);
        } else if (op < 22) {
            long a = addr();
            long l = len();
            line(ti, "munmap " + hex(a) + " " + l, sys.munmap(t, a, l));
        } else if (op < 30) {
            long a = addr();
            long l = len();
            int p = prot();
            line(ti, "mprotect " + hex(a) + " " + l + " " + protName(p), sys.mprotect(t, a, l, p));
        } else if (op < 40) {
            doMremap(ti, t);
        } else if (op < 46) {
            long a = addr();
            long l = len();
            int[] adv = files ? new int[] {Mman.MADV_DONTNEED, Mman.MADV_DONTNEED, Mman.MADV_DONTFORK, Mman.MADV_DOFORK,
                Mman.MADV_REMOVE} : new int[] {Mman.MADV_DONTNEED, Mman.MADV_DONTNEED, Mman.MADV_DONTFORK, Mman.MADV_DOFORK};
            String[] an = {"dontneed", "dontneed", "dontfork", "dofork", "remove"};
            int i = rnd.nextInt(adv.length);
            line(ti, "madvise " + hex(a) + " " + l + " " + an[i], sys.madvise(t, a, l, adv[i]));
        } else if (op < 50) {
            long a = addr();
            long l = len();
            if (rnd.nextBoolean()) {
                line(ti, "mlock " + hex(a) + " " + l, sys.mlock(t, a, l));
            } else {
                line(ti, "munlock " + hex(a) + " " + l, sys.munlock(t, a, l));
            }
        } else if (op < 54) {
            long cur = sys.brk(t, 0);
            long target = cur + (rnd.nextInt(9) - 3) * P;
            line(ti, "brk " + hex(target), hex(sys.brk(t, target)));
        } else if (op < 72) {
            long a = addr();
            long l = 1 + rnd.nextInt(6) * P;
            long v = rnd.nextLong(1, 1L << 32);
            line(ti, "write " + hex(a) + " " + l + " " + hex(v), sys.write(t, a, l, v));
        } else if (op < 84) {
            long a = addr();
            long l = rnd.nextInt(6) * P;
            int r = sys.read(t, a, l, rr);
            line(ti, "read " + hex(a) + " " + l, r == 0 ? (rr.mixed ? "MIXED" : hex(rr.value)) : "fault " + r);
        } else if (op < 88) {
            long a = addr();
            long l = rnd.nextInt(6) * P;
            line(ti, "touch " + hex(a) + " " + l, sys.touch(t, a, l));
        } else if (op < 93) {
            if (tasks.size() < MAX_TASKS) {
                String name = "t" + nextName++;
                Task c = sys.fork(t);
                if (c != null) {
                    tasks.add(c);
                    names.add(name);
                }
                line(ti, "fork as " + name, c == null ? "ENOMEM" : "");
            }
        } else if (op < 95) {
            if (tasks.size() < MAX_TASKS) {
                String name = "t" + nextName++;
                Task c = sys.clone(t);
                tasks.add(c);
                names.add(name);
                line(ti, "clone as " + name, "");
            }
        } else if (op < 96) {
            line(ti, "exec", sys.exec(t));
            // de_thread(): the task's other threads are gone.
            for (int i = tasks.size() - 1; i >= 0; i--) {
                if (!tasks.get(i).isAlive()) {
                    tasks.remove(i);
                    names.remove(i);
                }
            }
        } else {
            if (tasks.size() > 1) {
                line(ti, "exit", sys.exit(t));
                tasks.remove(ti);
                names.remove(ti);
            }
        }
    }

    private void doUffd(int ti, Task t) {
        int kind = rnd.nextInt(10);
        if (kind >= 8) {
            doUffdCopy(ti, t);
            return;
        }
        long a = addr();
        long l = rnd.nextInt(4) == 0 ? len() : (1 + rnd.nextInt(4)) * P;
        if (kind < 2) {
            Vma w = rnd.nextBoolean() ? pick(t, Vma.VM_WRITE) : null;
            if (w != null) {
                a = w.start() + rnd.nextInt((int) w.pages()) * P;
                l = Math.min(l, w.end() - a);
            }
            line(ti, "uffd_register " + hex(a) + " " + l, sys.uffdRegister(t, a, l));
            return;
        }
        long src = addr();
        if (rnd.nextBoolean()) {
            // Aim: dst in a registered vma, src in a writable private one, a page or two.
            Vma d = pick(t, Vma.VM_UFFD_MISSING | Vma.VM_WRITE);
            Vma sv = d == null ? null : pick(t, d.flags() & (Vma.VM_ACCESS_FLAGS | Vma.VM_LOCKED));
            if (d != null && sv != null) {
                a = d.start() + rnd.nextInt((int) d.pages()) * P;
                src = sv.start() + rnd.nextInt((int) sv.pages()) * P;
                l = Math.min((1 + rnd.nextInt(2)) * P, Math.min(d.end() - a, sv.end() - src));
                if (rnd.nextBoolean()) {
                    long v = rnd.nextLong(1, 1L << 32);
                    line(ti, "write " + hex(src) + " " + l + " " + hex(v), sys.write(t, src, l, v));
                    if (!t.isAlive()) {
                        return; // the OOM killer ended the task during the write
                    }
                }
            }
        }
        if (kind < 7) {
            boolean holes = rnd.nextBoolean();
            line(ti, "uffd_move " + hex(a) + " " + hex(src) + " " + l + (holes ? " allow_src_holes" : ""),
                    sys.uffdMove(t, a, src, l, holes ? Userfaultfd.UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES : 0));
        } else {
            line(ti, "remap_anon_pages " + hex(a) + " " + hex(src) + " " + l, sys.remapAnonPages(t, a, src, l, 0));
        }
    }

    /**
     * uffd_copy: mostly into a registered vma (private or shared; when t's mm has none, a vma is
     * registered first) from a page of any vma, sometimes from an unaligned source; else anywhere
     * (errors).
     */
    private void doUffdCopy(int ti, Task t) {
        long a = addr();
        long src = addr();
        long l = (1 + rnd.nextInt(3)) * P;
        if (rnd.nextInt(4) != 0) {
            List<Vma> regs = registered(t);
            if (regs.isEmpty() && t.mm().mapCount() > 0) {
                Vma w = t.mm().vma(rnd.nextInt(t.mm().mapCount()));
                line(ti, "uffd_register " + hex(w.start()) + " " + (w.end() - w.start()),
                        sys.uffdRegister(t, w.start(), w.end() - w.start()));
                regs = registered(t);
            }
            if (!regs.isEmpty() && t.mm().mapCount() > 0) {
                Vma d = regs.get(rnd.nextInt(regs.size()));
                Vma sv = t.mm().vma(rnd.nextInt(t.mm().mapCount()));
                a = d.start() + rnd.nextInt((int) d.pages()) * P;
                src = sv.start() + rnd.nextInt((int) sv.pages()) * P;
                l = Math.min(l, d.end() - a);
                if (rnd.nextInt(4) == 0) {
                    src += rnd.nextBoolean() ? 1 + rnd.nextInt(8) : P - 1 - rnd.nextInt(8);
                }
            }
        }
        line(ti, "uffd_copy " + hex(a) + " " + hex(src) + " " + l, sys.uffdCopy(t, a, src, l, 0));
    }

    private static List<Vma> registered(Task t) {
        List<Vma> regs = new ArrayList<>();
        for (int i = 0; i < t.mm().mapCount(); i++) {
            if ((t.mm().vma(i).flags() & Vma.VM_UFFD_MISSING) != 0) {
                regs.add(t.mm().vma(i));
            }
        }
        return regs;
    }

    /** A random vma of t's mm with every bit of {@code flag} set, private, or null. */
    private Vma pick(Task t, long flag) {
        List<Vma> c = new ArrayList<>();
        for (int i = 0; i < t.mm().mapCount(); i++) {
            Vma v = t.mm().vma(i);
            if ((v.flags() & flag) == flag && (v.flags() & Vma.VM_SHARED) == 0
                    && (flag & Vma.VM_UFFD_MISSING) != 0 | (v.flags() & (Vma.VM_EXEC | Vma.VM_LOCKED)) == (flag & (Vma.VM_EXEC | Vma.VM_LOCKED))) {
                c.add(v);
            }
        }
        return c.isEmpty() ? null : c.get(rnd.nextInt(c.size()));
    }

    private void doReclaim(int ti, Task t) {
        switch (rnd.nextInt(3)) {
            case 0:
                log.append("reclaim all\n");
                sys.reclaim(Long.MAX_VALUE);
                break;
            case 1: {
                long n = 1 + rnd.nextInt(64);
                log.append("reclaim ").append(n).append('\n');
                sys.reclaim(n);
                break;
            }
            default: {
                long a = addr();
                long l = len();
                line(ti, "madvise " + hex(a) + " " + l + " pageout", sys.madvise(t, a, l, Mman.MADV_PAGEOUT));
                break;
            }
        }
    }

    /** Tasks the OOM killer ended (or exec's de_thread) are gone from the sequence. */
    private void pruneDead() {
        for (int i = tasks.size() - 1; i >= 0; i--) {
            if (!tasks.get(i).isAlive()) {
                log.append("# ").append(names.get(i)).append(" is gone\n");
                tasks.remove(i);
                names.remove(i);
            }
        }
        if (tasks.isEmpty()) {
            // Everything was killed: start again from a fresh task, as init would.
            throw new IllegalStateException("every task was OOM-killed");
        }
    }

    private void doMmap(int ti, Task t) {
        int kind = rnd.nextInt(10);
        long a;
        int flags = Mman.MAP_ANONYMOUS | (rnd.nextInt(5) == 0 ? Mman.MAP_SHARED : Mman.MAP_PRIVATE);
        StringBuilder fl = new StringBuilder((flags & Mman.MAP_SHARED) != 0 ? "shared" : "private");
        fl.append("|anonymous");
        if (kind < 6) {
            a = addr() & Machine.PAGE_MASK;
            flags |= Mman.MAP_FIXED;
            fl.append("|fixed");
        } else if (kind < 8) {
            a = addr() & Machine.PAGE_MASK;
            flags |= Mman.MAP_FIXED_NOREPLACE;
            fl.append("|fixed_noreplace");
        } else {
            a = 0;
        }
        if (rnd.nextInt(8) == 0) {
            flags |= Mman.MAP_POPULATE;
            fl.append("|populate");
        }
        if (rnd.nextInt(16) == 0) {
            flags |= Mman.MAP_LOCKED;
            fl.append("|locked");
        }
        long l = len();
        int p = prot();
        long r = sys.mmap(t, a, l, p, flags);
        line(ti, "mmap " + hex(a) + " " + l + " " + protName(p) + " " + fl, Errno.isError(r) ? Errno.name((int) -r) : hex(r));
    }

    private void doFile(int ti, Task t) {
        int kind = rnd.nextInt(10);
        if (fileNumbers.isEmpty() || (kind == 0 && fileNumbers.size() < 3)) {
            long size = (1 + rnd.nextInt(24)) * P;
            String name = "F" + (fileNumbers.size() + 1);
            long r = sys.open(t, name.toLowerCase(), size);
            line(ti, "open " + name.toLowerCase() + " " + size + " as " + name, r);
            if (!Errno.isError(r)) {
                fileNumbers.add(r);
            }
            return;
        }
        int fi = rnd.nextInt(fileNumbers.size());
        long file = fileNumbers.get(fi);
        String fname = "F" + (fi + 1);
        if (kind < 6) {
            boolean shared = rnd.nextBoolean();
            int flags = shared ? Mman.MAP_SHARED : Mman.MAP_PRIVATE;
            String fl = shared ? "shared" : "private";
            long a = 0;
            if (rnd.nextInt(3) != 0) {
                a = addr() & Machine.PAGE_MASK;
                flags |= Mman.MAP_FIXED;
                fl += "|fixed";
            }
            if (rnd.nextInt(8) == 0) {
                flags |= Mman.MAP_POPULATE;
                fl += "|populate";
            }
            long off = rnd.nextInt(20) * P;
            long l = len();
            int p = prot();
            long r = sys.mmap(t, a, l, p, flags, file, off);
            if (!Errno.isError(r)) {
                fileMaps++;
            }
            line(ti, "mmap " + hex(a) + " " + l + " " + protName(p) + " " + fl + " " + fname + " " + off,
                    Errno.isError(r) ? Errno.name((int) -r) : hex(r));
        } else if (kind < 8) {
            long old = sys.machine().file(file).size();
            long size = rnd.nextInt(8) == 0 ? rnd.nextInt(3) * P + 1 + rnd.nextInt(9) : rnd.nextInt(24) * P;
            long r = sys.ftruncate(t, file, size);
            if (r == 0 && size < old) {
                fileShrinks++;
            }
            line(ti, "ftruncate " + fname + " " + size, r);
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
            long pgoff = rnd.nextInt(24);
            long r = sys.remapFilePages(t, a, l, 0, pgoff, 0);
            if (r == 0) {
                fileRemaps++;
            }
            line(ti, "remap_file_pages " + hex(a) + " " + l + " " + pgoff, r);
        }
    }

    private void doMremap(int ti, Task t) {
        long a = addr() & Machine.PAGE_MASK;
        long ol = len();
        long nl = len();
        int kind = rnd.nextInt(6);
        int flags = 0;
        long na = 0;
        String fl = "0";
        switch (kind) {
            case 0:
                break;
            case 1:
            case 2:
                flags = Mman.MREMAP_MAYMOVE;
                fl = "maymove";
                break;
            case 3:
            case 4:
                flags = Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED;
                na = addr() & Machine.PAGE_MASK;
                fl = "maymove|fixed";
                break;
            default:
                flags = Mman.MREMAP_MAYMOVE | Mman.MREMAP_DONTUNMAP;
                nl = ol;
                na = rnd.nextBoolean() ? addr() & Machine.PAGE_MASK : 0;
                fl = "maymove|dontunmap";
                break;
        }
        long r = sys.mremap(t, a, ol, nl, flags, na);
        line(ti, "mremap " + hex(a) + " " + ol + " " + nl + " " + fl + (na != 0 ? " " + hex(na) : ""),
                Errno.isError(r) ? Errno.name((int) -r) : hex(r));
    }

    /** A violation found by a random sequence, with what is needed to reproduce it. */
    public static final class RandomFailure extends RuntimeException {
        public final long seed;
        public final String scenario;

        RandomFailure(long seed, String design, long op, Throwable cause, String scenario) {
            super("random sequence seed " + seed + " design " + design + " failed at operation " + op + ": "
                    + cause + "\nscenario so far:\n" + tail(scenario, 60), cause);
            this.seed = seed;
            this.scenario = scenario;
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
