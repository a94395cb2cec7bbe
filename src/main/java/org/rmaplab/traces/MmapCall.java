package org.rmaplab.traces;

import java.util.ArrayList;
import java.util.List;

import org.rmaplab.traces.StraceParser.Call;
import org.rmaplab.traces.TraceConverter.Files;

/** Converts mmap (mmap2). */
final class MmapCall {
    private final Conversion cx;
    private final ScenarioWriter out;

    MmapCall(Conversion cx) {
        this.cx = cx;
        this.out = cx.out();
    }

    void convert(MemoryCall m) {
        Task p = m.task();
        String who = m.who();
        Layout mm = m.mm();
        Call c = m.call();
        StraceArgs a = m.args();
        a.need(6);
        long addr = a.num(0);
        long len = a.num(1);
        int prot = a.prot(2);
        List<String> flags = new ArrayList<>();
        boolean file = true;
        boolean fixed = false;
        boolean stack = false;
        boolean shared = false;
        List<String> dropped = new ArrayList<>();
        for (String f : a.get(3).split("\\|")) {
            String g = switch (f) {
                case "MAP_PRIVATE" -> "private";
                case "MAP_SHARED" -> "shared";
                case "MAP_SHARED_VALIDATE" -> "shared_validate";
                case "MAP_FIXED" -> "fixed";
                case "MAP_FIXED_NOREPLACE" -> "fixed_noreplace";
                case "MAP_ANONYMOUS" -> "anonymous";
                case "MAP_GROWSDOWN" -> "growsdown";
                case "MAP_DENYWRITE" -> "denywrite";
                case "MAP_EXECUTABLE" -> "executable";
                case "MAP_LOCKED" -> "locked";
                case "MAP_NORESERVE" -> "noreserve";
                case "MAP_POPULATE" -> "populate";
                case "MAP_NONBLOCK" -> "nonblock";
                case "MAP_STACK" -> "stack";
                case "MAP_SYNC" -> "sync";
                default -> null;
            };
            if (g == null) {
                dropped.add(f);
                continue;
            }
            file &= !g.equals("anonymous");
            fixed |= g.startsWith("fixed");
            stack |= g.equals("stack") || g.equals("growsdown");
            shared |= g.startsWith("shared");
            flags.add(g);
        }
        if (file) {
            flags.remove("sync");
        }
        String drop = dropped.isEmpty() ? "" : "   # dropped " + String.join("|", dropped);
        if (c.failed()) {
            if (file) {
                out.comment(c, "mmap of a file failed (" + c.errno() + "): skipped");
                return;
            }
            if (!dropped.isEmpty()) {
                out.comment(c, "failed mmap with flags the model does not take (" + String.join("|", dropped) + "): skipped");
                return;
            }
            if (!fixed && c.errno().equals("ENOMEM")) {
                out.comment(c, "mmap failed with ENOMEM (limits or overcommit, which the model does not have): skipped");
                return;
            }
            if (!fixed) {
                out.emit(who + " mmap 0 " + ScenarioWriter.len(len) + " " + ScenarioWriter.protText(prot) + " "
                        + String.join("|", flags) + " expect " + c.errno() + "   # trace:" + c.line());
                out.count("errors");
                return;
            }
            Layout.Hull h = mm.hullOf(addr, addr + Layout.pageUp(len));
            if (h == null) {
                out.comment(c, "failed fixed mmap outside the traced mappings: skipped");
                return;
            }
            out.emit(who + " mmap " + ScenarioWriter.rel(h.anchor(), h.base(), addr) + " " + ScenarioWriter.len(len) + " "
                    + ScenarioWriter.protText(prot) + " " + String.join("|", flags) + " expect " + c.errno() + "   # trace:"
                    + c.line());
            out.count("errors");
            return;
        }
        long r = c.result();
        long end = r + Layout.pageUp(len);
        if (file && cx.opt().files() == Files.SKIP) {
            mm.add(new Region(r, end, null, 0, prot, true));
            out.comment(c, "file mapping: skipped (--files skip)");
            return;
        }
        String fvar = null;
        long foff = 0;
        if (file && cx.opt().files() == Files.FILE) {
            String path = p.fds.pathOf(a.get(4));
            if (path == null) {
                // A descriptor the trace never showed opened (inherited from strace's parent,
                // or made by a call not traced): its file is unknown, so the mapping is anonymous.
                flags.add("anonymous");
                drop += "   # fd " + a.get(4) + " not opened in the trace: anonymous";
                out.count("files_unknown_as_anon");
            } else {
                foff = a.num(5);
                fvar = cx.files().mapped(who, c, path, foff + len);
                out.count("file_mmaps");
            }
        } else if (file) {
            flags.add("anonymous");
            out.count("files_as_anon");
        }
        String fileArgs = fvar == null ? "" : " " + fvar + " " + ScenarioWriter.len(foff);
        String f = String.join("|", flags);
        String target = null;
        String anchor;
        long base;
        if (fixed) {
            Layout.Hull h = mm.hullOf(r, end);
            if (h != null) {
                target = ScenarioWriter.rel(h.anchor(), h.base(), r);
                anchor = h.anchor();
                base = h.base();
            } else {
                // Not inside one anchor's extent: unmap what it replaced, let the model place it.
                unmapPieces(who, mm, r, end, c);
                f = String.join("|", flags.stream().filter(x -> !x.startsWith("fixed")).toList());
                anchor = null;
                base = r;
            }
        } else {
            anchor = null;
            base = r;
        }
        if (target != null) {
            out.emit(who + " mmap " + target + " " + ScenarioWriter.len(len) + " " + ScenarioWriter.protText(prot) + " "
                    + f + fileArgs + " expect " + target + "   # trace:" + c.line() + drop);
        } else {
            anchor = cx.anchors().mapping();
            out.emit(who + " mmap 0 " + ScenarioWriter.len(len) + " " + ScenarioWriter.protText(prot) + " " + f + fileArgs
                    + " as " + anchor + "   # trace:" + c.line() + drop);
        }
        out.count("mmaps");
        Region reg = new Region(r, end, anchor, base, prot, false, fvar, foff, fvar == null ? 0 : cx.anchors().fileMap());
        mm.add(reg);
        cx.accesses().mapped(who, mm, reg, stack);
    }

    private void unmapPieces(String who, Layout mm, long s, long e, Call c) {
        for (Region r : Layout.runs(mm.pieces(s, e))) {
            out.emit(who + " munmap " + ScenarioWriter.rel(r.anchor(), r.base(), r.start()) + " "
                    + ScenarioWriter.len(r.end() - r.start()) + " expect ok   # trace:" + c.line()
                    + " (replaced by a fixed mmap)");
            out.count("munmap");
        }
        mm.remove(s, e);
    }
}
