package org.rmaplab.mm;


/**
 * mm/vma.c: vma split, merge, expand and removal (Linux 6.18 unless a method says otherwise).
 * Every change of a vma's range, pgoff or existence goes through here, so the design hears of it
 * and i_mmap stays exact.
 *
 * <p>Merge rule (is_mergeable_vma + can_vma_merge_before/after): flags equal but for
 * VM_IGNORE_MERGE, the same file, contiguous pgoff, and the design's anon rule
 * ({@link RmapDesign#isMergeableAnonVma}). A three-way merge also needs prev and next compatible
 * with each other ({@link RmapDesign#anonVmasCompatible}).
 *
 * <p>lokier's VM_GROUP (only when {@link DesignTraits#groupsVmas}): the merge code notes every
 * boundary it tried to merge across; {@link #regroup} then hides the refused ones between
 * equal-flag anonymous vmas, and clears the flag wherever a vma no longer continues its
 * predecessor. A split always leaves a user-visible boundary (VM_GROUP and the helpers
 * {@link VmaGroups#groupStart}, {@link VmaGroups#groupLast}, {@link #regroup} are rmaplab's own, for the lokier
 * design; Linux has no such flag).
 *
 * <p>Lock order (vma_prepare(); for the reader: the model is single-threaded): mmap_lock (write),
 * then the file's i_mmap_rwsem (write), then the anon_vma root's rwsem (write); the pte lock only
 * inside the unmap of do_vmi_munmap (mm/memory.c's zap).
 */
final class VmaOps {
    private final Machine k;
    private final RmapDesign design;

    long splits;
    long merges;

    /**
     * Matěna's page walks (docs/reference.md#matena), or null for a design without his series
     * ({@link RmapDesign#adjustsFaultedPgoff}).
     */
    final AnonPgoffUpdate pgoffUpdate;
    /** Why merge tests failed, counted as Matěna's tracing patch did. */
    final VmaMergeFailures mergeFailures;
    /**
     * Merges made by Matěna's rules: a vma absorbed by one with another anon_vma
     * (reconnect_pages_range()), or a moved faulted range merged at the pgoff he adjusted. Not a
     * counterfactual: under today's rules the same calls leave other vmas behind (a faulted
     * range moved next to one moved before it merges there too, at the old pgoffs), so the
     * difference between the designs is in vma_merges and vmas_peak.
     */
    long mergesMatena;

    VmaOps(Machine k) {
        this.k = k;
        this.design = k.design;
        this.pgoffUpdate = design.adjustsFaultedPgoff() ? new AnonPgoffUpdate(k) : null;
        this.mergeFailures = new VmaMergeFailures(design);
        this.groups = new VmaGroups(k, design);
    }

    // ------------------------------------------------------------------ link / unlink

    /**
     * vma_link(): inserts a new vma into its mm and its file's i_mmap (__vma_link_file): at the
     * list's tail under the list eras, at its place in the tree's order under
     * {@link FileRmap.IMmap#INTERVAL_TREE} ({@link #iMmapInsert}).
     */
    void link(Vma v) {
        link(v, null);
    }

    /**
     * dup_mmap()'s link of fork's copy {@code v} of {@code src} ("insert tmp into the share list,
     * just after mpnt"). Where it lands on i_mmap is the era's:
     * <ul>
     *   <li>2.6.0 (pte_chains and its variants, objrmap's too: the -mm objrmap patches never
     *       touched kernel/fork.c): {@code list_add_tail(&tmp->shared, &mpnt->shared)}, and since
     *       mpnt-&gt;shared is a node of the list, not its head, that puts tmp just BEFORE mpnt —
     *       "despite the comment ... 2.5.6 did exactly the reverse" (Hugh Dickins, "[PATCH 1/6]
     *       fork vma order", linux-kernel, 30 March 2004, from Rajesh Venkatasubramanian);
     *   <li>from that fix on, {@code list_add(&tmp->shared, &mpnt->shared)}, just after mpnt
     *       (2.6.6's lists), vma_prio_tree_add in 2.6.7 (the model's order for
     *       {@link FileRmap.IMmap#PRIO_TREE}, see {@link FileRmap}), and
     *       vma_interval_tree_insert_after today: tmp right after mpnt in the tree's order.
     * </ul>
     * With {@code src} null, {@link #link(Vma)}.
     */
    void link(Vma v, Vma src) {
        v.mm.insert(v);
        if (v.file != null) {
            int at = src == null ? -1 : indexOf(v.file.iMmap, src);
            if (at < 0) {
                iMmapInsert(v);
            } else {
                // ReclaimEra.V2_6_0 is exactly pte_chains and its variants: 2.6.0's dup_mmap.
                v.file.iMmap.add(k.traits.reclaim() == ReclaimEra.V2_6_0 ? at : at + 1, v);
            }
            if (v.isNonlinear()) {
                v.file.nonlinearLink(v, src, k.traits.iMmapKind());
            }
            v.file.refs++;
        }
        design.vmaLinked(v);
    }

