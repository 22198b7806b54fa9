/*
 * seg_write.c: writes one immutable segment file in a single pass. The
 * in-memory index (memidx.c) and the merger (merge.c) call it: documents
 * first, then every term in byte order with its postings, then finish.
 * The byte layout of every section is specified at the top of
 * format/format.c; this file is its writer.
 */
#include <string.h>

#include "hks_indexer.h"

struct hks_segw {
    const hks_alloc *a;
    hks_errbuf *err;
    hks_filew f;        /* the file being written                     */
    int rc;             /* sticky status of the buffers               */
    bool post_open;     /* POSTINGS section begun                     */
    uint64_t post_off;  /* bytes of POSTINGS written                  */
    hks_buf docs;       /* DOCS section                               */
    hks_buf meta;       /* META section                               */
    hks_buf lex;        /* LEXICON section                            */
    hks_buf lexidx;     /* LEXIDX entries (counts prepended at finish) */
    hks_buf blocksums;  /* BLOCKSUMS section                          */
    hks_buf simhash;    /* SIMHASH section                            */
    size_t blk_lex_off; /* where the open lexicon block starts in lex  */
    uint64_t blk_hash;  /* its postings' hash chain so far             */
    hks_buf tmp_doc;    /* one term's skip table + doc blocks         */
    hks_buf tmp_pos;    /* one term's position blocks                 */
    hks_termenc enc;    /* hks_segw_add_term's encoder                */
    uint32_t *doclen;   /* n_tokens per document                      */
    uint32_t *charlen;  /* n_chars per document                       */
    uint32_t n_docs, cap_docs;
    uint64_t total_tokens;
    uint64_t n_terms;
    uint64_t n_lexblocks;
    uint8_t prev[HKS_MAX_TERM_BYTES]; /* previous term, for front coding */
    size_t prev_len;
    const hks_buf *bp_table;   /* BOILER counts (borrowed), NULL: none  */
    const hks_buf *bp_entries; /* BOILER per-document entries          */
};

int hks_segw_open(const hks_alloc *a, const char *path, hks_errbuf *err, hks_segw **out)
{
    hks_segw *w = hks_mem_calloc(a, 1, sizeof *w);
    int rc;
    *out = NULL;
    if (!w)
        return hks_fail(err, HKS_ERR_NOMEM, "out of memory");
    w->a = a;
    w->err = err;
    hks_buf_init(&w->docs, a);
    hks_buf_init(&w->meta, a);
    hks_buf_init(&w->lex, a);
    hks_buf_init(&w->lexidx, a);
    hks_buf_init(&w->blocksums, a);
    hks_buf_init(&w->simhash, a);
    hks_buf_init(&w->tmp_doc, a);
    hks_buf_init(&w->tmp_pos, a);
    hks_termenc_init(&w->enc, a);
    rc = hks_filew_open(&w->f, a, path, HKS_KIND_SEGMENT, err);
    *out = w;
    return rc;
}

void hks_segw_free(hks_segw *w)
{
    if (!w)
        return;
    /* hks_filew_open may fail after creating the hash state but before
     * the path copy: abort whenever it holds anything */
    if (w->f.path || w->f.hstate || w->f.fd >= 0)
        hks_filew_abort(&w->f);
    hks_buf_free(&w->docs);
    hks_buf_free(&w->meta);
    hks_buf_free(&w->lex);
    hks_buf_free(&w->lexidx);
    hks_buf_free(&w->blocksums);
    hks_buf_free(&w->simhash);
    hks_buf_free(&w->tmp_doc);
    hks_buf_free(&w->tmp_pos);
    hks_termenc_free(&w->enc);
    hks_mem_free(w->a, w->doclen, 0);
    hks_mem_free(w->a, w->charlen, 0);
    hks_mem_free(w->a, w, sizeof *w);
}

/*
 * Append document number n_docs: its record (meta_off is filled in here)
 * and its HKS_META_N metadata strings.
 */
