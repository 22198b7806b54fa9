/*
 * fuzz_open_index.c: an index directory whose files come from the fuzzer.
 * At the first call a valid small index is written (one segment, a
 * tombstone file deleting one document, the manifest, which records a
 * collection's source) and kept as a template. Each input then rewrites one of the three files and leaves the
 * other two valid. The first input byte picks the file (bits 3..4: 0
 * segment, 1 manifest, 2 tombstones) and the way (bits 0..2):
 *   0  the whole file is the input
 *   1  the input is spliced over the template at an offset from the input
 *   2  as 1 inside the sections, then every checksum is made right again
 *   3  one section's bytes are replaced by the input (container rebuilt
 *      with right checksums, so the section's own decoder is reached)
 *   4  (offset, xor) pairs flip bytes, then checksums are made right
 *   5  the template cut to a length from the input
 *   6, 7  as 3 and 2
 * Then hks_index_open, a few searches, snippets, bodies and metadata of
 * hits and of the first documents, and hks_index_check. Every call must
 * return HKS_OK or an error code with a message: no crash, no hang, no
 * leak, nothing read out of bounds.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "hks_format.h"

enum { F_SEG,
       F_MANIFEST,
       F_TOMB,
       F_N };

typedef struct tfile {
    char name[64]; /* file name in the index directory */
    uint8_t *p;    /* template bytes                   */
    size_t n;
} tfile;

static tfile g_tmpl[F_N];
static char g_dir[1024];

static const char *const k_queries[] = {
    "疫苗接种",
    "医",
    "医院 OR 醫生",
    "\"接种 疫苗\"",
    "covid-19 -义诊",
    "title:医院",
    "source:卫健委 疫苗",
    "date:2021..2023 医生",
    "医 tag:疫苗 author:记者",
    "category:要闻",
    "乡村医生是基层卫生健康工作的重要力量吗",
    "h1n1",
    "版权声明",
};

/* hks_index_collections callback: names are bounded. */
static int on_coll(void *ctx, const hks_collection *c)
{
    (void)ctx;
    fuzz_check(c->name_len <= 1024 && c->source_len <= 4095);
    return 0;
}

static void free_template(void)
{
    int i;
    for (i = 0; i < F_N; i++)
        free(g_tmpl[i].p);
}

static void make_template(void)
{
    char tdir[1024];
    hks_writer *w = NULL;
    DIR *d;
    struct dirent *e;
    int i;

    fuzz_subdir(tdir, sizeof tdir, "template");
    fuzz_build_index(tdir);
    { /* a source, merged into the one segment, so the manifest records a
       * collection and its path */
        static const char k_feed[] =
            "{\"id\":\"f1\",\"title\":\"乡村医生\",\"body\":\"乡村医生为村民接种疫苗。\\n"
            "版权声明：本站文章仅供学习交流\"}\n"; /* a site-chrome line: boilerplate */
        char sdir[1024], src[1100];
        fuzz_subdir(sdir, sizeof sdir, "feed");
        fuzz_write_file(sdir, "feed.jsonl", k_feed, sizeof k_feed - 1);
        snprintf(src, sizeof src, "%s/feed.jsonl", sdir);
        fuzz_check(hks_writer_open(tdir, NULL, &w) == HKS_OK);
        fuzz_check(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 2) == HKS_OK);
        fuzz_check(hks_writer_add_path(w, src, NULL) == HKS_OK);
        fuzz_check(hks_writer_commit(w) == HKS_OK);
        hks_writer_close(w);
    }
    fuzz_check(hks_writer_open(tdir, NULL, &w) == HKS_OK);
    fuzz_check(hks_writer_set(w, HKS_W_MERGE_AT_COMMIT, 0) == HKS_OK);
    fuzz_check(hks_writer_delete(w, "news", 4, "2", 1) == HKS_OK);
    fuzz_check(hks_writer_commit(w) == HKS_OK);
    hks_writer_close(w);

    strcpy(g_tmpl[F_MANIFEST].name, HKS_MANIFEST_NAME);
    d = opendir(tdir);
    fuzz_check(d != NULL);
    while ((e = readdir(d)) != NULL) {
        size_t k = strlen(e->d_name);
        if (k >= sizeof g_tmpl[0].name)
            continue;
        if (strstr(e->d_name, ".del-"))
            strcpy(g_tmpl[F_TOMB].name, e->d_name);
        else if (k > 4 && strcmp(e->d_name + k - 4, ".hks") == 0)
            strcpy(g_tmpl[F_SEG].name, e->d_name);
    }
    closedir(d);
    fuzz_subdir(g_dir, sizeof g_dir, "index");
    for (i = 0; i < F_N; i++) {
        fuzz_check(g_tmpl[i].name[0] != '\0');
        g_tmpl[i].p = fuzz_read_file(tdir, g_tmpl[i].name, &g_tmpl[i].n);
        fuzz_write_file(g_dir, g_tmpl[i].name, g_tmpl[i].p, g_tmpl[i].n);
    }
    atexit(free_template);
}

