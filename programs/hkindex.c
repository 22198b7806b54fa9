/*
 * hkindex: the index maintenance CLI (build, add, delete, merge, stats,
 * check). Argument parsing and printing only; everything else is libhks
 * through hks.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "hks.h"

#define DEFAULT_INDEX "hks-index"

static const char usage[] =
    "usage: hkindex COMMAND [options] [ARGS]\n"
    "  build SOURCE...        (re)build the index from the sources\n"
    "  add SOURCE...          add or update the sources' articles (unchanged ones\n"
    "                         are skipped)\n"
    "  sync SOURCE...         add, update, and delete the articles a source no\n"
    "                         longer has (per collection)\n"
    "  delete COLLECTION ID...  delete articles\n"
    "  merge                  merge all segments into one\n"
    "  stats                  print what the index holds\n"
    "  check                  verify every checksum and structure\n"
    "A SOURCE is a folder of .txt/.md articles (one a file; id = path in the\n"
    "folder, collection = folder name), or a .jsonl / .jsonl.zst file of\n"
    "{\"id\",\"title\",\"body\",\"date\",\"source\",\"url\"} lines (collection = file\n"
    "name without .jsonl). Ids are scoped by collection.\n"
    "options:\n"
    "  -i, --index DIR   index directory (default: $HKS_INDEX, else ./" DEFAULT_INDEX ")\n"
    "  --memory MB       in-memory budget before a segment is flushed (default 256)\n"
    "  --zstd N          document store compression level (default 3)\n"
    "  -q, --quiet       no progress line\n";

typedef struct prog_state {
    int tty;
    int quiet;
    double t0;
    unsigned long warnings;
} prog_state;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_warn(void *ud, const char *msg)
{
    prog_state *p = ud;
    p->warnings++;
    if (p->warnings <= 100)
        fprintf(stderr, "%shkindex: warning: %s\n", p->tty && !p->quiet ? "\r\033[K" : "", msg);
    else if (p->warnings == 101)
        fprintf(stderr, "hkindex: more warnings not shown\n");
}

static void on_progress(void *ud, const hks_progress *pr)
{
    prog_state *p = ud;
    double dt = now_s() - p->t0;
    if (!p->tty || p->quiet)
        return;
    fprintf(stderr, "\r\033[K%llu documents  %.1f MB  %.1f MB/s%s%s",
            (unsigned long long)pr->n_docs, (double)pr->n_bytes / 1e6,
            dt > 0 ? (double)pr->n_bytes / 1e6 / dt : 0.0, pr->path ? "  " : "",
            pr->path ? pr->path : "");
    fflush(stderr);
}

static unsigned long long dir_bytes(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    unsigned long long sum = 0;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
            sum += (unsigned long long)st.st_size;
    }
    closedir(d);
    return sum;
}

static int fail_w(hks_writer *w, int rc, const char *what)
{
    /* On a terminal, clear the progress line first. */
    fprintf(stderr, "%shkindex: %s: %s: %s\n", isatty(STDERR_FILENO) ? "\r\033[K" : "", what,
            hks_strerror(rc), w ? hks_writer_errmsg(w) : "");
    return 2;
}

static int cmd_write(const char *cmd, const char *index, int argc, char **argv, long long mem,
                     long long zlevel, int quiet)
{
    hks_writer *w = NULL;
    hks_callbacks cb;
    prog_state ps;
    hks_progress pr;
    int rc, i, status = 0;
    int is_build = !strcmp(cmd, "build"), is_delete = !strcmp(cmd, "delete");
    int is_merge = !strcmp(cmd, "merge"), is_sync = !strcmp(cmd, "sync");

    memset(&ps, 0, sizeof ps);
    ps.tty = isatty(STDERR_FILENO);
    ps.quiet = quiet;
    ps.t0 = now_s();
    cb.warn = on_warn;
    cb.progress = on_progress;
    cb.ud = &ps;
    if ((is_build || is_sync || !strcmp(cmd, "add")) && argc == 0) {
        fprintf(stderr, "hkindex %s: name at least one SOURCE\n%s", cmd, usage);
        return 2;
    }
    if (is_delete && (argc < 2)) {
        fprintf(stderr, "hkindex delete: name a COLLECTION and at least one ID\n");
        return 2;
    }
    rc = hks_writer_open(index, NULL, &w);
    if (rc < 0) {
        status = fail_w(w, rc, index);
        hks_writer_close(w);
        return status;
    }
    if (mem && (rc = hks_writer_set(w, HKS_W_MEMORY_BUDGET_MB, mem)) < 0)
        goto fail;
    if (zlevel && (rc = hks_writer_set(w, HKS_W_ZSTD_LEVEL, zlevel)) < 0)
        goto fail;
    if (is_build || is_merge)
        hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 2);
    if (is_build && (rc = hks_writer_delete_all(w)) < 0)
        goto fail;
    if (is_delete) {
        for (i = 1; i < argc; i++) {
            rc = hks_writer_delete(w, argv[0], strlen(argv[0]), argv[i], strlen(argv[i]));
            if (rc == HKS_ERR_NOTFOUND) {
                fprintf(stderr, "hkindex: %s\n", hks_writer_errmsg(w));
                status = 1;
            } else if (rc < 0) {
                goto fail;
            }
        }
    } else if (!is_merge) {
        for (i = 0; i < argc; i++) {
            rc = is_sync ? hks_writer_sync_path(w, argv[i], &cb, NULL)
                         : hks_writer_add_path(w, argv[i], &cb);
            if (rc < 0) {
                status = fail_w(w, rc, argv[i]);
                hks_writer_close(w);
                return status;
            }
        }
    }
    if (ps.tty && !quiet)
        fprintf(stderr, "\r\033[Kcommitting...");
    rc = hks_writer_commit(w);
    if (rc < 0)
        goto fail;
    hks_writer_progress(w, &pr);
    if (ps.tty && !quiet)
        fprintf(stderr, "\r\033[K");
    if (is_merge) {
        hks_index *idx = NULL;
        hks_index_info in;
        if (hks_index_open(index, NULL, &idx) == HKS_OK && hks_index_info_get(idx, &in) == HKS_OK)
            fprintf(stderr, "hkindex merge: %llu documents in %llu segment%s; index %s is %.1f MB\n",
                    (unsigned long long)in.n_docs, (unsigned long long)in.n_segments,
                    in.n_segments == 1 ? "" : "s", index, (double)dir_bytes(index) / 1e6);
        hks_index_close(idx);
    } else {
        double dt = now_s() - ps.t0;
        unsigned long long bytes = dir_bytes(index);
        fprintf(stderr,
                "hkindex %s: %llu documents, %.1f MB read in %.2f s (%.1f MB/s), "
                "%llu unchanged, %llu deleted, %llu rejected; index %s is %.1f MB\n",
                cmd, (unsigned long long)pr.n_docs, (double)pr.n_bytes / 1e6, dt,
                dt > 0 ? (double)pr.n_bytes / 1e6 / dt : 0.0,
                (unsigned long long)pr.n_unchanged, (unsigned long long)pr.n_deleted,
                (unsigned long long)pr.n_rejected, index, (double)bytes / 1e6);
    }
    hks_writer_close(w);
    return status;
