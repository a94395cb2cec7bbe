package org.rmaplab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.fuzz.Fuzzer;
import org.rmaplab.fuzz.ModelProfile;
import org.rmaplab.fuzz.ScenarioGenerator;
import org.rmaplab.harness.Diff;
import org.rmaplab.harness.HarnessError;
import org.rmaplab.harness.HarnessLayout;
import org.rmaplab.harness.KernelRunner;
import org.rmaplab.rmap.RmapDesigns;
import org.rmaplab.scenario.ModelError;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioRunner;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code rmaplab fuzz --seed S --count N [--design NAME|LIST|all] [--out DIR] [--check ...]}, and
 * {@code --profile model [--steps N]}: the model profile under the oracle only.
 */
@Command(name = "fuzz",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Diff random scenarios against the real kernel; save the ones that diverge.",
            "Generates N scenarios from seed S (the same seed gives the same scenarios),",
            "diffs each as 'diff' does, and saves every one that diverges, shrunk to the",
            "lines the divergence needs, as DIR/fuzz-S-I-DESIGN.vms. Prints the divergence",
            "of each saved file (its name leads the line), then a summary line.",
            "With --profile model, no kernel: scenario I is the model profile's seed S+I",
            "(literal addresses, 384K of RAM and a swap device, reclaim, userfaultfd, files,",
            "mlock churn, growing stacks; odd I on a remap=nonlinear machine) run under the",
            "oracle, and each that fails is saved as",
            "DIR/model-SEED-DESIGN.vms ('run --check every' replays it)."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  every scenario diffed clean",
            "  1  some scenario diverged, failed the oracle or crashed the model: see the saved files",
            "  2  bad option; no C compiler",
            "  3  internal error: the harness failed, or a generated scenario is invalid"})
final class FuzzCommand implements Callable<Integer> {

    @ParentCommand
    Main parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--seed", required = true, paramLabel = "S", description = "The seed (a 64-bit integer).")
    long seed;

    @Option(names = "--count", required = true, paramLabel = "N", description = "How many scenarios.")
    int count;

