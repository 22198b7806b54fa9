/*
 * test_parbuild.c: a writer reading a source on two threads
 * (HKS_W_THREADS 2: the caller's thread reads and tokenizes, a worker
 * inverts and flushes segments) makes the index one thread makes.
 *  - the seed corpus built with 1 and with 2 threads: the same segment
 *    file byte for byte at the default budget; at a 1 MB budget (the
 *    worker flushing several segments, merged at the commit) the same
 *    documents, terms, tokens and search results, scores included;
 *  - a JSONL source whose ids come again a few lines later with changed
 *    text (each a replacement, many across the worker's flushes): the
 *    same live documents and results as one thread;
 *  - an allocation failure on the worker thread, at growing allocation
 *    numbers until none fails: the source reports HKS_ERR_NOMEM with its
 *    message, the writer refuses to commit, nothing leaks, and the index
 *    keeps its last commit.
 */
#include "hks_test.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static char g_tmp[4096];

static int setup(void **state)
{
    (void)state;
    return hks_test_tmpdir(g_tmp, sizeof g_tmp);
}

static int teardown(void **state)
{
    (void)state;
    hks_test_rmtree(g_tmp);
    return 0;
}

static void subdir(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%.3000s/%s", g_tmp, name);
}

/* Build dir from the sources with n_threads and a budget (MB). */
static void build(const char *dir, const char *const *src, int n_src, int n_threads, int budget,
                  const hks_alloc *alloc)
{
    hks_writer *w = NULL;
    int i;
    hks_test_rmtree(dir);
    assert_int_equal(hks_writer_open(dir, alloc, &w), HKS_OK);
    assert_int_equal(hks_writer_set(w, HKS_W_THREADS, n_threads), HKS_OK);
    assert_int_equal(hks_writer_set(w, HKS_W_MEMORY_BUDGET_MB, budget), HKS_OK);
    assert_int_equal(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 2), HKS_OK);
    for (i = 0; i < n_src; i++) {
        int rc = hks_writer_add_path(w, src[i], NULL);
        if (rc)
            fail_msg("%s: %s", src[i], hks_writer_errmsg(w));
    }
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
}

static const char *const k_queries[] = {
    "疫苗接种",
    "医院",
    "核酸检测 OR 抗原",
    "新冠肺炎 疫情 -武汉",
    "苗",
    "title:肺炎",
    "新冠疫苗接种后有什么副作用",
    "covid*",
    "\"确诊 病例\"",
};

