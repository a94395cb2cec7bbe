package org.rmaplab.mm;

import java.util.List;


/**
 * mm/rmap.c's file walk: the reverse walk of a page-cache page through its file's i_mmap (rmap_walk_file and its
 * ancestors), shared by every design that does not chain file pages itself. What the walk visits
 * depends on how the design's era kept i_mmap ({@link DesignTraits#iMmapKind()}):
 * <ul>
 *   <li>{@link IMmap#LIST}: 2.6.6's (and 2.6.0's) two plain lists, {@code i_mmap} of private and
 *       {@code i_mmap_shared} of {@code VM_SHARED} vmas, walked in full by page_referenced_file() /
 *       try_to_unmap_file(): {@code list_for_each_entry} over i_mmap, then over i_mmap_shared, each
 *       vma checked with vma_address() (-EFAULT when the page's pgoff is outside it) and skipped when
 *       its mm has rss 0, stopping once mapcount ptes were found. Every vma the loop reaches counts
 *       as visited, whether or not it covers the page: the linear-list worst case of Morton's
 *       rmap-test.
 *   <li>{@link IMmap#PRIO_TREE} (2.6.7 to 3.6, Rajesh Venkatasubramanian's radix priority search
 *       tree) and {@link IMmap#INTERVAL_TREE} (3.7 on, vma_interval_tree_foreach): a stabbing query
 *       at the page's pgoff returns only the vmas that cover it, and only they count as visited.
 *       The two trees answer the same set; the nodes a query passes through on its way are not
 *       counted.
 * </ul>
 *
 * <p>Order ({@link VmaOps#link(Vma, Vma)}): the model keeps i_mmap as one list. Under the list
 * eras it is in link order — mmap and splits at the tail, as __vma_link_file's list_add_tail;
 * fork's copy just before its parent's vma in 2.6.0 (pte_chains and its objrmap variants: dup_mmap's
 * list_add_tail on mpnt-&gt;shared) and just after it in 2.6.6 (list_add, Hugh Dickins' "fork vma
 * order" of March 2004) — and the list walk takes the private vmas first, then the shared ones,
 * which is the order of the two lists. Under {@link IMmap#INTERVAL_TREE} the list is the tree's
 * in-order: by vm_pgoff (vma_start_pgoff, the key of 3.7+ mm/interval_tree.c), a vma inserted
 * after every vma of equal vm_pgoff (the rb-tree's equal keys go right), and put back so whenever
 * vma_prepare() / vma_complete() take it out to change its range; fork's copy right after its
 * parent (vma_interval_tree_insert_after). vma_interval_tree_foreach returns the covering vmas in
 * that in-order, so the walk visits them exactly as the kernel does and an early stop (done(),
 * mapcount reached) counts the same vmas. Simplification under {@link IMmap#PRIO_TREE}: the
 * radix priority search tree (2.6.7 mm/prio_tree.c and lib/prio_tree.c) is not modelled; the walk
 * takes the covering vmas in the list eras' link order (fork's copy after its parent), while
 * vma_prio_tree_next() returns them in the tree's traversal order (prio_tree_next(), which
 * depends on the tree's shape), each tree node followed by the vmas of identical range on its
 * vm_set list (vma_prio_tree_add: fork's copy right after its parent when the parent is on that
 * list, at the list's end when the parent is the tree node and the list exists). So an
 * anon_vma walk that stops early (try_to_unmap at mapcount, page_referenced at mapcount) may
 * count other vmas visited than 2.6.7 did when the page is covered by vmas of different ranges;
 * the set of vmas a full walk visits is exact. Allocation-free.
 *
 * <p>Nonlinear vmas ({@code machine remap=nonlinear}, {@link Vma#VM_NONLINEAR}) are never visited by
 * linear address: 2.6.11's sys_remap_file_pages moves such a vma from the prio_tree to
 * i_mmap_nonlinear, which page_referenced_file() does not look at and try_to_unmap_file() scans
 * only afterwards, cluster by cluster ({@link #scanCluster}, driven by the model's try_to_unmap).
 * Simplification: the model keeps the vma on its one list and skips it here. In the
 * {@link IMmap#LIST} walk 2.6.6 kept it on i_mmap_shared and its loops reached it and skipped it
 * on VM_NONLINEAR before vma_address(), so there it counts as visited, like an -EFAULT vma; the
 * order of i_mmap_nonlinear, which the cluster scan follows, is kept apart
 * ({@link AddressSpace#nonlinearLink}).
 */
