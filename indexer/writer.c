/*
 * writer.c: the public hks_writer_* API. A writer holds the index lock,
 * adds documents to the in-memory index (memidx.c), flushes it into
 * segment files when it reaches the memory budget, and commits: flush the
 * rest, merge by policy (merge.c), write tombstones, then atomically
 * replace the manifest (fileio.c). Nothing a writer does is visible before
 * its commit, and a failed or interrupted commit leaves the previous one.
 *
 * Documents are identified by (collection, id). The writer keeps a table
 * of every live key (keytab.c) so that adding a key again replaces the
 * earlier document (a tombstone in its segment) and delete can find it;
 * which segments a commit merges is merge_policy.c's choice.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hks_indexer.h"

/* Where a live document is: slot into w->slots (or MEMIDX) and doc number. */
#define SLOT_MEMIDX UINT32_MAX

/* A segment the writer knows: committed or flushed in this batch. */
typedef struct wslot {
    hks_seginfo si;
    hks_segment *seg; /* opened lazily for merges (NULL until then) */
    uint8_t *del;     /* tombstone bitmap, NULL if none             */
    uint32_t n_del;
    bool del_dirty; /* deletions since the last commit            */
    bool is_new;    /* written by this writer, not yet committed  */
    bool dropped;   /* merged away or emptied in this batch       */
} wslot;

struct hks_writer {
    hks_alloc alloc;
    const hks_alloc *a;
    char *dir;
    int lock_fd;
    hks_errbuf err;
    hks_manifest man; /* the last commit                            */
    wslot *slots;
    uint32_t n_slots, cap_slots;
    hks_memidx *mi;
    uint8_t *mi_del;   /* deleted memidx docs                        */
    size_t mi_del_cap; /* bytes                                      */
    hks_keytab kt;     /* live documents by (collection, id)         */
    long long budget_mb;
    int zstd_level;
    int merge_mode;
    hks_progress prog;
    bool dirty;              /* something to commit                        */
    uint32_t sync_gen;       /* number of the last sync pass               */
    bool syncing;            /* a sync pass is reading its source          */
    hks_buf touched;         /* collections a sync pass read: NUL-ended    */
    hks_manifest colls;      /* collection records as of now (n_coll part)  */
    const hks_callbacks *cb; /* of the source being read, or NULL     */
    bool created_dir;        /* this writer made the index directory       */
    hks_boiler *bp;          /* boilerplate counts per collection          */
    hks_buf bp_table;        /* their table, serialized for a merge        */
    bool precounted;         /* the source being read was counted first    */
    bool no_boiler;          /* HKS_W_BOILERPLATE 0: nothing is boilerplate */
    int n_threads;           /* HKS_W_THREADS: 1, or 2 for a pipeline      */
    struct wpipe *pipe;      /* the pipeline of the source being read      */
    int failed;              /* a pipeline's worker failed: the batch is lost */
};

/* ---- deletions ------------------------------------------------------------ */

static int mark_deleted(hks_writer *w, uint32_t slot, uint32_t doc)
{
    uint8_t **bits;
    size_t need;
    if (slot == SLOT_MEMIDX) {
        need = (size_t)doc / 8 + 1;
        if (need > w->mi_del_cap) {
            size_t nc;
            uint8_t *p = hks_grow(w->a, w->mi_del, 1, w->mi_del_cap, need, 4096, SIZE_MAX, &nc);
            if (!p)
                return HKS_ERR_NOMEM;
            memset(p + w->mi_del_cap, 0, nc - w->mi_del_cap);
            w->mi_del = p;
            w->mi_del_cap = nc;
        }
        w->mi_del[doc >> 3] |= (uint8_t)(1u << (doc & 7));
        return HKS_OK;
    }
    bits = &w->slots[slot].del;
    if (!*bits) {
        *bits = hks_mem_calloc(w->a, (size_t)w->slots[slot].si.n_docs / 8 + 1, 1);
        if (!*bits)
            return HKS_ERR_NOMEM;
    }
    if (!((*bits)[doc >> 3] >> (doc & 7) & 1)) {
        (*bits)[doc >> 3] |= (uint8_t)(1u << (doc & 7));
        w->slots[slot].n_del++;
        w->slots[slot].del_dirty = true;
    }
    return HKS_OK;
}

/* ---- open / close ----------------------------------------------------------- */

static int push_slot(hks_writer *w, const hks_seginfo *si, bool is_new)
{
    if (w->n_slots == w->cap_slots) {
        size_t nc;
        wslot *p = hks_grow(w->a, w->slots, sizeof *p, w->cap_slots, (size_t)w->n_slots + 1, 16,
                            UINT32_MAX, &nc);
        if (!p)
            return HKS_ERR_NOMEM;
        w->slots = p;
        w->cap_slots = (uint32_t)nc;
    }
    memset(&w->slots[w->n_slots], 0, sizeof *w->slots);
    w->slots[w->n_slots].si = *si;
    w->slots[w->n_slots].is_new = is_new;
    w->n_slots++;
    return HKS_OK;
}

static bool referenced(const hks_writer *w, const char *name)
{
    uint32_t i;
    for (i = 0; i < w->man.n_seg; i++)
        if (strcmp(w->man.seg[i].name, name) == 0 || strcmp(w->man.seg[i].del_name, name) == 0)
            return true;
    return false;
}

/* Remove our files that the manifest does not name: leftovers of a commit
 * that did not finish, or segments a later commit replaced. Readers that
 * still use them keep their mappings; new readers never look for them. */
static void collect_garbage(hks_writer *w)
{
    DIR *d = opendir(w->dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        if (strncmp(e->d_name, "seg-", 4) != 0 && strcmp(e->d_name, "MANIFEST.tmp") != 0 &&
            strcmp(e->d_name, HKS_SYNONYMS_NAME ".tmp") != 0)
            continue;
        if (referenced(w, e->d_name))
            continue;
        if (hks_path_join(path, sizeof path, w->dir, e->d_name) == HKS_OK)
            unlink(path);
    }
    closedir(d);
}

/* Load the live keys of every committed segment. */
static int load_keys(hks_writer *w)
{
    uint32_t s, d;
    for (s = 0; s < w->n_slots; s++) {
        wslot *sl = &w->slots[s];
        int rc = hks_seg_open(w->a, w->dir, &sl->si, &w->err, &sl->seg);
        if (rc)
            return rc;
        if (hks_seg_deleted_bits(sl->seg)) {
            size_t nb = (size_t)sl->si.n_docs / 8 + 1;
            sl->del = hks_mem_calloc(w->a, nb, 1);
            if (!sl->del)
                return hks_fail(&w->err, HKS_ERR_NOMEM, "%s: out of memory", w->dir);
            memcpy(sl->del, hks_seg_deleted_bits(sl->seg), ((size_t)sl->si.n_docs + 7) / 8);
            sl->n_del = sl->si.n_deleted;
        }
        for (d = 0; d < sl->si.n_docs; d++) {
            const uint8_t *p[HKS_META_N];
            size_t n[HKS_META_N];
            hks_key k;
            hks_keyent val = {0};
            hks_docrec rec;
            if (hks_seg_is_deleted(sl->seg, d))
                continue;
            hks_seg_docrec(sl->seg, d, &rec);
            rc = hks_seg_meta(sl->seg, d, p, n, &w->err);
            if (rc)
                return rc;
            val.slot = s;
            val.doc = d;
            val.chash = rec.chash;
            val.seen = w->sync_gen;
            if (hks_keytab_key(&w->kt, (const char *)p[HKS_META_COLLECTION], n[HKS_META_COLLECTION],
                               (const char *)p[HKS_META_ID], n[HKS_META_ID], &k) ||
                hks_keytab_insert(&w->kt, &k, &val))
                return hks_fail(&w->err, HKS_ERR_NOMEM, "%s: out of memory", w->dir);
        }
    }
    return HKS_OK;
}

