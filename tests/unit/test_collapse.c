/*
 * test_collapse.c: near-duplicates. The fingerprint (indexer/simhash.c)
 * on real seed articles: a reprint with a changed photo caption and one
 * reworded sentence is a few bits from the original, another article about
 * half the bits away, punctuation and script do not matter, a short text
 * gets none. Search (searcher/collapse.c): copies fold into the best hit,
 * which carries their number and ids; the page is still filled; the
 * parameter shows every hit; copies dated apart stay apart; the folding
 * survives delete and merge. The SIMHASH section absent or of the wrong
 * length is a corrupt segment that names its file.
 */
#include "hks_test.h"
#include "hks_indexer.h"
#include "hks_searcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char g_tmp[4096];
static char *g_a, *g_b; /* seed articles 001 and 002 */
static char *g_a2;      /* 001 reprinted: another caption, a reworded line */

static int setup(void **state)
{
    char path[4096];
    size_t n;
    const char *cap = "大美汝州 王庆 摄";
    const char *line = "字里行间透出满满的感激之情。";
    char *p, *q;
    (void)state;
    if (hks_test_tmpdir(g_tmp, sizeof g_tmp))
        return -1;
    if (hks_test_read_file(hks_test_repo_path("corpus/001_ade38ef73a2d2cc1.txt", path, sizeof path),
                           &g_a, &n) ||
        hks_test_read_file(hks_test_repo_path("corpus/002_a98c0e2f6a5c2cb4.txt", path, sizeof path),
                           &g_b, &n))
        return -1;
    /* The reprint: the photo credit replaced, one sentence reworded. */
    p = strstr(g_a, cap);
    q = strstr(g_a, line);
    if (!p || !q || q < p)
        return -1;
    g_a2 = malloc(strlen(g_a) + 256);
    if (!g_a2)
        return -1;
    sprintf(g_a2, "%.*s%s%.*s%s%s", (int)(p - g_a), g_a, "汝州市人民医院供图",
            (int)(q - p - strlen(cap)), p + strlen(cap), "信中处处是感激。", q + strlen(line));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hks_test_rmtree(g_tmp);
    free(g_a);
    free(g_b);
    free(g_a2);
    return 0;
}

static uint64_t simhash_of(const char *text)
{
    hks_ntext nt;
    uint64_t h;
    hks_ntext_init(&nt, NULL);
    assert_int_equal(hks_norm_text(&nt, text, strlen(text)), HKS_OK);
    h = hks_simhash(&nt);
    hks_ntext_free(&nt);
    return h;
}

static int bits(uint64_t x)
{
    return __builtin_popcountll(x);
}

static void test_simhash_reprint_near_other_story_far(void **state)
{
    uint64_t a = simhash_of(g_a), a2 = simhash_of(g_a2), b = simhash_of(g_b);
    char *punct = strdup(g_a), *p;
    (void)state;
    assert_non_null(punct);
    assert_int_not_equal(a, HKS_SIMHASH_NONE);
    assert_int_not_equal(b, HKS_SIMHASH_NONE);
    assert_true(bits(a ^ a2) <= HKS_COLLAPSE_DISTANCE);
    assert_true(bits(a ^ a2) > 0); /* the texts do differ */
    assert_true(bits(a ^ b) > 16);
    /* Separators are dropped: commas for full stops changes nothing. */
    for (p = punct; (p = strstr(p, "。")) != NULL; p += 3)
        memcpy(p, "，", 3);
    assert_int_equal(simhash_of(punct), a);
    free(punct);
    /* The same words in traditional characters: the same fingerprint. */
    assert_int_equal(simhash_of("醫護人員真的很辛苦、很不容易，每天穿著隔離服在病房裡忙前忙後"),
                     simhash_of("医护人员真的很辛苦、很不容易，每天穿着隔离服在病房里忙前忙后"));
    /* Too short to compare: never collapsed. */
    assert_int_equal(simhash_of("市卫生健康委员会发布通知：疫苗接种后留观三十分钟。"),
                     HKS_SIMHASH_NONE);
}

static void add(hks_writer *w, const char *id, const char *body, const char *date)
{
    hks_doc d;
    hks_test_doc(&d, id, "市卫健委", body);
    if (date) {
        d.date = date;
        d.date_len = strlen(date);
    }
    assert_int_equal(hks_writer_add(w, &d), HKS_OK);
}

