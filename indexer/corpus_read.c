/*
 * corpus_read.c: streams the articles of a source to a callback, for the
 * writer (writer.c, hks_writer_add_path). A source is
 *   - a folder: every *.txt and *.md file below it, one article each,
 *     visited in byte order of names, directory by directory (hidden files
 *     and folders skipped, and README/LICENSE/COPYING files, which document
 *     the folder); id = the path below the folder, collection =
 *     the folder's base name, title = hks_title_guess(), date and source =
 *     hks_date_guess() and hks_source_guess() of the text (its date and
 *     来源 lines); a .md file's front matter (title, date, source, url, author, category
 *     between "---" lines) gives those fields instead;
 *   - a single .txt or .md file (id = its name, collection = its folder's
 *     base name);
 *   - a .jsonl or .jsonl.zst file: one JSON object a line (json.c) with
 *     "id" and "body" and optional "title", "date", "source", "url",
 *     "author", "category", "tags" (an array of strings: one per line in
 *     hks_doc.tags); a record without "date" or "source" gets the ones
 *     its body names, as a text file does;
 *     collection = the file's base name without .jsonl/.jsonl.zst. The zstd
 *     stream is decompressed as it is read, never whole in memory.
 *
 * Text files are decoded by textenc.c (UTF-8, UTF-16 with a BOM, GB18030,
 * Big5) and their title, date and front matter found by article.c. A file
 * that cannot be decoded, holds a NUL byte or is empty is skipped with a
 * warning. A malformed JSONL line is reported as "FILE:LINE: what" and
 * skipped. JSONL text is passed through as it is: invalid UTF-8 there is
 * skipped later by the normalizer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZSTD_STATIC_LINKING_ONLY /* ZSTD_createDCtx_advanced: our allocator */
#include <zstd.h>
#include <zstd_errors.h>

#include "hks_indexer.h"

/* Longest JSONL line and largest text file read, in bytes. Far above any
 * real article (the longest hkcnews record is under 1 MiB) yet low enough
 * that one bad line cannot take all memory. A longer line is skipped with a
 * warning; a larger text file too. */
#define MAX_LINE_BYTES (256u << 20)
#define MAX_TEXT_FILE_BYTES (256u << 20)

/* Line buffer: starts at 1 MiB and doubles; each read asks for at least
 * MIN_FREE bytes so zstd can write whole blocks (ZSTD_DStreamOutSize() is
 * 128 KiB) and plain reads stay large. */
#define LINE_BUF_INIT (1u << 20)
#define LINE_MIN_FREE (256u << 10)

/* cb->progress is called each time this many more input bytes were read. */
#define PROGRESS_STEP (1u << 20)

/* Folders nested deeper than this are skipped with a warning; it also stops
 * a symbolic link loop. */
#define MAX_DIR_DEPTH 64

/* hks_doc.id is 1..1024 bytes (hks.h). */
#define MAX_ID_BYTES 1024

/* State of one hks_corpus_read() call. */
typedef struct crd {
    const hks_alloc *a;      /* allocator (borrowed; may be NULL)          */
    hks_article_fn fn;       /* article callback                           */
    void *ctx;               /* its context                                */
    const hks_callbacks *cb; /* warn/progress (may be NULL)               */
    hks_progress *prog;      /* counters (never NULL here)                 */
    hks_errbuf *e;           /* message of an error that stops the source  */
    uint64_t next_progress;  /* n_bytes at which progress is called next   */
    hks_json *json;          /* JSONL parser, created on first use         */
    char *pb;                /* folder walk: full path of the current entry */
    size_t pb_cap;           /* bytes allocated for pb                     */
    size_t root_len;         /* folder walk: length of the folder's path   */
    hks_keytab ids;          /* JSONL: ids of the file so far, with lines  */
} crd;

/* ---- Messages, progress, callback --------------------------------------- */

