/* burrow: config.json (OCI runtime-spec 1.x, Linux) as plain C structs.
 *
 * The parser (oci_config_parse) turns the JSON document into these structs,
 * checking types and ranges and converting enumerations; oci_config_validate
 * is a second pass applying the spec's MUST rules.  Nothing outside src/spec
 * sees json-c.
 *
 * Conventions, the same for every struct:
 *  - struct oci_<thing>; field names are the JSON keys in snake_case
 *    ("noNewPrivileges" -> no_new_privileges, "containerID" -> container_id).
 *  - Strings are malloc'ed, NUL-free (a "\u0000" in a string is refused) and
 *    NULL when the key is absent or null.
 *  - Arrays are `T *x; size_t x_len;`, NULL/0 when absent.  String arrays
 *    `char **x; size_t x_len;` are also NULL-terminated (so args and env go
 *    straight to execve); an empty JSON array gives a non-NULL x with x_len 0,
 *    so "absent" (x == NULL) and "empty" stay distinguishable.
 *  - Every optional scalar has `bool x_present;`; when false the value is 0
 *    (or the spec's default, noted per field).  Required scalars have none.
 *  - Optional objects are pointers, NULL when absent.
 *  - Maps (annotations, sysctl, unified) are `struct oci_kv *x; size_t
 *    x_len;` in document order; maps whose values are objects (rdma,
 *    netDevices) are arrays of structs carrying the key.
 *  - Enumerations are converted at parse time (an unknown value is a parse
 *    error naming it) into kernel constants where one exists (CLONE_NEW*,
 *    RLIMIT_*, MS_*, SCHED_*, MPOL_*), else into the enums below.
 *
 * A JSON `null` is treated as an absent key.  Unknown keys are ignored.
 */
#ifndef BURROW_SPEC_CONFIG_H
#define BURROW_SPEC_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* GNU C predefines `linux` as 1 (with -std=gnu*); struct oci_config has a
 * member of that name, as the JSON key.  Portable code tests __linux__. */
#undef linux

/* ---------------------------------------------------------------------------
 * Shared small types
 */

/* "uidMappings"/"gidMappings" entry, for the user namespace and for idmapped
 * mounts.  All three are uint32 in the spec. */
struct oci_id_mapping {
    uint32_t container_id; /* "containerID" */
    uint32_t host_id;      /* "hostID" */
    uint32_t size;
};

/* One entry of a string-to-string map, in document order. */
struct oci_kv {
    char *key;
    char *value;
};

/* ---------------------------------------------------------------------------
 * root, mounts
 */

struct oci_root {
    char *path; /* required; absolute or relative to the bundle */
    bool readonly_present;
    bool readonly; /* default false */
};

struct oci_mount {
    char *destination; /* required; a relative one is taken relative to "/"
                          (deprecated by the spec, accepted with a warning) */
    char *source;      /* NULL when absent */
    char *type;        /* NULL when absent */
    char **options;    /* kept as strings: unknown ones are filesystem data */
    size_t options_len;
    struct oci_id_mapping *uid_mappings; /* idmapped mount */
    size_t uid_mappings_len;
    struct oci_id_mapping *gid_mappings;
    size_t gid_mappings_len;
};

/* ---------------------------------------------------------------------------
 * process
 */

struct oci_console_size {
    uint64_t height; /* required; uint64 in the schema, > 65535 refused when
                        terminal is true (struct winsize has unsigned short) */
    uint64_t width;  /* required */
};

struct oci_user {
    uid_t uid; /* required (config.md, POSIX user) */
    gid_t gid; /* required */
    bool umask_present;
    mode_t umask; /* <= 0777 */
    gid_t *additional_gids;
    size_t additional_gids_len;
    char *username; /* Windows only; parsed and ignored */
};

/* Capability names are kept as strings ("CAP_KILL"): the spec says a name
 * the kernel or libcap does not know is a warning, not an error, so mapping
 * them belongs to the code that applies them.  NULL set = key absent. */
struct oci_capabilities {
    char **bounding;
    size_t bounding_len;
    char **effective;
    size_t effective_len;
    char **inheritable;
    size_t inheritable_len;
    char **permitted;
    size_t permitted_len;
    char **ambient;
    size_t ambient_len;
};

