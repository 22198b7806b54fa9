/*
 * rd.c: the bounded reader over untrusted bytes (Zettair vec, zstd
 * MEM_readLE32). Every decoder of on-disk data (format, lexicon, postings,
 * block codec, doc store) reads through an hks_rd {p, end}: each get
 * checks the bound first and returns HKS_ERR_CORRUPT without moving when
 * fewer bytes remain than it needs. Fixed-width fields are little-endian
 * whatever the host byte order. Contract in hks_int.h ("rd.c").
 */
#include "hks_int.h"

/*
 * Start reading p[0..n). The bytes are borrowed and must outlive rd.
 * p may be NULL when n is 0.
 */
void hks_rd_init(hks_rd *rd, const void *p, size_t n)
{
    rd->p = p;
    rd->end = n ? rd->p + n : rd->p;
}

/* @return the number of bytes not yet read. */
size_t hks_rd_left(const hks_rd *rd)
{
    return (size_t)(rd->end - rd->p);
}

/* Read one byte into *out. @return HKS_OK, or HKS_ERR_CORRUPT at the end
 * (rd and *out unchanged). */
int hks_rd_u8(hks_rd *rd, uint8_t *out)
{
    if (rd->p == rd->end)
        return HKS_ERR_CORRUPT;
    *out = *rd->p++;
    return HKS_OK;
}

/* Read a 2-byte little-endian value. @return HKS_OK or HKS_ERR_CORRUPT
 * when fewer than 2 bytes remain (rd and *out unchanged). */
int hks_rd_u16le(hks_rd *rd, uint16_t *out)
{
    if (hks_rd_left(rd) < 2)
        return HKS_ERR_CORRUPT;
    *out = (uint16_t)(rd->p[0] | (unsigned)rd->p[1] << 8);
    rd->p += 2;
    return HKS_OK;
}

/* Read a 4-byte little-endian value. @return HKS_OK or HKS_ERR_CORRUPT
 * when fewer than 4 bytes remain (rd and *out unchanged). */
int hks_rd_u32le(hks_rd *rd, uint32_t *out)
{
    if (hks_rd_left(rd) < 4)
        return HKS_ERR_CORRUPT;
    *out = hks_load_u32le(rd->p);
    rd->p += 4;
    return HKS_OK;
}

/* Read an 8-byte little-endian value. @return HKS_OK or HKS_ERR_CORRUPT
 * when fewer than 8 bytes remain (rd and *out unchanged). */
int hks_rd_u64le(hks_rd *rd, uint64_t *out)
{
    if (hks_rd_left(rd) < 8)
        return HKS_ERR_CORRUPT;
    *out = hks_load_u64le(rd->p);
    rd->p += 8;
    return HKS_OK;
}

/*
 * Point *out at the next n bytes (a view into the reader's memory, not a
 * copy) and skip them. @return HKS_OK or HKS_ERR_CORRUPT when fewer than n
 * bytes remain (rd and *out unchanged).
 */
int hks_rd_bytes(hks_rd *rd, size_t n, const uint8_t **out)
{
    if (hks_rd_left(rd) < n)
        return HKS_ERR_CORRUPT;
    *out = rd->p;
    rd->p += n;
    return HKS_OK;
}

/* Skip n bytes. @return HKS_OK or HKS_ERR_CORRUPT when fewer remain (rd
 * unchanged). */
int hks_rd_skip(hks_rd *rd, size_t n)
{
    if (hks_rd_left(rd) < n)
        return HKS_ERR_CORRUPT;
    rd->p += n;
    return HKS_OK;
}

/*
 * Read a varint length and then that many bytes, as written by
 * hks_buf_put_lenbytes: *out views them (not copied), *n_out is the length.
 * @return HKS_OK, or HKS_ERR_CORRUPT if the varint is malformed or the
 * bytes run past the end; rd is then unchanged.
 */
int hks_rd_lenbytes(hks_rd *rd, const uint8_t **out, size_t *n_out)
{
    hks_rd save = *rd;
    uint64_t len;
    int rc = hks_varint_get(rd, &len);
    if (rc < 0)
        return rc;
    if (len > hks_rd_left(rd)) {
        *rd = save;
        return HKS_ERR_CORRUPT;
    }
    *out = rd->p;
    *n_out = (size_t)len;
    rd->p += len;
    return HKS_OK;
}

/* Load 4 little-endian bytes at p (the caller has checked the bound). */
uint32_t hks_load_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Load 8 little-endian bytes at p (the caller has checked the bound). */
uint64_t hks_load_u64le(const uint8_t *p)
{
    return (uint64_t)hks_load_u32le(p) | (uint64_t)hks_load_u32le(p + 4) << 32;
}
