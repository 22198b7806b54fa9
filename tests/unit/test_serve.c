/*
 * test_serve.c: what a long-running program embedding libhks needs,
 * through hks.h only: result pages by offset, looking a document up by
 * (collection, id), seeing another process's commits by reopening, a
 * time budget per search, the number of collections, and the searcher
 * parameters the query language reads (literal mode, sort order).
 */
#include "hks_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char g_tmp[4096];
static char g_dxy[4200]; /* index of corpus/dxy_covid_news.docs.jsonl.zst */

static void subdir(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", g_tmp, name);
}

static void build_from(const char *dir, const char *src)
{
    hks_writer *w = NULL;
    int rc = hks_writer_open(dir, NULL, &w);
    assert_int_equal(rc, HKS_OK);
    rc = hks_writer_add_path(w, src, NULL);
    if (rc)
        fail_msg("add %s: %s", src, hks_writer_errmsg(w));
    rc = hks_writer_commit(w);
    if (rc)
        fail_msg("commit: %s", hks_writer_errmsg(w));
    hks_writer_close(w);
}

static int setup(void **state)
{
    char src[4200];
    (void)state;
    if (hks_test_tmpdir(g_tmp, sizeof g_tmp))
        return -1;
    subdir(g_dxy, sizeof g_dxy, "dxy");
    build_from(g_dxy, hks_test_repo_path("corpus/dxy_covid_news.docs.jsonl.zst", src, sizeof src));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hks_test_rmtree(g_tmp);
    return 0;
}

static void open_dxy(hks_index **idx, hks_searcher **s)
{
    assert_int_equal(hks_index_open(g_dxy, hks_test_cm_alloc(), idx), HKS_OK);
    assert_int_equal(hks_searcher_new(*idx, s), HKS_OK);
}

static void add_docs(const char *dir, const char *collection, const char *const (*docs)[3],
                     size_t n)
{
    hks_writer *w = NULL;
    size_t i;
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    for (i = 0; i < n; i++) {
        hks_doc d;
        hks_test_doc(&d, docs[i][0], docs[i][1], docs[i][2]);
        d.collection = collection;
        d.collection_len = strlen(collection);
        assert_int_equal(hks_writer_add(w, &d), HKS_OK);
    }
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
}

/* A page at offset k holds exactly ranks k.. of the whole ranking, for a
 * strict query and for a question whose ranking runs from exact into
 * partial matches; the caller's buffer is only the page. */
