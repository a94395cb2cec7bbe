package org.rmaplab.mm;


/**
 * A reverse-mapping design: everything the VM core lets a design decide or record.
 *
 * <p>The core ({@code org.rmaplab.mm}) knows no design. It keeps the page tables, the frames'
 * refcount and mapcount, and tells the design of every moment the kernel's rmap code hears about
 * (docs/reference.md#hooks): a fresh mm, fork of an mm and of a
 * vma, the first anonymous fault in a vma, every pte that starts or stops mapping a page, COW,
 * vma split / merge / expand / move / unlink, and the death of an mm. The design interprets the
 * two struct page fields given to it ({@code Frames.mapping}, {@code Frames.index}) and whatever
 * per-vma ({@code Vma.anonVma}, {@code Vma.rmapPriv}) and per-mm ({@code Mm.rmapPriv}) state it
 * keeps, and answers the reverse walk.
 *
 * <p>How the five designs of the debate sit on this interface:
 * <ul>
 *   <li>pte_chains (2.6.0): {@link #pageAddRmap}, {@link #pageDupRmap} and {@link #pageRemoveRmap}
 *       carry the pte's slot, so every pte is recorded; {@link DesignTraits#tellsMovedPtes} is true, and
 *       {@link #ptemoved} rewrites the chain entry. File pages are chained too ({@link DesignTraits#chainsNonlinearPtes}).
 *   <li>anonmm: {@link #mmInit}/{@link #mmFork}/{@link #mmExit} keep the anonmm group; {@link
 *       #mremapMustCow} makes the core break COW early on a page that mapcount &gt; 1 before moving
 *       it (Linus's rule), and {@link #ptemoved} rewrites page-&gt;index.
 *   <li>anon_vma (2.6.7) and anon_vma_chain (today): {@link #anonVmaPrepare}, {@link #vmaFork},
 *       {@link #vmaSplit}, {@link #vmaCopy}, {@link #vmaMerged}, {@link #vmaUnlinked}, and the anon
 *       part of the merge rule, {@link #isMergeableAnonVma}.
 *   <li>lokier: offsets of a new anonymous range chosen by {@link #anonPgoff} (mmap, brk,
 *       copy_vma), every anonymous vma indexed from {@link #vmaLinked}; growth asks
 *       {@link #canExpandAnon} / {@link #canGrowMovedAnon}: when the vma cannot grow in its offset
 *       space the core makes a new vma for the grown part, and {@link DesignTraits#groupsVmas} has the core
 *       join refused merges with VM_GROUP into one user-visible vma.
 * </ul>
 *
 * <p>Default methods give today's Linux behaviour (or none), so a design overrides only what it
 * does differently. The core counts the rmap operations ({@link RmapStats#rmapAdds}, dups,
 * removes) at every call of the page hooks; a design counts only what it does besides.
 *
 * <p>Errors: methods returning int return 0 or {@code -ENOMEM} (an allocation failed), which the
 * core turns into the system call's error where Linux does.
 */
public interface RmapDesign {

    /** The design's name as scenarios and the CLI spell it ({@code anon_vma_chain}, ...). */
    String name();

    /** Called once when the machine boots, before any task exists. */
    void attach(RmapHost host);

    /**
     * The design's capabilities, asked once when the machine is built (before {@link #attach}):
     * today's Linux unless the design's era differs ({@link DesignTraits} lists them per design).
     */
    default DesignTraits traits() {
        return DesignTraits.TODAY;
    }

    // ------------------------------------------------------------------ mm lifecycle

    /** A fresh mm for exec or the first task (anonmm: exec_rmap, a new group head). */
    default void mmInit(Mm mm) {
    }

    /** fork: the child's mm, before any vma is copied (anonmm: dup_rmap joins the group). */
    default void mmFork(Mm parent, Mm child) {
    }

    /** The mm's last vma is gone and its page tables freed (anonmm: exit_rmap, anonmm-&gt;mm = NULL). */
    default void mmExit(Mm mm) {
    }

    // ------------------------------------------------------------------ vma lifecycle

    /**
     * Before the first anonymous page is added to {@code vma} (anon_vma_prepare); the core calls it
     * on every anonymous fault and the design returns at once when it is already prepared.
     * @return 0 or -ENOMEM
     */
    int anonVmaPrepare(Vma vma);