public final class FileRmap {
    private final RmapHost host;
    private final Frames f;

    /** The file walk of host's page cache; the {@link Machine} keeps one. */
    FileRmap(RmapHost host) {
        this.host = host;
        this.f = host.frames();
    }

    /** How an era kept a file's i_mmap, which decides what the walk of a file page visits. */
    public enum IMmap {
        /** 2.6.0 to 2.6.6: the i_mmap and i_mmap_shared lists, every vma on them visited. */
        LIST,
        /**
         * The same two lists as the -mm tree's objrmap walked them in 2003 (page_referenced_obj,
         * try_to_unmap_obj, page_convert_anon; objrmap's mm/rmap.c, -mm 2003): every vma probed at the
         * page's linear address by find_pte(), with no rss test, and a vma rearranged by
         * remap_file_pages() among them like any other: it is VM_NONLINEAR (2.6.0 include/linux/mm.h
         * has the flag, 0x00800000, and 2.6.0's sys_remap_file_pages sets it; its earliest sighting
         * checked is Dave McCracken's objrmap patch for 2.5.62, which defined it), but objrmap's walk never tests the flag, and
         * there was no i_mmap_nonlinear yet (it came with the 2.6.7 prio_tree): the vma's pte at
         * the linear address is found if it maps the page; a page put at a nonlinear address was
         * converted to a chained one first (page_convert_anon, from "[PATCH 2.5.64-mm5] objrmap
         * fix for nonlinear").
         */
        OBJRMAP_LIST,
        /**
         * 2.6.7 to 3.6: the prio_tree; only the vmas covering the page are visited, in link order
         * (not the tree's: see the class comment).
         */
        PRIO_TREE,
        /**
         * 3.7 on: the vma interval tree; only the vmas covering the page are visited, in the tree's
         * order (by vm_pgoff, then as inserted; see the class comment).
         */
        INTERVAL_TREE
    }

    /**
     * rmap_walk_file() (page_referenced_file / try_to_unmap_file): visits the ptes mapping the
     * page-cache page pfn; {@link RmapWalkControl#stopAtVma} may end it at a covering vma before its
     * pte is looked at.
     */
    void walk(int pfn, RmapWalkControl ctl, RmapStats stats, IMmap kind) {
        AddressSpace as = (AddressSpace) f.mapping[pfn];
        long pgoff = f.index[pfn];
        List<Vma> iMmap = as.iMmap();
        if (kind == IMmap.LIST || kind == IMmap.OBJRMAP_LIST) {
            // i_mmap (private vmas) first, then i_mmap_shared.
            boolean objrmap = kind == IMmap.OBJRMAP_LIST;
            if (!walkList(false, pfn, ctl, stats, objrmap)) {
                walkList(true, pfn, ctl, stats, objrmap);
            }
            return;
        }
        for (int i = 0, n = iMmap.size(); i < n; i++) {
            Vma vma = iMmap.get(i);
            if (FaultInject.on(FaultInject.Bug.FILE_WALK_SKIPS_VMA) && n > 1 && i == n - 1) {
                continue;
            }
            long address = vma.addressOf(pgoff);
            if (address < 0 || vma.isNonlinear()) {
                continue; // not in the prio_tree: on i_mmap_nonlinear
            }
            stats.walkVisit(vma.mm, vma);
            if (ctl.stopAtVma(vma) || visit(pfn, vma, address, ctl)) {
                return;
            }
        }
    }

