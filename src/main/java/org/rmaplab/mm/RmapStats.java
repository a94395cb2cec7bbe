package org.rmaplab.mm;

import java.util.Map;
import java.util.TreeMap;

import org.HdrHistogram.Histogram;

/**
 * Counters every design keeps. Plain long fields, bumped on hot paths without allocation.
 * {@link #asMap()} gives them in a fixed order for reports.
 *
 * <p>Every walk starts with {@link #beginWalk()} (which counts it); the design's walk then bumps
 * the totals as it goes. What one walk added to the vmas, ptes and mms totals is recorded, one
 * value per walk, in a distribution ({@link #walkVmas()}, {@link #walkPtes()}, {@link #walkMms()}):
 * a walk's values are recorded when the next walk begins or when a distribution is read, since
 * nothing but a walk bumps those totals. Recording allocates nothing (a histogram grows only when
 * a value beyond any seen before arrives). Walks made between {@link #pauseWalkCounting()} and
 * {@link #resumeWalkCounting()} (the oracle's) leave no trace in the totals or the distributions.
 */
public class RmapStats {
    /** Reverse walks started. */
    public long walks;
    /** vmas (or mms, for anonmm) a walk looked at. */
    public long walkVmasVisited;
    /** Candidate ptes a walk checked. */
    public long walkPtesChecked;
    /**
     * pte_chain blocks a walk read (pte_chains: each {@code struct pte_chain} of the chain it
     * walked; a PG_direct page reads none, nor does an i_mmap walk): what the time estimate
     * prices as a cache line from memory.
     */
    public long walkChainBlocks;
    /** mms a walk looked at, for the designs whose walk visits mms ({@link #countsMms}: anonmm). */
    public long walkMmsVisited;
    /** True for a design whose walk visits mms rather than vmas and counts them in walkMmsVisited. */
    public boolean countsMms;
    /**
     * Per-pte rmap operations, the same events under every design, counted by the core where it
     * calls the page hooks: a pte starts mapping a page (page_add_anon_rmap, page_add_file_rmap,
     * a new anonymous page), fork copies one (page_dup_rmap), a pte stops mapping one
     * (page_remove_rmap). What a design does per vma, per mm or per moved pte is counted apart
     * ({@link #rmapVmaOps}, {@link #rmapMmOps}, {@link #rmapMoves}), so that designs are compared
     * like for like.
     */
    public long rmapAdds;
    public long rmapRemoves;
    public long rmapDups;
    /**
     * Per-vma bookkeeping: a vma linked into or unlinked from the design's per-object index —
     * 2.6.7's anon_vma list (anon_vma_link, anon_vma_prepare's list_add, anon_vma_unlink),
     * anon_vma_chain's interval trees (anon_vma_interval_tree_insert / _remove, one per chain,
     * a re-keying after vma_adjust counting its remove and insert), lokier's offset-space index.
     * pte_chains and anonmm keep nothing per vma: 0.
     */
    public long rmapVmaOps;
    /** Per-mm bookkeeping: anonmm's exec_rmap, dup_rmap and exit_rmap; 0 under the other designs. */
    public long rmapMmOps;
    /**
     * Per-page rmap updates for a pte that moved, counted by the core: mremap's move_ptes telling
     * the design (pte_chains rewrites the chain entry, anonmm page-&gt;index) and UFFDIO_MOVE /
     * remap_anon_pages re-homing the page (folio_move_anon_rmap and each design's equivalent).
     */
    public long rmapMoves;
    /** mremap early COWs (anonmm). */
    public long mremapCows;

