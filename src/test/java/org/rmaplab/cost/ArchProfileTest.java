package org.rmaplab.cost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The sizes of the kernels' structures (sources in ArchProfile's comment), and the derived ones, per profile. */
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
    }

    @Test
    void i386Pae() {
        ArchProfile a = ArchProfile.of("i386-pae");
        assertEquals(128, a.objectBytes("pte_chains", "pte_chain"));
        assertEquals(8, a.pageGrowth("pte_chains"));
        assertTrue(a.highpte());
        assertEquals(896L << 20, a.lowmemLimit());
    }

    @Test
    void unknown() {
        assertThrows(IllegalArgumentException.class, () -> ArchProfile.of("sparc"));
    }
}
