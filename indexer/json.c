/*
 * json.c: a small strict JSON reader for one JSONL record (RFC 8259). The
 * corpus reader (corpus_read.c) parses each line of a .jsonl source with
 * hks_json_parse() and looks the article fields up with hks_json_get().
 *
 * Only the top-level object's members are kept. Nested arrays and objects
 * are checked for syntax (up to HKS_JSON_MAX_DEPTH levels) and skipped.
 * String values are unescaped into the parser's own buffer, so a view
 * returned by hks_json_get() stays valid until the next parse. Bytes of
 * 0x80 and above are copied as they are: invalid UTF-8 inside a string is
 * not a JSON error here (the normalizer skips bad bytes later), but a raw
 * control character below 0x20 is.
 */
#include <string.h>

#include "hks_indexer.h"

/* Deepest nesting accepted, counting the top-level object as level 1.
 * Real records nest two or three levels ("tags": [..]); the bound keeps a
 * hostile line such as 100,000 '[' from costing more than a quick error.
 * The parser recurses once per level, so this also bounds stack use. */
#define HKS_JSON_MAX_DEPTH 64

/* Initial capacities; both grow by doubling. A typical record has about ten
 * members and a few KiB of text. */
#define JSON_INIT_MEMBERS 16
#define JSON_INIT_BYTES 4096

/* The type of a member's value. */
typedef enum jtype {
    J_STRING = 0, /* unescaped bytes in buf                       */
    J_NUMBER,     /* the number's text, copied into buf           */
    J_NULL,
    J_TRUE,
    J_FALSE,
    J_ARRAY,  /* skipped; no value kept                       */
    J_OBJECT, /* skipped; no value kept                       */
    J_STRLIST /* a top-level array of strings: its elements in
                  buf, one after another, each ended by '\n'   */
} jtype;

/* One member of the top-level object. Offsets index j->buf, which may move
 * while parsing, so pointers are only formed in hks_json_get(). */
typedef struct jmember {
    size_t key_off; /* unescaped key bytes in buf                  */
    size_t key_len;
    size_t val_off; /* string or number bytes in buf (J_STRING/NUMBER) */
    size_t val_len;
    jtype type; /* what the value was                          */
} jmember;

struct hks_json {
    const hks_alloc *a; /* allocator (borrowed)                       */
    jmember *mem;       /* members of the last parsed object          */
    size_t n_mem;       /* members in use                             */
    size_t cap_mem;     /* members allocated                          */
    char *buf;          /* unescaped keys and values                  */
    size_t n_buf;       /* bytes in use                               */
    size_t cap_buf;     /* bytes allocated                            */
};

/* Parse state for one line; pos is the offset of the next byte. */
typedef struct jparse {
    hks_json *j;
    const unsigned char *s; /* the line                                   */
    size_t n;               /* its length                                 */
    size_t pos;             /* next byte                                  */
    hks_errbuf *e;          /* where a syntax error is described          */
} jparse;

/* Classes of string bytes: 0 = copy, 1 = stop (quote, backslash or a
 * control character). Lets the copy loop test one table entry per byte. */
static const unsigned char str_stop[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00..0x0f */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10..0x1f */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* '"' = 0x22 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /*            */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /*            */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* '\\' = 0x5c */
};

/* Record a syntax error at byte `at` of the line (0-based). */
static int syntax(jparse *p, size_t at, const char *what)
{
    return hks_fail(p->e, HKS_ERR_INPUT, "byte %zu: %s", at, what);
}

/* Make room for `extra` more bytes in j->buf. */
static int buf_reserve(hks_json *j, size_t extra)
{
    char *nb;
    if (j->buf && extra <= j->cap_buf - j->n_buf)
        return HKS_OK;
    if (extra > SIZE_MAX - j->n_buf)
        return HKS_ERR_NOMEM;
    nb = hks_grow(j->a, j->buf, 1, j->cap_buf, j->n_buf + extra, JSON_INIT_BYTES, SIZE_MAX,
                  &j->cap_buf);
    if (!nb)
        return HKS_ERR_NOMEM;
    j->buf = nb;
    return HKS_OK;
}

/* UTF-8 encode cp (at most U+10FFFF, not a surrogate) into out[0..4);
 * returns the bytes written. */