    /** fork: {@code dst} is the child's copy of {@code src} (anon_vma_fork / anon_vma_link). */
    int vmaFork(Vma src, Vma dst);

    /**
     * __split_vma: {@code piece} is the new vma cut off {@code orig} (both now have their final
     * ranges and pgoffs); it must share {@code orig}'s anon state (anon_vma_clone).
     */
    int vmaSplit(Vma orig, Vma piece);

    /**
     * __split_vma called by munmap (do_vmi_align_munmap): as {@link #vmaSplit}, but {@code orig}
     * is the part about to be unmapped and {@code piece} the part that stays mapped. 2.6's
     * do_munmap split the other way round (split_vma(mpnt, start, 0) and split_vma(last, end, 1):
     * "lower split_vma places tmp vma above, and higher split_vma places tmp vma below", so the new
     * vma was the unmapped part), which a design whose lists record link order needs to know.
     * Default: {@link #vmaSplit}.
     * @return 0 or -ENOMEM
     */
    default int vmaSplitForUnmap(Vma orig, Vma piece) {
        return vmaSplit(orig, piece);
    }

    /**
     * mremap's copy_vma: {@code dst} is a new vma for the moved range of {@code src} (anon_vma_clone),
     * or {@code dst} is an existing vma that was expanded to take the range.
     */
    int vmaCopy(Vma src, Vma dst);

    /**
     * The anon part of the merge rule (mm/vma.c is_mergeable_anon_vma): may {@code tgt} (an existing
     * neighbour) absorb a range whose anon state is {@code srcAnon}, coming from vma {@code src}
     * (null when the range is new)?
     */
    boolean isMergeableAnonVma(Vma tgt, Object srcAnon, Vma src);

    /**
     * {@link #isMergeableAnonVma(Vma, Object, Vma)} for a range mremap is copying from vma
     * {@code copiedFrom} (copy_vma → vma_merge_copied_range(), which sets vmg-&gt;copied_from; null
     * for every other merge). Only today's rule looks at it (anon_vma_chain: 6.18.y's
     * is_mergeable_anon_vma refuses to dup the anon state of a forked vma); by default the
     * design's own rule, which never knew of it.
     */
    default boolean isMergeableAnonVma(Vma tgt, Object srcAnon, Vma src, Vma copiedFrom) {
        return isMergeableAnonVma(tgt, srcAnon, src);
    }

    /**
     * May two existing vmas {@code prev} and {@code next} both be merged into one (three-way merge)?
     * (mm/vma.c can_vma_merge_right: {@code !prev->anon_vma || !next->anon_vma || equal}).
     */
    boolean anonVmasCompatible(Vma prev, Vma next);

    /**
     * {@code survivor} has grown to cover the range of {@code removed}, which is about to be freed
     * (dup_anon_vma when survivor had none, then unlink_anon_vmas of removed). Pages of removed
     * are now found through survivor.
     */
    int vmaMerged(Vma survivor, Vma removed);

    /**
     * A vma's range or pgoff changed without a split or merge (vma_expand, vma_shrink, brk,
     * mremap growth in place); designs with interval trees re-index it.
     */
    void vmaAdjusted(Vma vma, long oldStart, long oldEnd, long oldPgoff);

    /** {@link #anonPgoff} is asked for a new mapping (mmap's __mmap_region). */
    int ANON_MMAP = 0;
    /** {@link #anonPgoff} is asked for brk's new range (do_brk_flags). */
    int ANON_BRK = 1;
    /** {@link #anonPgoff} is asked for mremap's copy of a vma with no anon state (copy_vma). */
    int ANON_COPY = 2;
    /**
     * {@link #anonPgoff} is asked for the grown part of a vma that could not grow in its offset
     * space ({@link #canExpandAnon} said no): a new vma of the same user-visible vma (lokier).
     */
    int ANON_GROW = 3;
    /**
     * {@link #anonPgoff} is asked for the grown part of a stack that could not grow down in its
     * offset space ({@link #canExpandAnonDown} said no): a new vma below the stack, of the same
     * user-visible vma (lokier).
     */
    int ANON_GROW_DOWN = 4;

