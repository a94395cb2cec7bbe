package org.rmaplab.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;

import org.rmaplab.kernel.AddressSpace;
import org.rmaplab.kernel.Frames;
import org.rmaplab.kernel.Kernel;
import org.rmaplab.kernel.Mm;
import org.rmaplab.kernel.PageTable;
import org.rmaplab.kernel.Vma;
import org.rmaplab.rmap.RmapDesign;
import org.rmaplab.rmap.RmapSelfCheck;
import org.rmaplab.rmap.RmapWalkControl;

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
 *       and the address it covers, and the mm's count of tables is right;
 *   <li>every present pte lies in a vma of its mm, maps the zero page only read-only in a private
 *       vma, maps a writable page only if the vma allows writes and (private vma) the page is an
 *       exclusive anonymous page with one mapping, and maps a page-cache page only at the pgoff
 *       the vma gives its address;
 *   <li>each frame's mapcount equals the ptes found, its refcount equals mapcount (+1 for the
 *       page cache), no allocated frame is unaccounted for (no leak), the free count is right;
 *   <li>for every mapped page the design's reverse walk returns exactly the ptes the scan found;
 *   <li>the design's own invariants hold ({@link RmapSelfCheck});
 *   <li>every mapped page holds what the program last wrote there ({@link Shadow}).
 * </ol>
 */
public final class Oracle {
    private final Kernel k;
    private final Shadow shadow;
    private long checks;

