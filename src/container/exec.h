/* burrow: exec and ps, the commands that reach into a running container.
 *
 * `exec` runs one more process in the namespaces of a running container's
 * init: it reads the container's own config.json copy from the state
 * directory (the process settings: capabilities, rlimits, noNewPrivileges,
 * user, env, cwd), lets the command-line flags or a process.json replace
 * them, joins every namespace the init is in that burrow is not (the user
 * namespace first), forks once more so that the process is inside the pid
 * and time namespaces, chroots into the init's root, and then goes through
 * the same bw_process_check/bw_process_exec as the init does.
 *
 * `ps` lists the container's processes: burrow has no cgroup yet, so they
 * are told by their namespaces (see ps.c).
 */
#ifndef BURROW_CONTAINER_EXEC_H
#define BURROW_CONTAINER_EXEC_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "container/container.h"
#include "util/error.h"

struct bw_exec_opts {
    const char *id;
    const char *process_file; /* --process: the whole process object */
    char **args;              /* ARGS after the id (NULL-terminated), or NULL */
    size_t args_len;
    char **env; /* --env K=V, in order; a key given twice keeps the last */
    size_t env_len;
    const char *cwd; /* --cwd */
    bool user_set;   /* --user UID[:GID] */
    uid_t uid;
    bool gid_set;
    gid_t gid;
    gid_t *additional_gids; /* --additional-gids, replacing the config's */
    size_t additional_gids_len;
    char **caps; /* --cap: added to the bounding, effective and permitted sets */
    size_t caps_len;
    bool no_new_privs;          /* --no-new-privs */
    const char *apparmor;       /* --apparmor */
    bool tty;                   /* --tty: a new pty in the container */
    const char *console_socket; /* --console-socket: where its master goes */
    bool detach;                /* --detach: return once the process runs */
    const char *pid_file;       /* --pid-file */
    int preserve_fds;           /* --preserve-fds N: fds 3 .. 3+N-1 */
};

/* Returns the exit status of the process (foreground; 128+N when killed by
 * signal N), 0 when detached, or -1 with *err. */
int bw_container_exec(const struct bw_ctx *ctx, const struct bw_exec_opts *o, bw_err_t *err);

enum bw_ps_format { BW_PS_TABLE, BW_PS_JSON };
/* `ps_args` (NULL: "-ef") are the options of the host's ps(1) for the
 * table format. */
int bw_container_ps(const struct bw_ctx *ctx, const char *id, enum bw_ps_format fmt, char **ps_args,
                    FILE *out, bw_err_t *err);

/* The container's processes, as `ps` finds them: host pids, sorted, the
 * init among them.  Fails (ESRCH) when the init is no longer the recorded
 * process.  Used by `kill --all` and `delete --force` too. */
struct bw_state;
int bw_container_pids(const struct bw_state *s, pid_t **pids, size_t *n, bw_err_t *err);

/* Shared by `run` and `exec` in the foreground (defined in create.c): the
 * signals passed on to the process, plus SIGCHLD, to block before the
 * process exists; then wait for `pid` (our child, or a grandchild reparented
 * to us as subreaper), passing those signals on, and return its exit status
 * (128+N when killed by signal N). */
void bw_foreground_sigset(sigset_t *set);
int bw_wait_foreground(pid_t pid, const sigset_t *set, bw_err_t *err);

#endif
