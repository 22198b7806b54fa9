/*
 * keytab.c: the writer's table of live documents, keyed by (collection,
 * id): where each one is (a segment slot and its doc number there) and the
 * hash of its content, so that adding a key again replaces the earlier
 * document (or, unchanged, does nothing) and delete and sync can find it.
 * Open addressing with linear probing, at most half full; key bytes
 * ("collection NUL id") live in one buffer, entries point into it.
 */
#include <string.h>

#include "hks_indexer.h"

void hks_keytab_init(hks_keytab *t, const hks_alloc *a)
{
    memset(t, 0, sizeof *t);
    t->a = a;
    hks_buf_init(&t->keys, a);
}

void hks_keytab_free(hks_keytab *t)
{
    hks_mem_free(t->a, t->e, (size_t)t->cap * sizeof *t->e);
    hks_buf_free(&t->keys);
    memset(t, 0, sizeof *t);
}

int hks_keytab_key(hks_keytab *t, const char *c, size_t cn, const char *id, size_t idn,
                   hks_key *out)
{
    int rc = 0;
    if (t->keys.n > UINT32_MAX - cn - idn - 1)
        return HKS_ERR_NOMEM;
    out->off = (uint32_t)t->keys.n;
    out->len = (uint32_t)(cn + 1 + idn);
    hks_buf_put(&rc, &t->keys, c, cn);
    hks_buf_put_u8(&rc, &t->keys, 0);
    hks_buf_put(&rc, &t->keys, id, idn);
    if (rc) {
        t->keys.n = out->off;
        return rc;
    }
    out->hash = hks_hash64(t->keys.p + out->off, out->len);
    return HKS_OK;
}

void hks_keytab_unkey(hks_keytab *t, const hks_key *k)
{
    t->keys.n = k->off;
}

hks_keyent *hks_keytab_find(hks_keytab *t, const hks_key *k)
{
    uint32_t i, m = t->cap - 1;
    const uint8_t *kb = t->keys.p + k->off;
    if (!t->cap)
        return NULL;
    for (i = (uint32_t)k->hash & m; t->e[i].used; i = (i + 1) & m) {
        hks_keyent *e = &t->e[i];
        if (e->hash == k->hash && e->klen == k->len && memcmp(t->keys.p + e->koff, kb, k->len) == 0)
            return e;
    }
    return NULL;
}

static int grow(hks_keytab *t)
{
    size_t nc;
    uint32_t i;
    hks_keyent *e;
    /* A power of two (hashes are masked), at most 2^31. */
    if (hks_grow_cap(t->cap, (size_t)t->cap + 1, sizeof *e, 1u << 12, 1u << 31, &nc))
        return HKS_ERR_NOMEM;
    e = hks_mem_calloc(t->a, nc, sizeof *e);
    if (!e)
        return HKS_ERR_NOMEM;
    for (i = 0; i < t->cap; i++) {
        uint32_t j;
        if (!t->e[i].used)
            continue;
        for (j = (uint32_t)t->e[i].hash & (uint32_t)(nc - 1); e[j].used; j = (j + 1) & (uint32_t)(nc - 1))
            ;
        e[j] = t->e[i];
    }
    hks_mem_free(t->a, t->e, (size_t)t->cap * sizeof *t->e);
    t->e = e;
    t->cap = (uint32_t)nc;
    return HKS_OK;
}

int hks_keytab_insert(hks_keytab *t, const hks_key *k, const hks_keyent *val)
{
    uint32_t i;
    if (((size_t)t->n + 1) * 2 > t->cap && grow(t))
        return HKS_ERR_NOMEM;
    for (i = (uint32_t)k->hash & (t->cap - 1); t->e[i].used; i = (i + 1) & (t->cap - 1))
        ;
    t->e[i] = *val;
    t->e[i].hash = k->hash;
    t->e[i].koff = k->off;
    t->e[i].klen = k->len;
    t->e[i].used = true;
    t->n++;
    return HKS_OK;
}

/* Backward-shift deletion keeps every probe chain unbroken. */
void hks_keytab_remove(hks_keytab *t, hks_keyent *e)
{
    uint32_t i = (uint32_t)(e - t->e), j = i, m = t->cap - 1;
    t->e[i].used = false;
    for (;;) {
        uint32_t home;
        j = (j + 1) & m;
        if (!t->e[j].used)
            break;
        home = (uint32_t)t->e[j].hash & m;
        if ((j > i && (home <= i || home > j)) || (j < i && (home <= i && home > j))) {
            t->e[i] = t->e[j];
            t->e[j].used = false;
            i = j;
        }
    }
    t->n--;
}

void hks_keytab_clear(hks_keytab *t)
{
    if (t->cap)
        memset(t->e, 0, (size_t)t->cap * sizeof *t->e);
    t->n = 0;
    t->keys.n = 0;
}
