/*
 * vmsh.c - run an rmaplab scenario (.vms file) on the real Linux kernel.
 *
 * The scenario language is specified in scenario-language.md (version 1).
 * This program is the "kernel harness": every scenario task is a real task of
 * the running kernel, every memory call is the real system call, every
 * read/write is a real access.
 *
 *   vmsh [-v|-m|-c|-t] FILE.vms
 *   vmsh -z
 *
 * Output: one line per scenario line, "LINE: RESULT", plus
 * "FAIL file:line: expected X, got Y" for each failed expectation.
 * -v adds the scenario text to each line; -m also dumps the task's
 * /proc/TID/maps after each line (for probing).
 * Exit status: 0 all expectations hold, 1 some failed, 2 parse or scenario
 * error (bad syntax, unbound name, unknown task, a task that died).
 * Expectations: `expect:NAMES R` scoped to `linux` wins over the unscoped one.
 *
 * -c (canonical, for rmaplab's `kernel` and `diff` commands): expectations
 * are not checked; every line that ran prints "LINE<TAB>RESULT" with RESULT
 * in the canonical form of rmaplab's runner: addresses (mmap, mremap, brk)
 * and read values in lower-case hex "0x...", statuses and counts in decimal,
 * errno names, SEGV, BUS, MIXED, "ok" for fork/clone/open/check/reclaim,
 * "0xSTART..0xEND PERMS" or "none" for vma; "skipped: REASON" for what only
 * the model can do (machine, remap_anon_pages).  A scenario error prints
 * "LINE<TAB>error: MESSAGE" and exits 2; exit 0 otherwise.  `maps` (an
 * rmaplab addition) prints its number of lines as its result, then each line
 * of the task's /proc/TID/maps that is the scenario's as "LINE<TAB>|TEXT";
 * without -c, the same lines follow its result, indented by four spaces.
 * The scenario's lines are those that overlap none of the harness's own
 * mappings: what the task's maps held when its image started (t1, exec),
 * inherited by fork and clone (the binary, its bss, the TLS block, the guard
 * page, [vvar], [vvar_vclock], [vdso], [stack], [vsyscall]).
 *
 * -t (timing, for rmaplab's `bench validate`): each line's call is timed as
 * the CPU time of the thread that makes it (CLOCK_THREAD_CPUTIME_ID: user and
 * system time, the scheduler's sum_exec_runtime, as harness/bench/calibrate.c
 * measures the prices), read in the task right before and after the call, so
 * that the pipes to and from the coordinator are outside the window; `reclaim`
 * is the coordinator's CPU time in its process_madvise calls.  Prints
 * "empty NS" first (the median of 31 empty calls to t1: the window's own
 * cost, which rmaplab subtracts from every line), then "time LINE NS" for
 * each timed line, and FAIL and ERROR lines as without -t; no results.  Not
 * timed: exit (exit_mmap runs after the task's answer), exec, the queries the
 * coordinator answers from /proc (vma, vmas, maps), open, ftruncate.  All the
 * tasks run on one CPU (pin_to_one_cpu()), and after each timed call a task
 * writes the pages the harness itself writes (warm_own_pages()), so that
 * the COW faults a fork leaves on them fall outside the windows.
 *
 * -z (a probe of the host, for rmaplab's `diff` and `fuzz`): prints
 * "zero_page 1" if a read fault on fresh private anonymous memory maps the
 * shared zero page (stock Linux), "zero_page 0" if it allocates a page of its
 * own (as where mm_forbids_zeropage(): an s390 process hosting KVM guests; and
 * any process of a PVM guest kernel booted with pvm_no_zero_page=1), told apart by
 * /proc/self/pagemap's "exclusively mapped" bit (56), which the zero page
 * never has and a page of one's own always has (unprivileged: only the PFN
 * needs CAP_SYS_ADMIN).  Exit 0, or 2 if the probe cannot tell.
 *
 * Build (static linking is strongly recommended: a dynamically linked task
 * has ld.so's anonymous mappings right where `mmap 0` places scenario
 * mappings, and the kernel merges them with each other):
 *
 *   gcc -std=gnu11 -O2 -Wall -static -o vmsh vmsh.c
 *
 * ---------------------------------------------------------------------------
 * Process structure
 *
 * The process started by the user is the COORDINATOR.  It parses the whole
 * file first (exit 2 on a syntax error), then creates one "slot" per task the
 * scenario can ever create (t1 plus one per fork/clone line).  A slot is two
 * pipes: commands (coordinator -> task) and results (task -> coordinator).
 * Their task-side ends sit at fixed descriptor numbers (FD_BASE + 4*slot ...)
 * so that every task process inherits all of them: a task that forks or
 * clones hands a free slot (chosen by the coordinator) to the new task.
 *
 * t1 is a child of the coordinator that immediately re-executes this binary in
 * TASK MODE ("vmsh --task SLOT NSLOTS"), so it starts with a fresh address
 * space as the language requires.  `exec` does the same again.  `fork` is a
 * real fork(2) of the task's process, `clone` a real thread (raw clone(2)
 * with CLONE_VM|CLONE_THREAD on a static stack: no pthread, no stack mmap).
 *
 * In task mode the program never allocates after start: no malloc, no stdio;
 * commands and results are fixed-size binary structs.  So the only mappings
 * in a task besides the scenario's own are the static binary and its bss,
 * glibc's TLS block (mmapped, see task_setup_memory()), one PROT_NONE shared
 * guard (a page to 2 MiB, its lower end where the model's guard page is
 * modulo 2 MiB), [vvar]/[vdso]
 * and the stack.  There is no [heap]: `brk 0`
 * returns start_brk as in a freshly exec'd process.  `mmap 0` places the
 * first scenario mapping right below the guard page (so the topmost scenario
 * mapping can never grow upwards in place: use a carve-out for that).
 *
 * Queries that only read state (`vma`, `vmas`) and file bookkeeping
 * (`open`, `ftruncate`) are done by the coordinator itself, from
 * /proc/TID/maps and a private tmpfs directory (/dev/shm/vmsh.PID); a task
 * maps a FILE by opening that path, mapping it and closing it again.  `reclaim` is done by the
 * coordinator with process_madvise(MADV_PAGEOUT) over every live task's
 * mappings (without swap, anonymous pages simply stay).
 *
 * Memory contents: each page holds one 64-bit value in its first 8 bytes.
 * Every access is guarded by sigsetjmp; SIGSEGV/SIGBUS become SEGV/BUS.
 *
 * userfaultfd: `uffd_register` creates (once per process) a userfaultfd with
 * UFFD_FEATURE_MOVE and UFFD_FEATURE_SIGBUS and registers the range in
 * MISSING mode.  Because of UFFD_FEATURE_SIGBUS a fault on a missing page of
 * a registered range is reported as BUS instead of blocking the task forever.
 * `uffd_move` and `uffd_copy` (UFFDIO_MOVE, UFFDIO_COPY) print the bytes
 * moved/copied when the ioctl succeeds, else its errno (EAGAIN: a short
 * move/copy; how far it got is not shown).
 *
 * Not runnable on a kernel, reported as "skipped": `remap_anon_pages` (the
 * 2014 syscall was never merged), `check` (model invariants), `machine`.
 * ---------------------------------------------------------------------------
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#ifndef MAP_SYNC
#define MAP_SYNC 0x80000
#endif
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096ULL
#define HPAGE (2ULL << 20)
#define MAXSLOTS 200          /* tasks a scenario may create in total     */
#define FD_BASE 100           /* task pipes live at FD_BASE .. +4*MAXSLOTS */
#define CMD_R(i) (FD_BASE + 4 * (i))     /* task reads commands here       */
#define CMD_W(i) (FD_BASE + 4 * (i) + 1) /* coordinator writes commands    */
#define RES_R(i) (FD_BASE + 4 * (i) + 2) /* coordinator reads results      */
#define RES_W(i) (FD_BASE + 4 * (i) + 3) /* task writes results            */
#define THREAD_STACK (64 * 1024)
#define TASK_TIMEOUT_MS 20000

/* Linux constants that older userspace headers may lack. */
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif
/* Lorenzo Stoakes' MREMAP_RELOCATE_ANON series (June 2025), never merged: passed as they are,
 * so that the kernel's check_mremap_params() judges them (6.18: EINVAL). */
#ifndef MREMAP_RELOCATE_ANON
#define MREMAP_RELOCATE_ANON 8
#endif
#ifndef MREMAP_MUST_RELOCATE_ANON
#define MREMAP_MUST_RELOCATE_ANON 16
#endif
#ifndef MADV_COLD
#define MADV_COLD 20
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif

/* userfaultfd ABI, defined here so that old <linux/userfaultfd.h> suffices. */
#define UFFD_USER_MODE_ONLY_ 1
#define UFFD_API_ 0xAAULL
#define UFFD_FEATURE_SIGBUS_ (1ULL << 7)
#define UFFD_FEATURE_MOVE_ (1ULL << 16)
#define UFFDIO_REGISTER_MODE_MISSING_ 1ULL
#define UFFDIO_MOVE_MODE_DONTWAKE_ (1ULL << 0)
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES_ (1ULL << 1)
#define UFFDIO_COPY_MODE_DONTWAKE_ (1ULL << 0)
#define UFFDIO_COPY_MODE_WP_ (1ULL << 1)
struct uffdio_api_ { uint64_t api, features, ioctls; };
struct uffdio_range_ { uint64_t start, len; };
struct uffdio_register_ { struct uffdio_range_ range; uint64_t mode, ioctls; };
struct uffdio_move_ { uint64_t dst, src, len, mode; int64_t move; };
struct uffdio_copy_ { uint64_t dst, src, len, mode; int64_t copy; };
#define UFFDIO_API_ _IOWR(0xAA, 0x3F, struct uffdio_api_)
#define UFFDIO_REGISTER_ _IOWR(0xAA, 0x00, struct uffdio_register_)
#define UFFDIO_MOVE_ _IOWR(0xAA, 0x05, struct uffdio_move_)
#define UFFDIO_COPY_ _IOWR(0xAA, 0x03, struct uffdio_copy_)
#define USERFAULTFD_IOC_NEW_ _IO(0xAA, 0x00)

/* ------------------------------------------------------------------------ */
/* Operations                                                                */

enum op {
	OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_MADVISE, OP_MLOCK,
	OP_MUNLOCK, OP_BRK, OP_WRITE, OP_ADD, OP_READ, OP_TOUCH, OP_FORK, OP_CLONE,
	OP_EXEC, OP_EXIT, OP_VMA, OP_VMAS, OP_UFFD_REGISTER, OP_UFFD_MOVE,
	OP_UFFD_COPY,
	OP_RAP, OP_OPEN, OP_FTRUNCATE, OP_RFP, OP_MAPS,
	OP_NOP,                /* -t: the empty call, never parsed from a scenario */
	/* global operations */
	OP_RECLAIM, OP_CHECK, OP_MACHINE,
};

/* Argument kinds, for parse-time validation. */
enum argk { A_EXPR, A_PROT, A_MMAPF, A_MREMAPF, A_ADVICE, A_UFFDF, A_COPYF, A_WORD, A_ANY };

