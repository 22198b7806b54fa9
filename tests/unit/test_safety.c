/*
 * test_safety.c: what keeps an index safe from its own user, through
 * hks.h: each collection's source is recorded and a sync from another
 * source of the same name is refused (the issue's `hkindex sync
 * upd/hkcnews.docs.jsonl`, a 5-line file that deleted 35,974 articles);
 * a sync that would delete more than half of a collection needs a flag;
 * collections are listed with their counts and dropped in one call; the
 * summary counts replaced documents; a failed first add leaves no folder;
 * a backup taken while another process commits is a complete index; an
 * index of the previous format says how to rebuild it. The source readers'
 * warnings (duplicate ids, impossible dates, unclosed front matter) and a
 * Markdown heading as the title are checked through hks_corpus_read.
 */
#include "hks_test.h"
#include "hks_indexer.h" /* hks_corpus_read, for the readers' warnings */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char g_tmp[1024];

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

static void path_in(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", g_tmp, name);
}

static void put_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* n JSONL records with ids first..first+n-1 into path. */
static void put_jsonl(const char *path, int first, int n)
{
    FILE *f = fopen(path, "w");
    int i;
    assert_non_null(f);
    for (i = first; i < first + n; i++)
        fprintf(f, "{\"id\":\"%d\",\"title\":\"卫健委通报%d\",\"body\":\"新冠疫苗接种第%d例\"}\n", i,
                i, i);
    fclose(f);
}

static hks_writer *wopen(const char *dir)
{
    hks_writer *w = NULL;
    int rc = hks_writer_open(dir, hks_test_cm_alloc(), &w);
    if (rc)
        fail_msg("open %s: %s", dir, hks_writer_errmsg(w));
    return w;
}

static void commit_close(hks_writer *w)
{
    int rc = hks_writer_commit(w);
    if (rc)
        fail_msg("commit: %s", hks_writer_errmsg(w));
    hks_writer_close(w);
}

static uint64_t live_docs(const char *dir)
{
    hks_index *idx = NULL;
    hks_index_info in;
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_index_info_get(idx, &in), HKS_OK);
    hks_index_close(idx);
    return in.n_docs;
}

/* hks_index_collections into "name=count@source;..." */
typedef struct clist {
    char s[8192];
} clist;

static int on_coll(void *ctx, const hks_collection *c)
{
    clist *l = ctx;
    size_t k = strlen(l->s);
    assert_int_equal(strlen(c->name), c->name_len);
    snprintf(l->s + k, sizeof l->s - k, "%s=%llu@%s;", c->name, (unsigned long long)c->n_docs,
             c->source);
    return 0;
}

static void list_colls(const char *dir, clist *l)
{
    hks_index *idx = NULL;
    l->s[0] = '\0';
    assert_int_equal(hks_index_open(dir, hks_test_cm_alloc(), &idx), HKS_OK);
    assert_int_equal(hks_index_collections(idx, on_coll, l), HKS_OK);
    hks_index_close(idx);
}

