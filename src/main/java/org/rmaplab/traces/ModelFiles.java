package org.rmaplab.traces;

import org.rmaplab.scenario.ScenarioText;
import org.rmaplab.mm.PageTable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.rmaplab.traces.StraceParser.Call;

/**
 * The model files of {@code --files file}: one per path a file mapping's descriptor names (a
 * tmpfs file in the model, so its page-cache pages are shared by every task that maps them),
 * opened ({@code open NAME SIZE as Fn}) at its first mapping, and the sizes the trace showed.
 */
final class ModelFiles {
    private final ScenarioWriter out;
    /** The model file of each path (its FILE name), its size, and the labels used. */
    private final Map<String, String> fileOf = new HashMap<>();
    private final Map<String, Long> fileSize = new HashMap<>();
    private final Set<String> labels = new HashSet<>();
    /** st_size of regular files, by path, from the latest stat call that printed it. */
    private final Map<String, Long> statSize = new HashMap<>();

    ModelFiles(ScenarioWriter out) {
        this.out = out;
    }

    /** A stat call printed st_size SIZE for the regular file PATH. */
    void statted(String path, long size) {
        statSize.put(path, size);
    }

    /**
     * The model file of PATH (its FILE name), opened (an {@code open} line, written as task WHO's at
     * call C) at its first mapping. Its size is the st_size a stat call printed for the path or a
     * descriptor of it, else the extent mapped (EXTENT, the mapping's offset + length, since a
     * program maps what it saw); a later mapping past that end, or a later stat showing more,
     * grows it ({@code ftruncate}). It never shrinks: the converter cannot tell a truncation from
     * a new file under the same path, whose old pages the kernel would keep for the mappings of
     * the old inode.
     */
    String mapped(String who, Call c, String path, long extent) {
        Long st = statSize.get(path);
        long want = st != null ? st : extent;
        String v = fileOf.get(path);
        if (v == null) {
            v = "F" + (fileOf.size() + 1);
            fileOf.put(path, v);
            fileSize.put(v, want);
            out.emit(who + " open " + label(path) + " " + ScenarioText.length(want) + " as " + v + "   # trace:"
                    + c.line() + " " + path.replace('\n', ' '));
            out.count("files");
        } else if (want > fileSize.get(v)) {
            fileSize.put(v, want);
            out.emit(who + " ftruncate " + v + " " + ScenarioText.length(want) + " expect ok   # trace:" + c.line() + " "
                    + (st != null ? "a stat showed " + path + " larger" : "mapped past the end of " + path));
            out.count("file_growths");
        }
        return v;
    }

    /** The open's NAME for PATH: its last component, sanitized to the language's NAME rules, unique. */
    private String label(String path) {
        String b = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        b = b.substring(b.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9_]", "_");
        if (b.length() > 40) {
            b = b.substring(0, 40);
        }
        if (b.isEmpty() || !Character.isLetter(b.charAt(0))) {
            b = "f_" + b;
        }
        String l = b;
        for (int i = 2; !labels.add(l); i++) {
            l = b + "_" + i;
        }
        return l;
    }

    /** The pages of all the model files, at their sizes now (what their page caches can hold). */
    long pages() {
        long n = 0;
        for (long size : fileSize.values()) {
            n += PageTable.pageAlign(size) / PageTable.PAGE_SIZE;
        }
        return n;
    }

    /** The end of R's pages that lie in its file (a page past the file's end would raise SIGBUS). */
    long eofEnd(Region r) {
        if (r.fvar() == null) {
            return r.end();
        }
        long in = PageTable.pageAlign(fileSize.get(r.fvar())) - r.foff();
        return in <= 0 ? r.start() : Math.min(r.end(), r.start() + in);
    }
}
