package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** rmaplab compare and rmaplab workloads. */
class CompareCommandTest extends CliTest {

    @Test
    void csvHasAHeaderAndOneRowPerDesign() throws IOException {
        Path f = write("a.vms", "t1 mmap 0 4p rw private|anonymous as A\nt1 write A 4p 1\nt1 fork as t2\n"
                + "t2 write A 1p 2\ncheck\n");
        assertEquals(0, run("compare", "--format", "csv", f.toString()), err);
        String[] lines = out.split("\n");
        assertTrue(lines[0].startsWith("design,arch,rmap_bytes,rmap_bytes_peak,"), lines[0]);
        assertEquals(1 + org.rmaplab.rmap.RmapDesigns.names().size(), lines.length);
        assertTrue(lines[1].startsWith("anon_vma_chain,x86_64,"), lines[1]);
        String first = out;
        assertEquals(0, run("compare", "--format", "csv", f.toString()));
        assertEquals(first, out, "deterministic");
    }

    @Test
    void designsArchAndJson() throws IOException {
        Path f = write("a.vms", "t1 mmap 0 4p rw private|anonymous as A\nt1 write A 4p 1\n");
        assertEquals(0, run("compare", "--designs", "pte_chains,anon_vma", "--arch", "i386", "--format", "json",
                f.toString()), err);
        assertTrue(out.startsWith("{\n  \"scenario\": "), out);
        assertTrue(out.contains("{\"design\": \"pte_chains\", \"arch\": \"i386\", \"rmap_bytes\": "), out);
        assertTrue(out.contains("\"design\": \"anon_vma\""), out);
        assertFalse(out.contains("anon_vma_chain\""), out);
        assertEquals(0, run("compare", "--designs", "anon_vma", f.toString()));
        String old = out;
        assertEquals(0, run("compare", "--design", "anon_vma", f.toString()), err); // one name everywhere
        assertEquals(old, out);
        assertTrue(out.startsWith("metric "), out);
        // Every profile runs; i386-numaq's 32-byte lines make 32-byte pte_chain blocks.
        for (String arch : org.rmaplab.cost.ArchProfile.NAMES) {
            assertEquals(0, run("compare", "--designs", "pte_chains", "--arch", arch, "--format", "json",
                    f.toString()), err);
            assertTrue(out.contains("\"arch\": \"" + arch + "\""), out);
        }
    }

