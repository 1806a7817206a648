#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"

static char *xvasprintf_or_null(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0)
        return NULL;
    return s;
}

int bw_error_setv(bw_err_t *err, int code, const char *fmt, va_list ap)
{
    if (err == NULL)
        return -1;
    if (*err != NULL) {
        /* Keep the first error: it is the cause; later ones are consequences. */
        return -1;
    }
    struct bw_error *e = calloc(1, sizeof(*e));
    if (e == NULL)
        abort();
    e->code = code;
    e->msg = xvasprintf_or_null(fmt, ap);
    if (e->msg == NULL)
        abort();
    *err = e;
    return -1;
}

int bw_error_set(bw_err_t *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bw_error_setv(err, code, fmt, ap);
    va_end(ap);
    return -1;
}

int bw_error_prefix(bw_err_t *err, const char *fmt, ...)
{
    if (err == NULL || *err == NULL)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    char *prefix = xvasprintf_or_null(fmt, ap);
    va_end(ap);
    if (prefix == NULL)
        abort();
    char *joined = NULL;
    if (asprintf(&joined, "%s: %s", prefix, (*err)->msg) < 0)
        abort();
    free(prefix);
    free((*err)->msg);
    (*err)->msg = joined;
    return -1;
}

char *bw_error_text(const struct bw_error *e)
{
    char *s = NULL;
    int r;
    if (e->code != 0)
        r = asprintf(&s, "%s: %s", e->msg, strerror(e->code));
    else
        r = asprintf(&s, "%s", e->msg);
    if (r < 0)
        abort();
    return s;
}

void bw_error_free(bw_err_t *err)
{
    if (err == NULL || *err == NULL)
        return;
    free((*err)->msg);
    free(*err);
    *err = NULL;
}
