/*
 * hks.h: the public API of libhks, the hksearch full-text search library
 * for Chinese (simplified and traditional) news.
 *
 * An index is a directory of immutable segments and a manifest. A writer
 * adds documents (or whole sources: a folder of .txt/.md articles, a .jsonl
 * or .jsonl.zst file) and commits atomically; readers open the committed
 * state and search it with BM25 over CJK bigrams, exact phrases, one-
 * character queries and natural-language questions. Simplified and
 * traditional characters, full- and half-width forms, and letter case are
 * the same text to a query.
 *
 * Thread safety. Once hks_index_open() returns, an hks_index is immutable
 * and may be shared by any number of threads. hks_index_close() must not
 * race with any other use of the index or of its searchers. An hks_searcher
 * is not thread-safe: like ZSTD_DCtx, create one per thread and reuse it
 * across queries; it owns the scratch memory, the zstd decompression
 * context and the last error message. An hks_writer is not thread-safe, and
 * there is at most one writer per directory (enforced by a lock file;
 * HKS_ERR_LOCKED). The library has no mutable global state, so
 * hks_strerror() and hks_version_*() are safe anywhere.
 *
 * Ownership. The only library-allocated objects a caller sees are handles,
 * each with one destructor that accepts NULL. Results go into caller-owned
 * buffers with explicit capacities. Inputs are borrowed for the duration of
 * a call. Strings the library returns (error messages, document fields) are
 * valid until the next call on the same handle. The library never prints,
 * never exits and never aborts on bad input.
 *
 * Open-failure rule (sqlite3_open_v2): *_open() and *_new() set *out to a
 * handle even on failure, as long as the handle itself could be allocated,
 * so *_errmsg(*out) can explain the failure; the caller always calls the
 * matching close/free. *out is NULL only on HKS_ERR_NOMEM or HKS_ERR_ARG.
 */
#ifndef HKS_H
#define HKS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && __GNUC__ >= 4
#define HKS_API __attribute__((visibility("default")))
#else
#define HKS_API
#endif

/* ---- Version ----------------------------------------------------------
 * API version (semver). The ABI version is the shared library's soname,
 * kept in the Makefile; the on-disk format has its own number
 * (HKS_FORMAT_VERSION, written out at the top of format/format.c). */
#define HKS_VERSION_MAJOR 0
#define HKS_VERSION_MINOR 1
#define HKS_VERSION_PATCH 0
#define HKS_VERSION_NUMBER \
    (HKS_VERSION_MAJOR * 10000 + HKS_VERSION_MINOR * 100 + HKS_VERSION_PATCH)
HKS_API unsigned hks_version_number(void);    /* runtime value */
HKS_API const char *hks_version_string(void); /* "0.1.0" */

/* ---- Result codes -----------------------------------------------------
 * Every function that can fail returns int: 0 = HKS_OK, > 0 = a non-error
 * status, < 0 = error. Values are part of the ABI: never renumber, only add. */
enum {
    HKS_OK = 0,
    HKS_DONE = 1,           /* iteration finished; not an error          */
    HKS_PARTIAL = 2,        /* a search stopped at its time budget
                               (HKS_S_TIME_BUDGET_MS): the hits written are
                               valid, the best of what it looked at       */
    HKS_ERR_NOMEM = -1,     /* an allocation failed                      */
    HKS_ERR_IO = -2,        /* errno-level failure; see *_errmsg()        */
    HKS_ERR_CORRUPT = -3,   /* checksum mismatch or malformed structure   */
    HKS_ERR_FORMAT = -4,    /* unsupported format or normalizer version   */
    HKS_ERR_ARG = -5,       /* invalid argument (NULL, out of range)      */
    HKS_ERR_UTF8 = -6,      /* input text is not valid UTF-8              */
    HKS_ERR_QUERY = -7,     /* query syntax error                         */
    HKS_ERR_BUFSIZE = -8,   /* caller buffer too small; size reported     */
    HKS_ERR_LOCKED = -9,    /* another writer holds the index lock        */
    HKS_ERR_NOTFOUND = -10, /* no such document, index or file            */
    HKS_ERR_MISUSE = -11,   /* call made in the wrong state               */
    HKS_ERR_INPUT = -12,    /* malformed input record (bad JSON, encoding) */
    HKS_ERR_REFUSED = -13,  /* refused to protect the index: a sync from
                               another source of a collection, or one that
                               would delete more than half of it         */
    HKS_ERR_INTERNAL = -99
};
/* A static string naming rc; never NULL. */
HKS_API const char *hks_strerror(int rc);

