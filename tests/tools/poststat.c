/*
 * poststat: where the bytes of an index's postings go, and what other
 * integer codecs would make of the same values.
 *
 * Usage: poststat INDEX [TOP]
 *   decodes every term of every live segment with the postings cursor and
 *   re-encodes its values as the segment writer does (doc gaps, tf - 1,
 *   positions as gaps within a document, packed per block), printing for
 *   each stream (doc gaps, tfs, positions, skip table) its values, the
 *   bytes on disk, bits per value, and the bytes the same values take
 *   under:
 *     fixed     one bit width per group of up to 128 values, the width of
 *               the largest (block.c before exceptions)
 *     block.c   hks_pack_u32 as built (what the writer writes now)
 *     vbyte     LEB128 varints, one per value (Lucene's older postings)
 *     svb       streamvbyte's layout: 2 key bits + 1..4 data bytes a value
 *   then the same split by document frequency (where frequent bigrams'
 *   positions go), the TOP (default 10) terms by position bytes, and the
 *   lexicon's size. Bytes per posting = (doc gaps + tfs + skip table) /
 *   postings; bytes per position = position bytes / positions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hks_format.h"

enum { S_GAP,
       S_TF,
       S_POS,
       S_POS1,
       S_POSR,
       S_N };
static const char *const stream_name[S_N] = {"doc gaps", "tf - 1", "positions", " firsts",
                                             " the rest"};

typedef struct cost {
    uint64_t values, fixed, packed, vbyte, svb, groups, exc_groups, exc;
} cost;

/* Document frequency classes. */
#define N_DF 5
static const uint32_t df_hi[N_DF] = {127, 1023, 8191, 32767, UINT32_MAX};
static const char *const df_name[N_DF] = {"1..127", "128..1023", "1024..8191", "8192..32767",
                                          ">= 32768"};

typedef struct stats {
    cost s[S_N];
    uint64_t blocks, blocks_tf1, blocks_n1, first_bits, first_over;
    uint32_t *pos1, *posr;
    uint64_t skip, terms, doc_bytes, pos_bytes, lex_terms, lex_suffix;
    uint64_t df_terms[N_DF], df_post[N_DF], df_pos[N_DF], df_posb[N_DF], df_docb[N_DF];
    hks_buf buf;
    uint32_t *posd;
    size_t cap_posd;
} stats;

typedef struct top {
    uint8_t term[HKS_MAX_TERM_BYTES];
    size_t len;
    uint32_t df;
    uint64_t n_pos, pos_bytes;
} top;

static top tops[64];
static size_t n_top, max_top = 10;

static unsigned bits_of(uint32_t x)
{
    return x ? 32u - (unsigned)__builtin_clz(x) : 0u;
}

static unsigned vbyte_len(uint32_t x)
{
    unsigned k = 1;
    while (x >= 0x80) {
        x >>= 7;
        k++;
    }
    return k;
}

/* One group of n <= HKS_BLOCK values under every codec. */
static void count_group(stats *st, cost *c, const uint32_t *v, size_t n)
{
    uint32_t all = 0;
    size_t i;
    int rc = 0;
    for (i = 0; i < n; i++) {
        all |= v[i];
        c->vbyte += vbyte_len(v[i]);
        c->svb += v[i] < (1u << 8) ? 1 : v[i] < (1u << 16) ? 2
                                     : v[i] < (1u << 24)   ? 3
                                                           : 4;
    }
    c->svb += (n + 3) / 4;
    c->fixed += 1 + (n * bits_of(all) + 7) / 8;
    st->buf.n = 0;
    hks_pack_u32(&rc, &st->buf, v, n);
    c->packed += st->buf.n;
    c->groups++;
    if (st->buf.p[0] & 0x80) { /* exceptions: their count after the low bits */
        c->exc_groups++;
        c->exc += 1u + st->buf.p[1 + (n * (st->buf.p[0] & 0x3Fu) + 7) / 8];
    }
    c->values += n;
}

