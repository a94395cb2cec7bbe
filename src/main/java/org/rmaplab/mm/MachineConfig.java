package org.rmaplab.mm;

/**
 * The machine a scenario runs on: the {@code machine} line of the scenario language
 * ({@code machine ram=256M swap=1G arch=x86_64 remap=nonlinear}).
 *
 * @param ramBytes  physical memory; frames = ramBytes / 4096
 * @param swapBytes swap device size (0: no swap)
 * @param arch      architecture profile name (org.rmaplab.cost.ArchProfile.NAMES: {@code x86_64}, {@code i386}, ...)
 * @param nonlinear {@code remap=nonlinear}: remap_file_pages(2) keeps the one vma and rearranges its
 *                  ptes (VM_NONLINEAR, 2.6.11's mm/fremap.c); false ({@code remap=emulated}, the
 *                  default): Linux 4.0's emulation, a new vma per remapped range
 * @param truncate  {@code truncate=exhaustive|linear|cleanup|unmap}: how truncation finds the pages
 *                  of nonlinear vmas ({@link NonlinearTruncate}; exhaustive, 2.6's fix, by default)
 */
public record MachineConfig(long ramBytes, long swapBytes, String arch, boolean nonlinear, NonlinearTruncate truncate) {
    /** 1 GiB of RAM is enough for every example; no swap; x86_64. */
    public static final long DEFAULT_RAM = 1L << 30;

    /** A machine with remap_file_pages emulated, as today's Linux has it. */
    public MachineConfig(long ramBytes, long swapBytes, String arch) {
        this(ramBytes, swapBytes, arch, false);
    }

    /** A machine whose truncation of nonlinear vmas is 2.6's fixed one (exhaustive). */
    public MachineConfig(long ramBytes, long swapBytes, String arch, boolean nonlinear) {
        this(ramBytes, swapBytes, arch, nonlinear, NonlinearTruncate.EXHAUSTIVE);
    }

    public static MachineConfig defaults() {
        return new MachineConfig(DEFAULT_RAM, 0, "x86_64");
    }

    public MachineConfig withRam(long bytes) {
        return new MachineConfig(bytes, swapBytes, arch, nonlinear, truncate);
    }

    /** The same machine with another RAM and swap size. */
    public MachineConfig withRamAndSwap(long ram, long swap) {
        return new MachineConfig(ram, swap, arch, nonlinear, truncate);
    }

    /** The same machine with another architecture profile. */
    public MachineConfig withArch(String a) {
        return new MachineConfig(ramBytes, swapBytes, a, nonlinear, truncate);
    }
}