struct oci_rlimit {
    int type;              /* RLIMIT_* resource, e.g. RLIMIT_NOFILE */
    const char *type_name; /* "RLIMIT_NOFILE": static string, not freed */
    uint64_t soft;         /* required; RLIM_INFINITY is UINT64_MAX */
    uint64_t hard;         /* required */
};

/* ioPriority.class: the values are the kernel's IOPRIO_CLASS_* numbers. */
enum oci_ioprio_class {
    OCI_IOPRIO_CLASS_RT = 1,
    OCI_IOPRIO_CLASS_BE = 2,
    OCI_IOPRIO_CLASS_IDLE = 3,
};

struct oci_io_priority {
    enum oci_ioprio_class class; /* required */
    bool priority_present;
    int32_t priority; /* 0 (highest) .. 7 (lowest); default 0 */
};

/* scheduler.flags: the kernel's SCHED_FLAG_* bits (linux/sched/types.h),
 * spelled out because glibc does not export them. */
enum {
    OCI_SCHED_FLAG_RESET_ON_FORK = 0x01,
    OCI_SCHED_FLAG_RECLAIM = 0x02,
    OCI_SCHED_FLAG_DL_OVERRUN = 0x04,
    OCI_SCHED_FLAG_KEEP_POLICY = 0x08,
    OCI_SCHED_FLAG_KEEP_PARAMS = 0x10,
    OCI_SCHED_FLAG_UTIL_CLAMP_MIN = 0x20,
    OCI_SCHED_FLAG_UTIL_CLAMP_MAX = 0x40,
};

/* scheduler.policy: the kernel's SCHED_* numbers.  SCHED_ISO (4) is in the
 * spec's list but Linux never implemented it: validation refuses it. */
enum {
    OCI_SCHED_OTHER = 0,
    OCI_SCHED_FIFO = 1,
    OCI_SCHED_RR = 2,
    OCI_SCHED_BATCH = 3,
    OCI_SCHED_ISO = 4,
    OCI_SCHED_IDLE = 5,
    OCI_SCHED_DEADLINE = 6,
};

struct oci_scheduler {
    int policy; /* required; OCI_SCHED_* (== kernel SCHED_*) */
    bool nice_present;
    int32_t nice;
    bool priority_present;
    int32_t priority;
    uint64_t flags; /* OR of OCI_SCHED_FLAG_*, 0 when absent */
    bool runtime_present;
    uint64_t runtime;
    bool deadline_present;
    uint64_t deadline;
    bool period_present;
    uint64_t period;
};

/* CPU lists like "0-3,7" (checked against the schema pattern). */
struct oci_exec_cpu_affinity {
    char *initial; /* NULL when absent */
    char *final;
};

struct oci_process {
    bool terminal_present;
    bool terminal; /* default false */
    struct oci_console_size *console_size;
    struct oci_user *user; /* NULL: uid 0, gid 0 */
    char **args;           /* NULL-terminated; required non-empty to start */
    size_t args_len;
    char *command_line; /* Windows only */
    char **env;         /* NULL-terminated, "KEY=value" */
    size_t env_len;
    char *cwd; /* required, absolute */
    struct oci_capabilities *capabilities;
    struct oci_rlimit *rlimits;
    size_t rlimits_len;
    bool no_new_privileges_present;
    bool no_new_privileges; /* default false */
    char *apparmor_profile;
    bool oom_score_adj_present; /* when false, oom_score_adj MUST NOT be touched */
    int oom_score_adj;
    char *selinux_label;
    struct oci_io_priority *io_priority;
    struct oci_scheduler *scheduler;
    struct oci_exec_cpu_affinity *exec_cpu_affinity;
};

/* ---------------------------------------------------------------------------
 * hooks
 */

struct oci_hook {
    char *path; /* required, absolute */
    char **args;
    size_t args_len;
    char **env;
    size_t env_len;
    bool timeout_present;
    int timeout; /* seconds, > 0 */
};

/* The six kinds, in the order the spec lists them (not run order). */
enum oci_hook_kind {
    OCI_HOOK_PRESTART,
    OCI_HOOK_CREATE_RUNTIME,
    OCI_HOOK_CREATE_CONTAINER,
    OCI_HOOK_START_CONTAINER,
    OCI_HOOK_POSTSTART,
    OCI_HOOK_POSTSTOP,
    OCI_HOOK__COUNT,
};

