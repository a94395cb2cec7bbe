package org.rmaplab.mm;

/**
 * fs/userfaultfd.c and mm/userfaultfd.c: UFFDIO_REGISTER (missing mode), UFFDIO_COPY
 * (mfill_atomic in MFILL_ATOMIC_COPY mode), UFFDIO_MOVE (move_pages, move_pages_pte) of Linux
 * 6.18, and remap_anon_pages(2) of Andrea Arcangeli's 2014 patch set (docs/reference.md#arcangeli-remap-anon-pages), never merged, which the model
 * runs through the same move.
 *
 * <p>Invariants kept: a moved page keeps its frame, contents and swap slot, and its rmap follows
 * it (the design's pageMoveAnon) before its pte is set at dst; a copy gets a new page; a failed
 * page stops the call with the pages before it done, which the result records report.
 *
 * <p>Lock order (for the reader), as move_pages(): mmap_lock (read) or the per-vma locks, then the
 * two pte locks (double_pt_lock, in address order), then the folio lock, then the folio's anon_vma
 * rwsem (folio_move_anon_rmap).
 */
public final class Userfaultfd {
    private final Machine k;
    private final Frames frames;
    private final RmapDesign design;

    Userfaultfd(Machine k) {
        this.k = k;
        this.frames = k.frames;
        this.design = k.design;
    }

    /** struct uffdio_move's input: dst, src, len, mode. */
    public record UffdioMove(long dst, long src, long len, int mode) {}

    /**
     * What one UFFDIO_MOVE did: {@code ret}, the ioctl's result (len, -EAGAIN for a short move,
     * or -errno), and {@code moved}, what the kernel wrote to uffdio_move.move: the bytes moved, or
     * -errno when none moved.
     */
    public record MoveResult(long ret, long moved) {}

    /** struct uffdio_copy's input: dst, src, len, mode. */
    public record UffdioCopy(long dst, long src, long len, int mode) {}

    /**
     * What one UFFDIO_COPY did: {@code ret}, the ioctl's result (len, -EAGAIN for a short copy, or
     * -errno), and {@code copied}, what the kernel wrote to uffdio_copy.copy: the bytes copied, or
     * -errno when none were.
     */
    public record CopyResult(long ret, long copied) {}

    /**
     * One move_pages() call's fixed part, made once per call and passed to move_pages_pte() for
     * each page: the two vmas, dst - src, and the rules (allow_src_holes; {@code rap}:
     * remap_anon_pages').
     */
    record PteMove(Vma srcVma, Vma dstVma, long delta, boolean allowSrcHoles, boolean rap) {}

    /** Counters of UFFDIO_MOVE / remap_anon_pages (see {@link Machine#counters}). */
    long uffdPagesMoved;
    long uffdPtesRewritten;
    long uffdRmapUpdates;
    /** Pages UFFDIO_COPY allocated and filled. */
    long uffdPagesCopied;
    /** The UFFDIO_COPY pages that became anonymous pages (private destinations): no fault made them. */
    long uffdAnonPagesCopied;
    /**
     * Copies a move avoided: every pte a move carried to dst (a present page, a zero-page pte or
     * a swap entry), each of which UFFDIO_COPY would have had to allocate and fill a page for.
     * Holes skipped with allow_src_holes are not counted.
     */
    long uffdCopiesAvoided;

    /** UFFDIO_MOVE_MODE_DONTWAKE / UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES (include/uapi/linux/userfaultfd.h). */
    public static final int UFFDIO_MOVE_MODE_DONTWAKE = 1 << 0;
    public static final int UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES = 1 << 1;

    /** UFFDIO_COPY_MODE_DONTWAKE / UFFDIO_COPY_MODE_WP (include/uapi/linux/userfaultfd.h). */
    public static final int UFFDIO_COPY_MODE_DONTWAKE = 1 << 0;
    public static final int UFFDIO_COPY_MODE_WP = 1 << 1;

    /**
     * validate_range() of fs/userfaultfd.c (6.18): page-aligned start, then
     * validate_unaligned_range(). There is no mmap_min_addr check: on this machine's 6.18,
     * {@code uffd_move 0 SRC 1p} is ENOENT (no vma), not EINVAL (uffd/copy_errors.vms).
     */
    static long uffdValidateRange(long start, long len) {
        if (PageTable.offsetInPage(start)) {
            return -Errno.EINVAL;
        }
        return uffdValidateUnalignedRange(start, len);
    }

