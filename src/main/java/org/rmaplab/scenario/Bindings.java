package org.rmaplab.scenario;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What the names of a running scenario stand for: a task, a file or a value, bound by {@code as}
 * on an earlier line; a name whose binding call failed (or was skipped) is unbound and says why.
 * Shared by the model's runner ({@link ScenarioRunner}) and the kernel's replay
 * (org.rmaplab.harness.KernelReplay), so that a name means the same on both sides.
 */
public final class Bindings {
    private final Map<String, Object> bound = new HashMap<>();
    private final Map<String, String> unbound = new HashMap<>();
    private final Function<String, RuntimeException> error;

    /** ERROR makes the exception a bad use of a name throws (a ScenarioError at the current line). */
    public Bindings(Function<String, RuntimeException> error) {
        this.error = error;
    }

    /** NAME now stands for V. */
    public void bind(String name, Object v) {
        bound.put(name, v);
        unbound.remove(name);
    }

    /** NAME stands for nothing any more; a use of it says WHY. */
    public void unbind(String name, String why) {
        bound.remove(name);
        unbound.put(name, why);
    }

    /** What NAME stands for, or null. */
    public Object get(String name) {
        return bound.get(name);
    }

    /** What NAME stands for; an error if it is unbound or unknown. */
    public Object lookup(String name) {
        Object v = bound.get(name);
        if (v == null) {
            String why = unbound.get(name);
            if (why != null) {
                throw error.apply("'" + name + "' is unbound: " + why);
            }
            throw error.apply("unknown name '" + name + "'");
        }
        return v;
    }

    /** The value of E: its constant, plus its name's value if it has one. */
    public long eval(Expr e) {
        if (!e.hasName()) {
            return e.constant();
        }
        Object v = lookup(e.name());
        if (!(v instanceof Long l)) {
            throw error.apply("'" + e.name() + "' is not a value");
        }
        return e.eval(l);
    }
}
