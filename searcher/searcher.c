/*
 * searcher.c: the public read API: hks_index_* (open a committed state,
 * its collection statistics, check), hks_searcher_* and hks_search (query
 * evaluation and ranking), hks_doc_meta_get and hks_doc_body. Snippets
 * are in snippet.c, the query language in query.c, segments in segment.c.
 *
 * Evaluation, per segment, with collection-wide statistics so that a
 * document's score does not depend on how the index is segmented:
 *  1. Strict: every positive clause must match (a clause is an OR of
 *     phrases; a phrase is its elements at their relative positions, found
 *     by leapfrogging cursors with skip data, then checking positions),
 *     no negated clause may, filters hold. Every strict match is scored,
 *     so the number of matches is exact.
 *  2. Natural-language queries (query.c decides) then rank the other
 *     documents by the BM25 of the query's bigrams and words, OR semantics,
 *     with MaxScore: terms whose summed upper bounds cannot lift a document
 *     into the current top k are only probed, never driven.
 * BM25: idf = ln(1 + (N - df + 0.5) / (df + 0.5)), times
 * tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)), summed over the query's
 * distinct terms times their count in the query. N, df and avgdl are over
 * all segments (df counts deleted documents until a merge drops them, as
 * in Lucene). Ties are broken by doc id, lowest first.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hks_searcher.h"

/* Attempts to open a consistent set of segments when a concurrent commit
 * removes files between reading the manifest and opening them. */
#define OPEN_RETRIES 5

/* ---- index ---------------------------------------------------------------- */

static void close_segments(hks_index *idx)
{
    uint32_t i;
    for (i = 0; i < idx->n_seg; i++)
        hks_seg_close(idx->seg[i]);
    hks_mem_free(idx->a, idx->seg, 0);
    hks_mem_free(idx->a, idx->base, 0);
    idx->seg = NULL;
    idx->base = NULL;
    idx->n_seg = 0;
    hks_manifest_free(idx->a, &idx->man);
}

static int open_segments(hks_index *idx)
{
    uint32_t i;
    int rc = hks_manifest_read(idx->a, idx->dir, false, &idx->man, &idx->err);
    if (rc)
        return rc;
    /* An array of segment pointers: sizeof of a pointer is meant. */
    idx->seg = hks_mem_calloc(idx->a, idx->man.n_seg + 1, sizeof *idx->seg); /* NOLINT(bugprone-sizeof-expression) */
    idx->base = hks_mem_calloc(idx->a, idx->man.n_seg + 1, sizeof *idx->base);
    if (!idx->seg || !idx->base)
        return hks_fail(&idx->err, HKS_ERR_NOMEM, "out of memory");
    idx->n_docs = idx->n_live = idx->live_tokens = idx->live_chars = 0;
    for (i = 0; i < idx->man.n_seg; i++) {
        const uint32_t *dl, *cl;
        uint32_t d, nd;
        rc = hks_seg_open(idx->a, idx->dir, &idx->man.seg[i], &idx->err, &idx->seg[i]);
        if (rc)
            return rc;
        idx->n_seg = i + 1;
        if (idx->n_docs + idx->man.seg[i].n_docs >= UINT32_MAX)
            return hks_fail(&idx->err, HKS_ERR_ARG, "%s: more than 2^32 - 1 documents",
                            idx->dir);
        idx->base[i] = (uint32_t)idx->n_docs;
        nd = hks_seg_ndocs(idx->seg[i]);
        idx->n_docs += nd;
        dl = hks_seg_doclens(idx->seg[i]);
        cl = hks_seg_charlens(idx->seg[i]);
        for (d = 0; d < nd; d++) {
            if (hks_seg_is_deleted(idx->seg[i], d))
                continue;
            idx->n_live++;
            idx->live_tokens += dl[d];
            idx->live_chars += cl[d];
        }
    }
    idx->avgdl = idx->n_live ? (double)idx->live_tokens / (double)idx->n_live : 1.0;
    if (idx->avgdl < 1.0)
        idx->avgdl = 1.0; /* guard: all-empty documents */
    idx->avgcl = idx->n_live ? (double)idx->live_chars / (double)idx->n_live : 1.0;
    if (idx->avgcl < 1.0)
        idx->avgcl = 1.0;
    return HKS_OK;
}

/*
 * Open the committed state of the index in dir. If a commit removes a
 * segment file between our reading the manifest and opening the file,
 * read the new manifest and try again.
 */
int hks_index_open(const char *dir, const hks_alloc *alloc, hks_index **out)
{
    hks_index *idx;
    int rc = HKS_OK, attempt;
    if (!out)
        return HKS_ERR_ARG;
    *out = NULL;
    if (!dir || !*dir)
        return HKS_ERR_ARG;
    idx = hks_mem_calloc(alloc, 1, sizeof *idx);
    if (!idx)
        return HKS_ERR_NOMEM;
    if (alloc) {
        idx->alloc = *alloc;
        idx->a = &idx->alloc;
    }
    *out = idx;
    idx->dir = hks_mem_strndup(idx->a, dir, strlen(dir));
    if (!idx->dir)
        return hks_fail(&idx->err, HKS_ERR_NOMEM, "out of memory");
    for (attempt = 0; attempt < OPEN_RETRIES; attempt++) {
        rc = open_segments(idx);
        if (rc != HKS_ERR_NOTFOUND || idx->man.generation == 0)
            break;
        close_segments(idx); /* a segment vanished: a newer commit */
    }
    if (rc == HKS_OK)
        rc = hks_index_syn_load(idx); /* synonyms.c */
    if (rc)
        close_segments(idx);
    return rc;
}

void hks_index_close(hks_index *idx)
{
    hks_alloc copy;
    const hks_alloc *a;
    if (!idx)
        return;
    close_segments(idx);
    hks_index_syn_free(idx);
    hks_mem_free(idx->a, idx->dir, 0);
    copy = idx->alloc;
    a = idx->a ? &copy : NULL;
    hks_mem_free(a, idx, sizeof *idx);
}

const char *hks_index_errmsg(const hks_index *idx)
{
    return idx ? idx->err.msg : "no index (out of memory or invalid argument)";
}

int hks_index_info_get(hks_index *idx, hks_index_info *out)
{
    uint32_t i;
    if (!idx || !out)
        return HKS_ERR_ARG;
    memset(out, 0, sizeof *out);
    out->n_docs = idx->n_live;
    out->n_deleted = idx->n_docs - idx->n_live;
    out->n_segments = idx->n_seg;
    out->n_tokens = idx->live_tokens;
    out->generation = idx->man.generation;
    for (i = 0; i < idx->n_seg; i++) {
        uint64_t p, d, all = hks_seg_bytes(idx->seg[i], &p, &d);
        out->n_terms += hks_seg_nterms(idx->seg[i]);
        out->bytes_postings += p;
        out->bytes_docstore += d;
        out->bytes_other += all - p - d;
    }
    /* Last: on an error (a document's metadata unreadable) the other
     * fields are filled in all the same. */
    return hks_index_count_collections(idx, &out->n_collections);
}

int hks_index_check(hks_index *idx)
{
    uint32_t i;
    if (!idx)
        return HKS_ERR_ARG;
    hks_err_clear(&idx->err);
    for (i = 0; i < idx->n_seg; i++)
        HKS_TRY(hks_seg_check(idx->seg[i], &idx->err));
    return HKS_OK;
}

bool hks_index_locate(const hks_index *idx, uint32_t doc_id, uint32_t *seg, uint32_t *local)
{
    uint32_t lo = 0, hi = idx->n_seg;
    if (doc_id >= idx->n_docs)
        return false;
    while (hi - lo > 1) { /* last segment whose base <= doc_id */
        uint32_t mid = lo + (hi - lo) / 2;
        if (idx->base[mid] <= doc_id)
            lo = mid;
        else
            hi = mid;
    }
    *seg = lo;
    *local = doc_id - idx->base[lo];
    return !hks_seg_is_deleted(idx->seg[lo], *local);
}

/* ---- searcher --------------------------------------------------------------- */

int hks_searcher_new(hks_index *idx, hks_searcher **out)
{
    hks_searcher *s;
    if (!out)
        return HKS_ERR_ARG;
    *out = NULL;
    if (!idx)
        return HKS_ERR_ARG;
    s = hks_mem_calloc(idx->a, 1, sizeof *s);
    if (!s)
        return HKS_ERR_NOMEM;
    s->idx = idx;
    s->a = idx->a;
    s->k1 = 1.2;
    s->b = 0.75;
    s->char_w = 2.0;
    s->char_k1 = 0.5;
    s->char_b = 1.0;
    s->coverage = 0.75;
    s->function_words = true;
    s->newest = INT32_MIN;
    s->collapse = true;
    s->collapse_dist = HKS_COLLAPSE_DISTANCE;
    hks_ntext_init(&s->nt, s->a);
    hks_buf_init(&s->meta, s->a);
    hks_buf_init(&s->qy_text, s->a);
    *out = s;
    if (hks_ds_cursor_new(s->a, &s->dc))
        return hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
    return HKS_OK;
}

void hks_searcher_free(hks_searcher *s)
{
    if (!s)
        return;
    hks_ntext_free(&s->nt);
    hks_buf_free(&s->meta);
    hks_buf_free(&s->qy_text);
    hks_searcher_free_keys(s);
    hks_collapse_free(s);
    hks_xp_free(s);
    hks_ds_cursor_free(s->dc);
    hks_mem_free(s->a, s->lc, 0);
    hks_mem_free(s->a, s, sizeof *s);
}

const char *hks_searcher_errmsg(const hks_searcher *s)
{
    return s ? s->err.msg : "no searcher (out of memory or invalid argument)";
}

int hks_searcher_set(hks_searcher *s, hks_sparam param, double value)
{
    if (!s)
        return HKS_ERR_ARG;
    switch (param) {
    case HKS_S_BM25_K1:
        if (!(value >= 0 && value <= 10))
            return hks_fail(&s->err, HKS_ERR_ARG, "k1 %g out of 0..10", value);
        s->k1 = value;
        return HKS_OK;
    case HKS_S_BM25_B:
        if (!(value >= 0 && value <= 1))
            return hks_fail(&s->err, HKS_ERR_ARG, "b %g out of 0..1", value);
        s->b = value;
        return HKS_OK;
    case HKS_S_COUNT_PARTIAL:
        s->count_partial = value != 0;
        return HKS_OK;
    case HKS_S_LITERAL:
        s->literal = value != 0;
        return HKS_OK;
    case HKS_S_SORT:
        if (value != HKS_SORT_RELEVANCE && value != HKS_SORT_DATE)
            return hks_fail(&s->err, HKS_ERR_ARG, "sort %g: 0 (relevance) or 1 (date)", value);
        s->sort = (int)value;
        return HKS_OK;
    case HKS_S_CHAR_WEIGHT:
        if (!(value >= 0 && value <= 10))
            return hks_fail(&s->err, HKS_ERR_ARG, "character weight %g out of 0..10", value);
        s->char_w = value;
        return HKS_OK;
    case HKS_S_CHAR_K1:
        if (!(value >= 0 && value <= 10))
            return hks_fail(&s->err, HKS_ERR_ARG, "character k1 %g out of 0..10", value);
        s->char_k1 = value;
        return HKS_OK;
    case HKS_S_CHAR_B:
        if (!(value >= 0 && value <= 1))
            return hks_fail(&s->err, HKS_ERR_ARG, "character b %g out of 0..1", value);
        s->char_b = value;
        return HKS_OK;
    case HKS_S_FUNCTION_WORDS:
        s->function_words = value != 0;
        return HKS_OK;
    case HKS_S_TIME_BUDGET_MS:
        if (!(value >= 0 && value <= 86400000.0))
            return hks_fail(&s->err, HKS_ERR_ARG, "time budget %g ms out of 0..86400000", value);
        s->budget_ms = value;
        return HKS_OK;
    case HKS_S_RECENCY:
        if (!(value >= 0 && value <= 100000.0))
            return hks_fail(&s->err, HKS_ERR_ARG, "recency half-life %g days out of 0..100000",
                            value);
        s->recency = value;
        return HKS_OK;
    case HKS_S_COLLAPSE:
        s->collapse = value != 0;
        return HKS_OK;
    case HKS_S_COLLAPSE_BITS:
        if (!(value >= 0 && value <= 16))
            return hks_fail(&s->err, HKS_ERR_ARG, "collapse distance %g out of 0..16", value);
        s->collapse_dist = (int)value;
        return HKS_OK;
    case HKS_S_BOILERPLATE:
        s->boiler = value != 0;
        return HKS_OK;
    case HKS_S_SYNONYMS:
        s->no_synonyms = value == 0;
        return HKS_OK;
    case HKS_S_COVERAGE:
        if (!(value >= 0 && value <= 4))
            return hks_fail(&s->err, HKS_ERR_ARG, "coverage exponent %g out of 0..4", value);
        s->coverage = value;
        return HKS_OK;
    }
    return hks_fail(&s->err, HKS_ERR_ARG, "unknown parameter %d", (int)param);
}

