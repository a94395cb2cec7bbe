package org.rmaplab.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * A file's page cache and mappings (struct address_space of an inode): the pages by file offset
 * and i_mmap, the vmas that map the file. Shared anonymous memory is a shmem object made by
 * shmem_zero_setup() for each MAP_SHARED|MAP_ANONYMOUS mmap, as in Linux.
 *
 * <p>Invariants: {@code pages[pgoff]} is 0 or the pfn of a page-cache page whose mapping is this
 * address space and whose index is pgoff; each such page holds one reference for the cache;
 * i_mmap holds exactly the vmas whose {@code file} is this object.
 *
 * <p>Simplification: i_mmap is one list in link order (new vmas at the tail, fork's copy just after
 * its parent's vma); what a walk visits on it is the design's era ({@code FileRmap}): the whole list
 * for 2.6.6's lists, only the vmas whose pgoff range covers the page for the prio_tree and the
 * interval tree.
 */
public final class AddressSpace {
    final int ino;
    final String name;
    /** i_size in bytes. */
    long size;
    /**
     * Page cache: pfn + 1 per page offset; 0 when absent; -slot when the page is on swap (a
     * shmem swap entry, which holds one count of the slot).
     */
    private int[] pages;
    final List<Vma> iMmap = new ArrayList<>();
    /** Open references (vmas holding the file, plus open descriptors later). */
    int refs;

    AddressSpace(int ino, String name, long size) {
        this.ino = ino;
        this.name = name;
        this.size = size;
        this.pages = new int[(int) Math.min(Math.max(1, size >>> Kernel.PAGE_SHIFT), 1 << 20)];
    }

    public String name() {
        return name;
    }

    public long size() {
        return size;
    }

    public List<Vma> iMmap() {
        return iMmap;
    }

    /** The cached page at pgoff, or -1 (find_get_page). */
    public int findPage(long pgoff) {
        if (pgoff < 0 || pgoff >= pages.length || pages[(int) pgoff] <= 0) {
            return -1;
        }
        return pages[(int) pgoff] - 1;
    }

    /** The swap slot holding the page at pgoff (a shmem swap entry), or 0. */
    public int findSwap(long pgoff) {
        if (pgoff < 0 || pgoff >= pages.length || pages[(int) pgoff] >= 0) {
            return 0;
        }
        return -pages[(int) pgoff];
    }

    void setSwap(long pgoff, int slot) {
        pages[(int) pgoff] = -slot;
    }

    void addPage(long pgoff, int pfn) {
        if (pgoff >= pages.length) {
            int n = pages.length;
            while (n <= pgoff) {
                n *= 2;
            }
            pages = java.util.Arrays.copyOf(pages, n);
        }
        pages[(int) pgoff] = pfn + 1;
    }

    void removePage(long pgoff) {
        pages[(int) pgoff] = 0;
    }

    /** Number of page-cache slots (an upper bound of cached page offsets). */
    public int cacheSlots() {
        return pages.length;
    }

    @Override
    public String toString() {
        return name;
    }
}