fail:
    status = fail_w(w, rc, index);
    hks_writer_close(w);
    return status;
}

static int cmd_read(const char *cmd, const char *index)
{
    hks_index *idx = NULL;
    hks_index_info in;
    int rc = hks_index_open(index, NULL, &idx);
    if (rc < 0) {
        fprintf(stderr, "hkindex %s: %s: %s\n", cmd, hks_strerror(rc),
                idx ? hks_index_errmsg(idx) : index);
        hks_index_close(idx);
        return 2;
    }
    if (!strcmp(cmd, "check")) {
        rc = hks_index_check(idx);
        if (rc < 0) {
            fprintf(stderr, "hkindex check: %s: %s\n", hks_strerror(rc), hks_index_errmsg(idx));
            hks_index_close(idx);
            return 1;
        }
    }
    hks_index_info_get(idx, &in);
    printf("index        %s (commit %llu)\n", index, (unsigned long long)in.generation);
    printf("documents    %llu (%llu deleted, not yet merged away)\n",
           (unsigned long long)in.n_docs, (unsigned long long)in.n_deleted);
    printf("segments     %llu\n", (unsigned long long)in.n_segments);
    printf("terms        %llu\n", (unsigned long long)in.n_terms);
    printf("tokens       %llu\n", (unsigned long long)in.n_tokens);
    printf("postings     %.2f MB\n", (double)in.bytes_postings / 1e6);
    printf("text store   %.2f MB\n", (double)in.bytes_docstore / 1e6);
    printf("other        %.2f MB\n", (double)in.bytes_other / 1e6);
    if (!strcmp(cmd, "check"))
        printf("check        ok: every checksum and structure verified\n");
    hks_index_close(idx);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd, *index = getenv("HKS_INDEX");
    long long mem = 0, zlevel = 0;
    int quiet = 0, i, n = 0;
    char **args;
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    cmd = argv[1];
    if (!index || !*index)
        index = DEFAULT_INDEX;
    args = calloc((size_t)argc, sizeof *args);
    if (!args)
        return 2;
    for (i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!a) /* argv[i] for i < argc is never NULL; this is for the analyzer */
            break;
        if (!v && (!strcmp(a, "-i") || !strcmp(a, "--index") || !strcmp(a, "--memory") ||
                   !strcmp(a, "--zstd"))) {
            fprintf(stderr, "hkindex: %s needs a value\n", a);
            free(args);
            return 2;
        }
        if ((!strcmp(a, "-i") || !strcmp(a, "--index")) && v) {
            index = v;
            i++;
        } else if ((!strcmp(a, "--memory") || !strcmp(a, "--zstd")) && v) {
            char *end;
            long long x;
            errno = 0;
            x = strtoll(v, &end, 10);
            if (errno || end == v || *end || x < 1) {
                fprintf(stderr, "hkindex: %s wants a whole number >= 1, not %s\n", a, v);
                free(args);
                return 2;
            }
            if (!strcmp(a, "--memory"))
                mem = x;
            else
                zlevel = x;
            i++;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (a[0] == '-' && a[1] == '-' && a[2]) {
            fprintf(stderr, "hkindex: unknown option %s (or it needs a value)\n", a);
            free(args);
            return 2;
        } else {
            args[n++] = argv[i];
        }
    }
    if (!strcmp(cmd, "build") || !strcmp(cmd, "add") || !strcmp(cmd, "delete") ||
        !strcmp(cmd, "merge") || !strcmp(cmd, "sync")) {
        int rc = cmd_write(cmd, index, n, args, mem, zlevel, quiet);
        free(args);
        return rc;
    }
    free(args);
    if (!strcmp(cmd, "stats") || !strcmp(cmd, "check"))
        return cmd_read(cmd, index);
    fprintf(stderr, "hkindex: unknown command %s\n%s", cmd, usage);
    return 2;
}
