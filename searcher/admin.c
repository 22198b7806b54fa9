/*
 * admin.c: what an opened index tells and does beside searching: its
 * collections with their sources and counts (hks_index_collections), and a
 * consistent copy of the committed state it has open (hks_index_backup;
 * the files are written by format/backup.c).
 */
#include <string.h>

#include "hks_searcher.h"

/* One collection being counted. */
typedef struct ccount {
    const uint8_t *name; /* view into a segment's META, or a record's name */
    size_t len;
    uint64_t n;
} ccount;

static int cc_cmp(const ccount *x, const uint8_t *name, size_t n)
{
    int c = memcmp(x->name, name, x->len < n ? x->len : n);
    if (c)
        return c;
    return x->len < n ? -1 : x->len > n;
}

/* Count name in the sorted array cs[0..*n_cs); grows it when new. */
static int cc_add(const hks_alloc *a, ccount **cs, size_t *n_cs, size_t *cap, const uint8_t *name,
                  size_t n, uint64_t k, size_t *at)
{
    size_t lo = 0, hi = *n_cs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cc_cmp(&(*cs)[mid], name, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *at = lo;
    if (lo < *n_cs && cc_cmp(&(*cs)[lo], name, n) == 0) {
        (*cs)[lo].n += k;
        return HKS_OK;
    }
    if (*n_cs == *cap) {
        ccount *p = hks_grow(a, *cs, sizeof *p, *cap, *n_cs + 1, 16, SIZE_MAX, cap);
        if (!p)
            return HKS_ERR_NOMEM;
        *cs = p;
    }
    memmove(&(*cs)[lo + 1], &(*cs)[lo], (*n_cs - lo) * sizeof **cs);
    (*cs)[lo].name = name;
    (*cs)[lo].len = n;
    (*cs)[lo].n = k;
    (*n_cs)++;
    return HKS_OK;
}

int hks_index_collections(hks_index *idx, int (*fn)(void *ctx, const hks_collection *c),
                          void *ctx)
{
    ccount *cs = NULL;
    size_t n_cs = 0, cap = 0, i, last;
    uint32_t s, d;
    int rc = HKS_OK;
    if (!idx || !fn)
        return HKS_ERR_ARG;
    hks_err_clear(&idx->err);
    /* Recorded collections first (a synced, emptied folder has none). */
    for (i = 0; i < idx->man.n_coll && rc == HKS_OK; i++)
        rc = cc_add(idx->a, &cs, &n_cs, &cap, (const uint8_t *)idx->man.coll[i].name,
                    idx->man.coll[i].name_len, 0, &last);
    for (s = 0; s < idx->n_seg && rc == HKS_OK; s++) {
        last = SIZE_MAX;
        for (d = 0; d < hks_seg_ndocs(idx->seg[s]) && rc == HKS_OK; d++) {
            const uint8_t *p[HKS_META_N];
            size_t n[HKS_META_N];
            if (hks_seg_is_deleted(idx->seg[s], d))
                continue;
            rc = hks_seg_meta(idx->seg[s], d, p, n, &idx->err);
            if (rc)
                break;
            if (n[HKS_META_COLLECTION] > HKS_MAX_COLL_BYTES) {
                rc = hks_fail(&idx->err, HKS_ERR_CORRUPT, "%s: document %u: collection name of %zu bytes",
                              hks_seg_path(idx->seg[s]), d, n[HKS_META_COLLECTION]);
                break;
            }
            /* Documents of a collection are mostly together: try the last. */
            if (last != SIZE_MAX &&
                cc_cmp(&cs[last], p[HKS_META_COLLECTION], n[HKS_META_COLLECTION]) == 0) {
                cs[last].n++;
                continue;
            }
            rc = cc_add(idx->a, &cs, &n_cs, &cap, p[HKS_META_COLLECTION], n[HKS_META_COLLECTION],
                        1, &last);
        }
    }
    if (rc == HKS_ERR_NOMEM)
        rc = hks_fail(&idx->err, rc, "out of memory");
    for (i = 0; i < n_cs && rc == HKS_OK; i++) {
        hks_collection c;
        const hks_collinfo *ci = hks_manifest_coll(&idx->man, (const char *)cs[i].name, cs[i].len);
        char name[HKS_MAX_COLL_BYTES + 1];
        memcpy(name, cs[i].name, cs[i].len);
        name[cs[i].len] = '\0';
        c.name = name;
        c.name_len = cs[i].len;
        c.source = ci ? ci->source : "";
        c.source_len = ci ? ci->source_len : 0;
        c.n_docs = cs[i].n;
        rc = fn(ctx, &c);
    }
    hks_mem_free(idx->a, cs, 0);
    return rc > 0 ? HKS_OK : rc;
}

int hks_index_backup(hks_index *idx, const char *dest)
{
    if (!idx || !dest || !*dest)
        return HKS_ERR_ARG;
    hks_err_clear(&idx->err);
    return hks_backup_write(idx->a, idx->dir, &idx->man, idx->seg,
                            idx->syn ? idx->syn->d.file : NULL, idx->syn ? idx->syn->d.file_n : 0,
                            dest, &idx->err);
}