static void test_safety_sync_refuses_another_source_of_the_same_name(void **state)
{
    char idx[2048], big[2048], upd[2048], bigf[4096], updf[4096], real[4096], want[8192];
    hks_writer *w;
    uint64_t n_del = 0, n_before = 0;
    clist l;
    (void)state;
    path_in(idx, sizeof idx, "idx");
    path_in(big, sizeof big, "data");
    path_in(upd, sizeof upd, "upd");
    assert_int_equal(mkdir(big, 0755), 0);
    assert_int_equal(mkdir(upd, 0755), 0);
    snprintf(bigf, sizeof bigf, "%s/hkcnews.docs.jsonl", big);
    snprintf(updf, sizeof updf, "%s/hkcnews.docs.jsonl", upd);
    put_jsonl(bigf, 1, 40);
    put_jsonl(updf, 100, 5);

    w = wopen(idx);
    assert_int_equal(hks_writer_add_path(w, bigf, NULL), HKS_OK);
    commit_close(w);
    assert_int_equal(live_docs(idx), 40);

    /* The reproduction: a 5-line file named like the collection. */
    w = wopen(idx);
    assert_int_equal(hks_writer_sync_path(w, updf, NULL, &n_del), HKS_ERR_REFUSED);
    assert_non_null(strstr(hks_writer_errmsg(w), "is read from"));
    assert_int_equal(n_del, 0);
    /* add is refused the same way: it would replace the collection's ids */
    assert_int_equal(hks_writer_add_path(w, updf, NULL), HKS_ERR_REFUSED);
    hks_writer_close(w);
    assert_int_equal(live_docs(idx), 40);

    /* The recorded source itself syncs as before. */
    w = wopen(idx);
    assert_int_equal(hks_writer_sync_path(w, bigf, NULL, &n_del), HKS_OK);
    assert_int_equal(n_del, 0);
    hks_writer_close(w);

    /* Named explicitly, another source is accepted (adding into the
     * collection, then syncing it, which records the new source). */
    w = wopen(idx);
    assert_int_equal(hks_writer_add_source(w, updf, "hkcnews.docs", 12, 0, NULL), HKS_OK);
    commit_close(w);
    assert_int_equal(live_docs(idx), 45);
    assert_non_null(realpath(bigf, real));
    snprintf(want, sizeof want, "hkcnews.docs=45@%s;", real);
    list_colls(idx, &l);
    assert_string_equal(l.s, want);

    w = wopen(idx);
    assert_int_equal(hks_writer_sync_source(w, updf, "hkcnews.docs", 12,
                                            HKS_SYNC_ALLOW_MASS_DELETE, NULL, &n_del, &n_before),
                     HKS_OK);
    assert_int_equal(n_del, 40);
    assert_int_equal(n_before, 45);
    commit_close(w);
    assert_non_null(realpath(updf, real));
    snprintf(want, sizeof want, "hkcnews.docs=5@%s;", real);
    list_colls(idx, &l);
    assert_string_equal(l.s, want);
    /* ... and now the big file is the other source */
    w = wopen(idx);
    assert_int_equal(hks_writer_sync_path(w, bigf, NULL, &n_del), HKS_ERR_REFUSED);
    hks_writer_close(w);
}

static void test_safety_sync_deleting_over_half_needs_the_flag(void **state)
{
    char idx[4096], src[4096];
    hks_writer *w;
    uint64_t n_del = 9, n_before = 0;
    (void)state;
    path_in(idx, sizeof idx, "idx");
    path_in(src, sizeof src, "news.jsonl");
    put_jsonl(src, 1, 4);
    w = wopen(idx);
    assert_int_equal(hks_writer_sync_path(w, src, NULL, NULL), HKS_OK);
    commit_close(w);

    put_jsonl(src, 1, 1); /* 3 of 4 would go */
    w = wopen(idx);
    assert_int_equal(hks_writer_sync_source(w, src, NULL, 0, 0, NULL, &n_del, &n_before),
                     HKS_ERR_REFUSED);
    assert_non_null(strstr(hks_writer_errmsg(w), "would delete 3 of the 4 documents"));
    assert_int_equal(n_del, 0);
    assert_int_equal(n_before, 4);
    hks_writer_close(w);
    assert_int_equal(live_docs(idx), 4);

    put_jsonl(src, 1, 2); /* exactly half: allowed */
    w = wopen(idx);
    assert_int_equal(hks_writer_sync_source(w, src, NULL, 0, 0, NULL, &n_del, &n_before), HKS_OK);
    assert_int_equal(n_del, 2);
    commit_close(w);
    assert_int_equal(live_docs(idx), 2);

    put_jsonl(src, 7, 1); /* all of it: with the flag */
    w = wopen(idx);
    assert_int_equal(hks_writer_sync_source(w, src, NULL, 0, HKS_SYNC_ALLOW_MASS_DELETE, NULL,
                                            &n_del, &n_before),
                     HKS_OK);
    assert_int_equal(n_del, 2);
    commit_close(w);
    assert_int_equal(live_docs(idx), 1);
}

