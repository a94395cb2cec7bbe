package org.rmaplab.rmap.lokier;

import java.util.ArrayList;

import org.rmaplab.mm.DesignTraits;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapHost;
import org.rmaplab.mm.RmapSelfCheck;
import org.rmaplab.mm.RmapStructure;
import org.rmaplab.mm.RmapWalkControl;

/**
 * Jamie Lokier's proposal of 12 March 2004 ("Re: anon_vma RFC2", linux-kernel:
 * docs/reference.md#lokier-offset-space), never built: anonymous memory treated like
 * a file. Each anonymous vma has an address_space and a page-&gt;offset range inside it (its
 * pgoff); offsets come from a bump counter with room reserved for growth; a vma that cannot grow
 * in its offset space is split, and the VM_GROUP ("mremap-group") flag keeps the pieces one
 * user-visible vma. See {@code package-info.java} for every choice made where the mail leaves one
 * open.
 *
 * <p>Per-vma state: {@code vma.rmapPriv} is the {@link Reservation} its offsets lie in (which names
 * the {@link AnonAddressSpace}); {@code vma.anonVma} is that address_space once the vma (or its
 * group) has anonymous pages. Per-mm state: {@code mm.rmapPriv} is the address_space the mm
 * allocates offsets from (shared with its fork children). Per page: {@code frames.mapping} = the
 * address_space, {@code frames.index} = the page's offset.
 */
public class LokierDesign implements RmapDesign, RmapSelfCheck, RmapStructure {
    /**
     * Lokier's step 2 (docs/reference.md#lokier-offset-space): "When it's about to wrap, allocate a
     * new address_space" (2^32 pages).
     */
    public static final long DEFAULT_WRAP_LIMIT = 1L << 32;
    /** Lokier's step 3 (docs/reference.md#lokier-offset-space): "a sane minimum such as 2^22". */
    public static final long DEFAULT_MIN_RESERVE = 1L << 22;

    private final long wrapLimit;
    private final long minReserve;
    private final long reserveNum;
    private final long reserveDen;
    final LokierStats stats = new LokierStats();
    RmapHost host;
    private Frames frames;
    /** address_spaces by id (index 0 unused); null once freed. */
    final ArrayList<AnonAddressSpace> spaces = new ArrayList<>();
    /** The live address_spaces of private file vmas' copies (package-info: private file mappings), in creation order. */
    final ArrayList<AnonAddressSpace> fileShadows = new ArrayList<>();

    /** The proposal's numbers: 2^32-page address_spaces, reserve = size clamped to [2^22, 2^32 - size]. */
    public LokierDesign() {
        this(DEFAULT_WRAP_LIMIT, DEFAULT_MIN_RESERVE, 1, 1);
    }

    /**
     * @param wrapLimit  pages in one address_space before a new one is started
     * @param minReserve the least extra room of a reservation, in pages
     * @param reserveNum the extra room is reserveNum/reserveDen of the allocation (mmap) or of the
     *                   whole user-visible region after growth (mremap, brk)
     * @param reserveDen see reserveNum
     */
    public LokierDesign(long wrapLimit, long minReserve, long reserveNum, long reserveDen) {
        if (wrapLimit <= 0 || wrapLimit > (1L << (AnonAddressSpace.OFFSET_BITS - 2)) || minReserve < 0
                || reserveNum < 0 || reserveDen <= 0) {
            throw new IllegalArgumentException("bad lokier parameters");
        }
        this.wrapLimit = wrapLimit;
        this.minReserve = minReserve;
        this.reserveNum = reserveNum;
        this.reserveDen = reserveDen;
        spaces.add(null);
    }

    /**
     * As the 2004 kernels lokier was proposed for did, fork copies every vma's ptes (lazy
     * page-table copies came in 2.6.14); refused merges of equal-flag anonymous vmas are hidden
     * with VM_GROUP (the mremap-groups of docs/reference.md#lokier-offset-space, step 4); mremap
     * keeps the vma's offsets, so ptes (and whole tables) move without telling anyone.
     */
    private static final DesignTraits TRAITS = DesignTraits.ERA_2004.withGroupsVmas(true);

