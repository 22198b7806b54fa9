/*
 * hksearch: the query CLI. Argument parsing and printing only; everything
 * else is libhks through hks.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hks.h"

#define DEFAULT_INDEX "hks-index"
#define SNIPPET_CHARS 90
#define MAX_SPANS 64

static const char usage[] =
    "usage: hksearch [options] QUERY... [options]\n"
    "       hksearch [options] --queries FILE\n"
    "Search an hksearch index; simplified and traditional Chinese, full- and\n"
    "half-width forms and letter case are all the same to a query.\n"
    "\n"
    "  -i, --index DIR     index directory (default: $HKS_INDEX, else ./" DEFAULT_INDEX ")\n"
    "  -n N                number of results (default 10)\n"
    "      --offset K      skip the first K results\n"
    "      --format F      text (default), json or trec\n"
    "      --queries FILE  run every line \"qid<TAB>query\" of FILE (a line with no\n"
    "                      tab is a query named by its line number)\n"
    "      --timings FILE  write \"qid<TAB>milliseconds\" per query (timed in-process)\n"
    "      --k1 X, --b X   BM25 parameters (default 1.2 and 0.75)\n"
    "      --count         count partial matches of long queries exactly\n"
    "      --sort date|relevance  newest first (strict matches only), or best first\n"
    "      --literal       the query is plain text: no operators\n"
    "  -h, --help          this help\n"
    "\n"
    "Query language:\n"
    "  疫苗接种            the phrase, in either script (so 疫苗接種 too)\n"
    "  疫苗 接种           both (AND);  疫苗 OR 口罩   either\n"
    "  \"新冠 疫苗\"         a phrase across a space;  -香港   exclude\n"
    "  title:疫苗          in the title;  source:卫健委   from that source\n"
    "  date:2020-01..2020-03   dated in that range (YYYY[-MM[-DD]], open ends ok)\n"
    "  医                  one character: every article containing it\n"
    "Long plain queries (questions) rank articles by their bigrams, exact\n"
    "matches first, so they still find the best articles.\n";

enum fmt { FMT_TEXT,
           FMT_JSON,
           FMT_TREC };

typedef struct opts {
    const char *index;
    size_t n, offset;
    enum fmt fmt;
    const char *queries;
    const char *timings;
    double k1, b;
    int count;
    int color;
    int sort_date, literal;
} opts;

/*
 * Print stored text, which the library keeps as it was given: invalid
 * UTF-8 becomes U+FFFD and control characters a space (text) or an escape
 * (JSON), so neither a JSON reader nor a terminal sees them raw.
 */
