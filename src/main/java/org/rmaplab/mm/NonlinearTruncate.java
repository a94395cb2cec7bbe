package org.rmaplab.mm;

/**
 * mm/memory.c of 2.6.0 to 2.6.11 (vmtruncate, unmap_mapping_range): how truncation finds the
 * pages a nonlinear vma maps ({@code machine truncate=...}, with {@code remap=nonlinear}): 2.6.0's
 * bug and the three fixes William Lee Irwin III listed
 * (docs/reference.md#wli-three-steps, step (a): "fix the truncate() bug; it is just a literal
 * bug. There are at least 3 different ways to fix it"). Linear vmas are zapped by offset in every
 * mode, as vmtruncate always did.
 */
public enum NonlinearTruncate {
    /**
     * Fix (i), what 2.6 kept (2.6.11's unmap_mapping_range over i_mmap_nonlinear, zap_pte_range
     * with details-&gt;nonlinear_vma): "tag vmas touched by remap_file_pages() for exhaustive
     * search" — every pte of every nonlinear vma is looked at; a present pte of a truncated page
     * is cleared (a file pte left where the page was not at its linear place). The default.
     */
    EXHAUSTIVE("exhaustive"),
    /**
     * 2.6.0's vmtruncate: zap_page_range over the linear addresses of the truncated offsets only,
     * as if the vma were linear. A truncated page remapped elsewhere stays mapped past the end of
     * the file, out of the page cache (the oracle reports it), and whatever page the linear range
     * showed instead loses its pte. Not a fix: the bug, to be seen.
     */
    LINEAR("linear"),
    /**
     * Fix (ii): "do a cleanup pass after the current vmtruncate() doing try_to_unmap() on any
     * still-mapped pages" — the linear zap, then try_to_unmap on each truncated page some pte
     * still maps. try_to_unmap fails on a VM_LOCKED vma ("(ii) and (iii) ... some still-mapped
     * but truncated page could be out there"): an mlocked window keeps the page mapped.
     */
    CLEANUP("cleanup"),
    /**
     * Fix (iii): "drop the current vmtruncate() entirely and do try_to_unmap() on each truncated
     * page" — for nonlinear vmas, no zap by offset; every truncated page that is mapped gets
     * try_to_unmap. (Linear vmas keep their zap here: the model drops vmtruncate only where it
     * was wrong, so that private COW copies past the end go as before.) Fails as (ii) does on
     * mlocked windows.
     */
    UNMAP("unmap");

    private final String word;

    NonlinearTruncate(String word) {
        this.word = word;
    }

    /** The key's value in the scenario language. */
    public String word() {
        return word;
    }

    /** The mode a {@code truncate=} value names, or null. */
    public static NonlinearTruncate of(String word) {
        for (NonlinearTruncate t : values()) {
            if (t.word.equals(word)) {
                return t;
            }
        }
        return null;
    }
}
