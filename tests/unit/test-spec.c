/* burrow: unit tests of src/spec (config.json parsing, validation, the
 * `burrow spec` template).  The table of error cases with their exact
 * messages is in test-spec-cases.c. */
#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec/config.h"
#include "spec/generate.h"
#include "spec-cases.h"

#ifndef BURROW_TEST_DATA_DIR
#define BURROW_TEST_DATA_DIR "tests/data"
#endif
#ifndef BURROW_UNIT_DATA_DIR
#define BURROW_UNIT_DATA_DIR "tests/unit/data"
#endif

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "re");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        if (n + 4096 > cap) {
            char *nb = realloc(buf, cap = cap * 2 + 8192);
            if (nb == NULL)
                break;
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* Parse tests/data/runtime-spec/config/WHICH; NULL with *msg on error. */
static struct oci_config *parse_example(const char *which, char **msg)
{
    char path[512];
    size_t len = 0;
    bw_err_t err = NULL;
    const char *base = getenv("BURROW_TEST_DATA_DIR");

    snprintf(path, sizeof(path), "%s/runtime-spec/config/%s",
             base != NULL ? base : BURROW_TEST_DATA_DIR, which);
    char *data = read_file(path, &len);
    *msg = NULL;
    if (data == NULL) {
        *msg = strdup("cannot read the example (is BURROW_TEST_DATA_DIR right?)");
        return NULL;
    }
    const char *slash = strrchr(which, '/');
    struct oci_config *c = oci_config_parse(data, len, slash + 1, &err);
    free(data);
    if (c == NULL) {
        *msg = bw_error_text(err);
        bw_error_free(&err);
    }
    return c;
}

/* Validation message for an example, named like the parser names it. */
static char *validate_msg(const struct oci_config *c, const char *which, bool for_create)
{
    bw_err_t err = NULL;
    const char *name = strrchr(which, '/') + 1;
    int r = for_create ? oci_config_validate_for_create(c, name, &err)
                       : oci_config_validate(c, name, &err);
    char *msg = r < 0 ? bw_error_text(err) : NULL;

    bw_error_free(&err);
    return msg;
}

/* A good example must parse and validate (for_create too when it has a
 * process, as minimal-for-start.json). */
static enum unit_result check_good(struct unit *u, const char *which, bool for_create)
{
    char *msg;
    struct oci_config *c = parse_example(which, &msg);
    enum unit_result r = UNIT_PASS;

    if (c == NULL) {
        r = unit_fail(u, "parse: %s", msg);
    } else if ((msg = validate_msg(c, which, for_create)) != NULL) {
        r = unit_fail(u, "validate: %s", msg);
    }
    free(msg);
    oci_config_free(c);
    return r;
}

/* A bad example must be refused, by the parser or the validation, with
 * exactly `want`. */
static enum unit_result check_bad(struct unit *u, const char *which, const char *want)
{
    char *msg;
    struct oci_config *c = parse_example(which, &msg);
    enum unit_result r = UNIT_PASS;

    if (c != NULL)
        msg = validate_msg(c, which, false);
    if (msg == NULL)
        r = unit_fail(u, "accepted");
    else if (strcmp(msg, want) != 0)
        r = unit_fail(u, "got \"%s\", want \"%s\"", msg, want);
    free(msg);
    oci_config_free(c);
    return r;
}

static enum unit_result test_schema_good_minimal(struct unit *u)
{
    return check_good(u, "good/minimal.json", false);
}

static enum unit_result test_schema_good_minimal_for_start(struct unit *u)
{
    return check_good(u, "good/minimal-for-start.json", true);
}

static enum unit_result test_schema_good_linux_netdevice(struct unit *u)
{
    return check_good(u, "good/linux-netdevice.json", false);
}

static enum unit_result test_schema_good_linux_rdma(struct unit *u)
{
    return check_good(u, "good/linux-rdma.json", false);
}

/* spec-example.json says "0.5.0-dev": the schema only checks it is a
 * string; burrow implements 1.x and refuses it.  Everything else in it must
 * be accepted. */
static enum unit_result test_schema_good_spec_example(struct unit *u)
{
    char *msg;
    struct oci_config *c = parse_example("good/spec-example.json", &msg);
    enum unit_result r = UNIT_PASS;

    if (c == NULL) {
        r = unit_fail(u, "parse: %s", msg);
        free(msg);
        return r;
    }
    msg = validate_msg(c, "good/spec-example.json", false);
    const char *want = "spec-example.json: ociVersion: unsupported version \"0.5.0-dev\" (burrow "
                       "implements runtime-spec 1.x)";
    if (msg == NULL || strcmp(msg, want) != 0)
        r = unit_fail(u, "version: got \"%s\", want \"%s\"", msg ? msg : "(accepted)", want);
    free(msg);
    if (r == UNIT_PASS) {
        free(c->oci_version);
        c->oci_version = strdup("1.0.0");
        if ((msg = validate_msg(c, "good/spec-example.json", true)) != NULL)
            r = unit_fail(u, "with ociVersion 1.0.0: %s", msg);
        free(msg);
    }
    oci_config_free(c);
    return r;
}

static enum unit_result test_schema_bad_invalid_json(struct unit *u)
{
    return check_bad(u, "bad/invalid-json.json",
                     "invalid-json.json: syntax error at line 1, column 2: quoted object property "
                     "name expected");
}

static enum unit_result test_schema_bad_linux_hugepage(struct unit *u)
{
    return check_bad(
        u, "bad/linux-hugepage.json",
        "linux-hugepage.json: linux.resources.hugepageLimits[0].pageSize: invalid page size "
        "\"64kB\" (expected a number then KB, MB or GB, such as 2MB)");
}

static enum unit_result test_schema_bad_linux_netdevice(struct unit *u)
{
    return check_bad(u, "bad/linux-netdevice.json",
                     "linux-netdevice.json: linux.netDevices[\"eth0\"].name: expected string, got "
                     "integer");
}

static enum unit_result test_schema_bad_linux_rdma(struct unit *u)
{
    return check_bad(u, "bad/linux-rdma.json",
                     "linux-rdma.json: linux.resources.rdma[\"mlx5_1\"].hcaHandles: expected "
                     "unsigned integer, got string");
}

/* A new example in the copied directories needs a test above. */
static enum unit_result test_schema_examples_all_covered(struct unit *u)
{
    const char *base = getenv("BURROW_TEST_DATA_DIR");
    const char *dirs[2] = {"good", "bad"};
    const size_t want[2] = {5, 4};

    for (int i = 0; i < 2; i++) {
        char path[512];
        size_t n = 0;
        snprintf(path, sizeof(path), "%s/runtime-spec/config/%s",
                 base != NULL ? base : BURROW_TEST_DATA_DIR, dirs[i]);
        DIR *d = opendir(path);
        if (d == NULL)
            return unit_fail(u, "cannot open %s", path);
        for (struct dirent *e; (e = readdir(d)) != NULL;)
            n += strstr(e->d_name, ".json") != NULL;
        closedir(d);
        if (n != want[i])
            return unit_fail(u, "%s has %zu examples, the tests cover %zu", path, n, want[i]);
    }
    return UNIT_PASS;
}

/* The values land where the header says, converted as documented. */
static enum unit_result test_parse_values(struct unit *u)
{
    char *msg;
    struct oci_config *c = parse_example("good/spec-example.json", &msg);
    enum unit_result r = UNIT_PASS;

    if (c == NULL) {
        r = unit_fail(u, "parse: %s", msg);
        free(msg);
        return r;
    }
    const struct oci_process *p = c->process;
    const struct oci_linux *l = c->linux;
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (r == UNIT_PASS && !(cond))                                                             \
            r = unit_fail(u, "line %d: %s", __LINE__, #cond);                                      \
    } while (0)
    CHECK(p != NULL && p->terminal && p->terminal_present && p->no_new_privileges);
    CHECK(p->args_len == 1 && strcmp(p->args[0], "sh") == 0 && p->args[1] == NULL);
    CHECK(p->env_len == 2 && p->env[2] == NULL && strncmp(p->env[1], "TERM=", 5) == 0);
    CHECK(p->user != NULL && p->user->uid == 1 && p->user->gid == 1 && !p->user->umask_present);
    CHECK(p->user->additional_gids_len == 2 && p->user->additional_gids[1] == 6);
    CHECK(p->capabilities != NULL && p->capabilities->ambient_len == 1);
    CHECK(strcmp(p->capabilities->ambient[0], "CAP_NET_BIND_SERVICE") == 0);
    CHECK(p->rlimits_len == 2 && p->rlimits[1].type == RLIMIT_NOFILE);
    CHECK(strcmp(p->rlimits[1].type_name, "RLIMIT_NOFILE") == 0 && p->rlimits[1].soft == 1024);
    CHECK(!p->oom_score_adj_present && p->io_priority == NULL);
    CHECK(c->root->readonly && strcmp(c->root->path, "rootfs") == 0);
    CHECK(c->mounts_len == 7 && c->mounts[2].options_len == 6);
    CHECK(strcmp(c->mounts[2].options[5], "gid=5") == 0 && c->mounts[0].options == NULL);
    CHECK(c->hooks->prestart_len == 2 && c->hooks->poststart[0].timeout_present);
    CHECK(c->hooks->poststart[0].timeout == 5 && !c->hooks->prestart[0].timeout_present);
    CHECK(c->annotations_len == 2 && strcmp(c->annotations[0].key, "com.example.key1") == 0);
    CHECK(l->namespaces_len == 8 && l->namespaces[1].type == OCI_NS_NETWORK);
    CHECK(oci_namespace_clone_flag(l->namespaces[1].type) == CLONE_NEWNET);
    CHECK(l->uid_mappings_len == 1 && l->uid_mappings[0].host_id == 1000);
    CHECK(l->uid_mappings[0].size == 32000);
    CHECK(l->devices_len == 2 && l->devices[0].type == S_IFCHR && l->devices[0].type_char == 'c');
    CHECK(l->devices[1].type == S_IFBLK && l->devices[0].file_mode == 438);
    CHECK(l->rootfs_propagation_present && l->rootfs_propagation == MS_SLAVE);
    CHECK(l->sysctl_len == 2 && strcmp(l->sysctl[1].value, "256") == 0);
    CHECK(l->seccomp->default_action == OCI_SECCOMP_ACT_ALLOW);
    CHECK(l->seccomp->architectures_len == 2);
    CHECK(l->seccomp->architectures[1] == OCI_SECCOMP_ARCH_X32);
    CHECK(l->seccomp->syscalls[0].action == OCI_SECCOMP_ACT_ERRNO);
    CHECK(!l->seccomp->syscalls[0].errno_ret_present);
    CHECK(l->resources->memory->kernel == -1 && l->resources->memory->limit == 536870912);
    CHECK(l->resources->hugepage_limits[0].limit == 9223372036854772000u);
    CHECK(l->resources->devices[0].type == 'a' && l->resources->devices[1].type == 'c');
    CHECK(!l->resources->devices[0].major_present && l->resources->devices[1].major == 10);
    CHECK(l->resources->block_io->weight_device[1].weight == 500);
    CHECK(!l->resources->block_io->weight_device[1].leaf_weight_present);
    CHECK(l->time_offsets->boottime->secs == 604800 && l->time_offsets->monotonic != NULL);
    CHECK(l->masked_paths_len == 4 && l->readonly_paths[6] == NULL);
#undef CHECK
    oci_config_free(c);
    return r;
}

/* Every field of the spec at once, all valid: accepted, values in place. */
static enum unit_result test_full_config(struct unit *u)
{
    size_t len;
    bw_err_t err = NULL;
    char *data = read_file(BURROW_UNIT_DATA_DIR "/full-config.json", &len);

    if (data == NULL)
        return unit_fail(u, "cannot read full-config.json");
    struct oci_config *c = oci_config_parse(data, len, "full-config.json", &err);
    free(data);
    if (c == NULL || oci_config_validate_for_create(c, "full-config.json", &err) < 0) {
        enum unit_result r = unit_fail(u, "%s", err->msg);
        bw_error_free(&err);
        oci_config_free(c);
        return r;
    }
    const struct oci_process *p = c->process;
    const struct oci_linux *l = c->linux;
    const struct oci_seccomp *s = l->seccomp;
    enum unit_result r = UNIT_PASS;
#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (r == UNIT_PASS && !(cond))                                                             \
            r = unit_fail(u, "line %d: %s", __LINE__, #cond);                                      \
    } while (0)
    CHECK(p->console_size->width == 80 && p->user->additional_gids[2] == 4294967294u);
    CHECK(p->rlimits[1].hard == UINT64_MAX && p->oom_score_adj_present && p->oom_score_adj == -500);
    CHECK(p->io_priority->class == OCI_IOPRIO_CLASS_BE && p->io_priority->priority == 4);
    CHECK(p->scheduler->policy == OCI_SCHED_DEADLINE && p->scheduler->period == 30000000);
    CHECK(p->scheduler->flags == (OCI_SCHED_FLAG_RESET_ON_FORK | OCI_SCHED_FLAG_DL_OVERRUN));
    CHECK(strcmp(p->exec_cpu_affinity->final, "0-3,7") == 0);
    CHECK(c->mounts[1].uid_mappings_len == 1 && c->mounts[1].gid_mappings[0].size == 65536);
    CHECK(c->hooks->start_container_len == 1 && c->hooks->poststop[0].timeout == 1);
    CHECK(l->time_offsets->monotonic->secs == -10 && !l->time_offsets->boottime->nanosecs_present);
    CHECK(l->devices[1].type == S_IFCHR && l->devices[1].type_char == 'u');
    CHECK(l->devices[2].type == S_IFIFO && !l->devices[2].major_present);
    CHECK(l->net_devices_len == 2 && strcmp(l->net_devices[0].host_name, "eth0") == 0);
    CHECK(strcmp(l->net_devices[0].name, "ctr0") == 0 && l->net_devices[1].name == NULL);
    CHECK(l->rootfs_propagation == MS_PRIVATE);
    CHECK(l->resources->memory->check_before_update && l->resources->cpu->idle == 1);
    CHECK(l->resources->block_io->throttle_write_iops_device[0].rate == 60);
    CHECK(l->resources->hugepage_limits[0].limit == UINT64_MAX);
    CHECK(l->resources->pids->limit == -1 && l->resources->rdma[0].hca_handles == 3);
    CHECK(!l->resources->rdma[0].hca_objects_present);
    CHECK(strcmp(l->resources->unified[1].key, "io.max") == 0);
    CHECK(l->intel_rdt->enable_monitoring && strcmp(l->intel_rdt->clos_id, "guaranteed") == 0);
    CHECK(s->default_errno_ret_present && s->default_errno_ret == 38);
    CHECK(s->flags == (OCI_SECCOMP_FLAG_LOG | OCI_SECCOMP_FLAG_SPEC_ALLOW));
    CHECK(s->architectures[0] == OCI_SECCOMP_ARCH_X86_64 && s->syscalls_len == 4);
    CHECK(s->syscalls[2].args[1].value == UINT64_MAX && s->syscalls[2].args[1].value_two == 8);
    CHECK(s->syscalls[2].args[1].op == OCI_SECCOMP_CMP_MASKED_EQ);
    CHECK(s->syscalls[3].errno_ret == 1 && s->syscalls[1].action == OCI_SECCOMP_ACT_NOTIFY);
    CHECK(l->personality->domain == PER_LINUX32);
    CHECK(l->memory_policy->mode == OCI_MPOL_INTERLEAVE);
    CHECK(l->memory_policy->flags == OCI_MPOL_F_STATIC_NODES);
#undef CHECK
    oci_config_free(c);
    return r;
}

/* Bytes after a NUL, or a NUL inside the text: json-c stops there. */
static enum unit_result test_raw_nul_bytes(struct unit *u)
{
    static const struct {
        const char *data;
        size_t len;
        const char *want;
    } t[] = {
        {"{\"ociVersion\":\"1.0\0.0\"}", 23,
         "config.json: syntax error at line 1, column 19: unexpected NUL character"},
        {"{\"ociVersion\":\"1.0.0\"}\0x", 24,
         "config.json: syntax error at line 1, column 23: unexpected data after the JSON value"},
    };

    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        bw_err_t err = NULL;
        struct oci_config *c = oci_config_parse(t[i].data, t[i].len, "config.json", &err);
        enum unit_result r = UNIT_PASS;
        if (c != NULL)
            r = unit_fail(u, "input %zu accepted", i);
        else if (strcmp(err->msg, t[i].want) != 0)
            r = unit_fail(u, "input %zu: got \"%s\", want \"%s\"", i, err->msg, t[i].want);
        oci_config_free(c);
        bw_error_free(&err);
        if (r != UNIT_PASS)
            return r;
    }
    return UNIT_PASS;
}

