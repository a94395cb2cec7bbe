package org.rmaplab.harness;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.rmaplab.scenario.Arg;
import org.rmaplab.scenario.Expr;
import org.rmaplab.scenario.Op;
import org.rmaplab.scenario.RunResult;
import org.rmaplab.scenario.Scenario;
import org.rmaplab.scenario.Statement;

/**
 * Writes the addresses of one run's results relative to the run's own earlier results, so that a
 * kernel run (ASLR, the harness's own mappings, a randomized brk) and a model run (no
 * randomization) can be compared as text. Every run is normalized on its own; two runs agree on a
 * line when their normalized results are equal.
 *
 * <p>The rule:
 * <ul>
 *   <li><b>Which results are addresses.</b> The results of {@code mmap}, {@code mremap} and
 *       {@code brk}, both ends of a {@code vma} result, and both ends of every line of a
 *       {@code maps} result (whose lines are compared without device, inode and path, see
 *       {@link #maps}). Everything else (errno names, SEGV,
 *       BUS, MIXED, statuses, counts, values read) is compared as printed.
 *   <li><b>Anchors.</b> Every successful mmap/mremap/brk result becomes an anchor once its line has
 *       run, labelled by the name its line binds ({@code as A}) or else {@code @LINE}. A name bound
 *       again replaces its anchor (a failed call that binds it removes it).
 *   <li><b>Address spaces.</b> Each anchor belongs to the coordinate system of the task that made
 *       it: {@code t1}'s, inherited by {@code fork} and {@code clone} (a child's layout is its
 *       parent's), and a new one at each {@code exec} (the kernel randomizes the new image's layout
 *       again). An address is related only to anchors of its own task's coordinate system.
 *   <li><b>The form.</b> An address equal to the value of a literal address argument of its own
 *       line (a number, no name: {@code mmap 0x10000000 ... fixed}) is written as that number.
 *       Otherwise it is written {@code LABEL+d} / {@code LABEL-d} relative to the nearest anchor
 *       within {@link #WINDOW} (1 TiB; ties go to the anchor made last), {@code d} in pages
 *       ({@code 4p}) plus bytes, or {@code new} if there is none: the first address of a region
 *       of its own (the first mapping, the first break, the first mapping after exec).
 * </ul>
 *
 * <p>Why this hides no divergence: forms are equal only if both runs put the address at the same
 * distance from the same anchor. By induction over the lines, as long as no divergence has been
 * reported, the anchors reachable from each other through chains of such relations sit at the
 * same distances in both runs, so every later address is judged against all of them at once: a
 * result the model puts at {@code A-16p} and the kernel at {@code A+4M} differs in form, and so
 * does one that one run relates to an anchor and the other finds {@code new}. What the form
 * leaves out is the distance between two regions that each began as {@code new} (more than 1 TiB
 * apart in both runs: mmap area and heap, or two exec'd images) — exactly what ASLR randomizes and
 * what no scenario operation confined to its own mappings can observe.
 */
public final class Normalizer {
    private Normalizer() {}

    /** How far an anchor reaches: 1 TiB (the kernel's heap and mmap area are further apart). */
    public static final long WINDOW = 1L << 40;

    private record Anchor(String label, long value, int space) {}

