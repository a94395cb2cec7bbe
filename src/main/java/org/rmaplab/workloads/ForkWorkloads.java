package org.rmaplab.workloads;

import static org.rmaplab.scenario.ScenarioText.at;
import static org.rmaplab.scenario.ScenarioText.hex;
import static org.rmaplab.scenario.ScenarioText.pages;

import org.rmaplab.scenario.ScenarioText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Workloads of forking processes (Linus Torvalds and Jamie Lokier, "Re: anon_vma RFC2",
 * linux-kernel, 13 and 12 March 2004; commits 5beb49305251 and 7a3ef208e662):
 * fork without exec, mremap after fork, fork chains, and the growth of one region by mremap.
 * Every generator tracks what each task's pages hold and states it as read expectations, so a run
 * is checked as well as measured. Random choices use {@link Random} (its algorithm is fixed by the
 * Java specification), so a seed gives the same text on every JVM.
 */
final class ForkWorkloads {
    private ForkWorkloads() {}

    static Workload.Param param(String name, long def, long min, long max, String meaning) {
        return new Workload.Param(name, def, min, max, meaning);
    }

    /** A task of a generated scenario: its name, the name its heap is at, and what each heap page holds. */
    private static final class Proc {
        final String name;
        String heap;
        final long[] values;

        Proc(String name, String heap, long[] values) {
            this.name = name;
            this.heap = heap;
            this.values = values;
        }
    }

    /**
     * Linus Torvalds's "somebody does a ton of forks without any execve's" ("Re: anon_vma RFC2",
     * linux-kernel, 13 March 2004): a big process (an emacs or
     * JVM heap) keeps N children that never exec. Each round the parent writes P/8 random pages of
     * its heap (COW away from every child still sharing them) and one random child acts: writes
     * (COWs) some pages, reads one, moves its whole heap with mremap (Linus's special case: anonmm
     * COWs the pages still shared), or exits and is replaced by a new fork of the parent as it is
     * now. At the end everything is reclaimed: the walks show how long-lived sharing costs each
     * design (anon_vma and anonmm look at every task of the family; anon_vma_chain too for pages
     * the parent wrote after the forks, which sit in the root anon_vma).
     */
    static Workload forkWithoutExec() {
        return new Workload("fork-without-exec",
                "a big process keeps N children that never exec: they COW, read, move their heap by mremap and "
                        + "exit at random while the parent keeps writing; then reclaim (docs/reference.md#linus-anon-memory-group: long-lived "
                        + "sharing; anonmm's mremap COWs; walks per design)",
                List.of(param("children", 4, 1, 256, "children alive at once (one that exits is replaced)"),
                        param("pages", 32, 1, 1 << 14, "heap pages of the parent"),
                        param("rounds", 24, 0, 1 << 14, "rounds: the parent writes P/8 pages, a random child acts"),
                        param("seed", 1, 0, Integer.MAX_VALUE, "random seed"),
                        param("reclaim", 1, 0, 1, "1: reclaim all at the end")),
                ForkWorkloads::forkWithoutExecScenario);
    }

    /** fork-without-exec's scenario: the parent's heap, its children, the rounds, then reclaim and reads of every task. */
    private static String forkWithoutExecScenario(Map<String, Long> p) {
        int n = (int) (long) p.get("children");
        int pages = (int) (long) p.get("pages");
        long rounds = p.get("rounds");
        Random rnd = new Random(p.get("seed"));
        Text t = new Text();
        t.line("# fork-without-exec children=" + n, "pages=" + pages, "rounds=" + rounds,
                "seed=" + p.get("seed"), "reclaim=" + p.get("reclaim"));
        t.raw(Workloads.machine((long) (n + 2) * pages, n + 1, 4, (long) (n + 1) * pages));
        long[] counter = {0x100};
        Proc parent = new Proc("t1", "H", new long[pages]);
        t.line("t1 mmap 0", pages(pages), "rw private|anonymous as H");
        t.line("t1 write H", pages(pages), "0x1");
        java.util.Arrays.fill(parent.values, 1);
        List<Proc> kids = new ArrayList<>();
        int[] nextId = {1};
        for (int i = 0; i < n; i++) {
            kids.add(fork(t, parent, nextId));
        }
        for (long r = 1; r <= rounds; r++) {
            for (int j = 0, m = Math.max(1, pages / 8); j < m; j++) {
                write(t, parent, rnd.nextInt(pages), counter[0]++);
            }
            childActs(t, rnd, parent, kids, nextId, counter);
        }
        if (p.get("reclaim") == 1) {
            t.line("reclaim all");
        }
        List<Proc> all = new ArrayList<>();
        all.add(parent);
        all.addAll(kids);
        for (Proc q : all) {
            for (int pg : new int[] {0, pages - 1, rnd.nextInt(pages)}) {
                t.line(q.name, "read", at(q.heap, pg), "expect", hex(q.values[pg]));
            }
        }
        t.line("check");
        return t.toString();
    }

