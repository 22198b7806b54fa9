/*
 * corpus_read.c: streams the articles of a source to a callback, for the
 * writer (writer.c, hks_writer_add_path). A source is
 *   - a folder: every *.txt and *.md file below it, one article each,
 *     visited in byte order of names, directory by directory (hidden files
 *     and folders skipped, and README/LICENSE/COPYING files, which document
 *     the folder); id = the path below the folder, collection =
 *     the folder's base name, title = hks_title_guess(), date = the first
 *     YYYY-MM-DD in the header lines; a .md file's front matter (title,
 *     date, source, url between "---" lines) gives those fields instead;
 *   - a single .txt or .md file (id = its name, collection = its folder's
 *     base name);
 *   - a .jsonl or .jsonl.zst file: one JSON object a line (json.c) with
 *     "id" and "body" and optional "title", "date", "source", "url";
 *     collection = the file's base name without .jsonl/.jsonl.zst. The zstd
 *     stream is decompressed as it is read, never whole in memory.
 *
 * Text files may be UTF-8 (a BOM is dropped), UTF-16 with a BOM, GB18030 or
 * Big5 (HKSCS); the last two are told apart by how common the decoded
 * characters are (see FREQ_HANZI). A file that cannot be decoded, holds a
 * NUL byte or is empty is skipped with a warning. A malformed JSONL line is
 * reported as "FILE:LINE: what" and skipped. JSONL text is passed through
 * as it is: invalid UTF-8 there is skipped later by the normalizer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createDCtx_advanced: our allocator */
#include <zstd.h>
#include <zstd_errors.h>

#include "hks_indexer.h"

/* Longest JSONL line and largest text file read, in bytes. Far above any
 * real article (the longest hkcnews record is under 1 MiB) yet low enough
 * that one bad line cannot take all memory. A longer line is skipped with a
 * warning; a larger text file too. */
#define MAX_LINE_BYTES (256u << 20)
#define MAX_TEXT_FILE_BYTES (256u << 20)

/* Line buffer: starts at 1 MiB and doubles; each read asks for at least
 * MIN_FREE bytes so zstd can write whole blocks (ZSTD_DStreamOutSize() is
 * 128 KiB) and plain reads stay large. */
#define LINE_BUF_INIT (1u << 20)
#define LINE_MIN_FREE (256u << 10)

/* cb->progress is called each time this many more input bytes were read. */
#define PROGRESS_STEP (1u << 20)

/* Folders nested deeper than this are skipped with a warning; it also stops
 * a symbolic link loop. */
#define MAX_DIR_DEPTH 64

/* The title is looked for among this many non-empty first lines, and the
 * date too. Scraped pages put navigation, site name, headline and a date
 * line first; 30 lines cover the worst seed (004 has 9 lines of header). */
#define HEAD_LINES 30

/* hks_doc.id is 1..1024 bytes (hks.h). */
#define MAX_ID_BYTES 1024

/* State of one hks_corpus_read() call. */
typedef struct crd {
    const hks_alloc *a;      /* allocator (borrowed; may be NULL)          */
    hks_article_fn fn;       /* article callback                           */
    void *ctx;               /* its context                                */
    const hks_callbacks *cb; /* warn/progress (may be NULL)               */
    hks_progress *prog;      /* counters (never NULL here)                 */
    hks_errbuf *e;           /* message of an error that stops the source  */
    uint64_t next_progress;  /* n_bytes at which progress is called next   */
    hks_json *json;          /* JSONL parser, created on first use         */
    char *pb;                /* folder walk: full path of the current entry */
    size_t pb_cap;           /* bytes allocated for pb                     */
    size_t root_len;         /* folder walk: length of the folder's path   */
} crd;

/* ---- Messages, progress, callback --------------------------------------- */

