/*
 * utf8norm.c: UTF-8 decoding and search normalization, the first step of
 * both indexing and query parsing (tokenize.c reads what this produces).
 *
 * Each source "cluster" (a starter code point plus the combining marks that
 * follow it) is decoded, then normalized with utf8proc into our own buffer:
 * NFKC + case folding, default ignorables dropped, control characters
 * dropped except line and tab controls, which become U+0020 so whitespace
 * still separates words. Every resulting code point then goes through
 * hks_zhfold (traditional -> simplified) and is stored with the byte range
 * of the cluster it came from, so snippets can be cut from the original.
 *
 * Speed: news text is mostly ASCII and CJK Unified Ideographs, which NFKC
 * and case folding leave alone (ASCII only needs A-Z lowered). Both take a
 * fast path that never calls utf8proc as long as the next byte cannot
 * start a combining mark. Other single code points are checked against
 * their utf8proc property first and copied when nothing would change them;
 * only the rest (full-width forms, compatibility characters, clusters with
 * marks) is run through utf8proc_decompose_custom + _normalize_utf32.
 */
#include <string.h>
#include <utf8proc.h>

#include "hks_int.h"

/* utf8proc options: NFKC (COMPOSE + COMPAT, STABLE), case folding, drop
 * default ignorables (U+200B, U+FEFF, ...), and STRIPCC: controls dropped,
 * except HT/LF/VT/FF/CR/NEL which become a space. */
#define NORM_OPTS                                           \
    (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | \
     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_STRIPCC)

/* A cluster holds at most this many source code points; longer runs of
 * combining marks (zalgo text) are split into several clusters. That only
 * affects which source range a mark is given, and bounds the work buffer. */
#define CLUSTER_MAX_CP 16

/* Work buffer for one normalized cluster, in code points. The longest
 * NFKC + casefold expansion of one code point is 18 (U+FDFA), so 16 code
 * points fit with room to spare; a larger result is handled one code point
 * at a time (see norm_cluster). */
#define CLUSTER_BUF 1024

/* Marker in ascii_map for bytes that produce no code point. */
#define DROP 0xFFFFFFFFu

/* ASCII bytes after normalization: A-Z lowered, HT/LF/VT/FF/CR as a space
 * (what utf8proc's STRIPCC does), other C0 controls and DEL dropped. */
static const uint32_t ascii_map[128] = {
#define R8(a) (a), (a) + 1, (a) + 2, (a) + 3, (a) + 4, (a) + 5, (a) + 6, (a) + 7
    DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
    DROP, 0x20, 0x20, 0x20, 0x20, 0x20, DROP, DROP,
    DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
    DROP, DROP, DROP, DROP, DROP, DROP, DROP, DROP,
    R8(0x20), R8(0x28), R8(0x30), R8(0x38),
    0x40, R8(0x61), R8(0x69), R8(0x71), 0x79, 0x7A, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F,
    R8(0x60), R8(0x68), R8(0x70), 0x78, 0x79, 0x7A, 0x7B, 0x7C, 0x7D, 0x7E, DROP
#undef R8
};

/*
 * hks_utf8_decode (hks.h): the one UTF-8 decoder of the library. The lead
 * byte fixes the length and the range of the first continuation byte, so
 * overlong forms, surrogates and code points above U+10FFFF are refused at
 * the byte where they go wrong; that gives the maximal invalid subpart of
 * Unicode 15, section 3.9.
 */
