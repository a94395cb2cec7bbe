package org.rmaplab.mm;

/**
 * mm/memory.c: page-level memory management shared by every system call — faults
 * (handle_mm_fault and the do_*_page handlers), COW, swap-in, zapping (zap_page_range_single,
 * unmap_mapping_range) and fork's page-table copy (copy_page_range). mremap's page-table move is in
 * {@link Mremap}, change_protection in {@link Mprotect}. Linux 6.18 unless a method says
 * otherwise.
 *
 * <p>Invariants kept (checked by the oracle after every operation):
 * <ul>
 *   <li>mapcount of a page = number of present ptes mapping it, in all page tables; the zero page
 *       and page-table frames are never counted.
 *   <li>refcount of an anonymous page = its mapcount (no swap cache yet); of a page-cache page =
 *       mapcount + 1 (the cache's reference).
 *   <li>A pte maps a writable page ({@link PageTable#RW}) only if its vma has VM_WRITE, and, in a
 *       private vma, only if the page is anonymous and exclusive to that pte's mm.
 *   <li>Every present pte lies inside a vma of its mm; the design is told of every pte that starts
 *       or stops mapping a page, before the page can be freed.
 * </ul>
 * Hot paths (fault, zap, copy, move) allocate nothing on the Java heap except page-table frames'
 * entry arrays, once per 2 MiB of address space.
 *
 * <p>Lock order (for the reader: the model is single-threaded): mmap_lock (read, or the per-vma
 * lock, for a fault; write for exit_mmap), then the pte lock; a fault that needs an anon_vma takes
 * the anon_vma root's rwsem (anon_vma_prepare) before the pte lock; copy_page_range takes the
 * child's pte lock, then the parent's (nested); a zap of file pages runs under i_mmap_rwsem
 * (unmap_mapping_range), taken before the pte lock.
 */
final class Memory {
    /** Fault results (VM_FAULT_*). */
    static final int FAULT_OK = 0;
    static final int FAULT_SIGSEGV = 1;
    static final int FAULT_SIGBUS = 2;
    static final int FAULT_OOM = 3;

    private final Machine k;
    private final Frames f;
    private final RmapDesign design;

    // Counters (per machine).
    long minorFaults;
    /**
     * Of minorFaults, do_read_fault() of a file or shmem page the page cache held: the page is
     * mapped, nothing allocated. (Linux maps up to fault_around_bytes of its cached neighbours in
     * the same fault, filemap_map_pages(); the model faults each page, and the price of one is
     * measured per page read in order, fault-around included.)
     */
    long fileReadFaults;
    long zeroPageMaps;
    long cowCopies;
    /** Of cowCopies, wp_page_copy() of an anonymous page: one another task maps too (after fork). */
    long cowCopiesAnon;
    long cowReuses;
    /**
     * Of cowReuses, those of an anonymous page that was not PG_anon_exclusive: shared once (fork
     * cleared the bit in copy_present_pte), its other mappers gone, so wp_can_reuse_anon_folio()
     * found it alone and folio_move_anon_rmap() took it.
     */
    long cowReusesNonexclusive;
    long anonPagesAllocated;
    long forkPtesCopied;
    long ptesZapped;
    /** Of ptesZapped, the present: only they widen a zap's flush range (6.18 tlb_remove_tlb_entry). */
    long presentPtesZapped;
    long majorFaults;
    long swapIns;
    long swapinCopies;
    /**
     * Ptes the truncation of nonlinear vmas looked at: the whole vma under fix (i), the linear
     * range under 2.6.0's vmtruncate and fix (ii), and the walks of fixes (ii) and (iii).
     */
    long truncateNonlinearPtesScanned;

    Memory(Machine k) {
        this.k = k;
        this.f = k.frames;
        this.design = k.design;
    }

    // ------------------------------------------------------------------ faults

