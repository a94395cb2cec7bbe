package org.rmaplab.traces;

import org.rmaplab.scenario.ScenarioText;
import org.rmaplab.mm.PageTable;
import java.util.ArrayList;
import java.util.List;

import org.rmaplab.traces.StraceParser.Call;

/**
 * Converts mremap: of a range that is one run of one anchor's regions, starting at the run's
 * start (else the call is skipped). In place (no MREMAP_MAYMOVE) the model must agree on the
 * address, so the line expects it; a move binds a new anchor ({@code as M4}); MREMAP_FIXED's new
 * address is written relative to the anchor whose extent holds it. The moved regions keep their
 * protections and files; a grown tail is written.
 */
final class MremapCall {
    /** mremap's flags: as the scenario writes them ({@code maymove|fixed}, or {@code 0}), and what they say. */
    private record Flags(String text, boolean maymove, boolean fixed, boolean dontunmap) {
        static Flags parse(StraceArgs a, String s) {
            List<String> flags = new ArrayList<>();
            for (String f : s.split("\\|")) {
                switch (f) {
                    case "MREMAP_MAYMOVE" -> flags.add("maymove");
                    case "MREMAP_FIXED" -> flags.add("fixed");
                    case "MREMAP_DONTUNMAP" -> flags.add("dontunmap");
                    case "0" -> { }
                    default -> throw a.error("mremap: unknown flag " + f);
                }
            }
            return new Flags(flags.isEmpty() ? "0" : String.join("|", flags), flags.contains("maymove"),
                    flags.contains("fixed"), flags.contains("dontunmap"));
        }

        /** These flags and {@code relocate_anon} ({@code --relocate-anon}). */
        Flags relocatingAnon() {
            return new Flags(text + "|relocate_anon", maymove, fixed, dontunmap);
        }
    }

    /** A traced mremap of [OLD, OLD + OLD_LEN) to NEW_LEN bytes. */
    private record Request(MemoryCall m, long old, long oldLen, long newLen, Flags flags) {
        long oldEnd() {
            return old + PageTable.pageAlign(oldLen);
        }

        Request relocatingAnon() {
            return new Request(m, old, oldLen, newLen, flags.relocatingAnon());
        }

        /** The line from the source address on: {@code FROM OLD_LEN NEW_LEN FLAGS}. */
        String line(String from) {
            return m.who() + " mremap " + from + " " + ScenarioText.length(oldLen) + " " + ScenarioText.length(newLen)
                    + " " + flags.text();
        }
    }

    private final Conversion cx;
    private final ScenarioWriter out;

    MremapCall(Conversion cx) {
        this.cx = cx;
        this.out = cx.out();
    }

    void convert(MemoryCall m) {
        StraceArgs a = m.args();
        a.need(4);
        long old = a.num(0);
        long oldLen = a.num(1);
        long newLen = a.num(2);
        Request q = new Request(m, old, oldLen, newLen, Flags.parse(a, a.get(3)));
        List<Region> ps = m.mm().pieces(old, Math.max(q.oldEnd(), old + 1));
        List<Region> runs = Layout.runs(ps);
        Region src = runs.size() == 1 && runs.get(0).start() == old ? runs.get(0) : null;
        String newAddr = newAddress(q);
        if (src == null || newAddr == null) {
            untraced(q);
            return;
        }
        String from = ScenarioWriter.rel(src.anchor(), src.base(), old);
        Call c = m.call();
        if (c.failed()) {
            out.emit(q.line(from) + newAddr + " expect " + c.errno() + m.at());
            out.count("errors");
            return;
        }
        if (relocates(q, ps)) {
            q = q.relocatingAnon();
            out.count("relocate_anon");
        }
        Region dest = remapped(q, src, from, newAddr);
        out.count("mremap");
        if (!q.flags().dontunmap()) {
            m.mm().remove(old, q.oldEnd());
        }
        move(q, ps, dest);
    }

