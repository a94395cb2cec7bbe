package org.rmaplab.rmap.avc;

import java.util.ArrayList;

import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapHost;
import org.rmaplab.mm.RmapSelfCheck;
import org.rmaplab.mm.RmapStructure;
import org.rmaplab.mm.RmapStats;
import org.rmaplab.mm.RmapWalkControl;

/**
 * anon_vma_chain — Rik van Riel's design of 2.6.34, today's Linux (mm/rmap.c). Every vma has a
 * list of chains ({@code vma->anon_vma_chain}, same_vma), one per anon_vma its pages may live in;
 * every anon_vma has an interval tree of chains. fork gives the child vma a chain to each of the
 * parent's anon_vmas plus an anon_vma of its own, whose parent is the parent vma's — unless an
 * existing anon_vma with no vma and fewer than two children can be reused (commit 7a3ef208e662,
 * counters of 2555283eb40d). New pages go into {@code vma->anon_vma}; page->index is the linear
 * pgoff; the walk queries the page's anon_vma tree at that pgoff. File pages are walked through
 * the file's i_mmap interval tree (3.7 on; {@code FileRmap}, the default {@code traits().iMmapKind()}):
 * only the vmas covering the page's pgoff are visited.
 *
 * <p>Per-vma state: {@code vma.anonVma} is the {@link AnonVma}; {@code vma.rmapPriv} is the
 * same_vma list ({@code ArrayList<AnonVmaChain>}, newest first, as list_add() keeps it).
 *
 * <p>Invariants (checked by {@link #checkInvariants}): each chain is on its vma's list and in its
 * anon_vma's tree exactly once; a vma with an anon_vma has a chain to it; num_active_vmas and
 * num_children match; an anon_vma with an empty tree does not exist.
 */
public final class AnonVmaChainDesign implements RmapDesign, RmapSelfCheck, RmapStructure {
    private final boolean reuse;
    /**
     * anon_vma_chain:relocate: Lorenzo Stoakes' MREMAP_RELOCATE_ANON and MREMAP_MUST_RELOCATE_ANON
     * (v1, June 2025, never merged) honoured ({@link #relocatesAnon}).
     */
    private final boolean relocate;
    /**
     * anon_vma_chain:matena: Jakub Matěna's series (RFC v3, May 2022, never merged): mremap
     * adjusts a faulted unshared vma's pgoff and pages, and vmas with different anon_vmas merge
     * when the absorbed one is not shared ({@link #adjustsFaultedPgoff}).
     */
    private final boolean matena;
    private final RmapStats stats = new RmapStats();
    private RmapHost host;
    private Frames frames;
    private int nextId = 1;
    /** mlocked pages off the LRU (the default traits' {@code ReclaimEra.TODAY}). */
    private Unevictable unevictable;

    /** Today's Linux, with the anon_vma reuse rule. */
    public AnonVmaChainDesign() {
        this(true);
    }

    /** With {@code reuse = false}, the behaviour before 7a3ef208e662 (anon_vmas grow with forks). */
    public AnonVmaChainDesign(boolean reuse) {
        this(reuse, false, false);
    }

    private AnonVmaChainDesign(boolean reuse, boolean relocate, boolean matena) {
        this.reuse = reuse;
        this.relocate = relocate;
        this.matena = matena;
    }

    /**
     * anon_vma_chain:matena — today's Linux with Jakub Matěna's "mm: adjust page offset in
     * mremap" and "mm: enable merging of VMAs with different anon_vmas" (RFC v3 PATCH 4/6 and
     * 5/6, 16 May 2022, on v5.18-rc2) carried over: the core's {@code org.rmaplab.mm.AnonPgoffUpdate}
     * walks the pages; this design answers rbt_no_children() and lets such vmas merge.
     */
    public static AnonVmaChainDesign matena() {
        return new AnonVmaChainDesign(true, false, true);
    }

    /**
     * anon_vma_chain:relocate — today's Linux with Lorenzo Stoakes' series "mm/mremap: introduce
     * more mergeable mremap via MREMAP_RELOCATE_ANON" (v1, 9 June 2025) applied: mremap honours
     * the two flags ({@code org.rmaplab.mm.MremapRelocate} walks the range; this design answers
     * vma_maybe_has_shared_anon_folios() and re-homes each folio).
     */
    public static AnonVmaChainDesign relocating() {
        return new AnonVmaChainDesign(true, true, false);
    }

