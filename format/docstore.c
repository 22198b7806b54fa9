/*
 * docstore.c: the document store section of a segment: the original
 * article bytes, packed into blocks of about HKS_DS_BLOCK_BYTES, each an
 * independent zstd frame, followed by a seek table and a footer whose
 * magic is the last 4 bytes (the zstd seekable format idea). Written by
 * the segment writer and merge (hks_ds_writer_*), read by the searcher's
 * document fetch (hks_ds_reader_* / hks_ds_get). Contract in hks_int.h,
 * section "Interface to code in docstore.c".
 *
 * SECTION FORMAT (all fixed-width fields little-endian)
 *
 *   zero-or-more {                  one per block, in document order,
 *     frame: a zstd frame           contiguous from section offset 0;
 *   }                               the frame header records the content
 *                                   size, which equals raw_size below, and
 *                                   the id of the dictionary it was
 *                                   compressed with (or none)
 *   n_dicts times {                 the dictionaries (dict_bytes in all)
 *     u32: size
 *     size bytes: a zstd dictionary (ZDICT format: magic 0xEC30A437, then
 *   }                               its id)
 *   seek table:
 *     n_blocks times {
 *       u64: comp_off               frame offset from the section start
 *       u32: comp_size              frame bytes (> 0)
 *       u32: raw_size               decompressed bytes, <= DS_MAX_RAW
 *       u32: first_doc              number of the block's first document
 *     }
 *     n_docs times {
 *       u32: doc_off                document start within its block's
 *     }                             decompressed bytes
 *   footer (DS_FOOTER_SIZE = 32 bytes):
 *     u32: n_blocks
 *     u32: n_docs
 *     u32: dict_bytes               the dictionaries' bytes (0: none)
 *     u32: n_dicts                  their number, at most DS_MAX_DICTS
 *     u64: hash                     XXH3-64 (hks_hash64) of the bytes from
 *                                   the dictionaries' start through n_dicts
 *     u32: version                  DS_VERSION
 *     u32: magic                    DS_MAGIC, the last 4 bytes
 *
 * Invariants (hks_ds_reader_open checks every one; any violation is
 * HKS_ERR_CORRUPT, an unknown version HKS_ERR_FORMAT):
 *   - frames tile [0, dictionaries' start) exactly: comp_off of block 0 is
 *     0 and each next comp_off = comp_off + comp_size of the one before.
 *   - first_doc of block 0 is 0 and strictly increases (a block holds at
 *     least one document) and stays below n_docs; n_blocks == 0 exactly
 *     when n_docs == 0. Block j holds documents first_doc[j] up to
 *     first_doc[j+1] - 1 (the last block: up to n_docs - 1).
 *   - within a block, doc_off of its first document is 0, offsets never
 *     decrease and never exceed raw_size. Document i's length is the next
 *     offset in the same block (or raw_size) minus its own.
 *   - dict_bytes is 0 exactly when n_dicts is 0; the n_dicts entries tile
 *     the dict_bytes exactly, each of at least 8 bytes; each is a whole
 *     zstd dictionary (zstd loads it once, when the store is opened) with
 *     an id of its own: nonzero, and no two alike.
 * Decompressing a block (hks_ds_get) further checks that the frame is one
 * whole frame of exactly comp_size bytes whose recorded content size and
 * decompressed size both equal raw_size, and whose dictionary id is none
 * or one of the store's dictionaries.
 *
 * Blocking: documents are appended to the open block; the block is closed
 * when the next document would overflow the block size (DS_BLOCK_BYTES
 * unless hks_ds_writer_tune says otherwise), or when it reaches that size.
 * A document larger than a block thus gets a block of its own. Changing
 * the block size needs no format change.
 *
 * The dictionary: the writer holds the first DS_TRAIN_BYTES of text back
 * uncompressed, trains a dictionary of at most DS_DICT_BYTES on those
 * documents (zstd's fastCover trainer, each document one sample), then
 * compresses the held blocks and every later one with it. A store whose
 * text stays under DS_TRAIN_BYTES is trained at the end on all of it, and
 * one with less than DS_DICT_RATIO times the dictionary's capacity (1 MiB
 * by default, some 300 news articles), or whose training fails, has no
 * dictionary: below that the dictionary costs about what it saves. It lives in
 * the section itself, not in a section of its own, because it belongs to
 * these frames alone: the store opens, checks and copies as one piece
 * (and section ids stay free).
 * Merge does not train: its writer takes the dictionaries of the input
 * with the most text (hks_ds_writer_use_dict) and compresses with the
 * first of them; a block whose documents are all kept is copied as it is,
 * its dictionary (if any) taken along, while the store has room for it
 * (DS_MAX_DICTS); the documents of other blocks are compressed again. So
 * merging costs no compression, and each flushed segment's text keeps the
 * dictionary trained on it. Text that arrived in stores too small for a
 * dictionary stays without one through merges.
 *
 * Any change to this layout bumps DS_VERSION and this comment in the same
 * commit.
 */
#include <string.h>

/* ZSTD_customMem and ZSTD_create[CD]Ctx_advanced, which route zstd's own
 * allocations through hks_alloc, sit in zstd's experimental section. The
 * shared libzstd exports them; their signatures have not changed since
 * zstd 1.0. So do ZSTD_initStatic[CD]Dict (zstd 1.3) and the fastCover
 * trainer with its parameters (zdict.h, zstd 1.4.0). */
#define ZSTD_STATIC_LINKING_ONLY
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "hks_format.h"

/* "HKDS" read as a little-endian u32; the last 4 bytes of the section. */
#define DS_MAGIC 0x53444B48u
/* Layout version of the section; readers refuse others (HKS_ERR_FORMAT).
 * 2: the dictionaries (dict_bytes, n_dicts in the footer). */
#define DS_VERSION 2u
/* Footer bytes: n_blocks, n_docs, dict_bytes, n_dicts, hash, version,
 * magic. */
#define DS_FOOTER_SIZE 32u
/* Bytes of the footer covered by the hash (n_blocks through n_dicts). */
#define DS_FOOTER_HASHED 16u
/* Seek table bytes per block and per document. */
#define DS_BLOCK_ENTRY 20u
#define DS_DOC_ENTRY 4u
/* Largest decompressed block, and so the largest document, in bytes. The
 * reader allocates raw_size bytes for a block before decompressing it, so
 * this bounds what a corrupt seek table can make it allocate. 256 MiB is
 * the corpus reader's largest text file (MAX_TEXT_FILE_BYTES), so any
 * article it accepts can be stored; hks_ds_writer_add refuses larger
 * documents with HKS_ERR_ARG. */
#define DS_MAX_RAW HKS_DS_MAX_DOC_BYTES
/* Default zstd level (zstd's own default): fast to write, and bodies
 * decompress at the same speed whatever the level. */
#define DS_DEFAULT_LEVEL 3
/* Default block size, dictionary capacity and training sample (see the
 * format comment; BENCHMARKS.md has the measurements behind them). */
