package org.rmaplab.mm;

/**
 * mm/mremap.c's move_page_tables() for {@link Mremap}: the ptes of a moved range go to their new
 * place the way the design's era moved them ({@link DesignTraits#movesPageTables},
 * docs/reference.md#mremap-page-tables) — today's by extents with whole-table moves
 * (move_normal_pmd, move_normal_pud), 2.6's one page at a time (move_one_page) — and counts what
 * moved.
 *
 * <p>Invariants kept: every pte of the range that is not none ends at the same offset from the new
 * start, or (out of memory) the bytes returned say how far the move got, so that the caller can
 * move them back; a moved table's frame names its new span (the model's ptep_to_address()).
 */
final class MremapPageTables {
    private final Machine k;
    private final Frames frames;
    private final RmapDesign design;

    // Counters.
    /** move_normal_pmd(): PTE tables moved whole. */
    long pmdMoves;
    /** move_normal_pud(): PMD tables moved whole. */
    long pudMoves;
    /** ptes moved one by one (move_ptes, 2.6's move_one_page), swap entries included. */
    long ptesMoved;

    /**
     * Set by {@link Mremap} for one move under Matěna's series when copy_vma() said
     * {@code update_pgoff}: the vma whose anon_vma and linear index each moved page takes
     * (update_pgoff_pte_inner()), and every extent goes through move_ptes() ("In case of page
     * offset update move must be done at the pte level"). Null otherwise.
     */
    Vma updatePgoffTo;

    MremapPageTables(Machine k) {
        this.k = k;
        this.frames = k.frames;
        this.design = k.design;
    }

    /**
     * move_page_tables(): moves the ptes of [oldAddr, oldAddr+len) in {@code vma} to
     * {@code newAddr} in {@code newVma} (the fields of {@code pmc}), the way the design's era did
     * ({@link DesignTraits#movesPageTables}, docs/reference.md#mremap-page-tables): today's by
     * extents, moving whole page tables where it can ({@link #moveByExtents}); 2.6's one page at a
     * time ({@link #moveOneByOne}). Returns the bytes of the range moved (less than len only on
     * OOM).
     */
    long movePageTables(Mremap.PageTableMove pmc) {
        return k.traits.movesPageTables() ? moveByExtents(pmc) : moveOneByOne(pmc);
    }

    /**
     * move_page_tables() of Linux 6.18: try_realign_addr() to the PMD boundary below, then per
     * extent: a whole PMD table when the extent covers a PUD on both sides (move_pgt_entry →
     * move_normal_pud, CONFIG_HAVE_MOVE_PUD), else a whole PTE table when it covers a PMD
     * (move_normal_pmd, CONFIG_HAVE_MOVE_PMD), else pte by pte (move_ptes). The destination's
     * tables are allocated as Linux does, before it knows whether any pte is there to move:
     * alloc_new_pud() once the source has a PMD table there, alloc_new_pmd() once it has a PTE
     * table, pte_alloc() before move_ptes(). Returns pmc_progress().
     */
    long moveByExtents(Mremap.PageTableMove pmc) {
        long len = pmc.len();
        if (len == 0) {
            return 0;
        }
        Mm mm = pmc.vma().mm;
        Mm newMm = pmc.newVma().mm;
        long oldAddr = pmc.oldAddr();
        long newAddr = pmc.newAddr();
        long oldEnd = oldAddr + len;
        if (canRealignAddr(pmc)) {
            // try_realign_addr(): start at the PMD boundary below; old_end stays.
            oldAddr &= ~(PageTable.PMD_SIZE - 1);
            newAddr &= ~(PageTable.PMD_SIZE - 1);
        }
        long extent;
        for (; oldAddr < oldEnd; oldAddr += extent, newAddr += extent) {
            // Matěna's v3: with update_pgoff, PMD-sized extents and no move_pgt_entry().
            boolean ptesOnly = updatePgoffTo != null;
            extent = getExtent(ptesOnly ? PageTable.PMD_SIZE : PageTable.PUD_SIZE, oldAddr, oldEnd, newAddr);
            long oldPud = PageTable.pudSlot(frames, mm.pgd, oldAddr);
            if (oldPud < 0 || PageTable.get(frames, oldPud) == 0) {
                continue; // get_old_pud(): none
            }
            long newPud = PageTable.pudSlotAlloc(frames, newMm, newAddr);
            if (newPud < 0) {
                break;
            }
            if (!ptesOnly && extent == PageTable.PUD_SIZE && moveNormalPud(pmc, oldPud, newPud, newAddr)) {
                continue;
            }
            extent = getExtent(PageTable.PMD_SIZE, oldAddr, oldEnd, newAddr);
            long oldPmd = PageTable.pmdSlot(frames, mm.pgd, oldAddr);
            if (PageTable.get(frames, oldPmd) == 0) {
                continue; // get_old_pmd(): none
            }
            long newPmd = PageTable.pmdSlotAlloc(frames, newMm, newAddr);
            if (newPmd < 0) {
                break;
            }
            if (!ptesOnly && extent == PageTable.PMD_SIZE && moveNormalPmd(pmc, oldPmd, newPmd, newAddr)) {
                continue;
            }
            int newTable = PageTable.pteAlloc(frames, newMm, newPmd, newAddr);
            if (newTable < 0) {
                break;
            }
            movePtes(PageTable.ptePfn(PageTable.get(frames, oldPmd)), newTable, oldAddr, newAddr, extent);
        }
        // pmc_progress(): nothing when the loop broke in a realigned first extent.
        long orig = pmc.oldAddr();
        return oldAddr < orig ? 0 : oldAddr - orig;
    }

