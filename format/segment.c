/*
 * segment.c: read access to one segment file: open and validate, the
 * lexicon (exact and prefix lookup), per-document records and metadata,
 * and postings cursors with block skipping. Used by searcher.c and by the
 * writer side (indexer/merge.c, indexer/writer.c). Byte formats: format.c.
 *
 * Everything read from the file is untrusted: every decode is bounded by
 * its section and reports HKS_ERR_CORRUPT with the file and the structure
 * that failed.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hks_format.h"

typedef struct lexblk {
    const uint8_t *first; /* first term of the block (in the file)       */
    uint32_t first_len;
    uint64_t off; /* offset of the block in LEXICON              */
} lexblk;

struct hks_segment {
    const hks_alloc *a;
    char path[4096];
    hks_filer f;
    uint32_t n_docs;
    uint64_t n_terms;
    uint64_t total_tokens;
    const uint8_t *post; /* POSTINGS section                            */
    size_t post_n;
    const uint8_t *lex; /* LEXICON section                             */
    size_t lex_n;
    lexblk *blk; /* LEXIDX, decoded                              */
    uint64_t n_blk;
    const uint8_t *sums; /* BLOCKSUMS: u64 per lexicon block             */
    uint8_t *blk_ok;     /* per block: checksum verified (set once, by
                            * any thread: relaxed atomics)                 */
    const uint8_t *docs; /* DOCS section: n_docs records                */
    const uint8_t *meta; /* META section                                */
    size_t meta_n;
    const uint8_t *simhash; /* SIMHASH section: u64 per document        */
    uint32_t *doclen;       /* n_tokens per document                       */
    uint32_t *charlen;      /* n_chars per document                        */
    uint8_t *deleted;       /* tombstone bitmap or NULL                    */
    hks_ds_reader *ds;
    uint64_t bytes_postings, bytes_docstore;
    const uint8_t *bp_table; /* BOILER: the counts part, NULL if none       */
    size_t bp_table_n;
    const uint8_t *bp; /* BOILER: the per-document entries            */
    uint32_t *bp_off;  /* n_docs + 1 offsets of the entries in bp      */
};

static int corrupt(hks_errbuf *err, const hks_segment *s, const char *what)
{
    return hks_fail(err, HKS_ERR_CORRUPT, "%s: %s", s->path, what);
}

/* The document store does not know its file: put the segment's path in
 * front of its message so every error names the damaged file. */
static int name_file(hks_errbuf *err, const hks_segment *s, int rc)
{
    char msg[HKS_ERRMSG_MAX];
    if (!err || rc >= 0)
        return rc;
    memcpy(msg, err->msg, sizeof msg);
    return hks_fail(err, rc, "%s: %s", s->path, msg);
}

/*
 * Open the segment si of the index in dir: map it, check its structure
 * and small sections' checksums, and decode the lexicon index and document
 * lengths. On failure *out is NULL and err says what failed.
 */
/* Check the BOILER section (layout in format.c) when there is one, and
 * find each document's entry. Every field is read bounded; anything out of
 * place is HKS_ERR_CORRUPT. */
static int open_boiler(hks_segment *s, hks_errbuf *err)
{
    const uint8_t *p, *name, *prev_name = NULL;
    size_t n, nl, prev_nl = 0;
    hks_rd rd;
    uint64_t nc, i, j, nd;
    int k;
    for (k = 0; k < s->f.n_sec; k++)
        if (s->f.sec[k].id == HKS_SEC_BOILER)
            break;
    if (k == s->f.n_sec)
        return HKS_OK;
    HKS_TRY(hks_filer_verify(&s->f, HKS_SEC_BOILER, s->path, err));
    HKS_TRY(hks_filer_section(&s->f, HKS_SEC_BOILER, &p, &n, s->path, err));
    hks_rd_init(&rd, p, n);
    if (hks_varint_get(&rd, &nc) || nc > n)
        return corrupt(err, s, "bad boilerplate section header");
    for (i = 0; i < nc; i++) {
        uint64_t ndocs, nlines, prev = 0;
        if (hks_rd_lenbytes(&rd, &name, &nl) || nl > HKS_MAX_COLL_BYTES ||
            hks_varint_get(&rd, &ndocs) || hks_varint_get(&rd, &nlines) ||
            nlines > hks_rd_left(&rd) / 9)
            return corrupt(err, s, "bad boilerplate collection record");
        if (i) { /* in byte order of name, no two equal */
            size_t m = nl < prev_nl ? nl : prev_nl;
            int c = m ? memcmp(prev_name, name, m) : 0;
            if (c > 0 || (c == 0 && prev_nl >= nl))
                return corrupt(err, s, "boilerplate collections out of order");
        }
        prev_name = name;
        prev_nl = nl;
        for (j = 0; j < nlines; j++) {
            uint64_t h, v;
            if (hks_rd_u64le(&rd, &h) || hks_varint_get(&rd, &v) || h <= prev || v < 2 ||
                v > ndocs || v > UINT32_MAX)
                return corrupt(err, s, "bad boilerplate line count");
            prev = h;
        }
    }
    s->bp_table = p;
    s->bp_table_n = (size_t)(rd.p - p);
    if (hks_varint_get(&rd, &nd) || nd != s->n_docs)
        return corrupt(err, s, "boilerplate section document count does not match");
    s->bp = p;
    s->bp_off = hks_mem_alloc(s->a, ((size_t)s->n_docs + 1) * sizeof *s->bp_off);
    if (!s->bp_off)
        return hks_fail(err, HKS_ERR_NOMEM, "out of memory");
    for (i = 0; i < nd; i++) {
        uint64_t nr, end = 0;
        s->bp_off[i] = (uint32_t)(rd.p - p);
        if (hks_varint_get(&rd, &nr) || nr > hks_rd_left(&rd) / 2)
            return corrupt(err, s, "bad boilerplate entry");
        for (j = 0; j < nr; j++) {
            uint64_t gap, len;
            if (hks_varint_get(&rd, &gap) || hks_varint_get(&rd, &len) || len == 0 ||
                gap > HKS_DS_MAX_DOC_BYTES || len > HKS_DS_MAX_DOC_BYTES ||
                end + gap + len > HKS_DS_MAX_DOC_BYTES)
                return corrupt(err, s, "bad boilerplate range");
            end += gap + len;
        }
    }
    if (n > UINT32_MAX || hks_rd_left(&rd))
        return corrupt(err, s, "boilerplate section has trailing bytes");
    s->bp_off[nd] = (uint32_t)(rd.p - p);
    return HKS_OK;
}