static void test_serve_pages_by_offset(void **state)
{
    static const char *const queries[] = {"确诊", "湖北省卫健委"};
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    size_t q;
    (void)state;
    open_dxy(&idx, &s);
    /* Collapsing ranks three times a page's hits to fill it, and the
     * character field reranks the best 128 or more: pages within the first
     * 128 hits see one ranking only when the page does not set the depth. */
    assert_int_equal(hks_searcher_set(s, HKS_S_COLLAPSE, 0), HKS_OK);
    for (q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        hks_hit all[60], page[7];
        hks_search_info ia, ip;
        size_t n_all, n, off;
        const char *qs = queries[q];
        assert_int_equal(hks_search(s, qs, strlen(qs), all, 60, &n_all, &ia), HKS_OK);
        assert_int_equal(n_all, 60);
        if (q == 1) /* the question's ranking crosses into partial matches */
            assert_true(ia.n_exact < 60 && !(all[59].flags & HKS_HIT_EXACT));
        for (off = 0; off < 60; off += 7) {
            size_t want = 60 - off < 7 ? 60 - off : 7, i;
            assert_int_equal(hks_search_page(s, qs, strlen(qs), off, page, want, &n, &ip), HKS_OK);
            assert_int_equal(n, want);
            assert_int_equal(ip.n_exact, ia.n_exact);
            for (i = 0; i < n; i++) {
                assert_int_equal(page[i].doc_id, all[off + i].doc_id);
                assert_true(page[i].score == all[off + i].score);
                assert_int_equal(page[i].flags, all[off + i].flags);
            }
        }
    }
    {
        /* Past the end: no hits, the count still given. */
        hks_hit page[5];
        hks_search_info info;
        size_t n = 99;
        assert_int_equal(hks_search_page(s, "武汉", strlen("武汉"), 100000, page, 5, &n, &info),
                         HKS_OK);
        assert_int_equal(n, 0);
        assert_true(info.n_exact > 0);
        assert_int_equal(hks_search_page(s, "武汉", 6, SIZE_MAX, page, 5, &n, &info), HKS_ERR_ARG);
    }
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* hks_doc_find: every hit found again by its key; ids shared by two
 * collections stay apart; deleted and unknown keys are not found. */
static void test_serve_find_by_collection_and_id(void **state)
{
    static const char *const a[][3] = {
        {"1593", "甲地疫苗接种", "甲地开展疫苗接种。"},
        {"7", "甲地义诊", "义诊活动。"},
    };
    static const char *const b[][3] = {
        {"1593", "乙地核酸检测", "乙地开展核酸检测。"},
    };
    char dir[4200];
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hits[50];
    hks_index_info ii;
    size_t n, i;
    uint32_t d1, d2, d;
    (void)state;
    open_dxy(&idx, &s);
    assert_int_equal(hks_index_info_get(idx, &ii), HKS_OK);
    assert_int_equal(ii.n_collections, 1);
    assert_int_equal(hks_search(s, "医院", strlen("医院"), hits, 50, &n, NULL), HKS_OK);
    assert_int_equal(n, 50);
    for (i = 0; i < n; i++) {
        hks_doc_meta m;
        char c[256], id[256];
        assert_int_equal(hks_doc_meta_get(s, hits[i].doc_id, &m), HKS_OK);
        snprintf(c, sizeof c, "%s", m.collection);
        snprintf(id, sizeof id, "%s", m.id);
        assert_int_equal(hks_doc_find(s, c, strlen(c), id, strlen(id), &d), HKS_OK);
        assert_int_equal(d, hits[i].doc_id);
    }
    assert_int_equal(hks_doc_find(s, "dxy_covid_news.docs", 19, "no-such-id", 10, &d),
                     HKS_ERR_NOTFOUND);
    assert_non_null(strstr(hks_searcher_errmsg(s), "no-such-id"));
    assert_int_equal(hks_doc_find(s, "other", 5, "1", 1, &d), HKS_ERR_NOTFOUND);
    assert_int_equal(hks_doc_find(NULL, "a", 1, "1", 1, &d), HKS_ERR_ARG);
    assert_int_equal(hks_doc_find(s, NULL, 1, "1", 1, &d), HKS_ERR_ARG);
    hks_searcher_free(s);
    hks_index_close(idx);

    subdir(dir, sizeof dir, "two");
    add_docs(dir, "a", a, 2);
    add_docs(dir, "b", b, 1);
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_index_info_get(idx, &ii), HKS_OK);
    assert_int_equal(ii.n_collections, 2);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_int_equal(hks_doc_find(s, "a", 1, "1593", 4, &d1), HKS_OK);
    assert_int_equal(hks_doc_find(s, "b", 1, "1593", 4, &d2), HKS_OK);
    assert_int_not_equal(d1, d2);
    {
        hks_doc_meta m;
        assert_int_equal(hks_doc_meta_get(s, d2, &m), HKS_OK);
        assert_string_equal(m.collection, "b");
        assert_string_equal(m.title, "乙地核酸检测");
    }
    assert_int_equal(hks_doc_find(s, "b", 1, "7", 1, &d), HKS_ERR_NOTFOUND);
    assert_int_equal(hks_doc_find(s, "a", 1, "159", 3, &d), HKS_ERR_NOTFOUND);
    hks_searcher_free(s);
    hks_index_close(idx);
    {
        hks_writer *w = NULL;
        assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
        assert_int_equal(hks_writer_delete(w, "b", 1, "1593", 4), HKS_OK);
        assert_int_equal(hks_writer_commit(w), HKS_OK);
        hks_writer_close(w);
    }
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_index_info_get(idx, &ii), HKS_OK);
    assert_int_equal(ii.n_collections, 1); /* b has no live document left */
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_int_equal(hks_doc_find(s, "b", 1, "1593", 4, &d), HKS_ERR_NOTFOUND);
    assert_int_equal(hks_doc_find(s, "a", 1, "1593", 4, &d), HKS_OK);
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* Every allocation of the key table and of the collection count can fail
 * cleanly: an error, no leak, and the next call works. */