static void index_dir(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", g_tmp, name);
}

/* The ids (as "news/ID" strings joined by spaces) of query's hits, with
 * "(+N)" after a hit that folds N others. */
static void run(hks_index *idx, int collapse, size_t offset, size_t cap, char *out,
                size_t out_cap)
{
    hks_searcher *s = NULL;
    hks_hit hits[8];
    size_t n = 0, i, len = 0;
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_int_equal(hks_searcher_set(s, HKS_S_COLLAPSE, collapse), HKS_OK);
    assert_true(cap <= 8);
    assert_int_equal(hks_search_page(s, "卫健", strlen("卫健"), offset, hits, cap, &n, NULL),
                     HKS_OK);
    out[0] = '\0';
    for (i = 0; i < n; i++) {
        hks_doc_meta m;
        assert_int_equal(hks_doc_meta_get(s, hits[i].doc_id, &m), HKS_OK);
        len += (size_t)snprintf(out + len, out_cap - len, "%s%.*s", i ? " " : "", (int)m.id_len,
                                m.id);
        if (hits[i].n_similar)
            len += (size_t)snprintf(out + len, out_cap - len, "(+%u)", hits[i].n_similar);
        if (!collapse)
            assert_int_equal(hits[i].n_similar, 0);
    }
    hks_searcher_free(s);
}

static void test_collapse_folds_copies_and_fills_the_page(void **state)
{
    char dir[4200], got[256];
    hks_writer *w = NULL;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hits[4];
    uint32_t ids[4];
    size_t n = 0, ns = 0;
    (void)state;
    index_dir(dir, sizeof dir, "fold");
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    add(w, "a", g_a, NULL);
    add(w, "a2", g_a2, NULL);
    add(w, "b", g_b, NULL);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);

    run(idx, 0, 0, 8, got, sizeof got);
    assert_int_equal(strlen(got) - strlen("a a2 b"), 0); /* three hits, some order */
    run(idx, 1, 0, 8, got, sizeof got);
    assert_true(!strcmp(got, "a(+1) b") || !strcmp(got, "a2(+1) b") || !strcmp(got, "b a(+1)") ||
                !strcmp(got, "b a2(+1)"));
    /* Pages are counted after folding: the second hit of one is b or a. */
    run(idx, 1, 1, 1, got, sizeof got);
    assert_true(!strcmp(got, "b") || !strncmp(got, "a", 1));
    run(idx, 1, 2, 1, got, sizeof got);
    assert_string_equal(got, "");

    /* The folded document's id, from the library. */
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_int_equal(hks_search(s, "卫健", strlen("卫健"), hits, 4, &n, NULL), HKS_OK);
    assert_int_equal(n, 2);
    {
        size_t k = hits[0].n_similar ? 0 : 1, other = 1 - k;
        uint32_t g, local;
        hks_doc_meta m;
        assert_int_equal(hks_hit_similar(s, hits[k].doc_id, ids, 0, &ns), HKS_ERR_BUFSIZE);
        assert_int_equal(ns, 1);
        assert_int_equal(hks_hit_similar(s, hits[k].doc_id, ids, 4, &ns), HKS_OK);
        assert_int_equal(ns, 1);
        assert_int_equal(hks_doc_meta_get(s, ids[0], &m), HKS_OK);
        assert_true(m.id[0] == 'a' && ids[0] != hits[k].doc_id);
        assert_int_equal(hks_hit_similar(s, hits[other].doc_id, ids, 4, &ns), HKS_OK);
        assert_int_equal(ns, 0);
        assert_int_equal(hks_hit_similar(s, ids[0], ids, 4, &ns), HKS_ERR_NOTFOUND);
        /* The segment's SIMHASH entries are what simhash.c computes. */
        assert_true(hks_index_locate(idx, hits[other].doc_id, &g, &local));
        assert_int_equal(hks_seg_simhash(idx->seg[g], local), simhash_of(g_b));
    }
    hks_searcher_free(s);
    hks_index_close(idx);
}

