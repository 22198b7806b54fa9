/*
 * test_block.c: the patched frame-of-reference codec (format/block.c):
 * every bit width 0..32 for full and partial groups, the exact byte layout
 * with and without exceptions, the edge cases of exceptions (all zeros, one
 * huge value, 32-bit values, every n from 1 to 128, every index), the
 * any-length _u32s form, misaligned input and output buffers, random round
 * trips with a printed fixed seed, real doc gaps, tfs and positions of
 * the seed corpus, and corrupt input (b > 32, truncated bytes, exceptions
 * that do not fit the group) refused without moving the reader.
 */
#include "hks_test.h"
#include "hks_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Seed of the random round trips; printed so a failure can be replayed. */
#define TEST_SEED 0x5EEDF00Dull

static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ull;
}

static uint32_t mask_of(unsigned b)
{
    return b >= 32 ? 0xFFFFFFFFu : (1u << b) - 1u;
}

/* Values whose widest is exactly b bits (for n > 0). */
static void fill(uint32_t *v, size_t n, unsigned b)
{
    size_t i;
    for (i = 0; i < n; i++)
        v[i] = (uint32_t)rng() & mask_of(b);
    if (n && b)
        v[n / 2] |= 1u << (b - 1);
}

/* Pack v[0..n) as one group, check size and b byte, unpack, compare. */
static void round_trip_group(const uint32_t *v, size_t n, unsigned b)
{
    hks_buf out;
    int rc = 0;
    hks_rd rd;
    uint32_t *got = test_calloc(n + 1, sizeof *got);
    hks_buf_init(&out, hks_test_cm_alloc());
    hks_pack_u32(&rc, &out, v, n);
    assert_int_equal(rc, HKS_OK);
    /* Never more than plain packing at the widest value's width; exactly
     * that when no exception is taken. */
    assert_true(out.n <= 1 + (n * b + 7) / 8);
    if (!(out.p[0] & 0x80)) {
        assert_int_equal(out.n, 1 + (n * b + 7) / 8);
        assert_int_equal(out.p[0], b);
    }
    got[n] = 0xDEADBEEF;
    hks_rd_init(&rd, out.p, out.n);
    assert_int_equal(hks_unpack_u32(&rd, got, n), HKS_OK);
    assert_int_equal(hks_rd_left(&rd), 0);
    if (n)
        assert_memory_equal(got, v, n * sizeof *v);
    assert_int_equal(got[n], 0xDEADBEEF); /* no write past n */
    hks_buf_free(&out);
    test_free(got);
}

static void test_block_every_width_full_group(void **state)
{
    uint32_t v[HKS_BLOCK];
    unsigned b;
    (void)state;
    rng_state = TEST_SEED;
    for (b = 0; b <= 32; b++) {
        fill(v, HKS_BLOCK, b);
        round_trip_group(v, HKS_BLOCK, b);
    }
}

static void test_block_every_width_partial_groups(void **state)
{
    static const size_t ns[] = {1, 2, 3, 7, 31, 32, 33, 64, 100, 127};
    uint32_t v[HKS_BLOCK];
    unsigned b;
    size_t i;
    (void)state;
    rng_state = TEST_SEED + 1;
    for (b = 0; b <= 32; b++) {
        for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
            fill(v, ns[i], b);
            round_trip_group(v, ns[i], b);
        }
    }
}

static void test_block_empty_group(void **state)
{
    hks_buf out;
    int rc = 0;
    hks_rd rd;
    uint32_t dummy = 5;
    (void)state;
    hks_buf_init(&out, hks_test_cm_alloc());
    hks_pack_u32(&rc, &out, NULL, 0);
    assert_int_equal(rc, HKS_OK);
    assert_int_equal(out.n, 1);
    assert_int_equal(out.p[0], 0);
    hks_rd_init(&rd, out.p, out.n);
    assert_int_equal(hks_unpack_u32(&rd, &dummy, 0), HKS_OK);
    assert_int_equal(dummy, 5);
    assert_int_equal(hks_rd_left(&rd), 0);
    /* The _u32s form writes nothing at all for n = 0. */
    out.n = 0;
    hks_pack_u32s(&rc, &out, NULL, 0);
    assert_int_equal(out.n, 0);
    hks_rd_init(&rd, NULL, 0);
    assert_int_equal(hks_unpack_u32s(&rd, &dummy, 0), HKS_OK);
    hks_buf_free(&out);
}