static const struct opdef {
	const char *name;
	enum op op;
	int min, max;
	enum argk kinds[6];
} opdefs[] = {
	{ "mmap", OP_MMAP, 4, 6, { A_EXPR, A_EXPR, A_PROT, A_MMAPF, A_WORD, A_EXPR } },
	{ "munmap", OP_MUNMAP, 2, 2, { A_EXPR, A_EXPR } },
	{ "mprotect", OP_MPROTECT, 3, 3, { A_EXPR, A_EXPR, A_PROT } },
	{ "mremap", OP_MREMAP, 4, 5, { A_EXPR, A_EXPR, A_EXPR, A_MREMAPF, A_EXPR } },
	{ "madvise", OP_MADVISE, 3, 3, { A_EXPR, A_EXPR, A_ADVICE } },
	{ "mlock", OP_MLOCK, 2, 2, { A_EXPR, A_EXPR } },
	{ "munlock", OP_MUNLOCK, 2, 2, { A_EXPR, A_EXPR } },
	{ "brk", OP_BRK, 1, 1, { A_EXPR } },
	{ "write", OP_WRITE, 3, 3, { A_EXPR, A_EXPR, A_EXPR } },
	{ "add", OP_ADD, 3, 3, { A_EXPR, A_EXPR, A_EXPR } },
	{ "read", OP_READ, 1, 2, { A_EXPR, A_EXPR } },
	{ "touch", OP_TOUCH, 2, 2, { A_EXPR, A_EXPR } },
	{ "fork", OP_FORK, 0, 0, { 0 } },
	{ "clone", OP_CLONE, 0, 0, { 0 } },
	{ "exec", OP_EXEC, 0, 0, { 0 } },
	{ "exit", OP_EXIT, 0, 0, { 0 } },
	{ "vma", OP_VMA, 1, 1, { A_EXPR } },
	{ "vmas", OP_VMAS, 2, 2, { A_EXPR, A_EXPR } },
	{ "uffd_register", OP_UFFD_REGISTER, 2, 2, { A_EXPR, A_EXPR } },
	{ "uffd_move", OP_UFFD_MOVE, 3, 4, { A_EXPR, A_EXPR, A_EXPR, A_UFFDF } },
	{ "uffd_copy", OP_UFFD_COPY, 3, 4, { A_EXPR, A_EXPR, A_EXPR, A_COPYF } },
	{ "remap_anon_pages", OP_RAP, 3, 4, { A_EXPR, A_EXPR, A_EXPR, A_ANY } },
	{ "open", OP_OPEN, 2, 2, { A_WORD, A_EXPR } },
	{ "ftruncate", OP_FTRUNCATE, 2, 2, { A_WORD, A_EXPR } },
	{ "remap_file_pages", OP_RFP, 3, 3, { A_EXPR, A_EXPR, A_EXPR } },
	{ "maps", OP_MAPS, 0, 0, { 0 } },
};

struct flagdef { const char *name; uint64_t val; };

/* mmap flags.  The contract's v1 set is private, shared, anonymous, fixed,
 * fixed_noreplace, populate, locked; the others are accepted as Linux names. */
static const struct flagdef mmap_flags[] = {
	{ "private", MAP_PRIVATE }, { "shared", MAP_SHARED },
	{ "shared_validate", MAP_SHARED_VALIDATE },
	{ "anonymous", MAP_ANONYMOUS }, { "anon", MAP_ANONYMOUS },
	{ "fixed", MAP_FIXED }, { "fixed_noreplace", MAP_FIXED_NOREPLACE },
	{ "populate", MAP_POPULATE }, { "locked", MAP_LOCKED },
	{ "noreserve", MAP_NORESERVE }, { "growsdown", MAP_GROWSDOWN },
	{ "stack", MAP_STACK }, { "denywrite", MAP_DENYWRITE },
	{ "executable", MAP_EXECUTABLE }, { "nonblock", MAP_NONBLOCK },
	{ "hugetlb", MAP_HUGETLB }, { "sync", MAP_SYNC }, { NULL, 0 } };
static const struct flagdef mremap_flags[] = {
	{ "maymove", MREMAP_MAYMOVE }, { "fixed", MREMAP_FIXED },
	{ "dontunmap", MREMAP_DONTUNMAP }, { "relocate_anon", MREMAP_RELOCATE_ANON },
	{ "must_relocate_anon", MREMAP_MUST_RELOCATE_ANON }, { NULL, 0 } };
static const struct flagdef uffd_flags[] = {
	{ "dontwake", UFFDIO_MOVE_MODE_DONTWAKE_ },
	{ "allow_src_holes", UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES_ }, { NULL, 0 } };
/* UFFDIO_COPY modes: `wp` is passed on; the harness registers in MISSING
 * mode only, so the kernel refuses it with EINVAL. */
static const struct flagdef copy_flags[] = {
	{ "dontwake", UFFDIO_COPY_MODE_DONTWAKE_ },
	{ "wp", UFFDIO_COPY_MODE_WP_ }, { NULL, 0 } };
/* madvise advice: v1 set is dontneed, dontfork, dofork, pageout. */
static const struct flagdef advices[] = {
	{ "dontneed", MADV_DONTNEED }, { "dontfork", MADV_DONTFORK },
	{ "dofork", MADV_DOFORK }, { "pageout", MADV_PAGEOUT },
	{ "remove", MADV_REMOVE },
	{ "normal", MADV_NORMAL }, { "random", MADV_RANDOM },
	{ "sequential", MADV_SEQUENTIAL }, { "willneed", MADV_WILLNEED },
	{ "free", MADV_FREE }, { "remove", MADV_REMOVE }, { "cold", MADV_COLD },
	{ "wipeonfork", MADV_WIPEONFORK }, { "keeponfork", MADV_KEEPONFORK },
	{ "hugepage", MADV_HUGEPAGE }, { "nohugepage", MADV_NOHUGEPAGE },
	{ "populate_read", MADV_POPULATE_READ },
	{ "populate_write", MADV_POPULATE_WRITE }, { NULL, 0 } };

static const struct flagdef errnos[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "ESRCH", ESRCH },
	{ "EINTR", EINTR }, { "EIO", EIO }, { "ENXIO", ENXIO }, { "E2BIG", E2BIG },
	{ "ENOEXEC", ENOEXEC }, { "EBADF", EBADF }, { "ECHILD", ECHILD },
	{ "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM }, { "EACCES", EACCES },
	{ "EFAULT", EFAULT }, { "EBUSY", EBUSY }, { "EEXIST", EEXIST },
	{ "ENODEV", ENODEV }, { "ENOTDIR", ENOTDIR }, { "EISDIR", EISDIR },
	{ "EINVAL", EINVAL }, { "ENFILE", ENFILE }, { "EMFILE", EMFILE },
	{ "ETXTBSY", ETXTBSY }, { "EFBIG", EFBIG }, { "ENOSPC", ENOSPC },
	{ "ESPIPE", ESPIPE }, { "EROFS", EROFS }, { "ERANGE", ERANGE },
	{ "ENOSYS", ENOSYS }, { "EOVERFLOW", EOVERFLOW },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "EHWPOISON", EHWPOISON }, { NULL, 0 } };

static const char *errno_name(int e)
{
	static char buf[16];
	for (const struct flagdef *f = errnos; f->name; f++)
		if ((int)f->val == e)
			return f->name;
	snprintf(buf, sizeof buf, "E%d", e);
	return buf;
}

static int errno_by_name(const char *s)
{
	for (const struct flagdef *f = errnos; f->name; f++)
		if (!strcmp(f->name, s))
			return (int)f->val;
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Wire protocol between coordinator and tasks (fixed-size binary structs)   */

struct wire_cmd {
	int32_t op;
	int32_t slot;          /* fork/clone: the slot of the new task */
	int32_t timed;         /* -t: time the call (wire_res.ns) */
	uint64_t a[6];
	char path[256];        /* mmap of a file: its path */
};

enum rkind { R_VAL, R_ERR, R_SEGV, R_BUS, R_MIXED, R_HELLO, R_NONE, R_VMA,
	     R_TASK, R_FILE, R_SKIP, R_DIED };

struct wire_res {
	int32_t kind;
	int32_t err;
	uint64_t val;
	int64_t tid, tgid;     /* R_HELLO */
	int64_t ns;            /* -t: the call's CPU time in the task */
};

static int read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		long r = syscall(SYS_read, fd, (char *)buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += r;
	}
	return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
	size_t put = 0;
	while (put < n) {
		long r = syscall(SYS_write, fd, (const char *)buf + put, n - put);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		put += r;
	}
	return 0;
}

/* ======================================================================== */
/* TASK MODE                                                                 */
/*                                                                           */
/* Everything below runs inside scenario tasks.  Rules: no malloc, no stdio,  */
/* raw system calls only, all state in static storage.  Threads made by       */
/* `clone` share these statics (same address space) and also share glibc's   */
/* thread pointer; that is safe because the coordinator runs one command at   */
/* a time.                                                                    */
/* ======================================================================== */

static int t_nslots;
static volatile pid_t slot_tid[MAXSLOTS];  /* which thread runs which slot */
static volatile int in_access[MAXSLOTS];   /* a guarded access is running  */
static sigjmp_buf access_jb[MAXSLOTS];
static char thread_stacks[MAXSLOTS][THREAD_STACK] __attribute__((aligned(64)));
static char exe_path[4096];                 /* this binary, for exec        */
static int uffd_fd = -1;                    /* per process (per mm)         */
static pid_t uffd_owner;
extern char **environ;

static pid_t t_gettid(void) { return (pid_t)syscall(SYS_gettid); }

