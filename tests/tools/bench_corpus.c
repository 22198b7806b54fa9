/*
 * bench_corpus.c: read speed of the corpus reader (indexer/corpus_read.c).
 * Reads a source (normally a .jsonl.zst file) through hks_corpus_read()
 * with a callback that does nothing, RUNS times, and prints the speed of
 * each run and the median in MB/s of uncompressed input (1 MB = 10^6
 * bytes), then one machine-readable summary line:
 *     bench_corpus docs=N bytes=B median_mb_s=X
 *
 * Usage: bench_corpus SOURCE [RUNS]     (RUNS defaults to 3)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hks_indexer.h"

/* Most runs accepted; the median needs them all in an array. */
#define MAX_RUNS 99

static int no_op(void *ctx, const hks_doc *doc)
{
    (void)ctx;
    (void)doc;
    return HKS_OK;
}

static void count_warn(void *ud, const char *msg)
{
    unsigned long *n = ud;
    if (*n == 0)
        fprintf(stderr, "bench_corpus: warning: %s\n", msg);
    (*n)++;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
    double speed[MAX_RUNS];
    int runs = 3;
    hks_progress prog = {0};

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: bench_corpus SOURCE [RUNS]\n");
        return 2;
    }
    if (argc == 3)
        runs = atoi(argv[2]);
    if (runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "bench_corpus: RUNS must be 1..%d\n", MAX_RUNS);
        return 2;
    }
    for (int i = 0; i < runs; i++) {
        unsigned long n_warn = 0;
        hks_callbacks cb = {count_warn, NULL, &n_warn, NULL};
        hks_errbuf e = {{0}};
        double t0, t;
        int rc;
        prog = (hks_progress){0};
        t0 = now();
        rc = hks_corpus_read(NULL, argv[1], no_op, NULL, &cb, &prog, &e);
        t = now() - t0;
        if (rc < 0) {
            fprintf(stderr, "bench_corpus: %s: %s\n", hks_strerror(rc),
                    e.msg);
            return 1;
        }
        speed[i] = (double)prog.n_bytes / 1e6 / (t > 0 ? t : 1e-9);
        printf("run %d: %llu docs, %llu bytes, %lu warnings, %.3f s, "
               "%.1f MB/s\n",
               i + 1, (unsigned long long)prog.n_docs,
               (unsigned long long)prog.n_bytes, n_warn, t, speed[i]);
    }
    qsort(speed, (size_t)runs, sizeof speed[0], cmp_double);
    printf("bench_corpus docs=%llu bytes=%llu median_mb_s=%.1f\n",
           (unsigned long long)prog.n_docs, (unsigned long long)prog.n_bytes,
           speed[runs / 2]);
    return 0;
}
