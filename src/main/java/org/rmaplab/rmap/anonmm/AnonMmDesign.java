package org.rmaplab.rmap.anonmm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import org.rmaplab.mm.DesignTraits;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.FileRmap;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapHost;
import org.rmaplab.mm.RmapSelfCheck;
import org.rmaplab.mm.RmapStructure;
import org.rmaplab.mm.RmapStats;
import org.rmaplab.mm.RmapWalkControl;

/**
 * anonmm — Hugh Dickins' anobjrmap as merged into 2.6.6-mm ("rmap 10 add anonmm rmap",
 * "rmap 11 mremap moves", with the "rmap anonhd locking fix"), which implements Linus's "anon
 * memory group" (Linus Torvalds, 13 March 2004, "Re: anon_vma RFC2":
 * docs/reference.md#linus-anon-memory-group). See {@code package-info.java} for the design, the
 * kernel functions mirrored and every choice made.
 *
 * <p>Per mm: {@code mm.rmapPriv} is the mm's {@link AnonMm} (mm-&gt;anonmm). Per anonymous page:
 * {@code frames.mapping} = the anonmm of the mm that first faulted it, {@code frames.index} = its
 * user virtual address, page-aligned ({@code address & PAGE_MASK}, as Hugh's code stores it).
 * Per vma: {@code vma.anonVma} = the mm's anonmm once the vma may hold anonymous pages (the core
 * reads it as "this vma has faulted"; anonmm itself never looks at it).
 *
 * <p>Invariant (the oracle proves it after every operation by comparing this design's walk with a
 * brute-force page-table scan): every pte mapping an anonymous page maps it at page-&gt;index in
 * an mm of the group of page-&gt;mapping.
 */
public final class AnonMmDesign implements RmapDesign, RmapSelfCheck, RmapStructure {
    private final boolean mremapCow;
    private final RmapStats stats = new RmapStats();

    {
        stats.countsMms = true; // the walk visits mms (walkVmasVisited counts them too)
    }
    private RmapHost host;
    private Frames frames;
    private int nextId = 1;

    public AnonMmDesign() {
        this(true);
    }

    /**
     * With {@code mremapCow = false} the design forgets Linus's rule (never COWs a shared page
     * before mremap moves it, and rewrites page-&gt;index whatever the mapcount): a broken design,
     * for tests that prove the oracle catches what the rule prevents.
     */
    AnonMmDesign(boolean mremapCow) {
        this.mremapCow = mremapCow;
    }

    /**
     * 2.6.6-mm: dup_mmap() called copy_page_range() for every vma (lazy page-table copies came in
     * 2.6.14); can_vma_merge_after() returns 1 for any anonymous mapping, so pgoff is never read;
     * mremap must hear of every moved pte, since page-&gt;index is a user address; i_mmap and
     * i_mmap_shared were plain lists (the prio_tree came in 2.6.7), so page_referenced_file /
     * try_to_unmap_file walk every vma on them.
     */
    private static final DesignTraits TRAITS = DesignTraits.ERA_2004.withAnonMergeNeedsPgoff(false)
            .withTellsMovedPtes(true).withIMmapKind(FileRmap.IMmap.LIST);

    @Override
    public DesignTraits traits() {
        return TRAITS;
    }

    @Override
    public String name() {
        return "anonmm";
    }

    @Override
    public void attach(RmapHost k) {
        this.host = k;
        this.frames = k.frames();
    }

    @Override
    public RmapStats stats() {
        return stats;
    }

    // ------------------------------------------------------------------ struct anonmm

    private AnonMm anonmmAlloc() {
        stats.object("anonmm", 1);
        return new AnonMm(nextId++);
    }

    private void anonmmFree(AnonMm a) {
        stats.object("anonmm", -1);
        a.mm = null;
        a.count = -1; // poisoned: a page or list still pointing here is caught by checkInvariants
    }

    /** The anonmm of a live mm (mm-&gt;anonmm). */
    static AnonMm anonmmOf(Mm mm) {
        return (AnonMm) mm.rmapPriv;
    }

