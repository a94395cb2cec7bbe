package org.rmaplab.mm;

/**
 * arch/x86/include/asm/pgtable_64_types.h: x86-64 four-level page tables, PGD (PML4), PUD, PMD
 * and PTE levels of 512 entries each, every table a frame of {@link Frames}.
 *
 * <p>Entry format, as on x86: bits 12..51 hold the pfn, the low bits are flags
 * ({@link #PRESENT}, {@link #RW}, {@link #USER}, {@link #ACCESSED}, {@link #DIRTY},
 * {@link #SPECIAL}). An upper-level entry points to the next table. A pte that is 0 is
 * pte_none(); a non-zero pte without {@link #PRESENT} is a swap entry ({@link #SWP_ENTRY}) or, in
 * a nonlinear vma, a file pte ({@link #PTE_FILE}).
 *
 * <p>A pte is named by its <em>slot</em>: {@code (page-table pfn << 9) | index}, i.e. the pte's
 * physical address divided by 8 — what 2.6.0's pte_addr_t held. {@link #slotMm} and
 * {@link #slotAddress} lead back from a slot to (mm, virtual address) through the table frame's
 * mapping and index, as ptep_to_mm() and ptep_to_address() did.
 *
 * <p>Page tables are freed only by {@link #freePgdRange} (free_pgtables), never when they merely
 * become empty, as in Linux.
 */
public final class PageTable {
    private PageTable() {}

    /** PAGE_SHIFT, PAGE_SIZE, PAGE_MASK (arch/x86/include/asm/page_types.h): 4 KiB pages. */
    public static final int PAGE_SHIFT = 12;
    public static final long PAGE_SIZE = 1L << PAGE_SHIFT;
    public static final long PAGE_MASK = ~(PAGE_SIZE - 1);

    /**
     * PAGE_ALIGN() (include/linux/mm.h): len rounded up to a whole page. The project's one page
     * rounding: the core, the oracle and the trace converter all round through here.
     */
    public static long pageAlign(long len) {
        return (len + PAGE_SIZE - 1) & PAGE_MASK;
    }

    /** offset_in_page() (include/linux/mm.h): the byte offset of addr in its page. */
    public static long offsetOf(long addr) {
        return addr & ~PAGE_MASK;
    }

    /** offset_in_page() (include/linux/mm.h) is not 0. */
    public static boolean offsetInPage(long addr) {
        return offsetOf(addr) != 0;
    }

    /**
     * DIV_ROUND_UP(size, PAGE_SIZE) for an unsigned byte count: the pages that hold size bytes,
     * the first page index past them (exact up to 2^64 - 1 bytes, as i_size is unsigned).
     */
    public static long pagesUp(long size) {
        return (size >>> PAGE_SHIFT) + (offsetInPage(size) ? 1 : 0);
    }

    public static final int PTRS_PER_TABLE = 512;
    public static final int PMD_SHIFT = 21;
    public static final int PUD_SHIFT = 30;
    public static final int PGDIR_SHIFT = 39;
    public static final long PMD_SIZE = 1L << PMD_SHIFT;
    public static final long PUD_SIZE = 1L << PUD_SHIFT;
    public static final long PGDIR_SIZE = 1L << PGDIR_SHIFT;

    public static final long PRESENT = 1L;
    public static final long RW = 1L << 1;
    public static final long USER = 1L << 2;
    public static final long ACCESSED = 1L << 5;
    public static final long DIRTY = 1L << 6;
    /** _PAGE_SPECIAL: a pte with no struct page behind it for rmap purposes (the zero page). */
    public static final long SPECIAL = 1L << 9;
    private static final long PFN_MASK = 0x000ffffffffff000L;
    /**
     * A swap entry in a pte: not present, this marker bit set, the swap slot in bits 12 and up
     * (the model's pte_to_swp_entry / swp_entry_to_pte).
     */
    public static final long SWP_ENTRY = 1L << 8;
    /** _PAGE_SWP_EXCLUSIVE: the page was exclusive to this pte when it was swapped out. */
    public static final long SWP_EXCLUSIVE = 1L << 3;

    public static long mkswp(int slot, boolean exclusive) {
        return ((long) slot << PAGE_SHIFT) | SWP_ENTRY | (exclusive ? SWP_EXCLUSIVE : 0);
    }

