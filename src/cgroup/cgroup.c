/* burrow: the cgroup v2 parts every manager shares: finding the hierarchy
 * and the caller's place in it, choosing the manager, the state record,
 * freeze, kill, the process list and removal. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "cgroup/cgroup.h"
#include "linux/proc.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

static const char *const controller_names[] = {"memory", "pids",    "cpu",  "cpuset",
                                               "io",     "hugetlb", "rdma", "misc"};
#define N_CONTROLLERS (sizeof(controller_names) / sizeof(controller_names[0]))

unsigned bw_cgroup_controller_bit(const char *name, size_t len)
{
    for (size_t i = 0; i < N_CONTROLLERS; i++) {
        if (strlen(controller_names[i]) == len && strncmp(controller_names[i], name, len) == 0)
            return 1u << i;
    }
    return 0;
}

const char *bw_cgroup_controller_name(unsigned bit)
{
    for (size_t i = 0; i < N_CONTROLLERS; i++) {
        if (bit == 1u << i)
            return controller_names[i];
    }
    return "?";
}

void bw_cgroup_init(struct bw_cgroup *cg)
{
    memset(cg, 0, sizeof(*cg));
    cg->mgr = &bw_cgroup_none;
    cg->fd = -1;
}

void bw_cgroup_free(struct bw_cgroup *cg)
{
    free(cg->mount);
    free(cg->path);
    free(cg->caller);
    free(cg->why_none);
    free(cg->unit);
    free(cg->slice);
    free(cg->bus);
    for (size_t i = 0; i < 8; i++)
        free(cg->missing_why[i]);
    if (cg->fd >= 0)
        close(cg->fd);
    bw_cgroup_init(cg);
}

int bw_cgroup_write(int dirfd, const char *file, const char *value, bw_err_t *err)
{
    cleanup_close int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return bw_error_errno(err, "open `%s`", file);
    size_t len = strlen(value);
    ssize_t n = write(fd, value, len);
    if (n < 0)
        return bw_error_errno(err, "write \"%s\" to `%s`", value, file);
    if ((size_t)n != len)
        return bw_error_set(err, EIO, "write \"%s\" to `%s`: short write", value, file);
    return 0;
}

char *bw_cgroup_read(int dirfd, const char *file)
{
    bw_err_t e = NULL;
    size_t len = 0;
    char *s = bw_read_file_at(dirfd, file, 1 << 20, &len, &e);
    bw_error_free(&e);
    return s;
}

/* ------------------------------------------------------------------------
 * Finding the place
 */

/* Unescape mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            *w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
            r += 3;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

/* The cgroup2 mount: /sys/fs/cgroup on a pure v2 host, the unified
 * hierarchy (/sys/fs/cgroup/unified) of a hybrid one, else the first.  Its
 * root (mountinfo's 4th field) is the cgroup it shows. */
static int find_mount(char **mount, char **mroot)
{
    cleanup_file FILE *f = fopen("/proc/self/mountinfo", "re");
    if (f == NULL)
        return -1;
    char line[4096];
    int best = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        char *sep = strstr(line, " - ");
        if (sep == NULL || strncmp(sep + 3, "cgroup2 ", 8) != 0)
            continue;
        char root[PATH_MAX], mp[PATH_MAX];
        if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mp) != 2)
            continue;
        unescape(root);
        unescape(mp);
        int rank = strcmp(mp, "/sys/fs/cgroup") == 0           ? 3
                   : strcmp(mp, "/sys/fs/cgroup/unified") == 0 ? 2
                                                               : 1;
        if (rank <= best)
            continue;
        best = rank;
        free(*mount);
        free(*mroot);
        *mount = strdup(mp);
        *mroot = strdup(root);
    }
    return best > 0 && *mount != NULL && *mroot != NULL ? 0 : -1;
}

/* A process's cgroup from /proc/PID/cgroup's "0::" line (0: ours). */
static char *own_cgroup(pid_t pid)
{
    char file[64];
    if (pid == 0)
        snprintf(file, sizeof(file), "/proc/self/cgroup");
    else
        snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
    cleanup_file FILE *f = fopen(file, "re");
    if (f == NULL)
        return NULL;
    char line[4096];
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "0::", 3) != 0)
            continue;
        line[strcspn(line, "\n")] = '\0';
        if (strstr(line, " (deleted)") != NULL)
            return NULL;
        return strdup(line + 3);
    }
    return NULL;
}

