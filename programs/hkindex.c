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
    "                         are skipped); SOURCE - reads JSONL from standard\n"
    "                         input (needs --collection)\n"
    "  sync SOURCE...         add, update, and delete the articles a source no\n"
    "                         longer has (per collection)\n"
    "  delete COLLECTION ID...  delete articles\n"
    "  drop COLLECTION        delete a whole collection (needs --yes)\n"
    "  collections            list the collections: documents and source\n"
    "  merge                  merge all segments into one\n"
    "  stats                  print what the index holds\n"
    "  check                  verify every checksum and structure\n"
    "  backup DIR             copy the committed index into the new folder DIR,\n"
    "                         while writers go on, and check the copy\n"
    "  synonyms FILE          set the synonym table: one group of aliases a line,\n"
    "                         separated by \" / \", tabs or commas; # comments\n"
    "                         (no reindexing; searches expand unquoted aliases)\n"
    "  synonyms --show        print the table;  synonyms --clear  remove it\n"
    "A SOURCE is a folder of .txt/.md articles (one a file; id = path in the\n"
    "folder, collection = folder name), or a .jsonl / .jsonl.zst file of\n"
    "{\"id\",\"title\",\"body\",\"date\",\"source\",\"url\"} lines (collection = file\n"
    "name without .jsonl). Ids are scoped by collection. The index records each\n"
    "collection's source: add and sync refuse another source of the same name.\n"
    "options:\n"
    "  -i, --index DIR   index directory (default: $HKS_INDEX, else ./" DEFAULT_INDEX ")\n"
    "  --collection NAME read the sources into collection NAME (any source)\n"
    "  -n, --dry-run     print what would be added, updated and deleted; commit nothing\n"
    "  -y, --yes         let a sync delete more than half of a collection; drop\n"
    "  --memory MB       in-memory budget before a segment is flushed (default: a\n"
    "                    16th of the machine's memory, 256 to 2048)\n"
    "  --zstd N          document store compression level (default 3)\n"
    "  --threads N       threads reading a source: 1 does everything on one, 2 or more\n"
    "                    invert and write on a second (default: the number of cores)\n"
    "  --no-boilerplate  index every line as text (by default lines repeated across a\n"
    "                    collection's articles and site chrome are not matched)\n"
    "  -q, --quiet       no progress line\n";

/* Options of a command. */
typedef struct opts {
    const char *index;
    const char *collection; /* --collection, or NULL */
    long long mem, zlevel;
    long long threads; /* --threads, 0: the number of cores */
    int quiet, dry_run, yes;
    int no_boiler;           /* --no-boilerplate */
    int syn_show, syn_clear; /* synonyms --show, --clear */
} opts;

typedef struct prog_state {
    int tty;
    int quiet;
    double t0;
    unsigned long warnings;
    int dry_run;
    uint64_t n_add, n_update, n_delete; /* what a dry run would do */
} prog_state;

/* The flush budget when --memory is not given: a 16th of the machine's
 * memory, 256 to 2048 MB. A build whose in-memory index fits is written
 * once, with no segments to merge after (the news set: 25 s at 256 MB,
 * 20 s at 1024, BENCHMARKS.md); a small machine keeps the old 256. */
static long long default_memory_mb(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psz = sysconf(_SC_PAGESIZE);
    long long mb = pages > 0 && psz > 0 ? (long long)pages / 16 * psz >> 20 : 0;
    return mb < 256 ? 256 : mb > 2048 ? 2048
                                      : mb;
}

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

