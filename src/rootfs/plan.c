/* burrow: choosing the rootfs overlay, its layers and its upper directory,
 * before the container exists (see rootfs.h). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/proc.h"
#include "rootfs/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/* overlayfs takes up to 500; the options must fit in a page anyway. */
#define LOWERS_MAX 128u

static const char *const mode_names[] = {"off", "auto", "kernel", "fuse"};

void bw_overlay_init(struct bw_overlay *o)
{
    memset(o, 0, sizeof(*o));
    o->owner_fd = o->statedir_fd = o->sync_fd = o->saved_cwd = -1;
}

void bw_overlay_free(struct bw_overlay *o)
{
    for (size_t i = 0; i < o->lowers_len; i++)
        free(o->lowers[i]);
    free(o->lowers);
    free(o->dir);
    free(o->fuse_bin);
    if (o->owner_fd >= 0)
        close(o->owner_fd); /* releases the lock */
    bw_idmap_plan_free(&o->maps);
    bw_overlay_init(o);
}

int bw_overlay_mode_parse(const char *s)
{
    for (size_t i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++) {
        if (strcmp(s, mode_names[i]) == 0)
            return (int)i;
    }
    return -1;
}

static const char *annotation(const struct oci_config *c, const char *key)
{
    for (size_t i = 0; i < c->annotations_len; i++) {
        if (strcmp(c->annotations[i].key, key) == 0)
            return c->annotations[i].value;
    }
    return NULL;
}

static int add_lower(struct bw_overlay *o, const char *bundle, const char *p, size_t len,
                     bw_err_t *err)
{
    const char *what = "config.json: annotations[\"" BW_OVERLAY_LOWERS_ANNOTATION "\"]";
    if (len == 0)
        return bw_error_set(err, EINVAL, "%s: an empty directory name", what);
    if (o->lowers_len >= LOWERS_MAX)
        return bw_error_set(err, E2BIG, "%s: more than %u directories", what, LOWERS_MAX);
    cleanup_free char *path = NULL;
    if (p[0] == '/' ? asprintf(&path, "%.*s", (int)len, p) < 0
                    : asprintf(&path, "%s/%.*s", bundle, (int)len, p) < 0)
        return bw_error_set(err, ENOMEM, "%s", what);
    char *real = realpath(path, NULL);
    struct stat st;
    if (real == NULL || stat(real, &st) < 0) {
        free(real);
        return bw_error_errno(err, "%s: `%s`", what, path);
    }
    if (!S_ISDIR(st.st_mode)) {
        free(real);
        return bw_error_set(err, ENOTDIR, "%s: `%s`", what, path);
    }
    if (strpbrk(real, ",:\\") != NULL) {
        bw_error_set(err, EINVAL, "%s: `%s`: a layer's path cannot hold `,`, `:` or `\\`", what,
                     real);
        free(real);
        return -1;
    }
    char **n = realloc(o->lowers, (o->lowers_len + 1) * sizeof(char *));
    if (n == NULL) {
        free(real);
        return bw_error_set(err, ENOMEM, "%s", what);
    }
    o->lowers = n;
    o->lowers[o->lowers_len++] = real;
    return 0;
}

static int find_lowers(struct bw_overlay *o, const struct oci_config *c, const char *bundle,
                       const char *rootfs, bw_err_t *err)
{
    const char *list = annotation(c, BW_OVERLAY_LOWERS_ANNOTATION);
    if (list == NULL)
        return add_lower(o, bundle, rootfs, strlen(rootfs), err);
    for (const char *p = list;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (add_lower(o, bundle, p, len, err) < 0)
            return -1;
        if (colon == NULL)
            return 0;
        p = colon + 1;
    }
}

static char *find_in_path(const char *name)
{
    const char *path = getenv("PATH");
    if (path == NULL || path[0] == '\0')
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        char *cand = NULL;
        if (len > 0 && p[0] == '/' && asprintf(&cand, "%.*s/%s", (int)len, p, name) >= 0) {
            if (access(cand, X_OK) == 0)
                return cand;
            free(cand);
        }
        if (colon == NULL)
            return NULL;
        p = colon + 1;
    }
}

