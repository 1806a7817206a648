/* burrow: update, pause and resume.  Each needs the container's cgroup
 * (limits, the freezer), and burrow does not place containers in cgroups
 * yet, so each says so, by name, instead of pretending: an engine that asks
 * for a new memory limit must not be told it has one.  The container is
 * looked up and the input read and checked first, so a typo in the id or a
 * bad file gets its own message. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "container/container.h"
#include "container/state.h"
#include "container/support.h"
#include "spec/config.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#define RESOURCES_MAX (1024 * 1024)

/* The status of container `id` (which must exist). */
static int container_status(const struct bw_ctx *ctx, const char *id, enum bw_status *st,
                            bw_err_t *err)
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
    return 0;
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

int bw_container_update(const struct bw_ctx *ctx, const char *id, const char *resources,
                        bw_err_t *err)
{
    enum bw_status st;
    if (container_status(ctx, id, &st, err) < 0)
        return bw_error_prefix(err, "update");
    if (st != BW_STATUS_CREATED && st != BW_STATUS_RUNNING)
        return bw_error_set(err, 0,
                            "update container `%s`: it is %s: only a created or running "
                            "container can be updated",
                            id, bw_status_name(st));
    bool from_stdin = strcmp(resources, "-") == 0;
    const char *name = from_stdin ? "<stdin>" : resources;
    size_t len = 0;
    cleanup_free char *data =
        from_stdin ? read_stdin(&len, err) : bw_read_file(resources, RESOURCES_MAX, &len, err);
    if (data == NULL)
        return bw_error_prefix(err, "update container `%s`: --resources", id);
    cleanup_oci_resources struct oci_resources *r = oci_resources_parse(data, len, name, err);
    if (r == NULL)
        return bw_error_prefix(err, "update container `%s`", id);
    char list[256];
    bw_resources_list(r, list, sizeof(list));
    if (list[0] == '\0') {
        bw_debug("update container `%s`: %s sets no limit: nothing to do", id, name);
        return 0;
    }
    return bw_error_set(err, 0,
                        "update container `%s`: %s: %s: cannot be applied: burrow does not "
                        "manage cgroups yet",
                        id, name, list);
}

int bw_container_pause(const struct bw_ctx *ctx, const char *id, bool resume, bw_err_t *err)
{
    const char *verb = resume ? "resume" : "pause";
    enum bw_status st;
    if (container_status(ctx, id, &st, err) < 0)
        return bw_error_prefix(err, "%s", verb);
    if (resume)
        return bw_error_set(err, 0,
                            "resume container `%s`: it is %s, not paused (burrow cannot pause: "
                            "it does not manage cgroups yet)",
                            id, bw_status_name(st));
    if (st != BW_STATUS_RUNNING)
        return bw_error_set(
            err, 0, "pause container `%s`: it is %s: only a running container can be paused", id,
            bw_status_name(st));
    return bw_error_set(err, 0,
                        "pause container `%s`: pausing needs the cgroup freezer, and burrow does "
                        "not manage cgroups yet",
                        id);
}