/* ---- Memory -----------------------------------------------------------
 * One function does malloc/realloc/free, as in lua_Alloc: nsize == 0 frees
 * ptr and returns NULL; otherwise it returns a block of nsize bytes holding
 * the first min(osize, nsize) bytes of ptr (ptr NULL: a new block), or NULL
 * on failure, leaving ptr untouched. osize is advisory (0 when unknown). A
 * NULL hks_alloc * means malloc/realloc/free. The struct is copied at
 * open; this two-field struct is frozen forever. */
typedef void *(*hks_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);
typedef struct hks_alloc {
    hks_alloc_fn fn;
    void *ud;
} hks_alloc;

/* ---- Handles (opaque) ------------------------------------------------- */
typedef struct hks_writer hks_writer;     /* builds/extends an index     */
typedef struct hks_index hks_index;       /* an opened, immutable index  */
typedef struct hks_searcher hks_searcher; /* per-thread query context    */

/* ---- Documents ---------------------------------------------------------
 * A document as given to the writer; every field is borrowed for the call
 * and is UTF-8 (invalid bytes are skipped and reported, never indexed).
 * A document is identified by (collection, id): the collection scopes ids,
 * so two sources that both use id "25908" keep two documents, while adding
 * an id again in the same collection replaces the earlier document. Empty
 * fields may be NULL with length 0. */
typedef struct hks_doc {
    const char *collection; /* id scope, e.g. the source file's name     */
    size_t collection_len;
    const char *id; /* external id; required, 1..1024 bytes          */
    size_t id_len;
    const char *title;
    size_t title_len;
    const char *body;
    size_t body_len;
    const char *date; /* "YYYY-MM-DD..." as given; may be empty        */
    size_t date_len;
    const char *source; /* publisher, e.g. "北京卫健委"                   */
    size_t source_len;
    const char *url;
    size_t url_len;
    /* Beyond the five fields above (ABI 2): */
    const char *author; /* byline, e.g. "林兆彬"                      */
    size_t author_len;
    const char *category; /* section, e.g. "眾說", "心血管科"            */
    size_t category_len;
    const char *tags; /* tags, one per line: "电影\n死亡筆記"       */
    size_t tags_len;
} hks_doc;

/* A stored document's metadata, as views into the searcher's memory, valid
 * until the next call on that searcher. Strings are NUL-terminated too. */
typedef struct hks_doc_meta {
    const char *collection;
    size_t collection_len;
    const char *id;
    size_t id_len;
    const char *title;
    size_t title_len;
    const char *date;
    size_t date_len;
    const char *source;
    size_t source_len;
    const char *url;
    size_t url_len;
    uint32_t n_tokens; /* document length used by BM25 (title + body) */
    /* As in hks_doc (ABI 2); "" when the document has none: */
    const char *author;
    size_t author_len;
    const char *category;
    size_t category_len;
    const char *tags; /* one per line, '\n' between them */
    size_t tags_len;
} hks_doc_meta;

/* ---- Writer (one thread; one writer per index directory) -------------- */
typedef enum hks_wparam {
    HKS_W_MEMORY_BUDGET_MB = 1, /* in-memory postings before a segment is
                                   flushed; default 256, 1..65536 */
    HKS_W_ZSTD_LEVEL = 2,       /* document store level; default 3, 1..19 */
    HKS_W_MERGE_AT_COMMIT = 3,  /* 1 (default): a commit merges segments by
                                   the tiered policy; 2: into one segment;
                                   0: never */
    HKS_W_BOILERPLATE = 4,      /* 1 (default): lines a collection repeats
                                   across its articles and site chrome are
                                   boilerplate (stored, not matched unless
                                   HKS_S_BOILERPLATE); 0: every line of the
                                   documents added from now on is text */
    HKS_W_THREADS = 5           /* threads reading a source (hks_writer_add_
                                   source and the calls like it); default 1:
                                   all on the caller's thread; 2 or more: a
                                   second thread inverts and writes segments
                                   while the caller's reads and tokenizes (at
                                   most 2 are used); the index is the same.
                                   The allocator must then be thread-safe */
} hks_wparam;

/* Progress of a writer, for a progress line and a summary. Since open: */
typedef struct hks_progress {
    uint64_t n_docs;      /* documents written: new ones + n_replaced  */
    uint64_t n_bytes;     /* input bytes read                          */
    uint64_t n_rejected;  /* malformed records skipped                 */
    uint64_t n_unchanged; /* documents added again unchanged: skipped  */
    uint64_t n_deleted;   /* documents deleted (not counting replaced) */
    const char *path;     /* source being read, or NULL                */
    uint64_t n_replaced;  /* documents that replaced another of their
                             collection and id (ABI 1)                 */
} hks_progress;