    /**
     * validate_unaligned_range() of fs/userfaultfd.c: len a non-zero multiple of the page size,
     * [start, start+len) below TASK_SIZE. UFFDIO_COPY's src may be unaligned.
     */
    static long uffdValidateUnalignedRange(long start, long len) {
        if (PageTable.offsetInPage(len) || len == 0 || Long.compareUnsigned(start, Machine.TASK_SIZE) >= 0
                || Long.compareUnsigned(len, Machine.TASK_SIZE - start) > 0) {
            return -Errno.EINVAL;
        }
        return 0;
    }

    /**
     * userfaultfd_register() in UFFDIO_REGISTER_MODE_MISSING with the task's userfaultfd (one per
     * mm: the harness opens one per process). Holes in the range are allowed; no vma at all is
     * EINVAL. Every vma of the range is split at the range's ends and flagged VM_UFFD_MISSING
     * (userfaultfd_register_range → vma_modify_flags_uffd, which may merge it with registered
     * neighbours).
     */
    long uffdRegister(Task t, long start, long len) {
        k.requireAlive(t);
        long r = doUffdRegister(t.mm, start, len);
        k.vmaOps.regroup(t.mm);
        return r;
    }

    /** userfaultfd_register() after the entry: validate_range(), vma_can_userfault(), then the range. */
    long doUffdRegister(Mm mm, long start, long len) {
        long r = uffdValidateRange(start, len);
        if (r != 0) {
            return r;
        }
        long end = start + len;
        Vma first = mm.findVma(start);
        if (first == null || first.vmStart >= end) {
            return -Errno.EINVAL;
        }
        for (Vma cur = first; cur != null && cur.vmStart < end; cur = mm.findVma(cur.vmEnd)) {
            // vma_can_userfault(): anonymous and shmem vmas may register in missing mode (the
            // only kinds the model has); VM_MAYWRITE is always set on them.
            if ((cur.vmFlags & Vma.VM_MAYWRITE) == 0) {
                return -Errno.EPERM;
            }
        }
        long cursor = start;
        while (cursor < end) {
            Vma vma = mm.findVma(cursor);
            if (vma == null || vma.vmStart >= end) {
                break;
            }
            long s = Math.max(cursor, vma.vmStart);
            long e = Math.min(end, vma.vmEnd);
            if (!vma.uffdArmed()) {
                long newFlags = vma.vmFlags | Vma.VM_UFFD_MISSING;
                Vma v = k.vmaOps.modify(vma, s, e, newFlags);
                if (v == null) {
                    return k.vmaOps.err;
                }
                VmaOps.setFlags(v, newFlags);
                vma = v;
            }
            cursor = Math.max(e, Math.min(vma.vmEnd, end));
        }
        return 0;
    }

    /**
     * The UFFDIO_MOVE ioctl (userfaultfd_move → move_pages of mm/userfaultfd.c, Linux 6.18):
     * returns len when everything moved, -EAGAIN for a short move (uffdio_move.move,
     * {@link MoveResult#moved}, tells how far), else -errno.
     */
    MoveResult uffdMove(Task t, UffdioMove req) {
        k.requireAlive(t);
        long len = req.len();
        long r = uffdValidateRange(req.src(), len);
        if (r == 0) {
            r = uffdValidateRange(req.dst(), len);
        }
        if (r != 0) {
            return new MoveResult(r, -Errno.EINVAL);
        }
        if ((req.mode() & ~(UFFDIO_MOVE_MODE_DONTWAKE | UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES)) != 0) {
            return new MoveResult(-Errno.EINVAL, -Errno.EINVAL);
        }
        long moved = movePages(t.mm, req, false);
        k.vmaOps.regroup(t.mm); // the dst vma may have been given its anon state
        if (moved < 0) {
            return new MoveResult(moved, moved);
        }
        return new MoveResult(moved == len ? len : -Errno.EAGAIN, moved);
    }

