/*
 * fresh_brk.c - what does brk(0) return in a freshly exec'd process, before
 * any libc start-up code could move it?  No libc at all.
 *
 *   gcc -O2 -static -nostdlib -fno-stack-protector -o fresh_brk fresh_brk.c
 *   ./fresh_brk
 *
 * Prints brk(0), /proc/self/maps, then grows the break by one page and prints
 * the maps again.  On 6.18 x86_64: brk(0) is page aligned, randomized, there
 * is no [heap] line until the break grows, and the first page of the heap is
 * exactly at brk(0).
 */
static long sys(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static char buf[16384];

static void hex(long v, char *o)
{
	for (int i = 15; i >= 0; i--) {
		int d = v & 15;
		o[i] = d < 10 ? '0' + d : 'a' + d - 10;
		v >>= 4;
	}
	o[16] = '\n';
}

static void maps(void)
{
	long fd = sys(2, (long)"/proc/self/maps", 0, 0);
	long n = sys(0, fd, (long)buf, sizeof buf);
	sys(1, 1, (long)buf, n);
	sys(3, fd, 0, 0);
}

void _start(void)
{
	char o[17];
	long b = sys(12, 0, 0, 0);           /* brk(0) */
	hex(b, o);
	sys(1, 1, (long)"brk(0)   = ", 11);
	sys(1, 1, (long)o, 17);
	maps();
	long b2 = sys(12, b + 4096, 0, 0);   /* grow by one page */
	hex(b2, o);
	sys(1, 1, (long)"brk(+1p) = ", 11);
	sys(1, 1, (long)o, 17);
	maps();
	sys(60, 0, 0, 0);
}
