package org.rmaplab.rmap.ptechains;

import org.rmaplab.mm.RmapStructure;

/**
 * A page's reverse map as 2.6.0 keeps it (include/linux/rmap-locking.h, mm/rmap.c), for the
 * explorer ({@link PteChainsDesign#pageStructure}): with PG_direct, page-&gt;pte.direct names the
 * one pte; else page-&gt;pte.chain heads a list of pte_chain blocks of NRPTE slots, each filled
 * from its top (next_and_idx's idx is the first used slot), the mapcount slot of wli's step (c)
 * shown as such. Read only.
 */
final class PteChainsStructure {
    private final PteChainsDesign d;

    PteChainsStructure(PteChainsDesign d) {
        this.d = d;
    }

    /** The page's PG_direct pte or chain blocks, or null when it has neither. */
    RmapStructure.Node page(int pfn) {
        RmapStructure.Node page = new RmapStructure.Node("page", "page " + pfn + (d.isDirect(pfn) ? " PG_direct" : ""));
        if (d.isDirect(pfn)) {
            page.add("pte", "pte.direct → " + RmapStructure.pteLabel(d.frames, d.pte[pfn]));
            return page;
        }
        PteChainPool pool = d.pool;
        int b = 0;
        for (int h = (int) d.pte[pfn]; h != 0; h = pool.next(h)) {
            RmapStructure.Node block = page.add("pte_chain", "pte_chain block " + b++ + " (idx " + pool.idx(h)
                    + " of NRPTE " + d.nrpte + ")");
            for (int i = pool.idx(h); i < d.nrpte; i++) {
                long slot = pool.pte(h, i);
                block.add("pte", "ptes[" + i + "] " + (slot == PteChainsDesign.MAPCOUNT_SLOT ? "mapcount (step (c))"
                        : "→ " + RmapStructure.pteLabel(d.frames, slot)));
            }
        }
        return page.children.isEmpty() ? null : page;
    }
}
