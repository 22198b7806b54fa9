/*
 * date.c: the one set of date rules, for the source readers (a date found
 * in an article's text), the in-memory index (the date field of a
 * document) and the query parser (date: filters). A date is a day of the
 * Gregorian calendar with a four-digit year; 2020-02-30 is not one, at
 * index time as at query time. Dates are kept as YYYYMMDD integers, 0 for
 * none.
 */
#include <string.h>

#include "hks_int.h"

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

bool hks_date_valid(unsigned y, unsigned m, unsigned d)
{
    return y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Up to max digits at s[*i]; false when there is none. */
static bool digits(const char *s, size_t n, size_t *i, size_t max, unsigned *out)
{
    size_t k;
    *out = 0;
    for (k = 0; k < max && *i < n && is_digit(s[*i]); k++, (*i)++)
        *out = *out * 10 + (unsigned)(s[*i] - '0');
    return k > 0;
}

static bool is_sep(char c)
{
    return c == '-' || c == '/' || c == '.';
}

uint32_t hks_date_parse(const char *s, size_t n)
{
    size_t i;
    for (i = 0; i + 8 <= n; i++) {
        unsigned y, m, d;
        size_t j = i;
        if (i && is_digit(s[i - 1]))
            continue;
        if (!digits(s, n, &j, 4, &y) || j - i != 4)
            continue;
        if (j < n && is_sep(s[j]))
            j++;
        else if (j + 3 <= n && memcmp(s + j, "\xe5\xb9\xb4", 3) == 0) /* 年 */
            j += 3;
        else
            continue;
        if (!digits(s, n, &j, 2, &m))
            continue;
        if (j < n && is_sep(s[j]))
            j++;
        else if (j + 3 <= n && memcmp(s + j, "\xe6\x9c\x88", 3) == 0) /* 月 */
            j += 3;
        else
            continue;
        if (!digits(s, n, &j, 2, &d) || !hks_date_valid(y, m, d))
            continue;
        return y * 10000 + m * 100 + d;
    }
    return 0;
}

int hks_date_parse_bound(const char *s, size_t n, bool is_end, uint32_t *out)
{
    unsigned y, m = 0, d = 0;
    size_t i = 0;
    *out = 0;
    if (n == 0)
        return HKS_OK;
    if (!digits(s, n, &i, 4, &y) || i != 4)
        return HKS_ERR_ARG;
    if (i < n) {
        if (s[i] != '-' && s[i] != '/')
            return HKS_ERR_ARG;
        i++;
        if (!digits(s, n, &i, 2, &m) || m < 1 || m > 12)
            return HKS_ERR_ARG;
    }
    if (i < n) {
        if (s[i] != '-' && s[i] != '/')
            return HKS_ERR_ARG;
        i++;
        if (!digits(s, n, &i, 2, &d) || !hks_date_valid(y, m, d))
            return HKS_ERR_ARG;
    }
    if (i != n || y < 1000)
        return HKS_ERR_ARG;
    if (!m)
        m = is_end ? 12 : 1;
    if (!d)
        d = is_end ? days_in_month(y, m) : 1;
    *out = y * 10000 + m * 100 + d;
    return HKS_OK;
}
