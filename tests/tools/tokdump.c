/*
 * tokdump: print the tokens of a UTF-8 file, one per line, as
 *     pos<TAB>term<TAB>start-end<TAB>flags
 * (start-end = source byte range, flags = cjk, cjk+last or word). The
 * golden tests (tests/golden/run.sh) compare this output with the
 * checked-in .expected files. Invalid UTF-8 is reported on stderr as a
 * count and first offset; it does not change the exit status.
 *
 * Usage: tokdump FILE     (exit 0 ok, 1 read error, 2 usage)
 */
#include <stdio.h>
#include <stdlib.h>

#include "hks_int.h"

static int print_token(void *ctx, const hks_token *tok)
{
    const char *flags = "word";
    (void)ctx;
    if (tok->flags & HKS_TOK_LAST)
        flags = "cjk+last";
    else if (tok->flags & HKS_TOK_CJK)
        flags = "cjk";
    printf("%u\t%.*s\t%u-%u\t%s\n", (unsigned)tok->pos, (int)tok->term_len,
           tok->term, (unsigned)tok->src_start, (unsigned)tok->src_end, flags);
    return HKS_OK;
}

int main(int argc, char **argv)
{
    FILE *f;
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    hks_ntext t;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: tokdump FILE\n");
        return 2;
    }
    f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    do {
        if (len == cap) {
            char *p;
            cap = cap ? cap * 2 : 65536;
            p = realloc(text, cap);
            if (!p) {
                fprintf(stderr, "tokdump: out of memory\n");
                return 1;
            }
            text = p;
        }
        got = fread(text + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    if (ferror(f)) {
        perror(argv[1]);
        return 1;
    }
    fclose(f);

    hks_ntext_init(&t, NULL);
    rc = hks_norm_text(&t, text, len);
    if (rc == HKS_OK)
        rc = hks_tokenize(&t, 0, print_token, NULL, NULL);
    if (rc != HKS_OK) {
        fprintf(stderr, "tokdump: %s: %s\n", argv[1], hks_strerror(rc));
        return 1;
    }
    if (t.n_invalid)
        fprintf(stderr, "tokdump: %s: %zu invalid UTF-8 sequences, first at byte %zu\n",
                argv[1], t.n_invalid, t.first_invalid);
    hks_ntext_free(&t);
    free(text);
    return 0;
}
