package org.rmaplab.rmap.ptechains;

import java.util.Map;

import org.rmaplab.mm.RmapStats;

/**
 * The common counters plus what only pte_chains does. Objects: {@code "pte_chain"} (blocks alive
 * and peak) and {@code "pg_direct"} (pages holding a PG_direct pointer), so a report can show the
 * PG_direct share and the chain memory ({@link PteChainGeometry#blockBytes()} per block).
 */
public final class PteChainsStats extends RmapStats {
    /** page_add_rmap() turned a direct pointer into a two-entry chain. */
    public long directToChain;
    /** page_referenced() turned a one-entry chain back into a direct pointer (the lazy collapse). */
    public long collapses;
    /** Blocks allocated and freed over the run (kmem_cache_alloc / __pte_chain_free). */
    public long chainAllocs;
    public long chainFrees;
    /** pte slots page_remove_rmap() compared while searching for its pte (1 for a direct page). */
    public long removeSlotsScanned;
    /** page_referenced() calls, and the young ptes they found (and cleared). */
    public long pageReferencedCalls;
    public long pageReferencedYoung;
    /**
     * Step (b) only: chain entries mlock took off (ptes present when a range became VM_LOCKED) and
     * entries munlock put back (the walk of the vma's page tables: the cost of munlock).
     */
    public long mlockUnchained;
    public long munlockRechained;
    /**
     * The objrmap variants: page_convert_anon() calls and the ptes their i_mmap walks chained
     * ({@code pte_chains:objrmap}); ptes chained because they map a file page at a nonlinear
     * address (wli's step (c), {@code pte_chains:objrmap_nlchains}).
     */
    public long convertAnon;
    public long convertPtesChained;
    public long nonlinearChained;

    @Override
    public Map<String, Long> asMap() {
        Map<String, Long> m = super.asMap();
        m.put("pte_chain_direct_to_chain", directToChain);
        m.put("pte_chain_collapses", collapses);
        m.put("pte_chain_allocs", chainAllocs);
        m.put("pte_chain_frees", chainFrees);
        m.put("pte_chain_remove_slots_scanned", removeSlotsScanned);
        m.put("page_referenced_calls", pageReferencedCalls);
        m.put("page_referenced_young", pageReferencedYoung);
        m.put("pte_chain_mlock_unchained", mlockUnchained);
        m.put("pte_chain_munlock_rechained", munlockRechained);
        m.put("objrmap_convert_anon", convertAnon);
        m.put("objrmap_convert_ptes_chained", convertPtesChained);
        m.put("objrmap_nonlinear_chained", nonlinearChained);
        return m;
    }
}