    /**
     * handle_mm_fault(): resolves a fault at addr in vma, whose access has been checked against
     * the vma's protection by the caller (access_error()). Returns a FAULT_* code.
     */
    int handleFault(Vma vma, long addr, boolean write) {
        Mm mm = vma.mm;
        minorFaults++;
        long slot = PageTable.alloc(f, mm, addr);
        if (slot < 0) {
            return FAULT_OOM;
        }
        long pte = PageTable.get(f, slot);
        if (PageTable.isFile(pte)) {
            return k.fremap.doFilePage(vma, addr, slot, write, pte); // handle_pte_fault, 2.6.11
        }
        if (pte == 0 && vma.uffdArmed() && (vma.file == null
                || vma.file.findPage(vma.linearPageIndex(addr)) < 0 && vma.file.findSwap(vma.linearPageIndex(addr)) <= 0)) {
            // do_anonymous_page / shmem_get_folio_gfp: userfaultfd_missing() → handle_userfault().
            // The harness registers with UFFD_FEATURE_SIGBUS, so the fault raises SIGBUS instead
            // of waiting for a handler; the model does the same.
            return FAULT_SIGBUS;
        }
        if (pte == 0) {
            if (vma.file == null) {
                return doAnonymousPage(vma, addr, slot, write);
            }
            return doFileFault(vma, addr, slot, write);
        }
        if (PageTable.isSwap(pte)) {
            return doSwapPage(vma, addr, slot, write);
        }
        if (write && !PageTable.writable(pte)) {
            return doWpPage(vma, addr, slot, pte);
        }
        // Spurious / accessed-bit fault: handle_pte_fault's pte_mkyoung.
        long nv = pte | PageTable.ACCESSED | (write ? PageTable.DIRTY : 0);
        PageTable.set(f, slot, nv);
        return FAULT_OK;
    }

    /**
     * do_anonymous_page(): zero page on a read, a new zeroed page on a write — and on a read too
     * where mm_forbids_zeropage() ({@link Machine#setForbidsZeroPage}): then the read allocates
     * the page and the vma's anon state like a write, and maps it writable and dirty if the vma
     * is writable, as the write path's {@code pte_mkwrite(pte_mkdirty(entry))} does.
     */
    private int doAnonymousPage(Vma vma, long addr, long slot, boolean write) {
        if (!write && !k.forbidsZeroPage) {
            // Use the zero-page for reads (my_zero_pfn), mapped read-only and special.
            PageTable.set(f, slot, PageTable.mkpte(Frames.ZERO_PFN,
                    PageTable.PRESENT | PageTable.USER | PageTable.ACCESSED | PageTable.SPECIAL));
            zeroPageMaps++;
            return FAULT_OK;
        }
        if (design.anonVmaPrepare(vma) != 0) {
            return FAULT_OOM;
        }
        int pfn = f.alloc();
        if (pfn < 0) {
            return FAULT_OOM;
        }
        anonPagesAllocated++;
        f.content[pfn] = 0L;
        newAnonPage(vma, addr, slot, pfn);
        return FAULT_OK;
    }

    /**
     * Maps a freshly allocated frame, its contents already written, as a new exclusive anonymous
     * page at addr of vma (folio_add_new_anon_rmap + set_pte_at). refcount is already 1.
     */
    void newAnonPage(Vma vma, long addr, long slot, int pfn) {
        Mm mm = vma.mm;
        f.flags[pfn] = Frames.PG_ANON | Frames.PG_SWAPBACKED | Frames.PG_ANON_EXCLUSIVE | Frames.PG_DIRTY;
        f.mapcount[pfn] = 1;
        long bits = PageTable.PRESENT | PageTable.USER | PageTable.ACCESSED | PageTable.DIRTY;
        if ((vma.vmFlags & Vma.VM_WRITE) != 0) {
            bits |= PageTable.RW;
        }
        design.stats().rmapAdds++;
        design.pageAddNewAnon(pfn, vma, addr, slot);
        PageTable.set(f, slot, PageTable.mkpte(pfn, bits));
        mm.rssAnon++;
        // lru_cache_add_active(); a page the design made PG_MLOCKED stays off the LRU, as 2.6.28's
        // lru_cache_add_active_or_unevictable() kept it (only pte_chains with step (b) sets it).
        if ((f.flags[pfn] & Frames.PG_MLOCKED) == 0) {
            k.lru.add(pfn, true);
        }
    }

    /**
     * do_read_fault / do_shared_fault / do_cow_fault for a file-backed vma (shmem for shared
     * anonymous memory): find or create the page-cache page, SIGBUS beyond end of file.
     */
    private int doFileFault(Vma vma, long addr, long slot, boolean write) {
        Mm mm = vma.mm;
        AddressSpace as = vma.file;
        long pgoff = vma.linearPageIndex(addr);
        long sizePages = as.sizePages();
        if (pgoff >= sizePages) {
            return FAULT_SIGBUS;
        }
        int pfn = as.findPage(pgoff);
        if (pfn < 0) {
            pfn = shmemGetPage(as, pgoff, slot);
            if (pfn < 0) {
                return -1 - pfn; // out of memory, or a retry
            }
        } else if (!write) {
            fileReadFaults++;
        }
        if (write && (vma.vmFlags & Vma.VM_SHARED) == 0) {
            return doCowFault(vma, addr, slot, pfn);
        }
        f.refcount[pfn]++;
        f.mapcount[pfn]++;
        long bits = PageTable.PRESENT | PageTable.USER | PageTable.ACCESSED;
        if ((vma.vmFlags & (Vma.VM_SHARED | Vma.VM_WRITE)) == (Vma.VM_SHARED | Vma.VM_WRITE)) {
            bits |= PageTable.RW;
        }
        if (write) {
            bits |= PageTable.DIRTY;
        }
        design.stats().rmapAdds++;
        design.pageAddFileRmap(pfn, vma, addr, slot);
        PageTable.set(f, slot, PageTable.mkpte(pfn, bits));
        mm.rssShmem++;
        return FAULT_OK;
    }

