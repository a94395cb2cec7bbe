package org.rmaplab.mm;

import java.util.List;

/**
 * What a reverse-mapping design may use of the machine, and nothing more: the page frames (struct
 * page's fields), the swap map, the machine's configuration, the live address spaces (for the
 * designs' self-checks), the pte lookup of a walk (page_vma_mapped_walk), the LRU isolation of
 * mlocked pages, and the file walk (rmap_walk_file). {@link Machine} implements it;
 * {@link RmapDesign#attach} receives it, so a design never reaches a system call or the machine's
 * other state.
 */
public interface RmapHost {

    /** The page frames: struct page's refcount, mapcount, flags, mapping and index. */
    Frames frames();

    /** The swap map (swap counts, the swap cache). */
    Swapfile swap();

    /** The machine's configuration (the arch profile, RAM and swap size). */
    MachineConfig config();

    /** Live address spaces, in creation order. */
    List<Mm> mms();

    /**
     * For a design's walk: the slot of the pte that maps pfn at address in vma's mm, or -1
     * (page_vma_mapped_walk on one address). Counts as one pte checked for the design.
     */
    long pageMappedAt(int pfn, Vma vma, long address);

    /**
     * For a design that walks address spaces rather than vmas (anonmm): the slot of the pte that
     * maps pfn at address in mm, or -1. Counts as one pte checked for the design.
     */
    long pageMappedInMm(int pfn, Mm mm, long address);

    /**
     * The page's first mlocked mapping (the design counts them): PG_mlocked is set and the page
     * leaves its LRU list, if it is on one (2.6.28's mlock_vma_page → isolate_lru_page, today's
     * mlock_folio), counted as one "pg_mlocked" object of the design.
     */
    void mlockPage(int pfn);

    /**
     * The page's last mlocked mapping is gone: PG_mlocked is cleared and the page goes back to the
     * head of the active list (munlock_vma_page → putback_lru_page, today's munlock_folio).
     */
    void munlockPage(int pfn);

    /**
     * rmap_walk_file() (mm/rmap.c): visits the ptes that map the page-cache page pfn through its
     * file's i_mmap, as the design's era kept it ({@link FileRmap}).
     */
    void rmapWalkFile(int pfn, RmapWalkControl ctl, RmapStats stats, FileRmap.IMmap kind);

    /**
     * The file page pfn's i_mmap as the era of {@code kind} kept it, for the explorer
     * ({@link RmapStructure}); null when pfn is not a page-cache page. Read only.
     */
    RmapStructure.Node fileStructure(int pfn, FileRmap.IMmap kind);
}