    @Override
    public DesignTraits traits() {
        return TRAITS;
    }

    @Override
    public String name() {
        return "lokier";
    }

    @Override
    public void attach(RmapHost k) {
        this.host = k;
        this.frames = k.frames();
    }

    @Override
    public LokierStats stats() {
        return stats;
    }

    // ------------------------------------------------------------------ address_spaces

    private AnonAddressSpace newSpace() {
        AnonAddressSpace as = new AnonAddressSpace(spaces.size());
        spaces.add(as);
        stats.object("address_space", 1);
        return as;
    }

    /** Frees an address_space nothing uses any more (no mm allocates there, no offsets reserved). */
    private void maybeFree(AnonAddressSpace as) {
        if (as.fileShadow) {
            if (as.reservations.isEmpty() && fileShadows.remove(as)) {
                stats.object("address_space", -1);
            }
            return;
        }
        if (as.mmUsers == 0 && as.reservations.isEmpty() && spaces.get(as.id) == as) {
            spaces.set(as.id, null);
            stats.object("address_space", -1);
        }
    }

    /** The address_space of a stored offset. */
    private AnonAddressSpace spaceOf(long pgoff) {
        int id = (int) (pgoff >>> AnonAddressSpace.OFFSET_BITS);
        AnonAddressSpace as = id > 0 && id < spaces.size() ? spaces.get(id) : null;
        if (as == null) {
            throw new IllegalStateException("offset 0x" + Long.toHexString(pgoff) + " is in no address_space");
        }
        return as;
    }

    private Reservation reservationOf(long pgoff) {
        Reservation r = spaceOf(pgoff).find(pgoff);
        if (r == null) {
            throw new IllegalStateException("offset 0x" + Long.toHexString(pgoff) + " is in no reservation");
        }
        return r;
    }

    static Reservation res(Vma v) {
        return (Reservation) v.rmapPriv;
    }

    /** The address_space mm allocates from, following it to its successor once it is full. */
    private AnonAddressSpace current(Mm mm) {
        AnonAddressSpace as = (AnonAddressSpace) mm.rmapPriv;
        while (as.successor != null) {
            AnonAddressSpace next = as.successor;
            if (spaces.get(next.id) != next) {
                // The mms that moved on first have left it and it was freed: start another.
                next = newSpace();
                as.successor = next;
            }
            as.mmUsers--;
            next.mmUsers++;
            mm.rmapPriv = next;
            maybeFree(as);
            as = next;
        }
        return as;
    }

    /**
     * Lokier's steps 1-3 (docs/reference.md#lokier-offset-space): a reservation of {@code pages + extra}
     * offsets from mm's address_space by
     * bumping its counter, leaving one unused offset after it (so that two reservations are never
     * contiguous); a new address_space when the counter would pass the wrap limit. A reservation
     * larger than the limit gets a fresh address_space of its own (the model's offsets do not wrap).
     */
    private Reservation reserve(Mm mm, long pages, long extra, boolean exclusive) {
        AnonAddressSpace as = current(mm);
        long total = pages + extra;
        if (as.next > 0 && as.next + total > wrapLimit) {
            as.successor = newSpace();
            stats.wraps++;
            as = current(mm);
        }
        Reservation r = new Reservation(as, as.base + as.next, as.base + as.next + total, exclusive);
        as.next += total + 1;
        as.reservations.add(r);
        stats.reservationsAllocated++;
        stats.object("reservation", 1);
        return r;
    }

    /**
     * Lokier's step 3 (docs/reference.md#lokier-offset-space): "extra space ... proportional to the
     * allocation, or the total size of the
     * region after mremap(), and clamped to a sane maximum such as 4G minus size, and a sane minimum
     * such as 2^22".
     */
    long extra(long pages, long basisPages) {
        long want = basisPages > Long.MAX_VALUE / Math.max(1, reserveNum)
                ? Long.MAX_VALUE : basisPages * reserveNum / reserveDen;
        want = Math.max(want, minReserve);
        return Math.min(want, Math.max(wrapLimit - pages, 0));
    }

