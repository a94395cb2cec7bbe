package org.rmaplab.workloads;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A named, parameterised workload: a generator of scenario text ({@code .vms}) that
 * {@code rmaplab compare NAME --param k=v} runs and {@code --emit} writes out.
 *
 * @param name        the name on the command line
 * @param description one line on what it does and which published figure it is for
 * @param params      parameters in order, with their defaults
 * @param generator   scenario text from the full parameter map (defaults filled in)
 */
public record Workload(String name, String description, List<Param> params,
                       Function<Map<String, Long>, String> generator) {

    /** A parameter: a positive integer with a default and a meaning. */
    public record Param(String name, long defaultValue, long min, long max, String meaning) {}

    /** Every parameter in order, valued as GIVEN says or by its default (not range-checked). */
    public Map<String, Long> withDefaults(Map<String, Long> given) {
        Map<String, Long> all = new LinkedHashMap<>();
        for (Param p : params) {
            all.put(p.name(), given.getOrDefault(p.name(), p.defaultValue()));
        }
        return all;
    }

    /** The scenario for PARAMS (names to values; missing ones take their defaults). */
    public String generate(Map<String, Long> given) {
        Map<String, Long> all = withDefaults(given);
        for (Param p : params) {
            long v = all.get(p.name());
            if (v < p.min() || v > p.max()) {
                throw new IllegalArgumentException("--param " + p.name() + "=" + v + " is out of range ("
                        + p.min() + ".." + p.max() + ")");
            }
        }
        for (String k : given.keySet()) {
            if (params.stream().noneMatch(p -> p.name().equals(k))) {
                throw new IllegalArgumentException("workload " + name + " has no parameter '" + k + "' (has: "
                        + String.join(", ", params.stream().map(Param::name).toList()) + ")");
            }
        }
        try {
            return generator.apply(all);
        } catch (IllegalArgumentException e) {
            if (e.getMessage().startsWith("needs ")) {
                throw new IllegalArgumentException(label(all) + " " + e.getMessage() + ": lower a parameter", e);
            }
            throw e;
        }
    }

    /** The file name a generated scenario is reported under: {@code NAME(k=v,...).vms}. */
    public String label(Map<String, Long> given) {
        StringBuilder b = new StringBuilder(name);
        for (Param p : params) {
            if (given.containsKey(p.name())) {
                b.append(b.length() == name.length() ? "[" : ",").append(p.name()).append('=').append(given.get(p.name()));
            }
        }
        if (b.length() > name.length()) {
            b.append(']');
        }
        return b.toString();
    }
}