    /** A random child writes (COWs) some pages, reads one, moves its heap, or exits and is replaced by a new fork. */
    private static void childActs(Text t, Random rnd, Proc parent, List<Proc> kids, int[] nextId, long[] counter) {
        int pages = parent.values.length;
        int ci = rnd.nextInt(kids.size());
        Proc c = kids.get(ci);
        int action = rnd.nextInt(10);
        if (action < 4) {
            for (int j = 0, k = 1 + rnd.nextInt(Math.max(1, pages / 4)); j < k; j++) {
                write(t, c, rnd.nextInt(pages), counter[0]++);
            }
        } else if (action < 6) {
            int pg = rnd.nextInt(pages);
            t.line(c.name, "read", at(c.heap, pg), "expect", hex(c.values[pg]));
        } else if (action < 8) {
            // Move the whole heap to a place of its own (MREMAP_FIXED over a reservation).
            t.line(c.name, "mmap 0", pages(pages), "none private|anonymous as D");
            String to = "H" + c.name;
            t.line(c.name, "mremap", c.heap, pages(pages), pages(pages), "maymove|fixed D as", to);
            c.heap = to;
        } else {
            t.line(c.name, "exit");
            kids.set(ci, fork(t, parent, nextId));
        }
    }

    private static Proc fork(Text t, Proc parent, int[] nextId) {
        Proc c = new Proc("c" + nextId[0]++, parent.heap, parent.values.clone());
        t.line(parent.name, "fork as", c.name);
        return c;
    }

    private static void write(Text t, Proc q, int page, long v) {
        t.line(q.name, "write", at(q.heap, page), "1p", hex(v));
        q.values[page] = v;
    }