/* Send one warning to cb->warn (formatted; nothing happens without one). */
static void warn(crd *r, const char *fmt, ...) HKS_PRINTF(2, 3);
static void warn(crd *r, const char *fmt, ...)
{
    char msg[HKS_ERRMSG_MAX + 256];
    va_list ap;
    if (!r->cb || !r->cb->warn)
        return;
    va_start(ap, fmt);
    /* ap is started just above (clang-analyzer-valist false positive). */
    vsnprintf(msg, sizeof msg, fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
    va_end(ap);
    r->cb->warn(r->cb->ud, msg);
}

/* Count n input bytes; call cb->progress each PROGRESS_STEP bytes. */
static void add_bytes(crd *r, uint64_t n)
{
    r->prog->n_bytes += n;
    if (r->prog->n_bytes >= r->next_progress) {
        /* Next multiple of the step, so calls stay about a step apart
         * whatever the size of each read. */
        while (r->next_progress <= r->prog->n_bytes)
            r->next_progress += PROGRESS_STEP;
        if (r->cb && r->cb->progress)
            r->cb->progress(r->cb->ud, r->prog);
    }
}

/* One record skipped: counted and reported. */
static void reject(crd *r)
{
    r->prog->n_rejected++;
}

/* Hand a document to the callback. @return HKS_OK or its negative value. */
static int emit(crd *r, const hks_doc *d)
{
    int rc = r->fn(r->ctx, d);
    if (rc == HKS_OK)
        r->prog->n_docs++;
    return rc < 0 ? rc : HKS_OK;
}

/* An errno text without strerror()'s shared buffer. */
static const char *errtext(int err, char *buf, size_t cap)
{
    /* The GNU strerror_r (the build defines _GNU_SOURCE) returns a string
     * that may or may not be buf. */
    return strerror_r(err, buf, cap);
}

/* The last component of path, ignoring trailing slashes: [*p_out, +*n_out). */
static void base_name(const char *path, const char **p_out, size_t *n_out)
{
    size_t end = strlen(path), start;
    while (end > 1 && path[end - 1] == '/')
        end--;
    start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    *p_out = path + start;
    *n_out = end - start;
}

/* True if name ends with suffix, ASCII case-insensitively. */
static bool has_suffix(const char *name, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(name + n - k, suffix, k) == 0;
}

/*
 * The collection of a source (see the top of this file): a folder's base
 * name, a JSONL file's base name without .jsonl/.jsonl.zst, a single
 * article's folder's base name; ".", ".." and "/" are named after the real
 * folder. out gets at most cap - 1 bytes and a NUL.
 */
int hks_corpus_collection(const char *path, bool is_dir, char *out, size_t cap, size_t *len_out)
{
    char dir[4096], real[4096];
    const char *name, *coll;
    size_t name_len, coll_len;
    *len_out = 0;
    if (cap == 0)
        return HKS_ERR_ARG;
    out[0] = '\0';
    base_name(path, &name, &name_len);
    if (!is_dir && has_suffix(name, name_len, ".jsonl.zst")) {
        coll = name;
        coll_len = name_len - strlen(".jsonl.zst");
    } else if (!is_dir && has_suffix(name, name_len, ".jsonl")) {
        coll = name;
        coll_len = name_len - strlen(".jsonl");
    } else {
        size_t dl = is_dir ? strlen(path) : (size_t)(name - path);
        if (dl >= sizeof dir)
            return HKS_ERR_ARG;
        memcpy(dir, dl ? path : ".", dl ? dl : 1);
        dir[dl ? dl : 1] = '\0';
        base_name(dir, &coll, &coll_len);
        if ((coll_len == 1 && (coll[0] == '.' || coll[0] == '/')) ||
            (coll_len == 2 && coll[0] == '.' && coll[1] == '.')) {
            if (realpath(dir, real))
                base_name(real, &coll, &coll_len);
        }
    }
    if (coll_len >= cap)
        return HKS_ERR_ARG;
    memcpy(out, coll, coll_len);
    out[coll_len] = '\0';
    *len_out = coll_len;
    return HKS_OK;
}

/* ---- UTF-8 and other encodings ------------------------------------------ */

/* Decode one UTF-8 sequence at p[0..n) (n > 0): its code point and length,
 * or length 0 if it is invalid (overlong, surrogate, > U+10FFFF, bad or
 * missing continuation byte). */
static size_t utf8_dec(const unsigned char *p, size_t n, uint32_t *cp_out)
{
    uint32_t c = p[0], cp;
    size_t len, i;
    if (c < 0x80) {
        *cp_out = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    *cp_out = cp;
    return len;
}

/* Offset of the first invalid UTF-8 sequence in p[0..n), SIZE_MAX if the
 * whole text is valid. */
static size_t utf8_first_invalid(const unsigned char *p, size_t n)
{
    size_t i = 0;
    uint32_t cp;
    while (i < n) {
        size_t k;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        k = utf8_dec(p + i, n - i, &cp);
        if (k == 0)
            return i;
        i += k;
    }
    return SIZE_MAX;
}

/*
 * Convert in[0..n) from encoding `from` to UTF-8 with iconv, strictly (no
 * //IGNORE or //TRANSLIT): *out_out is a new block of *cap_out bytes
 * (allocated through r->a; the caller frees it) holding *n_out bytes.
 * @return HKS_OK; HKS_ERR_INPUT if the bytes are not valid in `from`
 *         (nothing allocated); HKS_ERR_NOMEM; HKS_ERR_ARG if iconv lacks
 *         the encoding.
 */
static int convert(crd *r, const char *from, const char *in, size_t n,
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
    out = hks_mem_alloc(r->a, cap);
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
            char *nb = hks_grow(r->a, out, 1, cap, cap + 1, cap, SIZE_MAX, &cap);
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
        hks_mem_free(r->a, out, cap);
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
    size_t n_freq = 0, i = 0, k;
    const unsigned char *f = (const unsigned char *)FREQ_HANZI;
    const unsigned char *p = (const unsigned char *)utf8;
    long score = 0;
    uint32_t cp;

    for (size_t j = 0; j < sizeof FREQ_HANZI - 1; j += k) {
        k = utf8_dec(f + j, sizeof FREQ_HANZI - 1 - j, &cp);
        if (k == 0)
            break; /* cannot happen: the list is valid UTF-8 */
        freq[n_freq++] = cp;
    }
    qsort(freq, n_freq, sizeof freq[0], cmp_u32);
    while (i < n) {
        k = utf8_dec(p + i, n - i, &cp);
        if (k == 0) { /* iconv output is valid UTF-8; be safe anyway */
            i++;
            continue;
        }
        i += k;
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

/* The decoded text of a file: either a view of the raw bytes or a block of
 * its own. */
typedef struct dtext {
    const char *p;  /* UTF-8 text                                    */
    size_t n;       /* its length                                    */
    char *own;      /* block to free (NULL when p points into raw)   */
    size_t own_cap; /* its size                                     */
} dtext;

/*
 * Decode the raw bytes of text file `path` to UTF-8 into *t.
 * @return HKS_OK (t set), HKS_DONE when the file was skipped with a warning
 *         (binary, undecodable), or HKS_ERR_NOMEM.
 */
static int decode_text(crd *r, const char *path, const char *raw, size_t n,
                       dtext *t)
{
    const unsigned char *u = (const unsigned char *)raw;
    size_t bad;
    int rc;

    memset(t, 0, sizeof *t);
    /* A byte order mark says what the file is. */
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        raw += 3;
        n -= 3;
        u += 3;
    } else if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) ||
                          (u[0] == 0xFE && u[1] == 0xFF))) {
        const char *enc = u[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
        rc = convert(r, enc, raw + 2, n - 2, &t->own, &t->n, &t->own_cap);
        if (rc == HKS_ERR_NOMEM)
            return rc;
        if (rc < 0) {
            warn(r, "%s: not valid %s despite its byte order mark, skipped",
                 path, enc);
            return HKS_DONE;
        }
        t->p = t->own;
        if (memchr(t->p, '\0', t->n)) {
            warn(r, "%s: binary file (NUL character), skipped", path);
            return HKS_DONE;
        }
        return HKS_OK;
    }
    if (memchr(raw, '\0', n)) {
        warn(r, "%s: binary file (NUL byte at %zu), skipped", path,
             (size_t)((const char *)memchr(raw, '\0', n) - raw));
        return HKS_DONE;
    }
    bad = utf8_first_invalid(u, n);
    if (bad == SIZE_MAX) {
        t->p = raw;
        t->n = n;
        return HKS_OK;
    }
    {
        /* Not UTF-8: try the two legacy Chinese encodings. */
        dtext gb = {0}, b5 = {0};
        int rc_gb = convert(r, "GB18030", raw, n, &gb.own, &gb.n, &gb.own_cap);
        int rc_b5 = HKS_ERR_INPUT;
        if (rc_gb != HKS_ERR_NOMEM)
            rc_b5 = convert(r, "BIG5-HKSCS", raw, n, &b5.own, &b5.n,
                            &b5.own_cap);
        if (rc_gb == HKS_ERR_NOMEM || rc_b5 == HKS_ERR_NOMEM) {
            hks_mem_free(r->a, gb.own, gb.own_cap);
            hks_mem_free(r->a, b5.own, b5.own_cap);
            return HKS_ERR_NOMEM;
        }
        if (rc_gb == HKS_OK && rc_b5 == HKS_OK) {
            long s_gb = zh_score(gb.own, gb.n), s_b5 = zh_score(b5.own, b5.n);
            bool use_gb = s_gb >= s_b5;
            warn(r,
                 "%s: converted from %s (valid in GB18030 and Big5; chose "
                 "by character frequency, score %ld vs %ld)",
                 path, use_gb ? "GB18030" : "BIG5-HKSCS",
                 use_gb ? s_gb : s_b5, use_gb ? s_b5 : s_gb);
            if (use_gb) {
                *t = gb;
                hks_mem_free(r->a, b5.own, b5.own_cap);
            } else {
                *t = b5;
                hks_mem_free(r->a, gb.own, gb.own_cap);
            }
        } else if (rc_gb == HKS_OK) {
            warn(r, "%s: converted from GB18030", path);
            *t = gb;
        } else if (rc_b5 == HKS_OK) {
            warn(r, "%s: converted from BIG5-HKSCS", path);
            *t = b5;
        } else {
            warn(r,
                 "%s: invalid UTF-8 at byte %zu (and not GB18030 or Big5), "
                 "skipped",
                 path, bad);
            return HKS_DONE;
        }
        t->p = t->own;
        return HKS_OK;
    }
}

/* ---- Title and date of a scraped article -------------------------------- */

/* One non-empty line of the head of an article, trimmed. */
typedef struct hline {
    size_t start;   /* byte offset of the trimmed line               */
    size_t len;     /* its length in bytes                           */
    size_t n_cp;    /* code points                                   */
    size_t n_han;   /* CJK ideographs                                */
    size_t n_digit; /* ASCII digits                                */
    size_t n_alpha; /* ASCII letters                               */
    bool is_h1;     /* a Markdown "# " heading                       */
} hline;

/* Is cp a Han ideograph (basic block, extension A, compatibility, or the
 * supplementary ideographic plane)? */
static bool is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

/* Length of the blank (space, tab, CR, U+00A0, U+3000, U+FEFF) at p[0..n),
 * 0 if p does not start with one. */
static size_t blank_at(const unsigned char *p, size_t n)
{
    if (n >= 1 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' ||
                   p[0] == '\f' || p[0] == '\v'))
        return 1;
    if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if (n >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        return 3;
    return 0;
}

/* Length of the blank ending at p[n-1], 0 if none. */
static size_t blank_before(const unsigned char *p, size_t n)
{
    if (n >= 1 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' ||
                   p[n - 1] == '\f' || p[n - 1] == '\v'))
        return 1;
    if (n >= 2 && p[n - 2] == 0xC2 && p[n - 1] == 0xA0)
        return 2;
    if (n >= 3 && p[n - 3] == 0xE3 && p[n - 2] == 0x80 && p[n - 1] == 0x80)
        return 3;
    if (n >= 3 && p[n - 3] == 0xEF && p[n - 2] == 0xBB && p[n - 1] == 0xBF)
        return 3;
    return 0;
}

