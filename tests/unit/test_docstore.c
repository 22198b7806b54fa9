/*
 * test_docstore.c: the zstd document store (format/docstore.c): round
 * trips (empty documents, a document larger than a block, the Chinese
 * articles of corpus/), the one-block cache, merging stores with
 * hks_ds_writer_add_store (verbatim copy and with documents dropped), a
 * corruption sweep over the section (bit flips, forged seek tables with a
 * recomputed hash, truncation) and the OOM loop with the fault allocator.
 */
#include "hks_test.h"
#include "hks_format.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Section layout constants, as written out at the top of docstore.c. */
#define FOOTER 32
#define BLOCK_ENTRY 20

/* A set of test documents: doc[i] is len[i] bytes (test_malloc'd). */
typedef struct docs {
    uint8_t **doc;
    size_t *len;
    size_t n;
} docs;

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static void docs_add(docs *d, const void *p, size_t n)
{
    d->doc = test_realloc(d->doc, (d->n + 1) * sizeof *d->doc);
    d->len = test_realloc(d->len, (d->n + 1) * sizeof *d->len);
    d->doc[d->n] = test_malloc(n ? n : 1);
    if (n)
        memcpy(d->doc[d->n], p, n);
    d->len[d->n++] = n;
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

/* Text-like bytes (compressible but not trivially): words from a small
 * vocabulary, including multi-byte UTF-8. */
static void make_text(uint8_t *p, size_t n)
{
    static const char *const words[] = {"疫苗", "接种", "医院", "卫生",
                                        "health ", "news ", "2022 ", "，",
                                        "。", "县", "医疗", "集团"};
    size_t i = 0;
    while (i < n) {
        const char *w = words[rng() % (sizeof words / sizeof words[0])];
        size_t k = strlen(w);
        if (k > n - i)
            k = n - i;
        memcpy(p + i, w, k);
        i += k;
    }
}

/* Many documents of varied sizes: empties, small, a few KB, and one of
 * 200 KB (larger than a block). */
static void make_docs(docs *d, size_t count, uint64_t seed)
{
    size_t i;
    uint8_t *tmp = test_malloc(200 * 1024);
    rng_state = seed;
    for (i = 0; i < count; i++) {
        size_t n;
        if (i % 97 == 0)
            n = 0;
        else if (i == count / 2)
            n = 200 * 1024;
        else
            n = (size_t)(rng() % 3000);
        make_text(tmp, n);
        docs_add(d, tmp, n);
    }
    test_free(tmp);
}

/* Write all of d into a section in *out (allocator a for the writer). */
static int write_store(const hks_alloc *a, const docs *d, hks_buf *out)
{
    hks_ds_writer *w = NULL;
    size_t i;
    int rc = hks_ds_writer_new(a, 0, &w);
    for (i = 0; rc == HKS_OK && i < d->n; i++)
        rc = hks_ds_writer_add(w, d->doc[i], d->len[i]);
    if (rc == HKS_OK) {
        assert_int_equal(hks_ds_writer_count(w), d->n);
        rc = hks_ds_writer_finish(w, out);
    }
    hks_ds_writer_free(w);
    return rc;
}

/* Open sec and check that it holds exactly the documents of d. */
static void check_store(const uint8_t *sec, size_t n, const docs *d)
{
    hks_ds_reader *r = NULL;
    hks_ds_cursor *c = NULL;
    hks_errbuf e;
    size_t i;
    const uint8_t *p;
    size_t len;
    hks_err_clear(&e);
    assert_int_equal(hks_ds_reader_open(hks_test_cm_alloc(), sec, n, &e, &r),
                     HKS_OK);
    assert_int_equal(hks_ds_reader_count(r), d->n);
    assert_int_equal(hks_ds_cursor_new(hks_test_cm_alloc(), &c), HKS_OK);
    for (i = 0; i < d->n; i++) {
        assert_int_equal(hks_ds_get(r, c, (uint32_t)i, &p, &len, &e), HKS_OK);
        assert_int_equal(len, d->len[i]);
        if (len)
            assert_memory_equal(p, d->doc[i], len);
    }
    /* Backwards, to exercise block switches in the other direction. */
    for (i = d->n; i-- > 0;) {
        assert_int_equal(hks_ds_get(r, c, (uint32_t)i, &p, &len, &e), HKS_OK);
        assert_int_equal(len, d->len[i]);
    }
    assert_int_equal(hks_ds_get(r, c, (uint32_t)d->n, &p, &len, &e),
                     HKS_ERR_NOTFOUND);
    hks_ds_cursor_free(c);
    hks_ds_reader_free(r);
}

static void test_docstore_round_trip(void **state)
{
    docs d = {0};
    hks_buf out;
    (void)state;
    make_docs(&d, 600, 0xD0C5u);
    hks_buf_init(&out, hks_test_cm_alloc());
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, &out), HKS_OK);
    check_store(out.p, out.n, &d);
    /* The section ends with the magic "HKDS". */
    assert_memory_equal(out.p + out.n - 4, "HKDS", 4);
    hks_buf_free(&out);
    docs_free(&d);
}

