/*
 * hks_format.h: the internal header of format/, the index as it is on disk,
 * read and written by both sides of the library: integer codecs (varint.c,
 * block.c), the file container (format.c, which writes out every byte
 * format), the directory, lock, manifest and tombstones (fileio.c), the
 * document store (docstore.c) and reading a segment (segment.c: the
 * searcher reads segments to answer queries, the writer's merge to copy
 * them).
 */
#ifndef HKS_FORMAT_H
#define HKS_FORMAT_H

#include "hks_int.h"

/**************************************************************************
** Interface to code in block.c
**
** Patched frame-of-reference packing of u32 arrays (the integer codec of
** postings and positions): a group of n <= HKS_BLOCK values is written as
**     u8: b, bits per value (0..32), | 0x80 when exceptions follow
**     ceil(n*b/8) bytes: the values' low b bits, LSB first
**     exceptions: count, width, indices, high bits (block.c has the bytes)
** b is chosen per group for the fewest bytes. The caller knows n (it is
** stored elsewhere). Decoding checks every count and width and that every
** byte is inside the reader's bound.
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
** Interface to code in format.c
*/
#define HKS_FORMAT_VERSION 5
#define HKS_FILE_MAGIC 0x3153484Bu /* "KHS1" little-endian bytes: 4B 48 53 31 */
#define HKS_FOOT_MAGIC 0x4653484Bu /* "KHSF" */
#define HKS_HEADER_BYTES 16
#define HKS_FOOTER_BYTES 32
#define HKS_SECTION_ENTRY_BYTES 32
#define HKS_MAX_SECTIONS 16

/* Terms per lexicon block: a lookup scans at most this many front-coded
 * entries after a binary search of the block index. 32 keeps the scan
 * short (a few hundred bytes) and the in-memory index at 1/32 of the terms. */
#define HKS_LEX_BLOCK 32

/* File kinds (header and footer). */
enum { HKS_KIND_SEGMENT = 1,
       HKS_KIND_MANIFEST = 2,
       HKS_KIND_TOMBSTONE = 3,
       HKS_KIND_SYNONYMS = 4 };

/* The character field: every CJK character of a document is also a term
 * of its own, this byte followed by the character's UTF-8, with its
 * occurrences counted and no positions (one-character queries, and the
 * unigram half of natural-language ranking). No normalized term starts
 * with a control character, so the keys never meet a word or a bigram. */
#define HKS_CHAR_KEY 0x01
/* The character-field key of term[0..n) if it is one CJK character (out
 * holds HKS_MAX_TERM_BYTES), its length; 0 otherwise. */
HKS_INTERNAL size_t hks_char_key(const uint8_t *term, size_t n, uint8_t *out);
static inline bool hks_is_char_key(const uint8_t *term, size_t n)
{
    return n > 1 && term[0] == HKS_CHAR_KEY;
}

/* Section ids. */
enum {
    HKS_SEC_INFO = 1,      /* segment: counts, normalizer identity          */
    HKS_SEC_POSTINGS = 2,  /* segment: per-term doc blocks + positions      */
    HKS_SEC_LEXICON = 3,   /* segment: front-coded term blocks              */
    HKS_SEC_LEXIDX = 4,    /* segment: first term of each lexicon block     */
    HKS_SEC_DOCS = 5,      /* segment: fixed-width per-document record      */
    HKS_SEC_META = 6,      /* segment: per-document strings                 */
    HKS_SEC_DOCSTORE = 7,  /* segment: zstd document store                  */
    HKS_SEC_MANIFEST = 8,  /* manifest: the list of live segments           */
    HKS_SEC_DELETED = 9,   /* tombstone: bitmap of deleted documents        */
    HKS_SEC_BLOCKSUMS = 10 /* segment: checksum per lexicon block          */
};
/* A segment's near-duplicate fingerprints (added after the others). */
enum { HKS_SEC_SIMHASH = 11 /* segment: SimHash per document */ };
/* Section id of the boilerplate counts and ranges (format.c), apart from
 * the list above so that ids given out elsewhere do not collide. */
