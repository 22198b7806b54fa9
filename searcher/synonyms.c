/*
 * synonyms.c: the synonym table of an open index (read from its SYNONYMS
 * file by format/synonyms.c) and the lookup query.c expands terms with:
 * the aliases sorted by their normalized bytes, binary-searched for one
 * length at a time (query.c tries the lengths some alias has, longest
 * first). Also the public calls that read the table back and say what a
 * search expanded.
 */
#include <stdlib.h>
#include <string.h>

#include "hks_searcher.h"

typedef struct sortctx {
    const hks_synalias *al;
    uint32_t i;
} sortctx;

static int cmp_alias(const void *x, const void *y)
{
    const hks_synalias *a = ((const sortctx *)x)->al, *b = ((const sortctx *)y)->al;
    size_t m = a->norm_len < b->norm_len ? a->norm_len : b->norm_len;
    int c = memcmp(a->norm, b->norm, m);
    if (c)
        return c;
    return a->norm_len < b->norm_len ? -1 : a->norm_len > b->norm_len;
}

void hks_index_syn_free(hks_index *idx)
{
    hks_syntab *t = idx->syn;
    if (!t)
        return;
    hks_syn_free(idx->a, &t->d);
    hks_mem_free(idx->a, t->sorted, 0);
    hks_mem_free(idx->a, t->text, 0);
    hks_mem_free(idx->a, t->text_len, 0);
    hks_mem_free(idx->a, t, sizeof *t);
    idx->syn = NULL;
}

int hks_index_syn_load(hks_index *idx)
{
    hks_syntab *t;
    sortctx *sc;
    uint32_t i;
    int rc;
    t = hks_mem_calloc(idx->a, 1, sizeof *t);
    if (!t)
        return hks_fail(&idx->err, HKS_ERR_NOMEM, "out of memory");
    idx->syn = t;
    rc = hks_syn_read(idx->a, idx->dir, &t->d, &idx->err);
    if (rc == HKS_ERR_NOTFOUND) {
        hks_index_syn_free(idx);
        return HKS_OK;
    }
    if (rc || t->d.n_alias == 0) /* no aliases: lookups find nothing */
        return rc;
    t->sorted = hks_mem_calloc(idx->a, t->d.n_alias, sizeof *t->sorted);
    t->text = hks_mem_calloc(idx->a, t->d.n_alias, sizeof *t->text);
    t->text_len = hks_mem_calloc(idx->a, t->d.n_alias, sizeof *t->text_len);
    sc = hks_mem_calloc(idx->a, t->d.n_alias, sizeof *sc);
    if (!t->sorted || !t->text || !t->text_len || !sc) {
        hks_mem_free(idx->a, sc, 0);
        return hks_fail(&idx->err, HKS_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < t->d.n_alias; i++) {
        const hks_synalias *al = &t->d.alias[i];
        sc[i].al = al;
        sc[i].i = i;
        t->text[i] = (const char *)al->text;
        t->text_len[i] = al->text_len;
        t->len_used[al->norm_len] = true; /* norm_len <= 255: checked by the decoder */
        if (al->norm_len > t->max_len)
            t->max_len = (uint8_t)al->norm_len;
    }
    qsort(sc, t->d.n_alias, sizeof *sc, cmp_alias);
    for (i = 0; i < t->d.n_alias; i++) {
        t->sorted[i] = sc[i].i;
        if (i && cmp_alias(&sc[i - 1], &sc[i]) == 0) {
            const hks_synalias *al = sc[i].al;
            rc = hks_fail(&idx->err, HKS_ERR_CORRUPT,
                          "%s/" HKS_SYNONYMS_NAME ": synonyms: alias \"%.*s\" is in two groups",
                          idx->dir, (int)al->text_len, (const char *)al->text);
            break;
        }
    }
    hks_mem_free(idx->a, sc, 0);
    return rc;
}

int hks_index_syn_changed(hks_index *idx, int *changed)
{
    uint64_t id = 0;
    int rc = hks_syn_id(idx->a, idx->dir, &id, &idx->err);
    if (rc == HKS_ERR_CORRUPT || rc == HKS_ERR_FORMAT) {
        hks_err_clear(&idx->err);
        *changed = 1; /* not the table we hold: a reopen says what is wrong */
        return HKS_OK;
    }
    if (rc)
        return rc;
    *changed = id != (idx->syn ? idx->syn->d.id : 0);
    return HKS_OK;
}

int32_t hks_syn_find(const hks_syntab *t, const uint8_t *s, size_t n)
{
    size_t lo = 0, hi;
    if (!t || n == 0 || n > HKS_SYN_MAX_ALIAS_BYTES || !t->len_used[n])
        return -1;
    hi = t->d.n_alias;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const hks_synalias *al = &t->d.alias[t->sorted[mid]];
        size_t m = al->norm_len < n ? al->norm_len : n;
        int c = memcmp(al->norm, s, m);
        if (c == 0)
            c = al->norm_len < n ? -1 : al->norm_len > n;
        if (c == 0)
            return (int32_t)t->sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- public calls ------------------------------------------------------------ */

int hks_index_synonyms(hks_index *idx, char *buf, size_t buf_cap, size_t *len_out,
                       size_t *n_groups_out)
{
    const hks_syntab *t;
    size_t need = 0, at = 0;
    uint32_t g, i;
    if (len_out)
        *len_out = 0;
    if (n_groups_out)
        *n_groups_out = 0;
    if (!idx || !len_out || (!buf && buf_cap))
        return HKS_ERR_ARG;
    t = idx->syn;
    for (g = 0; t && g < t->d.n_groups; g++)
        for (i = t->d.group_first[g]; i < t->d.group_first[g + 1]; i++)
            need += t->d.alias[i].text_len + (i + 1 < t->d.group_first[g + 1] ? 3 : 1);
    *len_out = need;
    if (n_groups_out)
        *n_groups_out = t ? t->d.n_groups : 0;
    if (need + 1 > buf_cap || !buf)
        return hks_fail(&idx->err, HKS_ERR_BUFSIZE, "synonyms: %zu bytes needed", need + 1);
    for (g = 0; t && g < t->d.n_groups; g++)
        for (i = t->d.group_first[g]; i < t->d.group_first[g + 1]; i++) {
            memcpy(buf + at, t->d.alias[i].text, t->d.alias[i].text_len);
            at += t->d.alias[i].text_len;
            if (i + 1 < t->d.group_first[g + 1]) {
                memcpy(buf + at, " / ", 3);
                at += 3;
            } else {
                buf[at++] = '\n';
            }
        }
    buf[at] = '\0';
    return HKS_OK;
}

int hks_searcher_synonym_use(const hks_searcher *s, size_t i, hks_synonym_use *out)
{
    const hks_syntab *t;
    uint32_t a, g;
    if (!s || !out)
        return HKS_ERR_ARG;
    memset(out, 0, sizeof *out);
    t = s->idx->syn;
    if (!t || i >= s->qy.n_syn_use)
        return HKS_DONE;
    a = s->qy.syn_use[i];
    if (a >= t->d.n_alias)
        return HKS_DONE;
    g = t->d.alias[a].group;
    out->alias = t->text[a];
    out->alias_len = t->text_len[a];
    out->n_group = t->d.group_first[g + 1] - t->d.group_first[g];
    out->group = t->text + t->d.group_first[g];
    out->group_lens = t->text_len + t->d.group_first[g];
    return HKS_OK;
}