    /** For tests and reports: the anonmm id a page's mapping names, or -1. */
    int pageAnonmmId(int pfn) {
        return frames.mapping[pfn] instanceof AnonMm a ? a.id : -1;
    }

    /** For tests: the id of mm's anonmm and of its group head. */
    static int anonmmId(Mm mm) {
        return anonmmOf(mm).id;
    }

    static int groupId(Mm mm) {
        return anonmmOf(mm).head.id;
    }

    /** For tests: the count of the anonmm a page's mapping names. */
    int pageAnonmmCount(int pfn) {
        return ((AnonMm) frames.mapping[pfn]).count;
    }

    /** For tests: is the mm that page-&gt;mapping names still alive? */
    boolean pageAnonmmLive(int pfn) {
        return ((AnonMm) frames.mapping[pfn]).mm != null;
    }

    /** For tests: the number of mms (live or not) in mm's group. */
    static int groupSize(Mm mm) {
        AnonMm hd = anonmmOf(mm).head;
        int n = 1;
        for (AnonMm a = hd.next; a != hd; a = a.next) {
            n++;
        }
        return n;
    }

    // ------------------------------------------------------------------ mm lifecycle

    /**
     * exec_rmap(): a fresh mm (exec, or the first task) starts a new group, its anonmm the head,
     * count 2 ("ref by mm and head").
     */
    @Override
    public void mmInit(Mm mm) {
        AnonMm anonmm = anonmmAlloc();
        anonmm.count = 2;
        anonmm.mm = mm;
        anonmm.head = anonmm;
        mm.rmapPriv = anonmm;
        stats.rmapMmOps++;
    }

    /**
     * dup_rmap(): the child's anonmm (count 1, "ref by mm") joins the tail of the parent's group;
     * the head gains a count for it. The child mm's rss is still 0, which keeps walks away from it
     * until fork has copied some ptes.
     */
    @Override
    public void mmFork(Mm parent, Mm child) {
        AnonMm anonhd = anonmmOf(parent).head;
        AnonMm anonmm = anonmmAlloc();
        anonmm.count = 1;
        anonmm.mm = child;
        anonmm.head = anonhd;
        anonhd.spinLock();
        anonhd.count++;
        if (!org.rmaplab.mm.FaultInject.on(org.rmaplab.mm.FaultInject.Bug.ANONMM_FORK_FORGETS_MM)) {
            anonhd.listAddTail(anonmm);
        }
        anonhd.spinUnlock();
        child.rmapPriv = anonmm;
        stats.rmapMmOps++;
    }

    /**
     * exit_rmap() (after exit_mmap, with the anonhd locking fix): anonmm-&gt;mm = NULL and the mm's
     * reference dropped; an anonmm with no pages left is unlinked and freed at once, one that
     * pages still name lives on until the last of them goes (clear_page_anon). The head is freed
     * when only its own reference is left.
     */
    @Override
    public void mmExit(Mm mm) {
        AnonMm anonmm = anonmmOf(mm);
        AnonMm anonhd = anonmm.head;
        mm.rmapPriv = null;
        anonhd.spinLock();
        anonmm.mm = null;
        if (--anonmm.count == 0) {
            bugOn(anonmm == anonhd, "exit_rmap: head count reached 0");
            anonmm.listDel();
            anonmmFree(anonmm);
            if (--anonhd.count == 0) {
                bug("exit_rmap: head count reached 0 through a member");
            }
        }
        int anonhdCount = anonhd.count;
        anonhd.spinUnlock();
        if (anonhdCount == 1) {
            bugOn(anonhd.mm != null, "exit_rmap: freeing a head whose mm lives");
            bugOn(!anonhd.listEmpty(), "exit_rmap: freeing a head with members");
            anonmmFree(anonhd);
        }
        stats.rmapMmOps++;
    }

    /** free_anonmm(): a member anonmm that neither its mm nor any page references any more. */
    private void freeAnonmm(AnonMm anonmm) {
        AnonMm anonhd = anonmm.head;
        bugOn(anonmm.mm != null, "free_anonmm: mm still set");
        bugOn(anonmm == anonhd, "free_anonmm: freeing the head");
        anonhd.spinLock();
        anonmm.listDel();
        if (--anonhd.count == 0) {
            bug("free_anonmm: head count reached 0");
        }
        anonhd.spinUnlock();
        anonmmFree(anonmm);
    }