    /**
     * get_extent(): from oldAddr up to the next boundary of {@code size} on either side, at most
     * to oldEnd.
     */
    static long getExtent(long size, long oldAddr, long oldEnd, long newAddr) {
        long extent = ((oldAddr + size) & -size) - oldAddr;
        extent = Math.min(extent, oldEnd - oldAddr);
        return Math.min(extent, ((newAddr + size) & -size) - newAddr);
    }

    /**
     * can_realign_addr() (Linux 6.7+, pagetable_mask PMD_MASK): the range reaches the next PMD
     * boundary, its start is not aligned but is aligned as the destination is, and aligning both
     * down lands on no mapping (can_align_down(): each address starts its vma and no vma lies
     * between the boundary and it). The model has no for_stack case (its exec moves no stack).
     */
    static boolean canRealignAddr(Mremap.PageTableMove pmc) {
        long mask = PageTable.PMD_SIZE - 1;
        long oldAlign = pmc.oldAddr() & mask;
        long newAlign = pmc.newAddr() & mask;
        if (pmc.len() < PageTable.PMD_SIZE - oldAlign || oldAlign == 0 || oldAlign != newAlign) {
            return false;
        }
        return canAlignDown(pmc.vma(), pmc.oldAddr()) && canAlignDown(pmc.newVma(), pmc.newAddr());
    }

    /** can_align_down() without for_stack. */
    static boolean canAlignDown(Vma vma, long addr) {
        if (vma.vmStart != addr) {
            return false;
        }
        return vma.mm.findVmaIntersection(addr & ~(PageTable.PMD_SIZE - 1), vma.vmStart) == null;
    }

    /**
     * move_normal_pmd() (Linux 6.18, under move_pgt_entry(), which takes the rmap locks): the PTE
     * table changes its place in the tree, not its contents. Refused when the destination pmd is
     * not none (the WARN_ON_ONCE case: a table free_pgtables() kept) or the vma is registered with
     * userfaultfd without UFFD_FEATURE_EVENT_REMAP (vma_has_uffd_without_event_remap(): the harness
     * registers without it, so every registered vma); then move_ptes() does the extent.
     */
    boolean moveNormalPmd(Mremap.PageTableMove pmc, long oldPmd, long newPmd, long newAddr) {
        if (PageTable.get(frames, newPmd) != 0 || pmc.vma().uffdArmed()) {
            return false;
        }
        long entry = PageTable.get(frames, oldPmd);
        // pmd_clear + pmd_populate: the mms' PTE-table counts follow the table (PageTable.setPmd).
        PageTable.clearPmd(frames, pmc.vma().mm, oldPmd);
        PageTable.setPmd(frames, pmc.newVma().mm, newPmd, entry);
        // The model's back-pointer for ptep_to_address(): the table now maps newAddr's span.
        frames.index[PageTable.ptePfn(entry)] = newAddr & ~(PageTable.PMD_SIZE - 1);
        pmdMoves++;
        // move_normal_pmd(): "flush_tlb_range(vma, old_addr, old_addr + PMD_SIZE)", 512 pages: whole.
        k.tlb.flushRange(PageTable.PTRS_PER_TABLE);
        return true;
    }