    /**
     * shmem_get_folio() of a page the cache does not hold: a new page in the page cache (zeroed,
     * or read back from swap), referenced by the cache (slot: the faulting pte, or -1 for
     * 2.6.11's shmem_populate, which has none to recheck). Returns its pfn, or -1 - FAULT_OOM, or
     * -1 - FAULT_OK when reclaim changed the pte or the cache during the allocation (a retry).
     */
    int shmemGetPage(AddressSpace as, long pgoff, long slot) {
        int s = as.findSwap(pgoff);
        int pfn = f.alloc();
        if (pfn < 0) {
            return -1 - FAULT_OOM;
        }
        if (slot >= 0 && PageTable.get(f, slot) != 0 || as.findPage(pgoff) >= 0 || as.findSwap(pgoff) != s) {
            // Reclaim ran during the allocation and changed what we looked at: retry.
            f.refcount[pfn] = 0;
            f.free(pfn);
            return -1 - FAULT_OK;
        }
        f.flags[pfn] = Frames.PG_SWAPBACKED;
        f.mapping[pfn] = as;
        f.index[pfn] = pgoff;
        if (s > 0) {
            // shmem_swapin_folio(): the page comes back; the shmem entry's count goes.
            f.content[pfn] = k.swap.data(s);
            majorFaults++;
            swapIns++;
            k.swap.count[s]--;
            k.swap.maybeFree(s);
        }
        as.addPage(pgoff, pfn);
        k.lru.add(pfn, false); // add_to_page_cache_lru()
        return pfn;
    }

    /** do_cow_fault(): a private copy of the file page pfn (held while we allocate). */
    private int doCowFault(Vma vma, long addr, long slot, int pfn) {
        if (design.anonVmaPrepare(vma) != 0) {
            return FAULT_OOM;
        }
        f.refcount[pfn]++;
        int np = f.alloc();
        long value = f.content[pfn];
        putPage(pfn);
        if (np < 0) {
            return FAULT_OOM;
        }
        if (PageTable.get(f, slot) != 0) {
            f.refcount[np] = 0;
            f.free(np);
            return FAULT_OK;
        }
        anonPagesAllocated++;
        cowCopies++;
        f.content[np] = value;
        newAnonPage(vma, addr, slot, np);
        return FAULT_OK;
    }

    /**
     * do_swap_page(): the page comes from the swap cache, or is read from the device into it (a
     * major fault); the swap entry's count goes; the page is mapped, writable at once when it is
     * certainly exclusive (the swap pte's exclusive bit, or no other reference), and the swap cache
     * is given up when it is no longer needed (should_try_to_free_swap). A design may ask for a
     * private copy instead (anonmm: the page was moved while on swap, page->index != address).
     */
    private int doSwapPage(Vma vma, long addr, long slot, boolean write) {
        Mm mm = vma.mm;
        long pte = PageTable.get(f, slot); // vmf->orig_pte
        Swapfile sw = k.swap;
        int s = PageTable.swpSlot(pte);
        boolean exclusive = (pte & PageTable.SWP_EXCLUSIVE) != 0;
        int pfn = sw.cachePfn(s);
        if (pfn < 0) {
            pfn = swapinReadahead(slot, pte);
            if (pfn < 0) {
                return -1 - pfn; // out of memory, or a retry
            }
        }
        swapIns++;
        if (design.swapinMustCopy(pfn, vma, addr)) {
            return swapinCopy(vma, addr, slot, pte);
        }
        if (design.anonVmaPrepare(vma) != 0) {
            return FAULT_OOM;
        }
        // A page read back from swap that no pte maps and no design object claims is new to rmap.
        boolean fresh = f.mapcount[pfn] == 0 && f.mapping[pfn] == null;
        if (!FaultInject.on(FaultInject.Bug.SWAPIN_KEEPS_SWAP_COUNT)) {
            sw.count[s]--; // swap_free()
        }
        mm.swapents--;
        mm.rssAnon++;
        f.refcount[pfn]++;
        f.mapcount[pfn]++;
        long bits = PageTable.PRESENT | PageTable.USER | PageTable.ACCESSED;
        boolean mapWritable = false;
        // should_try_to_free_swap(): swap full, mlocked, or a write fault where we may be alone.
        if (sw.full() || (vma.vmFlags & Vma.VM_LOCKED) != 0 || (write && f.refcount[pfn] == 2)) {
            k.swapState.freeSwapCacheIfUnused(s);
        }
        if (exclusive || f.refcount[pfn] == 1) {
            f.flags[pfn] |= Frames.PG_ANON_EXCLUSIVE;
            if ((vma.vmFlags & Vma.VM_WRITE) != 0) {
                mapWritable = true;
                bits |= PageTable.RW;
                if (write) {
                    bits |= PageTable.DIRTY;
                }
            }
        }
        if (fresh) {
            design.stats().rmapAdds++;
            design.pageAddSwapinAnon(pfn, vma, addr, slot, (f.flags[pfn] & Frames.PG_ANON_EXCLUSIVE) != 0);
        } else {
            design.stats().rmapDups++;
            design.pageAddAnonRmap(pfn, vma, addr, slot);
        }
        PageTable.set(f, slot, PageTable.mkpte(pfn, bits));
        if (write && !mapWritable) {
            return doWpPage(vma, addr, slot, PageTable.get(f, slot));
        }
        return FAULT_OK;
    }