struct oci_hooks {
    struct oci_hook *prestart; /* deprecated by the spec, still run */
    size_t prestart_len;
    struct oci_hook *create_runtime;
    size_t create_runtime_len;
    struct oci_hook *create_container;
    size_t create_container_len;
    struct oci_hook *start_container;
    size_t start_container_len;
    struct oci_hook *poststart;
    size_t poststart_len;
    struct oci_hook *poststop;
    size_t poststop_len;
};

/* The hooks of one kind (NULL/0 when none; `hooks` may be NULL). */
const struct oci_hook *oci_hooks_get(const struct oci_hooks *hooks, enum oci_hook_kind kind,
                                     size_t *len);
/* "prestart", "createRuntime", ... */
const char *oci_hook_kind_name(enum oci_hook_kind kind);

/* ---------------------------------------------------------------------------
 * linux: namespaces, devices
 */

enum oci_namespace_type {
    OCI_NS_MOUNT,
    OCI_NS_PID,
    OCI_NS_NETWORK,
    OCI_NS_UTS,
    OCI_NS_IPC,
    OCI_NS_USER,
    OCI_NS_CGROUP,
    OCI_NS_TIME,
    OCI_NS__COUNT,
};

struct oci_namespace {
    enum oci_namespace_type type; /* required */
    char *path;                   /* NULL: create a new one; else absolute, join it */
};

/* "network" -> CLONE_NEWNET etc.  The flag for OCI_NS_TIME is CLONE_NEWTIME
 * (0x80, only valid with unshare/clone3). */
int oci_namespace_clone_flag(enum oci_namespace_type type);
const char *oci_namespace_type_name(enum oci_namespace_type type); /* "network" */

struct oci_time_offset {
    bool secs_present;
    int64_t secs;
    bool nanosecs_present;
    uint32_t nanosecs; /* < 1000000000 */
};

/* timeOffsets: keys other than the two clocks a time namespace offsets are
 * refused at parse time. */
struct oci_time_offsets {
    struct oci_time_offset *monotonic;
    struct oci_time_offset *boottime;
};

struct oci_device {
    mode_t type;        /* required: S_IFCHR ("c" and "u"), S_IFBLK ("b"), S_IFIFO ("p") */
    char type_char;     /* the original letter: 'c', 'u', 'b' or 'p' */
    char *path;         /* required, absolute */
    bool major_present; /* required unless type is "p" (validation) */
    int64_t major;
    bool minor_present;
    int64_t minor;
    bool file_mode_present;
    uint32_t file_mode; /* permission bits, <= 0777 (decimal in JSON) */
    bool uid_present;
    uid_t uid;
    bool gid_present;
    gid_t gid;
};

/* netDevices: one entry per map key, in document order. */
struct oci_net_device {
    char *host_name; /* the map key: name in the runtime namespace */
    char *name;      /* name in the container; NULL: keep host_name */
};

/* ---------------------------------------------------------------------------
 * linux.resources (cgroups)
 */

struct oci_device_cgroup {
    bool allow;         /* required */
    char type;          /* 'a' (also when absent), 'c' or 'b' */
    bool major_present; /* absent: all ("*") */
    int64_t major;
    bool minor_present;
    int64_t minor;
    char *access; /* subset of "rwm"; NULL when absent */
};

struct oci_memory {
    bool limit_present;
    int64_t limit; /* bytes, -1 unlimited */
    bool reservation_present;
    int64_t reservation;
    bool swap_present;
    int64_t swap;
    bool kernel_present;
    int64_t kernel;
    bool kernel_tcp_present;
    int64_t kernel_tcp;
    bool swappiness_present;
    uint64_t swappiness; /* 0..100 */
    bool disable_oom_killer_present;
    bool disable_oom_killer;
    bool use_hierarchy_present;
    bool use_hierarchy;
    bool check_before_update_present;
    bool check_before_update;
};

struct oci_cpu {
    bool shares_present;
    uint64_t shares;
    bool quota_present;
    int64_t quota;
    bool burst_present;
    uint64_t burst;
    bool period_present;
    uint64_t period;
    bool realtime_runtime_present;
    int64_t realtime_runtime;
    bool realtime_period_present;
    uint64_t realtime_period;
    char *cpus; /* "0-3,7" */
    char *mems;
    bool idle_present;
    int64_t idle;
};

