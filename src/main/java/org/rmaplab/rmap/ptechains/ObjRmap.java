package org.rmaplab.rmap.ptechains;

import org.rmaplab.mm.FileRmap;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.RmapWalkControl;
import org.rmaplab.mm.Vma;

/**
 * mm/rmap.c of objrmap (Dave McCracken's object-based rmap for file pages, in Andrew Morton's -mm
 * tree from 2.5.64-mm in March 2003; page_convert_anon() in the form modelled here since the
 * 2.5.66-mm fixes of April 2003; the code read is the copy Andrea Arcangeli carried in his 2004
 * objrmap-core / SLES tree): the pte_chains variants {@code pte_chains:objrmap} and
 * {@code pte_chains:objrmap_nlchains}. A file
 * (page-cache) page is found through its file's i_mmap and i_mmap_shared lists — page_add_rmap()
 * only counts it ({@code page->pte.mapcount++}, the union's third member), page_referenced_obj()
 * and try_to_unmap_obj() probe every vma on the lists at the page's linear address with
 * find_pte() ({@link FileRmap.IMmap#OBJRMAP_LIST}) — and anonymous pages keep 2.6.0's chains. What
 * a linear probe cannot find, a page remap_file_pages() put at a nonlinear address, is handled
 * one of two ways ({@link Mode}):
 * <ul>
 *   <li>{@link Mode#CONVERT}, the -mm code: install_page() calls page_convert_anon() when
 *       {@code page->index != pgidx}: SetPageAnon, {@code page->pte.mapcount = 0}, and every pte
 *       find_pte() finds on the two lists is chained with page_add_rmap(); from then on the page is
 *       "anonymous" to the rmap (every later pte chained, try_to_unmap walks the chain) until it is
 *       freed (free_pages_check() clears PG_anon).
 *   <li>{@link Mode#NONLINEAR_CHAINS}, wli's step (c) (William Lee Irwin III, 2 July 2003, "Re: What
 *       to expect with the 2.6 VM"): "instead of just bailing for file-backed pages in
 *       page_add_rmap(), pass it enough information to know whether the address matches what it
 *       should from the vma, and start chaining if it doesn't", and "shoehorn -&gt;mapcount into
 *       the first pte_chain block dangling off it". Only the ptes at nonlinear addresses are
 *       chained, incrementally; the page's reverse walk is the i_mmap probe, then the chain. The
 *       chain's first block (the tail: new blocks go in front, as in 2.6.0) gives its last slot to
 *       the mapcount ({@link PteChainsDesign#MAPCOUNT_SLOT}), so k nonlinear ptes take
 *       {@code ceil((k + 1) / NRPTE)} blocks and such a page is never PG_direct.
 * </ul>
 * Whether a pte is at its page's linear address is {@code page->index ==
 * linear_page_index(vma, address)}, which nothing but remap_file_pages (and do_file_page, its
 * refault) changes: fork, mremap and vma splits and merges keep a vma's pgoff with its start, so
 * the test gives the same answer when the pte is removed as when it was added.
 *
 * <p>Reclaim: 2.6.0's rules with objrmap's ({@code ReclaimEra.V2_6_0}: try_to_unmap_obj_one()
 * fails only on VM_LOCKED (or VM_RESERVED, which no vma of the model has), never on a young pte;
 * page_referenced_obj() visits every vma of both lists and stops nowhere). Simplifications: the
 * model's i_mmap is one list in link order, walked private vmas first, then shared
 * ({@link FileRmap}), so -mm's move_vma_start() (a vma split or merged at its front went to the
 * list's tail) does not reorder it; the i_shared_sem trylock (a busy one: one reference, or
 * SWAP_AGAIN) and page_referenced_obj_one's busy page_table_lock counted as a reference are not
 * modelled, and the injected busy trylock ({@code ptlBusyEvery}) is tried only on vmas that map
 * the page. Truncation follows the machine's {@code truncate=} key like every design's, 2.6's
 * exhaustive zap by default; in 2003 vmtruncate zapped by linear offset only
 * ({@code truncate=linear}, wli's step (a)'s bug).
 */