static void put_text(FILE *f, const char *s, size_t n, int json)
{
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
            if (!json)
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
    put_text(f, s, n, 1);
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

static int get_snippet(hks_searcher *s, uint32_t doc, const char *q, char **buf, size_t *cap,
                       size_t *len, hks_span *spans, size_t *n_spans)
{
    int rc = hks_snippet(s, doc, q, strlen(q), SNIPPET_CHARS, *buf, *cap, len, spans, MAX_SPANS,
                         n_spans);
    if (rc == HKS_ERR_BUFSIZE) {
        char *nb = realloc(*buf, *len);
        if (!nb)
            return HKS_ERR_NOMEM;
        *buf = nb;
        *cap = *len;
        rc = hks_snippet(s, doc, q, strlen(q), SNIPPET_CHARS, *buf, *cap, len, spans, MAX_SPANS,
                         n_spans);
    }
    return rc;
}

/* Run one query and print it. Returns 0 (hits), 1 (no match), 2 (error). */
static int run_query(hks_searcher *s, const opts *o, const char *qid, const char *q, FILE *tf)
{
    size_t want = o->offset + o->n, n_hits = 0, i;
    hks_hit *hits = malloc((want ? want : 1) * sizeof *hits);
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
    rc = hks_search(s, q, strlen(q), hits, want, &n_hits, &info);
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
    for (i = o->offset; i < n_hits; i++) {
        hks_doc_meta m;
        hks_span spans[MAX_SPANS];
        size_t n_sp = 0, sl = 0;
        rc = hks_doc_meta_get(s, hits[i].doc_id, &m);
        if (rc < 0) {
            fprintf(stderr, "hksearch: %s\n", hks_searcher_errmsg(s));
            break;
        }
        if (o->fmt == FMT_TREC) {
            printf("%s Q0 %s %zu %.6f hks\n", qid ? qid : "q", m.id, i + 1, hits[i].score);
            continue;
        }
        /* m's strings live until the next call on s: print them first. */
        if (o->fmt == FMT_JSON) {
            printf("{\"rank\":%zu,\"id\":", i + 1);
            json_str(stdout, m.id, m.id_len);
            printf(",\"collection\":");
            json_str(stdout, m.collection, m.collection_len);
            printf(",\"score\":%.6f,\"exact\":%s,\"title\":", hits[i].score,
                   hits[i].flags & HKS_HIT_EXACT ? "true" : "false");
            json_str(stdout, m.title, m.title_len);
            printf(",\"date\":");
            json_str(stdout, m.date, m.date_len);
            printf(",\"source\":");
            json_str(stdout, m.source, m.source_len);
            printf(",\"url\":");
            json_str(stdout, m.url, m.url_len);
        } else {
            printf("%2zu. %s", i + 1, o->color ? "\033[1m" : "");
            put_text(stdout, m.title, m.title_len, 0);
            printf("%s  [%.2f]\n    ", o->color ? "\033[0m" : "", hits[i].score);
            if (m.date_len) {
                put_text(stdout, m.date, m.date_len > 10 ? 10 : m.date_len, 0);
                printf(" · ");
            }
            if (m.source_len) {
                put_text(stdout, m.source, m.source_len, 0);
                printf(" · ");
            }
            put_text(stdout, m.collection, m.collection_len, 0);
            putchar(':');
            put_text(stdout, m.id, m.id_len, 0);
            putchar('\n');
        }
        rc = get_snippet(s, hits[i].doc_id, q, &sn, &sn_cap, &sl, spans, &n_sp);
        if (rc < 0) {
            fprintf(stderr, "hksearch: snippet: %s\n", hks_searcher_errmsg(s));
            sl = 0;
            n_sp = 0;
        }
        if (o->fmt == FMT_JSON) {
            size_t k;
            printf(",\"snippet\":");
            json_str(stdout, sn ? sn : "", sl);
            printf(",\"highlights\":[");
            for (k = 0; k < n_sp; k++)
                printf("%s[%u,%u]", k ? "," : "", spans[k].start, spans[k].end);
            printf("]}\n");
        } else {
            printf("    ");
            print_highlighted(sn ? sn : "", sl, spans, n_sp, o->color);
            printf("\n\n");
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
        printf(",\"returned\":%zu,\"ms\":%.3f}\n", n_hits > o->offset ? n_hits - o->offset : 0,
               ms);
    } else if (o->fmt == FMT_TEXT) {
        char shown[96];
        if (n_hits > o->offset)
            snprintf(shown, sizeof shown, "showing %zu-%zu", o->offset + 1, n_hits);
        else if (o->n == 0)
            snprintf(shown, sizeof shown, "none shown: -n 0");
        else
            snprintf(shown, sizeof shown, "none shown after --offset %zu", o->offset);
        if (n_hits == 0 && info.n_exact == 0 && o->n > 0)
            printf("no articles match \"%s\"\n", q);
        else if (n_hits == 0 && info.n_exact == 0 && info.n_partial &&
                 info.n_partial != UINT64_MAX)
            printf("no article contains \"%s\" exactly; %llu partial matches (%s)\n", q,
                   (unsigned long long)info.n_partial, shown);
        else if (n_hits == 0 && info.n_exact == 0)
            printf("no article contains \"%s\" exactly (%s)\n", q, shown);
        else if (info.n_exact == 0)
            printf("no article contains \"%s\" exactly; partial matches (%s)\n", q, shown);
        else
            printf("%llu article%s match%s \"%s\"%s (%s)\n", (unsigned long long)info.n_exact,
                   info.n_exact == 1 ? "" : "s", info.n_exact == 1 ? "es" : "", q,
                   info.is_natural ? ", then partial matches" : "", shown);
    }
    free(hits);
    /* Status 1 means nothing matches, not that nothing was asked for. */
    return n_hits || info.n_exact || (info.n_partial && info.n_partial != UINT64_MAX) ? 0 : 1;
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
    o.k1 = 1.2;
    o.b = 0.75;
    o.index = getenv("HKS_INDEX");
    if (!o.index || !*o.index)
        o.index = DEFAULT_INDEX;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        static const char *const valued[] = {"-i", "--index", "-n", "--offset", "--format",
                                             "--queries", "--timings", "--k1", "--b", "--sort"};
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
        } else if ((!strcmp(a, "--k1") || !strcmp(a, "--b")) && v) {
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
            else
                o.b = d;
            i++;
        } else if (!strcmp(a, "--count")) {
            o.count = 1;
        } else if (!strcmp(a, "--literal")) {
            o.literal = 1;
        } else if (!strcmp(a, "--sort") && v) {
            if (strcmp(v, "date") != 0 && strcmp(v, "relevance") != 0) {
                fprintf(stderr, "hksearch: --sort date or --sort relevance, not %s\n", v);
                goto bad_args;
            }
            o.sort_date = strcmp(v, "date") == 0;
            i++;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "hksearch: unknown option %s (or it needs a value)\n%s", a, usage);
            goto bad_args;
        } else if (add_word(&query, &qlen, a)) { /* query words, joined by spaces */
            goto bad_args;
        }
    }
    if (query && o.queries) {
        fprintf(stderr, "hksearch: give a QUERY or --queries FILE, not both\n");
        goto bad_args;
    }
    if (!query && !o.queries) {
        fputs(usage, stderr);
        goto bad_args;
    }
    o.color = o.fmt == FMT_TEXT && isatty(STDOUT_FILENO) && !getenv("NO_COLOR");

    rc = hks_index_open(o.index, NULL, &idx);
    if (rc < 0) {
        fprintf(stderr, "hksearch: cannot open index %s: %s\n", o.index,
                idx ? hks_index_errmsg(idx) : hks_strerror(rc));
        hks_index_close(idx);
        free(query);
        return 2;
    }
    rc = hks_searcher_new(idx, &s);
    if (rc == HKS_OK && (rc = hks_searcher_set(s, HKS_S_BM25_K1, o.k1)) == HKS_OK &&
        (rc = hks_searcher_set(s, HKS_S_BM25_B, o.b)) == HKS_OK)
        rc = hks_searcher_set(s, HKS_S_COUNT_PARTIAL, o.count);
    if (rc == HKS_OK && (rc = hks_searcher_set(s, HKS_S_SORT, o.sort_date)) == HKS_OK)
        rc = hks_searcher_set(s, HKS_S_LITERAL, o.literal);
    if (rc < 0) {
        fprintf(stderr, "hksearch: %s\n", s ? hks_searcher_errmsg(s) : hks_strerror(rc));
        status = 2;
        goto out;
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
