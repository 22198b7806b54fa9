/*
 * test_synonyms.c: the index's synonym table. Reading a user's alias text
 * (separators, comments, one alias in either script, errors naming the
 * file and line), the SYNONYMS file (set without reindexing, seen by
 * hks_index_changed and a reopen, removed by an empty table, copied by a
 * backup, every damaged byte and truncation refused with its name), and
 * the expansion at query time on real excerpts of the news set (hkcnews
 * articles, ids as there): a whole term, an alias inside a CJK run,
 * COVID-19 as a phrase, quotes and the searcher parameter, exclusion.
 */
#include "hks_test.h"
#include "hks_format.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_tmp[4096];
static char g_idx[4200];

/* Short real excerpts (hkcnews, by article id). */
static const struct {
    const char *id, *title, *body;
} k_docs[] = {
    {"3867", "醫院事故調查",
     "行政總監徐德義、內科及老人科部門主管龔金毅、醫院管理局行政總裁梁栢賢，已分別於5月9日及5月"
     "10日公開交代事件。"},
    {"979", "雙非孕婦",
     "多家醫院停止接受內地雙非孕婦在2013年的分娩預約。醫管局隨即亦通過公立醫院不再接受「雙非」"
     "孕婦的決定。"},
    {"37153", "疫苗問題", "香港準備係二月開始接種COVID-19疫苗。"},
    {"37153b", "疫苗問題", "今次想講下我成日比人問嘅新COVID疫苗問題。"},
    {"36151", "疫苗接種路綫圖",
     "英美亦已啟動緊急使用新冠疫苗。港府2日才公布疫苗接種路綫圖初步構思。"},
    {"35465", "疫苗臨床試驗",
     "美國輝瑞藥廠（Pfizer）和德國生物科技企業BioNTech宣布，共同研發的武漢肺炎疫苗第三階段臨床"
     "試驗顯示。"},
};
#define N_DOCS (sizeof k_docs / sizeof k_docs[0])

/* An excerpt of data/health-synonyms.txt, written with each separator. */
static const char k_table[] = "# health aliases\n"
                              "新冠 / 新冠肺炎 / COVID-19 / 武汉肺炎\n"
                              "\n"
                              "醫管局\t医管局\t醫院管理局   # 医管局 is 醫管局: one alias\n"
                              "復必泰, BioNTech\n"
                              "世卫，世界卫生组织\n";
static const char k_shown[] = "新冠 / 新冠肺炎 / COVID-19 / 武汉肺炎\n"
                              "醫管局 / 醫院管理局\n"
                              "復必泰 / BioNTech\n"
                              "世卫 / 世界卫生组织\n";

static void build(const char *dir)
{
    hks_writer *w = NULL;
    size_t i;
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    for (i = 0; i < N_DOCS; i++) {
        hks_doc d;
        hks_test_doc(&d, k_docs[i].id, k_docs[i].title, k_docs[i].body);
        assert_int_equal(hks_writer_add(w, &d), HKS_OK);
    }
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
}

/* Set text as the table of dir: the status, and the message in msg. */
static int set_table(const char *dir, const char *text, char *msg, size_t cap)
{
    hks_writer *w = NULL;
    int rc = hks_writer_open(dir, NULL, &w);
    if (rc == HKS_OK)
        rc = hks_writer_set_synonyms(w, "health.txt", text, text ? strlen(text) : 0);
    if (msg)
        snprintf(msg, cap, "%s", hks_writer_errmsg(w));
    hks_writer_close(w);
    return rc;
}

