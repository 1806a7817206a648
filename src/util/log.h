/* burrow: logging.
 *
 * Errors and warnings always go to stderr ("burrow: ..."); with --log FILE
 * they also go to FILE, as text or as one JSON object per line
 * ({"level":..,"msg":..,"time":..}), which engines read on failure.  Debug
 * messages appear only with --debug: in FILE when there is one, else on stderr.
 *
 * The logger is the one piece of process-wide state: it is configured once by
 * main before any command runs and is only read afterwards.
 */
#ifndef BURROW_UTIL_LOG_H
#define BURROW_UTIL_LOG_H

#include <stdbool.h>

#include "util/error.h"

enum bw_log_level { BW_LOG_ERROR, BW_LOG_WARNING, BW_LOG_INFO, BW_LOG_DEBUG };

/* `path` may be NULL (no log file).  Returns -1 and sets *err on failure. */
int bw_log_init(const char *path, bool json, bool debug, bw_err_t *err);
void bw_log_close(void);
bool bw_log_debug_enabled(void);

void bw_log(enum bw_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define bw_error_log(...) bw_log(BW_LOG_ERROR, __VA_ARGS__)
#define bw_warn(...)      bw_log(BW_LOG_WARNING, __VA_ARGS__)
#define bw_info(...)      bw_log(BW_LOG_INFO, __VA_ARGS__)
#define bw_debug(...)                                                                              \
    do {                                                                                           \
        if (bw_log_debug_enabled())                                                                \
            bw_log(BW_LOG_DEBUG, __VA_ARGS__);                                                     \
    } while (0)

/* Print an error (with its errno text) the way main does. */
void bw_log_error_obj(const struct bw_error *e);

#endif
