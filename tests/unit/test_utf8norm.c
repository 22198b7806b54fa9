/*
 * test_utf8norm.c: UTF-8 decoding and normalization (common/utf8norm.c):
 * invalid input of every kind, NFKC + case folding, dropped ignorables and
 * controls, source ranges that map every entry back to its cluster, and
 * buffer growth. Allocation goes through cmocka, which reports leaks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hks_int.h"
#include "hks_test.h"

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

/* Normalize s[0..len) and compare the code points with want[0..n_want). */
static void check_cps(const char *s, size_t len, const uint32_t *want,
                      size_t n_want)
{
    hks_ntext t;
    size_t i;
    hks_ntext_init(&t, &cm);
    assert_int_equal(hks_norm_text(&t, s, len), HKS_OK);
    if (t.n != n_want) {
        for (i = 0; i < t.n; i++)
            print_error("got U+%04X\n", (unsigned)t.cp[i]);
    }
    assert_int_equal(t.n, n_want);
    for (i = 0; i < n_want; i++)
        assert_int_equal(t.cp[i], want[i]);
    hks_ntext_free(&t);
}

/* Normalize and return the invalid count; *first gets first_invalid. */
static size_t n_invalid(const char *s, size_t len, size_t *first,
                        size_t *n_cp)
{
    hks_ntext t;
    size_t r;
    hks_ntext_init(&t, &cm);
    assert_int_equal(hks_norm_text(&t, s, len), HKS_OK);
    r = t.n_invalid;
    *first = t.first_invalid;
    *n_cp = t.n;
    hks_ntext_free(&t);
    return r;
}

static void test_utf8norm_invalid_sequences(void **state)
{
    /* Each case: bytes, expected maximal invalid subparts, first offset,
     * code points that survive. */
    static const struct {
        const char *s;
        size_t len, n_bad, first, n_cp;
    } cases[] = {
        {"a\xFF"
         "b",
         3, 1, 1, 2},             /* bad lead byte                */
        {"\xFE\xFF", 2, 2, 0, 0}, /* two bad lead bytes           */
        {"\x80", 1, 1, 0, 0},     /* lone continuation            */
        {"a\x80\x80"
         "b",
         4, 2, 1, 2},                     /* two lone continuations       */
        {"\xC0\x80", 2, 2, 0, 0},         /* overlong NUL: C0, then 80    */
        {"\xC1\xBF", 2, 2, 0, 0},         /* overlong '?'                 */
        {"\xE0\x80\x80", 3, 3, 0, 0},     /* overlong 3-byte              */
        {"\xE0\x9F\xBF", 3, 3, 0, 0},     /* overlong U+07FF              */
        {"\xED\xA0\x80", 3, 3, 0, 0},     /* surrogate U+D800             */
        {"\xED\xBF\xBF", 3, 3, 0, 0},     /* surrogate U+DFFF             */
        {"\xF0\x80\x80\x80", 4, 4, 0, 0}, /* overlong 4-byte              */
        {"\xF4\x90\x80\x80", 4, 4, 0, 0}, /* over U+10FFFF                */
        {"\xF5\x80\x80\x80", 4, 4, 0, 0}, /* lead beyond F4               */
        {"\xE4\xB8"
         "a",
         3, 1, 0, 1},                         /* truncated, then ASCII        */
        {"\xE4\xB8\xAD\xE4\xB8", 5, 1, 3, 1}, /* 中 + truncated final     */
        {"\xF0\x9F\x98", 3, 1, 0, 0},         /* truncated 4-byte at end      */
        {"\xC3", 1, 1, 0, 0},                 /* truncated 2-byte at end      */
        {"\xE4\x41\xAD", 3, 2, 0, 1},         /* broken by ASCII 'A'          */
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t first, ncp;
        size_t bad = n_invalid(cases[i].s, cases[i].len, &first, &ncp);
        if (bad != cases[i].n_bad || first != cases[i].first ||
            ncp != cases[i].n_cp)
            print_error("case %zu: bad %zu first %zu n %zu\n", i, bad, first,
                        ncp);
        assert_int_equal(bad, cases[i].n_bad);
        assert_int_equal(first, cases[i].first);
        assert_int_equal(ncp, cases[i].n_cp);
    }
}

