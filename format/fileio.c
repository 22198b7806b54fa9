/*
 * fileio.c: the index directory: paths, the writer lock, the manifest
 * (the commit point) and tombstone files. Byte formats: format.c.
 *
 * A commit is atomic: the manifest is written to MANIFEST.tmp, fsynced,
 * renamed over MANIFEST and the directory fsynced. A crash before the
 * rename leaves the previous manifest, and with it the previous commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "hks_format.h"

int hks_path_join(char *buf, size_t cap, const char *dir, const char *name)
{
    int k = snprintf(buf, cap, "%s/%s", dir, name);
    return (k < 0 || (size_t)k >= cap) ? HKS_ERR_ARG : HKS_OK;
}

int hks_fsync_dir(const char *dir, hks_errbuf *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return hks_fail(err, HKS_ERR_IO, "open directory %s: %s", dir,
                        strerror(errno));
    if (fsync(fd) != 0 && errno != EINVAL) {
        int e = errno;
        close(fd);
        return hks_fail(err, HKS_ERR_IO, "fsync directory %s: %s", dir,
                        strerror(e));
    }
    close(fd);
    return HKS_OK;
}

/*
 * Take the exclusive writer lock of dir (flock on dir/LOCK, released by
 * the kernel if the process dies). HKS_ERR_LOCKED when another writer,
 * in this or another process, holds it.
 */
int hks_lock_take(const char *dir, int *fd_out, hks_errbuf *err)
{
    char path[4096];
    int fd;
    *fd_out = -1;
    if (hks_path_join(path, sizeof path, dir, HKS_LOCK_NAME))
        return hks_fail(err, HKS_ERR_ARG, "path too long: %s", dir);
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return hks_fail(err, HKS_ERR_IO, "open lock %s: %s", path,
                        strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return hks_fail(err, HKS_ERR_LOCKED,
                            "index %s is locked by another writer", dir);
        return hks_fail(err, HKS_ERR_IO, "lock %s: %s", path, strerror(e));
    }
    *fd_out = fd;
    return HKS_OK;
}

void hks_lock_release(int fd)
{
    if (fd >= 0) {
        flock(fd, LOCK_UN);
        close(fd);
    }
}

/* ---- normalizer identity ------------------------------------------------ */

void hks_identity_put(int *rc, hks_buf *b)
{
    const char *u = hks_norm_unicode_version();
    const char *z = hks_zhfold_version();
    hks_buf_put_lenbytes(rc, b, u, strlen(u));
    hks_buf_put_lenbytes(rc, b, z, strlen(z));
    hks_buf_put_varint(rc, b, HKS_TOKENIZER_VERSION);
}

/*
 * Read an identity and compare it with this library's: HKS_ERR_FORMAT if
 * the index was built with other Unicode tables, fold table or tokenizer
 * (its terms would not match our queries).
 */
int hks_identity_check(hks_rd *rd, const char *path, hks_errbuf *err)
{
    const uint8_t *u, *z;
    size_t nu, nz;
    uint64_t tok;
    const char *mu = hks_norm_unicode_version(), *mz = hks_zhfold_version();
    if (hks_rd_lenbytes(rd, &u, &nu) || hks_rd_lenbytes(rd, &z, &nz) ||
        hks_varint_get(rd, &tok))
        return hks_fail(err, HKS_ERR_CORRUPT, "%s: truncated identity", path);
    if (nu != strlen(mu) || memcmp(u, mu, nu) != 0 || nz != strlen(mz) ||
        memcmp(z, mz, nz) != 0 || tok != HKS_TOKENIZER_VERSION)
        return hks_fail(err, HKS_ERR_FORMAT,
                        "%s: built with unicode %.*s, fold table %.*s, "
                        "tokenizer %llu; this hksearch has %s, %s, %d: rebuild the index",
                        path, (int)(nu > 32 ? 32 : nu), (const char *)u,
                        (int)(nz > 32 ? 32 : nz), (const char *)z,
                        (unsigned long long)tok, mu, mz, HKS_TOKENIZER_VERSION);
    return HKS_OK;
}

/* ---- manifest ------------------------------------------------------------ */

void hks_manifest_free(const hks_alloc *a, hks_manifest *m)
{
    uint32_t i;
    for (i = 0; i < m->n_coll; i++) {
        hks_mem_free(a, m->coll[i].name, 0);
        hks_mem_free(a, m->coll[i].source, 0);
    }
    hks_mem_free(a, m->coll, 0);
    hks_mem_free(a, m->seg, 0);
    memset(m, 0, sizeof *m);
}

