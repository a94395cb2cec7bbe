package org.rmaplab.scenario;

import org.rmaplab.kernel.MachineConfig;
import org.rmaplab.kernel.Syscalls;

/** Makes a fresh machine for one run of a scenario under one design. */
@FunctionalInterface
public interface SyscallsFactory {
    /**
     * A fresh Syscalls for DESIGN on MACHINE. The CLI returns
     * {@code new CheckedSyscalls(new Kernel(machine, RmapDesigns.create(design)), policy)}.
     */
    Syscalls create(String design, MachineConfig machine);
}
