/*
 * boiler.c: site boilerplate found from the collection itself. The writer
 * (writer.c) counts, per collection, in how many articles each line of a
 * body occurs (a pre-pass over a source before it is indexed, or each
 * document as it is added); memidx.c asks which lines of a body are
 * boilerplate before tokenizing it, and indexes their tokens under a key
 * of their own (the byte 0x02 before the term), out of the document's
 * length and out of the postings a query reads by default. The counts
 * travel in every segment written (BOILER section, layout at the top of
 * format/format.c), so a later writer starts from what is known.
 *
 * A line is the bytes between two line breaks, compared without its white
 * space (spaces, tabs, U+00A0, U+3000, U+200B, U+FEFF). A body line that is
 * not the title is boilerplate when
 *   - it occurs in at least HI(N) = max(5, N / 50) articles of its
 *     collection of N counted articles (site furniture: a subscription
 *     appeal, a dateline, a column's standing byline), or
 *   - it occurs in at least LO(N) = max(5, N / 1000) articles and belongs
 *     to a run of at least two consecutive such lines that starts the body
 *     or ends it, each two neighbours of the run also seen one after the
 *     other in at least LO(N) articles (a navigation bar, a columnist's
 *     byline and bio under the article; not a common short line such as
 *     因為， that happens to stand just before the appeal), or
 *   - it is the body's first line and occurs in at least MID(N) = max(5,
 *     N / 200) articles (a promotion or a photo credit above the text; not
 *     so at the tail, where a news agency's closing formulas stand: 会议还
 *     研究了其他事项。 ends 0.6% of the cctv_xwlb stories), or
 *   - it occurs in at least LO(N) articles and stands next to a line of
 *     the first rule, or next to such a line in turn, each two neighbours
 *     also seen one after the other in at least LO(N) articles (a block
 *     around the appeal: hkcnews printed it for a while behind 我們的眾籌活
 *     動已結束，謝謝你們的支持。, in 98 articles, on a line of its own
 *     between --- and the appeal's web address), or
 *   - it starts with a site-chrome marker (版权声明, 当前位置 ...), or it is
 *     short (at most SHORT_BYTES without white space) and holds one (设为首页,
 *     分享到, 责任编辑 ...); markers are matched on the normalized, folded
 *     text, so traditional pages match too.
 * Repeated news sentences (王毅参加会见。, a standard health advice) stay:
 * they recur in well under 2% of a collection's articles and stand alone
 * among lines of their own article, not in a repeated run at its edge.
 */
#include <stdlib.h>
#include <string.h>

#include "hks_indexer.h"

/* A line of at most this many bytes (without white space) is short: a
 * navigation item or a credit (30 CJK characters), not a paragraph. */
#define SHORT_BYTES 90
/* Bytes of a line's head normalized for the marker test: the markers are
 * at most 7 characters, and a short line is normalized whole. */
#define HEAD_BYTES 120

typedef struct bcoll {
    char *name; /* collection name (owned)                       */
    size_t name_len;
    uint64_t n_docs; /* articles counted                             */
    uint64_t *key;   /* open addressing: line hash (0: empty)         */
    uint32_t *cnt;   /* articles holding the line                     */
    uint32_t n, cap; /* lines; slots (a power of two, or 0)           */
} bcoll;

typedef struct bline {
    uint32_t start, end; /* bytes of the line in the body                */
    uint32_t n_bytes;    /* without white space                          */
    uint64_t h;          /* hash of the line without white space         */
    uint64_t ph;         /* hash of the pair (previous line, this line); 0
                            for the first line                            */
    bool bp;             /* judged boilerplate (hks_boiler_mark)         */
} bline;

struct hks_boiler {
    const hks_alloc *a;
    bcoll *c; /* collections in byte order of name                  */
    uint32_t n_c, cap_c;
    bline *ln; /* the lines of one body (scratch)                    */
    size_t n_ln, cap_ln;
    uint64_t *hs; /* their distinct hashes (scratch)                  */
    size_t cap_hs;
    hks_buf tmp;  /* a line without white space (scratch)             */
    hks_ntext nt; /* normalizer output of a line head (scratch)       */
};