int hks_segw_add_doc(hks_segw *w, const hks_docrec *rec, const char *const *meta,
                     const size_t *meta_len)
{
    int i;
    if (w->rc)
        return w->rc;
    if (w->post_open)
        return w->rc = hks_fail(w->err, HKS_ERR_MISUSE, "document after terms");
    if (w->meta.n > UINT32_MAX - 4096)
        return w->rc = hks_fail(w->err, HKS_ERR_ARG,
                                "segment metadata over 4 GiB; flush earlier");
    if (w->n_docs == w->cap_docs) {
        size_t nc;
        uint32_t *p = hks_grow(w->a, w->doclen, sizeof *p, w->cap_docs, (size_t)w->n_docs + 1,
                               1024, UINT32_MAX, &nc);
        if (!p)
            return w->rc = hks_fail(w->err, HKS_ERR_NOMEM, "out of memory");
        w->doclen = p;
        p = hks_mem_realloc(w->a, w->charlen, (size_t)w->cap_docs * 4, nc * 4);
        if (!p)
            return w->rc = hks_fail(w->err, HKS_ERR_NOMEM, "out of memory");
        w->charlen = p;
        w->cap_docs = (uint32_t)nc;
    }
    w->charlen[w->n_docs] = rec->n_chars;
    w->doclen[w->n_docs++] = rec->n_tokens;
    w->total_tokens += rec->n_tokens;
    hks_buf_put_u32le(&w->rc, &w->docs, rec->n_tokens);
    hks_buf_put_u32le(&w->rc, &w->docs, rec->title_end);
    hks_buf_put_u32le(&w->rc, &w->docs, rec->date);
    hks_buf_put_u32le(&w->rc, &w->docs, (uint32_t)w->meta.n);
    hks_buf_put_u64le(&w->rc, &w->docs, rec->chash);
    hks_buf_put_u32le(&w->rc, &w->docs, rec->n_chars);
    hks_buf_put_u64le(&w->rc, &w->simhash, rec->simhash);
    for (i = 0; i < HKS_META_N; i++)
        hks_buf_put_lenbytes(&w->rc, &w->meta, meta[i], meta_len[i]);
    if (w->rc)
        return hks_fail(w->err, w->rc, "out of memory");
    return HKS_OK;
}

void hks_termenc_init(hks_termenc *e, const hks_alloc *a)
{
    memset(e, 0, sizeof *e);
    e->a = a;
    hks_buf_init(&e->blk, a);
}

void hks_termenc_free(hks_termenc *e)
{
    hks_buf_free(&e->blk);
    hks_mem_free(e->a, e->posd, 0);
    e->posd = NULL;
    e->cap_posd = 0;
}

static bool plist_ok(const hks_segw *w, const hks_plist *pl)
{
    uint32_t i;
    for (i = 0; i < pl->n_docs; i++) {
        if (pl->docs[i] >= w->n_docs || (i && pl->docs[i] <= pl->docs[i - 1]) ||
            pl->tfs[i] == 0)
            return false;
    }
    return true;
}

/* The checksum of the lexicon block being written, once it is complete
 * (format.c, BLOCKSUMS). */
static void close_lexblock(hks_segw *w)
{
    if (w->n_lexblocks == 0 || w->rc)
        return;
    hks_buf_put_u64le(&w->rc, &w->blocksums,
                      hks_hash64_seed(w->lex.p + w->blk_lex_off, w->lex.n - w->blk_lex_off,
                                      w->blk_hash));
}

/*
 * Encode one term's postings (format.c, "POSTINGS"): its skip table and
 * doc blocks appended to doc, its position blocks to pos. Reads only what
 * the documents phase left in w (the document count and lengths), so that
 * threads of their own encoders can encode terms while w writes others;
 * a failure is its code, with *why saying what (hks_segw_add_encoded does
 * not run for that term).
 */
int hks_segw_encode(const hks_segw *w, hks_termenc *e, const uint8_t *term, size_t term_len,
                    const hks_plist *pl, hks_buf *doc, hks_buf *pos, const char **why)
{
    uint32_t n_blocks, b, i, prev_doc = 0, prev_last = 0;
    const uint32_t *pp = pl->pos;
    bool chars = hks_is_char_key(term, term_len); /* no positions */
    const uint32_t *dlen = chars ? w->charlen : w->doclen;
    size_t doc0 = doc->n, pos0 = pos->n;
    int rc = HKS_OK;

    if (pl->n_docs == 0 || !plist_ok(w, pl)) {
        *why = "bad postings list";
        return HKS_ERR_INTERNAL;
    }
    e->blk.n = 0;
    n_blocks = (pl->n_docs + HKS_BLOCK - 1) / HKS_BLOCK;
    for (b = 0; b < n_blocks; b++) {
        uint32_t first = b * HKS_BLOCK;
        uint32_t n = pl->n_docs - first < HKS_BLOCK ? pl->n_docs - first : HKS_BLOCK;
        uint32_t max_tf = 0, min_dl = UINT32_MAX, n_pos = 0, k = 0;
        size_t doc_start = e->blk.n, pos_start = pos->n;
        for (i = 0; i < n; i++) {
            uint32_t d = pl->docs[first + i], tf = pl->tfs[first + i];
            e->gaps[i] = (first + i == 0) ? d : d - prev_doc - 1;
            e->tfm1[i] = tf - 1;
            prev_doc = d;
            if (tf > max_tf)
                max_tf = tf;
            if (dlen[d] < min_dl)
                min_dl = dlen[d];
            n_pos += tf;
        }
        if (chars)
            n_pos = 0;
        if (n_pos > e->cap_posd) {
            uint32_t *p = hks_mem_realloc(e->a, e->posd, e->cap_posd * 4u, (size_t)n_pos * 4u);
            if (!p) {
                *why = "out of memory";
                return HKS_ERR_NOMEM;
            }
            e->posd = p;
            e->cap_posd = n_pos;
        }
        for (i = 0; i < n && !chars; i++) {
            uint32_t tf = pl->tfs[first + i], j;
            for (j = 0; j < tf; j++) {
                if (j && pp[j] <= pp[j - 1]) {
                    *why = "positions out of order";
                    return HKS_ERR_INTERNAL;
                }
                e->posd[k++] = j ? pp[j] - pp[j - 1] - 1 : pp[j];
            }
            pp += tf;
        }
        hks_pack_u32(&rc, &e->blk, e->gaps, n);
        hks_pack_u32(&rc, &e->blk, e->tfm1, n);
        if (!chars)
            hks_pack_u32s(&rc, pos, e->posd, n_pos);
        if (n_blocks > 1) {
            hks_buf_put_varint(&rc, doc, b ? prev_doc - prev_last : prev_doc);
            hks_buf_put_varint(&rc, doc, e->blk.n - doc_start);
            hks_buf_put_varint(&rc, doc, pos->n - pos_start);
            hks_buf_put_varint(&rc, doc, max_tf);
            hks_buf_put_varint(&rc, doc, min_dl);
        }
        prev_last = prev_doc;
    }
    hks_buf_put(&rc, doc, e->blk.p, e->blk.n);
    if (rc) {
        *why = "out of memory";
        return rc;
    }
    if (doc->n - doc0 > UINT32_MAX || pos->n - pos0 > UINT32_MAX) {
        *why = "postings of one term over 4 GiB";
        return HKS_ERR_ARG;
    }
    return HKS_OK;
}

