/*
 * block.c: patched frame-of-reference packing of u32 arrays, the integer
 * codec of postings (doc-id gaps, term frequencies) and positions.
 * Callers: the segment writer and merge (pack), the postings cursor
 * (unpack; the hot loop of every query). Format, per group of n values (n
 * is stored elsewhere):
 *
 *     u8:              h: b = h & 0x3F, bits per value, 0..32 (0: every
 *                      value's low part is 0); 0x80: exceptions follow;
 *                      0x40 is reserved (0)
 *     ceil(n*b/8) u8:  the low b bits of each value, packed LSB first:
 *                      value i occupies bits [i*b, i*b+b) of the byte
 *                      string read as one little-endian integer
 *     if h & 0x80 (only for n <= HKS_BLOCK):
 *       u8 e - 1:      e exceptions, 1..n
 *       u8 eb:         bits of their high parts, 1..32-b
 *       e u8:          their indices in the group, < n (written in
 *                      increasing order)
 *       ceil(e*eb/8) u8: the high parts (value >> b), eb bits each, packed
 *                      as above; value = low | high << b
 *
 * This is PFOR as Lucene's postings and PISA's codecs use it: b is chosen
 * per group to minimise the group's bytes, so a few large values (the
 * first position of a document, a long gap, a tf of 40 among ones) no
 * longer widen every value of their group. Without exceptions a group is
 * exactly the plain binary packing of earlier versions (h = b <= 32).
 *
 * A full group of HKS_BLOCK = 128 values is exactly 4*b little-endian
 * 32-bit words, so the full-group decoder works on words, unrolled for
 * each b (the b-specialised routines of Lemire's FastPFor/SIMDComp, in
 * plain C). Partial groups use a byte-at-a-time accumulator. Neither reads
 * a byte past the group: there is no over-read padding contract.
 *
 * Untrusted input: b > 32, a reserved bit, an exception count past the
 * group, b + eb > 32, an index past n, or bytes running past
 * the reader's end is HKS_ERR_CORRUPT and the reader does not move. Bits
 * past the last value in a byte are ignored.
 */
#include <string.h>

#include "hks_format.h"

/* Loop-unrolling hint for the b-specialised decoders; other compilers get
 * the plain loop (correct, only slower). */
#if defined(__GNUC__) && !defined(__clang__)
#define HKS_UNROLL _Pragma("GCC unroll 32")
#elif defined(__clang__)
#define HKS_UNROLL _Pragma("unroll")
#else
#define HKS_UNROLL
#endif

#if defined(__GNUC__)
#define HKS_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define HKS_ALWAYS_INLINE inline
#endif

/* Bits needed for x: 0 for 0, else 1 + index of the highest set bit. */
static unsigned bits_of(uint32_t x)
{
#if defined(__GNUC__)
    return x ? 32u - (unsigned)__builtin_clz(x) : 0u;
#else
    unsigned b = 0;
    while (x) {
        b++;
        x >>= 1;
    }
    return b;
#endif
}

/* A 32-bit little-endian load from any alignment. memcpy compiles to one
 * mov on x86 and arm64; the swap only exists on big-endian hosts. */
static HKS_ALWAYS_INLINE uint32_t ld32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap32(v);
#endif
    return v;
}

/* The same for 64 bits. */
static HKS_ALWAYS_INLINE uint64_t ld64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Append the low b bits of v[0..n) (b >= 1) at d, LSB first; returns the
 * end. The caller reserved ceil(n*b/8) bytes. */
static uint8_t *put_bits(uint8_t *d, const uint32_t *v, size_t n, unsigned b)
{
    const uint64_t mask = ((uint64_t)1 << b) - 1;
    uint64_t acc = 0;   /* pending bits, LSB first */
    unsigned n_acc = 0; /* bits in acc, < 8 between values */
    size_t i;
    for (i = 0; i < n; i++) {
        acc |= ((uint64_t)v[i] & mask) << n_acc;
        n_acc += b;
        while (n_acc >= 8) {
            *d++ = (uint8_t)acc;
            acc >>= 8;
            n_acc -= 8;
        }
    }
    if (n_acc)
        *d++ = (uint8_t)acc;
    return d;
}

