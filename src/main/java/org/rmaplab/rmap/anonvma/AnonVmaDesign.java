package org.rmaplab.rmap.anonvma;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

import org.rmaplab.mm.DesignTraits;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.FileRmap;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapHost;
import org.rmaplab.mm.RmapSelfCheck;
import org.rmaplab.mm.RmapStructure;
import org.rmaplab.mm.RmapStats;
import org.rmaplab.mm.RmapWalkControl;

/**
 * anon_vma — Andrea Arcangeli's design as merged in Linux 2.6.7 (mm/rmap.c, mm/mmap.c,
 * mm/memory.c of June 2004). Every anonymous vma points to one {@link AnonVma} and sits on its
 * list; a fork family shares one anon_vma (the child vma joins the parent's list, never a chain);
 * a page points to the anon_vma and keeps its linear pgoff, so mremap needs no per-page work; the
 * walk visits every vma on the list in list order until mapcount ptes are found.
 *
 * <p>Per-vma state: {@code vma.anonVma} is the {@link AnonVma}; {@code vma.rmapPriv} is the
 * vma's {@link AnonVmaNode} (anon_vma_node). See package-info for every choice made.
 *
 * <p>Invariants (checked by {@link #checkInvariants}): a vma has an anon_vma exactly when its
 * node is on that anon_vma's list; every list entry is a live vma pointing back to the list;
 * lists are well linked and never empty while their anon_vma is alive; the anon_vmas alive are
 * exactly those reachable from live vmas; a mapped anonymous page points to a live anon_vma.
 */
public final class AnonVmaDesign implements RmapDesign, RmapSelfCheck, RmapStructure {
    /** The registered name. */
    public static final String NAME = "anon_vma";

    private final RmapStats stats = new RmapStats();
    private RmapHost host;
    private Frames frames;
    private int nextId = 1;

    /**
     * 2.6.7: dup_mmap() called copy_page_range() for every vma (lazy page-table copies came in
     * 2.6.14); the prio_tree came with anon_vma, so a file page's walk visits only the vmas covering
     * it; mremap moves page tables without per-page work, since vm_pgoff is kept
     * (docs/reference.md#arcangeli-vm-pgoff).
     */
    private static final DesignTraits TRAITS = DesignTraits.ERA_2004.withIMmapKind(FileRmap.IMmap.PRIO_TREE);

    @Override
    public DesignTraits traits() {
        return TRAITS;
    }