/* ---- lexicon lookups, kept for the search ------------------------------ */

/* A long question looks each of its terms up in each segment up to five
 * times (strict weights and match, natural weights and lists, characters):
 * a search keeps what it found. A slot belongs to the search whose
 * generation it holds, so a new search starts empty without a clear. */
#define LEXCACHE_SLOTS 512
#define LEXCACHE_PROBES 8

typedef struct lexslot {
    const hks_segment *seg;
    uint32_t gen;
    hks_lexent e;
    bool found;
    uint8_t len;
    uint8_t term[HKS_MAX_TERM_BYTES];
} lexslot;

typedef struct hks_lexcache hks_lexcache;

struct hks_lexcache {
    uint32_t gen;
    lexslot slot[LEXCACHE_SLOTS];
};

/* A new search's cache: s->lc, NULL when out of memory (lookups then go
 * to the segments). */
static void lexcache_begin(hks_searcher *s)
{
    if (!s->lc) {
        s->lc = hks_mem_calloc(s->a, 1, sizeof *s->lc);
        if (!s->lc)
            return;
    }
    if (++s->lc->gen == 0) { /* wrapped: old generations could match */
        memset(s->lc->slot, 0, sizeof s->lc->slot);
        s->lc->gen = 1;
    }
}

/* hks_seg_lookup through the search's cache lc (may be NULL). */
static int lex_lookup(hks_lexcache *lc, const hks_segment *seg, const uint8_t *term, size_t len,
                      hks_lexent *out, hks_errbuf *err)
{
    uint64_t h;
    uint32_t i;
    lexslot *free_slot = NULL;
    int rc;
    if (!lc || len == 0 || len > HKS_MAX_TERM_BYTES)
        return hks_seg_lookup(seg, term, len, out, err);
    h = hks_hash64_seed(term, len, (uint64_t)(uintptr_t)seg);
    for (i = 0; i < LEXCACHE_PROBES; i++) {
        lexslot *sl = &lc->slot[(h + i) % LEXCACHE_SLOTS];
        if (sl->gen != lc->gen) {
            free_slot = sl;
            break;
        }
        if (sl->seg == seg && sl->len == len && memcmp(sl->term, term, len) == 0) {
            if (!sl->found)
                return HKS_ERR_NOTFOUND;
            *out = sl->e;
            return HKS_OK;
        }
    }
    rc = hks_seg_lookup(seg, term, len, out, err);
    if (free_slot && (rc == HKS_OK || rc == HKS_ERR_NOTFOUND)) {
        free_slot->seg = seg;
        free_slot->gen = lc->gen;
        free_slot->found = rc == HKS_OK;
        free_slot->len = (uint8_t)len;
        memcpy(free_slot->term, term, len);
        if (rc == HKS_OK)
            free_slot->e = *out;
    }
    return rc;
}

/* ---- term iterators: one term, or the union of a prefix's terms ---------- */

typedef struct titer {
    hks_pcur *sub; /* cursors (one for an exact term)            */
    uint32_t n_sub;
    uint32_t *heap; /* sub indices, min-heap by doc (unions)      */
    uint32_t doc;   /* current doc, HKS_END when done             */
    uint32_t *pos;  /* merged positions of a union                */
    uint32_t n_pos, cap_pos;
    bool pos_ok; /* pos holds the current doc's positions      */
    const hks_alloc *a;
    hks_errbuf *err;
    /* A lone CJK character as a prefix whose positions a phrase needs:
     * the character list gives the documents (the same as the union's),
     * and the union of every term starting with it is only opened when
     * a document's positions are first asked for (ti_positions). */
    struct titer *u;
    const hks_segment *seg;
    hks_lexcache *lc;
    uint8_t term[HKS_MAX_TERM_BYTES];
    uint8_t len;
    bool deferred;
} titer;

typedef struct lexlist {
    hks_lexent *e;
    uint32_t n, cap;
    const hks_alloc *a;
} lexlist;

static int on_prefix_term(void *ctx, const uint8_t *term, size_t len, const hks_lexent *e)
{
    lexlist *l = ctx;
    (void)term;
    (void)len;
    if (l->n == l->cap) {
        size_t nc;
        hks_lexent *p = hks_grow(l->a, l->e, sizeof *p, l->cap, (size_t)l->n + 1, 16, UINT32_MAX,
                                 &nc);
        if (!p)
            return HKS_ERR_NOMEM;
        l->e = p;
        l->cap = (uint32_t)nc;
    }
    l->e[l->n++] = *e;
    return HKS_OK;
}

static void heap_down(titer *t, uint32_t i, uint32_t n)
{
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i, tmp;
        if (l < n && t->sub[t->heap[l]].doc < t->sub[t->heap[m]].doc)
            m = l;
        if (r < n && t->sub[t->heap[r]].doc < t->sub[t->heap[m]].doc)
            m = r;
        if (m == i)
            return;
        tmp = t->heap[i];
        t->heap[i] = t->heap[m];
        t->heap[m] = tmp;
        i = m;
    }
}

static void ti_close(titer *t)
{
    uint32_t i;
    if (t->u) {
        ti_close(t->u);
        hks_mem_free(t->a, t->u, 0);
    }
    for (i = 0; i < t->n_sub; i++)
        hks_pc_close(&t->sub[i]);
    hks_mem_free(t->a, t->sub, 0);
    hks_mem_free(t->a, t->heap, 0);
    hks_mem_free(t->a, t->pos, 0);
    memset(t, 0, sizeof *t);
    t->doc = HKS_END;
}

/* With HKS_S_BOILERPLATE, the postings of the term's boilerplate key join
 * the union. */
static int add_boiler_terms(const hks_segment *seg, hks_lexcache *lc, const uint8_t *term,
                            size_t len, bool is_prefix, lexlist *l, hks_errbuf *err)
{
    uint8_t bk[HKS_MAX_TERM_BYTES];
    size_t bn = hks_boiler_key(term, len, bk);
    hks_lexent e;
    int rc;
    if (is_prefix)
        return hks_seg_prefix(seg, bk, bn, on_prefix_term, l, err);
    rc = lex_lookup(lc, seg, bk, bn, &e, err);
    if (rc == HKS_ERR_NOTFOUND) {
        hks_err_clear(err);
        return HKS_OK;
    }
    return rc ? rc : on_prefix_term(l, bk, bn, &e);
}

/* Open the iterator of element e in seg (empty when the term is absent).
 * A lone CJK character as a prefix (every term starting with it) is its
 * character-field list: the same documents and counts, one list instead
 * of a union of hundreds. When positions are needed the union is opened
 * later, and only if a document gets that far (ti_positions). */
static int ti_open_list(titer *t, const hks_alloc *a, const hks_segment *seg, hks_lexcache *lc,
                        const uint8_t *term, size_t len, bool is_prefix, bool with_bp,
                        hks_errbuf *err);

static int ti_open(titer *t, const hks_alloc *a, const hks_segment *seg, hks_lexcache *lc,
                   const uint8_t *term, size_t len, bool is_prefix, bool need_pos, bool with_bp,
                   hks_errbuf *err)
{
    uint8_t key[HKS_MAX_TERM_BYTES];
    size_t klen;
    memset(t, 0, sizeof *t);
    if (is_prefix && !with_bp && len <= sizeof t->term &&
        (klen = hks_char_key(term, len, key)) != 0) {
        if (need_pos) { /* what the union is opened with, when needed */
            memcpy(t->term, term, len);
            t->len = (uint8_t)len;
            t->seg = seg;
            t->lc = lc;
            t->deferred = true;
        }
        term = key;
        len = klen;
        is_prefix = false;
    }
    return ti_open_list(t, a, seg, lc, term, len, is_prefix, with_bp, err);
}

