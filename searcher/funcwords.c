/*
 * funcwords.c: question and function words of Chinese queries. A question
 * such as 孕妇感冒了可以吃什么药 asks about 孕妇, 感冒 and 药; 什么, 可以 and 了
 * only shape it, yet as bigrams they are as rare as content words in news
 * text and pull articles that merely ask something. Natural-language
 * ranking (searcher.c) weighs a bigram inside one of these words 0, a
 * bigram touching one half, and such a character's unigram 0.3.
 *
 * The list is in the normalized (simplified, folded) form queries are
 * matched in, so 什麼 and 什么 are one word. Longer words come first: at a
 * position the first word that matches is taken.
 */
#include <string.h>

#include "hks_searcher.h"

static const char *const function_words[] = {
    /* questions */
    "是不是",
    "有没有",
    "会不会",
    "能不能",
    "可不可以",
    "要不要",
    "好不好",
    "怎么办",
    "怎么样",
    "什么时候",
    "什么时间",
    "为什么",
    "什么样",
    "是什么",
    "有什么",
    "为甚么",
    "甚么",
    "什么",
    "怎么",
    "怎样",
    "如何",
    "多少",
    "多久",
    "多长",
    "几天",
    "哪一",
    "哪些",
    "哪个",
    "哪里",
    "哪儿",
    "哪边",
    "何时",
    "何种",
    "何处",
    "何者",
    "为何",
    "是否",
    "能否",
    "可否",
    "请问",
    "下列",
    "分别",
    "大概",
    "大约",
    "吗",
    "呢",
    "吧",
    "啊",
    "呀",
    "么",
    "谁",
    "何",
    "几",
    /* modal and function words */
    "可以",
    "应该",
    "需要",
    "能够",
    "一下",
    "一些",
    "还是",
    "或者",
    "以及",
    "而且",
    "但是",
    "因为",
    "所以",
    "如果",
    "这个",
    "那个",
    "这种",
    "那种",
    "这样",
    "那样",
    "这些",
    "那些",
    "比较",
    "一般",
    "经常",
    "已经",
    "的",
    "了",
    "是",
    "在",
    "有",
    "和",
    "与",
    "及",
    "或",
    "要",
    "会",
    "能",
    "得",
    "地",
    "着",
    "过",
    "把",
    "被",
    "就",
    "都",
    "也",
    "还",
    "又",
    "很",
    "最",
    "我",
    "你",
    "他",
    "她",
    "于",
    "由",
    "之",
    "其",
    "所",
    "为",
};

#define N_WORDS (sizeof function_words / sizeof function_words[0])

void hks_funcwords_mark(const uint8_t *const *ch, const uint8_t *ch_len, uint32_t n,
                        uint32_t *mark)
{
    uint32_t r, occ = 0;
    for (r = 0; r < n; r++)
        mark[r] = 0;
    for (r = 0; r < n;) {
        size_t w;
        uint32_t k = 0;
        for (w = 0; w < N_WORDS; w++) {
            const uint8_t *p = (const uint8_t *)function_words[w];
            size_t left = strlen(function_words[w]);
            k = 0;
            while (left && r + k < n) {
                size_t cb = hks_utf8_len(*p);
                if (cb > left || cb != ch_len[r + k] || memcmp(p, ch[r + k], cb) != 0)
                    break;
                p += cb;
                left -= cb;
                k++;
            }
            if (left == 0 && k)
                break;
            k = 0;
        }
        if (k == 0) {
            r++;
            continue;
        }
        occ++;
        while (k--)
            mark[r++] = occ;
    }
}
