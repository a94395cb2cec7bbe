package org.rmaplab.scenario;

import java.util.Set;
import java.util.TreeSet;

import org.rmaplab.rmap.RmapDesigns;

/** Design names a scenario may name in {@code expect:NAMES}: the registry's designs and {@code linux}. */
public final class Designs {
    private Designs() {}

    /** The real kernel, as run by the kernel harness. */
    public static final String LINUX = RmapDesigns.LINUX;

    /**
     * True if NAME may appear in an {@code expect:} scope: a design, a variant, or {@code linux}.
     * A variant runs as its design, so the design's scope applies to it; a variant whose own rule
     * makes a user-visible difference (anon_vma_chain:relocate honours mremap flags today's kernel
     * refuses) is scoped by its full name, which wins over its design's.
     */
    public static boolean isScopeName(String name) {
        return LINUX.equals(name) || RmapDesigns.exists(name);
    }

    /** Every name accepted in an {@code expect:} scope, sorted, for error messages. */
    public static String scopeNames() {
        Set<String> all = new TreeSet<>(RmapDesigns.everyName());
        all.add(LINUX);
        return String.join(", ", all);
    }
}
