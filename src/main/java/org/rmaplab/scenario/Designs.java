package org.rmaplab.scenario;

import java.util.Set;
import java.util.TreeSet;

import org.rmaplab.rmap.RmapDesigns;

/** Design names a scenario may name in {@code expect:NAMES}: the registry's designs and {@code linux}. */
public final class Designs {
    private Designs() {}

    /** The real kernel, as run by the kernel harness. */
    public static final String LINUX = RmapDesigns.LINUX;

    /** True if NAME may appear in an {@code expect:} scope (a design, not a variant: variants run as their design). */
    public static boolean isScopeName(String name) {
        return LINUX.equals(name) || RmapDesigns.names().contains(name);
    }

    /** Every name accepted in an {@code expect:} scope, sorted, for error messages. */
    public static String scopeNames() {
        Set<String> all = new TreeSet<>(RmapDesigns.names());
        all.add(LINUX);
        return String.join(", ", all);
    }
}