/* The bytes on disk are part of the format: pin them for one example. */
static void test_block_known_layout(void **state)
{
    const uint32_t v[] = {1, 2, 3, 4, 5}; /* b = 3 */
    static const uint8_t want[] = {3, 0xD1, 0x58};
    hks_buf out;
    int rc = 0;
    (void)state;
    hks_buf_init(&out, hks_test_cm_alloc());
    hks_pack_u32(&rc, &out, v, 5);
    assert_int_equal(rc, HKS_OK);
    assert_int_equal(out.n, sizeof want);
    assert_memory_equal(out.p, want, sizeof want);
    hks_buf_free(&out);
}

static void test_block_u32s_any_length(void **state)
{
    static const size_t ns[] = {1, 127, 128, 129, 255, 256, 257, 1000, 4096};
    size_t i;
    (void)state;
    rng_state = TEST_SEED + 2;
    for (i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        size_t n = ns[i], g;
        uint32_t *v = test_malloc(n * sizeof *v);
        uint32_t *got = test_malloc(n * sizeof *got);
        hks_buf out;
        int rc = 0;
        hks_rd rd;
        for (g = 0; g < n; g++)
            v[g] = (uint32_t)rng() & mask_of((unsigned)(g / HKS_BLOCK * 5 % 33));
        hks_buf_init(&out, hks_test_cm_alloc());
        hks_pack_u32s(&rc, &out, v, n);
        assert_int_equal(rc, HKS_OK);
        hks_rd_init(&rd, out.p, out.n);
        assert_int_equal(hks_unpack_u32s(&rd, got, n), HKS_OK);
        assert_int_equal(hks_rd_left(&rd), 0);
        assert_memory_equal(got, v, n * sizeof *v);
        hks_buf_free(&out);
        test_free(v);
        test_free(got);
    }
}

/* Decode from and into buffers at every offset mod 8. */
static void test_block_misaligned_buffers(void **state)
{
    uint32_t v[HKS_BLOCK];
    unsigned b;
    (void)state;
    rng_state = TEST_SEED + 3;
    for (b = 1; b <= 32; b += 3) {
        hks_buf out;
        int rc = 0;
        size_t shift;
        fill(v, HKS_BLOCK, b);
        hks_buf_init(&out, hks_test_cm_alloc());
        hks_pack_u32(&rc, &out, v, HKS_BLOCK);
        hks_pack_u32(&rc, &out, v, 77);
        assert_int_equal(rc, HKS_OK);
        for (shift = 0; shift < 8; shift++) {
            uint8_t *in = test_malloc(out.n + 8);
            uint32_t got[HKS_BLOCK + 1];
            hks_rd rd;
            memcpy(in + shift, out.p, out.n);
            hks_rd_init(&rd, in + shift, out.n);
            /* Output one element off its usual 8-byte alignment. */
            assert_int_equal(hks_unpack_u32(&rd, got + 1, HKS_BLOCK), HKS_OK);
            assert_memory_equal(got + 1, v, HKS_BLOCK * sizeof *v);
            assert_int_equal(hks_unpack_u32(&rd, got, 77), HKS_OK);
            assert_memory_equal(got, v, 77 * sizeof *v);
            assert_int_equal(hks_rd_left(&rd), 0);
            test_free(in);
        }
        hks_buf_free(&out);
    }
}

