/*
 * article.c: the fields of an article found in its own text
 * (hks_indexer.h): the headline of a scraped page among its first lines
 * (not the site name, the navigation or the date banner), its date, and a
 * Markdown file's front matter.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hks_indexer.h"

/* The title is looked for among this many non-empty first lines, and the
 * date too. Scraped pages put navigation, site name, headline and a date
 * line first; 30 lines cover the worst seed (004 has 9 lines of header). */
#define HEAD_LINES 30

/* One non-empty line of the head of an article, trimmed. */
typedef struct hline {
    size_t start;   /* byte offset of the trimmed line               */
    size_t len;     /* its length in bytes                           */
    size_t n_cp;    /* code points                                   */
    size_t n_han;   /* CJK ideographs                                */
    size_t n_digit; /* ASCII digits                                */
    size_t n_alpha; /* ASCII letters                               */
    bool is_h1;     /* a Markdown "# " heading                       */
} hline;

/* Is cp a Han ideograph (basic block, extension A, compatibility, or the
 * supplementary ideographic plane)? */
static bool is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

/* Length of the blank (space, tab, CR, U+00A0, U+3000, U+FEFF) at p[0..n),
 * 0 if p does not start with one. */
static size_t blank_at(const unsigned char *p, size_t n)
{
    if (n >= 1 && (p[0] == ' ' || p[0] == '\t' || p[0] == '\r' ||
                   p[0] == '\f' || p[0] == '\v'))
        return 1;
    if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if (n >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        return 3;
    return 0;
}

/* Length of the blank ending at p[n-1], 0 if none. */
static size_t blank_before(const unsigned char *p, size_t n)
{
    if (n >= 1 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' ||
                   p[n - 1] == '\f' || p[n - 1] == '\v'))
        return 1;
    if (n >= 2 && p[n - 2] == 0xC2 && p[n - 1] == 0xA0)
        return 2;
    if (n >= 3 && p[n - 3] == 0xE3 && p[n - 2] == 0x80 && p[n - 1] == 0x80)
        return 3;
    if (n >= 3 && p[n - 3] == 0xEF && p[n - 2] == 0xBB && p[n - 1] == 0xBF)
        return 3;
    return 0;
}

/* Split the first non-empty lines of text into lines[0..HEAD_LINES);
 * returns how many. Lines are trimmed of blanks; a Markdown heading also
 * loses its leading '#'s. */
static size_t head_lines(const char *text, size_t n, hline *lines)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t pos = 0, count = 0;

    while (pos < n && count < HEAD_LINES) {
        const unsigned char *nl = memchr(u + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - u) : n, s = pos, e = end, k;
        hline *l = &lines[count];
        pos = nl ? end + 1 : n;
        while (s < e && (k = blank_at(u + s, e - s)) > 0)
            s += k;
        while (e > s && (k = blank_before(u + s, e - s)) > 0)
            e -= k;
        memset(l, 0, sizeof *l);
        if (e - s >= 2 && u[s] == '#') {
            size_t h = s;
            while (h < e && u[h] == '#')
                h++;
            if (h < e && u[h] == ' ') {
                l->is_h1 = h - s == 1;
                s = h;
                while (s < e && (k = blank_at(u + s, e - s)) > 0)
                    s += k;
            }
        }
        if (s == e)
            continue;
        l->start = s;
        l->len = e - s;
        for (size_t i = s; i < e;) {
            uint32_t cp;
            int len = hks_utf8_decode((const char *)u + i, e - i, &cp);
            if (len <= 0) {
                i += (size_t)-len;
                cp = 0xFFFD;
            } else {
                i += (size_t)len;
            }
            l->n_cp++;
            if (is_han(cp))
                l->n_han++;
            else if (cp >= '0' && cp <= '9')
                l->n_digit++;
            else if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
                l->n_alpha++;
        }
        count++;
    }
    return count;
}

/* Does line l of text contain the UTF-8 string s? */
static bool has(const char *text, const hline *l, const char *s)
{
    size_t k = strlen(s);
    const char *p = text + l->start, *end = p + l->len;
    while ((size_t)(end - p) >= k) {
        const char *q = memchr(p, (unsigned char)s[0], (size_t)(end - p) - k + 1);
        if (!q)
            return false;
        if (memcmp(q, s, k) == 0)
            return true;
        p = q + 1;
    }
    return false;
}

static bool ends_with(const char *text, const hline *l, const char *s)
{
    size_t k = strlen(s);
    return l->len >= k && memcmp(text + l->start + l->len - k, s, k) == 0;
}

static bool starts_with(const char *text, const hline *l, const char *s)
{
    size_t k = strlen(s);
    return l->len >= k && memcmp(text + l->start, s, k) == 0;
}

static bool has_any(const char *text, const hline *l, const char *const *list)
{
    for (; *list; list++) {
        if (has(text, l, *list))
            return true;
    }
    return false;
}

