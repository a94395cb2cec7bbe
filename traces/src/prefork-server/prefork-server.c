/* A pre-forking TCP server under a burst of requests, for rmaplab's perf corpus
 * (traces/perf/prefork-server.perf.gz): the parent mallocs and fills a 384 KiB response cache,
 * listens on 127.0.0.1 (an ephemeral port), forks 4 workers that block in accept() and serve one
 * connection at a time (read a small request, build the response in a malloc'd buffer from the
 * inherited cache, write it, free it), then forks a client that connects 300 times in a row,
 * sends a request and reads the whole answer. When the client has exited, the parent kills the
 * workers with SIGTERM (the default action: they die in accept()), reaps them and exits 0.
 * Which worker takes which connection is up to the scheduler; the rest is fixed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum { WORKERS = 4, REQUESTS = 300, CACHE = 384 << 10, MAXRESP = 24 << 10 };

/* The size of the answer to request R: 1 KiB to 24 KiB, below glibc's mmap threshold, so the
 * buffer comes from the heap the worker inherited. */
static size_t response_size(unsigned r) {
    return 1024 + (r * 2654435761u >> 7) % (MAXRESP - 1024);
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) {
            return -1;
        }
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

static void worker(int lfd, const char *cache) {
    for (;;) {
        int c = accept(lfd, NULL, NULL);
        if (c < 0) {
            continue; /* EINTR, ECONNABORTED: accept again; SIGTERM ends us here */
        }
        char req[64];
        ssize_t n = read(c, req, sizeof req - 1);
        if (n > 0) {
            req[n] = 0;
            unsigned r = (unsigned) strtoul(req + 4, NULL, 10); /* "GET R\n" */
            size_t len = response_size(r);
            char *resp = malloc(len);
            size_t off = (size_t) r * 4096 % (CACHE - len);
            memcpy(resp, cache + off, len);
            resp[0] = (char) r;
            write_all(c, resp, len);
            free(resp);
        }
        close(c);
    }
}

static int client(const struct sockaddr_in *addr) {
    char *buf = malloc(MAXRESP);
    for (unsigned r = 0; r < REQUESTS; r++) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (s < 0 || connect(s, (const struct sockaddr *) addr, sizeof *addr) < 0) {
            return 1;
        }
        char req[32];
        int n = snprintf(req, sizeof req, "GET %u\n", r);
        if (write_all(s, req, (size_t) n) < 0) {
            return 1;
        }
        size_t got = 0;
        ssize_t k;
        while ((k = read(s, buf + got, MAXRESP - got)) > 0) {
            got += (size_t) k;
        }
        close(s);
        if (got != response_size(r) || buf[0] != (char) r) {
            return 1;
        }
    }
    free(buf);
    return 0;
}

int main(void) {
    char *cache = malloc(CACHE); /* above the mmap threshold: its own mapping */
    for (size_t i = 0; i < CACHE; i++) {
        cache[i] = (char) (i * 31 + 7);
    }
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof addr;
    if (lfd < 0 || bind(lfd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(lfd, 64) < 0
            || getsockname(lfd, (struct sockaddr *) &addr, &alen) < 0) {
        perror("prefork-server: listen");
        return 1;
    }
    pid_t workers[WORKERS];
    for (int w = 0; w < WORKERS; w++) {
        workers[w] = fork();
        if (workers[w] == 0) {
            worker(lfd, cache);
        }
    }
    pid_t cl = fork();
    if (cl == 0) {
        close(lfd);
        _exit(client(&addr));
    }
    int status;
    int ok = waitpid(cl, &status, 0) == cl && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    for (int w = 0; w < WORKERS; w++) {
        kill(workers[w], SIGTERM);
    }
    for (int w = 0; w < WORKERS; w++) {
        waitpid(workers[w], &status, 0);
        ok = ok && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
    }
    close(lfd);
    free(cache);
    if (!ok) {
        fprintf(stderr, "prefork-server: a request failed\n");
        return 1;
    }
    return 0;
}
