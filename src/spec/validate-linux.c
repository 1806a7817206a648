/* burrow: the spec's rules over a parsed config, part 2: the linux object. */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "spec/validate-internal.h"

/* user_namespaces(7): at most 340 lines in uid_map/gid_map since Linux 4.15. */
#define MAX_ID_MAPPINGS 340

bool has_namespace(const struct oci_config *c, enum oci_namespace_type type)
{
    return oci_linux_find_namespace(c->linux, type) != NULL;
}

static bool ranges_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
    return a < b + bn && b < a + an;
}

/* What the kernel would refuse when the map is written, reported with the
 * JSON path instead of a bare EINVAL. */
int validate_id_mappings(struct vctx *v, const char *path, const struct oci_id_mapping *m, size_t n)
{
    char p[VPATH_MAX];

    if (n > MAX_ID_MAPPINGS)
        return verr(v, path, "%zu entries, the kernel accepts at most %d", n, MAX_ID_MAPPINGS);
    for (size_t i = 0; i < n; i++) {
        if (m[i].size == 0)
            return verr(v, vpath(p, sizeof(p), "%s[%zu].size", path, i),
                        "must be greater than zero");
        if ((uint64_t)m[i].container_id + m[i].size > UINT32_MAX)
            return verr(v, vpath(p, sizeof(p), "%s[%zu]", path, i),
                        "containerID %" PRIu32 " + size %" PRIu32 " overflows 32 bits",
                        m[i].container_id, m[i].size);
        if ((uint64_t)m[i].host_id + m[i].size > UINT32_MAX)
            return verr(v, vpath(p, sizeof(p), "%s[%zu]", path, i),
                        "hostID %" PRIu32 " + size %" PRIu32 " overflows 32 bits", m[i].host_id,
                        m[i].size);
        for (size_t j = 0; j < i; j++) {
            if (ranges_overlap(m[i].container_id, m[i].size, m[j].container_id, m[j].size))
                return verr(v, vpath(p, sizeof(p), "%s[%zu]", path, i),
                            "container IDs %" PRIu32 "-%" PRIu64 " overlap %s[%zu]",
                            m[i].container_id, (uint64_t)m[i].container_id + m[i].size - 1, path,
                            j);
            if (ranges_overlap(m[i].host_id, m[i].size, m[j].host_id, m[j].size))
                return verr(v, vpath(p, sizeof(p), "%s[%zu]", path, i),
                            "host IDs %" PRIu32 "-%" PRIu64 " overlap %s[%zu]", m[i].host_id,
                            (uint64_t)m[i].host_id + m[i].size - 1, path, j);
        }
    }
    return 0;
}

static int validate_namespaces(struct vctx *v, const struct oci_linux *l)
{
    char p[VPATH_MAX];

    for (size_t i = 0; i < l->namespaces_len; i++) {
        const struct oci_namespace *ns = &l->namespaces[i];
        for (size_t j = 0; j < i; j++)
            if (l->namespaces[j].type == ns->type)
                return verr(v, vpath(p, sizeof(p), "linux.namespaces[%zu].type", i),
                            "duplicate namespace \"%s\" (also in linux.namespaces[%zu])",
                            oci_namespace_type_name(ns->type), j);
        if (ns->path != NULL && validate_absolute(v, ns->path, "linux.namespaces[%zu].path", i) < 0)
            return -1;
    }
    return 0;
}

