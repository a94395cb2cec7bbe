package org.rmaplab.rmap.ptechains;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Frames;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.PageTable;
import org.rmaplab.mm.Task;

/**
 * wli's step (b) (William Lee Irwin III, 2 July 2003, docs/reference.md#wli-three-steps) as a pte_chains
 * variant ({@code new PteChainsDesign(0, true)}): ptes
 * of VM_LOCKED vmas carry no chain entry, a page they map is PG_mlocked and off the LRU, munlock
 * rebuilds the entries of its own vma's ptes. Hand-worked counts; the oracle runs after every call
 * (its walk check accepts exactly the ptes of unlocked vmas), so each test also proves the walk.
 */
class PteChainsMlockTest {
    static final long P = Machine.PAGE_SIZE;
    static final int RW = Mman.PROT_READ | Mman.PROT_WRITE;
    static final int PAGES = 16;
    static final int TASKS = 8;

    private PteChainsDesign d;
    private CheckedSyscalls s;

    private void boot(boolean stepB, long swap) {
        d = new PteChainsDesign(0, stepB);
        s = new CheckedSyscalls(new Machine(new MachineConfig(32L << 20, swap, "x86_64"), d), CheckPolicy.EVERY);
    }

    private Frames frames() {
        return s.machine().frames();
    }

    private int pfnAt(Task t, long addr) {
        long slot = PageTable.lookup(frames(), t.mm().pgd(), addr);
        assertTrue(slot >= 0, "no page table at " + Long.toHexString(addr));
        long pte = PageTable.get(frames(), slot);
        assertTrue(PageTable.present(pte), "nothing mapped at " + Long.toHexString(addr));
        return PageTable.ptePfn(pte);
    }

    private long slotAt(Task t, long addr) {
        return PageTable.lookup(frames(), t.mm().pgd(), addr);
    }

    /** The ptes the page's direct pointer or chain records, in walk order (the oracle checks the walk itself). */
    private List<Long> walk(int pfn) {
        List<Long> out = new ArrayList<>();
        for (long slot : d.slotsOf(pfn)) {
            out.add(slot);
        }
        return out;
    }

    /**
     * The SGA shape: t1 opens a 16-page tmpfs file and forks 7 children before mapping anything;
     * then every task maps the whole file MAP_SHARED at the same offset and mlocks it (mlock
     * populates). Returns the tasks; addrs[i] is task i's mapping.
     */
    private List<Task> sga(long[] addrs) {
        Task t1 = s.initTask();
        long file = s.open(t1, "sga", PAGES * P);
        assertTrue(file >= 0);
        List<Task> ts = new ArrayList<>();
        ts.add(t1);
        for (int i = 1; i < TASKS; i++) {
            ts.add(s.fork(t1));
        }
        for (int i = 0; i < TASKS; i++) {
            Task t = ts.get(i);
            addrs[i] = s.mmap(t, 0, PAGES * P, RW, Mman.MAP_SHARED, file, 0);
            assertTrue(addrs[i] > 0);
            if (i == 0) {
                assertEquals(0, s.write(t, addrs[0], PAGES * P, 0x5A));
            }
            assertEquals(0, s.mlock(t, addrs[i], PAGES * P));
        }
        return ts;
    }

    @Test
    void withoutStepBEveryLockedPteIsChained() {
        boot(false, 0);
        long[] a = new long[TASKS];
        sga(a);
        // 8 ptes per page in blocks of NRPTE 7: 2 blocks a page, 32 in all.
        int nrpte = d.geometry().nrpte();
        assertEquals(7, nrpte);
        assertEquals(PAGES * ((TASKS + nrpte - 1) / nrpte), d.blocksAlive());
        assertEquals(32, d.blocksAlive());
        assertEquals(0, d.stats().alive("pg_mlocked"));
        s.finish();
    }

    @Test
    void withStepBALockedSharedFileHasNoChainAndNoLruPage() {
        boot(true, 0);
        long[] a = new long[TASKS];
        List<Task> ts = sga(a);
        assertEquals(0, d.blocksAlive());
        assertEquals(0, d.stats().peak("pte_chain"));
        assertEquals(0, d.stats().alive("pg_direct"));
        assertEquals(PAGES, d.stats().alive("pg_mlocked"));
        for (int i = 0; i < PAGES; i++) {
            int pfn = pfnAt(ts.get(0), a[0] + i * P);
            assertEquals(TASKS, frames().mapcount[pfn]);
            assertEquals(TASKS, d.unchainedPtes(pfn));
            assertTrue((frames().flags[pfn] & Frames.PG_MLOCKED) != 0);
            assertEquals(0, frames().flags[pfn] & Frames.PG_LRU, "a PG_mlocked page is off the LRU");
            assertEquals(List.of(), walk(pfn));
        }
        // t1 wrote the pages before it locked them (one pte each, direct): mlock took 16 entries off.
        assertEquals(PAGES, d.stats().mlockUnchained);
        assertEquals(0, s.machine().lru().active() + s.machine().lru().inactive());
        s.finish();
    }

