package org.rmaplab.fuzz;

import org.rmaplab.scenario.ScenarioText;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.rmaplab.mm.Mman;

import static org.rmaplab.scenario.ScenarioText.at;

/**
 * The generator's kernel profile: seeded random scenarios for {@code rmaplab fuzz}, valid scenario
 * text (version 1 of the language, only what both the model and the kernel harness run) that mixes
 * every supported operation, for {@link org.rmaplab.harness.Diff} to compare between the kernel and
 * the model. Its draws and printer come from {@link Vocabulary}, shared with the model profile
 * ({@link ModelProfile}: literal addresses, reclaim, userfaultfd, run line by line on the model).
 *
 * <p>How a scenario stays meaningful on a real kernel:
 * <ul>
 *   <li><b>Own regions only.</b> Every address is a name the scenario bound plus a small offset.
 *       Each address space starts with one to three <i>carve-outs</i> ({@code mmap 0 Np none
 *       private|anonymous as R0}), mostly mapped {@code rw} again at once with {@code fixed} so that
 *       accesses find memory, and the break ({@code brk 0 as H0}); the diff gives the model the
 *       harness's guard page above them ({@link org.rmaplab.harness.HarnessLayout}), so the topmost
 *       region has the same neighbour in both runs. Operations use {@code fixed} addresses inside a
 *       carve-out, or inside a mapping bound from an {@code mmap 0} (which the kernel places in the
 *       scenario's holes or below them); ranges never run past the end of their region, so growing
 *       in place or unmapping never reaches a mapping the scenario does not own. Heap accesses stay
 *       at or above the start of the break.
 *   <li><b>Only calls that cannot fail bind names</b> ({@code mmap 0} with a valid length, {@code brk 0},
 *       {@code fork}, {@code clone}); mremap results and the like are compared but not bound.
 *   <li><b>Tasks</b> are tracked as the kernel does: {@code clone} joins its thread group,
 *       {@code exec} ends the group's other threads and starts a new address space (which gets its
 *       own carve-outs and break), {@code exit} never ends the last task.
 *   <li><b>No 2 MiB multiples</b>: every length is below 512 pages, so no placement depends on the THP
 *       alignment of an address the kernel randomizes.
 *   <li><b>Locked memory</b> stays far below the default 8 MiB RLIMIT_MEMLOCK (regions are small).
 *   <li><b>Files</b> (tmpfs, up to three) come from a second random stream, so the lines of the
 *       first stream are those the generator made before files existed, with file lines in
 *       between: open, mmap of a file with {@code fixed} inside a region (shared or private, never
 *       executable: the harness's directory may be on a noexec mount), ftruncate (sometimes to a
 *       size inside a page), MADV_REMOVE and remap_file_pages inside a region.
 *   <li><b>Stacks</b> (MAP_GROWSDOWN) come from a third stream: a growsdown mapping with
 *       {@code fixed} inside a region, then accesses a few pages below it, still inside the
 *       region: the stack grows if nothing there is mapped and nothing accessible lies within the
 *       guard gap below (the regions below count), else the access is a SIGSEGV or an ordinary one.
 * </ul>
 *
 * <p>Deterministic: scenario INDEX of SEED is the same text, byte for byte, on every run and
 * machine (it depends on nothing but the two numbers).
 */
public final class ScenarioGenerator {
    /** Largest carve-out, in pages. */
    static final int MAX_REGION = 96;
    static final int MAX_REGIONS_PER_SPACE = 6;
    static final int MAX_ALIVE = 5;
    static final int MAX_CREATED = 10;

    private final SplittableRandom rnd;
    /** The second stream: file operations only. */
    private final SplittableRandom fileRnd;
    /** The third stream: stacks only (growsdown mappings and the accesses below them). */
    private final SplittableRandom stackRnd;
    /** Stacks mapped so far, as (region, page) of their start; a later access aims below one. */
    private final List<Region> stackRegions = new ArrayList<>();
    private final List<Integer> stackPages = new ArrayList<>();
    private int files;
    private final StringBuilder out = new StringBuilder();
    private final List<Task> tasks = new ArrayList<>();
    private int regions;
    private int spaces;
    private int created = 1;
    private int groups = 1;

