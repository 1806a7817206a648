#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/lsm.h"
#include "linux/devices.h"
#include "linux/mounts.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000
#endif

/* ------------------------------------------------------------------------
 * Options
 */

enum opt_kind { OPT_FLAG, OPT_CLEAR, OPT_PROPAGATION, OPT_REC_SET, OPT_REC_CLR, OPT_IGNORE };

struct opt_def {
    const char *name;
    enum opt_kind kind;
    unsigned long value; /* MS_* or MOUNT_ATTR_* */
};

static const struct opt_def opt_defs[] = {
    {"defaults", OPT_IGNORE, 0},
    {"ro", OPT_FLAG, MS_RDONLY},
    {"rw", OPT_CLEAR, MS_RDONLY},
    {"nosuid", OPT_FLAG, MS_NOSUID},
    {"suid", OPT_CLEAR, MS_NOSUID},
    {"nodev", OPT_FLAG, MS_NODEV},
    {"dev", OPT_CLEAR, MS_NODEV},
    {"noexec", OPT_FLAG, MS_NOEXEC},
    {"exec", OPT_CLEAR, MS_NOEXEC},
    {"sync", OPT_FLAG, MS_SYNCHRONOUS},
    {"async", OPT_CLEAR, MS_SYNCHRONOUS},
    {"dirsync", OPT_FLAG, MS_DIRSYNC},
    {"remount", OPT_FLAG, MS_REMOUNT},
    {"mand", OPT_FLAG, MS_MANDLOCK},
    {"nomand", OPT_CLEAR, MS_MANDLOCK},
    {"atime", OPT_CLEAR, MS_NOATIME},
    {"noatime", OPT_FLAG, MS_NOATIME},
    {"diratime", OPT_CLEAR, MS_NODIRATIME},
    {"nodiratime", OPT_FLAG, MS_NODIRATIME},
    {"relatime", OPT_FLAG, MS_RELATIME},
    {"norelatime", OPT_CLEAR, MS_RELATIME},
    {"strictatime", OPT_FLAG, MS_STRICTATIME},
    {"nostrictatime", OPT_CLEAR, MS_STRICTATIME},
    {"lazytime", OPT_FLAG, MS_LAZYTIME},
    {"nolazytime", OPT_CLEAR, MS_LAZYTIME},
    {"silent", OPT_FLAG, MS_SILENT},
    {"loud", OPT_CLEAR, MS_SILENT},
    {"iversion", OPT_FLAG, MS_I_VERSION},
    {"noiversion", OPT_CLEAR, MS_I_VERSION},
    {"nosymfollow", OPT_FLAG, MS_NOSYMFOLLOW},
    {"symfollow", OPT_CLEAR, MS_NOSYMFOLLOW},
    {"bind", OPT_FLAG, MS_BIND},
    {"rbind", OPT_FLAG, MS_BIND | MS_REC},
    {"private", OPT_PROPAGATION, MS_PRIVATE},
    {"rprivate", OPT_PROPAGATION, MS_PRIVATE | MS_REC},
    {"shared", OPT_PROPAGATION, MS_SHARED},
    {"rshared", OPT_PROPAGATION, MS_SHARED | MS_REC},
    {"slave", OPT_PROPAGATION, MS_SLAVE},
    {"rslave", OPT_PROPAGATION, MS_SLAVE | MS_REC},
    {"unbindable", OPT_PROPAGATION, MS_UNBINDABLE},
    {"runbindable", OPT_PROPAGATION, MS_UNBINDABLE | MS_REC},
    /* Recursive variants (mount_setattr with AT_RECURSIVE). */
    {"rro", OPT_REC_SET, MOUNT_ATTR_RDONLY},
    {"rrw", OPT_REC_CLR, MOUNT_ATTR_RDONLY},
    {"rnosuid", OPT_REC_SET, MOUNT_ATTR_NOSUID},
    {"rsuid", OPT_REC_CLR, MOUNT_ATTR_NOSUID},
    {"rnodev", OPT_REC_SET, MOUNT_ATTR_NODEV},
    {"rdev", OPT_REC_CLR, MOUNT_ATTR_NODEV},
    {"rnoexec", OPT_REC_SET, MOUNT_ATTR_NOEXEC},
    {"rexec", OPT_REC_CLR, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", OPT_REC_SET, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", OPT_REC_CLR, MOUNT_ATTR_NODIRATIME},
    {"rnosymfollow", OPT_REC_SET, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", OPT_REC_CLR, MOUNT_ATTR_NOSYMFOLLOW},
    /* crun's extension for tmpfs; burrow has no use for it. */
    {"tmpcopyup", OPT_IGNORE, 0},
};

void bw_mount_opts_free(struct bw_mount_opts *o)
{
    free(o->data);
    o->data = NULL;
}

int bw_mount_opts_parse(char *const *opts, size_t n, struct bw_mount_opts *o, bw_err_t *err)
{
    memset(o, 0, sizeof(*o));
    char *data = NULL;
    size_t data_len = 0;
    bool first = true;
    FILE *f = open_memstream(&data, &data_len);
    if (f == NULL)
        return bw_error_errno(err, "parse mount options");
    for (size_t i = 0; i < n; i++) {
        const char *name = opts[i];
        const struct opt_def *d = NULL;
        for (size_t j = 0; j < sizeof(opt_defs) / sizeof(opt_defs[0]); j++) {
            if (strcmp(opt_defs[j].name, name) == 0) {
                d = &opt_defs[j];
                break;
            }
        }
        if (d == NULL) {
            if (strcmp(name, "idmap") == 0 || strcmp(name, "ridmap") == 0) {
                o->idmap = true;
                o->idmap_rec = name[0] == 'r';
                continue;
            }
            /* Anything else belongs to the filesystem ("mode=755", "size=64k"). */
            fprintf(f, "%s%s", first ? "" : ",", name);
            first = false;
            continue;
        }
        switch (d->kind) {
        case OPT_FLAG:
            o->flags |= d->value;
            o->clear &= ~d->value;
            break;
        case OPT_CLEAR:
            o->clear |= d->value;
            o->flags &= ~d->value;
            break;
        case OPT_PROPAGATION:
            o->propagation = d->value;
            break;
        case OPT_REC_SET:
            o->rec_set |= d->value;
            o->rec_clr &= ~d->value;
            break;
        case OPT_REC_CLR:
            o->rec_clr |= d->value;
            o->rec_set &= ~d->value;
            break;
        case OPT_IGNORE:
            break;
        }
    }
    fclose(f);
    if (data != NULL && data[0] == '\0') {
        free(data);
        data = NULL;
    }
    o->data = data;
    return 0;
}

/* ------------------------------------------------------------------------
 * Mount primitives
 */

static int sys_open_tree(int dfd, const char *path, unsigned int flags)
{
    return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int sys_move_mount(int from, const char *from_path, int to, const char *to_path,
                          unsigned int flags)
{
    return (int)syscall(SYS_move_mount, from, from_path, to, to_path, flags);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned int flags, struct mount_attr *attr)
{
    return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

/* MS_* flags that change a mount's attributes, as mount_setattr's. */
static uint64_t ms_to_attr(unsigned long ms)
{
    uint64_t a = 0;
    if (ms & MS_RDONLY)
        a |= MOUNT_ATTR_RDONLY;
    if (ms & MS_NOSUID)
        a |= MOUNT_ATTR_NOSUID;
    if (ms & MS_NODEV)
        a |= MOUNT_ATTR_NODEV;
    if (ms & MS_NOEXEC)
        a |= MOUNT_ATTR_NOEXEC;
    if (ms & MS_NODIRATIME)
        a |= MOUNT_ATTR_NODIRATIME;
    if (ms & MS_NOSYMFOLLOW)
        a |= MOUNT_ATTR_NOSYMFOLLOW;
    return a;
}

/* The MS_* flags a mount has now (statvfs), to keep what a user namespace
 * locked and to change only what was asked. */
static unsigned long current_ms_flags(int fd)
{
    struct statvfs sv;
    if (fstatvfs(fd, &sv) < 0)
        return 0;
    unsigned long ms = 0;
    if (sv.f_flag & ST_RDONLY)
        ms |= MS_RDONLY;
    if (sv.f_flag & ST_NOSUID)
        ms |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV)
        ms |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC)
        ms |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        ms |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        ms |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        ms |= MS_RELATIME;
    if (sv.f_flag & ST_NOSYMFOLLOW)
        ms |= MS_NOSYMFOLLOW;
    return ms;
}

static const unsigned long atime_flags = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

/* The attributes to set and clear on a bind mount whose flags are now `cur`:
 * only what differs, so that flags a user namespace locked are left alone
 * unless the config really asks to change them. */
static void bind_attr_delta(const struct bw_mount_opts *o, unsigned long cur,
                            struct mount_attr *attr)
{
    const unsigned long plain =
        MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NODIRATIME | MS_NOSYMFOLLOW;
    memset(attr, 0, sizeof(*attr));
    attr->attr_set = ms_to_attr(o->flags & plain & ~cur);
    attr->attr_clr = ms_to_attr(o->clear & plain & cur);
    unsigned long want_atime = o->flags & atime_flags;
    if (want_atime != 0 && want_atime != (cur & atime_flags)) {
        attr->attr_clr |= MOUNT_ATTR__ATIME;
        if (want_atime & MS_NOATIME)
            attr->attr_set |= MOUNT_ATTR_NOATIME;
        else if (want_atime & MS_STRICTATIME)
            attr->attr_set |= MOUNT_ATTR_STRICTATIME;
        else
            attr->attr_set |= MOUNT_ATTR_RELATIME;
    }
}

/* Bind `src` (a path, or "" with src_fd) onto the O_PATH fd `target`. */
static int bind_onto(int src_fd, const char *src, int target, const struct bw_mount_opts *o,
                     const char *what, bw_err_t *err)
{
    bool rec = (o->flags & MS_REC) != 0;
    unsigned int tflags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0) |
                          (src[0] == '\0' ? AT_EMPTY_PATH : 0);
    cleanup_close int tree = sys_open_tree(src_fd, src, tflags);
    if (tree >= 0) {
        struct mount_attr attr;
        bind_attr_delta(o, current_ms_flags(tree), &attr);
        if ((attr.attr_set || attr.attr_clr) &&
            sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0)
            return bw_error_errno(err, "set attributes of %s", what);
        if (o->rec_set || o->rec_clr) {
            struct mount_attr rattr = {.attr_set = o->rec_set, .attr_clr = o->rec_clr};
            if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &rattr) < 0)
                return bw_error_errno(err, "set recursive attributes of %s", what);
        }
        if (sys_move_mount(tree, "", target, "",
                           MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
            return bw_error_errno(err, "mount %s", what);
        return 0;
    }
    if (errno != ENOSYS)
        return bw_error_errno(err, "bind %s", what);

    /* Kernels before 5.2: mount(2) through /proc/self/fd, then a remount
     * that keeps the flags the source has (a user namespace locks them). */
    struct bw_fdpath sp, tp;
    const char *srcpath = src[0] == '\0' ? bw_fdpath(&sp, src_fd) : src;
    if (mount(srcpath, bw_fdpath(&tp, target), NULL, MS_BIND | (rec ? MS_REC : 0), NULL) < 0)
        return bw_error_errno(err, "bind %s", what);
    if (o->rec_set || o->rec_clr)
        return bw_error_set(err, ENOSYS, "mount %s: recursive options need Linux 5.12", what);
    cleanup_close int srcfd = open(srcpath, O_PATH | O_CLOEXEC);
    unsigned long cur = srcfd >= 0 ? current_ms_flags(srcfd) : 0;
    unsigned long want = (cur | (o->flags & ~(MS_BIND | MS_REC))) & ~o->clear;
    if (want != cur) {
        /* Reopen: the fd still names the covered directory, not the new mount. */
        if (mount(NULL, bw_fdpath(&tp, target), NULL, MS_BIND | MS_REMOUNT | want, NULL) < 0)
            return bw_error_errno(err, "remount %s", what);
    }
    return 0;
}

