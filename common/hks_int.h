/*
 * hks_int.h: the internal header of common/, the text pipeline and the
 * small tools every part of libhks uses (allocation, errors, buffers,
 * bounded reads, hashing). Nothing here is public; include/hks.h is the
 * only installed header. Each folder of the library owns the header of
 * its own files (format/hks_format.h, indexer/hks_indexer.h,
 * searcher/hks_searcher.h), and none declares a function defined in
 * another folder. Sections follow the files that implement them
 * ("Interface to code in X.c"), so a reader finds the contract of a module
 * next to the name of the file that keeps it.
 *
 * Every external symbol declared here is marked HKS_INTERNAL (hidden from
 * the shared library's dynamic symbol table; `make check-abi` proves it).
 */
#ifndef HKS_INT_H
#define HKS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hks.h"

#if defined(__GNUC__) && __GNUC__ >= 4
#define HKS_INTERNAL __attribute__((visibility("hidden")))
#else
#define HKS_INTERNAL
#endif

#if defined(__GNUC__)
#define HKS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define HKS_PRINTF(f, a)
#endif

/* Forward a negative status unchanged (zstd FORWARD_IF_ERROR). */
#define HKS_TRY(expr)     \
    do {                  \
        int rc_ = (expr); \
        if (rc_ < 0)      \
            return rc_;   \
    } while (0)

/* Longest term kept in the dictionary, in bytes. Longer Latin words are cut
 * at a character boundary below this length: 64 bytes holds any real word
 * or number, and a fixed bound keeps term buffers on the stack. */
#define HKS_MAX_TERM_BYTES 64

/**************************************************************************
** Interface to code in alloc.c
**
** All library memory goes through the handle's hks_alloc (lua_Alloc shape).
** A NULL hks_alloc * means malloc/realloc/free. osize is the size the block
** was allocated with when the caller knows it, else 0; the default allocator
** ignores it.
*/
HKS_INTERNAL void *hks_mem_alloc(const hks_alloc *a, size_t n);
HKS_INTERNAL void *hks_mem_calloc(const hks_alloc *a, size_t n, size_t size);
HKS_INTERNAL void *hks_mem_realloc(const hks_alloc *a, void *p, size_t osize,
                                   size_t nsize);
HKS_INTERNAL void hks_mem_free(const hks_alloc *a, void *p, size_t osize);
/* Copy of s[0..n) plus a NUL, or NULL on allocation failure. */
HKS_INTERNAL char *hks_mem_strndup(const hks_alloc *a, const char *s, size_t n);
/* The allocation functions of a ZSTD_customMem whose opaque is an
 * hks_alloc * (docstore.c, the .jsonl.zst reader). */
HKS_INTERNAL void *hks_zstd_alloc(void *opaque, size_t n);
HKS_INTERNAL void hks_zstd_free(void *opaque, void *p);
/* Growable arrays, one rule for all (Lua luaM_growaux_): the capacity for
 * at least need elements of elem bytes, doubling from cap (at least
 * min_cap), never past limit elements nor past SIZE_MAX bytes.
 * HKS_ERR_NOMEM when need cannot be had under those limits. */
HKS_INTERNAL int hks_grow_cap(size_t cap, size_t need, size_t elem, size_t min_cap,
                              size_t limit, size_t *cap_out);
/* Grow the array p of cap elements to hold need (hks_grow_cap's rule):
 * returns the new block with *cap_out its capacity (p itself when need <=
 * cap), or NULL with p untouched when the limit or the allocator says no.
 *   T *np = hks_grow(a, arr, sizeof *arr, cap, n + 1, 16, UINT32_MAX, &nc);
 */
HKS_INTERNAL void *hks_grow(const hks_alloc *a, void *p, size_t elem, size_t cap,
                            size_t need, size_t min_cap, size_t limit, size_t *cap_out);

/**************************************************************************
** Interface to code in err.c
**
** Handles keep a detailed last-error message in an hks_errbuf. Messages are
** in plain words, lower case, and name the object that failed (the file,
** the line or byte, the document), with no internal module tags.
*/
#define HKS_ERRMSG_MAX 512
typedef struct hks_errbuf {
    char msg[HKS_ERRMSG_MAX]; /* NUL-terminated; "" when no error */
} hks_errbuf;

/* Format a message into e and return rc (so `return hks_fail(...)` works). */
HKS_INTERNAL int hks_fail(hks_errbuf *e, int rc, const char *fmt, ...)
    HKS_PRINTF(3, 4);
HKS_INTERNAL void hks_err_clear(hks_errbuf *e);