static enum unit_result test_absent_vs_empty(struct unit *u)
{
    const char *json = "{\"ociVersion\":\"1.0.0\",\"process\":{\"cwd\":\"/\",\"args\":[\"x\"],"
                       "\"env\":[],\"capabilities\":{\"bounding\":[]}},"
                       "\"linux\":{\"maskedPaths\":[],\"namespaces\":[]}}";
    bw_err_t err = NULL;
    struct oci_config *c = oci_config_parse(json, strlen(json), "config.json", &err);

    if (c == NULL) {
        enum unit_result r = unit_fail(u, "%s", err->msg);
        bw_error_free(&err);
        return r;
    }
    enum unit_result r = UNIT_PASS;
    if (c->process->env == NULL || c->process->env_len != 0 || c->process->env[0] != NULL)
        r = unit_fail(u, "empty env should be a non-NULL empty vector");
    else if (c->process->capabilities->effective != NULL)
        r = unit_fail(u, "absent capability set should be NULL");
    else if (c->linux->masked_paths == NULL || c->linux->namespaces != NULL)
        r = unit_fail(u, "empty maskedPaths non-NULL, empty object array NULL");
    oci_config_free(c);
    return r;
}

static enum unit_result test_process_json(struct unit *u)
{
    const char *good = "{\"cwd\":\"/srv\",\"args\":[\"ls\",\"-l\"],\"env\":[\"A=1\"],"
                       "\"user\":{\"uid\":1000,\"gid\":1000,\"umask\":18}}";
    const char *bad = "{\"args\":[\"ls\"]}";
    const char *empty = "{\"cwd\":\"/\",\"args\":[]}";
    bw_err_t err = NULL;
    struct oci_process *p = oci_process_parse(good, strlen(good), "process.json", &err);

