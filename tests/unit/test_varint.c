/*
 * test_varint.c: LEB128 varints (common/varint.c): edge-value round trips,
 * exact encoded lengths, and the bounded decoder's answers to truncated,
 * overlong and out-of-range input.
 */
#include "hks_test.h"

#include <string.h>

/* The STYLE 2.9 edge values and their encoded lengths. */
static const struct {
    uint64_t v;
    size_t len;
} edge[] = {
    {0, 1},
    {1, 1},
    {127, 1},
    {128, 2},
    {16383, 2},
    {16384, 3},
    {UINT32_MAX, 5},
    {(uint64_t)UINT32_MAX + 1, 5},
    {UINT64_MAX, 10},
};

static void test_varint_edge_round_trip(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        uint8_t buf[HKS_VARINT_MAX + 1];
        hks_rd rd;
        uint64_t v = 0;
        size_t n = hks_varint_put(buf, edge[i].v);
        assert_int_equal(n, edge[i].len);
        assert_int_equal(hks_varint_len(edge[i].v), n);
        hks_rd_init(&rd, buf, n);
        assert_int_equal(hks_varint_get(&rd, &v), HKS_OK);
        assert_true(v == edge[i].v);
        assert_int_equal(hks_rd_left(&rd), 0);
    }
}

static void test_varint_u32_round_trip(void **state)
{
    const uint32_t vals[] = {0, 1, 127, 128, 16383, 16384, UINT32_MAX};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        uint8_t buf[HKS_VARINT_MAX];
        hks_rd rd;
        uint32_t v = 0;
        size_t n = hks_varint_put(buf, vals[i]);
        hks_rd_init(&rd, buf, n);
        assert_int_equal(hks_varint_get_u32(&rd, &v), HKS_OK);
        assert_int_equal(v, vals[i]);
        assert_int_equal(hks_rd_left(&rd), 0);
    }
}

static void test_varint_known_bytes(void **state)
{
    uint8_t buf[HKS_VARINT_MAX];
    (void)state;
    assert_int_equal(hks_varint_put(buf, 300), 2);
    assert_int_equal(buf[0], 0xAC);
    assert_int_equal(buf[1], 0x02);
}

static void test_varint_sequence(void **state)
{
    uint8_t buf[64 * HKS_VARINT_MAX];
    size_t n = 0, i;
    hks_rd rd;
    (void)state;
    for (i = 0; i < 64; i++)
        n += hks_varint_put(buf + n, (uint64_t)1 << i);
    hks_rd_init(&rd, buf, n);
    for (i = 0; i < 64; i++) {
        uint64_t v;
        assert_int_equal(hks_varint_get(&rd, &v), HKS_OK);
        assert_true(v == (uint64_t)1 << i);
    }
    assert_int_equal(hks_rd_left(&rd), 0);
}

static void test_varint_truncated_is_corrupt(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        uint8_t buf[HKS_VARINT_MAX];
        size_t n = hks_varint_put(buf, edge[i].v), cut;
        for (cut = 0; cut < n; cut++) {
            hks_rd rd;
            uint64_t v = 12345;
            hks_rd_init(&rd, buf, cut);
            assert_int_equal(hks_varint_get(&rd, &v), HKS_ERR_CORRUPT);
            assert_ptr_equal(rd.p, buf); /* did not move */
            assert_true(v == 12345);     /* not written */
        }
    }
}

static void test_varint_overlong_is_corrupt(void **state)
{
    /* Eleven bytes: ten continuation bytes then a terminator. */
    uint8_t buf[11];
    hks_rd rd;
    uint64_t v;
    (void)state;
    memset(buf, 0x80, 10);
    buf[10] = 0x00;
    hks_rd_init(&rd, buf, sizeof buf);
    assert_int_equal(hks_varint_get(&rd, &v), HKS_ERR_CORRUPT);
    assert_ptr_equal(rd.p, buf);
    /* Ten bytes whose last carries bits above bit 63. */
    memset(buf, 0xFF, 9);
    buf[9] = 0x02;
    hks_rd_init(&rd, buf, 10);
    assert_int_equal(hks_varint_get(&rd, &v), HKS_ERR_CORRUPT);
    /* ...but 0x01 there is exactly UINT64_MAX. */
    buf[9] = 0x01;
    hks_rd_init(&rd, buf, 10);
    assert_int_equal(hks_varint_get(&rd, &v), HKS_OK);
    assert_true(v == UINT64_MAX);
}

static void test_varint_u32_overflow_is_corrupt(void **state)
{
    uint8_t buf[HKS_VARINT_MAX];
    hks_rd rd;
    uint32_t v = 7;
    size_t n = hks_varint_put(buf, (uint64_t)UINT32_MAX + 1);
    (void)state;
    hks_rd_init(&rd, buf, n);
    assert_int_equal(hks_varint_get_u32(&rd, &v), HKS_ERR_CORRUPT);
    assert_ptr_equal(rd.p, buf);
    assert_int_equal(v, 7);
    n = hks_varint_put(buf, UINT64_MAX);
    hks_rd_init(&rd, buf, n);
    assert_int_equal(hks_varint_get_u32(&rd, &v), HKS_ERR_CORRUPT);
}

static void test_varint_empty_is_corrupt(void **state)
{
    hks_rd rd;
    uint64_t v;
    uint32_t v32;
    (void)state;
    hks_rd_init(&rd, NULL, 0);
    assert_int_equal(hks_varint_get(&rd, &v), HKS_ERR_CORRUPT);
    assert_int_equal(hks_varint_get_u32(&rd, &v32), HKS_ERR_CORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_varint_edge_round_trip),
        cmocka_unit_test(test_varint_u32_round_trip),
        cmocka_unit_test(test_varint_known_bytes),
        cmocka_unit_test(test_varint_sequence),
        cmocka_unit_test(test_varint_truncated_is_corrupt),
        cmocka_unit_test(test_varint_overlong_is_corrupt),
        cmocka_unit_test(test_varint_u32_overflow_is_corrupt),
        cmocka_unit_test(test_varint_empty_is_corrupt),
    };
    return cmocka_run_group_tests_name("varint", tests, NULL, NULL);
}
