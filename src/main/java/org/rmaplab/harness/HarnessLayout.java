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
 * the guard is at the top of the mmap area in both.) The kernel's guard is placed so that its
 * lower end is where the model's is modulo 2 MiB, one page below mmap_base (vmsh.c): the gap
 * the THP alignment of an anonymous mmap of a multiple of 2 MiB leaves above it is then the
 * same in both runs, whatever ASLR chose.
 *
 * <p>Given the kernel it is compared with ({@link #runner(KernelRunner, SyscallsFactory)}), the
 * model also faults as that kernel does: where read faults of private anonymous memory do not map
 * the zero page ({@link KernelRunner#readFaultMapsZeroPage()}), the model's do not either
 * ({@link Machine#setForbidsZeroPage}), so that a read gives the vma an anon_vma in both runs and
 * merges, splits and mremap's checks that depend on it agree.
 */
public final class HarnessLayout {
    private HarnessLayout() {}

    /** Sets the harness's layout as SYS's image, if SYS is the model (else leaves it alone). */
    public static Syscalls apply(Syscalls sys) {
        return apply(sys, true);
    }

    /**
     * Sets the harness's layout as SYS's image and, unless ZERO_PAGE, forbids the zero page
     * (mm_forbids_zeropage), if SYS is the model (else leaves it alone).
     */
    public static Syscalls apply(Syscalls sys, boolean zeroPage) {
        Machine k = sys instanceof CheckedSyscalls c ? c.machine() : sys instanceof Machine kk ? kk : null;
        if (k != null) {
            k.setImage(t -> guard(k, t));
            k.setForbidsZeroPage(!zeroPage);
        }
        return sys;
    }

    /**
     * A runner whose every machine from FACTORY has the harness's layout, and faults as stock
     * Linux does (read faults map the zero page): for diffs against recorded kernel results.
     */
    public static ScenarioRunner runner(SyscallsFactory factory) {
        return new ScenarioRunner((design, machine) -> apply(factory.create(design, machine)));
    }

    /**
     * A runner whose every machine from FACTORY has the harness's layout and maps the zero page on
     * a read fault exactly when KERNEL does (probed here, once per KERNEL: a {@link HarnessError}
     * if the probe fails).
     */
    public static ScenarioRunner runner(KernelRunner kernel, SyscallsFactory factory) {
        boolean zeroPage = kernel.readFaultMapsZeroPage();
        return new ScenarioRunner((design, machine) -> apply(factory.create(design, machine), zeroPage));
    }

    private static void guard(Machine k, Task t) {
        k.mmap(t, 0, Machine.PAGE_SIZE, Mman.PROT_NONE, Mman.MAP_SHARED | Mman.MAP_ANONYMOUS);
    }
}