#define DS_BLOCK_BYTES HKS_DS_BLOCK_BYTES
#define DS_DICT_BYTES ((size_t)64 * 1024)
#define DS_TRAIN_BYTES ((size_t)2 * 1024 * 1024)
/* fastCover with fixed parameters, one pass: segments of k = 200 bytes
 * scored by d = 8-byte dmers (under 3 CJK characters) in a 2^20 table.
 * On 2 MB of news text it trains in about half a second, and the store
 * is within 1% of what ZDICT_trainFromBuffer's search over k gives. */
#define DS_TRAIN_K 200u
#define DS_TRAIN_D 8u
#define DS_TRAIN_F 20u
/* A store with less text than DS_DICT_RATIO times the dictionary's
 * capacity gets no dictionary (1 MiB with the defaults). */
#define DS_DICT_RATIO 16u
/* The smallest dictionary read: magic and id. */
#define DS_DICT_MIN_SIZE 8u
/* Most dictionaries a store holds (merge gathers its inputs'). */
#define DS_MAX_DICTS 8u
/* The smallest capacity ZDICT trains into (its ZDICT_DICTSIZE_MIN). */
#define DS_DICT_MIN_CAP 256u

/* ---- zstd memory routed through hks_alloc ------------------------------ */

/* The customMem for a; a NULL allocator gets zstd's own malloc/free. */
static ZSTD_customMem zstd_mem(const hks_alloc *a)
{
    ZSTD_customMem m = {NULL, NULL, NULL};
    if (a && a->fn) {
        m.customAlloc = hks_zstd_alloc;
        m.customFree = hks_zstd_free;
        m.opaque = (void *)a;
    }
    return m;
}

/* Map a zstd error to a status: memory failures are NOMEM, the rest is
 * what the caller says (CORRUPT for decoding, INTERNAL for encoding). */
static int zstd_rc(size_t r, int other)
{
    return ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation
               ? HKS_ERR_NOMEM
               : other;
}

/* ---- writer -------------------------------------------------------------- */

struct hks_ds_writer {
    const hks_alloc *a;              /* allocator (borrowed)                          */
    int level;                       /* zstd compression level                        */
    int rc;                          /* sticky status: first failure, 0 if none      */
    bool finished;                   /* hks_ds_writer_finish has run                  */
    bool decided;                    /* the dictionary is chosen (trained, or none)   */
    ZSTD_CCtx *cctx;                 /* reused for every block                        */
    const ZSTD_CDict *cdict;         /* the dictionary, loaded once into cdict_mem;
                                NULL if none                              */
    void *cdict_mem;                 /* its workspace (hks_alloc'd)                   */
    size_t cdict_n;                  /* workspace bytes                               */
    size_t block_bytes;              /* block size                                    */
    size_t dict_cap;                 /* dictionary capacity; 0: never a dictionary    */
    size_t train_bytes;              /* text held back before training                */
    hks_buf dict;                    /* scratch for training                          */
    hks_buf dicts;                   /* the dictionaries as written: {u32 size, bytes} */
    uint32_t n_dicts;                /* entries in dicts                              */
    uint32_t dict_id[DS_MAX_DICTS];  /* their ids                             */
    size_t dict_off[DS_MAX_DICTS];   /* their bytes' offsets in dicts         */
    uint32_t dict_len[DS_MAX_DICTS]; /* their sizes                           */
    hks_buf frames;                  /* closed blocks' frames, back to back           */
    hks_buf btab;                    /* seek table block entries (DS_BLOCK_ENTRY each) */
    hks_buf dtab;                    /* seek table doc entries (DS_DOC_ENTRY each)    */
    hks_buf open;                    /* raw bytes: blocks held for training, then the
                            open block                                    */
    hks_buf held;                    /* per held block: u32 start in open, u32 first doc */
    size_t blk_start;                /* where the open block starts in open           */
    uint32_t n_docs;                 /* documents added so far                        */
    uint32_t n_blocks;               /* blocks closed so far                          */
    uint32_t open_first;             /* number of the open block's first document     */
    hks_ds_cursor *cur;              /* for hks_ds_writer_add_store; created lazily   */
};

/*
 * Create a writer. a: allocator for everything, including zstd's context
 * (borrowed; NULL = malloc). level: zstd level, 0 means DS_DEFAULT_LEVEL.
 * The block size and dictionary are the defaults (hks_ds_writer_tune).
 * @return HKS_OK with *out set, or HKS_ERR_NOMEM with *out NULL.
 * After the call the caller owns *out and frees it with hks_ds_writer_free.
 */
int hks_ds_writer_new(const hks_alloc *a, int level, hks_ds_writer **out)
{
    hks_ds_writer *w;
    *out = NULL;
    w = hks_mem_calloc(a, 1, sizeof *w);
    if (!w)
        return HKS_ERR_NOMEM;
    w->a = a;
    w->level = level ? level : DS_DEFAULT_LEVEL;
    w->block_bytes = DS_BLOCK_BYTES;
    w->dict_cap = DS_DICT_BYTES;
    w->train_bytes = DS_TRAIN_BYTES;
    hks_buf_init(&w->dict, a);
    hks_buf_init(&w->dicts, a);
    hks_buf_init(&w->frames, a);
    hks_buf_init(&w->btab, a);
    hks_buf_init(&w->dtab, a);
    hks_buf_init(&w->open, a);
    hks_buf_init(&w->held, a);
    w->cctx = ZSTD_createCCtx_advanced(zstd_mem(a));
    if (!w->cctx) {
        hks_ds_writer_free(w);
        return HKS_ERR_NOMEM;
    }
    /* Each frame carries zstd's content checksum (4 bytes): a damaged block
     * then fails to decompress instead of returning altered text. */
    if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel,
                                            w->level)) ||
        ZSTD_isError(
            ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1))) {
        hks_ds_writer_free(w);
        return HKS_ERR_ARG;
    }
    *out = w;
    return HKS_OK;
}

/*
 * Set the block size (block_bytes, 0: the default), the dictionary's
 * capacity (dict_bytes: 0 means no dictionary, else at least 256) and the
 * text held back to train it on (train_bytes, 0: the default), before the
 * first document.
 * @return HKS_OK; HKS_ERR_MISUSE once a document was added; HKS_ERR_ARG
 * for a block over DS_MAX_RAW or a dictionary under 256 bytes or over
 * 16 MiB, or a sample over 256 MiB.
 */
int hks_ds_writer_tune(hks_ds_writer *w, size_t block_bytes,
                       size_t dict_bytes, size_t train_bytes)
{
    if (w->n_docs || w->finished)
        return HKS_ERR_MISUSE;
    if (block_bytes > DS_MAX_RAW || train_bytes > DS_MAX_RAW ||
        (dict_bytes && (dict_bytes < DS_DICT_MIN_CAP ||
                        dict_bytes > (size_t)16 << 20)))
        return HKS_ERR_ARG;
    w->block_bytes = block_bytes ? block_bytes : DS_BLOCK_BYTES;
    w->dict_cap = dict_bytes;
    w->train_bytes = train_bytes ? train_bytes : DS_TRAIN_BYTES;
    return HKS_OK;
}