struct oci_weight_device {
    int64_t major; /* required */
    int64_t minor; /* required */
    bool weight_present;
    uint16_t weight;
    bool leaf_weight_present;
    uint16_t leaf_weight;
};

struct oci_throttle_device {
    int64_t major; /* required */
    int64_t minor; /* required */
    uint64_t rate; /* required */
};

struct oci_block_io {
    bool weight_present;
    uint16_t weight;
    bool leaf_weight_present;
    uint16_t leaf_weight;
    struct oci_weight_device *weight_device;
    size_t weight_device_len;
    struct oci_throttle_device *throttle_read_bps_device;
    size_t throttle_read_bps_device_len;
    struct oci_throttle_device *throttle_write_bps_device;
    size_t throttle_write_bps_device_len;
    struct oci_throttle_device *throttle_read_iops_device;
    size_t throttle_read_iops_device_len;
    struct oci_throttle_device *throttle_write_iops_device;
    size_t throttle_write_iops_device_len;
};

struct oci_hugepage_limit {
    char *page_size; /* required, "2MB": ^[1-9][0-9]*[KMG]B$ */
    uint64_t limit;  /* required */
};

struct oci_interface_priority {
    char *name;        /* required */
    uint32_t priority; /* required */
};

struct oci_network {
    bool class_id_present;
    uint32_t class_id; /* "classID" */
    struct oci_interface_priority *priorities;
    size_t priorities_len;
};

struct oci_pids {
    bool limit_present; /* required by the schema, optional in the prose */
    int64_t limit;      /* -1: no limit */
};

/* rdma: one entry per map key (device name), in document order. */
struct oci_rdma {
    char *device; /* the map key */
    bool hca_handles_present;
    uint32_t hca_handles;
    bool hca_objects_present;
    uint32_t hca_objects;
};

struct oci_resources {
    struct oci_device_cgroup *devices;
    size_t devices_len;
    struct oci_memory *memory;
    struct oci_cpu *cpu;
    struct oci_block_io *block_io; /* "blockIO" */
    struct oci_hugepage_limit *hugepage_limits;
    size_t hugepage_limits_len;
    struct oci_network *network;
    struct oci_pids *pids;
    struct oci_rdma *rdma;
    size_t rdma_len;
    struct oci_kv *unified; /* cgroup v2 file -> content */
    size_t unified_len;
};

struct oci_intel_rdt {
    char *clos_id; /* "closID" */
    char **schemata;
    size_t schemata_len;
    char *l3_cache_schema;
    char *mem_bw_schema;
    bool enable_monitoring_present;
    bool enable_monitoring;
};

/* ---------------------------------------------------------------------------
 * linux.seccomp
 */

enum oci_seccomp_action {
    OCI_SECCOMP_ACT_KILL, /* kills the thread, as libseccomp's SCMP_ACT_KILL */
    OCI_SECCOMP_ACT_KILL_PROCESS,
    OCI_SECCOMP_ACT_KILL_THREAD,
    OCI_SECCOMP_ACT_TRAP,
    OCI_SECCOMP_ACT_ERRNO,
    OCI_SECCOMP_ACT_TRACE,
    OCI_SECCOMP_ACT_ALLOW,
    OCI_SECCOMP_ACT_LOG,
    OCI_SECCOMP_ACT_NOTIFY,
    OCI_SECCOMP_ACT__COUNT,
};

/* SCMP_ARCH_* names of the spec; mapped to libseccomp's constants by the
 * seccomp code (some are missing from older libseccomp headers). */
enum oci_seccomp_arch {
    OCI_SECCOMP_ARCH_X86,
    OCI_SECCOMP_ARCH_X86_64,
    OCI_SECCOMP_ARCH_X32,
    OCI_SECCOMP_ARCH_ARM,
    OCI_SECCOMP_ARCH_AARCH64,
    OCI_SECCOMP_ARCH_LOONGARCH64,
    OCI_SECCOMP_ARCH_M68K,
    OCI_SECCOMP_ARCH_MIPS,
    OCI_SECCOMP_ARCH_MIPS64,
    OCI_SECCOMP_ARCH_MIPS64N32,
    OCI_SECCOMP_ARCH_MIPSEL,
    OCI_SECCOMP_ARCH_MIPSEL64,
    OCI_SECCOMP_ARCH_MIPSEL64N32,
    OCI_SECCOMP_ARCH_PPC,
    OCI_SECCOMP_ARCH_PPC64,
    OCI_SECCOMP_ARCH_PPC64LE,
    OCI_SECCOMP_ARCH_S390,
    OCI_SECCOMP_ARCH_S390X,
    OCI_SECCOMP_ARCH_SH,
    OCI_SECCOMP_ARCH_SHEB,
    OCI_SECCOMP_ARCH_PARISC,
    OCI_SECCOMP_ARCH_PARISC64,
    OCI_SECCOMP_ARCH_RISCV64,
    OCI_SECCOMP_ARCH__COUNT,
};

