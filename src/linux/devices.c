/* burrow: linux.devices (see devices.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "linux/devices.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/* The mode of a node whose fileMode is not given. */
#define DEFAULT_FILE_MODE 0666

static const char *type_word(mode_t type)
{
    switch (type & S_IFMT) {
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    case S_IFIFO:
        return "a FIFO";
    case S_IFDIR:
        return "a directory";
    case S_IFLNK:
        return "a symlink";
    case S_IFREG:
        return "a regular file";
    default:
        return "not a device";
    }
}

static dev_t device_number(const struct oci_device *d)
{
    return makedev((unsigned int)d->major, (unsigned int)d->minor);
}

/* In a user namespace only the host's node can be used: open it and check
 * that it is what the config describes.  Returns an O_PATH fd. */
static int open_host_node(const struct oci_device *d, size_t i, bw_err_t *err)
{
    int fd = open(d->path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return bw_error_set(err, e,
                                "config.json: linux.devices[%zu]: `%s`: no such device on the "
                                "host; in a user namespace device nodes cannot be created, only "
                                "the host's node of the same path can be bound",
                                i, d->path);
        return bw_error_set(err, e, "config.json: linux.devices[%zu]: open the host's `%s`", i,
                            d->path);
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return bw_error_set(err, e, "config.json: linux.devices[%zu]: stat the host's `%s`", i,
                            d->path);
    }
    if ((st.st_mode & S_IFMT) != d->type || st.st_rdev != device_number(d)) {
        char host[64] = "";
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
            snprintf(host, sizeof(host), " %u:%u", major(st.st_rdev), minor(st.st_rdev));
        close(fd);
        return bw_error_set(err, EINVAL,
                            "config.json: linux.devices[%zu]: `%s`: the host's is %s%s, not %s "
                            "%lld:%lld as configured; in a user namespace device nodes cannot "
                            "be created, only the host's node of the same path can be bound",
                            i, d->path, type_word(st.st_mode), host, type_word(d->type),
                            (long long)d->major, (long long)d->minor);
    }
    return fd;
}

int bw_devices_check_host(const struct oci_config *c, bool in_userns, bw_err_t *err)
{
    const struct oci_linux *l = c->linux;
    for (size_t i = 0; in_userns && l != NULL && i < l->devices_len; i++) {
        if (l->devices[i].type == S_IFIFO)
            continue;
        int fd = open_host_node(&l->devices[i], i, err);
        if (fd < 0)
            return -1;
        close(fd);
    }
    return 0;
}

/* The directory holding `path` inside the rootfs (created if missing),
 * opened for *at calls, and the last component in *name (in `buf`). */
static int open_parent(struct bw_fs_ctx *ctx, const char *path, char *buf, size_t size,
                       const char **name, bw_err_t *err)
{
    snprintf(buf, size, "%s", path);
    char *slash = strrchr(buf, '/');
    *name = slash + 1;
    if (**name == '\0' || strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0)
        return bw_error_set(err, EINVAL, "not a file name");
    *slash = '\0';
    cleanup_close int dir = bw_mkpath_in_root(ctx->rootfd, buf[0] ? buf : "/", true, 0755, err);
    if (dir < 0)
        return -1;
    struct bw_fdpath p;
    int fd = open(bw_fdpath(&p, dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return bw_error_errno(err, "open the directory of `%s`", path);
    return fd;
}

/* Make room for the node: what is there (a default device, a symlink such
 * as /dev/ptmx, an empty file) goes; a directory is an error. */
static int remove_existing(int dir, const char *name, const char *path, bw_err_t *err)
{
    struct stat st;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? 0 : bw_error_errno(err, "stat `%s`", path);
    if (S_ISDIR(st.st_mode))
        return bw_error_set(err, EISDIR, "`%s` is a directory in the rootfs", path);
    if (unlinkat(dir, name, 0) < 0)
        return bw_error_errno(err, "remove the existing `%s`", path);
    return 0;
}

static int make_node(struct bw_fs_ctx *ctx, const struct oci_device *d, bw_err_t *err)
{
    char buf[4096];
    const char *name;
    cleanup_close int dir = open_parent(ctx, d->path, buf, sizeof(buf), &name, err);
    if (dir < 0 || remove_existing(dir, name, d->path, err) < 0)
        return -1;
    mode_t perm = d->file_mode_present ? (mode_t)d->file_mode : DEFAULT_FILE_MODE;
    dev_t dev = d->type == S_IFIFO ? 0 : device_number(d);
    if (mknodat(dir, name, d->type | perm, dev) < 0)
        return bw_error_errno(err, "create `%s`", d->path);
    /* umask is 0 in the child, but say it once more for a clear result. */
    if (fchmodat(dir, name, perm, 0) < 0)
        return bw_error_errno(err, "chmod `%s`", d->path);
    if ((d->uid_present || d->gid_present) &&
        fchownat(dir, name, d->uid_present ? d->uid : (uid_t)-1,
                 d->gid_present ? d->gid : (gid_t)-1, AT_SYMLINK_NOFOLLOW) < 0)
        return bw_error_errno(err, "chown `%s` to %ld:%ld", d->path,
                              d->uid_present ? (long)d->uid : -1L,
                              d->gid_present ? (long)d->gid : -1L);
    return 0;
}

static int bind_node(struct bw_fs_ctx *ctx, const struct oci_device *d, size_t i, bw_err_t *err)
{
    cleanup_close int host = open_host_node(d, i, err);
    if (host < 0)
        return -1;
    char buf[4096];
    const char *name;
    cleanup_close int dir = open_parent(ctx, d->path, buf, sizeof(buf), &name, err);
    if (dir < 0)
        return -1;
    struct stat st;
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == d->type &&
        st.st_rdev == device_number(d))
        return 0; /* a default device, bound already */
    /* A symlink there (/dev/ptmx) would redirect the bind: replace it. */
    if (remove_existing(dir, name, d->path, err) < 0)
        return -1;
    if (d->file_mode_present || d->uid_present || d->gid_present)
        bw_debug("linux.devices[%zu]: `%s` is the host's node: its mode and owner stay the "
                 "host's",
                 i, d->path);
    char what[300];
    snprintf(what, sizeof(what), "bind the host's `%s`", d->path);
    return bw_fs_bind_fd(ctx, host, d->path, what, err);
}

int bw_devices_create(struct bw_fs_ctx *ctx, bw_err_t *err)
{
    const struct oci_linux *l = ctx->config->linux;
    for (size_t i = 0; l != NULL && i < l->devices_len; i++) {
        const struct oci_device *d = &l->devices[i];
        int r;
        if (d->type == S_IFIFO || !ctx->in_userns) {
            r = make_node(ctx, d, err);
            /* Root without CAP_MKNOD (itself in a container): as in a
             * user namespace. */
            if (r < 0 && d->type != S_IFIFO && (*err)->code == EPERM) {
                bw_error_free(err);
                r = bind_node(ctx, d, i, err);
            }
        } else {
            r = bind_node(ctx, d, i, err);
        }
        if (r < 0) {
            /* open_host_node's messages name the field already. */
            if (strncmp((*err)->msg, "config.json:", 12) == 0)
                return -1;
            return bw_error_prefix(err, "config.json: linux.devices[%zu]", i);
        }
    }
    return 0;
}
