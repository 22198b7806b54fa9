/*
 * hks_test.h: helpers shared by every cmocka unit test (linked into each
 * tests/unit/test_*.c binary by the Makefile). They provide allocators
 * (cmocka-routed for leak reports, and fault-injecting for the OOM loop
 * of STYLE 2.9), a temporary-directory fixture, and paths to the repo's
 * corpus and the optional shared data set.
 *
 * Include order: this header pulls in the headers cmocka.h needs
 * (stdarg, stddef, stdint, setjmp) before cmocka.h itself, so a test file
 * may include it first and nothing else for cmocka.
 */
#ifndef HKS_TEST_H
#define HKS_TEST_H

/* clang-format off: cmocka.h needs these four first, in this order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
/* clang-format on */

#include <stdbool.h>

#include "hks_int.h"

/* An allocator whose blocks go through cmocka's test_realloc/test_free, so
 * cmocka fails the test that leaks and names the allocation site. The
 * returned struct is static and read-only; pass it wherever an
 * const hks_alloc * is taken. */
const hks_alloc *hks_test_cm_alloc(void);

/*
 * A fault-injecting allocator (SQLite do_faultsim_test, Lua ltests.c
 * debug_realloc countlimit). Allocations are numbered 0, 1, 2, ... in call
 * order; a call that creates or resizes a block counts, a free does not.
 * The allocation numbered fail_at returns NULL (and so do all later ones
 * when persistent is true). Every block carries a hidden size header, so
 * live_bytes/live_blocks are exact whatever osize the library passes; a
 * test asserts both are 0 after freeing everything.
 *
 * Typical OOM loop:
 *     for (long k = 0;; k++) {
 *         hks_test_fault f;
 *         hks_test_fault_init(&f, k);
 *         rc = run_operation(&f.alloc);
 *         assert_int_equal(f.live_blocks, 0);
 *         if (f.n_failed == 0) { assert_int_equal(rc, HKS_OK); break; }
 *         assert_true(rc == HKS_OK || rc == HKS_ERR_NOMEM);
 *     }
 */
typedef struct hks_test_fault {
    hks_alloc alloc;    /* pass &f.alloc to the library (ud = &f)        */
    long fail_at;       /* allocation number to fail; < 0 = never        */
    bool persistent;    /* also fail every allocation after fail_at      */
    long n_calls;       /* allocations attempted so far                  */
    long n_failed;      /* allocations that returned NULL on purpose     */
    size_t live_bytes;  /* bytes currently allocated                     */
    size_t live_blocks; /* blocks currently allocated                    */
    size_t peak_bytes;  /* maximum of live_bytes                         */
} hks_test_fault;

/* Reset f: counters to 0, fail_at = k (k < 0: never fail), transient. */
void hks_test_fault_init(hks_test_fault *f, long k);

/* Make a fresh empty directory under $TMPDIR (or /tmp) and write its path
 * into buf[0..cap). @return 0, or -1 (errno set) if it could not. */
int hks_test_tmpdir(char *buf, size_t cap);
/* Remove dir and everything below it (best effort; symlinks not followed). */
void hks_test_rmtree(const char *dir);

/* rel resolved against the repo root (tests run from the root; env
 * HKS_ROOT overrides), written into buf[0..cap). @return buf, or NULL if
 * it does not fit. */
const char *hks_test_repo_path(const char *rel, char *buf, size_t cap);
/* The shared data directory: env HKS_DATA if set, else "../shared/data"
 * if that directory exists, else NULL (tests that need it then skip). */
const char *hks_test_data_dir(void);

/* Read a whole file into a malloc'd buffer (*p, NUL-terminated for
 * convenience, *n excludes the NUL); the caller frees *p with free().
 * @return 0, or -1 (errno set; *p = NULL). */
int hks_test_read_file(const char *path, char **p, size_t *n);

/* Fill d with a test article of collection "news": id, title and body
 * (NUL-terminated), date 2022-03-01, source 卫健委. The strings are
 * borrowed, as hks_writer_add borrows them. */
void hks_test_doc(hks_doc *d, const char *id, const char *title, const char *body);

#endif /* HKS_TEST_H */
