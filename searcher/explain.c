/*
 * explain.c: hks_explain(), how the last search scored one of the hits it
 * returned: for each scoring term its tf at the document, idf, the
 * field's length normalisation (the document's length in the field
 * against the average), the field and query weights and the BM25
 * contribution; then the recency factor and the sum.
 *
 * searcher.c keeps, at the end of each search, the scoring terms it
 * ranked with (the strict table, and a question's natural one), the
 * fields' parameters and the hits with their recency factors (its
 * "explain" block). Here each term's tf is counted again at the document
 * through the segment API, as the search counted it:
 *   - an exact term: its postings;
 *   - a prefix (covid*, a lone CJK character): the sum over every term
 *     starting with it; a lone character is its character-field key,
 *     which counts the same occurrences in one list;
 *   - with HKS_S_BOILERPLATE, a bigram's or word's boilerplate key too.
 * A strict hit is summed over the strict table; a partial one over the
 * natural table: its bigrams and words times the coverage factor (the
 * share of the table's bigram and word weight the document holds, raised
 * to the exponent the search used) and the recency factor, then each
 * character's contribution times both (the order the search adds them in,
 * so the sums agree to the last bits).
 */
#include <math.h>
#include <string.h>

#include "hks_searcher.h"

/* ---- what searcher.c keeps ------------------------------------------------ */

static hks_xstate *xp_get(hks_searcher *s)
{
    if (!s->xp) {
        s->xp = hks_mem_calloc(s->a, 1, sizeof *s->xp);
        if (s->xp)
            hks_buf_init(&s->xp->text, s->a);
    }
    return s->xp;
}

void hks_xp_reset(hks_searcher *s)
{
    int t;
    if (!s->xp)
        return;
    s->xp->valid = false;
    s->xp->lost = false;
    s->xp->kept = false;
    for (t = 0; t < HKS_XP_N; t++)
        s->xp->n_t[t] = 0;
    s->xp->n_hit = 0;
}

hks_xterm *hks_xp_terms(hks_searcher *s, int tab, uint32_t n)
{
    hks_xstate *xp = xp_get(s);
    size_t need = n ? n : 1;
    if (!xp || tab < 0 || tab >= HKS_XP_N)
        return NULL;
    xp->n_t[tab] = 0;
    if (need > xp->cap_t[tab]) {
        hks_xterm *p = hks_grow(s->a, xp->t[tab], sizeof *p, xp->cap_t[tab], need, 16, SIZE_MAX,
                                &xp->cap_t[tab]);
        if (!p) {
            xp->lost = true; /* hks_xp_hits then refuses */
            return NULL;
        }
        xp->t[tab] = p;
    }
    if (tab == HKS_XP_STRICT)
        xp->kept = true;
    return xp->t[tab];
}

hks_xhit *hks_xp_hits(hks_searcher *s, size_t n)
{
    hks_xstate *xp = xp_get(s);
    size_t need = n ? n : 1;
    if (!xp || xp->lost || !xp->kept)
        return NULL; /* a table was lost to memory: nothing to explain */
    xp->n_hit = 0;
    if (need > xp->cap_hit) {
        hks_xhit *p = hks_grow(s->a, xp->hit, sizeof *p, xp->cap_hit, need, 16, SIZE_MAX,
                               &xp->cap_hit);
        if (!p)
            return NULL;
        xp->hit = p;
    }
    return xp->hit;
}

void hks_xp_free(hks_searcher *s)
{
    int t;
    if (!s->xp)
        return;
    for (t = 0; t < HKS_XP_N; t++)
        hks_mem_free(s->a, s->xp->t[t], 0);
    hks_mem_free(s->a, s->xp->hit, 0);
    hks_buf_free(&s->xp->text);
    hks_mem_free(s->a, s->xp, sizeof *s->xp);
    s->xp = NULL;
}

/* ---- counting a term at a document ----------------------------------------- */

typedef struct tfctx {
    const hks_alloc *a;
    const hks_segment *seg;
    hks_errbuf *err;
    uint32_t doc; /* local doc id                                 */
    uint32_t tf;
} tfctx;

