package org.rmaplab.rmap.anonvma;

import org.rmaplab.mm.Vma;

/**
 * {@code vma->anon_vma_node} of 2.6.7 (struct list_head embedded in struct vm_area_struct): the
 * vma's place on its anon_vma's list. One per vma, made the first time the vma is linked (the
 * kernel embeds it in the vma, so linking never allocates) and kept in {@code vma.rmapPriv}.
 * An anon_vma's own {@code head} is a node with no vma (the list head).
 *
 * <p>Unlinked: {@code prev == next == null} (list_del's LIST_POISON).
 */
final class AnonVmaNode {
    /** The vma this node is embedded in; null for an anon_vma's list head. */
    final Vma vma;
    AnonVmaNode prev;
    AnonVmaNode next;

    AnonVmaNode(Vma vma) {
        this.vma = vma;
    }

    boolean linked() {
        return next != null;
    }

    /** INIT_LIST_HEAD(). */
    void initHead() {
        prev = this;
        next = this;
    }

    /** list_add(this, pos): inserts this node right after {@code pos}. */
    void addAfter(AnonVmaNode pos) {
        if (linked()) {
            throw new IllegalStateException("list_add of a node already on a list: " + vma);
        }
        AnonVmaNode n = pos.next;
        n.prev = this;
        this.next = n;
        this.prev = pos;
        pos.next = this;
    }

    /** list_del(this). */
    void del() {
        if (!linked()) {
            throw new IllegalStateException("list_del of a node on no list: " + vma);
        }
        prev.next = next;
        next.prev = prev;
        prev = null;
        next = null;
    }
}
