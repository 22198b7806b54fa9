/*
 * test_boiler.c: site boilerplate (indexer/boiler.c) on real excerpts: the
 * subscription appeal hkcnews prints under most of its articles, a
 * columnist's byline and bio, the chrome of the seed articles; the news
 * sentences that recur but are news (王毅参加会见。) stay. Then through the
 * writer and searcher: boilerplate is stored, not matched unless
 * HKS_S_BOILERPLATE, never in a snippet, kept through merges, known to a
 * later writer, and decided when an article is indexed. Last, a damaged
 * BOILER section (with right checksums) is HKS_ERR_CORRUPT, never a crash.
 */
#include "hks_test.h"
#include "hks_indexer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The appeal as hkcnews prints it (traditional; two lines). */
#define APPEAL1 "請加入成為眾新聞的月費訂戶，長期支持我們的工作。所有訂戶都可以收到我們的「每周時事」通訊。"
#define APPEAL2 "月費訂戶網址：hkcnews.com/aboutus/#subscribe"
/* A columnist's byline and bio (hkcnews). */
#define BYLINE "博客 | 思言財雋"
#define BIO "【思言財雋專欄】「思言財雋」旨在滙聚金融財經界志同道合的同業友好，致力提高金融界對公共事務的意識及參與。"
/* The appeal hkcnews printed for a while (98 articles), on a line of its
 * own between --- and the web address. */
#define VARIANT "我們的眾籌活動已結束，謝謝你們的支持。你可以加入成為眾新聞的月費訂戶，長期支持我們的工作。所有訂戶都可以收到我們的「每周時事」通訊。"
/* A news sentence cctv_xwlb repeats (about 0.6% of its stories). */
#define WANGYI "王毅参加会见。"

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

/* A distinct news line for article i (a real report, numbers varied). */
static void news_line(char *buf, size_t cap, unsigned i)
{
    snprintf(buf, cap, "截至1月%u日24时，重庆市累计报告新型冠状病毒感染的肺炎确诊病例%u例，重型病例%u例。",
             i % 28 + 1, 100 + i, i % 17);
}

/* Is byte range [s, e) of body exactly one of the ranges? */
static bool has_range(const uint32_t *r, size_t n, const char *body, const char *line)
{
    const char *p = strstr(body, line);
    size_t i;
    assert_non_null(p);
    for (i = 0; i < n; i++)
        if (r[2 * i] == (uint32_t)(p - body) && r[2 * i + 1] == (uint32_t)(p - body + strlen(line)))
            return true;
    return false;
}

