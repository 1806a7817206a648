/* burrow events: the statistics of a container's cgroup, once (--stats) or
 * every interval until the container stops, and an "oom" event each time
 * the kernel's OOM killer acts in it (memory.events' oom_kill counter).
 * One JSON object per line, in runc's shape:
 *
 *   {"type":"stats","id":"ID","data":{...}}   (cgroup/stats.c)
 *   {"type":"oom","id":"ID"}
 *   {"type":"exit","id":"ID"}                  (last, when the init is gone)
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgroup/cgroup.h"
#include "container/container.h"
#include "container/state.h"
#include "linux/proc.h"
#include "util/cleanup.h"

static int print_stats(const struct bw_cgroup *cg, const char *id, FILE *out, bw_err_t *err)
{
    cleanup_free char *data = bw_cgroup_stats_json(cg, err);
    if (data == NULL)
        return -1;
    /* The id passed bw_id_check: no character of it needs escaping. */
    fprintf(out, "{\"type\":\"stats\",\"id\":\"%s\",\"data\":%s}\n", id, data);
    fflush(out);
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int bw_container_events(const struct bw_ctx *ctx, const char *id, bool stats_once, long interval_ms,
                        FILE *out, bw_err_t *err)
{
    if (bw_id_check(id, err) < 0)
        return bw_error_prefix(err, "events");
    cleanup_free char *root = bw_state_root(ctx->root_opt, false, err);
    cleanup_cdir struct bw_cdir d = {.fd = -1};
    if (root == NULL || bw_cdir_open(root, id, false, &d, err) < 0)
        return bw_error_prefix(err, "events");
    struct bw_state s = {0};
    struct bw_cgroup cg;
    bw_cgroup_init(&cg);
    int rc = -1;
    int r = bw_cdir_read_state(&d, &s, err);
    if (r == 1)
        bw_error_set(err, 0, "it is still being created");
    if (r != 0)
        goto out;
    enum bw_status st = bw_cdir_status(&d, &s);
    if (st == BW_STATUS_STOPPED || st == BW_STATUS_CREATING) {
        bw_error_set(err, 0, "it is %s", bw_status_name(st));
        goto out;
    }
    if (bw_cgroup_load(&cg, d.fd, err) < 0)
        goto out;
    if (cg.fd < 0) {
        bw_error_set(err, 0, "the container has no cgroup%s%s", cg.why_none ? ": " : "",
                     cg.why_none ? cg.why_none : "");
        goto out;
    }
    if (stats_once) {
        rc = print_stats(&cg, id, out, err);
        goto out;
    }
    uint64_t ooms = bw_cgroup_oom_kills(&cg);
    long long next = now_ms();
    while (bw_proc_alive(s.pid, s.pid_start)) {
        uint64_t now_ooms = bw_cgroup_oom_kills(&cg);
        for (; ooms < now_ooms; ooms++) {
            fprintf(out, "{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
            fflush(out);
        }
        if (now_ms() >= next) {
            if (print_stats(&cg, id, out, err) < 0)
                goto out;
            next = now_ms() + interval_ms;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* An OOM kill of the init itself ends the loop: report it. */
    for (uint64_t now_ooms = bw_cgroup_oom_kills(&cg); ooms < now_ooms; ooms++)
        fprintf(out, "{\"type\":\"oom\",\"id\":\"%s\"}\n", id);
    /* The last event: the container's process is gone (its status belongs
     * to its parent, not to us). */
    fprintf(out, "{\"type\":\"exit\",\"id\":\"%s\"}\n", id);
    rc = 0;
out:
    bw_cgroup_free(&cg);
    bw_state_free_fields(&s);
    if (rc < 0)
        return bw_error_prefix(err, "events container `%s`", id);
    return 0;
}
