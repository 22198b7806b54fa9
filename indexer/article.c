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

/* Does line l contain a date "YYYY-..", "YYYY/..", "YYYY.." or "YYYY年"? */
static bool has_date(const char *text, const hline *l)
{
    const unsigned char *p = (const unsigned char *)text + l->start;
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

/* Parse 1 or 2 ASCII digits at p[*i..n) into *v; false if none. */
static bool digits12(const unsigned char *p, size_t n, size_t *i, int *v)
{
    if (*i >= n || p[*i] < '0' || p[*i] > '9')
        return false;
    *v = p[(*i)++] - '0';
    if (*i < n && p[*i] >= '0' && p[*i] <= '9')
        *v = *v * 10 + (p[(*i)++] - '0');
    return true;
}

/*
 * The publication date of an article: the first "YYYY-MM-DD" (also with
 * '/' or '.', one- or two-digit month and day) among its head lines,
 * skipping date banners (lines with 星期, weekday, show today's date, not
 * the article's) and body paragraphs. Written to out as "YYYY-MM-DD".
 * @return 10, or 0 if no date was found.
 */
size_t hks_date_guess(const char *text, size_t n, char out[11])
{
    hline lines[HEAD_LINES];
    size_t n_lines = head_lines(text, n, lines);

    for (size_t li = 0; li < n_lines; li++) {
        const hline *l = &lines[li];
        const unsigned char *p = (const unsigned char *)text + l->start;
        if (l->n_cp > 120 || has(text, l, "星期"))
            continue;
        for (size_t i = 0; i + 8 <= l->len; i++) {
            size_t j = i + 4;
            int y, m, d;
            unsigned char sep;
            if (!(p[i] == '1' || p[i] == '2') || (i > 0 && p[i - 1] >= '0' &&
                                                  p[i - 1] <= '9'))
                continue;
            if (p[i + 1] < '0' || p[i + 1] > '9' || p[i + 2] < '0' ||
                p[i + 2] > '9' || p[i + 3] < '0' || p[i + 3] > '9')
                continue;
            y = (p[i] - '0') * 1000 + (p[i + 1] - '0') * 100 +
                (p[i + 2] - '0') * 10 + (p[i + 3] - '0');
            sep = p[j];
            if (sep != '-' && sep != '/' && sep != '.')
                continue;
            j++;
            if (!digits12(p, l->len, &j, &m) || j >= l->len || p[j] != sep)
                continue;
            j++;
            if (!digits12(p, l->len, &j, &d))
                continue;
            if (j < l->len && p[j] >= '0' && p[j] <= '9')
                continue;
            /* Outside 1900..2099 a number in a head line is rarely a date. */
            if (y < 1900 || y > 2099 || !hks_date_valid((unsigned)y, (unsigned)m, (unsigned)d))
                continue;
            snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
            return 10;
        }
    }
    return 0;
}

/* ---- Front matter -------------------------------------------------------- */

/*
 * Markdown front matter (Jekyll, Hugo, the archives our news comes from):
 * a first line "---", "key: value" lines, a closing "---" or "...". Its
 * title, date, source and url fill the fields (surrounding quotes
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
    static const char *const keys[4] = {"title", "date", "source", "url"};
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
        for (k = 0; k < 4 && is_key; k++) {
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
