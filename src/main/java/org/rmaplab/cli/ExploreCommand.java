package org.rmaplab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.rmaplab.check.CheckPolicy;
import org.rmaplab.explore.ExplorerData;
import org.rmaplab.explore.ExplorerSite;
import org.rmaplab.explore.KernelView;
import org.rmaplab.explore.Recorder;
import org.rmaplab.harness.Diff;
import org.rmaplab.harness.Harness;
import org.rmaplab.harness.HarnessError;
import org.rmaplab.harness.HarnessLayout;
import org.rmaplab.harness.KernelReplay;
import org.rmaplab.harness.KernelRunner;
import org.rmaplab.harness.KernelVersion;
import org.rmaplab.scenario.ModelError;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.ScenarioError;
import org.rmaplab.scenario.ScenarioParser;
import org.rmaplab.workloads.Workload;
import org.rmaplab.workloads.Workloads;

import com.sun.net.httpserver.HttpServer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code rmaplab explore FILE|--workload NAME [--param K=V]... [--design LIST|all] [--out DIR]
 * [--kernel]}: runs the scenario (or trace, or the workload's scenario as compare generates it)
 * under each design, records every line ({@link Recorder}), and writes the explorer as a static
 * site to DIR, or serves it on localhost, prints its address and opens it in $BROWSER where that
 * is set. With --kernel the scenario also runs on the real kernel, as {@code rmaplab diff} runs it
 * (the model in the harness's layout, {@link HarnessLayout}), and the page marks, per design, the
 * first line where model and kernel parted ({@link KernelView}); where the harness cannot run, one
 * line on stderr says so and the explorer is written without that view.
 */
@Command(name = "explore", mixinStandardHelpOptions = true,
        description = {"Step through a scenario in the browser and watch every design's reverse map: "
                + "writes a static site (--out DIR, works from file://) or serves it on localhost.",
            "The scenario is FILE (a .vms file or a trace, converted as run converts it) or a workload "
                + "(--workload NAME with its --param values, as 'rmaplab compare NAME' runs it; "
                + "'rmaplab workloads' lists them)."},
        footerHeading = "%nExit codes:%n",
        footer = {
            "  0  the explorer was written (or served until ended)",
            "  2  bad input (one line on stderr): a bad scenario, workload, parameter,",
            "     design or option, or --out DIR is no directory, or has files but no site",
            "  3  internal error (a bug in the model; a stack trace is printed)"})
public final class ExploreCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Spec
    CommandSpec spec;

    @Option(names = "--design", paramLabel = "LIST|all", defaultValue = "all",
            description = "Designs and variants to record, comma-separated; 'all' (default) is the five designs, "
                    + "and may be one item of the list (all,anon_vma_chain:matena).")
    String design;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Write the explorer to DIR (created if missing; an existing DIR is replaced whole "
                    + "only if it is empty or an explorer site): index.html, explorer.js, explorer.css, "
                    + "data.js and its chunks data-000.js, ...")
    String out;

    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
            description = "Without --out: the localhost port to serve on (default: any free one).")
    int port;

    @Option(names = "--kernel",
            description = "Also run the scenario on the real kernel (as 'rmaplab diff' does) and mark, per design, "
                    + "the first line where model and kernel parted, with both results and the kernel's maps. "
                    + "Where the kernel harness cannot run, says so on stderr and writes the explorer without it.")
    boolean kernel;

    @Option(names = "--workload", paramLabel = "NAME",
            description = "Record the named workload's scenario instead of a FILE ('rmaplab workloads' lists them).")
    String workload;

    @Option(names = "--param", paramLabel = "K=V",
            description = "With --workload: a workload parameter (repeatable), as compare takes it.")
    List<String> params = new java.util.ArrayList<>();

    @Parameters(arity = "0..1", paramLabel = "FILE",
            description = "A scenario file, or a trace (converted as run does); or give --workload.")
    String file;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> designs = KernelCli.designs(spec, parent.backend, design);
        String refused = out == null ? null : refusal(Path.of(out)); // before minutes of recording
        if (refused != null) {
            return userError(err, refused);
        }
        Scenario sc;
        List<Recorder.DesignRun> runs;
        String kernelView = null;
        try {
            RunCommand.Source src;
            try {
                src = source();
                sc = ScenarioParser.parse(src.name(), src.text());
                CompareCommand.fitsTheHeap(sc);
            } catch (IllegalArgumentException e) {
                return userError(err, "rmaplab: " + e.getMessage());
            } catch (CompareCommand.BadInput e) {
                return userError(err, e.getMessage());
            }
            KernelRunner k = kernel ? kernelOrSkip(err) : null;
            Boolean zeroPage = k == null ? null : zeroPageOrSkip(k, err);
            if (zeroPage == null) {
                runs = new Recorder(CheckPolicy.parse("end")).record(sc, designs);
            } else {
                runs = new Recorder(CheckPolicy.parse("end"), s -> HarnessLayout.apply(s, zeroPage)).record(sc, designs);
                kernelView = kernelView(k, src, sc, designs, err);
            }
        } catch (ScenarioError e) {
            return userError(err, e.getMessage());
        } catch (RunCommand.UserError e) {
            return userError(err, "rmaplab: " + e.getMessage());
        } catch (ModelError e) {
            String where = e.line() > 0 ? e.file() + ":" + e.line() + ":" : e.file() + ":";
            err.println(where + " [" + e.design() + "] internal error (a bug in the model, not in the scenario):");
            e.getCause().printStackTrace(err);
            err.flush();
            return ExitCodes.INTERNAL;
        }
        Map<String, String> site = ExplorerSite.files(ExplorerData.files(sc, runs, kernelView));
        if (out != null) {
            try {
                refused = refusal(Path.of(out));
                if (refused != null) {
                    return userError(err, refused);
                }
                writeSite(Path.of(out).toAbsolutePath().normalize(), site);
            } catch (IOException e) {
                return userError(err, "rmaplab: " + out + ": " + e.getMessage());
            }
            o.println("explorer written to " + Path.of(out).resolve("index.html"));
            o.flush();
            return 0;
        }
        return serve(site, o);
    }

    /**
     * The scenario to record: FILE's, or the workload's as compare generates it; IllegalArgumentException
     * (the line without "rmaplab: ") for a bad choice or parameter, BadInput for a machine too big.
     */
    /** The scenario's name and text: FILE's (a trace converted), or the workload's as compare generates it. */
    private RunCommand.Source source() throws RunCommand.UserError, CompareCommand.BadInput {
        if ((file == null) == (workload == null)) {
            throw new IllegalArgumentException(file == null ? "explore needs a FILE or --workload NAME"
                    : "give a FILE or --workload NAME, not both");
        }
        if (workload != null) {
            Workload w = Workloads.find(workload).orElseThrow(() -> new IllegalArgumentException(
                    workload + ": no such workload (workloads: " + CompareCommand.workloadNames() + ")"));
            CompareCommand.Generated g = CompareCommand.generate(w, params);
            return new RunCommand.Source(g.file(), g.text());
        }
        if (!params.isEmpty()) {
            throw new IllegalArgumentException("--param is for --workload; " + file + " is a file");
        }
        return RunCommand.source(file);
    }

    /**
     * Why --out DIR may not be written, as the line to print, or null: DIR is not a directory, or a
     * directory that holds files but no explorer site (index.html and explorer.js): only a site (or
     * nothing) is replaced.
     */
    private String refusal(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return "rmaplab: " + out + ": not a directory";
        }
        if (Files.isDirectory(dir) && !(Files.isRegularFile(dir.resolve("index.html"))
                && Files.isRegularFile(dir.resolve("explorer.js")))) {
            try (var l = Files.list(dir)) {
                if (l.findAny().isPresent()) {
                    return "rmaplab: " + out + ": not an explorer site (it has no index.html and explorer.js), not replacing it";
                }
            } catch (IOException e) {
                return "rmaplab: " + out + ": " + e.getMessage();
            }
        }
        return null;
    }

    /**
     * Writes SITE as directory DIR, whole or not at all: into a new directory beside it, which is
     * then renamed to DIR (an old site is first renamed aside, and removed once the new one is in
     * place; put back if that rename fails). On an error nothing is left but what was there.
     */
    private static void writeSite(Path dir, Map<String, String> site) throws IOException {
        Path parent = dir.getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempDirectory(parent, "." + dir.getFileName() + ".rmaplab-");
        try {
            for (Map.Entry<String, String> e : site.entrySet()) {
                Files.writeString(tmp.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
            }
            try {
                // createTempDirectory makes it private (0700); a site is as readable as any output.
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep what it gave
            }
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS) || isEmptyDirectory(dir)) {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE); // rename(2) replaces an empty directory
                return;
            }
            Path old = parent.resolve(tmp.getFileName() + ".old");
            Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE);
                throw e;
            }
            deleteTree(old);
        } finally {
            deleteTree(tmp);
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (var l = Files.list(dir)) {
            return l.findAny().isEmpty();
        }
    }

    /** Removes P and all under it, if it exists (a site is files in one directory). */
    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (var l = Files.list(p)) {
                for (Path c : l.toList()) {
                    deleteTree(c);
                }
            }
        }
        Files.delete(p);
    }

    /** Serves SITE on localhost until the process is ended; prints the address. */
    private int serve(Map<String, String> site, PrintWriter o) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", ex -> {
            String name = ex.getRequestURI().getPath().replaceFirst("^/", "");
            String body = site.get(name.isEmpty() ? "index.html" : name);
            byte[] bytes = (body == null ? "not found" : body).getBytes(StandardCharsets.UTF_8);
            String type = name.endsWith(".css") ? "text/css" : name.endsWith(".js") ? "text/javascript" : "text/html";
            ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
            ex.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        server.start();
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        o.println("explorer at " + url + " (Ctrl-C ends it)");
        o.flush();
        String browser = System.getenv("BROWSER");
        if (browser != null && !browser.isBlank()) {
            try {
                new ProcessBuilder(browser, url).inheritIO().start(); // where one is set, as xdg-open does
            } catch (IOException e) {
                spec.commandLine().getErr().println("rmaplab: cannot start $BROWSER (" + browser + "): " + e.getMessage());
            }
        }
        try {
            new java.util.concurrent.CountDownLatch(1).await(); // until the process is ended
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        server.stop(0);
        return 0;
    }

    /** The kernel harness, or null after one line on ERR saying why it cannot run here. */
    private KernelRunner kernelOrSkip(PrintWriter err) {
        String reason = KernelVersion.unsupportedReason();
        if (reason == null || System.getProperty("os.name", "").equals("Linux")) {
            try {
                return parent.backend.kernel();
            } catch (Harness.Unavailable e) {
                reason = e.getMessage();
            }
        }
        return skipped(err, reason);
    }

    /** Whether KERNEL maps the zero page on a read fault (the harness's probe), or null after a line on ERR. */
    private static Boolean zeroPageOrSkip(KernelRunner k, PrintWriter err) {
        try {
            return k.readFaultMapsZeroPage();
        } catch (HarnessError e) {
            return skipped(err, "the kernel harness failed: " + e.getMessage());
        }
    }

    private static <T> T skipped(PrintWriter err, String reason) {
        err.println("rmaplab: explore --kernel: skipped, the explorer has no kernel view: " + reason);
        err.flush();
        return null;
    }

    /**
     * SC run on the kernel K and compared with the model under each of DESIGNS as {@code rmaplab
     * diff} compares them, as the page's JSON; null after one line on ERR if the harness fails.
     */
    private String kernelView(KernelRunner k, RunCommand.Source src, Scenario sc, List<String> designs, PrintWriter err) {
        KernelReplay.LinuxResult linux;
        try {
            KernelRunner.Output out = file != null && src.name().equals(file) ? k.run(Path.of(file)) : k.runText(src.text());
            linux = KernelReplay.judgePartial(sc, out);
        } catch (HarnessError e) {
            return skipped(err, "the kernel harness failed: " + e.getMessage());
        }
        boolean zeroPage = k.readFaultMapsZeroPage();
        var runner = HarnessLayout.runner(k, (d, m) -> parent.backend.create(d, m, CheckPolicy.parse("end")));
        List<Diff.Result> diffs = new java.util.ArrayList<>();
        for (String d : designs) {
            diffs.add(Diff.compare(sc, linux, runner, d));
        }
        return KernelView.json("Linux " + System.getProperty("os.version") + (zeroPage ? "" : ", no zero page on read faults"),
                linux, diffs);
    }

    private static int userError(PrintWriter err, String line) {
        err.println(line);
        err.flush();
        return ExitCodes.USAGE;
    }
}
