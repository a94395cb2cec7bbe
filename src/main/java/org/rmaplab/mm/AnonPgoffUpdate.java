package org.rmaplab.mm;

/**
 * mm/mmap.c's can_update_faulted_pgoff() and is_shared_pte(), mm/mremap.c's
 * update_pgoff_pte_inner() and mm/rmap.c's reconnect_pages_range() of Jakub Matěna's series "mm:
 * adjust page offset in mremap" (PATCH 4/6) and "mm: enable merging of VMAs with different
 * anon_vmas" (PATCH 5/6), RFC v3 of 16 May 2022 on v5.18-rc2 (Message-ID
 * 20220516125405.1675-1-matenajakub@gmail.com; never merged), for {@link VmaOps} and
 * {@link MremapPageTables} under a design that {@link RmapDesign#adjustsFaultedPgoff}.
 *
 * <p>The walks are the core's; the design answers whether an anon_vma is shared
 * ({@link RmapDesign#anonVmaUnshared}: its own root, rbt_no_children()) and re-homes a page
 * ({@link RmapDesign#pageRelocateAnon} for a moved page, {@link RmapDesign#pageReuseAnon} —
 * page_move_anon_rmap() — for a page whose vma merged into a neighbour).
 *
 * <p>Simplifications: the model is single-threaded, so v3's retries (a migration entry waited
 * for, a page that trylock_page() could not lock) never happen; the model has no large folios,
 * KSM or zero-page anon mappings beyond the special pte, which the walks step over as the patch
 * does (vm_normal_page() NULL).
 */
final class AnonPgoffUpdate {
    private final Machine k;
    private final Frames frames;
    private final RmapDesign design;

    /** Moves whose new vma took the pgoff of its address (can_update_faulted_pgoff() said yes). */
    long pgoffUpdates;
    /** ... refused: the anon_vma was shared (not its own root, or rbt_no_children() false). */
    long pgoffRefusedShared;
    /** ... refused: a page mapped more than once, or a swap slot with more than one reference. */
    long pgoffRefusedPages;
    /** Pages whose index and anon_vma move_ptes() rewrote (update_pgoff_page()). */
    long pagesUpdated;
    /** Pages reconnect_pages_range() moved to the anon_vma of the vma that absorbed theirs. */
    long pagesReconnected;

    AnonPgoffUpdate(Machine k) {
        this.k = k;
        this.frames = k.frames;
        this.design = k.design;
    }

    /**
     * can_update_faulted_pgoff() (mm/mmap.c, v3 PATCH 4/6) for a faulted anonymous vma: the vma
     * is not shared with other processes — its anon_vma is its own root and rbt_no_children() —
     * and walk_page_vma() with is_shared_pte() finds no page shared: a present page with
     * {@code page_mapcount(page) + page_swapcount(page) > 1}, a swap entry whose swap_map is above
     * 1 (another reference or SWAP_HAS_CACHE). v3's code returns 1 from the anon_vma test when
     * the vma <em>is</em> shared (the opposite of what its comment and commit message say, and
     * of v2's update_faulted_pgoff()); the model follows the comment.
     */
    boolean canUpdateFaultedPgoff(Vma vma) {
        if (!design.anonVmaUnshared(vma.anonVma)) {
            pgoffRefusedShared++;
            return false;
        }
        Mm mm = vma.mm;
        if (mm.pgd() >= 0) {
            for (long addr = vma.vmStart; addr < vma.vmEnd; addr += PageTable.PAGE_SIZE) {
                long slot = PageTable.lookup(frames, mm.pgd(), addr);
                if (slot < 0) {
                    addr = Math.min(vma.vmEnd, (addr | (PageTable.PMD_SIZE - 1)) + 1) - PageTable.PAGE_SIZE;
                    continue;
                }
                if (isSharedPte(PageTable.get(frames, slot))) {
                    pgoffRefusedPages++;
                    return false;
                }
            }
        }
        pgoffUpdates++;
        return true;
    }

    /** is_shared_pte() (mm/mmap.c, v3 PATCH 4/6). */
    private boolean isSharedPte(long pte) {
        if (PageTable.isSwap(pte)) {
            int s = PageTable.swpSlot(pte);
            return k.swap.count(s) + (k.swap.cachePfn(s) >= 0 ? 1 : 0) > 1;
        }
        if (!PageTable.present(pte) || (pte & PageTable.SPECIAL) != 0) {
            return false;
        }
        int pfn = PageTable.ptePfn(pte);
        int swapcount = (frames.flags[pfn] & Frames.PG_SWAPCACHE) != 0 ? k.swap.count(frames.swapSlot(pfn)) : 0;
        return frames.mapcount[pfn] + swapcount > 1;
    }

    /**
     * update_pgoff_pte_inner() → update_pgoff_page() (mm/mremap.c, v3 PATCH 4/6 and 5/6), in
     * move_ptes() before the pte moves: a present normal page gets {@code page->index = new_addr
     * >> PAGE_SHIFT} and, when its anon_vma is not the new vma's, page_move_anon_rmap(page,
     * new_vma). A swap entry is left alone ("the page offset will be reconstructed automatically
     * from the VMA after the page is moved back into RAM": can_update_faulted_pgoff() allowed no
     * swap-cache page).
     */
    void updatePgoffPte(long pte, Vma newVma, long newAddr) {
        if (!PageTable.present(pte) || (pte & PageTable.SPECIAL) != 0) {
            return;
        }
        int pfn = PageTable.ptePfn(pte);
        if ((frames.flags[pfn] & Frames.PG_ANON) == 0) {
            return;
        }
        design.pageRelocateAnon(frames, pfn, newVma, newAddr);
        design.stats().rmapMoves++;
        pagesUpdated++;
    }

    /**
     * reconnect_pages_range() (mm/rmap.c, v3 PATCH 5/6), called by __vma_adjust() when the vma
     * that grows ({@code target}) takes [start, end) from a vma with another anon_vma: each
     * present normal page there with an anon_vma gets page_move_anon_rmap(page, target)
     * (reconnect_page()); its index stays (the merge needed contiguous pgoffs). Swapped-out
     * pages are left alone ("reconstructed automatically from the VMA": at swap-in,
     * ksm_might_need_to_copy() copies a swap-cache page left in the old anon_vma).
     */
    void reconnectPagesRange(Mm mm, long start, long end, Vma target) {
        if (mm.pgd() < 0) {
            return;
        }
        for (long addr = start; addr < end; addr += PageTable.PAGE_SIZE) {
            long slot = PageTable.lookup(frames, mm.pgd(), addr);
            if (slot < 0) {
                addr = Math.min(end, (addr | (PageTable.PMD_SIZE - 1)) + 1) - PageTable.PAGE_SIZE;
                continue;
            }
            long pte = PageTable.get(frames, slot);
            if (!PageTable.present(pte) || (pte & PageTable.SPECIAL) != 0) {
                continue;
            }
            int pfn = PageTable.ptePfn(pte);
            if ((frames.flags[pfn] & Frames.PG_ANON) != 0 && frames.mapping[pfn] != null
                    && frames.mapping[pfn] != target.anonVma) {
                design.pageReuseAnon(pfn, target, addr);
                design.stats().rmapMoves++;
                pagesReconnected++;
            }
        }
    }
}