static void test_boiler_rules_on_real_excerpts(void **state)
{
    hks_boiler *b = NULL;
    char body[4096], line[512];
    uint32_t *r = NULL, lo, hi;
    size_t cap = 0, n;
    unsigned i;
    (void)state;
    assert_int_equal(hks_boiler_new(hks_test_cm_alloc(), &b), HKS_OK);
    /* 1000 articles: the appeal under 840, its variant under 10, the
     * column's byline and bio under 10, 王毅参加会见。 ending 10. */
    for (i = 0; i < 1000; i++) {
        news_line(line, sizeof line, i);
        snprintf(body, sizeof body, "%s%s\n\n%s%s%s", i % 100 == 0 ? "因為，\n" : "", line,
                 i < 840               ? "---\n" APPEAL1 "\n" APPEAL2
                 : i >= 860 && i < 870 ? "---\n" VARIANT "\n" APPEAL2
                                       : "",
                 i >= 900 && i < 910 ? "\n" BYLINE "\n\n" BIO : "", i >= 950 && i < 960 ? "\n" WANGYI : "");
        assert_int_equal(hks_boiler_count(b, "hkcnews", 7, body, strlen(body)), HKS_OK);
    }
    assert_int_equal(hks_boiler_ndocs(b, "hkcnews", 7), 1000);
    hks_boiler_thresholds(1000, &lo, &hi);
    assert_int_equal(lo, 5);
    assert_int_equal(hi, 20);

    /* The appeal (in 84% of the articles) is boilerplate anywhere. */
    news_line(line, sizeof line, 5);
    snprintf(body, sizeof body, "%s\n" APPEAL1 "\n%s", APPEAL2, line);
    assert_int_equal(hks_boiler_mark(b, "hkcnews", 7, "標題", 6, body, strlen(body), &r, &cap, &n),
                     HKS_OK);
    assert_int_equal(n, 2);
    assert_true(has_range(r, n, body, APPEAL1));
    assert_true(has_range(r, n, body, APPEAL2));

    /* The byline and bio (1%) are boilerplate as a run at the tail ... */
    snprintf(body, sizeof body, "%s\n" BYLINE "\n" BIO, line);
    assert_int_equal(hks_boiler_mark(b, "hkcnews", 7, "", 0, body, strlen(body), &r, &cap, &n),
                     HKS_OK);
    assert_int_equal(n, 2);
    assert_true(has_range(r, n, body, BIO));
    /* ... but not alone in the middle of an article. */
    snprintf(body, sizeof body, "%s\n" BIO "\n%s", line, line);
    assert_int_equal(hks_boiler_mark(b, "hkcnews", 7, "", 0, body, strlen(body), &r, &cap, &n),
                     HKS_OK);
    assert_int_equal(n, 0);
    /* The first line of an article, when it recurs in at least 0.5% (a
     * promotion above the text, hkcnews), is boilerplate; the same line
     * at the tail (where cctv's 会议还研究了其他事项。 stands) is not. */
    snprintf(body, sizeof body, WANGYI "\n%s", line);
    assert_int_equal(hks_boiler_mark(b, "hkcnews", 7, "", 0, body, strlen(body), &r, &cap, &n),
                     HKS_OK);
    assert_int_equal(n, 1);
    assert_true(has_range(r, n, body, WANGYI));
    /* A common short line (因為， in 1% of the articles, elsewhere) that
     * stands just before the appeal is not taken with it: the two are not
     * seen together. */
    snprintf(body, sizeof body, "%s\n因為，\n---\n" APPEAL1 "\n" APPEAL2, line);
    assert_int_equal(hks_boiler_mark(b, "hkcnews", 7, "", 0, body, strlen(body), &r, &cap, &n),
                     HKS_OK);
    assert_int_equal(n, 3);
    assert_false(has_range(r, n, body, "因為，"));
    /* The variant (1%) is boilerplate beside the web address it stands
     * with, in the middle of an article too; alone, it is not. */
    snprintf(body, sizeof body, "%s\n---\n" VARIANT "\n" APPEAL2 "\n%s", line, line);
    assert_int_equal(hks_boiler_mark(b, "hkcnews", 7, "", 0, body, strlen(body), &r, &cap, &n),
                     HKS_OK);
    assert_int_equal(n, 3); /* with the rule --- */
    assert_true(has_range(r, n, body, VARIANT));
    assert_true(has_range(r, n, body, APPEAL2));
    snprintf(body, sizeof body, "%s\n" VARIANT "\n%s", line, line);
    assert_int_equal(hks_boiler_mark(b, "hkcnews", 7, "", 0, body, strlen(body), &r, &cap, &n),
                     HKS_OK);
    assert_int_equal(n, 0);
    /* A recurring news sentence (1%, alone at the tail) is news. */
    snprintf(body, sizeof body, "%s\n" WANGYI, line);
    assert_int_equal(hks_boiler_mark(b, "hkcnews", 7, "", 0, body, strlen(body), &r, &cap, &n),
                     HKS_OK);
    assert_int_equal(n, 0);
    /* A line that is the title is never boilerplate. */
    snprintf(body, sizeof body, APPEAL2 "\n%s", line);
    assert_int_equal(hks_boiler_mark(b, "hkcnews", 7, APPEAL2, strlen(APPEAL2), body, strlen(body),
                                     &r, &cap, &n),
                     HKS_OK);
    assert_int_equal(n, 0);
    /* Another collection knows none of these counts. */
    snprintf(body, sizeof body, APPEAL1 "\n" APPEAL2);
    assert_int_equal(hks_boiler_mark(b, "other", 5, "", 0, body, strlen(body), &r, &cap, &n),
                     HKS_OK);
    assert_int_equal(n, 0);

    /* Site chrome by marker, traditional or simplified, with no counts:
     * lines of the seed articles 000 and 004. A marker inside a long
     * paragraph is text. */
    {
        static const char *const chrome[] = {
            "                                                      設為首頁",
            "                                                      您现在的位置: 首頁 > 區縣新聞 > 游仙",
            "版权声明: 本站所有文章,文字,视频,图片,音乐来源与网络转载非原创作品,仅限于学习交流",
            "当前位置:首页 > 医院新闻 > 最新资讯",
            "                                                            編輯:郭成",
            "【記者：盧文樂、殷格蘭｜編輯：林倩茹｜攝影：林倩茹、殷格蘭】",
        };
        static const char *const news[] = {
            "最後他分享到：",
            "有興趣的，下一篇討論下醫管局開藥和配藥是否有改善空間。",
            "過去兩周最高互動量的奧運相關新聞主要和伍家朗球衣風波有關。",
            "晴子哭着請求編輯:",
            "以色列国防军发言人当天拒绝发表评论。",
        };
        static const char text[] =
            "市卫健委统筹疫情防控与各项卫生健康工作，大力推进以治病为中心向以健康为中心转变，"
            "并将经验分享到全省各县区的医疗集团。";
        for (i = 0; i < sizeof chrome / sizeof *chrome; i++) {
            snprintf(body, sizeof body, "%s\n%s", text, chrome[i]);
            assert_int_equal(hks_boiler_mark(b, "seeds", 5, "", 0, body, strlen(body), &r, &cap, &n),
                             HKS_OK);
            assert_int_equal(n, 1);
            assert_true(has_range(r, n, body, chrome[i]));
        }
        assert_int_equal(hks_boiler_mark(b, "seeds", 5, "", 0, text, strlen(text), &r, &cap, &n),
                         HKS_OK);
        assert_int_equal(n, 0);
        /* Marker words inside news sentences (hkcnews lines) are text. */
        for (i = 0; i < sizeof news / sizeof *news; i++) {
            snprintf(body, sizeof body, "%s\n%s", text, news[i]);
            assert_int_equal(hks_boiler_mark(b, "seeds", 5, "", 0, body, strlen(body), &r, &cap, &n),
                             HKS_OK);
            assert_int_equal(n, 0);
        }
    }

    /* The table round-trips; a sync's forget empties a collection. */
    {
        hks_boiler *c = NULL;
        hks_buf t;
        int rc = 0;
        hks_buf_init(&t, hks_test_cm_alloc());
        hks_boiler_put(b, &rc, &t);
        assert_int_equal(rc, 0);
        assert_int_equal(hks_boiler_new(hks_test_cm_alloc(), &c), HKS_OK);
        assert_int_equal(hks_boiler_load(c, t.p, t.n), HKS_OK);
        assert_int_equal(hks_boiler_ndocs(c, "hkcnews", 7), 1000);
        snprintf(body, sizeof body, "%s\n" APPEAL1, line);
        assert_int_equal(hks_boiler_mark(c, "hkcnews", 7, "", 0, body, strlen(body), &r, &cap, &n),
                         HKS_OK);
        assert_int_equal(n, 1);
        hks_boiler_forget(c, "hkcnews", 7);
        assert_int_equal(hks_boiler_ndocs(c, "hkcnews", 7), 0);
        /* Every truncation of the table is refused (and leaves it empty). */
        for (i = 0; i < t.n; i++) {
            assert_int_equal(hks_boiler_load(c, t.p, i), HKS_ERR_CORRUPT);
            assert_int_equal(hks_boiler_ndocs(c, "hkcnews", 7), 0);
        }
        hks_boiler_free(c);
        hks_buf_free(&t);
    }
    hks_mem_free(hks_test_cm_alloc(), r, 0);
    hks_boiler_free(b);
}

