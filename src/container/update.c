/* burrow: update, pause and resume, on the container's cgroup (see
 * cgroup/cgroup.h).  The container is looked up and the input read and
 * checked first, so a typo in the id or a bad file gets its own message.
 * A container without a cgroup (the none manager) cannot be updated or
 * paused, and says why: an engine that asks for a new memory limit must
 * not be told it has one.  update is explicit, so it is always strict: a
 * limit it cannot apply is an error, rootless too. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container/container.h"
#include "container/state.h"
#include "container/support.h"
#include "spec/config.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define RESOURCES_MAX (1024 * 1024)

/* The status of container `id` (which must exist), and its cgroup. */
static int container_status(const struct bw_ctx *ctx, const char *id, enum bw_status *st,
                            struct bw_cgroup *cg, bw_err_t *err)
{
    if (bw_id_check(id, err) < 0)
        return -1;
    cleanup_free char *root = bw_state_root(ctx->root_opt, false, err);
    if (root == NULL)
        return -1;
    cleanup_cdir struct bw_cdir d = {.fd = -1};
    if (bw_cdir_open(root, id, false, &d, err) < 0)
        return -1;
    struct bw_state s = {0};
    int r = bw_cdir_read_state(&d, &s, err);
    if (r < 0)
        return -1;
    *st = bw_cdir_status(&d, r == 0 ? &s : NULL);
    bw_state_free_fields(&s);
    return bw_cgroup_load(cg, d.fd, err) < 0 ? -1 : 0;
}