/* Split the first non-empty lines of text into lines[0..HEAD_LINES);
 * returns how many. Lines are trimmed of blanks; a Markdown heading also
 * loses its leading '#'s. */
static size_t head_lines(const char *text, size_t n, hline *lines)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t pos = 0, count = 0;

    while (pos < n && count < HEAD_LINES) {
        const unsigned char *nl = memchr(u + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - u) : n, s = pos, e = end, k;
        hline *l = &lines[count];
        pos = nl ? end + 1 : n;
        while (s < e && (k = blank_at(u + s, e - s)) > 0)
            s += k;
        while (e > s && (k = blank_before(u + s, e - s)) > 0)
            e -= k;
        memset(l, 0, sizeof *l);
        if (e - s >= 2 && u[s] == '#') {
            size_t h = s;
            while (h < e && u[h] == '#')
                h++;
            if (h < e && u[h] == ' ') {
                l->is_h1 = h - s == 1;
                s = h;
                while (s < e && (k = blank_at(u + s, e - s)) > 0)
                    s += k;
            }
        }
        if (s == e)
            continue;
        l->start = s;
        l->len = e - s;
        for (size_t i = s; i < e;) {
            uint32_t cp;
            k = utf8_dec(u + i, e - i, &cp);
            if (k == 0) {
                i++;
                cp = 0xFFFD;
            } else {
                i += k;
            }
            l->n_cp++;
            if (is_han(cp))
                l->n_han++;
            else if (cp >= '0' && cp <= '9')
                l->n_digit++;
            else if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
                l->n_alpha++;
        }
        count++;
    }
    return count;
}

/* Does line l of text contain the UTF-8 string s? */
static bool has(const char *text, const hline *l, const char *s)
{
    size_t k = strlen(s);
    const char *p = text + l->start, *end = p + l->len;
    while ((size_t)(end - p) >= k) {
        const char *q = memchr(p, (unsigned char)s[0], (size_t)(end - p) - k + 1);
        if (!q)
            return false;
        if (memcmp(q, s, k) == 0)
            return true;
        p = q + 1;
    }
    return false;
}

static bool ends_with(const char *text, const hline *l, const char *s)
{
    size_t k = strlen(s);
    return l->len >= k && memcmp(text + l->start + l->len - k, s, k) == 0;
}

static bool starts_with(const char *text, const hline *l, const char *s)
{
    size_t k = strlen(s);
    return l->len >= k && memcmp(text + l->start, s, k) == 0;
}

static bool has_any(const char *text, const hline *l, const char *const *list)
{
    for (; *list; list++) {
        if (has(text, l, *list))
            return true;
    }
    return false;
}

/* Page furniture: a line holding one of these is never the headline.
 * Simplified and traditional forms of navigation ("当前位置" current
 * position, "首页" home page), metadata labels ("来源" source, "发稿时间"
 * filed at, "浏览" views, "责任编辑" editor, "作者" author, "摘要"
 * abstract, "原标题" original title), site chrome ("设为首页" make home
 * page, "加入收藏" bookmark, "新闻热线" news hotline, "星期" weekday of a
 * date banner, "版权" copyright, "分享到" share to, "打印" print). */
static const char *const FURNITURE[] = {
    "当前位置", "當前位置", "您现在的位置", "您現在的位置", "现在位置",
    "首页", "首頁", "来源:", "来源:", "來源:", "來源:", "来源 ", "發稿時間",
    "发稿时间", "发布时间", "發佈時間", "發布時間", "时间:", "时间:", "時間:",
    "時間:", "浏览", "瀏覽", "点击数", "點擊數", "设为首页", "設為首頁",
    "加入收藏", "星期", "新闻热线", "新聞熱線", "责任编辑", "責任編輯", "编辑:",
    "编辑:", "編輯:", "編輯:", "网络编辑", "作者:", "作者:", "摘要:", "摘要:",
    "原标题", "原標題", "版权所有", "版權所有", "Copyright", "copyright",
    "分享到", "打印本页", "关闭窗口", "關閉窗口", "字号", "字號", NULL};

/* Markers of a metadata line (source, author, date) or of the first line of
 * the body ("本报讯" from our correspondent, "记者" reporter, "通讯员"
 * correspondent). A headline is usually just above one of these. */
static const char *const META[] = {
    "来源", "來源", "发稿", "發稿", "发布", "發佈", "發布", "时间", "時間",
    "编辑", "編輯", "作者", "浏览", "瀏覽", "记者", "記者", "通讯员",
    "通訊員", NULL};
static const char *const LEAD[] = {"本报讯", "本報訊", "讯:", "訊:", "讯 ",
                                   "电(记者", "電(記者", "讯(", "訊(", NULL};

/* Does line l contain a date "YYYY-..", "YYYY/..", "YYYY.." or "YYYY年"? */
static bool has_date(const char *text, const hline *l)
{
    const unsigned char *p = (const unsigned char *)text + l->start;
    for (size_t i = 0; i + 5 <= l->len; i++) {
        if ((p[i] == '1' || p[i] == '2') && p[i + 1] >= '0' &&
            p[i + 1] <= '9' && p[i + 2] >= '0' && p[i + 2] <= '9' &&
            p[i + 3] >= '0' && p[i + 3] <= '9' &&
            (i == 0 || p[i - 1] < '0' || p[i - 1] > '9')) {
            if (p[i + 4] == '-' || p[i + 4] == '/' || p[i + 4] == '.')
                return true;
            if (i + 7 <= l->len && memcmp(p + i + 4, "年", 3) == 0)
                return true;
        }
    }
    return false;
}

/* A line that is page furniture, a file name, a label or too short or long
 * to be a headline. */
static bool never_title(const char *text, const hline *l)
{
    static const char *const files[] = {".jpg", ".jpeg", ".png", ".gif",
                                        ".bmp", ".webp", NULL};
    if (l->n_cp > 80)
        return true; /* a paragraph of the body */
    if (l->n_han < 4 && !(l->n_han == 0 && l->n_alpha >= 8))
        return true; /* "0", "书写", "[编辑:...]": too little text */
    if (ends_with(text, l, ":") || ends_with(text, l, ":"))
        return true; /* a label such as "市卫健委:" */
    if (ends_with(text, l, "摄") || ends_with(text, l, "攝"))
        return true; /* photo credit "... 王庆 摄" */
    for (const char *const *f = files; *f; f++) {
        size_t k = strlen(*f);
        if (l->len >= k &&
            strncasecmp(text + l->start + l->len - k, *f, k) == 0)
            return true;
    }
    return has_any(text, l, FURNITURE);
}

