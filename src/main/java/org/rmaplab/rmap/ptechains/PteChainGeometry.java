package org.rmaplab.rmap.ptechains;

/**
 * The shape of a {@code struct pte_chain} on one architecture profile: the one table of sizes the
 * pte_chains design (and the cost model built on it) uses.
 *
 * <pre>
 * #define NRPTE ((L1_CACHE_BYTES - sizeof(unsigned long))/sizeof(pte_addr_t))
 * struct pte_chain {
 *         unsigned long next_and_idx;
 *         pte_addr_t ptes[NRPTE];
 * } ____cacheline_aligned;                                   (2.6.0 mm/rmap.c)
 * </pre>
 *
 * <p>A block is exactly one L1 cache line ({@code ____cacheline_aligned}, and the slab cache is
 * created with {@code sizeof(struct pte_chain)} as its alignment in {@code pte_chain_init()}), so
 * its memory cost is {@link #blockBytes()} = the line size; on i386 PAE the 4 bytes left over by
 * 15 eight-byte slots are padding. NRPTE + 1 is always a power of two here, which is what lets
 * {@code next_and_idx & NRPTE} hold the index and {@code & ~NRPTE} the aligned next pointer.
 *
 * <p>The profiles (the scenario language's {@code machine arch=}):
 * <table>
 *   <caption>sizes per profile</caption>
 *   <tr><th>arch</th><th>sizeof(long)</th><th>sizeof(pte_addr_t)</th><th>default L1 line</th><th>NRPTE</th></tr>
 *   <tr><td>x86_64</td><td>8</td><td>8</td><td>64</td><td>7</td></tr>
 *   <tr><td>i386</td><td>4</td><td>4</td><td>64 (32, 128 by parameter)</td><td>15 (7, 31)</td></tr>
 *   <tr><td>i386-pae</td><td>4</td><td>8</td><td>128</td><td>15</td></tr>
 *   <tr><td>i386-pae-nohighpte</td><td>4</td><td>4</td><td>128</td><td>31</td></tr>
 *   <tr><td>i386-numaq</td><td>4</td><td>4</td><td>32</td><td>7</td></tr>
 *   <tr><td>x86_64-la57</td><td>8</td><td>8</td><td>64</td><td>7</td></tr>
 * </table>
 * Sources:
 * <ul>
 *   <li>pte_addr_t, 2.6.0 include/asm-i386/pgtable.h: {@code typedef pte_t *pte_addr_t} without
 *       CONFIG_HIGHPTE (4 bytes), {@code u32} with HIGHPTE and HIGHMEM4G, {@code u64} with HIGHPTE
 *       and HIGHMEM64G (PAE: the page-table page may sit above 4 GB, so the slot is a 64-bit
 *       physical address). The i386-pae profile is a HIGHPTE kernel, the configuration whose
 *       lowmem pressure Martin Bligh measured; i386-pae-nohighpte and i386-numaq are PAE kernels
 *       without HIGHPTE (4-byte {@code pte_t *}). {@link #highpte} says which profiles are HIGHPTE
 *       kernels; the cost model's page-table placement reads it from here.
 *       include/asm-x86_64/pgtable.h: {@code pte_t *}, 8 bytes (x86_64-la57 alike).
 *   <li>L1_CACHE_BYTES = 1 &lt;&lt; CONFIG_X86_L1_CACHE_SHIFT (include/asm-i386/cache.h,
 *       include/asm-x86_64/cache.h). arch/i386/Kconfig of 2.6.0: 7 (128 bytes) for MPENTIUM4 and
 *       X86_GENERIC, 6 (64) for MK7/MK8/MPENTIUMM, 5 (32) for Pentium-II/III, K6, Crusoe, 4 (16)
 *       for 486/386. i386 defaults to 64 here (the brief's choice; 32 and 128 by constructor
 *       parameter), i386-pae and i386-pae-nohighpte to 128 (the Pentium 4 / generic kernels PAE
 *       boxes ran), x86_64 to the K8's 64. i386-numaq is the IBM/Sequent NUMA-Q (Martin Bligh's
 *       16-way test machines): Pentium III Xeon quads, so a kernel built for M686 or MPENTIUMIII,
 *       whose X86_L1_CACHE_SHIFT is 5 (32-byte lines); NUMA needs HIGHMEM64G in 2.6's Kconfig
 *       ({@code config NUMA depends on SMP && HIGHMEM64G && (X86_NUMAQ || ...)}), so it is a PAE
 *       kernel, taken without HIGHPTE (a model choice: with HIGHPTE NRPTE would be 3).
 *   <li>The resulting NRPTE values (7, 15, 31; 15 for PAE with 128-byte lines; 7 on x86_64) are
 *       those quoted in the 2002-2003 threads (docs/reference.md#struct-sizes; Andrew Morton on HIGHPTE's
 *       8-byte pte_addr_t: "fifteen pte_addr_t's per pte_chain on a P4").
 * </ul>
 *
 * @param arch         the profile name
 * @param l1CacheBytes L1_CACHE_BYTES
 * @param longBytes    sizeof(unsigned long) (next_and_idx)
 * @param pteAddrBytes sizeof(pte_addr_t) (one slot, and the PG_direct pointer in struct page)
 */
