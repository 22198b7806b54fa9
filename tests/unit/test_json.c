/*
 * test_json.c: the JSONL object reader (indexer/json.c): escapes and
 * surrogates, numbers and literals, nested values and the depth limit,
 * every kind of malformed line with its byte offset, duplicate keys, and
 * allocation failures. Every test allocates through the cmocka allocator,
 * so a leak fails the test.
 */
#include "hks_test.h"
#include "hks_indexer.h"

#include <stdio.h>
#include <string.h>

/* Parse s (NUL-terminated) with a fresh parser; the caller frees *out. */
static int parse(const char *s, hks_json **out, hks_errbuf *e)
{
    hks_json *j = NULL;
    assert_int_equal(hks_json_new(hks_test_cm_alloc(), &j), HKS_OK);
    *out = j;
    e->msg[0] = '\0';
    return hks_json_parse(j, s, strlen(s), e);
}

/* Assert that member key of j is the string want (NUL-terminated). */
static void expect_str(const hks_json *j, const char *key, const char *want)
{
    const char *p;
    size_t n;
    assert_int_equal(hks_json_get(j, key, &p, &n), HKS_OK);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(p, want, n);
}

/* Assert that s fails to parse with a message starting "byte K:". */
static void expect_error_at(const char *s, size_t k)
{
    hks_json *j;
    hks_errbuf e;
    char want[32];
    const char *p;
    size_t n;
    assert_int_equal(parse(s, &j, &e), HKS_ERR_INPUT);
    snprintf(want, sizeof want, "byte %zu: expected", k);
    if (strncmp(e.msg, want, strlen(want)) != 0)
        fail_msg("input %s: got \"%s\", want \"%s ...\"", s, e.msg, want);
    /* After an error no member is found. */
    assert_int_equal(hks_json_get(j, "a", &p, &n), HKS_ERR_NOTFOUND);
    hks_json_free(j);
}

static void test_json_plain_members(void **state)
{
    hks_json *j;
    hks_errbuf e;
    const char *p;
    size_t n;
    (void)state;
    assert_int_equal(parse(" {\"id\": \"25908\", \"title\":\"疫苗\" ,"
                           "\"body\":\"\"}\r\n",
                           &j, &e),
                     HKS_OK);
    expect_str(j, "id", "25908");
    expect_str(j, "title", "疫苗"); /* U+75AB U+82D7, vaccine */
    expect_str(j, "body", "");
    assert_int_equal(hks_json_get(j, "url", &p, &n), HKS_ERR_NOTFOUND);
    assert_int_equal(hks_json_get(j, "", &p, &n), HKS_ERR_NOTFOUND);
    hks_json_free(j);
}

static void test_json_empty_object(void **state)
{
    hks_json *j;
    hks_errbuf e;
    const char *p;
    size_t n;
    (void)state;
    assert_int_equal(parse("{}", &j, &e), HKS_OK);
    assert_int_equal(hks_json_get(j, "id", &p, &n), HKS_ERR_NOTFOUND);
    hks_json_free(j);
}

static void test_json_escapes(void **state)
{
    hks_json *j;
    hks_errbuf e;
    (void)state;
    assert_int_equal(
        parse("{\"s\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t end\"}", &j, &e),
        HKS_OK);
    expect_str(j, "s", "q\" b\\ s/ \b\f\n\r\t end");
    hks_json_free(j);
}

static void test_json_unicode_escapes(void **state)
{
    hks_json *j;
    hks_errbuf e;
    (void)state;
    /* U+0041, U+00E9, U+4E2D (中), U+FFFF, U+0001 (a control character
     * escaped, as the hkcnews data has them), and an escaped key. */
    assert_int_equal(parse("{\"a\":\"\\u0041\\u00e9\\u4E2D\\uffff\\u0001\","
                           "\"\\u0062\":\"x\"}",
                           &j, &e),
                     HKS_OK);
    expect_str(j, "a", "A\xC3\xA9\xE4\xB8\xAD\xEF\xBF\xBF\x01");
    expect_str(j, "b", "x");
    hks_json_free(j);
}

static void test_json_surrogates(void **state)
{
    hks_json *j;
    hks_errbuf e;
    (void)state;
    /* U+1F600 as a pair; U+20000 (CJK extension B) as a pair; then a lone
     * high, a lone low, a high followed by a non-surrogate escape, and a
     * high at the very end: each lone surrogate becomes U+FFFD. */
    assert_int_equal(parse("{\"pair\":\"\\ud83d\\ude00\\uD840\\uDC00\","
                           "\"lone\":\"\\ud83dx\\ude00y\\ud83d\\u0041\","
                           "\"end\":\"\\udbff\"}",
                           &j, &e),
                     HKS_OK);
    expect_str(j, "pair", "\xF0\x9F\x98\x80\xF0\xA0\x80\x80");
    expect_str(j, "lone",
               "\xEF\xBF\xBDx\xEF\xBF\xBDy\xEF\xBF\xBD"
               "A");
    expect_str(j, "end", "\xEF\xBF\xBD");
    hks_json_free(j);
}