    /**
     * Linus's special case (Linus Torvalds, "Re: anon_vma RFC2", linux-kernel, 13 March 2004):
     * "The only problem is mremap() after a fork() ... let's just
     * add a few lines to copy_one_pte()" that copy a page with page-&gt;count &gt; 1 before moving it.
     * A parent writes P pages and forks N children; each child first writes (COWs) COW of them;
     * then every task in turn (the parent first, then the children in order) moves its whole region
     * with mremap MAYMOVE|FIXED, ROUNDS times. Under anonmm a moved page still mapped by another
     * task is COWed first: the parent copies the P - COW pages every child still shares, each child
     * but the last the same (the last mover finds every page its own): N x (P - COW) mremap COWs in
     * the first round, none after. The other designs move ptes without copying.
     */
    static Workload mremapAfterFork() {
        return new Workload("mremap-after-fork",
                "a parent and N children each move (mremap) the region they share after fork, ROUNDS times: "
                        + "anonmm COWs every page still shared, N x (P - COW) in all; the others move ptes (Linus's rule, docs/reference.md#linus-anon-memory-group)",
                List.of(param("children", 4, 1, 256, "forked children"),
                        param("pages", 16, 1, 1 << 14, "pages of the shared region"),
                        param("rounds", 1, 1, 64, "moves per task"),
                        param("cow", 0, 0, 1 << 14, "pages each child writes before moving (<= pages)")),
                p -> {
                    int n = (int) (long) p.get("children");
                    int pages = (int) (long) p.get("pages");
                    long rounds = p.get("rounds");
                    int cow = (int) (long) p.get("cow");
                    if (cow > pages) {
                        throw new IllegalArgumentException("--param cow=" + cow + " is more than pages=" + pages);
                    }
                    Text t = new Text();
                    t.line("# mremap-after-fork children=" + n, "pages=" + pages, "rounds=" + rounds, "cow=" + cow);
                    t.raw(Workloads.machine((long) (n + 1) * pages * 2, n + 1, 2, (long) (n + 1) * pages));
                    Proc parent = new Proc("t1", "A", new long[pages]);
                    t.line("t1 mmap 0", pages(pages), "rw private|anonymous as A");
                    t.line("t1 write A", pages(pages), "0x1");
                    java.util.Arrays.fill(parent.values, 1);
                    List<Proc> all = new ArrayList<>();
                    all.add(parent);
                    int[] nextId = {1};
                    for (int i = 0; i < n; i++) {
                        all.add(fork(t, parent, nextId));
                    }
                    for (int i = 1; i <= n && cow > 0; i++) {
                        Proc c = all.get(i);
                        t.line(c.name, "write A", pages(cow), hex(0x100 + i));
                        java.util.Arrays.fill(c.values, 0, cow, 0x100 + i);
                    }
                    for (long r = 1; r <= rounds; r++) {
                        for (Proc q : all) {
                            String d = "D" + q.name;
                            String to = "M" + q.name;
                            t.line(q.name, "mmap 0", pages(pages), "none private|anonymous as", d);
                            t.line(q.name, "mremap", q.heap, pages(pages), pages(pages), "maymove|fixed", d, "as", to);
                            q.heap = to;
                            t.line(q.name, "read", q.heap, "expect", hex(q.values[0]));
                            t.line(q.name, "read", at(q.heap, pages - 1), "expect", hex(q.values[pages - 1]));
                        }
                    }
                    for (Proc q : all) {
                        t.line(q.name, "vmas", q.heap, pages(pages), "expect 1");
                    }
                    t.line("check");
                    return t.toString();
                });
    }

    /**
     * A fork chain (commit 7a3ef208e662, "mm: prevent unbounded growth of anon_vma hierarchy"):
     * "Constantly forking task causes unlimited grow of anon_vma chain. Each next child allocates
     * new level of anon_vmas and links vma to all previous levels because pages might be still
     * shared between them." Generation g forks generation g+1, which COWs COW pages; with
     * parent_exits each parent then exits (a daemon re-forking itself). Without the reuse rule
     * anon_vma_chain keeps one anon_vma per generation; with it about two. With parent_exits=0 every
     * generation lives and the youngest vma has a chain to each of the D+1 anon_vmas.
     */
    static Workload anonVmaGrowth() {
        return new Workload("anon-vma-growth",
                "a fork chain of depth D, each generation COWing some pages, each parent exiting after its fork: "
                        + "anon_vmas and chains per design (commit 7a3ef208e662, growth without reuse)",
                List.of(param("depth", 16, 1, 2048, "generations forked, each by the one before"),
                        param("pages", 4, 1, 4096, "pages of the region"),
                        param("cow", 1, 0, 4096, "pages each generation writes (<= pages)"),
                        param("parent_exits", 1, 0, 1, "1: each parent exits after forking its child"),
                        param("reclaim", 0, 0, 1, "1: reclaim all at the end")),
                p -> {
                    int depth = (int) (long) p.get("depth");
                    int pages = (int) (long) p.get("pages");
                    int cow = (int) (long) p.get("cow");
                    boolean exits = p.get("parent_exits") == 1;
                    if (cow > pages) {
                        throw new IllegalArgumentException("--param cow=" + cow + " is more than pages=" + pages);
                    }
                    Text t = new Text();
                    t.line("# anon-vma-growth depth=" + depth, "pages=" + pages, "cow=" + cow,
                            "parent_exits=" + p.get("parent_exits"), "reclaim=" + p.get("reclaim"));
                    t.raw(Workloads.machine(exits ? pages * 2L : (long) pages + (long) depth * Math.max(1, cow),
                            exits ? 2 : depth + 1, 1, (exits ? 2L : depth + 1L) * pages));
                    Proc prev = new Proc("t1", "A", new long[pages]);
                    t.line("t1 mmap 0", pages(pages), "rw private|anonymous as A");
                    t.line("t1 write A", pages(pages), "0x1");
                    java.util.Arrays.fill(prev.values, 1);
                    for (int g = 1; g <= depth; g++) {
                        Proc c = new Proc("g" + g, "A", prev.values.clone());
                        t.line(prev.name, "fork as", c.name);
                        for (int j = 0; j < cow; j++) {
                            write(t, c, (int) (((long) (g - 1) * cow + j) % pages), 0x100 + g);
                        }
                        if (exits) {
                            t.line(prev.name, "exit");
                        }
                        prev = c;
                    }
                    if (p.get("reclaim") == 1) {
                        t.line("reclaim all");
                    }
                    for (int pg = 0; pg < pages; pg++) {
                        t.line(prev.name, "read", at("A", pg), "expect", hex(prev.values[pg]));
                    }
                    t.line("check");
                    return t.toString();
                });
    }

