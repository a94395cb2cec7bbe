package org.rmaplab.cost;

import java.util.List;

import org.rmaplab.mm.Mm;
import org.rmaplab.rmap.ptechains.PteChainGeometry;

/**
 * Byte sizes of every structure the rmap designs allocate, on one architecture profile of the era,
 * and the zone that rmap metadata must live in.
 *
 * <p>Sources and derivations (sizes are {@code sizeof} with natural alignment, no debug options,
 * SMP, so spinlocks are 4 bytes; slab rounding beyond the alignment is ignored):
 * <ul>
 *   <li><b>pte_chain</b>: one L1 cache line per block, from {@link PteChainGeometry} (2.6.0
 *       mm/rmap.c, struct pte_chain and NRPTE). The union {@code page->pte} (direct pte address or chain
 *       pointer) adds {@code sizeof(pte_addr_t)} to every {@code struct page}: 8 on x86_64, 4 on
 *       i386, 8 on i386 PAE with HIGHPTE (include/asm-i386/pgtable.h of 2.6.0).
 *   <li><b>_mapcount</b>: the object-based designs (anonmm, anon_vma, anon_vma_chain, lokier) drop
 *       the union and count ptes in an {@code atomic_t} in {@code struct page}: 4 bytes everywhere
 *       (2.6.7 include/linux/mm.h).
 *   <li><b>anonmm</b>: {@code { atomic_t count; spinlock_t lock; struct mm_struct *mm;
 *       struct anonmm *head; struct list_head list; }} = 4+4+4+4+8 = 24 on i386, 4+4+8+8+16 = 40
 *       on x86_64 (struct anonmm, mm/rmap.c of 2.6.6-mm). Each {@code mm_struct} gains the pointer
 *       to it (+4 / +8).
 *   <li><b>anon_vma (2.6.7)</b>: {@code { spinlock_t lock; struct list_head head; }} = 12 on i386,
 *       24 on x86_64 (4 + pad 4 + 16); each vma gains {@code anon_vma} and {@code anon_vma_node}:
 *       +12 / +24 (2.6.7 include/linux/rmap.h and include/linux/mm.h).
 *   <li><b>anon_vma (today)</b>: {@code { root; struct rw_semaphore rwsem; atomic_t refcount;
 *       unsigned long num_children, num_active_vmas; parent; struct rb_root_cached rb_root; }}.
 *       x86_64: 8 + 40 (rwsem: count 8, owner 8, osq 4, wait_lock 4, wait_list 16) + 4 (+4 pad) +
 *       8 + 8 + 8 + 16 = 96 (include/linux/rmap.h today). i386, derived the same way with 4-byte
 *       longs and pointers: 4 + 24 + 4 + 4 + 4 + 4 + 8 = 52.
 *   <li><b>anon_vma_chain</b>: {@code { vma; anon_vma; struct list_head same_vma; struct rb_node rb;
 *       unsigned long rb_subtree_last; }} = 8+8+16+24+8 = 64 on x86_64, 4+4+8+12+4 = 32 on i386
 *       (include/linux/rmap.h today). Each vma gains {@code anon_vma} and the {@code anon_vma_chain}
 *       list head: +12 / +24.
 *   <li><b>lokier</b> (never built, so derived): the anonymous {@code address_space} is taken to be
 *       2.6.0's {@code struct address_space} (include/linux/fs.h): host, page_tree (radix root:
 *       height, gfp_mask, rnode), tree_lock, four page lists, nrpages, a_ops, i_mmap, i_mmap_shared,
 *       i_shared_sem, dirtied_when, flags, backing_dev_info, private_lock, private_list,
 *       assoc_mapping = 124 bytes on i386, 240 on x86_64 (counting the semaphore as count, sleepers,
 *       wait_queue_head). A reservation is {@code { pgoff_t start, end; address_space *as;
 *       list_head; unsigned long flags; }} = 24 / 48. Each vma gains the address_space pointer and
 *       its reservation pointer: +8 / +16 (vm_pgoff already exists; VM_GROUP is a flag bit).
 *   <li><b>pte_chains</b> adds nothing to vmas or mms: the page-table page's own {@code struct
 *       page} records mm and address in fields it already has (mapping, index).
 *   <li><b>lowmem</b>: i386 and i386 PAE kernels map 896 MB of ZONE_DMA + ZONE_NORMAL (1 GB of kernel
 *       address space less 128 MB of vmalloc/fixmap: MAXMEM = -PAGE_OFFSET - __VMALLOC_RESERVE,
 *       include/asm-i386/page.h of 2.6). Slab objects,
 *       {@code mem_map} (all of it), the pgd and PAE's pmds and, without CONFIG_HIGHPTE, the pte
 *       pages live there. The i386 profile has no HIGHPTE (pte_addr_t is a pointer there);
 *       i386-pae is the HIGHPTE kernel (see {@link PteChainGeometry#highpte}), so its pte pages are
 *       in highmem; i386-pae-nohighpte and i386-numaq are PAE kernels without it. x86_64 and
 *       x86_64-la57 have no highmem: everything counts, and the limit is the machine's RAM.
 *   <li><b>page tables</b>: each profile's own kernel's, derived from the model's mappings by
 *       {@link Paging}: i386 two-level (a 4 KiB pgd, a pte page per 4 MiB), i386 PAE three-level
 *       (a 32-byte pgd, three preallocated pmd pages, a pte page per 2 MiB), x86_64 four-level
 *       (the model's own tables), x86_64-la57 five-level (one p4d page more).
 * </ul>
 *
 * <p>The profiles: {@code x86_64}, {@code x86_64-la57}, {@code i386} (no PAE, no HIGHPTE, 64-byte
 * lines), {@code i386-pae} (PAE with HIGHPTE, 128-byte lines), {@code i386-pae-nohighpte} (PAE
 * without HIGHPTE, 128-byte lines), {@code i386-numaq} (NUMA-Q: PAE without HIGHPTE, 32-byte lines;
 * see {@link PteChainGeometry}). Sizes not named by the paging or the line are the same for every
 * 32-bit profile and for both 64-bit ones.
 *
 * @param name             the profile's name ({@code machine arch=})
 * @param pointerBytes     sizeof(void *) and sizeof(long)
 * @param pteChainBlock    bytes per pte_chain block
 * @param pagePteUnion     bytes pte_chains adds to struct page
 * @param pageMapcount     bytes the object designs add to struct page
 * @param anonmm           sizeof(struct anonmm)
 * @param anonVma267       sizeof(struct anon_vma), 2.6.7
 * @param anonVmaToday     sizeof(struct anon_vma), today
 * @param anonVmaChain     sizeof(struct anon_vma_chain)
 * @param addressSpace     sizeof(struct address_space) (lokier)
 * @param reservation      lokier's reservation
 * @param lowmemLimit      bytes of lowmem (0: no highmem, the whole RAM)
 * @param highpte          pte pages live in highmem (CONFIG_HIGHPTE)
 * @param paging           the kernel's page-table geometry
 */