    /**
     * __vma_link_file(): the list eras' list_add_tail; under {@link FileRmap.IMmap#INTERVAL_TREE}
     * vma_interval_tree_insert() (3.7+ mm/interval_tree.c, INTERVAL_TREE_DEFINE keyed on
     * vma_start_pgoff): the rb-tree descent goes left only when the new key is smaller, so equal
     * keys go right and the vma lands, in the tree's in-order, after every vma whose vm_pgoff is at
     * most its own. The model keeps the list in that in-order, which is the order
     * vma_interval_tree_foreach visits the vmas that cover a page.
     */
    private void iMmapInsert(Vma v) {
        java.util.List<Vma> list = v.file.iMmap;
        int at = list.size();
        if (k.traits.iMmapKind() == FileRmap.IMmap.INTERVAL_TREE) {
            while (at > 0 && list.get(at - 1).vmPgoff > v.vmPgoff) {
                at--;
            }
        }
        list.add(at, v);
    }

    /**
     * vma_prepare() / vma_complete() (6.18 mm/vma.c) around a change of a file vma's range: the
     * vma is taken out of the interval tree (vma_interval_tree_remove) before its vm_start,
     * vm_end or vm_pgoff change and put back after (vma_interval_tree_insert), so it moves to the
     * end of the vmas with its vm_pgoff even when only its end moved. Both vmas a split or merge
     * changes are treated so (vp-&gt;vma and vp-&gt;adj_next, or split's vp-&gt;insert); their
     * vm_pgoffs differ, so the order of the two re-inserts does not matter. Only under
     * {@link FileRmap.IMmap#INTERVAL_TREE}: the list eras' vma_adjust did not move a vma on its
     * list (the model does not model -mm's move_vma_start(), {@link FileRmap}), and the prio_tree's
     * order is not modelled.
     */
    private void iMmapReinsert(Vma v) {
        if (v.file == null || k.traits.iMmapKind() != FileRmap.IMmap.INTERVAL_TREE) {
            return;
        }
        v.file.iMmap.remove(v);
        iMmapInsert(v);
    }

    /** The design hears of vma's new range; i_mmap is put in order ({@link #iMmapReinsert}). */
    private void adjusted(Vma vma, long oldStart, long oldEnd, long oldPgoff) {
        design.vmaAdjusted(vma, oldStart, oldEnd, oldPgoff);
        iMmapReinsert(vma);
    }

    private static int indexOf(java.util.List<Vma> list, Vma v) {
        for (int i = 0, n = list.size(); i < n; i++) {
            if (list.get(i) == v) {
                return i;
            }
        }
        return -1;
    }

    /** Takes a vma out of its mm and i_mmap (the design has already been told). */
    private void unlinkStruct(Vma v) {
        v.mm.remove(v);
        if (v.file != null) {
            v.file.iMmap.remove(v);
            v.file.iMmapNonlinear.remove(v);
            fput(v.file);
        }
    }

    /** remove_vma() after unlink_anon_vmas(): the vma is gone. */
    void remove(Vma v) {
        design.vmaUnlinked(v);
        unlinkStruct(v);
    }

    /** fput(): the last reference to a shmem object frees its page cache. */
    void fput(AddressSpace as) {
        if (--as.refs > 0) {
            return;
        }
        // shmem_evict_inode → shmem_undo_range over the whole file.
        k.shmem.shmemUndoRange(as, 0, Long.MAX_VALUE);
    }

    // ------------------------------------------------------------------ split

    /** split_vma(): checks max_map_count, then __split_vma. */
    int split(Vma vma, long addr, boolean newBelow) {
        if (vma.mm.mapCount >= k.maxMapCount) {
            return -Errno.ENOMEM;
        }
        if (FaultInject.on(FaultInject.Bug.SPLIT_OFF_BY_ONE) && addr + Machine.PAGE_SIZE < vma.vmEnd) {
            addr += Machine.PAGE_SIZE;
        }
        return splitNoCheck(vma, addr, newBelow);
    }

