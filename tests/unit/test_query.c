/*
 * test_query.c: the query language (searcher/query.c): phrases and their
 * elements, one-character prefixes, AND/OR/-/quotes/fields, the
 * natural-language switch, and the messages of bad queries.
 */
#include "hks_test.h"
#include "hks_searcher.h"

#include <string.h>

static hks_query g_q;

static int parse(const char *q, hks_errbuf *err)
{
    hks_ntext nt;
    int rc;
    hks_ntext_init(&nt, hks_test_cm_alloc());
    hks_err_clear(err);
    rc = hks_query_parse(&g_q, q, strlen(q), &nt, err);
    hks_ntext_free(&nt);
    return rc;
}

static void assert_elem(uint32_t i, const char *term, bool is_prefix, uint32_t rel)
{
    assert_true(i < g_q.n_elem);
    assert_int_equal(g_q.elem[i].len, strlen(term));
    assert_memory_equal(g_q.elem[i].term, term, strlen(term));
    assert_int_equal(g_q.elem[i].is_prefix, is_prefix);
    assert_int_equal(g_q.elem[i].rel, rel);
}

static void test_query_cjk_phrase_drops_the_closing_unigram(void **state)
{
    hks_errbuf err;
    (void)state;
    assert_int_equal(parse("疫苗接种", &err), HKS_OK);
    assert_int_equal(g_q.n_clause, 1);
    assert_int_equal(g_q.n_phrase, 1);
    assert_int_equal(g_q.n_elem, 3); /* 疫苗@0 苗接@1 接种@2; 种@3 adds nothing */
    assert_elem(0, "疫苗", false, 0);
    assert_elem(1, "苗接", false, 1);
    assert_elem(2, "接种", false, 2);
    assert_false(g_q.is_natural);
    /* Traditional and full-width forms fold to the same elements. */
    assert_int_equal(parse("疫苗接種", &err), HKS_OK);
    assert_elem(2, "接种", false, 2);
}

static void test_query_single_character_is_a_prefix(void **state)
{
    hks_errbuf err;
    (void)state;
    assert_int_equal(parse("醫", &err), HKS_OK);
    assert_int_equal(g_q.n_elem, 1);
    assert_elem(0, "医", true, 0);
    /* Mixed: a word, a bigram and the separator gap of "-". */
    assert_int_equal(parse("COVID-19", &err), HKS_OK);
    assert_int_equal(g_q.n_phrase, 1);
    assert_elem(0, "covid", false, 0);
    assert_elem(1, "19", false, 2);
    /* A word next to a CJK run: the boundary is a gap, as a space is. */
    assert_int_equal(parse("ＨＰＶ疫苗", &err), HKS_OK);
    assert_elem(0, "hpv", false, 0);
    assert_elem(1, "疫苗", false, 2);
    assert_int_equal(g_q.n_elem, 2);
    assert_int_equal(parse("\"HPV 疫苗\"", &err), HKS_OK);
    assert_elem(1, "疫苗", false, 2);
}

static void test_query_operators(void **state)
{
    hks_errbuf err;
    (void)state;
    assert_int_equal(parse("疫苗 接种", &err), HKS_OK);
    assert_int_equal(g_q.n_clause, 2);
    assert_int_equal(g_q.n_positive, 2);
    assert_int_equal(parse("口罩 OR 防护服 -香港", &err), HKS_OK);
    assert_int_equal(g_q.n_clause, 2);
    assert_int_equal(g_q.clause[0].n, 2); /* one clause of two phrases */
    assert_true(g_q.clause[1].negated);
    assert_int_equal(g_q.n_positive, 1);
    assert_true(g_q.has_operators);
    assert_int_equal(parse("\"新冠 疫苗\"", &err), HKS_OK);
    assert_int_equal(g_q.n_phrase, 1);
    /* 新冠@0, then 冠@1 exactly: the run must end there (a text with a
     * character in place of the space must not match), gap, 疫苗@3; the
     * phrase's last unigram 苗@4 adds nothing and is dropped. */
    assert_int_equal(g_q.n_elem, 3);
    assert_elem(0, "新冠", false, 0);
    assert_elem(1, "冠", false, 1);
    assert_true(g_q.elem[1].run_end);
    assert_false(g_q.elem[0].run_end);
    assert_elem(2, "疫苗", false, 3);
    assert_false(g_q.elem[2].run_end);
    /* A lone character before a gap is matched exactly too (医 is not
     * the start of 医生 there), while a lone last character stays a
     * prefix. */
    assert_int_equal(parse("\"医 院\"", &err), HKS_OK);
    assert_int_equal(g_q.n_elem, 2);
    assert_elem(0, "医", false, 0);
    assert_false(g_q.elem[0].run_end);
    assert_elem(1, "院", true, 2);
    assert_int_equal(parse("title:疫苗 source:卫健委 date:2020-01..2020-03", &err), HKS_OK);
    assert_int_equal(g_q.n_clause, 1);
    assert_true(g_q.clause[0].in_title);
    assert_int_equal(g_q.date_from, 20200101);
    assert_int_equal(g_q.date_to, 20200331);
    assert_int_equal(g_q.source_len, strlen("卫健委"));
    assert_int_equal(parse("疫苗 date:2021", &err), HKS_OK);
    assert_int_equal(g_q.date_from, 20210101);
    assert_int_equal(g_q.date_to, 20211231);
}