static void test_safety_collections_listed_and_dropped(void **state)
{
    char idx[4096], a[4096], b[4096], ra[4096], want[8192];
    hks_writer *w;
    uint64_t n = 0;
    clist l;
    (void)state;
    path_in(idx, sizeof idx, "idx");
    path_in(a, sizeof a, "a.jsonl");
    path_in(b, sizeof b, "b.jsonl");
    put_jsonl(a, 1, 3);
    put_jsonl(b, 1, 2);
    w = wopen(idx);
    assert_int_equal(hks_writer_add_path(w, a, NULL), HKS_OK);
    assert_int_equal(hks_writer_add_path(w, b, NULL), HKS_OK);
    commit_close(w);
    /* a document added by hand has a collection with no source */
    {
        hks_doc d;
        w = wopen(idx);
        hks_test_doc(&d, "x1", "手工", "手工加入的文章");
        d.collection = "manual";
        d.collection_len = 6;
        assert_int_equal(hks_writer_add(w, &d), HKS_OK);
        commit_close(w);
    }
    assert_non_null(realpath(a, ra));
    list_colls(idx, &l);
    assert_non_null(strstr(l.s, "manual=1@;"));
    snprintf(want, sizeof want, "a=3@%s;", ra);
    assert_non_null(strstr(l.s, want));
    assert_true(strstr(l.s, "a=3@") < strstr(l.s, "b=2@"));
    assert_true(strstr(l.s, "b=2@") < strstr(l.s, "manual=1@"));

    w = wopen(idx);
    assert_int_equal(hks_writer_drop_collection(w, "a", 1, &n), HKS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(hks_writer_drop_collection(w, "nosuch", 6, &n), HKS_ERR_NOTFOUND);
    commit_close(w);
    list_colls(idx, &l);
    assert_null(strstr(l.s, "a=3@"));
    assert_non_null(strstr(l.s, "b=2@"));
    assert_int_equal(live_docs(idx), 3);
    /* dropped means forgotten: the name can come from another source now */
    {
        char a2[4096];
        path_in(a2, sizeof a2, "sub");
        assert_int_equal(mkdir(a2, 0755), 0);
        strcat(a2, "/a.jsonl");
        put_jsonl(a2, 50, 1);
        w = wopen(idx);
        assert_int_equal(hks_writer_add_path(w, a2, NULL), HKS_OK);
        commit_close(w);
    }
}

static void test_safety_failed_first_add_leaves_no_folder(void **state)
{
    char idx[4096], missing[4096];
    hks_writer *w;
    struct stat st;
    (void)state;
    path_in(idx, sizeof idx, "new-index");
    path_in(missing, sizeof missing, "no-such-source");
    w = wopen(idx);
    assert_int_equal(stat(idx, &st), 0);
    assert_int_equal(hks_writer_add_path(w, missing, NULL), HKS_ERR_NOTFOUND);
    hks_writer_close(w);
    assert_int_not_equal(stat(idx, &st), 0);
    /* a folder that was there stays, and so does a committed index */
    assert_int_equal(mkdir(idx, 0755), 0);
    w = wopen(idx);
    hks_writer_close(w);
    assert_int_equal(stat(idx, &st), 0);
    rmdir(idx);
    path_in(missing, sizeof missing, "one.jsonl");
    put_jsonl(missing, 1, 1);
    w = wopen(idx);
    assert_int_equal(hks_writer_add_path(w, missing, NULL), HKS_OK);
    commit_close(w);
    assert_int_equal(live_docs(idx), 1);
}

static void test_safety_progress_counts_replaced(void **state)
{
    char idx[4096], src[4096];
    hks_writer *w;
    hks_progress p;
    FILE *f;
    (void)state;
    path_in(idx, sizeof idx, "idx");
    path_in(src, sizeof src, "n.jsonl");
    put_jsonl(src, 1, 3);
    w = wopen(idx);
    assert_int_equal(hks_writer_add_path(w, src, NULL), HKS_OK);
    commit_close(w);
    f = fopen(src, "w");
    assert_non_null(f);
    fputs("{\"id\":\"1\",\"title\":\"卫健委通报1\",\"body\":\"新冠疫苗接种第1例\"}\n"
          "{\"id\":\"2\",\"title\":\"卫健委通报2\",\"body\":\"改过的正文\"}\n"
          "{\"id\":\"4\",\"title\":\"新的\",\"body\":\"新的正文\"}\n",
          f);
    fclose(f);
    w = wopen(idx);
    assert_int_equal(hks_writer_add_path(w, src, NULL), HKS_OK);
    hks_writer_progress(w, &p);
    assert_int_equal(p.n_docs, 2); /* written: one new, one replacing */
    assert_int_equal(p.n_replaced, 1);
    assert_int_equal(p.n_unchanged, 1);
    assert_int_equal(p.n_deleted, 0);
    commit_close(w);
    assert_int_equal(live_docs(idx), 4);
}

/* Backup, then prove the copy: it opens, passes hks_index_check, and holds
 * the documents of the snapshot it was taken from. */
static void backup_and_prove(const char *idx, const char *dest)
{
    hks_index *src = NULL, *copy = NULL;
    hks_index_info a, b;
    int rc = hks_index_open(idx, hks_test_cm_alloc(), &src);
    assert_int_equal(rc, HKS_OK);
    assert_int_equal(hks_index_info_get(src, &a), HKS_OK);
    rc = hks_index_backup(src, dest);
    if (rc)
        fail_msg("backup: %s", hks_index_errmsg(src));
    hks_index_close(src);
    rc = hks_index_open(dest, hks_test_cm_alloc(), &copy);
    if (rc)
        fail_msg("open copy: %s", copy ? hks_index_errmsg(copy) : "");
    rc = hks_index_check(copy);
    if (rc)
        fail_msg("check copy: %s", hks_index_errmsg(copy));
    assert_int_equal(hks_index_info_get(copy, &b), HKS_OK);
    assert_int_equal(a.n_docs, b.n_docs);
    assert_int_equal(a.generation, b.generation);
    assert_int_equal(a.n_segments, b.n_segments);
    hks_index_close(copy);
}

static void test_safety_backup_from_a_snapshot_a_later_commit_removed(void **state)
{
    char idx[4096], src[4096], dest[4096];
    hks_writer *w;
    hks_index *old = NULL, *copy = NULL;
    hks_index_info in;
    int i;
    (void)state;
    path_in(idx, sizeof idx, "idx");
    path_in(src, sizeof src, "n.jsonl");
    path_in(dest, sizeof dest, "copy");
    for (i = 0; i < 3; i++) { /* three segments, one with tombstones */
        put_jsonl(src, 1 + i * 2, 3);
        w = wopen(idx);
        assert_int_equal(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 0), HKS_OK);
        assert_int_equal(hks_writer_add_path(w, src, NULL), HKS_OK);
        commit_close(w);
    }
    assert_int_equal(hks_index_open(idx, hks_test_cm_alloc(), &old), HKS_OK);
    /* A full merge removes every file the snapshot names. */
    w = wopen(idx);
    assert_int_equal(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 2), HKS_OK);
    put_jsonl(src, 100, 1);
    assert_int_equal(hks_writer_add_path(w, src, NULL), HKS_OK);
    commit_close(w);
    assert_int_equal(hks_index_backup(old, dest), HKS_OK);
    hks_index_close(old);
    assert_int_equal(hks_index_open(dest, hks_test_cm_alloc(), &copy), HKS_OK);
    assert_int_equal(hks_index_check(copy), HKS_OK);
    assert_int_equal(hks_index_info_get(copy, &in), HKS_OK);
    assert_int_equal(in.n_docs, 7); /* ids 1..7 */
    assert_int_equal(in.n_segments, 3);
    hks_index_close(copy);
    /* a backup goes into a new or empty folder only */
    assert_int_equal(hks_index_open(idx, hks_test_cm_alloc(), &old), HKS_OK);
    assert_int_equal(hks_index_backup(old, dest), HKS_ERR_IO);
    assert_non_null(strstr(hks_index_errmsg(old), "not empty"));
    hks_index_close(old);
}

