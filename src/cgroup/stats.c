/* burrow: statistics of a cgroup in the shape runc's `events` prints:
 *
 *   {"cpu": {"usage": {"total", "kernel", "user"}, "throttling": {"periods",
 *    "throttledPeriods", "throttledTime"}},
 *    "memory": {"usage": {"usage", "max", "limit", "failcnt"}, "swap": {...},
 *    "raw": {memory.stat}}, "pids": {"current", "limit"},
 *    "blkio": {"ioServiceBytesRecursive": [{"major", "minor", "op", "value"}]}}
 *
 * Times are nanoseconds (cpu.stat has microseconds); a limit of "max" is
 * the largest uint64, as runc reports it.  Files a cgroup lacks (a
 * controller not enabled) leave their part out.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup/cgroup.h"
#include "util/cleanup.h"

/* "key value" lines: the value of `key`, or `dflt`. */
static uint64_t keyed(const char *s, const char *key, uint64_t dflt)
{
    size_t kl = strlen(key);
    for (const char *l = s; l && *l;) {
        if (strncmp(l, key, kl) == 0 && l[kl] == ' ')
            return strtoull(l + kl + 1, NULL, 10);
        l = strchr(l, '\n');
        if (l)
            l++;
    }
    return dflt;
}

/* A single number, "max" as UINT64_MAX; `dflt` when the file is absent. */
static uint64_t single(int fd, const char *file, uint64_t dflt)
{
    cleanup_free char *s = bw_cgroup_read(fd, file);
    if (s == NULL)
        return dflt;
    if (strncmp(s, "max", 3) == 0)
        return UINT64_MAX;
    return strtoull(s, NULL, 10);
}

uint64_t bw_cgroup_oom_kills(const struct bw_cgroup *cg)
{
    if (cg->fd < 0)
        return 0;
    cleanup_free char *s = bw_cgroup_read(cg->fd, "memory.events");
    return s ? keyed(s, "oom_kill", 0) : 0;
}

static void cpu_part(FILE *out, int fd)
{
    cleanup_free char *s = bw_cgroup_read(fd, "cpu.stat");
    if (s == NULL)
        return;
    fprintf(out,
            "\"cpu\":{\"usage\":{\"total\":%" PRIu64 ",\"kernel\":%" PRIu64 ",\"user\":%" PRIu64
            "},\"throttling\":{\"periods\":%" PRIu64 ",\"throttledPeriods\":%" PRIu64
            ",\"throttledTime\":%" PRIu64 "}},",
            keyed(s, "usage_usec", 0) * 1000, keyed(s, "system_usec", 0) * 1000,
            keyed(s, "user_usec", 0) * 1000, keyed(s, "nr_periods", 0), keyed(s, "nr_throttled", 0),
            keyed(s, "throttled_usec", 0) * 1000);
}

static void memory_part(FILE *out, int fd)
{
    cleanup_free char *stat = bw_cgroup_read(fd, "memory.stat");
    if (stat == NULL)
        return;
    cleanup_free char *events = bw_cgroup_read(fd, "memory.events");
    fprintf(out,
            "\"memory\":{\"usage\":{\"usage\":%" PRIu64 ",\"max\":%" PRIu64 ",\"limit\":%" PRIu64
            ",\"failcnt\":%" PRIu64 "},\"swap\":{\"usage\":%" PRIu64 ",\"max\":%" PRIu64
            ",\"limit\":%" PRIu64 ",\"failcnt\":0},\"raw\":{",
            single(fd, "memory.current", 0), single(fd, "memory.peak", 0),
            single(fd, "memory.max", UINT64_MAX), events ? keyed(events, "max", 0) : 0,
            single(fd, "memory.swap.current", 0), single(fd, "memory.swap.peak", 0),
            single(fd, "memory.swap.max", UINT64_MAX));
    bool first = true;
    for (char *l = stat; *l;) {
        size_t n = strcspn(l, "\n");
        char key[128];
        uint64_t v;
        if (sscanf(l, "%127[a-z_0-9] %" SCNu64, key, &v) == 2) {
            fprintf(out, "%s\"%s\":%" PRIu64, first ? "" : ",", key, v);
            first = false;
        }
        l += n;
        l += strspn(l, "\n");
    }
    fputs("}},", out);
}