    /**
     * One of 2.6.6's lists: {@code list_for_each_entry(vma, &mapping->i_mmap[_shared], shared)},
     * vma_address(), the {@code vma->vm_mm->rss} test, page_referenced_one / try_to_unmap_one, for
     * the page-cache page pfn. Returns true when the walk is over. With objrmap, its loop:
     * find_pte() on every vma (its address test, no rss test), nonlinear vmas included.
     */
    private boolean walkList(boolean shared, int pfn, RmapWalkControl ctl, RmapStats stats, boolean objrmap) {
        List<Vma> iMmap = ((AddressSpace) f.mapping[pfn]).iMmap();
        long pgoff = f.index[pfn];
        for (int i = 0, n = iMmap.size(); i < n; i++) {
            Vma vma = iMmap.get(i);
            if (((vma.flags() & Vma.VM_SHARED) != 0) != shared) {
                continue; // on the other list
            }
            stats.walkVisit(vma.mm, vma);
            if (vma.isNonlinear() && !objrmap) {
                // 2.6.6's i_mmap_shared loops: "if (unlikely(vma->vm_flags & VM_NONLINEAR)) {
                // failed++; continue; }" -- the loop reaches the vma (visited, as an -EFAULT one
                // is), then skips it before vma_address()
                continue;
            }
            long address = vma.addressOf(pgoff);
            if (address < 0) {
                continue;
            }
            if (ctl.stopAtVma(vma)) {
                return true; // 2.6.6-mm's page_referenced_file: a locked shared vma, before the rss test
            }
            if (vma.mm.rss() == 0 && !objrmap) {
                continue;
            }
            if (visit(pfn, vma, address, ctl)) {
                return true;
            }
        }
        return false;
    }

    /** The pte at address in vma, if it maps pfn, to the control; true to stop the walk. */
    private boolean visit(int pfn, Vma vma, long address, RmapWalkControl ctl) {
        long slot = host.pageMappedAt(pfn, vma, address);
        if (slot < 0) {
            return false;
        }
        return ctl.visit(vma, address, slot) || ctl.done();
    }

