/*
 * calibrate_calls.h: calibrate.c's per-call series (syscall, call_mmap, call_munmap, call_mremap,
 * call_mprotect, madvise_dontneed, madvise_dontneed_full, uffd_move_call; calibrate.c's header
 * comment says what each times), and the control `rmaplab bench validate --recalibrate` brackets
 * each row with (run only when named: `calibrate DIR 1 control`). Included by calibrate.c after its helpers (now, point, die,
 * writeall, region, uffd_open, the userfaultfd ABI), which it uses; not compiled alone.
 * `rmaplab calibrate` copies it next to calibrate.c before compiling.
 */
/* Calls per point of the per-call series: Y is their mean. */
#define CALLS 64
static const long CALL_PAGES[] = {1, 2, 4, 8, 16, 32};
/* uffd_move_call stops at 16: at 24 to 33 pages a call its per-page time fell to 12 to 15 us (from 19), not understood */
static const long UFFD_CALL_PAGES[] = {1, 2, 4, 8, 16};
#define NCALL_PAGES (sizeof CALL_PAGES / sizeof CALL_PAGES[0])

static void syscall_series(void) {
    static const long NC[] = {256, 512, 1024, 2048};
    double v[MAXROUNDS];
    for (unsigned s = 0; s < 4; s++) {
        for (int r = 0; r < rounds; r++) {
            long long t0 = now();
            for (long i = 0; i < NC[s]; i++) syscall(SYS_getppid);
            v[r] = (double)(now() - t0);
        }
        point("syscall", NC[s], v, rounds);
    }
}

/*
 * CALLS ranges of n pages, each in its own vma (a guard page apart, so they do not merge): the
 * reservation in *map, the ranges at base + i * (n + 1) pages.
 */
static char *ranges(long n, char **map) {
    long len = CALLS * (n + 1) * PG;
    char *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    *map = p;
    return p;
}

