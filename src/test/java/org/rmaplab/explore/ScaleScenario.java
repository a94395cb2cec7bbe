package org.rmaplab.explore;

/**
 * The explorer's scale scenario (issue 17: "a scenario of ten thousand lines and a machine of 64k
 * frames stays responsive"): t1 writes PAGES anonymous pages, three forks share them (t1 forks t2
 * and t3, t2 forks t4), then the remaining lines are single-page writes (COWs) and reads by the
 * four tasks spread over the region, with an mprotect that splits the region and one that merges
 * it again every 1000 lines (each makes every mapped page's walk be replayed). Deterministic.
 * ExplorerDataTest and ExploreBrowserTest record 2,000 lines of it; 10,000 lines over 16,000 pages
 * is the measurement in the README's "## The explorer":
 * {@code java -cp target/test-classes org.rmaplab.explore.ScaleScenario 10000 16000 scale.vms}, then
 * {@code rmaplab explore scale.vms --design anon_vma,anon_vma_chain --out DIR}.
 */
public final class ScaleScenario {
    private ScaleScenario() {}

    /** The scenario text: LINES lines (statements) over PAGES pages on a 64k-frame (256 MiB) machine. */
    public static String text(int lines, int pages) {
        StringBuilder b = new StringBuilder();
        b.append("# explorer scale: ").append(lines).append(" lines over ").append(pages).append(" pages, 3 forks\n");
        b.append("machine ram=256M swap=256M\n");
        b.append("t1 mmap 0 ").append(pages).append("p rw private|anonymous as A\n");
        b.append("t1 write A ").append(pages).append("p 0x1\n");
        b.append("t1 fork as t2\nt1 fork as t3\nt2 fork as t4\n");
        int n = 5;
        for (int i = 0; n < lines; i++, n++) {
            int task = 1 + i % 4;
            long page = (i * 7919L) % pages;
            if (i % 1000 == 500) {
                b.append("t1 mprotect A+").append(pages / 2).append("p ").append(pages / 4).append("p r\n");
            } else if (i % 1000 == 999) {
                b.append("t1 mprotect A+").append(pages / 2).append("p ").append(pages / 4).append("p rw\n");
            } else if (i % 3 == 2) {
                b.append('t').append(task).append(" read A+").append(page).append("p\n");
            } else {
                b.append('t').append(task).append(" write A+").append(page).append("p 1p 0x")
                        .append(Integer.toHexString(0x100 + i % 0xf00)).append('\n');
            }
        }
        return b.toString();
    }

    /** Writes the scenario to a file: {@code ScaleScenario LINES PAGES FILE}. */
    public static void main(String[] args) throws java.io.IOException {
        java.nio.file.Files.writeString(java.nio.file.Path.of(args[2]),
                text(Integer.parseInt(args[0]), Integer.parseInt(args[1])));
    }
}