/**************************************************************************
** Interface to code in date.c
**
** One rule set for dates at index time and at query time: a four-digit
** year (1000..9999), a month 1..12 and a day that the month has (no
** 2020-02-30). Dates are YYYYMMDD integers, 0 for none.
*/
HKS_INTERNAL bool hks_date_valid(unsigned y, unsigned m, unsigned d);
/* The first valid date in s[0..n): YYYY-MM-DD (also '/' or '.' between the
 * parts, one- or two-digit month and day, and YYYY年M月D日), not preceded
 * by a digit. @return YYYYMMDD, or 0 when s holds none. */
HKS_INTERNAL uint32_t hks_date_parse(const char *s, size_t n);
/* A bound of a date range: "YYYY", "YYYY-MM" or "YYYY-MM-DD" ('/' also
 * separates); is_end picks the range's last day (2020-02 -> 20200229).
 * "" gives 0 (an open end). @return HKS_OK or HKS_ERR_ARG. */
HKS_INTERNAL int hks_date_parse_bound(const char *s, size_t n, bool is_end,
                                      uint32_t *out);

/**************************************************************************
** Interface to code in buf.c
**
** A growable byte buffer with a sticky status (FTS5 fts5_buffer.c): every
** put is a no-op once *rc is non-zero, so long encoders check once at the
** end. On allocation failure *rc becomes HKS_ERR_NOMEM.
*/
typedef struct hks_buf {
    uint8_t *p;         /* bytes; NULL until the first put               */
    size_t n;           /* bytes in use                                   */
    size_t cap;         /* bytes allocated                                */
    const hks_alloc *a; /* allocator (borrowed; may be NULL)              */
} hks_buf;

HKS_INTERNAL void hks_buf_init(hks_buf *b, const hks_alloc *a);
HKS_INTERNAL void hks_buf_free(hks_buf *b); /* releases memory, n = 0 */
/* Make room for `extra` more bytes; returns false (and sets *rc) on failure. */
HKS_INTERNAL bool hks_buf_reserve(int *rc, hks_buf *b, size_t extra);
HKS_INTERNAL void hks_buf_put(int *rc, hks_buf *b, const void *p, size_t n);
HKS_INTERNAL void hks_buf_put_u8(int *rc, hks_buf *b, uint8_t v);
HKS_INTERNAL void hks_buf_put_u16le(int *rc, hks_buf *b, uint16_t v);
HKS_INTERNAL void hks_buf_put_u32le(int *rc, hks_buf *b, uint32_t v);
HKS_INTERNAL void hks_buf_put_u64le(int *rc, hks_buf *b, uint64_t v);
HKS_INTERNAL void hks_buf_put_varint(int *rc, hks_buf *b, uint64_t v);
/* Varint length followed by the bytes. */
HKS_INTERNAL void hks_buf_put_lenbytes(int *rc, hks_buf *b, const void *p,
                                       size_t n);

/**************************************************************************
** Interface to code in rd.c
**
** A bounded reader over untrusted bytes (Zettair vec, zstd MEM_readLE32).
** Every get checks the bound first and returns HKS_ERR_CORRUPT without
** moving when fewer bytes remain than it needs. Fixed-width fields are
** little-endian.
*/
typedef struct hks_rd {
    const uint8_t *p;   /* next byte to read  */
    const uint8_t *end; /* one past the last  */
} hks_rd;

HKS_INTERNAL void hks_rd_init(hks_rd *rd, const void *p, size_t n);
HKS_INTERNAL size_t hks_rd_left(const hks_rd *rd);
HKS_INTERNAL int hks_rd_u8(hks_rd *rd, uint8_t *out);
HKS_INTERNAL int hks_rd_u16le(hks_rd *rd, uint16_t *out);
HKS_INTERNAL int hks_rd_u32le(hks_rd *rd, uint32_t *out);
HKS_INTERNAL int hks_rd_u64le(hks_rd *rd, uint64_t *out);
/* A pointer to the next n bytes (not copied), then skip them. */
HKS_INTERNAL int hks_rd_bytes(hks_rd *rd, size_t n, const uint8_t **out);
HKS_INTERNAL int hks_rd_skip(hks_rd *rd, size_t n);
/* Varint length + bytes, as written by hks_buf_put_lenbytes. */
HKS_INTERNAL int hks_rd_lenbytes(hks_rd *rd, const uint8_t **out,
                                 size_t *n_out);
/* Plain loads for bytes already bound-checked by the caller. */
HKS_INTERNAL uint32_t hks_load_u32le(const uint8_t *p);
HKS_INTERNAL uint64_t hks_load_u64le(const uint8_t *p);