static void test_json_invalid_utf8_passes(void **state)
{
    hks_json *j;
    hks_errbuf e;
    (void)state;
    /* Bytes 0x80 and above are copied unchecked: the normalizer skips
     * invalid UTF-8 later, so a record is not lost for one bad byte. */
    assert_int_equal(parse("{\"b\":\"a\xFF\xC0z\"}", &j, &e), HKS_OK);
    expect_str(j, "b", "a\xFF\xC0z");
    hks_json_free(j);
}

static void test_json_numbers_and_literals(void **state)
{
    hks_json *j;
    hks_errbuf e;
    const char *p;
    size_t n;
    (void)state;
    assert_int_equal(parse("{\"id\":25908,\"f\":-0.5e+10,\"z\":0,\"big\":"
                           "18446744073709551616,\"t\":true,\"fa\":false,"
                           "\"nu\":null,\"E\":1E5}",
                           &j, &e),
                     HKS_OK);
    expect_str(j, "id", "25908"); /* numbers come back as their text */
    expect_str(j, "f", "-0.5e+10");
    expect_str(j, "z", "0");
    expect_str(j, "big", "18446744073709551616");
    expect_str(j, "E", "1E5");
    assert_int_equal(hks_json_get(j, "t", &p, &n), HKS_ERR_INPUT);
    assert_int_equal(hks_json_get(j, "fa", &p, &n), HKS_ERR_INPUT);
    assert_int_equal(hks_json_get(j, "nu", &p, &n), HKS_ERR_NOTFOUND);
    hks_json_free(j);
}

static void test_json_nested_skipped(void **state)
{
    hks_json *j;
    hks_errbuf e;
    const char *p;
    size_t n;
    (void)state;
    assert_int_equal(parse("{\"tags\":[\"a\",{\"id\":\"inner\",\"x\":[[],{}]},"
                           "1,true,null],\"o\":{},\"id\":\"outer\"}",
                           &j, &e),
                     HKS_OK);
    /* Only top-level members are visible; nested values are not strings. */
    expect_str(j, "id", "outer");
    assert_int_equal(hks_json_get(j, "tags", &p, &n), HKS_ERR_INPUT);
    assert_int_equal(hks_json_get(j, "o", &p, &n), HKS_ERR_INPUT);
    assert_int_equal(hks_json_get(j, "x", &p, &n), HKS_ERR_NOTFOUND);
    hks_json_free(j);
}

/* {"a": [[[...]]]} with `levels` levels in all (the object is level 1). */
static char *nested(int levels)
{
    size_t n = 6 + 2 * (size_t)levels + 2;
    char *s = test_malloc(n);
    size_t k = 0;
    memcpy(s, "{\"a\":", 5);
    k = 5;
    for (int i = 1; i < levels; i++)
        s[k++] = '[';
    for (int i = 1; i < levels; i++)
        s[k++] = ']';
    s[k++] = '}';
    s[k] = '\0';
    return s;
}

/* Assert that member key of j read as a list is want. */
static void expect_list(const hks_json *j, const char *key, const char *want)
{
    const char *p;
    size_t n;
    assert_int_equal(hks_json_get_list(j, key, &p, &n), HKS_OK);
    if (n != strlen(want) || memcmp(p, want, n) != 0)
        fail_msg("%s: \"%.*s\", want \"%s\"", key, (int)n, p, want);
}

/* "tags" as the hkcnews records write them: an array of strings is a list
 * (elements '\n'-ended, empty ones left out, a newline inside one a
 * space); a string is itself; an array holding anything else is skipped
 * as before and is not a list; the members after an array are read. */