static void itoa10(long v, char *buf)
{
	char tmp[24];
	int n = 0;
	if (v == 0)
		tmp[n++] = '0';
	while (v > 0) {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	}
	for (int i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = 0;
}

/* "0x" and 16 hex digits, for messages written from a signal handler. */
static void hex64(uint64_t v, char *buf)
{
	buf[0] = '0';
	buf[1] = 'x';
	for (int i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
	buf[18] = 0;
}

/* SIGSEGV/SIGBUS: jump back into the access that faulted. */
static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	(void)si; (void)uc;
	pid_t me = t_gettid();
	for (int i = 0; i < t_nslots; i++)
		if (slot_tid[i] == me && in_access[i])
			siglongjmp(access_jb[i], sig);
	/* A fault outside a guarded access is a harness bug: die loudly, and
	 * say where (async-signal-safe: write(2) only) so that the coordinator's
	 * "task died" has a cause on stderr. */
	char msg[160], num[24];
	int n = 0;
	const char *parts[] = { "vmsh: task thread ", NULL, " got signal ", NULL,
				" outside a guarded access, address ", NULL, "\n" };
	char tid_s[16], sig_s[16];
	itoa10(me, tid_s);
	itoa10(sig, sig_s);
	hex64(si ? (uint64_t)(uintptr_t)si->si_addr : 0, num);
	parts[1] = tid_s;
	parts[3] = sig_s;
	parts[5] = num;
	for (int i = 0; i < 7; i++)
		for (const char *c = parts[i]; *c && n < (int)sizeof msg - 1; c++)
			msg[n++] = *c;
	(void)!write(2, msg, n);
	signal(sig, SIG_DFL);
}

static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

/*
 * Access npages pages starting at page-aligned addr: mode 0 read (returns the
 * common value or sets *mixed), 1 write wval, 2 touch (read, ignore values),
 * 3 add wval (one read-modify-write instruction, lock add: a write fault).
 * Returns 0, or the signal number of the first faulting access.
 */
static int access_pages(int slot, uint64_t addr, uint64_t npages, int mode,
			uint64_t wval, uint64_t *common, int *mixed)
{
	static volatile uint64_t idx[MAXSLOTS], first[MAXSLOTS];
	static volatile int mix[MAXSLOTS];
	idx[slot] = 0; first[slot] = 0; mix[slot] = 0;
	int sig = sigsetjmp(access_jb[slot], 1);
	if (sig) {
		in_access[slot] = 0;
		return sig;
	}
	in_access[slot] = 1;
	for (; idx[slot] < npages; idx[slot]++) {
		volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)(addr + idx[slot] * PAGE);
		if (mode == 1) {
			*p = wval;
		} else if (mode == 3) {
			__atomic_fetch_add(p, wval, __ATOMIC_RELAXED);
		} else {
			uint64_t v = *p;
			if (idx[slot] == 0)
				first[slot] = v;
			else if (v != first[slot])
				mix[slot] = 1;
		}
	}
	in_access[slot] = 0;
	*common = first[slot];
	*mixed = mix[slot];
	return 0;
}

static void send_hello(int slot)
{
	struct wire_res r;
	memset(&r, 0, sizeof r);
	r.kind = R_HELLO;
	r.tid = t_gettid();
	r.tgid = getpid();
	write_full(RES_W(slot), &r, sizeof r);
}

/* The process's userfaultfd, created on first use (again after a fork). */
static int get_uffd(void)
{
	if (uffd_fd >= 0 && uffd_owner == getpid())
		return uffd_fd;
	if (uffd_fd >= 0)
		close(uffd_fd);  /* inherited from the parent: not our mm */
	/* /dev/userfaultfd first (no sysctl needed), else the system call */
	uffd_fd = -1;
	int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev >= 0) {
		uffd_fd = ioctl(dev, USERFAULTFD_IOC_NEW_, O_CLOEXEC | O_NONBLOCK);
		close(dev);
	}
	if (uffd_fd < 0)
		uffd_fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	/*
	 * Unprivileged with vm.unprivileged_userfaultfd=0 (the default) and no access to
	 * /dev/userfaultfd: EPERM unless UFFD_USER_MODE_ONLY (5.11, 37cd0575b8510159).
	 * Under UFFD_FEATURE_SIGBUS, which the harness always asks for, a fault from
	 * kernel mode in a registered range is VM_FAULT_SIGBUS either way
	 * (handle_userfault), so results do not change.
	 */
	if (uffd_fd < 0 && errno == EPERM)
		uffd_fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY_);
	if (uffd_fd < 0)
		return -1;
	struct uffdio_api_ api = { UFFD_API_, UFFD_FEATURE_MOVE_ | UFFD_FEATURE_SIGBUS_, 0 };
	if (ioctl(uffd_fd, UFFDIO_API_, &api) < 0) {
		int e = errno;
		close(uffd_fd);
		uffd_fd = -1;
		errno = e;
		return -1;
	}
	uffd_owner = getpid();
	return uffd_fd;
}

static void task_loop(int slot);
static void limit_data_for_exec(int on);

static int thread_main(void *arg)
{
	int slot = (int)(long)arg;
	slot_tid[slot] = t_gettid();
	send_hello(slot);
	task_loop(slot);
	return 0;
}

/* Set r to the result of a raw system call returning -1/errno on failure. */
static void sysres(struct wire_res *r, long ret)
{
	if (ret == -1) {
		r->kind = R_ERR;
		r->err = errno;
	} else {
		r->kind = R_VAL;
		r->val = (uint64_t)ret;
	}
}

/* This thread's CPU time in ns (user + system: the scheduler's sum_exec_runtime). */
static int64_t thread_ns(void)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * -t: write the pages the harness itself writes while it serves a call (its
 * stack below this frame, the statics of access_pages and of the slots, the
 * TLS block's errno), outside the timed window.  After a fork each of them is
 * shared with the other process, and its first write is a COW fault that no
 * scenario line asked for and the model does not count: done here, it is not
 * in the next call's time.
 */
static void __attribute__((noinline)) warm_own_pages(int slot);

static void task_loop(int slot)
{
	struct wire_cmd c;
	struct wire_res r;
	for (;;) {
		if (read_full(CMD_R(slot), &c, sizeof c) < 0)
			syscall(SYS_exit_group, 0);  /* coordinator gone */
		memset(&r, 0, sizeof r);
		r.kind = R_VAL;
		int64_t t0 = c.timed ? thread_ns() : 0;
		switch (c.op) {
		case OP_MMAP: {
			int fd = -1;
			if (c.path[0]) {
				fd = open(c.path, O_RDWR);
				if (fd < 0) {
					r.kind = R_ERR;
					r.err = errno;
					break;
				}
			}
			sysres(&r, syscall(SYS_mmap, c.a[0], c.a[1], c.a[2], c.a[3], fd, c.a[4]));
			if (fd >= 0)
				close(fd);
			break;
		}
		case OP_MUNMAP:
			sysres(&r, syscall(SYS_munmap, c.a[0], c.a[1]));
			break;
		case OP_MPROTECT:
			sysres(&r, syscall(SYS_mprotect, c.a[0], c.a[1], c.a[2]));
			break;
		case OP_MREMAP:
			sysres(&r, syscall(SYS_mremap, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]));
			break;
		case OP_MADVISE:
			sysres(&r, syscall(SYS_madvise, c.a[0], c.a[1], c.a[2]));
			break;
		case OP_MLOCK:
			sysres(&r, syscall(SYS_mlock, c.a[0], c.a[1]));
			break;
		case OP_MUNLOCK:
			sysres(&r, syscall(SYS_munlock, c.a[0], c.a[1]));
			break;
		case OP_BRK:
			/* The raw syscall returns the new break, or the old one on failure. */
			r.val = (uint64_t)syscall(SYS_brk, c.a[0]);
			break;
		case OP_READ:
		case OP_WRITE:
		case OP_ADD:
		case OP_TOUCH: {
			uint64_t common = 0;
			int mixed = 0;
			int mode = c.op == OP_READ ? 0 : c.op == OP_WRITE ? 1 : c.op == OP_ADD ? 3 : 2;
			int sig = access_pages(slot, c.a[0], c.a[1], mode, c.a[2], &common, &mixed);
			if (sig == SIGSEGV)
				r.kind = R_SEGV;
			else if (sig == SIGBUS)
				r.kind = R_BUS;
			else if (c.op == OP_READ && mixed)
				r.kind = R_MIXED;
			else
				r.val = c.op == OP_READ ? common : 0;
			break;
		}
		case OP_FORK: {
			long pid = syscall(SYS_fork);
			if (pid == 0) {
				/* The child becomes the task of the new slot. */
				for (int i = 0; i < MAXSLOTS; i++) {
					slot_tid[i] = 0;
					in_access[i] = 0;
				}
				slot = c.slot;
				slot_tid[slot] = t_gettid();
				if (c.timed)
					warm_own_pages(slot);
				send_hello(slot);
				continue;
			}
			sysres(&r, pid);
			break;
		}
		case OP_CLONE: {
			int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
				    CLONE_THREAD | CLONE_SYSVSEM;
			char *top = thread_stacks[c.slot] + THREAD_STACK;
			int tid = clone(thread_main, top, flags, (void *)(long)c.slot);
			sysres(&r, tid);
			break;
		}
		case OP_EXEC: {
			static char s1[16], s2[16];
			static char *argv[5];
			itoa10(slot, s1);
			itoa10(t_nslots, s2);
			argv[0] = "vmsh";
			argv[1] = "--task";
			argv[2] = s1;
			argv[3] = s2;
			argv[4] = NULL;
			limit_data_for_exec(1);
			/* Not /proc/self/exe: after the group leader exited, a thread's
			 * /proc/self (the leader's entry) has no exe link any more. */
			syscall(SYS_execve, exe_path, argv, environ);
			r.kind = R_ERR;  /* only reached if execve failed */
			r.err = errno;
			limit_data_for_exec(0);
			break;
		}
		case OP_EXIT:
			write_full(RES_W(slot), &r, sizeof r);
			slot_tid[slot] = 0;
			syscall(SYS_exit, 0);  /* this thread only */
			break;
		case OP_UFFD_REGISTER: {
			int fd = get_uffd();
			if (fd < 0) {
				r.kind = R_ERR;
				r.err = errno;
				break;
			}
			struct uffdio_register_ reg = { { c.a[0], c.a[1] }, UFFDIO_REGISTER_MODE_MISSING_, 0 };
			sysres(&r, ioctl(fd, UFFDIO_REGISTER_, &reg));
			break;
		}
		case OP_UFFD_MOVE: {
			int fd = get_uffd();
			if (fd < 0) {
				r.kind = R_ERR;
				r.err = errno;
				break;
			}
			struct uffdio_move_ mv = { c.a[0], c.a[1], c.a[2], c.a[3], 0 };
			if (ioctl(fd, UFFDIO_MOVE_, &mv) < 0) {
				r.kind = R_ERR;
				r.err = errno;
			} else {
				r.val = (uint64_t)mv.move;
			}
			break;
		}
		case OP_UFFD_COPY: {
			/* Like uffd_move: the bytes copied (uffdio_copy.copy) when the
			 * ioctl succeeds; its errno otherwise (EAGAIN for a short copy). */
			int fd = get_uffd();
			if (fd < 0) {
				r.kind = R_ERR;
				r.err = errno;
				break;
			}
			struct uffdio_copy_ cp = { c.a[0], c.a[1], c.a[2], c.a[3], 0 };
			if (ioctl(fd, UFFDIO_COPY_, &cp) < 0) {
				r.kind = R_ERR;
				r.err = errno;
			} else {
				r.val = (uint64_t)cp.copy;
			}
			break;
		}
		case OP_RFP:
			sysres(&r, syscall(SYS_remap_file_pages, c.a[0], c.a[1], 0, c.a[2], 0));
			break;
		case OP_NOP:
			break;
		default:
			r.kind = R_ERR;
			r.err = ENOSYS;
			break;
		}
		if (c.timed) {
			r.ns = thread_ns() - t0;
			warm_own_pages(slot);
		}
		write_full(RES_W(slot), &r, sizeof r);
	}
}

static void __attribute__((noinline)) warm_own_pages(int slot)
{
	volatile char stack[16384];
	for (size_t i = 0; i < sizeof stack; i += 1024)
		stack[i] = 0;
	int e = errno;
	errno = e;
	volatile pid_t *tid = &slot_tid[slot];
	*tid = *tid;
	volatile int *ia = &in_access[slot];
	*ia = *ia;
	uint64_t common;
	int mixed;
	/* access_pages on no page: writes its statics and the jump buffer */
	access_pages(slot, 0, 0, 0, 0, &common, &mixed);
}