    /**
     * The pgoff of a new private anonymous range [start, end) with {@code vmFlags} about to be
     * mapped in {@code mm} ({@code why}: one of {@link #ANON_MMAP}, {@link #ANON_BRK},
     * {@link #ANON_COPY}, {@link #ANON_GROW}, {@link #ANON_GROW_DOWN}). {@code regionStart} is where the user-visible vma
     * that the range grows begins (start itself for a new mapping). The core asks before it tries
     * to merge the range with a neighbour, so a design that allocates offsets (lokier) decides
     * which merges can happen. Default: Linux's {@code addr >> PAGE_SHIFT} ("set pgoff according
     * to addr for anon_vma").
     */
    default long anonPgoff(Mm mm, long start, long end, long vmFlags, int why, long regionStart) {
        return start >>> Machine.PAGE_SHIFT;
    }

    /**
     * Growth in place of an anonymous vma by {@code delta} bytes: may it keep one offset range?
     * Only lokier says no (its offset space is full); the core then makes a new vma for the grown
     * part. Every other design returns true.
     */
    default boolean canExpandAnon(Vma vma, long delta) {
        return true;
    }

    /**
     * expand_downwards(): the VM_GROWSDOWN {@code vma} grows down by {@code grow} pages, its
     * vm_pgoff moving down with vm_start (the core has checked Linux's own rule, grow &le;
     * vm_pgoff): may it keep one offset range, taking the offsets below its own? Only lokier may
     * say no (the offsets are not its to take); the core then makes a new vma for the grown part
     * ({@link #ANON_GROW_DOWN}), grouped with the stack. Default: yes.
     */
    default boolean canExpandAnonDown(Vma vma, long grow) {
        return true;
    }

    /**
     * mremap moves [addr, addr+len) of {@code vma} and grows it by {@code delta} bytes at the new
     * place (copy_vma sizes the new vma for new_len): may the moved vma take the offsets that follow
     * the moved part? Only lokier may say no (they are not its to take); the core then makes a new
     * vma for the grown part, as for {@link #canExpandAnon}. Default: yes.
     */
    default boolean canGrowMovedAnon(Vma vma, long addr, long len, long delta) {
        return true;
    }

    /** The vma is unmapped and about to be freed (unlink_anon_vmas / anon_vma_unlink). */
    void vmaUnlinked(Vma vma);

    /**
     * vma_link(): {@code vma} has just been inserted into its mm — a new mapping, a split piece,
     * fork's copy or mremap's copy — with its final range and pgoff. A design that indexes every
     * anonymous vma by offset, as a file's i_mmap indexes file vmas (lokier), inserts it here.
     * Default: nothing (anon_vma designs link at the first fault or in vmaSplit/vmaFork/vmaCopy).
     */
    default void vmaLinked(Vma vma) {
    }

    /**
     * MREMAP_DONTUNMAP moved every page out of {@code vma}, which stays mapped: its anon state goes
     * (unlink_anon_vmas), so it is like a never-faulted vma again. Default: {@link #vmaUnlinked},
     * then no anon state.
     */
    default void vmaAnonReset(Vma vma) {
        vmaUnlinked(vma);
        vma.anonVma = null;
        vma.rmapPriv = null;
    }

    // ------------------------------------------------------------------ pages and ptes

    /**
     * A new anonymous page is mapped for the first time (folio_add_new_anon_rmap,
     * page_add_anon_rmap). The core has set mapcount to 1.
     */
    void pageAddNewAnon(int pfn, Vma vma, long address, long ptep);

    /** A file (page-cache) page gains a pte (page_add_file_rmap). mapcount already incremented. */
    default void pageAddFileRmap(int pfn, Vma vma, long address, long ptep) {
    }

    /**
     * fork copied a pte that maps an anonymous page into the child (page_dup_rmap /
     * copy_one_pte). mapcount already incremented.
     */
    default void pageDupRmap(int pfn, Vma dstVma, long address, long dstPtep) {
    }

    /** A pte stops mapping the page (page_remove_rmap). mapcount already decremented. */
    default void pageRemoveRmap(int pfn, Vma vma, long address, long ptep) {
    }

    /**
     * A write fault reuses an anonymous page of which the writer is the only mapper
     * (wp_can_reuse_anon_folio → folio_move_anon_rmap).
     */
    void pageReuseAnon(int pfn, Vma vma, long address);

    /** The page's last reference is gone; it returns to the free pool. */
    default void pageFreed(int pfn) {
    }

    // ------------------------------------------------------------------ reclaim and swap

