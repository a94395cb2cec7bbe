/*
 * calibrate.c: the real kernel's cost of each primitive the model counts, measured at several
 * sizes so that `rmaplab calibrate` (org.rmaplab.cli.CalibrateCommand) can fit a line through
 * them (least squares: the slope is the cost of one more page, vma or process; the intercept the
 * fixed cost) and report the fit's residuals.
 *
 *   cc -O2 -o calibrate harness/bench/calibrate.c && ./calibrate DIR [ROUNDS [SERIES...]]
 *
 * (SERIES: only the series named, the swap series aside; for trying one series by hand. The series
 * `control` runs only when named: see calibrate_calls.h.)
 *
 * DIR is a directory on a disk file system for the file-backed series (a file is made and
 * removed there). Output, one line each:
 *
 *   point SERIES X Y     at size X the operation took Y ns of CPU time (median over ROUNDS)
 *   skip SERIES REASON   the series could not be measured here, and why
 *   control NAME NS      (only `control`, when named) the mean ns of one operation of a control loop
 *
 * Every figure is CPU time (CLOCK_THREAD_CPUTIME_ID, user + system, the scheduler's exact
 * sum_exec_runtime), not wall-clock time: the machine may be shared, and waiting for a CPU is not
 * the kernel's cost. Everything runs on one CPU (children inherit the mask), as in fault.c: a page
 * faulted in waits in that CPU's LRU batch, and MADV_PAGEOUT drains only its own CPU's.
 *
 * The series (X is pages unless said otherwise):
 *   fault_anon        write one byte to each page of a fresh private anonymous mmap:
 *                     do_anonymous_page (allocate, zero, map, folio_add_new_anon_rmap), the page
 *                     tables allocated on the way amortised over 512 pages each
 *   fault_file        write one byte to each page of a MAP_SHARED memfd whose pages exist
 *                     (fallocate): do_shared_fault, no fault-around (write faults never do it)
 *   fault_file_read   read one byte of each page of a MAP_SHARED memfd whose pages exist and
 *                     are uptodate (read once before), in order: do_read_fault, fault-around
 *                     (filemap_map_pages) included
 *   cow               after fork, the child writes each page it shares with its parent, timed in
 *                     the child: wp_page_copy (allocate, copy 4 KiB, rmap add and remove)
 *   fork_pte          fork() with X written pages in one vma, timed in the parent until fork
 *                     returns: copy_page_range's per-pte copy and rmap dup
 *   fork_vma          X = vmas: fork() with X one-page anonymous vmas (a page apart, so they do
 *                     not merge), each written: dup_mmap's per-vma work (vm_area_dup,
 *                     anon_vma_fork's anon_vma and chains, the interval-tree inserts) plus one pte
 *   exit_pte          a forked child munmaps X pages it shares with its parent, timed in the
 *                     child: zap_pte_range's per-pte zap and rmap remove (exit_mmap's work)
 *   mremap_pte        mremap MAYMOVE|FIXED of X written pages to a destination of another 2 MiB
 *                     alignment: move_ptes one by one; per 512 pages its extents (510/511 pages,
 *                     then 1) and the freed source table flush once whole and twice a page,
 *                     which the fit subtracts (Calibration.withoutFlushes)
 *   pageout           (swap) MADV_PAGEOUT of X written pages mapped once: reclaim_pages ->
 *                     shrink_folio_list: add_to_swap, try_to_unmap (a one-vma walk), writeback
 *   swapin            (swap) reading back X paged-out pages: do_swap_page from the swap cache or
 *                     the swap file
 *   reclaim           (swap) process_madvise(MADV_PAGEOUT) by the parent of X pages its child
 *                     wrote, mapped once: reclaim of another process's memory, as the harness's
 *                     `reclaim` and kswapd do it (the walk: one vma, one pte a page)
 *   pageout_procs     (swap) X = processes mapping the anon_vma (1 to 64): the parent and X-1 children
 *                     share 512 pages; every process but the last child COWs each page, then the
 *                     last child pages its pages out. Each page is mapped once (MADV_PAGEOUT
 *                     skips pages mapped more than once) but lives in the root anon_vma, whose
 *                     interval tree holds all X vmas in fork order (anon_vma_fork), so
 *                     rmap_walk_anon visits X vmas and checks a present pte in each. Y is ns per
 *                     page.
 *   pageout_vmas      X = vmas mapping a file range (1 to 512): a clean 256-page file (DIR) is mmapped X
 *                     times, each mapping in its own 2 MiB slot; only the last mapping faults the
 *                     pages in, and MADV_PAGEOUT of it reclaims them: rmap_walk_file visits the X
 *                     vmas of the i_mmap tree (the last one last), the others with no page table
 *                     under the address. No swap needed (clean file pages are dropped). Y is ns
 *                     per page.
 *   uffd_move         UFFDIO_MOVE of X written pages to a registered empty range (another 2 MiB
 *                     slot): move_pages_pte per page (pte moved, folio_move_anon_rmap); a batch
 *                     of 512 a table, one whole flush each, which the fit subtracts
 *   dram_miss         X = loads: a chase of X dependent loads through a 64 MiB cyclic random
 *                     permutation of cache lines (each load a miss to memory) in 2 MiB pages
 *                     (MADV_HUGEPAGE; skipped without THP): the price of a cache line the model
 *                     assumes is not cached (a pte_chain block, 2.6.0 mm/rmap.c, which lives in
 *                     the direct map, so no TLB miss)
 * The per-call series (Y is the mean ns of one call over CALLS calls, X the pages each call covers):
 *   syscall           X = calls: X getppid() calls in a row (Y their total): a system call's entry
 *                     and exit with nothing done (with PTI: the CR3 switches)
 *   call_mmap         mmap of an X-page private anonymous range, nothing faulted (the vma made)
 *   call_munmap       munmap of an X-page vma with no pte present (the vma removed, nothing zapped)
 *   call_mremap       mremap MAYMOVE|FIXED of an X-page vma with no pte present onto a PROT_NONE
 *                     range reserved for it, as the workloads move (the destination unmapped first)
 *   call_mprotect     mprotect of a whole X-page vma with no pte present (no split)
 *                     -> the intercept of each is the call's fixed cost
 *   madvise_dontneed  MADV_DONTNEED of X = 1..32 written pages, held by a forked child so that
 *                     none is freed (6.18 mm/madvise.c
 *                     madvise_dontneed_single_vma -> zap_page_range_single: lru_add_drain, the
 *                     TLB gather, zap_pte_range, tlb_finish_mmu); X under
 *                     tlb_single_page_flush_ceiling (33, arch/x86/mm/tlb.c flush_tlb_mm_range),
 *                     so each page is flushed on its own (flush_tlb_one_user): the slope is a pte
 *                     zapped plus a page flushed, the intercept the call's fixed cost
 *   madvise_dontneed_full  the same over the ceiling (X = 64..512): one whole flush a call
 *   uffd_move_call    UFFDIO_MOVE of X = 1..16 written, exclusive pages (6.18 mm/userfaultfd.c
 *                     move_pages -> move_pages_pte -> move_present_ptes, which ends with
 *                     flush_tlb_range over the pages it moved): intercept the ioctl's fixed cost
 * A pageout point counts only when the pages really left (VmSwap rose, or mincore says they are
 * not resident); else the series is skipped with the reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif

/* userfaultfd ABI, as harness/vmsh.c defines it, so that an old <linux/userfaultfd.h> suffices. */
#define UFFD_API_ 0xAAULL
#define UFFD_FEATURE_MOVE_ (1ULL << 16)
#define UFFDIO_REGISTER_MODE_MISSING_ 1ULL
struct uffdio_api_ { uint64_t api, features, ioctls; };
struct uffdio_range_ { uint64_t start, len; };
struct uffdio_register_ { struct uffdio_range_ range; uint64_t mode, ioctls; };
struct uffdio_move_ { uint64_t dst, src, len, mode; int64_t move; };
#define UFFDIO_API_ _IOWR(0xAA, 0x3F, struct uffdio_api_)
#define UFFDIO_REGISTER_ _IOWR(0xAA, 0x00, struct uffdio_register_)
#define UFFDIO_MOVE_ _IOWR(0xAA, 0x05, struct uffdio_move_)
#define USERFAULTFD_IOC_NEW_ _IO(0xAA, 0x00)

