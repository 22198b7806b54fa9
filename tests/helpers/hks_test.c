/*
 * hks_test.c: the shared unit-test helpers declared in hks_test.h:
 * cmocka-routed and fault-injecting allocators, a temporary-directory
 * fixture, repo/data path resolution and a whole-file reader. Test code,
 * so plain malloc and stdio are fine here.
 */
#include "hks_test.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- cmocka-routed allocator ------------------------------------------ */

static void *cm_alloc_fn(void *ud, void *p, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        if (p)
            test_free(p);
        return NULL;
    }
    return test_realloc(p, nsize);
}

static const hks_alloc cm_alloc = {cm_alloc_fn, NULL};

const hks_alloc *hks_test_cm_alloc(void)
{
    return &cm_alloc;
}

/* ---- fault-injecting allocator ---------------------------------------- */

/* Each block is preceded by a header holding its size; the header is as
 * large as max_align_t so the user pointer keeps malloc's alignment. */
typedef union fault_hdr {
    size_t size;     /* user bytes in the block                        */
    max_align_t pad; /* keeps the user area maximally aligned          */
} fault_hdr;

static void *fault_fn(void *ud, void *p, size_t osize, size_t nsize)
{
    hks_test_fault *f = ud;
    fault_hdr *h = p ? (fault_hdr *)p - 1 : NULL;
    fault_hdr *nh;
    (void)osize;
    if (nsize == 0) {
        if (h) {
            f->live_bytes -= h->size;
            f->live_blocks--;
            free(h);
        }
        return NULL;
    }
    if (f->fail_at >= 0 &&
        (f->n_calls == f->fail_at || (f->persistent && f->n_calls > f->fail_at))) {
        f->n_calls++;
        f->n_failed++;
        return NULL;
    }
    f->n_calls++;
    if (nsize > SIZE_MAX - sizeof *h)
        return NULL;
    nh = realloc(h, sizeof *nh + nsize);
    if (!nh)
        return NULL;
    if (h) {
        f->live_bytes -= nh->size;
    } else {
        f->live_blocks++;
    }
    nh->size = nsize;
    f->live_bytes += nsize;
    if (f->live_bytes > f->peak_bytes)
        f->peak_bytes = f->live_bytes;
    return nh + 1;
}

void hks_test_fault_init(hks_test_fault *f, long k)
{
    memset(f, 0, sizeof *f);
    f->alloc.fn = fault_fn;
    f->alloc.ud = f;
    f->fail_at = k;
}

/* ---- temporary directories -------------------------------------------- */

int hks_test_tmpdir(char *buf, size_t cap)
{
    const char *base = getenv("TMPDIR");
    int len;
    if (!base || !*base)
        base = "/tmp";
    len = snprintf(buf, cap, "%s/hks_test.XXXXXX", base);
    if (len < 0 || (size_t)len >= cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return mkdtemp(buf) ? 0 : -1;
}

void hks_test_rmtree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (!d) {
        unlink(dir);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, de->d_name) >=
            (int)sizeof path)
            continue;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            hks_test_rmtree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

/* ---- paths ------------------------------------------------------------ */

const char *hks_test_repo_path(const char *rel, char *buf, size_t cap)
{
    const char *root = getenv("HKS_ROOT");
    int len;
    if (!root || !*root)
        root = ".";
    len = snprintf(buf, cap, "%s/%s", root, rel);
    if (len < 0 || (size_t)len >= cap)
        return NULL;
    return buf;
}

const char *hks_test_data_dir(void)
{
    const char *env = getenv("HKS_DATA");
    struct stat st;
    if (env && *env)
        return env;
    if (stat("../shared/data", &st) == 0 && S_ISDIR(st.st_mode))
        return "../shared/data";
    return NULL;
}

/* ---- files ------------------------------------------------------------ */

int hks_test_read_file(const char *path, char **p, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    char *data = NULL;
    size_t len = 0, cap = 0;
    *p = NULL;
    *n = 0;
    if (!fp)
        return -1;
    for (;;) {
        size_t got;
        if (cap - len < 4096 + 1) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nd = realloc(data, ncap);
            if (!nd) {
                free(data);
                fclose(fp);
                errno = ENOMEM;
                return -1;
            }
            data = nd;
            cap = ncap;
        }
        got = fread(data + len, 1, cap - len - 1, fp);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        int err = errno;
        free(data);
        fclose(fp);
        errno = err ? err : EIO;
        return -1;
    }
    fclose(fp);
    data[len] = '\0';
    *p = data;
    *n = len;
    return 0;
}

void hks_test_doc(hks_doc *d, const char *id, const char *title, const char *body)
{
    memset(d, 0, sizeof *d);
    d->collection = "news";
    d->collection_len = 4;
    d->id = id;
    d->id_len = strlen(id);
    d->title = title;
    d->title_len = strlen(title);
    d->body = body;
    d->body_len = strlen(body);
    d->date = "2022-03-01";
    d->date_len = 10;
    d->source = "卫健委";
    d->source_len = strlen(d->source);
}