    /**
     * True for a design that honours MREMAP_RELOCATE_ANON ({@link RmapDesign#relocatesAnon}): its
     * report lists the relocation counters below, which the core bumps (mm/mremap.c of Lorenzo
     * Stoakes' PATCH 01/11 and 02/11, June 2025).
     */
    public boolean countsRelocation;
    /** mremap moves that asked for relocation (either flag) of a vma with an anon_vma. */
    public long relocateAsked;
    /** ... that copy_vma() merged at the old pgoff, so nothing was relocated ("no need to relocate"). */
    public long relocateNotNeeded;
    /** ... whose folios were relocated (relocate_anon_folios() succeeded). */
    public long relocateDone;
    /** ... after which the re-merge (vma_merge_existing_range of the new vma) joined a neighbour. */
    public long relocateMerged;
    /** pte slots relocate_anon_ptes() looked at (none and swap entries included). */
    public long relocatePtesWalked;
    /** folios whose mapping and index relocate_anon_pte() rewrote. */
    public long relocateFoliosRewritten;
    /** swap entries relocate_anon_ptes() stepped over (their swap-cache page keeps its index). */
    public long relocateSwapSkipped;
    /** fell back (MUST: EFAULT): the vma may share folios (vma_maybe_has_shared_anon_folios). */
    public long relocateFallbackShared;
    /** fell back (MUST: EFAULT): not a private anonymous vma, or VM_SPECIAL (should_relocate_anon). */
    public long relocateFallbackNotAnon;
    /** MREMAP_MUST_RELOCATE_ANON calls answered EFAULT. */
    public long relocateMustEfault;

    /** vmas visited per walk, ptes checked per walk, mms visited per walk: one value per walk. */
    private final Histogram walkVmas = histogram();
    private final Histogram walkPtes = histogram();
    private final Histogram walkMms = histogram();
    /** True while the last walk begun is not yet recorded; the totals when it began. */
    private boolean walkOpen;
    private long markVmas;
    private long markPtes;
    private long markMms;
    /** The totals saved by pauseWalkCounting, and whether counting is paused. */
    private long savedWalks;
    private long savedVmas;
    private long savedPtes;
    private long savedMms;
    private long savedChainBlocks;
    private boolean paused;
    /**
     * Told of each vma (anonmm: mm) a walk visits and each pte it checks, in order (the explorer's
     * recording of one walk); null otherwise, as on every hot path.
     */
    public WalkObserver walkObserver;

    /** What a recorded walk looked at, in order (see {@link #walkObserver}). */
    public interface WalkObserver {
        /** The walk visits {@code vma} of {@code mm} (null for a design that visits mms: anonmm; or no vma at the pte). */
        void vmaVisited(Mm mm, Vma vma);

        /** The walk checks the pte at {@code address} in {@code mm}: its slot when it maps the page, else -1. */
        void pteChecked(Mm mm, long address, long slot);
    }

    /** A walk visits {@code vma} of {@code mm} (null when it visits mms): one more walk_vmas_visited. */
    public void walkVisit(Mm mm, Vma vma) {
        walkVmasVisited++;
        if (walkObserver != null) {
            walkObserver.vmaVisited(mm, vma);
        }
    }

    /** Design-specific objects alive and their peaks, by kind ("anon_vma", "anon_vma_chain", ...). */
    private final TreeMap<String, long[]> objects = new TreeMap<>();

    private static Histogram histogram() {
        // Integer counts, exact up to 2047 and to 3 significant digits above; resized on demand.
        Histogram h = new Histogram(3);
        h.setAutoResize(true);
        return h;
    }

    /** A reverse walk starts: counts it, records the one before, remembers the totals so far. */
    public void beginWalk() {
        walks++;
        endWalk();
        if (!paused) {
            walkOpen = true;
            markVmas = walkVmasVisited;
            markPtes = walkPtesChecked;
            markMms = walkMmsVisited;
        }
    }

    /** Records the walk begun last, if not yet recorded. */
    private void endWalk() {
        if (!walkOpen) {
            return;
        }
        walkOpen = false;
        walkVmas.recordValue(walkVmasVisited - markVmas);
        walkPtes.recordValue(walkPtesChecked - markPtes);
        if (countsMms) {
            walkMms.recordValue(walkMmsVisited - markMms);
        }
    }

