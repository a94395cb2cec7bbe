package org.rmaplab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code rmaplab trace record [-o FILE] -- CMD ARGS...}: runs CMD under {@code perf record} with
 * the events the converter reads ({@link #EVENTS}: the user page faults, enter and exit of the
 * memory and task system calls; {@code -d} adds the mmap events of data mappings to perf's task
 * and exec-mapping events), then writes {@code perf script --show-task-events
 * --show-mmap-events} text to FILE (atomically; default {@code trace.perf}). perf missing, or
 * perf_event_paranoid forbidding tracepoints to a user without root: one line saying how to fix
 * it, exit 2.
 */
@Command(name = "record",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {"Run a program under perf record and write the perf script text `trace convert` reads.",
            "The events: its user page faults, the memory and task system calls, task and mmap events."},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  recorded (whatever the program's own exit status, which is printed)",
            "  2  perf missing or not permitted, perf failed, or FILE cannot be written (one line on stderr)"})
final class TraceRecordCommand implements Callable<Integer> {
    /** The system calls whose enter and exit are recorded: what TraceConverter converts. */
    static final List<String> SYSCALLS = List.of("mmap", "munmap", "mremap", "mprotect", "brk", "madvise", "mlock",
            "mlock2", "munlock", "clone", "clone3", "fork", "vfork", "execve", "exit", "exit_group");

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "trace.perf",
            description = "Write the perf script text here (default: ${DEFAULT-VALUE}).")
    String output;

    @Parameters(paramLabel = "CMD", arity = "1..*", description = "The program and its arguments (after --).")
    List<String> command;

    @Option(names = "--perf", paramLabel = "PATH",
            description = "The perf to run (default: $PERF, else perf on PATH).")
    String perfPath;

    /** perf script's last message, for the error when it fails. */
    private String lastLine = "";

    /** perf's event options: {@code -e exceptions:page_fault_user -e syscalls:sys_enter_mmap ...}. */
    static List<String> events() {
        List<String> e = new ArrayList<>(List.of("-e", "exceptions:page_fault_user"));
        for (String s : SYSCALLS) {
            e.addAll(List.of("-e", "syscalls:sys_enter_" + s, "-e", "syscalls:sys_exit_" + s));
        }
        return e;
    }

    /**
     * Why this user may not record tracepoints (null: it may): perf_event_paranoid above -1
     * (perf_allow_tracepoint(), include/linux/perf_event.h) forbids them to a task without CAP_PERFMON,
     * which root has.
     */
    static String forbidden(int euid, int paranoid) {
        if (euid == 0 || paranoid <= -1) {
            return null;
        }
        return "rmaplab: perf_event_paranoid is " + paranoid + ", which forbids tracepoints to non-root users: "
                + "run as root, or `sudo sysctl kernel.perf_event_paranoid=-1`";
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        String perf = perfPath != null ? perfPath : System.getenv().getOrDefault("PERF", "perf");
        try {
            String why = forbidden(euid(), paranoid());
            if (why != null) {
                throw KernelCli.userError(err, why);
            }
            Path out = Path.of(output).toAbsolutePath();
            Path dir = out.getParent();
            Path data = Files.createTempFile(dir, ".rmaplab-", ".data");
            Path text = Files.createTempFile(dir, ".rmaplab-", ".tmp");
            try {
                List<String> rec = new ArrayList<>(List.of(perf, "record", "-q", "-d", "-o", data.toString()));
                rec.addAll(events());
                rec.add("--");
                rec.addAll(command);
                int status = runPerf(rec, null, err, perf);
                if (Files.size(data) == 0) {
                    throw KernelCli.userError(err, "rmaplab: perf record recorded nothing (see its messages above)");
                }
                if (runPerf(List.of(perf, "script", "-i", data.toString(), "--show-task-events", "--show-mmap-events"),
                        text, err, perf) != 0) {
                    throw KernelCli.userError(err, "rmaplab: perf record recorded nothing usable of " + command.get(0)
                            + " (perf record's exit status " + status + "; perf script: " + lastLine + ")");
                }
                Files.setPosixFilePermissions(text, PosixFilePermissions.fromString("rw-r--r--"));
                Files.move(text, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                err.println("rmaplab: recorded " + String.join(" ", command) + " (exit status " + status + ") into "
                        + output + "; convert it with: rmaplab trace convert " + output);
                err.flush();
                return ExitCodes.OK;
            } finally {
                Files.deleteIfExists(data);
                Files.deleteIfExists(text);
            }
        } catch (KernelCli.Exit e) {
            return e.code;
        } catch (IOException e) {
            err.println("rmaplab: cannot write " + output + " (" + e + ")");
            err.flush();
            return ExitCodes.USAGE;
        }
    }

    /**
     * Runs perf with ARGS (its output to OUT, else inherited) and returns its exit status (perf
     * record's is the program's; its messages and the program's go to our stderr; perf script's
     * last message is kept in lastLine). perf missing: exit 2 with how to install it.
     */
    private int runPerf(List<String> args, Path out, PrintWriter err, String perf) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(args).redirectInput(ProcessBuilder.Redirect.INHERIT);
        Path log = Files.createTempFile(".rmaplab-perf-", ".log");
        try {
            // perf record's messages and the program's stderr go to ours; perf script's are kept for its error.
            pb.redirectError(out == null ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.to(log.toFile()));
            pb.redirectOutput(out == null ? ProcessBuilder.Redirect.INHERIT : ProcessBuilder.Redirect.to(out.toFile()));
            Process p;
            try {
                p = pb.start();
            } catch (IOException e) {
                throw KernelCli.userError(err, "rmaplab: cannot run " + perf + " (" + e.getMessage()
                        + "): install perf (Debian: linux-perf; Fedora: perf) or set PERF to its path");
            }
            int status = p.waitFor();
            String log0 = Files.readString(log, StandardCharsets.UTF_8);
            lastLine = log0.strip().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("exit status " + status)
                    .strip();
            return status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw KernelCli.userError(err, "rmaplab: interrupted");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int euid() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("Uid:")) {
                return Integer.parseInt(l.split("\\s+")[2]);
            }
        }
        return -1;
    }

    private static int paranoid() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/kernel/perf_event_paranoid")).strip());
        } catch (IOException | NumberFormatException e) {
            return 2; // unknown: assume the distributions' default
        }
    }
}