/* Page furniture: a line holding one of these is never the headline.
 * Simplified and traditional forms of navigation ("当前位置" current
 * position, "首页" home page), metadata labels ("来源" source, "发稿时间"
 * filed at, "浏览" views, "责任编辑" editor, "作者" author, "摘要"
 * abstract, "原标题" original title), site chrome ("设为首页" make home
 * page, "加入收藏" bookmark, "新闻热线" news hotline, "星期" weekday of a
 * date banner, "版权" copyright, "分享到" share to, "打印" print). */
static const char *const FURNITURE[] = {
    "当前位置", "當前位置", "您现在的位置", "您現在的位置", "现在位置",
    "首页", "首頁", "来源:", "来源:", "來源:", "來源:", "来源 ", "發稿時間",
    "发稿时间", "发布时间", "發佈時間", "發布時間", "时间:", "时间:", "時間:",
    "時間:", "浏览", "瀏覽", "点击数", "點擊數", "设为首页", "設為首頁",
    "加入收藏", "星期", "新闻热线", "新聞熱線", "责任编辑", "責任編輯", "编辑:",
    "编辑:", "編輯:", "編輯:", "网络编辑", "作者:", "作者:", "摘要:", "摘要:",
    "原标题", "原標題", "版权所有", "版權所有", "Copyright", "copyright",
    "分享到", "打印本页", "关闭窗口", "關閉窗口", "字号", "字號", NULL};

/* Markers of a metadata line (source, author, date) or of the first line of
 * the body ("本报讯" from our correspondent, "记者" reporter, "通讯员"
 * correspondent). A headline is usually just above one of these. */
static const char *const META[] = {
    "来源", "來源", "发稿", "發稿", "发布", "發佈", "發布", "时间", "時間",
    "编辑", "編輯", "作者", "浏览", "瀏覽", "记者", "記者", "通讯员",
    "通訊員", NULL};
static const char *const LEAD[] = {"本报讯", "本報訊", "讯:", "訊:", "讯 ",
                                   "电(记者", "電(記者", "讯(", "訊(", NULL};

static bool date_at(const unsigned char *p, size_t n, size_t i, int *y, int *m, int *d,
                    size_t *end_out);

/* Does line l contain a date "YYYY-..", "YYYY/..", "YYYY.." or "YYYY年",
 * or a whole date in full-width digits (２０２０年２月９日)? */
static bool has_date(const char *text, const hline *l)
{
    const unsigned char *p = (const unsigned char *)text + l->start;
    for (size_t i = 0; i + 3 <= l->len; i++) {
        int y, m, d;
        size_t end;
        if (p[i] == 0xEF && p[i + 1] == 0xBC && p[i + 2] >= 0x90 && p[i + 2] <= 0x99 &&
            date_at(p, l->len, i, &y, &m, &d, &end))
            return true;
    }
    for (size_t i = 0; i + 5 <= l->len; i++) {
        if ((p[i] == '1' || p[i] == '2') && p[i + 1] >= '0' &&
            p[i + 1] <= '9' && p[i + 2] >= '0' && p[i + 2] <= '9' &&
            p[i + 3] >= '0' && p[i + 3] <= '9' &&
            (i == 0 || p[i - 1] < '0' || p[i - 1] > '9')) {
            if (p[i + 4] == '-' || p[i + 4] == '/' || p[i + 4] == '.')
                return true;
            if (i + 7 <= l->len && memcmp(p + i + 4, "年", 3) == 0)
                return true;
        }
    }
    return false;
}

/* A line that is page furniture, a file name, a label or too short or long
 * to be a headline. */
static bool never_title(const char *text, const hline *l)
{
    static const char *const files[] = {".jpg", ".jpeg", ".png", ".gif",
                                        ".bmp", ".webp", NULL};
    if (l->n_cp > 80)
        return true; /* a paragraph of the body */
    if (l->n_han < 4 && !(l->n_han == 0 && l->n_alpha >= 8))
        return true; /* "0", "书写", "[编辑:...]": too little text */
    if (ends_with(text, l, ":") || ends_with(text, l, ":"))
        return true; /* a label such as "市卫健委:" */
    if (ends_with(text, l, "摄") || ends_with(text, l, "攝"))
        return true; /* photo credit "... 王庆 摄" */
    for (const char *const *f = files; *f; f++) {
        size_t k = strlen(*f);
        if (l->len >= k &&
            strncasecmp(text + l->start + l->len - k, *f, k) == 0)
            return true;
    }
    return has_any(text, l, FURNITURE);
}

/* Is l a metadata line (source, date, author)? Such lines are short; the
 * length bound keeps "工作者" in a paragraph from passing for "作者". */
static bool is_meta(const char *text, const hline *l)
{
    return l->n_cp <= 60 && (has_date(text, l) || has_any(text, l, META));
}

/* Is l the start of the body: a long paragraph or a news lead? */
static bool is_body(const char *text, const hline *l)
{
    return l->n_cp > 60 || has_any(text, l, LEAD) ||
           (l->n_cp >= 30 && ends_with(text, l, "。"));
}

