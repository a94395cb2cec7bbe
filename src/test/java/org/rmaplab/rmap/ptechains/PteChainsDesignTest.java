package org.rmaplab.rmap.ptechains;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.AddressSpace;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Task;
import org.rmaplab.mm.Vma;
import org.rmaplab.mm.RmapWalkControl;
import org.rmaplab.rmap.avc.AnonVmaChainDesign;

/**
 * pte_chains as 2.6.0 built it: direct pointers for single mappings, chains of NRPTE-slot blocks
 * with free slots only at the start of the head, remove by moving the head's first pte into the
 * victim's slot, the lazy collapse in page_referenced, NRPTE per arch profile, and chain allocation
 * at fork. The oracle runs after every call (CheckPolicy.EVERY), so each test also proves the walk
 * and the design's self-check.
 */
class PteChainsDesignTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int ANON = Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS;
    static final int SHARED_ANON = Mman.MAP_SHARED | Mman.MAP_ANONYMOUS;

    private PteChainsDesign d;
    private CheckedSyscalls s;

    private void boot(String arch, int line) {
        boot(arch, line, 32L << 20);
    }

    private void boot(String arch, int line, long ram) {
        d = new PteChainsDesign(line);
        s = new CheckedSyscalls(new Machine(new MachineConfig(ram, 0, arch), d), CheckPolicy.EVERY);
    }

    private void boot() {
        boot("x86_64", 0);
    }

    private Frames frames() {
        return s.machine().frames();
    }

    private long slotAt(Task t, long addr) {
        long slot = PageTable.lookup(frames(), t.mm().pgd(), addr);
        assertTrue(slot >= 0, "no page table at " + Long.toHexString(addr));
        return slot;
    }

    private int pfnAt(Task t, long addr) {
        long pte = PageTable.get(frames(), slotAt(t, addr));
        assertTrue(PageTable.present(pte), "nothing mapped at " + Long.toHexString(addr));
        return PageTable.ptePfn(pte);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** Blocks 2.6.0 holds for a page with n ptes: none when direct, else ceil(n / NRPTE). */
    private int expectedBlocks(int n) {
        return n <= 1 ? 0 : ceilDiv(n, d.geometry().nrpte());
    }

    /** One anonymous page written by a new task, then n-1 forks: n ptes map it. */
    private List<Task> pageMappedBy(int n, long[] addrOut) {
        Task t = s.initTask();
        long a = s.mmap(t, 0, P, RW, ANON);
        s.write(t, a, P, 0x42);
        List<Task> tasks = new ArrayList<>();
        tasks.add(t);
        for (int i = 1; i < n; i++) {
            tasks.add(s.fork(t));
        }
        addrOut[0] = a;
        return tasks;
    }

    // ------------------------------------------------------------------ direct

    @Test
    void aSingleMappingIsADirectPointerWithNoBlock() {
        boot();
        Task t = s.initTask();
        long a = s.mmap(t, 0, 4 * P, RW, ANON);
        s.write(t, a, 4 * P, 7);
        for (int i = 0; i < 4; i++) {
            int pfn = pfnAt(t, a + i * P);
            assertTrue(d.isDirect(pfn));
            assertEquals(0, d.blocksOf(pfn));
            assertArrayEquals(new long[] {slotAt(t, a + i * P)}, d.slotsOf(pfn));
            // 2.6.0's anonymous pages have no mapping (anon_vma_chain would point at an anon_vma).
            assertNull(frames().mapping[pfn]);
        }
        assertEquals(0, d.blocksAlive());
        assertEquals(0, d.stats().alive("pte_chain"));
        assertEquals(4, d.stats().alive("pg_direct"));
        s.munmap(t, a, 4 * P);
        assertEquals(0, d.stats().alive("pg_direct"));
        s.finish();
    }

    @Test
    void theSecondMappingConvertsToAChainWithTheOldPteLast() {
        boot();
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(2, a);
        int pfn = pfnAt(ts.get(0), a[0]);
        assertFalse(d.isDirect(pfn));
        assertEquals(1, d.blocksOf(pfn));
        assertEquals(d.geometry().nrpte() - 2, d.headFreeSlots(pfn));
        // ptes[NRPTE-2] = the new (child's) pte, ptes[NRPTE-1] = the old direct one.
        assertArrayEquals(new long[] {slotAt(ts.get(1), a[0]), slotAt(ts.get(0), a[0])}, d.slotsOf(pfn));
        assertEquals(1, d.stats().directToChain);
        assertEquals(0, d.stats().alive("pg_direct"));
        s.finish();
    }

    /** pg_chained counts pages whose page->pte is a chain: made by a second pte, kept by the lazy rule, ended by page_referenced. */
    @Test
    void chainedPagesAreCountedUntilPageReferencedCollapsesThem() {
        boot();
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(2, a);
        int pfn = pfnAt(ts.get(0), a[0]);
        assertEquals(1, d.stats().alive("pg_chained"));
        s.exit(ts.get(1));
        assertFalse(d.isDirect(pfn));
        assertEquals(1, d.stats().alive("pg_chained"), "a one-pte chain stays a chain (lazy collapse)");
        assertEquals(0, d.stats().alive("pg_direct"));
        d.pageReferenced(pfn);
        assertTrue(d.isDirect(pfn));
        assertEquals(0, d.stats().alive("pg_chained"));
        assertEquals(1, d.stats().alive("pg_direct"));
        assertEquals(1, d.stats().peak("pg_chained"));
        s.finish();
    }

    // ------------------------------------------------------------------ block counts

    @Test
    void nMappingsUseCeilNOverNrpteBlocksFilledFromTheHeadsEnd() {
        boot();
        int nrpte = d.geometry().nrpte();
        assertEquals(7, nrpte);
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(1, a);
        Task parent = ts.get(0);
        int pfn = pfnAt(parent, a[0]);
        List<Long> inserted = new ArrayList<>();
        inserted.add(slotAt(parent, a[0]));
        for (int n = 2; n <= 4 * nrpte + 3; n++) {
            Task c = s.fork(parent);
            inserted.add(slotAt(c, a[0]));
            assertEquals(n, d.ptesOf(pfn));
            assertEquals(expectedBlocks(n), d.blocksOf(pfn), "blocks for " + n + " ptes");
            assertEquals(expectedBlocks(n), d.blocksAlive());
            assertEquals(expectedBlocks(n) * nrpte - n, d.headFreeSlots(pfn), "head free slots for " + n);
            // Insertion fills the head's last free slot: the walk sees the newest pte first and,
            // block by block, the inserted order reversed.
            long[] walk = d.slotsOf(pfn);
            assertEquals(inserted.get(n - 1).longValue(), walk[0]);
            assertEquals(inserted.get(0).longValue(), walk[n - 1]);
        }
        s.finish();
    }

    /** ptes left after each removal when n ptes are removed in the given order of tasks. */
    private void removeInOrderKeepsTheHeadOnlyRule(int n, List<Integer> order, boolean byCow) {
        boot();
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(n, a);
        int pfn = pfnAt(ts.get(0), a[0]);
        int nrpte = d.geometry().nrpte();
        int left = n;
        for (int idx : order) {
            Task t = ts.get(idx);
            if (byCow && left > 1) {
                s.write(t, a[0], P, 0x100 + idx); // COW: the old page loses t's pte
                assertTrue(d.isDirect(pfnAt(t, a[0])), "the COW copy is direct");
            } else {
                s.exit(t);
            }
            left--;
            if (left == 0) {
                break;
            }
            int blocks = ceilDiv(left, nrpte);
            // No collapse on removal, even down to one pte (n > 1 made it a chain).
            assertFalse(d.isDirect(pfn), "a chain stays a chain until page_referenced");
            assertEquals(left, d.ptesOf(pfn));
            assertEquals(blocks, d.blocksOf(pfn), left + " ptes left");
            assertEquals(blocks * nrpte - left, d.headFreeSlots(pfn));
        }
        s.finish();
    }

    private static List<Integer> range(int n) {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add(i);
        }
        return l;
    }

    @Test
    void removalsInCreationOrderFreeHeadsAsTheyEmpty() {
        List<Integer> order = range(17);
        order.remove(0);
        order.add(0); // the parent last
        removeInOrderKeepsTheHeadOnlyRule(17, order, false);
    }

    @Test
    void removalsInReverseOrder() {
        List<Integer> order = range(17);
        Collections.reverse(order);
        removeInOrderKeepsTheHeadOnlyRule(17, order, false);
    }

    @Test
    void removalsInShuffledOrdersAndByCow() {
        for (long seed = 1; seed <= 4; seed++) {
            List<Integer> order = range(23);
            Collections.shuffle(order, new Random(seed));
            removeInOrderKeepsTheHeadOnlyRule(23, order, seed % 2 == 0);
        }
    }

    @Test
    void removalMovesTheHeadsFirstPteIntoTheVictimsSlot() {
        boot();
        int nrpte = d.geometry().nrpte();
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(nrpte + 2, a); // two blocks: head holds 2, tail full
        int pfn = pfnAt(ts.get(0), a[0]);
        long[] before = d.slotsOf(pfn);
        assertEquals(2, d.blocksOf(pfn));
        // Victim: the pte in the middle of the full tail block.
        long victim = before[2 + 3];
        Task owner = null;
        for (Task t : ts) {
            if (slotAt(t, a[0]) == victim) {
                owner = t;
            }
        }
        assertNotNull(owner);
        s.exit(owner);
        long[] after = d.slotsOf(pfn);
        // The head's first pte (before[0]) took the victim's slot; the head lost its first slot.
        long[] expected = new long[before.length - 1];
        System.arraycopy(before, 1, expected, 0, before.length - 1);
        expected[2 + 3 - 1] = before[0];
        assertArrayEquals(expected, after);
        assertEquals(nrpte - 1, d.headFreeSlots(pfn));
        s.finish();
    }

    // ------------------------------------------------------------------ lazy collapse

    @Test
    void aChainOfOneCollapsesOnlyInPageReferenced() {
        boot();
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(3, a);
        Task parent = ts.get(0);
        int pfn = pfnAt(parent, a[0]);
        s.exit(ts.get(1));
        s.exit(ts.get(2));
        assertFalse(d.isDirect(pfn));
        assertEquals(1, d.ptesOf(pfn));
        assertEquals(1, d.blocksAlive());
        // Nothing but page_referenced collapses it: faults elsewhere, mprotect, reads, more
        // mappings of other pages, a full oracle check.
        long b = s.mmap(parent, 0, 2 * P, RW, ANON);
        s.write(parent, b, 2 * P, 1);
        s.mprotect(parent, a[0], P, Mman.PROT_READ);
        s.mprotect(parent, a[0], P, RW);
        Task t2 = s.fork(parent);
        s.exit(t2);
        s.checkNow();
        assertFalse(d.isDirect(pfn));
        assertEquals(1, d.blocksOf(pfn));
        // The two pages of b went through the same fork and exit: chains of one as well.
        assertEquals(3, d.blocksAlive());
        assertEquals(0, d.stats().collapses);

        // The parent's pte was young from its write fault.
        assertEquals(1, d.pageReferenced(pfn));
        assertTrue(d.isDirect(pfn));
        assertEquals(2, d.blocksAlive());
        assertEquals(1, d.stats().collapses);
        assertArrayEquals(new long[] {slotAt(parent, a[0])}, d.slotsOf(pfn));
        // The accessed bit was cleared.
        assertEquals(0, d.pageReferenced(pfn));
        s.checkNow();
        s.finish();
    }

    @Test
    void pageReferencedLeavesLongerChainsAlone() {
        boot();
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(2, a);
        int pfn = pfnAt(ts.get(0), a[0]);
        long checked = d.stats().walkPtesChecked;
        // fork copies the pte old (pte_mkold): only the parent's is young.
        assertEquals(1, d.pageReferenced(pfn));
        assertEquals(2, d.stats().walkPtesChecked - checked);
        assertFalse(d.isDirect(pfn));
        assertEquals(1, d.blocksAlive());
        assertEquals(0, d.stats().collapses);
        s.finish();
    }

    @Test
    void aDirectPageThatGainsAPteAfterCollapseConvertsAgain() {
        boot();
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(2, a);
        int pfn = pfnAt(ts.get(0), a[0]);
        s.exit(ts.get(1));
        d.pageReferenced(pfn);
        assertTrue(d.isDirect(pfn));
        s.fork(ts.get(0));
        assertFalse(d.isDirect(pfn));
        assertEquals(1, d.blocksAlive());
        assertEquals(2, d.stats().directToChain);
        s.finish();
    }

    // ------------------------------------------------------------------ NRPTE per arch

    @Test
    void nrptePerArchProfile() {
        assertEquals(7, PteChainGeometry.of("x86_64", 0).nrpte());
        assertEquals(64, PteChainGeometry.of("x86_64", 0).blockBytes());
        assertEquals(15, PteChainGeometry.of("i386", 0).nrpte());
        assertEquals(7, PteChainGeometry.of("i386", 32).nrpte());
        assertEquals(15, PteChainGeometry.of("i386", 64).nrpte());
        assertEquals(31, PteChainGeometry.of("i386", 128).nrpte());
        assertEquals(15, PteChainGeometry.of("i386-pae", 0).nrpte());
        assertEquals(128, PteChainGeometry.of("i386-pae", 0).blockBytes());
        assertEquals(7, PteChainGeometry.of("i386-pae", 64).nrpte());
        assertThrows(IllegalArgumentException.class, () -> PteChainGeometry.of("i386-pae", 16));
        assertThrows(IllegalArgumentException.class, () -> PteChainGeometry.of("i386", 48));
        assertThrows(IllegalArgumentException.class, () -> PteChainGeometry.of("sparc64", 0));
    }

    @Test
    void theMachinesArchSetsTheBlockShape() {
        int[][] cases = {{0, 15}, {32, 7}, {128, 31}};
        for (int[] c : cases) {
            boot("i386", c[0]);
            assertEquals(c[1], d.geometry().nrpte());
            long[] a = new long[1];
            List<Task> ts = pageMappedBy(40, a);
            int pfn = pfnAt(ts.get(0), a[0]);
            assertEquals(ceilDiv(40, c[1]), d.blocksOf(pfn), "i386 with " + c[0] + "-byte lines");
            assertEquals((long) ceilDiv(40, c[1]) * d.geometry().blockBytes(), d.chainBytes());
            s.finish();
        }
        boot("i386-pae", 0);
        assertEquals(15, d.geometry().nrpte());
        s.finish();
    }

    // ------------------------------------------------------------------ fork

    @Test
    void forkOfAPPageVmaAllocatesOneBlockPerPageUntilTheBlocksFill() {
        boot();
        final int pages = 10;
        int nrpte = d.geometry().nrpte();
        Task t = s.initTask();
        long a = s.mmap(t, 0, pages * P, RW, ANON);
        s.write(t, a, pages * P, 3);
        long zero = s.mmap(t, 0, 4 * P, RW, ANON);
        s.touch(t, zero, 4 * P); // zero-page ptes: PageReserved in 2.6.0, never chained
        assertEquals(0, d.blocksAlive());
        assertEquals(pages, d.stats().alive("pg_direct"));
        long dups = d.stats().rmapDups;
        for (int f = 1; f <= 2 * nrpte; f++) {
            s.fork(t);
            int mappings = f + 1;
            // Every page gets one page_add_rmap per fork; the first fork converts each page.
            assertEquals(dups + (long) f * pages, d.stats().rmapDups);
            assertEquals((long) pages * ceilDiv(mappings, nrpte), d.blocksAlive(), mappings + " mappings");
            assertEquals(0, d.stats().alive("pg_direct"));
        }
        assertEquals(pages, d.stats().directToChain);
        assertEquals((long) pages * ceilDiv(2 * nrpte + 1, nrpte), d.stats().peak("pte_chain"));
        s.finish();
    }

    @Test
    void forkChainsASharedMappingsPagesToo() {
        boot();
        Task t = s.initTask();
        long a = s.mmap(t, 0, 3 * P, RW, SHARED_ANON);
        s.write(t, a, 3 * P, 9);
        int pfn = pfnAt(t, a);
        assertInstanceOf(AddressSpace.class, frames().mapping[pfn], "the page cache's mapping stays");
        assertTrue(d.isDirect(pfn));
        Task c = s.fork(t);
        // 2.6.0's dup_mmap copied every vma's ptes: each shmem page gains the child's pte now.
        assertEquals(3, d.blocksAlive());
        assertEquals(2, d.ptesOf(pfn));
        assertEquals(slotAt(c, a), d.slotsOf(pfn)[0]);
        assertInstanceOf(AddressSpace.class, frames().mapping[pfn]);
        assertEquals(0, frames().index[pfn]);
        s.finish();
    }

    @Test
    void fileAndShmemPagesAreChainedWithinOneMm() {
        boot();
        Task t = s.initTask();
        long a = s.mmap(t, 0, P, RW, SHARED_ANON);
        s.write(t, a, P, 0x5);
        int pfn = pfnAt(t, a);
        // mremap(old_len 0) duplicates a shared mapping: more ptes of one page in one mm.
        for (int i = 0; i < 9; i++) {
            long b = s.mremap(t, a, 0, P, Mman.MREMAP_MAYMOVE, 0);
            assertTrue(b > 0);
            s.touch(t, b, P);
        }
        assertEquals(10, d.ptesOf(pfn));
        assertEquals(2, d.blocksOf(pfn));
        s.finish();
    }

    // ------------------------------------------------------------------ mremap, COW

    @Test
    void mremapMovesPtesOneByOneAsRemoveThenAdd() {
        boot();
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(2, a);
        Task parent = ts.get(0);
        Task child = ts.get(1);
        int pfn = pfnAt(parent, a[0]);
        long nb = s.mremap(parent, a[0], P, P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, a[0] - 64 * P);
        assertEquals(a[0] - 64 * P, nb);
        // page_remove_rmap(parent's old pte, in slot NRPTE-1): the child's pte moves there;
        // page_add_rmap(new pte): slot NRPTE-2.
        assertArrayEquals(new long[] {slotAt(parent, nb), slotAt(child, a[0])}, d.slotsOf(pfn));
        assertEquals(1, d.blocksAlive());
        s.finish();
    }

    @Test
    void noWholeTableMovesEvenWhenTwoMegabyteAligned() {
        long[] pmdMoves = new long[2];
        for (int k = 0; k < 2; k++) {
            boolean pte = k == 0;
            Machine kern = new Machine(new MachineConfig(32L << 20, 0, "x86_64"),
                    pte ? new PteChainsDesign() : new AnonVmaChainDesign());
            CheckedSyscalls c = new CheckedSyscalls(kern, CheckPolicy.EVERY);
            Task t = c.initTask();
            long a = c.mmap(t, 0, PageTable.PMD_SIZE, RW, ANON); // THP-aligned
            assertEquals(0, a & (PageTable.PMD_SIZE - 1));
            c.write(t, a, 8 * P, 1);
            long dst = a - 8 * PageTable.PMD_SIZE;
            assertEquals(dst, c.mremap(t, a, PageTable.PMD_SIZE, PageTable.PMD_SIZE,
                    Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED, dst));
            pmdMoves[k] = kern.counters().get("mremap_pmd_moves");
            if (pte) {
                PteChainsDesign pd = (PteChainsDesign) kern.design();
                long slot = PageTable.lookup(kern.frames(), t.mm().pgd(), dst);
                int pfn = PageTable.ptePfn(PageTable.get(kern.frames(), slot));
                assertArrayEquals(new long[] {slot}, pd.slotsOf(pfn));
            }
            c.finish();
        }
        assertEquals(0, pmdMoves[0], "pte_chains moves pte by pte");
        assertEquals(1, pmdMoves[1], "today's Linux moves the whole table");
    }

    @Test
    void cowAddsTheNewPageAsDirectAndRemovesTheOldPte() {
        boot();
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(3, a);
        int old = pfnAt(ts.get(0), a[0]);
        s.write(ts.get(2), a[0], P, 0x77);
        int np = pfnAt(ts.get(2), a[0]);
        assertTrue(np != old);
        assertTrue(d.isDirect(np));
        assertEquals(2, d.ptesOf(old));
        assertFalse(d.isDirect(old));
        s.finish();
    }

    // ------------------------------------------------------------------ walk

    @Test
    void theWalkCostsOnePtePerMappingWhateverElseExists() {
        boot();
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(5, a);
        // Ten more processes that map other pages and many vmas do not make the walk longer.
        for (int i = 0; i < 10; i++) {
            Task o = s.fork(ts.get(0));
            s.write(o, a[0], P, i); // COWed away: not a mapping of the page any more
            for (int j = 0; j < 5; j++) {
                s.mmap(o, 0, P, Mman.PROT_READ, ANON);
            }
        }
        int pfn = pfnAt(ts.get(0), a[0]);
        long vmas = d.stats().walkVmasVisited;
        long ptes = d.stats().walkPtesChecked;
        List<Vma> seen = new ArrayList<>();
        d.rmapWalk(pfn, new RmapWalkControl() {
            @Override
            public boolean visit(Vma vma, long address, long ptep) {
                seen.add(vma);
                assertEquals(a[0], address);
                return false;
            }

            @Override
            public boolean done() {
                return false;
            }
        });
        assertEquals(5, seen.size());
        assertEquals(5, d.stats().walkVmasVisited - vmas);
        assertEquals(5, d.stats().walkPtesChecked - ptes);
        s.finish();
    }

    // ------------------------------------------------------------------ a storm of small blocks

    /**
     * Seeded fork / exit / COW / mremap / munmap / mmap / page_referenced storms with NRPTE = 3
     * (i386 PAE with 32-byte lines), so chains run to many blocks and every path of page_add_rmap,
     * page_remove_rmap and the collapse is taken, with the oracle (walk against a brute-force scan,
     * and the design's self-check) after every call.
     */
    @Test
    void chainStormsWithThreeSlotBlocksKeepEveryInvariant() {
        long maxBlocksPerPage = 0;
        for (long seed = 1; seed <= 2; seed++) {
            boot("i386-pae", 32, 8L << 20);
            assertEquals(3, d.geometry().nrpte());
            Random rnd = new Random(seed);
            Task init = s.initTask();
            final int n = 6;
            long r1 = s.mmap(init, 0, 160 * P, RW, ANON);
            long r2 = r1 + 64 * P;
            long sh = r1 + 128 * P;
            s.munmap(init, r1 + n * P, 64 * P - n * P);
            s.munmap(init, r2 + n * P, 64 * P - n * P);
            s.munmap(init, sh, 32 * P);
            assertEquals(sh, s.mmap(init, sh, n * P, RW, SHARED_ANON | Mman.MAP_FIXED));
            s.write(init, r1, n * P, 1);
            s.write(init, sh, n * P, 2);
            List<Task> tasks = new ArrayList<>();
            tasks.add(init);
            for (int op = 0; op < 800; op++) {
                Task t = tasks.get(rnd.nextInt(tasks.size()));
                int i = rnd.nextInt(n);
                long[] regions = {r1, r2, sh};
                long addr = regions[rnd.nextInt(3)] + i * P;
                switch (rnd.nextInt(9)) {
                    case 0, 1 -> {
                        if (tasks.size() < 16) {
                            tasks.add(s.fork(t));
                        }
                    }
                    case 2 -> {
                        if (tasks.size() > 1) {
                            s.exit(t);
                            tasks.remove(t);
                        }
                    }
                    case 3 -> s.write(t, addr, P, op);
                    case 4 -> s.touch(t, addr, P);
                    case 5 -> s.mremap(t, addr, P, P, Mman.MREMAP_MAYMOVE | Mman.MREMAP_FIXED,
                            addr == r1 + i * P ? r2 + i * P : r1 + i * P);
                    case 6 -> s.madvise(t, addr, P, Mman.MADV_DONTNEED);
                    case 7 -> {
                        if (rnd.nextBoolean()) {
                            s.munmap(t, addr, P);
                        } else if (addr != sh + i * P) {
                            s.mmap(t, addr, P, RW, ANON | Mman.MAP_FIXED);
                        }
                    }
                    default -> {
                        // page_referenced on every page t maps, as reclaim would.
                        for (long reg : regions) {
                            for (int j = 0; j < n; j++) {
                                long slot = PageTable.lookup(frames(), t.mm().pgd(), reg + j * P);
                                long pte = slot < 0 ? 0 : PageTable.get(frames(), slot);
                                if (PageTable.present(pte) && PageTable.ptePfn(pte) != Frames.ZERO_PFN) {
                                    int pfn = PageTable.ptePfn(pte);
                                    maxBlocksPerPage = Math.max(maxBlocksPerPage, d.blocksOf(pfn));
                                    d.pageReferenced(pfn);
                                }
                            }
                        }
                        s.checkNow();
                    }
                }
            }
            s.finish();
            assertTrue(d.stats().collapses > 0, "the storm collapsed chains");
            assertTrue(d.stats().peak("pte_chain") > 2L * n, "the storm built multi-block chains");
        }
        assertTrue(maxBlocksPerPage >= 4, "chains ran to " + maxBlocksPerPage + " blocks");
    }

    // ------------------------------------------------------------------ the self-check bites

    @Test
    void theSelfCheckCatchesACorruptedChain() {
        boot();
        long[] a = new long[1];
        List<Task> ts = pageMappedBy(4, a);
        int pfn = pfnAt(ts.get(0), a[0]);
        assertNull(d.checkInvariants());
        int head = (int) d.pteField(pfn);
        PteChainPool pool = d.pool();
        int nrpte = pool.nrpte;
        // A hole among the used slots.
        long saved = pool.pte(head, nrpte - 1);
        pool.setPte(head, nrpte - 1, 0);
        assertNotNull(d.checkInvariants());
        pool.setPte(head, nrpte - 1, saved);
        assertNull(d.checkInvariants());
        // A pte in a free slot (free space must be packed at the head's start).
        pool.setPte(head, 0, saved);
        assertNotNull(d.checkInvariants());
        pool.setPte(head, 0, 0);
        // The same pte twice.
        long other = pool.pte(head, nrpte - 2);
        pool.setPte(head, nrpte - 2, saved);
        assertNotNull(d.checkInvariants());
        pool.setPte(head, nrpte - 2, other);
        assertNull(d.checkInvariants());
        s.finish();
    }
}
