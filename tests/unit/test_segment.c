/*
 * test_segment.c: a segment written by seg_write.c reads back through
 * segment.c: the dictionary (exact and prefix lookup, iteration), postings
 * cursors over full and partial blocks with skipping, positions, document
 * records and metadata; a corrupt byte in a checked section is reported.
 */
#include "hks_test.h"
#include "hks_indexer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_DOCS 1000

static char g_dir[4096];

static hks_ds_writer *make_doc_store(void)
{
    hks_ds_writer *w;
    uint32_t d;
    char body[64];
    assert_int_equal(hks_ds_writer_new(hks_test_cm_alloc(), 3, &w), HKS_OK);
    for (d = 0; d < N_DOCS; d++) {
        int k = snprintf(body, sizeof body, "文章 %u", d);
        assert_int_equal(hks_ds_writer_add(w, body, (size_t)k), HKS_OK);
    }
    return w;
}

/* Term "医生": only doc 7. Term "医院": every 3rd doc, tf = 1 + d % 4,
 * positions 5, 10, ... Term "疫苗": every doc (8 blocks, the last partial).
 * With out_of_order, a last term out of byte order must be refused and the
 * unfinished file removed. */
static void write_segment(const char *path, bool out_of_order)
{
    hks_segw *w;
    hks_errbuf err = {{0}};
    hks_ds_writer *ds = make_doc_store();
    uint32_t d, *docs = malloc(N_DOCS * 4), *tfs = malloc(N_DOCS * 4);
    uint32_t *pos = malloc(N_DOCS * 4 * 4);
    hks_plist pl;
    uint32_t n = 0, np = 0;
    uint64_t bytes = 0;
    assert_int_equal(hks_segw_open(hks_test_cm_alloc(), path, &err, &w), HKS_OK);
    for (d = 0; d < N_DOCS; d++) {
        hks_docrec rec = {100 + d, 3, 20200101 + d % 28, 0, d};
        char id[16];
        const char *meta[HKS_META_N] = {"news", id, "标题", "2020-01-01", "来源", "", "作者", "分类", "标签一\n标签二"};
        size_t ml[HKS_META_N];
        int i;
        snprintf(id, sizeof id, "d%u", d);
        for (i = 0; i < HKS_META_N; i++)
            ml[i] = strlen(meta[i]);
        assert_int_equal(hks_segw_add_doc(w, &rec, meta, ml), HKS_OK);
    }
    docs[0] = 7;
    tfs[0] = 2;
    pos[0] = 1;
    pos[1] = 4;
    pl.n_docs = 1;
    pl.docs = docs;
    pl.tfs = tfs;
    pl.pos = pos;
    assert_int_equal(hks_segw_add_term(w, (const uint8_t *)"医生", 6, &pl), HKS_OK);
    for (d = 0; d < N_DOCS; d += 3) {
        uint32_t j;
        docs[n] = d;
        tfs[n] = 1 + d % 4;
        for (j = 0; j < tfs[n]; j++)
            pos[np++] = 5 * (j + 1);
        n++;
    }
    pl.n_docs = n;
    assert_int_equal(hks_segw_add_term(w, (const uint8_t *)"医院", 6, &pl), HKS_OK);
    for (d = 0, np = 0; d < N_DOCS; d++) {
        docs[d] = d;
        tfs[d] = 1;
        pos[np++] = d % 50;
    }
    pl.n_docs = N_DOCS;
    assert_int_equal(hks_segw_add_term(w, (const uint8_t *)"疫苗", 6, &pl), HKS_OK);
    if (out_of_order) {
        FILE *f;
        assert_int_equal(hks_segw_add_term(w, (const uint8_t *)"医", 3, &pl), HKS_ERR_INTERNAL);
        hks_segw_free(w);
        f = fopen(path, "rb");
        assert_null(f);
    } else {
        assert_int_equal(hks_segw_finish(w, ds, &bytes), HKS_OK);
        assert_true(bytes > 0);
        hks_segw_free(w);
    }
    hks_ds_writer_free(ds);
    free(docs);
    free(tfs);
    free(pos);
}

static int setup(void **state)
{
    char path[4200];
    (void)state;
    if (hks_test_tmpdir(g_dir, sizeof g_dir))
        return -1;
    snprintf(path, sizeof path, "%s/seg-000001.hks", g_dir);
    write_segment(path, true);
    write_segment(path, false);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hks_test_rmtree(g_dir);
    return 0;
}

