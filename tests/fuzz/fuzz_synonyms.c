/*
 * fuzz_synonyms.c: the synonym table. The first input byte picks what the
 * rest is (byte % 3):
 *   0  a user's alias text for hks_syn_parse: a section, or HKS_ERR_INPUT
 *      with a message; a section it makes decodes again to as many groups
 *   1  the bytes of a SYNONYMS section for hks_syn_decode: a well-formed
 *      table (every group 2..64 aliases of 1..255 bytes inside the input),
 *      or HKS_ERR_CORRUPT with a message
 *   2  a query, searched over a small index (built at the first call)
 *      whose table has aliases of its documents: HKS_OK, HKS_ERR_QUERY or
 *      HKS_ERR_ARG, and every expansion reported is an alias of its group
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "hks_searcher.h"

static hks_index *g_idx;
static hks_searcher *g_srch;

static const char k_table[] = "疫苗接种 / 接种疫苗 / 打疫苗\n"
                              "医院 / 醫院管理局 / hospital\n"
                              "新冠 / 新冠肺炎 / COVID-19 / 2019-nCoV\n"
                              "卫健委 / 卫生健康委员会\n"
                              "h1n1 / 甲型流感\n";

static void close_index(void)
{
    hks_searcher_free(g_srch);
    hks_index_close(g_idx);
}

static void open_index(void)
{
    char dir[1024];
    hks_writer *w = NULL;
    fuzz_subdir(dir, sizeof dir, "synonyms-index");
    fuzz_build_index(dir);
    fuzz_check(hks_writer_open(dir, NULL, &w) == HKS_OK);
    fuzz_check(hks_writer_set_synonyms(w, "t", k_table, strlen(k_table)) == HKS_OK);
    hks_writer_close(w);
    fuzz_check(hks_index_open(dir, NULL, &g_idx) == HKS_OK);
    fuzz_check(hks_searcher_new(g_idx, &g_srch) == HKS_OK);
    atexit(close_index);
}

static void check_table(const hks_syndata *d, const uint8_t *p, size_t n)
{
    uint32_t g, i;
    fuzz_check(d->group_first[0] == 0 && d->group_first[d->n_groups] == d->n_alias);
    for (g = 0; g < d->n_groups; g++) {
        uint32_t k = d->group_first[g + 1] - d->group_first[g];
        fuzz_check(d->group_first[g + 1] > d->group_first[g] && k >= 2 && k <= HKS_SYN_MAX_GROUP);
    }
    for (i = 0; i < d->n_alias; i++) {
        const hks_synalias *a = &d->alias[i];
        fuzz_check(a->text_len >= 1 && a->text_len <= HKS_SYN_MAX_ALIAS_BYTES);
        fuzz_check(a->norm_len >= 1 && a->norm_len <= HKS_SYN_MAX_ALIAS_BYTES);
        fuzz_check(a->text >= p && a->text + a->text_len <= p + n);
        fuzz_check(a->norm >= p && a->norm + a->norm_len <= p + n);
        fuzz_check(a->group < d->n_groups);
    }
}

static void do_parse(const uint8_t *data, size_t size)
{
    hks_buf sec;
    hks_errbuf err = {{0}};
    uint32_t n_groups = 0;
    int rc;
    hks_buf_init(&sec, NULL);
    rc = hks_syn_parse(NULL, "f", (const char *)data, size, &sec, &n_groups, &err);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_INPUT || rc == HKS_ERR_NOMEM);
    if (rc) {
        fuzz_check(err.msg[0] != '\0');
    } else {
        hks_syndata d;
        memset(&d, 0, sizeof d);
        fuzz_check(hks_syn_decode(NULL, sec.p ? sec.p : (const uint8_t *)"", sec.n, "f", &d,
                                  &err) == HKS_OK);
        fuzz_check(d.n_groups == n_groups);
        check_table(&d, sec.p, sec.n);
        hks_syn_free(NULL, &d);
    }
    hks_buf_free(&sec);
}

static void do_decode(const uint8_t *data, size_t size)
{
    hks_syndata d;
    hks_errbuf err = {{0}};
    int rc;
    memset(&d, 0, sizeof d);
    rc = hks_syn_decode(NULL, data, size, "f", &d, &err);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_CORRUPT || rc == HKS_ERR_NOMEM);
    if (rc)
        fuzz_check(err.msg[0] != '\0');
    else
        check_table(&d, data, size);
    hks_syn_free(NULL, &d);
}

static void do_search(const uint8_t *data, size_t size)
{
    hks_hit hits[8];
    size_t n_hits = 0, i, j;
    hks_synonym_use u;
    int rc;
    if (!g_idx)
        open_index();
    rc = hks_search(g_srch, (const char *)data, size, hits, 8, &n_hits, NULL);
    fuzz_check(rc == HKS_OK || rc == HKS_ERR_QUERY || rc == HKS_ERR_ARG);
    for (i = 0; hks_searcher_synonym_use(g_srch, i, &u) == HKS_OK; i++) {
        bool in_group = false;
        fuzz_check(i < HKS_MAX_SYN_USES && u.n_group >= 2);
        for (j = 0; j < u.n_group; j++)
            in_group = in_group || u.group[j] == u.alias;
        fuzz_check(in_group);
    }
    for (i = 0; rc == HKS_OK && i < n_hits; i++) {
        char snip[512];
        size_t len = 0, n_sp = 0;
        hks_span sp[8];
        int r2 = hks_snippet(g_srch, hits[i].doc_id, (const char *)data, size, 40, snip,
                             sizeof snip, &len, sp, 8, &n_sp);
        fuzz_check(r2 == HKS_OK || r2 == HKS_ERR_BUFSIZE);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0] % 3) {
    case 0:
        do_parse(data + 1, size - 1);
        break;
    case 1:
        do_decode(data + 1, size - 1);
        break;
    default:
        do_search(data + 1, size - 1);
        break;
    }
    return 0;
}