/* Is l a metadata line (source, date, author)? Such lines are short; the
 * length bound keeps "工作者" in a paragraph from passing for "作者". */
static bool is_meta(const char *text, const hline *l)
{
    return l->n_cp <= 60 && (has_date(text, l) || has_any(text, l, META));
}

/* Is l the start of the body: a long paragraph or a news lead? */
static bool is_body(const char *text, const hline *l)
{
    return l->n_cp > 60 || has_any(text, l, LEAD) ||
           (l->n_cp >= 30 && ends_with(text, l, "。"));
}

/* Score line i as the headline; higher is more likely. See
 * hks_title_guess() for the rules. */
static int title_score(const char *text, const hline *lines, size_t n,
                       size_t i)
{
    const hline *l = &lines[i];
    int s = 100 - 2 * (int)i;

    if (l->n_cp >= 8 && l->n_cp <= 40)
        s += 20;
    else if (l->n_cp >= 5 && l->n_cp < 8)
        s += 5;
    else if (l->n_cp > 60)
        s -= 30;
    if (l->is_h1)
        s += 40;
    if (has_date(text, l))
        s -= 40;
    if (l->n_digit * 10 > l->n_cp * 3)
        s -= 30;
    if (ends_with(text, l, "。") || ends_with(text, l, ";"))
        s -= 25;
    else if (has(text, l, "。"))
        s -= 20;
    if (has_any(text, l, LEAD))
        s -= 40;
    /* A kicker above the headline is often a quotation: “发愤图强”. */
    if (starts_with(text, l, "“") && ends_with(text, l, "”"))
        s -= 15;
    /* A site name: "山西大院资讯网", "...新闻网", "...在线". */
    if (l->n_cp <= 12 &&
        (ends_with(text, l, "网") || ends_with(text, l, "網") ||
         ends_with(text, l, "网站") || ends_with(text, l, "網站") ||
         ends_with(text, l, "在线") || ends_with(text, l, "在線") ||
         ends_with(text, l, "频道") || ends_with(text, l, "頻道")))
        s -= 40;
    if (i + 1 < n) {
        if (is_meta(text, &lines[i + 1]))
            s += 30;
        else if (is_body(text, &lines[i + 1]))
            s += 20;
    }
    /* The headline comes before the body: a line after a paragraph is a
     * section heading or a caption. */
    for (size_t k = 0; k < i; k++) {
        if (is_body(text, &lines[k])) {
            s -= 30;
            break;
        }
    }
    if (i > 0 && (has(text, &lines[i - 1], "位置") ||
                  has(text, &lines[i - 1], "首页 >") ||
                  has(text, &lines[i - 1], "首頁 >")))
        s += 10;
    return s;
}

/*
 * Find the headline of a scraped article in text[0..n) (UTF-8): a scored
 * choice among its first HEAD_LINES non-empty lines, each trimmed of
 * blanks (ASCII, U+00A0, U+3000, U+FEFF) and of a Markdown "#" marker.
 *
 * Lines that cannot be a headline are ruled out: over 80 characters (body),
 * fewer than 4 Han characters (unless a Latin line of 8+ letters), ending
 * with a colon (a label) or with 摄 (a photo credit), image file names, and
 * page furniture (navigation, source/date/editor labels, "设为首页", date
 * banners with 星期, ...; see FURNITURE). The others score 100, minus 2 per
 * line from the top, +20 for 8..40 characters, +40 for a "# " heading,
 * +30 if the next line is a metadata line (date, source, author) or +20 if
 * it starts the body (long paragraph, "本报讯" lead), +10 after a
 * navigation line; minus for a date inside, many digits, a sentence end
 * (。), a lead, a quoted kicker line “...”, a short line ending in 网 (a
 * site name), and -30 for a line below the start of the body (a section
 * heading or a photo caption). The highest score wins; ties go to the earlier line.
 *
 * @return true with [*start_out, *start_out + *len_out) the headline's
 *         bytes, or false (outputs untouched) when no line qualifies.
 */
bool hks_title_guess(const char *text, size_t n, size_t *start_out,
                     size_t *len_out)
{
    hline lines[HEAD_LINES];
    size_t n_lines = head_lines(text, n, lines), best = SIZE_MAX;
    int best_score = 0;

    for (size_t i = 0; i < n_lines; i++) {
        int s;
        if (never_title(text, &lines[i]))
            continue;
        s = title_score(text, lines, n_lines, i);
        if (best == SIZE_MAX || s > best_score) {
            best = i;
            best_score = s;
        }
    }
    if (best == SIZE_MAX)
        return false;
    *start_out = lines[best].start;
    *len_out = lines[best].len;
    return true;
}

/* Parse 1 or 2 ASCII digits at p[*i..n) into *v; false if none. */
static bool digits12(const unsigned char *p, size_t n, size_t *i, int *v)
{
    if (*i >= n || p[*i] < '0' || p[*i] > '9')
        return false;
    *v = p[(*i)++] - '0';
    if (*i < n && p[*i] >= '0' && p[*i] <= '9')
        *v = *v * 10 + (p[(*i)++] - '0');
    return true;
}

/*
 * The publication date of an article: the first "YYYY-MM-DD" (also with
 * '/' or '.', one- or two-digit month and day) among its head lines,
 * skipping date banners (lines with 星期, weekday, show today's date, not
 * the article's) and body paragraphs. Written to out as "YYYY-MM-DD".
 * @return 10, or 0 if no date was found.
 */
static size_t date_guess(const char *text, size_t n, char out[11])
{
    hline lines[HEAD_LINES];
    size_t n_lines = head_lines(text, n, lines);

    for (size_t li = 0; li < n_lines; li++) {
        const hline *l = &lines[li];
        const unsigned char *p = (const unsigned char *)text + l->start;
        if (l->n_cp > 120 || has(text, l, "星期"))
            continue;
        for (size_t i = 0; i + 8 <= l->len; i++) {
            size_t j = i + 4;
            int y, m, d;
            unsigned char sep;
            if (!(p[i] == '1' || p[i] == '2') || (i > 0 && p[i - 1] >= '0' &&
                                                  p[i - 1] <= '9'))
                continue;
            if (p[i + 1] < '0' || p[i + 1] > '9' || p[i + 2] < '0' ||
                p[i + 2] > '9' || p[i + 3] < '0' || p[i + 3] > '9')
                continue;
            y = (p[i] - '0') * 1000 + (p[i + 1] - '0') * 100 +
                (p[i + 2] - '0') * 10 + (p[i + 3] - '0');
            sep = p[j];
            if (sep != '-' && sep != '/' && sep != '.')
                continue;
            j++;
            if (!digits12(p, l->len, &j, &m) || j >= l->len || p[j] != sep)
                continue;
            j++;
            if (!digits12(p, l->len, &j, &d))
                continue;
            if (j < l->len && p[j] >= '0' && p[j] <= '9')
                continue;
            /* Outside 1900..2099 a number in a head line is rarely a date. */
            if (y < 1900 || y > 2099 || !hks_date_valid((unsigned)y, (unsigned)m, (unsigned)d))
                continue;
            snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
            return 10;
        }
    }
    return 0;
}

/* ---- Text files ---------------------------------------------------------- */