static void pids_part(FILE *out, int fd)
{
    cleanup_free char *cur = bw_cgroup_read(fd, "pids.current");
    if (cur == NULL)
        return;
    uint64_t limit = single(fd, "pids.max", UINT64_MAX);
    fprintf(out, "\"pids\":{\"current\":%" PRIu64 ",\"limit\":%" PRIu64 "},",
            (uint64_t)strtoull(cur, NULL, 10), limit == UINT64_MAX ? 0 : limit);
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N wios=N ..." per device. */
static void io_part(FILE *out, int fd)
{
    cleanup_free char *s = bw_cgroup_read(fd, "io.stat");
    if (s == NULL)
        return;
    fputs("\"blkio\":{\"ioServiceBytesRecursive\":[", out);
    bool first = true;
    char ios[8192] = "";
    size_t iosl = 0;
    for (char *l = s; *l;) {
        size_t n = strcspn(l, "\n");
        unsigned maj, min;
        uint64_t rb = 0, wb = 0, ri = 0, wi = 0;
        if (sscanf(l, "%u:%u", &maj, &min) == 2) {
            char line[1024];
            snprintf(line, sizeof(line), "%.*s", (int)n, l);
            for (char *t = strtok(line, " "); t; t = strtok(NULL, " ")) {
                sscanf(t, "rbytes=%" SCNu64, &rb);
                sscanf(t, "wbytes=%" SCNu64, &wb);
                sscanf(t, "rios=%" SCNu64, &ri);
                sscanf(t, "wios=%" SCNu64, &wi);
            }
            fprintf(out,
                    "%s{\"major\":%u,\"minor\":%u,\"op\":\"Read\",\"value\":%" PRIu64
                    "},{\"major\":%u,\"minor\":%u,\"op\":\"Write\",\"value\":%" PRIu64 "}",
                    first ? "" : ",", maj, min, rb, maj, min, wb);
            if (iosl < sizeof(ios))
                iosl += (size_t)snprintf(
                    ios + iosl, sizeof(ios) - iosl,
                    "%s{\"major\":%u,\"minor\":%u,\"op\":\"Read\",\"value\":%" PRIu64
                    "},{\"major\":%u,\"minor\":%u,\"op\":\"Write\",\"value\":%" PRIu64 "}",
                    first ? "" : ",", maj, min, ri, maj, min, wi);
            first = false;
        }
        l += n;
        l += strspn(l, "\n");
    }
    fprintf(out, "],\"ioServicedRecursive\":[%s]},", iosl < sizeof(ios) ? ios : "");
}

char *bw_cgroup_stats_json(const struct bw_cgroup *cg, bw_err_t *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (out == NULL) {
        bw_error_set(err, ENOMEM, "statistics");
        return NULL;
    }
    fputc('{', out);
    if (cg->fd >= 0) {
        cpu_part(out, cg->fd);
        memory_part(out, cg->fd);
        pids_part(out, cg->fd);
        io_part(out, cg->fd);
    }
    fclose(out);
    if (buf == NULL) {
        bw_error_set(err, ENOMEM, "statistics");
        return NULL;
    }
    /* The last part's comma becomes the closing brace. */
    if (len > 1 && buf[len - 1] == ',')
        buf[len - 1] = '}';
    else {
        char *b = realloc(buf, len + 2);
        if (b == NULL) {
            free(buf);
            bw_error_set(err, ENOMEM, "statistics");
            return NULL;
        }
        buf = b;
        buf[len] = '}';
        buf[len + 1] = '\0';
    }
    return buf;
}