    /** vmas (for anonmm: mms) visited per walk. */
    public Histogram walkVmas() {
        endWalk();
        return walkVmas;
    }

    /** ptes checked per walk. */
    public Histogram walkPtes() {
        endWalk();
        return walkPtes;
    }

    /** mms visited per walk (empty unless {@link #countsMms}). */
    public Histogram walkMms() {
        endWalk();
        return walkMms;
    }

    /**
     * Walks from now until {@link #resumeWalkCounting()} are not the workload's (the oracle checking
     * every page's walk): they are neither counted nor recorded.
     */
    public void pauseWalkCounting() {
        if (paused) {
            return; // a walk that threw (a model bug) left it paused: keep what was saved
        }
        endWalk();
        paused = true;
        savedWalks = walks;
        savedVmas = walkVmasVisited;
        savedPtes = walkPtesChecked;
        savedMms = walkMmsVisited;
        savedChainBlocks = walkChainBlocks;
    }

    /** Restores the walk totals saved by {@link #pauseWalkCounting()}. */
    public void resumeWalkCounting() {
        paused = false;
        walks = savedWalks;
        walkVmasVisited = savedVmas;
        walkPtesChecked = savedPtes;
        walkMmsVisited = savedMms;
        walkChainBlocks = savedChainBlocks;
    }

    /** Records that one object of {@code kind} was allocated (+1) or freed (-1). */
    public void object(String kind, int delta) {
        long[] c = objects.computeIfAbsent(kind, k -> new long[3]);
        c[0] += delta;
        if (c[0] > c[1]) {
            c[1] = c[0];
        }
        if (delta > 0) {
            c[2] += delta;
            if (footprint != null) {
                footprint.grew();
            }
        }
    }

    /** Told of every object allocated (set by the machine the design is attached to). */
    Footprint footprint;

    /** How many objects of {@code kind} were allocated over the run (frees not subtracted). */
    public long allocated(String kind) {
        long[] c = objects.get(kind);
        return c == null ? 0 : c[2];
    }

    public long alive(String kind) {
        long[] c = objects.get(kind);
        return c == null ? 0 : c[0];
    }

    public long peak(String kind) {
        long[] c = objects.get(kind);
        return c == null ? 0 : c[1];
    }

    public Map<String, Long> asMap() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("walks", walks);
        m.put("walk_vmas_visited", walkVmasVisited);
        m.put("walk_ptes_checked", walkPtesChecked);
        if (countsMms) {
            m.put("walk_mms_visited", walkMmsVisited);
        }
        m.put("rmap_adds", rmapAdds);
        m.put("rmap_dups", rmapDups);
        m.put("rmap_removes", rmapRemoves);
        m.put("rmap_vma_ops", rmapVmaOps);
        m.put("rmap_mm_ops", rmapMmOps);
        m.put("rmap_moves", rmapMoves);
        m.put("mremap_cows", mremapCows);
        if (countsRelocation) {
            m.put("relocate_asked", relocateAsked);
            m.put("relocate_not_needed", relocateNotNeeded);
            m.put("relocate_done", relocateDone);
            m.put("relocate_merged", relocateMerged);
            m.put("relocate_ptes_walked", relocatePtesWalked);
            m.put("relocate_folios_rewritten", relocateFoliosRewritten);
            m.put("relocate_swap_skipped", relocateSwapSkipped);
            m.put("relocate_fallback_shared", relocateFallbackShared);
            m.put("relocate_fallback_not_anon", relocateFallbackNotAnon);
            m.put("relocate_must_efault", relocateMustEfault);
        }
        for (Map.Entry<String, long[]> e : objects.entrySet()) {
            m.put(e.getKey() + "_alive", e.getValue()[0]);
            m.put(e.getKey() + "_peak", e.getValue()[1]);
        }
        return m;
    }
}
