/*
 * textenc.c: the bytes of a text file as UTF-8 (hks_indexer.h). UTF-8 is
 * taken as it is (a BOM is dropped); UTF-16 with a BOM is converted; other
 * bytes are tried as GB18030 and as Big5 (HKSCS), and when both decode,
 * the one whose characters are the common ones of Chinese news wins (see
 * FREQ_HANZI). iconv converts, strictly: a byte that is not valid in an
 * encoding rules it out.
 */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hks_indexer.h"

/*
 * Convert in[0..n) from encoding `from` to UTF-8 with iconv, strictly (no
 * //IGNORE or //TRANSLIT): *out_out is a new block of *cap_out bytes
 * (allocated through a; the caller frees it) holding *n_out bytes.
 * @return HKS_OK; HKS_ERR_INPUT if the bytes are not valid in `from`
 *         (nothing allocated); HKS_ERR_NOMEM; HKS_ERR_ARG if iconv lacks
 *         the encoding.
 */
static int convert(const hks_alloc *a, const char *from, const char *in, size_t n,
                   char **out_out, size_t *n_out, size_t *cap_out)
{
    iconv_t cd = iconv_open("UTF-8", from);
    size_t cap, left_in = n, left_out;
    char *out = NULL, *ip = (char *)in, *op;
    int rc = HKS_OK;

    *out_out = NULL;
    *n_out = 0;
    *cap_out = 0;
    if (cd == (iconv_t)-1)
        return HKS_ERR_ARG;
    /* Two input bytes give at most three UTF-8 bytes (GBK, Big5, UTF-16
     * BMP); four give at most four. 2n + 16 is always enough, but E2BIG is
     * handled anyway. */
    cap = n <= (SIZE_MAX - 16) / 2 ? 2 * n + 16 : SIZE_MAX;
    out = hks_mem_alloc(a, cap);
    if (!out) {
        rc = HKS_ERR_NOMEM;
        goto out;
    }
    op = out;
    left_out = cap;
    while (left_in > 0) {
        if (iconv(cd, &ip, &left_in, &op, &left_out) != (size_t)-1)
            break;
        if (errno == E2BIG) {
            size_t used = (size_t)(op - out);
            char *nb = hks_grow(a, out, 1, cap, cap + 1, cap, SIZE_MAX, &cap);
            if (!nb) {
                rc = HKS_ERR_NOMEM;
                goto out;
            }
            out = nb;
            op = out + used;
            left_out = cap - used;
            continue;
        }
        rc = HKS_ERR_INPUT; /* EILSEQ, or EINVAL: truncated at the end */
        goto out;
    }
    *n_out = (size_t)(op - out);
out:
    iconv_close(cd);
    if (rc < 0) {
        hks_mem_free(a, out, cap);
        return rc;
    }
    *out_out = out;
    *cap_out = cap;
    return HKS_OK;
}

/*
 * About 160 of the most frequent Han characters of Chinese news text, in
 * both scripts: first characters written the same in simplified and
 * traditional Chinese (的 一 是 不 了 在 人 有 ...), then frequent
 * characters in their simplified and traditional forms (这 這, 个 個, 们
 * 們, 国 國, ...). Used only to choose between GB18030 and Big5 when a file
 * decodes either way: the right decoding gives ordinary characters, the
 * wrong one rare ones (Big5 bytes read as GB18030 give a scramble of
 * simplified characters that is almost never these).
 */
static const char FREQ_HANZI[] =
    "的一是不了在人有我他中大上以要就出可也你生能而子那得下自之年作用道行"
    "所然家事成方多去法如都同定天分好小部其些主理心本前但因只想日者意力"
    "把十民第公此已工使情明性知全三又正外高由很最重物手向文美相被利二等"
    "或新制身果加西月合回特代表化老世位次度任常先海通教原名"
    "这這个個们們国國来來为為说說时時会會对對着著过過发發后後里裡经經"
    "学學现現当當没沒动動还還进進样樣开開从從实實无無与與长長机機关關"
    "点點业業将將两兩间間问問应應头頭体體见見医醫卫衛务務员員区區县縣"
    "闻聞报報据據门門东東产產处處计計设設组組检檢疗療药藥护護电電请請";

/* CJK Unified Ideographs (the basic block, where GB2312 and Big5 put all
 * their Han characters). */
