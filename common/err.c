/*
 * err.c: result-code names, per-handle error messages and the version
 * functions. Nothing here has mutable global state.
 */
#include <stdarg.h>
#include <stdio.h>

#include "hks_int.h"

const char *hks_strerror(int rc)
{
    switch (rc) {
    case HKS_OK:
        return "ok";
    case HKS_DONE:
        return "done";
    case HKS_ERR_NOMEM:
        return "out of memory";
    case HKS_ERR_IO:
        return "i/o error";
    case HKS_ERR_CORRUPT:
        return "corrupt index";
    case HKS_ERR_FORMAT:
        return "unsupported index format";
    case HKS_ERR_ARG:
        return "invalid argument";
    case HKS_ERR_UTF8:
        return "invalid utf-8";
    case HKS_ERR_QUERY:
        return "bad query";
    case HKS_ERR_BUFSIZE:
        return "buffer too small";
    case HKS_ERR_LOCKED:
        return "index is locked";
    case HKS_ERR_NOTFOUND:
        return "not found";
    case HKS_ERR_MISUSE:
        return "library misuse";
    case HKS_ERR_INPUT:
        return "malformed input";
    case HKS_ERR_REFUSED:
        return "refused";
    case HKS_ERR_INTERNAL:
        return "internal error";
    default:
        return "unknown error";
    }
}

int hks_fail(hks_errbuf *e, int rc, const char *fmt, ...)
{
    va_list ap;
    if (!e)
        return rc;
    va_start(ap, fmt);
    /* ap is started just above; the analyzer misses it (a known false
     * positive of clang-analyzer-valist). */
    vsnprintf(e->msg, sizeof e->msg, fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized) */
    va_end(ap);
    return rc;
}

void hks_err_clear(hks_errbuf *e)
{
    if (e)
        e->msg[0] = '\0';
}

unsigned hks_version_number(void)
{
    return HKS_VERSION_NUMBER;
}

const char *hks_version_string(void)
{
#define HKS_STR_(x) #x
#define HKS_STR(x) HKS_STR_(x)
    return HKS_STR(HKS_VERSION_MAJOR) "." HKS_STR(HKS_VERSION_MINOR) "." HKS_STR(
        HKS_VERSION_PATCH);
}
