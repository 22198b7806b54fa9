/*
 * synonyms.c: the index's synonym table on disk (the SYNONYMS file; byte
 * format at the top of format.c): reading a user's alias file into it,
 * writing it atomically, reading and decoding it bounded. The searcher
 * builds its lookup from the decoded table (searcher/synonyms.c).
 *
 * The text a user gives: one group a line, aliases separated by " / ", a
 * tab, or a comma (ASCII ',', full-width '，' or '、'); '#' at the start of
 * a line or after a space starts a comment; blank lines are skipped. Each
 * alias is normalized with the engine's text rules (hks_norm_compact), so
 * 醫管局 and 医管局 are one alias: a group keeps the first spelling of it,
 * and an alias may stand in one group only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hks_format.h"

/* ---- reading a user's alias file ------------------------------------------ */

typedef struct pent {
    uint32_t text_off, text_len; /* in pool: the alias as written */
    uint32_t norm_off, norm_len; /* in pool: normalized           */
    uint32_t group, line;
} pent;

typedef struct pstate {
    const hks_alloc *a;
    const char *name; /* for messages */
    hks_errbuf *err;
    hks_ntext nt;
    hks_buf pool;
    pent *e;
    size_t n, cap;
    uint32_t n_groups;
    size_t group_first; /* first entry of the group being read */
} pstate;

static bool is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Length of a separator at s[i..n) (0 if none): " / ", a tab, ',',
 * '，' (EF BC 8C) or '、' (E3 80 81). */
static size_t sep_at(const char *s, size_t n, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[i] == '\t' || u[i] == ',')
        return 1;
    if (u[i] == ' ' && i + 2 < n && u[i + 1] == '/' && u[i + 2] == ' ')
        return 3;
    if (i + 2 < n && u[i] == 0xEF && u[i + 1] == 0xBC && u[i + 2] == 0x8C)
        return 3;
    if (i + 2 < n && u[i] == 0xE3 && u[i + 1] == 0x80 && u[i + 2] == 0x81)
        return 3;
    return 0;
}

static int add_alias(pstate *ps, const char *s, size_t n, uint32_t line)
{
    uint8_t norm[HKS_SYN_MAX_ALIAS_BYTES];
    size_t nl = 0, i;
    int rc = 0;
    pent *pe;
    /* trim spaces, ASCII and U+3000 */
    for (;;) {
        if (n && is_blank((unsigned char)s[0]))
            s++, n--;
        else if (n >= 3 && !memcmp(s, "\xE3\x80\x80", 3))
            s += 3, n -= 3;
        else
            break;
    }
    for (;;) {
        if (n && is_blank((unsigned char)s[n - 1]))
            n--;
        else if (n >= 3 && !memcmp(s + n - 3, "\xE3\x80\x80", 3))
            n -= 3;
        else
            break;
    }
    if (n == 0)
        return HKS_OK; /* "a,,b" or a trailing comma */
    if (n > HKS_SYN_MAX_ALIAS_BYTES)
        return hks_fail(ps->err, HKS_ERR_INPUT, "%s:%u: alias longer than %d bytes", ps->name,
                        line, HKS_SYN_MAX_ALIAS_BYTES);
    if (hks_utf8_first_invalid(s, n) != SIZE_MAX)
        return hks_fail(ps->err, HKS_ERR_INPUT, "%s:%u: invalid UTF-8 in an alias", ps->name,
                        line);
    rc = hks_norm_compact(&ps->nt, s, n, norm, sizeof norm, &nl);
    if (rc == HKS_ERR_BUFSIZE)
        return hks_fail(ps->err, HKS_ERR_INPUT, "%s:%u: alias \"%.*s\" is longer than %d bytes "
                                                "once normalized",
                        ps->name, line, (int)n, s, HKS_SYN_MAX_ALIAS_BYTES);
    if (rc)
        return hks_fail(ps->err, rc, "%s:%u: %s", ps->name, line, hks_strerror(rc));
    if (nl == 0)
        return hks_fail(ps->err, HKS_ERR_INPUT,
                        "%s:%u: alias \"%.*s\" has no letters, digits or Chinese characters",
                        ps->name, line, (int)n, s);
    /* the same alias again in this group (another script): keep the first */
    for (i = ps->group_first; i < ps->n; i++)
        if (ps->e[i].norm_len == nl && !memcmp(ps->pool.p + ps->e[i].norm_off, norm, nl))
            return HKS_OK;
    if (ps->n - ps->group_first == HKS_SYN_MAX_GROUP)
        return hks_fail(ps->err, HKS_ERR_INPUT, "%s:%u: more than %d aliases in one group",
                        ps->name, line, HKS_SYN_MAX_GROUP);
    if (ps->n == ps->cap) {
        pent *p = hks_grow(ps->a, ps->e, sizeof *p, ps->cap, ps->n + 1, 64, HKS_SYN_MAX_ALIASES,
                           &ps->cap);
        if (!p)
            return hks_fail(ps->err, ps->n >= HKS_SYN_MAX_ALIASES ? HKS_ERR_INPUT : HKS_ERR_NOMEM,
                            "%s:%u: %s", ps->name, line,
                            ps->n >= HKS_SYN_MAX_ALIASES ? "too many aliases" : "out of memory");
        ps->e = p;
    }
    pe = &ps->e[ps->n];
    pe->text_off = (uint32_t)ps->pool.n;
    pe->text_len = (uint32_t)n;
    hks_buf_put(&rc, &ps->pool, s, n);
    pe->norm_off = (uint32_t)ps->pool.n;
    pe->norm_len = (uint32_t)nl;
    hks_buf_put(&rc, &ps->pool, norm, nl);
    pe->group = ps->n_groups;
    pe->line = line;
    if (rc)
        return hks_fail(ps->err, rc, "%s: out of memory", ps->name);
    ps->n++;
    return HKS_OK;
}