/* The ids of every hit of q, sorted, space-separated, into out. */
static int ids_of(hks_searcher *s, const char *q, char *out, size_t cap)
{
    hks_hit hits[16];
    const char *ids[16];
    size_t n = 0, i, j, at = 0;
    int rc = hks_search(s, q, strlen(q), hits, 16, &n, NULL);
    out[0] = '\0';
    if (rc < 0)
        return rc;
    for (i = 0; i < n; i++) {
        hks_doc_meta m;
        assert_int_equal(hks_doc_meta_get(s, hits[i].doc_id, &m), HKS_OK);
        for (j = 0; j < N_DOCS; j++)
            if (!strcmp(k_docs[j].id, m.id))
                ids[i] = k_docs[j].id;
    }
    for (i = 1; i < n; i++) /* insertion sort by id text */
        for (j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
            const char *t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    for (i = 0; i < n; i++)
        at += (size_t)snprintf(out + at, cap - at, "%s%s", i ? " " : "", ids[i]);
    return rc;
}

static void expect_ids(hks_searcher *s, const char *q, const char *want)
{
    char got[512];
    int rc = ids_of(s, q, got, sizeof got);
    if (rc < 0 || strcmp(got, want) != 0)
        fail_msg("query %s: got \"%s\" (rc %d: %s), want \"%s\"", q, got, rc,
                 hks_searcher_errmsg(s), want);
}

static void open_both(hks_index **idx, hks_searcher **s)
{
    assert_int_equal(hks_index_open(g_idx, NULL, idx), HKS_OK);
    assert_int_equal(hks_searcher_new(*idx, s), HKS_OK);
}

static int setup(void **state)
{
    (void)state;
    if (hks_test_tmpdir(g_tmp, sizeof g_tmp))
        return -1;
    snprintf(g_idx, sizeof g_idx, "%s/idx", g_tmp);
    build(g_idx);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hks_test_rmtree(g_tmp);
    return 0;
}

static void test_synonyms_set_and_show(void **state)
{
    hks_index *idx = NULL;
    char buf[1024];
    size_t len = 0, n_groups = 0;
    (void)state;
    assert_int_equal(set_table(g_idx, k_table, NULL, 0), HKS_OK);
    assert_int_equal(hks_index_open(g_idx, NULL, &idx), HKS_OK);
    assert_int_equal(hks_index_synonyms(idx, buf, 4, &len, &n_groups), HKS_ERR_BUFSIZE);
    assert_int_equal(len, strlen(k_shown));
    assert_int_equal(hks_index_synonyms(idx, buf, sizeof buf, &len, &n_groups), HKS_OK);
    assert_string_equal(buf, k_shown);
    assert_int_equal(n_groups, 4);
    hks_index_close(idx);
    /* what --show prints reads back into the same table */
    assert_int_equal(set_table(g_idx, k_shown, NULL, 0), HKS_OK);
    assert_int_equal(hks_index_open(g_idx, NULL, &idx), HKS_OK);
    assert_int_equal(hks_index_synonyms(idx, buf, sizeof buf, &len, NULL), HKS_OK);
    assert_string_equal(buf, k_shown);
    hks_index_close(idx);
}

static void expect_refused(const char *text, const char *where, const char *what)
{
    char msg[512];
    int rc = set_table(g_idx, text, msg, sizeof msg);
    if (rc != HKS_ERR_INPUT || !strstr(msg, where) || !strstr(msg, what))
        fail_msg("table \"%s\": rc %d, message \"%s\"; want %s ... %s", text, rc, msg, where,
                 what);
}

static void test_synonyms_bad_lines_are_named_and_change_nothing(void **state)
{
    hks_index *idx = NULL;
    char buf[1024], big[64 * 8 + 16];
    size_t len, i, at = 0;
    (void)state;
    assert_int_equal(set_table(g_idx, k_table, NULL, 0), HKS_OK);
    expect_refused("新冠 / 新冠肺炎\n# c\n醫管局\n", "health.txt:3:", "two or more aliases");
    expect_refused("新冠 / 新冠肺炎\n醫管局 / 新冠肺炎\n", "health.txt:2:", "group of line 1");
    /* 新冠肺炎 in traditional script is the same alias */
    expect_refused("新冠 / 新冠肺炎\n醫管局 / 新冠肺炎 / 醫院管理局\n衞生署 / 新冠肺炎\n",
                   "health.txt:2:", "新冠肺炎");
    expect_refused("醫管局 / ——\n", "health.txt:1:", "no letters");
    expect_refused("醫管局 / \xff\xfe\n", "health.txt:1:", "UTF-8");
    for (i = 0; i < 65; i++)
        at += (size_t)snprintf(big + at, sizeof big - at, "%sa%zu", i ? "," : "", i);
    expect_refused(big, "health.txt:1:", "more than 64");
    /* the table set before is still there */
    assert_int_equal(hks_index_open(g_idx, NULL, &idx), HKS_OK);
    assert_int_equal(hks_index_synonyms(idx, buf, sizeof buf, &len, NULL), HKS_OK);
    assert_string_equal(buf, k_shown);
    hks_index_close(idx);
}

static void test_synonyms_expand_unquoted_terms(void **state)
{
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_synonym_use u;
    (void)state;
    assert_int_equal(set_table(g_idx, k_table, NULL, 0), HKS_OK);
    open_both(&idx, &s);
    /* a whole term, typed in the other script */
    expect_ids(s, "医管局", "3867 979");
    assert_int_equal(hks_searcher_synonym_use(s, 0, &u), HKS_OK);
    assert_int_equal(u.alias_len, strlen("醫管局"));
    assert_memory_equal(u.alias, "醫管局", u.alias_len);
    assert_int_equal(u.n_group, 2);
    assert_memory_equal(u.group[1], "醫院管理局", u.group_lens[1]);
    assert_int_equal(hks_searcher_synonym_use(s, 1, &u), HKS_DONE);
    /* quoted: exact */
    expect_ids(s, "\"醫管局\"", "979");
    assert_int_equal(hks_searcher_synonym_use(s, 0, &u), HKS_DONE);
    /* an alias inside a CJK run; COVID-19 as the words covid 19 adjacent,
     * so 新COVID疫苗 (37153b) is not found */
    expect_ids(s, "新冠疫苗", "35465 36151 37153");
    expect_ids(s, "COVID-19疫苗", "35465 36151 37153");
    /* a Latin alias: 復必泰 finds BioNTech */
    expect_ids(s, "復必泰", "35465");
    /* exclusion excludes every alias */
    expect_ids(s, "雙非 OR 梁栢賢 -醫管局", "");
    /* the searcher parameter */
    assert_int_equal(hks_searcher_set(s, HKS_S_SYNONYMS, 0), HKS_OK);
    expect_ids(s, "医管局", "979");
    expect_ids(s, "新冠疫苗", "36151");
    expect_ids(s, "雙非 OR 梁栢賢 -醫管局", "3867");
    assert_int_equal(hks_searcher_synonym_use(s, 0, &u), HKS_DONE);
    assert_int_equal(hks_searcher_set(s, HKS_S_SYNONYMS, 1), HKS_OK);
    expect_ids(s, "医管局", "3867 979");
    hks_searcher_free(s);
    hks_index_close(idx);
}

static void test_synonyms_changed_reopen_clear_backup(void **state)
{
    hks_index *idx = NULL, *idx2 = NULL, *copy = NULL;
    hks_searcher *s = NULL;
    char dest[4300];
    int changed = -1;
    (void)state;
    assert_int_equal(set_table(g_idx, NULL, NULL, 0), HKS_OK); /* none */
    open_both(&idx, &s);
    expect_ids(s, "医管局", "979");
    assert_int_equal(hks_index_changed(idx, &changed), HKS_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(set_table(g_idx, k_table, NULL, 0), HKS_OK);
    assert_int_equal(hks_index_changed(idx, &changed), HKS_OK);
    assert_int_equal(changed, 1);
    expect_ids(s, "医管局", "979"); /* an open index keeps its table */
    hks_searcher_free(s);
    assert_int_equal(hks_index_reopen(idx, &idx2), HKS_OK);
    hks_index_close(idx);
    idx = idx2;
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    expect_ids(s, "医管局", "3867 979");
    assert_int_equal(hks_index_changed(idx, &changed), HKS_OK);
    assert_int_equal(changed, 0);
    /* a backup copies the table the reader holds */
    snprintf(dest, sizeof dest, "%s/copy", g_tmp);
    assert_int_equal(set_table(g_idx, "", NULL, 0), HKS_OK); /* cleared meanwhile */
    assert_int_equal(hks_index_changed(idx, &changed), HKS_OK);
    assert_int_equal(changed, 1);
    assert_int_equal(hks_index_backup(idx, dest), HKS_OK);
    hks_searcher_free(s);
    hks_index_close(idx);
    assert_int_equal(hks_index_open(dest, NULL, &copy), HKS_OK);
    assert_int_equal(hks_index_check(copy), HKS_OK);
    assert_int_equal(hks_searcher_new(copy, &s), HKS_OK);
    expect_ids(s, "医管局", "3867 979");
    hks_searcher_free(s);
    hks_index_close(copy);
    open_both(&idx, &s);
    expect_ids(s, "医管局", "979");
    hks_searcher_free(s);
    hks_index_close(idx);
    hks_test_rmtree(dest);
}

static void test_synonyms_need_a_committed_index(void **state)
{
    char dir[4300], msg[512];
    struct stat st;
    (void)state;
    snprintf(dir, sizeof dir, "%s/none", g_tmp);
    assert_int_equal(set_table(dir, k_table, msg, sizeof msg), HKS_ERR_NOTFOUND);
    assert_non_null(strstr(msg, "no committed index"));
    assert_int_not_equal(stat(dir, &st), 0); /* the folder the writer made is gone */
}

static void write_bytes(const char *path, const char *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, p, n), (ssize_t)n);
    close(fd);
}