static void test_block_random_round_trips(void **state)
{
    int iter;
    (void)state;
    rng_state = TEST_SEED + 4;
    print_message("block random round trips: seed 0x%llx\n",
                  (unsigned long long)(TEST_SEED + 4));
    for (iter = 0; iter < 2000; iter++) {
        uint32_t v[3 * HKS_BLOCK], got[3 * HKS_BLOCK];
        size_t n = (size_t)(rng() % (3 * HKS_BLOCK + 1)), i;
        unsigned b = (unsigned)(rng() % 33);
        hks_buf out;
        int rc = 0;
        hks_rd rd;
        for (i = 0; i < n; i++) /* skewed: mostly small, some wide */
            v[i] = (uint32_t)rng() & mask_of(rng() % 4 ? b / 2 : b);
        hks_buf_init(&out, hks_test_cm_alloc());
        hks_pack_u32s(&rc, &out, v, n);
        assert_int_equal(rc, HKS_OK);
        hks_rd_init(&rd, out.p, out.n);
        if (hks_unpack_u32s(&rd, got, n) != HKS_OK ||
            (n && memcmp(got, v, n * sizeof *v) != 0)) {
            fail_msg("round trip failed: seed 0x%llx iteration %d n %zu",
                     (unsigned long long)(TEST_SEED + 4), iter, n);
        }
        assert_int_equal(hks_rd_left(&rd), 0);
        hks_buf_free(&out);
    }
}

static void test_block_width_over_32_is_corrupt(void **state)
{
    uint8_t in[1 + 33 * HKS_BLOCK / 8 + 8];
    uint32_t got[HKS_BLOCK];
    unsigned b;
    (void)state;
    memset(in, 0xFF, sizeof in);
    for (b = 33; b <= 255; b++) {
        hks_rd rd;
        in[0] = (uint8_t)b;
        hks_rd_init(&rd, in, sizeof in);
        assert_int_equal(hks_unpack_u32(&rd, got, HKS_BLOCK), HKS_ERR_CORRUPT);
        assert_int_equal(hks_unpack_u32(&rd, got, 5), HKS_ERR_CORRUPT);
        assert_int_equal(hks_unpack_u32s(&rd, got, 3), HKS_ERR_CORRUPT);
        assert_ptr_equal(rd.p, in);
    }
}

/* Every truncation of a packed group (all widths, full and partial) is
 * refused; the truncated copy sits at the end of its own allocation so an
 * over-read would be seen by the sanitizers and valgrind. */
static void test_block_truncated_is_corrupt(void **state)
{
    uint32_t v[HKS_BLOCK], got[HKS_BLOCK];
    unsigned b;
    (void)state;
    rng_state = TEST_SEED + 5;
    for (b = 0; b <= 32; b++) {
        size_t k;
        for (k = 0; k < 2; k++) {
            size_t n = k ? 45 : HKS_BLOCK, cut;
            hks_buf out;
            int rc = 0;
            fill(v, n, b);
            hks_buf_init(&out, hks_test_cm_alloc());
            hks_pack_u32(&rc, &out, v, n);
            assert_int_equal(rc, HKS_OK);
            for (cut = 0; cut < out.n; cut++) {
                uint8_t *copy = test_malloc(cut ? cut : 1);
                hks_rd rd;
                memcpy(copy, out.p, cut);
                hks_rd_init(&rd, copy, cut);
                assert_int_equal(hks_unpack_u32(&rd, got, n), HKS_ERR_CORRUPT);
                assert_ptr_equal(rd.p, copy);
                test_free(copy);
            }
            hks_buf_free(&out);
        }
    }
}