    UNIT_ASSERT(u, p != NULL);
    UNIT_ASSERT(u, p->args_len == 2 && strcmp(p->args[1], "-l") == 0 && p->args[2] == NULL);
    UNIT_ASSERT(u, p->user->umask_present && p->user->umask == 022);
    UNIT_ASSERT(u, oci_process_validate(p, "process.json", &err) == 0);
    oci_process_free(p);

    UNIT_ASSERT(u, oci_process_parse(bad, strlen(bad), "process.json", &err) == NULL);
    char *msg = bw_error_text(err);
    bw_error_free(&err);
    enum unit_result r = UNIT_PASS;
    if (strcmp(msg, "process.json: cwd: required") != 0)
        r = unit_fail(u, "got \"%s\"", msg);
    free(msg);
    if (r != UNIT_PASS)
        return r;

    p = oci_process_parse(empty, strlen(empty), "process.json", &err);
    UNIT_ASSERT(u, p != NULL);
    UNIT_ASSERT(u, oci_process_validate(p, "process.json", &err) < 0);
    oci_process_free(p);
    msg = bw_error_text(err);
    bw_error_free(&err);
    if (strcmp(msg, "process.json: args: must not be empty") != 0)
        r = unit_fail(u, "got \"%s\"", msg);
    free(msg);
    return r;
}