static bool is_cjk_basic(uint32_t cp)
{
    return cp >= 0x4E00 && cp <= 0x9FFF;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/*
 * How much utf8[0..n) looks like Chinese text: +3 for a character of
 * FREQ_HANZI, +1 for another basic CJK ideograph, 0 for ASCII, CJK and
 * full-width punctuation, -2 for anything else (rare blocks, private use,
 * Hangul, symbols: what a wrong decoding produces).
 */
static long zh_score(const char *utf8, size_t n)
{
    uint32_t freq[sizeof FREQ_HANZI / 3 + 1];
    size_t n_freq = 0, i = 0;
    int k;
    long score = 0;
    uint32_t cp;

    for (size_t j = 0; j < sizeof FREQ_HANZI - 1; j += (size_t)k) {
        k = hks_utf8_decode(FREQ_HANZI + j, sizeof FREQ_HANZI - 1 - j, &cp);
        if (k <= 0)
            break; /* cannot happen: the list is valid UTF-8 */
        freq[n_freq++] = cp;
    }
    qsort(freq, n_freq, sizeof freq[0], cmp_u32);
    while (i < n) {
        k = hks_utf8_decode(utf8 + i, n - i, &cp);
        if (k <= 0) { /* iconv output is valid UTF-8; be safe anyway */
            i += (size_t)-k;
            continue;
        }
        i += (size_t)k;
        if (cp < 0x80 || (cp >= 0x3000 && cp <= 0x303F) ||
            (cp >= 0xFF00 && cp <= 0xFFEF) || (cp >= 0x2010 && cp <= 0x206F))
            continue;
        if (bsearch(&cp, freq, n_freq, sizeof freq[0], cmp_u32))
            score += 3;
        else if (is_cjk_basic(cp))
            score += 1;
        else
            score -= 2;
    }
    return score;
}

int hks_text_decode(const hks_alloc *a, const char *raw, size_t n, hks_dtext *t, char *note,
                    size_t note_cap)
{
    const unsigned char *u = (const unsigned char *)raw;
    size_t bad;
    int rc;

    memset(t, 0, sizeof *t);
    if (note_cap)
        note[0] = '\0';
    /* A byte order mark says what the file is. */
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        raw += 3; /* u is not read past here */
        n -= 3;
    } else if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) ||
                          (u[0] == 0xFE && u[1] == 0xFF))) {
        const char *enc = u[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
        rc = convert(a, enc, raw + 2, n - 2, &t->own, &t->n, &t->own_cap);
        if (rc == HKS_ERR_NOMEM)
            return rc;
        if (rc < 0) {
            snprintf(note, note_cap, "not valid %s despite its byte order mark, skipped",
                     enc);
            return HKS_DONE;
        }
        t->p = t->own;
        if (memchr(t->p, '\0', t->n)) {
            snprintf(note, note_cap, "binary file (NUL character), skipped");
            return HKS_DONE;
        }
        return HKS_OK;
    }
    if (memchr(raw, '\0', n)) {
        snprintf(note, note_cap, "binary file (NUL byte at %zu), skipped",
                 (size_t)((const char *)memchr(raw, '\0', n) - raw));
        return HKS_DONE;
    }
    bad = hks_utf8_first_invalid(raw, n);
    if (bad == SIZE_MAX) {
        t->p = raw;
        t->n = n;
        return HKS_OK;
    }
    {
        /* Not UTF-8: try the two legacy Chinese encodings. */
        hks_dtext gb = {0}, b5 = {0};
        int rc_gb = convert(a, "GB18030", raw, n, &gb.own, &gb.n, &gb.own_cap);
        int rc_b5 = HKS_ERR_INPUT;
        if (rc_gb != HKS_ERR_NOMEM)
            rc_b5 = convert(a, "BIG5-HKSCS", raw, n, &b5.own, &b5.n,
                            &b5.own_cap);
        if (rc_gb == HKS_ERR_NOMEM || rc_b5 == HKS_ERR_NOMEM) {
            hks_mem_free(a, gb.own, gb.own_cap);
            hks_mem_free(a, b5.own, b5.own_cap);
            return HKS_ERR_NOMEM;
        }
        if (rc_gb == HKS_OK && rc_b5 == HKS_OK) {
            long s_gb = zh_score(gb.own, gb.n), s_b5 = zh_score(b5.own, b5.n);
            bool use_gb = s_gb >= s_b5;
            snprintf(note, note_cap, "converted from %s (valid in GB18030 and Big5; chose "
                                     "by character frequency, score %ld vs %ld)",
                     use_gb ? "GB18030" : "BIG5-HKSCS",
                     use_gb ? s_gb : s_b5, use_gb ? s_b5 : s_gb);
            if (use_gb) {
                *t = gb;
                hks_mem_free(a, b5.own, b5.own_cap);
            } else {
                *t = b5;
                hks_mem_free(a, gb.own, gb.own_cap);
            }
        } else if (rc_gb == HKS_OK) {
            snprintf(note, note_cap, "converted from GB18030");
            *t = gb;
        } else if (rc_b5 == HKS_OK) {
            snprintf(note, note_cap, "converted from BIG5-HKSCS");
            *t = b5;
        } else {
            snprintf(note, note_cap, "invalid UTF-8 at byte %zu (and not GB18030 or Big5), "
                                     "skipped",
                     bad);
            return HKS_DONE;
        }
        t->p = t->own;
        return HKS_OK;
    }
}
