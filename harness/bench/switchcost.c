/*
 * switchcost.c: what a context switch before a call adds to the call's CPU time (issue 18: every
 * line of `vmsh -t` that enters the kernel cost 10 to 15 us more than calibrate.c's loops).
 *
 * Times one call with CLOCK_THREAD_CPUTIME_ID read by the clock_gettime system call right before
 * and after it, as harness/vmsh.c's task_loop() does, less the median of the same window with no
 * call in it after the same prelude (vmsh's "empty"). The calls:
 *   madvise  MADV_DONTNEED of one page written before the prelude (zap + one-page TLB flush)
 *   fault    the first write to a page of a fresh private anonymous range (do_anonymous_page)
 *   mmap     mmap of one private anonymous page (munmapped after the window)
 * The preludes, each before every call:
 *   loop       none: the calls in a row, as calibrate.c times them
 *   yield      sched_yield() (no other task on the CPU: a system call, no switch)
 *   touchKB    the timed process writes K KiB of its own memory (its caches polluted, no switch)
 *   proc       a pipe wake from another process pinned to the same CPU, as vmsh's coordinator
 *              wakes its tasks: two switches between two mms (write, block in read, partner
 *              runs, answers, switch back); the partner writes P KiB of its memory before it
 *              answers (-p P, 0 by default)
 *   thread     the same with the partner a thread of the same process (switches, no mm switch)
 *   other      the partner process pinned to the other CPU (a wake from idle, no switch of mm
 *              on the timed CPU: idle keeps the mm loaded, lazy TLB)
 *   procwarm   proc, then one getppid() before the window (a switch's deferred return-to-user
 *              work, if any, falls before the window)
 * Prints "op prelude median_ns mean_ns empty_ns n" per cell. Usage:
 *   switchcost [-n ITER] [-p PARTNER_KB] [-k TOUCH_KB] [OP [PRELUDE]]
 * Build: gcc -O2 -o switchcost switchcost.c -lpthread
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PG 4096L
static int iters = 300, partner_kb = 0, touch_kb = 256, cpu0, cpu1;
static int to_partner[2], from_partner[2];
static volatile char *touchbuf, *pbuf;

static long long thread_ns(void)
{
    struct timespec ts;
    syscall(SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void pin(int cpu)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    if (sched_setaffinity(0, sizeof s, &s)) { perror("sched_setaffinity"); exit(1); }
}

static void partner_loop(void)
{
    char b;
    while (read(to_partner[0], &b, 1) == 1) {
        for (long i = 0; i < partner_kb * 1024L; i += 64) pbuf[i]++;
        if (write(from_partner[1], &b, 1) != 1) break;
    }
}

static void *partner_thread(void *arg)
{
    pin(*(int *)arg);
    partner_loop();
    return NULL;
}

static pid_t child = -1;
static pthread_t thr;
static int have_thr;

static void start_partner(const char *prelude)
{
    if (pipe(to_partner) || pipe(from_partner)) { perror("pipe"); exit(1); }
    pbuf = malloc(partner_kb * 1024L + 64);
    memset((void *)pbuf, 1, partner_kb * 1024L + 64);
    static int cpu;
    cpu = strcmp(prelude, "other") ? cpu0 : cpu1;
    if (!strcmp(prelude, "thread")) {
        pthread_create(&thr, NULL, partner_thread, &cpu);
        have_thr = 1;
        return;
    }
    child = fork();
    if (child == 0) {
        close(to_partner[1]);  /* else its read never sees the end of the pipe */
        close(from_partner[0]);
        pin(cpu);
        partner_loop();
        _exit(0);
    }
}

static void stop_partner(void)
{
    close(to_partner[1]);
    if (child > 0) waitpid(child, NULL, 0);
    if (have_thr) pthread_join(thr, NULL);
    close(to_partner[0]); close(from_partner[0]); close(from_partner[1]);
    child = -1; have_thr = 0;
}

