package org.rmaplab.rmap.ptechains;

import java.util.Arrays;

/**
 * The {@code pte_chain} slab cache: every block of every chain, as parallel arrays indexed by an
 * int handle — no Java object per block and no allocation per pte (the arrays grow by doubling,
 * like a slab gaining pages).
 *
 * <p>A block is {@code struct pte_chain { unsigned long next_and_idx; pte_addr_t ptes[NRPTE]; }}:
 * {@link #nextAndIdx} holds, as the kernel's does, the "address" of the next block with the index of
 * the first used slot in its low bits. A block's address is its handle times the line size (blocks
 * are cache-line aligned), so {@code & ~NRPTE} gives the next block and {@code & NRPTE} the index,
 * exactly as {@code pte_chain_next()}, {@code pte_chain_idx()} and {@code pte_chain_encode()} did.
 * Handle 0 is never handed out: it is NULL.
 *
 * <p>Invariant (checked by the design's self-check): a free block is all zeroes, as the slab
 * constructor {@code pte_chain_ctor()} leaves it and {@code __pte_chain_free()} returns it (the
 * removal paths zero every slot they vacate).
 */
final class PteChainPool {
    final int nrpte;
    private final int lineShift;
    /** next_and_idx of every block. */
    private long[] nextAndIdx;
    /** ptes[NRPTE] of every block: block h's slot i is {@code ptes[h * nrpte + i]}; 0 is empty. */
    private long[] ptes;
    private int[] freeStack;
    private int freeTop;
    /** The lowest handle never handed out. */
    private int top = 1;
    private int alive;

    PteChainPool(PteChainGeometry g) {
        this.nrpte = g.nrpte();
        this.lineShift = Integer.numberOfTrailingZeros(g.l1CacheBytes());
        int cap = 64;
        nextAndIdx = new long[cap];
        ptes = new long[cap * nrpte];
        freeStack = new int[cap];
    }

    /**
     * kmem_cache_alloc(pte_chain_cache): a zeroed block. (pte_chain_alloc()'s one-deep per-cpu
     * cache only decides where the block comes from, not how many exist.)
     */
    int alloc() {
        alive++;
        if (freeTop > 0) {
            return freeStack[--freeTop];
        }
        if (top == nextAndIdx.length) {
            int cap = nextAndIdx.length * 2;
            nextAndIdx = Arrays.copyOf(nextAndIdx, cap);
            ptes = Arrays.copyOf(ptes, cap * nrpte);
            freeStack = Arrays.copyOf(freeStack, cap);
        }
        return top++;
    }

    /** __pte_chain_free(): clears next_and_idx; every slot must already be 0. */
    void free(int h) {
        nextAndIdx[h] = 0;
        alive--;
        freeStack[freeTop++] = h;
    }

    /** Blocks in use. */
    int alive() {
        return alive;
    }

    /** The highest handle ever handed out (the pool's high-water mark in blocks). */
    int capacity() {
        return top - 1;
    }

    // ------------------------------------------------------------------ next_and_idx

    /** pte_chain_encode(): the next block's address or'ed with an index. */
    long encode(int next, int idx) {
        return ((long) next << lineShift) | idx;
    }

    /** pte_chain_next(): next_and_idx &amp; ~NRPTE, as a handle (0 = NULL). */
    int next(int h) {
        return (int) ((nextAndIdx[h] & ~(long) nrpte) >>> lineShift);
    }

    /** pte_chain_idx(): next_and_idx &amp; NRPTE, the first used slot. */
    int idx(int h) {
        return (int) (nextAndIdx[h] & nrpte);
    }

    long nextAndIdx(int h) {
        return nextAndIdx[h];
    }

    void setNextAndIdx(int h, long v) {
        nextAndIdx[h] = v;
    }

    /** next_and_idx++ / next_and_idx-- (the index lives in the low bits). */
    void addIdx(int h, int delta) {
        nextAndIdx[h] += delta;
    }

    // ------------------------------------------------------------------ ptes[]

    long pte(int h, int i) {
        return ptes[h * nrpte + i];
    }

    void setPte(int h, int i, long slot) {
        ptes[h * nrpte + i] = slot;
    }

    // ------------------------------------------------------------------ for the self-check

    int freeCount() {
        return freeTop;
    }

    int freeAt(int i) {
        return freeStack[i];
    }
}