    /** is_swap_pte(): neither none nor present. */
    public static boolean isSwap(long pte) {
        return (pte & PRESENT) == 0 && (pte & SWP_ENTRY) != 0;
    }

    public static int swpSlot(long pte) {
        return (int) (pte >>> PAGE_SHIFT);
    }

    /**
     * _PAGE_FILE (include/asm-i386/pgtable.h, 2.6.11: {@code 0x040}, the dirty bit's place, "set:
     * pagecache unset:swap"): a non-present pte that holds a file page offset rather than a swap
     * entry, left by try_to_unmap_cluster() / try_to_unmap_one() and install_file_pte() in a
     * nonlinear vma (VM_NONLINEAR, {@code machine remap=nonlinear}).
     */
    public static final long PTE_FILE = 1L << 6;

    /** pgoff_to_pte() (2.6.11): a file pte naming page pgoff of the vma's file, in bits 12 and up. */
    public static long pgoffToPte(long pgoff) {
        return (pgoff << PAGE_SHIFT) | PTE_FILE;
    }

    /** pte_file() (2.6.11): not present and the file bit set (swap entries never set it). */
    public static boolean isFile(long pte) {
        return (pte & PRESENT) == 0 && (pte & PTE_FILE) != 0;
    }

    /** pte_to_pgoff() (2.6.11): the file page offset a file pte holds. */
    public static long pteToPgoff(long pte) {
        return pte >>> PAGE_SHIFT;
    }

    /** Upper-level entry flags (_PAGE_TABLE). */
    private static final long TABLE_FLAGS = PRESENT | RW | USER | ACCESSED | DIRTY;

    public static long mkpte(int pfn, long flags) {
        return ((long) pfn << PAGE_SHIFT) | flags;
    }

    public static int ptePfn(long pte) {
        return (int) ((pte & PFN_MASK) >>> PAGE_SHIFT);
    }

    public static boolean present(long pte) {
        return (pte & PRESENT) != 0;
    }

    public static boolean writable(long pte) {
        return (pte & RW) != 0;
    }

    public static long slot(int tablePfn, int idx) {
        return ((long) tablePfn << 9) | idx;
    }

    public static int slotTable(long slot) {
        return (int) (slot >>> 9);
    }

    public static int slotIndex(long slot) {
        return (int) (slot & 511);
    }

    static int idx(long addr, int shift) {
        return (int) ((addr >>> shift) & 511);
    }

    /** The pte at a slot. */
    public static long get(Frames f, long slot) {
        return f.tab(slotTable(slot))[slotIndex(slot)];
    }

    /**
     * ptep_test_and_clear_young(): clears the accessed bit of the pte at a slot and says whether it
     * was set (for a design's page_referenced()). Changes nothing a program can see.
     */
    public static boolean testAndClearYoung(Frames f, long slot) {
        long[] tab = f.tab(slotTable(slot));
        int i = slotIndex(slot);
        long pte = tab[i];
        if (!present(pte) || (pte & ACCESSED) == 0) {
            return false;
        }
        tab[i] = pte & ~ACCESSED;
        return true;
    }

    static void set(Frames f, long slot, long pte) {
        f.tab(slotTable(slot))[slotIndex(slot)] = pte;
    }

    /** ptep_to_mm(): the mm whose page table holds the slot. */
    public static Mm slotMm(Frames f, long slot) {
        return (Mm) f.mapping[slotTable(slot)];
    }

    /** ptep_to_address(): the user address the slot maps. */
    public static long slotAddress(Frames f, long slot) {
        return f.index[slotTable(slot)] + ((long) slotIndex(slot) << PAGE_SHIFT);
    }

    /** What {@link #forEachPresentPage} hands each present pte of a user page. */
    public interface PresentPage {
        void pte(long slot, int pfn);
    }

