/*
 * test_tokenize.c: the tokenizer (common/tokenize.c) and the character
 * classes it relies on (common/cjk.c): CJK bigrams with the final unigram,
 * words and numbers, separator gaps, term length cut, source ranges, and
 * the equivalence of a traditional seed article with its simplified
 * conversion (tests/data/004_t2s.txt = opencc -c t2s of corpus/004_*.txt).
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

/* A copied token. */
typedef struct tk {
    char term[HKS_MAX_TERM_BYTES + 1];
    uint32_t pos, start, end;
    unsigned flags;
} tk;

typedef struct toks {
    tk *v;
    size_t n, cap;
    uint32_t next_pos;
} toks;

static int collect(void *ctx, const hks_token *tok)
{
    toks *ts = ctx;
    tk *k;
    assert_true(tok->term_len >= 1 && tok->term_len <= HKS_MAX_TERM_BYTES);
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? ts->cap * 2 : 64;
        ts->v = test_realloc(ts->v, ts->cap * sizeof *ts->v);
        assert_non_null(ts->v);
    }
    k = &ts->v[ts->n++];
    memcpy(k->term, tok->term, tok->term_len);
    k->term[tok->term_len] = '\0';
    k->pos = tok->pos;
    k->start = tok->src_start;
    k->end = tok->src_end;
    k->flags = tok->flags;
    return HKS_OK;
}

/* Tokenize s[0..len) from position first_pos into ts. */
static void tokenize_n(const char *s, size_t len, uint32_t first_pos,
                       toks *ts)
{
    hks_ntext t;
    memset(ts, 0, sizeof *ts);
    hks_ntext_init(&t, &cm);
    assert_int_equal(hks_norm_text(&t, s, len), HKS_OK);
    assert_int_equal(hks_tokenize(&t, first_pos, collect, ts, &ts->next_pos),
                     HKS_OK);
    hks_ntext_free(&t);
}

static void tokenize(const char *s, toks *ts)
{
    tokenize_n(s, strlen(s), 0, ts);
}

static void toks_free(toks *ts)
{
    test_free(ts->v);
    memset(ts, 0, sizeof *ts);
}

#define C HKS_TOK_CJK
#define L (HKS_TOK_CJK | HKS_TOK_LAST)
#define W HKS_TOK_WORD

/* Expected token. */
typedef struct want {
    const char *term;
    uint32_t pos, start, end;
    unsigned flags;
} want;

static void expect(const char *s, const want *w, size_t n_w)
{
    toks ts;
    size_t i;
    tokenize(s, &ts);
    if (ts.n != n_w) {
        for (i = 0; i < ts.n; i++)
            print_error("%u %s %u-%u %u\n", (unsigned)ts.v[i].pos,
                        ts.v[i].term, (unsigned)ts.v[i].start,
                        (unsigned)ts.v[i].end, ts.v[i].flags);
    }
    assert_int_equal(ts.n, n_w);
    for (i = 0; i < n_w; i++) {
        assert_string_equal(ts.v[i].term, w[i].term);
        assert_int_equal(ts.v[i].pos, w[i].pos);
        assert_int_equal(ts.v[i].start, w[i].start);
        assert_int_equal(ts.v[i].end, w[i].end);
        assert_int_equal(ts.v[i].flags, w[i].flags);
    }
    toks_free(&ts);
}

static void test_tokenize_cjk_bigrams(void **state)
{
    /* 疫苗接种 (vaccination): 3 bytes a character. */
    const want w[] = {{"疫苗", 0, 0, 6, C},
                      {"苗接", 1, 3, 9, C},
                      {"接种", 2, 6, 12, C},
                      {"种", 3, 9, 12, L}};
    (void)state;
    expect("疫苗接种", w, 4);
}

static void test_tokenize_single_char_and_empty(void **state)
{
    const want w1[] = {{"医", 0, 0, 3, L}};
    const want w2[] = {{"a", 0, 0, 1, W}};
    toks ts;
    (void)state;
    expect("医", w1, 1);
    expect("A", w2, 1);
    tokenize_n("", 0, 7, &ts);
    assert_int_equal(ts.n, 0);
    assert_int_equal(ts.next_pos, 7); /* nothing emitted, no gap */
    toks_free(&ts);
    tokenize_n("，。 \n\t！", strlen("，。 \n\t！"), 7, &ts);
    assert_int_equal(ts.n, 0);
    assert_int_equal(ts.next_pos, 7);
    toks_free(&ts);
}