    /**
     * do_swap_page() maps an anonymous page that rmap already knows (it sat in the swap cache with
     * its mapping and index, or other ptes still map it): page_add_anon_rmap /
     * folio_add_anon_rmap_ptes. mapcount already incremented. By default the same as a pte
     * copied at fork.
     */
    default void pageAddAnonRmap(int pfn, Vma vma, long address, long ptep) {
        pageDupRmap(pfn, vma, address, ptep);
    }

    /**
     * do_swap_page() maps a page just read back from swap that rmap does not know yet
     * (folio_add_new_anon_rmap; today's Linux uses the root anon_vma unless the page is
     * {@code exclusive}). mapcount already set to 1. By default a new anonymous page.
     */
    default void pageAddSwapinAnon(int pfn, Vma vma, long address, long ptep, boolean exclusive) {
        pageAddNewAnon(pfn, vma, address, ptep);
    }

    /**
     * Must do_swap_page() give this address a private copy instead of mapping the swap-cache
     * page? (anonmm: the page was moved by mremap while on swap, page->index != address.)
     */
    default boolean swapinMustCopy(int pfn, Vma vma, long address) {
        return false;
    }

    /**
     * page_referenced()'s walk: {@code ctl} tests and clears each young pte and says when to stop.
     * By default the design's {@link #rmapWalk}; anonmm's page_referenced_anon re-homes a page
     * whose mm has exited in the same pass.
     */
    default void pageReferencedWalk(int pfn, RmapWalkControl ctl) {
        rmapWalk(pfn, ctl);
    }

    /**
     * Called at the end of page_referenced(), after the walk: pte_chains turns a one-entry chain
     * back into a direct pointer here.
     */
    default void afterPageReferenced(int pfn) {
    }

    /**
     * mremap is about to move a pte mapping an anonymous page: must the page first be made
     * exclusive by an early COW? (anonmm, Linus's rule: mapcount &gt; 1.)
     */
    default boolean mremapMustCow(int pfn) {
        return false;
    }

    /**
     * mremap moved the pte of {@code pfn} from {@code oldAddress} in {@code oldVma} to
     * {@code newAddress} in {@code newVma} (2.6's move_one_page). Only called when {@link DesignTraits#tellsMovedPtes}.
     */
    default void ptemoved(int pfn, Vma oldVma, long oldAddress, long oldPtep, Vma newVma, long newAddress, long newPtep) {
    }

    /**
     * UFFDIO_MOVE / remap_anon_pages moved the exclusive anonymous page {@code pfn} from
     * {@code srcAddr} in srcVma to {@code dstAddr} in dstVma of the same mm (move_present_pte; the
     * source pte is already clear, the destination pte is set after this returns). For a page
     * that sits in the swap cache behind a moved swap entry, both pteps are -1 (move_swap_pte).
     * Returns 0, or -EBUSY to refuse: the core then puts the source pte back.
     *
     * <p>Default, today's Linux: folio_move_anon_rmap() — {@code mapping = dstVma->anon_vma} —
     * and {@code index = linear_page_index(dstVma, dstAddr)}.
     */
    default int pageMoveAnon(Frames frames, int pfn, Vma srcVma, long srcAddr, long srcPtep,
            Vma dstVma, long dstAddr, long dstPtep) {
        frames.mapping[pfn] = dstVma.anonVma;
        frames.index[pfn] = dstVma.linearPageIndex(dstAddr);
        return 0;
    }

    // ------------------------------------------------------------------ MREMAP_RELOCATE_ANON

    /**
     * Does the design honour mremap's MREMAP_RELOCATE_ANON and MREMAP_MUST_RELOCATE_ANON (Lorenzo
     * Stoakes' series of 2025, never merged: PATCH 01/11 and 02/11 of 9 June 2025, Message-ID
     * cover.1749473726.git.lorenzo.stoakes@oracle.com)? Asked once, when the machine is built.
     * Default no: Linux 6.18's check_mremap_params() refuses both flags with EINVAL
     * ({@code flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)}).
     */
    default boolean relocatesAnon() {
        return false;
    }

    /**
     * vma_maybe_has_shared_anon_folios() (mm/vma.c of PATCH 01/11): may a folio of {@code vma}
     * be mapped by another process — it was forked from a parent (more than one
     * anon_vma_chain: vma_had_uncowed_parents()) or its anon_vma has children beyond the
     * root's self-parent link? Only asked when {@link #relocatesAnon}.
     */
    default boolean vmaMaybeHasSharedAnonFolios(Vma vma) {
        return true;
    }