static void test_utf8norm_valid_has_no_invalid(void **state)
{
    /* 中 U+4E2D, é U+00E9, 😀 U+1F600, U+10FFFF (largest scalar). */
    const char s[] = "\xE4\xB8\xAD\xC3\xA9\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF";
    size_t first, ncp;
    (void)state;
    assert_int_equal(n_invalid(s, sizeof s - 1, &first, &ncp), 0);
    assert_true(first == SIZE_MAX);
}

static void test_utf8norm_nul_and_controls_dropped(void **state)
{
    const char s[] = {'a', 0, 'b', 0x07, 'c', 0x7F, 'd'};
    const uint32_t want[] = {'a', 'b', 'c', 'd'};
    /* Tab, line feed, carriage return stay separators (a space each). */
    const uint32_t want_ws[] = {'a', ' ', 'b', ' ', ' ', 'c'};
    (void)state;
    check_cps(s, sizeof s, want, 4);
    check_cps("a\tb\r\nc", 6, want_ws, 6);
}

static void test_utf8norm_fullwidth_and_case(void **state)
{
    /* ＡＢＣ１２３ (U+FF21..U+FF23, U+FF11..U+FF13) -> abc123. */
    const char fw[] = "\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3"
                      "\xEF\xBC\x91\xEF\xBC\x92\xEF\xBC\x93";
    const uint32_t want_fw[] = {'a', 'b', 'c', '1', '2', '3'};
    /* COVID Straße ΣΑ -> covid strasse σα (ß folds to ss). */
    const char mixed[] = "COVID Stra\xC3\x9F"
                         "e \xCE\xA3\xCE\x91";
    const uint32_t want_mixed[] = {'c', 'o', 'v', 'i', 'd', ' ', 's', 't',
                                   'r', 'a', 's', 's', 'e', ' ', 0x3C3,
                                   0x3B1};
    /* Ideographic space U+3000 -> U+0020; ，U+FF0C -> ','. */
    const char punct[] = "\xE3\x80\x80\xEF\xBC\x8C";
    const uint32_t want_punct[] = {' ', ','};
    (void)state;
    check_cps(fw, sizeof fw - 1, want_fw, 6);
    check_cps(mixed, sizeof mixed - 1, want_mixed, 16);
    check_cps(punct, sizeof punct - 1, want_punct, 2);
}

static void test_utf8norm_compat_ideographs(void **state)
{
    /* U+F9DC (compatibility 隆) -> U+9686 隆; U+F900 (compatibility 豈)
     * -> U+8C48 豈, then folded to 岂 U+5C82; U+2F00 (Kangxi radical one)
     * -> U+4E00 一; U+3392 ㎒ -> "mhz"; U+FB01 ﬁ -> "fi". */
    const char s[] = "\xEF\xA7\x9C\xEF\xA4\x80\xE2\xBC\x80\xE3\x8E\x92"
                     "\xEF\xAC\x81";
    const uint32_t want[] = {0x9686, 0x5C82, 0x4E00, 'm', 'h', 'z', 'f', 'i'};
    (void)state;
    check_cps(s, sizeof s - 1, want, 8);
}

static void test_utf8norm_ignorables_dropped(void **state)
{
    /* ZERO WIDTH SPACE U+200B, BOM U+FEFF, SOFT HYPHEN U+00AD, ZWJ U+200D
     * between letters: all dropped, so the word stays whole. */
    const char s[] = "\xEF\xBB\xBF"
                     "co\xE2\x80\x8Bvi\xC2\xAD"
                     "d\xE2\x80\x8D";
    const uint32_t want[] = {'c', 'o', 'v', 'i', 'd'};
    hks_ntext t;
    (void)state;
    check_cps(s, sizeof s - 1, want, 5);
    /* Ranges point at the letters themselves. */
    hks_ntext_init(&t, &cm);
    assert_int_equal(hks_norm_text(&t, s, sizeof s - 1), HKS_OK);
    assert_int_equal(t.src_start[0], 3);
    assert_int_equal(t.src_end[0], 4);
    assert_int_equal(t.src_start[2], 8);
    hks_ntext_free(&t);
}

