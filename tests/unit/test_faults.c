/*
 * test_faults.c: the index survives failures around it.
 *  - allocation failure (SQLite do_faultsim_test): the k-th allocation
 *    fails, for every k until the operation succeeds, during writer open +
 *    add + delete + commit, index open, and search with snippets and
 *    bodies. Every run ends with HKS_ERR_NOMEM or the right answer, leaks
 *    nothing, and the last commit still opens with the right documents;
 *  - a full disk during a commit (a small tmpfs when it can be mounted,
 *    and always a file size limit: RLIMIT_FSIZE with SIGXFSZ ignored makes
 *    write() fail with EFBIG): HKS_ERR_IO naming the file, the previous
 *    commit intact, leftovers removed by the next writer;
 *  - kill -9 of a process in the middle of commits, at random moments:
 *    the index opens (previous or new commit) and checks clean, and a new
 *    writer opens it and removes the leftovers.
 */
#include "hks_test.h"
#include "hks_format.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char g_tmp[4096];

static int setup(void **state)
{
    (void)state;
    return hks_test_tmpdir(g_tmp, sizeof g_tmp);
}

static int teardown(void **state)
{
    char mnt[4200];
    (void)state;
    snprintf(mnt, sizeof mnt, "%s/mnt", g_tmp);
    umount2(mnt, MNT_DETACH); /* if a failed test left it mounted */
    hks_test_rmtree(g_tmp);
    return 0;
}

static void subdir(char *buf, size_t cap, const char *name)
{
    snprintf(buf, cap, "%s/%s", g_tmp, name);
}

static int add_doc(hks_writer *w, const char *id, const char *title, const char *body)
{
    hks_doc d;
    hks_test_doc(&d, id, title, body);
    return hks_writer_add(w, &d);
}

static const char *const k_docs[][3] = {
    {"a", "襄垣县疫苗接种", "襄垣县医疗集团开展新冠疫苗接种工作，医院医生上门服务。"},
    {"b", "卫生健康委通知", "市卫生健康委员会发布通知：疫苗接种后留观三十分钟。"},
    {"c", "醫院新聞", "綿陽市醫院舉辦疫苗接種講座，醫生解答常見問題。COVID-19"},
    {"d", "肺炎防控", "肺炎疫情期间医院门诊安排有变化，疫苗接种点照常开放。"},
};

/* ---- index helpers ---------------------------------------------------- */

static void copy_dir(const char *from, const char *to)
{
    DIR *d = opendir(from);
    struct dirent *e;
    hks_test_rmtree(to);
    assert_int_equal(mkdir(to, 0755), 0);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char src[4400 + 256], dst[4400 + 256], *p;
        size_t n;
        FILE *fp;
        if (e->d_name[0] == '.')
            continue;
        snprintf(src, sizeof src, "%s/%s", from, e->d_name);
        snprintf(dst, sizeof dst, "%s/%s", to, e->d_name);
        assert_int_equal(hks_test_read_file(src, &p, &n), 0);
        fp = fopen(dst, "wb");
        assert_non_null(fp);
        assert_int_equal(fwrite(p, 1, n, fp), n);
        fclose(fp);
        free(p);
    }
    closedir(d);
}

