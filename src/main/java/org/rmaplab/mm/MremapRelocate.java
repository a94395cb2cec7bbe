package org.rmaplab.mm;

/**
 * mm/mremap.c's should_relocate_anon() and relocate_anon_folios() of Lorenzo Stoakes' series
 * "mm/mremap: introduce more mergeable mremap via MREMAP_RELOCATE_ANON" (v1, 9 June 2025,
 * Message-ID cover.1749473726.git.lorenzo.stoakes@oracle.com; never merged: Linux 6.18 answers
 * EINVAL to the flags), for {@link Mremap} under a design that {@link RmapDesign#relocatesAnon}.
 *
 * <p>PATCH 01/11 adds MREMAP_RELOCATE_ANON: when the moved vma's folios are all exclusive, the
 * folios' mapping and index are rewritten for the new place (folio_move_anon_rmap(), {@code
 * folio->index = linear_page_index(new, new_addr)}), the new vma gets the pgoff of its address and
 * an anon_vma of its own, and after the move the new vma is merged again. PATCH 02/11 adds
 * MREMAP_MUST_RELOCATE_ANON: where the first flag would fall back to an ordinary move, EFAULT.
 *
 * <p>What the model leaves out, and why it does not matter here: large folios (PATCH 03/11's
 * split or whole-folio relocation: the model has none), pinned folios (folio_maybe_dma_pinned():
 * the model has no pins) and KSM folios (the model has no KSM, and prep_move_vma() unmerges them
 * before a move anyway, as Harry Yoo's review of 01/11 noted). So relocate_anon_folios() never
 * fails in the model and its undo-and-retry path (do_munmap of the new vma, then an ordinary
 * move; EFAULT under MUST) is never taken; the fallbacks the model can show are
 * should_relocate_anon()'s.
 */
final class MremapRelocate {
    private final Frames frames;
    private final RmapDesign design;

    MremapRelocate(Machine k) {
        this.frames = k.frames;
        this.design = k.design;
    }

    /**
     * should_relocate_anon() with PATCH 02/11's {@code errp}: 1 to relocate, 0 for an ordinary
     * move, -EFAULT when MREMAP_MUST_RELOCATE_ANON cannot be honoured. Fatal under MUST: a
     * VM_SPECIAL (the model's VM_IO, VM_DONTEXPAND) or VM_HUGETLB vma, one that is not private
     * anonymous (vma_is_anonymous()), one whose folios may be shared
     * ({@link RmapDesign#vmaMaybeHasSharedAnonFolios}). Not fatal: no anon_vma yet ("If no folios
     * are mapped, then no need to attempt this").
     */
    int shouldRelocateAnon(Vma old, int flags) {
        if ((flags & (Mman.MREMAP_RELOCATE_ANON | Mman.MREMAP_MUST_RELOCATE_ANON)) == 0) {
            return 0;
        }
        boolean must = (flags & Mman.MREMAP_MUST_RELOCATE_ANON) != 0;
        RmapStats stats = design.stats();
        if ((old.vmFlags & (Vma.VM_IO | Vma.VM_DONTEXPAND)) != 0 || !old.isAnonymous()) {
            stats.relocateFallbackNotAnon++;
            return fallback(must);
        }
        if (design.vmaMaybeHasSharedAnonFolios(old)) {
            stats.relocateFallbackShared++;
            return fallback(must);
        }
        if (old.anonVma == null) {
            return 0;
        }
        stats.relocateAsked++;
        return 1;
    }

    private int fallback(boolean must) {
        if (!must) {
            return 0;
        }
        design.stats().relocateMustEfault++;
        return -Errno.EFAULT;
    }

    /**
     * relocate_anon_folios() → relocate_anon_ptes() → relocate_anon_pte() over [oldAddr,
     * oldAddr+len) of {@code old}, whose ptes have not moved yet: every present pte of a normal
     * anonymous folio has the folio re-homed to {@code nv} at the same offset from newAddr
     * ({@link RmapDesign#pageRelocateAnon}); a range without a PTE table is stepped over
     * (pmd_none), a none pte or a swap entry is stepped over ("pte_none(pte) ||
     * !pte_present(pte)": a page still in the swap cache keeps its old mapping and index, and
     * do_swap_page()'s ksm_might_need_to_copy() gives the new place a copy of it), and so is the
     * zero page (vm_normal_folio() is NULL). {@code undo} puts the folios back to {@code old} at
     * oldAddr (the patch's relocate_anon_folios(&amp;pmc, true) after a failed move; the caller
     * calls it once the ptes are back at the old place, see {@link Mremap#copyVmaAndData}).
     * A folio mapped more than once is left alone, as the patch's WARN_ON_ONCE case does: it
     * cannot happen once should_relocate_anon() said yes.
     */
    void relocateAnonFolios(Vma old, long oldAddr, Vma nv, long newAddr, long len, boolean undo) {
        Mm mm = old.mm;
        RmapStats stats = design.stats();
        long end = oldAddr + len;
        for (long addr = oldAddr; addr < end; addr += PageTable.PAGE_SIZE) {
            long slot = mm.pgd() < 0 ? -1 : PageTable.lookup(frames, mm.pgd(), addr);
            if (slot < 0) {
                addr = Math.min(end, (addr | (PageTable.PMD_SIZE - 1)) + 1) - PageTable.PAGE_SIZE;
                continue;
            }
            if (!undo) {
                stats.relocatePtesWalked++;
            }
            long pte = PageTable.get(frames, slot);
            if (pte == 0) {
                continue;
            }
            if (!PageTable.present(pte)) {
                if (!undo) {
                    stats.relocateSwapSkipped++;
                }
                continue;
            }
            int pfn = PageTable.ptePfn(pte);
            if ((pte & PageTable.SPECIAL) != 0 || (frames.flags[pfn] & Frames.PG_ANON) == 0
                    || frames.mapcount[pfn] > 1) {
                continue;
            }
            if (undo) {
                design.pageRelocateAnon(frames, pfn, old, addr);
            } else {
                design.pageRelocateAnon(frames, pfn, nv, newAddr + (addr - oldAddr));
                stats.relocateFoliosRewritten++;
                stats.rmapMoves++;
            }
        }
    }
}