static enum unit_result test_enum_helpers(struct unit *u)
{
    size_t n;
    struct oci_hooks h = {.poststop_len = 3};

    UNIT_ASSERT(u, oci_namespace_clone_flag(OCI_NS_USER) == CLONE_NEWUSER);
    UNIT_ASSERT(u, oci_namespace_clone_flag(OCI_NS_MOUNT) == CLONE_NEWNS);
    UNIT_ASSERT(u, oci_namespace_clone_flag(OCI_NS_TIME) == 0x80);
    UNIT_ASSERT_STR_EQ(u, oci_namespace_type_name(OCI_NS_CGROUP), "cgroup");
    UNIT_ASSERT_STR_EQ(u, oci_rlimit_name(RLIMIT_RTTIME), "RLIMIT_RTTIME");
    UNIT_ASSERT(u, oci_rlimit_from_name("RLIMIT_AS") == RLIMIT_AS);
    UNIT_ASSERT(u, oci_rlimit_from_name("RLIMIT_NOPE") == -1);
    UNIT_ASSERT_STR_EQ(u, oci_seccomp_action_name(OCI_SECCOMP_ACT_KILL_PROCESS),
                       "SCMP_ACT_KILL_PROCESS");
    UNIT_ASSERT_STR_EQ(u, oci_seccomp_arch_name(OCI_SECCOMP_ARCH_RISCV64), "SCMP_ARCH_RISCV64");
    UNIT_ASSERT_STR_EQ(u, oci_seccomp_op_name(OCI_SECCOMP_CMP_MASKED_EQ), "SCMP_CMP_MASKED_EQ");
    UNIT_ASSERT_STR_EQ(u, oci_hook_kind_name(OCI_HOOK_CREATE_CONTAINER), "createContainer");
    oci_hooks_get(&h, OCI_HOOK_POSTSTOP, &n);
    UNIT_ASSERT(u, n == 3);
    UNIT_ASSERT(u, oci_hooks_get(NULL, OCI_HOOK_PRESTART, &n) == NULL && n == 0);
    return UNIT_PASS;
}