/* Free w and everything it holds (unfinished work is discarded). NULL ok. */
void hks_ds_writer_free(hks_ds_writer *w)
{
    if (!w)
        return;
    ZSTD_freeCCtx(w->cctx);
    hks_mem_free(w->a, w->cdict_mem, w->cdict_n);
    hks_ds_cursor_free(w->cur);
    hks_buf_free(&w->dict);
    hks_buf_free(&w->dicts);
    hks_buf_free(&w->frames);
    hks_buf_free(&w->btab);
    hks_buf_free(&w->dtab);
    hks_buf_free(&w->open);
    hks_buf_free(&w->held);
    hks_mem_free(w->a, w, sizeof *w);
}

/* Record a seek-table entry for a block whose frame was just appended at
 * comp_off (sticky w->rc). */
static void put_block_entry(hks_ds_writer *w, uint64_t comp_off,
                            size_t comp_size, size_t raw_size,
                            uint32_t first_doc)
{
    hks_buf_put_u64le(&w->rc, &w->btab, comp_off);
    hks_buf_put_u32le(&w->rc, &w->btab, (uint32_t)comp_size);
    hks_buf_put_u32le(&w->rc, &w->btab, (uint32_t)raw_size);
    hks_buf_put_u32le(&w->rc, &w->btab, first_doc);
    if (!w->rc)
        w->n_blocks++;
}

/* Compress raw[0..n), the block whose first document is first, into
 * w->frames (with the dictionary if there is one) and record it. Sticky:
 * no-op once w->rc is set, and sets it on failure. */
static void compress_block(hks_ds_writer *w, const uint8_t *raw, size_t n,
                           uint32_t first)
{
    size_t bound, r;
    uint64_t off = w->frames.n;
    const void *src = raw ? (const void *)raw : "";
    if (w->rc)
        return;
    bound = ZSTD_compressBound(n);
    if (!hks_buf_reserve(&w->rc, &w->frames, bound))
        return;
    /* With a dictionary referenced (train) the frame header names it. */
    r = ZSTD_compress2(w->cctx, w->frames.p + w->frames.n, bound, src, n);
    if (ZSTD_isError(r)) {
        w->rc = zstd_rc(r, HKS_ERR_INTERNAL);
        return;
    }
    if (r > UINT32_MAX) {
        w->rc = HKS_ERR_INTERNAL; /* cannot happen: raw <= DS_MAX_RAW */
        return;
    }
    w->frames.n += r;
    put_block_entry(w, off, r, n, first);
    if (w->rc)
        w->frames.n = (size_t)off; /* keep frames and table in step */
}

/* Append the dictionary d[0..n) to w's dictionaries (sticky w->rc). */
static void add_dict(hks_ds_writer *w, const uint8_t *d, size_t n)
{
    size_t at;
    if (w->rc)
        return;
    if (w->n_dicts >= DS_MAX_DICTS) {
        w->rc = HKS_ERR_INTERNAL; /* callers check the room first */
        return;
    }
    hks_buf_put_u32le(&w->rc, &w->dicts, (uint32_t)n);
    at = w->dicts.n;
    hks_buf_put(&w->rc, &w->dicts, d, n);
    if (w->rc)
        return;
    w->dict_off[w->n_dicts] = at;
    w->dict_len[w->n_dicts] = (uint32_t)n;
    w->dict_id[w->n_dicts] = ZDICT_getDictID(d, n);
    w->n_dicts++;
}

/* Compress every later block with the dictionary d[0..n) (one of w's). */
static void load_cdict(hks_ds_writer *w, const uint8_t *d, size_t n)
{
    /* zstd builds the dictionary's tables in a workspace of ours (a
     * static CDict, the dictionary copied in), so its memory comes from
     * hks_alloc too. */
    ZSTD_compressionParameters cp = ZSTD_getCParams(w->level, w->block_bytes, n);
    if (w->rc)
        return;
    w->cdict_n = ZSTD_estimateCDictSize_advanced(n, cp, ZSTD_dlm_byCopy);
    /* Zeroed: zstd reads its tables before it fills them all. */
    w->cdict_mem = hks_mem_calloc(w->a, 1, w->cdict_n);
    if (!w->cdict_mem) {
        w->rc = HKS_ERR_NOMEM;
        return;
    }
    w->cdict = ZSTD_initStaticCDict(w->cdict_mem, w->cdict_n, d, n, ZSTD_dlm_byCopy,
                                    ZSTD_dct_fullDict, cp);
    /* Blocks under 128 KiB take the compression parameters of the
     * dictionary, which are those of the level for a block of this size. */
    if (!w->cdict || ZSTD_isError(ZSTD_CCtx_refCDict(w->cctx, w->cdict)))
        w->rc = HKS_ERR_INTERNAL; /* a dictionary already checked */
}

/* Train the dictionary on the held documents (each one sample), when
 * there is enough text; a store without one is no error. Sticky. */
static void train(hks_ds_writer *w)
{
    size_t *sizes, dsize, cap = w->dict_cap, k, n_held = w->held.n / 8;
    uint32_t i, n = w->open_first, n_samples = 0;
    if (w->rc || !cap || w->blk_start / DS_DICT_RATIO < cap || n == 0)
        return;
    sizes = hks_mem_calloc(w->a, n, sizeof *sizes);
    if (!sizes) {
        w->rc = HKS_ERR_NOMEM;
        return;
    }
    /* Document i's size: the next offset in its block or the block's end. */
    for (k = 0; k < n_held; k++) {
        uint32_t start = hks_load_u32le(w->held.p + k * 8);
        uint32_t first = hks_load_u32le(w->held.p + k * 8 + 4);
        uint32_t end = k + 1 < n_held ? hks_load_u32le(w->held.p + k * 8 + 12) : n;
        size_t bend = k + 1 < n_held ? hks_load_u32le(w->held.p + k * 8 + 8)
                                     : w->blk_start;
        for (i = first; i < end; i++) {
            size_t d0 = hks_load_u32le(w->dtab.p + (size_t)i * DS_DOC_ENTRY);
            size_t d1 = i + 1 < end ? hks_load_u32le(w->dtab.p + (size_t)(i + 1) *
                                                                     DS_DOC_ENTRY)
                                    : bend - start;
            sizes[n_samples++] = d1 - d0;
        }
    }
    if (!hks_buf_reserve(&w->rc, &w->dict, cap)) {
        hks_mem_free(w->a, sizes, (size_t)n * sizeof *sizes);
        return;
    }
    {
        /* The trainer allocates with malloc: zdict.h takes no allocator. */
        ZDICT_fastCover_params_t fp;
        memset(&fp, 0, sizeof fp);
        fp.k = DS_TRAIN_K;
        fp.d = DS_TRAIN_D;
        fp.f = DS_TRAIN_F;
        fp.accel = 1;
        fp.zParams.compressionLevel = w->level;
        dsize = ZDICT_trainFromBuffer_fastCover(w->dict.p, cap, w->open.p, sizes,
                                                n_samples, fp);
    }
    hks_mem_free(w->a, sizes, (size_t)n * sizeof *sizes);
    if (ZDICT_isError(dsize) || dsize < DS_DICT_MIN_SIZE ||
        ZDICT_getDictID(w->dict.p, dsize) == 0)
        return; /* too little to learn from: no dictionary */
    add_dict(w, w->dict.p, dsize);
    load_cdict(w, w->dict.p, dsize);
    hks_buf_free(&w->dict);
}