/* The checks of a term that hks_segw_add_encoded is to take next. */
static int check_term(hks_segw *w, const uint8_t *term, size_t term_len, uint32_t n_docs)
{
    if (w->rc)
        return w->rc;
    if (term_len == 0 || term_len > HKS_MAX_TERM_BYTES || n_docs == 0)
        return w->rc = hks_fail(w->err, HKS_ERR_INTERNAL, "bad term");
    if (w->n_terms) {
        size_t m = term_len < w->prev_len ? term_len : w->prev_len;
        int c = memcmp(w->prev, term, m);
        if (c > 0 || (c == 0 && term_len <= w->prev_len))
            return w->rc = hks_fail(w->err, HKS_ERR_INTERNAL, "terms out of order");
    }
    return HKS_OK;
}

/*
 * Append one term of n_docs documents, its postings encoded by
 * hks_segw_encode (doc: skip table and doc blocks; pos: position blocks);
 * terms must come in strictly increasing byte order. Writes the data to
 * POSTINGS and the term's entry to the lexicon (format.c, "POSTINGS" and
 * "LEXICON").
 */
int hks_segw_add_encoded(hks_segw *w, const uint8_t *term, size_t term_len, uint32_t n_docs,
                         const uint8_t *doc, size_t doc_n, const uint8_t *pos, size_t pos_n)
{
    size_t pre = 0;
    int rc = check_term(w, term, term_len, n_docs);
    if (rc)
        return rc;
    if (!w->post_open) {
        hks_filew_begin(&w->f, HKS_SEC_POSTINGS);
        w->post_open = true;
    }
    /* Lexicon entry, front coded within its block. */
    if (w->n_terms % HKS_LEX_BLOCK == 0) {
        close_lexblock(w);
        w->blk_lex_off = w->lex.n;
        w->blk_hash = 0;
        hks_buf_put_varint(&w->rc, &w->lexidx, w->lex.n);
        hks_buf_put_lenbytes(&w->rc, &w->lexidx, term, term_len);
        hks_buf_put_varint(&w->rc, &w->lex, w->post_off);
        w->n_lexblocks++;
    } else {
        size_t m = term_len < w->prev_len ? term_len : w->prev_len;
        while (pre < m && w->prev[pre] == term[pre])
            pre++;
    }
    hks_buf_put_varint(&w->rc, &w->lex, pre);
    hks_buf_put_varint(&w->rc, &w->lex, term_len - pre);
    hks_buf_put(&w->rc, &w->lex, term + pre, term_len - pre);
    hks_buf_put_varint(&w->rc, &w->lex, n_docs);
    hks_buf_put_varint(&w->rc, &w->lex, doc_n);
    hks_buf_put_varint(&w->rc, &w->lex, pos_n);
    if (w->rc)
        return hks_fail(w->err, w->rc, "out of memory");
    memcpy(w->prev, term, term_len);
    w->prev_len = term_len;
    w->n_terms++;

    w->blk_hash = hks_hash64_seed(doc, doc_n, w->blk_hash);
    w->blk_hash = hks_hash64_seed(pos, pos_n, w->blk_hash);
    hks_filew_write(&w->f, doc, doc_n);
    hks_filew_write(&w->f, pos, pos_n);
    w->post_off += doc_n + pos_n;
    return w->f.rc;
}

