/*
 * test_corrupt.c: the corruption sweep (SQLite fts5corrupt style). A tiny
 * index (two segments, one with a tombstone file) is damaged one way at a
 * time: a bit flipped in a byte, or the file truncated to a length. After
 * each change the index is opened, searched (phrase, one character, a
 * natural-language question), every hit's snippet and body are fetched,
 * and hks_index_check runs. The index holds an author, a category and
 * tags (META), which a query filters on. Allowed: the pristine answers, or
 * HKS_ERR_CORRUPT / FORMAT / NOTFOUND / IO with a message naming the
 * damaged file. A search that returns a different answer without an error
 * fails the test: small sections are verified at open, lexicon blocks with
 * their postings when first read, store blocks by zstd's checksum. Damage
 * that changes no answer (an unread byte) must still be found by
 * hks_index_check or leave it passing. Never a crash, hang or sanitizer
 * report; an alarm() is the hang watchdog.
 *
 * Sampling: the index files are small (about 2 KB), so every byte of every
 * file is flipped (bit byte % 8, so all eight bit positions are covered
 * across neighbouring bytes) and every truncation length is tried, except
 * that files over SWEEP_FULL_BYTES (none today) get every byte of the
 * first and last SWEEP_EDGE bytes and a stride of 7 over the middle, and
 * truncations every 8th length plus the edges.
 */
#include "hks_test.h"
#include "hks_format.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SWEEP_FULL_BYTES (16 * 1024)
#define SWEEP_EDGE 2048

static char g_tmp[4096];
static char g_idx[4200];

static const char *const k_queries[] = {
    "疫苗接种",
    "医",
    "新冠疫苗接种以后需要注意哪些事项呢请问医院的医生怎么说",
    "\"卫生健康\" OR 医院 -肺炎",
    "疫苗 tag:防疫 author:医",
};
#define N_QUERIES (sizeof k_queries / sizeof k_queries[0])

typedef struct tally {
    long cases, ok, open_err, search_err, check_only;
} tally;

static tally g_tally;
static char *g_ref[N_QUERIES]; /* pristine answers, one string a query */

static void add_doc(hks_writer *w, const char *id, const char *title, const char *body)
{
    hks_doc d;
    hks_test_doc(&d, id, title, body);
    assert_int_equal(hks_writer_add(w, &d), HKS_OK);
}

/* Two segments (one commit each), then a delete: a tombstone file. */
static void build_tiny(const char *dir)
{
    hks_writer *w = NULL;
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 0), HKS_OK);
    add_doc(w, "a", "襄垣县疫苗接种", "襄垣县医疗集团开展新冠疫苗接种工作，医院医生上门服务。");
    add_doc(w, "b", "卫生健康委通知", "市卫生健康委员会发布通知：疫苗接种后留观三十分钟。");
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    add_doc(w, "c", "醫院新聞", "綿陽市醫院舉辦疫苗接種講座，醫生解答常見問題。COVID-19");
    add_doc(w, "d", "肺炎防控", "肺炎疫情期间医院门诊安排有变化。");
    { /* and a source, so the manifest records a collection and its path */
        char src[4400];
        FILE *f;
        snprintf(src, sizeof src, "%s.feed.jsonl", dir);
        f = fopen(src, "w");
        assert_non_null(f);
        fputs("{\"id\":\"f1\",\"title\":\"乡村医生\",\"body\":\"乡村医生为村民接种疫苗。\","
              "\"author\":\"乡村医生\",\"category\":\"基层\",\"tags\":[\"防疫\",\"疫苗\"]}\n",
              f);
        fclose(f);
        assert_int_equal(hks_writer_add_path(w, src, NULL), HKS_OK);
    }
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    assert_int_equal(hks_writer_delete(w, "news", 4, "d", 1), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
}

static int allowed_error(int rc)
{
    return rc == HKS_ERR_CORRUPT || rc == HKS_ERR_FORMAT || rc == HKS_ERR_NOTFOUND ||
           rc == HKS_ERR_IO;
}

