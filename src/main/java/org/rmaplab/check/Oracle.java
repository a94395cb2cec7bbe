package org.rmaplab.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;

import org.rmaplab.mm.AddressSpace;
import org.rmaplab.mm.FileRmap;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.Mm;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.RmapDesign;
import org.rmaplab.mm.RmapSelfCheck;
import org.rmaplab.mm.RmapWalkControl;

/**
 * The full invariant check: a brute-force scan of every page table of every mm, compared with the
 * frames' counters, the vmas, the page cache, the design's reverse walk and the content shadow.
 * It uses nothing the design computes except the walk it is checking.
 *
 * <p>What it proves, after the operation it runs after:
 * <ol>
 *   <li>vmas of each mm are sorted, page-aligned, non-overlapping, at most max_map_count, and
 *       every file vma is on its file's i_mmap (and only those);
 *   <li>every page-table frame is reached from exactly one place of its mm's tree, records that mm
 *       and the address it covers, owns the table id its content names (one id per table, each
 *       owned id naming its frame back), and the mm's count of tables is right;
 *   <li>every present pte lies in a vma of its mm, maps the zero page only read-only in a private
 *       vma, maps a writable page only if the vma allows writes and (private vma) the page is an
 *       exclusive anonymous page with one mapping, and maps a page-cache page only at the pgoff
 *       the vma gives its address;
 *   <li>each frame's mapcount equals the ptes found, its refcount equals mapcount (+1 for the
 *       page cache), no allocated frame is unaccounted for (no leak), the free count is right and
 *       the free list (linked through lruNext) holds exactly the free frames, each once;
 *   <li>for every mapped page the design's reverse walk returns exactly the ptes the scan found —
 *       under a design that leaves the ptes of VM_LOCKED vmas unrecorded
 *       ({@link DesignTraits#unchainsLockedPtes}, pte_chains with wli's step (b)) exactly those of
 *       vmas without VM_LOCKED, none at all for a page mapped only from VM_LOCKED vmas; and a user
 *       page is {@code PG_MLOCKED} exactly when such a design, or one that keeps mlocked pages on
 *       today's unevictable list ({@link org.rmaplab.mm.ReclaimEra#mlockedOffLru}, anon_vma_chain),
 *       is in use and some pte of a VM_LOCKED vma maps it, and is on the LRU exactly when it is
 *       not {@code PG_MLOCKED};
 *   <li>the design's own invariants hold ({@link RmapSelfCheck});
 *   <li>every mapped page holds what the program last wrote there ({@link Shadow}).
 * </ol>
 * The residency of VM_LOCKED vmas is a property of a call, not of one state: {@link Residency},
 * which {@link CheckedSyscalls} runs around each call, judges it.
 */
public final class Oracle {
    private final Machine k;
    private final Shadow shadow;
    private long checks;

    public Oracle(Machine k, Shadow shadow) {
        this.k = k;
        this.shadow = shadow;
    }

    public long checks() {
        return checks;
    }

    /** Runs every check; throws {@link InvariantViolation} on the first that fails. */
    public void check() {
        checks++;
        Frames f = k.frames();
        int n = f.nrFrames();
        int[] seenMaps = new int[n];
        int[] tableOwners = new int[n];
        // pfn -> slots found by the scan (only for pages with mappings).
        long[][] slotsByPfn = new long[n][];
        int[] slotCount = new int[n];
        unchainsLocked = k.traits().unchainsLockedPtes();
        mlockTracked = unchainsLocked || k.traits().reclaim().mlockedOffLru();
        lockedMaps = new int[n];
        org.rmaplab.mm.Swapfile swap = k.swap();
        swapRefs = new int[Math.max(swap.nrSlots(), 1)];
        for (Mm mm : k.mms()) {
            checkMm(f, mm, tableOwners, seenMaps, slotsByPfn, slotCount);
        }
        checkFootprint();
        checkIMmap();
        checkSwap(f, swap);
        checkLru(f);
        checkFrames(f, seenMaps, tableOwners);
        checkFreeList(f);
        checkTableIds(f);
        checkRmapWalks(f, seenMaps, slotsByPfn, slotCount);
        checkDesignInvariants();
    }

