package org.rmaplab.explore;

import java.util.List;

import org.rmaplab.harness.Diff;
import org.rmaplab.harness.KernelReplay;
import org.rmaplab.scenario.RunResult;

/**
 * The explorer's "diff with the kernel" view ({@code rmaplab explore FILE --kernel}) as JSON: the
 * real kernel's result of every line (as {@code rmaplab kernel} runs it), the lines it skipped and
 * why, the maps it printed, and, per design, {@code rmaplab diff}'s verdict ({@link Diff#compare}):
 * the same, or the first line where model and kernel parted with both normalized results (and
 * the raw ones) and both sides' maps text of that line. The page marks that line.
 */
public final class KernelView {
    private KernelView() {}

    /** The view of KERNEL (the judged kernel run) and DIFFS (one per design, in order); ABOUT says which kernel. */
    public static String json(String about, KernelReplay.LinuxResult kernel, List<Diff.Result> diffs) {
        StringBuilder b = new StringBuilder(4096);
        b.append("{\"about\":");
        ExplorerData.str(b, about);
        b.append(",\"error\":");
        ExplorerData.str(b, kernel.error() == null ? null : kernel.error().getMessage());
        b.append(",\n\"results\":{");
        int i = 0;
        for (RunResult.LineOutcome o : kernel.run().outcomes()) {
            b.append(i++ > 0 ? "," : "").append('"').append(o.line()).append("\":");
            ExplorerData.str(b, o.actual());
        }
        b.append("},\n\"skipped\":{");
        i = 0;
        for (KernelReplay.Skipped s : kernel.skipped()) {
            b.append(i++ > 0 ? "," : "").append('"').append(s.line()).append("\":");
            ExplorerData.str(b, s.reason());
        }
        b.append("},\n\"maps\":{");
        i = 0;
        for (RunResult.LineOutcome o : kernel.run().outcomes()) {
            if (!o.text().isEmpty()) {
                b.append(i++ > 0 ? "," : "").append('"').append(o.line()).append("\":");
                ExplorerData.strings(b, o.text());
            }
        }
        b.append("},\n\"diffs\":[");
        for (i = 0; i < diffs.size(); i++) {
            b.append(i > 0 ? ",\n" : "\n");
            diff(b, diffs.get(i));
        }
        return b.append("]}").toString();
    }

    private static void diff(StringBuilder b, Diff.Result r) {
        b.append("{\"design\":");
        ExplorerData.str(b, r.design());
        b.append(",\"report\":");
        ExplorerData.str(b, r.report());
        b.append(",\"compared\":").append(r.compared()).append(",\"line\":");
        Diff.Divergence d = r.first();
        if (d == null) {
            b.append("null}");
            return;
        }
        b.append(d.line()).append(",\"linux\":");
        ExplorerData.str(b, d.linux());
        b.append(",\"linuxRaw\":");
        ExplorerData.str(b, d.linuxRaw());
        b.append(",\"model\":");
        ExplorerData.str(b, d.model());
        b.append(",\"modelRaw\":");
        ExplorerData.str(b, d.modelRaw());
        List<String> linuxMaps = null;
        List<String> modelMaps = null;
        for (Diff.Text t : r.texts()) {
            if (t.line() == d.line()) {
                linuxMaps = t.linux();
                modelMaps = t.model();
            }
        }
        b.append(",\"linuxMaps\":");
        ExplorerData.strings(b, linuxMaps);
        b.append(",\"modelMaps\":");
        ExplorerData.strings(b, modelMaps);
        b.append('}');
    }

}
