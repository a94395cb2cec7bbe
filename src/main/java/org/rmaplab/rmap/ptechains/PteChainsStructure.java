package org.rmaplab.rmap.ptechains;

import org.rmaplab.mm.AddressSpace;
import org.rmaplab.mm.FileRmap;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.RmapStructure;

/**
 * A page's reverse map as 2.6.0 keeps it (include/linux/rmap-locking.h, mm/rmap.c), for the
 * explorer ({@link PteChainsDesign#pageStructure}): with PG_direct, page-&gt;pte.direct names the
 * one pte; else page-&gt;pte.chain heads a list of pte_chain blocks of NRPTE slots, each filled
 * from its top (next_and_idx's idx is the first used slot), the mapcount slot of wli's step (c)
 * shown as such. A file page: under 2.6.0 chained like an anonymous one (page_add_rmap() chains
 * every pte; i_mmap and i_mmap_shared are not part of the reverse map); under the objrmap hybrid
 * its i_mmap lists as objrmap walks them ({@link FileRmap#structure}'s OBJRMAP_LIST), then the
 * chain of its nonlinear ptes (wli's step (c)), or, once page_convert_anon() set PG_anon, its chain.
 * Read only.
 */
final class PteChainsStructure {
    private final PteChainsDesign d;

    PteChainsStructure(PteChainsDesign d) {
        this.d = d;
    }

    /** The page's reverse map: its chain, and for a file page its mapping as the variant keeps it. */
    RmapStructure.Node structure(int pfn) {
        RmapStructure.Node chain = page(pfn);
        if ((d.frames.flags[pfn] & Frames.PG_ANON) != 0 || !(d.frames.mapping[pfn] instanceof AddressSpace as)) {
            return chain;
        }
        ObjRmap o = d.objrmapSide();
        if (o == null || (d.frames.flags[pfn] & ObjRmap.PG_CONVERTED) != 0) {
            RmapStructure.Node top = chain != null ? chain : new RmapStructure.Node("page", "page " + pfn);
            top.add("address_space", "page->mapping: file " + as.name() + (o == null
                    ? ": 2.6.0 chains file pages (mm/rmap.c page_add_rmap), i_mmap is not walked"
                    : ": PG_anon set by page_convert_anon() (objrmap, -mm 2003): the chain is walked, not i_mmap"));
            return top;
        }
        RmapStructure.Node top = d.host().fileStructure(pfn, FileRmap.IMmap.OBJRMAP_LIST);
        if (chain != null) {
            RmapStructure.Node c = top.add("pte_chain", "the chain of its nonlinear ptes (wli's step (c)), walked after the lists");
            c.children.addAll(chain.children);
        }
        return top;
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
