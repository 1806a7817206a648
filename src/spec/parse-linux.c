/* burrow: the field tables of `linux` (but resources and seccomp, which have
 * their own files). */
#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include "spec/parse-internal.h"

#define T struct oci_namespace
static const struct field namespace_fields[] = {
    F_ENUM_REQ(T, "type", type, &oci_namespace_table),
    F_STRING(T, "path", path),
};
static const struct object_desc namespace_desc = DESC(T, namespace_fields);
#undef T

#define T struct oci_time_offset
static const struct field time_offset_fields[] = {
    F_INT(T, "secs", secs, INT64_MIN, INT64_MAX),
    F_UINT(T, "nanosecs", nanosecs, UINT32_MAX),
};
static const struct object_desc time_offset_desc = DESC(T, time_offset_fields);
#undef T

/* time_namespaces(7) offsets only these two clocks: another key is an error
 * rather than an ignored extension, since the offset would silently not
 * apply. */
#define T struct oci_time_offsets
static const struct field time_offsets_fields[] = {
    F_OBJECT(T, "monotonic", monotonic, &time_offset_desc),
    F_OBJECT(T, "boottime", boottime, &time_offset_desc),
};
static const struct object_desc time_offsets_desc =
    DESC(T, time_offsets_fields, .unknown_key_what = "clock");
#undef T

/* Device "type": one letter, kept both as the mknod file type and as the
 * letter ("u", unbuffered, is a character device to mknod). */
static int parse_device_type(struct pctx *ctx, struct json_object *v, void *base,
                             const struct field *f)
{
    struct oci_device *d = base;

    if (expect_type(ctx, v, json_type_string, "string") < 0)
        return -1;
    const char *s = json_object_get_string(v);
    if (s[0] == '\0' || s[1] != '\0')
        goto bad;
    switch (s[0]) {
    case 'c':
    case 'u':
        d->type = S_IFCHR;
        break;
    case 'b':
        d->type = S_IFBLK;
        break;
    case 'p':
        d->type = S_IFIFO;
        break;
    default:
        goto bad;
    }
    d->type_char = s[0];
    return 0;
bad:
    return pctx_error(ctx, "unknown device type \"%.32s\" (expected c, b, u or p)", s);
}

static const struct custom_ops device_type_ops = {.parse = parse_device_type};

#define T struct oci_device
static const struct field device_fields[] = {
    F_CUSTOM(T, "type", type, &device_type_ops, FIELD_REQUIRED),
    F_STRING_REQ(T, "path", path),
    F_INT(T, "major", major, INT64_MIN, INT64_MAX),
    F_INT(T, "minor", minor, INT64_MIN, INT64_MAX),
    F_UINT(T, "fileMode", file_mode, UINT32_MAX),
    F_UINT(T, "uid", uid, UINT32_MAX),
    F_UINT(T, "gid", gid, UINT32_MAX),
};
static const struct object_desc device_desc = DESC(T, device_fields);
#undef T

#define T struct oci_net_device
static const struct field net_device_fields[] = {
    F_STRING(T, "name", name),
};
static const struct object_desc net_device_desc =
    DESC(T, net_device_fields, .key_off = offsetof(T, host_name));
#undef T

static const struct enum_entry propagation_entries[] = {
    {"private", MS_PRIVATE},
    {"shared", MS_SHARED},
    {"slave", MS_SLAVE},
    {"unbindable", MS_UNBINDABLE},
};
static const struct enum_table propagation_table =
    ENUM_TABLE("rootfs propagation", propagation_entries);

#define T struct oci_intel_rdt
static const struct field intel_rdt_fields[] = {
    F_STRING(T, "closID", clos_id),
    F_STRV(T, "schemata", schemata),
    F_STRING(T, "l3CacheSchema", l3_cache_schema),
    F_STRING(T, "memBwSchema", mem_bw_schema),
    F_BOOL(T, "enableMonitoring", enable_monitoring),
};
static const struct object_desc intel_rdt_desc = DESC(T, intel_rdt_fields);
#undef T

