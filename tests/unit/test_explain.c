/*
 * test_explain.c: hks_explain, how the last search scored its hits, on the
 * seed corpus (the five articles and the dxy sample, in several segments,
 * with a synonym table). For strict and partial hits, a prefix, a
 * synonym-expanded query and a one-character query, with recency and with
 * boilerplate, the explained score equals the hit's score to 1e-9
 * relative and is the sum of the terms' contributions; the tfs are the
 * counts of the terms in the article's text; a term is shown as the
 * article writes it (traditional characters); a document that is not a
 * hit of the last search, no search, a failed search, a short buffer and
 * running out of memory each get their status and message.
 */
#include "hks_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char g_tmp[4096], g_idx[4200], g_small[4200];

static const char k_syn[] = "新冠 / 新冠肺炎 / COVID-19\n"
                            "醫管局 / 醫院管理局\n";

static void build(const char *dir, bool with_dxy)
{
    hks_writer *w = NULL;
    char path[4096];
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    /* small flushes: the documents spread over several segments */
    assert_int_equal(hks_writer_set(w, HKS_W_MEMORY_BUDGET_MB, 1), HKS_OK);
    assert_int_equal(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 0), HKS_OK);
    if (hks_writer_add_path(w, hks_test_repo_path("corpus", path, sizeof path), NULL))
        fail_msg("add corpus: %s", hks_writer_errmsg(w));
    if (with_dxy &&
        hks_writer_add_path(
            w, hks_test_repo_path("corpus/dxy_covid_news.docs.jsonl.zst", path, sizeof path),
            NULL))
        fail_msg("add dxy: %s", hks_writer_errmsg(w));
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    if (with_dxy)
        assert_int_equal(hks_writer_set_synonyms(w, "syn.txt", k_syn, strlen(k_syn)), HKS_OK);
    hks_writer_close(w);
}

static int setup(void **state)
{
    (void)state;
    if (hks_test_tmpdir(g_tmp, sizeof g_tmp))
        return -1;
    snprintf(g_idx, sizeof g_idx, "%s/idx", g_tmp);
    snprintf(g_small, sizeof g_small, "%s/small", g_tmp);
    build(g_idx, true);
    build(g_small, false);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hks_test_rmtree(g_tmp);
    return 0;
}

#define MAX_TERMS (2 * 512 + 2)

typedef struct tally {
    size_t exact, partial; /* hits explained                      */
    size_t chars_found;    /* character-field terms with a tf      */
    size_t prefix_found;   /* prefix terms with a tf               */
    bool term_seen;        /* a term equal to want_term was scored */
    const char *want_term; /* (NULL: none asked for)               */
} tally;

/* Search q and explain every hit: the score recomputed is the hit's, the
 * sum is the terms' contributions', each contribution is BM25 of what it
 * reports. */
static void explain_all(hks_searcher *s, const char *q, tally *t)
{
    hks_hit hits[30];
    size_t n, i, k;
    hks_explain_term *terms = malloc(MAX_TERMS * sizeof *terms);
    assert_non_null(terms);
    const char *want = t->want_term;
    memset(t, 0, sizeof *t);
    t->want_term = want;
    if (hks_search(s, q, strlen(q), hits, 30, &n, NULL) < 0)
        fail_msg("search %s: %s", q, hks_searcher_errmsg(s));
    assert_true(n > 0);
    for (i = 0; i < n; i++) {
        hks_explanation ex;
        double sum = 0;
        int rc = hks_explain(s, hits[i].doc_id, &ex, terms, MAX_TERMS);
        if (rc)
            fail_msg("explain %s hit %zu: %s", q, i, hks_searcher_errmsg(s));
        if (fabs(ex.score - hits[i].score) > 1e-9 * fabs(hits[i].score))
            fail_msg("%s hit %zu: explained %.17g, scored %.17g", q, i, ex.score,
                     hits[i].score);
        assert_true(ex.hit_score == hits[i].score);
        assert_int_equal(ex.exact, (hits[i].flags & HKS_HIT_EXACT) != 0);
        assert_int_equal(ex.n_similar, hits[i].n_similar);
        assert_int_equal(ex.proximity, 0);
        assert_true(ex.n_terms > 0 && ex.n_terms <= MAX_TERMS);
        for (k = 0; k < ex.n_terms; k++) {
            const hks_explain_term *e = &terms[k];
            double w = e->qw * e->idf * e->field_weight, v = 0;
            if (e->tf && w != 0)
                v = w * e->tf * (e->k1 + 1) /
                    (e->tf + e->k1 * (1 - e->b + e->b * e->field_len / e->avg_len));
            assert_true(fabs(v - e->score) <= 1e-12 * fabs(v) + 1e-300);
            sum += e->score;
            assert_true(e->term_len > 0 && e->shown_len > 0);
            if (e->tf && e->field == HKS_FIELD_CHARS)
                t->chars_found++;
            if (e->tf && e->is_prefix)
                t->prefix_found++;
            if (e->tf && t->want_term && e->term_len == strlen(t->want_term) &&
                memcmp(e->term, t->want_term, e->term_len) == 0)
                t->term_seen = true;
        }
        assert_true(fabs(sum - ex.sum) <= 1e-9 * fabs(sum));
        assert_true(ex.sum > 0);
        if (ex.exact)
            t->exact++;
        else
            t->partial++;
    }
    free(terms);
}

