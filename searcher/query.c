/*
 * query.c: the query language (README.md, "Queries"; grammar summary in
 * hks_searcher.h). The syntax level is a recursive descent over the query
 * bytes: spaces, quotes, parentheses (ASCII or full-width), OR, AND, NOT,
 * -, a trailing * and the fields; every piece of text then goes through
 * the same normalizer and tokenizer as the documents, so a traditional or
 * full-width query finds simplified or half-width text. searcher.c
 * evaluates the tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hks_searcher.h"

typedef struct build {
    hks_query *qy;
    const char *src;   /* the text being tokenized                    */
    bool quoted;       /* inside "...": a space between runs is a joint */
    uint32_t base_pos; /* position of the phrase's first token       */
    bool started;
    bool prev_bigram;  /* previous token was a CJK bigram ...         */
    uint32_t prev_pos; /* ... at this position                        */
    uint32_t prev_end; /* source end of the previous token            */
    bool end_pending;  /* the last element closes a CJK run           */
} build;

/* Only spaces between a and b of s (ASCII white space or U+3000)? */
static bool only_spaces(const char *s, uint32_t a, uint32_t b)
{
    while (a < b) {
        unsigned char c = (unsigned char)s[a];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
            a++;
        else if (c == 0xE3 && b - a >= 3 && (unsigned char)s[a + 1] == 0x80 &&
                 (unsigned char)s[a + 2] == 0x80)
            a += 3;
        else
            return false;
    }
    return true;
}

/*
 * A CJK run gives its bigrams and then its last character as a unigram,
 * which the index holds only where a run ends. The phrase's last run needs
 * no such unigram: its last bigram pins the character, and the text may
 * go on (疫苗接种 matches 疫苗接种工作). A run that more of the phrase
 * follows must really end there, or "高血压 糖尿病" would match
 * 高血压和糖尿病 (the separator gap is one position, like a character):
 * its unigram is kept and matched exactly. So every closing unigram is
 * added, made exact when another token follows, and the trailing one is
 * dropped again by add_phrase when a bigram came before it. Where only a
 * space of the quotes separates the run from the next CJK run, the text
 * may also run on ("新冠 疫苗" finds 新冠疫苗): the closing unigram becomes
 * a joint whose alternative is the bigram across the space.
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
        hks_qelem *pe = &qy->elem[qy->n_elem - 1];
        size_t k = hks_utf8_len((uint8_t)t->term[0]);
        pe->is_prefix = false;
        b->end_pending = false;
        if (b->quoted && (t->flags & HKS_TOK_CJK) && only_spaces(b->src, b->prev_end, t->src_start) &&
            pe->len + k <= HKS_MAX_TERM_BYTES && k <= t->term_len) {
            pe->joint = true;
            memcpy(pe->alt, pe->term, pe->len);
            memcpy(pe->alt + pe->len, t->term, k);
            pe->alt_len = (uint8_t)(pe->len + k);
        }
    }
    b->prev_end = t->src_end;
    if (qy->n_elem == HKS_MAX_QUERY_ELEMS + 1)
        return HKS_ERR_QUERY;
    e = &qy->elem[qy->n_elem++];
    memset(e, 0, sizeof *e);
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

/* Tokenize one piece of text into a new phrase; *added false (and no
 * phrase) when the text has nothing searchable. *over is set when the
 * query's term limit is passed. */
static int add_phrase(hks_query *qy, hks_ntext *nt, const char *s, size_t n, bool quoted,
                      bool *added, bool *over, hks_errbuf *err)
{
    build b;
    int rc;
    uint32_t first = qy->n_elem;
    *added = false;
    memset(&b, 0, sizeof b);
    b.qy = qy;
    b.src = s;
    b.quoted = quoted;
    rc = hks_norm_text(nt, s, n);
    if (rc)
        return hks_fail(err, rc, "%s", hks_strerror(rc));
    rc = hks_tokenize(nt, 0, on_qtoken, &b, NULL);
    if (rc == HKS_ERR_QUERY || (rc == HKS_OK && qy->n_elem - (qy->n_elem > first && qy->elem[qy->n_elem - 1].run_end) > HKS_MAX_QUERY_ELEMS)) {
        *over = true;
        return hks_fail(err, HKS_ERR_QUERY, "too many terms (at most %d)",
                        HKS_MAX_QUERY_ELEMS);
    }
    if (rc)
        return hks_fail(err, rc, "%s", hks_strerror(rc));
    /* The phrase's trailing closing unigram after a bigram adds nothing. */
    if (qy->n_elem > first && qy->elem[qy->n_elem - 1].run_end)
        qy->n_elem--;
    if (qy->n_elem == first)
        return HKS_OK;
    if (qy->n_phrase == HKS_MAX_QUERY_ELEMS) {
        *over = true;
        return hks_fail(err, HKS_ERR_QUERY, "too many terms (at most %d)",
                        HKS_MAX_QUERY_ELEMS);
    }
    memset(&qy->phrase[qy->n_phrase], 0, sizeof qy->phrase[0]);
    qy->phrase[qy->n_phrase].first = first;
    qy->phrase[qy->n_phrase].n = qy->n_elem - first;
    qy->n_phrase++;
    *added = true;
    return HKS_OK;
}

