/**
 * anon_vma — Andrea Arcangeli's object-based reverse mapping for anonymous memory, as merged in
 * Linux 2.6.7 (June 2004; docs/reference.md#anon_vma, the answer to Andrea's vm_pgoff argument:
 * Andrea Arcangeli, 12 March 2004, "Re: anon_vma RFC2", docs/reference.md#arcangeli-vm-pgoff).
 * Registered as {@code anon_vma}.
 *
 * <h2>The design</h2>
 * <ul>
 *   <li>{@code struct anon_vma { spinlock_t lock; struct list_head head; }} ({@link
 *       org.rmaplab.rmap.anonvma.AnonVma}; 12 B on i386, 24 B on x86_64). Each vma gains
 *       {@code anon_vma} ({@code Vma.anonVma}) and {@code anon_vma_node}
 *       ({@link org.rmaplab.rmap.anonvma.AnonVmaNode}, kept in {@code Vma.rmapPriv}).
 *   <li>Per page: {@code page->mapping} = the anon_vma, {@code page->index} = the linear pgoff
 *       ({@code Frames.mapping}, {@code Frames.index}). An anonymous vma's {@code vm_pgoff}
 *       starts as {@code vm_start >> PAGE_SHIFT} (the core does this) and is kept by mremap, so a
 *       moved page is found at {@code vm_start + ((index - vm_pgoff) << PAGE_SHIFT)} with no
 *       per-page work — the point of Andrea's vm_pgoff argument (docs/reference.md#arcangeli-vm-pgoff).
 *   <li>A fork family shares one anon_vma: the child vma joins the parent's list; COWed pages in
 *       a child still point to it. No chains, no per-child anon_vma.
 *   <li>Walk: every vma on the list, in list order, until mapcount ptes were found. With N forked
 *       children that each COWed a page, a child's page is found only at that child's vma, so the
 *       walk is O(N) over vmas that mostly do not map it — the weakness that led to
 *       anon_vma_chain (commit 5beb49305251).
 * </ul>
 *
 * <h2>Kernel functions mirrored (2.6.7 unless said)</h2>
 * mm/rmap.c: anon_vma_prepare, __anon_vma_merge, __anon_vma_link, anon_vma_link,
 * anon_vma_unlink, anon_vma_alloc/free, page_add_anon_rmap, page_add_file_rmap, page_dup_rmap,
 * page_remove_rmap (clear_page_anon), vma_address, page_referenced_anon / try_to_unmap_anon
 * with page_referenced_one / try_to_unmap_one (the walk). mm/mmap.c: find_mergeable_anon_vma,
 * is_mergeable_vma, is_mergeable_anon_vma, can_vma_merge_before/after, vma_adjust (remove_next,
 * insert), split_vma, do_munmap's splits, copy_vma (through vma_link). kernel/fork.c:
 * dup_mmap's anon_vma_link. mm/memory.c: do_wp_page's reuse. File pages are walked through
 * i_mmap ({@code FileRmap}, {@code traits().iMmapKind()} = {@code PRIO_TREE}: 2.6.7 merged Rajesh
 * Venkatasubramanian's prio_tree with anon_vma, so a file page's walk visits only the vmas whose
 * pgoff range covers it, as vma_prio_tree_foreach did in page_referenced_file / try_to_unmap_file).
 *
 * <h2>List order</h2>
 * The walk stops early, so its cost depends on where a vma sits; every link is placed as 2.6.7
 * placed it. 2.6.7 (and 2.6.11) used {@code list_add()}, at the head, in anon_vma_prepare,
 * anon_vma_link and __anon_vma_link; later kernels switched to list_add_tail. Therefore:
 * <ul>
 *   <li>first fault: the vma goes to the head (of a new anon_vma, or a neighbour's);
 *   <li>fork: each child vma goes to the head, so the list reads [youngest child, ..., oldest
 *       child, parent] (grandchildren likewise at the head when made);
 *   <li>split (mprotect, mlock, madvise): the new vma goes to the head, the original keeps its
 *       place. 2.6.7's mprotect_fixup split the same way round as the core
 *       (split_vma(vma, start, 1), split_vma(vma, end, 0));
 *   <li>munmap: 2.6.7's do_munmap split the other way round — split_vma(mpnt, start, 0) and
 *       split_vma(last, end, 1) make the part to be unmapped the new vma — so the part that stays
 *       keeps the original's place. The core's munmap splits keep the unmapped part in the
 *       original object, and tell the design through {@code RmapDesign.vmaSplitForUnmap} (a
 *       default method added for this design): the staying piece takes the original's place and
 *       the original goes to the head, to leave a moment later. A hole punched in a vma thus
 *       leaves the upper remainder at the head and the lower one in place, as in 2.6.7;
 *   <li>merge: vma_adjust() of 2.6.7 always keeps the lower vma and frees the higher one
 *       ({@code next}); __anon_vma_merge() list_del's next, and when the lower vma had no anon_vma
 *       it takes next's anon_vma and next's place. The core sometimes keeps the higher vma (it
 *       expands next over an mprotected middle); the design then moves the survivor to the place
 *       2.6.7's lower vma would have kept;
 *   <li>mremap: copy_vma's new vma is linked by vma_link → __anon_vma_link, at the head.
 * </ul>
 *
 * <h2>Choices and simplifications</h2>
 * <ul>
 *   <li><b>fork copies every vma's ptes</b> ({@code forkCopiesEveryPte}): 2.6.7's dup_mmap called
 *       copy_page_range for every vma (lazy page-table copies came in 2.6.14), so a shared or file
 *       mapping's pages gain a mapping per child at fork (page_dup_rmap). Not visible to programs.
 *   <li><b>find_mergeable_anon_vma</b> is 2.6.7's (Hugh's "rmap 40 better anon_vma sharing"):
 *       next first, then prev; the neighbour must touch, have an anon_vma, have the same flags
 *       ignoring VM_READ|VM_WRITE|VM_EXEC (VM_SOFTDIRTY too, which the model never sets, as its
 *       core's is_mergeable_vma ignores it), the same file and a contiguous pgoff. Unlike today's
 *       reusable_anon_vma() it does not ask how many vmas share that anon_vma: a forked child's
 *       new neighbour joins the whole family's anon_vma. No NUMA policies (mpol_equal).
 *   <li><b>Merge rule</b>: is_mergeable_anon_vma() is {@code !a || !b || a == b} with contiguous
 *       pgoff (DesignTraits.anonMergeNeedsPgoff = true); there is no fork-child rule (that is today's), so
 *       selftests merge_forked_target_vma and merge_forked_source_vma merge under anon_vma where
 *       Linux does not: those lines carry {@code expect:anon_vma} with a comment.
 *   <li><b>Where 2.6.7 lost an anon_vma</b>, the model follows the later fix: 2.6.7's vma_adjust()
 *       did not give an expanding vma the anon_vma of the pages it imported when mprotect shifted
 *       a boundary (fixed two days after 2.6.7 by "mprotect propagate anon_vma": the importer is
 *       __anon_vma_link'ed, at the head). Likewise, when the core's copy_vma() merges a moved
 *       range into a neighbour that has no anon_vma yet, the neighbour is given the moved vma's
 *       anon_vma the same way (vmaCopy). The oracle demands that every pte be found.
 *   <li><b>COW reuse</b>: 2.6.7's do_wp_page reused a page can_share_swap_page() allowed without
 *       touching page-&gt;mapping ({@code pageReuseAnon} does nothing); whether to reuse is the
 *       core's (today's) decision, the same for an unswapped page with one reference.
 *   <li><b>page_remove_rmap</b> resets page-&gt;mapping when the last pte goes (clear_page_anon);
 *       without swap the page is freed at once anyway.
 *   <li><b>The walk</b> counts every list entry as a vma visited (page_referenced_one is called
 *       for each); it skips an mm whose rss is 0 ({@code if (!mm->rss) goto out}) and a vma where
 *       vma_address() is -EFAULT without looking at a pte; only the others count as ptes checked.
 *       The trylock of page_table_lock (a busy mm is skipped in 2.6.7's page_referenced) is not
 *       modelled: one thread of execution, no lock is ever busy.
 *   <li><b>MREMAP_DONTUNMAP</b> (not in 2.6.7): the core unlinks the emptied source vma
 *       (anon_vma_unlink), as today's kernel unlinks its anon_vmas.
 *   <li><b>Allocation</b>: an anon_vma is an object (the kernel allocates it from a slab); a
 *       vma's list node is made once per vma (the kernel embeds it in the vma); linking, fork,
 *       faults and walks allocate nothing else. {@code stats.object("anon_vma")} counts the
 *       anon_vmas alive and their peak.
 *   <li><b>Counters</b>: rmapAdds / rmapDups / rmapRemoves count pte operations only (as every
 *       design does); each list_add and list_del of a vma's node on an anon_vma's list is one
 *       {@code rmapVmaOps} (anon_vma_prepare, anon_vma_link, __anon_vma_merge, anon_vma_unlink),
 *       the model's own reordering after a split not counted.
 * </ul>
 *
 * <h2>Invariants checked for the oracle</h2>
 * A vma has an anon_vma exactly when its node is on that anon_vma's list; every list entry is a
 * live vma pointing back to it; the list is well linked and holds each vma once; the anon_vmas
 * alive are exactly those some live vma uses (an anon_vma is freed the moment its list empties,
 * never later); a mapped anonymous page points to a live anon_vma.
 */
package org.rmaplab.rmap.anonvma;
