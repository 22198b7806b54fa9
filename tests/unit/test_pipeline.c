/*
 * test_pipeline.c: normalization + tokenization over real text, checking
 * invariants on every token rather than exact output: the seed articles in
 * corpus/, every record of the DXY COVID-19 news set from the shared data
 * directory (env HKS_DATA, else ../shared/data; skipped with a message if
 * absent), and random byte strings from a fixed seed. Meant to be run
 * under `make SANITIZE=address,undefined` as well.
 *
 * Invariants: term non-empty, at most HKS_MAX_TERM_BYTES, valid UTF-8 and
 * already normalized (normalizing it again gives it back); positions
 * strictly increasing; source ranges non-empty, inside the text, and
 * starting in non-decreasing order.
 */
#include "hks_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

typedef struct check_ctx {
    size_t text_len;     /* bytes of the text being tokenized  */
    bool have_prev;      /* a token was seen                   */
    uint32_t prev_pos;   /* its position                       */
    uint32_t prev_start; /* its src_start                      */
    size_t n_tokens;     /* tokens seen over all texts         */
    bool want_fixed;     /* check terms renormalize to themselves */
    hks_ntext re;        /* scratch for re-normalizing terms   */
} check_ctx;

/* Whether p[0..n) is well-formed UTF-8 (no overlongs or surrogates). */
static bool valid_utf8(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t b = p[i];
        size_t k, need;
        uint32_t c;
        if (b < 0x80) {
            i++;
            continue;
        }
        if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
            c = b & 0x1Fu;
        } else if (b >= 0xE0 && b <= 0xEF) {
            need = 2;
            c = b & 0x0Fu;
        } else if (b >= 0xF0 && b <= 0xF4) {
            need = 3;
            c = b & 0x07u;
        } else {
            return false;
        }
        if (need >= n - i)
            return false; /* truncated */
        for (k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (p[i + k] & 0x3Fu);
        }
        if ((need == 2 && (c < 0x800 || (c >= 0xD800 && c <= 0xDFFF))) ||
            (need == 3 && (c < 0x10000 || c > 0x10FFFF)))
            return false;
        i += need + 1;
    }
    return true;
}

static int check_token(void *ctx, const hks_token *tok)
{
    check_ctx *c = ctx;
    uint8_t again[HKS_MAX_TERM_BYTES + 4];
    size_t k, len = 0;
    assert_true(tok->term_len >= 1);
    assert_true(tok->term_len <= HKS_MAX_TERM_BYTES);
    assert_true(valid_utf8((const uint8_t *)tok->term, tok->term_len));
    assert_true(tok->src_start < tok->src_end);
    assert_true(tok->src_end <= c->text_len);
    if (c->have_prev) {
        assert_true(tok->pos > c->prev_pos);
        assert_true(tok->src_start >= c->prev_start);
    }
    assert_true(tok->flags == HKS_TOK_WORD || tok->flags == HKS_TOK_CJK ||
                tok->flags == (HKS_TOK_CJK | HKS_TOK_LAST));
    /* The term is a fixed point of normalization. Not checked for random
     * bytes: an invalid byte or control between two combining marks splits
     * them into separate clusters that are each in canonical order but
     * not together (utf8proc itself strips controls after reordering). */
    if (!c->want_fixed)
        goto done;
    assert_int_equal(hks_norm_text(&c->re, tok->term, tok->term_len), HKS_OK);
    for (k = 0; k < c->re.n; k++)
        len += hks_utf8_put(again + len, c->re.cp[k]);
    if (len != tok->term_len || memcmp(again, tok->term, len) != 0) {
        for (k = 0; k < tok->term_len; k++)
            print_error("%02x ", (unsigned)(uint8_t)tok->term[k]);
        print_error("\n");
        for (k = 0; k < len; k++)
            print_error("%02x ", (unsigned)again[k]);
        print_error("\n");
        print_error("term \"%.*s\" renormalizes to \"%.*s\"\n",
                    (int)tok->term_len, tok->term, (int)len, again);
        fail();
    }
done:
    c->have_prev = true;
    c->prev_pos = tok->pos;
    c->prev_start = tok->src_start;
    c->n_tokens++;
    return HKS_OK;
}

