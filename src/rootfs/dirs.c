/* burrow: the upper directory of the rootfs overlay, its record in the
 * state directory, and its end (see rootfs.h). */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "linux/proc.h"
#include "rootfs/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/* The record, one `key=value` a line:
 *   mode=kernel|fuse  dir=ABS  persistent=0|1  daemon=PID START
 *   uidmap=IN OUT N (repeated)  gidmap=IN OUT N (repeated)
 * The maps are those of the container's user namespace: an upper written
 * through them holds files of ids the caller can only remove from a user
 * namespace mapped the same way. */
static int write_record(struct bw_overlay *o, const struct bw_idmap_plan *idmap, bw_err_t *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        return bw_error_errno(err, "record the rootfs overlay");
    fprintf(f, "mode=%s\ndir=%s\npersistent=%d\ndaemon=%d %llu\n",
            o->mode == BW_OVERLAY_FUSE ? "fuse" : "kernel", o->dir, o->persistent ? 1 : 0,
            (int)o->daemon, (unsigned long long)o->daemon_start);
    for (size_t i = 0; idmap != NULL && i < idmap->uid.len; i++)
        fprintf(f, "uidmap=%u %u %u\n", idmap->uid.m[i].container_id, idmap->uid.m[i].host_id,
                idmap->uid.m[i].size);
    for (size_t i = 0; idmap != NULL && i < idmap->gid.len; i++)
        fprintf(f, "gidmap=%u %u %u\n", idmap->gid.m[i].container_id, idmap->gid.m[i].host_id,
                idmap->gid.m[i].size);
    fclose(f);
    int r = bw_write_file_atomic_at(o->statedir_fd, BW_OVERLAY_STATE_FILE, buf, len, 0600, err);
    free(buf);
    return r;
}

static int copy_maps(const struct bw_idmap_plan *from, struct bw_idmap_plan *to)
{
    memset(to, 0, sizeof(*to));
    if (from == NULL)
        return 0;
    to->uid.m = calloc(from->uid.len + 1, sizeof(*to->uid.m));
    to->gid.m = calloc(from->gid.len + 1, sizeof(*to->gid.m));
    if (to->uid.m == NULL || to->gid.m == NULL)
        return -1;
    memcpy(to->uid.m, from->uid.m, from->uid.len * sizeof(*to->uid.m));
    memcpy(to->gid.m, from->gid.m, from->gid.len * sizeof(*to->gid.m));
    to->uid.len = from->uid.len;
    to->gid.len = from->gid.len;
    return 0;
}

int bw_overlay_record(struct bw_overlay *o, bw_err_t *err)
{
    return write_record(o, &o->maps, err);
}

/* Can uid:gid (as root: the container's root on the host) reach `dir`?
 * setfsuid drops our file capabilities while it lasts. */
static bool reachable_by(const char *dir, uid_t uid, gid_t gid)
{
    int old_gid = setfsgid(gid);
    int old_uid = setfsuid(uid);
    bool ok = faccessat(AT_FDCWD, dir, X_OK, AT_EACCESS) == 0;
    setfsuid((uid_t)old_uid);
    setfsgid((gid_t)old_gid);
    return ok;
}