static int validate_user_and_time(struct vctx *v, const struct oci_config *c)
{
    const struct oci_linux *l = c->linux;
    const struct oci_namespace *time_ns = oci_linux_find_namespace(l, OCI_NS_TIME);

    if ((l->uid_mappings != NULL || l->gid_mappings != NULL) && !has_namespace(c, OCI_NS_USER))
        return verr(v, l->uid_mappings != NULL ? "linux.uidMappings" : "linux.gidMappings",
                    "needs a user namespace (add {\"type\": \"user\"} to linux.namespaces)");
    if (validate_id_mappings(v, "linux.uidMappings", l->uid_mappings, l->uid_mappings_len) < 0 ||
        validate_id_mappings(v, "linux.gidMappings", l->gid_mappings, l->gid_mappings_len) < 0)
        return -1;
    if (l->time_offsets == NULL)
        return 0;
    /* Offsets can only be written into a time namespace we create. */
    if (time_ns == NULL || time_ns->path != NULL)
        return verr(v, "linux.timeOffsets",
                    "needs a new time namespace (add {\"type\": \"time\"} to linux.namespaces)");
    const struct oci_time_offset *o[2] = {l->time_offsets->monotonic, l->time_offsets->boottime};
    const char *names[2] = {"monotonic", "boottime"};
    for (int i = 0; i < 2; i++) {
        char p[VPATH_MAX];
        if (o[i] != NULL && o[i]->nanosecs >= 1000000000u)
            return verr(v, vpath(p, sizeof(p), "linux.timeOffsets.%s.nanosecs", names[i]),
                        "%" PRIu32 " is out of range (0 to 999999999)", o[i]->nanosecs);
    }
    return 0;
}

static int validate_devices(struct vctx *v, const struct oci_linux *l)
{
    char p[VPATH_MAX];

    for (size_t i = 0; i < l->devices_len; i++) {
        const struct oci_device *d = &l->devices[i];
        if (validate_absolute(v, d->path, "linux.devices[%zu].path", i) < 0)
            return -1;
        if (d->type != S_IFIFO && (!d->major_present || !d->minor_present))
            return verr(v,
                        vpath(p, sizeof(p), "linux.devices[%zu].%s", i,
                              d->major_present ? "minor" : "major"),
                        "required for type \"%c\"", d->type_char);
        /* The kernel's dev_t: 12-bit major, 20-bit minor. */
        if (d->major_present && (d->major < 0 || d->major > 0xfff))
            return verr(v, vpath(p, sizeof(p), "linux.devices[%zu].major", i),
                        "%" PRId64 " is out of range (0 to 4095)", d->major);
        if (d->minor_present && (d->minor < 0 || d->minor > 0xfffff))
            return verr(v, vpath(p, sizeof(p), "linux.devices[%zu].minor", i),
                        "%" PRId64 " is out of range (0 to 1048575)", d->minor);
        if (d->file_mode_present && d->file_mode > 0777)
            return verr(v, vpath(p, sizeof(p), "linux.devices[%zu].fileMode", i),
                        "%" PRIu32 " is out of range (0 to 511, 0777)", d->file_mode);
    }
    return 0;
}

/* An interface name the kernel accepts (dev_valid_name): 1-15 bytes, not
 * "." or "..", no '/', ':' or whitespace. */
static bool valid_ifname(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 15 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return false;
    return strpbrk(s, "/: \t\n\r\v\f") == NULL;
}

static int validate_net_devices(struct vctx *v, const struct oci_linux *l)
{
    char p[VPATH_MAX];

    for (size_t i = 0; i < l->net_devices_len; i++) {
        const struct oci_net_device *d = &l->net_devices[i];
        if (!valid_ifname(d->host_name))
            return verr(v, vpath(p, sizeof(p), "linux.netDevices[\"%.64s\"]", d->host_name),
                        "invalid network interface name");
        if (d->name != NULL && !valid_ifname(d->name))
            return verr(v, vpath(p, sizeof(p), "linux.netDevices[\"%.64s\"].name", d->host_name),
                        "invalid network interface name \"%.64s\"", d->name);
    }
    return 0;
}

/* ^[1-9][0-9]*[KMG]B$ (config-linux.json). */
static bool valid_page_size(const char *s)
{
    if (*s < '1' || *s > '9')
        return false;
    while (*s >= '0' && *s <= '9')
        s++;
    return (s[0] == 'K' || s[0] == 'M' || s[0] == 'G') && s[1] == 'B' && s[2] == '\0';
}