    /**
     * swapin_readahead() → __read_swap_cache_async(): a new page in the swap cache for the swap
     * entry pte (at slot). Returns its pfn, or -1 - FAULT_OOM, or -1 - FAULT_OK when reclaim
     * changed things under us during the allocation (a retry).
     */
    private int swapinReadahead(long slot, long pte) {
        Swapfile sw = k.swap;
        int s = PageTable.swpSlot(pte);
        int pfn = f.alloc();
        if (pfn < 0) {
            return -1 - FAULT_OOM;
        }
        if (PageTable.get(f, slot) != pte || sw.cachePfn(s) >= 0) {
            f.refcount[pfn] = 0;
            f.free(pfn);
            return -1 - FAULT_OK; // reclaim changed things under us: retry
        }
        f.flags[pfn] = Frames.PG_ANON | Frames.PG_SWAPBACKED | Frames.PG_SWAPCACHE;
        f.content[pfn] = sw.data(FaultInject.on(FaultInject.Bug.SWAPIN_WRONG_SLOT) ? s % (sw.nrSlots() - 1) + 1 : s);
        f.setSwapSlot(pfn, s);
        sw.cache[s] = pfn; // the allocation's reference is the cache's
        k.lru.add(pfn, true);
        majorFaults++;
        return pfn;
    }

    /**
     * do_swap_page() when the design asks for a private copy at this address
     * ({@link RmapDesign#swapinMustCopy}; anonmm: the page was moved while on swap): a new page
     * with the swap-cache page's contents; the swap entry (orig pte) is dropped.
     */
    private int swapinCopy(Vma vma, long addr, long slot, long pte) {
        Mm mm = vma.mm;
        Swapfile sw = k.swap;
        int s = PageTable.swpSlot(pte);
        int pfn = sw.cachePfn(s);
        f.refcount[pfn]++;
        if (design.anonVmaPrepare(vma) != 0) {
            putPage(pfn);
            return FAULT_OOM;
        }
        int np = f.alloc();
        long value = f.content[pfn];
        putPage(pfn);
        if (np < 0) {
            return FAULT_OOM;
        }
        if (PageTable.get(f, slot) != pte) {
            f.refcount[np] = 0;
            f.free(np);
            return FAULT_OK;
        }
        swapinCopies++;
        anonPagesAllocated++;
        sw.count[s]--;
        mm.swapents--;
        k.swapState.freeSwapCacheIfUnused(s);
        f.content[np] = value;
        newAnonPage(vma, addr, slot, np);
        return FAULT_OK;
    }

