/* burrow: cgroup v2, behind one small manager interface.
 *
 * A manager decides where a container's cgroup is and makes it:
 *
 *   cgroupfs  writes the cgroup2 tree directly: the whole of it as root, the
 *             subtree delegated to the user rootless (systemd delegates
 *             user@UID.service by chowning its cgroup.procs,
 *             cgroup.subtree_control and cgroup.threads);
 *   systemd   a transient scope with Delegate=yes, made by systemd over
 *             D-Bus once the container's process exists (cgroup/systemd.c);
 *   none      no usable cgroup: limits are reported as not applied.
 *
 * Everything after the cgroup exists (limits, freeze, kill, the process
 * list, statistics) is plain cgroup v2 files in the container's directory,
 * the same for every manager, so it lives here and not in the table.
 *
 * The container's state directory keeps a file `cgroup` (see
 * bw_cgroup_save) so that pause, kill, ps, update, events and delete find
 * the cgroup again.
 */
#ifndef BURROW_CGROUP_CGROUP_H
#define BURROW_CGROUP_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "spec/config.h"
#include "util/error.h"

/* The state directory's record of the cgroup. */
#define BW_CGROUP_FILE "cgroup"

/* The annotation that turns every limit burrow cannot apply into an error,
 * rootless too ("true" or "1"). */
#define BW_CGROUP_STRICT_ANNOTATION "org.burrow.cgroups.strict"

/* The leaf a delegated caller's processes are moved into (cgroup v2 allows
 * no processes in a cgroup whose subtree has controllers enabled). */
#define BW_CGROUP_LEAF "burrow.leaf"

/* Controllers, as bits. */
enum {
    BW_CG_MEMORY = 1u << 0,
    BW_CG_PIDS = 1u << 1,
    BW_CG_CPU = 1u << 2,
    BW_CG_CPUSET = 1u << 3,
    BW_CG_IO = 1u << 4,
    BW_CG_HUGETLB = 1u << 5,
    BW_CG_RDMA = 1u << 6,
    BW_CG_MISC = 1u << 7,
};
/* "memory" -> BW_CG_MEMORY; 0 when unknown. */
unsigned bw_cgroup_controller_bit(const char *name, size_t len);
const char *bw_cgroup_controller_name(unsigned bit);

struct bw_cgroup;

struct bw_cgroup_manager {
    const char *name; /* "cgroupfs", "systemd", "none" */
    /* Make the container's cgroup (cg->path under cg->mount), enable the
     * controllers `need` down to it where allowed (cg->enabled says which
     * are), and open it as cg->fd. */
    int (*create)(struct bw_cgroup *cg, unsigned need, bw_err_t *err);
    /* Remove the cgroup; its processes are being killed. */
    int (*destroy)(struct bw_cgroup *cg, bw_err_t *err);
};

extern const struct bw_cgroup_manager bw_cgroup_cgroupfs;
extern const struct bw_cgroup_manager bw_cgroup_none;
extern const struct bw_cgroup_manager bw_cgroup_systemd;

struct bw_cgroup {
    const struct bw_cgroup_manager *mgr;
    char *mount;          /* the cgroup2 mount point; NULL for none */
    char *path;           /* the container's cgroup, "/a/b" below the mount */
    char *caller;         /* the caller's cgroup, below the mount */
    int fd;               /* the container's cgroup directory, or -1 */
    unsigned made;        /* how many trailing components of path we created */
    unsigned enabled;     /* controllers usable in the container's cgroup */
    char *why_none;       /* why there is no cgroup (the none manager) */
    char *missing_why[8]; /* per controller bit: why it is not usable */
    bool rootless;        /* an unprivileged caller (also root of a user namespace) */
    bool strict;          /* a limit not applied is an error (bw_cgroup_setup) */
    char *unit;           /* systemd: the scope, "NAME.scope" */
    char *slice;          /* systemd: its slice */
    char *bus;            /* systemd: the manager's address, "unix:path=..." */
    bool asked;           /* systemd: asked for, not chosen by burrow */
};

void bw_cgroup_init(struct bw_cgroup *cg);
void bw_cgroup_free(struct bw_cgroup *cg);

struct bw_cgroup_request {
    const char *id;
    const char *cgroups_path; /* linux.cgroupsPath, NULL or "" for the default */
    bool systemd;             /* --systemd-cgroup */
    const struct oci_resources *resources;
    bool strict; /* BW_CGROUP_STRICT_ANNOTATION, or root */
};

/* Choose the manager, make the cgroup and apply the limits.  Rootless and
 * not strict, a limit that cannot be applied is a warning naming it; else
 * an error.  On error nothing is left.  The systemd manager makes the
 * cgroup only once the container's process exists: bw_cgroup_pending says
 * so, and bw_cgroup_place does the rest. */
int bw_cgroup_setup(struct bw_cgroup *cg, const struct bw_cgroup_request *req, bw_err_t *err);
bool bw_cgroup_pending(const struct bw_cgroup *cg);
/* Put the stopped process `pid` (nothing run yet) in its cgroup, then
 * apply the limits of `req`. */
