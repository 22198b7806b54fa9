/*
 * analyze.c: hks_analyze, the public face of the text pipeline (utf8norm.c
 * then tokenize.c), for bindings that keep their own index: the SQLite
 * FTS5 tokenizer and the PostgreSQL text-search parser cut text exactly as
 * the index does.
 */
#include "hks_int.h"

typedef struct analyze_ctx {
    hks_term_fn fn;
    void *ctx;
} analyze_ctx;

/* The public flags are the tokenizer's, by value: checked at compile time. */
_Static_assert(HKS_TERM_CJK == HKS_TOK_CJK && HKS_TERM_LAST == HKS_TOK_LAST &&
                   HKS_TERM_WORD == HKS_TOK_WORD,
               "hks_term flags follow hks_token flags");

static int on_token(void *ctx, const hks_token *tok)
{
    const analyze_ctx *ac = ctx;
    hks_term t;
    t.term = tok->term;
    t.term_len = tok->term_len;
    t.pos = tok->pos;
    t.src_start = tok->src_start;
    t.src_end = tok->src_end;
    t.flags = tok->flags;
    return ac->fn(ac->ctx, &t);
}

int hks_analyze(const char *text, size_t len, const hks_alloc *alloc,
                hks_term_fn fn, void *ctx)
{
    hks_ntext nt;
    analyze_ctx ac;
    int rc;
    if (!fn || (!text && len))
        return HKS_ERR_ARG;
    hks_ntext_init(&nt, alloc);
    rc = hks_norm_text(&nt, text ? text : "", len);
    if (rc == HKS_OK) {
        ac.fn = fn;
        ac.ctx = ctx;
        rc = hks_tokenize(&nt, 0, on_token, &ac, NULL);
    }
    hks_ntext_free(&nt);
    return rc;
}
