package org.rmaplab.mm;

/**
 * mm/swap.c and include/linux/mm_inline.h of 2.6: the page LRU of one zone, an active and an
 * inactive list, doubly linked through {@code Frames.lruNext/lruPrev}. New pages enter at the head;
 * reclaim scans from the tail (lru_cache_add / lru_cache_add_active, del_page_from_lru; mm/vmscan.c).
 *
 * <p>Invariants (checked by the oracle): a page is on at most one list, exactly when it has
 * {@link Frames#PG_LRU}, and on the active one exactly when it also has {@link Frames#PG_ACTIVE};
 * the counts match the lists; anonymous and page-cache pages are on a list while allocated.
 */
public final class Lru {
    private final Frames f;
    /** Heads and tails; index 0 = inactive, 1 = active. */
    private final int[] head = {-1, -1};
    private final int[] tail = {-1, -1};
    private final int[] count = new int[2];

    Lru(Frames f) {
        this.f = f;
    }

    public int inactive() {
        return count[0];
    }

    public int active() {
        return count[1];
    }

    /** The page at the tail of a list (the oldest), or -1. */
    int tail(boolean active) {
        return tail[active ? 1 : 0];
    }

    int prevOf(int pfn) {
        return f.lruPrev[pfn];
    }

    /** lru_cache_add() / lru_cache_add_active(): at the head of the list. */
    void add(int pfn, boolean active) {
        int l = active ? 1 : 0;
        f.lruPrev[pfn] = -1;
        f.lruNext[pfn] = head[l];
        if (head[l] >= 0) {
            f.lruPrev[head[l]] = pfn;
        } else {
            tail[l] = pfn;
        }
        head[l] = pfn;
        count[l]++;
        f.flags[pfn] |= Frames.PG_LRU | (active ? Frames.PG_ACTIVE : 0);
        if (!active) {
            f.flags[pfn] &= ~Frames.PG_ACTIVE;
        }
    }

    /** del_page_from_lru(). */
    void remove(int pfn) {
        int l = (f.flags[pfn] & Frames.PG_ACTIVE) != 0 ? 1 : 0;
        int p = f.lruPrev[pfn];
        int n = f.lruNext[pfn];
        if (p >= 0) {
            f.lruNext[p] = n;
        } else {
            head[l] = n;
        }
        if (n >= 0) {
            f.lruPrev[n] = p;
        } else {
            tail[l] = p;
        }
        count[l]--;
        f.flags[pfn] &= ~(Frames.PG_LRU | Frames.PG_ACTIVE);
    }

    /** Moves a page to the head of the active or inactive list (activate / deactivate). */
    void move(int pfn, boolean active) {
        remove(pfn);
        add(pfn, active);
    }

    /** Walks a list from head to tail, for the oracle; returns how many pages it holds. */
    public int walkList(boolean active, java.util.function.IntConsumer each) {
        int n = 0;
        for (int p = head[active ? 1 : 0]; p >= 0; p = f.lruNext[p]) {
            each.accept(p);
            n++;
            if (n > f.nrFrames()) {
                throw new IllegalStateException("LRU list loops");
            }
        }
        return n;
    }

    int count(boolean active) {
        return count[active ? 1 : 0];
    }
}
