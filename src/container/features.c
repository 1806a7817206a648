/* burrow features: what this build recognizes and applies.
 *
 * Most of it is not written down a second time but asked of the code that
 * decides: a hook kind, seccomp, AppArmor, SELinux, Intel RDT or netDevices
 * is listed when bw_config_check_supported accepts a small config that uses
 * it (so the output follows support.c as features land), a mount option when
 * the mount code takes it as a flag rather than filesystem data, namespaces
 * and seccomp names from the parser's tables, capabilities from libcap.
 *
 * The spec says the structure describes the runtime, not the host; AppArmor
 * and SELinux are the exception here: they are reported enabled only when
 * burrow supports them AND the host runs that LSM, since a profile or label
 * on a host without it can only fail.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container/features.h"
#include "container/support.h"
#include "linux/mounts.h"
#include "linux/seccomp-filter.h"
#include "spec/config.h"
#include "spec/features.h"
#include "util/cleanup.h"
#include "util/log.h"

/* Idmapped mounts: burrow attempts them (linux/idmount.c; the spec asks
 * whether the runtime does, not whether this kernel or user can). */
#define BW_FEATURE_IDMAP_MOUNTS true

/* The mount options of the spec's list; each is reported when the mount
 * code recognizes it. */
static const char *const mount_option_candidates[] = {
    "acl",          "async",       "atime",          "bind",
    "defaults",     "dev",         "diratime",       "dirsync",
    "exec",         "iversion",    "lazytime",       "loud",
    "mand",         "noacl",       "noatime",        "nodev",
    "nodiratime",   "noexec",      "noiversion",     "nolazytime",
    "nomand",       "norelatime",  "nostrictatime",  "nosuid",
    "nosymfollow",  "private",     "ratime",         "rbind",
    "rdev",         "rdiratime",   "relatime",       "remount",
    "rexec",        "rnoatime",    "rnodev",         "rnodiratime",
    "rnoexec",      "rnorelatime", "rnostrictatime", "rnosuid",
    "rnosymfollow", "ro",          "rprivate",       "rrelatime",
    "rro",          "rrw",         "rshared",        "rslave",
    "rstrictatime", "rsuid",       "rsymfollow",     "runbindable",
    "rw",           "shared",      "silent",         "slave",
    "strictatime",  "suid",        "symfollow",      "sync",
    "tmpcopyup",    "unbindable",
};

static const struct {
    const char *name;
    unsigned int bit;
} seccomp_flag_candidates[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", OCI_SECCOMP_FLAG_TSYNC},
    {"SECCOMP_FILTER_FLAG_LOG", OCI_SECCOMP_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", OCI_SECCOMP_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", OCI_SECCOMP_FLAG_WAIT_KILLABLE_RECV},
};

/* Whether create would accept a config made of `json` (parsed, validated,
 * and passed through bw_config_check_supported). */
static bool config_accepted(const char *json)
{
    bw_err_t e = NULL;
    struct oci_config *c = oci_config_parse(json, strlen(json), "features", &e);
    bool ok = c != NULL && oci_config_validate(c, "features", &e) == 0 &&
              bw_config_check_supported(c, &e) == 0;
    if (!ok)
        bw_debug("features: %s: %s", json, e ? e->msg : "?");
    bw_error_free(&e);
    oci_config_free(c);
    return ok;
}

static bool process_field_accepted(const char *field_json)
{
    char buf[512];
    snprintf(buf, sizeof(buf),
             "{\"ociVersion\": \"1.0.0\", \"process\": {\"cwd\": \"/\", \"args\": [\"x\"], %s}}",
             field_json);
    return config_accepted(buf);
}

static bool linux_field_accepted(const char *field_json)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "{\"ociVersion\": \"1.0.0\", \"linux\": {%s}}", field_json);
    return config_accepted(buf);
}

