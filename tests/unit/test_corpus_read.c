/*
 * test_corpus_read.c: the article reader (indexer/corpus_read.c): the seed
 * folder with the headline and date of each seed, JSONL and JSONL.zst
 * sources with malformed lines, broken zstd streams, legacy encodings
 * (GB18030, Big5, UTF-16 written here with iconv from the seeds), binary
 * and empty files, missing paths, allocation failures, and the shared DXY
 * data set when it is present. Library memory goes through the cmocka
 * allocator, so a leak fails the test.
 */
#include "hks_test.h"
#include "hks_indexer.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zstd.h>

/* ---- Collecting what the reader hands over ------------------------------- */

#define MAX_DOCS 64
#define MAX_WARNS 64

/* One document as received (copies; the reader's views die after the
 * callback). */
typedef struct got_doc {
    char *coll;      /* collection                                    */
    char *id;        /* id                                            */
    char *title;     /* title ("" if none)                            */
    char *body;      /* body                                          */
    size_t body_len; /* body bytes (bodies may hold any byte)     */
    char *date;      /* date ("" if none)                             */
    char *source;    /* source ("" if none)                          */
    char *author;    /* author, category, tags ("" if none)          */
    char *category;
    char *tags;
} got_doc;

/* Everything one hks_corpus_read() call produced. */
typedef struct sink {
    got_doc docs[MAX_DOCS]; /* the first MAX_DOCS documents          */
    size_t n_docs;          /* all documents, even past MAX_DOCS     */
    char *warns[MAX_WARNS]; /* the first MAX_WARNS warnings          */
    size_t n_warns;         /* all warnings                          */
    size_t n_progress;      /* progress callbacks                    */
    long stop_after;        /* fail the callback at this doc; < 0 never */
} sink;

