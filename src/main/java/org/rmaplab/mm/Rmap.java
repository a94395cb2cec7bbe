package org.rmaplab.mm;

/**
 * mm/rmap.c: what reclaim asks of the reverse map — page_referenced() and try_to_unmap() of 2.6
 * (2.6.11's shapes), each a walk of the design's ({@link RmapDesign#rmapWalk}) collected first and
 * acted on after. The file walk of i_mmap (rmap_walk_file) every design but pte_chains shares is
 * {@link FileRmap}.
 *
 * <p>Invariants kept: a page is unmapped only through the design's walk, and only from ptes the
 * walk found; every pte of an anonymous page becomes a swap entry holding one count of the page's
 * slot, and the design hears of every pte removed (pageRemoveRmap) before the pte's reference on
 * the page goes; a VM_LOCKED vma is never unmapped from.
 *
 * <p>Lock order (mm/rmap.c's opening comment; for the reader: the model is single-threaded):
 * mm-&gt;mmap_lock, then the folio lock, then mapping-&gt;i_mmap_rwsem (file pages) or
 * anon_vma-&gt;rwsem of the root (anonymous pages), then the pte lock (which the model's
 * {@code ptlBusyEvery} makes a trylock that fails now and then, as 2.6's page_check_address did).
 */
final class Rmap {
    /** try_to_unmap results. */
    static final int SWAP_SUCCESS = 0;
    static final int SWAP_AGAIN = 1;
    static final int SWAP_FAIL = 2;

    private final Machine k;
    private final Frames f;
    private final Swapfile swap;
    private final RmapDesign design;

    // Counters.
    long referencedChecks;
    long referencedYoung;
    long unmapsTried;
    long unmapsSucceeded;
    long unmapsFailedLocked;
    long unmapsFailedYoung;
    long unmapsAgain;
    long unmapsFailedBusy;

    /**
     * Page-table lock contention: every ptlBusyEvery-th trylock in try_to_unmap_one fails, as
     * page_check_address's spin_trylock did under load in 2.6 (0: never). The model is
     * single-threaded, so contention is injected; the page stays on the list and is retried later.
     */
    int ptlBusyEvery;
    private long ptlTries;

    /** Collects the ptes of one walk (vma, address, slot), reused. */
    private final Collector collector = new Collector();

    Rmap(Machine k) {
        this.k = k;
        this.f = k.frames;
        this.swap = k.swap;
        this.design = k.design;
    }

    /**
     * page_referenced(): walks the page's mappings, clearing and counting young ptes (plus a
     * PG_referenced from the page itself). The design then gets its chance to tidy up
     * (pte_chains collapses a one-entry chain here, anonmm re-homes a page of a dead mm).
     */
    int pageReferenced(int pfn) {
        referencedChecks++;
        int referenced = 0;
        if ((f.flags[pfn] & Frames.PG_REFERENCED) != 0) {
            f.flags[pfn] &= ~Frames.PG_REFERENCED;
            referenced++;
        }
        if (f.mapcount[pfn] > 0) {
            collector.reset(f.mapcount[pfn]);
            design.rmapWalk(pfn, collector);
            for (int i = 0; i < collector.n; i++) {
                long slot = collector.slots[i];
                long pte = PageTable.get(f, slot);
                if ((pte & PageTable.ACCESSED) != 0) {
                    PageTable.set(f, slot, pte & ~PageTable.ACCESSED);
                    referenced++;
                }
            }
            collector.clear();
        }
        design.afterPageReferenced(pfn);
        referencedYoung += referenced;
        return referenced;
    }

