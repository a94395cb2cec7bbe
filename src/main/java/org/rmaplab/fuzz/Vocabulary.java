package org.rmaplab.fuzz;

import java.util.SplittableRandom;

import org.rmaplab.mm.Mman;

/**
 * The random vocabulary both generator profiles draw from, and its printer in scenario syntax
 * (docs/scenario-language.md): protections, mmap and mremap flags, madvise advice, addresses and
 * lengths. The tables are the profiles' draws in their order, so that a seed keeps its scenario.
 */
final class Vocabulary {
    static final long P = 4096;

    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int R = Mman.PROT_READ;
    static final int W = Mman.PROT_WRITE;
    static final int NONE = Mman.PROT_NONE;
    static final int RX = Mman.PROT_READ | Mman.PROT_EXEC;
    static final int RWX = RW | Mman.PROT_EXEC;

    /** The kernel profile's protections: mostly rw, then every other one a scenario can ask for. */
    static final int[] KERNEL_PROTS = {RW, RW, RW, RW, R, NONE, RWX, W, RX};
    /** The kernel profile's file protections: never executable (the harness's directory may be noexec). */
    static final int[] FILE_PROTS = {RW, RW, R, NONE, W};
    /** The model profile's protections. */
    static final int[] MODEL_PROTS = {RW, RW, R, NONE, W, RX};

    /** madvise advice: the first four for anonymous memory, then MADV_REMOVE for files. */
    static final int[] ADVICE = {Mman.MADV_DONTNEED, Mman.MADV_DONTNEED, Mman.MADV_DONTFORK, Mman.MADV_DOFORK,
        Mman.MADV_REMOVE};
    static final int ANON_ADVICE = 4;

    private Vocabulary() {
    }

    /** One of the first N entries of TABLE. */
    static int draw(SplittableRandom rnd, int[] table, int n) {
        return table[rnd.nextInt(n)];
    }

    static int draw(SplittableRandom rnd, int[] table) {
        return draw(rnd, table, table.length);
    }

    /** {@code none}, or the letters of rwx that PROT has. */
    static String prot(int prot) {
        if (prot == NONE) {
            return "none";
        }
        return ((prot & Mman.PROT_READ) != 0 ? "r" : "") + ((prot & Mman.PROT_WRITE) != 0 ? "w" : "")
                + ((prot & Mman.PROT_EXEC) != 0 ? "x" : "");
    }

    /** mmap flags: the mapping type, then anonymous, fixed, fixed_noreplace, populate, locked. */
    static String mmapFlags(int flags) {
        StringBuilder b = new StringBuilder((flags & Mman.MAP_SHARED) != 0 ? "shared" : "private");
        word(b, flags, Mman.MAP_ANONYMOUS, "anonymous");
        word(b, flags, Mman.MAP_FIXED, "fixed");
        word(b, flags, Mman.MAP_FIXED_NOREPLACE, "fixed_noreplace");
        word(b, flags, Mman.MAP_POPULATE, "populate");
        word(b, flags, Mman.MAP_LOCKED, "locked");
        return b.toString();
    }

    /** mremap flags: {@code 0}, or maymove, fixed, dontunmap joined by |. */
    static String mremapFlags(int flags) {
        if (flags == 0) {
            return "0";
        }
        StringBuilder b = new StringBuilder();
        word(b, flags, Mman.MREMAP_MAYMOVE, "maymove");
        word(b, flags, Mman.MREMAP_FIXED, "fixed");
        word(b, flags, Mman.MREMAP_DONTUNMAP, "dontunmap");
        return b.toString();
    }

    private static void word(StringBuilder b, int flags, int bit, String word) {
        if ((flags & bit) != 0) {
            if (!b.isEmpty()) {
                b.append('|');
            }
            b.append(word);
        }
    }

    static String advice(int advice) {
        return switch (advice) {
            case Mman.MADV_DONTNEED -> "dontneed";
            case Mman.MADV_DONTFORK -> "dontfork";
            case Mman.MADV_DOFORK -> "dofork";
            case Mman.MADV_REMOVE -> "remove";
            case Mman.MADV_PAGEOUT -> "pageout";
            default -> throw new IllegalArgumentException("advice " + advice);
        };
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** N pages: {@code Np}. */
    static String pages(int n) {
        return n + "p";
    }

    /** NAME+Kp (NAME itself for K 0): an address K pages into a bound region. */
    static String at(String name, int k) {
        return k == 0 ? name : name + "+" + k + "p";
    }
}
