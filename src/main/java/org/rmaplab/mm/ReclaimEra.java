package org.rmaplab.mm;

/**
 * mm/rmap.c and mm/mlock.c as a design's era had them: what page_referenced() and try_to_unmap()
 * did with each pte they visited, and where mlocked pages lived ({@link DesignTraits#reclaim()}).
 * The walk itself (which vmas or ptes, in which order) is the design's; these are the rules
 * {@link Rmap} applies to each pte the walk hands it, and the design keeps for the LRU.
 *
 * <pre>
 *   era        young pte fails unmap  locked shared vma is a reference  locked pte ends page_referenced  mlocked pages
 *   V2_6_0     no                     no                                no                              on the LRU
 *   OBJRMAP    yes                    yes (page_referenced_file)        no                              on the LRU
 *   TODAY      no                     no                                yes (folio_referenced_one)      off the LRU (unevictable)
 * </pre>
 *
 * <p>Not modelled: the eras between, whose page_referenced_one() treated a VM_LOCKED vma in other
 * ways: 2.6.24 {@code referenced++; *mapcount = 1;} (the pte counted as a reference); 2.6.28
 * {@code *mapcount = 1; goto out_unmap;} (no reference, and the same series dropped
 * page_referenced_file's VM_LOCKED|VM_MAYSHARE break); 2.6.33 to 3.0 tested VM_LOCKED before
 * page_check_address(), so a locked vma ended the walk even where its pte did not map the page
 * ({@code *mapcount = 0; ... goto out;}); 3.1 to 3.14 after it ({@code pte_unmap_unlock; *mapcount
 * = 0; *vm_flags |= VM_LOCKED; goto out;}); 3.15 on {@code return SWAP_FAIL; /* To break the loop
 * *&#47;}, later {@code return false}, which TODAY mirrors. For a small page every form from 3.1 on
 * walks as TODAY does; anon_vma_chain (2.6.34 on) runs TODAY, not 2.6.34's pre-pte form.
 */
public enum ReclaimEra {
    /**
     * 2.6.0's mm/rmap.c (pte_chains): try_to_unmap_one() trylocks the mm's page_table_lock (busy:
     * SWAP_AGAIN), then fails (SWAP_FAIL) only for a missing vma ("During mremap, it's possible
     * pages are not in a VMA") or a VM_LOCKED one — no young-pte test; page_referenced() tests and
     * clears the young bit of every pte of the chain, with no VM_LOCKED test and no early end;
     * mlocked pages stay on the LRU and are walked whenever reclaim meets them.
     */
    V2_6_0(false, false, false, false),
    /**
     * The object-based rmap of 2004, Hugh Dickins' 2.6.6-mm series (anonmm) and 2.6.7 (anon_vma;
     * the code read in 2.6.11's mm/rmap.c, which keeps it): try_to_unmap_one() fails on a
     * VM_LOCKED vma or a young pte ({@code (vma->vm_flags & VM_LOCKED) ||
     * ptep_clear_flush_young(...)}: SWAP_FAIL, "If it's recently referenced ... we should
     * reactivate it"), and try_to_unmap_anon/_file stop at the first SWAP_FAIL or once the page is
     * unmapped; page_referenced_file() counts a vma with both VM_LOCKED and VM_MAYSHARE as one
     * reference and stops there, before looking at its pte, and every page_referenced walk stops
     * when mapcount ptes were found ({@code if (!mapcount) break}); mlocked pages stay on the LRU.
     */
    OBJRMAP(true, true, false, false),
    /**
     * Today's Linux (anon_vma_chain): mlocked folios live on the unevictable list — mlock_folio()
     * / mlock_new_folio() take a folio off the LRU when a VM_LOCKED vma maps it (at fault, at
     * mlock(2)), munlock_folio() puts it back when none does (munlock, unmap) — so reclaim never
     * walks them (the unevictable LRU came in 2.6.28). try_to_unmap_one() aborts the walk on a
     * VM_LOCKED vma ({@code walk_abort}) but has no young-pte test: commit 013339df116c ("mm/rmap:
     * always do TTU_IGNORE_ACCESS", 5.11) removed it, folio_referenced() having aged the folio just
     * before. folio_referenced_one() ends folio_referenced()'s walk at a pte of a VM_LOCKED vma:
     * the pte counted off mapcount, its young bit neither tested nor cleared, VM_LOCKED passed
     * back in pra-&gt;vm_flags ({@code return false; /* To break the loop *&#47;}).
     */
    TODAY(false, false, true, true);

    private final boolean youngFailsUnmap;
    private final boolean lockedSharedVmaReferenced;
    private final boolean mlockedOffLru;
    private final boolean lockedPteEndsReferenced;

    ReclaimEra(boolean youngFailsUnmap, boolean lockedSharedVmaReferenced, boolean mlockedOffLru,
            boolean lockedPteEndsReferenced) {
        this.youngFailsUnmap = youngFailsUnmap;
        this.lockedSharedVmaReferenced = lockedSharedVmaReferenced;
        this.mlockedOffLru = mlockedOffLru;
        this.lockedPteEndsReferenced = lockedPteEndsReferenced;
    }

    /**
     * Does page_referenced()'s walk end at the first pte it finds in a VM_LOCKED vma, counting it
     * off mapcount without testing its young bit (today's folio_referenced_one())?
     */
    public boolean lockedPteEndsReferenced() {
        return lockedPteEndsReferenced;
    }

    /** Does try_to_unmap_one() fail (SWAP_FAIL) on a young pte, clearing the bit? */
    public boolean youngFailsUnmap() {
        return youngFailsUnmap;
    }

    /**
     * Does page_referenced_file() count a vma with VM_LOCKED and VM_MAYSHARE as one reference and
     * end the walk there, before its pte is looked at?
     */
    public boolean lockedSharedVmaReferenced() {
        return lockedSharedVmaReferenced;
    }

    /**
     * Are pages mapped by a VM_LOCKED vma kept off the LRU (PG_mlocked, the unevictable list), so
     * that reclaim never walks them? The design keeps them so ({@code RmapHost.mlockPage} /
     * {@code munlockPage}), and the oracle checks it.
     */
    public boolean mlockedOffLru() {
        return mlockedOffLru;
    }
}