    /**
     * __split_vma(): cuts vma at addr; the new vma takes the part below addr (newBelow) or above it,
     * and shares the anon state (anon_vma_clone). The original object keeps the other part.
     */
    int splitNoCheck(Vma vma, long addr, boolean newBelow) {
        return splitNoCheck(vma, addr, newBelow, false);
    }

    /**
     * __split_vma() as above; {@code forUnmap}: munmap splits, vma keeps the part to be unmapped
     * and the design hears {@link RmapDesign#vmaSplitForUnmap}.
     */
    private int splitNoCheck(Vma vma, long addr, boolean newBelow, boolean forUnmap) {
        Vma nv = vma.dup(vma.mm);
        long oldStart = vma.vmStart;
        long oldEnd = vma.vmEnd;
        long oldPgoff = vma.vmPgoff;
        long oldFlags = vma.vmFlags;
        if (newBelow) {
            nv.vmEnd = addr;
            vma.vmStart = addr;
            vma.vmPgoff += (addr - nv.vmStart) >>> Machine.PAGE_SHIFT;
            vma.vmFlags &= ~Vma.VM_GROUP; // a split is a user-visible boundary (lokier's groups)
        } else {
            nv.vmStart = addr;
            nv.vmPgoff += (addr - vma.vmStart) >>> Machine.PAGE_SHIFT;
            nv.vmFlags &= ~Vma.VM_GROUP;
            vma.vmEnd = addr;
        }
        vma.mm.invalidateCache();
        int err = forUnmap ? design.vmaSplitForUnmap(vma, nv) : design.vmaSplit(vma, nv);
        if (err != 0) {
            vma.vmStart = oldStart;
            vma.vmEnd = oldEnd;
            vma.vmPgoff = oldPgoff;
            vma.vmFlags = oldFlags;
            return err;
        }
        adjusted(vma, oldStart, oldEnd, oldPgoff);
        link(nv);
        splits++;
        return 0;
    }

    // ------------------------------------------------------------------ merge tests

    /**
     * is_mergeable_vma(): flags (ignoring soft-dirty) and vm_file (the open file, {@link Vma#vmFile}).
     * lokier's VM_GROUP says where a vma sits in its user-visible vma, not what it is: it never
     * prevents a merge.
     */
    private static boolean isMergeableVma(Vma v, long flags, Object file) {
        return ((v.vmFlags ^ flags) & ~(Vma.VM_IGNORE_MERGE | Vma.VM_GROUP)) == 0 && v.vmFile == file;
    }

    /** can_vma_merge_after(): may vmg's range (at its pgoff) follow prev? */
    private boolean canMergeAfter(Vma prev, Vmg vmg) {
        Object file = vmg.file();
        if (!isMergeableVma(prev, vmg.flags(), file)) {
            return false;
        }
        boolean anon = FaultInject.on(FaultInject.Bug.MERGE_IGNORES_ANON_VMA)
                || design.isMergeableAnonVma(prev, vmg.anon(), vmg.middle(), vmg.copiedFrom());
        boolean pgoff = prev.vmPgoff + prev.pages() == vmg.pgoff() || (file == null && !k.traits.anonMergeNeedsPgoff());
        return anon && pgoff || mergeFailures.failed(pgoff, vmg.anon(), prev.anonVma, file, prev == vmg.copiedFrom());
    }

    /** can_vma_merge_before(): may vmg's range (pglen pages at its pgoff) precede next? */
    private boolean canMergeBefore(Vma next, Vmg vmg) {
        Object file = vmg.file();
        long pglen = (vmg.end() - vmg.start()) >>> Machine.PAGE_SHIFT;
        if (!isMergeableVma(next, vmg.flags(), file)) {
            return false;
        }
        boolean anon = FaultInject.on(FaultInject.Bug.MERGE_IGNORES_ANON_VMA)
                || design.isMergeableAnonVma(next, vmg.anon(), vmg.middle(), vmg.copiedFrom());
        boolean pgoff = next.vmPgoff == vmg.pgoff() + pglen || (file == null && !k.traits.anonMergeNeedsPgoff());
        return anon && pgoff || mergeFailures.failed(pgoff, vmg.anon(), next.anonVma, file, next == vmg.copiedFrom());
    }

