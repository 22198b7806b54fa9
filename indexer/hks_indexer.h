/*
 * hks_indexer.h: the internal header of indexer/, the write side of
 * libhks: reading sources into articles, the in-memory index, writing and
 * merging segments. The public hks_writer_* calls are in hks.h.
 */
#ifndef HKS_INDEXER_H
#define HKS_INDEXER_H

#include "hks_format.h"

/**************************************************************************
** Interface to code in json.c
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
/* Member `key` as a list of strings: an array of strings gives its
 * elements each followed by '\n' ("" for []); a string gives itself.
 * HKS_ERR_NOTFOUND if absent or null, HKS_ERR_INPUT for another type. */
HKS_INTERNAL int hks_json_get_list(const hks_json *j, const char *key, const char **p_out,
                                   size_t *n_out);

/**************************************************************************
** Interface to code in corpus_read.c
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
/* The same, with the collection named (collection NULL: after the path);
 * path "-" reads JSONL from standard input (a collection is then needed). */
HKS_INTERNAL int hks_corpus_read_as(const hks_alloc *a, const char *path,
                                    const char *collection, size_t collection_len,
                                    hks_article_fn fn, void *ctx,
                                    const hks_callbacks *cb, hks_progress *prog,
                                    hks_errbuf *e);
/* The collection name of the source at path (is_dir: a folder) into
 * out[0..cap), NUL-ended; HKS_ERR_ARG when it does not fit. */
HKS_INTERNAL int hks_corpus_collection(const char *path, bool is_dir, char *out, size_t cap,
                                       size_t *len_out);

/**************************************************************************
** Interface to code in textenc.c
**
** The bytes of a text file as UTF-8: UTF-8 (a BOM dropped), UTF-16 with a
** BOM, GB18030 or Big5 (HKSCS), told apart by how common the decoded
** characters are.
*/
typedef struct hks_dtext {
    const char *p;  /* UTF-8 text                                    */
    size_t n;       /* its length                                    */
    char *own;      /* block to free (NULL when p points into raw)   */
    size_t own_cap; /* its size                                      */
} hks_dtext;
/* Decode raw[0..n) into *t (free t->own with hks_mem_free(a, own,
 * own_cap)). note[0..note_cap) gets what a user should be told ("converted
 * from GB18030"), "" if nothing. @return HKS_OK; HKS_DONE when the bytes
 * are not text (binary, undecodable: note says why); HKS_ERR_NOMEM. */
HKS_INTERNAL int hks_text_decode(const hks_alloc *a, const char *raw, size_t n, hks_dtext *t,
                                 char *note, size_t note_cap);

/**************************************************************************
** Interface to code in article.c
**
** An article's fields found in its own text.
*/
/* The headline of a scraped article: the byte range of the line that is
 * most likely its title (not the site name, navigation, or date line) among
 * its first lines. Returns false when no line qualifies. */
HKS_INTERNAL bool hks_title_guess(const char *text, size_t n,
                                  size_t *start_out, size_t *len_out);
/* The publication date: a labelled date (发稿时间:, 发布日期:, 日期: ...)
 * in the head lines, else a dateline there (a short line, no sentence),
 * else the same in the closing lines; YYYY-M-D (or '/', '.') or
 * YYYY年M月D日 (blanks, full-width digits), never from running text nor
 * an unlabelled date banner (星期). Written to out as "YYYY-MM-DD".
 * @return 10, or 0 if none. */
HKS_INTERNAL size_t hks_date_guess(const char *text, size_t n, char out[11]);
/* The publisher named by a source line (来源:新华社, 稿件来源: ...) in the
 * head lines, else the closing ones ("(来源:人民日报)"): true with the
 * value's byte range in text. */
HKS_INTERNAL bool hks_source_guess(const char *text, size_t n, size_t *start_out,
                                   size_t *len_out);
/* Markdown front matter: title, date, source, url, author and category
 * from a first block between "---" lines of "key: value" lines. */
typedef struct hks_fmatter {
    const char *v[6]; /* title, date, source, url, author, category;
                         NULL if absent */
    size_t n[6];
    size_t body_off; /* where the body starts                     */
    bool unclosed;   /* set (alone) when "---" and keys open a block
                        that never closes: the text is read as text   */
} hks_fmatter;
/* false (fm untouched but for unclosed) when t does not start with a
 * complete block. */
HKS_INTERNAL bool hks_front_matter(const char *t, size_t n, hks_fmatter *fm);

