package org.rmaplab.mm;

/**
 * mm/shmem.c and mm/truncate.c as the model needs them: the tmpfs file of open(2) (a shmem inode
 * kept alive by its directory entry) and ftruncate(2) (shmem_setattr → unmap_mapping_range →
 * shmem_truncate_range, zeroing the partial last page).
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
    private final RmapDesign design;

    Shmem(Machine k) {
        this.k = k;
        this.frames = k.frames;
        this.design = k.design;
    }

    /**
     * open(2) of a new file (O_RDWR | O_CREAT | O_TRUNC) in a tmpfs directory, then ftruncate to
     * {@code size}, as the kernel harness does (in /dev/shm): a shmem inode, kept alive by its
     * directory entry for the rest of the run (the harness unlinks its files only at the end).
     * Returns the file's number, to pass to {@link #mmap}, or -errno.
     */
    public long open(Task t, String name, long size) {
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
    public long ftruncate(Task t, long file, long size) {
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
            }
            k.memory.shmemUndoRange(as, holebegin >>> Machine.PAGE_SHIFT, Long.MAX_VALUE);
            if ((size & (Machine.PAGE_SIZE - 1)) != 0) {
                k.memory.shmemZeroPartial(as, size >>> Machine.PAGE_SHIFT, (int) (size & (Machine.PAGE_SIZE - 1)));
            }
        }
        return 0;
    }
}
