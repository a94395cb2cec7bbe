package org.rmaplab.harness;

import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;
import org.rmaplab.scenario.ScenarioRunner;
import org.rmaplab.scenario.SyscallsFactory;

/**
 * The kernel harness's own layout, for the model side of a diff. On the kernel every task image
 * (t1, and each exec) starts with the harness's mappings above where the scenario's go: [vdso],
 * [vvar], glibc's TLS block and, right below them, a PROT_NONE MAP_SHARED guard page
 * (vmsh.c, task_setup_memory()). The model's image is empty, so its first {@code mmap 0} would
 * have nothing above it and could grow in place where the kernel's must move.
 * {@link #apply} gives each model image the same guard page — {@code mmap 0 1p none
 * shared|anonymous} before the first line — so that the scenario's mappings have the same
 * neighbour in both runs. (What sits above the guard page is never reached by {@code mmap 0}:
 * the guard is at the top of the mmap area in both.)
 */
public final class HarnessLayout {
    private HarnessLayout() {}

    /** Sets the harness's layout as SYS's image, if SYS is the model (else leaves it alone). */
    public static Syscalls apply(Syscalls sys) {
        Machine k = sys instanceof CheckedSyscalls c ? c.machine() : sys instanceof Machine kk ? kk : null;
        if (k != null) {
            k.setImage(t -> guard(k, t));
        }
        return sys;
    }

    /** A runner whose every machine from FACTORY has the harness's layout. */
    public static ScenarioRunner runner(SyscallsFactory factory) {
        return new ScenarioRunner((design, machine) -> apply(factory.create(design, machine)));
    }

    private static void guard(Machine k, Task t) {
        k.mmap(t, 0, Machine.PAGE_SIZE, Mman.PROT_NONE, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS);
    }
}
