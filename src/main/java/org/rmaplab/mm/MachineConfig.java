package org.rmaplab.mm;

/**
 * The machine a scenario runs on: the {@code machine} line of the scenario language
 * ({@code machine ram=256M swap=1G arch=x86_64}).
 *
 * @param ramBytes  physical memory; frames = ramBytes / 4096
 * @param swapBytes swap device size (0: no swap)
 * @param arch      architecture profile name (org.rmaplab.cost.ArchProfile.NAMES: {@code x86_64}, {@code i386}, ...)
 */
public record MachineConfig(long ramBytes, long swapBytes, String arch) {
    /** 1 GiB of RAM is enough for every example; no swap; x86_64. */
    public static final long DEFAULT_RAM = 1L << 30;

    public static MachineConfig defaults() {
        return new MachineConfig(DEFAULT_RAM, 0, "x86_64");
    }

    public MachineConfig withRam(long bytes) {
        return new MachineConfig(bytes, swapBytes, arch);
    }
}
