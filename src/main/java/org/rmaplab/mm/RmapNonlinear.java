package org.rmaplab.mm;

import java.util.List;

/**
 * mm/rmap.c of 2.6.11: try_to_unmap_file()'s second half and try_to_unmap_cluster(). After the
 * linear vmas of a file page's prio_tree, the file's nonlinear vmas ({@code machine remap=nonlinear})
 * are not searched for the page; instead their clusters of {@link FileRmap#CLUSTER_SIZE} bytes are
 * aged and unmapped, from each vma's cursor (vm_private_data, {@link Vma#nonlinearCursor}) on,
 * until about the page's mapcount ptes are gone ("use it as a guide to how hard we should try"):
 * whatever pages those ptes map, each young pte is spared (its bit cleared), each other pte
 * cleared and, where the page is not at its linear index, left as a file pte. Every design but
 * pte_chains runs it (2.6.0 found nonlinear ptes through its chains).
 *
 * <p>The cursor runs from 0 in steps of CLUSTER_SIZE while below the vma's size, and a cluster is
 * aligned to CLUSTER_SIZE in the address space, so in a vma whose start is not so aligned the
 * ptes past the last cluster the cursor reaches are never scanned: {@code (vm_start + cursor) &
 * CLUSTER_MASK} lags the cursor by the start's misalignment ({@link FileRmap#clusterReachable}).
 * 2.6.11 has it so; the model keeps it, and such ptes stay mapped until something else unmaps them.
 *
 * <p>Counted as part of the page's try_to_unmap walk: each unlocked nonlinear vma a round of the
 * pass goes through as a vma visited, each pte a cluster reads (every one, present or not, as
 * try_to_unmap_cluster reads them) as a pte checked.
 */
final class RmapNonlinear implements FileRmap.ClusterVisitor {
    private final Machine k;
    private final Frames f;
    /** The mapcount still to unmap in the current pass ({@code *mapcount}). */
    private int mapcount;

    RmapNonlinear(Machine k) {
        this.k = k;
        this.f = k.frames;
    }

    /**
     * try_to_unmap_file() from {@code if (list_empty(&mapping->i_mmap_nonlinear))} on, for the
     * file page pfn still mapped after the linear walk returned ret. Returns the walk's result:
     * SWAP_FAIL when every nonlinear vma is VM_LOCKED (max_nl_size 0), else ret.
     */
    int tryToUnmapNonlinear(int pfn, int ret) {
        // list_for_each_entry(vma, &mapping->i_mmap_nonlinear, shared.vm_set.list), in its order.
        List<Vma> iMmap = ((AddressSpace) f.mapping[pfn]).nonlinearOrder(k.traits().iMmapKind());
        long maxNlCursor = 0;
        long maxNlSize = 0;
        boolean any = false;
        for (int i = 0, n = iMmap.size(); i < n; i++) {
            Vma vma = iMmap.get(i);
            if (!vma.isNonlinear()) {
                continue;
            }
            any = true;
            if ((vma.vmFlags & Vma.VM_LOCKED) != 0) {
                continue;
            }
            maxNlCursor = Math.max(maxNlCursor, vma.nonlinearCursor);
            maxNlSize = Math.max(maxNlSize, vma.vmEnd - vma.vmStart);
        }
        if (!any) {
            return ret; // list_empty(&mapping->i_mmap_nonlinear)
        }
        if (maxNlSize == 0) {
            return Rmap.SWAP_FAIL; // any nonlinears locked or reserved
        }
        mapcount = f.mapcount[pfn];
        RmapStats stats = k.design.stats();
        long cluster = FileRmap.CLUSTER_SIZE;
        maxNlSize = (maxNlSize + cluster - 1) & ~(cluster - 1);
        if (maxNlCursor == 0) {
            maxNlCursor = cluster;
        }
        do {
            for (int i = 0, n = iMmap.size(); i < n; i++) {
                Vma vma = iMmap.get(i);
                if (!vma.isNonlinear() || (vma.vmFlags & Vma.VM_LOCKED) != 0) {
                    continue;
                }
                long cursor = vma.nonlinearCursor;
                stats.walkVisit(vma.mm, vma);
                while (vma.mm.rss() > 0 && cursor < maxNlCursor && cursor < vma.vmEnd - vma.vmStart) {
                    stats.walkPtesChecked += k.fileRmap.scanCluster(vma, cursor, this);
                    cursor += cluster;
                    vma.nonlinearCursor = cursor;
                    if (mapcount <= 0) {
                        return ret;
                    }
                }
                vma.nonlinearCursor = maxNlCursor; // 2.6.11: vm_private_data = max_nl_cursor
            }
            maxNlCursor += cluster;
        } while (maxNlCursor <= maxNlSize);
        // "Don't loop forever": reset the cursor of every nonlinear vma.
        for (int i = 0, n = iMmap.size(); i < n; i++) {
            Vma vma = iMmap.get(i);
            if (vma.isNonlinear()) {
                vma.nonlinearCursor = 0;
            }
        }
        return ret;
    }

    /**
     * try_to_unmap_cluster()'s loop body (2.6.11) for one present pte: a young pte keeps its page
     * (ptep_clear_flush_young); else the pte is cleared, made a file pte if the page is not at its
     * linear index, the dirty bit goes to the page, and page_remove_rmap, page_cache_release,
     * rss-- and {@code (*mapcount)--} follow.
     */
    @Override
    public void pte(Vma vma, long address, long slot, int pfn) {
        long pte = PageTable.get(f, slot);
        if ((pte & PageTable.ACCESSED) != 0) {
            PageTable.set(f, slot, pte & ~PageTable.ACCESSED);
            return;
        }
        PageTable.set(f, slot, f.index[pfn] != vma.linearPageIndex(address) && !FaultInject.on(FaultInject.Bug.LOSE_FILE_PTE)
                ? PageTable.pgoffToPte(f.index[pfn]) : 0);
        if ((pte & PageTable.DIRTY) != 0) {
            f.flags[pfn] |= Frames.PG_DIRTY;
        }
        f.mapcount[pfn]--;
        k.design.stats().rmapRemoves++;
        k.design.pageRemoveRmap(pfn, vma, address, slot);
        vma.mm.rssShmem--;
        k.memory.putPage(pfn);
        mapcount--;
    }
}