#define HKS_SEC_BOILER 12
/* The first byte of the key of a token inside a boilerplate line: such
 * tokens are indexed as this byte + term, so a query matches them only when
 * asked to (HKS_S_BOILERPLATE). No normal term starts with it. */
#define HKS_BOILER_BYTE 0x02
/* The boilerplate key of term[0..len): HKS_BOILER_BYTE + term, cut at a
 * code point to fit HKS_MAX_TERM_BYTES, into out; its length. The indexer
 * writes these keys, the searcher looks them up. */
HKS_INTERNAL size_t hks_boiler_key(const uint8_t *term, size_t len,
                                   uint8_t out[HKS_MAX_TERM_BYTES]);
/* The synonyms file's one section: the index's alias groups. */
enum { HKS_SEC_SYNONYMS = 20 };

/* Sequential writer of one container file. Sticky rc; the first failure is
 * kept with a message in err. */
typedef struct hks_filew {
    int fd;           /* -1 when closed                            */
    char *path;       /* file being written (owned)                */
    uint64_t off;     /* bytes written so far                      */
    int rc;           /* sticky status                             */
    hks_buf out;      /* write-behind buffer                       */
    void *hstate;     /* XXH3 streaming state of the open section  */
    void *hstate_mem; /* its (over-sized, for alignment) block     */
    int n_sec;        /* sections finished                         */
    struct {
        uint32_t id;
        uint64_t off, len, hash;
    } sec[HKS_MAX_SECTIONS];
    uint32_t kind;   /* file kind                                 */
    bool in_section; /* between section_begin and section_end     */
    hks_errbuf *err; /* where failures are described (borrowed)   */
    const hks_alloc *a;
} hks_filew;

HKS_INTERNAL int hks_filew_open(hks_filew *f, const hks_alloc *a,
                                const char *path, uint32_t kind,
                                hks_errbuf *err);
HKS_INTERNAL void hks_filew_begin(hks_filew *f, uint32_t id);
HKS_INTERNAL void hks_filew_write(hks_filew *f, const void *p, size_t n);
HKS_INTERNAL void hks_filew_end(hks_filew *f);
/* Write the section table and footer, fsync and close. */
HKS_INTERNAL int hks_filew_finish(hks_filew *f);
/* Close and unlink an unfinished file (error paths). */
HKS_INTERNAL void hks_filew_abort(hks_filew *f);
/* Convenience: one section from a buffer. */
HKS_INTERNAL void hks_filew_section(hks_filew *f, uint32_t id, const hks_buf *b);

/* A read-only view of one container file (mmap, or read into memory). */
typedef struct hks_filer {
    const uint8_t *p; /* whole file                                */
    size_t n;
    bool is_mapped; /* munmap (else hks_mem_free) on close       */
    uint32_t kind;
    int n_sec;
    struct {
        uint32_t id;
        uint64_t off, len, hash;
    } sec[HKS_MAX_SECTIONS];
    const hks_alloc *a;
} hks_filer;

/* Open and validate header, footer and section table (not the section
 * checksums: see hks_filer_verify). HKS_ERR_NOTFOUND, HKS_ERR_IO,
 * HKS_ERR_CORRUPT or HKS_ERR_FORMAT with a message naming path. */
HKS_INTERNAL int hks_filer_open(hks_filer *f, const hks_alloc *a,
                                const char *path, uint32_t kind,
                                hks_errbuf *err);
HKS_INTERNAL void hks_filer_close(hks_filer *f);
/* Section bytes; HKS_ERR_CORRUPT if absent. */
HKS_INTERNAL int hks_filer_section(const hks_filer *f, uint32_t id,
                                   const uint8_t **p, size_t *n,
                                   const char *path, hks_errbuf *err);
/* Check the section's checksum. */
HKS_INTERNAL int hks_filer_verify(const hks_filer *f, uint32_t id,
                                  const char *path, hks_errbuf *err);
HKS_INTERNAL const char *hks_section_name(uint32_t id);

/**************************************************************************
** Interface to code in fileio.c: the index directory
*/
#define HKS_MANIFEST_NAME "MANIFEST"
#define HKS_LOCK_NAME "LOCK"