    /**
     * do_wp_page(): a write to a present, write-protected pte. Shared mappings just become writable
     * (wp_page_shared); an anonymous page the writer alone maps is reused
     * (wp_can_reuse_anon_folio → folio_move_anon_rmap); anything else is copied (wp_page_copy).
     */
    private int doWpPage(Vma vma, long addr, long slot, long pte) {
        int pfn = PageTable.ptePfn(pte);
        if ((vma.vmFlags & Vma.VM_SHARED) != 0) {
            PageTable.set(f, slot, pte | PageTable.RW | PageTable.DIRTY | PageTable.ACCESSED);
            return FAULT_OK;
        }
        boolean special = (pte & PageTable.SPECIAL) != 0;
        if (!special && (f.flags[pfn] & Frames.PG_ANON) != 0) {
            // wp_can_reuse_anon_folio: exclusive, or the only reference is ours.
            boolean exclusive = (f.flags[pfn] & Frames.PG_ANON_EXCLUSIVE) != 0;
            if (exclusive || f.refcount[pfn] == 1 || FaultInject.on(FaultInject.Bug.COW_REUSES_SHARED)) {
                f.flags[pfn] |= Frames.PG_ANON_EXCLUSIVE | Frames.PG_DIRTY;
                if (!exclusive) {
                    // wp_can_reuse_anon_folio() ends in folio_move_anon_rmap().
                    if (design.anonVmaPrepare(vma) != 0) {
                        return FAULT_OOM;
                    }
                    design.pageReuseAnon(pfn, vma, addr);
                    cowReusesNonexclusive++;
                }
                PageTable.set(f, slot, pte | PageTable.RW | PageTable.DIRTY | PageTable.ACCESSED);
                cowReuses++;
                return FAULT_OK;
            }
        }
        return wpPageCopy(vma, addr, slot, pte);
    }

    /**
     * wp_page_copy(): a new anonymous page with the old contents (zeroed for the zero page) replaces
     * the pte; the old page loses this mapping.
     */
    int wpPageCopy(Vma vma, long addr, long slot, long pte) {
        Mm mm = vma.mm;
        int old = PageTable.ptePfn(pte);
        boolean special = (pte & PageTable.SPECIAL) != 0;
        if (design.anonVmaPrepare(vma) != 0) {
            return FAULT_OOM;
        }
        if (!special) {
            f.refcount[old]++; // folio_get(): the old page stays while we allocate
        }
        int np = f.alloc();
        if (!special) {
            putPage(old);
        }
        if (np < 0) {
            return FAULT_OOM;
        }
        if (PageTable.get(f, slot) != pte) {
            // pte_same() failed: reclaim changed the pte while we allocated; retry the fault.
            f.refcount[np] = 0;
            f.free(np);
            return FAULT_OK;
        }
        anonPagesAllocated++;
        long value = special || FaultInject.on(FaultInject.Bug.COW_NO_COPY) ? 0L : f.content[old];
        if (!special) {
            cowCopies++;
            if ((f.flags[old] & Frames.PG_ANON) != 0) {
                cowCopiesAnon++;
            }
        }
        // The new page goes in first (folio_add_new_anon_rmap, set_pte_at), then the old one
        // loses the pte (folio_remove_rmap_pte) and our reference (folio_put).
        f.content[np] = value;
        newAnonPage(vma, addr, slot, np);
        if (!special) {
            boolean anon = (f.flags[old] & Frames.PG_ANON) != 0;
            f.mapcount[old]--;
            design.stats().rmapRemoves++;
            design.pageRemoveRmap(old, vma, addr, slot);
            if (anon) {
                mm.rssAnon--;
            } else {
                mm.rssShmem--;
            }
            putPage(old);
        }
        return FAULT_OK;
    }

    /** put_page(): drops a reference; the last one frees the frame. */
    void putPage(int pfn) {
        if (--f.refcount[pfn] == 0) {
            if ((f.flags[pfn] & Frames.PG_LRU) != 0) {
                k.lru.remove(pfn);
            }
            design.pageFreed(pfn);
            f.free(pfn);
        } else if (f.refcount[pfn] < 0) {
            throw new IllegalStateException("refcount underflow on pfn " + pfn);
        }
    }

    // ------------------------------------------------------------------ zap

    /**
     * zap_page_range_single / unmap_page_range(): clears every pte of [start, end) in vma and drops
     * the mappings (zap_present_ptes → folio_remove_rmap_ptes, then the references).
     */
    void zapRange(Vma vma, long start, long end) {
        zapRange(vma, start, end, true);
    }