    private static final class Region {
        final String name;
        final int pages;

        Region(String name, int pages) {
            this.name = name;
            this.pages = pages;
        }
    }

    private static final class Space {
        final List<Region> regions = new ArrayList<>();
        String heap;
    }

    private static final class Task {
        final String name;
        int group;
        Space space;

        Task(String name, int group, Space space) {
            this.name = name;
            this.group = group;
            this.space = space;
        }
    }

    private ScenarioGenerator(long seed, int index) {
        this.rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index * 0xBF58476D1CE4E5B9L + index);
        this.fileRnd = new SplittableRandom((seed ^ 0x5DEECE66DL) * 0x94D049BB133111EBL + index);
        this.stackRnd = new SplittableRandom((seed ^ 0x2545F4914F6CDD1DL) * 0xD6E8FEB86659FD93L + index);
        out.append("# rmaplab fuzz --seed ").append(Long.toUnsignedString(seed)).append(": scenario ")
                .append(index).append(" (generated by org.rmaplab.fuzz.ScenarioGenerator)\n");
    }

    /** Scenario INDEX of SEED. */
    public static String generate(long seed, int index) {
        return new ScenarioGenerator(seed, index).build();
    }

    /** The file name fuzz gives scenario INDEX of SEED. */
    public static String fileName(long seed, int index) {
        return "fuzz-" + Long.toUnsignedString(seed) + "-" + index + ".vms";
    }

    private String build() {
        Task t1 = new Task("t1", 0, new Space());
        tasks.add(t1);
        setup(t1);
        int n = 30 + rnd.nextInt(91);
        for (int i = 0; i < n; i++) {
            step();
            if (fileRnd.nextInt(7) == 0 && !tasks.isEmpty()) {
                fileStep(tasks.get(fileRnd.nextInt(tasks.size())));
            }
            if (stackRnd.nextInt(9) == 0 && !tasks.isEmpty()) {
                stackStep(tasks.get(stackRnd.nextInt(tasks.size())));
            }
        }
        return out.toString();
    }

    private void line(Task t, String s) {
        out.append(t.name).append(' ').append(s).append('\n');
    }

    /** The carve-outs and the break of T's (new) address space. */
    private void setup(Task t) {
        Space sp = t.space;
        int id = spaces++;
        int k = 1 + rnd.nextInt(3);
        for (int i = 0; i < k; i++) {
            int pages = 16 + rnd.nextInt(MAX_REGION - 15);
            String name = "R" + regions++;
            line(t, "mmap 0 " + pages + "p none private|anonymous as " + name);
            sp.regions.add(new Region(name, pages));
            // Mostly made accessible at once, so that accesses find memory to fault and COW.
            int r = rnd.nextInt(6);
            if (r < 4) {
                line(t, "mmap " + name + " " + pages + "p rw " + (r == 0 ? "shared" : "private") + "|anonymous|fixed");
            }
        }
        sp.heap = "H" + id;
        line(t, "brk 0 as " + sp.heap);
    }

    private void step() {
        Task t = tasks.get(rnd.nextInt(tasks.size()));
        int w = rnd.nextInt(100);
        if (w < 14) {
            access(t, "write");
        } else if (w < 23) {
            access(t, "read");
        } else if (w < 26) {
            access(t, "touch");
        } else if (w < 36) {
            mmapIn(t, Mman.MAP_FIXED);
        } else if (w < 39) {
            mmapIn(t, rnd.nextInt(4) == 0 ? Mman.MAP_FIXED | Mman.MAP_FIXED_NOREPLACE : Mman.MAP_FIXED_NOREPLACE);
        } else if (w < 41) {
            mmapIn(t, 0);
        } else if (w < 44) {
            mmapAnywhere(t);
        } else if (w < 50) {
            line(t, "munmap " + rangeIn(t));
        } else if (w < 57) {
            String range = rangeIn(t);
            line(t, "mprotect " + range + " " + prot());
        } else if (w < 69) {
            mremap(t);
        } else if (w < 75) {
            String range = rangeIn(t);
            line(t, "madvise " + range + " " + ScenarioText.advice(Vocabulary.draw(rnd, Vocabulary.ADVICE, Vocabulary.ANON_ADVICE)));
        } else if (w < 81) {
            line(t, (w < 78 ? "mlock " : "munlock ") + rangeIn(t));
        } else if (w < 85) {
            brk(t);
        } else if (w < 93) {
            taskStep(t, w);
        } else if (w < 97) {
            Region r = region(t);
            line(t, "vma " + addr(r, rnd.nextInt(r.pages), false));
        } else if (w < 99) {
            Region r = region(t);
            line(t, "vmas " + r.name + " " + r.pages + "p");
        } else {
            out.append("check\n");
        }
    }

    /** "ADDR LEN" of a range from a random page of a region of T's space to at most its end. */
    private String rangeIn(Task t) {
        Region r = region(t);
        int k = rnd.nextInt(r.pages);
        String a = addr(r, k, true);
        return a + " " + len(r.pages - k, true);
    }

    /** The task calls of step's draw W in [85, 93): fork or clone, exec, exit. */
    private void taskStep(Task t, int w) {
        if (w < 90) {
            if (tasks.size() < MAX_ALIVE && created < MAX_CREATED) {
                Task c = new Task("t" + (++created), w < 88 ? groups++ : t.group, t.space);
                line(t, (w < 88 ? "fork" : "clone") + " as " + c.name);
                tasks.add(c);
            }
        } else if (w < 91) {
            line(t, "exec");
            tasks.removeIf(o -> o != t && o.group == t.group);
            t.space = new Space();
            setup(t);
        } else if (tasks.size() > 1) {
            line(t, "exit");
            tasks.remove(t);
        }
    }

    // ------------------------------------------------------------------ operations

    private void access(Task t, String op) {
        String a;
        int room;
        if (rnd.nextInt(6) == 0) {
            int k = rnd.nextInt(24);
            a = at(t.space.heap, k);
            room = 24 - k;
        } else {
            Region r = region(t);
            int k = rnd.nextInt(r.pages);
            a = addr(r, k, true);
            room = r.pages - k;
        }
        int n = 1 + rnd.nextInt(Math.min(room, rnd.nextInt(3) == 0 ? 32 : 4));
        switch (op) {
            case "write" -> {
                // A quarter of the stores are adds (the value's low two bits decide, so the
                // stream draws what it drew before the add op existed and every seed keeps its
                // scenario's shape): the old contents show through, a COW that lost them too.
                long v = rnd.nextLong(1, 1L << 32);
                line(t, ((v & 3) == 0 ? "add " : "write ") + a + " " + n + "p 0x" + Long.toHexString(v));
            }
            case "read" -> line(t, "read " + a + (n == 1 && rnd.nextBoolean() ? "" : " " + n + "p"));
            default -> line(t, "touch " + a + " " + n + "p");
        }
    }

    /** mmap inside a region: FIXED is MAP_FIXED, MAP_FIXED_NOREPLACE (or both), or 0 for a hint. */
    private void mmapIn(Task t, int fixed) {
        Region r = region(t);
        int k = rnd.nextInt(r.pages);
        int n = pages(r.pages - k);
        int f = (rnd.nextInt(5) == 0 ? Mman.MAP_SHARED : Mman.MAP_PRIVATE) | Mman.MAP_ANONYMOUS | fixed;
        if (rnd.nextInt(8) == 0) {
            f |= Mman.MAP_POPULATE;
        }
        if (rnd.nextInt(12) == 0) {
            f |= Mman.MAP_LOCKED;
        }
        line(t, "mmap " + addr(r, k, false) + " " + n + "p " + prot() + " " + ScenarioText.mmapFlags(f));
    }

    /** mmap 0: the kernel places it; it becomes a region of the task's space. */
    private void mmapAnywhere(Task t) {
        if (t.space.regions.size() >= MAX_REGIONS_PER_SPACE) {
            mmapIn(t, Mman.MAP_FIXED);
            return;
        }
        int n = 1 + rnd.nextInt(24);
        String name = "M" + regions++;
        int flags = (rnd.nextInt(5) == 0 ? Mman.MAP_SHARED : Mman.MAP_PRIVATE) | Mman.MAP_ANONYMOUS;
        line(t, "mmap 0 " + n + "p " + prot() + " " + ScenarioText.mmapFlags(flags) + " as " + name);
        t.space.regions.add(new Region(name, n));
    }

    private void mremap(Task t) {
        Region r = region(t);
        int k = rnd.nextInt(r.pages);
        int room = r.pages - k;
        int a = pages(room);
        int b = pages(room);
        String at = addr(r, k, rnd.nextInt(30) == 0);
        final int mayMove = Mman.MREMAP_MAYMOVE;
        final int fixed = mayMove | Mman.MREMAP_FIXED;
        switch (rnd.nextInt(8)) {
            case 0 -> mremapLine(t, at, a, b, 0, null);
            case 1, 2 -> mremapLine(t, at, a, b, mayMove, null);
            case 3, 4 -> mremapLine(t, at, a, b, fixed, target(t, b));
            case 5 -> mremapLine(t, at, a, a, mayMove | Mman.MREMAP_DONTUNMAP, null);
            case 6 -> mremapLine(t, at, a, a, fixed | Mman.MREMAP_DONTUNMAP, target(t, a));
            default -> mremapLine(t, at, 0, b, mayMove, null);
        }
    }

    /** mremap AT from OLD to NEW pages (OLD 0: duplicate a shared mapping) with FLAGS, to TARGET if not null. */
    private void mremapLine(Task t, String at, int old, int nu, int flags, String target) {
        line(t, "mremap " + at + " " + (old == 0 ? "0" : ScenarioText.pages(old)) + " " + ScenarioText.pages(nu) + " "
                + ScenarioText.mremapFlags(flags) + (target == null ? "" : " " + target));
    }

    /**
     * One stack operation, drawn from the third stream only: a growsdown mapping at a page k &ge; 1
     * of a region (rw, sometimes read-only), or, if the task's space has a stack, a write or read
     * 1 to 8 pages below it, never below its region's start.
     */
    private void stackStep(Task t) {
        SplittableRandom s = stackRnd;
        int mine = -1;
        for (int i = stackRegions.size() - 1; i >= 0; i--) {
            if (t.space.regions.contains(stackRegions.get(i))) {
                mine = i;
                break;
            }
        }
        if (mine < 0 || s.nextInt(3) == 0) {
            Region r = t.space.regions.get(s.nextInt(t.space.regions.size()));
            if (r.pages < 2) {
                return;
            }
            int k = 1 + s.nextInt(r.pages - 1);
            int n = 1 + s.nextInt(Math.min(4, r.pages - k));
            line(t, "mmap " + at(r.name, k) + " " + n + "p " + (s.nextInt(6) == 0 ? "r" : "rw")
                    + " private|anonymous|growsdown|fixed");
            stackRegions.add(r);
            stackPages.add(k);
            return;
        }
        Region r = stackRegions.get(mine);
        int k = stackPages.get(mine);
        int j = 1 + s.nextInt(Math.min(k, 8));
        if (s.nextBoolean()) {
            line(t, "write " + at(r.name, k - j) + " 1p 0x" + Long.toHexString(s.nextLong(1, 1L << 32)));
        } else {
            line(t, "read " + at(r.name, k - j));
        }
    }

    /** One file operation, drawn from the second stream only. */
    private void fileStep(Task t) {
        SplittableRandom f = fileRnd;
        int w = f.nextInt(10);
        if (files == 0 || (w == 0 && files < 3)) {
            files++;
            line(t, "open f" + files + " " + (1 + f.nextInt(32)) + "p as F" + files);
            return;
        }
        String file = "F" + (1 + f.nextInt(files));
        List<Region> rs = t.space.regions;
        Region r = rs.get(f.nextInt(rs.size()));
        int k = f.nextInt(r.pages);
        int n = 1 + f.nextInt(Math.min(r.pages - k, 8));
        String at = at(r.name, k);
        if (w < 6) {
            int flags = (f.nextInt(3) == 0 ? Mman.MAP_PRIVATE : Mman.MAP_SHARED) | Mman.MAP_FIXED;
            flags |= f.nextInt(8) == 0 ? Mman.MAP_POPULATE : f.nextInt(12) == 0 ? Mman.MAP_LOCKED : 0;
            String prot = ScenarioText.prot(Vocabulary.draw(f, Vocabulary.FILE_PROTS));
            line(t, "mmap " + at + " " + n + "p " + prot + " " + ScenarioText.mmapFlags(flags) + " " + file + " "
                    + f.nextInt(24) + "p");
        } else if (w == 6 && f.nextBoolean()) {
            line(t, "madvise " + at + " " + n + "p remove");
        } else if (w < 8) {
            int pages = f.nextInt(32);
            String extra = f.nextInt(6) == 0 ? "+" + (1 + f.nextInt(4095)) : "";
            line(t, "ftruncate " + file + " " + pages + "p" + extra);
        } else {
            line(t, "remap_file_pages " + at + " " + n + "p " + f.nextInt(24));
        }
    }

    /** A page-aligned address in a region of T's space with room for N pages. */
    private String target(Task t, int n) {
        for (int tries = 0; tries < 8; tries++) {
            Region r = region(t);
            if (r.pages >= n) {
                return addr(r, rnd.nextInt(r.pages - n + 1), false);
            }
        }
        Region r = region(t);
        return addr(r, 0, false);
    }

    private void brk(Task t) {
        String h = t.space.heap;
        int k = rnd.nextInt(10);
        if (k == 0) {
            line(t, "brk 0");
        } else if (k == 1) {
            line(t, "brk " + h + "-1p");
        } else {
            int p = rnd.nextInt(24);
            String extra = rnd.nextInt(6) == 0 ? "+" + (1 + rnd.nextInt(4095)) : "";
            line(t, "brk " + h + (p == 0 ? "" : "+" + p + "p") + extra);
        }
    }

    // ------------------------------------------------------------------ values

    private Region region(Task t) {
        List<Region> rs = t.space.regions;
        return rs.get(rnd.nextInt(rs.size()));
    }

    /** R+kp; with MAYBEUNALIGNED, now and then one byte past the page (an error for most calls). */
    private String addr(Region r, int k, boolean maybeUnaligned) {
        String a = at(r.name, k);
        if (maybeUnaligned && rnd.nextInt(40) == 0) {
            a += "+1";
        }
        return a;
    }

    /** A length of at most ROOM pages: mostly small, now and then unaligned or 0. */
    private String len(int room, boolean odd) {
        int n = pages(room);
        if (odd) {
            int r = rnd.nextInt(40);
            if (r == 0) {
                return "0";
            }
            if (r == 1 && n > 1) {
                return (n - 1) + "p+" + (1 + rnd.nextInt(4095));
            }
        }
        return n + "p";
    }

    /** 1..ROOM pages, biased towards small. */
    private int pages(int room) {
        int cap = rnd.nextInt(3) == 0 ? room : Math.min(room, 8);
        return 1 + rnd.nextInt(Math.max(cap, 1));
    }

    private String prot() {
        return ScenarioText.prot(Vocabulary.draw(rnd, Vocabulary.KERNEL_PROTS));
    }
}
