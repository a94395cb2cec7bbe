package org.rmaplab.mm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.check.InvariantViolation;
import org.rmaplab.rmap.RmapDesigns;

/**
 * The per-frame columns of {@link Frames} (host bytes per page, docs/benchmarks.md) and the
 * invariants that let it do without the free stack and the table column: the free list threaded
 * through lruNext, the table id kept in a table frame's content, and (pte_chains) the swap slot
 * kept in index.
 */
class FramesColumnsTest {
    static final long P = Machine.PAGE_SIZE;
    static final int NR = 256;

    /** Every array field of f whose length is the number of frames, with its bytes per element. */
    static Map<String, Integer> perFrameColumns(Frames f) throws IllegalAccessException {
        Map<String, Integer> cols = new TreeMap<>();
        for (Field fl : Frames.class.getDeclaredFields()) {
            if (Modifier.isStatic(fl.getModifiers()) || !fl.getType().isArray()) {
                continue;
            }
            fl.setAccessible(true);
            Object a = fl.get(f);
            if (a == null || Array.getLength(a) != f.nrFrames()) {
                continue;
            }
            Class<?> c = fl.getType().getComponentType();
            // A reference is 4 B under compressed oops (heaps below 32 GiB), as bench footprint runs.
            int bytes = c == long.class || c == double.class ? 8 : c == int.class || c == float.class ? 4
                    : c.isPrimitive() ? (c == short.class || c == char.class ? 2 : 1) : 4;
            cols.put(fl.getName(), bytes);
        }
        return cols;
    }

    static int sum(Map<String, Integer> cols) {
        return cols.values().stream().mapToInt(Integer::intValue).sum();
    }

    @Test
    void perFrameColumnsAre44BytesAnd40WithTheSwapSlotInIndex() throws IllegalAccessException {
        Map<String, Integer> cols = perFrameColumns(new Frames(NR * P, false));
        assertEquals(new TreeMap<>(Map.of("refcount", 4, "mapcount", 4, "flags", 4, "mapping", 4, "index", 8,
                "content", 8, "swapSlot", 4, "lruNext", 4, "lruPrev", 4)), cols);
        assertEquals(44, sum(cols));
        Map<String, Integer> pte = perFrameColumns(new Frames(NR * P, true));
        assertFalse(pte.containsKey("swapSlot"));
        assertEquals(40, sum(pte));
    }

    @Test
    void theFreeListIsLifoThroughLruNextLowestPfnsFirst() {
        Frames f = new Frames(NR * P, false);
        assertEquals(NR - 1, f.free());
        assertEquals(NR - 1, walkFree(f).size());
        assertEquals(1, f.alloc());
        assertEquals(2, f.alloc());
        assertEquals(3, f.alloc());
        assertEquals(-1, f.lruNext[2], "an allocated frame is off the free list");
        f.refcount[2] = 0;
        f.free(2);
        f.refcount[1] = 0;
        f.free(1);
        List<Integer> free = walkFree(f);
        assertEquals(List.of(1, 2, 4, 5), free.subList(0, 4));
        assertEquals(NR - 2, free.size());
        assertEquals(f.free(), free.size());
        assertEquals(1, f.alloc(), "the frame freed last comes first");
        assertEquals(2, f.alloc());
        assertEquals(4, f.alloc());
        while (f.free() > 0) {
            f.alloc();
        }
        assertEquals(-1, f.freeListHead());
        assertEquals(-1, f.alloc());
    }

    static List<Integer> walkFree(Frames f) {
        List<Integer> l = new ArrayList<>();
        for (int p = f.freeListHead(); p != -1; p = f.freeListNext(p)) {
            assertTrue(f.isFree(p));
            l.add(p);
            assertTrue(l.size() <= f.free(), "the free list loops");
        }
        return l;
    }