/* Write n articles of collection feed as JSONL, ids from first: a news
 * line, then (with appeal) the appeal under a rule. */
static void write_feed(const char *path, unsigned first, unsigned n, bool appeal)
{
    FILE *f = fopen(path, "w");
    unsigned i;
    char line[512];
    assert_non_null(f);
    for (i = first; i < first + n; i++) {
        news_line(line, sizeof line, i);
        fprintf(f, "{\"id\":\"%u\",\"title\":\"重庆疫情通报 %u\",\"body\":\"%s\\n\\n%s\"}\n", i, i, line,
                appeal ? "---\\n" APPEAL1 "\\n" APPEAL2 : "");
    }
    fclose(f);
}

static uint64_t count_hits(hks_index *idx, const char *q, bool boiler)
{
    hks_searcher *s = NULL;
    hks_hit hits[4];
    size_t nh;
    hks_search_info info;
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    if (boiler)
        assert_int_equal(hks_searcher_set(s, HKS_S_BOILERPLATE, 1), HKS_OK);
    assert_true(hks_search(s, q, strlen(q), hits, 4, &nh, &info) >= 0);
    hks_searcher_free(s);
    return info.n_exact;
}

static void test_boiler_through_writer_and_searcher(void **state)
{
    char dir[4200], feed[4200], one[4200];
    hks_writer *w = NULL;
    hks_index *idx = NULL;
    (void)state;
    snprintf(dir, sizeof dir, "%s/idx", g_tmp);
    snprintf(feed, sizeof feed, "%s/feed.jsonl", g_tmp);
    snprintf(one, sizeof one, "%s/one.jsonl", g_tmp);

    /* One article first: its appeal, seen once, is text. */
    write_feed(one, 0, 1, true);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_add_source(w, one, "feed", 4, 0, NULL), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    /* Then 300 with it: the pre-pass counts them before any is indexed. */
    write_feed(feed, 1, 300, true);
    assert_int_equal(hks_writer_add_source(w, feed, "feed", 4, 0, NULL), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);

    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    /* Decided when indexed: only the first article matches the appeal. */
    assert_int_equal(count_hits(idx, "月费订户", false), 1);
    assert_int_equal(count_hits(idx, "月费订户", true), 301);
    assert_int_equal(count_hits(idx, "重庆市累计报告", false), 301);
    { /* no snippet shows the appeal, even for a query that names it */
        hks_searcher *s = NULL;
        hks_hit hits[10];
        size_t nh, i, len;
        char snip[2048];
        static const char q[] = "订户 OR 重庆市";
        uint32_t first;
        assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
        assert_int_equal(hks_doc_find(s, "feed", 4, "0", 1, &first), HKS_OK);
        assert_true(hks_search(s, q, strlen(q), hits, 10, &nh, NULL) >= 0);
        assert_int_equal(nh, 10);
        for (i = 0; i < nh; i++) {
            assert_int_equal(hks_snippet(s, hits[i].doc_id, q, strlen(q), 200, snip, sizeof snip,
                                         &len, NULL, 0, NULL),
                             HKS_OK);
            assert_non_null(strstr(snip, "重庆市"));
            if (hits[i].doc_id != first)
                assert_null(strstr(snip, "訂戶"));
        }
        /* Asked for, boilerplate is shown too. */
        assert_int_equal(hks_searcher_set(s, HKS_S_BOILERPLATE, 1), HKS_OK);
        assert_int_equal(hks_snippet(s, first == 5 ? 6 : 5, "订户", 6, 200, snip, sizeof snip, &len, NULL, 0, NULL),
                         HKS_OK);
        assert_non_null(strstr(snip, "訂戶"));
        hks_searcher_free(s);
    }
    assert_int_equal(hks_index_check(idx), HKS_OK);
    hks_index_close(idx);

    /* A later writer knows the counts: one new article added alone gets
     * its appeal taken out at once; a merge of everything keeps what each
     * article was given. */
    write_feed(one, 500, 1, true);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 2), HKS_OK);
    assert_int_equal(hks_writer_add_source(w, one, "feed", 4, 0, NULL), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    assert_int_equal(count_hits(idx, "月费订户", false), 1);
    assert_int_equal(count_hits(idx, "月费订户", true), 302);
    assert_int_equal(hks_index_check(idx), HKS_OK);
    hks_index_close(idx);

    /* A sync counts the collection again from its source; an unchanged
     * article keeps what it was given (article 0 keeps the appeal as
     * text), and the article the source no longer has (500) goes. */
    write_feed(feed, 0, 301, true);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_sync_source(w, feed, "feed", 4, 0, NULL, NULL, NULL), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    assert_int_equal(count_hits(idx, "月费订户", false), 1);
    assert_int_equal(count_hits(idx, "月费订户", true), 301);
    hks_index_close(idx);

    /* A rebuild from one source holding all the articles decides again:
     * none keeps the appeal as text. */
    snprintf(dir, sizeof dir, "%s/idx2", g_tmp);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_add_source(w, feed, "feed", 4, 0, NULL), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    assert_int_equal(count_hits(idx, "月费订户", false), 0);
    assert_int_equal(count_hits(idx, "月费订户", true), 301);
    hks_index_close(idx);

    /* A rebuild in place (hks_writer_delete_all, as hkindex build does)
     * counts from nothing: from a source where the appeal is under one
     * article of 301, it is text again, as in a new index. */
    write_feed(feed, 0, 300, false);
    write_feed(one, 300, 1, true);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_delete_all(w), HKS_OK);
    assert_int_equal(hks_writer_add_source(w, feed, "feed", 4, 0, NULL), HKS_OK);
    assert_int_equal(hks_writer_add_source(w, one, "feed", 4, 0, NULL), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    assert_int_equal(count_hits(idx, "月费订户", false), 1);
    assert_int_equal(count_hits(idx, "重庆市累计报告", false), 301);
    hks_index_close(idx);
    write_feed(feed, 0, 301, true);

    /* HKS_W_BOILERPLATE 0: every line is text. */
    snprintf(dir, sizeof dir, "%s/idx3", g_tmp);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_set(w, HKS_W_BOILERPLATE, 2), HKS_ERR_ARG);
    assert_int_equal(hks_writer_set(w, HKS_W_BOILERPLATE, 0), HKS_OK);
    assert_int_equal(hks_writer_add_source(w, feed, "feed", 4, 0, NULL), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    assert_int_equal(count_hits(idx, "月费订户", false), 301);
    hks_index_close(idx);
}