int bw_fs_idmapped_tree(const char *src, const struct bw_mount_opts *o, int userns_fd,
                        const char *what, bw_err_t *err)
{
    bool rec = (o->flags & MS_REC) != 0;
    cleanup_close int tree = sys_open_tree(
        AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
    if (tree < 0 && errno == EPERM && geteuid() != 0)
        return bw_error_set(err, EPERM,
                            "%s: not permitted: rootless, burrow cannot clone a host mount, and "
                            "idmapping a host filesystem needs CAP_SYS_ADMIN over its owner, the "
                            "host's root: idmapped mounts of host directories need root",
                            what);
    if (tree < 0)
        return bw_error_errno(err, "%s: bind `%s`", what, src);
    /* The idmapping first: only the top mount, or with "ridmap" every
     * mount of an rbind. */
    struct mount_attr idattr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns_fd};
    if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | (o->idmap_rec ? AT_RECURSIVE : 0), &idattr) <
        0) {
        int e = errno;
        if (e == EPERM)
            return bw_error_set(err, e,
                                "%s: idmapping it is not permitted: it needs CAP_SYS_ADMIN in the "
                                "user namespace that owns the filesystem of `%s`",
                                what, src);
        if (e == EINVAL)
            return bw_error_set(err, e,
                                "%s: idmapping it failed: the filesystem of `%s` does not "
                                "support idmapped mounts (or a submount of an rbind is "
                                "idmapped already)",
                                what, src);
        if (e == ENOSYS)
            return bw_error_set(err, e, "%s: idmapped mounts need Linux 5.12", what);
        return bw_error_set(err, e, "%s: idmap", what);
    }
    struct mount_attr attr;
    bind_attr_delta(o, current_ms_flags(tree), &attr);
    if ((attr.attr_set || attr.attr_clr) && sys_mount_setattr(tree, "", AT_EMPTY_PATH, &attr) < 0)
        return bw_error_errno(err, "set attributes of %s", what);
    if (o->rec_set || o->rec_clr) {
        struct mount_attr rattr = {.attr_set = o->rec_set, .attr_clr = o->rec_clr};
        if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &rattr) < 0)
            return bw_error_errno(err, "set recursive attributes of %s", what);
    }
    return steal_fd(&tree);
}