    /**
     * The variant with relocation runs under its design's name, as pte_chains' variants do: its
     * structs are today's, so the cost model's sizes (ArchProfile's per-vma bytes) apply to it.
     */
    @Override
    public String name() {
        return reuse ? "anon_vma_chain" : "anon_vma_chain_noreuse";
    }

    @Override
    public boolean relocatesAnon() {
        return relocate;
    }

    @Override
    public boolean adjustsFaultedPgoff() {
        return matena;
    }

    /** Every variant of today's design counts its failed merges by reason. */
    @Override
    public boolean countsMergeFailures() {
        return true;
    }

    /**
     * {@code anon_vma == anon_vma->root && rbt_no_children(anon_vma)} (mm/rmap.c of Matěna's v3
     * PATCH 4/6): the anon_vma is its own root and every anon_vma_chain in its interval tree
     * belongs to a vma whose anon_vma is this one — no vma of a child process can map its pages.
     * (v3 skips the tree when {@code anon_vma->degree <= 1}; the answer is the same.)
     */
    @Override
    public boolean anonVmaUnshared(Object anonVma) {
        if (!(anonVma instanceof AnonVma av) || av.root != av) {
            return false;
        }
        for (int i = 0; i < av.rbRoot.size(); i++) {
            if (av.rbRoot.get(i).vma.anonVma != av) {
                return false;
            }
        }
        return true;
    }

    /**
     * vma_maybe_has_shared_anon_folios() (mm/vma.c of Stoakes' PATCH 01/11, June 2025): no
     * anon_vma is "trivially fine"; a vma forked from a parent (vma_had_uncowed_parents(): more
     * than one anon_vma_chain) may share; so may one whose anon_vma has children beyond the root's
     * self-parent link ({@code anon_vma->num_children > expected_children}).
     */
    @Override
    public boolean vmaMaybeHasSharedAnonFolios(Vma vma) {
        AnonVma av = (AnonVma) vma.anonVma;
        if (av == null) {
            return false;
        }
        if (isForkChild(vma)) {
            return true;
        }
        int expectedChildren = av.root == av ? 1 : 0;
        return av.numChildren > expectedChildren;
    }

    /**
     * do_swap_page() → ksm_might_need_to_copy() (mm/ksm.c, Linux 6.18): a swap-cache page whose
     * index is not this address's linear pgoff, or whose anon_vma has another root than the
     * vma's, is copied rather than mapped. Today's kernel always asks; only relocation makes the
     * answer yes (a swap entry in a relocated range keeps its page's old mapping and index: the
     * patch's relocate_anon_ptes() steps over swap entries), since every other move keeps the
     * index (mremap) or rewrites the swap-cache page too (UFFDIO_MOVE's move_swap_pte) — so the
     * model asks only under this variant, and the other designs' runs are as they were.
     */
    @Override
    public boolean swapinMustCopy(int pfn, Vma vma, long address) {
        if (!(relocate || matena) || !(frames.mapping[pfn] instanceof AnonVma pageAv) || vma.anonVma == null) {
            return false;
        }
        return frames.index[pfn] != vma.linearPageIndex(address) || pageAv.root != ((AnonVma) vma.anonVma).root;
    }

    @Override
    public void attach(RmapHost k) {
        this.host = k;
        this.frames = k.frames();
        this.unevictable = new Unevictable(k);
    }

    @Override
    public RmapStats stats() {
        return stats;
    }

    // ------------------------------------------------------------------ helpers

    @SuppressWarnings("unchecked")
    private static ArrayList<AnonVmaChain> chains(Vma vma) {
        ArrayList<AnonVmaChain> l = (ArrayList<AnonVmaChain>) vma.rmapPriv;
        if (l == null) {
            l = new ArrayList<>(1);
            vma.rmapPriv = l;
        }
        return l;
    }

