/*
 * hks_fts5.c: a loadable SQLite extension that registers the FTS5
 * tokenizer "hks" (the engine's text rules, through hks_analyze()) and the
 * SQL function hks_any(text).
 *
 *   .load build/hks_fts5                      (entry point sqlite3_hksfts_init)
 *   CREATE VIRTUAL TABLE news USING fts5(title, body, tokenize='hks');
 *   SELECT highlight(news, 1, '[', ']') FROM news WHERE news MATCH '疫苗接种';
 *
 * Token stream. hks_analyze() gives, for a CJK run c0..c(n-1), the bigrams
 * c(i)c(i+1) and the run's last character (HKS_TERM_LAST); a Latin word or
 * number is one term; between two such groups the engine leaves one empty
 * position. FTS5 numbers tokens by the order they are emitted, so that gap
 * cannot be passed on as it is. It does not need to be: a gap lies exactly
 * between two groups (never inside a CJK run, always between a run and a
 * word or between two runs or words), and the end of every CJK run is
 * marked by a token of its own. So the stream below, without gaps, keeps
 * what the engine's phrases need: a phrase matches in FTS5 exactly where
 * it matches in hksearch.
 *
 * Documents (FTS5_TOKENIZE_DOCUMENT and _AUX), for each character c(i) of
 * a run, one position holding
 *     c(i)           the character alone (the position's first token; its
 *                    byte range is the character's, so highlight() and
 *                    snippet() mark whole characters),
 *     c(i)c(i+1)     the bigram, FTS5_TOKEN_COLOCATED (i < n-1), or
 *     c(i)$          the run's end mark, colocated (i = n-1);
 * and for a word, one position with the word.
 *
 * Queries (FTS5_TOKENIZE_QUERY: one FTS5 string or bareword, a phrase):
 * a run gives its bigrams, then, at its last character,
 *     c(n-1)$        if more of the phrase follows: the run must end there
 *                    ("高血压 糖尿病" does not match 高血压和糖尿病), or
 *     c(n-1)         if the run ends the phrase: present at every
 *                    character, so it only stretches the match to the last
 *                    character for highlight() (疫苗接种 still matches in
 *                    疫苗接种工作), and alone it is the one-character
 *                    query: 医 finds every text with 医.
 *
 * The option "unigrams 0" (tokenize='hks unigrams 0') indexes the engine's
 * terms as they are instead (bigrams, and the run's last character where a
 * run ends): a smaller index, but a one-character query then finds only
 * the texts where that character ends a run unless it is written as a
 * prefix query (医*), and highlight() marks two characters for it.
 * BENCHMARKS.md compares the two.
 *
 * hks_any(text) turns a question into an FTS5 query that ranks over its
 * terms: '"孕妇" OR "妇感" OR ...' (distinct bigrams and words, a
 * one-character run as that character), for `MATCH hks_any(?) ORDER BY
 * rank`; an error when the text has nothing to search for (only
 * punctuation) or is over 4096 bytes, as hksearch gives. NULL gives NULL.
 */
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include <string.h>

#include "hks.h"

#define EXPORT __attribute__((visibility("default")))

/* The end mark appended to a run's last character. '$' never occurs in a
 * term (it is a separator to the engine), so the mark matches nothing but
 * a run's end. */
#define END_MARK '$'
/* Room for a term with its end mark (terms are 1..64 bytes). */
#define TERM_MAX 72

/* Tokenizer instance: its options. */
typedef struct HksTokenizer {
    int bUnigrams; /* 1: a character token at every position (default) */
} HksTokenizer;

/* One term of the group being collected; its bytes are in aTerm. */
typedef struct GroupTok {
    size_t iTerm; /* offset of the term in TokCtx.aTerm       */
    size_t nTerm; /* term bytes                               */
    size_t nUnit; /* bytes of the term's first character      */
    int iStart;   /* byte range in the text                   */
    int iEnd;
    unsigned flags; /* HKS_TERM_*                              */
} GroupTok;

/* State of one xTokenize call. A group (a CJK run or a word) is collected
 * whole, since a character's range and term come from the next token; a
 * query also holds a finished group back until it knows whether the
 * phrase goes on. */
typedef struct TokCtx {
    void *pCtx;
    int (*xToken)(void *, int, const char *, int, int, int);
    int bQuery;
    int bUnigrams;
    int bDone;      /* the collected group is complete          */
    GroupTok *aTok; /* the group's terms                        */
    size_t nTok, nTokAlloc;
    char *aTerm; /* their bytes                                  */
    size_t nTermUsed, nTermAlloc;
    int rc; /* SQLite error from xToken or an allocation         */
} TokCtx;

