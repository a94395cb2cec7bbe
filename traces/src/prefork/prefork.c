/* A small preforking "server" for rmaplab's traces (traces/prefork.strace): the parent builds a
 * heap table and a 1 MiB anonymous cache, forks 4 workers that each serve 8 "requests" (malloc'd
 * buffers, a 256 KiB mmap'd scratch area that is mremapped to 512 KiB, a write into the shared
 * cache), exit; the parent waits for them. No sockets: only the memory profile matters here. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { WORKERS = 4, REQUESTS = 8 };

static void serve(char *cache, int worker) {
    for (int r = 0; r < REQUESTS; r++) {
        char *buf = malloc(200000);           /* above the mmap threshold: mmap + munmap */
        memset(buf, r, 200000);
        char *scratch = mmap(NULL, 256 << 10, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(scratch, worker, 256 << 10);
        scratch = mremap(scratch, 256 << 10, 512 << 10, MREMAP_MAYMOVE);
        memset(scratch + (256 << 10), worker, 256 << 10);
        cache[(worker * REQUESTS + r) * 4096] = (char) r; /* COW one page of the inherited cache */
        munmap(scratch, 512 << 10);
        free(buf);
    }
}

int main(void) {
    char *table = malloc(64 << 10);
    memset(table, 1, 64 << 10);
    char *cache = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(cache, 2, 1 << 20);
    for (int w = 0; w < WORKERS; w++) {
        if (fork() == 0) {
            serve(cache, w);
            _exit(0);
        }
    }
    for (int w = 0; w < WORKERS; w++) {
        wait(NULL);
    }
    free(table);
    return 0;
}
