/* burrow check: what rootless burrow can do for this user on this host,
 * and the fix for each piece that is missing.
 *
 * Each probe is real: a user namespace is created (in a child), the kernel
 * overlay is mounted in one, /dev/fuse is opened; nothing is left behind.
 * One line per piece:
 *
 *   ok       NAME: what was found
 *   missing  NAME: what is wrong
 *            fix: what to do
 *   note     NAME: optional, and how to get it
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "container/container.h"
#include "util/cleanup.h"
#include "util/fs.h"

struct report {
    FILE *out;
    int missing;
};

static void line(struct report *r, const char *kind, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void line(struct report *r, const char *kind, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(r->out, "%-8s %s: ", kind, name);
    vfprintf(r->out, fmt, ap);
    fputc('\n', r->out);
    va_end(ap);
    if (strcmp(kind, "missing") == 0)
        r->missing++;
}

static void fix(struct report *r, const char *text)
{
    fprintf(r->out, "%-8s fix: %s\n", "", text);
}

/* Run `fn` in a child; its exit status (0 success), or -1. */
static int in_child(int (*fn)(void *), void *arg)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(fn(arg));
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int write_str(const char *path, const char *s)
{
    cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
    return fd >= 0 && write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
}

/* Become root of a new user namespace (own id mapped to 0). */
static int enter_userns(int extra)
{
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER | extra) < 0)
        return errno == EPERM || errno == EACCES ? 10 : 11;
    char map[64];
    snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
    if (write_str("/proc/self/uid_map", map) < 0)
        return 12;
    write_str("/proc/self/setgroups", "deny");
    snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
    return write_str("/proc/self/gid_map", map) < 0 ? 13 : 0;
}

static int probe_userns(void *arg)
{
    (void)arg;
    return enter_userns(0);
}

static int probe_overlay(void *arg)
{
    const char *dir = arg;
    int r = enter_userns(CLONE_NEWNS);
    if (r != 0)
        return r;
    char opts[4200], merged[4100];
    snprintf(opts, sizeof(opts), "lowerdir=%s/l,upperdir=%s/u,workdir=%s/w", dir, dir, dir);
    snprintf(merged, sizeof(merged), "%s/m", dir);
    return mount("overlay", merged, "overlay", 0, opts) == 0 ? 0 : 20;
}

static void check_userns(struct report *r)
{
    int st = in_child(probe_userns, NULL);
    if (st == 0) {
        line(r, "ok", "user namespaces", "an unprivileged user namespace can be created");
        return;
    }
    line(r, "missing", "user namespaces", "creating one failed (status %d)", st);
    fix(r, "sysctl -w kernel.unprivileged_userns_clone=1 (Debian), user.max_user_namespaces > "
           "0, and on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0");
}

/* The first range of `name` (or its uid) in /etc/subuid or /etc/subgid. */
static bool sub_range(const char *file, const char *name, unsigned id, char *out, size_t size)
{
    cleanup_file FILE *f = fopen(file, "re");
    if (f == NULL)
        return false;
    char buf[512], idstr[16];
    snprintf(idstr, sizeof(idstr), "%u", id);
    while (fgets(buf, sizeof(buf), f) != NULL) {
        char *colon = strchr(buf, ':');
        if (colon == NULL)
            continue;
        *colon = '\0';
        if ((name != NULL && strcmp(buf, name) == 0) || strcmp(buf, idstr) == 0) {
            snprintf(out, size, "%s", colon + 1);
            out[strcspn(out, "\n")] = '\0';
            return true;
        }
    }
    return false;
}

static void check_subids(struct report *r)
{
    struct passwd *pw = getpwuid(geteuid());
    const char *name = pw ? pw->pw_name : NULL;
    const char *files[] = {"/etc/subuid", "/etc/subgid"};
    for (int i = 0; i < 2; i++) {
        char range[256];
        if (sub_range(files[i], name, (unsigned)geteuid(), range, sizeof(range))) {
            line(r, "ok", files[i] + 5, "%s:%s", name ? name : "?", range);
            continue;
        }
        line(r, "missing", files[i] + 5,
             "no range for %s in %s: only your own id can be mapped (as 0)", name ? name : "you",
             files[i]);
        char buf[256];
        snprintf(buf, sizeof(buf),
                 "add `%s:100000:65536` to %s (usermod --add-sub%cids "
                 "100000-165535 %s)",
                 name ? name : "USER", files[i], i == 0 ? 'u' : 'g', name ? name : "USER");
        fix(r, buf);
    }
}