    /**
     * The file page pfn's reverse map as the explorer draws it ({@link RmapStructure}): page-&gt;mapping
     * (the file, its inode, page-&gt;index), its i_mmap as the era of {@code kind} kept it, with the
     * vmas in the order {@link #walk} visits them, and the nonlinear vmas. Read only, allocates.
     * <ul>
     *   <li>{@link IMmap#LIST} / {@link IMmap#OBJRMAP_LIST}: the two lists, i_mmap (private vmas)
     *       then i_mmap_shared, every vma on them visited, those whose range misses page-&gt;index
     *       marked (vma_address() -EFAULT; objrmap's find_pte()).
     *   <li>{@link IMmap#PRIO_TREE} (2.6.7 mm/prio_tree.c, vma_prio_tree_foreach; 2.6.24
     *       include/linux/prio_tree.h) and {@link IMmap#INTERVAL_TREE} (3.7 mm/interval_tree.c,
     *       vma_interval_tree_foreach): the stabbing query's answer, then the tree's other vmas.
     *       Simplification, as in {@link #walk}: the model keeps no tree, so no tree shape is drawn;
     *       the answer is listed in the order the model walks it (the interval tree's in-order;
     *       link order for the prio_tree).
     *   <li>i_mmap_nonlinear (beside the prio_tree and then the interval tree, until 4.0 emulated
     *       remap_file_pages() and removed it with VM_NONLINEAR): the vmas
     *       remap_file_pages() made nonlinear, which the walk skips and try_to_unmap_file()'s
     *       cluster scan reads afterwards. Under {@link IMmap#LIST} they stay on i_mmap_shared, where
     *       the walk reaches each and skips it on VM_NONLINEAR (2.6.6), so they are listed there in
     *       walk order and again apart; under
     *       {@link IMmap#OBJRMAP_LIST} they are probed like any other vma (objrmap's walk did not
     *       test VM_NONLINEAR, and there was no i_mmap_nonlinear before 2.6.7), so none is listed
     *       apart.
     * </ul>
     * Null when pfn is not a page-cache page.
     */
    RmapStructure.Node structure(int pfn, IMmap kind) {
        if (!(f.mapping[pfn] instanceof AddressSpace as)) {
            return null;
        }
        long pgoff = f.index[pfn];
        RmapStructure.Node top = new RmapStructure.Node("address_space", "page->mapping: file " + as.name + " (inode "
                + as.ino + "), page->index 0x" + Long.toHexString(pgoff));
        List<Vma> iMmap = as.iMmap();
        if (kind == IMmap.LIST || kind == IMmap.OBJRMAP_LIST) {
            boolean objrmap = kind == IMmap.OBJRMAP_LIST;
            int[] order = {0};
            for (boolean shared : new boolean[] {false, true}) {
                RmapStructure.Node list = top.add("i_mmap", (shared ? "i_mmap_shared (VM_SHARED vmas)" : "i_mmap (private vmas)")
                        + (objrmap ? ": objrmap's list, -mm 2003 (page_referenced_obj, every vma probed by find_pte())"
                        : ": 2.6.6 list (page_referenced_file, list_for_each_entry: every vma visited)"));
                for (Vma vma : iMmap) {
                    if (((vma.flags() & Vma.VM_SHARED) != 0) == shared) {
                        list.add("vma", "visit " + ++order[0] + ": vma " + RmapStructure.vmaLabel(vma)
                                + (vma.isNonlinear() && !objrmap ? " (VM_NONLINEAR: skipped before vma_address(), no pte looked at)"
                                : vma.addressOf(pgoff) < 0 ? " (page->index outside: -EFAULT, no pte looked at)" : ""));
                    }
                }
            }
            if (!objrmap) {
                nonlinear(top, iMmap, "VM_NONLINEAR vmas (on 2.6.6's i_mmap_shared: reached by the walk, skipped before vma_address())");
            }
            return top;
        }
        boolean prio = kind == IMmap.PRIO_TREE;
        RmapStructure.Node tree = top.add("i_mmap", (prio
                ? "i_mmap: prio_tree (2.6.7 mm/prio_tree.c; 2.6.24 include/linux/prio_tree.h): vma_prio_tree_foreach at 0x"
                : "i_mmap: interval tree (3.7+ mm/interval_tree.c): vma_interval_tree_foreach at 0x")
                + Long.toHexString(pgoff));
        tree.add("note", prio
                ? "the model keeps no tree (simplification): the vmas the query returns, in link order, not prio_tree_next()'s"
                : "the model keeps no tree (simplification): the vmas the query returns, in the tree's order (vm_pgoff, then as inserted)");
        int order = 0;
        RmapStructure.Node others = new RmapStructure.Node("i_mmap", "also in the tree, not covering page->index (not returned, not visited)");
        for (Vma vma : iMmap) {
            if (vma.isNonlinear()) {
                continue;
            }
            if (vma.addressOf(pgoff) >= 0) {
                tree.add("vma", "visit " + ++order + ": vma " + RmapStructure.vmaLabel(vma));
            } else {
                others.add("vma", "vma " + RmapStructure.vmaLabel(vma));
            }
        }
        if (!others.children.isEmpty()) {
            top.add(others);
        }
        nonlinear(top, as.nonlinearOrder(kind), "i_mmap_nonlinear (beside the tree until 4.0 removed it): not walked; try_to_unmap_file()'s cluster scan only");
        return top;
    }

    /** The nonlinear vmas of ONES under TOP, as a node labelled LABEL, when there are any. */
    private static void nonlinear(RmapStructure.Node top, List<Vma> ones, String label) {
        RmapStructure.Node n = null;
        for (Vma vma : ones) {
            if (vma.isNonlinear()) {
                if (n == null) {
                    n = top.add("i_mmap_nonlinear", label);
                }
                n.add("vma", "vma " + RmapStructure.vmaLabel(vma) + " (VM_NONLINEAR)");
            }
        }
    }

