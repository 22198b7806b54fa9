/*
 * test_api.c: end to end through hks.h: build indexes from corpus/ and
 * from a real news file, search them, and check the answers against
 * things computed independently in this file: the expected seed articles,
 * a hand-computed BM25 score, a plain scan of the normalized text for
 * phrase hits, and the same hits and scores whatever the segmentation.
 * Everything under test goes through hks.h; only the reference scan uses
 * internals (hks_corpus_read to read the news file, hks_norm_text for the
 * text it scans), none of the index or search code.
 */
#include "hks_test.h"
#include "hks_indexer.h" /* the reference scan only */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    snprintf(buf, cap, "%s/%s", g_tmp, name);
}

static void build_from(const char *dir, const char *src, long long budget_mb, int merge)
{
    hks_writer *w = NULL;
    int rc = hks_writer_open(dir, hks_test_cm_alloc(), &w);
    assert_int_equal(rc, HKS_OK);
    if (budget_mb)
        assert_int_equal(hks_writer_set(w, HKS_W_MEMORY_BUDGET_MB, budget_mb), HKS_OK);
    assert_int_equal(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, merge), HKS_OK);
    rc = hks_writer_add_path(w, src, NULL);
    if (rc)
        fail_msg("add %s: %s", src, hks_writer_errmsg(w));
    rc = hks_writer_commit(w);
    if (rc)
        fail_msg("commit: %s", hks_writer_errmsg(w));
    hks_writer_close(w);
}

/* Search and return the ids of all strict hits (not the partial matches
 * a question-like query adds after them), sorted, joined by spaces. */