/* Byte order of names; a prefix sorts first. */
static int name_cmp(const char *x, size_t nx, const char *y, size_t ny)
{
    int c = memcmp(x, y, nx < ny ? nx : ny);
    if (c)
        return c;
    return nx < ny ? -1 : nx > ny;
}

/* Index of the first record whose name is >= name. */
static uint32_t coll_lower(const hks_manifest *m, const char *name, size_t n)
{
    uint32_t lo = 0, hi = m->n_coll;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (name_cmp(m->coll[mid].name, m->coll[mid].name_len, name, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

hks_collinfo *hks_manifest_coll(const hks_manifest *m, const char *name, size_t n)
{
    uint32_t i = coll_lower(m, name, n);
    if (i < m->n_coll && m->coll[i].name_len == n && memcmp(m->coll[i].name, name, n) == 0)
        return &m->coll[i];
    return NULL;
}

int hks_manifest_set_coll(const hks_alloc *a, hks_manifest *m, const char *name,
                          size_t name_len, const char *source, size_t source_len)
{
    hks_collinfo *c = hks_manifest_coll(m, name, name_len);
    char *src;
    uint32_t i;
    if (name_len > HKS_MAX_COLL_BYTES || source_len > HKS_MAX_SOURCE_BYTES ||
        memchr(name, 0, name_len) || memchr(source, 0, source_len))
        return HKS_ERR_ARG;
    src = hks_mem_strndup(a, source_len ? source : "", source_len);
    if (!src)
        return HKS_ERR_NOMEM;
    if (c) {
        hks_mem_free(a, c->source, 0);
        c->source = src;
        c->source_len = source_len;
        return HKS_OK;
    }
    if (m->n_coll == m->cap_coll) {
        size_t nc;
        hks_collinfo *p = hks_grow(a, m->coll, sizeof *p, m->cap_coll, (size_t)m->n_coll + 1, 8,
                                   UINT32_MAX, &nc);
        if (!p) {
            hks_mem_free(a, src, 0);
            return HKS_ERR_NOMEM;
        }
        m->coll = p;
        m->cap_coll = (uint32_t)nc;
    }
    i = coll_lower(m, name, name_len);
    memmove(&m->coll[i + 1], &m->coll[i], (size_t)(m->n_coll - i) * sizeof *m->coll);
    m->coll[i].name = hks_mem_strndup(a, name_len ? name : "", name_len);
    if (!m->coll[i].name) {
        memmove(&m->coll[i], &m->coll[i + 1], (size_t)(m->n_coll - i) * sizeof *m->coll);
        hks_mem_free(a, src, 0);
        return HKS_ERR_NOMEM;
    }
    m->coll[i].name_len = name_len;
    m->coll[i].source = src;
    m->coll[i].source_len = source_len;
    m->n_coll++;
    return HKS_OK;
}

void hks_manifest_drop_coll(const hks_alloc *a, hks_manifest *m, const char *name, size_t n)
{
    hks_collinfo *c = hks_manifest_coll(m, name, n);
    uint32_t i;
    if (!c)
        return;
    i = (uint32_t)(c - m->coll);
    hks_mem_free(a, c->name, 0);
    hks_mem_free(a, c->source, 0);
    memmove(&m->coll[i], &m->coll[i + 1], (size_t)(m->n_coll - i - 1) * sizeof *m->coll);
    m->n_coll--;
}

int hks_manifest_copy_colls(const hks_alloc *a, hks_manifest *dst, const hks_manifest *src)
{
    uint32_t i;
    for (i = 0; i < src->n_coll; i++) {
        int rc = hks_manifest_set_coll(a, dst, src->coll[i].name, src->coll[i].name_len,
                                       src->coll[i].source, src->coll[i].source_len);
        if (rc)
            return rc;
    }
    return HKS_OK;
}

int hks_manifest_push(const hks_alloc *a, hks_manifest *m, const hks_seginfo *si)
{
    if (m->n_seg == m->cap_seg) {
        size_t nc;
        hks_seginfo *p = hks_grow(a, m->seg, sizeof *p, m->cap_seg, (size_t)m->n_seg + 1, 8,
                                  UINT32_MAX, &nc);
        if (!p)
            return HKS_ERR_NOMEM;
        m->seg = p;
        m->cap_seg = (uint32_t)nc;
    }
    m->seg[m->n_seg++] = *si;
    return HKS_OK;
}

static int copy_name(char *dst, size_t cap, const uint8_t *p, size_t n)
{
    size_t i;
    if (n >= cap)
        return HKS_ERR_CORRUPT;
    for (i = 0; i < n; i++) /* names are ours: [a-z0-9.-] only */
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') ||
              p[i] == '.' || p[i] == '-'))
            return HKS_ERR_CORRUPT;
    memcpy(dst, p, n);
    dst[n] = '\0';
    return HKS_OK;
}

/*
 * Read dir/MANIFEST into m (m is overwritten; free with hks_manifest_free).
 */
int hks_manifest_read(const hks_alloc *a, const char *dir, bool allow_missing,
                      hks_manifest *m, hks_errbuf *err)
{
    char path[4096];
    hks_filer f;
    const uint8_t *p;
    size_t n;
    hks_rd rd;
    uint64_t n_seg, n_coll, i;
    int rc;

    memset(m, 0, sizeof *m);
    if (hks_path_join(path, sizeof path, dir, HKS_MANIFEST_NAME))
        return hks_fail(err, HKS_ERR_ARG, "path too long: %s", dir);
    rc = hks_filer_open(&f, a, path, HKS_KIND_MANIFEST, err);
    if (rc == HKS_ERR_NOTFOUND && allow_missing) {
        hks_filer_close(&f);
        hks_err_clear(err);
        m->next_file = 1;
        return HKS_OK;
    }
    if (rc == HKS_ERR_NOTFOUND) {
        hks_filer_close(&f);
        return hks_fail(err, HKS_ERR_NOTFOUND, "%s: no index here (no %s)", dir,
                        HKS_MANIFEST_NAME);
    }
    if (rc)
        goto out;
    rc = hks_filer_verify(&f, HKS_SEC_MANIFEST, path, err);
    if (rc == HKS_OK)
        rc = hks_filer_section(&f, HKS_SEC_MANIFEST, &p, &n, path, err);
    if (rc)
        goto out;
    hks_rd_init(&rd, p, n);
    if (hks_varint_get(&rd, &m->generation) || hks_varint_get(&rd, &m->next_file)) {
        rc = hks_fail(err, HKS_ERR_CORRUPT, "%s: truncated", path);
        goto out;
    }
    rc = hks_identity_check(&rd, path, err);
    if (rc)
        goto out;
    if (hks_varint_get(&rd, &n_seg) || n_seg > 1000000) {
        rc = hks_fail(err, HKS_ERR_CORRUPT, "%s: bad segment count", path);
        goto out;
    }
    for (i = 0; i < n_seg; i++) {
        hks_seginfo si;
        const uint8_t *s1, *s2;
        size_t n1, n2;
        uint32_t nd, ndel;
        memset(&si, 0, sizeof si);
        if (hks_rd_lenbytes(&rd, &s1, &n1) || hks_varint_get_u32(&rd, &nd) ||
            hks_varint_get_u32(&rd, &ndel) || hks_rd_lenbytes(&rd, &s2, &n2) ||
            copy_name(si.name, sizeof si.name, s1, n1) ||
            copy_name(si.del_name, sizeof si.del_name, s2, n2) || n1 == 0 || ndel > nd) {
            rc = hks_fail(err, HKS_ERR_CORRUPT, "%s: bad entry for segment %llu",
                          path, (unsigned long long)i);
            goto out;
        }
        si.n_docs = nd;
        si.n_deleted = ndel;
        rc = hks_manifest_push(a, m, &si);
        if (rc) {
            rc = hks_fail(err, rc, "%s: out of memory", path);
            goto out;
        }
    }
    if (hks_varint_get(&rd, &n_coll) || n_coll > 1000000) {
        rc = hks_fail(err, HKS_ERR_CORRUPT, "%s: bad collection count", path);
        goto out;
    }
    for (i = 0; i < n_coll; i++) {
        const uint8_t *s1, *s2;
        size_t n1, n2;
        if (hks_rd_lenbytes(&rd, &s1, &n1) || hks_rd_lenbytes(&rd, &s2, &n2) ||
            n1 > HKS_MAX_COLL_BYTES || n2 > HKS_MAX_SOURCE_BYTES ||
            (m->n_coll && name_cmp(m->coll[m->n_coll - 1].name, m->coll[m->n_coll - 1].name_len,
                                   (const char *)s1, n1) >= 0)) {
            rc = hks_fail(err, HKS_ERR_CORRUPT, "%s: bad entry for collection %llu", path,
                          (unsigned long long)i);
            goto out;
        }
        rc = hks_manifest_set_coll(a, m, (const char *)s1, n1, (const char *)s2, n2);
        if (rc) {
            rc = rc == HKS_ERR_NOMEM
                     ? hks_fail(err, rc, "%s: out of memory", path)
                     : hks_fail(err, HKS_ERR_CORRUPT, "%s: NUL byte in collection %llu", path,
                                (unsigned long long)i);
            goto out;
        }
    }
    if (hks_rd_left(&rd) != 0)
        rc = hks_fail(err, HKS_ERR_CORRUPT, "%s: trailing bytes", path);
out:
    hks_filer_close(&f);
    if (rc)
        hks_manifest_free(a, m);
    return rc;
}

int hks_manifest_write(const hks_alloc *a, const char *dir, const hks_manifest *m,
                       hks_errbuf *err)
{
    char tmp[4096], path[4096];
    hks_buf b;
    hks_filew f;
    uint32_t i;
    int rc = 0;

    if (hks_path_join(tmp, sizeof tmp, dir, HKS_MANIFEST_NAME ".tmp") ||
        hks_path_join(path, sizeof path, dir, HKS_MANIFEST_NAME))
        return hks_fail(err, HKS_ERR_ARG, "path too long: %s", dir);
    hks_buf_init(&b, a);
    hks_buf_put_varint(&rc, &b, m->generation);
    hks_buf_put_varint(&rc, &b, m->next_file);
    hks_identity_put(&rc, &b);
    hks_buf_put_varint(&rc, &b, m->n_seg);
    for (i = 0; i < m->n_seg; i++) {
        hks_buf_put_lenbytes(&rc, &b, m->seg[i].name, strlen(m->seg[i].name));
        hks_buf_put_varint(&rc, &b, m->seg[i].n_docs);
        hks_buf_put_varint(&rc, &b, m->seg[i].n_deleted);
        hks_buf_put_lenbytes(&rc, &b, m->seg[i].del_name, strlen(m->seg[i].del_name));
    }
    hks_buf_put_varint(&rc, &b, m->n_coll);
    for (i = 0; i < m->n_coll; i++) {
        hks_buf_put_lenbytes(&rc, &b, m->coll[i].name, m->coll[i].name_len);
        hks_buf_put_lenbytes(&rc, &b, m->coll[i].source, m->coll[i].source_len);
    }
    if (rc) {
        hks_buf_free(&b);
        return hks_fail(err, rc, "manifest: out of memory");
    }
    rc = hks_filew_open(&f, a, tmp, HKS_KIND_MANIFEST, err);
    if (rc == HKS_OK) {
        hks_filew_section(&f, HKS_SEC_MANIFEST, &b);
        rc = hks_filew_finish(&f);
    } else {
        hks_filew_abort(&f);
    }
    hks_buf_free(&b);
    if (rc)
        return rc;
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return hks_fail(err, HKS_ERR_IO, "rename %s: %s", tmp, strerror(e));
    }
    return hks_fsync_dir(dir, err);
}