/* hks_analyze stops with this when TokCtx.rc holds the reason. */
#define STOP (-1000)

/* hks's memory through SQLite's allocator, so it is counted and limited
 * as the rest of SQLite's memory is. */
static void *sqlite_alloc(void *ud, void *p, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        sqlite3_free(p);
        return NULL;
    }
    return sqlite3_realloc64(p, nsize);
}
static const hks_alloc kAlloc = {sqlite_alloc, NULL};

static int grow(void **pp, size_t *pAlloc, size_t need, size_t size)
{
    size_t n = *pAlloc ? *pAlloc : 16;
    void *p;
    if (need <= *pAlloc)
        return SQLITE_OK;
    while (n < need)
        n *= 2;
    p = sqlite3_realloc64(*pp, (sqlite3_uint64)n * size);
    if (!p)
        return SQLITE_NOMEM;
    *pp = p;
    *pAlloc = n;
    return SQLITE_OK;
}

/* Bytes of the UTF-8 sequence starting at z (1 for a stray byte). */
static size_t utf8_len(const unsigned char *z, size_t n)
{
    size_t k = 1;
    if (z[0] >= 0xF0)
        k = 4;
    else if (z[0] >= 0xE0)
        k = 3;
    else if (z[0] >= 0xC0)
        k = 2;
    return k <= n ? k : n;
}

static int emit(TokCtx *c, int tflags, const char *z, size_t n, int iStart,
                int iEnd)
{
    int rc = c->xToken(c->pCtx, tflags, z, (int)n, iStart, iEnd);
    if (rc != SQLITE_OK)
        c->rc = rc;
    return rc;
}

/* The character alone with its end mark. */
static int emit_marked(TokCtx *c, int tflags, const char *z, size_t n,
                       int iStart, int iEnd)
{
    char buf[TERM_MAX];
    if (n > TERM_MAX - 1)
        n = TERM_MAX - 1;
    memcpy(buf, z, n);
    buf[n] = END_MARK;
    return emit(c, tflags, buf, n + 1, iStart, iEnd);
}

/*
 * Emit the collected group; bLast: no more of the query phrase follows.
 * For a run, the first character of each bigram (its "unit": a character
 * and any marks the engine kept with it) is the bigram minus the next
 * term's unit; the run's last term is its last unit whole.
 */
static int flush_group(TokCtx *c, int bLast)
{
    size_t n = c->nTok, i;
    GroupTok *t = c->aTok;
    const char *z = c->aTerm;
    int rc = SQLITE_OK;

    if (n == 0)
        return SQLITE_OK;
    if (t[0].flags & HKS_TERM_WORD) {
        rc = emit(c, 0, z + t[0].iTerm, t[0].nTerm, t[0].iStart, t[0].iEnd);
        goto done;
    }
    /* Units, from the end of the run. */
    t[n - 1].nUnit = t[n - 1].nTerm;
    for (i = n - 1; i-- > 0;) {
        size_t nNext = t[i + 1].nUnit;
        if (t[i].nTerm > nNext &&
            memcmp(z + t[i].iTerm + t[i].nTerm - nNext, z + t[i + 1].iTerm,
                   nNext) == 0)
            t[i].nUnit = t[i].nTerm - nNext;
        else
            t[i].nUnit = utf8_len((const unsigned char *)z + t[i].iTerm,
                                  t[i].nTerm);
    }
    for (i = 0; i < n && rc == SQLITE_OK; i++) {
        const char *zt = z + t[i].iTerm;
        int bEnd = i == n - 1;
        /* The character's own range: up to where the next one starts. */
        int iEnd = t[i].iEnd;
        if (!bEnd && t[i + 1].iStart > t[i].iStart)
            iEnd = t[i + 1].iStart;
        if (c->bQuery) {
            if (!bEnd)
                rc = emit(c, 0, zt, t[i].nTerm, t[i].iStart, t[i].iEnd);
            else if (!bLast && c->bUnigrams)
                rc = emit_marked(c, 0, zt, t[i].nUnit, t[i].iStart, iEnd);
            else if (!bLast || c->bUnigrams || n == 1)
                rc = emit(c, 0, zt, t[i].nUnit, t[i].iStart, iEnd);
            /* else: unigrams 0, the phrase's trailing run end adds
             * nothing after its last bigram (as the engine's query). */
        } else if (c->bUnigrams) {
            rc = emit(c, 0, zt, t[i].nUnit, t[i].iStart, iEnd);
            if (rc == SQLITE_OK && !bEnd)
                rc = emit(c, FTS5_TOKEN_COLOCATED, zt, t[i].nTerm,
                          t[i].iStart, t[i].iEnd);
            else if (rc == SQLITE_OK)
                rc = emit_marked(c, FTS5_TOKEN_COLOCATED, zt, t[i].nUnit,
                                 t[i].iStart, iEnd);
        } else {
            rc = emit(c, 0, zt, t[i].nTerm, t[i].iStart, t[i].iEnd);
        }
    }
done:
    c->nTok = 0;
    c->nTermUsed = 0;
    c->bDone = 0;
    return rc;
}

