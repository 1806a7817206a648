/* burrow: the cgroupfs manager, which writes the cgroup2 tree itself.
 *
 * Making the cgroup is mkdir, component by component (the ones made are
 * counted, so that removal takes exactly those).  A controller is usable in
 * the container's cgroup when every ancestor from the root of the
 * hierarchy down to its parent lists it in cgroup.subtree_control; the
 * ones missing are enabled where we may write.  cgroup v2 forbids
 * processes in a cgroup that hands controllers to its children (the
 * "no internal processes" rule, the root excepted): when the parent is the
 * caller's own cgroup, delegated to an unprivileged caller, its processes
 * are moved into a leaf child, BW_CGROUP_LEAF, and burrow says so; as root
 * nothing is moved (a cgroup root is in belongs to whoever made it).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "util/cleanup.h"
#include "util/log.h"

int bw_cgroup_remove_dir(struct bw_cgroup *cg, bw_err_t *err);

/* Whether the space-separated list `s` names controller `name`. */
static bool list_has(const char *s, const char *name)
{
    size_t nl = strlen(name);
    for (const char *p = s; p && *p;) {
        p += strspn(p, " \n");
        size_t l = strcspn(p, " \n");
        if (l == nl && strncmp(p, name, l) == 0)
            return true;
        p += l;
    }
    return false;
}

static bool file_lists(int dirfd, const char *file, const char *name)
{
    cleanup_free char *s = bw_cgroup_read(dirfd, file);
    return s != NULL && list_has(s, name);
}