int hks_utf8_decode(const char *str, size_t avail, uint32_t *cp_out)
{
    const uint8_t *s = (const uint8_t *)str;
    uint8_t b0;
    uint8_t lo = 0x80, hi = 0xBF;
    int need, k;
    uint32_t c;
    if (!s || avail == 0)
        return 0;
    b0 = s[0];
    if (b0 < 0x80) {
        *cp_out = b0;
        return 1;
    }
    if (b0 < 0xC2)
        return -1; /* continuation byte or overlong C0/C1 lead */
    if (b0 < 0xE0) {
        need = 1;
        c = b0 & 0x1Fu;
    } else if (b0 < 0xF0) {
        need = 2;
        c = b0 & 0x0Fu;
        if (b0 == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b0 == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b0 < 0xF5) {
        need = 3;
        c = b0 & 0x07u;
        if (b0 == 0xF0)
            lo = 0x90; /* overlong */
        else if (b0 == 0xF4)
            hi = 0x8F; /* over U+10FFFF */
    } else {
        return -1;
    }
    for (k = 1; k <= need; k++) {
        uint8_t b;
        if ((size_t)k >= avail)
            return -k;
        b = s[k];
        if (b < lo || b > hi)
            return -k;
        c = (c << 6) | (b & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp_out = c;
    return need + 1;
}

size_t hks_utf8_first_invalid(const char *p, size_t n)
{
    size_t i = 0;
    uint32_t cp;
    while (i < n) {
        int k;
        if ((unsigned char)p[i] < 0x80) {
            i++;
            continue;
        }
        k = hks_utf8_decode(p + i, n - i, &cp);
        if (k <= 0)
            return i;
        i += (size_t)k;
    }
    return SIZE_MAX;
}

/* Whether cp continues the cluster before it: a combining mark, a code
 * point NFC may compose with a preceding starter (utf8proc marks such
 * "second" characters with comb_index >= 0x8000), a Hangul medial or
 * final jamo, or a default ignorable (it vanishes, and must not split a
 * base from its marks: e + U+200B + U+0301 still reorders and composes
 * as one sequence). */
static bool is_follower(uint32_t cp)
{
    const utf8proc_property_t *p;
    if (cp >= 0x1160 && cp <= 0x11FF)
        return true;
    p = utf8proc_get_property((utf8proc_int32_t)cp);
    if (p->combining_class != 0 || p->ignorable)
        return true;
    if (p->category == UTF8PROC_CATEGORY_MN ||
        p->category == UTF8PROC_CATEGORY_MC ||
        p->category == UTF8PROC_CATEGORY_ME)
        return true;
    return p->comb_index != UINT16_MAX && p->comb_index >= 0x8000;
}

/* Whether the character starting at s[i] (i <= len) certainly does not
 * continue a cluster, judged from its bytes alone: end of text, ASCII,
 * U+4000..U+9FFF (E4..E9 lead), full-width forms U+FF00..U+FF7F, CJK
 * punctuation U+3000..U+303F except the marks U+302A..U+302F, and general
 * punctuation U+2010..U+2027 (dashes, quotes). This covers what follows a
 * character in nearly all Chinese news text; false means "look closer". */
static inline bool surely_starter(const uint8_t *s, size_t i, size_t len)
{
    uint8_t b;
    if (i >= len)
        return true;
    b = s[i];
    if (b < 0x80 || (b >= 0xE4 && b <= 0xE9))
        return true;
    if (i + 2 >= len)
        return false;
    if (b == 0xEF)
        return s[i + 1] == 0xBC || s[i + 1] == 0xBD;
    if (b == 0xE3)
        return s[i + 1] == 0x80 && (s[i + 2] < 0xAA || s[i + 2] > 0xAF);
    if (b == 0xE2)
        return s[i + 1] == 0x80 && s[i + 2] >= 0x90 && s[i + 2] <= 0xA7;
    return false;
}

/* Whether a lone code point is left unchanged by NORM_OPTS: no
 * decomposition, no case folding, not ignorable, not a control, not a
 * Hangul syllable (which utf8proc decomposes and recomposes). */
static bool is_stable(uint32_t cp)
{
    const utf8proc_property_t *p =
        utf8proc_get_property((utf8proc_int32_t)cp);
    return p->decomp_seqindex == UINT16_MAX &&
           p->casefold_seqindex == UINT16_MAX && !p->ignorable &&
           p->category != UTF8PROC_CATEGORY_CC &&
           !(cp >= 0xAC00 && cp <= 0xD7A3);
}

/* Make room for `need` entries in total, keeping the first t->n. The three
 * arrays share one allocation of 3 * cap entries (cp, src_start, src_end). */
static int reserve(hks_ntext *t, size_t need)
{
    size_t cap;
    uint32_t *blk;
    if (need <= t->cap)
        return HKS_OK;
    if (hks_grow_cap(t->cap, need, 3 * sizeof(uint32_t), 64, SIZE_MAX, &cap))
        return HKS_ERR_NOMEM;
    blk = hks_mem_alloc(t->a, cap * 3 * sizeof(uint32_t));
    if (!blk)
        return HKS_ERR_NOMEM;
    if (t->n) {
        memcpy(blk, t->cp, t->n * sizeof(uint32_t));
        memcpy(blk + cap, t->src_start, t->n * sizeof(uint32_t));
        memcpy(blk + 2 * cap, t->src_end, t->n * sizeof(uint32_t));
    }
    hks_mem_free(t->a, t->cp, t->cap * 3 * sizeof(uint32_t));
    t->cp = blk;
    t->src_start = blk + cap;
    t->src_end = blk + 2 * cap;
    t->cap = cap;
    return HKS_OK;
}

/* Normalize the valid UTF-8 bytes p[0..n) (one cluster, or one code point)
 * into buf[0..CLUSTER_BUF); returns the number of code points, before
 * traditional -> simplified folding. */
static size_t norm_bytes(const uint8_t *p, size_t n, utf8proc_int32_t *buf)
{
    utf8proc_ssize_t r;
    r = utf8proc_decompose_custom(p, (utf8proc_ssize_t)n, buf, CLUSTER_BUF,
                                  NORM_OPTS, NULL, NULL);
    if (r < 0 || r > CLUSTER_BUF) {
        /* Cannot happen for validated input of at most CLUSTER_MAX_CP code
         * points; normalize one code point at a time as a safe fallback. */
        size_t i = 0, w = 0;
        while (i < n && w + 64 <= CLUSTER_BUF) {
            uint32_t c;
            int l = hks_utf8_decode((const char *)p + i, n - i, &c);
            utf8proc_ssize_t k;
            if (l <= 0)
                break;
            k = utf8proc_decompose_char((utf8proc_int32_t)c,
                                        buf + w, 64, NORM_OPTS, NULL);
            if (k > 0 && k <= 64)
                w += (size_t)k;
            i += (size_t)l;
        }
        r = (utf8proc_ssize_t)w;
    }
    r = utf8proc_normalize_utf32(buf, r, NORM_OPTS);
    return r > 0 ? (size_t)r : 0;
}

/*
 * hks_ntext_init: an empty text using allocator a (borrowed, may be NULL
 * for malloc). Nothing is allocated until the first hks_norm_text.
 */
void hks_ntext_init(hks_ntext *t, const hks_alloc *a)
{
    memset(t, 0, sizeof *t);
    t->first_invalid = SIZE_MAX;
    t->a = a;
}

/*
 * hks_ntext_free: release t's arrays; t is empty afterwards and may be
 * reused. Accepts a text that was never filled.
 */
void hks_ntext_free(hks_ntext *t)
{
    hks_mem_free(t->a, t->cp, t->cap * 3 * sizeof(uint32_t));
    t->cp = t->src_start = t->src_end = NULL;
    t->n = t->cap = 0;
    t->n_invalid = 0;
    t->first_invalid = SIZE_MAX;
}

/*
 * hks_norm_text: normalize src[0..len) into t, replacing what t held (its
 * arrays are reused and grown as needed). See the section comment in
 * hks_int.h for what each entry means. Invalid UTF-8 is skipped, counted
 * in t->n_invalid and located by t->first_invalid; it is not an error.
 * @return HKS_OK; HKS_ERR_ARG if len > HKS_MAX_TEXT_BYTES or src is NULL
 * with len > 0; HKS_ERR_NOMEM (t is then empty but still valid).
 */
int hks_norm_text(hks_ntext *t, const char *src, size_t len)
{
    const uint8_t *s = (const uint8_t *)src;
    utf8proc_int32_t buf[CLUSTER_BUF];
    uint32_t *ocp, *ost, *oen;
    size_t i = 0, n = 0;
    int rc;

    t->n = 0;
    t->n_invalid = 0;
    t->first_invalid = SIZE_MAX;
    if (len > HKS_MAX_TEXT_BYTES || (!src && len))
        return HKS_ERR_ARG;
    /* Fast paths write at most one entry per source byte, so this much room
     * covers them; the slow path re-reserves when it expands. Invariant at
     * the top of the loop: t->cap - n >= len - i. */
    rc = reserve(t, len + 1);
    if (rc)
        return rc;
    ocp = t->cp;
    ost = t->src_start;
    oen = t->src_end;

    while (i < len) {
        uint8_t b = s[i];
        uint32_t c, c2;
        size_t j, ncp, k, m;
        int l;

        if (b < 0x80) {
            /* ASCII, unless a mark may follow. */
            if (surely_starter(s, i + 1, len)) {
                uint32_t v = ascii_map[b];
                if (v != DROP) {
                    ocp[n] = v;
                    ost[n] = (uint32_t)i;
                    oen[n] = (uint32_t)i + 1;
                    n++;
                }
                i++;
                continue;
            }
        } else if (b >= 0xE4 && b <= 0xE9 && i + 3 <= len &&
                   (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
            /* U+4000..U+9FFF, unless a mark may follow. */
            c = ((uint32_t)(b & 0x0F) << 12) |
                ((uint32_t)(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3Fu);
            if (c >= 0x4E00 && surely_starter(s, i + 3, len)) {
                ocp[n] = hks_zhfold(c);
                ost[n] = (uint32_t)i;
                oen[n] = (uint32_t)i + 3;
                n++;
                i += 3;
                continue;
            }
        }

        /* General path: decode the starter, then gather followers. */
        l = hks_utf8_decode((const char *)s + i, len - i, &c);
        if (l < 0) {
            if (t->first_invalid == SIZE_MAX)
                t->first_invalid = i;
            t->n_invalid++;
            i += (size_t)-l;
            continue;
        }
        j = i + (size_t)l;
        ncp = 1;
        while (!surely_starter(s, j, len) && ncp < CLUSTER_MAX_CP) {
            int l2 = hks_utf8_decode((const char *)s + j, len - j, &c2);
            if (l2 < 0 || !is_follower(c2))
                break;
            j += (size_t)l2;
            ncp++;
        }

        if (ncp == 1) {
            /* A lone code point: skip utf8proc when nothing changes. */
            if (c < 0x80) {
                c = ascii_map[c];
            } else if (c >= 0xFF01 && c <= 0xFF5E) {
                c = ascii_map[c - 0xFEE0]; /* full-width ASCII, NFKC */
            } else if (c == 0x3000) {
                c = 0x20; /* ideographic space, NFKC */
            } else if ((c >= 0x4E00 && c <= 0x9FFF) || is_stable(c)) {
                c = hks_zhfold(c);
            } else {
                goto full;
            }
            if (c != DROP) {
                ocp[n] = c;
                ost[n] = (uint32_t)i;
                oen[n] = (uint32_t)j;
                n++;
            }
            i = j;
            continue;
        }

    full:
        m = norm_bytes(s + i, j - i, buf);
        if (n + m + (len - j) > t->cap) {
            t->n = n;
            rc = reserve(t, n + m + (len - j) + 1);
            if (rc) {
                t->n = 0;
                return rc;
            }
            ocp = t->cp;
            ost = t->src_start;
            oen = t->src_end;
        }
        for (k = 0; k < m; k++) {
            ocp[n] = hks_zhfold((uint32_t)buf[k]);
            ost[n] = (uint32_t)i;
            oen[n] = (uint32_t)j;
            n++;
        }
        i = j;
    }
    t->n = n;
    return HKS_OK;
}

/*
 * hks_norm_cp: normalize the single code point cp (no combining context)
 * into out[0..cap). @return the number of code points written (0 when cp
 * normalizes to nothing or is not a Unicode scalar value), at most cap;
 * a longer result is cut.
 */
size_t hks_norm_cp(uint32_t cp, uint32_t *out, size_t cap)
{
    utf8proc_int32_t buf[CLUSTER_BUF];
    uint8_t u[4];
    size_t m, k;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    m = norm_bytes(u, hks_utf8_put(u, cp), buf);
    if (m > cap)
        m = cap;
    for (k = 0; k < m; k++)
        out[k] = hks_zhfold((uint32_t)buf[k]);
    return m;
}

/*
 * hks_norm_unicode_version: the Unicode version of utf8proc's tables, e.g.
 * "15.0.0". Static storage.
 */
const char *hks_norm_unicode_version(void)
{
    return utf8proc_unicode_version();
}

int hks_norm_compact(hks_ntext *nt, const char *s, size_t n, uint8_t *out, size_t cap,
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
        if (len + k > cap) {
            rc = HKS_ERR_BUFSIZE; /* cut at a code point */
            break;
        }
        memcpy(out + len, tmp, k);
        len += k;
    }
    while (len && out[len - 1] == ' ')
        len--;
    *len_out = len;
    return rc;
}