    /** zapRange; without {@code evenCows}, anonymous pages and swap entries stay (should_zap_folio). */
    void zapRange(Vma vma, long start, long end, boolean evenCows) {
        Mm mm = vma.mm;
        if (FaultInject.on(FaultInject.Bug.ZAP_SKIPS_LAST_PAGE) && end - start > Machine.PAGE_SIZE) {
            end -= Machine.PAGE_SIZE;
        }
        long addr = start;
        while (addr < end) {
            long tableEnd = (addr | (PageTable.PMD_SIZE - 1)) + 1;
            long stop = Math.min(tableEnd, end);
            long slot = PageTable.lookup(f, mm.pgd, addr);
            if (slot < 0) {
                addr = stop;
                continue;
            }
            long[] tab = f.tab(PageTable.slotTable(slot));
            int i = PageTable.slotIndex(slot);
            for (; addr < stop; addr += Machine.PAGE_SIZE, i++, slot++) {
                long pte = tab[i];
                if (pte == 0) {
                    continue;
                }
                if (PageTable.isFile(pte)) {
                    // zap_pte_range (2.6.11): "if details->nonlinear_vma, we leave file entries"
                    if (evenCows) {
                        tab[i] = 0;
                        ptesZapped++;
                    }
                    continue;
                }
                if (!evenCows && (PageTable.isSwap(pte) || (pte & PageTable.SPECIAL) == 0
                        && (f.flags[PageTable.ptePfn(pte)] & Frames.PG_ANON) != 0)) {
                    continue;
                }
                tab[i] = 0;
                ptesZapped++;
                if (PageTable.isSwap(pte)) {
                    mm.swapents--;
                    k.swapState.freeSwapAndCache(PageTable.swpSlot(pte));
                    continue;
                }
                presentPtesZapped++; // zap_present_ptes → tlb_remove_tlb_entry: the flush range grows
                if ((pte & PageTable.SPECIAL) != 0) {
                    continue;
                }
                zapPresentPage(vma, addr, slot, PageTable.ptePfn(pte));
            }
        }
    }

    /** zap_present_ptes' page side: the cleared pte's page loses the mapping and its reference. */
    private void zapPresentPage(Vma vma, long addr, long slot, int pfn) {
        f.mapcount[pfn]--;
        design.stats().rmapRemoves++;
        design.pageRemoveRmap(pfn, vma, addr, slot);
        if ((f.flags[pfn] & Frames.PG_ANON) != 0) {
            vma.mm.rssAnon--;
        } else {
            vma.mm.rssShmem--;
        }
        putPage(pfn);
    }

    /**
     * unmap_mapping_range_list() over i_mmap_nonlinear (mm/memory.c, 2.6.11): the whole nonlinear
     * vma is zapped with details-&gt;nonlinear_vma set, so zap_pte_range() clears only present ptes
     * whose page's index lies in [fromPgoff, toPgoff), each left as a file pte where the page was
     * not at its linear index, and leaves file ptes (and swap entries); here over [start, end).
     * madvise_dontneed (2.6.11) zaps a nonlinear vma the same way, every index in range
     * ({@code .last_index = ULONG_MAX}). A file pte naming a truncated pgoff faults SIGBUS (do_file_page's populate fails). Every design gets 2.6.11's
     * rule; 2.6.0's vmtruncate, which zapped by linear offset only (the bug of wli's step (a),
     * docs/reference.md#wli-three-steps), is not modelled.
     */
    void zapNonlinear(Vma vma, long start, long end, long fromPgoff, long toPgoff) {
        for (long addr = start; addr < end; addr += Machine.PAGE_SIZE) {
            long slot = PageTable.lookup(f, vma.mm.pgd, addr);
            if (slot < 0) {
                continue;
            }
            long pte = PageTable.get(f, slot);
            if (!PageTable.present(pte) || (pte & PageTable.SPECIAL) != 0) {
                continue;
            }
            int pfn = PageTable.ptePfn(pte);
            if ((f.flags[pfn] & Frames.PG_ANON) != 0 || f.index[pfn] < fromPgoff || f.index[pfn] >= toPgoff) {
                continue;
            }
            // zap_pte_range (2.6.11): "if (details->nonlinear_vma && linear_page_index(...) !=
            // page->index) set_pte(ptep, pgoff_to_pte(page->index))".
            PageTable.set(f, slot, f.index[pfn] != vma.linearPageIndex(addr) ? PageTable.pgoffToPte(f.index[pfn]) : 0);
            ptesZapped++;
            presentPtesZapped++;
            zapPresentPage(vma, addr, slot, pfn);
        }
    }

