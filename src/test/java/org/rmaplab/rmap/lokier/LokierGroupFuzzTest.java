package org.rmaplab.rmap.lokier;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.rmaplab.rmap.lokier.LokierRig.P;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.InvariantViolation;
import org.rmaplab.mm.Errno;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;

/**
 * Random operations aimed at groups (the model profile (ModelProfile) rarely makes one span an mremap):
 * regions grown in small steps with small reserves, then moved whole or in part (with growth,
 * MREMAP_FIXED, DONTUNMAP, the multi-vma remap_move), shrunk, cut by munmap, mprotect and mlock,
 * forked and written — the oracle checking everything after every call.
 */
class LokierGroupFuzzTest {
    static final long W = 0x10000000L;
    static final int WPAGES = 512;

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 10).map(s -> s * 7877);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void groupsSurviveRandomOperations(long seed) {
        LokierRig r = new LokierRig(new LokierDesign(1 << 12, 0, 1, 2), CheckPolicy.EVERY);
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Task> tasks = new ArrayList<>(List.of(r.t));
        StringBuilder log = new StringBuilder();
        int maxHidden = 0;
        Syscalls.ReadResult rr = new Syscalls.ReadResult();
        for (int i = 0; i < 3000; i++) {
            Task t = tasks.get(rnd.nextInt(tasks.size()));
            Mm mm = t.mm();
            Vma v = mm.mapCount() == 0 ? null : mm.vma(rnd.nextInt(mm.mapCount()));
            Syscalls.VmaInfo g = v == null ? null : r.sys.vmaAt(t, v.start());
            long gs = g == null ? W : g.start();
            long glen = g == null ? P : g.end() - g.start();
            long s = gs + rnd.nextLong(glen / P) * P;
            long e = s + (1 + rnd.nextLong((gs + glen - s) / P)) * P;
            long win = W + rnd.nextInt(WPAGES) * P;
            int op = rnd.nextInt(15);
            String line;
            try {
                switch (op) {
                    case 0, 1 -> {
                        int flags = Mman.MAP_ANONYMOUS | Mman.MAP_FIXED
                                | (rnd.nextInt(6) == 0 ? Mman.MAP_SHARED : Mman.MAP_PRIVATE);
                        int prot = rnd.nextInt(4) == 0 ? Mman.PROT_READ : LokierRig.RW;
                        long len = (1 + rnd.nextInt(16)) * P;
                        line = "mmap " + hex(win) + " " + len + " " + prot + " " + flags + " -> "
                                + r.sys.mmap(t, win, len, prot, flags);
                    }
                    case 2, 3 -> {
                        // grow the group (or its tail) by a few pages, in place or moving
                        long from = rnd.nextBoolean() ? gs : s;
                        long old = gs + glen - from;
                        long grow = (1 + rnd.nextInt(12)) * P;
                        int fl = rnd.nextInt(3) == 0 ? 0 : Mman.MREMAP_MAYMOVE;
                        line = "grow " + hex(from) + " " + old + " +" + grow + " " + fl + " -> "
                                + r.sys.mremap(t, from, old, old + grow, fl, 0);
                    }
                    case 4 -> {
                        long grow = rnd.nextInt(3) * P;
                        int fl = Mman.MREMAP_MAYMOVE | (rnd.nextBoolean() ? Mman.MREMAP_FIXED : 0);
                        long to = (fl & Mman.MREMAP_FIXED) != 0 ? win : 0;
                        line = "move " + hex(s) + " " + (e - s) + " +" + grow + " " + fl + " " + hex(to) + " -> "
                                + r.sys.mremap(t, s, e - s, e - s + grow, fl, to);
                    }
                    case 5 -> {
                        int fl = Mman.MREMAP_MAYMOVE | Mman.MREMAP_DONTUNMAP | (rnd.nextBoolean() ? Mman.MREMAP_FIXED : 0);
                        long to = (fl & Mman.MREMAP_FIXED) != 0 ? win : 0;
                        line = "dontunmap " + hex(s) + " " + (e - s) + " " + hex(to) + " -> "
                                + r.sys.mremap(t, s, e - s, e - s, fl, to);
                    }
                    case 6 -> {
                        // remap_move: the same size with FIXED, possibly across several vmas
                        long len = e - s + rnd.nextInt(8) * P;
                        line = "remap_move " + hex(s) + " " + len + " " + hex(win) + " -> "
                                + r.sys.mremap(t, s, len, len, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, win);
                    }
                    case 7 -> line = "shrink " + hex(gs) + " " + glen + " -> "
                            + r.sys.mremap(t, gs, glen, Math.max(P, (e - s)), 0, 0);
                    case 8 -> line = "munmap " + hex(s) + " " + (e - s) + " -> " + r.sys.munmap(t, s, e - s);
                    case 9 -> {
                        int prot = rnd.nextBoolean() ? Mman.PROT_READ : LokierRig.RW;
                        line = "mprotect " + hex(s) + " " + (e - s) + " " + prot + " -> " + r.sys.mprotect(t, s, e - s, prot);
                    }
                    case 10 -> line = (rnd.nextBoolean() ? "mlock " + hex(s) + " -> " + r.sys.mlock(t, s, e - s)
                            : "munlock " + hex(s) + " -> " + r.sys.munlock(t, s, e - s));
                    case 11, 12 -> line = "write " + hex(s) + " " + (e - s) + " -> "
                            + r.sys.write(t, s, e - s, rnd.nextLong(1, 1L << 40));
                    case 13 -> line = "read " + hex(s) + " -> " + r.sys.read(t, s, e - s, rr);
                    default -> {
                        if (tasks.size() < 4 && rnd.nextBoolean()) {
                            tasks.add(r.sys.fork(t));
                            line = "fork";
                        } else if (tasks.size() > 1) {
                            r.sys.exit(t);
                            tasks.remove(t);
                            line = "exit";
                        } else {
                            line = "brk -> " + r.sys.brk(t, r.sys.brk(t, 0) + (rnd.nextInt(9) - 2) * P);
                        }
                    }
                }
            } catch (InvariantViolation | IllegalStateException ex) {
                throw new AssertionError("seed " + seed + " op " + i + ": " + ex + "\n" + tail(log), ex);
            }
            log.append(t).append(' ').append(line).append('\n');
            for (Task x : tasks) {
                int hidden = LokierRig.internal(x, 0, Long.MAX_VALUE) - r.visible(x, 0, 1L << 47);
                maxHidden = Math.max(maxHidden, hidden);
            }
        }
        r.sys.finish();
        assertTrue(r.d.stats().growthSplits > 20, "splits: " + r.d.stats().asMap());
        assertTrue(maxHidden >= 3, "groups of several vmas existed: " + maxHidden);
    }

    private static String hex(long v) {
        return Errno.isError(v) ? Long.toString(v) : "0x" + Long.toHexString(v);
    }

    private static String tail(StringBuilder log) {
        String[] l = log.toString().split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(l, Math.max(0, l.length - 40), l.length));
    }
}