/* ---- boilerplate counts (boiler.c) ---------------------------------------- */

/* Start from the counts of the newest committed segment (the last one
 * written holds everything its writer knew; names grow with time). */
static int open_boiler(hks_writer *w)
{
    uint32_t s, newest = UINT32_MAX;
    const uint8_t *p;
    size_t n;
    int rc;
    if (hks_boiler_new(w->a, &w->bp))
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    hks_buf_init(&w->bp_table, w->a);
    hks_memidx_set_boiler(w->mi, w->bp);
    for (s = 0; s < w->n_slots; s++)
        if (w->slots[s].seg &&
            (newest == UINT32_MAX || strcmp(w->slots[s].si.name, w->slots[newest].si.name) > 0))
            newest = s;
    if (newest == UINT32_MAX)
        return HKS_OK;
    hks_seg_boiler_table(w->slots[newest].seg, &p, &n);
    if (!p)
        return HKS_OK;
    rc = hks_boiler_load(w->bp, p, n);
    if (rc == HKS_ERR_CORRUPT)
        return hks_fail(&w->err, rc, "%s: bad boilerplate counts",
                        hks_seg_path(w->slots[newest].seg));
    if (rc)
        return hks_fail(&w->err, rc, "out of memory");
    return HKS_OK;
}

/*
 * Open the index in dir for writing (creating the directory and an empty
 * index when missing), take the lock, and load the committed state.
 */
int hks_writer_open(const char *dir, const hks_alloc *alloc, hks_writer **out)
{
    hks_writer *w;
    struct stat st;
    uint32_t i;
    int rc;

    if (!out)
        return HKS_ERR_ARG;
    *out = NULL;
    if (!dir || !*dir)
        return HKS_ERR_ARG;
    w = hks_mem_calloc(alloc, 1, sizeof *w);
    if (!w)
        return HKS_ERR_NOMEM;
    if (alloc) {
        w->alloc = *alloc;
        w->a = &w->alloc;
    }
    w->lock_fd = -1;
    w->budget_mb = 256;
    w->zstd_level = 3;
    w->merge_mode = 1;
    w->n_threads = 1;
    hks_keytab_init(&w->kt, w->a);
    hks_buf_init(&w->touched, w->a);
    *out = w;
    w->dir = hks_mem_strndup(w->a, dir, strlen(dir));
    if (!w->dir)
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT || mkdir(dir, 0755) != 0)
            return hks_fail(&w->err, HKS_ERR_IO, "cannot create index directory %s: %s",
                            dir, strerror(errno));
        w->created_dir = true;
    } else if (!S_ISDIR(st.st_mode)) {
        return hks_fail(&w->err, HKS_ERR_IO, "%s exists and is not a directory", dir);
    }
    rc = hks_lock_take(dir, &w->lock_fd, &w->err);
    if (rc)
        return rc;
    rc = hks_manifest_read(w->a, dir, true, &w->man, &w->err);
    if (rc)
        return rc;
    for (i = 0; i < w->man.n_seg; i++)
        if (push_slot(w, &w->man.seg[i], false))
            return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    if (hks_manifest_copy_colls(w->a, &w->colls, &w->man))
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    collect_garbage(w);
    rc = load_keys(w);
    if (rc)
        return rc;
    rc = hks_memidx_new(w->a, w->zstd_level, &w->mi);
    if (rc)
        return hks_fail(&w->err, rc, "out of memory");
    return open_boiler(w);
}

static void free_slots(hks_writer *w)
{
    uint32_t i;
    for (i = 0; i < w->n_slots; i++) {
        hks_seg_close(w->slots[i].seg);
        hks_mem_free(w->a, w->slots[i].del, 0);
        if (w->slots[i].is_new) { /* flushed but never committed */
            char path[4096];
            if (hks_path_join(path, sizeof path, w->dir, w->slots[i].si.name) == HKS_OK)
                unlink(path);
        }
    }
    hks_mem_free(w->a, w->slots, 0);
    w->slots = NULL;
    w->n_slots = w->cap_slots = 0;
}

void hks_writer_close(hks_writer *w)
{
    const hks_alloc *a;
    hks_alloc copy;
    if (!w)
        return;
    free_slots(w);
    if (w->created_dir && w->man.generation == 0 && w->lock_fd >= 0) {
        /* Nothing was ever committed to the folder this writer made: take
         * it away again (rmdir fails, harmlessly, if it holds anything
         * else). */
        char path[4096];
        if (hks_path_join(path, sizeof path, w->dir, HKS_MANIFEST_NAME ".tmp") == HKS_OK)
            unlink(path);
        if (hks_path_join(path, sizeof path, w->dir, HKS_LOCK_NAME) == HKS_OK)
            unlink(path);
        hks_lock_release(w->lock_fd);
        w->lock_fd = -1;
        rmdir(w->dir);
    }
    hks_memidx_free(w->mi);
    hks_boiler_free(w->bp);
    hks_buf_free(&w->bp_table);
    hks_mem_free(w->a, w->mi_del, 0);
    hks_keytab_free(&w->kt);
    hks_buf_free(&w->touched);
    hks_manifest_free(w->a, &w->colls);
    hks_manifest_free(w->a, &w->man);
    hks_lock_release(w->lock_fd);
    hks_mem_free(w->a, w->dir, 0);
    copy = w->alloc;
    a = w->a ? &copy : NULL;
    hks_mem_free(a, w, sizeof *w);
}

const char *hks_writer_errmsg(const hks_writer *w)
{
    if (!w)
        return "no writer (out of memory or invalid argument)";
    return w->err.msg;
}

int hks_writer_set(hks_writer *w, hks_wparam param, long long value)
{
    if (!w)
        return HKS_ERR_ARG;
    switch (param) {
    case HKS_W_MEMORY_BUDGET_MB:
        if (value < 1 || value > 65536)
            return hks_fail(&w->err, HKS_ERR_ARG, "memory budget %lld MB out of 1..65536",
                            value);
        w->budget_mb = value;
        return HKS_OK;
    case HKS_W_ZSTD_LEVEL:
        if (value < 1 || value > 19)
            return hks_fail(&w->err, HKS_ERR_ARG, "zstd level %lld out of 1..19", value);
        w->zstd_level = (int)value;
        if (hks_memidx_ndocs(w->mi) == 0) {
            hks_memidx *mi;
            if (hks_memidx_new(w->a, w->zstd_level, &mi))
                return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
            hks_memidx_free(w->mi);
            w->mi = mi;
            hks_memidx_set_boiler(w->mi, w->no_boiler ? NULL : w->bp);
        }
        return HKS_OK;
    case HKS_W_MERGE_AT_COMMIT:
        if (value < 0 || value > 2)
            return hks_fail(&w->err, HKS_ERR_ARG, "merge mode %lld out of 0..2", value);
        w->merge_mode = (int)value;
        return HKS_OK;
    case HKS_W_BOILERPLATE:
        if (value < 0 || value > 1)
            return hks_fail(&w->err, HKS_ERR_ARG, "boilerplate %lld: 0 or 1", value);
        w->no_boiler = value == 0;
        if (w->mi)
            hks_memidx_set_boiler(w->mi, w->no_boiler ? NULL : w->bp);
        return HKS_OK;
    case HKS_W_THREADS:
        if (value < 1 || value > 256)
            return hks_fail(&w->err, HKS_ERR_ARG, "threads %lld out of 1..256", value);
        w->n_threads = (int)value;
        return HKS_OK;
    }
    return hks_fail(&w->err, HKS_ERR_ARG, "unknown parameter %d", (int)param);
}

