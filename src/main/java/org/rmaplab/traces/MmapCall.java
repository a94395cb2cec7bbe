package org.rmaplab.traces;

import org.rmaplab.scenario.ScenarioText;
import org.rmaplab.mm.PageTable;
import org.rmaplab.traces.StraceParser.Call;
import org.rmaplab.traces.TraceConverter.Files;

/**
 * Converts mmap (mmap2), in steps: read the call ({@link #request}); a failed one is written with
 * its errno where the model can judge it ({@link #failed}); a file mapping becomes a mapping of a
 * model file, an anonymous one, or is skipped, by {@code --files} ({@link #source}); the mapping
 * is placed, at an address relative to the anchor whose extent holds it (a MAP_FIXED mapping) or
 * where the model chooses, binding a new anchor ({@link #place}); then written, recorded in the
 * layout, and its pages written or read ({@link #map}).
 */
final class MmapCall {
    /** A traced mmap: ADDR, LEN, PROT and FLAGS as the call shows them. */
    private record Request(MemoryCall m, long addr, long len, int prot, MmapFlags flags) {
        /** Where the kernel put it (a successful call's result). */
        long start() {
            return m.call().result();
        }

        long end() {
            return start() + PageTable.pageAlign(len);
        }

        /** The middle of the line: {@code LEN PROT}. */
        String lenProt() {
            return ScenarioText.length(len) + " " + ScenarioText.prot(prot);
        }
    }

    /**
     * What the mapping maps: model file FVAR at byte offset FOFF, or (FVAR null) anonymous memory;
     * FLAGS as written, and NOTE, the comment at the end of the line.
     */
    private record Source(MmapFlags flags, String fvar, long foff, String note) {
        /** {@code FILE OFFSET} after the flags, or "". */
        String fileArgs() {
            return fvar == null ? "" : " " + fvar + " " + ScenarioText.length(foff);
        }
    }

    /**
     * Where the mapping goes: TARGET, an address relative to ANCHOR (which stands for BASE), or
     * (TARGET null) wherever the model places it, then a new anchor standing for BASE; FLAGS as
     * written.
     */
    private record Placement(String target, String anchor, long base, String flags) {}

    private final Conversion cx;
    private final ScenarioWriter out;

    MmapCall(Conversion cx) {
        this.cx = cx;
        this.out = cx.out();
    }

    void convert(MemoryCall m) {
        Request q = request(m);
        if (m.call().failed()) {
            failed(q);
            return;
        }
        Source src = source(q);
        if (src != null) {
            map(q, src, place(q, src));
        }
    }

    private static Request request(MemoryCall m) {
        StraceArgs a = m.args();
        a.need(6);
        long addr = a.num(0);
        long len = a.num(1);
        int prot = a.prot(2);
        return new Request(m, addr, len, prot, MmapFlags.parse(a.get(3)));
    }

    /**
     * A failed mmap: written with {@code expect ERRNO} unless the model cannot judge it (a file
     * mapping, flags it does not take, ENOMEM from limits it does not have, a fixed address
     * outside the traced mappings).
     */
    private void failed(Request q) {
        Call c = q.m().call();
        MmapFlags fl = q.flags();
        if (fl.file()) {
            out.comment(c, "mmap of a file failed (" + c.errno() + "): skipped");
            return;
        }
        if (!fl.dropped().isEmpty()) {
            out.comment(c, "failed mmap with flags the model does not take (" + String.join("|", fl.dropped())
                    + "): skipped");
            return;
        }
        if (!fl.fixed() && c.errno().equals("ENOMEM")) {
            out.comment(c, "mmap failed with ENOMEM (limits or overcommit, which the model does not have): skipped");
            return;
        }
        if (!fl.fixed()) {
            out.emit(q.m().who() + " mmap 0 " + q.lenProt() + " " + fl.text() + " expect " + c.errno() + q.m().at());
            out.count("errors");
            return;
        }
        Layout.Hull h = q.m().mm().hullOf(q.addr(), q.addr() + PageTable.pageAlign(q.len()));
        if (h == null) {
            out.comment(c, "failed fixed mmap outside the traced mappings: skipped");
            return;
        }
        out.emit(q.m().who() + " mmap " + ScenarioWriter.rel(h.anchor(), h.base(), q.addr()) + " " + q.lenProt() + " "
                + fl.text() + " expect " + c.errno() + q.m().at());
        out.count("errors");
    }