    @Test
    void aTableFrameKeepsItsTableIdInContentAndIdsAreReused() {
        Frames f = new Frames(NR * P, false);
        int[] t = new int[100]; // more than the store's first 64 ids
        for (int i = 0; i < t.length; i++) {
            t[i] = f.allocTable(null, (long) i << 21);
            assertTrue(f.isTable(t[i]));
            assertEquals(i, f.content[t[i]], "ids are handed out in order");
            assertEquals(t[i], f.tableIdOwner(i));
        }
        assertEquals(100, f.tables());
        long[] a = f.tab(t[7]);
        a[3] = 42;
        assertEquals(42, f.entry(t[7], 3));
        f.refcount[t[7]] = 0;
        f.free(t[7]);
        assertEquals(-1, f.tableIdOwner(7));
        assertFalse(f.isTable(t[7]));
        assertEquals(0, f.content[t[7]]);
        int n = f.allocTable(null, 0);
        assertEquals(t[7], n, "the freed frame is allocated again first");
        assertEquals(7, f.content[n], "and the freed id too");
        assertSame(a, f.tab(n), "the freed table's array is reused (no allocation) ...");
        assertEquals(0, f.entry(n, 3), "... zeroed, as pte_alloc_one's page is");
        // A data frame's content is its own: not a table even if the value looks like an id.
        int d = f.alloc();
        f.content[d] = 5;
        assertFalse(f.isTable(d));
        assertNotEquals(d, f.tableIdOwner(5));
    }

    @Test
    void theOracleCatchesABrokenFreeListAndAStolenTableId() {
        CheckedSyscalls s = boot("anon_vma_chain");
        Task t = s.initTask();
        long a = s.mmap(t, 0, 4 * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        s.write(t, a, 4 * P, 3);
        s.fork(t);
        Frames f = s.machine().frames();
        int head = f.freeListHead();
        int second = f.lruNext[head];
        f.lruNext[head] = f.lruNext[second]; // drops a free frame from the list
        InvariantViolation e = assertThrows(InvariantViolation.class, s::checkNow);
        assertTrue(e.getMessage().contains("the free list holds"), e.getMessage());
        f.lruNext[head] = head; // a loop
        e = assertThrows(InvariantViolation.class, s::checkNow);
        assertTrue(e.getMessage().contains("the free list"), e.getMessage());
        f.lruNext[head] = second;
        s.checkNow();

        int t1 = -1;
        int t2 = -1;
        for (int pfn = 1; pfn < f.nrFrames() && t2 < 0; pfn++) {
            if ((f.flags[pfn] & Frames.PG_TABLE) != 0) {
                if (t1 < 0) {
                    t1 = pfn;
                } else {
                    t2 = pfn;
                }
            }
        }
        long id1 = f.content[t1];
        f.content[t1] = f.content[t2]; // two tables name one id
        e = assertThrows(InvariantViolation.class, s::checkNow);
        // The tree scan meets it first: the frame no longer owns the id its content names.
        assertTrue(e.getMessage().contains("non-table frame " + t1), e.getMessage());
        f.content[t1] = id1;
        s.checkNow();
    }

    static CheckedSyscalls boot(String design) {
        return new CheckedSyscalls(new Machine(new MachineConfig(4L << 20, 16L << 20, "x86_64"),
                RmapDesigns.create(design)), CheckPolicy.EVERY);
    }

    /** Written, swapped out, read back: the page is mapped and still in the swap cache. */
    static int swappedInPage(CheckedSyscalls s) {
        Task t = s.initTask();
        long a = s.mmap(t, 0, P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        s.write(t, a, P, 9);
        s.reclaim(Long.MAX_VALUE);
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        assertEquals(Syscalls.ACCESS_OK, s.read(t, a, P, r));
        assertEquals(9, r.value);
        Swapfile sw = s.machine().swap();
        for (int slot = 1; slot < sw.nrSlots(); slot++) {
            if (sw.cachePfn(slot) >= 0) {
                int pfn = sw.cachePfn(slot);
                assertEquals(slot, s.machine().frames().swapSlot(pfn));
                return pfn;
            }
        }
        throw new AssertionError("no page in the swap cache");
    }

    @Test
    void pteChainsKeepsASwapCachePagesSlotInIndexAsTwoSixZeroDid() {
        CheckedSyscalls s = boot("pte_chains");
        Frames f = s.machine().frames();
        assertTrue(f.swapEntryInIndex());
        int pfn = swappedInPage(s);
        assertEquals(f.swapSlot(pfn), f.index[pfn]);
        assertTrue(f.swapSlot(pfn) > 0);
        s.fork(s.initTask()); // the page gains a second pte; the slot stays in index
        assertEquals(f.swapSlot(pfn), f.index[pfn]);
        s.finish();
    }

    @Test
    void otherDesignsKeepTheSlotInAColumnOfItsOwn() {
        for (String d : RmapDesigns.names()) {
            if (d.equals("pte_chains")) {
                continue;
            }
            CheckedSyscalls s = boot(d);
            assertFalse(s.machine().frames().swapEntryInIndex(), d);
            swappedInPage(s);
            s.finish();
        }
    }
}