/* What a source changes, for hks_callbacks.change. */
#define HKS_CHANGE_ADD 1u    /* a new (collection, id)              */
#define HKS_CHANGE_UPDATE 2u /* replaces a different document       */
#define HKS_CHANGE_DELETE 3u /* deleted: the source no longer has it */

/* Callbacks for hks_writer_add_path() and the calls like it. Any member
 * may be NULL. warn gets one message per malformed record ("FILE:LINE:
 * what is wrong"); the record is skipped and reading goes on. progress is
 * called about every 1 MB of input. change (ABI 1) is called for each
 * document a source adds, updates or (sync) deletes, with views valid for
 * the call: a dry run (hkindex --dry-run) lists them and never commits. */
typedef struct hks_callbacks {
    void (*warn)(void *ud, const char *msg);
    void (*progress)(void *ud, const hks_progress *p);
    void *ud;
    void (*change)(void *ud, unsigned what, const char *collection,
                   size_t collection_len, const char *id, size_t id_len);
} hks_callbacks;

/* Open (creating it if missing) the index in dir for writing and take its
 * lock. HKS_ERR_LOCKED if another writer holds it. */
HKS_API int hks_writer_open(const char *dir, const hks_alloc *alloc,
                            hks_writer **out);
HKS_API int hks_writer_set(hks_writer *w, hks_wparam param, long long value);
/* Add (or replace, by collection and id) one document. Adding a document
 * identical to the one the index holds under its id does nothing (it is
 * counted in hks_progress.n_unchanged). Invalid UTF-8 in the title or body
 * is skipped by the indexer, never indexed; the fields are stored as given
 * (hks_doc_meta and hks_doc_body return them byte for byte), so a program
 * printing them must expect any bytes. */
HKS_API int hks_writer_add(hks_writer *w, const hks_doc *doc);
/* Add every article of path: a folder (recursively: *.txt and *.md files,
 * one article each, id = the path below the folder, collection = the
 * folder's name; title = the headline found in the first lines), a .jsonl
 * file or a .jsonl.zst file (one JSON object a line with "id", "title",
 * "body" and optional "date", "source", "url", "author", "category" and
 * "tags" (an array of strings or a string); collection = the file's name
 * without .jsonl/.zst). Where the source gives no date or source, the
 * article's own date and source lines fill them (发稿时间:..., 来源:...). Malformed records are reported through cb and
 * skipped. @return HKS_OK, or an error that stopped the source (unreadable
 * file, corrupt zstd stream); documents added before stay pending. */
HKS_API int hks_writer_add_path(hks_writer *w, const char *path,
                                const hks_callbacks *cb);
/* Make the index hold exactly what path holds now: add or update its
 * articles as hks_writer_add_path does (unchanged ones cost nothing), then
 * delete the documents of the collections read from path that path no
 * longer has. The source's own collection counts as read even when it
 * holds no article any more: syncing an emptied folder deletes all of its
 * articles (a missing path is an error). *n_deleted_out (may be NULL)
 * gets the number deleted. On an error that stops the source, or when any
 * record of it was malformed (a warning says so), nothing is deleted. */
HKS_API int hks_writer_sync_path(hks_writer *w, const char *path,
                                 const hks_callbacks *cb,
                                 uint64_t *n_deleted_out);
/* Sources and their collections. The index records, for each collection,
 * the source it is read from: the canonical absolute path of the folder or
 * file (standard input is recorded as "-"). hks_writer_add_path and
 * hks_writer_sync_path name the collection after the path and refuse
 * (HKS_ERR_REFUSED, nothing read) a source other than the one recorded
 * for that name: a file that merely shares a collection's name is not
 * that collection. hks_writer_add_source and hks_writer_sync_source take
 * the collection by name (collection NULL: named after the path, as
 * above); a collection named explicitly accepts any source, and a sync
 * records its source as the collection's. path "-" reads JSONL from
 * standard input (a collection must be named; sync refuses it).
 *
 * A sync that would delete more than half of the documents a collection
 * held refuses (HKS_ERR_REFUSED, nothing deleted) unless flags has
 * HKS_SYNC_ALLOW_MASS_DELETE. After a refusal the writer may hold the
 * source's additions: close it without committing to discard them. */
#define HKS_SYNC_ALLOW_MASS_DELETE 1u
HKS_API int hks_writer_add_source(hks_writer *w, const char *path,
                                  const char *collection,
                                  size_t collection_len, unsigned flags,
                                  const hks_callbacks *cb);
