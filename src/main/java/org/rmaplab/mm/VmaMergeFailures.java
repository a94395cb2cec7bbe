package org.rmaplab.mm;

/**
 * mm/vma.c is_mergeable_anon_vma()'s refusals (and the pgoff test's), counted as Jakub Matěna's
 * tracing patch counted them, for {@link VmaOps}' can_vma_merge_before/after() and vma_merge()'s
 * prev/next test: the tracing patch is RFC v2 PATCH 4/4, v3 PATCH 6/6 "mm: add tracing for VMA
 * merges" (enum vma_merge_res; never merged), his breakdown the cover letter of RFC v2, 11 March
 * 2022. Kept apart from VmaOps so that mm/vma.c's own file stays the size of one idea; counts only
 * under a design that {@link RmapDesign#countsMergeFailures}, and only anonymous ranges.
 *
 * <p>His can_vma_merge_before/after() test the pgoff first ({@code if (vma->vm_pgoff == vm_pgoff)
 * return is_mergeable_anon_vma(...); return MERGE_FAILED;}), so a test whose pgoffs do not fit is
 * a pgoff failure whatever the anon_vmas; only when they fit is it an anon_vma failure — different
 * anon_vmas, the absorbed one unshared as he defines it (its own root with no children) — or a
 * shared one (AV_MERGE_FAILED: the absorbed anon_vma shared, or a fork child where one side has
 * none). The decision is not his order: today's can_vma_merge_before/after() refuse when either
 * is_mergeable_anon_vma() or the pgoff test does, and so does the model; only which reason is
 * counted follows his patch.
 *
 * <p>rmaplab's own splits, not his: of the pgoff failures, those against copy_vma()'s own source
 * vma ({@link #pgoffSource}); of the shared ones, those whose absorbed range has no anon_vma
 * ({@link #sharedNew}).
 */
final class VmaMergeFailures {
    /** {@link RmapDesign#countsMergeFailures}: the counters below are kept. */
    private final boolean counts;
    private final RmapDesign design;

    /** The pgoffs did not fit (counted first, whatever the anon_vmas: Matěna's order). */
    long pgoff;
    /**
     * Of {@link #pgoff}, copy_vma()'s tests of a moved range against its own source vma (the new
     * place next to the old): a merge no rule could use to save a vma, since move_vma() unmaps the
     * source range right after.
     */
    long pgoffSource;
    /** The pgoffs fit; two anon_vmas, the absorbed one unshared (its own root, no children). */
    long anonVma;
    /**
     * The pgoffs fit; the absorbed anon_vma shared with a child, or a fork child where one side
     * has no anon_vma (AV_MERGE_FAILED). The total, {@link #sharedNew} included.
     */
    long shared;
    /**
     * Of {@link #shared}, tests whose absorbed range has no anon_vma — a new or unfaulted range
     * beside a fork child's faulted vma: 6.18 mm/vma.c is_mergeable_anon_vma() case 2, {@code if
     * (tgt_anon && !src_anon) return !vma_is_fork_child(tgt);} (5.17 mm/mmap.c:
     * is_mergeable_anon_vma(NULL, anon_vma2, vma) asks {@code list_is_singular(&vma->anon_vma_chain)},
     * which a forked vma's chain — its own anon_vma's and its parent's — is not). The neighbour
     * itself may take any new page; it is refused only because it was forked.
     */
    long sharedNew;

    VmaMergeFailures(RmapDesign design) {
        this.design = design;
        this.counts = design.countsMergeFailures();
    }

    /**
     * A merge test of an adjacent neighbour with the same flags failed: count why. {@code pgoffOk}:
     * the pgoffs fit (so is_mergeable_anon_vma() refused); {@code srcAnon} is the anon state of
     * the range to be absorbed, {@code tgtAnon} the neighbour's; {@code ownSource}: the neighbour
     * is the vma copy_vma() copies from. Always false, so a caller may return it.
     */
    boolean failed(boolean pgoffOk, Object srcAnon, Object tgtAnon, Object file, boolean ownSource) {
        if (!counts || file != null) {
            return false;
        }
        if (!pgoffOk) {
            pgoff++;
            if (ownSource) {
                pgoffSource++;
            }
        } else if (srcAnon != null && tgtAnon != null && design.anonVmaUnshared(srcAnon)) {
            anonVma++;
        } else {
            shared++;
            if (srcAnon == null) {
                sharedNew++;
            }
        }
        return false;
    }
}
