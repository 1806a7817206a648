/* burrow: fds passed to the container, and systemd socket activation.
 *
 * A service manager that starts burrow with sockets (LISTEN_FDS=N and
 * LISTEN_PID=<burrow's pid>, the sockets on fds 3 to 3+N-1, see
 * sd_listen_fds(3)) means them for the container: they are passed on at the
 * same numbers, and the process gets LISTEN_FDS=N and LISTEN_PID=1 (and
 * LISTEN_FDNAMES when burrow has it), as runc does.  --preserve-fds M then
 * passes the M fds that follow them (3+N to 3+N+M-1).
 */
#ifndef BURROW_LINUX_LISTENFDS_H
#define BURROW_LINUX_LISTENFDS_H

#include "spec/config.h"
#include "util/error.h"

/* N when burrow's environment hands it N sockets (LISTEN_PID is our pid),
 * else 0. */
int bw_listen_fds(void);

/* Put LISTEN_FDS=n, LISTEN_PID=1 (and LISTEN_FDNAMES) in p->env, replacing
 * entries of those names. */
int bw_listen_fds_env(struct oci_process *p, int n, bw_err_t *err);

/* Fds first..first+count-1 must be fds burrow was given: open, and not
 * close-on-exec (every fd burrow opens is; an inherited one cannot be).
 * Otherwise one of burrow's own (the state directory, a socket) could take
 * a missing number and reach the container.  `what` names the option,
 * e.g. "--preserve-fds 2". */
int bw_passed_fds_check(int first, int count, const char *what, bw_err_t *err);

#endif