    @SuppressWarnings("unchecked")
    private static int chainCount(Vma vma) {
        ArrayList<AnonVmaChain> l = (ArrayList<AnonVmaChain>) vma.rmapPriv;
        return l == null ? 0 : l.size();
    }

    private AnonVma anonVmaAlloc() {
        stats.object("anon_vma", 1);
        return new AnonVma(nextId++);
    }

    /** anon_vma_chain_link(): list_add on same_vma (head), insert in the anon_vma's tree. */
    private void chainLink(Vma vma, AnonVma av) {
        AnonVmaChain avc = new AnonVmaChain(vma, av);
        chains(vma).add(0, avc);
        av.insert(avc);
        stats.rmapVmaOps++;
        stats.object("anon_vma_chain", 1);
    }

    /** put_anon_vma() → __put_anon_vma(): frees the anon_vma, then drops the root's pin. */
    private void putAnonVma(AnonVma av) {
        if (--av.refcount > 0) {
            return;
        }
        AnonVma root = av.root;
        stats.object("anon_vma", -1);
        if (root != av && --root.refcount == 0) {
            stats.object("anon_vma", -1);
        }
    }

    // ------------------------------------------------------------------ mm lifecycle

    // ------------------------------------------------------------------ vma lifecycle

    /** __anon_vma_prepare(), with find_mergeable_anon_vma(). */
    @Override
    public int anonVmaPrepare(Vma vma) {
        if (vma.anonVma != null) {
            return 0;
        }
        AnonVma av = findMergeableAnonVma(vma);
        if (av == null) {
            av = anonVmaAlloc();
            av.numChildren++; // self-parent link for a new root
        }
        vma.anonVma = av;
        chainLink(vma, av);
        av.numActiveVmas++;
        return 0;
    }

    /** find_mergeable_anon_vma(): next first, then prev. */
    private AnonVma findMergeableAnonVma(Vma vma) {
        Mm mm = vma.mm;
        Vma next = mm.nextOf(vma);
        if (next != null) {
            AnonVma av = reusableAnonVma(next, vma, next);
            if (av != null) {
                return av;
            }
        }
        Vma prev = mm.prevOf(vma);
        if (prev != null) {
            return reusableAnonVma(prev, prev, vma);
        }
        return null;
    }

    /** reusable_anon_vma(). */
    private static AnonVma reusableAnonVma(Vma old, Vma a, Vma b) {
        if (anonVmaCompatible(a, b)) {
            AnonVma av = (AnonVma) old.anonVma;
            if (av != null && chainCount(old) == 1) {
                return av;
            }
        }
        return null;
    }

    /** anon_vma_compatible(): adjacent, same file, flags equal but for rwx and soft-dirty, pgoff contiguous. */
    private static boolean anonVmaCompatible(Vma a, Vma b) {
        return a.end() == b.start()
                && a.vmFile() == b.vmFile()
                && ((a.flags() ^ b.flags()) & ~(Vma.VM_ACCESS_FLAGS | Vma.VM_SOFTDIRTY)) == 0
                && b.pgoff() == a.pgoff() + ((b.start() - a.start()) >>> PageTable.PAGE_SHIFT);
    }

    /** anon_vma_clone(dst, src): a chain to every anon_vma of src, oldest first; reuse if allowed. */
    private int anonVmaClone(Vma dst, Vma src) {
        @SuppressWarnings("unchecked")
        ArrayList<AnonVmaChain> srcChains = (ArrayList<AnonVmaChain>) src.rmapPriv;
        if (srcChains == null) {
            return 0;
        }
        for (int i = srcChains.size() - 1; i >= 0; i--) {
            AnonVma av = srcChains.get(i).anonVma;
            chainLink(dst, av);
            // Reuse an existing anon_vma if it has no vma and only one anon_vma child. The root
            // anon_vma is never reused: it has a self-parent reference and at least one child.
            if (reuse && dst.anonVma == null && src.anonVma != null
                    && av.numChildren < 2 && av.numActiveVmas == 0) {
                dst.anonVma = av;
            }
        }
        if (dst.anonVma != null) {
            ((AnonVma) dst.anonVma).numActiveVmas++;
        }
        return 0;
    }

