#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

static struct {
    int fd; /* the --log file, or -1 */
    bool json;
    bool debug;
} logger = {.fd = -1};

int bw_log_init(const char *path, bool json, bool debug, bw_err_t *err)
{
    logger.json = json;
    logger.debug = debug;
    if (path != NULL && path[0] != '\0') {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
        if (fd < 0)
            return bw_error_errno(err, "open log file `%s`", path);
        logger.fd = fd;
    }
    return 0;
}

void bw_log_close(void)
{
    if (logger.fd >= 0)
        close(logger.fd);
    logger.fd = -1;
}

bool bw_log_debug_enabled(void)
{
    return logger.debug;
}

static const char *level_name(enum bw_log_level level)
{
    switch (level) {
    case BW_LOG_ERROR:
        return "error";
    case BW_LOG_WARNING:
        return "warning";
    case BW_LOG_INFO:
        return "info";
    case BW_LOG_DEBUG:
        return "debug";
    }
    return "?";
}

/* Append `s` to `out` as the inside of a JSON string. */
static void json_escape(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
}

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buf += n;
        len -= (size_t)n;
    }
}

static void write_log_file(enum bw_log_level level, const char *msg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (out == NULL)
        return;
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    char when[64];
    snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec);
    if (logger.json) {
        fprintf(out, "{\"level\":\"%s\",\"msg\":\"", level_name(level));
        json_escape(out, msg);
        fprintf(out, "\",\"time\":\"%s\"}\n", when);
    } else {
        fprintf(out, "%s %s: %s\n", when, level_name(level), msg);
    }
    fclose(out);
    /* One write(2) per line, so that concurrent writers do not interleave. */
    write_all(logger.fd, buf, len);
    free(buf);
}

static void log_message(enum bw_log_level level, const char *msg)
{
    int saved = errno;
    if (logger.fd >= 0)
        write_log_file(level, msg);
    if (level <= BW_LOG_WARNING || logger.fd < 0) {
        char *line = NULL;
        int n;
        if (level == BW_LOG_ERROR)
            n = asprintf(&line, "burrow: %s\n", msg);
        else
            n = asprintf(&line, "burrow: %s: %s\n", level_name(level), msg);
        if (n >= 0) {
            write_all(STDERR_FILENO, line, (size_t)n);
            free(line);
        }
    }
    errno = saved;
}

void bw_log(enum bw_log_level level, const char *fmt, ...)
{
    if (level == BW_LOG_DEBUG && !logger.debug)
        return;
    if (level == BW_LOG_INFO && !logger.debug && logger.fd < 0)
        return;
    char *msg = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    log_message(level, msg);
    free(msg);
}

void bw_log_error_obj(const struct bw_error *e)
{
    char *text = bw_error_text(e);
    log_message(BW_LOG_ERROR, text);
    free(text);
}
