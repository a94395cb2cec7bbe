package org.rmaplab.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.rmaplab.workloads.Workload;
import org.rmaplab.workloads.Workloads;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rmaplab workloads}: the named workloads and their parameters. */
@Command(name = "workloads",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"List the named workloads 'rmaplab compare NAME --param K=V' runs, with their parameters."})
final class WorkloadsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (Workload w : Workloads.ALL) {
            out.println(w.name() + ": " + w.description());
            for (Workload.Param p : w.params()) {
                out.println("  " + p.name() + "=" + p.defaultValue() + "  (" + p.min() + ".." + p.max() + ") "
                        + p.meaning());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}
