/* burrow: the parent/child protocol during create.
 *
 * Parent and child hold the two ends of a SOCK_SEQPACKET socketpair; every
 * message is typed and the receiver checks the type it expects, so the two
 * sides cannot drift apart silently.  The sequence:
 *
 *   parent                                child (the container's init)
 *   clone3 ------------------------------>
 *   write uid/gid maps
 *   IDMAP_DONE -------------------------> join/create namespaces
 *                 <---------------------- PID (only when a second fork made
 *                                         the init a grandchild)
 *                 <---------------------- OVERLAY_FD x2 (--rootfs-overlay
 *   start fuse-overlayfs                   fuse: user namespace, /dev/fuse)
 *                                         mounts
 *                 <---------------------- HOOKS (only when the config has
 *   prestart, createRuntime hooks          hooks that run before start)
 *   HOOKS_DONE -------------------------> createContainer hooks, pivot_root,
 *                                         ...
 *                 <---------------------- CONSOLE  (process.terminal: the pty
 *                                         master, with SCM_RIGHTS)
 *                 <---------------------- SECCOMP_FD  (a NOTIFY rule: the
 *   send it to listenerPath                listener, with SCM_RIGHTS)
 *                 <---------------------- CREATED  (or ERROR at any point)
 *   write state.json, pid file
 *   ACK --------------------------------> clear the parent-death signal
 *                 <---------------------- RELEASED
 *   exit (create) or open exec.fifo       block on exec.fifo until `start`
 *
 * RELEASED exists because the parent must not exit while the child still
 * has its parent-death signal: `create` returning right after ACK would
 * otherwise kill the container it just reported created.
 *
 * An ERROR carries errno and the message; the parent raises it as its own
 * error, cleans up, and prints it.  EOF means the other side died.
 */
#ifndef BURROW_LINUX_SYNC_H
#define BURROW_LINUX_SYNC_H

#include <stdint.h>

#include "util/error.h"

enum bw_sync_type {
    BW_SYNC_IDMAP_DONE = 0x1d01,
    BW_SYNC_PID,
    BW_SYNC_CREATED,
    BW_SYNC_ACK,
    BW_SYNC_ERROR,
    BW_SYNC_RELEASED,
    BW_SYNC_HOOKS,
    BW_SYNC_HOOKS_DONE,
    BW_SYNC_SECCOMP_FD, /* child -> parent: the seccomp listener (SCM_RIGHTS) */
    BW_SYNC_CONSOLE,    /* child -> parent, with the pty master (process.terminal) */
    BW_SYNC_NETNS,      /* child -> parent: its network namespace (net/net.h) */
    BW_SYNC_USERNS,     /* child -> parent: its user namespace (net/net.h) */
    BW_SYNC_OVERLAY_FD, /* child -> parent: its user namespace, then the fuse fd (rootfs/) */
    BW_SYNC_PLACED,     /* parent -> child: in its cgroup now (bw_launch.place) */
};

int bw_sync_send(int fd, enum bw_sync_type type, int64_t value, bw_err_t *err);
/* Child side: report an error to the parent (best effort). */
void bw_sync_send_error(int fd, const struct bw_error *e);
/* Wait for a message of `type`; an ERROR message becomes *err with the
 * child's errno and text, EOF becomes "`who` exited during setup". */
int bw_sync_expect(int fd, enum bw_sync_type type, int64_t *value, const char *who, bw_err_t *err);

/* A message of `type` carrying one fd (SCM_RIGHTS).  The receiver gets its
 * own O_CLOEXEC copy in *fd; the sender still owns (and closes) its own.
 * An ERROR message or EOF while waiting is an error as in bw_sync_expect;
 * a message of another type, or without an fd, is EPROTO. */
int bw_sync_send_fd(int sock, enum bw_sync_type type, int fd, bw_err_t *err);
int bw_sync_recv_fd(int sock, enum bw_sync_type type, int *fd, const char *who, bw_err_t *err);

#endif
