/*
 * cjk.c: character classes for the tokenizer (tokenize.c), on normalized
 * code points. CJK characters (Han, kana, hangul, bopomofo) make bigram
 * runs; letters and digits of other scripts make words; combining marks
 * continue the current run; everything else (spaces, punctuation, symbols,
 * emoji, unassigned code points) separates runs.
 *
 * ASCII is a 128-entry table and the CJK Unified Ideographs block one range
 * test; other code points search the CJK range table below and otherwise
 * take their class from the Unicode general category (utf8proc).
 */
#include <utf8proc.h>

#include "hks_int.h"

/* Class of each ASCII code point: digits and letters are words (after
 * normalization letters are lower case, but upper case is classed too so
 * the function is total); everything else separates. */
#define S HKS_CC_SEP
#define W HKS_CC_WORD
static const uint8_t ascii_class[128] = {
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 00-0F controls */
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /* 10-1F controls */
    S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, S, /*  !"#$%&'()*+,-./ */
    W, W, W, W, W, W, W, W, W, W, S, S, S, S, S, S, /* 0-9 :;<=>? */
    S, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* @ A-O */
    W, W, W, W, W, W, W, W, W, W, W, S, S, S, S, S, /* P-Z [\]^_ */
    S, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, /* ` a-o */
    W, W, W, W, W, W, W, W, W, W, W, S, S, S, S, S  /* p-z {|}~ DEL */
};
#undef S
#undef W

/* A closed range of code points with one class. */
typedef struct cc_range {
    uint32_t lo, hi;
    uint8_t cls;
} cc_range;

/*
 * Code points outside ASCII and U+4E00..U+9FFF whose class is not the one
 * their general category gives, sorted and disjoint. Han ranges cover
 * whole blocks (unassigned slots included, harmless: NFKC never produces
 * them). The kana voicing marks U+3099/U+309A are combining marks and are
 * left to the category lookup; so are U+302A..U+302F.
 */
static const cc_range cjk_ranges[] = {
    {0x1100, 0x11FF, HKS_CC_CJK},   /* Hangul Jamo                       */
    {0x3005, 0x3007, HKS_CC_CJK},   /* 々 〆 〇 (U+3007 ideographic zero) */
    {0x3021, 0x3029, HKS_CC_CJK},   /* Hangzhou numerals                 */
    {0x3031, 0x3035, HKS_CC_CJK},   /* kana repeat marks                 */
    {0x3038, 0x303C, HKS_CC_CJK},   /* Hangzhou numerals 10-30, masu     */
    {0x3041, 0x3096, HKS_CC_CJK},   /* Hiragana                          */
    {0x309D, 0x309F, HKS_CC_CJK},   /* Hiragana iteration marks, yori    */
    {0x30A1, 0x30FA, HKS_CC_CJK},   /* Katakana (U+30FB middle dot: SEP) */
    {0x30FC, 0x30FF, HKS_CC_CJK},   /* prolonged sound mark, iteration   */
    {0x3105, 0x312F, HKS_CC_CJK},   /* Bopomofo                          */
    {0x3131, 0x318E, HKS_CC_CJK},   /* Hangul Compatibility Jamo         */
    {0x31A0, 0x31BF, HKS_CC_CJK},   /* Bopomofo Extended                 */
    {0x31F0, 0x31FF, HKS_CC_CJK},   /* Katakana Phonetic Extensions      */
    {0x3400, 0x4DBF, HKS_CC_CJK},   /* CJK Extension A                   */
    {0x4E00, 0x9FFF, HKS_CC_CJK},   /* CJK Unified Ideographs            */
    {0xA960, 0xA97F, HKS_CC_CJK},   /* Hangul Jamo Extended-A            */
    {0xAC00, 0xD7A3, HKS_CC_CJK},   /* Hangul Syllables                  */
    {0xD7B0, 0xD7FF, HKS_CC_CJK},   /* Hangul Jamo Extended-B            */
    {0xF900, 0xFAFF, HKS_CC_CJK},   /* CJK Compatibility Ideographs      */
    {0xFF66, 0xFF9D, HKS_CC_CJK},   /* halfwidth Katakana                */
    {0xFFA0, 0xFFDC, HKS_CC_CJK},   /* halfwidth Hangul                  */
    {0x1AFF0, 0x1B16F, HKS_CC_CJK}, /* Kana Extended-B, Supplement, Ext-A */
    {0x20000, 0x323AF, HKS_CC_CJK}, /* CJK Extensions B-H, compatibility */
                                    /* supplement (planes 2 and 3)       */
};