/* Choose the dictionary (train it on the held text) and compress the held
 * blocks with it; from then on blocks are compressed as they close. */
static void decide(hks_ds_writer *w)
{
    size_t k, n_held = w->held.n / 8, rest;
    if (w->rc || w->decided)
        return;
    train(w);
    for (k = 0; k < n_held && !w->rc; k++) {
        uint32_t start = hks_load_u32le(w->held.p + k * 8);
        uint32_t first = hks_load_u32le(w->held.p + k * 8 + 4);
        size_t end = k + 1 < n_held ? hks_load_u32le(w->held.p + k * 8 + 8)
                                    : w->blk_start;
        compress_block(w, w->open.p + start, end - start, first);
    }
    if (w->rc)
        return;
    /* Keep the open block's bytes, now at the start of open. */
    rest = w->open.n - w->blk_start;
    if (rest)
        memmove(w->open.p, w->open.p + w->blk_start, rest);
    w->open.n = rest;
    w->blk_start = 0;
    w->held.n = 0;
    w->decided = true;
}

/* Close the open block (if it holds any document): compress it, or while
 * the dictionary is not yet chosen hold it, and choose once the held text
 * reaches train_bytes. Sticky: no-op once w->rc is set. */
static void close_block(hks_ds_writer *w)
{
    if (w->rc || w->open_first == w->n_docs)
        return;
    if (!w->decided && w->dict_cap) {
        hks_buf_put_u32le(&w->rc, &w->held, (uint32_t)w->blk_start);
        hks_buf_put_u32le(&w->rc, &w->held, w->open_first);
        if (w->rc)
            return;
        w->blk_start = w->open.n;
        w->open_first = w->n_docs;
        if (w->blk_start >= w->train_bytes)
            decide(w);
        return;
    }
    w->decided = true; /* no dictionary wanted */
    compress_block(w, w->open.p, w->open.n, w->open_first);
    if (w->rc)
        return;
    w->open.n = 0;
    w->open_first = w->n_docs;
}

/*
 * Append a document: it gets number hks_ds_writer_count(w) (before the
 * call). p[0..n) is copied; p may be NULL when n is 0 (an empty document
 * is stored and fetched as 0 bytes).
 * @return HKS_OK; HKS_ERR_ARG if n > 256 MiB (DS_MAX_RAW) or the store
 * already holds UINT32_MAX - 1 documents (w stays usable); HKS_ERR_MISUSE
 * after hks_ds_writer_finish; HKS_ERR_NOMEM / HKS_ERR_INTERNAL from
 * allocation or compression, which are sticky: every later call on w
 * returns the same code.
 */
int hks_ds_writer_add(hks_ds_writer *w, const void *p, size_t n)
{
    if (w->rc)
        return w->rc;
    if (w->finished)
        return HKS_ERR_MISUSE;
    if (n > DS_MAX_RAW || w->n_docs >= UINT32_MAX - 1)
        return HKS_ERR_ARG;
    /* Close the open block first if this document would overflow it. */
    if (w->open.n > w->blk_start && n > w->block_bytes - (w->open.n - w->blk_start))
        close_block(w);
    if (w->rc)
        return w->rc;
    hks_buf_put_u32le(&w->rc, &w->dtab, (uint32_t)(w->open.n - w->blk_start));
    if (!hks_buf_reserve(&w->rc, &w->open, n))
        return w->rc; /* sticky: the half-added entry is never written */
    if (n)
        memcpy(w->open.p + w->open.n, p, n);
    w->open.n += n;
    w->n_docs++;
    if (w->open.n - w->blk_start >= w->block_bytes)
        close_block(w);
    return w->rc;
}

/*
 * Close the open block and append the whole section (frames, seek table,
 * footer) to out. The writer is finished afterwards: further adds return
 * HKS_ERR_MISUSE; only hks_ds_writer_count and hks_ds_writer_free remain.
 * @return HKS_OK; the writer's sticky error; HKS_ERR_MISUSE if called
 * twice; HKS_ERR_NOMEM if out cannot grow (out is then restored to its
 * length before the call).
 */
/* Append the seek table and the footer (everything after the frames). */
static int finish_tail(hks_ds_writer *w, hks_buf *out)
{
    int rc = 0;
    size_t tab_start = out->n;
    hks_buf_put(&rc, out, w->dicts.p, w->dicts.n);
    hks_buf_put(&rc, out, w->btab.p, w->btab.n);
    hks_buf_put(&rc, out, w->dtab.p, w->dtab.n);
    hks_buf_put_u32le(&rc, out, w->n_blocks);
    hks_buf_put_u32le(&rc, out, w->n_docs);
    hks_buf_put_u32le(&rc, out, (uint32_t)w->dicts.n);
    hks_buf_put_u32le(&rc, out, w->n_dicts);
    if (!rc)
        hks_buf_put_u64le(&rc, out, hks_hash64(out->p + tab_start, out->n - tab_start));
    hks_buf_put_u32le(&rc, out, DS_VERSION);
    hks_buf_put_u32le(&rc, out, DS_MAGIC);
    return rc;
}

int hks_ds_writer_finish(hks_ds_writer *w, hks_buf *out)
{
    int rc = 0;
    size_t start = out->n;
    if (w->rc)
        return w->rc;
    if (w->finished)
        return HKS_ERR_MISUSE;
    close_block(w);
    decide(w);
    if (w->rc)
        return w->rc;
    w->finished = true;
    hks_buf_put(&rc, out, w->frames.p, w->frames.n);
    if (!rc)
        rc = finish_tail(w, out);
    if (rc) {
        out->n = start;
        w->finished = false; /* out of memory: the caller may retry */
        return rc;
    }
    return HKS_OK;
}

/*
 * Like hks_ds_writer_finish, but the section is handed to fn in pieces:
 * the frames as they are held, then the seek table and footer. Used by
 * seg_write.c to write the store straight into the segment file.
 * @return HKS_OK, or the writer's sticky error / HKS_ERR_NOMEM.
 */
int hks_ds_writer_finish_stream(hks_ds_writer *w, hks_write_fn fn, void *ctx)
{
    hks_buf tail;
    int rc;
    hks_buf_init(&tail, w->a);
    if (w->rc)
        return w->rc;
    /* Streaming again after a finish is allowed and emits the same bytes:
     * a segment whose file write failed (a full disk) is written again at
     * the next commit from the same store. */
    if (!w->finished) {
        close_block(w);
        decide(w);
        if (w->rc)
            return w->rc;
        w->finished = true;
    }
    rc = finish_tail(w, &tail);
    if (rc) {
        hks_buf_free(&tail);
        return rc;
    }
    fn(ctx, w->frames.p, w->frames.n);
    fn(ctx, tail.p, tail.n);
    hks_buf_free(&tail);
    return HKS_OK;
}

/* @return the number of documents added so far (the next one's number). */
uint32_t hks_ds_writer_count(const hks_ds_writer *w)
{
    return w->n_docs;
}

/* ---- reader ---------------------------------------------------------------- */