static void count_groups(stats *st, cost *c, const uint32_t *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; i += HKS_BLOCK)
        count_group(st, c, v + i, n - i < HKS_BLOCK ? n - i : HKS_BLOCK);
}

static void keep_top(const uint8_t *term, size_t len, uint32_t df, uint64_t n_pos,
                     uint64_t pos_bytes)
{
    size_t i;
    if (n_top < max_top)
        i = n_top++;
    else if (max_top && pos_bytes > tops[max_top - 1].pos_bytes)
        i = max_top - 1;
    else
        return;
    memcpy(tops[i].term, term, len);
    tops[i].len = len;
    tops[i].df = df;
    tops[i].n_pos = n_pos;
    tops[i].pos_bytes = pos_bytes;
    while (i > 0 && tops[i - 1].pos_bytes < tops[i].pos_bytes) {
        top t = tops[i - 1];
        tops[i - 1] = tops[i];
        tops[i] = t;
        i--;
    }
}

typedef struct walk {
    stats *st;
    const hks_segment *seg;
    hks_errbuf *err;
} walk;

static int on_term(void *ctx, const uint8_t *term, size_t len, const hks_lexent *e)
{
    walk *w = ctx;
    stats *st = w->st;
    hks_pcur c;
    uint32_t gaps[HKS_BLOCK], tfm1[HKS_BLOCK], prev = 0, b, k, cls;
    uint64_t n_pos = 0, docb = 0, posb = 0;
    int rc;

    st->terms++;
    st->lex_terms++;
    st->lex_suffix += len;
    for (cls = 0; e->df > df_hi[cls]; cls++)
        ;
    st->doc_bytes += e->doc_len;
    st->pos_bytes += e->pos_len;
    rc = hks_pc_open(&c, NULL, w->seg, e, w->err);
    if (rc)
        return rc;
    if (c.n_blocks > 1) {
        uint32_t prev_last = 0;
        for (b = 0; b < c.n_blocks; b++) {
            uint32_t db = (b + 1 < c.n_blocks ? c.blk_off[b + 1] : (uint32_t)(c.end - c.base)) -
                          c.blk_off[b];
            uint32_t pb = (b + 1 < c.n_blocks ? c.blk_poff[b + 1] : e->pos_len) - c.blk_poff[b];
            st->skip += vbyte_len(c.blk_last[b] - prev_last) + vbyte_len(db) + vbyte_len(pb) +
                        vbyte_len(c.blk_maxtf[b]) + vbyte_len(c.blk_mindl[b]);
            prev_last = c.blk_last[b];
        }
    }
    for (b = 0; rc == HKS_OK && b < c.n_blocks; b++) {
        size_t np = 0, n1 = 0, nr = 0;
        uint32_t all_tf = 0;
        uint64_t before = st->s[S_GAP].packed + st->s[S_TF].packed;
        if (b > 0) {
            HKS_TRY(hks_pc_advance(&c, c.blk_last[b - 1] + 1));
        }
        for (k = 0; k < c.n; k++) {
            uint32_t d = c.docs[k];
            gaps[k] = (b == 0 && k == 0) ? d : d - prev - 1;
            tfm1[k] = c.tfs[k] - 1;
            all_tf |= tfm1[k];
            prev = d;
            if (!c.chars) {
                const uint32_t *p;
                uint32_t n, j;
                c.i = k;
                rc = hks_pc_positions(&c, &p, &n);
                if (rc)
                    break;
                if (np + n > st->cap_posd) {
                    size_t nc = (np + n) * 2;
                    st->posd = realloc(st->posd, nc * sizeof *st->posd);
                    st->pos1 = realloc(st->pos1, nc * sizeof *st->pos1);
                    st->posr = realloc(st->posr, nc * sizeof *st->posr);
                    if (!st->posd || !st->pos1 || !st->posr)
                        return HKS_ERR_NOMEM;
                    st->cap_posd = nc;
                }
                for (j = 0; j < n; j++) {
                    st->posd[np++] = j ? p[j] - p[j - 1] - 1 : p[j];
                    if (j) {
                        st->posr[nr++] = p[j] - p[j - 1] - 1;
                    } else {
                        uint32_t dl = hks_seg_doclens(w->seg)[d];
                        st->pos1[n1++] = p[j];
                        st->first_over += p[j] >= dl;
                        st->first_bits += bits_of(dl > p[j] ? dl - 1 : p[j]);
                    }
                }
            }
        }
        c.i = 0;
        st->blocks++;
        st->blocks_tf1 += all_tf == 0;
        st->blocks_n1 += c.n == 1;
        count_group(st, &st->s[S_GAP], gaps, c.n);
        count_group(st, &st->s[S_TF], tfm1, c.n);
        docb += st->s[S_GAP].packed + st->s[S_TF].packed - before;
        if (np) {
            uint64_t pb = st->s[S_POS].packed;
            count_groups(st, &st->s[S_POS], st->posd, np);
            posb += st->s[S_POS].packed - pb;
            count_groups(st, &st->s[S_POS1], st->pos1, n1);
            count_groups(st, &st->s[S_POSR], st->posr, nr);
            n_pos += np;
        }
    }
    hks_pc_close(&c);
    if (rc)
        return rc;
    st->df_terms[cls]++;
    st->df_post[cls] += e->df;
    st->df_pos[cls] += n_pos;
    st->df_docb[cls] += docb;
    st->df_posb[cls] += posb;
    if (n_pos)
        keep_top(term, len, e->df, n_pos, posb);
    return HKS_OK;
}

