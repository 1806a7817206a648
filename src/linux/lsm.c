/* burrow: AppArmor profile, SELinux process and mount labels (see lsm.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "linux/lsm.h"
#include "util/cleanup.h"
#include "util/fs.h"

#define BW_PROC_SUPER_MAGIC  0x9fa0
#define BW_SELINUX_MAGIC     0xf97cff8c
#define BW_APPARMOR_ENABLED  "/sys/module/apparmor/parameters/enabled"
#define BW_SELINUXFS         "/sys/fs/selinux"
#define BW_APPARMOR_EXEC     "/proc/thread-self/attr/apparmor/exec"
#define BW_APPARMOR_EXEC_OLD "/proc/thread-self/attr/exec"
#define BW_SELINUX_EXEC      "/proc/thread-self/attr/exec"

static bool is_set(const char *s)
{
    return s != NULL && s[0] != '\0';
}

static char first_char(const char *path)
{
    bw_err_t e = NULL;
    cleanup_free char *s = bw_read_file(path, 64, NULL, &e);
    bw_error_free(&e);
    return s != NULL ? s[0] : '\0';
}

static bool apparmor_enabled(void)
{
    return first_char(BW_APPARMOR_ENABLED) == 'Y';
}

/* selinuxfs mounted, in enforcing or permissive mode. */
static bool selinux_enabled(void)
{
    struct statfs sf;
    if (statfs(BW_SELINUXFS, &sf) < 0 || (unsigned long)sf.f_type != BW_SELINUX_MAGIC)
        return false;
    char c = first_char(BW_SELINUXFS "/enforce");
    return c == '0' || c == '1';
}

static int selinux_missing(const char *field, bw_err_t *err)
{
    return bw_error_set(err, ENOTSUP,
                        "%s: SELinux is not enabled on this host (no selinuxfs at `%s`): "
                        "remove the field, or run on a host with SELinux",
                        field, BW_SELINUXFS);
}

int bw_lsm_prepare(const struct oci_process *p, const struct oci_linux *lx, bw_err_t *err)
{
    if (p != NULL && is_set(p->apparmor_profile) && !apparmor_enabled())
        return bw_error_set(err, ENOTSUP,
                            "process.apparmorProfile: AppArmor is not enabled on this host (`%s` "
                            "is not \"Y\"): remove the field, or run on a host with AppArmor",
                            BW_APPARMOR_ENABLED);
    if (p != NULL && is_set(p->selinux_label) && !selinux_enabled())
        return selinux_missing("process.selinuxLabel", err);
    if (lx != NULL && is_set(lx->mount_label)) {
        if (!selinux_enabled())
            return selinux_missing("linux.mountLabel", err);
        /* It goes into a mount option as context="LABEL". */
        if (strchr(lx->mount_label, '"') != NULL)
            return bw_error_set(err, EINVAL, "linux.mountLabel: must not contain a '\"'");
    }
    return 0;
}

/* Write `data` to a /proc attr file of our own thread, after checking it
 * is on a real procfs (the container's /proc, mounted by us). */
static int write_attr(const char *path, const char *fallback, const char *data, const char *field,
                      bw_err_t *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && fallback != NULL) {
        path = fallback;
        fd = open(path, O_WRONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return bw_error_errno(err, "%s: open `%s` (is /proc mounted in the container?)", field,
                              path);
    cleanup_close int cfd = fd;
    struct statfs sf;
    if (fstatfs(fd, &sf) < 0 || sf.f_type != BW_PROC_SUPER_MAGIC)
        return bw_error_set(err, EINVAL, "%s: `%s` is not on a proc filesystem", field, path);
    size_t len = strlen(data);
    ssize_t n = write(fd, data, len);
    if (n < 0)
        return bw_error_errno(err, "%s: write \"%s\" to `%s`", field, data, path);
    if ((size_t)n != len)
        return bw_error_set(err, EIO, "%s: short write to `%s`", field, path);
    return 0;
}

int bw_lsm_apply_exec(const struct oci_process *p, bw_err_t *err)
{
    if (is_set(p->apparmor_profile)) {
        cleanup_free char *cmd = NULL;
        if (asprintf(&cmd, "exec %s", p->apparmor_profile) < 0)
            return bw_error_set(err, ENOMEM, "process.apparmorProfile");
        /* Kernels with stacked LSMs have a directory per LSM; older ones
         * only the shared file. */
        if (write_attr(BW_APPARMOR_EXEC, BW_APPARMOR_EXEC_OLD, cmd, "process.apparmorProfile",
                       err) < 0)
            return -1;
    }
    if (is_set(p->selinux_label) &&
        write_attr(BW_SELINUX_EXEC, NULL, p->selinux_label, "process.selinuxLabel", err) < 0)
        return -1;
    return 0;
}

int bw_lsm_mount_data(const struct oci_linux *lx, const char *type, const char *data, char **out,
                      bw_err_t *err)
{
    *out = NULL;
    if (lx == NULL || !is_set(lx->mount_label) || type == NULL)
        return 0;
    /* These get their labels from the policy, and refuse context=. */
    static const char *const unlabeled[] = {"proc", "sysfs", "cgroup", "cgroup2", "bind"};
    for (size_t i = 0; i < sizeof(unlabeled) / sizeof(unlabeled[0]); i++)
        if (strcmp(type, unlabeled[i]) == 0)
            return 0;
    bool more = data != NULL && data[0] != '\0';
    if (asprintf(out, "%s%scontext=\"%s\"", more ? data : "", more ? "," : "", lx->mount_label) <
        0) {
        *out = NULL;
        return bw_error_set(err, ENOMEM, "linux.mountLabel");
    }
    return 0;
}
