package org.rmaplab.cost;

import org.rmaplab.mm.Footprint;
import org.rmaplab.mm.Mm;

/**
 * The page tables an architecture profile's kernel would hold for the ptes an mm of the model
 * holds. The model keeps x86-64's four-level tables (PageTable: a PTE table maps 2 MiB); each
 * constant derives its own kernel's page-table pages from the mm's counts ({@link Mm#pgtables},
 * {@link Mm#pteTables}, {@link Mm#pteTables4M}), which the core keeps where a table is allocated,
 * freed or moved, so a sample costs a few reads per mm and allocates nothing.
 *
 * <p>Simplifications, stated: the model's addresses are x86-64's (its mmap_base is near 128 TiB),
 * and their offsets within 2 MiB and 4 MiB are taken as the addresses the 32-bit kernel would have
 * used. Tables are freed by today's free_pgd_range() rules at the model's 2 MiB granularity;
 * 2.6.0's free_pgtables() freed only whole PGDIR_SIZE spans (4 MiB on i386, 1 GiB on PAE) and so
 * kept some empty pte pages after munmap that are not counted here.
 */
public enum Paging {
    /**
     * x86-64 as today (the model's own tables): pgd_alloc() one page, then __pud_alloc(),
     * __pmd_alloc() and __pte_alloc() one page each on demand (mm/memory.c). Every frame is
     * counted; there is no highmem.
     */
    X86_64_4LEVEL(8),
    /**
     * x86-64 with LA57 (CONFIG_X86_5LEVEL): one more level, the p4d, between pgd and pud
     * (arch/x86/include/asm/pgtable_64_types.h: PGDIR_SHIFT 48, P4D_SHIFT 39). The model's user
     * addresses lie below 2^47, inside the first pgd entry, so the mm holds one p4d page, allocated
     * by __p4d_alloc() with its first pud (and freed with its last, by free_p4d_range()); the
     * model's pgd stands for that p4d. Frames: pgtables + 1 when any pud exists.
     */
    X86_64_5LEVEL(8),
    /**
     * i386 without PAE, 2.6.0 (include/asm-i386/pgtable-2level-defs.h: PGDIR_SHIFT 22,
     * PTRS_PER_PGD 1024, PTRS_PER_PTE 1024; the pmd is folded into the pgd,
     * include/asm-i386/pgtable-2level.h). pgd_alloc() (arch/i386/mm/pgtable.c) takes one object of
     * pgd_cache, PTRS_PER_PGD * sizeof(pgd_t) = 4096 bytes (pgtable_cache_init(),
     * arch/i386/mm/init.c): a page. pte_alloc_one() gives one page per 4 MiB range with ptes:
     * {@link Mm#pteTables4M}. The pgd is in lowmem; the pte pages too unless HIGHPTE.
     */
    I386_2LEVEL(4),
    /**
     * i386 with PAE, 2.6.0 (include/asm-i386/pgtable-3level-defs.h: PGDIR_SHIFT 30, PTRS_PER_PGD 4,
     * PMD_SHIFT 21, PTRS_PER_PMD 512, PTRS_PER_PTE 512). pgd_alloc() (arch/i386/mm/pgtable.c) takes
     * a 32-byte pgd from pgd_cache (4 * sizeof(pgd_t)) and preallocates all USER_PTRS_PER_PGD = 3
     * user pmds from pmd_cache (PTRS_PER_PMD * sizeof(pmd_t) = 4096 bytes each); the fourth entry,
     * the kernel's pmd, is copied from swapper_pg_dir by pgd_ctor() and shared by every mm ("not
     * needed for PAE since the kernel pmd is shared"), so it is not counted. A pte page maps 2 MiB,
     * as the model's PTE table does: {@link Mm#pteTables}. The pgd and pmds are slab objects in
     * lowmem; the pte pages too unless HIGHPTE (pte_alloc_one(): __GFP_HIGHMEM under CONFIG_HIGHPTE).
     */
    I386_PAE(8);

    /** USER_PTRS_PER_PGD on PAE: TASK_SIZE (3 GiB) / PGDIR_SIZE (1 GiB). */
    static final int PAE_USER_PMDS = 3;
    /** sizeof(pgd_t) * PTRS_PER_PGD on PAE: the pgd_cache object. */
    static final int PAE_PGD_BYTES = 4 * 8;
    static final long PAGE = 4096;