/**************************************************************************
** Interface to code in varint.c
**
** LEB128: 7 bits a byte, least significant group first, high bit = more.
** A u64 takes at most HKS_VARINT_MAX bytes. The get side is bounded:
** truncation, more than 10 bytes, or a value over 64 bits (or over 32 bits
** for the _u32 form) is HKS_ERR_CORRUPT.
*/
#define HKS_VARINT_MAX 10
HKS_INTERNAL size_t hks_varint_put(uint8_t *buf, uint64_t v);
HKS_INTERNAL size_t hks_varint_len(uint64_t v);
HKS_INTERNAL int hks_varint_get(hks_rd *rd, uint64_t *out);
HKS_INTERNAL int hks_varint_get_u32(hks_rd *rd, uint32_t *out);

/**************************************************************************
** Interface to code in hash.c
**
** Checksums of every on-disk file and section: XXH3-64 (libxxhash).
*/
HKS_INTERNAL uint64_t hks_hash64(const void *p, size_t n);
/* The same hash seeded with seed: chains a hash over several pieces. */
HKS_INTERNAL uint64_t hks_hash64_seed(const void *p, size_t n, uint64_t seed);

/**************************************************************************
** Interface to code in utf8norm.c
**
** Decodes UTF-8 and normalizes it for search: NFKC + case folding with
** default ignorables and control characters dropped (utf8proc, into our own
** buffers), then traditional -> simplified folding (zhfold.c). The output
** is one entry per normalized code point with the byte range of the source
** text that produced it, so snippets can be cut from the article as
** written. A source "cluster" (a starter plus following combining marks)
** that normalizes to several code points gives each of them the cluster's
** range; code points that normalize to nothing produce no entry.
**
** Invalid UTF-8 (bad lead or continuation bytes, overlong forms, surrogates,
** code points over U+10FFFF, a truncated final sequence) never crashes:
** each maximal invalid subpart is skipped, counted in n_invalid, and the
** first one's byte offset kept. NUL is a control character and is dropped.
*/
typedef struct hks_ntext {
    uint32_t *cp;         /* normalized, folded code points             */
    uint32_t *src_start;  /* byte offset of cp[i]'s source cluster      */
    uint32_t *src_end;    /* one past its last byte                     */
    size_t n;             /* entries in use                             */
    size_t cap;           /* entries allocated in each array            */
    size_t n_invalid;     /* invalid byte sequences skipped             */
    size_t first_invalid; /* byte offset of the first, SIZE_MAX if none */
    const hks_alloc *a;   /* allocator (borrowed)                       */
} hks_ntext;

/* Offset of the first invalid UTF-8 sequence in p[0..n) (hks_utf8_decode's
 * rules), SIZE_MAX if the whole text is valid. */
HKS_INTERNAL size_t hks_utf8_first_invalid(const char *p, size_t n);
/* Texts are limited to 4 GiB - 1 bytes because offsets are 32-bit. */
#define HKS_MAX_TEXT_BYTES 0xFFFFFFFEu

HKS_INTERNAL void hks_ntext_init(hks_ntext *t, const hks_alloc *a);
HKS_INTERNAL void hks_ntext_free(hks_ntext *t);
/* Normalize src[0..len) into t (t is reset first; its arrays are reused).
 * @return HKS_OK, HKS_ERR_NOMEM, or HKS_ERR_ARG if len is over the limit. */
HKS_INTERNAL int hks_norm_text(hks_ntext *t, const char *src, size_t len);
/* Normalize s[0..n) into out as compact UTF-8: the folded code points,
 * every separator run one space, none at either end; at most cap bytes,
 * *len_out of them. @return HKS_OK; HKS_ERR_BUFSIZE when it needs more
 * than cap (out holds what fits, cut at a code point); HKS_ERR_NOMEM or
 * HKS_ERR_ARG as hks_norm_text (then *len_out is 0). Filters, aliases and
 * metadata compared with them are normalized by it. */
HKS_INTERNAL int hks_norm_compact(hks_ntext *nt, const char *s, size_t n, uint8_t *out,
                                  size_t cap, size_t *len_out);
/* Normalize one code point (already decoded) into out[0..cap); returns the
 * number written (0 when it normalizes to nothing), at most cap. Only for
 * code points without combining context (query helpers, tests). */
HKS_INTERNAL size_t hks_norm_cp(uint32_t cp, uint32_t *out, size_t cap);
/* The Unicode version of the NFKC/casefold tables (utf8proc's). An index
 * records it with hks_zhfold_version() and HKS_TOKENIZER_VERSION, and
 * refuses to open under a library whose values differ. */
HKS_INTERNAL const char *hks_norm_unicode_version(void);

/**************************************************************************
** Interface to code in zhfold.c (table in zhfold_data.c, generated by
** scripts/gen_zhfold.py from OpenCC's dictionaries; do not edit by hand)
**
** Traditional -> simplified, one code point to one code point. Applied after
** NFKC, so inputs are NFKC forms. Code points without an entry map to
** themselves.
*/
HKS_INTERNAL uint32_t hks_zhfold(uint32_t cp);
HKS_INTERNAL const char *hks_zhfold_version(void); /* table identity */
/* Pair i of the sorted table (for tests); false when i is past the end. */
HKS_INTERNAL bool hks_zhfold_pair(size_t i, uint32_t *from_out,
                                  uint32_t *to_out);

