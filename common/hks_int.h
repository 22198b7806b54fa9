/*
 * hks_int.h: the one internal header of libhks. Nothing here is public;
 * include/hks.h is the only installed header. Sections follow the files
 * that implement them ("Interface to code in X.c"), so a reader finds the
 * contract of a module next to the name of the file that keeps it.
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
#define HKS_TRY(expr)                                                          \
    do {                                                                       \
        int rc_ = (expr);                                                      \
        if (rc_ < 0)                                                           \
            return rc_;                                                        \
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

/**************************************************************************
** Interface to code in err.c
**
** Handles keep a detailed last-error message in an hks_errbuf. Messages are
** lower case, carry a "[module]" tag and name the object that failed.
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
HKS_INTERNAL void hks_buf_free(hks_buf *b);   /* releases memory, n = 0 */
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
** Interface to code in block.c
**
** Binary packing of u32 arrays (the integer codec of postings and
** positions): a group of n <= HKS_BLOCK values is written as
**     u8: b, bits per value (0..32; 0 means every value is 0)
**     ceil(n*b/8) bytes: the values, b bits each, LSB first
** The caller knows n (it is stored elsewhere). Decoding checks b <= 32 and
** that the packed bytes are inside the reader's bound.
*/
#define HKS_BLOCK 128
HKS_INTERNAL void hks_pack_u32(int *rc, hks_buf *out, const uint32_t *v,
                               size_t n);
HKS_INTERNAL int hks_unpack_u32(hks_rd *rd, uint32_t *v, size_t n);
/* Any-length array: full groups of HKS_BLOCK then one partial group. */
HKS_INTERNAL void hks_pack_u32s(int *rc, hks_buf *out, const uint32_t *v,
                                size_t n);
HKS_INTERNAL int hks_unpack_u32s(hks_rd *rd, uint32_t *v, size_t n);

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
    uint32_t *cp;        /* normalized, folded code points             */
    uint32_t *src_start; /* byte offset of cp[i]'s source cluster      */
    uint32_t *src_end;   /* one past its last byte                     */
    size_t n;            /* entries in use                             */
    size_t cap;          /* entries allocated in each array            */
    size_t n_invalid;    /* invalid byte sequences skipped             */
    size_t first_invalid;/* byte offset of the first, SIZE_MAX if none */
    const hks_alloc *a;  /* allocator (borrowed)                       */
} hks_ntext;

/* Texts are limited to 4 GiB - 1 bytes because offsets are 32-bit. */
#define HKS_MAX_TEXT_BYTES 0xFFFFFFFEu

HKS_INTERNAL void hks_ntext_init(hks_ntext *t, const hks_alloc *a);
HKS_INTERNAL void hks_ntext_free(hks_ntext *t);
/* Normalize src[0..len) into t (t is reset first; its arrays are reused).
 * @return HKS_OK, HKS_ERR_NOMEM, or HKS_ERR_ARG if len is over the limit. */
HKS_INTERNAL int hks_norm_text(hks_ntext *t, const char *src, size_t len);
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
    unsigned flags;     /* HKS_TOK_*                                     */
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

/**************************************************************************
** Interface to code in docstore.c
**
** The document store section of a segment: original article bodies, packed
** into blocks of about HKS_DS_BLOCK_BYTES, each an independent zstd frame,
** and a seek table at the end (zstd seekable format idea). Byte layout is
** written out at the top of docstore.c.
*/
#define HKS_DS_BLOCK_BYTES ((size_t)64 * 1024)
/* Largest document the store takes (docstore.c, DS_MAX_RAW). */
#define HKS_DS_MAX_DOC_BYTES ((size_t)256 * 1024 * 1024)
typedef struct hks_ds_writer hks_ds_writer;
typedef struct hks_ds_reader hks_ds_reader;

/* level: zstd level (0 = default 3). */
HKS_INTERNAL int hks_ds_writer_new(const hks_alloc *a, int level,
                                   hks_ds_writer **out);
HKS_INTERNAL void hks_ds_writer_free(hks_ds_writer *w);
/* Append document number (count so far) with the given bytes. */
HKS_INTERNAL int hks_ds_writer_add(hks_ds_writer *w, const void *p, size_t n);
/* Append every document of r whose keep[i] is true (keep NULL = all),
 * copying compressed blocks verbatim when all their documents are kept. */
HKS_INTERNAL int hks_ds_writer_add_store(hks_ds_writer *w,
                                         const hks_ds_reader *r,
                                         const bool *keep);
/* Flush and append the whole section (blocks + seek table) to out. */
HKS_INTERNAL int hks_ds_writer_finish(hks_ds_writer *w, hks_buf *out);
/* The same, streamed: the section goes through fn(ctx, p, n) in pieces, so
 * the compressed blocks are not copied into a second buffer. fn cannot
 * fail here; a sink that can keeps its own sticky status. It may be called
 * again (after a failed file write) and emits the same section. */