static void call_series(const char *series) {
    double v[MAXROUNDS];
    for (unsigned s = 0; s < NCALL_PAGES; s++) {
        long n = CALL_PAGES[s], stride = (n + 1) * PG;
        for (int r = 0; r < rounds; r++) {
            char *map;
            char *b = ranges(n, &map);
            long long t0 = 0, t = 0;
            if (!strcmp(series, "call_mmap")) {
                munmap(map, CALLS * stride);
                t0 = now();
                for (int i = 0; i < CALLS; i++)
                    if (mmap(b + i * stride, n * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
                             MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED) die("mmap");
                t = now() - t0;
            } else {
                for (int i = 0; i < CALLS; i++)
                    if (mprotect(b + i * stride, n * PG, PROT_READ | PROT_WRITE)) die("mprotect");
                if (!strcmp(series, "call_munmap")) {
                    t0 = now();
                    for (int i = 0; i < CALLS; i++) munmap(b + i * stride, n * PG);
                    t = now() - t0;
                } else if (!strcmp(series, "call_mprotect")) {
                    t0 = now();
                    for (int i = 0; i < CALLS; i++) mprotect(b + i * stride, n * PG, PROT_READ);
                    t = now() - t0;
                } else { /* call_mremap: onto a PROT_NONE range reserved for each, as the workloads do */
                    char *dmap;
                    char *d = ranges(n, &dmap);
                    t0 = now();
                    for (int i = 0; i < CALLS; i++)
                        if (mremap(b + i * stride, n * PG, n * PG, MREMAP_MAYMOVE | MREMAP_FIXED, d + i * stride)
                            == MAP_FAILED) die("mremap");
                    t = now() - t0;
                    munmap(dmap, CALLS * stride);
                }
            }
            v[r] = (double)t / CALLS;
            munmap(map, CALLS * stride);
        }
        point(series, n, v, rounds);
    }
}

/*
 * MADV_DONTNEED of CALLS ranges of n written pages each: ns a call. A forked child holds the
 * pages until the calls are timed, so that the zap frees none (as exit_pte's child frees none):
 * the slope is a pte zapped and a page flushed, without the page's freeing (~0.4 us).
 */
static double dontneed_once(long n) {
    char *map;
    long stride = (n + 1) * PG;
    char *b = ranges(n, &map);
    for (int i = 0; i < CALLS; i++) {
        if (mprotect(b + i * stride, n * PG, PROT_READ | PROT_WRITE)) die("mprotect");
        writeall(b + i * stride, n, 1);
    }
    int fd[2];
    if (pipe(fd)) die("pipe");
    pid_t c = fork();
    if (c < 0) die("fork");
    if (c == 0) { /* hold the pages until the parent closes the pipe */
        char x;
        close(fd[1]);
        while (read(fd[0], &x, 1) > 0) {}
        _exit(0);
    }
    close(fd[0]);
    long long t0 = now();
    for (int i = 0; i < CALLS; i++) madvise(b + i * stride, n * PG, MADV_DONTNEED);
    double t = (double)(now() - t0) / CALLS;
    close(fd[1]);
    waitpid(c, NULL, 0);
    munmap(map, CALLS * stride);
    return t;
}

static void madvise_dontneed(void) {
    static const long NF[] = {64, 128, 256, 512};
    double v[MAXROUNDS];
    for (unsigned s = 0; s < NCALL_PAGES; s++) {
        for (int r = 0; r < rounds; r++) v[r] = dontneed_once(CALL_PAGES[s]);
        point("madvise_dontneed", CALL_PAGES[s], v, rounds);
    }
    for (unsigned s = 0; s < 4; s++) {
        for (int r = 0; r < rounds; r++) v[r] = dontneed_once(NF[s]);
        point("madvise_dontneed_full", NF[s], v, rounds);
    }
}

/* UFFDIO_MOVE of CALLS runs of n written pages to a registered empty range, a call each. */
static void uffd_move_call(void) {
    double v[MAXROUNDS];
    int fd = uffd_open();
    if (fd < 0) {
        printf("skip uffd_move_call no userfaultfd with UFFD_FEATURE_MOVE (%s)\n", strerror(errno));
        return;
    }
    for (unsigned s = 0; s < sizeof UFFD_CALL_PAGES / sizeof UFFD_CALL_PAGES[0]; s++) {
        long n = UFFD_CALL_PAGES[s], len = CALLS * n * PG;
        for (int r = 0; r < rounds; r++) {
            char *smap, *dmap;
            char *src = region(len, 0, &smap);
            char *dst = region(len, 0, &dmap);
            writeall(src, CALLS * n, 1);
            struct uffdio_register_ reg = { { (uintptr_t)dst, len }, UFFDIO_REGISTER_MODE_MISSING_, 0 };
            if (ioctl(fd, UFFDIO_REGISTER_, &reg)) die("UFFDIO_REGISTER");
            long long t0 = now();
            for (int i = 0; i < CALLS; i++) {
                struct uffdio_move_ mv = { (uintptr_t)(dst + i * n * PG), (uintptr_t)(src + i * n * PG), n * PG, 0, 0 };
                if (ioctl(fd, UFFDIO_MOVE_, &mv) || mv.move != n * PG) {
                    printf("skip uffd_move_call UFFDIO_MOVE of %ld pages failed (%s)\n", n, strerror(errno));
                    close(fd);
                    return;
                }
            }
            v[r] = (double)(now() - t0) / CALLS;
            munmap(smap, len + PMD);
            munmap(dmap, len + PMD);
        }
        point("uffd_move_call", n, v, rounds);
    }
    close(fd);
}


/* The control's CPU time per loop, ns: long enough to average a tick's worth of noise, short
 * enough to run before and after every row of bench validate. */
#define CONTROL_NS 100000000LL

/*
 * control: the machine's speed now, in two loops of calibrate.c's own operations, each run until
 * CONTROL_NS of CPU time is spent in the timed calls: MADV_DONTNEED of one written page a call
 * (dontneed_once(1): the call, a pte zapped, one page flushed) and anonymous write faults
 * (do_anonymous_page, 256 pages a fresh mmap). Prints "control NAME NS" (the mean of an
 * operation). Not a price: bench validate compares the same loop before and after a row.
 */
static void control(void) {
    long long spent = 0, ops = 0;
    while (spent < CONTROL_NS) {
        spent += (long long)(dontneed_once(1) * CALLS);
        ops += CALLS;
    }
    printf("control madvise_dontneed_1 %.1f\n", (double)spent / ops);
    spent = 0, ops = 0;
    while (spent < CONTROL_NS) {
        char *b = anon(256 * PG);
        long long t0 = now();
        writeall(b, 256, 1);
        spent += now() - t0;
        ops += 256;
        munmap(b, 256 * PG);
    }
    printf("control fault_anon %.1f\n", (double)spent / ops);
    fflush(stdout);
}