/* Score line i as the headline; higher is more likely. See
 * hks_title_guess() for the rules. */
static int title_score(const char *text, const hline *lines, size_t n,
                       size_t i)
{
    const hline *l = &lines[i];
    int s = 100 - 2 * (int)i;

    if (l->n_cp >= 8 && l->n_cp <= 40)
        s += 20;
    else if (l->n_cp >= 5 && l->n_cp < 8)
        s += 5;
    else if (l->n_cp > 60)
        s -= 30;
    if (l->is_h1)
        s += 40;
    if (has_date(text, l))
        s -= 40;
    if (l->n_digit * 10 > l->n_cp * 3)
        s -= 30;
    if (ends_with(text, l, "。") || ends_with(text, l, ";"))
        s -= 25;
    else if (has(text, l, "。"))
        s -= 20;
    if (has_any(text, l, LEAD))
        s -= 40;
    /* A kicker above the headline is often a quotation: “发愤图强”. */
    if (starts_with(text, l, "“") && ends_with(text, l, "”"))
        s -= 15;
    /* A site name: "山西大院资讯网", "...新闻网", "...在线". */
    if (l->n_cp <= 12 &&
        (ends_with(text, l, "网") || ends_with(text, l, "網") ||
         ends_with(text, l, "网站") || ends_with(text, l, "網站") ||
         ends_with(text, l, "在线") || ends_with(text, l, "在線") ||
         ends_with(text, l, "频道") || ends_with(text, l, "頻道")))
        s -= 40;
    if (i + 1 < n) {
        if (is_meta(text, &lines[i + 1]))
            s += 30;
        else if (is_body(text, &lines[i + 1]))
            s += 20;
    }
    /* The headline comes before the body: a line after a paragraph is a
     * section heading or a caption. */
    for (size_t k = 0; k < i; k++) {
        if (is_body(text, &lines[k])) {
            s -= 30;
            break;
        }
    }
    if (i > 0 && (has(text, &lines[i - 1], "位置") ||
                  has(text, &lines[i - 1], "首页 >") ||
                  has(text, &lines[i - 1], "首頁 >")))
        s += 10;
    return s;
}

/* Is l on the first non-blank line of text (head_lines skips empty ones)? */
static bool first_line_is(const char *text, size_t n, const hline *l)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t i = 0, k;
    for (;;) {
        while (i < n && (k = blank_at(u + i, n - i)) > 0)
            i += k;
        if (i < n && u[i] == '\n') {
            i++;
            continue;
        }
        break;
    }
    return i < l->start && memchr(u + i, '\n', l->start - i) == NULL;
}

/*
 * Find the headline of a scraped article in text[0..n) (UTF-8): a scored
 * choice among its first HEAD_LINES non-empty lines, each trimmed of
 * blanks (ASCII, U+00A0, U+3000, U+FEFF) and of a Markdown "#" marker.
 *
 * Lines that cannot be a headline are ruled out: over 80 characters (body),
 * fewer than 4 Han characters (unless a Latin line of 8+ letters), ending
 * with a colon (a label) or with 摄 (a photo credit), image file names, and
 * page furniture (navigation, source/date/editor labels, "设为首页", date
 * banners with 星期, ...; see FURNITURE). The others score 100, minus 2 per
 * line from the top, +20 for 8..40 characters, +40 for a "# " heading,
 * +30 if the next line is a metadata line (date, source, author) or +20 if
 * it starts the body (long paragraph, "本报讯" lead), +10 after a
 * navigation line; minus for a date inside, many digits, a sentence end
 * (。), a lead, a quoted kicker line “...”, a short line ending in 网 (a
 * site name), and -30 for a line below the start of the body (a section
 * heading or a photo caption). The highest score wins; ties go to the earlier line.
 *
 * @return true with [*start_out, *start_out + *len_out) the headline's
 *         bytes, or false (outputs untouched) when no line qualifies.
 */
bool hks_title_guess(const char *text, size_t n, size_t *start_out,
                     size_t *len_out)
{
    hline lines[HEAD_LINES];
    size_t n_lines = head_lines(text, n, lines), best = SIZE_MAX;
    int best_score = 0;

    /* A Markdown "# " heading as the first line is the title, as the
     * writer meant it. */
    if (n_lines > 0 && lines[0].is_h1 && first_line_is(text, n, &lines[0])) {
        *start_out = lines[0].start;
        *len_out = lines[0].len;
        return true;
    }

    for (size_t i = 0; i < n_lines; i++) {
        int s;
        if (never_title(text, &lines[i]))
            continue;
        s = title_score(text, lines, n_lines, i);
        if (best == SIZE_MAX || s > best_score) {
            best = i;
            best_score = s;
        }
    }
    if (best == SIZE_MAX)
        return false;
    *start_out = lines[best].start;
    *len_out = lines[best].len;
    return true;
}

/* ---- Dates and sources --------------------------------------------------- */

