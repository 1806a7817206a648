/* burrow: idmapped mounts (mounts[].uidMappings/gidMappings, and the
 * "idmap"/"ridmap" options).
 *
 * Made by the runtime in its own namespaces before the container exists:
 * for each such bind mount, a user namespace holding the mapping (a
 * short-lived child that unshares one and whose maps are written like the
 * container's: directly as root, else through newuidmap/newgidmap within
 * the user's ranges), then a detached clone of the source with
 * MOUNT_ATTR_IDMAP.  The container attaches each tree when mounts[] reaches
 * it.  The mapping's format is the user namespace's: a file owned by
 * `containerID + n` on the source appears owned by `hostID + n` (a host id;
 * inside the container, as its own user namespace maps that id).  "idmap"
 * without mappings uses the container's user namespace mapping.
 *
 * The kernel allows it only to a caller with CAP_SYS_ADMIN over the user
 * namespace that owns the source's filesystem (the host's, for a host
 * filesystem), and only for filesystems that support it: rootless, host
 * directories cannot be idmapped, and that is a clear error naming the mount.
 */
#ifndef BURROW_LINUX_IDMOUNT_H
#define BURROW_LINUX_IDMOUNT_H

#include <stddef.h>

#include "linux/idmap.h"
#include "spec/config.h"
#include "util/error.h"

struct bw_idmounts {
    int *fd; /* per mounts[] entry: the detached tree, or -1; NULL when none */
    size_t len;
};

/* `container` is the plan of the container's new user namespace (NULL
 * without one), `join_userns_fd` the user namespace joined by path (or -1). */
int bw_idmounts_prepare(const struct oci_config *c, const char *bundle,
                        const struct bw_idmap_plan *container, int join_userns_fd,
                        struct bw_idmounts *out, bw_err_t *err);
void bw_idmounts_free(struct bw_idmounts *m);

#endif