/* A later group failing leaves the _u32s reader at its start. */
static void test_block_u32s_truncated_is_corrupt(void **state)
{
    uint32_t v[300], got[300];
    hks_buf out;
    int rc = 0;
    hks_rd rd;
    size_t i;
    (void)state;
    for (i = 0; i < 300; i++)
        v[i] = (uint32_t)i * 7919u;
    hks_buf_init(&out, hks_test_cm_alloc());
    hks_pack_u32s(&rc, &out, v, 300);
    assert_int_equal(rc, HKS_OK);
    hks_rd_init(&rd, out.p, out.n - 1);
    assert_int_equal(hks_unpack_u32s(&rd, got, 300), HKS_ERR_CORRUPT);
    assert_ptr_equal(rd.p, out.p);
    /* Asking for more values than were written also runs out of bytes. */
    hks_rd_init(&rd, out.p, out.n);
    assert_int_equal(hks_unpack_u32s(&rd, got, 300 + 1), HKS_ERR_CORRUPT);
    hks_buf_free(&out);
}

/* Pack v[0..n) as one group, unpack it from an exact-size copy (an
 * over-read shows under the sanitizers), compare; returns the bytes. */
static size_t pfor_round_trip(const uint32_t *v, size_t n, uint8_t *header)
{
    hks_buf out;
    int rc = 0;
    hks_rd rd;
    uint32_t got[HKS_BLOCK + 1];
    uint8_t *copy;
    size_t len;
    hks_buf_init(&out, hks_test_cm_alloc());
    hks_pack_u32(&rc, &out, v, n);
    assert_int_equal(rc, HKS_OK);
    len = out.n;
    copy = test_malloc(len);
    memcpy(copy, out.p, len);
    got[n] = 0xDEADBEEF;
    hks_rd_init(&rd, copy, len);
    assert_int_equal(hks_unpack_u32(&rd, got, n), HKS_OK);
    assert_int_equal(hks_rd_left(&rd), 0);
    assert_memory_equal(got, v, n * sizeof *v);
    assert_int_equal(got[n], 0xDEADBEEF);
    *header = copy[0];
    test_free(copy);
    hks_buf_free(&out);
    return len;
}

/* Every n from 1 to 128: all zeros (one byte), one UINT32_MAX among zeros
 * at every index (exceptions once they pay), all 32-bit values (plain, 32
 * bits), and one 32-bit value among small ones. */
static void test_block_pfor_edge_cases(void **state)
{
    uint32_t v[HKS_BLOCK];
    size_t n, i;
    uint8_t h;
    (void)state;
    rng_state = TEST_SEED + 6;
    for (n = 1; n <= HKS_BLOCK; n++) {
        memset(v, 0, sizeof v);
        assert_int_equal(pfor_round_trip(v, n, &h), 1);
        assert_int_equal(h, 0);
        for (i = 0; i < n; i++) {
            size_t len;
            memset(v, 0, sizeof v);
            v[i] = UINT32_MAX;
            len = pfor_round_trip(v, n, &h);
            /* b = 0 and one exception (2 + 1 + 4 bytes) beats 32 bits
             * each from n = 2 on */
            if (n >= 2) {
                assert_int_equal(h, 0x80);
                assert_int_equal(len, 1 + 2 + 1 + 4);
            } else {
                assert_int_equal(h, 32);
                assert_int_equal(len, 5);
            }
        }
        for (i = 0; i < n; i++)
            v[i] = (uint32_t)rng() | 0x80000000u;
        assert_int_equal(pfor_round_trip(v, n, &h), 1 + 4 * n);
        assert_int_equal(h, 32);
        for (i = 0; i < n; i++)
            v[i] = (uint32_t)(rng() & 3);
        v[n - 1] = 0xFFFFFFFFu;
        assert_true(pfor_round_trip(v, n, &h) <= 1 + 4 * n);
        if (n >= 8)
            assert_int_equal(h & 0x80, 0x80);
    }
}

/* Exceptions pinned: eight 1s and a 1000. b = 1 and b = 2 both take 8
 * bytes; the tie goes to the larger b (fewer exceptions to patch). */