struct hks_ds_reader {
    const hks_alloc *a;                    /* allocator (borrowed)                          */
    const uint8_t *p;                      /* the section (borrowed)                        */
    size_t n;                              /* section bytes                                 */
    const uint8_t *btab;                   /* seek table block entries, inside p            */
    const uint8_t *dtab;                   /* seek table doc entries, inside p              */
    uint32_t n_blocks;                     /* blocks in the section                         */
    uint32_t n_docs;                       /* documents in the section                      */
    uint64_t hash;                         /* the footer's seek-table hash (cache identity) */
    uint32_t n_dicts;                      /* dictionaries                                  */
    uint32_t dict_bytes;                   /* the dictionaries' area                        */
    const uint8_t *dict[DS_MAX_DICTS];     /* each one's bytes, inside p          */
    uint32_t dict_len[DS_MAX_DICTS];       /* its size                            */
    uint32_t dict_id[DS_MAX_DICTS];        /* its id                              */
    const ZSTD_DDict *ddict[DS_MAX_DICTS]; /* loaded at open into ddict_mem,
                                              shared by every cursor      */
    void *ddict_mem[DS_MAX_DICTS];         /* its workspace (hks_alloc'd)         */
    size_t ddict_n[DS_MAX_DICTS];          /* workspace bytes                     */
};

/* Block j's fields, read from the validated seek table. *end is one past
 * its last document; j >= n_blocks gives *end = 0. */
static void block_info(const hks_ds_reader *r, uint32_t j, uint64_t *off,
                       uint32_t *csize, uint32_t *rsize, uint32_t *first,
                       uint32_t *end)
{
    const uint8_t *e;
    if (j >= r->n_blocks) {
        *off = 0;
        *csize = *rsize = *first = *end = 0;
        return;
    }
    e = r->btab + (size_t)j * DS_BLOCK_ENTRY;
    *off = hks_load_u64le(e);
    *csize = hks_load_u32le(e + 8);
    *rsize = hks_load_u32le(e + 12);
    *first = hks_load_u32le(e + 16);
    *end = j + 1 < r->n_blocks ? hks_load_u32le(e + DS_BLOCK_ENTRY + 16)
                               : r->n_docs;
}

/* Check the seek table against every invariant of the format comment. */
static int validate(const hks_ds_reader *r, uint64_t data_end, hks_errbuf *e)
{
    uint64_t expect_off = 0;
    uint32_t j, prev_first = 0;
    if ((r->n_blocks == 0) != (r->n_docs == 0) || r->n_blocks > r->n_docs)
        return hks_fail(e, HKS_ERR_CORRUPT,
                        "document store: %u blocks cannot hold %u documents",
                        (unsigned)r->n_blocks, (unsigned)r->n_docs);
    for (j = 0; j < r->n_blocks; j++) {
        uint64_t off;
        uint32_t cs, rs, first, end, i, prev_off = 0;
        block_info(r, j, &off, &cs, &rs, &first, &end);
        if (off != expect_off)
            return hks_fail(e, HKS_ERR_CORRUPT,
                            "document store: block %u: frame offset %llu, expected "
                            "%llu",
                            (unsigned)j, (unsigned long long)off,
                            (unsigned long long)expect_off);
        if (cs == 0 || cs > data_end - off)
            return hks_fail(e, HKS_ERR_CORRUPT,
                            "document store: block %u: frame %llu+%u runs past the "
                            "frames' end at %llu",
                            (unsigned)j, (unsigned long long)off, (unsigned)cs,
                            (unsigned long long)data_end);
        if (rs > DS_MAX_RAW)
            return hks_fail(e, HKS_ERR_CORRUPT,
                            "document store: block %u: decompressed size %u over "
                            "the limit %u",
                            (unsigned)j, (unsigned)rs, (unsigned)DS_MAX_RAW);
        if (j == 0 ? first != 0 : first <= prev_first)
            return hks_fail(e, HKS_ERR_CORRUPT,
                            "document store: block %u: first document %u after %u",
                            (unsigned)j, (unsigned)first,
                            (unsigned)prev_first);
        if (first >= r->n_docs || end <= first)
            return hks_fail(e, HKS_ERR_CORRUPT,
                            "document store: block %u: documents %u..%u outside "
                            "0..%u",
                            (unsigned)j, (unsigned)first, (unsigned)end,
                            (unsigned)r->n_docs);
        for (i = first; i < end; i++) {
            uint32_t d = hks_load_u32le(r->dtab + (size_t)i * DS_DOC_ENTRY);
            if ((i == first && d != 0) || d < prev_off || d > rs)
                return hks_fail(e, HKS_ERR_CORRUPT,
                                "document store: block %u: document %u offset %u "
                                "(previous %u, block size %u)",
                                (unsigned)j, (unsigned)i, (unsigned)d,
                                (unsigned)prev_off, (unsigned)rs);
            prev_off = d;
        }
        prev_first = first;
        expect_off = off + cs;
    }
    if (expect_off != data_end)
        return hks_fail(e, HKS_ERR_CORRUPT,
                        "document store: frames end at %llu but the seek table "
                        "starts at %llu",
                        (unsigned long long)expect_off,
                        (unsigned long long)data_end);
    return HKS_OK;
}

/* Read the dictionaries' area d[0..n) (r->n_dicts entries of {u32 size,
 * bytes}, tiling it exactly; ids nonzero and distinct) and load each. */
static int open_dicts(hks_ds_reader *r, const uint8_t *d, uint32_t n, hks_errbuf *e)
{
    uint32_t k, at = 0, i;
    for (k = 0; k < r->n_dicts; k++) {
        uint32_t len;
        if (n - at < 4 || (len = hks_load_u32le(d + at)) > n - at - 4 ||
            len < DS_DICT_MIN_SIZE)
            return hks_fail(e, HKS_ERR_CORRUPT,
                            "document store: dictionary %u of %u does not fit in "
                            "the %u-byte area at %u",
                            (unsigned)k, (unsigned)r->n_dicts, (unsigned)n, (unsigned)at);
        r->dict[k] = d + at + 4;
        r->dict_len[k] = len;
        r->dict_id[k] = ZDICT_getDictID(r->dict[k], len);
        at += 4 + len;
        for (i = 0; i < k && r->dict_id[k]; i++)
            if (r->dict_id[i] == r->dict_id[k])
                break;
        if (r->dict_id[k] == 0 || i < k)
            return hks_fail(e, HKS_ERR_CORRUPT,
                            "document store: dictionary %u has %s id %u", (unsigned)k,
                            r->dict_id[k] ? "the repeated" : "no", (unsigned)r->dict_id[k]);
        /* A static DDict: zstd's tables in a workspace of ours, the
         * dictionary's content by reference (the section outlives r). */
        r->ddict_n[k] = ZSTD_estimateDDictSize(len, ZSTD_dlm_byRef);
        r->ddict_mem[k] = hks_mem_calloc(r->a, 1, r->ddict_n[k]);
        if (!r->ddict_mem[k])
            return hks_fail(e, HKS_ERR_NOMEM,
                            "document store: no memory for a %u-byte dictionary",
                            (unsigned)len);
        r->ddict[k] = ZSTD_initStaticDDict(r->ddict_mem[k], r->ddict_n[k], r->dict[k], len,
                                           ZSTD_dlm_byRef, ZSTD_dct_fullDict);
        if (!r->ddict[k])
            return hks_fail(e, HKS_ERR_CORRUPT,
                            "document store: dictionary %u (%u bytes, id %u) is damaged",
                            (unsigned)k, (unsigned)len, (unsigned)r->dict_id[k]);
    }
    if (at != n)
        return hks_fail(e, HKS_ERR_CORRUPT,
                        "document store: %u dictionaries end at %u of their %u bytes",
                        (unsigned)r->n_dicts, (unsigned)at, (unsigned)n);
    return HKS_OK;
}

