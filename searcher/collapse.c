/*
 * collapse.c: folding copies of one story into one hit. hks_search_page
 * ranks more candidates than it shows (hks_collapse_want), then
 * hks_collapse_page walks them best first: a candidate whose fingerprint
 * (the segment's SIMHASH entry, indexer/simhash.c) is within the
 * searcher's Hamming distance of a hit already kept, and whose date is
 * within HKS_COLLAPSE_DAYS of that hit's (when both are dated), is counted
 * as one of that hit's similar documents instead of shown; otherwise it
 * is kept. The page is filled from the kept hits, so it still holds
 * hits_cap hits when there are enough (the caller ranks more candidates
 * and calls again when there were not).
 *
 * Strict matches ranked below every candidate are counted too, by the
 * same rule, when that costs at most COLLAPSE_MAX_WORK comparisons: the
 * "N similar" of a hit then counts every strictly matching copy, not only
 * those near the top. A document too short to fingerprint (SIMHASH 0)
 * never collapses. The date rule keeps apart the daily reports of one
 * template (a province's case counts on two days, a yearly broadcast
 * notice), which differ in a few numbers only.
 *
 * A fingerprint cannot see a copy that is part of a longer article (a
 * report reprinted with the text it reports on appended, a story cut
 * short): among the first COPY_RANKS kept hits, a candidate the
 * fingerprints kept is also read, and folds into a kept hit when at least
 * COPY_SHARE of the shorter one's shingles (common/cjk.c, hks_shingle_push;
 * boilerplate lines left out) are in the longer one, the shorter holding
 * at least a third of the longer's and COPY_MIN_SHINGLES of its own,
 * dated as above. Only the hits a reader pages through are read, so a
 * copy found this way is counted in "N similar" when it ranks among the
 * candidates that would fill the pages asked for (a fingerprint-close
 * copy is counted wherever it ranks).
 */
#include <stdlib.h>
#include <string.h>

#include "hks_searcher.h"

/* Comparisons allowed for counting the strict matches below the
 * candidates (documents x kept hits). */
#define COLLAPSE_MAX_WORK ((uint64_t)1 << 24)

#define COPY_RANKS 50
#define COPY_SHARE 0.9
#define COPY_MIN_SHINGLES 200

/* A candidate's fingerprint and its day number (0 if undated); its
 * shingles, sorted and distinct, once read (the copy test). */
typedef struct cinfo {
    uint64_t sh;
    int32_t day;
    uint32_t *sg; /* low 32 bits of each shingle's hash */
    size_t n_sg;
    bool read;
} cinfo;

/* Days since 1970-01-01 of a YYYYMMDD date (0 stays 0: undated). */
static int32_t day_of(uint32_t ymd)
{
    int32_t y = (int32_t)(ymd / 10000), m = (int32_t)(ymd / 100 % 100), d = (int32_t)(ymd % 100);
    int32_t era, yoe, doy, doe;
    if (ymd == 0)
        return 0;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468 + 1; /* + 1: day 0 means undated */
}

static int info_of(const hks_index *idx, uint32_t doc_id, cinfo *out)
{
    uint32_t g, local;
    hks_docrec rec;
    out->sh = HKS_SIMHASH_NONE;
    out->day = 0;
    if (!hks_index_locate(idx, doc_id, &g, &local) || hks_seg_docrec(idx->seg[g], local, &rec))
        return HKS_ERR_INTERNAL;
    out->sh = rec.simhash;
    out->day = day_of(rec.date);
    return HKS_OK;
}

static bool near(const cinfo *a, const cinfo *b, int dist)
{
    if (a->sh == HKS_SIMHASH_NONE || b->sh == HKS_SIMHASH_NONE)
        return false;
    if (__builtin_popcountll(a->sh ^ b->sh) > dist)
        return false;
    return a->day == 0 || b->day == 0 ||
           (a->day > b->day ? a->day - b->day : b->day - a->day) <= HKS_COLLAPSE_DAYS;
}

/* Sort v[0..n) (tmp: n entries of scratch): four passes of a byte. */
static void sort_u32(uint32_t *v, uint32_t *tmp, size_t n)
{
    unsigned shift;
    for (shift = 0; shift < 32; shift += 8) {
        size_t count[257] = {0}, i;
        uint32_t *t;
        for (i = 0; i < n; i++)
            count[(v[i] >> shift & 0xFF) + 1]++;
        for (i = 1; i < 257; i++)
            count[i] += count[i - 1];
        for (i = 0; i < n; i++)
            tmp[count[v[i] >> shift & 0xFF]++] = v[i];
        t = v; /* four passes: the result ends in v */
        v = tmp;
        tmp = t;
    }
}

