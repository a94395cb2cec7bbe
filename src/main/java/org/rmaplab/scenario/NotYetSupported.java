package org.rmaplab.scenario;

import java.util.List;

/**
 * Operations of the language that the model does not run yet. A scenario using one is rejected
 * before it runs, with {@code FILE:LINE: OP is not supported yet}. When an issue implements one,
 * delete its entry here (and wire it into {@link ScenarioRunner}).
 */
public final class NotYetSupported {
    private NotYetSupported() {}

    /** Features not supported yet, as they are named in the error message. */
    static final List<String> FEATURES = List.of(
            "open",
            "ftruncate",
            "mmap of a FILE",
            "remap_file_pages");

    /** The feature a statement uses, as named in {@link #FEATURES}. */
    static String featureOf(Statement s) {
        if (s.op() == Op.MADVISE && s.arg(2) instanceof Arg.Advice a && a.text().equals("pageout")) {
            return "madvise pageout";
        }
        if (s.op() == Op.MMAP && s.args().size() > 4) {
            return "mmap of a FILE";
        }
        return s.op().word();
    }

    /** Throws a ScenarioError for the first statement that uses a feature not supported yet. */
    public static void check(Scenario sc) {
        for (Statement s : sc.statements()) {
            String f = featureOf(s);
            if (FEATURES.contains(f)) {
                throw new ScenarioError(sc.file(), s.line(), f + " is not supported yet");
            }
        }
    }
}