/**************************************************************************
** Interface to code in boiler.c
**
** Site boilerplate found from the collection itself: per collection, in
** how many articles each body line occurs; which lines of an article are
** boilerplate (rules at the top of boiler.c). Their tokens are indexed as
** HKS_BOILER_BYTE + term (hks_format.h), outside the document length.
*/
typedef struct hks_boiler hks_boiler;
HKS_INTERNAL int hks_boiler_new(const hks_alloc *a, hks_boiler **out);
HKS_INTERNAL void hks_boiler_free(hks_boiler *b);
/* Count an article of collection c: each distinct line of body once. */
HKS_INTERNAL int hks_boiler_count(hks_boiler *b, const char *c, size_t cn, const char *body,
                                  size_t n);
/* Forget the counts of collection c. */
HKS_INTERNAL void hks_boiler_forget(hks_boiler *b, const char *c, size_t cn);
/* Forget the counts of every collection. */
HKS_INTERNAL void hks_boiler_clear(hks_boiler *b);
/* The thresholds LO and HI for a collection of n_docs counted articles. */
HKS_INTERNAL void hks_boiler_thresholds(uint64_t n_docs, uint32_t *lo, uint32_t *hi);
/* Byte ranges (pairs start, end) of the boilerplate lines of body into
 * *ranges (growable, *cap pairs), their number into *n_out. */
HKS_INTERNAL int hks_boiler_mark(hks_boiler *b, const char *c, size_t cn, const char *title,
                                 size_t tn, const char *body, size_t n, uint32_t **ranges,
                                 size_t *cap, size_t *n_out);
/* The table part of a BOILER section (format.c), appended to out. */
HKS_INTERNAL void hks_boiler_put(hks_boiler *b, int *rc, hks_buf *out);
/* Replace the counts with a section's table part: HKS_ERR_CORRUPT or
 * HKS_ERR_NOMEM leave them empty. */
HKS_INTERNAL int hks_boiler_load(hks_boiler *b, const uint8_t *p, size_t n);
HKS_INTERNAL uint64_t hks_boiler_ndocs(const hks_boiler *b, const char *c, size_t cn);

/**************************************************************************
** Interface to code in memidx.c
**
** Documents added to a writer are tokenized into an in-memory inverted
** index; when it reaches the writer's memory budget it is flushed into a
** segment file and emptied.
*/
typedef struct hks_memidx hks_memidx;
HKS_INTERNAL int hks_memidx_new(const hks_alloc *a, int zstd_level,
                                hks_memidx **out);
HKS_INTERNAL void hks_memidx_free(hks_memidx *mi);
/* Tokenize and add doc as document number hks_memidx_ndocs(); chash is
 * its hks_doc_hash (the writer has it already). */
HKS_INTERNAL int hks_memidx_add(hks_memidx *mi, const hks_doc *doc, uint64_t chash,
                                hks_errbuf *err);
HKS_INTERNAL uint32_t hks_memidx_ndocs(const hks_memidx *mi);
/* Approximate bytes held (postings, terms, metadata, compressed text). */
HKS_INTERNAL size_t hks_memidx_bytes(const hks_memidx *mi);
/* Write everything as a segment at path and empty the index; threads >= 2
 * encodes the terms' postings on two threads (the same file). */
HKS_INTERNAL int hks_memidx_flush(hks_memidx *mi, const char *path, int threads,
                                  hks_errbuf *err, uint64_t *bytes_out);
/* XXH3 of every field of doc (collection and id excluded): equal hashes
 * mean an unchanged document. */
HKS_INTERNAL uint64_t hks_doc_hash(const hks_doc *doc);
/* The boilerplate counts the index consults (borrowed; NULL: none), and
 * whose table every flushed segment carries. */
HKS_INTERNAL void hks_memidx_set_boiler(hks_memidx *mi, hks_boiler *b);

/* One document analysed apart from the index it goes into (a pipelined
 * writer analyses on one thread and inverts on another): the keys
 * hks_memidx_add would make, grouped by term, terms in order of first
 * occurrence, each term's positions increasing. */