#define PG 4096L
#define PMD (2L << 20)
#define MAXROUNDS 32

static int rounds = 5;
static const char *dir = ".";

static long long now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void pin(void) {
    cpu_set_t set;
    int cpu = sched_getcpu();
    CPU_ZERO(&set);
    CPU_SET(cpu < 0 ? 0 : cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static void die(const char *what) {
    fprintf(stderr, "calibrate: %s: %s\n", what, strerror(errno));
    exit(1);
}

static int cmp(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static void point(const char *series, long x, double *v, int n) {
    qsort(v, n, sizeof *v, cmp);
    printf("point %s %ld %.1f\n", series, x, v[n / 2]);
    fflush(stdout);
}

static char *anon(long len) {
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    return p;
}

static void writeall(char *a, long n, char v) {
    for (long i = 0; i < n; i++) a[i * PG] = v;
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

static int swap_active(void) {
    FILE *f = fopen("/proc/swaps", "r");
    char line[512];
    int n = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f)) n++;
    fclose(f);
    return n > 1;
}

static const long SIZES[] = {1024, 2048, 4096, 8192};
#define NSIZES (sizeof SIZES / sizeof SIZES[0])

static void fault_anon(void) {
    double v[MAXROUNDS];
    for (unsigned s = 0; s < NSIZES; s++) {
        long n = SIZES[s];
        for (int r = 0; r < rounds; r++) {
            char *b = anon(n * PG);
            long long t0 = now();
            writeall(b, n, 1);
            v[r] = (double)(now() - t0);
            munmap(b, n * PG);
        }
        point("fault_anon", n, v, rounds);
    }
}

/*
 * A memfd of the largest size's pages (fallocated), for the series NAME; -1, with the series'
 * "skip" line printed, when it cannot be made.
 */
static int sized_memfd(const char *name) {
    int fd = memfd_create(name, 0);
    if (fd < 0) {
        printf("skip %s memfd_create failed: %s\n", name, strerror(errno));
        return -1;
    }
    if (fallocate(fd, 0, 0, SIZES[NSIZES - 1] * PG)) {
        printf("skip %s fallocate of a memfd failed: %s\n", name, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void fault_file(void) {
    double v[MAXROUNDS];
    int fd = sized_memfd("fault_file");
    if (fd < 0) return;
    for (unsigned s = 0; s < NSIZES; s++) {
        long n = SIZES[s];
        for (int r = 0; r < rounds; r++) {
            char *b = mmap(NULL, n * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (b == MAP_FAILED) die("mmap memfd");
            long long t0 = now();
            writeall(b, n, 1);
            v[r] = (double)(now() - t0);
            munmap(b, n * PG);
        }
        point("fault_file", n, v, rounds);
    }
    close(fd);
}

/*
 * fault_file_read: read one byte of each page of a MAP_SHARED memfd whose pages exist, in order:
 * do_read_fault, whose fault-around (filemap_map_pages, fault_around_bytes) maps the cached pages
 * that follow in the same fault, so a page costs its share of a fault and its own pte: 16 pages a
 * fault with the default fault_around_bytes of 64 KiB (measured on 6.18: 17 minor faults for 256
 * pages, as each reader of the shared-segment workload takes under vmsh).
 *
 * The pages are read once before the timed rounds. fallocate leaves new shmem folios !uptodate
 * (6.18 mm/shmem.c shmem_fallocate, SGP_FALLOC); filemap_map_pages skips those
 * (next_uptodate_folio), so the first read of each page takes a fault of its own, in which
 * shmem_get_folio_gfp clears the folio and marks it uptodate (measured: 257 faults for 256 pages,
 * about twice a page's time). Without this read the first round at each size read pages no
 * round had read yet: the median hid it at 3 rounds or more, not at 1 or 2. The workloads'
 * readers read pages a writer faulted in through shmem_fault, uptodate already.
 */
static void fault_file_read(void) {
    double v[MAXROUNDS];
    int fd = sized_memfd("fault_file_read");
    if (fd < 0) return;
    long max = SIZES[NSIZES - 1];
    char *w = mmap(NULL, max * PG, PROT_READ, MAP_SHARED, fd, 0);
    if (w == MAP_FAILED) die("mmap memfd");
    volatile char warm = 0;
    for (long i = 0; i < max; i++) warm += w[i * PG];  /* shmem_get_folio_gfp: clear, uptodate */
    munmap(w, max * PG);
    for (unsigned s = 0; s < NSIZES; s++) {
        long n = SIZES[s];
        for (int r = 0; r < rounds; r++) {
            char *b = mmap(NULL, n * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
            if (b == MAP_FAILED) die("mmap memfd");
            volatile char sink = 0;
            long long t0 = now();
            for (long i = 0; i < n; i++) sink += b[i * PG];
            v[r] = (double)(now() - t0);
            munmap(b, n * PG);
        }
        point("fault_file_read", n, v, rounds);
    }
    close(fd);
}

/*
 * The child writes the pages it shares with its parent, timed in the child, as the children of the
 * workloads do (fork-fanout, prefork-server). On this machine's 6.18 the parent's COW of the same
 * pages, its child idle, took twice as long (30 us against 16 us a page at load 7; docs/benchmarks.md).
 */
static void cow(void) {
    double v[MAXROUNDS];
    for (unsigned s = 0; s < NSIZES; s++) {
        long n = SIZES[s];
        for (int r = 0; r < rounds; r++) {
            char *b = anon(n * PG);
            writeall(b, n, 1);
            int fd[2];
            if (pipe(fd)) die("pipe");
            pid_t c = fork();
            if (c < 0) die("fork");
            if (c == 0) {
                close(fd[0]);
                long long t0 = now();
                writeall(b, n, 2);
                double t = (double)(now() - t0);
                if (write(fd[1], &t, sizeof t) != sizeof t) _exit(1);
                _exit(0);
            }
            close(fd[1]);
            if (read(fd[0], &v[r], sizeof v[r]) != sizeof v[r]) die("read from child");
            close(fd[0]);
            waitpid(c, NULL, 0);
            munmap(b, n * PG);
        }
        point("cow", n, v, rounds);
    }
}

static double time_fork(void) {
    long long t0 = now();
    pid_t c = fork();
    if (c < 0) die("fork");
    if (c == 0) _exit(0);
    long long t1 = now();
    waitpid(c, NULL, 0);
    return (double)(t1 - t0);
}

static void fork_pte(void) {
    double v[MAXROUNDS];
    for (unsigned s = 0; s < NSIZES; s++) {
        long n = SIZES[s];
        char *b = anon(n * PG);
        writeall(b, n, 1);
        for (int r = 0; r < rounds; r++) v[r] = time_fork();
        point("fork_pte", n, v, rounds);
        munmap(b, n * PG);
    }
}

static void fork_vma(void) {
    static const long NV[] = {64, 128, 256, 512};
    double v[MAXROUNDS];
    for (unsigned s = 0; s < 4; s++) {
        long n = NV[s];
        /* one reservation, then a one-page vma every other page (the holes keep them apart) */
        char *base = mmap(NULL, 2 * n * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED) die("mmap");
        munmap(base, 2 * n * PG);
        for (long i = 0; i < n; i++) {
            char *p = mmap(base + 2 * i * PG, PG, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
            if (p == MAP_FAILED) die("mmap vma");
            *p = 1;
        }
        for (int r = 0; r < rounds; r++) v[r] = time_fork();
        point("fork_vma", n, v, rounds);
        munmap(base, 2 * n * PG);
    }
}

static void exit_pte(void) {
    double v[MAXROUNDS];
    for (unsigned s = 0; s < NSIZES; s++) {
        long n = SIZES[s];
        char *b = anon(n * PG);
        writeall(b, n, 1);
        for (int r = 0; r < rounds; r++) {
            int fd[2];
            if (pipe(fd)) die("pipe");
            pid_t c = fork();
            if (c < 0) die("fork");
            if (c == 0) {
                close(fd[0]);
                long long t0 = now();
                munmap(b, n * PG);
                double t = (double)(now() - t0);
                if (write(fd[1], &t, sizeof t) != sizeof t) _exit(1);
                _exit(0);
            }
            close(fd[1]);
            if (read(fd[0], &v[r], sizeof v[r]) != sizeof v[r]) die("read from child");
            close(fd[0]);
            waitpid(c, NULL, 0);
        }
        point("exit_pte", n, v, rounds);
        munmap(b, n * PG);
    }
}

/* A 2 MiB-aligned anonymous region of len bytes starting offset bytes past the boundary. */
static char *region(long len, long offset, char **map) {
    char *p = mmap(NULL, len + offset + PMD, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    *map = p;
    return (char *)(((uintptr_t)p + PMD - 1) & ~(uintptr_t)(PMD - 1)) + offset;
}

static void mremap_pte(void) {
    double v[MAXROUNDS];
    for (unsigned s = 0; s < NSIZES; s++) {
        long n = SIZES[s], len = n * PG;
        for (int r = 0; r < rounds; r++) {
            char *ms, *md;
            char *src = region(len, PG, &ms);
            char *dst = region(len, 2 * PG, &md);
            writeall(src, n, 1);
            long long t0 = now();
            char *m = mremap(src, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
            v[r] = (double)(now() - t0);
            if (m != dst) die("mremap");
            munmap(md, len + 2 * PG + PMD);
            munmap(ms, len + PG + PMD);
        }
        point("mremap_pte", n, v, rounds);
    }
}

/* pageout and swapin of n pages mapped once; 0 when the pages did not go to swap. */
static int pageout_once(long n, double *out, double *in) {
    char *b = anon(n * PG);
    writeall(b, n, 1);
    long before = vmswap_kb();
    long long t0 = now();
    if (madvise(b, n * PG, MADV_PAGEOUT)) die("madvise(MADV_PAGEOUT)");
    *out = (double)(now() - t0);
    int ok = (vmswap_kb() - before) / 4 >= n * 9 / 10;
    volatile char sink = 0;
    t0 = now();
    for (long i = 0; i < n; i++) sink += b[i * PG];
    *in = (double)(now() - t0);
    munmap(b, n * PG);
    return ok;
}

static void pageout(void) {
    double v[MAXROUNDS], w[MAXROUNDS];
    static const long NP[] = {256, 512, 1024, 2048};
    for (unsigned s = 0; s < 4; s++) {
        for (int r = 0; r < rounds; r++) {
            if (!pageout_once(NP[s], &v[r], &w[r])) {
                printf("skip pageout fewer than 90%% of %ld pages went to swap (VmSwap)\n", NP[s]);
                printf("skip swapin the pageout before it did not page out\n");
                return;
            }
        }
        point("pageout", NP[s], v, rounds);
        point("swapin", NP[s], w, rounds);
    }
}

/*
 * pageout_procs at N processes: the parent and N-1 children share P pages, all but the last child
 * COW them, the last child pages its (the original) pages out. Returns ns per page, or -1.
 */
static double pageout_procs_once(int nproc, long p) {
    char *b = anon(p * PG);
    writeall(b, p, 1);
    /*
     * go releases the COWing children, last wakes the last child alone: were every child woken at
     * once, the others' exits (unlink_anon_vmas taking their vmas out of the anon_vma's interval
     * tree) would run on the same pinned CPU during the last child's MADV_PAGEOUT, and its walks
     * would meet fewer vmas than X. The others are released only after its result is read.
     */
    int go[2], last[2], done[2], res[2];
    if (pipe(go) || pipe(last) || pipe(done) || pipe(res)) die("pipe");
    pid_t kids[64];
    for (int i = 0; i < nproc - 1; i++) {
        kids[i] = fork();
        if (kids[i] < 0) die("fork");
        if (kids[i] == 0) {
            char x;
            close(go[1]);
            close(last[1]);
            if (i == nproc - 2) {
                /* the last child: wait for the others' COWs, then page out */
                while (read(last[0], &x, 1) < 0 && errno == EINTR) {}
                long before = vmswap_kb();
                long long t0 = now();
                madvise(b, p * PG, MADV_PAGEOUT);
                double t = (double)(now() - t0) / p;
                if ((vmswap_kb() - before) / 4 < p * 9 / 10) t = -1;
                if (write(res[1], &t, sizeof t) != sizeof t) _exit(1);
                _exit(0);
            }
            writeall(b, p, 2);
            if (write(done[1], "d", 1) != 1) _exit(1);
            while (read(go[0], &x, 1) < 0 && errno == EINTR) {}
            _exit(0);
        }
    }
    close(go[0]);
    close(last[0]);
    close(done[1]);
    close(res[1]);
    double t = -1;
    if (nproc == 1) {
        long before = vmswap_kb();
        long long t0 = now();
        madvise(b, p * PG, MADV_PAGEOUT);
        t = (double)(now() - t0) / p;
        if ((vmswap_kb() - before) / 4 < p * 9 / 10) t = -1;
    } else {
        writeall(b, p, 3); /* the parent's COW */
        char x;
        for (int i = 0; i < nproc - 2; i++)
            while (read(done[0], &x, 1) < 0 && errno == EINTR) {}
        close(last[1]); /* wakes the last child only; the others still map their COWed pages */
        if (read(res[0], &t, sizeof t) != sizeof t) t = -1;
    }
    close(go[1]); /* now release the others */
    for (int i = 0; i < nproc - 1; i++) waitpid(kids[i], NULL, 0);
    if (nproc == 1) close(last[1]);
    close(done[0]);
    close(res[0]);
    munmap(b, p * PG);
    return t;
}

static void pageout_procs(void) {
    static const int NN[] = {1, 16, 32, 48, 64};
    double v[MAXROUNDS];
    for (unsigned s = 0; s < 5; s++) {
        for (int r = 0; r < rounds; r++) {
            v[r] = pageout_procs_once(NN[s], 512);
            if (v[r] < 0) {
                printf("skip pageout_procs fewer than 90%% of the last child's pages went to swap (VmSwap)\n");
                return;
            }
        }
        point("pageout_procs", NN[s], v, rounds);
    }
}

static long vmstat(const char *name) {
    FILE *f = fopen("/proc/vmstat", "r");
    char key[64];
    long v, r = -1;
    if (!f) return -1;
    while (fscanf(f, "%63s %ld", key, &v) == 2)
        if (!strcmp(key, name)) r = v;
    fclose(f);
    return r;
}

/*
 * reclaim: X pages a child wrote, mapped once, paged out by the parent with process_madvise
 * (MADV_PAGEOUT), timed in the parent: reclaim of another process's memory, as the harness's
 * `reclaim` does it and as kswapd does, the walk one vma and one pte per page. On this machine's 6.18
 * it cost a quarter of a process's MADV_PAGEOUT of its own pages (the pageout series).
 */
static void reclaim(void) {
    static const long NP[] = {1024, 2048, 4096, 8192};
    double v[MAXROUNDS];
    for (unsigned s = 0; s < 4; s++) {
        long n = NP[s];
        for (int r = 0; r < rounds; r++) {
            char *b = anon(n * PG);
            int fd[2], go[2];
            if (pipe(fd) || pipe(go)) die("pipe");
            pid_t c = fork();
            if (c < 0) die("fork");
            if (c == 0) {
                char x;
                close(fd[0]);
                close(go[1]);
                writeall(b, n, 1);
                if (write(fd[1], "w", 1) != 1) _exit(1);
                while (read(go[0], &x, 1) < 0 && errno == EINTR) {}
                _exit(0);
            }
            close(fd[1]);
            close(go[0]);
            char x;
            if (read(fd[0], &x, 1) != 1) die("read from child");
            int pfd = (int)syscall(SYS_pidfd_open, c, 0);
            if (pfd < 0) {
                printf("skip reclaim pidfd_open failed: %s\n", strerror(errno));
                close(go[1]);
                waitpid(c, NULL, 0);
                return;
            }
            struct iovec iov = { b, (size_t)(n * PG) };
            long before = vmstat("pswpout");
            long long t0 = now();
            long done = syscall(SYS_process_madvise, pfd, &iov, 1, MADV_PAGEOUT, 0);
            v[r] = (double)(now() - t0);
            long out = vmstat("pswpout") - before;
            close(pfd);
            close(go[1]);
            close(fd[0]);
            waitpid(c, NULL, 0);
            munmap(b, n * PG);
            if (done < 0 || out < n * 9 / 10) {
                printf("skip reclaim process_madvise paged out %ld of %ld pages (%s)\n", out, n,
                       done < 0 ? strerror(errno) : "pswpout");
                return;
            }
        }
        point("reclaim", n, v, rounds);
    }
}

static void pageout_vmas(void) {
    static const int NV[] = {1, 128, 256, 384, 512};
    const long p = 256;
    char path[4096];
    snprintf(path, sizeof path, "%s/rmaplab-calibrate-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        printf("skip pageout_vmas cannot make a file in %s: %s\n", dir, strerror(errno));
        return;
    }
    unlink(path);
    char *page = calloc(1, PG);
    for (long i = 0; i < p; i++) {
        page[0] = (char)i;
        if (write(fd, page, PG) != PG) die("write");
    }
    free(page);
    fsync(fd);
    double v[MAXROUNDS];
    unsigned char vec[256];
    for (unsigned s = 0; s < 5; s++) {
        int n = NV[s];
        for (int r = 0; r < rounds; r++) {
            char *slots = mmap(NULL, (n + 1) * PMD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (slots == MAP_FAILED) die("mmap");
            char *al = (char *)(((uintptr_t)slots + PMD - 1) & ~(uintptr_t)(PMD - 1));
            char *m = NULL;
            for (int i = 0; i < n; i++) {
                m = mmap(al + i * PMD, p * PG, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
                if (m == MAP_FAILED) die("mmap file");
            }
            volatile char sink = 0;
            for (long i = 0; i < p; i++) sink += m[i * PG];
            long long t0 = now();
            madvise(m, p * PG, MADV_PAGEOUT);
            v[r] = (double)(now() - t0) / p;
            mincore(m, p * PG, vec);
            long resident = 0;
            for (long i = 0; i < p; i++) resident += vec[i] & 1;
            munmap(slots, (n + 1) * PMD);
            if (resident > p / 10) {
                printf("skip pageout_vmas MADV_PAGEOUT left %ld of %ld file pages resident\n", resident, p);
                close(fd);
                return;
            }
        }
        point("pageout_vmas", n, v, rounds);
    }
    close(fd);
}

/* Resident anonymous huge-page kB of this process (/proc/self/smaps_rollup AnonHugePages). */
static long anon_huge_kb(void) {
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "AnonHugePages: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

static void dram_miss(void) {
    static const long NL[] = {250000, 500000, 1000000, 2000000};
    const long lines = (64L << 20) / 64;
    /*
     * The chase buffer in 2 MiB pages (MADV_HUGEPAGE on a 2 MiB-aligned range): a pte_chain block
     * lives in the kernel's direct map, mapped with huge pages, so its miss is a cache miss and not
     * also a TLB miss. Without THP every load would also walk the page table: skipped, with why.
     */
    char *map = anon(lines * 64 + PMD);
    char *buf = (char *)(((uintptr_t)map + PMD - 1) & ~(uintptr_t)(PMD - 1));
    long huge0 = anon_huge_kb();
    if (madvise(buf, lines * 64, MADV_HUGEPAGE)) {
        printf("skip dram_miss MADV_HUGEPAGE failed (%s): without THP each load is also a TLB miss,"
               " which a pte_chain block in the direct map is not\n", strerror(errno));
        munmap(map, lines * 64 + PMD);
        return;
    }
    long *perm = malloc(lines * sizeof *perm);
    if (!perm) die("malloc");
    for (long i = 0; i < lines; i++) perm[i] = i;
    unsigned long long seed = 88172645463325252ULL;
    for (long i = lines - 1; i > 0; i--) { /* Sattolo: one cycle through every line */
        seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
        long j = (long)(seed % (unsigned long long)i);
        long t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
    for (long i = 0; i < lines; i++) *(char **)(buf + i * 64) = buf + perm[i] * 64;
    free(perm);
    long huge = anon_huge_kb() - huge0;
    if (huge0 < 0 || huge < (lines * 64 / 1024) * 9 / 10) {
        printf("skip dram_miss THP gave %ld of %ld kB of the chase buffer huge pages (transparent_hugepage"
               " disabled or no free 2 MiB pages): each load would also be a TLB miss\n",
               huge, lines * 64 / 1024);
        munmap(map, lines * 64 + PMD);
        return;
    }
    double v[MAXROUNDS];
    for (unsigned s = 0; s < 4; s++) {
        for (int r = 0; r < rounds; r++) {
            char *p = buf;
            long long t0 = now();
            for (long i = 0; i < NL[s]; i++) p = *(char **)p;
            v[r] = (double)(now() - t0);
            if (p == NULL) die("chase");
        }
        point("dram_miss", NL[s], v, rounds);
    }
    munmap(map, lines * 64 + PMD);
}

/* A userfaultfd with UFFD_FEATURE_MOVE: /dev/userfaultfd first, else the system call; -1 if none. */
static int uffd_open(void) {
    int fd = -1;
    int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
    if (dev >= 0) {
        fd = ioctl(dev, USERFAULTFD_IOC_NEW_, O_CLOEXEC);
        close(dev);
    }
    if (fd < 0) fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
    if (fd < 0) return -1;
    struct uffdio_api_ api = { UFFD_API_, UFFD_FEATURE_MOVE_, 0 };
    if (ioctl(fd, UFFDIO_API_, &api) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/*
 * uffd_move: UFFDIO_MOVE of X written, exclusive anonymous pages to a registered, empty range of
 * the same size in another 2 MiB slot: move_pages() -> move_pages_pte() per page
 * (folio_move_anon_rmap re-points the folio at the destination's anon_vma, the pte moved), the
 * page tables of the destination allocated on the way amortised over 512 pages each.
 */
static void uffd_move(void) {
    double v[MAXROUNDS];
    int fd = uffd_open();
    if (fd < 0) {
        printf("skip uffd_move no userfaultfd with UFFD_FEATURE_MOVE (%s)\n", strerror(errno));
        return;
    }
    for (unsigned s = 0; s < NSIZES; s++) {
        long n = SIZES[s];
        for (int r = 0; r < rounds; r++) {
            char *smap, *dmap;
            char *src = region(n * PG, 0, &smap);
            char *dst = region(n * PG, 0, &dmap);
            writeall(src, n, 1);
            struct uffdio_register_ reg = { { (uintptr_t)dst, n * PG }, UFFDIO_REGISTER_MODE_MISSING_, 0 };
            if (ioctl(fd, UFFDIO_REGISTER_, &reg)) die("UFFDIO_REGISTER");
            struct uffdio_move_ mv = { (uintptr_t)dst, (uintptr_t)src, n * PG, 0, 0 };
            long long t0 = now();
            int rc = ioctl(fd, UFFDIO_MOVE_, &mv);
            v[r] = (double)(now() - t0);
            if (rc || mv.move != n * PG) {
                printf("skip uffd_move UFFDIO_MOVE moved %lld of %ld bytes (%s)\n", (long long)mv.move,
                       n * PG, rc ? strerror(errno) : "short");
                close(fd);
                return;
            }
            munmap(smap, n * PG + PMD);
            munmap(dmap, n * PG + PMD);
        }
        point("uffd_move", n, v, rounds);
    }
    close(fd);
}

#include "calibrate_calls.h"

/* Whether SERIES is to run: every series without a list after ROUNDS, else only the ones named. */
static char **only;
static int selected(const char *series) {
    if (!only || !*only) return 1;
    for (char **o = only; *o; o++)
        if (!strcmp(*o, series)) return 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: calibrate DIR [ROUNDS [SERIES...]]\n");
        return 2;
    }
    dir = argv[1];
    if (argc > 2) rounds = atoi(argv[2]);
    if (argc > 3) only = argv + 3;
    if (rounds < 1 || rounds > MAXROUNDS) {
        fprintf(stderr, "calibrate: ROUNDS must be 1 to %d\n", MAXROUNDS);
        return 2;
    }
    pin();
    if (selected("fault_anon")) fault_anon();
    if (selected("fault_file")) fault_file();
    if (selected("fault_file_read")) fault_file_read();
    if (selected("cow")) cow();
    if (selected("fork_pte")) fork_pte();
    if (selected("fork_vma")) fork_vma();
    if (selected("exit_pte")) exit_pte();
    if (selected("mremap_pte")) mremap_pte();
    if (selected("uffd_move")) uffd_move();
    if (selected("syscall")) syscall_series();
    if (selected("call_mmap")) call_series("call_mmap");
    if (selected("call_munmap")) call_series("call_munmap");
    if (selected("call_mremap")) call_series("call_mremap");
    if (selected("call_mprotect")) call_series("call_mprotect");
    if (selected("madvise_dontneed")) madvise_dontneed();
    if (selected("uffd_move_call")) uffd_move_call();
    if (selected("dram_miss")) dram_miss();
    if (only && *only && selected("control")) control();
    if (selected("pageout_vmas")) pageout_vmas();
    if (only && *only) return 0;
    if (!swap_active()) {
        printf("skip pageout no active swap (/proc/swaps lists none): MADV_PAGEOUT of anonymous pages needs it\n");
        printf("skip swapin no active swap\n");
        printf("skip pageout_procs no active swap\n");
        printf("skip reclaim no active swap\n");
        return 0;
    }
    pageout();
    reclaim();
    pageout_procs();
    return 0;
}
