/*
 * fuzz_jsonl.c: the input readers on arbitrary bytes. The first byte picks
 * the reader, the rest is the input:
 *   0  hks_json_parse on the whole input and on each of its lines, then
 *      hks_json_get (and hks_json_get_list) of the record fields and of a
 *      key taken from the input
 *   1  the input as a .jsonl file through hks_corpus_read
 *   2  the input as a .txt article through hks_corpus_read (the file, or
 *      its folder)
 *   3  the input as a .jsonl.zst file: compressed with zstd, or as raw
 *      bytes (a broken stream)
 * Errors must be the documented ones with a message; every view handed to
 * the callback must be readable over its whole length (ASan checks it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "fuzzutil.h"
#include "hks_indexer.h"
#include "hks_int.h"

static const char *const k_keys[] = {"id", "title", "body", "date", "source",
                                     "url", "author", "category", "tags", ""};

static volatile unsigned g_sink; /* keeps the byte reads below */

static void touch(const char *p, size_t n)
{
    unsigned s = 0;
    size_t i;
    fuzz_check(n == 0 || p != NULL);
    for (i = 0; i < n; i++)
        s += (unsigned char)p[i];
    g_sink += s;
}

static void parse_one(hks_json *j, const char *p, size_t n)
{
    hks_errbuf e = {{0}};
    const char *v;
    size_t vn, i;
    int rc = hks_json_parse(j, p, n, &e);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_INPUT);
    if (rc != HKS_OK) {
        unsigned long at;
        fuzz_check(e.msg[0] != '\0');
        /* "byte K: ..." names a byte of the line, or its end. */
        if (sscanf(strstr(e.msg, "byte ") ? strstr(e.msg, "byte ") : "",
                   "byte %lu", &at) == 1)
            fuzz_check(at <= n);
    }
    for (i = 0; i < sizeof k_keys / sizeof k_keys[0]; i++) {
        rc = hks_json_get(j, k_keys[i], &v, &vn);
        fuzz_check(rc == HKS_OK || rc == HKS_ERR_NOTFOUND ||
                   rc == HKS_ERR_INPUT);
        if (rc == HKS_OK)
            touch(v, vn);
        /* As a list: an array of strings is its elements, each ended by
         * '\n', none empty. */
        rc = hks_json_get_list(j, k_keys[i], &v, &vn);
        fuzz_check(rc == HKS_OK || rc == HKS_ERR_NOTFOUND || rc == HKS_ERR_INPUT);
        if (rc == HKS_OK)
            touch(v, vn);
    }
    /* A key from the input itself (up to its first quote or 8 bytes). */
    {
        char key[9];
        size_t k = 0;
        while (k < 8 && k < n && p[k] != '\0') {
            key[k] = p[k];
            k++;
        }
        key[k] = '\0';
        rc = hks_json_get(j, key, &v, &vn);
        fuzz_check(rc == HKS_OK || rc == HKS_ERR_NOTFOUND ||
                   rc == HKS_ERR_INPUT);
        if (rc == HKS_OK)
            touch(v, vn);
    }
}

static void fuzz_json(const char *p, size_t n)
{
    hks_json *j = NULL;
    size_t start = 0, i;
    fuzz_check(hks_json_new(NULL, &j) == HKS_OK);
    parse_one(j, p, n);
    for (i = 0; i <= n; i++) {
        if (i == n || p[i] == '\n') {
            if (i > start || i < n)
                parse_one(j, p + start, i - start);
            start = i + 1;
        }
    }
    hks_json_free(j);
}

static int on_article(void *ctx, const hks_doc *d)
{
    size_t *count = ctx;
    fuzz_check(d->id != NULL && d->id_len >= 1);
    touch(d->collection, d->collection_len);
    touch(d->id, d->id_len);
    touch(d->title, d->title_len);
    touch(d->body, d->body_len);
    touch(d->date, d->date_len);
    touch(d->source, d->source_len);
    touch(d->url, d->url_len);
    touch(d->author, d->author_len);
    touch(d->category, d->category_len);
    touch(d->tags, d->tags_len);
    (*count)++;
    return HKS_OK;
}

static void on_warn(void *ud, const char *msg)
{
    (void)ud;
    fuzz_check(msg != NULL && msg[0] != '\0');
}

static void read_source(const char *path)
{
    hks_callbacks cb = {on_warn, NULL, NULL, NULL};
    hks_progress prog;
    hks_errbuf e = {{0}};
    size_t count = 0;
    int rc;
    memset(&prog, 0, sizeof prog);
    rc = hks_corpus_read(NULL, path, on_article, &count, &cb, &prog, &e);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_CORRUPT || rc == HKS_ERR_INPUT ||
               rc == HKS_ERR_UTF8);
    fuzz_check(rc == HKS_OK || e.msg[0] != '\0');
    fuzz_check(prog.n_docs == count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char dir[1024], path[1100];
    const char *p = (const char *)data + 1;
    size_t n;
    int mode;
    if (size == 0)
        return 0;
    mode = data[0] & 3;
    n = size - 1;
    if (mode == 0) {
        fuzz_json(p, n);
        return 0;
    }
    fuzz_subdir(dir, sizeof dir, "jsonl");
    if (mode == 1) {
        fuzz_write_file(dir, "news.jsonl", p, n);
        snprintf(path, sizeof path, "%s/news.jsonl", dir);
        read_source(path);
    } else if (mode == 2) {
        fuzz_write_file(dir, "a.txt", p, n);
        snprintf(path, sizeof path, "%s/a.txt", dir);
        read_source(data[0] & 4 ? dir : path);
    } else if (data[0] & 4) {
        fuzz_write_file(dir, "news.jsonl.zst", p, n);
        snprintf(path, sizeof path, "%s/news.jsonl.zst", dir);
        read_source(path);
    } else {
        size_t cap = ZSTD_compressBound(n), k;
        void *z = malloc(cap);
        fuzz_check(z != NULL);
        k = ZSTD_compress(z, cap, p, n, 1);
        fuzz_check(!ZSTD_isError(k));
        fuzz_write_file(dir, "news.jsonl.zst", z, k);
        free(z);
        snprintf(path, sizeof path, "%s/news.jsonl.zst", dir);
        read_source(path);
    }
    return 0;
}
