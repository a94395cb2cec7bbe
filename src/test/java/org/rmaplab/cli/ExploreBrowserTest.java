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
        String script = "<script>(function(){"
                + "for(var i=0;i<" + COW_STEP + ";i++)document.dispatchEvent(new KeyboardEvent('keydown',{key:'ArrowRight',bubbles:true}));"
                + "document.querySelector('#frametable tr[data-key=\"" + PAGE + "\"]').click();"
                + "var out=['position '+document.getElementById('position').textContent];"
                + "document.querySelectorAll('.design-panel').forEach(function(p){"
                + "var v=[];p.querySelectorAll('ol.walk li.ev-vma').forEach(function(li){v.push(li.textContent);});"
                + "out.push('panel '+p.getAttribute('data-design')+' '+p.getAttribute('data-vmas')+' '+v.join(' | '));});"
                + "var pre=document.createElement('pre');pre.id='rmaplab-checks';pre.textContent=out.join('\\n');"
                + "document.body.appendChild(pre);})();</script>";
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
}