int bw_overlay_make_dirs(struct bw_overlay *o, int statedir_fd, const struct bw_idmap_plan *idmap,
                         bw_err_t *err)
{
    if (o->mode == BW_OVERLAY_OFF)
        return 0;
    o->statedir_fd = statedir_fd;
    if (!o->persistent) {
        /* upper/ and work/ in the state directory itself: on a disk file
         * system every directory made and removed costs (a tenth of a
         * millisecond or more each), and overlayfs adds its own three. */
        char link[64], path[4096];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", statedir_fd);
        ssize_t n = readlink(link, path, sizeof(path) - 1);
        if (n < 0)
            return bw_error_errno(err, "rootfs overlay: find the state directory");
        path[n] = '\0';
        if (strpbrk(path, ",:\\") != NULL)
            return bw_error_set(err, EINVAL,
                                "rootfs overlay: the state directory `%s` cannot hold the upper: "
                                "its path holds `,`, `:` or `\\` (choose another --root)",
                                path);
        o->dir = strdup(path);
        if (o->dir == NULL)
            return bw_error_set(err, ENOMEM, "rootfs overlay");
    }
    if (copy_maps(idmap, &o->maps) < 0)
        return bw_error_set(err, ENOMEM, "rootfs overlay");
    /* Recorded first: a failure from here on is cleaned up from it. */
    if (write_record(o, idmap, err) < 0)
        return bw_error_prefix(err, "rootfs overlay");
    cleanup_close int own = o->persistent ? open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    int dfd = o->persistent ? own : statedir_fd;
    if (dfd < 0)
        return bw_error_errno(err, "rootfs overlay: open `%s`", o->dir);
    /* The container's root writes them: as root with a mapping, they are
     * its host ids' (rootless, our own ids are its root already). */
    uid_t uid = (uid_t)-1;
    gid_t gid = (gid_t)-1;
    if (idmap != NULL && geteuid() == 0) {
        uid = (uid_t)bw_idmap_to_host(idmap->uid.m, idmap->uid.len, 0);
        gid = (gid_t)bw_idmap_to_host(idmap->gid.m, idmap->gid.len, 0);
    }
    if (o->mode == BW_OVERLAY_FUSE && (uid != (uid_t)-1 || gid != (gid_t)-1) &&
        !reachable_by(o->dir, uid, gid))
        return bw_error_set(err, EACCES,
                            "rootfs overlay fuse: fuse-overlayfs runs as the container's root "
                            "(host uid %u), which cannot reach `%s`: use the kernel overlay, or "
                            "a state root (--root) or --rootfs-upper DIR that uid can traverse",
                            (unsigned)uid, o->dir);
    static const char *const names[2] = {"upper", "work"};
    for (int i = 0; i < 2; i++) {
        if (mkdirat(dfd, names[i], i == 0 ? 0755 : 0700) < 0 && errno != EEXIST)
            return bw_error_errno(err, "rootfs overlay: create `%s/%s`", o->dir, names[i]);
        if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
            fchownat(dfd, names[i], uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
            return bw_error_errno(err, "rootfs overlay: chown `%s/%s`", o->dir, names[i]);
    }
    return 0;
}

int bw_overlay_started(struct bw_overlay *o, const char *id, pid_t pid, uint64_t start,
                       bw_err_t *err)
{
    if (o->owner_fd < 0)
        return 0;
    char buf[1200];
    int n = snprintf(buf, sizeof(buf), "%d %llu\n%s\n", (int)pid, (unsigned long long)start, id);
    if (ftruncate(o->owner_fd, 0) < 0 || pwrite(o->owner_fd, buf, (size_t)n, 0) != n)
        return bw_error_errno(err, "--rootfs-upper: write `%s/owner`", o->dir);
    return 0;
}

/* ------------------------------------------------------------------------
 * The end
 */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Gone, or a zombie of ours now reaped. */
static bool daemon_gone(pid_t pid, uint64_t start)
{
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid)
        return true;
    return !bw_proc_alive(pid, start);
}

static void stop_daemon(pid_t pid, uint64_t start)
{
    /* It leaves by itself once the container's mount namespace is gone
     * (ENODEV): give it that chance, so its last writes land. */
    for (int i = 0; i < 200; i++) {
        if (daemon_gone(pid, start))
            return;
        sleep_ms(10);
    }
    bw_warn("fuse-overlayfs (pid %d) still runs after its container: killing it", (int)pid);
    kill(pid, SIGKILL);
    for (int i = 0; i < 100 && !daemon_gone(pid, start); i++)
        sleep_ms(10);
}

static int parse_map(const char *v, struct bw_idmap *m)
{
    struct oci_id_mapping x;
    if (sscanf(v, "%u %u %u", &x.container_id, &x.host_id, &x.size) != 3)
        return -1;
    struct oci_id_mapping *n = realloc(m->m, (m->len + 1) * sizeof(*n));
    if (n == NULL)
        return -1;
    m->m = n;
    m->m[m->len++] = x;
    return 0;
}

/* Remove `names` as the container's root would: in a new user namespace
 * mapped as the container's was, where we hold CAP_DAC_OVERRIDE and
 * CAP_FOWNER over every id of the upper. */
static int remove_in_userns(int dirfd, const char *const *names, struct bw_idmap_plan *plan,
                            bw_err_t *err)
{
    if (bw_idmap_plan_prepare(plan, geteuid(), getegid(), err) < 0)
        return -1;
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
        return bw_error_errno(err, "socketpair");
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return bw_error_errno(err, "fork");
    }
    if (pid == 0) {
        close(sv[0]);
        char c = 0;
        /* The parent writes our maps: it must be able to open our
         * /proc/PID/uid_map (a non-dumpable process's files are root's). */
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        if (unshare(CLONE_NEWUSER) < 0 || write(sv[1], &c, 1) != 1 || read(sv[1], &c, 1) != 1 ||
            c != 1)
            _exit(1);
        if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
            _exit(1);
        bw_err_t e = NULL;
        for (size_t i = 0; names[i] != NULL; i++) {
            if (bw_rm_rf_at(dirfd, names[i], &e) < 0) {
                bw_warn("%s", e->msg);
                _exit(1);
            }
        }
        _exit(0);
    }
    close(sv[1]);
    char c = 0;
    int r = -1;
    if (read(sv[0], &c, 1) == 1 && bw_idmap_write(pid, plan, err) == 0) {
        c = 1;
        r = write(sv[0], &c, 1) == 1 ? 0 : -1;
    }
    close(sv[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (r == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        r = bw_error_set(err, 0, "remove the upper in the container's user namespace");
    else if (r < 0 && *err == NULL)
        bw_error_set(err, EPROTO, "remove the upper in the container's user namespace");
    return r;
}

/* Remove `name` (in `dirfd`) with our own ids: overlayfs leaves its work
 * directory (work/work, and with `volatile` work/work/incompat/volatile)
 * mode 000, which a directory of ours only needs a chmod to open.  No
 * process, no namespace: the common case (the upper is ours, rootless or
 * as root) costs a few syscalls.  -1 with errno when something is not ours;
 * the caller then removes the rest as the container's root. */
static int rm_own_tree(int dirfd, const char *name, int depth)
{
    if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
        return 0;
    if (errno != EISDIR && errno != EPERM)
        return -1;
    /* An empty directory (the usual work/work) goes without being read. */
    if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
        return 0;
    if (errno != ENOTEMPTY && errno != EEXIST)
        return -1;
    if (depth > 256) {
        errno = ELOOP;
        return -1;
    }
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == EACCES && fchmodat(dirfd, name, 0700, 0) == 0)
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    cleanup_dir DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return -1;
    }
    struct dirent *de;
    while ((errno = 0, de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
            rm_own_tree(fd, de->d_name, depth + 1) < 0)
            return -1;
    }
    if (errno != 0)
        return -1;
    if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
        return -1;
    return 0;
}