    /**
     * {@code --relocate-anon}: whether the successful call Q gets {@code relocate_anon}
     * (MREMAP_RELOCATE_ANON, Stoakes' series, docs/reference.md#stoakes): it moved (MREMAP_MAYMOVE,
     * which the flag requires, and the trace's result is not the old address, or MREMAP_FIXED) and
     * the range holds anonymous memory (a piece that is not a model file's). Not a program's own
     * choice: no real program passes flag 8, which Linux 6.18 refuses with EINVAL; a shared
     * anonymous piece gets it too (the converter does not know the sharing), and the series then
     * falls back to an ordinary move (should_relocate_anon(): not anonymous).
     */
    private boolean relocates(Request q, List<Region> ps) {
        if (!cx.opt().relocateAnon() || !q.flags().maymove()
                || (!q.flags().fixed() && q.m().call().result() == q.old())) {
            return false;
        }
        for (Region p : ps) {
            if (!p.skipped() && p.fvar() == null) {
                return true;
            }
        }
        return false;
    }

    /** MREMAP_FIXED's new address, relative to the anchor whose extent holds it ("" without it; null if none does). */
    private static String newAddress(Request q) {
        if (!q.flags().fixed()) {
            return "";
        }
        long na = q.m().args().num(4);
        Layout.Hull h = q.m().mm().hullOf(na, na + PageTable.pageAlign(q.newLen()));
        return h == null ? null : " " + ScenarioWriter.rel(h.anchor(), h.base(), na);
    }

    /** An mremap of memory the trace did not map, or to an unknown place: skipped, and forgotten if it succeeded. */
    private void untraced(Request q) {
        Call c = q.m().call();
        out.comment(c, "mremap of memory the trace did not map (or to an unknown place): skipped");
        if (!c.failed()) {
            q.m().mm().remove(q.old(), q.oldEnd());
            q.m().mm().remove(c.result(), c.result() + PageTable.pageAlign(q.newLen()));
        }
    }

    /**
     * Writes the mremap line of a successful call; returns the new range, with the anchor its
     * addresses are written relative to and the source's protection.
     */
    private Region remapped(Request q, Region src, String from, String newAddr) {
        long r = q.m().call().result();
        long newEnd = r + PageTable.pageAlign(q.newLen());
        if (!q.flags().maymove()) {
            // In place: the address cannot change, so the model must agree on it.
            out.emit(q.line(from) + " expect " + from + q.m().at());
            return new Region(r, newEnd, src.anchor(), src.base(), src.prot(), false);
        }
        String anchor = cx.anchors().mapping();
        out.emit(q.line(from) + newAddr + " as " + anchor + q.m().at());
        return new Region(r, newEnd, anchor, r, src.prot(), false);
    }

    /** Records the regions PS (the old range's) at their new place DEST, and a grown tail. */
    private void move(Request q, List<Region> ps, Region dest) {
        Layout mm = q.m().mm();
        long old = q.old();
        long r = dest.start();
        long newEnd = dest.end();
        // The moved vmas keep their protections; a grown tail takes the last one's (vma_expand).
        int lastProt = dest.prot();
        Region last = null;
        for (Region p : ps) {
            if (!p.skipped() && p.start() - old < newEnd - r) {
                mm.add(new Region(r + (p.start() - old), Math.min(newEnd, r + (p.end() - old)), dest.anchor(),
                        dest.base(), p.prot(), false, p.fvar(), p.foff(), p.map()));
                lastProt = p.prot();
                last = p;
            }
        }
        long tail = r + PageTable.pageAlign(q.oldLen());
        if (newEnd > tail) {
            Region t = last == null || last.fvar() == null
                    ? new Region(tail, newEnd, dest.anchor(), dest.base(), lastProt, false)
                    : new Region(tail, newEnd, dest.anchor(), dest.base(), lastProt, false, last.fvar(),
                            last.foff() + (tail - r) - (last.start() - old), last.map());
            mm.add(t);
            if ((lastProt & 2) != 0) {
                cx.accesses().writeNew(q.m().who(), t, false);
            }
        }
    }
}