typedef struct hks_dkterm {
    uint64_t key;      /* its key in the index's term table (memidx.c) */
    uint32_t off, len; /* the term's bytes in terms                  */
    uint32_t tf;       /* its tokens                                  */
    uint32_t first;    /* their positions: pos[first .. first + tf)   */
    uint32_t n_put;    /* (scratch of the analysis)                   */
} hks_dkterm;
typedef struct hks_dockeys {
    const hks_alloc *a;
    hks_buf terms; /* term bytes, one term after another            */
    hks_dkterm *t; /* the document's distinct terms                 */
    size_t n_t, cap_t;
    uint32_t *pos;         /* positions, grouped by term                    */
    size_t n_pos, cap_pos; /* n_pos: every key (token) of the document */
    uint32_t n_char_keys;  /* of which character-field keys          */
    uint32_t n_bp_keys;    /* of which boilerplate keys              */
    uint32_t title_end;    /* first body position                    */
    uint64_t simhash;      /* hks_simhash of the body                */
    uint32_t *bp_r;        /* boilerplate ranges: pairs start, end   */
    size_t bp_n, bp_cap, bp_at;
} hks_dockeys;
HKS_INTERNAL void hks_dockeys_init(hks_dockeys *k, const hks_alloc *a);
HKS_INTERNAL void hks_dockeys_free(hks_dockeys *k);
/* Bytes held (capacities). */
HKS_INTERNAL size_t hks_dockeys_bytes(const hks_dockeys *k);
/* The analysing thread's scratch. */
typedef struct hks_analysis hks_analysis;
HKS_INTERNAL int hks_analysis_new(const hks_alloc *a, hks_analysis **out);
HKS_INTERNAL void hks_analysis_free(hks_analysis *an);
/* Normalize, tokenize, mark boilerplate lines (bp read only; NULL: none)
 * and fingerprint doc into k. Errors as hks_memidx_add's before any
 * postings: HKS_ERR_ARG for a body the store cannot take, the
 * normalizer's, HKS_ERR_NOMEM. */
HKS_INTERNAL int hks_memidx_analyse(hks_analysis *an, hks_boiler *bp, const hks_doc *doc,
                                    hks_dockeys *k, hks_errbuf *err);
/* hks_memidx_add of a document analysed into k: the same index. */
HKS_INTERNAL int hks_memidx_add_keys(hks_memidx *mi, const hks_doc *doc, uint64_t chash,
                                     const hks_dockeys *k, hks_errbuf *err);

/**************************************************************************
** Interface to code in seg_write.c
**
** A segment is written in one pass: documents first (records, metadata,
** stored bodies), then terms in byte order with their postings.
*/
typedef struct hks_plist {
    uint32_t n_docs;      /* documents                                 */
    const uint32_t *docs; /* local doc numbers, increasing             */
    const uint32_t *tfs;  /* occurrences per doc, >= 1                 */
    const uint32_t *pos;  /* positions, tfs[i] per doc, increasing     */
} hks_plist;

typedef struct hks_segw hks_segw;
HKS_INTERNAL int hks_segw_open(const hks_alloc *a, const char *path,
                               hks_errbuf *err, hks_segw **out);
/* Documents in doc-number order. meta: HKS_META_N strings. */
HKS_INTERNAL int hks_segw_add_doc(hks_segw *w, const hks_docrec *rec,
                                  const char *const *meta,
                                  const size_t *meta_len);
HKS_INTERNAL int hks_segw_add_term(hks_segw *w, const uint8_t *term,
                                   size_t term_len, const hks_plist *pl);
/* hks_segw_add_term in two steps, so that other threads can encode the
 * terms the writer's thread then appends in order: an encoder is one
 * thread's scratch. */
typedef struct hks_termenc {
    const hks_alloc *a;
    uint32_t gaps[HKS_BLOCK], tfm1[HKS_BLOCK];
    uint32_t *posd; /* position deltas of one block               */
    size_t cap_posd;
    hks_buf blk; /* doc blocks while the skip table is built   */
} hks_termenc;
HKS_INTERNAL void hks_termenc_init(hks_termenc *e, const hks_alloc *a);
HKS_INTERNAL void hks_termenc_free(hks_termenc *e);
HKS_INTERNAL int hks_segw_encode(const hks_segw *w, hks_termenc *e,
                                 const uint8_t *term, size_t term_len,
                                 const hks_plist *pl, hks_buf *doc,
                                 hks_buf *pos, const char **why);
HKS_INTERNAL int hks_segw_add_encoded(hks_segw *w, const uint8_t *term,
                                      size_t term_len, uint32_t n_docs,
                                      const uint8_t *doc, size_t doc_n,
                                      const uint8_t *pos, size_t pos_n);
/* Write the remaining sections, the document store streamed from ds
 * (finished by this call), then fsync and close. *bytes_out = file size. */
HKS_INTERNAL int hks_segw_finish(hks_segw *w, hks_ds_writer *ds,
                                 uint64_t *bytes_out);
HKS_INTERNAL void hks_segw_free(hks_segw *w); /* unfinished: file removed */
/* The BOILER section (format.c): table, the counts (hks_boiler_put), and
 * entries, each document's boilerplate ranges in document order, both
 * borrowed until hks_segw_finish. Without this call there is none. */
HKS_INTERNAL void hks_segw_boiler(hks_segw *w, const hks_buf *table, const hks_buf *entries);

