/*
 * simhash.c: the near-duplicate fingerprint of an article (Charikar's
 * SimHash). Reprints of one story (the same report on two sites, a copy
 * that differs by a photo caption) get fingerprints a few bits apart,
 * different stories about half the bits apart, so the searcher can fold
 * copies into one hit by Hamming distance (searcher/collapse.c).
 *
 * Input: the normalized body (NFKC, case folded, traditional folded to
 * simplified: a reprint in the other script is the same text). The title
 * is left out on purpose: cctv_xwlb has 1,638 different stories under the
 * one title 国内联播快讯, and a copy is a copy whatever its headline.
 * Separators (spaces, punctuation, symbols) are dropped, so a reprint whose
 * punctuation or line breaks differ still matches. Shingles are the
 * windows of HKS_SHINGLE_WINDOW consecutive remaining code points (four
 * characters: one bigram of the index's tokens and the next two, which
 * told stories apart better than windows of two or three on the news
 * set); each shingle, with its multiplicity, votes on every bit of the
 * fingerprint by the bits of its 64-bit hash.
 *
 * A body with fewer than HKS_SIMHASH_MIN_SHINGLES (200) shingles, about
 * 200 characters, gets HKS_SIMHASH_NONE (0) and never collapses: on the
 * news set, short items of one template (a province's daily case counts,
 * "the US has at least N cases") differ in a few numbers only and came out
 * as close as true reprints, while from 200 characters up nearly every
 * close pair was one story. A computed 0 is stored as 1 (one bit of
 * difference, within any threshold used).
 */
#include <string.h>

#include "hks_indexer.h"

/* Votes of shingles on the 64 bits, kept as eight 8-bit lanes in each of
 * eight words (lane i of word k counts bit 8 k + i) so that one shingle
 * costs eight table-free adds, not 64; flushed into 32-bit totals before
 * a lane can overflow. */
typedef struct votes {
    uint64_t lane[8];
    uint32_t pending; /* weight added to the lanes since the last flush */
    uint64_t total;   /* weight of every shingle so far                 */
    uint32_t ones[64];
} votes;

static void flush_votes(votes *v)
{
    int k, i;
    for (k = 0; k < 8; k++) {
        for (i = 0; i < 8; i++)
            v->ones[8 * k + i] += (uint32_t)(v->lane[k] >> (8 * i) & 0xFF);
        v->lane[k] = 0;
    }
    v->pending = 0;
}

/* Byte b spread into eight lanes: lane i = bit i of b. */
static uint64_t spread(uint64_t b)
{
    return (((b & 0x7F) * 0x0002040810204081ull) & 0x0101010101010101ull) | (b >> 7) << 56;
}

static void vote(votes *v, uint64_t x, uint32_t w)
{
    int k;
    if (v->pending + w > 255)
        flush_votes(v);
    for (k = 0; k < 8; k++)
        v->lane[k] += spread(x >> (8 * k) & 0xFF) * w;
    v->pending += w;
    v->total += w;
}

uint64_t hks_simhash(const hks_ntext *t)
{
    hks_shingler sg;
    votes v;
    size_t i, n_sh = 0;
    uint64_t h = 0, x;
    int b;

    memset(&v, 0, sizeof v);
    memset(&sg, 0, sizeof sg);
    for (i = 0; i < t->n; i++)
        if (hks_shingle_push(&sg, t->cp[i], &x)) {
            vote(&v, x, 1);
            n_sh++;
        }
    if (n_sh < HKS_SIMHASH_MIN_SHINGLES)
        return HKS_SIMHASH_NONE;
    flush_votes(&v);
    for (b = 0; b < 64; b++)
        if ((uint64_t)v.ones[b] * 2 > v.total)
            h |= 1ull << b;
    return h == HKS_SIMHASH_NONE ? 1 : h;
}
