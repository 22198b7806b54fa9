/*
 * tokenize.c: turns a normalized text (utf8norm.c) into terms with
 * positions and source byte ranges. The indexer and the query parser call
 * hks_tokenize the same way, so a query phrase and an indexed phrase get
 * the same terms and the same position gaps. The rules are in the
 * tokenize.c section of hks_int.h and in DESIGN.md ("Text rules"); the
 * golden tests in tests/golden/tokenize/ pin them down by example.
 *
 * A "unit" below is one CJK or word code point plus the combining marks
 * that follow it; a mark with nothing before it in its run is dropped like
 * a separator (it has nothing to combine with).
 */
#include <string.h>

#include "hks_int.h"

/* Room for a term: HKS_MAX_TERM_BYTES plus one code point, so the encoder
 * can write the code point that crosses the limit before it is cut. */
#define TERM_BUF (HKS_MAX_TERM_BYTES + 4)

/* UTF-8 encoder (see hks_utf8_put), inlined into the term builder. */
static inline size_t utf8_put(uint8_t *buf, uint32_t cp)
{
    if (cp < 0x80) {
        buf[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (uint8_t)(0xC0 | (cp >> 6));
        buf[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x10000) {
        buf[0] = (uint8_t)(0xE0 | (cp >> 12));
        buf[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (uint8_t)(0xF0 | (cp >> 18));
    buf[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

/*
 * hks_utf8_put: write the UTF-8 form of cp to buf (room for 4 bytes).
 * Surrogates and values over U+10FFFF, which normalization never yields,
 * are written as U+FFFD. @return the number of bytes written (1..4).
 */
size_t hks_utf8_put(uint8_t *buf, uint32_t cp)
{
    return utf8_put(buf, cp);
}

/* Class of a normalized code point, with ASCII and the CJK block tested
 * inline (the same answers as hks_cclass_of). */
static inline hks_cclass cls_of(uint32_t cp)
{
    if (cp - 0x4E00u <= 0x9FFFu - 0x4E00u)
        return HKS_CC_CJK;
    if (cp < 0x80)
        return (cp - '0' < 10u || (cp | 0x20u) - 'a' < 26u) ? HKS_CC_WORD
                                                            : HKS_CC_SEP;
    return hks_cclass_of(cp);
}

/* Append the UTF-8 of cp[b..e) to term at *len, stopping before the code
 * point that would take the term over HKS_MAX_TERM_BYTES. */
static void term_add(uint8_t *term, size_t *len, const uint32_t *cp,
                     size_t b, size_t e)
{
    size_t k, l = *len;
    for (k = b; k < e; k++) {
        size_t w = utf8_put(term + l, cp[k]);
        if (l + w > HKS_MAX_TERM_BYTES)
            break;
        l += w;
    }
    *len = l;
}

/* End of the unit starting at i: i + 1 plus any marks after it. */
static inline size_t unit_end(const hks_ntext *t, size_t i)
{
    size_t e = i + 1;
    while (e < t->n && t->cp[e] >= 0x300 && cls_of(t->cp[e]) == HKS_CC_MARK)
        e++;
    return e;
}

static inline bool is_digit(uint32_t cp)
{
    return cp - '0' <= 9u;
}

/*
 * hks_tokenize: call fn(ctx, &tok) for every token of t in order, with
 * positions counted from first_pos (see the section comment in hks_int.h
 * for the rules). tok->term points into a buffer that is only valid during
 * the call. A word longer than HKS_MAX_TERM_BYTES gives one token cut at a
 * code point boundary whose source range still covers the whole word.
 * *next_pos_out (may be NULL) gets the position after the last token plus
 * the one-position separator gap (first_pos when there were no tokens).
 * @return HKS_OK, or the first negative value fn returned (tokenizing
 * stops there).
 */
int hks_tokenize(const hks_ntext *t, uint32_t first_pos, hks_token_fn fn,
                 void *ctx, uint32_t *next_pos_out)
{
    const uint32_t *cp = t->cp;
    uint8_t term[TERM_BUF];
    hks_token tok;
    uint32_t pos = first_pos;
    bool gap_due = false; /* a token was emitted since the last gap */
    size_t i = 0, n = t->n;
    int rc;

    tok.term = (const char *)term;
    while (i < n) {
        hks_cclass c = cls_of(cp[i]);
        /* A CJK run right after a word, or a word right after a CJK run:
         * the boundary is a gap, as a separator would be (a phrase across
         * a space must not match with a word standing in the gap). */
        if (gap_due && (c == HKS_CC_CJK || c == HKS_CC_WORD)) {
            pos++;
            gap_due = false;
        }
        if (c == HKS_CC_CJK) {
            /* Bigrams of adjacent units, then the last unit alone. Each
             * unit is encoded once: term[0..plen) holds the previous unit,
             * the next one is appended after it, and after the token the
             * next one's bytes move to the front. */
            size_t pb = i, pe = unit_end(t, i), plen = 0;
            term_add(term, &plen, cp, pb, pe);
            for (;;) {
                size_t ce, len;
                if (pe >= n || cls_of(cp[pe]) != HKS_CC_CJK) {
                    tok.term_len = plen;
                    tok.pos = pos++;
                    tok.src_start = t->src_start[pb];
                    tok.src_end = t->src_end[pe - 1];
                    tok.flags = HKS_TOK_CJK | HKS_TOK_LAST;
                    rc = fn(ctx, &tok);
                    if (rc < 0)
                        return rc;
                    break;
                }
                ce = unit_end(t, pe);
                len = plen;
                if (ce == pe + 1 && plen <= HKS_MAX_TERM_BYTES - 4)
                    len += utf8_put(term + plen, cp[pe]); /* cannot cut */
                else
                    term_add(term, &len, cp, pe, ce);
                tok.term_len = len;
                tok.pos = pos++;
                tok.src_start = t->src_start[pb];
                tok.src_end = t->src_end[ce - 1];
                tok.flags = HKS_TOK_CJK;
                rc = fn(ctx, &tok);
                if (rc < 0)
                    return rc;
                if (ce == pe + 1 && len - plen <= 4 && len > plen) {
                    /* One code point, fully encoded: slide it down. */
                    size_t w = len - plen;
                    memmove(term, term + plen, 4); /* plen + 4 <= TERM_BUF */
                    plen = w;
                } else {
                    /* A unit with marks may have been cut: re-encode. */
                    plen = 0;
                    term_add(term, &plen, cp, pe, ce);
                }
                pb = pe;
                pe = ce;
            }
            i = pe;
            gap_due = true;
        } else if (c == HKS_CC_WORD) {
            /* Letters, digits and marks; '.' between two digits. */
            size_t j = i + 1, len = 0;
            while (j < n) {
                uint32_t x = cp[j];
                hks_cclass cj = cls_of(x);
                if (cj == HKS_CC_WORD || cj == HKS_CC_MARK)
                    j++;
                else if (x == '.' && j + 1 < n && is_digit(cp[j - 1]) &&
                         is_digit(cp[j + 1]))
                    j += 2;
                else
                    break;
            }
            term_add(term, &len, cp, i, j);
            tok.term_len = len;
            tok.pos = pos++;
            tok.src_start = t->src_start[i];
            tok.src_end = t->src_end[j - 1];
            tok.flags = HKS_TOK_WORD;
            rc = fn(ctx, &tok);
            if (rc < 0)
                return rc;
            i = j;
            gap_due = true;
        } else {
            /* Separator (or a mark with no unit before it). */
            if (gap_due) {
                pos++;
                gap_due = false;
            }
            i++;
        }
    }
    if (next_pos_out)
        *next_pos_out = gap_due ? pos + 1 : pos;
    return HKS_OK;
}
