package org.rmaplab.mm;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.rmaplab.check.ForwardingDesign;

/**
 * A design that can be told to fail its allocations, as tools/testing/vma/vma.c's
 * {@code fail_prealloc} makes {@code vma_iter_prealloc()} return -ENOMEM: it forwards every call
 * to the wrapped design, counts the calls of the hooks that allocate anon state ({@link Hook}),
 * and, when armed, makes the named hooks return {@code -ENOMEM} without calling the wrapped
 * design — so the design's own state is untouched, as after an allocation that failed before
 * anything was linked (anon_vma_clone()'s and anon_vma_fork()'s error paths unlink what they
 * linked).
 *
 * <ul>
 *   <li>{@link #failNext(Hook...)}: the next call of any of the named hooks (every allocating hook
 *       if none is named) fails, once;
 *   <li>{@link #failAfter(int, Hook...)}: n calls of the named hooks succeed, the one after fails,
 *       once;
 *   <li>{@link #failAlways(Hook...)}: every call of the named hooks fails until {@link #reset()}
 *       ({@code fail_prealloc = true} until {@code cleanup_mm()}).
 * </ul>
 *
 * <p>It also forwards what {@link ForwardingDesign} does not (yet): the copy_vma anon rule
 * ({@link RmapDesign#isMergeableAnonVma(Vma, Object, Vma, Vma)}), where the swap slot lives
 * ({@link RmapDesign#swapEntryInIndex()}), the i_mmap kind, and the design's self-check
 * ({@link RmapSelfCheck}), so the oracle proves the wrapped design's invariants as it would
 * without the wrapper.
 */
public class FailingDesign extends ForwardingDesign implements RmapSelfCheck {
    /** The hooks that allocate anon state and may return -ENOMEM. */
    public enum Hook { ANON_VMA_PREPARE, VMA_FORK, VMA_SPLIT, VMA_SPLIT_FOR_UNMAP, VMA_COPY, VMA_MERGED }

    private final RmapDesign inner;
    private final Map<Hook, Integer> calls = new EnumMap<>(Hook.class);
    private final Map<Hook, Integer> failures = new EnumMap<>(Hook.class);
    /** Hooks armed to fail; empty when disarmed. */
    private Set<Hook> armed = EnumSet.noneOf(Hook.class);
    /** Calls of armed hooks still to let through before the failing one. */
    private int countdown;
    /** Keep failing every armed call (failAlways) rather than once. */
    private boolean sticky;

    public FailingDesign(RmapDesign d) {
        super(d);
        this.inner = d;
    }

    /** The wrapped design. */
    public RmapDesign inner() {
        return inner;
    }

    /** The next call of one of {@code hooks} (of any allocating hook if none) returns -ENOMEM, once. */
    public FailingDesign failNext(Hook... hooks) {
        return failAfter(0, hooks);
    }

    /** {@code n} calls of {@code hooks} (any allocating hook if none) succeed, the next fails, once. */
    public FailingDesign failAfter(int n, Hook... hooks) {
        if (n < 0) {
            throw new IllegalArgumentException("n < 0");
        }
        armed = hooks.length == 0 ? EnumSet.allOf(Hook.class) : EnumSet.of(hooks[0], hooks);
        countdown = n;
        sticky = false;
        return this;
    }

    /** Every call of {@code hooks} (any allocating hook if none) fails until {@link #reset()}. */
    public FailingDesign failAlways(Hook... hooks) {
        failAfter(0, hooks);
        sticky = true;
        return this;
    }

    /** Disarms (cleanup_mm()'s {@code fail_prealloc = false}) and clears the counts. */
    public FailingDesign reset() {
        armed = EnumSet.noneOf(Hook.class);
        countdown = 0;
        sticky = false;
        calls.clear();
        failures.clear();
        return this;
    }

    /** True while a failure is still to come. */
    public boolean armed() {
        return !armed.isEmpty();
    }

    /** Calls of {@code h} since construction or {@link #reset()}, failed ones included. */
    public int calls(Hook h) {
        return calls.getOrDefault(h, 0);
    }

    /** Calls of {@code h} that this wrapper failed. */
    public int failures(Hook h) {
        return failures.getOrDefault(h, 0);
    }

    /** Calls of every hook that this wrapper failed. */
    public int failures() {
        int n = 0;
        for (int f : failures.values()) {
            n += f;
        }
        return n;
    }

    /** Counts a call of h; true if it is to fail. */
    private boolean fail(Hook h) {
        calls.merge(h, 1, Integer::sum);
        if (!armed.contains(h)) {
            return false;
        }
        if (countdown > 0) {
            countdown--;
            return false;
        }
        if (!sticky) {
            armed = EnumSet.noneOf(Hook.class);
        }
        failures.merge(h, 1, Integer::sum);
        return true;
    }

    @Override
    public int anonVmaPrepare(Vma vma) {
        // Memory calls it on every anonymous fault; only a call that would prepare is counted.
        if (vma.anonVma != null) {
            return super.anonVmaPrepare(vma);
        }
        return fail(Hook.ANON_VMA_PREPARE) ? -Errno.ENOMEM : super.anonVmaPrepare(vma);
    }

    @Override
    public int vmaFork(Vma src, Vma dst) {
        return fail(Hook.VMA_FORK) ? -Errno.ENOMEM : super.vmaFork(src, dst);
    }

    @Override
    public int vmaSplit(Vma orig, Vma piece) {
        return fail(Hook.VMA_SPLIT) ? -Errno.ENOMEM : super.vmaSplit(orig, piece);
    }

    @Override
    public int vmaSplitForUnmap(Vma orig, Vma piece) {
        return fail(Hook.VMA_SPLIT_FOR_UNMAP) ? -Errno.ENOMEM : super.vmaSplitForUnmap(orig, piece);
    }

    @Override
    public int vmaCopy(Vma src, Vma dst) {
        return fail(Hook.VMA_COPY) ? -Errno.ENOMEM : super.vmaCopy(src, dst);
    }

    @Override
    public int vmaMerged(Vma survivor, Vma removed) {
        // dup_anon_vma() allocates (anon_vma_clone) only when the survivor has no anon state and
        // the vma it absorbs has one; otherwise there is nothing that could fail.
        if (survivor.anonVma != null || removed.anonVma == null) {
            calls.merge(Hook.VMA_MERGED, 1, Integer::sum);
            return super.vmaMerged(survivor, removed);
        }
        return fail(Hook.VMA_MERGED) ? -Errno.ENOMEM : super.vmaMerged(survivor, removed);
    }

    @Override
    public String checkInvariants() {
        return inner instanceof RmapSelfCheck sc ? sc.checkInvariants() : null;
    }
}