static void expect_named(int rc, const char *msg, const char *file, const char *what)
{
    if (!allowed_error(rc))
        fail_msg("damaged %s: %s gave %d (%s): %s", file, what, rc, hks_strerror(rc), msg);
    if (!strstr(msg, file))
        fail_msg("damaged %s: %s error does not name the file: %s", file, what, msg);
}

/* hks_index_collections callback: names are bounded. */
static int count_coll(void *ctx, const hks_collection *c)
{
    (void)ctx;
    assert_true(c->name_len <= 1024 && c->source_len <= 4095);
    return 0;
}

/* Append to a growable answer string. */
static void sappend(char **s, size_t *n, const char *p, size_t k)
{
    char *q = realloc(*s, *n + k + 1);
    assert_non_null(q);
    memcpy(q + *n, p, k);
    *n += k;
    q[*n] = '\0';
    *s = q;
}

/*
 * Run query qi and describe its answer in *out (hits with ids, scores,
 * snippets and bodies). @return HKS_OK or the first error (message named).
 */
static int answer(hks_searcher *s, size_t qi, const char *file, char **out)
{
    const char *q = k_queries[qi];
    hks_hit hits[16];
    size_t n_hits = 0, i, n = 0;
    int rc;
    char line[512];
    *out = NULL;
    sappend(out, &n, "", 0);
    rc = hks_search(s, q, strlen(q), hits, 16, &n_hits, NULL);
    if (rc) {
        expect_named(rc, hks_searcher_errmsg(s), file, "search");
        return rc;
    }
    for (i = 0; i < n_hits; i++) {
        hks_doc_meta m;
        char snip[1024], body[4096];
        hks_span spans[16];
        size_t len = 0, n_spans = 0;
        rc = hks_doc_meta_get(s, hits[i].doc_id, &m);
        if (rc) {
            expect_named(rc, hks_searcher_errmsg(s), file, "meta");
            return rc;
        }
        snprintf(line, sizeof line, "%u %.*s %.6f %u %.*s %.*s %.*s|", hits[i].doc_id,
                 (int)m.id_len, m.id, hits[i].score, hits[i].flags, (int)m.author_len, m.author,
                 (int)m.category_len, m.category, (int)m.tags_len, m.tags);
        sappend(out, &n, line, strlen(line));
        rc = hks_snippet(s, hits[i].doc_id, q, strlen(q), 40, snip, sizeof snip, &len, spans, 16,
                         &n_spans);
        if (rc) {
            expect_named(rc, hks_searcher_errmsg(s), file, "snippet");
            return rc;
        }
        sappend(out, &n, snip, strlen(snip));
        rc = hks_doc_body(s, hits[i].doc_id, body, sizeof body, &len);
        if (rc) {
            expect_named(rc, hks_searcher_errmsg(s), file, "body");
            return rc;
        }
        sappend(out, &n, "|", 1);
        sappend(out, &n, body, len);
        sappend(out, &n, "\n", 1);
    }
    return HKS_OK;
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, p, n), (ssize_t)n);
    close(fd);
}

/*
 * One damaged state of the index: open, search, snippets, bodies, check.
 * Tallies the outcome; fails the test on anything not allowed.
 */
static void run_case(const char *file)
{
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    int rc, crc;
    size_t qi;
    bool differs = false, search_err = false;

    g_tally.cases++;
    rc = hks_index_open(g_idx, NULL, &idx);
    if (rc) {
        expect_named(rc, hks_index_errmsg(idx), file, "open");
        hks_index_close(idx);
        g_tally.open_err++;
        return;
    }
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    for (qi = 0; qi < N_QUERIES; qi++) {
        char *got = NULL;
        rc = answer(s, qi, file, &got);
        if (rc)
            search_err = true;
        else if (strcmp(got, g_ref[qi]) != 0)
            differs = true;
        free(got);
    }
    hks_searcher_free(s);
    rc = hks_index_collections(idx, count_coll, NULL);
    if (rc)
        expect_named(rc, hks_index_errmsg(idx), file, "collections");
    crc = hks_index_check(idx);
    if (crc)
        expect_named(crc, hks_index_errmsg(idx), file, "check");
    hks_index_close(idx);
    if (differs)
        fail_msg("damaged %s: a search gave a different answer and no error", file);
    if (search_err)
        g_tally.search_err++;
    else if (crc)
        g_tally.check_only++;
    else
        g_tally.ok++;
}

