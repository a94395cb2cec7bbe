package org.rmaplab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.rmaplab.harness.HarnessError;
import org.rmaplab.harness.KernelReplay;
import org.rmaplab.harness.KernelRunner;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code rmaplab kernel FILE...}: the scenarios on the real kernel, judged like {@code run}. */
@Command(name = "kernel",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Run scenario files (.vms) on the real kernel and check their expectations.",
            "The harness (harness/vmsh.c) is compiled with cc on first use. Expectations",
            "for 'linux' apply (expect:linux, else the unscoped one). Same report as 'run',",
            "design [linux]; lines only the model can run (remap_anon_pages, the machine",
            "line) are reported as skipped, never as passed."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  every expectation held",
            "  1  an expectation failed",
            "  2  bad input: bad scenario, missing file, bad option; no C compiler",
            "  3  internal error: the harness failed (a task died or hung)"})
final class KernelCommand implements Callable<Integer> {

    @ParentCommand
    Main parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--swapfile", paramLabel = "SIZE",
            description = "Make a swap file of SIZE (e.g. 512M) in $TMPDIR for the run and remove it after "
                    + "(root only): without swap, reclaim and 'madvise ... pageout' page nothing out.")
    String swapfile;

    @Option(names = {"-v", "--verbose"},
            description = "Print every line with its actual result before the verdict, as run --verbose does "
                    + "(a maps line: the task's /proc/PID/maps, the harness's own mappings left out).")
    boolean verbose;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scenario files.")
    List<String> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            List<Scenario> scenarios = KernelCli.parseAll(files, err);
            KernelRunner kernel = KernelCli.kernel(parent.backend, err);
            try (SwapFile swap = KernelCli.swap(swapfile, scenarios, err)) {
                int runs = 0;
                int failed = 0;
                int skipped = 0;
                Progress progress = Progress.stderr();
                for (Scenario sc : scenarios) {
                    progress.accept("kernel: " + sc.file() + " (" + (runs + 1) + " of " + scenarios.size() + ")");
                    KernelReplay.LinuxResult r;
                    try {
                        r = KernelReplay.judge(sc, kernel.run(Path.of(sc.file())));
                    } catch (ScenarioError e) {
                        out.flush();
                        throw KernelCli.userError(err, e.getMessage());
                    } catch (HarnessError e) {
                        out.flush();
                        err.println("rmaplab: " + sc.file() + ": kernel harness failed: " + e.getMessage());
                        err.flush();
                        return ExitCodes.INTERNAL;
                    }
                    runs++;
                    if (!r.passed()) {
                        failed++;
                    }
                    progress.done();
                    skipped += r.skipped().size();
                    if (verbose) {
                        RunCommand.verboseLines(sc, r.run()).forEach(out::println);
                    }
                    for (String line : r.report()) {
                        out.println(line);
                    }
                }
                out.println(KernelCli.plural(runs, "run") + ": " + (runs - failed) + " passed, " + failed + " failed"
                        + (skipped == 0 ? "" : " (" + KernelCli.plural(skipped, "line") + " skipped)"));
                out.flush();
                return failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
            }
        } catch (KernelCli.Exit e) {
            out.flush();
            return e.code;
        }
    }
}