/* Send one warning to cb->warn (formatted; nothing happens without one). */
static void warn(crd *r, const char *fmt, ...) HKS_PRINTF(2, 3);
static void warn(crd *r, const char *fmt, ...)
{
    char msg[HKS_ERRMSG_MAX + 256];
    va_list ap;
    if (!r->cb || !r->cb->warn)
        return;
    va_start(ap, fmt);
    /* ap is started just above (clang-analyzer-valist false positive). */
    vsnprintf(msg, sizeof msg, fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
    va_end(ap);
    r->cb->warn(r->cb->ud, msg);
}

/* Count n input bytes; call cb->progress each PROGRESS_STEP bytes. */
static void add_bytes(crd *r, uint64_t n)
{
    r->prog->n_bytes += n;
    if (r->prog->n_bytes >= r->next_progress) {
        /* Next multiple of the step, so calls stay about a step apart
         * whatever the size of each read. */
        while (r->next_progress <= r->prog->n_bytes)
            r->next_progress += PROGRESS_STEP;
        if (r->cb && r->cb->progress)
            r->cb->progress(r->cb->ud, r->prog);
    }
}

/* One record skipped: counted and reported. */
static void reject(crd *r)
{
    r->prog->n_rejected++;
}

/* Hand a document to the callback. @return HKS_OK or its negative value. */
static int emit(crd *r, const hks_doc *d)
{
    int rc = r->fn(r->ctx, d);
    if (rc == HKS_OK)
        r->prog->n_docs++;
    return rc < 0 ? rc : HKS_OK;
}

/* An errno text without strerror()'s shared buffer. */
static const char *errtext(int err, char *buf, size_t cap)
{
    /* The GNU strerror_r (the build defines _GNU_SOURCE) returns a string
     * that may or may not be buf. */
    return strerror_r(err, buf, cap);
}

/* The last component of path, ignoring trailing slashes: [*p_out, +*n_out). */
static void base_name(const char *path, const char **p_out, size_t *n_out)
{
    size_t end = strlen(path), start;
    while (end > 1 && path[end - 1] == '/')
        end--;
    start = end;
    while (start > 0 && path[start - 1] != '/')
        start--;
    *p_out = path + start;
    *n_out = end - start;
}

/* True if name ends with suffix, ASCII case-insensitively. */
static bool has_suffix(const char *name, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    return n >= k && strncasecmp(name + n - k, suffix, k) == 0;
}

/*
 * The collection of a source (see the top of this file): a folder's base
 * name, a JSONL file's base name without .jsonl/.jsonl.zst, a single
 * article's folder's base name; ".", ".." and "/" are named after the real
 * folder. out gets at most cap - 1 bytes and a NUL.
 */
int hks_corpus_collection(const char *path, bool is_dir, char *out, size_t cap, size_t *len_out)
{
    char dir[4096], real[4096];
    const char *name, *coll;
    size_t name_len, coll_len;
    *len_out = 0;
    if (cap == 0)
        return HKS_ERR_ARG;
    out[0] = '\0';
    base_name(path, &name, &name_len);
    if (!is_dir && has_suffix(name, name_len, ".jsonl.zst")) {
        coll = name;
        coll_len = name_len - strlen(".jsonl.zst");
    } else if (!is_dir && has_suffix(name, name_len, ".jsonl")) {
        coll = name;
        coll_len = name_len - strlen(".jsonl");
    } else {
        size_t dl = is_dir ? strlen(path) : (size_t)(name - path);
        if (dl >= sizeof dir)
            return HKS_ERR_ARG;
        memcpy(dir, dl ? path : ".", dl ? dl : 1);
        dir[dl ? dl : 1] = '\0';
        base_name(dir, &coll, &coll_len);
        if ((coll_len == 1 && (coll[0] == '.' || coll[0] == '/')) ||
            (coll_len == 2 && coll[0] == '.' && coll[1] == '.')) {
            if (realpath(dir, real))
                base_name(real, &coll, &coll_len);
        }
    }
    if (coll_len >= cap)
        return HKS_ERR_ARG;
    memcpy(out, coll, coll_len);
    out[coll_len] = '\0';
    *len_out = coll_len;
    return HKS_OK;
}

/* ---- Text files ---------------------------------------------------------- */

/* Read the whole file path into a new block (*buf_out, *cap_out; the caller
 * frees it). @return HKS_OK, HKS_DONE if it was skipped with a warning (too
 * large), HKS_ERR_IO or HKS_ERR_NOMEM. */
static int slurp(crd *r, const char *path, char **buf_out, size_t *n_out,
                 size_t *cap_out)
{
    char eb[128];
    struct stat st;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = HKS_OK;

    *buf_out = NULL;
    *n_out = 0;
    *cap_out = 0;
    if (fd < 0)
        return hks_fail(r->e, errno == ENOENT ? HKS_ERR_NOTFOUND : HKS_ERR_IO,
                        "%s: cannot open: %s", path,
                        errtext(errno, eb, sizeof eb));
    if (fstat(fd, &st) != 0) {
        rc = hks_fail(r->e, HKS_ERR_IO, "%s: stat: %s", path,
                      errtext(errno, eb, sizeof eb));
        goto out;
    }
    if (st.st_size > (off_t)MAX_TEXT_FILE_BYTES) {
        warn(r, "%s: larger than %u MiB, skipped", path,
             MAX_TEXT_FILE_BYTES >> 20);
        rc = HKS_DONE;
        goto out;
    }
    /* One byte more than the size, so a growing file is still read whole
     * and EOF is seen without a second allocation in the common case. */
    cap = (size_t)st.st_size + 1;
    buf = hks_mem_alloc(r->a, cap);
    if (!buf) {
        rc = HKS_ERR_NOMEM;
        goto out;
    }
    for (;;) {
        ssize_t k;
        if (n == cap) {
            char *nb;
            if (cap > MAX_TEXT_FILE_BYTES) {
                warn(r, "%s: larger than %u MiB, skipped", path,
                     MAX_TEXT_FILE_BYTES >> 20);
                rc = HKS_DONE;
                goto out;
            }
            nb = hks_grow(r->a, buf, 1, cap, cap + 1, cap, SIZE_MAX, &cap);
            if (!nb) {
                rc = HKS_ERR_NOMEM;
                goto out;
            }
            buf = nb;
        }
        k = read(fd, buf + n, cap - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            rc = hks_fail(r->e, HKS_ERR_IO, "%s: read: %s", path,
                          errtext(errno, eb, sizeof eb));
            goto out;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
out:
    close(fd);
    if (rc != HKS_OK) {
        hks_mem_free(r->a, buf, cap);
        return rc;
    }
    *buf_out = buf;
    *n_out = n;
    *cap_out = cap;
    return HKS_OK;
}

/* Read one article file and hand it to the callback. id and collection are
 * views. @return HKS_OK (also when skipped with a warning) or an error. */
static int read_text_file(crd *r, const char *path, const char *id,
                          size_t id_len, const char *coll, size_t coll_len)
{
    char *raw = NULL, date[11];
    size_t n = 0, cap = 0, t_start = 0, t_len = 0;
    hks_dtext t = {0};
    hks_fmatter fm;
    char note[256];
    hks_doc d;
    const char *prev_path = r->prog->path;
    int rc;

    r->prog->path = path;
    rc = slurp(r, path, &raw, &n, &cap);
    if (rc == HKS_DONE) {
        reject(r);
        rc = HKS_OK;
        goto out;
    }
    if (rc < 0)
        goto out;
    add_bytes(r, n);
    if (n == 0) {
        warn(r, "%s: empty file, skipped", path);
        reject(r);
        goto out;
    }
    rc = hks_text_decode(r->a, raw, n, &t, note, sizeof note);
    if (note[0])
        warn(r, "%s: %s", path, note);
    if (rc == HKS_DONE) {
        reject(r);
        rc = HKS_OK;
        goto out;
    }
    if (rc < 0)
        goto out;
    if (id_len == 0 || id_len > MAX_ID_BYTES) {
        warn(r, "%s: path below the folder is %zu bytes (1..%d allowed), "
                "skipped",
             path, id_len, MAX_ID_BYTES);
        reject(r);
        goto out;
    }
    memset(&d, 0, sizeof d);
    memset(&fm, 0, sizeof fm);
    d.collection = coll;
    d.collection_len = coll_len;
    d.id = id;
    d.id_len = id_len;
    if (has_suffix(id, id_len, ".md") && !hks_front_matter(t.p, t.n, &fm) && fm.unclosed)
        warn(r, "%s: front matter opened by \"---\" is never closed; read as text", path);
    d.body = t.p + fm.body_off;
    d.body_len = t.n - fm.body_off;
    if (fm.v[0]) {
        d.title = fm.v[0];
        d.title_len = fm.n[0];
    } else if (hks_title_guess(d.body, d.body_len, &t_start, &t_len)) {
        d.title = d.body + t_start;
        d.title_len = t_len;
    }
    d.date_len = fm.v[1] ? hks_date_guess(fm.v[1], fm.n[1], date) : 0;
    if (fm.v[1] && !d.date_len)
        warn(r, "%s: front matter date \"%.*s\" is not a valid day (YYYY-MM-DD), dropped", path,
             (int)(fm.n[1] > 64 ? 64 : fm.n[1]), fm.v[1]);
    if (!d.date_len)
        d.date_len = hks_date_guess(d.body, d.body_len, date);
    d.date = d.date_len ? date : NULL;
    d.source = fm.v[2];
    d.source_len = fm.v[2] ? fm.n[2] : 0;
    if (!d.source && hks_source_guess(d.body, d.body_len, &t_start, &t_len)) {
        d.source = d.body + t_start;
        d.source_len = t_len;
    }
    d.url = fm.v[3];
    d.url_len = fm.v[3] ? fm.n[3] : 0;
    d.author = fm.v[4];
    d.author_len = fm.v[4] ? fm.n[4] : 0;
    d.category = fm.v[5];
    d.category_len = fm.v[5] ? fm.n[5] : 0;
    rc = emit(r, &d);
out:
    hks_mem_free(r->a, t.own, t.own_cap);
    hks_mem_free(r->a, raw, cap);
    r->prog->path = prev_path;
    return rc;
}

/* ---- Folders -------------------------------------------------------------- */

/* Make r->pb hold at least need bytes. */
static int pb_reserve(crd *r, size_t need)
{
    char *nb = hks_grow(r->a, r->pb, 1, r->pb_cap, need, 256, SIZE_MAX, &r->pb_cap);
    if (!nb)
        return HKS_ERR_NOMEM;
    r->pb = nb;
    return HKS_OK;
}

/* Names of one directory, sorted. */
typedef struct names {
    char **v;    /* NUL-terminated names (each allocated)             */
    size_t *len; /* their lengths                                    */
    size_t n;    /* names in use                                      */
    size_t cap;  /* slots allocated                                   */
} names;

static void names_free(crd *r, names *nm)
{
    for (size_t i = 0; i < nm->n; i++)
        hks_mem_free(r->a, nm->v[i], nm->len[i] + 1);
    hks_mem_free(r->a, nm->v, nm->cap * sizeof *nm->v);
    hks_mem_free(r->a, nm->len, nm->cap * sizeof *nm->len);
    memset(nm, 0, sizeof *nm);
}

static int names_add(crd *r, names *nm, const char *name)
{
    size_t len = strlen(name);
    if (nm->n == nm->cap) {
        size_t cap;
        char **nv;
        size_t *nl;
        if (hks_grow_cap(nm->cap, nm->n + 1, sizeof *nv, 32, SIZE_MAX / sizeof *nl, &cap))
            return HKS_ERR_NOMEM;
        nv = hks_mem_realloc(r->a, nm->v, nm->cap * sizeof *nv, cap * sizeof *nv);
        if (!nv)
            return HKS_ERR_NOMEM;
        nm->v = nv;
        nl = hks_mem_realloc(r->a, nm->len, nm->cap * sizeof *nl,
                             cap * sizeof *nl);
        if (!nl)
            return HKS_ERR_NOMEM; /* v already grown; cap stays consistent */
        nm->len = nl;
        nm->cap = cap;
    }
    nm->v[nm->n] = hks_mem_strndup(r->a, name, len);
    if (!nm->v[nm->n])
        return HKS_ERR_NOMEM;
    nm->len[nm->n++] = len;
    return HKS_OK;
}

/* Is a file of a folder an article? *.txt and *.md, except the folder's
 * own documentation (README.md, LICENSE.txt, COPYING.md, ...), which
 * describes the corpus and is not news. */
static bool is_article_name(const char *name, size_t n)
{
    static const char *const docs[] = {"README", "LICENSE", "LICENCE",
                                       "COPYING", NULL};
    if (!has_suffix(name, n, ".txt") && !has_suffix(name, n, ".md"))
        return false;
    for (const char *const *d = docs; *d; d++) {
        size_t k = strlen(*d);
        if (n > k && strncasecmp(name, *d, k) == 0 && name[k] == '.')
            return false;
    }
    return true;
}

static int cmp_name(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* List the entries of directory r->pb (NUL-terminated) into *nm, without
 * hidden entries, sorted by name (byte order). */
static int list_dir(crd *r, names *nm)
{
    char eb[128];
    DIR *dir = opendir(r->pb);
    struct dirent *de;
    int rc = HKS_OK;

    if (!dir)
        return hks_fail(r->e, HKS_ERR_IO, "%s: cannot open folder: %s",
                        r->pb, errtext(errno, eb, sizeof eb));
    for (;;) {
        errno = 0;
        de = readdir(dir);
        if (!de) {
            if (errno != 0)
                rc = hks_fail(r->e, HKS_ERR_IO, "%s: readdir: %s",
                              r->pb, errtext(errno, eb, sizeof eb));
            break;
        }
        if (de->d_name[0] == '.')
            continue; /* ".", ".." and hidden entries */
        rc = names_add(r, nm, de->d_name);
        if (rc < 0)
            break;
    }
    closedir(dir);
    if (rc == HKS_OK && nm->n) /* an empty folder has no array: no qsort(NULL) */
        qsort(nm->v, nm->n, sizeof *nm->v, cmp_name);
    /* len[] follows v[] only by index, so recompute it after sorting. */
    for (size_t i = 0; rc == HKS_OK && i < nm->n; i++)
        nm->len[i] = strlen(nm->v[i]);
    return rc;
}

/*
 * Read every article below the directory whose path is r->pb[0..dir_len)
 * (NUL-terminated there). The id of a file is r->pb past root_len + 1.
 */
static int walk(crd *r, size_t dir_len, int depth, const char *coll,
                size_t coll_len)
{
    char eb[128];
    names nm = {0};
    int rc;

    if (depth > MAX_DIR_DEPTH) {
        warn(r, "%s: folders nested deeper than %d levels, skipped", r->pb,
             MAX_DIR_DEPTH);
        return HKS_OK;
    }
    rc = list_dir(r, &nm);
    for (size_t i = 0; rc == HKS_OK && i < nm.n; i++) {
        struct stat st;
        size_t len = dir_len + 1 + nm.len[i];
        rc = pb_reserve(r, len + 1);
        if (rc < 0)
            break;
        r->pb[dir_len] = '/';
        memcpy(r->pb + dir_len + 1, nm.v[i], nm.len[i] + 1);
        if (stat(r->pb, &st) != 0) {
            /* A dangling symbolic link, or an entry removed meanwhile. */
            warn(r, "%s: %s, skipped", r->pb, errtext(errno, eb, sizeof eb));
        } else if (S_ISDIR(st.st_mode)) {
            rc = walk(r, len, depth + 1, coll, coll_len);
        } else if (S_ISREG(st.st_mode) && is_article_name(nm.v[i], nm.len[i])) {
            rc = read_text_file(r, r->pb, r->pb + r->root_len + 1,
                                len - r->root_len - 1, coll, coll_len);
        }
        r->pb[dir_len] = '\0';
    }
    names_free(r, &nm);
    return rc;
}

/* Read a folder source: path is a directory. */
static int read_folder(crd *r, const char *path, const char *coll, size_t coll_len)
{
    size_t len = strlen(path);
    int rc;

    while (len > 1 && path[len - 1] == '/')
        len--;
    rc = pb_reserve(r, len + 1);
    if (rc < 0)
        return rc;
    memcpy(r->pb, path, len);
    r->pb[len] = '\0';
    r->root_len = len;
    return walk(r, len, 0, coll, coll_len);
}

/* ---- JSONL ---------------------------------------------------------------- */

/* zstd allocates through our hook, so its memory is accounted for and a
 * leak-checking or failing allocator sees it too. */
/* Where JSONL bytes come from: a plain file or a zstd stream in one. */
typedef struct jsrc {
    const char *path;  /* for messages                                */
    int fd;            /* the open file                               */
    ZSTD_DCtx *dctx;   /* NULL for a plain .jsonl file                */
    char *in;          /* compressed input buffer                     */
    size_t in_cap;     /* its size                                    */
    ZSTD_inBuffer zin; /* input not yet consumed                      */
    uint64_t in_done;  /* compressed bytes before zin's buffer        */
    bool in_eof;       /* the file has no more bytes                  */
    bool any_in;       /* at least one compressed byte was read       */
    size_t last_ret;   /* ZSTD_decompressStream's last result after
                           progress: 0 = a frame was complete there     */
} jsrc;

/* read() that retries on EINTR. */
static ssize_t read_some(int fd, void *p, size_t n)
{
    ssize_t k;
    do {
        k = read(fd, p, n);
    } while (k < 0 && errno == EINTR);
    return k;
}

/*
 * Put up to cap bytes of JSONL text into dst; *got_out = 0 at the end.
 * @return HKS_OK, HKS_ERR_IO, or HKS_ERR_INPUT for a broken or truncated
 *         zstd stream (message names the file and compressed byte offset).
 */
static int src_fill(crd *r, jsrc *s, char *dst, size_t cap, size_t *got_out)
{
    char eb[128];
    *got_out = 0;
    if (!s->dctx) {
        ssize_t k = read_some(s->fd, dst, cap);
        if (k < 0)
            return hks_fail(r->e, HKS_ERR_IO, "%s: read: %s",
                            s->path, errtext(errno, eb, sizeof eb));
        *got_out = (size_t)k;
        return HKS_OK;
    }
    for (;;) {
        ZSTD_outBuffer out = {dst, cap, 0};
        size_t ret, in_pos;
        if (s->zin.pos == s->zin.size && !s->in_eof) {
            ssize_t k = read_some(s->fd, s->in, s->in_cap);
            if (k < 0)
                return hks_fail(r->e, HKS_ERR_IO, "%s: read: %s",
                                s->path, errtext(errno, eb, sizeof eb));
            s->in_done += s->zin.size;
            s->zin.src = s->in;
            s->zin.size = (size_t)k;
            s->zin.pos = 0;
            if (k == 0)
                s->in_eof = true;
            else
                s->any_in = true;
        }
        if (!s->any_in)
            return HKS_OK; /* an empty file */
        in_pos = s->zin.pos;
        ret = ZSTD_decompressStream(s->dctx, &out, &s->zin);
        if (ZSTD_isError(ret) &&
            ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation)
            return hks_fail(r->e, HKS_ERR_NOMEM,
                            "%s: out of memory for zstd", s->path);
        if (ZSTD_isError(ret))
            return hks_fail(r->e, HKS_ERR_INPUT,
                            "%s: corrupt zstd stream near compressed "
                            "byte %llu: %s",
                            s->path,
                            (unsigned long long)s->in_done + s->zin.pos,
                            ZSTD_getErrorName(ret));
        if (out.pos > 0 || s->zin.pos != in_pos)
            s->last_ret = ret;
        if (out.pos > 0) {
            *got_out = out.pos;
            return HKS_OK;
        }
        if (s->in_eof && s->zin.pos == s->zin.size) {
            /* The stream must end where a frame ended and was flushed. */
            if (s->last_ret != 0)
                return hks_fail(r->e, HKS_ERR_INPUT,
                                "%s: truncated zstd stream (ends "
                                "inside a frame at compressed byte %llu)",
                                s->path,
                                (unsigned long long)s->in_done + s->zin.pos);
            return HKS_OK;
        }
    }
}

/* Is line[0..n) only blanks? */
static bool all_blank(const char *line, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
            return false;
    }
    return true;
}

/* Fetch optional string field `key` into *p_out and *n_out (NULL and 0 if
 * absent or null). @return false (with a warning) if it has another type. */
static bool opt_field(crd *r, const char *path, uint64_t line_no,
                      const char *key, const char **p_out, size_t *n_out)
{
    int rc = hks_json_get(r->json, key, p_out, n_out);
    if (rc == HKS_ERR_INPUT) {
        warn(r, "%s:%llu: \"%s\" is not a string, record skipped", path,
             (unsigned long long)line_no, key);
        return false;
    }
    if (rc != HKS_OK) {
        *p_out = NULL;
        *n_out = 0;
    }
    return true;
}

/* Fetch a field beyond the five of every source (author, category, tags)
 * into *p_out and *n_out: a string or a number as it is, an array of
 * strings as its elements with '\n' between them (a trailing one dropped).
 * Absent, null or of another type (an object, true): NULL and 0, and the
 * record is still read, as it was before these fields were kept. */
static void extra_field(crd *r, const char *key, const char **p_out, size_t *n_out)
{
    if (hks_json_get_list(r->json, key, p_out, n_out) == HKS_OK ||
        hks_json_get(r->json, key, p_out, n_out) == HKS_OK) {
        if (*n_out && (*p_out)[*n_out - 1] == '\n')
            (*n_out)--;
        return;
    }
    *p_out = NULL;
    *n_out = 0;
}

/* Remember the id of line line_no; warn when the file had it before (the
 * later record replaces the earlier one in the index). */
static int note_id(crd *r, const char *path, uint64_t line_no, const char *id, size_t n)
{
    hks_key k;
    hks_keyent *e, val = {0};
    if (hks_keytab_key(&r->ids, "", 0, id, n, &k))
        return HKS_ERR_NOMEM;
    e = hks_keytab_find(&r->ids, &k);
    if (e) {
        hks_keytab_unkey(&r->ids, &k);
        warn(r, "%s:%llu: id \"%.*s\" is also at line %llu; this record replaces that one", path,
             (unsigned long long)line_no, (int)(n > 200 ? 200 : n), id,
             (unsigned long long)e->chash);
        e->chash = line_no;
        return HKS_OK;
    }
    val.chash = line_no; /* the line, in the content-hash field */
    return hks_keytab_insert(&r->ids, &k, &val) ? HKS_ERR_NOMEM : HKS_OK;
}

/* One JSONL record. @return HKS_OK (also when it was skipped) or the
 * callback's negative value or HKS_ERR_NOMEM. */
static int jsonl_line(crd *r, const char *path, uint64_t line_no,
                      const char *line, size_t n, const char *coll,
                      size_t coll_len)
{
    hks_errbuf je;
    hks_doc d;
    char date[11];
    size_t s_start = 0, s_len = 0;
    int rc;

    if (n > 0 && line[n - 1] == '\r')
        n--;
    if (line_no == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
        line += 3; /* a UTF-8 byte order mark */
        n -= 3;
    }
    if (all_blank(line, n))
        return HKS_OK;
    je.msg[0] = '\0';
    rc = hks_json_parse(r->json, line, n, &je);
    if (rc == HKS_ERR_NOMEM)
        return rc;
    if (rc < 0) {
        warn(r, "%s:%llu: bad JSON: %s", path, (unsigned long long)line_no,
             je.msg);
        reject(r);
        return HKS_OK;
    }
    memset(&d, 0, sizeof d);
    d.collection = coll;
    d.collection_len = coll_len;
    rc = hks_json_get(r->json, "id", &d.id, &d.id_len);
    if (rc != HKS_OK) {
        warn(r, "%s:%llu: %s", path, (unsigned long long)line_no,
             rc == HKS_ERR_NOTFOUND ? "missing id"
                                    : "id is not a string or number");
        reject(r);
        return HKS_OK;
    }
    if (d.id_len == 0 || d.id_len > MAX_ID_BYTES) {
        warn(r, "%s:%llu: id of %zu bytes (1..%d allowed)", path,
             (unsigned long long)line_no, d.id_len, MAX_ID_BYTES);
        reject(r);
        return HKS_OK;
    }
    rc = hks_json_get(r->json, "body", &d.body, &d.body_len);
    if (rc != HKS_OK) {
        warn(r, "%s:%llu: %s", path, (unsigned long long)line_no,
             rc == HKS_ERR_NOTFOUND ? "missing body"
                                    : "body is not a string");
        reject(r);
        return HKS_OK;
    }
    if (!opt_field(r, path, line_no, "title", &d.title, &d.title_len) ||
        !opt_field(r, path, line_no, "date", &d.date, &d.date_len) ||
        !opt_field(r, path, line_no, "source", &d.source, &d.source_len) ||
        !opt_field(r, path, line_no, "url", &d.url, &d.url_len)) {
        reject(r);
        return HKS_OK;
    }
    if (d.date_len && hks_date_parse(d.date, d.date_len) == 0) {
        warn(r, "%s:%llu: date \"%.*s\" is not a valid day (YYYY-MM-DD), dropped", path,
             (unsigned long long)line_no, (int)(d.date_len > 64 ? 64 : d.date_len), d.date);
        d.date = NULL;
        d.date_len = 0;
    } else if (!d.date) {
        /* No date given: the article's own dateline, if it has one. */
        d.date_len = hks_date_guess(d.body, d.body_len, date);
        d.date = d.date_len ? date : NULL;
    }
    if (!d.source && hks_source_guess(d.body, d.body_len, &s_start, &s_len)) {
        d.source = d.body + s_start;
        d.source_len = s_len;
    }
    extra_field(r, "author", &d.author, &d.author_len);
    extra_field(r, "category", &d.category, &d.category_len);
    extra_field(r, "tags", &d.tags, &d.tags_len);
    rc = note_id(r, path, line_no, d.id, d.id_len);
    if (rc < 0)
        return rc;
    return emit(r, &d);
}

/* Read a .jsonl (is_zst false) or .jsonl.zst source. */
static int read_jsonl(crd *r, const char *path, bool is_zst, const char *coll,
                      size_t coll_len)
{
    char eb[128];
    jsrc s;
    char *lb = NULL;
    size_t cap = 0, beg = 0, end = 0, scan = 0;
    uint64_t line_no = 0, total = 0;
    bool eof = false, skipping = false;
    const char *prev_path = r->prog->path;
    int rc = HKS_OK;

    memset(&s, 0, sizeof s);
    s.last_ret = 1;
    if (strcmp(path, "-") == 0) {
        path = "standard input";
        s.fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
    } else {
        s.fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    s.path = path;
    if (s.fd < 0)
        return hks_fail(r->e, errno == ENOENT ? HKS_ERR_NOTFOUND : HKS_ERR_IO,
                        "%s: cannot open: %s", path,
                        errtext(errno, eb, sizeof eb));
    r->prog->path = path;
    if (!r->json) {
        rc = hks_json_new(r->a, &r->json);
        if (rc < 0)
            goto out;
    }
    if (is_zst) {
        ZSTD_customMem mem = {hks_zstd_alloc, hks_zstd_free, (void *)r->a};
        s.dctx = ZSTD_createDCtx_advanced(mem);
        s.in_cap = ZSTD_DStreamInSize();
        s.in = hks_mem_alloc(r->a, s.in_cap);
        if (!s.dctx || !s.in) {
            rc = HKS_ERR_NOMEM;
            goto out;
        }
    }
    cap = LINE_BUF_INIT;
    lb = hks_mem_alloc(r->a, cap);
    if (!lb) {
        rc = HKS_ERR_NOMEM;
        goto out;
    }
    for (;;) {
        char *nl = memchr(lb + scan, '\n', end - scan);
        size_t got;
        if (nl) {
            size_t stop = (size_t)(nl - lb);
            line_no++;
            if (skipping)
                skipping = false; /* the end of an over-long line */
            else
                rc = jsonl_line(r, path, line_no, lb + beg, stop - beg, coll,
                                coll_len);
            if (rc < 0)
                goto out;
            beg = scan = stop + 1;
            continue;
        }
        scan = end;
        if (eof) {
            if (beg < end || skipping) {
                line_no++;
                if (!skipping)
                    rc = jsonl_line(r, path, line_no, lb + beg, end - beg,
                                    coll, coll_len);
            }
            break;
        }
        /* Need more bytes: first move the partial line to the front. */
        if (beg > 0 && cap - end < LINE_MIN_FREE) {
            memmove(lb, lb + beg, end - beg);
            end -= beg;
            scan -= beg;
            beg = 0;
        }
        if (end - beg >= MAX_LINE_BYTES) {
            warn(r, "%s:%llu: line longer than %u MiB, skipped", path,
                 (unsigned long long)line_no + 1, MAX_LINE_BYTES >> 20);
            reject(r);
            skipping = true;
            beg = end = scan = 0;
        }
        if (cap - end < LINE_MIN_FREE) {
            char *nb = hks_grow(r->a, lb, 1, cap, cap + 1, cap, SIZE_MAX, &cap);
            if (!nb) {
                rc = HKS_ERR_NOMEM;
                goto out;
            }
            lb = nb;
        }
        /* At most PROGRESS_STEP bytes a read, so progress stays regular
         * while a long line grows the buffer. */
        rc = src_fill(r, &s, lb + end,
                      cap - end < PROGRESS_STEP ? cap - end : PROGRESS_STEP,
                      &got);
        if (rc < 0)
            goto out;
        if (got == 0)
            eof = true;
        end += got;
        total += got;
        add_bytes(r, got);
    }
    if (rc == HKS_OK && total == 0) {
        warn(r, "%s: empty file", path);
    }
out:
    hks_keytab_free(&r->ids);
    hks_keytab_init(&r->ids, r->a);
    if (s.dctx)
        ZSTD_freeDCtx(s.dctx);
    hks_mem_free(r->a, s.in, s.in_cap);
    hks_mem_free(r->a, lb, cap);
    close(s.fd);
    r->prog->path = prev_path;
    return rc;
}

/* ---- Entry point ---------------------------------------------------------- */

/*
 * Stream the articles of path (a folder, a .txt/.md file, a .jsonl or a
 * .jsonl.zst file) to fn(ctx, doc). Every field of doc is a view valid only
 * during the call. a is the allocator (NULL = malloc); cb (may be NULL)
 * gets warnings ("FILE:LINE: what" or "FILE: what") and progress about
 * every 1 MiB; prog (may be NULL) is updated: n_bytes (file bytes, or
 * decompressed JSONL bytes), n_docs (callbacks that returned HKS_OK),
 * n_rejected (records and files skipped), path (the file being read, put
 * back when the call returns).
 *
 * Skipped with a warning, reading on: a malformed JSONL line (bad JSON,
 * missing id or body, a field of the wrong type), an over-long line, an
 * empty, binary (NUL byte), undecodable or over-large text file.
 *
 * @return HKS_OK; the callback's negative value (reading stops there);
 *         HKS_ERR_NOTFOUND (no such path), HKS_ERR_ARG (unknown kind of
 *         file), HKS_ERR_IO, HKS_ERR_INPUT (broken or truncated zstd
 *         stream, with the compressed byte offset), HKS_ERR_NOMEM, with a
 *         message in e. Documents handed over before an error
 *         stay with the callback's owner.
 */
int hks_corpus_read(const hks_alloc *a, const char *path, hks_article_fn fn,
                    void *ctx, const hks_callbacks *cb, hks_progress *prog,
                    hks_errbuf *e)
{
    return hks_corpus_read_as(a, path, NULL, 0, fn, ctx, cb, prog, e);
}

int hks_corpus_read_as(const hks_alloc *a, const char *path, const char *collection,
                       size_t collection_len, hks_article_fn fn, void *ctx,
                       const hks_callbacks *cb, hks_progress *prog, hks_errbuf *e)
{
    char eb[128];
    hks_progress local;
    struct stat st;
    crd r;
    const char *name;
    char coll[1025]; /* hks_writer_add takes collections of up to 1024 bytes */
    size_t name_len, coll_len;
    int rc;

    if (!path || !fn)
        return hks_fail(e, HKS_ERR_ARG, "no path or callback");
    if (!prog) {
        memset(&local, 0, sizeof local);
        prog = &local;
    }
    memset(&r, 0, sizeof r);
    r.a = a;
    r.fn = fn;
    r.ctx = ctx;
    r.cb = cb;
    r.prog = prog;
    r.e = e;
    r.next_progress = prog->n_bytes + PROGRESS_STEP;
    hks_keytab_init(&r.ids, a);
    if (collection && collection_len >= sizeof coll)
        return hks_fail(e, HKS_ERR_ARG, "collection name of %zu bytes (at most %zu)",
                        collection_len, sizeof coll - 1);
    if (strcmp(path, "-") == 0) { /* standard input: JSONL */
        if (!collection)
            return hks_fail(e, HKS_ERR_ARG, "reading standard input needs a collection name");
        rc = read_jsonl(&r, path, false, collection, collection_len);
        hks_json_free(r.json);
        return rc;
    }
    if (stat(path, &st) != 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return hks_fail(e, HKS_ERR_NOTFOUND,
                            "%s: no such file or folder", path);
        return hks_fail(e, HKS_ERR_IO, "%s: %s", path,
                        errtext(err, eb, sizeof eb));
    }
    base_name(path, &name, &name_len);
    if (collection) {
        memcpy(coll, collection, collection_len);
        coll[collection_len] = '\0';
        coll_len = collection_len;
    } else if (hks_corpus_collection(path, S_ISDIR(st.st_mode), coll, sizeof coll, &coll_len)) {
        return hks_fail(e, HKS_ERR_ARG, "%s: collection name too long", path);
    }
    if (S_ISDIR(st.st_mode)) {
        rc = read_folder(&r, path, coll, coll_len);
    } else if (has_suffix(name, name_len, ".jsonl.zst")) {
        rc = read_jsonl(&r, path, true, coll, coll_len);
    } else if (has_suffix(name, name_len, ".jsonl")) {
        rc = read_jsonl(&r, path, false, coll, coll_len);
    } else if (has_suffix(name, name_len, ".txt") ||
               has_suffix(name, name_len, ".md")) {
        rc = read_text_file(&r, path, name, name_len, coll, coll_len);
    } else {
        rc = hks_fail(e, HKS_ERR_ARG,
                      "%s: unknown kind of source (expected a "
                      "folder, .txt, .md, .jsonl or .jsonl.zst)",
                      path);
    }
    hks_json_free(r.json);
    hks_mem_free(a, r.pb, r.pb_cap);
    return rc;
}
