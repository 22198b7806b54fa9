/*
 * test_docstore_dict.c: the document store's dictionary (format/docstore.c).
 * On the 3,378 articles of corpus/dxy_covid_news.docs.jsonl.zst: a store
 * trained at the end and one trained while documents still arrive both
 * read back whole and are smaller than the store without a dictionary;
 * the five .txt articles of corpus/ are too little text for one. Merging
 * recompresses a store with another dictionary, and copies the blocks of
 * the store whose dictionary it takes. Corruption: a damaged,
 * truncated or missing dictionary, and every kind of dictionary id
 * mismatch (footer against the dictionaries, repeated ids, frames naming
 * a dictionary the store lacks), each refused as CORRUPT; the OOM loop over
 * a store with a dictionary.
 */
#include "hks_test.h"
#include "hks_format.h"
#include "hks_indexer.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Section layout constants, as written out at the top of docstore.c. */
#define FOOTER 32
#define BLOCK_ENTRY 20
#define DOC_ENTRY 4

static void put32(uint8_t *p, uint32_t v)
{
    int k;
    for (k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

static void put64(uint8_t *p, uint64_t v)
{
    int k;
    for (k = 0; k < 8; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

typedef struct docs {
    uint8_t **doc;
    size_t *len;
    size_t n;
    size_t bytes;
} docs;

static void docs_add(docs *d, const void *p, size_t n)
{
    d->doc = test_realloc(d->doc, (d->n + 1) * sizeof *d->doc);
    d->len = test_realloc(d->len, (d->n + 1) * sizeof *d->len);
    d->doc[d->n] = test_malloc(n ? n : 1);
    if (n)
        memcpy(d->doc[d->n], p, n);
    d->len[d->n++] = n;
    d->bytes += n;
}

static void docs_free(docs *d)
{
    size_t i;
    for (i = 0; i < d->n; i++)
        test_free(d->doc[i]);
    test_free(d->doc);
    test_free(d->len);
    memset(d, 0, sizeof *d);
}

static int keep_body(void *ctx, const hks_doc *doc)
{
    docs_add(ctx, doc->body, doc->body_len);
    return HKS_OK;
}

/* The bodies of the news articles in corpus/ (the first max of them). */
static void news_docs(docs *d, size_t max)
{
    char path[1024];
    hks_callbacks cb = {0};
    hks_errbuf e;
    size_t i;
    hks_err_clear(&e);
    assert_non_null(hks_test_repo_path("corpus/dxy_covid_news.docs.jsonl.zst", path,
                                       sizeof path));
    assert_int_equal(hks_corpus_read(NULL, path, keep_body, d, &cb, NULL, &e), HKS_OK);
    assert_true(d->n > 3000);
    for (i = max; i < d->n; i++) {
        d->bytes -= d->len[i];
        test_free(d->doc[i]);
    }
    if (max < d->n)
        d->n = max;
}

/* Write d with the setting (dict_bytes 0: none; tune false: defaults). */
static int write_store(const hks_alloc *a, const docs *d, bool tune, size_t block,
                       size_t dict_bytes, size_t train, hks_buf *out)
{
    hks_ds_writer *w = NULL;
    size_t i;
    int rc = hks_ds_writer_new(a, 0, &w);
    if (rc == HKS_OK && tune)
        rc = hks_ds_writer_tune(w, block, dict_bytes, train);
    for (i = 0; rc == HKS_OK && i < d->n; i++)
        rc = hks_ds_writer_add(w, d->doc[i], d->len[i]);
    if (rc == HKS_OK)
        rc = hks_ds_writer_finish(w, out);
    hks_ds_writer_free(w);
    return rc;
}

/* Open sec, check it holds exactly d; @return its dictionary's size. */
static uint32_t check_store(const uint8_t *sec, size_t n, const docs *d)
{
    hks_ds_reader *r = NULL;
    hks_ds_cursor *c = NULL;
    hks_errbuf e;
    size_t i;
    uint32_t dict, id;
    hks_err_clear(&e);
    assert_int_equal(hks_ds_reader_open(hks_test_cm_alloc(), sec, n, &e, &r), HKS_OK);
    assert_int_equal(hks_ds_reader_count(r), d->n);
    assert_int_equal(hks_ds_cursor_new(hks_test_cm_alloc(), &c), HKS_OK);
    for (i = 0; i < d->n; i++) {
        const uint8_t *p;
        size_t len;
        assert_int_equal(hks_ds_get(r, c, (uint32_t)i, &p, &len, &e), HKS_OK);
        assert_int_equal(len, d->len[i]);
        if (len)
            assert_memory_equal(p, d->doc[i], len);
    }
    dict = hks_ds_reader_dict(r, &id);
    assert_true((dict == 0) == (id == 0));
    hks_ds_cursor_free(c);
    hks_ds_reader_free(r);
    return dict;
}

/* The parts of a valid section. */
typedef struct parts {
    size_t frames; /* frames end (= dictionaries' start) */
    size_t dict;   /* dictionaries' bytes                */
    size_t table;  /* seek table bytes                   */
    uint32_t n_blocks, n_docs, n_dicts;
} parts;

static parts split(const uint8_t *p, size_t n)
{
    parts s;
    const uint8_t *f = p + n - FOOTER;
    s.n_blocks = hks_load_u32le(f);
    s.n_docs = hks_load_u32le(f + 4);
    s.dict = hks_load_u32le(f + 8);
    s.n_dicts = hks_load_u32le(f + 12);
    s.table = (size_t)s.n_blocks * BLOCK_ENTRY + (size_t)s.n_docs * DOC_ENTRY;
    s.frames = n - FOOTER - s.table - s.dict;
    return s;
}

/* A section of frames p[0..frames), the dictionaries' area dict[0..dict_n)
 * (the footer saying foot_bytes and foot_n) and the seek table of t, with
 * a right hash (test_malloc'd, exactly *n bytes). */
static uint8_t *assemble(const uint8_t *p, size_t frames, const uint8_t *dict,
                         size_t dict_n, uint32_t foot_bytes, uint32_t foot_n,
                         const uint8_t *t, size_t n_t, const parts *pt, size_t *n)
{
    size_t tab = pt->table, k = 0;
    uint8_t *out = test_malloc(frames + dict_n + tab + FOOTER);
    uint64_t h;
    const uint8_t *tsec = t + n_t - FOOTER - tab;
    memcpy(out, p, frames);
    k = frames;
    if (dict_n)
        memcpy(out + k, dict, dict_n);
    k += dict_n;
    memcpy(out + k, tsec, tab);
    k += tab;
    put32(out + k, pt->n_blocks);
    put32(out + k + 4, pt->n_docs);
    put32(out + k + 8, foot_bytes);
    put32(out + k + 12, foot_n);
    h = hks_hash64(out + frames, dict_n + tab + 16);
    put64(out + k + 16, h);
    memcpy(out + k + 24, "\2\0\0\0HKDS", 8);
    *n = k + FOOTER;
    return out;
}

/* The area of one dictionary d[0..n): its size, then its bytes. */
static uint8_t *one_dict(const uint8_t *d, size_t n)
{
    uint8_t *a = test_malloc(n + 4);
    put32(a, (uint32_t)n);
    memcpy(a + 4, d, n);
    return a;
}

/* Open p[0..n) (an exact-size allocation) and read every document: open
 * refuses with CORRUPT, or each fetch is right or CORRUPT. @return the
 * open status; *bad counts fetches refused. */
static int try_store(const uint8_t *p, size_t n, const docs *d, size_t *bad)
{
    hks_ds_reader *r = NULL;
    hks_ds_cursor *c = NULL;
    hks_errbuf e;
    size_t i;
    int rc;
    hks_err_clear(&e);
    *bad = 0;
    rc = hks_ds_reader_open(hks_test_cm_alloc(), p, n, &e, &r);
    if (rc != HKS_OK) {
        assert_int_equal(rc, HKS_ERR_CORRUPT);
        assert_null(r);
        assert_memory_equal(e.msg, "document store: ", 16);
        return rc;
    }
    assert_int_equal(hks_ds_cursor_new(hks_test_cm_alloc(), &c), HKS_OK);
    for (i = 0; i < hks_ds_reader_count(r); i++) {
        const uint8_t *q;
        size_t len;
        rc = hks_ds_get(r, c, (uint32_t)i, &q, &len, &e);
        if (rc == HKS_OK) {
            assert_int_equal(len, d->len[i]);
            if (len)
                assert_memory_equal(q, d->doc[i], len);
        } else {
            assert_int_equal(rc, HKS_ERR_CORRUPT);
            assert_memory_equal(e.msg, "document store: block ", 22);
            (*bad)++;
        }
    }
    hks_ds_cursor_free(c);
    hks_ds_reader_free(r);
    return HKS_OK;
}

/* 400 news articles (about 160 KB) in 4 KB blocks with a 4 KB dictionary. */
static void dict_store(docs *d, hks_buf *out)
{
    news_docs(d, 400);
    hks_buf_init(out, hks_test_cm_alloc());
    assert_int_equal(write_store(hks_test_cm_alloc(), d, true, 4096, 4096, 0, out), HKS_OK);
}

static void test_dict_news_smaller(void **state)
{
    docs d = {0};
    hks_buf with, without, held;
    (void)state;
    news_docs(&d, (size_t)-1);
    {
        /* One document larger than any block: the first 200 KB of text. */
        uint8_t *big = test_malloc(200 * 1024);
        size_t k, n = 0;
        for (k = 0; n < 200 * 1024; k++) {
            size_t m = d.len[k] < 200 * 1024 - n ? d.len[k] : 200 * 1024 - n;
            memcpy(big + n, d.doc[k], m);
            n += m;
        }
        docs_add(&d, big, n);
        test_free(big);
    }
    hks_buf_init(&with, hks_test_cm_alloc());
    hks_buf_init(&without, hks_test_cm_alloc());
    hks_buf_init(&held, hks_test_cm_alloc());
    /* 1.4 MB of text: a store with 64 KB of dictionary trains at the end,
     * on all of it. */
    assert_true(d.bytes > (size_t)1 << 20 && d.bytes < (size_t)2 << 20);
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, true, 16384, 65536, 0, &with), HKS_OK);
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, true, 16384, 0, 0, &without), HKS_OK);
    /* Trained after the first 256 KB; the rest compressed as it comes. */
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, true, 16384, 16384, 256 * 1024, &held),
                     HKS_OK);
    assert_int_equal(check_store(with.p, with.n, &d), 65536);
    assert_int_equal(check_store(without.p, without.n, &d), 0);
    assert_int_equal(check_store(held.p, held.n, &d), 16384);
    print_message("news %zu bytes: 16 KB blocks %zu, with a 64 KB dictionary %zu, "
                  "16 KB trained on 256 KB %zu\n",
                  d.bytes, without.n, with.n, held.n);
    assert_true(with.n < without.n);
    assert_true(held.n < without.n);
    hks_buf_free(&with);
    hks_buf_free(&without);
    hks_buf_free(&held);
    docs_free(&d);
}

