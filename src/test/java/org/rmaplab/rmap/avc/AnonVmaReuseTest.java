package org.rmaplab.rmap.avc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.rmaplab.check.CheckPolicy;
import org.rmaplab.check.CheckedSyscalls;
import org.rmaplab.mm.Machine;
import org.rmaplab.mm.MachineConfig;
import org.rmaplab.mm.Mman;
import org.rmaplab.mm.Syscalls;
import org.rmaplab.mm.Task;

/**
 * The anon_vma reuse rule of commit 7a3ef208e662: a task that forks a child and exits, forever
 * (a daemon re-forking itself), keeps the number of anon_vmas bounded with the rule and grows it
 * by one per generation without it.
 */
class AnonVmaReuseTest {
    static final long P = Machine.PAGE_SIZE;
    static final int GENERATIONS = 200;

    private static long forkChain(AnonVmaChainDesign d) {
        CheckedSyscalls s = new CheckedSyscalls(new Machine(MachineConfig.defaults().withRam(16L << 20), d),
                CheckPolicy.END);
        Task t = s.initTask();
        long a = s.mmap(t, 0, 4 * P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        s.write(t, a, 4 * P, 1);
        for (int g = 0; g < GENERATIONS; g++) {
            Task child = s.fork(t);
            s.write(child, a + (g % 4) * P, P, g); // the child COWs one page
            s.exit(t);
            t = child;
        }
        Syscalls.ReadResult r = new Syscalls.ReadResult();
        s.read(t, a + ((GENERATIONS - 1) % 4) * P, P, r);
        assertEquals(GENERATIONS - 1, r.value);
        s.finish();
        assertEquals(1, s.machine().mms().size());
        return d.stats().alive("anon_vma");
    }

    @Test
    void withReuseAnonVmasStayBoundedInAnEndlessForkChain() {
        long alive = forkChain(new AnonVmaChainDesign(true));
        // One vma: about twice the number of vmas (commit message), whatever the generations.
        assertTrue(alive <= 3, "anon_vmas alive with reuse: " + alive);
    }

    @Test
    void withoutReuseTheyGrowWithEveryGeneration() {
        long alive = forkChain(new AnonVmaChainDesign(false));
        assertTrue(alive >= GENERATIONS / 2, "anon_vmas alive without reuse: " + alive);
    }

    @Test
    void theWalkOfAnUnCowedPageReachesEveryForkedChild() {
        AnonVmaChainDesign d = new AnonVmaChainDesign();
        CheckedSyscalls s = new CheckedSyscalls(new Machine(MachineConfig.defaults().withRam(16L << 20), d),
                CheckPolicy.EVERY);
        Task t1 = s.initTask();
        long a = s.mmap(t1, 0, P, Mman.PROT_READ | Mman.PROT_WRITE, Mman.MAP_PRIVATE | Mman.MAP_ANONYMOUS);
        s.write(t1, a, P, 5);
        for (int i = 0; i < 8; i++) {
            s.fork(t1);
        }
        // Nine ptes map the page; the oracle's walk comparison (after every call) proved the walk
        // finds all nine, and left no trace in the design's counters (its walks are not the
        // workload's). A walk of our own visits one vma per mapping.
        assertEquals(0, d.stats().walks);
        org.rmaplab.mm.Frames f = s.machine().frames();
        int pfn = 1;
        while (f.mapcount[pfn] != 9) {
            pfn++;
        }
        int[] found = new int[1];
        d.rmapWalk(pfn, new org.rmaplab.mm.RmapWalkControl() {
            @Override
            public boolean visit(org.rmaplab.mm.Vma vma, long address, long ptep) {
                found[0]++;
                return false;
            }

            @Override
            public boolean done() {
                return found[0] == 9;
            }
        });
        assertEquals(9, found[0]);
        assertEquals(1, d.stats().walks);
        assertEquals(9, d.stats().walkVmasVisited);
        assertEquals(1, d.stats().walkVmas().getTotalCount());
        assertEquals(9, d.stats().walkVmas().getMaxValue());
        s.finish();
    }
}
