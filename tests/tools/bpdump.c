/*
 * bpdump: what the index took out as boilerplate, and what counting it
 * costs.
 *
 * Usage: bpdump INDEX
 *   prints, for every boilerplate line of every live article, one line
 *   "COLLECTION<TAB>ID<TAB>TEXT" (TEXT: the line as stored, tabs and
 *   carriage returns as spaces)
 * Usage: bpdump --count SOURCE...
 *   reads the sources once as the writer's pre-pass does and counts their
 *   lines (boiler.c), printing the seconds that took and, apart, the
 *   seconds of reading alone (a second pass with a callback that does
 *   nothing), so the counting's own cost is the difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hks_indexer.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int on_count(void *ctx, const hks_doc *doc)
{
    return hks_boiler_count(ctx, doc->collection, doc->collection_len, doc->body, doc->body_len);
}

static int on_nothing(void *ctx, const hks_doc *doc)
{
    (void)ctx;
    (void)doc;
    return HKS_OK;
}

static int count_sources(int argc, char **argv)
{
    hks_boiler *b = NULL;
    hks_errbuf err = {{0}};
    double t0, t_count, t_read;
    int i;
    if (hks_boiler_new(NULL, &b))
        return 1;
    t0 = now();
    for (i = 2; i < argc; i++)
        if (hks_corpus_read(NULL, argv[i], on_count, b, NULL, NULL, &err)) {
            fprintf(stderr, "bpdump: %s: %s\n", argv[i], err.msg);
            return 1;
        }
    t_count = now() - t0;
    t0 = now();
    for (i = 2; i < argc; i++)
        if (hks_corpus_read(NULL, argv[i], on_nothing, NULL, NULL, NULL, &err))
            return 1;
    t_read = now() - t0;
    printf("read and count: %.2f s; read alone: %.2f s; counting: %.2f s\n", t_count, t_read,
           t_count - t_read);
    hks_boiler_free(b);
    return 0;
}

int main(int argc, char **argv)
{
    hks_manifest m;
    hks_errbuf err = {{0}};
    hks_ds_cursor *dc = NULL;
    uint32_t g, d, *r = NULL;
    size_t cap = 0;
    if (argc >= 3 && strcmp(argv[1], "--count") == 0)
        return count_sources(argc, argv);
    if (argc != 2) {
        fprintf(stderr, "usage: bpdump INDEX | bpdump --count SOURCE...\n");
        return 2;
    }
    if (hks_manifest_read(NULL, argv[1], false, &m, &err) || hks_ds_cursor_new(NULL, &dc)) {
        fprintf(stderr, "bpdump: %s\n", err.msg);
        return 1;
    }
    for (g = 0; g < m.n_seg; g++) {
        hks_segment *s = NULL;
        if (hks_seg_open(NULL, argv[1], &m.seg[g], &err, &s)) {
            fprintf(stderr, "bpdump: %s\n", err.msg);
            return 1;
        }
        for (d = 0; d < hks_seg_ndocs(s); d++) {
            const uint8_t *mp[HKS_META_N], *body;
            size_t mn[HKS_META_N], bn, n, i, k;
            if (hks_seg_is_deleted(s, d) || hks_seg_boiler_ranges(s, d, NULL, &r, &cap, &n) ||
                n == 0)
                continue;
            if (hks_seg_meta(s, d, mp, mn, &err) || hks_seg_body(s, dc, d, &body, &bn, &err)) {
                fprintf(stderr, "bpdump: %s\n", err.msg);
                return 1;
            }
            for (i = 0; i < n; i++) {
                printf("%.*s\t%.*s\t", (int)mn[HKS_META_COLLECTION],
                       (const char *)mp[HKS_META_COLLECTION], (int)mn[HKS_META_ID],
                       (const char *)mp[HKS_META_ID]);
                for (k = r[2 * i]; k < r[2 * i + 1] && k < bn; k++)
                    putchar(body[k] == '\t' || body[k] == '\r' ? ' ' : body[k]);
                putchar('\n');
            }
        }
        hks_seg_close(s);
    }
    hks_mem_free(NULL, r, 0);
    hks_ds_cursor_free(dc);
    hks_manifest_free(NULL, &m);
    return 0;
}
