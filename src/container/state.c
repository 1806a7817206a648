#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/state.h"
#include "cgroup/cgroup.h"
#include "linux/proc.h"
#include "rootfs/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

const char *bw_status_name(enum bw_status s)
{
    switch (s) {
    case BW_STATUS_CREATING:
        return "creating";
    case BW_STATUS_CREATED:
        return "created";
    case BW_STATUS_RUNNING:
        return "running";
    case BW_STATUS_STOPPED:
        return "stopped";
    case BW_STATUS_PAUSED:
        return "paused";
    }
    return "unknown";
}

int bw_id_check(const char *id, bw_err_t *err)
{
    size_t len = strlen(id);
    if (len == 0)
        return bw_error_set(err, 0, "invalid container id: empty");
    if (len > 1024)
        return bw_error_set(err, 0, "invalid container id: %zu characters (at most 1024)", len);
    if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
        return bw_error_set(err, 0, "invalid container id \"%s\"", id);
    for (const char *p = id; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.' || c == '+';
        if (!ok)
            return bw_error_set(err, 0,
                                "invalid container id \"%s\": only letters, digits and _ + - . "
                                "are allowed",
                                id);
    }
    return 0;
}

/* mkdir -p with `mode` for the directories created. */
static int mkdir_p(const char *path, mode_t mode, bw_err_t *err)
{
    cleanup_free char *copy = strdup(path);
    if (copy == NULL)
        return bw_error_set(err, ENOMEM, "create `%s`", path);
    for (char *p = copy + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0755) < 0 && errno != EEXIST)
            return bw_error_errno(err, "create directory `%s`", copy);
        *p = '/';
    }
    if (mkdir(copy, mode) < 0 && errno != EEXIST)
        return bw_error_errno(err, "create directory `%s`", copy);
    return 0;
}

/* The per-user fallback under /tmp must be ours: anyone can create
 * /tmp/burrow-UID first, so check it is a real directory (not a symlink),
 * owned by us and closed to others. */
static char *tmp_root(uid_t uid, bool create, bw_err_t *err)
{
    char *path = NULL;
    if (asprintf(&path, "/tmp/burrow-%u", (unsigned)uid) < 0) {
        bw_error_set(err, ENOMEM, "state root");
        return NULL;
    }
    if (create && mkdir(path, 0700) < 0 && errno != EEXIST) {
        bw_error_errno(err, "create state root `%s`", path);
        free(path);
        return NULL;
    }
    struct stat st;
    if (lstat(path, &st) < 0) {
        /* Not there and not to be created: no containers (the caller
         * finds none). */
        if (!create && errno == ENOENT)
            return path;
        bw_error_errno(err, "stat state root `%s`", path);
        free(path);
        return NULL;
    }
    if (!S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077) != 0) {
        bw_error_set(err, 0,
                     "state root `%s` is not a directory owned by uid %u with mode 0700 "
                     "(someone else may have created it): remove it, or set XDG_RUNTIME_DIR, "
                     "or pass --root",
                     path, (unsigned)uid);
        free(path);
        return NULL;
    }
    return path;
}

/* $XDG_RUNTIME_DIR is set, absolute, and a directory owned by uid. */
static bool xdg_is_ours(uid_t uid)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    return xdg != NULL && xdg[0] == '/' && stat(xdg, &st) == 0 && S_ISDIR(st.st_mode) &&
           st.st_uid == uid;
}