    /**
     * prev and next may not both merge ({@link RmapDesign#anonVmasCompatible} said no): a failed
     * merge with next, counted as {@link VmaMergeFailures#failed} does, next being the absorbed
     * one. Both pgoffs fitted (vma_merge() asks only when prev and next each may merge), so it is
     * an anon_vma or shared failure, as Matěna's merge_both.
     */
    private boolean compatible(Vma prev, Vma next) {
        return design.anonVmasCompatible(prev, next)
                || mergeFailures.failed(true, next.anonVma, prev.anonVma, next.vmFile, false);
    }

    /**
     * Before {@code target} takes [start, end) of {@code source}: under Matěna's series, when
     * their anon_vmas differ (only his rules let such vmas merge), __vma_adjust()'s
     * reconnect_pages_range() moves the range's pages to target's anon_vma.
     */
    private void reconnect(Vma target, Vma source, long start, long end) {
        if (pgoffUpdate == null || target.anonVma == null || source.anonVma == null
                || target.anonVma == source.anonVma) {
            return;
        }
        pgoffUpdate.reconnectPagesRange(source.mm, start, end, target);
        mergesMatena++;
    }

    // ------------------------------------------------------------------ merge a new range

    /**
     * struct vma_merge_struct (vmg): a range [start, end) of mm to merge, with the flags, file
     * ({@link Vma#vmFile}), pgoff and anon state ({@code anon}) it is to have. For
     * vma_merge_existing_range(), {@code middle} is the vma the range lies in (the design's anon
     * merge test sees it); for vma_merge_new_range(), {@code copiedFrom}, when not null, is the vma
     * whose pages will be moved into the range (mremap's copy_vma → vma_merge_copied_range(), 6.18.y
     * with the Jan 2026 backport: it moves vmg-&gt;middle to vmg-&gt;copied_from): the anon rule sees it
     * ({@link RmapDesign#isMergeableAnonVma(Vma, Object, Vma, Vma)}), and a merged target that had
     * no anon state takes it from there (vma_expand's unconditional dup_anon_vma(target, copied_from)).
     * {@code justExpand} forbids merging with next (do_brk_flags,
     * vma_merge_extend's callers may allow it); the range never merges with {@code notWith} (when
     * not null).
     */
    record Vmg(Mm mm, long start, long end, long flags, Object file, long pgoff, Object anon, Vma middle,
               Vma copiedFrom, boolean justExpand, Vma notWith) {
        /** A new range: no middle, nothing copied, free to merge both ways. */
        static Vmg newRange(Mm mm, long start, long end, long flags, Object file, long pgoff) {
            return new Vmg(mm, start, end, flags, file, pgoff, null, null, null, false, null);
        }

        Vmg withAnon(Object anon) {
            return new Vmg(mm, start, end, flags, file, pgoff, anon, middle, copiedFrom, justExpand, notWith);
        }

        Vmg justExpanding() {
            return new Vmg(mm, start, end, flags, file, pgoff, anon, middle, copiedFrom, true, notWith);
        }
    }

    /**
     * vma_merge_new_range(): tries to cover vmg's new range [start, end) by expanding prev and/or
     * next. Returns the vma that now covers it, or null when no merge is possible.
     */
    Vma mergeNewRange(Vmg vmg) {
        Mm mm = vmg.mm();
        long start = vmg.start();
        long end = vmg.end();
        long pgoff = vmg.pgoff();
        boolean justExpand = vmg.justExpand();
        Vma notWith = vmg.notWith();
        Vma copiedFrom = vmg.copiedFrom();
        int i = mm.indexAfter(start);
        Vma prev = i > 0 ? mm.vma(i - 1) : null;
        Vma next = i < mm.mapCount ? mm.vma(i) : null;
        if (prev != null && prev.vmEnd > start) {
            throw new IllegalStateException("merge of a range that is mapped");
        }
        if (prev != null && prev.vmEnd == start) {
            groups.noteMergeAttempt(mm, start);
        }
        if (!justExpand && next != null && next.vmStart == end) {
            groups.noteMergeAttempt(mm, end);
        }
        if (prev == null && next == null) {
            return null;
        }
        boolean left = prev != null && prev != notWith && prev.vmEnd == start
                && canMergeAfter(prev, vmg);
        boolean right = !justExpand && next != null && next != notWith && next.vmStart == end
                && canMergeBefore(next, vmg)
                && (!left || compatible(prev, next));
        if (!left && !right) {
            return null;
        }
        if (copiedFrom != null && copiedFrom.anonVma != null) {
            // The pages moved in must be found through the target: it takes the source's anon
            // state if it had none — vma_expand()'s dup_anon_vma(target, copied_from), done before
            // any vma changes, so that a failure (-ENOMEM) leaves every vma as it was.
            // (Should expandPrev's own dup then fail, the target keeps the anon state it took
            // here: vmaMerged has no undo.)
            if (design.vmaCopy(copiedFrom, left ? prev : next) != 0) {
                return null;
            }
        }
        Vma target = left ? expandPrev(vmg, prev, right ? next : null) : expandNext(vmg, next);
        if (target == null) {
            return null;
        }
        merges++;
        return target;
    }