static void print_cost(const char *name, const cost *c)
{
    double n = c->values ? (double)c->values : 1.0;
    printf("%-10s %12llu  fixed %11llu (%5.2f bits)  block.c %11llu (%5.2f bits)  vbyte %11llu "
           "(%5.2f bits)  svb %11llu (%5.2f bits)\n",
           name, (unsigned long long)c->values, (unsigned long long)c->fixed,
           8.0 * (double)c->fixed / n, (unsigned long long)c->packed,
           8.0 * (double)c->packed / n, (unsigned long long)c->vbyte,
           8.0 * (double)c->vbyte / n, (unsigned long long)c->svb, 8.0 * (double)c->svb / n);
    printf("%-10s groups %llu, %llu with exceptions, %llu exceptions (%.2f%% of the values)\n", "",
           (unsigned long long)c->groups, (unsigned long long)c->exc_groups,
           (unsigned long long)c->exc, 100.0 * (double)c->exc / n);
}

/* Bytes of each section of one segment file. */
static void print_sections(const char *dir, const char *name)
{
    hks_filer f;
    hks_errbuf err = {{0}};
    char path[4096];
    int i;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (hks_filer_open(&f, NULL, path, HKS_KIND_SEGMENT, &err)) {
        fprintf(stderr, "poststat: %s\n", err.msg);
        return;
    }
    printf("%s:", name);
    for (i = 0; i < f.n_sec; i++)
        printf(" %s %llu", hks_section_name(f.sec[i].id), (unsigned long long)f.sec[i].len);
    printf("\n");
    hks_filer_close(&f);
}