/**************************************************************************
** Interface to code in cjk.c
**
** Character classes for the tokenizer, on normalized code points.
*/
typedef enum hks_cclass {
    HKS_CC_SEP = 0,  /* separator: space, punctuation, symbol, emoji     */
    HKS_CC_CJK = 1,  /* Han ideograph, kana, hangul, bopomofo: bigrams    */
    HKS_CC_WORD = 2, /* letter or digit of an alphabetic script: words    */
    HKS_CC_MARK = 3  /* combining mark: continues the current word run    */
} hks_cclass;
HKS_INTERNAL hks_cclass hks_cclass_of(uint32_t cp);

/* Shingles of a text for telling copies of one story apart: windows of
 * HKS_SHINGLE_WINDOW consecutive code points, separators dropped, each
 * hashed to 64 bits (the near-duplicate fingerprint, indexer/simhash.c,
 * and the copy test of collapse, searcher/collapse.c). Feed every code
 * point; a 1 return puts a window's hash in *out. */
#define HKS_SHINGLE_WINDOW 4
typedef struct hks_shingler {
    uint32_t win[HKS_SHINGLE_WINDOW];
    size_t n;
} hks_shingler;
HKS_INTERNAL int hks_shingle_push(hks_shingler *sg, uint32_t cp, uint64_t *out);

/**************************************************************************
** Interface to code in tokenize.c
**
** One tokenizer for indexing and for query parsing (DESIGN.md, text rules):
**  - a CJK run c0..c(n-1) gives the bigrams c(i)c(i+1) at pos+i for i < n-1
**    and the unigram c(n-1) at pos+n-1 (flag HKS_TOK_LAST); pos += n.
**    Every character occurrence starts exactly one token.
**  - a word run (letters, digits, marks; '.' between two digits stays in
**    the word: 3.2) gives one token at pos; pos += 1. Terms longer than
**    HKS_MAX_TERM_BYTES are cut at a code point boundary.
**  - a separator run (anything else) after a token adds one to pos, so a
**    phrase never matches across punctuation or spaces, and the same gap
**    appears in a query, so "covid-19" still matches "COVID-19". The
**    boundary between a CJK run and an adjacent word run is such a gap
**    too: HPV疫苗 and "HPV 疫苗" give the same positions, and "新冠 疫苗"
**    cannot match 新冠mRNA疫苗 (the word would fill the gap).
** Terms are the UTF-8 of the normalized code points. Bump
** HKS_TOKENIZER_VERSION on any change to what tokens a text gives. The source range of a
** token spans its characters' source clusters (for a word cut at
** HKS_MAX_TERM_BYTES, the whole word's).
*/
#define HKS_TOKENIZER_VERSION 2
enum {
    HKS_TOK_CJK = 1u << 0,  /* from a CJK run (bigram or unigram)        */
    HKS_TOK_LAST = 1u << 1, /* the unigram ending a CJK run              */
    HKS_TOK_WORD = 1u << 2  /* a Latin/digit word                        */
};
typedef struct hks_token {
    const char *term;   /* UTF-8, not NUL-terminated; valid in callback */
    size_t term_len;    /* bytes, 1..HKS_MAX_TERM_BYTES                  */
    uint32_t pos;       /* token position                                */
    uint32_t src_start; /* byte range in the source text                 */
    uint32_t src_end;
    unsigned flags; /* HKS_TOK_*                                     */
} hks_token;
/* Return HKS_OK to go on; a negative value stops and is returned. */
typedef int (*hks_token_fn)(void *ctx, const hks_token *tok);

/* Tokenize t, numbering positions from first_pos. *next_pos_out (may be
 * NULL) gets the position after the last token plus a separator gap, ready
 * for the next field. @return HKS_OK or the callback's negative value. */
HKS_INTERNAL int hks_tokenize(const hks_ntext *t, uint32_t first_pos,
                              hks_token_fn fn, void *ctx,
                              uint32_t *next_pos_out);
/* UTF-8 encode cp into buf (>= 4 bytes); returns bytes written. */
HKS_INTERNAL size_t hks_utf8_put(uint8_t *buf, uint32_t cp);
/* Bytes of the UTF-8 sequence that starts with lead byte c (1 for ASCII,
 * and for a continuation byte, which valid text never starts with). */
static inline size_t hks_utf8_len(uint8_t c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2
                      : c < 0xF0   ? 3
                                   : 4;
}

#endif /* HKS_INT_H */