    /**
     * The machine's running totals (what the Meter reads at every growth) are the sums over the
     * mms: vmas, PTE tables, their 4 MiB ranges, mms with tables below the pgd.
     */
    private void checkFootprint() {
        long vmas = 0;
        long pte = 0;
        long pte4M = 0;
        long withTables = 0;
        for (Mm mm : k.mms()) {
            vmas += mm.mapCount();
            pte += mm.pteTables();
            pte4M += mm.pteTables4M();
            withTables += mm.pgtables() > 1 ? 1 : 0;
        }
        org.rmaplab.mm.Footprint fp = k.footprint();
        if (fp.vmas() != vmas || fp.pteTables() != pte || fp.pteTables4M() != pte4M || fp.mmsWithTables() != withTables) {
            fail("the machine's totals say " + fp.vmas() + " vmas, " + fp.pteTables() + " PTE tables in "
                    + fp.pteTables4M() + " 4 MiB ranges, " + fp.mmsWithTables() + " mms with tables; the mms hold "
                    + vmas + ", " + pte + ", " + pte4M + ", " + withTables);
        }
    }

    /** One mm: its vmas, then its page tables, against its counts of tables and swap entries. */
    private void checkMm(Frames f, Mm mm, int[] tableOwners, int[] seenMaps, long[][] slotsByPfn, int[] slotCount) {
        checkVmas(mm);
        swapPtes = 0;
        pteTables = 0;
        pteTables4M = 0;
        long tables = scanTables(f, mm, mm.pgd(), 0, 0, tableOwners, seenMaps, slotsByPfn, slotCount);
        if (tables != mm.pgtables()) {
            fail(mm + " counts " + mm.pgtables() + " page-table frames but owns " + tables);
        }
        if (pteTables != mm.pteTables() || pteTables4M != mm.pteTables4M()) {
            fail(mm + " counts " + mm.pteTables() + " PTE tables in " + mm.pteTables4M() + " 4 MiB ranges but owns "
                    + pteTables + " in " + pteTables4M);
        }
        if (swapPtes != mm.swapents()) {
            fail(mm + " counts " + mm.swapents() + " swap entries but its ptes hold " + swapPtes);
        }
    }

    /** Every frame against the scan: the zero page, free frames, page tables, user pages; the free count. */
    private void checkFrames(Frames f, int[] seenMaps, int[] tableOwners) {
        int free = 0;
        for (int pfn = 0; pfn < f.nrFrames(); pfn++) {
            int flags = f.flags[pfn];
            if (pfn == Frames.ZERO_PFN) {
                if (f.mapcount[pfn] != 0) {
                    fail("the zero page has mapcount " + f.mapcount[pfn]);
                }
            } else if (f.refcount[pfn] == 0) {
                free++;
                if (flags != 0 || f.mapcount[pfn] != 0 || f.mapping[pfn] != null || seenMaps[pfn] != 0) {
                    fail("free frame " + pfn + " has flags " + flags + " mapcount " + f.mapcount[pfn]
                            + " or is mapped by " + seenMaps[pfn] + " ptes");
                }
            } else if ((flags & Frames.PG_TABLE) != 0) {
                if (!f.isTable(pfn)) {
                    fail("page-table frame " + pfn + " holds table id " + f.content[pfn] + " which it does not own");
                }
                if (tableOwners[pfn] != 1) {
                    fail("page-table frame " + pfn + " is referenced " + tableOwners[pfn] + " times");
                }
            } else {
                checkUserFrame(f, pfn, seenMaps[pfn]);
            }
        }
        if (free != f.free()) {
            fail(free + " frames are free but the free list holds " + f.free());
        }
    }

    /** An allocated user page: mapcount and PG_mlocked against the scan, then anonymous or page cache. */
    private void checkUserFrame(Frames f, int pfn, int mapped) {
        int flags = f.flags[pfn];
        if (f.mapcount[pfn] != mapped) {
            fail("pfn " + pfn + " has mapcount " + f.mapcount[pfn] + " but " + mapped + " ptes map it");
        }
        boolean mlocked = (flags & Frames.PG_MLOCKED) != 0;
        if (mlocked != (lockedMaps[pfn] > 0)) {
            fail("pfn " + pfn + (mlocked ? " is" : " is not") + " PG_mlocked but " + lockedMaps[pfn]
                    + " ptes of VM_LOCKED vmas map it" + (mlockTracked ? "" : " (the design keeps no PG_mlocked)"));
        }
        if ((flags & Frames.PG_ANON) != 0) {
            checkAnonFrame(f, pfn, mapped);
        } else if (f.mapping[pfn] instanceof AddressSpace as) {
            checkPageCacheFrame(f, pfn, mapped, as);
        } else {
            fail("pfn " + pfn + " is allocated but neither anonymous, page cache nor page table (leak)");
        }
    }

