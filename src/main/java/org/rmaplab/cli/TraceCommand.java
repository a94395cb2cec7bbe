package org.rmaplab.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.rmaplab.traces.TraceConverter;
import org.rmaplab.traces.TraceError;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rmaplab trace convert TRACE [--out FILE.vms] [--touch none|write-new] [--touch-cap N] [--files file|anon|skip] [--vfork empty|fork] [--relocate-anon]} */
@Command(name = "trace",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Traces of real programs: strace -f -o FILE ..., or rmaplab trace record (perf)."},
        subcommands = {TraceCommand.Convert.class, TraceRecordCommand.class})
final class TraceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    @Command(name = "convert",
            mixinStandardHelpOptions = true,
            versionProvider = Main.Version.class,
            description = {"Convert an strace or perf script trace into a scenario.",
                "The kind is recognised by content, gzip'd or not (see docs/traces.md):",
                "tasks by pid, the kernel's addresses bound to names, accesses by the --touch policy (strace)",
                "or the real page faults (perf). Written atomically to --out, else to stdout."},
            footerHeading = "%nExit codes:%n",
            footer = {"  0  converted", "  2  bad input (one line on stderr: FILE:LINE: what is wrong); nothing written"})
    static final class Convert implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "TRACE", description = "strace output (-f, -o or stderr form), or perf script text of rmaplab trace record.")
        String trace;

        @Option(names = "--out", paramLabel = "FILE.vms", description = "Write the scenario here (default: stdout).")
        String out;

        @Option(names = "--touch", paramLabel = "none|write-new", defaultValue = "write-new",
                description = "Accesses strace cannot show (default: ${DEFAULT-VALUE}): write the pages that become writable, or none.")
        String touch;

        @Option(names = "--touch-cap", paramLabel = "PAGES", defaultValue = "64",
                description = "At most this many pages written per call (0: no cap; default: ${DEFAULT-VALUE}).")
        int touchCap;

        @Option(names = "--files", paramLabel = "file|anon|skip", defaultValue = "file",
                description = "File mappings: of model files (one per path, followed through openat/dup/close), as anonymous mappings of the same size and protection, or skipped (default: ${DEFAULT-VALUE}).")
        String files;

        @Option(names = "--vfork", paramLabel = "empty|fork", defaultValue = "empty",
                description = "A vfork child: forked from the empty t1 (it copies nothing, like vfork) or from its parent, like fork (default: ${DEFAULT-VALUE}).")
        String vfork;

        @Option(names = "--relocate-anon",
                description = {"Add relocate_anon (MREMAP_RELOCATE_ANON, Stoakes 2025; no real program passes it) to every "
                        + "mremap that moved anonymous memory (Stoakes' flag on every move). For "
                        + "--design anon_vma_chain:relocate only: every other design, like Linux 6.18, answers EINVAL "
                        + "to the flag, and the program no longer does what it did."})
        boolean relocateAnon;

        @Override
        public Integer call() {
            PrintWriter err = spec.commandLine().getErr();
            TraceConverter.Options opt;
            try {
                opt = options(touch, touchCap, files, vfork);
                opt = relocateAnon ? opt.relocatingAnon() : opt;
            } catch (IllegalArgumentException e) {
                err.println("rmaplab: " + e.getMessage());
                err.flush();
                return ExitCodes.USAGE;
            }
            Progress progress = Progress.stderr();
            Path body = null;
            try {
                if (out != null) {
                    AtomicFile.checkWritable(out);
                }
                // The scenario's lines go to a temporary file as they are made (the header, with the
                // counts and the machine line, is known only at the end and is written first):
                // memory stays bounded however long the trace.
                body = AtomicFile.temp(Path.of(out != null ? out : System.getProperty("java.io.tmpdir") + "/x")
                        .toAbsolutePath());
                TraceConverter.Head head;
                try (InputStream in = RunCommand.open(trace);
                     Writer w = Files.newBufferedWriter(body, StandardCharsets.UTF_8)) {
                    head = TraceConverter.convert(trace, in, opt, w,
                            n -> progress.accept("trace convert: " + n + " lines read"));
                } catch (CharacterCodingException e) {
                    throw new RunCommand.UserError(trace + ": not a UTF-8 text file");
                } catch (IOException e) {
                    // reading the trace (a gzip stream cut short...), or, rarer, writing its lines to the temporary file
                    throw new RunCommand.UserError(trace + ": cannot read: " + e.getMessage());
                } finally {
                    progress.done(); // before the scenario on stdout, or a message on stderr
                }
                Path lines = body;
                AtomicFile.Content scenario = w -> {
                    w.write(head.header());
                    try (Reader r = Files.newBufferedReader(lines, StandardCharsets.UTF_8)) {
                        r.transferTo(w);
                    }
                };
                if (out == null) {
                    Writer w = new BufferedWriter(spec.commandLine().getOut());
                    scenario.writeTo(w);
                    w.flush();
                } else {
                    AtomicFile.write(out, scenario);
                }
                return ExitCodes.OK;
            } catch (TraceError e) {
                err.println(e.getMessage());
            } catch (RunCommand.UserError e) {
                err.println("rmaplab: " + e.getMessage());
            } catch (IOException | java.nio.file.InvalidPathException e) {
                err.println("rmaplab: cannot write " + (out == null ? "the scenario" : out) + ": " + e.getMessage());
            } finally {
                if (body != null) {
                    try {
                        Files.deleteIfExists(body);
                    } catch (IOException e) {
                        // left in the temporary directory
                    }
                }
            }
            err.flush();
            return ExitCodes.USAGE;
        }
    }

    static TraceConverter.Options options(String touch, int cap, String files, String vfork) {
        TraceConverter.Touch t = switch (touch) {
            case "none" -> TraceConverter.Touch.NONE;
            case "write-new" -> TraceConverter.Touch.WRITE_NEW;
            default -> throw new IllegalArgumentException("--touch must be none or write-new, not '" + touch + "'");
        };
        if (cap < 0) {
            throw new IllegalArgumentException("--touch-cap must be 0 or more, not " + cap);
        }
        TraceConverter.Files f = switch (files.toLowerCase(Locale.ROOT)) {
            case "anon" -> TraceConverter.Files.ANON;
            case "skip" -> TraceConverter.Files.SKIP;
            case "file" -> TraceConverter.Files.FILE;
            default -> throw new IllegalArgumentException("--files must be file, anon or skip, not '" + files + "'");
        };
        if (!vfork.equals("empty") && !vfork.equals("fork")) {
            throw new IllegalArgumentException("--vfork must be empty or fork, not '" + vfork + "'");
        }
        return new TraceConverter.Options(t, cap, f, vfork.equals("fork"));
    }
}