typedef struct hks_seginfo {
    char name[48];      /* "seg-000007.hks"                              */
    char del_name[48];  /* "seg-000007.hks.del-000012", "" if none       */
    uint32_t n_docs;    /* documents in the segment (deleted included)   */
    uint32_t n_deleted; /* of which deleted                              */
} hks_seginfo;

/* A collection's record: its name and the source it is read from (the
 * canonical absolute path of the folder or file, "" when it was never read
 * from a source). Both strings are owned, NUL-terminated and free of NUL. */
typedef struct hks_collinfo {
    char *name;
    size_t name_len; /* 0..1024                                        */
    char *source;
    size_t source_len; /* 0..4095                                      */
} hks_collinfo;

typedef struct hks_manifest {
    uint64_t generation; /* commit number, 0 = empty index            */
    uint64_t next_file;  /* next number for a new file name           */
    uint32_t n_seg;
    uint32_t cap_seg;
    hks_seginfo *seg; /* n_seg entries (owned)                     */
    uint32_t n_coll;
    uint32_t cap_coll;
    hks_collinfo *coll; /* n_coll entries in byte order of name (owned) */
} hks_manifest;

HKS_INTERNAL void hks_manifest_free(const hks_alloc *a, hks_manifest *m);
/* Read dir/MANIFEST; a missing manifest gives an empty one and HKS_OK when
 * allow_missing, else HKS_ERR_NOTFOUND. */
HKS_INTERNAL int hks_manifest_read(const hks_alloc *a, const char *dir,
                                   bool allow_missing, hks_manifest *m,
                                   hks_errbuf *err);
/* Atomically replace dir/MANIFEST with m (write tmp, fsync, rename, fsync
 * dir). */
HKS_INTERNAL int hks_manifest_write(const hks_alloc *a, const char *dir,
                                    const hks_manifest *m, hks_errbuf *err);
HKS_INTERNAL int hks_manifest_push(const hks_alloc *a, hks_manifest *m,
                                   const hks_seginfo *si);
/* The record of collection name, or NULL. */
HKS_INTERNAL hks_collinfo *hks_manifest_coll(const hks_manifest *m,
                                             const char *name, size_t n);
/* Set (adding it in name order if new) the source of collection name;
 * HKS_ERR_NOMEM or HKS_ERR_ARG (too long) leave m as it was. */
HKS_INTERNAL int hks_manifest_set_coll(const hks_alloc *a, hks_manifest *m,
                                       const char *name, size_t name_len,
                                       const char *source, size_t source_len);
HKS_INTERNAL void hks_manifest_drop_coll(const hks_alloc *a, hks_manifest *m,
                                         const char *name, size_t n);
/* Copy src's collection records into dst (which has none). */
HKS_INTERNAL int hks_manifest_copy_colls(const hks_alloc *a, hks_manifest *dst,
                                         const hks_manifest *src);
#define HKS_MAX_COLL_BYTES 1024
#define HKS_MAX_SOURCE_BYTES 4095
/* Normalizer identity strings checked by every open. */
HKS_INTERNAL void hks_identity_put(int *rc, hks_buf *b);
HKS_INTERNAL int hks_identity_check(hks_rd *rd, const char *path,
                                    hks_errbuf *err);

/* Join dir and name into buf; HKS_ERR_ARG if it does not fit. */
HKS_INTERNAL int hks_path_join(char *buf, size_t cap, const char *dir,
                               const char *name);
HKS_INTERNAL int hks_fsync_dir(const char *dir, hks_errbuf *err);
/* Take the writer lock (flock on dir/LOCK). */
HKS_INTERNAL int hks_lock_take(const char *dir, int *fd_out, hks_errbuf *err);
HKS_INTERNAL void hks_lock_release(int fd);
/* Tombstone files: bitmap of n_docs bits. */
HKS_INTERNAL int hks_tomb_write(const hks_alloc *a, const char *path,
                                const uint8_t *bits, uint32_t n_docs,
                                hks_errbuf *err);
HKS_INTERNAL int hks_tomb_read(const hks_alloc *a, const char *path,
                               uint32_t n_docs, uint8_t **bits_out,
                               hks_errbuf *err);