    /**
     * The UFFDIO_COPY ioctl (userfaultfd_copy → mfill_atomic_copy → mfill_atomic of
     * mm/userfaultfd.c, Linux 6.18): src may be unaligned (validate_unaligned_range), dst must be
     * aligned; unknown mode bits are EINVAL. Returns len when everything was copied, -EAGAIN for a
     * short copy (uffdio_copy.copy, {@link CopyResult#copied}, tells how far it got), else -errno.
     */
    CopyResult uffdCopy(Task t, UffdioCopy req) {
        k.requireAlive(t);
        long len = req.len();
        long r = uffdValidateUnalignedRange(req.src(), len);
        if (r == 0) {
            r = uffdValidateRange(req.dst(), len);
        }
        if (r == 0 && (req.mode() & ~(UFFDIO_COPY_MODE_DONTWAKE | UFFDIO_COPY_MODE_WP)) != 0) {
            r = -Errno.EINVAL;
        }
        if (r != 0) {
            return new CopyResult(r, -Errno.EINVAL);
        }
        long copied = mfillAtomicCopy(t, req);
        if (t.isAlive()) {
            k.vmaOps.regroup(t.mm); // the dst vma may have been given its anon state
        }
        if (copied < 0) {
            return new CopyResult(copied, copied);
        }
        return new CopyResult(copied == len ? len : -Errno.EAGAIN, copied);
    }

    /**
     * mfill_atomic() in MFILL_ATOMIC_COPY mode. uffd_mfill_lock → uffd_lock_vma →
     * find_vma_and_prepare_anon: no vma at dst is ENOENT, a private dst vma gets its anon state
     * first (ENOMEM) — even when the next check refuses it; validate_dst_vma: a range leaving the
     * vma or a vma not registered is ENOENT. A wp copy needs VM_UFFD_WP, which the model never
     * sets (missing mode only): EINVAL. Every vma of the model is anonymous or shmem, so the
     * !vma_is_anonymous && !vma_is_shmem EINVAL cannot happen. Then page by page:
     * mm_alloc_pmd/__pte_alloc (ENOMEM) and mfill_atomic_pte_copy / shmem_mfill_atomic_pte.
     * Returns the bytes copied, or the error when none were.
     */
    long mfillAtomicCopy(Task t, UffdioCopy req) {
        long dst = req.dst();
        long src = req.src();
        long len = req.len();
        boolean wp = (req.mode() & UFFDIO_COPY_MODE_WP) != 0;
        Mm mm = t.mm;
        Vma dstVma = mm.vmaLookup(dst);
        if (dstVma == null) {
            return -Errno.ENOENT;
        }
        boolean shared = (dstVma.vmFlags & Vma.VM_SHARED) != 0;
        if (!shared && design.anonVmaPrepare(dstVma) != 0) {
            return -Errno.ENOMEM;
        }
        if (dst + len > dstVma.vmEnd || !dstVma.uffdArmed()) {
            return -Errno.ENOENT;
        }
        if (wp) {
            return -Errno.EINVAL;
        }
        long copied = 0;
        long err = 0;
        for (long s = src, d = dst; copied < len; s += Machine.PAGE_SIZE, d += Machine.PAGE_SIZE) {
            if (PageTable.alloc(frames, mm, d) < 0) {
                err = -Errno.ENOMEM;
                break;
            }
            err = mfillAtomicPteCopy(t, dstVma, d, s);
            if (err != 0) {
                break;
            }
            copied += Machine.PAGE_SIZE;
        }
        return copied != 0 ? copied : err;
    }

    /**
     * mfill_atomic_pte_copy() (private dst) / shmem_mfill_atomic_pte() (shmem dst): a new page
     * (vma_alloc_folio / shmem_alloc_folio: ENOMEM), filled by copy_from_user() from src — first
     * with page faults disabled, then (the -ENOENT retry of mfill_atomic) with faults enabled, so
     * an unfaulted source page is faulted in (a read fault: the zero page) and an unreadable one
     * (no vma, PROT_NONE, a missing page of a registered range: SIGBUS mode) is EFAULT. The
     * source is read before the destination is looked at, so EFAULT wins over EEXIST. Then
     * shmem: EFAULT past i_size, EEXIST when the page cache holds a page or swap entry at the
     * offset; and mfill_atomic_install_pte(): EEXIST unless the dst pte is none.
     */
    long mfillAtomicPteCopy(Task t, Vma dstVma, long dst, long src) {
        Mm mm = t.mm;
        int pfn = frames.alloc();
        if (pfn < 0) {
            return -Errno.ENOMEM;
        }
        if (!t.isAlive() || !copyFromUserPage(mm, src)) {
            frames.refcount[pfn] = 0;
            frames.free(pfn);
            return -Errno.EFAULT;
        }
        long value = copiedValue;
        int e = mfillInstallPte(dstVma, dst, pfn, value);
        if (e != 0) {
            frames.refcount[pfn] = 0;
            frames.free(pfn);
            return e;
        }
        uffdPagesCopied++;
        return 0;
    }

