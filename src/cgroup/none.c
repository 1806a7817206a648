/* burrow: the none manager: no usable cgroup (cgroup v1 only, nothing
 * delegated to this user, a read-only hierarchy).  Nothing is made; the
 * limits asked for are reported as not applied (cgroup.c), and pause,
 * update and events say there is no cgroup. */
#include <config.h>

#include "cgroup/cgroup.h"

static int none_create(struct bw_cgroup *cg, unsigned need, bw_err_t *err)
{
    (void)cg;
    (void)need;
    (void)err;
    return 0;
}

static int none_destroy(struct bw_cgroup *cg, bw_err_t *err)
{
    (void)cg;
    (void)err;
    return 0;
}

/* No usable cgroup: nothing is made, limits are reported (cgroup.c). */
const struct bw_cgroup_manager bw_cgroup_none = {
    .name = "none",
    .create = none_create,
    .destroy = none_destroy,
};