static void test_query_natural_language_switch(void **state)
{
    hks_errbuf err;
    (void)state;
    /* A rule of dashes is punctuation, not an exclusion (a real DRCD
     * question ends that way). */
    assert_int_equal(parse("蒸汽機車的速度極限是多快? ------語句不順", &err), HKS_OK);
    assert_int_equal(g_q.n_positive, 2);
    assert_true(g_q.is_natural);
    assert_int_equal(parse("孕妇感冒了可以吃什么药", &err), HKS_OK);
    assert_true(g_q.is_natural);
    assert_int_equal(parse("卫生署", &err), HKS_OK);
    assert_false(g_q.is_natural);
    assert_int_equal(parse("\"孕妇感冒了可以吃什么药\"", &err), HKS_OK);
    assert_false(g_q.is_natural); /* quoted: the user asked for the phrase */
}

static void test_query_bad_queries_say_what_is_wrong(void **state)
{
    hks_errbuf err;
    char big[HKS_MAX_QUERY_BYTES + 2];
    (void)state;
    /* A lone quote mark is text; nothing else is then nothing to search. */
    assert_int_equal(parse("\"疫苗", &err), HKS_OK);
    assert_int_equal(g_q.n_phrase, 1);
    assert_false(g_q.has_operators);
    assert_int_equal(parse("\"", &err), HKS_ERR_QUERY);
    assert_non_null(strstr(err.msg, "nothing to search for"));
    assert_int_equal(parse("。，！", &err), HKS_ERR_QUERY);
    assert_non_null(strstr(err.msg, "nothing to search for"));
    assert_int_equal(parse("-香港", &err), HKS_ERR_QUERY);
    assert_non_null(strstr(err.msg, "only excluded"));
    assert_int_equal(parse("OR 疫苗", &err), HKS_ERR_QUERY);
    assert_int_equal(parse("疫苗 OR", &err), HKS_ERR_QUERY);
    assert_int_equal(parse("疫苗 date:2020-13", &err), HKS_ERR_QUERY);
    assert_int_equal(parse("疫苗 date:2021..2020", &err), HKS_ERR_QUERY);
    assert_int_equal(parse("疫苗 date:2019-02-29", &err), HKS_ERR_QUERY);
    assert_int_equal(parse("疫苗 date:2020-02-29", &err), HKS_OK);
    assert_int_equal(parse("疫苗 date:2021-04-31", &err), HKS_ERR_QUERY);
    /* Filters alone browse (no tree); they cannot be excluded. */
    assert_int_equal(parse("date:2020-01..2020-03", &err), HKS_OK);
    assert_int_equal(g_q.root, HKS_QN_NONE);
    assert_int_equal(parse("source:眾新聞", &err), HKS_OK);
    assert_int_equal(g_q.root, HKS_QN_NONE);
    assert_int_equal(parse("醫院 -source:眾新聞", &err), HKS_ERR_QUERY);
    assert_non_null(strstr(err.msg, "cannot be excluded"));
    assert_int_equal(parse("醫院 -date:2020", &err), HKS_ERR_QUERY);
    assert_int_equal(parse("醫院 -title:眾新聞", &err), HKS_OK);
    {
        /* A run of 513 characters is 512 bigrams (its closing unigram is
         * dropped): the most a query may hold as a phrase. One more and it
         * is read as a pasted paragraph: its distinct terms (疫苗, 苗疫),
         * ANDed and ranked as a question. */
        static char run[3 * 1300 + 1];
        size_t k;
        for (k = 0; k < 514; k++)
            memcpy(run + 3 * k, (k % 2) ? "苗" : "疫", 3);
        run[3 * 513] = '\0';
        assert_int_equal(parse(run, &err), HKS_OK);
        assert_int_equal(g_q.n_elem, HKS_MAX_QUERY_ELEMS);
        assert_int_equal(g_q.n_dropped, 0);
        memcpy(run + 3 * 513, "苗", 3);
        run[3 * 514] = '\0';
        assert_int_equal(parse(run, &err), HKS_OK);
        assert_int_equal(g_q.n_clause, 2);
        assert_int_equal(g_q.n_dropped, 0);
        assert_true(g_q.is_natural);
        /* 1,300 distinct characters: 1,300 terms, the first 512 kept
         * (without an index to say which are rarest). */
        for (k = 0; k < 1300; k++) {
            uint32_t cp = 0x4E00 + (uint32_t)k * 7;
            run[3 * k] = (char)(0xE0 | (cp >> 12));
            run[3 * k + 1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            run[3 * k + 2] = (char)(0x80 | (cp & 0x3F));
        }
        run[3 * 1300] = '\0';
        assert_int_equal(parse(run, &err), HKS_OK);
        assert_int_equal(g_q.n_clause, HKS_MAX_QUERY_ELEMS);
        assert_int_equal(g_q.n_terms, 1299); /* bigrams; the last unigram is pinned */
        assert_int_equal(g_q.n_dropped, 1299 - HKS_MAX_QUERY_ELEMS);
        /* A quoted phrase over the limit is read so too. */
        run[0] = '"';
        assert_int_equal(parse(run, &err), HKS_OK);
        assert_true(g_q.n_dropped > 0);
    }
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(parse(big, &err), HKS_ERR_QUERY);
    assert_non_null(strstr(err.msg, "too long"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_cjk_phrase_drops_the_closing_unigram),
        cmocka_unit_test(test_query_single_character_is_a_prefix),
        cmocka_unit_test(test_query_operators),
        cmocka_unit_test(test_query_natural_language_switch),
        cmocka_unit_test(test_query_bad_queries_say_what_is_wrong),
    };
    return cmocka_run_group_tests_name("query", tests, NULL, NULL);
}