/*
 * The width of a group of n <= HKS_BLOCK values with the fewest bytes,
 * given cnt[w] = how many values need exactly w bits, and m, the widest:
 * cost(b) = ceil(n*b/8), plus, when e values are wider than b,
 * 2 + e + ceil(e*(m-b)/8). Ties go to the larger b (fewer exceptions to
 * patch when decoding).
 */
static unsigned best_width(const unsigned cnt[33], size_t n, unsigned m)
{
    size_t best = (n * m + 7) / 8, e = 0;
    unsigned b, best_b = m;
    for (b = m; b-- > 0;) {
        size_t c;
        e += cnt[b + 1];
        c = (n * b + 7) / 8 + 2 + e + (e * (m - b) + 7) / 8;
        if (c < best) {
            best = c;
            best_b = b;
        }
    }
    return best_b;
}

/*
 * Pack one group: the header byte, the low bits, the exceptions. *rc is
 * sticky (buf.c): no-op if already set, HKS_ERR_NOMEM on allocation
 * failure (out unchanged).
 */
static void pack_group(int *rc, hks_buf *out, const uint32_t *v, size_t n)
{
    unsigned cnt[33] = {0};
    uint32_t hi[HKS_BLOCK];
    unsigned m = 0, b;
    size_t i, len, e = 0;
    uint8_t *d;
    if (n > (SIZE_MAX - 8) / 64) {
        if (!*rc)
            *rc = HKS_ERR_NOMEM;
        return;
    }
    for (i = 0; i < n; i++) {
        unsigned w = bits_of(v[i]);
        cnt[w]++;
        if (w > m)
            m = w;
    }
    b = n <= HKS_BLOCK ? best_width(cnt, n, m) : m;
    for (i = b + 1; i <= m; i++)
        e += cnt[i];
    len = 1 + (n * b + 7) / 8 + (e ? 2 + e + (e * (m - b) + 7) / 8 : 0);
    if (!hks_buf_reserve(rc, out, len))
        return;
    d = out->p + out->n;
    *d++ = (uint8_t)(b | (e ? 0x80u : 0u));
    if (b)
        d = put_bits(d, v, n, b);
    if (e) {
        size_t k = 0;
        memset(hi, 0, e * sizeof *hi); /* all e are set below; the analyzer cannot see it */
        *d++ = (uint8_t)(e - 1);
        *d++ = (uint8_t)(m - b);
        for (i = 0; i < n; i++) {
            if (bits_of(v[i]) > b) {
                *d++ = (uint8_t)i;
                hi[k++] = v[i] >> b;
            }
        }
        put_bits(d, hi, e, m - b);
    }
    out->n += len;
}

/*
 * Decode HKS_BLOCK values of width b (1..32, a compile-time constant after
 * inlining) from the 16*b bytes at in. The group is 4 chunks of 32 values;
 * each chunk is exactly b words, and value i of a chunk starts at bit i*b.
 */
static HKS_ALWAYS_INLINE void unpack_full(const uint8_t *restrict in,
                                          uint32_t *restrict out,
                                          const unsigned b)
{
    const uint32_t mask = b == 32 ? 0xFFFFFFFFu : (1u << b) - 1u;
    unsigned c, i;
    for (c = 0; c < 4; c++) {
        const uint8_t *w = in + (size_t)c * 4 * b;
        HKS_UNROLL
        for (i = 0; i < 32; i++) {
            const unsigned off = i * b;  /* bit offset in the chunk */
            const unsigned k = off >> 5; /* word holding its low bits */
            const unsigned s = off & 31; /* shift within that word */
            uint32_t x = ld32(w + (size_t)4 * k) >> s;
            if (s + b > 32)
                x |= ld32(w + (size_t)4 * (k + 1)) << (32 - s);
            out[i] = x & mask;
        }
        out += 32;
    }
}