    /**
     * Each present pte of [start, end) in MM's page tables that maps a user page (not the zero
     * page's special pte), in address order, skipping a missing pte table whole — the shape of
     * mlock_pte_range() (mm/mlock.c) under walk_page_range().
     */
    public static void forEachPresentPage(Frames f, Mm mm, long start, long end, PresentPage v) {
        if (mm.pgd() < 0) {
            return;
        }
        for (long addr = start; addr < end; addr += PAGE_SIZE) {
            long slot = lookup(f, mm.pgd(), addr);
            if (slot < 0) {
                // No pte table here: on to the next one.
                addr = Math.min(end, (addr | (PMD_SIZE - 1)) + 1) - PAGE_SIZE;
                continue;
            }
            long e = get(f, slot);
            if (present(e) && (e & SPECIAL) == 0) {
                v.pte(slot, ptePfn(e));
            }
        }
    }

    /**
     * The slot of the pte for addr, or -1 when a table on the way is missing (no allocation).
     * (pgd_offset / p4d / pud_offset / pmd_offset / pte_offset_map.)
     */
    public static long lookup(Frames f, int pgd, long addr) {
        long e = f.tab(pgd)[idx(addr, PGDIR_SHIFT)];
        if (e == 0) {
            return -1;
        }
        e = f.tab(ptePfn(e))[idx(addr, PUD_SHIFT)];
        if (e == 0) {
            return -1;
        }
        e = f.tab(ptePfn(e))[idx(addr, PMD_SHIFT)];
        if (e == 0) {
            return -1;
        }
        return slot(ptePfn(e), idx(addr, PAGE_SHIFT));
    }

    /**
     * The slot of the pte for addr, allocating missing tables (__pud_alloc, __pmd_alloc,
     * __pte_alloc); -1 when memory is exhausted.
     */
    static long alloc(Frames f, Mm mm, long addr) {
        long pmd = pmdSlotAlloc(f, mm, addr);
        if (pmd < 0) {
            return -1;
        }
        long e = get(f, pmd);
        if (e == 0) {
            int nt = f.allocTable(mm, addr & ~(PMD_SIZE - 1));
            if (nt < 0) {
                return -1;
            }
            mm.pgtableAdded();
            e = mkpte(nt, TABLE_FLAGS);
            setPmd(f, mm, pmd, e);
        }
        return slot(ptePfn(e), idx(addr, PAGE_SHIFT));
    }

    private static final int[] SHIFTS = {PGDIR_SHIFT, PUD_SHIFT, PMD_SHIFT};

    /** The PTE-table frame covering addr, or -1. */
    static int pteTable(Frames f, int pgd, long addr) {
        long s = lookup(f, pgd, addr);
        return s < 0 ? -1 : slotTable(s);
    }

    /** The PMD entry's slot for addr (for whole-table moves), or -1 if the PMD table is missing. */
    static long pmdSlot(Frames f, int pgd, long addr) {
        long e = f.tab(pgd)[idx(addr, PGDIR_SHIFT)];
        if (e == 0) {
            return -1;
        }
        e = f.tab(ptePfn(e))[idx(addr, PUD_SHIFT)];
        if (e == 0) {
            return -1;
        }
        return slot(ptePfn(e), idx(addr, PMD_SHIFT));
    }

    /**
     * The PUD entry's slot for addr, or -1 if the PUD table is missing (the first half of
     * get_old_pud(); the caller tests the entry for pud_none).
     */
    static long pudSlot(Frames f, int pgd, long addr) {
        long e = f.tab(pgd)[idx(addr, PGDIR_SHIFT)];
        if (e == 0) {
            return -1;
        }
        return slot(ptePfn(e), idx(addr, PUD_SHIFT));
    }

    /** alloc_new_pud(): the PUD slot for addr, allocating the PUD table if needed; -1 on OOM. */
    static long pudSlotAlloc(Frames f, Mm mm, long addr) {
        int i = idx(addr, PGDIR_SHIFT);
        long[] pgd = f.tab(mm.pgd);
        long e = pgd[i];
        if (e == 0) {
            int nt = f.allocTable(mm, addr & ~(PGDIR_SIZE - 1));
            if (nt < 0) {
                return -1;
            }
            mm.pgtableAdded();
            e = mkpte(nt, TABLE_FLAGS);
            pgd[i] = e;
        }
        return slot(ptePfn(e), idx(addr, PUD_SHIFT));
    }

