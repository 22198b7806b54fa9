/*
 * memidx.c: the in-memory inverted index of a writer. Each document is
 * normalized and tokenized (title, then body, one position space), its
 * tokens grouped by term, and each term's postings appended to a byte
 * buffer as varints:
 *     varint doc gap (doc - previous doc - 1; the first doc as itself)
 *     varint tf      tf varints: first position, then (gap - 1)
 * (no positions for the character field's keys, HKS_CHAR_KEY: every CJK
 * token also counts its first character there).
 * hks_memidx_flush() sorts the terms, decodes each buffer and hands it to
 * seg_write.c. Bodies go to the document store as they arrive.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "hks_indexer.h"

typedef struct memterm {
    uint32_t toff; /* term bytes in the arena                       */
    uint32_t tlen;
    uint32_t df;       /* documents so far                              */
    uint32_t last_doc; /* last document appended                        */
    uint32_t n, cap;   /* bytes used/allocated in buf                   */
    uint8_t *buf;      /* encoded postings                              */
} memterm;

/* A hash slot. Terms of up to 8 bytes (every CJK bigram and unigram, most
 * words) are their own key: the bytes zero-padded into a u64 are unique,
 * because a term never contains a zero byte. Longer terms are keyed by
 * their XXH3 hash and compared byte by byte. One slot is one cache line
 * quarter, so a lookup of a short term costs one probe and no hashing. */
typedef struct tslot {
    uint64_t key;     /* packed term, or hash of a long term            */
    uint32_t id;      /* term index + 1; 0 = empty                      */
    uint32_t is_long; /* key is a hash                                  */
} tslot;

/* Entries of the direct-mapped cache in front of the term table. News
 * text is Zipfian: a few thousand bigrams (疫情, 防控, 医院 ...) make up
 * most tokens, and 4096 entries of 16 bytes stay in L2 cache, while the
 * term table (millions of slots) misses on nearly every probe. */
#define TERM_CACHE 4096

struct hks_memidx {
    tslot cache[TERM_CACHE]; /* recent short terms: key -> id            */
    const hks_alloc *a;
    int zstd_level;
    hks_buf arena; /* term bytes                                 */
    memterm *terms;
    uint32_t n_terms, cap_terms;
    tslot *slots;      /* open addressing over term keys             */
    uint32_t n_slots;  /* power of two                               */
    size_t post_bytes; /* sum of term buffer capacities              */
    uint64_t *keys;    /* one document's tokens: term << 32 | pos    */
    size_t n_keys, cap_keys;
    uint32_t n_char_keys; /* of which character-field keys          */
    hks_docrec *docs;
    uint32_t n_docs, cap_docs;
    hks_buf meta; /* per doc: 6 lenbytes                        */
    uint64_t body_bytes;
    hks_ds_writer *ds;
    hks_ntext nt;       /* scratch normalizer output                  */
    bool broken;        /* a failed append left partial postings      */
    hks_boiler *bp;     /* boilerplate counts (borrowed), or NULL     */
    hks_buf bp_table;   /* their table, serialized at flush           */
    hks_buf bp_entries; /* per doc: its boilerplate ranges (format.c) */
    uint32_t *bp_r;     /* the current document's ranges: pairs       */
    size_t bp_n, bp_cap;
    size_t bp_at;       /* range the next body token is checked from  */
    uint32_t n_bp_keys; /* tokens of the document in boilerplate      */
};

static void free_terms(hks_memidx *mi)
{
    uint32_t i;
    for (i = 0; i < mi->n_terms; i++)
        hks_mem_free(mi->a, mi->terms[i].buf, mi->terms[i].cap);
    hks_mem_free(mi->a, mi->terms, 0);
    hks_mem_free(mi->a, mi->slots, 0);
    mi->terms = NULL;
    mi->slots = NULL;
    mi->n_terms = mi->cap_terms = mi->n_slots = 0;
    mi->post_bytes = 0;
    hks_buf_free(&mi->arena);
}

static int reset(hks_memidx *mi)
{
    free_terms(mi);
    memset(mi->cache, 0, sizeof mi->cache);
    hks_mem_free(mi->a, mi->docs, 0);
    mi->docs = NULL;
    mi->n_docs = mi->cap_docs = 0;
    hks_buf_free(&mi->meta);
    hks_buf_free(&mi->bp_entries);
    mi->body_bytes = 0;
    hks_ds_writer_free(mi->ds);
    mi->ds = NULL;
    return hks_ds_writer_new(mi->a, mi->zstd_level, &mi->ds);
}

int hks_memidx_new(const hks_alloc *a, int zstd_level, hks_memidx **out)
{
    hks_memidx *mi = hks_mem_calloc(a, 1, sizeof *mi);
    int rc;
    *out = NULL;
    if (!mi)
        return HKS_ERR_NOMEM;
    mi->a = a;
    mi->zstd_level = zstd_level;
    hks_buf_init(&mi->arena, a);
    hks_buf_init(&mi->meta, a);
    hks_buf_init(&mi->bp_table, a);
    hks_buf_init(&mi->bp_entries, a);
    hks_ntext_init(&mi->nt, a);
    rc = reset(mi);
    if (rc) {
        hks_memidx_free(mi);
        return rc;
    }
    *out = mi;
    return HKS_OK;
}

void hks_memidx_free(hks_memidx *mi)
{
    if (!mi)
        return;
    free_terms(mi);
    hks_mem_free(mi->a, mi->docs, 0);
    hks_mem_free(mi->a, mi->keys, 0);
    hks_buf_free(&mi->meta);
    hks_ds_writer_free(mi->ds);
    hks_ntext_free(&mi->nt);
    hks_buf_free(&mi->bp_table);
    hks_buf_free(&mi->bp_entries);
    hks_mem_free(mi->a, mi->bp_r, 0);
    hks_mem_free(mi->a, mi, sizeof *mi);
}

uint32_t hks_memidx_ndocs(const hks_memidx *mi)
{
    return mi->n_docs;
}

/* The term table's first allocations (grow_slots, term_id): a fixed cost
 * of about 1.5 MB that every batch pays once, whatever its size. */
#define SLOTS_FLOOR ((size_t)1 << 16)
#define TERMS_FLOOR ((size_t)1 << 15)

size_t hks_memidx_bytes(const hks_memidx *mi)
{
    /* What grows with the documents. The term table's fixed first
     * allocations are left out: counted, they alone filled a 1 MB budget
     * and every document became a segment of its own. The compressed store
     * is not visible from here; zstd at level 3 keeps news text to about a
     * third, which is what is counted. */
    size_t slots = mi->n_slots > SLOTS_FLOOR ? mi->n_slots - SLOTS_FLOOR : 0;
    size_t terms = mi->cap_terms > TERMS_FLOOR ? mi->cap_terms - TERMS_FLOOR : 0;
    return mi->arena.cap + terms * sizeof(memterm) + slots * sizeof(tslot) + mi->post_bytes +
           mi->meta.cap + (size_t)mi->cap_docs * sizeof(hks_docrec) +
           (size_t)(mi->body_bytes / 3);
}