    /** atomic_dec_and_test(&amp;anonmm-&gt;count) then free_anonmm(): drops a page's reference. */
    private void putAnonmm(AnonMm anonmm) {
        if (--anonmm.count == 0) {
            freeAnonmm(anonmm);
        }
    }

    // ------------------------------------------------------------------ vma lifecycle
    //
    // anonmm keeps nothing per vma. vma.anonVma is set to the mm's anonmm when the vma first gets
    // an anonymous page and follows the vma through fork, split, copy and merge, only because the
    // core reads it as "this vma has faulted" (vma_needs_copy at fork, mprotect's VM_ACCOUNT rule,
    // MREMAP_DONTUNMAP): the user-visible Linux semantics the model keeps whatever the design.

    @Override
    public int anonVmaPrepare(Vma vma) {
        if (vma.anonVma == null) {
            vma.anonVma = anonmmOf(vma.mm);
        }
        return 0;
    }

    @Override
    public int vmaFork(Vma src, Vma dst) {
        dst.anonVma = src.anonVma != null ? anonmmOf(dst.mm) : null;
        return 0;
    }

    @Override
    public int vmaSplit(Vma orig, Vma piece) {
        piece.anonVma = orig.anonVma;
        return 0;
    }

    @Override
    public int vmaCopy(Vma src, Vma dst) {
        if (dst.anonVma == null && src.anonVma != null) {
            dst.anonVma = anonmmOf(dst.mm);
        }
        return 0;
    }

    /**
     * 2.6.6's vma_merge has no anon rule: any two anonymous vmas with equal flags merge (the
     * anonmm of a vma's pages is its mm's, whatever vma they sit in).
     */
    @Override
    public boolean isMergeableAnonVma(Vma tgt, Object srcAnon, Vma src) {
        return true;
    }

    @Override
    public boolean anonVmasCompatible(Vma prev, Vma next) {
        return true;
    }

    @Override
    public int vmaMerged(Vma survivor, Vma removed) {
        return vmaCopy(removed, survivor);
    }

    @Override
    public void vmaAdjusted(Vma vma, long oldStart, long oldEnd, long oldPgoff) {
    }

    @Override
    public void vmaUnlinked(Vma vma) {
        vma.anonVma = null;
    }

    // ------------------------------------------------------------------ pages

    /**
     * page_add_anon_rmap() for a page with no mapping yet: PG_anon (the core's), page-&gt;index =
     * address &amp; PAGE_MASK, page-&gt;mapping = the faulting mm's anonmm, which gains a count.
     * Also the new page of a COW copy (do_wp_page: page_add_anon_rmap(new_page, vma, address))
     * and of mremap's early COW (make_page_exclusive).
     */
    @Override
    public void pageAddNewAnon(int pfn, Vma vma, long address, long ptep) {
        AnonMm anonmm = anonmmOf(vma.mm);
        bugOn(frames.mapping[pfn] != null, "page_add_anon_rmap: page already has a mapping");
        frames.index[pfn] = address & PageTable.PAGE_MASK;
        frames.mapping[pfn] = anonmm;
        anonmm.count++;
    }

    /** page_dup_rmap() (copy_one_pte at fork): mapcount++ only, done by the core. */

    /**
     * page_remove_rmap(): when the last pte goes, clear_page_anon() drops the page's reference on
     * its anonmm (and frees the anonmm if that was the last) and clears page-&gt;mapping. PG_ANON
     * is the core's flag, cleared when the frame is freed (right after: anonymous refcount =
     * mapcount until swap exists).
     */
    @Override
    public void pageRemoveRmap(int pfn, Vma vma, long address, long ptep) {
        if (frames.mapcount[pfn] == 0 && (frames.flags[pfn] & Frames.PG_ANON) != 0) {
            if (pfn == walkPfn) {
                walkCleared = true; // try_to_unmap_one inside the walk: cleared after it, see rmapWalk
                return;
            }
            clearPageAnon(pfn);
        }
    }

