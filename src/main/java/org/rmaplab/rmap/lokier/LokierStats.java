package org.rmaplab.rmap.lokier;

import java.util.Map;

import org.rmaplab.mm.RmapStats;

/** lokier's counters on top of every design's: what the O(log(n/m)) claim is about. */
public final class LokierStats extends RmapStats {
    /**
     * Splits: a vma grew (mremap in place or moving, brk) where its reservation had no room, so the
     * grown part became a vma of its own in the same user-visible vma (VM_GROUP).
     */
    public long growthSplits;
    /** Reservations taken from an address_space's counter. */
    public long reservationsAllocated;
    /**
     * New ranges placed in a neighbour's reservation instead (Lokier's step 5,
     * docs/reference.md#lokier-offset-space).
     */
    public long claims;
    /** address_spaces started because the current one would have wrapped. */
    public long wraps;

    @Override
    public Map<String, Long> asMap() {
        Map<String, Long> m = super.asMap();
        m.put("growth_splits", growthSplits);
        m.put("reservations_allocated", reservationsAllocated);
        m.put("reservation_claims", claims);
        m.put("address_space_wraps", wraps);
        return m;
    }
}
