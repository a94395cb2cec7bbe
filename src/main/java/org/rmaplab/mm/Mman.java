package org.rmaplab.mm;

/**
 * include/uapi/asm-generic/mman-common.h, mman.h and include/uapi/linux/mman.h: the constants of
 * the memory system calls, with the values of Linux x86-64, so a scenario
 * converts to the real calls unchanged.
 */
public final class Mman {
    private Mman() {}

    public static final int PROT_NONE = 0x0;
    public static final int PROT_READ = 0x1;
    public static final int PROT_WRITE = 0x2;
    public static final int PROT_EXEC = 0x4;

    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_SHARED_VALIDATE = 0x03;
    public static final int MAP_TYPE = 0x0f;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    public static final int MAP_GROWSDOWN = 0x0100;
    public static final int MAP_DENYWRITE = 0x0800;
    public static final int MAP_EXECUTABLE = 0x1000;
    public static final int MAP_LOCKED = 0x2000;
    public static final int MAP_NORESERVE = 0x4000;
    public static final int MAP_POPULATE = 0x8000;
    public static final int MAP_NONBLOCK = 0x10000;
    public static final int MAP_STACK = 0x20000;
    public static final int MAP_HUGETLB = 0x40000;
    public static final int MAP_SYNC = 0x80000;
    public static final int MAP_FIXED_NOREPLACE = 0x100000;
    /** MAP_UNINITIALIZED (uapi asm-generic/mman-common.h). */
    public static final int MAP_UNINITIALIZED = 0x4000000;
    /**
     * LEGACY_MAP_MASK (include/linux/mman.h): the flags every file mmap accepts; MAP_SHARED_VALIDATE
     * refuses any other with EOPNOTSUPP (tmpfs has no MAP_SYNC).
     */
    public static final int LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS
            | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED
            | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB;

    public static final int MREMAP_MAYMOVE = 1;
    public static final int MREMAP_FIXED = 2;
    public static final int MREMAP_DONTUNMAP = 4;
    /**
     * Lorenzo Stoakes' "mm/mremap: introduce more mergeable mremap via MREMAP_RELOCATE_ANON"
     * (PATCH 01/11, 9 June 2025, never merged): include/uapi/linux/mman.h's value. Linux 6.18
     * does not know it (check_mremap_params(): EINVAL).
     */
    public static final int MREMAP_RELOCATE_ANON = 8;
    /** "mm/mremap: add MREMAP_MUST_RELOCATE_ANON" (PATCH 02/11, 9 June 2025, never merged). */
    public static final int MREMAP_MUST_RELOCATE_ANON = 16;

    public static final int MADV_NORMAL = 0;
    public static final int MADV_RANDOM = 1;
    public static final int MADV_SEQUENTIAL = 2;
    public static final int MADV_WILLNEED = 3;
    public static final int MADV_DONTNEED = 4;
    public static final int MADV_FREE = 8;
    public static final int MADV_REMOVE = 9;
    public static final int MADV_DONTFORK = 10;
    public static final int MADV_DOFORK = 11;
    public static final int MADV_COLD = 20;
    public static final int MADV_PAGEOUT = 21;

    public static final int MLOCK_ONFAULT = 0x01;
}