/* Read the shingles of doc_id's body into c, boilerplate lines left out
 * (unless the searcher matches boilerplate). */
static int read_shingles(hks_searcher *s, uint32_t doc_id, cinfo *c)
{
    const uint8_t *body;
    size_t n_body, i, n = 0, n_bp = 0, bp_cap = 0, at = 0;
    uint32_t g, local, *bp = NULL;
    hks_shingler sg;
    uint64_t h;
    int rc;
    c->read = true;
    if (!hks_index_locate(s->idx, doc_id, &g, &local))
        return HKS_OK;
    rc = hks_seg_body(s->idx->seg[g], s->dc, local, &body, &n_body, &s->err);
    if (rc == HKS_ERR_NOMEM)
        return rc;
    if (rc) { /* an unreadable text is compared by fingerprint only (its
                 snippet and hks_doc_body report the damage) */
        hks_err_clear(&s->err);
        return HKS_OK;
    }
    rc = s->boiler ? HKS_OK
                   : hks_seg_boiler_ranges(s->idx->seg[g], local, s->a, &bp, &bp_cap, &n_bp);
    if (rc == HKS_OK)
        rc = hks_norm_text(&s->nt, (const char *)body, n_body);
    if (rc == HKS_OK && s->nt.n) {
        c->sg = hks_mem_alloc(s->a, 2 * s->nt.n * sizeof *c->sg); /* and sort_u32's scratch */
        if (!c->sg)
            rc = HKS_ERR_NOMEM;
    }
    memset(&sg, 0, sizeof sg);
    for (i = 0; rc == HKS_OK && i < s->nt.n; i++) {
        if (hks_in_boiler(bp, n_bp, &at, s->nt.src_start[i]))
            continue;
        if (hks_shingle_push(&sg, s->nt.cp[i], &h))
            c->sg[n++] = (uint32_t)h;
    }
    hks_mem_free(s->a, bp, 0);
    if (rc)
        return hks_fail(&s->err, rc, "collapse: %s", hks_strerror(rc));
    if (n)
        sort_u32(c->sg, c->sg + n, n);
    for (i = 0, c->n_sg = 0; i < n; i++)
        if (c->n_sg == 0 || c->sg[c->n_sg - 1] != c->sg[i])
            c->sg[c->n_sg++] = c->sg[i];
    return HKS_OK;
}

/* Is the shorter of a and b (shingles read) a copy of part of the other? */
static bool copy_of(const cinfo *a, const cinfo *b)
{
    const cinfo *lo = a->n_sg <= b->n_sg ? a : b, *hi = lo == a ? b : a;
    size_t i = 0, j = 0, both = 0;
    if (lo->n_sg < COPY_MIN_SHINGLES || lo->n_sg * 3 < hi->n_sg)
        return false;
    if (a->day && b->day && (a->day > b->day ? a->day - b->day : b->day - a->day) > HKS_COLLAPSE_DAYS)
        return false;
    while (i < lo->n_sg && j < hi->n_sg) {
        if (lo->sg[i] < hi->sg[j]) {
            i++;
        } else if (lo->sg[i] > hi->sg[j]) {
            j++;
        } else {
            both++;
            i++;
            j++;
        }
    }
    return (double)both >= COPY_SHARE * (double)lo->n_sg;
}

size_t hks_collapse_want(const hks_searcher *s, size_t total, unsigned attempt)
{
    size_t want = total;
    unsigned i;
    if (!s->collapse || total == 0)
        return total;
    /* three times the page and some, then four times more per retry */
    if (want > (SIZE_MAX / sizeof(hks_hit) - 16) / 3)
        return total;
    want = want * 3 + 16;
    for (i = 0; i < attempt && want <= SIZE_MAX / sizeof(hks_hit) / 4; i++)
        want *= 4;
    return want;
}

void hks_collapse_clear(hks_searcher *s)
{
    s->n_sim = 0;
    s->n_sim_of = 0;
}