static void test_tokenize_words_and_numbers(void **state)
{
    /* COVID-19: two words, the hyphen leaves a one-position gap. */
    const want covid[] = {{"covid", 0, 0, 5, W}, {"19", 2, 6, 8, W}};
    /* A word next to a CJK run: the boundary is a one-position gap, as a
     * separator is (H1N1流感 and "H1N1 流感" give the same positions). */
    const want h1n1[] = {{"h1n1", 0, 0, 4, W}, {"流感", 2, 4, 10, C}, {"感", 3, 7, 10, L}};
    /* 3.2万: '.' between digits stays in the number. */
    const want num[] = {{"3.2", 0, 0, 3, W}, {"万", 2, 3, 6, L}};
    /* 25.5万只 (255 thousand head). */
    const want num2[] = {{"25.5", 0, 0, 4, W}, {"万只", 2, 4, 10, C}, {"只", 3, 7, 10, L}};
    const want h1n1_sp[] = {{"h1n1", 0, 0, 4, W}, {"流感", 2, 5, 11, C}, {"感", 3, 8, 11, L}};
    /* Dates split on '-', each part a word. */
    const want date[] = {{"2021", 0, 0, 4, W}, {"09", 2, 5, 7, W}, {"11", 4, 8, 10, W}};
    /* '.' not between two digits separates. */
    const want dots[] = {{"v1.2", 0, 0, 4, W}, {"a", 2, 5, 6, W}, {"b", 4, 7, 8, W}, {"3", 6, 9, 10, W}, {"5", 8, 13, 14, W}};
    (void)state;
    expect("COVID-19", covid, 2);
    expect("H1N1流感", h1n1, 3);
    expect("H1N1 流感", h1n1_sp, 3);
    expect("3.2万", num, 2);
    expect("25.5万只", num2, 3);
    expect("2021-09-11", date, 3);
    expect("v1.2 a.b 3. .5", dots, 5);
}

static void test_tokenize_separators_break_runs(void **state)
{
    /* A comma, spaces or a line break between CJK characters: the run is
     * cut (no 苗接 bigram) and one position is skipped however long the
     * separator run is. */
    const want w[] = {{"疫苗", 0, 0, 6, C}, {"苗", 1, 3, 6, L}, {"接种", 3, 9, 15, C}, {"种", 4, 12, 15, L}, {"医院", 6, 18, 24, C}, {"院", 7, 21, 24, L}};
    const want sp[] = {{"a", 0, 0, 1, W}, {"b", 2, 4, 5, W}};
    (void)state;
    expect("疫苗，接种 \n 医院", w, 6);
    expect("a   b", sp, 2);
}

static void test_tokenize_next_pos_and_first_pos(void **state)
{
    toks ts;
    (void)state;
    tokenize_n("疫苗", strlen("疫苗"), 10, &ts);
    assert_int_equal(ts.n, 2);
    assert_int_equal(ts.v[0].pos, 10);
    assert_int_equal(ts.v[1].pos, 11);
    assert_int_equal(ts.next_pos, 13); /* after 11, plus the field gap */
    toks_free(&ts);
    tokenize_n("疫苗。", strlen("疫苗。"), 10, &ts);
    assert_int_equal(ts.next_pos, 13); /* trailing separator: same gap */
    toks_free(&ts);
}

static void test_tokenize_traditional_same_terms(void **state)
{
    /* HPV疫苗接種 (traditional 種) folds to the terms of HPV疫苗接种. */
    toks a, b;
    size_t i;
    (void)state;
    tokenize("HPV疫苗接種", &a);
    tokenize("HPV疫苗接种", &b);
    assert_int_equal(a.n, 5);
    assert_int_equal(a.n, b.n);
    for (i = 0; i < a.n; i++) {
        assert_string_equal(a.v[i].term, b.v[i].term);
        assert_int_equal(a.v[i].pos, b.v[i].pos);
    }
    assert_string_equal(a.v[0].term, "hpv");
    assert_string_equal(a.v[3].term, "接种");
    toks_free(&a);
    toks_free(&b);
}

static void test_tokenize_fullwidth_and_emoji(void **state)
{
    /* ＣＯＶＩＤ－１９ (full-width) = covid 19; emoji separate runs.
     * 😀 U+1F600 and 👍🏻 (U+1F44D + skin tone U+1F3FB) are symbols. */
    const want fw[] = {{"covid", 0, 0, 15, W}, {"19", 2, 18, 24, W}};
    const want emo[] = {{"疫苗", 0, 0, 6, C}, {"苗", 1, 3, 6, L}, {"接种", 3, 10, 16, C}, {"种", 4, 13, 16, L}, {"ok", 6, 24, 26, W}};
    (void)state;
    expect("ＣＯＶＩＤ－１９", fw, 2);
    expect("疫苗😀接种👍🏻ok", emo, 5);
}