    /** The anonymous page {@link #rmapWalk} is walking (-1: none), and whether its last pte went. */
    private int walkPfn = -1;
    private boolean walkCleared;

    /** clear_page_anon(). */
    private void clearPageAnon(int pfn) {
        AnonMm anonmm = (AnonMm) frames.mapping[pfn];
        frames.mapping[pfn] = null;
        if (anonmm != null) {
            putAnonmm(anonmm);
        }
    }

    /**
     * do_wp_page() reusing a page the writer alone maps (2.6.6: can_share_swap_page): no rmap
     * change. The page keeps the anonmm of the mm that first faulted it, which may be another
     * (perhaps dead) mm of the group; it is found at page-&gt;index in the writer's mm by the walk.
     */
    @Override
    public void pageReuseAnon(int pfn, Vma vma, long address) {
    }

    /**
     * page_referenced() of Hugh's 2.6.6-mm series: an anonymous page's walk is
     * page_referenced_anon(), which re-homes a page of an extinct mm in the same pass
     * ({@link #pageReferencedAnon}); a file page's is page_referenced_file (the i_mmap lists).
     */
    @Override
    public void pageReferencedWalk(int pfn, RmapWalkControl ctl) {
        if ((frames.flags[pfn] & Frames.PG_ANON) == 0) {
            rmapWalk(pfn, ctl);
            return;
        }
        pageReferencedAnon(pfn, ctl);
    }

    /**
     * do_swap_page() of rmap 11: a page moved by mremap while it was on swap is not at
     * page-&gt;index in the faulting mm, so the fault takes a private copy. A page nobody else
     * maps or has on swap (mapcount 0, swap count 1: only this entry) is simply re-homed at the
     * new address; a page read back from the device carries no index yet (0) and is placed here.
     */
    @Override
    public boolean swapinMustCopy(int pfn, Vma vma, long address) {
        long index = frames.index[pfn];
        if (index == 0 || index == (address & PageTable.PAGE_MASK)) {
            return false;
        }
        if (frames.mapcount[pfn] == 0 && (frames.flags[pfn] & Frames.PG_SWAPCACHE) != 0
                && host.swap().count(frames.swapSlot(pfn)) <= 1) {
            return false;
        }
        return true;
    }

    /** The frame is freed; its anonmm reference went at mapcount 0 (defensive otherwise). */
    @Override
    public void pageFreed(int pfn) {
        if (frames.mapping[pfn] instanceof AnonMm) {
            clearPageAnon(pfn);
        }
    }

    /**
     * can_move_one_pte() → mremap_move_anon_rmap() refuses (returns 0) a page with mapcount != 1;
     * move_page_tables() then calls make_page_exclusive() (a write fault at the old address: an
     * early COW, counted by the core in {@link RmapStats#mremapCows}) and retries the pte.
     */
    @Override
    public boolean mremapMustCow(int pfn) {
        return mremapCow && frames.mapcount[pfn] > 1;
    }

    /**
     * mremap_move_anon_rmap(): the exclusive page's index becomes the new address. (The kernel
     * writes it just before moving the pte, under the page's map lock; same effect.)
     */
    @Override
    public void ptemoved(int pfn, Vma oldVma, long oldAddress, long oldPtep, Vma newVma, long newAddress, long newPtep) {
        if ((frames.flags[pfn] & Frames.PG_ANON) == 0) {
            return;
        }
        bugOn(mremapCow && frames.mapcount[pfn] != 1, "mremap moved a shared anonymous page");
        frames.index[pfn] = newAddress & PageTable.PAGE_MASK;
    }

    /**
     * UFFDIO_MOVE under anonmm: the page stays with the mm's anonmm (the move never leaves the
     * mm); its index is the user address, so it becomes the new address (as mremap's move does).
     */
    @Override
    public int pageMoveAnon(Frames f, int pfn, Vma srcVma, long srcAddr, long srcPtep, Vma dstVma,
            long dstAddr, long dstPtep) {
        f.index[pfn] = dstAddr & PageTable.PAGE_MASK;
        return 0;
    }

