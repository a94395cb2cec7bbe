package org.rmaplab.cli;

import java.io.IOException;
import java.util.concurrent.Callable;

import org.rmaplab.report.HtmlReport;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rmaplab report --out FILE}: the HTML report with SVG charts. */
@Command(name = "report",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Write an HTML report of sweeps over the named workloads.",
            "XHTML with inline SVG line charts, one line per design, written atomically to --out,",
            "or '-' for stdout."})
final class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE|-", required = true, description = "Where to write.")
    String out;

    @Option(names = "--jobs", paramLabel = "N",
            description = "Runs at once (default: the available processors, fewer if the heap would not hold "
                    + "them); the page is the same for every N.")
    Integer jobs;

    @Override
    public Integer call() {
        if (jobs != null && jobs < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--jobs must be at least 1, not " + jobs);
        }
        if (!out.equals("-") && !AtomicFile.writableOrSay(out, spec.commandLine().getErr())) {
            return ExitCodes.USAGE; // before minutes of work, not after
        }
        Progress progress = Progress.stderr();
        String html = HtmlReport.html(progress, jobs != null ? jobs : org.rmaplab.report.Findings.defaultJobs());
        progress.done();
        if (out.equals("-")) {
            spec.commandLine().getOut().print(html);
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        try {
            AtomicFile.write(out, html);
        } catch (IOException | java.nio.file.InvalidPathException e) {
            spec.commandLine().getErr().println("rmaplab: cannot write " + out + ": " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.USAGE;
        }
        return ExitCodes.OK;
    }
}
