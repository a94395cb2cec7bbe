package org.rmaplab.mm;

/**
 * A design's capabilities: what the core asks of a design once, never per event, and which never
 * change while it runs (the core reads them when the machine is built, {@link Machine}'s
 * {@code traits}). Each is a fact of the design's era, named where the era's kernel shows it;
 * {@link #TODAY} is today's Linux (anon_vma_chain), and a design states only where it differs:
 *
 * <pre>
 *   design           pgoff  swap-in-index  groups  tells-moves  table-moves  chains-nl  fork-all  unchains-locked  i_mmap         reclaim
 *   anon_vma_chain   yes    no             no      no           yes          no         no        no               interval tree  TODAY
 *   anon_vma         yes    no             no      no           no           no         yes       no               prio_tree      OBJRMAP (2.6.7)
 *   pte_chains       no     yes            no      yes          no           yes        yes       variant          list (*)       V2_6_0
 *   anonmm           no     no             no      yes          no           no         yes       no               list           OBJRMAP (2.6.6-mm)
 *   lokier           yes    no             yes     no           no           no         yes       no               interval tree  OBJRMAP (2.6.5-mm)
 *
 *   (*) the objrmap variants of pte_chains walk 2.6.0-mm's lists ({@link FileRmap.IMmap#OBJRMAP_LIST}).
 * </pre>
 *
 * @param anonMergeNeedsPgoff must two anonymous vmas have contiguous pgoffs to merge? True where
 *     page-&gt;index is a linear pgoff (anon_vma, anon_vma_chain, lokier's offset space); false where
 *     the design never reads an anonymous vma's pgoff (pte_chains, anonmm: 2.6.0's and 2.6.6's
 *     can_vma_merge_after() returned 1 for any anonymous mapping).
 * @param swapEntryInIndex does a swap-cache page keep its swap slot in page-&gt;index, so that
 *     frames need no column of their own for it? True for 2.6.0 (pte_chains), whose
 *     add_to_swap_cache() put the page in swapper_space at index entry.val; false wherever index
 *     is the design's (a linear pgoff, anonmm's address) and the slot is page_private /
 *     folio-&gt;swap, a word of its own.
 * @param groupsVmas does the design hide the boundary between two adjacent private anonymous vmas
 *     that could not merge (anon rule or pgoff) but have equal flags, with the VM_GROUP flag, so they
 *     show as one user-visible vma and mremap treats them as one (lokier: Jamie Lokier's
 *     mremap-groups, docs/reference.md#lokier-offset-space, step 4)?
 * @param tellsMovedPtes must mremap tell the design of every pte it moves
 *     ({@link RmapDesign#ptemoved})? True where a pte's new place must be recorded: pte_chains
 *     (2.6.0's move_one_page → copy_one_pte did page_remove_rmap and page_add_rmap) and anonmm
 *     (page-&gt;index is a user address: "rmap 11 mremap moves"). Such a design cannot have
 *     {@code movesPageTables}: a table moved whole tells nobody of its ptes.
 * @param movesPageTables may mremap's move_page_tables() move a whole page table, re-pointing one
 *     pmd entry (move_normal_pmd: a PTE table) or pud entry (move_normal_pud: a PMD table) when
 *     the extent covers it on both sides, rather than moving pte by pte? Today's Linux on x86_64
 *     (CONFIG_HAVE_MOVE_PMD since 4.20's move_normal_pmd, CONFIG_HAVE_MOVE_PUD since 5.11's
 *     move_normal_pud, both selected by arch/x86/Kconfig) does; the kernels of the 2003-2004
 *     designs did not: 2.6.0's and 2.6.7's move_page_tables() called move_one_page() for every
 *     page of the range (2.6.0 from the end backwards, 2.6.7 forwards since Hugh Dickins'
 *     "mremap move_vma", 30 March 2004), whatever the alignment — anon_vma and lokier too, though
 *     their rmap hears nothing of the move. docs/reference.md#mremap-page-tables.
 * @param chainsNonlinearPtes does the design itself record the ptes that map file pages at
 *     nonlinear addresses ({@code machine remap=nonlinear}), so that try_to_unmap has no cluster
 *     scan of nonlinear vmas (2.6.11's try_to_unmap_cluster, {@code RmapNonlinear}) and the oracle
 *     expects the design's walk alone to find every pte? pte_chains: 2.6.0 chained every pte, file
 *     pages too, and never read i_mmap; its objrmap variants (the -mm tree's hybrid of 2003) find
 *     file pages through i_mmap and chain only what a linear probe cannot find — the whole page,
 *     once remap_file_pages put it at a nonlinear address (page_convert_anon), or just the ptes at
 *     nonlinear addresses (wli's step (c)).
 * @param forkCopiesEveryPte must fork copy the ptes of every vma, not only of those that may hold
 *     anonymous pages? Today's vma_needs_copy() skips a vma without an anon_vma (its pages come
 *     back by fault), since 2.6.14's lazy page-table copies (d992895ba2b2); the kernels of the
 *     2003-2004 designs (2.6.0, 2.6.6-mm, 2.6.7, and lokier's) called copy_page_range() for every
 *     vma, so a shared mapping's pages gained a mapping per child at fork. Not user-visible: only
 *     page tables and rmap work differ.
 * @param unchainsLockedPtes does the design leave the ptes of VM_LOCKED vmas out of its reverse
 *     mapping (wli's step (b), docs/reference.md#wli-three-steps: the pte_chains variant
 *     {@code pte_chains:mlocked_unchained})? Then the oracle expects the reverse walk of every
 *     page to return exactly the ptes that map it from vmas without VM_LOCKED, and a page to be
 *     {@code Frames.PG_MLOCKED} and off the LRU exactly when some pte of a VM_LOCKED vma maps it.
 * @param iMmapKind how the design's era kept a file's i_mmap, which decides what the reverse walk
 *     of a file page visits ({@link FileRmap}): 2.6.6's plain lists walked in full (anonmm;
 *     pte_chains' 2.6.0 too, though its walk follows its chains), 2.6.7's prio_tree (anon_vma) or
 *     today's interval tree, the trees visiting only the vmas that cover the page.
 * @param reclaim whose page_referenced / try_to_unmap rules and mlock policy the design's era ran
 *     ({@link ReclaimEra}): 2.6.0's for pte_chains, the object-based rmap of 2004 for anonmm
 *     (2.6.6-mm), anon_vma (2.6.7) and lokier (proposed in March 2004 against the objrmap of
 *     2.6.5-mm, whose page_referenced_file / try_to_unmap_file its anonymous pages, kept like file
 *     pages, would have gone through), today's unevictable list for anon_vma_chain.
 */