public record PteChainGeometry(String arch, int l1CacheBytes, int longBytes, int pteAddrBytes) {

    public PteChainGeometry {
        if (Integer.bitCount(l1CacheBytes) != 1 || l1CacheBytes < 16 || l1CacheBytes > 256) {
            throw new IllegalArgumentException("L1_CACHE_BYTES must be a power of two in 16..256, not " + l1CacheBytes);
        }
        int n = (l1CacheBytes - longBytes) / pteAddrBytes;
        if (n < 2) {
            throw new IllegalArgumentException(arch + " with " + l1CacheBytes
                    + "-byte lines leaves NRPTE " + n + " (a chain needs room for two ptes)");
        }
        if (Integer.bitCount(n + 1) != 1) {
            throw new IllegalArgumentException("NRPTE + 1 must be a power of two, not " + (n + 1));
        }
    }

    /** The profile's default L1 line size (see the table). */
    public static int defaultL1CacheBytes(String arch) {
        return switch (arch) {
            case "x86_64", "x86_64-la57", "i386" -> 64;
            case "i386-pae", "i386-pae-nohighpte" -> 128;
            case "i386-numaq" -> 32;
            default -> throw new IllegalArgumentException("unknown arch '" + arch + "'");
        };
    }

    /** Is the profile a CONFIG_HIGHPTE kernel (pte pages in highmem)? Only i386-pae is. */
    public static boolean highpte(String arch) {
        defaultL1CacheBytes(arch); // rejects an unknown name
        return arch.equals("i386-pae");
    }

    /**
     * sizeof(pte_addr_t), 2.6.0 include/asm-i386/pgtable.h: {@code pte_t *} (4) without HIGHPTE,
     * {@code u32} with HIGHPTE and HIGHMEM4G, {@code u64} with HIGHPTE and HIGHMEM64G (PAE).
     */
    static int i386PteAddrBytes(boolean highpte, boolean pae) {
        return highpte && pae ? 8 : 4;
    }

    /**
     * The geometry of {@code arch} with lines of {@code l1CacheBytes} (0: the profile's default).
     */
    public static PteChainGeometry of(String arch, int l1CacheBytes) {
        int line = l1CacheBytes == 0 ? defaultL1CacheBytes(arch) : l1CacheBytes;
        return switch (arch) {
            case "x86_64", "x86_64-la57" -> new PteChainGeometry(arch, line, 8, 8);
            case "i386" -> new PteChainGeometry(arch, line, 4, i386PteAddrBytes(highpte(arch), false));
            case "i386-pae", "i386-pae-nohighpte", "i386-numaq" ->
                    new PteChainGeometry(arch, line, 4, i386PteAddrBytes(highpte(arch), true));
            default -> throw new IllegalArgumentException("unknown arch '" + arch + "'");
        };
    }

    /** NRPTE: pte slots per block. */
    public int nrpte() {
        return (l1CacheBytes - longBytes) / pteAddrBytes;
    }

    /** Bytes one block occupies: one cache line. */
    public int blockBytes() {
        return l1CacheBytes;
    }
}