/* ti_open's list or union, t zeroed but for what ti_open set. */
static int ti_open_list(titer *t, const hks_alloc *a, const hks_segment *seg, hks_lexcache *lc,
                        const uint8_t *term, size_t len, bool is_prefix, bool with_bp,
                        hks_errbuf *err)
{
    lexlist l;
    uint32_t i;
    int rc;
    memset(&l, 0, sizeof l);
    t->a = a;
    t->err = err;
    t->doc = HKS_END;
    l.a = a;
    if (is_prefix) {
        rc = hks_seg_prefix(seg, term, len, on_prefix_term, &l, err);
    } else {
        hks_lexent e;
        rc = lex_lookup(lc, seg, term, len, &e, err);
        if (rc == HKS_ERR_NOTFOUND) {
            hks_err_clear(err);
            rc = HKS_OK;
        } else if (rc == HKS_OK) {
            rc = on_prefix_term(&l, term, len, &e);
        }
    }
    if (rc == HKS_OK && with_bp)
        rc = add_boiler_terms(seg, lc, term, len, is_prefix, &l, err);
    if (rc == HKS_ERR_NOMEM)
        rc = hks_fail(err, rc, "out of memory");
    if (rc || l.n == 0) {
        hks_mem_free(a, l.e, 0);
        return rc;
    }
    t->sub = hks_mem_calloc(a, l.n, sizeof *t->sub);
    t->heap = hks_mem_alloc(a, (size_t)l.n * sizeof *t->heap);
    if (!t->sub || !t->heap) {
        hks_mem_free(a, l.e, 0);
        ti_close(t);
        return hks_fail(err, HKS_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < l.n; i++) {
        rc = hks_pc_open(&t->sub[i], a, seg, &l.e[i], err);
        t->n_sub = i + 1;
        if (rc)
            break;
        t->heap[i] = i;
    }
    hks_mem_free(a, l.e, 0);
    if (rc) {
        ti_close(t);
        return rc;
    }
    for (i = t->n_sub / 2; i-- > 0;)
        heap_down(t, i, t->n_sub);
    t->doc = t->sub[t->heap[0]].doc;
    return HKS_OK;
}

static int ti_advance(titer *t, uint32_t target)
{
    if (t->doc == HKS_END || t->doc >= target)
        return HKS_OK;
    t->pos_ok = false;
    if (t->n_sub == 1) {
        HKS_TRY(hks_pc_advance(&t->sub[0], target));
        t->doc = t->sub[0].doc;
        return HKS_OK;
    }
    while (t->sub[t->heap[0]].doc < target) {
        HKS_TRY(hks_pc_advance(&t->sub[t->heap[0]], target));
        heap_down(t, 0, t->n_sub);
    }
    t->doc = t->sub[t->heap[0]].doc;
    return HKS_OK;
}

/* Sum of tfs, and (when want_pos) the sorted positions, at t->doc. */
static int ti_collect(titer *t, uint32_t i, uint32_t *tf, bool want_pos)
{
    hks_pcur *c;
    if (i >= t->n_sub)
        return HKS_OK;
    c = &t->sub[t->heap[i]];
    if (c->doc != t->doc)
        return HKS_OK;
    *tf += c->tf;
    if (want_pos) {
        const uint32_t *p;
        uint32_t n;
        HKS_TRY(hks_pc_positions(c, &p, &n));
        if (t->n_pos + n > t->cap_pos) {
            size_t nc;
            uint32_t *q = hks_grow(t->a, t->pos, sizeof *q, t->cap_pos, (size_t)t->n_pos + n, 64,
                                   UINT32_MAX, &nc);
            if (!q)
                return hks_fail(t->err, HKS_ERR_NOMEM, "out of memory");
            t->pos = q;
            t->cap_pos = (uint32_t)nc;
        }
        memcpy(t->pos + t->n_pos, p, (size_t)n * 4);
        t->n_pos += n;
    }
    HKS_TRY(ti_collect(t, 2 * i + 1, tf, want_pos));
    return ti_collect(t, 2 * i + 2, tf, want_pos);
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static int ti_tf(titer *t, uint32_t *tf)
{
    *tf = 0;
    if (t->n_sub == 1) {
        *tf = t->sub[0].tf;
        return HKS_OK;
    }
    return ti_collect(t, 0, tf, false);
}

static int positions_at(titer *t, uint32_t doc, const uint32_t **p, uint32_t *n);

/* Positions of a deferred prefix at t->doc, from its union (opened now if
 * it is not yet: most phrases with such a prefix fail on their other
 * elements first). */
static int deferred_positions(titer *t, const uint32_t **p, uint32_t *n)
{
    if (!t->u) {
        int rc;
        t->u = hks_mem_calloc(t->a, 1, sizeof *t->u);
        if (!t->u)
            return hks_fail(t->err, HKS_ERR_NOMEM, "out of memory");
        rc = ti_open_list(t->u, t->a, t->seg, t->lc, t->term, t->len, true, false, t->err);
        if (rc)
            return rc;
    }
    return positions_at(t->u, t->doc, p, n);
}

static int ti_positions(titer *t, const uint32_t **p, uint32_t *n)
{
    uint32_t tf = 0;
    if (t->deferred)
        return deferred_positions(t, p, n);
    if (t->n_sub == 1)
        return hks_pc_positions(&t->sub[0], p, n);
    if (!t->pos_ok) {
        t->n_pos = 0;
        HKS_TRY(ti_collect(t, 0, &tf, true));
        qsort(t->pos, t->n_pos, 4, cmp_u32);
        t->pos_ok = true;
    }
    *p = t->pos;
    *n = t->n_pos;
    return HKS_OK;
}

/* ---- top k ---------------------------------------------------------------- */

/* A hit with its document's date, for sorting by date. */
typedef struct khit {
    hks_hit h;
    uint32_t date;
    double f; /* natural ranking: the coverage factor, applied to every
                 field's part of the score (coverage_factor)       */
} khit;

typedef struct topk {
    khit *h;
    size_t n, cap;
    bool by_date; /* newest first, not best first                 */
} topk;

/* a ranks below b: lower score (or older, by date), or equal and a higher
 * doc id. */
static bool worse_by(bool by_date, const khit *a, const khit *b)
{
    if (by_date)
        return a->date < b->date || (a->date == b->date && a->h.doc_id > b->h.doc_id);
    return a->h.score < b->h.score || (a->h.score == b->h.score && a->h.doc_id > b->h.doc_id);
}

#define worse(a, b) worse_by(k->by_date, a, b)

static void topk_sift(topk *k, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        khit t;
        if (l < k->n && worse(&k->h[l], &k->h[m]))
            m = l;
        if (r < k->n && worse(&k->h[r], &k->h[m]))
            m = r;
        if (m == i)
            return;
        t = k->h[i];
        k->h[i] = k->h[m];
        k->h[m] = t;
        i = m;
    }
}

static void topk_push(topk *k, const khit *hit)
{
    if (k->cap == 0)
        return;
    if (k->n < k->cap) {
        size_t i = k->n++;
        k->h[i] = *hit;
        while (i) {
            size_t p = (i - 1) / 2;
            khit t;
            if (!worse(&k->h[i], &k->h[p]))
                break;
            t = k->h[i];
            k->h[i] = k->h[p];
            k->h[p] = t;
            i = p;
        }
        return;
    }
    if (worse(&k->h[0], hit)) {
        k->h[0] = *hit;
        topk_sift(k, 0);
    }
}

/* Lowest score that can still enter, or -1 when there is room. A top 0
 * (hits_cap 0, or filled by strict hits) takes nothing and has no h. */
static double topk_threshold(const topk *k)
{
    if (k->cap == 0)
        return HUGE_VAL;
    return k->n < k->cap ? -1.0 : k->h[0].h.score;
}

#undef worse

static int cmp_hits(const void *x, const void *y)
{
    const khit *a = x, *b = y;
    if (worse_by(false, a, b))
        return 1;
    if (worse_by(false, b, a))
        return -1;
    return 0;
}

static int cmp_hits_date(const void *x, const void *y)
{
    const khit *a = x, *b = y;
    if (worse_by(true, a, b))
        return 1;
    if (worse_by(true, b, a))
        return -1;
    return 0;
}

/* ---- recency (HKS_S_RECENCY) ------------------------------------------------ */

/* Days since 1970-01-01 of a YYYYMMDD date (a valid day). */
static int32_t day_number(uint32_t ymd)
{
    int32_t y = (int32_t)(ymd / 10000), m = (int32_t)(ymd / 100 % 100), d = (int32_t)(ymd % 100);
    int32_t era, yoe, doy, doe;
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The newest date of the index's live documents, found once per searcher
 * (an index never changes): the "now" of recency, so that a ranking does
 * not depend on the clock. INT32_MIN + 1 when nothing is dated. */
static int32_t newest_day(hks_searcher *s)
{
    uint32_t best = 0;
    if (s->newest != INT32_MIN)
        return s->newest;
    for (uint32_t g = 0; g < s->idx->n_seg; g++) {
        const hks_segment *seg = s->idx->seg[g];
        for (uint32_t d = 0, nd = hks_seg_ndocs(seg); d < nd; d++) {
            hks_docrec rec;
            if (!hks_seg_is_deleted(seg, d) && hks_seg_docrec(seg, d, &rec) == HKS_OK &&
                rec.date > best)
                best = rec.date;
        }
    }
    s->newest = best ? day_number(best) : INT32_MIN + 1;
    return s->newest;
}

/* The factor recency puts on the score of a document dated ymd:
 * 0.5 + 0.5 * 2^(-age / half-life), age in days before the newest dated
 * document; an undated one gets the floor, 0.5; 1 when recency is off.
 * At most 1, so MaxScore's bounds on the unscaled scores stay bounds. */
static double recency_factor(hks_searcher *s, uint32_t ymd)
{
    int32_t now;
    double age;
    if (s->recency <= 0)
        return 1.0;
    now = newest_day(s);
    if (ymd == 0 || now == INT32_MIN + 1)
        return 0.5;
    age = (double)now - (double)day_number(ymd);
    if (age < 0)
        age = 0;
    return 0.5 + 0.5 * exp2(-age / s->recency);
}

/* ---- scoring terms -------------------------------------------------------- */

/* Natural-language ranking: the candidates taken by bigrams and words
 * before the character field is added (rescore_chars) are the best
 * RERANK_MIN, or the power of two at or above RERANK_DEPTH times the hits
 * wanted when that is more. */
#define RERANK_MIN 128
#define RERANK_DEPTH 4

/* Scoring terms: at most one term and one character per query element. */
#define MAX_STERMS (2 * HKS_MAX_QUERY_ELEMS + 2)

/* Fields a document is scored in: bigrams and words (positions, the
 * strict match), and single CJK characters (natural-language ranking). */
enum { F_TERMS = 0,
       F_CHARS = 1,
       N_FIELDS = 2 };

typedef struct sterm {
    uint8_t term[HKS_MAX_TERM_BYTES]; /* term bytes (a character-field key) */
    uint8_t len;
    uint8_t field; /* F_TERMS or F_CHARS                          */
    uint32_t elem; /* query element it came from (reused when on the
                       document), UINT32_MAX for a character        */
    bool is_prefix;
    uint32_t qtf; /* times in the query                          */
    double qw;    /* their weights summed (function words weigh less) */
    double idf;
    double w; /* qw * idf * field weight, 0 if absent from the index */
} sterm;

typedef struct evalctx {
    hks_searcher *s;
    hks_query *qy;
    sterm *st;
    uint32_t n_st;
    double k1[N_FIELDS], b[N_FIELDS], avgdl[N_FIELDS], fieldw[N_FIELDS];
    topk exact;   /* strict matches                              */
    topk partial; /* the rest, natural-language queries          */
    uint64_t n_exact;
    uint64_t n_partial;
    uint32_t *exact_docs; /* global ids of all strict matches, ascending */
    size_t n_exact_docs, cap_exact_docs;
    double terms_w;  /* natural ranking: the term field's weights summed */
    double cov_e;    /* its coverage exponent (coverage_exponent)  */
    double deadline; /* monotonic ms to stop at, 0 = no budget     */
    unsigned tick;   /* budget checks so far                       */
    bool timed_out;  /* the budget ran out: results are partial    */
    bool weighed;    /* st's weights are set (need_weights)        */
} evalctx;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Whether the search has used up its time budget (HKS_S_TIME_BUDGET_MS).
 * Called once per candidate document; the clock is read on the first and
 * then every 64th call, so a check costs next to nothing. */
static bool past_budget(evalctx *x)
{
    if (x->deadline == 0)
        return false;
    if (!x->timed_out && x->tick++ % 64 == 0)
        x->timed_out = now_ms() >= x->deadline;
    return x->timed_out;
}

static double bm25(const evalctx *x, int f, double w, uint32_t tf, uint32_t dl)
{
    double t = (double)tf, k1 = x->k1[f], b = x->b[f];
    return w * t * (k1 + 1.0) / (t + k1 * (1.0 - b + b * (double)dl / x->avgdl[f]));
}

/* Natural ranking: a document that holds only part of the query's bigrams
 * and words ranks lower: held is the weight of those it holds, of
 * x->terms_w in all. Not in an index of short texts: the exponent ramps
 * from 0 at an average length of COVERAGE_FROM terms to HKS_S_COVERAGE at
 * COVERAGE_FULL, since a page title cannot hold a whole question
 * (measured: the factor costs cmedir, whose documents are page titles, at
 * any strength, and lifts drcd, whose documents are paragraphs). The
 * average, not the document's own length, so that short articles of a
 * news index are not favoured over long ones. */
#define COVERAGE_FROM 100.0
#define COVERAGE_FULL 300.0
static double coverage_exponent(const evalctx *x)
{
    double e = x->s->coverage, avg = x->avgdl[F_TERMS];
    if (e == 0 || avg <= COVERAGE_FROM || x->terms_w <= 0)
        return 0;
    return avg < COVERAGE_FULL ? e * (avg - COVERAGE_FROM) / (COVERAGE_FULL - COVERAGE_FROM) : e;
}

/* The factor of a document holding weight held of the query's terms. */
static double coverage_factor(const evalctx *x, double held)
{
    double c;
    if (x->cov_e == 0)
        return 1.0;
    c = held / x->terms_w;
    if (c >= 1.0)
        return 1.0;
    return hks_coverage_pow(c, x->cov_e);
}

/* The document lengths of field f in a segment. */
static const uint32_t *field_lens(const hks_segment *seg, int f)
{
    return f == F_CHARS ? hks_seg_charlens(seg) : hks_seg_doclens(seg);
}

/* Add (or count again) a scoring term: term[0..len) of field f, from
 * query element elem, weighing qw. */
static void add_sterm(evalctx *x, const uint8_t *term, size_t len, int f, uint32_t elem,
                      bool is_prefix, double qw)
{
    uint32_t i;
    sterm *t;
    for (i = 0; i < x->n_st; i++) {
        t = &x->st[i];
        if (t->is_prefix == is_prefix && t->field == f && t->len == len &&
            memcmp(t->term, term, len) == 0) {
            t->qtf++;
            t->qw += qw;
            return;
        }
    }
    if (x->n_st == MAX_STERMS)
        return; /* cannot happen: at most one term and one character an element */
    t = &x->st[x->n_st++];
    memcpy(t->term, term, len);
    t->len = (uint8_t)len;
    t->field = (uint8_t)f;
    t->elem = elem;
    t->is_prefix = is_prefix;
    t->qtf = 1;
    t->qw = qw;
    t->idf = 0;
    t->w = 0;
}

typedef struct dfctx {
    uint64_t df;
    uint64_t cap; /* the df is used capped here: a prefix scan stops at it */
} dfctx;

/* A frequent character's terms reach the cap (N) within a few lexicon
 * blocks: the rest of the scan (thousands of terms for 的, each block
 * verified) cannot change min(sum, N). */
static int on_df(void *ctx, const uint8_t *term, size_t len, const hks_lexent *e)
{
    dfctx *d = ctx;
    (void)term;
    (void)len;
    d->df += e->df;
    return d->df >= d->cap ? HKS_DONE : HKS_OK;
}

/* With HKS_S_BOILERPLATE, a term's df counts its boilerplate key too (an
 * upper bound: a document with both is counted twice, capped at N). */
static int boiler_df(const hks_segment *seg, hks_lexcache *lc, const uint8_t *term, size_t len,
                     bool is_prefix, dfctx *d, hks_errbuf *err)
{
    uint8_t bk[HKS_MAX_TERM_BYTES];
    size_t bn = hks_boiler_key(term, len, bk);
    hks_lexent e;
    int rc;
    if (is_prefix)
        return hks_seg_prefix(seg, bk, bn, on_df, d, err);
    rc = lex_lookup(lc, seg, bk, bn, &e, err);
    if (rc == HKS_OK)
        d->df += e.df;
    return rc == HKS_ERR_NOTFOUND ? HKS_OK : rc;
}

/* Collection-wide df and the idf weight of every scoring term. For a
 * prefix the df is the sum over its terms, capped at N (an upper bound of
 * the documents holding the character: its idf is then a lower bound). */
static int weigh_terms(evalctx *x)
{
    hks_index *idx = x->s->idx;
    uint32_t i, g;
    double n = (double)idx->n_live;
    for (i = 0; i < x->n_st; i++) {
        dfctx d = {0, idx->n_live ? idx->n_live : 1};
        double df;
        const uint8_t *term = x->st[i].term;
        size_t len = x->st[i].len;
        bool is_prefix = x->st[i].is_prefix;
        for (g = 0; g < idx->n_seg && d.df < d.cap; g++) {
            if (is_prefix) {
                HKS_TRY(hks_seg_prefix(idx->seg[g], term, len, on_df, &d, &x->s->err));
            } else {
                hks_lexent e;
                int rc = lex_lookup(x->s->lc, idx->seg[g], term, len, &e, &x->s->err);
                if (rc == HKS_OK)
                    d.df += e.df;
                else if (rc != HKS_ERR_NOTFOUND)
                    return rc;
            }
            if (x->s->boiler && x->st[i].field == F_TERMS)
                HKS_TRY(boiler_df(idx->seg[g], x->s->lc, x->st[i].term, x->st[i].len, x->st[i].is_prefix,
                                  &d, &x->s->err));
        }
        hks_err_clear(&x->s->err);
        if (d.df == 0)
            continue;
        df = (double)d.df > n ? n : (double)d.df;
        /* Clamp: idf stays positive even for a term in every document. */
        x->st[i].idf = fmax(log(1.0 + (n - df + 0.5) / (df + 0.5)), 1e-6);
        x->st[i].w = x->st[i].qw * x->st[i].idf * x->fieldw[x->st[i].field];
    }
    return HKS_OK;
}

/* The strict terms are weighed when a match is first scored: most long
 * questions have none, and a lone character's df is a prefix scan. */
static int need_weights(evalctx *x)
{
    if (x->weighed)
        return HKS_OK;
    x->weighed = true;
    return weigh_terms(x);
}

/* ---- strict matching -------------------------------------------------------- */

typedef struct segeval {
    const hks_segment *seg;
    uint32_t base;
    titer *el;        /* one iterator per query element              */
    titer *alt;       /* per element: its joint's alternative bigram */
    titer *sc;        /* one iterator per scoring term               */
    bool *sc_open;    /* strict phase: sc[i] opened lazily           */
    uint32_t *ph_doc; /* per phrase: last matched doc (cache)        */
    uint32_t *nd_doc; /* per node: last matched doc (cache)          */
} segeval;

/* Is pos among p[0..n) (sorted)? */
static bool has_pos(const uint32_t *p, uint32_t n, uint32_t pos)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (p[mid] < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && p[lo] == pos;
}

/* Positions of iterator t at doc (none when it is elsewhere). */
static int positions_at(titer *t, uint32_t doc, const uint32_t **p, uint32_t *n)
{
    *p = NULL;
    *n = 0;
    HKS_TRY(ti_advance(t, doc));
    if (t->doc != doc)
        return HKS_OK;
    return ti_positions(t, p, n);
}

/* Does phrase p occur in doc (its mandatory element iterators are on it)?
 * limit: positions must be below it (title: phrases). A joint is matched
 * by its unigram (the run ends there) or by its alternative bigram (the
 * text runs on, and the later elements are one position earlier); at one
 * position only one of them can stand, so no choice is ever undone. */
static int phrase_positions(evalctx *x, segeval *se, const hks_qphrase *p, uint32_t doc,
                            uint32_t limit, bool *hit)
{
    const uint32_t *pp[HKS_MAX_QUERY_ELEMS], *ap[HKS_MAX_QUERY_ELEMS];
    uint32_t pn[HKS_MAX_QUERY_ELEMS], an[HKS_MAX_QUERY_ELEMS];
    uint32_t i, k, pass;
    const hks_qelem *el = &x->qy->elem[p->first];
    *hit = false;
    if (p->n == 0) /* the parser makes no empty phrase; pn[0] is read below */
        return HKS_OK;
    for (i = 0; i < p->n; i++) {
        HKS_TRY(positions_at(&se->el[p->first + i], doc, &pp[i], &pn[i]));
        an[i] = 0;
        ap[i] = NULL;
        if (el[i].joint)
            HKS_TRY(positions_at(&se->alt[p->first + i], doc, &ap[i], &an[i]));
    }
    /* Starts at the first element itself, then (a joint) at its bigram. */
    for (pass = 0; pass < (el[0].joint ? 2u : 1u); pass++) {
        const uint32_t *sp = pass ? ap[0] : pp[0];
        uint32_t sn = pass ? an[0] : pn[0];
        for (k = 0; k < sn; k++) {
            uint32_t start = sp[k], shift = pass;
            bool ok = true;
            if (start >= limit)
                break;
            for (i = 1; i < p->n && ok; i++) {
                uint32_t want = start + el[i].rel - shift;
                if (has_pos(pp[i], pn[i], want))
                    ok = want < limit;
                else if (el[i].joint && has_pos(ap[i], an[i], want))
                    ok = want < limit, shift++;
                else
                    ok = false;
            }
            if (ok) {
                *hit = true;
                return HKS_OK;
            }
        }
    }
    return HKS_OK;
}

/* First doc >= target where phrase pi matches, HKS_END if none. The
 * documents are found by leapfrogging the elements that must be there (a
 * joint may be either of two terms); positions decide. */
static int phrase_next(evalctx *x, segeval *se, uint32_t pi, uint32_t target, uint32_t *out)
{
    const hks_qphrase *p = &x->qy->phrase[pi];
    uint32_t d = target, i;
    if (se->ph_doc[pi] != HKS_END && se->ph_doc[pi] >= target) {
        *out = se->ph_doc[pi];
        return HKS_OK;
    }
    for (;;) {
        bool agree = true, hit;
        hks_docrec rec;
        for (i = 0; i < p->n; i++) {
            titer *t = &se->el[p->first + i];
            if (x->qy->elem[p->first + i].joint)
                continue;
            HKS_TRY(ti_advance(t, d));
            if (t->doc == HKS_END) {
                *out = se->ph_doc[pi] = HKS_END;
                return HKS_OK;
            }
            if (t->doc > d) {
                d = t->doc;
                agree = false;
                break;
            }
        }
        if (!agree)
            continue;
        if (p->n == 1 && !p->in_title) {
            hit = true;
        } else {
            hks_seg_docrec(se->seg, d, &rec);
            HKS_TRY(phrase_positions(x, se, p, d, p->in_title ? rec.title_end : UINT32_MAX,
                                     &hit));
        }
        if (hit) {
            *out = se->ph_doc[pi] = d;
            return HKS_OK;
        }
        if (d + 1 == HKS_END) {
            *out = se->ph_doc[pi] = HKS_END;
            return HKS_OK;
        }
        d++;
    }
}

/* First doc >= target matching node ni of the query tree. Targets only
 * grow within a segment, so a result at or past target can be reused. */
static int node_next(evalctx *x, segeval *se, uint32_t ni, uint32_t target, uint32_t *out)
{
    const hks_qnode *nd = &x->qy->node[ni];
    uint32_t c, d, best;
    if (se->nd_doc[ni] != HKS_END && se->nd_doc[ni] >= target) {
        *out = se->nd_doc[ni];
        return HKS_OK;
    }
    if (nd->kind == HKS_QN_PHRASE) {
        HKS_TRY(phrase_next(x, se, nd->phrase, target, out));
    } else if (nd->kind == HKS_QN_OR) {
        best = HKS_END;
        for (c = nd->child; c != HKS_QN_NONE; c = x->qy->node[c].next) {
            HKS_TRY(node_next(x, se, c, target, &d));
            if (d < best)
                best = d;
        }
        *out = best;
    } else { /* AND: leapfrog the positive children, then the excluded ones */
        d = target;
        for (;;) {
            bool agree = true, excluded = false;
            for (c = nd->child; c != HKS_QN_NONE && agree; c = x->qy->node[c].next) {
                uint32_t e;
                if (x->qy->node[c].negated)
                    continue;
                HKS_TRY(node_next(x, se, c, d, &e));
                if (e == HKS_END) {
                    *out = se->nd_doc[ni] = HKS_END;
                    return HKS_OK;
                }
                if (e > d) {
                    d = e;
                    agree = false;
                }
            }
            if (!agree)
                continue;
            for (c = nd->child; c != HKS_QN_NONE && !excluded; c = x->qy->node[c].next) {
                uint32_t e;
                if (!x->qy->node[c].negated)
                    continue;
                HKS_TRY(node_next(x, se, c, d, &e));
                excluded = e == d;
            }
            if (!excluded)
                break;
            if (d + 1 == HKS_END) {
                d = HKS_END;
                break;
            }
            d++;
        }
        *out = d;
    }
    se->nd_doc[ni] = *out;
    return HKS_OK;
}

/* Whether doc passes the query's date:, source:, collection:, author:,
 * category: and tag: filters (*pass). A
 * corrupt record or an allocation failure is an error, not a non-match. */
static int passes_filters(evalctx *x, segeval *se, uint32_t doc, bool *pass)
{
    hks_query *qy = x->qy;
    *pass = false;
    if (qy->date_from || qy->date_to) {
        hks_docrec rec;
        hks_seg_docrec(se->seg, doc, &rec);
        if (rec.date == 0 || (qy->date_from && rec.date < qy->date_from) ||
            (qy->date_to && rec.date > qy->date_to))
            return HKS_OK;
    }
    if (qy->source_len || qy->collection_len) {
        const uint8_t *p[HKS_META_N];
        size_t n[HKS_META_N], k;
        uint8_t norm[512];
        int rc = hks_seg_meta(se->seg, doc, p, n, &x->s->err);
        if (rc)
            return rc;
        /* collection:hkcnews is hkcnews, or hkcnews.docs */
        if (qy->collection_len &&
            !(n[HKS_META_COLLECTION] >= qy->collection_len &&
              memcmp(p[HKS_META_COLLECTION], qy->collection, qy->collection_len) == 0 &&
              (n[HKS_META_COLLECTION] == qy->collection_len ||
               p[HKS_META_COLLECTION][qy->collection_len] == '.')))
            return HKS_OK;
        if (qy->source_len) {
            rc = hks_norm_string(&x->s->nt, (const char *)p[HKS_META_SOURCE],
                                 n[HKS_META_SOURCE], norm, sizeof norm, &k);
            if (rc)
                return hks_fail(&x->s->err, rc, "out of memory");
            if (!memmem(norm, k, qy->source, qy->source_len))
                return HKS_OK;
        }
    }
    /* author:, category:, tag: (query.c) */
    if (hks_query_has_meta_filter(qy)) {
        const uint8_t *p[HKS_META_N];
        size_t n[HKS_META_N];
        bool ok;
        int rc = hks_seg_meta(se->seg, doc, p, n, &x->s->err);
        if (rc)
            return rc;
        rc = hks_query_meta_pass(qy, &x->s->nt, p[HKS_META_AUTHOR], n[HKS_META_AUTHOR],
                                 p[HKS_META_CATEGORY], n[HKS_META_CATEGORY], p[HKS_META_TAGS],
                                 n[HKS_META_TAGS], &ok);
        if (rc)
            return hks_fail(&x->s->err, rc, "out of memory");
        if (!ok)
            return HKS_OK;
    }
    *pass = true;
    return HKS_OK;
}

static int score_doc(evalctx *x, segeval *se, uint32_t doc, double *score)
{
    uint32_t i;
    *score = 0;
    HKS_TRY(need_weights(x));
    for (i = 0; i < x->n_st; i++) {
        uint32_t tf;
        titer *t = &se->sc[i];
        if (x->st[i].w == 0)
            continue;
        /* The element the term came from is usually on doc already (it is
         * part of the match): use it, and never open the scoring cursor. */
        if (x->st[i].elem != UINT32_MAX && se->el[x->st[i].elem].doc == doc) {
            t = &se->el[x->st[i].elem];
        } else {
            if (!se->sc_open[i]) {
                HKS_TRY(ti_open(t, x->s->a, se->seg, x->s->lc, x->st[i].term, x->st[i].len,
                                x->st[i].is_prefix, false, x->s->boiler, &x->s->err));
                se->sc_open[i] = true;
            }
            HKS_TRY(ti_advance(t, doc));
            if (t->doc != doc)
                continue;
        }
        HKS_TRY(ti_tf(t, &tf));
        *score += bm25(x, x->st[i].field, x->st[i].w, tf, field_lens(se->seg, x->st[i].field)[doc]);
    }
    return HKS_OK;
}

/* Room in x->exact_docs for more strict matches. */
static int reserve_exact(evalctx *x, size_t more)
{
    uint32_t *p;
    if (x->cap_exact_docs - x->n_exact_docs >= more)
        return HKS_OK;
    p = hks_grow(x->s->a, x->exact_docs, sizeof *p, x->cap_exact_docs, x->n_exact_docs + more,
                 256, SIZE_MAX, &x->cap_exact_docs);
    if (!p)
        return hks_fail(&x->s->err, HKS_ERR_NOMEM, "out of memory");
    x->exact_docs = p;
    return HKS_OK;
}

/* Append a strict match (global id) to x->exact_docs. */
static inline int note_exact(evalctx *x, uint32_t gdoc)
{
    if (x->n_exact_docs == x->cap_exact_docs)
        HKS_TRY(reserve_exact(x, 1));
    x->exact_docs[x->n_exact_docs++] = gdoc;
    x->n_exact++;
    return HKS_OK;
}

/* Push strict match doc of the segment, its score before recency. */
static void push_strict(evalctx *x, segeval *se, uint32_t doc, double score)
{
    khit h;
    hks_docrec rec;
    hks_seg_docrec(se->seg, doc, &rec);
    h.date = rec.date;
    h.h.score = score * recency_factor(x->s, rec.date);
    h.h.doc_id = se->base + doc;
    h.h.flags = HKS_HIT_EXACT;
    h.h.n_similar = 0;
    h.f = 1.0;
    topk_push(&x->exact, &h);
}

/* The one list of a query that is a single term and nothing else (one
 * word, one character: no phrase, filter, recency or date order), or
 * NULL. Its documents are the matches and its tf their score. */
static hks_pcur *single_list(evalctx *x, segeval *se)
{
    const hks_query *qy = x->qy;
    const hks_qnode *nd;
    const hks_qphrase *ph;
    titer *t;
    if (qy->root == HKS_QN_NONE || x->exact.by_date || x->s->recency > 0 || x->n_st != 1 ||
        qy->date_from || qy->date_to || qy->source_len || qy->collection_len ||
        hks_query_has_meta_filter(qy))
        return NULL;
    nd = &qy->node[qy->root];
    while (nd->kind == HKS_QN_AND && nd->child != HKS_QN_NONE &&
           qy->node[nd->child].next == HKS_QN_NONE) /* the top-level AND of one clause */
        nd = &qy->node[nd->child];
    if (nd->kind != HKS_QN_PHRASE || nd->negated)
        return NULL;
    ph = &qy->phrase[nd->phrase];
    if (ph->n != 1 || ph->in_title || ph->negated || qy->elem[ph->first].joint ||
        x->st[0].elem != ph->first || x->st[0].field != F_TERMS)
        return NULL;
    t = &se->el[ph->first];
    return t->n_sub == 1 ? &t->sub[0] : NULL;
}

/* strict_segment for a single list c: every document is a match, and
 * only those whose score can enter the top k are pushed (the heap and
 * the document records cost more than the rest; one-character queries
 * match most of an index). Same hits, scores and counts as the tree. */
static int strict_single(evalctx *x, segeval *se, hks_pcur *c)
{
    const uint32_t *dl = field_lens(se->seg, F_TERMS);
    const uint8_t *del = hks_seg_deleted_bits(se->seg);
    double w;
    int rc = HKS_OK;
    HKS_TRY(need_weights(x));
    w = x->st[0].w;
    /* Room for every document of the list at once (its df), not a
     * doubling array grown a few times over 60,000 matches. */
    HKS_TRY(reserve_exact(x, c->df));
    for (; c->doc != HKS_END && rc == HKS_OK; rc = hks_pc_next_inline(c)) {
        uint32_t doc = c->doc;
        double score;
        if (past_budget(x))
            return HKS_OK;
        if (del && (del[doc >> 3] >> (doc & 7) & 1))
            continue;
        HKS_TRY(note_exact(x, se->base + doc));
        score = w == 0 ? 0 : bm25(x, F_TERMS, w, c->tf, dl[doc]);
        if (score >= topk_threshold(&x->exact)) /* recency is off: the score is final */
            push_strict(x, se, doc, score);
    }
    return rc;
}

static int strict_segment(evalctx *x, segeval *se)
{
    hks_query *qy = x->qy;
    uint32_t doc = 0, i, nd = hks_seg_ndocs(se->seg);
    hks_pcur *one = single_list(x, se);
    if (one)
        return strict_single(x, se, one);
    se->ph_doc = hks_mem_alloc(x->s->a, (size_t)(qy->n_phrase + 1) * 4);
    se->nd_doc = hks_mem_alloc(x->s->a, (size_t)(qy->n_node + 1) * 4);
    if (!se->ph_doc || !se->nd_doc)
        return hks_fail(&x->s->err, HKS_ERR_NOMEM, "out of memory");
    for (i = 0; i < qy->n_phrase; i++)
        se->ph_doc[i] = HKS_END;
    for (i = 0; i < qy->n_node; i++)
        se->nd_doc[i] = HKS_END;
    while (doc != HKS_END) {
        bool pass = false;
        uint32_t d;
        if (past_budget(x))
            return HKS_OK;
        if (qy->root == HKS_QN_NONE) { /* filters alone: every document */
            d = doc < nd ? doc : HKS_END;
        } else {
            HKS_TRY(node_next(x, se, qy->root, doc, &d));
        }
        if (d == HKS_END)
            return HKS_OK;
        doc = d;
        if (!hks_seg_is_deleted(se->seg, doc))
            HKS_TRY(passes_filters(x, se, doc, &pass));
        if (pass) {
            double score = 0;
            if (qy->root != HKS_QN_NONE)
                HKS_TRY(score_doc(x, se, doc, &score));
            push_strict(x, se, doc, score);
            HKS_TRY(note_exact(x, se->base + doc));
        }
        doc = doc + 1 == HKS_END ? HKS_END : doc + 1;
    }
    return HKS_OK;
}

/* ---- natural-language ranking: MaxScore over the scoring terms ------------- */

static bool is_exact_doc(const evalctx *x, uint32_t doc)
{
    /* doc is a global id */
    size_t lo = 0, hi = x->n_exact_docs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->exact_docs[mid] < doc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->n_exact_docs && x->exact_docs[lo] == doc;
}

/* Natural ranking's first stage is MaxScore over windows of WINDOW
 * documents. In each window a list's bound is the BM25 of the highest tf
 * and the shortest document of its blocks there (block-max); the lists
 * whose bounds together cannot lift a document to the k-th best score are
 * not walked, only probed at the documents the others bring, and a window
 * where no document can enter is passed without decoding a block. The
 * walked lists are read one after the other into the window's
 * accumulators (no merge by document, which cost more than the scoring),
 * then the window's documents are finished in order. */
#define WINDOW 2048

/* A walked list's contribution to one document of the window. */
typedef struct wentry {
    double c;
    uint32_t slot; /* the list's place in the window's order */
    uint32_t next; /* the document's previous entry, UINT32_MAX none */
} wentry;

typedef struct window {
    uint64_t has[WINDOW / 64]; /* by doc - lo: a bit for a doc with entries */
    uint32_t head[WINDOW];     /* by doc - lo: its last entry, UINT32_MAX none */
    double acc[WINDOW];        /* the walked lists' sum, for the bounds */
    double got[WINDOW];        /* their query weight */
    wentry *e;
    uint32_t n, cap;
} window;

/* The lists of the scoring terms of field F_TERMS, ascending by their
 * bound over [lo, hi] (ub, cum, wcum and fcum filled for them); returns
 * how many. */
static uint32_t window_order(evalctx *x, segeval *se, uint32_t lo, uint32_t hi, uint32_t *ord,
                             double *ub, double *cum, double *wcum, double *fcum)
{
    uint32_t n = 0, i;
    for (i = 0; i < x->n_st; i++) {
        const titer *t = &se->sc[i];
        uint32_t mt = 0, md = UINT32_MAX, j;
        if (x->st[i].w == 0 || x->st[i].field != F_TERMS || t->doc == HKS_END)
            continue; /* characters: rescore_chars */
        for (j = 0; j < t->n_sub; j++) {
            uint32_t a, b;
            hks_pc_range_bound(&t->sub[j], lo, hi, &a, &b);
            mt += a; /* a union's tf is at most the sum */
            if (b < md)
                md = b;
        }
        if (mt == 0)
            continue; /* nothing of this list left */
        ub[i] = bm25(x, F_TERMS, x->st[i].w, mt, md);
        for (j = n++; j && ub[ord[j - 1]] > ub[i]; j--)
            ord[j] = ord[j - 1];
        ord[j] = i;
    }
    for (i = 0; i < n; i++) {
        cum[i] = ub[ord[i]] + (i ? cum[i - 1] : 0);
        wcum[i] = x->st[ord[i]].w + (i ? wcum[i - 1] : 0);
        fcum[i] = coverage_factor(x, wcum[i]);
    }
    return n;
}

static int ti_next(titer *t)
{
    if (t->n_sub != 1)
        return ti_advance(t, t->doc + 1);
    t->pos_ok = false;
    HKS_TRY(hks_pc_next_inline(&t->sub[0]));
    t->doc = t->sub[0].doc;
    return HKS_OK;
}

/* Read the walked lists' documents in [lo, hi] into w. */
static int window_walk(evalctx *x, segeval *se, window *w, uint32_t lo, uint32_t hi,
                       const uint32_t *slot_of_term, uint32_t ess)
{
    const uint32_t *dl = hks_seg_doclens(se->seg);
    uint32_t j;
    for (j = 0; j < x->n_st; j++) { /* in query order: the entries of a doc come in it */
        titer *t = &se->sc[j];
        uint32_t slot = slot_of_term[j];
        if (slot == UINT32_MAX || slot < ess)
            continue;
        HKS_TRY(ti_advance(t, lo));
        while (t->doc <= hi) {
            uint32_t d = t->doc - lo, tf;
            wentry *e;
            HKS_TRY(ti_tf(t, &tf));
            if (w->n == w->cap) {
                size_t nc;
                wentry *p = hks_grow(x->s->a, w->e, sizeof *p, w->cap, (size_t)w->n + 1, 1024,
                                     UINT32_MAX, &nc);
                if (!p)
                    return hks_fail(&x->s->err, HKS_ERR_NOMEM, "out of memory");
                w->e = p;
                w->cap = (uint32_t)nc;
            }
            e = &w->e[w->n];
            e->c = bm25(x, F_TERMS, x->st[j].w, tf, dl[t->doc]);
            e->slot = slot;
            e->next = w->head[d];
            if (e->next == UINT32_MAX) {
                w->has[d / 64] |= (uint64_t)1 << (d % 64);
                w->acc[d] = w->got[d] = 0;
            }
            w->acc[d] += e->c;
            w->got[d] += x->st[j].w;
            w->head[d] = w->n++;
            HKS_TRY(ti_next(t));
        }
    }
    return HKS_OK;
}

/* The first doc at or after d (offsets in the window) with entries,
 * UINT32_MAX if none. */
static uint32_t window_next(const window *w, uint32_t d)
{
    uint32_t word = d / 64;
    uint64_t m;
    if (d >= WINDOW)
        return UINT32_MAX;
    m = w->has[word] & (~(uint64_t)0 << (d % 64));
    while (m == 0) {
        if (++word == WINDOW / 64)
            return UINT32_MAX;
        m = w->has[word];
    }
#if defined(__GNUC__)
    return word * 64 + (uint32_t)__builtin_ctzll(m);
#else
    for (d = 0; !(m & 1); d++)
        m >>= 1;
    return word * 64 + d;
#endif
}

static int natural_segment(evalctx *x, segeval *se)
{
    uint32_t ord[MAX_STERMS], n = 0, i, ess, lo, hi, d;
    uint32_t slot_of_term[MAX_STERMS]; /* term -> index in ord */
    double ub[MAX_STERMS], cum[MAX_STERMS];
    double wcum[MAX_STERMS];    /* the query weight of the lists up to i */
    double fcum[MAX_STERMS];    /* the coverage factor of holding just those */
    double contrib[MAX_STERMS]; /* by list: what it adds at doc */
    uint32_t touched[MAX_STERMS], n_touched = 0;
    const uint32_t *dl = hks_seg_doclens(se->seg);
    uint32_t ndocs = hks_seg_ndocs(se->seg);
    window *w = hks_mem_alloc(x->s->a, sizeof *w);
    int rc = HKS_OK;

    if (!w)
        return hks_fail(&x->s->err, HKS_ERR_NOMEM, "out of memory");
    w->e = NULL;
    w->cap = 0;
    memset(w->has, 0, sizeof w->has);
    for (i = 0; i < WINDOW; i++)
        w->head[i] = UINT32_MAX;
    for (i = 0; i < MAX_STERMS; i++) {
        contrib[i] = 0;
        slot_of_term[i] = UINT32_MAX;
    }
    for (lo = 0; lo < ndocs && rc == HKS_OK && !x->timed_out; lo = hi + 1) {
        double theta = topk_threshold(&x->partial), margin;
        hi = ndocs - lo > WINDOW ? lo + WINDOW - 1 : ndocs - 1;
        for (i = 0; i < n; i++)
            slot_of_term[ord[i]] = UINT32_MAX;
        n = window_order(x, se, lo, hi, ord, ub, cum, wcum, fcum);
        if (n == 0)
            break; /* every list is done */
        for (i = 0; i < n; i++)
            slot_of_term[ord[i]] = i;
        /* Sums in another order can differ in the last bit: prune only
         * what falls short by more than that, so rounding never drops a
         * document that belongs in the top k. A document in none of the
         * lists from ess on scores at most cum[ess - 1], and holds at
         * most wcum[ess - 1] of the query. */
        margin = theta > 0 ? theta * 1e-9 : 0;
        for (ess = 0; ess < n && cum[ess] * fcum[ess] < theta - margin; ess++)
            ;
        if (ess >= n)
            continue; /* no document of the window can enter */
        w->n = 0;
        if ((rc = window_walk(x, se, w, lo, hi, slot_of_term, ess)) != HKS_OK)
            break;
        for (d = window_next(w, 0); d != UINT32_MAX && rc == HKS_OK; d = window_next(w, d + 1)) {
            uint32_t doc = lo + d, k;
            double score, got, most = -1;
            bool reject = false;
            k = w->head[d];
            w->head[d] = UINT32_MAX;
            if (past_budget(x))
                break;
            if (hks_seg_is_deleted(se->seg, doc) || is_exact_doc(x, se->base + doc))
                continue;
            theta = topk_threshold(&x->partial);
            margin = theta > 0 ? theta * 1e-9 : 0;
            score = w->acc[d];
            got = w->got[d];
            for (i = ess; i-- > 0;) {
                titer *t = &se->sc[ord[i]];
                /* most: the factor of the most doc can still hold, found
                 * when first needed (what is passed over only lowers it) */
                if (score + cum[i] >= theta - margin && most < 0)
                    most = coverage_factor(x, got + wcum[i]);
                if (score + cum[i] < theta - margin || (score + cum[i]) * most < theta - margin) {
                    reject = true;
                    break;
                }
                if ((rc = ti_advance(t, doc)) != HKS_OK)
                    break;
                if (t->doc == doc) {
                    uint32_t tf;
                    if ((rc = ti_tf(t, &tf)) != HKS_OK)
                        break;
                    contrib[i] = bm25(x, F_TERMS, x->st[ord[i]].w, tf, dl[doc]);
                    touched[n_touched++] = i;
                    score += contrib[i];
                    got += x->st[ord[i]].w;
                }
            }
            if (!reject && rc == HKS_OK) {
                khit kh;
                uint32_t j;
                double held = 0;
                for (; k != UINT32_MAX; k = w->e[k].next) {
                    contrib[w->e[k].slot] = w->e[k].c;
                    touched[n_touched++] = w->e[k].slot;
                }
                /* The score proper: contributions summed in query-term
                 * order, as score_doc does, so equal documents get equal
                 * scores and the doc-id tie rule decides between them. */
                for (j = 1; j < n_touched; j++) {
                    uint32_t v = touched[j], m = j;
                    for (; m && ord[touched[m - 1]] > ord[v]; m--)
                        touched[m] = touched[m - 1];
                    touched[m] = v;
                }
                kh.h.score = 0;
                for (j = 0; j < n_touched; j++) {
                    kh.h.score += contrib[touched[j]];
                    held += x->st[ord[touched[j]]].w;
                }
                kh.f = coverage_factor(x, held);
                kh.h.score *= kh.f;
                if (x->s->recency > 0) {
                    hks_docrec rec;
                    hks_seg_docrec(se->seg, doc, &rec);
                    kh.h.score *= recency_factor(x->s, rec.date);
                }
                kh.h.doc_id = se->base + doc;
                kh.h.flags = 0;
                kh.h.n_similar = 0;
                kh.date = 0;
                topk_push(&x->partial, &kh);
            }
            while (n_touched) /* contrib is all 0 again for the next doc */
                contrib[touched[--n_touched]] = 0;
        }
        for (; d != UINT32_MAX; d = window_next(w, d + 1)) /* a window left early */
            w->head[d] = UINT32_MAX;
        memset(w->has, 0, sizeof w->has);
    }
    hks_mem_free(x->s->a, w->e, 0);
    hks_mem_free(x->s->a, w, 0);
    return rc;
}

/* Count every document matching some bigram or word, minus strict ones. */
static int count_partial(evalctx *x, segeval *se)
{
    uint32_t i;
    for (;;) {
        uint32_t doc = HKS_END;
        if (past_budget(x))
            return HKS_OK;
        for (i = 0; i < x->n_st; i++)
            if (x->st[i].field == F_TERMS && se->sc[i].doc < doc)
                doc = se->sc[i].doc;
        if (doc == HKS_END)
            return HKS_OK;
        if (!hks_seg_is_deleted(se->seg, doc) && !is_exact_doc(x, se->base + doc))
            x->n_partial++;
        for (i = 0; i < x->n_st; i++)
            if (x->st[i].field == F_TERMS)
                HKS_TRY(ti_advance(&se->sc[i], doc + 1));
    }
}

static int cmp_hit_doc(const void *x, const void *y)
{
    const khit *a = x, *b = y;
    return a->h.doc_id < b->h.doc_id ? -1 : a->h.doc_id > b->h.doc_id;
}

/* The k-th largest of v[0..n) (0 < k <= n); v is reordered. */
static double kth_largest(double *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1, want = k - 1;
    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2], t;
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot)
                i++;
            while (v[j] < pivot)
                j--;
            if (i <= j) {
                t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (want <= j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            return v[want];
    }
    return v[want];
}

/* The second stage of natural-language ranking: add the character field's
 * BM25 to each candidate of the first (the best RERANK_DEPTH times the
 * hits wanted by bigrams and words). A document is only ranked when it
 * holds a bigram or word of the query (a question's characters alone
 * match most of a collection), and the characters' long lists are only
 * probed at the candidates, never walked. The characters go by weight,
 * heaviest first; after each, a candidate that even the most the rest
 * could add (w (k1 + 1) each) leaves below the need-th best score so far
 * can no longer be among the need kept, and is not probed again. */
static int rescore_chars(evalctx *x, size_t need)
{
    hks_index *idx = x->s->idx;
    topk *k = &x->partial;
    uint32_t ord[MAX_STERMS], nc = 0, c, g, i;
    double rest = 0, *tmp;
    bool *out;
    int rc = HKS_OK;
    for (i = 0; i < x->n_st; i++) {
        uint32_t j;
        if (x->st[i].field != F_CHARS || x->st[i].w == 0)
            continue;
        for (j = nc++; j && x->st[ord[j - 1]].w < x->st[i].w; j--)
            ord[j] = ord[j - 1];
        ord[j] = i;
        rest += x->st[i].w * (x->k1[F_CHARS] + 1.0);
    }
    if (nc == 0 || k->n == 0)
        return HKS_OK;
    qsort(k->h, k->n, sizeof *k->h, cmp_hit_doc);
    out = hks_mem_calloc(x->s->a, k->n, sizeof *out);
    tmp = hks_mem_alloc(x->s->a, k->n * sizeof *tmp);
    if (!out || !tmp) {
        hks_mem_free(x->s->a, out, 0);
        hks_mem_free(x->s->a, tmp, 0);
        return hks_fail(&x->s->err, HKS_ERR_NOMEM, "out of memory");
    }
    for (c = 0; c < nc && rc == HKS_OK; c++) {
        const sterm *st = &x->st[ord[c]];
        size_t h = 0, j, n_in = 0;
        for (g = 0; g < idx->n_seg && h < k->n && rc == HKS_OK; g++) {
            const hks_segment *seg = idx->seg[g];
            uint32_t end = idx->base[g] + hks_seg_ndocs(seg);
            const uint32_t *cl = hks_seg_charlens(seg);
            titer t;
            if (k->h[h].h.doc_id >= end)
                continue;
            rc = ti_open(&t, x->s->a, seg, x->s->lc, st->term, st->len, false, false, false, &x->s->err);
            for (j = h; rc == HKS_OK && t.doc != HKS_END && j < k->n && k->h[j].h.doc_id < end;
                 j++) {
                uint32_t d = k->h[j].h.doc_id - idx->base[g], tf;
                if (out[j])
                    continue;
                rc = ti_advance(&t, d);
                if (rc == HKS_OK && t.doc == d && (rc = ti_tf(&t, &tf)) == HKS_OK) {
                    double add = bm25(x, F_CHARS, st->w, tf, cl[d]) * k->h[j].f;
                    if (x->s->recency > 0) { /* the first stage's score is scaled so */
                        hks_docrec rec;
                        hks_seg_docrec(seg, d, &rec);
                        add *= recency_factor(x->s, rec.date);
                    }
                    k->h[j].h.score += add;
                }
            }
            ti_close(&t);
            while (h < k->n && k->h[h].h.doc_id < end)
                h++;
        }
        rest -= st->w * (x->k1[F_CHARS] + 1.0);
        if (need == 0 || need >= k->n || c + 1 == nc)
            continue;
        for (j = 0; j < k->n; j++)
            if (!out[j])
                tmp[n_in++] = k->h[j].h.score;
        if (n_in > need) {
            double theta = kth_largest(tmp, n_in, need);
            /* the margin: sums in another order can differ in the last bit */
            theta -= fabs(theta) * 1e-9;
            for (j = 0; j < k->n; j++)
                if (!out[j] && k->h[j].h.score + rest * k->h[j].f < theta)
                    out[j] = true;
        }
    }
    hks_mem_free(x->s->a, out, 0);
    hks_mem_free(x->s->a, tmp, 0);
    return rc;
}

static void close_segeval(evalctx *x, segeval *se)
{
    uint32_t i;
    if (se->el)
        for (i = 0; i < x->qy->n_elem; i++)
            ti_close(&se->el[i]);
    if (se->alt)
        for (i = 0; i < x->qy->n_elem; i++)
            ti_close(&se->alt[i]);
    if (se->sc)
        for (i = 0; i < x->n_st; i++)
            ti_close(&se->sc[i]);
    hks_mem_free(x->s->a, se->el, 0);
    hks_mem_free(x->s->a, se->alt, 0);
    hks_mem_free(x->s->a, se->nd_doc, 0);
    hks_mem_free(x->s->a, se->sc, 0);
    hks_mem_free(x->s->a, se->sc_open, 0);
    hks_mem_free(x->s->a, se->ph_doc, 0);
    memset(se, 0, sizeof *se);
}

static int open_scoring(evalctx *x, segeval *se)
{
    uint32_t i;
    for (i = 0; i < x->n_st; i++) {
        if (x->st[i].w == 0 || x->st[i].field != F_TERMS) {
            se->sc[i].doc = HKS_END;
            continue;
        }
        HKS_TRY(ti_open(&se->sc[i], x->s->a, se->seg, x->s->lc, x->st[i].term, x->st[i].len,
                        x->st[i].is_prefix, false, x->s->boiler, &x->s->err));
    }
    return HKS_OK;
}

static int eval_segment(evalctx *x, uint32_t g, bool strict, bool natural)
{
    hks_index *idx = x->s->idx;
    segeval se;
    uint32_t i;
    int rc = HKS_OK;
    memset(&se, 0, sizeof se);
    se.seg = idx->seg[g];
    se.base = idx->base[g];
    se.el = hks_mem_calloc(x->s->a, x->qy->n_elem + 1, sizeof *se.el);
    se.alt = hks_mem_calloc(x->s->a, x->qy->n_elem + 1, sizeof *se.alt);
    se.sc = hks_mem_calloc(x->s->a, x->n_st + 1, sizeof *se.sc);
    se.sc_open = hks_mem_calloc(x->s->a, x->n_st + 1, sizeof *se.sc_open);
    if (!se.el || !se.alt || !se.sc || !se.sc_open) {
        close_segeval(x, &se);
        return hks_fail(&x->s->err, HKS_ERR_NOMEM, "out of memory");
    }
    if (strict) {
        uint32_t p;
        for (i = 0; i < x->qy->n_elem; i++)
            se.el[i].doc = se.alt[i].doc = HKS_END;
        for (p = 0; p < x->qy->n_phrase && rc == HKS_OK; p++) {
            const hks_qphrase *ph = &x->qy->phrase[p];
            /* A one-element phrase outside the title matches on documents
             * alone (phrase_next): no positions. */
            bool need_pos = ph->n > 1 || ph->in_title;
            for (i = ph->first; i < ph->first + ph->n && rc == HKS_OK; i++) {
                const hks_qelem *e = &x->qy->elem[i];
                rc = ti_open(&se.el[i], x->s->a, se.seg, x->s->lc, e->term, e->len, e->is_prefix, need_pos,
                             x->s->boiler, &x->s->err);
                if (rc == HKS_OK && e->joint)
                    rc = ti_open(&se.alt[i], x->s->a, se.seg, x->s->lc, e->alt, e->alt_len, false, true,
                                 x->s->boiler, &x->s->err);
                else
                    se.alt[i].doc = HKS_END;
            }
        }
        for (i = 0; i < x->n_st; i++)
            se.sc[i].doc = HKS_END; /* opened on first need by score_doc */
        if (rc == HKS_OK)
            rc = strict_segment(x, &se);
    }
    if (rc == HKS_OK && natural) {
        for (i = 0; i < x->n_st; i++)
            ti_close(&se.sc[i]);
        rc = open_scoring(x, &se);
        if (rc == HKS_OK && x->s->count_partial) {
            rc = count_partial(x, &se);
            for (i = 0; i < x->n_st; i++)
                ti_close(&se.sc[i]);
            if (rc == HKS_OK)
                rc = open_scoring(x, &se);
        }
        if (rc == HKS_OK)
            rc = natural_segment(x, &se);
    }
    close_segeval(x, &se);
    return rc;
}

/* Bytes of the first UTF-8 character of t[0..n) if it is CJK, else 0. */
static size_t first_cjk(const uint8_t *t, size_t n)
{
    uint8_t key[HKS_MAX_TERM_BYTES];
    size_t cb = hks_utf8_len(t[0]);
    if (cb > n || hks_char_key(t, cb, key) == 0)
        return 0;
    return cb;
}

/* The query weight of a Latin word or number in a question (a CJK
 * bigram weighs 1). A word is its own unigram: it has no characters in
 * the character field to add to its term, so alone it weighs about a
 * third of what a CJK word of the question gets from its bigram and its
 * characters together (hbsab, g-6-pd, 0.3 in a medical question).
 * Measured on cmedir's tune half, exhaustive scoring: weight 1 0.8279,
 * 2 0.8295, 2.5 0.8303, 3 0.8302, 4 0.8303, 5 0.8291. With the character
 * field off a word weighs 1, as in plain BM25. */
#define NATURAL_WORD_WEIGHT 3.0

/* Natural-language scoring terms of phrase ph: its bigrams, words and
 * lone characters in the term field, and each CJK character in the
 * character field, function words weighing less (funcwords.c). */
static void natural_sterms(evalctx *x, const hks_qphrase *ph, bool fw)
{
    const uint8_t *ch[HKS_MAX_QUERY_ELEMS + 1];
    uint8_t chl[HKS_MAX_QUERY_ELEMS + 1];
    uint32_t rel[HKS_MAX_QUERY_ELEMS + 1] = {0}, mark[HKS_MAX_QUERY_ELEMS + 1];
    uint32_t first_ch[HKS_MAX_QUERY_ELEMS]; /* per element: its first character, or UINT32_MAX */
    uint32_t n = 0, e, i, start, occ = 0;
    uint8_t key[HKS_MAX_TERM_BYTES];
    /* The characters of the phrase's CJK runs, in order, with their
     * relative positions: each element's first, and the second of a
     * bigram that no element follows. */
    for (e = 0; e < HKS_MAX_QUERY_ELEMS; e++)
        first_ch[e] = UINT32_MAX;
    for (e = 0; e < ph->n && e < HKS_MAX_QUERY_ELEMS; e++) {
        const hks_qelem *q = &x->qy->elem[ph->first + e];
        size_t cb = first_cjk(q->term, q->len);
        first_ch[e] = UINT32_MAX;
        if (!cb || n >= HKS_MAX_QUERY_ELEMS)
            continue;
        if (n && rel[n - 1] == q->rel)
            continue; /* cannot happen: one element a position */
        first_ch[e] = n;
        ch[n] = q->term;
        chl[n] = (uint8_t)cb;
        rel[n++] = q->rel;
        if (q->len > cb && first_cjk(q->term + cb, q->len - cb) == q->len - cb &&
            !(e + 1 < ph->n && x->qy->elem[ph->first + e + 1].rel == q->rel + 1)) {
            ch[n] = q->term + cb;
            chl[n] = (uint8_t)(q->len - cb);
            rel[n++] = q->rel + 1;
        }
    }
    /* Function words, run by run (a run: consecutive positions). */
    for (i = 0; i < n; i++)
        mark[i] = 0;
    for (start = 0; fw && start < n;) {
        uint32_t end = start + 1, k, top = occ;
        while (end < n && rel[end] == rel[end - 1] + 1)
            end++;
        hks_funcwords_mark(ch + start, chl + start, end - start, mark + start);
        for (k = start; k < end; k++)
            if (mark[k]) {
                mark[k] += occ;
                if (mark[k] > top)
                    top = mark[k];
            }
        occ = top;
        start = end;
    }
    for (e = 0; e < ph->n && e < HKS_MAX_QUERY_ELEMS; e++) {
        const hks_qelem *q = &x->qy->elem[ph->first + e];
        double w = 1.0;
        uint32_t c = first_ch[e];
        if (q->run_end)
            continue; /* a position check, not a term */
        if (c == UINT32_MAX) {
            /* a Latin word or a number: with no character field to make
             * up for, plain BM25 (its weight 1) */
            w = x->s->char_w > 0 ? NATURAL_WORD_WEIGHT : 1.0;
        } else {
            bool bigram = q->len > chl[c];
            bool next = bigram && c + 1 < n && rel[c + 1] == rel[c] + 1;
            if (!bigram)
                w = mark[c] ? 0.3 : 1.0;
            else if (mark[c] && next && mark[c] == mark[c + 1])
                w = 0; /* inside one function word */
            else if (mark[c] || (next && mark[c + 1]))
                w = 0.5; /* touching one */
        }
        add_sterm(x, q->term, q->len, F_TERMS, ph->first + e, false, w);
    }
    for (i = 0; i < n; i++) {
        size_t kl = hks_char_key(ch[i], chl[i], key);
        if (kl)
            add_sterm(x, key, kl, F_CHARS, UINT32_MAX, false, mark[i] ? 0.3 : 1.0);
    }
}

/* Build the scoring terms: the elements of positive clauses. Natural
 * ranking takes a lone character as itself (its run-final unigram), the
 * way bigram BM25 engines rank questions, and adds the character field. */
static void build_sterms(evalctx *x, bool natural)
{
    uint32_t p, e, i;
    bool fw = natural && x->s->function_words;
    for (;;) {
        bool any = false;
        x->n_st = 0;
        for (p = 0; p < x->qy->n_phrase; p++) {
            const hks_qphrase *ph = &x->qy->phrase[p];
            if (ph->negated || (natural && ph->syn_alt))
                continue; /* a question is ranked on its own words */
            if (natural) {
                natural_sterms(x, ph, fw);
                continue;
            }
            for (e = ph->first; e < ph->first + ph->n; e++)
                if (!x->qy->elem[e].run_end) /* a position check, not a term */
                    add_sterm(x, x->qy->elem[e].term, x->qy->elem[e].len, F_TERMS, e,
                              x->qy->elem[e].is_prefix, 1.0);
        }
        for (i = 0; i < x->n_st; i++)
            any |= x->st[i].qw > 0;
        if (any || !fw)
            return;
        fw = false; /* a query of function words only: weigh them all */
    }
}

/* Document frequency of an exact term over all segments (for choosing
 * the terms of a pasted paragraph); 0 when absent or unreadable. */
static uint64_t index_df(void *ctx, const uint8_t *term, size_t len)
{
    hks_searcher *s = ctx;
    uint64_t df = 0;
    uint32_t g;
    for (g = 0; g < s->idx->n_seg; g++) {
        hks_lexent e;
        if (hks_seg_lookup(s->idx->seg[g], term, len, &e, &s->err) == HKS_OK)
            df += e.df;
    }
    hks_err_clear(&s->err);
    return df;
}

int hks_searcher_parse(hks_searcher *s, const char *q, size_t n)
{
    int rc = 0;
    hks_query_opts o;
    if (s->qy_valid && s->qy.literal == s->literal &&
        s->qy.syn_on == (!s->no_synonyms && s->idx->syn) && s->qy_text.n == n &&
        (n == 0 || memcmp(s->qy_text.p, q, n) == 0))
        return HKS_OK;
    s->qy_valid = false;
    o.literal = s->literal;
    o.syn = s->no_synonyms ? NULL : s->idx->syn;
    o.df = index_df;
    o.df_ctx = s;
    HKS_TRY(hks_query_parse_opts(&s->qy, q, n, &o, &s->nt, &s->err));
    /* Remembering the text is only an optimisation: without memory for
     * it the next call parses again. */
    s->qy_text.n = 0;
    hks_buf_put(&rc, &s->qy_text, q, n);
    s->qy_valid = rc == HKS_OK;
    return HKS_OK;
}

const char *hks_searcher_notice(const hks_searcher *s)
{
    if (!s)
        return "";
    return s->notice;
}

/* The ranked candidates of x (strict, then partial) collapsed into the
 * page (collapse.c). HKS_DONE (and *attempt one more) when the page came
 * out short and more candidates exist to fill it. */
static int collapse_hits(hks_searcher *s, evalctx *x, bool natural, size_t offset,
                         hks_hit *hits, size_t hits_cap, size_t *n_out, unsigned *attempt)
{
    size_t n = x->exact.n + (x->partial.h ? x->partial.n : 0), i;
    bool complete, more = false;
    hks_hit *cand = hks_mem_alloc(s->a, (n ? n : 1) * sizeof *cand);
    int rc;
    if (!cand)
        return hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
    for (i = 0; i < x->exact.n; i++)
        cand[i] = x->exact.h[i].h;
    for (i = 0; x->partial.h && i < x->partial.n; i++)
        cand[x->exact.n + i] = x->partial.h[i].h;
    complete = x->timed_out || (x->n_exact <= x->exact.n &&
                                (!natural || x->partial.n < x->partial.cap));
    rc = hks_collapse_page(s, cand, n, complete, x->exact_docs, x->n_exact_docs, offset, hits,
                           hits_cap, n_out, &more);
    hks_mem_free(s->a, cand, 0);
    if (rc == HKS_OK && more && *attempt < 8) {
        ++*attempt;
        return HKS_DONE;
    }
    return rc;
}

/* ---- explain: what the last search scored with (explain.c) ---------------- */

_Static_assert(F_TERMS == HKS_FIELD_TERMS && F_CHARS == HKS_FIELD_CHARS &&
                   N_FIELDS == HKS_XP_FIELDS,
               "explain.c reads the fields by these numbers");

/* Keep the scoring terms of table tab (HKS_XP_*) and the fields' BM25
 * parameters for hks_explain. Never fails the search: without memory the
 * searcher has nothing to explain. */
static void explain_keep_terms(hks_searcher *s, const evalctx *x, int tab)
{
    hks_xterm *t = hks_xp_terms(s, tab, x->n_st);
    uint32_t i;
    int f;
    if (!t)
        return;
    for (i = 0; i < x->n_st; i++) {
        memcpy(t[i].term, x->st[i].term, x->st[i].len);
        t[i].len = x->st[i].len;
        t[i].field = x->st[i].field;
        t[i].is_prefix = x->st[i].is_prefix;
        t[i].qtf = x->st[i].qtf;
        t[i].qw = x->st[i].qw;
        t[i].idf = x->st[i].idf;
        t[i].w = x->st[i].w;
    }
    s->xp->n_t[tab] = x->n_st;
    for (f = 0; f < N_FIELDS; f++) {
        s->xp->k1[f] = x->k1[f];
        s->xp->b[f] = x->b[f];
        s->xp->avgdl[f] = x->avgdl[f];
        s->xp->fieldw[f] = x->fieldw[f];
    }
    s->xp->boiler = s->boiler;
    if (tab == HKS_XP_NATURAL)
        s->xp->cov_e = x->cov_e;
}

/* Keep the hits returned, each with its recency factor. */
static void explain_keep_hits(hks_searcher *s, const hks_hit *hits, size_t n)
{
    hks_xhit *xh = hks_xp_hits(s, n);
    size_t i;
    if (!xh)
        return;
    for (i = 0; i < n; i++) {
        uint32_t g, local;
        hks_docrec rec;
        xh[i].h = hits[i];
        xh[i].recency = 1.0;
        if (hks_index_locate(s->idx, hits[i].doc_id, &g, &local) &&
            hks_seg_docrec(s->idx->seg[g], local, &rec) == HKS_OK)
            xh[i].recency = recency_factor(s, rec.date);
    }
    s->xp->n_hit = n;
    s->xp->valid = true;
}

int hks_search(hks_searcher *s, const char *query, size_t query_len, hks_hit *hits,
               size_t hits_cap, size_t *n_hits, hks_search_info *info)
{
    return hks_search_page(s, query, query_len, 0, hits, hits_cap, n_hits, info);
}

/* The best offset + hits_cap hits are kept (x.exact, x.partial, in the
 * library's memory); the caller's buffer gets those past offset. */
int hks_search_page(hks_searcher *s, const char *query, size_t query_len, size_t offset,
                    hks_hit *hits, size_t hits_cap, size_t *n_hits, hks_search_info *info)
{
    evalctx x;
    hks_index *idx;
    sterm *st;
    uint32_t g;
    size_t n_out = 0, total, rank = 0, want;
    unsigned attempt = 0; /* collapse.c: rankings tried for this page */
    bool natural, by_date;
    int rc = HKS_OK;

    if (n_hits)
        *n_hits = 0;
    if (info) {
        memset(info, 0, sizeof *info);
        info->n_partial = UINT64_MAX;
    }
    if (!s || (!query && query_len) || (!hits && hits_cap) || !n_hits)
        return HKS_ERR_ARG;
    hks_err_clear(&s->err);
    if (hits_cap == 0)
        offset = 0; /* nothing to write: only count */
    if (offset > SIZE_MAX / sizeof(hks_hit) - hits_cap)
        return hks_fail(&s->err, HKS_ERR_ARG, "offset %zu too large", offset);
    total = offset + hits_cap;
    s->notice[0] = '\0';
    idx = s->idx;
    hks_xp_reset(s); /* explain: nothing until this search ends */
    lexcache_begin(s);
    rc = hks_searcher_parse(s, query ? query : "", query_len);
    if (rc)
        return rc;
    if (s->qy.n_dropped)
        (void)snprintf(s->notice, sizeof s->notice,
                       "long query: read as plain text, searched for its %u rarest distinct "
                       "terms of %u (at most %d)",
                       (unsigned)(s->qy.n_terms - s->qy.n_dropped), (unsigned)s->qy.n_terms,
                       HKS_MAX_QUERY_ELEMS);
    else if (s->qy.n_terms)
        (void)snprintf(s->notice, sizeof s->notice,
                       "long query: read as plain text, searched for its %u distinct terms",
                       (unsigned)s->qy.n_terms);
    /* Filters alone browse, newest first; --sort date sorts any query. */
    by_date = s->sort == 1 || s->qy.root == HKS_QN_NONE;
    hks_collapse_clear(s);
again:
    /* With collapsing, more candidates are ranked than shown. */
    want = hks_collapse_want(s, total, attempt);
    n_out = rank = 0;
    memset(&x, 0, sizeof x);
    x.s = s;
    x.qy = &s->qy;
    st = hks_mem_alloc(s->a, MAX_STERMS * sizeof *st);
    if (!st)
        return hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
    x.st = st;
    x.k1[F_TERMS] = s->k1;
    x.b[F_TERMS] = s->b;
    x.avgdl[F_TERMS] = idx->avgdl;
    x.fieldw[F_TERMS] = 1.0;
    x.k1[F_CHARS] = s->char_k1;
    x.b[F_CHARS] = s->char_b;
    x.avgdl[F_CHARS] = idx->avgcl;
    x.fieldw[F_CHARS] = s->char_w;
    if (s->budget_ms > 0)
        x.deadline = now_ms() + s->budget_ms;
    x.exact.cap = want;
    x.exact.by_date = by_date;
    x.exact.h = want ? hks_mem_alloc(s->a, want * sizeof(khit)) : NULL;
    if (want && !x.exact.h) {
        hks_mem_free(s->a, st, 0);
        return hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
    }

    build_sterms(&x, false);
    for (g = 0; rc == HKS_OK && g < idx->n_seg && !x.timed_out; g++)
        rc = eval_segment(&x, g, true, false);
    /* explain reads this table for strict hits only, and they were weighed */
    explain_keep_terms(s, &x, HKS_XP_STRICT);
    /* Natural-language ranking: for long plain queries, and for a plain
     * query with no strict match at all (better partial answers than none);
     * not when sorting by date, which lists the matches only. */
    natural = !by_date && (s->qy.is_natural ||
                           (x.n_exact == 0 && !s->qy.has_operators && s->qy.n_chars > 1));
    if (rc == HKS_OK && natural && !x.timed_out) {
        size_t need = want > x.exact.n ? want - x.exact.n : 0;
        build_sterms(&x, true);
        x.weighed = true;
        rc = weigh_terms(&x);
        x.terms_w = 0;
        for (g = 0; g < x.n_st; g++)
            if (x.st[g].field == F_TERMS)
                x.terms_w += x.st[g].w;
        x.cov_e = coverage_exponent(&x);
        explain_keep_terms(s, &x, HKS_XP_NATURAL);
        x.partial.cap = need;
        /* The candidates are the best RERANK_MIN, or a power of two above
         * that: paging within one such tier sees one ranking. */
        if (s->char_w > 0 && need) {
            size_t k = RERANK_MIN;
            while (k / RERANK_DEPTH < want && k <= SIZE_MAX / 2 / sizeof(khit))
                k *= 2;
            if (k > want)
                x.partial.cap = need + (k - want);
        }
        if (need) {
            x.partial.h = hks_mem_alloc(s->a, x.partial.cap * sizeof(khit));
            if (!x.partial.h)
                rc = hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
        }
        for (g = 0; rc == HKS_OK && g < idx->n_seg && (need || s->count_partial) && !x.timed_out;
             g++)
            rc = eval_segment(&x, g, false, true);
        if (rc == HKS_OK)
            rc = rescore_chars(&x, need);
        if (rc == HKS_OK && x.partial.n && x.partial.h) {
            qsort(x.partial.h, x.partial.n, sizeof(khit), cmp_hits);
            if (x.partial.n > need)
                x.partial.n = need;
        }
    }
    if (rc == HKS_OK) {
        /* qsort's pointer must not be NULL even for 0 elements (C11 7.22.5) */
        if (x.exact.n)
            qsort(x.exact.h, x.exact.n, sizeof(khit), by_date ? cmp_hits_date : cmp_hits);
        if (x.partial.n && x.partial.h)
            qsort(x.partial.h, x.partial.n, sizeof(khit), cmp_hits);
        if (want != total) {
            rc = collapse_hits(s, &x, natural, offset, hits, hits_cap, &n_out, &attempt);
            if (rc == HKS_DONE) { /* a short page: rank more candidates */
                hks_mem_free(s->a, x.exact.h, 0);
                hks_mem_free(s->a, x.partial.h, 0);
                hks_mem_free(s->a, x.exact_docs, 0);
                hks_mem_free(s->a, st, 0);
                goto again;
            }
        } else {
            for (g = 0; g < x.exact.n && n_out < hits_cap; g++)
                if (rank++ >= offset)
                    hits[n_out++] = x.exact.h[g].h;
            for (g = 0; x.partial.h && g < x.partial.n && n_out < hits_cap; g++)
                if (rank++ >= offset)
                    hits[n_out++] = x.partial.h[g].h;
        }
        *n_hits = n_out;
        explain_keep_hits(s, hits, n_out);
        if (info) {
            info->n_exact = x.n_exact;
            info->n_partial = s->count_partial && natural ? x.n_partial
                              : natural                   ? UINT64_MAX
                                                          : 0;
            info->is_natural = natural;
        }
    }
    hks_mem_free(s->a, x.exact.h, 0);
    hks_mem_free(s->a, x.partial.h, 0);
    hks_mem_free(s->a, x.exact_docs, 0);
    hks_mem_free(s->a, st, 0);
    return rc == HKS_OK && x.timed_out ? HKS_PARTIAL : rc;
}

/* ---- documents ------------------------------------------------------------ */

int hks_doc_meta_get(hks_searcher *s, uint32_t doc_id, hks_doc_meta *out)
{
    uint32_t g, local, i;
    const uint8_t *p[HKS_META_N];
    size_t n[HKS_META_N], off[HKS_META_N];
    hks_docrec rec;
    int rc = 0;
    if (!s || !out)
        return HKS_ERR_ARG;
    hks_err_clear(&s->err);
    if (!hks_index_locate(s->idx, doc_id, &g, &local))
        return hks_fail(&s->err, HKS_ERR_NOTFOUND, "no document %u", doc_id);
    HKS_TRY(hks_seg_meta(s->idx->seg[g], local, p, n, &s->err));
    hks_seg_docrec(s->idx->seg[g], local, &rec);
    s->meta.n = 0;
    for (i = 0; i < HKS_META_N; i++) {
        off[i] = s->meta.n;
        hks_buf_put(&rc, &s->meta, p[i], n[i]);
        hks_buf_put_u8(&rc, &s->meta, 0);
    }
    if (rc)
        return hks_fail(&s->err, rc, "out of memory");
#define F(field, k)                                \
    out->field = (const char *)s->meta.p + off[k]; \
    out->field##_len = n[k]
    F(collection, HKS_META_COLLECTION);
    F(id, HKS_META_ID);
    F(title, HKS_META_TITLE);
    F(date, HKS_META_DATE);
    F(source, HKS_META_SOURCE);
    F(url, HKS_META_URL);
    F(author, HKS_META_AUTHOR);
    F(category, HKS_META_CATEGORY);
    F(tags, HKS_META_TAGS);
#undef F
    out->n_tokens = rec.n_tokens;
    return HKS_OK;
}

int hks_doc_body(hks_searcher *s, uint32_t doc_id, char *buf, size_t buf_cap, size_t *len_out)
{
    uint32_t g, local;
    const uint8_t *p;
    size_t n;
    if (!s || !len_out || (!buf && buf_cap))
        return HKS_ERR_ARG;
    hks_err_clear(&s->err);
    *len_out = 0;
    if (!hks_index_locate(s->idx, doc_id, &g, &local))
        return hks_fail(&s->err, HKS_ERR_NOTFOUND, "no document %u", doc_id);
    HKS_TRY(hks_seg_body(s->idx->seg[g], s->dc, local, &p, &n, &s->err));
    *len_out = n;
    if (n > buf_cap)
        return hks_fail(&s->err, HKS_ERR_BUFSIZE, "document %u needs %zu bytes", doc_id,
                        n);
    if (n)
        memcpy(buf, p, n);
    return HKS_OK;
}
