/*
 * fuzzutil.h: helpers shared by the fuzz targets tests/fuzz/fuzz_*.c, which
 * are built two ways: with libFuzzer (make fuzz, clang) and with the plain
 * replay driver fuzz_main.c (make fuzz-replay, part of make test). Each
 * target is one LLVMFuzzerTestOneInput; state that is costly to make (a
 * small index, a scratch directory) is made at the first call and removed
 * at exit.
 *
 * A target calls fuzz_check() for the invariants it tests: a failure
 * prints the reason and aborts, so both libFuzzer and the replay driver
 * report it as a crash with the input that caused it.
 */
#ifndef HKS_FUZZUTIL_H
#define HKS_FUZZUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_check(cond) fuzz_check_at((cond), #cond, __FILE__, __LINE__)
void fuzz_check_at(bool ok, const char *what, const char *file, int line);

/* A scratch directory made at the first call (under $TMPDIR or /tmp) and
 * removed with everything in it at exit. Never NULL: aborts if it cannot
 * be made. */
const char *fuzz_scratch_dir(void);
/* A fresh empty subdirectory name of the scratch dir joined into buf; the
 * directory itself is created (or emptied). */
void fuzz_subdir(char *buf, size_t cap, const char *name);
/* Write p[0..n) to dir/name (whole file, replaced); aborts on failure. */
void fuzz_write_file(const char *dir, const char *name, const void *p,
                     size_t n);
/* Read dir/name into a malloc'd buffer; aborts on failure. */
uint8_t *fuzz_read_file(const char *dir, const char *name, size_t *n_out);
/* Remove dir and everything below it. */
void fuzz_rmtree(const char *dir);

/* Build a small committed index in dir (created if missing) from a fixed
 * set of short news documents in simplified and traditional Chinese with
 * some Latin words, numbers, dates and sources (and on every other one an
 * author, a category and tags). Aborts on failure: the
 * library is expected to index them. */
void fuzz_build_index(const char *dir);

/* Consume a little-endian integer of up to 4 bytes from *p and *n (missing
 * bytes read as 0). */
uint32_t fuzz_take_u32(const uint8_t **p, size_t *n, size_t width);

#endif /* HKS_FUZZUTIL_H */