static void test_docstore_empty_store(void **state)
{
    docs d = {0};
    hks_buf out;
    (void)state;
    hks_buf_init(&out, hks_test_cm_alloc());
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, &out), HKS_OK);
    assert_int_equal(out.n, FOOTER);
    check_store(out.p, out.n, &d);
    hks_buf_free(&out);
}

static void test_docstore_only_empty_docs(void **state)
{
    docs d = {0};
    hks_buf out;
    int i;
    (void)state;
    for (i = 0; i < 10; i++)
        docs_add(&d, NULL, 0);
    hks_buf_init(&out, hks_test_cm_alloc());
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, &out), HKS_OK);
    check_store(out.p, out.n, &d);
    hks_buf_free(&out);
    docs_free(&d);
}

/* The real articles of corpus/, each stored several times over. */
static void test_docstore_chinese_corpus(void **state)
{
    char dir[1024], path[2048];
    DIR *dp;
    struct dirent *de;
    docs d = {0};
    hks_buf out;
    int round;
    (void)state;
    assert_non_null(hks_test_repo_path("corpus", dir, sizeof dir));
    dp = opendir(dir);
    assert_non_null(dp);
    for (round = 0; round < 3; round++) {
        rewinddir(dp);
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
    }
    closedir(dp);
    assert_true(d.n >= 3);
    hks_buf_init(&out, hks_test_cm_alloc());
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, &out), HKS_OK);
    check_store(out.p, out.n, &d);
    hks_buf_free(&out);
    docs_free(&d);
}

/* Documents of one block come from one decompressed buffer, back to back. */
static void test_docstore_block_cache(void **state)
{
    docs d = {0};
    hks_buf out;
    hks_ds_reader *r;
    hks_ds_cursor *c;
    const uint8_t *p, *prev_end = NULL;
    size_t n, i;
    (void)state;
    rng_state = 7;
    for (i = 0; i < 10; i++) {
        uint8_t t[500];
        make_text(t, sizeof t);
        docs_add(&d, t, sizeof t);
    }
    hks_buf_init(&out, hks_test_cm_alloc());
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, &out), HKS_OK);
    assert_int_equal(hks_ds_reader_open(hks_test_cm_alloc(), out.p, out.n,
                                        NULL, &r),
                     HKS_OK);
    assert_int_equal(hks_ds_cursor_new(hks_test_cm_alloc(), &c), HKS_OK);
    for (i = 0; i < 10; i++) {
        assert_int_equal(hks_ds_get(r, c, (uint32_t)i, &p, &n, NULL), HKS_OK);
        if (prev_end)
            assert_ptr_equal(p, prev_end);
        prev_end = p + n;
    }
    hks_ds_cursor_free(c);
    hks_ds_reader_free(r);
    hks_buf_free(&out);
    docs_free(&d);
}