static void test_json_string_lists(void **state)
{
    hks_json *j;
    hks_errbuf e;
    const char *p;
    size_t n;
    (void)state;
    assert_int_equal(parse("{\"id\":\"175\",\"tags\":[\"movie\", \"電影\",\"\",\"死亡\\n筆記\"],"
                           "\"empty\":[],\"one\":\"单个\",\"mixed\":[\"a\",1],\"deep\":[[\"a\"]],"
                           "\"num\":3,\"obj\":{\"k\":\"v\"},\"nul\":null,\"body\":\"正文\"}",
                           &j, &e),
                     HKS_OK);
    expect_list(j, "tags", "movie\n電影\n死亡 筆記\n");
    expect_list(j, "empty", "");
    expect_list(j, "one", "单个");
    assert_int_equal(hks_json_get_list(j, "mixed", &p, &n), HKS_ERR_INPUT);
    assert_int_equal(hks_json_get_list(j, "deep", &p, &n), HKS_ERR_INPUT);
    assert_int_equal(hks_json_get_list(j, "num", &p, &n), HKS_ERR_INPUT);
    assert_int_equal(hks_json_get_list(j, "obj", &p, &n), HKS_ERR_INPUT);
    assert_int_equal(hks_json_get_list(j, "nul", &p, &n), HKS_ERR_NOTFOUND);
    assert_int_equal(hks_json_get_list(j, "absent", &p, &n), HKS_ERR_NOTFOUND);
    /* hks_json_get still sees an array as not a string. */
    assert_int_equal(hks_json_get(j, "tags", &p, &n), HKS_ERR_INPUT);
    expect_str(j, "body", "正文");
    expect_str(j, "id", "175");
    hks_json_free(j);
    /* A broken string inside an array is a syntax error at its byte. */
    expect_error_at("{\"tags\":[\"a\",\"b\\x\"]}", 16);
}

static void test_json_depth_limit(void **state)
{
    hks_json *j;
    hks_errbuf e;
    char *ok = nested(64), *deep = nested(65);
    (void)state;
    assert_int_equal(parse(ok, &j, &e), HKS_OK);
    hks_json_free(j);
    assert_int_equal(parse(deep, &j, &e), HKS_ERR_INPUT);
    /* The 65th level opens at byte 5 + 63. */
    assert_string_equal(e.msg, "byte 68: expected at most 64 levels of "
                               "nesting");
    hks_json_free(j);
    test_free(ok);
    test_free(deep);
}

static void test_json_duplicate_key_last_wins(void **state)
{
    hks_json *j;
    hks_errbuf e;
    const char *p;
    size_t n;
    (void)state;
    assert_int_equal(parse("{\"id\":\"1\",\"id\":\"2\",\"t\":\"x\",\"t\":null}",
                           &j, &e),
                     HKS_OK);
    expect_str(j, "id", "2");
    assert_int_equal(hks_json_get(j, "t", &p, &n), HKS_ERR_NOTFOUND);
    hks_json_free(j);
}

static void test_json_malformed_lines(void **state)
{
    (void)state;
    expect_error_at("", 0);                    /* empty line            */
    expect_error_at("   ", 3);                 /* only blanks           */
    expect_error_at("[1]", 0);                 /* not an object         */
    expect_error_at("\"a\"", 0);               /* a bare string         */
    expect_error_at("{", 1);                   /* unterminated object   */
    expect_error_at("{\"a\":1", 6);            /* missing '}'           */
    expect_error_at("{\"a\":1,}", 7);          /* trailing comma        */
    expect_error_at("{\"a\" 1}", 5);           /* missing ':'           */
    expect_error_at("{a:1}", 1);               /* unquoted key          */
    expect_error_at("{\"a\":}", 5);            /* missing value         */
    expect_error_at("{\"a\":\"x}", 8);         /* unterminated string   */
    expect_error_at("{\"a\":\"x\ty\"}", 7);    /* raw TAB in a string   */
    expect_error_at("{\"a\":\"x\ny\"}", 7);    /* raw newline           */
    expect_error_at("{\"a\":\"\\x\"}", 7);     /* unknown escape        */
    expect_error_at("{\"a\":\"\\u12G4\"}", 8); /* bad hex digit         */
    expect_error_at("{\"a\":\"\\u12\"}", 8);   /* short \u escape       */
    expect_error_at("{\"a\":01}", 6);          /* leading zero          */
    expect_error_at("{\"a\":1.}", 7);          /* no fraction digits    */
    expect_error_at("{\"a\":1e}", 7);          /* no exponent digits    */
    expect_error_at("{\"a\":-}", 6);           /* a lone minus          */
    expect_error_at("{\"a\":+1}", 5);          /* a plus sign           */
    expect_error_at("{\"a\":.5}", 5);          /* no integer part       */
    expect_error_at("{\"a\":tru}", 5);         /* cut literal           */
    expect_error_at("{\"a\":nul}", 5);         /* cut literal           */
    expect_error_at("{\"a\":NaN}", 5);         /* not JSON              */
    expect_error_at("{\"a\":[1 2]}", 8);       /* missing ',' in array  */
    expect_error_at("{\"a\":{\"b\"}}", 9);     /* nested missing ':'    */
    expect_error_at("{\"a\":[}", 6);           /* mismatched bracket    */
    expect_error_at("{\"a\":1} x", 8);         /* trailing garbage      */
    expect_error_at("{\"a\":1}{}", 7);         /* two objects           */
    expect_error_at("\xEF\xBB\xBF{}", 0);      /* a BOM is the caller's */
}

