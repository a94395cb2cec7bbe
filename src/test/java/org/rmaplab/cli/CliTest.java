package org.rmaplab.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

/** For tests of commands on the model: runs the command line and keeps what it printed. */
abstract class CliTest {

    @TempDir
    Path dir;

    /** What the last {@link #run} printed on stdout and stderr. */
    String out;
    String err;

    /** Runs {@code rmaplab ARGS} on the model backend; returns the exit code. */
    int run(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.commandLine(Backend.model(), new PrintWriter(o, true), new PrintWriter(e, true)).execute(args);
        out = o.toString();
        err = e.toString();
        return code;
    }

    /** Writes TEXT to NAME in the test's directory. */
    Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
