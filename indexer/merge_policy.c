/*
 * merge_policy.c: which segments a commit merges (hks_indexer.h). A
 * long-lived index that receives small batches keeps few segments, while
 * its big segment is rewritten only rarely: the tiered mode merges the
 * smallest segments once there are more than HKS_MAX_SEGMENTS.
 */
#include "hks_indexer.h"

void hks_merge_pick(int mode, const hks_segsize *seg, uint32_t n, uint32_t *pick,
                    uint32_t *n_pick)
{
    uint32_t i, n_live = 0;
    bool any_del = false;
    *n_pick = 0;
    for (i = 0; i < n; i++)
        if (seg[i].live > 0) {
            pick[n_live++] = i;
            any_del |= seg[i].deleted > 0;
        }
    if (mode == 2) {
        if (n_live > 1 || any_del)
            *n_pick = n_live;
        return;
    }
    if (mode != 1 || n_live <= HKS_MAX_SEGMENTS)
        return;
    /* Sort by live size, smallest first (insertion sort: few segments). */
    for (i = 1; i < n_live; i++) {
        uint32_t v = pick[i], j = i;
        while (j && seg[pick[j - 1]].live > seg[v].live) {
            pick[j] = pick[j - 1];
            j--;
        }
        pick[j] = v;
    }
    *n_pick = n_live - HKS_MERGE_TO + 1;
    /* Merge in the segments' original (document) order. */
    for (i = 1; i < *n_pick; i++) {
        uint32_t v = pick[i], j = i;
        while (j && pick[j - 1] > v) {
            pick[j] = pick[j - 1];
            j--;
        }
        pick[j] = v;
    }
}