/* The dictionary named id in a frame header: 0 for none (id 0), k + 1 for
 * dictionary k, or -1 when the store holds none of that id. */
static int find_dict(const hks_ds_reader *r, uint32_t id)
{
    uint32_t k;
    if (id == 0)
        return 0;
    for (k = 0; k < r->n_dicts; k++)
        if (r->dict_id[k] == id)
            return (int)k + 1;
    return -1;
}

/*
 * Open a reader over the section bytes p[0..n) (borrowed: they must stay
 * valid and unchanged until hks_ds_reader_free). Validates the footer, the
 * seek-table hash and every seek-table invariant; frames are checked when
 * they are decompressed.
 * @return HKS_OK with *out set; HKS_ERR_CORRUPT (message "..."
 * in e) or HKS_ERR_FORMAT (unknown version) with *out NULL; HKS_ERR_NOMEM.
 * The caller frees *out with hks_ds_reader_free.
 */
int hks_ds_reader_open(const hks_alloc *a, const uint8_t *p, size_t n,
                       hks_errbuf *e, hks_ds_reader **out)
{
    hks_ds_reader *r;
    const uint8_t *f;
    uint32_t n_blocks, n_docs, dict_size, n_dicts, version, magic;
    uint64_t hash, tab_size, data_end;
    int rc;
    *out = NULL;
    if (n < DS_FOOTER_SIZE)
        return hks_fail(e, HKS_ERR_CORRUPT,
                        "document store: section of %zu bytes is shorter than its "
                        "%u-byte footer",
                        n, (unsigned)DS_FOOTER_SIZE);
    f = p + n - DS_FOOTER_SIZE;
    n_blocks = hks_load_u32le(f);
    n_docs = hks_load_u32le(f + 4);
    dict_size = hks_load_u32le(f + 8);
    n_dicts = hks_load_u32le(f + 12);
    hash = hks_load_u64le(f + 16);
    version = hks_load_u32le(f + 24);
    magic = hks_load_u32le(f + 28);
    if (magic != DS_MAGIC)
        return hks_fail(e, HKS_ERR_CORRUPT,
                        "document store: bad footer magic 0x%08x (expected 0x%08x)",
                        (unsigned)magic, (unsigned)DS_MAGIC);
    if (version != DS_VERSION)
        return hks_fail(e, HKS_ERR_FORMAT,
                        "document store: section version %u, this library reads %u",
                        (unsigned)version, (unsigned)DS_VERSION);
    /* At most 2^32 * 25 bytes: no overflow in 64 bits. */
    tab_size = (uint64_t)n_blocks * DS_BLOCK_ENTRY +
               (uint64_t)n_docs * DS_DOC_ENTRY;
    if (tab_size + dict_size > n - DS_FOOTER_SIZE)
        return hks_fail(e, HKS_ERR_CORRUPT,
                        "document store: seek table of %u blocks and %u documents "
                        "(%llu bytes) and a %u-byte dictionary do not fit in the "
                        "%zu-byte section",
                        (unsigned)n_blocks, (unsigned)n_docs,
                        (unsigned long long)tab_size, (unsigned)dict_size, n);
    data_end = n - DS_FOOTER_SIZE - tab_size - dict_size;
    {
        uint64_t got = hks_hash64(p + data_end, (size_t)tab_size + dict_size +
                                                    DS_FOOTER_HASHED);
        if (got != hash)
            return hks_fail(e, HKS_ERR_CORRUPT,
                            "document store: seek table hash mismatch (stored "
                            "0x%016llx, computed 0x%016llx)",
                            (unsigned long long)hash,
                            (unsigned long long)got);
    }
    if ((dict_size == 0) != (n_dicts == 0) || n_dicts > DS_MAX_DICTS)
        return hks_fail(e, HKS_ERR_CORRUPT,
                        "document store: %u dictionaries in %u bytes (at most %u)",
                        (unsigned)n_dicts, (unsigned)dict_size, (unsigned)DS_MAX_DICTS);
    r = hks_mem_calloc(a, 1, sizeof *r);
    if (!r)
        return HKS_ERR_NOMEM;
    r->a = a;
    r->p = p;
    r->n = n;
    r->btab = p + data_end + dict_size;
    r->dtab = r->btab + (size_t)n_blocks * DS_BLOCK_ENTRY;
    r->n_blocks = n_blocks;
    r->n_docs = n_docs;
    r->hash = hash;
    rc = validate(r, data_end, e);
    if (rc < 0) {
        hks_ds_reader_free(r);
        return rc;
    }
    r->dict_bytes = dict_size;
    r->n_dicts = n_dicts;
    rc = open_dicts(r, p + data_end, dict_size, e);
    if (rc < 0) {
        hks_ds_reader_free(r);
        return rc;
    }
    *out = r;
    return HKS_OK;
}

/* Free r (not the section bytes, which are the caller's). NULL ok. */
void hks_ds_reader_free(hks_ds_reader *r)
{
    uint32_t k;
    if (!r)
        return;
    for (k = 0; k < DS_MAX_DICTS; k++)
        hks_mem_free(r->a, r->ddict_mem[k], r->ddict_n[k]);
    hks_mem_free(r->a, r, sizeof *r);
}

/* @return the number of documents in the section (0 for NULL). */
uint32_t hks_ds_reader_count(const hks_ds_reader *r)
{
    return r ? r->n_docs : 0;
}

/* @return the bytes of the store's dictionaries (0: none), how many in
 * *n_dicts (may be NULL). */
uint32_t hks_ds_reader_dict(const hks_ds_reader *r, uint32_t *n_dicts)
{
    uint32_t k, sum = 0;
    for (k = 0; r && k < r->n_dicts; k++)
        sum += r->dict_len[k];
    if (n_dicts)
        *n_dicts = r ? r->n_dicts : 0;
    return sum;
}

/* The block holding document i (< n_docs): the last block whose
 * first_doc <= i, by binary search over the sorted first_doc column. */
