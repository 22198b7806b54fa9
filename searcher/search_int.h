/*
 * search_int.h: what searcher.c and snippet.c share: the index and
 * searcher handles. Internal to searcher/.
 */
#ifndef HKS_SEARCH_INT_H
#define HKS_SEARCH_INT_H

#include "hks_seg.h"

struct hks_index {
    hks_alloc alloc;        /* copy of the caller's allocator            */
    const hks_alloc *a;     /* &alloc, or NULL for malloc                */
    char *dir;
    hks_errbuf err;
    hks_manifest man;       /* the commit this handle sees               */
    hks_segment **seg;
    uint32_t n_seg;
    uint32_t *base;         /* first global doc id of each segment       */
    uint64_t n_docs;        /* documents, deleted included               */
    uint64_t n_live;        /* live documents: BM25's N                  */
    uint64_t live_tokens;   /* their total length                        */
    double avgdl;           /* live_tokens / n_live, never 0             */
};

struct hks_searcher {
    hks_index *idx;
    const hks_alloc *a;
    hks_errbuf err;
    double k1, b;
    bool count_partial;
    hks_ntext nt;           /* scratch: query and snippet normalization   */
    hks_query qy;           /* the query being run                        */
    hks_ds_cursor *dc;      /* document store reads                       */
    hks_buf meta;           /* hks_doc_meta strings                       */
};

/* Segment and local number of a global doc id; false if out of range. */
HKS_INTERNAL bool hks_index_locate(const hks_index *idx, uint32_t doc_id,
                                   uint32_t *seg, uint32_t *local);

#endif