/* Class from the Unicode general category. */
static hks_cclass class_by_category(uint32_t cp)
{
    switch (utf8proc_category((utf8proc_int32_t)cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return HKS_CC_WORD;
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
        return HKS_CC_MARK;
    default:
        return HKS_CC_SEP;
    }
}

/*
 * hks_cclass_of: the tokenizer class of a normalized code point. Total
 * over all uint32_t values (anything over U+10FFFF is a separator).
 */
hks_cclass hks_cclass_of(uint32_t cp)
{
    size_t lo = 0, hi = sizeof cjk_ranges / sizeof cjk_ranges[0];
    if (cp < 0x80)
        return (hks_cclass)ascii_class[cp];
    if (cp >= 0x4E00 && cp <= 0x9FFF)
        return HKS_CC_CJK;
    if (cp > 0x10FFFF)
        return HKS_CC_SEP;
    /* Punctuation blocks common in Chinese text, answered without the
     * search: General Punctuation U+2000..U+206F is all spaces, format
     * characters and punctuation; CJK Symbols and Punctuation
     * U+3000..U+303F mixes separators with the CJK and mark ranges of
     * cjk_ranges (U+302A..U+302F are combining tone marks). */
    if (cp >= 0x2000 && cp <= 0x206F)
        return HKS_CC_SEP;
    if (cp >= 0x3000 && cp <= 0x303F) {
        if ((cp >= 0x3005 && cp <= 0x3007) || (cp >= 0x3021 && cp <= 0x3029) ||
            (cp >= 0x3031 && cp <= 0x3035) || (cp >= 0x3038 && cp <= 0x303C))
            return HKS_CC_CJK;
        return (cp >= 0x302A && cp <= 0x302F) ? HKS_CC_MARK : HKS_CC_SEP;
    }
    if (cp >= 0x1100) {
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cp < cjk_ranges[mid].lo)
                hi = mid;
            else if (cp > cjk_ranges[mid].hi)
                lo = mid + 1;
            else
                return (hks_cclass)cjk_ranges[mid].cls;
        }
    }
    return class_by_category(cp);
}

/* A 64-bit finalizer (splitmix64's): every input bit reaches every
 * output bit, so nearby code points give unrelated hashes. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

int hks_shingle_push(hks_shingler *sg, uint32_t cp, uint64_t *out)
{
    size_t k;
    uint64_t x;
    if (hks_cclass_of(cp) == HKS_CC_SEP)
        return 0;
    if (sg->n < HKS_SHINGLE_WINDOW) {
        sg->win[sg->n++] = cp;
        if (sg->n < HKS_SHINGLE_WINDOW)
            return 0;
    } else {
        for (k = 1; k < HKS_SHINGLE_WINDOW; k++)
            sg->win[k - 1] = sg->win[k];
        sg->win[HKS_SHINGLE_WINDOW - 1] = cp;
    }
    /* Code points have 21 bits: three fit in one word, the fourth is mixed
     * in. */
    x = (uint64_t)sg->win[0] << 42 | (uint64_t)sg->win[1] << 21 | sg->win[2];
    *out = mix64(x ^ mix64((uint64_t)sg->win[3] + 0x9E3779B97F4A7C15ull));
    return 1;
}