static void test_utf8norm_combining_cluster(void **state)
{
    /* e + U+0301 composes to é U+00E9 with the range of both; a mark that
     * composes with nothing keeps the cluster range too. */
    const char s[] = "e\xCC\x81x\xCC\xB8\xE4\xB8\xAD";
    hks_ntext t;
    (void)state;
    hks_ntext_init(&t, &cm);
    assert_int_equal(hks_norm_text(&t, s, sizeof s - 1), HKS_OK);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.cp[0], 0xE9);
    assert_int_equal(t.src_start[0], 0);
    assert_int_equal(t.src_end[0], 3);
    assert_int_equal(t.cp[1], 'x');
    assert_int_equal(t.cp[2], 0x338);
    assert_int_equal(t.src_start[2], 3);
    assert_int_equal(t.src_end[2], 6);
    assert_int_equal(t.cp[3], 0x4E2D);
    assert_int_equal(t.src_start[3], 6);
    hks_ntext_free(&t);
}

static void test_utf8norm_traditional_folded(void **state)
{
    /* 衞生 醫療 -> 卫生 医疗 (folding happens inside normalization). */
    const char s[] = "\xE8\xA1\x9E\xE7\x94\x9F \xE9\x86\xAB\xE7\x99\x82";
    const uint32_t want[] = {0x536B, 0x751F, ' ', 0x533B, 0x7597};
    (void)state;
    check_cps(s, sizeof s - 1, want, 5);
}

/* Check the offset map of one text: ranges inside the input, never
 * decreasing, and each distinct range, cut out of the input and normalized
 * on its own, gives back exactly the entries that carry that range. Bytes
 * not covered by any range must normalize to nothing. */
static void check_offsets(const char *s, size_t len)
{
    hks_ntext t, u;
    size_t i = 0, covered = 0;
    hks_ntext_init(&t, &cm);
    hks_ntext_init(&u, &cm);
    assert_int_equal(hks_norm_text(&t, s, len), HKS_OK);
    while (i < t.n) {
        size_t j = i, k;
        uint32_t a = t.src_start[i], b = t.src_end[i];
        assert_true(a < b && b <= len);
        assert_true(a >= covered);
        while (j < t.n && t.src_start[j] == a) {
            assert_int_equal(t.src_end[j], b);
            j++;
        }
        if (a > covered) {
            /* The gap normalizes to nothing (ignorables, controls). */
            assert_int_equal(hks_norm_text(&u, s + covered, a - covered),
                             HKS_OK);
            assert_int_equal(u.n, 0);
        }
        assert_int_equal(hks_norm_text(&u, s + a, b - a), HKS_OK);
        assert_int_equal(u.n_invalid, 0);
        assert_int_equal(u.n, j - i);
        for (k = 0; k < u.n; k++)
            assert_int_equal(u.cp[k], t.cp[i + k]);
        covered = b;
        i = j;
    }
    hks_ntext_free(&t);
    hks_ntext_free(&u);
}

static char *read_file(const char *path, size_t *len)
{
    char *p = NULL;
    assert_int_equal(hks_test_read_file(path, &p, len), 0); /* tests/helpers */
    return p;
}

static void test_utf8norm_offsets_round_trip(void **state)
{
    static const char *seeds[] = {
        "corpus/000_beb05f062f43795e.txt",
        "corpus/001_ade38ef73a2d2cc1.txt",
        "corpus/002_a98c0e2f6a5c2cb4.txt",
        "corpus/003_0deaf7ce9546a668.txt",
        "corpus/004_9aacc04dfcdb4d2e.txt",
    };
    /* Marks, ignorables, full-width, compatibility, controls mixed. */
    const char mixed[] = "A\xCC\x8A\xE2\x80\x8B\xEF\xBC\xA1\x01\xEF\xAC\x81"
                         "\xE3\x8E\x92 \xE8\xA1\x9E\xE3\x82\xAB\xE3\x82\x99";
    size_t i, len;
    (void)state;
    check_offsets(mixed, sizeof mixed - 1);
    for (i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        char *s = read_file(seeds[i], &len);
        check_offsets(s, len);
        free(s);
    }
}