    /**
     * Jamie Lokier's claim ("Re: anon_vma RFC2", linux-kernel, 12 March 2004), as a workload: a
     * region of M pages is grown to M x FACTOR pages by mremap
     * MAYMOVE, STEP pages at a time (one page at a time is the worst case: every split as early as
     * it can be); every MOVE_EVERY-th step a one-page shared mapping is put right after the region,
     * so that it must move. Lokier splits a vma whose reservation has no room left and keeps the
     * pieces one user-visible vma (VM_GROUP): the scenario expects one vma at the end under every
     * design. Claimed: O(log(n/m)) splits.
     */
    static Workload splitGrowth() {
        return new Workload("split-growth",
                "a region of M pages grown to M x FACTOR by mremap, STEP pages at a time, a mapping in the way "
                        + "every MOVE_EVERY steps: lokier's splits (claimed O(log(n/m)), docs/reference.md#fig-lokier-splits)",
                List.of(param("pages", 16, 1, 1 << 16, "initial region pages (m)"),
                        param("factor", 64, 2, 1 << 16, "growth factor n/m"),
                        param("step", 1, 1, 1 << 20, "pages added per mremap"),
                        param("move_every", 0, 0, 1 << 20, "force a move every this many steps (0: never)")),
                p -> {
                    long m = p.get("pages");
                    long n = m * p.get("factor");
                    long step = p.get("step");
                    long moveEvery = p.get("move_every");
                    long steps = (n - m + step - 1) / step;
                    if (steps > (1 << 16)) {
                        throw new IllegalArgumentException("split-growth would make " + steps
                                + " mremap calls (at most 65536): raise step or lower factor");
                    }
                    Text t = new Text();
                    t.line("# split-growth pages=" + m, "factor=" + p.get("factor"), "step=" + step,
                            "move_every=" + moveEvery);
                    t.raw(Workloads.machine(64));
                    t.line("t1 mmap 0", pages(m), "rw private|anonymous as R");
                    t.line("t1 write R 1p 0x1");
                    long writeEvery = Math.max(1, (n - m) / 32);
                    long size = m;
                    for (long s = 1; size < n; s++) {
                        long next = Math.min(n, size + step);
                        boolean move = moveEvery > 0 && s % moveEvery == 0;
                        if (move) {
                            t.line("t1 mmap", at("R", size), "1p r shared|anonymous|fixed as O");
                        }
                        t.line("t1 mremap R", pages(size), pages(next), "maymove as R");
                        if (move) {
                            t.line("t1 munmap O 1p");
                        }
                        if (next / writeEvery != size / writeEvery) {
                            t.line("t1 write", at("R", next - 1), "1p", hex(next));
                        }
                        size = next;
                    }
                    t.line("t1 write", at("R", n - 1), "1p", hex(n));
                    t.line("t1 read R expect 0x1");
                    t.line("t1 read", at("R", n - 1), "expect", hex(n));
                    t.line("t1 vmas R", pages(n), "expect 1");
                    t.line("check");
                    return t.toString();
                });
    }
}