void hks_collapse_free(hks_searcher *s)
{
    hks_mem_free(s->a, s->sim, 0);
    hks_mem_free(s->a, s->sim_of, 0);
    s->sim = NULL;
    s->sim_of = NULL;
    s->n_sim = s->cap_sim = s->n_sim_of = s->cap_sim_of = 0;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static bool in_sorted(const uint32_t *v, size_t n, uint32_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == x;
}

/* Append id to the similar list of output hit slot (the lists are built
 * one hit at a time, in slot order, so each is contiguous). */
static int sim_push(hks_searcher *s, uint32_t id)
{
    if (s->n_sim == s->cap_sim) {
        uint32_t *p = hks_grow(s->a, s->sim, sizeof *p, s->cap_sim, s->n_sim + 1, 64, SIZE_MAX,
                               &s->cap_sim);
        if (!p)
            return HKS_ERR_NOMEM;
        s->sim = p;
    }
    s->sim[s->n_sim++] = id;
    return HKS_OK;
}

int hks_collapse_page(hks_searcher *s, const hks_hit *cand, size_t n_cand, bool complete,
                      const uint32_t *exact, size_t n_exact, size_t offset, hks_hit *hits,
                      size_t hits_cap, size_t *n_out, bool *more_out)
{
    const hks_index *idx = s->idx;
    size_t total = offset + hits_cap, n_kept = 0, i, k, n_cand_exact = 0;
    cinfo *ci = NULL;
    size_t *kept = NULL;     /* candidate index of each kept hit, best first */
    size_t *owner = NULL;    /* per candidate: kept hit it folds into, or SIZE_MAX */
    uint32_t *sorted = NULL; /* candidate doc ids, ascending */
    uint32_t **extra = NULL; /* per shown hit: strict matches below the candidates */
    size_t *n_extra = NULL, *cap_extra = NULL;
    int rc = HKS_OK;

    *n_out = 0;
    *more_out = false;
    hks_collapse_clear(s);
    ci = hks_mem_calloc(s->a, n_cand ? n_cand : 1, sizeof *ci);
    kept = hks_mem_alloc(s->a, (total ? total : 1) * sizeof *kept);
    owner = hks_mem_alloc(s->a, (n_cand ? n_cand : 1) * sizeof *owner);
    sorted = hks_mem_alloc(s->a, (n_cand ? n_cand : 1) * sizeof *sorted);
    extra = hks_mem_calloc(s->a, hits_cap ? hits_cap : 1, sizeof *extra);
    n_extra = hks_mem_calloc(s->a, hits_cap ? hits_cap : 1, sizeof *n_extra);
    cap_extra = hks_mem_calloc(s->a, hits_cap ? hits_cap : 1, sizeof *cap_extra);
    if (!ci || !kept || !owner || !sorted || !extra || !n_extra || !cap_extra) {
        rc = hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n_cand && rc == HKS_OK; i++) {
        rc = info_of(idx, cand[i].doc_id, &ci[i]);
        sorted[i] = cand[i].doc_id;
        n_cand_exact += (cand[i].flags & HKS_HIT_EXACT) != 0;
    }
    if (rc) {
        rc = hks_fail(&s->err, rc, "collapse: document out of range");
        goto done;
    }
    /* Best first: each candidate folds into the first kept hit it is near,
     * or is kept itself while the pages up to this one have room. */
    for (i = 0; i < n_cand; i++) {
        owner[i] = SIZE_MAX;
        for (k = 0; k < n_kept; k++)
            if (near(&ci[i], &ci[kept[k]], s->collapse_dist)) {
                owner[i] = k;
                break;
            }
        if (owner[i] != SIZE_MAX || n_kept >= total)
            continue;
        for (k = 0; k < n_kept && n_kept < COPY_RANKS && rc == HKS_OK; k++) {
            if (!ci[i].read)
                rc = read_shingles(s, cand[i].doc_id, &ci[i]);
            if (rc == HKS_OK && !ci[kept[k]].read)
                rc = read_shingles(s, cand[kept[k]].doc_id, &ci[kept[k]]);
            if (rc == HKS_OK && copy_of(&ci[i], &ci[kept[k]])) {
                owner[i] = k;
                break;
            }
        }
        if (rc)
            goto done;
        if (owner[i] == SIZE_MAX)
            kept[n_kept++] = i;
    }
    *more_out = n_kept < total && !complete;

    /* Strict matches ranked below every candidate, where that is cheap. */
    if (n_exact > n_cand_exact && n_kept > offset &&
        (uint64_t)(n_exact - n_cand_exact) * n_kept <= COLLAPSE_MAX_WORK) {
        if (n_cand)
            qsort(sorted, n_cand, sizeof *sorted, cmp_u32);
        for (i = 0; i < n_exact && rc == HKS_OK; i++) {
            cinfo c = {0};
            uint32_t g, local;
            bool dated = false;
            /* the fingerprint first; the date only for a close one */
            if (!hks_index_locate(idx, exact[i], &g, &local))
                continue;
            c.sh = hks_seg_simhash(idx->seg[g], local);
            c.day = 0;
            if (c.sh == HKS_SIMHASH_NONE || in_sorted(sorted, n_cand, exact[i]))
                continue;
            for (k = 0; k < n_kept; k++) {
                size_t slot;
                if (__builtin_popcountll(c.sh ^ ci[kept[k]].sh) > s->collapse_dist)
                    continue;
                if (!dated && info_of(idx, exact[i], &c))
                    break;
                dated = true;
                if (!near(&c, &ci[kept[k]], s->collapse_dist))
                    continue;
                if (k < offset)
                    break;
                slot = k - offset;
                if (n_extra[slot] == cap_extra[slot]) {
                    uint32_t *p = hks_grow(s->a, extra[slot], sizeof *p, cap_extra[slot],
                                           n_extra[slot] + 1, 16, SIZE_MAX, &cap_extra[slot]);
                    if (!p) {
                        rc = hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
                        break;
                    }
                    extra[slot] = p;
                }
                extra[slot][n_extra[slot]++] = exact[i];
                break;
            }
        }
        if (rc)
            goto done;
    }

    /* The page, and the similar ids of each of its hits. */
    for (k = offset; k < n_kept && rc == HKS_OK; k++) {
        hks_hit h = cand[kept[k]];
        size_t first = s->n_sim, slot = k - offset;
        if (s->n_sim_of == s->cap_sim_of) {
            hks_simref *p = hks_grow(s->a, s->sim_of, sizeof *p, s->cap_sim_of,
                                     s->n_sim_of + 1, 16, SIZE_MAX, &s->cap_sim_of);
            if (!p) {
                rc = hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
                break;
            }
            s->sim_of = p;
        }
        for (i = kept[k] + 1; i < n_cand && rc == HKS_OK; i++)
            if (owner[i] == k && sim_push(s, cand[i].doc_id))
                rc = hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
        for (i = 0; i < n_extra[slot] && rc == HKS_OK; i++)
            if (sim_push(s, extra[slot][i]))
                rc = hks_fail(&s->err, HKS_ERR_NOMEM, "out of memory");
        h.n_similar = (uint32_t)(s->n_sim - first);
        s->sim_of[s->n_sim_of].doc = h.doc_id;
        s->sim_of[s->n_sim_of].first = first;
        s->sim_of[s->n_sim_of].n = s->n_sim - first;
        s->n_sim_of++;
        hits[(*n_out)++] = h;
    }
done:
    if (rc)
        hks_collapse_clear(s);
    for (i = 0; extra && i < hits_cap; i++)
        hks_mem_free(s->a, extra[i], 0);
    hks_mem_free(s->a, extra, 0);
    hks_mem_free(s->a, n_extra, 0);
    hks_mem_free(s->a, cap_extra, 0);
    for (i = 0; ci && i < n_cand; i++)
        hks_mem_free(s->a, ci[i].sg, 0);
    hks_mem_free(s->a, ci, 0);
    hks_mem_free(s->a, kept, 0);
    hks_mem_free(s->a, owner, 0);
    hks_mem_free(s->a, sorted, 0);
    return rc;
}

int hks_hit_similar(hks_searcher *s, uint32_t doc_id, uint32_t *ids, size_t ids_cap,
                    size_t *n_out)
{
    size_t i;
    if (n_out)
        *n_out = 0;
    if (!s || !n_out || (!ids && ids_cap))
        return HKS_ERR_ARG;
    for (i = 0; i < s->n_sim_of; i++) {
        const hks_simref *r = &s->sim_of[i];
        if (r->doc != doc_id)
            continue;
        *n_out = r->n;
        if (ids_cap < r->n)
            return hks_fail(&s->err, HKS_ERR_BUFSIZE, "%zu similar documents, room for %zu",
                            r->n, ids_cap);
        if (r->n)
            memcpy(ids, s->sim + r->first, r->n * sizeof *ids);
        return HKS_OK;
    }
    return hks_fail(&s->err, HKS_ERR_NOTFOUND, "document %u is not a hit of the last search",
                    doc_id);
}