/* Lines at the end of an article looked at for a date or source line:
 * scraped sites put "发布时间:..." or "(来源:新华社)" in the closing lines. */
#define TAIL_LINES 8

/* Trim s..e of blanks and measure it into *l; false for an empty line. */
static bool measure_line(const unsigned char *u, size_t s, size_t e, hline *l)
{
    size_t k;
    while (s < e && (k = blank_at(u + s, e - s)) > 0)
        s += k;
    while (e > s && (k = blank_before(u + s, e - s)) > 0)
        e -= k;
    memset(l, 0, sizeof *l);
    if (s == e)
        return false;
    l->start = s;
    l->len = e - s;
    for (size_t i = s; i < e;) {
        uint32_t cp;
        int len = hks_utf8_decode((const char *)u + i, e - i, &cp);
        if (len <= 0) {
            i += (size_t)-len;
            cp = 0xFFFD;
        } else {
            i += (size_t)len;
        }
        l->n_cp++;
        if (is_han(cp))
            l->n_han++;
        else if (cp >= '0' && cp <= '9')
            l->n_digit++;
        else if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
            l->n_alpha++;
    }
    return true;
}

/* The last TAIL_LINES non-empty lines of text[0..n), last first, none of
 * them starting before `after` (the head's lines are not counted twice). */
static size_t tail_lines(const char *text, size_t n, size_t after, hline *lines)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t end = n, count = 0;
    while (end > after && count < TAIL_LINES) {
        size_t s = end;
        while (s > after && u[s - 1] != '\n')
            s--;
        if (measure_line(u, s, end, &lines[count]))
            count++;
        if (s == 0 || s <= after)
            break;
        end = s - 1;
    }
    return count;
}

/* The value of the digit at p[i..n): an ASCII digit (1 byte) or a
 * full-width one, U+FF10..U+FF19 (3 bytes); *len_out 0 if none. */
static int digit_at(const unsigned char *p, size_t n, size_t i, size_t *len_out)
{
    *len_out = 0;
    if (i < n && p[i] >= '0' && p[i] <= '9') {
        *len_out = 1;
        return p[i] - '0';
    }
    if (i + 3 <= n && p[i] == 0xEF && p[i + 1] == 0xBC && p[i + 2] >= 0x90 && p[i + 2] <= 0x99) {
        *len_out = 3;
        return p[i + 2] - 0x90;
    }
    return -1;
}

/* Read 1..max digits at p[*i..n) into *v; false if none or more follow. */
static bool number_at(const unsigned char *p, size_t n, size_t *i, int max, int *v)
{
    int k = 0, d;
    size_t len;
    *v = 0;
    while (k < max && (d = digit_at(p, n, *i, &len)) >= 0) {
        *v = *v * 10 + d;
        *i += len;
        k++;
    }
    return k > 0 && digit_at(p, n, *i, &len) < 0;
}

static void skip_blank(const unsigned char *p, size_t n, size_t *i)
{
    size_t k;
    while (*i < n && (k = blank_at(p + *i, n - *i)) > 0)
        *i += k;
}

static bool lit_at(const unsigned char *p, size_t n, size_t i, const char *s)
{
    size_t k = strlen(s);
    return i + k <= n && memcmp(p + i, s, k) == 0;
}

/*
 * A date starting at p[i] (which must not follow a digit): YYYY-M-D (also
 * '/' or '.', the same separator twice) or YYYY年M月D日 (also 号, blanks
 * around the parts), in ASCII or full-width digits, a real day in
 * 1900..2099. *end_out is the byte after it.
 */
static bool date_at(const unsigned char *p, size_t n, size_t i, int *y, int *m, int *d,
                    size_t *end_out)
{
    size_t j = i, len;
    int k;
    for (k = 0, *y = 0; k < 4; k++) {
        int v = digit_at(p, n, j, &len);
        if (v < 0)
            return false;
        *y = *y * 10 + v;
        j += len;
    }
    if (digit_at(p, n, j, &len) >= 0 || *y < 1900 || *y > 2099)
        return false;
    if (j < n && (p[j] == '-' || p[j] == '/' || p[j] == '.')) {
        unsigned char sep = p[j++];
        if (!number_at(p, n, &j, 2, m) || j >= n || p[j] != sep)
            return false;
        j++;
        if (!number_at(p, n, &j, 2, d))
            return false;
    } else {
        skip_blank(p, n, &j);
        if (!lit_at(p, n, j, "年"))
            return false;
        j += 3;
        skip_blank(p, n, &j);
        if (!number_at(p, n, &j, 2, m))
            return false;
        skip_blank(p, n, &j);
        if (!lit_at(p, n, j, "月"))
            return false;
        j += 3;
        skip_blank(p, n, &j);
        if (!number_at(p, n, &j, 2, d))
            return false;
        skip_blank(p, n, &j);
        if (!lit_at(p, n, j, "日") && !lit_at(p, n, j, "号") && !lit_at(p, n, j, "號"))
            return false;
        j += 3;
    }
    if (!hks_date_valid((unsigned)*y, (unsigned)*m, (unsigned)*d))
        return false;
    *end_out = j;
    return true;
}