void hks_writer_progress(const hks_writer *w, hks_progress *out)
{
    if (w && out)
        *out = w->prog;
}

/* ---- adding ----------------------------------------------------------------- */

static int next_name(hks_writer *w, char *buf, size_t cap)
{
    int k = snprintf(buf, cap, "seg-%06llu.hks", (unsigned long long)w->man.next_file++);
    return (k < 0 || (size_t)k >= cap) ? HKS_ERR_INTERNAL : HKS_OK;
}

/* Flush the in-memory index into a new (uncommitted) segment. */
static int flush(hks_writer *w)
{
    hks_seginfo si;
    char path[4096];
    uint32_t nd = hks_memidx_ndocs(w->mi), slot, i, d;
    int rc;
    if (nd == 0)
        return HKS_OK;
    memset(&si, 0, sizeof si);
    if (next_name(w, si.name, sizeof si.name) ||
        hks_path_join(path, sizeof path, w->dir, si.name))
        return hks_fail(&w->err, HKS_ERR_ARG, "index path too long");
    rc = hks_memidx_flush(w->mi, path, w->n_threads, &w->err, NULL);
    if (rc)
        return rc;
    si.n_docs = nd;
    if (push_slot(w, &si, true)) {
        unlink(path);
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    }
    slot = w->n_slots - 1;
    /* Keys that pointed into the memory index now point into the segment. */
    for (i = 0; i < w->kt.cap; i++)
        if (w->kt.e[i].used && w->kt.e[i].slot == SLOT_MEMIDX)
            w->kt.e[i].slot = slot;
    for (d = 0; d < nd; d++)
        if ((size_t)d / 8 < w->mi_del_cap && (w->mi_del[d >> 3] >> (d & 7) & 1))
            if (mark_deleted(w, slot, d))
                return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    if (w->mi_del)
        memset(w->mi_del, 0, w->mi_del_cap);
    return HKS_OK;
}

/* ---- the build pipeline (HKS_W_THREADS 2) ----------------------------------
 *
 * While a source is read, the caller's thread reads, parses and checks each
 * article, keeps the key table, and analyses the text (normalize, tokenize,
 * boilerplate lines, fingerprint: hks_memidx_analyse); a worker thread takes
 * the analysed documents in order, inverts them into the memory index
 * (hks_memidx_add_keys) and flushes it into segments. The index is the one
 * a single thread makes. The queue between the two holds at most 3/4 of
 * 1/16 of the memory budget (at least one document), done jobs kept for
 * reuse 1/4 of it, and the memory index flushes at the other 15/16: the
 * budget counts both threads.
 *
 * The caller's thread numbers the documents it sends as if no flush had
 * happened (batch_docs); when the worker reports a segment of n documents
 * (pipe_take), the first n become that segment's and the rest move down by
 * n, exactly as flush() does. A failure in the worker is sticky: the next
 * add returns its message, reading stops, and the writer refuses to commit
 * the batch it lost (w->failed).
 */
typedef struct wjob {
    struct wjob *next;
    hks_doc doc;  /* views into text                              */
    hks_buf text; /* the document's fields, one after another     */
    uint64_t chash;
    size_t bytes;  /* held, as counted in the queue                */
    hks_dockeys k; /* the analysis                                 */
} wjob;

typedef struct wpipe {
    hks_writer *w;
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv_work; /* a job queued, or the end                  */
    pthread_cond_t cv_room; /* a job done                                */
    wjob *head, *tail;      /* queued, in document order                 */
    wjob *spare;            /* done, kept for reuse                      */
    size_t q_bytes;         /* of jobs queued or in work                 */
    size_t q_cap;           /* at most (one job always fits)             */
    size_t spare_bytes;
    size_t flush_at;   /* memory index bytes that flush it          */
    bool end;          /* no more jobs: finish them and return      */
    int rc;            /* the worker's first failure                */
    hks_errbuf werr;   /* its message (the worker's alone until rc) */
    hks_seginfo *done; /* segments flushed, not yet taken           */
    uint32_t n_done, cap_done;
    /* The caller's thread alone: */
    uint32_t n_pending; /* documents sent since the last segment taken  */
    hks_analysis *an;   /* analysis scratch                              */
} wpipe;

/* Documents of the current batch as the calling thread numbers them. */
static uint32_t batch_docs(const hks_writer *w)
{
    return w->pipe ? w->pipe->n_pending : hks_memidx_ndocs(w->mi);
}

static void job_free(const hks_alloc *a, wjob *j)
{
    hks_buf_free(&j->text);
    hks_dockeys_free(&j->k);
    hks_mem_free(a, j, sizeof *j);
}

/* The worker: flush the memory index into a segment it names. w->man's
 * file counter is the worker's while the pipeline runs (the calling
 * thread names files only in a commit). */
static int pipe_flush(wpipe *p)
{
    hks_writer *w = p->w;
    hks_seginfo si;
    char path[4096];
    uint32_t nd = hks_memidx_ndocs(w->mi);
    int rc;
    memset(&si, 0, sizeof si);
    if (next_name(w, si.name, sizeof si.name) ||
        hks_path_join(path, sizeof path, w->dir, si.name))
        return hks_fail(&p->werr, HKS_ERR_ARG, "index path too long");
    rc = hks_memidx_flush(w->mi, path, w->n_threads, &p->werr, NULL);
    if (rc)
        return rc;
    si.n_docs = nd;
    pthread_mutex_lock(&p->mu);
    if (p->n_done == p->cap_done) {
        size_t nc;
        hks_seginfo *q = hks_grow(w->a, p->done, sizeof *q, p->cap_done, (size_t)p->n_done + 1,
                                  8, UINT32_MAX, &nc);
        if (!q) {
            pthread_mutex_unlock(&p->mu);
            unlink(path);
            return hks_fail(&p->werr, HKS_ERR_NOMEM, "out of memory");
        }
        p->done = q;
        p->cap_done = (uint32_t)nc;
    }
    p->done[p->n_done++] = si;
    pthread_mutex_unlock(&p->mu);
    return HKS_OK;
}

