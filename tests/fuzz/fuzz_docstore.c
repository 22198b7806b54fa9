/*
 * fuzz_docstore.c: the document store section (docstore.c). The first
 * byte picks what the rest is:
 *   bit 0 clear: a section as read from disk. hks_ds_reader_open must
 *     refuse it (HKS_ERR_CORRUPT / HKS_ERR_FORMAT) or open it, and then
 *     every hks_ds_get returns a document inside the store or CORRUPT.
 *     With bit 1 set the footer's version, magic and hash are made right
 *     first, so the fuzzer reaches the seek table and dictionary checks
 *     and the zstd frames behind them (the corpus holds stores with a
 *     dictionary, so mutations reach zstd's dictionary loading too).
 *   bit 0 set: documents for a round trip. The rest is split at 0xFF
 *     bytes; a document's first byte repeats it (1..64 times, so blocks
 *     fill and split). They are written, read back and compared, then
 *     copied by hks_ds_writer_add_store keeping the documents the input
 *     selects, and compared again. With bit 2 set the writers use small
 *     blocks (1 KiB) and a dictionary of 256 bytes to 2 KiB (bits 4-5)
 *     trained on the first 16 times that of text, so the store has one
 *     whenever there is that much text zstd can learn from; bit 3 makes
 *     the copy
 *     take the first store's dictionary (as merge does) instead of
 *     training its own.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "hks_format.h"
#include "hks_int.h"

#define MAX_DOCS 512

static void read_all(const uint8_t *p, size_t n)
{
    hks_ds_reader *r = NULL;
    hks_ds_cursor *c = NULL;
    hks_errbuf e = {{0}};
    uint32_t i, count;
    int rc = hks_ds_reader_open(NULL, p, n, &e, &r);
    if (rc != HKS_OK) {
        fuzz_check(rc == HKS_ERR_CORRUPT || rc == HKS_ERR_FORMAT);
        fuzz_check(r == NULL && e.msg[0] != '\0');
        return;
    }
    fuzz_check(hks_ds_cursor_new(NULL, &c) == HKS_OK);
    count = hks_ds_reader_count(r);
    for (i = 0; i < count && i < 4096; i++) {
        const uint8_t *d;
        size_t dn;
        rc = hks_ds_get(r, c, i, &d, &dn, &e);
        fuzz_check(rc == HKS_OK || rc == HKS_ERR_CORRUPT);
        if (rc == HKS_OK && dn > 0) {
            volatile uint8_t x = d[0];
            x = d[dn - 1];
            (void)x;
        }
    }
    /* Past the end. */
    rc = hks_ds_get(r, c, count, &(const uint8_t *){NULL}, &(size_t){0}, &e);
    fuzz_check(rc < 0);
    hks_ds_cursor_free(c);
    hks_ds_reader_free(r);
}

/* Make the footer of p[0..n) consistent with its counts. */
static void fix_footer(uint8_t *p, size_t n)
{
    uint32_t nb, nd, dn;
    uint64_t table, h;
    if (n < 32)
        return;
    nb = hks_load_u32le(p + n - 32);
    nd = hks_load_u32le(p + n - 28);
    dn = hks_load_u32le(p + n - 24);
    table = (uint64_t)nb * 20 + (uint64_t)nd * 4 + dn;
    if (table > n - 32)
        return;
    h = hks_hash64(p + n - 32 - table, (size_t)table + 16);
    memcpy(p + n - 16, &h, 8); /* little-endian host (x86, as the fuzzers) */
    memcpy(p + n - 8, "\2\0\0\0HKDS", 8);
}

/* The writer for sel: defaults, or small blocks and a small dictionary. */
static hks_ds_writer *new_writer(uint8_t sel)
{
    hks_ds_writer *w = NULL;
    fuzz_check(hks_ds_writer_new(NULL, 1, &w) == HKS_OK);
    if (sel & 4) {
        size_t cap = (size_t)256 << (sel >> 4 & 3);
        fuzz_check(hks_ds_writer_tune(w, 1024, cap, 16 * cap) == HKS_OK);
    }
    return w;
}

typedef struct doc_set {
    const uint8_t *src[MAX_DOCS]; /* piece of the input               */
    size_t src_n[MAX_DOCS];
    uint32_t rep[MAX_DOCS]; /* times it is repeated             */
    uint32_t n;
} doc_set;

static size_t doc_len(const doc_set *ds, uint32_t i)
{
    return ds->src_n[i] * ds->rep[i];
}

static uint8_t *doc_bytes(const doc_set *ds, uint32_t i)
{
    size_t n = doc_len(ds, i), k;
    uint8_t *b = malloc(n ? n : 1);
    fuzz_check(b != NULL);
    for (k = 0; k < ds->rep[i]; k++)
        memcpy(b + k * ds->src_n[i], ds->src[i], ds->src_n[i]);
    return b;
}

