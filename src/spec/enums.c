/* burrow: the spec's enumerations and their names, shared by the parser,
 * the validation and the code that applies the config. */
#include <config.h>

#include <sched.h>
#include <string.h>
#include <sys/resource.h>

#include "spec/parse-internal.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* linux/sched.h, Linux 5.6; older glibc lacks it */
#endif

/* Indexed by enum oci_namespace_type. */
static const struct enum_entry namespace_entries[] = {
    {"mount", OCI_NS_MOUNT},   {"pid", OCI_NS_PID},   {"network", OCI_NS_NETWORK},
    {"uts", OCI_NS_UTS},       {"ipc", OCI_NS_IPC},   {"user", OCI_NS_USER},
    {"cgroup", OCI_NS_CGROUP}, {"time", OCI_NS_TIME},
};
const struct enum_table oci_namespace_table = ENUM_TABLE("namespace type", namespace_entries);

static const int namespace_flags[] = {
    [OCI_NS_MOUNT] = CLONE_NEWNS,      [OCI_NS_PID] = CLONE_NEWPID,
    [OCI_NS_NETWORK] = CLONE_NEWNET,   [OCI_NS_UTS] = CLONE_NEWUTS,
    [OCI_NS_IPC] = CLONE_NEWIPC,       [OCI_NS_USER] = CLONE_NEWUSER,
    [OCI_NS_CGROUP] = CLONE_NEWCGROUP, [OCI_NS_TIME] = CLONE_NEWTIME,
};

int oci_namespace_clone_flag(enum oci_namespace_type type)
{
    if ((unsigned)type >= OCI_NS__COUNT)
        return 0;
    return namespace_flags[type];
}

const char *oci_namespace_type_name(enum oci_namespace_type type)
{
    if ((unsigned)type >= OCI_NS__COUNT)
        return "?";
    return namespace_entries[type].name;
}

const struct oci_namespace *oci_linux_find_namespace(const struct oci_linux *linux,
                                                     enum oci_namespace_type type)
{
    if (linux == NULL)
        return NULL;
    for (size_t i = 0; i < linux->namespaces_len; i++)
        if (linux->namespaces[i].type == type)
            return &linux->namespaces[i];
    return NULL;
}

/* getrlimit(2) on Linux. */
static const struct enum_entry rlimit_entries[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};
const struct enum_table oci_rlimit_table = ENUM_TABLE("rlimit", rlimit_entries);

const char *oci_rlimit_name(int resource)
{
    return enum_name(&oci_rlimit_table, resource);
}

int oci_rlimit_from_name(const char *name)
{
    for (size_t i = 0; i < oci_rlimit_table.n; i++)
        if (strcmp(rlimit_entries[i].name, name) == 0)
            return (int)rlimit_entries[i].value;
    return -1;
}