/**************************************************************************
** Per-document record in the DOCS section (fixed width, 28 bytes).
*/
#define HKS_DOCREC_BYTES 28
typedef struct hks_docrec {
    uint32_t n_tokens;  /* BM25 document length: title + body tokens  */
    uint32_t title_end; /* positions < title_end are in the title      */
    uint32_t date;      /* YYYYMMDD, 0 if unknown                      */
    uint32_t meta_off;  /* offset of its strings in the META section   */
    uint64_t chash;     /* hash of the document as added (hks_doc_hash):
                              adding the same document again is a no-op   */
    uint32_t n_chars;   /* length in the character field: CJK characters */
    uint64_t simhash;   /* not in DOCS: its entry of the SIMHASH section
                           (indexer/simhash.c), HKS_SIMHASH_NONE if none  */
} hks_docrec;
/* The SIMHASH entry of a document too short to compare: never collapsed. */
#define HKS_SIMHASH_NONE 0

/* Strings of one document in META, in this order. */
enum {
    HKS_META_COLLECTION,
    HKS_META_ID,
    HKS_META_TITLE,
    HKS_META_DATE,
    HKS_META_SOURCE,
    HKS_META_URL,
    HKS_META_AUTHOR,
    HKS_META_CATEGORY,
    HKS_META_TAGS, /* one tag per line, '\n' between them */
    HKS_META_N
};

/**************************************************************************
** Interface to code in docstore.c
**
** The document store section of a segment: original article bodies, packed
** into blocks of about HKS_DS_BLOCK_BYTES, each an independent zstd frame
** compressed with a dictionary trained on the store's own text, and a seek
** table at the end (zstd seekable format idea). Byte layout is written out
** at the top of docstore.c.
*/
#define HKS_DS_BLOCK_BYTES ((size_t)64 * 1024)
/* Largest document the store takes (docstore.c, DS_MAX_RAW). */
#define HKS_DS_MAX_DOC_BYTES ((size_t)256 * 1024 * 1024)
typedef struct hks_ds_writer hks_ds_writer;
typedef struct hks_ds_reader hks_ds_reader;

/* level: zstd level (0 = default 3). */
HKS_INTERNAL int hks_ds_writer_new(const hks_alloc *a, int level,
                                   hks_ds_writer **out);
/* Before the first document: block size, dictionary capacity (0: none)
 * and the text held back to train it on; 0 keeps a default. */
HKS_INTERNAL int hks_ds_writer_tune(hks_ds_writer *w, size_t block_bytes,
                                    size_t dict_bytes, size_t train_bytes);
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
/* The store's dictionary bytes (0: none) and its id. */
HKS_INTERNAL uint32_t hks_ds_reader_dict(const hks_ds_reader *r, uint32_t *id);
/* The store's text bytes (its blocks decompressed). */
HKS_INTERNAL uint64_t hks_ds_reader_raw_bytes(const hks_ds_reader *r);
/* Before the first document: compress with r's dictionary (merge), so that
 * r's blocks are copied as they are. */
HKS_INTERNAL int hks_ds_writer_use_dict(hks_ds_writer *w, const hks_ds_reader *r);
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
** Interface to code in segment.c: reading one segment
*/
typedef struct hks_lexent {
    bool chars;       /* a character-field key: no positions, lengths
                         are n_chars                                */
    uint32_t df;      /* documents containing the term             */
    uint64_t off;     /* offset of its data in POSTINGS            */
    uint32_t doc_len; /* bytes of skip table + doc blocks          */
    uint32_t pos_len; /* bytes of position blocks after them       */
} hks_lexent;

typedef struct hks_segment hks_segment;
HKS_INTERNAL int hks_seg_open(const hks_alloc *a, const char *dir,
                              const hks_seginfo *si, hks_errbuf *err,
                              hks_segment **out);
HKS_INTERNAL void hks_seg_close(hks_segment *s);
HKS_INTERNAL uint32_t hks_seg_ndocs(const hks_segment *s);
HKS_INTERNAL bool hks_seg_is_deleted(const hks_segment *s, uint32_t doc);
HKS_INTERNAL const uint8_t *hks_seg_deleted_bits(const hks_segment *s);
HKS_INTERNAL uint64_t hks_seg_nterms(const hks_segment *s);
HKS_INTERNAL int hks_seg_docrec(const hks_segment *s, uint32_t doc,
                                hks_docrec *out);