    @Test
    void munlockInOneTaskRebuildsThatTasksEntriesOnly() {
        boot(true, 0);
        long[] a = new long[TASKS];
        List<Task> ts = sga(a);
        Task t3 = ts.get(3);
        assertEquals(0, s.munlock(t3, a[3], PAGES * P));
        assertEquals(PAGES, d.stats().munlockRechained);
        assertEquals(0, d.blocksAlive());
        assertEquals(PAGES, d.stats().alive("pg_direct"));
        for (int i = 0; i < PAGES; i++) {
            int pfn = pfnAt(t3, a[3] + i * P);
            assertTrue(d.isDirect(pfn));
            assertArrayEquals(new long[] {slotAt(t3, a[3] + i * P)}, d.slotsOf(pfn));
            assertEquals(List.of(slotAt(t3, a[3] + i * P)), walk(pfn));
            // Still mapped by 7 locked ptes: still PG_mlocked, still off the LRU.
            assertEquals(TASKS - 1, d.unchainedPtes(pfn));
            assertEquals(0, frames().flags[pfn] & Frames.PG_LRU);
        }
        // A second task's munlock makes two-entry chains: 16 blocks.
        assertEquals(0, s.munlock(ts.get(5), a[5] + 4 * P, 8 * P));
        assertEquals(PAGES + 8, d.stats().munlockRechained);
        assertEquals(8, d.blocksAlive());
        s.finish();
    }

    @Test
    void reclaimEvictsThroughTheRebuiltChains() {
        boot(true, 64L << 20);
        long[] a = new long[TASKS];
        List<Task> ts = sga(a);
        assertEquals(0, s.munlock(ts.get(2), a[2], PAGES * P));
        s.reclaim(Long.MAX_VALUE);
        // Every page is still locked in 7 tasks: reclaim never sees them.
        assertEquals(PAGES, d.stats().alive("pg_mlocked"));
        for (int i = 0; i < PAGES; i++) {
            assertEquals(TASKS, frames().mapcount[pfnAt(ts.get(2), a[2] + i * P)]);
        }
        // The others exit: the last locked pte of each page goes, the page returns to the LRU with
        // task 2's rebuilt entry as its chain (a direct pointer), and reclaim can unmap it.
        for (int i = 0; i < TASKS; i++) {
            if (i != 2) {
                s.exit(ts.get(i));
            }
        }
        assertEquals(0, d.stats().alive("pg_mlocked"));
        assertEquals(PAGES, s.machine().lru().active() + s.machine().lru().inactive());
        s.reclaim(Long.MAX_VALUE);
        Task t2 = ts.get(2);
        for (int i = 0; i < PAGES; i++) {
            long slot = slotAt(t2, a[2] + i * P);
            assertTrue(slot < 0 || !PageTable.present(PageTable.get(frames(), slot)),
                    "page " + i + " was unmapped by try_to_unmap through the chain");
        }
        assertEquals(0, d.stats().alive("pg_direct"));
        // Faulted back in from swap with the contents t1 wrote.
        var r = new org.rmaplab.mm.Syscalls.ReadResult();
        assertEquals(0, s.read(t2, a[2], PAGES * P, r));
        s.finish();
    }

    @Test
    void truncateAndMunmapOfUnchainedPagesSearchNoChain() {
        boot(true, 0);
        long[] a = new long[TASKS];
        List<Task> ts = sga(a);
        long scanned = d.stats().removeSlotsScanned;
        // Shrink the file to 8 pages: the last 8 leave every task's locked mapping and the cache.
        assertEquals(0, s.ftruncate(ts.get(0), 0, 8 * P));
        assertEquals(8, d.stats().alive("pg_mlocked"));
        assertEquals(0, s.munmap(ts.get(1), a[1], PAGES * P));
        assertEquals(scanned, d.stats().removeSlotsScanned, "page_remove_rmap searched no chain");
        for (int i = 0; i < 8; i++) {
            assertEquals(TASKS - 1, d.unchainedPtes(pfnAt(ts.get(0), a[0] + i * P)));
        }
        s.finish();
    }

    @Test
    void aForkChildIsChainedWhileTheParentStaysUnchained() {
        boot(true, 0);
        Task t1 = s.initTask();
        long a = s.mmap(t1, 0, 4 * P, RW, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS | Mman.MAP_LOCKED | Mman.MAP_POPULATE);
        assertTrue(a > 0);
        assertEquals(0, d.stats().alive("pg_direct"));
        assertEquals(4, d.stats().alive("pg_mlocked"));
        assertEquals(0, d.stats().mlockUnchained, "populated under VM_LOCKED: never chained");
        Task c = s.fork(t1);
        int pfn = pfnAt(t1, a);
        assertTrue(d.isDirect(pfn), "the child's pte (no VM_LOCKED) is the page's only chained one");
        assertEquals(List.of(slotAt(c, a)), walk(pfn));
        assertEquals(1, d.unchainedPtes(pfn));
        assertFalse((frames().flags[pfn] & Frames.PG_LRU) != 0);
        // The child writes: COW gives it a page of its own on the LRU; the parent's stays locked.
        assertEquals(0, s.write(c, a, P, 0x77));
        int cp = pfnAt(c, a);
        assertTrue(cp != pfn);
        assertTrue((frames().flags[cp] & Frames.PG_LRU) != 0);
        assertEquals(List.of(), walk(pfn));
        s.exit(t1);
        s.finish();
    }
}
