package org.rmaplab.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * A file's page cache and mappings (struct address_space of an inode): the pages by file offset
 * and i_mmap, the vmas that map the file. Shared anonymous memory is a shmem object made by
 * shmem_zero_setup() for each MAP_SHARED|MAP_ANONYMOUS mmap, as in Linux.
 *
 * <p>Invariants: {@code pages[pgoff]} is 0 or the pfn of a page-cache page whose mapping is this
 * address space and whose index is pgoff; each such page holds one reference for the cache;
 * i_mmap holds exactly the vmas whose {@code file} is this object; i_mmap_nonlinear exactly those
 * of them that are VM_NONLINEAR.
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
     * shmem swap entry, which holds one count of the slot). Offsets below {@link #DENSE} live in
     * an array grown on demand (no allocation on the fault path once grown); a sparse file's far
     * offsets (a tmpfs file may be ftruncated to terabytes and mapped anywhere) in a sorted map,
     * as the kernel's xarray would hold them.
     */
    private int[] pages;
    private java.util.TreeMap<Long, Integer> far;
    /** Offsets from here on go to {@link #far}. */
    static final long DENSE = 1L << 20;
    final List<Vma> iMmap = new ArrayList<>();
    /**
     * i_mmap_nonlinear (2.6.7 to 3.19): the VM_NONLINEAR vmas in that list's order, which is
     * neither link order nor the tree's. They stay on {@link #iMmap} too (the model's one list,
     * whose walks skip them); this list only orders them for what reads i_mmap_nonlinear — the
     * cluster pass of try_to_unmap_file() ({@code RmapNonlinear}) and the explorer's drawing.
     * {@link #nonlinearLink} keeps it.
     */
    final List<Vma> iMmapNonlinear = new ArrayList<>();
    /** Open references (vmas holding the file, plus open descriptors later). */
    int refs;

    AddressSpace(int ino, String name, long size) {
        this.ino = ino;
        this.name = name;
        this.size = size;
        this.pages = new int[(int) Math.min(Math.max(1, size >>> Machine.PAGE_SHIFT), 1 << 10)];
    }

    public String name() {
        return name;
    }

    public long size() {
        return size;
    }

    /** i_size in pages, rounded up: the first page offset past the end of the file. */
    public long sizePages() {
        return PageTable.pagesUp(size);
    }

    public List<Vma> iMmap() {
        return iMmap;
    }

    /**
     * The list whose order the nonlinear vmas are taken in under KIND (the caller skips the linear
     * ones): i_mmap_nonlinear from 2.6.7's prio_tree on; under the list eras the model's one list,
     * where 2.6.6 kept them (on i_mmap_shared, in link order). Allocation-free.
     */
    List<Vma> nonlinearOrder(FileRmap.IMmap kind) {
        return kind == FileRmap.IMmap.PRIO_TREE || kind == FileRmap.IMmap.INTERVAL_TREE ? iMmapNonlinear : iMmap;
    }

    /**
     * Puts the nonlinear vma v on i_mmap_nonlinear. vma_nonlinear_insert() (2.6.11 mm/fremap.c
     * and mm/prio_tree.c; 3.7's mm/interval_tree.c) is a {@code list_add_tail}: so for a vma
     * remap_file_pages() makes nonlinear, and for one __vma_link_file() links (split_vma's new
     * part, mremap's copy). Fork's copy {@code tmp} of {@code src} (null otherwise): 2.6.11's
     * dup_mmap calls {@code vma_prio_tree_add(tmp, mpnt)}, which on i_mmap_nonlinear, where
     * {@code mpnt->shared.vm_set.parent} is NULL, does {@code list_add(&vma->shared.vm_set.list,
     * &old->shared.vm_set.list)}: right after its parent ("it just happens to work correctly on
     * i_mmap_nonlinear too"); 3.7's dup_mmap, with the interval tree, tests VM_NONLINEAR and calls
     * vma_nonlinear_insert(): at the tail. A vma whose range vma_adjust() changes keeps its place
     * (2.6.11 and 3.7 touch the tree only {@code if (!(vma->vm_flags & VM_NONLINEAR))}).
     */
    void nonlinearLink(Vma v, Vma src, FileRmap.IMmap kind) {
        int at = src == null || kind != FileRmap.IMmap.PRIO_TREE ? -1 : iMmapNonlinear.indexOf(src);
        iMmapNonlinear.add(at < 0 ? iMmapNonlinear.size() : at + 1, v);
    }

    private int get(long pgoff) {
        if (pgoff < 0) {
            return 0;
        }
        if (pgoff < DENSE) {
            return pgoff < pages.length ? pages[(int) pgoff] : 0;
        }
        Integer v = far == null ? null : far.get(pgoff);
        return v == null ? 0 : v;
    }

    private void set(long pgoff, int v) {
        if (pgoff < DENSE) {
            if (pgoff >= pages.length) {
                if (v == 0) {
                    return;
                }
                int n = pages.length;
                while (n <= pgoff) {
                    n *= 2;
                }
                pages = java.util.Arrays.copyOf(pages, n);
            }
            pages[(int) pgoff] = v;
        } else if (v != 0) {
            if (far == null) {
                far = new java.util.TreeMap<>();
            }
            far.put(pgoff, v);
        } else if (far != null) {
            far.remove(pgoff);
        }
    }

    /** The cached page at pgoff, or -1 (find_get_page). */
    public int findPage(long pgoff) {
        int v = get(pgoff);
        return v > 0 ? v - 1 : -1;
    }

    /** The swap slot holding the page at pgoff (a shmem swap entry), or 0. */
    public int findSwap(long pgoff) {
        int v = get(pgoff);
        return v < 0 ? -v : 0;
    }

    void setSwap(long pgoff, int slot) {
        set(pgoff, -slot);
    }

    void addPage(long pgoff, int pfn) {
        set(pgoff, pfn + 1);
    }

    void removePage(long pgoff) {
        set(pgoff, 0);
    }

    /**
     * The first offset at or after {@code from} that holds a page or a swap entry, or -1 (a
     * find_get_entries walk): {@code for (long i = as.nextEntry(0); i >= 0; i = as.nextEntry(i + 1))}.
     */
    public long nextEntry(long from) {
        for (long i = Math.max(0, from); i < Math.min(pages.length, DENSE); i++) {
            if (pages[(int) i] != 0) {
                return i;
            }
        }
        if (far == null) {
            return -1;
        }
        Long k = far.ceilingKey(Math.max(from, DENSE));
        return k == null ? -1 : k;
    }

    @Override
    public String toString() {
        return name;
    }
}