/* `burrow spec` output parses and validates, default and rootless. */
static struct oci_config *generate_and_parse(struct unit *u, bool rootless, enum unit_result *r)
{
    static const struct oci_id_mapping uids[] = {{0, 1234, 1}, {1, 200000, 65536}};
    static const struct oci_id_mapping gids[] = {{0, 5678, 1}};
    struct oci_spec_options o = {.rootless = rootless,
                                 .uid_maps = uids,
                                 .uid_maps_len = 2,
                                 .gid_maps = gids,
                                 .gid_maps_len = 1};
    bw_err_t err = NULL;
    char *text = oci_spec_generate(&o, &err);
    struct oci_config *c = NULL;

    *r = UNIT_PASS;
    if (text != NULL)
        c = oci_config_parse(text, strlen(text), "config.json", &err);
    if (c != NULL && oci_config_validate_for_create(c, "config.json", &err) < 0) {
        oci_config_free(c);
        c = NULL;
    }
    if (c == NULL)
        *r = unit_fail(u, "%s", err != NULL ? err->msg : "?");
    else if (strstr(text, "\\/") != NULL || text[strlen(text) - 1] != '\n')
        *r = unit_fail(u, "output escapes slashes or lacks the final newline");
    bw_error_free(&err);
    free(text);
    return c;
}

