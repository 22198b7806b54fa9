/*
 * fuzz_query.c: arbitrary bytes as a query. hks_query_parse must accept it
 * or refuse it with HKS_ERR_QUERY/HKS_ERR_ARG and a message, and what it
 * accepts must be well formed (clauses inside phrases inside elements).
 * Then the same bytes go to hks_search over a small index built once at
 * the first call: HKS_OK, HKS_ERR_QUERY or HKS_ERR_ARG only, hits in
 * range and in order, and for each hit its snippet, body and metadata
 * must come back.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "hks_searcher.h"

static hks_index *g_idx;
static hks_searcher *g_srch;
static uint64_t g_ndocs;

static void close_index(void)
{
    hks_searcher_free(g_srch);
    hks_index_close(g_idx);
}

static void open_index(void)
{
    char dir[1024];
    hks_index_info info;
    fuzz_subdir(dir, sizeof dir, "query-index");
    fuzz_build_index(dir);
    fuzz_check(hks_index_open(dir, NULL, &g_idx) == HKS_OK);
    fuzz_check(hks_searcher_new(g_idx, &g_srch) == HKS_OK);
    fuzz_check(hks_index_info_get(g_idx, &info) == HKS_OK);
    g_ndocs = info.n_docs;
    atexit(close_index);
}

static void check_parse(const uint8_t *data, size_t size)
{
    hks_query *qy = malloc(sizeof *qy);
    hks_ntext nt;
    hks_errbuf err = {{0}};
    uint32_t i;
    int rc;
    fuzz_check(qy != NULL);
    hks_ntext_init(&nt, NULL);
    rc = hks_query_parse(qy, (const char *)data, size, &nt, &err);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_QUERY || rc == HKS_ERR_ARG);
    if (rc != HKS_OK) {
        fuzz_check(err.msg[0] != '\0');
    } else {
        fuzz_check(qy->n_elem <= HKS_MAX_QUERY_ELEMS);
        fuzz_check(qy->n_phrase <= HKS_MAX_QUERY_ELEMS);
        fuzz_check(qy->n_clause <= HKS_MAX_QUERY_ELEMS);
        fuzz_check(qy->n_positive <= qy->n_clause);
        fuzz_check(qy->source_len <= sizeof qy->source);
        for (i = 0; i < qy->n_elem; i++)
            fuzz_check(qy->elem[i].len >= 1 &&
                       qy->elem[i].len <= HKS_MAX_TERM_BYTES);
        for (i = 0; i < qy->n_phrase; i++)
            fuzz_check(qy->phrase[i].first <= qy->n_elem &&
                       qy->phrase[i].n <= qy->n_elem - qy->phrase[i].first);
        for (i = 0; i < qy->n_clause; i++)
            fuzz_check(qy->clause[i].first <= qy->n_phrase &&
                       qy->clause[i].n <= qy->n_phrase - qy->clause[i].first);
    }
    /* The normalizing helper used for source: filters. */
    {
        size_t len;
        if (hks_norm_string(&nt, (const char *)data, size, qy->source, size % sizeof qy->source,
                            &len) == HKS_OK)
            fuzz_check(len <= size % sizeof qy->source);
    }
    hks_ntext_free(&nt);
    free(qy);
}

static void check_hit(const hks_hit *h, const uint8_t *q, size_t qn)
{
    char *buf = malloc(8192);
    hks_span spans[16];
    size_t len = 0, n_spans = 0, i;
    hks_doc_meta meta;
    int rc;
    fuzz_check(buf != NULL);
    fuzz_check(h->doc_id < g_ndocs);
    fuzz_check(isfinite(h->score));
    rc = hks_snippet(g_srch, h->doc_id, (const char *)q, qn, 1 + qn % 80, buf,
                     8192, &len, spans, 1 + qn % 16, &n_spans);
    fuzz_check(rc == HKS_OK);
    fuzz_check(len < 8192 && buf[len] == '\0');
    for (i = 0; i < n_spans; i++)
        fuzz_check(spans[i].start < spans[i].end && spans[i].end <= len);
    /* Too small a buffer: the size needed, never an overflow. */
    rc = hks_snippet(g_srch, h->doc_id, (const char *)q, qn, 40, buf, 3, &len,
                     NULL, 0, NULL);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_BUFSIZE);
    rc = hks_doc_body(g_srch, h->doc_id, buf, 8192, &len);
    fuzz_check(rc == HKS_OK && len <= 8192);
    fuzz_check(hks_doc_meta_get(g_srch, h->doc_id, &meta) == HKS_OK);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hks_hit hits[8];
    hks_search_info info;
    size_t n_hits = 0, cap, i;
    int rc;

    check_parse(data, size);
    if (!g_idx)
        open_index();

    cap = size % 9; /* 0..8 hits wanted, 0 included */
    fuzz_check(hks_searcher_set(g_srch, HKS_S_COUNT_PARTIAL, size & 1) ==
               HKS_OK);
    rc = hks_search(g_srch, (const char *)data, size, cap ? hits : NULL, cap,
                    &n_hits, &info);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_QUERY || rc == HKS_ERR_ARG);
    if (rc != HKS_OK) {
        fuzz_check(hks_searcher_errmsg(g_srch)[0] != '\0');
        return 0;
    }
    fuzz_check(n_hits <= cap);
    for (i = 0; i < n_hits; i++) {
        fuzz_check(i == 0 || hits[i - 1].score > hits[i].score ||
                   (hits[i - 1].score == hits[i].score &&
                    hits[i - 1].doc_id < hits[i].doc_id) ||
                   (hits[i - 1].flags & HKS_HIT_EXACT) >
                       (hits[i].flags & HKS_HIT_EXACT));
        check_hit(&hits[i], data, size);
    }
    fuzz_check(info.n_exact <= g_ndocs);
    return 0;
}