/* A dry run lists each change on standard output. */
static void on_change(void *ud, unsigned what, const char *c, size_t cn, const char *id, size_t idn)
{
    prog_state *p = ud;
    const char *verb = what == HKS_CHANGE_ADD ? "add" : what == HKS_CHANGE_UPDATE ? "update"
                                                                                  : "delete";
    if (what == HKS_CHANGE_ADD)
        p->n_add++;
    else if (what == HKS_CHANGE_UPDATE)
        p->n_update++;
    else
        p->n_delete++;
    if (p->dry_run)
        printf("%s\t%.*s/%.*s\n", verb, (int)cn, c, (int)idn, id);
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

/* Print the summary of a write command: what happened, by kind. */
static void summary(const char *cmd, const opts *o, const prog_state *ps, const hks_progress *pr)
{
    double dt = now_s() - ps->t0;
    unsigned long long added = (unsigned long long)(pr->n_docs - pr->n_replaced);
    if (o->dry_run) {
        fprintf(stderr,
                "hkindex %s --dry-run: would add %llu, replace %llu, delete %llu; %llu unchanged, "
                "%llu rejected; nothing committed\n",
                cmd, added, (unsigned long long)pr->n_replaced, (unsigned long long)pr->n_deleted,
                (unsigned long long)pr->n_unchanged, (unsigned long long)pr->n_rejected);
        return;
    }
    fprintf(stderr, "hkindex %s: %llu added, %llu replaced, %llu unchanged, %llu deleted, %llu rejected",
            cmd, added, (unsigned long long)pr->n_replaced, (unsigned long long)pr->n_unchanged,
            (unsigned long long)pr->n_deleted, (unsigned long long)pr->n_rejected);
    if (pr->n_bytes)
        fprintf(stderr, "; %.1f MB read in %.2f s (%.1f MB/s)", (double)pr->n_bytes / 1e6, dt,
                dt > 0 ? (double)pr->n_bytes / 1e6 / dt : 0.0);
    fprintf(stderr, "; index %s is %.1f MB\n", o->index, (double)dir_bytes(o->index) / 1e6);
}

static int cmd_write(const char *cmd, const opts *o, int argc, char **argv)
{
    hks_writer *w = NULL;
    hks_callbacks cb;
    prog_state ps;
    hks_progress pr;
    int rc = HKS_OK, i, status = 0;
    int is_build = !strcmp(cmd, "build"), is_delete = !strcmp(cmd, "delete");
    int is_merge = !strcmp(cmd, "merge"), is_sync = !strcmp(cmd, "sync");
    int is_drop = !strcmp(cmd, "drop");
    const char *coll = o->collection;
    size_t coll_len = coll ? strlen(coll) : 0;

    memset(&ps, 0, sizeof ps);
    ps.tty = isatty(STDERR_FILENO);
    ps.quiet = o->quiet;
    ps.t0 = now_s();
    ps.dry_run = o->dry_run;
    memset(&cb, 0, sizeof cb);
    cb.warn = on_warn;
    cb.progress = on_progress;
    cb.change = on_change;
    cb.ud = &ps;
    if ((is_build || is_sync || !strcmp(cmd, "add")) && argc == 0) {
        fprintf(stderr, "hkindex %s: name at least one SOURCE\n%s", cmd, usage);
        return 2;
    }
    if (is_delete && (argc < 2)) {
        fprintf(stderr, "hkindex delete: name a COLLECTION and at least one ID\n");
        return 2;
    }
    if (is_drop && argc != 1) {
        fprintf(stderr, "hkindex drop: name one COLLECTION\n");
        return 2;
    }
    if (is_sync && coll && argc > 1) {
        fprintf(stderr, "hkindex sync: --collection names the collection of one SOURCE "
                        "(several would delete each other's articles)\n");
        return 2;
    }
    for (i = 0; i < argc && !is_delete && !is_drop; i++)
        if (!strcmp(argv[i], "-") && (!coll || is_sync)) {
            fprintf(stderr, "hkindex %s: %s\n", cmd,
                    is_sync ? "sync reads a folder or file, not standard input"
                            : "reading standard input (-) needs --collection NAME");
            return 2;
        }
    rc = hks_writer_open(o->index, NULL, &w);
    if (rc < 0) {
        status = fail_w(w, rc, o->index);
        hks_writer_close(w);
        return status;
    }
    if ((rc = hks_writer_set(w, HKS_W_MEMORY_BUDGET_MB, o->mem ? o->mem : default_memory_mb())) <
        0)
        goto fail;
    if (o->zlevel && (rc = hks_writer_set(w, HKS_W_ZSTD_LEVEL, o->zlevel)) < 0)
        goto fail;
    if (is_build || is_merge)
        hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 2);
    if (o->no_boiler && (rc = hks_writer_set(w, HKS_W_BOILERPLATE, 0)) < 0)
        goto fail;
    {
        long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
        long long nt = o->threads ? o->threads : (ncpu > 1 ? (ncpu > 256 ? 256 : ncpu) : 1);
        if ((rc = hks_writer_set(w, HKS_W_THREADS, nt)) < 0)
            goto fail;
    }
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
            } else if (o->dry_run) {
                printf("delete\t%s/%s\n", argv[0], argv[i]);
            }
        }
        if (status) {
            fprintf(stderr, "hkindex delete: nothing deleted (a command that fails commits "
                            "nothing)\n");
            hks_writer_close(w);
            return status;
        }
    } else if (is_drop) {
        uint64_t n = 0;
        rc = hks_writer_drop_collection(w, argv[0], strlen(argv[0]), &n);
        if (rc == HKS_ERR_NOTFOUND) {
            fprintf(stderr, "hkindex drop: %s\n", hks_writer_errmsg(w));
            hks_writer_close(w);
            return 1;
        }
        if (rc < 0)
            goto fail;
        if (!o->yes && !o->dry_run) {
            fprintf(stderr,
                    "hkindex drop: collection %s has %llu articles; nothing dropped: run again "
                    "with --yes to drop it\n",
                    argv[0], (unsigned long long)n);
            hks_writer_close(w);
            return 1;
        }
    } else if (!is_merge) {
        for (i = 0; i < argc; i++) {
            uint64_t n_del = 0, n_before = 0;
            unsigned flags = o->yes || o->dry_run ? HKS_SYNC_ALLOW_MASS_DELETE : 0;
            rc = is_sync ? hks_writer_sync_source(w, argv[i], coll, coll_len, flags, &cb, &n_del,
                                                  &n_before)
                         : hks_writer_add_source(w, argv[i], coll, coll_len, 0, &cb);
            if (rc < 0) {
                status = fail_w(w, rc, argv[i]);
                if (rc == HKS_ERR_REFUSED && !coll && strstr(hks_writer_errmsg(w), "read from"))
                    fprintf(stderr, "hkindex: to read %s into that collection anyway, name it: "
                                    "hkindex %s --collection NAME %s\n",
                            argv[i], cmd, argv[i]);
                else if (rc == HKS_ERR_REFUSED)
                    fprintf(stderr, "hkindex: if that is meant, run again with --yes "
                                    "(--dry-run lists what would go)\n");
                fprintf(stderr, "hkindex %s: nothing committed\n", cmd);
                hks_writer_close(w);
                return status;
            }
            if (o->dry_run && n_del * 2 > n_before)
                fprintf(stderr,
                        "hkindex sync --dry-run: %s would delete %llu of the %llu articles of "
                        "its collection (more than half): the sync needs --yes\n",
                        argv[i], (unsigned long long)n_del, (unsigned long long)n_before);
        }
    }
    hks_writer_progress(w, &pr);
    if (o->dry_run) {
        if (ps.tty && !o->quiet)
            fprintf(stderr, "\r\033[K");
        summary(cmd, o, &ps, &pr);
        hks_writer_close(w);
        return 0;
    }
    if (ps.tty && !o->quiet)
        fprintf(stderr, "\r\033[Kcommitting...");
    rc = hks_writer_commit(w);
    if (rc < 0)
        goto fail;
    hks_writer_progress(w, &pr);
    if (ps.tty && !o->quiet)
        fprintf(stderr, "\r\033[K");
    if (is_merge) {
        hks_index *idx = NULL;
        hks_index_info in;
        if (hks_index_open(o->index, NULL, &idx) == HKS_OK && hks_index_info_get(idx, &in) == HKS_OK)
            fprintf(stderr, "hkindex merge: %llu documents in %llu segment%s; index %s is %.1f MB\n",
                    (unsigned long long)in.n_docs, (unsigned long long)in.n_segments,
                    in.n_segments == 1 ? "" : "s", o->index, (double)dir_bytes(o->index) / 1e6);
        hks_index_close(idx);
    } else {
        summary(cmd, o, &ps, &pr);
    }
    hks_writer_close(w);
    return status;