    /**
     * move_normal_pud() (Linux 6.18, CONFIG_HAVE_MOVE_PUD): the PMD table, with every PTE table
     * under it, changes its place; refused as {@link #moveNormalPmd} is. The model also moves the
     * back-pointers of the PTE tables below (its bookkeeping for ptep_to_address(); the kernel
     * keeps none).
     */
    boolean moveNormalPud(Mremap.PageTableMove pmc, long oldPud, long newPud, long newAddr) {
        if (PageTable.get(frames, newPud) != 0 || pmc.vma().uffdArmed()) {
            return false;
        }
        long entry = PageTable.get(frames, oldPud);
        // The PMD table keeps its PTE tables and their 4 MiB pairs: the mm's counts do not change.
        PageTable.set(frames, oldPud, 0);
        PageTable.set(frames, newPud, entry);
        int pmdTable = PageTable.ptePfn(entry);
        long base = newAddr & ~(PageTable.PUD_SIZE - 1);
        frames.index[pmdTable] = base;
        long[] pmds = frames.tab(pmdTable);
        for (int i = 0; i < PageTable.PTRS_PER_TABLE; i++) {
            if (pmds[i] != 0) {
                frames.index[PageTable.ptePfn(pmds[i])] = base + ((long) i << PageTable.PMD_SHIFT);
            }
        }
        pudMoves++;
        // move_normal_pud(): "flush_tlb_range(vma, old_addr, old_addr + PUD_SIZE)": whole.
        k.tlb.flushRange((long) PageTable.PTRS_PER_TABLE * PageTable.PTRS_PER_TABLE);
        return true;
    }

    /**
     * move_ptes() of Linux 6.18: the ptes of one extent, inside one source and one destination PTE
     * table (both present), move over; rmap hears nothing (the anon_vma and the pgoff went with
     * the vma). Not modelled: the soft-dirty bit (move_soft_dirty_pte) and the batching of large
     * folios (the model has none). The extent ends at the first of the old and the new PMD boundary
     * (get_extent()); when a present pte moved (force_flush), move_ptes() ends with
     * "flush_tlb_range(vma, old_end - len, old_end)": the extent's whole span, holes included, is
     * flushed ({@link Tlb#flushRange}), once per extent.
     */
    void movePtes(int oldTable, int newTable, long oldAddr, long newAddr, long extent) {
        long[] otab = frames.tab(oldTable);
        long[] ntab = frames.tab(newTable);
        int oi = PageTable.idx(oldAddr, PageTable.PAGE_SHIFT);
        int ni = PageTable.idx(newAddr, PageTable.PAGE_SHIFT);
        int n = (int) (extent >>> PageTable.PAGE_SHIFT);
        long moved = 0;
        boolean forceFlush = false;
        for (int i = 0; i < n; i++) {
            long pte = otab[oi + i];
            if (pte == 0) {
                continue; // pte_none
            }
            forceFlush |= PageTable.present(pte); // "if (pte_present(pte)) force_flush = true;"

            if (updatePgoffTo != null) {
                k.vmaOps.pgoffUpdate.updatePgoffPte(pte, updatePgoffTo, newAddr + ((long) i << PageTable.PAGE_SHIFT));
            }
            otab[oi + i] = 0;
            ntab[ni + i] = pte;
            moved++;
        }
        ptesMoved += moved;
        if (forceFlush) {
            k.tlb.flushRange(n);
        }
    }

    /**
     * move_page_tables() of 2.6.0 and 2.6.7: move_one_page() for every page of the range — get the
     * source pte (get_one_pte_map_nested(): nothing to do when none), allocate the destination's
     * tables (alloc_one_pte_map()), move the pte (copy_one_pte() in 2.6.0, telling the design) —
     * whatever the alignment. The model visits the pages one PTE table at a time and skips a
     * range without one, where every page of 2.6's loop found nothing; 2.6.0 went from the end
     * backwards and moved everything back itself on failure, which leaves the same state as the
     * caller's move back. Returns the bytes moved before a failure (2.6.7's offset). TLB flushes
     * are counted by 6.18's rule (per extent that moved a present pte, its span: {@link #movePtes}),
     * not by 2.6's own flushes (move_one_page's, per page): the time estimate prices every design
     * on today's machine, and the simplification is stated in docs/costs.md.
     */
    long moveOneByOne(Mremap.PageTableMove pmc) {
        Mm mm = pmc.vma().mm;
        long oldAddr = pmc.oldAddr();
        long newAddr = pmc.newAddr();
        long oldEnd = oldAddr + pmc.len();
        while (oldAddr < oldEnd) {
            long extent = getExtent(PageTable.PMD_SIZE, oldAddr, oldEnd, newAddr);
            long oldPmd = PageTable.pmdSlot(frames, mm.pgd, oldAddr);
            if (oldPmd >= 0 && PageTable.get(frames, oldPmd) != 0) {
                long done = moveOnePages(pmc, PageTable.ptePfn(PageTable.get(frames, oldPmd)), oldAddr, newAddr, extent);
                if (done < extent) {
                    return oldAddr + done - pmc.oldAddr();
                }
            }
            oldAddr += extent;
            newAddr += extent;
        }
        return pmc.len();
    }

