/*
 * hks_searcher.h: the internal header of searcher/, the read side of
 * libhks: the query parser (query.c) and the index and searcher handles
 * that searcher.c and snippet.c share. The public calls are in hks.h.
 */
#ifndef HKS_SEARCHER_H
#define HKS_SEARCHER_H

#include <math.h>

#include "hks_format.h"

/**************************************************************************
** Interface to code in query.c
**
** A query is parsed into a boolean tree of phrases (DESIGN.md, query
** language); each phrase is a sequence of elements at relative positions:
**   疫苗接种        one phrase: 疫苗@0 苗接@1 接种@2
**   医              one phrase: prefix 医@0 (every term that starts with
**                   医: 医X bigrams and the run-final 医)
**   covid*          one phrase: prefix covid@0 (the words starting so)
**   A B, A AND B    AND;  A OR B  OR (binds tighter than AND);  ( ) group
**   -A, NOT A       excluded from the AND it stands in
**   "A B"           one phrase across the space; a CJK run that more of the
**                   phrase follows keeps its closing unigram as an exact
**                   run_end element, so the run must end there; where a
**                   space of the quotes stands between two CJK runs that
**                   unigram is a joint: the text may instead run on there
**                   (its alt bigram at the same position, every later
**                   element one position earlier)
**   title:A         positions in the title only (also title:(...))
**   source:S        documents whose source contains S (normalized)
**   collection:C    documents of collection C (or C.something)
**   date:A..B       documents dated A..B (YYYY, YYYY-MM or YYYY-MM-DD; either
**                   side may be empty)
**   author:A        documents whose author contains A (normalized)
**   category:C      documents whose category contains C (normalized)
**   tag:T           documents with the tag T (one whole tag, normalized)
** The top-level AND's children are the clauses. A query of filters only
** has no tree (root HKS_QN_NONE): it browses.
*/
#define HKS_MAX_QUERY_BYTES 4096
#define HKS_MAX_QUERY_ELEMS 512
#define HKS_MAX_QUERY_NODES (2 * HKS_MAX_QUERY_ELEMS + 2)
#define HKS_QN_NONE UINT32_MAX
#define HKS_MAX_SYN_USES 32 /* expansions a query reports               */
#define HKS_MAX_SYN_ALTS 32 /* phrases one expanded term becomes        */

typedef struct hks_qelem {
    uint8_t term[HKS_MAX_TERM_BYTES];
    uint8_t len;
    bool is_prefix; /* a lone CJK character or a word*: any term
                         * starting with it                              */
    bool run_end;   /* the unigram closing a CJK run that more of the
                         * phrase follows ("高血压 糖尿病": 压): matched
                         * exactly so the run really ends there, never
                         * scored or highlighted on its own              */
    bool joint;     /* run_end or exact lone unigram before a quoted space
                         * between CJK runs: alt may stand here instead   */
    uint8_t alt_len;
    uint8_t alt[HKS_MAX_TERM_BYTES]; /* the bigram across the space     */
    uint32_t rel;                    /* position relative to the phrase start, as if
                         * every joint were a gap                         */
} hks_qelem;

typedef struct hks_qphrase {
    uint32_t first, n; /* elements [first, first + n)                    */
    bool in_title;     /* match only inside the title                    */
    bool negated;      /* under an exclusion: not scored nor highlighted  */
    bool syn_alt;      /* a synonym put in for the text (synonyms.c): not
                          ranked with a question's partial matches        */
} hks_qphrase;

enum { HKS_QN_PHRASE = 0,
       HKS_QN_AND = 1,
       HKS_QN_OR = 2 };

typedef struct hks_qnode {
    uint8_t kind;         /* HKS_QN_*                                    */
    bool negated;         /* excluded from the AND it is a child of      */
    uint32_t phrase;      /* HKS_QN_PHRASE: its phrase                   */
    uint32_t child, next; /* first child, next sibling (HKS_QN_NONE)     */
} hks_qnode;

