package org.rmaplab.rmap.anonmm;

import org.rmaplab.mm.Mm;

/**
 * struct anonmm of Hugh Dickins' anobjrmap (mm/rmap.c of 2.6.6-mm, "rmap 10 add anonmm rmap"):
 * one per mm, all the mms forked from one exec linked on the list headed by {@code head}.
 *
 * <pre>
 * struct anonmm {
 *         atomic_t         count;  // ref count, including 1 per page
 *         spinlock_t       lock;   // head's locks list; others unused
 *         struct mm_struct *mm;    // assoc mm_struct, NULL when gone
 *         struct anonmm    *head;  // exec starts new chain from head
 *         struct list_head list;   // chain of associated anonmms
 * };
 * </pre>
 *
 * <p>The list is the kernel's circular {@code list_head}: the head's own node is part of the
 * ring, members are added at its tail ({@code list_add_tail}), so walking the ring from any anonmm
 * round to itself visits every other anonmm of the group, the head included. {@link #next} and
 * {@link #prev} are that node, so linking and walking allocate nothing.
 *
 * <p>count: an anonmm holds 1 for its mm while the mm lives, 1 per anonymous page whose
 * page-&gt;mapping it is; the head holds 1 more for itself ("ref by mm and head", so it starts at 2)
 * and 1 per other anonmm of its list ("ref by anonmm's head").
 *
 * <p>lock: the model is single-threaded, so the spinlock is a depth counter used only on the head,
 * to assert that walks and list changes take the head's lock and never nest it.
 */
final class AnonMm {
    /** For messages only. */
    final int id;
    /** atomic_t count. */
    int count;
    /** spinlock_t lock (only the head's is used): held depth. */
    int lock;
    /** The associated mm, null once it is gone (exit_rmap). */
    Mm mm;
    /** The head of the group (itself for a head). */
    AnonMm head;
    /** struct list_head list. */
    AnonMm next;
    AnonMm prev;
    /** Scratch for {@link AnonMmDesign#checkInvariants}: pages found naming this anonmm. */
    int checkPages;

    AnonMm(int id) {
        this.id = id;
        this.next = this;
        this.prev = this;
    }

    boolean isHead() {
        return head == this;
    }

    /** list_add_tail(&amp;node-&gt;list, &amp;this-&gt;list): node goes just before this in the ring. */
    void listAddTail(AnonMm node) {
        node.prev = prev;
        node.next = this;
        prev.next = node;
        prev = node;
    }

    /** list_del(&amp;this-&gt;list). */
    void listDel() {
        prev.next = next;
        next.prev = prev;
        next = this;
        prev = this;
    }

    boolean listEmpty() {
        return next == this;
    }

    void spinLock() {
        if (lock != 0) {
            throw new IllegalStateException(this + " lock taken twice");
        }
        lock = 1;
    }

    void spinUnlock() {
        if (lock != 1) {
            throw new IllegalStateException(this + " unlocked but not held");
        }
        lock = 0;
    }

    @Override
    public String toString() {
        return "anonmm" + id + (isHead() ? "(head)" : "(head anonmm" + head.id + ")")
                + (mm != null ? " of " + mm : " (mm gone)") + " count " + count;
    }
}