/* Read the whole file path into a new block (*buf_out, *cap_out; the caller
 * frees it). @return HKS_OK, HKS_DONE if it was skipped with a warning (too
 * large), HKS_ERR_IO or HKS_ERR_NOMEM. */
static int slurp(crd *r, const char *path, char **buf_out, size_t *n_out,
                 size_t *cap_out)
{
    char eb[128];
    struct stat st;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = HKS_OK;

    *buf_out = NULL;
    *n_out = 0;
    *cap_out = 0;
    if (fd < 0)
        return hks_fail(r->e, errno == ENOENT ? HKS_ERR_NOTFOUND : HKS_ERR_IO,
                        "[corpus] %s: cannot open: %s", path,
                        errtext(errno, eb, sizeof eb));
    if (fstat(fd, &st) != 0) {
        rc = hks_fail(r->e, HKS_ERR_IO, "[corpus] %s: stat: %s", path,
                      errtext(errno, eb, sizeof eb));
        goto out;
    }
    if (st.st_size > (off_t)MAX_TEXT_FILE_BYTES) {
        warn(r, "%s: larger than %u MiB, skipped", path,
             MAX_TEXT_FILE_BYTES >> 20);
        rc = HKS_DONE;
        goto out;
    }
    /* One byte more than the size, so a growing file is still read whole
     * and EOF is seen without a second allocation in the common case. */
    cap = (size_t)st.st_size + 1;
    buf = hks_mem_alloc(r->a, cap);
    if (!buf) {
        rc = HKS_ERR_NOMEM;
        goto out;
    }
    for (;;) {
        ssize_t k;
        if (n == cap) {
            char *nb;
            if (cap > MAX_TEXT_FILE_BYTES) {
                warn(r, "%s: larger than %u MiB, skipped", path,
                     MAX_TEXT_FILE_BYTES >> 20);
                rc = HKS_DONE;
                goto out;
            }
            nb = hks_grow(r->a, buf, 1, cap, cap + 1, cap, SIZE_MAX, &cap);
            if (!nb) {
                rc = HKS_ERR_NOMEM;
                goto out;
            }
            buf = nb;
        }
        k = read(fd, buf + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            rc = hks_fail(r->e, HKS_ERR_IO, "[corpus] %s: read: %s", path,
                          errtext(errno, eb, sizeof eb));
            goto out;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
out:
    close(fd);
    if (rc != HKS_OK) {
        hks_mem_free(r->a, buf, cap);
        return rc;
    }
    *buf_out = buf;
    *n_out = n;
    *cap_out = cap;
    return HKS_OK;
}

/* Read one article file and hand it to the callback. id and collection are
 * views. @return HKS_OK (also when skipped with a warning) or an error. */
/*
 * Markdown front matter (Jekyll, Hugo, the archives our news comes from):
 * a first line "---", "key: value" lines, a closing "---" or "...". Its
 * title, date, source and url fill the fields (surrounding quotes
 * dropped); the body starts after it. Returns false (fm untouched) when
 * the text does not start with a complete block of at most FM_MAX bytes.
 */
#define FM_MAX 65536

typedef struct fmatter {
    const char *v[4]; /* title, date, source, url; NULL if absent */
    size_t n[4];
    size_t body_off; /* where the body starts                     */
} fmatter;

/* A YAML-looking line of front matter: "key:" (key of letters, digits,
 * '_' or '-'), a list item or continuation (leading space, tab or "- "),
 * or nothing. */
static bool yaml_line(const char *l, size_t len, bool *is_key)
{
    size_t i = 0;
    *is_key = false;
    if (len == 0 || l[0] == ' ' || l[0] == '\t' || (len >= 2 && l[0] == '-' && l[1] == ' ') ||
        l[0] == '#')
        return true;
    while (i < len && ((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= 'A' && l[i] <= 'Z') ||
                       (l[i] >= '0' && l[i] <= '9') || l[i] == '_' || l[i] == '-'))
        i++;
    *is_key = i > 0 && i < len && l[i] == ':';
    return *is_key;
}

static bool front_matter(const char *t, size_t n, fmatter *fm)
{
    static const char *const keys[4] = {"title", "date", "source", "url"};
    fmatter f;
    size_t at;
    bool any_key = false;
    if (n < 4 || memcmp(t, "---", 3) != 0 || (t[3] != '\n' && t[3] != '\r'))
        return false;
    memset(&f, 0, sizeof f);
    at = t[3] == '\r' && n > 4 && t[4] == '\n' ? 5 : 4;
    while (at < n && at < FM_MAX) {
        const char *l = t + at, *nl = memchr(l, '\n', n - at);
        size_t len = nl ? (size_t)(nl - l) : n - at, k;
        size_t next = at + len + (nl ? 1 : 0);
        bool is_key;
        if (len && l[len - 1] == '\r')
            len--;
        if (len == 3 && (memcmp(l, "---", 3) == 0 || memcmp(l, "...", 3) == 0)) {
            if (!any_key) /* a rule around a paragraph, not front matter */
                return false;
            f.body_off = next;
            *fm = f;
            return true;
        }
        if (!yaml_line(l, len, &is_key))
            return false;
        any_key |= is_key;
        for (k = 0; k < 4 && is_key; k++) {
            size_t kl = strlen(keys[k]), b, e;
            if (len <= kl || strncasecmp(l, keys[k], kl) != 0 || l[kl] != ':')
                continue;
            for (b = kl + 1; b < len && (l[b] == ' ' || l[b] == '\t'); b++)
                ;
            for (e = len; e > b && (l[e - 1] == ' ' || l[e - 1] == '\t'); e--)
                ;
            if (e - b >= 2 && (l[b] == '"' || l[b] == '\'') && l[e - 1] == l[b]) {
                b++;
                e--;
            }
            /* "|" or ">" starts a block value on the next lines: not read. */
            if (e > b && !f.v[k] && l[b] != '|' && l[b] != '>') {
                f.v[k] = l + b;
                f.n[k] = e - b;
            }
        }
        if (!nl)
            break;
        at = next;
    }
    return false;
}

static int read_text_file(crd *r, const char *path, const char *id,
                          size_t id_len, const char *coll, size_t coll_len)
{
    char *raw = NULL, date[11];
    size_t n = 0, cap = 0, t_start = 0, t_len = 0;
    dtext t = {0};
    fmatter fm;
    hks_doc d;
    const char *prev_path = r->prog->path;
    int rc;

    r->prog->path = path;
    rc = slurp(r, path, &raw, &n, &cap);
    if (rc == HKS_DONE) {
        reject(r);
        rc = HKS_OK;
        goto out;
    }
    if (rc < 0)
        goto out;
    add_bytes(r, n);
    if (n == 0) {
        warn(r, "%s: empty file, skipped", path);
        reject(r);
        goto out;
    }
    rc = decode_text(r, path, raw, n, &t);
    if (rc == HKS_DONE) {
        reject(r);
        rc = HKS_OK;
        goto out;
    }
    if (rc < 0)
        goto out;
    if (id_len == 0 || id_len > MAX_ID_BYTES) {
        warn(r, "%s: path below the folder is %zu bytes (1..%d allowed), "
                "skipped",
             path, id_len, MAX_ID_BYTES);
        reject(r);
        goto out;
    }
    memset(&d, 0, sizeof d);
    memset(&fm, 0, sizeof fm);
    d.collection = coll;
    d.collection_len = coll_len;
    d.id = id;
    d.id_len = id_len;
    if (has_suffix(id, id_len, ".md"))
        front_matter(t.p, t.n, &fm);
    d.body = t.p + fm.body_off;
    d.body_len = t.n - fm.body_off;
    if (fm.v[0]) {
        d.title = fm.v[0];
        d.title_len = fm.n[0];
    } else if (hks_title_guess(d.body, d.body_len, &t_start, &t_len)) {
        d.title = d.body + t_start;
        d.title_len = t_len;
    }
    d.date_len = fm.v[1] ? date_guess(fm.v[1], fm.n[1], date) : 0;
    if (!d.date_len)
        d.date_len = date_guess(d.body, d.body_len, date);
    d.date = d.date_len ? date : NULL;
    d.source = fm.v[2];
    d.source_len = fm.v[2] ? fm.n[2] : 0;
    d.url = fm.v[3];
    d.url_len = fm.v[3] ? fm.n[3] : 0;
    rc = emit(r, &d);
out:
    hks_mem_free(r->a, t.own, t.own_cap);
    hks_mem_free(r->a, raw, cap);
    r->prog->path = prev_path;
    return rc;
}

/* ---- Folders -------------------------------------------------------------- */

/* Make r->pb hold at least need bytes. */
static int pb_reserve(crd *r, size_t need)
{
    char *nb = hks_grow(r->a, r->pb, 1, r->pb_cap, need, 256, SIZE_MAX, &r->pb_cap);
    if (!nb)
        return HKS_ERR_NOMEM;
    r->pb = nb;
    return HKS_OK;
}

/* Names of one directory, sorted. */
typedef struct names {
    char **v;    /* NUL-terminated names (each allocated)             */
    size_t *len; /* their lengths                                    */
    size_t n;    /* names in use                                      */
    size_t cap;  /* slots allocated                                   */
} names;

static void names_free(crd *r, names *nm)
{
    for (size_t i = 0; i < nm->n; i++)
        hks_mem_free(r->a, nm->v[i], nm->len[i] + 1);
    hks_mem_free(r->a, nm->v, nm->cap * sizeof *nm->v);
    hks_mem_free(r->a, nm->len, nm->cap * sizeof *nm->len);
    memset(nm, 0, sizeof *nm);
}

static int names_add(crd *r, names *nm, const char *name)
{
    size_t len = strlen(name);
    if (nm->n == nm->cap) {
        size_t cap;
        char **nv;
        size_t *nl;
        if (hks_grow_cap(nm->cap, nm->n + 1, sizeof *nv, 32, SIZE_MAX / sizeof *nl, &cap))
            return HKS_ERR_NOMEM;
        nv = hks_mem_realloc(r->a, nm->v, nm->cap * sizeof *nv, cap * sizeof *nv);
        if (!nv)
            return HKS_ERR_NOMEM;
        nm->v = nv;
        nl = hks_mem_realloc(r->a, nm->len, nm->cap * sizeof *nl,
                             cap * sizeof *nl);
        if (!nl)
            return HKS_ERR_NOMEM; /* v already grown; cap stays consistent */
        nm->len = nl;
        nm->cap = cap;
    }
    nm->v[nm->n] = hks_mem_strndup(r->a, name, len);
    if (!nm->v[nm->n])
        return HKS_ERR_NOMEM;
    nm->len[nm->n++] = len;
    return HKS_OK;
}

/* Is a file of a folder an article? *.txt and *.md, except the folder's
 * own documentation (README.md, LICENSE.txt, COPYING.md, ...), which
 * describes the corpus and is not news. */
static bool is_article_name(const char *name, size_t n)
{
    static const char *const docs[] = {"README", "LICENSE", "LICENCE",
                                       "COPYING", NULL};
    if (!has_suffix(name, n, ".txt") && !has_suffix(name, n, ".md"))
        return false;
    for (const char *const *d = docs; *d; d++) {
        size_t k = strlen(*d);
        if (n > k && strncasecmp(name, *d, k) == 0 && name[k] == '.')
            return false;
    }
    return true;
}

static int cmp_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* List the entries of directory r->pb (NUL-terminated) into *nm, without
 * hidden entries, sorted by name (byte order). */
static int list_dir(crd *r, names *nm)
{
    char eb[128];
    DIR *dir = opendir(r->pb);
    struct dirent *de;
    int rc = HKS_OK;

    if (!dir)
        return hks_fail(r->e, HKS_ERR_IO, "[corpus] %s: cannot open folder: %s",
                        r->pb, errtext(errno, eb, sizeof eb));
    for (;;) {
        errno = 0;
        de = readdir(dir);
        if (!de) {
            if (errno != 0)
                rc = hks_fail(r->e, HKS_ERR_IO, "[corpus] %s: readdir: %s",
                              r->pb, errtext(errno, eb, sizeof eb));
            break;
        }
        if (de->d_name[0] == '.')
            continue; /* ".", ".." and hidden entries */
        rc = names_add(r, nm, de->d_name);
        if (rc < 0)
            break;
    }
    closedir(dir);
    if (rc == HKS_OK && nm->n) /* an empty folder has no array: no qsort(NULL) */
        qsort(nm->v, nm->n, sizeof *nm->v, cmp_name);
    /* len[] follows v[] only by index, so recompute it after sorting. */
    for (size_t i = 0; rc == HKS_OK && i < nm->n; i++)
        nm->len[i] = strlen(nm->v[i]);
    return rc;
}

/*
 * Read every article below the directory whose path is r->pb[0..dir_len)
 * (NUL-terminated there). The id of a file is r->pb past root_len + 1.
 */
static int walk(crd *r, size_t dir_len, int depth, const char *coll,
                size_t coll_len)
{
    char eb[128];
    names nm = {0};
    int rc;

    if (depth > MAX_DIR_DEPTH) {
        warn(r, "%s: folders nested deeper than %d levels, skipped", r->pb,
             MAX_DIR_DEPTH);
        return HKS_OK;
    }
    rc = list_dir(r, &nm);
    for (size_t i = 0; rc == HKS_OK && i < nm.n; i++) {
        struct stat st;
        size_t len = dir_len + 1 + nm.len[i];
        rc = pb_reserve(r, len + 1);
        if (rc < 0)
            break;
        r->pb[dir_len] = '/';
        memcpy(r->pb + dir_len + 1, nm.v[i], nm.len[i] + 1);
        if (stat(r->pb, &st) != 0) {
            /* A dangling symbolic link, or an entry removed meanwhile. */
            warn(r, "%s: %s, skipped", r->pb, errtext(errno, eb, sizeof eb));
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(r, len, depth + 1, coll, coll_len);
        } else if (S_ISREG(st.st_mode) && is_article_name(nm.v[i], nm.len[i])) {
            rc = read_text_file(r, r->pb, r->pb + r->root_len + 1,
                                len - r->root_len - 1, coll, coll_len);
        }
        r->pb[dir_len] = '\0';
    }
    names_free(r, &nm);
    return rc;
}

/* Read a folder source: path is a directory. */
static int read_folder(crd *r, const char *path, const char *coll, size_t coll_len)
{
    size_t len = strlen(path);
    int rc;

    while (len > 1 && path[len - 1] == '/')
        len--;
    rc = pb_reserve(r, len + 1);
    if (rc < 0)
        return rc;
    memcpy(r->pb, path, len);
    r->pb[len] = '\0';
    r->root_len = len;
    return walk(r, len, 0, coll, coll_len);
}

/* ---- JSONL ---------------------------------------------------------------- */

/* zstd allocates through our hook, so its memory is accounted for and a
 * leak-checking or failing allocator sees it too. */
static void *zalloc(void *opaque, size_t n)
{
    return hks_mem_alloc((const hks_alloc *)opaque, n);
}
static void zfree(void *opaque, void *p)
{
    hks_mem_free((const hks_alloc *)opaque, p, 0);
}

/* Where JSONL bytes come from: a plain file or a zstd stream in one. */
typedef struct jsrc {
    const char *path;  /* for messages                                */
    int fd;            /* the open file                               */
    ZSTD_DCtx *dctx;   /* NULL for a plain .jsonl file                */
    char *in;          /* compressed input buffer                     */
    size_t in_cap;     /* its size                                    */
    ZSTD_inBuffer zin; /* input not yet consumed                      */
    uint64_t in_done;  /* compressed bytes before zin's buffer        */
    bool in_eof;       /* the file has no more bytes                  */
    bool any_in;       /* at least one compressed byte was read       */
    size_t last_ret;   /* ZSTD_decompressStream's last result after
                           progress: 0 = a frame was complete there     */
} jsrc;

/* read() that retries on EINTR. */
static ssize_t read_some(int fd, void *p, size_t n)
{
    ssize_t k;
    do {
        k = read(fd, p, n);
    } while (k < 0 && errno == EINTR);
    return k;
}

/*
 * Put up to cap bytes of JSONL text into dst; *got_out = 0 at the end.
 * @return HKS_OK, HKS_ERR_IO, or HKS_ERR_INPUT for a broken or truncated
 *         zstd stream (message names the file and compressed byte offset).
 */
static int src_fill(crd *r, jsrc *s, char *dst, size_t cap, size_t *got_out)
{
    char eb[128];
    *got_out = 0;
    if (!s->dctx) {
        ssize_t k = read_some(s->fd, dst, cap);
        if (k < 0)
            return hks_fail(r->e, HKS_ERR_IO, "[corpus] %s: read: %s",
                            s->path, errtext(errno, eb, sizeof eb));
        *got_out = (size_t)k;
        return HKS_OK;
    }
    for (;;) {
        ZSTD_outBuffer out = {dst, cap, 0};
        size_t ret, in_pos;
        if (s->zin.pos == s->zin.size && !s->in_eof) {
            ssize_t k = read_some(s->fd, s->in, s->in_cap);
            if (k < 0)
                return hks_fail(r->e, HKS_ERR_IO, "[corpus] %s: read: %s",
                                s->path, errtext(errno, eb, sizeof eb));
            s->in_done += s->zin.size;
            s->zin.src = s->in;
            s->zin.size = (size_t)k;
            s->zin.pos = 0;
            if (k == 0)
                s->in_eof = true;
            else
                s->any_in = true;
        }
        if (!s->any_in)
            return HKS_OK; /* an empty file */
        in_pos = s->zin.pos;
        ret = ZSTD_decompressStream(s->dctx, &out, &s->zin);
        if (ZSTD_isError(ret) &&
            ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation)
            return hks_fail(r->e, HKS_ERR_NOMEM,
                            "[corpus] %s: out of memory for zstd", s->path);
        if (ZSTD_isError(ret))
            return hks_fail(r->e, HKS_ERR_INPUT,
                            "[corpus] %s: corrupt zstd stream near compressed "
                            "byte %llu: %s",
                            s->path,
                            (unsigned long long)s->in_done + s->zin.pos,
                            ZSTD_getErrorName(ret));
        if (out.pos > 0 || s->zin.pos != in_pos)
            s->last_ret = ret;
        if (out.pos > 0) {
            *got_out = out.pos;
            return HKS_OK;
        }
        if (s->in_eof && s->zin.pos == s->zin.size) {
            /* The stream must end where a frame ended and was flushed. */
            if (s->last_ret != 0)
                return hks_fail(r->e, HKS_ERR_INPUT,
                                "[corpus] %s: truncated zstd stream (ends "
                                "inside a frame at compressed byte %llu)",
                                s->path,
                                (unsigned long long)s->in_done + s->zin.pos);
            return HKS_OK;
        }
    }
}

/* Is line[0..n) only blanks? */
static bool all_blank(const char *line, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
            return false;
    }
    return true;
}

/* Fetch optional string field `key` into *p_out and *n_out (NULL and 0 if
 * absent or null). @return false (with a warning) if it has another type. */
static bool opt_field(crd *r, const char *path, uint64_t line_no,
                      const char *key, const char **p_out, size_t *n_out)
{
    int rc = hks_json_get(r->json, key, p_out, n_out);
    if (rc == HKS_ERR_INPUT) {
        warn(r, "%s:%llu: \"%s\" is not a string, record skipped", path,
             (unsigned long long)line_no, key);
        return false;
    }
    if (rc != HKS_OK) {
        *p_out = NULL;
        *n_out = 0;
    }
    return true;
}

/* One JSONL record. @return HKS_OK (also when it was skipped) or the
 * callback's negative value or HKS_ERR_NOMEM. */
static int jsonl_line(crd *r, const char *path, uint64_t line_no,
                      const char *line, size_t n, const char *coll,
                      size_t coll_len)
{
    hks_errbuf je;
    hks_doc d;
    int rc;

    if (n > 0 && line[n - 1] == '\r')
        n--;
    if (line_no == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        line += 3; /* a UTF-8 byte order mark */
        n -= 3;
    }
    if (all_blank(line, n))
        return HKS_OK;
    je.msg[0] = '\0';
    rc = hks_json_parse(r->json, line, n, &je);
    if (rc == HKS_ERR_NOMEM)
        return rc;
    if (rc < 0) {
        warn(r, "%s:%llu: bad JSON: %s", path, (unsigned long long)line_no,
             je.msg);
        reject(r);
        return HKS_OK;
    }
    memset(&d, 0, sizeof d);
    d.collection = coll;
    d.collection_len = coll_len;
    rc = hks_json_get(r->json, "id", &d.id, &d.id_len);
    if (rc != HKS_OK) {
        warn(r, "%s:%llu: %s", path, (unsigned long long)line_no,
             rc == HKS_ERR_NOTFOUND ? "missing id"
                                    : "id is not a string or number");
        reject(r);
        return HKS_OK;
    }
    if (d.id_len == 0 || d.id_len > MAX_ID_BYTES) {
        warn(r, "%s:%llu: id of %zu bytes (1..%d allowed)", path,
             (unsigned long long)line_no, d.id_len, MAX_ID_BYTES);
        reject(r);
        return HKS_OK;
    }
    rc = hks_json_get(r->json, "body", &d.body, &d.body_len);
    if (rc != HKS_OK) {
        warn(r, "%s:%llu: %s", path, (unsigned long long)line_no,
             rc == HKS_ERR_NOTFOUND ? "missing body"
                                    : "body is not a string");
        reject(r);
        return HKS_OK;
    }
    if (!opt_field(r, path, line_no, "title", &d.title, &d.title_len) ||
        !opt_field(r, path, line_no, "date", &d.date, &d.date_len) ||
        !opt_field(r, path, line_no, "source", &d.source, &d.source_len) ||
        !opt_field(r, path, line_no, "url", &d.url, &d.url_len)) {
        reject(r);
        return HKS_OK;
    }
    return emit(r, &d);
}

/* Read a .jsonl (is_zst false) or .jsonl.zst source. */
static int read_jsonl(crd *r, const char *path, bool is_zst, const char *coll,
                      size_t coll_len)
{
    char eb[128];
    jsrc s;
    char *lb = NULL;
    size_t cap = 0, beg = 0, end = 0, scan = 0;
    uint64_t line_no = 0, total = 0;
    bool eof = false, skipping = false;
    const char *prev_path = r->prog->path;
    int rc = HKS_OK;

    memset(&s, 0, sizeof s);
    s.path = path;
    s.last_ret = 1;
    s.fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s.fd < 0)
        return hks_fail(r->e, errno == ENOENT ? HKS_ERR_NOTFOUND : HKS_ERR_IO,
                        "[corpus] %s: cannot open: %s", path,
                        errtext(errno, eb, sizeof eb));
    r->prog->path = path;
    if (!r->json) {
        rc = hks_json_new(r->a, &r->json);
        if (rc < 0)
            goto out;
    }
    if (is_zst) {
        ZSTD_customMem mem = {zalloc, zfree, (void *)r->a};
        s.dctx = ZSTD_createDCtx_advanced(mem);
        s.in_cap = ZSTD_DStreamInSize();
        s.in = hks_mem_alloc(r->a, s.in_cap);
        if (!s.dctx || !s.in) {
            rc = HKS_ERR_NOMEM;
            goto out;
        }
    }
    cap = LINE_BUF_INIT;
    lb = hks_mem_alloc(r->a, cap);
    if (!lb) {
        rc = HKS_ERR_NOMEM;
        goto out;
    }
    for (;;) {
        char *nl = memchr(lb + scan, '\n', end - scan);
        size_t got;
        if (nl) {
            size_t stop = (size_t)(nl - lb);
            line_no++;
            if (skipping)
                skipping = false; /* the end of an over-long line */
            else
                rc = jsonl_line(r, path, line_no, lb + beg, stop - beg, coll,
                                coll_len);
            if (rc < 0)
                goto out;
            beg = scan = stop + 1;
            continue;
        }
        scan = end;
        if (eof) {
            if (beg < end || skipping) {
                line_no++;
                if (!skipping)
                    rc = jsonl_line(r, path, line_no, lb + beg, end - beg,
                                    coll, coll_len);
            }
            break;
        }
        /* Need more bytes: first move the partial line to the front. */
        if (beg > 0 && cap - end < LINE_MIN_FREE) {
            memmove(lb, lb + beg, end - beg);
            end -= beg;
            scan -= beg;
            beg = 0;
        }
        if (end - beg >= MAX_LINE_BYTES) {
            warn(r, "%s:%llu: line longer than %u MiB, skipped", path,
                 (unsigned long long)line_no + 1, MAX_LINE_BYTES >> 20);
            reject(r);
            skipping = true;
            beg = end = scan = 0;
        }
        if (cap - end < LINE_MIN_FREE) {
            char *nb = hks_grow(r->a, lb, 1, cap, cap + 1, cap, SIZE_MAX, &cap);
            if (!nb) {
                rc = HKS_ERR_NOMEM;
                goto out;
            }
            lb = nb;
        }
        /* At most PROGRESS_STEP bytes a read, so progress stays regular
         * while a long line grows the buffer. */
        rc = src_fill(r, &s, lb + end,
                      cap - end < PROGRESS_STEP ? cap - end : PROGRESS_STEP,
                      &got);
        if (rc < 0)
            goto out;
        if (got == 0)
            eof = true;
        end += got;
        total += got;
        add_bytes(r, got);
    }
    if (rc == HKS_OK && total == 0) {
        warn(r, "%s: empty file", path);
    }
out:
    if (s.dctx)
        ZSTD_freeDCtx(s.dctx);
    hks_mem_free(r->a, s.in, s.in_cap);
    hks_mem_free(r->a, lb, cap);
    close(s.fd);
    r->prog->path = prev_path;
    return rc;
}