    /** anon_vma_fork(). */
    @Override
    public int vmaFork(Vma pvma, Vma vma) {
        if (pvma.anonVma == null) {
            return 0;
        }
        vma.anonVma = null;
        anonVmaClone(vma, pvma);
        if (vma.anonVma != null) {
            return 0; // an existing anon_vma has been reused
        }
        AnonVma av = anonVmaAlloc();
        av.numActiveVmas++;
        AnonVma parentAv = (AnonVma) pvma.anonVma;
        av.root = parentAv.root;
        av.parent = parentAv;
        av.root.refcount++; // get_anon_vma(anon_vma->root)
        vma.anonVma = av;
        chainLink(vma, av);
        av.parent.numChildren++;
        return 0;
    }

    /** __split_vma(): anon_vma_clone(new, vma); both vmas' ranges are final. */
    @Override
    public int vmaSplit(Vma orig, Vma piece) {
        piece.anonVma = orig.anonVma;
        piece.rmapPriv = null;
        anonVmaClone(piece, orig);
        return 0;
    }

    /** dup_anon_vma() / copy_vma(): dst takes src's anon_vma when it has none. */
    @Override
    public int vmaCopy(Vma src, Vma dst) {
        if (src.anonVma != null && dst.anonVma == null) {
            dst.anonVma = src.anonVma;
            anonVmaClone(dst, src);
        }
        return 0;
    }

    /**
     * vma_is_fork_child() (mm/vma.c, 6.18.y with the backport of "mm/vma: enforce VMA fork limit
     * on unfaulted,faulted mremap merge too", which renamed vma_had_uncowed_parents() to it): was
     * this vma ever forked from a parent — an anon_vma and more than one anon_vma_chain?
     */
    private static boolean isForkChild(Vma v) {
        return v != null && v.anonVma != null && chainCount(v) != 1;
    }

    /** is_mergeable_anon_vma() for a merge that is not mremap's copy (vmg-&gt;copied_from null). */
    @Override
    public boolean isMergeableAnonVma(Vma tgt, Object srcAnon, Vma src) {
        return isMergeableAnonVma(tgt, srcAnon, src, null);
    }

    /**
     * is_mergeable_anon_vma() of mm/vma.c, 6.18.y with Lorenzo Stoakes' series "mm/vma: fix
     * anon_vma UAF on mremap() faulted, unfaulted merge" backported (Jan 2026; 6.18.44, the kernel
     * this was checked on, has it). tgt is vmg-&gt;next or vmg-&gt;prev, src vmg-&gt;middle (null for a
     * new range), srcAnon vmg-&gt;anon_vma, copiedFrom vmg-&gt;copied_from (the vma copy_vma() copies
     * from, set by vma_merge_copied_range(); null otherwise).
     */
    @Override
    public boolean isMergeableAnonVma(Vma tgt, Object srcAnon, Vma src, Vma copiedFrom) {
        Object tgtAnon = tgt.anonVma;
        if (tgtAnon == null && srcAnon != null) {
            // Case 1: we will dup_anon_vma() from src (or copied_from) into tgt — refused when
            // either was forked (the copied_from test is 3b617fd3d317's: before it, mremap of a
            // forked faulted vma next to an unfaulted one merged, since vmg->middle is NULL there).
            return !isForkChild(src) && !isForkChild(copiedFrom);
        }
        if (tgtAnon != null && srcAnon == null) {
            return !isForkChild(tgt); // case 2: we will simply use tgt's anon_vma
        }
        if (srcAnon == tgtAnon) {
            return true; // case 3: the anon_vmas are already shared
        }
        // Matěna's v3 PATCH 5/6: "Different anon_vma but not shared by several processes" — the
        // absorbed range's anon_vma (anon_vma1) is its own root with no children; its pages are
        // then reconnected to tgt's (reconnect_pages_range(), or move_ptes() for mremap).
        return matena && srcAnon != null && tgtAnon != null && anonVmaUnshared(srcAnon);
    }