int hks_norm_string(hks_ntext *nt, const char *s, size_t n, uint8_t *out, size_t cap,
                    size_t *len_out)
{
    int rc = hks_norm_compact(nt, s, n, out, cap, len_out);
    return rc == HKS_ERR_BUFSIZE ? HKS_OK : rc; /* a filter is cut to its buffer */
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

/* The operator character at q[i]: '(' ')' '"' in ASCII or full-width form
 * (U+FF08, U+FF09, U+FF02), with its length; 0 for anything else. */
static char op_at(const char *q, size_t n, size_t i, size_t *len)
{
    unsigned char c = (unsigned char)q[i];
    *len = 1;
    if (c == '(' || c == ')' || c == '"')
        return (char)c;
    if (c == 0xEF && i + 2 < n && (unsigned char)q[i + 1] == 0xBC) {
        *len = 3;
        switch ((unsigned char)q[i + 2]) {
        case 0x88:
            return '(';
        case 0x89:
            return ')';
        case 0x82:
            return '"';
        default:
            break;
        }
    }
    return 0;
}

typedef struct parser {
    hks_query *qy;
    hks_ntext *nt;
    hks_errbuf *err;
    const char *q;
    size_t n, i;
    unsigned depth;        /* open parentheses                           */
    unsigned in_title;     /* inside title:( ... )                       */
    bool over;             /* the term limit was passed                  */
    const hks_syntab *syn; /* synonyms to expand, or NULL             */
} parser;

static bool at_space_or_end(const parser *p, size_t i)
{
    size_t k;
    return i >= p->n || is_space_at(p->q, p->n, i, &k);
}

/* Where the quote at i closes, or SIZE_MAX when it is a lone quote. */
static size_t quote_close(const parser *p, size_t i)
{
    size_t k, j = i;
    (void)op_at(p->q, p->n, j, &k);
    for (j += k; j < p->n; j += k)
        if (op_at(p->q, p->n, j, &k) == '"')
            return j;
    return SIZE_MAX;
}

/* End of the bare term at i: up to a space, a well-formed quote, or a ')'
 * that closes a group (one that ends the term, with no '(' of the term's
 * own text before it: "肺炎(COVID-19)" is text). */
static size_t term_end(const parser *p, size_t i)
{
    int own = 0;
    size_t k;
    while (i < p->n && !is_space_at(p->q, p->n, i, &k)) {
        char c = op_at(p->q, p->n, i, &k);
        if (c == '"' && quote_close(p, i) != SIZE_MAX)
            break;
        if (c == '(')
            own++;
        if (c == ')') {
            if (own > 0)
                own--;
            else {
                size_t k2;
                if (at_space_or_end(p, i + k) || op_at(p->q, p->n, i + k, &k2) == ')')
                    break;
            }
        }
        i += k;
    }
    return i;
}

static bool word_is(const parser *p, size_t i, const char *w)
{
    size_t l = strlen(w);
    size_t k;
    if (i + l > p->n || memcmp(p->q + i, w, l) != 0)
        return false;
    /* a whole word: "OR(" is not OR, "OR)" is (a group may end there) */
    return at_space_or_end(p, i + l) || op_at(p->q, p->n, i + l, &k) == ')';
}

static void skip_spaces(parser *p)
{
    size_t k;
    while (p->i < p->n && is_space_at(p->q, p->n, p->i, &k))
        p->i += k;
}

static int new_node(parser *p, uint8_t kind, uint32_t *out)
{
    hks_qnode *nd;
    if (p->qy->n_node == HKS_MAX_QUERY_NODES) {
        p->over = true;
        return hks_fail(p->err, HKS_ERR_QUERY, "too many terms (at most %d)",
                        HKS_MAX_QUERY_ELEMS);
    }
    nd = &p->qy->node[p->qy->n_node];
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    nd->phrase = nd->child = nd->next = HKS_QN_NONE;
    *out = p->qy->n_node++;
    return HKS_OK;
}

static void add_child(hks_query *qy, uint32_t parent, uint32_t *last, uint32_t child)
{
    if (*last == HKS_QN_NONE)
        qy->node[parent].child = child;
    else
        qy->node[*last].next = child;
    *last = child;
}

static int parse_and(parser *p, uint32_t *out);

/* ---- Meta filters: author:, category:, tag: ---------------------------- */

static const char *const META_FILTER[HKS_QF_N] = {"author:", "category:", "tag:"};

/* The meta filter (HKS_QF_*) whose prefix starts q[i..n), or -1. */
static int meta_filter_at(const char *q, size_t n, size_t i)
{
    for (int f = 0; f < HKS_QF_N; f++) {
        size_t k = strlen(META_FILTER[f]);
        if (i + k <= n && memcmp(q + i, META_FILTER[f], k) == 0)
            return f;
    }
    return -1;
}

/* Set filter f of qy to the normalized value s[0..n). */
static int set_meta_filter(parser *p, int f, const char *s, size_t n, size_t at)
{
    hks_query *qy = p->qy;
    int rc = hks_norm_string(p->nt, s, n, qy->field[f], sizeof qy->field[f], &qy->field_len[f]);
    if (rc)
        return hks_fail(p->err, rc, "%s", hks_strerror(rc));
    if (qy->field_len[f] == 0)
        return hks_fail(p->err, HKS_ERR_QUERY, "empty %.*s filter at byte %zu",
                        (int)strlen(META_FILTER[f]), META_FILTER[f], at);
    return HKS_OK;
}

bool hks_query_has_meta_filter(const hks_query *qy)
{
    for (int f = 0; f < HKS_QF_N; f++)
        if (qy->field_len[f])
            return true;
    return false;
}

/* Is one of tags[0..n) ('\n' between them), normalized, equal to the
 * tag: filter (*found)? */
static int tag_list_has(const hks_query *qy, hks_ntext *nt, const uint8_t *tags, size_t n,
                        bool *found)
{
    size_t i = 0;
    *found = false;
    while (i < n && !*found) {
        const uint8_t *nl = memchr(tags + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - tags) : n, k;
        uint8_t norm[256 + 4];
        /* Room for one code point more than the filter: a longer tag is
         * never cut down to an equal one. */
        int rc = hks_norm_string(nt, (const char *)tags + i, e - i, norm,
                                 qy->field_len[HKS_QF_TAG] + 4, &k);
        if (rc)
            return rc;
        *found = k == qy->field_len[HKS_QF_TAG] &&
                 memcmp(norm, qy->field[HKS_QF_TAG], k) == 0;
        i = e + 1;
    }
    return HKS_OK;
}

int hks_query_meta_pass(const hks_query *qy, hks_ntext *nt, const uint8_t *author,
                        size_t author_len, const uint8_t *category, size_t category_len,
                        const uint8_t *tags, size_t tags_len, bool *pass)
{
    const uint8_t *v[2] = {author, category};
    size_t vn[2] = {author_len, category_len};
    *pass = false;
    for (int f = HKS_QF_AUTHOR; f <= HKS_QF_CATEGORY; f++) {
        uint8_t norm[1024];
        size_t k;
        int rc;
        if (!qy->field_len[f])
            continue;
        rc = hks_norm_string(nt, (const char *)v[f], vn[f], norm, sizeof norm, &k);
        if (rc)
            return rc;
        if (!memmem(norm, k, qy->field[f], qy->field_len[f]))
            return HKS_OK;
    }
    if (qy->field_len[HKS_QF_TAG]) {
        bool found;
        int rc = tag_list_has(qy, nt, tags, tags_len, &found);
        if (rc || !found)
            return rc;
    }
    *pass = true;
    return HKS_OK;
}

/* A filter (source:, date:, collection:) at p->i; *is_filter false when
 * there is none. Filters apply to the whole query. */
static int parse_filter(parser *p, bool *is_filter)
{
    hks_query *qy = p->qy;
    size_t at = p->i, start, end, k;
    int which = 0, rc, mf;
    *is_filter = false;
    if (p->i + 7 <= p->n && memcmp(p->q + p->i, "source:", 7) == 0)
        which = 1, p->i += 7;
    else if (p->i + 5 <= p->n && memcmp(p->q + p->i, "date:", 5) == 0)
        which = 2, p->i += 5;
    else if (p->i + 11 <= p->n && memcmp(p->q + p->i, "collection:", 11) == 0)
        which = 3, p->i += 11;
    else if ((mf = meta_filter_at(p->q, p->n, p->i)) >= 0) /* author:, category:, tag: */
        which = 4 + mf, p->i += strlen(META_FILTER[mf]);
    else
        return HKS_OK;
    *is_filter = true;
    if (p->depth || p->in_title)
        return hks_fail(p->err, HKS_ERR_QUERY,
                        "a source:, date:, collection:, author:, category: or tag: filter "
                        "applies to the whole query: put it outside parentheses (byte %zu)",
                        at);
    start = p->i;
    if (which != 2 && p->i < p->n && op_at(p->q, p->n, p->i, &k) == '"' &&
        quote_close(p, p->i) != SIZE_MAX) {
        start = p->i + k;
        end = quote_close(p, p->i);
        (void)op_at(p->q, p->n, end, &k);
        p->i = end + k;
    } else {
        while (p->i < p->n && !is_space_at(p->q, p->n, p->i, &k))
            p->i++;
        end = p->i;
    }
    qy->has_operators = true;
    if (which == 2)
        return parse_date_range(qy, p->q + start, end - start, p->err);
    if (which >= 4)
        return set_meta_filter(p, which - 4, p->q + start, end - start, at);
    if (which == 3) {
        if (end == start || end - start > sizeof qy->collection)
            return hks_fail(p->err, HKS_ERR_QUERY, "bad collection: filter at byte %zu", at);
        memcpy(qy->collection, p->q + start, end - start);
        qy->collection_len = end - start;
        return HKS_OK;
    }
    rc = hks_norm_string(p->nt, p->q + start, end - start, qy->source, sizeof qy->source,
                         &qy->source_len);
    if (rc)
        return hks_fail(p->err, rc, "%s", hks_strerror(rc));
    if (qy->source_len == 0)
        return hks_fail(p->err, HKS_ERR_QUERY, "empty source: filter");
    return HKS_OK;
}

/* Mark the phrases [first, n_phrase) of a title: scope. */
static void mark_title(hks_query *qy, uint32_t first)
{
    for (; first < qy->n_phrase; first++)
        qy->phrase[first].in_title = true;
}

/* ---- synonyms: an unquoted term holding an alias ------------------------- */

typedef struct synmatch {
    uint32_t at, len; /* bytes of the normalized term                 */
    int32_t alias;
} synmatch;

/* The code point at s (valid UTF-8: hks_norm_compact wrote it). */
static uint32_t cp_at(const uint8_t *s)
{
    if (s[0] < 0x80)
        return s[0];
    if (s[0] < 0xE0)
        return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    if (s[0] < 0xF0)
        return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 |
           (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
}

static bool is_word_cp(uint32_t cp)
{
    hks_cclass c = hks_cclass_of(cp);
    return c == HKS_CC_WORD || c == HKS_CC_MARK;
}

/* Can an alias start at byte i / end at byte j of s[0..n)? A CJK alias
 * may stand anywhere in a run; a word (COVID, WHO) only as a whole word. */
static bool syn_left_ok(const uint8_t *s, size_t i)
{
    size_t k = i;
    if (i == 0 || !is_word_cp(cp_at(s + i)))
        return true;
    while (k > 0 && (s[k - 1] & 0xC0) == 0x80)
        k--;
    return k == 0 || !is_word_cp(cp_at(s + k - 1));
}

static bool syn_right_ok(const uint8_t *s, size_t n, size_t i, size_t j)
{
    size_t k = j;
    if (j == n)
        return true;
    if ((s[j] & 0xC0) == 0x80)
        return false; /* inside a character */
    while (k > i && (s[k - 1] & 0xC0) == 0x80)
        k--;
    return !is_word_cp(cp_at(s + k - 1)) || !is_word_cp(cp_at(s + j));
}

/* The aliases in s[0..n), left to right, the longest at each place; an
 * alias of one character only as the whole term. */
static uint32_t find_aliases(const hks_syntab *t, const uint8_t *s, size_t n, synmatch *m,
                             uint32_t cap)
{
    uint32_t k = 0;
    size_t i = 0;
    while (i < n && k < cap) {
        size_t one = hks_utf8_len(s[i]), len, top = n - i < t->max_len ? n - i : t->max_len;
        int32_t a = -1;
        if (s[i] != ' ' && syn_left_ok(s, i))
            for (len = top; len >= one && a < 0; len--) {
                if (!t->len_used[len] || !syn_right_ok(s, n, i, i + len))
                    continue;
                if (len == one && (i > 0 || len < n))
                    continue;
                a = hks_syn_find(t, s + i, len);
                if (a >= 0)
                    break;
            }
        if (a >= 0) {
            m[k].at = (uint32_t)i;
            m[k].len = (uint32_t)len;
            m[k].alias = a;
            k++;
            i += len;
        } else {
            i += one;
        }
    }
    return k;
}

static void note_use(hks_query *qy, int32_t alias)
{
    uint32_t i;
    for (i = 0; i < qy->n_syn_use; i++)
        if (qy->syn_use[i] == (uint32_t)alias)
            return;
    if (qy->n_syn_use < HKS_MAX_SYN_USES)
        qy->syn_use[qy->n_syn_use++] = (uint32_t)alias;
}

/* Only CJK characters (no word, no space)? Such a text found inside
 * another makes the other redundant: every text holding the longer one
 * holds it. */
static bool all_cjk(const uint8_t *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i += hks_utf8_len(s[i]))
        if (s[i] == ' ' || hks_cclass_of(cp_at(s + i)) != HKS_CC_CJK)
            return false;
    return n > 0;
}

/* Combinations an expansion looks at (at most HKS_MAX_SYN_ALTS stay). */
#define SYN_GEN_MAX ((size_t)2 * HKS_MAX_SYN_ALTS)

typedef struct synalt {
    size_t off, len; /* in the scratch buffer */
} synalt;

static int cmp_synalt(const void *x, const void *y)
{
    const synalt *a = x, *b = y;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    return a->off < b->off ? -1 : a->off > b->off;
}

/* Is some kept CJK text inside t[0..n)? */
static bool redundant(const hks_buf *sb, const synalt *kept, uint32_t n_kept, const uint8_t *t,
                      size_t n)
{
    uint32_t i;
    for (i = 0; i < n_kept; i++)
        if (all_cjk(sb->p + kept[i].off, kept[i].len) &&
            memmem(t, n, sb->p + kept[i].off, kept[i].len))
            return true;
    return false;
}

/*
 * The term s[0..n) as written, OR the same text with each alias it holds
 * replaced by the other aliases of its group (the combinations, up to
 * 2 * HKS_MAX_SYN_ALTS of them; with several aliases in one term the later
 * ones are left as written once the combinations would pass that). Each
 * alternative is tokenized like the term, so it is a phrase: 新冠疫苗 also
 * finds 新型冠状病毒疫苗 and COVID-19疫苗. An alternative that holds the
 * term or a shorter alternative of only CJK characters finds nothing
 * more (新冠肺炎 beside 新冠) and is left out, and at most HKS_MAX_SYN_ALTS
 * stay. *expanded is false, with nothing added, when the term holds no
 * alias. The term limit is never passed for a synonym: alternatives that
 * do not fit are left out.
 */
static int add_synonyms(parser *p, const char *s, size_t n, uint32_t *out, bool *expanded)
{
    hks_query *qy = p->qy;
    const hks_syntab *t = p->syn;
    uint8_t norm[HKS_MAX_QUERY_BYTES];
    synmatch m[HKS_MAX_SYN_USES];
    synalt alt[SYN_GEN_MAX + 1];
    uint32_t k, kk, j, n_gen = 0, n_kept = 1, first_phrase = qy->n_phrase, chars, node = 0,
                       last = HKS_QN_NONE;
    uint32_t choice[HKS_MAX_SYN_USES], size[HKS_MAX_SYN_USES], gfirst[HKS_MAX_SYN_USES];
    size_t nl = 0, prod = 1;
    hks_buf sb;
    bool added;
    int rc = 0;
    *expanded = false;
    if (!t || t->d.n_alias == 0)
        return HKS_OK;
    if (hks_norm_compact(p->nt, s, n, norm, sizeof norm, &nl) != HKS_OK || nl == 0)
        return HKS_OK; /* too long to expand, or nothing to search */
    k = find_aliases(t, norm, nl, m, HKS_MAX_SYN_USES);
    if (k == 0)
        return HKS_OK;
    HKS_TRY(add_phrase(qy, p->nt, s, n, false, &added, &p->over, p->err));
    if (!added)
        return HKS_OK;
    chars = qy->n_chars;
    for (kk = 0; kk < k; kk++) { /* the matches whose combinations fit */
        uint32_t g = t->d.alias[m[kk].alias].group;
        size[kk] = t->d.group_first[g + 1] - t->d.group_first[g];
        gfirst[kk] = t->d.group_first[g];
        choice[kk] = 0;
        if (kk > 0 && prod * size[kk] > SYN_GEN_MAX)
            break;
        prod *= size[kk];
    }
    /* the texts: the term first (alt[0]), then every other combination */
    hks_buf_init(&sb, p->nt->a);
    hks_buf_put(&rc, &sb, norm, nl);
    alt[0].off = 0;
    alt[0].len = nl;
    for (;;) {
        size_t from = 0, at0 = sb.n;
        bool self = true;
        for (j = 0; j < kk; j++) {
            const hks_synalias *al = &t->d.alias[gfirst[j] + choice[j]];
            self = self && gfirst[j] + choice[j] == (uint32_t)m[j].alias;
            hks_buf_put(&rc, &sb, norm + from, m[j].at - from);
            hks_buf_put(&rc, &sb, al->norm, al->norm_len);
            from = m[j].at + m[j].len;
        }
        hks_buf_put(&rc, &sb, norm + from, nl - from);
        if (self || rc) {
            sb.n = at0;
        } else {
            alt[1 + n_gen].off = at0;
            alt[1 + n_gen].len = sb.n - at0;
            if (n_gen++ == SYN_GEN_MAX - 1)
                break;
        }
        for (j = 0; j < kk; j++) { /* next combination */
            if (++choice[j] < size[j])
                break;
            choice[j] = 0;
        }
        if (j == kk)
            break;
    }
    if (rc) {
        hks_buf_free(&sb);
        return hks_fail(p->err, rc, "out of memory");
    }
    qsort(alt + 1, n_gen, sizeof alt[0], cmp_synalt); /* shortest first */
    for (j = 1; j <= n_gen && n_kept <= HKS_MAX_SYN_ALTS; j++) {
        uint32_t e0 = qy->n_elem, ph0 = qy->n_phrase;
        if (redundant(&sb, alt, n_kept, sb.p + alt[j].off, alt[j].len))
            continue;
        rc = add_phrase(qy, p->nt, (const char *)sb.p + alt[j].off, alt[j].len, false, &added,
                        &p->over, p->err);
        if (rc == HKS_ERR_QUERY && p->over) { /* no room: keep what fits */
            qy->n_elem = e0;
            qy->n_phrase = ph0;
            p->over = false;
            hks_err_clear(p->err);
            rc = HKS_OK;
            break;
        }
        if (rc)
            break;
        if (added) {
            qy->phrase[qy->n_phrase - 1].syn_alt = true;
            alt[n_kept++] = alt[j];
        }
    }
    hks_buf_free(&sb);
    if (rc)
        return rc;
    qy->n_chars = chars; /* what the user typed decides natural mode */
    if (qy->n_phrase == first_phrase + 1) {
        HKS_TRY(new_node(p, HKS_QN_PHRASE, out));
        qy->node[*out].phrase = first_phrase;
    } else {
        HKS_TRY(new_node(p, HKS_QN_OR, &node));
        for (j = first_phrase; j < qy->n_phrase; j++) {
            uint32_t ph = 0;
            HKS_TRY(new_node(p, HKS_QN_PHRASE, &ph));
            qy->node[ph].phrase = j;
            add_child(qy, node, &last, ph);
        }
        *out = node;
    }
    for (j = 0; j < kk; j++)
        note_use(qy, m[j].alias);
    if (p->in_title)
        mark_title(qy, first_phrase);
    *expanded = true;
    return HKS_OK;
}

/*
 * primary := '(' and ')' | title: primary | "quoted" | term[*]
 * *out = HKS_QN_NONE when it holds nothing to search for (punctuation, a
 * filter).
 */
static int parse_primary(parser *p, uint32_t *out)
{
    hks_query *qy = p->qy;
    size_t k, start, end;
    char c;
    bool added, quoted = false, is_filter;
    *out = HKS_QN_NONE;
    HKS_TRY(parse_filter(p, &is_filter));
    if (is_filter)
        return HKS_OK;
    if (p->i + 6 <= p->n && memcmp(p->q + p->i, "title:", 6) == 0) {
        uint32_t first = qy->n_phrase;
        int rc;
        p->i += 6;
        qy->has_operators = true;
        if (at_space_or_end(p, p->i))
            return HKS_OK; /* "title:" alone: nothing */
        p->in_title++;
        rc = parse_primary(p, out);
        p->in_title--;
        if (rc)
            return rc;
        mark_title(qy, first);
        return HKS_OK;
    }
    c = op_at(p->q, p->n, p->i, &k);
    if (c == '(') {
        size_t at = p->i;
        p->i += k;
        p->depth++;
        HKS_TRY(parse_and(p, out));
        p->depth--;
        if (p->i >= p->n || op_at(p->q, p->n, p->i, &k) != ')')
            return hks_fail(p->err, HKS_ERR_QUERY,
                            "unbalanced parenthesis at byte %zu: it is never closed", at);
        if (*out == HKS_QN_NONE)
            return hks_fail(p->err, HKS_ERR_QUERY,
                            "nothing to search for in the parentheses at byte %zu", at);
        p->i += k;
        return HKS_OK;
    }
    if (c == ')')
        return hks_fail(p->err, HKS_ERR_QUERY,
                        "unbalanced parenthesis at byte %zu: nothing opened it", p->i);
    if (c == '"' && quote_close(p, p->i) != SIZE_MAX) {
        quoted = true;
        start = p->i + k;
        end = quote_close(p, p->i);
        (void)op_at(p->q, p->n, end, &k);
        p->i = end + k;
        qy->has_operators = true;
    } else {
        start = p->i;
        end = term_end(p, p->i);
        if (end == start) { /* a lone quote mark: text */
            end = start + k;
        }
        p->i = end;
    }
    {
        uint32_t e0 = qy->n_elem;
        bool prefix = false;
        /* A word followed by * is a prefix: covid* finds covid19. */
        if (!quoted && end - start >= 2 && p->q[end - 1] == '*' && p->q[end - 2] != '*')
            prefix = true;
        if (!quoted && !prefix && p->syn) {
            bool expanded;
            HKS_TRY(add_synonyms(p, p->q + start, end - start, out, &expanded));
            if (expanded)
                return HKS_OK;
        }
        HKS_TRY(add_phrase(qy, p->nt, p->q + start, end - start, quoted, &added, &p->over,
                           p->err));
        if (!added)
            return HKS_OK; /* only punctuation: nothing to match */
        if (prefix) {
            hks_qelem *e = &qy->elem[qy->n_elem - 1];
            /* The byte before * decides: an ASCII letter or digit makes
             * the word a prefix, Chinese text is refused. */
            c = p->q[end - 2];
            if ((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) {
                e->is_prefix = true;
                qy->has_operators = true;
            } else if ((unsigned char)c >= 0x80 && qy->n_elem > e0 &&
                       (e->len >= 3 && (unsigned char)e->term[0] >= 0xE3)) {
                return hks_fail(p->err, HKS_ERR_QUERY,
                                "* at byte %zu follows Chinese text: a prefix * is for Latin "
                                "words and numbers (covid*); Chinese text already matches "
                                "inside longer words (疫苗 finds 疫苗接种)",
                                end - 1);
            }
        }
    }
    if (p->in_title)
        mark_title(qy, qy->n_phrase - 1);
    HKS_TRY(new_node(p, HKS_QN_PHRASE, out));
    qy->node[*out].phrase = qy->n_phrase - 1;
    return HKS_OK;
}

/* unary := ['-' | NOT] primary */
static int parse_unary(parser *p, uint32_t *out, bool *negated)
{
    size_t k, at = p->i;
    uint32_t nchars0 = p->qy->n_chars;
    *negated = false;
    if (word_is(p, p->i, "NOT")) {
        p->i += 3;
        skip_spaces(p);
        if (p->i >= p->n || op_at(p->q, p->n, p->i, &k) == ')' || word_is(p, p->i, "OR") ||
            word_is(p, p->i, "AND") || word_is(p, p->i, "NOT"))
            return hks_fail(p->err, HKS_ERR_QUERY, "NOT at byte %zu needs a term after it",
                            at);
        *negated = true;
    } else if (p->q[p->i] == '-' && p->i + 1 < p->n && !at_space_or_end(p, p->i + 1) &&
               p->q[p->i + 1] != '-') {
        /* "-term" excludes; a run of dashes ("-----", a rule drawn in a
         * pasted question) is punctuation, not an operator. */
        p->i++;
        *negated = true;
    }
    if (*negated) {
        p->qy->has_operators = true;
        if ((p->i + 7 <= p->n && memcmp(p->q + p->i, "source:", 7) == 0) ||
            (p->i + 5 <= p->n && memcmp(p->q + p->i, "date:", 5) == 0) ||
            (p->i + 11 <= p->n && memcmp(p->q + p->i, "collection:", 11) == 0) ||
            meta_filter_at(p->q, p->n, p->i) >= 0)
            return hks_fail(p->err, HKS_ERR_QUERY,
                            "a source:, date:, collection:, author:, category: or tag: filter "
                            "cannot be excluded (byte %zu)",
                            at);
    }
    HKS_TRY(parse_primary(p, out));
    if (*negated)
        p->qy->n_chars = nchars0;
    return HKS_OK;
}

static void mark_negated(hks_query *qy, uint32_t first)
{
    for (; first < qy->n_phrase; first++)
        qy->phrase[first].negated = true;
}

/* or := unary (OR unary)*; the parts must agree on exclusion (-A OR -B
 * excludes both). */
static int parse_or(parser *p, uint32_t *out, bool *negated)
{
    hks_query *qy = p->qy;
    uint32_t first_phrase = qy->n_phrase, part = HKS_QN_NONE, or_node = HKS_QN_NONE, last = HKS_QN_NONE;
    bool neg = false;
    HKS_TRY(parse_unary(p, &part, negated));
    for (;;) {
        size_t save = p->i, at;
        skip_spaces(p);
        if (!word_is(p, p->i, "OR")) {
            p->i = save;
            break;
        }
        at = p->i;
        qy->has_operators = true;
        if (part == HKS_QN_NONE)
            return hks_fail(p->err, HKS_ERR_QUERY, "OR at byte %zu needs a term before it",
                            at);
        p->i += 2;
        skip_spaces(p);
        if (p->i >= p->n || word_is(p, p->i, "OR") || word_is(p, p->i, "AND"))
            return hks_fail(p->err, HKS_ERR_QUERY, "OR at byte %zu needs a term after it",
                            at);
        if (or_node == HKS_QN_NONE) {
            HKS_TRY(new_node(p, HKS_QN_OR, &or_node));
            add_child(qy, or_node, &last, part);
        }
        HKS_TRY(parse_unary(p, &part, &neg));
        if (part == HKS_QN_NONE)
            return hks_fail(p->err, HKS_ERR_QUERY, "OR at byte %zu needs a term after it",
                            at);
        if (neg != *negated)
            return hks_fail(p->err, HKS_ERR_QUERY,
                            "OR joins terms of different kinds near byte %zu", at);
        add_child(qy, or_node, &last, part);
    }
    *out = or_node != HKS_QN_NONE ? or_node : part;
    if (*negated)
        mark_negated(qy, first_phrase);
    return HKS_OK;
}

/* and := or ([AND] or)* up to the end or a ')'. *out = HKS_QN_NONE when
 * nothing in it is searchable. */
static int parse_and(parser *p, uint32_t *out)
{
    hks_query *qy = p->qy;
    uint32_t and_node = 0, last = HKS_QN_NONE, n_pos = 0, n_kids = 0;
    bool pending_and = false;
    size_t and_at = 0, k;
    HKS_TRY(new_node(p, HKS_QN_AND, &and_node));
    for (;;) {
        uint32_t part = HKS_QN_NONE, first_phrase;
        bool negated = false;
        skip_spaces(p);
        if (p->i >= p->n)
            break;
        if (op_at(p->q, p->n, p->i, &k) == ')') {
            if (p->depth == 0)
                return hks_fail(p->err, HKS_ERR_QUERY,
                                "unbalanced parenthesis at byte %zu: nothing opened it", p->i);
            break;
        }
        if (word_is(p, p->i, "AND")) {
            if (n_kids == 0 || pending_and)
                return hks_fail(p->err, HKS_ERR_QUERY, "AND at byte %zu needs a term before it",
                                p->i);
            pending_and = true;
            and_at = p->i;
            p->i += 3;
            continue;
        }
        if (word_is(p, p->i, "OR"))
            return hks_fail(p->err, HKS_ERR_QUERY, "OR at byte %zu needs a term before it",
                            p->i);
        first_phrase = qy->n_phrase;
        HKS_TRY(parse_or(p, &part, &negated));
        if (part == HKS_QN_NONE)
            continue;
        pending_and = false;
        qy->node[part].negated = negated;
        add_child(qy, and_node, &last, part);
        n_kids++;
        if (!negated)
            n_pos++;
        if (p->depth == 0) {
            hks_qclause *c;
            uint32_t f;
            if (qy->n_clause == HKS_MAX_QUERY_ELEMS) {
                p->over = true;
                return hks_fail(p->err, HKS_ERR_QUERY, "too many terms (at most %d)",
                                HKS_MAX_QUERY_ELEMS);
            }
            c = &qy->clause[qy->n_clause++];
            c->node = part;
            c->first = first_phrase;
            c->n = qy->n_phrase - first_phrase;
            c->negated = negated;
            c->in_title = c->n > 0;
            for (f = c->first; f < c->first + c->n; f++)
                c->in_title = c->in_title && qy->phrase[f].in_title;
            if (!negated)
                qy->n_positive++;
        }
    }
    if (pending_and)
        return hks_fail(p->err, HKS_ERR_QUERY, "AND at byte %zu needs a term after it", and_at);
    if (n_kids == 0) {
        qy->n_node--; /* the AND node was the last one made */
        *out = HKS_QN_NONE;
        return HKS_OK;
    }
    if (n_pos == 0)
        return hks_fail(p->err, HKS_ERR_QUERY, "only excluded terms: say what to search for");
    *out = and_node;
    return HKS_OK;
}

/* ---- a pasted paragraph: its most informative distinct terms ------------ */

typedef struct cand {
    uint8_t term[HKS_MAX_TERM_BYTES];
    uint8_t len;
    uint32_t first; /* order of first occurrence                     */
    uint64_t df;
} cand;

typedef struct candset {
    cand *c;
    size_t n, cap;
    const hks_alloc *a;
    bool prev_bigram;
    uint32_t prev_pos, n_tokens;
} candset;

static int on_ctoken(void *ctx, const hks_token *t)
{
    candset *cs = ctx;
    bool follows_bigram = cs->prev_bigram && cs->prev_pos + 1 == t->pos;
    size_t i;
    cs->prev_bigram = (t->flags & HKS_TOK_CJK) && !(t->flags & HKS_TOK_LAST);
    cs->prev_pos = t->pos;
    cs->n_tokens++;
    if ((t->flags & HKS_TOK_LAST) && follows_bigram)
        return HKS_OK; /* pinned by the bigram before it */
    for (i = 0; i < cs->n; i++)
        if (cs->c[i].len == t->term_len && memcmp(cs->c[i].term, t->term, t->term_len) == 0)
            return HKS_OK;
    if (cs->n == cs->cap) {
        cand *p = hks_grow(cs->a, cs->c, sizeof *p, cs->cap, cs->n + 1, 256, SIZE_MAX, &cs->cap);
        if (!p)
            return HKS_ERR_NOMEM;
        cs->c = p;
    }
    memcpy(cs->c[cs->n].term, t->term, t->term_len);
    cs->c[cs->n].len = (uint8_t)t->term_len;
    cs->c[cs->n].first = (uint32_t)cs->n;
    cs->c[cs->n].df = 0;
    cs->n++;
    return HKS_OK;
}

/* Rarest first (a term the index lacks last: it finds nothing), then the
 * order of the text. */
static int cmp_cand(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    uint64_t da = a->df ? a->df : UINT64_MAX, db = b->df ? b->df : UINT64_MAX;
    if (da != db)
        return da < db ? -1 : 1;
    return a->first < b->first ? -1 : a->first > b->first;
}

/*
 * A query past the term limit is a pasted paragraph, not a query in the
 * language: all of it is read as text, every distinct term once (AND for
 * the strict matches, and the natural-language ranking over them), and
 * past the limit the rarest terms by the index's document frequencies
 * stay (without df, the first ones).
 */
static int parse_paragraph(hks_query *qy, const char *q, size_t n, const hks_query_opts *o,
                           hks_ntext *nt, hks_errbuf *err)
{
    candset cs;
    size_t i, keep;
    int rc;
    memset(&cs, 0, sizeof cs);
    cs.a = nt->a;
    rc = hks_norm_text(nt, q, n);
    if (rc == HKS_OK)
        rc = hks_tokenize(nt, 0, on_ctoken, &cs, NULL);
    if (rc) {
        hks_mem_free(cs.a, cs.c, 0);
        return hks_fail(err, rc, "%s", hks_strerror(rc));
    }
    keep = cs.n;
    if (keep > HKS_MAX_QUERY_ELEMS) {
        if (o && o->df)
            for (i = 0; i < cs.n; i++)
                cs.c[i].df = o->df(o->df_ctx, cs.c[i].term, cs.c[i].len);
        qsort(cs.c, cs.n, sizeof *cs.c, cmp_cand);
        keep = HKS_MAX_QUERY_ELEMS;
    }
    qy->n_terms = (uint32_t)cs.n;
    qy->n_dropped = (uint32_t)(cs.n - keep);
    qy->node[0].kind = HKS_QN_AND;
    qy->node[0].negated = false;
    qy->node[0].phrase = qy->node[0].next = qy->node[0].child = HKS_QN_NONE;
    qy->n_node = 1;
    qy->root = 0;
    for (i = 0; i < keep; i++) {
        hks_qelem *e = &qy->elem[qy->n_elem];
        hks_qnode *nd = &qy->node[qy->n_node];
        memset(e, 0, sizeof *e);
        memcpy(e->term, cs.c[i].term, cs.c[i].len);
        e->len = cs.c[i].len;
        memset(&qy->phrase[i], 0, sizeof qy->phrase[i]);
        qy->phrase[i].first = qy->n_elem++;
        qy->phrase[i].n = 1;
        qy->n_phrase++;
        memset(nd, 0, sizeof *nd);
        nd->kind = HKS_QN_PHRASE;
        nd->phrase = (uint32_t)i;
        nd->child = HKS_QN_NONE;
        nd->next = i + 1 < keep ? qy->n_node + 1 : HKS_QN_NONE;
        if (i == 0)
            qy->node[0].child = qy->n_node;
        memset(&qy->clause[i], 0, sizeof qy->clause[i]);
        qy->clause[i].node = qy->n_node++;
        qy->clause[i].first = (uint32_t)i;
        qy->clause[i].n = 1;
        qy->n_clause++;
        qy->n_positive++;
    }
    hks_mem_free(cs.a, cs.c, 0);
    qy->n_chars = cs.n_tokens;
    if (qy->n_positive == 0)
        return hks_fail(err, HKS_ERR_QUERY,
                        "nothing to search for (no letters, digits or Chinese characters)");
    qy->is_natural = true;
    return HKS_OK;
}

/* Literal mode: the text has no operators; pieces between spaces are
 * ANDed, as in a plain query. */
static int parse_literal(parser *p)
{
    hks_query *qy = p->qy;
    uint32_t last = HKS_QN_NONE, root = 0;
    size_t k;
    HKS_TRY(new_node(p, HKS_QN_AND, &root));
    qy->root = root;
    for (;;) {
        size_t start;
        bool added;
        uint32_t nd = 0;
        skip_spaces(p);
        if (p->i >= p->n)
            break;
        uint32_t first = qy->n_phrase;
        bool expanded = false;
        start = p->i;
        while (p->i < p->n && !is_space_at(p->q, p->n, p->i, &k))
            p->i++;
        if (p->syn)
            HKS_TRY(add_synonyms(p, p->q + start, p->i - start, &nd, &expanded));
        if (!expanded) {
            HKS_TRY(add_phrase(qy, p->nt, p->q + start, p->i - start, false, &added, &p->over,
                               p->err));
            if (!added)
                continue;
        }
        if (qy->n_clause == HKS_MAX_QUERY_ELEMS) {
            p->over = true;
            return hks_fail(p->err, HKS_ERR_QUERY, "too many terms");
        }
        if (!expanded) {
            HKS_TRY(new_node(p, HKS_QN_PHRASE, &nd));
            qy->node[nd].phrase = qy->n_phrase - 1;
        }
        add_child(qy, root, &last, nd);
        qy->clause[qy->n_clause].node = nd;
        qy->clause[qy->n_clause].first = first;
        qy->clause[qy->n_clause].n = qy->n_phrase - first;
        qy->clause[qy->n_clause].negated = qy->clause[qy->n_clause].in_title = false;
        qy->n_clause++;
        qy->n_positive++;
    }
    if (qy->n_positive == 0)
        qy->root = HKS_QN_NONE;
    return HKS_OK;
}

static void reset(hks_query *qy, bool literal)
{
    qy->n_elem = qy->n_phrase = qy->n_clause = qy->n_positive = qy->n_node = 0;
    qy->root = HKS_QN_NONE;
    qy->date_from = qy->date_to = 0;
    qy->source_len = qy->collection_len = 0;
    memset(qy->field_len, 0, sizeof qy->field_len);
    qy->has_operators = qy->is_natural = false;
    qy->literal = literal;
    qy->n_chars = qy->n_terms = qy->n_dropped = 0;
    qy->syn_on = false;
    qy->n_syn_use = 0;
}

/*
 * Parse q into qy. @return HKS_OK, or HKS_ERR_QUERY with a message saying
 * what is wrong and where (unbalanced parenthesis, misplaced operator, bad
 * field, nothing to search, too long).
 */
int hks_query_parse_opts(hks_query *qy, const char *q, size_t n, const hks_query_opts *opts,
                         hks_ntext *nt, hks_errbuf *err)
{
    parser p;
    int rc;
    bool literal = opts && opts->literal;

    reset(qy, literal);
    if (!q && n)
        return hks_fail(err, HKS_ERR_ARG, "NULL query");
    if (n > HKS_MAX_QUERY_BYTES)
        return hks_fail(err, HKS_ERR_QUERY, "query too long (%zu bytes; at most %d)", n,
                        HKS_MAX_QUERY_BYTES);
    memset(&p, 0, sizeof p);
    p.qy = qy;
    p.nt = nt;
    p.err = err;
    p.q = q ? q : "";
    p.n = n;
    p.syn = opts ? opts->syn : NULL;
    qy->syn_on = p.syn != NULL;
    if (literal) {
        rc = parse_literal(&p);
    } else {
        rc = parse_and(&p, &qy->root);
        if (rc == HKS_OK && p.i < p.n) /* parse_and stops at a ')' only inside a group */
            rc = hks_fail(err, HKS_ERR_QUERY,
                          "unbalanced parenthesis at byte %zu: nothing opened it", p.i);
    }
    if (rc && p.over) {
        reset(qy, literal);
        qy->syn_on = p.syn != NULL; /* the same options, even if unused */
        hks_err_clear(err);
        return parse_paragraph(qy, p.q, n, opts, nt, err);
    }
    if (rc)
        return rc;
    if (qy->n_positive == 0 && (qy->source_len || qy->date_from || qy->date_to ||
                                qy->collection_len || hks_query_has_meta_filter(qy))) {
        qy->root = HKS_QN_NONE; /* filters alone: browse */
        return HKS_OK;
    }
    if (qy->n_positive == 0)
        return hks_fail(err, HKS_ERR_QUERY,
                        "nothing to search for (no letters, digits or Chinese characters)");
    /* A plain query of five or more characters, or of three or more
     * terms, reads as a question or description rather than a name: it is
     * ranked over its bigrams with OR semantics, strict matches first. */
    qy->is_natural = !qy->has_operators && (qy->n_chars >= 5 || qy->n_positive >= 3);
    return HKS_OK;
}

int hks_query_parse(hks_query *qy, const char *q, size_t n, hks_ntext *nt, hks_errbuf *err)
{
    return hks_query_parse_opts(qy, q, n, NULL, nt, err);
}