static void test_utf8norm_growth_and_reuse(void **state)
{
    /* U+FDFA (3 bytes) expands to 18 code points, far beyond one entry per
     * byte; the arrays must grow, and be reused by the next call. */
    char s[3 * 500];
    hks_ntext t;
    size_t i;
    (void)state;
    for (i = 0; i < 500; i++)
        memcpy(s + 3 * i, "\xEF\xB7\xBA", 3);
    hks_ntext_init(&t, &cm);
    assert_int_equal(hks_norm_text(&t, s, sizeof s), HKS_OK);
    assert_int_equal(t.n, 500 * 18);
    assert_int_equal(t.src_start[t.n - 1], 3 * 499);
    assert_int_equal(hks_norm_text(&t, "ab", 2), HKS_OK);
    assert_int_equal(t.n, 2);
    assert_int_equal(hks_norm_text(&t, "", 0), HKS_OK);
    assert_int_equal(t.n, 0);
    hks_ntext_free(&t);
    hks_ntext_free(&t); /* twice is harmless */
}

static void test_utf8norm_bad_arguments(void **state)
{
    hks_ntext t;
    (void)state;
    hks_ntext_init(&t, &cm);
    assert_int_equal(hks_norm_text(&t, NULL, 1), HKS_ERR_ARG);
    assert_int_equal(hks_norm_text(&t, "x", (size_t)HKS_MAX_TEXT_BYTES + 1),
                     HKS_ERR_ARG);
    assert_int_equal(hks_norm_text(&t, NULL, 0), HKS_OK);
    assert_int_equal(t.n, 0);
    hks_ntext_free(&t);
}

static void test_utf8norm_norm_cp(void **state)
{
    uint32_t out[32];
    (void)state;
    assert_int_equal(hks_norm_cp('A', out, 32), 1);
    assert_int_equal(out[0], 'a');
    assert_int_equal(hks_norm_cp(0xFB01, out, 32), 2); /* ﬁ -> f i */
    assert_int_equal(out[1], 'i');
    assert_int_equal(hks_norm_cp(0xFB01, out, 1), 1);  /* cut to cap */
    assert_int_equal(hks_norm_cp(0x200B, out, 32), 0); /* ignorable */
    assert_int_equal(hks_norm_cp(0xD800, out, 32), 0); /* surrogate */
    assert_int_equal(hks_norm_cp(0x110000, out, 32), 0);
    assert_int_equal(hks_norm_cp(0x885B, out, 32), 1); /* 衛 -> 卫 */
    assert_int_equal(out[0], 0x536B);
    assert_int_equal(hks_norm_cp(0xF9DC, out, 32), 1); /* compat 隆 */
    assert_int_equal(out[0], 0x9686);
}

static void test_utf8norm_unicode_version(void **state)
{
    const char *v = hks_norm_unicode_version();
    (void)state;
    assert_non_null(v);
    assert_true(strlen(v) >= 4 && v[0] >= '1' && v[0] <= '9');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8norm_invalid_sequences),
        cmocka_unit_test(test_utf8norm_valid_has_no_invalid),
        cmocka_unit_test(test_utf8norm_nul_and_controls_dropped),
        cmocka_unit_test(test_utf8norm_fullwidth_and_case),
        cmocka_unit_test(test_utf8norm_compat_ideographs),
        cmocka_unit_test(test_utf8norm_ignorables_dropped),
        cmocka_unit_test(test_utf8norm_combining_cluster),
        cmocka_unit_test(test_utf8norm_traditional_folded),
        cmocka_unit_test(test_utf8norm_offsets_round_trip),
        cmocka_unit_test(test_utf8norm_growth_and_reuse),
        cmocka_unit_test(test_utf8norm_bad_arguments),
        cmocka_unit_test(test_utf8norm_norm_cp),
        cmocka_unit_test(test_utf8norm_unicode_version),
    };
    return cmocka_run_group_tests_name("utf8norm", tests, NULL, NULL);
}
