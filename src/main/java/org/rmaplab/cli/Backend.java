package org.rmaplab.cli;

import java.util.List;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.harness.Harness;
import org.rmaplab.harness.KernelRunner;
import org.rmaplab.rmap.RmapDesigns;

/** What the CLI runs scenarios on: the model (and the kernel harness), or (in tests) a fake. */
public interface Backend {

    /** The designs {@code --design all} runs, the default first. */
    List<String> designs();

    /** A fresh machine running DESIGN. */
    Syscalls create(String design, MachineConfig machine, CheckPolicy policy);

    /** The real kernel, through the harness (compiled on first use); see {@link Harness#obtain()}. */
    default KernelRunner kernel() throws Harness.Unavailable {
        return new KernelRunner(Harness.obtain());
    }

    /** The model: every registered design, each behind the oracle. */
    static Backend model() {
        return new Backend() {
            @Override
            public List<String> designs() {
                return RmapDesigns.names();
            }

            @Override
            public Syscalls create(String design, MachineConfig machine, CheckPolicy policy) {
                return new CheckedSyscalls(new Machine(machine, RmapDesigns.create(design)), policy);
            }
        };
    }
}