static int setup(void **state)
{
    (void)state;
    if (hks_test_tmpdir(g_tmp, sizeof g_tmp))
        return -1;
    snprintf(g_idx, sizeof g_idx, "%s/idx", g_tmp);
    return 0;
}

static int teardown(void **state)
{
    size_t qi;
    (void)state;
    for (qi = 0; qi < N_QUERIES; qi++) {
        free(g_ref[qi]);
        g_ref[qi] = NULL;
    }
    hks_test_rmtree(g_tmp);
    return 0;
}

static bool sample_byte(size_t i, size_t n)
{
    if (n <= SWEEP_FULL_BYTES || i < SWEEP_EDGE || i >= n - SWEEP_EDGE)
        return true;
    return i % 7 == 0;
}

static bool sample_len(size_t k, size_t n)
{
    if (n <= SWEEP_FULL_BYTES || k < 64 || k + 64 >= n)
        return true;
    return k % 8 == 0;
}

static void sweep_file(const char *name)
{
    char path[4400];
    char *orig;
    size_t n, i;
    snprintf(path, sizeof path, "%s/%s", g_idx, name);
    assert_int_equal(hks_test_read_file(path, &orig, &n), 0);
    for (i = 0; i < n; i++) {
        if (!sample_byte(i, n))
            continue;
        orig[i] ^= (char)(1u << (i % 8));
        write_file(path, (const uint8_t *)orig, n);
        orig[i] ^= (char)(1u << (i % 8));
        run_case(name);
    }
    for (i = 0; i < n; i++) {
        if (!sample_len(i, n))
            continue;
        write_file(path, (const uint8_t *)orig, i);
        run_case(name);
    }
    write_file(path, (const uint8_t *)orig, n);
    free(orig);
}

