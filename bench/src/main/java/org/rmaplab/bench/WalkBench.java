package org.rmaplab.bench;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapWalkControl;

/**
 * One reverse walk through the design, as page_referenced does it: the design's rmapWalk visits
 * the ptes that map the page, each visit tests and clears the pte's young bit, and the walk stops
 * once mapcount ptes were found (rmap_walk_control.done). The walk changes nothing but young bits,
 * so the state is built once per trial ({@code @Setup(Level.Trial)}) and nothing is set up per
 * invocation.
 *
 * <p>The family: a parent writes {@link #PAGES} pages and forks {@code children} children.
 * {@code target}:
 * <ul>
 * <li>{@code shared}: the children do not write; a page is mapped by children + 1 mms and the walk
 * finds them all (what try_to_unmap of a shared page must do);
 * <li>{@code parent} / {@code child}: every child COWs every page (issue 7's fan-out), and the walk
 * is of a page of the parent / of the first child, each mapped once — the shape
 * harness/bench/pageout_shape.c times on the kernel with MADV_PAGEOUT.
 * </ul>
 * Each invocation walks the next of the PAGES pages in turn.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class WalkBench {
    static final int PAGES = 64;

    @Param({"anon_vma_chain", "anon_vma", "pte_chains", "anonmm", "lokier"})
    public String design;

    @Param({"1", "16", "128"})
    public int children;

    @Param({"shared", "parent", "child"})
    public String target;

    private RmapDesign d;
    private int[] pfns;
    private int next;
    private Referenced ctl;
    private long walks0;
    private long visited0;

    /** page_referenced's rmap_one: folio_referenced_one clearing young bits. Reused, no allocation. */
    static final class Referenced implements RmapWalkControl {
        final Frames f;
        int want;
        int found;
        int young;

        Referenced(Frames f) {
            this.f = f;
        }

        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            found++;
            if (PageTable.testAndClearYoung(f, ptep)) {
                young++;
            }
            return false;
        }

        @Override
        public boolean done() {
            return found >= want;
        }
    }

    @Setup(Level.Trial)
    public void build() {
        Rig rig = new Rig(design);
        Task parent = rig.init;
        long a = rig.mmapFixed(parent, Rig.BASE, PAGES);
        rig.write(parent, a, PAGES, 1);
        Task first = null;
        for (int i = 0; i < children; i++) {
            Task c = rig.fork(parent);
            if (first == null) {
                first = c;
            }
            if (!target.equals("shared")) {
                rig.write(c, a, PAGES, 100 + i);
            }
        }
        Task owner = target.equals("child") ? first : parent;
        pfns = new int[PAGES];
        Frames f = rig.k.frames();
        int expect = target.equals("shared") ? children + 1 : 1;
        for (int i = 0; i < PAGES; i++) {
            pfns[i] = rig.pfnAt(owner, a + i * Rig.PAGE);
            if (f.mapcount[pfns[i]] != expect) {
                throw new IllegalStateException("mapcount " + f.mapcount[pfns[i]] + ", expected " + expect);
            }
        }
        d = rig.k.design();
        ctl = new Referenced(f);
        walks0 = d.stats().walks;
        visited0 = d.stats().walkVmasVisited;
    }

    @Benchmark
    public int walk() {
        int pfn = pfns[next];
        next = (next + 1) & (PAGES - 1);
        Referenced c = ctl;
        c.want = c.f.mapcount[pfn];
        c.found = 0;
        d.rmapWalk(pfn, c);
        if (c.found != c.want) {
            throw new IllegalStateException("the walk found " + c.found + " of " + c.want + " ptes");
        }
        return c.young;
    }

    /** The design's own count of vmas visited per walk, printed so the time can be read against it. */
    @TearDown(Level.Trial)
    public void report() {
        long w = d.stats().walks - walks0;
        if (w > 0) {
            System.out.printf("%n[walk %s children=%d target=%s: %.2f vmas visited per walk]%n", design, children,
                    target, (double) (d.stats().walkVmasVisited - visited0) / w);
        }
    }
}