fail:
    status = fail_w(w, rc, o->index);
    hks_writer_close(w);
    return status;
}

static int print_collection(void *ctx, const hks_collection *c)
{
    (void)ctx;
    printf("%-24.*s %10llu  %.*s\n", (int)c->name_len, c->name, (unsigned long long)c->n_docs,
           c->source_len ? (int)c->source_len : (int)strlen("(no source recorded)"),
           c->source_len ? c->source : "(no source recorded)");
    return 0;
}

/* hkindex backup DIR: copy the committed state, then prove the copy. */
static int cmd_backup(const char *index, const char *dest)
{
    hks_index *idx = NULL, *copy = NULL;
    hks_index_info in;
    int rc = hks_index_open(index, NULL, &idx);
    if (rc < 0) {
        fprintf(stderr, "hkindex backup: %s: %s\n", hks_strerror(rc),
                idx ? hks_index_errmsg(idx) : index);
        hks_index_close(idx);
        return 2;
    }
    hks_index_info_get(idx, &in);
    rc = hks_index_backup(idx, dest);
    if (rc < 0) {
        fprintf(stderr, "hkindex backup: %s: %s\n", hks_strerror(rc), hks_index_errmsg(idx));
        hks_index_close(idx);
        return 2;
    }
    hks_index_close(idx);
    rc = hks_index_open(dest, NULL, &copy);
    if (rc == HKS_OK)
        rc = hks_index_check(copy);
    if (rc < 0) {
        fprintf(stderr, "hkindex backup: the copy in %s fails its check: %s: %s\n", dest,
                hks_strerror(rc), copy ? hks_index_errmsg(copy) : "");
        hks_index_close(copy);
        return 2;
    }
    fprintf(stderr, "hkindex backup: commit %llu of %s (%llu documents) copied to %s and checked\n",
            (unsigned long long)in.generation, index, (unsigned long long)in.n_docs, dest);
    hks_index_close(copy);
    return 0;
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
    if (!strcmp(cmd, "collections")) {
        printf("%-24s %10s  %s\n", "collection", "documents", "source");
        rc = hks_index_collections(idx, print_collection, NULL);
        if (rc < 0)
            fprintf(stderr, "hkindex collections: %s: %s\n", hks_strerror(rc),
                    hks_index_errmsg(idx));
        hks_index_close(idx);
        return rc < 0 ? 2 : 0;
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

/* ---- synonyms --------------------------------------------------------------- */

/* The whole of path ("-": standard input) into a malloc'd buffer. */
static char *read_all(const char *path, size_t *n_out)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    char *buf = NULL, *p;
    size_t n = 0, cap = 0, k;
    if (!f)
        return NULL;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            p = realloc(buf, cap);
            if (!p) {
                free(buf);
                buf = NULL;
                errno = ENOMEM;
                break;
            }
            buf = p;
        }
        k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    *n_out = n;
    return buf;
}

