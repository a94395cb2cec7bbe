package org.rmaplab.scenario;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.rmaplab.rmap.RmapDesigns;

/** Design names a scenario may name in {@code expect:NAMES}. */
public final class Designs {
    private Designs() {}

    /** The contract's design names (scenario-language.md), whether or not the model has them yet. */
    public static final List<String> CONTRACT = List.of(
            "pte_chains", "anonmm", "anon_vma", "anon_vma_chain", "lokier");

    /** The real kernel, as run by the kernel harness. */
    public static final String LINUX = "linux";

    /** True if NAME may appear in an {@code expect:} scope. */
    public static boolean isScopeName(String name) {
        return LINUX.equals(name) || CONTRACT.contains(name) || RmapDesigns.exists(name);
    }

    /** Every name accepted in an {@code expect:} scope, sorted, for error messages. */
    public static String scopeNames() {
        Set<String> all = new TreeSet<>(CONTRACT);
        all.addAll(RmapDesigns.names());
        all.add(LINUX);
        return String.join(", ", all);
    }
}