    /**
     * vma_merge_new_range() merging left (vma_expand): prev grows over vmg's range, and over
     * {@code next} too when it is not null (remove_next). Null when the design refuses.
     */
    private Vma expandPrev(Vmg vmg, Vma prev, Vma next) {
        Mm mm = vmg.mm();
        long oldStart = prev.vmStart;
        long oldEnd = prev.vmEnd;
        long oldPgoff = prev.vmPgoff;
        if (next != null) {
            // vma_expand with remove_next: dup_anon_vma(prev, next), anon_vma_merge.
            reconnect(prev, next, next.vmStart, next.vmEnd);
            if (design.vmaMerged(prev, next) != 0) {
                return null;
            }
            long nextEnd = next.vmEnd;
            unlinkStruct(next);
            prev.vmEnd = nextEnd;
        } else {
            prev.vmEnd = vmg.end();
        }
        mm.invalidateCache();
        adjusted(prev, oldStart, oldEnd, oldPgoff);
        return prev;
    }

    /** vma_merge_new_range() merging right only: next grows down over vmg's range. */
    private Vma expandNext(Vmg vmg, Vma next) {
        long oldStart = next.vmStart;
        long oldEnd = next.vmEnd;
        long oldPgoff = next.vmPgoff;
        next.vmStart = vmg.start();
        next.vmPgoff = vmg.pgoff();
        vmg.mm().invalidateCache();
        adjusted(next, oldStart, oldEnd, oldPgoff);
        return next;
    }

    // ------------------------------------------------------------------ modify an existing range

    /**
     * vma_modify() for a flags change: tries vma_merge_existing_range(), else splits vma so that
     * one vma covers exactly [start, end) and returns it. The caller then sets the flags.
     * Returns null and sets {@link #err} on failure.
     */
    Vma modify(Vma middle, long start, long end, long newFlags) {
        err = 0;
        Mm mm = middle.mm;
        Vma merged = mergeExistingRange(middle, start, end, newFlags);
        if (merged != null) {
            return merged;
        }
        if (err != 0) {
            return null;
        }
        if (middle.vmStart < start) {
            int e = split(middle, start, true);
            if (e != 0) {
                err = e;
                return null;
            }
        }
        if (middle.vmEnd > end) {
            int e = split(middle, end, false);
            if (e != 0) {
                err = e;
                return null;
            }
        }
        mm.invalidateCache();
        return middle;
    }

    /** The error of the last failed {@link #modify}. */
    int err;

    /**
     * vma_merge_existing_range() of a whole vma with its own flags: copy_vma_and_data()'s "Let's
     * try merge again" after a relocating move (Stoakes' PATCH 01/11, which exports
     * vma_merge_existing_range() for it). Returns the merged vma, or null.
     */
    Vma mergeExisting(Vma middle) {
        err = 0;
        return mergeExistingRange(middle, middle.vmStart, middle.vmEnd, middle.vmFlags);
    }

    /**
     * vma_merge_existing_range(): [start, end) lies in middle and is to get newFlags; if it can
     * join prev and/or next, do so and return the vma that covers it.
     */
    private Vma mergeExistingRange(Vma middle, long start, long end, long newFlags) {
        Mm mm = middle.mm;
        boolean leftSide = start == middle.vmStart;
        boolean rightSide = end == middle.vmEnd;
        if (!leftSide && !rightSide) {
            return null;
        }
        Vma prev = mm.prevOf(middle);
        Vma next = mm.nextOf(middle);
        if (leftSide && prev != null && prev.vmEnd == start) {
            groups.noteMergeAttempt(mm, start);
        }
        if (rightSide && next != null && next.vmStart == end) {
            groups.noteMergeAttempt(mm, end);
        }
        long pgoff = middle.linearPageIndex(start);
        Vmg vmg = new Vmg(mm, start, end, newFlags, middle.vmFile, pgoff, middle.anonVma, middle, null, false, null);
        boolean mergeLeft = leftSide && prev != null && prev.vmEnd == start && canMergeAfter(prev, vmg);
        boolean mergeRight = rightSide && next != null && next.vmStart == end && canMergeBefore(next, vmg);
        if (mergeLeft && mergeRight && !compatible(prev, next)) {
            mergeRight = false;
        }
        if (!mergeLeft && !mergeRight) {
            return null;
        }
        return mergeLeft ? mergeIntoPrev(vmg, prev, next, mergeRight) : mergeIntoNext(vmg, next);
    }