static void open_both(const char *dir, hks_index **idx, hks_searcher **s)
{
    assert_int_equal(hks_index_open(dir, NULL, idx), HKS_OK);
    assert_int_equal(hks_searcher_new(*idx, s), HKS_OK);
}

static void check_queries(hks_index *idx, hks_searcher *s)
{
    tally t = {0};
    hks_index_info ii;
    /* strict: the phrase */
    explain_all(s, "疫苗接种", &t);
    assert_true(t.exact > 0);
    assert_int_equal(t.partial, 0);
    /* a question: strict hits (if any) then partial ones, with the
     * character field */
    explain_all(s, "新冠疫苗有什么副作用", &t);
    assert_true(t.partial > 0);
    assert_true(t.chars_found > 0);
    /* a plain query with no strict match falls back to partial ranking */
    explain_all(s, "疫苗接种冷链运输新冠", &t);
    assert_true(t.partial > 0);
    /* a prefix: tf summed over the words it begins */
    explain_all(s, "covid*", &t);
    assert_true(t.exact > 0 && t.prefix_found > 0);
    /* one character: its character-field list */
    explain_all(s, "医", &t);
    assert_true(t.exact > 0 && t.prefix_found > 0);
    explain_all(s, "title:医", &t);
    assert_true(t.exact > 0);
    /* synonyms: the group's other aliases are scored too */
    t.want_term = "covid";
    explain_all(s, "新冠", &t);
    assert_true(t.exact > 0 && t.term_seen);
    t.want_term = NULL;
    explain_all(s, "口罩 OR 防护服 -香港", &t);
    assert_true(t.exact > 0);
    assert_int_equal(hks_index_info_get(idx, &ii), HKS_OK);
    assert_true(ii.n_segments > 1);
}

static void test_explain_sums_equal_scores(void **state)
{
    hks_index *idx;
    hks_searcher *s;
    tally t = {0};
    (void)state;
    open_both(g_idx, &idx, &s);
    check_queries(idx, s);
    /* with recency: each score times its factor (undated ones 0.5) */
    assert_int_equal(hks_searcher_set(s, HKS_S_RECENCY, 30), HKS_OK);
    check_queries(idx, s);
    assert_int_equal(hks_searcher_set(s, HKS_S_RECENCY, 0), HKS_OK);
    /* with boilerplate matched: its keys count in the tfs (版权 is only in
     * a copyright line; 编辑 and 来源 in boilerplate and text) */
    assert_int_equal(hks_searcher_set(s, HKS_S_BOILERPLATE, 1), HKS_OK);
    check_queries(idx, s);
    explain_all(s, "版权", &t);
    assert_true(t.exact > 0);
    explain_all(s, "编辑 OR 来源", &t);
    assert_true(t.exact > 0);
    /* another character-field weighting, function words unweighted */
    assert_int_equal(hks_searcher_set(s, HKS_S_BOILERPLATE, 0), HKS_OK);
    assert_int_equal(hks_searcher_set(s, HKS_S_CHAR_WEIGHT, 0.5), HKS_OK);
    assert_int_equal(hks_searcher_set(s, HKS_S_FUNCTION_WORDS, 0), HKS_OK);
    check_queries(idx, s);
    hks_searcher_free(s);
    hks_index_close(idx);
}

