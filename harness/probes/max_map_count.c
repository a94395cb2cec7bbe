/*
 * max_map_count.c - which calls fail near vm.max_map_count, and where.
 *
 *   gcc -O2 -o max_map_count max_map_count.c && ./max_map_count
 *
 * Brings the vma count (lines of /proc/self/maps minus [vsyscall]) to
 * max-6 .. max+1 with non-mergeable one-page mappings and tries, at each
 * count: a new mmap, an mprotect that splits a vma in three and one that
 * splits it in two, a munmap punching a hole, an madvise(DONTFORK) splitting
 * a vma in three, a single-vma MREMAP_FIXED move out of the middle of a
 * vma, and a growing MREMAP_MAYMOVE move.  Each successful probe is undone.
 * Takes a few seconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define P 4096UL

static int map_count(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, c;
	while ((c = fgetc(f)) != EOF)
		if (c == '\n')
			n++;
	fclose(f);
	return n - 1;  /* [vsyscall] is not a vma of the mm */
}

static void *pages[70000];
static int npages;

static void fill_to(int target)
{
	int cur = map_count();
	while (cur < target) {
		/* alternate protections so that neighbours never merge */
		void *m = mmap(0, P, (npages & 1) ? PROT_READ : PROT_READ | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED) {
			printf("fill failed at %d\n", cur);
			return;
		}
		pages[npages++] = m;
		cur++;
	}
	while (cur > target && npages) {
		munmap(pages[--npages], P);
		cur--;
	}
}

static const char *res(int e) { return e ? strerror(e) : "ok"; }

int main(void)
{
	int max;
	FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
	if (!f || fscanf(f, "%d", &max) != 1)
		return 1;
	fclose(f);
	char *big = mmap(0, 16 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *big2 = mmap(0, 64 * P, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int d = -6; d <= 1; d++) {
		fill_to(max + d);
		int c = map_count();
		void *m = mmap(0, P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int e_mmap = m == MAP_FAILED ? errno : 0;
		if (m != MAP_FAILED)
			munmap(m, P);
		int r = mprotect(big + 4 * P, P, PROT_READ);
		int e_split3 = r ? errno : 0;
		mprotect(big, 16 * P, PROT_READ | PROT_WRITE);
		r = mprotect(big, P, PROT_READ);
		int e_split2 = r ? errno : 0;
		mprotect(big, 16 * P, PROT_READ | PROT_WRITE);
		r = munmap(big + 8 * P, P);  /* a hole in the middle: 1 vma -> 2 */
		int e_munmap = r ? errno : 0;
		if (!r)
			mmap(big + 8 * P, P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		r = madvise(big + 4 * P, P, MADV_DONTFORK);
		int e_madv = r ? errno : 0;
		madvise(big, 16 * P, MADV_DOFORK);
		void *q = mremap(big2 + 8 * P, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, big2 + 40 * P);
		int e_fixed = q == MAP_FAILED ? errno : 0;
		if (q != MAP_FAILED)
			mremap(q, 2 * P, 2 * P, MREMAP_MAYMOVE | MREMAP_FIXED, big2 + 8 * P);
		q = mremap(big2 + 60 * P, 4 * P, 8 * P, MREMAP_MAYMOVE);
		int e_grow = q == MAP_FAILED ? errno : 0;
		if (q != MAP_FAILED) {
			munmap(q, 8 * P);
			mmap(big2 + 60 * P, 4 * P, PROT_READ | PROT_WRITE | PROT_EXEC,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		}
		printf("map_count=%d (max%+d): mmap %s | mprotect 1->3 %s | mprotect 1->2 %s"
		       " | munmap hole %s | madvise 1->3 %s | mremap FIXED mid-vma %s | mremap grow+move %s\n",
		       c, c - max, res(e_mmap), res(e_split3), res(e_split2), res(e_munmap), res(e_madv),
		       res(e_fixed), res(e_grow));
	}
	return 0;
}