static void prelude_run(const char *p)
{
    if (!strcmp(p, "loop")) return;
    if (!strcmp(p, "yield")) { sched_yield(); return; }
    if (!strcmp(p, "touch")) {
        for (long i = 0; i < touch_kb * 1024L; i += 64) touchbuf[i]++;
        return;
    }
    char b = 1;
    if (write(to_partner[1], &b, 1) != 1 || read(from_partner[0], &b, 1) != 1) { perror("pipe"); exit(1); }
    if (!strcmp(p, "procwarm")) syscall(SYS_getppid);
}

static int cmp(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static void cell(const char *op, const char *p)
{
    long long *v = calloc(iters, sizeof *v), *e = calloc(iters, sizeof *e);
    int uses_partner = strcmp(p, "loop") && strcmp(p, "yield") && strcmp(p, "touch");
    if (uses_partner) start_partner(p);
    char *region = mmap(NULL, (iters + 1) * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    madvise(region, (iters + 1) * PG, MADV_NOHUGEPAGE);
    char *page = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    /* the empty window after the same prelude */
    for (int i = 0; i < iters; i++) {
        prelude_run(p);
        long long t0 = thread_ns();
        e[i] = thread_ns() - t0;
    }
    for (int i = 0; i < iters; i++) {
        if (!strcmp(op, "madvise")) page[0] = 1;
        prelude_run(p);
        long long t0 = thread_ns(), t;
        if (!strcmp(op, "madvise")) {
            madvise(page, PG, MADV_DONTNEED);
            t = thread_ns() - t0;
        } else if (!strcmp(op, "fault")) {
            ((volatile char *)region)[i * PG] = 1;
            t = thread_ns() - t0;
        } else {
            void *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            t = thread_ns() - t0;
            munmap(m, PG);
        }
        v[i] = t;
    }
    munmap(region, (iters + 1) * PG);
    munmap(page, PG);
    if (uses_partner) stop_partner();
    qsort(e, iters, sizeof *e, cmp);
    long long em = e[iters / 2];
    double sum = 0;
    for (int i = 0; i < iters; i++) sum += v[i] - em;
    qsort(v, iters, sizeof *v, cmp);
    char name[32];
    if (!strcmp(p, "touch")) snprintf(name, sizeof name, "touch%dKB", touch_kb);
    else if (!strcmp(p, "proc") && partner_kb) snprintf(name, sizeof name, "proc+%dKB", partner_kb);
    else snprintf(name, sizeof name, "%s", p);
    printf("%-8s %-12s %9lld %9.0f %7lld %d\n", op, name, v[iters / 2] - em, sum / iters, em, iters);
    fflush(stdout);
    free(v); free(e);
}

int main(int argc, char **argv)
{
    int c;
    while ((c = getopt(argc, argv, "n:p:k:")) != -1) {
        if (c == 'n') iters = atoi(optarg);
        else if (c == 'p') partner_kb = atoi(optarg);
        else if (c == 'k') touch_kb = atoi(optarg);
        else { fprintf(stderr, "usage: %s [-n ITER] [-p KB] [-k KB] [OP [PRELUDE]]\n", argv[0]); return 2; }
    }
    cpu0 = sched_getcpu();
    cpu1 = cpu0 ? 0 : 1;
    pin(cpu0);
    touchbuf = malloc(touch_kb * 1024L + 64);
    memset((void *)touchbuf, 1, touch_kb * 1024L + 64);
    static const char *ops[] = {"madvise", "fault", "mmap"};
    static const char *pre[] = {"loop", "yield", "touch", "thread", "proc", "procwarm", "other"};
    printf("# op     prelude      median_ns   mean_ns empty_ns n\n");
    for (int o = 0; o < 3; o++) {
        if (optind < argc && strcmp(argv[optind], ops[o])) continue;
        for (int q = 0; q < 7; q++) {
            if (optind + 1 < argc && strcmp(argv[optind + 1], pre[q])) continue;
            cell(ops[o], pre[q]);
        }
    }
    return 0;
}
