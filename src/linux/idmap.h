/* burrow: uid/gid mappings of the container's user namespace.
 *
 * A single mapping of the caller's own id is written directly to
 * /proc/PID/uid_map (with setgroups "deny" for gid_map, as the kernel
 * requires of an unprivileged writer); root writes any mapping directly;
 * anything wider goes through the setuid newuidmap/newgidmap of shadow-utils,
 * which check the ranges against /etc/subuid and /etc/subgid.  The two tools
 * run at the same time, not one after the other.
 */
#ifndef BURROW_LINUX_IDMAP_H
#define BURROW_LINUX_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "spec/config.h"
#include "util/error.h"

struct bw_idmap {
    struct oci_id_mapping *m;
    size_t len;
    bool direct;  /* write /proc/PID/X_map ourselves */
    char *helper; /* absolute path of newuidmap/newgidmap when !direct */
};

struct bw_idmap_plan {
    struct bw_idmap uid;
    struct bw_idmap gid;
    bool deny_setgroups; /* write "deny" to /proc/PID/setgroups first */
};

void bw_idmap_plan_free(struct bw_idmap_plan *p);

/* The mappings burrow adds when an unprivileged caller runs a config without
 * a user namespace (or one without mappings): the caller to 0, then the
 * caller's /etc/subuid (subgid) ranges from 1 up.  Without ranges it falls
 * back to the single mapping and warns once, saying how to add a range. */
int bw_idmap_plan_default(uid_t uid, gid_t gid, struct bw_idmap_plan *p, bw_err_t *err);

/* Copy the config's mappings into the plan. */
int bw_idmap_plan_from_config(const struct oci_linux *l, struct bw_idmap_plan *p, bw_err_t *err);

/* Decide how each map is written and find newuidmap/newgidmap by absolute
 * path; done before any namespace exists, so a missing tool is a clean
 * error. */
int bw_idmap_plan_prepare(struct bw_idmap_plan *p, uid_t euid, gid_t egid, bw_err_t *err);

/* Write the maps of process `pid` (in its new user namespace). */
int bw_idmap_write(pid_t pid, const struct bw_idmap_plan *p, bw_err_t *err);

/* The subordinate ranges of user `name`/`id` in `path` (/etc/subuid format:
 * "name-or-id:start:count" per line).  Returns the number found. */
struct bw_subid_range {
    unsigned long start;
    unsigned long count;
};
int bw_subid_ranges(const char *path, const char *name, unsigned long id,
                    struct bw_subid_range **out, size_t *n, bw_err_t *err);

/* Map a container id to the host through `m`; -1 when unmapped. */
long long bw_idmap_to_host(const struct oci_id_mapping *m, size_t len, unsigned long id);

#endif