/* Argument comparison; the values equal libseccomp's enum scmp_compare. */
enum oci_seccomp_op {
    OCI_SECCOMP_CMP_NE = 1,
    OCI_SECCOMP_CMP_LT = 2,
    OCI_SECCOMP_CMP_LE = 3,
    OCI_SECCOMP_CMP_EQ = 4,
    OCI_SECCOMP_CMP_GE = 5,
    OCI_SECCOMP_CMP_GT = 6,
    OCI_SECCOMP_CMP_MASKED_EQ = 7,
};

/* seccomp.flags: the kernel's SECCOMP_FILTER_FLAG_* bits (linux/seccomp.h),
 * spelled out because older headers lack WAIT_KILLABLE_RECV. */
enum {
    OCI_SECCOMP_FLAG_TSYNC = 1u << 0,
    OCI_SECCOMP_FLAG_LOG = 1u << 1,
    OCI_SECCOMP_FLAG_SPEC_ALLOW = 1u << 2,
    OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV = 1u << 5,
};

struct oci_seccomp_arg {
    uint32_t index; /* required, < 6 */
    uint64_t value; /* required */
    bool value_two_present;
    uint64_t value_two;     /* "valueTwo" */
    enum oci_seccomp_op op; /* required */
};

struct oci_seccomp_syscall {
    char **names; /* required, at least one, none empty */
    size_t names_len;
    enum oci_seccomp_action action; /* required */
    bool errno_ret_present;         /* only with ERRNO or TRACE */
    uint32_t errno_ret;
    struct oci_seccomp_arg *args;
    size_t args_len;
};

struct oci_seccomp {
    enum oci_seccomp_action default_action; /* required */
    bool default_errno_ret_present;
    uint32_t default_errno_ret;
    enum oci_seccomp_arch *architectures;
    size_t architectures_len;
    unsigned int flags; /* OR of OCI_SECCOMP_FLAG_*, 0 when absent */
    char *listener_path;
    char *listener_metadata;
    struct oci_seccomp_syscall *syscalls;
    size_t syscalls_len;
};

const char *oci_seccomp_action_name(enum oci_seccomp_action a); /* "SCMP_ACT_ERRNO" */
const char *oci_seccomp_arch_name(enum oci_seccomp_arch a);     /* "SCMP_ARCH_X86_64" */
const char *oci_seccomp_op_name(enum oci_seccomp_op op);        /* "SCMP_CMP_EQ" */

/* ---------------------------------------------------------------------------
 * linux: personality, memory policy, the linux object
 */

struct oci_personality {
    unsigned long domain; /* required: PER_LINUX or PER_LINUX32 (sys/personality.h) */
    char **flags;         /* no flag is defined yet: any is refused by validation */
    size_t flags_len;
};

/* memoryPolicy: kernel MPOL_* modes and MPOL_F_* flags (linux/mempolicy.h),
 * spelled out because glibc has no header for them (numaif.h is libnuma). */
enum {
    OCI_MPOL_DEFAULT = 0,
    OCI_MPOL_PREFERRED = 1,
    OCI_MPOL_BIND = 2,
    OCI_MPOL_INTERLEAVE = 3,
    OCI_MPOL_LOCAL = 4,
    OCI_MPOL_PREFERRED_MANY = 5,
    OCI_MPOL_WEIGHTED_INTERLEAVE = 6,
};
enum {
    OCI_MPOL_F_NUMA_BALANCING = 1u << 13,
    OCI_MPOL_F_RELATIVE_NODES = 1u << 14,
    OCI_MPOL_F_STATIC_NODES = 1u << 15,
};