/* Can a label start at p[i]: the line's start, or after a blank, a
 * bracket or a field separator (so 图片来源 is not 来源, nor 接种时间 时间)? */
static bool word_start(const unsigned char *p, size_t i)
{
    static const char *const before[] = {"(", "[", "|", "/", "（", "【", "〔", "［",
                                         "丨", "｜", "·", "】", "]", ")", "）", NULL};
    if (i == 0 || blank_before(p, i) > 0)
        return true;
    for (const char *const *b = before; *b; b++) {
        size_t k = strlen(*b);
        if (i >= k && memcmp(p + i - k, *b, k) == 0)
            return true;
    }
    return false;
}

/* A colon (ASCII or full-width) at p[*i], blanks around it skipped. */
static bool colon_at(const unsigned char *p, size_t n, size_t *i)
{
    size_t j = *i;
    skip_blank(p, n, &j);
    if (j < n && p[j] == ':')
        j++;
    else if (lit_at(p, n, j, "："))
        j += 3;
    else
        return false;
    skip_blank(p, n, &j);
    *i = j;
    return true;
}

/* Labels of a publication date: "发稿时间:" filed at, "发布时间:" published
 * at, ... (strong: taken in the closing lines too), then, after the first
 * NULL, weak ones (日期 date, 时间 time, 发布, 更新时间 updated at), taken
 * only in the head above the body, where an event's "日期:" is not (and a
 * re-crawled page's closing "更新时间:" names the crawl, not the news); after
 * the second NULL the strong ones that need no colon ("发布于 2021-09-11",
 * published on). */
static const char *const DATE_LABELS[] = {
    "发稿时间", "發稿時間", "发布时间", "發布時間", "發佈時間", "发布日期", "發布日期",
    "發佈日期", "发表时间", "發表時間", "发表日期", "發表日期", "出版日期", "出版時間",
    "刊发时间", "刊發時間", NULL, "日期", "时间", "時間", "发布", "發布", "發佈", "更新时间",
    "更新時間", NULL, "发布于", "發布於", "發佈於", "发表于", "發表於", "发稿于",
    "發稿於", NULL};

/* The date label at a word start ending just before p[i] (blanks and a
 * colon between them skipped), or NULL. *weak: it is one of the weak. */
static const char *label_before(const unsigned char *p, size_t i, bool *weak)
{
    size_t j = i, k;
    bool colon = false;
    while (j > 0 && (k = blank_before(p, j)) > 0)
        j -= k;
    if (j >= 1 && p[j - 1] == ':')
        j -= 1, colon = true;
    else if (j >= 3 && memcmp(p + j - 3, "：", 3) == 0)
        j -= 3, colon = true;
    while (j > 0 && (k = blank_before(p, j)) > 0)
        j -= k;
    for (int group = 0, at = 0; group < 3; group++, at++) {
        for (; DATE_LABELS[at]; at++) {
            size_t ll = strlen(DATE_LABELS[at]);
            if (j >= ll && memcmp(p + j - ll, DATE_LABELS[at], ll) == 0 &&
                word_start(p, j - ll) && colon == (group < 2)) {
                *weak = group == 1;
                return DATE_LABELS[at];
            }
        }
    }
    return NULL;
}

/* Does the text before p[i] end with a colon (after blanks)? */
static bool colon_before(const unsigned char *p, size_t i)
{
    size_t k;
    while (i > 0 && (k = blank_before(p, i)) > 0)
        i -= k;
    return (i >= 1 && p[i - 1] == ':') || (i >= 3 && memcmp(p + i - 3, "：", 3) == 0);
}

/* Words around a date that make it an event's date, not a dateline:
 * "在2014年..." (in), "截至..." (as of), "...至10月2日" (until). */
static const char *const NOT_BEFORE[] = {"在", "于", "於", "至", "到", "截至", "截止", "从", "從",
                                         "自", "由", "-", "－", "–", "—", "~", "～", NULL};
static const char *const NOT_AFTER[] = {"至", "到", "起", "前", "后", "後", "以来", "以來", "-",
                                        "~", "—", "－", "–", "～", ":", "：", "|", NULL};

/* Han characters of line l outside [ds, de) (a date's bytes). */
static size_t han_outside(const char *text, const hline *l, size_t ds, size_t de)
{
    const unsigned char *p = (const unsigned char *)text + l->start;
    size_t n = 0;
    for (size_t i = 0; i < l->len;) {
        uint32_t cp;
        int len = hks_utf8_decode((const char *)p + i, l->len - i, &cp);
        size_t step = len <= 0 ? (size_t)-len : (size_t)len;
        if ((i < ds || i >= de) && len > 0 && is_han(cp))
            n++;
        i += step ? step : 1;
    }
    return n;
}

