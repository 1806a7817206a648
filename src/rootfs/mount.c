/* burrow: mounting the rootfs overlay (child) and serving it with
 * fuse-overlayfs (parent); see rootfs.h for why the daemon lives where it
 * does. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/proc.h"
#include "linux/sync.h"
#include "rootfs/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/* "lowerdir=...,upperdir=...,workdir=..." by path: fds opened before the
 * clone would name mounts of the runtime's mount namespace, which overlayfs
 * refuses as layers ("failed to clone upperpath"). */
static char *layer_options(const struct bw_overlay *o, bool relative)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return NULL;
    fputs("lowerdir=", f);
    for (size_t i = 0; i < o->lowers_len; i++)
        fprintf(f, "%s%s", i ? ":" : "", o->lowers[i]);
    if (relative)
        fputs(",upperdir=upper,workdir=work", f);
    else
        fprintf(f, ",upperdir=%s/upper,workdir=%s/work", o->dir, o->dir);
    fclose(f);
    return buf;
}

void bw_overlay_before_clone(struct bw_overlay *o)
{
    if (o == NULL || o->mode != BW_OVERLAY_KERNEL || o->dir == NULL)
        return;
    struct stat st;
    cleanup_close int dir = open(o->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0 || fstat(dir, &st) < 0)
        return;
    o->saved_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (o->saved_cwd >= 0 && fchdir(dir) < 0) {
        close(o->saved_cwd);
        o->saved_cwd = -1;
        return;
    }
    o->dir_dev = st.st_dev;
    o->dir_ino = st.st_ino;
}

void bw_overlay_after_clone(struct bw_overlay *o, pid_t pid)
{
    if (o == NULL || o->saved_cwd < 0)
        return;
    /* The child keeps DIR as its cwd until the mount. */
    if (pid != 0 && fchdir(o->saved_cwd) < 0)
        bw_warn("rootfs overlay: return to the working directory: %s", strerror(errno));
    close(o->saved_cwd);
    o->saved_cwd = -1;
}

static int mount_kernel(struct bw_overlay *o, const char *target, bw_err_t *err)
{
    /* Our cwd is DIR when the clone gave it to us (not after joining a
     * mount namespace, which moves it to that namespace's root). */
    struct stat st;
    bool relative = o->dir_ino != 0 && stat(".", &st) == 0 && st.st_dev == o->dir_dev &&
                    st.st_ino == o->dir_ino;
    cleanup_free char *layers = layer_options(o, relative);
    cleanup_free char *opts = NULL;
    /* trusted.* xattrs need CAP_SYS_ADMIN of the initial namespace:
     * in a user namespace overlayfs keeps its marks in user.* instead. */
    if (layers == NULL ||
        asprintf(&opts, "%s%s,volatile", layers, o->in_userns ? ",userxattr" : "") < 0)
        return bw_error_set(err, ENOMEM, "rootfs overlay");
    /* A fresh upper is thrown away on delete: `volatile` (Linux 5.10)
     * spares the sync of the whole upper filesystem that the unmount
     * would do when the container's mount namespace goes, and every
     * fsync the container makes.  A persistent upper keeps them. */
    if (o->persistent)
        opts[strlen(opts) - strlen(",volatile")] = '\0';
    if (mount("overlay", target, "overlay", 0, opts) == 0)
        return 0;
    if (errno == EINVAL && !o->persistent) {
        /* A kernel without `volatile` (possible as root only). */
        opts[strlen(opts) - strlen(",volatile")] = '\0';
        if (mount("overlay", target, "overlay", 0, opts) == 0)
            return 0;
    }
    return bw_error_errno(err, "rootfs overlay kernel: mount overlayfs over `%s`", target);
}

