/*
 * varint.c: LEB128 varints, the variable-width integers of the index
 * (lexicon lengths, skip data, postings headers, length-prefixed bytes):
 * 7 bits a byte, least significant group first, high bit set on every byte
 * but the last. Writers: buf.c and hks_varint_put. Readers go through the
 * bounded hks_rd and report truncation, overlong encodings and overflow as
 * HKS_ERR_CORRUPT. Contract in hks_int.h ("varint.c").
 */
#include "hks_int.h"

/*
 * Encode v into buf, which must have room for HKS_VARINT_MAX bytes.
 * @return the number of bytes written, 1..HKS_VARINT_MAX.
 */
size_t hks_varint_put(uint8_t *buf, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        buf[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    buf[n++] = (uint8_t)v;
    return n;
}

/* @return the number of bytes hks_varint_put writes for v. */
size_t hks_varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/*
 * Decode one varint from rd into *out.
 * @return HKS_OK, or HKS_ERR_CORRUPT (rd and *out unchanged) when the bytes
 * end before the last byte of the varint, when the varint runs over
 * HKS_VARINT_MAX bytes, or when the 10th byte carries bits beyond bit 63.
 * Redundant zero groups within the 10 bytes (0x80 0x00 for 0) are accepted:
 * writers never produce them, and rejecting them buys nothing.
 */
int hks_varint_get(hks_rd *rd, uint64_t *out)
{
    const uint8_t *p = rd->p;
    size_t left = (size_t)(rd->end - p);
    uint64_t v;
    size_t i;
    /* Fast path: a one-byte varint (most gaps, lengths and counts). */
    if (left && p[0] < 0x80) {
        *out = p[0];
        rd->p = p + 1;
        return HKS_OK;
    }
    v = 0;
    for (i = 0; i < HKS_VARINT_MAX; i++) {
        uint8_t c;
        if (i == left)
            return HKS_ERR_CORRUPT; /* truncated */
        c = p[i];
        if (i == HKS_VARINT_MAX - 1 && c > 1)
            return HKS_ERR_CORRUPT; /* over 64 bits, or an 11th byte */
        v |= (uint64_t)(c & 0x7F) << (7 * i);
        if (c < 0x80) {
            *out = v;
            rd->p = p + i + 1;
            return HKS_OK;
        }
    }
    return HKS_ERR_CORRUPT; /* not reached: the 10th byte check ends it */
}

/*
 * Decode one varint that must fit in 32 bits.
 * @return HKS_OK, or HKS_ERR_CORRUPT (rd and *out unchanged) in the cases
 * of hks_varint_get and when the value exceeds UINT32_MAX.
 */
int hks_varint_get_u32(hks_rd *rd, uint32_t *out)
{
    hks_rd save = *rd;
    uint64_t v;
    int rc = hks_varint_get(rd, &v);
    if (rc < 0)
        return rc;
    if (v > UINT32_MAX) {
        *rd = save;
        return HKS_ERR_CORRUPT;
    }
    *out = (uint32_t)v;
    return HKS_OK;
}
