/*
 * hksearch: the query CLI. Argument parsing and printing only; everything
 * else is libhks through hks.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hks.h"

#define DEFAULT_INDEX "hks-index"
#define SNIPPET_CHARS 90
#define MAX_SPANS 64

static const char usage[] =
    "usage: hksearch [options] QUERY... [options]\n"
    "       hksearch [options] --queries FILE\n"
    "       hksearch [options] --show COLLECTION/ID\n"
    "Search an hksearch index; simplified and traditional Chinese, full- and\n"
    "half-width forms and letter case are all the same to a query.\n"
    "\n"
    "  -i, --index DIR     index directory (default: $HKS_INDEX, else ./" DEFAULT_INDEX ")\n"
    "  -n N                number of results (default 10)\n"
    "      --offset K      skip the first K results\n"
    "      --sort S        relevance (default) or date (newest first, strict matches only)\n"
    "      --literal       search the text as given: no operators, quotes or fields\n"
    "      --boilerplate   also match site boilerplate (lines repeated across a\n"
    "                      collection's articles, copyright and navigation text)\n"
    "      --no-synonyms   do not expand aliases of the index's synonym table\n"
    "      --format F      text (default), json or trec\n"
    "      --snippet-chars N  snippet length in characters (default 90; 0: none)\n"
    "      --color[=WHEN]  auto (default: on a terminal, unless TERM=dumb or\n"
    "                      NO_COLOR is set), always or never\n"
    "      --show C/ID     print the article ID of collection C whole: its\n"
    "                      metadata, then its text (ID alone in a one-collection index)\n"
    "      --queries FILE  run every line \"qid<TAB>query\" of FILE (a line with no\n"
    "                      tab is a query named by its line number)\n"
    "      --timings FILE  write \"qid<TAB>milliseconds\" per query (timed in-process)\n"
    "      --bare-ids      TREC docnos are the ids alone, even in an index of several\n"
    "                      collections (there they are COLLECTION/ID by default)\n"
    "      --k1 X, --b X   BM25 parameters (default 1.2 and 0.75)\n"
    "      --char-weight X, --char-k1 X, --char-b X\n"
    "                      the character field of natural-language ranking\n"
    "                      (default 2, 0.5, 1; weight 0 turns it off)\n"
    "      --coverage X    natural-language ranking: a document holding a share c\n"
    "                      of the question's weight scores c^X times as much (an\n"
    "                      index of titles: less; default 0.75, 0 turns it off)\n"
    "      --no-function-words  question and function words (什么, 可以, 吗 ...)\n"
    "                      weigh as much as other terms in a question\n"
    "      --recency DAYS  rank newer articles higher: a score is multiplied by\n"
    "                      0.5 + 0.5 * 2^(-age/DAYS), age before the index's newest\n"
    "                      article (0: off, the default)\n"
    "      --count         count partial matches of long queries exactly\n"
    "      --no-collapse   show every copy of a story (by default near-identical\n"
    "                      articles fold into the best one, shown as \"N similar\";\n"
    "                      --format trec never collapses)\n"
    "      --collapse-distance N  bits two copies' fingerprints may differ in\n"
    "                      (default 7, 0..16)\n"
    "      --explain       show how each hit's score was made: per term its tf,\n"
    "                      idf, length normalisation, weights and contribution,\n"
    "                      the recency factor, the sum and the copies folded\n"
    "  -h, --help          this help;  --version  the version\n"
    "\n"
    "Query language:\n"
    "  疫苗接种            the phrase, in either script (so 疫苗接種 too)\n"
    "  疫苗 接种           both (AND);  疫苗 OR 口罩   either\n"
    "  \"新冠 疫苗\"         a phrase across a space;  -香港   exclude\n"
    "  title:疫苗          in the title;  source:卫健委   from that source\n"
    "  date:2020-01..2020-03   dated in that range (YYYY[-MM[-DD]], open ends ok)\n"
    "  author:林兆彬  category:眾說   by that author, in that category (contains)\n"
    "  tag:电影            with that tag (one whole tag)\n"
    "  医                  one character: every article containing it\n"
    "Long plain queries (questions) rank articles by their bigrams, exact\n"
    "matches first, so they still find the best articles.\n";

enum fmt { FMT_TEXT,
           FMT_JSON,
           FMT_TREC };
enum color { COLOR_AUTO,
             COLOR_ALWAYS,
             COLOR_NEVER };

typedef struct opts {
    const char *index;
    size_t n, offset;
    enum fmt fmt;
    const char *queries;
    const char *timings;
    double k1, b;
    double char_w, char_k1, char_b; /* NAN: the library's default */
    double coverage;                /* NAN: the library's default */
    int function_words;
    int count;
    int color; /* colour the output (decided from color_mode)  */
    enum color color_mode;
    size_t snippet_chars;
    int sort;        /* -1: not given, 0 relevance, 1 date              */
    int literal;     /* --literal                                       */
    int boiler;      /* --boilerplate                                   */
    int no_synonyms; /* --no-synonyms                               */
    const char *show;
    int bare_ids;
    int qualify_ids;   /* TREC docnos are COLLECTION/ID              */
    double recency;    /* --recency: half-life in days, 0 = off        */
    int no_collapse;   /* --no-collapse                               */
    int collapse_dist; /* --collapse-distance, -1: the library's      */
    int explain;       /* --explain                                   */
} opts;

/* How put_text prints. */
enum { PUT_LINE, /* one line: control characters become spaces      */
       PUT_JSON, /* a JSON string, quoted and escaped               */
       PUT_BODY  /* an article's text: newlines and tabs kept       */
};

/*
 * Print stored text, which the library keeps as it was given: invalid
 * UTF-8 becomes U+FFFD and control characters a space (text) or an escape
 * (JSON), so neither a JSON reader nor a terminal sees them raw.
 */
