/*
 * snippet.c: hks_snippet(), a short extract of a document's body around
 * the matches of a query, cut from the article as written (a traditional
 * article shows traditional text; the normalizer's offset map leads back
 * from folded characters to their source bytes), with the matches as
 * byte spans of the extract.
 *
 * The body is normalized and tokenized again with the index's own
 * pipeline; a phrase of the query is highlighted where all its elements
 * occur at their relative positions. When no whole phrase occurs (a
 * natural-language query), each matching bigram or word is highlighted.
 * The window is the one that holds the most highlights; runs of
 * whitespace become one space, and "…" marks a cut. Boilerplate lines (the
 * byte ranges the segment recorded when the article was indexed) are
 * neither matched nor shown, unless the searcher matches boilerplate.
 */
#include <string.h>

#include "hks_searcher.h"

/* Characters of context kept before the first highlight of the window. */
#define LEAD_CHARS 12

typedef struct stok {
    uint32_t pos;
    uint32_t first_cp, last_cp; /* normalized code point range (inclusive) */
    uint8_t term[HKS_MAX_TERM_BYTES];
    uint8_t len;
} stok;

typedef struct sctx {
    const hks_alloc *a;
    stok *t;
    size_t n, cap;
    const hks_ntext *nt;
    size_t cp_at;        /* scan position in nt for source -> cp      */
    const hks_query *qy; /* only tokens matching one of its elements  */
    const uint32_t *bp;  /* boilerplate byte ranges: pairs start, end  */
    size_t n_bp, bp_at;  /* their number; the scan's place in them     */
} sctx;

static bool elem_matches(const hks_qelem *e, const stok *t);

/* Last code point of t that element e covers: a lone CJK character as a
 * prefix covers its own character only, a word prefix (covid*) the word. */
static uint32_t elem_end(const hks_qelem *e, const stok *t)
{
    return e->is_prefix && e->term[0] >= 0x80 ? t->first_cp : t->last_cp;
}

static bool alt_matches(const hks_qelem *e, const stok *t)
{
    return e->joint && t->len == e->alt_len && memcmp(t->term, e->alt, e->alt_len) == 0;
}

/* Does tok match an element (or a joint's bigram) of a phrase that is not
 * excluded? find_spans looks at no other token, so the others are not
 * kept: a snippet of a 100 MB article then needs memory for its matches
 * only. */
static bool wanted(const hks_query *qy, const hks_token *tok)
{
    stok t;
    uint32_t p, e;
    t.len = (uint8_t)tok->term_len;
    memcpy(t.term, tok->term, tok->term_len);
    for (p = 0; p < qy->n_phrase; p++) {
        if (qy->phrase[p].negated)
            continue;
        for (e = qy->phrase[p].first; e < qy->phrase[p].first + qy->phrase[p].n; e++)
            if (elem_matches(&qy->elem[e], &t) || alt_matches(&qy->elem[e], &t))
                return true;
    }
    return false;
}

static int on_stok(void *ctx, const hks_token *tok)
{
    sctx *x = ctx;
    stok *t;
    if (hks_in_boiler(x->bp, x->n_bp, &x->bp_at, tok->src_start) || !wanted(x->qy, tok))
        return HKS_OK;
    if (x->n == x->cap) {
        stok *p = hks_grow(x->a, x->t, sizeof *p, x->cap, x->n + 1, 1024, SIZE_MAX, &x->cap);
        if (!p)
            return HKS_ERR_NOMEM;
        x->t = p;
    }
    t = &x->t[x->n++];
    t->pos = tok->pos;
    memcpy(t->term, tok->term, tok->term_len);
    t->len = (uint8_t)tok->term_len;
    /* Tokens come in source order: find their code points by a forward scan. */
    while (x->cp_at < x->nt->n && x->nt->src_end[x->cp_at] <= tok->src_start)
        x->cp_at++;
    t->first_cp = (uint32_t)x->cp_at;
    t->last_cp = t->first_cp;
    while (t->last_cp + 1 < x->nt->n && x->nt->src_end[t->last_cp] < tok->src_end)
        t->last_cp++;
    return HKS_OK;
}