    /**
     * vma_merge_existing_range(), merging left: vmg's range (in vmg.middle) joins prev — all of
     * middle, and next too when {@code mergeRight}, or prev grows over the range and middle keeps
     * the rest.
     */
    private Vma mergeIntoPrev(Vmg vmg, Vma prev, Vma next, boolean mergeRight) {
        Vma middle = vmg.middle();
        Mm mm = vmg.mm();
        long end = vmg.end();
        boolean rightSide = end == middle.vmEnd;
        long oStart = prev.vmStart;
        long oEnd = prev.vmEnd;
        long oPgoff = prev.vmPgoff;
        if (rightSide) {
            // middle disappears into prev (and next too, when merging both). Linux dups the anon
            // state into prev once, before commit_merge() changes anything (dup_anon_vma in
            // vma_merge_existing_range, 6.18): so the absorption that may allocate comes first —
            // next's when only next has anon state — and the other then has nothing to allocate.
            boolean nextFirst = mergeRight && prev.anonVma == null && middle.anonVma == null && next.anonVma != null;
            if (nextFirst && (err = design.vmaMerged(prev, next)) != 0) {
                return null;
            }
            reconnect(prev, middle, middle.vmStart, middle.vmEnd);
            if ((err = design.vmaMerged(prev, middle)) != 0) {
                return null;
            }
            long newEnd = middle.vmEnd;
            unlinkStruct(middle);
            if (mergeRight) {
                reconnect(prev, next, next.vmStart, next.vmEnd);
                if (!nextFirst && (err = design.vmaMerged(prev, next)) != 0) {
                    return null;
                }
                newEnd = next.vmEnd;
                unlinkStruct(next);
            }
            prev.vmEnd = newEnd;
        } else {
            // prev grows to end; middle keeps [end, vmEnd) (dup_anon_vma(prev, middle)).
            reconnect(prev, middle, middle.vmStart, end);
            if ((err = design.vmaCopy(middle, prev)) != 0) {
                return null;
            }
            long mStart = middle.vmStart;
            long mEnd = middle.vmEnd;
            long mPgoff = middle.vmPgoff;
            middle.vmStart = end;
            middle.vmPgoff = vmg.pgoff() + ((end - vmg.start()) >>> Machine.PAGE_SHIFT);
            prev.vmEnd = end;
            adjusted(middle, mStart, mEnd, mPgoff);
        }
        mm.invalidateCache();
        adjusted(prev, oStart, oEnd, oPgoff);
        merges++;
        return prev;
    }

    /**
     * vma_merge_existing_range(), merging right only: vmg's range (in vmg.middle) joins next —
     * all of middle, or next grows down over the range and middle keeps the rest.
     */
    private Vma mergeIntoNext(Vmg vmg, Vma next) {
        Vma middle = vmg.middle();
        Mm mm = vmg.mm();
        long start = vmg.start();
        long pgoff = vmg.pgoff();
        boolean leftSide = start == middle.vmStart;
        long oStart = next.vmStart;
        long oEnd = next.vmEnd;
        long oPgoff = next.vmPgoff;
        if (leftSide) {
            reconnect(next, middle, middle.vmStart, middle.vmEnd);
            if ((err = design.vmaMerged(next, middle)) != 0) {
                return null;
            }
            long mStart = middle.vmStart;
            unlinkStruct(middle);
            next.vmStart = mStart;
            next.vmPgoff = pgoff;
        } else {
            reconnect(next, middle, start, middle.vmEnd);
            if ((err = design.vmaCopy(middle, next)) != 0) {
                return null;
            }
            long mStart = middle.vmStart;
            long mEnd = middle.vmEnd;
            long mPgoff = middle.vmPgoff;
            middle.vmEnd = start;
            next.vmStart = start;
            next.vmPgoff = pgoff;
            adjusted(middle, mStart, mEnd, mPgoff);
        }
        mm.invalidateCache();
        adjusted(next, oStart, oEnd, oPgoff);
        merges++;
        return next;
    }

    // ------------------------------------------------------------------ lokier's mremap groups