    /** The value {@link #copyFromUserPage} read. */
    private long copiedValue;

    /**
     * copy_from_user() of one page from the user address src of mm, faulting as a user read does
     * (the access() of read/touch): false when a page of the source cannot be read (EFAULT).
     * On success {@link #copiedValue} holds what the copy's first 8 bytes hold — the model's one
     * value per page being a page's first 8 bytes, the rest zero (the harness's convention). An
     * unaligned src at offset o reads bytes [o, o+8) of page P and, for o &gt; 4088, the first
     * bytes of page P+1; its copy spans both pages, which must both be readable.
     * Simplification: the copy keeps only its first 8 bytes, so the bytes of P+1 that land
     * further into it are lost (only an unaligned copy from the copy could see them).
     */
    boolean copyFromUserPage(Mm mm, long src) {
        long off = src & ~Machine.PAGE_MASK;
        long page = src & Machine.PAGE_MASK;
        int pfn = k.gup.access(mm, page, false);
        if (pfn < 0) {
            return false;
        }
        long v = frames.content[pfn];
        if (off == 0) {
            copiedValue = v;
            return true;
        }
        long value = off < 8 ? v >>> (8 * off) : 0;
        int next = k.gup.access(mm, page + Machine.PAGE_SIZE, false);
        if (next < 0) {
            return false;
        }
        if (off > Machine.PAGE_SIZE - 8) {
            value |= frames.content[next] << (8 * (Machine.PAGE_SIZE - off));
        }
        copiedValue = value;
        return true;
    }

    /**
     * remap_anon_pages(2) of Andrea Arcangeli's 2014 patch set (docs/reference.md#arcangeli-remap-anon-pages): the same move, but no registration is
     * needed, a page must have mapcount 1 (not PageAnonExclusive, which did not exist), a swap
     * entry swap count 1, and a file pte source is EFAULT. Returns the bytes moved (a short move
     * returns what moved, as move_pages() does), or -errno when none moved.
     */
    long remapAnonPages(Task t, long dst, long src, long len, int flags) {
        k.requireAlive(t);
        if (PageTable.offsetInPage(src) || PageTable.offsetInPage(dst) || PageTable.offsetInPage(len) || len == 0
                || src + len <= src || dst + len <= dst) {
            return -Errno.EINVAL;
        }
        if ((flags & ~1) != 0) {
            return -Errno.EINVAL;
        }
        long r = movePages(t.mm, new UffdioMove(dst, src, len, (flags & 1) != 0 ? UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES : 0), true);
        k.vmaOps.regroup(t.mm);
        return r;
    }

