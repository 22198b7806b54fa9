/*
 * test_hostile.c: hostile and odd input through the public API: invalid
 * UTF-8 (overlong forms, surrogates, stray bytes), GB18030 and Big5
 * articles, UTF-16 with a BOM, NUL bytes, empty files and folders, a
 * 100 MB article, 200,000 tiny JSONL articles, a 1 MB line of one
 * character, mixed scripts and emoji, malformed JSON lines; odd queries
 * (10,000 characters, punctuation only, unbalanced quotes, thousands of
 * OR terms, a lone "-"); odd index paths (a file, missing, unreadable,
 * read-only file system) and an index written by a newer format version.
 * Every case ends with the right answer or a clear error with a message,
 * never a crash. The two largest cases are skipped in sanitizer builds.
 */
#include "hks_test.h"
#include "hks_searcher.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define HKS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HKS_SANITIZED 1
#endif
#endif

static char g_tmp[4096];

/* Sanitizer builds, and runs under valgrind (make valgrind sets
 * HKS_VALGRIND), skip the two largest cases. */
static bool slow_build(void)
{
#ifdef HKS_SANITIZED
    return true;
#else
    return getenv("HKS_VALGRIND") != NULL;
#endif
}

/* An index in dir holding one article (collection "news", no title). */
static void index_one(const char *dir, const char *id, const char *body)
{
    hks_writer *w = NULL;
    hks_doc d;
    hks_test_doc(&d, id, "", body);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_add(w, &d), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
}

static int setup(void **state)
{
    (void)state;
    return hks_test_tmpdir(g_tmp, sizeof g_tmp);
}

static int teardown(void **state)
{
    char mnt[4200];
    (void)state;
    snprintf(mnt, sizeof mnt, "%s/ro", g_tmp);
    umount2(mnt, MNT_DETACH); /* if a failed test left it mounted */
    hks_test_rmtree(g_tmp);
    return 0;
}