    /**
     * can_vma_merge_right()'s anon test; under Matěna's series vma_merge() asks
     * is_mergeable_anon_vma(next-&gt;anon_vma, prev-&gt;anon_vma, NULL) for cases 1 and 6 (v3 PATCH
     * 5/6): next, absorbed into prev, may have another anon_vma if it is not shared.
     */
    @Override
    public boolean anonVmasCompatible(Vma prev, Vma next) {
        return prev.anonVma == null || next.anonVma == null || prev.anonVma == next.anonVma
                || matena && anonVmaUnshared(next.anonVma);
    }

    /** vma_expand with a removed vma: dup_anon_vma(survivor, removed), then anon_vma_merge(). */
    @Override
    public int vmaMerged(Vma survivor, Vma removed) {
        vmaCopy(removed, survivor);
        unlinkAnonVmas(removed);
        return 0;
    }

    /** anon_vma_interval_tree_pre/post_update_vma(): re-key the vma's chains. */
    @Override
    public void vmaAdjusted(Vma vma, long oldStart, long oldEnd, long oldPgoff) {
        @SuppressWarnings("unchecked")
        ArrayList<AnonVmaChain> l = (ArrayList<AnonVmaChain>) vma.rmapPriv;
        if (l == null) {
            return;
        }
        for (int i = 0; i < l.size(); i++) {
            AnonVmaChain avc = l.get(i);
            avc.anonVma.remove(avc);
            avc.anonVma.insert(avc);
            stats.rmapVmaOps += 2;
        }
    }

    @Override
    public void vmaUnlinked(Vma vma) {
        unlinkAnonVmas(vma);
    }

    /** unlink_anon_vmas(): newest chain first, so the root is freed last. */
    private void unlinkAnonVmas(Vma vma) {
        @SuppressWarnings("unchecked")
        ArrayList<AnonVmaChain> l = (ArrayList<AnonVmaChain>) vma.rmapPriv;
        if (l == null || l.isEmpty()) {
            if (vma.anonVma != null) {
                ((AnonVma) vma.anonVma).numActiveVmas--;
                vma.anonVma = null;
            }
            return;
        }
        ArrayList<AnonVma> empty = null;
        for (int i = 0; i < l.size(); i++) {
            AnonVmaChain avc = l.get(i);
            AnonVma av = avc.anonVma;
            av.remove(avc);
            stats.rmapVmaOps++;
            stats.object("anon_vma_chain", -1);
            if (av.rbRoot.isEmpty()) {
                av.parent.numChildren--;
                if (empty == null) {
                    empty = new ArrayList<>(2);
                }
                empty.add(av);
            }
        }
        if (vma.anonVma != null) {
            ((AnonVma) vma.anonVma).numActiveVmas--;
            vma.anonVma = null;
        }
        l.clear();
        if (empty != null) {
            for (AnonVma av : empty) {
                putAnonVma(av);
            }
        }
    }

    // ------------------------------------------------------------------ pages

    /**
     * folio_add_new_anon_rmap() → __folio_set_anon(exclusive): mapping = vma->anon_vma; a page of a
     * VM_LOCKED vma goes to the unevictable list (folio_add_lru_vma → mlock_new_folio).
     */
    @Override
    public void pageAddNewAnon(int pfn, Vma vma, long address, long ptep) {
        frames.mapping[pfn] = vma.anonVma;
        frames.index[pfn] = vma.linearPageIndex(address);
        unevictable.ptesAdded(pfn, vma);
    }

    /** folio_add_file_rmap_ptes(): mapcount only, then mlock_vma_folio() for a VM_LOCKED vma. */
    @Override
    public void pageAddFileRmap(int pfn, Vma vma, long address, long ptep) {
        unevictable.ptesAdded(pfn, vma);
    }

    /**
     * folio_dup_file_rmap_pte / folio_try_dup_anon_rmap_pte (copy_present_pte at fork): mapcount
     * only; the child's vma never has VM_LOCKED (dup_mmap clears it), so nothing is mlocked. Also
     * do_swap_page's folio_add_anon_rmap_ptes (pageAddAnonRmap's default), which mlocks.
     */
    @Override
    public void pageDupRmap(int pfn, Vma dstVma, long address, long dstPtep) {
        unevictable.ptesAdded(pfn, dstVma);
    }