/**************************************************************************
** Interface to code in keytab.c
**
** The writer's table of live documents by (collection, id): which segment
** slot and doc number each is at, and its content hash. A key is first
** appended to the table's key bytes (hks_keytab_key), then looked up; if
** it is not inserted, hks_keytab_unkey takes the bytes back. Iterate with
**   for (i = 0; i < t->cap; i++) if (t->e[i].used) ... t->e[i] ...
*/
typedef struct hks_keyent {
    uint64_t hash;       /* of the key bytes                             */
    uint64_t chash;      /* content hash of the document (hks_doc_hash)  */
    uint32_t koff, klen; /* key bytes in the table's keys                 */
    uint32_t slot, doc;  /* where the document is (the writer's numbers)  */
    uint32_t seen;       /* sync pass that last saw it                    */
    bool used;
} hks_keyent;

typedef struct hks_keytab {
    hks_keyent *e; /* open addressing, at most half full            */
    uint32_t n;    /* entries used                                  */
    uint32_t cap;  /* slots, a power of two (or 0)                  */
    hks_buf keys;  /* key bytes: collection NUL id, one after another */
    const hks_alloc *a;
} hks_keytab;

/* A key made in the table's key bytes. */
typedef struct hks_key {
    uint64_t hash;
    uint32_t off, len;
} hks_key;

HKS_INTERNAL void hks_keytab_init(hks_keytab *t, const hks_alloc *a);
HKS_INTERNAL void hks_keytab_free(hks_keytab *t);
/* Append the key of (c, id) to the key bytes. HKS_ERR_NOMEM past 4 GiB. */
HKS_INTERNAL int hks_keytab_key(hks_keytab *t, const char *c, size_t cn, const char *id,
                                size_t idn, hks_key *out);
/* Take back the bytes of the last key made (not inserted). */
HKS_INTERNAL void hks_keytab_unkey(hks_keytab *t, const hks_key *k);
HKS_INTERNAL hks_keyent *hks_keytab_find(hks_keytab *t, const hks_key *k);
/* Insert k (not present) with val's chash, slot, doc and seen. */
HKS_INTERNAL int hks_keytab_insert(hks_keytab *t, const hks_key *k, const hks_keyent *val);
HKS_INTERNAL void hks_keytab_remove(hks_keytab *t, hks_keyent *e);
/* Forget every key (delete all). */
HKS_INTERNAL void hks_keytab_clear(hks_keytab *t);

/**************************************************************************
** Interface to code in merge_policy.c
**
** Which segments a commit merges. mode 2: every live segment, when there
** are several or one has deletions; mode 1 (tiered): the smallest, when
** there are more than HKS_MAX_SEGMENTS, down to HKS_MERGE_TO; mode 0:
** none.
*/
#define HKS_MAX_SEGMENTS 8
#define HKS_MERGE_TO 4
typedef struct hks_segsize {
    uint32_t live;    /* live documents; 0: the segment takes no part  */
    uint32_t deleted; /* deleted ones                                  */
} hks_segsize;
/* Write the indices of the segments to merge, in increasing order, into
 * pick (room for n) and their number into *n_pick (0: no merge due). */
HKS_INTERNAL void hks_merge_pick(int mode, const hks_segsize *seg, uint32_t n, uint32_t *pick,
                                 uint32_t *n_pick);

/**************************************************************************
** Interface to code in merge.c
**
** Merge segments into one new segment file: live documents keep their
** order (segment by segment), deleted ones are dropped.
*/
typedef struct hks_segment hks_segment;
HKS_INTERNAL int hks_merge(const hks_alloc *a, hks_segment *const *segs,
                           const uint8_t *const *deleted, uint32_t n_segs,
                           const char *path, int zstd_level, hks_errbuf *err,
                           uint32_t *n_docs_out);
/* The same, the new segment carrying the boilerplate table `table` (NULL:
 * none) and the boilerplate ranges of the documents it keeps. */
HKS_INTERNAL int hks_merge_boiler(const hks_alloc *a, hks_segment *const *segs,
                                  const uint8_t *const *deleted, uint32_t n_segs,
                                  const char *path, int zstd_level, const hks_buf *table,
                                  hks_errbuf *err, uint32_t *n_docs_out);

/**************************************************************************
** Interface to code in simhash.c
**
** The near-duplicate fingerprint of a document's normalized body: a 64-bit
** SimHash over its shingles (hks_shingle_push: windows of
** HKS_SHINGLE_WINDOW code points, separators dropped). Copies of one story are a few bits apart (Hamming distance);
** HKS_SIMHASH_NONE marks a body too short to compare.
*/
#define HKS_SIMHASH_MIN_SHINGLES 200
HKS_INTERNAL uint64_t hks_simhash(const hks_ntext *t);

#endif /* HKS_INDEXER_H */