/* One damaged SYNONYMS: refused at open naming it, or the same answers. */
static void damaged_case(const char *ref, long *n_err, long *n_same)
{
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    char got[512];
    int rc = hks_index_open(g_idx, NULL, &idx);
    if (rc) {
        if (rc != HKS_ERR_CORRUPT && rc != HKS_ERR_FORMAT)
            fail_msg("damaged SYNONYMS: open gave %d: %s", rc, hks_index_errmsg(idx));
        if (!strstr(hks_index_errmsg(idx), "/SYNONYMS"))
            fail_msg("damaged SYNONYMS: message does not name it: %s", hks_index_errmsg(idx));
        hks_index_close(idx);
        (*n_err)++;
        return;
    }
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_true(ids_of(s, "医管局 OR 新冠疫苗", got, sizeof got) >= 0);
    if (strcmp(got, ref) != 0)
        fail_msg("damaged SYNONYMS: answer \"%s\", not \"%s\", and no error", got, ref);
    hks_searcher_free(s);
    hks_index_close(idx);
    (*n_same)++;
}

static void test_synonyms_corrupt_file_is_named(void **state)
{
    char path[4300], ref[512], *orig;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    size_t n, i;
    long n_err = 0, n_same = 0;
    (void)state;
    assert_int_equal(set_table(g_idx, k_table, NULL, 0), HKS_OK);
    open_both(&idx, &s);
    assert_true(ids_of(s, "医管局 OR 新冠疫苗", ref, sizeof ref) >= 0);
    assert_string_equal(ref, "35465 36151 37153 3867 979");
    hks_searcher_free(s);
    hks_index_close(idx);
    snprintf(path, sizeof path, "%s/SYNONYMS", g_idx);
    assert_int_equal(hks_test_read_file(path, &orig, &n), 0);
    for (i = 0; i < n; i++) {
        orig[i] ^= (char)(1u << (i % 8));
        write_bytes(path, orig, n);
        orig[i] ^= (char)(1u << (i % 8));
        damaged_case(ref, &n_err, &n_same);
    }
    for (i = 0; i < n; i++) {
        write_bytes(path, orig, i);
        damaged_case(ref, &n_err, &n_same);
    }
    write_bytes(path, orig, n);
    free(orig);
    /* only the zero padding before the section table goes unseen */
    assert_true(n_same < 8);
    assert_true(n_err >= (long)(2 * n) - 8);
}

