package org.rmaplab.mm;

/**
 * arch/x86/mm/tlb.c flush_tlb_mm_range() of Linux 6.18, as a count: the TLB flushes the model's
 * calls end with, by the rule of that function. A range of at most
 * {@link #TLB_SINGLE_PAGE_FLUSH_CEILING} pages is flushed page by page (flush_tlb_one_user each:
 * {@link #flushPages}), a longer one whole ({@link #flushesFull}). The callers give the range's
 * span in pages, holes included, as flush_tlb_range() gets it. The counters are read by
 * {@code org.rmaplab.cost.Meter} around each call (see {@link Machine#tlbFlushPages}); nothing in
 * the model depends on them (it keeps no TLB).
 */
final class Tlb {
    /** 6.18 arch/x86/mm/tlb.c: "static unsigned long tlb_single_page_flush_ceiling __read_mostly = 33;" */
    static final long TLB_SINGLE_PAGE_FLUSH_CEILING = 33;

    /** Pages flushed one by one (flush_tlb_one_user). */
    long flushPages;
    /** Whole flushes (flush_tlb_local / flush_tlb_func's full flush). */
    long flushesFull;

    /**
     * PTE tables free_pgtables() freed in munmap's unmap_region(): each free_pte_range() →
     * pte_free_tlb() adds its page to the gather's range (tlb_flush_pmd_range(tlb, address,
     * PAGE_SIZE)) and sets tlb-&gt;freed_tables, so that tlb_finish_mmu() flushes even when no
     * present pte was cleared. Read by the meter with {@link Machine#presentPtesZapped}.
     */
    long pteTablesFreed;

    /** flush_tlb_range() over {@code pages} pages: page by page up to the ceiling, else whole. */
    void flushRange(long pages) {
        if (pages <= 0) {
            return;
        }
        if (pages <= TLB_SINGLE_PAGE_FLUSH_CEILING) {
            flushPages += pages;
        } else {
            flushesFull++;
        }
    }
}