/* The segment file of the index in dir (the only one). */
static void seg_path(const char *dir, char *out, size_t cap)
{
    char cmd[4400];
    FILE *p;
    snprintf(cmd, sizeof cmd, "ls %s/seg-*.hks", dir);
    p = popen(cmd, "r");
    assert_non_null(p);
    assert_non_null(fgets(out, (int)cap, p));
    out[strcspn(out, "\n")] = '\0';
    pclose(p);
}

/* Make the container's checksums right again after bytes of section k
 * changed (the section table entry's hash, and the table's own). */
static void fix_sums(uint8_t *f, size_t n, uint64_t sec_off, uint64_t sec_len, size_t entry)
{
    uint64_t tab = hks_load_u64le(f + n - 32);
    uint32_t n_sec = hks_load_u32le(f + n - 24);
    uint64_t h = hks_hash64(f + sec_off, (size_t)sec_len);
    memcpy(f + entry + 24, &h, 8);
    h = hks_hash64(f + tab, (size_t)n_sec * 32);
    memcpy(f + n - 16, &h, 8);
}

static void test_boiler_damaged_section_is_corrupt(void **state)
{
    char dir[4200], feed[4200], seg[4400];
    hks_writer *w = NULL;
    uint8_t *orig;
    char *raw;
    size_t n, i, entry = 0;
    uint64_t tab, off = 0, len = 0;
    uint32_t n_sec, k;
    long corrupt = 0, ok = 0;
    (void)state;
    snprintf(dir, sizeof dir, "%s/dmg", g_tmp);
    snprintf(feed, sizeof feed, "%s/dmg.jsonl", g_tmp);
    write_feed(feed, 0, 12, true);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_add_source(w, feed, "feed", 4, 0, NULL), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    seg_path(dir, seg, sizeof seg);
    assert_int_equal(hks_test_read_file(seg, &raw, &n), 0);
    orig = (uint8_t *)raw;
    tab = hks_load_u64le(orig + n - 32);
    n_sec = hks_load_u32le(orig + n - 24);
    for (k = 0; k < n_sec; k++) {
        size_t e = (size_t)tab + 32 * k;
        if (hks_load_u32le(orig + e) == HKS_SEC_BOILER) {
            entry = e;
            off = hks_load_u64le(orig + e + 8);
            len = hks_load_u64le(orig + e + 16);
        }
    }
    assert_true(entry && len > 20);
    /* Every byte of the section flipped, checksums made right: the index
     * opens and checks clean, or says HKS_ERR_CORRUPT naming the file. */
    for (i = 0; i < len; i++) {
        uint8_t *f = malloc(n);
        FILE *o;
        hks_index *idx = NULL;
        int rc;
        memcpy(f, orig, n);
        f[off + i] ^= (uint8_t)(1u << (i % 8)) | 0x80;
        fix_sums(f, n, off, len, entry);
        o = fopen(seg, "wb");
        assert_non_null(o);
        assert_int_equal(fwrite(f, 1, n, o), n);
        fclose(o);
        free(f);
        rc = hks_index_open(dir, NULL, &idx);
        if (rc == HKS_OK)
            rc = hks_index_check(idx);
        if (rc == HKS_OK) {
            ok++;
        } else {
            assert_int_equal(rc, HKS_ERR_CORRUPT);
            assert_non_null(strstr(hks_index_errmsg(idx), "seg-"));
            corrupt++;
        }
        hks_index_close(idx);
        if (rc == HKS_OK) { /* a writer reads the counts too */
            rc = hks_writer_open(dir, NULL, &w);
            assert_true(rc == HKS_OK || rc == HKS_ERR_CORRUPT);
            hks_writer_close(w);
        }
    }
    assert_true(corrupt > 0);
    printf("boilerplate section: %zu bytes flipped, %ld refused as corrupt, %ld still valid\n",
           (size_t)len, corrupt, ok);
    free(raw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boiler_rules_on_real_excerpts),
        cmocka_unit_test(test_boiler_through_writer_and_searcher),
        cmocka_unit_test(test_boiler_damaged_section_is_corrupt),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