/* Kept as written: one line of instances, a table in columns. */
/* clang-format off */
/* One function per width so each gets its own fully unrolled body. */
#define UNPACK_FN(B)                                                           \
    static void unpack_full_##B(const uint8_t *in, uint32_t *out)              \
    {                                                                          \
        unpack_full(in, out, B);                                               \
    }
UNPACK_FN(1) UNPACK_FN(2) UNPACK_FN(3) UNPACK_FN(4) UNPACK_FN(5) UNPACK_FN(6)
UNPACK_FN(7) UNPACK_FN(8) UNPACK_FN(9) UNPACK_FN(10) UNPACK_FN(11)
UNPACK_FN(12) UNPACK_FN(13) UNPACK_FN(14) UNPACK_FN(15) UNPACK_FN(16)
UNPACK_FN(17) UNPACK_FN(18) UNPACK_FN(19) UNPACK_FN(20) UNPACK_FN(21)
UNPACK_FN(22) UNPACK_FN(23) UNPACK_FN(24) UNPACK_FN(25) UNPACK_FN(26)
UNPACK_FN(27) UNPACK_FN(28) UNPACK_FN(29) UNPACK_FN(30) UNPACK_FN(31)
UNPACK_FN(32)
#undef UNPACK_FN

/* Dispatch table, indexed by b - 1. */
static void (*const unpack_full_tab[32])(const uint8_t *, uint32_t *) = {
    unpack_full_1,  unpack_full_2,  unpack_full_3,  unpack_full_4,
    unpack_full_5,  unpack_full_6,  unpack_full_7,  unpack_full_8,
    unpack_full_9,  unpack_full_10, unpack_full_11, unpack_full_12,
    unpack_full_13, unpack_full_14, unpack_full_15, unpack_full_16,
    unpack_full_17, unpack_full_18, unpack_full_19, unpack_full_20,
    unpack_full_21, unpack_full_22, unpack_full_23, unpack_full_24,
    unpack_full_25, unpack_full_26, unpack_full_27, unpack_full_28,
    unpack_full_29, unpack_full_30, unpack_full_31, unpack_full_32};
/* clang-format on */

/* Decode n values of width b (1..32) from in, which holds exactly
 * ceil(n*b/8) readable bytes: a byte-at-a-time accumulator. */
static void unpack_any(const uint8_t *in, uint32_t *out, size_t n, unsigned b)
{
    const uint64_t mask = ((uint64_t)1 << b) - 1;
    uint64_t acc = 0;   /* bits not yet consumed, LSB first */
    unsigned n_acc = 0; /* bits in acc */
    size_t i;
    for (i = 0; i < n; i++) {
        while (n_acc < b) {
            acc |= (uint64_t)*in++ << n_acc;
            n_acc += 8;
        }
        out[i] = (uint32_t)(acc & mask);
        acc >>= b;
        n_acc -= b;
    }
}

/*
 * Append one group of n values (the postings use n <= HKS_BLOCK; any n
 * works, with exceptions only up to HKS_BLOCK) to out: the header byte,
 * ceil(n*b/8) bytes of low bits, then the exceptions if b, chosen for the
 * fewest bytes, is narrower than the largest value. n = 0 writes the
 * single byte 0.
 * *rc is sticky (buf.c): no-op if already non-zero; HKS_ERR_NOMEM when out
 * cannot grow (out then unchanged).
 */
void hks_pack_u32(int *rc, hks_buf *out, const uint32_t *v, size_t n)
{
    pack_group(rc, out, v, n);
}

/*
 * Decode one group of n values, as written by hks_pack_u32, from rd into
 * v[0..n). n is the caller's (it is stored elsewhere); v must hold n
 * values. Only the bytes of the group are read, never past rd->end.
 * @return HKS_OK, or HKS_ERR_CORRUPT when the header is missing, b is over
 * 32, a reserved bit is set, the exceptions do not fit the group (count
 * over n, b + eb over 32, an index past n) or any bytes
 * run past the end; rd is then unchanged and v[0..n) unspecified.
 */