    @Test
    void badScenarioIsOneLineExit2AndNoOutputFile() throws IOException {
        Path f = write("bad.vms", "t1 mmap 0 4p rw private|anonymous as A\nt1 frobnicate A\n");
        Path o = dir.resolve("out.csv");
        assertEquals(2, run("compare", "--format", "csv", "--out", o.toString(), f.toString()));
        assertEquals("", out);
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.startsWith(f + ":2: "), err);
        assertFalse(Files.exists(o));
    }

    @Test
    void badOptions() {
        assertEquals(2, run("compare", "--designs", "nope", "fork-fanout"));
        assertEquals(2, run("compare", "--arch", "sparc", "fork-fanout"));
        assertEquals(1, err.strip().lines().count(), err);
        assertTrue(err.contains("unknown arch 'sparc' (known: x86_64, x86_64-la57, i386, i386-pae, "
                + "i386-pae-nohighpte, i386-numaq)"), err);
        assertEquals(2, run("compare", "--format", "xml", "fork-fanout"));
        assertEquals(2, run("compare", "fork-fanout", "--param", "children=0"));
        assertTrue(err.contains("out of range"), err);
        assertEquals(2, run("compare", "fork-fanout", "--param", "kids=3"));
        assertEquals(1, err.strip().lines().count(), err);
        assertEquals(2, run("compare", "no-such-thing"));
        assertTrue(err.startsWith("rmaplab: no-such-thing: no such file or workload"), err);
    }

    @Test
    void workloadsListAndEmit() throws IOException {
        assertEquals(0, run("workloads"));
        assertTrue(out.contains("fork-fanout: "), out);
        assertTrue(out.contains("realloc-growth: "), out);
        assertTrue(out.contains("  children=8"), out);
        Path e = dir.resolve("fan.vms");
        Path o = dir.resolve("fan.csv");
        assertEquals(0, run("compare", "fork-fanout", "--param", "children=3", "--param", "pages=2",
                "--emit", e.toString(), "--out", o.toString(), "--format", "csv"), err);
        assertEquals("", out);
        String emitted = Files.readString(e);
        assertTrue(emitted.contains("t1 fork as c3\n"), emitted);
        String csv = Files.readString(o);
        // The emitted scenario, compared as a file, gives the same numbers.
        assertEquals(0, run("compare", "--format", "csv", e.toString()), err);
        assertEquals(csv, out);
    }

    /** --sweep: one row per value and design, the swept parameter as the second column. */
    @Test
    void sweep() throws IOException {
        assertEquals(0, run("compare", "fork-fanout", "--sweep", "children=1,2", "--param", "pages=2",
                "--designs", "anon_vma,anon_vma_chain", "--format", "csv"), err);
        String[] lines = out.split("\n");
        assertEquals(5, lines.length, out);
        assertTrue(lines[0].startsWith("design,children,arch,"), lines[0]);
        assertTrue(lines[1].startsWith("anon_vma,1,"), lines[1]);
        assertTrue(lines[2].startsWith("anon_vma_chain,1,"), lines[2]);
        assertTrue(lines[4].startsWith("anon_vma_chain,2,"), lines[4]);
        assertEquals(2, run("compare", "fork-fanout", "--sweep", "children=1,x"));
        assertEquals("rmaplab: --sweep children: 'x' is not an integer\n", err);
        assertEquals(2, run("compare", "fork-fanout", "--sweep", "children=1", "--param", "children=2"));
        Path f = write("a.vms", "t1 mmap 0 4p rw private|anonymous as A\n");
        assertEquals(2, run("compare", "--sweep", "children=1", f.toString()));
    }

    /** The totals keep their names; the per-walk distributions follow them; anonmm alone counts mms. */
    @Test
    void distributionColumnsNextToTheTotals() {
        assertEquals(0, run("compare", "--format", "csv", "fork-fanout", "--param", "children=4"), err);
        String header = out.lines().findFirst().orElseThrow();
        for (String col : new String[] {"rmap_bytes_peak", "lowmem_bytes_peak", "walks", "walk_vmas_visited",
                "walk_ptes_checked", "rmap_ops", "mremap_cows", "pages_swapped_out"}) {
            assertTrue(("," + header + ",").contains("," + col + ","), col);
        }
        assertTrue(header.contains(",walks,walk_vmas_visited,walk_ptes_checked,walk_vmas_p50,walk_vmas_p90,"
                + "walk_vmas_p99,walk_vmas_max,walk_ptes_p50,walk_ptes_p90,walk_ptes_p99,walk_ptes_max,"
                + "walk_mms_p50,walk_mms_p90,walk_mms_p99,walk_mms_max,rmap_ops,"), header);
        assertTrue(out.contains("\nanon_vma_chain,x86_64,"), out);
        assertTrue(out.lines().filter(l -> l.startsWith("anon_vma_chain,")).findFirst().orElseThrow()
                .contains(",1,1,1,1,1,1,1,1,,,,,"), out);
        assertTrue(out.lines().filter(l -> l.startsWith("anonmm,")).findFirst().orElseThrow()
                .contains(",1,1,1,1,1,1,1,1,1,1,1,1,"), out);
        assertEquals(0, run("compare", "--format", "json", "--designs", "anon_vma", "fork-fanout"), err);
        assertTrue(out.contains("\"walk_mms_p50\": null"), out);
        assertEquals(0, run("compare", "--designs", "anon_vma", "fork-fanout"), err);
        assertTrue(out.lines().filter(l -> l.startsWith("walk_mms_max ")).findFirst().orElseThrow().endsWith(" -"), out);
    }

    /** The oracle's own walks are not the workload's: the counters do not depend on --check. */
    @Test
    void walkCountersDoNotDependOnTheOracle() {
        assertEquals(0, run("compare", "--format", "csv", "--check", "off", "fork-fanout"), err);
        String off = out;
        assertEquals(0, run("compare", "--format", "csv", "--check", "every", "fork-fanout"), err);
        assertEquals(off, out);
        assertEquals(0, run("compare", "--format", "csv", "fork-fanout"), err);
        assertEquals(off, out);
    }

    static org.w3c.dom.Document xml(String text) throws Exception {
        javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    static final String SVG = "http://www.w3.org/2000/svg";
    static final String XHTML = "http://www.w3.org/1999/xhtml";

    /** The cells of the table with id "data", row by row, as CSV lines. */
    static java.util.List<String> dataTable(org.w3c.dom.Document doc) {
        java.util.List<String> lines = new java.util.ArrayList<>();
        org.w3c.dom.NodeList tables = doc.getElementsByTagNameNS(XHTML, "table");
        for (int i = 0; i < tables.getLength(); i++) {
            org.w3c.dom.Element t = (org.w3c.dom.Element) tables.item(i);
            if (!t.getAttribute("id").equals("data")) {
                continue;
            }
            org.w3c.dom.NodeList trs = t.getElementsByTagNameNS(XHTML, "tr");
            for (int r = 0; r < trs.getLength(); r++) {
                java.util.List<String> cells = new java.util.ArrayList<>();
                org.w3c.dom.NodeList cs = trs.item(r).getChildNodes();
                for (int c = 0; c < cs.getLength(); c++) {
                    cells.add(cs.item(c).getTextContent());
                }
                lines.add(String.join(",", cells));
            }
        }
        return lines;
    }

    /**
     * compare --html with a sweep: well-formed XHTML; a line chart per metric that varies, one
     * polyline per design with a point per swept value; the table of all rows is the CSV.
     */
    @Test
    void htmlWithASweep() throws Exception {
        String[] args = {"compare", "fork-fanout", "--sweep", "children=1,2,4", "--param", "pages=2"};
        Path html = dir.resolve("c.html");
        assertEquals(0, run(concat(args, "--format", "csv", "--html", html.toString())), err);
        String csv = out;
        String page = Files.readString(html);
        org.w3c.dom.Document doc = xml(page);
        assertEquals(csv.lines().toList(), dataTable(doc));
        org.w3c.dom.NodeList svgs = doc.getElementsByTagNameNS(SVG, "svg");
        assertTrue(svgs.getLength() >= 10, "charts: " + svgs.getLength());
        for (int i = 0; i < svgs.getLength(); i++) {
            org.w3c.dom.Element svg = (org.w3c.dom.Element) svgs.item(i);
            org.w3c.dom.NodeList lines = svg.getElementsByTagNameNS(SVG, "polyline");
            assertTrue(lines.getLength() >= 1 && lines.getLength() <= 5);
            for (int j = 0; j < lines.getLength(); j++) {
                assertEquals(3, ((org.w3c.dom.Element) lines.item(j)).getAttribute("points").split(" ").length);
            }
        }
        // Units on the value axes.
        assertTrue(page.contains("class=\"y-unit\" x=\"14\""), "rotated y-axis unit");
        for (String unit : new String[] {">bytes</text>", ">vmas per walk</text>", ">walks</text>", ">rmap operations</text>"}) {
            assertTrue(page.contains(unit), unit);
        }
        assertFalse(page.contains("http://") && page.replace("http://www.w3.org/", "").contains("http://"), "no network");
        // The charts that weigh the designs first, under headings, the rest under a closed "More charts".
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<h2>([^<]*)</h2>|<figcaption>([^<]*)</figcaption>|<details>")
                .matcher(page);
        java.util.List<String> open = new java.util.ArrayList<>();
        while (m.find() && !m.group().equals("<details>")) {
            open.add(m.group(1) != null ? "# " + m.group(1) : m.group(2));
        }
        assertEquals(java.util.List.of("# rmap memory", "rmap_bytes_peak", "lowmem_bytes_peak", "# Reverse-walk cost",
                "walk_vmas_max", "walk_vmas_p50", "walk_ptes_max", "walk_ptes_p50", "walk_vmas_visited",
                "walk_ptes_checked", "# rmap operations", "rmap_ops", "fork_rmap_ops", "# Estimated time",
                "est_time_ns", "est_fork_ns", "est_run_ns", "est_reclaim_ns"), open);
        assertTrue(page.contains("<details>\n<summary>More charts ("), "the rest closed");
        assertTrue(page.indexOf("<figcaption>walk_vmas_p99</figcaption>") > page.indexOf("<details>"));
        // Nothing counted it (walk_mms_* only anonmm's, 1 at every point; mremap_cows 0): listed, not charted.
        assertFalse(page.contains("<figcaption>walk_mms_max") || page.contains("<figcaption>mremap_cows"));
        assertTrue(page.contains("walk_mms_max = 1 (anonmm only; the others do not count it)"), "listed");
        // Deterministic, and the same page with or without --format.
        assertEquals(0, run(concat(args, "--html", html.toString())), err);
        assertEquals(page, Files.readString(html));
    }

    /** Without a sweep: a bar chart per metric, one bar per design. */
    @Test
    void htmlWithoutASweep() throws Exception {
        Path html = dir.resolve("c.html");
        assertEquals(0, run("compare", "prefork-server", "--param", "workers=2", "--html", html.toString(),
                "--format", "csv"), err);
        org.w3c.dom.Document doc = xml(Files.readString(html));
        assertEquals(out.lines().toList(), dataTable(doc));
        org.w3c.dom.NodeList rects = doc.getElementsByTagNameNS(SVG, "rect");
        int bars = 0;
        for (int i = 0; i < rects.getLength(); i++) {
            bars += ((org.w3c.dom.Element) rects.item(i)).getAttribute("class").equals("bar") ? 1 : 0;
        }
        assertTrue(bars >= 5 * 5, "bars: " + bars);
        assertEquals(0, doc.getElementsByTagNameNS(SVG, "polyline").getLength());
    }

    @Test
    void htmlIsNotWrittenOnBadInput() throws IOException {
        Path html = dir.resolve("c.html");
        Path f = write("bad.vms", "t1 frobnicate\n");
        assertEquals(2, run("compare", "--html", html.toString(), f.toString()));
        assertFalse(Files.exists(html));
        assertEquals(2, run("compare", "fork-fanout", "--sweep", "children=1,x", "--html", html.toString()));
        assertFalse(Files.exists(html));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temporary file left");
        }
    }

    /**
     * --jobs N runs the designs (and the swept cases) on N threads; stdout and stderr are those of
     * --jobs 1 byte for byte: rows, failures and the stop at the first bad run are taken in order.
     */
    @Test
    void parallelOutputIsTheSerialOutputByteForByte() throws IOException {
        String[][] cases = {
            {"fork-fanout", "--param", "children=6", "--param", "pages=8", "--param", "parent_exits=1"},
            {"fork-fanout", "--sweep", "children=1,3,5", "--param", "pages=4", "--format", "json"},
            {"anon-vma-growth", "--param", "depth=12", "--format", "csv"},
            {write("f.vms", "t1 mmap 0 4p rw private|anonymous as A\nt1 write A 4p 1\nt1 fork as t2\n"
                    + "t2 write A 1p 2\nt2 read A expect 3\nt1 read A+1p expect 1\ncheck\n").toString()},
            {"shared-segment", "--param", "tasks=600", "--param", "pages=4", "--designs", "anon_vma,pte_chains,lokier"},
        };
        for (String[] c : cases) {
            int serialCode = run(concat(new String[] {"compare", "--jobs", "1"}, c));
            String serialOut = out;
            String serialErr = err;
            for (String jobs : new String[] {"2", "5"}) {
                assertEquals(serialCode, run(concat(new String[] {"compare", "--jobs", jobs}, c)), String.join(" ", c));
                assertEquals(serialOut, out, "stdout with --jobs " + jobs + ": " + String.join(" ", c));
                assertEquals(serialErr, err, "stderr with --jobs " + jobs + ": " + String.join(" ", c));
            }
        }
        assertEquals(2, run("compare", "--jobs", "0", "fork-fanout"));
        assertTrue(err.contains("--jobs must be at least 1"), err);
    }

    /**
     * An OOM kill is named: t1 writes 64 pages on a machine of 16 frames without swap, so the OOM
     * killer ends it during the write (result KILLED). Unexpected, it is a failure (exit 1) with one
     * line per design; a scenario that expects KILLED is about the OOM killer and passes.
     */
    @Test
    void anOomKillIsNamed() throws IOException {
        Path f = write("oom.vms", "machine ram=64K swap=0\nt1 mmap 0 64p rw private|anonymous as A\n"
                + "t1 write A 64p 1\n");
        assertEquals(1, run("compare", "--designs", "anon_vma,pte_chains", f.toString()));
        assertEquals(f + ": [anon_vma] the OOM killer killed 1 task: the machine (ram=0M swap=0M) is too small for "
                + "this run, so its counts are not the scenario's\n" + f + ": [pte_chains] the OOM killer killed 1 "
                + "task: the machine (ram=0M swap=0M) is too small for this run, so its counts are not the scenario's\n",
                err);
        Path g = write("oom2.vms", "machine ram=64K swap=0\nt1 mmap 0 64p rw private|anonymous as A\n"
                + "t1 write A 64p 1 expect KILLED\n");
        assertEquals(0, run("compare", "--designs", "anon_vma", g.toString()), err);
        assertEquals("", err);
    }

    /** Progress lines are overwritten in place and cleared; piped, nothing is shown. */
    @Test
    void progressOnlyOnATerminal() {
        var bytes = new java.io.ByteArrayOutputStream();
        Progress p = Progress.to(new java.io.PrintStream(bytes, true));
        p.accept("compare: x design 1/5");
        p.accept("compare: x design 2/5");
        p.done();
        assertEquals("\rcompare: x design 1/5\rcompare: x design 2/5\r" + " ".repeat(21) + "\r", bytes.toString());
        assertTrue(Progress.isTerminalDevice("/dev/pts/3"));
        assertFalse(Progress.isTerminalDevice("pipe:[1234]"));
        assertFalse(Progress.isTerminalDevice("/tmp/log"));
        assertFalse(Progress.stderrIsTerminal(), "the test JVM's stderr is a pipe");
        // A command that ends within its first second shows none (issue 16: progress only when long).
        var quiet = new java.io.ByteArrayOutputStream();
        Progress q = Progress.to(new java.io.PrintStream(quiet, true), Progress.QUIET_NANOS);
        q.accept("run: x [anon_vma] (1 of 5)");
        q.done();
        assertEquals("", quiet.toString());
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void aVariantRunsByNameAsItsDesign() throws IOException {
        // expect:pte_chains lines apply to pte_chains:mlocked_unchained; --design all runs no variant.
        Path f = write("v.vms", "t1 mmap 0 4p rw private|anonymous as A\nt1 mlock A 2p\nt1 write A 4p 7\n"
                + "t1 fork as t2\nt2 read A+3p expect 7\nt1 vmas A 4p expect 2 expect:pte_chains 2\ncheck\n");
        for (String v : org.rmaplab.rmap.RmapDesigns.variants()) {
            assertEquals(0, run("run", "--design", v, "--check", "every", f.toString()), err);
            assertEquals("PASS " + f + " [" + v + "] (7 lines)\n1 run: 1 passed, 0 failed\n", out);
        }
        assertEquals(0, run("run", "--design", "all", f.toString()), err);
        assertFalse(out.contains("mlocked_unchained") || out.contains("noreuse"), out);
    }

    @Test
    void compareTakesAVariantBesideItsDesign() {
        // mlocked-segment under wli's step (b): the variant keeps no chain for the locked ptes.
        assertEquals(0, run("compare", "--designs", "pte_chains,pte_chains:mlocked_unchained", "--arch", "i386",
                "--format", "csv", "mlocked-segment"), err);
        String[] lines = out.split("\n");
        assertEquals(3, lines.length, out);
        assertTrue(lines[1].startsWith("pte_chains,i386,8192,"), lines[1]);
        assertTrue(lines[2].startsWith("pte_chains:mlocked_unchained,i386,0,0,0,"), lines[2]);
        assertEquals(2, run("compare", "--designs", "pte_chains:nope", "mlocked-segment"));
        assertTrue(err.contains("variants: pte_chains:mlocked_unchained"), err);
    }
}