static void test_json_nul_inside_line(void **state)
{
    hks_json *j;
    hks_errbuf e;
    static const char line[] = "{\"a\":\"x\"}\0junk";
    (void)state;
    assert_int_equal(hks_json_new(hks_test_cm_alloc(), &j), HKS_OK);
    assert_int_equal(hks_json_parse(j, line, sizeof line - 1, &e),
                     HKS_ERR_INPUT);
    assert_string_equal(e.msg, "byte 9: expected the end of the line after "
                               "the object");
    hks_json_free(j);
}

static void test_json_reuse_replaces_members(void **state)
{
    hks_json *j;
    hks_errbuf e;
    const char *p;
    size_t n;
    char big[10000];
    (void)state;
    assert_int_equal(parse("{\"old\":\"1\"}", &j, &e), HKS_OK);
    /* A second, longer record grows the buffer; the old member is gone. */
    memset(big, 'x', sizeof big);
    memcpy(big, "{\"new\":\"", 8);
    memcpy(big + sizeof big - 3, "\"}", 3);
    assert_int_equal(hks_json_parse(j, big, strlen(big), &e), HKS_OK);
    assert_int_equal(hks_json_get(j, "old", &p, &n), HKS_ERR_NOTFOUND);
    assert_int_equal(hks_json_get(j, "new", &p, &n), HKS_OK);
    assert_int_equal(n, sizeof big - 11);
    hks_json_free(j);
}

static void test_json_many_members(void **state)
{
    hks_json *j;
    hks_errbuf e;
    char line[4096], key[16], val[16];
    size_t k = 0;
    (void)state;
    line[k++] = '{';
    for (int i = 0; i < 100; i++)
        k += (size_t)snprintf(line + k, sizeof line - k, "%s\"k%d\":\"v%d\"",
                              i ? "," : "", i, i);
    line[k++] = '}';
    line[k] = '\0';
    assert_int_equal(parse(line, &j, &e), HKS_OK);
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(val, sizeof val, "v%d", i);
        expect_str(j, key, val);
    }
    hks_json_free(j);
}

static void test_json_free_null(void **state)
{
    (void)state;
    hks_json_free(NULL);
}

static void test_json_oom(void **state)
{
    const char *line = "{\"id\":\"1\",\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,"
                       "\"f\":6,\"g\":7,\"h\":8,\"i\":9,\"j\":10,\"k\":11,"
                       "\"l\":12,\"m\":13,\"n\":14,\"o\":15,\"p\":16,"
                       "\"q\":\"last\"}";
    (void)state;
    for (long k = 0;; k++) {
        hks_test_fault f;
        hks_json *j = NULL;
        hks_errbuf e;
        int rc;
        hks_test_fault_init(&f, k);
        rc = hks_json_new(&f.alloc, &j);
        if (rc == HKS_OK)
            rc = hks_json_parse(j, line, strlen(line), &e);
        if (rc == HKS_OK)
            expect_str(j, "q", "last");
        hks_json_free(j);
        assert_int_equal(f.live_blocks, 0);
        if (f.n_failed == 0) {
            assert_int_equal(rc, HKS_OK);
            break;
        }
        assert_int_equal(rc, HKS_ERR_NOMEM);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_plain_members),
        cmocka_unit_test(test_json_empty_object),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_unicode_escapes),
        cmocka_unit_test(test_json_surrogates),
        cmocka_unit_test(test_json_invalid_utf8_passes),
        cmocka_unit_test(test_json_numbers_and_literals),
        cmocka_unit_test(test_json_nested_skipped),
        cmocka_unit_test(test_json_string_lists),
        cmocka_unit_test(test_json_depth_limit),
        cmocka_unit_test(test_json_duplicate_key_last_wins),
        cmocka_unit_test(test_json_malformed_lines),
        cmocka_unit_test(test_json_nul_inside_line),
        cmocka_unit_test(test_json_reuse_replaces_members),
        cmocka_unit_test(test_json_many_members),
        cmocka_unit_test(test_json_free_null),
        cmocka_unit_test(test_json_oom),
    };
    return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
