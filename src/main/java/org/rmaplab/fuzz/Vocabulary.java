package org.rmaplab.fuzz;

import java.util.SplittableRandom;

import org.rmaplab.mm.Mman;
import org.rmaplab.mm.PageTable;

/**
 * The random vocabulary both generator profiles draw from: protections and madvise advice,
 * printed in scenario syntax by {@link org.rmaplab.scenario.ScenarioText}. The tables are the
 * profiles' draws in their order, so that a seed keeps its scenario.
 */
final class Vocabulary {
    static final long P = PageTable.PAGE_SIZE;

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
}
