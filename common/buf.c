/*
 * buf.c: the growable byte buffer with a sticky status (SQLite FTS5
 * fts5_buffer.c). Encoders (segment writer, merge, doc store, block codec)
 * append through hks_buf_put_*; once *rc is non-zero every later put is a
 * no-op, so a long sequence of puts is checked once at the end. Fixed-width
 * puts are little-endian; varints are LEB128 (varint.c). Contract in
 * hks_int.h, section "Interface to code in buf.c".
 */
#include <string.h>

#include "hks_int.h"

/* First allocation size. Small enough for the many short buffers of the
 * writer, large enough that a handful of puts do not each reallocate. */
#define BUF_MIN_CAP 64

/*
 * Initialise b as an empty buffer that allocates through a (borrowed; NULL
 * means malloc). Nothing is allocated until the first put.
 */
void hks_buf_init(hks_buf *b, const hks_alloc *a)
{
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
    b->a = a;
}

/*
 * Release b's memory. Afterwards b is empty (p NULL, n and cap 0) and may
 * be reused with the same allocator. Accepts an already-freed buffer.
 */
void hks_buf_free(hks_buf *b)
{
    hks_mem_free(b->a, b->p, b->cap);
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
}

/*
 * Make sure at least `extra` more bytes fit after b->n, growing the
 * allocation geometrically (doubling) so n puts cost O(n) copying.
 * @return true when the room is there. false if *rc was already non-zero
 * (nothing done) or growth failed: then *rc = HKS_ERR_NOMEM (also on size
 * overflow) and b keeps its old contents.
 */
bool hks_buf_reserve(int *rc, hks_buf *b, size_t extra)
{
    size_t need, ncap;
    uint8_t *np;
    if (*rc)
        return false;
    if (extra <= b->cap - b->n)
        return true;
    if (extra > SIZE_MAX - b->n) {
        *rc = HKS_ERR_NOMEM;
        return false;
    }
    need = b->n + extra;
    np = hks_grow(b->a, b->p, 1, b->cap, need, BUF_MIN_CAP, SIZE_MAX, &ncap);
    if (!np) {
        *rc = HKS_ERR_NOMEM;
        return false;
    }
    b->p = np;
    b->cap = ncap;
    return true;
}

/*
 * Append p[0..n) to b. No-op if *rc is non-zero; on allocation failure
 * *rc = HKS_ERR_NOMEM and b is unchanged. p may be NULL when n is 0.
 */
void hks_buf_put(int *rc, hks_buf *b, const void *p, size_t n)
{
    if (!hks_buf_reserve(rc, b, n))
        return;
    if (n) {
        memcpy(b->p + b->n, p, n);
        b->n += n;
    }
}

/* Append one byte (sticky *rc, as hks_buf_put). */
void hks_buf_put_u8(int *rc, hks_buf *b, uint8_t v)
{
    if (!hks_buf_reserve(rc, b, 1))
        return;
    b->p[b->n++] = v;
}

/* Append v as 2 little-endian bytes (sticky *rc, as hks_buf_put). */
void hks_buf_put_u16le(int *rc, hks_buf *b, uint16_t v)
{
    uint8_t *d;
    if (!hks_buf_reserve(rc, b, 2))
        return;
    d = b->p + b->n;
    d[0] = (uint8_t)v;
    d[1] = (uint8_t)(v >> 8);
    b->n += 2;
}

/* Append v as 4 little-endian bytes (sticky *rc, as hks_buf_put). */
void hks_buf_put_u32le(int *rc, hks_buf *b, uint32_t v)
{
    uint8_t *d;
    if (!hks_buf_reserve(rc, b, 4))
        return;
    d = b->p + b->n;
    d[0] = (uint8_t)v;
    d[1] = (uint8_t)(v >> 8);
    d[2] = (uint8_t)(v >> 16);
    d[3] = (uint8_t)(v >> 24);
    b->n += 4;
}

/* Append v as 8 little-endian bytes (sticky *rc, as hks_buf_put). */
void hks_buf_put_u64le(int *rc, hks_buf *b, uint64_t v)
{
    uint8_t *d;
    int i;
    if (!hks_buf_reserve(rc, b, 8))
        return;
    d = b->p + b->n;
    for (i = 0; i < 8; i++)
        d[i] = (uint8_t)(v >> (8 * i));
    b->n += 8;
}

/* Append v as a LEB128 varint, 1..HKS_VARINT_MAX bytes (sticky *rc). */
void hks_buf_put_varint(int *rc, hks_buf *b, uint64_t v)
{
    if (!hks_buf_reserve(rc, b, HKS_VARINT_MAX))
        return;
    b->n += hks_varint_put(b->p + b->n, v);
}

/*
 * Append n as a varint and then p[0..n) (read back by hks_rd_lenbytes).
 * Sticky *rc, as hks_buf_put; on failure nothing of the record is kept.
 */
void hks_buf_put_lenbytes(int *rc, hks_buf *b, const void *p, size_t n)
{
    if (n > SIZE_MAX - HKS_VARINT_MAX) {
        if (!*rc)
            *rc = HKS_ERR_NOMEM;
        return;
    }
    if (!hks_buf_reserve(rc, b, HKS_VARINT_MAX + n))
        return;
    b->n += hks_varint_put(b->p + b->n, (uint64_t)n);
    if (n) {
        memcpy(b->p + b->n, p, n);
        b->n += n;
    }
}
