package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.FailingDesign.Hook;
import org.rmaplab.rmap.RmapDesigns;

/**
 * mm/vma.c's own tests: the cases of Linux's tools/testing/vma/vma.c (each test is named after
 * the C test it mirrors), run under every design and variant of {@link RmapDesigns#everyName()}.
 * The state is built through the system calls (mmap, writes that fault pages, madvise, fork) of a
 * checked machine, then {@link VmaOps} is called directly where the C test calls vma.c directly
 * (vma_merge_new_range, vma_modify, copy_vma, __split_vma). The design is wrapped in a
 * {@link FailingDesign}, which plays {@code fail_prealloc}: its allocating hooks return -ENOMEM
 * when told to.
 *
 * <p>After each step: the vmas (range, pgoff, flags, anon state shared or not), the oracle's full
 * check ({@link CheckedSyscalls#checkNow()}: page tables, mapcounts, the design's reverse walk of
 * every page and its self-check) and the counters {@code vma_splits} / {@code vma_merges}.
 *
 * <p>Where the designs legitimately differ, the assertion is per design and names the era's rule:
 * 2.6.0 (pte_chains) and 2.6.6 (anonmm) merge anonymous vmas whatever their pgoff and anon state
 * (can_vma_merge_after() returned 1 for any anonymous mapping); lokier allocates its offsets
 * ({@link RmapDesign#anonPgoff}) and hides a refused merge between equal-flag anonymous vmas with
 * VM_GROUP ({@link VmaOps#regroup}). Pages are 4 KiB; page n of the test is {@code pg(n)}, in a
 * 32-page hole.
 */
class VmaOpsTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int FIXED = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_FIXED;

    static Stream<String> designs() {
        return RmapDesigns.everyName().stream();
    }

    String name;
    FailingDesign fd;
    Machine k;
    CheckedSyscalls s;
    Task t;
    Mm mm;
    long a;

    void boot(String design) {
        name = design;
        fd = new FailingDesign(RmapDesigns.create(design));
        k = new Machine(MachineConfig.defaults().withRam(16L << 20), fd);
        s = new CheckedSyscalls(k, CheckPolicy.EVERY);
        t = s.initTask();
        mm = t.mm();
        a = s.mmap(t, 0, 32 * P, Mman.PROT_NONE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        assertEquals(0, s.munmap(t, a, 32 * P));
    }

    long pg(long n) {
        return a + n * P;
    }

    /** 2.6.0's and 2.6.6's vma_merge: any two anonymous vmas of equal flags merge (no anon rule, no pgoff). */
    boolean mergesAnyAnon() {
        return !k.traits.anonMergeNeedsPgoff();
    }

    boolean lokier() {
        return k.traits.groupsVmas();
    }

    Vma vma(long addr) {
        Vma v = mm.vmaLookup(addr);
        assertNotNull(v, name + ": no vma at page " + (addr - a) / P);
        return v;
    }

    /** The vmas in the test's hole, as "START-END" in test pages (",G" when VM_GROUP continues the previous one). */
    String layout() {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < mm.mapCount(); i++) {
            Vma v = mm.vma(i);
            if (v.end() <= a || v.start() >= pg(32)) {
                continue;
            }
            l.add(((v.start() - a) / P) + "-" + ((v.end() - a) / P) + ((v.flags() & Vma.VM_GROUP) != 0 ? "G" : ""));
        }
        return String.join(" ", l);
    }

    void assertVma(Vma v, long startPage, long endPage) {
        assertEquals(pg(startPage), v.start(), name + ": start of " + v + " in " + layout());
        assertEquals(pg(endPage), v.end(), name + ": end of " + v + " in " + layout());
    }

    /** Every vma in pages [from, to) has the anon state {@code anon}. */
    void assertOneAnon(long from, long to, Object anon) {
        for (long p = from; p < to; p++) {
            assertSame(anon, vma(pg(p)).anonVma, name + ": anon state at page " + p + " in " + layout());
        }
    }

    long counter(String c) {
        return k.counters().get(c);
    }

    /** The counters that must not move when a call fails. */
    Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        m.put("vma_splits", counter("vma_splits"));
        m.put("vma_merges", counter("vma_merges"));
        m.put("frames_used", counter("frames_used"));
        m.put("pagetable_frames", counter("pagetable_frames"));
        for (Map.Entry<String, Long> e : k.design.stats().asMap().entrySet()) {
            if (e.getKey().endsWith("_alive")) {
                m.put(e.getKey(), e.getValue());
            }
        }
        return m;
    }

    /** Every vma of mm: range, pgoff, flags, file and anon state, by identity. */
    record VmaState(Vma vma, long start, long end, long pgoff, long flags, Object anon) {}

    List<VmaState> vmas() {
        List<VmaState> l = new ArrayList<>();
        for (int i = 0; i < mm.mapCount(); i++) {
            Vma v = mm.vma(i);
            l.add(new VmaState(v, v.start(), v.end(), v.pgoff(), v.flags(), v.anonVma));
        }
        return l;
    }

    /**
     * {@link #snapshot()} without pte_chains' per-page chain objects: a page that fork gave a
     * second pte is chained, and the child's teardown (page_remove_rmap) leaves it a chain of one;
     * 2.6.0 turns a one-entry chain back into a direct pointer only in page_referenced() (the
     * design's afterPageReferenced), so those counts move and are no leak.
     */
    Map<String, Long> forkCounters(Map<String, Long> m) {
        Map<String, Long> r = new TreeMap<>(m);
        if (RmapDesigns.designOf(name).equals("pte_chains")) {
            r.keySet().removeIf(key -> key.startsWith("pg_") || key.startsWith("pte_chain"));
        }
        return r;
    }

    /** The end of a system call after a direct VmaOps call (lokier's groups), then the full check. */
    void settle() {
        k.vmaOps.regroup(mm);
        s.checkNow();
    }

    long read(long addr) {
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        assertEquals(Syscalls.ACCESS_OK, s.read(t, addr, P, r), name + ": read of page " + (addr - a) / P);
        return r.value;
    }

    /**
     * __mmap_region() of [start, end) with the flags of {@code like} (tools/testing/vma/vma.c's
     * try_merge_new_vma()): the design's pgoff for a new anonymous range, vma_merge_new_range(),
     * else a new vma linked. Returns the vma that covers the range.
     */
    Vma mapNew(long start, long end, Vma like) {
        long flags = like.flags() & ~Vma.VM_GROUP;
        long pgoff = k.design.anonPgoff(mm, start, end, flags, RmapDesign.ANON_MMAP, start);
        Vma v = k.vmaOps.mergeNewRange(VmaOps.Vmg.newRange(mm, start, end, flags, null, pgoff));
        if (v == null) {
            v = new Vma(mm, start, end, flags, pgoff, null);
            k.vmaOps.link(v);
        }
        return v;
    }

    /**
     * do_brk_flags()'s expansion of {@code prev} over [prev.end, end) (VMG_FLAG_JUST_EXPAND): the
     * design's pgoff for the grown range, vma_merge_new_range() expanding prev only, else a new vma.
     */
    Vma expand(Vma prev, long end) {
        long start = prev.end();
        long flags = prev.flags() & ~Vma.VM_GROUP;
        long pgoff = k.design.anonPgoff(mm, start, end, flags, RmapDesign.ANON_BRK, VmaGroups.groupStart(mm, prev));
        Vma v = k.vmaOps.mergeNewRange(VmaOps.Vmg.newRange(mm, start, end, flags, null, pgoff).justExpanding());
        if (v == null) {
            v = new Vma(mm, start, end, flags, pgoff, null);
            k.vmaOps.link(v);
        }
        return v;
    }

    /** lokier without a reservation (RmapDesigns' lokier:noreserve): every growth in place is a new vma, grouped. */
    boolean noReserve() {
        return name.equals("lokier:noreserve");
    }

    /** The user-visible vmas ({@link #layout()} with every VM_GROUP piece joined to its predecessor). */
    String visible() {
        List<String> l = new ArrayList<>();
        for (String piece : layout().split(" ")) {
            if (piece.endsWith("G") && !l.isEmpty()) {
                String last = l.remove(l.size() - 1);
                l.add(last.substring(0, last.indexOf('-')) + piece.substring(piece.indexOf('-'), piece.length() - 1));
            } else {
                l.add(piece);
            }
        }
        return String.join(" ", l);
    }

    /** vma_merge_new_range() of [start, end) at an explicit pgoff (as the C test's vmg_set_range). */
    Vma mergeNew(long start, long end, long flags, long pgoff) {
        return k.vmaOps.mergeNewRange(VmaOps.Vmg.newRange(mm, start, end, flags & ~Vma.VM_GROUP, null, pgoff));
    }

    /** vma_modify_flags(): merge or split so one vma covers [start, end), then set the flags as mprotect_fixup() does. */
    Vma modify(Vma middle, long start, long end, long flags) {
        Vma v = k.vmaOps.modify(middle, start, end, flags);
        if (v != null) {
            VmaOps.setFlags(v, flags);
        }
        return v;
    }

    // ------------------------------------------------------------------ simple

    /** tools/testing/vma/vma.c test_simple_merge: a new range between two vmas merges all three. */
    @ParameterizedTest
    @MethodSource("designs")
    void test_simple_merge(String design) {
        boot(design);
        // 012
        // L R     map L and R (unfaulted), then the range between them
        // LLL
        s.mmap(t, pg(0), P, RW, FIXED);
        s.mmap(t, pg(2), P, RW, FIXED);
        Vma left = vma(pg(0));
        long leftPgoff = left.pgoff();
        long merges = counter("vma_merges");
        Vma v = mapNew(pg(1), pg(2), left);
        settle();
        assertEquals("0-3", visible());
        if (noReserve()) {
            // lokier without reservations: L's offsets end at L, the new range's and R's are
            // fresh: no merge, the refused boundaries hidden by VM_GROUP.
            assertEquals("0-1 1-2G 2-3G", layout());
            assertEquals(merges, counter("vma_merges"));
        } else {
            // lokier claims the offsets after L's for the new range and for R (step 5 of
            // docs/reference.md#lokier-offset-space: "claim some of that reservation"), so it
            // merges as the others do.
            assertSame(left, v, name + ": merged into prev");
            assertVma(v, 0, 3);
            assertEquals("0-3", layout());
            assertEquals(leftPgoff, v.pgoff());
            assertEquals(merges + 1, counter("vma_merges"));
        }
        assertEquals(Vma.VM_READ | Vma.VM_WRITE, v.flags() & Vma.VM_ACCESS_FLAGS);
    }

    /** tools/testing/vma/vma.c test_simple_modify: vma_modify_flags() in the middle splits in three. */
    @ParameterizedTest
    @MethodSource("designs")
    void test_simple_modify(String design) {
        boot(design);
        // 012
        // VVV     faulted
        // VvV     modify [1, 2): the same vma object covers it, two new vmas around
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        s.write(t, pg(0), 3 * P, 0x11);
        Vma init = vma(pg(0));
        long pgoff = init.pgoff();
        Object anon = init.anonVma;
        long splits = counter("vma_splits");
        Vma v = modify(init, pg(1), pg(2), init.flags() | Vma.VM_DONTCOPY);
        settle();
        assertSame(init, v, name + ": vma_modify returns the vma it was given");
        assertVma(v, 1, 2);
        assertEquals(pgoff + 1, v.pgoff());
        assertEquals("0-1 1-2 2-3", layout());
        assertEquals(pgoff, vma(pg(0)).pgoff());
        assertEquals(pgoff + 2, vma(pg(2)).pgoff());
        assertEquals(splits + 2, counter("vma_splits"));
        // __split_vma: the new vmas share the anon state (anon_vma_clone).
        assertSame(anon, vma(pg(0)).anonVma);
        assertSame(anon, vma(pg(2)).anonVma);
        assertEquals(0x11, read(pg(0)));
        assertEquals(0x11, read(pg(2)));
    }

    /** tools/testing/vma/vma.c test_simple_expand: vma_expand() of a vma over the hole after it (do_brk_flags' justExpand). */
    @ParameterizedTest
    @MethodSource("designs")
    void test_simple_expand(String design) {
        boot(design);
        // 012
        // V       V, then expand it to 3 pages
        // VVV
        s.mmap(t, pg(0), P, RW, FIXED);
        Vma v = vma(pg(0));
        long merges = counter("vma_merges");
        Vma r = expand(v, pg(3));
        settle();
        assertEquals("0-3", visible());
        if (noReserve()) {
            // lokier without reservations: the growth cannot take offsets after V's: a new vma, grouped.
            assertNotSame(v, r);
            assertEquals("0-1 1-3G", layout());
            assertEquals(merges, counter("vma_merges"));
        } else {
            assertSame(v, r);
            assertVma(v, 0, 3);
            assertEquals(merges + 1, counter("vma_merges"));
        }
    }

    /** tools/testing/vma/vma.c test_simple_shrink: vma_shrink() — here do_vmi_munmap() of the tail. */
    @ParameterizedTest
    @MethodSource("designs")
    void test_simple_shrink(String design) {
        boot(design);
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        s.write(t, pg(0), 3 * P, 0x22);
        Vma v = vma(pg(0));
        long pgoff = v.pgoff();
        long zapped = counter("ptes_zapped");
        long splits = counter("vma_splits");
        assertEquals(0, s.munmap(t, pg(1), 2 * P));
        // __split_vma(vmi, vma, start, 1): the new vma is the part below, which stays; vma is unmapped.
        Vma left = vma(pg(0));
        assertNotSame(v, left);
        assertVma(left, 0, 1);
        assertEquals(pgoff, left.pgoff());
        assertEquals("0-1", layout());
        assertEquals(splits + 1, counter("vma_splits"));
        assertEquals(zapped + 2, counter("ptes_zapped"));
        assertEquals(0x22, read(pg(0)));
    }

    // ------------------------------------------------------------------ merge new range

    /**
     * tools/testing/vma/vma.c test_merge_new: new ranges merging with prev, next and both, with
     * every vma sharing one anon state (the C test's dummy_anon_vma): here the pieces of one
     * faulted mapping, cut by munmap, so their pgoffs and anon state are one mapping's.
     */
    @ParameterizedTest
    @MethodSource("designs")
    void test_merge_new(String design) {
        boot(design);
        // 0123456789abc
        // AAAAAAAAAAAA     one mapping, every page faulted
        // AA B   DD  C     munmap the holes: A, B, D and C share the anon state
        s.mmap(t, pg(0), 12 * P, RW, FIXED);
        for (int i = 0; i < 12; i++) {
            s.write(t, pg(i), P, 0x100 + i);
        }
        Vma a0 = vma(pg(0));
        long base = a0.pgoff();
        long flags = a0.flags();
        Object anon = a0.anonVma;
        s.munmap(t, pg(2), P);
        s.munmap(t, pg(4), 3 * P);
        s.munmap(t, pg(9), 2 * P);
        assertEquals("0-2 3-4 7-9 11-12", layout());
        Vma vmaA = vma(pg(0));
        Vma vmaC = vma(pg(11));
        Vma vmaD = vma(pg(7));
        long merges = counter("vma_merges");

        // Merge BOTH sides: AA*B -> A grows over * and B, B is gone.
        Vma v = mergeNew(pg(2), pg(3), flags, base + 2);
        settle();
        assertSame(vmaA, v);
        assertVma(v, 0, 4);
        assertEquals(base, v.pgoff());
        assertSame(anon, v.anonVma);
        assertEquals("0-4 7-9 11-12", layout());
        assertEquals(merges + 1, counter("vma_merges"));

        // Merge to PREVIOUS: AAAA* -> A grows.
        v = mergeNew(pg(4), pg(5), flags, base + 4);
        settle();
        assertSame(vmaA, v);
        assertVma(v, 0, 5);
        assertEquals(merges + 2, counter("vma_merges"));

        // Merge to NEXT: *DD -> D grows down, its pgoff with it.
        v = mergeNew(pg(6), pg(7), flags, base + 6);
        settle();
        assertSame(vmaD, v);
        assertVma(v, 6, 9);
        assertEquals(base + 6, v.pgoff());
        assertSame(anon, v.anonVma);
        assertEquals(merges + 3, counter("vma_merges"));

        // Merge BOTH sides: AAAAA*DDD -> A takes D.
        v = mergeNew(pg(5), pg(6), flags, base + 5);
        settle();
        assertSame(vmaA, v);
        assertVma(v, 0, 9);
        assertEquals("0-9 11-12", layout());

        // Merge to NEXT: *C.
        v = mergeNew(pg(10), pg(11), flags, base + 10);
        settle();
        assertSame(vmaC, v);
        assertVma(v, 10, 12);
        assertEquals(base + 10, v.pgoff());

        // Merge BOTH sides: AAAAAAAAA*CC -> one vma.
        v = mergeNew(pg(9), pg(10), flags, base + 9);
        settle();
        assertSame(vmaA, v);
        assertEquals("0-12", layout());
        assertEquals(base, v.pgoff());
        assertSame(anon, v.anonVma);
        assertEquals(merges + 6, counter("vma_merges"));
        // The pages that stayed are found through the one vma (checkNow walked them) and read back.
        assertEquals(0x100, read(pg(0)));
        assertEquals(0x103, read(pg(3)));
        assertEquals(0x107, read(pg(7)));
        assertEquals(0x10b, read(pg(11)));
        assertEquals(0, read(pg(2)));
    }

    /**
     * tools/testing/vma/vma.c test_vma_merge_special_flags, the part the model has: a flag that
     * differs (here VM_DONTCOPY, set by madvise) keeps a new range and an existing one from
     * merging (is_mergeable_vma()).
     */
    @ParameterizedTest
    @MethodSource("designs")
    void test_vma_merge_special_flags(String design) {
        boot(design);
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        Vma left = vma(pg(0));
        long flags = left.flags();
        long merges = counter("vma_merges");
        assertNull(mergeNew(pg(3), pg(4), flags | Vma.VM_DONTCOPY, left.linearPageIndex(pg(3))));
        settle();
        assertEquals("0-3", layout());
        assertEquals(merges, counter("vma_merges"));
        // And the same range with equal flags merges (at the pgoff the design gives it).
        Vma v = mapNew(pg(3), pg(4), left);
        settle();
        assertEquals("0-4", visible());
        if (noReserve()) {
            assertEquals("0-3 3-4G", layout());
        } else {
            assertSame(left, v);
            assertEquals("0-4", layout());
            assertEquals(merges + 1, counter("vma_merges"));
        }
    }

    // ------------------------------------------------------------------ merge existing range

    /** tools/testing/vma/vma.c test_merge_existing: vma_merge_existing_range() partial and full spans, left and right. */
    @ParameterizedTest
    @MethodSource("designs")
    void test_merge_existing(String design) {
        boot(design);
        // 0123456789
        //   VVVVNNN    one faulted mapping; V made VM_DONTCOPY by madvise
        //   VNNNNNN    modify [3, 6) to N's flags: merge right, partial span (N takes V's pages)
        s.mmap(t, pg(2), 7 * P, RW, FIXED);
        s.write(t, pg(2), 7 * P, 0x33);
        Object anon = vma(pg(2)).anonVma;
        assertEquals(0, s.madvise(t, pg(2), 4 * P, Mman.MADV_DONTFORK));
        Vma vmaV = vma(pg(2));
        Vma vmaN = vma(pg(6));
        long pgoff = vmaV.pgoff();
        long merges = counter("vma_merges");
        long splits = counter("vma_splits");
        Vma v = modify(vmaV, pg(3), pg(6), vmaN.flags());
        settle();
        assertSame(vmaN, v, layout());
        assertVma(vmaN, 3, 9);
        assertEquals(pgoff + 1, vmaN.pgoff());
        assertVma(vmaV, 2, 3);
        assertEquals(pgoff, vmaV.pgoff());
        assertSame(anon, vmaN.anonVma);
        assertEquals(merges + 1, counter("vma_merges"));
        assertEquals(splits, counter("vma_splits"), "a merge that shrinks V is no split");

        //   VNNNNNN    modify [2, 3) (all of V) to N's flags: merge right, full span, V is gone
        //   NNNNNNN
        v = modify(vmaV, pg(2), pg(3), vmaN.flags());
        settle();
        assertSame(vmaN, v);
        assertVma(vmaN, 2, 9);
        assertEquals(pgoff, vmaN.pgoff());
        assertEquals("2-9", layout());
        assertEquals(merges + 2, counter("vma_merges"));

        // PPPVVVV      P made VM_DONTCOPY: modify [3, 6) of V to P's flags: merge left, partial
        // PPPPPPV
        assertEquals(0, s.madvise(t, pg(2), 3 * P, Mman.MADV_DONTFORK));
        Vma vmaP = vma(pg(2));
        vmaV = vma(pg(5));
        assertVma(vmaV, 5, 9);
        v = modify(vmaV, pg(5), pg(8), vmaP.flags());
        settle();
        assertSame(vmaP, v);
        assertVma(vmaP, 2, 8);
        assertVma(vmaV, 8, 9);
        assertEquals(pgoff + 6, vmaV.pgoff());
        assertEquals(merges + 3, counter("vma_merges"));

        // PPPPPPV      modify all of V: merge left, full span
        v = modify(vmaV, pg(8), pg(9), vmaP.flags());
        settle();
        assertSame(vmaP, v);
        assertEquals("2-9", layout());
        assertEquals(merges + 4, counter("vma_merges"));

        // Merge both: PPPVVNNN, P and N VM_DONTCOPY, V not; modify all of V to their flags:
        // P grows over V and N, both removed.
        assertEquals(0, s.munmap(t, pg(0), 10 * P));
        s.mmap(t, pg(2), 7 * P, RW, FIXED);
        s.write(t, pg(2), 7 * P, 0x33);
        anon = vma(pg(2)).anonVma;
        pgoff = vma(pg(2)).pgoff();
        assertEquals(0, s.madvise(t, pg(2), 3 * P, Mman.MADV_DONTFORK));
        assertEquals(0, s.madvise(t, pg(7), 2 * P, Mman.MADV_DONTFORK));
        assertEquals("2-5 5-7 7-9", layout());
        vmaP = vma(pg(2));
        vmaV = vma(pg(5));
        vmaN = vma(pg(7));
        long m = counter("vma_merges");
        v = modify(vmaV, pg(5), pg(7), vmaP.flags());
        settle();
        assertSame(vmaP, v);
        assertEquals("2-9", layout());
        assertSame(vmaP, vma(pg(8)));
        assertEquals(pgoff, vmaP.pgoff());
        assertSame(anon, vmaP.anonVma);
        assertEquals(m + 1, counter("vma_merges"), "one merge, two vmas removed");
        assertEquals(Vma.VM_DONTCOPY, vmaP.flags() & Vma.VM_DONTCOPY);

        // Non-merge ranges: modify a range inside V that touches neither edge -> split, no merge.
        long splits2 = counter("vma_splits");
        long merges2 = counter("vma_merges");
        v = modify(vmaP, pg(4), pg(6), vmaP.flags() & ~Vma.VM_DONTCOPY);
        settle();
        assertSame(vmaP, v);
        assertEquals("2-4 4-6 6-9", layout());
        assertEquals(splits2 + 2, counter("vma_splits"));
        assertEquals(merges2, counter("vma_merges"));
        for (int i = 2; i < 9; i++) {
            assertEquals(0x33, read(pg(i)));
        }
    }

    /**
     * tools/testing/vma/vma.c test_anon_vma_non_mergeable: prev and next have different anon
     * state, the range between them has none: it joins prev only, both for
     * vma_merge_existing_range() and vma_merge_new_range() (can_vma_merge_right()'s
     * is_mergeable_anon_vma(prev, next)).
     */
    @ParameterizedTest
    @MethodSource("designs")
    void test_anon_vma_non_mergeable(String design) {
        boot(design);
        // 0123456789
        // PPPVVVVNNN   V read-only, unfaulted; P and N faulted apart (two anon states)
        //              modify V to rw: PPPPPPPNNN
        s.mmap(t, pg(3), 4 * P, Mman.PROT_READ, FIXED);
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        s.write(t, pg(0), 3 * P, 0x44);
        s.mmap(t, pg(7), 3 * P, RW, FIXED);
        s.write(t, pg(7), 3 * P, 0x55);
        Vma vmaP = vma(pg(0));
        Vma vmaV = vma(pg(3));
        Vma vmaN = vma(pg(7));
        assertNull(vmaV.anonVma);
        boolean twoAnons = vmaP.anonVma != vmaN.anonVma;
        long merges = counter("vma_merges");
        Vma v = modify(vmaV, pg(3), pg(7), vmaP.flags());
        settle();
        if (mergesAnyAnon()) {
            // 2.6.0 / 2.6.6: vma_merge() has no anon rule and ignores an anonymous pgoff: all three merge.
            assertSame(vmaP, v);
            assertEquals("0-10", layout());
        } else if (name.equals("anon_vma_chain:matena")) {
            // Matěna's RFC v3 PATCH 5/6: vma_merge() case 1 asks is_mergeable_anon_vma(next, prev):
            // N's anon_vma is its own root with no children, so all three merge and N's pages
            // join P's anon_vma (reconnect_pages_range(); the oracle walks them at settle()).
            assertTrue(twoAnons);
            assertSame(vmaP, v);
            assertEquals("0-10", layout());
        } else if (lokier()) {
            // lokier: one address_space per fork group, so P and N share their anon state; the
            // merge turns on the offsets alone (contiguous where claimed from a neighbour, else
            // the refused boundaries hidden by VM_GROUP): one user-visible vma.
            assertFalse(twoAnons);
            assertEquals("0-10", visible());
        } else {
            // is_mergeable_anon_vma(prev->anon_vma, next->anon_vma) fails: merge with prev only.
            assertTrue(twoAnons, name + ": P and N have anon states of their own");
            assertSame(vmaP, v);
            assertEquals("0-7 7-10", layout());
            assertSame(vmaN, vma(pg(7)));
        }
        if (!lokier()) {
            assertEquals(merges + 1, counter("vma_merges"));
        }
        assertEquals(0x44, read(pg(0)));
        assertEquals(0x55, read(pg(9)));

        // The new-range case: PPP****NNN, the hole mapped by vma_merge_new_range().
        assertEquals(0, s.munmap(t, pg(0), 10 * P));
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        s.write(t, pg(0), 3 * P, 0x44);
        s.mmap(t, pg(7), 3 * P, RW, FIXED);
        s.write(t, pg(7), 3 * P, 0x55);
        vmaP = vma(pg(0));
        vmaN = vma(pg(7));
        merges = counter("vma_merges");
        v = mapNew(pg(3), pg(7), vmaP);
        settle();
        if (mergesAnyAnon() || name.equals("anon_vma_chain:matena")) {
            assertSame(vmaP, v);
            assertEquals("0-10", layout());
            assertEquals(merges + 1, counter("vma_merges"));
        } else if (lokier()) {
            assertEquals("0-10", visible());
        } else {
            assertSame(vmaP, v);
            assertEquals("0-7 7-10", layout());
            assertSame(vmaN, vma(pg(7)));
            assertNotSame(vmaP.anonVma, vmaN.anonVma);
            assertEquals(merges + 1, counter("vma_merges"));
        }
    }

    /**
     * tools/testing/vma/vma.c test_dup_anon_vma: whichever vma is removed or shrunk, the vma that
     * grows over its pages takes its anon state (dup_anon_vma()), and the design's walk finds
     * the pages through it (the oracle's check).
     */
    @ParameterizedTest
    @MethodSource("designs")
    void test_dup_anon_vma(String design) {
        boot(design);
        // Expand prev over next, next has the anon state (vma_expand() with remove_next):
        // PPP*NN      P unfaulted, N faulted; the new range * joins both.
        s.mmap(t, pg(4), 2 * P, RW, FIXED);
        s.write(t, pg(4), 2 * P, 0x66);
        Object anonN = vma(pg(4)).anonVma;
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        Vma vmaP = vma(pg(0));
        assertNull(vmaP.anonVma);
        Vma v = mapNew(pg(3), pg(4), vmaP);
        settle();
        if (lokier()) {
            // lokier: one user-visible vma, by a merge or a group; either way one anon state
            // (a merged vma's, or regroup's for every piece of a group).
            assertEquals("0-6", visible());
            assertOneAnon(0, 6, anonN);
        } else {
            assertSame(vmaP, v);
            assertEquals("0-6", layout());
            assertSame(anonN, vmaP.anonVma, name + ": prev took next's anon state");
        }
        assertEquals(0x66, read(pg(5)));
        assertEquals(0, s.munmap(t, pg(0), 6 * P));

        // vma has the anon state, prev and next none: modify all of vma -> prev takes it, both go.
        // PPPVVNNN    V faulted and VM_DONTCOPY
        s.mmap(t, pg(3), 2 * P, RW, FIXED);
        s.write(t, pg(3), 2 * P, 0x77);
        assertEquals(0, s.madvise(t, pg(3), 2 * P, Mman.MADV_DONTFORK));
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        s.mmap(t, pg(5), 3 * P, RW, FIXED);
        vmaP = vma(pg(0));
        Vma vmaV = vma(pg(3));
        Object anonV = vmaV.anonVma;
        assertNull(vmaP.anonVma);
        long merges = counter("vma_merges");
        v = modify(vmaV, pg(3), pg(5), vmaP.flags());
        settle();
        if (lokier()) {
            assertEquals("0-8", visible());
            assertOneAnon(0, 8, anonV);
        } else {
            assertSame(vmaP, v);
            assertEquals("0-8", layout());
            assertSame(anonV, vmaP.anonVma, name + ": prev took vma's anon state");
            assertEquals(merges + 1, counter("vma_merges"));
        }
        assertEquals(0x77, read(pg(4)));
        assertEquals(0, s.munmap(t, pg(0), 8 * P));

        // vma has the anon state, modify its head: prev extends, vma shrinks (dup_anon_vma(prev, vma)).
        // PPPVVVVV
        s.mmap(t, pg(3), 5 * P, RW, FIXED);
        s.write(t, pg(3), 5 * P, 0x88);
        assertEquals(0, s.madvise(t, pg(3), 5 * P, Mman.MADV_DONTFORK));
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        vmaP = vma(pg(0));
        vmaV = vma(pg(3));
        anonV = vmaV.anonVma;
        v = modify(vmaV, pg(3), pg(5), vmaP.flags());
        settle();
        if (lokier()) {
            // The head of V joins P (merged or grouped); the rest of V keeps VM_DONTCOPY.
            assertEquals("0-5 5-8", visible());
            assertOneAnon(0, 8, anonV);
        } else {
            assertSame(vmaP, v);
            assertEquals("0-5 5-8", layout());
            assertSame(anonV, vmaP.anonVma);
            assertSame(anonV, vmaV.anonVma);
        }
        assertEquals(0x88, read(pg(3)));
        assertEquals(0, s.munmap(t, pg(0), 8 * P));

        // vma has the anon state, modify its tail: next extends down, vma shrinks (dup_anon_vma(next, vma)).
        // VVVVVNNN
        s.mmap(t, pg(0), 5 * P, RW, FIXED);
        s.write(t, pg(0), 5 * P, 0x99);
        assertEquals(0, s.madvise(t, pg(0), 5 * P, Mman.MADV_DONTFORK));
        s.mmap(t, pg(5), 3 * P, RW, FIXED);
        vmaV = vma(pg(0));
        Vma vmaN = vma(pg(5));
        anonV = vmaV.anonVma;
        v = modify(vmaV, pg(3), pg(5), vmaN.flags());
        settle();
        if (lokier()) {
            assertEquals("0-3 3-8", visible());
            assertOneAnon(0, 8, anonV);
        } else if (mergesAnyAnon()) {
            assertSame(vmaN, v);
            assertEquals("0-3 3-8", layout());
            assertSame(anonV, vmaN.anonVma);
        } else {
            assertSame(vmaN, v);
            assertEquals("0-3 3-8", layout());
            assertSame(anonV, vmaN.anonVma, name + ": next took vma's anon state");
            assertEquals(vmaV.pgoff() + 3, vmaN.pgoff());
        }
        assertEquals(0x99, read(pg(4)));
    }

    // ------------------------------------------------------------------ allocation failures

    /**
     * vma_merge_existing_range() merging both sides (PPPVVNNN: P and V unfaulted, N faulted, V
     * given P's and N's flags) whose one dup_anon_vma (into P, from N) fails: the call fails with
     * nothing changed. Linux dups before commit_merge() touches a vma; the model once absorbed V
     * into P first and unlinked it before N's dup failed, leaving ptes outside every vma.
     */
    @ParameterizedTest
    @MethodSource("designs")
    void test_merge_existing_both_dup_fail(String design) {
        boot(design);
        s.mmap(t, pg(5), 3 * P, RW, FIXED);
        s.write(t, pg(5), 3 * P, 0xcc);
        assertEquals(0, s.madvise(t, pg(5), 3 * P, Mman.MADV_DONTFORK));
        s.mmap(t, pg(3), 2 * P, RW, FIXED);
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        assertEquals(0, s.madvise(t, pg(0), 3 * P, Mman.MADV_DONTFORK));
        settle();
        List<VmaState> before = vmas();
        Map<String, Long> counters = snapshot();
        fd.failAlways(Hook.VMA_MERGED, Hook.VMA_COPY);
        long r = s.madvise(t, pg(3), 2 * P, Mman.MADV_DONTFORK);
        int failed = fd.failures();
        fd.reset();
        settle();
        if (failed > 0) {
            assertEquals(-Errno.EAGAIN, r, name);
            assertEquals(before, vmas(), name + ": nothing changed");
            assertEquals(counters, snapshot(), name);
        } else {
            assertEquals(0, r, name + ": a merge that allocates nothing cannot fail");
        }
        assertEquals(0xcc, read(pg(6)));
        s.checkNow();
    }

    /**
     * tools/testing/vma/vma.c test_vmi_prealloc_fail: a merge that must dup the anon state fails
     * with ENOMEM and nothing changes. In Linux the dup happened and is undone (was_cloned,
     * was_unlinked); here the failing hook never reaches the design, so prev is left without
     * anon state, as before the call.
     */
    @ParameterizedTest
    @MethodSource("designs")
    void test_vmi_prealloc_fail(String design) {
        boot(design);
        // PPPVV      merge_existing: V (faulted, VM_DONTCOPY) into P (unfaulted)
        s.mmap(t, pg(3), 2 * P, RW, FIXED);
        s.write(t, pg(3), 2 * P, 0xaa);
        assertEquals(0, s.madvise(t, pg(3), 2 * P, Mman.MADV_DONTFORK));
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        Vma vmaP = vma(pg(0));
        Vma vmaV = vma(pg(3));
        List<VmaState> before = vmas();
        Map<String, Long> counters = snapshot();
        fd.failAlways(Hook.VMA_MERGED, Hook.VMA_COPY);
        Vma v = modify(vmaV, pg(3), pg(5), vmaP.flags());
        int failed = fd.failures(Hook.VMA_MERGED);
        fd.reset();
        settle();
        if (noReserve()) {
            // lokier without reservations: P's offsets were reserved apart from V's, so the merge
            // is refused, nothing allocates, and vma_modify() returns V itself (the whole range),
            // which takes the new flags and is grouped with P.
            assertSame(vmaV, v);
            assertEquals(0, k.vmaOps.err);
            assertEquals(0, failed);
            assertEquals("0-3 3-5G", layout());
            assertEquals(counters, snapshot());
        } else {
            assertNull(v);
            assertEquals(-Errno.ENOMEM, k.vmaOps.err);
            assertEquals(1, failed);
            assertEquals(before, vmas(), name + ": nothing changed");
            assertEquals(counters, snapshot());
            assertNull(vmaP.anonVma);
        }
        assertEquals(0xaa, read(pg(4)));

        // The same through madvise(MADV_DOFORK): madvise_update_vma's ENOMEM is EAGAIN.
        if (!noReserve()) {
            fd.failAlways(Hook.VMA_MERGED, Hook.VMA_COPY);
            assertEquals(-Errno.EAGAIN, s.madvise(t, pg(3), 2 * P, Mman.MADV_DOFORK));
            assertTrue(fd.failures() > 0);
            fd.reset();
            assertEquals(before, vmas());
            assertEquals(counters, snapshot());
        }
        assertEquals(0, s.munmap(t, pg(0), 5 * P));

        // The expand case (vma_expand() with remove_next, new range): PPP*NN, N faulted. The
        // merge fails; __mmap_region() then maps the range as a vma of its own.
        s.mmap(t, pg(4), 2 * P, RW, FIXED);
        s.write(t, pg(4), 2 * P, 0xbb);
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        vmaP = vma(pg(0));
        Vma vmaN = vma(pg(4));
        Object anonN = vmaN.anonVma;
        counters = snapshot();
        fd.failAlways(Hook.VMA_MERGED, Hook.VMA_COPY);
        v = mapNew(pg(3), pg(4), vmaP);
        fd.reset();
        settle();
        if (lokier()) {
            // lokier: regroup hides the boundaries where the merges were tried (VM_GROUP), and a
            // group has one anon state.
            assertEquals("0-3 3-4G 4-6G", layout());
            assertOneAnon(0, 6, anonN);
        } else {
            assertEquals("0-3 3-4 4-6", layout(), name + ": the failed merge changed nothing; a new vma took the range");
            assertVma(vmaP, 0, 3);
            assertNull(vmaP.anonVma);
            assertVma(vmaN, 4, 6);
            assertSame(anonN, vmaN.anonVma);
            assertNotSame(vmaP, v);
            assertNotSame(vmaN, v);
            assertEquals(counters.get("vma_merges"), counter("vma_merges"));
        }
        assertEquals(0xbb, read(pg(5)));
    }

    /**
     * Split failures (__split_vma()'s anon_vma_clone() or vma_iter_prealloc() fails, as
     * test_vmi_prealloc_fail's fail_prealloc): mprotect and munmap in the middle of a vma. A
     * failed first split changes nothing; when the second fails, the first split stays, as in
     * vma_modify() and vms_gather_munmap_vmas(), which do not undo it.
     */
    @ParameterizedTest
    @MethodSource("designs")
    void test_split_fail(String design) {
        boot(design);
        s.mmap(t, pg(0), 6 * P, RW, FIXED);
        s.write(t, pg(0), 6 * P, 0xcc);
        Vma v = vma(pg(0));
        List<VmaState> before = vmas();
        Map<String, Long> counters = snapshot();

        // __split_vma() directly.
        fd.failNext(Hook.VMA_SPLIT);
        assertEquals(-Errno.ENOMEM, k.vmaOps.split(v, pg(2), true));
        settle();
        assertEquals(1, fd.failures(Hook.VMA_SPLIT));
        assertEquals(before, vmas());
        assertEquals(counters, snapshot());

        // mprotect [2, 4): the first split fails.
        fd.failNext(Hook.VMA_SPLIT);
        assertEquals(-Errno.ENOMEM, s.mprotect(t, pg(2), 2 * P, Mman.PROT_READ));
        assertEquals(before, vmas(), name + ": nothing changed");
        assertEquals(counters, snapshot());

        // munmap [2, 4): the first split fails.
        fd.failNext(Hook.VMA_SPLIT_FOR_UNMAP);
        assertEquals(-Errno.ENOMEM, s.munmap(t, pg(2), 2 * P));
        assertEquals(before, vmas(), name + ": nothing changed");
        assertEquals(counters, snapshot());
        for (int i = 0; i < 6; i++) {
            assertEquals(0xcc, read(pg(i)));
        }

        // mprotect [2, 4): the second split fails; the first stays (vma_modify()).
        fd.failAfter(1, Hook.VMA_SPLIT);
        assertEquals(-Errno.ENOMEM, s.mprotect(t, pg(2), 2 * P, Mman.PROT_READ));
        assertEquals(2, fd.calls(Hook.VMA_SPLIT) - 2);
        assertEquals("0-2 2-6", layout());
        assertEquals(counters.get("vma_splits") + 1, counter("vma_splits"));
        assertSame(v.anonVma, vma(pg(0)).anonVma);
        assertEquals(Vma.VM_READ | Vma.VM_WRITE, vma(pg(3)).flags() & Vma.VM_ACCESS_FLAGS);

        // munmap [3, 5) of [2, 6): the second split fails; the first stays, nothing unmapped.
        long zapped = counter("ptes_zapped");
        fd.failAfter(1, Hook.VMA_SPLIT_FOR_UNMAP);
        assertEquals(-Errno.ENOMEM, s.munmap(t, pg(3), 2 * P));
        assertEquals("0-2 2-3 3-6", layout());
        assertEquals(zapped, counter("ptes_zapped"));
        for (int i = 0; i < 6; i++) {
            assertEquals(0xcc, read(pg(i)));
        }
    }

    /**
     * tools/testing/vma/vma.c test_copy_vma: copy_vma() backwards with no merge, and into a place
     * next to a vma it merges with.
     */
    @ParameterizedTest
    @MethodSource("designs")
    void test_copy_vma(String design) {
        boot(design);
        // Move backwards, no merge: VV at 3 copied to 0.
        s.mmap(t, pg(3), 2 * P, RW, FIXED);
        Vma v = vma(pg(3));
        Vma nv = k.vmaOps.copyVma(v, pg(0), 2 * P, v.linearPageIndex(pg(3)));
        settle();
        assertNotNull(nv);
        assertNotSame(v, nv);
        assertVma(nv, 0, 2);
        if (!lokier()) {
            // An unfaulted vma's copy takes the pgoff of its new address (copy_vma()).
            assertEquals(pg(0) >>> Machine.PAGE_SHIFT, nv.pgoff());
        }
        assertEquals(0, s.munmap(t, pg(0), 8 * P));

        // Move a vma next to another and merge: V at 0, N at 6; copy V to 4 -> N grows down.
        s.mmap(t, pg(0), 2 * P, RW, FIXED);
        s.mmap(t, pg(6), 2 * P, RW, FIXED);
        v = vma(pg(0));
        Vma vmaN = vma(pg(6));
        long merges = counter("vma_merges");
        nv = k.vmaOps.copyVma(v, pg(4), 2 * P, v.linearPageIndex(pg(0)));
        settle();
        if (noReserve()) {
            // lokier without reservations: the copy's offsets (ANON_COPY) are not N's: a vma of
            // its own, grouped.
            assertNotSame(vmaN, nv);
            assertEquals("0-2 4-8", visible());
        } else {
            assertSame(vmaN, nv);
            assertVma(vmaN, 4, 8);
            assertEquals(merges + 1, counter("vma_merges"));
        }
    }

    /**
     * copy_vma() failing (its vma_merge_copied_range() or anon_vma_clone()): mremap's move
     * returns ENOMEM and nothing moved.
     */
    @ParameterizedTest
    @MethodSource("designs")
    void test_copy_vma_fail(String design) {
        boot(design);
        // VVV at 0, faulted; move it to 10 with copy_vma()'s anon_vma_clone() failing.
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        s.write(t, pg(0), 3 * P, 0xdd);
        List<VmaState> before = vmas();
        Map<String, Long> counters = snapshot();
        int move = Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED;
        fd.failAlways(Hook.VMA_COPY);
        assertEquals(-Errno.ENOMEM, s.mremap(t, pg(0), 3 * P, 3 * P, move, pg(10)));
        assertTrue(fd.failures(Hook.VMA_COPY) > 0);
        fd.reset();
        assertEquals(before, vmas(), name + ": nothing moved");
        assertEquals(counters, snapshot());
        assertNull(mm.vmaLookup(pg(10)));
        for (int i = 0; i < 3; i++) {
            assertEquals(0xdd, read(pg(i)));
        }

        // The merging case (vma_merge_copied_range(): the target must take the moved pages'
        // anon state): V at 4 faulted, parked at 11; U unfaulted at 0..3; move V back to 4 next
        // to U, with the dup failing.
        assertEquals(0, s.munmap(t, pg(0), 3 * P));
        s.mmap(t, pg(4), 3 * P, RW, FIXED);
        s.write(t, pg(4), 3 * P, 0xee);
        assertEquals(pg(11), s.mremap(t, pg(4), 3 * P, 3 * P, move, pg(11)));
        s.mmap(t, pg(0), 4 * P, RW, FIXED);
        before = vmas();
        counters = snapshot();
        fd.failAlways(Hook.VMA_COPY);
        assertEquals(-Errno.ENOMEM, s.mremap(t, pg(11), 3 * P, 3 * P, move, pg(4)));
        fd.reset();
        assertEquals(before, vmas(), name + ": nothing moved, U did not grow");
        assertEquals(counters, snapshot());
        assertEquals(0xee, read(pg(12)));
        // Without the failure the move goes through.
        assertEquals(pg(4), s.mremap(t, pg(11), 3 * P, 3 * P, move, pg(4)));
        assertEquals(0xee, read(pg(5)));
    }

    /**
     * dup_mmap() failing in anon_vma_fork() (kernel/fork.c, the vma loop's "goto fail_nomem_anon_vma_fork"):
     * fork returns ENOMEM, the half-built child is torn down by exit_mmap(), the parent is untouched
     * and nothing leaks (frames, page tables, the design's objects).
     */
    @ParameterizedTest
    @MethodSource("designs")
    void test_fork_fail(String design) {
        boot(design);
        s.mmap(t, pg(0), 3 * P, RW, FIXED);
        s.write(t, pg(0), 3 * P, 0x123);
        s.mmap(t, pg(4), 3 * P, Mman.PROT_READ, FIXED);
        s.mmap(t, pg(8), 3 * P, RW, FIXED);
        s.write(t, pg(8), 3 * P, 0x456);
        List<VmaState> before = vmas();
        Map<String, Long> counters = snapshot();
        int mms = k.mms().size();
        long forks = counter("forks");
        for (int n = 0; n < 3; n++) {
            fd.failAfter(n, Hook.VMA_FORK);
            assertNull(s.fork(t), name + ": fork with vmaFork failing at vma " + n);
            assertEquals(1, fd.failures(Hook.VMA_FORK));
            assertEquals(n + 1, fd.calls(Hook.VMA_FORK));
            fd.reset();
            assertEquals(before, vmas(), name + ": parent untouched");
            assertEquals(forkCounters(counters), forkCounters(snapshot()), name + ": nothing leaked");
            assertEquals(mms, k.mms().size());
            assertEquals(forks, counter("forks"));
            assertEquals(0x123, read(pg(1)));
            assertEquals(0x456, read(pg(9)));
        }
        // And a fork that succeeds afterwards shares the pages.
        Task c = s.fork(t);
        assertNotNull(c);
        assertEquals(forks + 1, counter("forks"));
    }

    /** tools/testing/vma/vma.c test_merge_extend: vma_merge_extend() — mremap growing in place into the gap up to the next vma. */
    @ParameterizedTest
    @MethodSource("designs")
    void test_merge_extend(String design) {
        boot(design);
        // V  N    grow V by 2 pages: it reaches N and merges with it
        s.mmap(t, pg(0), P, RW, FIXED);
        s.mmap(t, pg(3), P, RW, FIXED);
        Vma v = vma(pg(0));
        long merges = counter("vma_merges");
        assertEquals(pg(0), s.mremap(t, pg(0), P, 3 * P, 0, 0));
        assertEquals("0-4", visible());
        if (noReserve()) {
            // lokier without reservations: the growth is a vma of its own (its offsets are not
            // V's), and N's offsets are apart too: three vmas, one user-visible.
            assertEquals("0-1 1-3G 3-4G", layout());
        } else {
            assertEquals("0-4", layout());
            assertSame(v, vma(pg(0)));
            assertEquals(merges + 1, counter("vma_merges"));
        }
    }

    /** tools/testing/vma/vma.c test_expand_only_mode: VMG_FLAG_JUST_EXPAND expands prev and never merges next. */
    @ParameterizedTest
    @MethodSource("designs")
    void test_expand_only_mode(String design) {
        boot(design);
        // 0123456789ab
        // OO PP    NN   expand P to 9 (justExpand): N is not merged although it could be
        s.mmap(t, pg(0), 2 * P, RW, FIXED);
        s.mmap(t, pg(3), 2 * P, RW, FIXED);
        Vma vmaP = vma(pg(3));
        long nPgoff = vmaP.linearPageIndex(pg(9));
        s.mmap(t, pg(9), 2 * P, RW, FIXED);
        Vma vmaN = vma(pg(9));
        Vma v = expand(vmaP, pg(9));
        settle();
        assertEquals("0-2 3-9 9-11", visible());
        if (!noReserve()) {
            assertSame(vmaP, v);
            assertVma(vmaP, 3, 9);
        }
        assertSame(vmaN, vma(pg(9)));
        assertVma(vmaN, 9, 11);
        if (!lokier()) {
            assertEquals(nPgoff, vmaN.pgoff(), "N could have merged: its pgoff continues P's");
        }
        if (!noReserve()) {
            assertEquals("0-2 3-9 9-11", layout());
        }
    }
}
