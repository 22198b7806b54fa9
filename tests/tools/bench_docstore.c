/*
 * bench_docstore.c: size and fetch speed of the document store
 * (format/docstore.c) by block size, zstd level and dictionary. Reads the
 * article bodies of the sources (as the indexer stores them) once, then
 * for each setting writes one store of all of them in order and reports:
 *   write_s   seconds to add every body and finish (training included)
 *   MB        section bytes (10^6), and % of the raw bodies
 *   open_us   opening the store (the dictionary is loaded here)
 *   fetch_us  median over RUNS runs of the mean time to fetch one of
 *             FETCHES random documents, each from a block not cached
 *             (a hit's snippet reads its whole body this way); the runs
 *             of all settings alternate, so load on the machine falls on
 *             them alike
 * Fixed seed; the same documents are fetched for every setting.
 *
 * Usage: bench_docstore [-b KB,KB..] [-l L,L..] [-d 0|1|01] [-D DICT_KB]
 *                       [-t TRAIN_MB] [-r RUNS] SOURCE...
 * (defaults: -b 4,16,32,64 -l 3,9,19 -d 01 -D 64 -t 0 = the store's own
 * default sample, -r 5). One line per setting, after all are written:
 *   bench_docstore block_kb=B level=L dict=D dict_bytes=N write_s=S
 *   MB=M pct=P open_us=O fetch_us=F
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hks_format.h"
#include "hks_indexer.h"

#define FETCHES 2000
#define MAX_RUNS 99
#define MAX_LIST 16

typedef struct setting {
    int block_kb, level, dict;
    hks_buf out;      /* the store             */
    hks_ds_reader *r; /* open over out         */
    double write_s, open_us, run_us[MAX_RUNS];
} setting;

typedef struct bodies {
    hks_buf text; /* every body, back to back */
    size_t *off;  /* body i starts at off[i]   */
    size_t n, cap;
} bodies;

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

static int keep_body(void *ctx, const hks_doc *doc)
{
    bodies *b = ctx;
    int rc = 0;
    if (b->n + 2 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 4096;
        size_t *p = realloc(b->off, nc * sizeof *p);
        if (!p)
            return HKS_ERR_NOMEM;
        b->off = p;
        b->cap = nc;
    }
    b->off[b->n++] = b->text.n;
    hks_buf_put(&rc, &b->text, doc->body ? doc->body : "", doc->body_len);
    b->off[b->n] = b->text.n;
    return rc;
}

static int parse_list(const char *s, int *v)
{
    int n = 0;
    while (*s && n < MAX_LIST) {
        char *end;
        v[n++] = (int)strtol(s, &end, 10);
        s = *end == ',' ? end + 1 : end;
        if (end == s && *s)
            break;
    }
    return n;
}

/* Write the store of all bodies with the setting; *secs is the time. */
static void write_store(const bodies *b, size_t block, int level, int dict,
                        size_t dict_kb, size_t train_mb, hks_buf *out, double *secs)
{
    hks_ds_writer *w = NULL;
    size_t i;
    double t0 = now_sec();
    if (hks_ds_writer_new(NULL, level, &w) ||
        hks_ds_writer_tune(w, block, dict ? dict_kb * 1024 : 0, train_mb << 20)) {
        fprintf(stderr, "bench_docstore: writer\n");
        exit(1);
    }
    for (i = 0; i < b->n; i++)
        if (hks_ds_writer_add(w, b->text.p + b->off[i], b->off[i + 1] - b->off[i])) {
            fprintf(stderr, "bench_docstore: add\n");
            exit(1);
        }
    if (hks_ds_writer_finish(w, out)) {
        fprintf(stderr, "bench_docstore: finish\n");
        exit(1);
    }
    *secs = now_sec() - t0;
    hks_ds_writer_free(w);
}