/* Open out[0..n) and compare document j with input document map[j]. */
static void compare(const hks_buf *out, const doc_set *ds,
                    const uint32_t *map, uint32_t n)
{
    hks_ds_reader *r = NULL;
    hks_ds_cursor *c = NULL;
    hks_errbuf e = {{0}};
    uint32_t j;
    fuzz_check(hks_ds_reader_open(NULL, out->p, out->n, &e, &r) == HKS_OK);
    fuzz_check(hks_ds_reader_count(r) == n);
    fuzz_check(hks_ds_cursor_new(NULL, &c) == HKS_OK);
    for (j = 0; j < n; j++) {
        const uint8_t *d;
        size_t dn;
        uint8_t *want = doc_bytes(ds, map[j]);
        fuzz_check(hks_ds_get(r, c, j, &d, &dn, &e) == HKS_OK);
        fuzz_check(dn == doc_len(ds, map[j]));
        fuzz_check(dn == 0 || memcmp(d, want, dn) == 0);
        free(want);
    }
    hks_ds_cursor_free(c);
    hks_ds_reader_free(r);
}

static void round_trip(const uint8_t *p, size_t n, uint8_t sel)
{
    doc_set *ds = calloc(1, sizeof *ds);
    hks_ds_writer *w = NULL, *w2 = NULL;
    hks_ds_reader *r = NULL;
    hks_errbuf e = {{0}};
    hks_buf out, out2;
    uint32_t ident[MAX_DOCS] = {0}, map[MAX_DOCS], i, k = 0;
    bool keep[MAX_DOCS];
    size_t start = 0, j;
    fuzz_check(ds != NULL);
    for (j = 0; j <= n && ds->n < MAX_DOCS; j++) {
        if (j == n || p[j] == 0xFF) {
            ds->src[ds->n] = p + start;
            ds->src_n[ds->n] = j - start;
            ds->rep[ds->n] = j > start ? 1 + (p[start] & 63) : 1;
            ds->n++;
            start = j + 1;
        }
    }
    hks_buf_init(&out, NULL);
    hks_buf_init(&out2, NULL);
    w = new_writer(sel);
    for (i = 0; i < ds->n; i++) {
        uint8_t *b = doc_bytes(ds, i);
        fuzz_check(hks_ds_writer_add(w, b, doc_len(ds, i)) == HKS_OK);
        free(b);
        ident[i] = i;
    }
    fuzz_check(hks_ds_writer_count(w) == ds->n);
    fuzz_check(hks_ds_writer_finish(w, &out) == HKS_OK);
    compare(&out, ds, ident, ds->n);

    /* Copy with a selection: bit i % 7 of sel, shifted by the doc's
     * first byte, keeps document i. */
    for (i = 0; i < ds->n; i++) {
        uint8_t b = ds->src_n[i] ? ds->src[i][0] : 0;
        keep[i] = ((sel >> 1) + b + i) % 3 != 0;
        if (keep[i])
            map[k++] = i;
    }
    fuzz_check(hks_ds_reader_open(NULL, out.p, out.n, &e, &r) == HKS_OK);
    w2 = new_writer(sel);
    if (sel & 8)
        fuzz_check(hks_ds_writer_use_dict(w2, r) == HKS_OK);
    fuzz_check(hks_ds_writer_add_store(w2, r, (sel & 2) ? keep : NULL) ==
               HKS_OK);
    fuzz_check(hks_ds_writer_finish(w2, &out2) == HKS_OK);
    if (sel & 2)
        compare(&out2, ds, map, k);
    else
        compare(&out2, ds, ident, ds->n);
    /* The same dictionary and every document kept: the very same bytes. */
    if ((sel & 8) && !(sel & 2)) {
        fuzz_check(out2.n == out.n && memcmp(out2.p, out.p, out.n) == 0);
    }
    hks_ds_reader_free(r);
    hks_ds_writer_free(w);
    hks_ds_writer_free(w2);
    hks_buf_free(&out);
    hks_buf_free(&out2);
    free(ds);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy;
    size_t n;
    if (size == 0)
        return 0;
    n = size - 1;
    if (data[0] & 1) {
        round_trip(data + 1, n, data[0]);
        return 0;
    }
    /* An exact-size copy: an over-read of the section shows under ASan. */
    copy = malloc(n ? n : 1);
    fuzz_check(copy != NULL);
    memcpy(copy, data + 1, n);
    if (data[0] & 2)
        fix_footer(copy, n);
    read_all(copy, n);
    free(copy);
    return 0;
}