    /**
     * What a file mapping maps, by {@code --files}: a model file ({@code file}: the one of the
     * path its descriptor names), anonymous memory ({@code anon}), or nothing ({@code skip}: the
     * region is recorded as skipped, and null returned). An anonymous mapping maps no file.
     */
    private Source source(Request q) {
        MemoryCall m = q.m();
        MmapFlags flags = q.flags();
        String drop = flags.droppedNote();
        Files mode = cx.opt().files();
        if (flags.file() && mode == Files.SKIP) {
            m.mm().add(new Region(q.start(), q.end(), null, 0, q.prot(), true));
            out.comment(m.call(), "file mapping: skipped (--files skip)");
            return null;
        }
        if (flags.file() && mode == Files.FILE) {
            String path = m.task().fds.pathOf(m.args().get(4));
            if (path == null) {
                // A descriptor the trace never showed opened (inherited from strace's parent,
                // or made by a call not traced): its file is unknown, so the mapping is anonymous.
                out.count("files_unknown_as_anon");
                return new Source(flags.anonymous(), null, 0,
                        drop + "   # fd " + m.args().get(4) + " not opened in the trace: anonymous");
            }
            long foff = m.args().num(5);
            String fvar = cx.files().mapped(m.who(), m.call(), path, foff + q.len());
            out.count("file_mmaps");
            return new Source(flags, fvar, foff, drop);
        }
        if (flags.file()) {
            out.count("files_as_anon");
            return new Source(flags.anonymous(), null, 0, drop);
        }
        return new Source(flags, null, 0, drop);
    }

    /**
     * Where the mapping goes: a MAP_FIXED one inside one anchor's extent at its address relative
     * to that anchor; any other where the model places it.
     */
    private Placement place(Request q, Source src) {
        if (q.flags().fixed()) {
            Layout.Hull h = q.m().mm().hullOf(q.start(), q.end());
            if (h != null) {
                return new Placement(ScenarioWriter.rel(h.anchor(), h.base(), q.start()), h.anchor(), h.base(),
                        src.flags().text());
            }
            // Not inside one anchor's extent: unmap what it replaced, let the model place it.
            unmapReplaced(q.m(), q.start(), q.end());
            return new Placement(null, null, q.start(), src.flags().placedByModel().text());
        }
        return new Placement(null, null, q.start(), src.flags().text());
    }

    /** munmap of [S, E), what a fixed mmap the model places replaced: one call per run of one anchor. */
    private void unmapReplaced(MemoryCall m, long s, long e) {
        for (Region r : Layout.runs(m.mm().pieces(s, e))) {
            out.emit(m.who() + " munmap " + ScenarioWriter.rel(r.anchor(), r.base(), r.start()) + " "
                    + ScenarioText.length(r.end() - r.start()) + " expect ok" + m.at() + " (replaced by a fixed mmap)");
            out.count("munmap");
        }
        m.mm().remove(s, e);
    }

    /** Writes the mmap line, records the region in the layout, and writes or reads its pages. */
    private void map(Request q, Source src, Placement at) {
        MemoryCall m = q.m();
        String anchor = at.anchor();
        String tail = " " + q.lenProt() + " " + at.flags() + src.fileArgs();
        if (at.target() != null) {
            out.emit(m.who() + " mmap " + at.target() + tail + " expect " + at.target() + m.at() + src.note());
        } else {
            anchor = cx.anchors().mapping();
            out.emit(m.who() + " mmap 0" + tail + " as " + anchor + m.at() + src.note());
        }
        out.count("mmaps");
        Region reg = new Region(q.start(), q.end(), anchor, at.base(), q.prot(), false, src.fvar(), src.foff(),
                src.fvar() == null ? 0 : cx.anchors().fileMap());
        m.mm().add(reg);
        if (q.flags().names().contains("growsdown")) {
            m.mm().growsDown.add(anchor);
        }
        cx.accesses().mapped(m.who(), m.mm(), reg, q.flags().stack());
    }
}
