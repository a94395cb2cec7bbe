package org.rmaplab.rmap;

import org.rmaplab.kernel.AddressSpace;
import org.rmaplab.kernel.Frames;
import org.rmaplab.kernel.Kernel;
import org.rmaplab.kernel.Vma;

/**
 * The reverse walk of a page-cache page through its file's i_mmap (rmap_walk_file), shared by
 * every design that does not chain file pages itself. The vmas whose pgoff range covers the page
 * are the ones an interval tree query returns; only they count as visited.
 */
public final class FileRmap {
    private FileRmap() {}

    /** rmap_walk_file(): visits the ptes mapping the page-cache page pfn. */
    public static void walk(Kernel kernel, int pfn, RmapWalkControl ctl, RmapStats stats) {
        Frames f = kernel.frames();
        AddressSpace as = (AddressSpace) f.mapping[pfn];
        long pgoff = f.index[pfn];
        var iMmap = as.iMmap();
        for (int i = 0, n = iMmap.size(); i < n; i++) {
            Vma vma = iMmap.get(i);
            long address = vma.addressOf(pgoff);
            if (address < 0) {
                continue;
            }
            stats.walkVmasVisited++;
            long slot = kernel.pageMappedAt(pfn, vma, address);
            if (slot < 0) {
                continue;
            }
            if (ctl.visit(vma, address, slot) || ctl.done()) {
                return;
            }
        }
    }
}
