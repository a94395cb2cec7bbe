package org.rmaplab.traces;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.cli.Backend;
import org.rmaplab.cli.Main;

/**
 * The same-output check of the converter: every committed trace ({@link Traces#NAMES}) through
 * {@code rmaplab trace convert} with every combination of the options the CLI offers
 * ({@code --touch none|write-new}, {@code --files file|anon|skip}, {@code --vfork empty|fork};
 * {@code --touch-cap} at its default, and {@code --touch-cap 0}, no cap, with the defaults), each
 * output pinned in its own golden file under
 * {@code src/test/resources/golden/traces/}. A refactor of the converter must leave every one
 * byte for byte; a change of what the converter writes regenerates them on purpose with
 * {@code mvn test -Dtest=TraceGoldenTest -Drmaplab.golden.update=true}, and the diff shows every
 * line that moved.
 */
class TraceGoldenTest {
    static final Path DIR = Path.of("src/test/resources/golden/traces");

    @Test
    void everyTraceConvertsAsBeforeUnderEveryOption() throws IOException {
        boolean update = Boolean.getBoolean("rmaplab.golden.update");
        List<String> changed = new ArrayList<>();
        for (String name : Traces.NAMES) {
            check(changed, update, name + ".touch-cap-0.vms", name, "--touch-cap", "0");
            for (String touch : List.of("none", "write-new")) {
                for (String files : List.of("file", "anon", "skip")) {
                    for (String vfork : List.of("empty", "fork")) {
                        check(changed, update, name + ".touch-" + touch + ".files-" + files + ".vfork-" + vfork + ".vms",
                                name, "--touch", touch, "--files", files, "--vfork", vfork);
                    }
                }
            }
        }
        assertEquals(List.of(), changed, "converter output changed: see the diff against these golden files");
    }

    /** Converts trace NAME with OPTIONS; adds golden file GOLDEN to CHANGED unless it holds the output. */
    private static void check(List<String> changed, boolean update, String golden, String name, String... options)
            throws IOException {
        String got = convert(Traces.path(name), options);
        Path g = DIR.resolve(golden);
        if (update) {
            Files.createDirectories(DIR);
            Files.writeString(g, got, StandardCharsets.UTF_8);
        }
        if (!got.equals(Files.readString(g, StandardCharsets.UTF_8))) {
            changed.add(g.toString());
        }
    }

    /** {@code rmaplab trace convert TRACE OPTIONS...} to stdout; anything on stderr or a nonzero exit fails. */
    private static String convert(String trace, String... options) {
        List<String> args = new ArrayList<>(List.of("trace", "convert", trace));
        args.addAll(List.of(options));
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.commandLine(Backend.model(), new PrintWriter(o, true), new PrintWriter(e, true))
                .execute(args.toArray(new String[0]));
        assertEquals("", e.toString(), String.join(" ", args));
        assertEquals(0, code, String.join(" ", args));
        return o.toString();
    }
}