static void test_dict_small_store_has_none(void **state)
{
    char dir[1024], path[2048];
    DIR *dp;
    struct dirent *de;
    docs d = {0};
    hks_buf out;
    (void)state;
    assert_non_null(hks_test_repo_path("corpus", dir, sizeof dir));
    dp = opendir(dir);
    assert_non_null(dp);
    while ((de = readdir(dp)) != NULL) {
        size_t l = strlen(de->d_name);
        char *text;
        size_t n;
        if (l < 4 || strcmp(de->d_name + l - 4, ".txt") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        assert_int_equal(hks_test_read_file(path, &text, &n), 0);
        docs_add(&d, text, n);
        free(text);
    }
    closedir(dp);
    assert_true(d.n >= 3 && d.bytes < (size_t)1 << 20);
    hks_buf_init(&out, hks_test_cm_alloc());
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, false, 0, 0, 0, &out), HKS_OK);
    assert_int_equal(check_store(out.p, out.n, &d), 0);
    hks_buf_free(&out);
    docs_free(&d);
}

/* Merging: a store with a dictionary into writers with another dictionary
 * and with none; dropped documents are renumbered. */
static void test_dict_merge_recompresses(void **state)
{
    docs d = {0}, want = {0};
    hks_buf src, out;
    hks_ds_reader *r = NULL;
    hks_ds_writer *w = NULL;
    hks_errbuf e;
    bool *keep;
    size_t i;
    int pass;
    (void)state;
    dict_store(&d, &src);
    assert_int_equal(check_store(src.p, src.n, &d), 4096);
    keep = test_malloc(d.n * sizeof *keep);
    for (i = 0; i < d.n; i++) {
        keep[i] = i >= d.n / 2 || i % 5 != 2; /* drops in the first half */
        if (keep[i])
            docs_add(&want, d.doc[i], d.len[i]);
    }
    hks_err_clear(&e);
    assert_int_equal(hks_ds_reader_open(hks_test_cm_alloc(), src.p, src.n, &e, &r), HKS_OK);
    for (pass = 0; pass < 2; pass++) {
        hks_buf_init(&out, hks_test_cm_alloc());
        assert_int_equal(hks_ds_writer_new(hks_test_cm_alloc(), 0, &w), HKS_OK);
        assert_int_equal(hks_ds_writer_tune(w, 8192, pass ? 0 : 2048, 32768), HKS_OK);
        assert_int_equal(hks_ds_writer_add_store(w, r, keep), HKS_OK);
        assert_int_equal(hks_ds_writer_finish(w, &out), HKS_OK);
        /* Blocks that lost a document are compressed again: with the
         * writer's own dictionary (trained on them) or none; whole blocks
         * are copied with the store's dictionary (pass 0) or compressed
         * again without (pass 1: no dictionary wanted). */
        {
            uint32_t nd = 0, bytes = check_store(out.p, out.n, &want);
            hks_ds_reader *r2 = NULL;
            assert_int_equal(hks_ds_reader_open(hks_test_cm_alloc(), out.p, out.n, &e, &r2),
                             HKS_OK);
            assert_int_equal(hks_ds_reader_dict(r2, &nd), bytes);
            hks_ds_reader_free(r2);
            if (pass) {
                assert_int_equal(bytes, 0);
            } else {
                assert_int_equal(nd, 2);
                assert_int_equal(bytes, 2048 + 4096);
            }
        }
        hks_ds_writer_free(w);
        hks_buf_free(&out);
    }
    hks_ds_reader_free(r);
    test_free(keep);
    hks_buf_free(&src);
    docs_free(&d);
    docs_free(&want);
}