    /** folio_remove_rmap_ptes(): mapcount only, then munlock_vma_folio() for a VM_LOCKED vma. */
    @Override
    public void pageRemoveRmap(int pfn, Vma vma, long address, long ptep) {
        unevictable.pteRemoved(pfn, vma);
    }

    /** mlock_fixup() → mlock_vma_pages_range(): the range's pages are mlocked or munlocked. */
    @Override
    public void vmaLockChanged(Vma vma, long start, long end) {
        unevictable.lockChanged(vma, start, end);
    }

    /**
     * UFFDIO_MOVE: folio_move_anon_rmap() and the new index (the interface's default), and the
     * page's mlock follows its pte from srcVma to dstVma.
     */
    @Override
    public int pageMoveAnon(Frames f, int pfn, Vma srcVma, long srcAddr, long srcPtep, Vma dstVma, long dstAddr,
            long dstPtep) {
        RmapDesign.super.pageMoveAnon(f, pfn, srcVma, srcAddr, srcPtep, dstVma, dstAddr, dstPtep);
        if (srcPtep >= 0) {
            unevictable.pteMoved(pfn, srcVma, dstVma);
        }
        return 0;
    }

    /** The frame is freed: no mlocked mapping may be left. */
    @Override
    public void pageFreed(int pfn) {
        unevictable.freed(pfn);
    }

    /**
     * do_swap_page() → folio_add_new_anon_rmap(): a page read back from swap goes into the vma's
     * own anon_vma if exclusive, else into the root anon_vma, the oldest one every sharer's vma
     * chains to (__folio_set_anon).
     */
    @Override
    public void pageAddSwapinAnon(int pfn, Vma vma, long address, long ptep, boolean exclusive) {
        AnonVma av = (AnonVma) vma.anonVma;
        frames.mapping[pfn] = exclusive ? av : av.root;
        frames.index[pfn] = vma.linearPageIndex(address);
        unevictable.ptesAdded(pfn, vma);
    }

    /** folio_move_anon_rmap(): the reused page moves to the writer's own anon_vma. */
    @Override
    public void pageReuseAnon(int pfn, Vma vma, long address) {
        frames.mapping[pfn] = vma.anonVma;
    }

    // ------------------------------------------------------------------ walk

