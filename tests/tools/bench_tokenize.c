/*
 * bench_tokenize: throughput of normalization + tokenization, measured in
 * process. Loads a .jsonl.zst / .jsonl file (the "title" and "body" string
 * of every record, each a separate text) or any other file (one text) into
 * memory, then runs hks_norm_text + hks_tokenize over every text RUNS
 * times, printing MB/s (source bytes) per run and the median.
 *
 * Usage: bench_tokenize FILE [RUNS [MAX_MB]]
 *   RUNS default 5; MAX_MB limits the bytes of raw input read (default all).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "hks_int.h"

typedef struct texts {
    char *buf; /* all texts, back to back */
    size_t len, cap;
    size_t *off; /* text i is buf[off[i] .. off[i + 1]) */
    size_t n, ncap;
} texts;

static void die(const char *msg)
{
    fprintf(stderr, "bench_tokenize: %s\n", msg);
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p)
        die("out of memory");
    return p;
}

static void put(texts *t, const void *p, size_t n)
{
    if (t->len + n > t->cap) {
        t->cap = (t->len + n) * 2;
        t->buf = xrealloc(t->buf, t->cap);
    }
    memcpy(t->buf + t->len, p, n);
    t->len += n;
}

static void end_text(texts *t)
{
    if (t->n + 2 > t->ncap) {
        t->ncap = t->ncap ? t->ncap * 2 : 1024;
        t->off = xrealloc(t->off, t->ncap * sizeof *t->off);
    }
    if (t->n == 0)
        t->off[0] = 0;
    t->off[++t->n] = t->len;
}

static unsigned hexval(const char *p)
{
    unsigned v = 0;
    int k;
    for (k = 0; k < 4; k++) {
        char c = p[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
    }
    return v;
}

/* Append the JSON string member `key` of line[0..n) (unescaped) as a
 * text; a record without it adds nothing. Good enough for the well-formed
 * data sets this tool is pointed at. */
static void add_member(texts *t, const char *line, size_t n, const char *key)
{
    char pat[32];
    const char *p, *end = line + n;
    size_t start = t->len;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = memmem(line, n, pat, strlen(pat));
    if (!p)
        return;
    p += strlen(pat);
    while (p < end && *p == ' ')
        p++;
    if (p >= end || *p != '"')
        return;
    for (p++; p < end && *p != '"'; p++) {
        uint8_t u[4];
        unsigned cp;
        if (*p != '\\') {
            put(t, p, 1);
            continue;
        }
        if (++p >= end)
            break;
        switch (*p) {
        case 'n':
            put(t, "\n", 1);
            break;
        case 't':
            put(t, "\t", 1);
            break;
        case 'r':
            put(t, "\r", 1);
            break;
        case 'b':
            put(t, "\b", 1);
            break;
        case 'f':
            put(t, "\f", 1);
            break;
        case 'u':
            if (end - p < 5)
                return;
            cp = hexval(p + 1);
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 7 && p[1] == '\\' &&
                p[2] == 'u') {
                unsigned lo = hexval(p + 3);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            put(t, u, hks_utf8_put(u, cp));
            break;
        default:
            put(t, p, 1);
            break;
        }
    }
    if (t->len > start)
        end_text(t);
}

static void add_line(texts *t, const char *line, size_t n, bool json)
{
    if (!json) {
        put(t, line, n);
        return;
    }
    add_member(t, line, n, "title");
    add_member(t, line, n, "body");
}

/* Read the whole file (zstd-decompressed when it ends in .zst), up to max
 * bytes of raw content. */
static char *load(const char *path, size_t max, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    size_t plen = strlen(path), len = 0, cap = 1 << 20;
    bool zst = plen > 4 && strcmp(path + plen - 4, ".zst") == 0;
    char *out = xrealloc(NULL, cap);
    static char in[1 << 17];
    ZSTD_DCtx *d = zst ? ZSTD_createDCtx() : NULL;
    size_t got;
    if (!f) {
        perror(path);
        exit(1);
    }
    while (len < max && (got = fread(in, 1, sizeof in, f)) > 0) {
        ZSTD_inBuffer ib = {in, got, 0};
        if (!zst) {
            if (len + got > cap)
                out = xrealloc(out, cap = (len + got) * 2);
            memcpy(out + len, in, got);
            len += got;
            continue;
        }
        while (ib.pos < ib.size && len < max) {
            ZSTD_outBuffer ob;
            size_t r;
            if (cap - len < (1 << 17))
                out = xrealloc(out, cap *= 2);
            ob.dst = out + len;
            ob.size = cap - len;
            ob.pos = 0;
            r = ZSTD_decompressStream(d, &ob, &ib);
            if (ZSTD_isError(r))
                die(ZSTD_getErrorName(r));
            len += ob.pos;
        }
    }
    ZSTD_freeDCtx(d);
    fclose(f);
    if (len > max)
        len = max;
    *len_out = len;
    return out;
}

static int count_token(void *ctx, const hks_token *tok)
{
    (*(size_t *)ctx) += tok->term_len;
    return HKS_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    texts tx = {0};
    size_t raw_len, i, n_tokens_bytes = 0, max = SIZE_MAX;
    char *raw;
    int runs = 5, r;
    double *mbs;
    bool json;
    hks_ntext nt;

    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: bench_tokenize FILE [RUNS [MAX_MB]]\n");
        return 2;
    }
    if (argc >= 3)
        runs = atoi(argv[2]);
    if (argc >= 4)
        max = (size_t)atol(argv[3]) << 20;
    if (runs < 1)
        runs = 1;
    json = strstr(argv[1], ".jsonl") != NULL;
    raw = load(argv[1], max, &raw_len);
    for (i = 0; i < raw_len;) {
        char *nl = memchr(raw + i, '\n', raw_len - i);
        size_t e = nl ? (size_t)(nl - raw) : raw_len;
        if (!nl && json && max != SIZE_MAX)
            break; /* a record cut by MAX_MB */
        add_line(&tx, raw + i, e - i, json);
        i = e + 1;
    }
    if (!json)
        end_text(&tx);
    free(raw);
    printf("bench_tokenize: %s: %zu texts, %.1f MB of text\n", argv[1], tx.n,
           tx.len / 1e6);

    mbs = xrealloc(NULL, (size_t)runs * sizeof *mbs);
    hks_ntext_init(&nt, NULL);
    for (r = 0; r < runs; r++) {
        struct timespec t0, t1;
        double sec;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (i = 0; i < tx.n; i++) {
            if (hks_norm_text(&nt, tx.buf + tx.off[i], tx.off[i + 1] - tx.off[i]) ||
                hks_tokenize(&nt, 0, count_token, &n_tokens_bytes, NULL))
                die("tokenize failed");
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        sec = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
        mbs[r] = tx.len / 1e6 / sec;
        printf("run %d: %.3f s, %.1f MB/s\n", r + 1, sec, mbs[r]);
    }
    qsort(mbs, (size_t)runs, sizeof *mbs, cmp_double);
    printf("median: %.1f MB/s (normalize + tokenize, %zu term bytes/run)\n",
           mbs[runs / 2], n_tokens_bytes / (size_t)runs);
    hks_ntext_free(&nt);
    free(mbs);
    free(tx.buf);
    free(tx.off);
    return 0;
}
