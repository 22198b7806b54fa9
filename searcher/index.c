/*
 * index.c: the index handle beyond opening it: seeing newer commits
 * (hks_index_changed, hks_index_reopen), counting its collections, and
 * finding a document by its key (collection, id) with hks_doc_find.
 *
 * hks_doc_find's table lives in the searcher, not the index: an index is
 * immutable once open and shared by threads, a searcher belongs to one
 * thread, so building the table on first use needs no lock. The table
 * holds, per live document, 32 bits of the hash of its key and its doc
 * id, sorted; a lookup binary-searches the hash and compares the stored
 * collection and id of each candidate, so a hash collision costs one more
 * metadata read, never a wrong answer.
 */
#include <stdlib.h>
#include <string.h>

#include "hks_searcher.h"

/* ---- newer commits -------------------------------------------------------- */

int hks_index_changed(hks_index *idx, int *changed)
{
    hks_manifest m;
    int rc;
    if (changed)
        *changed = 0;
    if (!idx || !changed)
        return HKS_ERR_ARG;
    memset(&m, 0, sizeof m);
    rc = hks_manifest_read(idx->a, idx->dir, true, &m, &idx->err);
    if (rc == HKS_OK)
        *changed = m.generation != idx->man.generation;
    hks_manifest_free(idx->a, &m);
    if (rc == HKS_OK && !*changed)
        rc = hks_index_syn_changed(idx, changed); /* the synonym table, set on its own */
    return rc;
}

int hks_index_reopen(hks_index *idx, hks_index **out)
{
    int changed = 0, rc;
    if (out)
        *out = NULL;
    if (!idx || !out)
        return HKS_ERR_ARG;
    rc = hks_index_changed(idx, &changed);
    if (rc)
        return rc;
    if (!changed)
        return HKS_DONE;
    return hks_index_open(idx->dir, idx->a, out);
}

/* ---- collections ---------------------------------------------------------- */

typedef struct strref {
    const uint8_t *p;
    size_t n;
} strref;