    // ------------------------------------------------------------------ the walk

    /**
     * The reverse walk of page_referenced_anon() / try_to_unmap_anon(): under the head's lock, the
     * indicated mm first at page-&gt;index, then every other mm of the group round the list from
     * it, skipping extinct mms (mm == NULL) and those with rss 0, stopping once mapcount ptes
     * are found. {@link RmapStats#walkVmasVisited} counts the mms looked at (an anonmm walk
     * visits mms, not vmas), and so does {@link RmapStats#walkMmsVisited};
     * {@link RmapStats#walkPtesChecked} the page-table lookups.
     *
     * <p>This walk changes nothing itself: it is what the oracle and try_to_unmap_anon use. When
     * the visitor unmaps the page's last pte, clear_page_anon waits until the head's lock is
     * dropped, as in 2.6.6-mm's try_to_unmap(). Re-homing a page off an extinct mm is
     * page_referenced's business only: {@link #pageReferencedAnon}.
     */
    /**
     * 2.6.6-mm's structure for the page: page-&gt;mapping's anonmm (its mm and count), and the fork
     * group's ring from its head (anonhd-&gt;list), head first: the mms page_referenced_anon /
     * try_to_unmap_anon visit at page-&gt;index.
     */
    @Override
    public RmapStructure.Node pageStructure(int pfn) {
        if ((frames.flags[pfn] & Frames.PG_ANON) == 0) {
            return host.fileStructure(pfn, traits().iMmapKind()); // i_mmap, as rmapWalk's file walk
        }
        if (!(frames.mapping[pfn] instanceof AnonMm a)) {
            return null;
        }
        RmapStructure.Node top = new RmapStructure.Node("anonmm", "page->mapping: " + a);
        RmapStructure.Node ring = top.add("anonmm", "group ring of head anonmm" + a.head.id);
        AnonMm h = a.head;
        ring.add("anonmm", h.toString());
        for (AnonMm m = h.next; m != h; m = m.next) {
            ring.add("anonmm", m.toString());
        }
        return top;
    }

    @Override
    public void rmapWalk(int pfn, RmapWalkControl ctl) {
        stats.beginWalk();
        if ((frames.flags[pfn] & Frames.PG_ANON) == 0) {
            host.rmapWalkFile(pfn, ctl, stats, traits().iMmapKind());
            return;
        }
        AnonMm anonmm = (AnonMm) frames.mapping[pfn];
        if (anonmm == null) {
            return;
        }
        int saved = walkPfn;
        walkPfn = pfn;
        walkCleared = false;
        try {
            walkAnon(pfn, anonmm, ctl);
        } finally {
            walkPfn = saved;
        }
        if (walkCleared) {
            // 2.6.6-mm's try_to_unmap(): "if (!page->mapcount) ... clear_page_anon(page)", after
            // try_to_unmap_anon has dropped the head's lock (try_to_unmap_one only counted down).
            walkCleared = false;
            clearPageAnon(pfn);
        }
    }

    /**
     * page_referenced_anon(): the same walk, and if the page's anonmm belongs to an extinct mm,
     * page-&gt;mapping moves to the anonmm of the first mm found mapping it ("so that its anonmm
     * can be freed in due course"), taking a count there and dropping one on the old anonmm
     * (which may free it). It moves only when every pte was found (the kernel's {@code !mapcount}).
     * {@code ctl} does the per-pte work (the reclaim issue's ptep_test_and_clear_young).
     *
     * @return true if page-&gt;mapping moved
     */
    public boolean pageReferencedAnon(int pfn, RmapWalkControl ctl) {
        stats.beginWalk();
        bugOn((frames.flags[pfn] & Frames.PG_ANON) == 0, "page_referenced_anon of a file page");
        AnonMm anonmm = (AnonMm) frames.mapping[pfn];
        if (anonmm == null || frames.mapcount[pfn] == 0) {
            return false;
        }
        AnonMm newAnonmm = walkAnon(pfn, anonmm, ctl);
        if (newAnonmm == null || newAnonmm == anonmm) {
            return false;
        }
        // migrate: outside the head's lock, as the kernel does.
        frames.mapping[pfn] = newAnonmm;
        newAnonmm.count++;
        putAnonmm(anonmm);
        return true;
    }