/* Attach a detached tree prepared by bw_fs_idmapped_tree onto `dest`. */
static int attach_tree(struct bw_fs_ctx *ctx, int tree, const char *dest, const char *what,
                       bw_err_t *err)
{
    struct stat st;
    if (fstat(tree, &st) < 0)
        return bw_error_errno(err, "%s", what);
    bool dir = S_ISDIR(st.st_mode);
    cleanup_close int target = bw_mkpath_in_root(ctx->rootfd, dest, dir, dir ? 0755 : 0644, err);
    if (target < 0)
        return bw_error_prefix(err, "%s", what);
    if (sys_move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
        return bw_error_errno(err, "mount %s", what);
    return 0;
}

/* A proc path of the mount now on top of what `fd` named: the fd itself
 * still refers to the covered directory. */
static int reopen_in_root(int rootfd, const char *dest, bw_err_t *err)
{
    return bw_open_in_root(rootfd, dest, O_PATH, err);
}

static int set_propagation(int rootfd, const char *dest, unsigned long prop, bw_err_t *err)
{
    cleanup_close int fd = reopen_in_root(rootfd, dest, err);
    if (fd < 0)
        return -1;
    struct bw_fdpath p;
    if (mount(NULL, bw_fdpath(&p, fd), NULL, prop, NULL) < 0)
        return bw_error_errno(err, "set propagation of `%s`", dest);
    return 0;
}

/* ------------------------------------------------------------------------
 * The rootfs
 */

int bw_fs_prepare_rootfs(struct bw_fs_ctx *ctx, bw_err_t *err)
{
    /* Nothing we mount may reach the host: make every mount a slave first
     * (the umount of the old root below must not propagate either). */
    if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
        return bw_error_errno(err, "make `/` a slave mount");
    /* The overlay covers root.path in this mount namespace only. */
    if (bw_overlay_mount(ctx->overlay, ctx->rootfs, err) < 0)
        return -1;
    /* pivot_root needs the new root to be a mount point. */
    if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
        return bw_error_errno(err, "bind the rootfs `%s`", ctx->rootfs);
    ctx->rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (ctx->rootfd < 0)
        return bw_error_errno(err, "open the rootfs `%s`", ctx->rootfs);
    return 0;
}

/* ------------------------------------------------------------------------
 * mounts[]
 */

struct mount_job {
    const struct oci_mount *m;
    size_t index;
    struct bw_mount_opts o;
    const char *type;
    char what[512];
};

static bool streq(const char *a, const char *b)
{
    return a != NULL && strcmp(a, b) == 0;
}

/* Bind a host path onto `dest` (used by the rootless fallbacks too). */
static int bind_host_path(struct bw_fs_ctx *ctx, const char *src, const char *dest,
                          const struct bw_mount_opts *o, const char *what, bw_err_t *err)
{
    struct stat st;
    if (stat(src, &st) < 0)
        return bw_error_errno(err, "%s: source `%s`", what, src);
    bool dir = S_ISDIR(st.st_mode);
    cleanup_close int target = bw_mkpath_in_root(ctx->rootfd, dest, dir, dir ? 0755 : 0644, err);
    if (target < 0)
        return bw_error_prefix(err, "%s", what);
    return bind_onto(AT_FDCWD, src, target, o, what, err);
}

int bw_fs_bind_fd(struct bw_fs_ctx *ctx, int src_fd, const char *dest, const char *what,
                  bw_err_t *err)
{
    struct stat st;
    if (fstat(src_fd, &st) < 0)
        return bw_error_errno(err, "%s", what);
    bool dir = S_ISDIR(st.st_mode);
    cleanup_close int target = bw_mkpath_in_root(ctx->rootfd, dest, dir, dir ? 0755 : 0644, err);
    if (target < 0)
        return bw_error_prefix(err, "%s", what);
    struct bw_mount_opts o = {.flags = MS_BIND};
    return bind_onto(src_fd, "", target, &o, what, err);
}

/* Where mounting a kernel filesystem is not allowed (a user namespace that
 * does not own the network, ipc or cgroup namespace), bind the host's copy,
 * recursively and with the requested flags on every submount. */
static int fallback_bind(struct bw_fs_ctx *ctx, struct mount_job *j, const char *host_path,
                         bw_err_t *err)
{
    struct bw_mount_opts o = j->o;
    o.flags |= MS_BIND | MS_REC;
    o.rec_set |= ms_to_attr(j->o.flags);
    o.data = NULL;
    bw_debug("%s: not allowed here, binding the host's `%s` instead", j->what, host_path);
    return bind_host_path(ctx, host_path, j->m->destination, &o, j->what, err);
}

/* A new cgroup2 mount (of the cgroup namespace's root) on `target`. */
static int cgroup2_fsmount(int target, unsigned long flags)
{
    cleanup_close int fs = (int)syscall(SYS_fsopen, "cgroup2", FSOPEN_CLOEXEC);
    if (fs < 0 || syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
        return -1;
    cleanup_close int mnt =
        (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, (unsigned int)ms_to_attr(flags));
    if (mnt < 0)
        return -1;
    return sys_move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

static int mount_kernel_fs(struct bw_fs_ctx *ctx, struct mount_job *j, bw_err_t *err)
{
    const char *type = j->type;
    const char *source = j->m->source ? j->m->source : type;
    bool cgroup = streq(type, "cgroup") || streq(type, "cgroup2");
    if (cgroup) {
        /* On a pure cgroup v2 host mount cgroup2 (it shows the container's
         * own subtree when it has a cgroup namespace); on a v1 or hybrid
         * host bind the host's hierarchy, read-only as asked. */
        struct statfs sf;
        if (statfs("/sys/fs/cgroup", &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC)
            return fallback_bind(ctx, j, "/sys/fs/cgroup", err);
        type = "cgroup2";
        source = "cgroup2";
    }
    cleanup_close int target = bw_mkpath_in_root(ctx->rootfd, j->m->destination, true, 0755, err);
    if (target < 0)
        return bw_error_prefix(err, "%s", j->what);
    struct bw_fdpath tp;
    unsigned long flags = j->o.flags & ~(MS_BIND | MS_REC);
    cleanup_free char *labeled = NULL; /* linux.mountLabel added */
    if (bw_lsm_mount_data(ctx->config->linux, type, j->o.data, &labeled, err) < 0)
        return -1;
    if (mount(source, bw_fdpath(&tp, target), type, flags, labeled ? labeled : j->o.data) == 0)
        return 0;
    int e = errno;
    /* EBUSY: cgroup2 has one superblock, and mount(2) refuses it where it
     * is mounted already (the host's, under a /sys bound from the host) or
     * read-only where it is read-write elsewhere.  A new mount made with
     * fsmount, its flags its own, and moved on top is allowed. */
    if (cgroup && e == EBUSY && cgroup2_fsmount(target, flags) == 0)
        return 0;
    if (e == EPERM || e == EACCES) {
        if (streq(type, "sysfs"))
            return fallback_bind(ctx, j, "/sys", err);
        if (streq(type, "mqueue"))
            return fallback_bind(ctx, j, "/dev/mqueue", err);
        if (cgroup)
            return fallback_bind(ctx, j, "/sys/fs/cgroup", err);
    }
    if (streq(type, "proc") && e == EPERM)
        return bw_error_set(err, e,
                            "%s: a new proc can only be mounted in a pid namespace of the "
                            "container's own (add {\"type\": \"pid\"} to linux.namespaces)",
                            j->what);
    return bw_error_set(err, e, "%s", j->what);
}

static int mount_one(struct bw_fs_ctx *ctx, const struct oci_mount *m, size_t index, bw_err_t *err)
{
    struct mount_job j = {.m = m, .index = index, .type = m->type};
    if (bw_mount_opts_parse(m->options, m->options_len, &j.o, err) < 0)
        return -1;
    snprintf(j.what, sizeof(j.what), "mount `%s` on `%s` (mounts[%zu])",
             m->source ? m->source : (m->type ? m->type : "none"), m->destination, index);
    int r;
    int tree = ctx->idmount_fd != NULL ? ctx->idmount_fd[index] : -1;
    if (tree >= 0) {
        r = attach_tree(ctx, tree, m->destination, j.what, err);
    } else if ((j.o.flags & MS_BIND) || streq(m->type, "bind")) {
        if (m->source == NULL) {
            r = bw_error_set(err, EINVAL, "%s: a bind mount needs a source", j.what);
        } else {
            cleanup_free char *src = NULL;
            if (m->source[0] == '/')
                src = strdup(m->source);
            else if (asprintf(&src, "%s/%s", ctx->bundle, m->source) < 0)
                src = NULL;
            r = src ? bind_host_path(ctx, src, m->destination, &j.o, j.what, err)
                    : bw_error_set(err, ENOMEM, "%s", j.what);
        }
    } else if (m->type == NULL) {
        r = bw_error_set(err, EINVAL, "%s: no type given", j.what);
    } else {
        r = mount_kernel_fs(ctx, &j, err);
    }
    if (r == 0 && j.o.propagation != 0)
        r = set_propagation(ctx->rootfd, m->destination, j.o.propagation, err);
    bw_mount_opts_free(&j.o);
    return r;
}

/* ------------------------------------------------------------------------
 * /dev
 */

static const struct {
    const char *name;
    unsigned int major, minor;
} default_devices[] = {
    {"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static const struct {
    const char *name;
    const char *target;
} dev_links[] = {
    {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
    {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},         {"core", "/proc/kcore"},
};

static int make_device(struct bw_fs_ctx *ctx, int devfd, const char *name, unsigned int maj,
                       unsigned int min, bw_err_t *err)
{
    struct stat st;
    if (fstatat(devfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
        st.st_rdev == makedev(maj, min))
        return 0;
    if (!ctx->in_userns) {
        unlinkat(devfd, name, 0);
        if (mknodat(devfd, name, S_IFCHR | 0666, makedev(maj, min)) == 0)
            return 0;
        if (errno != EPERM)
            return bw_error_errno(err, "create device `/dev/%s`", name);
    }
    /* In a user namespace device nodes cannot be created: bind the host's. */
    char host[64], dest[64];
    snprintf(host, sizeof(host), "/dev/%s", name);
    snprintf(dest, sizeof(dest), "/dev/%s", name);
    struct bw_mount_opts o = {.flags = MS_BIND};
    char what[96];
    snprintf(what, sizeof(what), "bind `%s` from the host", host);
    return bind_host_path(ctx, host, dest, &o, what, err);
}

static int setup_dev(struct bw_fs_ctx *ctx, bw_err_t *err)
{
    cleanup_close int devfd = bw_mkpath_in_root(ctx->rootfd, "/dev", true, 0755, err);
    if (devfd < 0)
        return -1;
    /* An O_PATH fd cannot be used with mknodat/symlinkat: reopen. */
    struct bw_fdpath p;
    cleanup_close int dir = open(bw_fdpath(&p, devfd), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        return bw_error_errno(err, "open `/dev` of the container");
    for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
        if (make_device(ctx, dir, default_devices[i].name, default_devices[i].major,
                        default_devices[i].minor, err) < 0)
            return -1;
    }
    for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
        if (symlinkat(dev_links[i].target, dir, dev_links[i].name) < 0 && errno != EEXIST)
            return bw_error_errno(err, "create `/dev/%s`", dev_links[i].name);
    }
    return 0;
}

int bw_fs_mount_all(struct bw_fs_ctx *ctx, bw_err_t *err)
{
    const struct oci_config *c = ctx->config;
    for (size_t i = 0; i < c->mounts_len; i++) {
        if (mount_one(ctx, &c->mounts[i], i, err) < 0)
            return -1;
    }
    if (setup_dev(ctx, err) < 0)
        return -1;
    /* After the default devices, so that linux.devices may list them too. */
    return bw_devices_create(ctx, err);
}

/* ------------------------------------------------------------------------
 * maskedPaths, readonlyPaths
 */

/* The host's /dev/null, checked to be the real one before it covers anything. */
static int open_dev_null(bw_err_t *err)
{
    int fd = open("/dev/null", O_PATH | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0)
        return bw_error_errno(err, "open `/dev/null`");
    if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
        close(fd);
        return bw_error_set(err, 0, "`/dev/null` is not the null device (1:3)");
    }
    return fd;
}

int bw_fs_mask_paths(struct bw_fs_ctx *ctx, bw_err_t *err)
{
    const struct oci_linux *l = ctx->config->linux;
    if (l == NULL)
        return 0;
    cleanup_close int null = -1;
    for (size_t i = 0; i < l->masked_paths_len; i++) {
        const char *path = l->masked_paths[i];
        bw_err_t e = NULL;
        cleanup_close int fd = bw_open_in_root(ctx->rootfd, path, O_PATH | O_NOFOLLOW, &e);
        if (fd < 0) {
            bool missing = e->code == ENOENT;
            if (missing) {
                bw_error_free(&e);
                continue;
            }
            *err = e;
            return bw_error_prefix(err, "mask `%s` (linux.maskedPaths[%zu])", path, i);
        }
        struct stat st;
        if (fstat(fd, &st) < 0)
            return bw_error_errno(err, "mask `%s`", path);
        struct bw_fdpath p;
        if (S_ISDIR(st.st_mode)) {
            if (mount("tmpfs", bw_fdpath(&p, fd), "tmpfs",
                      MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0755") < 0)
                return bw_error_errno(err, "mask `%s` with an empty tmpfs", path);
        } else {
            if (null < 0 && (null = open_dev_null(err)) < 0)
                return -1;
            struct bw_mount_opts o = {.flags = MS_BIND};
            char what[300];
            snprintf(what, sizeof(what), "mask `%s` with /dev/null", path);
            if (bind_onto(null, "", fd, &o, what, err) < 0)
                return -1;
        }
    }
    for (size_t i = 0; i < l->readonly_paths_len; i++) {
        const char *path = l->readonly_paths[i];
        bw_err_t e = NULL;
        cleanup_close int fd = bw_open_in_root(ctx->rootfd, path, O_PATH | O_NOFOLLOW, &e);
        if (fd < 0) {
            if (e->code == ENOENT) {
                bw_error_free(&e);
                continue;
            }
            *err = e;
            return bw_error_prefix(err, "make `%s` read-only (linux.readonlyPaths[%zu])", path, i);
        }
        struct bw_mount_opts o = {.flags = MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID | MS_NODEV |
                                           MS_NOEXEC,
                                  .rec_set = MOUNT_ATTR_RDONLY};
        char what[300];
        snprintf(what, sizeof(what), "make `%s` read-only", path);
        if (bind_onto(fd, "", fd, &o, what, err) < 0)
            return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * pivot_root
 */

int bw_fs_enter_rootfs(struct bw_fs_ctx *ctx, bool no_pivot, bw_err_t *err)
{
    const struct oci_config *c = ctx->config;
    if (fchdir(ctx->rootfd) < 0)
        return bw_error_errno(err, "enter the rootfs `%s`", ctx->rootfs);
    if (no_pivot) {
        if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
            return bw_error_errno(err, "move the rootfs over `/`");
        if (chroot(".") < 0)
            return bw_error_errno(err, "chroot into the rootfs");
    } else {
        /* pivot_root(".", ".") stacks the old root on top of the new one;
         * detaching it leaves only the rootfs, with no directory needed to
         * hold the old root (pivot_root(2), "NOTES"). */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
            return bw_error_errno(err, "pivot_root into `%s`", ctx->rootfs);
        if (umount2(".", MNT_DETACH) < 0)
            return bw_error_errno(err, "detach the old root");
    }
    if (chdir("/") < 0)
        return bw_error_errno(err, "chdir `/`");
    close(ctx->rootfd);
    ctx->rootfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

    if (c->linux != NULL && c->linux->rootfs_propagation_present &&
        mount(NULL, "/", NULL, MS_REC | c->linux->rootfs_propagation, NULL) < 0)
        return bw_error_errno(err, "set linux.rootfsPropagation of `/`");

    if (c->root != NULL && c->root->readonly) {
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
        if (sys_mount_setattr(AT_FDCWD, "/", 0, &attr) < 0) {
            if (errno != ENOSYS)
                return bw_error_errno(err, "make the root read-only (root.readonly)");
            unsigned long cur = current_ms_flags(ctx->rootfd);
            if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | cur, NULL) < 0)
                return bw_error_errno(err, "make the root read-only (root.readonly)");
        }
    }
    return 0;
}