/* A writer that takes the store's dictionary (as merge does) copies its
 * blocks as they are: keeping every document gives the very same bytes;
 * with some dropped, the rest is compressed with that dictionary. */
static void test_dict_use_dict_copies(void **state)
{
    docs d = {0}, want = {0};
    hks_buf src, out;
    hks_ds_reader *r = NULL;
    hks_ds_writer *w = NULL;
    hks_errbuf e;
    uint32_t id, id2;
    bool *keep;
    size_t i;
    (void)state;
    dict_store(&d, &src);
    keep = test_malloc(d.n * sizeof *keep);
    for (i = 0; i < d.n; i++) {
        keep[i] = i != 7;
        if (keep[i])
            docs_add(&want, d.doc[i], d.len[i]);
    }
    hks_err_clear(&e);
    assert_int_equal(hks_ds_reader_open(hks_test_cm_alloc(), src.p, src.n, &e, &r), HKS_OK);
    assert_int_equal(hks_ds_reader_dict(r, &id), 4096);
    assert_int_equal(hks_ds_reader_raw_bytes(r), d.bytes);
    hks_buf_init(&out, hks_test_cm_alloc());
    assert_int_equal(hks_ds_writer_new(hks_test_cm_alloc(), 0, &w), HKS_OK);
    assert_int_equal(hks_ds_writer_tune(w, 4096, 4096, 0), HKS_OK);
    assert_int_equal(hks_ds_writer_use_dict(w, r), HKS_OK);
    assert_int_equal(hks_ds_writer_use_dict(w, r), HKS_ERR_MISUSE);
    assert_int_equal(hks_ds_writer_add_store(w, r, NULL), HKS_OK);
    assert_int_equal(hks_ds_writer_finish(w, &out), HKS_OK);
    assert_int_equal(out.n, src.n);
    assert_memory_equal(out.p, src.p, src.n);
    hks_ds_writer_free(w);
    out.n = 0;
    assert_int_equal(hks_ds_writer_new(hks_test_cm_alloc(), 0, &w), HKS_OK);
    assert_int_equal(hks_ds_writer_use_dict(w, r), HKS_OK);
    assert_int_equal(hks_ds_writer_add_store(w, r, keep), HKS_OK);
    assert_int_equal(hks_ds_writer_finish(w, &out), HKS_OK);
    assert_int_equal(check_store(out.p, out.n, &want), 4096);
    hks_ds_reader_free(r);
    assert_int_equal(hks_ds_reader_open(hks_test_cm_alloc(), out.p, out.n, &e, &r), HKS_OK);
    hks_ds_reader_dict(r, &id2);
    assert_int_equal(id2, id);
    hks_ds_reader_free(r);
    hks_ds_writer_free(w);
    hks_buf_free(&out);
    test_free(keep);
    hks_buf_free(&src);
    docs_free(&d);
    docs_free(&want);
}