static const struct enum_entry personality_domain_entries[] = {
    {"LINUX", PER_LINUX},
    {"LINUX32", PER_LINUX32},
};
static const struct enum_table personality_domain_table =
    ENUM_TABLE("personality domain", personality_domain_entries);

#define T struct oci_personality
static const struct field personality_fields[] = {
    F_ENUM_REQ(T, "domain", domain, &personality_domain_table),
    F_STRV(T, "flags", flags),
};
static const struct object_desc personality_desc = DESC(T, personality_fields);
#undef T

static const struct enum_entry mpol_mode_entries[] = {
    {"MPOL_DEFAULT", OCI_MPOL_DEFAULT},
    {"MPOL_BIND", OCI_MPOL_BIND},
    {"MPOL_INTERLEAVE", OCI_MPOL_INTERLEAVE},
    {"MPOL_WEIGHTED_INTERLEAVE", OCI_MPOL_WEIGHTED_INTERLEAVE},
    {"MPOL_PREFERRED", OCI_MPOL_PREFERRED},
    {"MPOL_PREFERRED_MANY", OCI_MPOL_PREFERRED_MANY},
    {"MPOL_LOCAL", OCI_MPOL_LOCAL},
};
static const struct enum_table mpol_mode_table =
    ENUM_TABLE("memory policy mode", mpol_mode_entries);

static const struct enum_entry mpol_flag_entries[] = {
    {"MPOL_F_NUMA_BALANCING", OCI_MPOL_F_NUMA_BALANCING},
    {"MPOL_F_RELATIVE_NODES", OCI_MPOL_F_RELATIVE_NODES},
    {"MPOL_F_STATIC_NODES", OCI_MPOL_F_STATIC_NODES},
};
static const struct enum_table mpol_flag_table =
    ENUM_TABLE("memory policy flag", mpol_flag_entries);

#define T struct oci_memory_policy
static const struct field memory_policy_fields[] = {
    F_ENUM_REQ(T, "mode", mode, &mpol_mode_table),
    F_STRING(T, "nodes", nodes),
    F_FLAGS(T, "flags", flags, &mpol_flag_table),
};
static const struct object_desc memory_policy_desc = DESC(T, memory_policy_fields);
#undef T

#define T struct oci_linux
static const struct field linux_fields[] = {
    F_OBJECT_ARRAY(T, "namespaces", namespaces, &namespace_desc),
    F_OBJECT_ARRAY(T, "uidMappings", uid_mappings, &oci_id_mapping_desc),
    F_OBJECT_ARRAY(T, "gidMappings", gid_mappings, &oci_id_mapping_desc),
    F_OBJECT(T, "timeOffsets", time_offsets, &time_offsets_desc),
    F_OBJECT_ARRAY(T, "devices", devices, &device_desc),
    F_OBJECT_MAP(T, "netDevices", net_devices, &net_device_desc),
    F_STRING(T, "cgroupsPath", cgroups_path),
    F_ENUM(T, "rootfsPropagation", rootfs_propagation, &propagation_table),
    F_OBJECT(T, "resources", resources, &oci_resources_desc),
    F_OBJECT(T, "intelRdt", intel_rdt, &intel_rdt_desc),
    F_MAP(T, "sysctl", sysctl),
    F_OBJECT(T, "seccomp", seccomp, &oci_seccomp_desc),
    F_STRV(T, "maskedPaths", masked_paths),
    F_STRV(T, "readonlyPaths", readonly_paths),
    F_STRING(T, "mountLabel", mount_label),
    F_OBJECT(T, "personality", personality, &personality_desc),
    F_OBJECT(T, "memoryPolicy", memory_policy, &memory_policy_desc),
};
const struct object_desc oci_linux_desc = DESC(T, linux_fields);
#undef T