/* Normalize + tokenize one text through t, checking every token. */
static void check_text(hks_ntext *t, check_ctx *c, const char *s, size_t n)
{
    uint32_t next = 0;
    assert_int_equal(hks_norm_text(t, s, n), HKS_OK);
    c->text_len = n;
    c->have_prev = false;
    assert_int_equal(hks_tokenize(t, 0, check_token, c, &next), HKS_OK);
    if (c->have_prev)
        assert_true(next > c->prev_pos);
}

static void test_pipeline_seeds(void **state)
{
    static const char *seeds[] = {
        "corpus/000_beb05f062f43795e.txt",
        "corpus/001_ade38ef73a2d2cc1.txt",
        "corpus/002_a98c0e2f6a5c2cb4.txt",
        "corpus/003_0deaf7ce9546a668.txt",
        "corpus/004_9aacc04dfcdb4d2e.txt",
        "tests/data/004_t2s.txt",
    };
    hks_ntext t;
    check_ctx c;
    size_t i;
    (void)state;
    memset(&c, 0, sizeof c);
    c.want_fixed = true;
    hks_ntext_init(&t, hks_test_cm_alloc());
    hks_ntext_init(&c.re, hks_test_cm_alloc());
    for (i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        char path[4096], *s;
        size_t n;
        assert_non_null(hks_test_repo_path(seeds[i], path, sizeof path));
        assert_int_equal(hks_test_read_file(path, &s, &n), 0);
        check_text(&t, &c, s, n);
        assert_int_equal(t.n_invalid, 0);
        free(s);
    }
    assert_true(c.n_tokens > 10000);
    hks_ntext_free(&t);
    hks_ntext_free(&c.re);
}

/* Append the JSON string member key of line[0..n) to out, unescaped
 * (\uXXXX with surrogate pairs); false if absent. Enough for the data
 * set's well-formed records. */