/*
 * The first date of line l with a label of its own (a strong one; weak
 * ones too when `weak`), or, when `dateline`, the first unlabelled date of
 * a dateline: a line of at most max_cp characters with no sentence end,
 * copyright or registration in it, at most max_han Han characters beside
 * the date, the date not after another field's colon (出生日期:, born on),
 * nor after 在/于/至/截至 or before 至/到/起/-/: (an event's date, a range,
 * a timeline entry), nor in a citation (《...》) or a table row.
 */
static bool line_date(const char *text, const hline *l, bool weak, bool dateline,
                      size_t max_cp, size_t max_han, int *y, int *m, int *d)
{
    static const char *const not_dateline[] = {"。", "！", "？", "；", "版权", "版權",
                                               "Copyright", "copyright", "©", "备案",
                                               "備案", "ICP", "《", NULL};
    const unsigned char *p = (const unsigned char *)text + l->start;
    bool may_dateline = dateline && l->n_cp <= max_cp && !has_any(text, l, not_dateline) &&
                        !has(text, l, "星期") && p[0] != '|'; /* not a table row */
    for (size_t i = 0; i < l->len; i++) {
        size_t len, end;
        bool is_weak = false, bad = false;
        const char *lb;
        if (digit_at(p, l->len, i, &len) < 0)
            continue;
        if ((i > 0 && p[i - 1] >= '0' && p[i - 1] <= '9') ||
            (i >= 3 && digit_at(p, l->len, i - 3, &len) >= 0 && len == 3))
            continue;
        if (!date_at(p, l->len, i, y, m, d, &end))
            continue;
        lb = label_before(p, i, &is_weak);
        if (lb && (!is_weak || weak))
            return true;
        if (!may_dateline || lb || colon_before(p, i))
            continue;
        for (const char *const *w = NOT_BEFORE; *w && !bad; w++) {
            size_t k = strlen(*w), j = i;
            while (j > 0 && blank_before(p, j) > 0)
                j -= blank_before(p, j);
            bad = j >= k && memcmp(p + j - k, *w, k) == 0;
        }
        for (const char *const *w = NOT_AFTER; *w && !bad; w++) {
            size_t j = end;
            skip_blank(p, l->len, &j);
            bad = lit_at(p, l->len, j, *w);
        }
        if (!bad && han_outside(text, l, i, end) <= max_han)
            return true;
    }
    return false;
}

/* Of the head lines, the ones above the body: up to the first paragraph
 * (is_body) and at most HEAD_META_LINES of them. Scraped pages put the
 * headline and its date and source lines there. */
#define HEAD_META_LINES 15

/* Datelines: at most this many characters, and Han characters beside the
 * date, in the head ("网络编辑 长治 2021-09-11 11:37:32") and in the
 * closing lines ("林榮基 2017/3/10"). */
#define DATELINE_MAX_CP 60
#define DATELINE_MAX_HAN 20
#define TAIL_DATELINE_MAX_CP 30
#define TAIL_DATELINE_MAX_HAN 8

/*
 * The lines of an article where its date and source are written: head[0,
 * *n_meta) the head lines above the body (up to the first paragraph,
 * is_body, at most HEAD_META_LINES), tail[0, *n_tail) its last TAIL_LINES
 * non-empty lines after those, last first.
 */
static void split_article(const char *text, size_t n, hline *head, size_t *n_meta, hline *tail,
                          size_t *n_tail)
{
    size_t n_head = head_lines(text, n, head), k = 0;
    while (k < n_head && k < HEAD_META_LINES && !is_body(text, &head[k]))
        k++;
    *n_meta = k;
    *n_tail = tail_lines(text, n, k ? head[k - 1].start + head[k - 1].len : 0, tail);
}

/*
 * The publication date of an article, in this order: a labelled date
 * ("发稿时间:2021-09-11 10:30", "发布日期:2021年9月11日", "日期:...") in
 * the head lines above the body; a dateline there (a short line without
 * a sentence, holding a date; see line_date); a date with a strong label
 * (发布时间:, 发稿时间:, not 日期: nor 更新时间:) in the closing TAIL_LINES lines; a
 * short dateline there ("2017年1月27日", "林榮基 2017/3/10 晚"). Dates are
 * YYYY-M-D (or '/', '.') and YYYY年M月D日 (blanks allowed, full-width
 * digits too), real days of 1900..2099. A date banner (a line with 星期,
 * weekday: today's date on the page, not the article's) counts only where
 * labelled. A date in the running text of the body ("2003年3月..." in a
 * history paragraph, "这是2020年2月10日..." in a sentence, "日期:" of an
 * event) is never taken. Written to out as "YYYY-MM-DD".
 * @return 10, or 0 if no date was found.
 */
