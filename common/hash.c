/*
 * hash.c: the checksum of every on-disk file and section. XXH3-64 from
 * libxxhash: it runs at memory speed, so `hkindex check` can verify a
 * whole index cheaply, and one function serves files and sections alike.
 */
#include <xxhash.h>

#include "hks_int.h"

uint64_t hks_hash64(const void *p, size_t n)
{
    return (uint64_t)XXH3_64bits(p, n);
}

uint64_t hks_hash64_seed(const void *p, size_t n, uint64_t seed)
{
    return (uint64_t)XXH3_64bits_withSeed(p, n, (XXH64_hash_t)seed);
}
