package org.rmaplab.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.harness.Diff;
import org.rmaplab.harness.HarnessError;
import org.rmaplab.harness.HarnessLayout;
import org.rmaplab.harness.KernelReplay;
import org.rmaplab.harness.KernelRunner;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.ModelError;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioRunner;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code rmaplab diff [--design NAME|LIST|all] [--check every|end|off] FILE...} */
@Command(name = "diff",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Compare every line's actual result on the real kernel and on the model.",
            "Expectations play no part; addresses are normalized (docs/kernel.md, \"Comparing",
            "addresses\"). Prints 'SAME FILE [design] (N lines)' or the first divergence as",
            "'FILE:LINE: [design] linux X, model Y: LINE TEXT'; then a summary line."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  no divergence",
            "  1  a divergence (or an invariant violation in the model)",
            "  2  bad input: bad scenario, unknown design, missing file, bad option; no C compiler",
            "  3  internal error: a bug in the model, or the harness failed"})
final class DiffCommand implements Callable<Integer> {

    @ParentCommand
    Main parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--design", paramLabel = "NAME|LIST|all", defaultValue = RmapDesigns.DEFAULT,
            description = "The design to compare (default: ${DEFAULT-VALUE}), a comma-separated LIST, or 'all' for every design ('all' may be one item of a LIST); a variant by name (DESIGN:VARIANT: pte_chains:mlocked_unchained, pte_chains:objrmap, pte_chains:objrmap_nlchains, anon_vma_chain:noreuse, anon_vma_chain:relocate, anon_vma_chain:matena, lokier:noreserve).")
    String design;

    @Option(names = "--check", paramLabel = "every|end|off", defaultValue = "end",
            description = "When the model's oracle checks every invariant (as for run; default: ${DEFAULT-VALUE}).")
    String check;

    @Option(names = "--swapfile", paramLabel = "SIZE",
            description = "Make a swap file of SIZE (e.g. 512M) in $TMPDIR for the run and remove it after "
                    + "(root only): without swap, reclaim and 'madvise ... pageout' page nothing out.")
    String swapfile;

    @Option(names = {"-v", "--verbose"},
            description = "Under each report, every 'maps' line's /proc/PID/maps on the kernel and in the model "
                    + "(without it, only those of a maps line that diverged).")
    boolean verbose;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scenario files.")
    List<String> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CheckPolicy policy;
        try {
            policy = CheckPolicy.parse(check);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        List<String> designs = KernelCli.designs(spec, parent.backend, design);
        try {
            List<Scenario> scenarios = KernelCli.parseAll(files, err);
            KernelRunner kernel = KernelCli.kernel(parent.backend, err);
            try (SwapFile swap = KernelCli.swap(swapfile, scenarios, err)) {
                ScenarioRunner runner;
                try {
                    runner = HarnessLayout.runner(kernel, (d, m) -> parent.backend.create(d, m, policy));
                } catch (HarnessError e) {
                    throw harnessFailed(out, err, "", e);
                }
                Tally tally = new Tally();
                Progress progress = Progress.stderr();
                int done = 0;
                for (Scenario sc : scenarios) {
                    progress.accept("diff: " + sc.file() + " (" + (++done) + " of " + scenarios.size() + ")");
                    diffScenario(sc, kernel, runner, designs, tally, verbose, out, err, progress);
                }
                progress.done();
                out.println(KernelCli.plural(tally.runs, "run") + ": " + tally.same + " same, " + tally.diverged + " diverged");
                out.flush();
                return tally.diverged == 0 ? ExitCodes.OK : ExitCodes.FAILED;
            }
        } catch (KernelCli.Exit e) {
            out.flush();
            return e.code;
        }
    }

    /** The runs compared so far and their verdicts. */
    private static final class Tally {
        int runs;
        int same;
        int diverged;
    }

    /** Runs SC on the kernel once, then compares it with the model under each design, printing each report. */
    private static void diffScenario(Scenario sc, KernelRunner kernel, ScenarioRunner runner, List<String> designs,
                                     Tally tally, boolean verbose, PrintWriter out, PrintWriter err,
                                     Progress progress) {
        KernelReplay.LinuxResult k;
        try {
            k = KernelReplay.judgePartial(sc, kernel.run(Path.of(sc.file())));
        } catch (HarnessError e) {
            throw harnessFailed(out, err, sc.file() + ": ", e);
        }
        for (String d : designs) {
            Diff.Result r;
            try {
                r = Diff.compare(sc, k, runner, d);
            } catch (ScenarioError e) {
                out.flush();
                throw KernelCli.userError(err, e.getMessage());
            } catch (ModelError e) {
                out.flush();
                throw new KernelCli.Exit(modelError(err, e));
            }
            tally.runs++;
            switch (r.verdict()) {
                case SAME -> tally.same++;
                case DIVERGED -> tally.diverged++;
            }
            progress.done();
            out.println(r.report());
            r.textLines(verbose).forEach(out::println);
        }
    }

    /** Says the harness failed (WHERE is empty or "FILE: "); the exit is 3. */
    private static KernelCli.Exit harnessFailed(PrintWriter out, PrintWriter err, String where, HarnessError e) {
        out.flush();
        err.println("rmaplab: " + where + "kernel harness failed: " + e.getMessage());
        err.flush();
        return new KernelCli.Exit(ExitCodes.INTERNAL);
    }

    /** As run reports a bug in the model: where, then the stack trace; exit 3. */
    static int modelError(PrintWriter err, ModelError e) {
        String where = e.line() > 0 ? e.file() + ":" + e.line() + ":" : e.file() + ":";
        err.println(where + " [" + e.design() + "] internal error (a bug in the model, not in the scenario):");
        e.getCause().printStackTrace(err);
        err.flush();
        return ExitCodes.INTERNAL;
    }
}
