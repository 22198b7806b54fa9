/*
 * query.c: the query language (README.md, "Queries"; grammar summary in
 * hks_searcher.h). The syntax level splits the query on spaces and quotes and
 * recognizes OR, -, title:, source: and date:; every piece of text then
 * goes through the same normalizer and tokenizer as the documents, so a
 * traditional or full-width query finds simplified or half-width text.
 * searcher.c evaluates the result.
 */
#include <stdio.h>
#include <string.h>

#include "hks_searcher.h"

typedef struct build {
    hks_query *qy;
    hks_errbuf *err;
    uint32_t base_pos; /* position of the phrase's first token       */
    bool started;
    bool prev_bigram;  /* previous token was a CJK bigram ...         */
    uint32_t prev_pos; /* ... at this position                        */
    bool end_pending;  /* the last element closes a CJK run           */
    int rc;
} build;

/*
 * A CJK run gives its bigrams and then its last character as a unigram,
 * which the index holds only where a run ends. The phrase's last run needs
 * no such unigram: its last bigram pins the character, and the text may
 * go on (疫苗接种 matches 疫苗接种工作). A run that more of the phrase
 * follows must really end there, or "高血压 糖尿病" would match
 * 高血压和糖尿病 (the separator gap is one position, like a character):
 * its unigram is kept and matched exactly. So every closing unigram is
 * added, made exact when another token follows, and the trailing one is
 * dropped again by add_phrase when a bigram came before it.
 */
static int on_qtoken(void *ctx, const hks_token *t)
{
    build *b = ctx;
    hks_query *qy = b->qy;
    hks_qelem *e;
    bool follows_bigram = b->prev_bigram && b->prev_pos + 1 == t->pos;
    b->prev_bigram = (t->flags & HKS_TOK_CJK) && !(t->flags & HKS_TOK_LAST);
    b->prev_pos = t->pos;
    qy->n_chars++;
    if (b->end_pending) {
        qy->elem[qy->n_elem - 1].is_prefix = false;
        b->end_pending = false;
    }
    if (qy->n_elem == HKS_MAX_QUERY_ELEMS + 1)
        return HKS_ERR_QUERY;
    e = &qy->elem[qy->n_elem++];
    if (!b->started) {
        b->base_pos = t->pos;
        b->started = true;
    }
    memcpy(e->term, t->term, t->term_len);
    e->len = (uint8_t)t->term_len;
    e->is_prefix = (t->flags & HKS_TOK_LAST) != 0;
    e->run_end = (t->flags & HKS_TOK_LAST) && follows_bigram;
    e->rel = t->pos - b->base_pos;
    b->end_pending = (t->flags & HKS_TOK_LAST) != 0;
    return HKS_OK;
}

/* Tokenize one piece of text into a new phrase; returns false (and no
 * phrase) when the text has nothing searchable. */
static int add_phrase(hks_query *qy, hks_ntext *nt, const char *s, size_t n, bool *added,
                      hks_errbuf *err)
{
    build b;
    int rc;
    uint32_t first = qy->n_elem;
    *added = false;
    memset(&b, 0, sizeof b);
    b.qy = qy;
    b.err = err;
    rc = hks_norm_text(nt, s, n);
    if (rc)
        return hks_fail(err, rc, "%s", hks_strerror(rc));
    rc = hks_tokenize(nt, 0, on_qtoken, &b, NULL);
    if (rc == HKS_ERR_QUERY)
        return hks_fail(err, HKS_ERR_QUERY, "too many terms (at most %d)",
                        HKS_MAX_QUERY_ELEMS);
    if (rc)
        return hks_fail(err, rc, "%s", hks_strerror(rc));
    /* The phrase's trailing closing unigram after a bigram adds nothing. */
    if (qy->n_elem > first && qy->elem[qy->n_elem - 1].run_end)
        qy->n_elem--;
    if (qy->n_elem > HKS_MAX_QUERY_ELEMS)
        return hks_fail(err, HKS_ERR_QUERY, "too many terms (at most %d)",
                        HKS_MAX_QUERY_ELEMS);
    if (qy->n_elem == first)
        return HKS_OK;
    if (qy->n_phrase == HKS_MAX_QUERY_ELEMS)
        return hks_fail(err, HKS_ERR_QUERY, "too many terms");
    qy->phrase[qy->n_phrase].first = first;
    qy->phrase[qy->n_phrase].n = qy->n_elem - first;
    qy->n_phrase++;
    *added = true;
    return HKS_OK;
}

