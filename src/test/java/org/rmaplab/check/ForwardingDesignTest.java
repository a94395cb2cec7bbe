package org.rmaplab.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;
import org.rmaplab.rmap.RmapDesigns;

/**
 * ForwardingDesign must forward every hook, default ones included: a default it forgets runs as
 * the interface's default under a wrapped variant (before this test, relocatesAnon() answered
 * false, so a wrapped anon_vma_chain:relocate refused the relocation flags with EINVAL).
 */
class ForwardingDesignTest {
    static final long P = Machine.PAGE_SIZE;

    @Test
    void everyMethodOfRmapDesignIsForwarded() throws Exception {
        List<String> missing = new ArrayList<>();
        for (Method m : RmapDesign.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            try {
                ForwardingDesign.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.getName());
            }
        }
        assertEquals(List.of(), missing, "RmapDesign methods ForwardingDesign does not forward");
    }

    /**
     * A wrapped anon_vma_chain:relocate behaves as the variant: a faulted 2-page region Q moved
     * with MREMAP_RELOCATE_ANON right after a faulted 2-page neighbour P (same flags) has its two
     * folios rewritten and merges: one vma of 4 pages, relocate_ptes_walked 2 (Q's two present
     * ptes), relocate_folios_rewritten 2, relocate_merged 1. Without the forwarding the flag is
     * EINVAL (6.18's check_mremap_params()).
     */
    @Test
    void aWrappedRelocateVariantRelocates() {
        RmapDesign inner = RmapDesigns.create("anon_vma_chain:relocate");
        RmapDesign d = new ForwardingDesign(inner);
        CheckedSyscalls s = new CheckedSyscalls(new Machine(MachineConfig.defaults().withRam(8L << 20), d),
                CheckPolicy.EVERY);
        Task t = s.initTask();
        int rw = Mman.PROT_READ | Mman.PROT_WRITE;
        long c = s.mmap(t, 0, 16 * P, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS, -1, 0);
        long p = s.mmap(t, c + P, 2 * P, rw, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, -1, 0);
        long q = s.mmap(t, c + 10 * P, 2 * P, rw, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED, -1, 0);
        s.write(t, p, 2 * P, 0xA1);
        s.write(t, q, 2 * P, 0xB2);
        long r = s.mremap(t, q, 2 * P, 2 * P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED | Mman.MREMAP_RELOCATE_ANON,
                p + 2 * P);
        assertEquals(p + 2 * P, r);
        Vma v = t.mm().findVma(p);
        assertEquals(p, v.start());
        assertEquals(p + 4 * P, v.end(), "relocated Q merged with P");
        assertEquals(2, inner.stats().relocatePtesWalked);
        assertEquals(2, inner.stats().relocateFoliosRewritten);
        assertEquals(1, inner.stats().relocateMerged);
        assertTrue(d.relocatesAnon());
        s.finish();
    }
}