/* Doc lengths as a plain array (decoded at open). */
HKS_INTERNAL const uint32_t *hks_seg_doclens(const hks_segment *s);
/* Lengths in the character field (n_chars), the same way. */
HKS_INTERNAL const uint32_t *hks_seg_charlens(const hks_segment *s);
/* Strings of a doc's metadata (views into the mapped file). */
HKS_INTERNAL int hks_seg_meta(const hks_segment *s, uint32_t doc,
                              const uint8_t *p_out[HKS_META_N],
                              size_t n_out[HKS_META_N], hks_errbuf *err);
HKS_INTERNAL const hks_ds_reader *hks_seg_docstore(const hks_segment *s);
/* A document's stored body (hks_ds_get), with the segment's file named in
 * the message of any error. */
HKS_INTERNAL int hks_seg_body(const hks_segment *s, hks_ds_cursor *c, uint32_t doc,
                              const uint8_t **p_out, size_t *n_out, hks_errbuf *err);
HKS_INTERNAL const char *hks_seg_path(const hks_segment *s);
/* The document's near-duplicate fingerprint (SIMHASH section), or
 * HKS_SIMHASH_NONE; doc < hks_seg_ndocs(s). */
HKS_INTERNAL uint64_t hks_seg_simhash(const hks_segment *s, uint32_t doc);
HKS_INTERNAL uint64_t hks_seg_bytes(const hks_segment *s, uint64_t *postings,
                                    uint64_t *docstore);
/* Exact lookup: HKS_OK, HKS_ERR_NOTFOUND or HKS_ERR_CORRUPT. */
HKS_INTERNAL int hks_seg_lookup(const hks_segment *s, const uint8_t *term,
                                size_t len, hks_lexent *out, hks_errbuf *err);
/* Every term starting with prefix, in order: fn(ctx, term, len, ent);
 * fn returns HKS_OK to go on. */
typedef int (*hks_lex_fn)(void *ctx, const uint8_t *term, size_t len,
                          const hks_lexent *ent);
HKS_INTERNAL int hks_seg_prefix(const hks_segment *s, const uint8_t *prefix,
                                size_t len, hks_lex_fn fn, void *ctx,
                                hks_errbuf *err);
/* Every term, in order (merge, check). */
HKS_INTERNAL int hks_seg_each_term(const hks_segment *s, hks_lex_fn fn,
                                   void *ctx, hks_errbuf *err);
/* A pull iterator over every term of a segment, in order (merge.c):
 *   for (rc = hks_lexit_next(&it); rc == HKS_OK; rc = hks_lexit_next(&it))
 *       ... it.term, it.len, it.ent ...
 * ends with HKS_DONE, or an error. */
typedef struct hks_lexit {
    const hks_segment *seg;
    hks_errbuf *err;
    uint64_t b;   /* current lexicon block                      */
    uint64_t t;   /* terms returned so far                      */
    int k;        /* entries read in the block                  */
    hks_rd rd;    /* reader inside the block                    */
    uint64_t off; /* postings offset of the next entry          */
    uint8_t term[HKS_MAX_TERM_BYTES];
    size_t len;
    hks_lexent ent;
} hks_lexit;
HKS_INTERNAL void hks_lexit_init(hks_lexit *it, const hks_segment *seg,
                                 hks_errbuf *err);
HKS_INTERNAL int hks_lexit_next(hks_lexit *it);

/* Tell the kernel the postings below offset `upto` will not be read again
 * (a merge streams through them): their pages leave the process's
 * resident set instead of accumulating. Reading them again still works. */
HKS_INTERNAL void hks_seg_release_postings(const hks_segment *s, uint64_t upto);
/* The same for the whole file (after a merge has copied its stored text). */
HKS_INTERNAL void hks_seg_release_all(const hks_segment *s);

