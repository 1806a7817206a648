/* burrow: the remaining attributes of the container's process:
 * process.oomScoreAdj, ioPriority, scheduler, execCPUAffinity, the
 * container-wide linux.personality and linux.memoryPolicy, and (through
 * linux/lsm.h) process.apparmorProfile, process.selinuxLabel and
 * linux.mountLabel.
 *
 * When each is done, and why there (the calls are in linux/process.c, so
 * that `burrow exec` gets the same as the container's init):
 *
 *  parent, prepare   CPU and node lists parsed and checked against this
 *                    host's online CPUs and nodes; the LSMs asked for checked
 *                    enabled: errors before anything exists
 *  parent, clone     oomScoreAdj is written to burrow's own oom_score_adj
 *                    just before the clone and restored just after: the
 *                    child inherits it from its first instruction, with every
 *                    setup process and hook it runs, and it is written while
 *                    burrow is still in the initial user namespace, where
 *                    root has the CAP_SYS_RESOURCE a lower value needs (a
 *                    child created in a new user namespace never has it)
 *  child, first      execCPUAffinity.initial
 *  child, at exec    after rlimits (RLIMIT_RTPRIO and RLIMIT_NICE are what
 *                    lets an unprivileged process use some policies) and
 *                    before ids and capabilities change (root without a user
 *                    namespace needs CAP_SYS_NICE): personality,
 *                    memoryPolicy, ioPriority, execCPUAffinity.final, then
 *                    the scheduler (SCHED_DEADLINE checks the affinity it
 *                    starts with), the LSM exec labels.  Late, so that
 *                    startContainer hooks run with none of them and a
 *                    SCHED_DEADLINE process (which cannot fork) forks
 *                    nothing before exec.
 */
#ifndef BURROW_LINUX_PROCATTR_H
#define BURROW_LINUX_PROCATTR_H

#include <stdbool.h>
#include <stddef.h>

#include "spec/config.h"
#include "util/error.h"

/* Upper bounds of CPU and node numbers (the kernel's own: NR_CPUS at most
 * 8192, MAX_NUMNODES at most 1024). */
#define BW_MAX_CPUS  8192
#define BW_MAX_NODES 1024
#define BW_LONG_BITS (8 * sizeof(unsigned long))

struct bw_procattr {
    const struct oci_process *p;
    const struct oci_linux *lx; /* may be NULL */
    bool initial_set, final_set;
    unsigned long initial[BW_MAX_CPUS / BW_LONG_BITS]; /* execCPUAffinity.initial */
    unsigned long final[BW_MAX_CPUS / BW_LONG_BITS];
    size_t cpus_bytes; /* the mask size passed to sched_setaffinity */
    unsigned long nodes[BW_MAX_NODES / BW_LONG_BITS]; /* memoryPolicy.nodes */
    unsigned long maxnode;                            /* for set_mempolicy, 0: no nodes */
    int oom_saved;                                    /* burrow's own, restored after clone */
    bool oom_changed;
};

/* Parse "0-3,7" (spaces allowed around numbers and separators, as the
 * schema's pattern) into a bitmap of `nbits` bits.  Returns 0, -1 on bad
 * syntax, or -2 with the first number >= nbits in *over. */
int bw_id_list_parse(const char *s, unsigned long *mask, size_t nbits, unsigned long *over);

/* In the parent, before anything exists: parse and check what can be
 * checked.  `lx` is the container's linux object (personality, memory
 * policy, mount label apply to every process of the container), or NULL. */
int bw_procattr_prepare(struct bw_procattr *a, const struct oci_process *p,
                        const struct oci_linux *lx, bw_err_t *err);

/* In the parent, around the clone (or fork) of a process of the container:
 * oomScoreAdj on burrow itself, then burrow's own value back. */
int bw_procattr_before_clone(struct bw_procattr *a, bw_err_t *err);
void bw_procattr_after_clone(struct bw_procattr *a);

/* In the child, first thing: execCPUAffinity.initial. */
int bw_procattr_early(const struct bw_procattr *a, bw_err_t *err);

/* In the child, just before exec (see above for the place). */
int bw_procattr_apply(const struct bw_procattr *a, bw_err_t *err);

#endif