    /** lokier's VM_GROUP bookkeeping ({@link VmaGroups}); idle under the other designs. */
    final VmaGroups groups;

    /** {@link VmaGroups#regroup}: the end of a system call that may have changed mm's vmas. */
    void regroup(Mm mm) {
        groups.regroup(mm);
    }

    // ------------------------------------------------------------------ unmap

    /**
     * do_vmi_align_munmap(): unmaps [start, end) of mm — splits the vmas at the edges, zaps their
     * ptes, frees the page tables no vma needs any more (free_pgtables with floor and ceiling),
     * and removes the vmas. start and end are page-aligned. Returns 0 or -ENOMEM.
     */
    int munmapRange(Mm mm, long start, long end) {
        Vma vma = mm.findVmaIntersection(start, end);
        if (vma == null) {
            return 0;
        }
        // vms_gather_munmap_vmas: split the first vma if the range starts inside it...
        if (start > vma.vmStart) {
            if (end < vma.vmEnd && mm.mapCount >= k.maxMapCount) {
                return -Errno.ENOMEM;
            }
            int e = splitNoCheck(vma, start, true, true);
            if (e != 0) {
                return e;
            }
        }
        // ... and the last one if the range ends inside it.
        Vma last = mm.findVma(end - 1);
        if (last != null && last.vmStart < end && last.vmEnd > end) {
            int e = splitNoCheck(last, end, false, true);
            if (e != 0) {
                return e;
            }
        }
        int first = mm.indexAfter(start);
        int stop = first;
        while (stop < mm.mapCount && mm.vma(stop).vmStart < end) {
            stop++;
        }
        Vma prev = first > 0 ? mm.vma(first - 1) : null;
        Vma next = stop < mm.mapCount ? mm.vma(stop) : null;
        // unmap_region(): zap every vma's ptes, then free the page tables between prev and next.
        for (int i = first; i < stop; i++) {
            Vma v = mm.vma(i);
            k.memory.zapRange(v, v.vmStart, v.vmEnd);
        }
        long lo = mm.vma(first).vmStart;
        long hi = mm.vma(stop - 1).vmEnd;
        long pteTables = mm.pteTables;
        PageTable.freePgdRange(new PageTable.FreeRange(k.frames, mm,
                prev != null ? prev.vmEnd : Machine.FIRST_USER_ADDRESS,
                next != null ? next.vmStart : Machine.USER_PGTABLES_CEILING), lo, hi);
        k.tlb.pteTablesFreed += pteTables - mm.pteTables; // free_pte_range → pte_free_tlb
        // remove_vma() for each, after unlink_anon_vmas / unlink_file_vma in free_pgtables.
        for (int i = stop - 1; i >= first; i--) {
            Vma v = mm.vma(i);
            if ((v.vmFlags & Vma.VM_LOCKED) != 0) {
                mm.lockedVm -= v.pages();
            }
            remove(v);
        }
        return 0;
    }

    /**
     * vm_flags_reset() after vma_modify(): v may be a neighbour the range merged into, so it keeps
     * its own VM_GROUP bit (its place in a user-visible vma), whatever the range's was.
     */
    static void setFlags(Vma v, long newFlags) {
        v.vmFlags = (newFlags & ~Vma.VM_GROUP) | (v.vmFlags & Vma.VM_GROUP);
    }

    // ------------------------------------------------------------------ copy_vma (mm/vma.c since 6.12; mremap's)

    /**
     * copy_vma(): a vma for [addr, addr+len) with vma's flags, file and anon state, merged with a
     * neighbour when possible. An anonymous vma that was never faulted takes the pgoff of its new
     * address, to merge better.
     */
    Vma copyVma(Vma vma, long addr, long len, long pgoff) {
        return copyVma(vma, addr, len, pgoff, false);
    }

    /**
     * True when the last {@link #copyVma(Vma, long, long, long, boolean)} asked to relocate made a
     * vma of its own for the range, whose folios are to be relocated (copy_vma()'s
     * {@code *relocate_anon} left true); false when it merged.
     */
    boolean copyRelocates;

    /**
     * True when the last {@link #copyVma(Vma, long, long, long, boolean)} under Matěna's series
     * wants move_ptes() to re-home each moved page to the returned vma (copy_vma()'s {@code
     * *update_pgoff}): can_update_faulted_pgoff() gave the range the pgoff of its new address, or
     * the range merged into a vma with another anon_vma.
     */
    boolean copyUpdatesPgoff;

