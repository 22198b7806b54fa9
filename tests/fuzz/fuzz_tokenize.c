/*
 * fuzz_tokenize.c: arbitrary bytes through UTF-8 decoding, normalization
 * (hks_norm_text) and the tokenizer (hks_tokenize). Besides never crashing,
 * the output must keep the contracts of hks_int.h:
 *  - every normalized code point is a Unicode scalar value and its source
 *    range is a non-empty range of the input, ranges never going backwards;
 *  - every token has 1..HKS_MAX_TERM_BYTES bytes of valid UTF-8, a source
 *    range inside the input, and positions that strictly increase from
 *    first_pos, below the next position reported;
 *  - the same input gives the same tokens again (a reused hks_ntext).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "hks_int.h"

#define MAX_SAVED 4096

typedef struct tok_state {
    size_t src_len;            /* input bytes                                  */
    uint32_t first_pos;        /* position the tokenizer started from          */
    uint32_t last_pos;         /* position of the previous token               */
    size_t n_tok;              /* tokens seen                                  */
    size_t n_saved;            /* tokens of pass one in saved[]                */
    bool replay;               /* second pass: compare with saved[]            */
    uint32_t saved[MAX_SAVED]; /* pos and a hash of each token, pass one */
    int stop_after;            /* stop with a callback error after this many   */
} tok_state;

/* True when p[0..n) is well-formed UTF-8 of scalar values. */
static bool valid_utf8(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t c = p[i], need, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i <= need)
            return false;
        for (uint32_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += need + 1;
    }
    return true;
}

static uint32_t tok_hash(const hks_token *t)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < t->term_len; i++)
        h = (h ^ (uint8_t)t->term[i]) * 16777619u;
    h ^= t->src_start * 31u + t->src_end * 7u + t->flags;
    return h;
}

static int on_token(void *ctx, const hks_token *t)
{
    tok_state *st = ctx;
    fuzz_check(t->term_len >= 1 && t->term_len <= HKS_MAX_TERM_BYTES);
    fuzz_check(valid_utf8((const uint8_t *)t->term, t->term_len));
    fuzz_check(t->src_start < t->src_end && t->src_end <= st->src_len);
    fuzz_check(t->pos >= st->first_pos);
    fuzz_check(st->n_tok == 0 || t->pos > st->last_pos);
    fuzz_check((t->flags & ~(unsigned)(HKS_TOK_CJK | HKS_TOK_LAST |
                                       HKS_TOK_WORD)) == 0);
    fuzz_check(!(t->flags & HKS_TOK_LAST) || (t->flags & HKS_TOK_CJK));
    if (st->replay) {
        if (st->n_tok < st->n_saved) {
            const uint32_t *s = &st->saved[2 * st->n_tok];
            fuzz_check(s[0] == t->pos && s[1] == tok_hash(t));
        }
    } else if (st->n_tok < MAX_SAVED / 2) {
        st->saved[2 * st->n_tok] = t->pos;
        st->saved[2 * st->n_tok + 1] = tok_hash(t);
        st->n_saved = st->n_tok + 1;
    }
    st->last_pos = t->pos;
    st->n_tok++;
    if (st->stop_after >= 0 && st->n_tok == (size_t)st->stop_after)
        return HKS_ERR_INTERNAL; /* the tokenizer must stop and pass it on */
    return HKS_OK;
}

static void check_ntext(const hks_ntext *t, size_t len)
{
    size_t i;
    fuzz_check(t->n <= t->cap);
    fuzz_check((t->n_invalid == 0) == (t->first_invalid == SIZE_MAX));
    fuzz_check(t->n_invalid == 0 || t->first_invalid < len);
    for (i = 0; i < t->n; i++) {
        uint32_t cp = t->cp[i];
        fuzz_check(cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF));
        fuzz_check(t->src_start[i] < t->src_end[i]);
        fuzz_check(t->src_end[i] <= len);
        fuzz_check(i == 0 || t->src_start[i] >= t->src_start[i - 1]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hks_ntext nt;
    tok_state *st;
    uint32_t next = 0, first_pos;
    uint32_t out[32];
    size_t i;
    int rc;

    /* The first byte picks the first position (near the uint32 limit now
     * and then) and whether the callback stops the tokenizer early. */
    first_pos = 0;
    if (size > 0 && (data[0] & 0x80))
        first_pos = UINT32_MAX - 4096u * (data[0] & 0x0F) - 100000u;

    st = calloc(1, sizeof *st);
    fuzz_check(st != NULL);
    hks_ntext_init(&nt, NULL);
    rc = hks_norm_text(&nt, (const char *)data, size);
    fuzz_check(rc == HKS_OK);
    check_ntext(&nt, size);

    st->src_len = size;
    st->first_pos = first_pos;
    st->stop_after = (size > 0 && (data[0] & 0x40)) ? (data[0] & 0x3F) : -1;
    rc = hks_tokenize(&nt, first_pos, on_token, st, &next);
    if (st->stop_after >= 0 && st->n_tok == (size_t)st->stop_after &&
        st->stop_after > 0) {
        fuzz_check(rc == HKS_ERR_INTERNAL);
    } else {
        fuzz_check(rc == HKS_OK);
        fuzz_check(st->n_tok == 0 || next > st->last_pos);
        fuzz_check(next >= first_pos);
    }

    /* Same input, reused buffers: the same tokens. */
    rc = hks_norm_text(&nt, (const char *)data, size);
    fuzz_check(rc == HKS_OK);
    check_ntext(&nt, size);
    st->replay = true;
    st->n_tok = 0;
    st->stop_after = -1;
    rc = hks_tokenize(&nt, first_pos, on_token, st, NULL);
    fuzz_check(rc == HKS_OK);

    /* Single code points of the output normalize without overflow. */
    for (i = 0; i < nt.n && i < 64; i++) {
        size_t k = hks_norm_cp(nt.cp[i], out, 32);
        fuzz_check(k <= 32);
        k = hks_norm_cp(nt.cp[i], out, 1);
        fuzz_check(k <= 1);
    }
    hks_ntext_free(&nt);
    free(st);
    return 0;
}