/* Indexed by enum oci_seccomp_action. */
static const struct enum_entry seccomp_action_entries[] = {
    {"SCMP_ACT_KILL", OCI_SECCOMP_ACT_KILL},
    {"SCMP_ACT_KILL_PROCESS", OCI_SECCOMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", OCI_SECCOMP_ACT_KILL_THREAD},
    {"SCMP_ACT_TRAP", OCI_SECCOMP_ACT_TRAP},
    {"SCMP_ACT_ERRNO", OCI_SECCOMP_ACT_ERRNO},
    {"SCMP_ACT_TRACE", OCI_SECCOMP_ACT_TRACE},
    {"SCMP_ACT_ALLOW", OCI_SECCOMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", OCI_SECCOMP_ACT_LOG},
    {"SCMP_ACT_NOTIFY", OCI_SECCOMP_ACT_NOTIFY},
};
const struct enum_table oci_seccomp_action_table =
    ENUM_TABLE("seccomp action", seccomp_action_entries);

/* Indexed by enum oci_seccomp_arch. */
static const struct enum_entry seccomp_arch_entries[] = {
    {"SCMP_ARCH_X86", OCI_SECCOMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", OCI_SECCOMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", OCI_SECCOMP_ARCH_X32},
    {"SCMP_ARCH_ARM", OCI_SECCOMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", OCI_SECCOMP_ARCH_AARCH64},
    {"SCMP_ARCH_LOONGARCH64", OCI_SECCOMP_ARCH_LOONGARCH64},
    {"SCMP_ARCH_M68K", OCI_SECCOMP_ARCH_M68K},
    {"SCMP_ARCH_MIPS", OCI_SECCOMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", OCI_SECCOMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", OCI_SECCOMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", OCI_SECCOMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", OCI_SECCOMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", OCI_SECCOMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", OCI_SECCOMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", OCI_SECCOMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", OCI_SECCOMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", OCI_SECCOMP_ARCH_S390},
    {"SCMP_ARCH_S390X", OCI_SECCOMP_ARCH_S390X},
    {"SCMP_ARCH_SH", OCI_SECCOMP_ARCH_SH},
    {"SCMP_ARCH_SHEB", OCI_SECCOMP_ARCH_SHEB},
    {"SCMP_ARCH_PARISC", OCI_SECCOMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", OCI_SECCOMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", OCI_SECCOMP_ARCH_RISCV64},
};
const struct enum_table oci_seccomp_arch_table =
    ENUM_TABLE("seccomp architecture", seccomp_arch_entries);

static const struct enum_entry seccomp_op_entries[] = {
    {"SCMP_CMP_NE", OCI_SECCOMP_CMP_NE},
    {"SCMP_CMP_LT", OCI_SECCOMP_CMP_LT},
    {"SCMP_CMP_LE", OCI_SECCOMP_CMP_LE},
    {"SCMP_CMP_EQ", OCI_SECCOMP_CMP_EQ},
    {"SCMP_CMP_GE", OCI_SECCOMP_CMP_GE},
    {"SCMP_CMP_GT", OCI_SECCOMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", OCI_SECCOMP_CMP_MASKED_EQ},
};
const struct enum_table oci_seccomp_op_table = ENUM_TABLE("seccomp operator", seccomp_op_entries);

const char *oci_seccomp_action_name(enum oci_seccomp_action a)
{
    const char *n = enum_name(&oci_seccomp_action_table, a);
    return n != NULL ? n : "?";
}

const char *oci_seccomp_arch_name(enum oci_seccomp_arch a)
{
    const char *n = enum_name(&oci_seccomp_arch_table, a);
    return n != NULL ? n : "?";
}

const char *oci_seccomp_op_name(enum oci_seccomp_op op)
{
    const char *n = enum_name(&oci_seccomp_op_table, op);
    return n != NULL ? n : "?";
}

static const char *const hook_kind_names[] = {
    [OCI_HOOK_PRESTART] = "prestart",
    [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
    [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
    [OCI_HOOK_START_CONTAINER] = "startContainer",
    [OCI_HOOK_POSTSTART] = "poststart",
    [OCI_HOOK_POSTSTOP] = "poststop",
};

const char *oci_hook_kind_name(enum oci_hook_kind kind)
{
    if ((unsigned)kind >= OCI_HOOK__COUNT)
        return "?";
    return hook_kind_names[kind];
}

const struct oci_hook *oci_hooks_get(const struct oci_hooks *hooks, enum oci_hook_kind kind,
                                     size_t *len)
{
    *len = 0;
    if (hooks == NULL)
        return NULL;
    switch (kind) {
    case OCI_HOOK_PRESTART:
        *len = hooks->prestart_len;
        return hooks->prestart;
    case OCI_HOOK_CREATE_RUNTIME:
        *len = hooks->create_runtime_len;
        return hooks->create_runtime;
    case OCI_HOOK_CREATE_CONTAINER:
        *len = hooks->create_container_len;
        return hooks->create_container;
    case OCI_HOOK_START_CONTAINER:
        *len = hooks->start_container_len;
        return hooks->start_container;
    case OCI_HOOK_POSTSTART:
        *len = hooks->poststart_len;
        return hooks->poststart;
    case OCI_HOOK_POSTSTOP:
        *len = hooks->poststop_len;
        return hooks->poststop;
    default:
        return NULL;
    }
}