    /**
     * move_pages(): find the vmas (uffd_move_lock → find_vma_and_prepare_anon: ENOENT, ENOMEM),
     * check them (EINVAL, validate_move_areas), then move_pages_pte() page by page. Returns the
     * bytes moved, or the error when none moved. {@code rap}: remap_anon_pages' rules.
     */
    long movePages(Mm mm, UffdioMove req, boolean rap) {
        long dst = req.dst();
        long src = req.src();
        long len = req.len();
        boolean allowSrcHoles = (req.mode() & UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES) != 0;
        Vma dstVma = mm.vmaLookup(dst);
        if (dstVma == null) {
            return -Errno.ENOENT;
        }
        if ((dstVma.vmFlags & Vma.VM_SHARED) == 0 && design.anonVmaPrepare(dstVma) != 0) {
            return -Errno.ENOMEM;
        }
        Vma srcVma = src >= dstVma.vmStart && src < dstVma.vmEnd ? dstVma : mm.vmaLookup(src);
        if (srcVma == null) {
            return -Errno.ENOENT;
        }
        if ((srcVma.vmFlags & Vma.VM_SHARED) != 0 || src + len > srcVma.vmEnd) {
            return -Errno.EINVAL;
        }
        if ((dstVma.vmFlags & Vma.VM_SHARED) != 0 || dst + len > dstVma.vmEnd) {
            return -Errno.EINVAL;
        }
        // validate_move_areas()
        if ((srcVma.vmFlags & Vma.VM_ACCESS_FLAGS) != (dstVma.vmFlags & Vma.VM_ACCESS_FLAGS)
                || (srcVma.vmFlags & Vma.VM_LOCKED) != (dstVma.vmFlags & Vma.VM_LOCKED)
                || (srcVma.vmFlags & Vma.VM_WRITE) == 0
                || (srcVma.vmFlags & Vma.VM_IO) != 0 || (dstVma.vmFlags & Vma.VM_IO) != 0
                || (!rap && !dstVma.uffdArmed())
                || !srcVma.isAnonymous() || !dstVma.isAnonymous()) {
            return -Errno.EINVAL;
        }
        return movePagesRange(mm, new PteMove(srcVma, dstVma, dst - src, allowSrcHoles, rap), src, len);
    }

    /**
     * move_pages()'s loop over [src, src+len): the page tables at both ends (mm_alloc_pmd,
     * __pte_alloc), then move_pages_pte(). Returns the bytes moved, or the error when none moved.
     *
     * <p>TLB flushes (6.18 mm/userfaultfd.c move_present_ptes()): present pages move in batches
     * inside one source and one destination pte table ("len = pmd_addr_end(dst_addr, dst_addr +
     * len) - dst_addr; src_end = pmd_addr_end(src_addr, src_addr + len)"); a batch also stops at a
     * page check_ptes_for_batched_move() refuses (not present, the zero page, not exclusive,
     * large, another anon_vma, its lock taken) and move_pages() calls again; each batch ends with
     * "if (src_addr &gt; src_start) flush_tlb_range(src_vma, src_start, src_addr)". The model runs
     * page by page and closes a batch where the kernel would: at a PMD boundary on either side, at
     * a page that is not a present page it moved, at the end. Simplified: a page of another
     * anon_vma (folio_anon_vma() differs, which the designs keep each their own way) does not end
     * the batch, and no lock is ever contended (the model is single-threaded).
     */
    long movePagesRange(Mm mm, PteMove m, long src, long len) {
        long moved = 0;
        long err = 0;
        long batchStart = 0; // the open batch, [batchStart, batchEnd) of src; empty when equal
        long batchEnd = 0;
        for (long s = src, d = src + m.delta(); s < src + len; s += Machine.PAGE_SIZE, d += Machine.PAGE_SIZE) {
            long sslot = PageTable.lookup(frames, mm.pgd, s);
            if (sslot < 0) {
                if (!m.allowSrcHoles()) {
                    err = -Errno.ENOENT;
                    break;
                }
                // mm_alloc_pmd + __pte_alloc: the kernel gives the hole a page table.
                if (PageTable.alloc(frames, mm, s) < 0) {
                    err = -Errno.ENOMEM;
                    break;
                }
            }
            long dslot = PageTable.alloc(frames, mm, d);
            if (dslot < 0) {
                err = -Errno.ENOMEM;
                break;
            }
            sslot = PageTable.lookup(frames, mm.pgd, s); // an allocation may have let reclaim run
            long presentBefore = uffdPagesMoved;
            err = movePagesPte(m, s, sslot, dslot);
            if (err != 0) {
                break;
            }
            moved += Machine.PAGE_SIZE;
            if (uffdPagesMoved == presentBefore) {
                flushBatch(batchStart, batchEnd); // a hole, a swap entry or the zero page ends it
                batchStart = batchEnd = 0;
            } else if (s == batchEnd && (s & (PageTable.PMD_SIZE - 1)) != 0 && (d & (PageTable.PMD_SIZE - 1)) != 0) {
                batchEnd += Machine.PAGE_SIZE; // check_ptes_for_batched_move() took it
            } else {
                flushBatch(batchStart, batchEnd);
                batchStart = s;
                batchEnd = s + Machine.PAGE_SIZE;
            }
        }
        flushBatch(batchStart, batchEnd);
        return moved != 0 ? moved : err;
    }