static void hit_ids(hks_searcher *s, const char *q, char *out, size_t cap, uint64_t *n_exact)
{
    hks_hit hits[64];
    size_t n, i;
    hks_search_info info;
    char ids[64][64];
    int rc = hks_search(s, q, strlen(q), hits, 64, &n, &info);
    if (rc)
        fail_msg("search %s: %s", q, hks_searcher_errmsg(s));
    for (i = 0; i < n && (hits[i].flags & HKS_HIT_EXACT); i++) {
        hks_doc_meta m;
        assert_int_equal(hks_doc_meta_get(s, hits[i].doc_id, &m), HKS_OK);
        snprintf(ids[i], sizeof ids[i], "%.3s", m.id); /* "000", "001", ... */
    }
    n = i;
    qsort(ids, n, sizeof ids[0], (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (i = 0; i < n; i++) {
        strncat(out, ids[i], cap - strlen(out) - 2);
        if (i + 1 < n)
            strcat(out, " ");
    }
    if (n_exact)
        *n_exact = info.n_exact;
}

static void test_api_corpus_phrase_in_both_scripts(void **state)
{
    char dir[4200], corpus[4200], ids[1024];
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    uint64_t n_exact;
    (void)state;
    subdir(dir, sizeof dir, "corpus-idx");
    build_from(dir, hks_test_repo_path("corpus", corpus, sizeof corpus), 0, 1);
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    hit_ids(s, "疫苗接种", ids, sizeof ids, &n_exact);
    assert_string_equal(ids, "000 001 002 004");
    assert_int_equal(n_exact, 4);
    hit_ids(s, "疫苗接種", ids, sizeof ids, &n_exact); /* traditional query */
    assert_string_equal(ids, "000 001 002 004");
    hit_ids(s, "衞生", ids, sizeof ids, NULL); /* HK variant of 卫生 */
    assert_true(strlen(ids) >= 3);
    hit_ids(s, "疫苗接种 -襄垣县", ids, sizeof ids, NULL);
    assert_string_equal(ids, "001 002 004");
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* A phrase across a separator ("A B", A，B) matches only where A's run
 * really ends and B's begins: not across one character in place of the
 * separator, not with no separator at all, and never from the title into
 * the body. */
static void test_api_phrase_gaps_are_separators_only(void **state)
{
    static const char *const docs[][3] = {
        {"a", "", "高血压和糖尿病的饮食"},
        {"b", "", "高血压，糖尿病患者"},
        {"c", "", "高血压糖尿病自我管理"},
        {"d", "心脏病", "肝炎患者"},
        {"e", "", "医，院长说"},
        {"f", "", "医生院长说"},
        {"g", "", "新冠肺炎甲乙丙丁戊己庚辛壬癸子丑寅卯新冠肺炎辰巳午未申酉戌亥天地玄黄宇宙洪荒"},
        {"h", "", "新冠mRNA疫苗上市"},
        {"i", "", "接种HPV 疫苗"},
    };
    char dir[4200], ids[1024];
    hks_writer *w = NULL;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    size_t i;
    (void)state;
    subdir(dir, sizeof dir, "gaps-idx");
    assert_int_equal(hks_writer_open(dir, hks_test_cm_alloc(), &w), HKS_OK);
    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        hks_doc d;
        hks_test_doc(&d, docs[i][0], docs[i][1], docs[i][2]);
        assert_int_equal(hks_writer_add(w, &d), HKS_OK);
    }
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    /* A space of the quotes between Chinese words: the words as written,
     * run together or set apart by a separator. */
    hit_ids(s, "\"高血压 糖尿病\"", ids, sizeof ids, NULL);
    assert_string_equal(ids, "b c");
    hit_ids(s, "高血压，糖尿病", ids, sizeof ids, NULL);
    assert_string_equal(ids, "b");
    hit_ids(s, "\"高血压 尿病\"", ids, sizeof ids, NULL);
    assert_string_equal(ids, "");
    hit_ids(s, "高血压糖尿病", ids, sizeof ids, NULL);
    assert_string_equal(ids, "c");
    hit_ids(s, "\"心脏病 肝炎\"", ids, sizeof ids, NULL);
    assert_string_equal(ids, "");
    hit_ids(s, "title:心脏病 肝炎", ids, sizeof ids, NULL);
    assert_string_equal(ids, "d");
    hit_ids(s, "\"医 院\"", ids, sizeof ids, NULL);
    assert_string_equal(ids, "e");
    /* A Latin word in the gap is not a separator; a word next to Chinese
     * is the same with or without a space. */
    hit_ids(s, "\"新冠 疫苗\"", ids, sizeof ids, NULL);
    assert_string_equal(ids, "");
    hit_ids(s, "新冠mrna疫苗", ids, sizeof ids, NULL);
    assert_string_equal(ids, "h");
    hit_ids(s, "HPV疫苗", ids, sizeof ids, NULL);
    assert_string_equal(ids, "i");
    /* A snippet of 20 characters from 0 would cut the second 新冠肺炎
     * (characters 18-21): it is shown whole, and both are highlighted. */
    {
        hks_hit h[2];
        hks_span sp[4];
        char buf[512];
        size_t n, len, n_sp, k;
        assert_int_equal(hks_search(s, "新冠肺炎", strlen("新冠肺炎"), h, 2, &n, NULL), HKS_OK);
        assert_int_equal(n, 1);
        assert_int_equal(hks_snippet(s, h[0].doc_id, "新冠肺炎", strlen("新冠肺炎"), 20, buf,
                                     sizeof buf, &len, sp, 4, &n_sp),
                         HKS_OK);
        assert_int_equal(n_sp, 2);
        for (k = 0; k < n_sp; k++) {
            assert_int_equal(sp[k].end - sp[k].start, strlen("新冠肺炎"));
            assert_memory_equal(buf + sp[k].start, "新冠肺炎", strlen("新冠肺炎"));
        }
        /* A match longer than the window (characters 8-17 of 10) is shown,
         * cut, and highlighted. */
        assert_int_equal(hks_snippet(s, h[0].doc_id, "戊己庚辛壬癸子丑寅卯",
                                     strlen("戊己庚辛壬癸子丑寅卯"), 10, buf, sizeof buf, &len, sp,
                                     4, &n_sp),
                         HKS_OK);
        assert_int_equal(n_sp, 1);
        assert_memory_equal(buf + sp[0].start, "戊己", strlen("戊己"));
    }
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* Ids of all hits of q in rank order (exact or not), "" when none. */
static void ranked_ids(hks_searcher *s, const char *q, char *out, size_t cap)
{
    hks_hit hits[64];
    size_t n, i;
    int rc = hks_search(s, q, strlen(q), hits, 64, &n, NULL);
    if (rc)
        fail_msg("search %s: %s", q, hks_searcher_errmsg(s));
    out[0] = '\0';
    for (i = 0; i < n; i++) {
        hks_doc_meta m;
        assert_int_equal(hks_doc_meta_get(s, hits[i].doc_id, &m), HKS_OK);
        if (i)
            strncat(out, " ", cap - strlen(out) - 1);
        strncat(out, m.id, cap - strlen(out) - 1);
    }
}

static void expect_error(hks_searcher *s, const char *q, const char *msg)
{
    hks_hit h[4];
    size_t n;
    int rc = hks_search(s, q, strlen(q), h, 4, &n, NULL);
    if (rc != HKS_ERR_QUERY || !strstr(hks_searcher_errmsg(s), msg))
        fail_msg("%s: rc %d, message %s (wanted %s)", q, rc, hks_searcher_errmsg(s), msg);
}

/* The query language: grouping, AND/NOT, quoted spaces between Chinese
 * words, prefix words, filters alone, sorting, the literal mode. */
static void test_api_query_language(void **state)
{
    static const char *const docs[][4] = {
        /* id, date, collection, body */
        {"a", "2021-01-05", "news", "新冠疫苗接种开始"},
        {"b", "2021-03-01", "news", "新冠 疫苗到货"},
        {"c", "2020-12-01", "news", "新冠，疫苗与口罩"},
        {"d", "2022-01-01", "news", "新冠mRNA疫苗上市"},
        {"e", "2019-05-05", "news", "新冠的疫苗"},
        {"f", "2020-06-01", "other.docs", "口罩 医院 香港"},
        {"g", "2020-07-01", "other.docs", "防护服 医院"},
        {"h", "2020-08-01", "news", "COVID19 vaccine and vaccination not now"},
        {"i", "2020-09-01", "news", "口罩 title:医院 -香港 (防护服) \"OR\""},
    };
    char dir[4200], ids[1024];
    hks_writer *w = NULL;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    size_t i;
    (void)state;
    subdir(dir, sizeof dir, "lang-idx");
    assert_int_equal(hks_writer_open(dir, hks_test_cm_alloc(), &w), HKS_OK);
    for (i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        hks_doc d;
        hks_test_doc(&d, docs[i][0], i == 5 ? "醫管局通報" : i == 6 ? "衞生署"
                                                                    : "",
                     docs[i][3]);
        d.date = docs[i][1];
        d.date_len = strlen(d.date);
        d.collection = docs[i][2];
        d.collection_len = strlen(d.collection);
        assert_int_equal(hks_writer_add(w, &d), HKS_OK);
    }
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);

    /* A quoted space between Chinese words: run together or set apart by
     * a separator, never with a word or a character in between. */
    hit_ids(s, "\"新冠 疫苗\"", ids, sizeof ids, NULL);
    assert_string_equal(ids, "a b c");
    hit_ids(s, "＂新冠 疫苗＂", ids, sizeof ids, NULL); /* full-width quotes */
    assert_string_equal(ids, "a b c");
    hit_ids(s, "疫苗 -\"新冠 疫苗\"", ids, sizeof ids, NULL);
    assert_string_equal(ids, "d e");
    hit_ids(s, "\"冠 疫\"", ids, sizeof ids, NULL);
    assert_string_equal(ids, "a b c");

    /* Parentheses group; OR binds tighter than AND. */
    hit_ids(s, "口罩 OR (防护服 医院)", ids, sizeof ids, NULL);
    assert_string_equal(ids, "c f g i");
    hit_ids(s, "(口罩 OR 防护服) 医院", ids, sizeof ids, NULL);
    assert_string_equal(ids, "f g i");
    hit_ids(s, "（口罩 OR 防护服） 医院", ids, sizeof ids, NULL);
    assert_string_equal(ids, "f g i");
    hit_ids(s, "title:(醫管局 OR 衞生署)", ids, sizeof ids, NULL);
    assert_string_equal(ids, "f g");
    hit_ids(s, "医院 -(香港 OR 防护服)", ids, sizeof ids, NULL);
    assert_string_equal(ids, "");
    hit_ids(s, "医院 -(香港 防护服)", ids, sizeof ids, NULL);
    assert_string_equal(ids, "f g");
    expect_error(s, "(口罩 OR 防护服 医院", "unbalanced parenthesis at byte 0");
    expect_error(s, "口罩 OR 防护服) 医院", "unbalanced parenthesis at byte 19");
    expect_error(s, "口罩 （防护服", "unbalanced parenthesis at byte 7");
    expect_error(s, "口罩 ()", "nothing to search for");
    /* A parenthesis inside a word is text, a separator: 肺炎(COVID-19) */
    hit_ids(s, "医院(香港)", ids, sizeof ids, NULL);
    assert_string_equal(ids, "f i");

    /* AND and NOT are operators; lower case they are words. */
    hit_ids(s, "口罩 AND 医院", ids, sizeof ids, NULL);
    assert_string_equal(ids, "f i");
    hit_ids(s, "口罩 NOT 香港", ids, sizeof ids, NULL);
    assert_string_equal(ids, "c");
    hit_ids(s, "口罩 -香港", ids, sizeof ids, NULL);
    assert_string_equal(ids, "c");
    hit_ids(s, "vaccine and", ids, sizeof ids, NULL);
    assert_string_equal(ids, "h");
    hit_ids(s, "vaccine not", ids, sizeof ids, NULL);
    assert_string_equal(ids, "h");
    expect_error(s, "口罩 AND", "AND at byte 7 needs a term after it");
    expect_error(s, "NOT 香港", "only excluded");

    /* Prefix words. */
    hit_ids(s, "vacc*", ids, sizeof ids, NULL);
    assert_string_equal(ids, "h");
    hit_ids(s, "covid*", ids, sizeof ids, NULL);
    assert_string_equal(ids, "h");
    hit_ids(s, "covid", ids, sizeof ids, NULL);
    assert_string_equal(ids, "");
    expect_error(s, "疫苗*", "follows Chinese text");

    /* Filters alone browse, newest first; a collection: filter. */
    ranked_ids(s, "date:2020", ids, sizeof ids);
    assert_string_equal(ids, "c i h g f");
    ranked_ids(s, "source:卫健委 date:2021..", ids, sizeof ids);
    assert_string_equal(ids, "d b a");
    ranked_ids(s, "collection:other", ids, sizeof ids);
    assert_string_equal(ids, "g f");
    ranked_ids(s, "collection:other.docs 医院", ids, sizeof ids);
    assert_int_equal(strlen(ids), 3);
    ranked_ids(s, "collection:oth", ids, sizeof ids);
    assert_string_equal(ids, "");
    expect_error(s, "医院 -collection:news", "cannot be excluded");
    expect_error(s, "(医院 date:2020)", "whole query");

    /* Sorting by date: newest first, whatever the score. */
    assert_int_equal(hks_searcher_set(s, HKS_S_SORT, HKS_SORT_DATE), HKS_OK);
    ranked_ids(s, "疫苗", ids, sizeof ids);
    assert_string_equal(ids, "d b a c e");
    assert_int_equal(hks_searcher_set(s, HKS_S_SORT, 2), HKS_ERR_ARG);
    assert_int_equal(hks_searcher_set(s, HKS_S_SORT, HKS_SORT_RELEVANCE), HKS_OK);

    /* Literal mode: the operators are text. */
    hit_ids(s, "口罩 -香港", ids, sizeof ids, NULL);
    assert_string_equal(ids, "c");
    assert_int_equal(hks_searcher_set(s, HKS_S_LITERAL, 1), HKS_OK);
    hit_ids(s, "口罩 -香港", ids, sizeof ids, NULL);
    assert_string_equal(ids, "f i");
    hit_ids(s, "(口罩", ids, sizeof ids, NULL);
    assert_string_equal(ids, "c f i");
    hit_ids(s, "title:医院", ids, sizeof ids, NULL);
    assert_string_equal(ids, "i");
    assert_int_equal(hks_searcher_set(s, HKS_S_LITERAL, 0), HKS_OK);
    hit_ids(s, "title:医院", ids, sizeof ids, NULL);
    assert_string_equal(ids, "");
    hks_searcher_free(s);
    hks_index_close(idx);
}

static void test_api_one_char_no_match_and_bad_queries(void **state)
{
    char dir[4200], ids[1024];
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hits[8];
    size_t n = 99;
    hks_search_info info;
    (void)state;
    subdir(dir, sizeof dir, "corpus-idx");
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    /* 襄 occurs only in 000 (襄垣县); 004 is the only article with 綿 (綿陽). */
    hit_ids(s, "襄", ids, sizeof ids, NULL);
    assert_string_equal(ids, "000");
    hit_ids(s, "绵", ids, sizeof ids, NULL);
    assert_string_equal(ids, "004");
    assert_int_equal(hks_search(s, "鐵達尼號", strlen("鐵達尼號"), hits, 8, &n, &info), HKS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(info.n_exact, 0);
    /* A lone quote mark is text, as a web search engine reads it. */
    assert_int_equal(hks_search(s, "\"疫苗", 7, hits, 8, &n, &info), HKS_OK);
    assert_int_equal(info.n_exact, 4);
    assert_int_equal(hks_search(s, "\"", 1, hits, 8, &n, &info), HKS_ERR_QUERY);
    assert_non_null(strstr(hks_searcher_errmsg(s), "nothing to search for"));
    assert_int_equal(hks_search(s, "。，", 6, hits, 8, &n, &info), HKS_ERR_QUERY);
    assert_int_equal(hks_search(s, "-", 1, hits, 8, &n, &info), HKS_ERR_QUERY);
    assert_int_equal(hks_search(s, "疫苗 OR", 9, hits, 8, &n, &info), HKS_ERR_QUERY);
    assert_int_equal(hks_search(NULL, "x", 1, hits, 8, &n, &info), HKS_ERR_ARG);
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* The three documents of the BM25 tests, d1 疫苗, d2 疫苗疫苗, d3 医院, into
 * a new index at dir, committed after the first split_after of them and
 * at the end (one segment when split_after is 3, two when it is 2). */
static void write_bm25_docs(const char *dir, size_t split_after)
{
    static const char *bodies[] = {"疫苗", "疫苗疫苗", "医院"};
    hks_writer *w = NULL;
    size_t i;
    assert_int_equal(hks_writer_open(dir, hks_test_cm_alloc(), &w), HKS_OK);
    for (i = 0; i < 3; i++) {
        hks_doc d;
        char id[8];
        memset(&d, 0, sizeof d);
        snprintf(id, sizeof id, "d%zu", i + 1);
        d.id = id;
        d.id_len = strlen(id);
        d.body = bodies[i];
        d.body_len = strlen(bodies[i]);
        assert_int_equal(hks_writer_add(w, &d), HKS_OK);
        if (i + 1 == split_after && i + 1 < 3)
            assert_int_equal(hks_writer_commit(w), HKS_OK);
    }
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
}

static void test_api_bm25_matches_hand_computation(void **state)
{
    /* Three documents: "疫苗" (tokens 疫苗 苗: length 2), "疫苗疫苗" (疫苗 苗疫
     * 疫苗 苗: length 4, tf 2) and "医院" (length 2). N = 3, avgdl = 8/3,
     * df(疫苗) = 2, idf = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln 1.6.
     *   doc 2: ln 1.6 * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 4 / (8/3)))
     *        = 0.4700036 * 4.4 / 3.65 = 0.5665797
     *   doc 1: ln 1.6 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / (8/3)))
     *        = 0.4700036 * 2.2 / 1.975 = 0.5235484 */
    char dir[4200];
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hits[4];
    size_t n;
    (void)state;
    subdir(dir, sizeof dir, "bm25-idx");
    write_bm25_docs(dir, 3);
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_int_equal(hks_search(s, "疫苗", 6, hits, 4, &n, NULL), HKS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(hits[0].doc_id, 1);
    assert_true(fabs(hits[0].score - 0.5665797) < 1e-6);
    assert_int_equal(hits[1].doc_id, 0);
    assert_true(fabs(hits[1].score - 0.5235484) < 1e-6);
    /* k1 and b are settable: b = 0 removes length normalization. */
    assert_int_equal(hks_searcher_set(s, HKS_S_BM25_B, 0.0), HKS_OK);
    assert_int_equal(hks_search(s, "疫苗", 6, hits, 4, &n, NULL), HKS_OK);
    assert_true(fabs(hits[1].score - 0.4700036) < 1e-6); /* ln1.6 * 2.2 / 2.2 */
    assert_int_equal(hks_searcher_set(s, HKS_S_BM25_B, 1.5), HKS_ERR_ARG);
    hks_searcher_free(s);
    hks_index_close(idx);
}

static void test_api_lone_char_df_is_capped_at_n(void **state)
{
    /* The same three documents, the first two in one segment and the third
     * in another. 苗 alone is a prefix: its df is the sum over the terms it
     * starts (苗 in both documents, 苗疫 in the second: 3), at most N = 3,
     * which the first segment already reaches (the search stops counting
     * there). idf = ln(1 + (3 - 3 + 0.5) / (3 + 0.5)) = ln(8/7) = 0.1335314;
     * tf is 苗's count, the length the document's terms:
     *   doc 1: ln(8/7) * 2 * 2.2 / (2 + 1.2 * (0.25 + 0.75 * 4 / (8/3))) = 0.1609693
     *   doc 0: ln(8/7) * 2.2 / (1 + 1.2 * (0.25 + 0.75 * 2 / (8/3))) = 0.1487438 */
    char dir[4200];
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_index_info ii;
    hks_hit hits[4];
    size_t n;
    (void)state;
    subdir(dir, sizeof dir, "char-df-idx");
    write_bm25_docs(dir, 2);
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_index_info_get(idx, &ii), HKS_OK);
    assert_int_equal(ii.n_segments, 2);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_int_equal(hks_search(s, "苗", strlen("苗"), hits, 4, &n, NULL), HKS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(hits[0].doc_id, 1);
    assert_true(fabs(hits[0].score - 0.1609693) < 1e-6);
    assert_int_equal(hits[1].doc_id, 0);
    assert_true(fabs(hits[1].score - 0.1487438) < 1e-6);
    hks_searcher_free(s);
    hks_index_close(idx);
}

static void test_api_snippet_of_traditional_article(void **state)
{
    char dir[4200], buf[1024];
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hits[8];
    size_t n, i, len, n_sp;
    hks_span sp[8];
    bool seen = false;
    (void)state;
    subdir(dir, sizeof dir, "corpus-idx");
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_int_equal(hks_search(s, "疫苗接种", 12, hits, 8, &n, NULL), HKS_OK);
    for (i = 0; i < n; i++) {
        hks_doc_meta m;
        assert_int_equal(hks_doc_meta_get(s, hits[i].doc_id, &m), HKS_OK);
        if (strncmp(m.id, "004", 3) != 0)
            continue;
        seen = true;
        assert_int_equal(hks_snippet(s, hits[i].doc_id, "疫苗接种", 12, 60, buf, sizeof buf, &len,
                                     sp, 8, &n_sp),
                         HKS_OK);
        assert_int_equal(strlen(buf), len);
        assert_true(n_sp >= 1);
        /* The span is the traditional text as written. */
        assert_int_equal(sp[0].end - sp[0].start, 12);
        assert_memory_equal(buf + sp[0].start, "疫苗接種", 12);
        /* Too small a buffer: the size needed. */
        assert_int_equal(hks_snippet(s, hits[i].doc_id, "疫苗接种", 12, 60, buf, 4, &len, NULL, 0,
                                     NULL),
                         HKS_ERR_BUFSIZE);
        assert_true(len > 4);
    }
    assert_true(seen);
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* ---- real news: a plain scan as the reference ---------------------------- */

typedef struct refdoc {
    char *id;
    char *text; /* normalized title, a newline, normalized body */
} refdoc;

typedef struct refset {
    refdoc *d;
    size_t n, cap;
} refset;

static size_t norm_utf8(const char *s, size_t n, char **out)
{
    hks_ntext t;
    size_t i, k = 0;
    hks_ntext_init(&t, NULL);
    assert_int_equal(hks_norm_text(&t, s, n), HKS_OK);
    *out = malloc(t.n * 4 + 1);
    for (i = 0; i < t.n; i++)
        k += hks_utf8_put((uint8_t *)*out + k, t.cp[i]);
    (*out)[k] = '\0';
    hks_ntext_free(&t);
    return k;
}

static int collect(void *ctx, const hks_doc *d)
{
    refset *r = ctx;
    char *t, *b;
    size_t nt, nb;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->d = realloc(r->d, r->cap * sizeof *r->d);
    }
    r->d[r->n].id = strndup(d->id, d->id_len);
    nt = norm_utf8(d->title ? d->title : "", d->title_len, &t);
    nb = norm_utf8(d->body ? d->body : "", d->body_len, &b);
    r->d[r->n].text = malloc(nt + nb + 2);
    memcpy(r->d[r->n].text, t, nt);
    r->d[r->n].text[nt] = '\n';
    memcpy(r->d[r->n].text + nt + 1, b, nb + 1);
    free(t);
    free(b);
    r->n++;
    return HKS_OK;
}

static const char *const phrases[] = {
    "疫苗接种",
    "新冠肺炎",
    "无症状感染者",
    "卫生健康委员会",
    "口罩",
    "钟南山",
    "医",
    "苗", /* one character: its list in the character field */
    "衞", /* folds to 卫 */
    "武汉",
    "发热门诊",
    "核酸检测",
    "醫護人員",
    "湖北省卫健委",
    /* A lone character after a separator: a prefix whose positions count
     * (the character must begin the run after the gap), its documents
     * taken from the character list and its union opened only for the
     * documents the phrase's other elements agree on. */
    "病例，累",
    "确诊病例，其",
    "肺炎，新",
    "患者，其",
    "疫情防控，如",
};

/* A word character for the reference scan: ASCII letters and digits, CJK
 * ideographs; the rest of normalized news text separates runs. */
static bool ref_word_char(const char *p, size_t *len)
{
    uint32_t cp = (uint8_t)p[0];
    *len = hks_utf8_len((uint8_t)p[0]);
    if (*len == 3)
        cp = (cp & 0x0F) << 12 | ((uint8_t)p[1] & 0x3F) << 6 | ((uint8_t)p[2] & 0x3F);
    if (*len == 1)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    return *len == 4 || (*len == 3 && ((cp >= 0x3400 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF)));
}

/* Does the normalized field f hold the normalized query nq: the string
 * itself, or for "A,B" A, then one or more separators, then B (the run
 * after the gap begins with B)? */
static bool ref_field_has(const char *f, const char *nq)
{
    const char *comma = strchr(nq, ',');
    size_t na;
    const char *p;
    if (!comma)
        return strstr(f, nq) != NULL;
    na = (size_t)(comma - nq);
    for (p = f; *p; p++) {
        const char *q = p + na, *b = comma + 1;
        size_t cl, n_sep = 0;
        if (strncmp(p, nq, na) != 0)
            continue;
        while (*q && !ref_word_char(q, &cl)) {
            q += cl;
            n_sep++;
        }
        if (n_sep && strncmp(q, b, strlen(b)) == 0)
            return true;
    }
    return false;
}

/* The same over a document's title and body (a phrase never spans them). */
static bool ref_has(const refdoc *d, const char *nq)
{
    const char *nl = strchr(d->text, '\n');
    char *title = strndup(d->text, (size_t)(nl - d->text));
    bool hit = ref_field_has(title, nq) || ref_field_has(nl + 1, nq);
    free(title);
    return hit;
}

static void compare_with_scan(hks_searcher *s, const refset *r, const char *q, double *scores,
                              uint32_t *docs, size_t *n_out)
{
    static hks_hit hits[4000];
    hks_search_info info;
    char *nq;
    size_t n, i, expect = 0, nn;
    nn = norm_utf8(q, strlen(q), &nq);
    (void)nn;
    for (i = 0; i < r->n; i++)
        if (ref_has(&r->d[i], nq))
            expect++;
    assert_int_equal(hks_search(s, q, strlen(q), hits, 4000, &n, &info), HKS_OK);
    if (info.n_exact != expect)
        fail_msg("%s: index finds %llu, the scan %zu", q, (unsigned long long)info.n_exact,
                 expect);
    for (i = 0; i < n && (hits[i].flags & HKS_HIT_EXACT); i++) {
        hks_doc_meta m;
        size_t j;
        assert_int_equal(hks_doc_meta_get(s, hits[i].doc_id, &m), HKS_OK);
        for (j = 0; j < r->n && strcmp(r->d[j].id, m.id) != 0; j++)
            ;
        assert_true(j < r->n);
        if (!ref_has(&r->d[j], nq))
            fail_msg("%s: hit %s does not contain it", q, m.id);
        if (scores) {
            scores[i] = hits[i].score;
            docs[i] = hits[i].doc_id;
        }
    }
    if (n_out)
        *n_out = i;
    free(nq);
}

static void test_api_news_phrases_match_a_plain_scan_in_any_segmentation(void **state)
{
    const char *data = hks_test_data_dir();
    char src[4200], one[4200], many[4200];
    refset r = {0};
    hks_index *i1 = NULL, *i2 = NULL;
    hks_searcher *s1 = NULL, *s2 = NULL;
    hks_index_info info;
    hks_errbuf err = {{0}};
    hks_progress prog = {0};
    size_t q, k;
    (void)state;
    if (!data) {
        print_message("skipped: ../shared/data not found (set HKS_DATA)\n");
        skip();
    }
    snprintf(src, sizeof src, "%s/dxy_covid_news.docs.jsonl.zst", data);
    assert_int_equal(hks_corpus_read(NULL, src, collect, &r, NULL, &prog, &err), HKS_OK);
    assert_int_equal(r.n, 3378);
    subdir(one, sizeof one, "news-one");
    subdir(many, sizeof many, "news-many");
    build_from(one, src, 0, 2);
    build_from(many, src, 1, 0); /* 1 MB budget, no merge: many segments */
    assert_int_equal(hks_index_open(one, NULL, &i1), HKS_OK);
    assert_int_equal(hks_index_open(many, NULL, &i2), HKS_OK);
    assert_int_equal(hks_index_info_get(i1, &info), HKS_OK);
    assert_int_equal(info.n_segments, 1);
    assert_int_equal(hks_index_info_get(i2, &info), HKS_OK);
    assert_true(info.n_segments > 1);
    assert_int_equal(hks_searcher_new(i1, &s1), HKS_OK);
    assert_int_equal(hks_searcher_new(i2, &s2), HKS_OK);
    for (q = 0; q < sizeof phrases / sizeof phrases[0]; q++) {
        static double sc1[4000], sc2[4000];
        static uint32_t d1[4000], d2[4000];
        size_t n1, n2;
        compare_with_scan(s1, &r, phrases[q], sc1, d1, &n1);
        compare_with_scan(s2, &r, phrases[q], sc2, d2, &n2);
        assert_int_equal(n1, n2);
        for (k = 0; k < n1; k++) { /* same documents (same order), same scores */
            assert_int_equal(d1[k], d2[k]);
            assert_true(fabs(sc1[k] - sc2[k]) < 1e-9);
        }
    }
    /* A query of one term is matched straight from its list; beside a
     * negation that excludes nothing it goes through the query tree. Both
     * give the same hits, scores and count, on one segment and many. */
    {
        static const char *const terms[] = {"医", "病", "衞", "口罩"};
        static hks_hit a[4000], b[4000];
        hks_searcher *ss[2] = {s1, s2};
        size_t na, nb, ti, si;
        for (si = 0; si < 2; si++)
            for (ti = 0; ti < sizeof terms / sizeof terms[0]; ti++) {
                char tree[64];
                hks_search_info ia, ib;
                snprintf(tree, sizeof tree, "%s -zzzqqq", terms[ti]);
                assert_int_equal(hks_search(ss[si], terms[ti], strlen(terms[ti]), a, 4000, &na,
                                            &ia),
                                 HKS_OK);
                assert_int_equal(hks_search(ss[si], tree, strlen(tree), b, 4000, &nb, &ib),
                                 HKS_OK);
                if (na <= 10)
                    fail_msg("%s: %zu hits", terms[ti], na);
                assert_int_equal(na, nb);
                assert_int_equal(ia.n_exact, ib.n_exact);
                for (k = 0; k < na; k++) {
                    assert_int_equal(a[k].doc_id, b[k].doc_id);
                    assert_true(a[k].score == b[k].score);
                }
            }
    }
    /* Natural-language ranking: the first hits do not depend on how many
     * are asked for (MaxScore prunes differently for each). */
    {
        static const char *const questions[] = {"武汉新型冠状病毒肺炎疫情防控", "钟南山院士说了什么",
                                                "湖北省卫健委通报确诊病例"};
        static hks_hit few[10], lots[1000];
        size_t nf, nm, qi;
        for (qi = 0; qi < 3; qi++) {
            assert_int_equal(hks_search(s1, questions[qi], strlen(questions[qi]), few, 10, &nf,
                                        NULL),
                             HKS_OK);
            assert_int_equal(hks_search(s1, questions[qi], strlen(questions[qi]), lots, 1000, &nm,
                                        NULL),
                             HKS_OK);
            assert_int_equal(nf, 10);
            for (k = 0; k < nf; k++) {
                assert_int_equal(few[k].doc_id, lots[k].doc_id);
                assert_true(few[k].score == lots[k].score);
            }
            /* 1 and 3 hits rank the same candidates as 10; the character
             * field's second stage stops probing a candidate sooner the
             * fewer are kept, and must keep the same best ones. */
            for (nm = 1; nm <= 3; nm += 2) {
                assert_int_equal(hks_search(s1, questions[qi], strlen(questions[qi]), lots, nm,
                                            &nf, NULL),
                                 HKS_OK);
                assert_int_equal(nf, nm);
                for (k = 0; k < nf; k++) {
                    assert_int_equal(lots[k].doc_id, few[k].doc_id);
                    assert_true(lots[k].score == few[k].score);
                }
            }
        }
    }
    assert_int_equal(hks_index_check(i2), HKS_OK);
    hks_searcher_free(s1);
    hks_searcher_free(s2);
    hks_index_close(i1);
    hks_index_close(i2);
    for (k = 0; k < r.n; k++) {
        free(r.d[k].id);
        free(r.d[k].text);
    }
    free(r.d);
}

/* Natural-language ranking's coverage factor (HKS_S_COVERAGE): in an index
 * of whole articles, a hit that lacks part of the question scores less
 * than without the factor and none more; in an index of titles (an
 * average under 100 terms) it has no effect. */
static double natural_score(hks_searcher *s, const char *q, uint32_t doc, double coverage)
{
    static hks_hit hits[64];
    size_t n, i;
    assert_int_equal(hks_searcher_set(s, HKS_S_COVERAGE, coverage), HKS_OK);
    assert_int_equal(hks_search(s, q, strlen(q), hits, 64, &n, NULL), HKS_OK);
    for (i = 0; i < n; i++)
        if (hits[i].doc_id == doc) {
            assert_false(hits[i].flags & HKS_HIT_EXACT);
            return hits[i].score;
        }
    return -1;
}

static void test_api_coverage_factor(void **state)
{
    /* Titles of the seed articles and of two real health news items. */
    static const char *titles[] = {"战“疫”!襄垣县医疗集团为人民群众筑起生命防线",
                                   "株洲市卫生健康委在四个方面下功夫、求突破",
                                   "吉林省肿瘤医院开展新冠疫苗接种工作",
                                   "襄垣县人民医院召开疫情防控工作会议"};
    static const char q[] = "襄垣县医院怎样做好新冠疫苗接种工作";
    char dir[4200], src[4200];
    hks_writer *w = NULL;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    uint32_t d;
    int fewer = 0, found = 0;
    size_t i;
    (void)state;
    subdir(dir, sizeof dir, "cov-articles");
    build_from(dir, hks_test_repo_path("corpus", src, sizeof src), 0, 1);
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_int_equal(hks_searcher_set(s, HKS_S_COVERAGE, 4.5), HKS_ERR_ARG);
    for (d = 0; d < 5; d++) {
        double off = natural_score(s, q, d, 0), on = natural_score(s, q, d, 0.5);
        if (off < 0)
            continue;
        found++;
        assert_true(on > 0 && on <= off * (1 + 1e-12));
        fewer += on < off * (1 - 1e-9);
    }
    assert_int_equal(found, 5);
    assert_true(fewer >= 4); /* no seed article holds the whole question */
    hks_searcher_free(s);
    hks_index_close(idx);

    subdir(dir, sizeof dir, "cov-titles");
    assert_int_equal(hks_writer_open(dir, hks_test_cm_alloc(), &w), HKS_OK);
    for (i = 0; i < sizeof titles / sizeof titles[0]; i++) {
        hks_doc doc;
        char id[8];
        memset(&doc, 0, sizeof doc);
        snprintf(id, sizeof id, "t%zu", i);
        doc.id = id;
        doc.id_len = strlen(id);
        doc.body = titles[i];
        doc.body_len = strlen(titles[i]);
        assert_int_equal(hks_writer_add(w, &doc), HKS_OK);
    }
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    found = 0;
    for (d = 0; d < 4; d++) {
        double off = natural_score(s, q, d, 0), on = natural_score(s, q, d, 0.5);
        if (off < 0)
            continue;
        found++;
        assert_true(on == off);
    }
    assert_true(found >= 3);
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* hks_analyze: the index's own terms, with source byte ranges in the text
 * as given (here traditional, so every range is checked against it). */
typedef struct term_list {
    char terms[16][16];
    uint32_t pos[16], start[16], end[16];
    unsigned flags[16];
    int n;
} term_list;

static int collect_term(void *ctx, const hks_term *t)
{
    term_list *l = ctx;
    if (l->n == 16 || t->term_len >= sizeof l->terms[0])
        return HKS_ERR_INTERNAL;
    memcpy(l->terms[l->n], t->term, t->term_len);
    l->terms[l->n][t->term_len] = '\0';
    l->pos[l->n] = t->pos;
    l->start[l->n] = t->src_start;
    l->end[l->n] = t->src_end;
    l->flags[l->n] = t->flags;
    l->n++;
    return HKS_OK;
}

static int stop_at_second(void *ctx, const hks_term *t)
{
    (void)t;
    return ++*(int *)ctx == 2 ? -100 : HKS_OK;
}

static void test_api_analyze_gives_the_index_terms(void **state)
{
    /* "疫苗接種，COVID-19" : 12 bytes of CJK, a full-width comma (3 bytes). */
    static const char text[] = "疫苗接種，COVID-19";
    term_list l;
    int calls = 0;
    (void)state;
    memset(&l, 0, sizeof l);
    assert_int_equal(hks_analyze(text, strlen(text), NULL, collect_term, &l),
                     HKS_OK);
    assert_int_equal(l.n, 6);
    assert_string_equal(l.terms[0], "疫苗");
    assert_string_equal(l.terms[1], "苗接");
    assert_string_equal(l.terms[2], "接种"); /* folded to simplified */
    assert_string_equal(l.terms[3], "种");
    assert_string_equal(l.terms[4], "covid");
    assert_string_equal(l.terms[5], "19");
    assert_int_equal(l.pos[0], 0);
    assert_int_equal(l.pos[3], 3);
    assert_int_equal(l.pos[4], 5); /* the comma is a gap */
    assert_int_equal(l.pos[5], 7); /* so is the hyphen */
    assert_int_equal(l.flags[3], HKS_TERM_CJK | HKS_TERM_LAST);
    assert_int_equal(l.flags[4], HKS_TERM_WORD);
    /* 接種 is bytes 6..12 of the text as given. */
    assert_int_equal(l.start[2], 6);
    assert_int_equal(l.end[2], 12);
    assert_memory_equal(text + l.start[4], "COVID", 5);
    assert_int_equal(l.end[4] - l.start[4], 5);
    /* A callback's negative value stops the walk and is returned. */
    assert_int_equal(hks_analyze(text, strlen(text), NULL, stop_at_second,
                                 &calls),
                     -100);
    assert_int_equal(calls, 2);
    assert_int_equal(hks_analyze(text, 3, NULL, NULL, NULL), HKS_ERR_ARG);
    assert_int_equal(hks_analyze(NULL, 0, NULL, collect_term, &l), HKS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_corpus_phrase_in_both_scripts),
        cmocka_unit_test(test_api_query_language),
        cmocka_unit_test(test_api_one_char_no_match_and_bad_queries),
        cmocka_unit_test(test_api_phrase_gaps_are_separators_only),
        cmocka_unit_test(test_api_bm25_matches_hand_computation),
        cmocka_unit_test(test_api_lone_char_df_is_capped_at_n),
        cmocka_unit_test(test_api_snippet_of_traditional_article),
        cmocka_unit_test(test_api_news_phrases_match_a_plain_scan_in_any_segmentation),
        cmocka_unit_test(test_api_analyze_gives_the_index_terms),
        cmocka_unit_test(test_api_coverage_factor),
    };
    return cmocka_run_group_tests_name("api", tests, setup, teardown);
}