/* Every byte of the dictionary flipped, the hash made right: the store
 * is refused at open, or a fetch fails, never other text. Truncated
 * dictionaries likewise; under its header it cannot open at all. */
static void test_dict_damaged_or_truncated(void **state)
{
    docs d = {0};
    hks_buf s;
    parts pt;
    size_t i, bad, refused = 0, n, len;
    uint8_t *dict, *area, *sec;
    (void)state;
    dict_store(&d, &s);
    pt = split(s.p, s.n);
    assert_int_equal(pt.n_dicts, 1);
    assert_int_equal(pt.dict, 4 + 4096);
    len = hks_load_u32le(s.p + pt.frames);
    assert_int_equal(len, 4096);
    dict = test_malloc(len);
    memcpy(dict, s.p + pt.frames + 4, len);
    for (i = 0; i < len; i += i < 256 ? 1 : 61) {
        int rc;
        dict[i] ^= 0x10;
        area = one_dict(dict, len);
        sec = assemble(s.p, pt.frames, area, len + 4, (uint32_t)len + 4, 1, s.p, s.n, &pt, &n);
        rc = try_store(sec, n, &d, &bad);
        refused += rc != HKS_OK || bad;
        test_free(sec);
        test_free(area);
        dict[i] ^= 0x10;
    }
    /* The flips that decoding notices: all of the header and tables that
     * zstd reads, and content that the frames use. */
    assert_true(refused > 100);
    for (n = 0; n < len; n += n < 64 ? 1 : 509) {
        size_t m;
        int rc;
        area = one_dict(dict, n);
        sec = assemble(s.p, pt.frames, area, n + 4, (uint32_t)n + 4, 1, s.p, s.n, &pt, &m);
        rc = try_store(sec, m, &d, &bad);
        if (n < 64)
            assert_int_equal(rc, HKS_ERR_CORRUPT);
        else
            assert_true(rc != HKS_OK || bad == d.n);
        test_free(sec);
        /* The size says more than the area holds: cut short. */
        put32(area, (uint32_t)len);
        sec = assemble(s.p, pt.frames, area, n + 4, (uint32_t)n + 4, 1, s.p, s.n, &pt, &m);
        assert_int_equal(try_store(sec, m, &d, &bad), HKS_ERR_CORRUPT);
        test_free(sec);
        test_free(area);
    }
    test_free(dict);
    hks_buf_free(&s);
    docs_free(&d);
}