/* *n_deleted_out and *n_before_out (either may be NULL) get the number of
 * documents the sync deleted and the number its collection held before. */
HKS_API int hks_writer_sync_source(hks_writer *w, const char *path,
                                   const char *collection,
                                   size_t collection_len, unsigned flags,
                                   const hks_callbacks *cb,
                                   uint64_t *n_deleted_out,
                                   uint64_t *n_before_out);
/* Delete every document of the collection and its record; *n_deleted_out
 * (may be NULL) gets the count. HKS_ERR_NOTFOUND if the index has no such
 * collection. Takes effect at the next commit. */
HKS_API int hks_writer_drop_collection(hks_writer *w, const char *collection,
                                       size_t collection_len,
                                       uint64_t *n_deleted_out);
/* Delete the document (collection, id); HKS_ERR_NOTFOUND if none. */
HKS_API int hks_writer_delete(hks_writer *w, const char *collection,
                              size_t collection_len, const char *id,
                              size_t id_len);
/* Delete every document committed so far (as `hkindex build` does before
 * adding its sources); takes effect at the next commit. */
HKS_API int hks_writer_delete_all(hks_writer *w);
/* Make everything added so far durable and visible: write the segment,
 * fsync, atomically replace the manifest, fsync the directory. All or
 * nothing: on failure the last commit is untouched. */
HKS_API int hks_writer_commit(hks_writer *w);
HKS_API void hks_writer_progress(const hks_writer *w, hks_progress *out);
/* NULL ok; discards uncommitted work and releases the lock. A writer that
 * created the index directory and never committed removes it again. */
HKS_API void hks_writer_close(hks_writer *w);
HKS_API const char *hks_writer_errmsg(const hks_writer *w);

/* ---- Index ------------------------------------------------------------- */
typedef struct hks_index_info {
    uint64_t n_docs;    /* live documents                          */
    uint64_t n_deleted; /* deleted documents not yet merged away   */
    uint64_t n_segments;
    uint64_t n_terms;        /* sum over segments of dictionary sizes   */
    uint64_t n_tokens;       /* sum of live document lengths            */
    uint64_t bytes_postings; /* dictionaries, postings, positions   */
    uint64_t bytes_docstore; /* compressed original text            */
    uint64_t bytes_other;    /* metadata, manifest, tombstones      */
    uint64_t generation;     /* commit number                       */
    uint64_t n_collections;  /* distinct collections of live documents
                                (a pass over their metadata)          */
} hks_index_info;

/* Open the committed state of the index in dir. Later commits do not
 * disturb an open index. */
HKS_API int hks_index_open(const char *dir, const hks_alloc *alloc,
                           hks_index **out);
HKS_API void hks_index_close(hks_index *idx); /* NULL ok */
/* Seeing new commits. An open index keeps the commit it opened, so a
 * long-running process asks now and then whether the directory has moved
 * on: hks_index_changed sets *changed to 1 when the committed generation
 * differs from idx's (it reads the small MANIFEST file only), or when the
 * synonym table is no longer idx's (and the small SYNONYMS file), else 0.
 * hks_index_reopen opens the newest commit as a new handle, with idx's
 * allocator: HKS_OK and *out = the new index if there is a newer commit,
 * HKS_DONE and *out = NULL if not. On failure *out follows the open-
 * failure rule. idx stays valid and unchanged: searchers of idx go on
 * answering from the old commit until the caller frees them and closes
 * idx (once no thread uses it); searchers of the new index see the new
 * documents. A doc_id is valid for its own index handle only. */
HKS_API int hks_index_changed(hks_index *idx, int *changed);
HKS_API int hks_index_reopen(hks_index *idx, hks_index **out);
HKS_API const char *hks_index_errmsg(const hks_index *idx);
HKS_API int hks_index_info_get(hks_index *idx, hks_index_info *out);
/* Verify every checksum and structure of the index: HKS_OK or
 * HKS_ERR_CORRUPT with the file and what failed in hks_index_errmsg(). */
HKS_API int hks_index_check(hks_index *idx);

/* A collection of the index: its name, the source recorded for it ("" if
 * none) and its live documents. Views valid during the callback. */
typedef struct hks_collection {
    const char *name;
    size_t name_len;
    const char *source;
    size_t source_len;
    uint64_t n_docs;
} hks_collection;
/* Call fn for each collection, in byte order of name; a negative return
 * stops the walk and is returned. */