int hks_norm_string(hks_ntext *nt, const char *s, size_t n, uint8_t *out, size_t cap,
                    size_t *len_out)
{
    size_t i, len = 0;
    int rc = hks_norm_text(nt, s, n);
    *len_out = 0;
    if (rc)
        return rc;
    for (i = 0; i < nt->n; i++) {
        uint8_t tmp[4];
        uint32_t cp = nt->cp[i];
        size_t k;
        if (hks_cclass_of(cp) == HKS_CC_SEP)
            cp = ' ';
        if (cp == ' ' && (len == 0 || out[len - 1] == ' '))
            continue;
        k = hks_utf8_put(tmp, cp);
        if (len + k > cap)
            break;
        memcpy(out + len, tmp, k);
        len += k;
    }
    while (len && out[len - 1] == ' ')
        len--;
    *len_out = len;
    return HKS_OK;
}

static int parse_date_range(hks_query *qy, const char *s, size_t n, hks_errbuf *err)
{
    const char *dots = NULL;
    size_t i;
    for (i = 0; i + 1 < n; i++)
        if (s[i] == '.' && s[i + 1] == '.') {
            dots = s + i;
            break;
        }
    if (!dots) { /* a single day, month or year */
        if (hks_date_parse_bound(s, n, false, &qy->date_from) || hks_date_parse_bound(s, n, true, &qy->date_to) ||
            n == 0)
            goto bad;
        return HKS_OK;
    }
    if (hks_date_parse_bound(s, (size_t)(dots - s), false, &qy->date_from) ||
        hks_date_parse_bound(dots + 2, n - (size_t)(dots - s) - 2, true, &qy->date_to))
        goto bad;
    if (qy->date_to && qy->date_from > qy->date_to)
        return hks_fail(err, HKS_ERR_QUERY, "date range %.*s ends before it starts",
                        (int)n, s);
    return HKS_OK;
bad:
    return hks_fail(err, HKS_ERR_QUERY,
                    "bad date %.*s (use date:2022, date:2022-01..2022-06 or "
                    "date:2022-01-15..)",
                    (int)(n > 64 ? 64 : n), s);
}

static bool is_space_at(const char *q, size_t n, size_t i, size_t *len)
{
    unsigned char c = (unsigned char)q[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        *len = 1;
        return true;
    }
    /* U+3000 IDEOGRAPHIC SPACE, what a Chinese input method types. */
    if (c == 0xE3 && i + 2 < n && (unsigned char)q[i + 1] == 0x80 &&
        (unsigned char)q[i + 2] == 0x80) {
        *len = 3;
        return true;
    }
    return false;
}

/*
 * Parse q into qy. @return HKS_OK, or HKS_ERR_QUERY with a message saying
 * what is wrong and where (unbalanced quote, bad field, nothing to search,
 * too long or too many terms).
 */
