/* burrow: the field tables of `linux.seccomp`. */
#include <config.h>

#include <stdint.h>

#include "spec/parse-internal.h"

static const struct enum_entry seccomp_flag_entries[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", OCI_SECCOMP_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", OCI_SECCOMP_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", OCI_SECCOMP_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV},
};
static const struct enum_table seccomp_flag_table =
    ENUM_TABLE("seccomp flag", seccomp_flag_entries);

#define T struct oci_seccomp_arg
static const struct field seccomp_arg_fields[] = {
    F_UINT_REQ(T, "index", index, UINT32_MAX),
    F_UINT_REQ(T, "value", value, UINT64_MAX),
    F_UINT(T, "valueTwo", value_two, UINT64_MAX),
    F_ENUM_REQ(T, "op", op, &oci_seccomp_op_table),
};
static const struct object_desc seccomp_arg_desc = DESC(T, seccomp_arg_fields);
#undef T

#define T struct oci_seccomp_syscall
static const struct field seccomp_syscall_fields[] = {
    F_STRV_REQ(T, "names", names),
    F_ENUM_REQ(T, "action", action, &oci_seccomp_action_table),
    F_UINT(T, "errnoRet", errno_ret, UINT32_MAX),
    F_OBJECT_ARRAY(T, "args", args, &seccomp_arg_desc),
};
static const struct object_desc seccomp_syscall_desc = DESC(T, seccomp_syscall_fields);
#undef T

#define T struct oci_seccomp
static const struct field seccomp_fields[] = {
    F_ENUM_REQ(T, "defaultAction", default_action, &oci_seccomp_action_table),
    F_UINT(T, "defaultErrnoRet", default_errno_ret, UINT32_MAX),
    F_ENUM_ARRAY(T, "architectures", architectures, &oci_seccomp_arch_table),
    F_FLAGS(T, "flags", flags, &seccomp_flag_table),
    F_STRING(T, "listenerPath", listener_path),
    F_STRING(T, "listenerMetadata", listener_metadata),
    F_OBJECT_ARRAY(T, "syscalls", syscalls, &seccomp_syscall_desc),
};
const struct object_desc oci_seccomp_desc = DESC(T, seccomp_fields);
#undef T