static void test_serve_find_out_of_memory(void **state)
{
    long k;
    (void)state;
    for (k = 0;; k++) {
        hks_test_fault f;
        hks_index *idx = NULL;
        hks_searcher *s = NULL;
        hks_index_info ii;
        uint32_t d = 0;
        int rc, rc2 = HKS_OK;
        hks_test_fault_init(&f, k);
        rc = hks_index_open(g_dxy, &f.alloc, &idx);
        if (rc == HKS_OK)
            rc = hks_searcher_new(idx, &s);
        if (rc == HKS_OK) {
            rc = hks_doc_find(s, "dxy_covid_news.docs", 19, "1593", 4, &d);
            rc2 = hks_index_info_get(idx, &ii);
        }
        hks_searcher_free(s);
        hks_index_close(idx);
        assert_int_equal(f.live_blocks, 0);
        if (f.n_failed == 0) {
            assert_true(rc == HKS_OK || rc == HKS_ERR_NOTFOUND);
            assert_int_equal(rc2, HKS_OK);
            assert_int_equal(ii.n_collections, 1);
            break;
        }
        assert_true(rc == HKS_OK || rc == HKS_ERR_NOMEM || rc == HKS_ERR_NOTFOUND);
        assert_true(rc2 == HKS_OK || rc2 == HKS_ERR_NOMEM);
    }
}

/* A reader in this process, a writer in another: after the child's
 * commit the reader's index still answers from its own commit, says it
 * has changed, and a reopened index sees the new document. */
