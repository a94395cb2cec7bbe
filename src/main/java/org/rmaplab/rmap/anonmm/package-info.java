/**
 * anonmm — Hugh Dickins' anobjrmap for anonymous pages, the "anon memory group" Linus proposed
 * on 13 March 2004 ("Re: anon_vma RFC2", linux-kernel: docs/reference.md#linus-anon-memory-group;
 * the design: docs/reference.md#anonmm), as it was merged into 2.6.6-mm in May 2004 and replaced
 * by Andrea Arcangeli's anon_vma in 2.6.7 ({@link org.rmaplab.rmap.anonmm.AnonMmDesign}, registered
 * as {@code anonmm}).
 *
 * <h2>Sources mirrored</h2>
 * The kernel code is read from Andrew Morton's posting of the 2.6.6-mm series to linux-mm,
 * 22 May 2004: "[patch 11/57] rmap 10 add anonmm rmap" (struct anonmm, init_rmap, exec_rmap,
 * dup_rmap, exit_rmap with the "rmap anonhd locking fix" folded in, free_anonmm,
 * clear_page_anon, page_add_anon_rmap, page_referenced_anon, try_to_unmap_anon) and
 * "[patch 12/57] rmap 11 mremap moves" (mremap_move_anon_rmap, can_move_one_pte,
 * make_page_exclusive, move_page_tables counting "cows", mremap_moved_anon_rmap for do_swap_page
 * and unuse_process), and from the mm/rmap.c of that tree. Hugh's earlier anobjrmap series
 * (anobjrmap 1-6 of March 2003, against 2.5.65; anobjrmap 5 of March 2004) have the same
 * struct anonmm. Every method that models a kernel function names it in its comment.
 *
 * <h2>The design</h2>
 * <ul>
 *   <li><b>struct anonmm</b> ({@code AnonMm}): count, lock, mm, head, list; one per mm, kept in
 *       {@code Mm.rmapPriv} (mm-&gt;anonmm). All the mms forked from one exec share a ring headed
 *       by the anonmm of the mm that exec made.
 *   <li><b>exec / first task</b> ({@code mmInit} = exec_rmap): a new head, count 2 ("ref by mm
 *       and head"), so the new mm is in a new group; the old mm's anonmm stays in the old group.
 *   <li><b>fork</b> ({@code mmFork} = dup_rmap): the child's anonmm (count 1) goes at the tail of
 *       the head's list; the head takes a count for it. copy_one_pte is page_dup_rmap: mapcount
 *       only, which the core keeps.
 *   <li><b>exit</b> ({@code mmExit} = exit_rmap, after exit_mmap zapped every pte):
 *       anonmm-&gt;mm = NULL and the mm's count dropped; an anonmm that no page names is unlinked
 *       and freed at once, else it lives on until its last page goes. The head is freed when only
 *       its own count is left (last mm of the group gone).
 *   <li><b>new anonymous page</b> ({@code pageAddNewAnon} = page_add_anon_rmap on a page with
 *       no mapping): page-&gt;mapping = the faulting mm's anonmm, which takes a count;
 *       page-&gt;index = the user address. The core's {@code Frames.PG_ANON} is PG_anon.
 *   <li><b>last pte gone</b> ({@code pageRemoveRmap} at mapcount 0 = clear_page_anon):
 *       page-&gt;mapping cleared, the anonmm's count dropped, the anonmm freed (free_anonmm) if
 *       that was its last.
 *   <li><b>COW</b>: a reuse (do_wp_page, can_share_swap_page) changes nothing: the page keeps the
 *       anonmm of whoever faulted it, which is in the writer's group and may be extinct; the walk
 *       still finds it at page-&gt;index. A copy gets a new page via page_add_anon_rmap: mapping =
 *       the writer's mm's anonmm, index = the address.
 *   <li><b>mremap</b> ("rmap 11"): {@code tellsMovedPtes} is true (move_one_page moved pte by
 *       pte in 2.6.6). For each anonymous page {@code mremapMustCow} says whether
 *       mremap_move_anon_rmap refuses it (mapcount != 1); the core then breaks COW at the old
 *       address first (make_page_exclusive, counted in {@code RmapStats.mremapCows}) and moves the
 *       new exclusive page, and {@code ptemoved} rewrites page-&gt;index to the new address.
 *   <li><b>The walk</b> ({@code rmapWalk}): under the head's lock, the indicated mm (that of
 *       page-&gt;mapping) first with one page-table lookup at page-&gt;index
 *       ({@code RmapHost.pageMappedInMm}; the vma is looked up only to hand to the visitor), then
 *       every other anonmm round the list from it, skipping extinct mms and mms with rss 0,
 *       stopping when mapcount ptes were found. Cost: O(mms in the fork group) per page.
 *       File pages (shmem) go through {@code FileRmap}, the i_mmap walk, as 2.6.6-mm walked them
 *       ({@code traits().iMmapKind()} = {@code LIST}): i_mmap and i_mmap_shared were plain lists (the
 *       prio_tree came with 2.6.7), and page_referenced_file / try_to_unmap_file ran
 *       {@code list_for_each_entry} over i_mmap then i_mmap_shared, checking each vma with
 *       vma_address() and the mm's rss, until mapcount ptes were found. Every vma the loop reaches
 *       counts as visited, covering or not: O(vmas mapping the file) per page, the linear-list worst
 *       case of Morton's rmap-test (docs/reference.md#fig-rmap-test). fork's copy of a file vma goes
 *       just after its parent's on the list (dup_mmap: "insert tmp into the share list, just after
 *       mpnt").
 *   <li><b>page_referenced_anon</b> ({@code pageReferencedAnon}, the core's page_referenced walk
 *       of an anonymous page through {@code pageReferencedWalk}): the same walk, testing each pte
 *       as it goes, plus the migration of a page whose anonmm's mm is extinct to the anonmm of the
 *       first mm found mapping it (so the extinct anonmm can be freed), when every pte was found —
 *       in the same pass, one walk, as Hugh's page_referenced_anon did.
 * </ul>
 *
 * <h2>The invariant</h2>
 * Every pte that maps an anonymous page maps it at page-&gt;index, in an mm of the group of
 * page-&gt;mapping. The oracle proves it after every operation: its brute-force scan must equal the
 * walk, which looks nowhere else. The core paths that could break it and why they do not:
 * fork copies ptes at the same address into a member of the same group; exec makes an empty mm in
 * a new group; exit only removes ptes; a COW copy is a new page at its own address; mremap moves
 * only pages mapped once (the rest are COWed first), and rewrites their index, for every move
 * path: MREMAP_FIXED, MAYMOVE, DONTUNMAP, 6.17's multi-vma moves and the put-back after a failed
 * move all go through move_ptes one pte at a time (no whole PTE-table moves for this design); a
 * page mapped once whose anonmm is another (even extinct) mm's is still in the mover's group, so
 * it is found at its new index; a later fork of a moved vma copies the ptes at the new address.
 * Populate and mlock are faults.
 *
 * <h2>Choices and simplifications</h2>
 * <ul>
 *   <li><b>page-&gt;index is the page-aligned user address</b> ({@code address & PAGE_MASK}),
 *       as Hugh's code stores it, not the address &gt;&gt; PAGE_SHIFT Linus wrote in his mail
 *       (docs/reference.md#linus-anon-memory-group).
 *   <li><b>Where the page's anonmm count is dropped</b>: at mapcount 0, in page_remove_rmap's
 *       clear_page_anon, as the source does, not when the frame is freed. The two coincide today
 *       (an anonymous page's refcount equals its mapcount until swap exists); {@code pageFreed}
 *       drops a count left by any other path. Keeping the kernel's place matters for the
 *       head-freeing rule: only exit_rmap frees a head, which is right only if no page outlives
 *       the last pte of its group.
 *   <li><b>vma-&gt;anon_vma</b>: anonmm has none. {@code Vma.anonVma} is set to the mm's anonmm
 *       when a vma first gets an anonymous page and follows it through fork, split, copy and
 *       merge, only because the core reads it as "this vma has faulted" (fork's
 *       vma_needs_copy, mprotect's VM_ACCOUNT rule, MREMAP_DONTUNMAP), today's Linux semantics
 *       the model keeps for every design — except fork: 2.6.6's dup_mmap copied every vma's page
 *       tables (lazy page-table copies came in 2.6.14), and so does anonmm here
 *       ({@code forkCopiesEveryPte}): a shared or file mapping's pages gain a mapping per child at
 *       fork (page_dup_rmap), and the child inherits zero-page ptes. Not visible to programs.
 *   <li><b>Merging</b>: 2.6.6's vma_merge had no anon rule, and can_vma_merge_after returned 1
 *       for any anonymous mapping, so {@code isMergeableAnonVma} and {@code anonVmasCompatible}
 *       are always true and {@code anonMergeNeedsPgoff} is false. Ten corpus scenarios therefore
 *       merge where Linux 6.x does not (moved vmas merging back, DONTUNMAP destinations merging
 *       with their source, fork children merging); each is scoped {@code expect:anonmm} with a
 *       comment.
 *   <li><b>The walk does not re-home.</b> {@code rmapWalk} is what the oracle and
 *       try_to_unmap_anon use, and changes nothing itself; only page_referenced_anon migrated
 *       pages in 2.6.6, so only {@code pageReferencedAnon} does. When try_to_unmap_one (the
 *       visitor) unmaps the page's last pte inside the walk, clear_page_anon waits until the walk
 *       has dropped the head's lock, as 2.6.6-mm's try_to_unmap() cleared it after
 *       try_to_unmap_anon returned (its try_to_unmap_one only counted mapcount down).
 *   <li><b>Reclaim rules</b>: the object-based rmap's ({@code ReclaimEra.OBJRMAP}): try_to_unmap_one
 *       fails on VM_LOCKED or a young pte and the walk stops there; page_referenced_file counts a
 *       locked shared vma as a reference and stops.
 *   <li><b>Counters</b>: {@code RmapStats.walkVmasVisited} counts mms looked at (anonmm walks
 *       mms, not vmas), and so does {@code walkMmsVisited} (anonmm is the design with
 *       {@code countsMms}: compare's walk_mms_ columns); {@code walkPtesChecked} the page-table lookups
 *       ({@code RmapHost.pageMappedInMm}); object kind {@code "anonmm"} alive and peak.
 *       rmapAdds / rmapDups / rmapRemoves count pte operations only, as under every design (the
 *       core counts them); exec_rmap, dup_rmap and exit_rmap are {@code rmapMmOps}, and the
 *       index rewrites of mremap and UFFDIO_MOVE {@code rmapMoves} (the core's count).
 *   <li><b>Locks</b>: the model has one thread. The head's spinlock is a held flag asserting
 *       that walks and list changes take it and never nest it; try-locks cannot fail, so the
 *       kernel's {@code WARN_ON(!failed)} case (not all ptes found) is an oracle failure here.
 *   <li><b>rss</b>: the walk skips an mm whose {@code Mm.rss()} (anonymous + shmem pages) is 0,
 *       as the kernel skipped mm-&gt;rss == 0. A forked child starts at rss 0 (dup_rmap reset it).
 *   <li><b>Allocation</b>: one AnonMm per exec and per fork, as the kernel's slab; linking,
 *       walking and page add/remove allocate nothing.
 * </ul>
 *
 * <h2>Left for later issues</h2>
 * <ul>
 *   <li>TODO(reclaim): swap. A page on swap when mremap moves its pte is not COWed at the move;
 *       it is copied when brought back in: do_swap_page (and swapoff's unuse_process) call
 *       page_add_anon_rmap, then do_wp_page when mremap_moved_anon_rmap(page, address) says
 *       page-&gt;index != address (rmap 11). The same do_swap_page also does a write fault's COW
 *       at once for a page not exclusive. Swap-in must also give a page with no mapping the
 *       faulting mm's anonmm (page_add_anon_rmap with mapcount 0), and try_to_unmap_anon's
 *       VM_LOCKED check needs the vma (find_vma on the mm) only for a found pte.
 *   <li>Nonlinear file vmas and file pages are not anonmm's business (i_mmap walk).
 * </ul>
 */
package org.rmaplab.rmap.anonmm;