    /**
     * copy_vma() as Lorenzo Stoakes' PATCH 01/11 (June 2025, never merged) has it when
     * {@code relocate} (should_relocate_anon() said yes): the merge is tried at the old pgoff as
     * ever ("If merge succeeds, no need to relocate"); failing that, the new vma takes the pgoff of
     * its address ({@code pgoff = addr >> PAGE_SHIFT}), no anon_vma_clone() ("we don't want to
     * reuse an anon_vma as set by vm_area_dup(), or copy anon_vma_chain"), and once linked an
     * anon_vma of its own from __anon_vma_prepare() — which reuses a neighbour's through
     * find_mergeable_anon_vma() when it can, so that the re-merge after the move succeeds.
     * {@link #copyRelocates} says which happened.
     */
    Vma copyVma(Vma vma, long addr, long len, long pgoff, boolean relocate) {
        Mm mm = vma.mm;
        copyRelocates = false;
        copyUpdatesPgoff = false;
        long oldPgoff = pgoff;
        if (vma.file == null && vma.anonVma == null) {
            pgoff = design.anonPgoff(mm, addr, addr + len, vma.vmFlags & ~Vma.VM_GROUP, RmapDesign.ANON_COPY, addr);
        } else if (vma.file == null && pgoffUpdate != null && pgoffUpdate.canUpdateFaultedPgoff(vma)) {
            // Matěna's copy_vma() (v3 PATCH 4/6): "Try to update new pgoff for anonymous vma to
            // match new location, to increase its chance of merging" — faulted too, when no
            // page is shared; move_ptes() then updates each page (*update_pgoff).
            pgoff = addr >>> Machine.PAGE_SHIFT;
            copyUpdatesPgoff = true;
        }
        // copy_vma merges with the source's flags and vm_userfaultfd_ctx (VMG_VMA_STATE), so a
        // registered range merges with registered neighbours; then move_vma's
        // mremap_userfaultfd_prep(), without UFFD_FEATURE_EVENT_REMAP, drops the registration of
        // the whole new vma (userfaultfd_reset_ctx), neighbours merged into it included, with no
        // re-merge (uffd/mremap_into_registered_hole.vms).
        // A faulted vma never merges with its own copy under today's rules (pgoff linearity:
        // copy_vma's VM_BUG_ON_VMA(faulted_in_anon_vma)), so a registered DONTUNMAP source keeps
        // its registration. Designs whose anon merge ignores pgoff (pte_chains, anonmm) could
        // merge the two, and so could Matěna's series, which gives the copy the pgoff of its
        // address; the model keeps a registered faulted source apart from its copy, so that
        // registration, which is user-visible, is the same under every design.
        long flags = vma.vmFlags;
        Vma notWith = vma.uffdArmed() && vma.anonVma != null && (!k.traits.anonMergeNeedsPgoff() || copyUpdatesPgoff)
                ? vma : null;
        Vma merged = mergeNewRange(new Vmg(mm, addr, addr + len, flags, vma.vmFile, pgoff, vma.anonVma, null,
                vma, false, notWith));
        if (merged != null) {
            merged.vmFlags &= ~Vma.VM_UFFD_MISSING;
            if (pgoffUpdate != null && vma.anonVma != null && merged.anonVma != vma.anonVma) {
                // Merged into a vma with another anon_vma (PATCH 5/6's is_mergeable_anon_vma()):
                // the pages must follow. v3 re-homes them only when update_pgoff was set; the
                // model does it whenever the anon_vmas differ, or the rmap would lose them.
                copyUpdatesPgoff = true;
            }
            // A merge made by Matěna's rules: at the pgoff he adjusted, or into another anon_vma.
            if (copyUpdatesPgoff && (pgoff != oldPgoff || merged.anonVma != vma.anonVma)) {
                mergesMatena++;
            }
            return merged;
        }
        if (relocate) {
            pgoff = addr >>> Machine.PAGE_SHIFT;
        }
        Vma nv = new Vma(mm, addr, addr + len, flags & ~(Vma.VM_GROUP | Vma.VM_UFFD_MISSING), pgoff, vma.file);
        nv.vmFile = vma.vmFile;
        nv.anonVma = null;
        if (!relocate && design.vmaCopy(vma, nv) != 0) {
            return null;
        }
        link(nv);
        if (relocate) {
            if (design.anonVmaPrepare(nv) != 0) {
                munmapRange(mm, addr, addr + len); // "best effort" unwind, as the patch does
                return null;
            }
            copyRelocates = true;
        }
        return nv;
    }
}
