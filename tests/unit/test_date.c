/*
 * test_date.c: the one date module (common/date.c) and its use on both
 * sides: an impossible day such as 2020-02-30 is refused by the query
 * parser and is no longer stored as a document's date by the indexer, so
 * a date: filter cannot match it.
 */
#include "hks_test.h"

#include <stdio.h>
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

static uint32_t parse(const char *s)
{
    return hks_date_parse(s, strlen(s));
}

static void test_date_calendar(void **state)
{
    (void)state;
    assert_true(hks_date_valid(2020, 2, 29)); /* leap year */
    assert_false(hks_date_valid(2019, 2, 29));
    assert_false(hks_date_valid(2100, 2, 29)); /* not divisible by 400 */
    assert_true(hks_date_valid(2000, 2, 29));
    assert_false(hks_date_valid(2020, 2, 30));
    assert_false(hks_date_valid(2021, 4, 31));
    assert_true(hks_date_valid(2021, 12, 31));
    assert_false(hks_date_valid(2021, 13, 1));
    assert_false(hks_date_valid(2021, 0, 1));
    assert_false(hks_date_valid(2021, 1, 0));
    assert_false(hks_date_valid(999, 1, 1));
}

static void test_date_parse_in_text(void **state)
{
    (void)state;
    assert_int_equal(parse("2020-01-02"), 20200102);
    assert_int_equal(parse("2020-03-27 10:00:00"), 20200327);
    assert_int_equal(parse("2020/3/7"), 20200307);
    assert_int_equal(parse("2021.9.11"), 20210911);
    assert_int_equal(parse("发布时间：2021年9月11日"), 20210911);
    /* An impossible day is no date; a later valid one is taken. */
    assert_int_equal(parse("2020-02-30"), 0);
    assert_int_equal(parse("2021-04-31"), 0);
    assert_int_equal(parse("2020-02-30 or 2020-03-01"), 20200301);
    /* Five digits are not a year; no separator, no date. */
    assert_int_equal(parse("12020-01-02"), 0);
    assert_int_equal(parse("20200102"), 0);
    assert_int_equal(parse(""), 0);
}

static void test_date_bounds(void **state)
{
    uint32_t d;
    (void)state;
    assert_int_equal(hks_date_parse_bound("2020", 4, false, &d), HKS_OK);
    assert_int_equal(d, 20200101);
    assert_int_equal(hks_date_parse_bound("2020", 4, true, &d), HKS_OK);
    assert_int_equal(d, 20201231);
    assert_int_equal(hks_date_parse_bound("2020-02", 7, true, &d), HKS_OK);
    assert_int_equal(d, 20200229);
    assert_int_equal(hks_date_parse_bound("2021/2", 6, true, &d), HKS_OK);
    assert_int_equal(d, 20210228);
    assert_int_equal(hks_date_parse_bound("", 0, true, &d), HKS_OK);
    assert_int_equal(d, 0);
    assert_int_equal(hks_date_parse_bound("2020-02-30", 10, false, &d), HKS_ERR_ARG);
    assert_int_equal(hks_date_parse_bound("2020-13", 7, false, &d), HKS_ERR_ARG);
    assert_int_equal(hks_date_parse_bound("20201", 5, false, &d), HKS_ERR_ARG);
    assert_int_equal(hks_date_parse_bound("2020-01-01x", 11, false, &d), HKS_ERR_ARG);
}

static void add(hks_writer *w, const char *id, const char *date)
{
    hks_doc d;
    memset(&d, 0, sizeof d);
    d.collection = "news";
    d.collection_len = 4;
    d.id = id;
    d.id_len = strlen(id);
    d.title = "新冠疫苗接种";
    d.title_len = strlen(d.title);
    d.body = "卫生健康委员会通报疫苗接种进展。";
    d.body_len = strlen(d.body);
    d.date = date;
    d.date_len = strlen(date);
    assert_int_equal(hks_writer_add(w, &d), HKS_OK);
}

static size_t count(hks_searcher *s, const char *q)
{
    hks_hit hits[8];
    size_t n = 0;
    int rc = hks_search(s, q, strlen(q), hits, 8, &n, NULL);
    assert_true(rc == HKS_OK);
    return n;
}

/* The indexer and the query parser follow the same rule: 2020-02-30 was
 * stored as 20200230 and matched date:2020-02, and it is no date now. */
static void test_date_same_rule_at_index_and_query_time(void **state)
{
    char dir[4200];
    hks_writer *w = NULL;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hit;
    size_t n = 0;
    const char *q = "疫苗 date:2020-02";
    (void)state;
    snprintf(dir, sizeof dir, "%s/idx", g_tmp);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    add(w, "ok", "2020-02-29");
    add(w, "impossible", "2020-02-30");
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_int_equal(count(s, "疫苗"), 2);
    assert_int_equal(hks_search(s, q, strlen(q), &hit, 1, &n, NULL), HKS_OK);
    assert_int_equal(n, 1);
    {
        hks_doc_meta m;
        assert_int_equal(hks_doc_meta_get(s, hit.doc_id, &m), HKS_OK);
        assert_string_equal(m.id, "ok");
    }
    assert_int_equal(count(s, "疫苗 date:2020"), 1);
    q = "疫苗 date:2020-02-30";
    assert_int_equal(hks_search(s, q, strlen(q), &hit, 1, &n, NULL), HKS_ERR_QUERY);
    hks_searcher_free(s);
    hks_index_close(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_calendar),
        cmocka_unit_test(test_date_parse_in_text),
        cmocka_unit_test(test_date_bounds),
        cmocka_unit_test(test_date_same_rule_at_index_and_query_time),
    };
    return cmocka_run_group_tests_name("date", tests, setup, teardown);
}