    /**
     * CLUSTER_SIZE of mm/rmap.c (2.6.11): {@code min(32*PAGE_SIZE, PMD_SIZE)}, the bytes of a
     * nonlinear vma try_to_unmap_cluster() looks at in one go.
     */
    public static final long CLUSTER_SIZE = Math.min(32 * Machine.PAGE_SIZE, PageTable.PMD_SIZE);

    /**
     * Can try_to_unmap_file()'s cluster loop (2.6.11) ever scan the pte at address of the nonlinear
     * vma? Cursor k·CLUSTER_SIZE (only while below the vma's size) scans the k-th cluster from the
     * one holding vm_start, so address is reached iff its cluster's number, counted from
     * vm_start's, times CLUSTER_SIZE is below the vma's size.
     */
    public static boolean clusterReachable(Vma vma, long address) {
        long k = address / CLUSTER_SIZE - vma.vmStart / CLUSTER_SIZE;
        return k * CLUSTER_SIZE < vma.vmEnd - vma.vmStart;
    }

    /** What the cluster scan does with each present pte of a user page it meets. */
    interface ClusterVisitor {
        /** The pte at slot, at address in vma, maps the page-cache page pfn. */
        void pte(Vma vma, long address, long slot, int pfn);
    }

    /**
     * try_to_unmap_cluster()'s scan (mm/rmap.c, 2.6.11): the cluster of the nonlinear vma that
     * holds {@code vma->vm_start + cursor}, aligned down to CLUSTER_SIZE and clipped to the vma,
     * one page table (a cluster never crosses a pmd); every present pte of a page that is not
     * reserved (the zero page's special pte) goes to the visitor, whatever page it maps. Returns
     * how many ptes it read (0 when the cluster has no page table).
     */
    int scanCluster(Vma vma, long cursor, ClusterVisitor v) {
        long address = (vma.vmStart + cursor) & ~(CLUSTER_SIZE - 1);
        long end = address + CLUSTER_SIZE;
        address = Math.max(address, vma.vmStart);
        end = Math.min(end, vma.vmEnd);
        if (vma.mm.pgd < 0) {
            return 0;
        }
        long slot = PageTable.lookup(f, vma.mm.pgd, address);
        if (slot < 0) {
            return 0; // no page table: !pgd_present / !pmd_present, goto out_unlock
        }
        int read = (int) ((end - address) >>> Machine.PAGE_SHIFT);
        for (; address < end; address += Machine.PAGE_SIZE, slot++) {
            long pte = PageTable.get(f, slot);
            if (!PageTable.present(pte) || (pte & PageTable.SPECIAL) != 0) {
                continue;
            }
            v.pte(vma, address, slot, PageTable.ptePfn(pte));
        }
        return read;
    }

    /**
     * For the oracle: every cluster of every nonlinear vma of pfn's file, from cursor 0 to the
     * vma's size, hands the ptes that map pfn to ctl: what try_to_unmap_file()'s nonlinear pass
     * can reach, given cursors and mapcount to spare.
     */
    void scanNonlinear(int pfn, RmapWalkControl ctl) {
        List<Vma> iMmap = ((AddressSpace) f.mapping[pfn]).iMmap(); // the order does not matter here
        for (int i = 0, n = iMmap.size(); i < n; i++) {
            Vma vma = iMmap.get(i);
            if (!vma.isNonlinear()) {
                continue;
            }
            for (long cursor = 0; cursor < vma.vmEnd - vma.vmStart; cursor += CLUSTER_SIZE) {
                scanCluster(vma, cursor, (w, address, slot, p) -> {
                    if (p == pfn) {
                        ctl.visit(w, address, slot);
                    }
                });
            }
        }
    }
}
