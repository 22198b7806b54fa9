/*
 * embed.c: a program that embeds libhks. It builds an index from the
 * articles named on the command line (or from three built-in ones), then
 * searches it and prints each hit with its highlighted snippet.
 *
 *   cc embed.c $(pkg-config --cflags --libs hks) -o embed
 *   ./embed INDEX_DIR "疫苗接种" [SOURCE...]
 */
#include <stdio.h>
#include <string.h>

#include <hks.h>

static const char *const sample[][3] = {
    {"a1", "社区开展新冠疫苗接种", "本周社区卫生服务中心为居民开展新冠疫苗接种。"},
    {"a2", "醫院擴大疫苗接種", "多間醫院擴大疫苗接種服務，市民可預約。"},
    {"a3", "义诊活动", "医生走进乡村开展义诊，为老人测量血压。"},
};

static int die(const char *what, int rc, const char *msg)
{
    fprintf(stderr, "embed: %s: %s: %s\n", what, hks_strerror(rc), msg);
    return 1;
}

int main(int argc, char **argv)
{
    hks_writer *w = NULL;
    hks_index *idx = NULL;
    hks_searcher *s = NULL;
    hks_hit hits[10];
    hks_search_info info;
    size_t n = 0, i;
    int rc, k;

    if (argc < 3) {
        fprintf(stderr, "usage: embed INDEX_DIR QUERY [SOURCE...]\n");
        return 2;
    }
    printf("libhks %s\n", hks_version_string());
    rc = hks_writer_open(argv[1], NULL, &w);
    if (rc < 0)
        return die("open writer", rc, hks_writer_errmsg(w));
    if (argc == 3) {
        for (k = 0; k < 3; k++) {
            hks_doc d;
            memset(&d, 0, sizeof d);
            d.collection = "sample";
            d.collection_len = 6;
            d.id = sample[k][0];
            d.id_len = strlen(d.id);
            d.title = sample[k][1];
            d.title_len = strlen(d.title);
            d.body = sample[k][2];
            d.body_len = strlen(d.body);
            if ((rc = hks_writer_add(w, &d)) < 0)
                return die("add", rc, hks_writer_errmsg(w));
        }
    }
    for (k = 3; k < argc; k++)
        if ((rc = hks_writer_add_path(w, argv[k], NULL)) < 0)
            return die(argv[k], rc, hks_writer_errmsg(w));
    if ((rc = hks_writer_commit(w)) < 0)
        return die("commit", rc, hks_writer_errmsg(w));
    hks_writer_close(w);

    rc = hks_index_open(argv[1], NULL, &idx);
    if (rc < 0)
        return die("open index", rc, hks_index_errmsg(idx));
    if ((rc = hks_searcher_new(idx, &s)) < 0)
        return die("searcher", rc, hks_searcher_errmsg(s));
    rc = hks_search(s, argv[2], strlen(argv[2]), hits, 10, &n, &info);
    if (rc < 0)
        return die("search", rc, hks_searcher_errmsg(s));
    for (i = 0; i < n; i++) {
        hks_doc_meta m;
        char snip[512];
        size_t len;
        hks_span sp[8];
        size_t nsp;
        if (hks_doc_meta_get(s, hits[i].doc_id, &m) < 0)
            return die("meta", -1, hks_searcher_errmsg(s));
        printf("%zu\t%s\t%.3f\t%s\n", i + 1, m.id, hits[i].score, m.title);
        if (hks_snippet(s, hits[i].doc_id, argv[2], strlen(argv[2]), 60, snip, sizeof snip, &len,
                        sp, 8, &nsp) == HKS_OK)
            printf("\t%s (%zu highlights)\n", snip, nsp);
    }
    printf("%llu exact matches\n", (unsigned long long)info.n_exact);
    /* Paging: the second page of one hit each. The caller's buffer holds
     * the page only; the library keeps the ranking up to it. */
    {
        hks_hit page[1];
        size_t np = 0;
        hks_doc_meta m;
        rc = hks_search_page(s, argv[2], strlen(argv[2]), 1, page, 1, &np, NULL);
        if (rc < 0)
            return die("search page", rc, hks_searcher_errmsg(s));
        if (np == 1 && hks_doc_meta_get(s, page[0].doc_id, &m) == HKS_OK)
            printf("page 2\t%s\n", m.id);
    }
    hks_searcher_free(s);
    hks_index_close(idx);
    return n ? 0 : 1;
}