/* Sorted ids of the live documents that match 疫苗接种, e.g. "a b". */
static void live_ids(const char *dir, char *out, size_t cap)
{
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hits[16];
    size_t n, i;
    char ids[16][8];
    int rc = hks_index_open(dir, NULL, &idx);
    if (rc)
        fail_msg("open %s: %s", dir, hks_index_errmsg(idx));
    assert_int_equal(hks_index_check(idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    assert_int_equal(hks_search(s, "疫苗接种", strlen("疫苗接种"), hits, 16, &n, NULL), HKS_OK);
    for (i = 0; i < n; i++) {
        hks_doc_meta m;
        assert_int_equal(hks_doc_meta_get(s, hits[i].doc_id, &m), HKS_OK);
        snprintf(ids[i], sizeof ids[i], "%.*s", (int)m.id_len, m.id);
    }
    qsort(ids, n, sizeof ids[0], (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (i = 0; i < n; i++) {
        if (i)
            strncat(out, " ", cap - strlen(out) - 1);
        strncat(out, ids[i], cap - strlen(out) - 1);
    }
    hks_searcher_free(s);
    hks_index_close(idx);
}

/* Every file of dir is LOCK or named by the manifest (as a segment or a
 * tombstone file): nothing left over. */
static void assert_no_leftovers(const char *dir)
{
    hks_manifest m;
    hks_errbuf err;
    DIR *d;
    struct dirent *e;
    assert_int_equal(hks_manifest_read(NULL, dir, false, &m, &err), HKS_OK);
    d = opendir(dir);
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        uint32_t i;
        bool named = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
                     !strcmp(e->d_name, "LOCK") || !strcmp(e->d_name, "MANIFEST");
        for (i = 0; i < m.n_seg && !named; i++)
            named = !strcmp(e->d_name, m.seg[i].name) || !strcmp(e->d_name, m.seg[i].del_name);
        if (!named)
            fail_msg("leftover file %s in %s", e->d_name, dir);
    }
    closedir(d);
    hks_manifest_free(NULL, &m);
}

/* Open a writer with the default allocator and close it: collects leftovers. */
static void writer_reopen(const char *dir)
{
    hks_writer *w = NULL;
    int rc = hks_writer_open(dir, NULL, &w);
    if (rc)
        fail_msg("writer open %s: %s", dir, hks_writer_errmsg(w));
    hks_writer_close(w);
    assert_no_leftovers(dir);
}

/* The base index: a and b committed. */
static void build_base(const char *dir)
{
    hks_writer *w = NULL;
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(add_doc(w, k_docs[0][0], k_docs[0][1], k_docs[0][2]), HKS_OK);
    assert_int_equal(add_doc(w, k_docs[1][0], k_docs[1][1], k_docs[1][2]), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
}

/* ---- allocation failures ------------------------------------------------ */

/* Writer open, add c and d, delete a, commit: the new state is "b c d". */
static int writer_batch(const char *dir, const hks_alloc *a, int merge)
{
    hks_writer *w = NULL;
    int rc = hks_writer_open(dir, a, &w);
    if (rc == HKS_OK)
        rc = hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, merge);
    if (rc == HKS_OK)
        rc = add_doc(w, k_docs[2][0], k_docs[2][1], k_docs[2][2]);
    if (rc == HKS_OK)
        rc = add_doc(w, k_docs[3][0], k_docs[3][1], k_docs[3][2]);
    if (rc == HKS_OK)
        rc = hks_writer_delete(w, "news", 4, "a", 1);
    if (rc == HKS_OK)
        rc = hks_writer_commit(w);
    if (rc != HKS_OK && rc != HKS_ERR_NOMEM)
        fail_msg("writer batch: %d %s", rc, hks_writer_errmsg(w));
    hks_writer_close(w);
    return rc;
}

static void oom_writer(int merge, long *n_runs)
{
    char base[4200], work[4200], ids[256];
    long k;
    subdir(base, sizeof base, "oom-base");
    subdir(work, sizeof work, "oom-work");
    hks_test_rmtree(base);
    build_base(base);
    for (k = 0;; k++) {
        hks_test_fault f;
        int rc;
        copy_dir(base, work);
        hks_test_fault_init(&f, k);
        rc = writer_batch(work, &f.alloc, merge);
        if (f.live_blocks != 0)
            fail_msg("k=%ld: %zu blocks leaked", k, f.live_blocks);
        live_ids(work, ids, sizeof ids);
        if (rc == HKS_OK) {
            assert_string_equal(ids, "b c d");
        } else {
            if (strcmp(ids, "a b") != 0)
                fail_msg("k=%ld: failed commit changed the index: %s", k, ids);
        }
        writer_reopen(work);
        if (f.n_failed == 0) {
            assert_int_equal(rc, HKS_OK);
            break;
        }
    }
    *n_runs = k + 1;
}

static void test_faults_oom_writer_open_add_commit(void **state)
{
    long n0, n2;
    (void)state;
    oom_writer(0, &n0);
    oom_writer(2, &n2); /* with a merge into one segment */
    printf("oom loop: writer open+add+delete+commit %ld runs, with merge %ld runs\n", n0, n2);
}

static void test_faults_oom_index_open(void **state)
{
    char dir[4200];
    long k;
    (void)state;
    subdir(dir, sizeof dir, "oom-open");
    build_base(dir);
    assert_int_equal(writer_batch(dir, NULL, 0), HKS_OK); /* two segments + tombstone */
    for (k = 0;; k++) {
        hks_test_fault f;
        hks_index *idx = NULL;
        int rc;
        hks_test_fault_init(&f, k);
        rc = hks_index_open(dir, &f.alloc, &idx);
        if (rc == HKS_OK)
            rc = hks_index_check(idx);
        assert_true(rc == HKS_OK || rc == HKS_ERR_NOMEM);
        hks_index_close(idx);
        if (f.live_blocks != 0)
            fail_msg("k=%ld: %zu blocks leaked", k, f.live_blocks);
        if (f.n_failed == 0) {
            assert_int_equal(rc, HKS_OK);
            printf("oom loop: index open+check %ld runs\n", k + 1);
            break;
        }
    }
}

/* Search, snippets and bodies of every hit as one string. */
static int search_all(hks_searcher *s, const char *q, char *out, size_t cap)
{
    hks_hit hits[16];
    size_t n, i, len;
    int rc = hks_search(s, q, strlen(q), hits, 16, &n, NULL);
    out[0] = '\0';
    for (i = 0; rc == HKS_OK && i < n; i++) {
        char snip[512], body[1024];
        hks_span sp[8];
        size_t nsp;
        hks_doc_meta m;
        rc = hks_doc_meta_get(s, hits[i].doc_id, &m);
        if (rc == HKS_OK)
            snprintf(out + strlen(out), cap - strlen(out), "%.*s %.5f|", (int)m.id_len, m.id,
                     hits[i].score);
        if (rc == HKS_OK)
            rc = hks_snippet(s, hits[i].doc_id, q, strlen(q), 30, snip, sizeof snip, &len, sp, 8,
                             &nsp);
        if (rc == HKS_OK)
            rc = hks_doc_body(s, hits[i].doc_id, body, sizeof body, &len);
        if (rc == HKS_OK)
            snprintf(out + strlen(out), cap - strlen(out), "%s|%.*s\n", snip, (int)len, body);
    }
    return rc;
}

static void test_faults_oom_search_snippet_body(void **state)
{
    static const char *const queries[] = {"疫苗接种", "医", "\"卫生健康\" OR 医院 -肺炎",
                                          "新冠疫苗接种以后需要注意哪些事项呢请问医院的医生"};
    char dir[4200], ref[4][8192], got[8192];
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    size_t qi;
    long k, total = 0;
    (void)state;
    subdir(dir, sizeof dir, "oom-search");
    build_base(dir);
    assert_int_equal(writer_batch(dir, NULL, 0), HKS_OK);
    assert_int_equal(hks_index_open(dir, NULL, &idx), HKS_OK);
    assert_int_equal(hks_searcher_new(idx, &s), HKS_OK);
    for (qi = 0; qi < 4; qi++) {
        assert_int_equal(search_all(s, queries[qi], ref[qi], sizeof ref[qi]), HKS_OK);
        assert_true(strlen(ref[qi]) > 0);
    }
    hks_searcher_free(s);
    hks_index_close(idx);

    for (qi = 0; qi < 4; qi++) {
        for (k = 0;; k++) {
            hks_test_fault f;
            int rc;
            hks_test_fault_init(&f, -1);
            assert_int_equal(hks_index_open(dir, &f.alloc, &idx), HKS_OK);
            f.fail_at = f.n_calls + k;
            rc = hks_searcher_new(idx, &s);
            if (rc == HKS_OK)
                rc = search_all(s, queries[qi], got, sizeof got);
            if (rc == HKS_OK)
                rc = search_all(s, queries[qi], got, sizeof got); /* scratch reused */
            if (rc == HKS_OK)
                assert_string_equal(got, ref[qi]);
            else if (rc != HKS_ERR_NOMEM)
                fail_msg("k=%ld query %s: %d %s", k, queries[qi], rc, hks_searcher_errmsg(s));
            hks_searcher_free(s);
            s = NULL;
            hks_index_close(idx);
            if (f.live_blocks != 0)
                fail_msg("k=%ld query %s: %zu blocks leaked", k, queries[qi], f.live_blocks);
            if (f.n_failed == 0) {
                assert_int_equal(rc, HKS_OK);
                break;
            }
        }
        total += k + 1;
    }
    printf("oom loop: searcher+search+snippet+body %ld runs over 4 queries\n", total);
}

/* ---- a full disk ------------------------------------------------------- */

/* A body of n bytes of pseudo-random CJK text (compresses poorly). */
static char *random_body(size_t n, unsigned seed)
{
    char *p = malloc(n + 4);
    size_t i = 0;
    uint32_t x = seed * 2654435761u + 1;
    assert_non_null(p);
    while (i + 3 <= n) {
        uint32_t cp;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        cp = 0x4E00 + x % 6000;
        p[i++] = (char)(0xE0 | cp >> 12);
        p[i++] = (char)(0x80 | (cp >> 6 & 0x3F));
        p[i++] = (char)(0x80 | (cp & 0x3F));
    }
    p[i] = '\0';
    return p;
}

/*
 * Add n_big random documents (and c) to the index in dir and commit.
 * @return the commit's status; the message must name a file of dir.
 */
static int big_commit(const char *dir, int n_big)
{
    hks_writer *w = NULL;
    int rc = hks_writer_open(dir, NULL, &w), i;
    if (rc)
        fail_msg("writer open: %s", hks_writer_errmsg(w));
    assert_int_equal(hks_writer_delete(w, "news", 4, "a", 1), HKS_OK);
    assert_int_equal(add_doc(w, k_docs[2][0], k_docs[2][1], k_docs[2][2]), HKS_OK);
    for (i = 0; i < n_big; i++) {
        char id[32], *body = random_body(24000, (unsigned)i + 7);
        snprintf(id, sizeof id, "big%d", i);
        assert_int_equal(add_doc(w, id, "随机", body), HKS_OK);
        free(body);
    }
    rc = hks_writer_commit(w);
    if (rc) {
        if (rc != HKS_ERR_IO)
            fail_msg("commit on a full disk: %d %s", rc, hks_writer_errmsg(w));
        if (!strstr(hks_writer_errmsg(w), dir))
            fail_msg("commit error does not name the file: %s", hks_writer_errmsg(w));
    }
    hks_writer_close(w);
    return rc;
}

/* Bytes of the files of dir. */
static uint64_t dir_bytes(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    uint64_t n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[4400 + 256];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] != '.' && stat(path, &st) == 0)
            n += (uint64_t)st.st_size;
    }
    closedir(d);
    return n;
}