HKS_API int hks_index_collections(hks_index *idx,
                                  int (*fn)(void *ctx, const hks_collection *c),
                                  void *ctx);
/* Copy the committed state idx has open into dest (a new or empty
 * directory), as a complete index, while writers go on committing:
 * every file is hard-linked where possible, else copied, and fsynced; the
 * manifest comes last. Open and check the copy (hks_index_check) to prove
 * it. */
HKS_API int hks_index_backup(hks_index *idx, const char *dest);

/* ---- Searcher (one per thread) ---------------------------------------- */
typedef struct hks_hit {
    uint32_t doc_id;    /* valid for this hks_index only              */
    uint32_t flags;     /* HKS_HIT_EXACT: matches the whole query     */
    double score;       /* BM25; higher is better                     */
    uint32_t n_similar; /* copies of this story folded into this hit
                           (HKS_S_COLLAPSE): hks_hit_similar lists them;
                           0 when collapsing is off                    */
} hks_hit;
#define HKS_HIT_EXACT 1u

/* What a search found, beside the hits. */
typedef struct hks_search_info {
    uint64_t n_exact;   /* documents matching the query strictly     */
    uint64_t n_partial; /* others matching some of its terms (natural-
                           language queries); UINT64_MAX if not counted */
    int is_natural;     /* ranked over bigrams with OR semantics      */
} hks_search_info;

typedef enum hks_sparam {
    HKS_S_BM25_K1 = 1,        /* default 1.2, 0..10                         */
    HKS_S_BM25_B = 2,         /* default 0.75, 0..1                         */
    HKS_S_COUNT_PARTIAL = 3,  /* 1: count n_partial exactly (costs time);
                               0 (default) leaves it UINT64_MAX           */
    HKS_S_LITERAL = 4,        /* 1: the query text has no operators (quotes,
                                parentheses, OR/AND/NOT, -, *, field:
                                are text), for a user's raw text          */
    HKS_S_SORT = 5,           /* HKS_SORT_RELEVANCE (default) or
                                HKS_SORT_DATE: newest first, ties by doc
                                id; only strict matches are listed        */
    HKS_S_TIME_BUDGET_MS = 6, /* > 0: a search stops after about this many
                               milliseconds and returns HKS_PARTIAL with
                               the best hits it found so far (n_exact then
                               counts the documents looked at); 0
                               (default): no limit. 0..86400000          */
    /* Natural-language ranking (questions, and plain queries with no
     * strict match) adds to the bigram BM25 a BM25 over single
     * characters, a field of its own with its own k1, b, lengths and idf: */
    HKS_S_CHAR_WEIGHT = 7,     /* its weight, default 2, 0..10    (0: off)   */
    HKS_S_CHAR_K1 = 8,         /* its k1, default 0.5, 0..10                 */
    HKS_S_CHAR_B = 9,          /* its b, default 1, 0..1                     */
    HKS_S_FUNCTION_WORDS = 10, /* 1 (default): question and function words
                               (什么, 怎么办, 可以, 吗, 的 ...) weigh less
                               in natural-language ranking; 0: they weigh
                               as any term                               */
    HKS_S_RECENCY = 11,        /* > 0: half-life in days; relevance scores
                                are multiplied by 0.5 + 0.5 * 2^(-age /
                                half-life), age in days before the newest
                                dated document of the index (undated: the
                                floor, 0.5); strict matches still come
                                first. 0 (default): off. 0..100000       */
    HKS_S_COLLAPSE = 12,       /* 1 (default): copies of one story (near-
                                 identical text, dated within 3 days) fold
                                 into the best-ranked one, which carries
                                 their number (n_similar); the page is
                                 still filled. 0: every hit               */
    HKS_S_COLLAPSE_BITS = 13,  /* bits two copies' 64-bit fingerprints may
                                 differ in: default 7, 0..16              */
    HKS_S_BOILERPLATE = 14,    /* 1: also match site boilerplate (lines a
                                collection repeats across its articles,
                                site chrome such as 版权声明), which is
                                stored but by default neither matched,
                                scored nor shown in snippets; 0 (default) */
    HKS_S_SYNONYMS = 15,       /* 1 (default): unquoted terms that are aliases
                                of the index's synonym table also find the
                                other aliases of their group; 0: off      */
    HKS_S_COVERAGE = 16        /* natural-language ranking: a document of
                                300 terms or more that holds a share c of
                                the weight of the query's bigrams and
                                words has its score multiplied by c^x (x
                                this value; from 100 terms the exponent
                                grows from 0 to x: a title cannot hold a
                                whole question). Default 0.75, 0..4; 0: off */
} hks_sparam;
#define HKS_SORT_RELEVANCE 0
#define HKS_SORT_DATE 1

