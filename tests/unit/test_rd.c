/*
 * test_rd.c: the bounded reader (common/rd.c): little-endian fixed-width
 * gets, views, skips and length-prefixed bytes, and that every get at or
 * past the bound returns HKS_ERR_CORRUPT without moving.
 */
#include "hks_test.h"

#include <string.h>

static const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05,
                                0x06, 0x07, 0x08, 0x09, 0x0A,
                                0x0B, 0x0C, 0x0D, 0x0E, 0x0F};

static void test_rd_le_values(void **state)
{
    hks_rd rd;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    (void)state;
    hks_rd_init(&rd, bytes, sizeof bytes);
    assert_int_equal(hks_rd_left(&rd), 15);
    assert_int_equal(hks_rd_u8(&rd, &u8), HKS_OK);
    assert_int_equal(u8, 0x01);
    assert_int_equal(hks_rd_u16le(&rd, &u16), HKS_OK);
    assert_int_equal(u16, 0x0302);
    assert_int_equal(hks_rd_u32le(&rd, &u32), HKS_OK);
    assert_int_equal(u32, 0x07060504);
    assert_int_equal(hks_rd_u64le(&rd, &u64), HKS_OK);
    assert_true(u64 == 0x0F0E0D0C0B0A0908ull);
    assert_int_equal(hks_rd_left(&rd), 0);
    assert_int_equal(hks_load_u32le(bytes + 1), 0x05040302);
    assert_true(hks_load_u64le(bytes) == 0x0807060504030201ull);
}

/* For each width, every shorter remainder is refused and leaves rd put. */
static void test_rd_short_is_corrupt(void **state)
{
    size_t left;
    (void)state;
    for (left = 0; left < 8; left++) {
        hks_rd rd;
        uint8_t u8 = 0xAA;
        uint16_t u16 = 0xAAAA;
        uint32_t u32 = 0xAAAAAAAA;
        uint64_t u64 = 0xAA;
        hks_rd_init(&rd, bytes, left);
        if (left < 1)
            assert_int_equal(hks_rd_u8(&rd, &u8), HKS_ERR_CORRUPT);
        if (left < 2)
            assert_int_equal(hks_rd_u16le(&rd, &u16), HKS_ERR_CORRUPT);
        if (left < 4)
            assert_int_equal(hks_rd_u32le(&rd, &u32), HKS_ERR_CORRUPT);
        assert_int_equal(hks_rd_u64le(&rd, &u64), HKS_ERR_CORRUPT);
        assert_ptr_equal(rd.p, bytes);
        assert_int_equal(hks_rd_left(&rd), left);
        assert_int_equal(u8, 0xAA);
        assert_int_equal(u16, 0xAAAA);
        assert_int_equal(u32, 0xAAAAAAAA);
        assert_true(u64 == 0xAA);
    }
}

static void test_rd_bytes_and_skip(void **state)
{
    hks_rd rd;
    const uint8_t *v = NULL;
    (void)state;
    hks_rd_init(&rd, bytes, 10);
    assert_int_equal(hks_rd_bytes(&rd, 3, &v), HKS_OK);
    assert_ptr_equal(v, bytes);
    assert_int_equal(hks_rd_skip(&rd, 2), HKS_OK);
    assert_int_equal(hks_rd_bytes(&rd, 6, &v), HKS_ERR_CORRUPT);
    assert_ptr_equal(v, bytes);
    assert_int_equal(hks_rd_skip(&rd, 6), HKS_ERR_CORRUPT);
    assert_int_equal(hks_rd_skip(&rd, SIZE_MAX), HKS_ERR_CORRUPT);
    assert_int_equal(hks_rd_left(&rd), 5);
    assert_int_equal(hks_rd_bytes(&rd, 5, &v), HKS_OK);
    assert_ptr_equal(v, bytes + 5);
    assert_int_equal(hks_rd_bytes(&rd, 0, &v), HKS_OK);
    assert_int_equal(hks_rd_left(&rd), 0);
}

static void test_rd_empty(void **state)
{
    hks_rd rd;
    uint8_t u8;
    const uint8_t *v;
    (void)state;
    hks_rd_init(&rd, NULL, 0);
    assert_int_equal(hks_rd_left(&rd), 0);
    assert_int_equal(hks_rd_u8(&rd, &u8), HKS_ERR_CORRUPT);
    assert_int_equal(hks_rd_bytes(&rd, 0, &v), HKS_OK);
    assert_int_equal(hks_rd_skip(&rd, 1), HKS_ERR_CORRUPT);
}

static void test_rd_lenbytes_round_trip(void **state)
{
    hks_buf b;
    int rc = 0;
    hks_rd rd;
    const uint8_t *p;
    size_t n;
    char big[300];
    (void)state;
    memset(big, 'x', sizeof big);
    hks_buf_init(&b, hks_test_cm_alloc());
    hks_buf_put_lenbytes(&rc, &b, "abc", 3);
    hks_buf_put_lenbytes(&rc, &b, NULL, 0);
    hks_buf_put_lenbytes(&rc, &b, big, sizeof big);
    assert_int_equal(rc, HKS_OK);
    hks_rd_init(&rd, b.p, b.n);
    assert_int_equal(hks_rd_lenbytes(&rd, &p, &n), HKS_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(p, "abc", 3);
    assert_int_equal(hks_rd_lenbytes(&rd, &p, &n), HKS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hks_rd_lenbytes(&rd, &p, &n), HKS_OK);
    assert_int_equal(n, sizeof big);
    assert_memory_equal(p, big, sizeof big);
    assert_int_equal(hks_rd_left(&rd), 0);
    hks_buf_free(&b);
}

static void test_rd_lenbytes_truncated_is_corrupt(void **state)
{
    hks_buf b;
    int rc = 0;
    size_t cut;
    (void)state;
    hks_buf_init(&b, hks_test_cm_alloc());
    hks_buf_put_lenbytes(&rc, &b, "0123456789", 10);
    assert_int_equal(rc, HKS_OK);
    for (cut = 0; cut < b.n; cut++) {
        hks_rd rd;
        const uint8_t *p = NULL;
        size_t n = 99;
        hks_rd_init(&rd, b.p, cut);
        assert_int_equal(hks_rd_lenbytes(&rd, &p, &n), HKS_ERR_CORRUPT);
        assert_ptr_equal(rd.p, b.p);
        assert_null(p);
        assert_int_equal(n, 99);
    }
    hks_buf_free(&b);
}

/* A length that claims more than 2^63 bytes must not wrap the bound. */
static void test_rd_lenbytes_huge_length_is_corrupt(void **state)
{
    uint8_t buf[HKS_VARINT_MAX + 4];
    size_t n = hks_varint_put(buf, UINT64_MAX);
    hks_rd rd;
    const uint8_t *p;
    size_t len;
    (void)state;
    memset(buf + n, 'z', 4);
    hks_rd_init(&rd, buf, n + 4);
    assert_int_equal(hks_rd_lenbytes(&rd, &p, &len), HKS_ERR_CORRUPT);
    assert_ptr_equal(rd.p, buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rd_le_values),
        cmocka_unit_test(test_rd_short_is_corrupt),
        cmocka_unit_test(test_rd_bytes_and_skip),
        cmocka_unit_test(test_rd_empty),
        cmocka_unit_test(test_rd_lenbytes_round_trip),
        cmocka_unit_test(test_rd_lenbytes_truncated_is_corrupt),
        cmocka_unit_test(test_rd_lenbytes_huge_length_is_corrupt),
    };
    return cmocka_run_group_tests_name("rd", tests, NULL, NULL);
}