    /** The end of move_present_ptes(): flush_tlb_range(src_vma, src_start, src_addr), if it moved any. */
    private void flushBatch(long start, long end) {
        k.tlb.flushRange((end - start) >>> Machine.PAGE_SHIFT);
    }

    /**
     * move_pages_pte(): one page, from src (its pte at sslot) to src + delta (dslot):
     * move_present_pte, move_zeropage_pte or move_swap_pte.
     */
    long movePagesPte(PteMove m, long src, long sslot, long dslot) {
        Frames f = frames;
        long dpte = PageTable.get(f, dslot);
        if (dpte != 0) {
            return -Errno.EEXIST;
        }
        long spte = sslot < 0 ? 0 : PageTable.get(f, sslot);
        if (spte == 0) {
            return m.allowSrcHoles() ? 0 : -Errno.ENOENT; // nothing to do to move a hole
        }
        if (PageTable.present(spte)) {
            return movePresentPte(m, src, sslot, dslot);
        }
        if (!PageTable.isSwap(spte)) {
            return -Errno.EFAULT;
        }
        return moveSwapPte(m, src, sslot, dslot);
    }

    /** move_present_pte() / move_zeropage_pte(): the present pte at sslot goes to dslot. */
    long movePresentPte(PteMove m, long src, long sslot, long dslot) {
        Frames f = frames;
        Vma srcVma = m.srcVma();
        Vma dstVma = m.dstVma();
        long dst = src + m.delta();
        boolean rap = m.rap();
        long spte = PageTable.get(f, sslot);
        int pfn = PageTable.ptePfn(spte);
        if (pfn == Frames.ZERO_PFN) {
            // move_zeropage_pte(): a zero-page pte for dst, read-only and special; its
            // ptep_clear_flush() flushes the one page (flush_tlb_page).
            PageTable.set(f, sslot, 0);
            k.tlb.flushRange(1);
            PageTable.set(f, dslot, PageTable.mkpte(Frames.ZERO_PFN,
                    PageTable.PRESENT | PageTable.USER | PageTable.ACCESSED | PageTable.SPECIAL));
            uffdPtesRewritten++;
            uffdCopiesAvoided++;
            return 0;
        }
        // vm_normal_folio() && PageAnonExclusive (remap_anon_pages: page_mapcount == 1).
        if ((spte & PageTable.SPECIAL) != 0 || (f.flags[pfn] & Frames.PG_ANON) == 0) {
            return rap ? -Errno.EFAULT : -Errno.EBUSY;
        }
        if (rap ? f.mapcount[pfn] != 1 : (f.flags[pfn] & Frames.PG_ANON_EXCLUSIVE) == 0) {
            return -Errno.EBUSY;
        }
        if (rap) {
            // 2014 had no PageAnonExclusive: mapcount 1 was the rule. The model maps the page
            // writable at dst, so it must be exclusive: a page still in the swap cache may
            // have sharers behind swap entries, and is refused (model's choice).
            if ((f.flags[pfn] & Frames.PG_SWAPCACHE) != 0) {
                return -Errno.EBUSY;
            }
            f.flags[pfn] |= Frames.PG_ANON_EXCLUSIVE;
        }
        // move_present_pte(): ptep_clear_flush, folio_move_anon_rmap + index, set_pte_at.
        if (!FaultInject.on(FaultInject.Bug.UFFD_MOVE_LEAVES_SOURCE)) {
            PageTable.set(f, sslot, 0);
        }
        int e = design.pageMoveAnon(f, pfn, srcVma, src, sslot, dstVma, dst, dslot);
        if (e != 0) {
            PageTable.set(f, sslot, spte); // the design refuses: put the pte back
            return e;
        }
        long bits = PageTable.PRESENT | PageTable.USER | PageTable.ACCESSED | PageTable.DIRTY | PageTable.RW;
        PageTable.set(f, dslot, PageTable.mkpte(pfn, bits));
        uffdPagesMoved++;
        uffdPtesRewritten++;
        uffdRmapUpdates++;
        design.stats().rmapMoves++;
        uffdCopiesAvoided++;
        return 0;
    }

