package org.rmaplab.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The sizes of docs/reference.md#struct-sizes, stated and derived, per profile. */
class ArchProfileTest {

    @Test
    void x86_64() {
        ArchProfile a = ArchProfile.of("x86_64");
        assertEquals(64, a.objectBytes("pte_chains", "pte_chain"));
        assertEquals(40, a.objectBytes("anonmm", "anonmm"));
        assertEquals(24, a.objectBytes("anon_vma", "anon_vma"));
        assertEquals(96, a.objectBytes("anon_vma_chain", "anon_vma"));
        assertEquals(64, a.objectBytes("anon_vma_chain", "anon_vma_chain"));
        assertEquals(0, a.objectBytes("pte_chains", "pg_direct"));
        assertEquals(24, a.vmaGrowth("anon_vma"));
        assertEquals(24, a.vmaGrowth("anon_vma_chain"));
        assertEquals(0, a.vmaGrowth("pte_chains"));
        assertEquals(8, a.mmGrowth("anonmm"));
        assertEquals(8, a.pageGrowth("pte_chains"));
        assertEquals(4, a.pageGrowth("anon_vma"));
        assertEquals(0, a.lowmemLimit());
    }

    @Test
    void i386() {
        ArchProfile a = ArchProfile.of("i386");
        assertEquals(64, a.objectBytes("pte_chains", "pte_chain"));
        assertEquals(24, a.objectBytes("anonmm", "anonmm"));
        assertEquals(12, a.objectBytes("anon_vma", "anon_vma"));
        assertEquals(32, a.objectBytes("anon_vma_chain", "anon_vma_chain"));
        assertEquals(12, a.vmaGrowth("anon_vma"));
        assertEquals(4, a.pageGrowth("pte_chains"));
        assertEquals(896L << 20, a.lowmemLimit());
        assertFalse(a.highpte());
        assertEquals(Paging.I386_2LEVEL, a.paging());
    }

    @Test
    void i386Pae() {
        ArchProfile a = ArchProfile.of("i386-pae");
        assertEquals(128, a.objectBytes("pte_chains", "pte_chain"));
        assertEquals(8, a.pageGrowth("pte_chains"));
        assertTrue(a.highpte());
        assertEquals(Paging.I386_PAE, a.paging());
        assertEquals(896L << 20, a.lowmemLimit());
    }

    /**
     * PAE without HIGHPTE (2.6.0 include/asm-i386/pgtable.h: pte_addr_t is pte_t *, 4 bytes):
     * NRPTE = (128 - 4) / 4 = 31 in a 128-byte line; the struct page union is 4 bytes.
     */
    @Test
    void i386PaeNoHighpte() {
        ArchProfile a = ArchProfile.of("i386-pae-nohighpte");
        assertEquals(128, a.objectBytes("pte_chains", "pte_chain"));
        assertEquals(31, org.rmaplab.rmap.ptechains.PteChainGeometry.of("i386-pae-nohighpte", 0).nrpte());
        assertEquals(4, a.pageGrowth("pte_chains"));
        assertFalse(a.highpte());
        assertEquals(Paging.I386_PAE, a.paging());
        assertEquals(896L << 20, a.lowmemLimit());
    }

    /**
     * NUMA-Q: X86_L1_CACHE_SHIFT 5 for M686 / MPENTIUMIII (2.6.0 arch/i386/Kconfig), so 32-byte
     * lines; PAE without HIGHPTE: NRPTE = (32 - 4) / 4 = 7.
     */
    @Test
    void i386Numaq() {
        ArchProfile a = ArchProfile.of("i386-numaq");
        assertEquals(32, a.objectBytes("pte_chains", "pte_chain"));
        assertEquals(7, org.rmaplab.rmap.ptechains.PteChainGeometry.of("i386-numaq", 0).nrpte());
        assertEquals(4, a.pageGrowth("pte_chains"));
        assertFalse(a.highpte());
        assertEquals(Paging.I386_PAE, a.paging());
    }

    /** LA57 changes only the paging: the sizes are x86_64's. */
    @Test
    void x86_64La57() {
        ArchProfile a = ArchProfile.of("x86_64-la57");
        ArchProfile b = ArchProfile.of("x86_64");
        assertEquals(b.pteChainBlock(), a.pteChainBlock());
        assertEquals(b.anonVmaChain(), a.anonVmaChain());
        assertEquals(Paging.X86_64_5LEVEL, a.paging());
        assertEquals(Paging.X86_64_4LEVEL, b.paging());
        assertEquals(0, a.lowmemLimit());
    }

    /**
     * The pte page spans: i386 1024 four-byte ptes map 4 MiB; PAE and x86_64 512 eight-byte ptes
     * map 2 MiB.
     */
    @Test
    void ptePageSpans() {
        assertEquals(4L << 20, Paging.I386_2LEVEL.ptePageSpan());
        assertEquals(2L << 20, Paging.I386_PAE.ptePageSpan());
        assertEquals(2L << 20, Paging.X86_64_4LEVEL.ptePageSpan());
    }

    @Test
    void everyNameIsAProfile() {
        for (String name : ArchProfile.NAMES) {
            assertEquals(name, ArchProfile.of(name).name());
        }
    }

    @Test
    void unknown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchProfile.of("sparc"));
        assertEquals("unknown arch 'sparc' (known: x86_64, x86_64-la57, i386, i386-pae, i386-pae-nohighpte, "
                + "i386-numaq)", e.getMessage());
    }
}
