/* burrow: facts about processes, read from /proc. */
#ifndef BURROW_LINUX_PROC_H
#define BURROW_LINUX_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/error.h"

/* Start time of `pid` (field 22 of /proc/PID/stat, clock ticks since boot)
 * and its state letter ('R', 'S', 'Z', ...).  Returns -1 with errno ENOENT
 * (or ESRCH) when there is no such process. */
int bw_proc_stat(pid_t pid, uint64_t *start_time, char *state);

/* True when `pid` exists, is not a zombie, and started at `start_time`: the
 * pid+start time pair is how a recycled pid is told from the container. */
bool bw_proc_alive(pid_t pid, uint64_t start_time);

/* pidfd_open(2); -1 with errno set (ENOSYS on old kernels). */
int bw_pidfd_open(pid_t pid);

/* Inode of /proc/PID/ns/NAME, or 0 when it cannot be read. */
uint64_t bw_proc_ns_inode(pid_t pid, const char *name);

/* True when we run in a user namespace other than the initial one (our
 * uid_map is not the identity over every id). */
bool bw_proc_in_child_userns(void);
/* Whether setgroups(2) is denied in the user namespace of `pid` (0: this
 * process): a namespace whose unprivileged creator wrote a single mapping
 * denies it to every member. */
bool bw_proc_setgroups_denied(pid_t pid);
/* Reap every child that has exited (a subreaper collects reparented ones
 * too); the shell-style exit status of `pid` (128+N for signal N) once it is
 * among them, else -1.  One loop for all, so `pid` cannot be reaped
 * unnoticed between a waitpid(pid) and a waitpid(-1). */
int bw_proc_reap(pid_t pid);

#endif