public record ArchProfile(String name, int pointerBytes, int pteChainBlock, int pagePteUnion, int pageMapcount,
                          int anonmm, int anonVma267, int anonVmaToday, int anonVmaChain, int addressSpace,
                          int reservation, long lowmemLimit, boolean highpte, Paging paging) {

    public static final long LOWMEM_896M = 896L << 20;

    /** The profile names ({@code machine arch=}, {@code compare --arch}), in the order docs list them. */
    public static final List<String> NAMES = List.of(
            "x86_64", "x86_64-la57", "i386", "i386-pae", "i386-pae-nohighpte", "i386-numaq");

    public static ArchProfile of(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown arch '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        }
        PteChainGeometry g = PteChainGeometry.of(name, 0);
        boolean highpte = PteChainGeometry.highpte(name);
        return switch (name) {
            case "x86_64", "x86_64-la57" -> new ArchProfile(name, 8, g.blockBytes(), g.pteAddrBytes(), 4,
                    40, 24, 96, 64, 240, 48, 0, highpte,
                    name.equals("x86_64") ? Paging.X86_64_4LEVEL : Paging.X86_64_5LEVEL);
            default -> new ArchProfile(name, 4, g.blockBytes(), g.pteAddrBytes(), 4,
                    24, 12, 52, 32, 124, 24, LOWMEM_896M, highpte,
                    name.equals("i386") ? Paging.I386_2LEVEL : Paging.I386_PAE);
        };
    }

    /** Bytes of page tables of every level that mm holds under this profile's kernel. */
    public long pageTableBytes(Mm mm) {
        return paging.bytes(mm);
    }

    /** Page-table bytes of every mm of machine {@code k} under this profile's kernel, in O(1). */
    public long pageTableBytesTotal(org.rmaplab.mm.Machine k) {
        return paging.bytesTotal(k.footprint(), k.mmCount(), k.frames().tables());
    }

    /** Of those, the bytes in lowmem (all of them on x86_64), in O(1). */
    public long pageTableLowmemBytesTotal(org.rmaplab.mm.Machine k) {
        return paging.lowmemBytesTotal(k.footprint(), k.mmCount(), k.frames().tables(), highpte);
    }

    /** Bytes of mm's page tables that sit in lowmem (all of them on x86_64, which has no highmem). */
    public long pageTableLowmemBytes(Mm mm) {
        return paging.lowmemBytes(mm, highpte);
    }

    /** Bytes of one object of KIND (as counted by the designs' RmapStats) under DESIGN; 0 if it costs nothing. */
    public int objectBytes(String design, String kind) {
        return switch (kind) {
            case "pte_chain" -> pteChainBlock;
            case "anonmm" -> anonmm;
            case "anon_vma" -> design.equals("anon_vma") ? anonVma267 : anonVmaToday;
            case "anon_vma_chain" -> anonVmaChain;
            case "address_space" -> addressSpace;
            case "reservation" -> reservation;
            default -> 0; // pg_direct: a page using the union it already has
        };
    }

    /** Bytes DESIGN adds to each vm_area_struct. */
    public int vmaGrowth(String design) {
        return switch (design) {
            // anon_vma_chain:noreuse runs under its own name, anon_vma_chain_noreuse, with the same vma.
            case "anon_vma", "anon_vma_chain", "anon_vma_chain_noreuse" -> 3 * pointerBytes; // a pointer and a list_head
            case "lokier" -> 2 * pointerBytes;
            default -> 0;
        };
    }

    /** Bytes DESIGN adds to each mm_struct. */
    public int mmGrowth(String design) {
        return design.equals("anonmm") ? pointerBytes : 0;
    }

    /** Bytes DESIGN adds to each struct page. */
    public int pageGrowth(String design) {
        return design.equals("pte_chains") ? pagePteUnion : pageMapcount;
    }
}