HKS_API int hks_searcher_new(hks_index *idx, hks_searcher **out);
HKS_API void hks_searcher_free(hks_searcher *s); /* NULL ok */
HKS_API int hks_searcher_set(hks_searcher *s, hks_sparam param, double value);
/* Run query; write the best min(hits_cap, matches) hits, best first (ties by
 * doc_id), into hits; *n_hits = number written. info may be NULL.
 * HKS_ERR_QUERY with a message for a query that cannot be run (unbalanced
 * quote, nothing searchable, too long). Query language: README.md. */
HKS_API int hks_search(hks_searcher *s, const char *query, size_t query_len,
                       hks_hit *hits, size_t hits_cap, size_t *n_hits,
                       hks_search_info *info);
/* The same, skipping the first offset hits of the ranking: writes hits
 * offset .. offset + hits_cap - 1 (fewer at the end), so a caller showing
 * page k of size n passes offset k * n and a buffer of n hits. The
 * library keeps the offset + hits_cap best in its own memory.
 * hks_search(...) is hks_search_page(..., 0, ...). With a time budget:
 * HKS_PARTIAL (see HKS_S_TIME_BUDGET_MS). */
HKS_API int hks_search_page(hks_searcher *s, const char *query,
                            size_t query_len, size_t offset, hks_hit *hits,
                            size_t hits_cap, size_t *n_hits,
                            hks_search_info *info);
/* What the last hks_search wants the user to know about how it read the
 * query, or "" (the searcher owns the string, valid until its next
 * search): a query past the term limit is searched for its rarest terms,
 * and this says so. */
HKS_API const char *hks_searcher_notice(const hks_searcher *s);
/* Metadata of a document (see hks_doc_meta for the lifetime). */
HKS_API int hks_doc_meta_get(hks_searcher *s, uint32_t doc_id,
                             hks_doc_meta *out);
/* The live document (collection, id) of the searcher's index, as given
 * to hks_writer_add: HKS_OK and *doc_id, or HKS_ERR_NOTFOUND. The first
 * call on a searcher builds a table of every document's key (one pass
 * over the metadata, 8 bytes a document); later calls cost a binary
 * search and one metadata read. */
HKS_API int hks_doc_find(hks_searcher *s, const char *collection,
                         size_t collection_len, const char *id,
                         size_t id_len, uint32_t *doc_id);
/* Copy the document's body as it was added into buf. If buf_cap is too
 * small: HKS_ERR_BUFSIZE and *len_out = the size needed. */
HKS_API int hks_doc_body(hks_searcher *s, uint32_t doc_id, char *buf,
                         size_t buf_cap, size_t *len_out);

/* A highlighted range of a snippet: bytes [start, end) of the snippet. */
typedef struct hks_span {
    uint32_t start;
    uint32_t end;
} hks_span;
/* A snippet of about max_chars characters of the document body (the title
 * when the body has no match), cut from the text as written, around the
 * matches of query, with its matches as spans. Writes a NUL-terminated
 * string into buf; HKS_ERR_BUFSIZE with *len_out = size needed if buf_cap
 * is too small. Up to spans_cap spans go into spans (may be NULL). */
HKS_API int hks_snippet(hks_searcher *s, uint32_t doc_id, const char *query,
                        size_t query_len, size_t max_chars, char *buf,
                        size_t buf_cap, size_t *len_out, hks_span *spans,
                        size_t spans_cap, size_t *n_spans);
HKS_API const char *hks_searcher_errmsg(const hks_searcher *s);
/* The documents folded into hit doc_id of the last search (HKS_S_COLLAPSE),
 * best-ranked first, then the other strict matches by doc id: HKS_OK with
 * *n_out = hit.n_similar ids in ids; HKS_ERR_BUFSIZE (and *n_out, the
 * number needed) if ids_cap is smaller; HKS_ERR_NOTFOUND if doc_id is not
 * a hit of the last search. */
HKS_API int hks_hit_similar(hks_searcher *s, uint32_t doc_id, uint32_t *ids,
                            size_t ids_cap, size_t *n_out);