typedef struct hks_qclause {
    uint32_t node;     /* a child of the top-level AND                   */
    uint32_t first, n; /* the phrases of its subtree                     */
    bool negated;
    bool in_title; /* all its phrases are title: ones                */
} hks_qclause;

/* Filters on the fields beyond the five (query.c, meta filters). */
enum { HKS_QF_AUTHOR = 0, /* author:X   the author contains X            */
       HKS_QF_CATEGORY,   /* category:X the category contains X          */
       HKS_QF_TAG,        /* tag:X      one of the tags is X             */
       HKS_QF_N };

typedef struct hks_query {
    hks_qelem elem[HKS_MAX_QUERY_ELEMS + 1]; /* + 1: a phrase's closing
                                              * unigram before it is dropped */
    uint32_t n_elem;
    hks_qphrase phrase[HKS_MAX_QUERY_ELEMS];
    uint32_t n_phrase;
    hks_qnode node[HKS_MAX_QUERY_NODES];
    uint32_t n_node;
    uint32_t root; /* HKS_QN_NONE: filters only (browse)             */
    hks_qclause clause[HKS_MAX_QUERY_ELEMS];
    uint32_t n_clause;
    uint32_t n_positive; /* clauses not negated                        */
    uint32_t date_from;  /* YYYYMMDD, 0 = open                         */
    uint32_t date_to;    /* YYYYMMDD, 0 = open                         */
    uint8_t source[256]; /* normalized source filter, "" = none        */
    size_t source_len;
    uint8_t collection[256]; /* collection filter as written, "" = none */
    size_t collection_len;
    uint8_t field[HKS_QF_N][256]; /* author:, category:, tag: filters,
                                     normalized as source:; "" = none  */
    size_t field_len[HKS_QF_N];
    bool has_operators; /* quotes, OR, NOT, -, *, fields              */
    bool is_natural;    /* long plain query: rank its bigrams with OR */
    bool literal;       /* parsed with no operators                   */
    uint32_t n_chars;   /* searchable characters in positive clauses  */
    uint32_t n_terms;   /* paragraph mode: distinct terms of the text */
    uint32_t n_dropped; /* paragraph mode: terms left out             */

    /* parsed with the synonym table; the expansions made (the aliases
     * found, by number, in order) */
    bool syn_on;
    uint32_t n_syn_use;
    uint32_t syn_use[HKS_MAX_SYN_USES];
} hks_query;

/* Document frequency of a term, for choosing a long query's terms. */
typedef uint64_t (*hks_query_df_fn)(void *ctx, const uint8_t *term, size_t len);

typedef struct hks_syntab hks_syntab;

typedef struct hks_query_opts {
    bool literal;       /* no operators: all of q is text        */
    hks_query_df_fn df; /* may be NULL: first terms are kept     */
    void *df_ctx;
    /* synonyms to expand unquoted terms with, or NULL */
    const hks_syntab *syn;
} hks_query_opts;

/* Parse q[0..n) with opts (may be NULL). A query over the term limit is
 * read as plain text keeping its most informative distinct terms (the
 * rarest by opts->df; n_dropped says how many went). HKS_ERR_QUERY with a
 * message in err for a query that cannot be run; ntext is scratch. */
HKS_INTERNAL int hks_query_parse_opts(hks_query *qy, const char *q, size_t n,
                                      const hks_query_opts *opts, hks_ntext *nt,
                                      hks_errbuf *err);
/* Parse q[0..n). HKS_ERR_QUERY with a message in err for a query that
 * cannot be run; ntext is scratch. */
HKS_INTERNAL int hks_query_parse(hks_query *qy, const char *q, size_t n,
                                 hks_ntext *nt, hks_errbuf *err);
/* Normalize s into out (UTF-8 of the folded code points, separators as
 * one space), at most cap bytes, *len_out of them. @return HKS_OK or
 * HKS_ERR_NOMEM (then *len_out is 0). */