int hks_unpack_u32(hks_rd *rd, uint32_t *v, size_t n)
{
    const uint8_t *p = rd->p;
    size_t left = (size_t)(rd->end - p), len;
    unsigned h, b;
    if (left == 0)
        return HKS_ERR_CORRUPT;
    h = p[0];
    b = h & 0x3Fu;
    if (b > 32 || (h & 0x40u))
        return HKS_ERR_CORRUPT;
    if (n > (SIZE_MAX - 7) / 32)
        return HKS_ERR_CORRUPT; /* no real group is this long */
    len = (n * b + 7) / 8;
    if (len > left - 1)
        return HKS_ERR_CORRUPT;
    p++;
    if (h & 0x80u) {
        const uint8_t *x = p + len, *idx;
        size_t xleft = left - 1 - len, e, k, hlen, off;
        unsigned eb;
        uint64_t hmask;
        uint8_t hb[(HKS_BLOCK * 32 + 7) / 8 + 8];
        if (n > HKS_BLOCK || xleft < 2)
            return HKS_ERR_CORRUPT;
        e = (size_t)x[0] + 1;
        eb = x[1];
        if (e > n || eb == 0 || b + eb > 32)
            return HKS_ERR_CORRUPT;
        hlen = (e * eb + 7) / 8;
        hmask = ((uint64_t)1 << eb) - 1;
        if (e + hlen > xleft - 2)
            return HKS_ERR_CORRUPT;
        idx = x + 2;
        if (b == 0)
            memset(v, 0, n * sizeof *v);
        else if (n == HKS_BLOCK)
            unpack_full_tab[b - 1](p, v);
        else
            unpack_any(p, v, n, b);
        /* The high parts from a zero-padded copy: one 64-bit load each,
         * no data-dependent branch (eb + 7 <= 39 bits fit the load). */
        memcpy(hb, idx + e, hlen);
        memset(hb + hlen, 0, 8);
        for (k = 0, off = 0; k < e; k++, off += eb) {
            uint32_t hv = (uint32_t)((ld64(hb + (off >> 3)) >> (off & 7)) & hmask);
            if (idx[k] >= n)
                return HKS_ERR_CORRUPT;
            v[idx[k]] |= hv << b;
        }
        rd->p = idx + e + hlen;
        return HKS_OK;
    }
    if (b == 0) {
        if (n)
            memset(v, 0, n * sizeof *v);
    } else if (n == HKS_BLOCK) {
        unpack_full_tab[b - 1](p, v);
    } else {
        unpack_any(p, v, n, b);
    }
    rd->p = p + len;
    return HKS_OK;
}

/*
 * Append v[0..n) as ceil(n / HKS_BLOCK) groups: full groups of HKS_BLOCK
 * values, then one partial group for the rest. n = 0 writes nothing.
 * *rc is sticky as in hks_pack_u32.
 */
void hks_pack_u32s(int *rc, hks_buf *out, const uint32_t *v, size_t n)
{
    size_t i;
    for (i = 0; i < n && !*rc; i += HKS_BLOCK)
        pack_group(rc, out, v + i, n - i < HKS_BLOCK ? n - i : HKS_BLOCK);
}

/*
 * Decode n values written by hks_pack_u32s into v[0..n) (any n; v must
 * hold n values). @return HKS_OK, or HKS_ERR_CORRUPT as for
 * hks_unpack_u32 in any group; rd is then unchanged.
 */
int hks_unpack_u32s(hks_rd *rd, uint32_t *v, size_t n)
{
    const uint8_t *start = rd->p;
    size_t i;
    for (i = 0; i < n; i += HKS_BLOCK) {
        int rc = hks_unpack_u32(rd, v + i,
                                n - i < HKS_BLOCK ? n - i : HKS_BLOCK);
        if (rc < 0) {
            rd->p = start;
            return rc;
        }
    }
    return HKS_OK;
}
