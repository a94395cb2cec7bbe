package org.rmaplab.mm;

/**
 * mm/fremap.c of Linux 2.6.11: remap_file_pages(2) as the 2.6 kernels had it, with
 * {@code machine remap=nonlinear}: the range stays in its one vma, which becomes VM_NONLINEAR, and
 * the file's pages are installed at the addresses asked for (sys_remap_file_pages, the vma's
 * ->populate, which for the model's tmpfs files is shmem_populate() of 2.6.11's mm/shmem.c,
 * install_page, install_file_pte, zap_pte). Without the key the machine has Linux 4.0's
 * emulation ({@link Mmap#remapFilePages}).
 *
 * <p>Simplifications: the model has one mmap_lock and no ->populate but shmem's, so
 * sys_remap_file_pages' read-to-write lock upgrade ({@code goto retry}) and its VM_RESERVED test
 * have nothing to act on; the vma's vm_private_data (the swapout cursor) is
 * {@link Vma#nonlinearCursor}, never a driver's pointer. A VM_NONLINEAR vma stays on the model's
 * one i_mmap list ({@link AddressSpace#iMmap()}) and every walk by linear address skips it
 * ({@link FileRmap}), which is what moving it off the prio_tree achieved; it is also put at the
 * tail of i_mmap_nonlinear ({@link AddressSpace#nonlinearLink}, vma_nonlinear_insert's
 * list_add_tail), whose order the nonlinear pass of try_to_unmap_file() takes the vmas in
 * (under the list eras, the model's one list's order: 2.6.6 kept them on i_mmap_shared).
 */
final class Fremap {
    private final Machine k;
    private final Frames f;

    Fremap(Machine k) {
        this.k = k;
        this.f = k.frames;
    }

    /**
     * sys_remap_file_pages() (mm/fremap.c, 2.6.11) after the entry: prot must be 0; the range,
     * page-aligned, must not wrap and must lie inside one VM_SHARED vma ({@code if (vma &&
     * (vma->vm_flags & VM_SHARED) && ... && end > start && start >= vma->vm_start && end <=
     * vma->vm_end)}, else -EINVAL); if pgoff is not the linear index of start the vma becomes
     * VM_NONLINEAR before any page is populated (and stays so: "We can't clear VM_NONLINEAR");
     * then ->populate with {@code flags & MAP_NONBLOCK}. Returns 0 or -errno.
     */
    long remapFilePages(Mm mm, long start, long size, int prot, long pgoff, int flags) {
        if (prot != 0) {
            return -Errno.EINVAL;
        }
        start &= Machine.PAGE_MASK;
        size &= Machine.PAGE_MASK;
        long end = start + size;
        if (Long.compareUnsigned(end, start) <= 0) {
            return -Errno.EINVAL; // the address range wraps, or the span is zero-sized
        }
        // x86-64's PTE_FILE_MAX_BITS is BITS_PER_LONG: no test of pgoff's size (the #if is off).
        Vma vma = mm.vmaLookup(start);
        if (vma == null || (vma.vmFlags & Vma.VM_SHARED) == 0 || vma.file == null
                || start < vma.vmStart || end > vma.vmEnd) {
            return -Errno.EINVAL;
        }
        if (pgoff != vma.linearPageIndex(start) && !vma.isNonlinear()) {
            // vma_prio_tree_remove + vma_nonlinear_insert: see the class comment.
            vma.vmFlags |= Vma.VM_NONLINEAR;
            vma.file.nonlinearLink(vma, null, k.traits().iMmapKind()); // list_add_tail
        }
        return populate(vma, start, size, pgoff, (flags & Mman.MAP_NONBLOCK) != 0);
    }