static bool same_str(strref a, strref b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

int hks_index_count_collections(hks_index *idx, uint64_t *n_out)
{
    strref *seen, last = {NULL, 0};
    size_t n_seen = 0, cap = 8;
    uint32_t g, d;
    int rc = HKS_OK;
    *n_out = 0;
    seen = hks_mem_alloc(idx->a, cap * sizeof *seen);
    if (!seen)
        return hks_fail(&idx->err, HKS_ERR_NOMEM, "out of memory");
    for (g = 0; g < idx->n_seg && rc == HKS_OK; g++) {
        uint32_t nd = hks_seg_ndocs(idx->seg[g]);
        for (d = 0; d < nd && rc == HKS_OK; d++) {
            const uint8_t *p[HKS_META_N];
            size_t n[HKS_META_N], i;
            strref c;
            if (hks_seg_is_deleted(idx->seg[g], d))
                continue;
            rc = hks_seg_meta(idx->seg[g], d, p, n, &idx->err);
            if (rc)
                break;
            c.p = p[HKS_META_COLLECTION];
            c.n = n[HKS_META_COLLECTION];
            /* Documents come in runs of one collection: compare with the
             * last one first. The strings are views into the mapped
             * segments, valid while idx is open. */
            if (n_seen && same_str(last, c))
                continue;
            last = c;
            for (i = 0; i < n_seen; i++)
                if (same_str(seen[i], c))
                    break;
            if (i < n_seen)
                continue;
            if (n_seen == cap) {
                strref *q = hks_grow(idx->a, seen, sizeof *seen, cap, n_seen + 1, 8, SIZE_MAX,
                                     &cap);
                if (!q) {
                    rc = hks_fail(&idx->err, HKS_ERR_NOMEM, "out of memory");
                    break;
                }
                seen = q;
            }
            seen[n_seen++] = c;
        }
    }
    hks_mem_free(idx->a, seen, cap * sizeof *seen);
    if (rc == HKS_OK)
        *n_out = n_seen;
    return rc;
}

/* ---- documents by key ----------------------------------------------------- */

static uint32_t key_hash(const void *c, size_t cn, const void *id, size_t idn)
{
    /* The collection's hash seeds the id's: ("ab", "c") and ("a", "bc")
     * hash apart. */
    return (uint32_t)hks_hash64_seed(id, idn, hks_hash64(c, cn));
}

static int cmp_keyref(const void *x, const void *y)
{
    const hks_keyref *a = x, *b = y;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    return a->doc < b->doc ? -1 : a->doc > b->doc;
}

void hks_searcher_free_keys(hks_searcher *s)
{
    hks_mem_free(s->a, s->keys, 0);
    s->keys = NULL;
    s->n_keys = 0;
    s->keys_built = false;
}

static int build_keys(hks_searcher *s)
{
    hks_index *idx = s->idx;
    size_t n = 0;
    uint32_t g, d;
    s->keys = hks_mem_calloc(s->a, (size_t)idx->n_live + 1, sizeof *s->keys);
    if (!s->keys)
        return hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
    for (g = 0; g < idx->n_seg; g++) {
        uint32_t nd = hks_seg_ndocs(idx->seg[g]);
        for (d = 0; d < nd; d++) {
            const uint8_t *p[HKS_META_N];
            size_t len[HKS_META_N];
            if (hks_seg_is_deleted(idx->seg[g], d))
                continue;
            if (n == idx->n_live) /* cannot happen: n_live counts these */
                return hks_fail(&s->err, HKS_ERR_INTERNAL, "live document count changed");
            HKS_TRY(hks_seg_meta(idx->seg[g], d, p, len, &s->err));
            s->keys[n].hash = key_hash(p[HKS_META_COLLECTION], len[HKS_META_COLLECTION],
                                       p[HKS_META_ID], len[HKS_META_ID]);
            s->keys[n].doc = idx->base[g] + d;
            n++;
        }
    }
    if (n)
        qsort(s->keys, n, sizeof *s->keys, cmp_keyref);
    s->n_keys = n;
    s->keys_built = true;
    return HKS_OK;
}

int hks_doc_find(hks_searcher *s, const char *collection, size_t collection_len, const char *id,
                 size_t id_len, uint32_t *doc_id)
{
    size_t lo = 0, hi;
    uint32_t h;
    if (doc_id)
        *doc_id = 0;
    if (!s || !doc_id || (!collection && collection_len) || (!id && id_len))
        return HKS_ERR_ARG;
    hks_err_clear(&s->err);
    if (!s->keys_built) {
        int rc = build_keys(s);
        if (rc) {
            hks_searcher_free_keys(s);
            return rc;
        }
    }
    h = key_hash(collection ? collection : "", collection_len, id ? id : "", id_len);
    hi = s->n_keys;
    while (lo < hi) { /* first entry with hash >= h */
        size_t mid = lo + (hi - lo) / 2;
        if (s->keys[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < s->n_keys && s->keys[lo].hash == h; lo++) {
        const uint8_t *p[HKS_META_N];
        size_t len[HKS_META_N];
        uint32_t g, local;
        if (!hks_index_locate(s->idx, s->keys[lo].doc, &g, &local))
            continue;
        HKS_TRY(hks_seg_meta(s->idx->seg[g], local, p, len, &s->err));
        if (len[HKS_META_COLLECTION] == collection_len && len[HKS_META_ID] == id_len &&
            (collection_len == 0 || memcmp(p[HKS_META_COLLECTION], collection, collection_len) == 0) &&
            (id_len == 0 || memcmp(p[HKS_META_ID], id, id_len) == 0)) {
            *doc_id = s->keys[lo].doc;
            return HKS_OK;
        }
    }
    return hks_fail(&s->err, HKS_ERR_NOTFOUND, "no document %.*s/%.*s",
                    (int)(collection_len > 200 ? 200 : collection_len), collection ? collection : "",
                    (int)(id_len > 200 ? 200 : id_len), id ? id : "");
}