    public Oracle(Kernel k, Shadow shadow) {
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
        IdentityHashMap<Integer, Object> unused = null;
        long[][] slotsByPfn = new long[n][];
        int[] slotCount = new int[n];
        for (Mm mm : k.mms()) {
            checkVmas(mm);
            long tables = scanTables(f, mm, mm.pgd(), 0, 0, tableOwners, seenMaps, slotsByPfn, slotCount);
            if (tables != mm.pgtables()) {
                fail(mm + " counts " + mm.pgtables() + " page-table frames but owns " + tables);
            }
        }
        checkIMmap();
        // Frames.
        int free = 0;
        for (int pfn = 0; pfn < n; pfn++) {
            int flags = f.flags[pfn];
            if (pfn == Frames.ZERO_PFN) {
                if (f.mapcount[pfn] != 0) {
                    fail("the zero page has mapcount " + f.mapcount[pfn]);
                }
                continue;
            }
            if (f.refcount[pfn] == 0) {
                free++;
                if (flags != 0 || f.mapcount[pfn] != 0 || f.mapping[pfn] != null || seenMaps[pfn] != 0) {
                    fail("free frame " + pfn + " has flags " + flags + " mapcount " + f.mapcount[pfn]
                            + " or is mapped by " + seenMaps[pfn] + " ptes");
                }
                continue;
            }
            if ((flags & Frames.PG_TABLE) != 0) {
                if (tableOwners[pfn] != 1) {
                    fail("page-table frame " + pfn + " is referenced " + tableOwners[pfn] + " times");
                }
                continue;
            }
            int mapped = seenMaps[pfn];
            if (f.mapcount[pfn] != mapped) {
                fail("pfn " + pfn + " has mapcount " + f.mapcount[pfn] + " but " + mapped + " ptes map it");
            }
            if ((flags & Frames.PG_ANON) != 0) {
                if (mapped == 0) {
                    fail("anonymous pfn " + pfn + " is allocated but mapped by no pte (leak)");
                }
                if (f.refcount[pfn] != mapped) {
                    fail("anonymous pfn " + pfn + " has refcount " + f.refcount[pfn] + " for " + mapped + " ptes");
                }
            } else if (f.mapping[pfn] instanceof AddressSpace as) {
                if (as.findPage(f.index[pfn]) != pfn) {
                    fail("page-cache pfn " + pfn + " is not in " + as + " at " + f.index[pfn]);
                }
                if (f.refcount[pfn] != mapped + 1) {
                    fail("page-cache pfn " + pfn + " has refcount " + f.refcount[pfn] + " for " + mapped + " ptes");
                }
            } else {
                fail("pfn " + pfn + " is allocated but neither anonymous, page cache nor page table (leak)");
            }
        }
        if (free != f.free()) {
            fail(free + " frames are free but the free list holds " + f.free());
        }
        // The design's walk against the scan.
        RmapDesign design = k.design();
        WalkCollector wc = new WalkCollector();
        for (int pfn = 1; pfn < n; pfn++) {
            if (slotCount[pfn] == 0) {
                continue;
            }
            wc.reset(f.mapcount[pfn]);
            design.rmapWalk(pfn, wc);
            HashSet<Long> expected = new HashSet<>();
            for (int i = 0; i < slotCount[pfn]; i++) {
                expected.add(slotsByPfn[pfn][i]);
            }
            if (wc.duplicate != null) {
                fail(design.name() + " walk of pfn " + pfn + " visited pte " + describe(f, wc.duplicate) + " twice");
            }
            if (!wc.found.equals(expected)) {
                List<String> missing = new ArrayList<>();
                for (Long s : expected) {
                    if (!wc.found.contains(s)) {
                        missing.add(describe(f, s));
                    }
                }
                List<String> extra = new ArrayList<>();
                for (Long s : wc.found) {
                    if (!expected.contains(s)) {
                        extra.add(describe(f, s));
                    }
                }
                fail(design.name() + " walk of pfn " + pfn + " missed " + missing + " and found extra " + extra);
            }
        }
        if (design instanceof RmapSelfCheck sc) {
            String err = sc.checkInvariants();
            if (err != null) {
                fail(design.name() + ": " + err);
            }
        }
        if (unused != null) {
            throw new AssertionError();
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
            if (v.start() >= v.end() || (v.start() & (Kernel.PAGE_SIZE - 1)) != 0 || (v.end() & (Kernel.PAGE_SIZE - 1)) != 0) {
                fail("vma " + v + " of " + mm + " is empty or unaligned");
            }
            if (v.start() < prevEnd) {
                fail("vma " + v + " of " + mm + " overlaps or is out of order");
            }
            if (v.end() > Kernel.TASK_SIZE) {
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
        java.util.Set<AddressSpace> files = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Mm mm : k.mms()) {
            for (int i = 0; i < mm.mapCount(); i++) {
                if (mm.vma(i).file() != null) {
                    files.add(mm.vma(i).file());
                }
            }
        }
        for (AddressSpace as : files) {
            for (Vma v : as.iMmap()) {
                if (v.file() != as || !k.mms().contains(v.mm) || v.mm.vmaLookup(v.start()) != v) {
                    fail(as + " i_mmap holds " + v + " which is not a live vma of it");
                }
            }
        }
    }

    private static boolean containsIdentity(List<Vma> l, Vma v) {
        for (Vma x : l) {
            if (x == v) {
                return true;
            }
        }
        return false;
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
                : level == 2 ? PageTable.PMD_SHIFT : Kernel.PAGE_SHIFT;
        for (int i = 0; i < PageTable.PTRS_PER_TABLE; i++) {
            long e = f.entry(t, i);
            if (e == 0) {
                continue;
            }
            long addr = base + ((long) i << shift);
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
        if (!PageTable.present(pte)) {
            fail(mm + " has a non-present, non-empty pte at 0x" + Long.toHexString(addr)
                    + " (swap entries do not exist yet)");
        }
        Vma vma = mm.vmaLookup(addr);
        if (vma == null) {
            fail(mm + " has a pte at 0x" + Long.toHexString(addr) + " outside every vma");
        }
        int pfn = PageTable.ptePfn(pte);
        boolean rw = PageTable.writable(pte);
        if (rw && (vma.flags() & Vma.VM_WRITE) == 0) {
            fail(mm + " pte at 0x" + Long.toHexString(addr) + " is writable in read-only vma " + vma);
        }
        long expected = shadow.expected(mm, vma, addr);
        if ((pte & PageTable.SPECIAL) != 0) {
            if (pfn != Frames.ZERO_PFN || rw || (vma.flags() & Vma.VM_SHARED) != 0) {
                fail(mm + " special pte at 0x" + Long.toHexString(addr) + " is not a read-only zero page in a private vma");
            }
            if (expected != 0) {
                fail(mm + " maps the zero page at 0x" + Long.toHexString(addr) + " where 0x"
                        + Long.toHexString(expected) + " was written");
            }
            return;
        }
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
            if (as == null || f.mapping[pfn] != as || f.index[pfn] != vma.linearPageIndex(addr)) {
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
        seenMaps[pfn]++;
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

    private static void fail(String msg) {
        throw new InvariantViolation(msg);
    }

    /** Collects a walk's ptes and stops once mapcount were found. */
    private static final class WalkCollector implements RmapWalkControl {
        final HashSet<Long> found = new HashSet<>();
        Long duplicate;
        int want;

        void reset(int mapcount) {
            found.clear();
            duplicate = null;
            want = mapcount;
        }

        @Override
        public boolean visit(Vma vma, long address, long ptep) {
            if (!found.add(ptep) && duplicate == null) {
                duplicate = ptep;
            }
            return false;
        }

        @Override
        public boolean done() {
            return found.size() >= want;
        }
    }
}