static int on_term(void *ctx, const hks_term *term)
{
    TokCtx *c = ctx;
    GroupTok *t;
    int rc;
    if (c->bDone) {
        /* A group is complete and another term follows. */
        if (flush_group(c, 0) != SQLITE_OK)
            return STOP;
    }
    if (term->src_end > 0x7fffffffu)
        return HKS_ERR_ARG;
    rc = grow((void **)&c->aTok, &c->nTokAlloc, c->nTok + 1, sizeof *c->aTok);
    if (rc == SQLITE_OK)
        rc = grow((void **)&c->aTerm, &c->nTermAlloc,
                  c->nTermUsed + term->term_len, 1);
    if (rc != SQLITE_OK) {
        c->rc = rc;
        return STOP;
    }
    t = &c->aTok[c->nTok++];
    t->iTerm = c->nTermUsed;
    t->nTerm = term->term_len;
    t->nUnit = 0;
    t->iStart = (int)term->src_start;
    t->iEnd = (int)term->src_end;
    t->flags = term->flags;
    memcpy(c->aTerm + c->nTermUsed, term->term, term->term_len);
    c->nTermUsed += term->term_len;
    if (term->flags & (HKS_TERM_LAST | HKS_TERM_WORD)) {
        c->bDone = 1;
        if (!c->bQuery && flush_group(c, 0) != SQLITE_OK)
            return STOP;
    }
    return HKS_OK;
}

static int hks_rc_to_sqlite(int rc)
{
    return rc == HKS_ERR_NOMEM ? SQLITE_NOMEM : SQLITE_ERROR;
}

static int hksTokenize(Fts5Tokenizer *pTok, void *pCtx, int flags,
                       const char *pText, int nText,
                       int (*xToken)(void *, int, const char *, int, int, int))
{
    const HksTokenizer *p = (const HksTokenizer *)pTok;
    TokCtx c;
    int rc;
    memset(&c, 0, sizeof c);
    c.pCtx = pCtx;
    c.xToken = xToken;
    c.bQuery = (flags & FTS5_TOKENIZE_QUERY) != 0;
    c.bUnigrams = p->bUnigrams;
    rc = hks_analyze(pText, nText > 0 ? (size_t)nText : 0, &kAlloc, on_term,
                     &c);
    if (rc == STOP)
        rc = c.rc;
    else if (rc != HKS_OK)
        rc = hks_rc_to_sqlite(rc);
    else
        rc = flush_group(&c, 1);
    sqlite3_free(c.aTok);
    sqlite3_free(c.aTerm);
    return rc;
}

/* tokenize='hks' or 'hks unigrams 0|1'. */
static int hksCreate(void *pUnused, const char **azArg, int nArg,
                     Fts5Tokenizer **ppOut)
{
    HksTokenizer *p;
    int i, bUnigrams = 1;
    (void)pUnused;
    *ppOut = NULL;
    for (i = 0; i < nArg; i += 2) {
        if (strcmp(azArg[i], "unigrams") == 0 && i + 1 < nArg &&
            (strcmp(azArg[i + 1], "0") == 0 || strcmp(azArg[i + 1], "1") == 0))
            bUnigrams = azArg[i + 1][0] == '1';
        else
            return SQLITE_ERROR; /* FTS5 reports "error in tokenizer constructor" */
    }
    p = sqlite3_malloc(sizeof *p);
    if (!p)
        return SQLITE_NOMEM;
    p->bUnigrams = bUnigrams;
    *ppOut = (Fts5Tokenizer *)p;
    return SQLITE_OK;
}

static void hksDelete(Fts5Tokenizer *p)
{
    sqlite3_free(p);
}

/* ---- hks_any(text) ------------------------------------------------------ */

typedef struct AnyCtx {
    char *z; /* the query being built: "t1" OR "t2" ...   */
    size_t n, nAlloc;
    int bPrevBigram; /* the previous term was a bigram of the same run */
    int rc;
} AnyCtx;

/* hks_any takes what hksearch takes as a query: at most this many bytes
 * (so the scan below stays short, and so does the FTS5 query). */
#define ANY_MAX_BYTES 4096