static bool mount_option_known(const char *name)
{
    struct bw_mount_opts o;
    bw_err_t e = NULL;
    char *const opts[] = {(char *)name};
    bool known = bw_mount_opts_parse(opts, 1, &o, &e) == 0 && !o.idmap &&
                 (o.data == NULL || o.data[0] == '\0');
    bw_error_free(&e);
    bw_mount_opts_free(&o);
    return known;
}

/* "SCMP_ARCH_X86_64" -> libseccomp's "x86_64"; known to this libseccomp? */
static bool seccomp_arch_known(const char *name)
{
    char lower[32];
    const char *s = name + strlen("SCMP_ARCH_");
    size_t i = 0;
    for (; s[i] != '\0' && i < sizeof(lower) - 1; i++)
        lower[i] = (char)tolower((unsigned char)s[i]);
    lower[i] = '\0';
    return seccomp_arch_resolve_name(lower) != 0;
}

static bool path_exists(const char *p)
{
    return access(p, F_OK) == 0;
}

static bool host_has_apparmor(void)
{
    char buf[4] = "";
    FILE *f = fopen("/sys/module/apparmor/parameters/enabled", "re");
    if (f == NULL)
        return false;
    bool on = fgets(buf, sizeof(buf), f) != NULL && buf[0] == 'Y';
    fclose(f);
    return on;
}

static int add(struct bw_names *l, const char *name, bw_err_t *err)
{
    if (bw_names_add(l, name) < 0)
        return bw_error_set(err, ENOMEM, "list the features");
    return 0;
}