static int validate_memory_cpu(struct vctx *v, const struct oci_resources *r)
{
    const struct oci_memory *m = r->memory;
    const struct oci_cpu *cpu = r->cpu;

    if (m != NULL && m->swappiness_present && m->swappiness > 100)
        return verr(v, "linux.resources.memory.swappiness",
                    "%" PRIu64 " is out of range (0 to 100)", m->swappiness);
    if (m != NULL && m->limit_present && m->swap_present && m->limit > 0 && m->swap > 0 &&
        m->swap < m->limit)
        return verr(v, "linux.resources.memory.swap",
                    "memory+swap limit %" PRId64 " is lower than the memory limit %" PRId64,
                    m->swap, m->limit);
    if (cpu != NULL && cpu->burst_present && cpu->quota_present && cpu->quota > 0 &&
        cpu->burst > (uint64_t)cpu->quota)
        return verr(v, "linux.resources.cpu.burst", "%" PRIu64 " is larger than the quota %" PRId64,
                    cpu->burst, cpu->quota);
    if (cpu != NULL && cpu->idle_present && cpu->idle != 0 && cpu->idle != 1)
        return verr(v, "linux.resources.cpu.idle", "must be 0 or 1, got %" PRId64, cpu->idle);
    return 0;
}

static int validate_cgroup_devices(struct vctx *v, const struct oci_resources *r)
{
    char p[VPATH_MAX];

    for (size_t i = 0; i < r->devices_len; i++) {
        const char *a = r->devices[i].access;
        if (a != NULL && (a[0] == '\0' || a[strspn(a, "rwm")] != '\0'))
            return verr(v, vpath(p, sizeof(p), "linux.resources.devices[%zu].access", i),
                        "invalid access \"%.16s\" (expected a combination of r, w and m)", a);
    }
    return 0;
}

static int validate_resources_misc(struct vctx *v, const struct oci_resources *r)
{
    char p[VPATH_MAX];

    for (size_t i = 0; i < r->hugepage_limits_len; i++)
        if (!valid_page_size(r->hugepage_limits[i].page_size))
            return verr(v, vpath(p, sizeof(p), "linux.resources.hugepageLimits[%zu].pageSize", i),
                        "invalid page size \"%.32s\" (expected a number then KB, MB or GB, "
                        "such as 2MB)",
                        r->hugepage_limits[i].page_size);
    if (r->block_io != NULL) {
        for (size_t i = 0; i < r->block_io->weight_device_len; i++) {
            const struct oci_weight_device *w = &r->block_io->weight_device[i];
            if (!w->weight_present && !w->leaf_weight_present)
                return verr(v, vpath(p, sizeof(p), "linux.resources.blockIO.weightDevice[%zu]", i),
                            "weight or leafWeight is required");
        }
    }
    if (r->pids != NULL && r->pids->limit_present && r->pids->limit < -1)
        return verr(v, "linux.resources.pids.limit", "%" PRId64 " is invalid (-1 means no limit)",
                    r->pids->limit);
    for (size_t i = 0; i < r->rdma_len; i++)
        if (!r->rdma[i].hca_handles_present && !r->rdma[i].hca_objects_present)
            return verr(v,
                        vpath(p, sizeof(p), "linux.resources.rdma[\"%.64s\"]", r->rdma[i].device),
                        "hcaHandles or hcaObjects is required");
    /* unified keys name files in the container's cgroup directory. */
    for (size_t i = 0; i < r->unified_len; i++) {
        const char *k = r->unified[i].key;
        if (k[0] == '\0' || k[0] == '.' || strchr(k, '/') != NULL)
            return verr(v, vpath(p, sizeof(p), "linux.resources.unified[\"%.64s\"]", k),
                        "invalid cgroup file name");
    }
    return 0;
}