static size_t count_in(const char *text, const char *w)
{
    size_t n = 0;
    const char *p = text;
    while ((p = strstr(p, w)) != NULL) {
        n++;
        p += strlen(w);
    }
    return n;
}

/* The terms of a hit with their tfs counted in the article's own text,
 * and shown in its script. */
static void test_explain_counts_the_article(void **state)
{
    hks_index *idx;
    hks_searcher *s;
    hks_hit hits[10];
    hks_explain_term terms[8];
    hks_explanation ex;
    size_t n, i, k, len;
    char path[4096], *text;
    bool seen_000 = false, seen_004 = false;
    (void)state;
    open_both(g_small, &idx, &s);
    assert_int_equal(hks_search(s, "疫苗接种", strlen("疫苗接种"), hits, 10, &n, NULL), HKS_OK);
    assert_true(n >= 2);
    for (i = 0; i < n; i++) {
        hks_doc_meta m;
        assert_int_equal(hks_doc_meta_get(s, hits[i].doc_id, &m), HKS_OK);
        if (!strncmp(m.id, "000_", 4)) {
            seen_000 = true;
            assert_int_equal(hks_explain(s, hits[i].doc_id, &ex, terms, 8), HKS_OK);
            assert_int_equal(ex.n_terms, 3); /* 疫苗 苗接 接种 */
            assert_int_equal(hks_test_read_file(hks_test_repo_path("corpus/000_beb05f062f43795e.txt",
                                                                   path, sizeof path),
                                                &text, &len),
                             0);
            for (k = 0; k < 3; k++) {
                char w[16];
                memcpy(w, terms[k].term, terms[k].term_len);
                w[terms[k].term_len] = '\0';
                assert_int_equal(terms[k].tf, count_in(text, w));
                assert_int_equal(terms[k].field, HKS_FIELD_TERMS);
                assert_true(terms[k].field_len > 0 && terms[k].avg_len > 0);
            }
            assert_int_equal(terms[0].tf, 14); /* 疫苗, as grep counts it */
            free(text);
        } else if (!strncmp(m.id, "004_", 4)) { /* the traditional article */
            seen_004 = true;
            assert_int_equal(hks_explain(s, hits[i].doc_id, &ex, terms, 8), HKS_OK);
            assert_int_equal(terms[2].term_len, strlen("接种"));
            assert_memory_equal(terms[2].term, "接种", strlen("接种"));
            assert_int_equal(terms[2].shown_len, strlen("接種"));
            assert_memory_equal(terms[2].shown, "接種", strlen("接種"));
        }
    }
    assert_true(seen_000 && seen_004);
    /* a term absent from the article is reported with tf 0 and shown
     * normalized */
    assert_int_equal(hks_search(s, "疫苗 OR 口罩", strlen("疫苗 OR 口罩"), hits, 10, &n, NULL),
                     HKS_OK);
    for (i = 0; i < n; i++) {
        size_t absent = 0;
        assert_int_equal(hks_explain(s, hits[i].doc_id, &ex, terms, 8), HKS_OK);
        for (k = 0; k < ex.n_terms; k++)
            if (!terms[k].tf) {
                absent++;
                assert_int_equal(terms[k].score, 0);
                assert_int_equal(terms[k].shown_len, terms[k].term_len);
            }
        assert_true(absent < ex.n_terms);
    }
    hks_searcher_free(s);
    hks_index_close(idx);
}