    /** move_swap_pte(): only an exclusive entry (remap_anon_pages: swap count 1). */
    long moveSwapPte(PteMove m, long src, long sslot, long dslot) {
        Frames f = frames;
        long spte = PageTable.get(f, sslot);
        long dst = src + m.delta();
        int slot = PageTable.swpSlot(spte);
        if (m.rap() ? k.swap.count[slot] != 1 : (spte & PageTable.SWP_EXCLUSIVE) == 0) {
            return -Errno.EBUSY;
        }
        int cached = k.swap.cachePfn(slot);
        if (cached >= 0 && f.mapcount[cached] == 0) {
            // The swap-cache folio moves with its entry (folio_move_anon_rmap + index).
            int e = design.pageMoveAnon(f, cached, m.srcVma(), src, -1, m.dstVma(), dst, -1);
            if (e != 0) {
                return e;
            }
            uffdRmapUpdates++;
            design.stats().rmapMoves++;
        }
        PageTable.set(f, sslot, 0);
        PageTable.set(f, dslot, spte);
        uffdPtesRewritten++;
        uffdCopiesAvoided++;
        return 0;
    }

    /**
     * mfill_atomic_install_pte() for UFFDIO_COPY: maps the new page {@code pfn} (refcount 1,
     * contents {@code value}) at addr of the registered vma. Private (mfill_atomic_pte_copy):
     * EFAULT past the end of a file the vma maps (mfill_file_over_size), EEXIST unless the pte is none, else folio_add_new_anon_rmap + folio_add_lru_vma: an
     * exclusive, dirty anonymous page, writable if the vma is. Shared (shmem_mfill_atomic_pte):
     * EFAULT past i_size, EEXIST when the page cache already holds a page or a swap entry at the
     * offset, shmem_add_to_page_cache (the allocation's reference becomes the cache's), EEXIST
     * unless the pte is none, then page_add_file_rmap with a dirty pte, writable if the vma is.
     * Returns 0 or -errno; on an error the page is still the caller's.
     */
    int mfillInstallPte(Vma vma, long addr, int pfn, long value) {
        Mm mm = vma.mm;
        Frames f = frames;
        // The kernel looks dst up again after the fallback copy (goto retry); in the model the
        // source fault cannot change the vmas, and the caller is alive.
        long slot = PageTable.lookup(f, mm.pgd, addr);
        if ((vma.vmFlags & Vma.VM_SHARED) == 0) {
            // mfill_file_over_size(): a private mapping of a file takes no copy past its end,
            // checked before the pte (EFAULT wins over EEXIST).
            if (vma.file != null && vma.linearPageIndex(addr) >= vma.file.sizePages()) {
                return -Errno.EFAULT;
            }
            if (PageTable.get(f, slot) != 0) {
                return -Errno.EEXIST;
            }
            k.memory.anonPagesAllocated++;
            uffdAnonPagesCopied++;
            f.content[pfn] = value;
            k.memory.newAnonPage(vma, addr, slot, pfn);
            return 0;
        }
        AddressSpace as = vma.file;
        long pgoff = vma.linearPageIndex(addr);
        long sizePages = as.sizePages();
        if (pgoff >= sizePages) {
            return -Errno.EFAULT;
        }
        if (as.findPage(pgoff) >= 0 || as.findSwap(pgoff) > 0 || PageTable.get(f, slot) != 0) {
            return -Errno.EEXIST;
        }
        f.content[pfn] = value;
        f.flags[pfn] = Frames.PG_SWAPBACKED;
        f.mapping[pfn] = as;
        f.index[pfn] = pgoff;
        as.addPage(pgoff, pfn);
        k.lru.add(pfn, false); // folio_add_lru() of a newly allocated cache page
        f.refcount[pfn]++;
        f.mapcount[pfn]++;
        long bits = PageTable.PRESENT | PageTable.USER | PageTable.ACCESSED | PageTable.DIRTY;
        if ((vma.vmFlags & Vma.VM_WRITE) != 0) {
            bits |= PageTable.RW;
        }
        design.stats().rmapAdds++;
        design.pageAddFileRmap(pfn, vma, addr, slot);
        PageTable.set(f, slot, PageTable.mkpte(pfn, bits));
        mm.rssShmem++;
        return 0;
    }
}
