/*
 * test_block.c: the binary-packing codec (format/block.c): every bit
 * width 0..32 for full and partial groups, the exact byte layout, the
 * any-length _u32s form, misaligned input and output buffers, random round
 * trips with a printed fixed seed, and corrupt input (b > 32, truncated
 * packed bytes) refused without moving the reader.
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
    assert_int_equal(out.n, 1 + (n * b + 7) / 8);
    assert_int_equal(out.p[0], b);
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
    };
    return cmocka_run_group_tests_name("block", tests, NULL, NULL);
}