struct oci_memory_policy {
    int mode;           /* required, OCI_MPOL_* */
    char *nodes;        /* "0-3,7"; NULL when absent */
    unsigned int flags; /* OR of OCI_MPOL_F_* */
};

struct oci_linux {
    struct oci_namespace *namespaces;
    size_t namespaces_len;
    struct oci_id_mapping *uid_mappings;
    size_t uid_mappings_len;
    struct oci_id_mapping *gid_mappings;
    size_t gid_mappings_len;
    struct oci_time_offsets *time_offsets;
    struct oci_device *devices;
    size_t devices_len;
    struct oci_net_device *net_devices;
    size_t net_devices_len;
    char *cgroups_path;
    bool rootfs_propagation_present;
    unsigned long rootfs_propagation; /* MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE */
    struct oci_resources *resources;
    struct oci_intel_rdt *intel_rdt;
    struct oci_kv *sysctl;
    size_t sysctl_len;
    struct oci_seccomp *seccomp;
    char **masked_paths;
    size_t masked_paths_len;
    char **readonly_paths;
    size_t readonly_paths_len;
    char *mount_label;
    struct oci_personality *personality;
    struct oci_memory_policy *memory_policy;
};

/* The entry of that type in linux.namespaces, or NULL (linux may be NULL). */
const struct oci_namespace *oci_linux_find_namespace(const struct oci_linux *linux,
                                                     enum oci_namespace_type type);

/* ---------------------------------------------------------------------------
 * The document
 */

struct oci_config {
    char *oci_version; /* required */
    struct oci_root *root;
    struct oci_mount *mounts;
    size_t mounts_len;
    struct oci_process *process;
    char *hostname;
    char *domainname;
    struct oci_hooks *hooks;
    struct oci_kv *annotations;
    size_t annotations_len;
    struct oci_linux *linux;
};

/* Parse a config.json held in memory (`data` need not be NUL-terminated).
 * `filename` only prefixes messages: "config.json: process.rlimits[2].type:
 * unknown rlimit "RLIMIT_FOO"", "config.json: syntax error at line 3,
 * column 5: unexpected character".  Types and ranges are checked here; the
 * spec's other rules are oci_config_validate's.  NULL + *err on failure. */
struct oci_config *oci_config_parse(const char *data, size_t len, const char *filename,
                                    bw_err_t *err);
void oci_config_free(struct oci_config *c);

/* The process object alone (process.json of `exec --process`): the same
 * parser, paths in messages start at the object ("cwd", "args[0]"). */
struct oci_process *oci_process_parse(const char *data, size_t len, const char *filename,
                                      bw_err_t *err);
void oci_process_free(struct oci_process *p);

/* A linux.resources object alone (the file of `update --resources`). */
struct oci_resources *oci_resources_parse(const char *data, size_t len, const char *filename,
                                          bw_err_t *err);
void oci_resources_free(struct oci_resources *r);

/* The spec's MUST rules for Linux (ociVersion 1.x, absolute paths, unique
 * namespaces, sane id mappings, rlimits, devices, seccomp enums...).  Accepts
 * a config without root or process: the schema makes them optional. */
int oci_config_validate(const struct oci_config *c, const char *filename, bw_err_t *err);

/* oci_config_validate plus what `create` needs: root.path non-empty and a
 * process with non-empty args ("config.json: root.path: required to create a
 * container", "config.json: process: required to start a container"). */
int oci_config_validate_for_create(const struct oci_config *c, const char *filename, bw_err_t *err);

/* The rules for a process object alone (process.json). */
int oci_process_validate(const struct oci_process *p, const char *filename, bw_err_t *err);

/* rlimit resource name <-> RLIMIT_*: "RLIMIT_NOFILE"; NULL / -1 if unknown. */
const char *oci_rlimit_name(int resource);
int oci_rlimit_from_name(const char *name);

static inline void oci_config_freep(struct oci_config **c)
{
    oci_config_free(*c);
}
static inline void oci_process_freep(struct oci_process **p)
{
    oci_process_free(*p);
}
static inline void oci_resources_freep(struct oci_resources **r)
{
    oci_resources_free(*r);
}
#define cleanup_oci_config    __attribute__((cleanup(oci_config_freep)))
#define cleanup_oci_process   __attribute__((cleanup(oci_process_freep)))
#define cleanup_oci_resources __attribute__((cleanup(oci_resources_freep)))

#endif