/* Standard input, which may be a pipe: read until EOF. */
static char *read_stdin(size_t *len, bw_err_t *err)
{
    size_t cap = 4096, n = 0;
    cleanup_free char *buf = malloc(cap + 1);
    if (buf == NULL) {
        bw_error_set(err, ENOMEM, "read the standard input");
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            if (cap >= RESOURCES_MAX) {
                bw_error_set(err, EFBIG, "read the standard input");
                return NULL;
            }
            char *bigger = realloc(buf, cap * 2 + 1);
            if (bigger == NULL) {
                bw_error_set(err, ENOMEM, "read the standard input");
                return NULL;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t got = read(STDIN_FILENO, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            bw_error_errno(err, "read the standard input");
            return NULL;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    buf[n] = '\0';
    *len = n;
    return steal_pointer(&buf);
}

/* The flags (runc's) go over the file's values. */
static struct oci_resources *overlay_flags(struct oci_resources *r, const struct bw_update_opts *o,
                                           bw_err_t *err)
{
    if (r == NULL)
        r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    if (o->memory_set || o->memory_reservation_set || o->memory_swap_set) {
        if (r->memory == NULL)
            r->memory = calloc(1, sizeof(*r->memory));
        if (r->memory == NULL)
            goto nomem;
        if (o->memory_set) {
            r->memory->limit_present = true;
            r->memory->limit = o->memory;
        }
        if (o->memory_reservation_set) {
            r->memory->reservation_present = true;
            r->memory->reservation = o->memory_reservation;
        }
        if (o->memory_swap_set) {
            r->memory->swap_present = true;
            r->memory->swap = o->memory_swap;
        }
    }
    if (o->pids_limit_set) {
        if (r->pids == NULL)
            r->pids = calloc(1, sizeof(*r->pids));
        if (r->pids == NULL)
            goto nomem;
        r->pids->limit_present = true;
        r->pids->limit = o->pids_limit;
    }
    if (o->cpu_quota_set || o->cpu_period_set || o->cpu_shares_set || o->cpuset_cpus ||
        o->cpuset_mems) {
        if (r->cpu == NULL)
            r->cpu = calloc(1, sizeof(*r->cpu));
        if (r->cpu == NULL)
            goto nomem;
        if (o->cpu_quota_set) {
            r->cpu->quota_present = true;
            r->cpu->quota = o->cpu_quota;
        }
        if (o->cpu_period_set) {
            r->cpu->period_present = true;
            r->cpu->period = (uint64_t)o->cpu_period;
        }
        if (o->cpu_shares_set) {
            r->cpu->shares_present = true;
            r->cpu->shares = (uint64_t)o->cpu_shares;
        }
        if (o->cpuset_cpus) {
            free(r->cpu->cpus);
            r->cpu->cpus = strdup(o->cpuset_cpus);
        }
        if (o->cpuset_mems) {
            free(r->cpu->mems);
            r->cpu->mems = strdup(o->cpuset_mems);
        }
    }
    return r;
nomem:
    oci_resources_free(r);
    bw_error_set(err, ENOMEM, "update");
    return NULL;
}

/* A quota keeps the period already in cpu.max, and the other way round. */
static void keep_cpu_max(const struct bw_cgroup *cg, struct oci_resources *r)
{
    if (r->cpu == NULL || r->cpu->quota_present == r->cpu->period_present || cg->fd < 0)
        return;
    cleanup_free char *cur = bw_cgroup_read(cg->fd, "cpu.max");
    if (cur == NULL)
        return;
    char q[32] = "";
    unsigned long long period = 0;
    if (sscanf(cur, "%31s %llu", q, &period) != 2)
        return;
    if (!r->cpu->period_present) {
        r->cpu->period_present = true;
        r->cpu->period = period;
    } else {
        r->cpu->quota_present = true;
        r->cpu->quota = strcmp(q, "max") == 0 ? -1 : strtoll(q, NULL, 10);
    }
}

int bw_container_update(const struct bw_ctx *ctx, const char *id, const struct bw_update_opts *o,
                        bw_err_t *err)
{
    enum bw_status st;
    struct bw_cgroup cg;
    bw_cgroup_init(&cg);
    int rc = -1;
    struct oci_resources *r = NULL;
    cleanup_free char *data = NULL;
    const char *name = "flags";
    if (container_status(ctx, id, &st, &cg, err) < 0) {
        bw_error_prefix(err, "update");
        goto out;
    }
    if (st != BW_STATUS_CREATED && st != BW_STATUS_RUNNING && st != BW_STATUS_PAUSED) {
        bw_error_set(err, 0,
                     "update container `%s`: it is %s: only a created or running container can "
                     "be updated",
                     id, bw_status_name(st));
        goto out;
    }
    if (o->resources != NULL) {
        bool from_stdin = strcmp(o->resources, "-") == 0;
        name = from_stdin ? "<stdin>" : o->resources;
        size_t len = 0;
        data = from_stdin ? read_stdin(&len, err)
                          : bw_read_file(o->resources, RESOURCES_MAX, &len, err);
        if (data == NULL) {
            bw_error_prefix(err, "update container `%s`: --resources", id);
            goto out;
        }
        r = oci_resources_parse(data, len, name, err);
        if (r == NULL) {
            bw_error_prefix(err, "update container `%s`", id);
            goto out;
        }
    }
    r = overlay_flags(r, o, err);
    if (r == NULL)
        goto out;
    char list[256];
    bw_resources_list(r, list, sizeof(list));
    if (list[0] == '\0') {
        bw_debug("update container `%s`: %s sets no limit: nothing to do", id, name);
        rc = 0;
        goto out;
    }
    if (cg.fd < 0) {
        bw_error_set(
            err, 0,
            "update container `%s`: %s: %s: cannot be applied: the container has no cgroup%s%s", id,
            name, list, cg.why_none ? ": " : "", cg.why_none ? cg.why_none : "");
        goto out;
    }
    /* A controller the container was made without is enabled now, with the
     * same rules as at create (our own cgroup may have to go to its leaf). */
    cg.rootless = geteuid() != 0;
    {
        char *mnt = NULL, *why = NULL;
        if (bw_cgroup_find(&mnt, &cg.caller, &why) < 0)
            free(why);
        free(mnt);
    }
    if (cg.mgr == &bw_cgroup_systemd)
        bw_cgroup_systemd_controllers(&cg);
    else
        bw_cgroup_enable(&cg, bw_cgroup_resources_need(r));
    keep_cpu_max(&cg, r);
    if (r->memory != NULL && r->memory->check_before_update_present &&
        r->memory->check_before_update && r->memory->limit_present && r->memory->limit >= 0) {
        cleanup_free char *cur = bw_cgroup_read(cg.fd, "memory.current");
        if (cur != NULL && strtoll(cur, NULL, 10) > r->memory->limit) {
            bw_error_set(err, EBUSY,
                         "update container `%s`: %s: memory.limit %lld is below the memory "
                         "in use (%lld; checkBeforeUpdate)",
                         id, name, (long long)r->memory->limit, strtoll(cur, NULL, 10));
            goto out;
        }
    }
    if (bw_cgroup_apply(&cg, r, true, name, err) < 0) {
        bw_error_prefix(err, "update container `%s`", id);
        goto out;
    }
    /* Applied; systemd is told too, or it puts its own back at a reload. */
    bw_err_t se = NULL;
    if (cg.mgr == &bw_cgroup_systemd && bw_cgroup_systemd_set(&cg, r, &se) < 0) {
        bw_warn("update container `%s`: %s (applied now, but systemd may undo it when it "
                "reloads)",
                id, se->msg);
        bw_error_free(&se);
    }
    rc = 0;
out:
    oci_resources_free(r);
    bw_cgroup_free(&cg);
    return rc;
}

int bw_container_pause(const struct bw_ctx *ctx, const char *id, bool resume, bw_err_t *err)
{
    const char *verb = resume ? "resume" : "pause";
    enum bw_status st;
    struct bw_cgroup cg;
    bw_cgroup_init(&cg);
    int rc = -1;
    if (container_status(ctx, id, &st, &cg, err) < 0) {
        bw_error_prefix(err, "%s", verb);
    } else if (resume && st != BW_STATUS_PAUSED) {
        bw_error_set(err, 0, "resume container `%s`: it is %s, not paused", id, bw_status_name(st));
    } else if (!resume && st != BW_STATUS_RUNNING) {
        bw_error_set(err, 0,
                     "pause container `%s`: it is %s: only a running container can be paused", id,
                     bw_status_name(st));
    } else if (cg.fd < 0) {
        bw_error_set(err, 0,
                     "pause container `%s`: pausing needs the cgroup freezer, and the container "
                     "has no cgroup%s%s",
                     id, cg.why_none ? ": " : "", cg.why_none ? cg.why_none : "");
    } else if (bw_cgroup_freeze(&cg, !resume, err) < 0) {
        bw_error_prefix(err, "%s container `%s`", verb, id);
    } else {
        rc = 0;
    }
    bw_cgroup_free(&cg);
    return rc;
}
