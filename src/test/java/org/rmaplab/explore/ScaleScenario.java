package org.rmaplab.explore;

/**
 * The explorer's scale scenario (issue 17: "a scenario of ten thousand lines and a machine of 64k
 * frames stays responsive"): t1 writes PAGES anonymous pages, three forks share them (t1 forks t2
 * and t3, t2 forks t4), then the remaining lines are single-page writes (COWs) and reads by the
 * four tasks spread over the region, with an mprotect that splits the region and one that merges
 * it again every 1000 lines (each makes every mapped page's walk be replayed). Deterministic.
 * ExplorerDataTest and ExploreBrowserTest record 2,000 lines of it; 10,000 lines over 16,000 pages
 * is the measurement in docs/explorer.md:
 * {@code java -cp target/test-classes org.rmaplab.explore.ScaleScenario 10000 16000 scale.vms}, then
 * {@code rmaplab explore scale.vms --design anon_vma,anon_vma_chain --out DIR}; the recorder's heap:
 * {@code java -Xmx768m -cp target/classes:target/test-classes:HdrHistogram.jar
 * org.rmaplab.explore.ScaleScenario 10000 16000 --heap anon_vma,anon_vma_chain}.
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

    /**
     * Writes the scenario to a file: {@code ScaleScenario LINES PAGES FILE}; or, with
     * {@code --heap DESIGNS} for FILE, records it under DESIGNS and writes its data in memory,
     * printing the heap live after recording (after a full GC), the heap pools' peak, the times and
     * the data's size and hash.
     */
    public static void main(String[] args) throws java.io.IOException {
        int lines = Integer.parseInt(args[0]);
        int pages = Integer.parseInt(args[1]);
        if (!args[2].equals("--heap")) {
            java.nio.file.Files.writeString(java.nio.file.Path.of(args[2]), text(lines, pages));
            return;
        }
        var sc = org.rmaplab.scenario.ScenarioParser.parse("scale.vms", text(lines, pages));
        long t0 = System.nanoTime();
        long base = liveHeap();
        var runs = new Recorder(org.rmaplab.check.CheckPolicy.parse("end")).record(sc, java.util.List.of(args[3].split(",")));
        long t1 = System.nanoTime();
        System.out.printf("recorded in %.1f s; live after recording %d MB; pools' peak %d MB%n", (t1 - t0) / 1e9,
                (liveHeap() - base) >> 20, peakHeap() >> 20);
        var files = ExplorerData.files(sc, runs);
        long chars = 0;
        long hash = 0;
        for (var e : files.entrySet()) {
            chars += e.getValue().length();
            hash = hash * 31 + e.getValue().hashCode();
        }
        System.out.printf("%d files, %d chars, hash %x; written in %.1f s; pools' peak %d MB%n", files.size(), chars, hash,
                (System.nanoTime() - t1) / 1e9, peakHeap() >> 20);
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long peakHeap() {
        long p = 0;
        for (var b : java.lang.management.ManagementFactory.getMemoryPoolMXBeans()) {
            p += b.getType() == java.lang.management.MemoryType.HEAP ? b.getPeakUsage().getUsed() : 0;
        }
        return p;
    }
}