static void test_docstore_writer_misuse(void **state)
{
    hks_ds_writer *w;
    hks_buf out;
    (void)state;
    hks_buf_init(&out, hks_test_cm_alloc());
    assert_int_equal(hks_ds_writer_new(hks_test_cm_alloc(), 1, &w), HKS_OK);
    assert_int_equal(hks_ds_writer_add(w, "abc", 3), HKS_OK);
    /* Over the documented 256 MiB document limit; no memory is touched. */
    assert_int_equal(hks_ds_writer_add(w, "x", (size_t)256 * 1024 * 1024 + 1),
                     HKS_ERR_ARG);
    assert_int_equal(hks_ds_writer_count(w), 1);
    assert_int_equal(hks_ds_writer_finish(w, &out), HKS_OK);
    assert_int_equal(hks_ds_writer_add(w, "x", 1), HKS_ERR_MISUSE);
    assert_int_equal(hks_ds_writer_finish(w, &out), HKS_ERR_MISUSE);
    hks_ds_writer_free(w);
    hks_ds_writer_free(NULL);
    hks_ds_reader_free(NULL);
    hks_ds_cursor_free(NULL);
    hks_buf_free(&out);
}

/* Merge src into a new store with some documents before and after. */
static void merge(const hks_buf *src, const bool *keep, const docs *pre,
                  const docs *post, hks_buf *out)
{
    hks_ds_reader *r;
    hks_ds_writer *w;
    size_t i;
    assert_int_equal(hks_ds_reader_open(hks_test_cm_alloc(), src->p, src->n,
                                        NULL, &r),
                     HKS_OK);
    assert_int_equal(hks_ds_writer_new(hks_test_cm_alloc(), 0, &w), HKS_OK);
    for (i = 0; pre && i < pre->n; i++)
        assert_int_equal(hks_ds_writer_add(w, pre->doc[i], pre->len[i]),
                         HKS_OK);
    assert_int_equal(hks_ds_writer_add_store(w, r, keep), HKS_OK);
    for (i = 0; post && i < post->n; i++)
        assert_int_equal(hks_ds_writer_add(w, post->doc[i], post->len[i]),
                         HKS_OK);
    assert_int_equal(hks_ds_writer_finish(w, out), HKS_OK);
    hks_ds_writer_free(w);
    hks_ds_reader_free(r);
}

static void test_docstore_add_store_copies_verbatim(void **state)
{
    docs d = {0};
    hks_buf a, b;
    bool *keep;
    size_t i;
    (void)state;
    make_docs(&d, 400, 0xC0FFEEu);
    hks_buf_init(&a, hks_test_cm_alloc());
    hks_buf_init(&b, hks_test_cm_alloc());
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, &a), HKS_OK);
    /* keep NULL: the same blocks, so the very same bytes. */
    merge(&a, NULL, NULL, NULL, &b);
    assert_int_equal(b.n, a.n);
    assert_memory_equal(b.p, a.p, a.n);
    /* keep all true: the same. */
    keep = test_malloc(d.n * sizeof *keep);
    for (i = 0; i < d.n; i++)
        keep[i] = true;
    b.n = 0;
    merge(&a, keep, NULL, NULL, &b);
    assert_int_equal(b.n, a.n);
    assert_memory_equal(b.p, a.p, a.n);
    test_free(keep);
    hks_buf_free(&a);
    hks_buf_free(&b);
    docs_free(&d);
}