static void test_collapse_keeps_copies_dated_apart(void **state)
{
    char dir[4200], got[256];
    hks_writer *w = NULL;
    hks_index *idx = NULL;
    (void)state;
    index_dir(dir, sizeof dir, "dated");
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    add(w, "a", g_a, "2022-03-01");
    add(w, "a2", g_a2, "2023-03-01"); /* a year later: the next report of a template */
    add(w, "a3", g_a2, "2022-03-03"); /* two days later: a reprint */
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    run(idx, 1, 0, 8, got, sizeof got);
    /* a and a3 are one story; a2 (the same text as a3) stands alone */
    assert_true(!strcmp(got, "a(+1) a2") || !strcmp(got, "a3(+1) a2") ||
                !strcmp(got, "a2 a(+1)") || !strcmp(got, "a2 a3(+1)"));
    hks_index_close(idx);
}

/* Index two documents in folder name and run() over them. */
static void pair_run(const char *name, const char *id1, const char *body1, const char *date1,
                     const char *id2, const char *body2, const char *date2, int collapse,
                     char *got, size_t got_cap)
{
    char dir[4200];
    hks_writer *w = NULL;
    hks_index *idx = NULL;
    index_dir(dir, sizeof dir, name);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    add(w, id1, body1, date1);
    add(w, id2, body2, date2);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    run(idx, collapse, 0, 8, got, got_cap);
    hks_index_close(idx);
}

/* A copy inside a longer article (a report with the text it reports on
 * appended) has a fingerprint far from the longer one's; the text test
 * folds it, but not a story that is a small part of a digest. */
static void test_collapse_folds_a_copy_inside_a_longer_article(void **state)
{
    char got[256], path[4096], *c = NULL, *d = NULL, *ab, *digest;
    size_t nc, nd;
    (void)state;
    assert_int_equal(hks_test_read_file(hks_test_repo_path("corpus/003_0deaf7ce9546a668.txt", path,
                                                           sizeof path),
                                        &c, &nc),
                     0);
    assert_int_equal(hks_test_read_file(hks_test_repo_path("corpus/004_9aacc04dfcdb4d2e.txt", path,
                                                           sizeof path),
                                        &d, &nd),
                     0);
    ab = malloc(strlen(g_a) + strlen(g_b) + 2);
    digest = malloc(strlen(g_a) + nc + nd + 3);
    assert_non_null(ab);
    assert_non_null(digest);
    sprintf(ab, "%s\n%s", g_a, g_b);          /* a, then another article: a's share 0.47 */
    sprintf(digest, "%s\n%s\n%s", c, g_a, d); /* a is a fifth of it */
    assert_true(bits(simhash_of(g_a) ^ simhash_of(ab)) > HKS_COLLAPSE_DISTANCE);

    pair_run("inside", "a", g_a, "2022-03-01", "ab", ab, "2022-03-02", 1, got, sizeof got);
    assert_true(!strcmp(got, "a(+1)") || !strcmp(got, "ab(+1)"));
    pair_run("inside-off", "a", g_a, "2022-03-01", "ab", ab, "2022-03-02", 0, got, sizeof got);
    assert_true(!strcmp(got, "a ab") || !strcmp(got, "ab a"));
    pair_run("digest", "a", g_a, NULL, "digest", digest, NULL, 1, got, sizeof got);
    assert_true(!strcmp(got, "a digest") || !strcmp(got, "digest a"));
    /* Dated apart, a copy inside stays apart too. */
    pair_run("inside-dated", "a", g_a, "2022-03-01", "ab", ab, "2022-04-01", 1, got, sizeof got);
    assert_true(!strcmp(got, "a ab") || !strcmp(got, "ab a"));
    free(ab);
    free(digest);
    free(c);
    free(d);
}