int bw_cgroup_place(struct bw_cgroup *cg, const struct bw_cgroup_request *req, pid_t pid,
                    bw_err_t *err);

/* Whether the config asks for strictness (the annotation). */
bool bw_cgroup_strict_requested(const struct oci_config *c);

/* The state directory's record: written after create, read by the other
 * commands.  bw_cgroup_load returns 1 (cg left as none, with why_none when
 * recorded) without a cgroup. */
int bw_cgroup_save(const struct bw_cgroup *cg, int statedir_fd, bw_err_t *err);
int bw_cgroup_load(struct bw_cgroup *cg, int statedir_fd, bw_err_t *err);

/* Kill what is left, wait for it to drain and remove the cgroup (retrying
 * while it is busy).  No cgroup: nothing to do. */
int bw_cgroup_destroy(struct bw_cgroup *cg, bw_err_t *err);
/* The same, from the state directory's record (delete, a finished run). */
int bw_cgroup_destroy_recorded(int statedir_fd, bw_err_t *err);

/* Freeze (true) or thaw, and wait for cgroup.events to say so. */
int bw_cgroup_freeze(struct bw_cgroup *cg, bool frozen, bw_err_t *err);
/* 1 frozen, 0 not, -1 no freezer (or no cgroup). */
int bw_cgroup_frozen(const struct bw_cgroup *cg);
/* Whether the recorded cgroup of a state directory is frozen. */
bool bw_cgroup_recorded_frozen(int statedir_fd);

/* Signal every process of the cgroup and its descendants: cgroup.kill for
 * SIGKILL where the kernel has it, else each pid of cgroup.procs. */
int bw_cgroup_signal(struct bw_cgroup *cg, int signo, bw_err_t *err);
/* The pids of the cgroup and its descendants (malloc'd). */
int bw_cgroup_pids(const struct bw_cgroup *cg, pid_t **pids, size_t *n, bw_err_t *err);

/* Apply `r` to the cgroup (create and update).  `what` prefixes messages
 * ("linux.resources" or the update file's name). */
int bw_cgroup_apply(struct bw_cgroup *cg, const struct oci_resources *r, bool strict,
                    const char *what, bw_err_t *err);
/* Enable the controllers `need` down to the cgroup (update); cg->enabled
 * is updated. */
void bw_cgroup_enable(struct bw_cgroup *cg, unsigned need);
/* linux.resources.devices as a device program attached to the cgroup
 * (root only: see cgroup/devices.c). */
int bw_cgroup_devices_apply(struct bw_cgroup *cg, const struct oci_resources *r, bw_err_t *err);
/* The controllers `r` needs. */
unsigned bw_cgroup_resources_need(const struct oci_resources *r);

/* Statistics and OOM counters in runc's `events` JSON shape ("data" of a
 * "stats" event). */
char *bw_cgroup_stats_json(const struct bw_cgroup *cg, bw_err_t *err);
/* memory.events' oom_kill counter (0 when unavailable). */
uint64_t bw_cgroup_oom_kills(const struct bw_cgroup *cg);

/* Find the cgroup2 mount and the caller's cgroup below it.  Returns 0, or
 * -1 with *why (malloc'd) saying what is missing. */
int bw_cgroup_find(char **mount, char **caller, char **why);

/* The same for another process (in our cgroup namespace). */
int bw_cgroup_find_pid(pid_t pid, char **mount, char **path, char **why);

/* The systemd manager (cgroup/systemd.c).  prepare: choose the unit and
 * find the manager (asked: --systemd-cgroup or a systemd cgroupsPath, as
 * opposed to chosen by burrow); cg->mgr becomes bw_cgroup_systemd, or an
 * error says why it cannot be used.  start: make the scope with `pid` in
 * it and open it. */
int bw_cgroup_systemd_prepare(struct bw_cgroup *cg, const struct bw_cgroup_request *req, bool asked,
                              bw_err_t *err);
int bw_cgroup_systemd_start(struct bw_cgroup *cg, const char *id, pid_t pid,
                            const struct oci_resources *r, bw_err_t *err);
/* The scope's controllers (cg->enabled, cg->missing_why). */
void bw_cgroup_systemd_controllers(struct bw_cgroup *cg);
/* The limits of `r` that systemd has properties for, given to systemd
 * (SetUnitProperties), so that it keeps them when it reloads. */
int bw_cgroup_systemd_set(const struct bw_cgroup *cg, const struct oci_resources *r, bw_err_t *err);
/* Whether this user's systemd manager answers; `where` says where it was
 * found, or looked for. */
bool bw_cgroup_systemd_reachable(bool rootless, char *where, size_t size);
/* "slice:prefix:name" */
bool bw_cgroup_is_systemd_path(const char *p);

/* The recorded cgroup's cgroup.procs, opened for writing (exec joins it);
 * *fd stays -1 without a cgroup. */
int bw_cgroup_open_procs(int statedir_fd, int *fd, bw_err_t *err);

/* Small file helpers on a cgroup directory. */
int bw_cgroup_write(int dirfd, const char *file, const char *value, bw_err_t *err);
char *bw_cgroup_read(int dirfd, const char *file);

#endif