char *bw_state_root(const char *opt, bool create, bw_err_t *err)
{
    char *path = NULL;
    uid_t uid = geteuid();
    if (opt != NULL && opt[0] != '\0') {
        if (opt[0] == '/') {
            path = strdup(opt);
        } else {
            cleanup_free char *cwd = getcwd(NULL, 0);
            if (cwd == NULL || asprintf(&path, "%s/%s", cwd, opt) < 0)
                path = NULL;
        }
    } else if (uid == 0 && (!bw_proc_in_child_userns() || !xdg_is_ours(uid))) {
        /* Root in a user namespace (rootless Podman runs its runtime as
         * root in the namespace it made) cannot write /run: it gets the
         * $XDG_RUNTIME_DIR of the user it is, as a user does. */
        path = strdup("/run/burrow");
    } else {
        const char *xdg = getenv("XDG_RUNTIME_DIR");
        if (xdg_is_ours(uid)) {
            if (asprintf(&path, "%s/burrow", xdg) < 0)
                path = NULL;
        } else {
            if (xdg != NULL && xdg[0] != '\0')
                bw_debug("XDG_RUNTIME_DIR `%s` is not a directory owned by uid %u: using /tmp", xdg,
                         (unsigned)uid);
            return tmp_root(uid, create, err);
        }
    }
    if (path == NULL) {
        bw_error_set(err, ENOMEM, "state root");
        return NULL;
    }
    if (create && mkdir_p(path, 0700, err) < 0) {
        free(path);
        return NULL;
    }
    return path;
}

void bw_cdir_close(struct bw_cdir *d)
{
    if (d->fd >= 0)
        close(d->fd);
    d->fd = -1;
    free(d->root);
    free(d->id);
    d->root = d->id = NULL;
}

static int cdir_init(struct bw_cdir *d, const char *root, const char *id, bw_err_t *err)
{
    d->fd = -1;
    d->locked = false;
    d->root = strdup(root);
    d->id = strdup(id);
    if (d->root == NULL || d->id == NULL)
        return bw_error_set(err, ENOMEM, "container `%s`", id);
    return 0;
}

int bw_cdir_create(const char *root, const char *id, struct bw_cdir *d, bw_err_t *err)
{
    if (cdir_init(d, root, id, err) < 0)
        return -1;
    cleanup_close int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return bw_error_errno(err, "open state root `%s`", root);
    /* 0711: a container whose root user is not the caller (a user namespace
     * mapping 0 to a subordinate id) must still reach its exec.fifo by name. */
    if (mkdirat(rootfd, id, 0711) < 0) {
        if (errno == EEXIST)
            return bw_error_set(err, 0, "container `%s` already exists", id);
        return bw_error_errno(err, "create state directory `%s/%s`", root, id);
    }
    d->fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d->fd < 0 || flock(d->fd, LOCK_EX) < 0) {
        int saved = errno;
        unlinkat(rootfd, id, AT_REMOVEDIR);
        return bw_error_set(err, saved, "open state directory `%s/%s`", root, id);
    }
    d->locked = true;
    /* mkdir's mode went through the umask. */
    fchmod(d->fd, 0711);
    return 0;
}

int bw_cdir_open(const char *root, const char *id, bool lock, struct bw_cdir *d, bw_err_t *err)
{
    if (cdir_init(d, root, id, err) < 0)
        return -1;
    cleanup_close int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        if (errno == ENOENT)
            return bw_error_set(err, 0, "container `%s` does not exist", id);
        return bw_error_errno(err, "open state root `%s`", root);
    }
    d->fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (d->fd < 0) {
        if (errno == ENOENT)
            return bw_error_set(err, 0, "container `%s` does not exist", id);
        return bw_error_errno(err, "open state directory `%s/%s`", root, id);
    }
    if (lock) {
        if (flock(d->fd, LOCK_EX) < 0)
            return bw_error_errno(err, "lock state directory `%s/%s`", root, id);
        d->locked = true;
    }
    return 0;
}

int bw_cdir_remove(struct bw_cdir *d, bw_err_t *err)
{
    cleanup_close int rootfd = open(d->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0)
        return bw_error_errno(err, "open state root `%s`", d->root);
    /* Remove ROOT/ID only while it is still the directory we hold: without
     * the lock (a foreground `run` waiting for its process), another
     * `delete` and `create` of the same id may have replaced it. */
    struct stat ours, now;
    if (d->fd >= 0 && fstat(d->fd, &ours) == 0) {
        if (fstatat(rootfd, d->id, &now, AT_SYMLINK_NOFOLLOW) < 0)
            return errno == ENOENT ? 0 : bw_error_errno(err, "stat `%s/%s`", d->root, d->id);
        if (now.st_dev != ours.st_dev || now.st_ino != ours.st_ino)
            return 0;
    }
    /* The overlay's daemon first, and an upper the caller may need a user
     * namespace to remove. */
    if (d->fd >= 0)
        bw_overlay_cleanup(d->fd);
    return bw_rm_rf_at(rootfd, d->id, err);
}