static void test_serve_reopen_sees_another_process_commit(void **state)
{
    static const char *const first[][3] = {{"1", "甲地疫苗接种", "甲地开展疫苗接种。"}};
    char dir[4200];
    hks_index *idx = NULL, *idx2 = NULL;
    hks_searcher *s = NULL, *s2 = NULL;
    hks_hit hits[4];
    size_t n;
    int changed = -1, status = 0;
    pid_t pid;
    (void)state;
    subdir(dir, sizeof dir, "live");
    add_docs(dir, "news", first, 1);
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_int_equal(hks_index_changed(idx, &changed), HKS_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(hks_index_reopen(idx, &idx2), HKS_DONE);
    assert_null(idx2);

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the writer: another process, its own handles */
        hks_writer *w = NULL;
        hks_doc d;
        int ok;
        hks_test_doc(&d, "2", "乙地核酸检测", "乙地今天开展全员核酸检测。");
        ok = hks_writer_open(dir, NULL, &w) == HKS_OK && hks_writer_add(w, &d) == HKS_OK &&
             hks_writer_commit(w) == HKS_OK;
        hks_writer_close(w);
        _exit(ok ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* The open index keeps its commit. */
    assert_int_equal(hks_search(s, "核酸检测", strlen("核酸检测"), hits, 4, &n, NULL), HKS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hks_index_changed(idx, &changed), HKS_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(hks_index_reopen(idx, &idx2), HKS_OK);
    assert_non_null(idx2);
    assert_int_equal(hks_searcher_new(idx2, &s2), HKS_OK);
    assert_int_equal(hks_search(s2, "核酸检测", strlen("核酸检测"), hits, 4, &n, NULL), HKS_OK);
    assert_int_equal(n, 1);
    {
        hks_doc_meta m;
        assert_int_equal(hks_doc_meta_get(s2, hits[0].doc_id, &m), HKS_OK);
        assert_string_equal(m.id, "2");
    }
    assert_int_equal(hks_search(s2, "疫苗接种", strlen("疫苗接种"), hits, 4, &n, NULL), HKS_OK);
    assert_int_equal(n, 1);
    /* The old searcher still works until it is freed; then the old index
     * is closed and the new one carries on. */
    assert_int_equal(hks_search(s, "疫苗接种", strlen("疫苗接种"), hits, 4, &n, NULL), HKS_OK);
    assert_int_equal(n, 1);
    hks_searcher_free(s);
    hks_index_close(idx);
    assert_int_equal(hks_index_changed(idx2, &changed), HKS_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(hks_index_reopen(idx2, &idx), HKS_DONE);
    hks_searcher_free(s2);
    hks_index_close(idx2);
    assert_int_equal(hks_index_changed(NULL, &changed), HKS_ERR_ARG);
    assert_int_equal(hks_index_reopen(NULL, &idx), HKS_ERR_ARG);
}

/* Whether doc's title or body holds text. */
static int doc_has(hks_searcher *s, uint32_t doc, const char *text)
{
    hks_doc_meta m;
    char *body;
    size_t len = 0;
    int found;
    assert_int_equal(hks_doc_meta_get(s, doc, &m), HKS_OK);
    if (strstr(m.title, text))
        return 1;
    assert_int_equal(hks_doc_body(s, doc, NULL, 0, &len) == HKS_ERR_BUFSIZE || len == 0, 1);
    body = malloc(len + 1);
    assert_non_null(body);
    assert_int_equal(hks_doc_body(s, doc, body, len, &len), HKS_OK);
    body[len] = '\0';
    found = strstr(body, text) != NULL;
    free(body);
    return found;
}

/* Budgets from 1 us up, growing by 15%, until the search of q completes
 * (HKS_OK, the full answer): each search stopped by its budget returns
 * HKS_PARTIAL with valid hits: real documents holding text, strict
 * matches, best first, no more matches counted than there are. Returns
 * how many stopped searches had hits already. */
static int budgets_up_to_complete(hks_searcher *s, const char *q, const char *text)
{
    hks_hit full[20], hits[20];
    hks_search_info fi, info;
    size_t n_full, n, i;
    double budget;
    int rc, with_hits = 0;
    assert_int_equal(hks_searcher_set(s, HKS_S_TIME_BUDGET_MS, 0), HKS_OK);
    assert_int_equal(hks_search(s, q, strlen(q), full, 20, &n_full, &fi), HKS_OK);
    assert_int_equal(n_full, 20);
    for (budget = 1e-3;; budget *= 1.15) {
        assert_true(budget < 60000);
        assert_int_equal(hks_searcher_set(s, HKS_S_TIME_BUDGET_MS, budget), HKS_OK);
        rc = hks_search(s, q, strlen(q), hits, 20, &n, &info);
        if (rc == HKS_OK)
            break;
        assert_int_equal(rc, HKS_PARTIAL);
        assert_true(n <= 20 && info.n_exact <= fi.n_exact);
        assert_true(n <= info.n_exact);
        for (i = 0; i < n; i++) {
            assert_true(hits[i].flags & HKS_HIT_EXACT);
            assert_true(doc_has(s, hits[i].doc_id, text));
            if (i)
                assert_true(hits[i].score <= hits[i - 1].score);
        }
        with_hits += n > 0;
    }
    assert_int_equal(n, n_full);
    assert_int_equal(info.n_exact, fi.n_exact);
    for (i = 0; i < n; i++)
        assert_int_equal(hits[i].doc_id, full[i].doc_id);
    return with_hits;
}

/* 的, in half the articles (a server's worst query), and 病例: a search
 * past its budget says so and returns what it has; a budget large
 * enough gives the full answer. */
static void test_serve_time_budget(void **state)
{
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hits[20];
    hks_search_info fi, info;
    hks_index_info ii;
    size_t n;
    int with_hits;
    (void)state;
    open_dxy(&idx, &s);
    assert_int_equal(hks_index_info_get(idx, &ii), HKS_OK);
    assert_int_equal(hks_search(s, "的", 3, hits, 20, &n, &fi), HKS_OK);
    assert_true(fi.n_exact > ii.n_docs / 3); /* 1,610 of 3,378 */

    assert_int_equal(hks_searcher_set(s, HKS_S_TIME_BUDGET_MS, 1e-6), HKS_OK);
    assert_int_equal(hks_search(s, "的", 3, hits, 20, &n, &info), HKS_PARTIAL);
    assert_true(n <= 20 && info.n_exact < fi.n_exact);
    /* A question stops too. */
    assert_int_equal(hks_search(s, "新冠肺炎疫情防控工作进展情况", 42, hits, 20, &n, &info),
                     HKS_PARTIAL);
    with_hits = budgets_up_to_complete(s, "的", "的");
    with_hits += budgets_up_to_complete(s, "病例", "病例");
    /* Some budget ran out part way, with hits found before it (the scan
     * of 病例's 2,163 articles reads the clock some 30 times). */
    print_message("searches stopped with hits: %d\n", with_hits);
    assert_true(with_hits > 0);
    assert_int_equal(hks_searcher_set(s, HKS_S_TIME_BUDGET_MS, 0), HKS_OK);
    assert_int_equal(hks_search(s, "的", 3, hits, 20, &n, &info), HKS_OK);
    assert_int_equal(hks_searcher_set(s, HKS_S_TIME_BUDGET_MS, -1), HKS_ERR_ARG);
    assert_int_equal(hks_searcher_set(s, HKS_S_TIME_BUDGET_MS, 1e12), HKS_ERR_ARG);
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* A short snippet (hksearch --snippet-chars) still holds a match: the
 * context before it shrinks with the window. */
static void test_serve_short_snippets_hold_their_match(void **state)
{
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hits[10];
    size_t n, i, chars;
    (void)state;
    open_dxy(&idx, &s);
    assert_int_equal(hks_search(s, "出院", 6, hits, 10, &n, NULL), HKS_OK);
    assert_int_equal(n, 10);
    for (chars = 2; chars <= 48; chars += 3)
        for (i = 0; i < n; i++) {
            char buf[1024];
            hks_span sp[8];
            size_t len, n_sp;
            assert_int_equal(hks_snippet(s, hits[i].doc_id, "出院", 6, chars, buf, sizeof buf,
                                         &len, sp, 8, &n_sp),
                             HKS_OK);
            assert_true(n_sp >= 1);
            assert_memory_equal(buf + sp[0].start, "出院", 6);
        }
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* The parameters the query language reads are taken, and checked. */
static void test_serve_literal_and_sort_parameters(void **state)
{
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    (void)state;
    assert_int_equal(HKS_S_LITERAL, 4);
    assert_int_equal(HKS_S_SORT, 5);
    assert_int_equal(HKS_S_TIME_BUDGET_MS, 6);
    open_dxy(&idx, &s);
    assert_int_equal(hks_searcher_set(s, HKS_S_LITERAL, 1), HKS_OK);
    assert_int_equal(hks_searcher_set(s, HKS_S_LITERAL, 0), HKS_OK);
    assert_int_equal(hks_searcher_set(s, HKS_S_SORT, 1), HKS_OK);
    assert_int_equal(hks_searcher_set(s, HKS_S_SORT, 0), HKS_OK);
    assert_int_equal(hks_searcher_set(s, HKS_S_SORT, 2), HKS_ERR_ARG);
    assert_non_null(strstr(hks_searcher_errmsg(s), "sort"));
    assert_int_equal(hks_searcher_set(s, (hks_sparam)99, 1), HKS_ERR_ARG);
    hks_searcher_free(s);
    hks_index_close(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serve_pages_by_offset),
        cmocka_unit_test(test_serve_find_by_collection_and_id),
        cmocka_unit_test(test_serve_find_out_of_memory),
        cmocka_unit_test(test_serve_reopen_sees_another_process_commit),
        cmocka_unit_test(test_serve_time_budget),
        cmocka_unit_test(test_serve_short_snippets_hold_their_match),
        cmocka_unit_test(test_serve_literal_and_sort_parameters),
    };
    return cmocka_run_group_tests_name("serve", tests, setup, teardown);
}