static bool json_member(const char *line, size_t n, const char *key,
                        char *out, size_t cap, size_t *len_out)
{
    char pat[32];
    const char *p, *end = line + n;
    size_t len = 0;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = memmem(line, n, pat, strlen(pat));
    if (!p)
        return false;
    p += strlen(pat);
    while (p < end && *p == ' ')
        p++;
    if (p >= end || *p != '"')
        return false;
    for (p++; p < end && *p != '"' && len + 4 <= cap; p++) {
        unsigned cp;
        if (*p != '\\') {
            out[len++] = *p;
            continue;
        }
        if (++p >= end)
            break;
        switch (*p) {
        case 'n':
            out[len++] = '\n';
            break;
        case 't':
            out[len++] = '\t';
            break;
        case 'r':
            out[len++] = '\r';
            break;
        case 'u':
            if (end - p < 5 || sscanf(p + 1, "%4x", &cp) != 1)
                return false;
            p += 4;
            if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 7 && p[1] == '\\') {
                unsigned lo;
                if (sscanf(p + 3, "%4x", &lo) == 1 && lo >= 0xDC00 &&
                    lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            len += hks_utf8_put((uint8_t *)out + len, cp);
            break;
        default:
            out[len++] = *p;
            break;
        }
    }
    *len_out = len;
    return true;
}

static void test_pipeline_dxy_covid_news(void **state)
{
    const char *dir = hks_test_data_dir();
    char path[4096], *z, *raw, *buf;
    size_t zn, raw_len, raw_cap, i, n_lines = 0;
    ZSTD_DCtx *d;
    ZSTD_inBuffer in;
    hks_ntext t;
    check_ctx c;
    (void)state;
    if (!dir) {
        print_message("skipped: data not found (set HKS_DATA or provide "
                      "../shared/data)\n");
        skip();
    }
    snprintf(path, sizeof path, "%s/dxy_covid_news.docs.jsonl.zst", dir);
    if (hks_test_read_file(path, &z, &zn) != 0) {
        print_message("skipped: data not found (%s)\n", path);
        skip();
    }
    /* Streaming decompression into one growing buffer. */
    d = ZSTD_createDCtx();
    assert_non_null(d);
    raw_cap = 1u << 22;
    raw = malloc(raw_cap);
    assert_non_null(raw);
    raw_len = 0;
    in.src = z;
    in.size = zn;
    in.pos = 0;
    while (in.pos < in.size) {
        ZSTD_outBuffer out;
        size_t r;
        if (raw_cap - raw_len < (1u << 20)) {
            raw_cap *= 2;
            raw = realloc(raw, raw_cap);
            assert_non_null(raw);
        }
        out.dst = raw + raw_len;
        out.size = raw_cap - raw_len;
        out.pos = 0;
        r = ZSTD_decompressStream(d, &out, &in);
        assert_false(ZSTD_isError(r));
        raw_len += out.pos;
    }
    ZSTD_freeDCtx(d);
    free(z);

    memset(&c, 0, sizeof c);
    c.want_fixed = true;
    hks_ntext_init(&t, hks_test_cm_alloc());
    hks_ntext_init(&c.re, hks_test_cm_alloc());
    buf = malloc(raw_len + 1);
    assert_non_null(buf);
    for (i = 0; i < raw_len;) {
        char *nl = memchr(raw + i, '\n', raw_len - i);
        size_t e = nl ? (size_t)(nl - raw) : raw_len, blen;
        static const char *keys[] = {"title", "body", "source"};
        size_t k;
        check_text(&t, &c, raw + i, e - i); /* the raw JSON line */
        for (k = 0; k < 3; k++) {
            if (json_member(raw + i, e - i, keys[k], buf, raw_len + 1, &blen))
                check_text(&t, &c, buf, blen);
        }
        n_lines++;
        i = e + 1;
    }
    print_message("dxy_covid_news: %zu records, %zu tokens checked\n",
                  n_lines, c.n_tokens);
    assert_true(n_lines > 3000);
    free(buf);
    free(raw);
    hks_ntext_free(&t);
    hks_ntext_free(&c.re);
}

static void test_pipeline_random_bytes(void **state)
{
    /* Fragments of real text and of broken UTF-8, glued at random. */
    static const char *frag[] = {
        "疫苗",
        "接種",
        "衞生",
        "COVID-19",
        "3.2",
        "万",
        " ",
        "，",
        "。",
        "\xF0\x9F\x98\x80",
        "\xCC\x81",
        "\xE2\x80\x8B",
        "\xEF\xBC\xA1",
        "\xEF\xB7\xBA",
        "\x80",
        "\xC0",
        "\xE4\xB8",
        "\xED\xA0\x80",
        "\xF4\x90\x80\x80",
        "\t",
        "\0",
        "a",
        "Z",
        ".",
        "\xE3\x82\x99",
        "\xEA\xB0\x80",
        "\xE1\x84\x80",
    };
    unsigned seed = 20240611u;
    char s[512];
    hks_ntext t;
    check_ctx c;
    int round;
    (void)state;
    memset(&c, 0, sizeof c);
    hks_ntext_init(&t, hks_test_cm_alloc());
    hks_ntext_init(&c.re, hks_test_cm_alloc());
    for (round = 0; round < 3000; round++) {
        size_t n = 0;
        unsigned start = seed;
        while (n < 400) {
            const char *f;
            size_t fl;
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % 5 == 0) {
                s[n++] = (char)(seed >> 8);
                continue;
            }
            f = frag[(seed >> 16) % (sizeof frag / sizeof frag[0])];
            fl = f[0] ? strlen(f) : 1;
            memcpy(s + n, f, fl);
            n += fl;
            if ((seed >> 24) % 23 == 0)
                break;
        }
        c.n_tokens = 0;
        if (round % 500 == 0)
            print_message("random round %d seed %u\n", round, start);
        check_text(&t, &c, s, n);
    }
    hks_ntext_free(&t);
    hks_ntext_free(&c.re);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipeline_seeds),
        cmocka_unit_test(test_pipeline_dxy_covid_news),
        cmocka_unit_test(test_pipeline_random_bytes),
    };
    return cmocka_run_group_tests_name("pipeline", tests, NULL, NULL);
}
