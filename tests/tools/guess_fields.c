/*
 * guess_fields.c: how often the dates and sources found in article text
 * (hks_date_guess, hks_source_guess) would fill a record's fields, and how
 * often they agree with the fields the record gives. A data set whose
 * records are all dated is a test of false positives: every body date
 * guessed is a date the reader would have taken for a page without one.
 *
 * usage: zstdcat hkcnews.docs.jsonl.zst | build/tools/guess_fields
 * prints: records, dates found, equal to the record's date, within 7 days
 * of it, sources found, equal to the record's source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hks_indexer.h"

/* Days since 1970-01-01 of "YYYY-MM-DD..." (no check beyond the digits). */
static long days(const char *s)
{
    long y = strtol(s, NULL, 10), m = strtol(s + 5, NULL, 10), d = strtol(s + 8, NULL, 10);
    long era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int main(void)
{
    hks_json *j = NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long n = 0, n_date = 0, n_equal = 0, n_week = 0, n_src = 0, n_src_equal = 0;
    if (hks_json_new(NULL, &j) != HKS_OK)
        return 2;
    while ((len = getline(&line, &cap, stdin)) > 0) {
        hks_errbuf e = {{0}};
        const char *body, *date, *src;
        size_t bl, dl, sl, s0, s1;
        char guess[11];
        if (hks_json_parse(j, line, (size_t)len, &e) != HKS_OK ||
            hks_json_get(j, "body", &body, &bl) != HKS_OK)
            continue;
        n++;
        if (hks_json_get(j, "date", &date, &dl) != HKS_OK)
            dl = 0;
        if (hks_json_get(j, "source", &src, &sl) != HKS_OK)
            sl = 0;
        if (hks_date_guess(body, bl, guess)) {
            n_date++;
            if (dl >= 10) {
                long diff = days(guess) - days(date);
                n_equal += memcmp(guess, date, 10) == 0;
                n_week += diff >= -7 && diff <= 7;
            }
        }
        if (hks_source_guess(body, bl, &s0, &s1)) {
            n_src++;
            n_src_equal += sl == s1 && memcmp(src, body + s0, sl) == 0;
        }
    }
    printf("records %lu  dates found %lu  equal %lu  within 7 days %lu  sources found %lu  "
           "equal %lu\n",
           n, n_date, n_equal, n_week, n_src, n_src_equal);
    free(line);
    hks_json_free(j);
    return 0;
}
