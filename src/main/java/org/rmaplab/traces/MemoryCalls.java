package org.rmaplab.traces;

import org.rmaplab.scenario.ScenarioText;
import org.rmaplab.mm.PageTable;
import java.util.List;

import org.rmaplab.traces.StraceParser.Call;

/**
 * Converts the memory calls of a task: mmap (mmap2, {@link MmapCall}), mremap
 * ({@link MremapCall}), brk, and the calls on a range, munmap, mprotect, madvise ({@code dontneed},
 * {@code dontfork}, {@code dofork}, {@code pageout}; other advice is not modelled), mlock
 * (mlock2) and munlock: one call per run of regions of one anchor, the parts of the range outside
 * the traced mappings dropped.
 */
final class MemoryCalls {
    private final Conversion cx;
    private final ScenarioWriter out;
    private final MmapCall mmap;
    private final MremapCall mremap;

    MemoryCalls(Conversion cx) {
        this.cx = cx;
        this.out = cx.out();
        this.mmap = new MmapCall(cx);
        this.mremap = new MremapCall(cx);
    }

    /** Converts memory call C of task P. */
    void convert(Task p, Call c) {
        MemoryCall m = new MemoryCall(p, c, cx.args(c));
        StraceArgs a = m.args();
        switch (c.name()) {
            case "mmap", "mmap2" -> mmap.convert(m);
            case "munmap" -> ranged(m, "munmap", "");
            case "mprotect" -> {
                a.need(3);
                int prot = a.prot(2);
                ranged(m, "mprotect", " " + ScenarioText.prot(prot));
            }
            case "madvise" -> {
                a.need(3);
                String adv = switch (a.get(2)) {
                    case "MADV_DONTNEED" -> "dontneed";
                    case "MADV_DONTFORK" -> "dontfork";
                    case "MADV_DOFORK" -> "dofork";
                    case "MADV_PAGEOUT" -> "pageout";
                    default -> null;
                };
                if (adv == null) {
                    out.comment(c, "madvise " + a.get(2) + " is not modelled: skipped");
                    return;
                }
                ranged(m, "madvise", " " + adv);
            }
            case "mlock", "mlock2" -> ranged(m, "mlock", "");
            case "munlock" -> ranged(m, "munlock", "");
            case "mremap" -> mremap.convert(m);
            case "brk" -> brk(m);
            default -> throw new IllegalStateException(c.name());
        }
    }

    /** A call on a range: OP (with EXTRA after the length) on [ADDR, ADDR + LEN). */
    private record Range(String op, String extra, long addr, long len) {
        long end() {
            return addr + PageTable.pageAlign(len);
        }
    }

    /** munmap, mprotect, madvise, mlock, munlock: one call per run of regions of one anchor. */
    private void ranged(MemoryCall m, String op, String extra) {
        m.args().need(2);
        Range q = new Range(op, extra, m.args().num(0), m.args().num(1));
        if (m.call().failed()) {
            failed(m, q);
            return;
        }
        List<Region> ps = m.mm().pieces(q.addr(), q.end());
        List<Region> runs = Layout.runs(ps);
        long covered = 0;
        for (Region r : ps) {
            covered += r.end() - r.start();
        }
        if (runs.isEmpty()) {
            out.comment(m.call(), op + " outside the traced mappings: skipped");
        } else if (covered < q.end() - q.addr() && !op.equals("munmap")) {
            out.comment(m.call(), op + " partly outside the traced mappings: only the traced part");
        }
        for (Region r : runs) {
            long l = r.start() == q.addr() && r.end() == q.end() ? q.len() : r.end() - r.start();
            out.emit(m.who() + " " + op + " " + ScenarioWriter.rel(r.anchor(), r.base(), r.start()) + " "
                    + ScenarioText.length(l) + extra + " expect ok" + m.at());
            out.count(op);
        }
        switch (op) {
            case "munmap" -> m.mm().remove(q.addr(), q.end());
            case "mprotect" -> mprotected(m, ps);
            default -> { }
        }
    }

    /** A failed call on a range: written with its errno if an anchor's extent holds the range. */
    private void failed(MemoryCall m, Range q) {
        Call c = m.call();
        Layout.Hull h = m.mm().hullOf(q.addr(), q.end());
        if (h == null) {
            out.comment(c, q.op() + " failed (" + c.errno() + ") outside the traced mappings: skipped");
            return;
        }
        out.emit(m.who() + " " + q.op() + " " + ScenarioWriter.rel(h.anchor(), h.base(), q.addr()) + " "
                + ScenarioText.length(q.len()) + q.extra() + " expect " + c.errno() + m.at());
        out.count("errors");
    }

    /** After an mprotect of PS: their new protection; PROT_NONE memory made writable is written. */
    private void mprotected(MemoryCall m, List<Region> ps) {
        int prot = m.args().prot(2);
        for (Region r : ps) {
            m.mm().add(r.withProt(prot));
            if (!r.skipped() && r.prot() == 0 && (prot & 2) != 0) {
                cx.accesses().writeNew(m.who(), r, false);
            }
        }
    }

    /**
     * brk: the first {@code brk(NULL)} of an image binds the heap's anchor ({@code brk 0 as H1}),
     * every later brk is written relative to it with the break the trace shows; growth is written.
     */
    private void brk(MemoryCall m) {
        Call c = m.call();
        Layout mm = m.mm();
        m.args().need(1);
        long addr = m.args().num(0);
        long r = c.result();
        if (mm.heap == null) {
            if (addr != 0) {
                out.comment(c, "brk before the first brk(NULL) of the image: skipped");
                return;
            }
            mm.heap = cx.anchors().heap();
            mm.heapBase = r;
            mm.brk = r;
            out.emit(m.who() + " brk 0 as " + mm.heap + m.at());
            out.count("brk");
            return;
        }
        String h = mm.heap;
        out.emit(m.who() + " brk " + (addr == 0 ? "0" : ScenarioWriter.rel(h, mm.heapBase, addr)) + " expect "
                + ScenarioWriter.rel(h, mm.heapBase, r) + m.at());
        out.count("brk");
        long oldEnd = PageTable.pageAlign(mm.brk);
        long newEnd = PageTable.pageAlign(r);
        mm.brk = r;
        if (newEnd > oldEnd) {
            Region grown = new Region(oldEnd, newEnd, h, mm.heapBase, 3, false);
            mm.add(grown);
            cx.accesses().writeNew(m.who(), grown, false);
        } else if (newEnd < oldEnd) {
            mm.remove(newEnd, oldEnd);
        }
    }
}