/* ---- Explaining a score -------------------------------------------------
 * How the last search of a searcher (hks_search, hks_search_page) scored
 * one of the hits it returned. A hit's score is a sum over the query's
 * scoring terms found in the document of the BM25 contribution
 *     w * tf * (k1 + 1) / (tf + k1 * (1 - b + b * field_len / avg_len)),
 *     w = qw * idf * field_weight,
 * times the recency factor (HKS_S_RECENCY; 1 when off). A strict match is
 * scored on the query's own terms (each term of every phrase of a positive
 * clause, synonyms' phrases included); a partial match (natural-language
 * ranking) on the question's bigrams and words (HKS_FIELD_TERMS) and on
 * its single characters (HKS_FIELD_CHARS, a field of its own), question
 * and function words weighing less (qw). A prefix term (covid*, a lone
 * character) counts the occurrences of every term it covers; with
 * HKS_S_BOILERPLATE boilerplate occurrences count too. Term proximity
 * plays no part in a score. Strict matches rank before partial ones
 * whatever their scores. */
#define HKS_FIELD_TERMS 0 /* bigrams, run-final characters, words    */
#define HKS_FIELD_CHARS 1 /* single CJK characters, no positions     */

typedef struct hks_explain_term {
    const char *term; /* the term as indexed: normalized UTF-8 (a
                           prefix without its '*'), not NUL-terminated  */
    size_t term_len;
    const char *shown; /* its first occurrence in the article (title,
                           then body) as written, e.g. traditional
                           characters; term itself when it is absent    */
    size_t shown_len;
    int field;     /* HKS_FIELD_*                                   */
    int is_prefix; /* every term starting with term counts          */
    uint32_t qtf;  /* times the term stands in the query            */
    double qw;     /* query weight, summed over those times         */
    double idf;    /* ln(1 + (N - df + 0.5) / (df + 0.5)), collection-
                           wide; 0 when no document holds the term       */
    double field_weight;
    double k1, b;       /* the field's BM25 parameters                   */
    uint32_t tf;        /* occurrences in the document; 0: absent        */
    uint32_t field_len; /* the document's length in the field (terms, or
                           characters)                                   */
    double avg_len;     /* the average length in the field               */
    double score;       /* its contribution, before recency (0 when tf
                           or w is 0)                                    */
} hks_explain_term;

typedef struct hks_explanation {
    double score;       /* the score recomputed: equal to hit_score
                           but for rounding                              */
    double sum;         /* the terms' contributions summed               */
    double coverage;    /* the coverage factor the sum was multiplied by
                           (HKS_S_COVERAGE; 1 for a strict match)        */
    double recency;     /* the factor the sum was multiplied by          */
    double hit_score;   /* the score the search gave the hit             */
    int exact;          /* 1: scored as a strict match                   */
    int proximity;      /* 0: term proximity is not part of the score    */
    uint32_t n_similar; /* copies folded into the hit (hks_hit_similar)  */
    size_t n_terms;     /* scoring terms of the query, found or not      */
} hks_explanation;

/* Explain hit doc_id of the last search of s into *out, and its scoring
 * terms, in query order, into terms[0 .. min(terms_cap, n_terms)) (terms
 * may be NULL when terms_cap is 0). @return HKS_OK; HKS_ERR_BUFSIZE when
 * terms_cap < out->n_terms (out is filled all the same, and the first
 * terms_cap terms written); HKS_ERR_NOTFOUND (with a message) when doc_id
 * is not a hit the last search returned, or there was no search, or it
 * failed; HKS_ERR_CORRUPT when the postings are unreadable. The strings
 * stay valid until the next call on s. At most 2 * 512 + 2 terms. */
HKS_API int hks_explain(hks_searcher *s, uint32_t doc_id, hks_explanation *out,
                        hks_explain_term *terms, size_t terms_cap);

/* ---- Text analysis ------------------------------------------------------
 * The engine's text rules for code that indexes elsewhere (the SQLite and
 * PostgreSQL bindings): text is normalised exactly as the index does it
 * (NFKC, case and width folding, traditional -> simplified) and cut into
 * the index's terms. A CJK run c0..c(n-1) gives the bigrams c(i)c(i+1) at
 * consecutive positions and its last character alone (HKS_TERM_LAST); a
 * Latin word or number is one term; a separator (space, punctuation, the
 * edge between CJK and a word) adds one to the position, so a phrase never
 * matches across it. No index or handle is needed; thread-safe. */
#define HKS_TERM_CJK 1u  /* from a CJK run (bigram or unigram)  */
#define HKS_TERM_LAST 2u /* the unigram that ends a CJK run     */
#define HKS_TERM_WORD 4u /* a Latin or digit word               */
typedef struct hks_term {
    const char *term;   /* normalised UTF-8, not NUL-terminated;
                           valid during the callback only            */
    size_t term_len;    /* bytes, 1..64                              */
    uint32_t pos;       /* position, from 0                          */
    uint32_t src_start; /* byte range [src_start, src_end) of the    */
    uint32_t src_end;   /* text as given that produced the term      */
    unsigned flags;     /* HKS_TERM_*                                */
} hks_term;
/* Return HKS_OK (0) to go on; a negative value stops hks_analyze, which
 * returns it. */