int bw_cgroup_find(char **mount, char **caller, char **why)
{
    return bw_cgroup_find_pid(0, mount, caller, why);
}

int bw_cgroup_find_pid(pid_t pid, char **mount, char **caller, char **why)
{
    cleanup_free char *mroot = NULL;
    *mount = *caller = NULL;
    if (find_mount(mount, &mroot) < 0) {
        free(*mount);
        *mount = NULL;
        *why = strdup("no cgroup2 hierarchy is mounted (cgroup v1 only)");
        return -1;
    }
    cleanup_free char *own = own_cgroup(pid);
    if (own == NULL) {
        *why = strdup("this process has no cgroup v2 entry in /proc/self/cgroup");
        goto fail;
    }
    /* The mount shows the cgroup mroot: the caller's cgroup must be below. */
    size_t rl = strcmp(mroot, "/") == 0 ? 0 : strlen(mroot);
    if (strncmp(own, mroot, rl) != 0 || (own[rl] != '/' && own[rl] != '\0')) {
        if (asprintf(why, "the cgroup2 mount `%s` does not show this process's cgroup `%s`", *mount,
                     own) < 0)
            *why = NULL;
        goto fail;
    }
    *caller = strdup(own[rl] == '\0' ? "/" : own + rl);
    return 0;
fail:
    free(*mount);
    *mount = NULL;
    return -1;
}

/* ------------------------------------------------------------------------
 * Choosing the manager
 */

bool bw_cgroup_strict_requested(const struct oci_config *c)
{
    for (size_t i = 0; i < c->annotations_len; i++) {
        if (strcmp(c->annotations[i].key, BW_CGROUP_STRICT_ANNOTATION) == 0)
            return strcmp(c->annotations[i].value, "true") == 0 ||
                   strcmp(c->annotations[i].value, "1") == 0;
    }
    return false;
}

/* Join a and b with one '/' between, without a trailing one. */
static char *path_join(const char *a, const char *b)
{
    while (*b == '/')
        b++;
    size_t al = strlen(a);
    while (al > 0 && a[al - 1] == '/')
        al--;
    char *s = NULL;
    if (asprintf(&s, "%.*s/%s", (int)al, a, b) < 0)
        return NULL;
    size_t l = strlen(s);
    while (l > 1 && s[l - 1] == '/')
        s[--l] = '\0';
    return s;
}

/* A path below the mount: no "." or ".." components, no empty name. */
static bool path_ok(const char *p)
{
    for (const char *c = p; *c;) {
        while (*c == '/')
            c++;
        size_t n = strcspn(c, "/");
        if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        c += n;
    }
    return true;
}

/* The default and relative paths are below the root of the hierarchy as
 * root (a cgroup root is in belongs to whoever made it: a login session, a
 * service), and below the caller's own cgroup rootless, where delegation
 * puts it; below its parent when the caller is in the leaf burrow moved it
 * into before. */
static char *base_path(const char *caller, bool rootless)
{
    if (!rootless)
        return strdup("/");
    const char *slash = strrchr(caller, '/');
    if (slash != NULL && strcmp(slash + 1, BW_CGROUP_LEAF) == 0) {
        if (slash == caller)
            return strdup("/");
        return strndup(caller, (size_t)(slash - caller));
    }
    return strdup(caller);
}