static uint32_t slot_of(uint64_t key, uint32_t n_slots)
{
    /* Fibonacci hashing: the multiply spreads the packed UTF-8 bytes. */
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (n_slots - 1);
}

static int grow_slots(hks_memidx *mi)
{
    size_t ns;
    uint32_t i;
    tslot *s;
    /* A power of two (slots are masked), at most 2^31. */
    if (hks_grow_cap(mi->n_slots, (size_t)mi->n_slots + 1, sizeof *s, 1u << 16, 1u << 31, &ns))
        return HKS_ERR_NOMEM;
    s = hks_mem_calloc(mi->a, ns, sizeof *s);
    if (!s)
        return HKS_ERR_NOMEM;
    for (i = 0; i < mi->n_slots; i++) {
        uint32_t h;
        if (!mi->slots[i].id)
            continue;
        h = slot_of(mi->slots[i].key, (uint32_t)ns);
        while (s[h].id)
            h = (h + 1) & (uint32_t)(ns - 1);
        s[h] = mi->slots[i];
    }
    hks_mem_free(mi->a, mi->slots, 0);
    mi->slots = s;
    mi->n_slots = (uint32_t)ns;
    return HKS_OK;
}

static void remember(hks_memidx *mi, uint64_t key, uint32_t id)
{
    uint32_t c = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 52) & (TERM_CACHE - 1);
    mi->cache[c].key = key;
    mi->cache[c].id = id;
}

/* A term's key: its bytes zero-padded (host order is fine for equality),
 * or the hash of a term longer than 8 bytes. */
static uint64_t term_key(const char *t, size_t n)
{
    uint64_t key = 0;
    if (n > 8)
        return hks_hash64(t, n);
    memcpy(&key, t, n);
    return key;
}

/* The index of the term t[0..n) whose term_key is key, inserting it when
 * new; -1 on allocation failure. */
static int64_t term_id_key(hks_memidx *mi, const char *t, size_t n, uint64_t key)
{
    uint32_t slot, is_long = n > 8;
    memterm *mt;
    int rc = 0;
    if (mi->n_terms * 2 >= mi->n_slots && grow_slots(mi))
        return -1;
    if (!is_long) {
        slot = (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 52) & (TERM_CACHE - 1);
        if (mi->cache[slot].key == key && mi->cache[slot].id)
            return mi->cache[slot].id - 1;
    }
    slot = slot_of(key, mi->n_slots);
    for (;; slot = (slot + 1) & (mi->n_slots - 1)) {
        const tslot *sl = &mi->slots[slot];
        if (!sl->id)
            break;
        if (sl->key != key || sl->is_long != is_long)
            continue;
        if (!is_long) {
            remember(mi, key, sl->id);
            return sl->id - 1;
        }
        mt = &mi->terms[sl->id - 1];
        if (mt->tlen == n && memcmp(mi->arena.p + mt->toff, t, n) == 0)
            return sl->id - 1;
    }
    if (mi->n_terms == mi->cap_terms) {
        size_t nc;
        memterm *p = hks_grow(mi->a, mi->terms, sizeof *p, mi->cap_terms,
                              (size_t)mi->n_terms + 1, 1u << 15, UINT32_MAX - 1, &nc);
        if (!p)
            return -1;
        mi->terms = p;
        mi->cap_terms = (uint32_t)nc;
    }
    if (mi->arena.n > UINT32_MAX - HKS_MAX_TERM_BYTES)
        return -1;
    mt = &mi->terms[mi->n_terms];
    memset(mt, 0, sizeof *mt);
    mt->toff = (uint32_t)mi->arena.n;
    mt->tlen = (uint32_t)n;
    hks_buf_put(&rc, &mi->arena, t, n);
    if (rc)
        return -1;
    mi->slots[slot].key = key;
    mi->slots[slot].is_long = is_long;
    mi->slots[slot].id = ++mi->n_terms;
    if (!is_long)
        remember(mi, key, mi->n_terms);
    return mi->n_terms - 1;
}

static int64_t term_id(hks_memidx *mi, const char *t, size_t n)
{
    return term_id_key(mi, t, n, term_key(t, n));
}

static int push_key(hks_memidx *mi, const char *term, size_t len, uint32_t pos)
{
    int64_t id = term_id(mi, term, len);
    if (id < 0)
        return HKS_ERR_NOMEM;
    if (mi->n_keys == mi->cap_keys) {
        uint64_t *p = hks_grow(mi->a, mi->keys, sizeof *p, mi->cap_keys, mi->n_keys + 1, 4096,
                               SIZE_MAX, &mi->cap_keys);
        if (!p)
            return HKS_ERR_NOMEM;
        mi->keys = p;
    }
    mi->keys[mi->n_keys++] = (uint64_t)id << 32 | pos;
    return HKS_OK;
}

static int on_token(void *ctx, const hks_token *tok)
{
    hks_memidx *mi = ctx;
    HKS_TRY(push_key(mi, tok->term, tok->term_len, tok->pos));
    if (tok->flags & HKS_TOK_CJK) {
        /* Each CJK character starts exactly one token (its bigram, or the
         * unigram ending its run): count it in the character field. */
        size_t n = hks_utf8_len((uint8_t)tok->term[0]);
        char key[5];
        if (n > tok->term_len)
            return HKS_OK; /* cannot happen for a tokenizer's CJK token */
        key[0] = HKS_CHAR_KEY;
        memcpy(key + 1, tok->term, n);
        HKS_TRY(push_key(mi, key, n + 1, tok->pos));
        mi->n_char_keys++;
    }
    return HKS_OK;
}

/* ---- boilerplate lines (boiler.c decides which) ---------------------------- */

void hks_memidx_set_boiler(hks_memidx *mi, hks_boiler *b)
{
    mi->bp = b;
}

/* A body token: inside a boilerplate line it is indexed as
 * HKS_BOILER_BYTE + term (cut at a code point to stay within
 * HKS_MAX_TERM_BYTES) at its own position, and counted apart. */
static int on_body_token(void *ctx, const hks_token *tok)
{
    hks_memidx *mi = ctx;
    uint8_t t[HKS_MAX_TERM_BYTES];
    size_t n;
    while (mi->bp_at < mi->bp_n && mi->bp_r[2 * mi->bp_at + 1] <= tok->src_start)
        mi->bp_at++;
    if (mi->bp_at == mi->bp_n || tok->src_start < mi->bp_r[2 * mi->bp_at])
        return on_token(mi, tok);
    n = hks_boiler_key((const uint8_t *)tok->term, tok->term_len, t);
    mi->n_bp_keys++;
    /* not counted in the character field either */
    return push_key(mi, (const char *)t, n, tok->pos);
}