/* Move every process of `dirfd` (the cgroup `path`) into its leaf child. */
static int move_to_leaf(int dirfd, const char *path, bw_err_t *err)
{
    struct stat st;
    if (fstatat(dirfd, "cgroup.procs", &st, 0) < 0 || st.st_uid != geteuid())
        return bw_error_set(err, EBUSY,
                            "cgroup `%s` has processes, and is not this user's to rearrange", path);
    if (mkdirat(dirfd, BW_CGROUP_LEAF, 0755) < 0 && errno != EEXIST)
        return bw_error_errno(err, "create cgroup `%s/%s`", path, BW_CGROUP_LEAF);
    cleanup_close int leaf = openat(dirfd, BW_CGROUP_LEAF, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (leaf < 0)
        return bw_error_errno(err, "open cgroup `%s/%s`", path, BW_CGROUP_LEAF);
    cleanup_close int procs = openat(leaf, "cgroup.procs", O_WRONLY | O_CLOEXEC);
    if (procs < 0)
        return bw_error_errno(err, "open `%s/%s/cgroup.procs`", path, BW_CGROUP_LEAF);
    int moved = 0;
    /* Processes may fork meanwhile: read again until it is empty. */
    for (int round = 0; round < 10; round++) {
        cleanup_free char *s = bw_cgroup_read(dirfd, "cgroup.procs");
        if (s == NULL || s[0] == '\0')
            break;
        for (char *p = s; *p;) {
            size_t l = strcspn(p, "\n");
            if (l > 0 && write(procs, p, l) < 0 && errno != ESRCH)
                return bw_error_errno(err, "move process %.*s into `%s/%s`", (int)l, p, path,
                                      BW_CGROUP_LEAF);
            moved++;
            p += l;
            p += strspn(p, "\n");
        }
    }
    bw_warn("cgroup `%s`: moved its %d process%s into `%s/%s`, so that controllers can be "
            "enabled for its children (cgroup v2 allows no processes in a cgroup with "
            "controllers enabled below it)",
            path, moved, moved == 1 ? "" : "es", path, BW_CGROUP_LEAF);
    return 0;
}

/* Enable `name` in every ancestor of the container's cgroup.  Returns 0,
 * or -1 with the reason in *why. */
static int enable_one(struct bw_cgroup *cg, const char *name, char **why)
{
    cleanup_close int fd = open(cg->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char cur[4096] = "";
    const char *p = cg->path;
    for (;;) {
        /* fd is an ancestor of the container's cgroup while a component
         * follows: it must hand the controller down. */
        p += strspn(p, "/");
        size_t l = strcspn(p, "/");
        if (l == 0)
            return 0;
        const char *shown = cur[0] ? cur : "/";
        if (!file_lists(fd, "cgroup.subtree_control", name)) {
            if (!file_lists(fd, "cgroup.controllers", name)) {
                if (asprintf(why, "the %s controller is not available in cgroup `%s`", name,
                             shown) < 0)
                    *why = NULL;
                return -1;
            }
            char plus[32];
            snprintf(plus, sizeof(plus), "+%s", name);
            bw_err_t e = NULL;
            int r = 0;
            /* Our own cgroup, with processes: to the leaf first.  A
             * threaded controller (cpu, pids) would be enabled all the
             * same, but make the cgroup a thread root, whose domain
             * children take no process (clone3 then fails EOPNOTSUPP). */
            bool own = cg->rootless && cg->caller != NULL && strcmp(shown, cg->caller) == 0;
            cleanup_free char *procs = own ? bw_cgroup_read(fd, "cgroup.procs") : NULL;
            if (procs != NULL && procs[0] != '\0')
                r = move_to_leaf(fd, shown, &e);
            if (r == 0)
                r = bw_cgroup_write(fd, "cgroup.subtree_control", plus, &e);
            if (r < 0 && e->code == EBUSY && cg->rootless && cg->caller != NULL &&
                strcmp(shown, cg->caller) == 0) {
                bw_error_free(&e);
                if (move_to_leaf(fd, shown, &e) == 0)
                    r = bw_cgroup_write(fd, "cgroup.subtree_control", plus, &e);
            }
            if (r < 0) {
                if (asprintf(why, "the %s controller cannot be enabled in cgroup `%s`: %s%s%s",
                             name, shown, e->msg, e->code ? ": " : "",
                             e->code ? strerror(e->code) : "") < 0)
                    *why = NULL;
                bw_error_free(&e);
                return -1;
            }
        }
        int next = openat(fd, strndupa(p, l), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (next < 0)
            return -1;
        close(fd);
        fd = next;
        snprintf(cur + strlen(cur), sizeof(cur) - strlen(cur), "/%.*s", (int)l, p);
        p += l;
    }
}

/* rmdir the last `made` components of `prefix` (those this create made). */
static void unmake(const char *mount, const char *prefix, size_t len, unsigned made)
{
    cleanup_free char *full = NULL;
    if (asprintf(&full, "%s%.*s", mount, (int)len, prefix) < 0)
        return;
    for (; made > 0; made--) {
        if (rmdir(full) < 0)
            return;
        char *slash = strrchr(full, '/');
        if (slash == NULL || slash == full)
            return;
        *slash = '\0';
    }
}

/* A failed create owns nothing: destroy must not touch the path (an
 * existing cgroup is someone else's). */
static int create_failed(struct bw_cgroup *cg)
{
    free(cg->path);
    cg->path = NULL;
    return -1;
}

static bool has_processes(int fd)
{
    char buf[16];
    cleanup_close int procs = openat(fd, "cgroup.procs", O_RDONLY | O_CLOEXEC);
    return procs >= 0 && read(procs, buf, sizeof(buf)) > 0;
}

static int cgroupfs_create(struct bw_cgroup *cg, unsigned need, bw_err_t *err)
{
    cleanup_close int fd = open(cg->mount, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        bw_error_errno(err, "open the cgroup2 mount `%s`", cg->mount);
        return create_failed(cg);
    }
    /* Made one by one; a failure removes exactly those (once one is made,
     * every deeper one is too). */
    unsigned made = 0;
    const char *p = cg->path;
    while (*(p += strspn(p, "/")) != '\0') {
        size_t l = strcspn(p, "/");
        char *name = strndupa(p, l);
        if (mkdirat(fd, name, 0755) == 0) {
            made++;
        } else if (errno != EEXIST) {
            bw_error_errno(err, "create cgroup `%s%.*s`", cg->mount, (int)(p + l - cg->path),
                           cg->path);
            unmake(cg->mount, cg->path, (size_t)(p - cg->path), made);
            return create_failed(cg);
        }
        int next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (next < 0) {
            bw_error_errno(err, "open cgroup `%s%.*s`", cg->mount, (int)(p + l - cg->path),
                           cg->path);
            unmake(cg->mount, cg->path, (size_t)(p + l - cg->path), made);
            return create_failed(cg);
        }
        close(fd);
        fd = next;
        p += l;
    }
    /* An existing cgroup with processes belongs to someone: sharing it
     * would make `kill --all` and `delete` reach them (as runc, refused). */
    if (made == 0 && has_processes(fd)) {
        bw_error_set(err, EBUSY,
                     "cgroup `%s%s` already exists and has processes: a container needs a "
                     "cgroup of its own (linux.cgroupsPath)",
                     cg->mount, cg->path);
        return create_failed(cg);
    }
    cg->made = made;
    cg->fd = fd;
    fd = -1;
    bw_cgroup_enable(cg, need);
    return 0;
}

void bw_cgroup_enable(struct bw_cgroup *cg, unsigned need)
{
    if (cg->fd < 0 || cg->mount == NULL)
        return;
    for (unsigned bit = 1; bit <= BW_CG_MISC; bit <<= 1) {
        if (!(need & bit))
            continue;
        char *why = NULL;
        if (enable_one(cg, bw_cgroup_controller_name(bit), &why) < 0) {
            bw_debug("cgroup: %s", why ? why : "?");
            free(cg->missing_why[__builtin_ctz(bit)]);
            cg->missing_why[__builtin_ctz(bit)] = why;
        }
    }
    cleanup_free char *have = bw_cgroup_read(cg->fd, "cgroup.controllers");
    for (unsigned bit = 1; bit <= BW_CG_MISC; bit <<= 1) {
        if (have != NULL && list_has(have, bw_cgroup_controller_name(bit)))
            cg->enabled |= bit;
    }
}

static int cgroupfs_destroy(struct bw_cgroup *cg, bw_err_t *err)
{
    return bw_cgroup_remove_dir(cg, err);
}

const struct bw_cgroup_manager bw_cgroup_cgroupfs = {
    .name = "cgroupfs",
    .create = cgroupfs_create,
    .destroy = cgroupfs_destroy,
};
