package org.rmaplab.workloads;

import static org.rmaplab.scenario.ScenarioText.at;
import static org.rmaplab.scenario.ScenarioText.hex;
import static org.rmaplab.scenario.ScenarioText.pages;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A multi-generation fork tree: a process forks FANOUT children, each of which forks FANOUT of its
 * own, DEPTH generations deep (a shell starting pipelines that start pipelines; a pre-forking
 * server whose workers fork helpers). Every task, once forked, writes (COWs) COW pages of the
 * region it inherited, generation g the pages (g - 1) x COW .. g x COW - 1 (mod PAGES), so that
 * pages written by an ancestor stay shared by its whole subtree. Then everything is reclaimed and
 * every task reads back its first and last page.
 *
 * <p>What it shows: under anon_vma (2.6.7) the whole tree is one anon_vma whose list holds every
 * task's vma, so every walk may look at all of them; under anon_vma_chain each task has its own
 * anon_vma, linked to those of its ancestors only (commit 5beb49305251), so a page written by a
 * task of generation g is walked over its subtree; anonmm walks the mms of the whole family.
 */
final class ForkTree {
    private ForkTree() {}

    /** The most tasks a tree may fork (as fork-fanout's children). */
    static final long MAX_TASKS = 4096;

    static Workload workload() {
        return new Workload("fork-tree",
                "a fork tree DEPTH generations deep, each task forking FANOUT children and COWing COW pages of "
                        + "its own; then reclaim: walks per design over a multi-generation family (anon_vma: one "
                        + "list for the tree; anon_vma_chain: a page's subtree)",
                List.of(ForkWorkloads.param("depth", 2, 1, 12, "generations forked below the first task"),
                        ForkWorkloads.param("fanout", 2, 1, 64, "children each task of the generations above forks"),
                        ForkWorkloads.param("pages", 4, 1, 1 << 14, "pages of the region the first task writes"),
                        ForkWorkloads.param("cow", 1, 0, 1 << 14, "pages each forked task writes (<= pages)"),
                        ForkWorkloads.param("reclaim", 1, 0, 1, "1: reclaim all at the end")),
                ForkTree::generate);
    }

    /** Tasks forked by a tree of DEPTH generations of FANOUT: FANOUT + FANOUT^2 + ... + FANOUT^DEPTH. */
    static long forked(long depth, long fanout) {
        long total = 0;
        long gen = 1;
        for (long g = 1; g <= depth; g++) {
            gen *= fanout;
            total += gen;
            if (total > MAX_TASKS) {
                return total;
            }
        }
        return total;
    }

    private static String generate(Map<String, Long> p) {
        long depth = p.get("depth");
        long fanout = p.get("fanout");
        int pages = (int) (long) p.get("pages");
        int cow = (int) (long) p.get("cow");
        if (cow > pages) {
            throw new IllegalArgumentException("--param cow=" + cow + " is more than pages=" + pages);
        }
        long forked = forked(depth, fanout);
        if (forked > MAX_TASKS) {
            throw new IllegalArgumentException("fork-tree depth=" + depth + " fanout=" + fanout + " forks more than "
                    + MAX_TASKS + " tasks: lower depth or fanout");
        }
        Text t = new Text();
        t.line("# fork-tree depth=" + depth, "fanout=" + fanout, "pages=" + pages, "cow=" + cow,
                "reclaim=" + p.get("reclaim"));
        long tasks = forked + 1;
        t.raw(Workloads.machine(pages + tasks * cow, tasks, 1, tasks * pages));
        t.line("t1 mmap 0", pages(pages), "rw private|anonymous as A");
        t.line("t1 write A", pages(pages), "0x1");
        long[] first = new long[pages];
        java.util.Arrays.fill(first, 1);
        List<String> names = new ArrayList<>(List.of("t1"));
        List<long[]> values = new ArrayList<>(List.of(first));
        int from = 0;
        for (int g = 1; g <= depth; g++) {
            int to = names.size();
            for (int q = from; q < to; q++) {
                for (int c = 1; c <= fanout; c++) {
                    String child = names.get(q).equals("t1") ? "n" + c : names.get(q) + "_" + c;
                    t.line(names.get(q), "fork as", child);
                    names.add(child);
                    values.add(values.get(q).clone());
                }
            }
            for (int q = to; q < names.size(); q++) {
                long v = 0x100 + q;
                for (int j = 0; j < cow; j++) {
                    int pg = (int) (((long) (g - 1) * cow + j) % pages);
                    t.line(names.get(q), "write", at("A", pg), "1p", hex(v));
                    values.get(q)[pg] = v;
                }
            }
            from = to;
        }
        if (p.get("reclaim") == 1) {
            t.line("reclaim all");
        }
        for (int q = 0; q < names.size(); q++) {
            for (int pg : pages == 1 ? new int[] {0} : new int[] {0, pages - 1}) {
                t.line(names.get(q), "read", at("A", pg), "expect", hex(values.get(q)[pg]));
            }
        }
        t.line("check");
        return t.toString();
    }
}