static bool elem_matches(const hks_qelem *e, const stok *t)
{
    if (e->is_prefix)
        return t->len >= e->len && memcmp(t->term, e->term, e->len) == 0;
    return t->len == e->len && memcmp(t->term, e->term, e->len) == 0;
}

/* Token with position pos, or NULL (tokens are sorted by position). */
static const stok *at_pos(const sctx *x, uint32_t pos)
{
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->t[mid].pos < pos)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->n && x->t[lo].pos == pos ? &x->t[lo] : NULL;
}

typedef struct cspan {
    uint32_t a, b; /* code point range, inclusive */
} cspan;

static int add_span(const hks_alloc *a, cspan **v, size_t *n, size_t *cap, uint32_t s,
                    uint32_t e)
{
    if (*n == *cap) {
        cspan *p = hks_grow(a, *v, sizeof *p, *cap, *n + 1, 64, SIZE_MAX, cap);
        if (!p)
            return HKS_ERR_NOMEM;
        *v = p;
    }
    (*v)[*n].a = s;
    (*v)[*n].b = e;
    (*n)++;
    return HKS_OK;
}

/* Is phrase ph at token t (its first element, or the first joint's
 * bigram when pass is 1)? *end_cp gets the last code point it covers. A
 * joint is its unigram or its bigram, as in searcher.c. */
static bool phrase_at(const hks_query *qy, const sctx *x, const hks_qphrase *ph, const stok *t,
                      uint32_t pass, uint32_t *end_cp)
{
    const hks_qelem *el = &qy->elem[ph->first];
    uint32_t e, shift = pass;
    if (pass ? !alt_matches(&el[0], t) : !elem_matches(&el[0], t))
        return false;
    *end_cp = elem_end(&el[0], t);
    for (e = 1; e < ph->n; e++) {
        const stok *u = at_pos(x, t->pos + el[e].rel - shift);
        if (!u)
            return false;
        if (elem_matches(&el[e], u)) {
            *end_cp = elem_end(&el[e], u);
        } else if (alt_matches(&el[e], u)) {
            *end_cp = u->last_cp;
            shift++;
        } else {
            return false;
        }
    }
    return true;
}

/* Collect highlight spans: whole phrases, else single elements. */
static int find_spans(const hks_query *qy, const sctx *x, bool whole, cspan **v, size_t *n,
                      size_t *cap)
{
    size_t i;
    uint32_t p, e, pass, end_cp;
    for (i = 0; i < x->n; i++) {
        const stok *t = &x->t[i];
        for (p = 0; p < qy->n_phrase; p++) {
            const hks_qphrase *ph = &qy->phrase[p];
            if (ph->negated)
                continue;
            if (!whole) {
                for (e = ph->first; e < ph->first + ph->n; e++)
                    if (!qy->elem[e].run_end && elem_matches(&qy->elem[e], t))
                        HKS_TRY(add_span(x->a, v, n, cap, t->first_cp, elem_end(&qy->elem[e], t)));
                continue;
            }
            for (pass = 0; pass < (qy->elem[ph->first].joint ? 2u : 1u); pass++)
                if (phrase_at(qy, x, ph, t, pass, &end_cp)) {
                    HKS_TRY(add_span(x->a, v, n, cap, t->first_cp, end_cp));
                    break;
                }
        }
    }
    return HKS_OK;
}

static bool is_space_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xA0;
}

/* Does byte offset off of text start a line, blanks (space, tab, U+3000)
 * aside? */
static bool line_start_at(const uint8_t *text, uint32_t off)
{
    for (;;) {
        if (off > 0 && (text[off - 1] == ' ' || text[off - 1] == '\t'))
            off--;
        else if (off >= 3 && text[off - 3] == 0xE3 && text[off - 2] == 0x80 &&
                 text[off - 1] == 0x80)
            off -= 3;
        else
            break;
    }
    return off == 0 || text[off - 1] == '\n' || text[off - 1] == '\r';
}

/* The end of a Markdown heading marker at code point k of the normalized
 * text t: "#"s at the start of a source line, then a blank; k when there
 * is none there. */