int main(int argc, char **argv)
{
    hks_manifest m;
    hks_errbuf err = {{0}};
    stats st;
    uint32_t g;
    size_t i;
    uint64_t post, lex_bytes = 0, tot_post_bytes = 0;
    int s;
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: poststat INDEX [TOP]\n");
        return 2;
    }
    if (argc == 3)
        max_top = strtoul(argv[2], NULL, 10) < 64 ? strtoul(argv[2], NULL, 10) : 64;
    memset(&st, 0, sizeof st);
    hks_buf_init(&st.buf, NULL);
    if (hks_manifest_read(NULL, argv[1], false, &m, &err)) {
        fprintf(stderr, "poststat: %s\n", err.msg);
        return 1;
    }
    for (g = 0; g < m.n_seg; g++) {
        hks_segment *seg = NULL;
        walk w;
        uint64_t total, ds;
        if (hks_seg_open(NULL, argv[1], &m.seg[g], &err, &seg)) {
            fprintf(stderr, "poststat: %s\n", err.msg);
            return 1;
        }
        w.st = &st;
        w.seg = seg;
        w.err = &err;
        if (hks_seg_each_term(seg, on_term, &w, &err)) {
            fprintf(stderr, "poststat: %s\n", err.msg);
            return 1;
        }
        total = hks_seg_bytes(seg, &post, &ds);
        tot_post_bytes += post;
        lex_bytes += total - post - ds; /* lexicon, docs, meta and the rest */
        hks_seg_close(seg);
        print_sections(argv[1], m.seg[g].name);
    }
    post = st.s[S_GAP].values;
    printf("terms %llu  postings %llu  positions %llu\n", (unsigned long long)st.terms,
           (unsigned long long)post, (unsigned long long)st.s[S_POS].values);
    printf("on disk: postings %llu bytes = doc part (skip table, doc gaps, tfs) %llu + "
           "positions %llu; with the lexicon %llu\n",
           (unsigned long long)(st.doc_bytes + st.pos_bytes), (unsigned long long)st.doc_bytes,
           (unsigned long long)st.pos_bytes, (unsigned long long)tot_post_bytes);
    printf("skip table %llu bytes (%.3f bytes per posting)\n", (unsigned long long)st.skip,
           post ? (double)st.skip / (double)post : 0.0);
    for (s = 0; s < S_N; s++)
        print_cost(stream_name[s], &st.s[s]);
    printf("first positions in ceil(log2(doc length)) bits each: %llu bytes (%llu past the "
           "length)\n",
           (unsigned long long)((st.first_bits + 7) / 8), (unsigned long long)st.first_over);
    printf("blocks %llu, with every tf 1: %llu, of one document: %llu\n",
           (unsigned long long)st.blocks, (unsigned long long)st.blocks_tf1,
           (unsigned long long)st.blocks_n1);
    printf("bytes per posting (gaps + tfs + skip): fixed %.3f  block.c %.3f\n",
           (double)(st.s[S_GAP].fixed + st.s[S_TF].fixed + st.skip) / (double)(post ? post : 1),
           (double)(st.s[S_GAP].packed + st.s[S_TF].packed + st.skip) /
               (double)(post ? post : 1));
    printf("bytes per position: fixed %.3f  block.c %.3f\n",
           (double)st.s[S_POS].fixed / (double)(st.s[S_POS].values ? st.s[S_POS].values : 1),
           (double)st.s[S_POS].packed / (double)(st.s[S_POS].values ? st.s[S_POS].values : 1));
    printf("sections other than postings and text: %llu bytes; term bytes in the lexicon "
           "(before front coding) %llu\n",
           (unsigned long long)lex_bytes, (unsigned long long)st.lex_suffix);
    printf("\n%-12s %9s %12s %12s %12s %12s\n", "df", "terms", "postings", "positions",
           "doc bytes", "pos bytes");
    for (i = 0; i < N_DF; i++)
        printf("%-12s %9llu %12llu %12llu %12llu %12llu\n", df_name[i],
               (unsigned long long)st.df_terms[i], (unsigned long long)st.df_post[i],
               (unsigned long long)st.df_pos[i], (unsigned long long)st.df_docb[i],
               (unsigned long long)st.df_posb[i]);
    if (n_top)
        printf("\nterms with the most position bytes (block.c):\n");
    for (i = 0; i < n_top; i++)
        printf("%.*s\tdf %u\tpositions %llu\tbytes %llu\t%.2f bits\n", (int)tops[i].len,
               (const char *)tops[i].term, tops[i].df, (unsigned long long)tops[i].n_pos,
               (unsigned long long)tops[i].pos_bytes,
               8.0 * (double)tops[i].pos_bytes / (double)tops[i].n_pos);
    free(st.posd);
    free(st.pos1);
    free(st.posr);
    hks_buf_free(&st.buf);
    hks_manifest_free(NULL, &m);
    return 0;
}
