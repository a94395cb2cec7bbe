package org.rmaplab.rmap.ptechains;

import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.RmapHost;
import org.rmaplab.mm.Vma;

/**
 * wli's step (b) for pte_chains ({@code pte_chains:mlocked_unchained}; William Lee Irwin III, 2 July
 * 2003, "Re: What to expect with the 2.6 VM": "implement the bits omitting pte_chains for mlock()'d
 * mappings ... Yank them off the LRU, set a bitflag, and reuse page-&gt;lru for a counter"): the
 * counter of the ptes of VM_LOCKED vmas that map a page and are not on its chain. Non-zero exactly
 * when the page is PG_mlocked and off the LRU, so page-&gt;lru is free to hold it; the model keeps it
 * in a column of its own rather than in the core's lruNext/lruPrev.
 */
final class MlockedPtes {
    private final PteChainsDesign d;
    private final RmapHost host;
    private final int[] lockedPtes;

    MlockedPtes(PteChainsDesign d, RmapHost host) {
        this.d = d;
        this.host = host;
        this.lockedPtes = new int[host.frames().nrFrames()];
    }

    /** Ptes of VM_LOCKED vmas mapping the page and not on its chain. */
    int count(int pfn) {
        return lockedPtes[pfn];
    }

    /**
     * One more unchained pte: the first makes the page PG_mlocked and takes it off the LRU ("Yank
     * them off the LRU, set a bitflag"; isolate_lru_page() as 2.6.28's mlock_vma_page() did).
     */
    void add(int pfn) {
        if (lockedPtes[pfn]++ == 0) {
            host.mlockPage(pfn);
        }
    }

    /**
     * One unchained pte fewer: at zero the page is evictable again, PG_mlocked is cleared and the
     * page goes back on the LRU (2.6.28's munlock_vma_page() → putback_lru_page()).
     */
    void remove(int pfn) {
        if (lockedPtes[pfn] <= 0) {
            throw new IllegalStateException("page_remove_rmap: pfn " + pfn + " has no unchained mlocked pte");
        }
        if (--lockedPtes[pfn] == 0) {
            host.munlockPage(pfn);
        }
    }

    /**
     * mlock_fixup() changed VM_LOCKED on [start, end) of vma. The vma's own page tables say which
     * ptes changed side, so this walks them as mlock_vma_pages_range() walks the range (mm/mlock.c,
     * mlock_pte_range; 2.6.28's __mlock_vma_pages_range and munlock_vma_pages_range went by
     * get_user_pages/follow_page over the same range): mlock takes each present pte's entry off the
     * chain and counts it; munlock puts each one back on the chain — the only ptes that can be
     * found, and the only ones that need to be. Ptes of the page in other VM_LOCKED vmas stay
     * counted; pte_chains has no object to reach them, and need not.
     */
    void lockChanged(Vma vma, long start, long end) {
        boolean locked = (vma.flags() & Vma.VM_LOCKED) != 0;
        PageTable.forEachPresentPage(d.frames, vma.mm, start, end, (slot, pfn) -> {
            if (locked) {
                d.pageRemoveRmapInternal(pfn, slot);
                add(pfn);
                d.stats.mlockUnchained++;
            } else {
                remove(pfn);
                d.pageAddRmap(pfn, slot);
                d.stats.munlockRechained++;
            }
        });
    }
}