static void test_tokenize_long_word_cut(void **state)
{
    /* A 1 MB document that is one word: one token, cut to 64 bytes, whose
     * range still covers the whole word. */
    size_t n = 1u << 20, i;
    char *s = malloc(n);
    toks ts;
    (void)state;
    assert_non_null(s);
    memset(s, 'A', n);
    tokenize_n(s, n, 0, &ts);
    assert_int_equal(ts.n, 1);
    assert_int_equal(strlen(ts.v[0].term), HKS_MAX_TERM_BYTES);
    assert_int_equal(ts.v[0].start, 0);
    assert_int_equal(ts.v[0].end, n);
    assert_int_equal(ts.next_pos, 2);
    toks_free(&ts);
    /* 'x' then é (2 bytes each): the cut falls on a code point boundary,
     * so the term is 1 + 31 * 2 = 63 bytes, not 64. */
    s[0] = 'x';
    for (i = 1; i + 1 < n; i += 2) {
        s[i] = (char)0xC3;
        s[i + 1] = (char)0xA9;
    }
    tokenize_n(s, i, 0, &ts);
    assert_int_equal(ts.n, 1);
    assert_int_equal(strlen(ts.v[0].term), 63);
    toks_free(&ts);
    free(s);
}

static int stop_at_third(void *ctx, const hks_token *tok)
{
    int *count = ctx;
    (void)tok;
    return ++*count == 3 ? HKS_ERR_NOMEM : HKS_OK;
}

static void test_tokenize_callback_stops(void **state)
{
    hks_ntext t;
    int count = 0;
    (void)state;
    hks_ntext_init(&t, &cm);
    assert_int_equal(hks_norm_text(&t, "疫苗接种 abc", strlen("疫苗接种 abc")),
                     HKS_OK);
    assert_int_equal(hks_tokenize(&t, 0, stop_at_third, &count, NULL),
                     HKS_ERR_NOMEM);
    assert_int_equal(count, 3);
    hks_ntext_free(&t);
}

static void test_tokenize_utf8_put(void **state)
{
    uint8_t b[4];
    (void)state;
    assert_int_equal(hks_utf8_put(b, 'a'), 1);
    assert_int_equal(hks_utf8_put(b, 0xE9), 2);
    assert_int_equal(hks_utf8_put(b, 0x4E2D), 3);
    assert_memory_equal(b, "\xE4\xB8\xAD", 3);
    assert_int_equal(hks_utf8_put(b, 0x1F600), 4);
    assert_memory_equal(b, "\xF0\x9F\x98\x80", 4);
    assert_int_equal(hks_utf8_put(b, 0xD800), 3); /* -> U+FFFD */
    assert_memory_equal(b, "\xEF\xBF\xBD", 3);
    assert_int_equal(hks_utf8_put(b, 0x110000), 3);
}

static void test_tokenize_cclass(void **state)
{
    static const struct {
        uint32_t cp;
        hks_cclass want;
    } cases[] = {
        {'a', HKS_CC_WORD},
        {'Z', HKS_CC_WORD},
        {'7', HKS_CC_WORD},
        {' ', HKS_CC_SEP},
        {'-', HKS_CC_SEP},
        {'.', HKS_CC_SEP},
        {0x4E2D, HKS_CC_CJK},
        /* 中 */ {0x3007, HKS_CC_CJK},
        {0x3005, HKS_CC_CJK},
        /* 々 */ {0x3042, HKS_CC_CJK},
        {0x30A2, HKS_CC_CJK},
        /* ア */ {0x30FC, HKS_CC_CJK},
        {0x30FB, HKS_CC_SEP},
        /* ・ */ {0xD55C, HKS_CC_CJK},
        {0x3105, HKS_CC_CJK},
        /* ㄅ */ {0x3400, HKS_CC_CJK},
        {0x20000, HKS_CC_CJK},
        /* ext B */ {0x323AF, HKS_CC_CJK},
        {0x2F800, HKS_CC_CJK},
        {0xF900, HKS_CC_CJK},
        {0x3002, HKS_CC_SEP},
        {0xFF0C, HKS_CC_SEP},
        {0x201C, HKS_CC_SEP},
        {0x3000, HKS_CC_SEP},
        {0x0301, HKS_CC_MARK},
        {0x3099, HKS_CC_MARK},
        {0xE9, HKS_CC_WORD},
        {0x44F, HKS_CC_WORD},
        /* я */ {0x663, HKS_CC_WORD},
        {0x1F600, HKS_CC_SEP},
        {0x1F3FB, HKS_CC_SEP},
        {0x2460, HKS_CC_WORD},
        {0xE000, HKS_CC_SEP},
        {0x110000, HKS_CC_SEP},
        {0xFFFD, HKS_CC_SEP},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (hks_cclass_of(cases[i].cp) != cases[i].want)
            print_error("U+%04X\n", (unsigned)cases[i].cp);
        assert_int_equal(hks_cclass_of(cases[i].cp), cases[i].want);
    }
}