static void put_text(FILE *f, const char *s, size_t n, int mode)
{
    int json = mode == PUT_JSON;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    if (json)
        fputc('"', f);
    while (i < n) {
        uint32_t cp;
        int len = hks_utf8_decode(s + i, n - i, &cp);
        size_t k = len > 0 ? (size_t)len : 0;
        unsigned char c = p[i];
        if (len <= 0) { /* one U+FFFD per maximal invalid subpart */
            fputs("\xef\xbf\xbd", f);
            i += len < 0 ? (size_t)-len : 1;
            continue;
        }
        if (k == 2 && c == 0xC2 && p[i + 1] < 0xA0) { /* C1 controls */
            fputc(' ', f);
        } else if (k > 1) {
            fwrite(p + i, 1, k, f);
        } else if (json && (c == '"' || c == '\\')) {
            fprintf(f, "\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            if (mode == PUT_BODY && (c == '\n' || c == '\t'))
                fputc(c, f);
            else if (!json)
                fputc(' ', f);
            else if (c == '\n')
                fputs("\\n", f);
            else if (c == '\t')
                fputs("\\t", f);
            else
                fprintf(f, "\\u%04x", c);
        } else {
            fputc(c, f);
        }
        i += k;
    }
    if (json)
        fputc('"', f);
}

static void json_str(FILE *f, const char *s, size_t n)
{
    put_text(f, s, n, PUT_JSON);
}

/* The query in a message, quoted once: in double quotes, or in single
 * quotes when it has double quotes of its own ("新冠 疫苗" -> '"新冠 疫苗"'),
 * or as it is when it has both. */
static void put_query(const char *q)
{
    const char *quote = !strchr(q, '"') ? "\"" : !strchr(q, '\'') ? "'"
                                                                  : "";
    fputs(quote, stdout);
    put_text(stdout, q, strlen(q), PUT_LINE);
    fputs(quote, stdout);
}

/* Print s[0..n) with spans highlighted: colour on a terminal, 【】 else. */
static void print_highlighted(const char *s, size_t n, const hks_span *sp, size_t n_sp,
                              int color)
{
    size_t at = 0, i;
    const char *on = color ? "\033[1;31m" : "\xe3\x80\x90"; /* 【 */
    const char *off = color ? "\033[0m" : "\xe3\x80\x91";   /* 】 */
    for (i = 0; i < n_sp; i++) {
        if (sp[i].start < at || sp[i].end > n || sp[i].start > sp[i].end)
            continue;
        fwrite(s + at, 1, sp[i].start - at, stdout);
        fputs(on, stdout);
        fwrite(s + sp[i].start, 1, sp[i].end - sp[i].start, stdout);
        fputs(off, stdout);
        at = sp[i].end;
    }
    fwrite(s + at, 1, n - at, stdout);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int get_snippet(hks_searcher *s, uint32_t doc, const char *q, size_t chars, char **buf,
                       size_t *cap, size_t *len, hks_span *spans, size_t *n_spans)
{
    int rc = hks_snippet(s, doc, q, strlen(q), chars, *buf, *cap, len, spans, MAX_SPANS, n_spans);
    if (rc == HKS_ERR_BUFSIZE) {
        char *nb = realloc(*buf, *len);
        if (!nb)
            return HKS_ERR_NOMEM;
        *buf = nb;
        *cap = *len;
        rc = hks_snippet(s, doc, q, strlen(q), chars, *buf, *cap, len, spans, MAX_SPANS, n_spans);
    }
    return rc;
}

/* A document's name: COLLECTION/ID, the form --show takes. */
static void put_docname(const hks_doc_meta *m)
{
    put_text(stdout, m->collection, m->collection_len, PUT_LINE);
    putchar('/');
    put_text(stdout, m->id, m->id_len, PUT_LINE);
}

/* ---- Author, category, tags ------------------------------------------- */

/* Call put for each tag of m ('\n' between them), with sep between. */
static void put_tags(const hks_doc_meta *m, const char *sep, int mode)
{
    size_t i = 0, n = m->tags_len;
    int first = 1;
    while (i < n) {
        const char *nl = memchr(m->tags + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - m->tags) : n;
        if (e > i) {
            if (!first)
                fputs(sep, stdout);
            put_text(stdout, m->tags + i, e - i, mode);
            first = 0;
        }
        i = e + 1;
    }
}

/* JSON members "author", "category" (strings) and "tags" (an array of
 * strings), each only when the document has it. */
static void put_fields_json(const hks_doc_meta *m)
{
    if (m->author_len) {
        printf(",\"author\":");
        json_str(stdout, m->author, m->author_len);
    }
    if (m->category_len) {
        printf(",\"category\":");
        json_str(stdout, m->category, m->category_len);
    }
    if (m->tags_len) {
        printf(",\"tags\":[");
        put_tags(m, ",", PUT_JSON);
        printf("]");
    }
}

/* Author, category and tags in text: for a hit, one indented line
 * "author: A · category: C · tags: T1, T2" (none when the document has
 * none of them); for --show (show), a "label:   value" line each. */
static void put_fields_text(const hks_doc_meta *m, int show)
{
    const char *sep = show ? "\n" : " · ";
    int any = 0;
    if (!m->author_len && !m->category_len && !m->tags_len)
        return;
    if (!show)
        fputs("    ", stdout);
    if (m->author_len) {
        printf("%s%s", show ? "\n" : "", show ? "author:   " : "author: ");
        put_text(stdout, m->author, m->author_len, PUT_LINE);
        any = 1;
    }
    if (m->category_len) {
        printf("%s%s", any || show ? sep : "", "category: ");
        put_text(stdout, m->category, m->category_len, PUT_LINE);
        any = 1;
    }
    if (m->tags_len) {
        printf("%s%s", any || show ? sep : "", show ? "tags:     " : "tags: ");
        put_tags(m, ", ", PUT_LINE);
    }
    if (!show)
        putchar('\n');
}

/* The documents folded into a collapsed hit: text "N similar: C/ID ..."
 * (the first few), JSON ,"similar":["C/ID",...]. Calls hks_doc_meta_get,
 * so the hit's own metadata must be printed already. */
#define SIMILAR_SHOWN 5
static void print_similar(hks_searcher *s, const hks_hit *h, enum fmt fmt)
{
    uint32_t *ids = NULL;
    size_t n = 0, k;
    if (h->n_similar)
        ids = malloc(h->n_similar * sizeof *ids);
    if (h->n_similar && (!ids || hks_hit_similar(s, h->doc_id, ids, h->n_similar, &n) < 0))
        n = 0;
    if (fmt == FMT_JSON)
        printf(",\"similar\":[");
    else if (n)
        printf("    %zu similar:", n);
    for (k = 0; k < n && (fmt == FMT_JSON || k < SIMILAR_SHOWN); k++) {
        hks_doc_meta m;
        if (hks_doc_meta_get(s, ids[k], &m) < 0)
            break;
        if (fmt == FMT_JSON) {
            char *name = malloc(m.collection_len + m.id_len + 2);
            if (!name)
                break;
            memcpy(name, m.collection, m.collection_len);
            name[m.collection_len] = '/';
            memcpy(name + m.collection_len + 1, m.id, m.id_len);
            printf("%s", k ? "," : "");
            json_str(stdout, name, m.collection_len + 1 + m.id_len);
            free(name);
        } else {
            putchar(' ');
            put_docname(&m);
        }
    }
    if (fmt == FMT_JSON)
        putchar(']');
    else if (n)
        printf("%s\n", n > SIMILAR_SHOWN ? " ..." : "");
    free(ids);
}

/* ---- --explain: how a hit's score was made (hks_explain) ---------------- */

#define EXPLAIN_MAX_TERMS (2 * 512 + 2) /* hks_explain's most */

static void json_num(const char *name, double v)
{
    printf(",\"%s\":%.17g", name, v);
}

/* Text: lines under the hit; JSON: ,"explain":{...}. */
static void print_explain(hks_searcher *s, const hks_hit *h, enum fmt fmt)
{
    hks_explanation ex;
    hks_explain_term *t = malloc(EXPLAIN_MAX_TERMS * sizeof *t);
    size_t i, n, n_absent = 0;
    int rc = t ? hks_explain(s, h->doc_id, &ex, t, EXPLAIN_MAX_TERMS) : -1;
    if (rc < 0) {
        fprintf(stderr, "hksearch: explain: %s\n", t ? hks_searcher_errmsg(s) : "out of memory");
        if (fmt == FMT_JSON)
            printf(",\"explain\":null");
        free(t);
        return;
    }
    n = ex.n_terms;
    if (fmt == FMT_JSON) {
        printf(",\"explain\":{\"match\":\"%s\"", ex.exact ? "exact" : "partial");
        json_num("score", ex.score);
        json_num("sum", ex.sum);
        json_num("coverage", ex.coverage);
        json_num("recency", ex.recency);
        printf(",\"proximity\":\"not used\",\"similar\":%u,\"terms\":[", ex.n_similar);
        for (i = 0; i < n; i++) {
            printf("%s{\"term\":", i ? "," : "");
            json_str(stdout, t[i].term, t[i].term_len);
            printf(",\"shown\":");
            json_str(stdout, t[i].shown, t[i].shown_len);
            printf(",\"field\":\"%s\",\"prefix\":%s,\"qtf\":%u,\"tf\":%u",
                   t[i].field == HKS_FIELD_CHARS ? "chars" : "terms",
                   t[i].is_prefix ? "true" : "false", t[i].qtf, t[i].tf);
            json_num("idf", t[i].idf);
            printf(",\"length\":%u", t[i].field_len);
            json_num("avg_length", t[i].avg_len);
            json_num("k1", t[i].k1);
            json_num("b", t[i].b);
            json_num("field_weight", t[i].field_weight);
            json_num("query_weight", t[i].qw);
            json_num("score", t[i].score);
            putchar('}');
        }
        printf("]}");
        free(t);
        return;
    }
    printf("    explain: %s match, score %.6f = sum %.6f x coverage %.4f x recency %.4f; "
           "proximity: not used\n",
           ex.exact ? "exact" : "partial", ex.score, ex.sum, ex.coverage, ex.recency);
    if (n == 0)
        printf("      no scoring terms (filters alone list the matches)\n");
    for (i = 0; i < n; i++) {
        if (!t[i].tf) {
            n_absent++;
            continue;
        }
        printf("      ");
        put_text(stdout, t[i].shown, t[i].shown_len, PUT_LINE);
        if (t[i].shown_len != t[i].term_len || memcmp(t[i].shown, t[i].term, t[i].term_len) != 0) {
            printf(" (");
            put_text(stdout, t[i].term, t[i].term_len, PUT_LINE);
            putchar(')');
        }
        printf("%s  %s tf %u  idf %.4f  length %u / avg %.1f (k1 %.2f, b %.2f)  "
               "weight field %.2f x query %.2f%s  = %.6f\n",
               t[i].is_prefix ? "*" : "", t[i].field == HKS_FIELD_CHARS ? "chars" : "terms",
               t[i].tf, t[i].idf, t[i].field_len, t[i].avg_len, t[i].k1, t[i].b,
               t[i].field_weight, t[i].qw, t[i].qtf > 1 ? " (summed over its times)" : "",
               t[i].score);
    }
    if (n_absent) {
        size_t k = 0;
        printf("      not in the article:");
        for (i = 0; i < n; i++)
            if (!t[i].tf) {
                putchar(k++ ? ',' : ' ');
                if (k > 1)
                    putchar(' ');
                put_text(stdout, t[i].term, t[i].term_len, PUT_LINE);
                if (t[i].field == HKS_FIELD_CHARS)
                    printf(" (chars)");
                else if (t[i].is_prefix)
                    putchar('*');
            }
        putchar('\n');
    }
    printf("      collapse: %u similar folded into this hit\n", ex.n_similar);
    free(t);
}

/* The text summary line after the hits of one query. */
static void print_summary(const opts *o, const char *q, size_t n_hits,
                          const hks_search_info *info)
{
    char shown[96], partial[64] = "";
    int counted = info->n_partial != UINT64_MAX && info->n_partial > 0;
    size_t last = o->offset + n_hits;
    if (n_hits)
        snprintf(shown, sizeof shown, "showing %zu-%zu", o->offset + 1, last);
    else if (o->n == 0)
        snprintf(shown, sizeof shown, "none shown: -n 0");
    else
        snprintf(shown, sizeof shown, "none shown after --offset %zu", o->offset);
    if (counted)
        snprintf(partial, sizeof partial, "%llu partial match%s",
                 (unsigned long long)info->n_partial, info->n_partial == 1 ? "" : "es");
    if (n_hits == 0 && info->n_exact == 0 && !counted && o->n > 0 &&
        (o->offset == 0 || !info->is_natural)) {
        printf("no articles match ");
        put_query(q);
        putchar('\n');
        return;
    }
    if (n_hits == 0 && info->n_exact == 0 && !counted) {
        printf("no article contains ");
        put_query(q);
        printf(" exactly (%s)\n", shown);
        return;
    }
    if (info->n_exact == 0) {
        printf("no article contains ");
        put_query(q);
        printf(" exactly; %s (%s)\n", counted ? partial : "partial matches", shown);
        return;
    }
    printf("%llu article%s match%s ", (unsigned long long)info->n_exact,
           info->n_exact == 1 ? "" : "s", info->n_exact == 1 ? "es" : "");
    put_query(q);
    if (counted)
        printf(", then %s", partial);
    else if (info->is_natural)
        printf(", then partial matches");
    printf(" (%s)\n", shown);
}

/* The synonyms the query was expanded with, one line each:
 * "synonyms: 新冠 -> 新冠肺炎, 新型冠状病毒, COVID-19". */
static void print_synonyms(const hks_searcher *s)
{
    hks_synonym_use u;
    size_t i, j;
    for (i = 0; hks_searcher_synonym_use(s, i, &u) == HKS_OK; i++) {
        int first = 1;
        printf("synonyms: ");
        put_text(stdout, u.alias, u.alias_len, PUT_LINE);
        printf(" ->");
        for (j = 0; j < u.n_group; j++) {
            if (u.group[j] == u.alias)
                continue;
            printf("%s", first ? " " : ", ");
            put_text(stdout, u.group[j], u.group_lens[j], PUT_LINE);
            first = 0;
        }
        putchar('\n');
    }
}

/* The same in the JSON summary: "synonyms":[{"alias":A,"group":[...]}]. */
static void json_synonyms(const hks_searcher *s)
{
    hks_synonym_use u;
    size_t i, j;
    printf(",\"synonyms\":[");
    for (i = 0; hks_searcher_synonym_use(s, i, &u) == HKS_OK; i++) {
        printf("%s{\"alias\":", i ? "," : "");
        json_str(stdout, u.alias, u.alias_len);
        printf(",\"group\":[");
        for (j = 0; j < u.n_group; j++) {
            if (j)
                putchar(',');
            json_str(stdout, u.group[j], u.group_lens[j]);
        }
        printf("]}");
    }
    putchar(']');
}

/* Run one query and print it. Returns 0 (hits), 1 (no match), 2 (error). */
static int run_query(hks_searcher *s, const opts *o, const char *qid, const char *q, FILE *tf)
{
    size_t n_hits = 0, i;
    hks_hit *hits = malloc((o->n ? o->n : 1) * sizeof *hits);
    hks_search_info info;
    double t0, ms;
    char *sn = NULL;
    size_t sn_cap = 0;
    int rc;
    if (!hits) {
        fprintf(stderr, "hksearch: out of memory\n");
        return 2;
    }
    t0 = now_ms();
    rc = hks_search_page(s, q, strlen(q), o->offset, hits, o->n, &n_hits, &info);
    ms = now_ms() - t0;
    if (tf)
        fprintf(tf, "%s\t%.3f\n", qid, ms);
    if (rc < 0) {
        fprintf(stderr, "hksearch: %s%s%s: %s\n", qid ? "query " : "", qid ? qid : "",
                qid ? "" : "query", hks_searcher_errmsg(s));
        free(hits);
        return 2;
    }
    if (*hks_searcher_notice(s))
        fprintf(stderr, "hksearch: %s\n", hks_searcher_notice(s));
    if (o->fmt == FMT_TEXT && qid) { /* --queries: a heading per query */
        printf("%s== %s: ", o->color ? "\033[1;34m" : "", qid);
        put_text(stdout, q, strlen(q), PUT_LINE);
        printf("%s\n", o->color ? "\033[0m" : "");
    }
    if (o->fmt == FMT_TEXT)
        print_synonyms(s);
    for (i = 0; i < n_hits; i++) {
        hks_doc_meta m;
        hks_span spans[MAX_SPANS];
        size_t n_sp = 0, sl = 0, rank = o->offset + i + 1;
        int exact = (hits[i].flags & HKS_HIT_EXACT) != 0;
        rc = hks_doc_meta_get(s, hits[i].doc_id, &m);
        if (rc < 0) {
            fprintf(stderr, "hksearch: %s\n", hks_searcher_errmsg(s));
            break;
        }
        if (o->fmt == FMT_TREC) {
            printf("%s Q0 ", qid ? qid : "q");
            if (o->qualify_ids)
                put_docname(&m);
            else
                put_text(stdout, m.id, m.id_len, PUT_LINE);
            printf(" %zu %.6f hks\n", rank, hits[i].score);
            continue;
        }
        /* m's strings live until the next call on s: print them first. */
        if (o->fmt == FMT_JSON) {
            printf("{\"rank\":%zu,\"id\":", rank);
            json_str(stdout, m.id, m.id_len);
            printf(",\"collection\":");
            json_str(stdout, m.collection, m.collection_len);
            printf(",\"score\":%.6f,\"exact\":%s,\"title\":", hits[i].score,
                   exact ? "true" : "false");
            json_str(stdout, m.title, m.title_len);
            printf(",\"date\":");
            json_str(stdout, m.date, m.date_len);
            printf(",\"source\":");
            json_str(stdout, m.source, m.source_len);
            printf(",\"url\":");
            json_str(stdout, m.url, m.url_len);
            put_fields_json(&m);
        } else {
            printf("%2zu. %s", rank, o->color ? "\033[1m" : "");
            put_text(stdout, m.title, m.title_len, PUT_LINE);
            /* Exact: the article holds the whole query; partial: some of
             * its terms (a question ranked over its bigrams). */
            printf("%s  [%s %.2f]\n    ", o->color ? "\033[0m" : "", exact ? "exact" : "partial",
                   hits[i].score);
            if (m.date_len) {
                put_text(stdout, m.date, m.date_len > 10 ? 10 : m.date_len, PUT_LINE);
                printf(" · ");
            }
            if (m.source_len) {
                put_text(stdout, m.source, m.source_len, PUT_LINE);
                printf(" · ");
            }
            put_docname(&m);
            putchar('\n');
            put_fields_text(&m, 0);
            print_similar(s, &hits[i], o->fmt);
        }
        if (o->snippet_chars) {
            rc = get_snippet(s, hits[i].doc_id, q, o->snippet_chars, &sn, &sn_cap, &sl, spans,
                             &n_sp);
            if (rc < 0) {
                fprintf(stderr, "hksearch: snippet: %s\n", hks_searcher_errmsg(s));
                sl = 0;
                n_sp = 0;
            }
        }
        if (o->fmt == FMT_JSON) {
            size_t k;
            printf(",\"snippet\":");
            json_str(stdout, sn && sl ? sn : "", sl);
            printf(",\"highlights\":[");
            for (k = 0; k < n_sp; k++)
                printf("%s[%u,%u]", k ? "," : "", spans[k].start, spans[k].end);
            printf("]");
            print_similar(s, &hits[i], o->fmt);
            if (o->explain)
                print_explain(s, &hits[i], o->fmt);
            printf("}\n");
        } else if (o->snippet_chars) {
            printf("    ");
            print_highlighted(sn && sl ? sn : "", sl, spans, n_sp, o->color);
            printf("\n");
            if (o->explain)
                print_explain(s, &hits[i], o->fmt);
            printf("\n");
        } else {
            if (o->explain)
                print_explain(s, &hits[i], o->fmt);
            putchar('\n');
        }
    }
    free(sn);
    if (o->fmt == FMT_JSON) {
        printf("{\"query\":");
        json_str(stdout, q, strlen(q));
        printf(",\"exact\":%llu,\"partial\":", (unsigned long long)info.n_exact);
        if (info.n_partial == UINT64_MAX)
            printf("null");
        else
            printf("%llu", (unsigned long long)info.n_partial);
        printf(",\"returned\":%zu,\"ms\":%.3f", n_hits, ms);
        json_synonyms(s);
        printf("}\n");
    } else if (o->fmt == FMT_TEXT) {
        print_summary(o, q, n_hits, &info);
        if (qid)
            putchar('\n');
    }
    free(hits);
    /* Status 1 means nothing matches, not that nothing was asked for. */
    return n_hits || info.n_exact || (info.n_partial && info.n_partial != UINT64_MAX) ? 0 : 1;
}

/* --show: the whole article. Returns 0, 1 (no such article) or 2. */
static int show_article(hks_index *idx, hks_searcher *s, const opts *o)
{
    const char *spec = o->show, *slash = strchr(spec, '/');
    const char *coll = spec, *id = slash ? slash + 1 : spec;
    size_t coll_len = slash ? (size_t)(slash - spec) : 0, len = 0;
    char *body = NULL, *one = NULL;
    hks_doc_meta m;
    uint32_t doc;
    int rc;
    memset(&m, 0, sizeof m);
    if (!slash) {
        /* An id alone names an article of a one-collection index. */
        hks_index_info ii;
        uint32_t d;
        rc = hks_index_info_get(idx, &ii);
        if (rc < 0) {
            fprintf(stderr, "hksearch: %s\n", hks_index_errmsg(idx));
            return 2;
        }
        if (ii.n_collections > 1) {
            fprintf(stderr,
                    "hksearch: --show %s: the index has %llu collections: give COLLECTION/ID\n",
                    spec, (unsigned long long)ii.n_collections);
            return 2;
        }
        for (d = 0; d < ii.n_docs + ii.n_deleted && hks_doc_meta_get(s, d, &m) != HKS_OK; d++)
            ;
        if (d < ii.n_docs + ii.n_deleted) {
            one = strdup(m.collection);
            if (!one) {
                fprintf(stderr, "hksearch: out of memory\n");
                return 2;
            }
            coll = one;
            coll_len = strlen(one);
        }
    }
    rc = hks_doc_find(s, coll, coll_len, id, strlen(id), &doc);
    free(one);
    if (rc == HKS_ERR_NOTFOUND) {
        fprintf(stderr, "hksearch: no article %s in %s\n", spec, o->index);
        return 1;
    }
    if (rc == HKS_OK) {
        rc = hks_doc_body(s, doc, NULL, 0, &len);
        if (rc == HKS_ERR_BUFSIZE) {
            body = malloc(len);
            rc = body ? hks_doc_body(s, doc, body, len, &len) : HKS_ERR_NOMEM;
        }
    }
    if (rc == HKS_OK)
        rc = hks_doc_meta_get(s, doc, &m);
    if (rc < 0) {
        fprintf(stderr, "hksearch: --show %s: %s\n", spec,
                rc == HKS_ERR_NOMEM ? "out of memory" : hks_searcher_errmsg(s));
        free(body);
        return 2;
    }
    if (o->fmt == FMT_JSON) {
        printf("{\"collection\":");
        json_str(stdout, m.collection, m.collection_len);
        printf(",\"id\":");
        json_str(stdout, m.id, m.id_len);
        printf(",\"title\":");
        json_str(stdout, m.title, m.title_len);
        printf(",\"date\":");
        json_str(stdout, m.date, m.date_len);
        printf(",\"source\":");
        json_str(stdout, m.source, m.source_len);
        printf(",\"url\":");
        json_str(stdout, m.url, m.url_len);
        put_fields_json(&m);
        printf(",\"body\":");
        json_str(stdout, body ? body : "", len);
        printf("}\n");
    } else {
        printf("%s", o->color ? "\033[1m" : "");
        put_text(stdout, m.title, m.title_len, PUT_LINE);
        printf("%s\n", o->color ? "\033[0m" : "");
        printf("article: ");
        put_docname(&m);
        if (m.date_len) {
            printf("\ndate:    ");
            put_text(stdout, m.date, m.date_len, PUT_LINE);
        }
        if (m.source_len) {
            printf("\nsource:  ");
            put_text(stdout, m.source, m.source_len, PUT_LINE);
        }
        if (m.url_len) {
            printf("\nurl:     ");
            put_text(stdout, m.url, m.url_len, PUT_LINE);
        }
        put_fields_text(&m, 1);
        printf("\n\n");
        put_text(stdout, body ? body : "", len, PUT_BODY);
        if (len && body && body[len - 1] != '\n')
            putchar('\n');
    }
    free(body);
    return 0;
}

/* Whether to colour: --color=always/never, else only on a terminal that
 * is not TERM=dumb, and not when NO_COLOR is set (https://no-color.org). */
static int want_color(enum color mode)
{
    const char *term = getenv("TERM"), *no = getenv("NO_COLOR");
    if (mode != COLOR_AUTO)
        return mode == COLOR_ALWAYS;
    return isatty(STDOUT_FILENO) && !(no && *no) && !(term && !strcmp(term, "dumb"));
}

/* Say why the index at dir could not be opened, naming dir once. */
static void open_failed(const char *dir, hks_index *idx, int rc)
{
    struct stat st;
    char manifest[4200];
    const char *msg = idx ? hks_index_errmsg(idx) : hks_strerror(rc);
    snprintf(manifest, sizeof manifest, "%s/MANIFEST", dir);
    if (stat(dir, &st) != 0 && errno == ENOENT)
        fprintf(stderr, "hksearch: no index at %s (the folder does not exist)\n", dir);
    else if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
        fprintf(stderr, "hksearch: %s is not an index (it is a file, not a folder)\n", dir);
    else if (rc == HKS_ERR_NOTFOUND && stat(manifest, &st) != 0 && errno == ENOENT)
        fprintf(stderr,
                "hksearch: %s is not an index (no MANIFEST in it); make one with: "
                "hkindex build -i %s SOURCE...\n",
                dir, dir);
    else if (strstr(msg, dir)) /* the message names the index already */
        fprintf(stderr, "hksearch: cannot open the index: %s\n", msg);
    else
        fprintf(stderr, "hksearch: cannot open index %s: %s\n", dir, msg);
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long long v;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || end == s || v > 100000 || s[0] == '-')
        return -1;
    *out = (size_t)v;
    return 0;
}

/* Append one argument to the query, space-separated. */
static int add_word(char **query, size_t *qlen, const char *w)
{
    size_t k = strlen(w);
    char *q = realloc(*query, *qlen + k + 2);
    if (!q) {
        fprintf(stderr, "hksearch: out of memory\n");
        return -1;
    }
    *query = q;
    if (*qlen)
        q[(*qlen)++] = ' ';
    memcpy(q + *qlen, w, k + 1);
    *qlen += k;
    return 0;
}

int main(int argc, char **argv)
{
    opts o;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    char *query = NULL;
    size_t qlen = 0;
    FILE *tf = NULL;
    int i, rc, status = 0;

    memset(&o, 0, sizeof o);
    o.n = 10;
    o.snippet_chars = SNIPPET_CHARS;
    o.sort = -1;
    o.collapse_dist = -1;
    o.k1 = 1.2;
    o.b = 0.75;
    o.char_w = o.char_k1 = o.char_b = o.coverage = NAN;
    o.function_words = 1;
    o.index = getenv("HKS_INDEX");
    if (!o.index || !*o.index)
        o.index = DEFAULT_INDEX;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        static const char *const valued[] = {
            "-i", "--index", "-n", "--offset", "--format", "--queries",
            "--timings", "--k1", "--b", "--sort", "--snippet-chars", "--show",
            "--char-weight", "--char-k1", "--char-b", "--coverage", "--recency",
            "--collapse-distance"};
        size_t k;
        for (k = 0; !v && k < sizeof valued / sizeof valued[0]; k++) {
            if (!strcmp(a, valued[k])) {
                fprintf(stderr, "hksearch: %s needs a value\n", a);
                goto bad_args;
            }
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            free(query);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("hksearch %d.%d.%d (libhks %s)\n", HKS_VERSION_MAJOR, HKS_VERSION_MINOR,
                   HKS_VERSION_PATCH, hks_version_string());
            free(query);
            return 0;
        } else if (!strcmp(a, "--color") || !strncmp(a, "--color=", 8) ||
                   !strcmp(a, "--colour") || !strncmp(a, "--colour=", 9)) {
            const char *w = strchr(a, '=');
            w = w ? w + 1 : "always";
            if (!strcmp(w, "auto"))
                o.color_mode = COLOR_AUTO;
            else if (!strcmp(w, "always"))
                o.color_mode = COLOR_ALWAYS;
            else if (!strcmp(w, "never"))
                o.color_mode = COLOR_NEVER;
            else {
                fprintf(stderr, "hksearch: --color wants auto, always or never, not %s\n", w);
                goto bad_args;
            }
        } else if (!strcmp(a, "--sort") && v) {
            if (!strcmp(v, "relevance"))
                o.sort = 0;
            else if (!strcmp(v, "date"))
                o.sort = 1;
            else {
                fprintf(stderr, "hksearch: --sort wants relevance or date, not %s\n", v);
                goto bad_args;
            }
            i++;
        } else if (!strcmp(a, "--literal")) {
            o.literal = 1;
        } else if (!strcmp(a, "--boilerplate")) {
            o.boiler = 1;
        } else if (!strcmp(a, "--no-synonyms")) {
            o.no_synonyms = 1;
        } else if (!strcmp(a, "--bare-ids")) {
            o.bare_ids = 1;
        } else if (!strcmp(a, "--snippet-chars") && v) {
            if (parse_size(v, &o.snippet_chars)) {
                fprintf(stderr, "hksearch: --snippet-chars wants a number from 0 to 100000, not %s\n",
                        v);
                goto bad_args;
            }
            i++;
        } else if (!strcmp(a, "--show") && v) {
            o.show = v;
            i++;
        } else if (!strcmp(a, "--")) {
            for (i++; i < argc; i++)
                if (add_word(&query, &qlen, argv[i]))
                    goto bad_args;
            break;
        } else if ((!strcmp(a, "-i") || !strcmp(a, "--index")) && v) {
            o.index = v;
            i++;
        } else if (!strcmp(a, "-n") && v) {
            if (parse_size(v, &o.n)) {
                fprintf(stderr, "hksearch: -n wants a number from 0 to 100000, not %s\n", v);
                goto bad_args;
            }
            i++;
        } else if (!strcmp(a, "--offset") && v) {
            if (parse_size(v, &o.offset)) {
                fprintf(stderr, "hksearch: --offset wants a number from 0 to 100000, not %s\n", v);
                goto bad_args;
            }
            i++;
        } else if (!strcmp(a, "--format") && v) {
            if (!strcmp(v, "text"))
                o.fmt = FMT_TEXT;
            else if (!strcmp(v, "json"))
                o.fmt = FMT_JSON;
            else if (!strcmp(v, "trec"))
                o.fmt = FMT_TREC;
            else {
                fprintf(stderr, "hksearch: unknown format %s (text, json or trec)\n", v);
                goto bad_args;
            }
            i++;
        } else if (!strcmp(a, "--queries") && v) {
            o.queries = v;
            i++;
        } else if (!strcmp(a, "--timings") && v) {
            o.timings = v;
            i++;
        } else if ((!strcmp(a, "--k1") || !strcmp(a, "--b") || !strcmp(a, "--char-weight") ||
                    !strcmp(a, "--char-k1") || !strcmp(a, "--char-b") ||
                    !strcmp(a, "--coverage")) &&
                   v) {
            char *end;
            double d;
            errno = 0;
            d = strtod(v, &end);
            if (errno || end == v || *end) {
                fprintf(stderr, "hksearch: %s wants a number, not %s\n", a, v);
                goto bad_args;
            }
            if (!strcmp(a, "--k1"))
                o.k1 = d;
            else if (!strcmp(a, "--b"))
                o.b = d;
            else if (!strcmp(a, "--char-weight"))
                o.char_w = d;
            else if (!strcmp(a, "--char-k1"))
                o.char_k1 = d;
            else if (!strcmp(a, "--coverage"))
                o.coverage = d;
            else
                o.char_b = d;
            i++;
        } else if (!strcmp(a, "--no-function-words")) {
            o.function_words = 0;
        } else if (!strcmp(a, "--recency") && v) {
            char *end;
            errno = 0;
            o.recency = strtod(v, &end);
            if (errno || end == v || *end || !(o.recency >= 0 && o.recency <= 100000)) {
                fprintf(stderr, "hksearch: --recency wants days from 0 to 100000, not %s\n", v);
                goto bad_args;
            }
            i++;
        } else if (!strcmp(a, "--count")) {
            o.count = 1;
        } else if (!strcmp(a, "--no-collapse")) {
            o.no_collapse = 1;
        } else if (!strcmp(a, "--explain")) {
            o.explain = 1;
        } else if (!strcmp(a, "--collapse-distance") && v) {
            size_t d;
            if (parse_size(v, &d) || d > 16) {
                fprintf(stderr, "hksearch: --collapse-distance wants a number from 0 to 16, not %s\n",
                        v);
                goto bad_args;
            }
            o.collapse_dist = (int)d;
            i++;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "hksearch: unknown option %s (or it needs a value)\n%s", a, usage);
            goto bad_args;
        } else if (add_word(&query, &qlen, a)) { /* query words, joined by spaces */
            goto bad_args;
        }
    }
    if ((query != NULL) + (o.queries != NULL) + (o.show != NULL) > 1) {
        fprintf(stderr, "hksearch: give a QUERY, --queries FILE or --show C/ID, not both\n");
        goto bad_args;
    }
    if (!query && !o.queries && !o.show) {
        fputs(usage, stderr);
        goto bad_args;
    }
    o.color = o.fmt == FMT_TEXT && want_color(o.color_mode);

    rc = hks_index_open(o.index, NULL, &idx);
    if (rc < 0) {
        open_failed(o.index, idx, rc);
        hks_index_close(idx);
        free(query);
        return 2;
    }
    rc = hks_searcher_new(idx, &s);
    if (rc == HKS_OK && (rc = hks_searcher_set(s, HKS_S_BM25_K1, o.k1)) == HKS_OK &&
        (rc = hks_searcher_set(s, HKS_S_BM25_B, o.b)) == HKS_OK &&
        (rc = hks_searcher_set(s, HKS_S_COUNT_PARTIAL, o.count)) == HKS_OK &&
        (rc = hks_searcher_set(s, HKS_S_LITERAL, o.literal)) == HKS_OK &&
        (rc = hks_searcher_set(s, HKS_S_FUNCTION_WORDS, o.function_words)) == HKS_OK &&
        (isnan(o.char_w) || (rc = hks_searcher_set(s, HKS_S_CHAR_WEIGHT, o.char_w)) == HKS_OK) &&
        (isnan(o.char_k1) || (rc = hks_searcher_set(s, HKS_S_CHAR_K1, o.char_k1)) == HKS_OK) &&
        (isnan(o.char_b) || (rc = hks_searcher_set(s, HKS_S_CHAR_B, o.char_b)) == HKS_OK) &&
        (isnan(o.coverage) || (rc = hks_searcher_set(s, HKS_S_COVERAGE, o.coverage)) == HKS_OK) &&
        (rc = hks_searcher_set(s, HKS_S_SYNONYMS, !o.no_synonyms)) == HKS_OK && o.sort >= 0)
        rc = hks_searcher_set(s, HKS_S_SORT, o.sort);
    if (rc == HKS_OK && o.recency > 0)
        rc = hks_searcher_set(s, HKS_S_RECENCY, o.recency);
    /* Collapsing copies of a story: on unless --no-collapse; evaluation
     * output (TREC) ranks every document. */
    if (rc == HKS_OK)
        rc = hks_searcher_set(s, HKS_S_COLLAPSE, !(o.no_collapse || o.fmt == FMT_TREC));
    if (rc == HKS_OK && o.collapse_dist >= 0)
        rc = hks_searcher_set(s, HKS_S_COLLAPSE_BITS, o.collapse_dist);
    if (rc == HKS_OK && o.boiler)
        rc = hks_searcher_set(s, HKS_S_BOILERPLATE, 1);
    if (rc < 0) {
        fprintf(stderr, "hksearch: %s\n", s ? hks_searcher_errmsg(s) : hks_strerror(rc));
        status = 2;
        goto out;
    }
    if (o.show) {
        status = show_article(idx, s, &o);
        goto out;
    }
    if (o.fmt == FMT_TREC && !o.bare_ids) {
        /* A docno must name one article: with several collections an id
         * alone may name two (dxy and hkcnews share ids), so it becomes
         * COLLECTION/ID; a one-collection index keeps the bare ids its
         * judged sets (qrels) use. */
        hks_index_info ii;
        rc = hks_index_info_get(idx, &ii);
        if (rc < 0) {
            fprintf(stderr, "hksearch: %s\n", hks_index_errmsg(idx));
            status = 2;
            goto out;
        }
        o.qualify_ids = ii.n_collections > 1;
    }
    if (o.timings && !(tf = fopen(o.timings, "w"))) {
        fprintf(stderr, "hksearch: cannot write %s: %s\n", o.timings, strerror(errno));
        status = 2;
        goto out;
    }
    if (o.queries) {
        FILE *qf = strcmp(o.queries, "-") ? fopen(o.queries, "r") : stdin;
        char *line = NULL;
        size_t cap = 0;
        ssize_t k;
        unsigned long lineno = 0;
        if (!qf) {
            fprintf(stderr, "hksearch: cannot read %s: %s\n", o.queries, strerror(errno));
            status = 2;
            goto out;
        }
        while ((k = getline(&line, &cap, qf)) >= 0) {
            char *tab, *qid, *q, num[32];
            lineno++;
            while (k && (line[k - 1] == '\n' || line[k - 1] == '\r'))
                line[--k] = '\0';
            if (k == 0)
                continue;
            tab = strchr(line, '\t');
            if (tab == line) {
                fprintf(stderr, "hksearch: %s:%lu: no qid before the tab\n", o.queries, lineno);
                status = 2;
                continue;
            }
            if (tab) {
                *tab = '\0';
                qid = line;
                q = tab + 1;
            } else {
                snprintf(num, sizeof num, "%lu", lineno);
                qid = num;
                q = line;
            }
            if (run_query(s, &o, qid, q, tf) == 2)
                status = 2;
        }
        free(line);
        if (qf != stdin)
            fclose(qf);
    } else {
        rc = run_query(s, &o, NULL, query, tf);
        status = rc;
    }
out:
    if (tf)
        fclose(tf);
    hks_searcher_free(s);
    hks_index_close(idx);
    free(query);
    return status;
bad_args:
    free(query);
    return 2;
}