    /**
     * unmap_mapping_range() → unmap_mapping_range_tree(): in every vma of i_mmap, zaps the ptes of
     * the file pages of [fromPgoff, toPgoff); with {@code evenCows} (truncation) the private
     * copies and their swap entries in private vmas too, without it (hole punching) they stay
     * (zap_details.even_cows, should_zap_folio / should_zap_cows).
     */
    void unmapMappingRange(AddressSpace as, long fromPgoff, long toPgoff, boolean evenCows) {
        evenCows &= !FaultInject.on(FaultInject.Bug.TRUNCATE_SPARES_COWS);
        java.util.List<Vma> iMmap = as.iMmap;
        NonlinearTruncate mode = k.config.truncate();
        for (int i = 0, n = iMmap.size(); i < n; i++) {
            Vma vma = iMmap.get(i);
            if (vma.isNonlinear() && evenCows && mode != NonlinearTruncate.EXHAUSTIVE) {
                // Truncation by wli's modes: (iii) no zap of the vma at all; 2.6.0's vmtruncate and
                // (ii) zap_page_range by linear offset, as if the vma were linear (below).
                if (mode == NonlinearTruncate.UNMAP) {
                    continue;
                }
            } else if (vma.isNonlinear()) {
                truncateNonlinearPtesScanned += evenCows ? (vma.vmEnd - vma.vmStart) >>> Machine.PAGE_SHIFT : 0;
                zapNonlinear(vma, vma.vmStart, vma.vmEnd, fromPgoff, toPgoff);
                continue;
            }
            long vmaLast = vma.vmPgoff + ((vma.vmEnd - vma.vmStart) >>> Machine.PAGE_SHIFT);
            if (fromPgoff >= vmaLast || toPgoff <= vma.vmPgoff) {
                continue;
            }
            long start = fromPgoff <= vma.vmPgoff ? vma.vmStart
                    : vma.vmStart + ((fromPgoff - vma.vmPgoff) << Machine.PAGE_SHIFT);
            long end = toPgoff >= vmaLast ? vma.vmEnd
                    : vma.vmStart + ((toPgoff - vma.vmPgoff) << Machine.PAGE_SHIFT);
            if (vma.isNonlinear()) {
                truncateNonlinearPtesScanned += (end - start) >>> Machine.PAGE_SHIFT;
            }
            zapRange(vma, start, end, evenCows);
        }
    }

    /**
     * wli's fixes (ii) and (iii) ({@link NonlinearTruncate#CLEANUP}, {@link NonlinearTruncate#UNMAP}):
     * after the zaps, try_to_unmap() on every page of [fromPgoff, toPgoff) that a pte still maps
     * (the design's walk, with 2.6.11's nonlinear cluster pass); the ptes its walks check count as
     * scanned. A SWAP_AGAIN (the cluster pass ran out of cursor before it found every pte, then
     * reset the cursors) is tried again, as reclaim would retry the page, up to
     * {@link #TRUNCATE_UNMAP_TRIES} times (a model bound: the proposal names none). A page mapped
     * by a VM_LOCKED vma cannot be unmapped (SWAP_FAIL) and stays mapped. Nothing to do in the
     * other modes.
     */
    static final int TRUNCATE_UNMAP_TRIES = 4;

    void truncateUnmapPass(AddressSpace as, long fromPgoff, long toPgoff) {
        NonlinearTruncate mode = k.config.truncate();
        if (mode != NonlinearTruncate.CLEANUP && mode != NonlinearTruncate.UNMAP) {
            return;
        }
        RmapStats st = design.stats();
        for (long pgoff = as.nextEntry(fromPgoff); pgoff >= 0 && pgoff < toPgoff; pgoff = as.nextEntry(pgoff + 1)) {
            int pfn = as.findPage(pgoff);
            for (int tries = 0; pfn >= 0 && f.mapcount[pfn] > 0 && tries < TRUNCATE_UNMAP_TRIES; tries++) {
                long before = st.walkPtesChecked;
                int r = k.rmap.tryToUnmap(pfn, true);
                truncateNonlinearPtesScanned += st.walkPtesChecked - before;
                if (r == Rmap.SWAP_FAIL) {
                    break;
                }
            }
        }
    }

    // ------------------------------------------------------------------ fork

    /**
     * vma_needs_copy(): fork copies page tables only where anonymous pages may be — unless the
     * design copies every pte at fork ({@link DesignTraits#forkCopiesEveryPte}: before 2.6.14's lazy
     * page-table copies, d992895ba2b2, dup_mmap called copy_page_range for every vma).
     */
    boolean vmaNeedsCopy(Vma src) {
        // 2.6.14's copy_page_range copies a VM_NONLINEAR vma's ptes too: its file ptes cannot be
        // faulted back from the linear index.
        return src.anonVma != null || k.traits.forkCopiesEveryPte() || src.isNonlinear();
    }

