/* burrow: the rootfs through an overlay, so the bundle is never written.
 *
 * `--rootfs-overlay=auto|kernel|fuse|off` (or the annotation
 * BW_OVERLAY_ANNOTATION in config.json; the flag wins; off by default)
 * mounts an overlay over root.path in the container's own mount namespace:
 *
 *  - kernel: overlayfs, mounted by the container's process inside its user
 *    namespace (with `userxattr` there).  Whether the kernel allows it is
 *    learnt by trying once, in a throw-away namespace, and remembered in the
 *    state root (file BW_OVERLAY_PROBE_FILE, keyed by the kernel release).
 *  - fuse: the container's process opens /dev/fuse and mounts a fuse
 *    filesystem over root.path with `fd=N`; it sends that fd and its user
 *    namespace up the sync socket, and the runtime starts fuse-overlayfs on
 *    `/dev/fd/N`, in the container's user namespace (so the ownership it
 *    writes follows the mapping) but in the runtime's mount namespace.  The
 *    daemon is thus no member of the container's mount namespace: when the
 *    last process of the container is gone, so is the fuse mount, the
 *    kernel aborts the connection (ENODEV) and fuse-overlayfs exits by
 *    itself, whatever ended the container (delete, kill -9 of the init, a
 *    crash of burrow during create).
 *  - auto: kernel when the probe says it works, else fuse, else an error
 *    naming what is missing.
 *
 * Lower layers: root.path, or the directories of BW_OVERLAY_LOWERS_ANNOTATION
 * (`:`-separated, highest first and lowest last as overlayfs orders them;
 * relative to the bundle).  Upper: DIR/upper with its DIR/work, where DIR is
 * the container's state directory (both removed on delete; a fresh upper is
 * mounted `volatile`: its data is thrown away, so no sync) or
 * `--rootfs-upper DIR` (kept; DIR/owner names the container using it, so a
 * second one is refused while the first lives).
 */
#ifndef BURROW_ROOTFS_ROOTFS_H
#define BURROW_ROOTFS_ROOTFS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "linux/idmap.h"
#include "spec/config.h"
#include "util/error.h"

#define BW_OVERLAY_ANNOTATION        "org.burrow.rootfs.overlay"
#define BW_OVERLAY_LOWERS_ANNOTATION "org.burrow.rootfs.lowerdirs"
#define BW_OVERLAY_PROBE_FILE        "@cache/overlay-kernel.probe" /* beside seccomp's cache */
#define BW_OVERLAY_STATE_FILE        "rootfs-overlay"

/* For tests only: BURROW_TEST_OVERLAY_KERNEL=fail makes the kernel overlay
 * fail (and is not remembered); BURROW_TEST_FUSE_DEV replaces /dev/fuse. */
#define BW_OVERLAY_TEST_KERNEL_ENV "BURROW_TEST_OVERLAY_KERNEL"
#define BW_OVERLAY_TEST_FUSE_ENV   "BURROW_TEST_FUSE_DEV"

enum bw_overlay_mode { BW_OVERLAY_OFF, BW_OVERLAY_AUTO, BW_OVERLAY_KERNEL, BW_OVERLAY_FUSE };

struct bw_overlay {
    enum bw_overlay_mode mode; /* after bw_overlay_prepare: OFF, KERNEL or FUSE */
    char **lowers;             /* absolute, highest first */
    size_t lowers_len;
    char *dir;       /* absolute: holds upper/ and work/ */
    bool persistent; /* --rootfs-upper */
    bool in_userns;  /* the container has a user namespace of its own */
    char *fuse_bin;  /* fuse-overlayfs, absolute */
    const char *fuse_dev;
    int owner_fd;              /* DIR/owner, locked during create (persistent) */
    int statedir_fd;           /* the container's state directory (not owned) */
    int sync_fd;               /* the child's end of the sync socket (not owned) */
    struct bw_idmap_plan maps; /* a copy of the container's, for the record */
    pid_t daemon;              /* fuse-overlayfs */
    uint64_t daemon_start;
    int saved_cwd; /* the runtime's cwd, around the clone */
    dev_t dir_dev; /* DIR, for the child to recognise it as its cwd */
    ino_t dir_ino;
};

void bw_overlay_init(struct bw_overlay *o);
void bw_overlay_free(struct bw_overlay *o);

/* "auto", "kernel", "fuse", "off" -> mode; -1 when unknown. */
int bw_overlay_mode_parse(const char *s);

/* Parent, before anything exists: pick the mode (`flag`: -1 when no
 * --rootfs-overlay), the lowers, find fuse-overlayfs, probe the kernel
 * (cached in `state_root`), and lock a persistent upper.  Mode OFF leaves
 * everything else untouched. */
int bw_overlay_prepare(struct bw_overlay *o, int flag, const char *upper_opt,
                       const struct oci_config *c, const char *bundle, const char *rootfs,
                       bool in_userns, const char *state_root, bw_err_t *err);
/* Parent, once the state directory exists: make upper/ and work/ (owned by
 * the container's root, `idmap` when it has a new user namespace) and
 * record them in the state directory. */
int bw_overlay_make_dirs(struct bw_overlay *o, int statedir_fd, const struct bw_idmap_plan *idmap,
                         bw_err_t *err);
/* Parent, after the container's init exists: name it in DIR/owner. */
int bw_overlay_started(struct bw_overlay *o, const char *id, pid_t pid, uint64_t start,
                       bw_err_t *err);

/* Parent, around the clone of the container's process (kernel mode): the
 * child starts in DIR, its cwd, translated into its new mount namespace;
 * it names upper/ and work/ from there.  By path they would have to be
 * reachable by the container's root, which the state root (0700, ours) is
 * not when root runs a container with a user namespace; an fd would name
 * a mount of our namespace, which overlayfs refuses as a layer. */
void bw_overlay_before_clone(struct bw_overlay *o);
void bw_overlay_after_clone(struct bw_overlay *o, pid_t pid);

/* Child, in its new mount namespace after "/" is a slave: mount the overlay
 * over `target` (root.path). */
int bw_overlay_mount(struct bw_overlay *o, const char *target, bw_err_t *err);
/* Parent, in step with bw_overlay_mount (fuse): receive the fds and start
 * fuse-overlayfs. */
int bw_overlay_parent(struct bw_overlay *o, int sync_fd, bw_err_t *err);

/* Rewrite the record in the state directory (the daemon's pid). */
int bw_overlay_record(struct bw_overlay *o, bw_err_t *err);

/* The container is gone: wait for (or stop) its fuse-overlayfs, remove a
 * fresh upper, release a persistent one.  Best effort: warns.  A no-op for
 * a container without overlay. */
void bw_overlay_cleanup(int statedir_fd);

#endif