/* Add the tf of one lexicon entry at the document. */
static int on_entry(void *ctx, const uint8_t *term, size_t len, const hks_lexent *e)
{
    tfctx *c = ctx;
    hks_pcur pc;
    int rc;
    (void)term;
    (void)len;
    rc = hks_pc_open(&pc, c->a, c->seg, e, c->err);
    if (rc == HKS_OK)
        rc = hks_pc_advance(&pc, c->doc);
    if (rc == HKS_OK && pc.doc == c->doc)
        c->tf += pc.tf;
    hks_pc_close(&pc);
    return rc;
}

/* The tf of term[0..len) (every term it begins, if is_prefix) at c->doc. */
static int count_term(tfctx *c, const uint8_t *term, size_t len, bool is_prefix)
{
    hks_lexent e;
    int rc;
    if (is_prefix)
        return hks_seg_prefix(c->seg, term, len, on_entry, c, c->err);
    rc = hks_seg_lookup(c->seg, term, len, &e, c->err);
    if (rc == HKS_ERR_NOTFOUND) {
        hks_err_clear(c->err);
        return HKS_OK;
    }
    return rc ? rc : on_entry(c, term, len, &e);
}

/* The tf of scoring term t at the document, counted as the search counts
 * it. */
static int term_tf(tfctx *c, const hks_xterm *t, bool boiler, uint32_t *tf)
{
    uint8_t key[HKS_MAX_TERM_BYTES];
    size_t klen;
    bool with_bp = boiler && t->field == HKS_FIELD_TERMS;
    c->tf = 0;
    if (t->is_prefix && !with_bp && (klen = hks_char_key(t->term, t->len, key)) != 0) {
        HKS_TRY(count_term(c, key, klen, false)); /* a lone character */
    } else {
        HKS_TRY(count_term(c, t->term, t->len, t->is_prefix));
        if (with_bp) {
            klen = hks_boiler_key(t->term, t->len, key);
            HKS_TRY(count_term(c, key, klen, t->is_prefix));
        }
    }
    *tf = c->tf;
    return HKS_OK;
}

/* ---- the terms as the article writes them ---------------------------------- */

/* Per term, in showctx.at: the source bytes of its first occurrence. */
enum { AT_START = 0, /* offset in the text it was found in; NOT_WANTED:
                        a term the document lacks (tf 0)         */
       AT_LEN,       /* its length; 0: not found yet             */
       AT_BODY,      /* 1: found in the body, 0: in the title    */
       AT_TERM,      /* offset of its strings in xp->text        */
       AT_N };

#define NOT_WANTED SIZE_MAX
/* The callback's "every term found": stops the tokenizer. */
#define ALL_FOUND (-1000)

typedef struct showctx {
    const hks_xterm *t;
    uint32_t n;
    const uint8_t *src; /* the text being tokenized                  */
    bool in_body;       /* it is the body (else the title)           */
    size_t *at;         /* AT_N per term                              */
    uint32_t left;      /* terms not yet found                       */
} showctx;

/* The normalized bytes of a term as a reader knows it: a character-field
 * key without its marker byte. */
static void term_text(const hks_xterm *t, const uint8_t **p, size_t *n)
{
    *p = t->term;
    *n = t->len;
    if (hks_is_char_key(t->term, t->len)) {
        (*p)++;
        (*n)--;
    }
}

static int on_show_token(void *ctx, const hks_token *tok)
{
    showctx *c = ctx;
    uint32_t i;
    for (i = 0; i < c->n && c->left; i++) {
        size_t *at = c->at + (size_t)AT_N * i, n;
        const uint8_t *p;
        bool one_char; /* stands for one character of a token */
        if (at[AT_LEN] || at[AT_START] == NOT_WANTED)
            continue;
        term_text(&c->t[i], &p, &n);
        one_char = hks_is_char_key(c->t[i].term, c->t[i].len) ||
                   (c->t[i].is_prefix && p[0] >= 0x80);
        if (n == 0 || tok->term_len < n || memcmp(tok->term, p, n) != 0)
            continue;
        if (!one_char && !c->t[i].is_prefix && tok->term_len != n)
            continue;
        if (tok->src_end <= tok->src_start)
            continue;
        at[AT_START] = tok->src_start;
        at[AT_LEN] = tok->src_end - tok->src_start;
        if (one_char) { /* the first character of the token's source */
            size_t cb = hks_utf8_len(c->src[tok->src_start]);
            if (cb < at[AT_LEN])
                at[AT_LEN] = cb;
        }
        at[AT_BODY] = c->in_body;
        c->left--;
    }
    return c->left ? HKS_OK : ALL_FOUND;
}