    /**
     * move_one_page() for each page of one extent, [oldAddr, oldAddr+extent) of the source PTE table
     * {@code oldTable} to newAddr: allocation-free but for the destination's tables, allocated
     * (alloc_one_pte_map) at the first pte to move. Returns the bytes done, less than extent when
     * an allocation failed.
     */
    long moveOnePages(Mremap.PageTableMove pmc, int oldTable, long oldAddr, long newAddr, long extent) {
        Vma vma = pmc.vma();
        Vma newVma = pmc.newVma();
        boolean tell = k.traits.tellsMovedPtes();
        long[] otab = frames.tab(oldTable);
        long[] ntab = null;
        int newTable = -1;
        int oi = PageTable.idx(oldAddr, PageTable.PAGE_SHIFT);
        int ni = PageTable.idx(newAddr, PageTable.PAGE_SHIFT);
        int n = (int) (extent >>> PageTable.PAGE_SHIFT);
        boolean forceFlush = false;
        for (int i = 0; i < n; i++) {
            long pte = otab[oi + i];
            if (pte == 0) {
                continue;
            }
            long off = (long) i << PageTable.PAGE_SHIFT;
            long oslot = PageTable.slot(oldTable, oi + i);
            if (!makeExclusive(vma, oldAddr + off, oslot, pte)) {
                flushIf(forceFlush, n);
                return off;
            }
            if (ntab == null) {
                long nslot = PageTable.alloc(frames, newVma.mm, newAddr + off);
                if (nslot < 0) {
                    flushIf(forceFlush, n);
                    return off;
                }
                newTable = PageTable.slotTable(nslot);
                ntab = frames.tab(newTable);
            }
            pte = otab[oi + i]; // reclaim may have run during the allocations
            if (pte == 0) {
                continue;
            }
            otab[oi + i] = 0;
            ntab[ni + i] = pte;
            ptesMoved++;
            forceFlush |= PageTable.present(pte);
            if (tell && PageTable.present(pte) && (pte & PageTable.SPECIAL) == 0) {
                design.ptemoved(PageTable.ptePfn(pte), vma, oldAddr + off, oslot, newVma, newAddr + off,
                        PageTable.slot(newTable, ni + i));
                design.stats().rmapMoves++;
            }
        }
        flushIf(forceFlush, n);
        return extent;
    }

    /** The extent's flush of {@link #moveOnePages}, when it moved a present pte. */
    private void flushIf(boolean forceFlush, int pages) {
        if (forceFlush) {
            k.tlb.flushRange(pages);
        }
    }

    /**
     * Linus's rule (Linus Torvalds, 13 March 2004, docs/reference.md#linus-anon-memory-group;
     * anonmm's "rmap 11"): make an anonymous page exclusive before moving its pte — an early COW
     * at the old address, when the design asks ({@link RmapDesign#mremapMustCow}). wp_page_copy
     * gives up without copying when reclaim changed the pte while it allocated (a young bit
     * cleared, the page swapped out): look again, as a retried fault would. False when the copy
     * failed (out of memory).
     */
    boolean makeExclusive(Vma vma, long addr, long oslot, long pte) {
        for (int tries = 0; PageTable.present(pte) && (pte & PageTable.SPECIAL) == 0; tries++) {
            int pfn = PageTable.ptePfn(pte);
            if ((frames.flags[pfn] & Frames.PG_ANON) == 0 || !design.mremapMustCow(pfn)) {
                return true;
            }
            if (tries == 64 || k.memory.wpPageCopy(vma, addr, oslot, pte) != Memory.FAULT_OK) {
                return false;
            }
            long now = PageTable.get(frames, oslot);
            if (PageTable.present(now) && PageTable.ptePfn(now) != pfn) {
                design.stats().mremapCows++;
            }
            pte = now;
        }
        return true;
    }
}
