package org.rmaplab.scenario;

import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Syscalls;

/** Makes a fresh machine for one run of a scenario under one design. */
@FunctionalInterface
public interface SyscallsFactory {
    /**
     * A fresh Syscalls for DESIGN on MACHINE. The CLI returns
     * {@code new CheckedSyscalls(new Machine(machine, RmapDesigns.create(design)), policy)}.
     */
    Syscalls create(String design, MachineConfig machine);
}