HKS_INTERNAL int hks_norm_string(hks_ntext *nt, const char *s, size_t n, uint8_t *out,
                                 size_t cap, size_t *len_out);
/* Does a document with these author, category and tags ('\n' between
 * tags) pass qy's author:, category: and tag: filters (*pass)? HKS_OK or
 * HKS_ERR_NOMEM. */
HKS_INTERNAL int hks_query_meta_pass(const hks_query *qy, hks_ntext *nt, const uint8_t *author,
                                     size_t author_len, const uint8_t *category,
                                     size_t category_len, const uint8_t *tags, size_t tags_len,
                                     bool *pass);
/* Has qy an author:, category: or tag: filter? */
HKS_INTERNAL bool hks_query_has_meta_filter(const hks_query *qy);

struct hks_index {
    hks_alloc alloc;    /* copy of the caller's allocator            */
    const hks_alloc *a; /* &alloc, or NULL for malloc                */
    char *dir;
    hks_errbuf err;
    hks_manifest man; /* the commit this handle sees               */
    hks_segment **seg;
    uint32_t n_seg;
    uint32_t *base;       /* first global doc id of each segment       */
    uint64_t n_docs;      /* documents, deleted included               */
    uint64_t n_live;      /* live documents: BM25's N                  */
    uint64_t live_tokens; /* their total length                        */
    double avgdl;         /* live_tokens / n_live, never 0             */
    uint64_t live_chars;  /* their total length in the character field */
    double avgcl;         /* live_chars / n_live, never 0              */
    hks_syntab *syn;      /* the synonym table, NULL if none (synonyms.c) */
};

/* The similar documents of one hit of the last search: ids
 * sim[first .. first + n) of its searcher (collapse.c). */
typedef struct hks_simref {
    uint32_t doc;
    size_t first, n;
} hks_simref;

/* One live document in hks_doc_find's table: the hash of its key
 * (collection NUL id) and its global doc id; sorted by (hash, doc). */
typedef struct hks_keyref {
    uint32_t hash;
    uint32_t doc;
} hks_keyref;

struct hks_searcher {
    hks_index *idx;
    const hks_alloc *a;
    hks_errbuf err;
    double k1, b;
    double char_w, char_k1, char_b; /* the character field (HKS_S_CHAR_*) */
    double coverage;                /* HKS_S_COVERAGE                       */
    bool function_words;            /* HKS_S_FUNCTION_WORDS               */
    bool count_partial;
    bool literal;     /* HKS_S_LITERAL (its effect: query.c)          */
    int sort;         /* HKS_S_SORT: 0 relevance, 1 newest first      */
    double budget_ms; /* HKS_S_TIME_BUDGET_MS, 0 = none               */
    double recency;   /* HKS_S_RECENCY: half-life in days, 0 = off    */
    int32_t newest;   /* day number of the newest dated live document
                         (recency's "now"); INT32_MIN: not yet known  */
    bool boiler;      /* HKS_S_BOILERPLATE: match boilerplate too     */
    hks_keyref *keys; /* hks_doc_find's table, built on first use     */
    size_t n_keys;
    bool keys_built;
    hks_ntext nt;      /* scratch: query and snippet normalization   */
    hks_query qy;      /* the query being run                        */
    hks_ds_cursor *dc; /* document store reads                       */
    hks_buf meta;      /* hks_doc_meta strings                       */
    hks_buf qy_text;   /* the text qy was parsed from               */
    bool qy_valid;     /* qy holds the parse of qy_text              */
    char notice[256];  /* hks_searcher_notice                        */
    bool collapse;     /* HKS_S_COLLAPSE (collapse.c)                 */
    int collapse_dist; /* HKS_S_COLLAPSE_BITS                     */
    uint32_t *sim;     /* similar ids of the last search's hits       */
    size_t n_sim, cap_sim;
    hks_simref *sim_of; /* per hit of the last search                  */
    size_t n_sim_of, cap_sim_of;
    bool no_synonyms; /* HKS_S_SYNONYMS 0                           */
    /* what the last search scored with, for hks_explain (explain.c) */
    struct hks_xstate *xp;
    struct hks_lexcache *lc; /* the search's lexicon lookups (searcher.c) */
};