    /** rmap_walk_anon(): the page's anon_vma tree at page->index; rmap_walk_file for file pages. */
    @Override
    public void rmapWalk(int pfn, RmapWalkControl ctl) {
        stats.beginWalk();
        if ((frames.flags[pfn] & Frames.PG_ANON) == 0) {
            host.rmapWalkFile(pfn, ctl, stats, traits().iMmapKind());
            return;
        }
        AnonVma av = (AnonVma) frames.mapping[pfn];
        if (av == null) {
            return;
        }
        long pgoff = frames.index[pfn];
        ArrayList<AnonVmaChain> tree = av.rbRoot;
        for (int i = 0, n = tree.size(); i < n; i++) {
            Vma vma = tree.get(i).vma;
            if (org.rmaplab.mm.FaultInject.on(org.rmaplab.mm.FaultInject.Bug.AVC_WALK_SKIPS_VMA) && n > 1 && i == n - 1) {
                continue;
            }
            long address = vma.addressOf(pgoff);
            if (address < 0) {
                continue; // not in this chain's interval
            }
            stats.walkVisit(vma.mm, vma);
            long slot = host.pageMappedAt(pfn, vma, address);
            if (slot < 0) {
                continue;
            }
            if (ctl.visit(vma, address, slot) || ctl.done()) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ for the explorer

    /**
     * The anon_vma_chain graph from the page (mm/rmap.c, Linux 6.18): page-&gt;mapping's anon_vma
     * with its root, parent, refcount, num_children and num_active_vmas; each anon_vma_chain of its
     * interval tree (anon_vma-&gt;rb_root, in pgoff order: the order rmap_walk_anon visits them) and
     * that chain's vma; under each vma its own same_vma list (vma-&gt;anon_vma_chain, newest first
     * as anon_vma_chain_link adds them), which names every anon_vma the vma's pages may sit in —
     * the graph's other edges. The anon_vma a vma reused (anon_vma_fork's reuse of a parent with
     * no active vma) shows as the vma's anon_vma being an older one than its chain's newest.
     */
    @Override
    public RmapStructure.Node pageStructure(int pfn) {
        if ((frames.flags[pfn] & Frames.PG_ANON) == 0) {
            return host.fileStructure(pfn, traits().iMmapKind()); // i_mmap, as rmapWalk's file walk
        }
        if (!(frames.mapping[pfn] instanceof AnonVma av)) {
            return null;
        }
        RmapStructure.Node top = new RmapStructure.Node("anon_vma", "page->mapping: " + describe(av));
        for (AnonVma up = av; up.parent != up; up = up.parent) {
            top.add("anon_vma", "parent: " + describe(up.parent));
        }
        for (AnonVmaChain avc : av.rbRoot) {
            RmapStructure.Node c = top.add("avc", "avc in rb_root → vma " + RmapStructure.vmaLabel(avc.vma)
                    + (avc.vma.anonVma == av ? " (its own anon_vma)" : " (vma->anon_vma " + avc.vma.anonVma + ")"));
            @SuppressWarnings("unchecked")
            ArrayList<AnonVmaChain> same = (ArrayList<AnonVmaChain>) avc.vma.rmapPriv;
            if (same != null) {
                for (AnonVmaChain o : same) {
                    c.add("same_vma", "same_vma avc → " + describe(o.anonVma));
                }
            }
        }
        return top;
    }

    private static String describe(AnonVma a) {
        return a + " (root " + a.root + ", refcount " + a.refcount + ", num_children " + a.numChildren
                + ", num_active_vmas " + a.numActiveVmas + ")";
    }

    // ------------------------------------------------------------------ invariants

    /**
     * The design's own invariants over every live vma, for the oracle: chains are on both lists,
     * counters match, no empty anon_vma is reachable. Returns null or a description of the fault.
     */
    @Override
    public String checkInvariants() {
        java.util.IdentityHashMap<AnonVma, int[]> seen = new java.util.IdentityHashMap<>();
        for (Mm mm : host.mms()) {
            for (int i = 0; i < mm.mapCount(); i++) {
                Vma v = mm.vma(i);
                @SuppressWarnings("unchecked")
                ArrayList<AnonVmaChain> l = (ArrayList<AnonVmaChain>) v.rmapPriv;
                int n = l == null ? 0 : l.size();
                if (v.anonVma != null) {
                    boolean found = false;
                    for (int j = 0; j < n; j++) {
                        found |= l.get(j).anonVma == v.anonVma;
                    }
                    if (!found) {
                        return "vma " + v + " has " + v.anonVma + " but no chain to it";
                    }
                    seen.computeIfAbsent((AnonVma) v.anonVma, k -> new int[2])[0]++;
                } else if (n != 0) {
                    return "vma " + v + " has chains but no anon_vma";
                }
                for (int j = 0; j < n; j++) {
                    AnonVmaChain avc = l.get(j);
                    if (avc.vma != v) {
                        return "chain of " + v + " names another vma";
                    }
                    int hits = 0;
                    for (AnonVmaChain c : avc.anonVma.rbRoot) {
                        hits += c == avc ? 1 : 0;
                    }
                    if (hits != 1) {
                        return "chain of " + v + " is " + hits + " times in " + avc.anonVma;
                    }
                    seen.computeIfAbsent(avc.anonVma, k -> new int[2])[1]++;
                }
            }
        }
        for (var e : seen.entrySet()) {
            AnonVma av = e.getKey();
            if (av.numActiveVmas != e.getValue()[0]) {
                return av + " num_active_vmas " + av.numActiveVmas + " but " + e.getValue()[0] + " vmas use it";
            }
            if (av.rbRoot.size() != e.getValue()[1]) {
                return av + " tree holds " + av.rbRoot.size() + " chains, vmas link " + e.getValue()[1];
            }
        }
        long alive = stats.alive("anon_vma_chain");
        long chainsSeen = 0;
        for (int[] c : seen.values()) {
            chainsSeen += c[1];
        }
        if (alive != chainsSeen) {
            return alive + " anon_vma_chains allocated but " + chainsSeen + " linked";
        }
        return null;
    }
}
