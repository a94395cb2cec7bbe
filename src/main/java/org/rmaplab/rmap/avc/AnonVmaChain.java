package org.rmaplab.rmap.avc;

import org.rmaplab.mm.Vma;

/** struct anon_vma_chain: links one vma to one anon_vma (same_vma list, anon_vma's tree). */
final class AnonVmaChain {
    final Vma vma;
    final AnonVma anonVma;

    AnonVmaChain(Vma vma, AnonVma anonVma) {
        this.vma = vma;
        this.anonVma = anonVma;
    }
}