static int validate_intel_rdt(struct vctx *v, const struct oci_intel_rdt *rdt)
{
    char p[VPATH_MAX];

    if (rdt->clos_id != NULL && strcmp(rdt->clos_id, "/") != 0 &&
        (rdt->clos_id[0] == '\0' || strchr(rdt->clos_id, '/') != NULL ||
         strcmp(rdt->clos_id, ".") == 0 || strcmp(rdt->clos_id, "..") == 0))
        return verr(v, "linux.intelRdt.closID", "invalid CLOS name \"%.64s\"", rdt->clos_id);
    if (rdt->mem_bw_schema != NULL &&
        (strncmp(rdt->mem_bw_schema, "MB:", 3) != 0 || strchr(rdt->mem_bw_schema, '\n') != NULL))
        return verr(v, "linux.intelRdt.memBwSchema",
                    "must start with \"MB:\" and be a single line, got \"%.64s\"",
                    rdt->mem_bw_schema);
    if (rdt->l3_cache_schema != NULL && strchr(rdt->l3_cache_schema, '\n') != NULL)
        return verr(v, "linux.intelRdt.l3CacheSchema", "must be a single line");
    for (size_t i = 0; i < rdt->schemata_len; i++)
        if (strchr(rdt->schemata[i], '\n') != NULL)
            return verr(v, vpath(p, sizeof(p), "linux.intelRdt.schemata[%zu]", i),
                        "must be a single line");
    return 0;
}

static bool action_takes_errno(enum oci_seccomp_action a)
{
    return a == OCI_SECCOMP_ACT_ERRNO || a == OCI_SECCOMP_ACT_TRACE;
}

static int validate_seccomp_syscall(struct vctx *v, const struct oci_seccomp_syscall *s, size_t i)
{
    char p[VPATH_MAX];

    if (s->names_len == 0)
        return verr(v, vpath(p, sizeof(p), "linux.seccomp.syscalls[%zu].names", i),
                    "must contain at least one syscall name");
    for (size_t j = 0; j < s->names_len; j++)
        if (s->names[j][0] == '\0')
            return verr(v, vpath(p, sizeof(p), "linux.seccomp.syscalls[%zu].names[%zu]", i, j),
                        "must not be empty");
    if (s->errno_ret_present && !action_takes_errno(s->action))
        return verr(v, vpath(p, sizeof(p), "linux.seccomp.syscalls[%zu].errnoRet", i),
                    "not allowed with action %s", oci_seccomp_action_name(s->action));
    for (size_t j = 0; j < s->args_len; j++)
        if (s->args[j].index >= 6)
            return verr(v, vpath(p, sizeof(p), "linux.seccomp.syscalls[%zu].args[%zu].index", i, j),
                        "%" PRIu32 " is out of range (0 to 5)", s->args[j].index);
    return 0;
}

static int validate_seccomp(struct vctx *v, const struct oci_seccomp *s)
{
    bool notify = s->default_action == OCI_SECCOMP_ACT_NOTIFY;

    /* Every syscall of the runtime itself after the filter is loaded would
     * go to the agent: runc and crun refuse it too. */
    if (notify)
        return verr(v, "linux.seccomp.defaultAction", "SCMP_ACT_NOTIFY cannot be the default");
    if (s->default_errno_ret_present && !action_takes_errno(s->default_action))
        return verr(v, "linux.seccomp.defaultErrnoRet", "not allowed with defaultAction %s",
                    oci_seccomp_action_name(s->default_action));
    for (size_t i = 0; i < s->syscalls_len; i++) {
        if (validate_seccomp_syscall(v, &s->syscalls[i], i) < 0)
            return -1;
        notify = notify || s->syscalls[i].action == OCI_SECCOMP_ACT_NOTIFY;
    }
    if (s->listener_metadata != NULL && s->listener_path == NULL)
        return verr(v, "linux.seccomp.listenerMetadata", "not allowed without listenerPath");
    if (notify && (s->listener_path == NULL || s->listener_path[0] == '\0'))
        return verr(v, "linux.seccomp.listenerPath", "required when SCMP_ACT_NOTIFY is used");
    return 0;
}

