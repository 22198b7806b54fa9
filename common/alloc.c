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