static void test_dict_id_mismatch(void **state)
{
    docs d = {0};
    hks_buf s, plain;
    parts pt, pp;
    size_t n, bad, len;
    uint8_t *dict, *area, *two, *sec;
    uint32_t id;
    hks_ds_reader *r = NULL;
    hks_errbuf e;
    (void)state;
    dict_store(&d, &s);
    pt = split(s.p, s.n);
    len = pt.dict - 4;
    area = test_malloc(pt.dict);
    memcpy(area, s.p + pt.frames, pt.dict);
    dict = area + 4;
    id = hks_load_u32le(dict + 4);
    assert_true(id != 0);
    /* The footer's counts against the area: no dictionary counted in a
     * nonempty area, one counted in an empty one, more than the area has. */
    sec = assemble(s.p, pt.frames, area, pt.dict, (uint32_t)pt.dict, 0, s.p, s.n, &pt, &n);
    assert_int_equal(try_store(sec, n, &d, &bad), HKS_ERR_CORRUPT);
    test_free(sec);
    sec = assemble(s.p, pt.frames, NULL, 0, 0, 1, s.p, s.n, &pt, &n);
    assert_int_equal(try_store(sec, n, &d, &bad), HKS_ERR_CORRUPT);
    test_free(sec);
    sec = assemble(s.p, pt.frames, area, pt.dict, (uint32_t)pt.dict, 2, s.p, s.n, &pt, &n);
    assert_int_equal(try_store(sec, n, &d, &bad), HKS_ERR_CORRUPT);
    test_free(sec);
    /* The same dictionary twice: two of one id. */
    two = test_malloc(2 * pt.dict);
    memcpy(two, area, pt.dict);
    memcpy(two + pt.dict, area, pt.dict);
    sec = assemble(s.p, pt.frames, two, 2 * pt.dict, (uint32_t)(2 * pt.dict), 2, s.p, s.n, &pt,
                   &n);
    hks_err_clear(&e);
    assert_int_equal(hks_ds_reader_open(hks_test_cm_alloc(), sec, n, &e, &r), HKS_ERR_CORRUPT);
    assert_non_null(strstr(e.msg, "repeated id"));
    test_free(sec);
    test_free(two);
    /* Id 0 in the dictionary's header. */
    put32(dict + 4, 0);
    sec = assemble(s.p, pt.frames, area, pt.dict, (uint32_t)pt.dict, 1, s.p, s.n, &pt, &n);
    assert_int_equal(try_store(sec, n, &d, &bad), HKS_ERR_CORRUPT);
    test_free(sec);
    /* The dictionary has a new id, the frames name the old one: the store
     * opens, every fetch is refused. */
    put32(dict + 4, id + 1);
    sec = assemble(s.p, pt.frames, area, pt.dict, (uint32_t)pt.dict, 1, s.p, s.n, &pt, &n);
    assert_int_equal(try_store(sec, n, &d, &bad), HKS_OK);
    assert_int_equal(bad, d.n);
    test_free(sec);
    put32(dict + 4, id);
    /* Frames that need a dictionary in a store without: refused. Frames
     * without one in a store that has one: read as they are. */
    sec = assemble(s.p, pt.frames, NULL, 0, 0, 0, s.p, s.n, &pt, &n);
    assert_int_equal(try_store(sec, n, &d, &bad), HKS_OK);
    assert_int_equal(bad, d.n);
    test_free(sec);
    hks_buf_init(&plain, hks_test_cm_alloc());
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, true, 4096, 0, 0, &plain), HKS_OK);
    pp = split(plain.p, plain.n);
    assert_int_equal(pp.dict, 0);
    sec = assemble(plain.p, pp.frames, area, pt.dict, (uint32_t)pt.dict, 1, plain.p, plain.n, &pp,
                   &n);
    assert_int_equal(try_store(sec, n, &d, &bad), HKS_OK);
    assert_int_equal(bad, 0);
    test_free(sec);
    (void)len;
    test_free(area);
    hks_buf_free(&plain);
    hks_buf_free(&s);
    docs_free(&d);
}