/* Is source byte off inside one of the n boilerplate ranges r (pairs start,
 * end: hks_seg_boiler_ranges)? Offsets are asked in increasing order; *at
 * keeps the place (snippets, collapse's copy test). */
static inline bool hks_in_boiler(const uint32_t *r, size_t n, size_t *at, uint32_t off)
{
    while (*at < n && r[2 * *at + 1] <= off)
        (*at)++;
    return *at < n && r[2 * *at] <= off;
}

/* c^e, the coverage factor of a share c (HKS_S_COVERAGE): the one
 * expression for the search and for hks_explain, with the common exponents
 * in square roots (pow costs several times more, once per candidate). */
static inline double hks_coverage_pow(double c, double e)
{
    if (e == 0.5)
        return sqrt(c);
    if (e == 0.75)
        return sqrt(c * sqrt(c));
    return pow(c, e);
}

/* Parse q[0..n) into s->qy, unless s->qy already holds its parse: a search
 * and the snippets of its hits parse the query once. Errors as
 * hks_query_parse, message in s->err. */
HKS_INTERNAL int hks_searcher_parse(hks_searcher *s, const char *q, size_t n);

/**************************************************************************
** Interface to code in funcwords.c
**
** Mark the question and function words in a run of n characters (ch[r],
** ch_len[r] bytes each, normalized UTF-8): mark[r] is 0 for a content
** character, else the number (1, 2, ...) of the function word occurrence
** holding it, so two characters of one word have the same mark.
*/
HKS_INTERNAL void hks_funcwords_mark(const uint8_t *const *ch, const uint8_t *ch_len, uint32_t n,
                                     uint32_t *mark);

/**************************************************************************
** Interface to code in index.c: the index handle beyond opening it
*/
/* Number of distinct collections among idx's live documents. */
HKS_INTERNAL int hks_index_count_collections(hks_index *idx, uint64_t *n);
/* Free hks_doc_find's table of s. */
HKS_INTERNAL void hks_searcher_free_keys(hks_searcher *s);

/* Segment and local number of a global doc id; false if out of range. */
HKS_INTERNAL bool hks_index_locate(const hks_index *idx, uint32_t doc_id,
                                   uint32_t *seg, uint32_t *local);

/**************************************************************************
** Interface to code in collapse.c: copies of one story folded into one
** hit (near-duplicates by the segments' SIMHASH fingerprints).
*/
/* Hits closer than this many bits, dated within HKS_COLLAPSE_DAYS of each
 * other, are one story (the threshold measured on the news set). */
#define HKS_COLLAPSE_DISTANCE 7
#define HKS_COLLAPSE_DAYS 3
/* Candidates to rank for a page of total = offset + hits_cap hits, on the
 * attempt-th try (0 first); total itself when collapsing is off. */
HKS_INTERNAL size_t hks_collapse_want(const hks_searcher *s, size_t total, unsigned attempt);
/* Collapse the ranked candidates cand[0..n_cand) (complete: they are every
 * match there is) and write hits offset .. offset + hits_cap - 1 of what
 * remains, each with its n_similar, into hits; the similar ids are kept in
 * s for hks_hit_similar. exact[0..n_exact): every strict match, ascending,
 * also counted where cheap. *more_out: the page is short and more
 * candidates would fill it. */
HKS_INTERNAL int hks_collapse_page(hks_searcher *s, const hks_hit *cand, size_t n_cand,
                                   bool complete, const uint32_t *exact, size_t n_exact,
                                   size_t offset, hks_hit *hits, size_t hits_cap,
                                   size_t *n_out, bool *more_out);
/* Forget the last search's similar ids; free them. */
HKS_INTERNAL void hks_collapse_clear(hks_searcher *s);
HKS_INTERNAL void hks_collapse_free(hks_searcher *s);