typedef void (*hks_write_fn)(void *ctx, const void *p, size_t n);
HKS_INTERNAL int hks_ds_writer_finish_stream(hks_ds_writer *w,
                                             hks_write_fn fn, void *ctx);
HKS_INTERNAL uint32_t hks_ds_writer_count(const hks_ds_writer *w);

/* Open over section bytes p[0..n) (borrowed, must outlive the reader);
 * validates the seek table. HKS_ERR_CORRUPT with a message in e. */
HKS_INTERNAL int hks_ds_reader_open(const hks_alloc *a, const uint8_t *p,
                                    size_t n, hks_errbuf *e,
                                    hks_ds_reader **out);
HKS_INTERNAL void hks_ds_reader_free(hks_ds_reader *r);
HKS_INTERNAL uint32_t hks_ds_reader_count(const hks_ds_reader *r);
/* Per-thread read state: a ZSTD_DCtx and the last decompressed block. */
typedef struct hks_ds_cursor hks_ds_cursor;
HKS_INTERNAL int hks_ds_cursor_new(const hks_alloc *a, hks_ds_cursor **out);
HKS_INTERNAL void hks_ds_cursor_free(hks_ds_cursor *c);
/* Point *p_out and *n_out at document i's bytes, valid until the next call on
 * c. HKS_ERR_CORRUPT (message in e) if the block fails to decompress. */
HKS_INTERNAL int hks_ds_get(const hks_ds_reader *r, hks_ds_cursor *c,
                            uint32_t i, const uint8_t **p_out, size_t *n_out,
                            hks_errbuf *e);

/**************************************************************************
** Interface to code in indexer/json.c
**
** A small strict JSON reader for one JSONL record: an object whose members
** are looked up by name. Strings are unescaped (\uXXXX with surrogate
** pairs to UTF-8; a lone surrogate becomes U+FFFD) into the parser's own
** buffer. Nested arrays and objects are parsed (depth <= 64) and skipped.
*/
typedef struct hks_json hks_json;
HKS_INTERNAL int hks_json_new(const hks_alloc *a, hks_json **out);
HKS_INTERNAL void hks_json_free(hks_json *j);
/* Parse line[0..n) as one object. HKS_ERR_INPUT with "byte K: expected
 * ..." in e (K 0-based) on a syntax error, trailing garbage included. A
 * duplicate key is allowed: the last one wins. */
HKS_INTERNAL int hks_json_parse(hks_json *j, const char *line, size_t n,
                                hks_errbuf *e);
/* The string member `key` of the last parsed object, as a view valid until
 * the next parse: HKS_OK, HKS_ERR_NOTFOUND if absent or null. A number
 * member is returned as its text; other types give HKS_ERR_INPUT. */
HKS_INTERNAL int hks_json_get(const hks_json *j, const char *key,
                              const char **p_out, size_t *n_out);

/**************************************************************************
** Interface to code in indexer/corpus_read.c
**
** Streams the articles of a source to a callback: a folder (recursively,
** *.txt and *.md files in name order; id = path below the folder,
** collection = the folder's base name; title = hks_title_guess() of the
** text), a .jsonl file, or a .jsonl.zst file (collection = base name
** without ".jsonl"/".jsonl.zst"; fields id, title, body, date, source,
** url). Text that is not UTF-8 is converted when its encoding is known
** (UTF-16 with a BOM, GB18030) and otherwise refused with a message naming
** the file and byte. A malformed record is reported through cb->warn as
** "FILE:LINE: what" and skipped; prog->n_rejected counts it.
*/
typedef int (*hks_article_fn)(void *ctx, const hks_doc *doc);
/* @return HKS_OK, the callback's negative value, or an error that stops
 * the source (HKS_ERR_IO, HKS_ERR_NOTFOUND, HKS_ERR_INPUT for a broken
 * zstd stream, HKS_ERR_NOMEM) with a message in e. prog is updated as
 * bytes are read (n_bytes, n_rejected; n_docs counts callbacks that
 * returned HKS_OK) and cb->progress called about every 1 MB. */
HKS_INTERNAL int hks_corpus_read(const hks_alloc *a, const char *path,
                                 hks_article_fn fn, void *ctx,
                                 const hks_callbacks *cb, hks_progress *prog,
                                 hks_errbuf *e);
/* The collection name of the source at path (is_dir: a folder) into
 * out[0..cap), NUL-ended; HKS_ERR_ARG when it does not fit. */
HKS_INTERNAL int hks_corpus_collection(const char *path, bool is_dir, char *out, size_t cap,
                                       size_t *len_out);
/* The headline of a scraped article: the byte range of the line that is
 * most likely its title (not the site name, navigation, or date line) among
 * its first lines. Returns false when no line qualifies. */
HKS_INTERNAL bool hks_title_guess(const char *text, size_t n,
                                  size_t *start_out, size_t *len_out);

#endif /* HKS_INT_H */
