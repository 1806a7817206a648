/* burrow: the field tables of `process` (config.json and process.json). */
#include <config.h>

#include <limits.h>
#include <stdint.h>

#include "spec/parse-internal.h"

/* uid_t, gid_t and mode_t are stored through K_UINT by size. */
_Static_assert(sizeof(uid_t) == 4 && sizeof(gid_t) == 4, "uid_t and gid_t are 32 bits");

#define T struct oci_console_size
static const struct field console_size_fields[] = {
    F_UINT_REQ(T, "height", height, UINT64_MAX),
    F_UINT_REQ(T, "width", width, UINT64_MAX),
};
static const struct object_desc console_size_desc = DESC(T, console_size_fields);
#undef T

#define T struct oci_user
static const struct field user_fields[] = {
    F_UINT_REQ(T, "uid", uid, UINT32_MAX), F_UINT_REQ(T, "gid", gid, UINT32_MAX),
    F_UINT(T, "umask", umask, UINT32_MAX), F_UINT32_ARRAY(T, "additionalGids", additional_gids),
    F_STRING(T, "username", username),
};
static const struct object_desc user_desc = DESC(T, user_fields);
#undef T

#define T struct oci_capabilities
static const struct field capabilities_fields[] = {
    F_STRV(T, "bounding", bounding),       F_STRV(T, "effective", effective),
    F_STRV(T, "inheritable", inheritable), F_STRV(T, "permitted", permitted),
    F_STRV(T, "ambient", ambient),
};
static const struct object_desc capabilities_desc = DESC(T, capabilities_fields);
#undef T

#define T struct oci_rlimit
static const struct field rlimit_fields[] = {
    F_ENUM_NAMED(T, "type", type, type_name, &oci_rlimit_table),
    F_UINT_REQ(T, "soft", soft, UINT64_MAX),
    F_UINT_REQ(T, "hard", hard, UINT64_MAX),
};
static const struct object_desc rlimit_desc = DESC(T, rlimit_fields);
#undef T

static const struct enum_entry ioprio_class_entries[] = {
    {"IOPRIO_CLASS_RT", OCI_IOPRIO_CLASS_RT},
    {"IOPRIO_CLASS_BE", OCI_IOPRIO_CLASS_BE},
    {"IOPRIO_CLASS_IDLE", OCI_IOPRIO_CLASS_IDLE},
};
static const struct enum_table ioprio_class_table =
    ENUM_TABLE("I/O priority class", ioprio_class_entries);

#define T struct oci_io_priority
static const struct field io_priority_fields[] = {
    F_ENUM_REQ(T, "class", class, &ioprio_class_table),
    F_INT(T, "priority", priority, INT32_MIN, INT32_MAX),
};
static const struct object_desc io_priority_desc = DESC(T, io_priority_fields);
#undef T

static const struct enum_entry sched_policy_entries[] = {
    {"SCHED_OTHER", OCI_SCHED_OTHER},
    {"SCHED_FIFO", OCI_SCHED_FIFO},
    {"SCHED_RR", OCI_SCHED_RR},
    {"SCHED_BATCH", OCI_SCHED_BATCH},
    {"SCHED_ISO", OCI_SCHED_ISO},
    {"SCHED_IDLE", OCI_SCHED_IDLE},
    {"SCHED_DEADLINE", OCI_SCHED_DEADLINE},
};
static const struct enum_table sched_policy_table =
    ENUM_TABLE("scheduler policy", sched_policy_entries);

static const struct enum_entry sched_flag_entries[] = {
    {"SCHED_FLAG_RESET_ON_FORK", OCI_SCHED_FLAG_RESET_ON_FORK},
    {"SCHED_FLAG_RECLAIM", OCI_SCHED_FLAG_RECLAIM},
    {"SCHED_FLAG_DL_OVERRUN", OCI_SCHED_FLAG_DL_OVERRUN},
    {"SCHED_FLAG_KEEP_POLICY", OCI_SCHED_FLAG_KEEP_POLICY},
    {"SCHED_FLAG_KEEP_PARAMS", OCI_SCHED_FLAG_KEEP_PARAMS},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", OCI_SCHED_FLAG_UTIL_CLAMP_MIN},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", OCI_SCHED_FLAG_UTIL_CLAMP_MAX},
};
static const struct enum_table sched_flag_table = ENUM_TABLE("scheduler flag", sched_flag_entries);

#define T struct oci_scheduler
static const struct field scheduler_fields[] = {
    F_ENUM_REQ(T, "policy", policy, &sched_policy_table),
    F_INT(T, "nice", nice, INT32_MIN, INT32_MAX),
    F_INT(T, "priority", priority, INT32_MIN, INT32_MAX),
    F_FLAGS(T, "flags", flags, &sched_flag_table),
    F_UINT(T, "runtime", runtime, UINT64_MAX),
    F_UINT(T, "deadline", deadline, UINT64_MAX),
    F_UINT(T, "period", period, UINT64_MAX),
};
static const struct object_desc scheduler_desc = DESC(T, scheduler_fields);
#undef T

#define T struct oci_exec_cpu_affinity
static const struct field exec_cpu_affinity_fields[] = {
    F_STRING(T, "initial", initial),
    F_STRING(T, "final", final),
};
static const struct object_desc exec_cpu_affinity_desc = DESC(T, exec_cpu_affinity_fields);
#undef T

#define T struct oci_process
static const struct field process_fields[] = {
    F_BOOL(T, "terminal", terminal),
    F_OBJECT(T, "consoleSize", console_size, &console_size_desc),
    F_OBJECT(T, "user", user, &user_desc),
    F_STRV(T, "args", args),
    F_STRING(T, "commandLine", command_line),
    F_STRV(T, "env", env),
    /* Required by the schema: a process without cwd is refused at parse. */
    F_STRING_REQ(T, "cwd", cwd),
    F_OBJECT(T, "capabilities", capabilities, &capabilities_desc),
    F_OBJECT_ARRAY(T, "rlimits", rlimits, &rlimit_desc),
    F_BOOL(T, "noNewPrivileges", no_new_privileges),
    F_STRING(T, "apparmorProfile", apparmor_profile),
    F_INT(T, "oomScoreAdj", oom_score_adj, INT_MIN, INT_MAX),
    F_STRING(T, "selinuxLabel", selinux_label),
    F_OBJECT(T, "ioPriority", io_priority, &io_priority_desc),
    F_OBJECT(T, "scheduler", scheduler, &scheduler_desc),
    F_OBJECT(T, "execCPUAffinity", exec_cpu_affinity, &exec_cpu_affinity_desc),
};
const struct object_desc oci_process_desc = DESC(T, process_fields);
#undef T