    /**
     * The address_space for the private copies of a private file vma, made at its first
     * copy (anon_vma_prepare's place): base 0, so a copy's offset is the file offset it copies
     * (linear_page_index, as anon_vma gives it), and one reservation over every offset, in which
     * the vma and its splits, fork copies and mremap copies are indexed.
     */
    private Reservation newFileShadow() {
        AnonAddressSpace as = new AnonAddressSpace(0);
        as.fileShadow = true;
        fileShadows.add(as);
        stats.object("address_space", 1);
        Reservation r = new Reservation(as, 0, Long.MAX_VALUE, true);
        as.reservations.add(r);
        stats.reservationsAllocated++;
        stats.object("reservation", 1);
        return r;
    }

    private void freeReservation(Reservation r) {
        r.as.reservations.remove(r);
        stats.object("reservation", -1);
        maybeFree(r.as);
    }

    // ------------------------------------------------------------------ mm lifecycle

    /** A fresh mm (exec): a fresh address_space. */
    @Override
    public void mmInit(Mm mm) {
        AnonAddressSpace as = newSpace();
        as.mmUsers++;
        mm.rmapPriv = as;
    }

    /** fork: the child allocates from the parent's address_space (its vmas share the offsets). */
    @Override
    public void mmFork(Mm parent, Mm child) {
        AnonAddressSpace as = current(parent);
        as.mmUsers++;
        child.rmapPriv = as;
    }

    @Override
    public void mmExit(Mm mm) {
        AnonAddressSpace as = (AnonAddressSpace) mm.rmapPriv;
        mm.rmapPriv = null;
        as.mmUsers--;
        maybeFree(as);
    }

    // ------------------------------------------------------------------ offsets of new ranges

    /**
     * Where a new private anonymous range gets its offsets. mmap (and mremap's copy of a vma with no
     * pages) first tries a neighbour's reservation (step 5), else takes a fresh one — not exclusive
     * for mmap, the vma in its middle so that it can merge with mappings placed below it (mmap is
     * top-down) and grow above; exclusive for mremap's copy, the vma at its bottom. Growth (brk, and
     * the core's grown part when {@link #canExpandAnon} said no) extends the vma before the range if
     * its reservation has room, else splits: a fresh exclusive reservation whose room is
     * proportional to the whole user-visible region after growth.
     */
    @Override
    public long anonPgoff(Mm mm, long start, long end, long vmFlags, int why, long regionStart) {
        long pages = (end - start) >>> PageTable.PAGE_SHIFT;
        if ((vmFlags & Vma.VM_GROWSDOWN) != 0 && (why == ANON_MMAP || why == ANON_GROW_DOWN)) {
            // The mail: "VM_GROWSDOWN vmas might want to record a reservation down rather than
            // up": a stack's room is below its offsets, in a reservation of its own; a grown part
            // that found no room below is a split of the stack (step 3 for the region grown).
            long region = pages;
            if (why == ANON_GROW_DOWN) {
                stats.growthSplits++;
                for (Vma v = mm.findVma(end); v != null && v.start() == end; v = mm.nextOf(v)) {
                    region += v.pages();
                    end = v.end();
                    if (mm.nextOf(v) == null || (mm.nextOf(v).flags() & Vma.VM_GROUP) == 0) {
                        break;
                    }
                }
            }
            long extra = extra(pages, region);
            return reserve(mm, pages, extra, true).lo + extra;
        }
        if (why == ANON_BRK || why == ANON_GROW) {
            Vma prev = mm.vmaBefore(start);
            if (prev != null && prev.end() == start && prev.file() == null && prev.rmapPriv != null
                    && ((prev.flags() ^ vmFlags) & ~(Vma.VM_GROUP | Vma.VM_IGNORE_MERGE)) == 0) {
                long from = prev.pgoff() + prev.pages();
                if (why == ANON_BRK && canTake(prev, from, pages)) {
                    return from; // the heap vma simply grows
                }
                stats.growthSplits++;
                long region = (end - regionStart) >>> PageTable.PAGE_SHIFT;
                return reserve(mm, pages, extra(pages, region), true).lo;
            }
        }
        long claimed = claim(mm, start, end, pages);
        if (claimed >= 0) {
            return claimed;
        }
        if (why == ANON_COPY || why == ANON_GROW) {
            long region = (end - regionStart) >>> PageTable.PAGE_SHIFT;
            return reserve(mm, pages, extra(pages, region), true).lo;
        }
        long extra = extra(pages, pages);
        return reserve(mm, pages, extra, false).lo + extra / 2;
    }

