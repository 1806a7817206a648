/* burrow: the container's process: what is resolved in the parent before
 * clone (capability names, CPU and node lists), what is set around the
 * clone (oomScoreAdj) and first thing in the child (execCPUAffinity.initial),
 * what is checked in the child before `created` (the executable and cwd
 * exist), and what is applied in the child after `start`, in this order:
 * rlimits, the attributes of procattr.h (scheduler, ioPriority, ...),
 * bounding set, groups and ids, capabilities, umask, cwd, no_new_privs,
 * then exec. */
#ifndef BURROW_LINUX_PROCESS_H
#define BURROW_LINUX_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "linux/seccomp-filter.h"
#include "linux/procattr.h"
#include "spec/config.h"
#include "util/error.h"

struct bw_process_plan {
    const struct oci_process *p;
    bool caps; /* process.capabilities given */
    uint64_t bounding, effective, inheritable, permitted, ambient;
    dev_t self_dev; /* burrow's own executable: the container may not exec it */
    ino_t self_ino;
    char *exec_path;         /* set by bw_process_check: resolved inside the container */
    int preserve_fds;        /* fds 3 .. 3+N-1 stay open across exec (--preserve-fds) */
    struct bw_procattr attr; /* oomScoreAdj, scheduler, ... (linux/procattr.h) */
    /* linux.seccomp compiled, or NULL (linux/seccomp-filter.h) */
    struct bw_seccomp *seccomp;
};

/* In the parent: resolve capability names (an unknown name is an error that
 * names it; a name this kernel lacks is a warning), note our own binary,
 * check the CPU and node lists and LSMs (procattr.h).  `lx` is the
 * container's linux object (personality, memoryPolicy and mountLabel apply
 * to all its processes), or NULL. */
int bw_process_prepare(const struct oci_process *p, const struct oci_linux *lx,
                       struct bw_process_plan *plan, bw_err_t *err);

/* In the parent, right before and right after the clone (or fork) of the
 * process: process.oomScoreAdj, inherited from the start (procattr.h). */
int bw_process_before_clone(struct bw_process_plan *plan, bw_err_t *err);
void bw_process_after_clone(struct bw_process_plan *plan);

/* In the child, as early as it can: execCPUAffinity.initial. */
int bw_process_early(struct bw_process_plan *plan, bw_err_t *err);
void bw_process_plan_free(struct bw_process_plan *plan);

/* In the child after pivot_root, before `created`: find process.args[0] as
 * execvp would, with the container's PATH, and check process.cwd. */
int bw_process_check(struct bw_process_plan *plan, bw_err_t *err);

/* process.user.additionalGids where setgroups(2) is denied (a user namespace
 * whose gid map its unprivileged owner wrote): an error, checked at create
 * for a new user namespace and again at exec for a joined one. */
int bw_process_check_groups(const struct oci_process *p, bool setgroups_allowed, bw_err_t *err);

/* In the child after `start`: apply the settings and exec.  Returns only on
 * failure.  `setgroups_allowed` is false in a user namespace whose
 * setgroups is denied. */
int bw_process_exec(struct bw_process_plan *plan, bool setgroups_allowed, bw_err_t *err);

#endif
