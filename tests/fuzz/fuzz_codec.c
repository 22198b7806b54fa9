/*
 * fuzz_codec.c: the integer codecs on arbitrary bytes (zstd
 * simple_decompress shape) and in round trips of values taken from the
 * input (zstd simple_round_trip shape).
 *  - hks_varint_get / _u32 and the hks_rd getters walk the input: each call
 *    moves forward or fails with HKS_ERR_CORRUPT without moving.
 *  - hks_unpack_u32 / hks_unpack_u32s decode a count chosen by the first
 *    bytes; a success never reads past the input, a failure is CORRUPT.
 *  - values from the input, masked to a width from the input, pack and
 *    unpack to themselves, consuming exactly what was written; varints too.
 *  - skewed groups (each value's width from the input: mostly narrow, a few
 *    wide, as doc gaps and positions are) take the exception path of the
 *    packing: they round-trip from an exact-size copy, never take more
 *    bytes than plain packing, and the same bytes with one byte changed
 *    (where and how from the input) decode or fail with HKS_ERR_CORRUPT
 *    without moving the reader.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "hks_format.h"
#include "hks_int.h"

static void walk_varints(const uint8_t *data, size_t size)
{
    hks_rd rd;
    hks_rd_init(&rd, data, size);
    while (hks_rd_left(&rd) > 0) {
        size_t before = hks_rd_left(&rd);
        uint64_t v = 0;
        uint32_t v32 = 0;
        int rc;
        if (before & 1)
            rc = hks_varint_get_u32(&rd, &v32);
        else
            rc = hks_varint_get(&rd, &v);
        if (rc != HKS_OK) {
            fuzz_check(rc == HKS_ERR_CORRUPT);
            fuzz_check(hks_rd_left(&rd) == before);
            break;
        }
        fuzz_check(hks_rd_left(&rd) < before);
        fuzz_check(before - hks_rd_left(&rd) <= HKS_VARINT_MAX);
        if (!(before & 1))
            fuzz_check(before - hks_rd_left(&rd) >= hks_varint_len(v));
    }
}

static void walk_rd(const uint8_t *data, size_t size)
{
    hks_rd rd;
    hks_rd_init(&rd, data, size);
    for (;;) {
        size_t before = hks_rd_left(&rd);
        const uint8_t *p;
        size_t n;
        uint8_t sel, u8;
        uint16_t u16;
        uint32_t u32;
        uint64_t u64;
        int rc;
        if (hks_rd_u8(&rd, &sel) != HKS_OK)
            break;
        before--;
        switch (sel % 6) {
        case 0:
            rc = hks_rd_u16le(&rd, &u16);
            break;
        case 1:
            rc = hks_rd_u32le(&rd, &u32);
            break;
        case 2:
            rc = hks_rd_u64le(&rd, &u64);
            break;
        case 3:
            rc = hks_rd_lenbytes(&rd, &p, &n);
            break;
        case 4:
            rc = hks_rd_skip(&rd, sel >> 3);
            break;
        default:
            rc = hks_rd_u8(&rd, &u8);
            break;
        }
        if (rc != HKS_OK) {
            fuzz_check(rc == HKS_ERR_CORRUPT);
            fuzz_check(hks_rd_left(&rd) == before);
            break;
        }
        if (sel % 6 == 3)
            fuzz_check(p + n == rd.p && n <= before);
    }
}

static void unpack_arbitrary(const uint8_t *data, size_t size)
{
    uint32_t *v = malloc(4096 * sizeof *v);
    const uint8_t *p = data;
    size_t n = size, count;
    hks_rd rd;
    int rc;
    fuzz_check(v != NULL);
    count = fuzz_take_u32(&p, &n, 2) % 4097;
    hks_rd_init(&rd, p, n);
    rc = hks_unpack_u32(&rd, v, count <= HKS_BLOCK ? count : HKS_BLOCK);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_CORRUPT);
    fuzz_check(rd.p >= p && rd.p <= p + n);
    hks_rd_init(&rd, p, n);
    rc = hks_unpack_u32s(&rd, v, count);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_CORRUPT);
    fuzz_check(rd.p >= p && rd.p <= p + n);
    free(v);
}

static void round_trip(const uint8_t *data, size_t size)
{
    const uint8_t *p = data;
    size_t n = size, count, i, off;
    uint32_t mask, *v, *w;
    uint8_t *vb;
    hks_buf b;
    hks_rd rd;
    int rc = HKS_OK;

    /* Width 0..32 bits from the first byte; the misalignment offset of
     * the encoded bytes from the second. */
    mask = fuzz_take_u32(&p, &n, 1) % 33;
    mask = mask == 32 ? UINT32_MAX : (1u << mask) - 1;
    off = fuzz_take_u32(&p, &n, 1) & 7;
    count = n / 4;
    v = malloc((count + 1) * sizeof *v);
    w = malloc((count + 1) * sizeof *w);
    fuzz_check(v && w);
    for (i = 0; i < count; i++)
        v[i] = fuzz_take_u32(&p, &n, 4) & mask;

    hks_buf_init(&b, NULL);
    hks_buf_put(&rc, &b, "\0\0\0\0\0\0\0", off);
    if (count <= HKS_BLOCK)
        hks_pack_u32(&rc, &b, v, count);
    hks_pack_u32s(&rc, &b, v, count);
    for (i = 0; i < count; i++)
        hks_buf_put_varint(&rc, &b, (uint64_t)v[i] << (i % 33));
    fuzz_check(rc == HKS_OK);

    /* Decode from an exact-size copy so an over-read is caught. */
    vb = malloc(b.n ? b.n : 1);
    fuzz_check(vb != NULL);
    memcpy(vb, b.p, b.n);
    hks_rd_init(&rd, vb + off, b.n - off);
    if (count <= HKS_BLOCK) {
        fuzz_check(hks_unpack_u32(&rd, w, count) == HKS_OK);
        fuzz_check(count == 0 || memcmp(v, w, count * sizeof *v) == 0);
    }
    fuzz_check(hks_unpack_u32s(&rd, w, count) == HKS_OK);
    fuzz_check(count == 0 || memcmp(v, w, count * sizeof *v) == 0);
    for (i = 0; i < count; i++) {
        uint64_t x;
        fuzz_check(hks_varint_get(&rd, &x) == HKS_OK);
        fuzz_check(x == (uint64_t)v[i] << (i % 33));
    }
    fuzz_check(hks_rd_left(&rd) == 0);

    /* A truncated copy fails cleanly (or decodes fewer bytes' worth). */
    if (b.n > off) {
        hks_rd_init(&rd, vb + off, b.n - off - 1);
        rc = hks_unpack_u32s(&rd, w, count);
        fuzz_check(rc == HKS_OK || rc == HKS_ERR_CORRUPT);
    }
    free(vb);
    hks_buf_free(&b);
    free(v);
    free(w);
}

