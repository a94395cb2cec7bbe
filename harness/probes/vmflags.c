/*
 * vmflags.c - invisible vma flags (from /proc/self/smaps VmFlags) that decide
 * merges and results, and the placement of large anonymous mappings.
 *
 *   gcc -O2 -o vmflags vmflags.c && ./vmflags
 *
 * Shows: mlock of PROT_NONE (ENOMEM, yet VM_LOCKED "lo" is set); what
 * MREMAP_DONTUNMAP leaves on the source vma (no "lo"); mprotect to read-only
 * drops VM_ACCOUNT "ac" only from a never-faulted vma; THP alignment of
 * anonymous mmaps whose length is a multiple of 2 MB.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define P 4096UL
#define MB (1024UL * 1024)

static void show(const char *what, void *a)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long s, e;
	int in = 0;
	while (fgets(line, sizeof line, f)) {
		if (sscanf(line, "%lx-%lx ", &s, &e) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in = (unsigned long)a >= s && (unsigned long)a < e;
			if (in)
				printf("%-22s %s", what, line);
		} else if (in && (!strncmp(line, "VmFlags", 7) || !strncmp(line, "Locked", 6))) {
			printf("%-22s   %s", "", line);
		}
	}
	fclose(f);
}

static int aligned(void *p) { return ((unsigned long)p & (2 * MB - 1)) == 0; }

int main(void)
{
	char *n = mmap(0, 4 * P, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r = mlock(n, 4 * P);
	printf("mlock(PROT_NONE) = %d %s\n", r, r ? strerror(errno) : "");
	show("PROT_NONE after mlock", n);

	char *a = mmap(0, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(a, 1, 4 * P);
	mlock(a, 4 * P);
	show("locked source", a);
	char *b = mremap(a, 4 * P, 4 * P, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	show("DONTUNMAP source", a);
	show("DONTUNMAP dest", b);

	char *u = mmap(0, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	show("fresh rw", u);
	mprotect(u, P, PROT_READ);
	show("unfaulted -> r", u);
	u[2 * P] = 1;
	mprotect(u + 2 * P, P, PROT_READ);
	show("faulted -> r", u + 2 * P);

	char *h = mmap(0, 2 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *hs = mmap(0, 2 * MB, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *h6 = mmap(0, 6 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *h3 = mmap(0, 3 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *h2p = mmap(0, 2 * MB + P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("2M private %p aligned=%d | 2M shared %p aligned=%d | 6M %p aligned=%d | "
	       "3M %p aligned=%d | 2M+4K %p aligned=%d\n",
	       h, aligned(h), hs, aligned(hs), h6, aligned(h6), h3, aligned(h3), h2p, aligned(h2p));
	return 0;
}