static size_t put_utf8(char *out, uint32_t cp)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static void skip_ws(jparse *p)
{
    while (p->pos < p->n) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

/* Four hex digits at s[0..4) -> *out; false if any is not a hex digit. */
static bool hex4(const unsigned char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return false;
        v = v * 16 + d;
    }
    *out = v;
    return true;
}

/*
 * Parse the string starting at the opening quote at p->pos. When `keep`,
 * its unescaped bytes are appended to j->buf and *off_out / *len_out say
 * where; otherwise it is only checked. \uXXXX escapes become UTF-8: a high
 * surrogate followed by \u and a low surrogate is one code point; any other
 * surrogate (lone high, lone low) becomes U+FFFD.
 */
static int parse_string(jparse *p, bool keep, size_t *off_out,
                        size_t *len_out)
{
    hks_json *j = p->j;
    const unsigned char *s = p->s;
    size_t i = p->pos + 1, start_n = j->n_buf;
    int rc;

    if (keep) {
        /* The unescaped string is never longer than its source bytes. */
        rc = buf_reserve(j, p->n - i);
        if (rc < 0)
            return rc;
    }
    for (;;) {
        size_t run = i;
        while (i < p->n && !str_stop[s[i]])
            i++;
        if (keep && i > run) {
            memcpy(j->buf + j->n_buf, s + run, i - run);
            j->n_buf += i - run;
        }
        if (i >= p->n)
            return syntax(p, i, "expected '\"' to end the string");
        if (s[i] == '"')
            break;
        if (s[i] < 0x20)
            return syntax(p, i, "expected an escape, not a raw control "
                                "character, in a string");
        /* A backslash escape. */
        if (i + 1 >= p->n)
            return syntax(p, i + 1, "expected an escape character");
        {
            unsigned char c = s[i + 1];
            char one = 0;
            switch (c) {
            case '"':
                one = '"';
                break;
            case '\\':
                one = '\\';
                break;
            case '/':
                one = '/';
                break;
            case 'b':
                one = '\b';
                break;
            case 'f':
                one = '\f';
                break;
            case 'n':
                one = '\n';
                break;
            case 'r':
                one = '\r';
                break;
            case 't':
                one = '\t';
                break;
            case 'u':
                break;
            default:
                return syntax(p, i + 1, "expected one of \"\\/bfnrtu after "
                                        "'\\'");
            }
            if (c != 'u') {
                if (keep)
                    j->buf[j->n_buf++] = one;
                i += 2;
                continue;
            }
        }
        {
            unsigned u, lo;
            uint32_t cp;
            if (i + 6 > p->n || !hex4(s + i + 2, &u))
                return syntax(p, i + 2, "expected four hex digits after "
                                        "'\\u'");
            i += 6;
            if (u >= 0xD800 && u <= 0xDBFF) {
                /* A high surrogate: pair it with a following low one. */
                if (i + 6 <= p->n && s[i] == '\\' && s[i + 1] == 'u' &&
                    hex4(s + i + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((uint32_t)(u - 0xD800) << 10) +
                         (lo - 0xDC00);
                    i += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                cp = 0xFFFD; /* a low surrogate with no high one before it */
            } else {
                cp = u;
            }
            /* At most 4 UTF-8 bytes from at least 6 source bytes, so the
             * reservation above still holds. */
            if (keep)
                j->n_buf += put_utf8(j->buf + j->n_buf, cp);
        }
    }
    p->pos = i + 1;
    if (keep) {
        *off_out = start_n;
        *len_out = j->n_buf - start_n;
    }
    return HKS_OK;
}

/* Number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(jparse *p)
{
    const unsigned char *s = p->s;
    size_t i = p->pos;
    if (i < p->n && s[i] == '-')
        i++;
    if (i >= p->n || s[i] < '0' || s[i] > '9')
        return syntax(p, i, "expected a digit");
    if (s[i] == '0') {
        i++;
    } else {
        while (i < p->n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < p->n && s[i] == '.') {
        i++;
        if (i >= p->n || s[i] < '0' || s[i] > '9')
            return syntax(p, i, "expected a digit after '.'");
        while (i < p->n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    if (i < p->n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < p->n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= p->n || s[i] < '0' || s[i] > '9')
            return syntax(p, i, "expected a digit in the exponent");
        while (i < p->n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    p->pos = i;
    return HKS_OK;
}

/* Match the literal word (true, false, null) at p->pos. */
static int parse_word(jparse *p, const char *word)
{
    size_t len = strlen(word);
    if (p->n - p->pos < len || memcmp(p->s + p->pos, word, len) != 0)
        return syntax(p, p->pos, "expected a value");
    p->pos += len;
    return HKS_OK;
}

static int parse_value(jparse *p, int depth, bool keep, jmember *m);
static int parse_strlist(jparse *p, int depth, jmember *m);

/* A nested array or object at p->pos, checked and skipped. depth is the
 * level it opens. */
static int skip_container(jparse *p, int depth)
{
    unsigned char open = p->s[p->pos];
    unsigned char close = open == '[' ? ']' : '}';
    int rc;

    if (depth > HKS_JSON_MAX_DEPTH)
        return syntax(p, p->pos, "expected at most 64 levels of nesting");
    p->pos++;
    skip_ws(p);
    if (p->pos < p->n && p->s[p->pos] == close) {
        p->pos++;
        return HKS_OK;
    }
    for (;;) {
        if (open == '{') {
            if (p->pos >= p->n || p->s[p->pos] != '"')
                return syntax(p, p->pos, "expected '\"' to start a key");
            rc = parse_string(p, false, NULL, NULL);
            if (rc < 0)
                return rc;
            skip_ws(p);
            if (p->pos >= p->n || p->s[p->pos] != ':')
                return syntax(p, p->pos, "expected ':' after a key");
            p->pos++;
            skip_ws(p);
        }
        rc = parse_value(p, depth + 1, false, NULL);
        if (rc < 0)
            return rc;
        skip_ws(p);
        if (p->pos < p->n && p->s[p->pos] == ',') {
            p->pos++;
            skip_ws(p);
            continue;
        }
        if (p->pos < p->n && p->s[p->pos] == close) {
            p->pos++;
            return HKS_OK;
        }
        return syntax(p, p->pos, open == '[' ? "expected ',' or ']'" : "expected ',' or '}'");
    }
}

/*
 * A member's array at p->pos kept as a list when every element is a
 * string ("tags": ["疫苗", "新冠"]): the elements go into j->buf, each
 * followed by '\n' (a '\n' or '\r' inside an element becomes a space, so
 * the list splits back exactly; an empty element is left out), and m gets
 * J_STRLIST. @return HKS_OK;
 * HKS_DONE (position and buffer as before) when an element is not a
 * string, or the array is not well formed: the caller then checks and
 * skips it as any array; HKS_ERR_NOMEM.
 */
static int parse_strlist(jparse *p, int depth, jmember *m)
{
    hks_json *j = p->j;
    size_t start = p->pos, n_buf0 = j->n_buf, off = 0, len = 0;
    int rc;
    if (depth > HKS_JSON_MAX_DEPTH)
        return HKS_DONE;
    p->pos++;
    skip_ws(p);
    if (p->pos < p->n && p->s[p->pos] == ']') {
        p->pos++;
        goto done;
    }
    for (;;) {
        if (p->pos >= p->n || p->s[p->pos] != '"')
            goto not_list;
        rc = parse_string(p, true, &off, &len);
        if (rc == HKS_ERR_NOMEM)
            return rc;
        if (rc < 0)
            goto not_list;
        for (size_t i = off; i < off + len; i++)
            if (j->buf[i] == '\n' || j->buf[i] == '\r')
                j->buf[i] = ' ';
        if (len) { /* an empty element is no tag */
            rc = buf_reserve(j, 1);
            if (rc < 0)
                return rc;
            j->buf[j->n_buf++] = '\n';
        }
        skip_ws(p);
        if (p->pos < p->n && p->s[p->pos] == ',') {
            p->pos++;
            skip_ws(p);
            continue;
        }
        if (p->pos < p->n && p->s[p->pos] == ']') {
            p->pos++;
            break;
        }
        goto not_list;
    }
done:
    m->type = J_STRLIST;
    m->val_off = n_buf0;
    m->val_len = j->n_buf - n_buf0;
    return HKS_OK;
not_list:
    hks_err_clear(p->e);
    p->pos = start;
    j->n_buf = n_buf0;
    return HKS_DONE;
}

/*
 * Parse one value at p->pos (whitespace already skipped). depth is the
 * level a container starting here would open. When keep, m gets its type
 * and, for strings and numbers, its bytes in j->buf.
 */
static int parse_value(jparse *p, int depth, bool keep, jmember *m)
{
    jtype t;
    int rc;
    size_t start = p->pos;

    if (p->pos >= p->n)
        return syntax(p, p->pos, "expected a value");
    switch (p->s[p->pos]) {
    case '"':
        if (keep) {
            m->type = J_STRING;
            return parse_string(p, true, &m->val_off, &m->val_len);
        }
        return parse_string(p, false, NULL, NULL);
    case '[':
        if (keep) {
            rc = parse_strlist(p, depth, m);
            if (rc != HKS_DONE)
                return rc;
        }
        t = J_ARRAY;
        rc = skip_container(p, depth);
        break;
    case '{':
        t = J_OBJECT;
        rc = skip_container(p, depth);
        break;
    case 't':
        t = J_TRUE;
        rc = parse_word(p, "true");
        break;
    case 'f':
        t = J_FALSE;
        rc = parse_word(p, "false");
        break;
    case 'n':
        t = J_NULL;
        rc = parse_word(p, "null");
        break;
    default:
        t = J_NUMBER;
        if (p->s[p->pos] != '-' && (p->s[p->pos] < '0' || p->s[p->pos] > '9'))
            return syntax(p, p->pos, "expected a value");
        rc = parse_number(p);
        break;
    }
    if (rc < 0)
        return rc;
    if (keep) {
        m->type = t;
        m->val_off = 0;
        m->val_len = 0;
        if (t == J_NUMBER) {
            size_t len = p->pos - start;
            rc = buf_reserve(p->j, len);
            if (rc < 0)
                return rc;
            memcpy(p->j->buf + p->j->n_buf, p->s + start, len);
            m->val_off = p->j->n_buf;
            m->val_len = len;
            p->j->n_buf += len;
        }
    }
    return HKS_OK;
}

/* Append an empty member slot; *out points at it (valid until the next
 * append). */
static int member_add(hks_json *j, jmember **out)
{
    if (j->n_mem == j->cap_mem) {
        jmember *nm = hks_grow(j->a, j->mem, sizeof *nm, j->cap_mem, j->n_mem + 1,
                               JSON_INIT_MEMBERS, SIZE_MAX, &j->cap_mem);
        if (!nm)
            return HKS_ERR_NOMEM;
        j->mem = nm;
    }
    *out = &j->mem[j->n_mem++];
    return HKS_OK;
}

/*
 * Create a parser that allocates through a (NULL = malloc).
 * @return HKS_OK with *out set, or HKS_ERR_NOMEM with *out = NULL.
 * After the call the caller owns *out and frees it with hks_json_free().
 */
int hks_json_new(const hks_alloc *a, hks_json **out)
{
    hks_json *j = hks_mem_calloc(a, 1, sizeof *j);
    *out = j;
    if (!j)
        return HKS_ERR_NOMEM;
    j->a = a;
    return HKS_OK;
}

/* Free the parser and its buffers; accepts NULL. Views returned by
 * hks_json_get() become invalid. */
void hks_json_free(hks_json *j)
{
    if (!j)
        return;
    hks_mem_free(j->a, j->mem, j->cap_mem * sizeof *j->mem);
    hks_mem_free(j->a, j->buf, j->cap_buf);
    hks_mem_free(j->a, j, sizeof *j);
}

/*
 * Parse line[0..n) as one JSON object, optionally surrounded by
 * whitespace. The members replace those of the previous parse; a key seen
 * twice keeps its last value.
 * @return HKS_OK; HKS_ERR_INPUT with "byte K: expected ..." in e (K is the
 *         0-based offset in the line) on a syntax error, including a value
 *         that is not an object, trailing bytes after it, a raw control
 *         character in a string and nesting deeper than 64 levels;
 *         HKS_ERR_NOMEM. After an error no member is found.
 */
int hks_json_parse(hks_json *j, const char *line, size_t n, hks_errbuf *e)
{
    jparse p;
    int rc;

    j->n_mem = 0;
    j->n_buf = 0;
    p.j = j;
    p.s = (const unsigned char *)line;
    p.n = n;
    p.pos = 0;
    p.e = e;

    skip_ws(&p);
    if (p.pos >= p.n || p.s[p.pos] != '{') {
        rc = syntax(&p, p.pos, "expected '{' to start an object");
        goto out;
    }
    p.pos++;
    skip_ws(&p);
    if (p.pos < p.n && p.s[p.pos] == '}') {
        p.pos++;
    } else {
        for (;;) {
            jmember *m;
            size_t koff, klen;
            if (p.pos >= p.n || p.s[p.pos] != '"') {
                rc = syntax(&p, p.pos, "expected '\"' to start a key");
                goto out;
            }
            rc = parse_string(&p, true, &koff, &klen);
            if (rc < 0)
                goto out;
            skip_ws(&p);
            if (p.pos >= p.n || p.s[p.pos] != ':') {
                rc = syntax(&p, p.pos, "expected ':' after a key");
                goto out;
            }
            p.pos++;
            skip_ws(&p);
            rc = member_add(j, &m);
            if (rc < 0)
                goto out;
            m->key_off = koff;
            m->key_len = klen;
            rc = parse_value(&p, 2, true, m);
            if (rc < 0)
                goto out;
            skip_ws(&p);
            if (p.pos < p.n && p.s[p.pos] == ',') {
                p.pos++;
                skip_ws(&p);
                continue;
            }
            if (p.pos < p.n && p.s[p.pos] == '}') {
                p.pos++;
                break;
            }
            rc = syntax(&p, p.pos, "expected ',' or '}'");
            goto out;
        }
    }
    skip_ws(&p);
    if (p.pos != p.n) {
        rc = syntax(&p, p.pos, "expected the end of the line after the "
                               "object");
        goto out;
    }
    rc = HKS_OK;
out:
    if (rc < 0)
        j->n_mem = 0;
    return rc;
}

/*
 * Look up member `key` (NUL-terminated, compared byte for byte with the
 * unescaped key) of the last parsed object. A string gives its unescaped
 * bytes, a number its text as written ("3.5e2").
 * @return HKS_OK with *p_out and *n_out set to a view valid until the next
 *         parse or free (not NUL-terminated); HKS_ERR_NOTFOUND if the key is
 *         absent or its value is null; HKS_ERR_INPUT if the value is true,
 *         false, an array or an object.
 */
int hks_json_get(const hks_json *j, const char *key, const char **p_out,
                 size_t *n_out)
{
    size_t klen = strlen(key);
    *p_out = NULL;
    *n_out = 0;
    /* Search from the end so that the last of duplicate keys wins. */
    for (size_t i = j->n_mem; i-- > 0;) {
        const jmember *m = &j->mem[i];
        if (m->key_len != klen || memcmp(j->buf + m->key_off, key, klen) != 0)
            continue;
        switch (m->type) {
        case J_STRING:
        case J_NUMBER:
            *p_out = j->buf + m->val_off;
            *n_out = m->val_len;
            return HKS_OK;
        case J_NULL:
            return HKS_ERR_NOTFOUND;
        default:
            return HKS_ERR_INPUT;
        }
    }
    return HKS_ERR_NOTFOUND;
}

/*
 * Look up member `key` as a list of strings: an array of strings gives its
 * elements, each followed by '\n' ("a\nb\n"; "" for []); a string gives
 * itself (one element, not '\n'-ended: a tag list written as "a,b" stays
 * as written). @return HKS_OK with a view valid until the next parse;
 * HKS_ERR_NOTFOUND if absent or null; HKS_ERR_INPUT for another type (a
 * number, true/false, an object, an array holding anything but strings).
 */
int hks_json_get_list(const hks_json *j, const char *key, const char **p_out, size_t *n_out)
{
    size_t klen = strlen(key);
    *p_out = NULL;
    *n_out = 0;
    for (size_t i = j->n_mem; i-- > 0;) {
        const jmember *m = &j->mem[i];
        if (m->key_len != klen || memcmp(j->buf + m->key_off, key, klen) != 0)
            continue;
        switch (m->type) {
        case J_STRING:
        case J_STRLIST:
            *p_out = j->buf + m->val_off;
            *n_out = m->val_len;
            return HKS_OK;
        case J_NULL:
            return HKS_ERR_NOTFOUND;
        default:
            return HKS_ERR_INPUT;
        }
    }
    return HKS_ERR_NOTFOUND;
}