static void check_after_commit(const char *dir, int rc)
{
    char ids[256];
    live_ids(dir, ids, sizeof ids);
    assert_string_equal(ids, rc == HKS_OK ? "b c" : "a b");
    writer_reopen(dir);
    live_ids(dir, ids, sizeof ids);
    assert_string_equal(ids, rc == HKS_OK ? "b c" : "a b");
}

static void test_faults_file_size_limit_during_commit(void **state)
{
    char dir[4200];
    struct rlimit old, lim;
    void (*old_handler)(int);
    int rc;
    (void)state;
    subdir(dir, sizeof dir, "fsize");
    build_base(dir);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    old_handler = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 64 * 1024; /* the base files are far smaller */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    rc = big_commit(dir, 20);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(rc, HKS_ERR_IO);
    check_after_commit(dir, rc);
}

/* A commit that failed on a full disk can be retried with the same
 * writer once there is room again, and commits exactly the same batch. */
static void test_faults_commit_retry_after_write_error(void **state)
{
    char dir[4200], ids[256];
    struct rlimit old, lim;
    void (*old_handler)(int);
    hks_writer *w = NULL;
    int i, rc;
    (void)state;
    subdir(dir, sizeof dir, "retry");
    build_base(dir);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_int_equal(hks_writer_delete(w, "news", 4, "a", 1), HKS_OK);
    assert_int_equal(add_doc(w, k_docs[2][0], k_docs[2][1], k_docs[2][2]), HKS_OK);
    for (i = 0; i < 8; i++) {
        char id[32], *body = random_body(24000, (unsigned)i + 11);
        snprintf(id, sizeof id, "big%d", i);
        assert_int_equal(add_doc(w, id, "随机", body), HKS_OK);
        free(body);
    }
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    old_handler = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = 16 * 1024;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    rc = hks_writer_commit(w);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(rc, HKS_ERR_IO);
    live_ids(dir, ids, sizeof ids);
    assert_string_equal(ids, "a b"); /* the last commit, untouched */
    rc = hks_writer_commit(w);       /* room again: the same batch lands */
    if (rc)
        fail_msg("retried commit: %s", hks_writer_errmsg(w));
    hks_writer_close(w);
    live_ids(dir, ids, sizeof ids);
    assert_string_equal(ids, "b c");
}