/* ---- Entry point ---------------------------------------------------------- */

/*
 * Stream the articles of path (a folder, a .txt/.md file, a .jsonl or a
 * .jsonl.zst file) to fn(ctx, doc). Every field of doc is a view valid only
 * during the call. a is the allocator (NULL = malloc); cb (may be NULL)
 * gets warnings ("FILE:LINE: what" or "FILE: what") and progress about
 * every 1 MiB; prog (may be NULL) is updated: n_bytes (file bytes, or
 * decompressed JSONL bytes), n_docs (callbacks that returned HKS_OK),
 * n_rejected (records and files skipped), path (the file being read, put
 * back when the call returns).
 *
 * Skipped with a warning, reading on: a malformed JSONL line (bad JSON,
 * missing id or body, a field of the wrong type), an over-long line, an
 * empty, binary (NUL byte), undecodable or over-large text file.
 *
 * @return HKS_OK; the callback's negative value (reading stops there);
 *         HKS_ERR_NOTFOUND (no such path), HKS_ERR_ARG (unknown kind of
 *         file), HKS_ERR_IO, HKS_ERR_INPUT (broken or truncated zstd
 *         stream, with the compressed byte offset), HKS_ERR_NOMEM, with a
 *         "[corpus]" message in e. Documents handed over before an error
 *         stay with the callback's owner.
 */