static char *dup_n(const char *p, size_t n)
{
    char *s = test_malloc(n + 1);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

static int on_doc(void *ctx, const hks_doc *d)
{
    sink *s = ctx;
    if (s->stop_after >= 0 && (long)s->n_docs == s->stop_after)
        return HKS_ERR_MISUSE;
    if (s->n_docs < MAX_DOCS) {
        got_doc *g = &s->docs[s->n_docs];
        g->coll = dup_n(d->collection, d->collection_len);
        g->id = dup_n(d->id, d->id_len);
        g->title = dup_n(d->title, d->title_len);
        g->body = dup_n(d->body, d->body_len);
        g->body_len = d->body_len;
        g->date = dup_n(d->date, d->date_len);
        g->source = dup_n(d->source, d->source_len);
        g->author = dup_n(d->author, d->author_len);
        g->category = dup_n(d->category, d->category_len);
        g->tags = dup_n(d->tags, d->tags_len);
    }
    s->n_docs++;
    return HKS_OK;
}

static void on_warn(void *ud, const char *msg)
{
    sink *s = ud;
    if (s->n_warns < MAX_WARNS)
        s->warns[s->n_warns] = dup_n(msg, strlen(msg));
    s->n_warns++;
}

static void on_progress(void *ud, const hks_progress *p)
{
    sink *s = ud;
    assert_non_null(p);
    s->n_progress++;
}

static void sink_init(sink *s)
{
    memset(s, 0, sizeof *s);
    s->stop_after = -1;
}

static void sink_free(sink *s)
{
    for (size_t i = 0; i < s->n_docs && i < MAX_DOCS; i++) {
        got_doc *g = &s->docs[i];
        test_free(g->coll);
        test_free(g->id);
        test_free(g->title);
        test_free(g->body);
        test_free(g->date);
        test_free(g->source);
        test_free(g->author);
        test_free(g->category);
        test_free(g->tags);
    }
    for (size_t i = 0; i < s->n_warns && i < MAX_WARNS; i++)
        test_free(s->warns[i]);
    memset(s, 0, sizeof *s);
}

/* Read path into s with the cmocka allocator. */
static int read_into(const char *path, sink *s, hks_progress *prog,
                     hks_errbuf *e)
{
    hks_callbacks cb = {on_warn, on_progress, s, NULL};
    e->msg[0] = '\0';
    return hks_corpus_read(hks_test_cm_alloc(), path, on_doc, s, &cb, prog,
                           e);
}

/* Does warning i of s contain needle? */
static void expect_warn(const sink *s, size_t i, const char *needle)
{
    assert_true(i < s->n_warns);
    if (!strstr(s->warns[i], needle))
        fail_msg("warning %zu is \"%s\"; expected it to contain \"%s\"", i,
                 s->warns[i], needle);
}

/* ---- Files --------------------------------------------------------------- */

/* A fresh temporary folder, removed by the teardown. */
static int setup_tmp(void **state)
{
    char *dir = test_malloc(4096);
    if (hks_test_tmpdir(dir, 4096) != 0) {
        test_free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

static int teardown_tmp(void **state)
{
    hks_test_rmtree(*state);
    test_free(*state);
    return 0;
}

/* dir/name -> buf. */
static const char *path_in(char *buf, size_t cap, const char *dir,
                           const char *name)
{
    int k = snprintf(buf, cap, "%s/%s", dir, name);
    assert_true(k > 0 && (size_t)k < cap);
    return buf;
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Read a seed of corpus/ (malloc'd; free with free()). */
static char *read_seed(const char *name, size_t *n)
{
    char rel[256], path[4096];
    char *p;
    snprintf(rel, sizeof rel, "corpus/%s", name);
    assert_non_null(hks_test_repo_path(rel, path, sizeof path));
    assert_int_equal(hks_test_read_file(path, &p, n), 0);
    return p;
}

/* Convert in[0..n) from UTF-8 to `to` with iconv; malloc'd result. Returns
 * NULL if some character has no mapping. */
static char *to_encoding(const char *to, const char *in, size_t n,
                         size_t *n_out)
{
    iconv_t cd = iconv_open(to, "UTF-8");
    size_t cap = 4 * n + 16, left_in = n, left_out = cap;
    char *out = malloc(cap), *ip = (char *)in, *op = out;
    assert_true(cd != (iconv_t)-1);
    assert_non_null(out);
    if (iconv(cd, &ip, &left_in, &op, &left_out) == (size_t)-1) {
        iconv_close(cd);
        free(out);
        return NULL;
    }
    iconv_close(cd);
    *n_out = (size_t)(op - out);
    return out;
}

/* Compress p[0..n) as one zstd frame with a content checksum, as the zstd
 * command line writes them; malloc'd result. */
static char *zstd_frame(const char *p, size_t n, size_t *n_out)
{
    size_t cap = ZSTD_compressBound(n);
    char *out = malloc(cap);
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    assert_non_null(out);
    assert_non_null(cc);
    assert_false(ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1)));
    *n_out = ZSTD_compress2(cc, out, cap, p, n);
    assert_false(ZSTD_isError(*n_out));
    ZSTD_freeCCtx(cc);
    return out;
}

/* ---- The seed folder ----------------------------------------------------- */

/* The five seeds with the headline and date each must get. */
static const struct {
    const char *id;
    const char *title;
    const char *date;
    const char *source; /* found in the text: a 来源 line */
} SEEDS[] = {
    /* Not the site name above it, 山西大院资讯网 (Shanxi Dayuan news). */
    {"000_beb05f062f43795e.txt", "战“疫”!襄垣县医疗集团为人民群众筑起生命防线",
     "2021-09-11", ""},
    /* Not the photo credit (…摄) or the label 市卫健委: above it; not the
     * date of the sentence 这是2020年2月10日我市首例... of its body. */
    {"001_ade38ef73a2d2cc1.txt", "健康汝州的满意答卷", "", ""},
    /* Not the quoted kicker “发愤图强·重振雄风” above it. */
    {"002_a98c0e2f6a5c2cb4.txt", "株洲市卫生健康委在四个方面下功夫、求突破", "", ""},
    /* Not the navigation line 当前位置:首页 > … above it. */
    {"003_0deaf7ce9546a668.txt",
     "筑强红色堡垒,党组织在行动——吉林省肿瘤医院抗击新冠肺炎疫情工作纪实",
     "2022-04-04", "吉林省肿瘤医院"},
    /* Traditional script; not the date banner with 星期 (2025-03-17, the
     * day of the capture) nor 設為首頁 / 加入收藏; the date is the one of
     * 发稿时间 (filed at), the source the one of 来源 on that line. */
    {"004_9aacc04dfcdb4d2e.txt", "【游仙】讓群眾有“醫”靠生活更幸福",
     "2023-05-25", "綿陽日報"},
};

static void test_corpus_read_seed_folder(void **state)
{
    char path[4096];
    sink s;
    hks_progress prog = {0};
    hks_errbuf e;
    size_t total = 0;
    (void)state;
    sink_init(&s);
    assert_non_null(hks_test_repo_path("corpus", path, sizeof path));
    assert_int_equal(read_into(path, &s, &prog, &e), HKS_OK);
    assert_int_equal(s.n_docs, 5);
    assert_int_equal(s.n_warns, 0);
    assert_int_equal(prog.n_docs, 5);
    assert_int_equal(prog.n_rejected, 0);
    assert_null(prog.path);
    for (size_t i = 0; i < 5; i++) {
        size_t n;
        char *seed = read_seed(SEEDS[i].id, &n);
        assert_string_equal(s.docs[i].coll, "corpus");
        assert_string_equal(s.docs[i].id, SEEDS[i].id);
        assert_string_equal(s.docs[i].title, SEEDS[i].title);
        assert_string_equal(s.docs[i].date, SEEDS[i].date);
        assert_string_equal(s.docs[i].source, SEEDS[i].source);
        assert_int_equal(s.docs[i].body_len, n);
        assert_memory_equal(s.docs[i].body, seed, n);
        total += n;
        free(seed);
    }
    assert_int_equal(prog.n_bytes, total);
    sink_free(&s);
}

static void test_corpus_read_trailing_slash_and_single_file(void **state)
{
    char path[4096];
    sink s;
    hks_errbuf e;
    (void)state;
    sink_init(&s);
    assert_non_null(hks_test_repo_path("corpus/", path, sizeof path));
    assert_int_equal(read_into(path, &s, NULL, &e), HKS_OK);
    assert_int_equal(s.n_docs, 5);
    assert_string_equal(s.docs[0].coll, "corpus");
    sink_free(&s);

    /* One article given directly: id = file name, collection = folder. */
    sink_init(&s);
    assert_non_null(hks_test_repo_path("corpus/002_a98c0e2f6a5c2cb4.txt", path,
                                       sizeof path));
    assert_int_equal(read_into(path, &s, NULL, &e), HKS_OK);
    assert_int_equal(s.n_docs, 1);
    assert_string_equal(s.docs[0].id, "002_a98c0e2f6a5c2cb4.txt");
    assert_string_equal(s.docs[0].coll, "corpus");
    assert_string_equal(s.docs[0].title, SEEDS[2].title);
    sink_free(&s);
}

static void test_corpus_read_folder_order_and_skips(void **state)
{
    const char *dir = *state;
    char p[4096], sub[4096];
    sink s;
    hks_progress prog = {0};
    hks_errbuf e;
    static const char bin[] = "text\0more";
    static const char bad[] = "ok \x80\x80\xFF\xFF end";
    sink_init(&s);
    write_file(path_in(p, sizeof p, dir, "b.txt"), "# 第二篇文章标题\n正文。\n",
               strlen("# 第二篇文章标题\n正文。\n"));
    write_file(path_in(p, sizeof p, dir, "a.md"), "\xEF\xBB\xBFhello world\n",
               15);
    write_file(path_in(p, sizeof p, dir, "notes.csv"), "x", 1); /* ignored */
    write_file(path_in(p, sizeof p, dir, ".hidden.txt"), "x", 1);
    write_file(path_in(p, sizeof p, dir, "README.md"), "# 说明文件不是新闻\n",
               strlen("# 说明文件不是新闻\n"));
    write_file(path_in(p, sizeof p, dir, "empty.txt"), "", 0);
    write_file(path_in(p, sizeof p, dir, "binary.txt"), bin, sizeof bin - 1);
    write_file(path_in(p, sizeof p, dir, "bad.txt"), bad, sizeof bad - 1);
    path_in(sub, sizeof sub, dir, "c");
    assert_int_equal(mkdir(sub, 0755), 0);
    write_file(path_in(p, sizeof p, sub, "d.txt"), "子目录里的文章\n", 22);

    assert_int_equal(read_into(dir, &s, &prog, &e), HKS_OK);
    /* Name order: a.md, b.txt, c/d.txt (bad, binary, empty skipped). */
    assert_int_equal(s.n_docs, 3);
    assert_string_equal(s.docs[0].id, "a.md");
    assert_string_equal(s.docs[0].body, "hello world\n"); /* BOM dropped */
    assert_string_equal(s.docs[1].id, "b.txt");
    assert_string_equal(s.docs[1].title, "第二篇文章标题"); /* "# " dropped */
    assert_string_equal(s.docs[2].id, "c/d.txt");
    assert_string_equal(s.docs[2].title, "子目录里的文章");
    assert_int_equal(prog.n_rejected, 3);
    assert_int_equal(s.n_warns, 3);
    expect_warn(&s, 0, "bad.txt: invalid UTF-8 at byte 3");
    expect_warn(&s, 1, "binary.txt: binary file (NUL byte at 4)");
    expect_warn(&s, 2, "empty.txt: empty file");
    sink_free(&s);
}

/* ---- Encodings ----------------------------------------------------------- */

/* Write seed `name` converted to `enc` (with a BOM when bom is not NULL),
 * read it back, and check that the text equals the seed's UTF-8. */
static void roundtrip(const char *dir, const char *seed_name, const char *enc,
                      const char *bom, size_t bom_len, const char *want_warn)
{
    char p[4096];
    size_t n, n_enc;
    char *utf8 = read_seed(seed_name, &n);
    char *raw = to_encoding(enc, utf8, n, &n_enc);
    char *file = malloc(bom_len + n_enc);
    sink s;
    hks_errbuf e;
    assert_non_null(raw);
    assert_non_null(file);
    memcpy(file, bom, bom_len);
    memcpy(file + bom_len, raw, n_enc);
    write_file(path_in(p, sizeof p, dir, "enc.txt"), file, bom_len + n_enc);
    sink_init(&s);
    assert_int_equal(read_into(p, &s, NULL, &e), HKS_OK);
    assert_int_equal(s.n_docs, 1);
    assert_int_equal(s.docs[0].body_len, n);
    assert_memory_equal(s.docs[0].body, utf8, n);
    assert_string_equal(s.docs[0].title, SEEDS[0].title);
    if (want_warn) {
        assert_int_equal(s.n_warns, 1);
        expect_warn(&s, 0, want_warn);
    } else {
        assert_int_equal(s.n_warns, 0);
    }
    sink_free(&s);
    free(file);
    free(raw);
    free(utf8);
}

/* A .md file's front matter gives title, date and source and is not part
 * of the body; an unclosed block, or a .txt file, is read as text. */
static void test_corpus_read_markdown_front_matter(void **state)
{
    static const char fm[] =
        "---\r\ntitle: \"醫管局公布新冠疫苗接種安排\"\r\ndate: 2021-02-20 10:00\r\n"
        "author: 記者\r\nsource: 眾新聞\r\nurl: https://example.org/a\r\n---\r\n\r\n"
        "醫管局今日公布疫苗接種安排。\r\n";
    static const char open_fm[] = "---\ntitle: 不是前言\n\n醫院新聞標題\n\n正文。\n";
    /* Rules around an editor's note are text, not front matter. */
    static const char note[] = "---\n编者按：本文转自卫健委。\n---\n\n正文。\n";
    static const char block[] = "---\ntitle: |\n  长标题\ntags:\n  - 疫苗\n---\n县医院标题\n\n正文。\n";
    const char *dir = *state;
    char path[4096];
    sink s;
    hks_errbuf e;
    sink_init(&s);
    write_file(path_in(path, sizeof path, dir, "a.md"), fm, sizeof fm - 1);
    write_file(path_in(path, sizeof path, dir, "b.md"), open_fm, sizeof open_fm - 1);
    write_file(path_in(path, sizeof path, dir, "c.txt"), fm, sizeof fm - 1);
    write_file(path_in(path, sizeof path, dir, "d.md"), note, sizeof note - 1);
    write_file(path_in(path, sizeof path, dir, "e.md"), block, sizeof block - 1);
    assert_int_equal(read_into(dir, &s, NULL, &e), HKS_OK);
    assert_int_equal(s.n_docs, 5);
    assert_string_equal(s.docs[3].id, "d.md");
    assert_memory_equal(s.docs[3].body, note, sizeof note - 1);
    assert_string_equal(s.docs[4].id, "e.md");
    assert_string_equal(s.docs[4].title, "县医院标题"); /* a block title is not read */
    assert_string_equal(s.docs[4].body, "县医院标题\n\n正文。\n");
    assert_string_equal(s.docs[0].id, "a.md");
    assert_string_equal(s.docs[0].title, "醫管局公布新冠疫苗接種安排");
    assert_string_equal(s.docs[0].date, "2021-02-20");
    assert_string_equal(s.docs[0].source, "眾新聞");
    assert_string_equal(s.docs[0].author, "記者");
    assert_string_equal(s.docs[0].body, "\r\n醫管局今日公布疫苗接種安排。\r\n");
    assert_string_equal(s.docs[1].id, "b.md");
    assert_memory_equal(s.docs[1].body, open_fm, sizeof open_fm - 1);
    assert_string_equal(s.docs[2].id, "c.txt");
    assert_int_equal(s.docs[2].body_len, sizeof fm - 1);
    assert_string_equal(s.docs[2].source, "");
    sink_free(&s);
}

static void test_corpus_read_gb18030(void **state)
{
    roundtrip(*state, SEEDS[0].id, "GB18030", "", 0,
              "enc.txt: converted from GB18030");
}

static void test_corpus_read_utf16(void **state)
{
    /* A byte order mark declares UTF-16: converted without a warning. */
    roundtrip(*state, SEEDS[0].id, "UTF-16LE", "\xFF\xFE", 2, NULL);
    roundtrip(*state, SEEDS[0].id, "UTF-16BE", "\xFE\xFF", 2, NULL);
}

static void test_corpus_read_big5(void **state)
{
    const char *dir = *state;
    char p[4096];
    size_t n, k = 0, n_b5;
    char *seed = read_seed(SEEDS[4].id, &n);
    char *text = malloc(n + 1), *b5;
    sink s;
    hks_errbuf e;
    /* Seed 004 mixes in a few simplified characters that Big5 lacks; keep
     * the lines that Big5 can encode. */
    for (size_t i = 0; i < n;) {
        char *nl = memchr(seed + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - seed) + 1 : n, m;
        char *line = to_encoding("BIG5-HKSCS", seed + i, end - i, &m);
        if (line) {
            memcpy(text + k, seed + i, end - i);
            k += end - i;
            free(line);
        }
        i = end;
    }
    assert_true(k > 5000);
    b5 = to_encoding("BIG5-HKSCS", text, k, &n_b5);
    assert_non_null(b5);
    write_file(path_in(p, sizeof p, dir, "big5.txt"), b5, n_b5);
    sink_init(&s);
    assert_int_equal(read_into(p, &s, NULL, &e), HKS_OK);
    assert_int_equal(s.n_docs, 1);
    assert_int_equal(s.docs[0].body_len, k);
    assert_memory_equal(s.docs[0].body, text, k);
    /* Big5 bytes are valid GB18030 too; character frequency decides. */
    assert_int_equal(s.n_warns, 1);
    expect_warn(&s, 0, "big5.txt: converted from BIG5-HKSCS");
    sink_free(&s);
    free(b5);
    free(text);
    free(seed);
}

static void test_corpus_read_bad_utf16(void **state)
{
    char p[4096];
    /* BOM, "A", then a lone low surrogate. */
    static const char raw[] = "\xFF\xFE"
                              "A\0"
                              "\x00\xDC";
    sink s;
    hks_errbuf e;
    sink_init(&s);
    write_file(path_in(p, sizeof p, *state, "u16.txt"), raw, sizeof raw - 1);
    assert_int_equal(read_into(p, &s, NULL, &e), HKS_OK);
    assert_int_equal(s.n_docs, 0);
    assert_int_equal(s.n_warns, 1);
    expect_warn(&s, 0, "not valid UTF-16LE");
    sink_free(&s);
}

/* ---- JSONL ----------------------------------------------------------------- */

/* Records with every kind of fault in the middle; 4 good ones. */
static const char JSONL[] =
    "\xEF\xBB\xBF{\"id\":\"1\",\"title\":\"标题一\",\"body\":\"正文一\","
    "\"date\":\"2020-01-02\",\"source\":\"北京卫健委\",\"url\":\"u\"}\r\n"
    "\n"
    "{\"id\":\"2\",\"body\":\"b2\"\n"    /* line 3: bad JSON       */
    "{\"title\":\"t\",\"body\":\"b\"}\n" /* line 4: missing id     */
    "{\"id\":\"4\",\"title\":\"t\"}\n"   /* line 5: missing body   */
    "{\"id\":5,\"body\":\"numeric id\",\"tags\":[\"a\"]}\n"
    "{\"id\":\"6\",\"body\":\"b\",\"title\":[1]}\n" /* line 7: bad title   */
    "{\"id\":\"\",\"body\":\"b\"}\n"                /* line 8: empty id       */
    "   \t \r\n"
    "{\"id\":\"7\",\"body\":\"\\u4e2d\\u6587\",\"title\":null}\n"
    "{\"id\":\"8\",\"body\":\"last, no newline\"}";

/* The fields beyond the five (two hkcnews records, shortened), and a
 * record with neither date nor source whose body names them. A field of
 * another type is left out, the record kept. */
static void test_corpus_read_jsonl_fields(void **state)
{
    static const char recs[] =
        "{\"id\":\"174\",\"date\":\"2016-12-30\",\"category\":\"眾說\",\"author\":\"飄楊 & "
        "小鳥\",\"tags\":[],\"body\":\"2016 似是世事逆轉的一年。\"}\n"
        "{\"id\":\"175\",\"author\":\"林兆彬\",\"tags\":[\"movie\",\"電影\",\"死亡筆記\"],"
        "\"body\":\"翻拍經典作品。\"}\n"
        "{\"id\":\"n1\",\"title\":\"武汉实施进出武汉人员管控\",\"category\":{\"a\":1},"
        "\"tags\":\"防控\",\"body\":\"发布时间：2020年1月21日 14:29　来源：人民日报\\n为坚决遏制"
        "疫情扩散，武汉市对进出武汉人员加强管控。\"}\n";
    const char *dir = *state;
    char path[4096];
    sink s;
    hks_errbuf e;
    sink_init(&s);
    write_file(path_in(path, sizeof path, dir, "f.jsonl"), recs, sizeof recs - 1);
    assert_int_equal(read_into(path, &s, NULL, &e), HKS_OK);
    assert_int_equal(s.n_docs, 3);
    assert_int_equal(s.n_warns, 0);
    assert_string_equal(s.docs[0].author, "飄楊 & 小鳥");
    assert_string_equal(s.docs[0].category, "眾說");
    assert_string_equal(s.docs[0].tags, "");
    assert_string_equal(s.docs[0].date, "2016-12-30");
    assert_string_equal(s.docs[1].tags, "movie\n電影\n死亡筆記");
    assert_string_equal(s.docs[1].date, "");
    assert_string_equal(s.docs[2].category, "");
    assert_string_equal(s.docs[2].tags, "防控");
    assert_string_equal(s.docs[2].date, "2020-01-21");
    assert_string_equal(s.docs[2].source, "人民日报");
    sink_free(&s);
}

static void check_jsonl(const sink *s, const hks_progress *prog,
                        const char *coll)
{
    assert_int_equal(s->n_docs, 4);
    assert_string_equal(s->docs[0].id, "1");
    assert_string_equal(s->docs[0].coll, coll);
    assert_string_equal(s->docs[0].title, "标题一");
    assert_string_equal(s->docs[0].body, "正文一");
    assert_string_equal(s->docs[0].date, "2020-01-02");
    assert_string_equal(s->docs[0].source, "北京卫健委");
    assert_string_equal(s->docs[1].id, "5");
    assert_string_equal(s->docs[1].tags, "a");
    assert_string_equal(s->docs[2].id, "7");
    assert_string_equal(s->docs[2].body, "中文");
    assert_string_equal(s->docs[2].title, "");
    assert_string_equal(s->docs[3].id, "8");
    assert_string_equal(s->docs[3].body, "last, no newline");
    assert_int_equal(s->n_warns, 5);
    expect_warn(s, 0, ":3: bad JSON: byte 21: expected ',' or '}'");
    expect_warn(s, 1, ":4: missing id");
    expect_warn(s, 2, ":5: missing body");
    expect_warn(s, 3, ":7: \"title\" is not a string");
    expect_warn(s, 4, ":8: id of 0 bytes");
    assert_int_equal(prog->n_rejected, 5);
    assert_int_equal(prog->n_docs, 4);
    assert_int_equal(prog->n_bytes, sizeof JSONL - 1);
}

static void test_corpus_read_jsonl_malformed_lines(void **state)
{
    char p[4096];
    sink s;
    hks_progress prog = {0};
    hks_errbuf e;
    sink_init(&s);
    write_file(path_in(p, sizeof p, *state, "news.docs.jsonl"), JSONL,
               sizeof JSONL - 1);
    assert_int_equal(read_into(p, &s, &prog, &e), HKS_OK);
    check_jsonl(&s, &prog, "news.docs");
    /* Warnings name the file as given. */
    assert_non_null(strstr(s.warns[0], "news.docs.jsonl:3:"));
    sink_free(&s);
}

static void test_corpus_read_jsonl_zst(void **state)
{
    char p[4096];
    size_t n1, n2, half = 200;
    /* Two frames, split inside a line: a reader must join them. */
    char *f1 = zstd_frame(JSONL, half, &n1);
    char *f2 = zstd_frame(JSONL + half, sizeof JSONL - 1 - half, &n2);
    char *both = malloc(n1 + n2);
    sink s;
    hks_progress prog = {0};
    hks_errbuf e;
    assert_non_null(both);
    memcpy(both, f1, n1);
    memcpy(both + n1, f2, n2);
    write_file(path_in(p, sizeof p, *state, "news.jsonl.zst"), both, n1 + n2);
    sink_init(&s);
    assert_int_equal(read_into(p, &s, &prog, &e), HKS_OK);
    check_jsonl(&s, &prog, "news");
    sink_free(&s);

    /* Cut inside the second frame: HKS_ERR_INPUT naming the file. */
    write_file(p, both, n1 + n2 - 5);
    sink_init(&s);
    assert_int_equal(read_into(p, &s, NULL, &e), HKS_ERR_INPUT);
    assert_non_null(strstr(e.msg, "news.jsonl.zst: truncated zstd stream"));
    sink_free(&s);

    /* A flipped byte in the data: corrupt too (or caught by the checksum). */
    both[n1 / 2] ^= 0x55;
    write_file(p, both, n1 + n2);
    sink_init(&s);
    assert_int_equal(read_into(p, &s, NULL, &e), HKS_ERR_INPUT);
    assert_non_null(strstr(e.msg, "news.jsonl.zst: corrupt zstd stream near "
                                  "compressed byte"));
    sink_free(&s);

    /* Not zstd at all. */
    write_file(p, "{\"id\":\"1\"}\n", 11);
    sink_init(&s);
    assert_int_equal(read_into(p, &s, NULL, &e), HKS_ERR_INPUT);
    assert_non_null(strstr(e.msg, "news.jsonl.zst: corrupt zstd stream"));
    sink_free(&s);

    /* Empty files: no documents, one warning. */
    write_file(p, "", 0);
    sink_init(&s);
    assert_int_equal(read_into(p, &s, NULL, &e), HKS_OK);
    assert_int_equal(s.n_docs, 0);
    assert_int_equal(s.n_warns, 1);
    expect_warn(&s, 0, "empty file");
    sink_free(&s);
    free(both);
    free(f1);
    free(f2);
}

/* Three megabytes of records, with one record of 2.5 MB: the line buffer
 * must grow, and progress must be reported about every MiB. */
static void test_corpus_read_jsonl_zst_large(void **state)
{
    char p[4096];
    size_t cap = 6u << 20, n = 0, nz;
    char *text = malloc(cap), *z;
    sink s;
    hks_progress prog = {0};
    hks_errbuf e;
    int i;
    assert_non_null(text);
    for (i = 0; n < (3u << 20); i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "{\"id\":\"r%d\",\"body\":\"第%d条新闻的正文，"
                              "医院疫苗接种。\"}\n",
                              i, i);
    n += (size_t)snprintf(text + n, cap - n, "{\"id\":\"long\",\"body\":\"");
    memset(text + n, 'x', 2500000);
    n += 2500000;
    n += (size_t)snprintf(text + n, cap - n, "\"}\n");
    z = zstd_frame(text, n, &nz);
    write_file(path_in(p, sizeof p, *state, "big.jsonl.zst"), z, nz);
    sink_init(&s);
    assert_int_equal(read_into(p, &s, &prog, &e), HKS_OK);
    assert_int_equal(s.n_docs, (size_t)i + 1);
    assert_int_equal(s.n_warns, 0);
    assert_int_equal(prog.n_bytes, n);
    if (s.n_progress < 4 || s.n_progress > 7)
        fail_msg("%zu progress calls for %zu bytes", s.n_progress, n);
    sink_free(&s);
    free(z);
    free(text);
}

static void test_corpus_read_callback_error_stops(void **state)
{
    char p[4096];
    sink s;
    hks_progress prog = {0};
    hks_errbuf e;
    write_file(path_in(p, sizeof p, *state, "x.jsonl"), JSONL,
               sizeof JSONL - 1);
    sink_init(&s);
    s.stop_after = 2;
    assert_int_equal(read_into(p, &s, &prog, &e), HKS_ERR_MISUSE);
    assert_int_equal(s.n_docs, 2);
    assert_int_equal(prog.n_docs, 2);
    sink_free(&s);
}

/* ---- Bad paths ------------------------------------------------------------- */

static void test_corpus_read_missing_and_unknown(void **state)
{
    char p[4096];
    sink s;
    hks_errbuf e;
    sink_init(&s);
    assert_int_equal(read_into(path_in(p, sizeof p, *state, "nope"), &s, NULL,
                               &e),
                     HKS_ERR_NOTFOUND);
    assert_non_null(strstr(e.msg, "nope: no such file or folder"));
    assert_int_equal(read_into(path_in(p, sizeof p, *state, "nope/x.jsonl"),
                               &s, NULL, &e),
                     HKS_ERR_NOTFOUND);
    write_file(path_in(p, sizeof p, *state, "data.csv"), "a,b\n", 4);
    assert_int_equal(read_into(p, &s, NULL, &e), HKS_ERR_ARG);
    assert_non_null(strstr(e.msg, "data.csv: unknown kind of source"));
    assert_int_equal(s.n_docs, 0);
    sink_free(&s);
}

/* ---- Title guess ----------------------------------------------------------- */

static void expect_title(const char *text, const char *want)
{
    size_t start = 0, len = 0;
    bool found = hks_title_guess(text, strlen(text), &start, &len);
    if (!want) {
        assert_false(found);
        return;
    }
    assert_true(found);
    if (len != strlen(want) || memcmp(text + start, want, len) != 0)
        fail_msg("title \"%.*s\", want \"%s\"", (int)len, text + start, want);
}

static void test_corpus_read_title_guess(void **state)
{
    (void)state;
    /* Full-width spaces (U+3000) and NBSP trimmed. */
    expect_title("\xE3\x80\x80 市医院开展义诊活动\xC2\xA0 \r\n正文。",
                 "市医院开展义诊活动");
    /* Site name, then date banner, then headline over a source line. */
    expect_title("健康时报网\n2024年1月1日 星期一\n"
                 "冬季流感高发 专家提醒接种疫苗\n来源:健康时报 2024-01-01\n",
                 "冬季流感高发 专家提醒接种疫苗");
    /* A Markdown heading wins over an earlier plain line. */
    expect_title("前言部分的说明文字\n# 真正的标题在这里\n", "真正的标题在这里");
    /* Latin-only text. */
    expect_title("Hospital opens new ward\n", "Hospital opens new ward");
    /* Nothing that can be a headline. */
    expect_title("", NULL);
    expect_title("\n\n  \n", NULL);
    expect_title("0\n12\n设为首页\n", NULL);
}

/* A body paragraph (over 60 characters, a sentence), to put text between
 * the head and the closing lines. */
#define PARA "自新冠肺炎疫情发生以来，襄垣县医疗集团秉持让群众与疫情绝缘的战斗原则，把疫情防控工作作为当前" \
             "最重要的政治任务来抓，全力以赴保障人民群众生命安全和身体健康。"

/* ---- Dates and sources found in the text ----------------------------------- */

static void expect_date(const char *text, const char *want)
{
    char out[11] = {0};
    size_t n = hks_date_guess(text, strlen(text), out);
    if (!want) {
        if (n != 0)
            fail_msg("date %s found in \"%.60s\", want none", out, text);
        return;
    }
    if (n != 10 || strcmp(out, want) != 0)
        fail_msg("date \"%.*s\" in \"%.60s\", want %s", (int)n, out, text, want);
}

static void expect_source(const char *text, const char *want)
{
    size_t start = 0, len = 0;
    bool found = hks_source_guess(text, strlen(text), &start, &len);
    if (!want) {
        if (found)
            fail_msg("source \"%.*s\" found, want none", (int)len, text + start);
        return;
    }
    if (!found || len != strlen(want) || memcmp(text + start, want, len) != 0)
        fail_msg("source \"%.*s\", want \"%s\"", found ? (int)len : 0, found ? text + start : "",
                 want);
}

static void test_corpus_read_date_guess(void **state)
{
    (void)state;
    /* Labelled dates in the head, in the forms scraped pages write them. */
    expect_date("卫健委召开疫情防控会议\n发稿时间：2021-09-11 10:30\n正文。", "2021-09-11");
    expect_date("标题在这里出现\n发布时间: 2021年9月11日 10:30\n", "2021-09-11");
    expect_date("标题在这里出现\n发布日期：2021年09月11日\n", "2021-09-11");
    expect_date("标题在这里出现\n日期：２０２１年９月１１日\n", "2021-09-11");
    expect_date("标题在这里出现\n2021 年 9 月 11 日   来源：新华社\n", "2021-09-11");
    expect_date("標題在這裡出現\n發佈時間：2021/9/11\n", "2021-09-11");
    expect_date("标题在这里出现\n发布于 2021.09.11\n", "2021-09-11");
    /* A labelled date beats an earlier unlabelled banner without 星期. */
    expect_date("2025年3月17日 农历二月十八\n标题在这里出现\n发布时间：2021-09-11\n",
                "2021-09-11");
    /* The date banner with 星期 is today's date: not the article's. */
    expect_date("2025年3月17日 星期一\n标题在这里出现\n", NULL);
    expect_date("2025年3月17日 星期一\n标题在这里出现\n时间：2023-05-25 星期四\n", "2023-05-25");
    /* The closing lines: a strong label, or a short dateline. */
    expect_date("标题在这里出现\n" PARA "\n" PARA "\n（编辑：王五）\n发布时间：2021-09-11\n",
                "2021-09-11");
    expect_date("标题在这里出现\n" PARA "\n" PARA "\n陈小雅 2019年1月27日\n", "2019-01-27");
    /* Running text: never. A history paragraph (hkcnews), a sentence of
     * the seed 001, a date in a lead, an event's 日期 below the body, a
     * birth date, a range, a citation, a copyright line. */
    expect_date(PARA "2003年3月10日，香港爆發沙士，醫院管理局隨即成立專責小組處理疫情。\n",
                NULL);
    expect_date("健康汝州的满意答卷\n这是2020年2月10日我市首例新冠肺炎确诊患者李某写给医护人员的"
                "一封信。\n",
                NULL);
    expect_date("标题在这里出现\n" PARA "\n日期：2018年9月20日至10月2日\n" PARA "\n", NULL);
    expect_date("人物小传\n出生日期：1999年4月10日\n", NULL);
    expect_date("标题在这里出现\n展期 2018年9月20日至10月2日\n", NULL);
    expect_date("标题在这里出现\n" PARA "\n" PARA "\n竹內結子（1980.4.1－2020.9.27）\n", NULL);
    expect_date("标题在这里出现\n" PARA "\n" PARA "\n本文原載於《蘋果日報》（2021.01.16）\n", NULL);
    expect_date("标题在这里出现\n" PARA "\nCopyright 2021-09-11 版权所有\n", NULL);
    /* Not days: out of range, February 30th, a longer number. */
    expect_date("标题在这里出现\n时间：2021-02-30\n", NULL);
    expect_date("标题在这里出现\n时间：1850-01-01\n", NULL);
    expect_date("标题在这里出现\n编号 12021-09-11\n", NULL);
}

static void test_corpus_read_source_guess(void **state)
{
    (void)state;
    expect_source("标题在这里出现\n来源：新华社\n正文。", "新华社");
    expect_source("标题在这里出现\n来源: 国家卫健委  作者：张三\n", "国家卫健委");
    expect_source("标题在这里出现\n稿件来源：人民网 作者：李四 编辑：王五\n", "人民网");
    expect_source("标题在这里出现\n发布时间：2021-09-11 10:30 | 来源：健康报\n", "健康报");
    expect_source("标题在这里出现\n来源：健康时报 2024-01-01\n", "健康时报");
    expect_source("標題在這裡出現\n來源：香港電台\n", "香港電台");
    /* The closing lines: a line of its own, or the bracket at the end of
     * the last paragraph. */
    expect_source("标题在这里出现\n" PARA "\n" PARA "\n（来源：人民日报）\n", "人民日报");
    expect_source("标题在这里出现\n" PARA "\n" PARA PARA "（来源：人民日报）\n", "人民日报");
    /* Not a publisher: a photo's source, a field of the body, an empty or
     * a sentence-long value, a date. */
    expect_source("标题在这里出现\n图片来源：网络\n", NULL);
    expect_source("标题在这里出现\n" PARA "\n病毒来源：尚不清楚\n" PARA "\n", NULL);
    expect_source("标题在这里出现\n" PARA "\n来源：\n" PARA "\n", NULL);
    expect_source("标题在这里出现\n来源：2021-09-11\n", NULL);
    /* A labelled line deep in the body is neither head nor tail. */
    {
        char text[8192];
        size_t n = 0;
        n += (size_t)snprintf(text + n, sizeof text - n, "标题在这里出现\n");
        for (int i = 0; i < 20; i++)
            n += (size_t)snprintf(text + n, sizeof text - n, "%s\n%s",
                                  i == 10 ? "来源：卫生署" : "", PARA "\n");
        expect_source(text, NULL);
        memcpy(text + n - 1, "\n来源：卫生署\n", strlen("\n来源：卫生署\n") + 1);
        expect_source(text, "卫生署");
    }
}

/* ---- Allocation failures --------------------------------------------------- */

static void test_corpus_read_oom(void **state)
{
    const char *dir = *state;
    char p[4096], sub[4096];
    size_t n, n_gb, nz;
    char *seed = read_seed(SEEDS[1].id, &n);
    char *gb = to_encoding("GB18030", seed, n, &n_gb);
    char *z = zstd_frame(JSONL, sizeof JSONL - 1, &nz);
    path_in(sub, sizeof sub, dir, "src");
    assert_int_equal(mkdir(sub, 0755), 0);
    write_file(path_in(p, sizeof p, sub, "gb.txt"), gb, n_gb);
    write_file(path_in(p, sizeof p, sub, "u8.txt"), seed, n);
    write_file(path_in(p, sizeof p, dir, "x.jsonl.zst"), z, nz);
    for (int which = 0; which < 2; which++) {
        const char *src = which == 0 ? sub : p;
        for (long k = 0;; k++) {
            hks_test_fault f;
            sink s;
            hks_errbuf e;
            int rc;
            hks_test_fault_init(&f, k);
            sink_init(&s);
            rc = hks_corpus_read(&f.alloc, src, on_doc, &s, NULL, NULL, &e);
            assert_int_equal(f.live_blocks, 0);
            if (f.n_failed == 0) {
                assert_int_equal(rc, HKS_OK);
                assert_int_equal(s.n_docs, which == 0 ? 2 : 4);
                sink_free(&s);
                break;
            }
            assert_int_equal(rc, HKS_ERR_NOMEM);
            sink_free(&s);
        }
    }
    free(z);
    free(gb);
    free(seed);
}

/* ---- The shared data set --------------------------------------------------- */

/* Counts only: the data is large. */
static int count_doc(void *ctx, const hks_doc *d)
{
    size_t *n = ctx;
    assert_true(d->id_len > 0);
    assert_true(d->title_len > 0);
    (*n)++;
    return HKS_OK;
}

static void count_warn(void *ud, const char *msg)
{
    size_t *n = ud;
    if (*n == 0)
        print_message("unexpected warning: %s\n", msg);
    (*n)++;
}

static void test_corpus_read_dxy_data(void **state)
{
    const char *data = hks_test_data_dir();
    char p[4096];
    struct stat st;
    size_t n_docs = 0, n_warns = 0;
    hks_callbacks cb = {count_warn, NULL, &n_warns, NULL};
    hks_progress prog = {0};
    hks_errbuf e;
    (void)state;
    if (!data ||
        stat(path_in(p, sizeof p, data, "dxy_covid_news.docs.jsonl.zst"),
             &st) != 0) {
        print_message("skipped: dxy_covid_news.docs.jsonl.zst not found (set "
                      "HKS_DATA)\n");
        skip();
    }
    assert_int_equal(hks_corpus_read(hks_test_cm_alloc(), p, count_doc, &n_docs,
                                     &cb, &prog, &e),
                     HKS_OK);
    assert_int_equal(n_docs, 3378);
    assert_int_equal(n_warns, 0);
    assert_int_equal(prog.n_rejected, 0);
    assert_int_equal(prog.n_bytes, 1955090); /* raw size in its README */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus_read_seed_folder),
        cmocka_unit_test(test_corpus_read_trailing_slash_and_single_file),
        cmocka_unit_test_setup_teardown(test_corpus_read_folder_order_and_skips,
                                        setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_corpus_read_markdown_front_matter, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_corpus_read_gb18030, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_corpus_read_utf16, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_corpus_read_big5, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_corpus_read_bad_utf16, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_corpus_read_jsonl_malformed_lines,
                                        setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_corpus_read_jsonl_zst, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test_setup_teardown(test_corpus_read_jsonl_zst_large,
                                        setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_corpus_read_callback_error_stops,
                                        setup_tmp, teardown_tmp),
        cmocka_unit_test_setup_teardown(test_corpus_read_missing_and_unknown,
                                        setup_tmp, teardown_tmp),
        cmocka_unit_test(test_corpus_read_title_guess),
        cmocka_unit_test(test_corpus_read_date_guess),
        cmocka_unit_test_setup_teardown(test_corpus_read_jsonl_fields, setup_tmp, teardown_tmp),
        cmocka_unit_test(test_corpus_read_source_guess),
        cmocka_unit_test_setup_teardown(test_corpus_read_oom, setup_tmp,
                                        teardown_tmp),
        cmocka_unit_test(test_corpus_read_dxy_data),
    };
    return cmocka_run_group_tests_name("corpus_read", tests, NULL, NULL);
}
