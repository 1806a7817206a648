/* burrow: oomScoreAdj, ioPriority, scheduler, execCPUAffinity, personality
 * and memoryPolicy.  See procattr.h for when each is applied and why. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/lsm.h"
#include "linux/procattr.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/log.h"

/* linux/ioprio.h, which not every libc ships. */
#define BW_IOPRIO_WHO_PROCESS 1
#define BW_IOPRIO_CLASS_SHIFT 13

/* The kernel's struct sched_attr (linux/sched/types.h), SCHED_ATTR_SIZE_VER1.
 * Our own name: newer glibc declares one in <sched.h>. */
struct bw_sched_attr {
    uint32_t size;
    uint32_t sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime;
    uint64_t sched_deadline;
    uint64_t sched_period;
    uint32_t sched_util_min;
    uint32_t sched_util_max;
};
#define BW_SCHED_CAPACITY_SCALE 1024

static const char oom_path[] = "/proc/self/oom_score_adj";
static const char cpus_online[] = "/sys/devices/system/cpu/online";
static const char nodes_online[] = "/sys/devices/system/node/online";

static bool bit_test(const unsigned long *m, unsigned long i)
{
    return (m[i / BW_LONG_BITS] >> (i % BW_LONG_BITS)) & 1UL;
}

static void skip_spaces(const char **s)
{
    while (**s == ' ')
        (*s)++;
}

static bool parse_number(const char **s, unsigned long *out)
{
    if (**s < '0' || **s > '9')
        return false;
    unsigned long v = 0;
    while (**s >= '0' && **s <= '9') {
        unsigned d = (unsigned)(**s - '0');
        v = v > (ULONG_MAX - d) / 10 ? ULONG_MAX : v * 10 + d;
        (*s)++;
    }
    *out = v;
    return true;
}

int bw_id_list_parse(const char *s, unsigned long *mask, size_t nbits, unsigned long *over)
{
    memset(mask, 0, (nbits + BW_LONG_BITS - 1) / BW_LONG_BITS * sizeof(unsigned long));
    skip_spaces(&s);
    if (*s == '\0')
        return 0; /* an empty list */
    for (;;) {
        unsigned long lo, hi;
        if (!parse_number(&s, &lo))
            return -1;
        hi = lo;
        skip_spaces(&s);
        if (*s == '-') {
            s++;
            skip_spaces(&s);
            if (!parse_number(&s, &hi) || hi < lo)
                return -1;
            skip_spaces(&s);
        }
        if (hi >= nbits) {
            *over = lo >= nbits ? lo : nbits;
            return -2;
        }
        for (unsigned long i = lo; i <= hi; i++)
            mask[i / BW_LONG_BITS] |= 1UL << (i % BW_LONG_BITS);
        if (*s == '\0')
            return 0;
        if (*s++ != ',')
            return -1;
        skip_spaces(&s);
    }
}

/* The CPUs (nodes) online on this host, from sysfs, as a mask and as the
 * text shown in messages.  Returns 1 when the file does not exist (no
 * sysfs; a kernel without NUMA has no node directory): then only the
 * kernel can judge. */
static int read_online(const char *path, unsigned long *mask, size_t nbits, char *text,
                       size_t text_size, bw_err_t *err)
{
    bw_err_t e = NULL;
    cleanup_free char *s = bw_read_file(path, 4096, NULL, &e);
    if (s == NULL) {
        int code = e->code;
        bw_error_free(&e);
        if (code == ENOENT)
            return 1;
        return bw_error_set(err, code, "read `%s`", path);
    }
    s[strcspn(s, "\n")] = '\0';
    snprintf(text, text_size, "%s", s);
    unsigned long over;
    if (bw_id_list_parse(s, mask, nbits, &over) < 0)
        return bw_error_set(err, EINVAL, "`%s`: unexpected content \"%.64s\"", path, s);
    return 0;
}

/* Highest set bit + 1 (0 for an empty mask). */
static size_t mask_len(const unsigned long *m, size_t nbits)
{
    size_t n = 0;
    for (size_t i = 0; i < nbits; i++)
        if (bit_test(m, i))
            n = i + 1;
    return n;
}

/* Parse `list` of `field` into `mask` and check that each number is in
 * `online` (unless NULL).  `what` is "CPU" or "node". */