static int resolve_path(struct bw_cgroup *cg, const struct bw_cgroup_request *req, bw_err_t *err)
{
    const char *p = req->cgroups_path;
    if (p != NULL && p[0] != '\0' && !path_ok(p))
        return bw_error_set(err, EINVAL,
                            "config.json: linux.cgroupsPath: `%s`: \".\" and \"..\" are not "
                            "allowed",
                            p);
    cleanup_free char *base = base_path(cg->caller, cg->rootless);
    if (base == NULL)
        return bw_error_set(err, ENOMEM, "cgroup path");
    if (p == NULL || p[0] == '\0') {
        char leaf[1100];
        snprintf(leaf, sizeof(leaf), "burrow-%s", req->id);
        cg->path = path_join(base, leaf);
    } else if (p[0] == '/') {
        /* Absolute: from the root of the hierarchy (config-linux.md). */
        cg->path = path_join("/", p);
    } else {
        cg->path = path_join(base, p);
    }
    if (cg->path == NULL)
        return bw_error_set(err, ENOMEM, "cgroup path");
    if (strcmp(cg->path, "/") == 0)
        return bw_error_set(err, EINVAL,
                            "config.json: linux.cgroupsPath: `%s`: the root cgroup cannot be "
                            "a container's",
                            p);
    return 0;
}

/* Whether we may make (or use) `path`: the deepest existing directory on
 * the way must let us create and move processes (owned by us, as a
 * delegated subtree is), on a writable mount. */
static bool may_write(const char *mount, const char *path, char **why)
{
    struct statvfs sv;
    if (statvfs(mount, &sv) == 0 && (sv.f_flag & ST_RDONLY)) {
        if (asprintf(why, "the cgroup2 mount `%s` is read-only", mount) < 0)
            *why = NULL;
        return false;
    }
    cleanup_free char *full = path_join(mount, path);
    if (full == NULL)
        return false;
    for (;;) {
        struct stat st;
        if (stat(full, &st) == 0) {
            cleanup_free char *procs = path_join(full, "cgroup.procs");
            if (faccessat(AT_FDCWD, full, W_OK, AT_EACCESS) == 0 && procs != NULL &&
                faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) == 0)
                return true;
            if (asprintf(why,
                         "cgroup `%s` is not delegated to this user (its cgroup.procs is not "
                         "writable)",
                         full) < 0)
                *why = NULL;
            return false;
        }
        char *slash = strrchr(full, '/');
        if (slash == NULL || slash == full || strlen(full) <= strlen(mount))
            return false;
        *slash = '\0';
    }
}

/* The names of the limits in `r` that need a controller in `missing`. */
static void name_limits(const struct oci_resources *r, unsigned missing, char *buf, size_t size)
{
    struct {
        bool set;
        unsigned ctl;
        const char *name;
    } parts[] = {
        {r->memory != NULL, BW_CG_MEMORY, "memory"},
        {r->cpu != NULL &&
             (r->cpu->shares_present || r->cpu->quota_present || r->cpu->period_present ||
              r->cpu->idle_present || r->cpu->burst_present),
         BW_CG_CPU, "cpu"},
        {r->cpu != NULL && ((r->cpu->cpus && r->cpu->cpus[0]) || (r->cpu->mems && r->cpu->mems[0])),
         BW_CG_CPUSET, "cpu.cpus/mems"},
        {r->pids != NULL, BW_CG_PIDS, "pids"},
        {r->block_io != NULL, BW_CG_IO, "blockIO"},
        {r->hugepage_limits_len > 0, BW_CG_HUGETLB, "hugepageLimits"},
        {r->rdma_len > 0, BW_CG_RDMA, "rdma"},
    };
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        if (!parts[i].set || !(missing & parts[i].ctl))
            continue;
        size_t l = strlen(buf);
        snprintf(buf + l, size - l, "%s%s", l ? ", " : "", parts[i].name);
    }
    if (r->unified_len > 0 && missing == ~0u) {
        size_t l = strlen(buf);
        snprintf(buf + l, size - l, "%sunified", l ? ", " : "");
    }
}

/* No cgroup: say which limits are not applied (an error when strict). */
static int none_report(struct bw_cgroup *cg, const struct oci_resources *r, bool strict,
                       bw_err_t *err)
{
    char list[256] = "";
    if (r != NULL)
        name_limits(r, ~0u, list, sizeof(list));
    if (r != NULL && r->devices_len > 0)
        bw_debug("linux.resources.devices: no device cgroup: the container reaches only the "
                 "devices bound into it");
    if (list[0] == '\0')
        return 0;
    if (strict)
        return bw_error_set(err, 0, "config.json: linux.resources: %s: cannot be applied: %s", list,
                            cg->why_none);
    bw_warn("config.json: linux.resources: %s not applied: %s", list, cg->why_none);
    return 0;
}