static uint32_t find_block(const hks_ds_reader *r, uint32_t i)
{
    uint32_t lo = 0, hi = r->n_blocks; /* answer in [lo, hi) */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint32_t first =
            hks_load_u32le(r->btab + (size_t)mid * DS_BLOCK_ENTRY + 16);
        if (first <= i)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Check block j's frame header against the seek table without
 * decompressing: one whole frame of csize bytes, content size rsize. */
static int check_frame(const hks_ds_reader *r, uint32_t j, hks_errbuf *e)
{
    uint64_t off;
    uint32_t cs, rs, first, end;
    const uint8_t *src;
    unsigned long long content;
    size_t fsize;
    block_info(r, j, &off, &cs, &rs, &first, &end);
    src = r->p + off;
    fsize = ZSTD_findFrameCompressedSize(src, cs);
    if (ZSTD_isError(fsize) || fsize != cs)
        return hks_fail(e, HKS_ERR_CORRUPT,
                        "document store: block %u: not one zstd frame of %u bytes",
                        (unsigned)j, (unsigned)cs);
    content = ZSTD_getFrameContentSize(src, cs);
    if (content != rs)
        return hks_fail(e, HKS_ERR_CORRUPT,
                        "document store: block %u: frame content size %lld, seek "
                        "table says %u",
                        (unsigned)j,
                        content == ZSTD_CONTENTSIZE_UNKNOWN ||
                                content == ZSTD_CONTENTSIZE_ERROR
                            ? -1LL
                            : (long long)content,
                        (unsigned)rs);
    if (find_dict(r, ZSTD_getDictID_fromFrame(src, cs)) < 0)
        return hks_fail(e, HKS_ERR_CORRUPT,
                        "document store: block %u: frame names dictionary %u, which "
                        "the store does not hold",
                        (unsigned)j, (unsigned)ZSTD_getDictID_fromFrame(src, cs));
    return HKS_OK;
}

/* ---- cursor ---------------------------------------------------------------- */

/* Blocks a cursor keeps decompressed: the hits of a page are read by
 * collapse's copy test and again for their snippets. */
#define DS_CURSOR_BLOCKS 8

typedef struct ds_cached {
    uint8_t *buf;  /* the block's decompressed bytes                */
    size_t cap;    /* bytes allocated at buf                        */
    bool valid;    /* buf holds the block named by the key below    */
    uint64_t used; /* the cursor's tick when last read (least: replaced) */
    /* Key. The reader pointer alone could be reused by a later reader
     * after a free, so the section address, length and seek-table hash
     * are compared as well. */
    const hks_ds_reader *r;
    const uint8_t *sec;
    size_t sec_n;
    uint64_t hash;
    uint32_t block;
} ds_cached;

struct hks_ds_cursor {
    const hks_alloc *a; /* allocator (borrowed)                          */
    ZSTD_DCtx *dctx;    /* reused for every block                        */
    ds_cached slot[DS_CURSOR_BLOCKS];
    uint64_t tick;
    const uint8_t *buf; /* the block of the last hks_ds_get              */
};

/*
 * Create a cursor: per-thread read state (a zstd decompression context and
 * a cache of DS_CURSOR_BLOCKS blocks), usable with any reader. a: allocator (borrowed).
 * @return HKS_OK with *out set, or HKS_ERR_NOMEM with *out NULL. The caller
 * frees *out with hks_ds_cursor_free.
 */
int hks_ds_cursor_new(const hks_alloc *a, hks_ds_cursor **out)
{
    hks_ds_cursor *c;
    *out = NULL;
    c = hks_mem_calloc(a, 1, sizeof *c);
    if (!c)
        return HKS_ERR_NOMEM;
    c->a = a;
    c->dctx = ZSTD_createDCtx_advanced(zstd_mem(a));
    if (!c->dctx) {
        hks_mem_free(a, c, sizeof *c);
        return HKS_ERR_NOMEM;
    }
    *out = c;
    return HKS_OK;
}

/* Free c and its cache. NULL ok. */
void hks_ds_cursor_free(hks_ds_cursor *c)
{
    int k;
    if (!c)
        return;
    ZSTD_freeDCtx(c->dctx);
    for (k = 0; k < DS_CURSOR_BLOCKS; k++)
        hks_mem_free(c->a, c->slot[k].buf, c->slot[k].cap);
    hks_mem_free(c->a, c, sizeof *c);
}

/* Decompress block j of r into c's cache unless it is already there;
 * c->buf is then its bytes. */
static int load_block(const hks_ds_reader *r, hks_ds_cursor *c, uint32_t j,
                      hks_errbuf *e)
{
    uint64_t off;
    uint32_t cs, rs, first, end;
    size_t got;
    int rc, k, i;
    ds_cached *sl = &c->slot[0];
    for (i = 0; i < DS_CURSOR_BLOCKS; i++) {
        ds_cached *t = &c->slot[i];
        if (t->valid && t->r == r && t->sec == r->p && t->sec_n == r->n &&
            t->hash == r->hash && t->block == j) {
            t->used = ++c->tick;
            c->buf = t->buf;
            return HKS_OK;
        }
        if (!t->valid ? sl->valid : sl->valid && t->used < sl->used)
            sl = t; /* an empty slot, else the least recently read */
    }
    sl->valid = false;
    block_info(r, j, &off, &cs, &rs, &first, &end);
    rc = check_frame(r, j, e);
    if (rc < 0)
        return rc;
    if (sl->cap < rs || !sl->buf) {
        uint8_t *nb = hks_mem_realloc(c->a, sl->buf, sl->cap, rs ? rs : 1);
        if (!nb)
            return hks_fail(e, HKS_ERR_NOMEM,
                            "document store: block %u: no memory for %u bytes",
                            (unsigned)j, (unsigned)rs);
        sl->buf = nb;
        sl->cap = rs ? rs : 1;
    }
    k = find_dict(r, ZSTD_getDictID_fromFrame(r->p + off, cs)); /* >= 0: checked */
    got = k > 0 ? ZSTD_decompress_usingDDict(c->dctx, sl->buf, rs, r->p + off, cs,
                                             r->ddict[k - 1])
                : ZSTD_decompressDCtx(c->dctx, sl->buf, rs, r->p + off, cs);
    if (ZSTD_isError(got)) {
        rc = zstd_rc(got, HKS_ERR_CORRUPT);
        return hks_fail(e, rc, "document store: block %u: %s", (unsigned)j,
                        ZSTD_getErrorName(got));
    }
    if (got != rs)
        return hks_fail(e, HKS_ERR_CORRUPT,
                        "document store: block %u: decompressed to %zu bytes, "
                        "expected %u",
                        (unsigned)j, got, (unsigned)rs);
    sl->valid = true;
    sl->used = ++c->tick;
    sl->r = r;
    sl->sec = r->p;
    sl->sec_n = r->n;
    sl->hash = r->hash;
    sl->block = j;
    c->buf = sl->buf;
    return HKS_OK;
}

/*
 * Fetch document i of r: *p_out and *n_out view its bytes inside c's block
 * cache, valid until the next call on c (or hks_ds_cursor_free). Fetching
 * several documents of one block decompresses it once.
 * @return HKS_OK; HKS_ERR_NOTFOUND if i >= hks_ds_reader_count(r);
 * HKS_ERR_CORRUPT if the block's frame disagrees with the seek table or
 * fails to decompress; HKS_ERR_NOMEM. Errors carry a "block J:
 * ..." message in e (may be NULL) and leave *p_out and *n_out unchanged.
 */
int hks_ds_get(const hks_ds_reader *r, hks_ds_cursor *c, uint32_t i,
               const uint8_t **p_out, size_t *n_out, hks_errbuf *e)
{
    uint64_t off;
    uint32_t j, cs, rs, first, end, d0, d1;
    int rc;
    if (i >= r->n_docs)
        return hks_fail(e, HKS_ERR_NOTFOUND,
                        "document store: document %u of %u does not exist",
                        (unsigned)i, (unsigned)r->n_docs);
    j = find_block(r, i);
    block_info(r, j, &off, &cs, &rs, &first, &end);
    rc = load_block(r, c, j, e);
    if (rc < 0)
        return rc;
    /* Offsets were validated at open: 0 = d(first) <= ... <= rs. */
    d0 = hks_load_u32le(r->dtab + (size_t)i * DS_DOC_ENTRY);
    d1 = i + 1 < end ? hks_load_u32le(r->dtab + (size_t)(i + 1) * DS_DOC_ENTRY)
                     : rs;
    *p_out = c->buf + d0;
    *n_out = d1 - d0;
    return HKS_OK;
}

/* ---- merging stores ---------------------------------------------------- */

/* @return the text bytes of r (its blocks' raw sizes summed). */
uint64_t hks_ds_reader_raw_bytes(const hks_ds_reader *r)
{
    uint64_t sum = 0;
    uint32_t j;
    for (j = 0; r && j < r->n_blocks; j++)
        sum += hks_load_u32le(r->btab + (size_t)j * DS_BLOCK_ENTRY + 12);
    return sum;
}

/* w's number (k + 1) for dictionary k of r, taking it into w when it has
 * room; 0 when w has none of the same id and bytes and no room. */
static uint32_t take_dict(hks_ds_writer *w, const hks_ds_reader *r, uint32_t k)
{
    uint32_t i;
    for (i = 0; i < w->n_dicts; i++)
        if (w->dict_id[i] == r->dict_id[k])
            return w->dict_len[i] == r->dict_len[k] &&
                           memcmp(w->dicts.p + w->dict_off[i], r->dict[k], r->dict_len[k]) == 0
                       ? i + 1
                       : 0;
    if (w->n_dicts >= DS_MAX_DICTS)
        return 0;
    add_dict(w, r->dict[k], r->dict_len[k]);
    return w->rc ? 0 : w->n_dicts;
}

/*
 * Before the first document: take r's dictionaries instead of training
 * one, and compress every new block with the first of them, so that
 * hks_ds_writer_add_store copies r's blocks as they are. No-op when r
 * has no dictionary or w wants none (hks_ds_writer_tune).
 * @return HKS_OK; HKS_ERR_MISUSE once a document was added or a dictionary
 * taken; HKS_ERR_NOMEM (sticky).
 */
int hks_ds_writer_use_dict(hks_ds_writer *w, const hks_ds_reader *r)
{
    uint32_t k;
    if (w->rc)
        return w->rc;
    if (w->n_docs || w->finished || w->decided)
        return HKS_ERR_MISUSE;
    if (!r->n_dicts || !w->dict_cap)
        return HKS_OK;
    for (k = 0; k < r->n_dicts; k++)
        take_dict(w, r, k);
    load_cdict(w, r->dict[0], r->dict_len[0]);
    if (w->rc)
        return w->rc;
    w->decided = true;
    return HKS_OK;
}

/* Copy block j of r verbatim (frame and doc offsets) after closing the
 * open block, so document order is kept. The frame header is checked
 * against the seek table first so a damaged frame is not propagated. */
static int copy_block(hks_ds_writer *w, const hks_ds_reader *r, uint32_t j)
{
    uint64_t off, new_off;
    uint32_t cs, rs, first, end;
    int rc;
    size_t dtab_n, btab_n;
    block_info(r, j, &off, &cs, &rs, &first, &end);
    rc = check_frame(r, j, NULL);
    if (rc < 0)
        return w->rc = rc;
    close_block(w);
    if (w->rc)
        return w->rc;
    new_off = w->frames.n;
    dtab_n = w->dtab.n;
    btab_n = w->btab.n;
    hks_buf_put(&w->rc, &w->frames, r->p + off, cs);
    hks_buf_put(&w->rc, &w->dtab, r->dtab + (size_t)first * DS_DOC_ENTRY,
                (size_t)(end - first) * DS_DOC_ENTRY);
    put_block_entry(w, new_off, cs, rs, w->n_docs);
    if (w->rc) {
        /* Leave frames and tables consistent (the error is sticky anyway). */
        w->frames.n = (size_t)new_off;
        w->dtab.n = dtab_n;
        w->btab.n = btab_n;
        return w->rc;
    }
    w->n_docs += end - first;
    w->open_first = w->n_docs;
    return HKS_OK;
}

/*
 * Append every document i of r with keep[i] true (keep NULL: all of them;
 * keep has hks_ds_reader_count(r) entries), in order, renumbered from
 * hks_ds_writer_count(w). A block whose documents are all kept is copied
 * verbatim, frame and all, without recompression (after its frame header
 * is checked against the seek table, so a damaged frame is not copied);
 * other blocks are decompressed and their kept documents added one by one.
 * @return HKS_OK; HKS_ERR_CORRUPT if a block of r is damaged; otherwise
 * as hks_ds_writer_add. Errors other than HKS_ERR_ARG are sticky on w.
 */
int hks_ds_writer_add_store(hks_ds_writer *w, const hks_ds_reader *r,
                            const bool *keep)
{
    uint32_t j;
    if (w->rc)
        return w->rc;
    if (w->finished)
        return HKS_ERR_MISUSE;
    if ((uint64_t)w->n_docs + r->n_docs >= UINT32_MAX - 1)
        return HKS_ERR_ARG;
    for (j = 0; j < r->n_blocks; j++) {
        uint64_t off;
        uint32_t cs, rs, first, end, i;
        bool all = true;
        int rc;
        block_info(r, j, &off, &cs, &rs, &first, &end);
        for (i = first; keep && i < end && all; i++)
            all = keep[i];
        /* A frame is copied when it needs no dictionary or one that w
         * holds or can take (the writer's own chosen first, so that new
         * blocks keep to it). */
        if (all) {
            int k = find_dict(r, ZSTD_getDictID_fromFrame(r->p + off, cs));
            decide(w);
            if (w->rc)
                return w->rc;
            all = k == 0 || (k > 0 && w->dict_cap && take_dict(w, r, (uint32_t)k - 1) > 0);
            if (w->rc)
                return w->rc;
        }
        if (all) {
            rc = copy_block(w, r, j);
            if (rc < 0)
                return rc;
            continue;
        }
        for (i = first; i < end; i++) {
            const uint8_t *p;
            size_t n;
            if (keep && !keep[i])
                continue;
            if (!w->cur) {
                rc = hks_ds_cursor_new(w->a, &w->cur);
                if (rc < 0)
                    return w->rc = rc;
            }
            rc = hks_ds_get(r, w->cur, i, &p, &n, NULL);
            if (rc < 0)
                return w->rc = rc;
            /* hks_ds_get set p and n when it returned HKS_OK. */
            rc = hks_ds_writer_add(w, p, n); /* NOLINT(clang-analyzer-core.CallAndMessage) */
            if (rc < 0)
                return rc;
        }
    }
    return w->rc;
}
