package org.rmaplab.mm;


/**
 * What a reverse walk does with each pte it finds (struct rmap_walk_control). A design's
 * {@link RmapDesign#rmapWalk} calls {@link #visit} for every pte that maps the page, and stops
 * as soon as {@link #done} says so, as the kernel's walks stop once mapcount ptes were found.
 */
public interface RmapWalkControl {
    /**
     * One pte that maps the page: in {@code vma} (whose mm owns the page table) at user address
     * {@code address}; {@code ptep} is the pte's physical slot number (page-table frame &lt;&lt; 9 | index).
     * Returns true to stop the walk at once.
     */
    boolean visit(Vma vma, long address, long ptep);

    /** rmap_walk_control.done: true when nothing is left to find. Checked after each visit. */
    boolean done();

    /**
     * The file walk ({@link FileRmap}) asks this of each vma that covers the page, before looking
     * at its pte: true ends the walk there. page_referenced_file() of the object-based rmap
     * (2.6.6-mm to 2.6.27) counted a vma with VM_LOCKED and VM_MAYSHARE as a reference and stopped
     * ({@link ReclaimEra#lockedSharedVmaReferenced}). Default: go on.
     */
    default boolean stopAtVma(Vma vma) {
        return false;
    }
}