static int collect_names(struct bw_features *f, char **caps, bw_err_t *err)
{
    for (int k = 0; k < OCI_HOOK__COUNT; k++) {
        const char *kind = oci_hook_kind_name((enum oci_hook_kind)k);
        char buf[128];
        snprintf(buf, sizeof(buf),
                 "{\"ociVersion\": \"1.0.0\", \"hooks\": {\"%s\": [{\"path\": \"/bin/true\"}]}}",
                 kind);
        if (config_accepted(buf) && add(&f->hooks, kind, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof(mount_option_candidates) / sizeof(char *); i++) {
        if (mount_option_known(mount_option_candidates[i]) &&
            add(&f->mount_options, mount_option_candidates[i], err) < 0)
            return -1;
    }
    for (int t = 0; t < OCI_NS__COUNT; t++) {
        if (add(&f->namespaces, oci_namespace_type_name((enum oci_namespace_type)t), err) < 0)
            return -1;
    }
    /* Every name libcap knows (process.c accepts them all, and warns about
     * one this kernel lacks); an unnamed bit comes back as a number. */
    for (int v = 0, n = 0; v < 64; v++) {
        char *name = cap_to_name(v);
        if (name == NULL)
            continue;
        if (strncmp(name, "cap_", 4) == 0) {
            for (char *p = name; *p; p++)
                *p = (char)toupper((unsigned char)*p);
            caps[n++] = name;
            if (add(&f->capabilities, name, err) < 0)
                return -1;
        } else {
            cap_free(name);
        }
    }
    for (int a = 0; a < OCI_SECCOMP_ACT__COUNT; a++) {
        if (add(&f->seccomp_actions, oci_seccomp_action_name((enum oci_seccomp_action)a), err) < 0)
            return -1;
    }
    for (int op = OCI_SECCOMP_CMP_NE; op <= OCI_SECCOMP_CMP_MASKED_EQ; op++) {
        if (add(&f->seccomp_operators, oci_seccomp_op_name((enum oci_seccomp_op)op), err) < 0)
            return -1;
    }
    for (int a = 0; a < OCI_SECCOMP_ARCH__COUNT; a++) {
        const char *name = oci_seccomp_arch_name((enum oci_seccomp_arch)a);
        if (seccomp_arch_known(name) && add(&f->seccomp_archs, name, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof(seccomp_flag_candidates) / sizeof(seccomp_flag_candidates[0]);
         i++) {
        const char *flag = seccomp_flag_candidates[i].name;
        char buf[256];
        snprintf(buf, sizeof(buf),
                 "\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"%s\"]}", flag);
        /* Known to the parser, whether or not seccomp is applied yet. */
        char doc[320];
        snprintf(doc, sizeof(doc), "{\"ociVersion\": \"1.0.0\", \"linux\": {%s}}", buf);
        bw_err_t e = NULL;
        struct oci_config *c = oci_config_parse(doc, strlen(doc), "features", &e);
        bw_error_free(&e);
        bool known = c != NULL;
        oci_config_free(c);
        if (known && add(&f->seccomp_known_flags, flag, err) < 0)
            return -1;
        /* Supported: seccomp applied at all, and this kernel has the flag. */
        if (known && f->seccomp_enabled &&
            bw_seccomp_flag_supported(seccomp_flag_candidates[i].bit) &&
            add(&f->seccomp_supported_flags, flag, err) < 0)
            return -1;
    }
    return 0;
}

int bw_features_print(FILE *out, bw_err_t *err)
{
    struct bw_features f = {
        .oci_version_min = "1.0.0",
        .oci_version_max = OCI_RUNTIME_SPEC_VERSION,
        /* cgroup v2 through the cgroupfs manager (cgroup/cgroup.h), rdma.max
         * among its files, and through systemd's system and user managers
         * when built with sd-bus (cgroup/systemd.c); no v1. */
        .cgroup_v1 = false,
        .cgroup_v2 = true,
#ifdef HAVE_SD_BUS
        .cgroup_systemd = true,
        .cgroup_systemd_user = true,
#else
        .cgroup_systemd = false,
        .cgroup_systemd_user = false,
#endif
        .cgroup_rdma = true,
        .seccomp_enabled =
            linux_field_accepted("\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}"),
        .apparmor =
            process_field_accepted("\"apparmorProfile\": \"burrow-probe\"") && host_has_apparmor(),
        .selinux =
            process_field_accepted("\"selinuxLabel\": \"system_u:system_r:container_t:s0\"") &&
            path_exists("/sys/fs/selinux/enforce"),
        .intel_rdt = linux_field_accepted("\"intelRdt\": {\"closID\": \"burrow\"}"),
        .idmap_mounts = BW_FEATURE_IDMAP_MOUNTS,
        .net_devices = linux_field_accepted("\"netDevices\": {\"eth9\": {}}"),
    };
    const struct scmp_version *sv = seccomp_version();
    char seccomp_v[32];
    snprintf(seccomp_v, sizeof(seccomp_v), "%u.%u.%u", sv->major, sv->minor, sv->micro);
    const char *annotations[] = {
        "io.github.seccomp.libseccomp.version",
        seccomp_v,
        "org.burrow.version",
        PACKAGE_VERSION,
        "org.burrow.features",
        BURROW_FEATURES,
        "org.burrow.cgroups.strictAnnotation",
        BW_CGROUP_STRICT_ANNOTATION,
        NULL,
    };
    f.annotations = annotations;
    char *caps[64] = {0};
    int r = collect_names(&f, caps, err);
    cleanup_free char *json = r == 0 ? bw_features_to_json(&f, err) : NULL;
    if (json != NULL)
        fprintf(out, "%s\n", json);
    for (int i = 0; i < 64; i++)
        cap_free(caps[i]);
    bw_names_free(&f.hooks);
    bw_names_free(&f.mount_options);
    bw_names_free(&f.namespaces);
    bw_names_free(&f.capabilities);
    bw_names_free(&f.seccomp_actions);
    bw_names_free(&f.seccomp_operators);
    bw_names_free(&f.seccomp_archs);
    bw_names_free(&f.seccomp_known_flags);
    bw_names_free(&f.seccomp_supported_flags);
    return json != NULL ? 0 : -1;
}