static int parse_checked(const char *field, const char *what, const char *list, unsigned long *mask,
                         size_t nbits, const unsigned long *online, const char *online_text,
                         bw_err_t *err)
{
    unsigned long over = 0;
    int r = bw_id_list_parse(list, mask, nbits, &over);
    if (r == -1)
        return bw_error_set(err, EINVAL, "%s: invalid list \"%.64s\" (expected e.g. \"0-3,7\")",
                            field, list);
    if (r == -2)
        return bw_error_set(err, EINVAL, "%s: %s %lu is not available on this host (online: %s)",
                            field, what, over, online_text);
    for (size_t i = 0; online != NULL && i < nbits; i++) {
        if (bit_test(mask, i) && !bit_test(online, i))
            return bw_error_set(err, EINVAL,
                                "%s: %s %zu is not available on this host (online: %s)", field,
                                what, i, online_text);
    }
    return 0;
}

static int prepare_affinity(struct bw_procattr *a, bw_err_t *err)
{
    const struct oci_exec_cpu_affinity *ca = a->p->exec_cpu_affinity;
    /* An empty list means "leave the affinity alone" (config.md). */
    a->initial_set = ca != NULL && ca->initial != NULL && ca->initial[strspn(ca->initial, " ")];
    a->final_set = ca != NULL && ca->final != NULL && ca->final[strspn(ca->final, " ")];
    if (!a->initial_set && !a->final_set)
        return 0;
    unsigned long online[BW_MAX_CPUS / BW_LONG_BITS];
    char text[128] = "unknown";
    int r = read_online(cpus_online, online, BW_MAX_CPUS, text, sizeof(text), err);
    if (r < 0)
        return bw_error_prefix(err, "process.execCPUAffinity");
    const unsigned long *check = r == 0 ? online : NULL;
    size_t n = r == 0 ? mask_len(online, BW_MAX_CPUS) : BW_MAX_CPUS;
    a->cpus_bytes = (n + BW_LONG_BITS - 1) / BW_LONG_BITS * sizeof(unsigned long);
    if (a->initial_set && parse_checked("process.execCPUAffinity.initial", "CPU", ca->initial,
                                        a->initial, BW_MAX_CPUS, check, text, err) < 0)
        return -1;
    if (a->final_set && parse_checked("process.execCPUAffinity.final", "CPU", ca->final, a->final,
                                      BW_MAX_CPUS, check, text, err) < 0)
        return -1;
    return 0;
}

static int prepare_memory_policy(struct bw_procattr *a, bw_err_t *err)
{
    const struct oci_memory_policy *m = a->lx ? a->lx->memory_policy : NULL;
    if (m == NULL || m->nodes == NULL || m->nodes[strspn(m->nodes, " ")] == '\0')
        return 0;
    unsigned long online[BW_MAX_NODES / BW_LONG_BITS];
    char text[128] = "unknown";
    int r = read_online(nodes_online, online, BW_MAX_NODES, text, sizeof(text), err);
    if (r < 0)
        return bw_error_prefix(err, "linux.memoryPolicy.nodes");
    /* With MPOL_F_RELATIVE_NODES the numbers are positions among the nodes
     * allowed, and MPOL_F_STATIC_NODES may name nodes that come later:
     * only the kernel can judge those. */
    bool relative = (m->flags & (OCI_MPOL_F_RELATIVE_NODES | OCI_MPOL_F_STATIC_NODES)) != 0;
    if (parse_checked("linux.memoryPolicy.nodes", "node", m->nodes, a->nodes, BW_MAX_NODES,
                      relative || r > 0 ? NULL : online, text, err) < 0)
        return -1;
    /* set_mempolicy(2) reads maxnode - 1 bits: pass whole words plus one. */
    size_t n = mask_len(a->nodes, BW_MAX_NODES);
    a->maxnode = (n + BW_LONG_BITS - 1) / BW_LONG_BITS * BW_LONG_BITS + 1;
    return 0;
}

int bw_procattr_prepare(struct bw_procattr *a, const struct oci_process *p,
                        const struct oci_linux *lx, bw_err_t *err)
{
    memset(a, 0, sizeof(*a));
    a->p = p;
    a->lx = lx;
    if (prepare_affinity(a, err) < 0 || prepare_memory_policy(a, err) < 0)
        return -1;
    return bw_lsm_prepare(p, lx, err);
}

/* ------------------------------------------------------------------------
 * oomScoreAdj, around the clone
 */

static int read_oom(int *value, bw_err_t *err)
{
    cleanup_free char *s = bw_read_file(oom_path, 64, NULL, err);
    if (s == NULL)
        return -1;
    *value = atoi(s);
    return 0;
}