/* Find the terms not found yet in text[0..len). */
static int find_shown(hks_searcher *s, showctx *c, const uint8_t *text, size_t len,
                      bool in_body)
{
    int rc;
    if (!c->left || len == 0)
        return HKS_OK;
    rc = hks_norm_text(&s->nt, (const char *)text, len);
    if (rc)
        return rc == HKS_ERR_NOMEM ? rc : HKS_OK; /* too long: shown normalized */
    c->src = text;
    c->in_body = in_body;
    rc = hks_tokenize(&s->nt, 0, on_show_token, c, NULL);
    return rc == ALL_FOUND ? HKS_OK : rc;
}

/* Fill the strings of terms[0..m) (the scoring terms t[0..m), at document
 * local of seg, their tfs filled in): each term normalized, and its first
 * occurrence in the title, else in the body, as written (the normalized
 * term when the document lacks it); they live in s->xp->text. */
static int explain_strings(hks_searcher *s, const hks_segment *seg, uint32_t local,
                           const hks_xterm *t, hks_explain_term *terms, size_t m)
{
    hks_xstate *xp = s->xp;
    const uint8_t *mp[HKS_META_N], *body = NULL;
    size_t mn[HKS_META_N], bn = 0, i;
    size_t *at = hks_mem_calloc(s->a, (size_t)AT_N * m, sizeof *at);
    showctx sc;
    int rc, brc = 0;
    if (!at)
        return hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
    sc.t = t;
    sc.n = (uint32_t)m;
    sc.at = at;
    sc.left = 0;
    for (i = 0; i < m; i++) {
        if (terms[i].tf)
            sc.left++;
        else
            at[(size_t)AT_N * i + AT_START] = NOT_WANTED; /* not in the document */
    }
    sc.src = NULL;
    sc.in_body = false;
    rc = hks_seg_meta(seg, local, mp, mn, &s->err);
    if (rc == HKS_OK)
        rc = find_shown(s, &sc, mp[HKS_META_TITLE], mn[HKS_META_TITLE], false);
    if (rc == HKS_OK && sc.left) {
        rc = hks_seg_body(seg, s->dc, local, &body, &bn, &s->err);
        if (rc == HKS_OK)
            rc = find_shown(s, &sc, body, bn, true);
    }
    if (rc == HKS_ERR_NOMEM)
        rc = hks_fail(&s->err, rc, "out of memory");
    /* Copy term, then its occurrence, into the buffer; point into it once
     * it has stopped growing. */
    xp->text.n = 0;
    for (i = 0; rc == HKS_OK && i < m; i++) {
        size_t *a = at + (size_t)AT_N * i, pn;
        const uint8_t *p;
        term_text(&t[i], &p, &pn);
        a[AT_TERM] = xp->text.n;
        terms[i].term_len = pn;
        hks_buf_put(&brc, &xp->text, p, pn);
        terms[i].shown_len = a[AT_LEN] ? a[AT_LEN] : pn;
        if (a[AT_LEN])
            hks_buf_put(&brc, &xp->text, (a[AT_BODY] ? body : mp[HKS_META_TITLE]) + a[AT_START],
                        a[AT_LEN]);
        else
            hks_buf_put(&brc, &xp->text, p, pn);
    }
    if (rc == HKS_OK && brc)
        rc = hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
    for (i = 0; i < m; i++) {
        size_t off = at[(size_t)AT_N * i + AT_TERM];
        if (rc) {
            terms[i].term = terms[i].shown = "";
            terms[i].term_len = terms[i].shown_len = 0;
            continue;
        }
        terms[i].term = (const char *)xp->text.p + off;
        terms[i].shown = terms[i].term + terms[i].term_len;
    }
    hks_mem_free(s->a, at, 0);
    return rc;
}

/* ---- hks_explain ------------------------------------------------------------ */

static double bm25(const hks_xstate *xp, int f, double w, uint32_t tf, uint32_t dl)
{
    double t = (double)tf, k1 = xp->k1[f], b = xp->b[f];
    return w * t * (k1 + 1.0) / (t + k1 * (1.0 - b + b * (double)dl / xp->avgdl[f]));
}