    /** The normalized result of every line of OUTCOMES (one run of SCENARIO), by line. */
    public static Map<Integer, String> normalize(Scenario scenario, List<RunResult.LineOutcome> outcomes) {
        Map<Integer, String> byLine = new HashMap<>();
        Map<Integer, List<String>> textOf = new HashMap<>();
        for (RunResult.LineOutcome o : outcomes) {
            byLine.put(o.line(), o.actual());
            textOf.put(o.line(), o.text());
        }
        Map<Integer, String> out = new LinkedHashMap<>();
        Map<String, Integer> spaceOf = new HashMap<>();
        spaceOf.put("t1", 0);
        int spaces = 1;
        List<Anchor> anchors = new ArrayList<>();
        for (Statement s : scenario.statements()) {
            String actual = byLine.get(s.line());
            if (actual == null) {
                continue;
            }
            int space = s.task() == null ? -1 : spaceOf.getOrDefault(s.task(), -1);
            String norm = actual;
            Long value = null;
            if (s.op().result() == Op.Result.ADDRESS) {
                value = KernelReplay.number(actual);
                if (value != null) {
                    norm = form(value, space, anchors, literals(s));
                }
            } else if (s.op() == Op.MAPS && !KernelReplay.failed(actual)) {
                norm = maps(actual, textOf.getOrDefault(s.line(), List.of()), space, anchors);
            } else if (s.op() == Op.VMA) {
                Object[] v = KernelReplay.vma(actual);
                if (v != null) {
                    List<Long> lit = literals(s);
                    norm = form((long) v[0], space, anchors, lit) + ".." + form((long) v[1], space, anchors, lit)
                            + " " + v[2];
                }
            }
            out.put(s.line(), norm);

            boolean ok = !KernelReplay.failed(actual) && !actual.startsWith(KernelReplay.SKIPPED);
            if ((s.op() == Op.FORK || s.op() == Op.CLONE) && ok && s.as() != null) {
                spaceOf.put(s.as(), space);
            } else if (s.op() == Op.EXEC && ok) {
                spaceOf.put(s.task(), spaces++);
            }
            if (s.op().result() == Op.Result.ADDRESS) {
                String label = s.as() != null ? s.as() : "@" + s.line();
                anchors.removeIf(a -> a.label.equals(label));
                if (value != null) {
                    anchors.add(new Anchor(label, value, space));
                }
            }
        }
        return out;
    }

    /** A maps line: start, end, perms, offset, device, inode, and the name (or nothing). */
    private static final java.util.regex.Pattern MAPS_LINE = java.util.regex.Pattern.compile(
            "([0-9a-f]+)-([0-9a-f]+) (\\S+) ([0-9a-f]+) \\S+ \\d+ *(.*)");

    /**
     * A maps result: its count, then each line as {@code START..END PERMS OFFSET KIND}, the ends
     * normalized as any address, the offset in hex, KIND what the name says: nothing (anonymous),
     * {@code [heap]} or another bracketed name as it is, {@code shmem} for {@code /dev/zero
     * (deleted)}, {@code file} for a path. Devices, inodes and paths are left out: the model has
     * its own (ProcMaps), the harness's files live in a directory of their own.
     */
    private static String maps(String count, List<String> text, int space, List<Anchor> anchors) {
        StringBuilder b = new StringBuilder(count);
        String sep = " [";
        for (String l : text) {
            java.util.regex.Matcher m = MAPS_LINE.matcher(l);
            b.append(sep);
            sep = ", ";
            if (!m.matches()) {
                b.append(l.strip());
                continue;
            }
            String name = m.group(5).strip();
            String kind = name.isEmpty() ? "" : name.startsWith("[") ? " " + name
                    : name.equals("/dev/zero (deleted)") ? " shmem" : " file";
            b.append(form(Long.parseUnsignedLong(m.group(1), 16), space, anchors, List.of())).append("..")
                    .append(form(Long.parseUnsignedLong(m.group(2), 16), space, anchors, List.of()))
                    .append(' ').append(m.group(3)).append(" 0x").append(Long.toHexString(Long.parseUnsignedLong(m.group(4), 16)))
                    .append(kind);
        }
        return text.isEmpty() ? count : b.append(']').toString();
    }

    /** The values of the line's literal (name-free, non-zero) address arguments. */
    private static List<Long> literals(Statement s) {
        List<Long> l = new ArrayList<>();
        for (int i = 0; i < s.args().size(); i++) {
            Arg a = s.arg(i);
            if (a instanceof Expr e && !e.hasName() && s.op().kind(i) == Op.Kind.ADDR && e.constant() != 0) {
                l.add(e.constant());
            }
        }
        return l;
    }

    private static String form(long v, int space, List<Anchor> anchors, List<Long> literals) {
        if (literals.contains(v)) {
            return "0x" + Long.toHexString(v);
        }
        Anchor best = null;
        long bestDist = 0;
        for (Anchor a : anchors) {
            if (a.space != space) {
                continue;
            }
            long d = Math.abs(v - a.value);
            if (d < 0 || d > WINDOW) {
                continue;
            }
            if (best == null || d <= bestDist) {
                best = a;
                bestDist = d;
            }
        }
        if (best == null) {
            return "new";
        }
        return best.label + offset(v - best.value);
    }

    /** {@code +4p}, {@code -16p}, {@code +1p+5}, {@code +5}, or nothing for 0. */
    static String offset(long d) {
        return org.rmaplab.scenario.ScenarioText.offset(d);
    }
}
