package org.rmaplab.mm;

import java.util.ArrayList;
import java.util.List;

/**
 * A design that can show its reverse-map structures for one page, as a tree of labelled nodes
 * (the explorer draws it): pte_chain blocks and PG_direct for pte_chains, the anon_vma and its
 * list for anon_vma, the anon_vma_chain graph for anon_vma_chain. Read only, allocates: never
 * called on a hot path, and never changes the design's state or counters.
 */
public interface RmapStructure {

    /**
     * The structures that lead from page {@code pfn} to its ptes, or null when the page has none.
     * Labels name the page only where the structure is the page's own (a pte_chain), so that pages
     * sharing one structure (an anon_vma) give equal trees, which the explorer stores once.
     */
    Node pageStructure(int pfn);

    /** One labelled node: {@code kind} names what it is (anon_vma, avc, vma, pte_chain, pte, ...). */
    final class Node {
        public final String kind;
        public final String label;
        public final List<Node> children = new ArrayList<>();

        public Node(String kind, String label) {
            this.kind = kind;
            this.label = label;
        }

        /** Adds {@code child} and returns it. */
        public Node add(Node child) {
            children.add(child);
            return child;
        }

        /** Adds a new child of {@code kind} labelled {@code label} and returns it. */
        public Node add(String kind, String label) {
            return add(new Node(kind, label));
        }
    }

    /** How the explorer names a vma: {@code mm3 7f..000-7f..000 rw-p pgoff=7f...}. */
    static String vmaLabel(Vma vma) {
        return vma.mm + " " + vma;
    }

    /** How the explorer names a pte slot: the mm and user address it maps. */
    static String pteLabel(Frames f, long slot) {
        return PageTable.slotMm(f, slot) + " @" + Long.toHexString(PageTable.slotAddress(f, slot));
    }
}
