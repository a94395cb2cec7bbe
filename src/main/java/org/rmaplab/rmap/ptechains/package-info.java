/**
 * pte_chains — Rik van Riel's reverse mapping (2.5.x to 2.6.0), modelled on Linux 2.6.0's
 * mm/rmap.c (docs/reference.md#pte_chains). Registered as {@code pte_chains}; the class is
 * {@link org.rmaplab.rmap.ptechains.PteChainsDesign}.
 *
 * <h2>The design</h2>
 * Every pte that maps a page is written down in the page. While there is one, it is the direct
 * pointer {@code page->pte.direct} with {@code PG_direct} set (most anonymous pages: Bligh counted
 * about 90% mapped once); from the second on, {@code page->pte.chain} points to a chain of
 * {@code struct pte_chain} blocks, each one L1 cache line:
 * {@code { unsigned long next_and_idx; pte_addr_t ptes[NRPTE]; }}. A pte address ({@code pte_addr_t})
 * is the core's pte slot (page-table pfn &lt;&lt; 9 | index, the pte's physical address / 8); the
 * page-table frame records its mm and base address, so {@code PageTable.slotMm}/{@code slotAddress}
 * are ptep_to_mm()/ptep_to_address(). Rules, exactly 2.6.0's:
 * <ul>
 *   <li>Only the head block has free slots, packed at its start; {@code next_and_idx} holds the
 *       next block's address with the index of the first used slot in its low bits.
 *   <li>page_add_rmap(): the first pte becomes direct; the second converts the page to a chain
 *       (old pte in slot NRPTE-1, new one in NRPTE-2); later ones take the head's last free slot,
 *       or a new head block (its new pte in slot NRPTE-1) when the head is full.
 *   <li>page_remove_rmap(): a linear search from the head; the head's first pte moves into the
 *       victim's slot; an emptied head block is freed. A chain that drops to one pte is NOT made
 *       direct again here.
 *   <li>page_referenced(): tests and clears every pte's accessed bit; a chain holding a single pte
 *       is turned back into a direct pointer — lazily, only here, "under memory pressure".
 *       {@link org.rmaplab.rmap.ptechains.PteChainsDesign#pageReferenced} is that function, for the
 *       reclaim issue to call.
 * </ul>
 * Every pte is recorded: a new anonymous page (do_anonymous_page, do_wp_page's copy: direct),
 * fork (copy_page_range: page_add_rmap per copied pte, shared mappings included), file and shmem
 * pages (2.6.0 chained page-cache pages too; {@code DesignTraits.chainsNonlinearPtes}), mremap (move_one_page /
 * copy_one_pte: page_remove_rmap of the old pte, page_add_rmap of the new, so mremap never moves
 * whole page tables under this design), COW (the new page added as direct, the old page's pte
 * removed), munmap and exit (zap_pte_range: page_remove_rmap per pte).
 *
 * <h2>The walk</h2>
 * {@code rmapWalk} is try_to_unmap()'s loop: the direct pte or every pte of the chain, head first
 * and each block from its first used slot; each slot leads to (mm, address) through its page-table
 * frame and to the vma through {@code mm.vmaLookup} (find_vma in try_to_unmap_one); each pte is
 * confirmed with {@code RmapHost.pageMappedInMm}. {@code walkVmasVisited} counts one vma lookup per
 * pte and {@code walkPtesChecked} one pte per pte: the walk's cost is the page's mapcount, whatever
 * the number of processes or vmas that do not map it. The walk does not stop early (2.6.0 kept no
 * mapcount for these pages) but the chain holds exactly the mapping ptes; it ends at the first pte
 * the visitor fails (try_to_unmap's {@code case SWAP_FAIL: goto out}). When the visitor unmaps the
 * pte it is handed (try_to_unmap_one inside the walk), the walk releases that slot in place as
 * 2.6.0's try_to_unmap() did — the head's first pte moves into it, the head is freed when it
 * empties — so unmapping a page costs O(mapcount), not a page_remove_rmap search from the head per
 * pte. The reclaim rules applied to each pte are 2.6.0's ({@code ReclaimEra.V2_6_0}: no young-pte
 * test in try_to_unmap_one, no VM_LOCKED test in page_referenced). The same holds for file
 * pages: 2.6.0's i_mmap was a pair of plain lists ({@code traits().iMmapKind()} is {@code LIST}), but the
 * walk never reads it, which is why Morton's rmap-test (docs/reference.md#fig-rmap-test) ran in 5 minutes here
 * against 22 with a linear i_mmap search.
 *
 * <h2>Memory</h2>
 * The chains are real: {@link org.rmaplab.rmap.ptechains.PteChainPool} holds every block as
 * parallel arrays (next_and_idx, ptes) with int handles and a free list; the per-frame
 * {@code page->pte} union is a {@code long[]} sized by the machine's frames, allocated in
 * {@code attach()}. No Java object per block, no allocation per pte (the arrays double when the
 * pool is full). The block size follows the machine's arch profile
 * ({@link org.rmaplab.rmap.ptechains.PteChainGeometry}: x86_64 NRPTE 7; i386 15 with 64-byte lines,
 * 7 with 32, 31 with 128; i386-pae with HIGHPTE 15 with 128-byte lines, i386-pae-nohighpte 31;
 * i386-numaq (32-byte lines) 7; the line size is a constructor parameter). Counters ({@link org.rmaplab.rmap.ptechains.PteChainsStats}): objects
 * {@code pte_chain} (blocks alive, peak) and {@code pg_direct} (direct pages), conversions,
 * collapses, block allocs/frees, and the slots page_remove_rmap's search compared.
 *
 * <h2>Choices and simplifications</h2>
 * <ul>
 *   <li><b>Source.</b> The rules follow 2.6.0's mm/rmap.c. The stored copy of 2.6.0's rmap.c reachable through the
 *       project's search tool is a 2.6.0-mm tree (objrmap: file pages counted in
 *       {@code page->pte.mapcount}, walked through i_mmap); vanilla 2.6.0 has no PageAnon branch
 *       and chains every page, which is what this package does. The chain code is the same in both.
 *   <li><b>No anon_vma, but one bit of it.</b> 2.6.0 had no anon_vma. The core still asks "has this
 *       vma an anon_vma?" for rules of today's Linux that do not depend on the rmap design (an
 *       mprotect to read-only drops VM_ACCOUNT only on a never-faulted vma; DONTUNMAP's source
 *       reset). The design answers with one shared marker object,
 *       {@code PteChainsDesign.FAULTED}, set at the first anonymous fault and carried by fork,
 *       split, copy and merge, so that those rules — and the user-visible results that follow from
 *       them — stay today's.
 *   <li><b>Merging.</b> 2.6.0's can_vma_merge_after()/before() returned 1 for any anonymous
 *       mapping: no pgoff contiguity ({@code DesignTraits.anonMergeNeedsPgoff = false}) and nothing per vma
 *       that could forbid it ({@code isMergeableAnonVma}, {@code anonVmasCompatible}: true). The
 *       model applies that rule at today's merge points (mmap, brk, mprotect, mremap, madvise). 2.6.0's
 *       mremap did not go through them: move_vma() (mm/mremap.c) merged the moved range with prev,
 *       next or both by its own test, can_vma_merge() (same flags, no file) and not VM_SHARED; its
 *       effect on a private anonymous vma is the same rule's. copy_vma() → vma_merge() replaced it
 *       with Hugh Dickins's "[PATCH 3/6] mremap move_vma" (30 March 2004), in 2.6.6. So
 *       vmas merge where Linux keeps them apart because of a fork-child anon_vma, different
 *       anon_vmas or a moved pgoff. The corpus scopes those lines with {@code expect:pte_chains}.
 *   <li><b>fork copies every vma's ptes</b> ({@code DesignTraits.forkCopiesEveryPte}, a core hook): 2.6.0's
 *       dup_mmap() called copy_page_range() for every vma, so a shared mapping's pages gained a
 *       chain entry per child at fork time; today's vma_needs_copy() skips vmas without an
 *       anon_vma. Not visible to programs.
 *   <li><b>page->mapping and index.</b> Anonymous pages get mapping NULL and index 0, as in 2.6.0,
 *       until they enter the swap cache. Then, as 2.6.0's add_to_swap_cache() →
 *       add_to_page_cache(page, &amp;swapper_space, entry.val) did, index holds the swap slot
 *       ({@code DesignTraits.swapEntryInIndex = true}: the frames have no swap-slot column under this design)
 *       until it leaves the swap cache (delete_from_swap_cache: entry.val = page->index) and index
 *       is 0 again; a page read back from swap gets only page_add_rmap() (do_swap_page), keeping
 *       its slot in index. Simplification: mapping stays
 *       NULL rather than &amp;swapper_space, and the core tests the PG_SWAPCACHE flag (2.6.7's)
 *       where 2.6.0's PageSwapCache() compared mapping with &amp;swapper_space. Page-cache pages
 *       keep the page cache's mapping and index, untouched.
 *   <li><b>COW reuse</b> (pageReuseAnon) changes nothing: the pte stays, and so does its record.
 *   <li><b>Not modelled:</b> the pte_chain_alloc() dance (callers preallocate a block before taking
 *       the page-table lock and give it back if page_add_rmap did not consume it, with a one-deep
 *       per-cpu cache) — only consumed blocks are allocated here, so the counts are blocks that
 *       exist, not calls; the PG_chainlock bit spinlock and the page_table_lock trylocks (one
 *       thread of execution); PG_referenced and page_test_and_clear_young() in page_referenced();
 *       the HIGHPTE kmap of the pte page (rmap_ptep_map). Swap, try_to_unmap's pte clearing and
 *       nonlinear file ptes belong to the reclaim and file issues.
 *   <li><b>Order of COW.</b> 2.6.0's do_wp_page() removed the old page's rmap before adding the new
 *       page's; the core adds first. They are different pages, so the chains come out the same.
 * </ul>
 *
 * <h2>Variant: wli's step (b), mlocked ptes unchained</h2>
 * {@code new PteChainsDesign(l1, true)} ({@code PteChainsDesign.withMlockedUnchained()}) builds step
 * (b) of William Lee Irwin III's three steps (2 July 2003, "Re: What to expect with the 2.6 VM",
 * linux-kernel and linux-mm: docs/reference.md#wli-three-steps): "implement the bits omitting
 * pte_chains for mlock()'d mappings ... Yank them off the LRU, set a bitflag, and reuse page->lru for
 * a counter". It is a variant, not a registered name (like anon_vma_chain without its reuse rule):
 * it runs as {@code pte_chains}, so the corpus's {@code expect:pte_chains} lines and the cost model's
 * sizes apply. It was never merged; 2.6.28's unevictable LRU (PG_mlocked) later did the LRU half for
 * the object-based rmap. The mail leaves one thing open, and the model has to decide it.
 * <p><b>The crux.</b> Whatever drops the chain of a locked page must rebuild it when an unlocked pte
 * maps the page again (munlock, a fork child — children do not inherit VM_LOCKED —, another
 * process faulting a shared page). If a page with any unlocked pte had to carry all its ptes, the
 * munlock of one task among eight would need the other seven tasks' ptes, and pte_chains has no
 * object that finds them: no anon_vma for anonymous pages, and a walk of i_mmap for file pages is
 * the very thing pte_chains was built not to need. So the rule here is <b>per pte</b>, not per page:
 * <ul>
 *   <li><b>Invariant.</b> A pte of a VM_LOCKED vma is never on a chain; every pte of a vma without
 *       VM_LOCKED is. A page's PG_direct pointer or chain holds exactly its ptes in unlocked vmas;
 *       a counter (page->lru's space, {@code unchainedPtes(pfn)}) holds the number of the others,
 *       so mapcount = chained + counted. A page is {@code Frames.PG_MLOCKED} — the bit wli's "set a
 *       bitflag" asks for, named after 2.6.28's PG_mlocked — exactly when the counter is non-zero,
 *       and is then on no LRU list. A page mapped only from VM_LOCKED vmas therefore has no chain at
 *       all (the mail's case: ptes of mlock()'d mappings carry no pte_chains). The reverse walk
 *       returns exactly the ptes of unlocked vmas; the oracle checks that against its scan
 *       ({@code DesignTraits.unchainsLockedPtes}), and the self-check the counter, the flag and the
 *       LRU.
 *   <li><b>Adding and removing a pte</b> (faults, populate, swap-in, fork's copies, COW, zap, exit,
 *       truncate): the vma's VM_LOCKED decides — count it, or page_add_rmap / page_remove_rmap it.
 *       A locked pte's removal searches no chain. mremap's and UFFDIO_MOVE's moves remove by the old
 *       vma's flag and add by the new one's. The first counted pte sets PG_mlocked and takes the
 *       page off the LRU ({@code RmapHost.mlockPage}, isolate_lru_page; a new anonymous page
 *       never goes on, as 2.6.28's lru_cache_add_active_or_unevictable); the last one clears it and
 *       puts the page back on the active list ({@code RmapHost.munlockPage}, munlock_vma_page).
 *   <li><b>mlock and munlock</b> ({@code vmaLockChanged}, called by mlock_fixup for the range whose
 *       flag changed, and by MREMAP_DONTUNMAP when the old vma loses VM_LOCKED) walk that range's
 *       own page tables, as today's mlock_vma_pages_range does: mlock takes each present pte off
 *       its page's chain and counts it; munlock un-counts it and page_add_rmap()s it. That is every
 *       pte whose state changed, and the only ones anything can find; ptes of the page in other
 *       locked vmas stay counted. munlock's cost is one page-table lookup per page of the range and
 *       one page_add_rmap per present pte ({@code pte_chain_munlock_rechained}).
 *   <li><b>Reclaim</b> never meets a PG_mlocked page, including one also mapped from unlocked vmas
 *       (a fork child's, another process's): keeping it off the LRU is what makes a partial chain
 *       safe, since 2.6.0's try_to_unmap would empty the chain, see page_mapped() false and call the
 *       page unmapped while locked ptes still map it. MADV_PAGEOUT skips it (not on the LRU).
 *       Locked pages were unevictable anyway (try_to_unmap fails on VM_LOCKED); what changes is that
 *       reclaim no longer scans them and their ptes cost no chain memory.
 *   <li><b>Simplifications.</b> The counter is a column of the design, not the core's lruNext; the
 *       page goes back to the active list whatever list it left; no unevictable list (2.6.28's);
 *       VM_LOCKONFAULT does not occur (the model's mlock sets VM_LOCKED).
 * </ul>
 *
 * <h2>Variants: the -mm tree's objrmap, and wli's step (c) on it</h2>
 * {@code pte_chains:objrmap} is the hybrid of Dave McCracken's objrmap as the -mm tree carried it
 * in 2003 (from 2.5.64-mm): page-cache pages only counted and found through i_mmap's two
 * lists ({@code FileRmap.IMmap.OBJRMAP_LIST}), anonymous pages chained as above, and a page that
 * remap_file_pages installs at a nonlinear address converted for good (page_convert_anon: every
 * pte chained). {@code pte_chains:objrmap_nlchains} is wli's step (c): only ptes at nonlinear
 * addresses chained, the mapcount in the chain's first block. {@link
 * org.rmaplab.rmap.ptechains.ObjRmap} has the kernel functions and the model's choices; both keep
 * 2.6.0's reclaim rules.
 *
 * <h2>Self-check</h2>
 * {@code checkInvariants()} proves, for the oracle: a PG_direct page records one pte and has
 * mapcount 1; a chain records exactly mapcount distinct ptes (under step (b): mapcount less the
 * counted ptes of VM_LOCKED vmas, the counter non-zero exactly on PG_mlocked pages, which are off
 * the LRU), each present and mapping the page;
 * only the head has free slots, packed at its start, and the head is never empty; non-head blocks
 * are full; every block in use is on exactly one chain, no chain loops or uses a free block; free
 * blocks are zeroed; the object counters match the pool and the frames.
 */
package org.rmaplab.rmap.ptechains;
