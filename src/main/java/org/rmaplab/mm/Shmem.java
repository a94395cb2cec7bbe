package org.rmaplab.mm;

/**
 * mm/shmem.c and mm/truncate.c as the model needs them: the tmpfs file of open(2) (a shmem inode
 * kept alive by its directory entry) and ftruncate(2) (shmem_setattr → unmap_mapping_range →
 * shmem_truncate_range, zeroing the partial last page). Linux 6.18 unless a method says otherwise.
 *
 * <p>Invariants kept: a file's page cache and swap entries hold nothing at or past the first page
 * wholly beyond i_size after a truncate; no pte maps such a page any more, private COW copies
 * included (even_cows).
 *
 * <p>Lock order (for the reader): inode->i_rwsem (truncate), then mapping->i_mmap_rwsem
 * (unmap_mapping_range), then the pte lock; the page cache's xarray lock inside.
 */
final class Shmem {
    private final Machine k;
    private final Frames frames;

    Shmem(Machine k) {
        this.k = k;
        this.frames = k.frames;
    }

    /**
     * open(2) of a new file (O_RDWR | O_CREAT | O_TRUNC) in a tmpfs directory, then ftruncate to
     * {@code size}, as the kernel harness does (in /dev/shm): a shmem inode, kept alive by its
     * directory entry for the rest of the run (the harness unlinks its files only at the end).
     * Returns the file's number, to pass to {@link Mmap#mmap}, or -errno.
     */
    long open(Task t, String name, long size) {
        k.requireAlive(t);
        if (size < 0) {
            return -Errno.EINVAL; // do_sys_ftruncate: length < 0
        }
        AddressSpace as = new AddressSpace(k.nextIno++, "/dev/shm/" + name, size);
        as.refs++; // the dentry's reference
        k.files.add(as);
        return k.files.size() - 1;
    }

    /**
     * truncate(2) / ftruncate(2) of a tmpfs file: do_sys_truncate (EINVAL for a negative length)
     * → notify_change → shmem_setattr(). Growing only moves i_size. Shrinking moves i_size, then
     * unmaps the pages from the first whole page past it from every mapping, private copies
     * included (unmap_mapping_range with even_cows), and drops them from the page cache and swap
     * (shmem_truncate_range), zeroing the tail of a partial last page. Returns 0 or -errno.
     */
    long ftruncate(Task t, long file, long size) {
        k.requireAlive(t);
        AddressSpace as = k.file(file);
        if (as == null) {
            return -Errno.EBADF;
        }
        if (size < 0) {
            return -Errno.EINVAL;
        }
        long oldsize = as.size;
        if (size == oldsize) {
            return 0;
        }
        as.size = size;
        if (size < oldsize) {
            long holebegin = PageTable.pageAlign(size); // unsigned: a size near 2^63 rounds past it
            if (Long.compareUnsigned(oldsize, holebegin) > 0) {
                k.memory.unmapMappingRange(as, holebegin >>> Machine.PAGE_SHIFT, Long.MAX_VALUE, true);
                k.memory.truncateUnmapPass(as, holebegin >>> Machine.PAGE_SHIFT, Long.MAX_VALUE);
            }
            shmemUndoRange(as, holebegin >>> Machine.PAGE_SHIFT, Long.MAX_VALUE);
            if (PageTable.offsetInPage(size)) {
                shmemZeroPartial(as, size >>> Machine.PAGE_SHIFT, (int) PageTable.offsetOf(size));
            }
        }
        return 0;
    }

    /**
     * shmem_undo_range() for the whole pages of [fromPgoff, toPgoff): every cached page leaves the
     * cache and loses its reference (truncate_inode_folio; callers have unmapped the range first,
     * unmap_mapping_range), every swap entry its count (shmem_free_swap).
     */
    void shmemUndoRange(AddressSpace as, long fromPgoff, long toPgoff) {
        for (long pgoff = as.nextEntry(fromPgoff); pgoff >= 0 && pgoff < toPgoff; pgoff = as.nextEntry(pgoff + 1)) {
            int pfn = as.findPage(pgoff);
            if (pfn >= 0) {
                as.removePage(pgoff);
                k.memory.putPage(pfn);
            } else {
                int s = as.findSwap(pgoff);
                if (s > 0) {
                    as.removePage(pgoff);
                    k.swapState.freeSwapAndCache(s);
                }
            }
        }
    }

    /**
     * The partial page of a truncation to a size that is not page-aligned (shmem_undo_range():
     * shmem_get_partial_folio, then truncate_inode_partial_folio → folio_zero_range of [offset,
     * PAGE_SIZE)). A page's contents in the model are its first 8 bytes, so only an offset below 8
     * changes them. Simplification: a page on swap is zeroed in its slot instead of being read back
     * first (the contents are the same; no swap-in is counted). A hole stays a hole.
     */
    void shmemZeroPartial(AddressSpace as, long pgoff, int offset) {
        if (offset >= 8) {
            return;
        }
        long keep = (1L << (8 * offset)) - 1;
        int pfn = as.findPage(pgoff);
        if (pfn >= 0) {
            frames.content[pfn] &= keep;
            return;
        }
        int s = as.findSwap(pgoff);
        if (s > 0) {
            k.swap.data[s] &= keep;
        }
    }
}