int main(int argc, char **argv)
{
    int blocks[MAX_LIST] = {4, 16, 32, 64}, levels[MAX_LIST] = {3, 9, 19};
    int dicts[2] = {0, 1}, nb = 4, nl = 3, nd = 2, runs = 5, ai = 1;
    int bi, li, di, k, si, n_set;
    static setting set[MAX_LIST * MAX_LIST * 2];
    size_t dict_kb = 64, train_mb = 0;
    bodies b;
    uint32_t *pick;
    uint64_t seed = 0x9E3779B97F4A7C15ull;
    size_t i;
    memset(&b, 0, sizeof b);
    hks_buf_init(&b.text, NULL);
    for (; ai + 1 < argc && argv[ai][0] == '-'; ai += 2) {
        if (strcmp(argv[ai], "-b") == 0)
            nb = parse_list(argv[ai + 1], blocks);
        else if (strcmp(argv[ai], "-l") == 0)
            nl = parse_list(argv[ai + 1], levels);
        else if (strcmp(argv[ai], "-D") == 0)
            dict_kb = (size_t)atoi(argv[ai + 1]);
        else if (strcmp(argv[ai], "-t") == 0)
            train_mb = (size_t)atoi(argv[ai + 1]);
        else if (strcmp(argv[ai], "-r") == 0)
            runs = atoi(argv[ai + 1]);
        else if (strcmp(argv[ai], "-d") == 0) {
            const char *s = argv[ai + 1];
            nd = 0;
            for (; *s && nd < 2; s++)
                dicts[nd++] = *s == '1';
        } else
            break;
    }
    if (ai >= argc || runs < 1 || runs > MAX_RUNS) {
        fprintf(stderr, "usage: bench_docstore [-b KB,..] [-l L,..] [-d 01] "
                        "[-r RUNS] SOURCE...\n");
        return 2;
    }
    for (; ai < argc; ai++) {
        hks_errbuf e = {{0}};
        hks_callbacks cb = {0};
        if (hks_corpus_read(NULL, argv[ai], keep_body, &b, &cb, NULL, &e) < 0) {
            fprintf(stderr, "bench_docstore: %s: %s\n", argv[ai], e.msg);
            return 1;
        }
    }
    if (b.n == 0)
        return 1;
    pick = malloc(FETCHES * sizeof *pick);
    if (!pick)
        return 1;
    for (i = 0; i < FETCHES; i++) {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        pick[i] = (uint32_t)((seed * 2685821657736338717ull >> 33) % b.n);
    }
    printf("# %zu documents, %.2f MB of bodies\n", b.n, (double)b.text.n / 1e6);
    /* Write every store first, then time the fetches round-robin (one run
     * of each setting per round), so a busy machine slows them alike. */
    n_set = 0;
    for (bi = 0; bi < nb; bi++)
        for (li = 0; li < nl; li++)
            for (di = 0; di < nd; di++) {
                setting *st = &set[n_set++];
                hks_errbuf e = {{0}};
                double t0;
                st->block_kb = blocks[bi];
                st->level = levels[li];
                st->dict = dicts[di];
                hks_buf_init(&st->out, NULL);
                write_store(&b, (size_t)blocks[bi] * 1024, levels[li], dicts[di], dict_kb,
                            train_mb, &st->out, &st->write_s);
                t0 = now_sec();
                if (hks_ds_reader_open(NULL, st->out.p, st->out.n, &e, &st->r)) {
                    fprintf(stderr, "bench_docstore: open: %s\n", e.msg);
                    return 1;
                }
                st->open_us = (now_sec() - t0) * 1e6;
                fprintf(stderr, "written block_kb=%d level=%d dict=%d in %.2f s\n",
                        st->block_kb, st->level, st->dict, st->write_s);
            }
    for (k = 0; k < runs; k++)
        for (si = 0; si < n_set; si++) {
            setting *st = &set[si];
            hks_ds_cursor *c = NULL;
            hks_errbuf e = {{0}};
            size_t sum = 0;
            double t0;
            if (hks_ds_cursor_new(NULL, &c))
                return 1;
            t0 = now_sec();
            for (i = 0; i < FETCHES; i++) {
                const uint8_t *p;
                size_t n;
                if (hks_ds_get(st->r, c, pick[i], &p, &n, &e)) {
                    fprintf(stderr, "bench_docstore: get: %s\n", e.msg);
                    return 1;
                }
                sum += n ? p[n / 2] : 0;
            }
            st->run_us[k] = (now_sec() - t0) * 1e6 / FETCHES;
            hks_ds_cursor_free(c);
            if (sum == 1)
                putchar(' ');
        }
    for (si = 0; si < n_set; si++) {
        setting *st = &set[si];
        qsort(st->run_us, (size_t)runs, sizeof st->run_us[0], cmp_double);
        printf("bench_docstore block_kb=%d level=%d dict=%d dict_bytes=%u write_s=%.2f "
               "MB=%.2f pct=%.1f open_us=%.0f fetch_us=%.1f\n",
               st->block_kb, st->level, st->dict, (unsigned)hks_ds_reader_dict(st->r, NULL),
               st->write_s, (double)st->out.n / 1e6,
               100.0 * (double)st->out.n / (double)b.text.n, st->open_us,
               st->run_us[runs / 2]);
        hks_ds_reader_free(st->r);
        hks_buf_free(&st->out);
    }
    free(pick);
    free(b.off);
    hks_buf_free(&b.text);
    return 0;
}