static void test_safety_backup_while_another_process_commits(void **state)
{
    char idx[4096], src[4096], dest[4096];
    hks_writer *w;
    pid_t pid;
    int i, status;
    (void)state;
    path_in(idx, sizeof idx, "idx");
    path_in(src, sizeof src, "n.jsonl");
    put_jsonl(src, 1, 50);
    w = wopen(idx);
    assert_int_equal(hks_writer_add_path(w, src, NULL), HKS_OK);
    commit_close(w);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the writer: 40 commits, merging by policy */
        int k, rc = 0;
        for (k = 0; k < 40 && rc == 0; k++) {
            hks_writer *cw = NULL;
            hks_doc d;
            char id[32], body[128];
            rc = hks_writer_open(idx, NULL, &cw);
            snprintf(id, sizeof id, "c%d", k);
            snprintf(body, sizeof body, "第%d次提交的新冠疫苗接种新闻", k);
            hks_test_doc(&d, id, "提交", body);
            d.collection = "live";
            d.collection_len = 4;
            if (rc == 0)
                rc = hks_writer_add(cw, &d);
            if (rc == 0 && k % 3 == 2) { /* and a deletion now and then */
                char old[16];
                int ol = snprintf(old, sizeof old, "%d", k / 3 + 1);
                rc = hks_writer_delete(cw, "n", 1, old, (size_t)ol);
            }
            if (rc == 0)
                rc = hks_writer_commit(cw);
            hks_writer_close(cw);
        }
        _exit(rc == 0 ? 0 : 1);
    }
    for (i = 0; i < 8; i++) {
        snprintf(dest, sizeof dest, "%s/copy%d", g_tmp, i);
        backup_and_prove(idx, dest);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    snprintf(dest, sizeof dest, "%s/copy-last", g_tmp);
    backup_and_prove(idx, dest);
    assert_int_equal(live_docs(dest), 50 + 40 - 13);
}