/* backup.c: */
/* Copy the committed state m of the index in dir (its segments open in
 * segs, m->n_seg of them) into the new or empty directory dest: each file
 * the manifest names is hard-linked (files are immutable and names never
 * reused), or copied (another file system; or from the open segment when a
 * later commit has removed it), fsynced; syn[0..syn_n) (NULL: none) becomes
 * its SYNONYMS file; the manifest is written last. */
HKS_INTERNAL int hks_backup_write(const hks_alloc *a, const char *dir,
                                  const hks_manifest *m,
                                  hks_segment *const *segs, const uint8_t *syn,
                                  size_t syn_n, const char *dest,
                                  hks_errbuf *err);
/* The whole segment file as read (for a backup whose source is gone). */
HKS_INTERNAL void hks_seg_file(const hks_segment *s, const uint8_t **p, size_t *n);

/* The BOILER section (format.c), checked at open. The table part (the
 * counts) into *p, *n (NULL, 0 when the segment has none). */
HKS_INTERNAL void hks_seg_boiler_table(const hks_segment *s, const uint8_t **p, size_t *n);
/* Document doc's entry as stored (varint n_ranges, then the pairs): for a
 * merge to copy. A segment without the section gives the empty entry. */
HKS_INTERNAL void hks_seg_boiler_entry(const hks_segment *s, uint32_t doc, const uint8_t **p,
                                       size_t *n);
/* Document doc's boilerplate byte ranges of its stored body, as pairs
 * start, end into *r (growable, *cap pairs; free with hks_mem_free), their
 * number into *n_out. HKS_ERR_NOMEM only (entries are checked at open). */
HKS_INTERNAL int hks_seg_boiler_ranges(const hks_segment *s, uint32_t doc, const hks_alloc *a,
                                       uint32_t **r, size_t *cap, size_t *n_out);

/* Verify all section checksums and decode every structure. */
HKS_INTERNAL int hks_seg_check(const hks_segment *s, hks_errbuf *err);

/* A postings cursor over one term of one segment. Iterator idiom:
 *   for (rc = hks_pc_open(&c, seg, &ent, err); rc == HKS_OK && c.doc != HKS_END;
 *        rc = hks_pc_next(&c)) { ... c.doc, c.tf ... }
 */
#define HKS_END UINT32_MAX
typedef struct hks_pcur {
    const hks_segment *seg;
    hks_errbuf *err;
    uint32_t doc; /* current doc, HKS_END when exhausted        */
    uint32_t tf;  /* its term frequency                         */
    uint32_t df;
    uint32_t n_blocks;
    uint32_t blk;            /* current block                              */
    uint32_t i;              /* index in the block                         */
    uint32_t n;              /* docs in the current block                  */
    bool chars;              /* a character-field term: no positions       */
    const uint8_t *skip;     /* skip table reader state                    */
    const uint8_t *base;     /* start of the term's data                   */
    const uint8_t *end;      /* end of its doc part                        */
    const uint8_t *pos_base; /* start of its positions                    */
    const uint8_t *pos_end;
    uint32_t *blk_last;  /* per block: last doc                        */
    uint32_t *blk_off;   /* per block: offset of its doc data          */
    uint32_t *blk_poff;  /* per block: offset of its positions         */
    uint32_t *blk_maxtf; /* per block: maximum tf                      */
    uint32_t *blk_mindl; /* per block: minimum doc length              */
    uint32_t skip_cap;
    uint32_t one[5]; /* the five per-block values of a one-block term:
                              most terms have one block, and this spares
                              them two allocations per cursor             */
    uint32_t docs[HKS_BLOCK];
    uint32_t tfs[HKS_BLOCK];
    bool pos_loaded; /* positions of the current block decoded     */
    uint32_t *pos;   /* positions of the current block             */
    uint32_t pos_cap;
    uint32_t pos_start[HKS_BLOCK + 1]; /* per doc in block: index into pos */
    const hks_alloc *a;
} hks_pcur;

HKS_INTERNAL int hks_pc_open(hks_pcur *c, const hks_alloc *a,
                             const hks_segment *seg, const hks_lexent *ent,
                             hks_errbuf *err);