    /** May prev take the offsets [from, from + pages) (its reservation's, unused in its mm)? */
    private static boolean canTake(Vma prev, long from, long pages) {
        Reservation r = res(prev);
        return from + pages <= r.hi && r.free(prev.mm, from, from + pages, prev);
    }

    /**
     * Lokier's step 5 (docs/reference.md#lokier-offset-space): "look at the nearby preceding or following
     * vma in the virtual address space.
     * If the amount of page-&gt;offset space reserved by those vmas is large enough, we can claim some
     * of that reservation for the new allocation. If our good neighbour is adjacent to the new vma,
     * that means the neighbour vma is simply grown. Otherwise, it means we create a new vma which is
     * vm_offset-compatible with its neighbour, allowing them to merge if the hole between is
     * filled." The nearer neighbour is tried first (the preceding one on a tie); the range gets the
     * offsets linear with the neighbour's, if they lie in its reservation, that reservation is not
     * exclusive, and no vma of this mm uses them. Returns the pgoff, or -1.
     */
    private long claim(Mm mm, long start, long end, long pages) {
        Vma prev = mm.vmaBefore(start);
        Vma next = mm.findVma(start);
        if (prev != null && prev.end() > start) {
            prev = null; // cannot happen: the range is free
        }
        Vma first = prev;
        Vma second = next;
        if (prev == null || (next != null && next.start() - end < start - prev.end())) {
            first = next;
            second = prev;
        }
        long c = claimFrom(first, mm, start, pages);
        if (c < 0) {
            c = claimFrom(second, mm, start, pages);
        }
        if (c >= 0) {
            stats.claims++;
        }
        return c;
    }

    private static long claimFrom(Vma nb, Mm mm, long start, long pages) {
        if (nb == null || nb.file() != null || nb.rmapPriv == null) {
            return -1;
        }
        Reservation r = res(nb);
        if (r.exclusive) {
            return -1;
        }
        long off = nb.pgoff() + ((start - nb.start()) >> PageTable.PAGE_SHIFT);
        if (off < r.lo || off + pages > r.hi || !r.free(mm, off, off + pages, null)) {
            return -1;
        }
        return off;
    }

    /** Growth in place: the offsets after the vma must be its reservation's and unused in its mm. */
    @Override
    public boolean canExpandAnon(Vma vma, long delta) {
        if (vma.rmapPriv == null) {
            return true;
        }
        return canTake(vma, vma.pgoff() + vma.pages(), delta >>> PageTable.PAGE_SHIFT);
    }

    /**
     * A stack grows down: the offsets below its own must be its reservation's and unused in its
     * mm (mmap put a stack at the top of a reservation of its own, so only a full reservation or
     * {@code lokier:noreserve} says no).
     */
    @Override
    public boolean canExpandAnonDown(Vma vma, long grow) {
        Reservation r = res(vma);
        if (r == null) {
            return true;
        }
        long from = vma.pgoff() - grow;
        return from >= r.lo && r.free(vma.mm, from, vma.pgoff(), vma);
    }

