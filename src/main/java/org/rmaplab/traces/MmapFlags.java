package org.rmaplab.traces;

import java.util.ArrayList;
import java.util.List;

/**
 * An mmap's flags as the scenario language writes them ({@code private|anonymous|fixed}...), in
 * the trace's order, and what they say: a file mapping (no MAP_ANONYMOUS), MAP_FIXED or
 * MAP_FIXED_NOREPLACE, a stack (MAP_STACK or MAP_GROWSDOWN, written from the top). The flags
 * the model does not take (MAP_HUGETLB, MAP_32BIT, MAP_UNINITIALIZED, MAP_HUGE_*...) are
 * {@code dropped}, and said so in a comment on the line.
 */
record MmapFlags(List<String> names, boolean file, boolean fixed, boolean stack, List<String> dropped) {
    /** The flags of strace's {@code MAP_PRIVATE|MAP_ANONYMOUS|...}. */
    static MmapFlags parse(String s) {
        List<String> flags = new ArrayList<>();
        boolean file = true;
        boolean fixed = false;
        boolean stack = false;
        List<String> dropped = new ArrayList<>();
        for (String f : s.split("\\|")) {
            String g = name(f);
            if (g == null) {
                dropped.add(f);
                continue;
            }
            file &= !g.equals("anonymous");
            fixed |= g.startsWith("fixed");
            stack |= g.equals("stack") || g.equals("growsdown");
            flags.add(g);
        }
        if (file) {
            flags.remove("sync");
        }
        return new MmapFlags(List.copyOf(flags), file, fixed, stack, List.copyOf(dropped));
    }

    /** The scenario language's name of flag F, or null if the model does not take it. */
    private static String name(String f) {
        return switch (f) {
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
    }

    /** These flags and {@code anonymous} (a file mapping written as an anonymous one). */
    MmapFlags anonymous() {
        List<String> n = new ArrayList<>(names);
        n.add("anonymous");
        return new MmapFlags(List.copyOf(n), file, fixed, stack, dropped);
    }

    /** These flags without MAP_FIXED / MAP_FIXED_NOREPLACE (a mapping the model places). */
    MmapFlags placedByModel() {
        return new MmapFlags(names.stream().filter(x -> !x.startsWith("fixed")).toList(), file, fixed, stack, dropped);
    }

    /** As the scenario writes them: {@code private|anonymous}. */
    String text() {
        return String.join("|", names);
    }

    /** The comment on the line saying which flags were dropped, or "". */
    String droppedNote() {
        return dropped.isEmpty() ? "" : "   # dropped " + String.join("|", dropped);
    }
}