final class ObjRmap {
    /** How a file page mapped at a nonlinear address is found. */
    enum Mode {
        /** objrmap (-mm, 2003): page_convert_anon() chains every pte of the page, for good. */
        CONVERT,
        /** wli's step (c): only the ptes at nonlinear addresses are chained; mapcount in the first block. */
        NONLINEAR_CHAINS
    }

    /**
     * PG_anon on a page-cache page, set by page_convert_anon() (include/linux/page-flags.h of the
     * -mm tree; the model's own PG_ANON means "anonymous memory" to the core, so the converted
     * state is a design flag): its rmap is its chain. Cleared when the page is freed.
     */
    static final int PG_CONVERTED = 1 << (Frames.PG_DESIGN_SHIFT + 1);

    final Mode mode;
    private final PteChainsDesign d;
    /** page_convert_anon()'s loop body for each pte find_pte() finds, reused. */
    private final Converter converter = new Converter();
    /** The walk's control for the i_mmap part, reused; see {@link #walk}. */
    private final Forward forward = new Forward();

    ObjRmap(PteChainsDesign d, Mode mode) {
        this.d = d;
        this.mode = mode;
    }

    /** A page-cache page (not anonymous memory, not the swap cache), which this hybrid counts. */
    boolean isFile(int pfn) {
        return (d.frames.flags[pfn] & Frames.PG_ANON) == 0;
    }

    /** Is the pte at address of vma, mapping the file page pfn, on the page's chain? */
    boolean chained(int pfn, Vma vma, long address) {
        if (mode == Mode.CONVERT) {
            return (d.frames.flags[pfn] & PG_CONVERTED) != 0;
        }
        return d.frames.index[pfn] != vma.linearPageIndex(address);
    }

    /**
     * page_add_rmap() for a file page: counted only (the core keeps mapcount), unless the pte must
     * be chained. Under {@link Mode#CONVERT} a pte at a nonlinear address first converts the page
     * (install_page()'s {@code if (!PageAnon(page) && (page->index != pgidx))
     * page_convert_anon(page)}); under {@link Mode#NONLINEAR_CHAINS} it is chained, the page's first
     * chained pte starting the chain with the mapcount's slot.
     */
    void add(int pfn, Vma vma, long address, long ptep) {
        boolean nonlinear = d.frames.index[pfn] != vma.linearPageIndex(address);
        if (mode == Mode.CONVERT) {
            if ((d.frames.flags[pfn] & PG_CONVERTED) == 0) {
                if (!nonlinear) {
                    return;
                }
                convert(pfn);
            }
            d.addPte(pfn, vma, ptep);
            return;
        }
        if (nonlinear) {
            addNonlinearFilePte(pfn, ptep);
        }
    }

    /**
     * wli's step (c) page_add_rmap() for a file page's pte at a nonlinear address: the first one
     * starts the chain with a block whose last slot takes the mapcount from the union ("shoehorn
     * -&gt;mapcount into the first pte_chain block") and whose next-to-last takes the pte; later
     * ones are chained as any pte is. Such a page is never PG_direct: the union holds the chain.
     */
    void addNonlinearFilePte(int pfn, long ptep) {
        d.stats.nonlinearChained++;
        if (d.pte[pfn] != 0) {
            d.pageAddRmap(pfn, ptep);
            return;
        }
        int pc = d.chainAlloc();
        d.pool.setPte(pc, d.nrpte - 1, PteChainsDesign.MAPCOUNT_SLOT);
        d.pool.setPte(pc, d.nrpte - 2, ptep);
        d.pool.setNextAndIdx(pc, d.pool.encode(0, d.nrpte - 2));
        d.pte[pfn] = pc;
        d.stats.object("pg_chained", 1);
    }

    /** Does the page's chain end in the mapcount's slot (step (c))? */
    boolean hasMapcountSlot(int pfn) {
        int pc = (int) d.pte[pfn];
        if (pc == 0 || d.isDirect(pfn)) {
            return false;
        }
        while (d.pool.next(pc) != 0) {
            pc = d.pool.next(pc);
        }
        return d.pool.pte(pc, d.nrpte - 1) == PteChainsDesign.MAPCOUNT_SLOT;
    }