static int validate_memory_policy(struct vctx *v, const struct oci_memory_policy *m)
{
    bool has_nodes = m->nodes != NULL && m->nodes[0] != '\0';
    const char *mode = m->mode == OCI_MPOL_DEFAULT ? "MPOL_DEFAULT" : "MPOL_LOCAL";

    if (m->nodes != NULL && !valid_cpu_list(m->nodes))
        return verr(v, "linux.memoryPolicy.nodes",
                    "invalid node list \"%.64s\" (expected e.g. \"0-3,7\")", m->nodes);
    /* set_mempolicy(2): DEFAULT and LOCAL take no nodes, BIND, INTERLEAVE
     * and their variants need some (PREFERRED with none means local). */
    if ((m->mode == OCI_MPOL_DEFAULT || m->mode == OCI_MPOL_LOCAL) && has_nodes)
        return verr(v, "linux.memoryPolicy.nodes", "must be empty with %s", mode);
    if (!has_nodes && m->mode != OCI_MPOL_DEFAULT && m->mode != OCI_MPOL_LOCAL &&
        m->mode != OCI_MPOL_PREFERRED)
        return verr(v, "linux.memoryPolicy.nodes", "required with this mode");
    if ((m->flags & OCI_MPOL_F_STATIC_NODES) && (m->flags & OCI_MPOL_F_RELATIVE_NODES))
        return verr(v, "linux.memoryPolicy.flags",
                    "MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES are mutually exclusive");
    return 0;
}

static int validate_paths_and_sysctl(struct vctx *v, const struct oci_linux *l)
{
    char p[VPATH_MAX];

    for (size_t i = 0; i < l->masked_paths_len; i++)
        if (validate_absolute(v, l->masked_paths[i], "linux.maskedPaths[%zu]", i) < 0)
            return -1;
    for (size_t i = 0; i < l->readonly_paths_len; i++)
        if (validate_absolute(v, l->readonly_paths[i], "linux.readonlyPaths[%zu]", i) < 0)
            return -1;
    /* Keys become paths under /proc/sys: no way out of it. */
    for (size_t i = 0; i < l->sysctl_len; i++) {
        const char *k = l->sysctl[i].key;
        if (k[0] == '\0')
            return verr(v, "linux.sysctl[\"\"]", "key must not be empty");
        if (strstr(k, "..") != NULL || k[0] == '/' || k[0] == '.')
            return verr(v, vpath(p, sizeof(p), "linux.sysctl[\"%.64s\"]", k),
                        "invalid sysctl name");
    }
    return 0;
}

int validate_linux(struct vctx *v, const struct oci_config *c)
{
    const struct oci_linux *l = c->linux;

    if (validate_namespaces(v, l) < 0 || validate_user_and_time(v, c) < 0 ||
        validate_devices(v, l) < 0 || validate_net_devices(v, l) < 0 ||
        validate_paths_and_sysctl(v, l) < 0)
        return -1;
    if (l->resources != NULL &&
        (validate_cgroup_devices(v, l->resources) < 0 || validate_memory_cpu(v, l->resources) < 0 ||
         validate_resources_misc(v, l->resources) < 0))
        return -1;
    if (l->intel_rdt != NULL && validate_intel_rdt(v, l->intel_rdt) < 0)
        return -1;
    if (l->seccomp != NULL && validate_seccomp(v, l->seccomp) < 0)
        return -1;
    if (l->personality != NULL && l->personality->flags_len > 0)
        return verr(v, "linux.personality.flags[0]",
                    "unsupported flag \"%.64s\" (no personality flag is defined yet)",
                    l->personality->flags[0]);
    if (l->memory_policy != NULL && validate_memory_policy(v, l->memory_policy) < 0)
        return -1;
    return 0;
}
