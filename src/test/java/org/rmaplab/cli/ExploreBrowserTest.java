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
        String script = "<script>RMAPLAB_EXPLORER.ready(function(){"
                + "for(var i=0;i<" + COW_STEP + ";i++)document.dispatchEvent(new KeyboardEvent('keydown',{key:'ArrowRight',bubbles:true}));"
                + "document.querySelector('#frametable tr[data-key=\"" + PAGE + "\"]').click();"
                + "var out=['position '+document.getElementById('position').textContent];"
                + "document.querySelectorAll('.design-panel').forEach(function(p){"
                + "var v=[];p.querySelectorAll('ol.walk li.ev-vma').forEach(function(li){v.push(li.textContent);});"
                + "out.push('panel '+p.getAttribute('data-design')+' '+p.getAttribute('data-vmas')+' '+v.join(' | '));});"
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
            for (Recorder.Walk x : r.steps.get(COW_STEP).walks.values()) {
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
     * A 2,000-line scenario ({@link ScaleScenario}, 2,048 pages, three forks) is written in more
     * than one chunk; the page shows step 1 with only data-000.js loaded, then reaches the first step
     * of every chunk, the last step (the End key) and step 1 again, each showing the line and every
     * design's result the Java side recorded there.
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
                + "var todo=D.chunks.slice(1).concat(['End',0]);"
                + "function next(){if(!todo.length){var pre=document.createElement('pre');pre.id='rmaplab-checks';"
                + "pre.textContent=out.join('\\n');document.body.appendChild(pre);return;}var t=todo.shift();"
                + "if(t==='End')document.dispatchEvent(new KeyboardEvent('keydown',{key:'End',bubbles:true}));else E.go(t);"
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
        List<String> want = new ArrayList<>(List.of("chunks loaded 1 of " + chunks));
        for (int st : steps) {
            StringBuilder b = new StringBuilder("line " + sc.statements().get(st).line() + " (step " + (st + 1) + " of 2000)");
            for (Recorder.DesignRun r : runs) {
                b.append(" | ").append(r.design).append(" = ").append(r.steps.get(st).result);
            }
            want.add(b.toString());
        }
        assertEquals(String.join("\n", want), m.group(1).replace("&gt;", ">").replace("&lt;", "<").replace("&amp;", "&"));
    }
}
