/*
 * pageout_shape.c: the shape of the real kernel's reverse-walk cost after a fork fan-out (issue 7:
 * "MADV_PAGEOUT of such pages costs the same for N = 0 to 128, parent and child alike").
 *
 *   cc -O2 -o pageout_shape harness/bench/pageout_shape.c && ./pageout_shape [PAGES [RUNS [MAXN]]]
 *   (harness/bench/kernel-costs.sh shape: compiles it, sets up a temporary swap file when root and
 *   none is active, runs it and removes the swap file again)
 *
 * For N = 0, 1, 2, 4, ..., MAXN (default 128): the parent writes PAGES pages (default 256) of one
 * private anonymous mapping and forks N children; every child writes every page (a COW: its own
 * copy, mapped once, in the child's own anon_vma under today's anon_vma_chain), after which the
 * parent's pages are mapped once too (by the parent, in the root anon_vma whose interval tree
 * holds the parent's vma and all N children's). Then MADV_PAGEOUT of the whole mapping is timed in
 * the first child, in the last child and in the parent, each with every other process idle
 * (waiting on a pipe). MADV_PAGEOUT of a page mapped once is reclaim_pages() -> shrink_folio_list()
 * with references ignored: add_to_swap, try_to_unmap (the reverse walk: rmap_walk_anon over the
 * page's anon_vma, stopping once the mapcount is zero), and the start of writeback.
 *
 * A run is repeated (at most twice, counted at the end) when some pages did not go to swap.
 * Each figure is the median over RUNS runs (default 7) of ns of CPU time (CLOCK_THREAD_CPUTIME_ID,
 * user + system: the machine is shared, and waiting for a CPU is not the kernel's cost) per page. A run counts only when
 * VmSwap (/proc/self/status) of each process rose by at least 90% of the mapping, i.e. the
 * pages really went to swap; when a run fails three times the program stops with exit 3 and says
 * so (no active swap?).
 * The other processes are idle but the machine is shared: the medians hide some noise, not all.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

#define PG 4096L
#define MAXRUNS 64

static long pages = 256;
static int runs = 7;
static int maxn = 128;
static int retried;

/*
 * The calling thread's CPU time (user + system, the scheduler's exact sum_exec_runtime): on a
 * shared machine wall-clock time would also count the time the process waited for a CPU.
 */
static long long now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * Everything runs on one CPU (children inherit the mask): a page faulted in waits in that CPU's
 * LRU batch until drained, and MADV_PAGEOUT drains only its own CPU's (lru_add_drain()), so a
 * process that migrated could leave pages it cannot isolate.
 */
static void pin(void) {
    cpu_set_t set;
    int cpu = sched_getcpu();
    CPU_ZERO(&set);
    CPU_SET(cpu < 0 ? 0 : cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static void die(const char *what) {
    fprintf(stderr, "pageout_shape: %s: %s\n", what, strerror(errno));
    exit(1);
}

static long vmswap_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmSwap: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

/* MADV_PAGEOUT of the mapping: ns per page, or -1 when the pages did not go to swap. */
static double pageout(char *a) {
    long before = vmswap_kb();
    long long t0 = now();
    if (madvise(a, pages * PG, MADV_PAGEOUT)) die("madvise(MADV_PAGEOUT)");
    long long t1 = now();
    long out = (vmswap_kb() - before) / (PG / 1024);
    if (out < pages * 9 / 10) return -1;
    return (double)(t1 - t0) / pages;
}

static void readall(int fd, void *buf, size_t n) {
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) die("read from a child");
        p += r;
        n -= r;
    }
}