static void test_block_pfor_known_layout(void **state)
{
    const uint32_t v[] = {1, 1, 1, 1, 1, 1, 1, 1, 1000};
    /* h = 0x80 | 2; low bits 01 x 8 = 0x55 0x55, then 1000 & 3 = 0; e - 1 =
     * 0; eb = 8; index 8; high part 1000 >> 2 = 250 */
    static const uint8_t want[] = {0x82, 0x55, 0x55, 0x00, 0x00, 0x08, 0x08, 0xFA};
    hks_buf out;
    int rc = 0;
    uint8_t h;
    (void)state;
    hks_buf_init(&out, hks_test_cm_alloc());
    hks_pack_u32(&rc, &out, v, 9);
    assert_int_equal(rc, HKS_OK);
    assert_int_equal(out.n, sizeof want);
    assert_memory_equal(out.p, want, sizeof want);
    assert_int_equal(pfor_round_trip(v, 9, &h), sizeof want);
    hks_buf_free(&out);
}

/* Skewed values as postings have them (mostly small, a few wide: the
 * first position of a document, a long gap), over every n: exceptions are
 * taken and the group is smaller than plain packing at the widest width. */
static void test_block_pfor_skewed_is_smaller(void **state)
{
    uint32_t v[HKS_BLOCK];
    size_t n, i, pfor = 0, plain = 0;
    uint8_t h;
    (void)state;
    rng_state = TEST_SEED + 7;
    for (n = 1; n <= HKS_BLOCK; n++) {
        uint32_t all = 0;
        for (i = 0; i < n; i++) {
            v[i] = rng() % 16 ? (uint32_t)(rng() % 8) : (uint32_t)(rng() % 100000);
            all |= v[i];
        }
        pfor += pfor_round_trip(v, n, &h);
        plain += 1 + (n * (all ? 32 - (size_t)__builtin_clz(all) : 0) + 7) / 8;
    }
    print_message("skewed groups: %zu bytes packed with exceptions, %zu plain\n", pfor, plain);
    assert_true(pfor * 10 < plain * 7);
}

/* Exception headers that do not fit the group: refused, reader unmoved. */
static void expect_corrupt(const uint8_t *in, size_t len, size_t n)
{
    uint32_t got[HKS_BLOCK];
    uint8_t *copy = test_malloc(len);
    hks_rd rd;
    memcpy(copy, in, len);
    hks_rd_init(&rd, copy, len);
    assert_int_equal(hks_unpack_u32(&rd, got, n), HKS_ERR_CORRUPT);
    assert_ptr_equal(rd.p, copy);
    hks_rd_init(&rd, copy, len);
    assert_int_equal(hks_unpack_u32s(&rd, got, n), HKS_ERR_CORRUPT);
    assert_ptr_equal(rd.p, copy);
    test_free(copy);
}

static void test_block_bad_exceptions_are_corrupt(void **state)
{
    /* the b = 1 form of the pinned values (h 0x81; low bits 0xFF 0x00; one
     * exception of 9 bits at index 8: 500), valid, then one field damaged
     * per case */
    static const uint8_t good[] = {0x81, 0xFF, 0x00, 0x00, 0x09, 0x08, 0xF4, 0x01};
    uint8_t in[sizeof good];
    uint32_t got[9];
    hks_rd rd;
    (void)state;
    hks_rd_init(&rd, good, sizeof good);
    assert_int_equal(hks_unpack_u32(&rd, got, 9), HKS_OK);
    memcpy(in, good, sizeof in);
    in[3] = 9; /* 10 exceptions in a group of 9 */
    expect_corrupt(in, sizeof in, 9);
    memcpy(in, good, sizeof in);
    in[3] = 1; /* 2 exceptions: their indices and bits run past the end */
    expect_corrupt(in, sizeof in, 9);
    memcpy(in, good, sizeof in);
    in[4] = 0; /* exception width 0 */
    expect_corrupt(in, sizeof in, 9);
    memcpy(in, good, sizeof in);
    in[4] = 32; /* b + eb = 33 bits */
    expect_corrupt(in, sizeof in, 9);
    memcpy(in, good, sizeof in);
    in[5] = 9; /* index past n */
    expect_corrupt(in, sizeof in, 9);
    memcpy(in, good, sizeof in);
    in[0] = 0xC1; /* reserved bit */
    expect_corrupt(in, sizeof in, 9);
    memcpy(in, good, sizeof in);
    in[0] = 0x80 | 33; /* low width over 32 */
    expect_corrupt(in, sizeof in, 9);
    expect_corrupt(good, sizeof good - 1, 9);         /* high bits cut short */
    expect_corrupt(good, 4, 9);                       /* eb byte missing */
    expect_corrupt(good, sizeof good, HKS_BLOCK + 1); /* exceptions past 128 values */
    {
        /* the second of two exceptions past n (the first one is fine) */
        static const uint8_t late[] = {0x80, 0x01, 0x08, 0x01, 0x09, 0xFF, 0xFF};
        uint32_t g9[9];
        hks_rd_init(&rd, late, sizeof late);
        assert_int_equal(hks_unpack_u32(&rd, g9, 9), HKS_ERR_CORRUPT);
        assert_ptr_equal(rd.p, late);
        expect_corrupt(late, sizeof late, 9);
    }
}

