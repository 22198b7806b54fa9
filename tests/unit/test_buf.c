/*
 * test_buf.c: the growable buffer (common/buf.c): little-endian puts,
 * growth across many puts, and the sticky status under allocation failure
 * injected at every allocation (tests/helpers fault allocator).
 */
#include "hks_test.h"

#include <string.h>

static void test_buf_puts_are_little_endian(void **state)
{
    hks_buf b;
    int rc = 0;
    static const uint8_t want[] = {0x11, 0x22, 0x11, 0x44, 0x33, 0x22, 0x11,
                                   0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02,
                                   0x01, 0xAC, 0x02, 'h', 'i'};
    (void)state;
    hks_buf_init(&b, hks_test_cm_alloc());
    assert_null(b.p);
    hks_buf_put_u8(&rc, &b, 0x11);
    hks_buf_put_u16le(&rc, &b, 0x1122);
    hks_buf_put_u32le(&rc, &b, 0x11223344);
    hks_buf_put_u64le(&rc, &b, 0x0102030405060708ull);
    hks_buf_put_varint(&rc, &b, 300);
    hks_buf_put(&rc, &b, "hi", 2);
    hks_buf_put(&rc, &b, NULL, 0);
    assert_int_equal(rc, HKS_OK);
    assert_int_equal(b.n, sizeof want);
    assert_memory_equal(b.p, want, sizeof want);
    hks_buf_free(&b);
    assert_null(b.p);
    assert_int_equal(b.n, 0);
    hks_buf_free(&b); /* twice is fine */
}

static void test_buf_grows(void **state)
{
    hks_buf b;
    int rc = 0;
    uint32_t i;
    (void)state;
    hks_buf_init(&b, hks_test_cm_alloc());
    for (i = 0; i < 100000; i++)
        hks_buf_put_u32le(&rc, &b, i);
    assert_int_equal(rc, HKS_OK);
    assert_int_equal(b.n, 400000);
    assert_true(b.cap >= b.n);
    for (i = 0; i < 100000; i += 997)
        assert_int_equal(hks_load_u32le(b.p + 4 * i), i);
    hks_buf_free(&b);
}

static void test_buf_reserve(void **state)
{
    hks_buf b;
    int rc = 0;
    (void)state;
    hks_buf_init(&b, hks_test_cm_alloc());
    assert_true(hks_buf_reserve(&rc, &b, 1000));
    assert_true(b.cap >= 1000);
    assert_int_equal(b.n, 0);
    /* A request that cannot be met reports NOMEM and keeps the buffer. */
    hks_buf_put(&rc, &b, "abc", 3);
    assert_false(hks_buf_reserve(&rc, &b, SIZE_MAX));
    assert_int_equal(rc, HKS_ERR_NOMEM);
    assert_int_equal(b.n, 3);
    assert_memory_equal(b.p, "abc", 3);
    hks_buf_free(&b);
}

static void test_buf_sticky_rc_is_noop(void **state)
{
    hks_buf b;
    int rc = HKS_ERR_CORRUPT;
    (void)state;
    hks_buf_init(&b, hks_test_cm_alloc());
    hks_buf_put(&rc, &b, "abc", 3);
    hks_buf_put_u8(&rc, &b, 1);
    hks_buf_put_u16le(&rc, &b, 1);
    hks_buf_put_u32le(&rc, &b, 1);
    hks_buf_put_u64le(&rc, &b, 1);
    hks_buf_put_varint(&rc, &b, 1);
    hks_buf_put_lenbytes(&rc, &b, "x", 1);
    assert_false(hks_buf_reserve(&rc, &b, 1));
    assert_int_equal(rc, HKS_ERR_CORRUPT); /* first error kept */
    assert_int_equal(b.n, 0);
    assert_null(b.p);
    hks_buf_free(&b);
}

/* Fill a buffer with many puts; with the k-th allocation failing, rc must
 * be NOMEM, the content a prefix of the full output, and nothing leaked. */
static void test_buf_fault_every_allocation(void **state)
{
    long k;
    (void)state;
    for (k = 0;; k++) {
        hks_test_fault f;
        hks_buf b;
        int rc = 0;
        uint32_t i;
        hks_test_fault_init(&f, k);
        hks_buf_init(&b, &f.alloc);
        for (i = 0; i < 5000; i++) {
            hks_buf_put_u32le(&rc, &b, i);
            hks_buf_put_varint(&rc, &b, i);
        }
        if (f.n_failed == 0) {
            assert_int_equal(rc, HKS_OK);
        } else {
            size_t off = 0;
            assert_int_equal(rc, HKS_ERR_NOMEM);
            assert_int_equal(f.n_failed, 1); /* sticky: no more tries */
            /* What was written is a correct prefix. */
            for (i = 0; off + 4 <= b.n; i++) {
                hks_rd rd;
                uint32_t v;
                assert_int_equal(hks_load_u32le(b.p + off), i);
                off += 4;
                hks_rd_init(&rd, b.p + off, b.n - off);
                if (hks_varint_get_u32(&rd, &v) != HKS_OK)
                    break;
                assert_int_equal(v, i);
                off = (size_t)(rd.p - b.p);
            }
        }
        hks_buf_free(&b);
        assert_int_equal(f.live_blocks, 0);
        assert_int_equal(f.live_bytes, 0);
        if (f.n_failed == 0)
            break;
    }
    assert_true(k > 3); /* the buffer really grew several times */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_puts_are_little_endian),
        cmocka_unit_test(test_buf_grows),
        cmocka_unit_test(test_buf_reserve),
        cmocka_unit_test(test_buf_sticky_rc_is_noop),
        cmocka_unit_test(test_buf_fault_every_allocation),
    };
    return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
