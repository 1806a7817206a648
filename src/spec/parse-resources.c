/* burrow: the field tables of `linux.resources` (cgroups). */
#include <config.h>

#include <stdint.h>

#include "spec/parse-internal.h"

/* Device allow-list "type": "a", "c" or "b"; absent means "a" (all). */
static int parse_device_cgroup_type(struct pctx *ctx, struct json_object *v, void *base,
                                    const struct field *f)
{
    struct oci_device_cgroup *d = base;

    if (expect_type(ctx, v, json_type_string, "string") < 0)
        return -1;
    const char *s = json_object_get_string(v);
    if ((s[0] != 'a' && s[0] != 'c' && s[0] != 'b') || s[1] != '\0')
        return pctx_error(ctx, "unknown device type \"%.32s\" (expected a, c or b)", s);
    d->type = s[0];
    return 0;
}

static const struct custom_ops device_cgroup_type_ops = {.parse = parse_device_cgroup_type};

static void init_device_cgroup(void *obj)
{
    ((struct oci_device_cgroup *)obj)->type = 'a';
}

#define T struct oci_device_cgroup
static const struct field device_cgroup_fields[] = {
    F_BOOL_REQ(T, "allow", allow),
    F_CUSTOM(T, "type", type, &device_cgroup_type_ops, 0),
    F_INT(T, "major", major, INT64_MIN, INT64_MAX),
    F_INT(T, "minor", minor, INT64_MIN, INT64_MAX),
    F_STRING(T, "access", access),
};
static const struct object_desc device_cgroup_desc =
    DESC(T, device_cgroup_fields, .init = init_device_cgroup);
#undef T

#define T struct oci_memory
static const struct field memory_fields[] = {
    F_INT(T, "limit", limit, INT64_MIN, INT64_MAX),
    F_INT(T, "reservation", reservation, INT64_MIN, INT64_MAX),
    F_INT(T, "swap", swap, INT64_MIN, INT64_MAX),
    F_INT(T, "kernel", kernel, INT64_MIN, INT64_MAX),
    F_INT(T, "kernelTCP", kernel_tcp, INT64_MIN, INT64_MAX),
    F_UINT(T, "swappiness", swappiness, UINT64_MAX),
    F_BOOL(T, "disableOOMKiller", disable_oom_killer),
    F_BOOL(T, "useHierarchy", use_hierarchy),
    F_BOOL(T, "checkBeforeUpdate", check_before_update),
};
static const struct object_desc memory_desc = DESC(T, memory_fields);
#undef T

#define T struct oci_cpu
static const struct field cpu_fields[] = {
    F_UINT(T, "shares", shares, UINT64_MAX),
    F_INT(T, "quota", quota, INT64_MIN, INT64_MAX),
    F_UINT(T, "burst", burst, UINT64_MAX),
    F_UINT(T, "period", period, UINT64_MAX),
    F_INT(T, "realtimeRuntime", realtime_runtime, INT64_MIN, INT64_MAX),
    F_UINT(T, "realtimePeriod", realtime_period, UINT64_MAX),
    F_STRING(T, "cpus", cpus),
    F_STRING(T, "mems", mems),
    F_INT(T, "idle", idle, INT64_MIN, INT64_MAX),
};
static const struct object_desc cpu_desc = DESC(T, cpu_fields);
#undef T

#define T struct oci_weight_device
static const struct field weight_device_fields[] = {
    F_INT_REQ(T, "major", major, INT64_MIN, INT64_MAX),
    F_INT_REQ(T, "minor", minor, INT64_MIN, INT64_MAX),
    F_UINT(T, "weight", weight, UINT16_MAX),
    F_UINT(T, "leafWeight", leaf_weight, UINT16_MAX),
};
static const struct object_desc weight_device_desc = DESC(T, weight_device_fields);
#undef T

#define T struct oci_throttle_device
static const struct field throttle_device_fields[] = {
    F_INT_REQ(T, "major", major, INT64_MIN, INT64_MAX),
    F_INT_REQ(T, "minor", minor, INT64_MIN, INT64_MAX),
    F_UINT_REQ(T, "rate", rate, UINT64_MAX),
};
static const struct object_desc throttle_device_desc = DESC(T, throttle_device_fields);
#undef T

#define T struct oci_block_io
static const struct field block_io_fields[] = {
    F_UINT(T, "weight", weight, UINT16_MAX),
    F_UINT(T, "leafWeight", leaf_weight, UINT16_MAX),
    F_OBJECT_ARRAY(T, "weightDevice", weight_device, &weight_device_desc),
    F_OBJECT_ARRAY(T, "throttleReadBpsDevice", throttle_read_bps_device, &throttle_device_desc),
    F_OBJECT_ARRAY(T, "throttleWriteBpsDevice", throttle_write_bps_device, &throttle_device_desc),
    F_OBJECT_ARRAY(T, "throttleReadIOPSDevice", throttle_read_iops_device, &throttle_device_desc),
    F_OBJECT_ARRAY(T, "throttleWriteIOPSDevice", throttle_write_iops_device, &throttle_device_desc),
};
static const struct object_desc block_io_desc = DESC(T, block_io_fields);
#undef T

#define T struct oci_hugepage_limit
static const struct field hugepage_limit_fields[] = {
    F_STRING_REQ(T, "pageSize", page_size),
    F_UINT_REQ(T, "limit", limit, UINT64_MAX),
};
static const struct object_desc hugepage_limit_desc = DESC(T, hugepage_limit_fields);
#undef T

#define T struct oci_interface_priority
static const struct field interface_priority_fields[] = {
    F_STRING_REQ(T, "name", name),
    F_UINT_REQ(T, "priority", priority, UINT32_MAX),
};
static const struct object_desc interface_priority_desc = DESC(T, interface_priority_fields);
#undef T

#define T struct oci_network
static const struct field network_fields[] = {
    F_UINT(T, "classID", class_id, UINT32_MAX),
    F_OBJECT_ARRAY(T, "priorities", priorities, &interface_priority_desc),
};
static const struct object_desc network_desc = DESC(T, network_fields);
#undef T

#define T struct oci_pids
static const struct field pids_fields[] = {
    F_INT(T, "limit", limit, INT64_MIN, INT64_MAX),
};
static const struct object_desc pids_desc = DESC(T, pids_fields);
#undef T

#define T struct oci_rdma
static const struct field rdma_fields[] = {
    F_UINT(T, "hcaHandles", hca_handles, UINT32_MAX),
    F_UINT(T, "hcaObjects", hca_objects, UINT32_MAX),
};
static const struct object_desc rdma_desc = DESC(T, rdma_fields, .key_off = offsetof(T, device));
#undef T

#define T struct oci_resources
static const struct field resources_fields[] = {
    F_OBJECT_ARRAY(T, "devices", devices, &device_cgroup_desc),
    F_OBJECT(T, "memory", memory, &memory_desc),
    F_OBJECT(T, "cpu", cpu, &cpu_desc),
    F_OBJECT(T, "blockIO", block_io, &block_io_desc),
    F_OBJECT_ARRAY(T, "hugepageLimits", hugepage_limits, &hugepage_limit_desc),
    F_OBJECT(T, "network", network, &network_desc),
    F_OBJECT(T, "pids", pids, &pids_desc),
    F_OBJECT_MAP(T, "rdma", rdma, &rdma_desc),
    F_MAP(T, "unified", unified),
};
const struct object_desc oci_resources_desc = DESC(T, resources_fields);
#undef T
