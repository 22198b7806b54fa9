/*
 * alloc.c: the one place where libhks calls malloc/realloc/free. Every
 * other allocation goes through an hks_alloc hook (lua_Alloc shape), so an
 * embedding program can account for, limit or fail allocations, and the
 * tests can inject a failure at the k-th allocation.
 */
#include <stdlib.h>
#include <string.h>

#include "hks_int.h"

static void *call(const hks_alloc *a, void *p, size_t osize, size_t nsize)
{
    if (a && a->fn)
        return a->fn(a->ud, p, osize, nsize);
    if (nsize == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, nsize);
}

void *hks_mem_alloc(const hks_alloc *a, size_t n)
{
    return call(a, NULL, 0, n ? n : 1);
}

void *hks_mem_calloc(const hks_alloc *a, size_t n, size_t size)
{
    void *p;
    if (size && n > SIZE_MAX / size)
        return NULL;
    p = hks_mem_alloc(a, n * size);
    if (p)
        memset(p, 0, (n * size) != 0 ? n * size : 1);
    return p;
}

void *hks_mem_realloc(const hks_alloc *a, void *p, size_t osize, size_t nsize)
{
    return call(a, p, osize, nsize ? nsize : 1);
}

void hks_mem_free(const hks_alloc *a, void *p, size_t osize)
{
    if (p)
        call(a, p, osize, 0);
}

char *hks_mem_strndup(const hks_alloc *a, const char *s, size_t n)
{
    char *d;
    if (n == SIZE_MAX)
        return NULL;
    d = hks_mem_alloc(a, n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* zstd's ZSTD_customMem functions over an hks_alloc (opaque = the
 * hks_alloc *, NULL for malloc): zstd's own buffers go through the
 * handle's allocator too. */
void *hks_zstd_alloc(void *opaque, size_t n)
{
    return hks_mem_alloc((const hks_alloc *)opaque, n);
}

void hks_zstd_free(void *opaque, void *p)
{
    hks_mem_free((const hks_alloc *)opaque, p, 0);
}

/*
 * The one array-growth rule (Lua's luaM_growaux_): capacity doubles from
 * min_cap, never past limit elements, and elem * capacity never overflows.
 * Every growable array of the library goes through these two functions.
 */
int hks_grow_cap(size_t cap, size_t need, size_t elem, size_t min_cap, size_t limit,
                 size_t *cap_out)
{
    size_t nc;
    if (elem == 0 || limit > SIZE_MAX / elem)
        limit = elem ? SIZE_MAX / elem : limit;
    if (need > limit)
        return HKS_ERR_NOMEM;
    nc = cap < min_cap ? min_cap : cap;
    while (nc < need)
        nc = nc > limit / 2 ? limit : nc * 2;
    if (nc > limit)
        nc = limit;
    if (nc < need) /* min_cap above limit */
        nc = need;
    *cap_out = nc;
    return HKS_OK;
}

void *hks_grow(const hks_alloc *a, void *p, size_t elem, size_t cap, size_t need,
               size_t min_cap, size_t limit, size_t *cap_out)
{
    size_t nc;
    void *np;
    if (need == 0) /* so that a NULL return always means failure */
        need = 1;
    if (need <= cap) {
        *cap_out = cap;
        return p;
    }
    if (hks_grow_cap(cap, need, elem, min_cap, limit, &nc) != HKS_OK)
        return NULL;
    np = hks_mem_realloc(a, p, cap * elem, nc * elem);
    if (np)
        *cap_out = nc;
    return np;
}