    @Override
    public String name() {
        return NAME;
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

    // ------------------------------------------------------------------ helpers

    /** The vma's embedded anon_vma_node (made on first use: the kernel embeds it in the vma). */
    private static AnonVmaNode node(Vma vma) {
        AnonVmaNode n = (AnonVmaNode) vma.rmapPriv;
        if (n == null) {
            n = new AnonVmaNode(vma);
            vma.rmapPriv = n;
        }
        return n;
    }

    /** anon_vma_alloc(): kmem_cache_alloc(anon_vma_cachep). */
    private AnonVma anonVmaAlloc() {
        stats.object("anon_vma", 1);
        return new AnonVma(nextId++);
    }

    /** anon_vma_free(). */
    private void anonVmaFree(AnonVma av) {
        av.freed = true;
        stats.object("anon_vma", -1);
    }

    private static AnonVma live(Object o, String what) {
        AnonVma av = (AnonVma) o;
        if (av != null && av.freed) {
            throw new IllegalStateException(what + " uses " + av);
        }
        return av;
    }

    // ------------------------------------------------------------------ mm lifecycle

    // ------------------------------------------------------------------ vma lifecycle

    /**
     * anon_vma_prepare() (mm/rmap.c, 2.6.7): a neighbour's anon_vma if find_mergeable_anon_vma()
     * finds one, else a new one; {@code list_add(&vma->anon_vma_node, &anon_vma->head)}.
     */
    @Override
    public int anonVmaPrepare(Vma vma) {
        if (vma.anonVma != null) {
            return 0;
        }
        AnonVma av = findMergeableAnonVma(vma);
        if (av == null) {
            av = anonVmaAlloc();
        }
        vma.anonVma = av;
        node(vma).addAfter(av.head);
        stats.rmapVmaOps++;
        return 0;
    }

    /**
     * find_mergeable_anon_vma() (mm/mmap.c, 2.6.7, Hugh's "rmap 40 better anon_vma sharing"):
     * next first, then prev; the neighbour must touch the vma, have an anon_vma, and be a vma the
     * two could later be mprotected into merging with: flags equal ignoring VM_READ|VM_WRITE|
     * VM_EXEC, the same file, contiguous pgoff (can_vma_merge_before/after with a NULL anon_vma).
     * No test of how many vmas share that anon_vma (today's reusable_anon_vma has one).
     */
    AnonVma findMergeableAnonVma(Vma vma) {
        Mm mm = vma.mm;
        Vma near = mm.nextOf(vma);
        if (near != null) {
            long vmFlags = (vma.flags() & ~Vma.VM_ACCESS_FLAGS) | (near.flags() & Vma.VM_ACCESS_FLAGS);
            if (near.anonVma != null && vma.end() == near.start()
                    && canVmaMergeBefore(near, vmFlags, vma, vma.pgoff() + vma.pages())) {
                return live(near.anonVma, "find_mergeable_anon_vma");
            }
        }
        near = mm.prevOf(vma);
        if (near != null) {
            long vmFlags = (vma.flags() & ~Vma.VM_ACCESS_FLAGS) | (near.flags() & Vma.VM_ACCESS_FLAGS);
            if (near.anonVma != null && near.end() == vma.start()
                    && canVmaMergeAfter(near, vmFlags, vma, vma.pgoff())) {
                return live(near.anonVma, "find_mergeable_anon_vma");
            }
        }
        return null;
    }

    /**
     * is_mergeable_vma() of 2.6.7: {@code vma->vm_flags != vm_flags} refuses (the model ignores
     * VM_SOFTDIRTY, a flag of today that it never sets, as its core's test does), and the file.
     */
    private static boolean isMergeableVma(Vma v, long vmFlags, Vma like) {
        return ((v.flags() ^ vmFlags) & ~Vma.VM_IGNORE_MERGE) == 0 && v.vmFile() == like.vmFile();
    }

    /** can_vma_merge_before(next, vm_flags, NULL, file, pgoff): next->vm_pgoff == pgoff. */
    private static boolean canVmaMergeBefore(Vma next, long vmFlags, Vma like, long pgoff) {
        return isMergeableVma(next, vmFlags, like) && next.pgoff() == pgoff;
    }

    /** can_vma_merge_after(prev, vm_flags, NULL, file, pgoff): prev's pgoff range ends at pgoff. */
    private static boolean canVmaMergeAfter(Vma prev, long vmFlags, Vma like, long pgoff) {
        return isMergeableVma(prev, vmFlags, like) && prev.pgoff() + prev.pages() == pgoff;
    }

    /**
     * dup_mmap() (kernel/fork.c, 2.6.7): {@code *tmp = *mpnt} copies vm->anon_vma, then
     * anon_vma_link(tmp): {@code list_add(&vma->anon_vma_node, &anon_vma->head)} — the child goes
     * to the head of the parent's list. Never allocates.
     */
    @Override
    public int vmaFork(Vma src, Vma dst) {
        dst.anonVma = src.anonVma;
        dst.rmapPriv = null;
        anonVmaLink(dst);
        return 0;
    }

    /** anon_vma_link() / __anon_vma_link(): list_add at the head of vma's anon_vma, if any. */
    private void anonVmaLink(Vma vma) {
        AnonVma av = live(vma.anonVma, "anon_vma_link");
        if (av != null) {
            node(vma).addAfter(av.head);
            stats.rmapVmaOps++;
        }
    }

    /**
     * split_vma() → vma_adjust(vma, ..., insert) → __insert_vm_struct() → __vma_link() →
     * __anon_vma_link(new): the new vma ({@code piece}, a copy sharing vma's anon_vma) goes to
     * the head of the list; the original keeps its place.
     */
    @Override
    public int vmaSplit(Vma orig, Vma piece) {
        piece.anonVma = orig.anonVma;
        piece.rmapPriv = null;
        anonVmaLink(piece);
        return 0;
    }

    /**
     * do_munmap()'s splits (2.6.7): split_vma(mm, mpnt, start, 0) and split_vma(mm, last, end, 1)
     * make the part to be unmapped the new vma, linked at the head, while the part that stays
     * keeps the original vma's place. The core cut it the other way round ({@code orig} is the
     * unmapped part), so {@code piece} takes orig's place and orig goes to the head.
     */
    @Override
    public int vmaSplitForUnmap(Vma orig, Vma piece) {
        piece.anonVma = orig.anonVma;
        piece.rmapPriv = null;
        AnonVma av = live(orig.anonVma, "split_vma");
        if (av != null) {
            AnonVmaNode o = node(orig);
            node(piece).addAfter(o);
            o.del();
            o.addAfter(av.head);
            stats.rmapVmaOps++; // 2.6.7: vma_link of the new vma, anon_vma_link; the rest is the model's reordering
        }
        return 0;
    }

    /**
     * copy_vma() (mremap): a new vma is linked by vma_link() → __anon_vma_link() at the head; an
     * existing vma that takes the range gets the anon_vma the same way (vma_adjust()'s
     * "importer" of 2.6.8, see package-info).
     */
    @Override
    public int vmaCopy(Vma src, Vma dst) {
        if (src.anonVma != null && dst.anonVma == null) {
            dst.anonVma = src.anonVma;
            anonVmaLink(dst);
        }
        return 0;
    }

    /** is_mergeable_anon_vma() of 2.6.7: {@code !anon_vma1 || !anon_vma2 || anon_vma1 == anon_vma2}. */
    @Override
    public boolean isMergeableAnonVma(Vma tgt, Object srcAnon, Vma src) {
        return org.rmaplab.mm.FaultInject.on(org.rmaplab.mm.FaultInject.Bug.ANON_VMA_MERGE_IGNORES_ANON_VMA) || srcAnon == null || tgt.anonVma == null || srcAnon == tgt.anonVma;
    }

    /** vma_merge()'s test for merging prev and next both: is_mergeable_anon_vma(prev, next). */
    @Override
    public boolean anonVmasCompatible(Vma prev, Vma next) {
        return prev.anonVma == null || next.anonVma == null || prev.anonVma == next.anonVma;
    }

    /**
     * vma_adjust()'s remove_next → {@code if (next->anon_vma) __anon_vma_merge(vma, next)} of
     * 2.6.7: when vma has no anon_vma it takes next's and next's place on the list
     * ({@code list_add(&vma->anon_vma_node, &next->anon_vma_node)}), then next is list_del'd.
     * In 2.6.7 the vma that survives is always the lower one ({@code vma}) and the higher one
     * ({@code next}) goes; the core sometimes keeps the higher one instead (it expands next over
     * the middle of an mprotect), so the survivor here takes the list place 2.6.7's lower vma
     * would have had.
     */
    @Override
    public int vmaMerged(Vma survivor, Vma removed) {
        AnonVma ra = live(removed.anonVma, "__anon_vma_merge");
        if (ra == null) {
            return 0; // 2.6.7 calls __anon_vma_merge only if next->anon_vma; lower keeps its place
        }
        AnonVmaNode r = node(removed);
        if (survivor.anonVma == null) {
            survivor.anonVma = ra;
            node(survivor).addAfter(r);
            stats.rmapVmaOps++;
        } else if (survivor.anonVma != ra) {
            throw new IllegalStateException("__anon_vma_merge of " + survivor + " (" + survivor.anonVma
                    + ") and " + removed + " (" + ra + ")"); // BUG_ON
        } else if (survivor.start() > removed.start()) {
            // 2.6.7 keeps the lower vma (here: removed) in its place and list_dels the higher one.
            AnonVmaNode s = node(survivor);
            s.del();
            s.addAfter(r);
        }
        r.del();
        stats.rmapVmaOps++; // 2.6.7 __anon_vma_merge: list_del of next's node (a reordering above is the model's)
        removed.anonVma = null;
        return 0;
    }

    /** A list needs no re-indexing when a vma's range or pgoff changes. */
    @Override
    public void vmaAdjusted(Vma vma, long oldStart, long oldEnd, long oldPgoff) {
    }

    /**
     * anon_vma_unlink() (2.6.7): list_del; "We must garbage collect the anon_vma if it's empty":
     * the anon_vma is freed the moment its list empties.
     */
    @Override
    public void vmaUnlinked(Vma vma) {
        AnonVma av = live(vma.anonVma, "anon_vma_unlink");
        if (av == null) {
            return;
        }
        node(vma).del();
        stats.rmapVmaOps++;
        vma.anonVma = null;
        if (av.isEmpty()) {
            anonVmaFree(av);
        }
    }

    // ------------------------------------------------------------------ pages

    /**
     * page_add_anon_rmap() of 2.6.7 for a page's first mapping: {@code page->mapping = anon_vma},
     * {@code page->index = (address - vm_start) >> PAGE_SHIFT + vm_pgoff}.
     */
    @Override
    public void pageAddNewAnon(int pfn, Vma vma, long address, long ptep) {
        AnonVma av = live(vma.anonVma, "page_add_anon_rmap");
        if (av == null) {
            throw new IllegalStateException("page_add_anon_rmap in " + vma + " without anon_vma"); // BUG_ON(!anon_vma)
        }
        frames.mapping[pfn] = av;
        frames.index[pfn] = vma.linearPageIndex(address);
    }

    /** page_add_file_rmap(): mapcount only. */

    /** page_dup_rmap() (copy_one_pte at fork): mapcount only; mapping and index stay. */

    /**
     * page_remove_rmap() of 2.6.7: when the last pte goes, clear_page_anon() resets
     * page-&gt;mapping (the page is freed at once in the model: no swap cache yet).
     */
    @Override
    public void pageRemoveRmap(int pfn, Vma vma, long address, long ptep) {
        if (frames.mapcount[pfn] == 0 && (frames.flags[pfn] & Frames.PG_ANON) != 0) {
            frames.mapping[pfn] = null;
        }
    }

    /**
     * do_wp_page() of 2.6.7 reuses a page that can_share_swap_page() allows without touching
     * page-&gt;mapping: the page stays in the anon_vma it was born in (which every vma of the
     * family shares).
     */
    @Override
    public void pageReuseAnon(int pfn, Vma vma, long address) {
    }

    /**
     * UFFDIO_MOVE under 2.6.7's anon_vma: the page joins the destination vma's anon_vma at the
     * destination's pgoff (vma_address() must find it there).
     */
    @Override
    public int pageMoveAnon(Frames f, int pfn, Vma srcVma, long srcAddr, long srcPtep, Vma dstVma,
            long dstAddr, long dstPtep) {
        f.mapping[pfn] = live(dstVma.anonVma, "uffd move");
        f.index[pfn] = dstVma.linearPageIndex(dstAddr);
        return 0;
    }

    // ------------------------------------------------------------------ walk

    /**
     * page_referenced_anon() / try_to_unmap_anon() of 2.6.7: under the anon_vma lock,
     * {@code list_for_each_entry(vma, &anon_vma->head, anon_vma_node)} calls
     * page_referenced_one() / try_to_unmap_one() on every vma in list order — skip an mm with no
     * rss, compute vma_address() (-EFAULT when the page's pgoff falls outside the vma), look at
     * the pte — and stops once mapcount ptes were found. Every list entry counts as a vma
     * visited; a pte is checked only where vma_address() succeeds. File pages: i_mmap.
     */
    @Override
    public void rmapWalk(int pfn, RmapWalkControl ctl) {
        stats.beginWalk();
        if ((frames.flags[pfn] & Frames.PG_ANON) == 0) {
            host.rmapWalkFile(pfn, ctl, stats, traits().iMmapKind());
            return;
        }
        AnonVma av = live(frames.mapping[pfn], "page_referenced_anon");
        if (av == null) {
            return;
        }
        long pgoff = frames.index[pfn];
        AnonVmaNode head = av.head;
        for (AnonVmaNode n = head.next; n != head; n = n.next) {
            Vma vma = n.vma;
            if (org.rmaplab.mm.FaultInject.on(org.rmaplab.mm.FaultInject.Bug.ANON_VMA_WALK_SKIPS_VMA) && n.next == head && n != head.next) {
                continue;
            }
            stats.walkVisit(vma.mm, vma);
            if (vma.mm.rss() == 0) {
                continue; // if (!mm->rss) goto out;
            }
            long address = vma.addressOf(pgoff);
            if (address < 0) {
                continue; // vma_address() == -EFAULT
            }
            long slot = host.pageMappedAt(pfn, vma, address);
            if (slot < 0) {
                continue;
            }
            if (ctl.visit(vma, address, slot) || ctl.done()) {
                return;
            }
        }
    }

    /**
     * 2.6.7's structure for the page: page-&gt;mapping's anon_vma and its list of vmas
     * (anon_vma-&gt;head, in list order: the order page_referenced_anon visits them).
     */
    @Override
    public RmapStructure.Node pageStructure(int pfn) {
        if ((frames.flags[pfn] & Frames.PG_ANON) == 0) {
            return host.fileStructure(pfn, traits().iMmapKind()); // i_mmap, as rmapWalk's file walk
        }
        if (!(frames.mapping[pfn] instanceof AnonVma av)) {
            return null;
        }
        RmapStructure.Node top = new RmapStructure.Node("anon_vma", "page->mapping: " + av);
        for (AnonVmaNode n = av.head.next; n != av.head; n = n.next) {
            top.add("vma", "anon_vma->head → vma " + RmapStructure.vmaLabel(n.vma));
        }
        return top;
    }

    // ------------------------------------------------------------------ for tests and reports

    /** The vmas on the list of the anon_vma {@code anonVma}, head first (allocates: not for hot paths). */
    static List<Vma> listOrder(Object anonVma) {
        AnonVma av = (AnonVma) anonVma;
        List<Vma> l = new ArrayList<>();
        for (AnonVmaNode n = av.head.next; n != av.head; n = n.next) {
            l.add(n.vma);
        }
        return l;
    }

    // ------------------------------------------------------------------ invariants

    @Override
    public String checkInvariants() {
        IdentityHashMap<Vma, Boolean> liveVmas = new IdentityHashMap<>();
        IdentityHashMap<AnonVma, int[]> used = new IdentityHashMap<>();
        for (Mm mm : host.mms()) {
            for (int i = 0; i < mm.mapCount(); i++) {
                Vma v = mm.vma(i);
                liveVmas.put(v, Boolean.TRUE);
                String why = checkVmaAnonVma(v, used);
                if (why != null) {
                    return why;
                }
            }
        }
        for (var e : used.entrySet()) {
            String why = checkAnonVmaList(e.getKey(), e.getValue()[0], liveVmas);
            if (why != null) {
                return why;
            }
        }
        long alive = stats.alive("anon_vma");
        if (alive != used.size()) {
            return alive + " anon_vmas allocated but " + used.size() + " in use (an empty one was not freed, or a list lost)";
        }
        return checkAnonPages(used);
    }

    /**
     * A vma's node is its own; with no anon_vma it is on no list, else its anon_vma is live and it
     * is on a list (counted in {@code used}).
     */
    private static String checkVmaAnonVma(Vma v, IdentityHashMap<AnonVma, int[]> used) {
        AnonVmaNode n = (AnonVmaNode) v.rmapPriv;
        if (n != null && n.vma != v) {
            return "vma " + v + " carries another vma's anon_vma_node";
        }
        if (v.anonVma == null) {
            return n != null && n.linked() ? "vma " + v + " has no anon_vma but is on a list" : null;
        }
        if (!(v.anonVma instanceof AnonVma av)) {
            return "vma " + v + " has a foreign anon object " + v.anonVma;
        }
        if (av.freed) {
            return "vma " + v + " points to " + av;
        }
        if (n == null || !n.linked()) {
            return "vma " + v + " has " + av + " but is on no list";
        }
        used.computeIfAbsent(av, k -> new int[1])[0]++;
        return null;
    }

    /** An anon_vma's list is well linked and holds exactly the {@code users} live vmas that point to it. */
    private static String checkAnonVmaList(AnonVma av, int users, IdentityHashMap<Vma, Boolean> liveVmas) {
        int count = 0;
        AnonVmaNode p = av.head;
        for (AnonVmaNode n = av.head.next; n != av.head; n = n.next) {
            if (n.prev != p) {
                return av + " list is badly linked at " + n.vma;
            }
            if (n.vma == null || !liveVmas.containsKey(n.vma)) {
                return av + " lists a vma that is gone: " + n.vma;
            }
            if (n.vma.anonVma != av) {
                return av + " lists " + n.vma + " whose anon_vma is " + n.vma.anonVma;
            }
            if (++count > users) {
                return av + " lists more entries than the " + users + " vmas using it";
            }
            p = n;
        }
        if (av.head.prev != p) {
            return av + " list tail is badly linked";
        }
        if (count != users) {
            return av + " lists " + count + " vmas but " + users + " use it";
        }
        return null;
    }

    /** Every mapped anonymous page's mapping is a live anon_vma in use. */
    private String checkAnonPages(IdentityHashMap<AnonVma, int[]> used) {
        for (int pfn = 1, n = frames.nrFrames(); pfn < n; pfn++) {
            if ((frames.flags[pfn] & Frames.PG_ANON) == 0 || frames.mapcount[pfn] == 0) {
                continue;
            }
            Object m = frames.mapping[pfn];
            if (!(m instanceof AnonVma av) || av.freed || !used.containsKey(av)) {
                return "mapped anonymous pfn " + pfn + " has mapping " + m + ", not a live anon_vma";
            }
        }
        return null;
    }
}
