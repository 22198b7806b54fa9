/*
 * hks_dump: what an hksearch index holds and finds, for the PostgreSQL
 * tests and benchmark (through hks.h only).
 *   hks_dump INDEX
 *       every document as a COPY text line: collection, id, title, body,
 *       date, source, url (the articles table's first seven columns)
 *   hks_dump INDEX QUERIES [N]
 *       for each "qid<TAB>query" line of QUERIES, every document the query
 *       matches strictly (or, with N, its best N hits, strict or not):
 *       qid, collection, id, BM25 score (%.17g), 1 if strict else 0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hks.h"

static void put_field(const char *s, size_t n, int last)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\')
            fputs("\\\\", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\r')
            fputs("\\r", stdout);
        else if (c == 0)
            continue;
        else
            putchar(c);
    }
    putchar(last ? '\n' : '\t');
}

static int fail(const char *what, const char *msg)
{
    fprintf(stderr, "hks_dump: %s: %s\n", what, msg);
    return 1;
}

int main(int argc, char **argv)
{
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_index_info info;
    uint32_t d;
    int rc;

    if (argc < 2 || argc > 4) {
        fputs("usage: hks_dump INDEX [QUERIES [N]]\n", stderr);
        return 2;
    }
    rc = hks_index_open(argv[1], NULL, &idx);
    if (rc)
        return fail(argv[1], idx ? hks_index_errmsg(idx) : hks_strerror(rc));
    /* every match, copies of one story included: PostgreSQL does not fold them */
    if ((rc = hks_index_info_get(idx, &info)) || (rc = hks_searcher_new(idx, &s)) ||
        (rc = hks_searcher_set(s, HKS_S_COLLAPSE, 0)) ||
        /* The extension ranks a question over its bigrams with plain BM25:
         * no character field, no function-word weights, no coverage
         * factor, no synonyms. */
        (rc = hks_searcher_set(s, HKS_S_CHAR_WEIGHT, 0)) ||
        (rc = hks_searcher_set(s, HKS_S_COVERAGE, 0)) ||
        (rc = hks_searcher_set(s, HKS_S_FUNCTION_WORDS, 0)) ||
        (rc = hks_searcher_set(s, HKS_S_SYNONYMS, 0)))
        return fail(argv[1], s ? hks_searcher_errmsg(s) : hks_index_errmsg(idx));
    if (argc == 2) {
        size_t cap = 1 << 20, len;
        char *buf = malloc(cap);
        uint64_t n = info.n_docs + info.n_deleted;
        for (d = 0; buf && d < n; d++) {
            hks_doc_meta m;
            if (hks_doc_meta_get(s, d, &m) != HKS_OK)
                continue; /* deleted */
            rc = hks_doc_body(s, d, buf, cap, &len);
            if (rc == HKS_ERR_BUFSIZE) {
                free(buf);
                cap = len + 1;
                buf = malloc(cap);
                if (!buf)
                    break;
                rc = hks_doc_body(s, d, buf, cap, &len);
            }
            if (rc)
                return fail("body", hks_searcher_errmsg(s));
            /* the metadata views stay valid: hks_doc_body does not touch them */
            if (hks_doc_meta_get(s, d, &m) != HKS_OK)
                return fail("metadata", hks_searcher_errmsg(s));
            put_field(m.collection, m.collection_len, 0);
            put_field(m.id, m.id_len, 0);
            put_field(m.title, m.title_len, 0);
            put_field(buf, len, 0);
            put_field(m.date, m.date_len, 0);
            put_field(m.source, m.source_len, 0);
            put_field(m.url, m.url_len, 1);
        }
        if (!buf)
            return fail("body", "out of memory");
        free(buf);
    } else {
        FILE *f = fopen(argv[2], "r");
        char line[8192];
        size_t cap = info.n_docs ? info.n_docs : 1, n, i;
        int top = argc == 4;
        if (top)
            cap = (size_t)strtoul(argv[3], NULL, 10) + 1;
        hks_hit *hits = malloc(cap * sizeof *hits);
        if (!f)
            return fail(argv[2], "cannot open");
        if (!hits)
            return fail("hits", "out of memory");
        while (fgets(line, sizeof line, f)) {
            char *tab = strchr(line, '\t'), *q;
            size_t ql;
            if (!tab)
                continue;
            *tab = 0;
            q = tab + 1;
            ql = strcspn(q, "\r\n");
            rc = hks_search(s, q, ql, hits, top ? cap - 1 : cap, &n, NULL);
            if (rc < 0)
                return fail(line, hks_searcher_errmsg(s));
            for (i = 0; i < n; i++) {
                hks_doc_meta m;
                if (!top && !(hits[i].flags & HKS_HIT_EXACT))
                    continue;
                if (hks_doc_meta_get(s, hits[i].doc_id, &m))
                    return fail("metadata", hks_searcher_errmsg(s));
                printf("%s\t%s\t%s\t%.17g\t%d\n", line, m.collection, m.id, hits[i].score,
                       (hits[i].flags & HKS_HIT_EXACT) ? 1 : 0);
            }
        }
        fclose(f);
        free(hits);
    }
    hks_searcher_free(s);
    hks_index_close(idx);
    return 0;
}
