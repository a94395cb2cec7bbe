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
 * <p>Simplification: the model keeps i_mmap as one list in link order (mmap and splits at the tail,
 * as __vma_link_file's list_add_tail; fork's copy just after its parent's vma, as dup_mmap). The list
 * walk takes the private vmas of that list first, then the shared ones, which is the order of the
 * two 2.6.6 lists. The tree walks take the covering vmas in the same list order, not in the tree's.
 * Allocation-free.
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
        /** 2.6.7 to 3.6: the prio_tree; only the vmas covering the page are visited. */
        PRIO_TREE,
        /** 3.7 on: the vma interval tree; only the vmas covering the page are visited. */
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
        if (kind == IMmap.LIST) {
            // i_mmap (private vmas) first, then i_mmap_shared.
            if (!walkList(false, pfn, ctl, stats)) {
                walkList(true, pfn, ctl, stats);
            }
            return;
        }
        for (int i = 0, n = iMmap.size(); i < n; i++) {
            Vma vma = iMmap.get(i);
            long address = vma.addressOf(pgoff);
            if (address < 0) {
                continue;
            }
            stats.walkVmasVisited++;
            if (ctl.stopAtVma(vma) || visit(pfn, vma, address, ctl)) {
                return;
            }
        }
    }

    /**
     * One of 2.6.6's lists: {@code list_for_each_entry(vma, &mapping->i_mmap[_shared], shared)},
     * vma_address(), the {@code vma->vm_mm->rss} test, page_referenced_one / try_to_unmap_one, for
     * the page-cache page pfn. Returns true when the walk is over.
     */
    private boolean walkList(boolean shared, int pfn, RmapWalkControl ctl, RmapStats stats) {
        List<Vma> iMmap = ((AddressSpace) f.mapping[pfn]).iMmap();
        long pgoff = f.index[pfn];
        for (int i = 0, n = iMmap.size(); i < n; i++) {
            Vma vma = iMmap.get(i);
            if (((vma.flags() & Vma.VM_SHARED) != 0) != shared) {
                continue; // on the other list
            }
            stats.walkVmasVisited++;
            long address = vma.addressOf(pgoff);
            if (address < 0) {
                continue;
            }
            if (ctl.stopAtVma(vma)) {
                return true; // 2.6.6-mm's page_referenced_file: a locked shared vma, before the rss test
            }
            if (vma.mm.rss() == 0) {
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
}
