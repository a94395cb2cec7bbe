package org.rmaplab.rmap.avc;

import org.rmaplab.mm.Frames;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.RmapHost;
import org.rmaplab.mm.Vma;

/**
 * Today's unevictable list (mm/mlock.c, since 2.6.28; {@code ReclaimEra.TODAY}): a page mapped by
 * a pte of a VM_LOCKED vma is PG_mlocked and off the LRU, so reclaim never meets it, let alone
 * walks it. The rmap calls of today's kernel do it — folio_add_new_anon_rmap /
 * folio_add_anon_rmap_ptes / folio_add_file_rmap_ptes end in mlock_vma_folio() for a VM_LOCKED
 * vma (mlock_new_folio for a new page at fault), folio_remove_rmap_ptes() in munlock_vma_folio(),
 * and mlock(2) / munlock(2) walk their range's ptes (mlock_pte_range → mlock_folio /
 * munlock_folio) — and so do the design's hooks here.
 *
 * <p>The count: the kernel's folio-&gt;mlock_count counts the mlocked vmas that map the folio, one
 * per pte for the small pages the model has; the model keeps it in a column of its own (the
 * kernel's shares page-&gt;lru, free while the folio is off the LRU). Non-zero exactly when the
 * page is PG_mlocked and off the LRU: the oracle checks it. The mlock_count's approximations (a
 * folio mlocked and not yet counted, the count going to 0 early and a later reclaim walk
 * restoring the mlock) are not modelled: the count is always exact. Allocation-free.
 */
final class Unevictable {
    private final RmapHost host;
    private final Frames frames;
    /** Ptes of VM_LOCKED vmas that map the page (folio-&gt;mlock_count). */
    private final int[] mlockCount;

    Unevictable(RmapHost host) {
        this.host = host;
        this.frames = host.frames();
        this.mlockCount = new int[frames.nrFrames()];
    }

    /** A pte of vma now maps the page: mlock_vma_folio() if vma is VM_LOCKED. */
    void ptesAdded(int pfn, Vma vma) {
        if ((vma.flags() & Vma.VM_LOCKED) != 0) {
            mlockFolio(pfn);
        }
    }

    /** A pte of vma stopped mapping the page: munlock_vma_folio() if vma is VM_LOCKED. */
    void pteRemoved(int pfn, Vma vma) {
        if ((vma.flags() & Vma.VM_LOCKED) != 0) {
            munlockFolio(pfn);
        }
    }

    /** UFFDIO_MOVE moved the page's pte from srcVma to dstVma, whose VM_LOCKED may differ. */
    void pteMoved(int pfn, Vma srcVma, Vma dstVma) {
        pteRemoved(pfn, srcVma);
        ptesAdded(pfn, dstVma);
    }

    /**
     * mlock_folio(): the first mlocked mapping makes the page PG_mlocked and takes it off the LRU
     * (to the unevictable list, which the model does not keep as a list).
     */
    private void mlockFolio(int pfn) {
        if (mlockCount[pfn]++ == 0) {
            if (!org.rmaplab.mm.FaultInject.on(org.rmaplab.mm.FaultInject.Bug.AVC_MLOCKED_ON_LRU)) {
                host.mlockPage(pfn);
            }
        }
    }

    /** munlock_folio(): the last mlocked mapping gone, PG_mlocked is cleared and the page evictable. */
    private void munlockFolio(int pfn) {
        if (mlockCount[pfn] <= 0) {
            throw new IllegalStateException("munlock_folio: pfn " + pfn + " has no mlocked mapping");
        }
        if (--mlockCount[pfn] == 0) {
            host.munlockPage(pfn);
        }
    }

    /**
     * mlock_vma_pages_range() → mlock_pte_range(): VM_LOCKED changed on [start, end) of vma, so each
     * page a present pte of the range maps is mlocked (mlock) or munlocked (munlock) once.
     */
    void lockChanged(Vma vma, long start, long end) {
        boolean locked = (vma.flags() & Vma.VM_LOCKED) != 0;
        PageTable.forEachPresentPage(frames, vma.mm, start, end, (slot, pfn) -> {
            if (locked) {
                mlockFolio(pfn);
            } else {
                munlockFolio(pfn);
            }
        });
    }

    /** Mapped by a VM_LOCKED vma? The frame is freed with no mlocked mapping left. */
    void freed(int pfn) {
        if (mlockCount[pfn] != 0) {
            throw new IllegalStateException("pfn " + pfn + " freed with mlock_count " + mlockCount[pfn]);
        }
    }
}