static void test_docstore_add_store_drops_docs(void **state)
{
    docs d = {0}, pre = {0}, post = {0}, want = {0};
    hks_buf a, b;
    bool *keep;
    size_t i;
    (void)state;
    make_docs(&d, 400, 0xBEEFu);
    make_docs(&pre, 5, 1);
    make_docs(&post, 5, 2);
    keep = test_malloc(d.n * sizeof *keep);
    for (i = 0; i < pre.n; i++)
        docs_add(&want, pre.doc[i], pre.len[i]);
    /* Drop every 3rd document in the first half only, so later blocks are
     * copied verbatim after recompressed ones. */
    for (i = 0; i < d.n; i++) {
        keep[i] = !(i < d.n / 2 && i % 3 == 1);
        if (keep[i])
            docs_add(&want, d.doc[i], d.len[i]);
    }
    for (i = 0; i < post.n; i++)
        docs_add(&want, post.doc[i], post.len[i]);
    hks_buf_init(&a, hks_test_cm_alloc());
    hks_buf_init(&b, hks_test_cm_alloc());
    assert_int_equal(write_store(hks_test_cm_alloc(), &d, &a), HKS_OK);
    merge(&a, keep, &pre, &post, &b);
    check_store(b.p, b.n, &want);
    /* Dropping everything leaves just pre and post. */
    memset(keep, 0, d.n * sizeof *keep);
    docs_free(&want);
    for (i = 0; i < pre.n; i++)
        docs_add(&want, pre.doc[i], pre.len[i]);
    for (i = 0; i < post.n; i++)
        docs_add(&want, post.doc[i], post.len[i]);
    b.n = 0;
    merge(&a, keep, &pre, &post, &b);
    check_store(b.p, b.n, &want);
    test_free(keep);
    hks_buf_free(&a);
    hks_buf_free(&b);
    docs_free(&d);
    docs_free(&pre);
    docs_free(&post);
    docs_free(&want);
}

/* Open a damaged copy (in its own exact-size allocation, so over-reads
 * are caught by the sanitizers and valgrind) and fetch every document.
 * Allowed outcomes: open refuses with CORRUPT/FORMAT, or every fetch gives
 * the right bytes or CORRUPT. With strict false (forged seek tables with a
 * valid hash) a fetch may also return other bytes: it must merely not
 * crash or read out of bounds. */
static void try_damaged(const uint8_t *sec, size_t n, const docs *d,
                        bool strict)
{
    uint8_t *copy = test_malloc(n ? n : 1);
    hks_ds_reader *r = NULL;
    hks_ds_cursor *c = NULL;
    hks_errbuf e;
    int rc;
    size_t i;
    memcpy(copy, sec, n);
    hks_err_clear(&e);
    rc = hks_ds_reader_open(hks_test_cm_alloc(), copy, n, &e, &r);
    if (rc != HKS_OK) {
        assert_true(rc == HKS_ERR_CORRUPT || rc == HKS_ERR_FORMAT);
        assert_null(r);
        assert_memory_equal(e.msg, "document store: ", 16);
        test_free(copy);
        return;
    }
    assert_int_equal(hks_ds_cursor_new(hks_test_cm_alloc(), &c), HKS_OK);
    for (i = 0; i < hks_ds_reader_count(r); i++) {
        const uint8_t *p;
        size_t len;
        rc = hks_ds_get(r, c, (uint32_t)i, &p, &len, &e);
        if (rc == HKS_OK) {
            volatile uint8_t sink = 0;
            size_t k;
            for (k = 0; k < len; k++) /* touch every byte */
                sink ^= p[k];
            (void)sink;
            if (strict) {
                assert_true(i < d->n);
                assert_int_equal(len, d->len[i]);
                if (len)
                    assert_memory_equal(p, d->doc[i], len);
            }
        } else {
            assert_int_equal(rc, HKS_ERR_CORRUPT);
            assert_memory_equal(e.msg, "document store: block ", 22);
        }
    }
    if (strict)
        assert_int_equal(hks_ds_reader_count(r), d->n);
    hks_ds_cursor_free(c);
    hks_ds_reader_free(r);
    test_free(copy);
}

/* A small store of several blocks for the corruption sweeps. */
static void small_store(docs *d, hks_buf *out)
{
    size_t i;
    rng_state = 99;
    for (i = 0; i < 40; i++) {
        uint8_t t[5000];
        size_t n = i % 7 == 0 ? 0 : (size_t)(rng() % sizeof t);
        make_text(t, n);
        docs_add(d, t, n);
    }
    hks_buf_init(out, hks_test_cm_alloc());
    assert_int_equal(write_store(hks_test_cm_alloc(), d, out), HKS_OK);
}