    /** Growth of a moved part: the offsets after the moved part, as for {@link #canExpandAnon}. */
    @Override
    public boolean canGrowMovedAnon(Vma vma, long addr, long len, long delta) {
        if (vma.rmapPriv == null) {
            return true;
        }
        long from = vma.linearPageIndex(addr + len);
        long pages = delta >>> PageTable.PAGE_SHIFT;
        Reservation r = res(vma);
        return from + pages <= r.hi && r.free(vma.mm, from, from + pages, null);
    }

    // ------------------------------------------------------------------ vma lifecycle

    /**
     * vma_link() → vma_interval_tree_insert(): every private anonymous vma is indexed in the
     * reservation its offsets lie in, from the moment it is mapped (its offsets are taken then).
     */
    @Override
    public void vmaLinked(Vma vma) {
        if (vma.file() != null) {
            if (res(vma) != null) {
                res(vma).insert(vma); // a split, fork copy or mremap copy of a private file vma with copies
                stats.rmapVmaOps++;
            }
            return;
        }
        Reservation r = res(vma);
        if (r == null) {
            r = reservationOf(vma.pgoff());
            vma.rmapPriv = r;
        }
        r.insert(vma);
        stats.rmapVmaOps++;
    }

    /**
     * anon_vma_prepare()'s place: the first anonymous page of a vma. Its offsets were assigned at
     * mmap; now its address_space pointer is set — for every vma of its group, which is one
     * user-visible vma with one anon state.
     */
    @Override
    public int anonVmaPrepare(Vma vma) {
        if (vma.anonVma != null) {
            return 0;
        }
        if (vma.file() != null) {
            if (vma.rmapPriv == null) {
                Reservation r = newFileShadow();
                vma.rmapPriv = r;
                r.insert(vma);
                stats.rmapVmaOps++;
            }
            vma.anonVma = res(vma).as;
            return 0;
        }
        if (vma.rmapPriv == null) {
            throw new IllegalStateException("lokier: anonymous page in " + vma + ", which has no offsets");
        }
        Mm mm = vma.mm;
        Vma head = vma;
        for (Vma p = mm.prevOf(head); (head.flags() & Vma.VM_GROUP) != 0 && p != null && p.end() == head.start();
                p = mm.prevOf(head)) {
            head = p;
        }
        Vma v = head;
        while (true) {
            if (v.anonVma == null && v.rmapPriv != null) {
                v.anonVma = res(v).as;
            }
            Vma n = mm.nextOf(v);
            if (n == null || (n.flags() & Vma.VM_GROUP) == 0 || n.start() != v.end()) {
                break;
            }
            v = n;
        }
        return 0;
    }

    /** fork: the child's vma covers the same offsets of the same address_space (like anon_vma_link). */
    @Override
    public int vmaFork(Vma src, Vma dst) {
        dst.anonVma = src.anonVma;
        dst.rmapPriv = src.rmapPriv; // vmaLinked inserts dst
        return 0;
    }

    /** __split_vma(): both pieces keep their offsets, in the same reservation. */
    @Override
    public int vmaSplit(Vma orig, Vma piece) {
        piece.anonVma = orig.anonVma;
        piece.rmapPriv = orig.rmapPriv; // vmaLinked inserts piece; vmaAdjusted re-sorts orig
        return 0;
    }

    /**
     * copy_vma(): dst keeps src's offsets (or has new ones, for a vma with no pages), and shares its
     * anon state; for a new dst, vmaLinked indexes it by its pgoff.
     */
    @Override
    public int vmaCopy(Vma src, Vma dst) {
        if (dst.file() != null) {
            // Private file mappings (package-info): the copy (or the merged vma that takes src's pages) shares src's copies.
            if (src.rmapPriv != null && dst.rmapPriv == null) {
                dst.rmapPriv = src.rmapPriv;
                dst.anonVma = src.anonVma;
                if (dst.mm.vmaLookup(dst.start()) == dst) {
                    res(dst).insert(dst); // already linked (a merge target); else vmaLinked does it
                    stats.rmapVmaOps++;
                }
            }
            return 0;
        }
        if (src.anonVma != null && dst.anonVma == null) {
            dst.anonVma = dst.rmapPriv != null ? res(dst).as : spaceOf(dst.pgoff());
        }
        return 0;
    }