static char *read_all(const char *path, size_t *len)
{
    char *p = NULL;
    assert_int_equal(hks_test_read_file(path, &p, len), 0); /* tests/helpers */
    return p;
}

/* An expected difference between the tokens of a traditional text and of
 * its OpenCC t2s conversion: at position pos, the traditional side gives
 * trad and the converted side conv. */
typedef struct tdiff {
    uint32_t pos;
    const char *trad, *conv;
} tdiff;

/* Both texts must give the same number of tokens at the same positions and
 * the same terms, except exactly the listed differences. */
static void compare_t2s(const char *trad, size_t trad_len, const char *conv,
                        size_t conv_len, const tdiff *d, size_t n_d)
{
    toks a, b;
    size_t i, k = 0;
    tokenize_n(trad, trad_len, 0, &a);
    tokenize_n(conv, conv_len, 0, &b);
    assert_true(a.n > 0);
    assert_int_equal(a.n, b.n);
    for (i = 0; i < a.n; i++) {
        assert_int_equal(a.v[i].pos, b.v[i].pos);
        if (strcmp(a.v[i].term, b.v[i].term) == 0)
            continue;
        if (k >= n_d || d[k].pos != a.v[i].pos ||
            strcmp(d[k].trad, a.v[i].term) != 0 ||
            strcmp(d[k].conv, b.v[i].term) != 0) {
            print_error("unexpected difference at %u: %s / %s\n",
                        (unsigned)a.v[i].pos, a.v[i].term, b.v[i].term);
            fail();
        }
        k++;
    }
    assert_int_equal(k, n_d); /* every listed difference occurred */
    toks_free(&a);
    toks_free(&b);
}

static void test_tokenize_t2s_seed_equivalent(void **state)
{
    /* corpus/004 is the traditional seed (綿陽日報 on 游仙 health reform);
     * tests/data/004_t2s.txt is `opencc -c t2s` of it. OpenCC converted it
     * character by character here (no phrase entry fired with a different
     * result), so the token sequences are identical: the list of expected
     * differences is empty, and any difference fails the test. */
    static const tdiff none[1] = {{0, "", ""}};
    size_t la, lb;
    char *a = read_all("corpus/004_9aacc04dfcdb4d2e.txt", &la);
    char *b = read_all("tests/data/004_t2s.txt", &lb);
    (void)state;
    compare_t2s(a, la, b, lb, none, 0);
    free(a);
    free(b);
}

static void test_tokenize_t2s_phrase_differences(void **state)
{
    /* Where OpenCC converts a phrase rather than a character, the
     * character fold can differ from t2s; these are the known cases, each
     * listed with both sides. t2s output was produced with
     * `opencc -c t2s` (OpenCC 1.1.6).
     *   瞭解 -> 了解 (TSPhrases); the character 瞭 stays 瞭
     *   藉口 -> 借口 (TSPhrases); the character 藉 stays 藉
     *   回覆 -> 回复 (TSPhrases); the character 覆 stays 覆
     *   項鍊 -> 项链 (TSPhrases); the character 鍊 folds to 炼 */
    static const char trad[] = "我們瞭解到他藉口回覆遲了，項鍊在這裡。";
    static const char conv[] = "我们了解到他借口回复迟了，项链在这里。";
    static const tdiff d[] = {
        {1, "们瞭", "们了"},
        {2, "瞭解", "了解"},
        {5, "他藉", "他借"},
        {6, "藉口", "借口"},
        {8, "回覆", "回复"},
        {9, "覆迟", "复迟"},
        {13, "项炼", "项链"},
        {14, "炼在", "链在"},
    };
    (void)state;
    compare_t2s(trad, sizeof trad - 1, conv, sizeof conv - 1, d,
                sizeof d / sizeof d[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokenize_cjk_bigrams),
        cmocka_unit_test(test_tokenize_single_char_and_empty),
        cmocka_unit_test(test_tokenize_words_and_numbers),
        cmocka_unit_test(test_tokenize_separators_break_runs),
        cmocka_unit_test(test_tokenize_next_pos_and_first_pos),
        cmocka_unit_test(test_tokenize_traditional_same_terms),
        cmocka_unit_test(test_tokenize_fullwidth_and_emoji),
        cmocka_unit_test(test_tokenize_long_word_cut),
        cmocka_unit_test(test_tokenize_callback_stops),
        cmocka_unit_test(test_tokenize_utf8_put),
        cmocka_unit_test(test_tokenize_cclass),
        cmocka_unit_test(test_tokenize_t2s_seed_equivalent),
        cmocka_unit_test(test_tokenize_t2s_phrase_differences),
    };
    return cmocka_run_group_tests_name("tokenize", tests, NULL, NULL);
}