    /** An anonymous page is held by its ptes and the swap cache, and by nothing else. */
    private void checkAnonFrame(Frames f, int pfn, int mapped) {
        boolean cached = (f.flags[pfn] & Frames.PG_SWAPCACHE) != 0;
        if (mapped == 0 && !cached) {
            fail("anonymous pfn " + pfn + " is allocated but mapped by no pte and not in the swap cache (leak)");
        }
        if (f.refcount[pfn] != mapped + (cached ? 1 : 0)) {
            fail("anonymous pfn " + pfn + " has refcount " + f.refcount[pfn] + " for " + mapped + " ptes"
                    + (cached ? " and the swap cache" : ""));
        }
    }

    /** A page-cache page is in its file at its index, inside the file, held by its ptes and the cache. */
    private void checkPageCacheFrame(Frames f, int pfn, int mapped, AddressSpace as) {
        if (mapped > 0 && f.index[pfn] >= as.sizePages() && as.findPage(f.index[pfn]) != pfn) {
            // 2.6.0's truncate bug (docs/reference.md#wli-three-steps): truncated, out of the
            // cache, and still mapped where vmtruncate did not look.
            fail("page-cache pfn " + pfn + " of " + as + " at " + f.index[pfn] + " is mapped by " + mapped
                    + " ptes past the end of the file: truncated but not unmapped");
        }
        if (as.findPage(f.index[pfn]) != pfn) {
            fail("page-cache pfn " + pfn + " is not in " + as + " at " + f.index[pfn]);
        }
        if (f.refcount[pfn] != mapped + 1) {
            fail("page-cache pfn " + pfn + " has refcount " + f.refcount[pfn] + " for " + mapped + " ptes");
        }
        if (f.index[pfn] >= as.sizePages()) {
            fail("page-cache pfn " + pfn + " of " + as + " at " + f.index[pfn] + " lies beyond the end of the file");
        }
        long want = shadow.expectedShared(as, f.index[pfn]);
        if (f.content[pfn] != want) {
            fail("page-cache pfn " + pfn + " of " + as + " at " + f.index[pfn] + " holds 0x"
                    + Long.toHexString(f.content[pfn]) + " but 0x" + Long.toHexString(want) + " was last written there");
        }
    }

    /** The design's walk against the scan, for every mapped page. */
    private void checkRmapWalks(Frames f, int[] seenMaps, long[][] slotsByPfn, int[] slotCount) {
        for (int pfn = 1; pfn < f.nrFrames(); pfn++) {
            // Pages mapped only by unrecorded ptes (step (b)) are walked too: the walk must find none.
            if (seenMaps[pfn] == 0) {
                continue;
            }
            long[] expected = slotsByPfn[pfn] != null ? slotsByPfn[pfn] : NO_SLOTS;
            checkRmapWalk(f, pfn, expected, slotCount[pfn]);
        }
    }

    /** One page's walk visits each pte once and exactly the first {@code want} slots of {@code expected}. */
    private void checkRmapWalk(Frames f, int pfn, long[] expected, int want) {
        RmapDesign design = k.design();
        WalkCollector wc = walkCollector;
        wc.reset(f.mapcount[pfn]);
        // The oracle's walks are not the workload's: they leave the design's walk counters as they were.
        design.stats().pauseWalkCounting();
        design.rmapWalk(pfn, wc);
        // Nonlinear vmas: try_to_unmap_file's cluster scan (2.6.11) must reach the ptes the
        // design's walk leaves to it (none under pte_chains, whose chains hold them).
        k.scanNonlinear(pfn, wc);
        design.stats().resumeWalkCounting();
        java.util.Arrays.sort(expected, 0, want);
        java.util.Arrays.sort(wc.found, 0, wc.n);
        for (int i = 1; i < wc.n; i++) {
            if (wc.found[i] == wc.found[i - 1]) {
                fail(design.name() + " walk of pfn " + pfn + " visited pte " + describe(f, wc.found[i]) + " twice");
            }
        }
        if (!java.util.Arrays.equals(expected, 0, want, wc.found, 0, wc.n)) {
            failWalkMismatch(f, design, pfn, expected, want, wc);
        }
    }

