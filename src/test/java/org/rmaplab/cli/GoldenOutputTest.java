package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The same-output check of refactors: every named workload and every corpus scenario through
 * {@code rmaplab compare --format csv} under every design (and every workload on i386 too), one
 * golden file, {@code src/test/resources/golden/compare.csv}. A refactor must leave it byte for
 * byte; a change of the model's counts regenerates it on purpose with
 * {@code mvn test -Dtest=GoldenOutputTest -Drmaplab.golden.update=true}, and the diff shows
 * every count that moved.
 */
class GoldenOutputTest {
    static final Path GOLDEN = Path.of("src/test/resources/golden/compare.csv");

    @Test
    void everyWorkloadAndScenarioComparesAsBefore() throws IOException {
        StringBuilder all = new StringBuilder();
        List<String> workloads = new ArrayList<>();
        compare(all, "workloads");
        for (String line : lastOut.split("\n")) {
            if (!line.isEmpty() && !line.startsWith(" ")) {
                workloads.add(line.substring(0, line.indexOf(':')));
            }
        }
        for (String w : workloads) {
            compare(all, "compare", "--format", "csv", "--check", "off", w);
            compare(all, "compare", "--format", "csv", "--check", "off", "--arch", "i386", w);
        }
        List<Path> files = new ArrayList<>();
        for (String d : new String[] {"scenarios", "examples"}) {
            try (Stream<Path> s = Files.walk(Path.of(d))) {
                s.filter(p -> p.toString().endsWith(".vms")).sorted().forEach(files::add);
            }
        }
        for (Path f : files) {
            compare(all, "compare", "--format", "csv", "--check", "off", f.toString());
        }
        String got = all.toString();
        if (Boolean.getBoolean("rmaplab.golden.update")) {
            Files.createDirectories(GOLDEN.getParent());
            Files.writeString(GOLDEN, got, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(GOLDEN), got, "compare output changed: see the diff against " + GOLDEN);
    }

    private String lastOut;

    private void compare(StringBuilder all, String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Main.commandLine(Backend.model(), new PrintWriter(o, true), new PrintWriter(e, true)).execute(args);
        lastOut = o.toString();
        all.append("## ").append(String.join(" ", args)).append(" -> exit ").append(code).append('\n');
        all.append(lastOut).append(e);
    }
}
