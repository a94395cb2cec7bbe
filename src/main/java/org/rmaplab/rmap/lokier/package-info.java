/**
 * {@code lokier} — Jamie Lokier's proposal of 12 March 2004 ("Re: anon_vma RFC2", linux-kernel:
 * docs/reference.md#lokier-offset-space; the design: docs/reference.md#lokier), never
 * built before: anonymous memory treated like a file.
 *
 * <h2>The design</h2>
 * <ul>
 *   <li>Every private anonymous vma has an address_space ({@link org.rmaplab.rmap.lokier.AnonAddressSpace})
 *       and a page-&gt;offset range inside it: its {@code vm_pgoff} and its length. A page's
 *       {@code mapping} is the address_space and its {@code index} its offset, exactly as for a
 *       file page; the reverse walk is the file walk (rmap_walk_file): the vmas of the address_space
 *       whose offset range covers the index, each checked at {@code vm_start + (index - vm_pgoff)}.
 *   <li>Offsets come from a bump counter in the address_space (step 1); when an allocation would
 *       pass the wrap limit (2^32 pages; a constructor parameter) a new address_space is started
 *       (step 2). An allocation reserves extra offsets for growth (step 3): the
 *       {@link org.rmaplab.rmap.lokier.Reservation}, [lo, hi) = the vma's pages + extra, with
 *       extra = clamp(K x basis, minReserve, wrapLimit - size), K = 1 by default (constructor
 *       parameters {@code reserveNum/reserveDen}, {@code minReserve} = 2^22 by default).
 *   <li>Offsets are never moved: split pieces, fork's copies and mremap'ed vmas keep theirs (like
 *       anon_vma's pgoff), so a moved vma's pages are found at the new address with no per-page
 *       work ({@code tellsMovedPtes} is false). Its kernel's move_page_tables() still moved the
 *       ptes one by one (2.6's move_one_page: {@code movesPageTables} is false), as anon_vma's did.
 *   <li>A vma that has to grow (mremap in place or moving, brk) takes the offsets after its own if
 *       they are in its reservation and unused in its mm; otherwise it is split (the mail: "When a
 *       vma is grown and the page-&gt;offset space it would like to occupy is already taken, it can
 *       be split into two vmas"): the grown part becomes a new vma with a fresh reservation whose
 *       extra is proportional to the whole user-visible region after growth ("That extra space
 *       should be proportional to the size of the entire new mremap() region (multiple vmas), not
 *       the new vma size"). The pieces form one user-visible vma with {@code VM_GROUP}.
 *   <li>{@code VM_GROUP} ("mremap-group"): a vma with the flag continues its predecessor in one
 *       user-visible vma — in {@code vma}/{@code vmas} results (the core's vmaAt/vmasIn) and in
 *       mremap (the core's check_prep_vma, expand_vma and move_vma work on the group). The mail
 *       puts the flag on the first vma ("it and the following vma(s) are a single unit"); the model
 *       puts it on each following one (the same information; the core's vmaAt already read it so).
 * </ul>
 *
 * <h2>Choices where the mail leaves one open</h2>
 * <ol>
 *   <li><b>address_space per fork group.</b> exec (and the first task) starts a fresh one; fork
 *       gives the child the parent's (its vmas keep the parent's offsets, the child allocates from
 *       the same counter). When it is full its successor is created once and every mm of the group
 *       moves on to it ({@code AnonAddressSpace.successor}): "as few as possible". An
 *       address_space lives while an mm allocates from it or a reservation in it is used.
 *   <li><b>Offsets are assigned at mmap</b> (and at brk, and at mremap's copy of a vma without
 *       pages, the three places Linux sets {@code pgoff = addr >> PAGE_SHIFT}; core hook
 *       {@code RmapDesign.anonPgoff}), because merging depends on them. The address_space pointer
 *       the core sees ({@code vma.anonVma}) is set at the first anonymous fault, as anon_vma_prepare
 *       sets anon_vma: the core reads {@code anonVma != NULL} as "has anonymous pages" (fork copies
 *       page tables only then; mprotect gives VM_ACCOUNT back only before). {@code vma.rmapPriv}
 *       holds the reservation from mmap on, and every private anonymous vma is indexed in its
 *       reservation from vma_link on (core hook {@code RmapDesign.vmaLinked}), as a file vma is in
 *       i_mmap.
 *   <li><b>The reserve is recorded per reservation, not per vma.</b> The mail: "each vma needs to
 *       record how much page-&gt;offset space it has reserved beyond its own size". Here a vma's
 *       reserve is the free part of its reservation above it ({@code reserveAbove}); a
 *       reservation may hold several vmas (claims, splits, fork). Its extra is taken once, when it
 *       is allocated. The counter leaves one unused offset after each reservation, so two
 *       reservations are never offset-contiguous and nothing merges across them by chance.
 *       Offsets of address_space #id are stored as {@code id << 36} + offset so that offsets of
 *       two address_spaces never look contiguous either (the offset proper is {@code offsetInSpace}).
 *   <li><b>mmap reserves non-exclusively, mremap/brk exclusively</b> (the mail: "make initial
 *       mmap() allocations not reserve page-&gt;offset space exclusively, but make allocations done
 *       by mremap() reserve the extra space"). An mmap reservation is centred on its vma: half its
 *       extra below (mmap places top-down, so the next mapping usually lands right below and can
 *       merge), half above (for growth). Growth reservations (mremap, brk) and mremap's copies of
 *       vmas without pages are exclusive, the vma at their bottom, all the extra above.
 *   <li><b>Lending reserve (step 5).</b> A new range (mmap, and mremap's copy of a vma without
 *       pages) first looks at the vma just before and just after it in the address space, the
 *       nearer first (the preceding one on a tie). It takes the offsets linear with that
 *       neighbour's ({@code nb.pgoff + (start - nb.start) / PAGE_SIZE}) if they lie in the
 *       neighbour's reservation, that reservation is not exclusive, and no vma of the same mm uses
 *       them. Adjacent: the core then merges (the neighbour "is simply grown"); not adjacent: a
 *       vma "vm_offset-compatible with its neighbour, allowing them to merge if the hole between
 *       is filled" (step 6). The flags of the neighbour do not matter for the offsets. No
 *       neighbour can lend: a fresh reservation.
 *   <li><b>Offsets are unique per mm, shared between mms.</b> Whether offsets are "already taken"
 *       is asked of the vmas of the same mm only: fork's copies share offsets with their parent as
 *       two processes mapping one file do, and a walk checks each candidate pte anyway.
 *       Exception: after MREMAP_DONTUNMAP the emptied source keeps its pgoff (the core keeps it,
 *       as Linux does), so source and destination share offsets inside one mm; a walk then visits
 *       one extra vma. The self-check therefore does not demand per-mm uniqueness.
 *   <li><b>Growth.</b> mremap growth in place ({@code canExpandAnon}), mremap growth while moving
 *       ({@code canGrowMovedAnon}: the offsets after the moved part) and brk (in
 *       {@code anonPgoff(ANON_BRK)}) take the offsets after the vma when free in its reservation;
 *       otherwise the whole grown part becomes one new vma (a leftover of the old reservation is not
 *       used first) in a fresh exclusive reservation whose extra is K x the user-visible region
 *       after growth. Each such new vma counts as one split ({@link
 *       org.rmaplab.rmap.lokier.LokierStats#growthSplits}). A vma without pages is split too (the
 *       core never re-assigns the pgoff of a mapped vma).
 *   <li><b>VM_GROUP and merging.</b> Real merges follow the core's rule with lokier's anon part:
 *       contiguous offsets (which imply one address_space) and no other anon condition — in
 *       particular no fork-child rule (a forked vma shares its offsets; nothing is lost by merging
 *       it). Step 4: "When trying to merge adjacent anon vmas during ordinary
 *       mmap/munmap/mprotect/mremap operations, if they are not vm_offset-compatible ... just use
 *       the mremap-group flag to make them appear merged". So wherever the core tried a merge and
 *       it was refused, and the two vmas are adjacent private anonymous vmas with equal flags (but
 *       for VM_GROUP and soft-dirty), the later one gets VM_GROUP (core: {@code VmaOps.regroup} at
 *       the end of the system call; {@code RmapDesign.groupsVmas}). Boundaries no merge was tried
 *       across (a split left by a failed call) stay visible, as in Linux. VM_GROUP never prevents a
 *       merge and is kept by a vma whose flags are reset after a merge.
 *   <li><b>A group has one anon state</b>, as one vma would (dup_anon_vma on a merge): the first
 *       fault in any piece sets the address_space pointer of every piece, and a group formed
 *       between a vma with pages and one without prepares the latter. Without this, mprotect would
 *       give VM_ACCOUNT back to an unfaulted piece only, and split the user-visible vma.
 *   <li><b>munmap / mprotect / mlock / madvise of part of a group</b> work on the internal vmas; a
 *       split always makes a user-visible boundary (the upper piece loses VM_GROUP), and at the end
 *       of the call a vma keeps VM_GROUP only if it still continues its predecessor (adjacent,
 *       equal flags). So munmap of a middle piece leaves two user-visible vmas, and mprotect of part
 *       of a group splits the group exactly where it would split one vma ("Groups always have the
 *       same flags").
 *   <li><b>mremap of a group.</b> check_prep_vma measures the range against the group's end;
 *       growth in place grows the group's last vma; a move moves every piece in order to
 *       consecutive places (each keeps its offsets; the copy of a piece without pages gets new ones),
 *       the last one taking the growth; shrink unmaps the tail; MREMAP_DONTUNMAP drops the anon
 *       state of every piece when the group was exactly the moved range, and VM_LOCKED of every
 *       piece; a multi-vma MREMAP_FIXED move (6.17's remap_move) moves piece by piece, which keeps
 *       a group's pieces together (they have no gaps).
 *   <li><b>fork</b> copies the vmas with their VM_GROUP flags, offsets and reservations; the child's
 *       vmas join the same reservations. exec and exit remove every vma; an address_space goes
 *       when nothing uses it.
 *   <li><b>The walk</b> finds the reservation holding page-&gt;index by binary search in its
 *       address_space, then visits the vmas of that reservation that cover the index (kept in
 *       pgoff order: an interval tree's answer). It counts only those as visited.
 *   <li><b>Private file mappings.</b> The mail is silent on them: a private file vma has a file
 *       (its pgoff is the file's offset) and may have anonymous copies of file pages. Its copies get
 *       an address_space of their own at the first copy (anon_vma_prepare's place), whose offsets
 *       are the file's (base 0: a copy's index is linear_page_index, as under anon_vma) and which
 *       holds one reservation over every offset, where the vma, its split pieces, fork copies and
 *       mremap copies are indexed; the walk is the same. Such a vma carries both vm_file and the
 *       anonymous address_space (one pointer more than the mail's "can share space with vm_file").
 *       Nothing is reserved or grouped for it: a file vma grows in its file's offsets, and two
 *       private file vmas with different copy address_spaces do not merge (as two anon_vmas do not).
 *   <li><b>A file's i_mmap is an interval tree</b> ({@code traits().iMmapKind()} left at
 *       {@code FileRmap.IMmap.INTERVAL_TREE}). The design never existed, so no era decides; the
 *       mail (2004) came as the prio_tree was being merged, and treating anonymous memory like a
 *       file assumes the file walk is one that visits only covering vmas — a list walked in full
 *       would make lokier's own walk as slow as anonmm's file walk. Today's interval tree answers
 *       the same set as 2.6.7's prio_tree.
 *   <li><b>fork copies every vma's ptes</b> ({@code forkCopiesEveryPte}), as the 2004 kernels the
 *       proposal was made for did (lazy page-table copies came in 2.6.14). Not visible to programs.
 * </ol>
 *
 * <h2>Not modelled, and simplifications</h2>
 * <ul>
 *   <li>The mail's minimum 2^22 is called "room for a million reservations per address_space";
 *       2^32 / 2^22 is 1024. The model follows the numbers: 1024 minimum reservations per
 *       2^32-page address_space.
 *   <li>"VM_GROWSDOWN vmas might want to record a reservation down rather than up": stacks do not
 *       grow in the model; growsdown vmas are placed like any other.
 *   <li>Regrouping at the end of a system call looks at every vma of the mm (O(map_count)); a
 *       kernel would look only at the boundaries the call touched. Merge attempts are recorded
 *       by the core as they happen.
 *   <li>The offsets of an address_space are not reused: a reservation given up is lost, as with
 *       any bump allocator.
 * </ul>
 *
 * <h2>Kernel functions mirrored</h2>
 * vma_link / vma_interval_tree_insert ({@code vmaLinked}), anon_vma_prepare's place
 * ({@code anonVmaPrepare}), anon_vma_link's place at fork ({@code vmaFork}), __split_vma
 * ({@code vmaSplit}), copy_vma ({@code vmaCopy}), vma_expand / dup_anon_vma ({@code vmaMerged}),
 * vma_interval_tree pre/post update ({@code vmaAdjusted}), unlink_file_vma's place
 * ({@code vmaUnlinked}), page_add_anon_rmap with a file-like mapping ({@code pageAddNewAnon}),
 * rmap_walk_file ({@code rmapWalk}); and, new: the offset allocator of Lokier's mail ({@code anonPgoff},
 * {@code reserve}, {@code claim}).
 *
 * <h2>Core hooks added for this design</h2>
 * All default methods with today's behaviour: {@code RmapDesign.anonPgoff} (mmap, brk, copy_vma,
 * growth pieces), {@code vmaLinked}, {@code vmaAnonReset} (DONTUNMAP), {@code groupsVmas},
 * {@code canGrowMovedAnon}; and in the core, VM_GROUP groups ({@code VmaOps.regroup}, merge-attempt
 * boundaries, flag changes keeping VM_GROUP) and mremap of a group as one vma.
 */
package org.rmaplab.rmap.lokier;
