/*
 * merge.c: merges segments into one (writer.c calls it at commit, by the
 * tiered policy or into a single segment after a bulk build). Documents
 * keep their order; deleted ones are dropped and the survivors renumbered.
 * Terms are merged k ways in byte order (k is small: the policy merges at
 * most a dozen segments at once, so a linear scan for the minimum beats a
 * heap); each term's postings are decoded, renumbered and re-encoded by
 * seg_write.c. Stored bodies are copied as compressed blocks where whole
 * blocks survive (docstore.c).
 */
#include <string.h>

#include "hks_indexer.h"

typedef struct merge_in {
    hks_segment *seg;
    const uint8_t *deleted;
    uint32_t *remap; /* old doc -> new doc, HKS_END if dropped      */
    hks_lexit it;
    int state;         /* HKS_OK: it holds a term; HKS_DONE: finished */
    uint64_t released; /* postings below this offset were released    */
} merge_in;

typedef struct growbuf {
    uint32_t *p;
    size_t n, cap;
} growbuf;

static int gb_put(const hks_alloc *a, growbuf *g, uint32_t v)
{
    if (g->n == g->cap) {
        uint32_t *q = hks_grow(a, g->p, sizeof *q, g->cap, g->n + 1, 4096, SIZE_MAX, &g->cap);
        if (!q)
            return HKS_ERR_NOMEM;
        g->p = q;
    }
    g->p[g->n++] = v;
    return HKS_OK;
}

static bool is_del(const uint8_t *bits, uint32_t d)
{
    return bits && (bits[d >> 3] >> (d & 7) & 1);
}

/*
 * Write the merge of segs[0..n_segs) (deleted[i]: tombstones of segs[i] or
 * NULL) to the new segment file path. *n_docs_out = documents written.
 */
int hks_merge(const hks_alloc *a, hks_segment *const *segs, const uint8_t *const *deleted,
              uint32_t n_segs, const char *path, int zstd_level, hks_errbuf *err,
              uint32_t *n_docs_out)
{
    return hks_merge_boiler(a, segs, deleted, n_segs, path, zstd_level, NULL, err, n_docs_out);
}

/*
 * The merge, with the boilerplate table the writer knows now (NULL: the
 * new segment has no BOILER section): each kept document's boilerplate
 * ranges are copied as they were decided when it was indexed.
 */