    /**
     * copy_page_range() → copy_pte_range() → copy_present_pte(): the child's ptes share the
     * parent's pages; in a COW mapping both sides are write-protected. Returns false on OOM.
     */
    boolean copyPageRange(Vma dst, Vma src) {
        if (!vmaNeedsCopy(src)) {
            return true;
        }
        boolean cow = src.isCowMapping();
        long end = src.vmEnd;
        for (long addr = src.vmStart; addr < end; ) {
            long tableEnd = (addr | (PageTable.PMD_SIZE - 1)) + 1;
            long stop = Math.min(tableEnd, end);
            if (!copyPteRange(dst, src, addr, stop, cow)) {
                return false;
            }
            addr = stop;
        }
        return true;
    }

    /**
     * copy_pte_range(): the ptes of [addr, end), inside one page table of src's mm, into dst's mm;
     * the child's table is allocated at the first pte to copy. Returns false on OOM.
     */
    private boolean copyPteRange(Vma dst, Vma src, long addr, long end, boolean cow) {
        long sslot = PageTable.lookup(f, src.mm.pgd, addr);
        if (sslot < 0) {
            return true;
        }
        long[] stab = f.tab(PageTable.slotTable(sslot));
        int i = PageTable.slotIndex(sslot);
        long dslot = -1;
        for (; addr < end; addr += Machine.PAGE_SIZE, i++) {
            if (stab[i] == 0) {
                continue;
            }
            if (dslot < 0) {
                dslot = PageTable.alloc(f, dst.mm, addr);
                if (dslot < 0) {
                    return false;
                }
            } else {
                dslot = PageTable.slot(PageTable.slotTable(dslot), PageTable.idx(addr, Machine.PAGE_SHIFT));
            }
            long pte = stab[i]; // read after the allocation: reclaim may have run
            if (pte == 0) {
                continue;
            }
            if (PageTable.isFile(pte)) {
                PageTable.set(f, dslot, pte); // copy_one_pte (2.6.11): a file pte is copied as it is
            } else if (PageTable.isSwap(pte)) {
                copyNonpresentPte(dst.mm, stab, i, dslot, pte);
            } else {
                copyPresentPte(dst, src, addr, stab, i, dslot, pte, cow);
            }
        }
        return true;
    }

    /** copy_nonpresent_pte(): swap_duplicate(); neither side is exclusive any more. */
    private void copyNonpresentPte(Mm dstMm, long[] stab, int i, long dslot, long pte) {
        k.swap.count[PageTable.swpSlot(pte)]++;
        pte &= ~PageTable.SWP_EXCLUSIVE;
        stab[i] = pte;
        PageTable.set(f, dslot, pte);
        dstMm.swapents++;
    }

    /**
     * copy_present_pte(): the child's pte at dslot maps the parent's page (not the zero page's
     * special pte); a COW mapping write-protects both; the child's is clean in a shared mapping
     * and never young.
     */
    private void copyPresentPte(Vma dst, Vma src, long addr, long[] stab, int i, long dslot, long pte, boolean cow) {
        forkPtesCopied++;
        if ((pte & PageTable.SPECIAL) == 0) {
            copyPresentPage(dst, addr, dslot, PageTable.ptePfn(pte));
        }
        if (cow && PageTable.writable(pte) && !FaultInject.on(FaultInject.Bug.FORK_KEEPS_WRITE)) {
            pte &= ~PageTable.RW;
            stab[i] = pte;
        }
        if ((src.vmFlags & Vma.VM_SHARED) != 0) {
            pte &= ~PageTable.DIRTY;
        }
        pte &= ~PageTable.ACCESSED;
        PageTable.set(f, dslot, pte);
    }

    /**
     * copy_present_pte()'s page side: the child's pte at dslot (addr in dst) maps pfn too, one
     * more reference and mapping, and the design hears of the dup.
     */
    private void copyPresentPage(Vma dst, long addr, long dslot, int pfn) {
        Mm dstMm = dst.mm;
        f.refcount[pfn]++;
        f.mapcount[pfn]++;
        if ((f.flags[pfn] & Frames.PG_ANON) != 0) {
            // folio_try_dup_anon_rmap_pte: the page is no longer exclusive.
            f.flags[pfn] &= ~Frames.PG_ANON_EXCLUSIVE;
            design.stats().rmapDups++;
            if (!FaultInject.on(FaultInject.Bug.FORK_FORGETS_PTE)) {
                design.pageDupRmap(pfn, dst, addr, dslot);
            }
            dstMm.rssAnon++;
        } else {
            // folio_dup_file_rmap_pte (2.6.7: page_dup_rmap; 2.6.0: page_add_rmap, which
            // pte_chains' hook makes it): a dup, as for anonymous pages.
            design.stats().rmapDups++;
            design.pageAddFileRmap(pfn, dst, addr, dslot);
            dstMm.rssShmem++;
        }
    }

}