    private final int pteBytes;

    Paging(int pteBytes) {
        this.pteBytes = pteBytes;
    }

    /** sizeof(pte_t). */
    public int pteBytes() {
        return pteBytes;
    }

    /** Bytes of user memory one pte page maps: PTRS_PER_PTE pages (PAGE_SIZE / sizeof(pte_t)). */
    public long ptePageSpan() {
        return PAGE / pteBytes * PAGE;
    }

    /** Bytes of pte pages (the last level) of mm on this kernel. */
    public long ptePageBytes(Mm mm) {
        return (this == I386_2LEVEL ? mm.pteTables4M() : mm.pteTables()) * PAGE;
    }

    /** Bytes of page tables of every level that mm holds on this kernel. */
    public long bytes(Mm mm) {
        return switch (this) {
            case X86_64_4LEVEL -> mm.pgtables() * PAGE;
            case X86_64_5LEVEL -> (mm.pgtables() + (mm.pgtables() > 1 ? 1 : 0)) * PAGE;
            case I386_2LEVEL -> PAGE + mm.pteTables4M() * PAGE;
            case I386_PAE -> upperBytes() + mm.pteTables() * PAGE;
        };
    }

    /**
     * Bytes above the pte pages that every mm holds from pgd_alloc() on, whatever it maps: the
     * i386 kernels' pgd (and PAE's preallocated pmds); on x86-64 the pgd page.
     */
    public long upperBytes() {
        return this == I386_PAE ? PAE_PGD_BYTES + PAE_USER_PMDS * PAGE : PAGE;
    }

    /**
     * Page tables of an mm that maps one 1 GiB-aligned segment of {@code bytes} and nothing else,
     * counted by the same geometry (for estimates beyond what the model runs, such as Bligh's 2 GB
     * segment): the pte pages, ceil(bytes / {@link #ptePageSpan}), plus the levels above them
     * (x86_64: pgd, pud and a pmd per GiB; LA57 one p4d more; i386: the pgd; PAE: pgd and its
     * three pmds). Without {@code highpte} pte pages or with {@code lowmemOnly} false, all count.
     */
    public long segmentBytes(long bytes, boolean lowmemOnly, boolean highpte) {
        long ptePages = (bytes + ptePageSpan() - 1) / ptePageSpan();
        long pmds = (bytes + (1L << 30) - 1) >> 30;
        long upper = switch (this) {
            case X86_64_4LEVEL -> (2 + pmds) * PAGE;
            case X86_64_5LEVEL -> (3 + pmds) * PAGE;
            case I386_2LEVEL, I386_PAE -> upperBytes();
        };
        return upper + (lowmemOnly && highpte ? 0 : ptePages * PAGE);
    }

    /**
     * {@link #bytes(Mm)} summed over every mm of a machine, from the machine's totals in O(1), so
     * that the Meter can take it at every growth inside a call: {@code mms} mms, {@code tableFrames}
     * page-table frames of the model in all (Frames.tables()), and the footprint's sums of the
     * mms' counts.
     */
    public long bytesTotal(Footprint fp, long mms, long tableFrames) {
        return switch (this) {
            case X86_64_4LEVEL -> tableFrames * PAGE;
            case X86_64_5LEVEL -> (tableFrames + fp.mmsWithTables()) * PAGE;
            case I386_2LEVEL -> mms * PAGE + fp.pteTables4M() * PAGE;
            case I386_PAE -> mms * upperBytes() + fp.pteTables() * PAGE;
        };
    }

    /** {@link #lowmemBytes(Mm, boolean)} summed over every mm, as {@link #bytesTotal}. */
    public long lowmemBytesTotal(Footprint fp, long mms, long tableFrames, boolean highpte) {
        long all = bytesTotal(fp, mms, tableFrames);
        if (!highpte) {
            return all;
        }
        return all - (this == I386_2LEVEL ? fp.pteTables4M() : fp.pteTables()) * PAGE;
    }

    /** Bytes of mm's page tables in lowmem: all but the pte pages of a HIGHPTE kernel. */
    public long lowmemBytes(Mm mm, boolean highpte) {
        return highpte ? bytes(mm) - ptePageBytes(mm) : bytes(mm);
    }
}
