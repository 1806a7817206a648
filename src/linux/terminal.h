/* burrow: process.terminal: the container's pty, the console socket, and
 * the relay of a foreground `run`.
 *
 * The pty is opened in the child, from the devpts mounted at the container's
 * /dev/pts, so that it belongs to the container's devpts instance (its
 * /dev/pts/N exists there, and nowhere else).  The master travels out over
 * a unix socket with SCM_RIGHTS: to the --console-socket of whoever runs
 * burrow (the protocol of runc: one message whose data is the slave's name
 * and whose control part holds the fd), or, for a foreground `run` without
 * a console socket, to burrow itself, which relays between its own stdio
 * and the master.
 *
 * The child-side calls (bw_terminal_open, bw_terminal_set_size,
 * bw_terminal_setup_slave, bw_terminal_send_master) make no assumption about
 * being the container's init, so that `exec --tty` can use them too.
 */
#ifndef BURROW_LINUX_TERMINAL_H
#define BURROW_LINUX_TERMINAL_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "spec/config.h"
#include "util/error.h"

/* --- before anything exists, in burrow ------------------------------------ */

/* The rules of runc: process.terminal needs somewhere to send the master
 * (--console-socket, or a foreground command that relays it); and
 * --console-socket needs process.terminal.  `detached` names the command
 * when nothing relays ("create", "run --detach", "exec --detach"), NULL for
 * a foreground run or exec. */
int bw_terminal_check_opts(bool terminal, const char *console_socket, const char *detached,
                           bw_err_t *err);

/* Connect to the console socket at `path` (SOCK_STREAM, or SOCK_SEQPACKET
 * for a listener of that type).  Done before the container exists, so that
 * a wrong path fails with nothing to undo.  Returns an O_CLOEXEC fd. */
int bw_terminal_connect(const char *path, bw_err_t *err);

/* --- in the process that gets the terminal ------------------------------------ */

/* Open a new pty from the devpts at /dev/pts under `rootfd` (the container's
 * root: an fd of it before pivot_root, or of "/" once inside), unlock it and
 * open its slave.  Both fds are O_CLOEXEC; the slave is O_NOCTTY.  Checks
 * that the slave belongs to the devpts instance mounted at /dev/pts there. */
int bw_terminal_open(int rootfd, int *master, int *slave, bw_err_t *err);

/* process.consoleSize (ignored when NULL or 0x0) on any fd of the pty. */
int bw_terminal_set_size(int fd, const struct oci_console_size *size, bw_err_t *err);

/* Make the slave the calling process's controlling terminal (setsid, then
 * TIOCSCTTY) and its stdin, stdout and stderr; closes `slave` when it is
 * not one of 0-2.  The caller must not be a process group leader. */
int bw_terminal_setup_slave(int slave, bw_err_t *err);

/* Send the master over the connected unix socket `sock` (the console socket
 * of runc's protocol, or a socketpair).  The caller still owns `master`. */
int bw_terminal_send_master(int sock, int master, bw_err_t *err);

/* All of the init's side, after mounts[] and before pivot_root: open the
 * pty, apply consoleSize, give the slave to process.user, bind it over
 * /dev/console, and make it the controlling terminal and stdio.  Returns
 * the master in *master for the caller to send. */
int bw_terminal_init_console(int rootfd, const struct oci_process *p, int *master, bw_err_t *err);

/* --- a foreground `run` without a console socket -------------------------- */

/* Relay burrow's stdin to the master and the master to stdout until the
 * container's process `pid` exits; return its exit status (128+N for a
 * signal).  Stdin in raw mode while relaying when it is a terminal
 * (restored on every return), its window size copied to the pty at start
 * and on SIGWINCH; the other signals of `set` (blocked by the caller) are
 * passed on to `pid`.  Reaps every child (burrow is a subreaper). */
int bw_terminal_relay(int master, pid_t pid, const sigset_t *set, bw_err_t *err);

#endif
