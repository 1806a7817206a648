/* burrow: what this version applies of config.json, and what it refuses.
 *
 * The runtime-spec says a property the runtime cannot apply MUST be an error
 * (runtime.md, "create"), so every field that is parsed but not applied yet
 * is refused here by name, before anything is created.  linux.resources is
 * the exception: without a cgroup a rootless runtime cannot apply limits,
 * and refusing them would refuse every engine's config, so they are a
 * warning naming each limit.  Remove an entry when its feature lands.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "container/support.h"
#include "util/log.h"

static bool str_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

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

static void warn_resources(const struct oci_resources *r)
{
    char list[256];
    bw_resources_list(r, list, sizeof(list));
    if (list[0] != '\0')
        bw_warn("linux.resources: %s not applied: burrow does not manage cgroups yet", list);
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
    warn_resources(l->resources);
    if (str_set(l->cgroups_path))
        bw_debug("linux.cgroupsPath `%s`: burrow does not manage cgroups yet", l->cgroups_path);
    return 0;
}