static void pfor_round_trip(const uint8_t *data, size_t size)
{
    const uint8_t *p = data;
    size_t n = size, count, i, at, plain;
    uint32_t v[HKS_BLOCK], w[HKS_BLOCK], all = 0;
    uint8_t flip, *vb;
    hks_buf b;
    hks_rd rd;
    int rc = HKS_OK;

    count = 1 + fuzz_take_u32(&p, &n, 1) % HKS_BLOCK;
    at = fuzz_take_u32(&p, &n, 2);
    flip = (uint8_t)fuzz_take_u32(&p, &n, 1);
    for (i = 0; i < count; i++) {
        unsigned sel = fuzz_take_u32(&p, &n, 1);
        uint32_t x = fuzz_take_u32(&p, &n, 4);
        /* widths 0..3 seven times in eight, else 0..32 */
        unsigned width = (sel & 7) ? (sel >> 3) % 4 : (sel >> 3) % 33;
        v[i] = width == 32 ? x : x & ((1u << width) - 1);
        all |= v[i];
    }
    plain = 1 + (count * (all ? 32 - (size_t)__builtin_clz(all) : 0) + 7) / 8;
    hks_buf_init(&b, NULL);
    hks_pack_u32(&rc, &b, v, count);
    fuzz_check(rc == HKS_OK);
    fuzz_check(b.n <= plain);
    vb = malloc(b.n);
    fuzz_check(vb != NULL);
    memcpy(vb, b.p, b.n);
    hks_rd_init(&rd, vb, b.n);
    fuzz_check(hks_unpack_u32(&rd, w, count) == HKS_OK);
    fuzz_check(hks_rd_left(&rd) == 0);
    fuzz_check(memcmp(v, w, count * sizeof *v) == 0);

    /* One byte changed: any answer but a crash, an over-read or a moved
     * reader on failure. */
    vb[at % b.n] ^= flip ? flip : 1;
    hks_rd_init(&rd, vb, b.n);
    rc = hks_unpack_u32(&rd, w, count);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_CORRUPT);
    if (rc == HKS_OK)
        fuzz_check(rd.p > vb && rd.p <= vb + b.n);
    else
        fuzz_check(rd.p == vb);
    free(vb);
    hks_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t vbuf[HKS_VARINT_MAX];
    uint64_t x = 0, y;
    size_t i, k;
    hks_rd rd;

    walk_varints(data, size);
    walk_rd(data, size);
    unpack_arbitrary(data, size);
    round_trip(data, size);
    pfor_round_trip(data, size);

    /* Every u64 of the input round-trips through hks_varint_put. */
    for (i = 0; i + 8 <= size; i += 8) {
        memcpy(&x, data + i, 8);
        k = hks_varint_put(vbuf, x);
        fuzz_check(k == hks_varint_len(x) && k <= HKS_VARINT_MAX);
        hks_rd_init(&rd, vbuf, k);
        fuzz_check(hks_varint_get(&rd, &y) == HKS_OK && y == x);
        fuzz_check(hks_rd_left(&rd) == 0);
    }
    return 0;
}