static enum unit_result test_spec_generate_default(struct unit *u)
{
    enum unit_result r;
    struct oci_config *c = generate_and_parse(u, false, &r);

    if (c == NULL)
        return r;
    if (strcmp(c->oci_version, "1.3.0") != 0 || c->process->terminal ||
        strcmp(c->hostname, "burrow") != 0 || !c->root->readonly ||
        oci_linux_find_namespace(c->linux, OCI_NS_NETWORK) == NULL ||
        oci_linux_find_namespace(c->linux, OCI_NS_USER) != NULL || c->mounts_len != 7 ||
        c->linux->masked_paths_len != 11 || c->linux->readonly_paths_len != 5 ||
        c->process->capabilities->inheritable_len != 0 || c->process->rlimits[0].soft != 1024)
        r = unit_fail(u, "unexpected template content");
    oci_config_free(c);
    return r;
}

static enum unit_result test_spec_generate_rootless(struct unit *u)
{
    enum unit_result r;
    struct oci_config *c = generate_and_parse(u, true, &r);

    if (c == NULL)
        return r;
    const struct oci_linux *l = c->linux;
    if (oci_linux_find_namespace(l, OCI_NS_USER) == NULL ||
        oci_linux_find_namespace(l, OCI_NS_NETWORK) != NULL ||
        oci_linux_find_namespace(l, OCI_NS_CGROUP) == NULL)
        r = unit_fail(u, "namespaces: want user and cgroup, no network");
    else if (l->uid_mappings_len != 2 || l->uid_mappings[0].host_id != 1234 ||
             l->uid_mappings[0].container_id != 0 || l->uid_mappings[0].size != 1 ||
             l->uid_mappings[1].container_id != 1 || l->uid_mappings[1].host_id != 200000 ||
             l->uid_mappings[1].size != 65536 || l->gid_mappings_len != 1 ||
             l->gid_mappings[0].host_id != 5678)
        r = unit_fail(u, "id mappings");
    for (size_t i = 0; r == UNIT_PASS && i < c->mounts_len; i++) {
        const struct oci_mount *m = &c->mounts[i];
        for (size_t j = 0; j < m->options_len; j++)
            if (strncmp(m->options[j], "gid=", 4) == 0 || strncmp(m->options[j], "uid=", 4) == 0)
                r = unit_fail(u, "mounts[%zu] keeps %s", i, m->options[j]);
        if (strcmp(m->destination, "/sys") == 0 &&
            (strcmp(m->type, "none") != 0 || strcmp(m->source, "/sys") != 0 ||
             m->options_len != 5 || strcmp(m->options[0], "rbind") != 0 ||
             strcmp(m->options[4], "ro") != 0))
            r = unit_fail(u, "/sys is not a read-only rbind");
    }
    oci_config_free(c);
    return r;
}