    /**
     * The walk shared by {@link #rmapWalk} and {@link #pageReferencedAnon}. Returns the anonmm
     * page_referenced_anon would leave the page on when every pte was found (the indicated one
     * if its mm lives, else the first whose mm maps the page), or null when the walk ended early.
     */
    private AnonMm walkAnon(int pfn, AnonMm anonmm, RmapWalkControl ctl) {
        AnonMm anonhd = anonmm.head;
        long address = frames.index[pfn];
        int mapcount = frames.mapcount[pfn];
        AnonMm newAnonmm = anonmm.mm != null ? anonmm : null;
        anonhd.spinLock();
        try {
            // First try the indicated mm, it's the most likely.
            if (anonmm.mm != null && anonmm.mm.rss() != 0) {
                int r = referencedOne(pfn, anonmm.mm, address, ctl);
                if (r < 0) {
                    return null;
                }
                mapcount -= r;
                if (mapcount <= 0 || ctl.done()) {
                    return mapcount <= 0 ? newAnonmm : null;
                }
            }
            // Then down the rest of the list, from that as the head.
            for (AnonMm a = anonmm.next; a != anonmm; a = a.next) {
                Mm mm = a.mm;
                if (mm == null || mm.rss() == 0) {
                    continue;
                }
                int r = referencedOne(pfn, mm, address, ctl);
                if (r < 0) {
                    return null;
                }
                if (r > 0 && newAnonmm == null) {
                    newAnonmm = a;
                }
                mapcount -= r;
                if (mapcount <= 0) {
                    return newAnonmm;
                }
                if (ctl.done()) {
                    return null;
                }
            }
            return null;
        } finally {
            anonhd.spinUnlock();
        }
    }

    /**
     * page_referenced_one() / try_to_unmap_one() on one mm: a page-table lookup at address
     * (no vma is needed for it; the vma is looked up only to hand to the visitor). Returns 1 if
     * the pte maps the page, 0 if not, -1 if the visitor asked to stop.
     */
    private int referencedOne(int pfn, Mm mm, long address, RmapWalkControl ctl) {
        stats.walkVisit(mm, null);
        stats.walkMmsVisited++;
        long slot = host.pageMappedInMm(pfn, mm, address);
        if (slot < 0) {
            return 0;
        }
        Vma vma = mm.vmaLookup(address);
        return ctl.visit(vma, address, slot) ? -1 : 1;
    }

    // ------------------------------------------------------------------ invariants