/* What overlayfs leaves in a fresh work dir, all mode 000: work/work, and
 * with `volatile` work/work/incompat/volatile/dirty.  Removed by name, a
 * dozen syscalls instead of reading each directory; whatever else is there
 * (a crash's leftovers) is left to rm_own_tree.  Only the kernel writes
 * there (no symlink for the chmods to follow). */
static void rm_kernel_work(int statedir_fd)
{
    static const char *const chain[] = {"work/work", "work/work/incompat",
                                        "work/work/incompat/volatile"};
    size_t depth = 0;
    while (depth < 3 && fchmodat(statedir_fd, chain[depth], 0700, 0) == 0)
        depth++;
    if (depth == 3)
        unlinkat(statedir_fd, "work/work/incompat/volatile/dirty", 0);
    while (depth > 0)
        unlinkat(statedir_fd, chain[--depth], AT_REMOVEDIR);
}

static void release_upper(const char *dir)
{
    cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return;
    cleanup_close int fd = openat(dfd, "owner", O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return;
    char buf[64] = "";
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    int pid = 0;
    unsigned long long start = 0;
    if (sscanf(buf, "%d %llu", &pid, &start) == 2 && !bw_proc_alive(pid, start) &&
        ftruncate(fd, 0) < 0)
        bw_debug("--rootfs-upper: truncate `%s/owner`: %s", dir, strerror(errno));
}

void bw_overlay_cleanup(int statedir_fd)
{
    size_t len = 0;
    bw_err_t e = NULL;
    cleanup_free char *rec = bw_read_file_at(statedir_fd, BW_OVERLAY_STATE_FILE, 1 << 20, &len, &e);
    if (rec == NULL) {
        bw_error_free(&e);
        return;
    }
    struct bw_idmap_plan plan = {0};
    char *dir = NULL;
    bool persistent = false, kernel = false;
    int dpid = 0;
    unsigned long long dstart = 0;
    char *save = NULL;
    for (char *line = strtok_r(rec, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "dir=", 4) == 0)
            dir = line + 4;
        else if (strcmp(line, "mode=kernel") == 0)
            kernel = true;
        else if (strcmp(line, "persistent=1") == 0)
            persistent = true;
        else if (strncmp(line, "daemon=", 7) == 0)
            sscanf(line + 7, "%d %llu", &dpid, &dstart);
        else if (strncmp(line, "uidmap=", 7) == 0)
            parse_map(line + 7, &plan.uid);
        else if (strncmp(line, "gidmap=", 7) == 0)
            parse_map(line + 7, &plan.gid);
    }
    if (dpid > 0)
        stop_daemon(dpid, dstart);
    if (persistent && dir != NULL) {
        release_upper(dir);
    } else {
        static const char *const names[] = {"upper", "work", NULL};
        if (kernel)
            rm_kernel_work(statedir_fd);
        for (size_t i = 0; names[i] != NULL; i++) {
            if (rm_own_tree(statedir_fd, names[i], 0) == 0)
                continue;
            /* Files of other ids than ours, rootless. */
            int code = errno;
            if (geteuid() == 0 || plan.uid.len == 0)
                bw_warn("rootfs overlay: remove `%s`: %s", names[i], strerror(code));
            else if (remove_in_userns(statedir_fd, names + i, &plan, &e) < 0)
                bw_warn("rootfs overlay: %s", e->msg);
            bw_error_free(&e);
            break;
        }
    }
    bw_idmap_plan_free(&plan);
    unlinkat(statedir_fd, BW_OVERLAY_STATE_FILE, 0);
}