static void *pipe_main(void *arg)
{
    wpipe *p = arg;
    hks_writer *w = p->w;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        wjob *j;
        int rc;
        while (!p->head && !p->end)
            pthread_cond_wait(&p->cv_work, &p->mu);
        j = p->head;
        if (!j)
            break;
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        rc = p->rc;
        pthread_mutex_unlock(&p->mu);
        if (rc == HKS_OK) { /* after a failure the rest is dropped */
            rc = hks_memidx_add_keys(w->mi, &j->doc, j->chash, &j->k, &p->werr);
            if (rc == HKS_OK && hks_memidx_bytes(w->mi) >= p->flush_at)
                rc = pipe_flush(p);
        }
        pthread_mutex_lock(&p->mu);
        if (rc && p->rc == HKS_OK)
            p->rc = rc;
        p->q_bytes -= j->bytes;
        if (p->spare_bytes + j->bytes <= p->q_cap / 4) {
            j->next = p->spare;
            p->spare = j;
            p->spare_bytes += j->bytes;
        } else {
            job_free(w->a, j);
        }
        pthread_cond_signal(&p->cv_room);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Take the segments the worker wrote (flush()'s bookkeeping). */
static int pipe_take(hks_writer *w)
{
    wpipe *p = w->pipe;
    for (;;) {
        hks_seginfo si;
        uint32_t nd, slot, i, d, nbits;
        pthread_mutex_lock(&p->mu);
        if (p->n_done == 0) {
            pthread_mutex_unlock(&p->mu);
            return HKS_OK;
        }
        si = p->done[0];
        memmove(p->done, p->done + 1, (size_t)(p->n_done - 1) * sizeof *p->done);
        p->n_done--;
        pthread_mutex_unlock(&p->mu);
        nd = si.n_docs;
        if (push_slot(w, &si, true)) {
            char path[4096];
            if (hks_path_join(path, sizeof path, w->dir, si.name) == HKS_OK)
                unlink(path);
            w->failed = HKS_ERR_NOMEM;
            return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
        }
        slot = w->n_slots - 1;
        for (i = 0; i < w->kt.cap; i++) {
            hks_keyent *e = &w->kt.e[i];
            if (!e->used || e->slot != SLOT_MEMIDX)
                continue;
            if (e->doc < nd)
                e->slot = slot;
            else
                e->doc -= nd;
        }
        nbits = (uint32_t)(w->mi_del_cap * 8 < UINT32_MAX ? w->mi_del_cap * 8 : UINT32_MAX);
        for (d = 0; d < nbits; d++) {
            bool set = w->mi_del[d >> 3] >> (d & 7) & 1;
            if (d < nd) {
                if (set && mark_deleted(w, slot, d)) {
                    w->failed = HKS_ERR_NOMEM;
                    return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
                }
                continue;
            }
            if (set)
                w->mi_del[(d - nd) >> 3] |= (uint8_t)(1u << ((d - nd) & 7));
            else
                w->mi_del[(d - nd) >> 3] &= (uint8_t) ~(1u << ((d - nd) & 7));
        }
        for (d = nbits > nd ? nbits - nd : 0; d < nbits; d++)
            w->mi_del[d >> 3] &= (uint8_t) ~(1u << (d & 7));
        p->n_pending -= nd;
    }
}

/* The worker's failure as the writer's: its message, and the batch lost. */
static int pipe_failed(hks_writer *w, int rc)
{
    w->failed = rc;
    memcpy(&w->err, &w->pipe->werr, sizeof w->err);
    return rc;
}

/* hks_memidx_add through the pipeline: analyse here, invert there. */
static int pipe_add(hks_writer *w, const hks_doc *doc, uint64_t chash)
{
    wpipe *p = w->pipe;
    const char *f[10] = {doc->collection, doc->id, doc->title, doc->body, doc->date,
                         doc->source, doc->url, doc->author, doc->category, doc->tags};
    size_t n[10] = {doc->collection_len, doc->id_len, doc->title_len, doc->body_len,
                    doc->date_len, doc->source_len, doc->url_len, doc->author_len,
                    doc->category_len, doc->tags_len};
    size_t off[10];
    const char *v[10];
    wjob *j;
    int rc = 0, i;
    /* Before this document is numbered: a segment taken later may hold it. */
    rc = pipe_take(w);
    if (rc)
        return rc;
    pthread_mutex_lock(&p->mu);
    j = p->spare;
    if (j) {
        p->spare = j->next;
        p->spare_bytes -= j->bytes;
    }
    if (p->rc) {
        if (j) {
            j->next = p->spare;
            p->spare = j;
            p->spare_bytes += j->bytes;
        }
        pthread_mutex_unlock(&p->mu);
        return pipe_failed(w, p->rc);
    }
    pthread_mutex_unlock(&p->mu);
    if (!j) {
        j = hks_mem_calloc(w->a, 1, sizeof *j);
        if (!j)
            return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
        hks_buf_init(&j->text, w->a);
        hks_dockeys_init(&j->k, w->a);
    }
    j->text.n = 0;
    for (i = 0; i < 10; i++) {
        off[i] = j->text.n;
        if (f[i])
            hks_buf_put(&rc, &j->text, f[i], n[i]);
    }
    if (rc == HKS_OK)
        rc = hks_memidx_analyse(p->an, w->no_boiler ? NULL : w->bp, doc, &j->k, &w->err);
    else
        rc = hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    if (rc) {
        job_free(w->a, j);
        return rc;
    }
    for (i = 0; i < 10; i++)
        v[i] = f[i] ? (const char *)j->text.p + off[i] : NULL;
    memset(&j->doc, 0, sizeof j->doc);
    j->doc.collection = v[0];
    j->doc.collection_len = n[0];
    j->doc.id = v[1];
    j->doc.id_len = n[1];
    j->doc.title = v[2];
    j->doc.title_len = n[2];
    j->doc.body = v[3];
    j->doc.body_len = n[3];
    j->doc.date = v[4];
    j->doc.date_len = n[4];
    j->doc.source = v[5];
    j->doc.source_len = n[5];
    j->doc.url = v[6];
    j->doc.url_len = n[6];
    j->doc.author = v[7];
    j->doc.author_len = n[7];
    j->doc.category = v[8];
    j->doc.category_len = n[8];
    j->doc.tags = v[9];
    j->doc.tags_len = n[9];
    j->chash = chash;
    j->bytes = sizeof *j + j->text.cap + hks_dockeys_bytes(&j->k);
    j->next = NULL;
    pthread_mutex_lock(&p->mu);
    while (p->q_bytes && p->q_bytes + j->bytes > p->q_cap - p->q_cap / 4 && !p->rc)
        pthread_cond_wait(&p->cv_room, &p->mu);
    if (p->rc) {
        pthread_mutex_unlock(&p->mu);
        job_free(w->a, j);
        return pipe_failed(w, p->rc);
    }
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    p->q_bytes += j->bytes;
    pthread_cond_signal(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    p->n_pending++;
    return HKS_OK;
}

/* Start a pipeline for the source about to be read: only when the
 * boilerplate counts stay as they are while it is read (counted first, or
 * none), since the worker's flushes store them. Without a thread the
 * source is read as with one. */
static void pipe_start(hks_writer *w)
{
    wpipe *p;
    size_t budget = (size_t)w->budget_mb << 20;
    if (w->n_threads < 2 || w->pipe || w->failed ||
        !(w->precounted || w->no_boiler || !w->bp))
        return;
    p = hks_mem_calloc(w->a, 1, sizeof *p);
    if (!p)
        return;
    p->w = w;
    p->q_cap = budget / 16;
    if (p->q_cap > ((size_t)16 << 20))
        p->q_cap = (size_t)16 << 20;
    p->flush_at = budget - p->q_cap;
    p->n_pending = hks_memidx_ndocs(w->mi);
    if (hks_analysis_new(w->a, &p->an) || pthread_mutex_init(&p->mu, NULL)) {
        hks_analysis_free(p->an);
        hks_mem_free(w->a, p, sizeof *p);
        return;
    }
    if (pthread_cond_init(&p->cv_work, NULL)) {
        pthread_mutex_destroy(&p->mu);
        hks_analysis_free(p->an);
        hks_mem_free(w->a, p, sizeof *p);
        return;
    }
    if (pthread_cond_init(&p->cv_room, NULL)) {
        pthread_cond_destroy(&p->cv_work);
        pthread_mutex_destroy(&p->mu);
        hks_analysis_free(p->an);
        hks_mem_free(w->a, p, sizeof *p);
        return;
    }
    if (pthread_create(&p->th, NULL, pipe_main, p)) {
        pthread_cond_destroy(&p->cv_room);
        pthread_cond_destroy(&p->cv_work);
        pthread_mutex_destroy(&p->mu);
        hks_analysis_free(p->an);
        hks_mem_free(w->a, p, sizeof *p);
        return;
    }
    w->pipe = p;
}

/* Let the worker finish what is queued, take its segments, and stop it.
 * @return rc, else the worker's failure (its message in w->err). */
static int pipe_stop(hks_writer *w, int rc)
{
    wpipe *p = w->pipe;
    int rc2;
    if (!p)
        return rc;
    pthread_mutex_lock(&p->mu);
    p->end = true;
    pthread_cond_signal(&p->cv_work);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->th, NULL);
    rc2 = pipe_take(w);
    if (p->rc) {
        if (rc == HKS_OK || !w->failed)
            rc = pipe_failed(w, p->rc);
    } else if (rc == HKS_OK) {
        rc = rc2;
    }
    while (p->spare) {
        wjob *j = p->spare;
        p->spare = j->next;
        job_free(w->a, j);
    }
    hks_mem_free(w->a, p->done, 0);
    hks_analysis_free(p->an);
    pthread_cond_destroy(&p->cv_room);
    pthread_cond_destroy(&p->cv_work);
    pthread_mutex_destroy(&p->mu);
    hks_mem_free(w->a, p, sizeof *p);
    w->pipe = NULL;
    return rc;
}

/* A sync pass remembers every collection it reads. */
static int touch_collection(hks_writer *w, const char *c, size_t n)
{
    size_t at = 0;
    int rc = 0;
    while (at < w->touched.n) {
        size_t k = strlen((const char *)w->touched.p + at);
        if (k == n && memcmp(w->touched.p + at, c, n) == 0)
            return HKS_OK;
        at += k + 1;
    }
    hks_buf_put(&rc, &w->touched, c, n);
    hks_buf_put_u8(&rc, &w->touched, 0);
    return rc;
}

int hks_writer_add(hks_writer *w, const hks_doc *doc)
{
    uint64_t chash;
    hks_key k;
    hks_keyent *old;
    int rc;
    if (!w)
        return HKS_ERR_ARG;
    hks_err_clear(&w->err);
    if (w->failed && !w->pipe)
        return hks_fail(&w->err, w->failed,
                        "an earlier failure while indexing lost documents of this batch");
    if (!doc || !doc->id || doc->id_len == 0 || doc->id_len > 1024 ||
        (doc->collection_len && !doc->collection) || doc->collection_len > 1024 ||
        memchr(doc->id, 0, doc->id_len) ||
        (doc->collection_len && memchr(doc->collection, 0, doc->collection_len)))
        return hks_fail(&w->err, HKS_ERR_ARG,
                        "a document needs an id of 1..1024 bytes and a collection "
                        "of at most 1024, without NUL bytes");
    if (w->syncing && touch_collection(w, doc->collection ? doc->collection : "",
                                       doc->collection_len))
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    if (hks_keytab_key(&w->kt, doc->collection ? doc->collection : "", doc->collection_len,
                       doc->id, doc->id_len, &k))
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    chash = hks_doc_hash(doc);
    old = hks_keytab_find(&w->kt, &k);
    if (old && old->chash == chash) { /* the same document again: nothing to do */
        hks_keytab_unkey(&w->kt, &k);
        old->seen = w->sync_gen;
        w->prog.n_unchanged++;
        return HKS_OK;
    }
    if (!w->precounted && w->bp && !w->no_boiler &&
        hks_boiler_count(w->bp, doc->collection, doc->collection_len, doc->body, doc->body_len)) {
        hks_keytab_unkey(&w->kt, &k);
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    }
    rc = w->pipe ? pipe_add(w, doc, chash) : hks_memidx_add(w->mi, doc, chash, &w->err);
    if (rc) {
        hks_keytab_unkey(&w->kt, &k);
        return rc;
    }
    if (old) { /* same collection and id: the new document replaces it */
        if (mark_deleted(w, old->slot, old->doc))
            return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
        w->prog.n_replaced++;
        old->slot = SLOT_MEMIDX;
        old->doc = batch_docs(w) - 1;
        old->chash = chash;
        old->seen = w->sync_gen;
        hks_keytab_unkey(&w->kt, &k); /* the old key bytes are the same */
    } else {
        hks_keyent val = {0};
        val.slot = SLOT_MEMIDX;
        val.doc = batch_docs(w) - 1;
        val.chash = chash;
        val.seen = w->sync_gen;
        if (hks_keytab_insert(&w->kt, &k, &val))
            return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    }
    w->dirty = true;
    w->prog.n_docs++;
    if (w->cb && w->cb->change)
        w->cb->change(w->cb->ud, old ? HKS_CHANGE_UPDATE : HKS_CHANGE_ADD,
                      doc->collection ? doc->collection : "", doc->collection_len, doc->id,
                      doc->id_len);
    if (!w->pipe && hks_memidx_bytes(w->mi) >= (size_t)w->budget_mb << 20)
        return flush(w); /* a pipeline's worker flushes by itself */
    return HKS_OK;
}

int hks_writer_delete(hks_writer *w, const char *collection, size_t collection_len,
                      const char *id, size_t id_len)
{
    hks_key k;
    hks_keyent *e;
    int rc;
    if (!w || !id || (collection_len && !collection))
        return HKS_ERR_ARG;
    hks_err_clear(&w->err);
    if (hks_keytab_key(&w->kt, collection ? collection : "", collection_len, id, id_len, &k))
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    e = hks_keytab_find(&w->kt, &k);
    hks_keytab_unkey(&w->kt, &k);
    if (!e)
        return hks_fail(&w->err, HKS_ERR_NOTFOUND, "no document %.*s in collection %.*s",
                        (int)(id_len > 200 ? 200 : id_len), id,
                        (int)(collection_len > 200 ? 200 : collection_len),
                        collection ? collection : "");
    rc = mark_deleted(w, e->slot, e->doc);
    if (rc)
        return hks_fail(&w->err, rc, "out of memory");
    hks_keytab_remove(&w->kt, e);
    w->prog.n_deleted++;
    w->dirty = true;
    return HKS_OK;
}

int hks_writer_delete_all(hks_writer *w)
{
    uint32_t i, d;
    if (!w)
        return HKS_ERR_ARG;
    for (i = 0; i < w->kt.cap; i++) {
        if (w->kt.e[i].used) {
            if (mark_deleted(w, w->kt.e[i].slot, w->kt.e[i].doc))
                return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
        }
    }
    hks_keytab_clear(&w->kt);
    while (w->colls.n_coll) /* the sources are read again */
        hks_manifest_drop_coll(w->a, &w->colls, w->colls.coll[0].name, w->colls.coll[0].name_len);
    if (w->bp) /* and their lines counted again, from nothing */
        hks_boiler_clear(w->bp);
    for (i = 0; i < w->n_slots; i++) /* whole segments go at the commit */
        for (d = 0; d < w->slots[i].si.n_docs; d++)
            if (mark_deleted(w, i, d))
                return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    w->dirty = true;
    return HKS_OK;
}

typedef struct add_ctx {
    hks_writer *w;
    const hks_callbacks *cb;
} add_ctx;

static int on_article(void *ctx, const hks_doc *doc)
{
    add_ctx *x = ctx;
    int rc = hks_writer_add(x->w, doc);
    if (rc == HKS_ERR_ARG || rc == HKS_ERR_UTF8) { /* a bad record: report, go on */
        if (x->cb && x->cb->warn)
            x->cb->warn(x->cb->ud, x->w->err.msg);
        x->w->prog.n_rejected++;
        return HKS_OK;
    }
    if (rc == HKS_OK)
        x->w->prog.n_docs--; /* hks_corpus_read counts it */
    return rc;
}

static bool was_touched(const hks_writer *w, const uint8_t *key)
{
    size_t at = 0, n = strlen((const char *)key); /* the collection part */
    while (at < w->touched.n) {
        size_t k = strlen((const char *)w->touched.p + at);
        if (k == n && memcmp(w->touched.p + at, key, n) == 0)
            return true;
        at += k + 1;
    }
    return false;
}

/* Is the path a inside the folder b (or b itself)? */
static bool path_within(const char *a, size_t na, const char *b, size_t nb)
{
    return na >= nb && memcmp(a, b, nb) == 0 && (na == nb || a[nb] == '/' || nb == 1);
}

/* The collection a source is read into and the source's canonical path,
 * checked against the collection's record. A source is the recorded one
 * when the two paths are equal or one is inside the other (an article
 * file of a recorded folder). explicit: the caller named the collection,
 * which accepts any source. */
typedef struct srcref {
    char coll[HKS_MAX_COLL_BYTES + 1];
    size_t coll_len;
    char src[4096];
    size_t src_len;
    bool explicit_coll;
} srcref;

static int resolve_source(hks_writer *w, const char *path, const char *collection,
                          size_t collection_len, bool is_sync, srcref *r)
{
    struct stat st;
    const hks_collinfo *ci;
    memset(r, 0, sizeof *r);
    if (collection && (collection_len > HKS_MAX_COLL_BYTES || memchr(collection, 0, collection_len)))
        return hks_fail(&w->err, HKS_ERR_ARG, "a collection name is at most %d bytes, without NUL",
                        HKS_MAX_COLL_BYTES);
    if (strcmp(path, "-") == 0) {
        if (is_sync)
            return hks_fail(&w->err, HKS_ERR_ARG,
                            "sync reads a folder or file, not standard input");
        if (!collection)
            return hks_fail(&w->err, HKS_ERR_ARG, "reading standard input needs a collection name");
        r->src[0] = '-';
        r->src_len = 1;
    } else {
        if (stat(path, &st) != 0)
            return hks_fail(&w->err, HKS_ERR_NOTFOUND, "%s: no such file or folder", path);
        if (!realpath(path, r->src))
            return hks_fail(&w->err, HKS_ERR_IO, "%s: %s", path, strerror(errno));
        r->src_len = strlen(r->src);
        if (r->src_len > HKS_MAX_SOURCE_BYTES)
            return hks_fail(&w->err, HKS_ERR_ARG, "%s: path too long", path);
        if (!collection && hks_corpus_collection(path, S_ISDIR(st.st_mode), r->coll,
                                                 sizeof r->coll, &r->coll_len) != HKS_OK)
            return hks_fail(&w->err, HKS_ERR_ARG, "%s: collection name too long", path);
    }
    if (collection) {
        memcpy(r->coll, collection, collection_len);
        r->coll[collection_len] = '\0';
        r->coll_len = collection_len;
        r->explicit_coll = true;
        return HKS_OK;
    }
    ci = hks_manifest_coll(&w->colls, r->coll, r->coll_len);
    if (ci && ci->source_len && !path_within(r->src, r->src_len, ci->source, ci->source_len) &&
        !path_within(ci->source, ci->source_len, r->src, r->src_len))
        return hks_fail(&w->err, HKS_ERR_REFUSED,
                        "collection %s is read from %s, not from %s: %s that source, or name "
                        "the collection to read this one into it",
                        r->coll, ci->source, r->src, is_sync ? "sync" : "add");
    return HKS_OK;
}

/* Record the source of a collection that was read: a sync makes it the
 * collection's source; an add records it when there is none yet (or when
 * it is the folder that holds the recorded article file). */
static int record_source(hks_writer *w, const srcref *r, bool is_sync)
{
    const hks_collinfo *ci = hks_manifest_coll(&w->colls, r->coll, r->coll_len);
    if (ci && !is_sync && ci->source_len &&
        !(path_within(ci->source, ci->source_len, r->src, r->src_len) &&
          ci->source_len != r->src_len))
        return HKS_OK;
    if (ci && ci->source_len == r->src_len && memcmp(ci->source, r->src, r->src_len) == 0)
        return HKS_OK;
    if (hks_manifest_set_coll(w->a, &w->colls, r->coll, r->coll_len, r->src, r->src_len))
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    w->dirty = true;
    return HKS_OK;
}

/* Pre-pass over a source: count the lines of every article it would add
 * (new or changed ones; all of them when recount, a sync, whose source is
 * the whole collection and whose counts start again), so that which lines
 * are boilerplate is known before the first article is tokenized. */
static int on_count(void *ctx, const hks_doc *doc)
{
    hks_writer *w = ctx;
    const char *c = doc->collection ? doc->collection : "";
    if (!w->precounted) { /* an add: an unchanged article was counted before */
        hks_key k;
        hks_keyent *old;
        if (!doc->id || !doc->id_len || hks_keytab_key(&w->kt, c, doc->collection_len, doc->id, doc->id_len, &k))
            return HKS_OK;
        old = hks_keytab_find(&w->kt, &k);
        hks_keytab_unkey(&w->kt, &k);
        if (old && old->chash == hks_doc_hash(doc))
            return HKS_OK;
    }
    if (hks_boiler_count(w->bp, c, doc->collection_len, doc->body, doc->body_len))
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    return HKS_OK;
}

static int count_source(hks_writer *w, const char *path, const srcref *r, bool recount)
{
    hks_progress prog;
    int rc;
    memset(&prog, 0, sizeof prog);
    if (strcmp(path, "-") == 0 || w->no_boiler) /* "-" is read once: counted as added */
        return HKS_OK;
    if (recount)
        hks_boiler_forget(w->bp, r->coll, r->coll_len);
    w->precounted = recount; /* on_count's flag for "count every article" */
    rc = hks_corpus_read_as(w->a, path, r->coll, r->coll_len, on_count, w, NULL, &prog,
                            &w->err);
    w->precounted = rc == HKS_OK;
    return rc;
}

static int read_source(hks_writer *w, const char *path, const srcref *r, const hks_callbacks *cb,
                       bool recount)
{
    add_ctx x;
    int rc = count_source(w, path, r, recount);
    if (rc)
        return rc;
    x.w = w;
    x.cb = cb;
    w->prog.path = path;
    w->cb = cb;
    pipe_start(w);
    rc = hks_corpus_read_as(w->a, path, r->coll, r->coll_len, on_article, &x, cb, &w->prog,
                            &w->err);
    rc = pipe_stop(w, rc);
    w->cb = NULL;
    w->prog.path = NULL;
    w->precounted = false;
    return rc;
}

int hks_writer_add_source(hks_writer *w, const char *path, const char *collection,
                          size_t collection_len, unsigned flags, const hks_callbacks *cb)
{
    srcref r;
    int rc;
    (void)flags;
    if (!w || !path || (collection_len && !collection))
        return HKS_ERR_ARG;
    hks_err_clear(&w->err);
    rc = resolve_source(w, path, collection, collection_len, false, &r);
    if (rc)
        return rc;
    rc = read_source(w, path, &r, cb, false);
    if (rc == HKS_OK)
        rc = record_source(w, &r, false);
    return rc;
}

int hks_writer_add_path(hks_writer *w, const char *path, const hks_callbacks *cb)
{
    return hks_writer_add_source(w, path, NULL, 0, 0, cb);
}

/* Does the key (collection NUL id) belong to collection c[0..n)? */
static bool key_in(const uint8_t *key, const char *c, size_t n)
{
    return memcmp(key, c, n) == 0 && key[n] == 0;
}

int hks_writer_sync_source(hks_writer *w, const char *path, const char *collection,
                           size_t collection_len, unsigned flags, const hks_callbacks *cb,
                           uint64_t *n_deleted_out, uint64_t *n_before_out)
{
    hks_key *gone = NULL; /* keys the source no longer has */
    uint32_t i, n_gone = 0;
    uint64_t rejected0, n_before = 0;
    srcref r;
    int rc;
    if (n_deleted_out)
        *n_deleted_out = 0;
    if (n_before_out)
        *n_before_out = 0;
    if (!w || !path || (collection_len && !collection))
        return HKS_ERR_ARG;
    hks_err_clear(&w->err);
    rc = resolve_source(w, path, collection, collection_len, true, &r);
    if (rc)
        return rc;
    for (i = 0; i < w->kt.cap; i++)
        if (w->kt.e[i].used && key_in(w->kt.keys.p + w->kt.e[i].koff, r.coll, r.coll_len))
            n_before++;
    if (n_before_out)
        *n_before_out = n_before;
    rejected0 = w->prog.n_rejected;
    w->sync_gen++;
    w->syncing = true;
    w->touched.n = 0;
    /* The source's own collection is read even when the source holds no
     * article any more (an emptied folder): all of it is then gone. */
    if (touch_collection(w, r.coll, r.coll_len) != HKS_OK) {
        w->syncing = false;
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    }
    rc = read_source(w, path, &r, cb, true);
    w->syncing = false;
    if (rc)
        return rc;
    rc = record_source(w, &r, true);
    if (rc)
        return rc;
    /* A malformed record may be an article caught half-written: deleting
     * what the source "no longer has" would then drop it. Delete nothing
     * until the source reads cleanly. */
    if (w->prog.n_rejected != rejected0) {
        if (cb && cb->warn) {
            char msg[600];
            snprintf(msg, sizeof msg,
                     "%s: %llu malformed records; sync deletes nothing until they are fixed",
                     path, (unsigned long long)(w->prog.n_rejected - rejected0));
            cb->warn(cb->ud, msg);
        }
        return HKS_OK;
    }
    /* Keys of the collections read that this pass did not see are gone
     * from the source. Collect them first: removing reorders the table. */
    for (i = 0; i < w->kt.cap; i++)
        if (w->kt.e[i].used && w->kt.e[i].seen != w->sync_gen &&
            was_touched(w, w->kt.keys.p + w->kt.e[i].koff))
            n_gone++;
    if ((uint64_t)n_gone * 2 > n_before && !(flags & HKS_SYNC_ALLOW_MASS_DELETE))
        return hks_fail(&w->err, HKS_ERR_REFUSED,
                        "sync of %s would delete %llu of the %llu documents of collection %s "
                        "(more than half); nothing deleted",
                        path, (unsigned long long)n_gone, (unsigned long long)n_before, r.coll);
    if (n_gone) {
        uint32_t k = 0;
        gone = hks_mem_alloc(w->a, (size_t)n_gone * sizeof *gone);
        if (!gone)
            return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
        for (i = 0; i < w->kt.cap; i++) {
            if (w->kt.e[i].used && w->kt.e[i].seen != w->sync_gen &&
                was_touched(w, w->kt.keys.p + w->kt.e[i].koff)) {
                gone[k].hash = w->kt.e[i].hash;
                gone[k].off = w->kt.e[i].koff;
                gone[k].len = w->kt.e[i].klen;
                k++;
            }
        }
    }
    for (i = 0; i < n_gone; i++) {
        hks_keyent *e = hks_keytab_find(&w->kt, &gone[i]);
        if (!e)
            continue;
        rc = mark_deleted(w, e->slot, e->doc);
        if (rc) {
            rc = hks_fail(&w->err, rc, "out of memory");
            break;
        }
        if (cb && cb->change) {
            const char *key = (const char *)w->kt.keys.p + e->koff;
            size_t cn = strlen(key);
            cb->change(cb->ud, HKS_CHANGE_DELETE, key, cn, key + cn + 1, e->klen - cn - 1);
        }
        hks_keytab_remove(&w->kt, e);
        w->prog.n_deleted++;
        w->dirty = true;
        if (n_deleted_out)
            (*n_deleted_out)++;
    }
    hks_mem_free(w->a, gone, 0);
    return rc;
}

int hks_writer_sync_path(hks_writer *w, const char *path, const hks_callbacks *cb,
                         uint64_t *n_deleted_out)
{
    return hks_writer_sync_source(w, path, NULL, 0, 0, cb, n_deleted_out, NULL);
}

int hks_writer_drop_collection(hks_writer *w, const char *collection, size_t collection_len,
                               uint64_t *n_deleted_out)
{
    uint32_t i, n = 0;
    bool recorded;
    if (n_deleted_out)
        *n_deleted_out = 0;
    if (!w || (collection_len && !collection))
        return HKS_ERR_ARG;
    hks_err_clear(&w->err);
    if (!collection)
        collection = "";
    recorded = hks_manifest_coll(&w->colls, collection, collection_len) != NULL;
    /* Removing entries moves others: go over the table until none is left. */
    for (;;) {
        bool any = false;
        for (i = 0; i < w->kt.cap; i++) {
            hks_keyent *e = &w->kt.e[i];
            if (!e->used || e->klen <= collection_len ||
                !key_in(w->kt.keys.p + e->koff, collection, collection_len))
                continue;
            if (mark_deleted(w, e->slot, e->doc))
                return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
            hks_keytab_remove(&w->kt, e);
            n++;
            any = true;
        }
        if (!any)
            break;
    }
    if (n == 0 && !recorded)
        return hks_fail(&w->err, HKS_ERR_NOTFOUND, "no collection %.*s in the index",
                        (int)(collection_len > 200 ? 200 : collection_len), collection);
    hks_manifest_drop_coll(w->a, &w->colls, collection, collection_len);
    hks_boiler_forget(w->bp, collection, collection_len);
    w->prog.n_deleted += n;
    w->dirty = true;
    if (n_deleted_out)
        *n_deleted_out = n;
    return HKS_OK;
}

/* ---- commit ------------------------------------------------------------------ */

static uint32_t live_docs(const wslot *s)
{
    return s->si.n_docs - s->n_del;
}

/* Which slots to merge now (merge_policy.c); pick has room for every slot. */
static int merge_pick(hks_writer *w, uint32_t *pick, uint32_t *n_pick)
{
    uint32_t i;
    hks_segsize *sz = hks_mem_alloc(w->a, ((size_t)w->n_slots + 1) * sizeof *sz);
    *n_pick = 0;
    if (!sz)
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    for (i = 0; i < w->n_slots; i++) {
        sz[i].live = w->slots[i].dropped ? 0 : live_docs(&w->slots[i]);
        sz[i].deleted = w->slots[i].n_del;
    }
    hks_merge_pick(w->merge_mode, sz, w->n_slots, pick, n_pick);
    hks_mem_free(w->a, sz, 0);
    return HKS_OK;
}

static int do_merge(hks_writer *w)
{
    uint32_t *pick = hks_mem_alloc(w->a, (size_t)(w->n_slots + 1) * 4), n_pick = 0, i, nd;
    uint32_t *newno = NULL, max_docs = 0;
    hks_segment **segs = NULL;
    const uint8_t **dels = NULL;
    hks_seginfo si;
    char path[4096];
    int rc = HKS_OK;
    if (!pick)
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    rc = merge_pick(w, pick, &n_pick);
    if (rc || n_pick == 0)
        goto out;
    /* An array of segment pointers: sizeof of a pointer is meant. */
    segs = hks_mem_alloc(w->a, (size_t)n_pick * sizeof *segs); /* NOLINT(bugprone-sizeof-expression) */
    dels = hks_mem_alloc(w->a, (size_t)n_pick * sizeof *dels);
    if (!segs || !dels) {
        rc = hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n_pick && rc == HKS_OK; i++) {
        wslot *s = &w->slots[pick[i]];
        if (!s->seg)
            rc = hks_seg_open(w->a, w->dir, &s->si, &w->err, &s->seg);
        segs[i] = s->seg;
        dels[i] = s->del;
    }
    if (rc)
        goto out;
    memset(&si, 0, sizeof si);
    if (next_name(w, si.name, sizeof si.name) ||
        hks_path_join(path, sizeof path, w->dir, si.name)) {
        rc = hks_fail(&w->err, HKS_ERR_ARG, "index path too long");
        goto out;
    }
    w->bp_table.n = 0;
    hks_boiler_put(w->bp, &rc, &w->bp_table);
    if (rc) {
        rc = hks_fail(&w->err, rc, "out of memory");
        goto out;
    }
    rc = hks_merge_boiler(w->a, segs, dels, n_pick, path, w->zstd_level, &w->bp_table, &w->err,
                          &nd);
    if (rc)
        goto out;
    si.n_docs = nd;
    /* Everything the bookkeeping below needs is allocated before it
     * changes anything: a failure leaves the writer as it was. */
    for (i = 0; i < n_pick; i++)
        if (w->slots[pick[i]].si.n_docs > max_docs)
            max_docs = w->slots[pick[i]].si.n_docs;
    newno = hks_mem_alloc(w->a, (size_t)max_docs * 4 + 4);
    if (!newno || push_slot(w, &si, true)) {
        unlink(path);
        rc = hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
        goto out;
    }
    /* Keys now point into the merged segment, renumbered in order. */
    {
        uint32_t slot = w->n_slots - 1, k, base = 0;
        for (i = 0; i < n_pick; i++) {
            wslot *s = &w->slots[pick[i]];
            uint32_t d;
            for (d = 0; d < s->si.n_docs; d++)
                newno[d] = (s->del && (s->del[d >> 3] >> (d & 7) & 1)) ? HKS_END : base++;
            for (k = 0; k < w->kt.cap; k++)
                if (w->kt.e[k].used && w->kt.e[k].slot == pick[i]) {
                    w->kt.e[k].slot = slot;
                    w->kt.e[k].doc = newno[w->kt.e[k].doc];
                }
            s->dropped = true;
        }
    }
out:
    hks_mem_free(w->a, newno, 0);
    hks_mem_free(w->a, pick, 0);
    hks_mem_free(w->a, segs, 0);
    hks_mem_free(w->a, dels, 0);
    return rc;
}

int hks_writer_commit(hks_writer *w)
{
    hks_manifest m;
    uint32_t i;
    int rc;
    char **tomb_new = NULL;
    if (!w)
        return HKS_ERR_ARG;
    hks_err_clear(&w->err);
    if (w->failed)
        return hks_fail(&w->err, w->failed,
                        "an earlier failure while indexing lost documents of this batch: "
                        "nothing is committed");
    rc = flush(w);
    if (rc)
        return rc;
    /* Nothing added or deleted: a commit is still due when the merge mode
     * asks for a merge (hkindex merge). */
    if (!w->dirty && w->man.generation > 0) {
        uint32_t *pick = hks_mem_alloc(w->a, ((size_t)w->n_slots + 1) * 4), n_pick = 0;
        if (!pick)
            return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
        rc = merge_pick(w, pick, &n_pick);
        hks_mem_free(w->a, pick, 0);
        if (rc || n_pick == 0)
            return rc;
    }
    rc = do_merge(w);
    if (rc)
        return rc;

    memset(&m, 0, sizeof m);
    m.generation = w->man.generation + 1;
    /* An array of string pointers: sizeof of a pointer is meant. */
    tomb_new = hks_mem_calloc(w->a, w->n_slots + 1, sizeof *tomb_new); /* NOLINT(bugprone-sizeof-expression) */
    if (!tomb_new)
        return hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    for (i = 0; i < w->n_slots && rc == HKS_OK; i++) {
        wslot *s = &w->slots[i];
        hks_seginfo si = s->si;
        if (s->dropped || live_docs(s) == 0)
            continue;
        si.n_deleted = s->n_del;
        if (s->del_dirty && s->n_del) {
            char path[4096];
            char name[48];
            int k = snprintf(name, sizeof name, "%.20s.del-%06llu", s->si.name,
                             (unsigned long long)w->man.next_file++);
            if (k < 0 || (size_t)k >= sizeof name ||
                hks_path_join(path, sizeof path, w->dir, name)) {
                rc = hks_fail(&w->err, HKS_ERR_ARG, "index path too long");
                break;
            }
            rc = hks_tomb_write(w->a, path, s->del, s->si.n_docs, &w->err);
            if (rc)
                break;
            tomb_new[i] = hks_mem_strndup(w->a, path, strlen(path));
            memcpy(si.del_name, name, strlen(name) + 1);
        }
        if (hks_manifest_push(w->a, &m, &si))
            rc = hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    }
    m.next_file = w->man.next_file;
    if (rc == HKS_OK && hks_manifest_copy_colls(w->a, &m, &w->colls))
        rc = hks_fail(&w->err, HKS_ERR_NOMEM, "out of memory");
    if (rc == HKS_OK)
        rc = hks_manifest_write(w->a, w->dir, &m, &w->err);
    if (rc) {
        for (i = 0; i < w->n_slots; i++)
            if (tomb_new[i])
                unlink(tomb_new[i]);
    }
    for (i = 0; i < w->n_slots; i++)
        hks_mem_free(w->a, tomb_new[i], 0);
    hks_mem_free(w->a, tomb_new, 0);
    if (rc) {
        hks_manifest_free(w->a, &m);
        return rc;
    }

    /* Committed: the new manifest is the writer's state. */
    hks_manifest_free(w->a, &w->man);
    w->man = m;
    {
        uint32_t j = 0;
        for (i = 0; i < w->n_slots; i++) {
            wslot *s = &w->slots[i];
            if (s->dropped || live_docs(s) == 0) {
                /* No key points here: merged keys moved to the merged
                 * slot, and an emptied slot's keys were all removed. */
                hks_seg_close(s->seg);
                hks_mem_free(w->a, s->del, 0);
                continue;
            }
            if (j != i) {
                uint32_t k;
                for (k = 0; k < w->kt.cap; k++)
                    if (w->kt.e[k].used && w->kt.e[k].slot == i)
                        w->kt.e[k].slot = j;
            }
            w->slots[j] = *s;
            w->slots[j].is_new = false;
            w->slots[j].del_dirty = false;
            memcpy(w->slots[j].si.del_name, m.seg[j].del_name, sizeof m.seg[j].del_name);
            w->slots[j].si.n_deleted = m.seg[j].n_deleted;
            j++;
        }
        w->n_slots = j;
    }
    w->dirty = false;
    collect_garbage(w);
    return HKS_OK;
}

/* ---- synonyms ----------------------------------------------------------------- */

int hks_writer_set_synonyms(hks_writer *w, const char *name, const char *text, size_t len)
{
    hks_buf sec;
    uint32_t n_groups = 0;
    int rc;
    if (!w || (!text && len))
        return HKS_ERR_ARG;
    hks_err_clear(&w->err);
    if (w->man.generation == 0)
        return hks_fail(&w->err, HKS_ERR_NOTFOUND,
                        "%s holds no committed index yet: build it, then set its synonyms",
                        w->dir);
    hks_buf_init(&sec, w->a);
    rc = hks_syn_parse(w->a, name, text ? text : "", len, &sec, &n_groups, &w->err);
    if (rc == HKS_OK)
        rc = hks_syn_write(w->a, w->dir, n_groups ? &sec : NULL, &w->err);
    hks_buf_free(&sec);
    return rc;
}