/* Real postings: the seed corpus (corpus/: the five articles and the
 * dxy_covid_news sample) indexed into one segment; every term's doc gaps,
 * tf - 1 and position gaps, as the segment writer forms them, round-trip
 * group by group, and the groups take fewer bytes than plain packing. */
typedef struct real_ctx {
    const hks_segment *seg;
    size_t groups, exc_groups, pfor, plain;
    uint32_t *pos;
    size_t cap;
} real_ctx;

static void real_group(real_ctx *x, const uint32_t *v, size_t n)
{
    uint32_t all = 0;
    size_t i;
    uint8_t h;
    for (i = 0; i < n; i++)
        all |= v[i];
    x->pfor += pfor_round_trip(v, n, &h);
    x->plain += 1 + (n * (all ? 32 - (size_t)__builtin_clz(all) : 0) + 7) / 8;
    x->groups++;
    x->exc_groups += (h & 0x80) != 0;
}

static int on_real_term(void *ctx, const uint8_t *term, size_t len, const hks_lexent *e)
{
    real_ctx *x = ctx;
    hks_errbuf err = {{0}};
    hks_pcur c;
    uint32_t gaps[HKS_BLOCK], tfm1[HKS_BLOCK], prev = 0, b, k;
    (void)term;
    (void)len;
    assert_int_equal(hks_pc_open(&c, hks_test_cm_alloc(), x->seg, e, &err), HKS_OK);
    for (b = 0; b < c.n_blocks; b++) {
        size_t np = 0, i;
        if (b)
            assert_int_equal(hks_pc_advance(&c, c.blk_last[b - 1] + 1), HKS_OK);
        assert_int_equal(c.blk, b);
        for (k = 0; k < c.n; k++) {
            gaps[k] = (b == 0 && k == 0) ? c.docs[k] : c.docs[k] - prev - 1;
            tfm1[k] = c.tfs[k] - 1;
            prev = c.docs[k];
            if (!c.chars) {
                const uint32_t *p;
                uint32_t n, j;
                c.i = k;
                assert_int_equal(hks_pc_positions(&c, &p, &n), HKS_OK);
                if (np + n > x->cap) {
                    x->cap = 2 * (np + n);
                    x->pos = realloc(x->pos, x->cap * sizeof *x->pos);
                    assert_non_null(x->pos);
                }
                for (j = 0; j < n; j++)
                    x->pos[np++] = j ? p[j] - p[j - 1] - 1 : p[j];
            }
        }
        c.i = 0;
        real_group(x, gaps, c.n);
        real_group(x, tfm1, c.n);
        for (i = 0; i < np; i += HKS_BLOCK)
            real_group(x, x->pos + i, np - i < HKS_BLOCK ? np - i : HKS_BLOCK);
    }
    hks_pc_close(&c);
    return HKS_OK;
}