static int apply_limits(struct bw_cgroup *cg, const struct bw_cgroup_request *req, bw_err_t *err);

int bw_cgroup_setup(struct bw_cgroup *cg, const struct bw_cgroup_request *req, bw_err_t *err)
{
    bw_cgroup_init(cg);
    cg->rootless = geteuid() != 0 || bw_proc_in_child_userns();
    char *why = NULL;
    bool found = bw_cgroup_find(&cg->mount, &cg->caller, &why) == 0;
    /* Root is strict on a pure cgroup v2 host: what it asks for, it can
     * have, or it is told why.  On a v1 or hybrid host burrow applies no
     * limit as root either (it writes cgroup v2 only): a warning, as for
     * an unprivileged user, or every engine's config would be refused. */
    bool pure_v2 = found && strcmp(cg->mount, "/sys/fs/cgroup") == 0;
    bool strict = req->strict || (!cg->rootless && pure_v2);
    cg->strict = strict;
    if (req->systemd || bw_cgroup_is_systemd_path(req->cgroups_path)) {
        if (!found) {
            bw_error_set(err, 0, "%s: no cgroup v2 for systemd to manage: %s",
                         req->systemd ? "--systemd-cgroup" : "config.json: linux.cgroupsPath", why);
            free(why);
            return -1;
        }
        return bw_cgroup_systemd_prepare(cg, req, true, err);
    }
    bool explicit_path = req->cgroups_path != NULL && req->cgroups_path[0] != '\0';
    if (!found) {
        cg->why_none = why;
    } else if (resolve_path(cg, req, err) < 0) {
        return -1;
    } else if (!may_write(cg->mount, cg->path, &why)) {
        cg->why_none = why;
        /* Rootless with nothing delegated where we are: the user's
         * systemd manager, when there is one, delegates a scope. */
        bw_err_t se = NULL;
        if (cg->rootless && !explicit_path) {
            free(cg->path);
            cg->path = NULL;
            if (bw_cgroup_systemd_prepare(cg, req, false, &se) == 0) {
                bw_debug("cgroup: %s; the systemd user manager makes scope `%s`", cg->why_none,
                         cg->unit);
                free(cg->why_none);
                cg->why_none = NULL;
                return 0;
            }
            bw_debug("cgroup: %s", se->msg);
            bw_error_free(&se);
        }
    }
    if (cg->why_none == NULL)
        cg->mgr = &bw_cgroup_cgroupfs;
    else if (explicit_path && strict)
        return bw_error_set(err, 0, "config.json: linux.cgroupsPath `%s`: %s", req->cgroups_path,
                            cg->why_none);
    else if (explicit_path)
        bw_warn("config.json: linux.cgroupsPath `%s` not used: %s", req->cgroups_path,
                cg->why_none);
    if (cg->mgr == &bw_cgroup_none) {
        free(cg->mount);
        free(cg->path);
        cg->mount = cg->path = NULL;
        bw_debug("cgroup: none (%s)", cg->why_none);
        return none_report(cg, req->resources, strict, err);
    }
    unsigned need = bw_cgroup_resources_need(req->resources);
    if (cg->mgr->create(cg, need, err) < 0)
        return -1;
    return apply_limits(cg, req, err);
}

bool bw_cgroup_pending(const struct bw_cgroup *cg)
{
    return cg->mgr == &bw_cgroup_systemd && cg->fd < 0;
}

int bw_cgroup_place(struct bw_cgroup *cg, const struct bw_cgroup_request *req, pid_t pid,
                    bw_err_t *err)
{
    if (bw_cgroup_systemd_start(cg, req->id, pid, req->resources, err) < 0) {
        if (cg->asked)
            return -1;
        /* Chosen by burrow, not asked for: no worse than no cgroup. */
        char *why = NULL;
        if (asprintf(&why, "the systemd user manager could not make scope `%s`: %s", cg->unit,
                     (*err)->msg) < 0)
            why = NULL;
        bw_error_free(err);
        cg->mgr = &bw_cgroup_none;
        cg->why_none = why;
        free(cg->mount);
        free(cg->path);
        cg->mount = cg->path = NULL;
        return none_report(cg, req->resources, cg->strict, err);
    }
    return apply_limits(cg, req, err);
}