    /**
     * try_to_unmap(): unmaps the page from every pte the walk finds — an anonymous page's ptes
     * become swap entries of its swap-cache slot, a page-cache page's are cleared.
     * try_to_unmap_one fails on a VM_LOCKED vma and, unless references are ignored, on a young pte.
     */
    int tryToUnmap(int pfn, boolean ignoreReferences) {
        unmapsTried++;
        boolean anon = (f.flags[pfn] & Frames.PG_ANON) != 0;
        collector.reset(f.mapcount[pfn]);
        design.rmapWalk(pfn, collector);
        int n = collector.n;
        int ret = SWAP_SUCCESS;
        for (int i = 0; i < n; i++) {
            Vma vma = collector.vmas[i];
            long address = collector.addresses[i];
            long slot = collector.slots[i];
            long pte = PageTable.get(f, slot);
            if ((vma.vmFlags & Vma.VM_LOCKED) != 0) {
                unmapsFailedLocked++;
                ret = SWAP_FAIL;
                break;
            }
            if (!ignoreReferences && (pte & PageTable.ACCESSED) != 0) {
                PageTable.set(f, slot, pte & ~PageTable.ACCESSED);
                unmapsFailedYoung++;
                ret = SWAP_FAIL;
                break;
            }
            if (ptlBusyEvery > 0 && ++ptlTries % ptlBusyEvery == 0) {
                unmapsFailedBusy++;
                ret = SWAP_AGAIN; // the page table was busy: try this page again later
                break;
            }
            Mm mm = vma.mm;
            if (anon) {
                int s = f.swapSlot(pfn);
                swap.count[s]++; // swap_duplicate()
                PageTable.set(f, slot, PageTable.mkswp(s, (f.flags[pfn] & Frames.PG_ANON_EXCLUSIVE) != 0));
                mm.rssAnon--;
                mm.swapents++;
            } else {
                PageTable.set(f, slot, 0);
                mm.rssShmem--;
            }
            if ((pte & PageTable.DIRTY) != 0) {
                f.flags[pfn] |= Frames.PG_DIRTY;
            }
            f.mapcount[pfn]--;
            design.stats().rmapRemoves++;
            design.pageRemoveRmap(pfn, vma, address, slot);
            k.memory.putPage(pfn); // the pte's reference; the cache keeps the page
        }
        collector.clear();
        if (ret == SWAP_SUCCESS && f.mapcount[pfn] > 0) {
            ret = SWAP_AGAIN; // the walk did not find every mapping
        }
        if (ret == SWAP_SUCCESS) {
            unmapsSucceeded++;
            // An unmapped anonymous page is exclusive to no one; its swap ptes keep the bit.
            f.flags[pfn] &= ~Frames.PG_ANON_EXCLUSIVE;
        } else if (ret == SWAP_AGAIN) {
            unmapsAgain++;
        }
        return ret;
    }

    /** Collects the ptes a walk finds, so that they can be changed after the walk. */
    private static final class Collector implements RmapWalkControl {
        Vma[] vmas = new Vma[8];
        long[] addresses = new long[8];
        long[] slots = new long[8];
        int n;
        int want;

        void reset(int mapcount) {
            n = 0;
            want = mapcount;
        }

        void clear() {
            java.util.Arrays.fill(vmas, 0, n, null);
            n = 0;
        }

        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            if (n == slots.length) {
                vmas = java.util.Arrays.copyOf(vmas, n * 2);
                addresses = java.util.Arrays.copyOf(addresses, n * 2);
                slots = java.util.Arrays.copyOf(slots, n * 2);
            }
            vmas[n] = vma;
            addresses[n] = address;
            slots[n] = ptep;
            n++;
            return false;
        }

        @Override
        public boolean done() {
            return n >= want;
        }
    }

    /**
     * page_vma_mapped_walk() on one address (mm/page_vma_mapped.c), for a design's walk: the slot
     * of the pte that maps pfn at address in mm, or -1. Counts as one pte checked for the design.
     * Allocation-free.
     */
    long pageMappedInMm(int pfn, Mm mm, long address) {
        design.stats().walkPtesChecked++;
        if (mm.pgd < 0) {
            return -1;
        }
        long slot = PageTable.lookup(f, mm.pgd, address);
        if (slot < 0) {
            return -1;
        }
        long pte = PageTable.get(f, slot);
        if (!PageTable.present(pte) || (pte & PageTable.SPECIAL) != 0 || PageTable.ptePfn(pte) != pfn) {
            return -1;
        }
        return slot;
    }
}