/*
 * A task must start like a freshly exec'd process: no [heap], `brk 0` ==
 * start_brk.  glibc's static start-up allocates its TLS block with brk unless
 * brk fails, so every exec of task mode is done with a soft RLIMIT_DATA of 0
 * (brk then fails with ENOSPC, while mmap and the ELF's bss still work: the
 * kernel lets a soft limit of 0 through as long as the hard limit allows,
 * see may_expand_vm()), and glibc falls back to mmap for the TLS block.
 * task_main() restores the soft limit.
 *
 * That TLS block is an anonymous rw-p mapping right below [vvar], exactly
 * where the first `mmap 0` of a scenario would go and merge with it.  A
 * guard page placed right below it keeps scenario mappings apart: PROT_NONE
 * and MAP_SHARED (a shmem object of its own), so that it can never merge
 * with a scenario mapping either (a private PROT_NONE guard would merge with
 * a scenario's private PROT_NONE mapping).
 */
static void limit_data_for_exec(int on)
{
	struct rlimit rl;
	getrlimit(RLIMIT_DATA, &rl);
	rl.rlim_cur = on ? 0 : rl.rlim_max;
	setrlimit(RLIMIT_DATA, &rl);
}

/*
 * A growing stack (MAP_GROWSDOWN) may reach RLIMIT_STACK: the model's limit is
 * the usual 8 MiB soft limit, so the task sets that, whatever the shell gave.
 */
static void limit_stack(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_STACK, &rl);
	rl.rlim_cur = 8UL << 20;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
		rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_STACK, &rl);
}

/*
 * The guard's lower end is put where the model's is modulo 2 MiB: on the
 * model side of a diff the guard is one page right below mmap_base
 * (HarnessLayout), and mmap_base is mmap_base() without randomization,
 * TASK_SIZE - 128 MiB, a page below a 2 MiB boundary; so the guard starts
 * two pages below one.  With ASLR the kernel's first `mmap 0` would end at a
 * random page offset inside 2 MiB, and a later anonymous mmap of a multiple
 * of 2 MiB, which the kernel THP-aligns (__get_unmapped_area ->
 * thp_get_unmapped_area_vmflags, since 6.7's commit efa7df3e3bb5), would
 * leave a gap above it of a random size that later small mappings fill or
 * not: a converted trace's vmas differed from the model's, and from run to
 * run.  So: a shared PROT_NONE reservation of 2 MiB (shmem's
 * get_unmapped_area does not align it: shmem_enabled is never), its part
 * below the first address G inside it with G + 2 pages on a 2 MiB boundary
 * unmapped again; what is left, a page to 2 MiB, is the guard.
 */
static void task_setup_memory(void)
{
	limit_data_for_exec(0);
	limit_stack();
	unsigned long g = syscall(SYS_mmap, 0, HPAGE, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if ((long)g > 0) {
		unsigned long lo = ((g + 2 * PAGE + HPAGE - 1) & ~(HPAGE - 1)) - 2 * PAGE;
		if (lo > g)
			syscall(SYS_munmap, g, lo - g);
	}
}

static int task_main(int slot, int nslots)
{
	t_nslots = nslots;
	long n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
	exe_path[n > 0 ? n : 0] = 0;
	task_setup_memory();
	install_handlers();
	slot_tid[slot] = t_gettid();
	send_hello(slot);
	task_loop(slot);
	return 0;
}

/* ======================================================================== */
/* COORDINATOR                                                               */
/* ======================================================================== */

static const char *g_file;
static int g_verbose;
static int g_canonical;     /* -c: canonical results, no expectation checks */
static int g_dump_maps;     /* -m: print the task's /proc maps after each line */
static int g_timing;        /* -t: time each line's call (see coordinator()) */

static void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		die(2, "out of memory");
	return p;
}

/* ---- parsed scenario ---------------------------------------------------- */

enum lkind { L_TASK, L_GLOBAL };

struct line {
	int lineno;
	enum lkind kind;
	char *task;         /* L_TASK: the task name */
	enum op op;
	int nargs;
	char *args[8];
	char *as;           /* `as NAME`, or NULL */
	char *expect;       /* the expectation that applies to Linux, or NULL */
	char *text;         /* the line as written (without comment) */
};

static struct line *lines;
static int nlines;

static int is_name(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return 0;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* ---- symbols: names bound by `as` ------------------------------------------ */

enum symk { S_VALUE, S_TASK, S_FILE };

struct sym {
	char *name;
	enum symk kind;
	uint64_t val;       /* S_VALUE: the value; S_TASK: task index; S_FILE: file index */
	int bound;
};

static struct sym syms[1024];
static int nsyms;

static struct sym *sym_find(const char *name)
{
	for (int i = 0; i < nsyms; i++)
		if (!strcmp(syms[i].name, name))
			return &syms[i];
	return NULL;
}

static void sym_bind(const char *name, enum symk kind, uint64_t val)
{
	struct sym *s = sym_find(name);
	if (!s) {
		if (nsyms == (int)(sizeof syms / sizeof syms[0]))
			die(2, "too many names");
		s = &syms[nsyms++];
		s->name = xstrdup(name);
	}
	s->kind = kind;
	s->val = val;
	s->bound = 1;
}

static void sym_unbind(const char *name)
{
	struct sym *s = sym_find(name);
	if (s)
		s->bound = 0;
}

/* ---- expressions ------------------------------------------------------------ */
/*
 * expr := term { ('+'|'-') size }
 * term := NAME | size
 * size := NUMBER [p|K|M|G]     NUMBER := decimal | 0xHEX
 *
 * With resolve == 0 only the syntax is checked (names are not looked up).
 * Returns 0 and sets *out, or -1 with a message in errbuf.
 */
static char errbuf[512];

static int parse_size(const char **sp, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		if (!isxdigit((unsigned char)*s))
			return -1;
		while (isxdigit((unsigned char)*s)) {
			int d = isdigit((unsigned char)*s) ? *s - '0' : (tolower(*s) - 'a' + 10);
			v = v * 16 + d;
			s++;
		}
	} else {
		while (isdigit((unsigned char)*s))
			v = v * 10 + (*s++ - '0');
	}
	switch (*s) {
	case 'p': v *= PAGE; s++; break;
	case 'K': v <<= 10; s++; break;
	case 'M': v <<= 20; s++; break;
	case 'G': v <<= 30; s++; break;
	}
	*sp = s;
	*out = v;
	return 0;
}

static int eval_expr(const char *text, int resolve, uint64_t *out)
{
	const char *s = text;
	uint64_t v;
	if (isalpha((unsigned char)*s)) {
		char name[128];
		int n = 0;
		while ((isalnum((unsigned char)*s) || *s == '_') && n < 127)
			name[n++] = *s++;
		name[n] = 0;
		v = 0;
		if (resolve) {
			struct sym *sy = sym_find(name);
			if (!sy || !sy->bound) {
				snprintf(errbuf, sizeof errbuf, "name %s is not bound", name);
				return -1;
			}
			if (sy->kind != S_VALUE) {
				snprintf(errbuf, sizeof errbuf, "name %s is not a value", name);
				return -1;
			}
			v = sy->val;
		}
	} else if (parse_size(&s, &v) < 0) {
		snprintf(errbuf, sizeof errbuf, "bad expression '%s'", text);
		return -1;
	}
	while (*s) {
		char sign = *s++;
		uint64_t t;
		if ((sign != '+' && sign != '-') || parse_size(&s, &t) < 0) {
			snprintf(errbuf, sizeof errbuf, "bad expression '%s'", text);
			return -1;
		}
		v = sign == '+' ? v + t : v - t;
	}
	*out = v;
	return 0;
}

/*
 * The kernel's spellings of names, accepted as aliases (the scenario language's addition):
 * TOK without PREFIX, in lower case, into BUF when TOK is PREFIX followed by upper-case
 * letters, digits and '_' (MAP_ANONYMOUS -> anonymous); else TOK itself.
 */
