package org.rmaplab.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Delta debugging (Zeller's ddmin) over the lines of a scenario: deletes chunks of lines, then
 * single lines, as long as the scenario still shows the failure. Comment and blank lines go first;
 * a header comment (the first line) stays.
 */
public final class Shrinker {
    private Shrinker() {}

    /**
     * The smallest subsequence of LINES (keeping order) found for which FAILS holds; FAILS must hold
     * for LINES. A candidate that is not a valid scenario must simply make FAILS false.
     */
    public static List<String> shrink(List<String> lines, Predicate<List<String>> fails) {
        // Comments (but the first line) and blank lines go first, if the failure stays without them.
        List<String> base = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String t = lines.get(i).strip();
            if (!t.isEmpty() && (i == 0 || !t.startsWith("#"))) {
                base.add(lines.get(i));
            }
        }
        if (!fails.test(base)) {
            base = new ArrayList<>(lines);
        }
        // The header comment stays; ddmin works on the indexes of the other lines.
        boolean[] fixed = new boolean[base.size()];
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < base.size(); i++) {
            fixed[i] = i == 0 && base.get(0).strip().startsWith("#");
            if (!fixed[i]) {
                rest.add(i);
            }
        }
        int n = 2;
        while (!rest.isEmpty()) {
            int chunk = Math.max(1, (rest.size() + n - 1) / n);
            boolean reduced = false;
            for (int start = 0; start < rest.size(); start += chunk) {
                List<Integer> cand = new ArrayList<>(rest.subList(0, start));
                cand.addAll(rest.subList(Math.min(rest.size(), start + chunk), rest.size()));
                if (fails.test(assemble(base, fixed, cand))) {
                    rest = cand;
                    n = Math.max(n - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (chunk == 1) {
                    break;
                }
                n = Math.min(rest.size(), n * 2);
            }
        }
        return assemble(base, fixed, rest);
    }

    /** The lines of BASE that are FIXED or listed (sorted) in REST, in order. */
    private static List<String> assemble(List<String> base, boolean[] fixed, List<Integer> rest) {
        List<String> out = new ArrayList<>();
        int j = 0;
        for (int i = 0; i < base.size(); i++) {
            boolean listed = j < rest.size() && rest.get(j) == i;
            if (listed) {
                j++;
            }
            if (fixed[i] || listed) {
                out.add(base.get(i));
            }
        }
        return out;
    }
}