size_t hks_date_guess(const char *text, size_t n, char out[11])
{
    hline head[HEAD_LINES], tail[TAIL_LINES];
    size_t n_meta, n_tail, li;
    int y = 0, m = 0, d = 0, pass;
    bool found = false;

    split_article(text, n, head, &n_meta, tail, &n_tail);
    for (pass = 0; pass < 4 && !found; pass++) {
        const hline *ls = pass < 2 ? head : tail;
        size_t nl = pass < 2 ? n_meta : n_tail;
        for (li = 0; li < nl && !found; li++) {
            if (ls[li].n_cp > 200)
                continue;
            if (pass == 0)
                found = line_date(text, &ls[li], true, false, 0, 0, &y, &m, &d);
            else if (pass == 1)
                found = line_date(text, &ls[li], true, true, DATELINE_MAX_CP, DATELINE_MAX_HAN,
                                  &y, &m, &d);
            else if (pass == 2)
                found = line_date(text, &ls[li], false, false, 0, 0, &y, &m, &d);
            else
                found = line_date(text, &ls[li], false, true, TAIL_DATELINE_MAX_CP,
                                  TAIL_DATELINE_MAX_HAN, &y, &m, &d);
        }
    }
    if (!found)
        return 0;
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
    return 10;
}

/* Labels of the publisher ("来源:新华社", source: Xinhua; 稿件来源 source
 * of the copy; 信息/文章/新闻/消息来源; traditional forms too). */
static const char *const SOURCE_LABELS[] = {
    "稿件来源", "稿件來源", "信息来源", "信息來源", "文章来源", "文章來源", "新闻来源",
    "新聞來源", "消息来源", "消息來源", "来源", "來源", "稿源", NULL};

/* Labels that end a source value on the same line: the next field. */
static const char *const FIELD_LABELS[] = {
    "作者", "编辑", "編輯", "责任编辑", "責任編輯", "记者", "記者", "通讯员", "通訊員", "摄影",
    "攝影", "浏览", "瀏覽", "点击", "點擊", "阅读", "閱讀", "字号", "字號", "发布", "發布",
    "發佈", "发稿", "發稿", "时间", "時間", "日期", "来源", "來源", "审核", "審核", "供稿",
    "校对", "校對", NULL};

/* Longest source kept, in code points: a longer value is a sentence. */
#define SOURCE_MAX_CP 40

/* Where the value of a source starting at p[s..n) ends: at the next
 * field label with a colon, a gap of two blanks or a tab or U+3000, a
 * blank before a digit (a date), a separator (| 丨 , ; 。 【 [), or the line
 * end. Trailing blanks and unmatched closing brackets are dropped. */
static size_t source_end(const unsigned char *p, size_t n, size_t s)
{
    static const char *const stops[] = {"|", "丨", "｜", ",", "，", ";", "；", "。", "【",
                                        "[", "\t", "\xE3\x80\x80", NULL};
    size_t i = s, e;
    int depth = 0;
    while (i < n) {
        size_t k = blank_at(p + i, n - i), len;
        bool stop = false;
        if (k > 0 && (blank_at(p + i + k, n - i - k) > 0 || digit_at(p, n, i + k, &len) >= 0))
            break;
        for (const char *const *st = stops; *st && !stop; st++)
            stop = lit_at(p, n, i, *st);
        for (const char *const *fl = FIELD_LABELS; *fl && !stop && i > s; fl++) {
            size_t j = i + strlen(*fl);
            stop = lit_at(p, n, i, *fl) && colon_at(p, n, &j);
        }
        if (stop)
            break;
        if (p[i] == '(' || lit_at(p, n, i, "（"))
            depth++;
        else if ((p[i] == ')' || lit_at(p, n, i, "）")) && depth-- == 0)
            break; /* "(来源:新华社)": the bracket closes around the field */
        i += k ? k : 1;
        while (i < n && (p[i] & 0xC0) == 0x80)
            i++;
    }
    e = i;
    while (e > s && blank_before(p + s, e - s) > 0)
        e -= blank_before(p + s, e - s);
    return e;
}

/* A source label at a word start of line l, and its value: true with
 * [*start_out, +*len_out) in text. bracketed: only "(来源:...)" forms. */
static bool labelled_source(const char *text, const hline *l, bool bracketed, size_t *start_out,
                            size_t *len_out)
{
    const unsigned char *p = (const unsigned char *)text + l->start;
    for (size_t i = 0; i < l->len; i++) {
        if (p[i] < 0xC0)
            continue; /* every label starts with a CJK lead byte */
        for (const char *const *lb = SOURCE_LABELS; *lb; lb++) {
            size_t j = i + strlen(*lb), e;
            hline v;
            if (!lit_at(p, l->len, i, *lb) || !word_start(p, i))
                continue;
            if (bracketed && !(i >= 1 && p[i - 1] == '(') && !(i >= 3 && lit_at(p, l->len, i - 3, "（")))
                continue;
            if (!colon_at(p, l->len, &j))
                continue;
            e = source_end(p, l->len, j);
            if (!measure_line(p, j, e, &v) || v.n_cp > SOURCE_MAX_CP ||
                (v.n_han == 0 && v.n_alpha == 0) || digit_at(p, l->len, j, &e) >= 0)
                break; /* a label with no usable value: not this one */
            *start_out = l->start + v.start;
            *len_out = v.len;
            return true;
        }
    }
    return false;
}

