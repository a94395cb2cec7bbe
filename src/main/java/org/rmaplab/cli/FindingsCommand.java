package org.rmaplab.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.rmaplab.report.Findings;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rmaplab findings [--out FILE]}: regenerates docs/findings.md. Without --out it writes
 * docs/findings.md when ./docs exists (a checkout), else stdout, so that it works from any directory.
 */
@Command(name = "findings",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Regenerate the findings document: the published figures, reproduced.",
            "The named workloads are run and the document written atomically to --out,",
            "or '-' for stdout; without --out, to docs/findings.md when ./docs exists",
            "(in a checkout), else to stdout."})
final class FindingsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE|-",
            description = "Where to write (default: docs/findings.md when ./docs exists, else stdout).")
    String out;

    /** The default of --out in WORKING_DIR: docs/findings.md when WORKING_DIR/docs is a directory, else stdout. */
    static String defaultOut(Path workingDir) {
        return Files.isDirectory(workingDir.resolve("docs")) ? "docs/findings.md" : "-";
    }

    @Option(names = "--jobs", paramLabel = "N",
            description = "Sections written at once (default: the available processors, fewer if the heap would "
                    + "not hold them); the document is the same for every N.")
    Integer jobs;

    @Override
    public Integer call() {
        if (jobs != null && jobs < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--jobs must be at least 1, not " + jobs);
        }
        String out = this.out != null ? this.out : defaultOut(Path.of(""));
        if (!out.equals("-") && !AtomicFile.writableOrSay(out, spec.commandLine().getErr())) {
            return ExitCodes.USAGE; // before minutes of work, not after
        }
        String md = Findings.markdown(jobs != null ? jobs : Findings.defaultJobs());
        if (out.equals("-")) {
            spec.commandLine().getOut().print(md);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        try {
            AtomicFile.write(out, md);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            spec.commandLine().getErr().println("rmaplab: cannot write " + out + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.USAGE;
        }
        return ExitCodes.OK;
    }
}
