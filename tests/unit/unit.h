/* burrow: a tiny unit-test framework.
 *
 * A test is `static enum unit_result test_NAME(struct unit *u)` returning
 * UNIT_PASS, UNIT_FAIL or UNIT_SKIP; on FAIL or SKIP it says why with
 * unit_fail()/unit_skip() (or the UNIT_ASSERT* macros, which return).  A
 * program lists its tests with UNIT_TEST(name) in a table and calls
 * unit_main().  One line per test, the format the project's runner counts:
 *
 *   ok - NAME
 *   not ok - NAME: REASON
 *   skip - NAME: REASON
 *
 * The exit status is 0 when nothing failed, 1 otherwise.  Arguments on the
 * command line select tests whose name contains one of them.
 */
#ifndef BURROW_TESTS_UNIT_H
#define BURROW_TESTS_UNIT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum unit_result { UNIT_PASS, UNIT_FAIL, UNIT_SKIP };

struct unit {
    char reason[1024];
};

struct unit_test {
    const char *name;
    enum unit_result (*fn)(struct unit *u);
};

#define UNIT_TEST(name)                                                                            \
    {                                                                                              \
#name, test_##name                                                                         \
    }

static inline enum unit_result unit_vset(struct unit *u, enum unit_result r, const char *fmt,
                                         va_list ap) __attribute__((format(printf, 3, 0)));
static inline enum unit_result unit_vset(struct unit *u, enum unit_result r, const char *fmt,
                                         va_list ap)
{
    vsnprintf(u->reason, sizeof(u->reason), fmt, ap);
    /* Keep the line a line: the runner parses one test per line. */
    for (char *p = u->reason; *p != '\0'; p++)
        if (*p == '\n')
            *p = ' ';
    return r;
}

static inline enum unit_result unit_fail(struct unit *u, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline enum unit_result unit_fail(struct unit *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum unit_result r = unit_vset(u, UNIT_FAIL, fmt, ap);
    va_end(ap);
    return r;
}

static inline enum unit_result unit_skip(struct unit *u, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline enum unit_result unit_skip(struct unit *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum unit_result r = unit_vset(u, UNIT_SKIP, fmt, ap);
    va_end(ap);
    return r;
}

#define UNIT_ASSERT(u, cond)                                                                       \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return unit_fail((u), "%s:%d: assertion failed: %s", __FILE__, __LINE__, #cond);       \
    } while (0)

#define UNIT_ASSERT_STR_EQ(u, got, want)                                                           \
    do {                                                                                           \
        const char *got_ = (got), *want_ = (want);                                                 \
        if (got_ == NULL || strcmp(got_, want_) != 0)                                              \
            return unit_fail((u), "%s:%d: got \"%s\", want \"%s\"", __FILE__, __LINE__,            \
                             got_ != NULL ? got_ : "(null)", want_);                               \
    } while (0)

/* Print one result line; returns 1 if it was a failure. */
static inline int unit_report(const char *name, enum unit_result r, const struct unit *u)
{
    switch (r) {
    case UNIT_PASS:
        printf("ok - %s\n", name);
        return 0;
    case UNIT_SKIP:
        printf("skip - %s: %s\n", name, u->reason[0] ? u->reason : "skipped");
        return 0;
    default:
        printf("not ok - %s: %s\n", name, u->reason[0] ? u->reason : "failed");
        return 1;
    }
}

static inline bool unit_selected(const char *name, int argc, char **argv)
{
    if (argc <= 1)
        return true;
    for (int i = 1; i < argc; i++)
        if (strstr(name, argv[i]) != NULL)
            return true;
    return false;
}

static inline int unit_main(const struct unit_test *tests, size_t n, int argc, char **argv)
{
    int failed = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < n; i++) {
        struct unit u = {{0}};
        if (!unit_selected(tests[i].name, argc, argv))
            continue;
        failed |= unit_report(tests[i].name, tests[i].fn(&u), &u);
    }
    return failed ? 1 : 0;
}

#endif