    /**
     * pte_alloc(): the PTE table the PMD entry at pmdSlot points to, allocating it (for addr's
     * span) if the entry is none; -1 on OOM.
     */
    static int pteAlloc(Frames f, Mm mm, long pmdSlot, long addr) {
        long e = get(f, pmdSlot);
        if (e == 0) {
            int nt = f.allocTable(mm, addr & ~(PMD_SIZE - 1));
            if (nt < 0) {
                return -1;
            }
            mm.pgtableAdded();
            e = mkpte(nt, TABLE_FLAGS);
            setPmd(f, mm, pmdSlot, e); // pmd_populate: counted in the mm's PTE tables
        }
        return ptePfn(e);
    }

    /** The PMD slot for addr, allocating the PUD and PMD tables if needed; -1 on OOM. */
    static long pmdSlotAlloc(Frames f, Mm mm, long addr) {
        int t = mm.pgd;
        for (int level = 0; level < 2; level++) {
            int shift = SHIFTS[level];
            int i = idx(addr, shift);
            long e = f.tab(t)[i];
            if (e == 0) {
                long span = 1L << shift;
                int nt = f.allocTable(mm, addr & ~(span - 1));
                if (nt < 0) {
                    return -1;
                }
                mm.pgtableAdded();
                f.tab(t)[i] = mkpte(nt, TABLE_FLAGS);
                t = nt;
            } else {
                t = ptePfn(e);
            }
        }
        return slot(t, idx(addr, PMD_SHIFT));
    }

    static long mkTableEntry(int pfn) {
        return mkpte(pfn, TABLE_FLAGS);
    }

    /**
     * pmd_populate(): points the empty PMD entry at pmdSlot to a PTE table (entry) and counts it
     * in mm's {@link Mm#pteTables} and, when the other 2 MiB half of its 4 MiB range has no table,
     * {@link Mm#pteTables4M}. Every PMD entry the model fills goes through here.
     */
    static void setPmd(Frames f, Mm mm, long pmdSlot, long entry) {
        set(f, pmdSlot, entry);
        mm.pteTableAdded(get(f, pmdSlot ^ 1) == 0);
    }

    /**
     * pmd_clear(): empties the PMD entry at pmdSlot (its PTE table freed or moved away), undoing
     * {@link #setPmd}'s counts. The 4 MiB pairs are entries 2i and 2i+1 of one PMD table, which
     * spans 1 GiB, so a pair never straddles two tables.
     */
    static void clearPmd(Frames f, Mm mm, long pmdSlot) {
        set(f, pmdSlot, 0);
        mm.pteTableRemoved(get(f, pmdSlot ^ 1) == 0);
    }

    /**
     * What free_pgd_range() passes down its levels: the frames, the mm (with the mmu_gather in
     * Linux) and [floor, ceiling), where no vma lies but in the range being freed. Made once per
     * call, not per table.
     */
    record FreeRange(Frames f, Mm mm, long floor, long ceiling) {}

    /**
     * free_pgd_range(): frees the page tables that map only [addr, end), given that no vma lies
     * in [floor, addr) or [end, ceiling) (ceiling 0 means the top of the address space). Tables
     * whose span reaches outside [floor, ceiling) are kept. Mirrors mm/memory.c free_pgd_range,
     * free_p4d_range (folded on 4-level x86-64), free_pud_range, free_pmd_range, free_pte_range:
     * a PTE table in the range is freed whether or not it still holds entries — the caller has
     * zapped them.
     */
    static void freePgdRange(FreeRange r, long addr, long end) {
        Frames f = r.f();
        Mm mm = r.mm();
        long floor = r.floor();
        long ceiling = r.ceiling();
        addr &= ~(PMD_SIZE - 1);
        if (addr < floor) {
            addr += PMD_SIZE;
            if (addr == 0) {
                return;
            }
        }
        if (ceiling != 0) {
            ceiling &= ~(PMD_SIZE - 1);
            if (ceiling == 0) {
                return;
            }
        }
        if (Long.compareUnsigned(end - 1, ceiling - 1) > 0) {
            end -= PMD_SIZE;
        }
        if (Long.compareUnsigned(addr, end - 1) > 0) {
            return;
        }
        FreeRange down = ceiling == r.ceiling() ? r : new FreeRange(f, mm, floor, ceiling);
        long[] pgd = f.tab(mm.pgd);
        long a = addr;
        do {
            long next = addrEnd(a, end, PGDIR_SIZE);
            int i = idx(a, PGDIR_SHIFT);
            if (pgd[i] != 0) {
                freePudRange(down, slot(mm.pgd, i), a, next);
            }
            a = next;
        } while (a != end);
    }