static int write_oom(int value)
{
    char buf[16];
    int n = snprintf(buf, sizeof(buf), "%d", value);
    cleanup_close int fd = open(oom_path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    return write(fd, buf, (size_t)n) == n ? 0 : -1;
}

int bw_procattr_before_clone(struct bw_procattr *a, bw_err_t *err)
{
    if (!a->p->oom_score_adj_present)
        return 0;
    int want = a->p->oom_score_adj;
    if (read_oom(&a->oom_saved, err) < 0)
        return bw_error_prefix(err, "process.oomScoreAdj");
    if (want == a->oom_saved)
        return 0;
    if (write_oom(want) < 0) {
        int e = errno;
        /* The kernel lets a process without CAP_SYS_RESOURCE (in the
         * initial user namespace) go down only to the lowest value a
         * privileged process set for it. */
        if ((e == EACCES || e == EPERM) && want < a->oom_saved)
            return bw_error_set(err, e,
                                "process.oomScoreAdj: cannot set %d, below burrow's own %d: "
                                "lowering oom_score_adj needs CAP_SYS_RESOURCE in the initial "
                                "user namespace (rootless, it can only be raised)",
                                want, a->oom_saved);
        return bw_error_set(err, e, "process.oomScoreAdj: write %d to `%s`", want, oom_path);
    }
    a->oom_changed = true;
    return 0;
}

void bw_procattr_after_clone(struct bw_procattr *a)
{
    if (!a->oom_changed)
        return;
    a->oom_changed = false;
    int saved_errno = errno; /* the clone's, for its caller */
    /* Going back up always works; going back down works when we went up
     * unprivileged (the floor did not move) or are privileged. */
    if (write_oom(a->oom_saved) < 0)
        bw_warn("restore burrow's oom_score_adj %d: %s", a->oom_saved, strerror(errno));
    errno = saved_errno;
}

/* ------------------------------------------------------------------------
 * In the child
 */

/* Set the affinity and check that every CPU asked for is in it: the kernel
 * silently drops CPUs outside the cpuset, and fails only when none is left. */
static int set_affinity(const struct bw_procattr *a, const unsigned long *mask, const char *field,
                        bw_err_t *err)
{
    if (sched_setaffinity(0, a->cpus_bytes, (const cpu_set_t *)mask) < 0) {
        if (errno == EINVAL)
            return bw_error_set(err, EINVAL,
                                "%s: none of these CPUs is available to the container (its "
                                "cpuset)",
                                field);
        return bw_error_errno(err, "%s: set the CPU affinity", field);
    }
    unsigned long got[BW_MAX_CPUS / BW_LONG_BITS];
    if (sched_getaffinity(0, sizeof(got), (cpu_set_t *)got) < 0)
        return bw_error_errno(err, "%s: read the CPU affinity back", field);
    for (size_t i = 0; i < a->cpus_bytes * 8; i++) {
        if (bit_test(mask, i) && !bit_test(got, i))
            return bw_error_set(err, EINVAL,
                                "%s: CPU %zu is not available to the container (its cpuset)", field,
                                i);
    }
    return 0;
}

int bw_procattr_early(const struct bw_procattr *a, bw_err_t *err)
{
    if (a->initial_set)
        return set_affinity(a, a->initial, "process.execCPUAffinity.initial", err);
    return 0;
}

static const char *sched_policy_name(int policy)
{
    static const char *const names[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",      "SCHED_BATCH",
                                        "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE"};
    return policy >= 0 && policy < 7 ? names[policy] : "?";
}

static int apply_scheduler(const struct oci_scheduler *s, bw_err_t *err)
{
    struct bw_sched_attr at = {
        .size = sizeof(at),
        .sched_policy = (uint32_t)s->policy,
        .sched_flags = s->flags,
        .sched_nice = s->nice,
        .sched_priority = (uint32_t)s->priority,
        .sched_runtime = s->runtime,
        .sched_deadline = s->deadline,
        .sched_period = s->period,
    };
    /* The spec has no clamp values: the flags ask for the widest clamps
     * (no boost, no cap) rather than throttling the process to nothing. */
    if (s->flags & OCI_SCHED_FLAG_UTIL_CLAMP_MAX)
        at.sched_util_max = BW_SCHED_CAPACITY_SCALE;
    if (syscall(SYS_sched_setattr, 0, &at, 0) == 0)
        return 0;
    int e = errno;
    const char *name = sched_policy_name(s->policy);
    if (e == EPERM)
        return bw_error_set(err, e,
                            "process.scheduler: set %s (priority %" PRId32 ", nice %" PRId32
                            "): real-time and deadline policies, and a nice value below the "
                            "current one, need CAP_SYS_NICE in the initial user namespace or a "
                            "large enough RLIMIT_RTPRIO / RLIMIT_NICE; a rootless container (or "
                            "one in a user namespace) does not have them",
                            name, s->priority, s->nice);
    if (e == EBUSY)
        return bw_error_set(err, e,
                            "process.scheduler: set %s: the deadline bandwidth of this host "
                            "is used up",
                            name);
    return bw_error_set(err, e,
                        "process.scheduler: set %s (priority %" PRId32 ", nice %" PRId32
                        ", flags 0x%" PRIx64 ")",
                        name, s->priority, s->nice, s->flags);
}

static int apply_io_priority(const struct oci_io_priority *io, bw_err_t *err)
{
    static const char *const classes[] = {"?", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                          "IOPRIO_CLASS_IDLE"};
    const char *name = io->class >= 1 && io->class <= 3 ? classes[io->class] : "?";
    /* IOPRIO_WHO_PROCESS: this process; its children inherit it, so the
     * container's whole process tree has it, as the spec asks. */
    int value = ((int)io->class << BW_IOPRIO_CLASS_SHIFT) | (int)io->priority;
    if (syscall(SYS_ioprio_set, BW_IOPRIO_WHO_PROCESS, 0, value) == 0)
        return 0;
    if (errno == EPERM)
        return bw_error_errno(err,
                              "process.ioPriority: set %s, priority %" PRId32
                              ": the real-time class needs CAP_SYS_ADMIN or CAP_SYS_NICE in the "
                              "initial user namespace; a rootless container (or one in a user "
                              "namespace) does not have them",
                              name, io->priority);
    return bw_error_errno(err, "process.ioPriority: set %s, priority %" PRId32, name, io->priority);
}

static int apply_memory_policy(const struct bw_procattr *a, const struct oci_memory_policy *m,
                               bw_err_t *err)
{
    const unsigned long *nodes = a->maxnode ? a->nodes : NULL;
    if (syscall(SYS_set_mempolicy, m->mode | (int)m->flags, nodes, a->maxnode) == 0)
        return 0;
    if (errno == ENOSYS)
        return bw_error_errno(err, "linux.memoryPolicy: this kernel has no NUMA support");
    static const char *const modes[] = {"MPOL_DEFAULT",
                                        "MPOL_PREFERRED",
                                        "MPOL_BIND",
                                        "MPOL_INTERLEAVE",
                                        "MPOL_LOCAL",
                                        "MPOL_PREFERRED_MANY",
                                        "MPOL_WEIGHTED_INTERLEAVE"};
    const char *mode = m->mode >= 0 && m->mode < 7 ? modes[m->mode] : "?";
    if (errno == EINVAL)
        return bw_error_errno(err,
                              "linux.memoryPolicy: set_mempolicy refused %s with flags 0x%x and "
                              "nodes \"%s\" (a node outside the container's cpuset, or flags "
                              "this mode does not take)",
                              mode, m->flags, m->nodes ? m->nodes : "");
    return bw_error_errno(err, "linux.memoryPolicy: set_mempolicy");
}

int bw_procattr_apply(const struct bw_procattr *a, bw_err_t *err)
{
    const struct oci_process *p = a->p;
    const struct oci_linux *lx = a->lx;
    if (lx != NULL && lx->personality != NULL && personality(lx->personality->domain) < 0)
        return bw_error_errno(err, "linux.personality: set the domain 0x%lx",
                              lx->personality->domain);
    if (lx != NULL && lx->memory_policy != NULL &&
        apply_memory_policy(a, lx->memory_policy, err) < 0)
        return -1;
    if (p->io_priority != NULL && apply_io_priority(p->io_priority, err) < 0)
        return -1;
    /* Before the scheduler: SCHED_DEADLINE checks the affinity it is given
     * with, and refuses to have it narrowed afterwards. */
    if (a->final_set && set_affinity(a, a->final, "process.execCPUAffinity.final", err) < 0)
        return -1;
    if (p->scheduler != NULL && apply_scheduler(p->scheduler, err) < 0)
        return -1;
    return bw_lsm_apply_exec(p, err);
}