/* Write (training a dictionary), read and merge with the k-th allocation
 * failing, for every k until a run sees no failure. */
static int fault_run(const hks_alloc *a, const docs *d, hks_buf *merged)
{
    hks_buf sec;
    hks_ds_reader *r = NULL;
    hks_ds_cursor *c = NULL;
    hks_ds_writer *w = NULL;
    size_t i;
    int rc;
    hks_buf_init(&sec, a);
    rc = write_store(a, d, true, 4096, 1024, 16384, &sec);
    if (rc == HKS_OK)
        rc = hks_ds_reader_open(a, sec.p, sec.n, NULL, &r);
    if (rc == HKS_OK && hks_ds_reader_dict(r, NULL) == 0)
        fail_msg("no dictionary");
    if (rc == HKS_OK)
        rc = hks_ds_cursor_new(a, &c);
    for (i = 0; rc == HKS_OK && i < d->n; i += 7) {
        const uint8_t *p;
        size_t n;
        rc = hks_ds_get(r, c, (uint32_t)i, &p, &n, NULL);
    }
    if (rc == HKS_OK)
        rc = hks_ds_writer_new(a, 0, &w);
    if (rc == HKS_OK)
        rc = hks_ds_writer_tune(w, 8192, 2048, 32768);
    if (rc == HKS_OK)
        rc = hks_ds_writer_add_store(w, r, NULL);
    if (rc == HKS_OK)
        rc = hks_ds_writer_finish(w, merged);
    hks_ds_writer_free(w);
    hks_ds_cursor_free(c);
    hks_ds_reader_free(r);
    hks_buf_free(&sec);
    return rc;
}

