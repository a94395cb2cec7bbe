package org.rmaplab.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.explore.Recorder;
import org.rmaplab.explore.ScaleScenario;
import org.rmaplab.scenario.ScenarioParser;

/**
 * The explorer's static site in headless Chromium (as {@link BrowserTest} drives it; skipped with
 * the reason where none is installed): open examples/fork-cow.vms's site from file://, step to the
 * COW line with the arrow key, select t1's page at A+4p by clicking its frame row, and check that
 * each design's panel lists exactly the vmas that design's walk visits as the Java side recorded
 * it (the walk_vmas_visited the walk counted); the screenshot is not blank.
 */
class ExploreBrowserTest {
    /** t1's page at A+4p (0x7ffff7fef000 + 4 pages): the page the COW leaves to t1. */
    static final String PAGE = "1@7ffff7ff3000";
    /** The COW: "t2 write A+4p 1p 0xB2", line 7, the fourth line run (step index 3). */
    static final int COW_STEP = 3;

    @TempDir
    Path dir;

    final BrowserTest browser = new BrowserTest();

    @BeforeAll
    static void findChromium() {
        BrowserTest.findChromium();
    }

    @BeforeEach
    void needChromium() {
        Assumptions.assumeTrue(BrowserTest.chromium != null, "no chromium installed (Debian: apt-get install chromium)");
        browser.dir = dir;
    }

    /** A copy of the site's index.html that steps and selects like a user, then prints what it sees. */
    Path driven(Path site) throws Exception {
        return driven(site, "for(var i=0;i<" + COW_STEP + ";i++)document.dispatchEvent(new KeyboardEvent('keydown',{key:'ArrowRight',bubbles:true}));",
                PAGE, "");
    }

    /**
     * A copy of index.html that runs KEYS (JavaScript that steps), clicks the frame row of page
     * KEY, and prints each panel's design, vmas visited and visit events, then what MORE prints.
     */
    static Path driven(Path site, String keys, String key, String more) throws Exception {
        String script = "<script>RMAPLAB_EXPLORER.ready(function(){" + keys
                + "document.querySelector('#frametable tr[data-key=\"" + key + "\"]').click();"
                + "var out=['position '+document.getElementById('position').textContent];"
                + "document.querySelectorAll('.design-panel').forEach(function(p){"
                + "var v=[];p.querySelectorAll('ol.walk li.ev-vma').forEach(function(li){v.push(li.textContent);});"
                + "out.push('panel '+p.getAttribute('data-design')+' '+p.getAttribute('data-vmas')+' '+v.join(' | '));"
                + more + "});"
                + "var pre=document.createElement('pre');pre.id='rmaplab-checks';pre.textContent=out.join('\\n');"
                + "document.body.appendChild(pre);});</script>";
        Path copy = site.resolve("driven.html");
        Files.writeString(copy, Files.readString(site.resolve("index.html")).replace("</body>", script + "</body>"));
        return copy;
    }