    /**
     * relocate_anon_pte() (mm/mremap.c of PATCH 01/11): the exclusive anonymous page {@code pfn},
     * still mapped at its old address, now belongs to {@code newVma} at {@code newAddr}:
     * folio_move_anon_rmap(folio, new) and {@code folio->index = linear_page_index(new,
     * new_addr)}. Only called when {@link #relocatesAnon} or {@link #adjustsFaultedPgoff}
     * (Matěna's update_pgoff_page() and reconnect_page() do the same: page_move_anon_rmap() and,
     * for a moved page, {@code page->index = new_addr >> PAGE_SHIFT}, the linear index since
     * the new vma's pgoff is its address's). Default: that.
     */
    default void pageRelocateAnon(Frames frames, int pfn, Vma newVma, long newAddr) {
        frames.mapping[pfn] = newVma.anonVma;
        frames.index[pfn] = newVma.linearPageIndex(newAddr);
    }

    // ------------------------------------------------------------------ Matena's series (2022)

    /**
     * Does the design carry Jakub Matěna's series "mm: adjust page offset in mremap" and "mm:
     * enable merging of VMAs with different anon_vmas" (RFC v3, 16 May 2022, on v5.18-rc2,
     * Message-ID 20220516125405.1675-1-matenajakub@gmail.com; never merged)? Asked once, when
     * the machine is built. Then copy_vma() gives a faulted vma whose pages are not shared the
     * pgoff of its new address (can_update_faulted_pgoff()), move_ptes() re-homes each moved page
     * (update_pgoff_page()), and a merge that absorbs a vma with another anon_vma re-homes its
     * pages (reconnect_pages_range()) — the core does the walks, the design answers
     * {@link #anonVmaUnshared} and re-homes a page with {@link #pageRelocateAnon}. Default no.
     */
    default boolean adjustsFaultedPgoff() {
        return false;
    }

    /**
     * Matěna's test that an anon_vma is not shared with another process: it is its own root
     * ({@code anon_vma->root == anon_vma}) and rbt_no_children() (mm/rmap.c of his PATCH 4/6,
     * RFC v3): every anon_vma_chain in its interval tree belongs to a vma whose anon_vma is this
     * one. Asked by the core for copy_vma()'s can_update_faulted_pgoff() under
     * {@link #adjustsFaultedPgoff}, and for the reason of a refused merge when
     * {@link #countsMergeFailures}. Default false (a design without anon_vmas has no such test).
     */
    default boolean anonVmaUnshared(Object anonVma) {
        return false;
    }

    /**
     * Does the core count, for this design, the merges an anonymous vma could have made with a
     * neighbour (adjacent, same flags) but did not, by reason (pgoff, different anon_vma, shared
     * anon_vma: the breakdown Matěna measured for his cover letter of 11 March 2022), and the
     * merges made by Matěna's rules? Default no; the anon_vma_chain family says yes.
     */
    default boolean countsMergeFailures() {
        return false;
    }

    /**
     * mlock_fixup() changed VM_LOCKED on [start, end) of {@code vma} (the flag is already the new
     * one; vma may reach beyond the range after a merge). Called by mlock and munlock before mlock
     * populates, and when mremap's MREMAP_DONTUNMAP takes VM_LOCKED off the old vma. Today's
     * kernel walks the range here (mlock_vma_pages_range) to set or clear PG_mlocked; only
     * pte_chains with wli's step (b) listens ({@link DesignTraits#unchainsLockedPtes}). Default: nothing.
     */
    default void vmaLockChanged(Vma vma, long start, long end) {
    }

    // ------------------------------------------------------------------ the walk

    /**
     * The reverse walk (rmap_walk): call {@code ctl.visit} for every pte mapping {@code pfn},
     * checking candidate ptes with {@code RmapHost.pageMappedAt}, and stop when {@code ctl.visit}
     * returns true or {@code ctl.done()}. The visitor may unmap the pte it is handed
     * (try_to_unmap_one inside the walk, as the kernel does): the core then calls
     * {@link #pageRemoveRmap} for that pte before {@code visit} returns, so the walk must stay
     * sound while the page loses ptes.
     */
    void rmapWalk(int pfn, RmapWalkControl ctl);

    /** The design's counters (walks, objects alive, ...), for reports and tests. */
    RmapStats stats();
}
