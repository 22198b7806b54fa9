/*
 * backup.c: a consistent copy of one committed state of an index, taken
 * while a writer may go on committing (hks_index_backup).
 *
 * The state is the manifest a reader opened and the segments it holds
 * open. Every file a manifest names is immutable and its name is never
 * given to another file (names count up from the manifest's next file
 * number), so a file found under that name is the one the manifest means:
 * it is hard-linked into the copy, or copied when the copy is on another
 * file system. A later commit may have removed it since: a segment is then
 * written from the reader's own mapping, tombstones from the bitmap it
 * loaded. The synonym table (SYNONYMS) is written from the bytes the reader
 * read at open, so it is the table of the same moment. Each file is
 * fsynced, and the manifest is written last (the copy
 * is an index only once it is there), then the directory is fsynced.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hks_format.h"

/* Write p[0..n) to a new file path and fsync it. */
static int write_file(const char *path, const uint8_t *p, size_t n, hks_errbuf *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    size_t done = 0;
    if (fd < 0)
        return hks_fail(err, HKS_ERR_IO, "create %s: %s", path, strerror(errno));
    while (done < n) {
        ssize_t k = write(fd, p + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int e = errno;
            close(fd);
            unlink(path);
            return hks_fail(err, HKS_ERR_IO, "write %s: %s", path, strerror(e));
        }
        done += (size_t)k;
    }
    if (fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(path);
        return hks_fail(err, HKS_ERR_IO, "fsync %s: %s", path, strerror(e));
    }
    close(fd);
    return HKS_OK;
}

/* Copy the file src to the new file dst. HKS_ERR_NOTFOUND when src is gone. */
static int copy_file(const hks_alloc *a, const char *src, const char *dst, hks_errbuf *err)
{
    int fd = open(src, O_RDONLY | O_CLOEXEC), rc;
    struct stat st;
    uint8_t *buf;
    size_t n = 0;
    if (fd < 0)
        return errno == ENOENT ? HKS_ERR_NOTFOUND
                               : hks_fail(err, HKS_ERR_IO, "open %s: %s", src, strerror(errno));
    if (fstat(fd, &st) != 0 || st.st_size < 0) {
        close(fd);
        return hks_fail(err, HKS_ERR_IO, "stat %s: %s", src, strerror(errno));
    }
    buf = hks_mem_alloc(a, (size_t)st.st_size + 1);
    if (!buf) {
        close(fd);
        return hks_fail(err, HKS_ERR_NOMEM, "%s: out of memory", src);
    }
    while (n < (size_t)st.st_size) {
        ssize_t k = read(fd, buf + n, (size_t)st.st_size - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            int e = k < 0 ? errno : EIO;
            close(fd);
            hks_mem_free(a, buf, 0);
            return hks_fail(err, HKS_ERR_IO, "read %s: %s", src, strerror(e));
        }
        n += (size_t)k;
    }
    close(fd);
    rc = write_file(dst, buf, n, err);
    hks_mem_free(a, buf, 0);
    return rc;
}

/* Put dir/name into dest/name: a hard link, else a copy. HKS_ERR_NOTFOUND
 * when dir/name no longer exists. */
static int link_or_copy(const hks_alloc *a, const char *dir, const char *name,
                        const char *dest, hks_errbuf *err)
{
    char src[4096], dst[4096];
    if (hks_path_join(src, sizeof src, dir, name) || hks_path_join(dst, sizeof dst, dest, name))
        return hks_fail(err, HKS_ERR_ARG, "path too long: %s", dest);
    if (link(src, dst) == 0) {
        int fd = open(dst, O_RDONLY | O_CLOEXEC); /* the linked file's data is durable */
        if (fd >= 0) {
            (void)fsync(fd);
            close(fd);
        }
        return HKS_OK;
    }
    if (errno == ENOENT)
        return HKS_ERR_NOTFOUND;
    if (errno == EEXIST)
        return hks_fail(err, HKS_ERR_IO, "%s already exists", dst);
    return copy_file(a, src, dst, err);
}

/* dest must be missing (it is made) or an empty directory. */
static int make_dest(const char *dest, hks_errbuf *err)
{
    struct stat st;
    if (mkdir(dest, 0755) == 0)
        return HKS_OK;
    if (errno != EEXIST)
        return hks_fail(err, HKS_ERR_IO, "cannot create %s: %s", dest, strerror(errno));
    if (stat(dest, &st) != 0 || !S_ISDIR(st.st_mode))
        return hks_fail(err, HKS_ERR_IO, "%s exists and is not a directory", dest);
    if (rmdir(dest) != 0) /* a cheap emptiness test: fails when it holds a file */
        return hks_fail(err, HKS_ERR_IO, "%s is not empty: a backup goes into a new folder", dest);
    if (mkdir(dest, st.st_mode & 07777) != 0)
        return hks_fail(err, HKS_ERR_IO, "cannot create %s: %s", dest, strerror(errno));
    return HKS_OK;
}

int hks_backup_write(const hks_alloc *a, const char *dir, const hks_manifest *m,
                     hks_segment *const *segs, const uint8_t *syn, size_t syn_n, const char *dest,
                     hks_errbuf *err)
{
    uint32_t i;
    int rc = make_dest(dest, err);
    if (rc)
        return rc;
    for (i = 0; i < m->n_seg && rc == HKS_OK; i++) {
        const hks_seginfo *si = &m->seg[i];
        rc = link_or_copy(a, dir, si->name, dest, err);
        if (rc == HKS_ERR_NOTFOUND) { /* removed by a later commit: from our mapping */
            char dst[4096];
            const uint8_t *p;
            size_t n;
            hks_seg_file(segs[i], &p, &n);
            rc = hks_path_join(dst, sizeof dst, dest, si->name)
                     ? hks_fail(err, HKS_ERR_ARG, "path too long: %s", dest)
                     : write_file(dst, p, n, err);
        }
        if (rc == HKS_OK && si->del_name[0]) {
            rc = link_or_copy(a, dir, si->del_name, dest, err);
            if (rc == HKS_ERR_NOTFOUND) {
                char dst[4096];
                const uint8_t *bits = hks_seg_deleted_bits(segs[i]);
                rc = hks_path_join(dst, sizeof dst, dest, si->del_name) || !bits
                         ? hks_fail(err, HKS_ERR_INTERNAL, "%s: tombstones not loaded",
                                    si->del_name)
                         : hks_tomb_write(a, dst, bits, si->n_docs, err);
            }
        }
    }
    if (rc == HKS_OK && syn) { /* the synonym table the reader holds, as read */
        char dst[4096];
        rc = hks_path_join(dst, sizeof dst, dest, HKS_SYNONYMS_NAME)
                 ? hks_fail(err, HKS_ERR_ARG, "path too long: %s", dest)
                 : write_file(dst, syn, syn_n, err);
    }
    if (rc == HKS_OK)
        rc = hks_manifest_write(a, dest, m, err);
    return rc;
}