    /**
     * shmem_populate() (mm/shmem.c, 2.6.11): -EINVAL if the pages run past the end of the file
     * ({@code pgoff >= size || pgoff + (len >> PAGE_SHIFT) > size}); then for each page
     * shmem_getpage() (SGP_CACHE, or SGP_QUICK with nonblock: only a page already in the cache)
     * and install_page(), or with nonblock and no page install_file_pte(). Returns 0 or -errno.
     */
    int populate(Vma vma, long addr, long len, long pgoff, boolean nonblock) {
        long sizePages = vma.file.sizePages();
        if (pgoff >= sizePages || pgoff + (len >>> Machine.PAGE_SHIFT) > sizePages) {
            return -Errno.EINVAL;
        }
        for (; len > 0; len -= Machine.PAGE_SIZE, addr += Machine.PAGE_SIZE, pgoff++) {
            int pfn = vma.file.findPage(pgoff);
            if (pfn < 0 && !nonblock) {
                pfn = k.memory.shmemGetPage(vma.file, pgoff, -1);
                while (pfn == -1 - Memory.FAULT_OK) {
                    pfn = vma.file.findPage(pgoff); // reclaim ran during the allocation: look again
                    if (pfn < 0) {
                        pfn = k.memory.shmemGetPage(vma.file, pgoff, -1);
                    }
                }
                if (pfn < 0) {
                    return -Errno.ENOMEM;
                }
            }
            int err = pfn >= 0 ? installPage(vma, addr, pfn) : installFilePte(vma, addr, pgoff);
            if (err != 0) {
                return err;
            }
        }
        return 0;
    }

    /**
     * install_page() (mm/fremap.c, 2.6.11): the pte at addr, whatever it held zapped first
     * (zap_pte), maps the page-cache page pfn with the vma's protection (mk_pte(page, prot): the
     * vma's vm_page_prot, accessed, not dirty); page_add_file_rmap; rss++. Returns 0 or -ENOMEM.
     */
    int installPage(Vma vma, long addr, int pfn) {
        Mm mm = vma.mm;
        f.refcount[pfn]++; // shmem_getpage's reference, which the pte keeps
        long slot = PageTable.alloc(f, mm, addr);
        if (slot < 0) {
            k.memory.putPage(pfn);
            return -Errno.ENOMEM;
        }
        zapPte(vma, addr, slot);
        f.mapcount[pfn]++;
        long bits = PageTable.PRESENT | PageTable.USER | PageTable.ACCESSED;
        if ((vma.vmFlags & (Vma.VM_SHARED | Vma.VM_WRITE)) == (Vma.VM_SHARED | Vma.VM_WRITE)) {
            bits |= PageTable.RW;
        }
        k.design.stats().rmapAdds++;
        k.design.pageAddFileRmap(pfn, vma, addr, slot);
        PageTable.set(f, slot, PageTable.mkpte(pfn, bits));
        mm.rssShmem++;
        return 0;
    }

    /**
     * install_file_pte() (mm/fremap.c, 2.6.11): the pte at addr, zapped first, becomes a file pte
     * naming pgoff (pgoff_to_pte). Returns 0 or -ENOMEM.
     */
    int installFilePte(Vma vma, long addr, long pgoff) {
        long slot = PageTable.alloc(f, vma.mm, addr);
        if (slot < 0) {
            return -Errno.ENOMEM;
        }
        zapPte(vma, addr, slot);
        PageTable.set(f, slot, PageTable.pgoffToPte(pgoff));
        return 0;
    }

    /**
     * zap_pte() (mm/fremap.c, 2.6.11): a present pte's page loses this mapping (page_remove_rmap,
     * page_cache_release, rss--, the dirty bit to the page); a swap entry is freed; a file pte is
     * cleared.
     */
    private void zapPte(Vma vma, long addr, long slot) {
        if (PageTable.get(f, slot) != 0) {
            k.memory.zapRange(vma, addr, addr + Machine.PAGE_SIZE);
        }
    }

    /**
     * do_file_page() (mm/memory.c, 2.6.11), the fault on a file pte: ->populate of the one page at
     * the pte's pgoff; -ENOMEM is an out-of-memory fault, any other error (the pgoff lies past
     * the end of the file) SIGBUS, and the file pte stays. The retried access then finds the page
     * present and sets the accessed (and, for a write, dirty) bit, as the hardware would.
     * The kernel's fallback to do_no_page (no ->populate, or a write to a private vma) cannot
     * happen: only shared tmpfs vmas become nonlinear here.
     */
    int doFilePage(Vma vma, long addr, long slot, boolean write, long pte) {
        long page = addr & Machine.PAGE_MASK;
        int err = populate(vma, page, Machine.PAGE_SIZE, PageTable.pteToPgoff(pte), false);
        if (err == -Errno.ENOMEM) {
            return Memory.FAULT_OOM;
        }
        if (err != 0) {
            return Memory.FAULT_SIGBUS;
        }
        long now = PageTable.get(f, slot);
        PageTable.set(f, slot, now | PageTable.ACCESSED | (write ? PageTable.DIRTY : 0));
        return Memory.FAULT_OK;
    }
}