    /** Two anonymous vmas merge when their offsets are contiguous, which implies one address_space. */
    @Override
    public boolean isMergeableAnonVma(Vma tgt, Object srcAnon, Vma src) {
        return tgt.anonVma == null || srcAnon == null || tgt.anonVma == srcAnon;
    }

    @Override
    public boolean anonVmasCompatible(Vma prev, Vma next) {
        return prev.anonVma == null || next.anonVma == null || prev.anonVma == next.anonVma;
    }

    /** vma_expand() with a removed vma: the survivor takes its anon state, removed leaves the index. */
    @Override
    public int vmaMerged(Vma survivor, Vma removed) {
        vmaCopy(removed, survivor);
        vmaUnlinked(removed);
        return 0;
    }

    /** vma_interval_tree pre/post update: the vma's pgoff may have changed; keep the order. */
    @Override
    public void vmaAdjusted(Vma vma, long oldStart, long oldEnd, long oldPgoff) {
        Reservation r = res(vma);
        if (r != null && vma.pgoff() != oldPgoff) {
            r.remove(vma);
            r.insert(vma);
            stats.rmapVmaOps += 2;
        }
    }

    /** The vma is gone: out of the index; a reservation with no vma left is given up. */
    @Override
    public void vmaUnlinked(Vma vma) {
        Reservation r = res(vma);
        vma.rmapPriv = null;
        vma.anonVma = null;
        if (r == null) {
            return;
        }
        r.remove(vma);
        stats.rmapVmaOps++;
        if (r.vmas.isEmpty()) {
            freeReservation(r);
        }
    }

    /** MREMAP_DONTUNMAP emptied vma: no pages, but it keeps its offsets (the core keeps its pgoff). */
    @Override
    public void vmaAnonReset(Vma vma) {
        vma.anonVma = null;
    }

    // ------------------------------------------------------------------ pages

    /** page-&gt;mapping = the address_space, page-&gt;index = the page's offset (like a file page). */
    @Override
    public void pageAddNewAnon(int pfn, Vma vma, long address, long ptep) {
        frames.mapping[pfn] = res(vma).as;
        frames.index[pfn] = vma.linearPageIndex(address);
    }

    /** fork: the child's pte maps the page at the same offset; nothing to record. */

    /** A reused page stays where it is: the writer's vma covers its offset already. */
    @Override
    public void pageReuseAnon(int pfn, Vma vma, long address) {
    }

    /**
     * UFFDIO_MOVE under lokier: anonymous pages live in an offset space, so the page takes the
     * destination's offset (linear_page_index in dstVma) in the destination's address_space.
     */
    @Override
    public int pageMoveAnon(Frames f, int pfn, Vma srcVma, long srcAddr, long srcPtep, Vma dstVma,
            long dstAddr, long dstPtep) {
        f.mapping[pfn] = res(dstVma).as;
        f.index[pfn] = dstVma.linearPageIndex(dstAddr);
        return 0;
    }

    // ------------------------------------------------------------------ walk