static void path_in(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", g_tmp, name);
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(p, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

/* Warnings collected from hks_writer_add_path. */
typedef struct warns {
    char text[16384];
    int n;
} warns;

static void on_warn(void *ud, const char *msg)
{
    warns *w = ud;
    size_t len = strlen(w->text);
    snprintf(w->text + len, sizeof w->text - len, "%s\n", msg);
    w->n++;
}

/* Add path to a new index at dir and commit; warnings into *wr. */
static void build(const char *dir, const char *src, warns *wr)
{
    hks_writer *w = NULL;
    hks_callbacks cb = {on_warn, NULL, wr, NULL};
    int rc;
    memset(wr, 0, sizeof *wr);
    cb.ud = wr;
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    rc = hks_writer_add_path(w, src, &cb);
    if (rc)
        fail_msg("add %s: %s", src, hks_writer_errmsg(w));
    rc = hks_writer_commit(w);
    if (rc)
        fail_msg("commit: %s", hks_writer_errmsg(w));
    hks_writer_close(w);
}

/* Number of hits of q (up to 1000); the first hit's id into id_out. */
static size_t count_hits(hks_searcher *s, const char *q, char *id_out, size_t id_cap)
{
    static hks_hit hits[1000];
    size_t n;
    int rc = hks_search(s, q, strlen(q), hits, 1000, &n, NULL);
    if (rc)
        fail_msg("search %s: %s", q, hks_searcher_errmsg(s));
    if (id_out) {
        id_out[0] = '\0';
        if (n) {
            hks_doc_meta m;
            assert_int_equal(hks_doc_meta_get(s, hits[0].doc_id, &m), HKS_OK);
            snprintf(id_out, id_cap, "%.*s", (int)m.id_len, m.id);
        }
    }
    return n;
}

static void open_search(const char *dir, hks_index **idx, hks_searcher **s)
{
    int rc = hks_index_open(dir, NULL, idx);
    if (rc)
        fail_msg("open %s: %s", dir, hks_index_errmsg(*idx));
    assert_int_equal(hks_index_check(*idx), HKS_OK);
    assert_int_equal(hks_searcher_new(*idx, s), HKS_OK);
}

/* iconv from UTF-8 into enc; a malloc'd buffer. */
static char *to_enc(const char *enc, const char *utf8, size_t *n_out)
{
    iconv_t cd = iconv_open(enc, "UTF-8");
    size_t in_left = strlen(utf8), cap = in_left * 4 + 16, out_left = cap;
    char *out = malloc(cap), *in = (char *)utf8, *o = out;
    assert_true(cd != (iconv_t)-1);
    assert_true(iconv(cd, &in, &in_left, &o, &out_left) != (size_t)-1);
    iconv_close(cd);
    *n_out = cap - out_left;
    return out;
}

/* ---- encodings and odd files -------------------------------------------- */

static void test_hostile_encodings_and_odd_files(void **state)
{
    static const char good[] = "疫苗接种通知\n襄垣县医疗集团开展疫苗接种工作。\n";
    static const char bad_utf8[] = "坏字节通知\n前文\xC0\xAF\xED\xA0\x80\x80\xFF后文医疗。\n";
    char folder[4200], sub[4300], idx_dir[4200], p[4400], id[256];
    char *gb, *b5, *u16;
    size_t n_gb, n_b5, n_u16;
    warns wr;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    (void)state;
    path_in(folder, sizeof folder, "odd");
    path_in(idx_dir, sizeof idx_dir, "odd-idx");
    assert_int_equal(mkdir(folder, 0755), 0);
    snprintf(sub, sizeof sub, "%s/empty-folder", folder);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(p, sizeof p, "%s/good.txt", folder);
    write_file(p, good, strlen(good));
    snprintf(p, sizeof p, "%s/bad.txt", folder);
    write_file(p, bad_utf8, strlen(bad_utf8));
    gb = to_enc("GB18030", "国家卫生健康委员会发布通知\n绵阳市开展流感疫苗接种，居民积极参与。\n", &n_gb);
    snprintf(p, sizeof p, "%s/gb.txt", folder);
    write_file(p, gb, n_gb);
    b5 = to_enc("BIG5", "衛生署公告\n臺北市醫院舉辦流感疫苗接種講座，民眾踴躍參加。\n", &n_b5);
    snprintf(p, sizeof p, "%s/big5.txt", folder);
    write_file(p, b5, n_b5);
    u16 = to_enc("UTF-16", "肺炎防控通知\n门诊安排有变化，请提前预约挂号。\n", &n_u16);
    assert_true((uint8_t)u16[0] == 0xFF || (uint8_t)u16[0] == 0xFE); /* a BOM */
    snprintf(p, sizeof p, "%s/utf16.txt", folder);
    write_file(p, u16, n_u16);
    snprintf(p, sizeof p, "%s/nul.txt", folder);
    write_file(p, "空字节\n前\0后医院", 22);
    snprintf(p, sizeof p, "%s/empty.txt", folder);
    write_file(p, "", 0);
    free(gb);
    free(b5);
    free(u16);

    build(idx_dir, folder, &wr);
    open_search(idx_dir, &idx, &s);
    assert_int_equal(count_hits(s, "襄垣县", id, sizeof id), 1);
    assert_string_equal(id, "good.txt");
    assert_int_equal(count_hits(s, "绵阳市", id, sizeof id), 1);
    assert_string_equal(id, "gb.txt");
    assert_int_equal(count_hits(s, "台北市医院", id, sizeof id), 1);
    assert_string_equal(id, "big5.txt");
    assert_int_equal(count_hits(s, "预约挂号", id, sizeof id), 1);
    assert_string_equal(id, "utf16.txt");
    /* files that cannot be read as text are skipped with a warning that
     * names them; the rest are indexed */
    if (count_hits(s, "后文医疗", id, sizeof id) == 0)
        assert_non_null(strstr(wr.text, "bad.txt"));
    if (count_hits(s, "后医院", id, sizeof id) == 0)
        assert_non_null(strstr(wr.text, "nul.txt"));
    assert_non_null(strstr(wr.text, "empty.txt"));
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* Invalid UTF-8 given to hks_writer_add: skipped, the valid rest indexed. */
static void test_hostile_invalid_utf8_fields_through_the_api(void **state)
{
    static const char body[] = "前文\xC0\xAF\xE0\x80\xAF\xED\xA0\x80\xED\xBF\xBF\xF4\x90\x80\x80"
                               "\x80\xBF\xFE\xFF后文医疗集团\xE5\x8C";
    char dir[4200], id[64];
    hks_writer *w = NULL;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_doc d;
    char snip[256];
    size_t len, nsp;
    hks_span sp[4];
    hks_hit hit;
    size_t n;
    (void)state;
    path_in(dir, sizeof dir, "utf8-idx");
    memset(&d, 0, sizeof d);
    d.id = "x\xFFy";
    d.id_len = 3;
    d.title = "标题\xC3";
    d.title_len = strlen(d.title);
    d.body = body;
    d.body_len = sizeof body - 1;
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_add(w, &d), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    open_search(dir, &idx, &s);
    assert_int_equal(count_hits(s, "后文医疗", id, sizeof id), 1);
    assert_int_equal(hks_search(s, "医疗", 6, &hit, 1, &n, NULL), HKS_OK);
    assert_int_equal(hks_snippet(s, hit.doc_id, "医疗", 6, 20, snip, sizeof snip, &len, sp, 4,
                                 &nsp),
                     HKS_OK);
    assert_non_null(strstr(snip, "医疗"));
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* Mixed scripts and emoji. */
static void test_hostile_mixed_scripts_and_emoji(void **state)
{
    static const char body[] = "COVID-19疫苗😷接种ワクチン接種백신접종 café naïve ＡＢＣ１２３ "
                               "Ελληνικά русский עברית العربية 🇨🇳👨‍👩‍👧 \xE2\x80\x8B零宽";
    char dir[4200];
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    (void)state;
    path_in(dir, sizeof dir, "mixed-idx");
    index_one(dir, "m", body);
    open_search(dir, &idx, &s);
    assert_int_equal(count_hits(s, "covid-19", NULL, 0), 1);
    assert_int_equal(count_hits(s, "ワクチン", NULL, 0), 1);
    assert_int_equal(count_hits(s, "백신", NULL, 0), 1);
    assert_int_equal(count_hits(s, "CAFÉ", NULL, 0), 1);
    assert_int_equal(count_hits(s, "abc123", NULL, 0), 1);
    assert_int_equal(count_hits(s, "русский", NULL, 0), 1);
    assert_int_equal(count_hits(s, "疫苗", NULL, 0), 1);
    assert_int_equal(count_hits(s, "零宽", NULL, 0), 1);
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* ---- JSONL --------------------------------------------------------------- */

static void test_hostile_malformed_json_lines(void **state)
{
    static const char jl[] =
        "{\"id\":\"1\",\"title\":\"一\",\"body\":\"第一条医疗新闻\"}\n"
        "{\"id\":\"2\",\"body\":\"缺右括号\"\n"
        "{\"id\":\"3\",\"body\":\"第三条医疗新闻\"}\n"
        "[1,2,3]\n"
        "{\"title\":\"没有编号\",\"body\":\"第五条\"}\n"
        "\n"
        "{\"id\":\"7\",\"body\":\"\\ud800孤立代理\\u0000空\"}\n"
        "garbage \xFF\xFE\n"
        "{\"id\":\"9\",\"body\":\"第九条医疗新闻\"}";
    char src[4200], dir[4200];
    warns wr;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    (void)state;
    path_in(src, sizeof src, "bad.jsonl");
    path_in(dir, sizeof dir, "json-idx");
    write_file(src, jl, sizeof jl - 1);
    build(dir, src, &wr);
    assert_non_null(strstr(wr.text, "bad.jsonl:2:"));
    assert_non_null(strstr(wr.text, "bad.jsonl:4:"));
    assert_non_null(strstr(wr.text, "bad.jsonl:5:"));
    assert_non_null(strstr(wr.text, "bad.jsonl:8:"));
    open_search(dir, &idx, &s);
    assert_int_equal(count_hits(s, "医疗新闻", NULL, 0), 3);
    assert_int_equal(count_hits(s, "孤立代理", NULL, 0), 1);
    hks_searcher_free(s);
    hks_index_close(idx);
}

static void test_hostile_200000_tiny_articles(void **state)
{
    char src[4200], dir[4200], id[64];
    FILE *fp;
    long i;
    warns wr;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_index_info info;
    double t0 = (double)clock();
    (void)state;
    if (slow_build()) {
        printf("skipped under sanitizers or valgrind: 200,000 articles take minutes there\n");
        skip();
    }
    path_in(src, sizeof src, "tiny.jsonl");
    path_in(dir, sizeof dir, "tiny-idx");
    fp = fopen(src, "w");
    assert_non_null(fp);
    for (i = 0; i < 200000; i++)
        fprintf(fp, "{\"id\":\"%ld\",\"title\":\"短讯\",\"body\":\"编号x%ld 医院通知\"}\n", i, i);
    assert_int_equal(fclose(fp), 0);
    build(dir, src, &wr);
    assert_int_equal(wr.n, 0);
    open_search(dir, &idx, &s);
    assert_int_equal(hks_index_info_get(idx, &info), HKS_OK);
    assert_int_equal(info.n_docs, 200000);
    assert_int_equal(count_hits(s, "x123457", id, sizeof id), 1);
    assert_string_equal(id, "123457");
    assert_int_equal(count_hits(s, "x199999", id, sizeof id), 1);
    assert_int_equal(count_hits(s, "医院通知", NULL, 0), 1000); /* capped at 1000 */
    hks_searcher_free(s);
    hks_index_close(idx);
    printf("200,000 articles indexed and searched in %.1f s cpu\n",
           ((double)clock() - t0) / CLOCKS_PER_SEC);
}

/* ---- big articles ---------------------------------------------------------- */

static void test_hostile_one_mb_line_of_one_character(void **state)
{
    size_t n = 1u << 20, i;
    char *body = malloc(n + 1), dir[4200], *snip;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hit;
    size_t nh, len, nsp;
    hks_span sp[8];
    (void)state;
    assert_non_null(body);
    for (i = 0; i + 3 <= n; i += 3)
        memcpy(body + i, "医", 3);
    n = i;
    body[n] = '\0';
    path_in(dir, sizeof dir, "onechar-idx");
    index_one(dir, "one", body);
    open_search(dir, &idx, &s);
    assert_int_equal(count_hits(s, "医", NULL, 0), 1);
    assert_int_equal(count_hits(s, "医医", NULL, 0), 1);
    assert_int_equal(count_hits(s, "\"医医医医医医医医医医\"", NULL, 0), 1);
    assert_int_equal(count_hits(s, "医院", NULL, 0), 0);
    assert_int_equal(hks_search(s, "医医", 6, &hit, 1, &nh, NULL), HKS_OK);
    snip = malloc(4096);
    assert_int_equal(hks_snippet(s, hit.doc_id, "医医", 6, 50, snip, 4096, &len, sp, 8, &nsp),
                     HKS_OK);
    assert_true(nsp > 0);
    assert_true(len > 0 && len < 4096);
    assert_non_null(strstr(snip, "医医"));
    free(snip);
    hks_searcher_free(s);
    hks_index_close(idx);
    free(body);
}

static void test_hostile_100_mb_article(void **state)
{
    static const char *const sent[] = {
        "市卫生健康委员会发布通知，",
        "医疗集团开展家庭医生签约服务。",
        "疫苗接种点照常开放，",
        "门诊安排有变化请提前预约。",
        "COVID-19 防控 2022 年第 3 号。",
        "基层医院加强慢病管理，",
        "居民健康档案逐步完善。",
        "中医药服务能力持续提升；",
    };
    static const char needle[] = "独一无二的针尖短语在此";
    const size_t target = 100u << 20;
    char folder[4200], p[4400], dir[4200], id[256], *body, *snip;
    size_t n = 0, mid_at = 0, len, nsp;
    unsigned x = 12345;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hit;
    size_t nh;
    hks_span sp[8];
    warns wr;
    time_t t0 = time(NULL), t1, t2;
    (void)state;
    if (slow_build()) {
        printf("skipped under sanitizers or valgrind: a 100 MB article takes minutes there\n");
        skip();
    }
    body = malloc(target + 256);
    assert_non_null(body);
    while (n < target) {
        const char *t;
        if (!mid_at && n >= target / 2) {
            mid_at = n;
            t = needle;
        } else {
            x = x * 1103515245u + 12345u;
            t = sent[(x >> 16) % 8];
        }
        memcpy(body + n, t, strlen(t));
        n += strlen(t);
    }
    path_in(folder, sizeof folder, "big");
    path_in(dir, sizeof dir, "big-idx");
    assert_int_equal(mkdir(folder, 0755), 0);
    snprintf(p, sizeof p, "%s/big.txt", folder);
    write_file(p, body, n);
    free(body);
    t1 = time(NULL);
    build(dir, folder, &wr);
    t2 = time(NULL);
    open_search(dir, &idx, &s);
    assert_int_equal(count_hits(s, needle, id, sizeof id), 1);
    assert_string_equal(id, "big.txt");
    assert_int_equal(hks_search(s, needle, strlen(needle), &hit, 1, &nh, NULL), HKS_OK);
    snip = malloc(4096);
    assert_int_equal(hks_snippet(s, hit.doc_id, needle, strlen(needle), 60, snip, 4096, &len, sp,
                                 8, &nsp),
                     HKS_OK);
    assert_non_null(strstr(snip, needle));
    assert_true(nsp >= 1);
    assert_int_equal(sp[0].end - sp[0].start, strlen(needle));
    assert_memory_equal(snip + sp[0].start, needle, strlen(needle));
    free(snip);
    hks_searcher_free(s);
    hks_index_close(idx);
    printf("100 MB article (needle at byte %zu): written in %ld s, indexed in %ld s, found "
           "with its snippet in %ld s\n",
           mid_at, (long)(t1 - t0), (long)(t2 - t1), (long)(time(NULL) - t2));
}

/* ---- queries ---------------------------------------------------------------- */

static void expect_query_error(hks_searcher *s, const char *q, size_t n)
{
    hks_hit hits[4];
    size_t nh;
    int rc = hks_search(s, q, n, hits, 4, &nh, NULL);
    if (rc != HKS_ERR_QUERY)
        fail_msg("query of %zu bytes gave %d, expected a query error", n, rc);
    assert_true(strlen(hks_searcher_errmsg(s)) > 0);
}

static void test_hostile_queries(void **state)
{
    char dir[4200], *q;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hits[8];
    size_t nh, i, n;
    int rc;
    (void)state;
    path_in(dir, sizeof dir, "q-idx");
    index_one(dir, "q", "医院疫苗接种通知 a1 a2 a3");
    open_search(dir, &idx, &s);

    q = malloc(60000);
    /* 10,000 characters */
    for (i = 0; i < 10000; i++)
        memcpy(q + 3 * i, "疫", 3);
    expect_query_error(s, q, 30000);
    /* punctuation only; a lone - */
    expect_query_error(s, "，。！？、；：“”（）", strlen("，。！？、；：“”（）"));
    expect_query_error(s, "!@#$%^&*()_+=", 13);
    /* a lone quote mark is text; unbalanced parentheses are errors */
    assert_int_equal(count_hits(s, "\"医院", NULL, 0), 1);
    assert_int_equal(count_hits(s, "\"医院\" \"疫苗", NULL, 0), 1);
    expect_query_error(s, "(医院", strlen("(医院"));
    expect_query_error(s, "医院)", strlen("医院)"));
    expect_query_error(s, "((医院) 疫苗", strlen("((医院) 疫苗"));
    expect_query_error(s, "-", 1);
    expect_query_error(s, " - ", 3);
    expect_query_error(s, "", 0);
    /* thousands of OR terms: too long or too many terms, or an answer */
    for (n = 0, i = 0; i < 3000; i++)
        n += (size_t)sprintf(q + n, "%sa%zu", i ? " OR " : "", i);
    rc = hks_search(s, q, n, hits, 8, &nh, NULL);
    assert_true(rc == HKS_OK || rc == HKS_ERR_QUERY);
    if (rc)
        assert_true(strlen(hks_searcher_errmsg(s)) > 0);
    /* as many OR terms as fit under the length limit */
    for (n = 0, i = 0; n < HKS_MAX_QUERY_BYTES - 16; i++)
        n += (size_t)sprintf(q + n, "%sa%zu", i ? " OR " : "", i);
    rc = hks_search(s, q, n, hits, 8, &nh, NULL);
    assert_true(rc == HKS_OK || rc == HKS_ERR_QUERY);
    if (rc == HKS_OK)
        assert_int_equal(nh, 1);
    else
        assert_true(strlen(hks_searcher_errmsg(s)) > 0);
    /* many OR phrases of CJK, and many negations */
    for (n = 0, i = 0; i < 300; i++)
        n += (size_t)sprintf(q + n, "%s医院", i ? " OR " : "");
    rc = hks_search(s, q, n, hits, 8, &nh, NULL);
    assert_true(rc == HKS_OK || rc == HKS_ERR_QUERY);
    for (n = 0, i = 0; i < 300; i++)
        n += (size_t)sprintf(q + n, " -b%zu", i);
    n += (size_t)sprintf(q + n, " 医院");
    rc = hks_search(s, q, n, hits, 8, &nh, NULL);
    assert_true(rc == HKS_OK || rc == HKS_ERR_QUERY);
    /* NUL bytes and invalid UTF-8 inside a query */
    rc = hks_search(s, "医\0院", 7, hits, 8, &nh, NULL);
    assert_true(rc == HKS_OK || rc == HKS_ERR_QUERY);
    rc = hks_search(s, "医院\xFF\xC0\xAF", 9, hits, 8, &nh, NULL);
    assert_true(rc == HKS_OK || rc == HKS_ERR_QUERY);
    rc = hks_search(s, "title: date:.. source: OR - \"\"", 30, hits, 8, &nh, NULL);
    assert_true(rc == HKS_OK || rc == HKS_ERR_QUERY);
    free(q);
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* ---- index paths ------------------------------------------------------------ */

static void test_hostile_index_path_is_a_file_or_missing(void **state)
{
    char file[4200], missing[4200];
    hks_index *idx = NULL;
    hks_writer *w = NULL;
    int rc;
    (void)state;
    path_in(file, sizeof file, "a-file");
    path_in(missing, sizeof missing, "no/such/dir");
    write_file(file, "x", 1);
    rc = hks_index_open(file, NULL, &idx);
    assert_true(rc == HKS_ERR_NOTFOUND || rc == HKS_ERR_IO);
    assert_non_null(strstr(hks_index_errmsg(idx), "a-file"));
    hks_index_close(idx);
    rc = hks_writer_open(file, NULL, &w);
    assert_int_equal(rc, HKS_ERR_IO);
    assert_non_null(strstr(hks_writer_errmsg(w), "not a directory"));
    hks_writer_close(w);
    rc = hks_index_open(missing, NULL, &idx);
    assert_int_equal(rc, HKS_ERR_NOTFOUND);
    assert_non_null(strstr(hks_index_errmsg(idx), "no/such/dir"));
    hks_index_close(idx);
    rc = hks_writer_open(missing, NULL, &w); /* parent missing: cannot create */
    assert_int_equal(rc, HKS_ERR_IO);
    assert_non_null(strstr(hks_writer_errmsg(w), "no/such/dir"));
    hks_writer_close(w);
}

static void small_index(const char *dir)
{
    index_one(dir, "s", "医院疫苗接种通知");
}

static void test_hostile_unreadable_index(void **state)
{
    char dir[4200], man[4300];
    hks_index *idx = NULL;
    int rc;
    (void)state;
    path_in(dir, sizeof dir, "unreadable");
    small_index(dir);
    snprintf(man, sizeof man, "%s/MANIFEST", dir);
    assert_int_equal(chmod(man, 0), 0);
    if (access(man, R_OK) == 0) {
        chmod(man, 0644);
        printf("skipped: running as root, permissions do not stop reads\n");
        skip();
    }
    rc = hks_index_open(dir, NULL, &idx);
    assert_int_equal(rc, HKS_ERR_IO);
    assert_non_null(strstr(hks_index_errmsg(idx), "MANIFEST"));
    hks_index_close(idx);
    chmod(man, 0644);
}

static void test_hostile_read_only_file_system(void **state)
{
    char src[4200], ro[4200];
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_writer *w = NULL;
    int rc;
    (void)state;
    path_in(src, sizeof src, "ro-src");
    path_in(ro, sizeof ro, "ro");
    small_index(src);
    assert_int_equal(mkdir(ro, 0755), 0);
    if (mount(src, ro, "none", MS_BIND, NULL) != 0) {
        printf("skipped: cannot bind-mount here (%s)\n", strerror(errno));
        skip();
    }
    if (mount("none", ro, "none", MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) != 0) {
        printf("skipped: cannot remount read-only here (%s)\n", strerror(errno));
        umount(ro);
        skip();
    }
    open_search(ro, &idx, &s); /* readers need no write access */
    assert_int_equal(count_hits(s, "疫苗接种", NULL, 0), 1);
    hks_searcher_free(s);
    hks_index_close(idx);
    rc = hks_writer_open(ro, NULL, &w);
    assert_int_equal(rc, HKS_ERR_IO);
    assert_non_null(strstr(hks_writer_errmsg(w), ro));
    hks_writer_close(w);
    assert_int_equal(umount(ro), 0);
}

/* Patch the format version of a file (header and footer; the version is
 * covered by no checksum, so nothing else differs). */
static void patch_version(const char *path, unsigned v)
{
    char *p;
    size_t n;
    assert_int_equal(hks_test_read_file(path, &p, &n), 0);
    p[4] = (char)(v & 0xff);
    p[5] = (char)(v >> 8);
    p[n - 8] = (char)(v & 0xff);
    p[n - 7] = (char)(v >> 8);
    write_file(path, p, n);
    free(p);
}

static void test_hostile_newer_format_version(void **state)
{
    char dir[4200], path[4300];
    hks_index *idx = NULL;
    hks_writer *w = NULL;
    (void)state;
    path_in(dir, sizeof dir, "future");
    small_index(dir);
    snprintf(path, sizeof path, "%s/seg-000001.hks", dir);
    patch_version(path, HKS_FORMAT_VERSION + 1);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_ERR_FORMAT);
    assert_non_null(strstr(hks_index_errmsg(idx), "newer hksearch"));
    assert_non_null(strstr(hks_index_errmsg(idx), "seg-000001.hks"));
    hks_index_close(idx);
    snprintf(path, sizeof path, "%s/MANIFEST", dir);
    patch_version(path, HKS_FORMAT_VERSION + 1);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_ERR_FORMAT);
    assert_non_null(strstr(hks_index_errmsg(idx), "newer hksearch"));
    assert_non_null(strstr(hks_index_errmsg(idx), "MANIFEST"));
    hks_index_close(idx);
    /* a writer must refuse it too, and leave it alone */
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_ERR_FORMAT);
    assert_non_null(strstr(hks_writer_errmsg(w), "newer hksearch"));
    hks_writer_close(w);
    patch_version(path, 0x7fff);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_ERR_FORMAT);
    hks_index_close(idx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_encodings_and_odd_files),
        cmocka_unit_test(test_hostile_invalid_utf8_fields_through_the_api),
        cmocka_unit_test(test_hostile_mixed_scripts_and_emoji),
        cmocka_unit_test(test_hostile_malformed_json_lines),
        cmocka_unit_test(test_hostile_200000_tiny_articles),
        cmocka_unit_test(test_hostile_one_mb_line_of_one_character),
        cmocka_unit_test(test_hostile_100_mb_article),
        cmocka_unit_test(test_hostile_queries),
        cmocka_unit_test(test_hostile_index_path_is_a_file_or_missing),
        cmocka_unit_test(test_hostile_unreadable_index),
        cmocka_unit_test(test_hostile_read_only_file_system),
        cmocka_unit_test(test_hostile_newer_format_version),
    };
    return cmocka_run_group_tests_name("hostile", tests, setup, teardown);
}