/* Append one term with its postings: hks_segw_encode, then
 * hks_segw_add_encoded. */
int hks_segw_add_term(hks_segw *w, const uint8_t *term, size_t term_len,
                      const hks_plist *pl)
{
    const char *why = NULL;
    int rc = check_term(w, term, term_len, pl->n_docs);
    if (rc)
        return rc;
    w->tmp_doc.n = w->tmp_pos.n = 0;
    rc = hks_segw_encode(w, &w->enc, term, term_len, pl, &w->tmp_doc, &w->tmp_pos, &why);
    if (rc)
        return w->rc = hks_fail(w->err, rc, "%s", why);
    return hks_segw_add_encoded(w, term, term_len, pl->n_docs, w->tmp_doc.p, w->tmp_doc.n,
                                w->tmp_pos.p, w->tmp_pos.n);
}

/*
 * Write LEXICON, LEXIDX, DOCS, META, SIMHASH, DOCSTORE and INFO, then the section
 * table and footer; fsync and close. On failure the file is removed.
 */
static void to_filew(void *ctx, const void *p, size_t n)
{
    hks_filew_write(ctx, p, n);
}

void hks_segw_boiler(hks_segw *w, const hks_buf *table, const hks_buf *entries)
{
    w->bp_table = table;
    w->bp_entries = entries;
}

/* The BOILER section: the counts, the document count, the entries (one
 * per document; format.c). */
static void put_boiler(hks_segw *w)
{
    uint8_t v[10];
    size_t k = 0;
    uint64_t n = w->n_docs;
    hks_filew_begin(&w->f, HKS_SEC_BOILER);
    hks_filew_write(&w->f, w->bp_table->p, w->bp_table->n);
    do { /* varint n_docs */
        v[k++] = (uint8_t)(n & 0x7F) | (n >= 0x80 ? 0x80 : 0);
        n >>= 7;
    } while (n);
    hks_filew_write(&w->f, v, k);
    if (w->bp_entries && w->bp_entries->n)
        hks_filew_write(&w->f, w->bp_entries->p, w->bp_entries->n);
    hks_filew_end(&w->f);
}

int hks_segw_finish(hks_segw *w, hks_ds_writer *ds, uint64_t *bytes_out)
{
    hks_buf b;
    int rc = w->rc;
    if (rc)
        return rc;
    hks_buf_init(&b, w->a);
    if (!w->post_open)
        hks_filew_begin(&w->f, HKS_SEC_POSTINGS);
    hks_filew_end(&w->f);
    w->post_open = true;
    close_lexblock(w);
    if (w->rc) {
        hks_buf_free(&b);
        return hks_fail(w->err, w->rc, "out of memory");
    }
    hks_filew_section(&w->f, HKS_SEC_LEXICON, &w->lex);
    hks_filew_section(&w->f, HKS_SEC_BLOCKSUMS, &w->blocksums);
    hks_buf_put_varint(&rc, &b, w->n_terms);
    hks_buf_put_varint(&rc, &b, w->n_lexblocks);
    hks_buf_put(&rc, &b, w->lexidx.p, w->lexidx.n);
    hks_filew_section(&w->f, HKS_SEC_LEXIDX, &b);
    hks_filew_section(&w->f, HKS_SEC_DOCS, &w->docs);
    hks_filew_section(&w->f, HKS_SEC_META, &w->meta);
    hks_filew_section(&w->f, HKS_SEC_SIMHASH, &w->simhash);
    hks_filew_begin(&w->f, HKS_SEC_DOCSTORE);
    if (w->f.rc == HKS_OK) {
        int drc = hks_ds_writer_finish_stream(ds, to_filew, &w->f);
        if (drc) {
            hks_buf_free(&b);
            return w->rc = hks_fail(w->err, drc, "document store: %s",
                                    hks_strerror(drc));
        }
    }
    hks_filew_end(&w->f);
    if (w->bp_table)
        put_boiler(w);
    b.n = 0;
    hks_buf_put_varint(&rc, &b, w->n_docs);
    hks_buf_put_varint(&rc, &b, w->n_terms);
    hks_buf_put_varint(&rc, &b, w->total_tokens);
    hks_identity_put(&rc, &b);
    hks_filew_section(&w->f, HKS_SEC_INFO, &b);
    hks_buf_free(&b);
    if (rc) {
        w->rc = hks_fail(w->err, rc, "out of memory");
        return rc;
    }
    rc = hks_filew_finish(&w->f);
    if (bytes_out)
        *bytes_out = w->f.off; /* the final file size */
    w->rc = rc;
    return rc;
}