/* Start of the seek table of a valid section. */
static size_t table_start(const hks_buf *s)
{
    const uint8_t *f = s->p + s->n - FOOTER;
    return s->n - FOOTER - hks_load_u32le(f) * (size_t)BLOCK_ENTRY -
           hks_load_u32le(f + 4) * (size_t)4;
}

static void test_docstore_bit_flips(void **state)
{
    docs d = {0};
    hks_buf s;
    size_t i, tab;
    (void)state;
    small_store(&d, &s);
    tab = table_start(&s);
    assert_true(hks_load_u32le(s.p + s.n - FOOTER) >= 2); /* several blocks */
    for (i = 0; i < s.n; i++) {
        /* Every byte of seek table and footer; every 97th of the frames
         * (each try decompresses every block; this keeps valgrind quick). */
        if (i < tab && i % 97 != 0)
            continue;
        s.p[i] ^= 0x01;
        try_damaged(s.p, s.n, &d, true);
        s.p[i] ^= 0x81;
        try_damaged(s.p, s.n, &d, true);
        s.p[i] ^= 0x80;
    }
    hks_buf_free(&s);
    docs_free(&d);
}

/* Flip bits in the seek table and footer counts, then recompute the hash
 * so the damage reaches the structural checks behind it. */
static void test_docstore_forged_seek_table(void **state)
{
    docs d = {0};
    hks_buf s;
    size_t i, tab, hashed_end;
    unsigned bit;
    (void)state;
    small_store(&d, &s);
    tab = table_start(&s);
    hashed_end = s.n - FOOTER + 16;
    for (i = tab; i < hashed_end; i++) {
        for (bit = 0; bit < 8; bit++) {
            uint8_t save[8];
            uint64_t h;
            size_t k;
            memcpy(save, s.p + s.n - 16, 8);
            s.p[i] ^= (uint8_t)(1u << bit);
            h = hks_hash64(s.p + tab, hashed_end - tab);
            for (k = 0; k < 8; k++)
                s.p[s.n - 16 + k] = (uint8_t)(h >> (8 * k));
            try_damaged(s.p, s.n, &d, false);
            s.p[i] ^= (uint8_t)(1u << bit);
            memcpy(s.p + s.n - 16, save, 8);
        }
    }
    /* A few targeted forgeries, each of which open must refuse. */
    {
        static const struct {
            size_t field; /* byte offset in block entry 1 */
            uint32_t value;
        } forge[] = {
            {8, 0xFFFFFFFFu},  /* comp_size past the table */
            {12, 0x7FFFFFFFu}, /* raw_size over the limit */
            {16, 0},           /* first_doc not increasing */
            {0, 3},            /* comp_off not contiguous */
        };
        for (i = 0; i < sizeof forge / sizeof forge[0]; i++) {
            uint8_t *copy = test_malloc(s.n);
            uint8_t *f = copy + tab + BLOCK_ENTRY + forge[i].field;
            hks_ds_reader *r = NULL;
            hks_errbuf e;
            uint64_t h;
            size_t k;
            memcpy(copy, s.p, s.n);
            for (k = 0; k < 4; k++)
                f[k] = (uint8_t)(forge[i].value >> (8 * k));
            h = hks_hash64(copy + tab, hashed_end - tab);
            for (k = 0; k < 8; k++)
                copy[s.n - 16 + k] = (uint8_t)(h >> (8 * k));
            assert_int_equal(hks_ds_reader_open(hks_test_cm_alloc(), copy,
                                                s.n, &e, &r),
                             HKS_ERR_CORRUPT);
            assert_memory_equal(e.msg, "document store: block ", 22);
            test_free(copy);
        }
    }
    hks_buf_free(&s);
    docs_free(&d);
}

static void test_docstore_truncated_is_corrupt(void **state)
{
    docs d = {0};
    hks_buf s;
    size_t cut;
    (void)state;
    small_store(&d, &s);
    for (cut = 0; cut < s.n; cut++) {
        uint8_t *copy = test_malloc(cut ? cut : 1);
        hks_ds_reader *r = NULL;
        hks_errbuf e;
        memcpy(copy, s.p, cut);
        assert_int_equal(hks_ds_reader_open(hks_test_cm_alloc(), copy, cut,
                                            &e, &r),
                         HKS_ERR_CORRUPT);
        assert_null(r);
        test_free(copy);
    }
    hks_buf_free(&s);
    docs_free(&d);
}

