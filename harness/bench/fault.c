/*
 * fault.c: what this machine's kernel pays for the operations the model's JMH benchmarks measure
 * (bench/, docs/benchmarks.md), so that the two can be put side by side.
 *
 *   cc -O2 -o fault harness/bench/fault.c && ./fault [PAGES [ROUNDS]]
 *   (harness/bench/kernel-costs.sh compiles and runs it, with a temporary swap file when root)
 *
 * Each line: NAME  median ns per page over ROUNDS rounds (min, max). Every figure is the CPU time
 * (CLOCK_THREAD_CPUTIME_ID: user + system) of the whole system call or access loop divided by the
 * pages it touched, so it includes what the model does not model: clearing or copying 4 KiB, TLB
 * flushes, the page allocator. CPU time rather than wall-clock time because the machine is shared:
 * waiting for a CPU is not the kernel's cost.
 *
 *   write_fault_warm  write one byte to each page of a range whose page tables exist (the range was
 *                     written and MADV_DONTNEED'd, keeping one page per PTE table so that
 *                     CONFIG_PT_RECLAIM cannot free the tables): do_anonymous_page
 *   write_fault_cold  the same on a fresh mmap (page tables allocated on the way)
 *   read_fault_zero   read each page of a warm range: maps the shared zero page
 *   cow_fault         after fork, the parent writes each page the child shares: wp_page_copy
 *   fork              (fork() with PAGES written pages - fork() without them) / PAGES, the time
 *                     until fork returns in the parent: copy_page_range plus rmap dup per pte
 *   munmap            munmap of PAGES written pages: zap and free
 *   mremap_move       mremap MAYMOVE|FIXED of PAGES written pages to a destination whose 2 MiB
 *                     alignment differs, so every pte moves one by one (no whole-table moves)
 *   mremap_move_aligned  the same with source and destination on 2 MiB boundaries: each PTE table
 *                     moves whole (move_normal_pmd)
 *   pageout           MADV_PAGEOUT of PAGES written pages (only with active swap; checked through
 *                     VmSwap in /proc/self/status, else the line says why it is missing)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
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
#define PMD (2L << 20)
#define PER_TABLE 512

static long pages = 16384;
static int rounds = 9;

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
    fprintf(stderr, "fault: %s: %s\n", what, strerror(errno));
    exit(1);
}

/* A 2 MiB-aligned anonymous private region of len bytes (plus offset bytes of slack before it). */
static char *region(long len, long offset) {
    char *p = mmap(NULL, len + offset + PMD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    char *a = (char *)(((uintptr_t)p + PMD - 1) & ~(uintptr_t)(PMD - 1)) + offset;
    return a;
}

static void writeall(char *a, long n) {
    for (long i = 0; i < n; i++) a[i * PG] = (char)(i | 1);
}

static int cmp(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static void report(const char *name, double *v, int n) {
    qsort(v, n, sizeof *v, cmp);
    printf("%-17s %9.1f ns/page CPU  (min %.1f, max %.1f, %d rounds of %ld pages)\n", name, v[n / 2], v[0],
           v[n - 1], n, pages);
    fflush(stdout);
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

static volatile char sink;

int main(int argc, char **argv) {
    if (argc > 1) pages = atol(argv[1]);
    if (argc > 2) rounds = atoi(argv[2]);
    if (pages < PER_TABLE || rounds < 1) {
        fprintf(stderr, "usage: fault [PAGES>=512 [ROUNDS]]\n");
        return 2;
    }
    pages -= pages % PER_TABLE;
    pin();
    long len = pages * PG;
    double *v = calloc(rounds, sizeof *v);
    char *a;

    /* Warm write and zero-page read faults: the last page of each PTE table stays mapped. */
    long warm = pages / PER_TABLE * (PER_TABLE - 1);
    a = region(len, 0);
    writeall(a, pages);
    for (int r = 0; r < rounds; r++) {
        for (long t = 0; t < pages / PER_TABLE; t++)
            madvise(a + t * PMD, PMD - PG, MADV_DONTNEED);
        long long t0 = now();
        for (long t = 0; t < pages / PER_TABLE; t++)
            for (long i = 0; i < PER_TABLE - 1; i++) a[t * PMD + i * PG] = 1;
        v[r] = (double)(now() - t0) / warm;
    }
    report("write_fault_warm", v, rounds);
    for (int r = 0; r < rounds; r++) {
        for (long t = 0; t < pages / PER_TABLE; t++)
            madvise(a + t * PMD, PMD - PG, MADV_DONTNEED);
        long long t0 = now();
        for (long t = 0; t < pages / PER_TABLE; t++)
            for (long i = 0; i < PER_TABLE - 1; i++) sink = a[t * PMD + i * PG];
        v[r] = (double)(now() - t0) / warm;
    }
    report("read_fault_zero", v, rounds);
    munmap(a - 0, len);

    for (int r = 0; r < rounds; r++) {
        char *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (b == MAP_FAILED) die("mmap");
        long long t0 = now();
        writeall(b, pages);
        v[r] = (double)(now() - t0) / pages;
        munmap(b, len);
    }
    report("write_fault_cold", v, rounds);

    /* COW: the parent writes every page it shares with a child that waits. */
    for (int r = 0; r < rounds; r++) {
        char *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (b == MAP_FAILED) die("mmap");
        writeall(b, pages);
        int fd[2];
        if (pipe(fd)) die("pipe");
        pid_t c = fork();
        if (c < 0) die("fork");
        if (c == 0) {
            char x;
            close(fd[1]);
            while (read(fd[0], &x, 1) < 0 && errno == EINTR) {}
            _exit(0);
        }
        close(fd[0]);
        long long t0 = now();
        for (long i = 0; i < pages; i++) b[i * PG] = 2;
        v[r] = (double)(now() - t0) / pages;
        close(fd[1]);
        waitpid(c, NULL, 0);
        munmap(b, len);
    }
    report("cow_fault", v, rounds);

    /* fork per page: fork() with the pages minus fork() without them. */
    {
        double *base = calloc(rounds, sizeof *base);
        for (int with = 0; with < 2; with++) {
            char *b = NULL;
            if (with) {
                b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (b == MAP_FAILED) die("mmap");
                writeall(b, pages);
            }
            for (int r = 0; r < rounds; r++) {
                long long t0 = now();
                pid_t c = fork();
                if (c < 0) die("fork");
                if (c == 0) _exit(0);
                long long t1 = now();
                waitpid(c, NULL, 0);
                (with ? v : base)[r] = (double)(t1 - t0);
            }
            if (b) munmap(b, len);
        }
        qsort(base, rounds, sizeof *base, cmp);
        for (int r = 0; r < rounds; r++) v[r] = (v[r] - base[rounds / 2]) / pages;
        report("fork", v, rounds);
        free(base);
    }

    for (int r = 0; r < rounds; r++) {
        char *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (b == MAP_FAILED) die("mmap");
        writeall(b, pages);
        long long t0 = now();
        munmap(b, len);
        v[r] = (double)(now() - t0) / pages;
    }
    report("munmap", v, rounds);

    for (int r = 0; r < rounds; r++) {
        char *src = region(len, PG);        /* 4 KiB past a 2 MiB boundary */
        char *dst = region(len, 2 * PG);    /* 8 KiB past one: never both aligned */
        writeall(src, pages);
        long long t0 = now();
        char *m = mremap(src, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
        v[r] = (double)(now() - t0) / pages;
        if (m != dst) die("mremap");
        munmap(dst - 2 * PG, len + 2 * PG + PMD);
        munmap(src - PG - PMD, len + 2 * PMD + PG);
    }
    report("mremap_move", v, rounds);

    for (int r = 0; r < rounds; r++) {
        char *src = region(len, 0);         /* both on a 2 MiB boundary: whole PTE tables move */
        char *dst = region(len, 0);
        writeall(src, pages);
        long long t0 = now();
        char *m = mremap(src, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
        v[r] = (double)(now() - t0) / pages;
        if (m != dst) die("mremap");
        munmap(dst, len + PMD);
        munmap(src, len + PMD);
    }
    report("mremap_move_aligned", v, rounds);

    {
        int ok = 1;
        for (int r = 0; r < rounds && ok; r++) {
            char *b = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (b == MAP_FAILED) die("mmap");
            writeall(b, pages);
            long before = vmswap_kb();
            long long t0 = now();
            if (madvise(b, len, MADV_PAGEOUT)) die("madvise(MADV_PAGEOUT)");
            v[r] = (double)(now() - t0) / pages;
            long out = (vmswap_kb() - before) / 4;
            if (out < pages * 9 / 10) {
                printf("%-17s not measured: only %ld of %ld pages went to swap (is swap active? see /proc/swaps)\n",
                       "pageout", out, pages);
                ok = 0;
            }
            munmap(b, len);
        }
        if (ok) report("pageout", v, rounds);
    }
    return 0;
}