/* The index's files (LOCK only if it holds bytes), sorted by name. */
static size_t list_files(char names[][64], size_t cap)
{
    DIR *d = opendir(g_idx);
    struct dirent *e;
    size_t n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[4400 + 256];
        struct stat st;
        if (e->d_name[0] == '.' || strlen(e->d_name) >= 64 || n == cap)
            continue;
        snprintf(path, sizeof path, "%s/%s", g_idx, e->d_name);
        if (stat(path, &st) != 0 || (!strcmp(e->d_name, "LOCK") && st.st_size == 0))
            continue;
        strcpy(names[n++], e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    return n;
}

static void test_corrupt_every_byte_and_length_of_every_file(void **state)
{
    char files[16][64];
    size_t n_files, qi, fi;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    bool has_tomb = false;
    (void)state;
    alarm(600); /* hang watchdog: SIGALRM ends the process */
    build_tiny(g_idx);
    n_files = list_files(files, 16);
    for (fi = 0; fi < n_files; fi++)
        has_tomb |= strstr(files[fi], ".del-") != NULL;
    assert_true(has_tomb);
    assert_true(n_files >= 4);
    assert_int_equal(hks_index_open(g_idx, NULL, &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    for (qi = 0; qi < N_QUERIES; qi++) {
        assert_int_equal(answer(s, qi, "-", &g_ref[qi]), HKS_OK);
        assert_true(strlen(g_ref[qi]) > 0); /* every query has hits */
    }
    assert_null(strstr(g_ref[0], " d ")); /* deleted */
    /* The filter query finds f1 alone, with its fields. */
    assert_non_null(strstr(g_ref[N_QUERIES - 1], " f1 "));
    assert_non_null(strstr(g_ref[N_QUERIES - 1], "乡村医生 基层 防疫\n疫苗|"));
    assert_null(strstr(g_ref[N_QUERIES - 1], " a "));
    hks_searcher_free(s);
    assert_int_equal(hks_index_check(idx), HKS_OK);
    hks_index_close(idx);

    for (fi = 0; fi < n_files; fi++)
        sweep_file(files[fi]);
    /* A missing file of each kind. */
    for (fi = 0; fi < n_files; fi++) {
        char path[4400], *orig;
        size_t n;
        snprintf(path, sizeof path, "%s/%s", g_idx, files[fi]);
        assert_int_equal(hks_test_read_file(path, &orig, &n), 0);
        unlink(path);
        run_case(files[fi]);
        write_file(path, (const uint8_t *)orig, n);
        free(orig);
    }
    alarm(0);
    printf("corruption sweep: %zu files, %ld cases, %ld ok, %ld detected at open, %ld detected "
           "at search/snippet/body, %ld same answers with the damage found by check, "
           "0 different answers\n",
           n_files, g_tally.cases, g_tally.ok, g_tally.open_err, g_tally.search_err,
           g_tally.check_only);
}

/* A 48-byte file (header + footer) whose footer claims one section: the
 * section table offset that "fits" is 48 - 64 modulo 2^64, far outside the
 * file. Must be refused, not read. */
static void test_corrupt_table_offset_wrapping_around_is_corrupt(void **state)
{
    char path[4400];
    uint8_t f[48] = {0};
    uint64_t off = (uint64_t)0 - 16;
    hks_index *idx = NULL;
    int i;
    (void)state;
    hks_test_rmtree(g_idx);
    assert_int_equal(mkdir(g_idx, 0755), 0);
    memcpy(f, "KHS1", 4);
    f[4] = HKS_FORMAT_VERSION;
    f[6] = HKS_KIND_MANIFEST;
    for (i = 0; i < 8; i++)
        f[16 + i] = (uint8_t)(off >> (8 * i));
    f[24] = 1; /* one section */
    f[28] = HKS_KIND_MANIFEST;
    f[40] = HKS_FORMAT_VERSION;
    memcpy(f + 44, "KHSF", 4);
    snprintf(path, sizeof path, "%s/MANIFEST", g_idx);
    write_file(path, f, sizeof f);
    assert_int_equal(hks_index_open(g_idx, NULL, &idx), HKS_ERR_CORRUPT);
    assert_non_null(strstr(hks_index_errmsg(idx), "MANIFEST"));
    hks_index_close(idx);
}

/* Copy every file of directory from into a fresh directory to. */
static void copy_index(const char *from, const char *to)
{
    DIR *d = opendir(from);
    struct dirent *e;
    assert_non_null(d);
    hks_test_rmtree(to);
    assert_int_equal(mkdir(to, 0755), 0);
    while ((e = readdir(d)) != NULL) {
        char src[4400 + 256], dst[4400 + 256], *p;
        size_t n;
        if (e->d_name[0] == '.')
            continue;
        snprintf(src, sizeof src, "%s/%s", from, e->d_name);
        snprintf(dst, sizeof dst, "%s/%s", to, e->d_name);
        assert_int_equal(hks_test_read_file(src, &p, &n), 0);
        write_file(dst, (const uint8_t *)p, n);
        free(p);
    }
    closedir(d);
}

/* A merge reads every posting of its input segments: a damaged byte in
 * them must stop it with an error naming the file, never be rewritten into
 * a merged segment with fresh checksums (which check would then pass). */
static void test_corrupt_merge_refuses_damaged_postings(void **state)
{
    char pristine[4400], seg[64], path[4600];
    char files[16][64];
    hks_filer f;
    hks_errbuf err = {{0}};
    const uint8_t *sec;
    size_t n_files, fi, sec_n, off, i, tried = 0;
    char *orig;
    size_t n;
    (void)state;
    snprintf(pristine, sizeof pristine, "%s/pristine", g_tmp);
    hks_test_rmtree(pristine);
    build_tiny(pristine);
    /* The first segment file and its POSTINGS section. */
    hks_test_rmtree(g_idx);
    copy_index(pristine, g_idx);
    n_files = list_files(files, 16);
    for (fi = 0; fi < n_files && strncmp(files[fi], "seg-", 4) != 0; fi++)
        ;
    assert_true(fi < n_files);
    memcpy(seg, files[fi], sizeof seg); /* names are under 64 bytes */
    snprintf(path, sizeof path, "%s/%s", pristine, seg);
    assert_int_equal(hks_filer_open(&f, NULL, path, HKS_KIND_SEGMENT, &err), HKS_OK);
    assert_int_equal(hks_filer_section(&f, HKS_SEC_POSTINGS, &sec, &sec_n, path, &err), HKS_OK);
    off = (size_t)(sec - f.p);
    hks_filer_close(&f);
    assert_true(sec_n > 0);
    assert_int_equal(hks_test_read_file(path, &orig, &n), 0);
    for (i = 0; i < sec_n; i++) {
        hks_writer *w = NULL;
        int rc;
        copy_index(pristine, g_idx);
        orig[off + i] ^= (char)(1u << (i % 8));
        snprintf(path, sizeof path, "%s/%s", g_idx, seg);
        write_file(path, (const uint8_t *)orig, n);
        orig[off + i] ^= (char)(1u << (i % 8));
        assert_int_equal(hks_writer_open(g_idx, NULL, &w), HKS_OK);
        assert_int_equal(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 2), HKS_OK);
        rc = hks_writer_commit(w);
        if (rc != HKS_ERR_CORRUPT || !strstr(hks_writer_errmsg(w), seg))
            fail_msg("postings byte %zu flipped: merge gave %d: %s", i, rc,
                     hks_writer_errmsg(w));
        hks_writer_close(w);
        tried++;
    }
    free(orig);
    printf("merge over damaged postings: %zu flipped bytes, every merge refused\n", tried);
}

/* Damaged exceptions of real packed groups. A segment of the seed corpus
 * (corpus/dxy_covid_news) is written; the doc-gap groups of its one-block
 * terms that carry exceptions are read from POSTINGS as the writer laid
 * them out, and each is damaged one field at a time: an exception count
 * past the group, a low width over 32, an exception width taking b over 32
 * bits, an index past n, the reserved header bit, the group cut inside its
 * exceptions. hks_unpack_u32 (what the postings cursor runs) must refuse
 * each with HKS_ERR_CORRUPT without moving the reader; the pristine bytes
 * decode to the doc ids the cursor reports. (The checksums stop such bytes
 * before they are decoded; this is the decoder's own bound.) */
typedef struct pfor_ctx {
    const hks_segment *seg;
    const uint8_t *post;
    size_t post_n, groups;
} pfor_ctx;

static void pfor_expect_corrupt(const uint8_t *g, size_t len, size_t n)
{
    uint8_t *copy = test_malloc(len ? len : 1);
    uint32_t v[HKS_BLOCK];
    hks_rd rd;
    memcpy(copy, g, len);
    hks_rd_init(&rd, copy, len);
    assert_int_equal(hks_unpack_u32(&rd, v, n), HKS_ERR_CORRUPT);
    assert_ptr_equal(rd.p, copy);
    test_free(copy);
}

static int on_pfor_term(void *ctx, const uint8_t *term, size_t len, const hks_lexent *e)
{
    pfor_ctx *x = ctx;
    const uint8_t *g = x->post + e->off;
    uint32_t v[HKS_BLOCK];
    unsigned b;
    size_t n = e->df, glen, low, k;
    uint8_t bad[1 + 4 * HKS_BLOCK + 2 + HKS_BLOCK + 4 * HKS_BLOCK];
    hks_errbuf err = {{0}};
    hks_pcur c;
    hks_rd rd;
    (void)term;
    (void)len;
    if (e->df >= HKS_BLOCK || !(g[0] & 0x80) || x->groups >= 200)
        return HKS_OK;
    b = g[0] & 0x3Fu;
    low = 1 + (n * b + 7) / 8;
    hks_rd_init(&rd, g, e->doc_len);
    assert_int_equal(hks_unpack_u32(&rd, v, n), HKS_OK);
    glen = (size_t)(rd.p - g);
    assert_true(glen <= sizeof bad);
    assert_int_equal(hks_pc_open(&c, NULL, x->seg, e, &err), HKS_OK);
    for (k = 0; k < n; k++) { /* the gaps are the cursor's doc ids */
        assert_int_equal(c.docs[k], k ? c.docs[k - 1] + v[k] + 1 : v[0]);
    }
    hks_pc_close(&c);

    memcpy(bad, g, glen);
    bad[low] = (uint8_t)n; /* n + 1 exceptions */
    pfor_expect_corrupt(bad, glen, n);
    memcpy(bad, g, glen);
    bad[0] = (uint8_t)(0x80 | 33); /* low width 33 */
    pfor_expect_corrupt(bad, glen, n);
    memcpy(bad, g, glen);
    bad[low + 1] = (uint8_t)(33 - b); /* b + eb = 33 */
    pfor_expect_corrupt(bad, glen, n);
    memcpy(bad, g, glen);
    bad[low + 2] = (uint8_t)n; /* first index past the group */
    pfor_expect_corrupt(bad, glen, n);
    memcpy(bad, g, glen);
    bad[0] |= 0x40; /* reserved bit */
    pfor_expect_corrupt(bad, glen, n);
    for (k = low; k < glen; k++) /* cut inside the exceptions */
        pfor_expect_corrupt(g, k, n);
    x->groups++;
    return HKS_OK;
}

static void test_corrupt_pfor_exceptions_of_real_groups(void **state)
{
    char path[4400], segpath[4600];
    hks_writer *w = NULL;
    hks_manifest m;
    hks_segment *seg = NULL;
    hks_filer f;
    hks_errbuf err = {{0}};
    pfor_ctx x;
    (void)state;
    hks_test_rmtree(g_idx);
    assert_int_equal(hks_writer_open(g_idx, NULL, &w), HKS_OK);
    assert_non_null(hks_test_repo_path("corpus/dxy_covid_news.docs.jsonl.zst", path, sizeof path));
    assert_int_equal(hks_writer_add_path(w, path, NULL), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_manifest_read(NULL, g_idx, false, &m, &err), HKS_OK);
    assert_int_equal(m.n_seg, 1);
    assert_int_equal(hks_seg_open(NULL, g_idx, &m.seg[0], &err, &seg), HKS_OK);
    snprintf(segpath, sizeof segpath, "%s/%s", g_idx, m.seg[0].name);
    assert_int_equal(hks_filer_open(&f, NULL, segpath, HKS_KIND_SEGMENT, &err), HKS_OK);
    memset(&x, 0, sizeof x);
    x.seg = seg;
    assert_int_equal(hks_filer_section(&f, HKS_SEC_POSTINGS, &x.post, &x.post_n, segpath, &err),
                     HKS_OK);
    assert_int_equal(hks_seg_each_term(seg, on_pfor_term, &x, &err), HKS_OK);
    printf("packed groups with exceptions damaged: %zu\n", x.groups);
    assert_int_equal(x.groups, 200);
    hks_filer_close(&f);
    hks_seg_close(seg);
    hks_manifest_free(NULL, &m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corrupt_every_byte_and_length_of_every_file),
        cmocka_unit_test(test_corrupt_table_offset_wrapping_around_is_corrupt),
        cmocka_unit_test(test_corrupt_merge_refuses_damaged_postings),
        cmocka_unit_test(test_corrupt_pfor_exceptions_of_real_groups),
    };
    return cmocka_run_group_tests_name("corrupt", tests, setup, teardown);
}