/* Write, read and merge with the k-th allocation failing, for every k
 * until a run sees no failure. zstd's contexts allocate through the same
 * hook, so their failures are covered too. */
static int fault_run(const hks_alloc *a, const docs *d, const bool *keep,
                     hks_buf *merged)
{
    hks_buf sec;
    hks_ds_reader *r = NULL;
    hks_ds_cursor *c = NULL;
    hks_ds_writer *w = NULL;
    size_t i;
    int rc;
    hks_buf_init(&sec, a);
    rc = write_store(a, d, &sec);
    if (rc == HKS_OK)
        rc = hks_ds_reader_open(a, sec.p, sec.n, NULL, &r);
    if (rc == HKS_OK)
        rc = hks_ds_cursor_new(a, &c);
    for (i = 0; rc == HKS_OK && i < d->n; i++) {
        const uint8_t *p;
        size_t n;
        rc = hks_ds_get(r, c, (uint32_t)i, &p, &n, NULL);
        if (rc == HKS_OK) {
            assert_int_equal(n, d->len[i]);
            if (n)
                assert_memory_equal(p, d->doc[i], n);
        }
    }
    if (rc == HKS_OK)
        rc = hks_ds_writer_new(a, 0, &w);
    if (rc == HKS_OK)
        rc = hks_ds_writer_add_store(w, r, keep);
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

static void test_docstore_fault_every_allocation(void **state)
{
    docs d = {0}, want = {0};
    bool keep[60];
    size_t i;
    long k;
    (void)state;
    rng_state = 5;
    for (i = 0; i < 60; i++) {
        uint8_t t[3000];
        size_t n = (size_t)(rng() % sizeof t);
        make_text(t, n);
        docs_add(&d, t, n);
        keep[i] = i % 4 != 0;
    }
    for (i = 0; i < 60; i++)
        if (keep[i])
            docs_add(&want, d.doc[i], d.len[i]);
    for (i = 0; i < 60; i++)
        docs_add(&want, d.doc[i], d.len[i]);
    for (k = 0;; k++) {
        hks_test_fault f;
        hks_buf merged;
        int rc;
        hks_test_fault_init(&f, k);
        hks_buf_init(&merged, hks_test_cm_alloc());
        rc = fault_run(&f.alloc, &d, keep, &merged);
        assert_int_equal(f.live_blocks, 0);
        assert_int_equal(f.live_bytes, 0);
        if (f.n_failed == 0) {
            assert_int_equal(rc, HKS_OK);
            check_store(merged.p, merged.n, &want);
            hks_buf_free(&merged);
            break;
        }
        if (rc != HKS_ERR_NOMEM)
            fail_msg("allocation %ld failed: rc %d, expected %d", k, rc,
                     HKS_ERR_NOMEM);
        hks_buf_free(&merged);
    }
    print_message("docstore: OOM loop passed after %ld allocation points\n",
                  k);
    docs_free(&d);
    docs_free(&want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docstore_round_trip),
        cmocka_unit_test(test_docstore_empty_store),
        cmocka_unit_test(test_docstore_only_empty_docs),
        cmocka_unit_test(test_docstore_chinese_corpus),
        cmocka_unit_test(test_docstore_block_cache),
        cmocka_unit_test(test_docstore_writer_misuse),
        cmocka_unit_test(test_docstore_add_store_copies_verbatim),
        cmocka_unit_test(test_docstore_add_store_drops_docs),
        cmocka_unit_test(test_docstore_bit_flips),
        cmocka_unit_test(test_docstore_forged_seek_table),
        cmocka_unit_test(test_docstore_truncated_is_corrupt),
        cmocka_unit_test(test_docstore_fault_every_allocation),
    };
    return cmocka_run_group_tests_name("docstore", tests, NULL, NULL);
}