/* The limits of `req` in the cgroup just made; on error it is removed. */
static int apply_limits(struct bw_cgroup *cg, const struct bw_cgroup_request *req, bw_err_t *err)
{
    bw_debug("cgroup: %s `%s%s` (controllers enabled:%s%s%s%s)", cg->mgr->name, cg->mount, cg->path,
             cg->enabled & BW_CG_MEMORY ? " memory" : "", cg->enabled & BW_CG_PIDS ? " pids" : "",
             cg->enabled & BW_CG_CPU ? " cpu" : "", cg->enabled & BW_CG_IO ? " io" : "");
    if (req->resources != NULL &&
        bw_cgroup_apply(cg, req->resources, cg->strict, "config.json: linux.resources", err) < 0) {
        bw_err_t e = NULL;
        if (bw_cgroup_destroy(cg, &e) < 0) {
            bw_warn("remove cgroup `%s`: %s", cg->path, e->msg);
            bw_error_free(&e);
        }
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------
 * The record in the state directory
 */

int bw_cgroup_save(const struct bw_cgroup *cg, int statedir_fd, bw_err_t *err)
{
    cleanup_free char *text = NULL;
    int n = cg->mgr == &bw_cgroup_none
                ? asprintf(&text, "manager none\nwhy %s\n", cg->why_none ? cg->why_none : "")
            : cg->mgr == &bw_cgroup_systemd
                ? asprintf(&text, "manager systemd\nmount %s\npath %s\nmade %u\nunit %s\nbus %s\n",
                           cg->mount, cg->path, cg->made, cg->unit, cg->bus)
                : asprintf(&text, "manager %s\nmount %s\npath %s\nmade %u\n", cg->mgr->name,
                           cg->mount, cg->path, cg->made);
    if (n < 0)
        return bw_error_set(err, ENOMEM, "record the cgroup");
    return bw_write_file_atomic_at(statedir_fd, BW_CGROUP_FILE, text, (size_t)n, 0600, err);
}

int bw_cgroup_load(struct bw_cgroup *cg, int statedir_fd, bw_err_t *err)
{
    bw_cgroup_init(cg);
    bw_err_t e = NULL;
    size_t len = 0;
    cleanup_free char *text = bw_read_file_at(statedir_fd, BW_CGROUP_FILE, 65536, &len, &e);
    if (text == NULL) {
        if (e->code == ENOENT) {
            bw_error_free(&e);
            return 1;
        }
        *err = e;
        return -1;
    }
    char *save = NULL;
    bool systemd = false;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strcmp(line, "manager systemd") == 0)
            systemd = true;
        else if (strncmp(line, "unit ", 5) == 0)
            cg->unit = strdup(line + 5);
        else if (strncmp(line, "bus ", 4) == 0)
            cg->bus = strdup(line + 4);
        else if (strncmp(line, "mount ", 6) == 0)
            cg->mount = strdup(line + 6);
        else if (strncmp(line, "path ", 5) == 0)
            cg->path = strdup(line + 5);
        else if (strncmp(line, "made ", 5) == 0)
            cg->made = (unsigned)strtoul(line + 5, NULL, 10);
        else if (strncmp(line, "why ", 4) == 0)
            cg->why_none = strdup(line + 4);
    }
    if (cg->mount == NULL && cg->path == NULL && cg->why_none != NULL)
        return 1; /* the none manager */
    if (cg->mount == NULL || cg->path == NULL)
        return bw_error_set(err, EINVAL, "the container's cgroup record `%s` is damaged",
                            BW_CGROUP_FILE);
    cg->mgr = systemd ? &bw_cgroup_systemd : &bw_cgroup_cgroupfs;
    cleanup_free char *full = path_join(cg->mount, cg->path);
    cg->fd = full ? open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    if (cg->fd < 0 && errno != ENOENT)
        return bw_error_errno(err, "open cgroup `%s`", full ? full : cg->path);
    return 0;
}

