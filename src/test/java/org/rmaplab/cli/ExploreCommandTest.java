package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** {@code rmaplab explore --out DIR}: the site's files, determinism, and bad input. */
class ExploreCommandTest extends CliTest {

    @Test
    void writesTheStaticSite() throws Exception {
        Path site = dir.resolve("site");
        assertEquals(0, run("explore", "examples/fork-cow.vms", "--design", "anon_vma_chain,pte_chains",
                "--out", site.toString()), err);
        assertEquals("explorer written to " + site.resolve("index.html") + "\n", out);
        for (String f : new String[] {"index.html", "explorer.js", "explorer.css", "data.js"}) {
            assertTrue(Files.size(site.resolve(f)) > 100, f);
        }
        String data = Files.readString(site.resolve("data.js"));
        assertTrue(data.startsWith("window.RMAPLAB_EXPLORE = {\"file\":\"examples/fork-cow.vms\""), data);
        assertTrue(data.contains("{\"name\":\"pte_chains\""));
        assertFalse(data.contains("{\"name\":\"anon_vma\""), "only the designs asked for");
        String html = Files.readString(site.resolve("index.html"));
        assertFalse(html.contains("http://") || html.contains("https://"), "no CDN: everything is in the site");
        assertEquals(0, run("explore", "examples/fork-cow.vms", "--design", "anon_vma_chain,pte_chains",
                "--out", site.toString()));
        assertEquals(data, Files.readString(site.resolve("data.js")), "deterministic");
    }

    @Test
    void badInputIsOneLineAndNoSite() throws Exception {
        Path bad = write("bad.vms", "t1 mmap 0 16p rw private|anonymous as A\nt1 frobnicate A\n");
        Path site = dir.resolve("site");
        assertEquals(2, run("explore", bad.toString(), "--out", site.toString()));
        assertTrue(err.startsWith(bad + ":2: "), err);
        assertEquals(1, err.lines().count(), err);
        assertFalse(Files.exists(site), "no partial output");
        assertEquals(2, run("explore", dir.resolve("missing.vms").toString(), "--out", site.toString()));
        assertEquals("rmaplab: " + dir.resolve("missing.vms") + ": no such file\n", err);
        Path file = write("plain", "x");
        assertEquals(2, run("explore", "examples/fork-cow.vms", "--out", file.toString()));
        assertEquals("rmaplab: " + file + ": not a directory\n", err);
        assertEquals(2, run("explore", "examples/fork-cow.vms", "--design", "nosuch", "--out", site.toString()));
        assertEquals(1, err.lines().count(), err);
    }

    /** The directory --out names, beside it nothing of ours (no temporary directory left). */
    private void assertNothingLeftBeside(Path site) throws Exception {
        try (var l = Files.list(site.getParent())) {
            assertEquals(List.of(), l.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList());
        }
    }

    @Test
    void outIsReplacedWholeAndOnlyIfItIsASite() throws Exception {
        Path site = dir.resolve("site");
        assertEquals(0, run("explore", "examples/fork-cow.vms", "--design", "anon_vma", "--out", site.toString()), err);
        String data = Files.readString(site.resolve("data.js"));
        Files.writeString(site.resolve("data-999.js"), "stale");
        assertEquals(0, run("explore", "examples/fork-cow.vms", "--design", "anon_vma", "--out", site.toString()), err);
        assertFalse(Files.exists(site.resolve("data-999.js")), "the old site is replaced as a whole");
        assertEquals(data, Files.readString(site.resolve("data.js")));
        assertNothingLeftBeside(site);

        // Bad input: the old site stays as it was.
        Path bad = write("bad.vms", "t1 frobnicate\n");
        Files.writeString(site.resolve("mine.txt"), "kept");
        assertEquals(2, run("explore", bad.toString(), "--out", site.toString()));
        assertEquals("kept", Files.readString(site.resolve("mine.txt")));
        assertNothingLeftBeside(site);

        // A directory that is no site is not replaced: one line, exit 2, its files untouched.
        Path notes = dir.resolve("notes");
        Files.createDirectories(notes);
        Files.writeString(notes.resolve("index.html"), "my own page");
        assertEquals(2, run("explore", "examples/fork-cow.vms", "--out", notes.toString()));
        assertEquals("rmaplab: " + notes + ": not an explorer site (it has no index.html and explorer.js), "
                + "not replacing it\n", err);
        assertEquals("", out);
        try (var l = Files.list(notes)) {
            assertEquals(List.of(notes.resolve("index.html")), l.toList());
        }
        assertEquals("my own page", Files.readString(notes.resolve("index.html")));

        // An empty directory is written into; a missing parent is made.
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        assertEquals(0, run("explore", "examples/fork-cow.vms", "--design", "anon_vma", "--out", empty.toString()), err);
        assertTrue(Files.isRegularFile(empty.resolve("data-000.js")));
        Path deep = dir.resolve("a/b/site");
        assertEquals(0, run("explore", "examples/fork-cow.vms", "--design", "anon_vma", "--out", deep.toString()), err);
        assertTrue(Files.isRegularFile(deep.resolve("index.html")));
        assertNothingLeftBeside(empty);
        assertNothingLeftBeside(deep);
    }

    /**
     * --workload records the workload's scenario as compare generates it. fork-fanout children=2
     * pages=4 is ten lines run: t1's mmap and write, two forks, each child's write, reclaim all,
     * each child's read, check (the machine line is no step).
     */
    @Test
    void recordsAWorkload() throws Exception {
        Path site = dir.resolve("site");
        assertEquals(0, run("explore", "--workload", "fork-fanout", "--param", "children=2", "--param", "pages=4",
                "--design", "anon_vma", "--out", site.toString()), err);
        String data = Files.readString(site.resolve("data.js"));
        assertTrue(data.startsWith("window.RMAPLAB_EXPLORE = {\"file\":\"fork-fanout[children=2,pages=4]\""), data);
        assertEquals(10, data.split("\\{\"line\":", -1).length - 1, data);
        assertTrue(data.contains("{\"line\":9,\"text\":\"reclaim all\"}"), data);
        assertTrue(data.contains("\"steps\":10,"), data);

        Path none = dir.resolve("none");
        String[][] bad = {
            {"--workload", "nosuch"},
            {"--workload", "fork-fanout", "--param", "children=0"},
            {"--workload", "fork-fanout", "--param", "kids=2"},
            {"--workload", "fork-fanout", "--param", "children"},
            {"--workload", "fork-fanout", "examples/fork-cow.vms"},
            {"examples/fork-cow.vms", "--param", "children=2"},
            {},
        };
        String[] want = {
            "rmaplab: nosuch: no such workload (workloads: ",
            "rmaplab: --param children=0 is out of range (1..4096)",
            "rmaplab: workload fork-fanout has no parameter 'kids' (has: ",
            "rmaplab: --param takes NAME=VALUE, not 'children'",
            "rmaplab: give a FILE or --workload NAME, not both",
            "rmaplab: --param is for --workload; examples/fork-cow.vms is a file",
            "rmaplab: explore needs a FILE or --workload NAME",
        };
        for (int i = 0; i < bad.length; i++) {
            List<String> args = new java.util.ArrayList<>(List.of("explore"));
            args.addAll(List.of(bad[i]));
            args.addAll(List.of("--out", none.toString()));
            assertEquals(2, run(args.toArray(String[]::new)), String.join(" ", bad[i]));
            assertTrue(err.startsWith(want[i]), err);
            assertEquals(1, err.lines().count(), err);
            assertFalse(Files.exists(none), "no partial output");
        }
    }
}