/* PATH lookup; malloc'd path or NULL. */
static char *which(const char *prog)
{
    const char *path = getenv("PATH");
    if (path == NULL)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (const char *p = path; *p;) {
        size_t l = strcspn(p, ":");
        char *cand = NULL;
        if (l > 0 && asprintf(&cand, "%.*s/%s", (int)l, p, prog) >= 0) {
            if (access(cand, X_OK) == 0)
                return cand;
            free(cand);
        }
        p += l;
        if (*p == ':')
            p++;
    }
    return NULL;
}

static void check_idmap_helper(struct report *r, const char *prog)
{
    cleanup_free char *path = which(prog);
    struct stat st;
    if (path == NULL || stat(path, &st) < 0) {
        line(r, "missing", prog, "not found in PATH: ranges of /etc/subuid cannot be mapped");
        fix(r, "install it: apt-get install uidmap (Debian, Ubuntu), dnf install shadow-utils");
        return;
    }
    bool setuid_root = (st.st_mode & S_ISUID) && st.st_uid == 0;
    bool caps = getxattr(path, "security.capability", NULL, 0) > 0;
    if (!setuid_root && !caps) {
        line(r, "missing", prog, "%s is neither setuid root nor has file capabilities", path);
        fix(r, "chmod u+s on it as root, or reinstall the package (uidmap, shadow-utils)");
        return;
    }
    line(r, "ok", prog, "%s (%s)", path, setuid_root ? "setuid root" : "file capabilities");
}

static void check_cgroup(struct report *r)
{
    char *mount = NULL, *caller = NULL, *why = NULL;
    if (bw_cgroup_find(&mount, &caller, &why) < 0) {
        line(r, "missing", "cgroup v2", "%s: limits, pause and update are not available",
             why ? why : "no cgroup2 hierarchy");
        fix(r, "boot with systemd.unified_cgroup_hierarchy=1 (and cgroup_no_v1=all)");
        free(why);
        return;
    }
    bool pure = strcmp(mount, "/sys/fs/cgroup") == 0;
    cleanup_free char *dir = NULL;
    if (asprintf(&dir, "%s%s", mount, strcmp(caller, "/") == 0 ? "" : caller) < 0)
        dir = NULL;
    cleanup_free char *procs = NULL;
    if (dir != NULL && asprintf(&procs, "%s/cgroup.procs", dir) < 0)
        procs = NULL;
    line(r, "ok", "cgroup version", "%s (cgroup2 at %s)", pure ? "v2" : "hybrid (v1 and v2)",
         mount);
    bool mine =
        geteuid() == 0 || (dir && procs && access(dir, W_OK) == 0 && access(procs, W_OK) == 0);
    char where[4200];
    if (!mine && bw_cgroup_systemd_reachable(true, where, sizeof(where))) {
        line(r, "ok", "cgroup delegation",
             "your cgroup %s is not delegated to you; the systemd user manager at %s makes each "
             "container a scope with Delegate=yes",
             caller, where);
    } else if (!mine) {
        line(r, "missing", "cgroup delegation",
             "your cgroup %s is not delegated to you: no limits, pause or update rootless", caller);
        fix(r, "run under a systemd user session (systemd-run --user --scope -p Delegate=yes "
               "burrow ...), or have root chown a cgroup's directory, cgroup.procs, "
               "cgroup.subtree_control and cgroup.threads to you");
    } else {
        cleanup_free char *ctl = NULL;
        if (dir != NULL) {
            cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            ctl = fd >= 0 ? bw_cgroup_read(fd, "cgroup.controllers") : NULL;
        }
        if (ctl != NULL)
            ctl[strcspn(ctl, "\n")] = '\0';
        /* The controllers of the usual limits. */
        static const char *const wanted[] = {"memory", "pids", "cpu", "io", "cpuset"};
        char lacking[128] = "";
        for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
            size_t wl = strlen(wanted[i]);
            const char *p = ctl;
            bool found = false;
            while (p != NULL && (p = strstr(p, wanted[i])) != NULL) {
                if ((p == ctl || p[-1] == ' ') && (p[wl] == ' ' || p[wl] == '\0'))
                    found = true;
                p += wl;
            }
            if (!found)
                snprintf(lacking + strlen(lacking), sizeof(lacking) - strlen(lacking), "%s%s",
                         lacking[0] ? " " : "", wanted[i]);
        }
        if (lacking[0] != '\0') {
            line(r, "missing", "cgroup controllers",
                 "%s is writable, but lacks %s (it has: %s): placement, pause and kill work, "
                 "those limits do not",
                 dir, lacking, ctl && ctl[0] ? ctl : "none");
            fix(r, pure ? "delegate controllers: [Service] Delegate=cpu cpuset io memory pids in "
                          "/etc/systemd/system/user@.service.d/delegate.conf"
                        : "a hybrid host gives the cgroup2 hierarchy no controllers: boot with "
                          "systemd.unified_cgroup_hierarchy=1");
        } else {
            line(r, "ok", "cgroup controllers", "%s (in %s)", ctl, dir);
        }
    }
    free(mount);
    free(caller);
}