/* ------------------------------------------------------------------------
 * Can this kernel mount overlayfs in a user namespace of ours?
 */

static int probe_child(const char *dir, bool userns)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWNS | (userns ? CLONE_NEWUSER : 0)) < 0)
        return errno;
    if (userns) {
        char buf[64];
        snprintf(buf, sizeof(buf), "0 %u 1\n", (unsigned)uid);
        bw_err_t e = NULL;
        if (bw_write_existing_file("/proc/self/uid_map", buf, strlen(buf), &e) < 0 ||
            bw_write_existing_file("/proc/self/setgroups", "deny", 4, &e) < 0)
            return e->code ? e->code : EPERM;
        snprintf(buf, sizeof(buf), "0 %u 1\n", (unsigned)gid);
        if (bw_write_existing_file("/proc/self/gid_map", buf, strlen(buf), &e) < 0)
            return e->code ? e->code : EPERM;
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return errno;
    cleanup_free char *opts = NULL, *target = NULL;
    if (asprintf(&opts, "lowerdir=%s/l,upperdir=%s/u,workdir=%s/w%s", dir, dir, dir,
                 userns ? ",userxattr" : "") < 0 ||
        asprintf(&target, "%s/m", dir) < 0)
        return ENOMEM;
    if (mount("overlay", target, "overlay", 0, opts) < 0)
        return errno;
    /* w/work is made mode 000 by the kernel: remove it while we are its
     * root (CAP_DAC_OVERRIDE here), so the caller can remove the rest. */
    umount2(target, MNT_DETACH);
    cleanup_close int w = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bw_err_t e = NULL;
    if (w >= 0 && bw_rm_rf_at(w, "w", &e) < 0)
        bw_error_free(&e);
    return 0;
}

/* 0 and "yes", or an errno and why not.  Tried in a child (the namespaces
 * go with it) over four empty directories in the state root. */