    @Test
    void eachPanelListsTheVmasItsWalkVisits() throws Exception {
        Path site = dir.resolve("site");
        assertEquals(0, browser.run("explore", "examples/fork-cow.vms", "--out", site.toString()), browser.cli.err);
        Path page = driven(site);
        String dom = browser.chromium(page, "--dump-dom");
        Matcher m = Pattern.compile("<pre id=\"rmaplab-checks\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "the driving script ran");
        List<String> lines = m.group(1).lines().toList();
        assertTrue(lines.get(0).startsWith("position line 7 (step 4 of 12)"), lines.get(0));

        // The same model run on the Java side: each design's walk of t1's page at the COW.
        Map<String, String> want = new LinkedHashMap<>();
        for (Recorder.DesignRun r : new Recorder(CheckPolicy.parse("end"))
                .record(ScenarioParser.parseFile(Path.of("examples/fork-cow.vms")), Backend.model().designs())) {
            Recorder.Walk w = null;
            for (Recorder.Walk x : r.steps.get(COW_STEP).walks().values()) {
                w = x.key.equals(PAGE) ? x : w;
            }
            List<String> vmas = new ArrayList<>();
            for (Recorder.WalkEvent e : w.events) {
                if (e.what().equals("vma")) {
                    vmas.add("visit " + e.label());
                }
            }
            assertEquals(w.vmasVisited, vmas.size(), r.design);
            want.put(r.design, "panel " + r.design + " " + w.vmasVisited + " " + String.join(" | ", vmas));
        }
        assertEquals(List.copyOf(want.values()), lines.subList(1, lines.size()));
        // Hand-derived (RecorderTest): after the COW, anon_vma_chain's walk of t1's page visits
        // one vma, 2.6.7's anon_vma list two (t2's vma first, where the page is no more).
        assertTrue(want.get("anon_vma_chain").startsWith("panel anon_vma_chain 1 "), want.get("anon_vma_chain"));
        assertTrue(want.get("anon_vma").startsWith("panel anon_vma 2 visit pid 2 "), want.get("anon_vma"));

        browser.assertScreenshot(page);
    }

    /**
     * A file page (examples/file-fork.vms, hand-derived in FileStructureTest): at the last line,
     * click F's page 1 ({@code 1@7ffff7ff9000}) and check that each design's structure lists, in
     * order, the vmas its walk visits: the query's answer of the interval tree (anon_vma_chain,
     * lokier) and the prio_tree (anon_vma), SH in mm1 then mm2, 2 vmas; 2.6.6's i_mmap_shared
     * (anonmm), every vma on it, 4; 2.6.0's chain (pte_chains), one vma per chained pte, 4.
     */
    @Test
    void aFilePagesPanelsListTheVmasTheirWalksVisit() throws Exception {
        Path site = dir.resolve("file");
        assertEquals(0, browser.run("explore", "examples/file-fork.vms", "--out", site.toString()), browser.cli.err);
        String more = "var s=[],c=[];p.querySelectorAll('ul.structure li.k-vma').forEach(function(li){"
                + "if(li.textContent.indexOf('visit ')===0)s.push(li.textContent);});"
                + "p.querySelectorAll('ul.structure li.k-pte').forEach(function(li){c.push(li.textContent);});"
                + "out.push('structure '+s.join(' | '));out.push('chain '+c.join(' | '));"
                + "var e=[];p.querySelectorAll('ol.walk li.ev-pte').forEach(function(li){e.push(li.textContent);});"
                + "out.push('ptes '+e.join(' | '));";
        Path page = driven(site, "document.dispatchEvent(new KeyboardEvent('keydown',{key:'End',bubbles:true}));",
                "1@7ffff7ff9000", more);
        String dom = browser.chromium(page, "--dump-dom");
        Matcher m = Pattern.compile("<pre id=\"rmaplab-checks\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "the driving script ran");
        List<String> lines = m.group(1).lines().toList();
        assertTrue(lines.get(0).startsWith("position line 14 (step 10 of 10)"), lines.get(0));
        Map<String, Integer> want = Map.of("anon_vma_chain", 2, "anon_vma", 2, "pte_chains", 4, "anonmm", 4, "lokier", 2);
        Pattern walkVma = Pattern.compile("visit pid (\\d+) ([0-9a-f]+-[0-9a-f]+)");
        Pattern structVma = Pattern.compile("vma mm(\\d+) ([0-9a-f]+-[0-9a-f]+)");
        Pattern pte = Pattern.compile("(?:pid |mm)(\\d+) (@[0-9a-f]+)");
        for (int i = 1; i < lines.size(); i += 4) {
            String[] head = lines.get(i).split(" ", 4);
            String design = head[1];
            assertEquals(want.get(design), Integer.valueOf(head[2]), lines.get(i));
            List<String> visited = all(walkVma, head.length > 3 ? head[3] : "");
            assertEquals(want.get(design), visited.size(), lines.get(i));
            if (design.equals("pte_chains")) {
                // 2.6.0 walks the chain: the ptes checked are the chain's, in chain order.
                assertEquals(all(pte, lines.get(i + 2)), all(pte, lines.get(i + 3)), design);
                assertEquals(4, all(pte, lines.get(i + 2)).size(), lines.get(i + 2));
            } else {
                // mm N is pid N's here (t1 made mm1, its fork mm2).
                assertEquals(visited, all(structVma, lines.get(i + 1)), design);
            }
        }
        assertEquals(1 + 4 * want.size(), lines.size(), String.join("\n", lines));

        // The docs' screenshot (README, "The explorer"): this page, with
        // -Drmaplab.explorer.screenshot=docs/img/explorer.png (kept under 300 KB).
        browser.assertScreenshot(page);
        String shot = System.getProperty("rmaplab.explorer.screenshot");
        if (shot != null) {
            // The tasks' maps hidden so that the selected page's panels are in view; 1200x1300 (the
            // last --window-size wins).
            Path scrolled = site.resolve("shot.html");
            Files.writeString(scrolled, Files.readString(page).replace("</body>",
                    "<script>document.getElementById('tasks').style.display='none';</script></body>"));
            Path png = dir.resolve("explorer.png");
            browser.chromium(scrolled, "--screenshot=" + png, "--hide-scrollbars", "--window-size=1200,1300");
            assertTrue(Files.size(png) < 300_000, "the screenshot is " + Files.size(png) + " bytes");
            Files.createDirectories(Path.of(shot).toAbsolutePath().getParent());
            Files.copy(png, Path.of(shot), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * explore --kernel on examples/merge-parts.vms (hand-derived in ExploreKernelTest): at line 12,
     * the maps line where the four historical designs part from the kernel, the page shows the
     * kernel's result (3 vmas) and, per parted design, both results side by side with both maps:
     * the kernel's three lines, the model's one; the timeline marks that one line.
     */
    @Test
    void theLineWhereModelAndKernelPartedIsMarked() throws Exception {
        org.rmaplab.harness.KernelAvailable.kernel();
        Path site = dir.resolve("kernel");
        assertEquals(0, browser.run("explore", "examples/merge-parts.vms", "--kernel", "--out", site.toString()), browser.cli.err);
        String keys = "for(var i=0;i<5;i++)document.dispatchEvent(new KeyboardEvent('keydown',{key:'ArrowRight',bubbles:true}));"
                + "var out=[];out.push('linux '+document.getElementById('kernel-result').textContent);"
                + "out.push('parted '+document.querySelectorAll('#timeline div.parted').length);"
                + "document.querySelectorAll('.side-by-side').forEach(function(x){var c=[];"
                + "x.querySelectorAll('.side').forEach(function(sd){c.push(sd.querySelector('.result').textContent+' / '"
                + "+(sd.querySelector('pre')?sd.querySelector('pre').textContent.split('\\n').length:0));});"
                + "out.push('side '+x.getAttribute('data-design')+': '+c.join(' | '));});"
                + "var pre=document.createElement('pre');pre.id='rmaplab-kernel';pre.textContent=out.join('\\n');"
                + "document.body.appendChild(pre);";
        Path page = driven(site, keys, null, "");
        String dom = browser.chromium(page, "--dump-dom");
        Matcher m = Pattern.compile("<pre id=\"rmaplab-kernel\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "the driving script ran");
        String a = "= 3 [A..@11 rw-p 0x0, @11..@11+4p rw-p 0x0, @11+4p..@11+8p rw-p 0x0]  [3] / 3";
        String b = "= 1 [A..@11+8p rw-p 0x0]  [1] / 1";
        assertEquals(List.of("linux linux = 3", "parted 1", "side anon_vma: " + a + " | " + b,
                "side pte_chains: " + a + " | " + b, "side anonmm: " + a + " | " + b, "side lokier: " + a + " | " + b),
                m.group(1).lines().toList());
    }

    /**
     * Both walks side by side (examples/mlock-fork.vms, hand-derived in TryToUnmapReplayTest): at
     * the mlock line, t1's first page under anon_vma: page_referenced's walk visits t2's vma then
     * t1's and stops at mapcount; try_to_unmap's visits t2's (the list's head, VM_LOCKED) and stops
     * there with SWAP_FAIL.
     */
    @Test
    void aPanelShowsTryToUnmapsWalkBesidePageReferenceds() throws Exception {
        Path site = dir.resolve("mlock");
        assertEquals(0, browser.run("explore", "examples/mlock-fork.vms", "--design", "anon_vma", "--out", site.toString()),
                browser.cli.err);
        String more = "var u=[];p.querySelectorAll('ol.unmap-walk li.ev-vma').forEach(function(li){u.push(li.textContent);});"
                + "var st=[];p.querySelectorAll('p.stop').forEach(function(x){st.push(x.textContent);});"
                + "out.push('unmap '+u.join(' | '));out.push('stops '+st.join(' | '));";
        Path page = driven(site, "for(var i=0;i<4;i++)document.dispatchEvent(new KeyboardEvent('keydown',{key:'ArrowRight',bubbles:true}));",
                "1@7ffff7ffb000", more);
        String dom = browser.chromium(page, "--dump-dom");
        Matcher m = Pattern.compile("<pre id=\"rmaplab-checks\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "the driving script ran");
        String t1 = "visit pid 1 7ffff7ffb000-7ffff7fff000 rw-p pgoff 7ffff7ffb";
        String t2 = "visit pid 2 7ffff7ffb000-7ffff7fff000 r--p pgoff 7ffff7ffb";
        assertEquals(List.of("position line 8 (step 5 of 8)", "panel anon_vma 2 " + t2 + " | " + t1, "unmap " + t2,
                "stops stopped: mapcount reached (2 ptes found) | stopped: VM_LOCKED vma (SWAP_FAIL)"),
                m.group(1).lines().toList());
    }

    /** "N range" (or "N @address") for each match of P in S, in order. */
    static List<String> all(Pattern p, String s) {
        List<String> l = new ArrayList<>();
        Matcher m = p.matcher(s);
        while (m.find()) {
            l.add(m.group(1) + " " + m.group(2));
        }
        return l;
    }

    /**
     * A 2,000-line scenario ({@link ScaleScenario}, 2,048 pages, three forks) is written in more
     * than one chunk; the page shows step 1 with only data-000.js loaded, then reaches the first step
     * of every chunk, the last step (the End key), step 1 again and step 6 (a click on its timeline
     * row), each showing the line and every design's result the Java side recorded there; the
     * timeline draws only the rows around those in view.
     */
    @Test
    void aLongScenarioLoadsItsChunksOnDemand() throws Exception {
        Path file = dir.resolve("scale.vms");
        Files.writeString(file, ScaleScenario.text(2000, 2048));
        Path site = dir.resolve("site");
        List<String> designs = List.of("anon_vma_chain", "anon_vma");
        assertEquals(0, browser.run("explore", file.toString(), "--design", String.join(",", designs), "--out",
                site.toString()), browser.cli.err);
        long chunks;
        try (var l = Files.list(site)) {
            chunks = l.filter(p -> p.getFileName().toString().matches("data-\\d{3}\\.js")).count();
        }
        assertTrue(chunks > 1, "chunks: " + chunks);
        String script = "<script>(function(){var E=RMAPLAB_EXPLORER,D=RMAPLAB_EXPLORE,out=[];"
                + "function loaded(){return document.querySelectorAll('script[src^=\\'data-\\']').length;}"
                + "function seen(){var r=[];document.querySelectorAll('#results tr').forEach(function(tr){"
                + "r.push(tr.children[0].textContent+' '+tr.children[1].textContent);});"
                + "out.push(document.getElementById('position').textContent+' | '+r.join(' | '));}"
                + "var todo=D.chunks.slice(1).concat(['End',0,'click']);"
                + "function next(){if(!todo.length){out.push('rows '+document.querySelectorAll('#timeline [data-i]').length);"
                + "var pre=document.createElement('pre');pre.id='rmaplab-checks';"
                + "pre.textContent=out.join('\\n');document.body.appendChild(pre);return;}var t=todo.shift();"
                + "if(t==='End')document.dispatchEvent(new KeyboardEvent('keydown',{key:'End',bubbles:true}));"
                + "else if(t==='click')document.querySelector('#timeline [data-i=\"5\"]').click();else E.go(t);"
                + "E.ready(function(){seen();next();});}"
                + "E.ready(function(){out.push('chunks loaded '+loaded()+' of '+D.chunks.length);seen();next();});"
                + "})();</script>";
        Path page = site.resolve("driven.html");
        Files.writeString(page, Files.readString(site.resolve("index.html")).replace("</body>", script + "</body>"));
        String dom = browser.chromium(page, "--dump-dom", "--virtual-time-budget=60000");
        Matcher m = Pattern.compile("<pre id=\"rmaplab-checks\">(.*?)</pre>", Pattern.DOTALL).matcher(dom);
        assertTrue(m.find(), "the driving script ran to its end");

        // What the page must show: the same run on the Java side.
        var sc = ScenarioParser.parse(file.toString(), Files.readString(file));
        List<Recorder.DesignRun> runs = new Recorder(CheckPolicy.parse("end")).record(sc, designs);
        String header = Files.readString(site.resolve("data.js"));
        Matcher c = Pattern.compile("\"chunks\":\\[([0-9,]+)\\]").matcher(header);
        assertTrue(c.find(), "data.js lists its chunks");
        List<Integer> steps = new ArrayList<>();
        for (String x : c.group(1).split(",")) {
            steps.add(Integer.parseInt(x));
        }
        assertEquals(chunks, steps.size());
        steps.add(1999);
        steps.add(0);
        steps.add(5); // a click on the timeline's row of step 5 (one handler on the container)
        List<String> want = new ArrayList<>(List.of("chunks loaded 1 of " + chunks));
        for (int st : steps) {
            StringBuilder b = new StringBuilder("line " + sc.statements().get(st).line() + " (step " + (st + 1) + " of 2000)");
            for (Recorder.DesignRun r : runs) {
                b.append(" | ").append(r.design).append(" = ").append(r.steps.get(st).result);
            }
            want.add(b.toString());
        }
        List<String> got = new ArrayList<>(m.group(1).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&").lines().toList());
        String rows = got.remove(got.size() - 1);
        assertEquals(String.join("\n", want), String.join("\n", got));
        // Only the rows in view and 20 either side are drawn, not one element a line: at step 6,
        // the first rows, at most a window's height (BrowserTest.HEIGHT, 18 px a row) and 20 more.
        int drawn = Integer.parseInt(rows.substring("rows ".length()));
        assertTrue(drawn > 20 && drawn <= BrowserTest.HEIGHT / 18 + 1 + 20, rows);
    }
}