static void check_overlay(struct report *r)
{
    char tmpl[] = "/tmp/burrow-check.XXXXXX";
    char *dir = mkdtemp(tmpl);
    if (dir == NULL) {
        line(r, "missing", "kernel overlay in a user namespace", "cannot create a test directory");
        return;
    }
    const char *subs[] = {"l", "u", "w", "m"};
    for (int i = 0; i < 4; i++) {
        char p[64];
        snprintf(p, sizeof(p), "%s/%s", dir, subs[i]);
        mkdir(p, 0755);
    }
    int st = in_child(probe_overlay, dir);
    /* The kernel made w/work mode 000; it is ours: open it up to remove it. */
    char work[64];
    snprintf(work, sizeof(work), "%s/w/work", dir);
    chmod(work, 0700);
    bw_rm_rf_at(AT_FDCWD, dir, NULL);
    if (st == 0) {
        line(r, "ok", "kernel overlay in a user namespace", "mounts");
        return;
    }
    line(r, "missing", "kernel overlay in a user namespace",
         "the kernel refused it (status %d): fuse-overlayfs is needed instead", st);
    fix(r, "Linux 5.11 or later, or install fuse-overlayfs");
}

static void check_fuse(struct report *r)
{
    cleanup_close int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        line(r, "ok", "/dev/fuse", "can be opened");
        return;
    }
    line(r, "missing", "/dev/fuse", "cannot be opened: %s", strerror(errno));
    fix(r, "modprobe fuse, and make /dev/fuse mode 0666 (udev does by default)");
}

static void check_tool(struct report *r, const char *prog, const char *what, const char *pkg)
{
    cleanup_free char *path = which(prog);
    if (path != NULL) {
        line(r, "ok", prog, "%s", path);
        return;
    }
    line(r, "missing", prog, "not found in PATH: %s", what);
    char buf[200];
    snprintf(buf, sizeof(buf), "apt-get install %s", pkg);
    fix(r, buf);
}

int bw_check(FILE *out, bw_err_t *err)
{
    (void)err;
    struct report r = {.out = out};
    fprintf(out, "burrow check: uid %u%s\n", (unsigned)geteuid(),
            geteuid() == 0 ? " (root: the rootless pieces are shown for reference)" : "");
    check_userns(&r);
    check_subids(&r);
    check_idmap_helper(&r, "newuidmap");
    check_idmap_helper(&r, "newgidmap");
    check_cgroup(&r);
    check_overlay(&r);
    check_fuse(&r);
    check_tool(&r, "fuse-overlayfs", "the rootfs overlay where the kernel's is not allowed",
               "fuse-overlayfs");
    check_tool(&r, "slirp4netns", "network access from a rootless network namespace",
               "slirp4netns");
    check_tool(&r, "pasta", "network access (an alternative to slirp4netns)", "passt");
    fprintf(out, "%d missing\n", r.missing);
    return r.missing;
}