int hks_merge_boiler(const hks_alloc *a, hks_segment *const *segs, const uint8_t *const *deleted,
                     uint32_t n_segs, const char *path, int zstd_level, const hks_buf *table,
                     hks_errbuf *err, uint32_t *n_docs_out)
{
    hks_buf bp_entries;
    merge_in *in = NULL;
    hks_segw *w = NULL;
    hks_ds_writer *ds = NULL;
    growbuf docs = {0}, tfs = {0}, pos = {0};
    bool *keep = NULL;
    uint32_t i, next = 0;
    int rc;

    *n_docs_out = 0;
    hks_buf_init(&bp_entries, a);
    in = hks_mem_calloc(a, n_segs ? n_segs : 1, sizeof *in);
    if (!in)
        return hks_fail(err, HKS_ERR_NOMEM, "out of memory");
    rc = hks_segw_open(a, path, err, &w);
    if (rc == HKS_OK && (rc = hks_ds_writer_new(a, zstd_level, &ds)))
        rc = hks_fail(err, rc, "out of memory");
    /* The stored text: compressed with the dictionary of the input with the
     * most text, whose blocks are then copied as they are (docstore.c). */
    if (rc == HKS_OK && n_segs) {
        uint32_t big = 0;
        uint64_t most = 0;
        for (i = 0; i < n_segs; i++) {
            uint64_t t = hks_ds_reader_raw_bytes(hks_seg_docstore(segs[i]));
            if (t > most) {
                most = t;
                big = i;
            }
        }
        if ((rc = hks_ds_writer_use_dict(ds, hks_seg_docstore(segs[big]))))
            rc = hks_fail(err, rc, "out of memory");
    }

    /* Documents: records, metadata, stored bodies. */
    for (i = 0; rc == HKS_OK && i < n_segs; i++) {
        uint32_t nd = hks_seg_ndocs(segs[i]), d;
        in[i].seg = segs[i];
        in[i].deleted = deleted[i];
        bool *nkeep;
        in[i].remap = hks_mem_alloc(a, (size_t)(nd ? nd : 1) * 4);
        /* keep is freed at the end: a failed realloc must not lose it */
        nkeep = hks_mem_realloc(a, keep, 0, (size_t)(nd ? nd : 1) * sizeof *keep);
        if (nkeep)
            keep = nkeep;
        if (!in[i].remap || !nkeep) {
            rc = hks_fail(err, HKS_ERR_NOMEM, "out of memory");
            break;
        }
        for (d = 0; rc == HKS_OK && d < nd; d++) {
            const uint8_t *mp[HKS_META_N];
            size_t mn[HKS_META_N];
            hks_docrec rec;
            keep[d] = !is_del(deleted[i], d);
            if (!keep[d]) {
                in[i].remap[d] = HKS_END;
                continue;
            }
            in[i].remap[d] = next++;
            rc = hks_seg_docrec(segs[i], d, &rec); /* with its SIMHASH entry */
            if (rc == HKS_OK)
                rc = hks_seg_meta(segs[i], d, mp, mn, err);
            if (rc == HKS_OK)
                rc = hks_segw_add_doc(w, &rec, (const char *const *)mp, mn);
            if (rc == HKS_OK && table) {
                const uint8_t *bp;
                size_t bn;
                hks_seg_boiler_entry(segs[i], d, &bp, &bn);
                hks_buf_put(&rc, &bp_entries, bp, bn);
                if (rc)
                    rc = hks_fail(err, rc, "out of memory");
            }
        }
        if (rc == HKS_OK && (rc = hks_ds_writer_add_store(ds, hks_seg_docstore(segs[i]), keep)))
            rc = hks_fail(err, rc, "document store of %s: %s", hks_seg_path(segs[i]),
                          hks_strerror(rc));
        hks_seg_release_all(segs[i]); /* its text is copied: let its pages go */
        hks_lexit_init(&in[i].it, segs[i], err);
        if (rc == HKS_OK) {
            in[i].state = hks_lexit_next(&in[i].it);
            if (in[i].state < 0)
                rc = in[i].state;
        }
    }

    /* Terms, k ways. */
    while (rc == HKS_OK) {
        const uint8_t *min = NULL;
        size_t min_len = 0;
        uint8_t term[HKS_MAX_TERM_BYTES];
        for (i = 0; i < n_segs; i++) {
            if (in[i].state != HKS_OK)
                continue;
            if (!min) {
                min = in[i].it.term;
                min_len = in[i].it.len;
            } else {
                size_t m = in[i].it.len < min_len ? in[i].it.len : min_len;
                int c = memcmp(in[i].it.term, min, m);
                if (c < 0 || (c == 0 && in[i].it.len < min_len)) {
                    min = in[i].it.term;
                    min_len = in[i].it.len;
                }
            }
        }
        if (!min)
            break;
        memcpy(term, min, min_len);
        docs.n = tfs.n = pos.n = 0;
        for (i = 0; rc == HKS_OK && i < n_segs; i++) {
            hks_pcur c;
            if (in[i].state != HKS_OK || in[i].it.len != min_len ||
                memcmp(in[i].it.term, term, min_len) != 0)
                continue;
            for (rc = hks_pc_open(&c, a, in[i].seg, &in[i].it.ent, err);
                 rc == HKS_OK && c.doc != HKS_END; rc = hks_pc_next(&c)) {
                const uint32_t *p;
                uint32_t n, j;
                if (in[i].remap[c.doc] == HKS_END)
                    continue;
                if (c.chars) { /* the character field: counts, no positions */
                    p = NULL;
                    n = c.tf;
                } else {
                    rc = hks_pc_positions(&c, &p, &n);
                    if (rc)
                        break;
                }
                if (gb_put(a, &docs, in[i].remap[c.doc]) || gb_put(a, &tfs, n)) {
                    rc = hks_fail(err, HKS_ERR_NOMEM, "out of memory");
                    break;
                }
                for (j = 0; p && j < n && rc == HKS_OK; j++)
                    if (gb_put(a, &pos, p[j]))
                        rc = hks_fail(err, HKS_ERR_NOMEM, "out of memory");
                if (rc) /* before the loop's hks_pc_next overwrites rc */
                    break;
            }
            hks_pc_close(&c);
            /* Postings are read in order: every 16 MiB, let the pages
             * already read go, so a merge's resident set stays small. */
            if (in[i].it.ent.off - in[i].released > (16u << 20)) {
                hks_seg_release_postings(in[i].seg, in[i].it.ent.off);
                in[i].released = in[i].it.ent.off;
            }
            if (rc == HKS_OK) {
                in[i].state = hks_lexit_next(&in[i].it);
                if (in[i].state < 0)
                    rc = in[i].state;
            }
        }
        if (rc == HKS_OK && docs.n) {
            hks_plist pl;
            pl.n_docs = (uint32_t)docs.n;
            pl.docs = docs.p;
            pl.tfs = tfs.p;
            pl.pos = pos.p;
            rc = hks_segw_add_term(w, term, min_len, &pl);
        }
    }
    if (rc == HKS_OK && table)
        hks_segw_boiler(w, table, &bp_entries);
    if (rc == HKS_OK)
        rc = hks_segw_finish(w, ds, NULL);
    if (rc == HKS_OK)
        *n_docs_out = next;
    hks_buf_free(&bp_entries);
    hks_segw_free(w);
    hks_ds_writer_free(ds);
    for (i = 0; i < n_segs; i++)
        hks_mem_free(a, in[i].remap, 0);
    hks_mem_free(a, in, 0);
    hks_mem_free(a, keep, 0);
    hks_mem_free(a, docs.p, 0);
    hks_mem_free(a, tfs.p, 0);
    hks_mem_free(a, pos.p, 0);
    return rc;
}
