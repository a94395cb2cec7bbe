package org.rmaplab.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rmaplab bench}: the benchmarks live in their own module (bench/, JMH) and the
 * {@code ./rmaplab} launcher builds and runs them; this command is their entry in the help and
 * what the launcher shows for {@code bench ... --help}. Run from the jar itself it says so.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        subcommands = {ValidateCommand.class},
        description = {"Run the benchmarks: the model's CPU time and host memory, the kernel's costs.",
            "The ./rmaplab launcher runs them and builds bench/ (JMH) on first use:",
            "  bench [JMH OPTIONS]          JMH on the model (e.g. -f 1 -wi 2 -i 3 Fork)",
            "  bench cputime [WARMUP [ROUNDS]]  CPU time, a cross-check of the scores",
            "  bench footprint              host bytes and allocations per model page",
            "  bench kernel [faults|shape|all]  the real kernel's costs",
            "  bench validate               predicted against measured time on the kernel",
            "docs/benchmarks.md explains each and holds the results."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "ARGS", description = "As above.")
    List<String> args;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("rmaplab: bench is run by the ./rmaplab launcher"
                + " (it builds the benchmark module bench/); see 'rmaplab bench --help'");
        return ExitCodes.USAGE;
    }
}
