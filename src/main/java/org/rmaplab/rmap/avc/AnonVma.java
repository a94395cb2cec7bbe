package org.rmaplab.rmap.avc;

import java.util.ArrayList;

/**
 * struct anon_vma of today's Linux (include/linux/rmap.h): a node of the anon_vma tree made by
 * fork, with the interval tree of the chains (vmas) whose pages may live in it.
 *
 * <p>The interval tree ({@code rb_root}) is modelled as a list kept in the tree's in-order: by
 * vma pgoff, ties in insertion order (anon_vma_interval_tree_insert puts equal keys to the
 * right). A query visits the chains whose [pgoff, last] covers the page.
 */
final class AnonVma {
    final int id;
    AnonVma root;
    AnonVma parent;
    int refcount = 1;
    /** Children anon_vmas that have this one as parent (plus the root's self-parent count). */
    int numChildren;
    /** vmas whose vma-&gt;anon_vma is this one. */
    int numActiveVmas;
    final ArrayList<AnonVmaChain> rbRoot = new ArrayList<>(2);

    AnonVma(int id) {
        this.id = id;
        this.root = this;
        this.parent = this;
    }

    /** anon_vma_interval_tree_insert(): after every chain with a key &le; this one's. */
    void insert(AnonVmaChain avc) {
        long key = avc.vma.pgoff();
        int i = rbRoot.size();
        while (i > 0 && rbRoot.get(i - 1).vma.pgoff() > key) {
            i--;
        }
        rbRoot.add(i, avc);
    }

    void remove(AnonVmaChain avc) {
        for (int i = rbRoot.size() - 1; i >= 0; i--) {
            if (rbRoot.get(i) == avc) {
                rbRoot.remove(i);
                return;
            }
        }
        throw new IllegalStateException("avc not in anon_vma " + id);
    }

    @Override
    public String toString() {
        return "anon_vma#" + id;
    }
}