void hks_seg_boiler_table(const hks_segment *s, const uint8_t **p, size_t *n)
{
    *p = s->bp_table;
    *n = s->bp_table_n;
}

void hks_seg_boiler_entry(const hks_segment *s, uint32_t doc, const uint8_t **p, size_t *n)
{
    static const uint8_t empty[1] = {0};
    if (!s->bp_off || doc >= s->n_docs) {
        *p = empty;
        *n = 1;
        return;
    }
    *p = s->bp + s->bp_off[doc];
    *n = s->bp_off[doc + 1] - s->bp_off[doc];
}

int hks_seg_boiler_ranges(const hks_segment *s, uint32_t doc, const hks_alloc *a, uint32_t **r,
                          size_t *cap, size_t *n_out)
{
    const uint8_t *p;
    size_t n;
    hks_rd rd;
    uint64_t nr, i, end = 0;
    *n_out = 0;
    hks_seg_boiler_entry(s, doc, &p, &n);
    hks_rd_init(&rd, p, n);
    if (hks_varint_get(&rd, &nr))
        return HKS_ERR_CORRUPT;
    if (nr > *cap) {
        uint32_t *q = hks_grow(a, *r, 2 * sizeof **r, *cap, (size_t)nr, 16, SIZE_MAX / 8, cap);
        if (!q)
            return HKS_ERR_NOMEM;
        *r = q;
    }
    for (i = 0; i < nr; i++) {
        uint64_t gap, len;
        if (hks_varint_get(&rd, &gap) || hks_varint_get(&rd, &len))
            return HKS_ERR_CORRUPT;
        (*r)[2 * i] = (uint32_t)(end + gap);
        end += gap + len;
        (*r)[2 * i + 1] = (uint32_t)end;
    }
    *n_out = (size_t)nr;
    return HKS_OK;
}

