/* burrow: what this version applies of config.json, and what it refuses.
 *
 * The runtime-spec says a property the runtime cannot apply MUST be an error
 * (runtime.md, "create"), so every field that is parsed but not applied yet
 * is refused here by name, before anything is created.  linux.resources and
 * linux.cgroupsPath are the cgroup manager's (cgroup/cgroup.h): it applies
 * them, or names each limit it cannot apply (a warning rootless, an error
 * as root or under the strictness annotation).  Remove an entry when its
 * feature lands.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "container/support.h"
#include "util/log.h"

static int unsupported(bw_err_t *err, const char *field)
{
    return bw_error_set(err, ENOTSUP, "config.json: %s: not supported by this version of burrow",
                        field);
}

void bw_resources_list(const struct oci_resources *r, char *list, size_t size)
{
    list[0] = '\0';
    if (r == NULL)
        return;
    struct {
        bool set;
        const char *name;
    } parts[] = {
        {r->memory != NULL, "memory"},
        {r->cpu != NULL, "cpu"},
        {r->pids != NULL, "pids"},
        {r->block_io != NULL, "blockIO"},
        {r->hugepage_limits_len > 0, "hugepageLimits"},
        {r->network != NULL, "network"},
        {r->rdma_len > 0, "rdma"},
        {r->unified_len > 0, "unified"},
        {r->devices_len > 0, "devices"},
    };
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (!parts[i].set)
            continue;
        if (list[0] != '\0')
            strncat(list, ", ", size - strlen(list) - 1);
        strncat(list, parts[i].name, size - strlen(list) - 1);
    }
}

int bw_config_check_supported(const struct oci_config *c, bw_err_t *err)
{
    const struct oci_linux *l = c->linux;
    if (l == NULL)
        return 0;
    if (l->net_devices_len > 0)
        return unsupported(err, "linux.netDevices");
    if (l->intel_rdt != NULL)
        return unsupported(err, "linux.intelRdt");
    /* linux.resources and linux.cgroupsPath: applied, or reported by
     * name, by the cgroup manager (cgroup/cgroup.h). */
    return 0;
}