static const char *kernel_spelling(const char *tok, const char *prefix, char *buf, size_t n)
{
	size_t k = strlen(prefix), i;
	if (strncmp(tok, prefix, k) || !tok[k] || strlen(tok + k) >= n)
		return tok;
	for (i = 0; tok[k + i]; i++) {
		char c = tok[k + i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return tok;
		buf[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	buf[i] = 0;
	return buf;
}

static int parse_prot(const char *s, uint64_t *out)
{
	uint64_t p = 0;
	if (!strcmp(s, "none")) {
		*out = PROT_NONE;
		return 0;
	}
	if (!strncmp(s, "PROT_", 5)) {  /* PROT_READ|PROT_WRITE, PROT_NONE */
		char buf[128], name[32];
		snprintf(buf, sizeof buf, "%s", s);
		for (char *tok = strtok(buf, "|"); tok; tok = strtok(NULL, "|")) {
			const char *w = kernel_spelling(tok, "PROT_", name, sizeof name);
			if (!strcmp(w, "read")) p |= PROT_READ;
			else if (!strcmp(w, "write")) p |= PROT_WRITE;
			else if (!strcmp(w, "exec")) p |= PROT_EXEC;
			else if (strcmp(w, "none")) return -1;
		}
		*out = p;
		return 0;
	}
	for (; *s; s++) {
		if (*s == 'r') p |= PROT_READ;
		else if (*s == 'w') p |= PROT_WRITE;
		else if (*s == 'x') p |= PROT_EXEC;
		else return -1;
	}
	*out = p;
	return 0;
}

static int parse_flags(const char *s, const struct flagdef *defs, uint64_t *out)
{
	uint64_t v = 0;
	char buf[256];
	if (!strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	const char *prefix = defs == mmap_flags ? "MAP_" : defs == mremap_flags ? "MREMAP_"
		: defs == uffd_flags ? "UFFDIO_MOVE_MODE_" : defs == copy_flags ? "UFFDIO_COPY_MODE_" : "";
	snprintf(buf, sizeof buf, "%s", s);
	for (char *tok = strtok(buf, "|"); tok; tok = strtok(NULL, "|")) {
		const struct flagdef *f;
		char name[64];
		const char *w = *prefix ? kernel_spelling(tok, prefix, name, sizeof name) : tok;
		for (f = defs; f->name; f++)
			if (!strcmp(f->name, w))
				break;
		if (!f->name)
			return -1;
		v |= f->val;
	}
	*out = v;
	return 0;
}

static int parse_advice(const char *s, uint64_t *out)
{
	char name[64];
	s = kernel_spelling(s, "MADV_", name, sizeof name);
	for (const struct flagdef *f = advices; f->name; f++)
		if (!strcmp(f->name, s)) {
			*out = f->val;
			return 0;
		}
	return -1;
}

/* ---- expectations ------------------------------------------------------------- */
/*
 * Syntactic check of an expectation (resolve == 0), or evaluation into
 * an expected result.
 */
struct expected {
	enum { XP_OK, XP_ERR, XP_SEGV, XP_BUS, XP_MIXED, XP_NONE, XP_VAL, XP_VMA } kind;
	int err;
	uint64_t val, start, end;
	char perms[8];
};

static int parse_expect(const char *text, int resolve, struct expected *x)
{
	char buf[256];
	memset(x, 0, sizeof *x);
	snprintf(buf, sizeof buf, "%s", text);
	if (!strcmp(buf, "ok")) { x->kind = XP_OK; return 0; }
	if (!strcmp(buf, "SEGV")) { x->kind = XP_SEGV; return 0; }
	if (!strcmp(buf, "BUS")) { x->kind = XP_BUS; return 0; }
	if (!strcmp(buf, "MIXED")) { x->kind = XP_MIXED; return 0; }
	if (!strcmp(buf, "none")) { x->kind = XP_NONE; return 0; }
	if (errno_by_name(buf) >= 0) {
		x->kind = XP_ERR;
		x->err = errno_by_name(buf);
		return 0;
	}
	/* /proc/PID/maps' START-END (hex without 0x), an addition: made START..END */
	size_t hx = strspn(buf, "0123456789abcdef");
	if (hx > 0 && buf[hx] == '-') {
		size_t hy = strspn(buf + hx + 1, "0123456789abcdef");
		if (hy > 0 && buf[hx + 1 + hy] == ' ') {
			char tmp[256];
			snprintf(tmp, sizeof tmp, "0x%.*s..0x%s", (int)hx, buf, buf + hx + 1);
			snprintf(buf, sizeof buf, "%s", tmp);
		}
	}
	char *dots = strstr(buf, "..");
	if (dots) {
		char *sp = strchr(buf, ' ');
		if (!sp || sp < dots) {
			snprintf(errbuf, sizeof errbuf, "bad vma expectation '%s' (want START..END PERMS)", text);
			return -1;
		}
		*dots = 0;
		*sp = 0;
		if (eval_expr(buf, resolve, &x->start) < 0 || eval_expr(dots + 2, resolve, &x->end) < 0)
			return -1;
		const char *perms = sp + 1;
		if (strlen(perms) != 4 || !strchr("r-", perms[0]) || !strchr("w-", perms[1]) ||
		    !strchr("x-", perms[2]) || !strchr("ps", perms[3])) {
			snprintf(errbuf, sizeof errbuf, "bad perms '%s' (want e.g. rw-p)", perms);
			return -1;
		}
		snprintf(x->perms, sizeof x->perms, "%s", perms);
		x->kind = XP_VMA;
		return 0;
	}
	if (strchr(buf, ' ')) {
		snprintf(errbuf, sizeof errbuf, "bad expectation '%s'", text);
		return -1;
	}
	x->kind = XP_VAL;
	return eval_expr(buf, resolve, &x->val);
}

/* ---- parser --------------------------------------------------------------- */

static void parse_error(int lineno, const char *msg)
{
	printf("PARSE %s:%d: %s\n", g_file, lineno, msg);
	fflush(stdout);
	exit(2);
}

/* Does this scope list (comma separated) include "linux"? A variant (DESIGN:VARIANT) is
 * accepted when its design is known: rmaplab checks the variant's name itself. */
static int scope_has_linux(const char *scopes)
{
	static const char *designs[] = { "pte_chains", "anonmm", "anon_vma",
					 "anon_vma_chain", "lokier", "linux", NULL };
	char buf[256];
	int has = 0;
	snprintf(buf, sizeof buf, "%s", scopes);
	for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
		int known = 0;
		char *colon = strchr(t, ':');
		size_t n = colon ? (size_t)(colon - t) : strlen(t);
		for (int i = 0; designs[i]; i++)
			if (strlen(designs[i]) == n && !strncmp(designs[i], t, n) &&
			    (!colon || (colon[1] && strcmp(designs[i], "linux"))))
				known = 1;
		if (!known)
			return -1;
		if (!strcmp(t, "linux"))
			has = 1;
	}
	return has;
}

static int is_clause_kw(const char *t)
{
	return !strcmp(t, "as") || !strcmp(t, "expect") || !strncmp(t, "expect:", 7);
}

static void parse_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		die(2, "cannot open %s: %s", path, strerror(errno));
	char raw[4096];
	int lineno = 0, seen_statement = 0;
	while (fgets(raw, sizeof raw, f)) {
		lineno++;
		char *hash = strchr(raw, '#');
		if (hash)
			*hash = 0;
		char *tok[64];
		int ntok = 0;
		char *save;
		char copy[4096];
		snprintf(copy, sizeof copy, "%s", raw);
		for (char *t = strtok_r(raw, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
			if (ntok == 64)
				parse_error(lineno, "too many tokens");
			tok[ntok++] = t;
		}
		if (!ntok)
			continue;
		struct line L;
		memset(&L, 0, sizeof L);
		L.lineno = lineno;
		/* trimmed text for verbose output */
		char *tx = copy;
		while (isspace((unsigned char)*tx))
			tx++;
		for (char *e = tx + strlen(tx); e > tx && isspace((unsigned char)e[-1]);)
			*--e = 0;
		L.text = xstrdup(tx);

		int i = 0;
		const struct opdef *def = NULL;
		if (!strcmp(tok[0], "machine")) {
			if (seen_statement)
				parse_error(lineno, "machine must be the first non-comment line");
			L.kind = L_GLOBAL;
			L.op = OP_MACHINE;
			i = ntok;
		} else if (!strcmp(tok[0], "reclaim") || !strcmp(tok[0], "check")) {
			L.kind = L_GLOBAL;
			L.op = !strcmp(tok[0], "reclaim") ? OP_RECLAIM : OP_CHECK;
			i = 1;
		} else {
			if (!is_name(tok[0]))
				parse_error(lineno, "expected a task name");
			if (ntok < 2)
				parse_error(lineno, "missing operation");
			L.kind = L_TASK;
			L.task = xstrdup(tok[0]);
			for (size_t k = 0; k < sizeof opdefs / sizeof opdefs[0]; k++)
				if (!strcmp(opdefs[k].name, tok[1]))
					def = &opdefs[k];
			if (!def) {
				snprintf(errbuf, sizeof errbuf, "unknown operation '%s'", tok[1]);
				parse_error(lineno, errbuf);
			}
			L.op = def->op;
			i = 2;
		}
		seen_statement = 1;
		/* arguments, up to the first clause keyword */
		while (i < ntok && !is_clause_kw(tok[i])) {
			if (L.nargs == 8)
				parse_error(lineno, "too many arguments");
			L.args[L.nargs++] = xstrdup(tok[i++]);
		}
		/* clauses */
		char *unscoped = NULL, *linux_x = NULL;
		while (i < ntok) {
			if (!strcmp(tok[i], "as")) {
				if (i + 1 >= ntok || !is_name(tok[i + 1]))
					parse_error(lineno, "as needs a NAME");
				if (!strcmp(tok[i + 1], "machine") || !strcmp(tok[i + 1], "reclaim") ||
				    !strcmp(tok[i + 1], "check"))
					parse_error(lineno, "reserved name");
				L.as = xstrdup(tok[i + 1]);
				i += 2;
				continue;
			}
			/* expect or expect:SCOPES: the result runs to the next keyword */
			int scoped = tok[i][6] == ':';
			const char *scopes = scoped ? tok[i] + 7 : NULL;
			i++;
			char res[512] = "";
			while (i < ntok && !is_clause_kw(tok[i])) {
				if (res[0])
					strncat(res, " ", sizeof res - strlen(res) - 1);
				strncat(res, tok[i++], sizeof res - strlen(res) - 1);
			}
			if (!res[0])
				parse_error(lineno, "expect needs a RESULT");
			struct expected x;
			if (parse_expect(res, 0, &x) < 0)
				parse_error(lineno, errbuf);
			if (!scoped) {
				if (unscoped)
					parse_error(lineno, "two unscoped expectations");
				unscoped = xstrdup(res);
			} else {
				int h = scope_has_linux(scopes);
				if (h < 0) {
					snprintf(errbuf, sizeof errbuf, "unknown design in '%s'", scopes);
					parse_error(lineno, errbuf);
				}
				if (h)
					linux_x = xstrdup(res);
			}
		}
		L.expect = linux_x ? linux_x : unscoped;

		/* argument validation */
		if (L.kind == L_TASK) {
			if (L.nargs < def->min || L.nargs > def->max) {
				snprintf(errbuf, sizeof errbuf, "%s takes %d..%d arguments, got %d",
					 def->name, def->min, def->max, L.nargs);
				parse_error(lineno, errbuf);
			}
			if (L.op == OP_MMAP && L.nargs == 5)
				parse_error(lineno, "mmap with a FILE needs an OFFSET");
			for (int a = 0; a < L.nargs; a++) {
				uint64_t v;
				int bad = 0;
				switch (def->kinds[a]) {
				case A_EXPR: bad = eval_expr(L.args[a], 0, &v) < 0; break;
				case A_PROT: bad = parse_prot(L.args[a], &v) < 0; break;
				case A_MMAPF: bad = parse_flags(L.args[a], mmap_flags, &v) < 0; break;
				case A_MREMAPF: bad = parse_flags(L.args[a], mremap_flags, &v) < 0; break;
				case A_UFFDF: bad = parse_flags(L.args[a], uffd_flags, &v) < 0; break;
				case A_COPYF: bad = parse_flags(L.args[a], copy_flags, &v) < 0; break;
				case A_ADVICE: bad = parse_advice(L.args[a], &v) < 0; break;
				case A_WORD: bad = !is_name(L.args[a]); break;
				case A_ANY: break;
				}
				if (bad) {
					snprintf(errbuf, sizeof errbuf, "bad argument %d '%s' to %s",
						 a + 1, L.args[a], def->name);
					parse_error(lineno, errbuf);
				}
			}
		} else if (L.op == OP_RECLAIM) {
			uint64_t v;
			if (L.nargs != 1 || (strcmp(L.args[0], "all") && eval_expr(L.args[0], 0, &v) < 0))
				parse_error(lineno, "reclaim takes COUNT or all");
		} else if (L.op == OP_CHECK && L.nargs) {
			parse_error(lineno, "check takes no arguments");
		}
		lines = realloc(lines, sizeof(struct line) * (nlines + 1));
		if (!lines)
			die(2, "out of memory");
		lines[nlines++] = L;
	}
	fclose(f);
}

/* ---- tasks ---------------------------------------------------------------- */

#define MAXOWN 32
struct task {
	char name[64];
	int slot;
	pid_t tid, tgid;
	int pidfd;          /* PIDFD_THREAD pidfd of tid */
	int alive;
	/* the harness's own mappings ([s, e) pairs): what the image had at start */
	uint64_t own[MAXOWN][2];
	int nown;
};

static struct task tasks[MAXSLOTS];
static int ntasks;      /* == slots handed out so far */
static int nslots;

struct file { char name[64]; char path[512]; };
static struct file files[64];
static int nfiles;
static char filedir[256];

static int open_pidfd(pid_t tid)
{
	int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (fd < 0)
		fd = (int)syscall(SYS_pidfd_open, tid, 0);
	if (fd >= 0)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

/* Wait for a result on slot's pipe; if watch_death, give up when the task dies. */
static int recv_res(int slot, struct wire_res *r, int pidfd)
{
	struct pollfd p[2] = { { RES_R(slot), POLLIN, 0 }, { pidfd, POLLIN, 0 } };
	int n = pidfd >= 0 ? 2 : 1;
	for (;;) {
		int k = poll(p, n, TASK_TIMEOUT_MS);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;  /* timeout */
		if (p[0].revents & POLLIN)
			return read_full(RES_R(slot), r, sizeof *r);
		if (n == 2 && p[1].revents)
			return -2;  /* died without answering */
	}
}

static void register_task(int slot, const char *name, const struct wire_res *hello)
{
	struct task *t = &tasks[slot];
	snprintf(t->name, sizeof t->name, "%s", name);
	t->slot = slot;
	t->tid = (pid_t)hello->tid;
	t->tgid = (pid_t)hello->tgid;
	t->pidfd = open_pidfd(t->tid);
	t->alive = 1;
}

static struct task *task_by_name(const char *name)
{
	struct sym *s = sym_find(name);
	if (!s || !s->bound || s->kind != S_TASK)
		return NULL;
	return &tasks[s->val];
}

/* Wait until a thread that announced its exit is really gone (mm released). */
static void wait_gone(struct task *t)
{
	if (t->pidfd >= 0) {
		struct pollfd p = { t->pidfd, POLLIN, 0 };
		for (int i = 0; i < 100; i++) {
			if (poll(&p, 1, 100) > 0)
				break;
			/* a zombie group leader with live threads never becomes readable */
			char path[64], st[256];
			snprintf(path, sizeof path, "/proc/%d/stat", t->tid);
			FILE *f = fopen(path, "r");
			if (!f)
				break;
			int gone = 0;
			if (fgets(st, sizeof st, f)) {
				char *rp = strrchr(st, ')');
				if (rp && (rp[2] == 'Z' || rp[2] == 'X'))
					gone = 1;
			}
			fclose(f);
			if (gone)
				break;
		}
		close(t->pidfd);
		t->pidfd = -1;
	}
	t->alive = 0;
}

/* ---- /proc/TID/maps --------------------------------------------------------- */

struct vmaent { uint64_t s, e; char perms[8]; char name[64]; };

static int read_maps(pid_t tid, struct vmaent *v, int max)
{
	char path[64], line[1024];
	snprintf(path, sizeof path, "/proc/%d/maps", tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int n = 0;
	while (fgets(line, sizeof line, f) && n < max) {
		unsigned long s, e;
		char perms[8], name[256] = "";
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &s, &e, perms, name) < 3)
			continue;
		v[n].s = s;
		v[n].e = e;
		snprintf(v[n].perms, sizeof v[n].perms, "%s", perms);
		snprintf(v[n].name, sizeof v[n].name, "%s", name);
		n++;
	}
	fclose(f);
	return n;
}

static struct vmaent maps_buf[70000];

/* T's image just started (t1, exec): every mapping it has now is the harness's own. */
static void snapshot_own(struct task *t)
{
	int n = read_maps(t->tid, maps_buf, 70000);
	t->nown = 0;
	for (int k = 0; k < n && t->nown < MAXOWN; k++) {
		t->own[t->nown][0] = maps_buf[k].s;
		t->own[t->nown][1] = maps_buf[k].e;
		t->nown++;
	}
}

/* `maps`: the lines of T's /proc/TID/maps that overlap none of the harness's own mappings. */
static char maps_text[1 << 20];
static int maps_lines;

static int read_scenario_maps(const struct task *t)
{
	char path[64], line[8192];
	snprintf(path, sizeof path, "/proc/%d/maps", t->tid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	size_t used = 0;
	maps_lines = 0;
	maps_text[0] = 0;
	while (fgets(line, sizeof line, f)) {
		unsigned long s, e;
		if (sscanf(line, "%lx-%lx", &s, &e) < 2)
			continue;
		int own = 0;
		for (int k = 0; k < t->nown; k++)
			if (s < t->own[k][1] && e > t->own[k][0])
				own = 1;
		size_t len = strlen(line);
		if (own || used + len + 1 >= sizeof maps_text)
			continue;
		memcpy(maps_text + used, line, len + 1);
		used += len;
		if (len == 0 || line[len - 1] != '\n') {
			maps_text[used++] = '\n';
			maps_text[used] = 0;
		}
		maps_lines++;
	}
	fclose(f);
	return 0;
}

/* Prints the text of the last `maps`, each line after PREFIX. */
static void print_maps_text(const char *prefix)
{
	for (const char *p = maps_text; *p; ) {
		const char *nl = strchr(p, '\n');
		printf("%s%.*s\n", prefix, (int)(nl - p), p);
		p = nl + 1;
	}
}

/* ---- reclaim: MADV_PAGEOUT over every live task's mappings ------------------ */

static int64_t coord_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Returns the CPU time of the process_madvise calls (-t), not of reading the maps. */
static int64_t do_reclaim(void)
{
	int64_t ns = 0;
	pid_t done[MAXSLOTS];
	int ndone = 0;
	for (int i = 0; i < ntasks; i++) {
		struct task *t = &tasks[i];
		if (!t->alive)
			continue;
		int seen = 0;
		for (int k = 0; k < ndone; k++)
			if (done[k] == t->tgid)
				seen = 1;
		if (seen)
			continue;
		done[ndone++] = t->tgid;
		int n = read_maps(t->tid, maps_buf, 70000);
		int pfd = (int)syscall(SYS_pidfd_open, t->tgid, 0);
		if (pfd < 0)
			continue;
		for (int k = 0; k < n; k++) {
			if (maps_buf[k].name[0] == '[' && strcmp(maps_buf[k].name, "[heap]") &&
			    strcmp(maps_buf[k].name, "[stack]"))
				continue;  /* vvar, vdso, vsyscall */
			struct iovec iov = { (void *)(uintptr_t)maps_buf[k].s, maps_buf[k].e - maps_buf[k].s };
			int64_t t0 = g_timing ? coord_ns() : 0;
			syscall(SYS_process_madvise, pfd, &iov, 1, MADV_PAGEOUT, 0);
			if (g_timing)
				ns += coord_ns() - t0;
		}
		close(pfd);
	}
	return ns;
}

/* ---- results ------------------------------------------------------------------ */

struct result {
	enum rkind kind;
	int err;
	uint64_t val, start, end;
	char perms[8];
	char note[128];
	int hex;            /* print val in hex */
	int global_ok;      /* check, reclaim: printed as "ok" */
	int timed;          /* -t: ns holds the line's CPU time */
	int64_t ns;
};

/* "0x7f..." plus "(=A+4p)" when the value is close above a bound name */
static void fmt_addr(uint64_t v, char *buf, size_t n)
{
	struct sym *best = NULL;
	for (int i = 0; i < nsyms; i++) {
		struct sym *s = &syms[i];
		if (!s->bound || s->kind != S_VALUE || s->val < 0x10000 || v < s->val)
			continue;
		if (v - s->val > (1ULL << 32))
			continue;
		if (!best || s->val > best->val)
			best = s;
	}
	if (v == 0) {
		snprintf(buf, n, "0");
		return;
	}
	if (!best) {
		snprintf(buf, n, "0x%llx", (unsigned long long)v);
		return;
	}
	uint64_t d = v - best->val;
	char rel[64];
	if (d == 0)
		snprintf(rel, sizeof rel, "%s", best->name);
	else if (d % PAGE == 0)
		snprintf(rel, sizeof rel, "%s+%llup", best->name, (unsigned long long)(d / PAGE));
	else
		snprintf(rel, sizeof rel, "%s+%llu", best->name, (unsigned long long)d);
	snprintf(buf, n, "0x%llx (=%s)", (unsigned long long)v, rel);
}

static void fmt_result(const struct result *r, char *buf, size_t n)
{
	char a[128], b[128];
	switch (r->kind) {
	case R_VAL:
		if (r->hex)
			fmt_addr(r->val, buf, n);
		else
			snprintf(buf, n, "%llu", (unsigned long long)r->val);
		break;
	case R_ERR: snprintf(buf, n, "%s", errno_name(r->err)); break;
	case R_SEGV: snprintf(buf, n, "SEGV"); break;
	case R_BUS: snprintf(buf, n, "BUS"); break;
	case R_MIXED: snprintf(buf, n, "MIXED"); break;
	case R_NONE: snprintf(buf, n, r->global_ok ? "ok" : "none"); break;
	case R_VMA:
		fmt_addr(r->start, a, sizeof a);
		fmt_addr(r->end, b, sizeof b);
		snprintf(buf, n, "%s..%s %s", a, b, r->perms);
		break;
	case R_TASK: snprintf(buf, n, "task %s", r->note); break;
	case R_FILE: snprintf(buf, n, "file %s", r->note); break;
	case R_SKIP: snprintf(buf, n, "skipped (%s)", r->note); break;
	case R_DIED: snprintf(buf, n, "DIED (%s)", r->note); break;
	default: snprintf(buf, n, "?"); break;
	}
}

static int check_expect(const struct expected *x, const struct result *r)
{
	switch (x->kind) {
	case XP_OK: return r->kind == R_VAL || r->kind == R_TASK || r->kind == R_FILE ||
			  r->kind == R_VMA || r->kind == R_NONE || r->kind == R_MIXED;
	case XP_ERR: return r->kind == R_ERR && r->err == x->err;
	case XP_SEGV: return r->kind == R_SEGV;
	case XP_BUS: return r->kind == R_BUS;
	case XP_MIXED: return r->kind == R_MIXED;
	case XP_NONE: return r->kind == R_NONE;
	case XP_VAL: return r->kind == R_VAL && r->val == x->val;
	case XP_VMA: return r->kind == R_VMA && r->start == x->start && r->end == x->end &&
			   !strcmp(r->perms, x->perms);
	}
	return 0;
}

/* ---- running one line --------------------------------------------------------- */

static void scenario_error(const struct line *L, const char *msg)
{
	if (g_canonical)
		printf("%d\terror: %s\n", L->lineno, msg);
	else
		printf("ERROR %s:%d: %s\n", g_file, L->lineno, msg);
}

/* The result in the canonical form of rmaplab's runner (see -c above). */
static void fmt_canonical(const struct line *L, const struct result *r, char *buf, size_t n)
{
	switch (r->kind) {
	case R_VAL:
		if (r->global_ok)
			snprintf(buf, n, "ok");
		else if (L->op == OP_MMAP || L->op == OP_MREMAP || L->op == OP_BRK || L->op == OP_READ)
			snprintf(buf, n, "0x%llx", (unsigned long long)r->val);
		else
			snprintf(buf, n, "%llu", (unsigned long long)r->val);
		break;
	case R_NONE:
		snprintf(buf, n, r->global_ok ? "ok" : "none");
		break;
	case R_VMA:
		snprintf(buf, n, "0x%llx..0x%llx %s", (unsigned long long)r->start,
			 (unsigned long long)r->end, r->perms);
		break;
	case R_TASK:
	case R_FILE:
		snprintf(buf, n, "ok");
		break;
	case R_SKIP:
		snprintf(buf, n, "skipped: %s", r->note);
		break;
	default:
		fmt_result(r, buf, n);
		break;
	}
}

static int eval_arg(const struct line *L, int a, uint64_t *v)
{
	if (eval_expr(L->args[a], 1, v) < 0) {
		scenario_error(L, errbuf);
		return -1;
	}
	return 0;
}

/* pages touched by [addr, addr+len): at least one */
static void page_span(uint64_t addr, uint64_t len, uint64_t *start, uint64_t *npages)
{
	uint64_t s = addr & ~(PAGE - 1);
	uint64_t e = (addr + len + PAGE - 1) & ~(PAGE - 1);
	*start = s;
	*npages = e > s ? (e - s) / PAGE : 1;
}

/*
 * A task's pidfd became readable before it answered: say what /proc still
 * knows of it (state and exit code of the thread, while it is a zombie not
 * yet reaped; its process's state).  The fault handler of the task itself
 * also writes the signal and address to stderr when it faulted outside a
 * guarded access.
 */
static void describe_death(struct task *t, char *buf, size_t len)
{
	char path[64], st[1024];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", t->tgid, t->tid);
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(buf, len, "tid %d of process %d is gone (already reaped)", t->tid, t->tgid);
		return;
	}
	if (!fgets(st, sizeof st, f))
		st[0] = 0;
	fclose(f);
	char *rp = strrchr(st, ')');
	char state = rp && rp[1] ? rp[2] : '?';
	/* exit_code is field 52; fields after ')' start at 3 (state) */
	long exit_code = -1;
	if (rp) {
		char *q = rp + 2;
		for (int field = 3; field < 52 && q; field++) {
			q = strchr(q, ' ');
			if (q)
				q++;
		}
		if (q)
			exit_code = strtol(q, NULL, 10);
	}
	if (exit_code >= 0 && (exit_code & 0x7f))
		snprintf(buf, len, "tid %d of process %d: state %c, killed by signal %ld%s",
			 t->tid, t->tgid, state, exit_code & 0x7f, exit_code & 0x80 ? " (core)" : "");
	else
		snprintf(buf, len, "tid %d of process %d: state %c, exit code %ld",
			 t->tid, t->tgid, state, exit_code >= 0 ? (exit_code >> 8) & 0xff : -1);
}

/* Send a command to task t and wait for the answer. */
static int task_call(struct task *t, struct wire_cmd *c, struct wire_res *r)
{
	if (write_full(CMD_W(t->slot), c, sizeof *c) < 0)
		return -1;
	return recv_res(t->slot, r, t->pidfd);
}

/* Run line L.  Returns 0 on success, -1 on a scenario error (stop). */
static int run_line(const struct line *L, struct result *res)
{
	memset(res, 0, sizeof *res);
	res->kind = R_VAL;
	if (L->kind == L_GLOBAL) {
		if (L->op == OP_MACHINE) {
			res->kind = R_SKIP;
			snprintf(res->note, sizeof res->note, "machine sizes are the host's");
		} else if (L->op == OP_CHECK) {
			/* the contract: a no-op on the kernel */
			res->kind = R_NONE;
			res->global_ok = 1;
		} else {
			res->ns = do_reclaim();
			res->timed = g_timing;
			res->val = 0;
			res->global_ok = 1;  /* the kernel cannot count what it evicted */
		}
		return 0;
	}
	struct task *t = task_by_name(L->task);
	if (!t) {
		char m[128];
		snprintf(m, sizeof m, "unknown task %s", L->task);
		scenario_error(L, m);
		return -1;
	}
	if (!t->alive) {
		char m[128];
		snprintf(m, sizeof m, "task %s is gone", L->task);
		scenario_error(L, m);
		return -1;
	}
	struct wire_cmd c;
	struct wire_res r;
	memset(&c, 0, sizeof c);
	c.op = L->op;
	c.timed = g_timing;
	uint64_t v[6] = { 0 };

	switch (L->op) {
	case OP_MAPS:
		if (read_scenario_maps(t) < 0) {
			scenario_error(L, "cannot read the task's maps");
			return -1;
		}
		res->val = (uint64_t)maps_lines;
		return 0;
	case OP_VMA:
	case OP_VMAS: {
		if (eval_arg(L, 0, &v[0]) < 0 || (L->op == OP_VMAS && eval_arg(L, 1, &v[1]) < 0))
			return -1;
		int n = read_maps(t->tid, maps_buf, 70000);
		if (n < 0) {
			scenario_error(L, "cannot read the task's maps");
			return -1;
		}
		if (L->op == OP_VMA) {
			res->kind = R_NONE;
			for (int k = 0; k < n; k++)
				if (maps_buf[k].s <= v[0] && v[0] < maps_buf[k].e) {
					res->kind = R_VMA;
					res->start = maps_buf[k].s;
					res->end = maps_buf[k].e;
					snprintf(res->perms, sizeof res->perms, "%s", maps_buf[k].perms);
				}
		} else {
			uint64_t cnt = 0;
			for (int k = 0; k < n; k++)
				if (maps_buf[k].s < v[0] + v[1] && maps_buf[k].e > v[0])
					cnt++;
			res->val = cnt;
		}
		return 0;
	}
	case OP_OPEN: {
		if (eval_arg(L, 1, &v[1]) < 0)
			return -1;
		if (nfiles == 64) {
			scenario_error(L, "too many files");
			return -1;
		}
		struct file *f = &files[nfiles];
		snprintf(f->name, sizeof f->name, "%s", L->args[0]);
		snprintf(f->path, sizeof f->path, "%s/%d-%s", filedir, nfiles, L->args[0]);
		int fd = open(f->path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || ftruncate(fd, (off_t)v[1]) < 0) {
			res->kind = R_ERR;
			res->err = errno;
			if (fd >= 0)
				close(fd);
			return 0;
		}
		close(fd);
		res->kind = R_FILE;
		res->val = nfiles++;
		snprintf(res->note, sizeof res->note, "%s", f->name);
		return 0;
	}
	case OP_FTRUNCATE: {
		struct sym *s = sym_find(L->args[0]);
		if (!s || !s->bound || s->kind != S_FILE) {
			scenario_error(L, "ftruncate needs a FILE bound by open");
			return -1;
		}
		if (eval_arg(L, 1, &v[1]) < 0)
			return -1;
		if (truncate(files[s->val].path, (off_t)v[1]) < 0) {
			res->kind = R_ERR;
			res->err = errno;
		}
		return 0;
	}
	case OP_RAP:
		res->kind = R_SKIP;
		snprintf(res->note, sizeof res->note, "remap_anon_pages: model only, never merged");
		return 0;
	default:
		break;
	}

	/* Everything else runs in the task. */
	switch (L->op) {
	case OP_MMAP:
		if (eval_arg(L, 0, &c.a[0]) < 0 || eval_arg(L, 1, &c.a[1]) < 0)
			return -1;
		parse_prot(L->args[2], &c.a[2]);
		parse_flags(L->args[3], mmap_flags, &c.a[3]);
		if (L->nargs == 6) {
			struct sym *s = sym_find(L->args[4]);
			if (!s || !s->bound || s->kind != S_FILE) {
				scenario_error(L, "mmap FILE must be a name bound by open");
				return -1;
			}
			snprintf(c.path, sizeof c.path, "%s", files[s->val].path);
			if (eval_arg(L, 5, &c.a[4]) < 0)
				return -1;
		}
		res->hex = 1;
		break;
	case OP_MUNMAP: case OP_MLOCK: case OP_MUNLOCK: case OP_UFFD_REGISTER:
		if (eval_arg(L, 0, &c.a[0]) < 0 || eval_arg(L, 1, &c.a[1]) < 0)
			return -1;
		break;
	case OP_MPROTECT:
		if (eval_arg(L, 0, &c.a[0]) < 0 || eval_arg(L, 1, &c.a[1]) < 0)
			return -1;
		parse_prot(L->args[2], &c.a[2]);
		break;
	case OP_MREMAP:
		if (eval_arg(L, 0, &c.a[0]) < 0 || eval_arg(L, 1, &c.a[1]) < 0 ||
		    eval_arg(L, 2, &c.a[2]) < 0 || (L->nargs == 5 && eval_arg(L, 4, &c.a[4]) < 0))
			return -1;
		parse_flags(L->args[3], mremap_flags, &c.a[3]);
		res->hex = 1;
		break;
	case OP_MADVISE:
		if (eval_arg(L, 0, &c.a[0]) < 0 || eval_arg(L, 1, &c.a[1]) < 0)
			return -1;
		parse_advice(L->args[2], &c.a[2]);
		break;
	case OP_BRK:
		if (eval_arg(L, 0, &c.a[0]) < 0)
			return -1;
		res->hex = 1;
		break;
	case OP_READ:
	case OP_WRITE:
	case OP_ADD:
	case OP_TOUCH: {
		uint64_t addr, len = 1;  /* no LEN: just the page holding ADDR */
		if (eval_arg(L, 0, &addr) < 0 || (L->nargs > 1 && eval_arg(L, 1, &len) < 0))
			return -1;
		page_span(addr, len, &c.a[0], &c.a[1]);
		if ((L->op == OP_WRITE || L->op == OP_ADD) && eval_arg(L, 2, &c.a[2]) < 0)
			return -1;
		res->hex = L->op == OP_READ;
		break;
	}
	case OP_UFFD_MOVE:
	case OP_UFFD_COPY:
		if (eval_arg(L, 0, &c.a[0]) < 0 || eval_arg(L, 1, &c.a[1]) < 0 ||
		    eval_arg(L, 2, &c.a[2]) < 0)
			return -1;
		if (L->nargs == 4)
			parse_flags(L->args[3], L->op == OP_UFFD_COPY ? copy_flags : uffd_flags, &c.a[3]);
		break;
	case OP_RFP:
		if (eval_arg(L, 0, &c.a[0]) < 0 || eval_arg(L, 1, &c.a[1]) < 0 ||
		    eval_arg(L, 2, &c.a[2]) < 0)
			return -1;
		break;
	case OP_FORK:
	case OP_CLONE:
		if (ntasks == nslots) {
			scenario_error(L, "out of task slots");
			return -1;
		}
		c.slot = ntasks;
		break;
	default:
		break;
	}

	if (L->op == OP_EXEC) {
		/* The answer is the hello of the new image on the same slot. */
		if (write_full(CMD_W(t->slot), &c, sizeof c) < 0 || recv_res(t->slot, &r, -1) < 0) {
			scenario_error(L, "task did not come back from exec");
			return -1;
		}
		if (r.kind == R_ERR) {
			res->kind = R_ERR;
			res->err = r.err;
			return 0;
		}
		/* exec kills every other thread of the process */
		for (int i = 0; i < ntasks; i++)
			if (&tasks[i] != t && tasks[i].alive && tasks[i].tgid == t->tgid) {
				tasks[i].alive = 0;
				if (tasks[i].pidfd >= 0)
					close(tasks[i].pidfd);
				tasks[i].pidfd = -1;
			}
		if (t->pidfd >= 0)
			close(t->pidfd);
		t->tid = (pid_t)r.tid;
		t->tgid = (pid_t)r.tgid;
		t->pidfd = open_pidfd(t->tid);
		snapshot_own(t);
		res->val = 0;
		return 0;
	}

	int got = task_call(t, &c, &r);
	if (got < 0) {
		char why[200];
		if (got == -2)
			describe_death(t, why, sizeof why);
		else
			snprintf(why, sizeof why, "did not answer in %d ms", TASK_TIMEOUT_MS);
		t->alive = 0;
		res->kind = R_DIED;
		snprintf(res->note, sizeof res->note, "task %s died or hung", t->name);
		char msg[300];
		snprintf(msg, sizeof msg, "task died or did not answer: %s", why);
		scenario_error(L, msg);
		return -1;
	}
	res->kind = r.kind;
	res->err = r.err;
	res->val = r.val;
	/* exit's work (exit_mmap) follows its answer, so it is not timed */
	res->timed = g_timing && L->op != OP_EXIT;
	res->ns = r.ns;

	if (L->op == OP_EXIT) {
		wait_gone(t);
		return 0;
	}
	if ((L->op == OP_FORK || L->op == OP_CLONE) && r.kind == R_VAL) {
		struct wire_res hello;
		int slot = c.slot;
		if (recv_res(slot, &hello, -1) < 0 || hello.kind != R_HELLO) {
			scenario_error(L, "new task did not start");
			return -1;
		}
		char name[64];
		if (L->as)
			snprintf(name, sizeof name, "%s", L->as);
		else
			snprintf(name, sizeof name, "@%d", L->lineno);
		register_task(slot, name, &hello);
		/* a child or thread of T: T's image, so T's own mappings */
		memcpy(tasks[slot].own, t->own, sizeof t->own);
		tasks[slot].nown = t->nown;
		ntasks++;
		res->kind = R_TASK;
		res->val = slot;
		snprintf(res->note, sizeof res->note, "%s (tid %d)", name, (int)hello.tid);
	}
	return 0;
}

/* ---- main loop ---------------------------------------------------------------- */

/*
 * -t: every task and the coordinator run on the CPU the coordinator started
 * on (the tasks inherit the mask), as harness/bench/calibrate.c does: a page
 * faulted in waits in that CPU's LRU batch, and MADV_PAGEOUT (reclaim) drains
 * only the batch of the CPU it runs on.
 */
static void pin_to_one_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();
	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	sched_setaffinity(0, sizeof set, &set);
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return a < b ? -1 : a > b;
}

/*
 * -t: the time of the empty call (OP_NOP: the task's dispatch and its two
 * clock reads, no system call of the scenario's), the median of 31, which
 * rmaplab subtracts from every timed line.
 */
static int64_t empty_call_ns(struct task *t)
{
	int64_t v[31];
	for (int i = 0; i < 31; i++) {
		struct wire_cmd c;
		struct wire_res r;
		memset(&c, 0, sizeof c);
		c.op = OP_NOP;
		c.timed = 1;
		if (task_call(t, &c, &r) < 0)
			die(2, "t1 did not answer the empty call");
		v[i] = r.ns;
	}
	qsort(v, 31, sizeof v[0], cmp_i64);
	return v[15];
}

static void cleanup(void)
{
	for (int i = 0; i < ntasks; i++)
		if (tasks[i].tgid > 0)
			kill(tasks[i].tgid, SIGKILL);
	alarm(10);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	for (int i = 0; i < nfiles; i++)
		unlink(files[i].path);
	if (filedir[0])
		rmdir(filedir);
}

static int coordinator(const char *file)
{
	g_file = file;
	parse_file(file);

	/* One slot for t1 and one per fork/clone line. */
	nslots = 1;
	for (int i = 0; i < nlines; i++)
		if (lines[i].kind == L_TASK && (lines[i].op == OP_FORK || lines[i].op == OP_CLONE))
			nslots++;
	if (nslots > MAXSLOTS)
		die(2, "%s: too many tasks (%d > %d)", file, nslots, MAXSLOTS);

	/* Pipes at fixed descriptor numbers; coordinator ends close on exec. */
	for (int i = 0; i < nslots; i++) {
		int cp[2], rp[2];
		if (pipe(cp) < 0 || pipe(rp) < 0)
			die(2, "pipe: %s", strerror(errno));
		if (dup2(cp[0], CMD_R(i)) < 0 || dup2(cp[1], CMD_W(i)) < 0 ||
		    dup2(rp[0], RES_R(i)) < 0 || dup2(rp[1], RES_W(i)) < 0)
			die(2, "dup2: %s (raise the descriptor limit?)", strerror(errno));
		close(cp[0]); close(cp[1]); close(rp[0]); close(rp[1]);
		fcntl(CMD_W(i), F_SETFD, FD_CLOEXEC);
		fcntl(RES_R(i), F_SETFD, FD_CLOEXEC);
	}
	snprintf(filedir, sizeof filedir, "/dev/shm/vmsh.%d", (int)getpid());
	if (mkdir(filedir, 0700) < 0) {
		snprintf(filedir, sizeof filedir, "/tmp/vmsh.%d", (int)getpid());
		if (mkdir(filedir, 0700) < 0)
			filedir[0] = 0;
	}
	/* Orphaned task processes are re-parented to us, so we can reap them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (g_timing)
		pin_to_one_cpu();
	signal(SIGPIPE, SIG_IGN);

	pid_t pid = fork();
	if (pid < 0)
		die(2, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		limit_data_for_exec(1);
		char s1[16], s2[16];
		snprintf(s1, sizeof s1, "0");
		snprintf(s2, sizeof s2, "%d", nslots);
		execl("/proc/self/exe", "vmsh", "--task", s1, s2, (char *)NULL);
		_exit(127);
	}
	/* The task-side ends are for the tasks only. */
	for (int i = 0; i < nslots; i++) {
		close(CMD_R(i));
		close(RES_W(i));
	}
	struct wire_res hello;
	if (recv_res(0, &hello, -1) < 0 || hello.kind != R_HELLO)
		die(2, "t1 did not start");
	register_task(0, "t1", &hello);
	snapshot_own(&tasks[0]);
	ntasks = 1;
	sym_bind("t1", S_TASK, 0);
	if (g_timing)
		printf("empty %lld\n", (long long)empty_call_ns(&tasks[0]));

	int failures = 0, status = 0;
	for (int li = 0; li < nlines; li++) {
		const struct line *L = &lines[li];
		struct result res;
		if (run_line(L, &res) < 0) {
			status = 2;
			break;
		}
		/* bind `as NAME` */
		if (L->as && L->op != OP_FORK && L->op != OP_CLONE) {
			if (res.kind == R_VAL)
				sym_bind(L->as, S_VALUE, res.val);
			else if (res.kind == R_FILE)
				sym_bind(L->as, S_FILE, res.val);
			else
				sym_unbind(L->as);
		} else if (L->as && res.kind == R_TASK) {
			sym_bind(L->as, S_TASK, res.val);
		} else if (L->as) {
			sym_unbind(L->as);
		}
		char rs[512];
		if (g_timing && res.timed)
			printf("time %d %lld\n", L->lineno, (long long)res.ns);
		if (g_canonical) {
			fmt_canonical(L, &res, rs, sizeof rs);
			printf("%d\t%s\n", L->lineno, rs);
			if (L->op == OP_MAPS && res.kind == R_VAL) {
				char pre[32];
				snprintf(pre, sizeof pre, "%d\t|", L->lineno);
				print_maps_text(pre);
			}
			fflush(stdout);
			continue;
		}
		fmt_result(&res, rs, sizeof rs);
		if (g_timing)
			;  /* -t prints times and failures only */
		else if (g_verbose)
			printf("%d: %-40s | %s\n", L->lineno, rs, L->text);
		else
			printf("%d: %s\n", L->lineno, rs);
		if (L->op == OP_MAPS && res.kind == R_VAL)
			print_maps_text("    ");
		if (g_dump_maps && L->kind == L_TASK) {
			struct task *t = task_by_name(L->task);
			if (t && t->alive) {
				char path[64], buf[512];
				snprintf(path, sizeof path, "/proc/%d/maps", t->tid);
				FILE *f = fopen(path, "r");
				while (f && fgets(buf, sizeof buf, f))
					printf("    %s", buf);
				if (f)
					fclose(f);
			}
		}
		if (L->expect && res.kind != R_SKIP) {
			struct expected x;
			if (parse_expect(L->expect, 1, &x) < 0) {
				scenario_error(L, errbuf);
				status = 2;
				break;
			}
			if (!check_expect(&x, &res)) {
				char xs[300] = "";
				if (x.kind == XP_VAL && strcmp(L->expect, "0") != 0) {
					char a[128];
					fmt_addr(x.val, a, sizeof a);
					snprintf(xs, sizeof xs, " [%s]", a);
				} else if (x.kind == XP_VMA) {
					char a[128], b[128];
					fmt_addr(x.start, a, sizeof a);
					fmt_addr(x.end, b, sizeof b);
					snprintf(xs, sizeof xs, " [%s..%s]", a, b);
				}
				printf("FAIL %s:%d: expected %s%s, got %s\n", g_file, L->lineno,
				       L->expect, xs, rs);
				failures++;
			}
		}
		fflush(stdout);
	}
	cleanup();
	if (status)
		return status;
	return failures ? 1 : 0;
}

/* vmsh -z: does a read fault of private anonymous memory map the zero page? */
static int zero_page_probe(void)
{
	volatile uint64_t *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die(2, "vmsh -z: mmap: %s", strerror(errno));
	uint64_t v = *p;	/* the read fault */
	(void)v;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		die(2, "vmsh -z: /proc/self/pagemap: %s", strerror(errno));
	uint64_t e = 0;
	if (pread(fd, &e, sizeof e, (off_t)((uintptr_t)p / PAGE * sizeof e)) != sizeof e)
		die(2, "vmsh -z: reading /proc/self/pagemap: %s", strerror(errno));
	close(fd);
	if (!(e >> 63 & 1))
		die(2, "vmsh -z: the page read is not present (pagemap entry %#llx)",
		    (unsigned long long)e);
	printf("zero_page %d\n", (e >> 56 & 1) ? 0 : 1);
	return 0;
}

/* Defined only in a dynamically linked (or static-pie) executable. */
extern char _DYNAMIC[] __attribute__((weak));

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "--task"))
		return task_main(atoi(argv[2]), atoi(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "-z"))
		return zero_page_probe();
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			g_verbose = 1;
		else if (!strcmp(argv[i], "-m"))
			g_verbose = g_dump_maps = 1;
		else if (!strcmp(argv[i], "-c"))
			g_canonical = 1;
		else if (!strcmp(argv[i], "-t"))
			g_timing = 1;
		else
			die(2, "usage: %s [-v|-m|-c|-t] FILE.vms | -z", argv[0]);
	}
	if (i != argc - 1)
		die(2, "usage: %s [-v|-m|-c|-t] FILE.vms | -z", argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (_DYNAMIC)
		fprintf(stderr, "vmsh: warning: not linked with -static; ld.so's own mappings "
			"sit where `mmap 0` places scenario mappings and may merge with them\n");
	return coordinator(argv[i]);
}