HKS_INTERNAL void hks_pc_close(hks_pcur *c);
HKS_INTERNAL int hks_pc_next(hks_pcur *c);
/* hks_pc_next with its common case (the next doc in the decoded block)
 * inline: the walk of a list's documents. */
static inline int hks_pc_next_inline(hks_pcur *c)
{
    if (c->doc != HKS_END && c->i + 1 < c->n) {
        c->i++;
        c->doc = c->docs[c->i];
        c->tf = c->tfs[c->i];
        return HKS_OK;
    }
    return hks_pc_next(c);
}
/* Move to the first doc >= target (never backwards). */
HKS_INTERNAL int hks_pc_advance(hks_pcur *c, uint32_t target);
/* Positions of the current doc. */
HKS_INTERNAL int hks_pc_positions(hks_pcur *c, const uint32_t **p,
                                  uint32_t *n);
/* Maximum tf and minimum doc length over the blocks still ahead of c that
 * hold docs in [lo, hi] (block-max bounds; 0 and UINT32_MAX when there are
 * none). */
HKS_INTERNAL void hks_pc_range_bound(const hks_pcur *c, uint32_t lo, uint32_t hi,
                                     uint32_t *max_tf, uint32_t *min_dl);

/**************************************************************************
** Interface to code in synonyms.c: the SYNONYMS file (byte format in
** format.c), the index's synonym table, set without reindexing.
*/
#define HKS_SYNONYMS_NAME "SYNONYMS"
#define HKS_SYN_MAX_ALIAS_BYTES 255 /* an alias, as written and normalized */
#define HKS_SYN_MAX_GROUP 64        /* aliases in one group                 */
#define HKS_SYN_MAX_ALIASES 1000000 /* aliases in a table                   */

typedef struct hks_synalias {
    const uint8_t *text; /* as the user wrote it (views into the file)     */
    const uint8_t *norm; /* normalized (hks_norm_compact)                      */
    uint32_t text_len, norm_len;
    uint32_t group;
} hks_synalias;

/* A decoded table: group g has aliases [group_first[g], group_first[g+1]). */
typedef struct hks_syndata {
    uint32_t n_groups, n_alias;
    uint32_t *group_first; /* n_groups + 1                               */
    hks_synalias *alias;   /* n_alias, by group, in the order written     */
    uint8_t *file;         /* the whole file as read (owned)              */
    size_t file_n;
    uint64_t id; /* XXH3-64 of the section: what hks_index_changed compares */
} hks_syndata;

/* Read a user's alias text (synonyms.c's top comment) into the bytes of a
 * SYNONYMS section, appended to section. HKS_ERR_INPUT with "NAME:LINE:
 * what" in err for a line that cannot be a group. */
HKS_INTERNAL int hks_syn_parse(const hks_alloc *a, const char *name, const char *text,
                               size_t n, hks_buf *section, uint32_t *n_groups,
                               hks_errbuf *err);
/* Atomically replace dir/SYNONYMS by a file holding section (write tmp,
 * fsync, rename, fsync dir); section NULL removes the file. The caller
 * holds the writer lock. */
HKS_INTERNAL int hks_syn_write(const hks_alloc *a, const char *dir, const hks_buf *section,
                               hks_errbuf *err);
/* Decode section bytes p[0..n) (borrowed: d's strings point into them).
 * HKS_ERR_CORRUPT naming path. */
HKS_INTERNAL int hks_syn_decode(const hks_alloc *a, const uint8_t *p, size_t n,
                                const char *path, hks_syndata *d, hks_errbuf *err);
/* Read and decode dir/SYNONYMS; HKS_ERR_NOTFOUND (no message) when the
 * index has none. */
HKS_INTERNAL int hks_syn_read(const hks_alloc *a, const char *dir, hks_syndata *d,
                              hks_errbuf *err);
/* The id of dir/SYNONYMS as it is now (0 if none). */
HKS_INTERNAL int hks_syn_id(const hks_alloc *a, const char *dir, uint64_t *id,
                            hks_errbuf *err);
HKS_INTERNAL void hks_syn_free(const hks_alloc *a, hks_syndata *d);

#endif /* HKS_FORMAT_H */