/* hkindex synonyms FILE | --show | --clear */
static int cmd_synonyms(const opts *o, int argc, char **argv)
{
    hks_writer *w = NULL;
    char *text = NULL;
    size_t len = 0, n_groups = 0;
    int rc;
    if (o->syn_show + o->syn_clear + (argc > 0) != 1 || argc > 1) {
        fprintf(stderr, "hkindex synonyms: name one FILE (- for standard input), or --show, "
                        "or --clear\n");
        return 2;
    }
    if (o->syn_show) {
        hks_index *idx = NULL;
        char *buf;
        rc = hks_index_open(o->index, NULL, &idx);
        if (rc == HKS_OK && hks_index_synonyms(idx, NULL, 0, &len, NULL) != HKS_ERR_BUFSIZE)
            rc = HKS_ERR_INTERNAL;
        if (rc < 0) {
            fprintf(stderr, "hkindex synonyms: %s: %s\n", hks_strerror(rc),
                    idx ? hks_index_errmsg(idx) : o->index);
            hks_index_close(idx);
            return 2;
        }
        buf = malloc(len + 1);
        if (!buf || hks_index_synonyms(idx, buf, len + 1, &len, &n_groups) != HKS_OK) {
            fprintf(stderr, "hkindex synonyms: out of memory\n");
            free(buf);
            hks_index_close(idx);
            return 2;
        }
        fputs(buf, stdout);
        fprintf(stderr, "hkindex synonyms: %zu group%s in %s\n", n_groups,
                n_groups == 1 ? "" : "s", o->index);
        free(buf);
        hks_index_close(idx);
        return 0;
    }
    if (argc == 1 && !(text = read_all(argv[0], &len))) {
        fprintf(stderr, "hkindex synonyms: cannot read %s: %s\n", argv[0], strerror(errno));
        return 2;
    }
    rc = hks_writer_open(o->index, NULL, &w);
    if (rc == HKS_OK)
        rc = hks_writer_set_synonyms(w, argc ? argv[0] : NULL, text, len);
    if (rc < 0) {
        fprintf(stderr, "hkindex synonyms: %s\n", w ? hks_writer_errmsg(w) : hks_strerror(rc));
        fprintf(stderr, "hkindex synonyms: the synonym table is unchanged\n");
        hks_writer_close(w);
        free(text);
        return 2;
    }
    hks_writer_close(w);
    free(text);
    if (o->syn_clear) {
        fprintf(stderr, "hkindex synonyms: %s has no synonym table now\n", o->index);
        return 0;
    }
    {
        hks_index *idx = NULL;
        if (hks_index_open(o->index, NULL, &idx) == HKS_OK &&
            hks_index_synonyms(idx, NULL, 0, &len, &n_groups) == HKS_ERR_BUFSIZE)
            fprintf(stderr, "hkindex synonyms: %zu group%s from %s set in %s\n", n_groups,
                    n_groups == 1 ? "" : "s", argv[0], o->index);
        hks_index_close(idx);
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd, *env = getenv("HKS_INDEX");
    opts o;
    int i, n = 0;
    char **args;
    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    memset(&o, 0, sizeof o);
    cmd = argv[1];
    o.index = env && *env ? env : DEFAULT_INDEX;
    args = calloc((size_t)argc, sizeof *args);
    if (!args)
        return 2;
    for (i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!a) /* argv[i] for i < argc is never NULL; this is for the analyzer */
            break;
        if (!v && (!strcmp(a, "-i") || !strcmp(a, "--index") || !strcmp(a, "--memory") ||
                   !strcmp(a, "--zstd") || !strcmp(a, "--collection") ||
                   !strcmp(a, "--threads"))) {
            fprintf(stderr, "hkindex: %s needs a value\n", a);
            free(args);
            return 2;
        }
        if ((!strcmp(a, "-i") || !strcmp(a, "--index")) && v) {
            o.index = v;
            i++;
        } else if (!strcmp(a, "--collection") && v) {
            if (!*v) {
                fprintf(stderr, "hkindex: --collection needs a name\n");
                free(args);
                return 2;
            }
            o.collection = v;
            i++;
        } else if ((!strcmp(a, "--memory") || !strcmp(a, "--zstd") ||
                    !strcmp(a, "--threads")) &&
                   v) {
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
                o.mem = x;
            else if (!strcmp(a, "--threads"))
                o.threads = x;
            else
                o.zlevel = x;
            i++;
        } else if (!strcmp(a, "--no-boilerplate")) {
            o.no_boiler = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o.quiet = 1;
        } else if (!strcmp(a, "-n") || !strcmp(a, "--dry-run")) {
            o.dry_run = 1;
        } else if (!strcmp(a, "-y") || !strcmp(a, "--yes")) {
            o.yes = 1;
        } else if (!strcmp(a, "--show") && !strcmp(cmd, "synonyms")) {
            o.syn_show = 1;
        } else if (!strcmp(a, "--clear") && !strcmp(cmd, "synonyms")) {
            o.syn_clear = 1;
        } else if (a[0] == '-' && a[1] == '-' && a[2]) {
            fprintf(stderr, "hkindex: unknown option %s (or it needs a value)\n", a);
            free(args);
            return 2;
        } else {
            args[n++] = argv[i];
        }
    }
    if (!strcmp(cmd, "build") || !strcmp(cmd, "add") || !strcmp(cmd, "delete") ||
        !strcmp(cmd, "merge") || !strcmp(cmd, "sync") || !strcmp(cmd, "drop")) {
        int rc;
        if (o.collection && strcmp(cmd, "add") != 0 && strcmp(cmd, "sync") != 0 &&
            strcmp(cmd, "build") != 0) {
            fprintf(stderr, "hkindex %s: --collection is for add, sync and build\n", cmd);
            free(args);
            return 2;
        }
        rc = cmd_write(cmd, &o, n, args);
        free(args);
        return rc;
    }
    if (!strcmp(cmd, "backup")) {
        int rc;
        if (n != 1) {
            fprintf(stderr, "hkindex backup: name one DIR to copy the index into\n");
            free(args);
            return 2;
        }
        rc = cmd_backup(o.index, args[0]);
        free(args);
        return rc;
    }
    if (!strcmp(cmd, "synonyms")) {
        int rc = cmd_synonyms(&o, n, args);
        free(args);
        return rc;
    }
    free(args);
    if (!strcmp(cmd, "stats") || !strcmp(cmd, "check") || !strcmp(cmd, "collections"))
        return cmd_read(cmd, o.index);
    fprintf(stderr, "hkindex: unknown command %s\n%s", cmd, usage);
    return 2;
}
