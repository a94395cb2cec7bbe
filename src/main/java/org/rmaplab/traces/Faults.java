package org.rmaplab.traces;

import java.util.Map;
import java.util.TreeMap;

import org.rmaplab.traces.StraceParser.Call;

/**
 * The user page faults of a perf trace ({@link PerfParser}), each replayed in order as an access
 * of its page by its task: a fault with x86's error-code bit 1 (X86_PF_WRITE, arch/x86/include/
 * asm/trap_pf.h) is a {@code write} of the page, any other (a read, bit 4's instruction fetch) a
 * {@code touch}. The model then takes the fault the kernel took: a write on a present read-only
 * page (error-code bit 0, X86_PF_PROT) is the COW it was. A fault just below a MAP_GROWSDOWN
 * mapping (the stack) is replayed relative to it: the model grows the stack as
 * lock_mm_and_find_vma() did. Faults of one task on consecutive pages, of one kind, one after
 * the other in the trace, are written as one line ({@link #flush}).
 *
 * <p>A fault the model cannot place is not replayed, and is counted by why and named in a
 * comment at the end of the scenario: in a special mapping ({@code [vdso]}, {@code [vvar]}: the
 * model has none), in a file mapping {@code --files skip} skipped, outside every mapping the
 * trace showed, one the mapping's protection forbids (the program took SIGSEGV), or past the
 * end of the model file (SIGBUS). Two faults on one page (a read that mapped the zero page or a
 * file page, then the write that copies it) are two accesses, as they were.
 */
final class Faults {
    private final Conversion cx;
    private final ScenarioWriter out;
    private long value;
    /** The faults being gathered into one line, or null. */
    private Run run;
    /** Why faults were not replayed: the count and the first trace line of each reason. */
    private final Map<String, int[]> unplaced = new TreeMap<>();

    Faults(Conversion cx) {
        this.cx = cx;
        this.out = cx.out();
    }

    /** A special mapping of task P's mm ({@code special ADDR, LEN, NAME}): remembered to name its faults. */
    void special(Task p, Call c) {
        String[] a = StraceArgs.split(c.args());
        long start = Long.parseUnsignedLong(a[0].substring(2), 16);
        long end = start + Long.parseLong(a[1]);
        p.mm.specials.put(start, new Layout.Special(start, end, a[2]));
    }

    /** Fault C of task P: an access of its page, or counted as unplaced. */
    void convert(Task p, Call c) {
        long addr = c.result();
        long page = addr & ~(Layout.PAGE - 1);
        boolean write = (Long.parseLong(c.args().substring(2), 16) & 2) != 0;
        out.count("faults");
        if (write) {
            out.count("faults_writing");
        }
        Layout mm = p.mm;
        Map.Entry<Long, Region> f = mm.regions.floorEntry(page);
        Region r = f != null && f.getValue().end() > page ? f.getValue() : null;
        if (r == null) {
            r = stackAbove(mm, page);
            if (r == null) {
                Map.Entry<Long, Layout.Special> s = mm.specials.floorEntry(page);
                unplaced(c, s != null && s.getValue().end() > page ? "in " + s.getValue().name()
                        + " (the model has no special mappings)" : "outside every mapping the trace showed");
                return;
            }
            mm.add(new Region(page, r.start(), r.anchor(), r.base(), r.prot(), false));
        }
        if (r.skipped()) {
            unplaced(c, "in a file mapping --files skip skipped");
            return;
        }
        if (write ? (r.prot() & 2) == 0 : r.prot() == 0) {
            unplaced(c, "forbidden by the mapping's protection (the program took SIGSEGV)");
            return;
        }
        if (page >= cx.files().eofEnd(r.cut(page, page + Layout.PAGE))) {
            unplaced(c, "past the end of the model file (SIGBUS)");
            return;
        }
        out.count(write ? "replayed_writes" : "replayed_reads");
        cx.footprint().fault(mm);
        if (run != null && run.who.equals(p.opsAs) && run.write == write && run.anchor.equals(r.anchor())
                && run.base == r.base() && run.next == page) {
            run.next += Layout.PAGE;
            run.last = c.line();
            return;
        }
        flush();
        run = new Run(p.opsAs, write, r.anchor(), r.base(), page, c.line());
    }

    /**
     * Writes the run of faults gathered so far, if any: one line for task WHO's faults on
     * consecutive pages, all writes (one value) or all reads, relative to one anchor — the model
     * takes them page by page in the same order, so the effect is that of one line per fault.
     * Called before any other line is written.
     */
    void flush() {
        if (run == null) {
            return;
        }
        Run u = run;
        run = null;
        String at = ScenarioWriter.rel(u.anchor, u.base, u.start) + " " + (u.next - u.start) / Layout.PAGE + "p";
        String lines = "   # trace:" + u.first + (u.last != u.first ? "-" + u.last : "");
        if (u.write) {
            out.emit(u.who + " write " + at + " 0x" + Long.toHexString(++value) + " expect ok" + lines);
            out.count("fault_write_lines");
        } else {
            out.emit(u.who + " touch " + at + " expect ok" + lines);
            out.count("fault_touch_lines");
        }
    }

    /** Faults being gathered into one line: task WHO, writes or reads, from START to NEXT, trace lines FIRST..LAST. */
    private static final class Run {
        final String who;
        final boolean write;
        final String anchor;
        final long base;
        final long start;
        long next;
        final int first;
        int last;

        Run(String who, boolean write, String anchor, long base, long start, int line) {
            this.who = who;
            this.write = write;
            this.anchor = anchor;
            this.base = base;
            this.start = start;
            this.next = start + Layout.PAGE;
            this.first = line;
            this.last = line;
        }
    }

    /**
     * The MAP_GROWSDOWN region just above PAGE that the model's stack growth reaches it from
     * (within the 256-page stack_guard_gap of anything below), else null.
     */
    private static Region stackAbove(Layout mm, long page) {
        Map.Entry<Long, Region> above = mm.regions.higherEntry(page);
        if (above == null || above.getValue().skipped() || !mm.growsDown.contains(above.getValue().anchor())) {
            return null;
        }
        Map.Entry<Long, Region> below = mm.regions.lowerEntry(page);
        if (below != null && below.getValue().end() + (256L * Layout.PAGE) > page) {
            return null;
        }
        return above.getValue().cut(above.getValue().start(), above.getValue().end());
    }

    private void unplaced(Call c, String why) {
        out.count("faults_unplaced");
        int[] n = unplaced.computeIfAbsent(why, k -> new int[] {0, c.line()});
        n[0]++;
    }

    /** At the end: one comment per reason faults were not replayed, with the count and the first line. */
    void finish() {
        flush();
        for (Map.Entry<String, int[]> e : unplaced.entrySet()) {
            out.emit("# faults not replayed: " + e.getValue()[0] + " " + e.getKey() + " (first at trace:"
                    + e.getValue()[1] + ")");
        }
    }
}