    /** Names the ptes the walk missed and those it found but the scan did not. */
    private void failWalkMismatch(Frames f, RmapDesign design, int pfn, long[] expected, int want, WalkCollector wc) {
        List<String> missing = new ArrayList<>();
        List<String> extra = new ArrayList<>();
        HashSet<Long> got = new HashSet<>();
        for (int i = 0; i < wc.n; i++) {
            got.add(wc.found[i]);
        }
        HashSet<Long> exp = new HashSet<>();
        for (int i = 0; i < want; i++) {
            exp.add(expected[i]);
            if (!got.contains(expected[i])) {
                missing.add(describe(f, expected[i]));
            }
        }
        for (int i = 0; i < wc.n; i++) {
            if (!exp.contains(wc.found[i])) {
                extra.add(describe(f, wc.found[i]));
            }
        }
        fail(design.name() + " walk of pfn " + pfn + " missed " + missing + " and found extra " + extra);
    }

    /** The design's own invariants ({@link RmapSelfCheck}). */
    private void checkDesignInvariants() {
        RmapDesign design = k.design();
        if (design instanceof RmapSelfCheck sc) {
            String err = sc.checkInvariants();
            if (err != null) {
                fail(design.name() + ": " + err);
            }
        }
    }

    private static String describe(Frames f, long slot) {
        return PageTable.slotMm(f, slot) + "@0x" + Long.toHexString(PageTable.slotAddress(f, slot));
    }

    private void checkVmas(Mm mm) {
        if (mm.mapCount() > k.maxMapCount()) {
            fail(mm + " has " + mm.mapCount() + " vmas, more than max_map_count " + k.maxMapCount());
        }
        long prevEnd = 0;
        for (int i = 0; i < mm.mapCount(); i++) {
            Vma v = mm.vma(i);
            if (v.mm != mm) {
                fail("vma " + v + " of " + mm + " names another mm");
            }
            if (v.start() >= v.end() || (v.start() & (Machine.PAGE_SIZE - 1)) != 0 || (v.end() & (Machine.PAGE_SIZE - 1)) != 0) {
                fail("vma " + v + " of " + mm + " is empty or unaligned");
            }
            if (v.start() < prevEnd) {
                fail("vma " + v + " of " + mm + " overlaps or is out of order");
            }
            if (v.end() > Machine.TASK_SIZE) {
                fail("vma " + v + " of " + mm + " ends past TASK_SIZE");
            }
            if ((v.flags() & Vma.VM_SHARED) != 0 && v.file() == null) {
                fail("shared vma " + v + " of " + mm + " has no file");
            }
            if (v.file() != null && !containsIdentity(v.file().iMmap(), v)) {
                fail("file vma " + v + " of " + mm + " is not on its file's i_mmap");
            }
            prevEnd = v.end();
        }
    }

    private void checkIMmap() {
        java.util.Set<AddressSpace> files = liveFiles();
        boolean tree = k.traits().iMmapKind() == FileRmap.IMmap.INTERVAL_TREE;
        for (AddressSpace as : files) {
            Vma prev = null;
            for (Vma v : as.iMmap()) {
                if (v.file() != as || !k.mms().contains(v.mm) || v.mm.vmaLookup(v.start()) != v) {
                    fail(as + " i_mmap holds " + v + " which is not a live vma of it");
                }
                // The interval tree's in-order is by vm_pgoff (VmaOps.link and its re-insert). A
                // VM_GROWSDOWN vma is left out: expand_downwards() moves vm_pgoff without
                // touching i_mmap, in 6.18 as in the model.
                if (tree && (v.flags() & Vma.VM_GROWSDOWN) == 0) {
                    if (prev != null && prev.pgoff() > v.pgoff()) {
                        fail(as + " i_mmap (interval tree) holds " + prev + " before " + v + ": not in vm_pgoff order");
                    }
                    prev = v;
                }
            }
        }
    }