int hks_query_parse(hks_query *qy, const char *q, size_t n, hks_ntext *nt, hks_errbuf *err)
{
    size_t i = 0;
    bool pending_or = false;
    int rc;

    qy->n_elem = qy->n_phrase = qy->n_clause = qy->n_positive = 0;
    qy->date_from = qy->date_to = 0;
    qy->source_len = 0;
    qy->has_operators = qy->is_natural = false;
    qy->n_chars = 0;
    if (!q && n)
        return hks_fail(err, HKS_ERR_ARG, "NULL query");
    if (n > HKS_MAX_QUERY_BYTES)
        return hks_fail(err, HKS_ERR_QUERY, "query too long (%zu bytes; at most %d)", n,
                        HKS_MAX_QUERY_BYTES);
    while (i < n) {
        size_t sp, start, end;
        bool negated = false, quoted = false, in_title = false, added;
        uint32_t nchars0 = qy->n_chars;
        if (is_space_at(q, n, i, &sp)) {
            i += sp;
            continue;
        }
        start = i;
        /* "-term" excludes; a run of dashes ("-----", a rule drawn in
         * a pasted question) is punctuation, not an operator. */
        if (q[i] == '-' && i + 1 < n && !is_space_at(q, n, i + 1, &sp) && q[i + 1] != '-') {
            negated = true;
            start = ++i;
        }
        if (negated && ((i + 7 <= n && memcmp(q + i, "source:", 7) == 0) ||
                        (i + 5 <= n && memcmp(q + i, "date:", 5) == 0)))
            return hks_fail(err, HKS_ERR_QUERY,
                            "a source: or date: filter cannot be excluded (byte %zu)",
                            start - 1);
        if (i + 6 <= n && memcmp(q + i, "title:", 6) == 0) {
            in_title = true;
            start = i += 6;
        } else if (!negated && i + 7 <= n && memcmp(q + i, "source:", 7) == 0) {
            i += 7;
            start = i;
            if (i < n && q[i] == '"') {
                start = ++i;
                while (i < n && q[i] != '"')
                    i++;
                if (i == n)
                    return hks_fail(err, HKS_ERR_QUERY, "unbalanced quote at byte %zu",
                                    start - 1);
                end = i++;
            } else {
                while (i < n && !is_space_at(q, n, i, &sp))
                    i++;
                end = i;
            }
            rc = hks_norm_string(nt, q + start, end - start, qy->source, sizeof qy->source,
                                 &qy->source_len);
            if (rc)
                return hks_fail(err, rc, "%s", hks_strerror(rc));
            qy->has_operators = true;
            if (qy->source_len == 0)
                return hks_fail(err, HKS_ERR_QUERY, "empty source: filter");
            continue;
        } else if (!negated && i + 5 <= n && memcmp(q + i, "date:", 5) == 0) {
            i += 5;
            start = i;
            while (i < n && !is_space_at(q, n, i, &sp))
                i++;
            rc = parse_date_range(qy, q + start, i - start, err);
            if (rc)
                return rc;
            qy->has_operators = true;
            continue;
        }
        if (i < n && q[i] == '"') {
            quoted = true;
            start = ++i;
            while (i < n && q[i] != '"')
                i++;
            if (i == n)
                return hks_fail(err, HKS_ERR_QUERY, "unbalanced quote at byte %zu",
                                start - 1);
            end = i++;
        } else {
            while (i < n && !is_space_at(q, n, i, &sp) && q[i] != '"')
                i++;
            end = i;
        }
        if (!quoted && !negated && !in_title && end - start == 2 && memcmp(q + start, "OR", 2) == 0) {
            if (qy->n_clause == 0 || pending_or)
                return hks_fail(err, HKS_ERR_QUERY, "OR at byte %zu needs a term before it",
                                start);
            pending_or = true;
            qy->has_operators = true;
            continue;
        }
        if (quoted || negated || in_title)
            qy->has_operators = true;
        rc = add_phrase(qy, nt, q + start, end - start, &added, err);
        if (rc)
            return rc;
        if (!added) {
            qy->n_chars = nchars0;
            continue; /* only punctuation: nothing to match */
        }
        if (negated)
            qy->n_chars = nchars0;
        if (pending_or) {
            hks_qclause *c = &qy->clause[qy->n_clause - 1];
            if (c->negated != negated || c->in_title != in_title)
                return hks_fail(err, HKS_ERR_QUERY,
                                "OR joins terms of different kinds near byte %zu", start);
            c->n++;
            pending_or = false;
            continue;
        }
        if (qy->n_clause == HKS_MAX_QUERY_ELEMS)
            return hks_fail(err, HKS_ERR_QUERY, "too many terms");
        qy->clause[qy->n_clause].first = qy->n_phrase - 1;
        qy->clause[qy->n_clause].n = 1;
        qy->clause[qy->n_clause].negated = negated;
        qy->clause[qy->n_clause].in_title = in_title;
        qy->n_clause++;
        if (!negated)
            qy->n_positive++;
    }
    if (pending_or)
        return hks_fail(err, HKS_ERR_QUERY, "OR at the end needs a term after it");
    if (qy->n_positive == 0 && qy->n_clause)
        return hks_fail(err, HKS_ERR_QUERY, "only excluded terms: say what to search for");
    if (qy->n_positive == 0 && (qy->source_len || qy->date_from || qy->date_to))
        return hks_fail(err, HKS_ERR_QUERY,
                        "source: and date: narrow a search: add words to search for");
    if (qy->n_positive == 0)
        return hks_fail(err, HKS_ERR_QUERY,
                        "nothing to search for (no letters, digits or Chinese characters)");
    /* A plain query of five or more characters, or of three or more
     * terms, reads as a question or description rather than a name: it is
     * ranked over its bigrams with OR semantics, strict matches first. */
    qy->is_natural = !qy->has_operators && (qy->n_chars >= 5 || qy->n_positive >= 3);
    return HKS_OK;
}