int hks_seg_open(const hks_alloc *a, const char *dir, const hks_seginfo *si,
                 hks_errbuf *err, hks_segment **out)
{
    hks_segment *s;
    const uint8_t *p;
    size_t n;
    hks_rd rd;
    uint64_t i, nd, nt;
    int rc;

    *out = NULL;
    s = hks_mem_calloc(a, 1, sizeof *s);
    if (!s)
        return hks_fail(err, HKS_ERR_NOMEM, "out of memory");
    s->a = a;
    if (hks_path_join(s->path, sizeof s->path, dir, si->name)) {
        hks_mem_free(a, s, sizeof *s);
        return hks_fail(err, HKS_ERR_ARG, "path too long: %s", dir);
    }
    rc = hks_filer_open(&s->f, a, s->path, HKS_KIND_SEGMENT, err);
    if (rc)
        goto fail;
    /* Small sections are verified at every open; lexicon blocks with their
     * postings when first read (verify_block), store blocks by zstd. */
    if ((rc = hks_filer_verify(&s->f, HKS_SEC_INFO, s->path, err)) ||
        (rc = hks_filer_verify(&s->f, HKS_SEC_LEXIDX, s->path, err)) ||
        (rc = hks_filer_verify(&s->f, HKS_SEC_BLOCKSUMS, s->path, err)) ||
        (rc = hks_filer_verify(&s->f, HKS_SEC_DOCS, s->path, err)) ||
        (rc = hks_filer_verify(&s->f, HKS_SEC_META, s->path, err)) ||
        (rc = hks_filer_verify(&s->f, HKS_SEC_SIMHASH, s->path, err)))
        goto fail;

    if ((rc = hks_filer_section(&s->f, HKS_SEC_INFO, &p, &n, s->path, err)))
        goto fail;
    hks_rd_init(&rd, p, n);
    if (hks_varint_get(&rd, &nd) || hks_varint_get(&rd, &nt) ||
        hks_varint_get(&rd, &s->total_tokens) || nd >= UINT32_MAX) {
        rc = corrupt(err, s, "bad info section");
        goto fail;
    }
    if ((rc = hks_identity_check(&rd, s->path, err)))
        goto fail;
    s->n_docs = (uint32_t)nd;
    s->n_terms = nt;
    if (si->n_docs != s->n_docs) {
        rc = hks_fail(err, HKS_ERR_CORRUPT,
                      "%s: holds %u documents, the manifest says %u", s->path,
                      s->n_docs, si->n_docs);
        goto fail;
    }

    if ((rc = hks_filer_section(&s->f, HKS_SEC_DOCS, &s->docs, &n, s->path, err)))
        goto fail;
    if (n != (size_t)s->n_docs * HKS_DOCREC_BYTES) {
        rc = corrupt(err, s, "docs section size does not match the document count");
        goto fail;
    }
    if ((rc = hks_filer_section(&s->f, HKS_SEC_SIMHASH, &s->simhash, &n, s->path, err)))
        goto fail;
    if (n != (size_t)s->n_docs * 8) {
        rc = corrupt(err, s, "simhash section size does not match the document count");
        goto fail;
    }
    if ((rc = hks_filer_section(&s->f, HKS_SEC_META, &s->meta, &s->meta_n, s->path, err)) ||
        (rc = hks_filer_section(&s->f, HKS_SEC_POSTINGS, &s->post, &s->post_n, s->path,
                                err)) ||
        (rc = hks_filer_section(&s->f, HKS_SEC_LEXICON, &s->lex, &s->lex_n, s->path, err)))
        goto fail;
    s->doclen = hks_mem_alloc(a, (size_t)(s->n_docs ? s->n_docs : 1) * 4);
    s->charlen = hks_mem_alloc(a, (size_t)(s->n_docs ? s->n_docs : 1) * 4);
    if (!s->doclen || !s->charlen) {
        rc = hks_fail(err, HKS_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < s->n_docs; i++) {
        uint32_t mo = hks_load_u32le(s->docs + i * HKS_DOCREC_BYTES + 12);
        s->doclen[i] = hks_load_u32le(s->docs + i * HKS_DOCREC_BYTES);
        s->charlen[i] = hks_load_u32le(s->docs + i * HKS_DOCREC_BYTES + 24);
        if (mo >= s->meta_n) {
            rc = corrupt(err, s, "document metadata offset outside the meta section");
            goto fail;
        }
    }

    if ((rc = hks_filer_section(&s->f, HKS_SEC_LEXIDX, &p, &n, s->path, err)))
        goto fail;
    hks_rd_init(&rd, p, n);
    if (hks_varint_get(&rd, &nt) || nt != s->n_terms || hks_varint_get(&rd, &s->n_blk) ||
        s->n_blk != (s->n_terms + HKS_LEX_BLOCK - 1) / HKS_LEX_BLOCK || s->n_blk > n) {
        rc = corrupt(err, s, "bad lexicon index header");
        goto fail;
    }
    s->blk = hks_mem_alloc(a, (size_t)(s->n_blk ? s->n_blk : 1) * sizeof *s->blk);
    if (!s->blk) {
        rc = hks_fail(err, HKS_ERR_NOMEM, "out of memory");
        goto fail;
    }
    for (i = 0; i < s->n_blk; i++) {
        size_t tl;
        if (hks_varint_get(&rd, &s->blk[i].off) ||
            hks_rd_lenbytes(&rd, &s->blk[i].first, &tl) || tl == 0 ||
            tl > HKS_MAX_TERM_BYTES || s->blk[i].off >= s->lex_n ||
            (i && s->blk[i].off <= s->blk[i - 1].off)) {
            rc = corrupt(err, s, "bad lexicon index entry");
            goto fail;
        }
        s->blk[i].first_len = (uint32_t)tl;
    }
    if ((rc = hks_filer_section(&s->f, HKS_SEC_BLOCKSUMS, &s->sums, &n, s->path, err)))
        goto fail;
    if (n != s->n_blk * 8) {
        rc = corrupt(err, s, "block checksum count does not match the lexicon");
        goto fail;
    }
    s->blk_ok = hks_mem_calloc(a, (size_t)(s->n_blk ? s->n_blk : 1), 1);
    if (!s->blk_ok) {
        rc = hks_fail(err, HKS_ERR_NOMEM, "out of memory");
        goto fail;
    }

    if ((rc = hks_filer_section(&s->f, HKS_SEC_DOCSTORE, &p, &n, s->path, err)))
        goto fail;
    s->bytes_docstore = n;
    s->bytes_postings = s->post_n + s->lex_n;
    rc = hks_ds_reader_open(a, p, n, err, &s->ds);
    if (rc) {
        rc = name_file(err, s, rc);
        goto fail;
    }
    if (hks_ds_reader_count(s->ds) != s->n_docs) {
        rc = corrupt(err, s, "document store count does not match");
        goto fail;
    }
    if ((rc = open_boiler(s, err)))
        goto fail;
    if (si->del_name[0]) {
        char tp[4096];
        if (hks_path_join(tp, sizeof tp, dir, si->del_name)) {
            rc = hks_fail(err, HKS_ERR_ARG, "path too long");
            goto fail;
        }
        rc = hks_tomb_read(a, tp, s->n_docs, &s->deleted, err);
        if (rc)
            goto fail;
    }
    *out = s;
    return HKS_OK;
fail:
    hks_seg_close(s);
    return rc;
}

void hks_seg_close(hks_segment *s)
{
    if (!s)
        return;
    hks_ds_reader_free(s->ds);
    hks_filer_close(&s->f);
    hks_mem_free(s->a, s->blk, 0);
    hks_mem_free(s->a, s->blk_ok, 0);
    hks_mem_free(s->a, s->doclen, 0);
    hks_mem_free(s->a, s->charlen, 0);
    hks_mem_free(s->a, s->bp_off, 0);
    hks_mem_free(s->a, s->deleted, 0);
    hks_mem_free(s->a, s, sizeof *s);
}

uint32_t hks_seg_ndocs(const hks_segment *s)
{
    return s->n_docs;
}
uint64_t hks_seg_nterms(const hks_segment *s)
{
    return s->n_terms;
}
const uint32_t *hks_seg_doclens(const hks_segment *s)
{
    return s->doclen;
}
const uint32_t *hks_seg_charlens(const hks_segment *s)
{
    return s->charlen;
}
const hks_ds_reader *hks_seg_docstore(const hks_segment *s)
{
    return s->ds;
}

int hks_seg_body(const hks_segment *s, hks_ds_cursor *c, uint32_t doc, const uint8_t **p_out,
                 size_t *n_out, hks_errbuf *err)
{
    return name_file(err, s, hks_ds_get(s->ds, c, doc, p_out, n_out, err));
}
const char *hks_seg_path(const hks_segment *s)
{
    return s->path;
}
uint64_t hks_seg_simhash(const hks_segment *s, uint32_t doc)
{
    /* the section's length was checked at open: 8 bytes a document */
    return doc < s->n_docs ? hks_load_u64le(s->simhash + (size_t)doc * 8) : HKS_SIMHASH_NONE;
}
const uint8_t *hks_seg_deleted_bits(const hks_segment *s)
{
    return s->deleted;
}

bool hks_seg_is_deleted(const hks_segment *s, uint32_t doc)
{
    return s->deleted && (s->deleted[doc >> 3] >> (doc & 7) & 1);
}

uint64_t hks_seg_bytes(const hks_segment *s, uint64_t *postings, uint64_t *docstore)
{
    *postings = s->bytes_postings;
    *docstore = s->bytes_docstore;
    return s->f.n;
}

int hks_seg_docrec(const hks_segment *s, uint32_t doc, hks_docrec *out)
{
    const uint8_t *r;
    if (doc >= s->n_docs)
        return HKS_ERR_NOTFOUND;
    r = s->docs + (size_t)doc * HKS_DOCREC_BYTES;
    out->n_tokens = hks_load_u32le(r);
    out->title_end = hks_load_u32le(r + 4);
    out->date = hks_load_u32le(r + 8);
    out->meta_off = hks_load_u32le(r + 12);
    out->chash = hks_load_u64le(r + 16);
    out->n_chars = hks_load_u32le(r + 24);
    out->simhash = hks_seg_simhash(s, doc);
    return HKS_OK;
}

int hks_seg_meta(const hks_segment *s, uint32_t doc, const uint8_t *p_out[HKS_META_N],
                 size_t n_out[HKS_META_N], hks_errbuf *err)
{
    hks_docrec rec;
    hks_rd rd;
    int i;
    if (hks_seg_docrec(s, doc, &rec))
        return hks_fail(err, HKS_ERR_NOTFOUND, "no document %u", doc);
    hks_rd_init(&rd, s->meta + rec.meta_off, s->meta_n - rec.meta_off);
    for (i = 0; i < HKS_META_N; i++)
        if (hks_rd_lenbytes(&rd, &p_out[i], &n_out[i]))
            return hks_fail(err, HKS_ERR_CORRUPT, "%s: document %u: bad metadata",
                            s->path, doc);
    return HKS_OK;
}

/* ---- lexicon --------------------------------------------------------- */

static int termcmp(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
    size_t m = na < nb ? na : nb;
    int c = memcmp(a, b, m);
    if (c)
        return c;
    return na < nb ? -1 : na > nb;
}

/* The last block whose first term is <= term (0 if none). */
static uint64_t find_block(const hks_segment *s, const uint8_t *term, size_t len)
{
    uint64_t lo = 0, hi = s->n_blk;
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (termcmp(s->blk[mid].first, s->blk[mid].first_len, term, len) <= 0)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* One LEXICON entry, read and bounds-checked: prev_len is the length of
 * the term before it in the block (0 for the first), off where its
 * postings start. */
typedef struct lexraw {
    uint64_t pre, suf, df, dl, pl;
    const uint8_t *sp; /* suffix bytes */
} lexraw;

static bool lex_entry(const hks_segment *s, hks_rd *rd, size_t prev_len, uint64_t off,
                      lexraw *e)
{
    return !(hks_varint_get(rd, &e->pre) || hks_varint_get(rd, &e->suf) ||
             e->pre > prev_len || e->pre + e->suf > HKS_MAX_TERM_BYTES ||
             e->pre + e->suf == 0 || hks_rd_bytes(rd, (size_t)e->suf, &e->sp) ||
             hks_varint_get(rd, &e->df) || hks_varint_get(rd, &e->dl) ||
             hks_varint_get(rd, &e->pl) || e->df == 0 || e->df > s->n_docs ||
             e->dl > UINT32_MAX || e->pl > UINT32_MAX || off > s->post_n ||
             e->dl + e->pl > s->post_n - off);
}

/* A reader over lexicon block b's bytes, past its first field: the offset
 * in POSTINGS of the block's first term. */
static int open_block(const hks_segment *s, uint64_t b, hks_rd *rd, uint64_t *off,
                      hks_errbuf *err)
{
    uint64_t end = b + 1 < s->n_blk ? s->blk[b + 1].off : s->lex_n;
    hks_rd_init(rd, s->lex + s->blk[b].off, (size_t)(end - s->blk[b].off));
    if (hks_varint_get(rd, off))
        return corrupt(err, s, "truncated lexicon block");
    return HKS_OK;
}

/*
 * Check lexicon block b and its terms' postings against BLOCKSUMS, once
 * per open segment (format.c).
 */
static int verify_block(const hks_segment *s, uint64_t b, hks_errbuf *err)
{
    uint64_t off, h = 0, t = b * HKS_LEX_BLOCK;
    size_t tlen = 0;
    hks_rd rd;
    int k;
    if (__atomic_load_n(&s->blk_ok[b], __ATOMIC_RELAXED))
        return HKS_OK;
    HKS_TRY(open_block(s, b, &rd, &off, err));
    for (k = 0; k < HKS_LEX_BLOCK && t < s->n_terms; k++, t++) {
        lexraw e;
        if (!lex_entry(s, &rd, k ? tlen : 0, off, &e))
            return corrupt(err, s, "bad lexicon entry");
        tlen = (size_t)(e.pre + e.suf);
        h = hks_hash64_seed(s->post + off, (size_t)e.dl, h);
        h = hks_hash64_seed(s->post + off + e.dl, (size_t)e.pl, h);
        off += e.dl + e.pl;
    }
    /* The block's bytes: all of them, now that rd has been over them. */
    h = hks_hash64_seed(s->lex + s->blk[b].off, (size_t)(rd.end - (s->lex + s->blk[b].off)), h);
    if (h != hks_load_u64le(s->sums + b * 8))
        return hks_fail(err, HKS_ERR_CORRUPT,
                        "%s: lexicon block %llu or its postings fail their checksum",
                        s->path, (unsigned long long)b);
    __atomic_store_n(&s->blk_ok[b], 1, __ATOMIC_RELAXED);
    return HKS_OK;
}

/*
 * Scan lexicon blocks from block b on, calling fn for every term; fn
 * returns HKS_OK to go on, HKS_DONE to stop. A scan with a `stop_above`
 * bound stops at the first term above it.
 */
typedef int (*scan_fn)(void *ctx, const uint8_t *term, size_t len, const hks_lexent *e);

static int scan(const hks_segment *s, uint64_t b, scan_fn fn, void *ctx, hks_errbuf *err)
{
    uint8_t term[HKS_MAX_TERM_BYTES];
    size_t tlen = 0;
    uint64_t t = b * HKS_LEX_BLOCK;
    for (; b < s->n_blk; b++) {
        uint64_t off;
        hks_rd rd;
        int k, rc;
        HKS_TRY(verify_block(s, b, err));
        HKS_TRY(open_block(s, b, &rd, &off, err));
        for (k = 0; k < HKS_LEX_BLOCK && t < s->n_terms; k++, t++) {
            lexraw r;
            hks_lexent e;
            if (!lex_entry(s, &rd, k ? tlen : 0, off, &r))
                return corrupt(err, s, "bad lexicon entry");
            memcpy(term + r.pre, r.sp, (size_t)r.suf);
            tlen = (size_t)(r.pre + r.suf);
            if (k == 0 && termcmp(term, tlen, s->blk[b].first, s->blk[b].first_len) != 0)
                return corrupt(err, s, "lexicon block does not start with its indexed term");
            e.df = (uint32_t)r.df;
            e.off = off;
            e.doc_len = (uint32_t)r.dl;
            e.pos_len = (uint32_t)r.pl;
            e.chars = hks_is_char_key(term, tlen);
            off += r.dl + r.pl;
            rc = fn(ctx, term, tlen, &e);
            if (rc)
                return rc;
        }
        if (hks_rd_left(&rd) != 0)
            return corrupt(err, s, "trailing bytes in a lexicon block");
    }
    return HKS_OK;
}

typedef struct lookup_ctx {
    const uint8_t *term;
    size_t len;
    hks_lexent *out;
    bool found;
    bool is_prefix;
    hks_lex_fn fn;
    void *ctx;
    uint8_t prev[HKS_MAX_TERM_BYTES];
    size_t prev_len;
    bool has_prev;
} lookup_ctx;

static int on_lookup(void *ctx, const uint8_t *term, size_t len, const hks_lexent *e)
{
    lookup_ctx *l = ctx;
    int c;
    if (l->has_prev && termcmp(l->prev, l->prev_len, term, len) >= 0)
        return HKS_ERR_CORRUPT; /* terms out of order */
    memcpy(l->prev, term, len);
    l->prev_len = len;
    l->has_prev = true;
    if (l->is_prefix) {
        if (len >= l->len && memcmp(term, l->term, l->len) == 0)
            return l->fn(l->ctx, term, len, e);
        return termcmp(term, len, l->term, l->len) > 0 ? HKS_DONE : HKS_OK;
    }
    c = termcmp(term, len, l->term, l->len);
    if (c < 0)
        return HKS_OK;
    if (c == 0) {
        *l->out = *e;
        l->found = true;
    }
    return HKS_DONE;
}

static int finish_scan(const hks_segment *s, int rc, hks_errbuf *err)
{
    if (rc == HKS_DONE)
        return HKS_OK;
    if (rc == HKS_ERR_CORRUPT && err && !err->msg[0])
        return corrupt(err, s, "lexicon terms out of order");
    if (rc == HKS_ERR_CORRUPT && err && !strstr(err->msg, s->path))
        return corrupt(err, s, "lexicon terms out of order");
    return rc;
}

int hks_seg_lookup(const hks_segment *s, const uint8_t *term, size_t len, hks_lexent *out,
                   hks_errbuf *err)
{
    lookup_ctx l;
    int rc;
    if (s->n_terms == 0 || len == 0 || len > HKS_MAX_TERM_BYTES)
        return HKS_ERR_NOTFOUND;
    memset(&l, 0, sizeof l);
    l.term = term;
    l.len = len;
    l.out = out;
    hks_err_clear(err);
    rc = finish_scan(s, scan(s, find_block(s, term, len), on_lookup, &l, err), err);
    if (rc)
        return rc;
    return l.found ? HKS_OK : HKS_ERR_NOTFOUND;
}

int hks_seg_prefix(const hks_segment *s, const uint8_t *prefix, size_t len, hks_lex_fn fn,
                   void *ctx, hks_errbuf *err)
{
    lookup_ctx l;
    if (s->n_terms == 0)
        return HKS_OK;
    memset(&l, 0, sizeof l);
    l.term = prefix;
    l.len = len;
    l.is_prefix = true;
    l.fn = fn;
    l.ctx = ctx;
    hks_err_clear(err);
    return finish_scan(s, scan(s, find_block(s, prefix, len), on_lookup, &l, err), err);
}

typedef struct each_ctx {
    hks_lex_fn fn;
    void *ctx;
    lookup_ctx order;
} each_ctx;

static int on_each(void *ctx, const uint8_t *term, size_t len, const hks_lexent *e)
{
    each_ctx *x = ctx;
    if (x->order.has_prev && termcmp(x->order.prev, x->order.prev_len, term, len) >= 0)
        return HKS_ERR_CORRUPT;
    memcpy(x->order.prev, term, len);
    x->order.prev_len = len;
    x->order.has_prev = true;
    return x->fn(x->ctx, term, len, e);
}

int hks_seg_each_term(const hks_segment *s, hks_lex_fn fn, void *ctx, hks_errbuf *err)
{
    each_ctx x;
    memset(&x, 0, sizeof x);
    x.fn = fn;
    x.ctx = ctx;
    hks_err_clear(err);
    return finish_scan(s, scan(s, 0, on_each, &x, err), err);
}

void hks_lexit_init(hks_lexit *it, const hks_segment *seg, hks_errbuf *err)
{
    memset(it, 0, sizeof *it);
    it->seg = seg;
    it->err = err;
}

/*
 * Step to the next term: HKS_OK (it->term, it->len, it->ent set),
 * HKS_DONE after the last, or HKS_ERR_CORRUPT.
 */
int hks_lexit_next(hks_lexit *it)
{
    const hks_segment *s = it->seg;
    lexraw r;
    if (it->t >= s->n_terms)
        return HKS_DONE;
    if (it->t % HKS_LEX_BLOCK == 0) {
        uint64_t b = it->t / HKS_LEX_BLOCK;
        if (b && hks_rd_left(&it->rd) != 0)
            return corrupt(it->err, s, "trailing bytes in a lexicon block");
        /* Merge reads through here: damage must stop it, not be copied
         * into a new segment with fresh checksums. */
        HKS_TRY(verify_block(s, b, it->err));
        it->b = b;
        it->k = 0;
        HKS_TRY(open_block(s, b, &it->rd, &it->off, it->err));
    }
    if (!lex_entry(s, &it->rd, it->k ? it->len : 0, it->off, &r))
        return corrupt(it->err, s, "bad lexicon entry");
    {
        uint8_t prev[HKS_MAX_TERM_BYTES];
        size_t plen = it->len;
        memcpy(prev, it->term, plen);
        memcpy(it->term + r.pre, r.sp, (size_t)r.suf);
        it->len = (size_t)(r.pre + r.suf);
        if (it->t && termcmp(prev, plen, it->term, it->len) >= 0)
            return corrupt(it->err, s, "lexicon terms out of order");
    }
    it->ent.df = (uint32_t)r.df;
    it->ent.off = it->off;
    it->ent.doc_len = (uint32_t)r.dl;
    it->ent.pos_len = (uint32_t)r.pl;
    it->ent.chars = hks_is_char_key(it->term, it->len);
    it->off += r.dl + r.pl;
    it->k++;
    it->t++;
    return HKS_OK;
}

/* ---- postings cursor ----------------------------------------------------- */

static int pc_corrupt(hks_pcur *c, const char *what)
{
    c->doc = HKS_END;
    return hks_fail(c->err, HKS_ERR_CORRUPT, "%s: block %u: %s",
                    c->seg->path, c->blk, what);
}

static int grow_u32(const hks_alloc *a, uint32_t **p, uint32_t *cap, uint32_t need)
{
    size_t nc;
    uint32_t *q = hks_grow(a, *p, sizeof **p, *cap, need, 256, UINT32_MAX, &nc);
    if (!q)
        return HKS_ERR_NOMEM;
    *p = q;
    *cap = (uint32_t)nc;
    return HKS_OK;
}

/* Stored tfs (tf - 1) to tfs in place; nonzero when one wrapped. Inlined,
 * so that a constant n gives a loop of known count. */
static inline uint32_t tfs_from_stored(uint32_t *tfs, uint32_t n)
{
    uint32_t k, wrap = 0;
    for (k = 0; k < n; k++) {
        uint32_t t = tfs[k] + 1;
        wrap |= t == 0;
        tfs[k] = t;
    }
    return wrap;
}

/* Decode block b's doc gaps and tfs. */
static int load_block(hks_pcur *c, uint32_t b)
{
    hks_rd rd;
    uint32_t k, prev, tf_wrap;
    uint64_t d;
    const uint8_t *start = c->base + c->blk_off[b];
    const uint8_t *stop = b + 1 < c->n_blocks ? c->base + c->blk_off[b + 1] : c->end;
    c->blk = b;
    c->i = 0;
    c->pos_loaded = false;
    c->n = c->df - b * HKS_BLOCK < HKS_BLOCK ? c->df - b * HKS_BLOCK : HKS_BLOCK;
    hks_rd_init(&rd, start, (size_t)(stop - start));
    if (hks_unpack_u32(&rd, c->docs, c->n) || hks_unpack_u32(&rd, c->tfs, c->n))
        return pc_corrupt(c, "truncated doc block");
    if (hks_rd_left(&rd) != 0)
        return pc_corrupt(c, "trailing bytes in doc block");
    /* Gaps to doc ids: the sum only grows, so the last being in range
     * puts every one in range (64 bits cannot overflow over 128 gaps). */
    k = b ? 0 : 1;
    d = b ? c->blk_last[b - 1] : c->docs[0];
    for (; k < c->n; k++) {
        d += (uint64_t)c->docs[k] + 1;
        c->docs[k] = (uint32_t)d;
    }
    /* a full block's known count lets the compiler vectorise the loop */
    tf_wrap = c->n == HKS_BLOCK ? tfs_from_stored(c->tfs, HKS_BLOCK) : tfs_from_stored(c->tfs, c->n);
    if (d >= hks_seg_ndocs(c->seg) || tf_wrap)
        return pc_corrupt(c, "document number out of range");
    prev = (uint32_t)d;
    if (c->n_blocks > 1 && prev != c->blk_last[b])
        return pc_corrupt(c, "block does not end at its skip entry");
    c->doc = c->docs[0];
    c->tf = c->tfs[0];
    return HKS_OK;
}

/* hks_varint_get with its one-byte case inline: the skip table is read at
 * every cursor open, five varints a block, most of them one byte. */
static inline int skip_varint(hks_rd *rd, uint64_t *v)
{
    if (rd->p < rd->end && *rd->p < 0x80) {
        *v = *rd->p++;
        return HKS_OK;
    }
    if (rd->end - rd->p >= 2 && rd->p[1] < 0x80) { /* two bytes: most block sizes */
        *v = (uint64_t)(rd->p[0] & 0x7F) | (uint64_t)rd->p[1] << 7;
        rd->p += 2;
        return HKS_OK;
    }
    return hks_varint_get(rd, v);
}

/*
 * Open a cursor on the term ent of seg, positioned on its first document.
 * The cursor owns scratch memory: close it with hks_pc_close.
 */
int hks_pc_open(hks_pcur *c, const hks_alloc *a, const hks_segment *seg,
                const hks_lexent *ent, hks_errbuf *err)
{
    hks_rd rd;
    uint32_t b, maxtf = 0, mindl = UINT32_MAX;
    uint64_t doc_sum = 0, pos_sum = 0, last = 0;
    int rc;
    memset(c, 0, sizeof *c);
    c->a = a;
    c->seg = seg;
    c->err = err;
    c->df = ent->df;
    c->doc = HKS_END;
    if (ent->df == 0 || ent->off + ent->doc_len + ent->pos_len > seg->post_n)
        return pc_corrupt(c, "term data outside the postings section");
    if (ent->chars && ent->pos_len)
        return pc_corrupt(c, "positions in the character field");
    c->chars = ent->chars;
    c->n_blocks = (ent->df + HKS_BLOCK - 1) / HKS_BLOCK;
    if (c->n_blocks == 1) {
        c->blk_last = c->one;
        c->blk_off = c->one + 1;
    } else {
        if ((rc = grow_u32(a, &c->blk_last, &c->skip_cap, c->n_blocks)))
            return hks_fail(err, rc, "out of memory");
        c->blk_off = hks_mem_alloc(a, (size_t)c->n_blocks * 4 * 4);
        if (!c->blk_off)
            return hks_fail(err, HKS_ERR_NOMEM, "out of memory");
    }
    c->blk_poff = c->blk_off + c->n_blocks;
    c->blk_maxtf = c->blk_poff + c->n_blocks;
    c->blk_mindl = c->blk_maxtf + c->n_blocks;
    hks_rd_init(&rd, seg->post + ent->off, ent->doc_len);
    if (c->n_blocks > 1) {
        for (b = 0; b < c->n_blocks; b++) {
            uint64_t dl, db, pb, mt, md;
            if (skip_varint(&rd, &dl) || skip_varint(&rd, &db) || skip_varint(&rd, &pb) ||
                skip_varint(&rd, &mt) || skip_varint(&rd, &md) || (b && dl == 0) ||
                db > ent->doc_len ||
                pb > ent->pos_len || mt == 0 || mt > UINT32_MAX || md > UINT32_MAX)
                return pc_corrupt(c, "bad skip entry");
            last += dl;
            if (last >= seg->n_docs)
                return pc_corrupt(c, "skip entry past the last document");
            c->blk_last[b] = (uint32_t)last;
            c->blk_off[b] = (uint32_t)doc_sum;
            c->blk_poff[b] = (uint32_t)pos_sum;
            c->blk_maxtf[b] = (uint32_t)mt;
            c->blk_mindl[b] = (uint32_t)md;
            doc_sum += db;
            pos_sum += pb;
        }
        if (doc_sum != hks_rd_left(&rd) || pos_sum != ent->pos_len)
            return pc_corrupt(c, "skip table does not add up");
    }
    if (c->n_blocks == 1)
        c->blk_off[0] = c->blk_poff[0] = 0;
    c->base = rd.p;
    c->end = seg->post + ent->off + ent->doc_len;
    c->pos_base = c->end;
    c->pos_end = c->pos_base + ent->pos_len;
    rc = load_block(c, 0);
    if (rc)
        return rc;
    if (c->n_blocks == 1) {
        uint32_t k;
        for (k = 0; k < c->n; k++) {
            if (c->tfs[k] > maxtf)
                maxtf = c->tfs[k];
            const uint32_t *dlen = c->chars ? seg->charlen : seg->doclen;
            if (dlen[c->docs[k]] < mindl)
                mindl = dlen[c->docs[k]];
        }
        c->blk_last[0] = c->docs[c->n - 1];
        c->blk_maxtf[0] = maxtf;
        c->blk_mindl[0] = mindl;
    }
    return HKS_OK;
}

void hks_pc_close(hks_pcur *c)
{
    if (c->blk_last != c->one) {
        hks_mem_free(c->a, c->blk_last, 0);
        hks_mem_free(c->a, c->blk_off, 0);
    }
    hks_mem_free(c->a, c->pos, 0);
    c->blk_last = c->blk_off = c->pos = NULL;
    c->doc = HKS_END;
}

int hks_pc_next(hks_pcur *c)
{
    if (c->doc == HKS_END)
        return HKS_OK;
    if (++c->i < c->n) {
        c->doc = c->docs[c->i];
        c->tf = c->tfs[c->i];
        return HKS_OK;
    }
    if (c->blk + 1 >= c->n_blocks) {
        c->doc = HKS_END;
        return HKS_OK;
    }
    return load_block(c, c->blk + 1);
}

/* The first block at or after `from` whose last doc is >= target, or
 * n_blocks if none: gallop, then binary search, over the skip table. */
static uint32_t find_doc_block(const hks_pcur *c, uint32_t from, uint32_t target)
{
    uint64_t lo = from, hi = from, step = 1;
    while (hi < c->n_blocks && c->blk_last[hi] < target) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    if (hi > c->n_blocks)
        hi = c->n_blocks;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (c->blk_last[mid] < target)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

int hks_pc_advance(hks_pcur *c, uint32_t target)
{
    uint32_t b, lo;
    if (c->doc == HKS_END || c->doc >= target)
        return HKS_OK;
    b = c->blk;
    if (c->blk_last[b] < target) {
        lo = find_doc_block(c, b + 1, target);
        if (lo >= c->n_blocks) {
            c->doc = HKS_END;
            return HKS_OK;
        }
        HKS_TRY(load_block(c, lo));
    }
    if (c->i < c->n && c->docs[c->i] < target) { /* gallop, then halve */
        uint32_t below = c->i, hi = c->i + 1, step = 1;
        while (hi < c->n && c->docs[hi] < target) {
            below = hi;
            hi += step;
            step *= 2;
        }
        if (hi > c->n)
            hi = c->n;
        for (lo = below + 1; lo < hi;) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (c->docs[mid] < target)
                lo = mid + 1;
            else
                hi = mid;
        }
        c->i = lo;
    }
    if (c->i >= c->n) { /* cannot happen when the skip entry is right */
        c->doc = HKS_END;
        return HKS_OK;
    }
    c->doc = c->docs[c->i];
    c->tf = c->tfs[c->i];
    return HKS_OK;
}

int hks_pc_positions(hks_pcur *c, const uint32_t **p, uint32_t *n)
{
    if (c->doc == HKS_END || c->chars)
        return HKS_ERR_MISUSE;
    if (!c->pos_loaded) {
        hks_rd rd;
        uint64_t total = 0;
        uint32_t k, j, at = 0;
        const uint8_t *start = c->pos_base + c->blk_poff[c->blk];
        const uint8_t *stop =
            c->blk + 1 < c->n_blocks ? c->pos_base + c->blk_poff[c->blk + 1] : c->pos_end;
        uint32_t pcap = c->pos_cap;
        for (k = 0; k < c->n; k++)
            total += c->tfs[k];
        if (total > (uint64_t)(stop - start) * HKS_BLOCK || /* a 1-byte group holds 128 zeros */
            total > UINT32_MAX)                             /* the count of the scratch array */
            return pc_corrupt(c, "more positions than bytes");
        if (grow_u32(c->a, &c->pos, &pcap, (uint32_t)total))
            return hks_fail(c->err, HKS_ERR_NOMEM, "out of memory");
        c->pos_cap = pcap;
        hks_rd_init(&rd, start, (size_t)(stop - start));
        if (hks_unpack_u32s(&rd, c->pos, (size_t)total) || hks_rd_left(&rd) != 0)
            return pc_corrupt(c, "bad position block");
        /* Gaps to positions, a document at a time: they only grow, so
         * the document's last being in range puts all in range (fewer
         * than 2^32 gaps of under 2^32 each: the 64-bit sum cannot wrap). */
        for (k = 0; k < c->n; k++) {
            uint64_t q = c->pos[at];
            c->pos_start[k] = at;
            for (j = 1; j < c->tfs[k]; j++) {
                q += (uint64_t)c->pos[at + j] + 1;
                c->pos[at + j] = (uint32_t)q;
            }
            if (q >= UINT32_MAX)
                return pc_corrupt(c, "position out of range");
            at += c->tfs[k];
        }
        c->pos_start[c->n] = at;
        c->pos_loaded = true;
    }
    *p = c->pos + c->pos_start[c->i];
    *n = c->tfs[c->i];
    return HKS_OK;
}

void hks_pc_range_bound(const hks_pcur *c, uint32_t lo, uint32_t hi, uint32_t *max_tf,
                        uint32_t *min_dl)
{
    uint32_t b = c->doc == HKS_END ? c->n_blocks : find_doc_block(c, c->blk, lo);
    uint32_t mt = 0, md = UINT32_MAX;
    for (; b < c->n_blocks; b++) {
        if (c->blk_maxtf[b] > mt)
            mt = c->blk_maxtf[b];
        if (c->blk_mindl[b] < md)
            md = c->blk_mindl[b];
        if (c->blk_last[b] >= hi)
            break;
    }
    *max_tf = mt;
    *min_dl = md;
}

void hks_seg_release_postings(const hks_segment *s, uint64_t upto)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = (uintptr_t)s->f.p, hi;
    if (!s->f.is_mapped || page == 0 || (uintptr_t)-1 == page)
        return;
    if (upto > s->post_n)
        upto = s->post_n;
    hi = ((uintptr_t)s->post + (uintptr_t)upto) & ~(page - 1);
    if (hi > lo) /* MADV_DONTNEED on a private read-only file map just drops clean pages */
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void hks_seg_release_all(const hks_segment *s)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    if (s->f.is_mapped && page && (uintptr_t)-1 != page)
        madvise((void *)s->f.p, s->f.n & ~(page - 1), MADV_DONTNEED);
}

/* ---- integrity check ----------------------------------------------------- */

typedef struct check_ctx {
    const hks_segment *s;
    hks_errbuf *err;
    uint64_t n;
} check_ctx;

static int on_check(void *ctx, const uint8_t *term, size_t len, const hks_lexent *e)
{
    check_ctx *x = ctx;
    hks_pcur c;
    uint32_t count = 0, prev = 0;
    int rc;
    (void)term;
    (void)len;
    x->n++;
    for (rc = hks_pc_open(&c, x->s->a, x->s, e, x->err); rc == HKS_OK && c.doc != HKS_END;
         rc = hks_pc_next(&c)) {
        const uint32_t *p;
        uint32_t n;
        if (count && c.doc <= prev) {
            rc = pc_corrupt(&c, "documents out of order");
            break;
        }
        prev = c.doc;
        count++;
        if (!e->chars)
            rc = hks_pc_positions(&c, &p, &n);
        if (rc)
            break;
    }
    if (rc == HKS_OK && count != e->df)
        rc = pc_corrupt(&c, "document count differs from the lexicon's df");
    hks_pc_close(&c);
    return rc;
}

/*
 * Verify every section checksum, then decode the whole lexicon and every
 * postings list and position block, and every stored document.
 */
void hks_seg_file(const hks_segment *s, const uint8_t **p, size_t *n)
{
    *p = s->f.p;
    *n = s->f.n;
}

int hks_seg_check(const hks_segment *s, hks_errbuf *err)
{
    static const uint32_t ids[] = {HKS_SEC_INFO, HKS_SEC_POSTINGS, HKS_SEC_LEXICON,
                                   HKS_SEC_LEXIDX, HKS_SEC_DOCS, HKS_SEC_META,
                                   HKS_SEC_DOCSTORE, HKS_SEC_BLOCKSUMS, HKS_SEC_SIMHASH};
    check_ctx x;
    hks_ds_cursor *dc = NULL;
    size_t i;
    uint32_t d;
    int rc;
    for (i = 0; i < sizeof ids / sizeof ids[0]; i++)
        HKS_TRY(hks_filer_verify(&s->f, ids[i], s->path, err));
    x.s = s;
    x.err = err;
    x.n = 0;
    HKS_TRY(hks_seg_each_term(s, on_check, &x, err));
    if (x.n != s->n_terms)
        return corrupt(err, s, "lexicon holds a different number of terms than recorded");
    for (d = 0; d < s->n_docs; d++) {
        const uint8_t *p[HKS_META_N];
        size_t n[HKS_META_N];
        HKS_TRY(hks_seg_meta(s, d, p, n, err));
    }
    rc = hks_ds_cursor_new(s->a, &dc);
    if (rc)
        return hks_fail(err, rc, "out of memory");
    for (d = 0; rc == HKS_OK && d < s->n_docs; d++) {
        const uint8_t *p;
        size_t n;
        rc = hks_seg_body(s, dc, d, &p, &n, err);
        if (rc == HKS_OK && s->bp_off) { /* boilerplate ranges inside the body */
            const uint8_t *e;
            size_t en;
            hks_rd rd;
            uint64_t nr, j, end = 0;
            hks_seg_boiler_entry(s, d, &e, &en);
            hks_rd_init(&rd, e, en);
            if (hks_varint_get(&rd, &nr))
                rc = corrupt(err, s, "bad boilerplate entry");
            for (j = 0; rc == HKS_OK && j < nr; j++) {
                uint64_t gap, len;
                if (hks_varint_get(&rd, &gap) || hks_varint_get(&rd, &len) ||
                    (end += gap + len) > n)
                    rc = corrupt(err, s, "boilerplate range outside the document's text");
            }
        }
    }
    hks_ds_cursor_free(dc);
    return rc;
}