/* ---- tombstones ------------------------------------------------------------ */

int hks_tomb_write(const hks_alloc *a, const char *path, const uint8_t *bits,
                   uint32_t n_docs, hks_errbuf *err)
{
    hks_filew f;
    int rc = hks_filew_open(&f, a, path, HKS_KIND_TOMBSTONE, err);
    uint8_t v[HKS_VARINT_MAX];
    size_t k = hks_varint_put(v, n_docs);
    if (rc) {
        hks_filew_abort(&f);
        return rc;
    }
    hks_filew_begin(&f, HKS_SEC_DELETED);
    hks_filew_write(&f, v, k);
    hks_filew_write(&f, bits, ((size_t)n_docs + 7) / 8);
    hks_filew_end(&f);
    return hks_filew_finish(&f);
}

int hks_tomb_read(const hks_alloc *a, const char *path, uint32_t n_docs,
                  uint8_t **bits_out, hks_errbuf *err)
{
    hks_filer f;
    const uint8_t *p, *bits;
    size_t n, nb = ((size_t)n_docs + 7) / 8;
    hks_rd rd;
    uint32_t nd;
    int rc;
    *bits_out = NULL;
    rc = hks_filer_open(&f, a, path, HKS_KIND_TOMBSTONE, err);
    if (rc == HKS_OK)
        rc = hks_filer_verify(&f, HKS_SEC_DELETED, path, err);
    if (rc == HKS_OK)
        rc = hks_filer_section(&f, HKS_SEC_DELETED, &p, &n, path, err);
    if (rc == HKS_OK) {
        hks_rd_init(&rd, p, n);
        if (hks_varint_get_u32(&rd, &nd) || nd != n_docs || hks_rd_bytes(&rd, nb, &bits) ||
            hks_rd_left(&rd) != 0) {
            rc = hks_fail(err, HKS_ERR_CORRUPT,
                          "%s: tombstones do not fit the segment", path);
        } else {
            *bits_out = hks_mem_alloc(a, nb);
            if (!*bits_out)
                rc = hks_fail(err, HKS_ERR_NOMEM, "%s: out of memory", path);
            else if (nb)
                memcpy(*bits_out, bits, nb);
        }
    }
    hks_filer_close(&f);
    return rc;
}
