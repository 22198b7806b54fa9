/*
 * fuzz_main.c: the replay driver (zstd tests/fuzz/regression_driver.c,
 * utf8proc test/fuzz_main.c). A plain main() that feeds every file named
 * on the command line, or every regular file of every directory named, to
 * LLVMFuzzerTestOneInput. Built with gcc and without libFuzzer, it runs
 * each target over its committed corpus in `make test`, so every input a
 * fuzzer ever found stays a regression test. A crash or a failed invariant
 * aborts; FUZZ_VERBOSE=1 in the environment names each file before it
 * runs, to find the one that failed.
 *
 *     usage: fuzz_<target> FILE|DIR...
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzzutil.h"

static int g_verbose;

/* Run one input; the buffer is exactly the file's size (no slack), so an
 * over-read shows under the sanitizers. */
static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long n;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "fuzz_main: cannot read %s\n", path);
        if (f)
            fclose(f);
        return -1;
    }
    buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "fuzz_main: cannot read %s\n", path);
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    if (g_verbose)
        fprintf(stderr, "fuzz_main: %s (%ld bytes)\n", path, n);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order (so a run is repeatable). */
static int run_dir(const char *dir, long *n_run)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = 0;
    if (!d) {
        fprintf(stderr, "fuzz_main: cannot open %s\n", dir);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st) != 0 ||
            !S_ISREG(st.st_mode))
            continue;
        if (n == cap) {
            char **nn;
            cap = cap ? 2 * cap : 64;
            nn = realloc(names, cap * sizeof *names);
            if (!nn)
                abort();
            names = nn;
        }
        names[n] = strdup(path);
        if (!names[n])
            abort();
        n++;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, by_name);
    for (i = 0; i < n; i++) {
        if (run_file(names[i]) != 0)
            rc = -1;
        else
            (*n_run)++;
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    long n_run = 0;
    int i, rc = 0;
    if (getenv("FUZZ_VERBOSE"))
        g_verbose = 1;
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "fuzz_main: no such file: %s\n", argv[i]);
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (run_dir(argv[i], &n_run) != 0)
                rc = 1;
        } else if (run_file(argv[i]) != 0) {
            rc = 1;
        } else {
            n_run++;
        }
    }
    fprintf(stderr, "%s: %ld inputs replayed%s\n", argv[0], n_run,
            rc ? ", some unreadable" : "");
    return rc;
}