static int parse_line(pstate *ps, const char *s, size_t n, uint32_t line)
{
    size_t i, start = 0;
    /* a comment: '#' first on the line or after a blank */
    for (i = 0; i < n; i++)
        if (s[i] == '#' && (i == 0 || is_blank((unsigned char)s[i - 1]))) {
            n = i;
            break;
        }
    ps->group_first = ps->n;
    for (i = 0; i <= n;) {
        size_t k = i < n ? sep_at(s, n, i) : 1;
        if (k == 0) {
            i++;
            continue;
        }
        HKS_TRY(add_alias(ps, s + start, i - start, line));
        i += k;
        start = i;
    }
    if (ps->n - ps->group_first == 1)
        return hks_fail(ps->err, HKS_ERR_INPUT,
                        "%s:%u: a group needs two or more aliases (\"%.*s\" stands alone; "
                        "separate aliases with \" / \", a tab or a comma)",
                        ps->name, line, (int)ps->e[ps->group_first].text_len,
                        (const char *)ps->pool.p + ps->e[ps->group_first].text_off);
    if (ps->n > ps->group_first)
        ps->n_groups++;
    return HKS_OK;
}

/* An alias of the parsed text, for finding one in two groups. */
typedef struct nref {
    const uint8_t *norm, *text;
    uint32_t norm_len, text_len, line;
} nref;