static int probe_kernel(const char *state_root, bool userns, char *why, size_t whylen)
{
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/.overlay-probe.XXXXXX", state_root);
    if (mkdtemp(dir) == NULL) {
        int e = errno;
        snprintf(why, whylen, "create a directory in `%.200s`: %s", state_root, strerror(e));
        return e;
    }
    static const char *const sub[] = {"l", "u", "w", "m"};
    int code = 0;
    cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        code = errno;
    for (size_t i = 0; i < 4 && code == 0; i++) {
        if (mkdirat(dfd, sub[i], 0700) < 0)
            code = errno;
    }
    pid_t pid = code ? -1 : fork();
    if (pid == 0)
        _exit(probe_child(dir, userns));
    if (pid > 0) {
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        code = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
    } else if (code == 0) {
        code = errno;
    }
    cleanup_close int rootfd = open(state_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bw_err_t e = NULL;
    if (rootfd < 0 || bw_rm_rf_at(rootfd, strrchr(dir, '/') + 1, &e) < 0)
        bw_warn("remove `%s`: %s", dir, e ? e->msg : strerror(errno));
    bw_error_free(&e);
    snprintf(why, whylen, "%s", code ? strerror(code) : "yes");
    return code;
}

/* The kernel's answer, from the state root's cache or by trying once. */
static int kernel_works(const char *state_root, bool userns, char *why, size_t whylen)
{
    const char *test = getenv(BW_OVERLAY_TEST_KERNEL_ENV);
    if (test != NULL && strcmp(test, "fail") == 0) {
        snprintf(why, whylen, "made to fail by %s=fail (a test setting)",
                 BW_OVERLAY_TEST_KERNEL_ENV);
        return EPERM;
    }
    struct utsname u;
    uname(&u);
    char key[512];
    snprintf(key, sizeof(key), "%s %s", u.release, userns ? "userns" : "init");
    cleanup_close int rootfd = open(state_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd >= 0) {
        bw_err_t e = NULL;
        size_t len = 0;
        cleanup_free char *cached = bw_read_file_at(rootfd, BW_OVERLAY_PROBE_FILE, 4096, &len, &e);
        bw_error_free(&e);
        /* "KEY\tCODE\tWHY\n" */
        char *tab = cached ? strchr(cached, '\t') : NULL;
        if (tab != NULL && (size_t)(tab - cached) == strlen(key) &&
            strncmp(cached, key, strlen(key)) == 0) {
            int code = atoi(tab + 1);
            char *w = strchr(tab + 1, '\t');
            snprintf(why, whylen, "%s", w ? w + 1 : "?");
            why[strcspn(why, "\n")] = '\0';
            return code;
        }
    }
    int code = probe_kernel(state_root, userns, why, whylen);
    char line[1024];
    int n = snprintf(line, sizeof(line), "%s\t%d\t%s\n", key, code, why);
    bw_err_t e = NULL;
    if (rootfd >= 0)
        mkdirat(rootfd, "@cache", 0700);
    if (rootfd >= 0 &&
        bw_write_file_atomic_at(rootfd, BW_OVERLAY_PROBE_FILE, line, (size_t)n, 0644, &e) < 0) {
        bw_debug("remember the overlay probe: %s", e->msg);
        bw_error_free(&e);
    }
    bw_debug("kernel overlayfs%s: %s", userns ? " in a user namespace" : "", why);
    return code;
}

/* Why fuse cannot be used, or NULL. */
static const char *fuse_missing(struct bw_overlay *o, char *buf, size_t len)
{
    const char *dev = getenv(BW_OVERLAY_TEST_FUSE_ENV);
    o->fuse_dev = dev != NULL && dev[0] != '\0' ? dev : "/dev/fuse";
    o->fuse_bin = find_in_path("fuse-overlayfs");
    if (o->fuse_bin == NULL) {
        snprintf(buf, len,
                 "fuse-overlayfs is not installed (not found in PATH): install the "
                 "fuse-overlayfs package");
        return buf;
    }
    int fd = open(o->fuse_dev, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(buf, len,
                 "`%s` is not accessible (%s): load the fuse module (modprobe fuse) and make "
                 "the device readable and writable by you (mode 0666)",
                 o->fuse_dev, strerror(errno));
        return buf;
    }
    close(fd);
    return NULL;
}

static int pick_mode(struct bw_overlay *o, int mode, const char *state_root, bw_err_t *err)
{
    char why[512], fuse_why[1024];
    if (mode == BW_OVERLAY_FUSE) {
        if (fuse_missing(o, fuse_why, sizeof(fuse_why)) != NULL)
            return bw_error_set(err, ENOENT, "rootfs overlay fuse: %s", fuse_why);
    } else if (kernel_works(state_root, o->in_userns, why, sizeof(why)) == 0) {
        mode = BW_OVERLAY_KERNEL;
    } else if (mode == BW_OVERLAY_KERNEL) {
        return bw_error_set(err, EPERM,
                            "rootfs overlay kernel: this kernel does not mount overlayfs %s "
                            "(%s); use --rootfs-overlay=fuse (fuse-overlayfs)",
                            o->in_userns ? "in a user namespace" : "", why);
    } else if (fuse_missing(o, fuse_why, sizeof(fuse_why)) != NULL) {
        return bw_error_set(err, ENOENT,
                            "rootfs overlay auto: neither works: kernel overlayfs: %s; fuse: %s",
                            why, fuse_why);
    } else {
        mode = BW_OVERLAY_FUSE;
    }
    o->mode = (enum bw_overlay_mode)mode;
    return 0;
}

/* A persistent upper: DIR/owner names the container using DIR; a live one
 * means DIR is taken.  The lock keeps two `create`s from both finding it
 * free. */
static int lock_upper(struct bw_overlay *o, const char *opt, bw_err_t *err)
{
    if (strpbrk(opt, ",:\\") != NULL)
        return bw_error_set(err, EINVAL,
                            "--rootfs-upper `%s`: the path cannot hold `,`, `:` or `\\`", opt);
    if (mkdir(opt, 0700) < 0 && errno != EEXIST)
        return bw_error_errno(err, "--rootfs-upper: create `%s`", opt);
    o->dir = realpath(opt, NULL);
    if (o->dir == NULL)
        return bw_error_errno(err, "--rootfs-upper `%s`", opt);
    if (strpbrk(o->dir, ",:\\") != NULL)
        return bw_error_set(err, EINVAL,
                            "--rootfs-upper `%s`: the path cannot hold `,`, `:` or `\\`", o->dir);
    cleanup_close int dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return bw_error_errno(err, "--rootfs-upper `%s`", o->dir);
    o->owner_fd = openat(dfd, "owner", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (o->owner_fd < 0 || flock(o->owner_fd, LOCK_EX) < 0)
        return bw_error_errno(err, "--rootfs-upper: lock `%s/owner`", o->dir);
    char buf[256] = "";
    ssize_t n = pread(o->owner_fd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    int pid = 0;
    unsigned long long start = 0;
    if (sscanf(buf, "%d %llu", &pid, &start) == 2 && pid > 0 && bw_proc_alive(pid, start)) {
        char *name = strchr(buf, '\n');
        if (name != NULL)
            name[strcspn(name + 1, "\n") + 1] = '\0';
        return bw_error_set(err, EBUSY,
                            "--rootfs-upper `%s` is in use by %s%s%s(pid %d): one container at "
                            "a time",
                            o->dir, name ? "container `" : "", name ? name + 1 : "",
                            name ? "` " : "", pid);
    }
    return 0;
}

int bw_overlay_prepare(struct bw_overlay *o, int flag, const char *upper_opt,
                       const struct oci_config *c, const char *bundle, const char *rootfs,
                       bool in_userns, const char *state_root, bw_err_t *err)
{
    int mode = flag;
    if (mode < 0) {
        const char *a = annotation(c, BW_OVERLAY_ANNOTATION);
        mode = a ? bw_overlay_mode_parse(a) : BW_OVERLAY_OFF;
        if (mode < 0)
            return bw_error_set(err, EINVAL,
                                "config.json: annotations[\"" BW_OVERLAY_ANNOTATION
                                "\"]: \"%s\" is not one of auto, kernel, fuse, off",
                                a);
    }
    if (mode == BW_OVERLAY_OFF) {
        if (upper_opt != NULL)
            return bw_error_set(err, EINVAL, "--rootfs-upper needs --rootfs-overlay");
        if (annotation(c, BW_OVERLAY_LOWERS_ANNOTATION) != NULL)
            return bw_error_set(err, EINVAL,
                                "config.json: annotations[\"" BW_OVERLAY_LOWERS_ANNOTATION
                                "\"]: needs a rootfs overlay (--rootfs-overlay or "
                                "annotations[\"" BW_OVERLAY_ANNOTATION "\"])");
        return 0;
    }
    o->in_userns = in_userns;
    if (find_lowers(o, c, bundle, rootfs, err) < 0 || pick_mode(o, mode, state_root, err) < 0)
        return -1;
    /* fuse-overlayfs runs as the container's root in its user namespace:
     * a container that could see it (no pid namespace of its own) could
     * trace it, and with it act in the host's mount namespace. */
    const struct oci_namespace *pidns = oci_linux_find_namespace(c->linux, OCI_NS_PID);
    if (o->mode == BW_OVERLAY_FUSE && in_userns && (pidns == NULL || pidns->path != NULL))
        return bw_error_set(err, 0,
                            "rootfs overlay fuse: fuse-overlayfs runs in the container's user "
                            "namespace, where a container without a pid namespace of its own "
                            "could trace it (add {\"type\": \"pid\"} to linux.namespaces, or "
                            "use the kernel overlay)");
    if (upper_opt != NULL) {
        o->persistent = true;
        if (lock_upper(o, upper_opt, err) < 0)
            return -1;
    }
    return 0;
}