static void test_dict_fault_every_allocation(void **state)
{
    docs d = {0};
    long k;
    (void)state;
    news_docs(&d, 120);
    for (k = 0;; k++) {
        hks_test_fault f;
        hks_buf merged;
        int rc;
        hks_test_fault_init(&f, k);
        hks_buf_init(&merged, hks_test_cm_alloc());
        rc = fault_run(&f.alloc, &d, &merged);
        assert_int_equal(f.live_blocks, 0);
        assert_int_equal(f.live_bytes, 0);
        if (f.n_failed == 0) {
            assert_int_equal(rc, HKS_OK);
            /* Copied as it was, with its dictionary. */
            assert_int_equal(check_store(merged.p, merged.n, &d), 1024);
            hks_buf_free(&merged);
            break;
        }
        if (rc != HKS_ERR_NOMEM)
            fail_msg("allocation %ld failed: rc %d, expected %d", k, rc, HKS_ERR_NOMEM);
        hks_buf_free(&merged);
    }
    print_message("docstore dictionary: OOM loop passed after %ld allocation points\n", k);
    docs_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dict_news_smaller),
        cmocka_unit_test(test_dict_small_store_has_none),
        cmocka_unit_test(test_dict_merge_recompresses),
        cmocka_unit_test(test_dict_use_dict_copies),
        cmocka_unit_test(test_dict_damaged_or_truncated),
        cmocka_unit_test(test_dict_id_mismatch),
        cmocka_unit_test(test_dict_fault_every_allocation),
    };
    return cmocka_run_group_tests_name("docstore_dict", tests, NULL, NULL);
}