static void test_block_seed_corpus_postings(void **state)
{
    char dir[4096], path[4200];
    hks_writer *w = NULL;
    hks_manifest m;
    hks_segment *seg = NULL;
    hks_errbuf err = {{0}};
    real_ctx x;
    (void)state;
    memset(&x, 0, sizeof x);
    assert_int_equal(hks_test_tmpdir(dir, sizeof dir), 0);
    assert_int_equal(hks_writer_open(dir, NULL, &w), HKS_OK);
    assert_non_null(hks_test_repo_path("corpus", path, sizeof path));
    assert_int_equal(hks_writer_add_path(w, path, NULL), HKS_OK);
    assert_non_null(hks_test_repo_path("corpus/dxy_covid_news.docs.jsonl.zst", path, sizeof path));
    assert_int_equal(hks_writer_add_path(w, path, NULL), HKS_OK);
    assert_int_equal(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 2), HKS_OK);
    assert_int_equal(hks_writer_commit(w), HKS_OK);
    hks_writer_close(w);
    assert_int_equal(hks_manifest_read(NULL, dir, false, &m, &err), HKS_OK);
    assert_true(m.n_seg >= 1);
    assert_int_equal(hks_seg_open(NULL, dir, &m.seg[0], &err, &seg), HKS_OK);
    x.seg = seg;
    assert_int_equal(hks_seg_each_term(seg, on_real_term, &x, &err), HKS_OK);
    print_message("seed corpus: %zu groups (%zu with exceptions), %zu bytes, %zu plain\n",
                  x.groups, x.exc_groups, x.pfor, x.plain);
    assert_true(x.groups > 10000);
    assert_true(x.exc_groups > x.groups / 50);
    assert_true(x.pfor < x.plain);
    free(x.pos);
    hks_seg_close(seg);
    hks_manifest_free(NULL, &m);
    hks_test_rmtree(dir);
}

static void test_block_pack_fault_is_sticky(void **state)
{
    uint32_t v[HKS_BLOCK];
    long k;
    (void)state;
    memset(v, 0xAB, sizeof v);
    for (k = 0;; k++) {
        hks_test_fault f;
        hks_buf out;
        int rc = 0, i;
        hks_test_fault_init(&f, k);
        hks_buf_init(&out, &f.alloc);
        for (i = 0; i < 40; i++)
            hks_pack_u32s(&rc, &out, v, HKS_BLOCK);
        if (f.n_failed)
            assert_int_equal(rc, HKS_ERR_NOMEM);
        else
            assert_int_equal(rc, HKS_OK);
        hks_buf_free(&out);
        assert_int_equal(f.live_blocks, 0);
        if (!f.n_failed)
            break;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_every_width_full_group),
        cmocka_unit_test(test_block_every_width_partial_groups),
        cmocka_unit_test(test_block_empty_group),
        cmocka_unit_test(test_block_known_layout),
        cmocka_unit_test(test_block_u32s_any_length),
        cmocka_unit_test(test_block_misaligned_buffers),
        cmocka_unit_test(test_block_random_round_trips),
        cmocka_unit_test(test_block_width_over_32_is_corrupt),
        cmocka_unit_test(test_block_truncated_is_corrupt),
        cmocka_unit_test(test_block_u32s_truncated_is_corrupt),
        cmocka_unit_test(test_block_pack_fault_is_sticky),
        cmocka_unit_test(test_block_pfor_edge_cases),
        cmocka_unit_test(test_block_pfor_known_layout),
        cmocka_unit_test(test_block_pfor_skewed_is_smaller),
        cmocka_unit_test(test_block_bad_exceptions_are_corrupt),
        cmocka_unit_test(test_block_seed_corpus_postings),
    };
    return cmocka_run_group_tests_name("block", tests, NULL, NULL);
}