    @Option(names = "--design", paramLabel = "NAME|LIST|all", defaultValue = RmapDesigns.DEFAULT,
            description = "The design to compare (default: ${DEFAULT-VALUE}), a comma-separated LIST, or 'all' for every design ('all' may be one item of a LIST); a variant by name (DESIGN:VARIANT: pte_chains:mlocked_unchained, pte_chains:objrmap, pte_chains:objrmap_nlchains, anon_vma_chain:noreuse, anon_vma_chain:relocate, anon_vma_chain:matena, lokier:noreserve).")
    String design;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/fuzz",
            description = "Where diverging scenarios are saved (default: ${DEFAULT-VALUE}).")
    String outDir;

    @Option(names = "--check", paramLabel = "every|end|off",
            description = "When the model's oracle checks every invariant (default: end; every with --profile model).")
    String check;

    @Option(names = "--profile", paramLabel = "kernel|model", defaultValue = "kernel",
            description = "kernel: diff against the real kernel (default); model: the model profile, oracle only.")
    String profile;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "4000",
            description = "With --profile model: steps per scenario (default: ${DEFAULT-VALUE}).")
    int steps;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean model = profile.equals("model");
        CheckPolicy policy = policy(model);
        List<String> designs = KernelCli.designs(spec, parent.backend, design);
        Path dir;
        try {
            dir = Path.of(outDir);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ParameterException(spec.commandLine(), "--out: bad directory name '" + outDir + "'");
        }
        if (model) {
            return fuzzModel(designs, policy, dir, out, err);
        }
        try {
            KernelRunner kernel = KernelCli.kernel(parent.backend, err);
            ScenarioRunner runner = HarnessLayout.runner(kernel, (d, m) -> parent.backend.create(d, m, policy));
            Fuzzer fuzzer = new Fuzzer(kernel, runner, designs);
            Progress progress = Progress.stderr();
            int divergedScenarios = 0;
            int diverged = 0;
            int mergeOnly = 0;
            for (int i = 0; i < count; i++) {
                progress.accept("fuzz: scenario " + (i + 1) + " of " + count + ", " + divergedScenarios + " diverged");
                List<Fuzzer.Finding> findings = fuzzer.check(seed, i);
                if (findings.stream().anyMatch(f -> !f.mergeOnly())) {
                    divergedScenarios++;
                }
                for (Fuzzer.Finding f : findings) {
                    if (f.mergeOnly()) {
                        // Not shrunk, not saved: the design's own merge rules, which it keeps.
                        mergeOnly++;
                        progress.done();
                        out.println(ScenarioGenerator.fileName(seed, i) + ":" + f.result().first().line() + ": ["
                                + f.design() + "] merge-only: " + f.result().first().text() + " (linux "
                                + f.result().first().linux() + ", model " + f.result().first().model()
                                + "; the design's vma merge rules, not a failure)");
                        continue;
                    }
                    diverged++;
                    progress.done();
                    String small = fuzzer.shrink(f);
                    String name = ScenarioGenerator.fileName(seed, i).replace(".vms", "-" + f.design() + ".vms");
                    Path file = dir.resolve(name);
                    small = annotate(small, f.text(), f.design(), file);
                    save(file, small, err);
                    try {
                        Diff.Result r = fuzzer.diff(file.toString(), small, f.design());
                        out.println(r.verdict() == Diff.Verdict.DIVERGED ? r.report()
                                : file + ": [" + f.design() + "] diverged before shrinking, not now ("
                                        + r.report() + ")");
                    } catch (ModelError e) {
                        out.println(file + ":" + e.line() + ": [" + f.design() + "] internal error in the model: "
                                + e.getCause());
                    }
                    out.flush();
                }
            }
            progress.done();
            out.println(KernelCli.plural(count, "scenario") + ": " + divergedScenarios + " diverged"
                    + (designs.size() == 1 || diverged == 0 ? "" : " (" + KernelCli.plural(diverged, "scenario-design pair") + ")")
                    + (diverged == 0 ? "" : " (saved under " + dir + ")")
                    + (mergeOnly == 0 ? "" : "; " + mergeOnly + " merge-only (historical designs' vma merges, not failures)"));
            out.flush();
            return diverged == 0 ? ExitCodes.OK : ExitCodes.FAILED;
        } catch (KernelCli.Exit e) {
            out.flush();
            return e.code;
        } catch (HarnessError e) {
            out.flush();
            err.println("rmaplab: kernel harness failed: " + e.getMessage());
            err.flush();
            return ExitCodes.INTERNAL;
        } catch (Fuzzer.GeneratorBug e) {
            out.flush();
            err.println("rmaplab: internal error (a bug in the scenario generator): " + e.getMessage());
            err.flush();
            return ExitCodes.INTERNAL;
        }
    }

    /** Checks --count, --profile and --steps; the oracle's policy (--check, else by profile). */
    private CheckPolicy policy(boolean model) {
        if (count < 0) {
            throw new ParameterException(spec.commandLine(), "--count must not be negative, not " + count);
        }
        if (!model && !profile.equals("kernel")) {
            throw new ParameterException(spec.commandLine(), "--profile must be kernel or model, not '" + profile + "'");
        }
        if (steps < 0) {
            throw new ParameterException(spec.commandLine(), "--steps must not be negative, not " + steps);
        }
        try {
            return CheckPolicy.parse(check != null ? check : model ? "every" : "end");
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /**
     * The model profile: scenario I is seed S+I under each design, run under the oracle; each that
     * fails is saved (by the profile) and reported in one line.
     */
    private int fuzzModel(List<String> designs, CheckPolicy policy, Path dir, PrintWriter out, PrintWriter err) {
        int failed = 0;
        Progress progress = Progress.stderr();
        for (int i = 0; i < count; i++) {
            progress.accept("fuzz: scenario " + (i + 1) + " of " + count + ", " + failed + " failed");
            for (String d : designs) {
                // Odd scenarios on a 2.6 machine: remap_file_pages makes nonlinear vmas.
                ModelProfile p = new ModelProfile(seed + i, RmapDesigns.create(d), 384L << 10, 16L << 20, policy,
                        i % 2 == 1).withFiles().withUffd().withMlockChurn().withStacks().failuresTo(dir);
                try {
                    p.run(steps);
                } catch (ModelProfile.Failure f) {
                    if (f.getCause() instanceof ScenarioError e) {
                        out.flush();
                        err.println("rmaplab: internal error (a bug in the scenario generator): " + e.getMessage());
                        err.flush();
                        return ExitCodes.INTERNAL;
                    }
                    failed++;
                    progress.done();
                    String where = f.saved != null ? f.saved.toString() : "seed " + (seed + i);
                    out.println(where + ": [" + d + "] " + Main.oneLine(String.valueOf(f.getCause())));
                    out.flush();
                }
            }
        }
        progress.done();
        out.println(KernelCli.plural(count, "scenario") + ": " + failed + " failed"
                + (failed == 0 ? "" : " (saved under " + dir + ")"));
        out.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILED;
    }

    /** The header line, then how to replay, then the shrunk lines. */
    private static String annotate(String small, String original, String design, Path file) {
        int n = original.split("\n").length;
        int m = small.split("\n").length;
        int nl = small.indexOf('\n');
        return small.substring(0, nl + 1) + "# shrunk from " + n + " to " + (m + 1) + " lines; replay: ./rmaplab diff"
                + " --design " + design + " " + file + "\n" + small.substring(nl + 1);
    }

    /** Writes TEXT to FILE through a temporary file and a rename: never a partial file. */
    private static void save(Path file, String text, PrintWriter err) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".fuzz-", ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw KernelCli.userError(err, "rmaplab: cannot save " + file + ": " + e.getMessage());
        }
    }
}