static void test_safety_old_format_says_how_to_rebuild(void **state)
{
    char idx[2048], src[2048], man[4096];
    hks_writer *w;
    hks_index *x = NULL;
    char *p;
    size_t n;
    FILE *f;
    (void)state;
    path_in(idx, sizeof idx, "idx");
    path_in(src, sizeof src, "n.jsonl");
    put_jsonl(src, 1, 2);
    w = wopen(idx);
    assert_int_equal(hks_writer_add_path(w, src, NULL), HKS_OK);
    commit_close(w);
    snprintf(man, sizeof man, "%s/MANIFEST", idx);
    assert_int_equal(hks_test_read_file(man, &p, &n), 0);
    p[4] = 3; /* header and footer say version 3 */
    p[n - 8] = 3;
    f = fopen(man, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    fclose(f);
    free(p);
    assert_int_equal(hks_index_open(idx, hks_test_cm_alloc(), &x), HKS_ERR_FORMAT);
    assert_non_null(strstr(hks_index_errmsg(x), "format version 3, this hksearch reads 5"));
    assert_non_null(strstr(hks_index_errmsg(x), "rebuild the index"));
    hks_index_close(x);
}

/* ---- the source readers -------------------------------------------------- */

typedef struct rsink {
    char warn[8192];
    char titles[4096];
    char dates[4096];
    int n;
} rsink;

static void on_warn(void *ud, const char *msg)
{
    rsink *s = ud;
    size_t k = strlen(s->warn);
    snprintf(s->warn + k, sizeof s->warn - k, "%s\n", msg);
}

static int on_doc(void *ctx, const hks_doc *d)
{
    rsink *s = ctx;
    size_t k = strlen(s->titles);
    snprintf(s->titles + k, sizeof s->titles - k, "%.*s|", (int)d->title_len,
             d->title ? d->title : "");
    k = strlen(s->dates);
    snprintf(s->dates + k, sizeof s->dates - k, "%.*s|", (int)d->date_len, d->date ? d->date : "");
    s->n++;
    return HKS_OK;
}

static void read_src(const char *path, rsink *s)
{
    hks_callbacks cb;
    hks_errbuf e;
    memset(s, 0, sizeof *s);
    memset(&cb, 0, sizeof cb);
    cb.warn = on_warn;
    cb.ud = s;
    e.msg[0] = '\0';
    if (hks_corpus_read(hks_test_cm_alloc(), path, on_doc, s, &cb, NULL, &e))
        fail_msg("read %s: %s", path, e.msg);
}

static void test_safety_jsonl_duplicate_ids_and_impossible_dates(void **state)
{
    char src[4096], want[4200];
    rsink s;
    (void)state;
    path_in(src, sizeof src, "d.jsonl");
    put_file(src, "{\"id\":\"7\",\"body\":\"一\",\"date\":\"2020-02-28\"}\n"
                  "{\"id\":\"8\",\"body\":\"二\",\"date\":\"2020-02-30\"}\n"
                  "{\"id\":\"7\",\"body\":\"三\",\"date\":\"2020-03-01 08:00\"}\n");
    read_src(src, &s);
    assert_int_equal(s.n, 3); /* warnings, not rejections */
    assert_string_equal(s.dates, "2020-02-28||2020-03-01 08:00|");
    snprintf(want, sizeof want, "%s:2: date \"2020-02-30\" is not a valid day", src);
    assert_non_null(strstr(s.warn, want));
    snprintf(want, sizeof want, "%s:3: id \"7\" is also at line 1", src);
    assert_non_null(strstr(s.warn, want));
}

static void test_safety_markdown_heading_title_and_front_matter(void **state)
{
    char dir[4096], f[4200], want[4300];
    rsink s;
    (void)state;
    path_in(dir, sizeof dir, "md");
    assert_int_equal(mkdir(dir, 0755), 0);
    /* The heading is short (under 4 Han characters would rule a scraped
     * line out) and the next line looks like a better headline. */
    snprintf(f, sizeof f, "%s/a.md", dir);
    put_file(f, "# 通报\n\n襄垣县医疗集团为人民群众筑起生命防线\n\n正文第一段。\n");
    snprintf(f, sizeof f, "%s/b.md", dir);
    put_file(f, "---\ntitle: 没有结尾的前言\ndate: 2020-02-30\n\n# 标题在这里了\n正文。\n");
    snprintf(f, sizeof f, "%s/c.md", dir);
    put_file(f, "---\ntitle: 好的前言\ndate: 2020-02-30\n---\n正文。\n");
    read_src(dir, &s);
    assert_int_equal(s.n, 3);
    /* b.md is read as text: its first line is the best headline there */
    assert_string_equal(s.titles, "通报|title: 没有结尾的前言|好的前言|");
    snprintf(want, sizeof want, "%s/b.md: front matter opened by \"---\" is never closed", dir);
    assert_non_null(strstr(s.warn, want));
    snprintf(want, sizeof want, "%s/c.md: front matter date \"2020-02-30\" is not a valid day", dir);
    assert_non_null(strstr(s.warn, want));
    assert_string_equal(s.dates, "|||");
}

static void test_safety_snippet_hides_heading_markers(void **state)
{
    char dir[2048], f[4096], idx[2048], snip[1024];
    hks_writer *w;
    hks_index *x = NULL;
    hks_searcher *se = NULL;
    hks_hit hits[4];
    size_t n_hits = 0, len = 0;
    char *body;
    (void)state;
    path_in(dir, sizeof dir, "md");
    path_in(idx, sizeof idx, "idx");
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(f, sizeof f, "%s/a.md", dir);
    put_file(f, "# 疫苗接种门诊开诊\n\n## 门诊时间\n\n每天八点开诊，接种新冠疫苗。\n\n"
                "#新冠# 不是标题。\n");
    w = wopen(idx);
    assert_int_equal(hks_writer_add_path(w, dir, NULL), HKS_OK);
    commit_close(w);
    assert_int_equal(hks_index_open(idx, hks_test_cm_alloc(), &x), HKS_OK);
    assert_int_equal(hks_searcher_new(x, &se), HKS_OK);
    assert_int_equal(hks_search(se, "门诊", 6, hits, 4, &n_hits, NULL), HKS_OK);
    assert_int_equal(n_hits, 1);
    assert_int_equal(hks_snippet(se, hits[0].doc_id, "门诊", 6, 200, snip, sizeof snip, &len, NULL,
                                 0, NULL),
                     HKS_OK);
    assert_string_equal(snip, "疫苗接种门诊开诊 门诊时间 每天八点开诊，接种新冠疫苗。 #新冠# 不是标题。");
    /* the stored body keeps the Markdown as written */
    body = malloc(1024);
    assert_non_null(body);
    assert_int_equal(hks_doc_body(se, hits[0].doc_id, body, 1024, &len), HKS_OK);
    assert_true(len > 2 && memcmp(body, "# ", 2) == 0);
    free(body);
    hks_searcher_free(se);
    hks_index_close(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_safety_sync_refuses_another_source_of_the_same_name,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_safety_sync_deleting_over_half_needs_the_flag, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_safety_collections_listed_and_dropped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_safety_failed_first_add_leaves_no_folder, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_safety_progress_counts_replaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_safety_backup_from_a_snapshot_a_later_commit_removed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_safety_backup_while_another_process_commits, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_safety_old_format_says_how_to_rebuild, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_safety_jsonl_duplicate_ids_and_impossible_dates,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_safety_markdown_heading_title_and_front_matter,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_safety_snippet_hides_heading_markers, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