/* ---- container surgery (layout at the top of format/format.c) ---------- */

typedef struct sect {
    uint32_t id;
    uint64_t off, len;
} sect;

/* The section table of a valid template file. */
static int sections(const tfile *t, sect *s)
{
    uint64_t toff = hks_load_u64le(t->p + t->n - 32);
    int n = (int)hks_load_u32le(t->p + t->n - 24), i;
    fuzz_check(n >= 1 && n <= HKS_MAX_SECTIONS);
    for (i = 0; i < n; i++) {
        const uint8_t *e = t->p + toff + 32 * (uint64_t)i;
        s[i].id = hks_load_u32le(e);
        s[i].off = hks_load_u64le(e + 8);
        s[i].len = hks_load_u64le(e + 16);
    }
    return n;
}

static void put64(uint8_t *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static const sect *find_sect(const sect *s, int ns, uint32_t id)
{
    int i;
    for (i = 0; i < ns; i++)
        if (s[i].id == id)
            return &s[i];
    return NULL;
}

/* Recompute a segment's BLOCKSUMS from its (possibly fuzzed) LEXIDX,
 * LEXICON and POSTINGS the way the reader checks them (format.c), so that
 * fuzzed postings reach their decoders. Whatever does not parse is left. */
static void fix_blocksums(uint8_t *p, const sect *s, int ns)
{
    const sect *ix = find_sect(s, ns, HKS_SEC_LEXIDX), *lx = find_sect(s, ns, HKS_SEC_LEXICON);
    const sect *po = find_sect(s, ns, HKS_SEC_POSTINGS), *bs = find_sect(s, ns, HKS_SEC_BLOCKSUMS);
    uint64_t nt, nb, b, offs[4096];
    hks_rd rd;
    if (!ix || !lx || !po || !bs)
        return;
    hks_rd_init(&rd, p + ix->off, (size_t)ix->len);
    if (hks_varint_get(&rd, &nt) || hks_varint_get(&rd, &nb))
        return;
    if (nb > bs->len / 8)
        nb = bs->len / 8;
    if (nb > 4096)
        nb = 4096;
    for (b = 0; b < nb; b++) {
        const uint8_t *first;
        size_t fl;
        if (hks_varint_get(&rd, &offs[b]) || hks_rd_lenbytes(&rd, &first, &fl) ||
            offs[b] >= lx->len || (b && offs[b] <= offs[b - 1]))
            return;
    }
    for (b = 0; b < nb; b++) {
        uint64_t end = b + 1 < nb ? offs[b + 1] : lx->len, off, h = 0, t = b * 32;
        hks_rd br;
        int k;
        hks_rd_init(&br, p + lx->off + offs[b], (size_t)(end - offs[b]));
        if (hks_varint_get(&br, &off))
            return;
        for (k = 0; k < 32 && t < nt; k++, t++) {
            uint64_t pre, suf, df, dl, pl;
            const uint8_t *sp;
            if (hks_varint_get(&br, &pre) || hks_varint_get(&br, &suf) ||
                hks_rd_bytes(&br, (size_t)suf, &sp) || hks_varint_get(&br, &df) ||
                hks_varint_get(&br, &dl) || hks_varint_get(&br, &pl) || off > po->len ||
                dl > po->len - off || pl > po->len - off - dl)
                return;
            h = hks_hash64_seed(p + po->off + off, (size_t)dl, h);
            h = hks_hash64_seed(p + po->off + off + dl, (size_t)pl, h);
            off += dl + pl;
        }
        put64(p + bs->off + 8 * b,
              hks_hash64_seed(p + lx->off + offs[b], (size_t)(end - offs[b]), h));
    }
}

/* Recompute the section checksums of the table and the table checksum of
 * the footer in p[0..n), a file with the template's layout (a segment's
 * block checksums first). */
static void fix_hashes(uint8_t *p, size_t n, const sect *s, int ns)
{
    uint64_t toff = n - 32 - 32 * (uint64_t)ns;
    int i;
    fix_blocksums(p, s, ns);
    for (i = 0; i < ns; i++)
        put64(p + toff + 32 * (uint64_t)i + 24,
              hks_hash64(p + s[i].off, (size_t)s[i].len));
    put64(p + n - 16, hks_hash64(p + toff, 32 * (size_t)ns));
}

/* A new file of the template's kind with section k's bytes replaced by
 * q[0..qn). Returns a malloc'd buffer. */
static uint8_t *rebuild(const tfile *t, int k, const uint8_t *q, size_t qn,
                        size_t *n_out)
{
    sect s[HKS_MAX_SECTIONS];
    int ns = sections(t, s), i;
    size_t cap = t->n + qn + 64, off = HKS_HEADER_BYTES;
    uint8_t *p = calloc(1, cap);
    fuzz_check(p != NULL);
    memcpy(p, t->p, HKS_HEADER_BYTES);
    for (i = 0; i < ns; i++) {
        const uint8_t *src = i == k ? q : t->p + s[i].off;
        size_t len = i == k ? qn : (size_t)s[i].len;
        memcpy(p + off, src, len);
        s[i].off = off;
        s[i].len = len;
        off = (off + len + 7) & ~(size_t)7;
    }
    for (i = 0; i < ns; i++) {
        uint8_t *e = p + off + 32 * (size_t)i;
        memcpy(e, &s[i].id, 4); /* little-endian host */
        put64(e + 8, s[i].off);
        put64(e + 16, s[i].len);
    }
    memcpy(p + off + 32 * (size_t)ns, t->p + t->n - 32, 32);
    put64(p + off + 32 * (size_t)ns, off);
    *n_out = off + 32 * (size_t)ns + 32;
    fix_hashes(p, *n_out, s, ns);
    return p;
}

/* The mutated bytes of template t for way `way` and input q[0..qn). */
static uint8_t *mutate(const tfile *t, int way, const uint8_t *q, size_t qn,
                       size_t *n_out)
{
    sect s[HKS_MAX_SECTIONS];
    int ns = sections(t, s);
    uint64_t toff = hks_load_u64le(t->p + t->n - 32);
    uint8_t *p;
    size_t n, off, len;

    switch (way) {
    case 0:
        p = malloc(qn ? qn : 1);
        fuzz_check(p != NULL);
        memcpy(p, q, qn);
        *n_out = qn;
        return p;
    case 3:
    case 6:
        if (qn == 0)
            break;
        return rebuild(t, q[0] % ns, q + 1, qn - 1, n_out);
    case 5:
        n = fuzz_take_u32(&q, &qn, 4) % (t->n + 1);
        p = malloc(n ? n : 1);
        fuzz_check(p != NULL);
        memcpy(p, t->p, n);
        *n_out = n;
        return p;
    default:
        break;
    }
    n = t->n;
    p = malloc(n + qn + 8);
    fuzz_check(p != NULL);
    memcpy(p, t->p, n);
    if (way == 4) {
        while (qn >= 3) {
            off = fuzz_take_u32(&q, &qn, 2) % n;
            p[off] ^= (uint8_t)fuzz_take_u32(&q, &qn, 1);
        }
        /* A flipped table or footer stays flipped: the hashes are fixed
         * for the template's layout only. */
        fix_hashes(p, n, s, ns);
    } else if (way == 1) {
        off = fuzz_take_u32(&q, &qn, 4) % (n + 1);
        memcpy(p + off, q, qn);
        if (off + qn > n)
            n = off + qn;
    } else {
        /* Inside [16, table): the layout stays, the checksums follow. */
        size_t room = (size_t)toff - HKS_HEADER_BYTES;
        off = HKS_HEADER_BYTES + fuzz_take_u32(&q, &qn, 4) % (room + 1);
        len = qn < (size_t)toff - off ? qn : (size_t)toff - off;
        memcpy(p + off, q, len);
        fix_hashes(p, n, s, ns);
    }
    *n_out = n;
    return p;
}

/* ---- exercising the index --------------------------------------------- */

static bool ok_err(int rc)
{
    return rc == HKS_OK || rc == HKS_ERR_CORRUPT || rc == HKS_ERR_FORMAT ||
           rc == HKS_ERR_NOTFOUND || rc == HKS_ERR_IO;
}

static void use_doc(hks_searcher *s, uint32_t doc, const char *q, char *buf,
                    size_t cap)
{
    hks_doc_meta meta;
    hks_span spans[8];
    size_t len = 0, n_spans = 0;
    int rc;
    rc = hks_doc_meta_get(s, doc, &meta);
    fuzz_check(ok_err(rc));
    if (rc == HKS_OK) {
        fuzz_check(meta.id != NULL && meta.id[meta.id_len] == '\0');
        fuzz_check(meta.title[meta.title_len] == '\0');
        fuzz_check(meta.url[meta.url_len] == '\0');
        fuzz_check(meta.author[meta.author_len] == '\0');
        fuzz_check(meta.category[meta.category_len] == '\0');
        fuzz_check(meta.tags[meta.tags_len] == '\0');
    }
    rc = hks_doc_body(s, doc, buf, cap, &len);
    fuzz_check(ok_err(rc) || rc == HKS_ERR_BUFSIZE);
    fuzz_check(rc != HKS_OK || len <= cap);
    rc = hks_snippet(s, doc, q, strlen(q), 60, buf, cap, &len, spans, 8,
                     &n_spans);
    fuzz_check(ok_err(rc) || rc == HKS_ERR_BUFSIZE);
    if (rc == HKS_OK) {
        size_t i;
        fuzz_check(len < cap && buf[len] == '\0');
        for (i = 0; i < n_spans; i++)
            fuzz_check(spans[i].start <= spans[i].end && spans[i].end <= len);
    }
}

static void exercise(void)
{
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_index_info info;
    size_t cap = 1 << 16, qi, n_hits, i;
    char *buf;
    hks_hit hits[10];
    int rc;

    rc = hks_index_open(g_dir, NULL, &idx);
    fuzz_check(ok_err(rc));
    if (rc != HKS_OK) {
        /* As sqlite3_open: the handle carries the message; close it. */
        fuzz_check(hks_index_errmsg(idx)[0] != '\0');
        hks_index_close(idx);
        return;
    }
    buf = malloc(cap);
    fuzz_check(buf != NULL);
    /* Counting the collections reads every document's metadata: a
     * damaged record is an error with a message, the counts still set. */
    rc = hks_index_info_get(idx, &info);
    fuzz_check(rc == HKS_OK || (rc == HKS_ERR_CORRUPT && hks_index_errmsg(idx)[0] != '\0'));
    fuzz_check(info.n_docs <= UINT32_MAX);
    rc = hks_index_collections(idx, on_coll, NULL);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_CORRUPT || rc == HKS_ERR_NOMEM);
    fuzz_check(rc == HKS_OK || hks_index_errmsg(idx)[0] != '\0');
    fuzz_check(hks_searcher_new(idx, &s) == HKS_OK);
    {
        /* Lookup by key builds a table from the same metadata. */
        uint32_t d = 0;
        int changed = -1;
        rc = hks_doc_find(s, "news", 4, "1", 1, &d);
        fuzz_check(rc == HKS_OK || rc == HKS_ERR_NOTFOUND || rc == HKS_ERR_CORRUPT);
        fuzz_check(rc != HKS_OK || d < info.n_docs + info.n_deleted);
        rc = hks_index_changed(idx, &changed);
        fuzz_check(ok_err(rc) && (rc != HKS_OK || changed == 0 || changed == 1));
    }
    for (qi = 0; qi < sizeof k_queries / sizeof k_queries[0]; qi++) {
        const char *q = k_queries[qi];
        rc = hks_search(s, q, strlen(q), hits, 10, &n_hits, NULL);
        fuzz_check(ok_err(rc));
        if (rc != HKS_OK) {
            fuzz_check(hks_searcher_errmsg(s)[0] != '\0');
            continue;
        }
        fuzz_check(n_hits <= 10);
        for (i = 0; i < n_hits && i < 3; i++)
            use_doc(s, hits[i].doc_id, q, buf, cap);
    }
    for (i = 0; i < 6; i++)
        use_doc(s, (uint32_t)i, k_queries[i], buf, cap);
    rc = hks_index_check(idx);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_CORRUPT || rc == HKS_ERR_FORMAT);
    fuzz_check(rc == HKS_OK || hks_index_errmsg(idx)[0] != '\0');
    hks_searcher_free(s);
    hks_index_close(idx);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int file, way;
    uint8_t *p;
    size_t n;
    if (size == 0)
        return 0;
    if (!g_tmpl[0].p)
        make_template();
    file = (data[0] >> 3) % F_N;
    way = data[0] & 7;
    p = mutate(&g_tmpl[file], way, data + 1, size - 1, &n);
    fuzz_write_file(g_dir, g_tmpl[file].name, p, n);
    free(p);
    exercise();
    /* Back to the template for the next input. */
    fuzz_write_file(g_dir, g_tmpl[file].name, g_tmpl[file].p, g_tmpl[file].n);
    return 0;
}