static hks_segment *open_seg(void)
{
    hks_seginfo si;
    hks_segment *s = NULL;
    hks_errbuf err = {{0}};
    memset(&si, 0, sizeof si);
    strcpy(si.name, "seg-000001.hks");
    si.n_docs = N_DOCS;
    assert_int_equal(hks_seg_open(hks_test_cm_alloc(), g_dir, &si, &err, &s), HKS_OK);
    return s;
}

static void test_segment_lookup_exact_and_missing(void **state)
{
    hks_segment *s = open_seg();
    hks_lexent e;
    hks_errbuf err = {{0}};
    (void)state;
    assert_int_equal(hks_seg_nterms(s), 3);
    assert_int_equal(hks_seg_lookup(s, (const uint8_t *)"医院", 6, &e, &err), HKS_OK);
    assert_int_equal(e.df, (N_DOCS + 2) / 3);
    assert_int_equal(hks_seg_lookup(s, (const uint8_t *)"医生", 6, &e, &err), HKS_OK);
    assert_int_equal(e.df, 1);
    assert_int_equal(hks_seg_lookup(s, (const uint8_t *)"医", 3, &e, &err), HKS_ERR_NOTFOUND);
    assert_int_equal(hks_seg_lookup(s, (const uint8_t *)"医师", 6, &e, &err), HKS_ERR_NOTFOUND);
    assert_int_equal(hks_seg_lookup(s, (const uint8_t *)"zz", 2, &e, &err), HKS_ERR_NOTFOUND);
    hks_seg_close(s);
}

static int count_term(void *ctx, const uint8_t *t, size_t n, const hks_lexent *e)
{
    (void)t;
    (void)n;
    (void)e;
    (*(int *)ctx)++;
    return HKS_OK;
}

static void test_segment_prefix_finds_every_term_of_a_character(void **state)
{
    hks_segment *s = open_seg();
    hks_errbuf err = {{0}};
    int n = 0;
    (void)state;
    assert_int_equal(hks_seg_prefix(s, (const uint8_t *)"医", 3, count_term, &n, &err), HKS_OK);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(hks_seg_prefix(s, (const uint8_t *)"疫", 3, count_term, &n, &err), HKS_OK);
    assert_int_equal(n, 1);
    n = 0;
    assert_int_equal(hks_seg_prefix(s, (const uint8_t *)"卫", 3, count_term, &n, &err), HKS_OK);
    assert_int_equal(n, 0);
    n = 0;
    assert_int_equal(hks_seg_each_term(s, count_term, &n, &err), HKS_OK);
    assert_int_equal(n, 3);
    hks_seg_close(s);
}

static void test_segment_cursor_reads_back_every_posting(void **state)
{
    hks_segment *s = open_seg();
    hks_errbuf err = {{0}};
    hks_lexent e;
    hks_pcur c;
    uint32_t expect = 0;
    int rc;
    (void)state;
    assert_int_equal(hks_seg_lookup(s, (const uint8_t *)"医院", 6, &e, &err), HKS_OK);
    for (rc = hks_pc_open(&c, hks_test_cm_alloc(), s, &e, &err); rc == HKS_OK && c.doc != HKS_END;
         rc = hks_pc_next(&c)) {
        const uint32_t *p;
        uint32_t n, j;
        assert_int_equal(c.doc, expect);
        assert_int_equal(c.tf, 1 + expect % 4);
        assert_int_equal(hks_pc_positions(&c, &p, &n), HKS_OK);
        assert_int_equal(n, c.tf);
        for (j = 0; j < n; j++)
            assert_int_equal(p[j], 5 * (j + 1));
        expect += 3;
    }
    assert_int_equal(rc, HKS_OK);
    assert_int_equal(expect, 1002);
    hks_pc_close(&c);
    hks_seg_close(s);
}

