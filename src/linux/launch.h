/* burrow: starting the container's init process.
 *
 * The parent prepares everything that can fail cleanly before a namespace
 * exists (namespace paths opened, id mappings decided and newuidmap found,
 * capability names resolved), clones the child with its namespaces, writes
 * the id mappings, and waits for the child to report `created` (or an
 * error).  The child sets up the filesystem and blocks on the exec fifo
 * until `start`.  See launch.c for the phase list.
 */
#ifndef BURROW_LINUX_LAUNCH_H
#define BURROW_LINUX_LAUNCH_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "linux/idmap.h"
#include "linux/idmount.h"
#include "linux/process.h"
#include "net/net.h"
#include "rootfs/rootfs.h"
#include "spec/config.h"
#include "util/error.h"

struct bw_launch {
    /* Inputs, set by the caller. */
    const struct oci_config *config;
    const char *id;     /* the container's id (hooks' and seccomp listener's state) */
    const char *bundle; /* absolute */
    const char *rootfs; /* absolute */
    int statedir_fd;    /* the container's state directory (exec.fifo is there) */
    int lock_fd;        /* the state directory lock: the child must not hold it */
    bool no_pivot;
    bool no_new_keyring; /* keep the caller's session keyring */
    int preserve_fds;
    bool terminal;              /* process.terminal: the child sends its pty master (CONSOLE) */
    int console_sock;           /* --console-socket connection, or -1: not for the child to keep */
    const char *state_root;     /* where compiled seccomp filters are cached, or NULL */
    struct bw_net *net;         /* network mode and ports (net/net.h), or NULL */
    struct bw_overlay *overlay; /* the rootfs overlay (rootfs/rootfs.h), or NULL */
    int cgroup_fd;              /* the container's cgroup directory, or -1: the init starts in it */
    /* Or: puts the child, stopped before it has done anything, in its
     * cgroup (the systemd manager makes the cgroup around it). */
    int (*place)(void *arg, pid_t pid, bw_err_t *err);
    void *place_arg;

    /* Prepared by bw_launch_prepare. */
    bool new_userns;        /* a user namespace we create and map */
    bool in_userns;         /* the container runs in a non-initial user namespace */
    bool setgroups_allowed; /* setgroups(2) works in the container */
    bool own_pidns;
    bool hook_stop;              /* the child stops before pivot_root for the hooks */
    unsigned long clone_flags;   /* namespaces clone3 creates */
    unsigned long unshare_flags; /* namespaces the child creates with unshare */
    bool fork_again;             /* the init is a grandchild (pid or time namespace) */
    int join_fd[OCI_NS__COUNT];  /* namespaces joined by path, or -1 */
    struct bw_idmap_plan idmap;
    struct bw_process_plan proc;
    struct bw_idmounts idmounts; /* detached idmapped trees for mounts[] */

    /* Results. */
    pid_t child;        /* the process we cloned */
    pid_t pid;          /* the container's init (== child unless fork_again) */
    uint64_t pid_start; /* its start time */
    int sync_fd;        /* our end of the sync socket */
    bool hooks_started; /* the hooks before start began: a failure now runs poststop */
    int console_fd;     /* the pty master (terminal), or -1; the caller may steal it */
};

void bw_launch_init(struct bw_launch *l);
int bw_launch_prepare(struct bw_launch *l, bw_err_t *err);
/* Clone, map ids, and wait until the child is `created`. */
int bw_launch_spawn(struct bw_launch *l, bw_err_t *err);
/* The state is recorded: let the child go on to wait for `start`. */
int bw_launch_release(struct bw_launch *l, bw_err_t *err);
/* Kill the child (and its init) and reap what is ours. */
void bw_launch_abort(struct bw_launch *l);
void bw_launch_free(struct bw_launch *l);

#endif