int hks_boiler_new(const hks_alloc *a, hks_boiler **out)
{
    hks_boiler *b = hks_mem_calloc(a, 1, sizeof *b);
    *out = b;
    if (!b)
        return HKS_ERR_NOMEM;
    b->a = a;
    hks_buf_init(&b->tmp, a);
    hks_ntext_init(&b->nt, a);
    return HKS_OK;
}

static void free_coll(const hks_alloc *a, bcoll *c)
{
    hks_mem_free(a, c->name, 0);
    hks_mem_free(a, c->key, 0);
    hks_mem_free(a, c->cnt, 0);
    memset(c, 0, sizeof *c);
}

void hks_boiler_free(hks_boiler *b)
{
    uint32_t i;
    if (!b)
        return;
    for (i = 0; i < b->n_c; i++)
        free_coll(b->a, &b->c[i]);
    hks_mem_free(b->a, b->c, 0);
    hks_mem_free(b->a, b->ln, 0);
    hks_mem_free(b->a, b->hs, 0);
    hks_buf_free(&b->tmp);
    hks_ntext_free(&b->nt);
    hks_mem_free(b->a, b, sizeof *b);
}

static int cmp_name(const char *a, size_t an, const char *b, size_t bn)
{
    size_t m = an < bn ? an : bn;
    int c = m ? memcmp(a, b, m) : 0;
    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

/* Index of collection name in b->c, or where it would go (*found false). */
static uint32_t find_coll(const hks_boiler *b, const char *name, size_t n, bool *found)
{
    uint32_t lo = 0, hi = b->n_c;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = cmp_name(b->c[mid].name, b->c[mid].name_len, name, n);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

/* The collection's record, added when new; NULL on allocation failure. */
static bcoll *get_coll(hks_boiler *b, const char *name, size_t n)
{
    bool found;
    uint32_t i = find_coll(b, name, n, &found);
    char *copy;
    if (found)
        return &b->c[i];
    if (b->n_c == b->cap_c) {
        size_t nc;
        bcoll *p = hks_grow(b->a, b->c, sizeof *p, b->cap_c, (size_t)b->n_c + 1, 4, UINT32_MAX,
                            &nc);
        if (!p)
            return NULL;
        b->c = p;
        b->cap_c = (uint32_t)nc;
    }
    copy = hks_mem_strndup(b->a, name, n);
    if (!copy)
        return NULL;
    memmove(&b->c[i + 1], &b->c[i], (size_t)(b->n_c - i) * sizeof *b->c);
    memset(&b->c[i], 0, sizeof b->c[i]);
    b->c[i].name = copy;
    b->c[i].name_len = n;
    b->n_c++;
    return &b->c[i];
}

static uint32_t slot_of(uint64_t h, uint32_t cap)
{
    return (uint32_t)(h >> 32 ^ h) & (cap - 1);
}

static int grow_map(const hks_alloc *a, bcoll *c)
{
    uint32_t nc = c->cap ? c->cap * 2 : 1024, i;
    uint64_t *k;
    uint32_t *v;
    if (c->cap >= (1u << 30))
        return HKS_ERR_NOMEM;
    k = hks_mem_calloc(a, nc, sizeof *k);
    v = hks_mem_calloc(a, nc, sizeof *v);
    if (!k || !v) {
        hks_mem_free(a, k, 0);
        hks_mem_free(a, v, 0);
        return HKS_ERR_NOMEM;
    }
    for (i = 0; i < c->cap; i++) {
        uint32_t s;
        if (!c->key[i])
            continue;
        for (s = slot_of(c->key[i], nc); k[s]; s = (s + 1) & (nc - 1))
            ;
        k[s] = c->key[i];
        v[s] = c->cnt[i];
    }
    hks_mem_free(a, c->key, 0);
    hks_mem_free(a, c->cnt, 0);
    c->key = k;
    c->cnt = v;
    c->cap = nc;
    return HKS_OK;
}

/* The count slot of line hash h (h != 0), added with count 0 if new. */
static uint32_t *map_slot(const hks_alloc *a, bcoll *c, uint64_t h)
{
    uint32_t s;
    if ((uint64_t)(c->n + 1) * 2 > c->cap && grow_map(a, c))
        return NULL;
    for (s = slot_of(h, c->cap); c->key[s]; s = (s + 1) & (c->cap - 1))
        if (c->key[s] == h)
            return &c->cnt[s];
    c->key[s] = h;
    c->cnt[s] = 0;
    c->n++;
    return &c->cnt[s];
}

static uint32_t map_get(const bcoll *c, uint64_t h)
{
    uint32_t s;
    if (!c || !c->cap)
        return 0;
    for (s = slot_of(h, c->cap); c->key[s]; s = (s + 1) & (c->cap - 1))
        if (c->key[s] == h)
            return c->cnt[s];
    return 0;
}

/* Length of the white space at p[0..n) (0 if none). */
static size_t space_at(const uint8_t *p, size_t n)
{
    if (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' || p[0] == '\v' || p[0] == '\f')
        return 1;
    if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0) /* U+00A0 */
        return 2;
    if (n >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) /* U+3000 */
        return 3;
    if (n >= 3 && p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0x8B) /* U+200B */
        return 3;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) /* U+FEFF */
        return 3;
    return 0;
}

/* Copy p[0..n) without white space into b->tmp. */
static int strip(hks_boiler *b, const uint8_t *p, size_t n)
{
    size_t i = 0;
    int rc = 0;
    b->tmp.n = 0;
    if (!hks_buf_reserve(&rc, &b->tmp, n ? n : 1))
        return HKS_ERR_NOMEM;
    while (i < n) {
        size_t k = space_at(p + i, n - i);
        if (k) {
            i += k;
            continue;
        }
        b->tmp.p[b->tmp.n++] = p[i++];
    }
    return HKS_OK;
}

/* Hash of the white-space-free bytes in b->tmp; never 0 (0 marks an empty
 * slot). */
static uint64_t tmp_hash(const hks_boiler *b)
{
    uint64_t h = hks_hash64(b->tmp.p, b->tmp.n);
    return h ? h : 1;
}

/* The key of two neighbouring lines: the second's hash, as 8 bytes
 * little-endian, hashed with the first's as seed. Never 0. */
static uint64_t pair_hash(uint64_t first, uint64_t second)
{
    uint8_t v[8];
    uint64_t h;
    int i;
    for (i = 0; i < 8; i++)
        v[i] = (uint8_t)(second >> (8 * i));
    h = hks_hash64_seed(v, 8, first);
    return h ? h : 1;
}

/* Split body into its non-blank lines (b->ln). */
static int scan_lines(hks_boiler *b, const char *body, size_t n)
{
    const uint8_t *p = (const uint8_t *)body;
    size_t at = 0;
    b->n_ln = 0;
    if (n > HKS_MAX_TEXT_BYTES)
        return HKS_ERR_ARG;
    while (at < n) {
        const uint8_t *nl = memchr(p + at, '\n', n - at);
        size_t end = nl ? (size_t)(nl - p) : n;
        HKS_TRY(strip(b, p + at, end - at));
        if (b->tmp.n) {
            bline *l;
            if (b->n_ln == b->cap_ln) {
                bline *q = hks_grow(b->a, b->ln, sizeof *q, b->cap_ln, b->n_ln + 1, 64, SIZE_MAX,
                                    &b->cap_ln);
                if (!q)
                    return HKS_ERR_NOMEM;
                b->ln = q;
            }
            l = &b->ln[b->n_ln++];
            l->start = (uint32_t)at;
            l->end = (uint32_t)end;
            l->n_bytes = (uint32_t)b->tmp.n;
            l->h = tmp_hash(b);
            l->ph = b->n_ln > 1 ? pair_hash(b->ln[b->n_ln - 2].h, l->h) : 0;
        }
        at = end + 1;
    }
    return HKS_OK;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/*
 * Count one article of collection c: every distinct line of its body once.
 * @return HKS_OK or HKS_ERR_NOMEM (the counts may then hold part of it).
 */
int hks_boiler_count(hks_boiler *b, const char *c, size_t cn, const char *body, size_t n)
{
    bcoll *bc = get_coll(b, c ? c : "", c ? cn : 0);
    size_t i;
    if (!bc)
        return HKS_ERR_NOMEM;
    HKS_TRY(scan_lines(b, body ? body : "", body ? n : 0));
    if (2 * b->n_ln > b->cap_hs) {
        uint64_t *q = hks_grow(b->a, b->hs, sizeof *q, b->cap_hs, 2 * b->n_ln, 64, SIZE_MAX,
                               &b->cap_hs);
        if (!q)
            return HKS_ERR_NOMEM;
        b->hs = q;
    }
    /* Lines and pairs of neighbours share the table: both are hashes. */
    for (i = 0; i < b->n_ln; i++) {
        b->hs[2 * i] = b->ln[i].h;
        b->hs[2 * i + 1] = b->ln[i].ph;
    }
    qsort(b->hs, 2 * b->n_ln, sizeof *b->hs, cmp_u64);
    for (i = 0; i < 2 * b->n_ln; i++) {
        uint32_t *slot;
        if ((i && b->hs[i] == b->hs[i - 1]) || b->hs[i] == 0)
            continue;
        slot = map_slot(b->a, bc, b->hs[i]);
        if (!slot)
            return HKS_ERR_NOMEM;
        if (*slot < UINT32_MAX)
            (*slot)++;
    }
    bc->n_docs++;
    return HKS_OK;
}

/* Forget the counts of collection c (a sync counts it again, whole). */
void hks_boiler_forget(hks_boiler *b, const char *c, size_t cn)
{
    bool found;
    uint32_t i = find_coll(b, c ? c : "", c ? cn : 0, &found);
    if (!found)
        return;
    free_coll(b->a, &b->c[i]);
    memmove(&b->c[i], &b->c[i + 1], (size_t)(b->n_c - i - 1) * sizeof *b->c);
    b->n_c--;
}

/* Forget every collection's counts (a rebuild counts again from nothing). */
void hks_boiler_clear(hks_boiler *b)
{
    while (b->n_c)
        hks_boiler_forget(b, b->c[0].name, b->c[0].name_len);
}

void hks_boiler_thresholds(uint64_t n_docs, uint32_t *lo, uint32_t *hi)
{
    uint64_t l = n_docs / 1000, h = n_docs / 50;
    *lo = l > 5 ? (uint32_t)(l > UINT32_MAX ? UINT32_MAX : l) : 5;
    *hi = h > 5 ? (uint32_t)(h > UINT32_MAX ? UINT32_MAX : h) : 5;
}

/* Site-chrome markers, in normalized form (NFKC, case folded, simplified,
 * white space removed). A line starting with one of the first list is
 * boilerplate whatever its length; a short line starting with one of the
 * second, or holding one of the third, is too. Words that also occur in
 * news sentences (分享到, 下一篇, 相关新闻, 发表评论: 最後他分享到：, 奧運相關新聞
 * 主要..., 以色列国防军发言人当天拒绝发表评论。)
 * count only at the start of the line, where a navigation item has them. */
static const char *const prefix_markers[] = {
    "版权声明",
    "版权所有",
    "copyright",
    "当前位置",
    "您的位置",
    "您现在的位置",
    "现在位置",
    "责任编辑",
};
static const char *const short_prefix_markers[] = {
    "留言与评论",
    "发表评论",
    "分享到",
    "上一篇",
    "下一篇",
    "相关新闻",
    "相关阅读",
    "相关文章",
    "联系我们",
    "关于我们",
};
static const char *const short_markers[] = {
    "设为首页",
    "加入收藏",
    "打印本页",
    "关闭窗口",
    "扫一扫",
    "图片推荐",
    "返回顶部",
    "网站地图",
};
/* Credits: a short line starting with one of these, or with 【 and holding
 * one (【記者：…／編輯：…】); not a sentence that ends in 編輯: (晴子哭着
 * 請求編輯:). */
static const char *const credit_markers[] = {
    "编辑:",
    "责编:",
};

static bool starts_with_any(const uint8_t *p, size_t n, const char *const *m, size_t n_m)
{
    size_t i;
    for (i = 0; i < n_m; i++) {
        size_t k = strlen(m[i]);
        if (n >= k && memcmp(p, m[i], k) == 0)
            return true;
    }
    return false;
}

static bool has_marker(const uint8_t *p, size_t n, bool is_short)
{
    size_t i, j;
    if (starts_with_any(p, n, prefix_markers, sizeof prefix_markers / sizeof *prefix_markers))
        return true;
    if (!is_short)
        return false;
    if (starts_with_any(p, n, short_prefix_markers,
                        sizeof short_prefix_markers / sizeof *short_prefix_markers))
        return true;
    for (i = 0; i < sizeof short_markers / sizeof *short_markers; i++) {
        size_t k = strlen(short_markers[i]);
        for (j = 0; j + k <= n; j++)
            if (memcmp(p + j, short_markers[i], k) == 0)
                return true;
    }
    if (starts_with_any(p, n, credit_markers, sizeof credit_markers / sizeof *credit_markers))
        return true;
    if (n < 3 || memcmp(p, "【", 3) != 0) /* U+3010 */
        return false;
    for (i = 0; i < sizeof credit_markers / sizeof *credit_markers; i++) {
        size_t k = strlen(credit_markers[i]);
        for (j = 3; j + k <= n; j++)
            if (memcmp(p + j, credit_markers[i], k) == 0)
                return true;
    }
    return false;
}

/* Does line l of body carry a site-chrome marker? */
static int chrome_line(hks_boiler *b, const char *body, const bline *l, bool *out)
{
    size_t n, i, k = 0;
    uint8_t head[HEAD_BYTES * 4 + 8];
    *out = false;
    HKS_TRY(strip(b, (const uint8_t *)body + l->start, l->end - l->start));
    n = b->tmp.n < HEAD_BYTES ? b->tmp.n : HEAD_BYTES;
    while (n < b->tmp.n && n > 0 && (b->tmp.p[n] & 0xC0) == 0x80)
        n--; /* cut at a code point boundary */
    HKS_TRY(hks_norm_text(&b->nt, (const char *)b->tmp.p, n));
    for (i = 0; i < b->nt.n && k + 4 <= sizeof head; i++) {
        uint32_t cp = b->nt.cp[i];
        if (cp == ' ' || cp == '\t') /* NFKC maps U+3000 and U+00A0 to a space */
            continue;
        k += hks_utf8_put(head + k, cp);
    }
    *out = has_marker(head, k, l->n_bytes <= SHORT_BYTES);
    return HKS_OK;
}

/* Does line l join a block it stands in, its pair with the neighbour on
 * the block's side hashing to ph? */
static bool block_neighbour(const bcoll *bc, const bline *l, uint64_t ph, uint32_t lo, uint64_t th)
{
    return l->h != th && map_get(bc, l->h) >= lo && map_get(bc, ph) >= lo;
}

/*
 * The boilerplate lines of an article of collection c with this title and
 * body, by the rules at the top of this file: their byte ranges in body,
 * as pairs start, end (increasing, not overlapping) into *ranges
 * (growable, capacity *cap in pairs), their number into *n_out.
 * @return HKS_OK or HKS_ERR_NOMEM.
 */
int hks_boiler_mark(hks_boiler *b, const char *c, size_t cn, const char *title, size_t tn,
                    const char *body, size_t n, uint32_t **ranges, size_t *cap, size_t *n_out)
{
    bool found;
    uint32_t ci = find_coll(b, c ? c : "", c ? cn : 0, &found), lo = 5, hi = 5, mid = 5;
    const bcoll *bc = found ? &b->c[ci] : NULL;
    uint64_t th;
    size_t i, head, tail, nr = 0;
    *n_out = 0;
    if (!body || n == 0)
        return HKS_OK;
    if (bc) {
        hks_boiler_thresholds(bc->n_docs, &lo, &hi);
        mid = bc->n_docs / 200 > 5 ? (uint32_t)(bc->n_docs / 200 > UINT32_MAX ? UINT32_MAX : bc->n_docs / 200) : 5;
    }
    HKS_TRY(strip(b, (const uint8_t *)(title ? title : ""), title ? tn : 0));
    th = tmp_hash(b);
    HKS_TRY(scan_lines(b, body, n));
    /* The runs of repeated lines at the body's head and tail, neighbours
     * repeated together. */
    for (head = 0; head < b->n_ln && b->ln[head].h != th && map_get(bc, b->ln[head].h) >= lo &&
                   (head == 0 || map_get(bc, b->ln[head].ph) >= lo);)
        head++;
    for (tail = b->n_ln; tail > head && b->ln[tail - 1].h != th &&
                         map_get(bc, b->ln[tail - 1].h) >= lo &&
                         (tail == b->n_ln || map_get(bc, b->ln[tail].ph) >= lo);)
        tail--;
    if (head < 2)
        head = 0;
    if (b->n_ln - tail < 2)
        tail = b->n_ln;
    for (i = 0; i < b->n_ln; i++) {
        bline *l = &b->ln[i];
        l->bp = false;
        if (l->h == th)
            continue;
        if (i < head || i >= tail || map_get(bc, l->h) >= hi || (i == 0 && map_get(bc, l->h) >= mid))
            l->bp = true;
        else
            HKS_TRY(chrome_line(b, body, l, &l->bp));
    }
    /* The blocks around the lines repeated in HI(N) articles. */
    for (i = 0; i < b->n_ln; i++) {
        size_t j;
        if (b->ln[i].h == th || map_get(bc, b->ln[i].h) < hi)
            continue;
        for (j = i + 1; j < b->n_ln && block_neighbour(bc, &b->ln[j], b->ln[j].ph, lo, th); j++)
            b->ln[j].bp = true;
        for (j = i; j > 0 && block_neighbour(bc, &b->ln[j - 1], b->ln[j].ph, lo, th); j--)
            b->ln[j - 1].bp = true;
    }
    for (i = 0; i < b->n_ln; i++) {
        const bline *l = &b->ln[i];
        if (!l->bp)
            continue;
        if (nr == *cap) {
            uint32_t *q = hks_grow(b->a, *ranges, 2 * sizeof **ranges, *cap, nr + 1, 16,
                                   SIZE_MAX / 8, cap);
            if (!q)
                return HKS_ERR_NOMEM;
            *ranges = q;
        }
        (*ranges)[2 * nr] = l->start;
        (*ranges)[2 * nr + 1] = l->end;
        nr++;
    }
    *n_out = nr;
    return HKS_OK;
}

typedef struct hcnt {
    uint64_t h;
    uint32_t c;
} hcnt;

static int cmp_hcnt(const void *x, const void *y)
{
    const hcnt *a = x, *b = y;
    return a->h < b->h ? -1 : a->h > b->h;
}

/*
 * Append the counts (the table part of the BOILER section, format.c) to
 * out: every collection, and of each the lines seen in at least two
 * articles (a line seen once tells nothing yet, and most lines are).
 */
void hks_boiler_put(hks_boiler *b, int *rc, hks_buf *out)
{
    uint32_t i, j;
    if (*rc)
        return;
    hks_buf_put_varint(rc, out, b->n_c);
    for (i = 0; i < b->n_c && !*rc; i++) {
        const bcoll *c = &b->c[i];
        hcnt *v = hks_mem_alloc(b->a, (size_t)(c->n ? c->n : 1) * sizeof *v);
        size_t k = 0;
        if (!v) {
            *rc = HKS_ERR_NOMEM;
            return;
        }
        for (j = 0; j < c->cap; j++) {
            if (c->key[j] && c->cnt[j] >= 2) {
                v[k].h = c->key[j];
                v[k].c = c->cnt[j];
                k++;
            }
        }
        qsort(v, k, sizeof *v, cmp_hcnt);
        hks_buf_put_lenbytes(rc, out, c->name, c->name_len);
        hks_buf_put_varint(rc, out, c->n_docs);
        hks_buf_put_varint(rc, out, k);
        for (j = 0; j < k; j++) {
            hks_buf_put_u64le(rc, out, v[j].h);
            hks_buf_put_varint(rc, out, v[j].c);
        }
        hks_mem_free(b->a, v, 0);
    }
}

/*
 * Replace the counts with the table part p[0..n) of a BOILER section
 * (already checked by segment.c; checked again here, bounded).
 * @return HKS_OK, HKS_ERR_CORRUPT (counts left empty) or HKS_ERR_NOMEM.
 */
int hks_boiler_load(hks_boiler *b, const uint8_t *p, size_t n)
{
    hks_rd rd;
    uint64_t nc, i, j;
    int rc = HKS_OK;
    hks_boiler_clear(b);
    hks_rd_init(&rd, p, n);
    if (hks_varint_get(&rd, &nc) || nc > n)
        return HKS_ERR_CORRUPT;
    for (i = 0; i < nc && rc == HKS_OK; i++) {
        const uint8_t *name;
        size_t nl;
        uint64_t nd, nlines, prev = 0;
        bcoll *c;
        bool found;
        if (hks_rd_lenbytes(&rd, &name, &nl) || nl > HKS_MAX_COLL_BYTES ||
            hks_varint_get(&rd, &nd) || hks_varint_get(&rd, &nlines) ||
            nlines > hks_rd_left(&rd) / 9) {
            rc = HKS_ERR_CORRUPT;
            break;
        }
        find_coll(b, (const char *)name, nl, &found);
        if (found) {
            rc = HKS_ERR_CORRUPT;
            break;
        }
        c = get_coll(b, (const char *)name, nl);
        if (!c) {
            rc = HKS_ERR_NOMEM;
            break;
        }
        c->n_docs = nd;
        for (j = 0; j < nlines; j++) {
            uint64_t h, v;
            uint32_t *slot;
            if (hks_rd_u64le(&rd, &h) || hks_varint_get(&rd, &v) || h <= prev || v < 2 ||
                v > nd || v > UINT32_MAX) {
                rc = HKS_ERR_CORRUPT;
                break;
            }
            prev = h;
            slot = map_slot(b->a, c, h);
            if (!slot) {
                rc = HKS_ERR_NOMEM;
                break;
            }
            *slot = (uint32_t)v;
        }
    }
    if (rc == HKS_OK && hks_rd_left(&rd))
        rc = HKS_ERR_CORRUPT;
    if (rc)
        hks_boiler_clear(b);
    return rc;
}

/* Articles counted in collection c and lines seen in at least lo of them
 * (stats and tests). */
uint64_t hks_boiler_ndocs(const hks_boiler *b, const char *c, size_t cn)
{
    bool found;
    uint32_t i = find_coll(b, c ? c : "", c ? cn : 0, &found);
    return found ? b->c[i].n_docs : 0;
}
