/* burrow: the container's filesystem: rootfs, mounts of config.json,
 * default devices, masked and read-only paths, pivot_root.
 *
 * All of it runs in the child, in its new mount namespace, before
 * pivot_root.  Every target is resolved inside the rootfs without following
 * symlinks out of it (openat2 RESOLVE_IN_ROOT), and mounting goes through the
 * resolved fd (/proc/self/fd/N, or move_mount onto the fd), never through a
 * path string resolved again.
 */
#ifndef BURROW_LINUX_MOUNTS_H
#define BURROW_LINUX_MOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "rootfs/rootfs.h"
#include "spec/config.h"
#include "util/error.h"

/* Options of one mount, split into what each syscall needs. */
struct bw_mount_opts {
    unsigned long flags;       /* MS_* to set (MS_BIND, MS_REC, MS_RDONLY, ...) */
    unsigned long clear;       /* MS_* explicitly cleared ("rw", "suid", ...) */
    unsigned long propagation; /* MS_SHARED/SLAVE/PRIVATE/UNBINDABLE, maybe | MS_REC */
    uint64_t rec_set;          /* MOUNT_ATTR_* applied recursively ("rro", "rnosuid") */
    uint64_t rec_clr;
    bool idmap;     /* "idmap" or "ridmap" */
    bool idmap_rec; /* "ridmap": every mount of an rbind idmapped */
    char *data;     /* the rest, comma-joined, for the filesystem */
};

int bw_mount_opts_parse(char *const *opts, size_t n, struct bw_mount_opts *o, bw_err_t *err);
void bw_mount_opts_free(struct bw_mount_opts *o);

struct bw_fs_ctx {
    const struct oci_config *config;
    const char *bundle; /* absolute */
    const char *rootfs; /* absolute */
    bool in_userns;     /* not the initial user namespace: no mknod, binds instead */
    bool new_netns;     /* sysfs can be mounted only with a network namespace of our own */
    bool new_ipcns;     /* mqueue likewise with an ipc namespace */
    bool new_cgroupns;
    int rootfd;                 /* set by bw_fs_prepare_rootfs: O_PATH of the rootfs mount */
    const int *idmount_fd;      /* per mounts[] entry: a detached idmapped tree, or -1 */
    struct bw_overlay *overlay; /* mounted over the rootfs first (rootfs/rootfs.h), or NULL */
};

/* Make "/" a slave of the host, and bind the rootfs onto itself so it is a
 * mount point for pivot_root.  Sets ctx->rootfd. */
int bw_fs_prepare_rootfs(struct bw_fs_ctx *ctx, bw_err_t *err);
/* config.json mounts[] in order, then the default devices and /dev links,
 * then linux.devices. */
int bw_fs_mount_all(struct bw_fs_ctx *ctx, bw_err_t *err);
/* Bind what the O_PATH fd `src_fd` names (a host file, directory or device
 * node) onto `dest` inside the rootfs, creating an empty file or directory
 * there if missing.  `what` names the mount in errors. */
int bw_fs_bind_fd(struct bw_fs_ctx *ctx, int src_fd, const char *dest, const char *what,
                  bw_err_t *err);
/* The detached tree of an idmapped bind mount of the host path `src`:
 * open_tree(OPEN_TREE_CLONE), MOUNT_ATTR_IDMAP with `userns_fd`, then the
 * other attributes of `o`.  Made by the runtime before the container exists
 * (the idmapping needs rights over the source's filesystem that the
 * container's user namespace lacks) and attached by mounts[] in order. */
int bw_fs_idmapped_tree(const char *src, const struct bw_mount_opts *o, int userns_fd,
                        const char *what, bw_err_t *err);
/* linux.maskedPaths and linux.readonlyPaths. */
int bw_fs_mask_paths(struct bw_fs_ctx *ctx, bw_err_t *err);
/* pivot_root into the rootfs and detach the old root (or, with no_pivot,
 * move it over / and chroot), then root.readonly and rootfsPropagation. */
int bw_fs_enter_rootfs(struct bw_fs_ctx *ctx, bool no_pivot, bw_err_t *err);

#endif