static void test_segment_cursor_advance_skips_blocks(void **state)
{
    hks_segment *s = open_seg();
    hks_errbuf err = {{0}};
    hks_lexent e;
    hks_pcur c;
    const uint32_t *p;
    uint32_t n, mt, md;
    (void)state;
    assert_int_equal(hks_seg_lookup(s, (const uint8_t *)"疫苗", 6, &e, &err), HKS_OK);
    assert_int_equal(hks_pc_open(&c, hks_test_cm_alloc(), s, &e, &err), HKS_OK);
    hks_pc_range_bound(&c, 0, HKS_END - 1, &mt, &md); /* the whole term */
    assert_int_equal(mt, 1);
    assert_int_equal(md, 100);
    assert_int_equal(hks_pc_advance(&c, 0), HKS_OK);
    assert_int_equal(c.doc, 0);
    assert_int_equal(hks_pc_advance(&c, 127), HKS_OK); /* end of block 0 */
    assert_int_equal(c.doc, 127);
    assert_int_equal(hks_pc_advance(&c, 128), HKS_OK); /* start of block 1 */
    assert_int_equal(c.doc, 128);
    assert_int_equal(hks_pc_advance(&c, 700), HKS_OK); /* several blocks on */
    assert_int_equal(c.doc, 700);
    assert_int_equal(hks_pc_positions(&c, &p, &n), HKS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(p[0], 700 % 50);
    /* block-max bounds over docs 700..800: blocks 5 (640..767) and 6 */
    hks_pc_range_bound(&c, 700, 800, &mt, &md);
    assert_int_equal(mt, 1);
    assert_int_equal(md, 100 + 640);
    hks_pc_range_bound(&c, 770, 780, &mt, &md); /* block 6 alone */
    assert_int_equal(md, 100 + 768);
    assert_int_equal(hks_pc_advance(&c, 999), HKS_OK); /* last, partial block */
    assert_int_equal(c.doc, 999);
    hks_pc_range_bound(&c, 999, 999, &mt, &md); /* only the blocks still ahead */
    assert_int_equal(md, 100 + 896);
    assert_int_equal(hks_pc_next(&c), HKS_OK);
    assert_int_equal(c.doc, HKS_END);
    assert_int_equal(hks_pc_advance(&c, 5), HKS_OK); /* never backwards */
    assert_int_equal(c.doc, HKS_END);
    hks_pc_close(&c);
    hks_seg_close(s);
}

static void test_segment_docs_and_meta(void **state)
{
    hks_segment *s = open_seg();
    hks_errbuf err = {{0}};
    hks_docrec rec;
    const uint8_t *p[HKS_META_N];
    size_t n[HKS_META_N];
    (void)state;
    assert_int_equal(hks_seg_ndocs(s), N_DOCS);
    assert_int_equal(hks_seg_docrec(s, 42, &rec), HKS_OK);
    assert_int_equal(rec.n_tokens, 142);
    assert_int_equal(rec.date, 20200101 + 42 % 28);
    assert_int_equal(hks_seg_doclens(s)[999], 1099);
    assert_int_equal(hks_seg_meta(s, 42, p, n, &err), HKS_OK);
    assert_int_equal(n[HKS_META_ID], 3);
    assert_memory_equal(p[HKS_META_ID], "d42", 3);
    assert_int_equal(n[HKS_META_TAGS], strlen("标签一\n标签二"));
    assert_memory_equal(p[HKS_META_TAGS], "标签一\n标签二", n[HKS_META_TAGS]);
    assert_memory_equal(p[HKS_META_AUTHOR], "作者", n[HKS_META_AUTHOR]);
    assert_int_equal(hks_seg_docrec(s, N_DOCS, &rec), HKS_ERR_NOTFOUND);
    assert_int_equal(hks_seg_check(s, &err), HKS_OK);
    hks_seg_close(s);
}

static void test_segment_flipped_byte_is_corrupt(void **state)
{
    char path[4200], copy[4200];
    char *data;
    size_t n, i;
    FILE *f;
    (void)state;
    snprintf(path, sizeof path, "%s/seg-000001.hks", g_dir);
    assert_int_equal(hks_test_read_file(path, &data, &n), 0);
    /* Flip one byte near the end (section table / footer): the open must
     * fail with a corrupt or format error, naming the file. */
    for (i = n - 40; i < n; i += 7) {
        hks_seginfo si;
        hks_segment *s = NULL;
        hks_errbuf err = {{0}};
        int rc;
        snprintf(copy, sizeof copy, "%s/seg-000002.hks", g_dir);
        data[i] ^= 0x20;
        f = fopen(copy, "wb");
        assert_non_null(f);
        fwrite(data, 1, n, f);
        fclose(f);
        data[i] ^= 0x20;
        memset(&si, 0, sizeof si);
        strcpy(si.name, "seg-000002.hks");
        si.n_docs = N_DOCS;
        rc = hks_seg_open(hks_test_cm_alloc(), g_dir, &si, &err, &s);
        assert_true(rc == HKS_ERR_CORRUPT || rc == HKS_ERR_FORMAT);
        assert_non_null(strstr(err.msg, "seg-000002.hks"));
        assert_null(s);
    }
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segment_lookup_exact_and_missing),
        cmocka_unit_test(test_segment_prefix_finds_every_term_of_a_character),
        cmocka_unit_test(test_segment_cursor_reads_back_every_posting),
        cmocka_unit_test(test_segment_cursor_advance_skips_blocks),
        cmocka_unit_test(test_segment_docs_and_meta),
        cmocka_unit_test(test_segment_flipped_byte_is_corrupt),
    };
    return cmocka_run_group_tests_name("segment", tests, setup, teardown);
}