    /**
     * free_pud_range(): frees what lies below the PUD table that the PGD entry at pgdSlot points
     * to, then the table itself if its whole span is inside [floor, ceiling).
     */
    private static void freePudRange(FreeRange r, long pgdSlot, long addr, long end) {
        Frames f = r.f();
        long[] pgd = f.tab(slotTable(pgdSlot));
        int pi = slotIndex(pgdSlot);
        int t = ptePfn(pgd[pi]);
        long[] tab = f.tab(t);
        long a = addr;
        do {
            long next = addrEnd(a, end, PUD_SIZE);
            int i = idx(a, PUD_SHIFT);
            if (tab[i] != 0) {
                freePmdRange(r, slot(t, i), a, next);
            }
            a = next;
        } while (a != end);
        if (spanInside(r, addr, end, ~(PGDIR_SIZE - 1))) {
            pgd[pi] = 0;
            freeTable(f, r.mm(), t);
        }
    }

    /**
     * free_pmd_range(): frees the PTE tables (free_pte_range) below the PMD table that the PUD
     * entry at pudSlot points to, then the table itself if its whole span is inside [floor, ceiling).
     */
    private static void freePmdRange(FreeRange r, long pudSlot, long addr, long end) {
        Frames f = r.f();
        long[] pud = f.tab(slotTable(pudSlot));
        int pi = slotIndex(pudSlot);
        int t = ptePfn(pud[pi]);
        long[] tab = f.tab(t);
        long a = addr;
        do {
            long next = addrEnd(a, end, PMD_SIZE);
            int i = idx(a, PMD_SHIFT);
            if (tab[i] != 0) {
                freeTable(f, r.mm(), ptePfn(tab[i])); // free_pte_range
                clearPmd(f, r.mm(), slot(t, i));
            }
            a = next;
        } while (a != end);
        if (spanInside(r, addr, end, ~(PUD_SIZE - 1))) {
            pud[pi] = 0;
            freeTable(f, r.mm(), t);
        }
    }

    /**
     * The test that ends free_pud_range() / free_pmd_range(): may the table spanning
     * [start &amp; mask, ...) for [start, end) go, its whole span inside [floor, ceiling)?
     */
    private static boolean spanInside(FreeRange r, long start, long end, long mask) {
        start &= mask;
        if (start < r.floor()) {
            return false;
        }
        long ceiling = r.ceiling();
        if (ceiling != 0) {
            ceiling &= mask;
            if (ceiling == 0) {
                return false;
            }
        }
        return Long.compareUnsigned(end - 1, ceiling - 1) <= 0;
    }

    /** pgd_addr_end / pud_addr_end / pmd_addr_end. */
    private static long addrEnd(long addr, long end, long size) {
        long boundary = (addr + size) & ~(size - 1);
        return Long.compareUnsigned(boundary - 1, end - 1) < 0 ? boundary : end;
    }

    static boolean tableEmpty(Frames f, int t) {
        long[] tab = f.tab(t);
        for (int i = 0; i < PTRS_PER_TABLE; i++) {
            if (tab[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static void freeTable(Frames f, Mm mm, int t) {
        mm.pgtableFreed();
        f.refcount[t] = 0;
        f.free(t);
    }

    /** Frees every table below the PGD and the PGD itself (exit_mmap → free_pgtables, pgd_free). */
    static void freeAll(Frames f, Mm mm) {
        freeSubtree(f, mm, mm.pgd, 0);
        mm.pgtableFreed();
        mm.pteTablesCleared();
        f.refcount[mm.pgd] = 0;
        f.free(mm.pgd);
        mm.pgd = -1;
    }

    private static void freeSubtree(Frames f, Mm mm, int t, int level) {
        long[] tab = f.tab(t);
        for (int i = 0; i < PTRS_PER_TABLE; i++) {
            long e = tab[i];
            if (e != 0) {
                int child = ptePfn(e);
                if (level < 2) {
                    freeSubtree(f, mm, child, level + 1);
                }
                freeTable(f, mm, child);
                tab[i] = 0;
            }
        }
    }
}