    /**
     * The design's own invariants: every live mm has a live anonmm naming it, on its head's list;
     * every vma's anonVma is null or its mm's anonmm; every anonymous page names a live anonmm at
     * a page-aligned index; each anonmm's count is exactly 1 for its live mm + 1 per page naming
     * it (+ 1 for itself and 1 per member, for a head); no anonmm with count 0 survives; the
     * anonmms alive are exactly those on the lists of live groups.
     */
    @Override
    public String checkInvariants() {
        Set<AnonMm> heads = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Mm mm : host.mms()) {
            String why = checkMmAnonmm(mm, heads);
            if (why != null) {
                return why;
            }
        }
        List<AnonMm> all = new ArrayList<>();
        for (AnonMm hd : heads) {
            String why = checkGroupList(hd, all);
            if (why != null) {
                return why;
            }
        }
        String why = countAnonPages(heads);
        if (why != null) {
            return why;
        }
        for (AnonMm a : all) {
            why = checkAnonmmCount(a);
            if (why != null) {
                return why;
            }
        }
        if (stats.alive("anonmm") != all.size()) {
            return stats.alive("anonmm") + " anonmms allocated but " + all.size() + " on live lists";
        }
        return null;
    }

    /**
     * A live mm has a live anonmm naming it, on its unlocked head's list (the head joins
     * {@code heads}); its vmas' anonVma is none or that anonmm.
     */
    private static String checkMmAnonmm(Mm mm, Set<AnonMm> heads) {
        if (!(mm.rmapPriv instanceof AnonMm a)) {
            return mm + " has no anonmm";
        }
        if (a.count <= 0 || a.mm != mm) {
            return mm + "'s " + a + " does not name it or is freed";
        }
        AnonMm hd = a.head;
        if (hd == null || hd.head != hd || hd.count <= 0) {
            return mm + "'s " + a + " has a bad head";
        }
        if (!onRing(hd, a)) {
            return mm + "'s " + a + " is not on its head's list";
        }
        if (hd.lock != 0) {
            return hd + " is left locked";
        }
        heads.add(hd);
        for (int i = 0; i < mm.mapCount(); i++) {
            Vma v = mm.vma(i);
            if (v.anonVma != null && v.anonVma != a) {
                return "vma " + v + " of " + mm + " names " + v.anonVma + ", not its mm's anonmm";
            }
        }
        return null;
    }

    /** A group's list holds its own members, each naming a live mm that names it back or none; they join {@code all}. */
    private String checkGroupList(AnonMm hd, List<AnonMm> all) {
        AnonMm a = hd;
        do {
            if (a.head != hd) {
                return a + " is on the list of " + hd;
            }
            if (a.mm != null && (!host.mms().contains(a.mm) || a.mm.rmapPriv != a)) {
                return a + " names an mm that is gone or has another anonmm";
            }
            a.checkPages = 0;
            all.add(a);
            a = a.next;
        } while (a != hd);
        return null;
    }

    /** Every anonymous page names a live anonmm at a page-aligned index; counted in its checkPages. */
    private String countAnonPages(Set<AnonMm> heads) {
        for (int pfn = 1; pfn < frames.nrFrames(); pfn++) {
            if (frames.refcount[pfn] == 0 || (frames.flags[pfn] & Frames.PG_ANON) == 0) {
                continue;
            }
            if (frames.mapcount[pfn] == 0 && frames.mapping[pfn] == null
                    && (frames.flags[pfn] & Frames.PG_SWAPCACHE) != 0) {
                continue; // unmapped in the swap cache: clear_page_anon() dropped its anonmm
            }
            if (!(frames.mapping[pfn] instanceof AnonMm a) || a.count <= 0 || !heads.contains(a.head)) {
                return "anonymous pfn " + pfn + " names " + frames.mapping[pfn] + ", not a live anonmm";
            }
            if ((frames.index[pfn] & ~PageTable.PAGE_MASK) != 0) {
                return "anonymous pfn " + pfn + " has an unaligned index 0x" + Long.toHexString(frames.index[pfn]);
            }
            a.checkPages++;
        }
        return null;
    }

    /** An anonmm's count: 1 for its live mm, 1 per page, and for a head 1 for itself and 1 per member; none extinct and unused. */
    private String checkAnonmmCount(AnonMm a) {
        int expected = (a.mm != null ? 1 : 0) + a.checkPages;
        if (a.isHead()) {
            expected += 1 + (groupSizeOf(a) - 1); // itself, and one per member
        }
        if (a.count != expected) {
            return a + " should have count " + expected + " (" + a.checkPages + " pages)";
        }
        if (!a.isHead() && a.mm == null && a.checkPages == 0) {
            return a + " is extinct with no pages but was not freed";
        }
        return null;
    }

    private static boolean onRing(AnonMm hd, AnonMm x) {
        AnonMm a = hd;
        do {
            if (a == x) {
                return true;
            }
            a = a.next;
        } while (a != hd);
        return false;
    }

    private static int groupSizeOf(AnonMm hd) {
        int n = 1;
        for (AnonMm a = hd.next; a != hd; a = a.next) {
            n++;
        }
        return n;
    }

    private static void bugOn(boolean cond, String what) {
        if (cond) {
            bug(what);
        }
    }

    private static void bug(String what) {
        throw new IllegalStateException("anonmm BUG: " + what);
    }
}