typedef int (*hks_term_fn)(void *ctx, const hks_term *term);
/* Call fn for each term of text[0..len), in order. Invalid UTF-8 is
 * skipped, as at index time. @return HKS_OK, HKS_ERR_NOMEM, HKS_ERR_ARG
 * (text over 4 GiB, or fn NULL), or fn's negative value. */
HKS_API int hks_analyze(const char *text, size_t len, const hks_alloc *alloc,
                        hks_term_fn fn, void *ctx);
/* Decode the UTF-8 sequence at s[0..n) by the rules the library reads
 * text with: returns its length 1..4 with its code point in *cp; 0 when n
 * is 0; or,
 * for invalid bytes (overlong forms, surrogates, over U+10FFFF, a broken or
 * truncated sequence), minus the length of the maximal invalid subpart to
 * skip (Unicode's U+FFFD substitution practice). A program printing stored
 * text, which is kept as given, replaces each such subpart with U+FFFD. */
HKS_API int hks_utf8_decode(const char *s, size_t n, uint32_t *cp);

/* ---- Synonyms -----------------------------------------------------------
 * An index may hold a synonym table: groups of aliases that mean the same
 * (新冠 / 新冠肺炎 / 新型冠状病毒 / COVID-19). It is set and changed without
 * reindexing and applied at query time: an unquoted term that is an alias,
 * or a CJK run of one holding an alias (the longest alias at each place),
 * is searched as an OR of the term with each other alias of the group in
 * its place, each alias matched as a phrase (COVID-19: covid 19 adjacent).
 * A quoted phrase, a word* prefix and a long pasted paragraph stay as
 * written, and the natural-language ranking of a question's partial
 * matches uses its own words only. HKS_S_SYNONYMS turns it off.
 *
 * The text of a table: one group a line, aliases separated by " / ", a
 * tab or a comma (also '，' and '、'); '#' at the start of a line or after
 * a space begins a comment. Aliases are normalized as queries are, so
 * 醫管局 and 医管局 are one alias (a group keeps the first spelling); an
 * alias belongs to one group only, and a group has 2..64 aliases of at
 * most 255 bytes. */

/* Replace the index's synonym table with the groups of text[0..len) (an
 * empty table, e.g. len 0, removes it). It takes effect at once, on its
 * own, independent of hks_writer_commit: the table is written to a new
 * file, fsynced and renamed into place, so a reader sees the old table or
 * the new one, and an index opened (or reopened: hks_index_changed says
 * 1) after it sees the new one. name (may be NULL) names the text in
 * messages: HKS_ERR_INPUT with "NAME:LINE: what is wrong" for a bad line
 * (the table is then unchanged). HKS_ERR_NOTFOUND when the directory
 * holds no committed index yet. */
HKS_API int hks_writer_set_synonyms(hks_writer *w, const char *name,
                                    const char *text, size_t len);
/* The index's synonym table as text, one group a line with " / " between
 * its aliases as they were written (text that hks_writer_set_synonyms
 * reads back into the same table), NUL-terminated into buf; "" when the
 * index has none. *len_out gets the text's length in bytes (buf needs one
 * more, for the NUL), *n_groups_out (may be NULL) the number of groups;
 * HKS_ERR_BUFSIZE when buf_cap is too small. The table stays through
 * build, add, sync and merge: only hks_writer_set_synonyms changes it. */
HKS_API int hks_index_synonyms(hks_index *idx, char *buf, size_t buf_cap,
                               size_t *len_out, size_t *n_groups_out);
/* An expansion the last search (or snippet) of a searcher made: the alias
 * found in the query, and every alias of its group (that one among them),
 * as the table writes them; the query searched for all of them. Views
 * valid while the index is open. */
typedef struct hks_synonym_use {
    const char *alias;
    size_t alias_len;
    size_t n_group;
    const char *const *group; /* n_group strings ...                    */
    const size_t *group_lens; /* ... of these lengths                   */
} hks_synonym_use;
/* Expansion i (from 0) of the last search: HKS_OK, or HKS_DONE past the
 * last one. */
HKS_API int hks_searcher_synonym_use(const hks_searcher *s, size_t i,
                                     hks_synonym_use *out);

#ifdef __cplusplus
}
#endif
#endif /* HKS_H */