/* Every query's hits as "collection/id score" lines, and the index info. */
static void describe(const char *dir, char *out, size_t cap, hks_index_info *info)
{
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    size_t at = 0, q;
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    assert_int_equal(hks_index_check(idx), HKS_OK);
    assert_int_equal(hks_index_info_get(idx, info), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    out[0] = '\0';
    for (q = 0; q < sizeof k_queries / sizeof *k_queries; q++) {
        hks_hit hits[40];
        hks_search_info si;
        size_t n = 0, i;
        assert_int_equal(hks_search(s, k_queries[q], strlen(k_queries[q]), hits, 40, &n, &si),
                         HKS_OK);
        assert_true(n > 0); /* every query finds something in this corpus */
        at += (size_t)snprintf(out + at, cap - at, "%s: %llu\n", k_queries[q],
                               (unsigned long long)si.n_exact);
        for (i = 0; i < n && at < cap; i++) {
            hks_doc_meta m;
            assert_int_equal(hks_doc_meta_get(s, hits[i].doc_id, &m), HKS_OK);
            at += (size_t)snprintf(out + at, cap - at, "%.*s/%.*s %.17g %u\n",
                                   (int)m.collection_len, m.collection, (int)m.id_len, m.id,
                                   hits[i].score, hits[i].n_similar);
        }
        assert_true(at < cap);
    }
    hks_searcher_free(s);
    hks_index_close(idx);
}

static void assert_same(const char *a, const char *b)
{
    static char da[1 << 18], db[1 << 18];
    hks_index_info ia, ib;
    describe(a, da, sizeof da, &ia);
    describe(b, db, sizeof db, &ib);
    assert_true(ia.n_docs > 0);
    assert_int_equal(ia.n_docs, ib.n_docs);
    assert_int_equal(ia.n_segments, 1);
    assert_int_equal(ib.n_segments, 1);
    assert_int_equal(ia.n_terms, ib.n_terms);
    assert_int_equal(ia.n_tokens, ib.n_tokens);
    assert_int_equal(ia.bytes_postings, ib.bytes_postings);
    assert_string_equal(da, db);
}

static long file_bytes(const char *path, char **p)
{
    size_t n = 0;
    if (hks_test_read_file(path, p, &n) != 0)
        return -1;
    return (long)n;
}

static void test_parbuild_seed_corpus(void **state)
{
    char corpus[4096], zst[4096], one[4096], two[4096], two_small[4096], fa[4300], fb[4300];
    const char *src[2];
    char *pa = NULL, *pb = NULL;
    long na, nb;
    (void)state;
    assert_non_null(hks_test_repo_path("corpus", corpus, sizeof corpus));
    assert_non_null(hks_test_repo_path("corpus/dxy_covid_news.docs.jsonl.zst", zst, sizeof zst));
    src[0] = corpus;
    src[1] = zst;
    subdir(one, sizeof one, "one");
    subdir(two, sizeof two, "two");
    subdir(two_small, sizeof two_small, "two-small");
    build(one, src, 2, 1, 256, NULL);
    build(two, src, 2, 2, 256, NULL);
    build(two_small, src, 2, 2, 1, NULL);
    /* One segment each, written by the commit: the same bytes. */
    snprintf(fa, sizeof fa, "%s/seg-000001.hks", one);
    snprintf(fb, sizeof fb, "%s/seg-000001.hks", two);
    na = file_bytes(fa, &pa);
    nb = file_bytes(fb, &pb);
    assert_true(na > 100000);
    assert_int_equal(na, nb);
    assert_memory_equal(pa, pb, (size_t)na);
    free(pa);
    free(pb);
    assert_same(one, two);
    /* Segments flushed by the worker, then merged. */
    assert_same(one, two_small);
}

/* The seed JSONL with ids coming again: after line i, line i - 3 (every
 * 7th line) or i - 40 (every 11th) with its body changed. */
static void write_replacing_jsonl(const char *path)
{
    char zst[4096], *z = NULL, *t, *line[4000];
    size_t zn = 0, i, n_line = 0;
    unsigned long long tn;
    FILE *f;
    assert_non_null(hks_test_repo_path("corpus/dxy_covid_news.docs.jsonl.zst", zst, sizeof zst));
    assert_int_equal(hks_test_read_file(zst, &z, &zn), 0);
    tn = ZSTD_getFrameContentSize(z, zn);
    assert_true(tn != ZSTD_CONTENTSIZE_ERROR && tn != ZSTD_CONTENTSIZE_UNKNOWN);
    t = malloc((size_t)tn + 1);
    assert_non_null(t);
    assert_int_equal(ZSTD_decompress(t, (size_t)tn, z, zn), (size_t)tn);
    t[tn] = '\0';
    free(z);
    for (char *p = t; *p && n_line < 4000;) {
        char *e = strchr(p, '\n');
        line[n_line++] = p;
        if (!e)
            break;
        *e = '\0';
        p = e + 1;
    }
    assert_true(n_line > 3000);
    f = fopen(path, "w");
    assert_non_null(f);
    for (i = 0; i < n_line; i++) {
        size_t back = i % 7 == 0 ? 3 : i % 11 == 0 ? 40
                                                   : 0;
        fprintf(f, "%s\n", line[i]);
        if (back && i >= back) {
            const char *b = strstr(line[i - back], "\"body\":\"");
            assert_non_null(b);
            b += 8;
            fprintf(f, "%.*s更新：%s\n", (int)(b - line[i - back]), line[i - back], b);
        }
    }
    fclose(f);
    free(t);
}

static void test_parbuild_replacements(void **state)
{
    char jsonl[4096], one[4096], two[4096];
    const char *src[1];
    hks_index *idx = NULL;
    hks_index_info info;
    (void)state;
    subdir(jsonl, sizeof jsonl, "dxy.jsonl");
    write_replacing_jsonl(jsonl);
    src[0] = jsonl;
    subdir(one, sizeof one, "rep-one");
    subdir(two, sizeof two, "rep-two");
    build(one, src, 1, 1, 1, NULL);
    build(two, src, 1, 2, 1, NULL);
    assert_int_equal(hks_index_open(two, NULL, &idx), HKS_OK);
    assert_int_equal(hks_index_info_get(idx, &info), HKS_OK);
    hks_index_close(idx);
    assert_int_equal(info.n_docs, 3378); /* every id once */
    assert_same(one, two);
}

/* ---- a failing allocation on the worker -------------------------------- */

/* Thread-safe: the k-th allocation made off the test's thread fails. */
typedef union bhdr {
    size_t size;
    max_align_t pad;
} bhdr;

typedef struct wfault {
    hks_alloc alloc;
    pthread_mutex_t mu;
    pthread_t main;
    long fail_at, n_worker, n_failed;
    long live_blocks;
} wfault;

static void *wfault_fn(void *ud, void *p, size_t osize, size_t nsize)
{
    wfault *f = ud;
    bhdr *h = p ? (bhdr *)p - 1 : NULL, *nh;
    (void)osize;
    pthread_mutex_lock(&f->mu);
    if (nsize == 0) {
        if (h) {
            f->live_blocks--;
            free(h);
        }
        pthread_mutex_unlock(&f->mu);
        return NULL;
    }
    if (!pthread_equal(pthread_self(), f->main) && f->n_worker++ == f->fail_at) {
        f->n_failed++;
        pthread_mutex_unlock(&f->mu);
        return NULL;
    }
    nh = nsize > SIZE_MAX - sizeof *h ? NULL : realloc(h, sizeof *nh + nsize);
    if (nh && !h)
        f->live_blocks++;
    pthread_mutex_unlock(&f->mu);
    return nh ? nh + 1 : NULL;
}

static uint64_t live_docs(const char *dir)
{
    hks_index *idx = NULL;
    hks_index_info info;
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    assert_int_equal(hks_index_check(idx), HKS_OK);
    assert_int_equal(hks_index_info_get(idx, &info), HKS_OK);
    hks_index_close(idx);
    return info.n_docs;
}

static void test_parbuild_worker_failure(void **state)
{
    char corpus[4096], zst[4096], dir[4096];
    const char *src[1];
    long k;
    int n_failures = 0;
    (void)state;
    assert_non_null(hks_test_repo_path("corpus", corpus, sizeof corpus));
    assert_non_null(hks_test_repo_path("corpus/dxy_covid_news.docs.jsonl.zst", zst, sizeof zst));
    src[0] = corpus;
    subdir(dir, sizeof dir, "fail");
    build(dir, src, 1, 1, 256, NULL);
    assert_int_equal(live_docs(dir), 5);
    for (k = 0;; k = k ? k * 2 : 1) {
        wfault f;
        hks_writer *w = NULL;
        int rc;
        memset(&f, 0, sizeof f);
        assert_int_equal(pthread_mutex_init(&f.mu, NULL), 0);
        f.alloc.fn = wfault_fn;
        f.alloc.ud = &f;
        f.main = pthread_self();
        f.fail_at = k;
        assert_int_equal(hks_writer_open(dir, &f.alloc, &w), HKS_OK);
        assert_int_equal(hks_writer_set(w, HKS_W_THREADS, 2), HKS_OK);
        assert_int_equal(hks_writer_set(w, HKS_W_MEMORY_BUDGET_MB, 1), HKS_OK);
        rc = hks_writer_add_path(w, zst, NULL);
        if (f.n_failed == 0) { /* the worker never failed: all of it */
            assert_int_equal(rc, HKS_OK);
            assert_true(f.n_worker > 1000); /* the worker did allocate */
            assert_int_equal(hks_writer_commit(w), HKS_OK);
            hks_writer_close(w);
            assert_int_equal(f.live_blocks, 0);
            pthread_mutex_destroy(&f.mu);
            break;
        }
        n_failures++;
        assert_int_equal(rc, HKS_ERR_NOMEM);
        assert_non_null(strstr(hks_writer_errmsg(w), "out of memory"));
        rc = hks_writer_commit(w);
        assert_int_equal(rc, HKS_ERR_NOMEM);
        assert_non_null(strstr(hks_writer_errmsg(w), "nothing is committed"));
        hks_writer_close(w);
        assert_int_equal(f.live_blocks, 0);
        pthread_mutex_destroy(&f.mu);
        assert_int_equal(live_docs(dir), 5); /* the last commit, as it was */
    }
    assert_true(n_failures > 5);
    assert_int_equal(live_docs(dir), 5 + 3378);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parbuild_seed_corpus),
        cmocka_unit_test(test_parbuild_replacements),
        cmocka_unit_test(test_parbuild_worker_failure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
