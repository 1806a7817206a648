/* burrow: the monitor, a small process that ties helper processes
 * (slirp4netns, pasta; later fuse-overlayfs) to the life of a container.
 *
 * burrow itself does not stay around (`create` returns), and the container's
 * process may receive no file descriptor of ours, so something else must
 * notice that the container is gone.  The monitor is forked from burrow, in
 * a session of its own, with only a pidfd of the container's init and a
 * control socket.  It starts each helper as its own child (a helper gets
 * exactly the fds asked for, and SIGKILL as its parent-death signal), and:
 *
 *   - when the watched process exits (delete, kill -9, a crash inside),
 *     waits 250 ms (what the container's sockets still had to send goes out
 *     through the helper), then kills every child it has (reparented
 *     daemons included: it is a child subreaper), reaps them, and exits;
 *   - when the control socket closes before bw_monitor_commit (burrow failed
 *     or crashed during create), does the same;
 *   - after a commit, closing the control socket changes nothing.
 *
 * Every exit of a direct child is reported on the control socket while it
 * is open, so that the caller can wait for a helper that daemonizes.
 */
#ifndef BURROW_CONTAINER_MONITOR_H
#define BURROW_CONTAINER_MONITOR_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

#define BW_MONITOR_MAX_FDS 8

struct bw_monitor {
    pid_t pid; /* the monitor process, 0 before start */
    int sock;  /* our end of the control socket, or -1 */
};

struct bw_monitor_helper {
    char *const *argv; /* argv[0] is looked up in PATH */
    /* fds[i] becomes the helper's fd i (0, 1, 2, 3, ...), all others closed. */
    const int *fds;
    int nfds;
    /* >= 0: the helper's fd with this number is a user namespace that the
     * helper joins (setns) before exec; -1: none. */
    int userns_fd;
};

void bw_monitor_init(struct bw_monitor *m);
/* Fork the monitor of process `watched` (which must be alive); `label` is
 * its command line (e.g. "burrow-monitor ID"), in place of burrow's. */
int bw_monitor_start(struct bw_monitor *m, pid_t watched, const char *label, bw_err_t *err);
/* Start a helper under the monitor; its pid in *pid. */
int bw_monitor_spawn(struct bw_monitor *m, const struct bw_monitor_helper *h, pid_t *pid,
                     bw_err_t *err);
/* Wait until the helper `pid` exits (returns 0, its wait status in *status)
 * or `fd` (unless -1) becomes readable (returns 1), at most timeout_ms. */
int bw_monitor_wait(struct bw_monitor *m, pid_t pid, int fd, int timeout_ms, int *status,
                    bw_err_t *err);
/* The container is recorded: from now on only its end ends the helpers. */
int bw_monitor_commit(struct bw_monitor *m, bw_err_t *err);
/* Close our end (without a commit before, the monitor kills its helpers). */
void bw_monitor_close(struct bw_monitor *m);

#endif
