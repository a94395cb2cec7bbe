package org.rmaplab.traces;

import org.rmaplab.traces.TraceConverter.Options;
import org.rmaplab.traces.TraceConverter.Touch;

/**
 * The accesses the converter adds, since strace shows none. {@code --touch write-new} writes
 * every page that becomes writable (a writable mmap, brk growth, mremap growth, mprotect of
 * PROT_NONE memory to writable) up to {@code --touch-cap} pages per call (0: no cap; the top
 * pages of MAP_STACK/MAP_GROWSDOWN mappings), and reads up to as many pages of every read-only
 * file mapping; file pages only inside the file. {@code --touch none} writes and reads nothing.
 */
final class Accesses {
    private final Options opt;
    private final ScenarioWriter out;
    private final ModelFiles files;
    private long writeValue;

    Accesses(Options opt, ScenarioWriter out, ModelFiles files) {
        this.opt = opt;
        this.out = out;
        this.files = files;
    }

    /**
     * After task WHO's mmap of REG on MM: writes its pages if it is writable (the top ones if
     * TOP, a stack), else, for a readable file mapping, reads them at the task's next call.
     */
    void mapped(String who, Layout mm, Region reg, boolean top) {
        if ((reg.prot() & 2) != 0) {
            writeNew(who, reg, top);
        } else if (reg.fvar() != null && reg.prot() != 0 && opt.touch() != Touch.NONE) {
            mm.pendingReads.add(new Layout.PendingRead(reg.map(), who));
        }
    }

    /**
     * Task WHO writes the pages of R that became writable, those inside its file: up to
     * --touch-cap of them, from the bottom, or from the top if TOP. One write line with a value
     * of its own, {@code expect ok}.
     */
    void writeNew(String who, Region r, boolean top) {
        long s = r.start();
        long e = files.eofEnd(r);
        if (opt.touch() == Touch.NONE || e <= s) {
            return;
        }
        long pages = (e - s) / Layout.PAGE;
        long n = opt.touchCap() == 0 ? pages : Math.min(pages, opt.touchCap());
        long from = top ? e - n * Layout.PAGE : s;
        out.emit(who + " write " + ScenarioWriter.rel(r.anchor(), r.base(), from) + " " + n + "p 0x"
                + Long.toHexString(++writeValue) + " expect ok");
        out.count("writes");
        out.add("pages_written", (int) n);
    }

    /**
     * Reads the pages of the read-only file mappings made since the task's last other call: up to
     * --touch-cap pages from the bottom of what is left of each, inside the file (a program runs
     * its text and reads its data: the page-cache pages get mapped, page_add_file_rmap). Deferred
     * to the next call that is not a MAP_FIXED mmap so that ld.so's reservation is read only where
     * its segments did not replace it.
     */
    void flushReads(Layout mm) {
        for (Layout.PendingRead p : mm.pendingReads) {
            long left = opt.touchCap() == 0 ? Long.MAX_VALUE : opt.touchCap();
            Region run = null;
            for (Region r : mm.regions.values()) {
                if (r.map() != p.map() || r.prot() == 0 || left == 0) {
                    continue;
                }
                long e = Math.min(files.eofEnd(r), r.start() + Math.min(left, (r.end() - r.start()) / Layout.PAGE) * Layout.PAGE);
                if (e <= r.start()) {
                    continue;
                }
                left -= (e - r.start()) / Layout.PAGE;
                if (run != null && run.joins(r)) {
                    run = run.cut(run.start(), e);
                } else {
                    read(p.who(), run);
                    run = r.cut(r.start(), e);
                }
            }
            read(p.who(), run);
        }
        mm.pendingReads.clear();
    }

    private void read(String who, Region r) {
        if (r == null) {
            return;
        }
        long n = (r.end() - r.start()) / Layout.PAGE;
        out.emit(who + " touch " + ScenarioWriter.rel(r.anchor(), r.base(), r.start()) + " " + n + "p expect ok");
        out.count("reads");
        out.add("pages_read", (int) n);
    }
}