/* ------------------------------------------------------------------------
 * Processes: freeze, signal, list, remove
 */

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The value of `key` in a flat-keyed file such as cgroup.events; -1 when
 * absent. */
static long long keyed_value(int dirfd, const char *file, const char *key)
{
    cleanup_free char *s = bw_cgroup_read(dirfd, file);
    if (s == NULL)
        return -1;
    size_t kl = strlen(key);
    for (char *line = s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, key, kl) == 0 && line[kl] == ' ')
            return strtoll(line + kl + 1, NULL, 10);
    }
    return -1;
}

int bw_cgroup_frozen(const struct bw_cgroup *cg)
{
    if (cg->fd < 0)
        return -1;
    long long v = keyed_value(cg->fd, "cgroup.events", "frozen");
    return v < 0 ? -1 : v > 0;
}

bool bw_cgroup_recorded_frozen(int statedir_fd)
{
    struct bw_cgroup cg;
    bw_err_t e = NULL;
    int r = bw_cgroup_load(&cg, statedir_fd, &e);
    bw_error_free(&e);
    bool frozen = false;
    if (r == 0 && cg.fd >= 0) {
        /* cgroup.freeze is what was asked: a freeze in progress is paused. */
        cleanup_free char *s = bw_cgroup_read(cg.fd, "cgroup.freeze");
        frozen = s != NULL && s[0] == '1';
    }
    bw_cgroup_free(&cg);
    return frozen;
}

int bw_cgroup_freeze(struct bw_cgroup *cg, bool frozen, bw_err_t *err)
{
    if (cg->fd < 0)
        return bw_error_set(err, ENOTSUP, "the container has no cgroup");
    if (faccessat(cg->fd, "cgroup.freeze", F_OK, 0) < 0)
        return bw_error_set(err, ENOTSUP,
                            "cgroup `%s` has no cgroup.freeze (the freezer of cgroup v2 needs "
                            "Linux 5.2)",
                            cg->path);
    if (bw_cgroup_write(cg->fd, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
        return bw_error_prefix(err, "cgroup `%s`", cg->path);
    /* The kernel freezes each task at its next return to user space; a
     * task in an uninterruptible sleep takes until it wakes. */
    for (int waited = 0; waited < 10000; waited += 5) {
        if (bw_cgroup_frozen(cg) == (frozen ? 1 : 0))
            return 0;
        sleep_ms(5);
    }
    return bw_error_set(err, ETIMEDOUT, "cgroup `%s`: not %s after 10 s", cg->path,
                        frozen ? "frozen" : "thawed");
}

/* Append the pids of `dirfd`'s cgroup.procs, then recurse into children. */
static int collect_pids(int dirfd, int depth, pid_t **v, size_t *n, size_t *cap)
{
    cleanup_free char *s = bw_cgroup_read(dirfd, "cgroup.procs");
    for (char *p = s; p && *p;) {
        char *end = NULL;
        long pid = strtol(p, &end, 10);
        if (end == p)
            break;
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            pid_t *bigger = realloc(*v, *cap * sizeof(pid_t));
            if (bigger == NULL)
                return -1;
            *v = bigger;
        }
        (*v)[(*n)++] = (pid_t)pid;
        p = end;
        while (*p == '\n')
            p++;
    }
    if (depth > 32)
        return 0;
    int dup = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dup < 0)
        return 0;
    cleanup_dir DIR *dir = fdopendir(dup);
    if (dir == NULL) {
        close(dup);
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        cleanup_close int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub >= 0 && collect_pids(sub, depth + 1, v, n, cap) < 0)
            return -1;
    }
    return 0;
}

int bw_cgroup_pids(const struct bw_cgroup *cg, pid_t **pids, size_t *n, bw_err_t *err)
{
    size_t cap = 0;
    *pids = NULL;
    *n = 0;
    if (cg->fd < 0)
        return 0;
    if (collect_pids(cg->fd, 0, pids, n, &cap) < 0)
        return bw_error_set(err, ENOMEM, "list the processes of cgroup `%s`", cg->path);
    return 0;
}

