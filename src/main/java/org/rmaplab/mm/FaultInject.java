package org.rmaplab.mm;

/**
 * include/linux/fault-inject.h's idea (should_fail() at a named site, off unless configured),
 * used the way SQLite's and FoundationDB's test builds use theirs: not to fail an allocation but
 * to plant a known bug at one site of the model, so that the test suite can be shown to catch it.
 * The kernel has no such registry; this is the model's own, and nothing in it changes the
 * model's behaviour while {@link #planted} is null (the default, and always outside the
 * {@code mutants} run: {@code mvn verify -Pmutants}, org.rmaplab.mutants.MutantsRun).
 *
 * <p>A site is one comparison of a static volatile field with a constant: no allocation, no
 * call, on any path.
 */
public final class FaultInject {
    private FaultInject() {}

    /** The bug planted now, or null. Set only by the mutants run (and tests of single bugs). */
    public static volatile Bug planted;

    /** Is bug b planted? The check at its site. */
    public static boolean on(Bug b) {
        return planted == b;
    }

    /** The planted bugs: a name, the site (class and the kernel function it mirrors), what goes wrong. */
    public enum Bug {
        // ---- the core (org.rmaplab.mm)
        COW_NO_COPY("cow-no-copy", "Memory.wpPageCopy (wp_page_copy)", "the new page is left zero, not a copy"),
        COW_REUSES_SHARED("cow-reuses-shared", "Memory.doWpPage (wp_can_reuse_anon_folio)",
                "a write to a page shared with another task reuses it instead of copying"),
        EVICT_LOCKED("evict-locked", "Rmap.tryToUnmapOne (try_to_unmap_one)", "reclaim unmaps ptes of VM_LOCKED vmas"),
        SWAPIN_WRONG_SLOT("swapin-wrong-slot", "Memory.swapinReadahead (swap_read_folio)",
                "swap-in reads the next slot's data"),
        SWAPIN_KEEPS_SWAP_COUNT("swapin-keeps-swap-count", "Memory.doSwapPage (swap_free)",
                "swap-in does not drop the pte's reference to the slot"),
        FORK_FORGETS_PTE("fork-forgets-pte", "Memory.copyPresentPage (folio_try_dup_anon_rmap_pte)",
                "fork does not tell the design of the child's pte of an anonymous page"),
        FORK_KEEPS_WRITE("fork-keeps-write", "Memory.copyPresentPte (copy_present_pte)",
                "fork leaves the parent's private pte writable (no COW)"),
        ZAP_SKIPS_LAST_PAGE("zap-skips-last-page", "Memory.zapRange (zap_pte_range)",
                "unmapping a range leaves its last pte"),
        MADVISE_DONTNEED_EINVAL("madvise-dontneed-einval", "Madvise.doMadvise (do_madvise)",
                "MADV_DONTNEED over 8 pages or more returns EINVAL and does nothing"),
        SPLIT_OFF_BY_ONE("split-off-by-one", "VmaOps.split (__split_vma)", "a vma is split one page above the address"),
        MERGE_IGNORES_ANON_VMA("merge-ignores-anon_vma", "VmaOps.canMergeAfter/Before (is_mergeable_anon_vma)",
                "vmas merge whatever their anonymous rmap objects"),
        UFFD_MOVE_LEAVES_SOURCE("uffd-move-leaves-source", "Userfaultfd.movePresentPte (move_present_pte)",
                "UFFDIO_MOVE of a present page leaves the source pte mapped"),
        WRITEOUT_DROPS_DIRTY("writeout-drops-dirty", "Vmscan.shrinkPage (shmem_writeout)",
                "a dirty shmem page goes to swap as if clean: its data is lost"),
        LOSE_FILE_PTE("lose-file-pte", "Rmap.tryToUnmapOne (try_to_unmap_one, 2.6.11 pgoff_to_pte)",
                "reclaim of a page at a nonlinear offset leaves a hole, not a file pte"),
        MPROTECT_KEEPS_WRITE("mprotect-keeps-write", "Mprotect.changePteRange (change_pte_range)",
                "mprotect removing PROT_WRITE leaves ptes writable"),
        MLOCK_NO_POPULATE("mlock-no-populate", "Mlock.doMlock (__mm_populate)", "mlock locks the vmas but faults nothing in"),
        MLOCK_HOLE_EINVAL("mlock-hole-einval", "Mlock.doMlock (apply_vma_lock_flags)",
                "mlock over a hole returns EINVAL instead of ENOMEM"),
        MPROTECT_HOLE_EINVAL("mprotect-hole-einval", "Mprotect.mprotect (do_mprotect_pkey)",
                "mprotect over a hole returns EINVAL instead of ENOMEM"),
        MREMAP_PAST_VMA_EINVAL("mremap-past-vma-einval", "Mremap.checkPrepVma (check_prep_vma)",
                "mremap of a range running past the end of its vma returns EINVAL instead of EFAULT"),
        FILE_WALK_SKIPS_VMA("file-walk-skips-vma", "FileRmap.rmapWalkFile (rmap_walk_file)",
                "the i_mmap walk skips the last vma of a file page with several"),
        TRUNCATE_SPARES_COWS("truncate-spares-cows", "Shmem truncate (unmap_mapping_range, even_cows)",
                "truncation leaves private COW copies of the truncated pages mapped"),
        // ---- the designs (org.rmaplab.rmap.*)
        PTECHAINS_DUP_FORGETS_PTE("pte_chains-dup-forgets-pte", "PteChainsDesign.pageDupRmap (page_add_rmap, 2.6.0)",
                "fork does not chain the child's pte"),
        PTECHAINS_REMOVE_KEEPS_PTE("pte_chains-remove-keeps-pte", "PteChainsDesign.pageRemoveRmap (page_remove_rmap, 2.6.0)",
                "an unmapped pte stays on the page's chain"),
        ANONMM_FORK_FORGETS_MM("anonmm-fork-forgets-mm", "AnonMmDesign.mmFork (exec_rmap/dup_rmap, 2.6.6-mm)",
                "a forked mm is not added to its parent's anonmm list"),
        ANON_VMA_WALK_SKIPS_VMA("anon_vma-walk-skips-vma", "AnonVmaDesign.rmapWalk (page_referenced_anon, 2.6.7)",
                "the anon_vma walk skips the last vma of a list of several"),
        ANON_VMA_MERGE_IGNORES_ANON_VMA("anon_vma-merge-ignores-anon_vma",
                "AnonVmaDesign.isMergeableAnonVma (is_mergeable_anon_vma, 2.6.7)", "any two anon_vmas are mergeable"),
        AVC_WALK_SKIPS_VMA("anon_vma_chain-walk-skips-vma", "AnonVmaChainDesign.rmapWalk (rmap_walk_anon)",
                "the anon_vma interval-tree walk skips the last chain of several"),
        AVC_MLOCKED_ON_LRU("anon_vma_chain-mlocked-on-lru", "Unevictable (mlock_folio)",
                "mlock leaves the page on the reclaimable lists"),
        LOKIER_WALK_SKIPS_VMA("lokier-walk-skips-vma", "LokierDesign.rmapWalk (the offset space's walk)",
                "the reservation's walk skips the last vma of several");

        private final String id;
        private final String site;
        private final String what;

        Bug(String id, String site, String what) {
            this.id = id;
            this.site = site;
            this.what = what;
        }

        /** The bug's name, as the mutants run prints it. */
        public String id() {
            return id;
        }

        public String site() {
            return site;
        }

        public String what() {
            return what;
        }
    }
}