/**************************************************************************
** Interface to code in synonyms.c: the synonym table of an index and its
** lookup (the file: format/synonyms.c; the expansion: query.c)
*/
struct hks_syntab {
    hks_syndata d;
    uint32_t *sorted;  /* alias numbers in byte order of norm      */
    const char **text; /* per alias: its text ...                  */
    size_t *text_len;  /* ... and length (hks_synonym_use views)   */
    uint8_t max_len;   /* longest normalized alias                 */
    /* len_used[n]: some alias has n normalized bytes */
    bool len_used[HKS_SYN_MAX_ALIAS_BYTES + 1];
};
/* Load dir's SYNONYMS into idx->syn (NULL when there is none). */
HKS_INTERNAL int hks_index_syn_load(hks_index *idx);
HKS_INTERNAL void hks_index_syn_free(hks_index *idx);
/* Whether dir's SYNONYMS is no longer the table idx holds. */
HKS_INTERNAL int hks_index_syn_changed(hks_index *idx, int *changed);
/* The alias whose normalized form is s[0..n), or -1. */
HKS_INTERNAL int32_t hks_syn_find(const hks_syntab *t, const uint8_t *s, size_t n);

/**************************************************************************
** Interface to code in explain.c: how the last search scored its hits
** (hks_explain). At the end of a search searcher.c keeps the scoring
** terms it ranked with (the strict table, and a question's natural one),
** the fields' BM25 parameters and the hits it returned with their
** recency factors; explain.c recounts each term's tf at a document
** through the segment API and sums the score again.
*/
enum { HKS_XP_STRICT = 0,  /* the terms strict matches are scored on     */
       HKS_XP_NATURAL = 1, /* a question's bigrams, words and characters */
       HKS_XP_N = 2 };
#define HKS_XP_FIELDS 2 /* HKS_FIELD_TERMS, HKS_FIELD_CHARS           */

typedef struct hks_xterm {
    uint8_t term[HKS_MAX_TERM_BYTES]; /* as looked up (a character-field
                                         key for HKS_FIELD_CHARS)     */
    uint8_t len;
    uint8_t field; /* HKS_FIELD_*                                     */
    bool is_prefix;
    uint32_t qtf;      /* times in the query                          */
    double qw, idf, w; /* w = qw * idf * field weight; 0: not scored  */
} hks_xterm;

typedef struct hks_xhit {
    hks_hit h;
    double recency; /* the factor its score was multiplied by      */
} hks_xhit;

typedef struct hks_xstate {
    bool valid; /* a search completed and filled what follows */
    bool lost;  /* a table could not be kept (out of memory)  */
    bool kept;  /* the strict table of this search is kept    */
    hks_xterm *t[HKS_XP_N];
    uint32_t n_t[HKS_XP_N];
    size_t cap_t[HKS_XP_N];
    double k1[HKS_XP_FIELDS], b[HKS_XP_FIELDS], avgdl[HKS_XP_FIELDS], fieldw[HKS_XP_FIELDS];
    bool boiler;  /* HKS_S_BOILERPLATE at search time            */
    double cov_e; /* the natural table's coverage exponent (0: none) */
    hks_xhit *hit;
    size_t n_hit, cap_hit;
    hks_buf text; /* strings of the last hks_explain's terms    */
} hks_xstate;

/* Forget the last search's tables (a new search begins). */
HKS_INTERNAL void hks_xp_reset(hks_searcher *s);
/* Room for n terms of table tab, emptied, or NULL (out of memory: the
 * searcher then has nothing to explain until its next search). */
HKS_INTERNAL hks_xterm *hks_xp_terms(hks_searcher *s, int tab, uint32_t n);
/* Room for n hits, emptied, or NULL as hks_xp_terms. */
HKS_INTERNAL hks_xhit *hks_xp_hits(hks_searcher *s, size_t n);
HKS_INTERNAL void hks_xp_free(hks_searcher *s);

#endif /* HKS_SEARCHER_H */