/* A tmpfs of 4 MB; ballast files leave 0, 4, 8, ... KB free, so the
 * commit runs out of space at every stage (segment, tombstone, manifest). */
static void test_faults_full_tmpfs_during_commit(void **state)
{
    char mnt[4200], dir[4400], ballast[4400];
    long free_kb, need_kb, step_kb;
    int n_io = 0, n_ok = 0;
    (void)state;
    subdir(mnt, sizeof mnt, "mnt");
    assert_int_equal(mkdir(mnt, 0755), 0);
    if (geteuid() != 0 || mount("hks_test", mnt, "tmpfs", 0, "size=4m") != 0) {
        printf("skipped: cannot mount a tmpfs here (%s); the file size limit test covers "
               "write failures\n",
               geteuid() ? "not root" : strerror(errno));
        skip();
    }
    snprintf(dir, sizeof dir, "%s/idx", mnt);
    snprintf(ballast, sizeof ballast, "%s/ballast", mnt);
    /* What the commit needs: measured on an ordinary directory. */
    {
        char probe[4200];
        subdir(probe, sizeof probe, "probe");
        build_base(probe);
        need_kb = (long)(dir_bytes(probe) / 1024);
        assert_int_equal(big_commit(probe, 2), HKS_OK);
        need_kb = (long)(dir_bytes(probe) / 1024) - need_kb;
        hks_test_rmtree(probe);
    }
    step_kb = need_kb / 40 > 4 ? need_kb / 40 / 4 * 4 : 4;
    for (free_kb = 0; free_kb <= need_kb + 64; free_kb += step_kb) {
        FILE *fp;
        char *zeros;
        size_t fill;
        int rc;
        hks_test_rmtree(dir);
        unlink(ballast);
        build_base(dir);
        /* fill everything but free_kb */
        fp = fopen(ballast, "wb");
        assert_non_null(fp);
        zeros = calloc(1, 4096);
        for (fill = 0; fwrite(zeros, 1, 4096, fp) == 4096 && fflush(fp) == 0; fill++)
            ;
        fclose(fp);
        free(zeros);
        if (truncate(ballast, (off_t)fill * 4096 - free_kb * 1024 > 0
                                  ? (off_t)fill * 4096 - free_kb * 1024
                                  : 0) != 0)
            fail_msg("truncate ballast: %s", strerror(errno));
        rc = big_commit(dir, 2);
        if (rc)
            n_io++;
        else
            n_ok++;
        unlink(ballast); /* room for the checks' own writes */
        check_after_commit(dir, rc);
    }
    hks_test_rmtree(dir);
    umount(mnt);
    printf("full tmpfs: commit needs %ld KB; %d commits failed with an i/o error, %d fit\n",
           need_kb, n_io, n_ok);
    assert_true(n_io > 0);
    assert_true(n_ok > 0);
}