int bw_cdir_write_state(struct bw_cdir *d, const struct bw_state *s, bw_err_t *err)
{
    cleanup_free char *json = bw_state_to_file_json(s, err);
    if (json == NULL)
        return -1;
    return bw_write_file_atomic_at(d->fd, BW_STATE_FILE, json, strlen(json), 0600, err);
}

int bw_cdir_read_state(struct bw_cdir *d, struct bw_state *s, bw_err_t *err)
{
    size_t len = 0;
    bw_err_t e = NULL;
    cleanup_free char *data = bw_read_file_at(d->fd, BW_STATE_FILE, 1 << 20, &len, &e);
    if (data == NULL) {
        if (e->code == ENOENT) {
            bw_error_free(&e);
            return 1;
        }
        *err = e;
        return -1;
    }
    return bw_state_from_file_json(data, len, BW_STATE_FILE, s, err);
}

enum bw_status bw_cdir_status(struct bw_cdir *d, const struct bw_state *s)
{
    if (s == NULL || s->pid <= 0) {
        /* No process recorded: a create holding the lock is still at work;
         * otherwise a create died half-way and `delete` cleans up. */
        if (d->locked)
            return BW_STATUS_STOPPED;
        cleanup_close int fd = openat(d->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0 && flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK)
            return BW_STATUS_CREATING;
        return BW_STATUS_STOPPED;
    }
    if (!bw_proc_alive(s->pid, s->pid_start))
        return BW_STATUS_STOPPED;
    if (faccessat(d->fd, BW_EXEC_FIFO, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
        return BW_STATUS_CREATED;
    if (bw_cgroup_recorded_frozen(d->fd))
        return BW_STATUS_PAUSED;
    return BW_STATUS_RUNNING;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **bw_state_list_ids(const char *root, bw_err_t *err)
{
    cleanup_dir DIR *dir = opendir(root);
    size_t n = 0, cap = 16;
    char **ids = calloc(cap + 1, sizeof(char *));
    if (ids == NULL) {
        bw_error_set(err, ENOMEM, "list containers");
        return NULL;
    }
    if (dir == NULL) {
        if (errno == ENOENT)
            return ids;
        bw_error_errno(err, "open state root `%s`", root);
        free(ids);
        return NULL;
    }
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        /* Only containers: "@cache" (seccomp-cache.c) and whatever else
         * is not a valid id are not. */
        bw_err_t ignored = NULL;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) ||
            bw_id_check(de->d_name, &ignored) < 0) {
            bw_error_free(&ignored);
            continue;
        }
        if (n == cap) {
            char **nids = realloc(ids, (2 * cap + 1) * sizeof(char *));
            if (nids == NULL)
                break;
            ids = nids;
            cap *= 2;
        }
        ids[n++] = strdup(de->d_name);
        ids[n] = NULL;
    }
    qsort(ids, n, sizeof(char *), cmp_str);
    return ids;
}

char *bw_now_rfc3339(void)
{
    struct timespec ts;
    struct tm tm;
    char *s = NULL;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    if (asprintf(&s, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec) < 0)
        return NULL;
    return s;
}

struct oci_config *bw_cdir_read_config(struct bw_cdir *d, bw_err_t *err)
{
    size_t len = 0;
    cleanup_free char *raw = bw_read_file_at(d->fd, BW_CONFIG_FILE, 16u << 20, &len, err);
    if (raw == NULL)
        return NULL;
    return oci_config_parse(raw, len, BW_CONFIG_FILE, err);
}
