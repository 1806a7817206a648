/* burrow: errors that carry errno and a message up to main.
 *
 * A function that can fail returns -1 (or NULL) and fills `*err`; on success
 * it leaves `*err` untouched.  Messages are lowercase verb-plus-object with
 * paths in backquotes ("open `/proc/self/uid_map`"); the errno text is
 * appended once, when the error is printed, never by the code that sets it.
 * Context is added at module boundaries with bw_error_prefix().
 */
#ifndef BURROW_UTIL_ERROR_H
#define BURROW_UTIL_ERROR_H

#include <stdarg.h>

struct bw_error {
    int code;  /* errno value, or 0 when the error is not a system error */
    char *msg; /* without the errno text */
};
typedef struct bw_error *bw_err_t;

/* Set *err (which must be NULL) and return -1.  `code` is an errno value or 0. */
int bw_error_set(bw_err_t *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int bw_error_setv(bw_err_t *err, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Prepend context: "create container `web`" + ": " + old message.  Returns -1. */
int bw_error_prefix(bw_err_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The full text: "msg: strerror(code)" (or just msg when code is 0). Caller frees. */
char *bw_error_text(const struct bw_error *e);

void bw_error_free(bw_err_t *err);

/* Shorthand for the frequent `return bw_error_set(err, errno, ...)`. */
#define bw_error_errno(err, ...) bw_error_set((err), errno, __VA_ARGS__)

#endif