    /**
     * The walk of a file page, for anonymous pages too (rmap_walk_file's way): the vmas of the
     * page's address_space whose offsets cover page-&gt;index — found by the reservation holding the
     * offset, then its vmas in pgoff order.
     */
    @Override
    public void rmapWalk(int pfn, RmapWalkControl ctl) {
        stats.beginWalk();
        if ((frames.flags[pfn] & Frames.PG_ANON) == 0) {
            host.rmapWalkFile(pfn, ctl, stats, traits().iMmapKind());
            return;
        }
        AnonAddressSpace as = (AnonAddressSpace) frames.mapping[pfn];
        if (as == null) {
            return;
        }
        long pgoff = frames.index[pfn];
        Reservation r = as.find(pgoff);
        if (r == null) {
            return;
        }
        ArrayList<Vma> l = r.vmas;
        for (int i = 0, n = l.size(); i < n; i++) {
            Vma vma = l.get(i);
            if (vma.pgoff() > pgoff) {
                break;
            }
            if (org.rmaplab.mm.FaultInject.on(org.rmaplab.mm.FaultInject.Bug.LOKIER_WALK_SKIPS_VMA) && n > 1 && i == n - 1) {
                continue;
            }
            long address = vma.addressOf(pgoff);
            if (address < 0) {
                continue;
            }
            stats.walkVisit(vma.mm, vma);
            long slot = host.pageMappedAt(pfn, vma, address);
            if (slot < 0) {
                continue;
            }
            if (ctl.visit(vma, address, slot) || ctl.done()) {
                return;
            }
        }
    }

    // ------------------------------------------------------------------ for the explorer

    /**
     * Lokier's structure for the page: page-&gt;mapping's anonymous address_space (its bump
     * counter and successor), its reservations in offset order (the first 16), the page's own with
     * the vmas it holds, sorted by pgoff: the vmas the walk looks at.
     */
    @Override
    public RmapStructure.Node pageStructure(int pfn) {
        if ((frames.flags[pfn] & Frames.PG_ANON) == 0) {
            return host.fileStructure(pfn, traits().iMmapKind()); // i_mmap, as rmapWalk's file walk
        }
        if (!(frames.mapping[pfn] instanceof AnonAddressSpace as)) {
            return null;
        }
        RmapStructure.Node top = new RmapStructure.Node("address_space", "page->mapping: " + as + " (next 0x"
                + Long.toHexString(as.next) + ", " + as.mmUsers + " mms"
                + (as.successor != null ? ", full: successor " + as.successor : "") + ")");
        Reservation mine = as.find(frames.index[pfn]);
        int shown = 0;
        for (Reservation r : as.reservations) {
            if (r != mine && shown >= 16) {
                continue;
            }
            shown++;
            RmapStructure.Node rn = top.add("reservation", r + (r == mine ? " ← the page's" : ""));
            if (r == mine) {
                for (Vma v : r.vmas) {
                    rn.add("vma", "vma " + RmapStructure.vmaLabel(v));
                }
            }
        }
        return top;
    }

    // ------------------------------------------------------------------ for tests and reports

    /** Live address_spaces. */
    public int addressSpaces() {
        int n = 0;
        for (AnonAddressSpace as : spaces) {
            n += as != null ? 1 : 0;
        }
        return n;
    }

    /** The id of the address_space vma's offsets are in (0 for a vma without offsets). */
    public static int addressSpaceId(Vma vma) {
        Reservation r = res(vma);
        return r == null ? 0 : r.as.id;
    }

    /** The offset of vma's first page inside its address_space (page-&gt;index without the id). */
    public static long offsetInSpace(Vma vma) {
        Reservation r = res(vma);
        return r == null ? -1 : vma.pgoff() - r.as.base;
    }

    /** Free offsets above vma in its reservation (its reserve), or -1 without one. */
    public static long reserveAbove(Vma vma) {
        Reservation r = res(vma);
        return r == null ? -1 : r.hi - (vma.pgoff() + vma.pages());
    }

    /** True if vma's reservation is exclusive (made by mremap or brk growth). */
    public static boolean exclusive(Vma vma) {
        Reservation r = res(vma);
        return r != null && r.exclusive;
    }

    // ------------------------------------------------------------------ invariants

    /**
     * Every private anonymous vma is indexed once in a live reservation of a live address_space that
     * holds its offsets, and its anon state is that address_space or none; reservations hold only
     * live vmas, in pgoff order, and are disjoint; VM_GROUP joins only what may be grouped, and a
     * group has one anon state; the object counts and mm counts match.
     */
    @Override
    public String checkInvariants() {
        return new LokierSelfCheck(this).check();
    }
}
