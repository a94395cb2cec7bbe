package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/**
 * docs/cli.md is true to the command line: it holds each command's {@code --help} exactly as the
 * command prints it, and names every option of every command in it. The blocks are regenerated
 * with the goldens' {@code -Drmaplab.golden.update=true}.
 */
class CliDocTest {
    /** {@code -Drmaplab.golden.update=true} rewrites each command's block as it now prints (then review the diff). */
    static final boolean UPDATE = Boolean.getBoolean("rmaplab.golden.update");

    @Test
    void cliDocHoldsEveryCommandsHelpAsPrinted() throws IOException {
        String doc = Files.readString(Path.of("docs/cli.md"));
        List<CommandLine> commands = new ArrayList<>();
        collect(Main.commandLine(Backend.model(), new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())),
                commands);
        int checked = 0;
        for (CommandLine c : commands) {
            String name = c.getCommandSpec().qualifiedName();
            if (name.equals("rmaplab") || name.equals("rmaplab help") || name.equals("rmaplab trace")) {
                continue; // the top level, picocli's help and a group without options of its own
            }
            String[] words = name.substring("rmaplab ".length()).split(" ");
            String[] args = java.util.Arrays.copyOf(words, words.length + 1);
            args[words.length] = "--help";
            StringWriter out = new StringWriter();
            assertEquals(0, Main.commandLine(Backend.model(), new PrintWriter(out, true),
                    new PrintWriter(new StringWriter(), true)).execute(args), name);
            String block = "$ " + name + " --help\n" + out + "```";
            if (UPDATE && !doc.contains(block)) {
                int at = doc.indexOf("$ " + name + " --help\n");
                assertTrue(at >= 0, "docs/cli.md has no block for " + name + " --help: add one");
                doc = doc.substring(0, at) + block + doc.substring(doc.indexOf("```", at) + 3);
                Files.writeString(Path.of("docs/cli.md"), doc);
            }
            assertTrue(doc.contains(block),
                    "docs/cli.md lacks '" + name + " --help' as printed (regenerate its block):\n" + out);
            for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
                assertTrue(doc.contains(o.longestName()), name + ": docs/cli.md never names " + o.longestName());
            }
            checked++;
        }
        assertEquals(14, checked, "run kernel diff fuzz compare workloads findings report explore bench, bench validate, calibrate, trace convert|record");
    }

    private static void collect(CommandLine c, List<CommandLine> into) {
        into.add(c);
        for (CommandLine sub : c.getSubcommands().values()) {
            collect(sub, into);
        }
    }
}