static enum unit_result test_spec_write(struct unit *u)
{
    char dir[] = "/tmp/burrow-test-spec-XXXXXX", path[64];
    struct oci_spec_options o = {0};
    bw_err_t err = NULL;
    struct stat st;
    enum unit_result r = UNIT_PASS;

    if (mkdtemp(dir) == NULL)
        return unit_skip(u, "mkdtemp failed");
    snprintf(path, sizeof(path), "%s/config.json", dir);
    if (oci_spec_write(dir, &o, &err) < 0) {
        r = unit_fail(u, "first write: %s", err->msg);
    } else if (stat(path, &st) < 0 || (st.st_mode & 07777) != 0644) {
        r = unit_fail(u, "config.json missing or mode %o", (unsigned)(st.st_mode & 07777));
    } else if (oci_spec_write(dir, &o, &err) == 0) {
        r = unit_fail(u, "second write overwrote config.json");
    } else {
        char want[160];
        snprintf(want, sizeof(want), "config.json already exists in `%s`: not overwriting it", dir);
        if (strcmp(err->msg, want) != 0)
            r = unit_fail(u, "got \"%s\", want \"%s\"", err->msg, want);
    }
    bw_error_free(&err);
    /* Nothing but config.json is left behind. */
    DIR *d = opendir(dir);
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (strcmp(e->d_name, "config.json") != 0 && r == UNIT_PASS)
            r = unit_fail(u, "left behind %s", e->d_name);
        unlinkat(dirfd(d), e->d_name, 0);
    }
    if (d != NULL)
        closedir(d);
    rmdir(dir);
    if (r == UNIT_PASS && oci_spec_write("/nonexistent/burrow", &o, &err) == 0)
        r = unit_fail(u, "wrote into a missing directory");
    bw_error_free(&err);
    return r;
}

static const struct unit_test tests[] = {
    UNIT_TEST(schema_good_minimal),
    UNIT_TEST(schema_good_minimal_for_start),
    UNIT_TEST(schema_good_linux_netdevice),
    UNIT_TEST(schema_good_linux_rdma),
    UNIT_TEST(schema_good_spec_example),
    UNIT_TEST(schema_bad_invalid_json),
    UNIT_TEST(schema_bad_linux_hugepage),
    UNIT_TEST(schema_bad_linux_netdevice),
    UNIT_TEST(schema_bad_linux_rdma),
    UNIT_TEST(schema_examples_all_covered),
    UNIT_TEST(parse_values),
    UNIT_TEST(full_config),
    UNIT_TEST(raw_nul_bytes),
    UNIT_TEST(absent_vs_empty),
    UNIT_TEST(process_json),
    UNIT_TEST(enum_helpers),
    UNIT_TEST(spec_generate_default),
    UNIT_TEST(spec_generate_rootless),
    UNIT_TEST(spec_write),
};

int main(int argc, char **argv)
{
    int status = unit_main(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);

    if (run_spec_cases(argc, argv) > 0)
        status = 1;
    return status;
}