/*
 * The publisher of an article named in its own text: the value of a
 * source line ("来源:新华社", "来源: 国家卫健委", "稿件来源:...", 信息/文章/
 * 新闻/消息来源, traditional 來源) among its head lines above the body
 * (split_article), else its closing lines, where a long line counts only in brackets: "……。(来源:人民日报)".
 * The label stands at the start of a word (图片来源, a photo's source, is
 * not it) and is followed by a colon; the value runs to the line end or
 * the next field (作者:, 编辑:, 时间:, a date, two blanks, a separator),
 * 1..SOURCE_MAX_CP characters with a letter in them.
 * @return true with the value's bytes [*start_out, +*len_out) in text.
 */
bool hks_source_guess(const char *text, size_t n, size_t *start_out, size_t *len_out)
{
    hline head[HEAD_LINES], tail[TAIL_LINES];
    size_t n_meta, n_tail, li;
    split_article(text, n, head, &n_meta, tail, &n_tail);
    for (li = 0; li < n_meta; li++)
        if (head[li].n_cp <= 200 && labelled_source(text, &head[li], false, start_out, len_out))
            return true;
    for (li = 0; li < n_tail; li++)
        if (labelled_source(text, &tail[li], tail[li].n_cp > 120, start_out, len_out))
            return true;
    return false;
}
/* ---- Front matter -------------------------------------------------------- */

/*
 * Markdown front matter (Jekyll, Hugo, the archives our news comes from):
 * a first line "---", "key: value" lines, a closing "---" or "...". Its
 * title, date, source, url, author and category fill the fields (surrounding quotes
 * dropped); the body starts after it. Returns false (fm untouched) when
 * the text does not start with a complete block of at most FM_MAX bytes.
 */
#define FM_MAX 65536

/* A YAML-looking line of front matter: "key:" (key of letters, digits,
 * '_' or '-'), a list item or continuation (leading space, tab or "- "),
 * or nothing. */
static bool yaml_line(const char *l, size_t len, bool *is_key)
{
    size_t i = 0;
    *is_key = false;
    if (len == 0 || l[0] == ' ' || l[0] == '\t' || (len >= 2 && l[0] == '-' && l[1] == ' ') ||
        l[0] == '#')
        return true;
    while (i < len && ((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= 'A' && l[i] <= 'Z') ||
                       (l[i] >= '0' && l[i] <= '9') || l[i] == '_' || l[i] == '-'))
        i++;
    *is_key = i > 0 && i < len && l[i] == ':';
    return *is_key;
}

bool hks_front_matter(const char *t, size_t n, hks_fmatter *fm)
{
    static const char *const keys[6] = {"title", "date", "source", "url", "author", "category"};
    hks_fmatter f;
    size_t at;
    bool any_key = false;
    if (n < 4 || memcmp(t, "---", 3) != 0 || (t[3] != '\n' && t[3] != '\r'))
        return false;
    memset(&f, 0, sizeof f);
    at = t[3] == '\r' && n > 4 && t[4] == '\n' ? 5 : 4;
    while (at < n && at < FM_MAX) {
        const char *l = t + at, *nl = memchr(l, '\n', n - at);
        size_t len = nl ? (size_t)(nl - l) : n - at, k;
        size_t next = at + len + (nl ? 1 : 0);
        bool is_key;
        if (len && l[len - 1] == '\r')
            len--;
        if (len == 3 && (memcmp(l, "---", 3) == 0 || memcmp(l, "...", 3) == 0)) {
            if (!any_key) /* a rule around a paragraph, not front matter */
                return false;
            f.body_off = next;
            *fm = f;
            return true;
        }
        if (!yaml_line(l, len, &is_key)) {
            fm->unclosed = any_key; /* keys, then text: the closing line is missing */
            return false;
        }
        any_key |= is_key;
        for (k = 0; k < 6 && is_key; k++) {
            size_t kl = strlen(keys[k]), b, e;
            if (len <= kl || strncasecmp(l, keys[k], kl) != 0 || l[kl] != ':')
                continue;
            for (b = kl + 1; b < len && (l[b] == ' ' || l[b] == '\t'); b++)
                ;
            for (e = len; e > b && (l[e - 1] == ' ' || l[e - 1] == '\t'); e--)
                ;
            if (e - b >= 2 && (l[b] == '"' || l[b] == '\'') && l[e - 1] == l[b]) {
                b++;
                e--;
            }
            /* "|" or ">" starts a block value on the next lines: not read. */
            if (e > b && !f.v[k] && l[b] != '|' && l[b] != '>') {
                f.v[k] = l + b;
                f.n[k] = e - b;
            }
        }
        if (!nl)
            break;
        at = next;
    }
    if (any_key)
        fm->unclosed = true;
    return false;
}