    /** Every file with a page cache: the files of live vmas (shmem objects too) and the named files. */
    private java.util.Set<AddressSpace> liveFiles() {
        java.util.Set<AddressSpace> files = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Mm mm : k.mms()) {
            for (int i = 0; i < mm.mapCount(); i++) {
                if (mm.vma(i).file() != null) {
                    files.add(mm.vma(i).file());
                }
            }
        }
        files.addAll(k.files());
        return files;
    }

    private static boolean containsIdentity(List<Vma> l, Vma v) {
        for (Vma x : l) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    /**
     * The free list, linked through lruNext: exactly {@code f.free()} frames, each free (refcount
     * 0, not the zero page), none twice, ending in -1.
     */
    private void checkFreeList(Frames f) {
        boolean[] seen = new boolean[f.nrFrames()];
        int n = 0;
        for (int pfn = f.freeListHead(); pfn != -1; pfn = f.freeListNext(pfn)) {
            if (pfn < 0 || pfn >= f.nrFrames() || n == f.free()) {
                fail("the free list runs past its " + f.free() + " frames (at " + pfn + ")");
            }
            if (seen[pfn] || !f.isFree(pfn)) {
                fail("the free list holds pfn " + pfn + (seen[pfn] ? " twice" : " which is not free"));
            }
            seen[pfn] = true;
            n++;
        }
        if (n != f.free()) {
            fail("the free list holds " + n + " frames but " + f.free() + " are counted free");
        }
    }

    /** Every owned table id belongs to a page-table frame whose content names it; one id per table. */
    private void checkTableIds(Frames f) {
        int owned = 0;
        for (int id = 0; id < f.tableIds(); id++) {
            int pfn = f.tableIdOwner(id);
            if (pfn < 0) {
                continue;
            }
            owned++;
            if ((f.flags[pfn] & Frames.PG_TABLE) == 0 || f.content[pfn] != id) {
                fail("table id " + id + " is owned by pfn " + pfn + " which is not the page-table frame naming it");
            }
        }
        if (owned != f.tables()) {
            fail(owned + " table ids are in use for " + f.tables() + " page-table frames");
        }
    }

    /** Walks one table (level 0 = PGD) and below; returns the number of table frames. */
    private long scanTables(Frames f, Mm mm, int t, int level, long base, int[] owners, int[] seenMaps,
                            long[][] slotsByPfn, int[] slotCount) {
        if (!f.isTable(t)) {
            fail(mm + " page table at level " + level + " points to non-table frame " + t);
        }
        owners[t]++;
        if (f.mapping[t] != mm) {
            fail("page-table frame " + t + " of " + mm + " records owner " + f.mapping[t]);
        }
        if (f.index[t] != base) {
            fail("page-table frame " + t + " of " + mm + " records address 0x" + Long.toHexString(f.index[t])
                    + " but covers 0x" + Long.toHexString(base));
        }
        long tables = 1;
        int shift = level == 0 ? PageTable.PGDIR_SHIFT : level == 1 ? PageTable.PUD_SHIFT
                : level == 2 ? PageTable.PMD_SHIFT : Machine.PAGE_SHIFT;
        for (int i = 0; i < PageTable.PTRS_PER_TABLE; i++) {
            long e = f.entry(t, i);
            if (e == 0) {
                continue;
            }
            long addr = base + ((long) i << shift);
            if (level == 2) {
                pteTables++;
                if ((i & 1) == 0 || f.entry(t, i - 1) == 0) {
                    pteTables4M++; // the first table of its 4 MiB pair
                }
            }
            if (level < 3) {
                tables += scanTables(f, mm, PageTable.ptePfn(e), level + 1, addr, owners, seenMaps, slotsByPfn, slotCount);
                continue;
            }
            checkPte(f, mm, addr, PageTable.slot(t, i), e, seenMaps, slotsByPfn, slotCount);
        }
        return tables;
    }

    private void checkPte(Frames f, Mm mm, long addr, long slot, long pte, int[] seenMaps,
                          long[][] slotsByPfn, int[] slotCount) {
        Vma vma = mm.vmaLookup(addr);
        if (vma == null) {
            fail(mm + " has a pte at 0x" + Long.toHexString(addr) + " outside every vma");
        }
        if (PageTable.isFile(pte)) {
            checkFilePte(mm, vma, addr, pte);
            return;
        }
        if (!PageTable.present(pte)) {
            if (!PageTable.isSwap(pte)) {
                fail(mm + " has a non-present pte at 0x" + Long.toHexString(addr) + " that is no swap entry");
            }
            checkSwapPte(f, mm, vma, addr, pte);
            return;
        }
        int pfn = PageTable.ptePfn(pte);
        boolean rw = PageTable.writable(pte);
        if (rw && (vma.flags() & Vma.VM_WRITE) == 0) {
            fail(mm + " pte at 0x" + Long.toHexString(addr) + " is writable in read-only vma " + vma);
        }
        long expected = shadow.expected(mm, vma, addr);
        if ((pte & PageTable.SPECIAL) != 0) {
            checkZeroPagePte(mm, vma, addr, pfn, rw, expected);
            return;
        }
        checkPageOfPte(f, mm, vma, addr, pfn, rw, expected);
        seenMaps[pfn]++;
        if (mlockTracked && (vma.flags() & Vma.VM_LOCKED) != 0) {
            lockedMaps[pfn]++;
            if (unchainsLocked) {
                return; // step (b): the design records no pte of a VM_LOCKED vma
            }
        }
        if (vma.isNonlinear() && !k.traits().chainsNonlinearPtes() && !FileRmap.clusterReachable(vma, addr)) {
            return; // past the last cluster 2.6.11's try_to_unmap_file can scan (RmapNonlinear)
        }
        addScannedSlot(pfn, slot, slotsByPfn, slotCount);
    }

    /** A special pte maps the zero page read-only in a private vma, where nothing was written. */
    private static void checkZeroPagePte(Mm mm, Vma vma, long addr, int pfn, boolean rw, long expected) {
        if (pfn != Frames.ZERO_PFN || rw || (vma.flags() & Vma.VM_SHARED) != 0) {
            fail(mm + " special pte at 0x" + Long.toHexString(addr) + " is not a read-only zero page in a private vma");
        }
        if (expected != 0) {
            fail(mm + " maps the zero page at 0x" + Long.toHexString(addr) + " where 0x"
                    + Long.toHexString(expected) + " was written");
        }
    }

    /**
     * The page a normal pte maps: allocated user memory, anonymous only in a private vma, a
     * page-cache page only at the vma's pgoff, writable in a private vma only if exclusively
     * anonymous, holding what was last written there.
     */
    private void checkPageOfPte(Frames f, Mm mm, Vma vma, long addr, int pfn, boolean rw, long expected) {
        if (pfn <= 0 || pfn >= f.nrFrames() || f.refcount[pfn] == 0 || (f.flags[pfn] & Frames.PG_TABLE) != 0) {
            fail(mm + " pte at 0x" + Long.toHexString(addr) + " maps pfn " + pfn + " which is free or a page table");
        }
        boolean anon = (f.flags[pfn] & Frames.PG_ANON) != 0;
        if ((vma.flags() & Vma.VM_SHARED) != 0) {
            if (anon) {
                fail(mm + " shared vma " + vma + " maps anonymous pfn " + pfn);
            }
        }
        if (!anon) {
            AddressSpace as = vma.file();
            if (as != null && f.mapping[pfn] == as && f.index[pfn] >= as.sizePages()) {
                // 2.6.0's truncate bug (docs/reference.md#wli-three-steps): truncated, and still
                // mapped where vmtruncate did not look.
                fail(mm + " pte at 0x" + Long.toHexString(addr) + " maps page " + f.index[pfn] + " of " + as
                        + " past the end of the file: truncated but not unmapped");
            }
            if (as == null || f.mapping[pfn] != as || f.index[pfn] != shadow.pgoffAt(mm, vma, addr)) {
                fail(mm + " pte at 0x" + Long.toHexString(addr) + " maps page-cache pfn " + pfn
                        + " that is not the vma's file page there");
            }
        }
        if (rw && (vma.flags() & Vma.VM_SHARED) == 0) {
            if (!anon || f.mapcount[pfn] != 1 || (f.flags[pfn] & Frames.PG_ANON_EXCLUSIVE) == 0) {
                fail(mm + " private writable pte at 0x" + Long.toHexString(addr) + " maps pfn " + pfn
                        + " which is not an exclusive anonymous page (COW broken)");
            }
        }
        if (f.content[pfn] != expected) {
            fail(mm + " page at 0x" + Long.toHexString(addr) + " holds 0x" + Long.toHexString(f.content[pfn])
                    + " but 0x" + Long.toHexString(expected) + " was last written there");
        }
    }

    /** Records a slot the scan found mapping pfn, growing that page's array as needed. */
    private static void addScannedSlot(int pfn, long slot, long[][] slotsByPfn, int[] slotCount) {
        long[] arr = slotsByPfn[pfn];
        if (arr == null) {
            arr = new long[2];
            slotsByPfn[pfn] = arr;
        } else if (slotCount[pfn] == arr.length) {
            arr = java.util.Arrays.copyOf(arr, arr.length * 2);
            slotsByPfn[pfn] = arr;
        }
        arr[slotCount[pfn]++] = slot;
    }

    private int[] swapRefs;
    private long swapPtes;
    /** PTE tables of the mm being scanned, and the 4 MiB ranges holding them (Mm#pteTables4M). */
    private long pteTables;
    private long pteTables4M;

    /** A swap pte: a used slot, in a private vma, holding what was last written there. */
    /**
     * A file pte (pte_file, 2.6.11) lies in a nonlinear vma and names the file page the shadow says
     * remap_file_pages put at addr; a pgoff inside the file holds what was last written there, in
     * the page cache or on swap, or is a hole reading 0 (truncated and grown again): reclaim never
     * loses a written page a file pte names. One past the end (after a truncation) reads SIGBUS
     * (do_file_page), which needs no page.
     */
    private void checkFilePte(Mm mm, Vma vma, long addr, long pte) {
        String at = mm + " file pte at 0x" + Long.toHexString(addr);
        if (!vma.isNonlinear()) {
            fail(at + " in linear vma " + vma);
        }
        long pgoff = PageTable.pteToPgoff(pte);
        if (pgoff != shadow.pgoffAt(mm, vma, addr)) {
            fail(at + " names file page " + pgoff + " but remap_file_pages put page "
                    + shadow.pgoffAt(mm, vma, addr) + " there");
        }
        AddressSpace as = vma.file();
        if (pgoff >= as.sizePages()) {
            return;
        }
        int pfn = as.findPage(pgoff);
        int s = as.findSwap(pgoff);
        org.rmaplab.mm.Swapfile swap = k.swap();
        long have = pfn >= 0 ? k.frames().content[pfn]
                : s > 0 ? (swap.cachePfn(s) >= 0 ? k.frames().content[swap.cachePfn(s)] : swap.data(s)) : 0;
        long want = shadow.expectedShared(as, pgoff);
        if (have != want) {
            fail(at + " names file page " + pgoff + " of " + as + ", which holds 0x" + Long.toHexString(have)
                    + " but 0x" + Long.toHexString(want) + " was last written there");
        }
    }

    private void checkSwapPte(Frames f, Mm mm, Vma vma, long addr, long pte) {
        org.rmaplab.mm.Swapfile swap = k.swap();
        int s = PageTable.swpSlot(pte);
        if (s <= 0 || s >= swap.nrSlots()) {
            fail(mm + " swap pte at 0x" + Long.toHexString(addr) + " names slot " + s + " outside the device");
        }
        if ((vma.flags() & Vma.VM_SHARED) != 0) {
            fail(mm + " swap pte at 0x" + Long.toHexString(addr) + " in shared vma " + vma);
        }
        swapRefs[s]++;
        swapPtes++;
        int cached = swap.cachePfn(s);
        long value = cached >= 0 ? f.content[cached] : swap.data(s);
        long expected = shadow.expected(mm, vma, addr);
        if (value != expected) {
            fail(mm + " page at 0x" + Long.toHexString(addr) + " is on swap slot " + s + " holding 0x"
                    + Long.toHexString(value) + " but 0x" + Long.toHexString(expected) + " was last written there");
        }
    }

    /** Swap counts equal the entries found (ptes and shmem objects); the swap cache is consistent. */
    private void checkSwap(Frames f, org.rmaplab.mm.Swapfile swap) {
        java.util.Set<AddressSpace> files = liveFiles();
        for (AddressSpace as : files) {
            for (long pgoff = as.nextEntry(0); pgoff >= 0; pgoff = as.nextEntry(pgoff + 1)) {
                int s = as.findSwap(pgoff);
                if (s == 0) {
                    continue;
                }
                if (s >= swap.nrSlots()) {
                    fail(as + " swap entry at " + pgoff + " names slot " + s + " outside the device");
                }
                swapRefs[s]++;
                long expected = shadow.expectedShared(as, pgoff);
                if (swap.data(s) != expected) {
                    fail(as + " page " + pgoff + " on swap slot " + s + " holds 0x" + Long.toHexString(swap.data(s))
                            + " but 0x" + Long.toHexString(expected) + " was last written there");
                }
            }
        }
        int used = 0;
        for (int s = 1; s < swap.nrSlots(); s++) {
            if (swap.count(s) != swapRefs[s]) {
                fail("swap slot " + s + " has count " + swap.count(s) + " but " + swapRefs[s] + " entries name it");
            }
            int pfn = swap.cachePfn(s);
            if (pfn >= 0) {
                if ((f.flags[pfn] & Frames.PG_SWAPCACHE) == 0 || f.swapSlot(pfn) != s || (f.flags[pfn] & Frames.PG_ANON) == 0) {
                    fail("swap slot " + s + " caches pfn " + pfn + " which is not its anonymous swap-cache page");
                }
            }
            if (!swap.isFree(s)) {
                used++;
            }
        }
        if (used != swap.used()) {
            fail(used + " swap slots are in use but the device counts " + swap.used());
        }
        for (int pfn = 1; pfn < f.nrFrames(); pfn++) {
            if ((f.flags[pfn] & Frames.PG_SWAPCACHE) != 0 && swap.cachePfn(f.swapSlot(pfn)) != pfn) {
                fail("pfn " + pfn + " says it is in the swap cache at slot " + f.swapSlot(pfn) + " but is not");
            }
        }
    }

    /** Every anonymous and page-cache page is on exactly one LRU list, as its flags say. */
    private void checkLru(Frames f) {
        org.rmaplab.mm.Lru lru = k.lru();
        int[] seen = new int[f.nrFrames()];
        for (boolean active : new boolean[] {false, true}) {
            int n = lru.walkList(active, pfn -> {
                seen[pfn]++;
                boolean isActive = (f.flags[pfn] & Frames.PG_ACTIVE) != 0;
                if ((f.flags[pfn] & Frames.PG_LRU) == 0 || isActive != active) {
                    fail("pfn " + pfn + " is on the " + (active ? "active" : "inactive") + " list with the wrong flags");
                }
            });
            if (n != (active ? lru.active() : lru.inactive())) {
                fail("the " + (active ? "active" : "inactive") + " list holds " + n + " pages but counts "
                        + (active ? lru.active() : lru.inactive()));
            }
        }
        for (int pfn = 1; pfn < f.nrFrames(); pfn++) {
            // A PG_mlocked page (step (b), today's mlock) is kept off the LRU: the unevictable list, not kept as a list.
            boolean user = f.refcount[pfn] > 0
                    && (f.flags[pfn] & (Frames.PG_TABLE | Frames.PG_RESERVED | Frames.PG_MLOCKED)) == 0;
            if (user != (seen[pfn] == 1) || seen[pfn] > 1) {
                fail("pfn " + pfn + " is on the LRU " + seen[pfn] + " times" + (user ? " but is a user page"
                        : (f.flags[pfn] & Frames.PG_MLOCKED) != 0 ? " but is PG_mlocked" : ""));
            }
        }
    }

    private static void fail(String msg) {
        throw new InvariantViolation(msg);
    }

    private final WalkCollector walkCollector = new WalkCollector();
    private static final long[] NO_SLOTS = new long[0];
    /** This check's design leaves the ptes of VM_LOCKED vmas unrecorded (step (b)). */
    private boolean unchainsLocked;
    /** Does the design keep mlocked pages PG_mlocked and off the LRU (step (b), or today's unevictable list)? */
    private boolean mlockTracked;
    /** Per pfn, the ptes of VM_LOCKED vmas found by this check's scan (counted under step (b) only). */
    private int[] lockedMaps;

    /** Collects a walk's ptes and stops once mapcount were found (or, on a bad walk, too many). */
    private static final class WalkCollector implements RmapWalkControl {
        long[] found = new long[16];
        int n;
        int want;

        void reset(int mapcount) {
            n = 0;
            want = mapcount;
        }

        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            if (n == found.length) {
                found = java.util.Arrays.copyOf(found, n * 2);
            }
            found[n++] = ptep;
            return n > 4 * want + 64; // a walk that runs away is stopped and reported
        }

        @Override
        public boolean done() {
            return n >= want;
        }
    }
}