    /**
     * A chain left holding only the mapcount's slot (its last nonlinear pte gone) is freed and the
     * mapcount goes back into the union: the page is object-based only again.
     */
    void dropMapcountOnlyChain(int pfn) {
        int pc = (int) d.pte[pfn];
        if (pc == 0 || d.isDirect(pfn) || d.pool.next(pc) != 0 || d.pool.idx(pc) != d.nrpte - 1
                || d.pool.pte(pc, d.nrpte - 1) != PteChainsDesign.MAPCOUNT_SLOT) {
            return;
        }
        d.pool.setPte(pc, d.nrpte - 1, 0);
        d.pte[pfn] = 0;
        d.chainFree(pc);
        d.stats.object("pg_chained", -1);
    }

    /** page_remove_rmap() for a file page: uncounted only, or taken off the chain. */
    void remove(int pfn, Vma vma, long address, long ptep) {
        if (chained(pfn, vma, address)) {
            d.removePte(pfn, vma, ptep);
            dropMapcountOnlyChain(pfn);
        }
    }

    /**
     * page_convert_anon() (objrmap): PageAnon set; {@code if (page->pte.mapcount == 0) goto
     * out_unlock} — a page mapped nowhere else needs no walk; else the union's mapcount is given up
     * and every pte find_pte() finds at the page's linear address in a vma of i_mmap or
     * i_mmap_shared is chained by page_add_rmap() ("Make sure this isn't a duplicate":
     * page_remove_rmap first, a no-op for a counted page). Its walk of the lists is a reverse walk
     * like reclaim's and is counted as one. The core has already counted the pte being installed,
     * so "mapped nowhere else" is a mapcount of 1 here.
     */
    private void convert(int pfn) {
        d.stats.convertAnon++;
        d.frames.flags[pfn] |= PG_CONVERTED;
        if (d.frames.mapcount[pfn] <= 1) {
            return;
        }
        d.stats.beginWalk();
        converter.pfn = pfn;
        d.host().rmapWalkFile(pfn, converter, d.stats, FileRmap.IMmap.OBJRMAP_LIST);
    }

    /** page_convert_anon()'s loop body: the pte find_pte() found goes on the chain. */
    private final class Converter implements RmapWalkControl {
        int pfn;

        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            d.stats.convertPtesChained++;
            d.addPte(pfn, vma, ptep);
            return false;
        }

        @Override
        public boolean done() {
            return false;
        }
    }

    /**
     * The reverse walk of a file page: a converted page's chain (try_to_unmap's PageAnon path), or
     * page_referenced_obj() / try_to_unmap_obj() over the two lists, then, under step (c), the
     * chain of its nonlinear ptes. page_referenced (referenced) visits every vma and every chained
     * pte, stopping nowhere; try_to_unmap stops at the first SWAP_FAIL or when the page is mapped
     * no more ({@code if (ret == SWAP_FAIL || !page->pte.mapcount) goto out}).
     */
    void walk(int pfn, RmapWalkControl ctl, boolean referenced) {
        d.stats.beginWalk();
        forward.of(ctl, referenced);
        if ((d.frames.flags[pfn] & PG_CONVERTED) != 0) {
            d.walkChainOf(pfn, forward);
            return;
        }
        d.host().rmapWalkFile(pfn, forward, d.stats, FileRmap.IMmap.OBJRMAP_LIST);
        if (mode == Mode.NONLINEAR_CHAINS && !forward.stopped && !forward.done() && d.pte[pfn] != 0) {
            d.walkChainOf(pfn, forward);
        }
    }

    /**
     * The walk's control passed through, remembering whether a visit ended the walk (a SWAP_FAIL),
     * and, for page_referenced, never done: objrmap's page_referenced_obj() and page_referenced()
     * walk every vma and every chained pte.
     */
    private static final class Forward implements RmapWalkControl {
        RmapWalkControl ctl;
        boolean everything;
        boolean stopped;

        Forward of(RmapWalkControl c, boolean all) {
            this.ctl = c;
            this.everything = all;
            this.stopped = false;
            return this;
        }

        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            boolean stop = ctl.visit(vma, address, ptep);
            stopped |= stop;
            return stop && !everything;
        }

        @Override
        public boolean done() {
            return !everything && ctl.done();
        }

        @Override
        public boolean stopAtVma(Vma vma) {
            return ctl.stopAtVma(vma);
        }
    }
}
