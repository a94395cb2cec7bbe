package org.rmaplab.rmap.anonvma;

/**
 * struct anon_vma of 2.6.7 (include/linux/rmap.h): {@code spinlock_t lock; struct list_head
 * head;} — 12 bytes on i386, 24 on x86_64. The list holds every vma whose pages may have this
 * anon_vma as page-&gt;mapping, in the order 2.6.7's list_add() calls left them (newest link
 * first). The lock is not modelled (one thread of execution).
 *
 * <p>{@link #id} and {@link #freed} are the model's, for messages and to catch a use after
 * anon_vma_free().
 */
final class AnonVma {
    /** sizeof(struct anon_vma) on i386 and x86_64 (spinlock_t + list_head, no debug options). */
    static final int SIZE_I386 = 12;
    static final int SIZE_X86_64 = 24;

    final int id;
    /** anon_vma-&gt;head: the list of vmas (through their anon_vma_node). */
    final AnonVmaNode head = new AnonVmaNode(null);
    boolean freed;

    AnonVma(int id) {
        this.id = id;
        head.initHead(); // anon_vma_ctor(): INIT_LIST_HEAD(&anon_vma->head)
    }

    /** list_empty(&anon_vma->head). */
    boolean isEmpty() {
        return head.next == head;
    }

    @Override
    public String toString() {
        return "anon_vma#" + id + (freed ? "(freed)" : "");
    }
}