int hks_explain(hks_searcher *s, uint32_t doc_id, hks_explanation *out, hks_explain_term *terms,
                size_t terms_cap)
{
    hks_xstate *xp;
    const hks_xhit *xh = NULL;
    const hks_xterm *t;
    const hks_segment *seg;
    const uint32_t *lens[HKS_XP_FIELDS];
    uint32_t g, local, n, i;
    size_t k;
    double terms_sum = 0, sum = 0, held = 0, all_w = 0, cf = 1.0;
    double cv[2 * HKS_MAX_QUERY_ELEMS + 2]; /* per term: a character's part */
    tfctx c;
    int tab;
    if (!s || !out || (!terms && terms_cap))
        return HKS_ERR_ARG;
    memset(out, 0, sizeof *out);
    hks_err_clear(&s->err);
    xp = s->xp;
    if (!xp || !xp->valid)
        return hks_fail(&s->err, HKS_ERR_NOTFOUND,
                        "no search to explain: hks_explain explains a hit of the last search");
    for (k = 0; k < xp->n_hit && !xh; k++)
        if (xp->hit[k].h.doc_id == doc_id)
            xh = &xp->hit[k];
    if (!xh)
        return hks_fail(&s->err, HKS_ERR_NOTFOUND,
                        "document %u is not a hit of the last search (it returned %zu hits)",
                        doc_id, xp->n_hit);
    if (!hks_index_locate(s->idx, doc_id, &g, &local))
        return hks_fail(&s->err, HKS_ERR_NOTFOUND, "no document %u", doc_id);
    seg = s->idx->seg[g];
    lens[HKS_FIELD_TERMS] = hks_seg_doclens(seg);
    lens[HKS_FIELD_CHARS] = hks_seg_charlens(seg);
    out->exact = (xh->h.flags & HKS_HIT_EXACT) != 0;
    out->hit_score = xh->h.score;
    out->recency = xh->recency;
    out->n_similar = xh->h.n_similar;
    out->proximity = 0;
    tab = out->exact ? HKS_XP_STRICT : HKS_XP_NATURAL;
    t = xp->t[tab];
    n = xp->n_t[tab];
    out->n_terms = n;
    c.a = s->a;
    c.seg = seg;
    c.err = &s->err;
    c.doc = local;
    for (i = 0; i < n; i++) {
        double v = 0;
        uint32_t tf = 0;
        int f = t[i].field;
        HKS_TRY(term_tf(&c, &t[i], xp->boiler, &tf));
        if (tf && t[i].w != 0)
            v = bm25(xp, f, t[i].w, tf, lens[f][local]);
        sum += v;
        if (i < sizeof cv / sizeof cv[0])
            cv[i] = f == HKS_FIELD_CHARS ? v : 0;
        if (f == HKS_FIELD_TERMS) {
            terms_sum += v;
            all_w += t[i].w;
            if (v > 0)
                held += t[i].w;
        }
        if (i < terms_cap) {
            hks_explain_term *e = &terms[i];
            memset(e, 0, sizeof *e);
            e->field = f;
            e->is_prefix = t[i].is_prefix;
            e->qtf = t[i].qtf;
            e->qw = t[i].qw;
            e->idf = t[i].idf;
            e->field_weight = xp->fieldw[f];
            e->k1 = xp->k1[f];
            e->b = xp->b[f];
            e->tf = tf;
            e->field_len = lens[f][local];
            e->avg_len = xp->avgdl[f];
            e->score = v;
        }
    }
    out->sum = sum;
    if (!out->exact && xp->cov_e > 0 && all_w > 0 && held < all_w)
        cf = hks_coverage_pow(held / all_w, xp->cov_e);
    out->coverage = cf;
    out->score = terms_sum * cf * xh->recency;
    for (i = 0; i < n && i < sizeof cv / sizeof cv[0]; i++) /* characters, one by one */
        if (cv[i] != 0)
            out->score += cv[i] * cf * xh->recency;
    if (n && terms_cap)
        HKS_TRY(explain_strings(s, seg, local, t, terms, n < terms_cap ? n : terms_cap));
    if (terms_cap < n)
        return hks_fail(&s->err, HKS_ERR_BUFSIZE, "%u terms to explain, room for %zu", n,
                        terms_cap);
    return HKS_OK;
}