static int cmp_norm(const void *x, const void *y)
{
    const nref *a = x, *b = y;
    size_t m = a->norm_len < b->norm_len ? a->norm_len : b->norm_len;
    int c = memcmp(a->norm, b->norm, m);
    if (c)
        return c;
    if (a->norm_len != b->norm_len)
        return a->norm_len < b->norm_len ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

/* An alias in two groups is an error naming both lines. */
static int check_unique(pstate *ps)
{
    nref *ix;
    size_t i;
    int rc = HKS_OK;
    if (ps->n < 2)
        return HKS_OK;
    ix = hks_mem_alloc(ps->a, ps->n * sizeof *ix);
    if (!ix)
        return hks_fail(ps->err, HKS_ERR_NOMEM, "%s: out of memory", ps->name);
    for (i = 0; i < ps->n; i++) {
        ix[i].norm = ps->pool.p + ps->e[i].norm_off;
        ix[i].norm_len = ps->e[i].norm_len;
        ix[i].text = ps->pool.p + ps->e[i].text_off;
        ix[i].text_len = ps->e[i].text_len;
        ix[i].line = ps->e[i].line;
    }
    qsort(ix, ps->n, sizeof *ix, cmp_norm);
    for (i = 1; i < ps->n && rc == HKS_OK; i++) {
        const nref *a = &ix[i - 1], *b = &ix[i];
        if (a->norm_len == b->norm_len && !memcmp(a->norm, b->norm, a->norm_len))
            rc = hks_fail(ps->err, HKS_ERR_INPUT,
                          "%s:%u: alias \"%.*s\" is already in the group of line %u (an "
                          "alias belongs to one group)",
                          ps->name, b->line, (int)b->text_len, (const char *)b->text, a->line);
    }
    hks_mem_free(ps->a, ix, 0);
    return rc;
}

int hks_syn_parse(const hks_alloc *a, const char *name, const char *text, size_t n,
                  hks_buf *section, uint32_t *n_groups_out, hks_errbuf *err)
{
    pstate ps;
    size_t i = 0, g_at = 0;
    uint32_t line = 0, g;
    int rc = HKS_OK;
    *n_groups_out = 0;
    memset(&ps, 0, sizeof ps);
    ps.a = a;
    ps.name = name && *name ? name : "synonyms";
    ps.err = err;
    hks_ntext_init(&ps.nt, a);
    hks_buf_init(&ps.pool, a);
    if (n >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        i = 3; /* a byte order mark */
    while (i < n && rc == HKS_OK) {
        const char *nl = memchr(text + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - text) : n;
        line++;
        rc = parse_line(&ps, text + i, end - i, line);
        i = end + 1;
    }
    if (rc == HKS_OK)
        rc = check_unique(&ps);
    /* encode (byte format: format.c, "Synonyms section") */
    if (rc == HKS_OK) {
        hks_buf_put_varint(&rc, section, ps.n_groups);
        for (g = 0; g < ps.n_groups && rc == HKS_OK; g++) {
            size_t j = g_at;
            while (j < ps.n && ps.e[j].group == g)
                j++;
            hks_buf_put_varint(&rc, section, j - g_at);
            for (; g_at < j; g_at++) {
                hks_buf_put_lenbytes(&rc, section, ps.pool.p + ps.e[g_at].text_off,
                                     ps.e[g_at].text_len);
                hks_buf_put_lenbytes(&rc, section, ps.pool.p + ps.e[g_at].norm_off,
                                     ps.e[g_at].norm_len);
            }
        }
        if (rc)
            rc = hks_fail(err, rc, "%s: out of memory", ps.name);
    }
    if (rc == HKS_OK)
        *n_groups_out = ps.n_groups;
    hks_ntext_free(&ps.nt);
    hks_buf_free(&ps.pool);
    hks_mem_free(a, ps.e, 0);
    return rc;
}

/* ---- the file ------------------------------------------------------------- */

int hks_syn_write(const hks_alloc *a, const char *dir, const hks_buf *section, hks_errbuf *err)
{
    char tmp[4096], path[4096];
    hks_filew f;
    int rc;
    if (hks_path_join(tmp, sizeof tmp, dir, HKS_SYNONYMS_NAME ".tmp") ||
        hks_path_join(path, sizeof path, dir, HKS_SYNONYMS_NAME))
        return hks_fail(err, HKS_ERR_ARG, "path too long: %s", dir);
    if (!section) {
        if (unlink(path) != 0 && errno != ENOENT)
            return hks_fail(err, HKS_ERR_IO, "remove %s: %s", path, strerror(errno));
        return hks_fsync_dir(dir, err);
    }
    rc = hks_filew_open(&f, a, tmp, HKS_KIND_SYNONYMS, err);
    if (rc) {
        hks_filew_abort(&f);
        return rc;
    }
    hks_filew_section(&f, HKS_SEC_SYNONYMS, section);
    rc = hks_filew_finish(&f);
    if (rc)
        return rc;
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return hks_fail(err, HKS_ERR_IO, "rename %s: %s", tmp, strerror(e));
    }
    return hks_fsync_dir(dir, err);
}

static int bad(hks_errbuf *err, const char *path, const char *what)
{
    return hks_fail(err, HKS_ERR_CORRUPT, "%s: synonyms: %s", path, what);
}

int hks_syn_decode(const hks_alloc *a, const uint8_t *p, size_t n, const char *path,
                   hks_syndata *d, hks_errbuf *err)
{
    hks_rd rd;
    uint32_t n_groups, g, k, na;
    size_t n_alias = 0;
    hks_rd_init(&rd, p, n);
    if (hks_varint_get_u32(&rd, &n_groups))
        return bad(err, path, "truncated group count");
    /* every group takes at least 2 * (1 + 1 + 2) bytes */
    if (n_groups > hks_rd_left(&rd) / 8)
        return bad(err, path, "more groups than the section has bytes for");
    d->group_first = hks_mem_calloc(a, (size_t)n_groups + 1, sizeof *d->group_first);
    d->alias = hks_mem_calloc(a, hks_rd_left(&rd) / 4 + 1, sizeof *d->alias);
    if (!d->group_first || !d->alias)
        return hks_fail(err, HKS_ERR_NOMEM, "%s: out of memory", path);
    for (g = 0; g < n_groups; g++) {
        d->group_first[g] = (uint32_t)n_alias;
        if (hks_varint_get_u32(&rd, &na))
            return bad(err, path, "truncated group");
        if (na < 2 || na > HKS_SYN_MAX_GROUP)
            return bad(err, path, "group size out of range");
        for (k = 0; k < na; k++) {
            hks_synalias *al = &d->alias[n_alias];
            size_t tl, nl;
            /* each alias takes at least 4 bytes: n_alias stays in bounds */
            if (hks_rd_lenbytes(&rd, &al->text, &tl) || hks_rd_lenbytes(&rd, &al->norm, &nl))
                return bad(err, path, "truncated alias");
            if (tl == 0 || tl > HKS_SYN_MAX_ALIAS_BYTES || nl == 0 ||
                nl > HKS_SYN_MAX_ALIAS_BYTES)
                return bad(err, path, "alias length out of range");
            al->text_len = (uint32_t)tl;
            al->norm_len = (uint32_t)nl;
            al->group = g;
            n_alias++;
        }
    }
    if (hks_rd_left(&rd) != 0)
        return bad(err, path, "bytes after the last group");
    d->group_first[n_groups] = (uint32_t)n_alias;
    d->n_groups = n_groups;
    d->n_alias = (uint32_t)n_alias;
    return HKS_OK;
}

int hks_syn_read(const hks_alloc *a, const char *dir, hks_syndata *d, hks_errbuf *err)
{
    char path[4096];
    hks_filer f;
    const uint8_t *sp;
    size_t sn;
    int rc;
    memset(d, 0, sizeof *d);
    if (hks_path_join(path, sizeof path, dir, HKS_SYNONYMS_NAME))
        return hks_fail(err, HKS_ERR_ARG, "path too long: %s", dir);
    rc = hks_filer_open(&f, a, path, HKS_KIND_SYNONYMS, err);
    if (rc == HKS_ERR_NOTFOUND) {
        hks_err_clear(err);
        return HKS_ERR_NOTFOUND;
    }
    if (rc == HKS_OK)
        rc = hks_filer_verify(&f, HKS_SEC_SYNONYMS, path, err);
    if (rc == HKS_OK)
        rc = hks_filer_section(&f, HKS_SEC_SYNONYMS, &sp, &sn, path, err);
    if (rc == HKS_OK) {
        /* Kept in memory (the file is small): a backup writes these bytes,
         * and the table's strings point into them. */
        d->file = hks_mem_alloc(a, f.n);
        if (!d->file)
            rc = hks_fail(err, HKS_ERR_NOMEM, "%s: out of memory", path);
        else {
            memcpy(d->file, f.p, f.n);
            d->file_n = f.n;
            d->id = hks_hash64(sp, sn);
            rc = hks_syn_decode(a, d->file + (sp - f.p), sn, path, d, err);
        }
    }
    hks_filer_close(&f);
    if (rc)
        hks_syn_free(a, d);
    return rc;
}

int hks_syn_id(const hks_alloc *a, const char *dir, uint64_t *id, hks_errbuf *err)
{
    char path[4096];
    hks_filer f;
    const uint8_t *sp;
    size_t sn;
    int rc;
    *id = 0;
    if (hks_path_join(path, sizeof path, dir, HKS_SYNONYMS_NAME))
        return hks_fail(err, HKS_ERR_ARG, "path too long: %s", dir);
    rc = hks_filer_open(&f, a, path, HKS_KIND_SYNONYMS, err);
    if (rc == HKS_ERR_NOTFOUND) {
        hks_err_clear(err);
        return HKS_OK;
    }
    if (rc == HKS_OK)
        rc = hks_filer_section(&f, HKS_SEC_SYNONYMS, &sp, &sn, path, err);
    if (rc == HKS_OK)
        *id = hks_hash64(sp, sn);
    hks_filer_close(&f);
    return rc;
}

void hks_syn_free(const hks_alloc *a, hks_syndata *d)
{
    hks_mem_free(a, d->group_first, 0);
    hks_mem_free(a, d->alias, 0);
    hks_mem_free(a, d->file, 0);
    memset(d, 0, sizeof *d);
}