public record DesignTraits(boolean anonMergeNeedsPgoff, boolean swapEntryInIndex, boolean groupsVmas,
        boolean tellsMovedPtes, boolean movesPageTables, boolean chainsNonlinearPtes, boolean forkCopiesEveryPte,
        boolean unchainsLockedPtes, FileRmap.IMmap iMmapKind, ReclaimEra reclaim) {

    public DesignTraits {
        if (tellsMovedPtes && movesPageTables) {
            throw new IllegalArgumentException("a design told of every moved pte cannot have whole page tables moved");
        }
    }

    /** Today's Linux (anon_vma_chain): what {@link RmapDesign#traits()} returns by default. */
    public static final DesignTraits TODAY = new DesignTraits(true, false, false, false, true, false, false, false,
            FileRmap.IMmap.INTERVAL_TREE, ReclaimEra.TODAY);

    /**
     * The 2003-2004 kernels: everything of today's but fork copying every vma's ptes, mremap
     * moving ptes one by one (no whole page tables) and the object-based rmap's reclaim
     * ({@link ReclaimEra#OBJRMAP}).
     */
    public static final DesignTraits ERA_2004 = TODAY.withForkCopiesEveryPte(true).withMovesPageTables(false)
            .withReclaim(ReclaimEra.OBJRMAP);

    public DesignTraits withAnonMergeNeedsPgoff(boolean v) {
        return new DesignTraits(v, swapEntryInIndex, groupsVmas, tellsMovedPtes, movesPageTables,
                chainsNonlinearPtes, forkCopiesEveryPte, unchainsLockedPtes, iMmapKind, reclaim);
    }

    public DesignTraits withSwapEntryInIndex(boolean v) {
        return new DesignTraits(anonMergeNeedsPgoff, v, groupsVmas, tellsMovedPtes, movesPageTables,
                chainsNonlinearPtes, forkCopiesEveryPte, unchainsLockedPtes, iMmapKind, reclaim);
    }

    public DesignTraits withGroupsVmas(boolean v) {
        return new DesignTraits(anonMergeNeedsPgoff, swapEntryInIndex, v, tellsMovedPtes, movesPageTables,
                chainsNonlinearPtes, forkCopiesEveryPte, unchainsLockedPtes, iMmapKind, reclaim);
    }

    public DesignTraits withTellsMovedPtes(boolean v) {
        return new DesignTraits(anonMergeNeedsPgoff, swapEntryInIndex, groupsVmas, v, movesPageTables,
                chainsNonlinearPtes, forkCopiesEveryPte, unchainsLockedPtes, iMmapKind, reclaim);
    }

    public DesignTraits withMovesPageTables(boolean v) {
        return new DesignTraits(anonMergeNeedsPgoff, swapEntryInIndex, groupsVmas, tellsMovedPtes, v,
                chainsNonlinearPtes, forkCopiesEveryPte, unchainsLockedPtes, iMmapKind, reclaim);
    }

    public DesignTraits withChainsNonlinearPtes(boolean v) {
        return new DesignTraits(anonMergeNeedsPgoff, swapEntryInIndex, groupsVmas, tellsMovedPtes, movesPageTables,
                v, forkCopiesEveryPte, unchainsLockedPtes, iMmapKind, reclaim);
    }

    public DesignTraits withForkCopiesEveryPte(boolean v) {
        return new DesignTraits(anonMergeNeedsPgoff, swapEntryInIndex, groupsVmas, tellsMovedPtes, movesPageTables,
                chainsNonlinearPtes, v, unchainsLockedPtes, iMmapKind, reclaim);
    }

    public DesignTraits withUnchainsLockedPtes(boolean v) {
        return new DesignTraits(anonMergeNeedsPgoff, swapEntryInIndex, groupsVmas, tellsMovedPtes, movesPageTables,
                chainsNonlinearPtes, forkCopiesEveryPte, v, iMmapKind, reclaim);
    }

    public DesignTraits withIMmapKind(FileRmap.IMmap v) {
        return new DesignTraits(anonMergeNeedsPgoff, swapEntryInIndex, groupsVmas, tellsMovedPtes, movesPageTables,
                chainsNonlinearPtes, forkCopiesEveryPte, unchainsLockedPtes, v, reclaim);
    }

    public DesignTraits withReclaim(ReclaimEra v) {
        return new DesignTraits(anonMergeNeedsPgoff, swapEntryInIndex, groupsVmas, tellsMovedPtes, movesPageTables,
                chainsNonlinearPtes, forkCopiesEveryPte, unchainsLockedPtes, iMmapKind, v);
    }
}