static int mount_fuse(struct bw_overlay *o, const char *target, bw_err_t *err)
{
    cleanup_close int fuse = open(o->fuse_dev, O_RDWR | O_CLOEXEC);
    if (fuse < 0)
        return bw_error_errno(err, "rootfs overlay fuse: open `%s`", o->fuse_dev);
    char opts[256];
    /* The mount is ours, made before any daemon exists; fuse-overlayfs
     * serves its connection.  allow_other: every id of the container, not
     * only its root, uses the filesystem. */
    snprintf(opts, sizeof(opts),
             "fd=%d,rootmode=40000,user_id=0,group_id=0,allow_other,default_permissions", fuse);
    if (mount("fuse-overlayfs", target, "fuse.fuse-overlayfs", 0, opts) < 0)
        return bw_error_errno(err, "rootfs overlay fuse: mount fuse over `%s`", target);
    cleanup_close int userns = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
    if (userns < 0)
        return bw_error_errno(err, "rootfs overlay fuse: open our user namespace");
    /* Our copy of the fuse fd goes when we return: from then on the
     * connection lives only through the daemon (and the mount). */
    if (bw_sync_send_fd(o->sync_fd, BW_SYNC_OVERLAY_FD, userns, err) < 0 ||
        bw_sync_send_fd(o->sync_fd, BW_SYNC_OVERLAY_FD, fuse, err) < 0)
        return -1;
    return 0;
}

int bw_overlay_mount(struct bw_overlay *o, const char *target, bw_err_t *err)
{
    if (o == NULL || o->mode == BW_OVERLAY_OFF)
        return 0;
    /* The lock of a persistent upper is the runtime's, held until `create`
     * returns: our inherited copy would hold it until exec. */
    if (o->owner_fd >= 0) {
        close(o->owner_fd);
        o->owner_fd = -1;
    }
    return o->mode == BW_OVERLAY_KERNEL ? mount_kernel(o, target, err) : mount_fuse(o, target, err);
}

/* ------------------------------------------------------------------------
 * fuse-overlayfs
 */

static bool same_ns(int a, int b)
{
    struct stat sa, sb;
    return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* In the forked daemon: never returns. */
static __attribute__((noreturn)) void exec_daemon(struct bw_overlay *o, int userns, int fuse,
                                                  int log)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Not in the caller's session: a terminal's signals are not its. */
    setsid();
    cleanup_close int self = open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
    if (self >= 0 && !same_ns(self, userns)) {
        /* The container's user namespace: the ids fuse-overlayfs gives to
         * files are then the container's, mapped as its processes' are. */
        if (setns(userns, CLONE_NEWUSER) < 0) {
            dprintf(2, "burrow: join the container's user namespace: %s\n", strerror(errno));
            _exit(126);
        }
        if (!bw_proc_setgroups_denied(0))
            setgroups(0, NULL);
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
            dprintf(2, "burrow: become root of the container: %s\n", strerror(errno));
            _exit(126);
        }
    }
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || dup2(null, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0 || dup2(fuse, 3) < 0)
        _exit(126);
    /* Nothing else of ours (--preserve-fds are not CLOEXEC). */
    syscall(SYS_close_range, 4, ~0U, 0);
    cleanup_free char *layers = layer_options(o, false);
    char *argv[] = {"fuse-overlayfs", "-f", "-o", layers, "/dev/fd/3", NULL};
    execv(o->fuse_bin, argv);
    dprintf(2, "burrow: run `%s`: %s\n", o->fuse_bin, strerror(errno));
    _exit(127);
}

int bw_overlay_parent(struct bw_overlay *o, int sync_fd, bw_err_t *err)
{
    if (o == NULL || o->mode != BW_OVERLAY_FUSE)
        return 0;
    cleanup_close int userns = -1, fuse = -1;
    if (bw_sync_recv_fd(sync_fd, BW_SYNC_OVERLAY_FD, &userns, "the container's process", err) < 0 ||
        bw_sync_recv_fd(sync_fd, BW_SYNC_OVERLAY_FD, &fuse, "the container's process", err) < 0)
        return -1;
    cleanup_close int log = openat(o->statedir_fd, "fuse-overlayfs.log",
                                   O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (log < 0)
        return bw_error_errno(err, "rootfs overlay fuse: create `fuse-overlayfs.log`");
    pid_t pid = fork();
    if (pid < 0)
        return bw_error_errno(err, "rootfs overlay fuse: fork");
    if (pid == 0)
        exec_daemon(o, userns, fuse, log);
    o->daemon = pid;
    if (bw_proc_stat(pid, &o->daemon_start, NULL) < 0)
        o->daemon_start = 0;
    if (bw_overlay_record(o, err) < 0)
        return bw_error_prefix(err, "rootfs overlay fuse");
    return 0;
}