static void test_explain_errors(void **state)
{
    hks_index *idx;
    hks_searcher *s;
    hks_hit hits[3];
    hks_explain_term one;
    hks_explanation ex;
    size_t n;
    uint32_t other = UINT32_MAX;
    (void)state;
    open_both(g_small, &idx, &s);
    /* no search yet */
    assert_int_equal(hks_explain(s, 0, &ex, NULL, 0), HKS_ERR_NOTFOUND);
    assert_non_null(strstr(hks_searcher_errmsg(s), "no search"));
    assert_int_equal(hks_explain(NULL, 0, &ex, NULL, 0), HKS_ERR_ARG);
    assert_int_equal(hks_explain(s, 0, NULL, NULL, 0), HKS_ERR_ARG);
    assert_int_equal(hks_explain(s, 0, &ex, NULL, 3), HKS_ERR_ARG);
    /* one hit of 疫苗接种: another document is not a hit */
    assert_int_equal(hks_search(s, "疫苗接种", strlen("疫苗接种"), hits, 1, &n, NULL), HKS_OK);
    assert_int_equal(n, 1);
    for (uint32_t d = 0; d < 5; d++)
        if (d != hits[0].doc_id)
            other = d;
    assert_int_equal(hks_explain(s, other, &ex, NULL, 0), HKS_ERR_NOTFOUND);
    assert_non_null(strstr(hks_searcher_errmsg(s), "not a hit of the last search"));
    assert_int_equal(hks_explain(s, 999999, &ex, NULL, 0), HKS_ERR_NOTFOUND);
    /* a short buffer: the summary all the same, the first term written */
    assert_int_equal(hks_explain(s, hits[0].doc_id, &ex, &one, 1), HKS_ERR_BUFSIZE);
    assert_int_equal(ex.n_terms, 3);
    assert_true(fabs(ex.score - hits[0].score) <= 1e-9 * hits[0].score);
    assert_int_equal(one.term_len, strlen("疫苗"));
    assert_memory_equal(one.term, "疫苗", one.term_len);
    assert_int_equal(hks_explain(s, hits[0].doc_id, &ex, NULL, 0), HKS_ERR_BUFSIZE);
    /* a failed search leaves nothing to explain */
    assert_int_equal(hks_search(s, "(疫苗", strlen("(疫苗"), hits, 3, &n, NULL), HKS_ERR_QUERY);
    assert_int_equal(hks_explain(s, hits[0].doc_id, &ex, NULL, 0), HKS_ERR_NOTFOUND);
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* Out of memory anywhere in a search and its explanation: NOMEM or a
 * consistent answer, never a leak. */
static void test_explain_out_of_memory(void **state)
{
    long k;
    (void)state;
    for (k = 0;; k++) {
        hks_test_fault f;
        hks_index *idx = NULL;
        hks_searcher *s = NULL;
        hks_hit hits[4];
        hks_explain_term terms[8];
        hks_explanation ex;
        size_t n = 0;
        int rc;
        hks_test_fault_init(&f, k);
        rc = hks_index_open(g_small, &f.alloc, &idx);
        if (rc == HKS_OK)
            rc = hks_searcher_new(idx, &s);
        if (rc == HKS_OK)
            rc = hks_search(s, "疫苗接种", strlen("疫苗接种"), hits, 4, &n, NULL);
        if (rc == HKS_OK) {
            assert_true(n > 0);
            rc = hks_explain(s, hits[0].doc_id, &ex, terms, 8);
            /* a table lost to memory during the search: nothing to
             * explain, said so */
            assert_true(rc == HKS_OK || rc == HKS_ERR_NOMEM || rc == HKS_ERR_NOTFOUND);
            if (rc == HKS_OK)
                assert_true(fabs(ex.score - hits[0].score) <= 1e-9 * hits[0].score);
        }
        hks_searcher_free(s);
        hks_index_close(idx);
        assert_int_equal(f.live_blocks, 0);
        if (f.n_failed == 0) {
            assert_int_equal(rc, HKS_OK);
            break;
        }
        assert_true(rc == HKS_OK || rc == HKS_ERR_NOMEM || rc == HKS_ERR_NOTFOUND);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_explain_sums_equal_scores),
        cmocka_unit_test(test_explain_counts_the_article),
        cmocka_unit_test(test_explain_errors),
        cmocka_unit_test(test_explain_out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
