/* A realloc-heavy "store" for rmaplab's traces (traces/realloc-snap.strace, perf/realloc-snap.perf.gz):
 * the relocation debate's pattern (Matena 2022, Stoakes 2025) on glibc. Four values grow by
 * realloc past the mmap threshold, so glibc's mremap_chunk() moves each with
 * mremap(MREMAP_MAYMOVE) whenever its neighbour is in the way; every fourth round a snapshot child
 * is forked (a BGSAVE-like pattern: it reads every value, lingers a moment, exits) while the parent
 * keeps growing and writing, so some moves find folios the child still shares. Beside them, an
 * allocator-like arena: 64 KiB slabs mmap'd on demand, a large object in it grown by mremap in
 * place when it can and moved when it cannot, and freed slabs munmapped. */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { VALUES = 4, ROUNDS = 12, STEP = 64 << 10, SLAB = 64 << 10, SLABS = 8 };

static char *value[VALUES];
static size_t size[VALUES];

static void snapshot(void) {
    long sum = 0;
    for (int v = 0; v < VALUES; v++) {
        for (size_t i = 0; i < size[v]; i += 4096) {
            sum += value[v][i];
        }
    }
    usleep(3000);                         /* the parent moves on meanwhile */
    _exit(sum == 42);
}

int main(void) {
    mallopt(M_MMAP_THRESHOLD, 128 << 10); /* fixed: no dynamic threshold after a free */
    for (int v = 0; v < VALUES; v++) {
        size[v] = 160 << 10;
        value[v] = malloc(size[v]);
        memset(value[v], v, size[v]);
    }
    char *slab[SLABS] = {0};
    char *obj = mmap(NULL, SLAB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    size_t objlen = SLAB;
    memset(obj, 9, objlen);
    pid_t child = 0;
    for (int r = 0; r < ROUNDS; r++) {
        if (r % 4 == 1) {
            if (child > 0) {
                waitpid(child, NULL, 0);
            }
            child = fork();
            if (child == 0) {
                snapshot();
            }
        }
        for (int v = 0; v < VALUES; v++) {  /* glibc realloc: mremap_chunk(), MREMAP_MAYMOVE */
            value[v] = realloc(value[v], size[v] + STEP);
            memset(value[v] + size[v], r, STEP);
            value[v][0] = (char) r;           /* a COW while a snapshot child shares it */
            size[v] += STEP;
        }
        slab[r % SLABS] = mmap(NULL, SLAB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(slab[r % SLABS], r, SLAB / 2);
        char *grown = mremap(obj, objlen, objlen + SLAB, 0);  /* in place if the page above is free */
        if (grown == MAP_FAILED) {
            grown = mremap(obj, objlen, objlen + SLAB, MREMAP_MAYMOVE);
        }
        obj = grown;
        memset(obj + objlen, r, SLAB);
        objlen += SLAB;
        if (r % 3 == 2 && slab[(r + 5) % SLABS] != NULL) { /* free an older slab */
            munmap(slab[(r + 5) % SLABS], SLAB);
            slab[(r + 5) % SLABS] = NULL;
        }
    }
    if (child > 0) {
        waitpid(child, NULL, 0);
    }
    for (int v = 0; v < VALUES; v++) {
        free(value[v]);
    }
    return 0;
}
