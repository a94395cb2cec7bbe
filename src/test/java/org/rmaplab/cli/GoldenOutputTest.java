package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * every count that moved. That is a regression pin, not a judgement: it says nothing moved, not
 * that the numbers are right. {@link #derivedChecksOfPinnedNumbers} checks some of the same
 * numbers, in the committed file, against what can be worked out by hand.
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
        assertEquals(Files.readString(GOLDEN), got, "regression pin: compare output changed: see the diff against "
                + GOLDEN + " (the derived checks say whether the new numbers are right)");
    }

    /**
     * Derived checks of pinned numbers, read from the committed golden file.
     *
     * <p>{@code shared-segment} (tasks=16, pages=64: t1 maps and touches a MAP_SHARED anonymous
     * segment and forks 15 children): fork copies the 64 ptes into each child, fork_ptes = 15 x 64
     * = 960, under every design but anon_vma_chain, whose fork (6.18 vma_needs_copy()) copies no pte
     * of a shared vma without an anon_vma: 0. pte_chains chains the 16 ptes of each page in blocks of
     * NRPTE ptes: rmap_allocs = 64 x ceil(16 / NRPTE) = 64 x 3 = 192 on x86_64 (NRPTE (64 - 8) / 8 =
     * 7) and 64 x 2 = 128 on i386 ((64 - 4) / 4 = 15), the peak bytes 64 bytes a block.
     *
     * <p>{@code fork-fanout} (children=8, pages=16): the parent writes 16 pages (16 anonymous
     * faults), each child's fork copies the 16 ptes (fork_ptes 8 x 16 = 128) and each child COWs
     * all 16 (cow_copies 128); then reclaim all swaps out every page: the parent's 16 and the
     * children's 128, 144, under every design.
     */
    @Test
    void derivedChecksOfPinnedNumbers() throws IOException {
        String golden = Files.readString(GOLDEN);
        for (String arch : new String[] {"", "--arch i386 "}) {
            java.util.Map<String, java.util.Map<String, Long>> rows = csv(golden, "compare --format csv --check off " + arch
                    + "shared-segment");
            long nrpte = arch.isEmpty() ? 7 : 15;
            for (var e : rows.entrySet()) {
                assertEquals(e.getKey().equals("anon_vma_chain") ? 0 : 15 * 64, e.getValue().get("fork_ptes"), e.getKey());
            }
            assertEquals(64 * ((16 + nrpte - 1) / nrpte), rows.get("pte_chains").get("rmap_allocs"), arch);
            assertEquals(64 * ((16 + nrpte - 1) / nrpte) * 64, rows.get("pte_chains").get("pte_chain_bytes_peak"), arch);
        }
        java.util.Map<String, java.util.Map<String, Long>> rows = csv(golden, "compare --format csv --check off fork-fanout");
        for (var e : rows.entrySet()) {
            assertEquals(16, e.getValue().get("faults_anon"), e.getKey());
            assertEquals(8 * 16, e.getValue().get("fork_ptes"), e.getKey());
            assertEquals(8 * 16, e.getValue().get("cow_copies"), e.getKey());
            assertEquals(16 + 8 * 16, e.getValue().get("pages_swapped_out"), e.getKey());
        }
    }

    /** The numeric columns of the CSV that follows {@code ## ARGS -> exit 0} in TEXT, by design. */
    private static java.util.Map<String, java.util.Map<String, Long>> csv(String text, String args) {
        String head = "## " + args + " -> exit 0\n";
        int at = text.indexOf(head);
        assertTrue(at >= 0, head);
        String[] lines = text.substring(at + head.length()).split("\n");
        String[] cols = lines[0].split(",");
        java.util.Map<String, java.util.Map<String, Long>> rows = new java.util.TreeMap<>();
        for (int i = 1; i < lines.length && !lines[i].startsWith("## "); i++) {
            String[] v = lines[i].split(",", -1);
            java.util.Map<String, Long> row = new java.util.HashMap<>();
            for (int c = 2; c < Math.min(cols.length, v.length); c++) {
                if (v[c].matches("-?\\d+")) {
                    row.put(cols[c], Long.parseLong(v[c]));
                }
            }
            rows.put(v[0], row);
        }
        assertEquals(java.util.Set.of("anon_vma", "anon_vma_chain", "anonmm", "lokier", "pte_chains"), rows.keySet(), args);
        return rows;
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