static void test_collapse_survives_delete_and_merge(void **state)
{
    char dir[4200], got[256];
    hks_writer *w = NULL;
    hks_index *idx = NULL;
    (void)state;
    index_dir(dir, sizeof dir, "merge");
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 0), HKS_OK);
    add(w, "a", g_a, NULL);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    add(w, "b", g_b, NULL);
    add(w, "a2", g_a2, NULL);
    assert_int_equal(hks_writer_commit(w), HKS_OK); /* two segments */
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    assert_int_equal(idx->n_seg, 2);
    run(idx, 1, 0, 8, got, sizeof got);
    assert_true(strstr(got, "(+1)") && strstr(got, "b"));
    hks_index_close(idx);

    /* Merged into one segment: the fingerprints were copied. */
    assert_int_equal(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 2), HKS_OK);
    add(w, "c", "乡村医生为村民接种疫苗。", NULL);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    assert_int_equal(idx->n_seg, 1);
    run(idx, 1, 0, 8, got, sizeof got);
    assert_true(strstr(got, "(+1)") && strstr(got, "b"));
    hks_index_close(idx);

    /* The original deleted: its reprint is an ordinary hit. */
    assert_int_equal(hks_writer_delete(w, "news", 4, "a", 1), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    run(idx, 1, 0, 8, got, sizeof got);
    /* (every document's title holds the query: c is a hit too) */
    if (strstr(got, "(+") || !strstr(got, "a2") || strlen(got) != strlen("a2 b c"))
        fail_msg("after the delete: %s", got);
    hks_index_close(idx);
}

/* Rewrite the index's only segment with its SIMHASH section dropped
 * (keep < 0) or cut to keep bytes, every checksum right, and open it. */
static void damage_simhash(const char *dir, long keep)
{
    char seg[4400], tmp[4500];
    hks_manifest m;
    hks_errbuf err;
    hks_filer f;
    hks_filew fw;
    hks_index *idx = NULL;
    int i, rc;
    memset(&m, 0, sizeof m);
    memset(&err, 0, sizeof err);
    assert_int_equal(hks_manifest_read(NULL, dir, false, &m, &err), HKS_OK);
    assert_int_equal(m.n_seg, 1);
    snprintf(seg, sizeof seg, "%s/%s", dir, m.seg[0].name);
    snprintf(tmp, sizeof tmp, "%s.new", seg);
    assert_int_equal(hks_filer_open(&f, NULL, seg, HKS_KIND_SEGMENT, &err), HKS_OK);
    assert_int_equal(hks_filew_open(&fw, NULL, tmp, HKS_KIND_SEGMENT, &err), HKS_OK);
    for (i = 0; i < f.n_sec; i++) {
        uint64_t len = f.sec[i].len;
        if (f.sec[i].id == HKS_SEC_SIMHASH) {
            if (keep < 0)
                continue;
            assert_true((uint64_t)keep != len);
            len = (uint64_t)keep < len ? (uint64_t)keep : len;
        }
        hks_filew_begin(&fw, f.sec[i].id);
        hks_filew_write(&fw, f.p + f.sec[i].off, (size_t)len);
        if (f.sec[i].id == HKS_SEC_SIMHASH && (uint64_t)keep > f.sec[i].len)
            hks_filew_write(&fw, "\1\0\0\0\0\0\0\0", 8); /* one entry too many */
        hks_filew_end(&fw);
    }
    assert_int_equal(hks_filew_finish(&fw), HKS_OK);
    hks_filer_close(&f);
    assert_int_equal(rename(tmp, seg), 0);
    rc = hks_index_open(dir, NULL, &idx);
    assert_int_equal(rc, HKS_ERR_CORRUPT);
    assert_non_null(strstr(hks_index_errmsg(idx), m.seg[0].name));
    assert_non_null(strstr(hks_index_errmsg(idx), "simhash"));
    hks_index_close(idx);
    hks_manifest_free(NULL, &m);
}

static void build_one(const char *dir)
{
    hks_writer *w = NULL;
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    add(w, "a", g_a, NULL);
    add(w, "b", g_b, NULL);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
}

static void test_corrupt_simhash_absent_or_wrong_length(void **state)
{
    char dir[4200];
    (void)state;
    index_dir(dir, sizeof dir, "absent");
    build_one(dir);
    damage_simhash(dir, -1);
    index_dir(dir, sizeof dir, "short");
    build_one(dir);
    damage_simhash(dir, 8); /* one entry for two documents */
    index_dir(dir, sizeof dir, "long");
    build_one(dir);
    damage_simhash(dir, 1000); /* three entries for two documents */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simhash_reprint_near_other_story_far),
        cmocka_unit_test(test_collapse_folds_copies_and_fills_the_page),
        cmocka_unit_test(test_collapse_keeps_copies_dated_apart),
        cmocka_unit_test(test_collapse_folds_a_copy_inside_a_longer_article),
        cmocka_unit_test(test_collapse_survives_delete_and_merge),
        cmocka_unit_test(test_corrupt_simhash_absent_or_wrong_length),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