static int cmp(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double median(double *v, int n) {
    qsort(v, n, sizeof *v, cmp);
    return v[n / 2];
}

static void nopages(void) {
    printf("pageout_shape: MADV_PAGEOUT did not move the pages to swap (VmSwap unchanged): "
           "is swap active? (see /proc/swaps)\n");
    exit(3);
}

/*
 * One run with n children: fills *first, *last (the first and last child's MADV_PAGEOUT) and
 * *parent. Returns 0, or -1 when some process's pages did not all go to swap.
 */
static int one_run(int n, double *first, double *last, double *parent) {
    char *a = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a == MAP_FAILED) die("mmap");
    for (long i = 0; i < pages; i++) a[i * PG] = 1;
    int ready[2], result[2];
    if (pipe(ready) || pipe(result)) die("pipe");
    int *cmd = calloc(n + 1, sizeof *cmd);
    pid_t *pid = calloc(n + 1, sizeof *pid);
    for (int c = 0; c < n; c++) {
        int p[2];
        if (pipe(p)) die("pipe");
        pid[c] = fork();
        if (pid[c] < 0) die("fork");
        if (pid[c] == 0) {
            close(p[1]);
            for (int o = 0; o < c; o++) close(cmd[o]); /* the older siblings' pipes */
            for (long i = 0; i < pages; i++) a[i * PG] = (char)(c + 2); /* COW */
            char x = 'r';
            if (write(ready[1], &x, 1) != 1) _exit(1);
            for (;;) {
                ssize_t got = read(p[0], &x, 1);
                if (got < 0 && errno == EINTR) continue;
                if (got <= 0) _exit(0);
                double v = pageout(a);
                if (write(result[1], &v, sizeof v) != sizeof v) _exit(1);
            }
        }
        close(p[0]);
        cmd[c] = p[1];
    }
    for (int c = 0; c < n; c++) {
        char x;
        readall(ready[0], &x, 1);
    }
    char go = 'p';
    if (n > 0) {
        if (write(cmd[0], &go, 1) != 1) die("write to a child");
        readall(result[0], first, sizeof *first);
        if (n > 1) {
            if (write(cmd[n - 1], &go, 1) != 1) die("write to a child");
            readall(result[0], last, sizeof *last);
        } else {
            *last = *first;
        }
    }
    *parent = pageout(a);
    for (int c = 0; c < n; c++) close(cmd[c]);
    for (int c = 0; c < n; c++) waitpid(pid[c], NULL, 0);
    close(ready[0]); close(ready[1]); close(result[0]); close(result[1]);
    free(cmd);
    free(pid);
    munmap(a, pages * PG);
    return *parent < 0 || (n > 0 && (*first < 0 || *last < 0)) ? -1 : 0;
}


int main(int argc, char **argv) {
    if (argc > 1) pages = atol(argv[1]);
    if (argc > 2) runs = atoi(argv[2]);
    if (argc > 3) maxn = atoi(argv[3]);
    if (pages < 1 || runs < 1 || runs > MAXRUNS || maxn < 0) {
        fprintf(stderr, "usage: pageout_shape [PAGES [RUNS<=64 [MAXN]]]\n");
        return 2;
    }
    pin();
    printf("MADV_PAGEOUT, ns of CPU time per page, median of %d runs of %ld pages each\n", runs, pages);
    printf("| N children | first child | last child | parent |\n|---:|---:|---:|---:|\n");
    fflush(stdout);
    for (int n = 0; n <= maxn; n = n ? n * 2 : 1) {
        double first[MAXRUNS], last[MAXRUNS], parent[MAXRUNS];
        for (int r = 0; r < runs; r++) {
            int tries = 0;
            while (one_run(n, &first[r], &last[r], &parent[r]) < 0) {
                if (++tries == 3) nopages();
                retried++;
            }
        }
        if (n == 0)
            printf("| 0 | - | - | %.0f |\n", median(parent, runs));
        else
            printf("| %d | %.0f | %.0f | %.0f |\n", n, median(first, runs), median(last, runs), median(parent, runs));
        fflush(stdout);
    }
    if (retried) printf("(%d runs were repeated: some pages had not gone to swap)\n", retried);
    return 0;
}