static uint32_t heading_marker_end(const hks_ntext *t, const uint8_t *text, uint32_t k,
                                   uint32_t n)
{
    uint32_t j = k;
    if (t->cp[k] != '#' || !line_start_at(text, t->src_start[k]))
        return k;
    while (j < n && t->cp[j] == '#')
        j++;
    return j < n && (t->cp[j] == ' ' || t->cp[j] == '\t' || t->cp[j] == 0x3000) ? j : k;
}

typedef struct out {
    char *buf;
    size_t cap, n;
} out;

static void emit(out *o, const void *p, size_t k)
{
    if (o->n + k <= o->cap && k)
        memcpy(o->buf + o->n, p, k);
    o->n += k;
}

/*
 * Write the snippet (see hks.h). The query is parsed again here so that
 * the call stands alone.
 */
int hks_snippet(hks_searcher *s, uint32_t doc_id, const char *query, size_t query_len,
                size_t max_chars, char *buf, size_t buf_cap, size_t *len_out, hks_span *spans,
                size_t spans_cap, size_t *n_spans)
{
    uint32_t g, local;
    const uint8_t *body;
    size_t body_n, n_sp = 0, cap_sp = 0, i, best = 0, best_count = 0, n_cut_spans = 0;
    cspan *sp = NULL;
    sctx x;
    out o;
    uint32_t win_a = 0, win_b, lead;
    uint32_t *bp = NULL;
    size_t bp_cap = 0, n_bp = 0, bp_at = 0;
    int rc;

    if (!s || !len_out || (!buf && buf_cap) || (!query && query_len))
        return HKS_ERR_ARG;
    hks_err_clear(&s->err);
    *len_out = 0;
    if (n_spans)
        *n_spans = 0;
    if (max_chars == 0)
        max_chars = 1;
    if (!hks_index_locate(s->idx, doc_id, &g, &local))
        return hks_fail(&s->err, HKS_ERR_NOTFOUND, "no document %u", doc_id);
    HKS_TRY(hks_searcher_parse(s, query ? query : "", query_len));
    HKS_TRY(hks_seg_body(s->idx->seg[g], s->dc, local, &body, &body_n, &s->err));

    memset(&x, 0, sizeof x);
    x.a = s->a;
    x.nt = &s->nt;
    x.qy = &s->qy;
    rc = s->boiler ? HKS_OK : hks_seg_boiler_ranges(s->idx->seg[g], local, s->a, &bp, &bp_cap, &n_bp);
    x.bp = bp;
    x.n_bp = n_bp;
    if (rc == HKS_OK)
        rc = hks_norm_text(&s->nt, (const char *)body, body_n);
    if (rc == HKS_OK)
        rc = hks_tokenize(&s->nt, 0, on_stok, &x, NULL);
    if (rc == HKS_OK)
        rc = find_spans(&s->qy, &x, true, &sp, &n_sp, &cap_sp);
    if (rc == HKS_OK && n_sp == 0)
        rc = find_spans(&s->qy, &x, false, &sp, &n_sp, &cap_sp);
    hks_mem_free(s->a, x.t, 0);
    if (rc) {
        hks_mem_free(s->a, sp, 0);
        hks_mem_free(s->a, bp, 0);
        return hks_fail(&s->err, rc, "%s", hks_strerror(rc));
    }
    /* Spans come sorted by start; drop those inside or overlapping the
     * previous one (merge overlaps into one highlight). */
    if (n_sp) {
        size_t k = 0;
        for (i = 1; i < n_sp; i++) {
            if (sp[i].a <= sp[k].b + 1 && sp[i].a >= sp[k].a) {
                if (sp[i].b > sp[k].b)
                    sp[k].b = sp[i].b;
            } else {
                sp[++k] = sp[i];
            }
        }
        n_sp = k + 1;
    }
    /* The window [start, start + max_chars) holding the most spans. The
     * context before the first is a quarter of a short window at most, so
     * a window of a few characters still holds its match. */
    lead = max_chars / 4 < LEAD_CHARS ? (uint32_t)(max_chars / 4) : LEAD_CHARS;
    for (i = 0; i < n_sp; i++) {
        size_t j = i, count = 0;
        uint32_t start = sp[i].a > lead ? sp[i].a - lead : 0;
        while (j < n_sp && sp[j].b < start + max_chars) {
            count++;
            j++;
        }
        if (count > best_count) {
            best_count = count;
            best = i;
        }
    }
    if (n_sp) {
        win_a = sp[best].a > lead ? sp[best].a - lead : 0;
    } else { /* no match shown: the article's first text that is not boilerplate */
        while (win_a < s->nt.n && hks_in_boiler(bp, n_bp, &bp_at, s->nt.src_start[win_a]))
            win_a++;
        if (win_a == s->nt.n)
            win_a = 0;
    }
    bp_at = 0;
    win_b = (uint32_t)(win_a + max_chars < s->nt.n ? win_a + max_chars : s->nt.n);
    /* A match the window's end would cut: show it whole when that takes a
     * few characters more, else end the window before it, unless it is the
     * match the window was chosen for (a match longer than the window is
     * shown cut). */
    for (i = n_sp ? best : 0; i < n_sp && sp[i].a < win_b; i++) {
        if (sp[i].b >= win_b) {
            if (sp[i].b + 1 - win_b <= max_chars / 4 + 1)
                win_b = sp[i].b + 1 < s->nt.n ? sp[i].b + 1 : (uint32_t)s->nt.n;
            else if (i > best)
                win_b = sp[i].a;
            break;
        }
    }

    /* Emit the window from the source text, spans as byte offsets. */
    o.buf = buf;
    o.cap = buf_cap;
    o.n = 0;
    {
        size_t si = n_sp ? best : 0;
        bool want_space = false, open = false, any = false;
        uint32_t k, skip_to = 0;
        if (win_a > 0)
            emit(&o, "\xe2\x80\xa6", 3); /* U+2026 … */
        for (k = win_a; k < win_b; k++) {
            uint32_t cp = s->nt.cp[k];
            if (k >= skip_to && !open)
                skip_to = heading_marker_end(&s->nt, body, k, win_b);
            /* Runs of whitespace, and a Markdown heading's "#"s (the
             * stored text keeps them; a snippet shows the heading's
             * words): one space, lazily. */
            if (is_space_cp(cp) || k < skip_to ||
                hks_in_boiler(bp, n_bp, &bp_at, s->nt.src_start[k])) {
                want_space = any;
                continue;
            }
            if (want_space)
                emit(&o, " ", 1);
            want_space = false;
            while (si < n_sp && sp[si].b < k)
                si++;
            if (si < n_sp && sp[si].a <= k && !open) {
                if (spans && n_cut_spans < spans_cap)
                    spans[n_cut_spans].start = (uint32_t)o.n;
                open = true;
            }
            /* One source cluster can give several code points: copy its
             * bytes once. */
            if (k == win_a || s->nt.src_start[k] != s->nt.src_start[k - 1])
                emit(&o, body + s->nt.src_start[k], s->nt.src_end[k] - s->nt.src_start[k]);
            any = true;
            if (open && si < n_sp && sp[si].b == k) {
                if (spans && n_cut_spans < spans_cap)
                    spans[n_cut_spans].end = (uint32_t)o.n;
                n_cut_spans++;
                open = false;
            }
        }
        if (open) { /* a span cut by the window's end */
            if (spans && n_cut_spans < spans_cap)
                spans[n_cut_spans].end = (uint32_t)o.n;
            n_cut_spans++;
        }
        if (win_b < s->nt.n)
            emit(&o, "\xe2\x80\xa6", 3);
    }
    hks_mem_free(s->a, sp, 0);
    hks_mem_free(s->a, bp, 0);
    *len_out = o.n + 1;
    if (n_spans)
        *n_spans = n_cut_spans < spans_cap ? n_cut_spans : spans_cap;
    if (o.n + 1 > buf_cap)
        return hks_fail(&s->err, HKS_ERR_BUFSIZE, "needs %zu bytes", o.n + 1);
    buf[o.n] = '\0';
    *len_out = o.n;
    return HKS_OK;
}
