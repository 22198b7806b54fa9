/*
 * bench_block: in-process speed of the postings integer decoder,
 * hks_unpack_u32 over full groups of HKS_BLOCK values (and, separately,
 * partial groups). The input imitates doc-id gaps of real postings: each
 * list has its own density (mean gap 1..4096, log-uniform) and gaps are
 * geometric around it, plus term frequencies (mostly 1-3). Fixed seed; the
 * figure is the median of several timed runs.
 *
 * Usage: bench_block [n_values] [runs]   (defaults 4194304 and 11)
 * Output: one line per kind, ending in "M ints/s".
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hks_format.h"

/* xorshift64*: fast, fixed-seed, good enough for test data. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}
static double rng_unit(void)
{
    return (double)(rng() >> 11) / 9007199254740992.0;
}

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Fill v[0..n) with gap-like values: lists of 128..8192 values, each with
 * its own mean gap; every other list is term frequencies instead. */
static void make_values(uint32_t *v, size_t n)
{
    size_t i = 0;
    int is_tf = 0;
    while (i < n) {
        size_t len = 128 + (size_t)(rng() % 8064);
        double mean = exp(rng_unit() * log(4096.0));
        size_t j;
        for (j = 0; j < len && i < n; j++, i++) {
            if (is_tf) {
                double u = rng_unit();
                v[i] = u < 0.7 ? 1 : u < 0.9 ? 2
                                             : 3 + (uint32_t)(rng() % 20);
            } else {
                double u = rng_unit();
                v[i] = 1 + (uint32_t)(-log(1.0 - u) * mean);
            }
        }
        is_tf = !is_tf;
    }
}

/* Time decoding of all groups of size g (g <= HKS_BLOCK) in packed. */
static double run(const hks_buf *packed, uint32_t *out, size_t n, size_t g,
                  int runs)
{
    double *t = calloc((size_t)runs, sizeof *t), med;
    volatile uint32_t sink = 0;
    int r;
    for (r = 0; r < runs; r++) {
        hks_rd rd;
        size_t i;
        double t0 = now_sec();
        hks_rd_init(&rd, packed->p, packed->n);
        for (i = 0; i < n; i += g) {
            if (hks_unpack_u32(&rd, out + i, g) != HKS_OK) {
                fprintf(stderr, "bench_block: decode failed\n");
                exit(1);
            }
        }
        t[r] = now_sec() - t0;
        sink += out[n - 1];
    }
    qsort(t, (size_t)runs, sizeof *t, cmp_double);
    med = t[runs / 2];
    free(t);
    (void)sink;
    return (double)n / med / 1e6;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 4194304;
    int runs = argc > 2 ? atoi(argv[2]) : 11;
    const size_t sizes[] = {HKS_BLOCK, 50};
    uint32_t *v, *out;
    size_t k;
    if (runs < 1)
        runs = 1;
    n -= n % (HKS_BLOCK * 50);
    if (n == 0)
        n = HKS_BLOCK * 50;
    v = malloc(n * sizeof *v);
    out = malloc(n * sizeof *out);
    if (!v || !out)
        return 1;
    make_values(v, n);
    for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t g = sizes[k], i;
        int rc = 0;
        hks_buf packed;
        double mps;
        hks_buf_init(&packed, NULL);
        for (i = 0; i < n; i += g)
            hks_pack_u32(&rc, &packed, v + i, g);
        if (rc)
            return 1;
        mps = run(&packed, out, n, g, runs);
        if (memcmp(out, v, n * sizeof *v) != 0) {
            fprintf(stderr, "bench_block: round trip mismatch\n");
            return 1;
        }
        printf("bench_block: group=%zu values=%zu bytes/value=%.3f "
               "median_of=%d decode %.0f M ints/s\n",
               g, n, (double)packed.n / (double)n, runs, mps);
        hks_buf_free(&packed);
    }
    free(v);
    free(out);
    return 0;
}