/* Section bytes a writer never makes: each refused with a reason. */
static void test_synonyms_decode_bounds(void **state)
{
    static const struct {
        const char *p;
        size_t n;
        const char *what;
    } cases[] = {
        {"", 0, "truncated group count"},
        {"\x80", 1, "truncated group count"},
        {"\x7f\x02\x01"
         "a\x01"
         "a",
         6, "more groups"},
        {"\x01\x01\x01"
         "a\x01"
         "a\x00\x00\x00",
         9, "group size"},
        {"\x01\x02\x01"
         "a\x01"
         "a\x00\x00\x00",
         9, "alias length"},
        {"\x01\x02\x01"
         "a\x01"
         "a\x01"
         "b\x05"
         "b",
         10, "truncated alias"},
        {"\x01\x02\x01"
         "a\x01"
         "a\x01"
         "b\x01"
         "b\x00",
         11, "after the last group"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hks_syndata d;
        hks_errbuf err = {{0}};
        memset(&d, 0, sizeof d);
        assert_int_equal(hks_syn_decode(hks_test_cm_alloc(), (const uint8_t *)cases[i].p,
                                        cases[i].n, "x/SYNONYMS", &d, &err),
                         HKS_ERR_CORRUPT);
        if (!strstr(err.msg, cases[i].what) || !strstr(err.msg, "x/SYNONYMS"))
            fail_msg("case %zu: %s", i, err.msg);
        hks_syn_free(hks_test_cm_alloc(), &d);
    }
    { /* and the smallest valid one */
        hks_syndata d;
        hks_errbuf err = {{0}};
        memset(&d, 0, sizeof d);
        assert_int_equal(hks_syn_decode(hks_test_cm_alloc(),
                                        (const uint8_t *)"\x01\x02\x01"
                                                         "a\x01"
                                                         "a\x01"
                                                         "b\x01"
                                                         "b",
                                        10, "x", &d, &err),
                         HKS_OK);
        assert_int_equal(d.n_groups, 1);
        assert_int_equal(d.n_alias, 2);
        assert_memory_equal(d.alias[1].norm, "b", 1);
        hks_syn_free(hks_test_cm_alloc(), &d);
    }
}

/* Out of memory at every allocation of setting a table and of opening,
 * searching and reading back an index that has one: HKS_ERR_NOMEM or
 * success, nothing leaked, and the table whole once memory suffices. */
static void test_synonyms_out_of_memory(void **state)
{
    long k;
    (void)state;
    for (k = 0;; k++) {
        hks_test_fault f;
        hks_writer *w = NULL;
        int rc;
        hks_test_fault_init(&f, k);
        rc = hks_writer_open(g_idx, &f.alloc, &w);
        if (rc == HKS_OK)
            rc = hks_writer_set_synonyms(w, "t", k_table, strlen(k_table));
        hks_writer_close(w);
        if (f.live_blocks != 0)
            fail_msg("set, k=%ld: %zu blocks leaked", k, f.live_blocks);
        if (f.n_failed == 0) {
            assert_int_equal(rc, HKS_OK);
            break;
        }
        assert_true(rc == HKS_OK || rc == HKS_ERR_NOMEM);
    }
    for (k = 0;; k++) {
        hks_test_fault f;
        hks_index *idx = NULL;
        hks_searcher *s = NULL;
        hks_hit hits[8];
        char buf[1024];
        size_t n = 0, len = 0;
        int rc;
        hks_test_fault_init(&f, k);
        rc = hks_index_open(g_idx, &f.alloc, &idx);
        if (rc == HKS_OK)
            rc = hks_searcher_new(idx, &s);
        if (rc == HKS_OK)
            rc = hks_search(s, "医管局 新冠疫苗", strlen("医管局 新冠疫苗"), hits, 8, &n, NULL);
        if (rc == HKS_OK)
            rc = hks_index_synonyms(idx, buf, sizeof buf, &len, NULL);
        if (rc == HKS_OK)
            assert_string_equal(buf, k_shown);
        hks_searcher_free(s);
        hks_index_close(idx);
        if (f.live_blocks != 0)
            fail_msg("open, k=%ld: %zu blocks leaked", k, f.live_blocks);
        if (f.n_failed == 0) {
            assert_int_equal(rc, HKS_OK);
            break;
        }
        assert_true(rc == HKS_OK || rc == HKS_ERR_NOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synonyms_set_and_show),
        cmocka_unit_test(test_synonyms_bad_lines_are_named_and_change_nothing),
        cmocka_unit_test(test_synonyms_expand_unquoted_terms),
        cmocka_unit_test(test_synonyms_changed_reopen_clear_backup),
        cmocka_unit_test(test_synonyms_need_a_committed_index),
        cmocka_unit_test(test_synonyms_corrupt_file_is_named),
        cmocka_unit_test(test_synonyms_decode_bounds),
        cmocka_unit_test(test_synonyms_out_of_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