int bw_cgroup_signal(struct bw_cgroup *cg, int signo, bw_err_t *err)
{
    if (cg->fd < 0)
        return 0;
    /* cgroup.kill (Linux 5.14) reaches every process of the subtree at once,
     * with no pid to race against a fork. */
    if (signo == SIGKILL && faccessat(cg->fd, "cgroup.kill", F_OK, 0) == 0)
        return bw_cgroup_write(cg->fd, "cgroup.kill", "1", err) < 0
                   ? bw_error_prefix(err, "cgroup `%s`", cg->path)
                   : 0;
    cleanup_free pid_t *pids = NULL;
    size_t n = 0;
    if (bw_cgroup_pids(cg, &pids, &n, err) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (kill(pids[i], signo) < 0 && errno != ESRCH)
            bw_debug("signal %d to process %d: %s", signo, (int)pids[i], strerror(errno));
    }
    return 0;
}

int bw_cgroup_open_procs(int statedir_fd, int *fd, bw_err_t *err)
{
    struct bw_cgroup cg;
    int r = bw_cgroup_load(&cg, statedir_fd, err);
    if (r == 0 && cg.fd >= 0) {
        *fd = openat(cg.fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
        if (*fd < 0)
            r = bw_error_errno(err, "open `%s%s/cgroup.procs`", cg.mount, cg.path);
    }
    bw_cgroup_free(&cg);
    return r < 0 ? -1 : 0;
}

int bw_cgroup_destroy(struct bw_cgroup *cg, bw_err_t *err)
{
    if (cg->mgr == &bw_cgroup_none || cg->path == NULL)
        return 0;
    return cg->mgr->destroy(cg, err);
}

int bw_cgroup_destroy_recorded(int statedir_fd, bw_err_t *err)
{
    struct bw_cgroup cg;
    int r = bw_cgroup_load(&cg, statedir_fd, err);
    if (r == 0)
        r = bw_cgroup_destroy(&cg, err);
    bw_cgroup_free(&cg);
    return r < 0 ? -1 : 0;
}

/* Remove the child cgroups of `dirfd` (a cgroup directory holds only
 * kernel files, which rmdir takes with it). */
static void rmdir_children(int dirfd, int depth)
{
    int dup = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dup < 0)
        return;
    cleanup_dir DIR *dir = fdopendir(dup);
    if (dir == NULL) {
        close(dup);
        return;
    }
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (de->d_type != DT_DIR || de->d_name[0] == '.')
            continue;
        cleanup_close int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub >= 0 && depth < 32)
            rmdir_children(sub, depth + 1);
        unlinkat(dirfd, de->d_name, AT_REMOVEDIR);
    }
}

/* Used by the managers' destroy: kill, then rmdir until it is empty. */
int bw_cgroup_remove_dir(struct bw_cgroup *cg, bw_err_t *err);
int bw_cgroup_remove_dir(struct bw_cgroup *cg, bw_err_t *err)
{
    cleanup_free char *full = path_join(cg->mount, cg->path);
    if (full == NULL)
        return bw_error_set(err, ENOMEM, "remove cgroup");
    bool killed = false;
    for (int waited = 0;; waited += 10) {
        if (rmdir(full) == 0 || errno == ENOENT)
            break;
        if (errno != EBUSY)
            return bw_error_errno(err, "remove cgroup `%s`", full);
        /* Processes left (or still exiting): kill them once, then give
         * them time to drain.  A child cgroup made inside the container
         * keeps it busy too: remove those first. */
        if (!killed) {
            bw_err_t e = NULL;
            if (cg->fd >= 0 && bw_cgroup_signal(cg, SIGKILL, &e) < 0)
                bw_debug("%s", e->msg);
            bw_error_free(&e);
            killed = true;
        }
        if (cg->fd >= 0)
            rmdir_children(cg->fd, 0);
        if (waited >= 5000)
            return bw_error_set(err, EBUSY, "remove cgroup `%s`: still busy after 5 s", full);
        sleep_ms(10);
    }
    /* The ancestors made for it, when nothing else uses them. */
    for (unsigned i = 1; i < cg->made; i++) {
        char *slash = strrchr(full, '/');
        if (slash == NULL || slash == full)
            break;
        *slash = '\0';
        if (rmdir(full) < 0)
            break;
    }
    return 0;
}