/* ---- kill -9 during commits ---------------------------------------------- */

#define KILL_BATCH 300

/* Child: commit batches of KILL_BATCH documents forever (with tiered
 * merges along the way), writing a byte to fd after each commit. */
static void child_commit_forever(const char *dir, int fd)
{
    hks_writer *w = NULL;
    int batch, i;
    if (hks_writer_open(dir, NULL, &w) != HKS_OK)
        _exit(2);
    for (batch = 0;; batch++) {
        for (i = 0; i < KILL_BATCH; i++) {
            char id[32], *body = random_body(300 + (size_t)(i % 7) * 100,
                                             (unsigned)(batch * 7919 + i));
            hks_doc d;
            memset(&d, 0, sizeof d);
            snprintf(id, sizeof id, "k%d-%d", (int)getpid(), batch * KILL_BATCH + i);
            d.collection = "kill";
            d.collection_len = 4;
            d.id = id;
            d.id_len = strlen(id);
            d.body = body;
            d.body_len = strlen(body);
            if (hks_writer_add(w, &d) != HKS_OK)
                _exit(3);
            free(body);
        }
        if (hks_writer_commit(w) != HKS_OK)
            _exit(4);
        if (write(fd, "c", 1) != 1)
            _exit(5);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Each run: the child's first batch is timed (fork to its commit byte),
 * then it is killed at a random moment within the next 1.2 batch times,
 * which lands in adding, flushing, merging or committing. */
static void test_faults_kill_during_commit(void **state)
{
    char dir[4200];
    int run;
    unsigned seed = (unsigned)time(NULL);
    uint64_t last_docs = 2;
    (void)state;
    subdir(dir, sizeof dir, "kill");
    build_base(dir);
    printf("kill -9 test seed %u\n", seed);
    srand(seed);
    for (run = 0; run < 8; run++) {
        int fds[2], status;
        pid_t pid;
        hks_index *idx = NULL;
        hks_index_info info;
        char c;
        double t0, batch;
        assert_int_equal(pipe(fds), 0);
        t0 = now_s();
        pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            child_commit_forever(dir, fds[1]);
        }
        close(fds[1]);
        assert_int_equal(read(fds[0], &c, 1), 1);
        batch = now_s() - t0;
        usleep((useconds_t)(batch * 1.2e6 * (rand() / (RAND_MAX + 1.0))));
        kill(pid, SIGKILL);
        close(fds[0]);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status))
            fail_msg("child ended by itself (status %d) before the kill", status);
        if (hks_index_open(dir, NULL, &idx) != HKS_OK)
            fail_msg("run %d: open after kill: %s", run, hks_index_errmsg(idx));
        if (hks_index_check(idx) != HKS_OK)
            fail_msg("run %d: check after kill: %s", run, hks_index_errmsg(idx));
        assert_int_equal(hks_index_info_get(idx, &info), HKS_OK);
        hks_index_close(idx);
        /* whole batches only: each commit adds KILL_BATCH documents */
        assert_int_equal((info.n_docs - 2) % KILL_BATCH, 0);
        assert_true(info.n_docs >= last_docs + KILL_BATCH);
        last_docs = info.n_docs;
        writer_reopen(dir);
    }
    printf("kill -9: 8 runs, %llu documents committed in the end\n",
           (unsigned long long)last_docs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_faults_oom_writer_open_add_commit),
        cmocka_unit_test(test_faults_oom_index_open),
        cmocka_unit_test(test_faults_oom_search_snippet_body),
        cmocka_unit_test(test_faults_file_size_limit_during_commit),
        cmocka_unit_test(test_faults_commit_retry_after_write_error),
        cmocka_unit_test(test_faults_full_tmpfs_during_commit),
        cmocka_unit_test(test_faults_kill_during_commit),
    };
    return cmocka_run_group_tests_name("faults", tests, setup, teardown);
}