/* Find the document's boilerplate ranges (none without counts). */
static int mark_boiler(hks_memidx *mi, const hks_doc *doc)
{
    mi->bp_n = mi->bp_at = 0;
    mi->n_bp_keys = 0;
    if (!mi->bp)
        return HKS_OK;
    return hks_boiler_mark(mi->bp, doc->collection, doc->collection_len, doc->title,
                           doc->title_len, doc->body, doc->body_len, &mi->bp_r, &mi->bp_cap,
                           &mi->bp_n);
}

/* Append the document's entry: varint n_ranges, pairs (gap, length). */
static void put_boiler_entry(hks_memidx *mi, const uint32_t *r, size_t n, int *rc)
{
    size_t i;
    uint32_t end = 0;
    hks_buf_put_varint(rc, &mi->bp_entries, n);
    for (i = 0; i < n; i++) {
        hks_buf_put_varint(rc, &mi->bp_entries, r[2 * i] - end);
        hks_buf_put_varint(rc, &mi->bp_entries, r[2 * i + 1] - r[2 * i]);
        end = r[2 * i + 1];
    }
}

/* LSD radix sort of one document's keys by term id (positions are already
 * increasing, and a stable sort keeps them so). */
static int sort_keys(hks_memidx *mi)
{
    size_t n = mi->n_keys, i;
    uint64_t *tmp;
    unsigned shift;
    if (n < 64) {
        for (i = 1; i < n; i++) { /* insertion sort, stable */
            uint64_t k = mi->keys[i];
            size_t j = i;
            while (j && (mi->keys[j - 1] >> 32) > (k >> 32)) {
                mi->keys[j] = mi->keys[j - 1];
                j--;
            }
            mi->keys[j] = k;
        }
        return HKS_OK;
    }
    tmp = hks_mem_alloc(mi->a, n * 8);
    if (!tmp)
        return HKS_ERR_NOMEM;
    for (shift = 32; shift < 64; shift += 11) {
        size_t cnt[2048] = {0}, sum = 0;
        for (i = 0; i < n; i++)
            cnt[(mi->keys[i] >> shift) & 2047]++;
        if (cnt[(mi->keys[0] >> shift) & 2047] == n)
            continue; /* all equal in this digit */
        for (i = 0; i < 2048; i++) {
            size_t c = cnt[i];
            cnt[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            tmp[cnt[(mi->keys[i] >> shift) & 2047]++] = mi->keys[i];
        memcpy(mi->keys, tmp, n * 8);
    }
    hks_mem_free(mi->a, tmp, n * 8);
    return HKS_OK;
}

static bool put_varint(hks_memidx *mi, memterm *mt, uint32_t v)
{
    if (mt->cap - mt->n < 5) {
        size_t nc;
        uint8_t *p = hks_grow(mi->a, mt->buf, 1, mt->cap, (size_t)mt->n + 5, 16, UINT32_MAX, &nc);
        if (!p)
            return false;
        mi->post_bytes += nc - mt->cap;
        mt->buf = p;
        mt->cap = (uint32_t)nc;
    }
    while (v >= 0x80) {
        mt->buf[mt->n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    mt->buf[mt->n++] = (uint8_t)v;
    return true;
}

uint64_t hks_doc_hash(const hks_doc *doc)
{
    const char *f[8] = {doc->title, doc->body, doc->date, doc->source,
                        doc->url, doc->author, doc->category, doc->tags};
    size_t n[8] = {doc->title_len, doc->body_len, doc->date_len, doc->source_len,
                   doc->url_len, doc->author_len, doc->category_len, doc->tags_len};
    XXH3_state_t st;
    int i;
    XXH3_INITSTATE(&st);
    XXH3_64bits_reset(&st);
    for (i = 0; i < 8; i++) {
        uint64_t len = f[i] ? n[i] : 0;
        XXH3_64bits_update(&st, &len, sizeof len); /* lengths keep fields apart */
        if (len)
            XXH3_64bits_update(&st, f[i], (size_t)len);
    }
    return (uint64_t)XXH3_64bits_digest(&st);
}

/* The postings of an analysed document, its term numbers in mi->keys:
 * each term's buffer is prefetched a few terms ahead (the term table and
 * the buffers are far larger than the caches). */
static bool append_grouped(hks_memidx *mi, const hks_dockeys *k, uint32_t d)
{
    size_t i;
    for (i = 0; i < k->n_t; i++) {
        const hks_dkterm *dt = &k->t[i];
        memterm *mt = &mi->terms[mi->keys[i]];
        uint32_t j, prev_pos = 0;
        if (i + 16 < k->n_t)
            __builtin_prefetch(&mi->terms[mi->keys[i + 16]]);
        if (i + 8 < k->n_t) {
            const memterm *ahead = &mi->terms[mi->keys[i + 8]];
            __builtin_prefetch(ahead->buf + ahead->n);
        }
        if (!put_varint(mi, mt, mt->df ? d - mt->last_doc - 1 : d) || !put_varint(mi, mt, dt->tf))
            return false;
        if (k->terms.p[dt->off] != HKS_CHAR_KEY) /* the character field keeps no positions */
            for (j = 0; j < dt->tf; j++) {
                uint32_t p = k->pos[dt->first + j];
                if (!put_varint(mi, mt, j ? p - prev_pos - 1 : p))
                    return false;
                prev_pos = p;
            }
        mt->df++;
        mt->last_doc = d;
    }
    return true;
}

/* Append the document whose keys are in mi->keys (n_char_keys and
 * n_bp_keys counted; sort: in token order, else already grouped by term
 * with positions increasing) with its boilerplate ranges[0..2 n_ranges). */
static int append_doc(hks_memidx *mi, const hks_doc *doc, uint64_t chash, uint32_t title_end,
                      uint64_t simhash, const uint32_t *ranges, size_t n_ranges,
                      const hks_dockeys *k, hks_errbuf *err)
{
    uint32_t d = mi->n_docs;
    hks_docrec rec;
    size_t i, meta_n0 = mi->meta.n, n_keys = k ? k->n_pos : mi->n_keys;
    int rc;
    const char *f[HKS_META_N];
    size_t fl[HKS_META_N];

    rc = k ? HKS_OK : sort_keys(mi);
    if (rc)
        return hks_fail(err, rc, "document %.*s: %s",
                        (int)(doc->id_len > 64 ? 64 : doc->id_len), doc->id, hks_strerror(rc));
    rec.simhash = simhash;

    /* Append postings, one run of equal term ids at a time. */
    if (mi->broken)
        return hks_fail(err, HKS_ERR_NOMEM,
                        "an earlier allocation failure left the batch unusable");
    if (k && !append_grouped(mi, k, d))
        goto nomem;
    for (i = 0; !k && i < mi->n_keys;) {
        uint32_t id = (uint32_t)(mi->keys[i] >> 32), prev_pos = 0;
        size_t j = i;
        bool first = true;
        memterm *mt = &mi->terms[id];
        while (j < mi->n_keys && (uint32_t)(mi->keys[j] >> 32) == id)
            j++;
        if (!put_varint(mi, mt, mt->df ? d - mt->last_doc - 1 : d) ||
            !put_varint(mi, mt, (uint32_t)(j - i)))
            goto nomem;
        if (mi->arena.p[mt->toff] == HKS_CHAR_KEY)
            i = j; /* the character field keeps no positions */
        for (; i < j; i++) {
            uint32_t p = (uint32_t)mi->keys[i];
            if (!put_varint(mi, mt, first ? p : p - prev_pos - 1))
                goto nomem;
            prev_pos = p;
            first = false;
        }
        mt->df++;
        mt->last_doc = d;
    }

    f[HKS_META_COLLECTION] = doc->collection;
    fl[HKS_META_COLLECTION] = doc->collection_len;
    f[HKS_META_ID] = doc->id;
    fl[HKS_META_ID] = doc->id_len;
    f[HKS_META_TITLE] = doc->title;
    fl[HKS_META_TITLE] = doc->title_len;
    f[HKS_META_DATE] = doc->date;
    fl[HKS_META_DATE] = doc->date_len;
    f[HKS_META_SOURCE] = doc->source;
    fl[HKS_META_SOURCE] = doc->source_len;
    f[HKS_META_URL] = doc->url;
    fl[HKS_META_URL] = doc->url_len;
    f[HKS_META_AUTHOR] = doc->author;
    fl[HKS_META_AUTHOR] = doc->author_len;
    f[HKS_META_CATEGORY] = doc->category;
    fl[HKS_META_CATEGORY] = doc->category_len;
    f[HKS_META_TAGS] = doc->tags;
    fl[HKS_META_TAGS] = doc->tags_len;
    for (i = 0; i < HKS_META_N; i++)
        hks_buf_put_lenbytes(&rc, &mi->meta, f[i] ? f[i] : "", f[i] ? fl[i] : 0);
    if (mi->bp)
        put_boiler_entry(mi, ranges, n_ranges, &rc);
    if (rc)
        goto nomem;
    if (mi->n_docs == mi->cap_docs) {
        size_t nc;
        hks_docrec *p = hks_grow(mi->a, mi->docs, sizeof *p, mi->cap_docs,
                                 (size_t)mi->n_docs + 1, 1024, UINT32_MAX, &nc);
        if (!p)
            goto nomem;
        mi->docs = p;
        mi->cap_docs = (uint32_t)nc;
    }
    rc = hks_ds_writer_add(mi->ds, doc->body ? doc->body : "", doc->body_len);
    if (rc)
        goto nomem;
    rec.n_tokens = (uint32_t)n_keys - mi->n_char_keys -
                   mi->n_bp_keys; /* boilerplate is not scored */
    rec.n_chars = mi->n_char_keys;
    rec.title_end = title_end;
    rec.date = hks_date_parse(doc->date ? doc->date : "", doc->date_len);
    rec.meta_off = (uint32_t)meta_n0;
    rec.chash = chash;
    mi->docs[mi->n_docs++] = rec;
    mi->body_bytes += doc->body_len + doc->title_len;
    return HKS_OK;
nomem:
    /* Postings already appended for this document refer to doc number d,
     * which is never completed: the batch can no longer be flushed
     * consistently. The last commit is untouched; the writer must be
     * closed. */
    mi->broken = true;
    return hks_fail(err, HKS_ERR_NOMEM, "out of memory");
}

/* What the index refuses before any postings exist: the batch stays
 * usable and the message says why. */
static int refuse_doc(const hks_doc *doc, hks_errbuf *err)
{
    if (doc->body_len > HKS_DS_MAX_DOC_BYTES || doc->title_len > HKS_MAX_TEXT_BYTES)
        return hks_fail(err, HKS_ERR_ARG, "document %.*s: body of %zu bytes, at most %zu",
                        (int)(doc->id_len > 64 ? 64 : doc->id_len), doc->id, doc->body_len,
                        HKS_DS_MAX_DOC_BYTES);
    return HKS_OK;
}

/*
 * Tokenize doc and append it. On failure (only allocation) the index is
 * unchanged except for term-table growth, which is harmless.
 */
int hks_memidx_add(hks_memidx *mi, const hks_doc *doc, uint64_t chash, hks_errbuf *err)
{
    uint32_t next = 0, title_end;
    uint64_t simhash;
    int rc;

    if (mi->n_docs == UINT32_MAX - 1)
        return hks_fail(err, HKS_ERR_ARG, "too many documents in one segment");
    HKS_TRY(refuse_doc(doc, err));
    mi->n_keys = 0;
    mi->n_char_keys = 0;
    rc = hks_norm_text(&mi->nt, doc->title ? doc->title : "", doc->title_len);
    if (rc == HKS_OK)
        rc = hks_tokenize(&mi->nt, 0, on_token, mi, &next);
    /* One position more than a separator's gap: a query collapses any run
     * of separators into one gap, so no phrase spans title and body. */
    title_end = next + 1;
    if (rc == HKS_OK)
        rc = mark_boiler(mi, doc);
    if (rc == HKS_OK)
        rc = hks_norm_text(&mi->nt, doc->body ? doc->body : "", doc->body_len);
    simhash = rc == HKS_OK ? hks_simhash(&mi->nt) : HKS_SIMHASH_NONE; /* simhash.c */
    if (rc == HKS_OK)
        rc = hks_tokenize(&mi->nt, title_end, on_body_token, mi, &next);
    if (rc)
        return hks_fail(err, rc, "document %.*s: %s",
                        (int)(doc->id_len > 64 ? 64 : doc->id_len), doc->id, hks_strerror(rc));
    return append_doc(mi, doc, chash, title_end, simhash, mi->bp_r, mi->bp_n, NULL, err);
}

/* ---- analysis apart from the index (a pipelined writer) -------------------- */

/* The analysing thread's scratch: the normalizer's output, and one
 * document's terms by their bytes (a small table, stamped per document
 * instead of cleared), so that its tokens leave grouped by term. */
typedef struct aslot {
    uint64_t key;   /* packed term of up to 8 bytes, or its hash       */
    uint32_t id;    /* the document's term number                      */
    uint32_t stamp; /* document it belongs to; other: empty            */
} aslot;

struct hks_analysis {
    const hks_alloc *a;
    hks_ntext nt;
    aslot *slots;
    uint32_t n_slots, stamp; /* power of two                         */
    uint32_t *tid, *tpos;    /* per token: term number, position     */
    size_t n_tok, cap_tok;
    hks_dockeys *k; /* being made                           */
    int rc;         /* first failure of a callback          */
};

int hks_analysis_new(const hks_alloc *a, hks_analysis **out)
{
    hks_analysis *an = hks_mem_calloc(a, 1, sizeof *an);
    *out = an;
    if (!an)
        return HKS_ERR_NOMEM;
    an->a = a;
    hks_ntext_init(&an->nt, a);
    return HKS_OK;
}

void hks_analysis_free(hks_analysis *an)
{
    if (!an)
        return;
    hks_ntext_free(&an->nt);
    hks_mem_free(an->a, an->slots, 0);
    hks_mem_free(an->a, an->tid, 0);
    hks_mem_free(an->a, an->tpos, 0);
    hks_mem_free(an->a, an, sizeof *an);
}

void hks_dockeys_init(hks_dockeys *k, const hks_alloc *a)
{
    memset(k, 0, sizeof *k);
    k->a = a;
    hks_buf_init(&k->terms, a);
}

void hks_dockeys_free(hks_dockeys *k)
{
    hks_buf_free(&k->terms);
    hks_mem_free(k->a, k->t, 0);
    hks_mem_free(k->a, k->pos, 0);
    hks_mem_free(k->a, k->bp_r, 0);
    k->t = NULL;
    k->pos = NULL;
    k->bp_r = NULL;
    k->n_t = k->cap_t = k->n_pos = k->cap_pos = k->bp_n = k->bp_cap = 0;
}

size_t hks_dockeys_bytes(const hks_dockeys *k)
{
    return k->terms.cap + k->cap_t * sizeof *k->t + k->cap_pos * sizeof *k->pos +
           k->bp_cap * 2 * sizeof *k->bp_r;
}

static int agrow(hks_analysis *an)
{
    size_t ns;
    uint32_t i;
    aslot *s;
    hks_dockeys *k = an->k;
    if (hks_grow_cap(an->n_slots, (size_t)an->n_slots + 1, sizeof *s, 1u << 12, 1u << 31, &ns))
        return HKS_ERR_NOMEM;
    s = hks_mem_calloc(an->a, ns, sizeof *s);
    if (!s)
        return HKS_ERR_NOMEM;
    hks_mem_free(an->a, an->slots, 0);
    an->slots = s;
    an->n_slots = (uint32_t)ns;
    an->stamp = 1;
    for (i = 0; i < k->n_t; i++) { /* the document's terms so far */
        uint64_t key = k->t[i].key;
        uint32_t h = slot_of(key, an->n_slots);
        while (s[h].stamp == an->stamp)
            h = (h + 1) & (an->n_slots - 1);
        s[h].key = key;
        s[h].id = i;
        s[h].stamp = an->stamp;
    }
    return HKS_OK;
}

/* The document's number of term t[0..n), adding it when new. */
static int64_t aterm(hks_analysis *an, const char *t, size_t n)
{
    hks_dockeys *k = an->k;
    uint64_t key;
    uint32_t h;
    int rc = 0;
    if (k->n_t * 2 >= an->n_slots && agrow(an))
        return -1;
    key = term_key(t, n);
    for (h = slot_of(key, an->n_slots);; h = (h + 1) & (an->n_slots - 1)) {
        const aslot *sl = &an->slots[h];
        const hks_dkterm *dt;
        if (sl->stamp != an->stamp)
            break;
        dt = &k->t[sl->id];
        if (sl->key == key && dt->len == n && memcmp(k->terms.p + dt->off, t, n) == 0)
            return sl->id;
    }
    if (k->n_t == k->cap_t) {
        hks_dkterm *p =
            hks_grow(an->a, k->t, sizeof *p, k->cap_t, k->n_t + 1, 256, UINT32_MAX, &k->cap_t);
        if (!p)
            return -1;
        k->t = p;
    }
    if (k->terms.n > UINT32_MAX - n)
        return -1;
    k->t[k->n_t].off = (uint32_t)k->terms.n;
    k->t[k->n_t].len = (uint32_t)n;
    k->t[k->n_t].tf = 0;
    k->t[k->n_t].key = key;
    hks_buf_put(&rc, &k->terms, t, n);
    if (rc)
        return -1;
    an->slots[h].key = key;
    an->slots[h].id = (uint32_t)k->n_t;
    an->slots[h].stamp = an->stamp;
    return (int64_t)k->n_t++;
}

static int apush(hks_analysis *an, const char *term, size_t len, uint32_t pos)
{
    int64_t id = aterm(an, term, len);
    if (id < 0)
        return HKS_ERR_NOMEM;
    if (an->n_tok == an->cap_tok) {
        size_t cap = an->cap_tok, cap2 = an->cap_tok;
        uint32_t *p = hks_grow(an->a, an->tid, 4, cap, an->n_tok + 1, 4096, SIZE_MAX, &cap);
        if (!p)
            return HKS_ERR_NOMEM;
        an->tid = p;
        p = hks_grow(an->a, an->tpos, 4, cap2, cap, 4096, SIZE_MAX, &cap2);
        if (!p)
            return HKS_ERR_NOMEM;
        an->tpos = p;
        an->cap_tok = cap < cap2 ? cap : cap2;
    }
    an->tid[an->n_tok] = (uint32_t)id;
    an->tpos[an->n_tok++] = pos;
    an->k->t[id].tf++;
    return HKS_OK;
}

/* on_token's twin: the same keys, in the same order. */
static int dk_token(void *ctx, const hks_token *tok)
{
    hks_analysis *an = ctx;
    HKS_TRY(apush(an, tok->term, tok->term_len, tok->pos));
    if (tok->flags & HKS_TOK_CJK) {
        size_t n = hks_utf8_len((uint8_t)tok->term[0]);
        char key[5];
        if (n > tok->term_len)
            return HKS_OK;
        key[0] = HKS_CHAR_KEY;
        memcpy(key + 1, tok->term, n);
        HKS_TRY(apush(an, key, n + 1, tok->pos));
        an->k->n_char_keys++;
    }
    return HKS_OK;
}

/* on_body_token's twin. */
static int dk_body_token(void *ctx, const hks_token *tok)
{
    hks_analysis *an = ctx;
    hks_dockeys *k = an->k;
    uint8_t t[HKS_MAX_TERM_BYTES];
    size_t n;
    while (k->bp_at < k->bp_n && k->bp_r[2 * k->bp_at + 1] <= tok->src_start)
        k->bp_at++;
    if (k->bp_at == k->bp_n || tok->src_start < k->bp_r[2 * k->bp_at])
        return dk_token(an, tok);
    n = hks_boiler_key((const uint8_t *)tok->term, tok->term_len, t);
    k->n_bp_keys++;
    return apush(an, (const char *)t, n, tok->pos);
}

/* The tokens' positions grouped by term, each group in token order. */
static int group_positions(hks_analysis *an)
{
    hks_dockeys *k = an->k;
    size_t i, sum = 0;
    if (an->n_tok > k->cap_pos) {
        uint32_t *p = hks_grow(an->a, k->pos, 4, k->cap_pos, an->n_tok, 1024, UINT32_MAX,
                               &k->cap_pos);
        if (!p)
            return HKS_ERR_NOMEM;
        k->pos = p;
    }
    for (i = 0; i < k->n_t; i++) {
        k->t[i].first = (uint32_t)sum;
        sum += k->t[i].tf;
    }
    for (i = 0; i < an->n_tok; i++) {
        hks_dkterm *dt = &k->t[an->tid[i]];
        k->pos[dt->first + dt->n_put++] = an->tpos[i];
    }
    k->n_pos = an->n_tok;
    return HKS_OK;
}

int hks_memidx_analyse(hks_analysis *an, hks_boiler *bp, const hks_doc *doc, hks_dockeys *k,
                       hks_errbuf *err)
{
    uint32_t next = 0;
    int rc;
    HKS_TRY(refuse_doc(doc, err));
    an->k = k;
    an->n_tok = 0;
    if (++an->stamp == 0) { /* wrapped: forget every stamp */
        if (an->slots)
            memset(an->slots, 0, (size_t)an->n_slots * sizeof *an->slots);
        an->stamp = 1;
    }
    k->n_t = k->n_pos = 0;
    k->terms.n = 0;
    k->n_char_keys = k->n_bp_keys = 0;
    k->bp_n = k->bp_at = 0;
    rc = hks_norm_text(&an->nt, doc->title ? doc->title : "", doc->title_len);
    if (rc == HKS_OK)
        rc = hks_tokenize(&an->nt, 0, dk_token, an, &next);
    k->title_end = next + 1; /* as in hks_memidx_add */
    if (rc == HKS_OK && bp)
        rc = hks_boiler_mark(bp, doc->collection, doc->collection_len, doc->title,
                             doc->title_len, doc->body, doc->body_len, &k->bp_r, &k->bp_cap,
                             &k->bp_n);
    if (rc == HKS_OK)
        rc = hks_norm_text(&an->nt, doc->body ? doc->body : "", doc->body_len);
    k->simhash = rc == HKS_OK ? hks_simhash(&an->nt) : HKS_SIMHASH_NONE;
    if (rc == HKS_OK)
        rc = hks_tokenize(&an->nt, k->title_end, dk_body_token, an, &next);
    if (rc == HKS_OK) {
        size_t i;
        for (i = 0; i < k->n_t; i++)
            k->t[i].n_put = 0;
        rc = group_positions(an);
    }
    if (rc)
        return hks_fail(err, rc, "document %.*s: %s",
                        (int)(doc->id_len > 64 ? 64 : doc->id_len), doc->id, hks_strerror(rc));
    return HKS_OK;
}

int hks_memidx_add_keys(hks_memidx *mi, const hks_doc *doc, uint64_t chash,
                        const hks_dockeys *k, hks_errbuf *err)
{
    size_t i;
    if (mi->n_docs == UINT32_MAX - 1)
        return hks_fail(err, HKS_ERR_ARG, "too many documents in one segment");
    if (k->n_t > mi->cap_keys) {
        uint64_t *p = hks_grow(mi->a, mi->keys, sizeof *p, mi->cap_keys, k->n_t, 4096,
                               SIZE_MAX, &mi->cap_keys);
        if (!p)
            return hks_fail(err, HKS_ERR_NOMEM, "document %.*s: %s",
                            (int)(doc->id_len > 64 ? 64 : doc->id_len), doc->id,
                            hks_strerror(HKS_ERR_NOMEM));
        mi->keys = p;
    }
    /* The term numbers, in order of first occurrence (so they are the ones
     * hks_memidx_add gives), each term's slot prefetched a few terms
     * ahead. All before any posting: a failure leaves the batch usable. */
    for (i = 0; i < k->n_t; i++) {
        const hks_dkterm *dt = &k->t[i];
        int64_t id;
        if (i + 8 < k->n_t && mi->n_slots)
            __builtin_prefetch(&mi->slots[slot_of(k->t[i + 8].key, mi->n_slots)]);
        id = term_id_key(mi, (const char *)k->terms.p + dt->off, dt->len, dt->key);
        if (id < 0)
            return hks_fail(err, HKS_ERR_NOMEM, "document %.*s: %s",
                            (int)(doc->id_len > 64 ? 64 : doc->id_len), doc->id,
                            hks_strerror(HKS_ERR_NOMEM));
        mi->keys[i] = (uint64_t)id;
    }
    mi->n_char_keys = k->n_char_keys;
    mi->n_bp_keys = k->n_bp_keys;
    return append_doc(mi, doc, chash, k->title_end, k->simhash, k->bp_r, k->bp_n, k, err);
}

/* Sort order of terms: byte order. The first 8 bytes, big-endian, decide
 * almost every comparison without touching the arena. */
typedef struct sortent {
    uint64_t prefix; /* first 8 bytes, big-endian, zero-padded         */
    uint32_t id;
} sortent;

static int cmp_terms(const void *x, const void *y, void *ctx)
{
    const sortent *a = x, *b = y;
    const hks_memidx *mi = ctx;
    const memterm *ta, *tb;
    size_t m;
    int c;
    if (a->prefix != b->prefix)
        return a->prefix < b->prefix ? -1 : 1;
    ta = &mi->terms[a->id];
    tb = &mi->terms[b->id];
    m = ta->tlen < tb->tlen ? ta->tlen : tb->tlen;
    c = memcmp(mi->arena.p + ta->toff, mi->arena.p + tb->toff, m);
    if (c)
        return c;
    return ta->tlen < tb->tlen ? -1 : ta->tlen > tb->tlen;
}

static uint64_t be_prefix(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    size_t i;
    for (i = 0; i < 8; i++)
        v = v << 8 | (i < n ? p[i] : 0);
    return v;
}

/* Decode a term buffer (format at the top of this file) into arrays. */
typedef struct decoded {
    uint32_t *docs, *tfs, *pos;
    size_t cap_docs, cap_pos;
} decoded;

static int grow32(const hks_alloc *a, uint32_t **p, size_t *cap, size_t need)
{
    uint32_t *q = hks_grow(a, *p, sizeof **p, *cap, need, 1024, SIZE_MAX, cap);
    if (!q)
        return HKS_ERR_NOMEM;
    *p = q;
    return HKS_OK;
}

static int decode_term(hks_memidx *mi, const memterm *mt, decoded *dc, hks_plist *pl)
{
    hks_rd rd;
    uint32_t k, doc = 0;
    size_t n_pos = 0;
    size_t dcap = dc->cap_docs;
    if (grow32(mi->a, &dc->docs, &dc->cap_docs, mt->df) ||
        grow32(mi->a, &dc->tfs, &dcap, mt->df))
        return HKS_ERR_NOMEM;
    if (dcap != dc->cap_docs) { /* keep the two arrays the same size */
        dcap = dc->cap_docs;
        if (grow32(mi->a, &dc->tfs, &dcap, dc->cap_docs))
            return HKS_ERR_NOMEM;
    }
    bool chars = mi->arena.p[mt->toff] == HKS_CHAR_KEY;
    hks_rd_init(&rd, mt->buf, mt->n);
    for (k = 0; k < mt->df; k++) {
        uint32_t gap, tf, j, p = 0;
        if (hks_varint_get_u32(&rd, &gap) || hks_varint_get_u32(&rd, &tf))
            return HKS_ERR_INTERNAL;
        doc = k ? doc + gap + 1 : gap;
        dc->docs[k] = doc;
        dc->tfs[k] = tf;
        if (chars)
            continue;
        if (grow32(mi->a, &dc->pos, &dc->cap_pos, n_pos + tf))
            return HKS_ERR_NOMEM;
        for (j = 0; j < tf; j++) {
            uint32_t v;
            if (hks_varint_get_u32(&rd, &v))
                return HKS_ERR_INTERNAL;
            p = j ? p + v + 1 : v;
            dc->pos[n_pos++] = p;
        }
    }
    pl->n_docs = mt->df;
    pl->docs = dc->docs;
    pl->tfs = dc->tfs;
    pl->pos = chars ? NULL : dc->pos;
    return HKS_OK;
}

/* ---- the terms of a flush, encoded on two threads ----------------------- */

/* Decoding a term's buffer and encoding its blocks is most of a flush,
 * and each term's is its own: a second thread encodes runs of terms (a
 * chunk) while the flushing thread encodes others and appends every
 * chunk in term order. The segment file is the same byte for byte. At
 * most N_CHUNKS chunks are encoded ahead of the one being appended. */
#define N_CHUNKS 4
#define CHUNK_BYTES ((size_t)1 << 20) /* of term buffers, roughly    */
#define CHUNK_TERMS 8192

typedef struct fchunk {
    uint32_t first, end; /* terms [first, end) of the order              */
    hks_buf bytes;       /* each term's doc part, then its positions      */
    size_t *len;         /* 2 per term: the two parts' sizes              */
    size_t cap_len;
    int rc; /* failure at term fail_at, why saying what    */
    uint32_t fail_at;
    const char *why;
    int state; /* 0 free, 1 being encoded, 2 encoded        */
} fchunk;

typedef struct fenc { /* one encoding thread's scratch */
    decoded dc;
    hks_termenc te;
    hks_buf doc, pos;
} fenc;

typedef struct fpar {
    hks_memidx *mi;
    hks_segw *w;
    const sortent *order;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint32_t next_term;  /* first term not yet in a chunk            */
    uint64_t n_claimed;  /* chunks begun                             */
    uint64_t n_appended; /* chunks appended to the segment           */
    bool stop;
    fchunk ch[N_CHUNKS];
} fpar;

static void fenc_init(fenc *e, const hks_alloc *a)
{
    memset(e, 0, sizeof *e);
    hks_termenc_init(&e->te, a);
    hks_buf_init(&e->doc, a);
    hks_buf_init(&e->pos, a);
}

static void fenc_free(fenc *e, const hks_alloc *a)
{
    hks_termenc_free(&e->te);
    hks_buf_free(&e->doc);
    hks_buf_free(&e->pos);
    hks_mem_free(a, e->dc.docs, 0);
    hks_mem_free(a, e->dc.tfs, 0);
    hks_mem_free(a, e->dc.pos, 0);
}

/* Under p->mu: the next chunk's terms, or NULL when none are left. */
static fchunk *claim_chunk(fpar *p)
{
    fchunk *c;
    size_t bytes = 0;
    uint32_t i;
    if (p->next_term >= p->mi->n_terms)
        return NULL;
    c = &p->ch[p->n_claimed++ % N_CHUNKS];
    c->first = p->next_term;
    for (i = c->first; i < p->mi->n_terms && i - c->first < CHUNK_TERMS && bytes < CHUNK_BYTES;
         i++)
        bytes += p->mi->terms[p->order[i].id].n;
    c->end = p->next_term = i;
    c->state = 1;
    c->rc = HKS_OK;
    return c;
}

static void encode_chunk(fpar *p, fchunk *c, fenc *e)
{
    hks_memidx *mi = p->mi;
    uint32_t i, k;
    c->bytes.n = 0;
    if (c->end - c->first > c->cap_len / 2) {
        size_t *q = hks_mem_realloc(mi->a, c->len, c->cap_len * sizeof *q,
                                    (size_t)(c->end - c->first) * 2 * sizeof *q);
        if (!q) {
            c->rc = HKS_ERR_NOMEM, c->fail_at = c->first, c->why = "out of memory";
            return;
        }
        c->len = q;
        c->cap_len = (size_t)(c->end - c->first) * 2;
    }
    for (i = c->first, k = 0; i < c->end; i++, k += 2) {
        const memterm *mt = &mi->terms[p->order[i].id];
        hks_plist pl;
        int rc;
        c->len[k] = c->len[k + 1] = 0;
        if (mt->df == 0) /* created by a document whose add failed */
            continue;
        e->doc.n = e->pos.n = 0;
        rc = decode_term(mi, mt, &e->dc, &pl);
        if (rc == HKS_OK)
            rc = hks_segw_encode(p->w, &e->te, mi->arena.p + mt->toff, mt->tlen, &pl, &e->doc,
                                 &e->pos, &c->why);
        else
            c->why = rc == HKS_ERR_NOMEM ? "out of memory" : "a bad memory index";
        if (rc == HKS_OK) {
            hks_buf_put(&rc, &c->bytes, e->doc.p, e->doc.n);
            hks_buf_put(&rc, &c->bytes, e->pos.p, e->pos.n);
            if (rc)
                c->why = "out of memory";
        }
        if (rc) {
            c->rc = rc;
            c->fail_at = i;
            return;
        }
        c->len[k] = e->doc.n;
        c->len[k + 1] = e->pos.n;
    }
}

/* Encode chunk c claimed under p->mu, which is let go meanwhile and held
 * again after; the others are told it is done. */
static void encode_claimed(fpar *p, fchunk *c, fenc *e)
{
    pthread_mutex_unlock(&p->mu);
    encode_chunk(p, c, e);
    pthread_mutex_lock(&p->mu);
    c->state = 2;
    pthread_cond_broadcast(&p->cv);
}

static void *encode_main(void *arg)
{
    fpar *p = arg;
    fenc e;
    fenc_init(&e, p->mi->a);
    pthread_mutex_lock(&p->mu);
    for (;;) {
        fchunk *c;
        while (!p->stop && p->next_term < p->mi->n_terms &&
               p->n_claimed - p->n_appended >= N_CHUNKS)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->stop || !(c = claim_chunk(p)))
            break;
        encode_claimed(p, c, &e);
    }
    pthread_mutex_unlock(&p->mu);
    fenc_free(&e, p->mi->a);
    return NULL;
}

/* Append every term of order to w, encoded on this thread and one more;
 * *started false (and nothing done) when that thread cannot be had: the
 * caller then does it alone. */
static int flush_terms_parallel(hks_memidx *mi, hks_segw *w, const sortent *order,
                                hks_errbuf *err, bool *started)
{
    fpar *p = hks_mem_calloc(mi->a, 1, sizeof *p);
    pthread_t th;
    fenc e;
    uint64_t seq;
    uint32_t k;
    int rc = HKS_OK;
    *started = false;
    if (!p)
        return HKS_OK;
    p->mi = mi;
    p->w = w;
    p->order = order;
    for (k = 0; k < N_CHUNKS; k++)
        hks_buf_init(&p->ch[k].bytes, mi->a);
    if (pthread_mutex_init(&p->mu, NULL)) {
        hks_mem_free(mi->a, p, sizeof *p);
        return HKS_OK;
    }
    if (pthread_cond_init(&p->cv, NULL)) {
        pthread_mutex_destroy(&p->mu);
        hks_mem_free(mi->a, p, sizeof *p);
        return HKS_OK;
    }
    if (pthread_create(&th, NULL, encode_main, p)) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        hks_mem_free(mi->a, p, sizeof *p);
        return HKS_OK;
    }
    *started = true;
    fenc_init(&e, mi->a);
    for (seq = 0; rc == HKS_OK; seq++) {
        fchunk *c = &p->ch[seq % N_CHUNKS];
        const uint8_t *at;
        uint32_t i;
        pthread_mutex_lock(&p->mu);
        if (seq == p->n_claimed && p->next_term >= mi->n_terms) {
            pthread_mutex_unlock(&p->mu);
            break; /* every term appended */
        }
        /* While chunk seq is not ready, encode the next one not begun
         * (seq itself, when the other thread has not reached it). */
        while (c->state != 2) {
            fchunk *mine = NULL;
            if (p->n_claimed - p->n_appended < N_CHUNKS)
                mine = claim_chunk(p);
            if (mine)
                encode_claimed(p, mine, &e);
            else
                pthread_cond_wait(&p->cv, &p->mu);
        }
        pthread_mutex_unlock(&p->mu);
        at = c->bytes.p;
        for (i = c->first; rc == HKS_OK && i < c->end; i++) {
            const memterm *mt = &mi->terms[order[i].id];
            size_t at_len = (size_t)(i - c->first) * 2;
            size_t dn = c->len[at_len], pn = c->len[at_len + 1];
            if (c->rc && i == c->fail_at) {
                rc = hks_fail(err, c->rc, "flush: %s", c->why);
                break;
            }
            if (mt->df == 0)
                continue;
            rc = hks_segw_add_encoded(w, mi->arena.p + mt->toff, mt->tlen, mt->df, at, dn, at + dn,
                                      pn);
            at += dn + pn;
        }
        pthread_mutex_lock(&p->mu);
        c->state = 0;
        p->n_appended++;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(th, NULL);
    fenc_free(&e, mi->a);
    for (k = 0; k < N_CHUNKS; k++) {
        hks_buf_free(&p->ch[k].bytes);
        hks_mem_free(mi->a, p->ch[k].len, 0);
    }
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    hks_mem_free(mi->a, p, sizeof *p);
    return rc;
}

/*
 * Write the whole in-memory index as the segment file path, then empty
 * it; threads >= 2 encodes the terms on two threads. @return HKS_OK, or
 * an error with the file removed and the index left as it was.
 */
int hks_memidx_flush(hks_memidx *mi, const char *path, int threads, hks_errbuf *err,
                     uint64_t *bytes_out)
{
    hks_segw *w = NULL;
    sortent *order = NULL;
    uint32_t i;
    decoded dc;
    int rc;

    memset(&dc, 0, sizeof dc);
    if (mi->broken)
        return hks_fail(err, HKS_ERR_NOMEM,
                        "an earlier allocation failure left the batch unusable");
    rc = hks_segw_open(mi->a, path, err, &w);
    for (i = 0; rc == HKS_OK && i < mi->n_docs; i++) {
        const char *f[HKS_META_N];
        size_t fl[HKS_META_N];
        hks_rd rd;
        int k;
        hks_rd_init(&rd, mi->meta.p + mi->docs[i].meta_off, mi->meta.n - mi->docs[i].meta_off);
        for (k = 0; k < HKS_META_N; k++) {
            const uint8_t *p;
            if (hks_rd_lenbytes(&rd, &p, &fl[k])) {
                rc = hks_fail(err, HKS_ERR_INTERNAL, "bad metadata");
                break;
            }
            f[k] = (const char *)p;
        }
        if (rc == HKS_OK)
            rc = hks_segw_add_doc(w, &mi->docs[i], f, fl);
    }
    if (rc == HKS_OK) {
        order = hks_mem_alloc(mi->a, (size_t)(mi->n_terms ? mi->n_terms : 1) * sizeof *order);
        if (!order) {
            hks_fail(err, HKS_ERR_NOMEM, "out of memory");
            rc = HKS_ERR_NOMEM; /* spelled out: the analyzer cannot see hks_fail's value */
        }
    }
    if (rc == HKS_OK) {
        for (i = 0; order && i < mi->n_terms; i++) {
            order[i].id = i;
            order[i].prefix = be_prefix(mi->arena.p + mi->terms[i].toff, mi->terms[i].tlen);
        }
        if (order)
            qsort_r(order, mi->n_terms, sizeof *order, cmp_terms, mi);
    }
    i = 0;
    if (rc == HKS_OK && threads >= 2 && mi->n_terms >= 2 * CHUNK_TERMS) {
        bool started;
        rc = flush_terms_parallel(mi, w, order, err, &started);
        if (started)
            i = mi->n_terms; /* done, or failed */
    }
    for (; rc == HKS_OK && i < mi->n_terms; i++) {
        const memterm *mt = &mi->terms[order[i].id];
        hks_plist pl;
        if (mt->df == 0) /* created by a document whose add failed */
            continue;
        rc = decode_term(mi, mt, &dc, &pl);
        if (rc)
            rc = hks_fail(err, rc, "flush: %s", hks_strerror(rc));
        else
            rc = hks_segw_add_term(w, mi->arena.p + mt->toff, mt->tlen, &pl);
    }
    if (rc == HKS_OK && mi->bp) {
        mi->bp_table.n = 0;
        hks_boiler_put(mi->bp, &rc, &mi->bp_table);
        if (rc)
            rc = hks_fail(err, rc, "out of memory");
        hks_segw_boiler(w, &mi->bp_table, &mi->bp_entries);
    }
    if (rc == HKS_OK)
        rc = hks_segw_finish(w, mi->ds, bytes_out);
    hks_segw_free(w);
    hks_mem_free(mi->a, order, 0);
    hks_mem_free(mi->a, dc.docs, 0);
    hks_mem_free(mi->a, dc.tfs, 0);
    hks_mem_free(mi->a, dc.pos, 0);
    if (rc == HKS_OK)
        rc = reset(mi);
    return rc;
}
