/*
 * test_zhfold.c: the traditional -> simplified fold table (common/zhfold.c
 * and the generated common/zhfold_data.c): the folds search depends on,
 * characters that must stay as they are, and properties of the whole
 * table (sorted, final, agreeing with the fast index).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "hks_int.h"

static void *cm_alloc(void *ud, void *p, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        test_free(p);
        return NULL;
    }
    return test_realloc(p, nsize);
}

static const hks_alloc cm = {cm_alloc, NULL};

/* Decode the first code point of a UTF-8 literal (test data is valid). */
static uint32_t cp_of(const char *s)
{
    /* Decoded by hand: normalizing would already fold. */
    uint32_t c;
    {
        const unsigned char *u = (const unsigned char *)s;
        if (u[0] < 0x80)
            c = u[0];
        else if (u[0] < 0xE0)
            c = ((u[0] & 0x1Fu) << 6) | (u[1] & 0x3Fu);
        else if (u[0] < 0xF0)
            c = ((u[0] & 0x0Fu) << 12) | ((u[1] & 0x3Fu) << 6) | (u[2] & 0x3Fu);
        else
            c = ((u[0] & 0x07u) << 18) | ((u[1] & 0x3Fu) << 12) |
                ((u[2] & 0x3Fu) << 6) | (u[3] & 0x3Fu);
    }
    return c;
}

/* Normalize a string into its folded code points. */
static size_t norm(const char *s, uint32_t *out, size_t cap)
{
    hks_ntext t;
    size_t i, n;
    hks_ntext_init(&t, &cm);
    assert_int_equal(hks_norm_text(&t, s, strlen(s)), HKS_OK);
    n = t.n < cap ? t.n : cap;
    for (i = 0; i < n; i++)
        out[i] = t.cp[i];
    hks_ntext_free(&t);
    return n;
}

static void assert_same_norm(const char *a, const char *b)
{
    uint32_t x[64], y[64];
    size_t nx = norm(a, x, 64), ny = norm(b, y, 64), i;
    assert_int_equal(nx, ny);
    for (i = 0; i < nx; i++)
        assert_int_equal(x[i], y[i]);
}

static void test_zhfold_required_folds(void **state)
{
    static const char *pairs[][2] = {
        {"衞", "卫"}, /* HK variant U+885E -> via 衛 U+885B */
        {"衛", "卫"},
        {"醫", "医"},
        {"療", "疗"},
        {"後", "后"},
        {"發", "发"},
        {"髮", "发"}, /* hair and issue both -> 发     */
        {"臺", "台"},
        {"裏", "里"},
        {"裡", "里"}, /* TW 裡 -> 裏 -> 里 */
        {"著", "着"}, /* TW variant reverse (OpenCC tw2s)              */
        {"種", "种"},
        {"萬", "万"},
        {"區", "区"},
        {"為", "为"},
        {"爲", "为"},
        {"眾", "众"},
        {"衆", "众"},
        {"隻", "只"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        uint32_t got = hks_zhfold(cp_of(pairs[i][0]));
        if (got != cp_of(pairs[i][1]))
            print_error("%s -> U+%04X, want %s\n", pairs[i][0], (unsigned)got,
                        pairs[i][1]);
        assert_int_equal(got, cp_of(pairs[i][1]));
    }
}

static void test_zhfold_phrases_identical(void **state)
{
    (void)state;
    assert_same_norm("衞生", "衛生"); /* HK and standard traditional */
    assert_same_norm("衞生", "卫生");
    assert_same_norm("醫療", "医疗");
    assert_same_norm("衞生署 臺灣", "卫生署 台湾");
    assert_same_norm("疫苗接種", "疫苗接种");
    assert_same_norm("頭髮 發展", "头发 发展");
    assert_same_norm("裡面 裏面", "里面 里面");
}

static void test_zhfold_simplified_and_ascii_unchanged(void **state)
{
    /* Simplified characters, including ones OpenCC keeps although a
     * traditional character folds onto them or a variant table lists
     * them: 干 (幹/乾 fold to it), 么 (tw2s would give 幺), 后, 发, 里,
     * 台, 只, 才, 吃, 群, 秘, 床, 峰, 卫, 医, 疗, 着, 万, 种. */
    static const char *keep[] = {
        "干",
        "么",
        "后",
        "发",
        "里",
        "台",
        "只",
        "才",
        "吃",
        "群",
        "秘",
        "床",
        "峰",
        "卫",
        "医",
        "疗",
        "着",
        "万",
        "种",
        "疫",
        "苗",
        "接",
        "新",
        "冠",
        "病",
        "毒",
        "健",
        "康",
        "院",
        "生",
        "中",
        "国",
        "人",
        "〇",
        "々",
        "あ",
        "ア",
        "한",
    };
    const char *simp = "国家卫生健康委员会发布新冠肺炎疫情防控方案，"
                       "医疗机构加强疫苗接种服务。";
    uint32_t x[128];
    size_t i, n;
    uint32_t c;
    (void)state;
    for (i = 0; i < sizeof keep / sizeof keep[0]; i++) {
        c = cp_of(keep[i]);
        assert_int_equal(hks_zhfold(c), c);
    }
    for (c = 0; c < 0x3400; c++)
        assert_int_equal(hks_zhfold(c), c); /* ASCII, Latin, kana ... */
    /* A whole simplified sentence normalizes to its own code points. */
    n = norm(simp, x, 128);
    for (i = 0; i < n; i++) {
        if (x[i] == ',' || x[i] == 0x3002)
            continue; /* ，-> ','; 。stays U+3002 */
        assert_int_equal(hks_zhfold(x[i]), x[i]);
    }
    assert_int_equal(hks_zhfold(0x110000), 0x110000);
    assert_int_equal(hks_zhfold(UINT32_MAX), UINT32_MAX);
}

static void test_zhfold_table_sorted_final_consistent(void **state)
{
    uint32_t from, to, prev = 0;
    size_t i;
    (void)state;
    for (i = 0; hks_zhfold_pair(i, &from, &to); i++) {
        if (i > 0)
            assert_true(from > prev);           /* sorted, no duplicates        */
        assert_true(from != to);                /* no identity pairs           */
        assert_int_equal(hks_zhfold(from), to); /* index agrees          */
        assert_int_equal(hks_zhfold(to), to);   /* final: one step folds */
        prev = from;
    }
    assert_true(i > 4000);
    assert_false(hks_zhfold_pair(i, &from, &to));
}

static void test_zhfold_idempotent_everywhere(void **state)
{
    uint32_t c;
    (void)state;
    for (c = 0; c <= 0x10FFFF; c++) {
        uint32_t f = hks_zhfold(c);
        if (hks_zhfold(f) != f) {
            print_error("U+%04X -> U+%04X is not final\n", (unsigned)c,
                        (unsigned)f);
            fail();
        }
    }
}

static void test_zhfold_version(void **state)
{
    const char *v = hks_zhfold_version();
    (void)state;
    assert_non_null(v);
    assert_int_equal(strncmp(v, "opencc-", 7), 0);
    assert_true(strlen(v) > 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zhfold_required_folds),
        cmocka_unit_test(test_zhfold_phrases_identical),
        cmocka_unit_test(test_zhfold_simplified_and_ascii_unchanged),
        cmocka_unit_test(test_zhfold_table_sorted_final_consistent),
        cmocka_unit_test(test_zhfold_idempotent_everywhere),
        cmocka_unit_test(test_zhfold_version),
    };
    return cmocka_run_group_tests_name("zhfold", tests, NULL, NULL);
}