/* Whether "term" already stands in the query (a linear scan over at most
 * ANY_MAX_BYTES worth of terms). */
static int any_has(const AnyCtx *a, const char *z, size_t n)
{
    size_t i = 0;
    while (i < a->n) {
        size_t j;
        i++; /* opening quote */
        j = i;
        while (j < a->n && a->z[j] != '"')
            j++;
        if (j - i == n && memcmp(a->z + i, z, n) == 0)
            return 1;
        i = j + 1;
        if (i < a->n)
            i += 4; /* " OR " */
    }
    return 0;
}

static int on_any_term(void *ctx, const hks_term *t)
{
    AnyCtx *a = ctx;
    int bBigram = (t->flags & HKS_TERM_CJK) && !(t->flags & HKS_TERM_LAST);
    int bTake = bBigram || (t->flags & HKS_TERM_WORD) ||
                ((t->flags & HKS_TERM_LAST) && !a->bPrevBigram);
    a->bPrevBigram = bBigram;
    if (!bTake || any_has(a, t->term, t->term_len))
        return HKS_OK;
    /* Terms never hold a '"' (a separator), so no quoting is needed. */
    if (grow((void **)&a->z, &a->nAlloc, a->n + t->term_len + 7, 1)) {
        a->rc = SQLITE_NOMEM;
        return STOP;
    }
    if (a->n) {
        memcpy(a->z + a->n, " OR ", 4);
        a->n += 4;
    }
    a->z[a->n++] = '"';
    memcpy(a->z + a->n, t->term, t->term_len);
    a->n += t->term_len;
    a->z[a->n++] = '"';
    return HKS_OK;
}

static void hksAnyFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    AnyCtx a;
    const char *z;
    int n, rc;
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    z = (const char *)sqlite3_value_text(argv[0]);
    n = sqlite3_value_bytes(argv[0]);
    if (!z) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (n > ANY_MAX_BYTES) {
        sqlite3_result_error(ctx, "hks_any: text over 4096 bytes (hksearch's query limit)",
                             -1);
        return;
    }
    memset(&a, 0, sizeof a);
    rc = hks_analyze(z, (size_t)n, &kAlloc, on_any_term, &a);
    if (rc == STOP || rc == HKS_ERR_NOMEM) {
        sqlite3_result_error_nomem(ctx);
    } else if (rc != HKS_OK) {
        sqlite3_result_error(ctx, hks_strerror(rc), -1);
    } else if (a.n) {
        sqlite3_result_text64(ctx, a.z, a.n, SQLITE_TRANSIENT, SQLITE_UTF8);
    } else {
        sqlite3_result_error(ctx, "hks_any: nothing to search for in the text", -1);
    }
    sqlite3_free(a.z);
}

/* ---- registration ------------------------------------------------------- */

/* The FTS5 API of db, through the pointer-passing interface: SELECT
 * fts5(?1) with a pointer of type "fts5_api_ptr" bound to ?1. NULL when
 * SQLite has no FTS5. */
static fts5_api *fts5_api_of(sqlite3 *db)
{
    fts5_api *pApi = NULL;
    sqlite3_stmt *pStmt = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &pStmt, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_pointer(pStmt, 1, (void *)&pApi, "fts5_api_ptr", NULL);
        sqlite3_step(pStmt);
    }
    sqlite3_finalize(pStmt);
    return pApi;
}

EXPORT int sqlite3_hksfts_init(sqlite3 *db, char **pzErrMsg,
                               const sqlite3_api_routines *pApi);
EXPORT int sqlite3_hksfts_init(sqlite3 *db, char **pzErrMsg,
                               const sqlite3_api_routines *pApi)
{
    fts5_tokenizer tok = {hksCreate, hksDelete, hksTokenize};
    fts5_api *fts5;
    int rc;
    SQLITE_EXTENSION_INIT2(pApi);
    fts5 = fts5_api_of(db);
    if (!fts5 || fts5->iVersion < 2) {
        if (pzErrMsg)
            *pzErrMsg = sqlite3_mprintf("hks_fts5: this SQLite has no FTS5 "
                                        "(version 2 of its API is needed)");
        return SQLITE_ERROR;
    }
    rc = fts5->xCreateTokenizer(fts5, "hks", NULL, &tok, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(db, "hks_any", 1,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC |
                                         SQLITE_INNOCUOUS,
                                     NULL, hksAnyFunc, NULL, NULL);
    if (rc != SQLITE_OK && pzErrMsg)
        *pzErrMsg = sqlite3_mprintf("hks_fts5: cannot register: %s",
                                    sqlite3_errstr(rc));
    return rc;
}