int hks_corpus_read(const hks_alloc *a, const char *path, hks_article_fn fn,
                    void *ctx, const hks_callbacks *cb, hks_progress *prog,
                    hks_errbuf *e)
{
    char eb[128];
    hks_progress local;
    struct stat st;
    crd r;
    const char *name;
    char coll[1025]; /* hks_writer_add takes collections of up to 1024 bytes */
    size_t name_len, coll_len;
    int rc;

    if (!path || !fn)
        return hks_fail(e, HKS_ERR_ARG, "[corpus] no path or callback");
    if (!prog) {
        memset(&local, 0, sizeof local);
        prog = &local;
    }
    memset(&r, 0, sizeof r);
    r.a = a;
    r.fn = fn;
    r.ctx = ctx;
    r.cb = cb;
    r.prog = prog;
    r.e = e;
    r.next_progress = prog->n_bytes + PROGRESS_STEP;

    if (stat(path, &st) != 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return hks_fail(e, HKS_ERR_NOTFOUND,
                            "[corpus] %s: no such file or folder", path);
        return hks_fail(e, HKS_ERR_IO, "[corpus] %s: %s", path,
                        errtext(err, eb, sizeof eb));
    }
    base_name(path, &name, &name_len);
    if (hks_corpus_collection(path, S_ISDIR(st.st_mode), coll, sizeof coll, &coll_len))
        return hks_fail(e, HKS_ERR_ARG, "[corpus] %s: collection name too long", path);
    if (S_ISDIR(st.st_mode)) {
        rc = read_folder(&r, path, coll, coll_len);
    } else if (has_suffix(name, name_len, ".jsonl.zst")) {
        rc = read_jsonl(&r, path, true, coll, coll_len);
    } else if (has_suffix(name, name_len, ".jsonl")) {
        rc = read_jsonl(&r, path, false, coll, coll_len);
    } else if (has_suffix(name, name_len, ".txt") ||
               has_suffix(name, name_len, ".md")) {
        rc = read_text_file(&r, path, name, name_len, coll, coll_len);
    } else {
        rc = hks_fail(e, HKS_ERR_ARG,
                      "[corpus] %s: unknown kind of source (expected a "
                      "folder, .txt, .md, .jsonl or .jsonl.zst)",
                      path);
    }
    hks_json_free(r.json);
    hks_mem_free(a, r.pb, r.pb_cap);
    return rc;
}
